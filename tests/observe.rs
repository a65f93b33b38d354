//! Observability through the real binary: the Prometheus endpoint counts what
//! happened, `/healthz` and `/readyz` answer (and readiness drops while the writer is
//! stuck), and `newsd status` tells a running daemon from a stopped or killed one.

mod common;

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

use common::{
    BIN, Daemon, Layout, METRICS_ON, PATIENCE, article, http_get, parse_metrics, wait_until,
};

fn scrape(addr: &str) -> HashMap<String, f64> {
    let (code, head, body) = http_get(addr, "/metrics");
    assert_eq!(code, 200, "{head}");
    assert!(body.ends_with("# EOF\n"), "OpenMetrics ends with # EOF");
    parse_metrics(&body)
}

fn get(m: &HashMap<String, f64>, series: &str) -> f64 {
    *m.get(series)
        .unwrap_or_else(|| panic!("no series {series}; have {:?}", m.keys()))
}

#[test]
fn metrics_count_files_failures_bytes_and_stage_times() {
    // Rotating at any size: every batch of records rotates the outbox.
    let layout = Layout::new(&format!("{METRICS_ON}[outbox]\nrotate_bytes = 1\n"));
    let daemon = Daemon::start(&layout);
    let addr = layout.metrics_addr();
    assert_eq!(http_get(&addr, "/healthz").0, 200);
    assert_eq!(
        http_get(&addr, "/readyz").0,
        200,
        "ready once READY=1 was sent"
    );

    // Two distinct stories (the fixture's `article(i)` are near-duplicates of each other).
    let seed = |name: &str| {
        std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("seeds")
                .join(name),
        )
        .unwrap()
    };
    let first = seed("bbc-gibraltar-talks.txt");
    let inputs: [(&str, Vec<u8>); 5] = [
        ("a.txt", first.clone()),
        ("b.txt", seed("bbc-illva-changyu-wine.txt")),
        // A byte-identical copy under another name: a duplicate.
        ("a-copy.txt", first),
        ("blob.bin", vec![0u8, 1, 2, 3, 0, 0, 7, 0xff, 0xfe, 0]),
        ("empty.txt", Vec::new()),
    ];
    for (name, bytes) in &inputs {
        layout.drop_renamed(name, bytes);
    }
    layout.wait_records(3);
    let mut m = HashMap::new();
    let settled = wait_until(PATIENCE, || {
        m = scrape(&addr);
        m.get("newsd_files_processed_total") == Some(&3.0)
            && m.get("newsd_files_failed_total{reason=\"empty\"}") == Some(&1.0)
            && m.get("newsd_files_failed_total{reason=\"binary\"}") == Some(&1.0)
    });
    assert!(settled, "counters never settled: {m:?}");

    assert_eq!(get(&m, "newsd_files_seen_total"), 5.0);
    assert_eq!(get(&m, "newsd_files_claimed_total"), 5.0);
    assert_eq!(get(&m, "newsd_records_total"), 3.0);
    assert_eq!(get(&m, "newsd_duplicates_total"), 1.0);
    assert_eq!(get(&m, "newsd_in_flight"), 0.0);
    assert_eq!(get(&m, "newsd_ready"), 1.0);
    let bytes_in: usize = inputs.iter().map(|(_, b)| b.len()).sum();
    assert_eq!(get(&m, "newsd_input_bytes_total"), bytes_in as f64);
    let files = layout.outbox_files();
    let outbox_len: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    assert_eq!(get(&m, "newsd_output_bytes_total"), outbox_len as f64);
    assert_eq!(
        get(&m, "newsd_alerts_total"),
        0.0,
        "so the alerts file never rotates"
    );
    let rotated = files.len() - 1;
    assert!(rotated >= 1, "{files:?}");
    assert_eq!(get(&m, "newsd_outbox_rotations_total"), rotated as f64);
    for stage in ["tokenize", "extract", "score"] {
        let count = get(
            &m,
            &format!("newsd_stage_seconds_count{{stage=\"{stage}\"}}"),
        );
        assert_eq!(count, 3.0, "{stage}");
        let inf = get(
            &m,
            &format!("newsd_stage_seconds_bucket{{le=\"+Inf\",stage=\"{stage}\"}}"),
        );
        assert_eq!(inf, count, "{stage}: +Inf bucket holds every observation");
        assert!(get(&m, &format!("newsd_stage_seconds_sum{{stage=\"{stage}\"}}")) > 0.0);
    }
    // The records' own timings agree with the histogram sums (to the microsecond).
    let records = layout.records();
    let extract_us: u64 = records
        .iter()
        .map(|r| r["timings_us"]["extract"].as_u64().unwrap())
        .sum();
    let extract_sum = get(&m, "newsd_stage_seconds_sum{stage=\"extract\"}");
    assert!(
        (extract_sum - extract_us as f64 / 1e6).abs() < 1e-6,
        "{extract_sum} vs {extract_us} us"
    );
    assert_eq!(get(&m, "newsd_drop_to_record_seconds_count"), 3.0);
    assert_eq!(
        get(&m, "newsd_drop_to_record_seconds_bucket{le=\"+Inf\"}"),
        3.0
    );
    assert!(get(&m, "newsd_drop_to_record_seconds_sum") > 0.0);
    assert_eq!(get(&m, "newsd_claim_to_record_seconds_count"), 3.0);
    assert!(
        m.keys().any(|k| k.starts_with("newsd_build_info{")
            && k.contains(&format!("version=\"{}\"", env!("CARGO_PKG_VERSION")))),
        "build info"
    );
    assert!(get(&m, "newsd_start_time_seconds") > 1.6e9);

    // The failed folder agrees with the reasons counted.
    let failed = Layout::entries(&layout.failed);
    assert!(failed.contains(&"blob.bin".to_string()), "{failed:?}");
    assert!(failed.contains(&"empty.txt".to_string()), "{failed:?}");

    // The status file carries the same totals.
    assert!(wait_until(
        PATIENCE,
        || layout.status()["totals"]["processed"] == 3
    ));
    let status = layout.status();
    assert_eq!(status["failed_by_reason"]["binary"], 1, "{status}");
    assert_eq!(status["totals"]["failed"], 2, "{status}");
    assert_eq!(status["listen"], addr.as_str());

    let code = daemon.terminate(PATIENCE);
    assert!(code.success());
}

