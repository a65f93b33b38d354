//! JSON inputs: one article object, a JSON array of them, or NDJSON (one per line).
//!
//! APIs name fields differently, so each field has a list of accepted keys (first
//! present wins), configurable under `[formats.json]`. In a batch, each element is its
//! own article with its own record id; an element that is not an article becomes a
//! failure carrying its line (NDJSON) or position (array), and the rest still count.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ArticleMeta, FormatError, Item, ParsedArticle, markup};

/// Which keys hold which field (`[formats.json]`); matching ignores case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JsonMapping {
    /// Keys for the title.
    pub title: Vec<String>,
    /// Keys for the body text (may hold HTML, which is reduced to text).
    pub text: Vec<String>,
    /// Keys for the article's URL.
    pub url: Vec<String>,
    /// Keys for the publication date.
    pub published: Vec<String>,
    /// Keys for the author(s): a string, a list, or objects with a `name`.
    pub author: Vec<String>,
    /// Keys for the language.
    pub language: Vec<String>,
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

impl Default for JsonMapping {
    fn default() -> Self {
        Self {
            title: keys(&["title", "headline", "name"]),
            text: keys(&[
                "text",
                "body",
                "content",
                "articleBody",
                "article_body",
                "fulltext",
                "full_text",
            ]),
            url: keys(&["url", "link", "canonical_url", "uri"]),
            published: keys(&[
                "published",
                "datePublished",
                "date",
                "published_at",
                "publishedAt",
                "pubDate",
                "publication_date",
                "created_at",
            ]),
            author: keys(&["author", "authors", "byline", "creator"]),
            language: keys(&["lang", "language", "inLanguage"]),
        }
    }
}

/// The first value among `keys` (case-insensitive) in an object.
fn field<'a>(obj: &'a serde_json::Map<String, Value>, keys: &[String]) -> Option<&'a Value> {
    keys.iter().find_map(|k| {
        obj.get(k)
            .or_else(|| {
                obj.iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(k))
                    .map(|(_, v)| v)
            })
            .filter(|v| !v.is_null())
    })
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) => o.get("name").and_then(|n| n.as_str()).map(str::to_string),
        _ => None,
    }
}

fn authors(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(as_text).collect(),
        other => as_text(other).into_iter().collect(),
    }
}

/// One JSON object as an article, or why it is not one.
pub fn article(value: &Value, map: &JsonMapping) -> Result<ParsedArticle, FormatError> {
    let Value::Object(obj) = value else {
        return Err(FormatError::JsonShape(format!(
            "expected an article object, found {}",
            kind(value)
        )));
    };
    let raw = field(obj, &map.text).and_then(as_text).ok_or_else(|| {
        FormatError::JsonShape(format!(
            "no text field (looked for {})",
            map.text.join(", ")
        ))
    })?;
    let text = if markup::looks_like_html(&raw) {
        markup::html_fragment_to_text(&raw)
    } else {
        raw
    };
    if text.trim().is_empty() {
        return Err(FormatError::JsonShape("the text field is empty".into()));
    }
    Ok(ParsedArticle {
        title: field(obj, &map.title)
            .and_then(as_text)
            .map(|t| t.trim().to_string()),
        text,
        meta: ArticleMeta {
            url: field(obj, &map.url).and_then(as_text),
            published: field(obj, &map.published).and_then(as_text),
            authors: field(obj, &map.author).map(authors).unwrap_or_default(),
            language: field(obj, &map.language).and_then(as_text),
            ..ArticleMeta::default()
        },
        item: None,
        item_bytes: None,
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Parses JSON text: an object, an array of objects, or NDJSON.
pub fn parse(text: &str, map: &JsonMapping) -> Result<Vec<Item>, FormatError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => {
            if items.is_empty() {
                return Err(FormatError::JsonShape("an empty array".into()));
            }
            Ok(items
                .iter()
                .enumerate()
                .map(|(i, v)| match article(v, map) {
                    Ok(mut a) => {
                        a.item = Some(i + 1);
                        a.item_bytes = Some(serde_json::to_vec(v).unwrap_or_default());
                        Item::Article(Box::new(a))
                    }
                    Err(error) => Item::Bad { item: i + 1, error },
                })
                .collect())
        }
        Ok(v) => Ok(vec![Item::Article(Box::new(article(&v, map)?))]),
        Err(whole) => {
            let lines: Vec<(usize, &str)> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .collect();
            // NDJSON only if at least one line is JSON by itself; otherwise the whole
            // input is simply not JSON.
            let any_json = lines
                .iter()
                .any(|(_, l)| serde_json::from_str::<serde::de::IgnoredAny>(l).is_ok());
            if lines.len() < 2 || !any_json {
                return Err(FormatError::JsonShape(format!("not valid JSON: {whole}")));
            }
            Ok(lines
                .into_iter()
                .map(|(n, line)| {
                    let parsed = serde_json::from_str::<Value>(line)
                        .map_err(|e| FormatError::JsonShape(format!("not valid JSON: {e}")))
                        .and_then(|v| article(&v, map));
                    match parsed {
                        Ok(mut a) => {
                            a.item = Some(n + 1);
                            a.item_bytes = Some(line.as_bytes().to_vec());
                            Item::Article(Box::new(a))
                        }
                        Err(error) => Item::Bad { item: n + 1, error },
                    }
                })
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> ParsedArticle {
        match parse(text, &JsonMapping::default()).unwrap().remove(0) {
            Item::Article(a) => *a,
            Item::Bad { error, .. } => panic!("{error}"),
        }
    }

    #[test]
    fn common_key_names_map() {
        let a = one(
            r#"{"headline":"Talks resume","articleBody":"<p>Talks resumed on Monday.</p><p>More.</p>",
            "link":"https://example.org/a","datePublished":"2025-05-06T08:00:00Z",
            "authors":[{"name":"A. Writer"},"B. Writer"],"inLanguage":"en"}"#,
        );
        assert_eq!(a.title.as_deref(), Some("Talks resume"));
        assert_eq!(a.text, "Talks resumed on Monday.\n\nMore.");
        assert_eq!(a.meta.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(a.meta.published.as_deref(), Some("2025-05-06T08:00:00Z"));
        assert_eq!(a.meta.authors, ["A. Writer", "B. Writer"]);
        assert_eq!(a.meta.language.as_deref(), Some("en"));
    }

    #[test]
    fn ndjson_keeps_good_lines_and_numbers_bad_ones() {
        let text = "{\"title\":\"a\",\"text\":\"First story.\"}\n{broken\n\n{\"title\":\"c\",\"text\":\"Third story.\"}\n";
        let items = parse(text, &JsonMapping::default()).unwrap();
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[0], Item::Article(a) if a.item == Some(1)));
        assert!(matches!(&items[1], Item::Bad { item: 2, .. }));
        assert!(matches!(&items[2], Item::Article(a) if a.item == Some(4)));
    }

    #[test]
    fn arrays_are_batches() {
        let items = parse(
            r#"[{"text":"One."},{"text":"Two."},42]"#,
            &JsonMapping::default(),
        )
        .unwrap();
        assert_eq!(items.len(), 3);
        assert!(matches!(&items[2], Item::Bad { item: 3, .. }));
    }

    #[test]
    fn wrong_shapes_are_refused_with_a_reason() {
        for bad in [
            r#"{"foo": 1}"#,
            "[]",
            "\"just a string\"",
            "{\"text\": \"\"}",
        ] {
            let err = parse(bad, &JsonMapping::default()).unwrap_err();
            assert_eq!(err.code(), "json_shape", "{bad}");
        }
    }
}
