//! The part-of-speech model: tag names, a dictionary of unambiguous frequent words,
//! and sparse feature weights, with a compact checksummed file format.
//!
//! In memory a feature key maps to a run of `(tag, weight)` entries: after averaging
//! most features move only a few of the 45 tags, so a sparse row is both smaller and
//! faster to add than a dense one. On disk each row stores its entries quantised to
//! `i16` against the row's own scale. Rows are sorted by key and nothing time- or
//! machine-dependent is written, so the same weights always give the same bytes.
//!
//! Layout (little-endian): magic `NEWSDPOS`, version `u32`, tag count `u16` then each
//! tag as `u8` length + ASCII, dictionary count `u32` then `(u64 word, u8 tag)` pairs,
//! row count `u32` then per row `u64 key`, `u8` entry count, `f32` scale and
//! `(u8 tag, i16 weight)` per entry, and finally a `u64` checksum of all that precedes.

use super::PosError;
use crate::ner::hash::{KeyMap, hash_bytes};

const MAGIC: &[u8; 8] = b"NEWSDPOS";
const VERSION: u32 = 1;

/// Most tags a model may have (tags are `u8`, and `u8::MAX` marks "no tag").
pub const MAX_TAGS: usize = 64;

/// A loaded or freshly trained model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PosModel {
    /// Tag names, indexed by tag id.
    pub tags: Vec<String>,
    /// Words (hash of the exact normalised form, [`super::features::TokenLex::exact`])
    /// that always get one tag, skipping the scoring.
    pub dict: KeyMap<u8>,
    index: KeyMap<u32>,
    /// Row `r` owns `entries[start[r]..start[r + 1]]`.
    start: Vec<u32>,
    entries: Vec<(u8, f32)>,
}

impl PosModel {
    /// Builds a model from tag names, dictionary and `(key, dense row)` pairs,
    /// keeping only entries whose magnitude is above `prune`.
    pub fn new(
        tags: Vec<String>,
        dict: KeyMap<u8>,
        rows: impl IntoIterator<Item = (u64, Vec<f32>)>,
        prune: f32,
    ) -> Self {
        let mut m = PosModel {
            tags,
            dict,
            start: vec![0],
            ..PosModel::default()
        };
        for (key, row) in rows {
            let before = m.entries.len();
            for (c, w) in row.iter().enumerate() {
                if w.abs() > prune
                    && w.is_finite()
                    && let Ok(c) = u8::try_from(c)
                {
                    m.entries.push((c, *w));
                }
            }
            if m.entries.len() > before {
                m.index.insert(key, (m.start.len() - 1) as u32);
                m.start.push(m.entries.len() as u32);
            }
        }
        m
    }

    /// Number of feature rows.
    pub fn rows(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// The `(tag, weight)` entries of a feature key (empty when unknown).
    #[inline]
    pub fn row(&self, key: u64) -> &[(u8, f32)] {
        let Some(&r) = self.index.get(&key) else {
            return &[];
        };
        let a = self.start.get(r as usize).copied().unwrap_or(0) as usize;
        let b = self.start.get(r as usize + 1).copied().unwrap_or(0) as usize;
        self.entries.get(a..b).unwrap_or(&[])
    }

    /// The model without its feature rows (tags and dictionary only), for a tagger
    /// whose [`super::table::RowTable`] holds the weights already.
    pub fn without_rows(self) -> Self {
        PosModel {
            tags: self.tags,
            dict: self.dict,
            ..PosModel::default()
        }
    }

    /// Every row with its key, in no particular order.
    pub fn rows_iter(&self) -> impl Iterator<Item = (u64, &[(u8, f32)])> + '_ {
        self.index.keys().map(|&k| (k, self.row(k)))
    }

    /// Rows sorted by key.
    fn sorted(&self) -> Vec<(u64, &[(u8, f32)])> {
        let mut v: Vec<(u64, &[(u8, f32)])> =
            self.index.keys().map(|&k| (k, self.row(k))).collect();
        v.sort_unstable_by_key(|(k, _)| *k);
        v
    }

