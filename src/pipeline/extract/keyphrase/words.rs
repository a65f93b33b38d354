//! The words of an article as the keyphrase extractor sees them.
//!
//! Tokens of the title (when there is one) and of the body become [`Word`]s in one
//! sequence: the title is sentence 0 and body sentence `i` is sentence `i + 1` (also
//! without a title), so the headline counts as the earliest position. Each word carries a term id shared by all
//! words with the same stem (lower-cased, Snowball English), so "spill" and "spills"
//! are one term, and the flags the features need.
//!
//! - Two words joined by a hyphen with no space ("Russian-Chinese", "987-foot") are
//!   one word.
//! - A possessive ending ("Xi’s", "Alaska's") is cut off, and ends the run: no phrase
//!   crosses it.
//! - Punctuation, symbols, lone numbers and sentence ends break runs too.
//! - A word is *blocked* (it cannot be part of a candidate phrase, but still counts as
//!   context) when it is a stopword, a single character or a lone number.
//! - A lower-case word that reads as a verb or adverb, "-ed" ("raised", but not
//!   "speed") or "-ly" ("quickly", but not "family" or "supply"), may not end a
//!   phrase: "armed forces" and "deadly storm" are candidates, "prices raised" and
//!   "raised" are not.
//! - An initialism keeps its final stop ("U.S." in "U.S. forces").

use std::collections::HashMap;

use super::super::stopwords::{Stopwords, normalised};
use crate::document::{Document, TokenKind};
use crate::pipeline::tokenize::{token_kind, word_segments};

/// One word of the title or body.
#[derive(Debug, Clone, Copy)]
pub(super) struct Word {
    /// Id of the word's stem: index into [`Words::terms`].
    pub(super) term: u32,
    /// Byte range in its source text (the title or the body).
    pub(super) start: usize,
    /// End of that range.
    pub(super) end: usize,
    /// Whether the word is in the title (else in the body).
    pub(super) in_title: bool,
    /// Sentence index; 0 is the title when there is one.
    pub(super) sentence: u32,
    /// Cannot be part of a candidate phrase (see the module docs).
    pub(super) blocked: bool,
    /// Reads as a verb form or adverb ("-ed", "-ly"): may open a phrase ("armed
    /// forces", "deadly storm") but not end one, nor stand alone.
    pub(super) no_end: bool,
    /// Starts with a capital letter and does not start its sentence (body only).
    pub(super) capital: bool,
    /// Written in capitals, at least two letters ("NATO", "EU"; body only).
    pub(super) acronym: bool,
    /// Starts with a capital letter (anywhere, the title included).
    pub(super) upper: bool,
    /// No phrase joins this word to the previous one (punctuation, sentence start...).
    pub(super) run_start: bool,
    /// What the word just before says about this one (see [`Before`]).
    pub(super) before: Before,
}

/// The kind of word just before a word, in the same sentence: a hint at its part of
/// speech without a tagger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Before {
    /// A determiner or possessive ("the", "a", "his"): a noun phrase starts here.
    Determiner,
    /// A pronoun, modal, "to" or a form of "be"/"have": a verb or adjective follows.
    VerbMarker,
    /// Anything else, or nothing.
    Other,
}

/// Classifies the lower-cased word before another (see [`Before`]).
fn before_kind(previous: &str) -> Before {
    match previous {
        "the" | "a" | "an" | "this" | "that" | "these" | "those" | "his" | "her" | "its"
        | "their" | "our" | "my" | "your" | "every" | "each" | "some" | "any" | "no" => {
            Before::Determiner
        }
        "to" | "will" | "would" | "can" | "could" | "may" | "might" | "must" | "should"
        | "shall" | "did" | "does" | "do" | "he" | "she" | "they" | "we" | "i" | "you" | "it"
        | "who" | "is" | "are" | "was" | "were" | "be" | "been" | "being" | "has" | "have"
        | "had" | "not" => Before::VerbMarker,
        _ => Before::Other,
    }
}

/// A distinct stem.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Term {
    /// Whether the term is blocked (stopword, too short, verb-like).
    pub(super) blocked: bool,
    /// Whether the term is on the generic-word list (`config/lexicons/generic-en.txt`).
    pub(super) generic: bool,
}

/// Every word of an article, in order, with its distinct terms.
#[derive(Debug, Default)]
pub(super) struct Words {
    /// The words, title first.
    pub(super) words: Vec<Word>,
    /// The terms, indexed by [`Word::term`].
    pub(super) terms: Vec<Term>,
    /// Number of sentences, the title included.
    pub(super) sentences: u32,
}

/// A token as the scanner needs it.
#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    kind: TokenKind,
    sentence: u32,
}

