//! Markdown inputs: YAML (`---`) or TOML (`+++`) front matter for metadata, and the
//! body with its markup removed for the stages.

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::{ArticleMeta, FormatError, ParsedArticle, markup};

/// Splits front matter from the body: `(format, front matter, body)`.
fn front_matter(text: &str) -> (Option<(&'static str, &str)>, &str) {
    for (fence, kind) in [("---", "yaml"), ("+++", "toml")] {
        let Some(rest) = text
            .strip_prefix(fence)
            .and_then(|r| r.strip_prefix('\n').or_else(|| r.strip_prefix("\r\n")))
        else {
            continue;
        };
        let close = format!("\n{fence}");
        if let Some(at) = rest.find(&close) {
            let body = &rest[at + close.len()..];
            let body = body.split_once('\n').map_or("", |(_, b)| b);
            return (Some((kind, &rest[..at])), body);
        }
    }
    (None, text)
}

/// Longest front-matter error message kept, in bytes.
const MAX_MESSAGE: usize = 400;

/// Cuts a parser's message to [`MAX_MESSAGE`] bytes (on a character boundary). The
/// TOML parser quotes the offending line, which in a hostile input is the whole file:
/// the message goes into the refusal's sidecar and logs, and must stay small.
fn bounded(mut message: String) -> String {
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push('…');
    }
    message
}

/// Reads front-matter keys into metadata (title, date, author(s), url, lang).
fn metadata(kind: &str, block: &str) -> Result<(Option<String>, ArticleMeta), FormatError> {
    let mut pairs: Vec<(String, Vec<String>)> = Vec::new();
    match kind {
        "toml" => {
            let table: toml::Table = block
                .parse()
                .map_err(|e| FormatError::FrontMatter(bounded(format!("TOML: {e}"))))?;
            for (k, v) in table {
                let values = match v {
                    toml::Value::Array(a) => a.iter().filter_map(scalar_toml).collect(),
                    other => scalar_toml(&other).into_iter().collect(),
                };
                pairs.push((k.to_lowercase(), values));
            }
        }
        _ => {
            let docs = yaml_rust2::YamlLoader::load_from_str(block)
                .map_err(|e| FormatError::FrontMatter(bounded(format!("YAML: {e}"))))?;
            if let Some(yaml_rust2::Yaml::Hash(h)) = docs.first() {
                for (k, v) in h {
                    let Some(k) = k.as_str() else { continue };
                    let values = match v {
                        yaml_rust2::Yaml::Array(a) => a.iter().filter_map(scalar_yaml).collect(),
                        other => scalar_yaml(other).into_iter().collect(),
                    };
                    pairs.push((k.to_lowercase(), values));
                }
            }
        }
    }
    let get = |names: &[&str]| {
        names.iter().find_map(|n| {
            pairs
                .iter()
                .find(|(k, _)| k == n)
                .and_then(|(_, v)| v.first().cloned())
        })
    };
    let authors = ["authors", "author", "byline"]
        .iter()
        .find_map(|n| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()))
        .unwrap_or_default();
    Ok((
        get(&["title", "headline"]),
        ArticleMeta {
            url: get(&["url", "link", "canonical_url", "canonical"]),
            published: get(&[
                "date",
                "published",
                "pubdate",
                "published_at",
                "datepublished",
            ]),
            authors,
            language: get(&["lang", "language"]),
            ..ArticleMeta::default()
        },
    ))
}

