//! Feature extraction: what the tagger knows about a token, as hashed feature keys.
//!
//! Three kinds of evidence, after Ratinov & Roth (2009):
//!
//! - **local**: the word and its lower-case form in a ±2 window, prefixes and suffixes,
//!   word shape ("Xx", "X.X.", "d-d") in a ±2 window and its n-grams, flags for
//!   sentence-initial position and all-capitals headlines;
//! - **gazetteers**: for each list, the token's position (B/I/L/U) in any listed phrase
//!   covering it, also for the neighbours;
//! - **document**: whether a capitalised word also appears lower-case elsewhere in the
//!   document (a sign it is an ordinary word) or capitalised mid-sentence (a sign it is
//!   a name even where it starts a sentence or sits in a capitals-only headline).
//!
//! Features that depend on earlier decisions (previous tags, the labels given to the
//! same word earlier in the document) are added by the tagger while it decodes; their
//! templates live here too so all keys are defined in one place. Token and sentence
//! analysis (hashes, shapes, gazetteer matches) is in `lex.rs`.
//!

use std::collections::HashSet;

pub use super::lex::{Case, SentenceLex, TokenLex, digits_shape, normalize_char, normalize_token};

use super::hash::mix;

/// Template ids: a feature key is `mix(template, value)`.
mod t {
    pub const BIAS: u64 = 1;
    pub const WORD: u64 = 2;
    pub const LOWER: [u64; 5] = [3, 4, 5, 6, 7]; // offsets -2..=2
    pub const PREFIX: u64 = 8;
    pub const SUFFIX: u64 = 9;
    pub const SHAPE: [u64; 5] = [10, 11, 12, 13, 14];
    pub const SHAPE_PREV_CUR: u64 = 15;
    pub const SHAPE_CUR_NEXT: u64 = 16;
    pub const SHAPE_TRI: u64 = 17;
    pub const LOWER_PREV_CUR: u64 = 18;
    pub const LOWER_CUR_NEXT: u64 = 19;
    pub const LOWER_PREV_SHAPE: u64 = 20;
    pub const SHAPE_LOWER_NEXT: u64 = 21;
    pub const START_SHAPE: u64 = 22;
    pub const CAPS_SENT_SHAPE: u64 = 23;
    pub const CAPS_SENT_LOWER: u64 = 24;
    pub const DOC_CASE: u64 = 25;
    pub const GAZ: u64 = 26;
    pub const GAZ_CASE: u64 = 27;
    pub const GAZ_PREV: u64 = 28;
    pub const GAZ_NEXT: u64 = 29;
    pub const LEN_CASE: u64 = 30;
    pub const RUN_POS: u64 = 31;
    pub const RUN_LAST: u64 = 32;
    pub const RUN_FIRST: u64 = 33;
    pub const RUN_LAST_GAZ: u64 = 34;
    pub const RUN_WHOLE: u64 = 35;
    pub const GAZ_PREV2: u64 = 38;
    pub const GAZ_NEXT2: u64 = 39;
    pub const PREV_TAG: u64 = 40;
    pub const PREV_TAGS: u64 = 41;
    pub const PREV_TAG_LOWER: u64 = 42;
    pub const PREV_TAG_SHAPE: u64 = 43;
    pub const HISTORY: u64 = 44;
    pub const HISTORY_MAJOR: u64 = 45;
    pub const FIRST_TAG: [u64; 3] = [50, 51, 52]; // offsets -1..=1
    pub const AGG_TYPE: u64 = 53;
    pub const AGG_MAJOR: u64 = 54;
    pub const AGG_TAG: u64 = 55;
    pub const SUPER: u64 = 56;
}

/// Document-wide facts about words, gathered before decoding.
#[derive(Debug, Default)]
pub struct DocContext {
    lower_seen: HashSet<u64, std::hash::BuildHasherDefault<super::hash::KeyHasher>>,
    title_mid_seen: HashSet<u64, std::hash::BuildHasherDefault<super::hash::KeyHasher>>,
}

impl DocContext {
    /// Scans a document given as sentences of analysed tokens.
    pub fn new<'a>(sentences: impl IntoIterator<Item = &'a SentenceLex>) -> Self {
        let mut ctx = DocContext::default();
        for s in sentences {
            for (i, t) in s.tokens.iter().enumerate() {
                match t.case {
                    Case::Lower => {
                        ctx.lower_seen.insert(t.key);
                    }
                    // Mid-sentence capital, not just after an opening quote or bracket.
                    Case::Title if i > 0 && !s.caps && s.tokens[i - 1].case != Case::Other => {
                        ctx.title_mid_seen.insert(t.key);
                    }
                    _ => {}
                }
            }
        }
        ctx
    }
}

