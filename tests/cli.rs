//! The command line: help, version, check-config and process.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::{BIN, assert_schema_valid};

fn newsd(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run newsd")
}

#[test]
fn version_and_help_on_every_command() {
    let out = newsd(&["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("newsd {}", env!("CARGO_PKG_VERSION"))
    );
    for cmd in [
        &["--help"][..],
        &["run", "--help"],
        &["process", "--help"],
        &["check-config", "--help"],
    ] {
        let out = newsd(cmd);
        assert!(out.status.success(), "{cmd:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage: newsd"), "{cmd:?}: {text}");
        assert!(text.contains("--config"), "{cmd:?}: {text}");
    }
}

#[test]
fn completions_and_man_pages_come_from_the_command_line_definition() {
    for (shell, marker) in [
        ("bash", "_newsd()"),
        ("zsh", "#compdef newsd"),
        ("fish", "complete -c newsd"),
    ] {
        let out = newsd(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(marker), "{shell}: {text:.300}");
        // Every subcommand is completed.
        for sub in ["run", "process", "check-config", "bench", "eval", "train"] {
            assert!(text.contains(sub), "{shell} completes {sub}");
        }
    }
    let out = newsd(&["man"]);
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH newsd 1"),
        "{page:.300}"
    );
    assert!(
        page.contains("check\\-config"),
        "subcommands listed: {page:.2000}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = newsd(&["man", "--dir", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    for name in [
        "newsd.1",
        "newsd-run.1",
        "newsd-process.1",
        "newsd-eval-ner.1",
    ] {
        let text = std::fs::read_to_string(dir.path().join(name)).expect(name);
        assert!(text.contains(".SH SYNOPSIS"), "{name}");
    }
    let ner = std::fs::read_to_string(dir.path().join("newsd-eval-ner.1")).unwrap();
    assert!(
        ner.contains("conll"),
        "options of the subcommand are on its page"
    );
}

#[test]
fn check_config_prints_effective_settings() {
    let out = newsd(&["check-config", "--config", "config/newsd.toml"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("[inbox]"));
    assert!(text.contains("path = \"var/inbox\""));
}

#[test]
fn check_config_names_the_unknown_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[outbox]\nrotate_size = 10\n").unwrap();
    let out = newsd(&["check-config", "--config", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("outbox.rotate_size"), "{err}");
    assert!(err.contains("bad.toml"), "{err}");
}

#[test]
fn check_config_names_an_invalid_value() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "[pipeline]\nstages = [\"score\", \"tokenize\"]\n").unwrap();
    let out = newsd(&["check-config", "--config", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pipeline.stages[0]"), "{err}");
    assert!(err.contains("bad.toml"), "{err}");
}

#[test]
fn missing_config_file_is_an_error_naming_it() {
    let out = newsd(&["check-config", "--config", "/nonexistent/newsd.toml"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/newsd.toml"));
}

#[test]
fn process_reads_stdin_and_files_and_reports_failures() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.bin");
    std::fs::write(&bad, b"\0\0binary").unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, common::article(5)).unwrap();
    let mut child = Command::new(BIN)
        .args([
            "process",
            good.to_str().unwrap(),
            "-",
            bad.to_str().unwrap(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(common::article(6).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "one input failed");
    let records: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["source"]["name"], "good.txt");
    assert_eq!(records[1]["source"]["name"], "-");
    assert_schema_valid(&records);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.bin: binary:"), "{err}");
}

#[test]
fn process_shows_a_progress_bar_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut names = Vec::new();
    for i in 0..4 {
        let name = format!("a{i}.txt");
        std::fs::write(dir.path().join(&name), common::article(i)).unwrap();
        names.push(name);
    }
    // Piped: stderr is not a terminal, so no bar (and nothing else: all inputs are fine).
    let out = Command::new(BIN)
        .arg("process")
        .args(&names)
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);

    // On a terminal: util-linux `script` gives the command a pseudo-terminal and copies
    // what it shows to our stdout (records go to /dev/null, so that is the bar).
    let script = std::path::Path::new("/usr/bin/script");
    if !script.is_file() {
        println!("skipping the terminal half: no /usr/bin/script (util-linux)");
        return;
    }
    let cmd = format!("{BIN} process {} > /dev/null", names.join(" "));
    let out = Command::new(script)
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("/4 files"),
        "a bar on the terminal: {shown:?}"
    );
}
