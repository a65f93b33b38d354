//! The run-time form of the part-of-speech weights: each feature's row in one cache
//! line, found through a small table of keys, and fetched ahead of use.
//!
//! A token that is not in the dictionary reads twenty feature rows. Through the
//! model's map a row took three dependent reads (the map's slot, the row's start,
//! the entries), each likely a cache miss, and the tagger spent most of its time
//! waiting on them. Here the keys sit alone in an open-addressing array (1 MB, so
//! probes mostly hit the cache, and a key the model lacks, the common case, costs no
//! further read) beside the number of each key's row; a row is 64 bytes holding up
//! to [`INLINE`] `(tag, weight)` entries, which is all of them for 97 % of the rows.
//! The longer rows, the most frequent features, are kept whole (a weight per tag,
//! zeros included) in a side array that stays in the cache, and added as vectors
//! rather than entry by entry. The shipped model takes about 7 MB so.
//! Before decoding a sentence, the static scores of its tokens are summed, every row
//! requested from memory before the first is added (the entity recogniser does much
//! the same, `crate::ner::fused`). The table is written by hand because that prefetch
//! needs a key's row before reading it, which `HashMap` does not expose.
//!
//! Weights and the order in which they are added are those of [`PosModel::row`], so
//! scores, and tags, are the same bit for bit: a row holds one weight per tag, so
//! each tag's score still gets its rows' weights in the same order, and the zeros a
//! whole row adds change no sum (at most the sign of a zero score).

use super::model::{MAX_TAGS, PosModel};
use crate::pages::{HugeSlice, prefetch};

/// Entries a row holds in its own cache line.
pub const INLINE: usize = 11;

/// Marks an empty slot in `keys` (a real key 0 lives in `zero`).
const EMPTY: u64 = 0;

/// Marks a row whose weights are all inline.
const NOT_WHOLE: u32 = u32::MAX;

/// One feature's weights: `n` entries inline, or, for a row with more than
/// [`INLINE`], every tag's weight as row `whole` of the side array.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(64))]
struct Row {
    n: u8,
    tags: [u8; INLINE],
    weights: [f32; INLINE],
    whole: u32,
}

impl Default for Row {
    fn default() -> Self {
        Row {
            n: 0,
            tags: [0; INLINE],
            weights: [0.0; INLINE],
            whole: NOT_WHOLE,
        }
    }
}

/// Feature rows keyed by feature hash, laid out for tagging.
#[derive(Debug, Clone, Default)]
pub struct RowTable {
    keys: Vec<u64>,
    /// The row of the key in the same slot of `keys`.
    ids: Vec<u32>,
    /// In huge pages: reads are random over the whole array (see `crate::pages`).
    rows: HugeSlice<Row>,
    /// The rows with more than [`INLINE`] weights, `stride` weights each.
    whole: Vec<f32>,
    /// Tags of the model: the length of a whole row.
    stride: usize,
    /// The row of key 0, which `keys` cannot hold.
    zero: Option<Row>,
    mask: usize,
}

impl RowTable {
    /// Lays out every row of `model`.
    pub fn new(model: &PosModel) -> Self {
        let entries = model.rows_iter();
        // At most about two thirds full: a missing key stops within a cache line or two.
        let size = (model.rows() * 4 / 3 + 1).next_power_of_two().max(16);
        let mut t = RowTable {
            keys: vec![EMPTY; size],
            ids: vec![0; size],
            rows: HugeSlice::filled(model.rows(), Row::default()),
            whole: Vec::new(),
            stride: model.tags.len().min(MAX_TAGS),
            zero: None,
            mask: size - 1,
        };
        for (id, (key, entries)) in entries.enumerate() {
            let mut row = Row::default();
            if entries.len() > INLINE {
                row.whole = (t.whole.len() / t.stride.max(1)) as u32;
                let at = t.whole.len();
                t.whole.resize(at + t.stride, 0.0);
                for &(c, w) in entries {
                    if let Some(x) = t.whole.get_mut(at + usize::from(c)) {
                        *x = w;
                    }
                }
            } else {
                for (i, &(c, w)) in entries.iter().enumerate() {
                    row.tags[i] = c;
                    row.weights[i] = w;
                }
                row.n = entries.len() as u8;
            }
            if key == EMPTY {
                t.zero = Some(row);
                continue;
            }
            let mut i = t.home(key);
            while t.keys[i] != EMPTY {
                i = (i + 1) & t.mask;
            }
            t.keys[i] = key;
            t.ids[i] = id as u32;
            if let Some(r) = t.rows.get_mut(id) {
                *r = row;
            }
        }
        t
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        // Keys are already well-mixed hashes; the high bits index the table.
        (key.rotate_left(32) as usize) & self.mask
    }