/// Interning of lower-case forms and stems into term ids.
struct Interner<'a> {
    stopwords: &'a Stopwords,
    generic: &'a Stopwords,
    /// Lower-case form to term id (saves stemming a form twice).
    forms: HashMap<String, u32>,
    /// Stem to term id.
    stems: HashMap<String, u32>,
    lower: String,
}

impl Interner<'_> {
    /// The term of `word` (as written), created if new. Stopwords are not stemmed
    /// (they never join a phrase, so "us" and "U.S." need not meet), which saves most
    /// of the stemming.
    fn term(&mut self, word: &str, terms: &mut Vec<Term>) -> u32 {
        let key = normalised(word, &mut self.lower);
        if let Some(&id) = self.forms.get(key) {
            return id;
        }
        let key = key.to_string();
        let short = key.chars().nth(1).is_none();
        let alphabetic = key.chars().any(char::is_alphabetic);
        let stop = self.stopwords.contains(&key);
        let blocked = short || !alphabetic || stop;
        let stem = if stop {
            format!("\u{0}{key}")
        } else {
            super::stem::stem(&key)
        };
        let id = match self.stems.get(&stem) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(terms.len()).unwrap_or(u32::MAX);
                terms.push(Term {
                    blocked,
                    generic: self.generic.contains(&key),
                });
                self.stems.insert(stem, id);
                id
            }
        };
        self.forms.insert(key, id);
        id
    }
}

/// Strips a possessive "’s" / "'s" ending; says whether there was one.
fn strip_possessive(word: &str) -> (&str, bool) {
    for suffix in ["’s", "'s", "’S", "'S", "’", "'"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return (stem, true);
        }
    }
    (word, false)
}

/// Whether a lower-case word reads as a verb form or adverb in news copy: "-ed"
/// (not "-eed": "speed", "greed") or an "-ly" adverb (not "family", "supply",
/// "rally", "assembly", "Italy", "July"...). Capitalised words are never blocked.
pub(super) fn is_verb_like(word: &str) -> bool {
    let lower = |w: &str| w.bytes().all(|b| b.is_ascii_lowercase());
    if word.len() < 5 || !lower(word) {
        return false;
    }
    if word.ends_with("ed") {
        // "speed", "greed", "breed" are nouns; "agreed", "exceeded" are not.
        return !(word.ends_with("eed") && word.len() <= 5);
    }
    if let Some(stem) = word.strip_suffix("ly") {
        // "-ally" and "-ully" are adverbs ("usually", "carefully"); otherwise "-lly",
        // "-ply", "-bly", "-ily", "-oly", "-aly" endings are mostly nouns ("rally",
        // "supply", "assembly", "family", "monopoly", "anomaly").
        if word.len() >= 6 && (word.ends_with("ally") || word.ends_with("ully")) {
            return true;
        }
        return !matches!(
            stem.as_bytes().last(),
            Some(b'l' | b'p' | b'b' | b'i' | b'o' | b'a')
        );
    }
    false
}

/// Whether a punctuation token is a hyphen that may join two words.
fn is_hyphen(token: &str) -> bool {
    matches!(token, "-" | "\u{2010}" | "\u{2011}")
}

/// Builds the words of `doc` (title first).
pub(super) fn words(doc: &Document, stopwords: &Stopwords, generic: &Stopwords) -> Words {
    let mut out = Words::default();
    let mut interner = Interner {
        stopwords,
        generic,
        forms: HashMap::new(),
        stems: HashMap::new(),
        lower: String::new(),
    };
    // Sentence 0 is the title's even when there is none, so the first body sentence
    // is always 1 and position means the same with and without a title.
    let offset = 1;
    if let Some(title) = doc.title.as_deref() {
        let mut toks = Vec::new();
        word_segments(title, |i, seg| {
            if let Some(kind) = token_kind(seg) {
                toks.push(Tok {
                    start: i,
                    end: i + seg.len(),
                    kind,
                    sentence: 0,
                });
            }
        });
        scan(title, &toks, true, &mut interner, &mut out);
    }
    let toks: Vec<Tok> = doc
        .tokens
        .iter()
        .map(|t| Tok {
            start: t.span.start,
            end: t.span.end,
            kind: t.kind,
            sentence: u32::try_from(t.sentence)
                .unwrap_or(u32::MAX - 1)
                .saturating_add(offset),
        })
        .collect();
    scan(&doc.text, &toks, false, &mut interner, &mut out);
    out.sentences = out.words.last().map_or(0, |w| w.sentence.saturating_add(1));
    out
}

