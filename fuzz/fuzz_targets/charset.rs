//! Charset detection and decoding of arbitrary bytes: the general decoder
//! (`formats::charset`) and the HTML reader's own (`formats::html::charset`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsd::formats::charset;

fuzz_target!(|data: &[u8]| {
    if let Ok(decoded) = charset::decode(data) {
        // Valid UTF-8 without a BOM must come back unchanged.
        if std::str::from_utf8(data).is_ok() && !data.starts_with(b"\xef\xbb\xbf") {
            if decoded.encoding == "UTF-8" {
                assert_eq!(decoded.text.as_bytes(), data);
            }
        }
    }
    let _ = charset::declared(data);
    let (_text, _encoding) = newsd::formats::html::charset::decode(data);
});
