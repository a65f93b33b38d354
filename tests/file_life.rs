//! File life through the real daemon: drops, readiness, ignores, bad inputs, restarts.

mod common;

use std::collections::HashSet;
use std::io::Write;
use std::time::Duration;

use common::{Daemon, Layout, PATIENCE, article, assert_schema_valid, count_by_name, wait_until};

/// Drops `n` renamed-in files and checks each yields exactly one record and nothing is left behind.
fn drop_test(layout: &Layout, n: usize) {
    let daemon = Daemon::start(layout);
    for i in 0..n {
        layout.drop_renamed(&format!("a{i:05}.txt"), article(i).as_bytes());
    }
    let records = layout.wait_records(n);
    std::thread::sleep(Duration::from_millis(300));
    let records_after = layout.records();
    assert_eq!(records_after.len(), n, "no extra records appear");
    let counts = count_by_name(&records);
    assert_eq!(counts.len(), n);
    assert!(counts.values().all(|&c| c == 1));
    let ids: HashSet<&str> = records.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids.len(), n, "each distinct input has its own id");
    assert_schema_valid(&records);
    assert!(wait_until(PATIENCE, || Layout::entries(&layout.inbox).is_empty()));
    assert!(wait_until(PATIENCE, || Layout::entries(&layout.work).is_empty()));
    assert!(
        wait_until(PATIENCE, || layout.archived() == n),
        "every input archived"
    );
    let status = daemon.terminate(PATIENCE);
    assert!(status.success(), "exit status {status}");
}

#[test]
fn thousand_renamed_files_give_one_record_each() {
    let layout = Layout::new("");
    drop_test(&layout, 1000);
}

#[test]
fn poll_mode_passes_the_same_drop_test() {
    let layout = Layout::new("[inbox]\nwatch = \"poll\"\npoll_interval_ms = 100\n");
    drop_test(&layout, 300);
}

