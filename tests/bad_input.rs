//! Bad input never stops the daemon and is never lost: each kind ends in failed/ with
//! a machine-readable reason, and good files keep flowing.

mod common;

use std::os::unix::net::UnixListener;
use std::path::Path;
use std::time::Duration;

use common::{Daemon, Layout, PATIENCE, article, assert_schema_valid, wait_until};
use serde_json::Value;

fn sidecar(layout: &Layout, name: &str) -> Option<Value> {
    let text = std::fs::read_to_string(layout.failed.join(format!("{name}.error.json"))).ok()?;
    serde_json::from_str(&text).ok()
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo");
}

#[test]
fn each_bad_kind_ends_in_failed_with_its_reason() {
    let layout = Layout::new("[inbox]\nmax_bytes = 4096\n");
    let daemon = Daemon::start(&layout);
    let s = &layout.staging;

    // (name, expected reason); each is prepared in staging and renamed in.
    std::fs::write(s.join("empty.txt"), b"").unwrap();
    std::fs::write(s.join("blank.txt"), b"  \n\n\t\n").unwrap();
    std::fs::write(s.join("binary.bin"), b"PK\x03\x04\x00\x00binary\x00data").unwrap();
    std::fs::write(s.join("huge.txt"), vec![b'a'; 10_000]).unwrap();
    std::fs::create_dir(s.join("a-directory")).unwrap();
    std::fs::write(s.join("a-directory").join("inner.txt"), article(1)).unwrap();
    std::fs::write(layout.dir.path().join("target.txt"), article(2)).unwrap();
    std::os::unix::fs::symlink(layout.dir.path().join("target.txt"), s.join("link.txt")).unwrap();
    mkfifo(&s.join("pipe.txt"));
    let _listener = UnixListener::bind(s.join("sock.txt")).unwrap();
    let cases = [
        ("empty.txt", "empty"),
        ("blank.txt", "empty"),
        ("binary.bin", "binary"),
        ("huge.txt", "too_large"),
        ("a-directory", "directory"),
        ("link.txt", "symlink"),
        ("pipe.txt", "fifo"),
        ("sock.txt", "socket"),
    ];
    for (name, _) in cases {
        std::fs::rename(s.join(name), layout.inbox.join(name)).unwrap();
    }
    // A FIFO written in place (no rename) must not block the daemon either.
    mkfifo(&layout.inbox.join("inplace-fifo"));
    layout.drop_renamed("good.txt", article(3).as_bytes());

    for (name, reason) in cases.iter().chain([("inplace-fifo", "fifo")].iter()) {
        let ok = wait_until(PATIENCE, || sidecar(&layout, name).is_some());
        assert!(ok, "no sidecar for {name}; log:\n{}", daemon.log_text());
        let sc = sidecar(&layout, name).unwrap();
        assert_eq!(sc["reason"], *reason, "{name}: {sc}");
        assert_eq!(sc["schema"], "newsd.failure/1");
        assert_eq!(sc["newsd_version"], env!("CARGO_PKG_VERSION"));
        assert!(sc["time"].as_str().is_some_and(|t| t.ends_with('Z')));
        assert!(sc["message"].as_str().is_some_and(|m| !m.is_empty()));
        // The sidecar is written first, then the input is moved beside it.
        assert!(
            wait_until(PATIENCE, || std::fs::symlink_metadata(
                layout.failed.join(name)
            )
            .is_ok()),
            "{name} itself is kept in failed/"
        );
    }
    // The symlink was moved as a link, never followed: its target is untouched.
    let moved = std::fs::symlink_metadata(layout.failed.join("link.txt")).unwrap();
    assert!(moved.file_type().is_symlink());
    assert!(layout.dir.path().join("target.txt").exists());
    assert!(layout.failed.join("a-directory").join("inner.txt").exists());

    let records = layout.wait_records(1);
    assert_eq!(records.len(), 1, "only the good file gives a record");
    assert_eq!(records[0]["source"]["name"], "good.txt");
    assert_schema_valid(&records);
    assert!(Layout::entries(&layout.inbox).is_empty());
    assert!(wait_until(PATIENCE, || Layout::entries(&layout.work).is_empty()));

    // Still alive and working after all that.
    layout.drop_renamed("good2.txt", article(4).as_bytes());
    layout.wait_records(2);
    let status = daemon.terminate(PATIENCE);
    assert!(status.success());
}

#[test]
fn a_refused_name_dropped_twice_keeps_both_copies() {
    let layout = Layout::new("");
    let daemon = Daemon::start(&layout);
    layout.drop_renamed("same.txt", b"");
    assert!(wait_until(PATIENCE, || sidecar(&layout, "same.txt").is_some()));
    layout.drop_renamed("same.txt", b"\0\0\0");
    let ok = wait_until(PATIENCE, || Layout::entries(&layout.failed).len() == 4);
    assert!(ok, "{:?}", Layout::entries(&layout.failed));
    let names = Layout::entries(&layout.failed);
    let second = names
        .iter()
        .find(|n| n.starts_with("same.txt.") && !n.ends_with(".error.json"))
        .expect("second copy under a unique name");
    let sc = sidecar(&layout, second).expect("its own sidecar");
    assert_eq!(sc["reason"], "binary");
    assert_eq!(sidecar(&layout, "same.txt").unwrap()["reason"], "empty");
    std::thread::sleep(Duration::from_millis(100));
    daemon.terminate(PATIENCE);
}
