//! The outbox as its readers see it: `tail -F` across rotations, retention.

mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Daemon, Layout, PATIENCE, article, assert_schema_valid, wait_until};

#[test]
fn tail_follower_started_first_sees_every_record_once_across_rotations() {
    // retain = 0 keeps every rotated file, so the test can count what was written.
    // A few records per file: any follower loses records when files rotate faster than
    // it reads (it reopens the newest name), so the drops below are paced like a feed.
    let layout = Layout::new("[outbox]\nrotate_bytes = 20000\nretain = 0\n");
    let tail_out = layout.dir.path().join("tail.out");
    // The daemon creates the outbox at start; the follower starts before any record.
    // (GNU tail follows with inotify only if the file exists when it starts; the
    // packaged tmpfiles entry creates it at install time for that reason.)
    let daemon = Daemon::start(&layout);
    assert!(layout.outbox.exists());
    let mut tail = Command::new("tail")
        .args(["-n", "+1", "-F"])
        .arg(&layout.outbox)
        .stdout(std::fs::File::create(&tail_out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("tail is installed (coreutils)");
    std::thread::sleep(Duration::from_millis(300));
    let n = 300;
    for i in 0..n {
        layout.drop_renamed(&format!("t{i:04}.txt"), article(i).as_bytes());
        std::thread::sleep(Duration::from_millis(10));
    }
    let records = layout.wait_records(n);
    assert!(
        layout.outbox_files().len() > 10,
        "the outbox rotated many times"
    );
    let seen = || {
        std::fs::read_to_string(&tail_out)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with('{'))
            .count()
    };
    let ok = wait_until(PATIENCE, || seen() >= n);
    std::thread::sleep(Duration::from_millis(500));
    let _ = tail.kill();
    let _ = tail.wait();
    assert!(ok, "tail saw {} of {n} records", seen());
    let text = std::fs::read_to_string(&tail_out).unwrap();
    let mut per_claim: HashMap<String, usize> = HashMap::new();
    for line in text.lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("tail saw a torn line: {e}: {line:.120}"));
        *per_claim
            .entry(v["source"]["claim"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert_eq!(per_claim.len(), n, "every record seen");
    assert!(per_claim.values().all(|&c| c == 1), "none seen twice");
    assert_schema_valid(&records);
    daemon.terminate(PATIENCE);
}

#[test]
fn retention_keeps_only_the_newest_rotated_files() {
    let layout = Layout::new("[outbox]\nrotate_bytes = 3000\nretain = 3\n");
    let daemon = Daemon::start(&layout);
    for i in 0..60 {
        layout.drop_renamed(&format!("r{i:03}.txt"), article(i).as_bytes());
    }
    assert!(wait_until(PATIENCE, || layout.archived() == 60));
    // Rotation and pruning follow the release of the batch's inputs.
    let ok = wait_until(PATIENCE, || layout.outbox_files().len() == 4);
    let files = layout.outbox_files();
    assert!(ok, "3 rotated + current: {files:?}");
    // What remains is the newest records, in order, whole.
    let records = layout.records();
    assert!(!records.is_empty());
    let last = records.last().unwrap()["source"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(last.starts_with('r'));
    daemon.terminate(PATIENCE);
}
