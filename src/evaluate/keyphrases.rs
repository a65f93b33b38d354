//! `newsd eval keyphrases`: precision, recall and F1 at k of the extracted keywords.
//!
//! Every document goes through the configured pipeline (clean → tokenize → extract
//! …) with `keywords` set to k, so the figures are those of the daemon's records.
//!
//! Matching is stemmed exact match, as in the keyphrase literature: both phrases are
//! lower-cased and cut into words, each word is Porter-stemmed (Snowball English),
//! and a predicted phrase matches a gold phrase when the two word sequences are
//! equal. Cutting into words: whitespace and punctuation separate words, except
//! hyphens, which are deleted ("Grammy-winning" = "Grammywinning", since some gold
//! files strip them), and `.`, `'` and `&` inside a word ("U.S.", "AT&T"); a
//! possessive "'s" is dropped. Predicted phrases with the same stemmed form count
//! once, and so do gold phrases.
//!
//! For a document with `m` matches among `p` predictions (`p` ≤ k) and `g` gold
//! phrases: P = m/p (0 when p = 0), R = m/g, F1 = 2PR/(P+R). The report gives both
//! averages: **macro** (the mean of the per-document P, R and F1, as in the
//! literature; the headline figures) and **micro** (P, R and F1 of the summed counts).
//! Documents without gold phrases are skipped and counted.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use super::corpus::{self, CorpusError};
use crate::document::{Document, Keyword};
use crate::pipeline::{BuildError, Pipeline, PipelineConfig};

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Correct predictions over predictions.
    pub precision: f64,
    /// Correct predictions over gold phrases.
    pub recall: f64,
    /// Harmonic mean of precision and recall (macro: mean of per-document F1).
    pub f1: f64,
}

/// Extract-stage time per document, microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timing {
    /// Mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: u64,
    /// Slowest document.
    pub max_us: u64,
}

/// The result of `newsd eval keyphrases`, printed as one JSON object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyphraseReport {
    /// The dataset folder.
    pub dataset: PathBuf,
    /// Documents scored.
    pub documents: usize,
    /// Documents skipped because their key file holds no phrase.
    pub skipped_without_gold: usize,
    /// Documents a stage refused (scored with no predictions).
    pub refused: usize,
    /// k: predictions kept per document.
    pub top: usize,
    /// Macro precision at k (same as `macro.precision`).
    pub precision: f64,
    /// Macro recall at k (same as `macro.recall`).
    pub recall: f64,
    /// Macro F1 at k (same as `macro.f1`).
    pub f1: f64,
    /// Means of the per-document figures.
    #[serde(rename = "macro")]
    pub macro_avg: Scores,
    /// Figures of the counts summed over documents.
    #[serde(rename = "micro")]
    pub micro_avg: Scores,
    /// Distinct gold phrases per document, on average.
    pub gold_per_document: f64,
    /// Gold phrases (distinct, stemmed) that occur as a word sequence in the stemmed
    /// text: an upper bound for recall of any extractor.
    pub gold_present: f64,
    /// Time of the extract stage per document.
    pub extract: Timing,
}

/// Why an evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The dataset could not be read.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    /// The pipeline settings are invalid.
    #[error("pipeline: {0}")]
    Pipeline(#[from] BuildError),
    /// `top` is zero.
    #[error("--top must be at least 1")]
    ZeroTop,
    /// The predictions file could not be read.
    #[error(transparent)]
    Predictions(#[from] super::predictions::PredictionsError),
    /// `--texts` would be written into the dataset folder.
    #[error(
        "{}: write the texts outside the dataset folder (a folder holding *.jsonl is read as KPTimes)",
        path.display()
    )]
    TextsInDataset {
        /// The texts file asked for.
        path: PathBuf,
    },
    /// The predictions file has no line for a document of the dataset.
    #[error("the predictions file has no line for document {name:?}")]
    NotPredicted {
        /// The document's name.
        name: String,
    },
}

/// Match counts of one document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predictions that match a gold phrase.
    pub matches: usize,
    /// Distinct predictions.
    pub predicted: usize,
    /// Distinct gold phrases.
    pub gold: usize,
}

impl Counts {
    /// Precision, recall and F1 of these counts (0 where undefined).
    pub fn scores(&self) -> Scores {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(self.matches, self.predicted);
        let recall = ratio(self.matches, self.gold);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Scores {
            precision,
            recall,
            f1,
        }
    }
}

