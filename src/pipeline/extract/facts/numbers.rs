//! Numbers as news text writes them: "464,000", "3.5", "1.13bn", "twenty-five",
//! "three hundred", "1.5 million", "a million". Shared by dates and amounts.
//!
//! Values are computed digit by digit (no string building) and always finite: a number
//! too long to hold in an `f64` is not a number here, so records never carry NaN or
//! infinity.

use super::{Lower, Toks};

/// A number read from one or more tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Number<'a> {
    /// The value, scale words and glued scale suffixes applied.
    pub value: f64,
    /// One past the last token read.
    pub end: usize,
    /// Letters glued after the digits, as written ("bn", "m", "th", "s"), or "".
    pub suffix: &'a str,
    /// Written in words ("two", "twenty-five").
    pub spelled: bool,
    /// The scale that multiplied the value ("million", "bn", "hundred"), 1 if none.
    pub scale: f64,
    /// For digits, the power of ten of the scale (9 for "bn"), else 0.
    pub exp: u32,
    /// Digits only: no thousands separator, no decimal point, no suffix.
    pub plain: bool,
}

impl Number<'_> {
    /// True when a scale word or suffix multiplied the value.
    pub(super) fn scaled(&self) -> bool {
        self.scale != 1.0
    }

    /// "80th", "1st", "22nd", "3rd".
    pub(super) fn is_ordinal(&self) -> bool {
        matches!(Lower::new(self.suffix).as_str(), "st" | "nd" | "rd" | "th")
    }

    /// The value as a whole number when it is one and fits `i64`.
    pub(super) fn integer(&self) -> Option<i64> {
        let v = self.value;
        (v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64)
    }
}

/// The digits of a number with separators removed ("1,234.5" → "1234.5"), kept on
/// the stack, so that a scale can be applied by the float parser as an exponent
/// ("1.13" with 9 → "1.13e9"): the value is then rounded once, and "$1.13bn" is
/// exactly 1130000000 rather than 1129999999.9999998.
#[derive(Clone, Copy)]
pub(super) struct Decimal {
    buf: [u8; 48],
    len: usize,
}

impl Decimal {
    /// The value times 10^`exp`, when finite.
    pub(super) fn value(&self, exp: u32) -> Option<f64> {
        let mut buf = self.buf;
        let mut len = self.len;
        if exp > 0 {
            let mut digits = [0u8; 4];
            let mut n = exp;
            let mut count = 0;
            while n > 0 && count < digits.len() {
                digits[count] = b'0' + (n % 10) as u8;
                n /= 10;
                count += 1;
            }
            let needed = 1 + count;
            let slot = buf.get_mut(len..len + needed)?;
            slot[0] = b'e';
            for (dst, src) in slot[1..].iter_mut().zip(digits[..count].iter().rev()) {
                *dst = *src;
            }
            len += needed;
        }
        let text = std::str::from_utf8(buf.get(..len)?).ok()?;
        text.parse::<f64>().ok().filter(|v| v.is_finite())
    }
}

/// Splits "1,234.5bn" into its digits and glued letters, and says whether it is plain
/// digits. `None` unless the token starts with a digit, thousands separators group
/// exactly three digits, at most one decimal point appears, the letters after the
/// digits are letters only, and the digits fit the buffer (40, far beyond any amount).
pub(super) fn split_digits(word: &str) -> Option<(Decimal, &str, bool)> {
    let bytes = word.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut dec = Decimal {
        buf: [0; 48],
        len: 0,
    };
    let mut in_fraction = false;
    let mut plain = true;
    let mut group = 0usize; // digits since the last comma, while checking groups
    let mut seen_comma = false;
    let mut k = 0;
    while let Some(&b) = bytes.get(k) {
        match b {
            b'0'..=b'9' => {
                if !in_fraction {
                    group += 1;
                }
            }
            b',' if !in_fraction && bytes.get(k + 1).is_some_and(u8::is_ascii_digit) => {
                if (seen_comma && group != 3) || (!seen_comma && group > 3) {
                    return None;
                }
                seen_comma = true;
                plain = false;
                group = 0;
                k += 1;
                continue;
            }
            b'.' if !in_fraction && bytes.get(k + 1).is_some_and(u8::is_ascii_digit) => {
                if seen_comma && group != 3 {
                    return None;
                }
                in_fraction = true;
                plain = false;
            }
            _ => break,
        }
        // Leave room for an exponent ("e12") in the buffer.
        if dec.len >= 40 {
            return None;
        }
        *dec.buf.get_mut(dec.len)? = b;
        dec.len += 1;
        k += 1;
    }
    if seen_comma && group != 3 && !in_fraction {
        return None;
    }
    let suffix = word.get(k..)?;
    if !suffix.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    Some((dec, suffix, plain && suffix.is_empty()))
}

