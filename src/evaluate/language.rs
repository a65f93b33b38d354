//! `newsd eval language --dataset DIR`: language identification against labelled files.
//!
//! The dataset folder holds `index.csv` (a header row, then `file,lang,...`: a path
//! relative to the folder and its ISO 639-1 code) and the files it names. Each file
//! goes through the daemon's own reading (`formats::parse`, so format and charset
//! detection are part of what is measured) and the same detection the records get
//! ([`crate::lang::detect_article`]). A file that cannot be read, or whose language is
//! not detected, counts as wrong, under the detected code `none`. With `max_chars`,
//! only the first that many characters of each article (title, newline, body) are
//! given to the detector: how the detector fares on short items such as headlines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::formats::{self, FormatsConfig, Item};

/// Why the evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum LanguageEvalError {
    /// The index or a file it names could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A row of the index lacks the file or the language.
    #[error("{path}: line {line}: expected `file,lang,...`")]
    Index {
        /// The index file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// The index lists no file.
    #[error("{0}: no files listed")]
    Empty(PathBuf),
}

/// Figures for one language of the dataset.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LanguageScore {
    /// Articles labelled with this language.
    pub articles: usize,
    /// Of those, detected as this language.
    pub correct: usize,
    /// `correct / articles`.
    pub accuracy: f64,
    /// Mean detector confidence over the articles labelled with this language.
    pub mean_confidence: f64,
}

/// How often one language was taken for another.
#[derive(Debug, Clone, Serialize)]
pub struct Confusion {
    /// The label.
    pub expected: String,
    /// What was detected (`none` when nothing was).
    pub detected: String,
    /// How many articles.
    pub count: usize,
}

/// One wrongly detected file, for inspection.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// Path relative to the dataset folder.
    pub file: String,
    /// The label.
    pub expected: String,
    /// What was detected (`none` when nothing was).
    pub detected: String,
    /// Detector confidence (0 when nothing was detected).
    pub confidence: f64,
    /// Why nothing was detected, when the file could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The evaluation result.
#[derive(Debug, Serialize)]
pub struct LanguageReport {
    /// The dataset folder.
    pub dataset: String,
    /// Characters of each article the detector saw, when limited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<usize>,
    /// Files listed in the index.
    pub files: usize,
    /// Articles scored (a batch file can hold several; an unreadable file counts once).
    pub articles: usize,
    /// Articles whose detected language is the label.
    pub correct: usize,
    /// `correct / articles`.
    pub accuracy: f64,
    /// Mean of the per-language accuracies.
    pub macro_accuracy: f64,
    /// Per label.
    pub per_language: BTreeMap<String, LanguageScore>,
    /// Label → detected pairs that differ, most frequent first.
    pub confusions: Vec<Confusion>,
    /// Every wrongly detected file.
    pub misses: Vec<Miss>,
    /// Files read and detected per second (one core).
    pub files_per_s: f64,
}

/// One labelled row of `index.csv`.
struct Row {
    file: String,
    lang: String,
}

