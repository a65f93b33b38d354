//! The near-duplicate index: LSH over MinHash fingerprints, bounded by a window of
//! articles and days, persisted as an append-only file in the state folder.
//!
//! Decisions must follow the order records are written (the earliest copy is the
//! original), so the index lives in the outbox writer thread. Each decision appends a
//! fixed-size entry to the file *before* the record is written: after a crash the
//! input is processed again under the same claim, finds its own entry by claim and
//! gets the same verdict without a second entry. A torn last entry is cut at load;
//! the file is rewritten without expired entries once it holds twice the window.

use std::collections::{HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::fingerprint::{Fingerprint, MINHASH_LEN};

/// File header: magic and format version.
const MAGIC: &[u8; 8] = b"NWSDDP01";
/// Rows per LSH band: 42 bands of 3 rows find pairs with Jaccard 0.4 with
/// probability 0.94 and 0.2 with 0.29 (those are then checked and rejected).
const ROWS: usize = 3;
const BANDS: usize = MINHASH_LEN / ROWS;
/// Bytes per stored entry.
const ENTRY_BYTES: usize = 8 + 16 + 8 + 16 + 8 + 4 + MINHASH_LEN * 2;

/// Index settings.
#[derive(Debug, Clone, Copy)]
pub struct IndexSettings {
    /// Estimated Jaccard similarity at or above which an article is a near-duplicate.
    pub threshold: f64,
    /// Most articles remembered.
    pub window_articles: usize,
    /// Articles older than this many days are forgotten (0: no age limit).
    pub window_days: u64,
}

/// The index's decision for one article.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Id of the earliest copy when this is a near-duplicate.
    pub duplicate_of: Option<String>,
    /// Estimated similarity to the closest earlier article (0 when none is close).
    pub similarity: f64,
    /// Cluster id: the id of the earliest article of its group (its own when new).
    pub cluster: String,
}

#[derive(Debug, Clone)]
struct Entry {
    time_s: u64,
    id: [u8; 16],
    claim: u64,
    root: [u8; 16],
    fp: Fingerprint,
}

/// The index.
#[derive(Debug)]
pub struct DedupIndex {
    settings: IndexSettings,
    entries: VecDeque<Entry>,
    /// Sequence number of `entries[0]`.
    base: u64,
    buckets: HashMap<u64, Vec<u64>>,
    by_id: HashMap<[u8; 16], u64>,
    by_claim: HashMap<u64, u64>,
    file: Option<(PathBuf, File)>,
    /// Entries in the file (live or expired), to decide when to compact.
    file_entries: usize,
}

fn hex(id: &[u8; 16]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_hex(s: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = s
            .get(2 * i..2 * i + 2)
            .and_then(|p| u8::from_str_radix(p, 16).ok())
            .unwrap_or(0);
    }
    out
}

