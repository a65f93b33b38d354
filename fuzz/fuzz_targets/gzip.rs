//! The gzip path: decompression with a limit, on raw bytes and on a valid gzip
//! wrapper around the fuzzer's bytes (so the decoded content reaches the readers).
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use newsd::formats::{self, FormatsConfig, gzip};

const LIMIT: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    // Raw bytes: most are not gzip; the mutator finds the magic from the seeds.
    if let Ok(out) = gzip::gunzip(data, LIMIT) {
        assert!(out.len() as u64 <= LIMIT, "the limit holds");
    }
    let cfg = FormatsConfig {
        max_decompressed_bytes: LIMIT,
        ..FormatsConfig::default()
    };
    let _ = formats::parse(data, "input.gz", &cfg);
    // The bytes as gzip content: a small limit forces the bomb path on long inputs.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if e.write_all(data).is_err() {
        return;
    }
    let Ok(z) = e.finish() else { return };
    match gzip::gunzip(&z, 4096) {
        Ok(out) => assert_eq!(out, data),
        Err(err) => assert!(data.len() > 4096, "{err}"),
    }
    let _ = formats::parse(&z, "input.txt.gz", &cfg);
});
