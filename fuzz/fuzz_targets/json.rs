//! JSON, JSON arrays and NDJSON mapped to articles with the default key mapping.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsd::formats::{Item, JsonMapping, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(items) = json::parse(text, &JsonMapping::default()) {
        for item in items {
            if let Item::Article(a) = item {
                assert!(!a.text.trim().is_empty(), "an article has text");
            }
        }
    }
    let _ = newsd::formats::markup::html_fragment_to_text(text);
});
