//! `newsd eval dedup` on the shared BBC corpus plus rewritten copies: copies are found
//! (recall) and distinct stories are not flagged (precision), with the reviewed
//! same-story pairs of the corpus counted as copies.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn finds_rewrites_and_leaves_distinct_stories_alone() {
    if !Path::new("../shared/data/bbc-news").is_dir() {
        eprintln!("skipping: ../shared/data/bbc-news is absent (outside the workplace)");
        return;
    }
    let out = Command::new(common::BIN)
        .args([
            "eval",
            "dedup",
            "--texts",
            "../shared/data/bbc-news/articles",
        ])
        .args([
            "--duplicates",
            "../shared/data/bbc-news/exact_duplicates.csv",
        ])
        .args([
            "--reviewed",
            "tests/fixtures/bbc-reviewed-near-duplicates.csv",
        ])
        .output()
        .expect("run newsd eval dedup");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    let precision = r["precision"].as_f64().unwrap();
    let recall = r["recall"].as_f64().unwrap();
    eprintln!("precision {precision:.4}, recall {recall:.4}");
    assert!(r["copies"].as_u64().unwrap() >= 1500);
    assert!(precision >= 0.99, "{}", r["wrong_flags"]);
    assert!(recall >= 0.95);
    assert_eq!(r["false_positives"], 0, "no distinct original flagged");
    for kind in [
        "new_headline",
        "reordered",
        "boilerplate",
        "words_changed",
        "exact",
    ] {
        let k = r["kinds"][kind]["recall"].as_f64().unwrap();
        assert!(k >= 0.95, "{kind}: recall {k}");
    }
}
