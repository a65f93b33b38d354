//! Markdown with YAML (`---`) or TOML (`+++`) front matter.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsd::formats::markdown;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(a) = markdown::parse(text) {
        assert!(!a.text.trim().is_empty(), "an article has text");
    }
});
