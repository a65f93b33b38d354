//! Feature extraction: what the tagger knows about a token, as hashed feature keys.
//!
//! Three kinds of evidence, after Ratinov & Roth (2009):
//!
//! - **local**: the word and its lower-case form in a ±2 window, prefixes and suffixes,
//!   word shape ("Xx", "X.X.", "d-d") in a ±2 window and its n-grams, flags for
//!   sentence-initial position and all-capitals headlines;
//! - **gazetteers**: for each list, the token's position (B/I/L/U) in any listed phrase
//!   covering it, also for the neighbours;
//! - **document**: whether a capitalised word also appears lower-case elsewhere in the
//!   document (a sign it is an ordinary word) or capitalised mid-sentence (a sign it is
//!   a name even where it starts a sentence or sits in a capitals-only headline).
//!
//! Features that depend on earlier decisions (previous tags, the labels given to the
//! same word earlier in the document) are added by the tagger while it decodes; their
//! templates live here too so all keys are defined in one place.
//!
//! Text is normalised before hashing (curly quotes and apostrophes to ASCII, dashes to
//! `-`), so runtime text from the web looks like the Reuters training text.

use std::borrow::Cow;
use std::collections::HashSet;

use super::gazetteer::{Gazetteer, lower_key};
use super::hash::{hash_bytes, hash_str, mix};

/// Longest token analysed on the stack (longer ones take the general path).
const ASCII_MAX: usize = 48;

/// Template ids: a feature key is `mix(template, value)`.
mod t {
    pub const BIAS: u64 = 1;
    pub const WORD: u64 = 2;
    pub const LOWER: [u64; 5] = [3, 4, 5, 6, 7]; // offsets -2..=2
    pub const PREFIX: u64 = 8;
    pub const SUFFIX: u64 = 9;
    pub const SHAPE: [u64; 5] = [10, 11, 12, 13, 14];
    pub const SHAPE_PREV_CUR: u64 = 15;
    pub const SHAPE_CUR_NEXT: u64 = 16;
    pub const SHAPE_TRI: u64 = 17;
    pub const LOWER_PREV_CUR: u64 = 18;
    pub const LOWER_CUR_NEXT: u64 = 19;
    pub const LOWER_PREV_SHAPE: u64 = 20;
    pub const SHAPE_LOWER_NEXT: u64 = 21;
    pub const START_SHAPE: u64 = 22;
    pub const CAPS_SENT_SHAPE: u64 = 23;
    pub const CAPS_SENT_LOWER: u64 = 24;
    pub const DOC_CASE: u64 = 25;
    pub const GAZ: u64 = 26;
    pub const GAZ_CASE: u64 = 27;
    pub const GAZ_PREV: u64 = 28;
    pub const GAZ_NEXT: u64 = 29;
    pub const LEN_CASE: u64 = 30;
    pub const RUN_POS: u64 = 31;
    pub const RUN_LAST: u64 = 32;
    pub const RUN_FIRST: u64 = 33;
    pub const RUN_LAST_GAZ: u64 = 34;
    pub const RUN_WHOLE: u64 = 35;
    pub const GAZ_PREV2: u64 = 38;
    pub const GAZ_NEXT2: u64 = 39;
    pub const PREV_TAG: u64 = 40;
    pub const PREV_TAGS: u64 = 41;
    pub const PREV_TAG_LOWER: u64 = 42;
    pub const PREV_TAG_SHAPE: u64 = 43;
    pub const HISTORY: u64 = 44;
    pub const HISTORY_MAJOR: u64 = 45;
    pub const FIRST_TAG: [u64; 3] = [50, 51, 52]; // offsets -1..=1
    pub const AGG_TYPE: u64 = 53;
    pub const AGG_MAJOR: u64 = 54;
    pub const AGG_TAG: u64 = 55;
    pub const SUPER: u64 = 56;
}

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

/// Document-wide facts about words, gathered before decoding.
#[derive(Debug, Default)]
pub struct DocContext {
    lower_seen: HashSet<u64, std::hash::BuildHasherDefault<super::hash::KeyHasher>>,
    title_mid_seen: HashSet<u64, std::hash::BuildHasherDefault<super::hash::KeyHasher>>,
}

