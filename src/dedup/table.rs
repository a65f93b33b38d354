//! A compact hash table of entry positions, for the duplicate index's lookups.
//!
//! The index needs several "key → entries with that key" maps (one per LSH band, one
//! for copies, one by content id, one by claim). A `HashMap<u64, Vec<u64>>` spends
//! about 60 bytes on each posting; here a posting is one `u32`: the entry's position in
//! the index's ring (22 bits) and its distance from its home slot (10 bits). Keys are
//! not stored: the caller compares the entry at a position with what it looks for, so
//! the table only narrows the search to the entries whose key hashes to the same home.
//!
//! It is a Robin Hood table: slots are kept in order of home, so the postings of one
//! home are contiguous and a search stops at the first slot whose occupant lives
//! closer to home than the search has come; storing the distance means a search never
//! looks at an entry to learn its home. Distances of 1023 and more are stored as 1023;
//! such far slots are reported to searches as possible matches, and their true home is
//! computed from the caller's hash when needed.
//!
//! Removal leaves a tombstone (the slot keeps its distance, so the order holds) instead
//! of shifting the rest of the run back: with many postings under one key (near copies
//! of a text sharing most bands) runs are long, and shifting them on every insert and
//! removal cost hundreds of microseconds an article. An insert takes the first
//! tombstone where its home fits the order, so keys that come and go reuse their own
//! tombstones; a tombstone with an empty slot after it is cleared at once; and when
//! tombstones and postings fill nine tenths of the table it is rebuilt.

/// Bits of a slot holding `position + 1` (0 marks an empty slot).
const POS_BITS: u32 = 22;
const POS_MASK: u32 = (1 << POS_BITS) - 1;
/// The position bits of a tombstone.
const TOMB: u32 = POS_MASK;
/// Largest distance from home a slot records; further ones are stored as this.
const FAR: usize = (1 << (32 - POS_BITS)) - 1;
/// Positions must be below this.
pub const MAX_POSITIONS: usize = (TOMB - 1) as usize;
/// Home slots a table starts with.
const MIN_HOMES: usize = 256;

/// Postings (positions of entries) by the hash of their key.
#[derive(Debug, Clone, Default)]
pub struct PosTable {
    /// The home slots plus a tail, so runs never wrap around (the tail grows when a
    /// run reaches its end).
    slots: Vec<u32>,
    /// Slots that can be a home.
    homes: usize,
    /// Postings held.
    len: usize,
    /// Tombstones.
    tombs: usize,
    /// Growth stops at this many homes while the load allows it.
    max_homes: usize,
}

#[inline]
fn stored_distance(slot: u32) -> usize {
    (slot >> POS_BITS) as usize
}

#[inline]
fn position(slot: u32) -> u32 {
    (slot & POS_MASK).wrapping_sub(1)
}

#[inline]
fn is_tomb(slot: u32) -> bool {
    slot & POS_MASK == TOMB
}

#[inline]
fn pack(pos: u32, dist: usize) -> u32 {
    ((dist.min(FAR) as u32) << POS_BITS) | (pos + 1)
}

impl PosTable {
    /// An empty table expected to hold at most `expected` postings: it grows up to
    /// `expected / 0.8` home slots and, with that load, no further.
    pub fn new(expected: usize) -> Self {
        Self {
            max_homes: expected.saturating_add(expected / 4).max(MIN_HOMES),
            ..Self::default()
        }
    }