const PAD: [u64; 2] = [0x5EED_0001, 0x5EED_0002];

/// Appends the static (decision-independent) feature keys of token `i`.
pub fn static_features(s: &SentenceLex, doc: &DocContext, i: usize, out: &mut Vec<u64>) {
    let n = s.tokens.len();
    let tok = &s.tokens[i];
    let at = |d: isize| -> Option<&TokenLex> {
        let j = i as isize + d;
        if j < 0 || j as usize >= n {
            None
        } else {
            s.tokens.get(j as usize)
        }
    };
    let lower = |d: isize| at(d).map_or(PAD[usize::from(d > 0)], |t| t.lower);
    let shape = |d: isize| at(d).map_or(PAD[usize::from(d > 0)], |t| t.shape);
    let case = tok.case as u64;

    out.push(t::BIAS);
    out.push(mix(t::WORD, tok.word));
    for (k, d) in (-2isize..=2).enumerate() {
        out.push(mix(t::LOWER[k], lower(d)));
        out.push(mix(t::SHAPE[k], shape(d)));
    }
    for k in 0..4 {
        if tok.prefix[k] != 0 {
            out.push(mix(t::PREFIX, tok.prefix[k]));
        }
        if tok.suffix[k] != 0 {
            out.push(mix(t::SUFFIX, tok.suffix[k]));
        }
    }
    out.push(mix(mix(t::SHAPE_PREV_CUR, shape(-1)), tok.shape));
    out.push(mix(mix(t::SHAPE_CUR_NEXT, tok.shape), shape(1)));
    out.push(mix(mix(mix(t::SHAPE_TRI, shape(-1)), tok.shape), shape(1)));
    out.push(mix(mix(t::LOWER_PREV_CUR, lower(-1)), tok.lower));
    out.push(mix(mix(t::LOWER_CUR_NEXT, tok.lower), lower(1)));
    out.push(mix(mix(t::LOWER_PREV_SHAPE, lower(-1)), tok.shape));
    out.push(mix(mix(t::SHAPE_LOWER_NEXT, tok.shape), lower(1)));
    if i == 0 {
        out.push(mix(t::START_SHAPE, tok.shape));
    }
    if s.caps {
        out.push(mix(t::CAPS_SENT_SHAPE, tok.shape));
        out.push(mix(t::CAPS_SENT_LOWER, tok.lower));
    }
    if tok.capitalised() {
        let lc = u64::from(doc.lower_seen.contains(&tok.key));
        let mid = u64::from(doc.title_mid_seen.contains(&tok.key));
        let place = if s.caps {
            2
        } else if i == 0 || at(-1).is_some_and(|p| p.case == Case::Other) {
            1
        } else {
            0
        };
        out.push(mix(t::DOC_CASE, case | lc << 4 | mid << 5 | place << 6));
    }
    out.push(mix(t::LEN_CASE, u64::from(tok.len) | case << 8));
    let (rs, re) = s
        .run
        .get(i)
        .map_or((0, 0), |&(a, b)| (a as usize, b as usize));
    if re > rs {
        let len = (re - rs).min(5) as u64;
        let pos = if re - rs == 1 {
            3
        } else if i == rs {
            0
        } else if i + 1 == re {
            2
        } else {
            1
        };
        out.push(mix(t::RUN_POS, len | pos << 4));
        if re - rs > 1 {
            let last = &s.tokens[re - 1];
            let first = &s.tokens[rs];
            out.push(mix(mix(t::RUN_LAST, last.lower), pos));
            out.push(mix(mix(t::RUN_FIRST, first.lower), pos));
            for &code in s.gaz_of(re - 1) {
                out.push(mix(t::RUN_LAST_GAZ, u64::from(code) | pos << 16));
            }
            let whole = s.tokens[rs..re]
                .iter()
                .fold(t::RUN_WHOLE, |h, t| mix(h, t.lower));
            out.push(mix(whole, pos));
        }
    }
    for &code in s.gaz_of(i) {
        out.push(mix(t::GAZ, u64::from(code)));
        out.push(mix(t::GAZ_CASE, u64::from(code) | case << 16));
    }
    if i > 0 {
        for &code in s.gaz_of(i - 1) {
            out.push(mix(t::GAZ_PREV, u64::from(code)));
        }
    }
    for &code in s.gaz_of(i + 1) {
        out.push(mix(t::GAZ_NEXT, u64::from(code)));
    }
    if i > 1 {
        for &code in s.gaz_of(i - 2) {
            out.push(mix(t::GAZ_PREV2, u64::from(code)));
        }
    }
    for &code in s.gaz_of(i + 2) {
        out.push(mix(t::GAZ_NEXT2, u64::from(code)));
    }
}

