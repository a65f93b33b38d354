//! Golden output for the sample articles in `seeds/`: `newsd process` on each seed must
//! give the stable part of the record stored in `seeds/expected/<stem>.json`.
//! After an intended change, regenerate with `NEWSD_BLESS=1 cargo test --test seeds`
//! and review the diff.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{BIN, assert_schema_valid};
use serde_json::{Value, json};

/// The parts of a record that depend only on the input and the pipeline.
fn stable(record: &Value) -> Value {
    let round = |v: &Value| (v.as_f64().unwrap_or(f64::NAN) * 1000.0).round() / 1000.0;
    let keywords: Vec<Value> = record["keywords"]
        .as_array()
        .map(|ks| {
            ks.iter()
                .map(|k| json!({"text": k["text"], "score": round(&k["score"])}))
                .collect()
        })
        .unwrap_or_default();
    let r = &record["scores"]["readability"];
    json!({
        "id": record["id"],
        "title": record["title"],
        "text": record["text"],
        "text_stats": record["text_stats"],
        "entities": record["entities"],
        "keywords": keywords,
        "readability": {
            "flesch_reading_ease": round(&r["flesch_reading_ease"]),
            "flesch_kincaid_grade": round(&r["flesch_kincaid_grade"]),
            "syllables": r["syllables"],
        },
        "removed_lines": record["removed_lines"],
        "published_at": record["published_at"],
        "dates": record["dates"],
        "quotes": record["quotes"],
        "amounts": record["amounts"],
        "topics": {
            "label": record["topics"]["label"],
            "taxonomy": record["topics"]["taxonomy"].as_array().map(|ts| ts.iter().map(|t| t["name"].clone()).collect::<Vec<_>>()),
        },
        "dedup_fingerprint": record["dedup"]["fingerprint"],
        "warnings": record["warnings"],
    })
}

fn seeds() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("seeds")
        .expect("seeds/ folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

/// Publication time the seeds are pinned to (their files' mtime), so relative dates
/// resolve the same way on every run: Tuesday 2025-05-06 08:00 UTC, the seed's week.
const PUBLISHED: u64 = 1_746_518_400;

fn process(seed: &Path) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(seed.file_name().unwrap());
    std::fs::copy(seed, &copy).unwrap();
    let f = std::fs::File::options().write(true).open(&copy).unwrap();
    f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(PUBLISHED))
        .unwrap();
    drop(f);
    let out = Command::new(BIN)
        .args(["process", "--config", "config/newsd.toml"])
        .arg(&copy)
        .env_remove("RUST_LOG")
        .output()
        .expect("run newsd process");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON record")
}

#[test]
fn seeds_match_their_expected_output() {
    let seeds = seeds();
    assert!(!seeds.is_empty());
    for seed in seeds {
        let record = process(&seed);
        assert_schema_valid(std::slice::from_ref(&record));
        let got = stable(&record);
        let stem = seed.file_stem().unwrap().to_string_lossy().into_owned();
        let expected_path = Path::new("seeds/expected").join(format!("{stem}.json"));
        if std::env::var_os("NEWSD_BLESS").is_some() {
            let mut text = serde_json::to_string_pretty(&got).unwrap();
            text.push('\n');
            std::fs::write(&expected_path, text).unwrap();
            continue;
        }
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
        )
        .unwrap();
        assert_eq!(
            got,
            expected,
            "{} differs from {}",
            seed.display(),
            expected_path.display()
        );
    }
}

#[test]
fn the_seed_record_excludes_the_read_also_line() {
    let record = process(Path::new("seeds/xi-jinping-russia-visit.txt"));
    let text = record["text"].as_str().unwrap();
    assert!(!text.contains("READ ALSO"), "{text}");
    assert!(!text.contains("Alien Enemies Act"));
    assert!(
        text.contains("Power of Siberia 2"),
        "the rest of the article is kept"
    );
    let removed = record["removed_lines"].as_array().unwrap();
    assert_eq!(removed.len(), 1);
    assert!(
        removed[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("READ ALSO:")
    );
    assert_eq!(record["text_stats"]["sentences"], 13);
    assert_eq!(record["text_stats"]["paragraphs"], 13);
}

#[test]
fn the_seed_dates_quotes_and_amounts_resolve_against_its_publication_day() {
    let record = process(Path::new("seeds/xi-jinping-russia-visit.txt"));
    let dates = record["dates"].as_array().unwrap();
    let value = |text: &str| {
        dates
            .iter()
            .find(|d| d["text"] == text)
            .unwrap_or_else(|| panic!("no date {text}: {dates:?}"))["value"]
            .clone()
    };
    assert_eq!(value("Wednesday"), "2025-05-07");
    assert_eq!(value("Friday"), "2025-05-09", "'will join' looks ahead");
    assert_eq!(value("80th anniversary"), "2025");
    let anniversary = dates
        .iter()
        .find(|d| d["text"] == "80th anniversary")
        .unwrap();
    assert_eq!(anniversary["event_year"], 1945);
    let quotes: Vec<&str> = record["quotes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["text"].as_str().unwrap())
        .collect();
    assert_eq!(quotes, ["no limits", "exceptionalism"]);
    // Offsets are characters of `text`.
    let text: Vec<char> = record["text"].as_str().unwrap().chars().collect();
    let q = &record["quotes"][0];
    let (s, e) = (
        q["start"].as_u64().unwrap() as usize,
        q["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(text[s..e].iter().collect::<String>(), "no limits");
}
