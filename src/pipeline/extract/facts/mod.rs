//! Facts in news text: dates, quotes and amounts, found by rules over the tokens.
//!
//! Three pure functions read an already tokenized [`Document`] and return serde
//! records whose spans are byte ranges of [`Document::text`]:
//!
//! - [`find_dates`]: explicit dates ("9 May 2025", "2025-05-09", "the 1990s") and
//!   relative ones ("on Friday", "last week", "two days ago", "80th anniversary")
//!   resolved against the publication date (`dates.rs`, `relative.rs`, `tense.rs`);
//! - [`find_quotes`]: text between quotation marks, with the speaker when the text
//!   names one (`quotes.rs` pairs the marks, `speaker.rs` finds who said it,
//!   `names.rs` resolves "he" and "she");
//! - [`find_amounts`]: money, percentages and counted quantities with a normalised
//!   value (`amounts.rs`, currency tables in `currency.rs`, numbers in `numbers.rs`).
//!
//! They scan tokens rather than run regexes over the text, so all three together cost
//! a few tens of microseconds per article, and they never allocate per token. They are
//! not wired into the `extract` stage: the caller decides where the results go.

mod amounts;
mod currency;
mod dates;
mod names;
mod numbers;
mod quotes;
mod relative;
mod speaker;
mod tense;

use std::ops::Range;

pub use amounts::{Amount, AmountKind, find_amounts};
pub use dates::{DateMention, Granularity, find_dates};
pub use quotes::{Mention, Quote, Speaker, SpeakerCue, find_quotes};

use crate::document::{Document, Span, TokenKind};

/// A lower-cased ASCII copy of a short word, kept on the stack so that table lookups
/// (`match` on a `&str`) cost no allocation. Words longer than the buffer or holding
/// non-ASCII characters become the empty string, which matches no table entry: every
/// table word is short and ASCII.
#[derive(Clone, Copy)]
pub(super) struct Lower {
    buf: [u8; 24],
    len: usize,
}

impl Lower {
    /// Lower-cases `word`, or gives the empty word when it does not fit.
    pub(super) fn new(word: &str) -> Self {
        let mut buf = [0u8; 24];
        let bytes = word.as_bytes();
        if bytes.len() > buf.len() || !word.is_ascii() {
            return Self { buf, len: 0 };
        }
        for (dst, src) in buf.iter_mut().zip(bytes) {
            *dst = src.to_ascii_lowercase();
        }
        Self {
            buf,
            len: bytes.len(),
        }
    }

