//! Position-aware keyphrase extraction: YAKE features, position and a re-ranker.
//!
//! 1. `words.rs`: the title and body become words with stems (term ids), casing,
//!    "blocked" (stopwords, `config/lexicons/nonphrase-en.txt`) and "no end"
//!    (verb-like forms) flags; the title is sentence 0.
//! 2. `features.rs`: YAKE's term features (casing, position, frequency, relatedness
//!    to context, dispersion over sentences) and term score.
//! 3. `candidates.rs`: every n-gram of up to `max_phrase_words` unblocked words
//!    inside a run (no stopword anywhere in it, no punctuation across it), not
//!    cutting a capitalised name; the title only adds occurrences to body phrases.
//! 4. `signals.rs`: 58 features per candidate (YAKE score, length, frequency,
//!    position, casing, word shape, context, generic words, nesting).
//! 5. `model.rs`: a logistic regression over those features, with shipped weights
//!    (`config/models/keyphrase-ranker.toml`).
//! 6. `select.rs`: best first, skipping near-duplicates.
//!
//! Everything is deterministic: the same text and settings give the same keywords
//! and scores.

mod candidates;
mod features;
mod model;
mod select;
mod signals;
mod words;

pub use model::Ranker;
pub(crate) use select::choose;
pub(crate) use signals::N as FEATURES;

use rust_stemmers::{Algorithm, Stemmer};

use super::idhash::IdHashState;
use super::stopwords::Stopwords;
use crate::document::{Document, Keyword};

/// Words never in a key phrase besides the stopwords (see the file's header).
const NON_PHRASE_EN: &str = include_str!("../../../../config/lexicons/nonphrase-en.txt");

/// Generic words the re-ranker is told about (see the file's header).
const GENERIC_EN: &str = include_str!("../../../../config/lexicons/generic-en.txt");

/// The keyphrase extractor: word lists, re-ranker and settings, built once per
/// pipeline.
pub(crate) struct Keyphrases {
    stopwords: Stopwords,
    generic: Stopwords,
    stemmer: Stemmer,
    ranker: Ranker,
    ids: IdHashState,
    limit: usize,
    max_words: usize,
    dedup_similarity: f64,
}

impl Clone for Keyphrases {
    fn clone(&self) -> Self {
        // `Stemmer` is a function pointer without `Clone`; making one is free.
        Self {
            stopwords: self.stopwords.clone(),
            generic: self.generic.clone(),
            stemmer: Stemmer::create(Algorithm::English),
            ranker: self.ranker.clone(),
            ids: self.ids,
            limit: self.limit,
            max_words: self.max_words,
            dedup_similarity: self.dedup_similarity,
        }
    }
}

impl std::fmt::Debug for Keyphrases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyphrases")
            .field("limit", &self.limit)
            .field("max_words", &self.max_words)
            .field("dedup_similarity", &self.dedup_similarity)
            .finish_non_exhaustive()
    }
}

impl Keyphrases {
    /// An extractor keeping `limit` phrases of at most `max_words` words; `stopwords`
    /// gets the built-in non-phrase words added.
    pub(crate) fn new(
        mut stopwords: Stopwords,
        ranker: Ranker,
        limit: usize,
        max_words: usize,
        dedup_similarity: f64,
    ) -> Self {
        stopwords.add_list(NON_PHRASE_EN);
        let mut generic = Stopwords::default();
        generic.add_list(GENERIC_EN);
        Self {
            stopwords,
            generic,
            stemmer: Stemmer::create(Algorithm::English),
            ranker,
            ids: IdHashState::new(),
            limit,
            max_words: max_words.max(1),
            dedup_similarity,
        }
    }

    /// The keyphrases of a tokenized document, best first.
    pub(crate) fn extract(&self, doc: &Document) -> Vec<Keyword> {
        if self.limit == 0 {
            return Vec::new();
        }
        let words = words::words(doc, &self.stopwords, &self.generic, &self.stemmer);
        let feats = features::features(&words);
        let title = doc.title.as_deref().unwrap_or("");
        let cands =
            candidates::Candidates::collect(&words, title, &doc.text, self.max_words, self.ids);
        select::select(
            &words,
            &feats,
            &cands,
            &self.ranker,
            self.limit,
            self.dedup_similarity,
        )
    }

    /// The `dedup_similarity` setting.
    pub(crate) fn dedup_similarity(&self) -> f64 {
        self.dedup_similarity
    }

    /// Every candidate of a tokenized document with its feature vector, for training
    /// the re-ranker.
    pub(crate) fn candidates(&self, doc: &Document) -> Vec<(String, [f64; FEATURES])> {
        let words = words::words(doc, &self.stopwords, &self.generic, &self.stemmer);
        let feats = features::features(&words);
        let title = doc.title.as_deref().unwrap_or("");
        let cands =
            candidates::Candidates::collect(&words, title, &doc.text, self.max_words, self.ids);
        select::vectors(&words, &feats, &cands)
            .into_iter()
            .map(|(surface, x)| (surface.to_string(), x))
            .collect()
    }
}
