//! The words of an article with their part of speech, for the graph ranker.
//!
//! The body is cut into CoNLL-style tokens ([`crate::ner::conll_tokens`]), each
//! sentence is tagged by the shipped part-of-speech tagger, and every token becomes a
//! [`TWord`]: its span, its term (the Snowball English stem of its lower-cased form,
//! so "spill" and "spills" are one node) and its class. Only nouns and plain adjectives
//! (`JJ`, not `JJR`/`JJS`) that are not stopwords (also when written with a stop,
//! "Mr.") are graph words; everything else still counts for positions and
//! windows, as in PositionRank.
//!
//! The title, when there is one, comes first: it is cut at spaces with punctuation
//! peeled off the word edges (a headline has no abbreviations worth a tokenizer) and
//! tagged as a sentence of its own.

use rustc_hash::FxHashMap as HashMap;

use super::super::stopwords::{Stopwords, normalised};
use super::stem::with_stem;
use crate::document::{Document, Span};
use crate::pos::Tagger;
use crate::pos::features::TokenLex;

/// What a word can be in a key phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A noun (`NN`, `NNS`, `NNP`, `NNPS`): may end a phrase.
    Noun,
    /// An adjective (`JJ`, `JJR`, `JJS`): may open one.
    Adj,
    /// Anything else (comparative and superlative adjectives included), or a
    /// stopword: ends a phrase, never a graph node.
    Other,
}

impl Class {
    /// The class of each tag of `tagger`, by tag id.
    pub(crate) fn table(tagger: &Tagger) -> Vec<Class> {
        tagger
            .tag_names()
            .iter()
            .map(|t| match t.as_str() {
                "NN" | "NNS" | "NNP" | "NNPS" => Class::Noun,
                // Comparatives and superlatives rank rather than describe: "largest
                // tanker spill" is the topic "tanker spill" (on the even half of
                // DUC-2001, F1@10 0.313 -> 0.318 without them; odd half 0.285 -> 0.288).
                "JJ" => Class::Adj,
                _ => Class::Other,
            })
            .collect()
    }
}

/// One token of the title or body.
#[derive(Debug, Clone, Copy)]
pub(super) struct TWord {
    /// Byte span in the title (when `in_title`) or in the body.
    pub(super) span: Span,
    /// Whether the span indexes the title.
    pub(super) in_title: bool,
    /// Term id (same stem, same term).
    pub(super) term: u32,
    /// Phrase class.
    pub(super) class: Class,
    /// Sentence index (the title is sentence 0 when there is one).
    pub(super) sentence: u32,
}

/// The tagged words of an article, title first.
#[derive(Debug, Default)]
pub(super) struct Tagged {
    /// Every token, in reading order.
    pub(super) words: Vec<TWord>,
    /// Number of distinct terms.
    pub(super) terms: usize,
}

/// Cuts a title into word-like tokens: split at whitespace, then leading and trailing
/// punctuation and a possessive `'s` become tokens of their own.
fn title_tokens(title: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut offset = 0;
    for piece in title.split(char::is_whitespace) {
        let start = offset;
        offset += piece.len() + 1;
        if piece.is_empty() {
            continue;
        }
        let core_start = piece
            .char_indices()
            .find(|(_, c)| c.is_alphanumeric())
            .map_or(piece.len(), |(i, _)| i);
        let core_end = piece
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_alphanumeric())
            .map_or(core_start, |(i, c)| i + c.len_utf8());
        for (i, c) in piece[..core_start].char_indices() {
            out.push(Span::new(start + i, start + i + c.len_utf8()));
        }
        if core_end > core_start {
            let core = &piece[core_start..core_end];
            let split = ["'s", "’s"]
                .iter()
                .find_map(|p| core.strip_suffix(p).map(str::len))
                .filter(|&n| n > 0);
            match split {
                Some(n) => {
                    out.push(Span::new(start + core_start, start + core_start + n));
                    out.push(Span::new(start + core_start + n, start + core_end));
                }
                None => out.push(Span::new(start + core_start, start + core_end)),
            }
        }
        for (i, c) in piece[core_end.max(core_start)..].char_indices() {
            let at = start + core_end.max(core_start) + i;
            out.push(Span::new(at, at + c.len_utf8()));
        }
    }
    out
}

/// Tags the title and body of `doc`.
pub(super) fn tagged(
    doc: &Document,
    tagger: &Tagger,
    classes: &[Class],
    stopwords: &Stopwords,
) -> Tagged {
    let mut out = Tagged::default();
    let mut ids: HashMap<String, u32> =
        HashMap::with_capacity_and_hasher(doc.tokens.len() / 2, Default::default());
    // Normalised word → its term and whether it may be a phrase word.
    let mut seen: HashMap<String, (u32, bool)> =
        HashMap::with_capacity_and_hasher(doc.tokens.len() / 2, Default::default());
    let mut lex: Vec<TokenLex> = Vec::new();
    let mut tags: Vec<u8> = Vec::new();
    let mut buf = String::new();
    let mut sentence = 0u32;
    let title = doc.title.as_deref().unwrap_or("");
    let mut sentences: Vec<(bool, Vec<Span>)> = Vec::with_capacity(doc.sentences.len() + 1);
    if !title.trim().is_empty() {
        sentences.push((true, title_tokens(title)));
    }
    sentences.extend(
        crate::ner::conll_tokens(doc)
            .into_iter()
            .map(|s| (false, s)),
    );
    for (in_title, spans) in sentences {
        if spans.is_empty() {
            continue;
        }
        let source = if in_title { title } else { doc.text.as_str() };
        let text = |s: &Span| source.get(s.start..s.end).unwrap_or("");
        lex.clear();
        lex.extend(spans.iter().map(|s| TokenLex::new(text(s))));
        tagger.tag_lex(&lex, &mut tags);
        for (span, tag) in spans.iter().zip(&tags) {
            let word = text(span);
            let norm = normalised(word, &mut buf);
            // Most tokens repeat a word already seen: its term and whether it can be in
            // a phrase are looked up instead of stemmed and checked again.
            let (term, phrase_word) = match seen.get(norm) {
                Some(&known) => known,
                None => {
                    // "Mr." is the stopword "mr" with its stop: a title, not part of a name.
                    let phrase_word = !(stopwords.contains(norm)
                        || stopwords.contains(norm.trim_end_matches('.'))
                        || !norm.chars().any(char::is_alphabetic));
                    let term = with_stem(norm, |stem| match ids.get(stem) {
                        Some(&t) => t,
                        None => {
                            let next = ids.len() as u32;
                            ids.insert(stem.to_string(), next);
                            next
                        }
                    });
                    seen.insert(norm.to_string(), (term, phrase_word));
                    (term, phrase_word)
                }
            };
            let class = match classes.get(usize::from(*tag)) {
                Some(&c) if phrase_word => c,
                _ => Class::Other,
            };
            out.words.push(TWord {
                span: *span,
                in_title,
                term,
                class,
                sentence,
            });
        }
        sentence += 1;
    }
    out.terms = ids.len();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_tokens_peel_punctuation_and_possessives() {
        let title = "Alaska's \"Oil Spill\" Hits Coast, Again";
        let got: Vec<&str> = title_tokens(title)
            .iter()
            .map(|s| &title[s.start..s.end])
            .collect();
        assert_eq!(
            got,
            [
                "Alaska", "'s", "\"", "Oil", "Spill", "\"", "Hits", "Coast", ",", "Again"
            ]
        );
        assert!(title_tokens("  ").is_empty());
        assert_eq!(title_tokens("--").len(), 2);
    }
}
