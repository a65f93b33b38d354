//! Bytes to text in whatever encoding producers used.
//!
//! Order of evidence: a byte-order mark; UTF-16 without a BOM (recognised by its zero
//! bytes); valid UTF-8; a charset declared by the document itself (HTML `<meta>`,
//! XML prolog); and last a statistical guess (`chardetng`, Mozilla's detector) among
//! the legacy encodings news still arrives in: Windows-1252, ISO-8859-x, KOI8-R,
//! GB18030, Shift_JIS, EUC-KR, Big5. The record says which encoding was read.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Text decoded from bytes, with the encoding that was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// WHATWG name of the encoding, e.g. `UTF-8`, `windows-1252`, `KOI8-R`.
    pub encoding: &'static str,
}

/// Why bytes could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CharsetError {
    /// NUL bytes or control characters throughout: not text in any encoding.
    #[error("binary content, not text in any known encoding")]
    Binary,
}

/// True when `bytes` look like UTF-16 without a BOM: many zero bytes, nearly all at
/// odd (little endian) or even (big endian) offsets. Returns the endianness.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, &b) in sample.iter().enumerate() {
        if b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    let pairs = sample.len() / 2;
    // Text in Latin or Cyrillic script has a zero in most code units.
    if odd * 10 >= pairs * 3 && even * 20 < odd {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 3 && odd * 20 < even {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The charset a document declares in its first 2 KiB (`<meta charset=...>`,
/// `<meta http-equiv="Content-Type" content="...; charset=...">`, `<?xml encoding=...?>`).
pub fn declared(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(2048)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    for key in [&b"charset="[..], &b"encoding="[..]] {
        let mut from = 0;
        while let Some(at) = memchr::memmem::find(&lower[from..], key) {
            let start = from + at + key.len();
            let value: Vec<u8> = lower[start..]
                .iter()
                .copied()
                .skip_while(|&c| c == b'"' || c == b'\'' || c == b' ')
                .take_while(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b':')
                .collect();
            if let Some(enc) = Encoding::for_label(&value) {
                // A page that says UTF-16 but got here is not UTF-16 (that would have
                // been caught by its BOM or zero bytes); HTML treats it as UTF-8.
                return Some(if enc == UTF_16LE || enc == UTF_16BE {
                    UTF_8
                } else {
                    enc
                });
            }
            from = start;
        }
    }
    None
}

/// Decodes `bytes` to text, detecting the encoding.
pub fn decode(bytes: &[u8]) -> Result<Decoded, CharsetError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
        });
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        // Binary data can have zeros in the same places; real text decodes cleanly.
        if !looks_like_text(&text) {
            return Err(CharsetError::Binary);
        }
        return Ok(Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
        });
    }
    if memchr::memchr(0, bytes).is_some() || control_share(bytes) > 0.05 {
        return Err(CharsetError::Binary);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_owned(),
            encoding: UTF_8.name(),
        });
    }
    let enc = declared(bytes).unwrap_or_else(|| {
        // Not UTF-8 (checked above), so UTF-8 is not a candidate; ISO-2022-JP is allowed
        // because newsd never runs content it decodes.
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Allow);
        detector.feed(bytes, true);
        detector.guess(None, chardetng::Utf8Detection::Deny)
    });
    let (text, _, _) = enc.decode(bytes);
    Ok(Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
    })
}

/// True when at most 2% of the characters are controls or replacement characters.
fn looks_like_text(text: &str) -> bool {
    let (mut bad, mut all) = (0usize, 0usize);
    for c in text.chars().take(4096) {
        all += 1;
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}')) {
            bad += 1;
        }
    }
    bad * 50 <= all
}

/// Share of bytes that are C0 control characters other than tab, LF, CR, FF.
fn control_share(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    controls as f64 / sample.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_boms() {
        assert_eq!(decode("héllo".as_bytes()).unwrap().encoding, "UTF-8");
        let le = [0xFF, 0xFE, b'h', 0, b'i', 0];
        assert_eq!(
            decode(&le).unwrap(),
            Decoded {
                text: "hi".into(),
                encoding: "UTF-16LE"
            }
        );
    }

    #[test]
    fn utf16_without_bom_is_read() {
        let text = "Moscow said on Friday that talks would resume.";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(
            decode(&le).unwrap(),
            Decoded {
                text: text.into(),
                encoding: "UTF-16LE"
            }
        );
        assert_eq!(decode(&be).unwrap().encoding, "UTF-16BE");
    }

    #[test]
    fn legacy_encodings_are_detected() {
        let (latin, _, _) = encoding_rs::WINDOWS_1252
            .encode("Le président a déclaré à Genève que l’économie français était forte, £600m.");
        let d = decode(&latin).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.contains("président"));
        let (koi, _, _) = encoding_rs::KOI8_R.encode("Президент России заявил в пятницу, что переговоры продолжатся в Москве на следующей неделе.");
        let d = decode(&koi).unwrap();
        // KOI8-U is a superset that reads Russian text identically.
        assert!(matches!(d.encoding, "KOI8-R" | "KOI8-U"), "{}", d.encoding);
        assert!(d.text.contains("Президент"));
        let (gb, _, _) = encoding_rs::GB18030
            .encode("中国国家主席习近平周三开始对俄罗斯进行为期四天的访问，双方将签署一系列协议。");
        assert!(decode(&gb).unwrap().text.contains("习近平"));
        let (sj, _, _) = encoding_rs::SHIFT_JIS
            .encode("日本政府は金曜日、新しい経済対策を発表した。首相は記者会見で説明した。");
        let d = decode(&sj).unwrap();
        assert_eq!(d.encoding, "Shift_JIS");
        assert!(d.text.contains("経済対策"));
    }

    #[test]
    fn declared_charset_wins_over_guessing() {
        let mut page = b"<html><head><meta charset=\"iso-8859-15\"></head><body>".to_vec();
        page.extend_from_slice(&[0xA4]); // the euro sign in ISO-8859-15
        page.extend_from_slice(b" 5</body></html>");
        let d = decode(&page).unwrap();
        assert_eq!(d.encoding, "ISO-8859-15");
        assert!(d.text.contains("€ 5"));
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(decode(b"PK\x03\x04\x00\x00junk"), Err(CharsetError::Binary));
        let noise: Vec<u8> = (0..4000u32).map(|i| (i * 7 % 32) as u8).collect();
        assert_eq!(decode(&noise), Err(CharsetError::Binary));
    }
}
