//! Differential test: newsd's VADER against the reference vaderSentiment 3.3.2 on the
//! shared human-rated texts (tweets, movie and Amazon review snippets, ~18,500).
//!
//! `.ci/run` installs the reference with pip. Where it or `../shared/data` is missing
//! (a fresh clone elsewhere), the test says why and passes without comparing.

use std::path::Path;
use std::process::Command;

use newsd::pipeline::score::vader::Vader;

const DATA: &str = "../shared/data/vader";
const FILES: [&str; 3] = [
    "tweets_GroundTruth.txt",
    "movieReviewSnippets_GroundTruth.txt",
    "amazonReviewSnippets_GroundTruth.txt",
];

fn texts(file: &Path) -> Vec<String> {
    let raw = std::fs::read_to_string(file).expect("ground truth readable");
    raw.trim_start_matches('\u{feff}')
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.splitn(3, '\t').nth(2).map(str::to_string))
        .collect()
}

#[test]
fn compound_agrees_with_the_reference_on_shared_ground_truth() {
    if !Path::new(DATA).is_dir() {
        eprintln!("skipping: {DATA} is absent (outside the workplace)");
        return;
    }
    let probe = Command::new("python3")
        .args(["-c", "import vaderSentiment.vaderSentiment"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "skipping: python3 with vaderSentiment 3.3.2 is not installed (.ci/run installs it)"
        );
        return;
    }
    let vader = Vader::builtin();
    let mut all = Vec::new();
    for f in FILES {
        all.extend(texts(&Path::new(DATA).join(f)));
    }
    assert!(all.len() > 18_000, "{} texts", all.len());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("texts.json");
    std::fs::write(&input, serde_json::to_vec(&all).unwrap()).unwrap();
    let out = Command::new("python3")
        .arg("tests/fixtures/vader_reference.py")
        .arg(&input)
        .output()
        .expect("run the reference");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reference: Vec<f64> = serde_json::from_slice(&out.stdout).expect("reference JSON");
    assert_eq!(reference.len(), all.len());
    let mut disagreements = Vec::new();
    for (text, want) in all.iter().zip(&reference) {
        let got = vader.polarity(text).compound;
        if (got - want).abs() > 1e-3 {
            disagreements.push(format!("{got:.4} vs {want:.4}: {text}"));
        }
    }
    let share = 1.0 - disagreements.len() as f64 / all.len() as f64;
    eprintln!(
        "agreement within 1e-3: {:.4}% of {} texts ({} differ)",
        share * 100.0,
        all.len(),
        disagreements.len()
    );
    for d in disagreements.iter().take(20) {
        eprintln!("  {d}");
    }
    assert!(share >= 0.999, "agreement {share:.5} below 99.9%");
}
