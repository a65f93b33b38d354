//! Tests of the duplicate index as a whole: verdicts, the window, persistence, and a
//! comparison with a plain reference implementation of the same rules.

use std::collections::VecDeque;
use std::fs::OpenOptions;
use std::io::Write;

use super::file::{ENTRY_BYTES, MAGIC};
use super::fingerprint::{Fingerprint, MINHASH_LEN};
use super::index::{DedupIndex, IndexSettings, Verdict};

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

/// The index's rules written the plain way: a list of entries scanned in full.
struct Reference {
    settings: IndexSettings,
    /// (seq, time, id, claim, root, fingerprint), oldest first.
    entries: VecDeque<(u64, u64, String, String, String, Fingerprint)>,
    next: u64,
}

impl Reference {
    fn new(settings: IndexSettings) -> Self {
        Self {
            settings,
            entries: VecDeque::new(),
            next: 0,
        }
    }

    fn check_and_add(&mut self, id: &str, claim: &str, fp: &Fingerprint, now: u64) -> Verdict {
        let max_age = self.settings.window_days * 86_400;
        while let Some(front) = self.entries.front() {
            let too_many = self.entries.len() > self.settings.window_articles;
            let too_old = max_age > 0 && now.saturating_sub(front.1) > max_age;
            if !(too_many || too_old) {
                break;
            }
            self.entries.pop_front();
        }
        if let Some(e) = self.entries.iter().rev().find(|e| e.3 == claim) {
            let dup = e.4 != e.2;
            return Verdict {
                duplicate_of: dup.then(|| e.4.clone()),
                similarity: if dup { 1.0 } else { 0.0 },
                cluster: e.4.clone(),
            };
        }
        let mut best: Option<(f64, String)> = None;
        // An exact copy: the oldest article remembered with the same content id.
        if let Some(e) = self.entries.iter().find(|e| e.2 == id) {
            best = Some((1.0, e.4.clone()));
        } else if fp.shingles > 0 {
            let mut seen = std::collections::HashSet::new();
            for band in 0..MINHASH_LEN / 3 {
                let r = band * 3..band * 3 + 3;
                for e in &self.entries {
                    if e.5.minhash[r.clone()] == fp.minhash[r.clone()] && seen.insert(e.0) {
                        let s = fp.similarity(&e.5);
                        if best.as_ref().is_none_or(|(bs, _)| s > *bs) {
                            best = Some((s, e.4.clone()));
                        }
                    }
                }
            }
        }
        let (similarity, root) = match best {
            Some((s, root)) if s >= self.settings.threshold => (s, Some(root)),
            Some((s, _)) => (s, None),
            None => (0.0, None),
        };
        let own_root = root.clone().unwrap_or_else(|| id.to_string());
        let seq = self.next;
        self.next += 1;
        self.entries.push_back((
            seq,
            now,
            id.to_string(),
            claim.to_string(),
            own_root.clone(),
            fp.clone(),
        ));
        Verdict {
            duplicate_of: root,
            similarity,
            cluster: own_root,
        }
    }
}

/// A small deterministic generator for the streams below.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A stream of articles: stories, exact copies, near copies of varying closeness,
/// short texts, reprocessed claims, and time moving on (sometimes by days).
fn stream(seed: u64, n: usize) -> Vec<(String, String, Fingerprint, u64)> {
    let mut rng = Rng(seed | 1);
    let mut out: Vec<(String, String, Fingerprint, u64)> = Vec::new();
    let mut now = 1_000_000u64;
    for i in 0..n {
        now += match rng.below(100) {
            0 => 3 * 86_400,
            1..=20 => 600,
            _ => 1,
        };
        let claim = format!("claim-{i}");
        let pick = rng.below(10);
        let (id, fp) = if out.is_empty() || pick < 4 {
            // A new story.
            let s = rng.next();
            (format!("{s:032x}"), fp_of(s, None))
        } else {
            let j = rng.below(out.len() as u64) as usize;
            let (src_id, _, src_fp, _) = out[j].clone();
            match pick {
                4 | 5 => (src_id, src_fp),
                6 => {
                    // Reprocessing an earlier claim (after a crash).
                    let (a, b, c, _) = out[j].clone();
                    out.push((a, b, c, now));
                    continue;
                }
                _ => {
                    let s = rng.next();
                    let keep = 20 + rng.below(108) as usize;
                    let mut fp = fp_of(s, None);
                    fp.minhash[..keep].copy_from_slice(&src_fp.minhash[..keep]);
                    if rng.below(20) == 0 {
                        fp.shingles = 0;
                    }
                    (format!("{s:032x}"), fp)
                }
            }
        };
        out.push((id, claim, fp, now));
    }
    out
}

