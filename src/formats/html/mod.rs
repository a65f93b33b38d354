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
/// stay far below (the deepest of the benchmark's 98 pages is estimated at 49
/// levels); beyond a few thousand, html5ever's tree building turns quadratic and the
/// extractor's recursion could overflow its stack.
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A small news page with the usual furniture around a three-paragraph story.
    const PAGE: &str = r##"<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Council approves new bridge | Riverside Gazette</title>
<meta property="og:site_name" content="Riverside Gazette">
<meta property="article:published_time" content="2024-02-03T09:00:00Z">
<meta name="author" content="Maria Lopez">
<link rel="canonical" href="https://gazette.example/bridge">
</head><body>
<div class="cookie-banner">We use cookies. <button>Accept</button></div>
<header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
<main><article>
<h1>Council approves new bridge</h1>
<div class="byline">By Maria Lopez</div>
<div class="share-tools"><a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">Email</a></div>
<p>The city council voted on Tuesday to build a new bridge across the river, ending a debate that has lasted for more than a decade.</p>
<figure><img src="bridge.jpg"><figcaption>An artist's impression of the bridge. Photo: City of Riverside</figcaption></figure>
<p>Construction is expected to begin next spring and to take about three years, the council said in a statement after the vote.</p>
<div class="ad-slot">Advertisement</div>
<h2>Costs</h2>
<p>The project will cost an estimated 40 million dollars, most of it paid for by a regional infrastructure fund set up last year.</p>
<ul><li>Length: 300 metres</li><li>Lanes: four</li></ul>
</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Old bridge closes for repairs</a></li><li><a href="/b">Traffic plan unveiled</a></li></ul></aside>
<section id="comments"><h3>Comments</h3><p>Great news! Finally something happens in this town after all these years.</p></section>
</main>
<footer><p>© 2024 Riverside Gazette. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>"##;

    #[test]
    fn the_article_is_kept_and_the_furniture_dropped() {
        let article = read_html(PAGE.as_bytes()).expect("an article");
        assert_eq!(
            article.title.as_deref(),
            Some("Council approves new bridge")
        );
        assert_eq!(article.encoding, "UTF-8");
        let text = &article.text;
        for kept in [
            "The city council voted on Tuesday",
            "Construction is expected to begin next spring",
            "Costs",
            "The project will cost",
            "Length: 300 metres\nLanes: four",
        ] {
            assert!(text.contains(kept), "missing {kept:?} in {text:?}");
        }
        for dropped in [
            "cookies",
            "Home",
            "Facebook",
            "artist's impression",
            "Advertisement",
            "Related",
            "Old bridge",
            "Great news",
            "All rights reserved",
            "By Maria",
            "Council approves",
        ] {
            assert!(!text.contains(dropped), "{dropped:?} left in {text:?}");
        }
        // One paragraph per line, a blank line between paragraphs.
        assert!(text.starts_with("The city council voted"));
        assert!(text.contains("decade.\n\nConstruction"));
        assert_eq!(article.meta.authors, ["Maria Lopez"]);
        assert_eq!(article.meta.site_name.as_deref(), Some("Riverside Gazette"));
        assert_eq!(
            article.meta.published.as_deref(),
            Some("2024-02-03T09:00:00Z")
        );
        assert_eq!(
            article.meta.canonical_url.as_deref(),
            Some("https://gazette.example/bridge")
        );
        assert_eq!(article.meta.language.as_deref(), Some("en"));
    }

    #[test]
    fn a_windows_1252_page_is_read_as_declared() {
        let mut page = b"<html><head><meta charset=\"windows-1252\"><title>Caf\xe9 society</title></head><body><article>".to_vec();
        for _ in 0..3 {
            page.extend_from_slice(
                b"<p>The caf\xe9 on the corner serves cr\xe8me br\xfbl\xe9e for \x805, \x93the best in town\x94 say its regulars.</p>",
            );
        }
        page.extend_from_slice(b"</article></body></html>");
        let article = read_html(&page).expect("an article");
        assert_eq!(article.encoding, "windows-1252");
        assert_eq!(article.title.as_deref(), Some("Café society"));
        assert!(
            article
                .text
                .contains("crème brûlée for €5, “the best in town”"),
            "{}",
            article.text
        );
    }

    #[test]
    fn a_page_without_an_article_is_refused() {
        let page = r#"<html><head><title>Index</title></head><body>
            <nav><a href="/a">World</a> <a href="/b">Business</a> <a href="/c">Sport</a></nav>
            <footer>© Example</footer></body></html>"#;
        let err = read_html(page.as_bytes()).expect_err("no article");
        assert_eq!(err.code(), "no_article");
    }

    #[test]
    fn empty_and_whitespace_input_is_refused() {
        assert_eq!(read_html(b"").map(|_| ()).unwrap_err().code(), "empty");
        assert_eq!(read_html(b" \n\t").map(|_| ()).unwrap_err().code(), "empty");
    }

    #[test]
    fn hostile_nesting_is_refused_quickly() {
        let started = std::time::Instant::now();
        for tag in ["<div>", "<b>", "<span>", "<table>"] {
            let mut page = String::from("<html><body>");
            page.push_str(&tag.repeat(100_000));
            page.push_str("<p>deep text</p>");
            let err = read_html(page.as_bytes()).expect_err("too deep");
            assert_eq!(err.code(), "too_deep", "{tag}");
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn nesting_just_under_the_limit_is_read_without_overflowing() {
        let mut page = String::from("<html><body>");
        for i in 0..MAX_DEPTH - 5 {
            page.push_str(if i % 2 == 0 { "<div>" } else { "<span>" });
        }
        page.push_str(&"<p>Words at the bottom of a very deep tree of elements. </p>".repeat(10));
        // Any outcome but a crash will do: the point is the extractor's recursion.
        let _ = read_html(page.as_bytes());
    }

    #[test]
    fn binary_junk_is_refused() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let junk: Vec<u8> = (0..1_000_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        assert_eq!(read_html(&junk).map(|_| ()).unwrap_err().code(), "binary");
    }

    #[test]
    fn a_50_mb_single_line_page_is_read_in_bounded_time() {
        use std::fmt::Write;
        let mut page = String::with_capacity(50 * 1024 * 1024 + 200);
        page.push_str("<html><head><title>Long</title></head><body><article>");
        let mut n = 0u64;
        while page.len() < 50 * 1024 * 1024 {
            n += 1;
            // Numbered, so no paragraph repeats another (repeats are dropped).
            let _ = write!(
                page,
                "<p>Paragraph {n}: lorem ipsum dolor sit amet, consectetur adipiscing elit, caf\u{e9} na\u{ef}ve.</p>"
            );
        }
        page.push_str("</article></body></html>");
        assert!(!page.contains('\n'));
        let started = std::time::Instant::now();
        let article = read_html(page.as_bytes()).expect("an article");
        assert!(article.text.len() > 10 * 1024 * 1024);
        assert!(started.elapsed() < std::time::Duration::from_secs(120));
    }

    #[test]
    fn oversized_input_is_refused_without_reading_it() {
        let page = vec![b'a'; MAX_INPUT_BYTES + 1];
        assert_eq!(
            read_html(&page).map(|_| ()).unwrap_err().code(),
            "too_large"
        );
    }

    #[test]
    fn every_error_has_a_code() {
        let errors = [
            HtmlError::Empty,
            HtmlError::TooLarge { bytes: 2, limit: 1 },
            HtmlError::Binary,
            HtmlError::TooDeep { limit: 1 },
            HtmlError::NoArticle { words: 0 },
            HtmlError::Extractor("x".into()),
        ];
        let codes: Vec<&str> = errors.iter().map(HtmlError::code).collect();
        assert_eq!(
            codes,
            [
                "empty",
                "too_large",
                "binary",
                "too_deep",
                "no_article",
                "extractor_failed"
            ]
        );
    }
}
