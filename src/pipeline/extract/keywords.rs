//! Keyword extraction: RAKE phrase scores weighted by frequency and position.
//!
//! Candidates are maximal runs of content words inside one sentence: Word tokens of at
//! least two characters that are not stopwords nor lower-case "-ed" verb forms
//! ("raised", "imposed"; see [`is_past_form`]). A run is broken by a stopword, any
//! punctuation, number or symbol token, and the sentence end; a hyphen joining two
//! words with no space ("Russian-Chinese") does not break it. A possessive ending
//! ("Xi’s", "Russia's") is stripped from its word and ends the run, so "Russia’s
//! energy exports" gives "Russia" and "energy exports". Runs longer than
//! `max_phrase_words` are cut into consecutive pieces of that length. Words and
//! phrases are compared by their lower-case form.
//!
//! Every contiguous sub-phrase of a piece is a candidate and counts one occurrence
//! ("multipolar world order" and "post-war world order" give "world order" twice, and
//! "Russian President Vladimir Putin" counts as a mention of "Putin").
//!
//! Scoring, for a candidate `p` of `n` words seen `c` times:
//!
//! - RAKE (Rose et al. 2010): each word `w` has `deg(w)` = sum of the lengths of the
//!   pieces containing it and `freq(w)` = the number of those pieces, and word score
//!   `deg(w) / freq(w)`; `rake(p)` = Σ over the words of `p` of their word scores,
//!   each capped at `n`. Words that stick together in longer phrases thus lift those
//!   phrases, while a word alone always scores 1 (the cap stops "President", found
//!   only inside "Russian President Vladimir Putin", from borrowing that phrase's
//!   degree).
//! - Position-weighted frequency: `F(p)` = Σ over occurrences of `1 + 1/(1 + s)`,
//!   where `s` is the sentence index, so the lead counts about twice as much as the
//!   tail. Each sub-phrase of a title run that also occurs in the body adds 2 to `F`
//!   (the title is evidence only: it creates no new candidates).
//! - Damping: a candidate of two or more words seen only once is divided by `n²`. Its
//!   RAKE score is at most `n²`, so a one-off phrase weighs no more than one mention
//!   of a single word, and one-off strings such as "significant diplomatic boost" do
//!   not crowd out recurring names.
//!
//! `score(p) = F(p) · rake(p) · damping(p)`. Candidates are taken best first (ties
//! broken by the reported text, so output is deterministic); of two seen equally often
//! where one contains the other, only the longer is kept (see `rank.rs`). Scores are
//! normalised so the best is 1. The reported text is the most frequent surface form
//! (the first seen on a tie), inner whitespace collapsed.

use std::collections::HashMap;

use super::idhash::IdHashState;
use super::stopwords::{Stopwords, normalised};
use crate::document::{Document, Keyword, TokenKind};
use crate::pipeline::tokenize::{token_kind, word_segments};

/// Extra weight of a phrase occurrence in the title.
const TITLE_WEIGHT: f64 = 2.0;

/// "No form" / "no phrase" marker in the linked lists and the phrase tree.
const NONE: u32 = u32::MAX;

/// Most distinct written forms kept per phrase; later new forms are not tracked, so a
/// word written in thousands of casings cannot make form lookup quadratic.
const MAX_FORMS: u32 = 8;

/// A content word in the current run: its term id and byte range in its source.
#[derive(Debug, Clone, Copy)]
struct RunWord {
    term: u32,
    start: usize,
    end: usize,
}

/// RAKE counts of one word.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TermStats {
    pub(super) freq: u32,
    pub(super) degree: u32,
}

/// A distinct way a phrase is written, and how often; `next` links the phrase's forms.
#[derive(Debug, Clone, Copy)]
struct Form {
    start: usize,
    end: usize,
    count: u32,
    next: u32,
}

/// One candidate phrase: a node of the phrase tree (its last word below the phrase
/// of its other words), with its counts and the head of its list of forms.
#[derive(Debug, Clone, Copy)]
pub(super) struct Phrase {
    parent: u32,
    term: u32,
    pub(super) words: u32,
    pub(super) count: u32,
    pub(super) weight: f64,
    first_form: u32,
    forms: u32,
}