#[test]
fn readyz_fails_while_the_writer_is_stuck_and_status_shows_the_error() {
    let layout = Layout::new(&format!(
        "{METRICS_ON}[daemon]\nstall_timeout_s = 1\nshutdown_deadline_s = 2\n"
    ));
    // A full disk: every write to /dev/full fails with ENOSPC.
    std::fs::create_dir_all(layout.outbox.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/full", &layout.outbox).unwrap();
    let daemon = Daemon::start(&layout);
    let addr = layout.metrics_addr();
    assert_eq!(http_get(&addr, "/readyz").0, 200);
    layout.drop_renamed("stuck.txt", article(1).as_bytes());
    assert!(
        wait_until(PATIENCE, || http_get(&addr, "/readyz").0 == 503),
        "readyz turns 503 once the writer is stalled; log:\n{}",
        daemon.log_text()
    );
    assert_eq!(http_get(&addr, "/healthz").0, 200, "still alive");
    assert!(wait_until(PATIENCE, || layout.status()["stalled"] == true));
    let out = status_command(&layout);
    assert_eq!(out.0, Some(0), "{}", out.1);
    assert!(
        out.1.contains("ready:        no (writer stalled)"),
        "{}",
        out.1
    );
    assert!(out.1.contains("cannot write outbox"), "{}", out.1);
    assert!(out.1.contains("1 in flight"), "{}", out.1);
    daemon.terminate(Duration::from_secs(20));
}

/// Runs `newsd status`: (exit code, stdout).
fn status_command(layout: &Layout) -> (Option<i32>, String) {
    let out = Command::new(BIN)
        .args(["status", "--config"])
        .arg(&layout.config)
        .current_dir(layout.dir.path())
        .output()
        .expect("run newsd status");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn status_tells_running_from_stopped_and_killed() {
    let layout = Layout::new("");
    let (code, text) = status_command(&layout);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("not running (no status file"), "{text}");

    let daemon = Daemon::start(&layout);
    let pid = daemon.pid();
    layout.drop_renamed("one.txt", article(1).as_bytes());
    layout.wait_records(1);
    // A file the daemon leaves alone is not backlog; a dotfile is not either.
    std::fs::write(layout.inbox.join(".hidden"), "x").unwrap();
    let mut text = String::new();
    let ok = wait_until(PATIENCE, || {
        let (code, out) = status_command(&layout);
        text = out;
        code == Some(0) && text.contains("totals:       1 processed")
    });
    assert!(ok, "{text}");
    assert!(text.contains(&format!("pid {pid}")), "{text}");
    assert!(text.contains("running (watching the inbox)"), "{text}");
    assert!(text.contains("0 waiting, 0 in flight"), "{text}");
    assert!(text.contains("ready:        yes"), "{text}");
    assert!(text.contains("last minute:"), "{text}");
    assert!(text.contains("last error:   none"), "{text}");
    let outbox = &layout.outbox;
    let size = std::fs::metadata(outbox).unwrap().len();
    assert!(
        text.contains(&format!("outbox:       {}", outbox.display())),
        "{text}"
    );
    assert!(size > 0);
    assert!(!text.contains("listening:"), "metrics are off by default");

    assert!(daemon.terminate(PATIENCE).success());
    let (code, text) = status_command(&layout);
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("not running (stopped"), "{text}");
    assert!(text.contains("1 processed"), "{text}");

    // Killed without a chance to say so: the pid is gone.
    let daemon = Daemon::start(&layout);
    let pid = daemon.pid();
    assert!(wait_until(PATIENCE, || layout.status()["pid"] == pid));
    daemon.kill9();
    let (code, text) = status_command(&layout);
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains(&format!("pid {pid} is gone without a clean shutdown")),
        "{text}"
    );
}
