//! What the live page shows: the latest articles, articles per minute, top entities.
//!
//! The writer thread adds each batch of written records under one lock (the page's
//! JSON endpoints take the same lock briefly), and only when the page is on. The
//! articles keep their text even when `outbox.include_text` is off: the page needs it
//! to show entities in place, and it never leaves memory except through the page.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::record::Record;

/// Minutes of the articles-per-minute history.
pub const MINUTES: u64 = 180;
/// Hours the top-entity counts cover.
pub const HOURS: u64 = 6;
/// Distinct entities kept per hour; past it, ones seen once that hour are dropped.
const MAX_ENTITIES_PER_HOUR: usize = 20_000;

/// A mention, in character (Unicode scalar value) offsets into the article's text.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// `PER`, `ORG`, `LOC` or `MISC`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The entity's canonical text.
    pub entity: String,
}

/// An article as the page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RecentArticle {
    /// Record id.
    pub id: String,
    /// Input name.
    pub name: String,
    /// Title, if any.
    pub title: Option<String>,
    /// When the record was built.
    pub processed_at: String,
    /// The cleaned body (mentions index it by character).
    pub text: String,
    /// Entity mentions, in text order.
    pub marks: Vec<Mark>,
    /// Document tone (VADER compound), when scored.
    pub tone: Option<f64>,
    /// Classifier label, when scored.
    pub topic: Option<String>,
    /// Taxonomy topics, best first.
    pub topics: Vec<String>,
    /// Priority score, and whether it raised an alert.
    pub priority: Option<f64>,
    /// True when it raised an alert.
    pub alert: bool,
    /// Id of the earlier article this one copies, if any.
    pub duplicate_of: Option<String>,
}

impl RecentArticle {
    /// The page's view of a written record; `text` is the body (the record may not
    /// carry it).
    pub fn of(record: &Record, text: String) -> Self {
        let mut marks: Vec<Mark> = record
            .entities
            .iter()
            .flat_map(|e| {
                e.mentions.iter().map(|m| Mark {
                    start: m.start,
                    end: m.end,
                    kind: e.kind.clone(),
                    entity: e.text.clone(),
                })
            })
            .collect();
        marks.sort_by_key(|m| (m.start, m.end));
        Self {
            id: record.id.clone(),
            name: record.source.name.clone(),
            title: record.title.clone(),
            processed_at: record.processed_at.clone(),
            text,
            marks,
            tone: record.tone.as_ref().map(|t| t.compound),
            topic: record.topics.as_ref().map(|t| t.label.clone()),
            topics: record
                .topics
                .as_ref()
                .map(|t| t.taxonomy.iter().map(|x| x.name.clone()).collect())
                .unwrap_or_default(),
            priority: record.priority.as_ref().map(|p| p.score),
            alert: record.priority.as_ref().is_some_and(|p| p.alert),
            duplicate_of: record.dedup.as_ref().and_then(|d| d.duplicate_of.clone()),
        }
    }
}

/// One minute's count.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Minute {
    /// Start of the minute, Unix seconds.
    pub t: u64,
    /// Articles written in it.
    pub n: u64,
}

/// An entity's count over the last hours.
#[derive(Debug, Clone, Serialize)]
pub struct TopEntity {
    /// Canonical text.
    pub text: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Articles mentioning it.
    pub count: u64,
}

/// What `/api/stats` serves.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// Articles per minute, oldest first, over the last [`MINUTES`] (minutes without
    /// articles included).
    pub minutes: Vec<Minute>,
    /// The most frequent entities over the last [`HOURS`], most first.
    pub top_entities: Vec<TopEntity>,
    /// Hours `top_entities` covers.
    pub hours: u64,
}

/// (type, canonical text) → articles mentioning it.
type EntityCounts = HashMap<(String, String), u64>;

#[derive(Debug, Default)]
struct Inner {
    articles: VecDeque<Arc<RecentArticle>>,
    /// (minute, count), oldest first.
    minutes: VecDeque<(u64, u64)>,
    /// (hour, (type, text) → articles), oldest first.
    hours: VecDeque<(u64, EntityCounts)>,
}

/// The latest articles and the history the page charts.
#[derive(Debug)]
pub struct Recent {
    capacity: usize,
    inner: Mutex<Inner>,
}