#[test]
fn file_written_in_place_in_chunks_yields_one_whole_record() {
    let layout = Layout::new("[inbox]\nsettle_ms = 2500\n");
    let daemon = Daemon::start(&layout);
    let text = article(7);
    let bytes = text.as_bytes();
    let chunk = bytes.len().div_ceil(5);
    // One writer keeps the file open across chunks; another reopens it for each chunk.
    let mut held = std::fs::File::create(layout.inbox.join("held.txt")).unwrap();
    for (k, part) in bytes.chunks(chunk).enumerate() {
        held.write_all(part).unwrap();
        held.flush().unwrap();
        let mut reopened = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(layout.inbox.join("reopened.txt"))
            .unwrap();
        reopened.write_all(part).unwrap();
        drop(reopened);
        if k < 4 {
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    drop(held);
    let records = layout.wait_records(2);
    std::thread::sleep(Duration::from_millis(1500));
    let records = if layout.records().len() > records.len() {
        layout.records()
    } else {
        records
    };
    assert_eq!(records.len(), 2, "exactly one record per file");
    for r in &records {
        assert_eq!(
            r["source"]["bytes"].as_u64(),
            Some(bytes.len() as u64),
            "{r}"
        );
        assert!(
            r["text"]
                .as_str()
                .unwrap()
                .trim_end()
                .ends_with("inland rail hubs."),
            "{r}"
        );
    }
    assert_schema_valid(&records);
    daemon.terminate(PATIENCE);
}

#[test]
fn dotfiles_and_temporary_names_wait_until_renamed() {
    let layout = Layout::new("");
    let daemon = Daemon::start(&layout);
    let temporaries = [
        ".hidden.txt",
        "story.txt.part",
        "story2.tmp",
        "page.crdownload",
        "draft~",
        ".draft.swp",
    ];
    for name in temporaries {
        std::fs::write(layout.inbox.join(name), article(1)).unwrap();
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        layout.records().is_empty(),
        "ignored names are not processed"
    );
    assert_eq!(
        Layout::entries(&layout.inbox).len(),
        4,
        "they stay in the inbox (dotfiles not listed)"
    );
    std::fs::rename(
        layout.inbox.join(".hidden.txt"),
        layout.inbox.join("hidden.txt"),
    )
    .unwrap();
    std::fs::rename(
        layout.inbox.join("story.txt.part"),
        layout.inbox.join("story.txt"),
    )
    .unwrap();
    let records = layout.wait_records(2);
    let names: HashSet<&str> = records
        .iter()
        .filter_map(|r| r["source"]["name"].as_str())
        .collect();
    assert_eq!(names, HashSet::from(["hidden.txt", "story.txt"]));
    daemon.terminate(PATIENCE);
}

#[test]
fn files_present_before_start_are_processed() {
    let layout = Layout::new("");
    std::fs::create_dir_all(&layout.inbox).unwrap();
    for i in 0..50 {
        std::fs::write(layout.inbox.join(format!("early{i}.txt")), article(i)).unwrap();
    }
    // Old enough to be past the settle time when the daemon's first scan sees them.
    std::thread::sleep(Duration::from_millis(300));
    let daemon = Daemon::start(&layout);
    let records = layout.wait_records(50);
    assert_eq!(count_by_name(&records).len(), 50);
    assert_schema_valid(&records);
    daemon.terminate(PATIENCE);
}

#[test]
fn sigterm_mid_burst_exits_zero_in_time_and_restart_completes_the_rest() {
    let layout = Layout::new("[daemon]\nshutdown_deadline_s = 5\n");
    let daemon = Daemon::start(&layout);
    let n = 1500;
    for i in 0..n {
        layout.drop_renamed(&format!("b{i:05}.txt"), article(i).as_bytes());
    }
    let started = std::time::Instant::now();
    let status = daemon.terminate(Duration::from_secs(30));
    assert!(status.success(), "exit status {status}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "stopped within the deadline"
    );
    let daemon = Daemon::start(&layout);
    layout.wait_records(n);
    std::thread::sleep(Duration::from_millis(300));
    let records = layout.records();
    let counts = count_by_name(&records);
    assert_eq!(counts.len(), n);
    assert!(
        counts.values().all(|&c| c == 1),
        "no duplicates after restart"
    );
    assert!(wait_until(PATIENCE, || Layout::entries(&layout.work).is_empty()));
    daemon.terminate(PATIENCE);
}

#[test]
fn second_instance_on_the_same_work_folder_is_refused() {
    let layout = Layout::new("");
    let daemon = Daemon::start(&layout);
    let out = std::process::Command::new(common::BIN)
        .args(["run", "--config"])
        .arg(&layout.config)
        .env_remove("NOTIFY_SOCKET")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another newsd instance"), "{err}");
    daemon.terminate(PATIENCE);
}

#[test]
fn near_duplicates_are_flagged_across_a_restart() {
    let layout = Layout::new("");
    let daemon = Daemon::start(&layout);
    let original = article(3);
    layout.drop_renamed("original.txt", original.as_bytes());
    let first = layout.wait_records(1);
    assert_eq!(first[0]["dedup"]["duplicate_of"], serde_json::Value::Null);
    let original_id = first[0]["id"].as_str().unwrap().to_string();
    assert_eq!(first[0]["dedup"]["cluster"], original_id.as_str());
    daemon.terminate(PATIENCE);

    // After a restart the index still knows the original: a rewrite with a new
    // headline and a changed word is flagged, a different story is not.
    let daemon = Daemon::start(&layout);
    let rewrite = original
        .replace(
            "Harbour cranes idle as strike enters day 3",
            "Port strike drags on",
        )
        .replace("unlawful", "illegal");
    layout.drop_renamed("rewrite.txt", rewrite.as_bytes());
    layout.drop_renamed(
        "other.txt",
        b"Council approves new cycle lanes\n\nThe city council voted on Monday to build \
          twelve kilometres of protected cycle lanes across the centre, after a year of \
          consultation with residents and shop owners who feared losing parking spaces.\n",
    );
    let records = layout.wait_records(3);
    let by_name = |n: &str| {
        records
            .iter()
            .find(|r| r["source"]["name"] == n)
            .unwrap()
            .clone()
    };
    let rw = by_name("rewrite.txt");
    assert_eq!(
        rw["dedup"]["duplicate_of"],
        original_id.as_str(),
        "{}",
        rw["dedup"]
    );
    assert_eq!(rw["dedup"]["cluster"], original_id.as_str());
    assert!(rw["dedup"]["similarity"].as_f64().unwrap() > 0.45);
    let other = by_name("other.txt");
    assert_eq!(other["dedup"]["duplicate_of"], serde_json::Value::Null);
    assert!(
        layout.dir.path().join("var/state/dedup.idx").is_file(),
        "the index persists in the state folder"
    );
    assert_schema_valid(&records);
    daemon.terminate(PATIENCE);
}