/// FNV-1a of a claim token.
fn claim_hash(claim: &str) -> u64 {
    claim.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn band_key(band: usize, fp: &Fingerprint) -> u64 {
    let mut h = 0x9e37_79b9_7f4a_7c15u64.wrapping_mul(band as u64 + 1);
    for &v in &fp.minhash[band * ROWS..band * ROWS + ROWS] {
        h = (h ^ u64::from(v)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Entry {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.time_s.to_le_bytes());
        out.extend_from_slice(&self.id);
        out.extend_from_slice(&self.claim.to_le_bytes());
        out.extend_from_slice(&self.root);
        out.extend_from_slice(&self.fp.simhash.to_le_bytes());
        out.extend_from_slice(&self.fp.shingles.to_le_bytes());
        for v in self.fp.minhash {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }

    fn decode(b: &[u8]) -> Option<Self> {
        let u64_at = |o: usize| {
            b.get(o..o + 8)
                .and_then(|s| s.try_into().ok())
                .map(u64::from_le_bytes)
        };
        let id16 = |o: usize| b.get(o..o + 16).and_then(|s| <[u8; 16]>::try_from(s).ok());
        let mut minhash = [0u16; MINHASH_LEN];
        for (i, m) in minhash.iter_mut().enumerate() {
            let o = 60 + 2 * i;
            *m = u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?);
        }
        Some(Entry {
            time_s: u64_at(0)?,
            id: id16(8)?,
            claim: u64_at(24)?,
            root: id16(32)?,
            fp: Fingerprint {
                simhash: u64_at(48)?,
                shingles: u32::from_le_bytes(b.get(56..60)?.try_into().ok()?),
                minhash,
            },
        })
    }
}

impl DedupIndex {
    /// An index kept in memory only (for `newsd process` and evaluations).
    pub fn in_memory(settings: IndexSettings) -> Self {
        Self {
            settings,
            entries: VecDeque::new(),
            base: 0,
            buckets: HashMap::new(),
            by_id: HashMap::new(),
            by_claim: HashMap::new(),
            file: None,
            file_entries: 0,
        }
    }

    /// Opens (or creates) the persistent index at `path`, loading the entries still
    /// inside the window as of `now_s` (Unix seconds).
    pub fn open(path: &Path, settings: IndexSettings, now_s: u64) -> io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0))?;
        file.read_to_end(&mut bytes)?;
        let mut index = Self::in_memory(settings);
        if bytes.is_empty() {
            file.write_all(MAGIC)?;
        } else if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is not a newsd duplicate index", path.display()),
            ));
        } else {
            let body = &bytes[MAGIC.len()..];
            let whole = body.len() / ENTRY_BYTES * ENTRY_BYTES;
            if whole < body.len() {
                // A torn last entry from a crash: cut it.
                file.set_len((MAGIC.len() + whole) as u64)?;
            }
            for chunk in body[..whole].chunks_exact(ENTRY_BYTES) {
                if let Some(e) = Entry::decode(chunk) {
                    index.insert(e);
                }
                index.file_entries += 1;
            }
            index.evict(now_s);
        }
        index.file = Some((path.to_path_buf(), file));
        Ok(index)
    }

    /// Articles currently remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn get(&self, seq: u64) -> Option<&Entry> {
        seq.checked_sub(self.base)
            .and_then(|i| self.entries.get(i as usize))
    }

    fn insert(&mut self, e: Entry) {
        let seq = self.base + self.entries.len() as u64;
        for band in 0..BANDS {
            self.buckets
                .entry(band_key(band, &e.fp))
                .or_default()
                .push(seq);
        }
        self.by_id.entry(e.id).or_insert(seq);
        self.by_claim.insert(e.claim, seq);
        self.entries.push_back(e);
    }

    /// Forgets entries outside the window, and prunes stale bucket references once
    /// there are many.
    fn evict(&mut self, now_s: u64) {
        let max_age = self.settings.window_days.saturating_mul(86_400);
        let mut evicted = false;
        while let Some(front) = self.entries.front() {
            let too_many = self.entries.len() > self.settings.window_articles;
            let too_old = max_age > 0 && now_s.saturating_sub(front.time_s) > max_age;
            if !(too_many || too_old) {
                break;
            }
            let seq = self.base;
            if self.by_id.get(&front.id) == Some(&seq) {
                self.by_id.remove(&front.id);
            }
            if self.by_claim.get(&front.claim) == Some(&seq) {
                self.by_claim.remove(&front.claim);
            }
            self.entries.pop_front();
            self.base += 1;
            evicted = true;
        }
        if evicted && self.base.is_multiple_of(4096) {
            let base = self.base;
            self.buckets.retain(|_, seqs| {
                seqs.retain(|&s| s >= base);
                !seqs.is_empty()
            });
        }
    }

    /// Decides whether an article (content id `id_hex`, claim token `claim`) nearly
    /// duplicates an earlier one, and remembers it. Persistent indexes write the entry
    /// before returning.
    pub fn check_and_add(
        &mut self,
        id_hex: &str,
        claim: &str,
        fp: &Fingerprint,
        now_s: u64,
    ) -> io::Result<Verdict> {
        let id = parse_hex(id_hex);
        let claim = claim_hash(claim);
        self.evict(now_s);
        // The same claim again: a reprocessing after a crash. Same verdict, no new entry.
        if let Some(e) = self.by_claim.get(&claim).and_then(|&s| self.get(s)) {
            return Ok(self.verdict_of(e, 1.0));
        }
        let mut best: Option<(f64, u64)> = None;
        if let Some(&seq) = self.by_id.get(&id) {
            best = Some((1.0, seq));
        } else if fp.shingles > 0 {
            let mut seen = std::collections::HashSet::new();
            for band in 0..BANDS {
                let Some(seqs) = self.buckets.get(&band_key(band, fp)) else {
                    continue;
                };
                for &seq in seqs {
                    if seq < self.base || !seen.insert(seq) {
                        continue;
                    }
                    let Some(e) = self.get(seq) else { continue };
                    let s = fp.similarity(&e.fp);
                    if best.is_none_or(|(bs, _)| s > bs) {
                        best = Some((s, seq));
                    }
                }
            }
        }
        let (similarity, root) = match best.and_then(|(s, seq)| self.get(seq).map(|e| (s, e.root)))
        {
            Some((s, root)) if s >= self.settings.threshold => (s, Some(root)),
            Some((s, _)) => (s, None),
            None => (0.0, None),
        };
        let entry = Entry {
            time_s: now_s,
            id,
            claim,
            root: root.unwrap_or(id),
            fp: fp.clone(),
        };
        let verdict = Verdict {
            duplicate_of: root.map(|r| hex(&r)),
            similarity,
            cluster: hex(&entry.root),
        };
        self.persist(&entry)?;
        self.insert(entry);
        Ok(verdict)
    }

    fn verdict_of(&self, e: &Entry, similarity: f64) -> Verdict {
        Verdict {
            duplicate_of: (e.root != e.id).then(|| hex(&e.root)),
            similarity: if e.root != e.id { similarity } else { 0.0 },
            cluster: hex(&e.root),
        }
    }

    fn persist(&mut self, entry: &Entry) -> io::Result<()> {
        let Some((_, file)) = self.file.as_mut() else {
            return Ok(());
        };
        let mut buf = Vec::with_capacity(ENTRY_BYTES);
        entry.encode(&mut buf);
        file.write_all(&buf)?;
        self.file_entries += 1;
        if self.file_entries > 2 * self.settings.window_articles.max(1024) {
            self.compact()?;
        }
        Ok(())
    }

    /// Rewrites the file with only the live entries (temporary file, then rename).
    fn compact(&mut self) -> io::Result<()> {
        let Some((path, _)) = self.file.as_ref() else {
            return Ok(());
        };
        let path = path.clone();
        let mut bytes = Vec::with_capacity(MAGIC.len() + self.entries.len() * ENTRY_BYTES);
        bytes.extend_from_slice(MAGIC);
        for e in &self.entries {
            e.encode(&mut bytes);
        }
        crate::fsutil::write_atomic(&path, &bytes)?;
        let file = OpenOptions::new().append(true).open(&path)?;
        self.file = Some((path, file));
        self.file_entries = self.entries.len();
        Ok(())
    }

    /// Flushes the file to disk (called with the outbox's fsync).
    pub fn sync(&self) -> io::Result<()> {
        match &self.file {
            Some((_, f)) => f.sync_data(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> IndexSettings {
        IndexSettings {
            threshold: 0.5,
            window_articles: 100,
            window_days: 7,
        }
    }

    fn fp_of(seed: u64, overlap_with: Option<(u64, usize)>) -> Fingerprint {
        // Synthetic fingerprints: agree with another on `n` of 128 positions.
        let mut minhash = [0u16; MINHASH_LEN];
        for (i, m) in minhash.iter_mut().enumerate() {
            *m = ((seed.wrapping_mul(0x9e37_79b9) >> 7) as u16)
                .wrapping_add((i as u16).wrapping_mul(7919));
        }
        if let Some((other, n)) = overlap_with {
            let o = fp_of(other, None);
            minhash[..n].copy_from_slice(&o.minhash[..n]);
        }
        Fingerprint {
            simhash: seed,
            minhash,
            shingles: 100,
        }
    }

    fn id(n: u8) -> String {
        format!("{n:02x}").repeat(16)
    }

    #[test]
    fn near_copies_point_at_the_earliest_article() {
        let mut idx = DedupIndex::in_memory(settings());
        let a = idx
            .check_and_add(&id(1), "c1", &fp_of(1, None), 100)
            .unwrap();
        assert_eq!(a.duplicate_of, None);
        assert_eq!(a.cluster, id(1));
        let fb = fp_of(2, Some((1, 100)));
        let b = idx.check_and_add(&id(2), "c2", &fb, 101).unwrap();
        assert_eq!(b.duplicate_of, Some(id(1)));
        assert!(b.similarity > 0.7);
        // A copy of the copy (closer to it than to the original) still points at the original.
        let mut fc = fp_of(3, None);
        fc.minhash[..120].copy_from_slice(&fb.minhash[..120]);
        let c = idx.check_and_add(&id(3), "c3", &fc, 102).unwrap();
        assert_eq!(c.duplicate_of, Some(id(1)));
        assert_eq!(c.cluster, id(1));
        let d = idx
            .check_and_add(&id(4), "c4", &fp_of(4, Some((1, 20))), 103)
            .unwrap();
        assert_eq!(d.duplicate_of, None, "similarity {}", d.similarity);
    }

    #[test]
    fn exact_copies_match_by_id() {
        let mut idx = DedupIndex::in_memory(settings());
        idx.check_and_add(&id(9), "a", &fp_of(9, None), 1).unwrap();
        let v = idx.check_and_add(&id(9), "b", &fp_of(9, None), 2).unwrap();
        assert_eq!(v.duplicate_of, Some(id(9)));
        assert_eq!(v.similarity, 1.0);
    }

    #[test]
    fn persists_across_restarts_and_reprocessing_keeps_the_verdict() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/dedup.idx");
        {
            let mut idx = DedupIndex::open(&path, settings(), 10).unwrap();
            idx.check_and_add(&id(1), "c1", &fp_of(1, None), 10)
                .unwrap();
            idx.check_and_add(&id(2), "c2", &fp_of(2, Some((1, 128))), 11)
                .unwrap();
        }
        // A torn trailing write from a crash is cut.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&[1, 2, 3]).unwrap();
        drop(f);
        let mut idx = DedupIndex::open(&path, settings(), 12).unwrap();
        assert_eq!(idx.len(), 2);
        let again = idx
            .check_and_add(&id(2), "c2", &fp_of(2, Some((1, 128))), 12)
            .unwrap();
        assert_eq!(again.duplicate_of, Some(id(1)), "same claim, same verdict");
        assert_eq!(idx.len(), 2, "no second entry");
        let later = idx
            .check_and_add(&id(5), "c5", &fp_of(5, Some((1, 128))), 13)
            .unwrap();
        assert_eq!(later.duplicate_of, Some(id(1)));
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        assert_eq!((len - MAGIC.len()) % ENTRY_BYTES, 0);
    }

    #[test]
    fn the_window_forgets_old_articles() {
        let mut idx = DedupIndex::in_memory(IndexSettings {
            window_articles: 2,
            ..settings()
        });
        idx.check_and_add(&id(1), "c1", &fp_of(1, None), 1).unwrap();
        idx.check_and_add(&id(2), "c2", &fp_of(2, None), 2).unwrap();
        idx.check_and_add(&id(3), "c3", &fp_of(3, None), 3).unwrap();
        let v = idx
            .check_and_add(&id(4), "c4", &fp_of(4, Some((1, 128))), 4)
            .unwrap();
        assert_eq!(v.duplicate_of, None, "article 1 left the window");
        let mut aged = DedupIndex::in_memory(settings());
        aged.check_and_add(&id(1), "c1", &fp_of(1, None), 0)
            .unwrap();
        let v = aged
            .check_and_add(&id(2), "c2", &fp_of(2, Some((1, 128))), 8 * 86_400)
            .unwrap();
        assert_eq!(v.duplicate_of, None, "older than 7 days");
    }
}
