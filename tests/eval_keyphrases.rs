//! `newsd eval keyphrases` on the shared keyphrase datasets. The shipped re-ranker is
//! trained on 500N-KPCrowd and must beat YAKE's published 0.173 there; DUC-2001 may
//! only be evaluated on (its terms), so it is a held-out check with a regression
//! floor. The datasets live outside the repository (`../shared/data`); where they are
//! absent the test says so and passes.

mod common;

use std::path::Path;
use std::process::Command;

use common::BIN;
use serde_json::Value;

fn eval(dataset: &Path) -> Value {
    let out = Command::new(BIN)
        .args(["eval", "keyphrases", "--top", "10", "--dataset"])
        .arg(dataset)
        .args(["--config", "config/newsd.toml"])
        .env_remove("RUST_LOG")
        .output()
        .expect("run newsd eval keyphrases");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn keyphrases_beat_the_published_anchors() {
    let data = Path::new("../shared/data");
    if !data.is_dir() {
        println!(
            "skipped: {} is absent (no evaluation datasets)",
            data.display()
        );
        return;
    }
    // DUC-2001: a floor that catches regressions, not the 0.286 PositionRank anchor,
    // which the KPCrowd-trained ranker does not reach (see config/models/README.md).
    for (name, anchor, documents) in [("duc2001", 0.08, 207), ("500n-kpcrowd", 0.173, 400)] {
        let dir = data.join(name);
        if !dir.is_dir() {
            println!("skipped {name}: {} is absent", dir.display());
            continue;
        }
        let report = eval(&dir);
        println!("{name}: {report}");
        let f1 = report["macro"]["f1"].as_f64().expect("macro f1");
        assert_eq!(report["documents"], documents, "{report}");
        assert_eq!(report["f1"], report["macro"]["f1"]);
        assert!(report["micro"]["f1"].as_f64().is_some_and(|f| f > 0.0));
        assert!(f1 > anchor, "{name}: F1@10 {f1:.4} is not above {anchor}");
    }
}

#[test]
fn eval_refuses_a_folder_without_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(BIN)
        .args(["eval", "keyphrases", "--dataset"])
        .arg(dir.path())
        .output()
        .expect("run newsd eval keyphrases");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newsd eval:") && err.contains("docs"), "{err}");
}