    /// Postings held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes of the slot array.
    pub fn heap_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<u32>()
    }

    #[inline]
    fn home_in(hash: u64, homes: usize) -> usize {
        // The high half of the hash scaled to the table: no power-of-two sizes needed.
        (((hash >> 32) * homes as u64) >> 32) as usize
    }

    #[inline]
    fn home(&self, hash: u64) -> usize {
        Self::home_in(hash, self.homes)
    }

    /// The home of the posting `s` in slot `i`.
    #[inline]
    fn home_at(&self, i: usize, s: u32, hash_of: &impl Fn(u32) -> u64) -> usize {
        match stored_distance(s) {
            FAR => self.home(hash_of(position(s))),
            d => i - d,
        }
    }

    /// Whether the occupant `s` of slot `i` has a home after `home` (which is at most
    /// `i`). Distances decide, so the entry is looked at only when both are far.
    #[inline]
    fn lives_after(&self, i: usize, s: u32, home: usize, hash_of: &impl Fn(u32) -> u64) -> bool {
        let (d, sd) = (i - home, stored_distance(s));
        match (sd < FAR, d < FAR) {
            (true, _) => sd < d,
            // The occupant is far, we are not: it lives before us.
            (false, true) => false,
            (false, false) => self.home(hash_of(position(s))) > home,
        }
    }

    /// Whether a posting with home `home` may sit just before slot `j`: the first slot
    /// from `j` on that takes part in the order (a posting, or a tombstone whose
    /// distance is known) has a home at least `home`, or there is none before an
    /// empty slot.
    fn fits_before(&self, mut j: usize, home: usize, hash_of: &impl Fn(u32) -> u64) -> bool {
        loop {
            let Some(&s) = self.slots.get(j) else {
                return true;
            };
            if s == 0 {
                return true;
            }
            let sd = stored_distance(s);
            let dj = j - home;
            if !is_tomb(s) {
                return if sd < FAR {
                    sd <= dj
                } else if dj < FAR {
                    // It is far and we would not be: it lives before us.
                    false
                } else {
                    self.home(hash_of(position(s))) >= home
                };
            }
            if sd < FAR {
                return sd <= dj;
            }
            j += 1;
        }
    }

    /// Calls `f` with each position filed under `hash`'s home slot (a superset of the
    /// positions whose key has this hash), until `f` returns `false`.
    pub fn find(&self, hash: u64, mut f: impl FnMut(u32) -> bool) {
        if self.homes == 0 {
            return;
        }
        let mut i = self.home(hash);
        let mut d = 0;
        while let Some(&s) = self.slots.get(i) {
            let sd = stored_distance(s);
            if s == 0 || (sd < FAR && sd < d) {
                return;
            }
            if !is_tomb(s) && sd == d.min(FAR) && !f(position(s)) {
                return;
            }
            i += 1;
            d += 1;
        }
    }

    /// Files `pos` under `hash`. `hash_of` gives the hash of any position in the
    /// table, for far slots and rebuilding.
    pub fn insert(&mut self, hash: u64, pos: u32, hash_of: &impl Fn(u32) -> u64) {
        debug_assert!((pos as usize) < MAX_POSITIONS);
        if (self.len + self.tombs + 1) * 10 > self.homes * 9 || self.homes == 0 {
            let cap = self.max_homes.max(MIN_HOMES);
            let want = if (self.len + 1) * 5 <= self.homes * 4 {
                // Mostly tombstones: rebuild at the same size.
                self.homes
            } else if self.homes < cap {
                (self.homes * 2).max(MIN_HOMES).min(cap)
            } else if (self.len + 1) * 20 > self.homes * 19 {
                // Past the expected size: keep the load under 95 %.
                self.homes * 2
            } else {
                self.homes
            };
            self.rehash(want, hash_of);
        }
        let home = self.home(hash);
        self.place(pos, home, hash_of);
        self.len += 1;
    }

    /// Puts `pos` (home `home`) into its run, keeping the run in order of home.
    fn place(&mut self, pos: u32, home: usize, hash_of: &impl Fn(u32) -> u64) {
        let (mut pos, mut home) = (pos, home);
        let mut i = home;
        loop {
            if i >= self.slots.len() {
                // A run reached the end: a few more slots, not a doubling.
                self.slots.reserve_exact(1 + FAR);
                self.slots.resize(i + 1 + FAR, 0);
            }
            let s = self.slots[i];
            if s == 0 {
                self.slots[i] = pack(pos, i - home);
                return;
            }
            if is_tomb(s) {
                // Everything before has a home at most ours; take the tombstone if
                // everything after has a home at least ours.
                if self.fits_before(i + 1, home, hash_of) {
                    self.slots[i] = pack(pos, i - home);
                    self.tombs -= 1;
                    return;
                }
            } else if self.lives_after(i, s, home, hash_of) {
                // The occupant belongs after us: take its slot and carry it on.
                let occupant_home = self.home_at(i, s, hash_of);
                self.slots[i] = pack(pos, i - home);
                pos = position(s);
                home = occupant_home;
            }
            i += 1;
        }
    }

    /// The slot holding the posting of `pos` under `hash`.
    fn slot_of(&self, hash: u64, pos: u32) -> Option<usize> {
        if self.homes == 0 {
            return None;
        }
        let mut i = self.home(hash);
        let mut d = 0;
        loop {
            let &s = self.slots.get(i)?;
            let sd = stored_distance(s);
            if s == 0 || (sd < FAR && sd < d) {
                return None;
            }
            if !is_tomb(s) && sd == d.min(FAR) && position(s) == pos {
                return Some(i);
            }
            i += 1;
            d += 1;
        }
    }

    /// Files `new` in place of `old` under `hash` (an entry taking over another's
    /// postings). Returns whether `old` was there.
    pub fn replace(&mut self, hash: u64, old: u32, new: u32) -> bool {
        debug_assert!((new as usize) < MAX_POSITIONS);
        match self.slot_of(hash, old) {
            Some(i) => {
                let s = self.slots[i];
                self.slots[i] = (s & !POS_MASK) | (new + 1);
                true
            }
            None => false,
        }
    }

    /// Removes the posting of `pos` under `hash`. Returns whether it was there.
    pub fn remove(&mut self, hash: u64, pos: u32) -> bool {
        let Some(i) = self.slot_of(hash, pos) else {
            return false;
        };
        self.slots[i] |= TOMB;
        self.tombs += 1;
        self.len -= 1;
        // Tombstones at the end of a run are not needed to keep the order.
        if self.slots.get(i + 1).is_none_or(|&s| s == 0) {
            let mut j = i;
            while self.slots.get(j).is_some_and(|&s| is_tomb(s)) {
                self.slots[j] = 0;
                self.tombs -= 1;
                let Some(prev) = j.checked_sub(1) else { break };
                j = prev;
            }
        }
        true
    }

    /// Moves every posting into a table of `homes` home slots, dropping tombstones.
    fn rehash(&mut self, homes: usize, hash_of: &impl Fn(u32) -> u64) {
        let homes = homes.max(MIN_HOMES);
        let same = homes == self.homes;
        let old = std::mem::take(&mut self.slots);
        let mut moved = Vec::with_capacity(self.len);
        for (i, &s) in old.iter().enumerate() {
            if s == 0 || is_tomb(s) {
                continue;
            }
            let p = position(s);
            let home = match stored_distance(s) {
                d if same && d < FAR => i - d,
                _ => Self::home_in(hash_of(p), homes),
            };
            moved.push((p, home));
        }
        drop(old);
        self.homes = homes;
        self.tombs = 0;
        self.slots = vec![0; homes + FAR + 1];
        for (p, home) in moved {
            self.place(p, home, hash_of);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet, VecDeque};

    fn mix(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn found(t: &PosTable, hash: u64) -> HashSet<u32> {
        let mut out = HashSet::new();
        t.find(hash, |p| {
            out.insert(p);
            true
        });
        out
    }

    /// Runs a sliding window of `window` positions over `n` through the table and a
    /// plain multimap, checking they agree on every key now and then.
    fn agree_with_a_multimap(keys: u32, window: usize, n: u32) -> PosTable {
        let key_of = |p: u32| u64::from(p.wrapping_mul(2_654_435_761) % keys);
        let hash_of = |p: u32| mix(key_of(p));
        let mut t = PosTable::new(window);
        let mut model: HashMap<u64, HashSet<u32>> = HashMap::new();
        let mut live = VecDeque::new();
        for p in 0..n {
            if live.len() == window {
                let old: u32 = live.pop_front().unwrap();
                assert!(t.remove(hash_of(old), old));
                model.get_mut(&key_of(old)).unwrap().remove(&old);
            }
            t.insert(hash_of(p), p, &hash_of);
            model.entry(key_of(p)).or_default().insert(p);
            live.push_back(p);
            if p % 997 == 0 || p == n - 1 {
                for (k, want) in &model {
                    let got: HashSet<u32> = found(&t, mix(*k))
                        .into_iter()
                        .filter(|&q| key_of(q) == *k)
                        .collect();
                    assert_eq!(&got, want, "key {k} after {p}");
                }
            }
        }
        assert_eq!(t.len(), window.min(n as usize));
        t
    }

    #[test]
    fn holds_what_a_multimap_holds_through_inserts_and_removals() {
        // Mostly distinct keys, as LSH bands of distinct articles are.
        let mut t = agree_with_a_multimap(1_000_000, 3000, 20_000);
        // It stopped growing at its expected size: 4 bytes a posting at load 0.8.
        assert!(
            t.heap_bytes() <= (3000 * 5 / 4 + 2 * FAR) * 4,
            "{}",
            t.heap_bytes()
        );
        assert!(!t.remove(mix(0), 0), "long gone");
    }

    #[test]
    fn many_postings_under_one_key_are_all_found_and_removed() {
        // 300 keys over a window of 3000: ten postings a key, and with 20 keys ~150,
        // runs longer than a distance can record.
        agree_with_a_multimap(300, 3000, 12_000);
        agree_with_a_multimap(20, 3000, 12_000);
        agree_with_a_multimap(1, 500, 2000);
    }

    #[test]
    fn a_posting_can_be_handed_to_another_position() {
        let hash_of = |p: u32| mix(u64::from(p % 10));
        let mut t = PosTable::new(100);
        for p in 0..50 {
            t.insert(hash_of(p), p, &hash_of);
        }
        // Position 93 (same key as 3) takes over 3's posting.
        assert!(t.replace(hash_of(3), 3, 93));
        assert!(!t.replace(hash_of(3), 3, 94), "3 is no longer there");
        let got = found(&t, hash_of(3));
        assert!(got.contains(&93) && !got.contains(&3));
        assert_eq!(got.len(), 5, "{got:?}");
        assert_eq!(t.len(), 50);
    }

    #[test]
    fn find_can_stop_early() {
        let hash_of = |p: u32| mix(u64::from(p % 2));
        let mut t = PosTable::new(100);
        for p in 0..50 {
            t.insert(hash_of(p), p, &hash_of);
        }
        let mut n = 0;
        t.find(hash_of(0), |_| {
            n += 1;
            n < 3
        });
        assert_eq!(n, 3);
    }
}