/// The stemmed word sequence of `phrase`, the form compared for a match (see the
/// module docs).
pub fn stemmed(stemmer: &Stemmer, phrase: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut finish = |word: &mut String| {
        let trimmed = word.trim_matches(|c: char| !c.is_alphanumeric());
        let trimmed = trimmed.strip_suffix("'s").unwrap_or(trimmed);
        if !trimmed.is_empty() {
            words.push(stemmer.stem(trimmed).into_owned());
        }
        word.clear();
    };
    for c in phrase.chars() {
        match c {
            '-' | '\u{2010}' | '\u{2011}' => {}
            '’' | '‘' => word.push('\''),
            '\'' | '.' | '&' => word.push(c),
            c if c.is_alphanumeric() => word.extend(c.to_lowercase()),
            _ => finish(&mut word),
        }
    }
    finish(&mut word);
    words
}

/// The stemmed gold phrases of a sample, with its alternative forms (KPTimes
/// synonyms): a prediction equal to an alternative counts as its phrase.
#[derive(Debug, Clone, Default)]
pub struct StemmedGold {
    /// The stemmed gold phrases, in key-file order (empty ones included).
    pub phrases: Vec<Vec<String>>,
    /// Stemmed alternative form to the index of its phrase.
    alternatives: HashMap<Vec<String>, usize>,
}

impl StemmedGold {
    /// Stems the gold phrases of `sample` and their alternatives.
    pub fn new(stemmer: &Stemmer, sample: &super::corpus::Sample) -> Self {
        let phrases: Vec<Vec<String>> = sample.gold.iter().map(|g| stemmed(stemmer, g)).collect();
        let mut alternatives = HashMap::new();
        for (i, forms) in sample.alternatives.iter().enumerate() {
            for form in forms {
                let s = stemmed(stemmer, form);
                if !s.is_empty() {
                    alternatives.entry(s).or_insert(i);
                }
            }
        }
        Self {
            phrases,
            alternatives,
        }
    }

    /// `predicted`, or the gold phrase it is an alternative form of.
    pub fn canonical(&self, predicted: Vec<String>) -> Vec<String> {
        match self.alternatives.get(&predicted) {
            Some(&i) if !self.phrases.contains(&predicted) => {
                self.phrases.get(i).cloned().unwrap_or(predicted)
            }
            _ => predicted,
        }
    }
}

/// Counts the matches of `predicted` (best first, already cut to k) against `gold`,
/// both given as stemmed word sequences.
pub fn count_matches(predicted: &[Vec<String>], gold: &[Vec<String>]) -> Counts {
    let gold: HashSet<&[String]> = gold
        .iter()
        .filter(|g| !g.is_empty())
        .map(Vec::as_slice)
        .collect();
    let mut seen: HashSet<&[String]> = HashSet::new();
    let mut counts = Counts {
        gold: gold.len(),
        ..Counts::default()
    };
    for p in predicted.iter().filter(|p| !p.is_empty()) {
        if seen.insert(p.as_slice()) {
            counts.predicted += 1;
            if gold.contains(p.as_slice()) {
                counts.matches += 1;
            }
        }
    }
    counts
}

/// Which documents of a dataset to score, by their index in name order: a fixed
/// split for choosing settings on one half and reporting the other.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Half {
    /// Every document.
    #[default]
    All,
    /// Documents 0, 2, 4, … (before skipping those without gold).
    Even,
    /// Documents 1, 3, 5, ….
    Odd,
}

impl Half {
    fn keeps(self, index: usize) -> bool {
        match self {
            Half::All => true,
            Half::Even => index.is_multiple_of(2),
            Half::Odd => !index.is_multiple_of(2),
        }
    }
}

/// Runs the pipeline of `config` over the dataset in `dir` and scores the first `top`
/// keywords of each document.
pub fn evaluate(
    dir: &Path,
    config: &PipelineConfig,
    top: usize,
) -> Result<KeyphraseReport, EvalError> {
    evaluate_with(dir, Source::Pipeline(config), top, Half::All, None)
}

