//! `newsd eval extraction --dataset DIR`: the HTML reader's article bodies against
//! an article-extraction benchmark's annotated bodies.
//!
//! The dataset folder holds `ground-truth.json` (page id → `{"articleBody", "url"}`)
//! and `html/<id>.html.gz` (or `html/<id>.html`). Each body is compared with the
//! annotation the way the benchmark defines it: the text is cut into word tokens
//! (runs of letters, digits and `_`), tokens are grouped into overlapping 4-grams
//! ("shingles"), and the two multisets of shingles give true positives, false
//! positives and false negatives, hence a precision and a recall per page. Precision
//! is averaged over the pages where something was extracted, recall over the pages
//! whose annotation is not empty. `f1` is the mean of the per-page F1 (a page
//! refused by the reader scores 0); `f1_of_means`, the harmonic mean of the mean
//! precision and mean recall, is the figure the benchmark's leaderboard prints.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::formats::html::{self, MAX_INPUT_BYTES};

/// Shingle length in tokens, as the benchmark uses.
const SHINGLE: usize = 4;

/// Why the evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExtractionEvalError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A dump file could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `ground-truth.json` is not the expected object.
    #[error("{path}: {source}")]
    GroundTruth {
        /// The file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The ground truth lists no page.
    #[error("{0}: no pages")]
    Empty(PathBuf),
}

/// One annotated page of `ground-truth.json`.
#[derive(Debug, Deserialize)]
struct Annotation {
    #[serde(rename = "articleBody", default)]
    article_body: String,
    #[serde(default)]
    url: String,
}

/// The figures for one page.
#[derive(Debug, Clone, Serialize)]
pub struct PageScore {
    /// The page id.
    pub id: String,
    /// The page's URL, from the annotation.
    pub url: String,
    /// Shingle precision; `None` when nothing was extracted.
    pub precision: Option<f64>,
    /// Shingle recall; `None` when the annotation is empty.
    pub recall: Option<f64>,
    /// Harmonic mean of the two (0 when either is missing or zero).
    pub f1: f64,
    /// Words extracted.
    pub words: usize,
    /// The reader's error code, when it refused the page.
    pub error: Option<&'static str>,
}

/// The evaluation result.
#[derive(Debug, Serialize)]
pub struct ExtractionReport {
    /// The dataset folder.
    pub dataset: String,
    /// Pages evaluated.
    pub pages: usize,
    /// Mean precision over pages with an extraction.
    pub precision: f64,
    /// Mean recall over pages with an annotation.
    pub recall: f64,
    /// Mean of the per-page F1.
    pub f1: f64,
    /// Harmonic mean of `precision` and `recall` (the benchmark leaderboard's F1).
    pub f1_of_means: f64,
    /// Pages the reader refused, by error code.
    pub refused: HashMap<&'static str, usize>,
    /// Pages read per second on one core (reading only: no file I/O or gunzip).
    pub pages_per_s: f64,
    /// Per-page figures, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<Vec<PageScore>>,
}

/// Reads every page of the dataset with [`html::read_html`] and scores the bodies;
/// with `dump`, writes each page's text (or error) to `dump/<id>.txt`.
pub fn evaluate(
    dataset: &Path,
    per_page: bool,
    dump: Option<&Path>,
) -> Result<ExtractionReport, ExtractionEvalError> {
    let truth_path = dataset.join("ground-truth.json");
    let raw = std::fs::read(&truth_path).map_err(|source| ExtractionEvalError::Read {
        path: truth_path.clone(),
        source,
    })?;
    let truth: std::collections::BTreeMap<String, Annotation> = serde_json::from_slice(&raw)
        .map_err(|source| ExtractionEvalError::GroundTruth {
            path: truth_path.clone(),
            source,
        })?;
    if truth.is_empty() {
        return Err(ExtractionEvalError::Empty(truth_path));
    }
    let mut scores = Vec::with_capacity(truth.len());
    let mut refused: HashMap<&'static str, usize> = HashMap::new();
    let mut reading = 0.0;
    for (id, annotation) in &truth {
        let bytes = load_page(&dataset.join("html"), id)?;
        let started = Instant::now();
        let result = html::read_html(&bytes);
        reading += started.elapsed().as_secs_f64();
        let (text, error) = match result {
            Ok(article) => (article.text, None),
            Err(e) => {
                *refused.entry(e.code()).or_default() += 1;
                (String::new(), Some(e.code()))
            }
        };
        if let Some(dir) = dump {
            let path = dir.join(format!("{id}.txt"));
            let body = error.map_or_else(|| text.clone(), |e| format!("error: {e}"));
            std::fs::create_dir_all(dir)
                .and_then(|()| std::fs::write(&path, body))
                .map_err(|source| ExtractionEvalError::Write { path, source })?;
        }
        let (precision, recall) = shingle_scores(&annotation.article_body, &text);
        scores.push(PageScore {
            id: id.clone(),
            url: annotation.url.clone(),
            precision,
            recall,
            f1: f1(precision.unwrap_or(0.0), recall.unwrap_or(0.0)),
            words: html::text::word_count(&text),
            error,
        });
    }
    let mean = |values: Vec<f64>| {
        if values.is_empty() {
            0.0
        } else {
            values.iter().sum::<f64>() / values.len() as f64
        }
    };
    let precision = mean(scores.iter().filter_map(|s| s.precision).collect());
    let recall = mean(scores.iter().filter_map(|s| s.recall).collect());
    Ok(ExtractionReport {
        dataset: dataset.display().to_string(),
        pages: scores.len(),
        precision,
        recall,
        f1: mean(scores.iter().map(|s| s.f1).collect()),
        f1_of_means: f1(precision, recall),
        refused,
        pages_per_s: scores.len() as f64 / reading.max(1e-9),
        per_page: per_page.then_some(scores),
    })
}

