//! What is known about tokens and sentences before any feature is built: the
//! normalised token, its hashes (word, lower-case, shape, affixes), its capitalisation,
//! gazetteer matches over the sentence and runs of capitalised words.
//!
//! Text is normalised before hashing (curly quotes and apostrophes to ASCII, dashes to
//! `-`), so runtime text from the web looks like the Reuters training text.

use std::borrow::Cow;

use super::gazetteer::{Gazetteer, lower_key};
use super::hash::{hash_bytes, hash_str, mix};

/// Longest token analysed on the stack (longer ones take the general path).
const ASCII_MAX: usize = 48;

/// Maps typographic characters to the ASCII ones the training text uses.
pub fn normalize_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{AB}' | '\u{BB}' | '\u{2033}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        '\u{2026}' => '.',
        '\u{A0}' => ' ',
        c => c,
    }
}

/// The token with [`normalize_char`] applied (borrowed when already plain).
pub fn normalize_token(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().map(normalize_char).collect())
    }
}

/// Capitalisation class of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Case {
    /// Starts with a lower-case letter.
    Lower = 0,
    /// Starts with a capital and has lower-case letters ("Moscow", "McDonald").
    Title = 1,
    /// Two or more letters, all capitals ("NATO", "U.S.").
    Caps = 2,
    /// A single capital letter ("A", "J.").
    Letter = 3,
    /// Starts with something else (digits, punctuation).
    Other = 4,
}

/// What is known about one token before decoding.
#[derive(Debug, Clone, Copy)]
pub struct TokenLex {
    /// Hash of the normalised token.
    pub word: u64,
    /// Hash of the lower-cased token with digits mapped to `0`.
    pub lower: u64,
    /// Hash of the lower-cased token (digits kept): gazetteer and document lookups.
    pub key: u64,
    /// Hash of the compressed word shape.
    pub shape: u64,
    /// Capitalisation class.
    pub case: Case,
    /// Length in characters, capped at 15.
    pub len: u8,
    /// Looks like a plural: lower-case ending in "s" (not "ss"), four letters or more.
    pub plural: bool,
    /// Hashes of lower-case prefixes of 1..=4 chars (0 where the word is shorter).
    pub prefix: [u64; 4],
    /// Hashes of lower-case suffixes of 1..=4 chars (0 where the word is shorter).
    pub suffix: [u64; 4],
}

impl TokenLex {
    /// Analyses one token.
    pub fn new(token: &str) -> Self {
        if token.len() <= ASCII_MAX && token.is_ascii() {
            return Self::new_ascii(token.as_bytes());
        }
        Self::new_unicode(token)
    }

    /// The same analysis for a short ASCII token, on the stack: most news tokens are,
    /// and the general path's allocations were a tenth of tagging time.
    fn new_ascii(b: &[u8]) -> Self {
        let n = b.len().min(ASCII_MAX);
        let mut lower = [0u8; ASCII_MAX];
        let mut lower_digits = [0u8; ASCII_MAX];
        let mut shape = [0u8; 12];
        let mut shape_len = 0;
        let (mut letters, mut uppers) = (0usize, 0usize);
        let mut last_class = 0u8;
        for (k, &c) in b.iter().take(n).enumerate() {
            let class = if c.is_ascii_uppercase() {
                letters += 1;
                uppers += 1;
                b'X'
            } else if c.is_ascii_lowercase() {
                letters += 1;
                b'x'
            } else if c.is_ascii_digit() {
                b'd'
            } else {
                c
            };
            if class != last_class && shape_len < shape.len() {
                shape[shape_len] = class;
                shape_len += 1;
            }
            last_class = class;
            let l = c.to_ascii_lowercase();
            lower[k] = l;
            lower_digits[k] = if l.is_ascii_digit() { b'0' } else { l };
        }
        let first = b.first().copied().unwrap_or(b' ');
        let case = if first.is_ascii_lowercase() {
            Case::Lower
        } else if first.is_ascii_uppercase() {
            if uppers == letters {
                if letters >= 2 {
                    Case::Caps
                } else {
                    Case::Letter
                }
            } else {
                Case::Title
            }
        } else {
            Case::Other
        };
        let lower = &lower[..n];
        let mut prefix = [0u64; 4];
        let mut suffix = [0u64; 4];
        for k in 1..=4usize {
            if n > k {
                prefix[k - 1] = mix(k as u64, hash_bytes(&lower[..k]));
                suffix[k - 1] = mix(k as u64, hash_bytes(&lower[n - k..]));
            }
        }
        TokenLex {
            word: hash_bytes(&b[..n]),
            lower: hash_bytes(&lower_digits[..n]),
            key: hash_bytes(lower),
            shape: hash_bytes(&shape[..shape_len]),
            case,
            len: n.min(15) as u8,
            plural: n > 3 && lower.ends_with(b"s") && !lower.ends_with(b"ss"),
            prefix,
            suffix,
        }
    }

