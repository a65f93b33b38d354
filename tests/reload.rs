//! SIGHUP: a changed setting takes effect; a broken file is refused and the daemon
//! keeps running on the old config.

mod common;

use common::{Daemon, Layout, PATIENCE, article, assert_schema_valid, wait_until};

#[test]
fn sighup_applies_a_changed_setting_and_refuses_a_broken_file() {
    let layout = Layout::new("");
    let daemon = Daemon::start(&layout);
    layout.drop_renamed("before.txt", article(1).as_bytes());
    let records = layout.wait_records(1);
    assert!(records[0]["text"].is_string(), "text included by default");

    // Change a live setting and a restart-only one.
    layout.write_config("[outbox]\ninclude_text = false\n[pipeline]\nconcurrency = 1\n");
    daemon.signal(libc::SIGHUP);
    assert!(
        wait_until(PATIENCE, || daemon
            .log_text()
            .contains("SIGHUP: config reloaded")),
        "log:\n{}",
        daemon.log_text()
    );
    assert!(
        daemon.log_text().contains("pipeline.concurrency"),
        "restart-only key named"
    );
    layout.drop_renamed("after.txt", article(2).as_bytes());
    let records = layout.wait_records(2);
    let after = records
        .iter()
        .find(|r| r["source"]["name"] == "after.txt")
        .unwrap();
    assert!(
        after.get("text").is_none(),
        "the new setting took effect: {after}"
    );

    // A broken file is refused; the running config (include_text = false) stays.
    std::fs::write(&layout.config, "[outbox\ninclude_text = true\n").unwrap();
    daemon.signal(libc::SIGHUP);
    assert!(wait_until(PATIENCE, || daemon
        .log_text()
        .contains("new config refused")));
    let mut daemon = daemon;
    assert!(daemon.is_running());
    layout.drop_renamed("broken.txt", article(3).as_bytes());
    let records = layout.wait_records(3);
    let broken = records
        .iter()
        .find(|r| r["source"]["name"] == "broken.txt")
        .unwrap();
    assert!(broken.get("text").is_none(), "old config kept: {broken}");
    assert_schema_valid(&records);
    let status = daemon.terminate(PATIENCE);
    assert!(status.success());
}

#[test]
fn json_logs_carry_one_span_per_article_with_id_and_path() {
    let layout = Layout::new("[log]\nformat = \"json\"\nlevel = \"newsd=debug\"\n");
    let daemon = Daemon::start(&layout);
    layout.drop_renamed("logged.txt", article(9).as_bytes());
    layout.wait_records(1);
    assert!(wait_until(PATIENCE, || daemon
        .log_text()
        .contains("record durable")));
    let log = daemon.log_text();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {e}: {l}")))
        .collect();
    let processed = lines
        .iter()
        .find(|v| v["fields"]["message"] == "processed")
        .expect("a per-article log line");
    let span = &processed["span"];
    assert_eq!(span["name"], "article");
    assert!(
        span["path"].as_str().unwrap().ends_with("inbox/logged.txt"),
        "{span}"
    );
    assert_eq!(span["id"].as_str().map(str::len), Some(32), "{span}");
    daemon.terminate(PATIENCE);
}
