//! The trained model: feature weights, the compiled gazetteer and a calibration
//! temperature, with a compact binary file format.
//!
//! In memory the weights are a hash map from feature key to a dense row of
//! [`NUM_CLASSES`] `f32`s, so scoring a feature is one lookup and a 17-wide add. On
//! disk most rows are sparse (a rare word's feature moves only the few classes it was
//! seen with), so a row is written as its non-zero classes only, each weight quantised
//! to an `i16` against the row's own scale. Rows are sorted by key and nothing time- or
//! machine-dependent is written, so the same weights always give the same bytes.
//!
//! Layout (little-endian): magic `NEWSDNER`, version `u32`, temperature `f32`, list
//! count `u32` then each list name as `u16` length + UTF-8, gazetteer entry
//! count `u32` then `(u64 key, u32 bits)` pairs, row count `u32` then per row `u64 key`,
//! `u32` class mask, `f32` scale and one `i16` per set bit, and finally a `u64` checksum of all that
//! precedes it. The row section appears twice: first pass, then second pass.

use super::NerError;
use super::gazetteer::Gazetteer;
use super::hash::{KeyMap, hash_bytes};
use super::labels::NUM_CLASSES;

const MAGIC: &[u8; 8] = b"NEWSDNER";
const VERSION: u32 = 3;

/// Feature weights ready for scoring.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    index: KeyMap<u32>,
    rows: Vec<[f32; NUM_CLASSES]>,
}

impl Weights {
    /// Builds weights from `(key, row)` pairs.
    pub fn from_rows(rows: impl IntoIterator<Item = (u64, [f32; NUM_CLASSES])>) -> Self {
        let mut w = Weights::default();
        for (k, r) in rows {
            w.index.insert(k, w.rows.len() as u32);
            w.rows.push(r);
        }
        w
    }

    /// Number of feature rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row of a feature key, if the model knows it.
    #[inline]
    pub fn row(&self, key: u64) -> Option<&[f32; NUM_CLASSES]> {
        self.index
            .get(&key)
            .and_then(|&r| self.rows.get(r as usize))
    }

    /// Adds `value` times the row of `key` to `scores`.
    #[inline]
    pub fn add(&self, key: u64, value: f32, scores: &mut [f32; NUM_CLASSES]) {
        if let Some(row) = self.row(key) {
            for (s, w) in scores.iter_mut().zip(row) {
                *s += value * w;
            }
        }
    }

    /// Rows sorted by key.
    pub fn sorted(&self) -> Vec<(u64, &[f32; NUM_CLASSES])> {
        let mut v: Vec<(u64, &[f32; NUM_CLASSES])> = self
            .index
            .iter()
            .filter_map(|(&k, &r)| self.rows.get(r as usize).map(|row| (k, row)))
            .collect();
        v.sort_unstable_by_key(|(k, _)| *k);
        v
    }
}

/// Everything the tagger needs.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Feature weights of the first pass.
    pub weights: Weights,
    /// Feature weights of the second pass, which also sees the first pass's tags over
    /// the whole document; empty for a one-pass model.
    pub second: Weights,
    /// Phrase lists, compiled.
    pub gazetteer: Gazetteer,
    /// Softmax temperature that turns scores into calibrated token probabilities.
    pub temperature: f32,
}