/// [`split_digits`] with the value computed: value, glued letters, plain digits.
pub(super) fn parse_digits(word: &str) -> Option<(f64, &str, bool)> {
    let (dec, suffix, plain) = split_digits(word)?;
    Some((dec.value(0)?, suffix, plain))
}

/// "one" … "nineteen".
pub(super) fn small_word(word: &str) -> Option<u32> {
    Some(match word {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        _ => return None,
    })
}

/// True for a word that can open a spelled number ("two", "twenty", "a").
pub(super) fn opens_number(word: &str) -> bool {
    matches!(word, "a" | "an") || small_word(word).is_some() || tens_word(word).is_some()
}

/// "twenty" … "ninety".
fn tens_word(word: &str) -> Option<u32> {
    Some(match word {
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// Scale words written as separate tokens, as powers of ten. "m" and "k" alone are
/// left out: after a space they are more often metres or a typo than millions.
pub(super) fn scale_word(word: &str) -> Option<u32> {
    Some(match word {
        "thousand" => 3,
        "lakh" | "lakhs" => 5,
        "million" | "mn" | "mln" => 6,
        "crore" | "crores" => 7,
        "billion" | "bn" | "bln" => 9,
        "trillion" | "tn" | "trn" => 12,
        _ => return None,
    })
}

/// Scale suffixes glued to digits ("1.13bn", "600m", "10k", "2tn"), as powers of ten.
pub(super) fn scale_suffix(suffix: &str) -> Option<u32> {
    Some(match Lower::new(suffix).as_str() {
        "k" => 3,
        "m" | "mn" | "mln" => 6,
        "bn" | "b" | "bln" => 9,
        "tn" | "trn" | "tr" => 12,
        _ => return None,
    })
}

fn pow10(exp: u32) -> f64 {
    10f64.powi(i32::try_from(exp).unwrap_or(0))
}

/// Ordinals written in words, for anniversaries ("first" … "hundredth").
pub(super) fn ordinal_word(word: &str) -> Option<u32> {
    Some(match word {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "twentieth" => 20,
        "twenty-fifth" => 25,
        "thirtieth" => 30,
        "fortieth" => 40,
        "fiftieth" => 50,
        "sixtieth" => 60,
        "seventieth" => 70,
        "seventy-fifth" => 75,
        "eightieth" => 80,
        "ninetieth" => 90,
        "hundredth" => 100,
        _ => return None,
    })
}

/// Reads a number starting at token `i`: digits (with any glued suffix, then an
/// optional scale word: "1.5 million") or words ("twenty-five", "three hundred and
/// fifty", "two million", "a million", "a dozen"). "a"/"an" only count with a scale
/// after them.
pub(super) fn number_at<'a>(t: &Toks<'a>, i: usize) -> Option<Number<'a>> {
    let word = t.text(i);
    if let Some((digits, suffix, plain)) = split_digits(word) {
        let (exp, end) = if let Some(exp) = scale_suffix(suffix) {
            (exp, i + 1)
        } else if suffix.is_empty()
            && let Some(exp) = scale_word(t.lower(i + 1).as_str())
        {
            (exp, i + 2)
        } else {
            (0, i + 1)
        };
        return Some(Number {
            value: digits.value(exp)?,
            end,
            suffix,
            spelled: false,
            scale: pow10(exp),
            exp,
            plain,
        });
    }
    spelled_at(t, i)
}

/// The word-number part of [`number_at`].
fn spelled_at<'a>(t: &Toks<'a>, i: usize) -> Option<Number<'a>> {
    let first = t.lower(i);
    let mut j = i + 1;
    let mut value = match first.as_str() {
        "a" | "an" => {
            let next = t.lower(j);
            let next = next.as_str();
            if next == "dozen" {
                return Some(spelled(12.0, j + 1, 12.0));
            }
            if next != "hundred" && scale_word(next).is_none() {
                return None;
            }
            1.0
        }
        w => {
            if let Some(tens) = tens_word(w) {
                // "twenty-five": the hyphen and unit are glued tokens.
                if t.text(j) == "-"
                    && t.glued(i)
                    && t.glued(j)
                    && let Some(unit) = small_word(t.lower(j + 1).as_str()).filter(|u| *u < 10)
                {
                    j += 2;
                    f64::from(tens + unit)
                } else {
                    f64::from(tens)
                }
            } else {
                f64::from(small_word(w)?)
            }
        }
    };
    let mut scale = 1.0;
    if t.is(j, "dozen") {
        return Some(spelled(value * 12.0, j + 1, 12.0));
    }
    if t.is(j, "hundred") {
        value *= 100.0;
        j += 1;
        scale = 100.0;
        // "three hundred (and) fifty(-five)"
        let k = if t.is(j, "and") { j + 1 } else { j };
        if let Some(rest) = spelled_below_hundred(t, k) {
            value += rest.0;
            j = rest.1;
        }
    }
    if let Some(exp) = scale_word(t.lower(j).as_str()) {
        value *= pow10(exp);
        j += 1;
        scale *= pow10(exp);
    }
    Some(spelled(value, j, scale))
}