/// Accumulates candidates over the body (and then the title).
pub(super) struct Collector<'a> {
    stopwords: &'a Stopwords,
    max_words: usize,
    body: &'a str,
    terms: HashMap<Box<str>, u32>,
    pub(super) term_stats: Vec<TermStats>,
    tree: HashMap<u64, u32, IdHashState>,
    pub(super) phrases: Vec<Phrase>,
    forms: Vec<Form>,
    run: Vec<RunWord>,
    lower: String,
}

/// Strips a possessive "’s" / "'s" ending; says whether there was one.
fn strip_possessive(word: &str) -> (&str, bool) {
    for suffix in ["’s", "'s", "’S", "'S"] {
        if let Some(stem) = word.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return (stem, true);
        }
    }
    (word, false)
}

/// Whether `word` is a lower-case word ending in "-ed" (but not "-eed": "speed",
/// "greed"), which in news copy is nearly always a verb or participle ("raised",
/// "imposed") and makes a poor keyword. Such words break runs like stopwords.
fn is_past_form(word: &str) -> bool {
    word.len() >= 5
        && word.ends_with("ed")
        && !word.ends_with("eed")
        && word.bytes().all(|b| b.is_ascii_lowercase())
}

/// Whether a punctuation token is a hyphen that may join two words of a phrase.
fn is_hyphen(token: &str) -> bool {
    matches!(token, "-" | "\u{2010}" | "\u{2011}")
}

impl<'a> Collector<'a> {
    fn new(stopwords: &'a Stopwords, max_words: usize, body: &'a str, ids: IdHashState) -> Self {
        Self {
            stopwords,
            max_words: max_words.max(1),
            body,
            terms: HashMap::new(),
            term_stats: Vec::new(),
            tree: HashMap::with_hasher(ids),
            phrases: Vec::new(),
            forms: Vec::new(),
            run: Vec::new(),
            lower: String::new(),
        }
    }

    /// Feeds tokens `(start, end, kind, sentence)` of `source`, calling `flush` with
    /// each finished run and the sentence it came from.
    fn scan(
        &mut self,
        text: &str,
        tokens: impl Iterator<Item = (usize, usize, TokenKind, usize)>,
        flush: &mut dyn FnMut(&mut Self, usize),
    ) {
        let mut sentence = usize::MAX;
        let mut hyphen_end: Option<usize> = None;
        for (start, end, kind, sent) in tokens {
            if sent != sentence {
                flush(self, sentence);
                hyphen_end = None;
                sentence = sent;
            }
            let token = text.get(start..end).unwrap_or("");
            match kind {
                TokenKind::Word => {
                    let (word, possessive) = strip_possessive(token);
                    // A hyphen not followed directly by this word ends the run.
                    if hyphen_end.take().is_some_and(|h| h != start) {
                        flush(self, sentence);
                    }
                    let short = word.chars().nth(1).is_none();
                    let key = normalised(word, &mut self.lower);
                    if short || self.stopwords.contains(key) || is_past_form(token) {
                        flush(self, sentence);
                        continue;
                    }
                    let term = match self.terms.get(key) {
                        Some(id) => *id,
                        None => {
                            let id = u32::try_from(self.term_stats.len()).unwrap_or(u32::MAX);
                            self.terms.insert(key.into(), id);
                            self.term_stats.push(TermStats::default());
                            id
                        }
                    };
                    self.run.push(RunWord {
                        term,
                        start,
                        end: start + word.len(),
                    });
                    if possessive {
                        flush(self, sentence);
                    }
                }
                TokenKind::Punct
                    if is_hyphen(token)
                        && hyphen_end.is_none()
                        && self.run.last().is_some_and(|w| w.end == start) =>
                {
                    hyphen_end = Some(end);
                }
                _ => {
                    hyphen_end = None;
                    flush(self, sentence);
                }
            }
        }
        flush(self, sentence);
    }

