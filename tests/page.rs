//! The live page in a real browser: headless Chromium loads it from the running
//! daemon, its script fetches the JSON and draws the articles; the test reads the DOM
//! after the script ran and keeps a screenshot in `target/test-artifacts/page.png`.
//! The outbox is set to leave the text out: the page shows it from its own memory.
//!
//! Skips, saying why, when Chromium is not installed (`.ci/run` installs it).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Daemon, Layout, METRICS_ON, PATIENCE, http_get, wait_until};

/// Chromium's binary: `$NEWSD_CHROMIUM`, else the Debian package's.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("NEWSD_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.is_file().then_some(path)
}

/// Runs headless Chromium on `url` with `args` added; returns stdout. Gives the page
/// ten seconds of virtual time, so its fetches finish and its script draws.
fn run_chromium(bin: &Path, url: &str, args: &[String]) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=10000",
            "--window-size=1280,1600",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let end = Instant::now() + PATIENCE;
    loop {
        if child.try_wait().expect("wait chromium").is_some() {
            break;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    reader.join().expect("reader").expect("chromium stdout")
}

/// An article whose text tries to inject markup into the page.
const HOSTILE: &str = "Port strike talks <i id=\"pwn-title\">stall</i> again\n\n\
    Union leader Maria Santos said the <img src=x onerror=\"document.body.dataset.pwned=1\"> \
    offer from Harbour Corp in Rotterdam was <script>document.body.dataset.pwned=2</script> \
    unacceptable, and that 5 < 6 && 7 > 2 still held for the dock workers who have walked \
    out for a week.\n\nThe operator said talks would resume on Monday in Rotterdam.\n";

#[test]
fn page_highlights_entities_after_its_script_runs() {
    let Some(bin) = chromium() else {
        println!(
            "skipping page test: no Chromium at /usr/bin/chromium (apt-get install chromium \
             chromium-driver, or set NEWSD_CHROMIUM)"
        );
        return;
    };
    // The outbox leaves the text out; the page still has it, from memory.
    let layout = Layout::new(&format!("{METRICS_ON}[outbox]\ninclude_text = false\n"));
    let daemon = Daemon::start(&layout);
    let addr = layout.metrics_addr();
    let seed = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/xi-jinping-russia-visit.txt"),
    )
    .expect("seed article");
    layout.drop_renamed("xi-jinping-russia-visit.txt", &seed);
    layout.drop_renamed("hostile.txt", HOSTILE.as_bytes());
    let records = layout.wait_records(2);
    assert!(
        records.iter().all(|r| r.get("text").is_none()),
        "no text in the outbox"
    );
    assert!(
        wait_until(PATIENCE, || http_get(&addr, "/api/recent")
            .2
            .contains("hostile.txt")),
        "both articles reach the page's list"
    );

    let url = format!("http://{addr}/");
    let dom = run_chromium(&bin, &url, &["--dump-dom".to_string()]);
    assert!(
        dom.contains("data-loaded=\"1\""),
        "the page script ran and drew:\n{dom:.3000}"
    );
    for (entity, kind) in [
        ("Xi Jinping", "PER"),
        ("Vladimir Putin", "PER"),
        ("Moscow", "LOC"),
        ("Maria Santos", "PER"),
    ] {
        let mark = format!(
            "<mark class=\"ent ent-{kind}\" title=\"{entity}\" data-type=\"{kind}\">{entity}<span class=\"label\">{kind}</span></mark>"
        );
        assert!(dom.contains(&mark), "{entity} as {kind} highlighted");
    }
    assert!(
        dom.contains("Top entities") && dom.contains("<svg"),
        "charts drawn"
    );
    // The hostile article shows as text; nothing in it became markup or ran.
    assert!(dom.contains("&lt;script&gt;document.body.dataset.pwned=2&lt;/script&gt;"));
    assert!(dom.contains("&lt;img src=x onerror="));
    assert!(!dom.contains("data-pwned"), "no injected script ran");
    assert!(!dom.contains("<i id=\"pwn-title\""), "no injected element");
    assert!(!dom.contains("<img"), "no injected image");
    assert!(
        dom.contains("&lt;i id=\"pwn-title\"&gt;"),
        "the title shows as text"
    );

    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let png = artifacts.join("page.png");
    let _ = std::fs::remove_file(&png);
    run_chromium(&bin, &url, &[format!("--screenshot={}", png.display())]);
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG"), "a PNG");
    assert!(
        bytes.len() > 20_000,
        "not a blank page: {} bytes",
        bytes.len()
    );
    println!("screenshot: {}", png.display());
    daemon.terminate(PATIENCE);
}