    /// The lower-cased word.
    pub(super) fn as_str(&self) -> &str {
        // Lower-casing ASCII keeps it ASCII, hence valid UTF-8; the fallback is never taken.
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

/// A word without its possessive ending ("Wednesday’s" → "Wednesday").
pub(super) fn strip_possessive(word: &str) -> &str {
    ["'s", "’s", "'S", "’S"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
        .filter(|stem| !stem.is_empty())
        .unwrap_or(word)
}

/// True when the word starts with an upper-case letter.
pub(super) fn is_capitalised(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// A read-only view of a document's tokens with the small queries every extractor
/// needs. Indexes past either end answer "nothing" instead of panicking, so pattern
/// code can look ahead and behind freely.
#[derive(Clone, Copy)]
pub(super) struct Toks<'a> {
    doc: &'a Document,
}

/// How many tokens either side of a token [`Toks::sentence_range`] reaches; far more
/// than a real sentence holds.
const SENTENCE_REACH: usize = 256;

impl<'a> Toks<'a> {
    pub(super) fn new(doc: &'a Document) -> Self {
        Self { doc }
    }

    pub(super) fn doc(&self) -> &'a Document {
        self.doc
    }

    pub(super) fn len(&self) -> usize {
        self.doc.tokens.len()
    }

    /// The token's text, or "" past the end.
    pub(super) fn text(&self, i: usize) -> &'a str {
        self.doc
            .tokens
            .get(i)
            .map_or("", |t| self.doc.slice(t.span))
    }

    /// The token's text lower-cased, possessive ending removed.
    pub(super) fn lower(&self, i: usize) -> Lower {
        Lower::new(strip_possessive(self.text(i)))
    }

    pub(super) fn kind(&self, i: usize) -> Option<TokenKind> {
        self.doc.tokens.get(i).map(|t| t.kind)
    }

    pub(super) fn span(&self, i: usize) -> Span {
        self.doc.tokens.get(i).map_or(Span::new(0, 0), |t| t.span)
    }

    /// Index of the token's sentence (`usize::MAX` past the end, matching nothing).
    pub(super) fn sentence(&self, i: usize) -> usize {
        self.doc.tokens.get(i).map_or(usize::MAX, |t| t.sentence)
    }

    /// True when token `i` is `word`, ignoring ASCII case.
    pub(super) fn is(&self, i: usize, word: &str) -> bool {
        self.text(i).eq_ignore_ascii_case(word)
    }

    /// True when tokens `i` and `i + 1` exist with no space between them.
    pub(super) fn glued(&self, i: usize) -> bool {
        match (self.doc.tokens.get(i), self.doc.tokens.get(i + 1)) {
            (Some(a), Some(b)) => a.span.end == b.span.start,
            _ => false,
        }
    }

    /// True when token `i` is a word made of letters only ("visit", "day").
    pub(super) fn is_alpha_word(&self, i: usize) -> bool {
        let w = self.text(i);
        !w.is_empty() && w.chars().all(char::is_alphabetic)
    }

    /// The token range of the sentence holding token `i`, cut to at most
    /// [`SENTENCE_REACH`] tokens on either side of `i`. The rules only look a few words
    /// around a token; without the cut, text with no sentence ends (one 100,000-word
    /// "sentence") made every quote, date and amount scan the whole text: quadratic.
    pub(super) fn sentence_range(&self, i: usize) -> Range<usize> {
        let tokens = &self.doc.tokens;
        let Some(s) = tokens.get(i).map(|t| t.sentence) else {
            return i..i;
        };
        let lo = i.saturating_sub(SENTENCE_REACH);
        let hi = tokens.len().min(i + SENTENCE_REACH + 1);
        let Some(window) = tokens.get(lo..hi) else {
            return i..i + 1;
        };
        // Tokens come in text order, so their sentence indices never decrease.
        let start = lo + window.partition_point(|t| t.sentence < s);
        let end = lo + window.partition_point(|t| t.sentence <= s);
        if start <= i && i < end {
            start..end
        } else {
            i..i + 1
        }
    }

    /// Index of the paragraph holding byte `pos` (the last one if past the end).
    pub(super) fn paragraph_of(&self, pos: usize) -> usize {
        self.doc.paragraphs.partition_point(|p| p.end <= pos)
    }

    /// Span from the start of token `first` to the end of token `last`.
    pub(super) fn cover(&self, first: usize, last: usize) -> Span {
        let start = self.span(first).start;
        Span::new(start, self.span(last).end.max(start))
    }
}

#[cfg(test)]
pub(super) mod testutil {
    //! Builds documents the way the pipeline does, for the unit tests of every file.

    use crate::document::Document;
    use crate::pipeline::Stage;
    use crate::pipeline::clean::{Clean, CleanConfig};
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    /// Cleans and tokenizes `text` with the default settings.
    pub(crate) fn doc(text: &str) -> Document {
        let mut doc = Document::new(None, text.to_string());
        Clean::build(&CleanConfig::default())
            .expect("default clean config builds")
            .apply(&mut doc)
            .expect("test text is not empty");
        Tokenize::build(&TokenizeConfig::default())
            .expect("default tokenize config builds")
            .apply(&mut doc)
            .expect("tokenize runs after clean");
        doc
    }
}

#[cfg(test)]
mod tests;
