//! What the part-of-speech tagger knows about a token, as hashed feature keys.
//!
//! The templates follow the averaged-perceptron taggers of Collins (2002) and
//! Honnibal's well-known "good part-of-speech tagger in about 200 lines": the word,
//! its affixes and shape, the words and suffixes around it, and the two tags already
//! chosen to its left. Keys are `mix(template, value)` over the fixed hashes of
//! `crate::ner::hash`, so a model file holds no strings.
//!
//! Tokens are normalised first (curly quotes to ASCII, as for the recogniser, and
//! digits to `0`), so "1996" and "2024" share a feature and web text looks like the
//! Reuters training text.

use crate::ner::hash::{hash_bytes, mix};
use crate::ner::lex::normalize_char;

/// Template ids.
mod t {
    pub const BIAS: u64 = 101;
    pub const WORD: u64 = 102;
    pub const SUFFIX: [u64; 3] = [103, 104, 105];
    pub const PREFIX: u64 = 106;
    pub const SHAPE: u64 = 107;
    pub const PREV_WORD: u64 = 108;
    pub const PREV2_WORD: u64 = 109;
    pub const NEXT_WORD: u64 = 110;
    pub const NEXT2_WORD: u64 = 111;
    pub const PREV_SUFFIX: u64 = 112;
    pub const NEXT_SUFFIX: u64 = 113;
    pub const FIRST_SHAPE: u64 = 114;
    pub const NEXT_SHAPE: u64 = 115;
    pub const EXACT: u64 = 116;
    pub const PREV_TAG: u64 = 120;
    pub const PREV_TAGS: u64 = 121;
    pub const PREV_TAG_WORD: u64 = 122;
    pub const PREV_TAG_NEXT: u64 = 123;
}

/// Static features per token (see [`static_features`]).
pub const STATIC_PER_TOKEN: usize = 16;

/// Padding values for positions outside the sentence (left, right).
const PAD: [u64; 2] = [0x9A0D_0001, 0x9A0D_0002];

/// The hashes of one token the templates read.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenLex {
    /// The normalised token as written (case kept).
    pub exact: u64,
    /// Lower-cased, digits as `0`: the dictionary and word features.
    pub lower: u64,
    /// Last 1, 2 and 3 characters of the lower-cased form (0 when shorter).
    pub suffix: [u64; 3],
    /// First character as written.
    pub prefix: u64,
    /// Compressed shape: `Xx`, `x`, `X`, `d`, `Xx-Xx`, `d.d`...
    pub shape: u64,
}

impl TokenLex {
    /// Analyses one token.
    pub fn new(token: &str) -> Self {
        let mut lower = [0u8; 64];
        let mut exact = [0u8; 64];
        let mut shape = [0u8; 32];
        let (mut n, mut s) = (0usize, 0usize);
        let mut first = 0u64;
        let mut chars = 0usize;
        let mut ends = [0usize; 3]; // byte starts of the last three chars of `lower`
        let mut last_shape = 0u8;
        let mut fits = true;
        for c in token.chars().map(normalize_char) {
            let mut buf = [0u8; 4];
            let written = c.len_utf8();
            if n + written + 4 > lower.len() {
                fits = false;
                break;
            }
            if chars == 0 {
                first = hash_bytes(c.encode_utf8(&mut buf).as_bytes());
            }
            ends = [ends[1], ends[2], n];
            if let Ok(b) = u8::try_from(c)
                && b.is_ascii()
            {
                // Most characters: one byte each, set directly rather than copied.
                exact[n] = b;
                lower[n] = if b.is_ascii_digit() {
                    b'0'
                } else {
                    b.to_ascii_lowercase()
                };
            } else {
                exact[n..n + written].copy_from_slice(c.encode_utf8(&mut buf).as_bytes());
                let low = c.to_lowercase().next().unwrap_or(c);
                let lw = low.encode_utf8(&mut buf).len();
                // Lower-casing can change the length; keep `exact` and `lower` apart.
                lower[n..n + lw].copy_from_slice(&buf[..lw]);
                if lw != written {
                    fits = false;
                    break;
                }
            }
            n += written;
            chars += 1;
            let k = if c.is_uppercase() {
                b'X'
            } else if c.is_lowercase() {
                b'x'
            } else if c.is_ascii_digit() {
                b'd'
            } else if c.is_alphabetic() {
                b'x'
            } else {
                u8::try_from(u32::from(c)).unwrap_or(b'?')
            };
            if k != last_shape && s < shape.len() {
                shape[s] = k;
                s += 1;
                last_shape = k;
            }
        }
        if !fits {
            return Self::general(token);
        }
        let lower = &lower[..n];
        let mut suffix = [0u64; 3];
        for (k, slot) in suffix.iter_mut().enumerate() {
            if chars > k + 1 {
                let at = ends[2 - k];
                *slot = hash_bytes(&lower[at..]);
            }
        }
        Self {
            exact: hash_bytes(&exact[..n]),
            lower: hash_bytes(lower),
            suffix,
            prefix: first,
            shape: hash_bytes(&shape[..s]),
        }
    }