fn scalar_toml(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        toml::Value::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

fn scalar_yaml(v: &yaml_rust2::Yaml) -> Option<String> {
    match v {
        yaml_rust2::Yaml::String(s) | yaml_rust2::Yaml::Real(s) => Some(s.clone()),
        yaml_rust2::Yaml::Integer(i) => Some(i.to_string()),
        _ => None,
    }
}

/// Markdown body to text: paragraphs, headings and list items each on their own,
/// blank lines between blocks; code blocks and images left out.
fn body_text(md: &str) -> (Option<String>, String) {
    let mut out = String::new();
    let mut first_heading: Option<String> = None;
    let mut heading: Option<String> = None;
    let mut in_code = false;
    for event in Parser::new(md) {
        match event {
            // A top-level heading before any text is the title.
            Event::Start(Tag::Heading { level, .. })
                if level == pulldown_cmark::HeadingLevel::H1
                    && first_heading.is_none()
                    && out.trim().is_empty() =>
            {
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(h) = heading.take() {
                    first_heading = Some(h.trim().to_string());
                } else {
                    out.push_str("\n\n");
                }
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                out.push_str("\n\n")
            }
            Event::Text(t) | Event::Code(t) if !in_code => match heading.as_mut() {
                Some(h) => h.push_str(&t),
                None => out.push_str(&t),
            },
            Event::Html(h) | Event::InlineHtml(h) => {
                out.push_str(&markup::html_fragment_to_text(&h))
            }
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push_str("\n\n"),
            _ => {}
        }
    }
    (first_heading, markup::tidy(&out))
}

/// Parses a Markdown article.
pub fn parse(text: &str) -> Result<ParsedArticle, FormatError> {
    let (front, body) = front_matter(text);
    let (title, meta) = match front {
        Some((kind, block)) => metadata(kind, block)?,
        None => (None, ArticleMeta::default()),
    };
    let (heading, text) = body_text(body);
    if text.trim().is_empty() {
        return Err(FormatError::NoText);
    }
    Ok(ParsedArticle {
        title: title.or(heading),
        text,
        meta,
        item: None,
        item_bytes: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_front_matter_and_markup() {
        let md = "---\ntitle: Pipeline deal signed\ndate: 2025-05-08\nauthors:\n  - A. Writer\nlang: en\n---\n\n\
                  # Ignored heading\n\nThe **deal** was [signed](http://x) on Thursday.\n\n- first point\n- second point\n\n```\ncode()\n```\n";
        let a = parse(md).unwrap();
        assert_eq!(a.title.as_deref(), Some("Pipeline deal signed"));
        assert_eq!(a.meta.published.as_deref(), Some("2025-05-08"));
        assert_eq!(a.meta.authors, ["A. Writer"]);
        assert!(
            a.text.contains("The deal was signed on Thursday."),
            "{}",
            a.text
        );
        assert!(a.text.contains("first point\n\nsecond point"));
        assert!(!a.text.contains("code()"));
        assert!(!a.text.contains('*'));
    }

    #[test]
    fn toml_front_matter() {
        let md =
            "+++\ntitle = \"Rates held\"\ndate = 2025-05-06T08:00:00Z\n+++\nThe bank held rates.\n";
        let a = parse(md).unwrap();
        assert_eq!(a.title.as_deref(), Some("Rates held"));
        assert_eq!(a.meta.published.as_deref(), Some("2025-05-06T08:00:00Z"));
        assert_eq!(a.text, "The bank held rates.");
    }

    #[test]
    fn deeply_nested_front_matter_is_refused_with_a_short_message() {
        // The TOML error quoted the whole 200,000-character line it failed on.
        for (fence, open) in [("+++", "x = "), ("---", "x: ")] {
            let md = format!("{fence}\n{open}{}\n{fence}\nBody.\n", "[".repeat(200_000));
            let err = parse(&md).unwrap_err();
            assert_eq!(err.code(), "front_matter");
            assert!(
                err.to_string().len() < 500,
                "{} bytes",
                err.to_string().len()
            );
        }
        assert_eq!(bounded("é".repeat(300)).chars().last(), Some('…'));
    }

    #[test]
    fn first_heading_is_the_title_without_front_matter() {
        let a = parse("# Storm hits coast\n\nWinds reached 150 km/h.\n").unwrap();
        assert_eq!(a.title.as_deref(), Some("Storm hits coast"));
        assert_eq!(a.text, "Winds reached 150 km/h.");
    }
}