    /// Records the current body run (cut into pieces) as occurrences in sentence `s`.
    fn flush_body(&mut self, sentence: usize) {
        let run = std::mem::take(&mut self.run);
        let weight = 1.0 + 1.0 / (1.0 + sentence as f64);
        for piece in run.chunks(self.max_words) {
            self.record(piece, weight);
        }
        self.run = run;
        self.run.clear();
    }

    /// Credits every sub-phrase of the current title run that the body already has.
    fn flush_title(&mut self) {
        for i in 0..self.run.len() {
            let mut node = NONE;
            for word in self.run.iter().skip(i).take(self.max_words) {
                match self.tree.get(&tree_key(node, word.term)) {
                    Some(&child) => node = child,
                    None => break,
                }
                if let Some(phrase) = self.phrases.get_mut(node as usize) {
                    phrase.weight += TITLE_WEIGHT;
                }
            }
        }
        self.run.clear();
    }

    /// Adds one run piece (a chunk of at most `max_words` words) seen with position
    /// weight `weight`: RAKE counts for its words, and one occurrence of each of its
    /// contiguous sub-phrases (the piece itself included).
    fn record(&mut self, piece: &[RunWord], weight: f64) {
        let degree = u32::try_from(piece.len()).unwrap_or(u32::MAX);
        for word in piece {
            if let Some(stats) = self.term_stats.get_mut(word.term as usize) {
                stats.freq += 1;
                stats.degree += degree;
            }
        }
        for (i, first) in piece.iter().enumerate() {
            let mut node = NONE;
            for (words, last) in (1u32..).zip(&piece[i..]) {
                node = self.child(node, last.term, words);
                self.occurrence(node, first.start, last.end, weight);
            }
        }
    }

    /// The phrase `parent` + `term`, created if new.
    fn child(&mut self, parent: u32, term: u32, words: u32) -> u32 {
        let key = tree_key(parent, term);
        if let Some(&node) = self.tree.get(&key) {
            return node;
        }
        let node = u32::try_from(self.phrases.len()).unwrap_or(NONE);
        self.tree.insert(key, node);
        self.phrases.push(Phrase {
            parent,
            term,
            words,
            count: 0,
            weight: 0.0,
            first_form: NONE,
            forms: 0,
        });
        node
    }

    /// Counts one occurrence of phrase `node`, written as `body[start..end]`.
    fn occurrence(&mut self, node: u32, start: usize, end: usize, weight: f64) {
        let body = self.body;
        let surface = body.get(start..end);
        let Some(phrase) = self.phrases.get_mut(node as usize) else {
            return;
        };
        phrase.count += 1;
        phrase.weight += weight;
        let mut cursor = phrase.first_form;
        while let Some(form) = self.forms.get_mut(cursor as usize) {
            if body.get(form.start..form.end) == surface {
                form.count += 1;
                return;
            }
            cursor = form.next;
        }
        if phrase.forms >= MAX_FORMS {
            return;
        }
        phrase.forms += 1;
        let index = u32::try_from(self.forms.len()).unwrap_or(NONE);
        self.forms.push(Form {
            start,
            end,
            count: 1,
            next: phrase.first_form,
        });
        phrase.first_form = index;
    }

    /// The words of phrase `node`, first to last, into `out`.
    pub(super) fn terms_of(&self, mut node: u32, out: &mut Vec<u32>) {
        out.clear();
        while let Some(phrase) = self.phrases.get(node as usize) {
            out.push(phrase.term);
            node = phrase.parent;
        }
        out.reverse();
    }

    /// The most frequent written form of `phrase` (the first seen on a tie).
    pub(super) fn surface(&self, phrase: &Phrase) -> &'a str {
        let mut best: Option<&Form> = None;
        let mut cursor = phrase.first_form;
        // Forms are linked newest first, so `>=` keeps the earliest on a tie.
        while let Some(form) = self.forms.get(cursor as usize) {
            if best.is_none_or(|b| form.count >= b.count) {
                best = Some(form);
            }
            cursor = form.next;
        }
        best.and_then(|f| self.body.get(f.start..f.end))
            .unwrap_or("")
    }
}

