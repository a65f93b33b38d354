//! Bytes to text for HTML pages: a byte-order mark wins, then a declared charset
//! (`<meta charset>` or `<meta http-equiv="content-type" content="...; charset=...">`),
//! then UTF-8 when the bytes are valid UTF-8, else windows-1252 (the web's default).
//!
//! The declaration is found with a small prescan of the page's start, in the spirit of
//! the HTML standard's "prescan a byte stream" algorithm: saved pages often carry
//! scripts and styles before the `<meta>`, so the window is wider than the standard's
//! 1024 bytes.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// How far into the page a charset declaration is looked for.
const PRESCAN_BYTES: usize = 16 * 1024;

/// Decodes `bytes` as the page says, returning the text and the encoding read
/// (its WHATWG name, e.g. `"UTF-8"`, `"windows-1252"`). Malformed sequences become
/// U+FFFD rather than errors: a page with a few bad bytes is still worth reading.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return (text.into_owned(), encoding.name());
    }
    let encoding = match declared(bytes) {
        Some(e) => e,
        None if std::str::from_utf8(bytes).is_ok() => UTF_8,
        None => WINDOWS_1252,
    };
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), encoding.name())
}

/// The encoding a `<meta>` near the start of the page declares, if any. As in the
/// HTML standard, a declared UTF-16 means UTF-8 (the bytes were read as ASCII to find
/// it) and `x-user-defined` means windows-1252.
pub fn declared(bytes: &[u8]) -> Option<&'static Encoding> {
    let window = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let mut at = 0;
    while let Some(found) = find_ci(&window[at..], b"<meta") {
        let start = at + found + b"<meta".len();
        let (attrs, end) = attributes(window, start);
        at = end;
        let label = attrs
            .iter()
            .find(|(n, _)| n == "charset")
            .map(|(_, v)| v.clone())
            .or_else(|| {
                let equiv = attrs.iter().find(|(n, _)| n == "http-equiv")?;
                if !equiv.1.eq_ignore_ascii_case("content-type") {
                    return None;
                }
                let content = attrs.iter().find(|(n, _)| n == "content")?;
                charset_in_content(&content.1)
            });
        if let Some(encoding) = label.and_then(|l| Encoding::for_label(l.trim().as_bytes())) {
            return Some(match encoding.name() {
                "UTF-16LE" | "UTF-16BE" => UTF_8,
                "x-user-defined" => WINDOWS_1252,
                _ => encoding,
            });
        }
    }
    None
}

/// The value after `charset=` in a content-type string, e.g. `text/html; charset=utf-8`.
fn charset_in_content(content: &str) -> Option<String> {
    let lower = content.to_ascii_lowercase();
    let pos = lower.find("charset")?;
    let rest = lower[pos + "charset".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let value = match rest.chars().next()? {
        q @ ('"' | '\'') => rest[1..].split(q).next().unwrap_or_default(),
        _ => rest
            .split(|c: char| c == ';' || c.is_ascii_whitespace())
            .next()
            .unwrap_or_default(),
    };
    (!value.is_empty()).then(|| value.to_string())
}

/// Attributes of the tag whose name ended at `start`, lower-cased names, and the
/// offset just past the tag. Stops at the window's end on an unclosed tag.
fn attributes(bytes: &[u8], mut i: usize) -> (Vec<(String, String)>, usize) {
    let mut attrs = Vec::new();
    let n = bytes.len();
    loop {
        while i < n && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= n || bytes[i] == b'>' {
            return (attrs, (i + 1).min(n));
        }
        let name_start = i;
        while i < n && !matches!(bytes[i], b'=' | b'>' | b'/') && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name = String::from_utf8_lossy(&bytes[name_start..i]).to_ascii_lowercase();
        while i < n && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < n && bytes[i] == b'=' {
            i += 1;
            while i < n && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < n && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let value_start = i + 1;
                i = value_start;
                while i < n && bytes[i] != quote {
                    i += 1;
                }
                value = String::from_utf8_lossy(&bytes[value_start..i]).into_owned();
                i = (i + 1).min(n);
            } else {
                let value_start = i;
                while i < n && bytes[i] != b'>' && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = String::from_utf8_lossy(&bytes[value_start..i]).into_owned();
            }
        }
        if name.is_empty() {
            // A stray character that starts no name: step over it so the loop advances.
            i += 1;
        } else {
            attrs.push((name, value));
        }
    }
}

/// The offset of `needle` (ASCII, lower case) in `hay`, ignoring ASCII case.
fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_meta_charset_is_honoured() {
        let page = b"<html><head><meta charset=\"windows-1252\"><title>Caf\xe9</title></head>\
                     <body><p>\x93Quoted\x94 \x80 5</p></body></html>";
        let (text, encoding) = decode(page);
        assert_eq!(encoding, "windows-1252");
        assert!(text.contains("Café"));
        assert!(text.contains("\u{201c}Quoted\u{201d} € 5"));
    }

    #[test]
    fn http_equiv_content_type_is_honoured() {
        let page =
            b"<html><head><META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=ISO-8859-2'>\
                     </head><body>\xb1</body></html>";
        let (text, encoding) = decode(page);
        assert_eq!(encoding, "ISO-8859-2");
        assert!(text.contains('ą'));
    }

    #[test]
    fn a_bom_wins_over_the_declaration() {
        let mut page = vec![0xef, 0xbb, 0xbf];
        page.extend_from_slice("<meta charset=windows-1252><p>café</p>".as_bytes());
        let (text, encoding) = decode(&page);
        assert_eq!(encoding, "UTF-8");
        assert!(text.contains("café"));
        assert!(!text.starts_with('\u{feff}'));

        let mut utf16 = vec![0xff, 0xfe];
        for unit in "<meta charset=windows-1252><p>é</p>".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let (text, encoding) = decode(&utf16);
        assert_eq!(encoding, "UTF-16LE");
        assert!(text.contains("<p>é</p>"));
    }

    #[test]
    fn undeclared_pages_are_utf8_or_windows_1252() {
        assert_eq!(decode("<p>naïve</p>".as_bytes()).1, "UTF-8");
        let (text, encoding) = decode(b"<p>na\xefve</p>");
        assert_eq!(encoding, "windows-1252");
        assert!(text.contains("naïve"));
    }

    #[test]
    fn a_declared_utf16_means_utf8_and_unknown_labels_are_ignored() {
        assert_eq!(decode(b"<meta charset=utf-16><p>x</p>").1, "UTF-8");
        assert_eq!(decode(b"<meta charset=klingon><p>x</p>").1, "UTF-8");
        assert_eq!(decode(b"<meta charset=\"latin1\">").1, "windows-1252");
    }
}
