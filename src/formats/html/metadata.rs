//! Metadata (stub).
use super::HtmlMeta;
use dom_query::Document;
/// Title and metadata.
pub fn extract(page: &Document) -> (Option<String>, HtmlMeta) {
    let t = page.select("title").text().trim().to_string();
    ((!t.is_empty()).then_some(t), HtmlMeta::default())
}