    /// The allocating path for long or odd tokens (same values as [`TokenLex::new`]
    /// would give where both apply).
    fn general(token: &str) -> Self {
        let norm: String = token.chars().map(normalize_char).collect();
        let lower: String = norm
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    '0'
                } else {
                    c.to_lowercase().next().unwrap_or(c)
                }
            })
            .collect();
        let chars: Vec<char> = lower.chars().collect();
        let mut suffix = [0u64; 3];
        for (k, slot) in suffix.iter_mut().enumerate() {
            if chars.len() > k + 1 {
                let tail: String = chars[chars.len() - k - 1..].iter().collect();
                *slot = hash_bytes(tail.as_bytes());
            }
        }
        let mut shape = Vec::new();
        for c in norm.chars() {
            let k = if c.is_uppercase() {
                b'X'
            } else if c.is_ascii_digit() {
                b'd'
            } else if c.is_alphabetic() {
                b'x'
            } else {
                u8::try_from(u32::from(c)).unwrap_or(b'?')
            };
            if shape.last() != Some(&k) && shape.len() < 32 {
                shape.push(k);
            }
        }
        let first = norm.chars().next().map_or(0, |c| {
            let mut b = [0u8; 4];
            hash_bytes(c.encode_utf8(&mut b).as_bytes())
        });
        Self {
            exact: hash_bytes(norm.as_bytes()),
            lower: hash_bytes(lower.as_bytes()),
            suffix,
            prefix: first,
            shape: hash_bytes(&shape),
        }
    }
}

/// Appends the [`STATIC_PER_TOKEN`] decision-independent keys of token `i`.
pub fn static_features(s: &[TokenLex], i: usize, out: &mut Vec<u64>) {
    let at = |d: isize| i.checked_add_signed(d).and_then(|j| s.get(j));
    let lower = |d: isize| at(d).map_or(PAD[usize::from(d > 0)], |t| t.lower);
    let Some(tok) = s.get(i) else { return };
    out.push(t::BIAS);
    out.push(mix(t::WORD, tok.lower));
    out.push(mix(t::EXACT, tok.exact));
    for (k, template) in t::SUFFIX.iter().enumerate() {
        out.push(mix(*template, tok.suffix[k]));
    }
    out.push(mix(t::PREFIX, tok.prefix));
    out.push(mix(t::SHAPE, tok.shape));
    out.push(mix(t::PREV_WORD, lower(-1)));
    out.push(mix(t::PREV2_WORD, lower(-2)));
    out.push(mix(t::NEXT_WORD, lower(1)));
    out.push(mix(t::NEXT2_WORD, lower(2)));
    out.push(mix(t::PREV_SUFFIX, at(-1).map_or(PAD[0], |t| t.suffix[2])));
    out.push(mix(t::NEXT_SUFFIX, at(1).map_or(PAD[1], |t| t.suffix[2])));
    out.push(mix(t::FIRST_SHAPE, mix(u64::from(i == 0), tok.shape)));
    out.push(mix(t::NEXT_SHAPE, at(1).map_or(PAD[1], |t| t.shape)));
}

/// Appends the keys that depend on the tags already chosen: `prev` holds the tags of
/// the two tokens to the left (`u8::MAX` outside the sentence).
pub fn dynamic_features(s: &[TokenLex], i: usize, prev: [u8; 2], out: &mut [u64; 4]) {
    let (p2, p1) = (u64::from(prev[0]), u64::from(prev[1]));
    let word = s.get(i).map_or(0, |t| t.lower);
    let next = s.get(i + 1).map_or(PAD[1], |t| t.lower);
    *out = [
        mix(t::PREV_TAG, p1),
        mix(t::PREV_TAGS, mix(p2, p1)),
        mix(t::PREV_TAG_WORD, mix(p1, word)),
        mix(t::PREV_TAG_NEXT, mix(p1, next)),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_digits_quotes_and_case() {
        assert_eq!(TokenLex::new("1996").lower, TokenLex::new("2024").lower);
        assert_eq!(TokenLex::new("Bank").lower, TokenLex::new("bank").lower);
        assert_ne!(TokenLex::new("Bank").exact, TokenLex::new("bank").exact);
        assert_eq!(TokenLex::new("\u{2019}s").exact, TokenLex::new("'s").exact);
        // "banks" and "tanks" share the suffixes "s", "ks", "nks".
        let (a, b) = (TokenLex::new("banks"), TokenLex::new("tanks"));
        assert_eq!(a.suffix, b.suffix);
        assert_eq!(TokenLex::new("a").suffix, [0, 0, 0]);
        assert_eq!(TokenLex::new("Moscow").shape, TokenLex::new("Paris").shape);
        assert_ne!(TokenLex::new("Moscow").shape, TokenLex::new("NATO").shape);
    }

    #[test]
    fn long_tokens_match_the_general_path() {
        for w in ["Russian-Chinese", "Zürich", "naïve", "U.S.", "x"] {
            let fast = TokenLex::new(w);
            let slow = TokenLex::general(w);
            assert_eq!(
                (fast.exact, fast.lower, fast.suffix, fast.prefix, fast.shape),
                (slow.exact, slow.lower, slow.suffix, slow.prefix, slow.shape),
                "{w}"
            );
        }
        let long = "a".repeat(100);
        assert_ne!(TokenLex::new(&long).lower, 0);
    }

    #[test]
    fn one_key_per_template() {
        let s: Vec<TokenLex> = ["The", "bank", "rose"]
            .iter()
            .map(|w| TokenLex::new(w))
            .collect();
        let mut out = Vec::new();
        static_features(&s, 1, &mut out);
        assert_eq!(out.len(), STATIC_PER_TOKEN);
        let mut dynamic = [0u64; 4];
        dynamic_features(&s, 1, [u8::MAX, 3], &mut dynamic);
        assert!(dynamic.iter().all(|k| !out.contains(k)));
    }
}
