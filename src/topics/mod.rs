//! Topics of an article: a trained classifier (`classifier.rs`) shipped trained on the
//! BBC corpus's five sections, and a configurable taxonomy of weighted terms
//! (`taxonomy.rs`, `config/topics.toml`) that explains itself with the evidence it
//! matched.

pub mod classifier;
pub mod taxonomy;

use classifier::{ModelError, TopicModel};

/// The shipped classifier, trained on the BBC corpus (see `config/models/README.md`).
const BUILTIN: &[u8] = include_bytes!("../../config/models/topics-bbc.bin");

/// Loads the shipped topic classifier.
pub fn builtin_model() -> Result<TopicModel, ModelError> {
    let bytes: &'static [u8] = BUILTIN;
    let model = TopicModel::read(bytes);
    // The weights are copied out; the embedded file is not read again until the next load.
    crate::pages::release_pages(bytes);
    model
}
