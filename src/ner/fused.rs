//! The run-time form of a model's weights: both passes in one table, looked up with
//! prefetching.
//!
//! Tagging a news article reads some forty feature rows per token from a table of
//! megabytes, so the tagger mostly waits on memory. What cuts that wait:
//!
//! - A feature's first- and second-pass weights sit in one row, so the static
//!   features (most of a token's keys) are fetched once for both passes.
//! - Each key's row lives in its slot of an open-addressing table, so a lookup is
//!   one fetch, requested a few keys ahead while the current ones are added.
//! - Rows are sparse: a feature speaks for a few of the 17 classes. A slot keeps the
//!   key, a step per pass, a bit per class with a non-zero weight and those weights
//!   as `i16` (the model file's own form, so scores are unchanged): one 64-byte cache
//!   line. The 3 % of rows with more than [`INLINE`] weights, among them the most
//!   frequent features, are read from a small dense side array. The shipped model
//!   takes 16 MB so, against 25 MB with dense rows in two cache lines.
//! - Spreading a sparse row onto the 17 scores is done with vector code where the CPU
//!   has it (an AVX-512 expanding load, or an AVX2 byte shuffle), picked at run time;
//!   each path multiplies and adds exactly as the portable loop does, so sums are the
//!   same bit for bit (unit-tested). `NEWSD_SIMD=portable|avx2` caps the choice.
//!
//! The table is written by hand because the prefetch needs a key's slot address
//! before reading it, which `HashMap` does not expose.
//!
//! Tags are the same as with [`super::tagger::tag_prepared`], which scores each pass
//! with its own `Weights`.

use super::features::Aggregates;
use super::labels::NUM_CLASSES;
use super::model::{Model, QuantRow};
use super::simd::{CLASSES, INLINE, Simd, add_sparse};
#[cfg(target_arch = "x86_64")]
use super::simd::{add_sparse_avx2, add_sparse_avx512};
use super::tagger::{Decoded, Prepared, decode_with};
use crate::pages::{HugeSlice, prefetch};

/// How many keys ahead a slot is requested from memory.
const AHEAD: usize = 12;

/// Set in `mask[0]` of a row whose weights live in `dense` instead.
const SPILLED: u32 = 1 << 31;

/// Set in `mask[1]` of a slot that holds a row.
const USED: u32 = 1 << 31;

/// One feature's weights for both passes, as `i16` steps times a per-pass step: for
/// each pass, a bit per class with a non-zero weight and those weights in class
/// order, the first pass's first. One cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
struct Row {
    key: u64,
    scale: [f32; 2],
    mask: [u32; 2],
    /// The weights; for a spilled row, its index in `dense` as two halves.
    w: [i16; INLINE],
}

/// A row with too many weights to fit inline: every class's weight.
#[derive(Debug, Clone, Copy, Default)]
struct Dense {
    q: [[i16; NUM_CLASSES]; 2],
}

/// Both passes' weights in one table, for tagging at run time.
#[derive(Debug, Clone, Default)]
pub struct Fused {
    /// Open addressing over the keys, a row per slot. In huge pages: reads are
    /// random over the whole table (see `crate::pages`).
    slots: HugeSlice<Row>,
    dense: Vec<Dense>,
    mask: usize,
    len: usize,
    two_pass: bool,
    /// The code that adds rows on this CPU.
    simd: Simd,
}

/// Adds `value` times a quantised row to a score vector. `f32(q) × step` is the very
/// product the model reader makes, so sums match the unquantised tables bit for bit.
#[cfg(test)]
fn add_q(scores: &mut [f32; NUM_CLASSES], q: &[i16; NUM_CLASSES], step: f32, value: f32) {
    for (x, w) in scores.iter_mut().zip(q) {
        *x += value * (f32::from(*w) * step);
    }
}

