//! The shipped part-of-speech model, end to end: its CoNLL-2003 dev accuracy through
//! the real binary (when the shared data is present), and sensible tags on a
//! sentence of news text from the built-in model.

mod common;

use std::path::Path;
use std::process::Command;

use common::BIN;

const DEV: &str = "../shared/data/conll2003/dev.txt";

#[test]
fn shipped_model_tags_conll_dev_at_095() {
    if !Path::new(DEV).exists() {
        println!("skipped: {DEV} is absent (the CoNLL-2003 data is not shipped with newsd)");
        return;
    }
    let out = Command::new(BIN)
        .args(["eval", "pos", "--conll", DEV])
        .output()
        .expect("run newsd eval pos");
    assert!(
        out.status.success(),
        "newsd eval pos failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("eval prints one JSON object");
    let accuracy = report["accuracy"].as_f64().expect("accuracy field");
    assert!(
        accuracy >= 0.953,
        "dev accuracy {accuracy} < 0.953: {report}"
    );
    assert_eq!(report["tokens"], 51362);
}

#[test]
fn builtin_model_tags_a_news_sentence() {
    let tagger = newsd::pos::builtin().expect("shipped model loads");
    let tokens = [
        "The", "new", "oil", "tanker", "spilled", "crude", "oil", "near", "Alaska", ".",
    ];
    let tags: Vec<&str> = tagger
        .tag(&tokens)
        .iter()
        .map(|&t| tagger.tag_names()[usize::from(t)].as_str())
        .collect();
    assert_eq!(tags[0], "DT");
    assert_eq!(tags[1], "JJ");
    assert!(
        tags[2].starts_with("NN") && tags[3].starts_with("NN"),
        "{tags:?}"
    );
    assert!(tags[4].starts_with("VB"), "{tags:?}");
    assert_eq!(tags[8], "NNP");
    assert_eq!(tags[9], ".");
}
