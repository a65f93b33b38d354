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

/// Group commit: with the longest commit delay, every input is still released once
/// its record is written and nothing else is being processed, and a stop does not wait
/// for the shutdown deadline.
#[test]
fn a_long_commit_delay_still_releases_every_input_and_stops_at_once() {
    let layout =
        Layout::new("[outbox]\ncommit_delay_ms = 1000\n[daemon]\nshutdown_deadline_s = 120\n");
    let daemon = Daemon::start(&layout);
    let n = 40;
    for i in 0..n {
        layout.drop_renamed(&format!("g{i:03}.txt"), article(i).as_bytes());
    }
    assert!(wait_until(PATIENCE, || layout.archived() == n));
    let records = layout.records();
    assert_eq!(records.len(), n, "one record per input");
    assert_schema_valid(&records);
    assert!(
        Layout::entries(&layout.work).is_empty(),
        "nothing left in work/"
    );
    // Idle, the writer holds nothing back: SIGTERM ends the daemon well before the
    // 120 s deadline (a writer spinning on its closed channel would run into it).
    let started = std::time::Instant::now();
    let status = daemon.terminate(PATIENCE);
    assert!(status.success(), "exit status {status}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "stopped long before the deadline: {:?}",
        started.elapsed()
    );
}

#[test]
fn watchlist_hits_raise_priority_and_alerts_go_to_their_own_file() {
    let layout = Layout::new(
        "[[pipeline.score.watchlist]]\ntext = \"Power of Siberia\"\nweight = 1.0\n\
         [[pipeline.score.watchlist]]\ntext = \"sanctions\"\nweight = 0.5\n",
    );
    let daemon = Daemon::start(&layout);
    let seed = std::fs::read("seeds/xi-jinping-russia-visit.txt").unwrap();
    layout.drop_renamed("seed.txt", &seed);
    layout.drop_renamed("strike.txt", article(1).as_bytes());
    let records = layout.wait_records(2);
    let seed_rec = records
        .iter()
        .find(|r| r["source"]["name"] == "seed.txt")
        .unwrap();
    let hits = seed_rec["watchlist"].as_array().unwrap();
    let pos = hits
        .iter()
        .find(|h| h["text"] == "Power of Siberia")
        .expect("hit");
    assert_eq!(pos["count"], 1);
    let m = &pos["mentions"][0];
    let text: Vec<char> = seed_rec["text"].as_str().unwrap().chars().collect();
    let (s, e) = (
        m["start"].as_u64().unwrap() as usize,
        m["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(
        text[s..e].iter().collect::<String>(),
        "Power of Siberia",
        "character offsets"
    );
    assert!(hits.iter().any(|h| h["text"] == "sanctions"));
    let p = seed_rec["priority"]["score"].as_f64().unwrap();
    assert!(p >= 0.6, "priority {p}");
    assert_eq!(seed_rec["priority"]["alert"], true);
    let other = records
        .iter()
        .find(|r| r["source"]["name"] == "strike.txt")
        .unwrap();
    assert_eq!(other["priority"]["alert"], false);
    assert!(other["priority"]["score"].as_f64().unwrap() < 0.6);
    // The alert is in the alerts file, once, and only the alert.
    let alerts_path = layout.outbox.parent().unwrap().join("alerts.ndjson");
    assert!(wait_until(PATIENCE, || std::fs::read_to_string(
        &alerts_path
    )
    .is_ok_and(|t| !t.is_empty())));
    let alerts: Vec<serde_json::Value> = std::fs::read_to_string(&alerts_path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["source"]["claim"], seed_rec["source"]["claim"]);
    assert_schema_valid(&records);
    daemon.terminate(PATIENCE);
}

#[test]
fn an_alert_written_before_a_crash_is_not_repeated() {
    let layout = Layout::new(
        "[[pipeline.score.watchlist]]\ntext = \"strike\"\nweight = 1.0\n[priority]\nalert_threshold = 0.2\n",
    );
    // A previous run wrote the alert, then died before the record.
    let claim = "19a0a0a0a00-0000abcd-7";
    let out_dir = layout.outbox.parent().unwrap();
    std::fs::create_dir_all(out_dir).unwrap();
    std::fs::create_dir_all(&layout.work).unwrap();
    std::fs::write(
        out_dir.join("alerts.ndjson"),
        format!("{{\"source\":{{\"name\":\"s.txt\",\"claim\":\"{claim}\"}}}}\n"),
    )
    .unwrap();
    std::fs::write(layout.work.join(format!("{claim}--s.txt")), article(4)).unwrap();
    let daemon = Daemon::start(&layout);
    let records = layout.wait_records(1);
    assert_eq!(records[0]["source"]["claim"], claim);
    assert_eq!(records[0]["priority"]["alert"], true);
    layout.drop_renamed("fresh.txt", article(5).as_bytes());
    layout.wait_records(2);
    let alerts = std::fs::read_to_string(out_dir.join("alerts.ndjson")).unwrap();
    assert_eq!(alerts.matches(claim).count(), 1, "not repeated: {alerts}");
    assert_eq!(alerts.lines().count(), 2, "the fresh alert is written");
    daemon.terminate(PATIENCE);
}