#[test]
fn verdicts_equal_the_plain_reference_through_eviction_by_count_and_days() {
    for (seed, window) in [(1, 5), (2, 40), (3, 300), (4, 5000)] {
        let settings = IndexSettings {
            threshold: 0.45,
            window_articles: window,
            window_days: 2,
        };
        let mut idx = DedupIndex::in_memory(settings);
        let mut reference = Reference::new(settings);
        for (n, (id, claim, fp, now)) in stream(seed, 3000).iter().enumerate() {
            let got = idx.check_and_add(id, claim, fp, *now).unwrap();
            let want = reference.check_and_add(id, claim, fp, *now);
            assert_eq!(got, want, "window {window}, article {n}");
            assert_eq!(
                idx.len(),
                reference.entries.len(),
                "window {window}, article {n}"
            );
        }
    }
}

#[test]
fn a_reopened_index_decides_as_the_one_that_never_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dedup.idx");
    // No age limit (days are checked at each decision, and a restart cannot replay
    // those checks); a window small enough that the file is compacted several times.
    let settings = IndexSettings {
        threshold: 0.45,
        window_articles: 700,
        window_days: 0,
    };
    let items = stream(7, 6000);
    let mut reference = DedupIndex::in_memory(settings);
    let mut idx = DedupIndex::open(&path, settings, 0).unwrap();
    for (n, (id, claim, fp, now)) in items.iter().enumerate() {
        if n % 1100 == 1099 {
            drop(idx);
            idx = DedupIndex::open(&path, settings, *now).unwrap();
            // The running index may hold one over the window until its next decision.
            assert_eq!(
                idx.len(),
                reference.len().min(700),
                "after reopening at {n}"
            );
            let entries =
                (std::fs::metadata(&path).unwrap().len() as usize - MAGIC.len()) / ENTRY_BYTES;
            assert!(entries <= 2 * 1024 + 1, "compacted: {entries} entries");
        }
        let got = idx.check_and_add(id, claim, fp, *now).unwrap();
        let want = reference.check_and_add(id, claim, fp, *now).unwrap();
        assert_eq!(got, want, "article {n}");
    }
}

#[test]
fn memory_stays_flat_once_the_window_is_full() {
    let settings = IndexSettings {
        threshold: 0.45,
        window_articles: 3000,
        window_days: 0,
    };
    let mut idx = DedupIndex::in_memory(settings);
    let mut rng = Rng(99);
    let mut at_full = 0;
    for n in 0..12_000u32 {
        let s = rng.next();
        idx.check_and_add(&format!("{s:032x}"), &format!("c{n}"), &fp_of(s, None), 0)
            .unwrap();
        if n == 3000 {
            at_full = idx.heap_bytes();
        }
    }
    assert_eq!(idx.len(), 3001);
    assert_eq!(
        idx.heap_bytes(),
        at_full,
        "no growth after the window filled"
    );
    // Entries (320 B) plus 45 tables of 4-byte slots at load 0.8, each with a tail of
    // 1024 slots (runs never wrap around).
    let tails = 45 * 1024 * 4;
    let per_entry = (at_full - tails) / 3001;
    assert!(per_entry < 320 + 45 * 5 + 20, "{per_entry} bytes an entry");
}

#[test]
fn many_copies_of_a_few_texts_decide_as_the_reference() {
    // A few texts (some near each other, one too short to compare) seen over and over,
    // under new ids and the same ids, through eviction by count and by days.
    let mut rng = Rng(5);
    let mut texts: Vec<(String, Fingerprint)> = Vec::new();
    for t in 0..12u64 {
        let mut fp = fp_of(1000 + t, (t % 3 == 1).then_some((1000 + t - 1, 100)));
        if t == 11 {
            fp.shingles = 0;
        }
        texts.push((format!("{:032x}", 1000 + t), fp));
    }
    let settings = IndexSettings {
        threshold: 0.45,
        window_articles: 150,
        window_days: 1,
    };
    let mut idx = DedupIndex::in_memory(settings);
    let mut reference = Reference::new(settings);
    let mut now = 0;
    for n in 0..4000u64 {
        now += if rng.below(500) == 0 { 2 * 86_400 } else { 60 };
        let (id, fp) = texts[rng.below(texts.len() as u64) as usize].clone();
        let id = if rng.below(2) == 0 {
            id
        } else {
            format!("{n:032x}")
        };
        let claim = format!("c{n}");
        let got = idx.check_and_add(&id, &claim, &fp, now).unwrap();
        let want = reference.check_and_add(&id, &claim, &fp, now);
        assert_eq!(got, want, "article {n}");
        assert_eq!(idx.len(), reference.entries.len());
    }
}
