//! The near-duplicate index: LSH over MinHash fingerprints, bounded by a window of
//! articles and days, persisted as an append-only file in the state folder.
//!
//! Decisions must follow the order records are written (the earliest copy is the
//! original), so the index lives in the outbox writer thread. Each decision appends a
//! fixed-size entry to the file *before* the record is written: after a crash the
//! input is processed again under the same claim, finds its own entry by claim and
//! gets the same verdict without a second entry. A torn last entry is cut at load;
//! the file is rewritten without expired entries once it holds twice the window.
//!
//! Memory: the entries sit in a ring (`store.rs`, 320 bytes each); the lookups (42
//! LSH bands, copies, content id, claim) are tables of 4-byte positions (`table.rs`)
//! that compare the entries themselves instead of storing keys, some 230 bytes per
//! distinct text at their fullest. Copies of one text share the band postings of the
//! oldest. A window of 100,000 articles takes at most about 55 MB.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rustc_hash::FxHashSet;

use super::file;
use super::fingerprint::{Fingerprint, MINHASH_LEN};
use super::store::{Entry, Ring};
use super::table::{MAX_POSITIONS, PosTable};

/// Rows per LSH band: 42 bands of 3 rows find pairs with Jaccard 0.4 with
/// probability 0.94 and 0.2 with 0.29 (those are then checked and rejected).
const ROWS: usize = 3;
const BANDS: usize = MINHASH_LEN / ROWS;

