//! `newsd eval sentiment --vader FILE`: VADER compound against human mean ratings.
//!
//! The file is one of VADER's ground-truth sets (`id<TAB>mean rating<TAB>text`, CRLF
//! or LF, optional BOM). The report gives Pearson's r between the compound score and
//! the human mean, the figure the VADER paper reports per corpus.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::pipeline::score::vader::Vader;

/// Why the evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SentimentEvalError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No line had the expected three tab-separated fields.
    #[error("{0}: no `id<TAB>rating<TAB>text` lines")]
    Empty(String),
}

/// The evaluation result.
#[derive(Debug, Serialize)]
pub struct SentimentReport {
    /// The file evaluated.
    pub file: String,
    /// Texts scored.
    pub texts: usize,
    /// Pearson's r between VADER compound and the human mean rating.
    pub pearson_r: f64,
    /// Texts scored per second (one core).
    pub texts_per_s: f64,
}

/// Scores every text of a ground-truth file and correlates with the human means.
pub fn evaluate(path: &Path) -> Result<SentimentReport, SentimentEvalError> {
    let raw = std::fs::read_to_string(path).map_err(|source| SentimentEvalError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let rows: Vec<(f64, &str)> = raw
        .trim_start_matches('\u{feff}')
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .filter_map(|l| {
            let mut f = l.splitn(3, '\t');
            let _id = f.next()?;
            let rating = f.next()?.trim().parse().ok()?;
            Some((rating, f.next()?))
        })
        .collect();
    if rows.is_empty() {
        return Err(SentimentEvalError::Empty(path.display().to_string()));
    }
    let vader = Vader::builtin();
    let started = Instant::now();
    let predicted: Vec<f64> = rows
        .iter()
        .map(|(_, t)| vader.polarity(t).compound)
        .collect();
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    let human: Vec<f64> = rows.iter().map(|(r, _)| *r).collect();
    Ok(SentimentReport {
        file: path.display().to_string(),
        texts: rows.len(),
        pearson_r: super::pearson(&predicted, &human),
        texts_per_s: rows.len() as f64 / seconds,
    })
}