/// Shingle precision and recall of `predicted` against `truth`. Precision is `None`
/// when nothing was predicted, recall when the truth is empty; two empty texts agree
/// perfectly.
pub fn shingle_scores(truth: &str, predicted: &str) -> (Option<f64>, Option<f64>) {
    let want = shingles(truth);
    let got = shingles(predicted);
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for (shingle, &n) in &want {
        let m = got.get(shingle).copied().unwrap_or(0);
        tp += n.min(m);
        fn_ += n.saturating_sub(m);
    }
    for (shingle, &m) in &got {
        fp += m.saturating_sub(want.get(shingle).copied().unwrap_or(0));
    }
    if fp == 0 && fn_ == 0 {
        return (Some(1.0), Some(1.0));
    }
    let ratio = |a: u64, b: u64| (a + b > 0).then(|| a as f64 / (a + b) as f64);
    (ratio(tp, fp), ratio(tp, fn_))
}

/// The multiset of token 4-grams of `text`; a text of fewer than four tokens is one
/// shorter shingle.
fn shingles(text: &str) -> HashMap<Vec<&str>, u64> {
    let tokens: Vec<&str> = html::text::words(text).collect();
    let mut counts = HashMap::new();
    if tokens.is_empty() {
        return counts;
    }
    if tokens.len() < SHINGLE {
        counts.insert(tokens, 1);
        return counts;
    }
    for window in tokens.windows(SHINGLE) {
        *counts.entry(window.to_vec()).or_insert(0) += 1;
    }
    counts
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

/// The bytes of page `id`: `<id>.html.gz` gunzipped, else `<id>.html`. Bounded one
/// byte past the reader's limit, so a hostile archive cannot exhaust memory and the
/// reader still refuses it as too large.
fn load_page(dir: &Path, id: &str) -> Result<Vec<u8>, ExtractionEvalError> {
    let gz = dir.join(format!("{id}.html.gz"));
    let read_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExtractionEvalError::Read { path, source }
    };
    let limit = MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    if gz.is_file() {
        let file = std::fs::File::open(&gz).map_err(read_err(&gz))?;
        flate2::read::GzDecoder::new(file)
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(read_err(&gz))?;
    } else {
        let plain = dir.join(format!("{id}.html"));
        let file = std::fs::File::open(&plain).map_err(read_err(&plain))?;
        file.take(limit)
            .read_to_end(&mut bytes)
            .map_err(read_err(&plain))?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_score_one() {
        let t = "The quick brown fox jumps over the lazy dog.";
        assert_eq!(shingle_scores(t, t), (Some(1.0), Some(1.0)));
        assert_eq!(shingle_scores("", ""), (Some(1.0), Some(1.0)));
    }

    #[test]
    fn extra_text_lowers_precision_only() {
        let truth = "one two three four five six";
        let (p, r) = shingle_scores(truth, "one two three four five six seven eight nine");
        // 3 true shingles, 3 extra ones.
        assert_eq!(p, Some(0.5));
        assert_eq!(r, Some(1.0));
    }

    #[test]
    fn missing_text_lowers_recall_and_empty_output_has_no_precision() {
        let truth = "one two three four five six";
        let (p, r) = shingle_scores(truth, "one two three four");
        assert_eq!(p, Some(1.0));
        assert_eq!(r, Some(1.0 / 3.0));
        assert_eq!(shingle_scores(truth, ""), (None, Some(0.0)));
    }

    #[test]
    fn repeated_shingles_count_as_often_as_they_occur() {
        let (p, r) = shingle_scores("a b c d", "a b c d a b c d");
        // Predicted: abcd, bcda, cdab, dabc, abcd → one true, four false.
        assert_eq!(p, Some(0.2));
        assert_eq!(r, Some(1.0));
    }
}
