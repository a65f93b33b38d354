//! `newsd bench` runs the real daemon over a corpus and reports what it measured.
//! Nothing here asserts a speed (machines differ): only that every file is counted,
//! the report is well formed, and the settings given reach the daemon.

mod common;

use std::process::Command;

use common::BIN;
use serde_json::Value;

/// A corpus of `n` short articles.
fn corpus(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for i in 0..n {
        let text = format!(
            "Harbour reopens {i}\n\nThe harbour in Dover reopened on Monday after storm \
             number {i} closed it, officials said.\n"
        );
        std::fs::write(dir.path().join(format!("a{i:03}.txt")), text).expect("write");
    }
    dir
}

fn bench(corpus: &std::path::Path, work: &std::path::Path, extra: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args([
            "bench",
            "--scenario",
            "throughput",
            "--runs",
            "1",
            "--corpus",
        ])
        .arg(corpus)
        .arg("--workdir")
        .arg(work)
        .args(extra)
        .env_remove("RUST_LOG")
        .output()
        .expect("run newsd bench")
}

#[test]
fn throughput_counts_every_file_with_the_stages_given() {
    let files = corpus(12);
    let scratch = tempfile::tempdir().expect("tempdir");
    for stages in [&[][..], &["--stages", "clean"][..]] {
        let work = scratch.path().join("work");
        let out = bench(files.path(), &work, stages);
        assert!(
            out.status.success(),
            "{stages:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        let run = &lines.first().expect("a run line")["result"];
        assert_eq!(run["articles"], 12, "{stages:?}: {run}");
        assert!(
            run["articles_per_s"].as_f64().is_some_and(|r| r > 0.0),
            "{run}"
        );
        assert!(
            run["cpu_ms_per_article"].as_f64().is_some_and(|c| c > 0.0),
            "{run}"
        );
        let summary = lines.last().expect("a summary line");
        assert_eq!(summary["runs"], 1, "{summary}");
    }
}

#[test]
fn an_unknown_stage_is_refused_by_name() {
    let files = corpus(2);
    let scratch = tempfile::tempdir().expect("tempdir");
    let out = bench(
        files.path(),
        &scratch.path().join("work"),
        &["--stages", "clean,tokenise"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // The daemon names the key's bad value; the bench stops at once rather than
    // waiting out its start-up limit.
    assert!(err.contains("tokenise"), "{err}");
    assert!(err.contains("exited before it was ready"), "{err}");
}
