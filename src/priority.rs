//! Priority: one number telling an analyst which articles to read first, and whether
//! an article is an alert.
//!
//! `priority = (w_watch·watch + w_topic·topic + w_tone·tone + w_novelty·novelty) / Σw`,
//! each component in 0..1:
//! - `watch = 1 − exp(−Σ weight × min(mentions, 3))` over watchlist hits: one strong
//!   hit gives ~0.63, several saturate towards 1;
//! - `topic` = the best taxonomy topic score;
//! - `tone` = |document VADER compound|: strongly worded news first;
//! - `novelty` = 1 − similarity to the closest earlier article, 0 for a duplicate.
//!
//! With the default weights (0.5, 0.2, 0.15, 0.15) and alert threshold 0.6, an article
//! needs watchlist hits to become an alert. Computed after the duplicate verdict, so
//! in the daemon it runs in the outbox writer, in write order.

use serde::{Deserialize, Serialize};

use crate::record::Record;

/// `[priority]` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriorityConfig {
    /// Weight of watchlist hits.
    pub watchlist: f64,
    /// Weight of the best taxonomy topic score.
    pub topics: f64,
    /// Weight of tone extremity.
    pub tone: f64,
    /// Weight of novelty.
    pub novelty: f64,
    /// Records at or above this priority are also appended to the alerts file.
    pub alert_threshold: f64,
}

impl Default for PriorityConfig {
    fn default() -> Self {
        Self {
            watchlist: 0.5,
            topics: 0.2,
            tone: 0.15,
            novelty: 0.15,
            alert_threshold: 0.6,
        }
    }
}

impl PriorityConfig {
    /// Checks the weights; returns the offending key and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        for (key, w) in [
            ("priority.watchlist", self.watchlist),
            ("priority.topics", self.topics),
            ("priority.tone", self.tone),
            ("priority.novelty", self.novelty),
        ] {
            if !(w.is_finite() && w >= 0.0) {
                return Err((key, "must be a number >= 0".into()));
            }
        }
        if self.watchlist + self.topics + self.tone + self.novelty <= 0.0 {
            return Err((
                "priority.watchlist",
                "at least one weight must be > 0".into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.alert_threshold) {
            return Err(("priority.alert_threshold", "must be between 0 and 1".into()));
        }
        Ok(())
    }
}

/// The components behind a priority.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Components {
    /// Watchlist component, 0..1.
    pub watchlist: f64,
    /// Best taxonomy topic score, 0..1.
    pub topics: f64,
    /// Tone extremity, 0..1.
    pub tone: f64,
    /// Novelty, 0..1.
    pub novelty: f64,
}

/// The record's priority section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Priority {
    /// The priority, 0..1.
    pub score: f64,
    /// True when at or above the alert threshold (the record is also in the alerts file).
    pub alert: bool,
    /// What it is made of.
    pub components: Components,
}

/// Computes a record's priority from its watchlist hits, topics, tone and duplicate verdict.
pub fn compute(record: &Record, cfg: &PriorityConfig) -> Priority {
    let raw: f64 = record
        .watchlist
        .iter()
        .map(|h| h.weight * h.count.min(3) as f64)
        .sum();
    let c = Components {
        watchlist: 1.0 - (-raw).exp(),
        topics: record
            .topics
            .as_ref()
            .and_then(|t| t.taxonomy.first())
            .map_or(0.0, |t| t.score),
        tone: record.tone.as_ref().map_or(0.0, |t| t.compound.abs()),
        novelty: match &record.dedup {
            Some(d) if d.duplicate_of.is_some() => 0.0,
            Some(d) => 1.0 - d.similarity,
            None => 1.0,
        },
    };
    let total = cfg.watchlist + cfg.topics + cfg.tone + cfg.novelty;
    let score = if total > 0.0 {
        ((cfg.watchlist * c.watchlist
            + cfg.topics * c.topics
            + cfg.tone * c.tone
            + cfg.novelty * c.novelty)
            / total)
            .clamp(0.0, 1.0)
    } else {
        0.0
    };
    Priority {
        score,
        alert: score >= cfg.alert_threshold,
        components: c,
    }
}
