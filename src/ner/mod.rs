//! Named-entity recognition for English news: a greedy averaged-perceptron tagger over
//! hashed sparse features (word shape, affixes, a ±2 window, gazetteers and
//! document-level evidence), trained on CoNLL-2003.
//!
//! - [`Recognizer`]: load a model and find PER, ORG, LOC and MISC mentions in a
//!   document given as sentences of CoNLL-style tokens;
//! - [`tokens`]: re-tokenise a pipeline [`crate::document::Document`] CoNLL-style and
//!   map mentions back to byte spans ([`find_entities`]);
//! - [`train`] and [`eval`]: the learner and conlleval-style scoring behind
//!   `newsd train ner` and `newsd eval ner` ([`cli`]).
//!
//! Files: `conll.rs` (corpus reader), `labels.rs` (types, BILOU/IOB), `hash.rs`,
//! `lex.rs` (token analysis), `features.rs`, `gazetteer.rs`, `model.rs` (weights, file format), `tagger.rs`
//! (decoding), `train.rs`, `eval.rs`, `tokens.rs`, `cli.rs`.

#![warn(missing_docs)]

pub mod cli;
pub mod conll;
pub mod eval;
pub mod features;
pub mod fused;
pub mod gazetteer;
pub mod hash;
pub mod labels;
pub mod lex;
pub mod model;
mod simd;
pub mod tagger;
pub mod tokens;
pub mod train;

use std::path::{Path, PathBuf};

pub use labels::EntityLabel;
pub use tokens::{RawEntityMention, conll_tokens, find_entities};

use labels::bilou_to_spans;
use model::Model;

/// Why loading a model, reading a corpus or training failed.
#[derive(Debug, thiserror::Error)]
pub enum NerError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A corpus file is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Corpus {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A model file is malformed, or training could not run.
    #[error("NER model: {0}")]
    Model(String),
}

/// One entity mention found in a document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NerMention {
    /// Index of the sentence holding it.
    pub sentence: usize,
    /// First token (index into the sentence).
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// Entity type.
    pub label: EntityLabel,
    /// How sure the tagger is, `0..=1`: the lowest calibrated probability of the
    /// mention's token tags (a chain is as strong as its weakest link).
    pub confidence: f32,
}

/// A loaded NER model, ready to tag documents. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Recognizer {
    model: Model,
    fused: fused::Fused,
}

impl Recognizer {
    /// Loads a model file (`config/models/ner-en.bin`).
    pub fn load(path: &Path) -> Result<Recognizer, NerError> {
        let bytes = std::fs::read(path).map_err(|source| NerError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// Loads a model from its bytes (for a model embedded with `include_bytes!`).
    /// The weights go straight into the run-time table in their stored form.
    pub fn from_bytes(bytes: &[u8]) -> Result<Recognizer, NerError> {
        let mut rows = Vec::new();
        let model = Model::from_bytes_with(bytes, |pass, row| rows.push((pass, *row)))?;
        let fused = fused::Fused::from_rows(&rows);
        Ok(Recognizer { model, fused })
    }

    /// Wraps a model built in memory (by training).
    pub fn from_model(model: Model) -> Recognizer {
        let fused = fused::Fused::new(&model);
        // The fused table holds every weight; keeping the per-pass copies as well
        // would double the memory for nothing.
        let model = Model {
            weights: Default::default(),
            second: Default::default(),
            ..model
        };
        Recognizer { model, fused }
    }

    /// The underlying model: gazetteer and settings (its weights live in the fused
    /// table and are left empty here).
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Finds the entities of one document, given as sentences of CoNLL-style tokens
    /// (punctuation and possessive `'s` split off, hyphenated words whole). The whole
    /// document is passed at once because a name's other mentions in it are evidence.
    pub fn recognize(&self, sentences: &[Vec<&str>]) -> Vec<NerMention> {
        let prepared = tagger::Prepared::new(&self.model, sentences);
        let decoded = self.fused.tag(&self.model, &prepared);
        let mut out = Vec::new();
        for (si, (tags, probs)) in decoded.tags.iter().zip(&decoded.probs).enumerate() {
            let mut spans = bilou_to_spans(tags);
            if let Some(lex) = prepared.lex.get(si) {
                tagger::extend_numbered_names(lex, &mut spans, &self.model.gazetteer);
            }
            for span in spans {
                let confidence = probs
                    .get(span.start..span.end)
                    .and_then(|p| p.iter().copied().reduce(f32::min))
                    .unwrap_or(0.0)
                    .clamp(0.0, 1.0);
                out.push(NerMention {
                    sentence: si,
                    start: span.start,
                    end: span.end,
                    label: span.label,
                    confidence,
                });
            }
        }
        out
    }
}
