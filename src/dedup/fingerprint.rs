//! Fingerprints of an article's wording: MinHash and SimHash over word 3-shingles.
//!
//! Syndicated copies and light rewrites share most of their three-word sequences even
//! when a headline is replaced, paragraphs are reordered, boilerplate is added or one
//! word in ten is changed; distinct stories on the same topic share few. MinHash
//! estimates the Jaccard similarity of two shingle sets from 128 minimum hashes
//! (16 bits each: b-bit MinHash, half the memory for a negligible loss), and SimHash
//! gives a compact 64-bit fingerprint for the record. The title is left out on
//! purpose: copies often get a new headline.

use crate::document::{Document, TokenKind};

/// Number of MinHash values per fingerprint.
pub const MINHASH_LEN: usize = 128;

/// Words per shingle.
const SHINGLE: usize = 3;

/// An article's fingerprints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// 64-bit SimHash of the shingles.
    pub simhash: u64,
    /// Low 16 bits of the minimum of each of 128 hash functions over the shingles.
    pub minhash: [u16; MINHASH_LEN],
    /// Shingles seen (0 for texts of fewer than three words, which are never matched).
    pub shingles: u32,
}

/// SplitMix64's finaliser: a fast, well-mixed 64-bit permutation.
#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// For each byte value, its eight bits as SimHash votes (+1 set, -1 clear), low bit
/// first.
static VOTES: [[i8; 8]; 256] = {
    let mut t = [[0i8; 8]; 256];
    let mut v = 0;
    while v < 256 {
        let mut b = 0;
        while b < 8 {
            t[v][b] = if (v >> b) & 1 == 1 { 1 } else { -1 };
            b += 1;
        }
        v += 1;
    }
    t
};

/// FNV-1a of a word, after lowercasing and straightening apostrophes, so case and
/// typography do not hide a copy.
fn word_hash(word: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in word.chars().flat_map(char::to_lowercase) {
        let c = if c == '’' { '\'' } else { c };
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The per-function constants: hash function `i` is `mix(shingle ^ SEEDS[i])`.
const SEEDS: [u64; MINHASH_LEN] = {
    let mut t = [0u64; MINHASH_LEN];
    let mut i = 0;
    while i < MINHASH_LEN {
        t[i] = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        i += 1;
    }
    t
};

/// [`Fingerprint::of_words`] compiled for AVX-512 (F and DQ).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn of_words_avx512(words: &[u64]) -> Fingerprint {
    of_words_portable(words)
}

/// [`Fingerprint::of_words`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn of_words_avx2(words: &[u64]) -> Fingerprint {
    of_words_portable(words)
}

/// The fingerprint computation, inlined into each CPU-specific copy.
#[inline(always)]
fn of_words_portable(words: &[u64]) -> Fingerprint {
    let mut min = [u64::MAX; MINHASH_LEN];
    let mut bits = [0i32; 64];
    let mut shingles = 0u32;
    for w in words.windows(SHINGLE) {
        let s = mix(w[0] ^ mix(w[1] ^ mix(w[2])));
        shingles += 1;
        // Hash function i: the shingle mixed with a per-function constant. A cheaper
        // family (one multiply per function) was tried and measured worse on `newsd
        // eval dedup`: it flagged a distinct story.
        for (m, seed) in min.iter_mut().zip(&SEEDS) {
            *m = (*m).min(mix(s ^ seed));
        }
        // SimHash votes, a byte of `s` at a time through a table of ±1 rows.
        for (chunk, byte) in bits.chunks_exact_mut(8).zip(s.to_le_bytes()) {
            for (acc, v) in chunk.iter_mut().zip(&VOTES[usize::from(byte)]) {
                *acc += i32::from(*v);
            }
        }
    }
    let mut minhash = [0u16; MINHASH_LEN];
    for (o, m) in minhash.iter_mut().zip(min) {
        *o = (m & 0xffff) as u16;
    }
    let simhash = bits
        .iter()
        .enumerate()
        .fold(0u64, |acc, (b, &v)| if v > 0 { acc | 1 << b } else { acc });
    Fingerprint {
        simhash,
        minhash,
        shingles,
    }
}

impl Default for Fingerprint {
    /// The fingerprint of an empty text (never matches anything).
    fn default() -> Self {
        Self::of_words(&[])
    }
}