impl DocContext {
    /// Scans a document given as sentences of analysed tokens.
    pub fn new<'a>(sentences: impl IntoIterator<Item = &'a SentenceLex>) -> Self {
        let mut ctx = DocContext::default();
        for s in sentences {
            for (i, t) in s.tokens.iter().enumerate() {
                match t.case {
                    Case::Lower => {
                        ctx.lower_seen.insert(t.key);
                    }
                    // Mid-sentence capital, not just after an opening quote or bracket.
                    Case::Title if i > 0 && !s.caps && s.tokens[i - 1].case != Case::Other => {
                        ctx.title_mid_seen.insert(t.key);
                    }
                    _ => {}
                }
            }
        }
        ctx
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
            capitalised_runs(&tokens, |i| lower_of(tokens_raw_lower(&keys, i)))
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

fn tokens_raw_lower(keys: &[u64], i: usize) -> u64 {
    keys.get(i).copied().unwrap_or(0)
}

fn lower_of(key: u64) -> u64 {
    key
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

const PAD: [u64; 2] = [0x5EED_0001, 0x5EED_0002];

/// Appends the static (decision-independent) feature keys of token `i`.
pub fn static_features(s: &SentenceLex, doc: &DocContext, i: usize, out: &mut Vec<u64>) {
    let n = s.tokens.len();
    let tok = &s.tokens[i];
    let at = |d: isize| -> Option<&TokenLex> {
        let j = i as isize + d;
        if j < 0 || j as usize >= n {
            None
        } else {
            s.tokens.get(j as usize)
        }
    };
    let lower = |d: isize| at(d).map_or(PAD[usize::from(d > 0)], |t| t.lower);
    let shape = |d: isize| at(d).map_or(PAD[usize::from(d > 0)], |t| t.shape);
    let case = tok.case as u64;

    out.push(t::BIAS);
    out.push(mix(t::WORD, tok.word));
    for (k, d) in (-2isize..=2).enumerate() {
        out.push(mix(t::LOWER[k], lower(d)));
        out.push(mix(t::SHAPE[k], shape(d)));
    }
    for k in 0..4 {
        if tok.prefix[k] != 0 {
            out.push(mix(t::PREFIX, tok.prefix[k]));
        }
        if tok.suffix[k] != 0 {
            out.push(mix(t::SUFFIX, tok.suffix[k]));
        }
    }
    out.push(mix(mix(t::SHAPE_PREV_CUR, shape(-1)), tok.shape));
    out.push(mix(mix(t::SHAPE_CUR_NEXT, tok.shape), shape(1)));
    out.push(mix(mix(mix(t::SHAPE_TRI, shape(-1)), tok.shape), shape(1)));
    out.push(mix(mix(t::LOWER_PREV_CUR, lower(-1)), tok.lower));
    out.push(mix(mix(t::LOWER_CUR_NEXT, tok.lower), lower(1)));
    out.push(mix(mix(t::LOWER_PREV_SHAPE, lower(-1)), tok.shape));
    out.push(mix(mix(t::SHAPE_LOWER_NEXT, tok.shape), lower(1)));
    if i == 0 {
        out.push(mix(t::START_SHAPE, tok.shape));
    }
    if s.caps {
        out.push(mix(t::CAPS_SENT_SHAPE, tok.shape));
        out.push(mix(t::CAPS_SENT_LOWER, tok.lower));
    }
    if tok.capitalised() {
        let lc = u64::from(doc.lower_seen.contains(&tok.key));
        let mid = u64::from(doc.title_mid_seen.contains(&tok.key));
        let place = if s.caps {
            2
        } else if i == 0 || at(-1).is_some_and(|p| p.case == Case::Other) {
            1
        } else {
            0
        };
        out.push(mix(t::DOC_CASE, case | lc << 4 | mid << 5 | place << 6));
    }
    out.push(mix(t::LEN_CASE, u64::from(tok.len) | case << 8));
    let (rs, re) = s
        .run
        .get(i)
        .map_or((0, 0), |&(a, b)| (a as usize, b as usize));
    if re > rs {
        let len = (re - rs).min(5) as u64;
        let pos = if re - rs == 1 {
            3
        } else if i == rs {
            0
        } else if i + 1 == re {
            2
        } else {
            1
        };
        out.push(mix(t::RUN_POS, len | pos << 4));
        if re - rs > 1 {
            let last = &s.tokens[re - 1];
            let first = &s.tokens[rs];
            out.push(mix(mix(t::RUN_LAST, last.lower), pos));
            out.push(mix(mix(t::RUN_FIRST, first.lower), pos));
            for &code in s.gaz_of(re - 1) {
                out.push(mix(t::RUN_LAST_GAZ, u64::from(code) | pos << 16));
            }
            let whole = s.tokens[rs..re]
                .iter()
                .fold(t::RUN_WHOLE, |h, t| mix(h, t.lower));
            out.push(mix(whole, pos));
        }
    }
    for &code in s.gaz_of(i) {
        out.push(mix(t::GAZ, u64::from(code)));
        out.push(mix(t::GAZ_CASE, u64::from(code) | case << 16));
    }
    if i > 0 {
        for &code in s.gaz_of(i - 1) {
            out.push(mix(t::GAZ_PREV, u64::from(code)));
        }
    }
    for &code in s.gaz_of(i + 1) {
        out.push(mix(t::GAZ_NEXT, u64::from(code)));
    }
    if i > 1 {
        for &code in s.gaz_of(i - 2) {
            out.push(mix(t::GAZ_PREV2, u64::from(code)));
        }
    }
    for &code in s.gaz_of(i + 2) {
        out.push(mix(t::GAZ_NEXT2, u64::from(code)));
    }
}

/// Labels given so far in a document to each capitalised word (by lower-case key):
/// Ratinov & Roth's "extended prediction history". A later mention of "Zakharova"
/// leans towards the type its first, fuller mention "Maria Zakharova" was given.
#[derive(Debug, Default)]
pub struct History {
    counts: super::hash::KeyMap<[u16; 5]>,
}

impl History {
    /// Records that a capitalised token got entity type `kind` (0-3) or O (4).
    pub fn record(&mut self, tok: &TokenLex, kind: usize) {
        if tok.capitalised() {
            let c = self.counts.entry(tok.key).or_default();
            if let Some(slot) = c.get_mut(kind) {
                *slot = slot.saturating_add(1);
            }
        }
    }

    /// Forgets everything (a new document starts).
    pub fn clear(&mut self) {
        self.counts.clear();
    }
}

/// Appends the decision-dependent features of token `i` given the two previous tags.
pub fn dynamic_features(
    s: &SentenceLex,
    i: usize,
    prev: [u8; 2],
    history: &History,
    out: &mut Vec<(u64, f32)>,
) {
    let tok = &s.tokens[i];
    let p1 = u64::from(prev[1]);
    let p2 = u64::from(prev[0]);
    out.push((mix(t::PREV_TAG, p1), 1.0));
    out.push((mix(t::PREV_TAGS, p2 << 8 | p1), 1.0));
    out.push((mix(mix(t::PREV_TAG_LOWER, p1), tok.lower), 1.0));
    out.push((mix(mix(t::PREV_TAG_SHAPE, p1), tok.shape), 1.0));
    if tok.capitalised()
        && let Some(c) = history.counts.get(&tok.key)
    {
        let total: u32 = c.iter().map(|&x| u32::from(x)).sum();
        if total > 0 {
            let mut best = 0;
            for k in 0..5 {
                if c[k] > 0 {
                    out.push((mix(t::HISTORY, k as u64), f32::from(c[k]) / total as f32));
                }
                if c[k] > c[best] {
                    best = k;
                }
            }
            out.push((mix(t::HISTORY_MAJOR, best as u64), 1.0));
        }
    }
}

/// What the first pass said about each word across the whole document, for the second
/// pass: Ratinov & Roth's non-local features. Where the first pass read "Atalanta" as
/// an organisation three times and a person once, the second pass sees that.
#[derive(Debug, Default)]
pub struct Aggregates {
    /// Per lower-case key of capitalised tokens: counts of PER, ORG, LOC, MISC, O.
    types: super::hash::KeyMap<[u16; 5]>,
    /// Per lower-case key: counts of each first-pass tag.
    tags: super::hash::KeyMap<[u16; super::labels::NUM_CLASSES]>,
    /// Per lower-case key: type of the longest multi-token entity containing it, with
    /// its length (capped) and whether the token ended it.
    within: super::hash::KeyMap<(u8, u8, bool)>,
}

impl Aggregates {
    /// Gathers the first pass's tags (`tags[sentence][token]`, class indices).
    pub fn new(lex: &[SentenceLex], tags: &[Vec<super::labels::Tag>]) -> Self {
        let mut a = Aggregates::default();
        for (s, ts) in lex.iter().zip(tags) {
            for span in super::labels::bilou_to_spans(ts) {
                let len = span.end - span.start;
                if len < 2 {
                    continue;
                }
                for i in span.start..span.end {
                    let Some(tok) = s.tokens.get(i) else { continue };
                    if !tok.capitalised() {
                        continue;
                    }
                    let e = a.within.entry(tok.key).or_insert((0, 0, false));
                    let l = len.min(8) as u8;
                    if l > e.1 {
                        *e = (span.label.index() as u8, l, i + 1 == span.end);
                    }
                }
            }
            for (tok, tag) in s.tokens.iter().zip(ts) {
                if !tok.capitalised() {
                    continue;
                }
                let kind = tag.parts().map_or(4, |(l, _)| l.index());
                a.types.entry(tok.key).or_default()[kind] += 1;
                if let Some(c) = a.tags.entry(tok.key).or_default().get_mut(tag.index()) {
                    *c += 1;
                }
            }
        }
        a
    }
}

/// Appends the second-pass features of token `i`: the first pass's tags around it and
/// what the first pass said about the same word elsewhere in the document (its own
/// occurrence left out, so the feature only carries evidence from the others).
pub fn aggregate_features(
    s: &SentenceLex,
    i: usize,
    first: &[super::labels::Tag],
    agg: &Aggregates,
    out: &mut Vec<(u64, f32)>,
) {
    for (k, d) in (-1isize..=1).enumerate() {
        let j = i as isize + d;
        let tag = if j < 0 {
            99
        } else {
            first.get(j as usize).map_or(98, |t| u64::from(t.0))
        };
        out.push((mix(t::FIRST_TAG[k], tag), 1.0));
    }
    let tok = &s.tokens[i];
    if !tok.capitalised() {
        return;
    }
    let own = first.get(i).copied().unwrap_or_default();
    let own_kind = own.parts().map_or(4, |(l, _)| l.index());
    if let Some(c) = agg.types.get(&tok.key) {
        let mut c = *c;
        c[own_kind] = c[own_kind].saturating_sub(1);
        let total: u32 = c.iter().map(|&x| u32::from(x)).sum();
        if total > 0 {
            let mut best = 0;
            for k in 0..5 {
                if c[k] > 0 {
                    out.push((mix(t::AGG_TYPE, k as u64), f32::from(c[k]) / total as f32));
                }
                if c[k] > c[best] {
                    best = k;
                }
            }
            out.push((mix(t::AGG_MAJOR, best as u64), 1.0));
        }
    }
    if let Some(c) = agg.tags.get(&tok.key) {
        let mut c = *c;
        if let Some(x) = c.get_mut(own.index()) {
            *x = x.saturating_sub(1);
        }
        let total: u32 = c.iter().map(|&x| u32::from(x)).sum();
        if total > 0 {
            for (k, &n) in c.iter().enumerate() {
                if n > 0 {
                    out.push((mix(t::AGG_TAG, k as u64), f32::from(n) / total as f32));
                }
            }
        }
    }
    if let Some(&(label, len, last)) = agg.within.get(&tok.key) {
        out.push((
            mix(
                t::SUPER,
                u64::from(label) | u64::from(len) << 4 | u64::from(last) << 8,
            ),
            1.0,
        ));
        out.push((mix(t::SUPER, u64::from(label) | 1 << 12), 1.0));
    }
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

    #[test]
    fn document_case_evidence_changes_features() {
        let g = Gazetteer::empty();
        let a = SentenceLex::new(&["Bush", "spoke", "."], &g);
        let b = SentenceLex::new(&["A", "bush", "burned", "."], &g);
        let c = SentenceLex::new(&["Then", "Bush", "left", "."], &g);
        let with_lower = DocContext::new([&a, &b]);
        let with_mid = DocContext::new([&a, &c]);
        let mut f1 = Vec::new();
        let mut f2 = Vec::new();
        static_features(&a, &with_lower, 0, &mut f1);
        static_features(&a, &with_mid, 0, &mut f2);
        assert_eq!(f1.len(), f2.len());
        assert_ne!(f1, f2);
    }

    #[test]
    fn history_features_carry_fractions() {
        let g = Gazetteer::empty();
        let s = SentenceLex::new(&["Zakharova", "said"], &g);
        let mut h = History::default();
        h.record(&s.tokens[0], 0);
        h.record(&s.tokens[0], 0);
        h.record(&s.tokens[0], 4);
        h.record(&s.tokens[1], 1); // lower-case: not recorded
        let mut out = Vec::new();
        dynamic_features(&s, 0, [0, 0], &h, &mut out);
        let fractions: Vec<f32> = out[4..].iter().map(|&(_, v)| v).collect();
        assert_eq!(fractions.len(), 3);
        assert!((fractions[0] - 2.0 / 3.0).abs() < 1e-6);
        let mut out = Vec::new();
        dynamic_features(&s, 1, [0, 0], &h, &mut out);
        assert_eq!(out.len(), 4);
    }
}
