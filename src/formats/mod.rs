//! Input formats: what producers drop, read into articles.
//!
//! The format is detected from the content first and the file name second: gzip by its
//! magic bytes (decompressed with a limit, `gzip.rs`), the charset by BOM, zero bytes,
//! UTF-8 validity, declaration or statistics (`charset.rs`), then JSON / NDJSON
//! (`json.rs`), HTML pages, Markdown with front matter (`markdown.rs`) or plain text.
//! One input may hold many articles (NDJSON, JSON arrays); each becomes an [`Item`],
//! and an item that is not an article carries its own error and line.

pub mod charset;
pub mod gzip;
pub mod html;
pub mod json;
pub mod markdown;
pub mod markup;

use serde::{Deserialize, Serialize};

pub use json::JsonMapping;

/// Metadata an input may carry about its article.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ArticleMeta {
    /// The article's URL.
    pub url: Option<String>,
    /// Publication date as found (ISO 8601 when the source uses it).
    pub published: Option<String>,
    /// Last modification date as found.
    pub modified: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Declared language (a code or a name).
    pub language: Option<String>,
    /// Publication or site name.
    pub site_name: Option<String>,
    /// Section of the site.
    pub section: Option<String>,
    /// Canonical URL, when different from `url`.
    pub canonical_url: Option<String>,
}

/// One article read from an input.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedArticle {
    /// Title, when the input has one.
    pub title: Option<String>,
    /// Body as plain text: paragraphs separated by blank lines or line breaks.
    pub text: String,
    /// Metadata.
    pub meta: ArticleMeta,
    /// Position in a batch input (NDJSON line, array element), 1-based.
    pub item: Option<usize>,
    /// The item's own bytes in a batch, so each article gets its own content id.
    pub item_bytes: Option<Vec<u8>>,
}

/// An entry of an input: an article, or a batch element that is not one.
#[derive(Debug)]
pub enum Item {
    /// An article.
    Article(Box<ParsedArticle>),
    /// A batch element that could not be read, with its line or position (1-based).
    Bad {
        /// NDJSON line or array position.
        item: usize,
        /// Why.
        error: FormatError,
    },
}

/// The detected format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Plain text.
    Text,
    /// Markdown.
    Markdown,
    /// A JSON object, array or NDJSON.
    Json,
    /// An HTML page.
    Html,
}

/// An input read into articles.
#[derive(Debug)]
pub struct Parsed {
    /// The format detected.
    pub format: Format,
    /// True when the input was gzip-compressed.
    pub gzip: bool,
    /// The character encoding read.
    pub encoding: &'static str,
    /// Its articles (one for most formats, many for batches).
    pub items: Vec<Item>,
}

/// Settings of the readers (`[formats]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FormatsConfig {
    /// Largest decompressed size of a gzip input, bytes.
    pub max_decompressed_bytes: u64,
    /// Key names of JSON inputs (`[formats.json]`).
    pub json: JsonMapping,
}

impl Default for FormatsConfig {
    fn default() -> Self {
        Self {
            max_decompressed_bytes: 64 * 1024 * 1024,
            json: JsonMapping::default(),
        }
    }
}

