//! The duplicate index's entries: a ring of fixed-size records, in chunks allocated
//! as the window fills and freed as it empties.
//!
//! Entries arrive and leave in order (oldest first), so they live in a ring: entry
//! number `seq` sits at position `seq % capacity`, and a position is what the lookup
//! tables ([`super::table`]) file. The ring is cut into chunks of [`CHUNK`] entries so
//! that a large window costs memory only for the entries it really holds: a chunk is
//! allocated when its first entry arrives and freed when its last one leaves.

use super::fingerprint::MINHASH_LEN;

/// Entries per chunk (some 320 KB).
pub const CHUNK: usize = 1024;

/// One remembered article: the 316 bytes of data the index file stores, and a link
/// (in what would be padding) to the next of its copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// MinHash values of the body.
    pub minhash: [u16; MINHASH_LEN],
    /// SimHash of the body.
    pub simhash: u64,
    /// When it was indexed (Unix seconds).
    pub time_s: u64,
    /// Hash of its claim token.
    pub claim: u64,
    /// Content id.
    pub id: [u8; 16],
    /// Content id of the earliest article of its cluster.
    pub root: [u8; 16],
    /// Shingles in the body (0: too short to compare).
    pub shingles: u32,
    /// Position of the next newer entry with the same MinHash values; the newest
    /// links back to the oldest (a ring per set of copies). Not stored in the file.
    pub next: u32,
}

// The link fits in what would otherwise be padding.
const _: () = assert!(std::mem::size_of::<Entry>() == 320);

impl Entry {
    const EMPTY: Entry = Entry {
        minhash: [0; MINHASH_LEN],
        simhash: 0,
        time_s: 0,
        claim: 0,
        id: [0; 16],
        root: [0; 16],
        shingles: 0,
        next: 0,
    };
}

/// A ring of entries, oldest first.
#[derive(Debug)]
pub struct Ring {
    chunks: Vec<Option<Box<[Entry]>>>,
    /// Live entries in each chunk, to free a chunk when it empties.
    live: Vec<u32>,
    capacity: usize,
    /// Sequence number of the oldest entry.
    first: u64,
    len: usize,
}

impl Ring {
    /// An empty ring of `capacity` positions (at least 1); no chunk is allocated yet.
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let chunks = capacity.div_ceil(CHUNK);
        Self {
            chunks: (0..chunks).map(|_| None).collect(),
            live: vec![0; chunks],
            capacity,
            first: 0,
            len: 0,
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True when a push needs a pop first.
    pub fn is_full(&self) -> bool {
        self.len == self.capacity
    }

    /// Sequence number the next push gets.
    pub fn next_seq(&self) -> u64 {
        self.first + self.len as u64
    }

    fn position(&self, seq: u64) -> u32 {
        // Capacity is at most `table::MAX_POSITIONS`, so a position fits in u32.
        (seq % self.capacity as u64) as u32
    }

    /// Sequence number of the live entry at `pos`.
    pub fn seq_at(&self, pos: u32) -> u64 {
        let first = u64::from(self.position(self.first));
        let offset = (u64::from(pos) + self.capacity as u64 - first) % self.capacity as u64;
        self.first + offset
    }

    /// The entry at a position, if that position holds a live one.
    #[inline]
    pub fn get(&self, pos: u32) -> Option<&Entry> {
        let pos = pos as usize;
        if pos >= self.capacity || self.seq_at(pos as u32) >= self.next_seq() {
            return None;
        }
        self.chunks.get(pos / CHUNK)?.as_ref()?.get(pos % CHUNK)
    }

    /// The entry at a position, for changing its link, if the position is live.
    pub fn get_mut(&mut self, pos: u32) -> Option<&mut Entry> {
        let p = pos as usize;
        if p >= self.capacity || self.seq_at(pos) >= self.next_seq() {
            return None;
        }
        self.chunks.get_mut(p / CHUNK)?.as_mut()?.get_mut(p % CHUNK)
    }

    /// The oldest entry and its position.
    pub fn front(&self) -> Option<(u32, &Entry)> {
        if self.len == 0 {
            return None;
        }
        let pos = self.position(self.first);
        self.get(pos).map(|e| (pos, e))
    }

    /// Appends an entry and returns its position; `None` when the ring is full.
    pub fn push(&mut self, entry: Entry) -> Option<u32> {
        if self.is_full() {
            return None;
        }
        let pos = self.position(self.next_seq());
        let c = pos as usize / CHUNK;
        let size = CHUNK.min(self.capacity - c * CHUNK);
        let chunk = self.chunks.get_mut(c)?;
        let slot = chunk
            .get_or_insert_with(|| vec![Entry::EMPTY; size].into_boxed_slice())
            .get_mut(pos as usize % CHUNK)?;
        *slot = entry;
        self.live[c] += 1;
        self.len += 1;
        Some(pos)
    }

    /// Drops the oldest entry (freeing its chunk if it was the chunk's last).
    pub fn pop_front(&mut self) {
        if self.len == 0 {
            return;
        }
        let c = self.position(self.first) as usize / CHUNK;
        self.first += 1;
        self.len -= 1;
        if let Some(n) = self.live.get_mut(c) {
            *n -= 1;
            if *n == 0 {
                self.chunks[c] = None;
            }
        }
    }

    /// Entries oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> + '_ {
        (self.first..self.next_seq()).filter_map(|s| self.get(self.position(s)))
    }

    /// Bytes of the allocated chunks and their bookkeeping.
    pub fn heap_bytes(&self) -> usize {
        let entries: usize = self.chunks.iter().flatten().map(|c| c.len()).sum();
        entries * std::mem::size_of::<Entry>()
            + self.chunks.capacity() * std::mem::size_of::<Option<Box<[Entry]>>>()
            + self.live.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u64) -> Entry {
        Entry {
            time_s: n,
            ..Entry::EMPTY
        }
    }

    #[test]
    fn wraps_around_and_frees_chunks_it_no_longer_needs() {
        let cap = 2 * CHUNK + 100;
        let mut r = Ring::new(cap);
        assert!(r.heap_bytes() < 100, "nothing allocated yet");
        for n in 0..cap as u64 {
            r.push(entry(n)).unwrap();
        }
        assert!(r.is_full());
        assert_eq!(r.push(entry(0)), None);
        let full = r.heap_bytes();
        assert!(full >= cap * std::mem::size_of::<Entry>());
        // Keep a window of `cap` for a while: it wraps, memory stays put.
        for n in cap as u64..3 * cap as u64 {
            r.pop_front();
            let pos = r.push(entry(n)).unwrap();
            assert_eq!(pos as u64, n % cap as u64);
            assert_eq!(r.seq_at(pos), n);
            assert_eq!(r.get(pos).map(|e| e.time_s), Some(n));
        }
        assert_eq!(r.heap_bytes(), full);
        assert_eq!(r.front().map(|(_, e)| e.time_s), Some(2 * cap as u64));
        let times: Vec<u64> = r.iter().map(|e| e.time_s).collect();
        assert_eq!(times, (2 * cap as u64..3 * cap as u64).collect::<Vec<_>>());
        // Empty out all but the newest few: only their chunk stays.
        while r.len() > 10 {
            r.pop_front();
        }
        assert!(r.heap_bytes() <= CHUNK * std::mem::size_of::<Entry>() * 2 + 1000);
        // Positions no longer live are not handed out.
        let front = r.front().unwrap().0;
        let dead = (front + cap as u32 - 1) % cap as u32;
        assert_eq!(r.get(dead), None);
    }
}