    /// The general analysis (any Unicode, normalised to the training text's ASCII).
    fn new_unicode(token: &str) -> Self {
        let norm = normalize_token(token);
        let norm: &str = &norm;
        let mut lower = String::with_capacity(norm.len());
        let mut lower_digits = String::with_capacity(norm.len());
        let mut shape = String::with_capacity(8);
        let mut letters = 0usize;
        let mut uppers = 0usize;
        let mut chars = 0usize;
        let mut last_class = '\0';
        for c in norm.chars() {
            chars += 1;
            let class = if c.is_uppercase() {
                letters += 1;
                uppers += 1;
                'X'
            } else if c.is_lowercase() {
                letters += 1;
                'x'
            } else if c.is_numeric() {
                'd'
            } else if c.is_alphabetic() {
                letters += 1;
                'x'
            } else {
                c
            };
            if class != last_class && shape.len() < 12 {
                shape.push(class);
            }
            last_class = class;
            for l in c.to_lowercase() {
                lower.push(l);
                lower_digits.push(if l.is_ascii_digit() { '0' } else { l });
            }
        }
        let first = norm.chars().next().unwrap_or(' ');
        let case = if first.is_lowercase() {
            Case::Lower
        } else if first.is_uppercase() {
            if uppers == letters {
                if letters >= 2 {
                    Case::Caps
                } else {
                    Case::Letter
                }
            } else {
                Case::Title
            }
        } else {
            Case::Other
        };
        let mut prefix = [0u64; 4];
        let mut suffix = [0u64; 4];
        let lchars: Vec<(usize, char)> = lower.char_indices().collect();
        for k in 1..=4usize {
            if lchars.len() > k {
                let end = lchars.get(k).map_or(lower.len(), |&(b, _)| b);
                let start = lchars[lchars.len() - k].0;
                prefix[k - 1] = mix(k as u64, hash_str(lower.get(..end).unwrap_or("")));
                suffix[k - 1] = mix(k as u64, hash_str(lower.get(start..).unwrap_or("")));
            }
        }
        TokenLex {
            word: hash_str(norm),
            lower: hash_str(&lower_digits),
            key: lower_key(&lower),
            shape: hash_str(&shape),
            case,
            len: chars.min(15) as u8,
            plural: chars > 3 && lower.ends_with('s') && !lower.ends_with("ss"),
            prefix,
            suffix,
        }
    }

    /// True for a token starting with a capital letter.
    pub fn capitalised(&self) -> bool {
        matches!(self.case, Case::Title | Case::Caps | Case::Letter)
    }
}

/// One sentence, analysed.
#[derive(Debug, Clone, Default)]
pub struct SentenceLex {
    /// Its tokens.
    pub tokens: Vec<TokenLex>,
    /// True for a capitals-only line such as a headline ("RUSSIA SAYS ...").
    pub caps: bool,
    /// Gazetteer matches: `gaz[gaz_start[i]..gaz_start[i + 1]]` are token i's codes.
    pub gaz: Vec<u16>,
    /// Offsets into `gaz`, one more than there are tokens.
    pub gaz_start: Vec<u32>,
    /// For each token, the run of capitalised words holding it (`start`, `end`), or
    /// `(0, 0)`. A run may bridge "of", "de", "and", "&" between capitalised words and
    /// end with a number: "Bank of England", "Power of Siberia 2", "Euro 96".
    pub run: Vec<(u16, u16)>,
}

impl SentenceLex {
    /// Analyses a sentence and matches the gazetteer over it.
    pub fn new<S: AsRef<str>>(tokens: &[S], gazetteer: &Gazetteer) -> Self {
        let tokens: Vec<TokenLex> = tokens.iter().map(|t| TokenLex::new(t.as_ref())).collect();
        let caps_words = tokens.iter().filter(|t| t.case == Case::Caps).count();
        let lower_words = tokens
            .iter()
            .filter(|t| matches!(t.case, Case::Lower | Case::Title))
            .count();
        let caps = caps_words >= 2 && lower_words == 0;
        let keys: Vec<u64> = tokens.iter().map(|t| t.key).collect();
        let mut hits: Vec<(u32, u16)> = Vec::new();
        gazetteer.matches(&keys, |i, code| hits.push((i as u32, code)));
        hits.sort_unstable();
        hits.dedup();
        let mut gaz = Vec::with_capacity(hits.len());
        let mut gaz_start = Vec::with_capacity(tokens.len() + 1);
        let mut h = 0;
        for i in 0..tokens.len() as u32 {
            gaz_start.push(gaz.len() as u32);
            while h < hits.len() && hits[h].0 == i {
                gaz.push(hits[h].1);
                h += 1;
            }
        }
        gaz_start.push(gaz.len() as u32);
        let run = if caps {
            vec![(0, 0); tokens.len()]
        } else {
            capitalised_runs(&tokens, |i| keys.get(i).copied().unwrap_or(0))
        };
        SentenceLex {
            tokens,
            caps,
            gaz,
            gaz_start,
            run,
        }
    }