/// Whose keyphrases [`evaluate_with`] scores.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The pipeline these settings build, run on each document.
    Pipeline(&'a PipelineConfig),
    /// Another system's, read from a predictions file (`super::predictions`): scored
    /// by the same documents, matching and averages as the pipeline's, so published
    /// systems can be compared under one set of rules.
    Predictions(&'a Path),
}

/// [`evaluate`] on one [`Half`] of the documents, of the pipeline or of another
/// system's predictions; with `dump`, also writes each document's predictions beside
/// its gold phrases to that file, for error analysis.
pub fn evaluate_with(
    dir: &Path,
    source: Source<'_>,
    top: usize,
    half: Half,
    dump: Option<&Path>,
) -> Result<KeyphraseReport, EvalError> {
    if top == 0 {
        return Err(EvalError::ZeroTop);
    }
    let predictor = match source {
        Source::Pipeline(config) => {
            let mut config = config.clone();
            config.extract.keywords = top;
            Predictor::Pipeline(Pipeline::build(&config)?)
        }
        Source::Predictions(path) => Predictor::File(super::predictions::read(path)?),
    };
    score(dir, &predictor, top, half, dump)
}

/// Where a document's keyphrases come from.
enum Predictor {
    /// The configured pipeline, run on the document.
    Pipeline(Pipeline),
    /// A file of another system's keyphrases, by document name.
    File(HashMap<String, Vec<String>>),
}

impl Predictor {
    /// Fills `doc.keywords`, best first. `Ok(false)` when the pipeline refused the
    /// document; an error when the file has no line for it.
    fn predict(&self, name: &str, doc: &mut Document) -> Result<bool, EvalError> {
        match self {
            Predictor::Pipeline(pipeline) => Ok(pipeline.run(doc).is_ok()),
            Predictor::File(listed) => {
                let phrases = listed.get(name).ok_or_else(|| EvalError::NotPredicted {
                    name: name.to_string(),
                })?;
                let n = phrases.len().max(1) as f64;
                doc.keywords = phrases
                    .iter()
                    .enumerate()
                    .map(|(i, text)| Keyword {
                        text: text.clone(),
                        score: 1.0 - i as f64 / n,
                    })
                    .collect();
                Ok(true)
            }
        }
    }
}

/// Writes the title and body of every document of the dataset in `dir` (those `half`
/// keeps) to `path` as JSON Lines, for another system to extract from; returns how
/// many were written.
pub fn export_texts(dir: &Path, half: Half, path: &Path) -> Result<usize, EvalError> {
    let samples = corpus::load(dir)?;
    // A `*.jsonl` file in the dataset folder would make it read as KPTimes next time.
    let folder = |p: &Path| std::fs::canonicalize(p).ok();
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if folder(parent.unwrap_or(Path::new("."))) == folder(dir) {
        return Err(EvalError::TextsInDataset {
            path: path.to_path_buf(),
        });
    }
    let kept: Vec<_> = samples
        .iter()
        .enumerate()
        .filter(|(i, _)| half.keeps(*i))
        .map(|(_, s)| s)
        .collect();
    super::predictions::write_texts(path, kept.iter().copied())?;
    Ok(kept.len())
}

/// Scores the first `top` keyphrases `predictor` gives each document of the dataset.
fn score(
    dir: &Path,
    predictor: &Predictor,
    top: usize,
    half: Half,
    dump: Option<&Path>,
) -> Result<KeyphraseReport, EvalError> {
    let stemmer = Stemmer::create(Algorithm::English);
    let samples = corpus::load(dir)?;

    let mut per_doc: Vec<Scores> = Vec::new();
    let mut total = Counts::default();
    let mut skipped = 0;
    let mut refused = 0;
    let mut present = 0usize;
    let mut times: Vec<u64> = Vec::new();
    let mut listing = String::new();
    for (index, sample) in samples.into_iter().enumerate() {
        if !half.keeps(index) {
            continue;
        }
        let forms = StemmedGold::new(&stemmer, &sample);
        let gold = forms.phrases.clone();
        if gold.iter().all(Vec::is_empty) {
            skipped += 1;
            continue;
        }
        let mut doc = Document::new(sample.title, sample.body);
        let predicted: Vec<Vec<String>> = match predictor.predict(&sample.name, &mut doc)? {
            true => doc
                .keywords
                .iter()
                .take(top)
                .map(|k| forms.canonical(stemmed(&stemmer, &k.text)))
                .collect(),
            false => {
                refused += 1;
                Vec::new()
            }
        };
        if let Some((_, us)) = doc.timings_us.iter().find(|(name, _)| *name == "extract") {
            times.push(*us);
        }
        let counts = count_matches(&predicted, &gold);
        if dump.is_some() {
            write_listing(
                &mut listing,
                &sample.name,
                &doc,
                &predicted,
                &gold,
                &sample.gold,
            );
        }
        present += gold_in_text(&stemmer, &doc, &gold);
        total.matches += counts.matches;
        total.predicted += counts.predicted;
        total.gold += counts.gold;
        per_doc.push(counts.scores());
    }

    if let Some(path) = dump {
        std::fs::write(path, listing).map_err(|source| {
            EvalError::Corpus(CorpusError::Io {
                path: path.to_path_buf(),
                source,
            })
        })?;
    }
    let n = per_doc.len().max(1) as f64;
    let mean = |f: fn(&Scores) -> f64| per_doc.iter().map(f).sum::<f64>() / n;
    let macro_avg = Scores {
        precision: mean(|s| s.precision),
        recall: mean(|s| s.recall),
        f1: mean(|s| s.f1),
    };
    times.sort_unstable();
    let extract = Timing {
        mean_us: times.iter().sum::<u64>() as f64 / times.len().max(1) as f64,
        p50_us: times.get(times.len() / 2).copied().unwrap_or(0),
        max_us: times.last().copied().unwrap_or(0),
    };
    Ok(KeyphraseReport {
        dataset: dir.to_path_buf(),
        documents: per_doc.len(),
        skipped_without_gold: skipped,
        refused,
        top,
        precision: macro_avg.precision,
        recall: macro_avg.recall,
        f1: macro_avg.f1,
        macro_avg,
        micro_avg: total.scores(),
        gold_per_document: total.gold as f64 / n,
        gold_present: present as f64 / total.gold.max(1) as f64,
        extract,
    })
}

/// One document's block of the `--dump` listing: a `## name (gold G, words W)`
/// header (distinct gold phrases, whitespace words of the body), predictions (`+` when they match) and the gold phrases
/// nothing matched.
fn write_listing(
    out: &mut String,
    name: &str,
    doc: &Document,
    predicted: &[Vec<String>],
    gold: &[Vec<String>],
    gold_text: &[String],
) {
    use std::fmt::Write as _;
    let distinct: HashSet<&Vec<String>> = gold.iter().filter(|g| !g.is_empty()).collect();
    let words = doc.text.split_whitespace().count();
    let _ = writeln!(out, "## {name} (gold {}, words {words})", distinct.len());
    for (k, p) in doc.keywords.iter().zip(predicted) {
        let hit = if gold.contains(p) { '+' } else { ' ' };
        let _ = writeln!(out, "{hit} {} ({:.3})", k.text, k.score);
    }
    for (g, text) in gold.iter().zip(gold_text) {
        if !predicted.contains(g) {
            let _ = writeln!(out, "  missed: {text}");
        }
    }
    out.push('\n');
}

/// How many distinct `gold` phrases occur as a contiguous stemmed word sequence of the
/// title or body of `doc`.
fn gold_in_text(stemmer: &Stemmer, doc: &Document, gold: &[Vec<String>]) -> usize {
    let mut text = stemmed(stemmer, doc.title.as_deref().unwrap_or(""));
    text.extend(stemmed(stemmer, &doc.text));
    let distinct: HashSet<&[String]> = gold
        .iter()
        .filter(|g| !g.is_empty())
        .map(Vec::as_slice)
        .collect();
    distinct
        .into_iter()
        .filter(|g| text.windows(g.len()).any(|w| w == *g))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem_all(stemmer: &Stemmer, phrases: &[&str]) -> Vec<Vec<String>> {
        phrases.iter().map(|p| stemmed(stemmer, p)).collect()
    }

    #[test]
    fn stemming_normalises_case_plurals_and_punctuation() {
        let s = Stemmer::create(Algorithm::English);
        assert_eq!(stemmed(&s, "Oil Spills"), stemmed(&s, "oil spill"));
        assert_eq!(stemmed(&s, "Alaska's  coast"), stemmed(&s, "alaska coast"));
        assert_eq!(stemmed(&s, "Alaska’s coast"), stemmed(&s, "alaska coast"));
        assert_eq!(stemmed(&s, "Grammy-winning"), stemmed(&s, "Grammywinning"));
        assert_eq!(stemmed(&s, "U.S. tanker"), stemmed(&s, "u.s tanker"));
        assert_eq!(stemmed(&s, "Argentina (AP)"), stemmed(&s, "Argentina AP"));
        assert_eq!(stemmed(&s, "running"), ["run"]);
        assert_ne!(stemmed(&s, "oil spill"), stemmed(&s, "spill oil"));
        assert!(stemmed(&s, " -- ").is_empty());
    }

    #[test]
    fn matches_count_once_and_need_equal_sequences() {
        let s = Stemmer::create(Algorithm::English);
        let gold = stem_all(&s, &["oil spill", "crude oil", "Oil spills", "alaska"]);
        let predicted = stem_all(
            &s,
            &[
                "oil spills",
                "Oil spill",
                "spill",
                "Alaska",
                "crude oil tanker",
            ],
        );
        let counts = count_matches(&predicted, &gold);
        // Gold: 3 distinct; predictions: 4 distinct, of which "oil spill" and "alaska" match.
        assert_eq!(
            counts,
            Counts {
                matches: 2,
                predicted: 4,
                gold: 3
            }
        );
        let scores = counts.scores();
        assert!((scores.precision - 0.5).abs() < 1e-12);
        assert!((scores.recall - 2.0 / 3.0).abs() < 1e-12);
        assert!((scores.f1 - 4.0 / 7.0).abs() < 1e-12);
    }

    #[test]
    fn empty_cases_score_zero() {
        let none = Counts {
            matches: 0,
            predicted: 0,
            gold: 4,
        };
        assert_eq!(none.scores(), Scores::default());
        let s = Stemmer::create(Algorithm::English);
        let counts = count_matches(&[], &stem_all(&s, &["x"]));
        assert_eq!(counts.scores().f1, 0.0);
    }

    /// A two-document dataset: `a` with gold phrases, `b` without.
    fn tiny_dataset() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("keys")).expect("keys");
        std::fs::create_dir_all(dir.path().join("docsutf8")).expect("docs");
        std::fs::write(dir.path().join("keys/a.key"), "oil spill\nwildlife\n").expect("key");
        std::fs::write(dir.path().join("keys/b.key"), "\n").expect("key");
        let body = "Tanker oil spill hits coast\nThe oil spill spread along the coast. \
                    Workers tried to contain the oil spill. The spill hurt wildlife.\n";
        std::fs::write(dir.path().join("docsutf8/a.txt"), body).expect("doc");
        std::fs::write(dir.path().join("docsutf8/b.txt"), body).expect("doc");
        dir
    }

    #[test]
    fn evaluates_a_tiny_dataset_through_the_pipeline() {
        let dir = tiny_dataset();
        let report = evaluate(dir.path(), &PipelineConfig::default(), 10).expect("runs");
        assert_eq!(report.documents, 1);
        assert_eq!(report.skipped_without_gold, 1);
        assert!(report.recall > 0.0, "{report:?}");
        assert!((report.gold_present - 1.0).abs() < 1e-12);
        assert_eq!(report.f1, report.macro_avg.f1);
        assert!(evaluate(dir.path(), &PipelineConfig::default(), 0).is_err());
    }

    #[test]
    fn scores_another_systems_predictions_by_the_same_rules() {
        let dir = tiny_dataset();
        // Outside the dataset: a folder with `*.jsonl` files is read as KPTimes.
        let out = tempfile::tempdir().expect("tempdir");
        let texts = out.path().join("texts.jsonl");
        assert_eq!(
            export_texts(dir.path(), Half::All, &texts).expect("texts"),
            2
        );
        assert!(matches!(
            export_texts(dir.path(), Half::All, &dir.path().join("t.jsonl")),
            Err(EvalError::TextsInDataset { .. })
        ));
        assert!(!dir.path().join("t.jsonl").exists());
        let exported = std::fs::read_to_string(&texts).expect("read");
        assert!(
            exported.contains("Tanker oil spill hits coast"),
            "{exported}"
        );

        // "Oil spills" stems to the gold "oil spill"; "coast" is wrong; the
        // repeated "wildlife" counts once.
        let predictions = out.path().join("p.jsonl");
        std::fs::write(
            &predictions,
            "{\"name\":\"a\",\"keyphrases\":[\"Oil spills\",\"coast\",\"wildlife\",\"Wildlife\",\"tanker\"]}\n\
             {\"name\":\"b\",\"keyphrases\":[]}\n",
        )
        .expect("write");
        let source = Source::Predictions(&predictions);
        let report = evaluate_with(dir.path(), source, 3, Half::All, None).expect("scores");
        assert_eq!(report.documents, 1);
        // Top 3: two of three right, both gold phrases found.
        assert!((report.precision - 2.0 / 3.0).abs() < 1e-12, "{report:?}");
        assert!((report.recall - 1.0).abs() < 1e-12, "{report:?}");
        assert!((report.f1 - 0.8).abs() < 1e-12, "{report:?}");

        std::fs::write(&predictions, "{\"name\":\"b\",\"keyphrases\":[]}\n").expect("write");
        let err = evaluate_with(dir.path(), source, 3, Half::All, None).expect_err("a has no line");
        assert!(
            matches!(err, EvalError::NotPredicted { ref name } if name == "a"),
            "{err}"
        );
    }
}