/// Why an input (or a batch element) is not an article.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// Corrupt gzip, or a gzip bomb.
    #[error(transparent)]
    Gzip(#[from] gzip::GzipError),
    /// Not text in any known encoding.
    #[error(transparent)]
    Binary(#[from] charset::CharsetError),
    /// JSON that is not an article (or a batch of them).
    #[error("JSON of the wrong shape: {0}")]
    JsonShape(String),
    /// Markdown front matter that does not parse.
    #[error("bad front matter: {0}")]
    FrontMatter(String),
    /// Zero bytes, or only whitespace.
    #[error("the input is empty")]
    Empty,
    /// Nothing but markup, whitespace or furniture.
    #[error("no article text found")]
    NoText,
    /// An HTML page that could not be read as an article.
    #[error(transparent)]
    Html(#[from] html::HtmlError),
    /// A gzip inside a gzip: refused rather than unpacked without end.
    #[error("nested compression is not read")]
    Nested,
}

impl FormatError {
    /// Machine-readable reason code.
    pub fn code(&self) -> &'static str {
        match self {
            FormatError::Gzip(e) => e.code(),
            FormatError::Binary(_) => "binary",
            FormatError::JsonShape(_) => "json_shape",
            FormatError::FrontMatter(_) => "front_matter",
            FormatError::Empty => "empty",
            FormatError::NoText => "no_article",
            FormatError::Html(e) => e.code(),
            FormatError::Nested => "nested_compression",
        }
    }
}

/// Lowercase extension of `name` after removing a trailing `.gz`.
fn extension(name: &str) -> String {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// True when text looks like an HTML document rather than text with a `<`.
fn looks_like_page(text: &str) -> bool {
    let head = text
        .get(..text.len().min(2048))
        .unwrap_or(text)
        .to_ascii_lowercase();
    [
        "<!doctype html",
        "<html",
        "<head",
        "<body",
        "<article",
        "<meta ",
    ]
    .iter()
    .any(|t| head.contains(t))
}

/// Reads an input's bytes into articles. `name` (the file name) is the second clue
/// to the format, after the content.
pub fn parse(bytes: &[u8], name: &str, cfg: &FormatsConfig) -> Result<Parsed, FormatError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FormatError::Empty);
    }
    let (bytes, gzip) = if gzip::is_gzip(bytes) {
        let inner = gzip::gunzip(bytes, cfg.max_decompressed_bytes)?;
        if gzip::is_gzip(&inner) {
            return Err(FormatError::Nested);
        }
        (std::borrow::Cow::Owned(inner), true)
    } else {
        (std::borrow::Cow::Borrowed(bytes), false)
    };
    let decoded = charset::decode(&bytes)?;
    if decoded.text.trim().is_empty() {
        return Err(FormatError::Empty);
    }
    let ext = extension(name);
    let text = decoded.text.trim_start_matches('\u{feff}');
    let first = text.trim_start().chars().next().unwrap_or(' ');
    let json_ext = matches!(ext.as_str(), "json" | "ndjson" | "jsonl");
    let (format, items) = if first == '{' || first == '[' || json_ext {
        match json::parse(text, &cfg.json) {
            Ok(items) => (Format::Json, items),
            // Text that merely opens with a bracket ("[Reuters] ...") is text.
            Err(e) if json_ext || !text.trim_end().ends_with(['}', ']']) => {
                if json_ext {
                    return Err(e);
                }
                (Format::Text, vec![plain(text)?])
            }
            Err(e) => return Err(e),
        }
    } else if first == '<' && looks_like_page(text)
        || matches!(ext.as_str(), "html" | "htm" | "xhtml")
    {
        // The page reader decodes by the page's own declaration; it gets the bytes.
        let (item, encoding) = html(&bytes)?;
        return Ok(Parsed {
            format: Format::Html,
            gzip,
            encoding,
            items: vec![item],
        });
    } else if text.starts_with("---\n")
        || text.starts_with("---\r\n")
        || text.starts_with("+++\n")
        || matches!(ext.as_str(), "md" | "markdown")
    {
        (
            Format::Markdown,
            vec![Item::Article(Box::new(markdown::parse(text)?))],
        )
    } else {
        (Format::Text, vec![plain(text)?])
    };
    Ok(Parsed {
        format,
        gzip,
        encoding: decoded.encoding,
        items,
    })
}

/// Plain text: a headline-like first line is the title.
fn plain(text: &str) -> Result<Item, FormatError> {
    if text.trim().is_empty() {
        return Err(FormatError::NoText);
    }
    let (title, body) = crate::input::split_title(text);
    Ok(Item::Article(Box::new(ParsedArticle {
        title,
        text: body.to_string(),
        meta: ArticleMeta::default(),
        item: None,
        item_bytes: None,
    })))
}

/// An HTML page: the article body and the page's metadata (`html/`).
fn html(bytes: &[u8]) -> Result<(Item, &'static str), FormatError> {
    let page = html::read_html(bytes)?;
    let m = page.meta;
    Ok((
        Item::Article(Box::new(ParsedArticle {
            title: page.title,
            text: page.text,
            meta: ArticleMeta {
                url: m.canonical_url.clone(),
                published: m.published,
                modified: m.modified,
                authors: m.authors,
                language: m.language,
                site_name: m.site_name,
                section: m.section,
                canonical_url: m.canonical_url,
            },
            item: None,
            item_bytes: None,
        })),
        page.encoding,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(p: &Parsed) -> &ParsedArticle {
        match &p.items[0] {
            Item::Article(a) => a,
            Item::Bad { error, .. } => panic!("{error}"),
        }
    }

    #[test]
    fn content_decides_before_the_name() {
        let cfg = FormatsConfig::default();
        let p = parse(b"{\"title\":\"T\",\"text\":\"Body.\"}", "story.txt", &cfg).unwrap();
        assert_eq!(p.format, Format::Json);
        let p = parse(b"---\ntitle: T\n---\nBody text.\n", "story.txt", &cfg).unwrap();
        assert_eq!(p.format, Format::Markdown);
        let p = parse(
            b"[Reuters] Markets fell on Monday.\nMore text.",
            "x.txt",
            &cfg,
        )
        .unwrap();
        assert_eq!(p.format, Format::Text);
        let p = parse(b"Just text\n\nBody.", "x.md", &cfg).unwrap();
        assert_eq!(p.format, Format::Markdown);
    }

    #[test]
    fn gzip_wraps_any_format() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(b"{\"text\":\"Inside gzip.\"}").unwrap();
        let z = e.finish().unwrap();
        let p = parse(&z, "a.json.gz", &FormatsConfig::default()).unwrap();
        assert!(p.gzip);
        assert_eq!(article(&p).text, "Inside gzip.");
    }

    #[test]
    fn encoding_is_reported() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252
            .encode("Café society returns to the capital's élite venues this weekend, déjà vu.");
        let p = parse(&bytes, "a.txt", &FormatsConfig::default()).unwrap();
        assert_eq!(p.encoding, "windows-1252");
        assert!(article(&p).text.contains("Café"));
    }

    #[test]
    fn json_named_files_must_be_json() {
        let err = parse(b"not json at all", "feed.json", &FormatsConfig::default()).unwrap_err();
        assert_eq!(err.code(), "json_shape");
    }
}