impl Fused {
    /// Builds the table from a model trained in memory (its two passes, or one).
    pub fn new(model: &Model) -> Self {
        let rows: Vec<(usize, QuantRow)> = [&model.weights, &model.second]
            .into_iter()
            .enumerate()
            .flat_map(|(pass, w)| {
                // Quantised as the model writer does, so the table tags as the file
                // written from this model will.
                w.sorted()
                    .into_iter()
                    .filter_map(move |(k, row)| Some((pass, QuantRow::quantise(k, row)?)))
            })
            .collect();
        Self::from_rows(&rows)
    }

    /// Builds the table from stored rows `(pass, row)`, as
    /// [`Model::from_bytes_with`] hands them over. Rows of a pass other than the
    /// first two are ignored.
    pub fn from_rows(rows: &[(usize, QuantRow)]) -> Self {
        // Every key has a first-pass row or a second-pass one, so the larger count
        // is close to the number of keys: size for it, at most three quarters full
        // so probes stay short (`put` grows the table if the keys turn out more).
        let per_pass = |p: usize| rows.iter().filter(|(pass, _)| *pass == p).count();
        let keys = per_pass(0).max(per_pass(1));
        let mut f = Fused::with_slots((keys * 4 / 3 + 1).next_power_of_two());
        for (j, (pass, row)) in rows.iter().enumerate() {
            // The slots are met in no order: ask for one a few rows ahead.
            if let Some((_, ahead)) = rows.get(j + AHEAD)
                && let Some(slot) = f.slots.get(f.home(ahead.key))
            {
                prefetch((slot as *const Row).cast::<u8>());
            }
            f.put(*pass, row);
        }
        f
    }

    /// An empty table of `size` slots (a power of two).
    fn with_slots(size: usize) -> Self {
        let size = size.max(16);
        Fused {
            slots: HugeSlice::filled(size, Row::default()),
            dense: Vec::new(),
            mask: size - 1,
            len: 0,
            two_pass: false,
            simd: Simd::detect(),
        }
    }

    /// Stores one pass's row of a key, beside the other pass's if it came first.
    fn put(&mut self, pass: usize, r: &QuantRow) {
        if pass > 1 {
            return;
        }
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let i = self.find(r.key);
        if self.slots[i].mask[1] & USED == 0 {
            self.len += 1;
        }
        let mut d = self.dense_of(&self.slots[i]);
        d.q[pass] = r.q;
        let mut scale = self.slots[i].scale;
        scale[pass] = r.scale;
        let spilled = self.spilled_at(&self.slots[i]);
        self.slots[i] = self.encode(r.key, scale, d, spilled);
        self.two_pass |= pass == 1;
    }

    /// Where a row's weights sit in `dense`, if they do.
    fn spilled_at(&self, row: &Row) -> Option<usize> {
        (row.mask[0] & SPILLED != 0)
            .then(|| usize::from(row.w[0] as u16) | usize::from(row.w[1] as u16) << 16)
    }

    /// Every class's weight of a row, both passes (zeros for an empty slot).
    fn dense_of(&self, row: &Row) -> Dense {
        if let Some(at) = self.spilled_at(row) {
            return self.dense.get(at).copied().unwrap_or_default();
        }
        let mut d = Dense::default();
        let mut w = row.w.iter();
        for (pass, q) in d.q.iter_mut().enumerate() {
            let mut m = row.mask.get(pass).copied().unwrap_or(0) & CLASSES;
            while m != 0 {
                let c = m.trailing_zeros() as usize;
                m &= m - 1;
                if let (Some(x), Some(&v)) = (q.get_mut(c), w.next()) {
                    *x = v;
                }
            }
        }
        d
    }