/// The tree key of the child `term` of phrase `parent` (`NONE` for the root).
fn tree_key(parent: u32, term: u32) -> u64 {
    (u64::from(parent.wrapping_add(1)) << 32) | u64::from(term)
}

/// Extracts up to `limit` keywords from a tokenized document (see the module docs).
pub(crate) fn keywords(
    doc: &Document,
    stopwords: &Stopwords,
    ids: IdHashState,
    limit: usize,
    max_words: usize,
) -> Vec<Keyword> {
    if limit == 0 {
        return Vec::new();
    }
    let text = doc.text.as_str();
    let mut collector = Collector::new(stopwords, max_words, text, ids);
    let body_tokens = doc
        .tokens
        .iter()
        .map(|t| (t.span.start, t.span.end, t.kind, t.sentence));
    collector.scan(text, body_tokens, &mut |c, s| c.flush_body(s));

    if let Some(title) = doc.title.as_deref() {
        let mut title_tokens = Vec::new();
        word_segments(title, |i, seg| {
            if let Some(kind) = token_kind(seg) {
                title_tokens.push((i, i + seg.len(), kind, 0));
            }
        });
        collector.scan(title, title_tokens.into_iter(), &mut |c, _| c.flush_title());
    }

    super::rank::rank(&collector, limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{Span, Token};

    #[test]
    fn word_filters() {
        assert_eq!(strip_possessive("Xi’s"), ("Xi", true));
        assert_eq!(strip_possessive("Russia's"), ("Russia", true));
        assert_eq!(strip_possessive("’s"), ("’s", false));
        assert_eq!(strip_possessive("bus"), ("bus", false));
        assert!(is_past_form("imposed") && is_past_form("raised"));
        assert!(!is_past_form("speed") && !is_past_form("United") && !is_past_form("red"));
        assert!(is_hyphen("-") && !is_hyphen("—"));
    }

    #[test]
    fn sub_phrases_counts_and_forms() {
        // "Power Grid" twice (two casings), inside a longer run once.
        let text = "National power grid. Power grid. The power grid.";
        let mut tokens = Vec::new();
        let mut sentence = 0;
        word_segments(text, |i, seg| {
            if let Some(kind) = token_kind(seg) {
                tokens.push(Token {
                    span: Span::new(i, i + seg.len()),
                    kind,
                    sentence,
                });
                if seg == "." {
                    sentence += 1;
                }
            }
        });
        let mut doc = Document::new(None, text.to_string());
        doc.tokens = tokens;
        let stopwords = Stopwords::builtin();
        let mut c = Collector::new(&stopwords, 4, text, IdHashState::new());
        let body_tokens = doc
            .tokens
            .iter()
            .map(|t| (t.span.start, t.span.end, t.kind, t.sentence));
        c.scan(text, body_tokens, &mut |c, s| c.flush_body(s));
        let grid = c
            .phrases
            .iter()
            .position(|p| p.words == 2 && c.surface(p).eq_ignore_ascii_case("power grid"));
        let grid = grid.and_then(|i| c.phrases.get(i)).copied();
        assert_eq!(grid.map(|p| p.count), Some(3));
        // Most frequent form wins: "power grid" (twice) over "Power grid" (once).
        assert_eq!(grid.map(|p| c.surface(&p)), Some("power grid"));
        // 1 + 1/1, 1 + 1/2, 1 + 1/3 for sentences 0, 1, 2.
        let weight = grid.map_or(0.0, |p| p.weight);
        assert!((weight - (2.0 + 1.5 + 4.0 / 3.0)).abs() < 1e-9, "{weight}");
        let mut words = Vec::new();
        let national_grid = c.phrases.iter().position(|p| p.words == 3);
        c.terms_of(national_grid.map_or(NONE, |n| n as u32), &mut words);
        assert_eq!(words.len(), 3);
    }
}
