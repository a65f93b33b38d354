//! Page furniture removed before the extractor runs: elements whose tag, class, id
//! or role say they are captions, share widgets, related links, tag lists, bylines
//! and datelines, ads, cookie banners or newsletter prompts.
//!
//! rs-trafilatura already drops most navigation and comments; what it keeps is what
//! sits inside the article container. Matching is on whole words of class/id names
//! (`post-share-bar` → `post`, `share`, `bar`) or on a few unambiguous substrings,
//! and an element is removed only while its text is short, so a container whose
//! class happens to mention `share` (`article-body share-enabled`) keeps its article.

use dom_query::{Document, NodeRef};

/// Class/id words that mark furniture.
const FURNITURE_WORDS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "advert",
    "advertisement",
    "advertising",
    "sponsor",
    "sponsored",
    "promo",
    "promotion",
    "share",
    "shares",
    "sharing",
    "social",
    "socials",
    "related",
    "recommended",
    "recommendations",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "caption",
    "credit",
    "credits",
    "byline",
    "dateline",
    "timestamp",
    "breadcrumb",
    "breadcrumbs",
    "tags",
    "tag",
    "taglist",
    "keywords",
    "comments",
    "comment",
    "disqus",
    "popup",
    "modal",
    "toolbar",
    "print",
    "meta",
    "author",
    "authors",
    "date",
    "published",
    "posted",
    "updated",
    "readmore",
    "more",
    "next",
    "prev",
    "previous",
    "pagination",
    "pager",
    "rating",
    "widget",
    "sidebar",
    "outbrain",
    "taboola",
    "trending",
    "popular",
    "follow",
];

/// Substrings of class/id names that mark furniture however they are glued
/// (`sharebar`, `relatedPosts`, `figcaption`, `socialLinks`).
const FURNITURE_PARTS: &[&str] = &[
    "share",
    "social",
    "related",
    "caption",
    "newsletter",
    "advert",
    "cookie",
    "byline",
    "breadcrumb",
    "outbrain",
    "taboola",
    "sponsor",
    "promo",
    "subscri",
];

/// Elements that are furniture whatever their class.
const FURNITURE_TAGS: &[&str] = &["figcaption", "nav", "aside", "footer", "form", "dialog"];

/// ARIA roles of furniture.
const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "complementary",
    "contentinfo",
    "banner",
    "dialog",
    "alertdialog",
    "menu",
    "menubar",
    "search",
    "toolbar",
];

/// A matched element is removed only while it has at most this many words: real
/// article containers are longer, furniture is not.
const MAX_FURNITURE_WORDS: usize = 60;

/// A matched element that is mostly link text (related-article lists) may be longer.
const MAX_LINK_LIST_WORDS: usize = 400;

/// Removes furniture elements from the page.
pub fn remove_furniture(page: &Document) {
    let candidates: Vec<NodeRef> = page
        .select(
            "body [class], body [id], body [role], figcaption, nav, aside, footer, form, dialog",
        )
        .nodes()
        .to_vec();
    for node in candidates {
        // An ancestor removed earlier took this node with it: nothing to do.
        if !attached(&node) {
            continue;
        }
        if is_furniture(&node) && short_or_links(&node) {
            node.remove_from_parent();
        }
    }
}

fn attached(node: &NodeRef) -> bool {
    node.ancestors_it(None).any(|a| a.is_document())
}

fn is_furniture(node: &NodeRef) -> bool {
    let tag = node
        .node_name()
        .map(|n| n.to_ascii_lowercase())
        .unwrap_or_default();
    if matches!(tag.as_str(), "body" | "html" | "main" | "article") {
        return false;
    }
    if FURNITURE_TAGS.contains(&tag.as_str()) {
        return true;
    }
    if let Some(role) = node.attr("role")
        && FURNITURE_ROLES.contains(&role.trim().to_ascii_lowercase().as_str())
    {
        return true;
    }
    let mut names = String::new();
    for attr in ["class", "id"] {
        if let Some(v) = node.attr(attr) {
            names.push_str(&v.to_ascii_lowercase());
            names.push(' ');
        }
    }
    if names.trim().is_empty() {
        return false;
    }
    let words_match = names
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| FURNITURE_WORDS.contains(&w));
    words_match || FURNITURE_PARTS.iter().any(|p| names.contains(p))
}

/// Whether the element is short enough, or link-dense enough, to be furniture.
fn short_or_links(node: &NodeRef) -> bool {
    let text = node.text();
    let words = super::text::word_count(&text);
    if words <= MAX_FURNITURE_WORDS {
        return true;
    }
    if words > MAX_LINK_LIST_WORDS {
        return false;
    }
    let link_words: usize = node
        .descendants_it()
        .filter(|d| d.is_element() && d.node_name().is_some_and(|n| n.eq_ignore_ascii_case("a")))
        .map(|a| super::text::word_count(&a.text()))
        .sum();
    link_words * 2 > words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn furniture_goes_and_the_article_stays() {
        let body = "<p>".to_string() + &"Real article words here. ".repeat(30) + "</p>";
        let html = format!(
            r#"<html><body><div class="article-body share-enabled">{body}
               <figure><img src=a.jpg><figcaption>A caption © Agency</figcaption></figure>
               <div class="post-share-bar">Facebook Twitter Email</div>
               <div id="relatedPosts"><a href=1>One</a> <a href=2>Two</a></div>
               <span class="byline">By A. Writer</span>
               <div role="complementary">Sidebar</div></div></body></html>"#
        );
        let page = Document::from(html.as_str());
        remove_furniture(&page);
        let text = page.select("body").text().to_string();
        assert!(text.contains("Real article words here."));
        for gone in ["caption", "Facebook", "One", "Writer", "Sidebar"] {
            assert!(!text.contains(gone), "{gone} should be gone: {text}");
        }
    }

    #[test]
    fn long_link_lists_go_but_long_text_stays() {
        let links = "<a href=x>Another related headline here</a> ".repeat(40);
        let prose = "Plain words without links. ".repeat(40);
        let html = format!(
            r#"<body><div class="related">{links}</div><div class="related">{prose}</div></body>"#
        );
        let page = Document::from(html.as_str());
        remove_furniture(&page);
        let text = page.select("body").text().to_string();
        assert!(!text.contains("headline"));
        assert!(text.contains("Plain words"));
    }
}
