//! Part-of-speech tagging for English news: a greedy left-to-right averaged
//! perceptron (Collins 2002) over hashed sparse features, trained on the
//! Penn-Treebank tags of CoNLL-2003.
//!
//! - [`Tagger`]: load a model and tag a sentence of CoNLL-style tokens (see
//!   [`crate::ner::conll_tokens`] for cutting a pipeline document that way);
//! - [`train`] and [`cli`]: the learner behind `newsd train pos` and the scoring behind
//!   `newsd eval pos`;
//! - [`builtin`]: the shipped model (`config/models/pos-en.bin`), built into the
//!   binary and loaded once per process.
//!
//! Files: `features.rs` (token analysis, feature keys), `model.rs` (weights, file
//! format), `table.rs` (the weights' run-time layout), `tagger.rs` (decoding), `corpus.rs` (CoNLL reader), `train.rs`, `cli.rs`.

#![warn(missing_docs)]

pub mod cli;
pub mod corpus;
pub mod features;
pub mod model;
pub mod table;
pub mod tagger;
pub mod train;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

pub use model::PosModel;
pub use tagger::Tagger;

/// Why loading a model, reading a corpus or training failed.
#[derive(Debug, thiserror::Error)]
pub enum PosError {
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
    #[error("POS model: {0}")]
    Model(String),
}

impl PosError {
    /// An I/O error on `path`.
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PosError + '_ {
        move |source| PosError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The shipped model's bytes.
const BUILTIN: &[u8] = include_bytes!("../../config/models/pos-en.bin");

/// The shipped tagger, loaded once per process however often pipelines are built.
pub fn builtin() -> Result<Arc<Tagger>, String> {
    static CELL: OnceLock<Result<Arc<Tagger>, String>> = OnceLock::new();
    CELL.get_or_init(|| {
        let bytes: &'static [u8] = BUILTIN;
        let tagger = Tagger::from_bytes(bytes)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        // The weights now live in the tagger's own tables.
        crate::pages::release_pages(bytes);
        tagger
    })
    .clone()
}
