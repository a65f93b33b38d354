//! Several instances on one inbox: each claims different files (atomic renames into its
//! own work folder) and together they write each record once, also when one of them is
//! killed with SIGKILL mid-burst and started again.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Daemon, Layout, article, wait_until};

#[test]
fn two_instances_on_one_inbox_write_each_record_once() {
    let a = Layout::new("");
    let mut b = Layout::new("");
    b.inbox = a.inbox.clone();
    b.write_config("");
    let da = Daemon::start(&a);
    let db = Daemon::start(&b);
    const N: usize = 600;
    for i in 0..N {
        a.drop_renamed(&format!("s-{i}.txt"), article(i).as_bytes());
    }
    // Kill one mid-burst and start it again: its claimed files are in its own work
    // folder, and only it recovers them.
    assert!(
        wait_until(common::PATIENCE, || a.try_records().map_or(0, |r| r.len())
            >= 50),
        "a wrote nothing; log:\n{}",
        da.log_text()
    );
    da.kill9();
    let da = Daemon::start(&a);
    let total = || a.try_records().map_or(0, |r| r.len()) + b.try_records().map_or(0, |r| r.len());
    assert!(
        wait_until(Duration::from_secs(240), || total() >= N),
        "{} records; log a:\n{}\nlog b:\n{}",
        total(),
        da.log_text(),
        db.log_text()
    );
    std::thread::sleep(Duration::from_millis(500));
    let (ra, rb) = (a.records(), b.records());
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for r in ra.iter().chain(rb.iter()) {
        *by_name
            .entry(r["source"]["name"].as_str().unwrap_or("").to_string())
            .or_default() += 1;
    }
    assert_eq!(by_name.len(), N, "every file has a record");
    let twice: Vec<_> = by_name.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "records written twice: {twice:?}");
    assert!(
        !ra.is_empty() && !rb.is_empty(),
        "both did work: {} and {}",
        ra.len(),
        rb.len()
    );
    assert!(wait_until(Duration::from_secs(30), || a.archived()
        + b.archived()
        == N));
    assert!(Layout::entries(&a.inbox).is_empty());
    eprintln!("instance a wrote {}, b wrote {}", ra.len(), rb.len());
    da.terminate(Duration::from_secs(30));
    db.terminate(Duration::from_secs(30));
}