impl Recent {
    /// Keeps at most `capacity` articles.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// Adds articles written at `unix_s`, oldest first.
    pub fn add(&self, unix_s: u64, articles: Vec<RecentArticle>) {
        if articles.is_empty() {
            return;
        }
        let minute = unix_s / 60 * 60;
        let hour = unix_s / 3600 * 3600;
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        match inner.minutes.back_mut() {
            Some((m, n)) if *m == minute => *n += articles.len() as u64,
            _ => inner.minutes.push_back((minute, articles.len() as u64)),
        }
        while inner
            .minutes
            .front()
            .is_some_and(|(m, _)| *m + MINUTES * 60 <= minute)
        {
            inner.minutes.pop_front();
        }
        if inner.hours.back().is_none_or(|(h, _)| *h != hour) {
            inner.hours.push_back((hour, HashMap::new()));
        }
        while inner
            .hours
            .front()
            .is_some_and(|(h, _)| *h + HOURS * 3600 <= hour)
        {
            inner.hours.pop_front();
        }
        if let Some((_, counts)) = inner.hours.back_mut() {
            for a in &articles {
                let mut seen: Vec<(&str, &str)> = a
                    .marks
                    .iter()
                    .map(|m| (m.kind.as_str(), m.entity.as_str()))
                    .collect();
                seen.sort_unstable();
                seen.dedup();
                for (kind, text) in seen {
                    *counts
                        .entry((kind.to_string(), text.to_string()))
                        .or_default() += 1;
                }
            }
            if counts.len() > MAX_ENTITIES_PER_HOUR {
                counts.retain(|_, n| *n > 1);
            }
        }
        for a in articles {
            inner.articles.push_back(Arc::new(a));
        }
        while inner.articles.len() > self.capacity {
            inner.articles.pop_front();
        }
    }

    /// The latest articles, newest first.
    pub fn latest(&self) -> Vec<Arc<RecentArticle>> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.articles.iter().rev().cloned().collect()
    }

    /// Articles per minute and the top `top` entities, as of `unix_s`.
    pub fn history(&self, unix_s: u64, top: usize) -> History {
        let now_minute = unix_s / 60 * 60;
        let first = now_minute.saturating_sub((MINUTES - 1) * 60);
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let by_minute: HashMap<u64, u64> = inner.minutes.iter().copied().collect();
        let minutes = (0..MINUTES)
            .map(|i| first + i * 60)
            .map(|t| Minute {
                t,
                n: by_minute.get(&t).copied().unwrap_or(0),
            })
            .collect();
        let since = (unix_s / 3600 * 3600).saturating_sub((HOURS - 1) * 3600);
        let mut totals: HashMap<(&str, &str), u64> = HashMap::new();
        for (h, counts) in &inner.hours {
            if *h < since {
                continue;
            }
            for ((kind, text), n) in counts {
                *totals.entry((kind, text)).or_default() += n;
            }
        }
        let mut top_entities: Vec<TopEntity> = totals
            .into_iter()
            .map(|((kind, text), count)| TopEntity {
                text: text.to_string(),
                kind: kind.to_string(),
                count,
            })
            .collect();
        top_entities.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
        top_entities.truncate(top);
        History {
            minutes,
            top_entities,
            hours: HOURS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, entities: &[(&str, &str)]) -> RecentArticle {
        RecentArticle {
            id: id.into(),
            name: id.into(),
            title: None,
            processed_at: String::new(),
            text: String::new(),
            marks: entities
                .iter()
                .map(|(kind, entity)| Mark {
                    start: 0,
                    end: 1,
                    kind: (*kind).into(),
                    entity: (*entity).into(),
                })
                .collect(),
            tone: None,
            topic: None,
            topics: Vec::new(),
            priority: None,
            alert: false,
            duplicate_of: None,
        }
    }

    #[test]
    fn keeps_the_latest_and_counts_per_minute_and_entity() {
        let r = Recent::new(2);
        let t = 1_700_000_000 / 3600 * 3600;
        r.add(t, vec![article("a", &[("PER", "Xi"), ("PER", "Xi")])]);
        r.add(
            t + 5,
            vec![article("b", &[("PER", "Xi"), ("LOC", "Moscow")])],
        );
        r.add(t + 65, vec![article("c", &[])]);
        let ids: Vec<String> = r.latest().iter().map(|a| a.id.clone()).collect();
        assert_eq!(ids, ["c", "b"]);
        let h = r.history(t + 70, 10);
        assert_eq!(h.minutes.len() as u64, MINUTES);
        let last: Vec<u64> = h.minutes.iter().rev().take(2).map(|m| m.n).collect();
        assert_eq!(last, [1, 2]);
        assert_eq!(h.top_entities[0].text, "Xi");
        assert_eq!(h.top_entities[0].count, 2, "counted once per article");
        assert_eq!(h.top_entities[1].text, "Moscow");
    }
}
