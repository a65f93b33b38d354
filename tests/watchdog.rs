//! systemd integration: the watchdog is pinged only while the pipeline makes progress,
//! and a stuck outbox (disk full) loses nothing.

mod common;

use std::time::Duration;

use common::{Daemon, Layout, PATIENCE, article, wait_until};

#[test]
fn watchdog_stops_when_the_outbox_cannot_be_written_and_nothing_is_lost() {
    let layout = Layout::new("[daemon]\nstall_timeout_s = 1\nshutdown_deadline_s = 2\n");
    // A full disk, for real: every write to /dev/full fails with ENOSPC.
    std::fs::create_dir_all(layout.outbox.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink("/dev/full", &layout.outbox).unwrap();
    let mut daemon = Daemon::start_with_env(&layout, &[("WATCHDOG_USEC", "200000")]);
    let idle = daemon.collect_notify(Duration::from_millis(800));
    let pings = idle.iter().filter(|m| *m == "WATCHDOG=1").count();
    assert!(pings >= 3, "idle daemon pings the watchdog: {idle:?}");

    layout.drop_renamed("stuck.txt", article(1).as_bytes());
    assert!(wait_until(PATIENCE, || daemon
        .log_text()
        .contains("cannot write outbox")));
    // Past the stall timeout, the pings stop.
    std::thread::sleep(Duration::from_millis(1500));
    daemon.collect_notify(Duration::from_millis(20)); // discard what queued up meanwhile
    let stalled = daemon.collect_notify(Duration::from_millis(1000));
    assert!(
        !stalled.iter().any(|m| m == "WATCHDOG=1"),
        "no pings while stalled: {stalled:?}"
    );
    assert!(daemon.log_text().contains("pipeline stalled"));

    // SIGTERM with the writer stuck: exit 0 by the deadline, the input kept in work/.
    let status = daemon.terminate(Duration::from_secs(20));
    assert!(status.success(), "{status}");
    assert_eq!(
        Layout::entries(&layout.work).len(),
        1,
        "the input waits in work/"
    );

    // Disk space is back: the next start writes its record.
    std::fs::remove_file(&layout.outbox).unwrap();
    let daemon = Daemon::start(&layout);
    let records = layout.wait_records(1);
    assert_eq!(records[0]["source"]["name"], "stuck.txt");
    assert!(wait_until(PATIENCE, || Layout::entries(&layout.work).is_empty()));
    daemon.terminate(PATIENCE);
}