/// Labels given so far in a document to each capitalised word (by lower-case key):
/// Ratinov & Roth's "extended prediction history". A later mention of "Zakharova"
/// leans towards the type its first, fuller mention "Maria Zakharova" was given.
#[derive(Debug, Default)]
pub struct History {
    counts: super::hash::KeyMap<[u16; 5]>,
}

impl History {
    /// Records that a capitalised token got entity type `kind` (0-3) or O (4).
    pub fn record(&mut self, tok: &TokenLex, kind: usize) {
        if tok.capitalised() {
            let c = self.counts.entry(tok.key).or_default();
            if let Some(slot) = c.get_mut(kind) {
                *slot = slot.saturating_add(1);
            }
        }
    }

    /// Forgets everything (a new document starts).
    pub fn clear(&mut self) {
        self.counts.clear();
    }
}

/// Appends the decision-dependent features of token `i` given the two previous tags.
pub fn dynamic_features(
    s: &SentenceLex,
    i: usize,
    prev: [u8; 2],
    history: &History,
    out: &mut Vec<(u64, f32)>,
) {
    let tok = &s.tokens[i];
    let p1 = u64::from(prev[1]);
    let p2 = u64::from(prev[0]);
    out.push((mix(t::PREV_TAG, p1), 1.0));
    out.push((mix(t::PREV_TAGS, p2 << 8 | p1), 1.0));
    out.push((mix(mix(t::PREV_TAG_LOWER, p1), tok.lower), 1.0));
    out.push((mix(mix(t::PREV_TAG_SHAPE, p1), tok.shape), 1.0));
    if tok.capitalised()
        && let Some(c) = history.counts.get(&tok.key)
    {
        let total: u32 = c.iter().map(|&x| u32::from(x)).sum();
        if total > 0 {
            let mut best = 0;
            for k in 0..5 {
                if c[k] > 0 {
                    out.push((mix(t::HISTORY, k as u64), f32::from(c[k]) / total as f32));
                }
                if c[k] > c[best] {
                    best = k;
                }
            }
            out.push((mix(t::HISTORY_MAJOR, best as u64), 1.0));
        }
    }
}

/// What the first pass said about each word across the whole document, for the second
/// pass: Ratinov & Roth's non-local features. Where the first pass read "Atalanta" as
/// an organisation three times and a person once, the second pass sees that.
#[derive(Debug, Default)]
pub struct Aggregates {
    /// Per lower-case key of capitalised tokens: counts of PER, ORG, LOC, MISC, O.
    types: super::hash::KeyMap<[u16; 5]>,
    /// Per lower-case key: counts of each first-pass tag.
    tags: super::hash::KeyMap<[u16; super::labels::NUM_CLASSES]>,
    /// Per lower-case key: type of the longest multi-token entity containing it, with
    /// its length (capped) and whether the token ended it.
    within: super::hash::KeyMap<(u8, u8, bool)>,
}

impl Aggregates {
    /// Gathers the first pass's tags (`tags[sentence][token]`, class indices).
    pub fn new(lex: &[SentenceLex], tags: &[Vec<super::labels::Tag>]) -> Self {
        let mut a = Aggregates::default();
        for (s, ts) in lex.iter().zip(tags) {
            for span in super::labels::bilou_to_spans(ts) {
                let len = span.end - span.start;
                if len < 2 {
                    continue;
                }
                for i in span.start..span.end {
                    let Some(tok) = s.tokens.get(i) else { continue };
                    if !tok.capitalised() {
                        continue;
                    }
                    let e = a.within.entry(tok.key).or_insert((0, 0, false));
                    let l = len.min(8) as u8;
                    if l > e.1 {
                        *e = (span.label.index() as u8, l, i + 1 == span.end);
                    }
                }
            }
            for (tok, tag) in s.tokens.iter().zip(ts) {
                if !tok.capitalised() {
                    continue;
                }
                let kind = tag.parts().map_or(4, |(l, _)| l.index());
                a.types.entry(tok.key).or_default()[kind] += 1;
                if let Some(c) = a.tags.entry(tok.key).or_default().get_mut(tag.index()) {
                    *c += 1;
                }
            }
        }
        a
    }
}

