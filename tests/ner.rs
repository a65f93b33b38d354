//! The shipped NER model, end to end: its CoNLL-2003 dev score through the real
//! binary (when the shared data is present), and the entities it finds in the seed
//! article after the pipeline's clean and tokenize stages.

mod common;

use std::path::Path;
use std::process::Command;

use common::BIN;
use newsd::document::Document;
use newsd::ner::{EntityLabel, Recognizer, find_entities};
use newsd::pipeline::Stage;
use newsd::pipeline::clean::{Clean, CleanConfig};
use newsd::pipeline::tokenize::{Tokenize, TokenizeConfig};

const MODEL: &str = "config/models/ner-en.bin";
const DEV: &str = "../shared/data/conll2003/dev.txt";

#[test]
fn shipped_model_reaches_f1_092_on_conll_dev() {
    if !Path::new(DEV).exists() {
        eprintln!("skipping: {DEV} is absent (the CoNLL-2003 data is not shipped with newsd)");
        return;
    }
    let out = Command::new(BIN)
        .args(["eval", "ner", "--conll", DEV, "--model", MODEL])
        .output()
        .expect("run newsd eval ner");
    assert!(
        out.status.success(),
        "newsd eval ner failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("eval prints one JSON object");
    let f1 = report["f1"].as_f64().expect("f1 field");
    assert!(f1 >= 0.92, "dev F1 {f1} < 0.92: {report}");
    for t in ["PER", "ORG", "LOC", "MISC"] {
        assert!(report["per_type"][t]["support"].as_u64().unwrap_or(0) > 0);
    }
    assert_eq!(report["tokens"], 51362);
}

/// The seed article through clean and tokenize, then the recogniser: (text, label).
fn seed_entities() -> Vec<(String, EntityLabel)> {
    let text = std::fs::read_to_string("seeds/xi-jinping-russia-visit.txt").expect("seed");
    let mut doc = Document::new(None, text);
    Clean::build(&CleanConfig::default())
        .expect("clean stage")
        .apply(&mut doc)
        .expect("clean");
    Tokenize::build(&TokenizeConfig::default())
        .expect("tokenize stage")
        .apply(&mut doc)
        .expect("tokenize");
    let recognizer = Recognizer::load(Path::new(MODEL)).expect("shipped model loads");
    find_entities(&doc, &recognizer)
        .into_iter()
        .map(|m| {
            assert!((0.0..=1.0).contains(&m.confidence));
            (doc.slice(m.span).to_string(), m.label)
        })
        .collect()
}

#[test]
fn seed_article_entities() {
    let found = seed_entities();
    let has = |text: &str, label: EntityLabel| found.iter().any(|(t, l)| t == text && *l == label);
    for name in ["Xi Jinping", "Vladimir Putin", "Maria Zakharova"] {
        assert!(has(name, EntityLabel::Per), "{name} as PER in {found:?}");
    }
    for place in ["Russia", "China", "Moscow", "Ukraine"] {
        assert!(has(place, EntityLabel::Loc), "{place} as LOC in {found:?}");
    }
    assert!(
        found.iter().any(|(t, _)| t == "Power of Siberia 2"),
        "Power of Siberia 2 as one entity in {found:?}"
    );
    assert!(
        has("Foreign Ministry", EntityLabel::Org),
        "Foreign Ministry as ORG in {found:?}"
    );
    assert!(
        !found.iter().any(|(t, _)| t.contains("Trump")),
        "the clean stage drops the Trump line: {found:?}"
    );
}
