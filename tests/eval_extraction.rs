//! `newsd eval extraction` on the shared half of the article-extraction benchmark:
//! the HTML reader must keep F1 >= 0.96 (both the mean per-page F1 and the
//! leaderboard's F1 of mean precision and recall).

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn article_extraction_f1_is_at_least_0_96() {
    let dir = Path::new("../shared/data/article-extraction");
    if !dir.is_dir() {
        eprintln!(
            "skipping: {} is absent (outside the workplace)",
            dir.display()
        );
        return;
    }
    let out = Command::new(common::BIN)
        .args(["eval", "extraction", "--dataset"])
        .arg(dir)
        .output()
        .expect("run newsd eval extraction");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(report["pages"].as_u64(), Some(98), "{report}");
    for key in ["f1", "f1_of_means"] {
        let f1 = report[key].as_f64().expect("an F1 figure");
        assert!(f1 >= 0.96, "{key} = {f1} < 0.96: {report}");
    }
    assert!(report["pages_per_s"].as_f64().unwrap_or(0.0) > 0.0);
}