    /// A slot for `key`: its non-zero weights inline when they fit, else in `dense`
    /// (at `spilled` when the row was there already).
    fn encode(&mut self, key: u64, scale: [f32; 2], d: Dense, spilled: Option<usize>) -> Row {
        let mut row = Row {
            key,
            scale,
            ..Row::default()
        };
        let nonzero = d.q.iter().flatten().filter(|w| **w != 0);
        if spilled.is_some() || nonzero.clone().count() > INLINE {
            let at = match spilled {
                Some(at) => {
                    if let Some(slot) = self.dense.get_mut(at) {
                        *slot = d;
                    }
                    at
                }
                None => {
                    self.dense.push(d);
                    self.dense.len() - 1
                }
            };
            row.mask[0] = SPILLED;
            row.w[0] = (at & 0xffff) as u16 as i16;
            row.w[1] = (at >> 16) as u16 as i16;
        } else {
            for (slot, &q) in row.w.iter_mut().zip(nonzero) {
                *slot = q;
            }
            for (pass, q) in d.q.iter().enumerate() {
                row.mask[pass] = q
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| **w != 0)
                    .fold(0, |m, (c, _)| m | 1 << c);
            }
        }
        row.mask[1] |= USED;
        row
    }

    /// Moves every row into a table twice the size.
    fn grow(&mut self) {
        let bigger = Fused::with_slots(self.slots.len() * 2);
        let old = std::mem::replace(&mut self.slots, bigger.slots);
        self.mask = bigger.mask;
        for row in old.iter().filter(|r| r.mask[1] & USED != 0) {
            let i = self.find(row.key);
            self.slots[i] = *row;
        }
    }

    /// Number of distinct feature keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the table holds no feature.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        // Keys are already well-mixed hashes; the high bits index the table.
        (key.rotate_left(32) as usize) & self.mask
    }

    /// The slot holding `key`, or the empty slot where its probe ends. The table is
    /// never full (`put` keeps it at most three quarters so), so the probe ends.
    #[inline]
    fn find(&self, key: u64) -> usize {
        let mut i = self.home(key);
        while let Some(row) = self.slots.get(i)
            && row.mask[1] & USED != 0
            && row.key != key
        {
            i = (i + 1) & self.mask;
        }
        i
    }

    /// The row of a key, if the model knows it.
    #[inline]
    fn get(&self, key: u64) -> Option<&Row> {
        self.slots
            .get(self.find(key))
            .filter(|row| row.mask[1] & USED != 0)
    }

    /// Adds `value` times a row's weights for `pass` to `scores`.
    #[inline(always)]
    fn add_with(
        &self,
        row: &Row,
        pass: usize,
        value: f32,
        scores: &mut [f32; NUM_CLASSES],
        sparse: impl Fn(&mut [f32; NUM_CLASSES], u32, &[i16], f32, f32),
    ) {
        let (Some(&mask), Some(&step)) = (row.mask.get(pass), row.scale.get(pass)) else {
            return;
        };
        if let Some(at) = self.spilled_at(row) {
            if let Some(q) = self.dense.get(at).and_then(|d| d.q.get(pass)) {
                // A dense row is a sparse one with every class set.
                sparse(scores, CLASSES, q, step, value);
            }
            return;
        }
        let first = if pass == 0 {
            0
        } else {
            row.mask[0].count_ones() as usize
        };
        sparse(scores, mask, row.w.get(first..).unwrap_or(&[]), step, value);
    }

    /// Adds `value` times a row's weights for `pass` to `scores` (portable code).
    #[cfg(test)]
    fn add(&self, row: &Row, pass: usize, value: f32, scores: &mut [f32; NUM_CLASSES]) {
        self.add_with(row, pass, value, scores, add_sparse);
    }

    /// Both passes' static scores of every token of a document, asking the memory
    /// for the slots of keys a little ahead while the current ones are added.
    #[inline(always)]
    fn static_scores(
        &self,
        doc: &Prepared,
        sparse: impl Fn(&mut [f32; NUM_CLASSES], u32, &[i16], f32, f32) + Copy,
    ) -> Vec<[[f32; NUM_CLASSES]; 2]> {
        let (keys, start) = doc.flat_keys();
        let tokens = start.len().saturating_sub(1);
        let mut out = vec![[[0f32; NUM_CLASSES]; 2]; tokens];
        for (t, sums) in out.iter_mut().enumerate() {
            let a = start.get(t).copied().unwrap_or(0) as usize;
            let b = start.get(t + 1).copied().unwrap_or(0) as usize;
            for j in a..b {
                if let Some(&ahead) = keys.get(j + AHEAD)
                    && let Some(slot) = self.slots.get(self.home(ahead))
                {
                    prefetch((slot as *const Row).cast::<u8>());
                }
                if let Some(row) = keys.get(j).and_then(|&k| self.get(k)) {
                    // Static features have value 1: `1 × w` is `w` exactly.
                    self.add_with(row, 0, 1.0, &mut sums[0], sparse);
                    self.add_with(row, 1, 1.0, &mut sums[1], sparse);
                }
            }
        }
        out
    }

    /// Tags a prepared document with both passes (or one, for a one-pass model).
    pub fn tag(&self, model: &Model, doc: &Prepared) -> Decoded {
        match self.simd {
            // SAFETY: `simd` names only features this CPU has (`Simd::detect`).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { self.tag_avx512(model, doc) },
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2 => unsafe { self.tag_avx2(model, doc) },
            _ => self.tag_with(model, doc, add_sparse),
        }
    }

    /// [`Fused::tag`] with rows added by AVX2 code.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn tag_avx2(&self, model: &Model, doc: &Prepared) -> Decoded {
        self.tag_with(
            model,
            doc,
            |s: &mut [f32; NUM_CLASSES], m, w: &[i16], st, v| add_sparse_avx2(s, m, w, st, v),
        )
    }

    /// [`Fused::tag`] with rows added by AVX-512 code.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi2")]
    fn tag_avx512(&self, model: &Model, doc: &Prepared) -> Decoded {
        self.tag_with(
            model,
            doc,
            |s: &mut [f32; NUM_CLASSES], m, w: &[i16], st, v| add_sparse_avx512(s, m, w, st, v),
        )
    }

    /// Tags a document, adding sparse rows with `sparse`.
    #[inline(always)]
    fn tag_with(
        &self,
        model: &Model,
        doc: &Prepared,
        sparse: impl Fn(&mut [f32; NUM_CLASSES], u32, &[i16], f32, f32) + Copy,
    ) -> Decoded {
        let temperature = if model.temperature > 0.0 {
            model.temperature
        } else {
            1.0
        };
        let statics = self.static_scores(doc, sparse);
        let dynamic = |pass: usize| {
            move |k: u64, v: f32, scores: &mut [f32; NUM_CLASSES]| {
                if let Some(row) = self.get(k) {
                    self.add_with(row, pass, v, scores, sparse);
                }
            }
        };
        let first = decode_with(
            doc,
            None,
            temperature,
            |_, _, _, _| {},
            |t| statics.get(t).map(|s| s[0]).unwrap_or_default(),
            dynamic(0),
        );
        if !self.two_pass {
            return first;
        }
        let agg = Aggregates::new(&doc.lex, &first.tags);
        decode_with(
            doc,
            Some((&first.tags, &agg)),
            temperature,
            |_, _, _, _| {},
            |t| statics.get(t).map(|s| s[1]).unwrap_or_default(),
            dynamic(1),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::labels::Tag;
    use crate::ner::tagger::tag_prepared;

    fn flat(d: &Decoded) -> Vec<Tag> {
        d.tags.iter().flatten().copied().collect()
    }

    #[test]
    fn fused_tags_equal_the_two_separate_passes() {
        let bytes = include_bytes!("../../config/models/ner-en.bin");
        let model = Model::from_bytes(bytes).expect("shipped model");
        let mut rows = Vec::new();
        Model::from_bytes_with(bytes, |pass, row| rows.push((pass, *row))).expect("rows");
        let fused = Fused::from_rows(&rows);
        assert!(fused.len() > 1000);
        let sentences: Vec<Vec<&str>> = vec![
            "Chinese President Xi Jinping arrived in Moscow on Wednesday ."
                .split(' ')
                .collect(),
            "Xi and Vladimir Putin discussed the Power of Siberia 2 pipeline with Gazprom ."
                .split(' ')
                .collect(),
            "Maria Zakharova of the Russian Foreign Ministry said the talks went well ."
                .split(' ')
                .collect(),
        ];
        let doc = Prepared::new(&model, &sentences);
        let a = fused.tag(&model, &doc);
        let b = tag_prepared(&model, &doc, |_, _, _, _| {});
        assert_eq!(flat(&a), flat(&b));
        assert_eq!(a.probs, b.probs);
        assert!(flat(&a).iter().any(|t| *t != Tag(0)), "some entity found");
    }

    #[test]
    fn keys_sharing_a_home_slot_find_their_own_rows() {
        // Same home slot: a lookup must probe past the other key, and stop at a gap.
        let key = |hi: u64| (hi << 60) | (1 << 32) | 0xdead_beef;
        let row = |k: u64, w: i16| QuantRow {
            key: k,
            scale: 0.5,
            q: [w; NUM_CLASSES],
        };
        let fused = Fused::from_rows(&[
            (0, row(key(0), 1)),
            (0, row(key(1), 2)),
            (1, row(key(1), 3)),
        ]);
        assert_eq!(fused.len(), 2);
        let first = |k: u64, pass: usize| {
            fused.get(k).map(|r| {
                let mut scores = [0f32; NUM_CLASSES];
                fused.add(r, pass, 1.0, &mut scores);
                scores[0]
            })
        };
        assert_eq!(first(key(0), 0), Some(0.5));
        assert_eq!(first(key(1), 0), Some(1.0));
        assert_eq!(first(key(1), 1), Some(1.5));
        assert!(fused.get(key(2)).is_none());
        assert!(fused.get(0xdead_beef).is_none());
    }

    #[test]
    fn a_table_grows_past_its_first_size_and_keeps_every_row() {
        // Keys of the two passes disjoint, so there are twice as many as it sized for.
        let key = |i: u64| crate::ner::hash::mix(i, 99);
        let row = |i: u64| {
            let mut q = [0i16; NUM_CLASSES];
            q[(i % 17) as usize] = i as i16 + 1;
            // Every seventh row too wide to fit inline.
            if i.is_multiple_of(7) {
                q = [i as i16 + 1; NUM_CLASSES];
            }
            QuantRow {
                key: key(i),
                scale: 1.0,
                q,
            }
        };
        let rows: Vec<(usize, QuantRow)> =
            (0..300).map(|i| (usize::from(i >= 150), row(i))).collect();
        let fused = Fused::from_rows(&rows);
        assert_eq!(fused.len(), 300);
        assert!(fused.slots.len() >= 400, "grew to {}", fused.slots.len());
        for i in 0..300u64 {
            let pass = usize::from(i >= 150);
            let r = fused.get(key(i)).expect("row");
            let (mut got, mut want) = ([0f32; NUM_CLASSES], [0f32; NUM_CLASSES]);
            fused.add(r, pass, 1.0, &mut got);
            add_q(&mut want, &row(i).q, 1.0, 1.0);
            assert_eq!(got, want, "key {i}");
            let mut other = [0f32; NUM_CLASSES];
            fused.add(r, 1 - pass, 1.0, &mut other);
            assert_eq!(other, [0f32; NUM_CLASSES], "key {i}, other pass");
        }
    }

    #[test]
    fn sparse_rows_add_as_dense_ones() {
        let mut a = [0i16; NUM_CLASSES];
        a[1] = 2;
        a[16] = -3;
        let mut b = [0i16; NUM_CLASSES];
        b[3] = 4;
        b[16] = 7;
        let fused = Fused::from_rows(&[
            (
                0,
                QuantRow {
                    key: 5,
                    scale: 0.25,
                    q: a,
                },
            ),
            (
                1,
                QuantRow {
                    key: 5,
                    scale: 0.5,
                    q: b,
                },
            ),
        ]);
        let row = fused.get(5).expect("row");
        for (pass, q, step) in [(0, a, 0.25), (1, b, 0.5)] {
            let (mut got, mut want) = ([1f32; NUM_CLASSES], [1f32; NUM_CLASSES]);
            fused.add(row, pass, 0.75, &mut got);
            add_q(&mut want, &q, step, 0.75);
            assert_eq!(got, want, "pass {pass}");
        }
    }
}
