//! Word segmentation (UAX #29) with a fast path for plain ASCII stretches.
//!
//! `unicode-segmentation` looks up a property table for every character, which makes
//! it the slowest part of the pipeline. Most of an English news text is ASCII, where
//! the UAX #29 word rules reduce to a few byte tests, so the text is cut at ASCII
//! whitespace (always a word boundary, and whitespace is not kept as a token) and
//! each piece that is pure ASCII is segmented here; any other piece goes to
//! `split_word_bound_indices`. The ASCII rules, from UAX #29:
//!
//! - letters, digits and `_` stick together (WB5, WB8-WB10, WB13a/b);
//! - letter `:` `.` `'` letter stick together (WB6/WB7: "U.S", "don't");
//! - digit `,` `;` `.` `'` digit stick together (WB11/WB12: "1,000", "3.5");
//! - every other character is a segment of its own (WB999).
//!
//! The one difference from segmenting the whole text at once: a combining mark or
//! joiner directly after whitespace is its own segment instead of riding on the space.

use unicode_segmentation::UnicodeSegmentation;

/// ASCII whitespace as Rust and Unicode define it (tab, LF, VT, FF, CR, space).
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Letters, digits and the connector `_`.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `mid` between `prev` and `next` keeps them in one word (WB6/7, WB11/12).
fn joins(prev: u8, mid: u8, next: u8) -> bool {
    (prev.is_ascii_alphabetic() && next.is_ascii_alphabetic() && matches!(mid, b':' | b'.' | b'\''))
        || (prev.is_ascii_digit()
            && next.is_ascii_digit()
            && matches!(mid, b',' | b';' | b'.' | b'\''))
}

/// Calls `f(offset, segment)` for every non-whitespace word segment of `text`, in
/// order; offsets are byte offsets into `text`.
pub(crate) fn word_segments<'a>(text: &'a str, mut f: impl FnMut(usize, &'a str)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i).copied().is_some_and(is_ascii_space) {
            i += 1;
            continue;
        }
        let end = bytes
            .get(i..)
            .and_then(|rest| rest.iter().position(|&b| is_ascii_space(b)))
            .map_or(bytes.len(), |p| i + p);
        // `i` and `end` sit next to ASCII bytes or at the ends, so on char boundaries.
        let Some(piece) = text.get(i..end) else {
            break;
        };
        if piece.is_ascii() {
            ascii_segments(piece, i, &mut f);
        } else {
            for (offset, segment) in piece.split_word_bound_indices() {
                f(i + offset, segment);
            }
        }
        i = end;
    }
}

/// Segments an ASCII piece without whitespace by the rules in the module docs.
fn ascii_segments<'a>(piece: &'a str, base: usize, f: &mut impl FnMut(usize, &'a str)) {
    let b = piece.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        let start = i;
        i += 1;
        if is_word_byte(b[start]) {
            while i < n {
                if is_word_byte(b[i]) {
                    i += 1;
                } else if i + 1 < n && joins(b[i - 1], b[i], b[i + 1]) {
                    i += 2;
                } else {
                    break;
                }
            }
        }
        if let Some(segment) = piece.get(start..i) {
            f(base + start, segment);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast(text: &str) -> Vec<(usize, &str)> {
        let mut out = Vec::new();
        word_segments(text, |o, s| out.push((o, s)));
        out
    }

    fn reference(text: &str) -> Vec<(usize, &str)> {
        text.split_word_bound_indices()
            .filter(|(_, s)| !s.chars().all(char::is_whitespace))
            .collect()
    }

    #[test]
    fn examples() {
        let text = "It rose 3.5% to $1.13bn in the U.S. (don't) 1,000 a_b x:y";
        let words: Vec<&str> = fast(text).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            words,
            [
                "It", "rose", "3.5", "%", "to", "$", "1.13bn", "in", "the", "U.S", ".", "(",
                "don't", ")", "1,000", "a_b", "x:y"
            ]
        );
        assert_eq!(fast(text), reference(text));
    }

    #[test]
    fn mixed_text_matches_unicode_segmentation() {
        let text = "Xi’s “no limits” visit — café 習近平 Ünïcode-test 3.5¢ 🙂 end.\r\n";
        assert_eq!(fast(text), reference(text));
    }

    #[test]
    fn random_ascii_matches_unicode_segmentation() {
        // A small deterministic generator over the characters the rules care about.
        let alphabet = b"aZ09_.,;:'\"-$% \t\n\r()!?";
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..24 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize] as char);
            }
            assert_eq!(fast(&text), reference(&text), "{text:?}");
        }
    }
}
