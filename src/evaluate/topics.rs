//! Training and evaluating the topic classifier on a labelled folder.
//!
//! The folder layout is the BBC corpus's: a CSV with `id,category` as its first two
//! columns (a header row, further columns ignored) and the texts in `DIR/<id>.txt`.
//! Texts go through the same decode → title → clean → tokenize path as the daemon, so
//! the figures are what users get. Cross-validation assigns folds by a hash of the
//! text, so byte-identical duplicates (the BBC corpus has ~100 pairs) always fall in
//! the same fold and never leak from training into testing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::document::Document;
use crate::input;
use crate::pipeline::{Pipeline, PipelineConfig, StageName};
use crate::topics::classifier::{Features, TopicModel, TrainOptions, features};

/// Why training or evaluation could not run.
#[derive(Debug, thiserror::Error)]
pub enum TopicEvalError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A text could not be decoded or processed.
    #[error("{path}: {message}")]
    Text {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The labels file has no usable rows.
    #[error("{0}: no `id,category` rows")]
    NoLabels(PathBuf),
    /// Building the tokenizer failed.
    #[error("pipeline: {0}")]
    Pipeline(#[from] crate::pipeline::BuildError),
    /// The model could not be written or read.
    #[error("model: {0}")]
    Model(#[from] crate::topics::classifier::ModelError),
}

/// One labelled article, tokenized.
pub struct Example {
    /// Its id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its tokenized document.
    pub doc: Document,
    /// Hash of its bytes (for fold assignment).
    pub content_hash: u64,
}

/// Reads `id,category` rows and the matching texts.
pub fn load(labels: &Path, texts: &Path) -> Result<Vec<Example>, TopicEvalError> {
    let csv = std::fs::read_to_string(labels).map_err(|source| TopicEvalError::Read {
        path: labels.to_path_buf(),
        source,
    })?;
    let cfg = PipelineConfig {
        stages: vec![StageName::Clean, StageName::Tokenize],
        ..PipelineConfig::default()
    };
    let pipeline = Pipeline::build(&cfg)?;
    let mut out = Vec::new();
    for line in csv.lines().skip(1) {
        let mut fields = line.splitn(3, ',');
        let (Some(id), Some(label)) = (fields.next(), fields.next()) else {
            continue;
        };
        let (id, label) = (id.trim(), label.trim());
        if id.is_empty() || label.is_empty() {
            continue;
        }
        let path = texts.join(format!("{id}.txt"));
        let bytes = std::fs::read(&path).map_err(|source| TopicEvalError::Read {
            path: path.clone(),
            source,
        })?;
        let text = input::decode(&bytes).map_err(|e| TopicEvalError::Text {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let (title, body) = input::split_title(&text);
        let mut doc = Document::new(title, body.to_string());
        pipeline.run(&mut doc).map_err(|e| TopicEvalError::Text {
            path: path.clone(),
            message: e.to_string(),
        })?;
        out.push(Example {
            id: id.to_string(),
            label: label.to_string(),
            doc,
            content_hash: crate::topics::classifier::content_hash(&bytes),
        });
    }
    if out.is_empty() {
        return Err(TopicEvalError::NoLabels(labels.to_path_buf()));
    }
    Ok(out)
}

/// Sorted distinct labels of the examples.
fn label_set(examples: &[Example]) -> Vec<String> {
    let mut l: Vec<String> = examples.iter().map(|e| e.label.clone()).collect();
    l.sort();
    l.dedup();
    l
}

/// Trains a model on every example.
pub fn train(examples: &[Example], opts: TrainOptions) -> TopicModel {
    let labels = label_set(examples);
    let data: Vec<(Features, usize)> = examples
        .iter()
        .map(|e| {
            let y = labels.iter().position(|l| *l == e.label).unwrap_or(0);
            (features(&e.doc, opts.bits), y)
        })
        .collect();
    TopicModel::train(labels, &data, opts)
}

/// Per-label figures.
#[derive(Debug, Serialize)]
pub struct LabelScores {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Gold examples of this label.
    pub support: usize,
}

/// The evaluation result.
#[derive(Debug, Serialize)]
pub struct TopicReport {
    /// Articles evaluated.
    pub articles: usize,
    /// Share classified correctly.
    pub accuracy: f64,
    /// Unweighted mean of the per-label F1.
    pub macro_f1: f64,
    /// Per-label figures.
    pub labels: BTreeMap<String, LabelScores>,
    /// `gold → predicted → count`.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// Folds, when cross-validated (0 for a plain evaluation).
    pub folds: usize,
}

/// Scores predictions against gold labels.
pub fn report(pairs: &[(String, String)], folds: usize) -> TopicReport {
    let mut labels: Vec<&String> = pairs.iter().flat_map(|(g, p)| [g, p]).collect();
    labels.sort();
    labels.dedup();
    let mut per = BTreeMap::new();
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (g, p) in pairs {
        *confusion
            .entry(g.clone())
            .or_default()
            .entry(p.clone())
            .or_insert(0) += 1;
    }
    let mut f1_sum = 0.0;
    for l in &labels {
        let tp = pairs.iter().filter(|(g, p)| g == *l && p == *l).count() as f64;
        let predicted = pairs.iter().filter(|(_, p)| p == *l).count() as f64;
        let support = pairs.iter().filter(|(g, _)| g == *l).count();
        let precision = if predicted > 0.0 { tp / predicted } else { 0.0 };
        let recall = if support > 0 {
            tp / support as f64
        } else {
            0.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        f1_sum += f1;
        per.insert(
            (*l).clone(),
            LabelScores {
                precision,
                recall,
                f1,
                support,
            },
        );
    }
    let correct = pairs.iter().filter(|(g, p)| g == p).count();
    TopicReport {
        articles: pairs.len(),
        accuracy: correct as f64 / pairs.len().max(1) as f64,
        macro_f1: f1_sum / labels.len().max(1) as f64,
        labels: per,
        confusion,
        folds,
    }
}

/// Evaluates a trained model on labelled examples.
pub fn evaluate(model: &TopicModel, examples: &[Example]) -> TopicReport {
    let pairs: Vec<(String, String)> = examples
        .iter()
        .map(|e| (e.label.clone(), model.predict(&e.doc).label))
        .collect();
    report(&pairs, 0)
}

/// k-fold cross-validation of training on the examples themselves.
pub fn cross_validate(examples: &[Example], k: usize, opts: TrainOptions) -> TopicReport {
    let k = k.max(2);
    let mut pairs = Vec::with_capacity(examples.len());
    for fold in 0..k {
        let in_fold = |e: &Example| (e.content_hash % k as u64) as usize == fold;
        let train_set: Vec<&Example> = examples.iter().filter(|e| !in_fold(e)).collect();
        let labels = label_set(examples);
        let data: Vec<(Features, usize)> = train_set
            .iter()
            .map(|e| {
                let y = labels.iter().position(|l| *l == e.label).unwrap_or(0);
                (features(&e.doc, opts.bits), y)
            })
            .collect();
        let model = TopicModel::train(labels, &data, opts);
        for e in examples.iter().filter(|e| in_fold(e)) {
            pairs.push((e.label.clone(), model.predict(&e.doc).label));
        }
    }
    report(&pairs, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_computes_accuracy_and_macro_f1() {
        let pairs: Vec<(String, String)> = [("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")]
            .iter()
            .map(|(g, p)| (g.to_string(), p.to_string()))
            .collect();
        let r = report(&pairs, 0);
        assert_eq!(r.accuracy, 0.75);
        // a: P 1, R 0.5, F1 2/3; b: P 2/3, R 1, F1 0.8.
        assert!((r.macro_f1 - (2.0 / 3.0 + 0.8) / 2.0).abs() < 1e-12);
        assert_eq!(r.confusion["a"]["b"], 1);
    }
}
