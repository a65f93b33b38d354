//! Format detection and full decode of arbitrary bytes, as the daemon reads an input:
//! `formats::parse(bytes, name, config)`. The first byte picks the file name, since the
//! extension is the second clue to the format.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsd::formats::{self, FormatsConfig, Item};

const NAMES: [&str; 10] = [
    "story.txt",
    "feed.json",
    "feed.ndjson",
    "feed.jsonl",
    "story.md",
    "page.html",
    "page.htm.gz",
    "story.txt.gz",
    "noextension",
    "page.xhtml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    // A small decompression limit keeps gzip inputs inside the fuzzer's memory limit;
    // the limit itself is exercised by the gzip target.
    let cfg = FormatsConfig {
        max_decompressed_bytes: 4 << 20,
        ..FormatsConfig::default()
    };
    if let Ok(parsed) = formats::parse(bytes, name, &cfg) {
        assert!(
            !parsed.items.is_empty(),
            "a parsed input has at least one item"
        );
        for item in &parsed.items {
            match item {
                Item::Article(a) => assert!(!a.text.trim().is_empty() || a.item.is_some()),
                Item::Bad { error, .. } => {
                    let _ = error.code();
                }
            }
        }
    }
});
