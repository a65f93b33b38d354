//! The HTML page reader: decode, guards, metadata, furniture, extraction, filter.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(page) = newsd::formats::html::read_html(data) {
        assert!(!page.text.trim().is_empty(), "an article has text");
    }
});
