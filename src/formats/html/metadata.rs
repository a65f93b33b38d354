//! Page metadata: title, authors, dates, site name, canonical URL, section,
//! language, description.
//!
//! Sources, in order of trust: JSON-LD article nodes ([`super::jsonld`]), OpenGraph
//! (`og:*`, `article:*`), Dublin Core (`DC.*`, `DCTERMS.*`), other `<meta name>`s
//! and `itemprop`s that sites commonly use, then the document itself (`<title>`,
//! `<html lang>`, `<link rel=canonical>`, `<time datetime>`).

use std::collections::HashMap;

use dom_query::Document;
use time::OffsetDateTime;
use time::format_description::well_known::{Rfc2822, Rfc3339};

use super::HtmlMeta;
use super::jsonld;

/// Longest metadata value kept (characters); longer ones are cut. Bounds what a
/// hostile page can put into a record.
const MAX_VALUE_CHARS: usize = 2000;

/// At most this many JSON-LD scripts are parsed.
const MAX_LD_SCRIPTS: usize = 20;

/// The page's title and metadata.
pub fn extract(page: &Document) -> (Option<String>, HtmlMeta) {
    let metas = MetaTags::collect(page);
    let ld_texts: Vec<String> = page
        .select(r#"script[type="application/ld+json" i]"#)
        .iter()
        .take(MAX_LD_SCRIPTS)
        .map(|s| s.text().to_string())
        .collect();
    let ld = jsonld::article(ld_texts.iter().map(String::as_str)).unwrap_or_default();

    let site_name = metas
        .first(&[
            "og:site_name",
            "application-name",
            "dc.publisher",
            "dcterms.publisher",
        ])
        .or_else(|| ld.publisher.clone());
    let title = ld
        .headline
        .clone()
        .or_else(|| metas.first(&["og:title", "twitter:title", "dc.title", "dcterms.title"]))
        .or_else(|| {
            let raw = clean(&page.select("title").first().text())?;
            Some(strip_site_suffix(&raw, site_name.as_deref()))
        })
        .or_else(|| clean(&page.select("h1").first().text()))
        .and_then(|t| clean(&t));

    let mut authors = ld.authors.clone();
    if authors.is_empty() {
        for key in [
            "author",
            "article:author",
            "dc.creator",
            "dcterms.creator",
            "sailthru.author",
            "parsely-author",
            "byl",
        ] {
            authors.extend(
                metas
                    .all(key)
                    .into_iter()
                    .filter(|a| !a.starts_with("http")),
            );
        }
    }
    if authors.is_empty() {
        authors.extend(
            page.select(r#"[itemprop="author"] [itemprop="name"], [rel="author"]"#)
                .iter()
                .take(10)
                .filter_map(|n| clean(&n.text())),
        );
    }
    let authors = tidy_authors(authors);

    let published = ld
        .published
        .clone()
        .or_else(|| {
            metas.first(&[
                "article:published_time",
                "og:published_time",
                "dcterms.issued",
                "dc.date.issued",
                "dcterms.created",
                "dc.date.created",
                "dc.date",
                "dcterms.date",
                "datepublished",
                "pubdate",
                "publishdate",
                "publish-date",
                "publish_date",
                "article.published",
                "sailthru.date",
                "parsely-pub-date",
                "date",
                "publication_date",
                "original-publish-date",
            ])
        })
        .or_else(|| time_element(page))
        .map(|d| iso_date(&d));
    let modified = ld
        .modified
        .clone()
        .or_else(|| {
            metas.first(&[
                "article:modified_time",
                "og:updated_time",
                "dcterms.modified",
                "dc.date.modified",
                "datemodified",
                "last-modified",
                "article.updated",
            ])
        })
        .map(|d| iso_date(&d));
    let canonical_url = page
        .select(r#"link[rel~="canonical" i]"#)
        .first()
        .attr("href")
        .and_then(|h| clean(&h))
        .or_else(|| metas.first(&["og:url", "twitter:url"]))
        .or_else(|| ld.url.clone())
        .or_else(|| {
            metas
                .first(&["dc.identifier", "dcterms.identifier"])
                .filter(|u| u.starts_with("http"))
        });
    let section = metas
        .first(&[
            "article:section",
            "section",
            "parsely-section",
            "category",
            "dc.subject",
        ])
        .or_else(|| ld.section.clone());
    let language = page
        .select("html")
        .first()
        .attr("lang")
        .and_then(|l| clean(&l))
        .or_else(|| {
            metas.first(&[
                "content-language",
                "og:locale",
                "dc.language",
                "dcterms.language",
                "language",
            ])
        })
        .or_else(|| ld.language.clone())
        .and_then(|l| language_tag(&l));
    let description = metas
        .first(&[
            "og:description",
            "description",
            "dc.description",
            "dcterms.description",
            "twitter:description",
        ])
        .or_else(|| ld.description.clone());

    let meta = HtmlMeta {
        authors,
        published,
        modified,
        site_name,
        canonical_url,
        section,
        language,
        description,
    };
    (title, meta)
}

/// `<meta>` values by lower-cased key (`property`, `name`, `itemprop` or
/// `http-equiv`), in page order.
struct MetaTags(HashMap<String, Vec<String>>);

impl MetaTags {
    fn collect(page: &Document) -> Self {
        let mut map: HashMap<String, Vec<String>> = HashMap::new();
        for node in page.select("meta").iter() {
            let Some(value) = node
                .attr("content")
                .or_else(|| node.attr("datetime"))
                .and_then(|v| clean(&v))
            else {
                continue;
            };
            for attr in ["property", "name", "itemprop", "http-equiv"] {
                if let Some(key) = node.attr(attr) {
                    let key = key.trim().to_ascii_lowercase();
                    if !key.is_empty() {
                        map.entry(key).or_default().push(value.clone());
                    }
                }
            }
        }
        MetaTags(map)
    }

    /// The first value of the first key present.
    fn first(&self, keys: &[&str]) -> Option<String> {
        keys.iter()
            .find_map(|k| self.0.get(*k).and_then(|v| v.first()).cloned())
    }

    /// Every value of `key`.
    fn all(&self, key: &str) -> Vec<String> {
        self.0.get(key).cloned().unwrap_or_default()
    }
}

/// The `datetime` of the `<time>` most likely to be the publication date: one
/// marked `pubdate` or `itemprop=datePublished`, else the first with a `datetime`.
fn time_element(page: &Document) -> Option<String> {
    let marked = page
        .select(r#"time[pubdate][datetime], time[itemprop="datePublished" i][datetime]"#)
        .first()
        .attr("datetime");
    marked
        .or_else(|| page.select("time[datetime]").first().attr("datetime"))
        .and_then(|d| clean(&d))
}

/// Whitespace collapsed, trimmed, bounded; `None` when empty.
fn clean(s: &str) -> Option<String> {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let bounded: String = collapsed.chars().take(MAX_VALUE_CHARS).collect();
    (!bounded.is_empty()).then_some(bounded)
}

/// Drops " | Site", " - Site" (and –, —, ·, :) from a `<title>` when the tail is the
/// site's name.
fn strip_site_suffix(title: &str, site: Option<&str>) -> String {
    let Some(site) = site else {
        return title.to_string();
    };
    for sep in [" | ", " - ", " – ", " — ", " · ", " :: ", ": "] {
        if let Some((head, tail)) = title.rsplit_once(sep)
            && tail.trim().eq_ignore_ascii_case(site.trim())
            && !head.trim().is_empty()
        {
            return head.trim().to_string();
        }
    }
    title.to_string()
}

/// Author names without "By ", duplicates or empty entries; a single value listing
/// several names with `;` is split.
fn tidy_authors(raw: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in raw {
        for part in value.split(';') {
            let mut name = part.trim();
            for prefix in ["By ", "by ", "BY "] {
                name = name.strip_prefix(prefix).unwrap_or(name);
            }
            let name = name.trim().trim_end_matches(',').trim();
            if let Some(name) = clean(name)
                && !out.iter().any(|o| o.eq_ignore_ascii_case(&name))
            {
                out.push(name);
            }
            if out.len() >= 50 {
                return out;
            }
        }
    }
    out
}

/// A BCP 47-style tag: `en_US` → `en-US`; the first of a list; `None` for junk.
fn language_tag(raw: &str) -> Option<String> {
    let first = raw.split([',', ';']).next()?.trim().replace('_', "-");
    let ok = !first.is_empty()
        && first.len() <= 35
        && first.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some(first)
}

/// A date as ISO-8601 when it can be read as one of the usual forms, else as found.
/// Handles `YYYY-MM-DD HH:MM:SS` (space for `T`), `+0000` offsets, `YYYY/MM/DD`,
/// `YYYYMMDD` and RFC 2822 (`Tue, 19 Nov 2019 10:00:00 GMT`).
pub fn iso_date(raw: &str) -> String {
    let s = raw.trim();
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && matches!(b.get(4), Some(b'-' | b'/'))
        && b.get(7) == b.get(4)
    {
        let mut out = format!("{}-{}-{}", &s[0..4], &s[5..7], &s[8..10]);
        let rest = &s[10..];
        if let Some(time) = rest
            .strip_prefix(['T', ' '])
            .filter(|t| t.len() >= 5 && t.as_bytes()[2] == b':')
        {
            out.push('T');
            out.push_str(&fix_offset(time.trim()));
        } else if !rest.trim().is_empty() {
            return s.to_string();
        }
        return out;
    }
    if s.len() == 8 && digits(0..8) {
        return format!("{}-{}-{}", &s[0..4], &s[4..6], &s[6..8]);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc2822)
        && let Ok(f) = t.format(&Rfc3339)
    {
        return f;
    }
    s.to_string()
}

/// `10:00:00 +0000` or `10:00:00+0000` → `10:00:00+00:00`; `UTC`/`GMT` → `Z`.
fn fix_offset(time: &str) -> String {
    let t = time.replace(' ', "");
    for zone in ["UTC", "GMT"] {
        if let Some(head) = t.strip_suffix(zone) {
            return format!("{head}Z");
        }
    }
    let b = t.as_bytes();
    let n = b.len();
    if n >= 5 && matches!(b[n - 5], b'+' | b'-') && b[n - 4..].iter().all(u8::is_ascii_digit) {
        return format!("{}:{}", &t[..n - 2], &t[n - 2..]);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_of(html: &str) -> (Option<String>, HtmlMeta) {
        extract(&Document::from(html))
    }

    #[test]
    fn json_ld_graph_wins_over_other_sources() {
        let html = r#"<html lang="en"><head><title>Other | Site</title>
            <meta property="og:title" content="OG title">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebPage","name":"page"},
              {"@type":"NewsArticle","headline":"LD headline","author":{"@type":"Person","name":"Jo Bloggs"},
               "datePublished":"2023-05-04T10:00:00+01:00","publisher":{"@type":"Organization","name":"The Paper"}}]}
            </script></head><body></body></html>"#;
        let (title, meta) = meta_of(html);
        assert_eq!(title.as_deref(), Some("LD headline"));
        assert_eq!(meta.authors, ["Jo Bloggs"]);
        assert_eq!(meta.published.as_deref(), Some("2023-05-04T10:00:00+01:00"));
        assert_eq!(meta.site_name.as_deref(), Some("The Paper"));
        assert_eq!(meta.language.as_deref(), Some("en"));
    }

    #[test]
    fn opengraph_and_article_tags() {
        let html = r#"<html><head>
            <meta property="og:title" content=" Big  news ">
            <meta property="og:site_name" content="Daily Planet">
            <meta property="og:url" content="https://planet.example/big-news">
            <meta property="og:locale" content="pt_BR">
            <meta property="og:description" content="What happened.">
            <meta property="article:published_time" content="2019-11-20 05:47:00 +0000">
            <meta property="article:modified_time" content="2019-11-21T06:00:00Z">
            <meta property="article:section" content="Metropolis">
            <meta property="article:author" content="https://planet.example/lois">
            <meta name="author" content="By Lois Lane">
            </head><body></body></html>"#;
        let (title, meta) = meta_of(html);
        assert_eq!(title.as_deref(), Some("Big news"));
        assert_eq!(meta.site_name.as_deref(), Some("Daily Planet"));
        assert_eq!(
            meta.canonical_url.as_deref(),
            Some("https://planet.example/big-news")
        );
        assert_eq!(meta.language.as_deref(), Some("pt-BR"));
        assert_eq!(meta.description.as_deref(), Some("What happened."));
        assert_eq!(meta.published.as_deref(), Some("2019-11-20T05:47:00+00:00"));
        assert_eq!(meta.modified.as_deref(), Some("2019-11-21T06:00:00Z"));
        assert_eq!(meta.section.as_deref(), Some("Metropolis"));
        assert_eq!(meta.authors, ["Lois Lane"]);
    }

    #[test]
    fn dublin_core() {
        let html = r#"<head><meta name="DC.title" content="DC title">
            <meta name="DC.creator" content="Ann One"><meta name="DC.creator" content="Bob Two">
            <meta name="DCTERMS.issued" content="2020/01/02"><meta name="DC.language" content="de">
            <meta name="DC.publisher" content="Verlag"></head>"#;
        let (title, meta) = meta_of(html);
        assert_eq!(title.as_deref(), Some("DC title"));
        assert_eq!(meta.authors, ["Ann One", "Bob Two"]);
        assert_eq!(meta.published.as_deref(), Some("2020-01-02"));
        assert_eq!(meta.language.as_deref(), Some("de"));
        assert_eq!(meta.site_name.as_deref(), Some("Verlag"));
    }

    #[test]
    fn time_element_canonical_link_and_title_suffix() {
        let html = r#"<html><head><title>Storm hits coast - Coast News</title>
            <meta name="application-name" content="Coast News">
            <meta http-equiv="content-language" content="en-GB">
            <link rel="canonical" href="https://coast.example/storm"></head>
            <body><time datetime="2018-01-01">old</time>
            <time pubdate datetime="Tue, 19 Nov 2019 10:00:00 GMT">Nov 19</time></body></html>"#;
        let (title, meta) = meta_of(html);
        assert_eq!(title.as_deref(), Some("Storm hits coast"));
        assert_eq!(
            meta.canonical_url.as_deref(),
            Some("https://coast.example/storm")
        );
        assert_eq!(meta.published.as_deref(), Some("2019-11-19T10:00:00Z"));
        assert_eq!(meta.language.as_deref(), Some("en-GB"));
    }

    #[test]
    fn first_time_element_when_none_is_marked() {
        let (_, meta) =
            meta_of(r#"<body><p>x</p><time datetime="2021-07-08T09:10">8 July</time></body>"#);
        assert_eq!(meta.published.as_deref(), Some("2021-07-08T09:10"));
    }

    #[test]
    fn dates_become_iso_when_readable() {
        assert_eq!(iso_date("20191120"), "2019-11-20");
        assert_eq!(
            iso_date("2019-11-20T05:47:00.000Z"),
            "2019-11-20T05:47:00.000Z"
        );
        assert_eq!(iso_date("2019-11-20 05:47 UTC"), "2019-11-20T05:47Z");
        assert_eq!(iso_date("November 20, 2019"), "November 20, 2019");
    }

    #[test]
    fn a_page_without_metadata_has_none() {
        let (title, meta) = meta_of("<p>just text</p>");
        assert_eq!(title, None);
        assert_eq!(meta, HtmlMeta::default());
    }
}
