//! The HTML reader: a saved news page in, its article body as plain text and its
//! metadata out.
//!
//! [`read_html`] runs these steps, each in its own file:
//! 1. [`guard`]: refuse what no parser should see (too large, binary, too deep);
//! 2. [`charset`]: decode (BOM, then `<meta charset>`, then UTF-8 or windows-1252);
//! 3. [`metadata`]: title, authors, dates, site, URL, section, language from JSON-LD,
//!    OpenGraph, Dublin Core, `<meta name>` and `<time>`;
//! 4. [`body`]: the article body, found by `rs-trafilatura` on a page first stripped
//!    of furniture it tends to keep (captions, share widgets, related links), then
//!    rendered to paragraphs by [`text`] and cleared of leftover boilerplate lines.

pub mod body;
pub mod charset;
pub mod clean;
pub mod filter;
pub mod guard;
pub mod jsonld;
pub mod metadata;
pub mod text;

use serde::Serialize;

/// Pages larger than this are refused (`too_large`). The daemon's own inbox limit is
/// lower (16 MiB); this bounds memory for direct callers: the parser and extractor
/// take about 16 bytes of memory per input byte.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// Pages whose elements nest deeper than this are refused (`too_deep`). Real pages
/// stay under about 60 (the benchmark's deepest is noted in `guard`); beyond a few
/// thousand, html5ever's tree building turns quadratic and the extractor's recursion
/// could overflow its stack.
pub const MAX_DEPTH: usize = 1000;

/// An article body needs at least this many words; fewer means the page has no
/// article (an index, a login wall, an error page): `no_article`.
pub const MIN_ARTICLE_WORDS: usize = 15;

/// What the reader found in a page.
#[derive(Debug, Clone, Serialize)]
pub struct HtmlArticle {
    /// The headline, from metadata (JSON-LD, OpenGraph, Dublin Core) or `<title>`.
    pub title: Option<String>,
    /// The body as plain text: one paragraph per line with a blank line between
    /// paragraphs; headings on their own line; list items one per line; no markup.
    pub text: String,
    /// Everything else the page says about the article.
    pub meta: HtmlMeta,
    /// The encoding the bytes were read as (WHATWG name: `"UTF-8"`, `"windows-1252"`).
    pub encoding: &'static str,
}

/// Metadata of an article page; each field is `None` (or empty) when the page does
/// not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HtmlMeta {
    /// Author names, in page order, without duplicates.
    pub authors: Vec<String>,
    /// Publication date as found; ISO-8601 when it could be parsed.
    pub published: Option<String>,
    /// Last modification date as found; ISO-8601 when it could be parsed.
    pub modified: Option<String>,
    /// The publication's name (`og:site_name`, JSON-LD publisher).
    pub site_name: Option<String>,
    /// The page's canonical URL (`<link rel=canonical>`, `og:url`, JSON-LD).
    pub canonical_url: Option<String>,
    /// The site section (`article:section`, JSON-LD `articleSection`).
    pub section: Option<String>,
    /// Language tag (`<html lang>`, `content-language`, `og:locale`), `-`-separated.
    pub language: Option<String>,
    /// The page's summary (`og:description`, `<meta name=description>`).
    pub description: Option<String>,
}

/// Why a page could not be read. [`HtmlError::code`] gives a stable machine-readable
/// reason for failure records.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// The input has no bytes (or only whitespace).
    #[error("empty input")]
    Empty,
    /// The input is larger than [`MAX_INPUT_BYTES`].
    #[error("input of {bytes} bytes is over the {limit}-byte limit")]
    TooLarge {
        /// Input size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The input decodes to mostly control or undecodable characters.
    #[error("input looks binary, not HTML")]
    Binary,
    /// Elements nest deeper than [`MAX_DEPTH`].
    #[error("elements nest deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// No article body was found (fewer than [`MIN_ARTICLE_WORDS`] words of text).
    #[error("no article body found ({words} words of text)")]
    NoArticle {
        /// Words in the best candidate body.
        words: usize,
    },
    /// The extractor failed in a way it should not (a bug in it, caught).
    #[error("extractor failed: {0}")]
    Extractor(String),
}

impl HtmlError {
    /// A stable, machine-readable reason: `empty`, `too_large`, `binary`, `too_deep`,
    /// `no_article` or `extractor_failed`.
    pub fn code(&self) -> &'static str {
        match self {
            HtmlError::Empty => "empty",
            HtmlError::TooLarge { .. } => "too_large",
            HtmlError::Binary => "binary",
            HtmlError::TooDeep { .. } => "too_deep",
            HtmlError::NoArticle { .. } => "no_article",
            HtmlError::Extractor(_) => "extractor_failed",
        }
    }
}

/// Reads a saved HTML page: decodes it as declared, extracts the article body and
/// the metadata. Never panics; time and memory are linear in the input (hostile
/// nesting is refused before parsing).
pub fn read_html(bytes: &[u8]) -> Result<HtmlArticle, HtmlError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(HtmlError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(HtmlError::Empty);
    }
    let (html, encoding) = charset::decode(bytes);
    if guard::looks_binary(&html) {
        return Err(HtmlError::Binary);
    }
    if guard::nesting_depth(&html, MAX_DEPTH) > MAX_DEPTH {
        return Err(HtmlError::TooDeep { limit: MAX_DEPTH });
    }
    let page = dom_query::Document::from(html.as_str());
    let (title, meta) = metadata::extract(&page);
    let text = body::extract(page, title.as_deref())?;
    let words = text::word_count(&text);
    if words < MIN_ARTICLE_WORDS {
        return Err(HtmlError::NoArticle { words });
    }
    Ok(HtmlArticle {
        title,
        text,
        meta,
        encoding,
    })
}
