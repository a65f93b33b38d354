//! The run-time form of a model's weights: both passes in one table, looked up with
//! prefetching.
//!
//! Tagging a news article reads some forty feature rows per token from tables of tens
//! of megabytes, so nearly every lookup misses the cache and the tagger waits on
//! memory, not arithmetic. Two things cut that wait:
//!
//! - A feature's first- and second-pass rows sit side by side, so the static features
//!   (most of a token's keys) are fetched once for both passes.
//! - Each key's rows live in its slot of an open-addressing table, as `i16` weights
//!   and a step per row (the model file's own form, so scores are unchanged): one
//!   fetch of two cache lines per key, where a map to a separate row array took two
//!   dependent fetches of four lines.
//! - The static scores of a whole document are summed before decoding (they do not
//!   depend on the tags chosen), asking the memory for the slots of keys a little
//!   ahead while the current ones are added. The table is written by hand because
//!   that needs a key's slot address before reading it, which `HashMap` does not
//!   expose.
//!
//! Tags are the same as with [`super::tagger::tag_prepared`], which scores each pass
//! with its own `Weights`.

use super::features::Aggregates;
use super::labels::NUM_CLASSES;
use super::model::{Model, QuantRow};
use super::tagger::{Decoded, Prepared, decode_with};
use crate::pages::{HugeSlice, prefetch};

/// How many keys ahead a slot is requested from memory.
const AHEAD: usize = 12;

/// One slot of the table: a key and both passes' rows, as `i16` weights times a
/// per-row step. 96 bytes, so a slot spans two cache lines, fetched together.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    key: u64,
    used: bool,
    scale: [f32; 2],
    q: [[i16; NUM_CLASSES]; 2],
}

/// Both passes' weights in one table, for tagging at run time.
#[derive(Debug, Clone, Default)]
pub struct Fused {
    /// In huge pages: lookups are random over the whole table (see `crate::pages`).
    slots: HugeSlice<Slot>,
    mask: usize,
    len: usize,
    two_pass: bool,
}

/// Adds `value` times a quantised row to a score vector. `f32(q) × step` is the very
/// product the model reader makes, so sums match the unquantised tables bit for bit.
#[inline(always)]
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
    /// [`Model::from_bytes_with`] hands them over.
    pub fn from_rows(rows: &[(usize, QuantRow)]) -> Self {
        let mut f = Fused::default();
        f.resize((rows.len() + 1).next_power_of_two());
        for (pass, row) in rows {
            f.put(*pass, row);
        }
        f
    }

    /// Stores one pass's row of a key.
    fn put(&mut self, pass: usize, row: &QuantRow) {
        if pass > 1 {
            return;
        }
        // Keep the table at most three quarters full, so probes stay short.
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.resize(self.slots.len() * 2);
        }
        let i = self.slot_for(row.key);
        if let Some(slot) = self.slots.get_mut(i) {
            slot.scale[pass] = row.scale;
            slot.q[pass] = row.q;
        }
        self.two_pass |= pass == 1;
    }

    /// Moves every slot into a table of `size` slots (a power of two).
    fn resize(&mut self, size: usize) {
        let size = size.max(16);
        let old = std::mem::replace(&mut self.slots, HugeSlice::filled(size, Slot::default()));
        self.mask = size - 1;
        self.len = 0;
        for slot in old.iter().copied().filter(|s| s.used) {
            let i = self.slot_for(slot.key);
            if let Some(s) = self.slots.get_mut(i) {
                *s = slot;
            }
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

    /// The slot of a key, taking an empty one for a new key.
    fn slot_for(&mut self, key: u64) -> usize {
        let mut i = self.home(key);
        while self.slots[i].used && self.slots[i].key != key {
            i = (i + 1) & self.mask;
        }
        if !self.slots[i].used {
            self.slots[i] = Slot {
                key,
                used: true,
                ..Slot::default()
            };
            self.len += 1;
        }
        i
    }

    /// The slot of a key, if the model knows it.
    #[inline]
    fn get(&self, key: u64) -> Option<&Slot> {
        let mut i = self.home(key);
        loop {
            let slot = self.slots.get(i)?;
            if !slot.used {
                return None;
            }
            if slot.key == key {
                return Some(slot);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Both passes' static scores of every token of a document, asking the memory
    /// for the slots of keys a little ahead while the current ones are added.
    fn static_scores(&self, doc: &Prepared) -> Vec<[[f32; NUM_CLASSES]; 2]> {
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
                    let p = (slot as *const Slot).cast::<u8>();
                    prefetch(p);
                    prefetch(p.wrapping_add(64));
                }
                if let Some(slot) = keys.get(j).and_then(|&k| self.get(k)) {
                    // Static features have value 1: `1 × w` is `w` exactly.
                    add_q(&mut sums[0], &slot.q[0], slot.scale[0], 1.0);
                    add_q(&mut sums[1], &slot.q[1], slot.scale[1], 1.0);
                }
            }
        }
        out
    }

    /// Tags a prepared document with both passes (or one, for a one-pass model).
    pub fn tag(&self, model: &Model, doc: &Prepared) -> Decoded {
        let temperature = if model.temperature > 0.0 {
            model.temperature
        } else {
            1.0
        };
        let statics = self.static_scores(doc);
        let dynamic = |pass: usize| {
            move |k: u64, v: f32, scores: &mut [f32; NUM_CLASSES]| {
                if let Some(slot) = self.get(k) {
                    add_q(scores, &slot.q[pass], slot.scale[pass], v);
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
}