    /// Serialises the model (weights quantised to `i16` per row).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.entries.len() * 3 + self.rows() * 13);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(self.tags.len() as u16).to_le_bytes());
        for t in &self.tags {
            let bytes = &t.as_bytes()[..t.len().min(255)];
            out.push(bytes.len() as u8);
            out.extend_from_slice(bytes);
        }
        let mut dict: Vec<(u64, u8)> = self.dict.iter().map(|(&k, &v)| (k, v)).collect();
        dict.sort_unstable();
        out.extend_from_slice(&(dict.len() as u32).to_le_bytes());
        for (k, v) in dict {
            out.extend_from_slice(&k.to_le_bytes());
            out.push(v);
        }
        let rows = self.sorted();
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        for (key, entries) in rows {
            let entries = &entries[..entries.len().min(255)];
            let max = entries.iter().fold(0f32, |m, (_, w)| m.max(w.abs()));
            let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
            out.extend_from_slice(&key.to_le_bytes());
            out.push(entries.len() as u8);
            out.extend_from_slice(&scale.to_le_bytes());
            for (c, w) in entries {
                out.push(*c);
                let q = (w / scale).round().clamp(-32767.0, 32767.0) as i16;
                out.extend_from_slice(&q.to_le_bytes());
            }
        }
        let sum = hash_bytes(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Reads what [`PosModel::to_bytes`] wrote, checking magic, version, checksum and
    /// every length: a truncated or foreign file is an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PosError> {
        let bad = |m: &str| PosError::Model(m.to_string());
        if bytes.len() < 8 + 4 + 8 || bytes.get(..8) != Some(MAGIC.as_slice()) {
            return Err(bad("not a newsd part-of-speech model"));
        }
        let (body, sum) = bytes.split_at(bytes.len() - 8);
        let mut r = Reader {
            bytes: body,
            pos: 8,
        };
        let version = r.u32()?;
        if version != VERSION {
            return Err(PosError::Model(format!(
                "model version {version}, this build reads {VERSION}"
            )));
        }
        if hash_bytes(body).to_le_bytes().as_slice() != sum {
            return Err(bad("checksum mismatch (corrupt or truncated file)"));
        }
        let n_tags = usize::from(r.u16()?);
        if n_tags == 0 || n_tags > MAX_TAGS {
            return Err(bad("bad tag count"));
        }
        let mut tags = Vec::with_capacity(n_tags);
        for _ in 0..n_tags {
            let len = usize::from(r.u8()?);
            let raw = r.take(len)?;
            tags.push(
                std::str::from_utf8(raw)
                    .map_err(|_| bad("tag name is not UTF-8"))?
                    .to_string(),
            );
        }
        let n_dict = r.u32()? as usize;
        let mut dict = KeyMap::default();
        dict.reserve(n_dict.min(body.len() / 9));
        for _ in 0..n_dict {
            let k = r.u64()?;
            let v = r.u8()?;
            if usize::from(v) >= n_tags {
                return Err(bad("dictionary tag out of range"));
            }
            dict.insert(k, v);
        }
        let n_rows = r.u32()? as usize;
        let mut m = PosModel {
            tags,
            dict,
            start: Vec::with_capacity(n_rows.min(body.len() / 13) + 1),
            ..PosModel::default()
        };
        m.start.push(0);
        m.index.reserve(n_rows.min(body.len() / 13));
        for _ in 0..n_rows {
            let key = r.u64()?;
            let n = usize::from(r.u8()?);
            let scale = r.f32()?;
            if !scale.is_finite() {
                return Err(bad("bad row scale"));
            }
            for _ in 0..n {
                let c = r.u8()?;
                if usize::from(c) >= n_tags {
                    return Err(bad("row tag out of range"));
                }
                let w = f32::from(r.i16()?) * scale;
                m.entries.push((c, w));
            }
            m.index.insert(key, (m.start.len() - 1) as u32);
            m.start.push(m.entries.len() as u32);
        }
        if r.pos != body.len() {
            return Err(bad("trailing bytes after the weights"));
        }
        Ok(m)
    }
}

/// A bounds-checked cursor over model bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PosError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| PosError::Model("file truncated".to_string()))?;
        let s = self.bytes.get(self.pos..end).unwrap_or(&[]);
        self.pos = end;
        Ok(s)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], PosError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, PosError> {
        Ok(self.array::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16, PosError> {
        Ok(u16::from_le_bytes(self.array()?))
    }
    fn i16(&mut self) -> Result<i16, PosError> {
        Ok(i16::from_le_bytes(self.array()?))
    }
    fn u32(&mut self) -> Result<u32, PosError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, PosError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn f32(&mut self) -> Result<f32, PosError> {
        Ok(f32::from_bits(self.u32()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PosModel {
        let mut dict = KeyMap::default();
        dict.insert(99, 1);
        PosModel::new(
            vec!["NN".into(), "DT".into(), "JJ".into()],
            dict,
            [
                (42, vec![1.5, 0.0, -0.25]),
                (7, vec![0.0, 0.001, 0.0]),
                (9, vec![0.0; 3]),
            ],
            0.0,
        )
    }

    #[test]
    fn round_trip_is_exact_in_bytes_and_close_in_weights() {
        let m = sample();
        assert_eq!(m.rows(), 2, "the all-zero row is dropped");
        let bytes = m.to_bytes();
        let back = PosModel::from_bytes(&bytes).expect("reads");
        assert_eq!(back.tags, m.tags);
        assert_eq!(back.dict.get(&99), Some(&1));
        let row = back.row(42);
        assert_eq!(row.len(), 2);
        assert!((row[0].1 - 1.5).abs() < 1e-4 && (row[1].1 + 0.25).abs() < 1e-4);
        assert!(back.row(12345).is_empty());
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn corrupt_files_are_errors() {
        let bytes = sample().to_bytes();
        assert!(PosModel::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(PosModel::from_bytes(b"NEWSDPOS").is_err());
        let mut flipped = bytes.clone();
        flipped[20] ^= 1;
        assert!(PosModel::from_bytes(&flipped).is_err());
    }
}
