//! Greedy left-to-right decoding of a document with the averaged-perceptron weights.
//!
//! Each token gets the best-scoring BILOU tag that may follow the previous one (and,
//! on the last token of a sentence, that closes any entity), so output is always well
//! formed. Greedy decoding with the two previous tags as features loses little to
//! Viterbi for this task (Ratinov & Roth 2009) and keeps the tagger at one pass of
//! feature lookups per token, which is what makes it fast.

use super::features::{DocContext, History, SentenceLex, dynamic_features, static_features};
use super::labels::{NUM_CLASSES, Tag};
use super::model::Model;

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
        for a in 0..NUM_CLASSES {
            for b in 0..NUM_CLASSES {
                allowed[a][b] = Tag(a as u8).allows(Tag(b as u8));
            }
            can_end[a] = !Tag(a as u8).is_open();
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
    /// The softmax probability of each chosen tag among the allowed ones.
    pub probs: Vec<Vec<f32>>,
}

/// Analyses a document's sentences (token analysis and gazetteer matching).
pub fn prepare<S: AsRef<str>>(model: &Model, sentences: &[Vec<S>]) -> Vec<SentenceLex> {
    sentences
        .iter()
        .map(|s| SentenceLex::new(s, &model.gazetteer))
        .collect()
}

/// Tags one document given as sentences of tokens.
pub fn tag_document<S: AsRef<str>>(model: &Model, sentences: &[Vec<S>]) -> Decoded {
    let lex = prepare(model, sentences);
    tag_prepared(model, &lex, |_, _, _, _| {})
}

/// Tags analysed sentences; `inspect(sentence, token, scores, allowed)` sees every
/// score vector (used to calibrate the temperature).
pub fn tag_prepared(
    model: &Model,
    lex: &[SentenceLex],
    mut inspect: impl FnMut(usize, usize, &[f32; NUM_CLASSES], &[bool; NUM_CLASSES]),
) -> Decoded {
    let trans = Transitions::new();
    let ctx = DocContext::new(lex);
    let mut history = History::default();
    let mut keys: Vec<u64> = Vec::with_capacity(96);
    let mut dynamic: Vec<(u64, f32)> = Vec::with_capacity(16);
    let temperature = if model.temperature > 0.0 {
        model.temperature
    } else {
        1.0
    };
    let mut out = Decoded {
        tags: Vec::with_capacity(lex.len()),
        probs: Vec::with_capacity(lex.len()),
    };
    for (si, s) in lex.iter().enumerate() {
        let n = s.tokens.len();
        let mut tags = Vec::with_capacity(n);
        let mut probs = Vec::with_capacity(n);
        let mut prev = [0u8; 2];
        for i in 0..n {
            keys.clear();
            static_features(s, &ctx, i, &mut keys);
            dynamic.clear();
            dynamic_features(s, i, prev, &history, &mut dynamic);
            let mut scores = [0f32; NUM_CLASSES];
            for &k in &keys {
                if let Some(row) = model.weights.row(k) {
                    for (x, w) in scores.iter_mut().zip(row) {
                        *x += w;
                    }
                }
            }
            for &(k, v) in &dynamic {
                model.weights.add(k, v, &mut scores);
            }
            let last = i + 1 == n;
            let best = trans.best(&scores, prev[1], last);
            let mask = trans.mask(prev[1], last);
            inspect(si, i, &scores, &mask);
            probs.push(softmax_at(&scores, &mask, best as usize, temperature));
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
