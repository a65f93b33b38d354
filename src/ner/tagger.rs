//! Greedy left-to-right decoding of a document, in one or two passes.
//!
//! Each token gets the best-scoring BILOU tag that may follow the previous one (and,
//! on the last token of a sentence, that closes any entity), so output is always well
//! formed. Greedy decoding with the two previous tags as features loses little to
//! Viterbi for this task (Ratinov & Roth 2009) and keeps the tagger at one pass of
//! feature lookups per token, which is what makes it fast.
//!
//! A two-pass model decodes the document once with the first-pass weights, gathers
//! what that pass said about each word across the document ([`Aggregates`]), and
//! decodes again with the second-pass weights, which see those aggregates. The static
//! features are computed once and shared by both passes.

use super::features::{
    Aggregates, DocContext, History, SentenceLex, aggregate_features, dynamic_features,
    static_features,
};
use super::labels::{NUM_CLASSES, Tag};
use super::model::{Model, Weights};

/// Which class may follow which, and which may end a sentence.
pub(crate) struct Transitions {
    allowed: [[bool; NUM_CLASSES]; NUM_CLASSES],
    can_end: [bool; NUM_CLASSES],
}

impl Transitions {
    /// The BILOU transition table.
    pub(crate) fn new() -> Self {
        let mut allowed = [[false; NUM_CLASSES]; NUM_CLASSES];
        let mut can_end = [false; NUM_CLASSES];
        for (a, (row, end)) in allowed.iter_mut().zip(&mut can_end).enumerate() {
            for (b, slot) in row.iter_mut().enumerate() {
                *slot = Tag(a as u8).allows(Tag(b as u8));
            }
            *end = !Tag(a as u8).is_open();
        }
        Self { allowed, can_end }
    }

    /// Best class of `scores` allowed after `prev`, on the last token or not.
    #[inline]
    pub(crate) fn best(&self, scores: &[f32; NUM_CLASSES], prev: u8, last: bool) -> u8 {
        let row = &self.allowed[prev as usize];
        let mut best = 0usize;
        let mut best_score = f32::NEG_INFINITY;
        for c in 0..NUM_CLASSES {
            if row[c] && (!last || self.can_end[c]) && scores[c] > best_score {
                best = c;
                best_score = scores[c];
            }
        }
        best as u8
    }

    /// The classes allowed at a position, as a mask.
    pub(crate) fn mask(&self, prev: u8, last: bool) -> [bool; NUM_CLASSES] {
        let mut m = self.allowed[prev as usize];
        if last {
            for (x, end) in m.iter_mut().zip(self.can_end) {
                *x &= end;
            }
        }
        m
    }
}

/// The tags of a document and each tag's probability.
#[derive(Debug, Clone, Default)]
pub struct Decoded {
    /// One BILOU tag per token, per sentence.
    pub tags: Vec<Vec<Tag>>,
    /// The softmax probability of each chosen entity tag among the allowed ones (1 for
    /// O tags, whose probability is not computed).
    pub probs: Vec<Vec<f32>>,
}

/// A document ready for decoding: analysed sentences and their static feature keys.
#[derive(Debug, Default)]
pub struct Prepared {
    /// The analysed sentences.
    pub lex: Vec<SentenceLex>,
    /// Static keys of every token, flat: token t of the document owns
    /// `keys[start[t]..start[t + 1]]`.
    keys: Vec<u64>,
    start: Vec<u32>,
}

impl Prepared {
    /// Analyses sentences of tokens with the model's gazetteer.
    pub fn new<S: AsRef<str>>(model: &Model, sentences: &[Vec<S>]) -> Self {
        Self::from_lex(
            sentences
                .iter()
                .map(|s| SentenceLex::new(s, &model.gazetteer))
                .collect(),
        )
    }

    /// Computes the static features of already analysed sentences.
    pub fn from_lex(lex: Vec<SentenceLex>) -> Self {
        let ctx = DocContext::new(&lex);
        let n: usize = lex.iter().map(|s| s.tokens.len()).sum();
        let mut keys = SPARE_KEYS.with(std::cell::Cell::take);
        keys.clear();
        keys.reserve(n * 48);
        let mut start = Vec::with_capacity(n + 1);
        start.push(0);
        for s in &lex {
            for i in 0..s.tokens.len() {
                static_features(s, &ctx, i, &mut keys);
                start.push(keys.len() as u32);
            }
        }
        Prepared { lex, keys, start }
    }

    /// Static keys of every token, flat, and where each token's keys start
    /// (`starts()[t]..starts()[t + 1]`).
    pub(crate) fn flat_keys(&self) -> (&[u64], &[u32]) {
        (&self.keys, &self.start)
    }

