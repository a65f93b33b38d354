//! `newsd eval topics` on the shared BBC corpus: the shipped classifier and 10-fold
//! cross-validation of training must reach accuracy 0.97 on articles not trained on.

mod common;

use std::path::Path;
use std::process::Command;

fn eval(extra: &[&str]) -> serde_json::Value {
    let out = Command::new(common::BIN)
        .args([
            "eval",
            "topics",
            "--labels",
            "../shared/data/bbc-news/labels.csv",
        ])
        .args(["--texts", "../shared/data/bbc-news/articles"])
        .args(extra)
        .output()
        .expect("run newsd eval topics");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

#[test]
fn cross_validated_accuracy_reaches_the_target() {
    if !Path::new("../shared/data/bbc-news").is_dir() {
        eprintln!("skipping: ../shared/data/bbc-news is absent (outside the workplace)");
        return;
    }
    let cv = eval(&["--cv", "10"]);
    let accuracy = cv["accuracy"].as_f64().unwrap();
    let macro_f1 = cv["macro_f1"].as_f64().unwrap();
    eprintln!("10-fold: accuracy {accuracy:.4}, macro-F1 {macro_f1:.4}");
    assert_eq!(cv["articles"], 1925);
    assert!(accuracy >= 0.97, "accuracy {accuracy}");
    assert!(macro_f1 >= 0.97, "macro-F1 {macro_f1}");
    // The shipped model was trained on this folder: it must fit it.
    let shipped = eval(&[]);
    assert!(shipped["accuracy"].as_f64().unwrap() > 0.99);
}