    /// The row of `key`, if the model has one.
    #[inline]
    fn get(&self, key: u64) -> Option<&Row> {
        if key == EMPTY {
            return self.zero.as_ref();
        }
        let mut i = self.home(key);
        loop {
            match *self.keys.get(i)? {
                k if k == key => return self.rows.get(*self.ids.get(i)? as usize),
                EMPTY => return None,
                _ => i = (i + 1) & self.mask,
            }
        }
    }

    /// Number of feature rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table holds no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds `row`'s weights into `scores`, in the model's entry order.
    #[inline]
    fn add(&self, row: &Row, scores: &mut [f32]) {
        if row.whole != NOT_WHOLE {
            let a = row.whole as usize * self.stride;
            let whole = self.whole.get(a..a + self.stride).unwrap_or(&[]);
            for (s, &w) in scores.iter_mut().zip(whole) {
                *s += w;
            }
            return;
        }
        let n = usize::from(row.n).min(INLINE);
        let inline = row.tags[..n]
            .iter()
            .copied()
            .zip(row.weights[..n].iter().copied());
        for (c, w) in inline {
            if let Some(s) = scores.get_mut(usize::from(c)) {
                *s += w;
            }
        }
    }

    /// Adds the rows of every key in `keys` into `scores`.
    #[inline]
    pub fn add_keys(&self, keys: &[u64], scores: &mut [f32]) {
        for &k in keys {
            if let Some(row) = self.get(k) {
                self.add(row, scores);
            }
        }
    }

    /// Sums, for each group `g` of keys (`keys[start[g]..start[g + 1]]`), the rows of
    /// its keys into `sums[g]`, every row requested from memory before any is added.
    pub fn sum_groups(&self, keys: &[u64], start: &[usize], sums: &mut [[f32; MAX_TAGS]]) {
        // First find every key's slot (the key array is small and mostly cached) and
        // ask for its row; then add them, the rows having arrived meanwhile. A
        // sentence's rows (some forty kilobytes at most) stay in the cache between.
        let rows: Vec<Option<&Row>> = keys
            .iter()
            .map(|&k| {
                let row = self.get(k);
                if let Some(r) = row {
                    prefetch((r as *const Row).cast::<u8>());
                }
                row
            })
            .collect();
        for (g, sum) in sums.iter_mut().enumerate() {
            let a = start.get(g).copied().unwrap_or(0);
            let b = start.get(g + 1).copied().unwrap_or(a);
            for row in rows.get(a..b).unwrap_or(&[]).iter().flatten() {
                self.add(row, sum);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::hash::KeyMap;

    #[test]
    fn rows_read_back_as_the_model_gives_them() {
        // One short row, one that spills past the cache line, and key 0.
        let long: Vec<f32> = (0..30).map(|i| i as f32 - 14.5).collect();
        let model = PosModel::new(
            (0..30).map(|i| format!("T{i}")).collect(),
            KeyMap::default(),
            [
                (42, {
                    let mut r = vec![0.0; 30];
                    r[3] = 1.5;
                    r
                }),
                (7, long.clone()),
                (0, {
                    let mut r = vec![0.0; 30];
                    r[0] = -2.0;
                    r
                }),
            ],
            0.0,
        );
        let t = RowTable::new(&model);
        for key in [42u64, 7, 0, 12345] {
            let mut want = [0f32; 30];
            super::super::tagger::add_rows(&[key], |k| model.row(k), &mut want);
            let mut got = [0f32; 30];
            t.add_keys(&[key], &mut got);
            assert_eq!(got, want, "key {key}");
        }
        let mut sums = [[0f32; MAX_TAGS]; 2];
        t.sum_groups(&[42, 7, 0, 99], &[0, 2, 4], &mut sums);
        assert_eq!(sums[0][3], 1.5 + long[3]);
        assert_eq!(sums[1][0], -2.0);
    }
}