/// Scans the tokens of `text` into `out.words`.
fn scan(text: &str, toks: &[Tok], in_title: bool, interner: &mut Interner<'_>, out: &mut Words) {
    let mut i = 0;
    let mut run_start = true;
    let mut sentence = u32::MAX;
    let mut first_in_sentence = true;
    let mut previous = Before::Other;
    while let Some(tok) = toks.get(i) {
        if tok.sentence != sentence {
            sentence = tok.sentence;
            run_start = true;
            first_in_sentence = true;
            previous = Before::Other;
        }
        if !matches!(tok.kind, TokenKind::Word | TokenKind::Number) {
            run_start = true;
            previous = Before::Other;
            i += 1;
            continue;
        }
        // Extend over "-word" pieces glued to this one.
        let (start, mut end, mut j) = (tok.start, tok.end, i + 1);
        let mut has_letter = tok.kind == TokenKind::Word;
        while let (Some(h), Some(w)) = (toks.get(j), toks.get(j + 1)) {
            let glued = h.start == end && w.start == h.end && h.sentence == w.sentence;
            let hyphen = text.get(h.start..h.end).is_some_and(is_hyphen);
            if !(glued && hyphen && matches!(w.kind, TokenKind::Word | TokenKind::Number)) {
                break;
            }
            has_letter |= w.kind == TokenKind::Word;
            end = w.end;
            j += 2;
        }
        // An initialism's final stop ("U.S." is "U.S" then ".") belongs to it, so
        // "U.S. forces" stays one run.
        if let Some(stop) = toks.get(j)
            && stop.start == end
            && stop.sentence == tok.sentence
            && text.get(stop.start..stop.end) == Some(".")
            && text.get(start..end).is_some_and(|w| w.contains('.'))
        {
            end = stop.end;
            j += 1;
        }
        i = j;
        let raw = text.get(start..end).unwrap_or("");
        let (word, possessive) = strip_possessive(raw);
        let end = start + word.len();
        let term = interner.term(word, &mut out.terms);
        let term_blocked = out.terms.get(term as usize).is_none_or(|t| t.blocked);
        let upper_first = word.chars().next().is_some_and(char::is_uppercase);
        let letters = word.chars().filter(|c| c.is_alphabetic()).count();
        let acronym = letters >= 2 && !word.chars().any(char::is_lowercase);
        out.words.push(Word {
            term,
            start,
            end,
            in_title,
            sentence,
            blocked: term_blocked || !has_letter,
            no_end: is_verb_like(word),
            capital: !in_title && upper_first && !first_in_sentence,
            acronym: !in_title && acronym,
            upper: upper_first,
            run_start,
            before: previous,
        });
        previous = before_kind(normalised(word, &mut interner.lower));
        first_in_sentence = false;
        run_start = possessive;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verb_like_words() {
        for w in [
            "raised", "imposed", "quickly", "recently", "really", "usually",
        ] {
            assert!(is_verb_like(w), "{w}");
        }
        for w in [
            "speed", "United", "red", "family", "supply", "rally", "assembly", "monopoly", "Italy",
            "spill", "bed", "feed",
        ] {
            assert!(!is_verb_like(w), "{w}");
        }
    }

    #[test]
    fn hyphens_possessives_and_runs() {
        let mut doc = Document::new(
            Some("Oil Spill".into()),
            "Alaska’s oil spills spread. A 987-foot tanker ran aground.".into(),
        );
        crate::pipeline::tokenize::Tokenize::build(&Default::default())
            .map(|t| crate::pipeline::Stage::apply(&t, &mut doc))
            .expect("builds")
            .expect("runs");
        let w = words(&doc, &Stopwords::builtin(), &Stopwords::default());
        let text = |x: &Word| {
            let src = if x.in_title {
                doc.title.as_deref().unwrap_or("")
            } else {
                &doc.text
            };
            src[x.start..x.end].to_string()
        };
        let all: Vec<String> = w.words.iter().map(text).collect();
        assert_eq!(
            all,
            [
                "Oil", "Spill", "Alaska", "oil", "spills", "spread", "A", "987-foot", "tanker",
                "ran", "aground"
            ]
        );
        assert_eq!(w.sentences, 3);
        // "Spill" (title) and "spills" (body) share a term; "Oil" and "oil" too.
        assert_eq!(w.words[1].term, w.words[4].term);
        assert_eq!(w.words[0].term, w.words[3].term);
        // The possessive ends the run; "A" is blocked (single letter and stopword).
        assert!(w.words[3].run_start && w.words[6].blocked && !w.words[7].blocked);
        // Capitals: sentence-initial words do not count, title words never do.
        assert!(!w.words[2].capital && !w.words[0].capital);
        assert_eq!(w.words[7].sentence, 2);
    }
}
