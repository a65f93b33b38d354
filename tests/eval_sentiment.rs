//! `newsd eval sentiment` on the shared VADER ground truth: the figures the reference
//! implementation gives (r = 0.872 tweets, 0.427 movie, 0.590 Amazon).

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn pearson_r_matches_the_reference_implementation() {
    let dir = Path::new("../shared/data/vader");
    if !dir.is_dir() {
        eprintln!(
            "skipping: {} is absent (outside the workplace)",
            dir.display()
        );
        return;
    }
    for (file, want) in [
        ("tweets_GroundTruth.txt", 0.8722),
        ("movieReviewSnippets_GroundTruth.txt", 0.4274),
        ("amazonReviewSnippets_GroundTruth.txt", 0.5896),
    ] {
        let out = Command::new(common::BIN)
            .args(["eval", "sentiment", "--vader"])
            .arg(dir.join(file))
            .output()
            .expect("run newsd eval");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("one JSON object");
        let r = report["pearson_r"].as_f64().expect("pearson_r");
        assert!((r - want).abs() < 1e-3, "{file}: r = {r}, reference {want}");
        assert!(report["texts"].as_u64().unwrap() > 3000);
    }
}
