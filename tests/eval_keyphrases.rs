//! `newsd eval keyphrases` on the shared keyphrase datasets, with each keyphrase
//! method. The default, PositionRank over noun phrases, must beat PositionRank's
//! published 0.286 on DUC-2001 (which is evaluated on only, never trained on); the
//! re-ranker trained on 500N-KPCrowd must beat YAKE's published 0.173 there. The
//! other two pairs are regression floors: each method is weak on the other
//! dataset's kind of gold phrase (see config/models/README.md). kptimes-sample (10
//! NYT articles, JSON Lines) is a smoke check of both. The datasets live
//! outside the repository (`../shared/data`); where they are absent the test says so
//! and passes.

mod common;

use std::path::Path;
use std::process::Command;

use common::BIN;
use serde_json::Value;

fn eval(dataset: &Path, config: &Path) -> Value {
    let out = Command::new(BIN)
        .args(["eval", "keyphrases", "--top", "10", "--dataset"])
        .arg(dataset)
        .arg("--config")
        .arg(config)
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
fn keyphrase_methods_hold_their_floors() {
    let data = Path::new("../shared/data");
    if !data.is_dir() {
        println!(
            "skipped: {} is absent (no evaluation datasets)",
            data.display()
        );
        return;
    }
    // The shipped config with the other keyphrase method.
    let dir = tempfile::tempdir().expect("tempdir");
    let ranker = dir.path().join("ranker.toml");
    let shipped = std::fs::read_to_string("config/newsd.toml").expect("shipped config");
    assert!(shipped.contains("keyphrase_method = \"positionrank\""));
    std::fs::write(
        &ranker,
        shipped.replace(
            "keyphrase_method = \"positionrank\"",
            "keyphrase_method = \"ranker\"",
        ),
    )
    .expect("write config");
    let shipped = Path::new("config/newsd.toml");
    for (name, config, floor, documents) in [
        ("duc2001", shipped, 0.30, 207),
        ("500n-kpcrowd", shipped, 0.12, 400),
        ("kptimes-sample", shipped, 0.10, 10),
        ("duc2001", ranker.as_path(), 0.08, 207),
        ("500n-kpcrowd", ranker.as_path(), 0.205, 400),
        ("kptimes-sample", ranker.as_path(), 0.05, 10),
    ] {
        let dir = data.join(name);
        if !dir.is_dir() {
            println!("skipped {name}: {} is absent", dir.display());
            continue;
        }
        let report = eval(&dir, config);
        println!("{name} ({}): {report}", config.display());
        let f1 = report["macro"]["f1"].as_f64().expect("macro f1");
        assert_eq!(report["documents"], documents, "{report}");
        assert_eq!(report["f1"], report["macro"]["f1"]);
        assert!(report["micro"]["f1"].as_f64().is_some_and(|f| f > 0.0));
        assert!(
            f1 > floor,
            "{name} ({}): F1@10 {f1:.4} is not above {floor}",
            config.display()
        );
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

/// `--texts` hands another system the documents, `--predictions` scores its answers:
/// perfect answers score 1, answers with a gap are refused with the document named.
#[test]
fn another_systems_keyphrases_are_scored_through_the_cli() {
    let data = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(data.path().join("keys")).expect("keys");
    std::fs::create_dir_all(data.path().join("docsutf8")).expect("docs");
    for (name, key, body) in [
        (
            "a",
            "oil spill\nwildlife\n",
            "Oil spill hits coast\nThe spill hurt wildlife.\n",
        ),
        (
            "b",
            "election\n",
            "Vote counted\nThe election ended on Sunday.\n",
        ),
    ] {
        std::fs::write(data.path().join(format!("keys/{name}.key")), key).expect("key");
        std::fs::write(data.path().join(format!("docsutf8/{name}.txt")), body).expect("doc");
    }
    let work = tempfile::tempdir().expect("tempdir");
    let texts = work.path().join("texts.jsonl");
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(BIN)
            .args(["eval", "keyphrases", "--dataset"])
            .arg(data.path())
            .args(args)
            .env_remove("RUST_LOG")
            .output()
            .expect("run newsd eval keyphrases")
    };
    let out = run(&["--texts".as_ref(), texts.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = std::fs::read_to_string(&texts)
        .expect("texts written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["name"], "a");
    assert_eq!(lines[0]["title"], "Oil spill hits coast");
    assert!(
        lines[1]["body"]
            .as_str()
            .is_some_and(|b| b.contains("election"))
    );

    let predictions = work.path().join("p.jsonl");
    std::fs::write(
        &predictions,
        "{\"name\":\"a\",\"keyphrases\":[\"Wildlife\",\"oil spills\"]}\n\
         {\"name\":\"b\",\"keyphrases\":[\"elections\"]}\n",
    )
    .expect("write");
    let out = run(&["--predictions".as_ref(), predictions.as_os_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(report["documents"], 2, "{report}");
    assert_eq!(report["f1"], 1.0, "{report}");

    std::fs::write(&predictions, "{\"name\":\"a\",\"keyphrases\":[]}\n").expect("write");
    let out = run(&["--predictions".as_ref(), predictions.as_os_str()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"b\""), "{err}");
}