/// Reads `index.csv`: the first two comma-separated fields of each row after the
/// header (the index's paths and codes hold no commas or quotes).
fn read_index(path: &Path) -> Result<Vec<Row>, LanguageEvalError> {
    let raw = std::fs::read_to_string(path).map_err(|source| LanguageEvalError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows = Vec::new();
    for (n, line) in raw
        .trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .skip(1)
    {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split(',').map(|f| f.trim().trim_matches('"'));
        match (fields.next(), fields.next()) {
            (Some(file), Some(lang)) if !file.is_empty() && !lang.is_empty() => rows.push(Row {
                file: file.to_string(),
                lang: lang.to_ascii_lowercase(),
            }),
            _ => {
                return Err(LanguageEvalError::Index {
                    path: path.to_path_buf(),
                    line: n + 1,
                });
            }
        }
    }
    if rows.is_empty() {
        return Err(LanguageEvalError::Empty(path.to_path_buf()));
    }
    Ok(rows)
}

/// Detection result of one article: the code and confidence, or why there is none.
type Detection = (Option<(String, f64)>, Option<String>);

/// The detected language of each article of one input, or why it has none.
fn detect_file(
    bytes: &[u8],
    name: &str,
    cfg: &FormatsConfig,
    max_chars: Option<usize>,
) -> Vec<Detection> {
    let detect = |title: Option<&str>, text: &str| match max_chars {
        None => crate::lang::detect_article(title, text),
        Some(n) => {
            let sample = match title {
                Some(t) => format!("{t}\n{text}"),
                None => text.to_string(),
            };
            let end = sample
                .char_indices()
                .nth(n)
                .map_or(sample.len(), |(i, _)| i);
            crate::lang::detect(sample.get(..end).unwrap_or(&sample))
        }
    };
    match formats::parse(bytes, name, cfg) {
        Ok(parsed) => parsed
            .items
            .into_iter()
            .map(|item| match item {
                Item::Article(a) => (
                    detect(a.title.as_deref(), &a.text).map(|l| (l.code, l.confidence)),
                    None,
                ),
                Item::Bad { error, .. } => (None, Some(error.to_string())),
            })
            .collect(),
        Err(e) => vec![(None, Some(e.to_string()))],
    }
}

/// Reads and detects every file the dataset's index lists; `max_chars` limits what
/// the detector sees of each article (`None`: what records get).
pub fn evaluate(
    dataset: &Path,
    cfg: &FormatsConfig,
    max_chars: Option<usize>,
) -> Result<LanguageReport, LanguageEvalError> {
    let rows = read_index(&dataset.join("index.csv"))?;
    let started = Instant::now();
    let mut per_language: BTreeMap<String, LanguageScore> = BTreeMap::new();
    let mut confidence_sum: BTreeMap<String, f64> = BTreeMap::new();
    let mut pairs: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut misses = Vec::new();
    let (mut articles, mut correct) = (0usize, 0usize);
    for row in &rows {
        let path = dataset.join(&row.file);
        let bytes = std::fs::read(&path).map_err(|source| LanguageEvalError::Read {
            path: path.clone(),
            source,
        })?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for (detected, error) in detect_file(&bytes, &name, cfg, max_chars) {
            let (code, confidence) = detected.unwrap_or_else(|| ("none".to_string(), 0.0));
            articles += 1;
            let score = per_language.entry(row.lang.clone()).or_default();
            score.articles += 1;
            *confidence_sum.entry(row.lang.clone()).or_default() += confidence;
            if code == row.lang {
                score.correct += 1;
                correct += 1;
            } else {
                *pairs.entry((row.lang.clone(), code.clone())).or_default() += 1;
                misses.push(Miss {
                    file: row.file.clone(),
                    expected: row.lang.clone(),
                    detected: code,
                    confidence,
                    error,
                });
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    for (lang, score) in per_language.iter_mut() {
        let n = score.articles.max(1) as f64;
        score.accuracy = score.correct as f64 / n;
        score.mean_confidence = confidence_sum.get(lang).copied().unwrap_or(0.0) / n;
    }
    let mut confusions: Vec<Confusion> = pairs
        .into_iter()
        .map(|((expected, detected), count)| Confusion {
            expected,
            detected,
            count,
        })
        .collect();
    confusions.sort_by_key(|c| std::cmp::Reverse(c.count));
    let macro_accuracy =
        per_language.values().map(|s| s.accuracy).sum::<f64>() / per_language.len().max(1) as f64;
    Ok(LanguageReport {
        dataset: dataset.display().to_string(),
        max_chars,
        files: rows.len(),
        articles,
        correct,
        accuracy: correct as f64 / articles.max(1) as f64,
        macro_accuracy,
        per_language,
        confusions,
        misses,
        files_per_s: rows.len() as f64 / seconds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_labelled_folder_is_scored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("index.csv"),
            "file,lang,source\nen.txt,en,x\nde.txt,de,y\nbad.json,fr,z\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("en.txt"),
            "The government said on Monday that talks with the unions would resume next week.",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("de.txt"),
            "Die Regierung teilte am Montag mit, dass die Gespräche mit den Gewerkschaften nächste Woche weitergehen.",
        )
        .unwrap();
        std::fs::write(dir.path().join("bad.json"), "not json").unwrap();
        let r = evaluate(dir.path(), &FormatsConfig::default(), None).unwrap();
        assert_eq!((r.files, r.articles, r.correct), (3, 3, 2));
        assert_eq!(r.per_language["de"].correct, 1);
        assert_eq!(r.confusions[0].expected, "fr");
        assert_eq!(r.confusions[0].detected, "none");
        assert!(r.misses[0].error.is_some());
        let short = evaluate(dir.path(), &FormatsConfig::default(), Some(12)).unwrap();
        assert_eq!(short.max_chars, Some(12));
        assert_eq!(short.articles, 3);
    }

    #[test]
    fn a_missing_index_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = evaluate(dir.path(), &FormatsConfig::default(), None).unwrap_err();
        assert!(err.to_string().contains("index.csv"), "{err}");
    }
}
