//! Small markup helpers shared by the JSON and Markdown readers: HTML fragments (a
//! JSON `content` field, inline HTML in Markdown) reduced to paragraphs of text.
//!
//! Written here rather than run through a full HTML parser because a fragment has no
//! page structure to analyse: block tags become paragraph breaks, other tags vanish,
//! and the common entities are decoded. Whole pages go to the HTML reader.

/// True when the text holds HTML block or inline tags.
pub fn looks_like_html(text: &str) -> bool {
    let lower = text
        .get(..text.len().min(4096))
        .unwrap_or(text)
        .to_ascii_lowercase();
    [
        "<p", "<br", "<div", "</a>", "<span", "<li", "<h1", "<h2", "<em>", "<strong",
    ]
    .iter()
    .any(|t| lower.contains(t))
}

/// Block-level tags that end a paragraph.
const BLOCKS: [&str; 12] = [
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
];

/// Elements whose content is never article text.
const SKIPPED: [&str; 8] = [
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript",
];

/// Reduces an HTML fragment to text: one paragraph per block, blank lines between.
pub fn html_fragment_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(lt) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&decode_entities(&rest[..lt]));
        }
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[lt + 1..lt + gt].trim().to_ascii_lowercase();
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        match skip_until {
            Some(end) if closing && name == end => skip_until = None,
            Some(_) => {}
            None if !closing && SKIPPED.contains(&name.as_str()) => {
                skip_until = SKIPPED.iter().find(|t| **t == name).copied();
            }
            None if BLOCKS.contains(&name.as_str()) => out.push_str("\n\n"),
            None => {}
        }
        rest = &rest[lt + gt + 1..];
    }
    if skip_until.is_none() {
        out.push_str(&decode_entities(rest));
    }
    tidy(&out)
}

/// Collapses spaces inside lines and runs of blank lines to one.
pub fn tidy(text: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    for block in text.split("\n\n") {
        let line = block.split_whitespace().collect::<Vec<_>>().join(" ");
        if !line.is_empty() {
            paragraphs.push(line);
        }
    }
    paragraphs.join("\n\n")
}

/// Decodes the named entities that appear in news text and numeric ones.
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        // Entity names are short: look for the `;` in the next 11 bytes only. Searching
        // the whole rest made text with many `&` and few `;` quadratic.
        let end = after.bytes().take(11).position(|b| b == b';');
        let decoded = end.and_then(|e| {
            let name = &after[..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "lsquo" => Some('‘'),
                "rsquo" => Some('’'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                "hellip" => Some('…'),
                "pound" => Some('£'),
                "euro" => Some('€'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_become_paragraphs() {
        let t = html_fragment_to_text(
            "<p>First &amp; <b>bold</b>.</p><script>x()</script><p>Second&#8217;s line<br>third</p>",
        );
        assert_eq!(t, "First & bold.\n\nSecond’s line\n\nthird");
    }

    #[test]
    fn many_ampersands_without_semicolons_take_linear_time() {
        // Each `&` used to search the whole rest of the text for a `;`: 4 MB of them
        // took minutes. Now it is one short look-ahead per `&`.
        let text = format!("{}&amp;", "& ".repeat(2 << 20));
        let started = std::time::Instant::now();
        let out = decode_entities(&text);
        assert!(out.ends_with("& &"));
        assert_eq!(out.len(), text.len() - 4);
        assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
        assert_eq!(decode_entities("a &#x41; &eacute &#65;"), "a A &eacute A");
        assert_eq!(decode_entities("&verylongname;"), "&verylongname;");
    }

    #[test]
    fn detection() {
        assert!(looks_like_html("<p>x</p>"));
        assert!(!looks_like_html("5 < 6 and 7 > 3"));
    }
}
