//! HTML to plain text: paragraphs one per line with a blank line between them,
//! headings on their own line, list items one per line, whitespace collapsed.
//!
//! The walk is iterative (an explicit stack), so a deep tree cannot overflow the
//! stack.

use dom_query::{Document, NodeRef};

/// What kind of block a line of output came from; decides the separator before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A paragraph or any other block.
    Paragraph,
    /// `h1`–`h6`.
    Heading,
    /// `li`, `dt`, `dd`: one per line, no blank line between neighbours.
    ListItem,
    /// A table row: cells joined by spaces, rows one per line.
    Row,
}

/// One block of text: its kind, the text with whitespace collapsed, and the name of
/// the element that opened it (`p`, `h2`, `li`, ...).
#[derive(Debug, Clone)]
pub struct Block {
    /// Its kind.
    pub kind: BlockKind,
    /// Its text, single-spaced and trimmed.
    pub text: String,
    /// The element that started it.
    pub tag: String,
    /// Words of it inside links (`<a>`).
    pub link_words: usize,
}

/// Elements whose content is never text for a reader.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "button", "select", "input",
    "textarea", "iframe", "object", "embed", "canvas", "head", "title",
];

/// Elements that start and end a block.
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
    "caption",
    "br",
    "html",
    "menu",
];

/// The blocks of an HTML fragment or document, in order, empty ones dropped.
pub fn blocks(html: &str) -> Vec<Block> {
    let doc = Document::from(html);
    let root = doc.root();
    let mut out = Vec::new();
    let mut current = Current::default();
    // How many `<a>` elements enclose the walk's position.
    let mut link_depth = 0usize;
    // (node, entering): an element is visited on the way in and again on the way out.
    let mut stack: Vec<(NodeRef, bool)> = vec![(root, true)];
    while let Some((node, entering)) = stack.pop() {
        if node.is_text() {
            let text = node.text();
            if link_depth > 0 {
                current.link_words += word_count(&text);
            }
            current.push_text(&text);
            continue;
        }
        if !node.is_element() && !node.is_document() && !node.is_fragment() {
            continue;
        }
        let name = node
            .node_name()
            .map(|n| n.to_ascii_lowercase())
            .unwrap_or_default();
        if SKIP.contains(&name.as_str()) {
            continue;
        }
        let is_block = BLOCK.contains(&name.as_str());
        if name == "a" {
            if entering {
                link_depth += 1;
            } else {
                link_depth = link_depth.saturating_sub(1);
            }
        }
        if entering {
            if is_block {
                current.flush(&mut out);
                current.open(&name);
            } else if name == "td" || name == "th" {
                current.push_text(" ");
            }
            stack.push((node, false));
            let children: Vec<NodeRef> = node.children_it(false).collect();
            for child in children.into_iter().rev() {
                stack.push((child, true));
            }
        } else if is_block {
            current.flush(&mut out);
        }
    }
    current.flush(&mut out);
    out
}

/// Joins blocks into the reader's text format.
pub fn join(blocks: &[Block]) -> String {
    let mut text = String::new();
    let mut previous: Option<BlockKind> = None;
    for block in blocks {
        if let Some(prev) = previous {
            let tight = (prev == BlockKind::ListItem && block.kind == BlockKind::ListItem)
                || (prev == BlockKind::Row && block.kind == BlockKind::Row);
            text.push_str(if tight { "\n" } else { "\n\n" });
        }
        text.push_str(&block.text);
        previous = Some(block.kind);
    }
    text
}

/// Words in `text`: runs of alphanumeric characters (as the benchmark tokenises).
pub fn word_count(text: &str) -> usize {
    words(text).count()
}

/// The words of `text`: maximal runs of alphanumeric characters or `_`.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
}

/// The block being filled.
#[derive(Default)]
struct Current {
    text: String,
    tag: String,
    /// Whether a space is owed before the next word (collapsed whitespace).
    space: bool,
    link_words: usize,
}

impl Current {
    fn open(&mut self, tag: &str) {
        self.tag = tag.to_string();
    }

    fn push_text(&mut self, s: &str) {
        for (i, piece) in s.split(char::is_whitespace).enumerate() {
            if i > 0 {
                self.space = true;
            }
            if piece.is_empty() {
                continue;
            }
            if self.space && !self.text.is_empty() {
                self.text.push(' ');
            }
            self.space = false;
            self.text.push_str(piece);
        }
    }

    fn flush(&mut self, out: &mut Vec<Block>) {
        let text = std::mem::take(&mut self.text);
        let link_words = std::mem::take(&mut self.link_words);
        self.space = false;
        if text.is_empty() {
            return;
        }
        let kind = match self.tag.as_str() {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
            "li" | "dt" | "dd" => BlockKind::ListItem,
            "tr" => BlockKind::Row,
            _ => BlockKind::Paragraph,
        };
        out.push(Block {
            kind,
            text,
            tag: self.tag.clone(),
            link_words,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_headings_and_lists() {
        let html = "<div><h2>Sub  head</h2><p>One <b>bold</b>\n word.</p>\
                    <ul><li>first</li><li>second</li></ul><p>Two<br>lines</p></div>";
        assert_eq!(
            join(&blocks(html)),
            "Sub head\n\nOne bold word.\n\nfirst\nsecond\n\nTwo\n\nlines"
        );
    }

    #[test]
    fn scripts_and_styles_are_not_text() {
        let html = "<p>Kept<script>var x = 1;</script><style>p{}</style> text</p>";
        assert_eq!(join(&blocks(html)), "Kept text");
    }

    #[test]
    fn table_rows_are_lines_of_cells() {
        let html = "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>";
        assert_eq!(join(&blocks(html)), "a b\nc d");
    }

    #[test]
    fn words_are_alphanumeric_runs() {
        assert_eq!(word_count("It's 5 o'clock — naïve_one, 한국어!"), 7);
    }
}
