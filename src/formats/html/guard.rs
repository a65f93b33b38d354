//! Cheap checks that run before any HTML parser sees a page, so hostile input is
//! refused in linear time: binary junk, and nesting so deep that html5ever's tree
//! building turns quadratic (100,000 nested `<div>`s take it about 20 s) and the
//! extractor's recursive walks would overflow the stack.

use std::collections::HashMap;

/// Elements that never have children (the HTML standard's void elements).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "frame", "basefont", "bgsound", "image",
];

/// Elements whose end tag may be left out: the parser closes them when a sibling
/// opens, so they do not nest by themselves and are not counted. `html`, `head` and
/// `body` are counted once by the parser whatever the markup says.
const IMPLIED_END: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "colgroup", "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
];

/// Elements whose content is text up to their end tag: tags inside do not count.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

/// Tag names longer than this are cut: no real element is longer, and it bounds the
/// memory one hostile tag can take in the open-element counts.
const MAX_NAME: usize = 40;

/// An upper estimate of how deeply the page's elements nest, stopping early once it
/// passes `limit` (the caller refuses the page then, so the exact figure is moot).
///
/// It keeps a stack of open elements: an end tag closes everything opened after the
/// matching start tag (as the parser's "generate implied end tags" does), and an end
/// tag with no open start tag is ignored. Elements with optional end tags are left
/// out, so sloppy but real pages are not overcounted. Linear in the input: each
/// element is pushed and popped at most once.
pub fn nesting_depth(html: &str, limit: usize) -> usize {
    let bytes = html.as_bytes();
    let n = bytes.len();
    let mut stack: Vec<String> = Vec::new();
    let mut open: HashMap<String, usize> = HashMap::new();
    let mut deepest = 0;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        i += off + 1;
        if i >= n {
            break;
        }
        if bytes[i..].starts_with(b"!--") {
            i = find(bytes, i + 3, b"-->").map_or(n, |p| p + 3);
            continue;
        }
        if bytes[i] == b'!' || bytes[i] == b'?' {
            i = find(bytes, i, b">").map_or(n, |p| p + 1);
            continue;
        }
        let closing = bytes[i] == b'/';
        let name_start = if closing { i + 1 } else { i };
        if name_start >= n || !bytes[name_start].is_ascii_alphabetic() {
            continue;
        }
        let mut j = name_start;
        while j < n && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' && bytes[j] != b'/' {
            j += 1;
        }
        let name = String::from_utf8_lossy(&bytes[name_start..j.min(name_start + MAX_NAME)])
            .to_ascii_lowercase();
        let (end, self_closing) = tag_end(bytes, j);
        i = end;
        if closing {
            if open.get(&name).copied().unwrap_or(0) > 0 {
                while let Some(top) = stack.pop() {
                    if let Some(count) = open.get_mut(&top) {
                        *count = count.saturating_sub(1);
                    }
                    if top == name {
                        break;
                    }
                }
            }
            continue;
        }
        let name_ref = name.as_str();
        if RAW_TEXT.contains(&name_ref) {
            let mut closing_tag = b"</".to_vec();
            closing_tag.extend_from_slice(name.as_bytes());
            i = find_ci(bytes, i, &closing_tag).unwrap_or(n);
            continue;
        }
        if self_closing || VOID.contains(&name_ref) || IMPLIED_END.contains(&name_ref) {
            continue;
        }
        *open.entry(name.clone()).or_insert(0) += 1;
        stack.push(name);
        deepest = deepest.max(stack.len());
        if deepest > limit {
            break;
        }
    }
    deepest
}

/// Whether decoded text looks like binary data rather than a page: more than one
/// character in 20 of its start is a control character or a replacement character
/// (undecodable bytes). Pages with a few stray bytes pass.
pub fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut bad = 0usize;
    for c in text.chars().take(64 * 1024) {
        total += 1;
        if c == '\u{fffd}' || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) {
            bad += 1;
        }
    }
    total > 0 && bad * 20 > total
}

/// Offset just past the `>` that ends the tag whose name ended at `i`, and whether
/// the tag was written self-closing (`/>`). Quoted attribute values may hold `>`.
fn tag_end(bytes: &[u8], mut i: usize) -> (usize, bool) {
    let n = bytes.len();
    let mut quote: Option<u8> = None;
    while i < n {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => {
                // Only a quote right after `=` (allowing spaces) opens a value.
                let mut k = i;
                while k > 0 && bytes[k - 1].is_ascii_whitespace() {
                    k -= 1;
                }
                if k > 0 && bytes[k - 1] == b'=' {
                    quote = Some(b);
                }
            }
            None if b == b'>' => return (i + 1, i > 0 && bytes[i - 1] == b'/'),
            None => {}
        }
        i += 1;
    }
    (n, false)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = bytes.get(from..)?;
    memchr::memmem::find(hay, needle).map(|p| from + p)
}

fn find_ci(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = bytes.get(from..)?;
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_of_ordinary_markup() {
        let page = "<html><head><title>a<b></title></head><body><div><p>one<p>two \
                    <b>x</b><br><img src=x></p><ul><li>a<li>b</ul></div></body></html>";
        assert_eq!(nesting_depth(page, 100), 2);
    }

    #[test]
    fn an_end_tag_closes_the_elements_left_open_inside() {
        let page = "<div><span><i>unclosed</div><div>second</div>";
        assert_eq!(nesting_depth(page, 100), 3);
        // Repeating the pattern does not accumulate depth.
        assert_eq!(nesting_depth(&page.repeat(1000), 100), 3);
    }

    #[test]
    fn stray_end_tags_and_comments_are_ignored() {
        let page = "</div></span><!-- <div><div> --><div>x</div></p>";
        assert_eq!(nesting_depth(page, 100), 1);
    }

    #[test]
    fn the_scan_stops_past_the_limit() {
        let page = "<div>".repeat(100_000);
        assert_eq!(nesting_depth(&page, 500), 501);
    }

    #[test]
    fn quoted_angle_brackets_do_not_end_a_tag() {
        assert_eq!(
            nesting_depth("<div title='a > b'><span>x</span></div>", 10),
            2
        );
    }

    #[test]
    fn binary_is_told_from_text() {
        let junk: String = (0u32..4000)
            .map(|i| char::from_u32(i * 7919 % 256).unwrap_or('a'))
            .collect();
        assert!(looks_binary(&junk));
        assert!(!looks_binary(
            "<p>An ordinary page, with one stray \u{fffd}.</p>"
        ));
        assert!(!looks_binary(""));
    }
}