    /// Gazetteer codes of token `i`.
    pub fn gaz_of(&self, i: usize) -> &[u16] {
        let a = self.gaz_start.get(i).copied().unwrap_or(0) as usize;
        let b = self.gaz_start.get(i + 1).copied().unwrap_or(0) as usize;
        self.gaz.get(a..b).unwrap_or(&[])
    }
}

/// Words that may join two capitalised words into one name.
fn is_connector(key: u64) -> bool {
    use std::sync::OnceLock;
    static CONNECTORS: OnceLock<[u64; 14]> = OnceLock::new();
    CONNECTORS
        .get_or_init(|| {
            [
                "of", "de", "del", "della", "da", "di", "la", "le", "du", "von", "van", "der",
                "and", "&",
            ]
            .map(lower_key)
        })
        .contains(&key)
}

/// Runs of capitalised words (see [`SentenceLex::run`]).
fn capitalised_runs(tokens: &[TokenLex], key: impl Fn(usize) -> u64) -> Vec<(u16, u16)> {
    let n = tokens.len();
    let mut out = vec![(0u16, 0u16); n];
    let cap = |i: usize| tokens.get(i).is_some_and(TokenLex::capitalised);
    let mut i = 0;
    while i < n {
        if !cap(i) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i + 1;
        loop {
            if cap(end) {
                end += 1;
            } else if end + 1 < n && is_connector(key(end)) && cap(end + 1) {
                end += 2;
            } else {
                break;
            }
        }
        if end < n && tokens[end].case == Case::Other && tokens[end].shape == digits_shape() {
            end += 1;
        }
        for slot in &mut out[start..end] {
            *slot = (
                start.min(u16::MAX as usize) as u16,
                end.min(u16::MAX as usize) as u16,
            );
        }
        i = end;
    }
    out
}

/// Shape hash of a bare number ("2", "1996").
pub fn digits_shape() -> u64 {
    use std::sync::OnceLock;
    static D: OnceLock<u64> = OnceLock::new();
    *D.get_or_init(|| hash_str("d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curly_quotes_normalise_to_ascii() {
        assert_eq!(normalize_token("Xi\u{2019}s"), "Xi's");
        assert_eq!(normalize_token("\u{201C}no"), "\"no");
        assert_eq!(
            TokenLex::new("Xi\u{2019}s").word,
            TokenLex::new("Xi's").word
        );
    }

    #[test]
    fn ascii_fast_path_matches_the_general_one() {
        for w in [
            "Moscow",
            "NATO",
            "U.S.",
            "J.",
            "gas",
            "1996-08-22",
            "McDonald",
            "'s",
            "(",
            "a",
            "Power",
            "COVID-19",
            "x1y2",
            "BAGS",
            "pass",
            "Zakharova",
            "",
        ] {
            let fast = TokenLex::new_ascii(w.as_bytes());
            let slow = TokenLex::new_unicode(w);
            assert_eq!(
                (
                    fast.word, fast.lower, fast.key, fast.shape, fast.case, fast.len
                ),
                (
                    slow.word, slow.lower, slow.key, slow.shape, slow.case, slow.len
                ),
                "{w}"
            );
            assert_eq!(
                (fast.prefix, fast.suffix, fast.plural),
                (slow.prefix, slow.suffix, slow.plural),
                "{w}"
            );
        }
    }

    #[test]
    fn case_classes() {
        assert_eq!(TokenLex::new("Moscow").case, Case::Title);
        assert_eq!(TokenLex::new("NATO").case, Case::Caps);
        assert_eq!(TokenLex::new("U.S.").case, Case::Caps);
        assert_eq!(TokenLex::new("J.").case, Case::Letter);
        assert_eq!(TokenLex::new("gas").case, Case::Lower);
        assert_eq!(TokenLex::new("1996").case, Case::Other);
    }

    #[test]
    fn shapes_compress_runs() {
        assert_eq!(TokenLex::new("Moscow").shape, hash_str("Xx"));
        assert_eq!(TokenLex::new("U.S.").shape, hash_str("X.X."));
        assert_eq!(TokenLex::new("1996-08-22").shape, hash_str("d-d-d"));
        assert_eq!(TokenLex::new("McDonald").shape, hash_str("XxXx"));
    }

    #[test]
    fn lower_form_maps_digits() {
        assert_eq!(TokenLex::new("1996").lower, TokenLex::new("2025").lower);
        assert_ne!(TokenLex::new("1996").key, TokenLex::new("2025").key);
    }

    #[test]
    fn headline_sentences_are_detected() {
        let g = Gazetteer::empty();
        assert!(SentenceLex::new(&["RUSSIA", "SAYS", "NO", "."], &g).caps);
        assert!(!SentenceLex::new(&["Russia", "says", "NO", "."], &g).caps);
    }
}
