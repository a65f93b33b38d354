//! Training the keyphrase re-ranker on labelled datasets, and cross-validating it.
//!
//! Every candidate of every document (after the config's clean and tokenize stages)
//! is a sample, labelled by stemmed exact match with a gold phrase (as in
//! [`super::keyphrases`]) and weighted by its dataset's weight, so a dataset with many
//! gold phrases per document does not drown the others.

use std::collections::HashSet;
use std::path::PathBuf;

use rust_stemmers::{Algorithm, Stemmer};
use serde::Serialize;

use super::corpus;
use super::keyphrases::{Counts, EvalError, Scores, StemmedGold, count_matches, stemmed};
use crate::document::Document;
use crate::pipeline::extract::keyphrase::{FEATURES, Ranker, choose};
use crate::pipeline::{Pipeline, PipelineConfig, StageName};

/// What [`fit_ranker`] trained on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitSummary {
    /// Each dataset with its sample weight, documents and candidates.
    pub datasets: Vec<FitDataset>,
    /// L2 penalty used.
    pub l2: f64,
}

/// One training dataset of [`fit_ranker`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FitDataset {
    /// The folder.
    pub path: PathBuf,
    /// Weight of each of its candidates in the loss.
    pub weight: f64,
    /// Documents read.
    pub documents: usize,
    /// Candidates.
    pub candidates: usize,
    /// Candidates matching a gold phrase.
    pub positives: usize,
}

/// Out-of-fold scores of one dataset from [`cross_validate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoldScores {
    /// The folder.
    pub path: PathBuf,
    /// Documents scored.
    pub documents: usize,
    /// Means of the per-document figures.
    #[serde(rename = "macro")]
    pub macro_avg: Scores,
    /// Figures of the pooled counts.
    #[serde(rename = "micro")]
    pub micro_avg: Scores,
}

/// One document ready for training: its candidates and its gold phrases.
struct Prepared {
    name: String,
    candidates: Vec<Candidate>,
    gold: Vec<Vec<String>>,
}

/// A candidate: its text, stemmed form, features and label.
struct Candidate {
    surface: String,
    stems: Vec<String>,
    x: [f64; FEATURES],
    label: bool,
}

/// Reads and prepares every document of every dataset.
fn prepare(
    datasets: &[(PathBuf, f64)],
    config: &PipelineConfig,
) -> Result<(Vec<Vec<Prepared>>, f64), EvalError> {
    let mut before = config.clone();
    before
        .stages
        .retain(|s| matches!(s, StageName::Clean | StageName::Tokenize));
    let pipeline = Pipeline::build(&before)?;
    let extractor =
        crate::pipeline::extract::keyphrases(&config.extract, Some(Ranker::untrained()))?;
    let stemmer = Stemmer::create(Algorithm::English);
    let mut out = Vec::new();
    for (dir, _) in datasets {
        let mut docs = Vec::new();
        for sample in corpus::load(dir)? {
            let forms = StemmedGold::new(&stemmer, &sample);
            let gold: Vec<Vec<String>> = forms
                .phrases
                .iter()
                .filter(|g| !g.is_empty())
                .cloned()
                .collect();
            let mut doc = Document::new(sample.title, sample.body);
            if gold.is_empty() || pipeline.run(&mut doc).is_err() {
                continue;
            }
            let set: HashSet<&Vec<String>> = gold.iter().collect();
            let candidates = extractor
                .candidates(&doc)
                .into_iter()
                .map(|(surface, x)| {
                    let stems = forms.canonical(stemmed(&stemmer, &surface));
                    let label = set.contains(&stems);
                    Candidate {
                        surface,
                        stems,
                        x,
                        label,
                    }
                })
                .collect();
            docs.push(Prepared {
                name: sample.name,
                candidates,
                gold,
            });
        }
        out.push(docs);
    }
    Ok((out, extractor.dedup_similarity()))
}

/// The weighted samples of the documents `keep` accepts (dataset index, document
/// index).
fn samples(
    data: &[Vec<Prepared>],
    datasets: &[(PathBuf, f64)],
    keep: impl Fn(usize, usize) -> bool,
) -> Vec<([f64; FEATURES], bool, f64)> {
    let mut out = Vec::new();
    for (d, (docs, (_, weight))) in data.iter().zip(datasets).enumerate() {
        for (i, doc) in docs.iter().enumerate() {
            if keep(d, i) {
                out.extend(doc.candidates.iter().map(|c| (c.x, c.label, *weight)));
            }
        }
    }
    out
}