impl Fingerprint {
    /// Fingerprints a tokenized document's body.
    pub fn of(doc: &Document) -> Self {
        let words: Vec<u64> = doc
            .tokens
            .iter()
            .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
            .map(|t| word_hash(doc.slice(t.span)))
            .collect();
        Self::of_words(&words)
    }

    /// Fingerprints a sequence of word hashes, with the widest vector instructions the
    /// CPU has: the 128 hash functions per shingle are independent 64-bit multiplies,
    /// which AVX-512 does eight at a time (the portable build has no 64-bit vector
    /// multiply). The integer arithmetic is the same on every path, so are the results.
    fn of_words(words: &[u64]) -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
            {
                // SAFETY: the CPU has the features `of_words_avx512` is compiled for.
                return unsafe { of_words_avx512(words) };
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: as above, for AVX2.
                return unsafe { of_words_avx2(words) };
            }
        }
        of_words_portable(words)
    }

    /// Estimated Jaccard similarity of the two shingle sets, 0..1.
    ///
    /// With 16-bit values, unrelated sets agree by chance on 1/65536 of positions; the
    /// estimate corrects for that.
    pub fn similarity(&self, other: &Fingerprint) -> f64 {
        if self.shingles == 0 || other.shingles == 0 {
            return 0.0;
        }
        let agree = self
            .minhash
            .iter()
            .zip(&other.minhash)
            .filter(|(a, b)| a == b)
            .count() as f64
            / MINHASH_LEN as f64;
        let chance = 1.0 / 65536.0;
        ((agree - chance) / (1.0 - chance)).clamp(0.0, 1.0)
    }

    /// Hex form of the SimHash, for the record.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.simhash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(text: &str) -> Fingerprint {
        let words: Vec<u64> = text.split_whitespace().map(word_hash).collect();
        Fingerprint::of_words(&words)
    }

    const STORY: &str = "The central bank raised interest rates by half a point on Thursday, \
        its third increase this year, as inflation stayed well above its target and wages \
        kept rising faster than expected across most of the economy, officials said after \
        a two-day meeting in the capital where ministers urged caution over growth.";

    /// Every CPU path gives the minimum hashes of the plain definition (stored indexes
    /// depend on these values).
    #[test]
    fn every_path_gives_the_defined_values() {
        let words: Vec<u64> = STORY.split_whitespace().map(word_hash).collect();
        let mut want = [u64::MAX; MINHASH_LEN];
        for w in words.windows(SHINGLE) {
            let s = mix(w[0] ^ mix(w[1] ^ mix(w[2])));
            for (i, m) in want.iter_mut().enumerate() {
                let h = mix(s ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                if h < *m {
                    *m = h;
                }
            }
        }
        let want: Vec<u16> = want.iter().map(|m| (m & 0xffff) as u16).collect();
        let portable = of_words_portable(&words);
        assert_eq!(portable.minhash.as_slice(), want.as_slice());
        assert_eq!(Fingerprint::of_words(&words), portable);
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU has AVX2.
                assert_eq!(unsafe { of_words_avx2(&words) }, portable);
            }
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
            {
                // SAFETY: the CPU has AVX-512 F and DQ.
                assert_eq!(unsafe { of_words_avx512(&words) }, portable);
            }
        }
    }

    #[test]
    fn identical_text_is_fully_similar() {
        assert_eq!(fp(STORY).similarity(&fp(STORY)), 1.0);
        assert_eq!(fp(STORY), fp(&STORY.to_uppercase()), "case does not matter");
    }

    #[test]
    fn light_edits_stay_similar_and_other_stories_do_not() {
        let edited = STORY
            .replace("Thursday", "Friday")
            .replace("capital", "city");
        let s = fp(STORY).similarity(&fp(&edited));
        assert!(s > 0.6, "edited copy: {s}");
        let other = "Rescue teams searched the flooded valley for a third day as rivers \
            burst their banks after record rainfall, leaving thousands of homes without \
            power and forcing the closure of schools and roads across the region.";
        let d = fp(STORY).similarity(&fp(other));
        assert!(d < 0.1, "different story: {d}");
    }

    #[test]
    fn short_texts_never_match() {
        let a = fp("two words");
        assert_eq!(a.shingles, 0);
        assert_eq!(a.similarity(&a), 0.0);
    }
}
