//! A fast, seeded hasher for the integer keys of the keyword extractor's phrase tree.

use std::hash::{BuildHasher, Hasher};

/// Hashes the phrase tree's `u64` keys (parent phrase, word) with a seeded
/// SplitMix64 finalizer: far cheaper than SipHash for integer keys, and the keys are
/// ids the extractor hands out in order of appearance, mixed with a per-stage random
/// seed, so input text cannot aim them at one bucket.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdHashState {
    seed: u64,
}

impl IdHashState {
    /// A state with a fresh random seed.
    pub(super) fn new() -> Self {
        Self {
            seed: std::collections::hash_map::RandomState::new().hash_one(0u64),
        }
    }
}

impl BuildHasher for IdHashState {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(self.seed)
    }
}

/// The hasher of [`IdHashState`].
#[derive(Debug, Clone, Copy)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        let mut z = (self.0 ^ v).wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_spreading() {
        let a = IdHashState::new();
        let b = IdHashState::new();
        assert_ne!(a.hash_one(1u64), b.hash_one(1u64), "seeds differ");
        // Consecutive keys land in different low bits (what a hash table uses).
        let mut buckets = [0u32; 64];
        for key in 0..6400u64 {
            buckets[(a.hash_one(key) % 64) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|&n| (50..=150).contains(&n)),
            "{buckets:?}"
        );
    }
}