/// Appends the second-pass features of token `i`: the first pass's tags around it and
/// what the first pass said about the same word elsewhere in the document (its own
/// occurrence left out, so the feature only carries evidence from the others).
pub fn aggregate_features(
    s: &SentenceLex,
    i: usize,
    first: &[super::labels::Tag],
    agg: &Aggregates,
    out: &mut Vec<(u64, f32)>,
) {
    for (k, d) in (-1isize..=1).enumerate() {
        let j = i as isize + d;
        let tag = if j < 0 {
            99
        } else {
            first.get(j as usize).map_or(98, |t| u64::from(t.0))
        };
        out.push((mix(t::FIRST_TAG[k], tag), 1.0));
    }
    let tok = &s.tokens[i];
    if !tok.capitalised() {
        return;
    }
    let own = first.get(i).copied().unwrap_or_default();
    let own_kind = own.parts().map_or(4, |(l, _)| l.index());
    if let Some(c) = agg.types.get(&tok.key) {
        let mut c = *c;
        c[own_kind] = c[own_kind].saturating_sub(1);
        let total: u32 = c.iter().map(|&x| u32::from(x)).sum();
        if total > 0 {
            let mut best = 0;
            for k in 0..5 {
                if c[k] > 0 {
                    out.push((mix(t::AGG_TYPE, k as u64), f32::from(c[k]) / total as f32));
                }
                if c[k] > c[best] {
                    best = k;
                }
            }
            out.push((mix(t::AGG_MAJOR, best as u64), 1.0));
        }
    }
    if let Some(c) = agg.tags.get(&tok.key) {
        let mut c = *c;
        if let Some(x) = c.get_mut(own.index()) {
            *x = x.saturating_sub(1);
        }
        let total: u32 = c.iter().map(|&x| u32::from(x)).sum();
        if total > 0 {
            for (k, &n) in c.iter().enumerate() {
                if n > 0 {
                    out.push((mix(t::AGG_TAG, k as u64), f32::from(n) / total as f32));
                }
            }
        }
    }
    if let Some(&(label, len, last)) = agg.within.get(&tok.key) {
        out.push((
            mix(
                t::SUPER,
                u64::from(label) | u64::from(len) << 4 | u64::from(last) << 8,
            ),
            1.0,
        ));
        out.push((mix(t::SUPER, u64::from(label) | 1 << 12), 1.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::gazetteer::Gazetteer;

    #[test]
    fn document_case_evidence_changes_features() {
        let g = Gazetteer::empty();
        let a = SentenceLex::new(&["Bush", "spoke", "."], &g);
        let b = SentenceLex::new(&["A", "bush", "burned", "."], &g);
        let c = SentenceLex::new(&["Then", "Bush", "left", "."], &g);
        let with_lower = DocContext::new([&a, &b]);
        let with_mid = DocContext::new([&a, &c]);
        let mut f1 = Vec::new();
        let mut f2 = Vec::new();
        static_features(&a, &with_lower, 0, &mut f1);
        static_features(&a, &with_mid, 0, &mut f2);
        assert_eq!(f1.len(), f2.len());
        assert_ne!(f1, f2);
    }

    #[test]
    fn history_features_carry_fractions() {
        let g = Gazetteer::empty();
        let s = SentenceLex::new(&["Zakharova", "said"], &g);
        let mut h = History::default();
        h.record(&s.tokens[0], 0);
        h.record(&s.tokens[0], 0);
        h.record(&s.tokens[0], 4);
        h.record(&s.tokens[1], 1); // lower-case: not recorded
        let mut out = Vec::new();
        dynamic_features(&s, 0, [0, 0], &h, &mut out);
        let fractions: Vec<f32> = out[4..].iter().map(|&(_, v)| v).collect();
        assert_eq!(fractions.len(), 3);
        assert!((fractions[0] - 2.0 / 3.0).abs() < 1e-6);
        let mut out = Vec::new();
        dynamic_features(&s, 1, [0, 0], &h, &mut out);
        assert_eq!(out.len(), 4);
    }
}
