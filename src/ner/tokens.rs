//! CoNLL-style re-tokenisation of pipeline documents, and mapping mentions back to
//! byte spans.

use crate::document::{Document, Span};

use super::{EntityLabel, Recognizer};

/// An entity mention as a byte span of [`Document::text`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawEntityMention {
    /// Where the mention is.
    pub span: Span,
    /// Its type.
    pub label: EntityLabel,
    /// Tagger confidence, `0..=1`.
    pub confidence: f32,
}

/// Re-tokenises each sentence CoNLL-style (placeholder, replaced below).
pub fn conll_tokens(doc: &Document) -> Vec<Vec<Span>> {
    let _ = doc;
    Vec::new()
}

/// Finds the entities of a tokenised document.
pub fn find_entities(doc: &Document, recognizer: &Recognizer) -> Vec<RawEntityMention> {
    let _ = (doc, recognizer);
    Vec::new()
}
