//! `newsd eval language` on the shared multilingual samples (ru, de, zh, ar, fr): the
//! daemon's reading and language detection must keep accuracy >= 0.98 overall and
//! >= 0.92 for each language (measured: 126/126, every language 1.0).

mod common;

use std::path::Path;
use std::process::Command;

#[test]
fn multilingual_language_accuracy_stays_above_its_floor() {
    let dir = Path::new("../shared/data/multilingual");
    if !dir.join("index.csv").is_file() {
        eprintln!(
            "skipping: {} is absent (outside the workplace)",
            dir.display()
        );
        return;
    }
    let out = Command::new(common::BIN)
        .args(["eval", "language", "--dataset"])
        .arg(dir)
        .output()
        .expect("run newsd eval language");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(report["files"].as_u64(), Some(126), "{report}");
    let accuracy = report["accuracy"].as_f64().expect("accuracy");
    assert!(accuracy >= 0.98, "accuracy {accuracy} < 0.98: {report}");
    let per = report["per_language"].as_object().expect("per_language");
    for lang in ["ar", "de", "fr", "ru", "zh"] {
        let a = per[lang]["accuracy"]
            .as_f64()
            .expect("a language's accuracy");
        assert!(a >= 0.92, "{lang}: accuracy {a} < 0.92: {report}");
    }
    assert!(report["confusions"].is_array());
}

#[test]
fn a_folder_without_an_index_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(common::BIN)
        .args(["eval", "language", "--dataset"])
        .arg(dir.path())
        .output()
        .expect("run newsd eval language");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("index.csv"), "{stderr}");
}