/// Index settings.
#[derive(Debug, Clone, Copy)]
pub struct IndexSettings {
    /// Estimated Jaccard similarity at or above which an article is a near-duplicate.
    pub threshold: f64,
    /// Most articles remembered (in memory at most 4,194,302 whatever is set: positions
    /// in the lookup tables have 22 bits).
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

/// The index.
#[derive(Debug)]
pub struct DedupIndex {
    settings: IndexSettings,
    entries: Ring,
    /// Per band, the oldest entry of each set of copies, by the hash of the band's
    /// values. Copies (the same MinHash values) are linked through their entries
    /// instead: they would all be candidates together, and the oldest is the one a
    /// search settles on, so a text seen a thousand times costs one posting a band.
    bands: Vec<PosTable>,
    /// The newest entry of each set of copies, by the hash of its MinHash values.
    by_copies: PosTable,
    /// The newest entry of each content id.
    by_id: PosTable,
    /// Every entry by its claim hash.
    by_claim: PosTable,
    file: Option<(PathBuf, File)>,
    /// Entries appended since the last [`DedupIndex::sync`].
    dirty: bool,
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

/// SplitMix64's finaliser, to spread keys over a table.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A band's values.
#[inline]
fn band_of(band: usize, minhash: &[u16; MINHASH_LEN]) -> [u16; ROWS] {
    let mut out = [0u16; ROWS];
    out.copy_from_slice(&minhash[band * ROWS..band * ROWS + ROWS]);
    out
}

#[inline]
fn band_hash(band: usize, minhash: &[u16; MINHASH_LEN]) -> u64 {
    let v = band_of(band, minhash)
        .iter()
        .fold(0u64, |acc, &x| (acc << 16) | u64::from(x));
    mix(v ^ (band as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn id_hash(id: &[u8; 16]) -> u64 {
    let (a, b) = id.split_at(8);
    let word = |s: &[u8]| s.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    mix(word(a) ^ mix(word(b)))
}

/// Hash of all MinHash values (and whether the text was too short to compare).
fn copies_hash(e: &Entry) -> u64 {
    let seed = if e.shingles == 0 { 0x5851_f42d } else { 0 };
    e.minhash.chunks_exact(4).fold(seed, |h, c| {
        let v = c.iter().fold(0u64, |acc, &x| (acc << 16) | u64::from(x));
        mix(h ^ v)
    })
}

/// True when two entries are copies: the same MinHash values (so the same
/// candidates and the same similarity to anything).
fn same_copies(a: &Entry, b: &Entry) -> bool {
    a.minhash == b.minhash && (a.shingles == 0) == (b.shingles == 0)
}

impl DedupIndex {
    /// An index kept in memory only (for `newsd process` and evaluations).
    pub fn in_memory(settings: IndexSettings) -> Self {
        // One more than the window: the newest entry goes in before the oldest leaves.
        let positions = settings
            .window_articles
            .saturating_add(1)
            .min(MAX_POSITIONS);
        Self {
            settings,
            entries: Ring::new(positions),
            bands: (0..BANDS).map(|_| PosTable::new(positions)).collect(),
            by_copies: PosTable::new(positions),
            by_id: PosTable::new(positions),
            by_claim: PosTable::new(positions),
            file: None,
            dirty: false,
            file_entries: 0,
        }
    }

    /// Opens (or creates) the persistent index at `path`, loading the entries still
    /// inside the window as of `now_s` (Unix seconds).
    pub fn open(path: &Path, settings: IndexSettings, now_s: u64) -> io::Result<Self> {
        let mut index = Self::in_memory(settings);
        let (file, entries) = file::open(path, |e| {
            // Entries beyond the count leave as they come, so a file of twice the
            // window never takes twice the memory.
            index.evict_by_count();
            index.insert(e);
        })?;
        index.evict(now_s);
        index.file_entries = entries;
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

    /// Bytes of memory the index holds (entries and lookup tables).
    pub fn heap_bytes(&self) -> usize {
        self.entries.heap_bytes()
            + self.bands.iter().map(PosTable::heap_bytes).sum::<usize>()
            + self.by_copies.heap_bytes()
            + self.by_id.heap_bytes()
            + self.by_claim.heap_bytes()
    }

    /// The newest entry with the same MinHash values as `e`.
    fn newest_copy(&self, e: &Entry, hash: u64) -> Option<u32> {
        let mut found = None;
        self.by_copies.find(hash, |p| {
            if self.entries.get(p).is_some_and(|c| same_copies(c, e)) {
                found = Some(p);
            }
            found.is_none()
        });
        found
    }

    fn insert(&mut self, e: Entry) {
        let Some(pos) = self.entries.push(e) else {
            return;
        };
        let copies = copies_hash(&e);
        match self.newest_copy(&e, copies) {
            Some(newest) => {
                // Join the ring of copies after the newest; the oldest keeps the postings.
                let oldest = self.entries.get(newest).map_or(pos, |n| n.next);
                self.set_next(pos, oldest);
                self.set_next(newest, pos);
                self.by_copies.replace(copies, newest, pos);
            }
            None => {
                self.set_next(pos, pos);
                let ring = &self.entries;
                let hash_of = |p: u32| ring.get(p).map_or(0, copies_hash);
                self.by_copies.insert(copies, pos, &hash_of);
                for (band, table) in self.bands.iter_mut().enumerate() {
                    let hash_of = |p: u32| ring.get(p).map_or(0, |e| band_hash(band, &e.minhash));
                    table.insert(band_hash(band, &e.minhash), pos, &hash_of);
                }
            }
        }
        let ring = &self.entries;
        match find_in(&self.by_id, ring, &e.id) {
            Some(older) => {
                self.by_id.replace(id_hash(&e.id), older, pos);
            }
            None => {
                let hash_of = |p: u32| ring.get(p).map_or(0, |e| id_hash(&e.id));
                self.by_id.insert(id_hash(&e.id), pos, &hash_of);
            }
        }
        let hash_of = |p: u32| ring.get(p).map_or(0, |e| mix(e.claim));
        self.by_claim.insert(mix(e.claim), pos, &hash_of);
    }

    fn set_next(&mut self, pos: u32, next: u32) {
        if let Some(e) = self.entries.get_mut(pos) {
            e.next = next;
        }
    }

    /// Forgets the oldest entry.
    fn pop(&mut self) {
        let Some((pos, e)) = self.entries.front().map(|(p, e)| (p, *e)) else {
            return;
        };
        let copies = copies_hash(&e);
        if e.next == pos {
            // No copy left: its postings go.
            self.by_copies.remove(copies, pos);
            for (band, table) in self.bands.iter_mut().enumerate() {
                table.remove(band_hash(band, &e.minhash), pos);
            }
        } else {
            // The next oldest copy takes over the postings, and the newest links to it.
            let heir = e.next;
            if let Some(newest) = self.newest_copy(&e, copies) {
                self.set_next(newest, heir);
            }
            for (band, table) in self.bands.iter_mut().enumerate() {
                table.replace(band_hash(band, &e.minhash), pos, heir);
            }
        }
        // There only if it was the newest of its id (and so the last).
        self.by_id.remove(id_hash(&e.id), pos);
        self.by_claim.remove(mix(e.claim), pos);
        self.entries.pop_front();
    }

    fn evict_by_count(&mut self) {
        while self.entries.len() > self.settings.window_articles || self.entries.is_full() {
            self.pop();
        }
    }

    /// Forgets entries outside the window.
    fn evict(&mut self, now_s: u64) {
        let max_age = self.settings.window_days.saturating_mul(86_400);
        self.evict_by_count();
        while let Some((_, front)) = self.entries.front() {
            let too_old = max_age > 0 && now_s.saturating_sub(front.time_s) > max_age;
            if !too_old {
                break;
            }
            self.pop();
        }
    }

    /// The newest entry with this claim.
    fn find_claim(&self, claim: u64) -> Option<&Entry> {
        let mut best: Option<(u64, u32)> = None;
        self.by_claim.find(mix(claim), |p| {
            if self.entries.get(p).is_some_and(|e| e.claim == claim) {
                let seq = self.entries.seq_at(p);
                if best.is_none_or(|(s, _)| seq > s) {
                    best = Some((seq, p));
                }
            }
            true
        });
        best.and_then(|(_, p)| self.entries.get(p))
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
        if let Some(e) = self.find_claim(claim) {
            return Ok(verdict_of(e, 1.0));
        }
        // Every entry remembered with one content id has the same root (each copy
        // took it from one already there), so any of them decides.
        let best = match find_in(&self.by_id, &self.entries, &id) {
            Some(pos) => self.entries.get(pos).map(|e| (1.0, e.root)),
            None if fp.shingles > 0 => self.closest(fp),
            None => None,
        };
        let (similarity, root) = match best {
            Some((s, root)) if s >= self.settings.threshold => (s, Some(root)),
            Some((s, _)) => (s, None),
            None => (0.0, None),
        };
        let entry = Entry {
            minhash: fp.minhash,
            simhash: fp.simhash,
            time_s: now_s,
            claim,
            id,
            root: root.unwrap_or(id),
            shingles: fp.shingles,
            // Set when it joins the index.
            next: 0,
        };
        let verdict = Verdict {
            duplicate_of: root.map(|r| hex(&r)),
            similarity,
            cluster: hex(&entry.root),
        };
        self.persist(&entry)?;
        self.evict_by_count();
        self.insert(entry);
        if self.file_entries > self.settings.window_articles.max(1024).saturating_mul(2) {
            // After the insert, so the rewritten file holds this entry too.
            self.compact()?;
        }
        Ok(verdict)
    }

    /// The most similar entry sharing a band with `fp`: its similarity and root. Ties
    /// go to the entry met first going through the bands in order and each band's
    /// entries oldest first.
    fn closest(&self, fp: &Fingerprint) -> Option<(f64, [u8; 16])> {
        let mut best: Option<(f64, [u8; 16])> = None;
        // Positions already weighed in an earlier band are skipped without looking at
        // their entry (near copies share most bands).
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        let mut in_band: Vec<(u64, u32)> = Vec::new();
        for (band, table) in self.bands.iter().enumerate() {
            let want = band_of(band, &fp.minhash);
            in_band.clear();
            table.find(band_hash(band, &fp.minhash), |p| {
                if !seen.contains(&p)
                    && self
                        .entries
                        .get(p)
                        .is_some_and(|e| band_of(band, &e.minhash) == want)
                {
                    in_band.push((self.entries.seq_at(p), p));
                }
                true
            });
            in_band.sort_unstable();
            for &(_, p) in &in_band {
                seen.insert(p);
                let Some(e) = self.entries.get(p) else {
                    continue;
                };
                let s = fp.similarity(&Fingerprint {
                    simhash: e.simhash,
                    minhash: e.minhash,
                    shingles: e.shingles,
                });
                if best.is_none_or(|(bs, _)| s > bs) {
                    best = Some((s, e.root));
                }
            }
        }
        best
    }

    fn persist(&mut self, entry: &Entry) -> io::Result<()> {
        let Some((_, file)) = self.file.as_mut() else {
            return Ok(());
        };
        self.dirty = true;
        file.write_all(&file::encode(entry))?;
        self.file_entries += 1;
        Ok(())
    }

    /// Rewrites the file with only the live entries (temporary file, then rename).
    fn compact(&mut self) -> io::Result<()> {
        let Some((path, _)) = self.file.take() else {
            return Ok(());
        };
        match file::rewrite(&path, self.entries.iter()) {
            Ok(f) => {
                self.file = Some((path, f));
                self.file_entries = self.entries.len();
                Ok(())
            }
            Err(e) => {
                // Keep appending to the old file: it still holds every entry.
                let f = std::fs::OpenOptions::new().append(true).open(&path);
                if let Ok(f) = f {
                    self.file = Some((path, f));
                }
                Err(e)
            }
        }
    }

    /// Flushes the file to disk (called with the outbox's fsync); nothing to do when
    /// no entry was appended since the last call.
    pub fn sync(&mut self) -> io::Result<()> {
        match &self.file {
            Some((_, f)) if self.dirty => {
                f.sync_data()?;
                self.dirty = false;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// The position of an entry filed in `by_id` under content id `id`.
fn find_in(by_id: &PosTable, entries: &Ring, id: &[u8; 16]) -> Option<u32> {
    let mut found = None;
    by_id.find(id_hash(id), |p| {
        if entries.get(p).is_some_and(|e| &e.id == id) {
            found = Some(p);
        }
        found.is_none()
    });
    found
}

fn verdict_of(e: &Entry, similarity: f64) -> Verdict {
    Verdict {
        duplicate_of: (e.root != e.id).then(|| hex(&e.root)),
        similarity: if e.root != e.id { similarity } else { 0.0 },
        cluster: hex(&e.root),
    }
}