/// Trains the re-ranker on `datasets` (folder, sample weight) with L2 penalty `l2`.
pub fn fit_ranker(
    datasets: &[(PathBuf, f64)],
    config: &PipelineConfig,
    l2: f64,
) -> Result<(Ranker, FitSummary), EvalError> {
    let (data, _) = prepare(datasets, config)?;
    let summary = FitSummary {
        datasets: data
            .iter()
            .zip(datasets)
            .map(|(docs, (path, weight))| FitDataset {
                path: path.clone(),
                weight: *weight,
                documents: docs.len(),
                candidates: docs.iter().map(|d| d.candidates.len()).sum(),
                positives: docs
                    .iter()
                    .map(|d| d.candidates.iter().filter(|c| c.label).count())
                    .sum(),
            })
            .collect(),
        l2,
    };
    let ranker = Ranker::fit(&samples(&data, datasets, |_, _| true), l2);
    Ok((ranker, summary))
}

/// K-fold cross-validation: document `i` of each dataset is in fold `i mod folds`
/// (documents sorted by name); each fold is scored (F1 at `top`, as `newsd eval
/// keyphrases` does) by a re-ranker trained on the other folds of all datasets.
pub fn cross_validate(
    datasets: &[(PathBuf, f64)],
    config: &PipelineConfig,
    l2: f64,
    folds: usize,
    top: usize,
) -> Result<Vec<FoldScores>, EvalError> {
    let folds = folds.max(2);
    let (data, dedup) = prepare(datasets, config)?;
    let mut per_doc: Vec<Vec<Counts>> = data
        .iter()
        .map(|d| vec![Counts::default(); d.len()])
        .collect();
    for fold in 0..folds {
        let ranker = Ranker::fit(&samples(&data, datasets, |_, i| i % folds != fold), l2);
        for (docs, counts) in data.iter().zip(per_doc.iter_mut()) {
            for (i, doc) in docs.iter().enumerate().filter(|(i, _)| i % folds == fold) {
                let scored: Vec<(&str, f64)> = doc
                    .candidates
                    .iter()
                    .map(|c| (c.surface.as_str(), ranker.logit(&c.x)))
                    .collect();
                let predicted: Vec<Vec<String>> = choose(&scored, top, dedup)
                    .into_iter()
                    .filter_map(|s| doc.candidates.iter().find(|c| c.surface == s))
                    .map(|c| c.stems.clone())
                    .collect();
                if let Some(slot) = counts.get_mut(i) {
                    *slot = count_matches(&predicted, &doc.gold);
                }
            }
        }
    }
    Ok(per_doc
        .iter()
        .zip(datasets)
        .map(|(counts, (path, _))| {
            let n = counts.len().max(1) as f64;
            let scores: Vec<Scores> = counts.iter().map(Counts::scores).collect();
            let mean = |f: fn(&Scores) -> f64| scores.iter().map(f).sum::<f64>() / n;
            let total = counts.iter().fold(Counts::default(), |a, c| Counts {
                matches: a.matches + c.matches,
                predicted: a.predicted + c.predicted,
                gold: a.gold + c.gold,
            });
            FoldScores {
                path: path.clone(),
                documents: counts.len(),
                macro_avg: Scores {
                    precision: mean(|s| s.precision),
                    recall: mean(|s| s.recall),
                    f1: mean(|s| s.f1),
                },
                micro_avg: total.scores(),
            }
        })
        .collect())
}

/// Writes every candidate of every document of `datasets` with its features and
/// label, one JSON object per document per line (`dataset` index, `name`, distinct
/// `gold` phrases, and `candidates` as `[stemmed text, label, features]`), for
/// studying the features outside the daemon.
pub fn export(
    datasets: &[(PathBuf, f64)],
    config: &PipelineConfig,
    out: &mut impl std::io::Write,
) -> Result<(), EvalError> {
    let (data, _) = prepare(datasets, config)?;
    for (d, docs) in data.iter().enumerate() {
        for doc in docs {
            let gold: HashSet<&Vec<String>> = doc.gold.iter().collect();
            let candidates: Vec<serde_json::Value> = doc
                .candidates
                .iter()
                .map(|c| {
                    let x: Vec<f64> = c.x.iter().map(|v| (v * 1e5).round() / 1e5).collect();
                    serde_json::json!([c.stems.join(" "), c.label, x])
                })
                .collect();
            let line = serde_json::json!({
                "dataset": d,
                "name": doc.name,
                "gold": gold.len(),
                "candidates": candidates,
            });
            writeln!(out, "{line}").map_err(|source| {
                EvalError::Corpus(super::corpus::CorpusError::Io {
                    path: PathBuf::from("-"),
                    source,
                })
            })?;
        }
    }
    Ok(())
}