/// "fifty", "fifty-five", "seven" at token `i`: value and end.
fn spelled_below_hundred(t: &Toks<'_>, i: usize) -> Option<(f64, usize)> {
    let w = t.lower(i);
    if let Some(tens) = tens_word(w.as_str()) {
        if t.text(i + 1) == "-"
            && t.glued(i)
            && t.glued(i + 1)
            && let Some(unit) = small_word(t.lower(i + 2).as_str()).filter(|u| *u < 10)
        {
            return Some((f64::from(tens + unit), i + 3));
        }
        return Some((f64::from(tens), i + 1));
    }
    small_word(w.as_str()).map(|v| (f64::from(v), i + 1))
}

fn spelled(value: f64, end: usize, scale: f64) -> Number<'static> {
    Number {
        value,
        end,
        suffix: "",
        spelled: true,
        scale,
        exp: 0,
        plain: false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::doc;
    use super::*;

    #[test]
    fn digits_with_separators_and_suffixes() {
        assert_eq!(parse_digits("464,000"), Some((464_000.0, "", false)));
        assert_eq!(parse_digits("2025"), Some((2025.0, "", true)));
        assert_eq!(parse_digits("80th"), Some((80.0, "th", false)));
        let (v, s, _) = parse_digits("1.13bn").expect("number");
        assert!((v - 1.13).abs() < 1e-12 && s == "bn");
        let (dec, _, _) = split_digits("1.13bn").expect("number");
        assert_eq!(dec.value(9), Some(1_130_000_000.0));
        let (dec, _, _) = split_digits("1.2974").expect("number");
        assert_eq!(dec.value(0), Some(1.2974));
        assert_eq!(parse_digits("1,00"), None);
        assert_eq!(parse_digits("12,3456"), None);
        assert_eq!(parse_digits("G7"), None);
        assert_eq!(parse_digits("3x4"), None);
        // Far too many digits: not a number rather than infinity.
        assert_eq!(parse_digits(&"9".repeat(400)), None);
        assert_eq!(
            parse_digits(&"9".repeat(40)).map(|v| v.0.is_finite()),
            Some(true)
        );
    }

    fn read(text: &str) -> Option<(f64, usize, bool)> {
        let d = doc(text);
        let t = Toks::new(&d);
        number_at(&t, 0).map(|n| (n.value, n.end, n.spelled))
    }

    #[test]
    fn words_and_scales() {
        assert_eq!(read("twenty-five people"), Some((25.0, 3, true)));
        assert_eq!(read("three hundred and fifty"), Some((350.0, 4, true)));
        assert_eq!(read("Two million"), Some((2e6, 2, true)));
        assert_eq!(read("a million"), Some((1e6, 2, true)));
        assert_eq!(read("a dozen eggs"), Some((12.0, 2, true)));
        assert_eq!(read("1.5 million"), Some((1.5e6, 2, false)));
        assert_eq!(read("four-day visit"), Some((4.0, 1, true)));
        assert_eq!(read("a day"), None);
        assert_eq!(read("many"), None);
        let d = doc("the 80th anniversary");
        let n = number_at(&Toks::new(&d), 1).expect("ordinal reads as a number");
        assert!(n.is_ordinal() && n.integer() == Some(80));
    }
}
