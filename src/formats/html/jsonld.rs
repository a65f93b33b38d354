//! Article metadata from JSON-LD (`<script type="application/ld+json">`): the first
//! node typed as an article (`NewsArticle`, `Article`, `ReportageNewsArticle`,
//! `BlogPosting`, ...), found at the top level, in an array, or in an `@graph`.

use serde_json::Value;

/// What one JSON-LD article node says; every field optional.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LdArticle {
    /// `headline` (or `name`).
    pub headline: Option<String>,
    /// `author` names (strings, or objects' `name`).
    pub authors: Vec<String>,
    /// `datePublished`.
    pub published: Option<String>,
    /// `dateModified`.
    pub modified: Option<String>,
    /// `publisher.name`.
    pub publisher: Option<String>,
    /// `mainEntityOfPage` (its `@id` when an object) or `url`.
    pub url: Option<String>,
    /// `articleSection` (the first, when a list).
    pub section: Option<String>,
    /// `inLanguage`.
    pub language: Option<String>,
    /// `description`.
    pub description: Option<String>,
}

/// How deep into nested JSON the search for an article node goes. JSON-LD graphs
/// are shallow; the bound keeps a hostile script from costing much.
const MAX_JSON_DEPTH: usize = 8;

/// The first article node in any of the scripts' texts. Scripts that are not valid
/// JSON (a common sight: trailing commas, HTML comments around the JSON) are skipped
/// after a light repair attempt.
pub fn article<'a>(scripts: impl IntoIterator<Item = &'a str>) -> Option<LdArticle> {
    let mut fallback: Option<LdArticle> = None;
    for script in scripts {
        let Some(value) = parse(script) else { continue };
        if let Some(node) = find_article(&value, 0) {
            let mut article = read(node);
            // A graph may hold the publisher as a separate node referenced by @id.
            if article.publisher.is_none() {
                article.publisher = organization_name(&value);
            }
            return Some(article);
        }
        if fallback.is_none() {
            // A WebPage node still gives a date or a name when no article is typed.
            fallback = find_typed(&value, 0, &|t| t.ends_with("WebPage")).map(read);
        }
    }
    fallback
}

fn parse(script: &str) -> Option<Value> {
    let trimmed = script
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_end_matches("//]]>")
        .trim();
    serde_json::from_str(trimmed).ok().or_else(|| {
        // Control characters inside strings are the commonest breakage.
        let cleaned: String = trimmed
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        serde_json::from_str(&cleaned).ok()
    })
}

fn is_article_type(t: &str) -> bool {
    let t = t.rsplit(['/', ':']).next().unwrap_or(t);
    t.ends_with("Article") || t == "BlogPosting" || t == "LiveBlogPosting" || t == "Report"
}

fn types(node: &Value) -> Vec<&str> {
    match node.get("@type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn find_article(value: &Value, depth: usize) -> Option<&Value> {
    find_typed(value, depth, &is_article_type)
}

/// Depth-first search (bounded) for an object whose `@type` passes `wanted`,
/// looking through arrays and `@graph` (not into properties, where e.g. a
/// `citation` could hold another article).
fn find_typed<'v>(
    value: &'v Value,
    depth: usize,
    wanted: &dyn Fn(&str) -> bool,
) -> Option<&'v Value> {
    if depth > MAX_JSON_DEPTH {
        return None;
    }
    match value {
        Value::Array(items) => items.iter().find_map(|v| find_typed(v, depth + 1, wanted)),
        Value::Object(map) => {
            if types(value).into_iter().any(wanted) {
                return Some(value);
            }
            map.get("@graph")
                .and_then(|g| find_typed(g, depth + 1, wanted))
        }
        _ => None,
    }
}

fn organization_name(value: &Value) -> Option<String> {
    let org = find_typed(value, 0, &|t| {
        t == "Organization" || t == "NewsMediaOrganization"
    })?;
    text(org.get("name")?)
}

fn read(node: &Value) -> LdArticle {
    LdArticle {
        headline: node
            .get("headline")
            .or_else(|| node.get("name"))
            .and_then(text),
        authors: node.get("author").map(names).unwrap_or_default(),
        published: node.get("datePublished").and_then(text),
        modified: node.get("dateModified").and_then(text),
        publisher: node
            .get("publisher")
            .and_then(|p| p.get("name").or(Some(p)))
            .and_then(text),
        url: node
            .get("mainEntityOfPage")
            .and_then(|m| m.get("@id").or(Some(m)))
            .and_then(text)
            .filter(|u| u.starts_with("http"))
            .or_else(|| node.get("url").and_then(text)),
        section: node.get("articleSection").and_then(first_text),
        language: node
            .get("inLanguage")
            .and_then(|l| l.get("alternateName").or_else(|| l.get("name")).or(Some(l)))
            .and_then(text),
        description: node.get("description").and_then(text),
    }
}

/// A non-empty trimmed string, from a string or a number.
fn text(value: &Value) -> Option<String> {
    let s = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

fn first_text(value: &Value) -> Option<String> {
    match value {
        Value::Array(items) => items.iter().find_map(text),
        other => text(other),
    }
}

/// Author names from a string, an object with `name`, or an array of either.
fn names(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().flat_map(names).collect(),
        Value::Object(map) => map.get("name").map(names).unwrap_or_default(),
        other => text(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_inside_a_graph() {
        let script = r##"{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"Example News"},
            {"@type":"Organization","@id":"#org","name":"Example News Ltd"},
            {"@type":["ReportageNewsArticle"],"headline":"Rivers rise",
             "author":[{"@type":"Person","name":"Ana Ruiz"},{"@type":"Person","name":"Li Wei"}],
             "datePublished":"2024-03-01T08:00:00Z","dateModified":"2024-03-01T09:30:00Z",
             "publisher":{"@id":"#org"},"mainEntityOfPage":{"@id":"https://example.com/rivers"},
             "articleSection":["World","Climate"],"inLanguage":"en-GB"}]}"##;
        let a = article([script]).expect("an article");
        assert_eq!(a.headline.as_deref(), Some("Rivers rise"));
        assert_eq!(a.authors, ["Ana Ruiz", "Li Wei"]);
        assert_eq!(a.published.as_deref(), Some("2024-03-01T08:00:00Z"));
        assert_eq!(a.modified.as_deref(), Some("2024-03-01T09:30:00Z"));
        assert_eq!(a.publisher.as_deref(), Some("Example News Ltd"));
        assert_eq!(a.url.as_deref(), Some("https://example.com/rivers"));
        assert_eq!(a.section.as_deref(), Some("World"));
        assert_eq!(a.language.as_deref(), Some("en-GB"));
    }

    #[test]
    fn article_in_a_top_level_array_with_a_string_author() {
        let scripts = [
            "not json at all",
            r#"[{"@type":"BreadcrumbList"},{"@type":"NewsArticle","headline":"H","author":"Sam Poe",
                "publisher":{"@type":"Organization","name":"Daily"}}]"#,
        ];
        let a = article(scripts).expect("an article");
        assert_eq!(a.authors, ["Sam Poe"]);
        assert_eq!(a.publisher.as_deref(), Some("Daily"));
    }

    #[test]
    fn control_characters_in_strings_are_repaired() {
        let a = article(["{\"@type\":\"Article\",\"headline\":\"Two\nlines\"}"]).expect("article");
        assert_eq!(a.headline.as_deref(), Some("Two lines"));
    }

    #[test]
    fn no_article_node_means_none() {
        assert_eq!(article([r#"{"@type":"WebSite","name":"x"}"#]), None);
    }
}