impl Model {
    /// Serialises the model, quantising weights to `i16` (weights below half a
    /// quantisation step are dropped).
    pub fn to_bytes(&self) -> Vec<u8> {
        let passes = [self.weights.sorted(), self.second.sorted()];
        let mut out = Vec::with_capacity(16 + (passes[0].len() + passes[1].len()) * 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&self.temperature.to_le_bytes());
        let names = self.gazetteer.names();
        out.extend_from_slice(&(names.len() as u32).to_le_bytes());
        for n in names {
            out.extend_from_slice(&(n.len() as u16).to_le_bytes());
            out.extend_from_slice(n.as_bytes());
        }
        let entries = self.gazetteer.entries();
        out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
        for (k, v) in entries {
            out.extend_from_slice(&k.to_le_bytes());
            out.extend_from_slice(&v.to_le_bytes());
        }
        for rows in passes {
            write_rows(&mut out, &rows);
        }
        let sum = hash_bytes(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Reads a model written by [`Model::to_bytes`], checking magic, version, checksum
    /// and every length, so a truncated or foreign file is an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, NerError> {
        let mut passes = [Weights::default(), Weights::default()];
        let mut model = Self::from_bytes_with(bytes, |pass, row| {
            if let Some(w) = passes.get_mut(pass) {
                w.index.insert(row.key, w.rows.len() as u32);
                w.rows.push(row.weights());
            }
        })?;
        let [weights, second] = passes;
        model.weights = weights;
        model.second = second;
        Ok(model)
    }

    /// Reads a model file, handing each weight row to `on_row(pass, row)` in its
    /// stored `i16` form instead of keeping it; the returned model's weights are empty.
    /// For run-time tables that keep the compact form (see `super::fused`).
    pub fn from_bytes_with(
        bytes: &[u8],
        mut on_row: impl FnMut(usize, &QuantRow),
    ) -> Result<Model, NerError> {
        let bad = |m: &str| NerError::Model(m.to_string());
        if bytes.len() < 8 + 4 + 8 {
            return Err(bad("file too short"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        if body.get(..8) != Some(MAGIC.as_slice()) {
            return Err(bad("not a newsd NER model (bad magic)"));
        }
        let mut r = Reader {
            bytes: body,
            pos: 8,
        };
        let version = r.u32()?;
        if version != VERSION {
            return Err(NerError::Model(format!(
                "model version {version}, this build reads {VERSION}"
            )));
        }
        if hash_bytes(body).to_le_bytes() != sum {
            return Err(bad("checksum mismatch (corrupt or truncated file)"));
        }
        let temperature = r.f32()?;
        let n_lists = r.u32()? as usize;
        let mut names = Vec::with_capacity(n_lists.min(64));
        for _ in 0..n_lists {
            let len = r.u16()? as usize;
            let raw = r.take(len)?;
            names.push(
                std::str::from_utf8(raw)
                    .map_err(|_| bad("list name is not UTF-8"))?
                    .to_string(),
            );
        }
        let n_entries = r.u32()? as usize; // take() below bounds it by the file size
        let raw = r.take(
            n_entries
                .checked_mul(12)
                .ok_or_else(|| bad("bad entry count"))?,
        )?;
        let entries: Vec<(u64, u32)> = raw
            .chunks_exact(12)
            .map(|c| (le_u64(&c[..8]), le_u32(&c[8..])))
            .collect();
        let gazetteer = Gazetteer::from_entries(names, &entries);
        read_rows(&mut r, |row| on_row(0, row))?;
        read_rows(&mut r, |row| on_row(1, row))?;
        if r.pos != body.len() {
            return Err(bad("trailing bytes after the weights"));
        }
        Ok(Model {
            weights: Weights::default(),
            second: Weights::default(),
            gazetteer,
            temperature,
        })
    }
}

/// Writes one pass's rows: count, then per row the key, a class mask, the row's scale
/// and one `i16` per non-zero class. A scale per row keeps small rows (rare words)
/// as precise as large ones (the bias); one global scale cost 0.2 points of F1.
fn write_rows(out: &mut Vec<u8>, rows: &[(u64, &[f32; NUM_CLASSES])]) {
    let mut body = Vec::with_capacity(rows.len() * 20);
    let mut kept = 0u32;
    for (k, row) in rows {
        let Some(QuantRow { scale, q, .. }) = QuantRow::quantise(*k, row) else {
            continue;
        };
        let mask = q
            .iter()
            .enumerate()
            .filter(|(_, w)| **w != 0)
            .fold(0u32, |m, (c, _)| m | 1 << c);
        kept += 1;
        body.extend_from_slice(&k.to_le_bytes());
        body.extend_from_slice(&mask.to_le_bytes());
        body.extend_from_slice(&scale.to_le_bytes());
        for w in q.iter().filter(|w| **w != 0) {
            body.extend_from_slice(&w.to_le_bytes());
        }
    }
    out.extend_from_slice(&kept.to_le_bytes());
    out.extend_from_slice(&body);
}

/// One weight row as stored: every weight is `q[c] × scale`.
#[derive(Debug, Clone, Copy)]
pub struct QuantRow {
    /// The feature key.
    pub key: u64,
    /// The quantisation step.
    pub scale: f32,
    /// The weights in steps, one per class.
    pub q: [i16; NUM_CLASSES],
}

impl QuantRow {
    /// Quantises a row to steps of its largest magnitude / 32767 (a scale per row
    /// keeps small rows as precise as large ones); `None` for an all-zero or
    /// non-finite row, which is not stored.
    pub fn quantise(key: u64, row: &[f32; NUM_CLASSES]) -> Option<QuantRow> {
        const QMAX: f32 = 32767.0;
        let max = row.iter().fold(0f32, |m, w| m.max(w.abs()));
        if max == 0.0 || !max.is_finite() {
            return None;
        }
        let scale = max / QMAX;
        let mut q = [0i16; NUM_CLASSES];
        for (o, w) in q.iter_mut().zip(row) {
            *o = (w / scale).round().clamp(-QMAX, QMAX) as i16;
        }
        Some(QuantRow { key, scale, q })
    }

    /// The row as `f32` weights (`f32(q) × scale`, the products the tagger adds).
    pub fn weights(&self) -> [f32; NUM_CLASSES] {
        let mut row = [0f32; NUM_CLASSES];
        for (w, q) in row.iter_mut().zip(&self.q) {
            if *q != 0 {
                *w = f32::from(*q) * self.scale;
            }
        }
        row
    }
}

/// Reads what [`write_rows`] wrote, handing each row to `on_row`.
fn read_rows(r: &mut Reader<'_>, mut on_row: impl FnMut(&QuantRow)) -> Result<(), NerError> {
    let n_rows = r.u32()? as usize;
    for _ in 0..n_rows {
        let key = r.u64()?;
        let mask = r.u32()?;
        let scale = r.f32()?;
        if mask >> NUM_CLASSES != 0 || !scale.is_finite() {
            return Err(NerError::Model(
                "row has an unknown class or a bad scale".to_string(),
            ));
        }
        let mut q = [0i16; NUM_CLASSES];
        let mut m = mask;
        while m != 0 {
            let c = m.trailing_zeros() as usize;
            m &= m - 1;
            q[c] = r.i16()?;
        }
        on_row(&QuantRow { key, scale, q });
    }
    Ok(())
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

/// A bounds-checked cursor over the model bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], NerError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| NerError::Model("file truncated".to_string()))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u16(&mut self) -> Result<u16, NerError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn i16(&mut self) -> Result<i16, NerError> {
        let b = self.take(2)?;
        Ok(i16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, NerError> {
        self.take(4).map(le_u32)
    }
    fn u64(&mut self) -> Result<u64, NerError> {
        self.take(8).map(le_u64)
    }
    fn f32(&mut self) -> Result<f32, NerError> {
        Ok(f32::from_bits(self.u32()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Model {
        let mut r1 = [0f32; NUM_CLASSES];
        r1[0] = 1.5;
        r1[16] = -0.25;
        let mut r2 = [0f32; NUM_CLASSES];
        r2[3] = 0.001;
        Model {
            weights: Weights::from_rows([(42, r1), (7, r2), (9, [0.0; NUM_CLASSES])]),
            second: Weights::from_rows([(5, r1)]),
            gazetteer: Gazetteer::from_lists([("cities", "Moscow\nNew York\n")]).unwrap(),
            temperature: 2.0,
        }
    }

    #[test]
    fn save_load_round_trip() {
        let m = sample();
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.temperature, 2.0);
        assert_eq!(back.gazetteer, m.gazetteer);
        // The all-zero row is dropped; the others survive within a quantisation step.
        assert_eq!(back.weights.len(), 2);
        let row = back.weights.row(42).unwrap();
        assert!((row[0] - 1.5).abs() < 1e-4 && (row[16] + 0.25).abs() < 1e-4);
        assert!((back.weights.row(7).unwrap()[3] - 0.001).abs() < 1e-4);
        assert_eq!(back.second.len(), 1);
        // Same model, same bytes.
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn corrupt_files_are_errors() {
        let bytes = sample().to_bytes();
        assert!(Model::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Model::from_bytes(b"hello").is_err());
        let mut flipped = bytes.clone();
        flipped[30] ^= 1;
        assert!(Model::from_bytes(&flipped).is_err());
    }
}