    /// Static keys of the document's `t`-th token.
    #[inline]
    pub fn keys_of(&self, t: usize) -> &[u64] {
        let a = self.start.get(t).copied().unwrap_or(0) as usize;
        let b = self.start.get(t + 1).copied().unwrap_or(0) as usize;
        self.keys.get(a..b).unwrap_or(&[])
    }
}

/// Keys buffers above this many entries (a very long article's) are freed rather
/// than kept for the next document: 4 MiB.
const MAX_SPARE_KEYS: usize = 1 << 19;

thread_local! {
    /// The keys buffer of the thread's last document, reused by its next one. An
    /// article's keys take a few hundred kilobytes; allocated afresh each time, their
    /// pages went back to the system between articles and were faulted in and
    /// zeroed again for every one.
    static SPARE_KEYS: std::cell::Cell<Vec<u64>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Drop for Prepared {
    fn drop(&mut self) {
        let keys = std::mem::take(&mut self.keys);
        if keys.capacity() <= MAX_SPARE_KEYS {
            // `try_with`: a thread being torn down has no spare to keep.
            let _ = SPARE_KEYS.try_with(|spare| spare.set(keys));
        }
    }
}

/// Tags one document given as sentences of tokens.
pub fn tag_document<S: AsRef<str>>(model: &Model, sentences: &[Vec<S>]) -> Decoded {
    let prepared = Prepared::new(model, sentences);
    tag_prepared(model, &prepared, |_, _, _, _| {})
}

/// Tags a prepared document with every pass of the model; `inspect(sentence, token,
/// scores, allowed)` sees the final pass's score vectors (used for calibration).
pub fn tag_prepared(
    model: &Model,
    doc: &Prepared,
    inspect: impl FnMut(usize, usize, &[f32; NUM_CLASSES], &[bool; NUM_CLASSES]),
) -> Decoded {
    let temperature = if model.temperature > 0.0 {
        model.temperature
    } else {
        1.0
    };
    if model.second.is_empty() {
        return decode(&model.weights, doc, None, temperature, inspect);
    }
    let first = decode(&model.weights, doc, None, temperature, |_, _, _, _| {});
    decode_second(&model.second, doc, &first.tags, temperature, inspect)
}

/// The second pass over a document given the first pass's tags.
pub fn decode_second(
    weights: &Weights,
    doc: &Prepared,
    first: &[Vec<Tag>],
    temperature: f32,
    inspect: impl FnMut(usize, usize, &[f32; NUM_CLASSES], &[bool; NUM_CLASSES]),
) -> Decoded {
    let agg = Aggregates::new(&doc.lex, first);
    decode(weights, doc, Some((first, &agg)), temperature, inspect)
}

/// One greedy pass with `weights`; `first` gives the second pass its extra evidence.
pub fn decode(
    weights: &Weights,
    doc: &Prepared,
    first: Option<(&[Vec<Tag>], &Aggregates)>,
    temperature: f32,
    inspect: impl FnMut(usize, usize, &[f32; NUM_CLASSES], &[bool; NUM_CLASSES]),
) -> Decoded {
    decode_with(
        doc,
        first,
        temperature,
        inspect,
        |t| {
            let mut scores = [0f32; NUM_CLASSES];
            for &k in doc.keys_of(t) {
                if let Some(row) = weights.row(k) {
                    add_row(&mut scores, row);
                }
            }
            scores
        },
        |k, v, scores| weights.add(k, v, scores),
    )
}

#[inline]
pub(crate) fn add_row(scores: &mut [f32; NUM_CLASSES], row: &[f32; NUM_CLASSES]) {
    for (x, w) in scores.iter_mut().zip(row) {
        *x += w;
    }
}

/// The greedy loop, given how to score a token's static features (`statics(t)` for
/// the document's `t`-th token) and how to add `value` times a dynamic feature's row.
pub(crate) fn decode_with(
    doc: &Prepared,
    first: Option<(&[Vec<Tag>], &Aggregates)>,
    temperature: f32,
    mut inspect: impl FnMut(usize, usize, &[f32; NUM_CLASSES], &[bool; NUM_CLASSES]),
    mut statics: impl FnMut(usize) -> [f32; NUM_CLASSES],
    dynamic_row: impl Fn(u64, f32, &mut [f32; NUM_CLASSES]),
) -> Decoded {
    let trans = Transitions::new();
    let mut history = History::default();
    let mut dynamic: Vec<(u64, f32)> = Vec::with_capacity(32);
    let mut out = Decoded {
        tags: Vec::with_capacity(doc.lex.len()),
        probs: Vec::with_capacity(doc.lex.len()),
    };
    let mut t = 0usize;
    for (si, s) in doc.lex.iter().enumerate() {
        let n = s.tokens.len();
        let mut tags = Vec::with_capacity(n);
        let mut probs = Vec::with_capacity(n);
        let mut prev = [0u8; 2];
        for i in 0..n {
            let mut scores = statics(t);
            t += 1;
            dynamic.clear();
            dynamic_features(s, i, prev, &history, &mut dynamic);
            if let Some((tags1, agg)) = first
                && let Some(ts) = tags1.get(si)
            {
                aggregate_features(s, i, ts, agg, &mut dynamic);
            }
            for &(k, v) in &dynamic {
                dynamic_row(k, v, &mut scores);
            }
            let last = i + 1 == n;
            let best = trans.best(&scores, prev[1], last);
            let mask = trans.mask(prev[1], last);
            inspect(si, i, &scores, &mask);
            // Only entity tokens' probabilities are ever read (for mention confidence),
            // so O tokens skip the softmax.
            probs.push(if best == 0 {
                1.0
            } else {
                softmax_at(&scores, &mask, best as usize, temperature)
            });
            let tag = Tag(best);
            history.record(&s.tokens[i], tag.parts().map_or(4, |(l, _)| l.index()));
            tags.push(tag);
            prev = [prev[1], best];
        }
        out.tags.push(tags);
        out.probs.push(probs);
    }
    out
}

/// Words after a number that make it a quantity, not part of a name.
const QUANTITY_WORDS: [&str; 36] = [
    "a", "an", "the", "and", "or", "but", "not", "no", "of", "in", "on", "at", "to", "for", "by",
    "with", "from", "up", "down", "out", "off", "over", "under", "after", "before", "behind",
    "ahead", "is", "was", "are", "were", "per", "percent", "pct", "mln", "bln",
];

/// Extends multi-word names over a sequel or version number that follows them:
/// "Power of Siberia 2 gas pipeline", "Nord Stream 2 project".
///
/// This is a rule, not a learned feature, and says so: such names are common in
/// today's news but nearly absent from the 1996 training text, where a number after
/// a name is almost always a score or an amount ("Somerset 9 points", "Cox 95 not
/// out"), so the model learns to leave numbers out, and features for the pattern
/// (tried: the number's length and the next word, with look-ahead decoding) did not
/// change that. The rule fires only for a bare one- or two-digit number after a name
/// of two or more tokens and before a lower-case word that is neither a function word
/// nor a measure (a time or quantity noun from the gazetteer, or a plural such as
/// "points" or "votes"). On CoNLL-2003 dev it changes nothing.
pub fn extend_numbered_names(
    lex: &SentenceLex,
    spans: &mut [super::labels::EntitySpan],
    gazetteer: &super::gazetteer::Gazetteer,
) {
    use super::features::{Case, digits_shape};
    use super::gazetteer::lower_key;
    use std::sync::OnceLock;
    static QUANTITY: OnceLock<Vec<u64>> = OnceLock::new();
    let quantity = QUANTITY.get_or_init(|| QUANTITY_WORDS.iter().map(|w| lower_key(w)).collect());
    let measures = gazetteer.list_bits(&["ss-noun-time", "ss-noun-quantity"]);
    let n_spans = spans.len();
    for k in 0..n_spans {
        let end = spans[k].end;
        let next_start = spans.get(k + 1).map_or(usize::MAX, |s| s.start);
        let (Some(num), Some(word)) = (lex.tokens.get(end), lex.tokens.get(end + 1)) else {
            continue;
        };
        let extends = spans[k].end - spans[k].start >= 2
            && next_start > end
            && num.shape == digits_shape()
            && num.len <= 2
            && word.case == Case::Lower
            && word.len > 1
            && !word.plural
            && !quantity.contains(&word.key)
            && gazetteer.word_lists(word.key) & measures == 0;
        if extends {
            spans[k].end = end + 1;
        }
    }
}

/// Probability of class `at` under a softmax over the allowed classes.
pub(crate) fn softmax_at(
    scores: &[f32; NUM_CLASSES],
    mask: &[bool; NUM_CLASSES],
    at: usize,
    temperature: f32,
) -> f32 {
    let max = scores
        .iter()
        .zip(mask)
        .filter(|(_, m)| **m)
        .fold(f32::NEG_INFINITY, |a, (s, _)| a.max(*s));
    let mut z = 0f32;
    for (s, m) in scores.iter().zip(mask) {
        if *m {
            z += ((s - max) / temperature).exp();
        }
    }
    let p = ((scores[at] - max) / temperature).exp() / z;
    if p.is_finite() { p } else { 0.0 }
}
