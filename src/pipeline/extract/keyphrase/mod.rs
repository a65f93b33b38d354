//! Keyphrase extraction, two ways (`[pipeline.extract] keyphrase_method`).
//!
//! **PositionRank** (the default; Florescu & Caragea 2017):
//!
//! 1. `tagged.rs`: title and body as CoNLL-style tokens tagged by the shipped
//!    part-of-speech tagger ([`crate::pos`]); nouns and adjectives that are not
//!    stopwords are graph words; terms are stems.
//! 2. `graph.rs`: a PageRank over the co-occurrence graph of graph words (window of
//!    14 tokens), biased towards early and frequent words.
//! 3. `phrases.rs`: candidates are maximal `JJ* NN+` runs of at most
//!    `max_phrase_words` words, scored by the sum of their words' scores; best first
//!    without near-duplicates (`select.rs`). An article with fewer noun phrases than
//!    `keywords` is topped up with the re-ranker's choices.
//!
//! **Ranker** (YAKE features and a re-ranker trained on 500N-KPCrowd):
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
//! Both stem with `stem.rs`: Snowball English, remembered per worker thread.
//!
//! Everything is deterministic: the same text and settings give the same keywords
//! and scores.

mod candidates;
mod features;
mod graph;
mod model;
mod phrases;
mod select;
mod signals;
mod stem;
mod tagged;
mod words;

use graph::GraphConfig;
use tagged::Class;

/// How key phrases are chosen (`[pipeline.extract] keyphrase_method`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Noun phrases (`JJ* NN+`, from the part-of-speech tagger) scored by
    /// PositionRank: two- and three-word topics such as "illegal aliens".
    #[default]
    PositionRank,
    /// Every n-gram of unblocked words scored by the re-ranker trained on
    /// 500N-KPCrowd: mostly single words, as its crowd annotators chose.
    Ranker,
}

pub use model::Ranker;
pub(crate) use select::choose;
pub(crate) use signals::N as FEATURES;

use std::sync::Arc;

use super::idhash::IdHashState;
use super::stopwords::Stopwords;
use crate::document::{Document, Keyword};
use crate::pos::Tagger;

/// Words never in a key phrase besides the stopwords (see the file's header).
const NON_PHRASE_EN: &str = include_str!("../../../../config/lexicons/nonphrase-en.txt");

/// Generic words the re-ranker is told about (see the file's header).
const GENERIC_EN: &str = include_str!("../../../../config/lexicons/generic-en.txt");

/// The keyphrase extractor: word lists, re-ranker and settings, built once per
/// pipeline.
#[derive(Clone)]
pub(crate) struct Keyphrases {
    stopwords: Stopwords,
    generic: Stopwords,
    ranker: Ranker,
    tagger: Arc<Tagger>,
    classes: Vec<Class>,
    graph: GraphConfig,
    method: Method,
    ids: IdHashState,
    limit: usize,
    max_words: usize,
    dedup_similarity: f64,
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
        tagger: Arc<Tagger>,
        method: Method,
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
            ranker,
            classes: Class::table(&tagger),
            tagger,
            graph: GraphConfig::default(),
            method,
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
        match self.method {
            Method::Ranker => self.ranked(doc, self.limit),
            Method::PositionRank => {
                let mut out = self.noun_phrases(doc);
                if out.len() < self.limit {
                    self.fill(doc, &mut out);
                }
                out
            }
        }
    }

    /// The re-ranker's best `limit` candidates.
    fn ranked(&self, doc: &Document, limit: usize) -> Vec<Keyword> {
        let words = words::words(doc, &self.stopwords, &self.generic);
        let feats = features::features(&words);
        let title = doc.title.as_deref().unwrap_or("");
        let cands =
            candidates::Candidates::collect(&words, title, &doc.text, self.max_words, self.ids);
        select::select(
            &words,
            &feats,
            &cands,
            &self.ranker,
            limit,
            self.dedup_similarity,
        )
    }

    /// Tops up a short noun-phrase list (a headline-only article has two or three
    /// noun phrases) with the re-ranker's choices, below the last phrase's score.
    fn fill(&self, doc: &Document, out: &mut Vec<Keyword>) {
        let lowest = out.last().map_or(1.0, |k| k.score);
        let mut keys: Vec<String> = out.iter().map(|k| self.stem_key(&k.text)).collect();
        for kw in self.ranked(doc, self.limit) {
            if out.len() >= self.limit {
                break;
            }
            let key = self.stem_key(&kw.text);
            if !keys.contains(&key) {
                keys.push(key);
                out.push(Keyword {
                    text: kw.text,
                    score: lowest * kw.score,
                });
            }
        }
    }

    /// The stems of a phrase's words, lower-cased: one key for "oil spills" and
    /// "Oil spill".
    fn stem_key(&self, text: &str) -> String {
        text.split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| !w.is_empty())
            .map(|w| stem::stem(&w.to_lowercase()))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Noun-phrase candidates scored by PositionRank, best first, without
    /// near-duplicates; a phrase's score is over the best one's.
    fn noun_phrases(&self, doc: &Document) -> Vec<Keyword> {
        let tagged = tagged::tagged(doc, &self.tagger, &self.classes, &self.stopwords);
        let scores = graph::rank(&tagged.words, tagged.terms, self.graph);
        let title = doc.title.as_deref().unwrap_or("");
        let text_of = |a: usize, b: usize| -> &str {
            let (Some(first), Some(last)) =
                (tagged.words.get(a), tagged.words.get(b.wrapping_sub(1)))
            else {
                return "";
            };
            let source = if first.in_title {
                title
            } else {
                doc.text.as_str()
            };
            source.get(first.span.start..last.span.end).unwrap_or("")
        };
        let cands = phrases::candidates(&tagged.words, self.max_words, |a, b| {
            text_of(a.0, a.1) == text_of(b.0, b.1)
        });
        let scored: Vec<(String, f64)> = cands
            .iter()
            .map(|p| {
                let (a, b) = p.form(&tagged.words);
                let score: f64 = p
                    .terms
                    .iter()
                    .map(|t| scores.get(*t as usize).copied().unwrap_or(0.0))
                    .sum();
                let text = text_of(a, b)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                (text, score)
            })
            .filter(|(t, s)| !t.is_empty() && s.is_finite())
            .collect();
        let refs: Vec<(&str, f64)> = scored.iter().map(|(t, s)| (t.as_str(), *s)).collect();
        let chosen = select::choose(&refs, self.limit, self.dedup_similarity);
        let best = refs.iter().map(|r| r.1).fold(f64::MIN_POSITIVE, f64::max);
        chosen
            .into_iter()
            .map(|text| Keyword {
                text: text.to_string(),
                score: refs
                    .iter()
                    .find(|r| r.0 == text)
                    .map_or(0.0, |r| (r.1 / best).clamp(0.0, 1.0)),
            })
            .collect()
    }

    /// The `dedup_similarity` setting.
    pub(crate) fn dedup_similarity(&self) -> f64 {
        self.dedup_similarity
    }

    /// Every candidate of a tokenized document with its feature vector, for training
    /// the re-ranker.
    pub(crate) fn candidates(&self, doc: &Document) -> Vec<(String, [f64; FEATURES])> {
        let words = words::words(doc, &self.stopwords, &self.generic);
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
