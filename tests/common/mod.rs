//! Shared fixture for integration tests: a temp folder layout, the real `newsd`
//! binary started on it, and helpers to drop files and read records.
#![allow(dead_code)]

use std::collections::HashMap;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

pub mod nats;

/// The `newsd` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_newsd");

/// How long any wait in a test may take before it fails (generous: CI machines are slow and shared).
pub const PATIENCE: Duration = Duration::from_secs(90);

/// A temp folder with inbox, work, failed, archive and outbox paths and a config file.
pub struct Layout {
    pub dir: tempfile::TempDir,
    pub inbox: PathBuf,
    pub work: PathBuf,
    pub failed: PathBuf,
    pub archive: PathBuf,
    pub outbox: PathBuf,
    /// Where files are written before being renamed into the inbox (same filesystem).
    pub staging: PathBuf,
    pub config: PathBuf,
}

impl Layout {
    /// A layout whose config sets the folders and then appends `extra` TOML, which may
    /// contain whole `[section]`s (sections named here must not repeat the path keys).
    pub fn new(extra: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let layout = Layout {
            inbox: root.join("inbox"),
            work: root.join("work"),
            failed: root.join("failed"),
            archive: root.join("archive"),
            outbox: root.join("outbox").join("articles.ndjson"),
            staging: root.join("staging"),
            config: root.join("newsd.toml"),
            dir,
        };
        std::fs::create_dir_all(&layout.staging).expect("staging");
        layout.write_config(extra);
        layout
    }

    /// (Re)writes the config file with the folder keys plus `extra`.
    pub fn write_config(&self, extra: &str) {
        let (inbox_extra, rest) = split_section(extra, "inbox");
        let (outbox_extra, rest) = split_section(&rest, "outbox");
        let settle = if inbox_extra.contains("settle_ms") {
            ""
        } else {
            "settle_ms = 200\n"
        };
        let log = if rest.contains("[log]") {
            ""
        } else {
            "[log]\nlevel = \"newsd=debug,info\"\n"
        };
        let text = format!(
            "[inbox]\npath = {:?}\n{settle}{inbox_extra}\n\
             [state]\nwork_dir = {:?}\nfailed_dir = {:?}\narchive_dir = {:?}\n\n\
             [outbox]\npath = {:?}\n{outbox_extra}\n\
             {log}\n{rest}\n",
            self.inbox, self.work, self.failed, self.archive, self.outbox
        );
        std::fs::write(&self.config, text).expect("write config");
    }

    /// Writes `content` to the staging folder, then renames it into the inbox as `name`.
    pub fn drop_renamed(&self, name: &str, content: &[u8]) {
        let tmp = self.staging.join(name);
        std::fs::write(&tmp, content).expect("write staging file");
        std::fs::create_dir_all(&self.inbox).expect("inbox");
        std::fs::rename(&tmp, self.inbox.join(name)).expect("rename into inbox");
    }

    /// Every record in the outbox and its rotated files, oldest file first.
    /// Panics on a line that is not a whole JSON object.
    pub fn records(&self) -> Vec<Value> {
        self.try_records()
            .unwrap_or_else(|file| panic!("{} does not end with a newline", file.display()))
    }

    /// Like [`Layout::records`], but `Err(file)` when a file does not end with a
    /// newline. While the daemon writes, that is expected now and then: one `write` of
    /// a record longer than a page can be seen half done by a concurrent reader.
    pub fn try_records(&self) -> Result<Vec<Value>, PathBuf> {
        let mut out = Vec::new();
        for file in self.outbox_files() {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if !(text.is_empty() || text.ends_with('\n')) {
                return Err(file);
            }
            for line in text.lines() {
                let v: Value = serde_json::from_str(line).unwrap_or_else(|e| {
                    panic!("torn or bad line in {}: {e}: {line:.200}", file.display())
                });
                out.push(v);
            }
        }
        Ok(out)
    }

    /// The current outbox file and its rotated siblings, rotated ones (oldest first) then current.
    pub fn outbox_files(&self) -> Vec<PathBuf> {
        let dir = self.outbox.parent().expect("outbox dir");
        let mut rotated: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        let n = p
                            .file_name()
                            .unwrap_or_default()
                            .to_string_lossy()
                            .into_owned();
                        n.starts_with("articles-") && n.ends_with(".ndjson")
                    })
                    .collect()
            })
            .unwrap_or_default();
        rotated.sort();
        if self.outbox.exists() {
            rotated.push(self.outbox.clone());
        }
        rotated
    }

    /// Waits until at least `n` records exist; returns them. A read that catches a
    /// record half written is retried (see [`Layout::try_records`]).
    pub fn wait_records(&self, n: usize) -> Vec<Value> {
        let mut last = Vec::new();
        let ok = wait_until(PATIENCE, || match self.try_records() {
            Ok(records) => {
                last = records;
                last.len() >= n
            }
            Err(_) => false,
        });
        assert!(ok, "timed out waiting for {n} records; have {}", last.len());
        last
    }

    /// Names of entries in a folder (ignoring dotfiles such as the instance lock).
    pub fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Counts archived files across the dated archive folders.
    pub fn archived(&self) -> usize {
        Self::entries(&self.archive)
            .iter()
            .map(|day| Self::entries(&self.archive.join(day)).len())
            .sum()
    }
}

/// Splits `[name]` body lines out of a TOML snippet, returning (body, rest).
fn split_section(toml: &str, name: &str) -> (String, String) {
    let header = format!("[{name}]");
    let mut body = String::new();
    let mut rest = String::new();
    let mut inside = false;
    for line in toml.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            inside = t == header;
            if inside {
                continue;
            }
        }
        if inside {
            body.push_str(line);
            body.push('\n');
        } else {
            rest.push_str(line);
            rest.push('\n');
        }
    }
    (body, rest)
}

/// Polls `cond` every 20 ms until it holds or `timeout` passes.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running `newsd run` process, acting as its service manager: it listens on a
/// `NOTIFY_SOCKET` and waits for `READY=1` like systemd would.
pub struct Daemon {
    pub child: Child,
    notify: UnixDatagram,
    _notify_dir: tempfile::TempDir,
    pub log: PathBuf,
}

impl Daemon {
    /// Starts the daemon on `layout` and waits until it reports READY.
    pub fn start(layout: &Layout) -> Daemon {
        Self::start_with_env(layout, &[])
    }

    /// Like [`Daemon::start`], with extra environment variables.
    pub fn start_with_env(layout: &Layout, env: &[(&str, &str)]) -> Daemon {
        let notify_dir = tempfile::tempdir().expect("notify dir");
        let sock = notify_dir.path().join("notify.sock");
        let notify = UnixDatagram::bind(&sock).expect("bind notify socket");
        notify
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let log = layout.dir.path().join(format!(
            "newsd-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos()
        ));
        let log_file = std::fs::File::create(&log).expect("log file");
        let child = Command::new(BIN)
            .arg("run")
            .arg("--config")
            .arg(&layout.config)
            .current_dir(layout.dir.path())
            .env("NOTIFY_SOCKET", &sock)
            .env_remove("RUST_LOG")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .expect("spawn newsd");
        let mut d = Daemon {
            child,
            notify,
            _notify_dir: notify_dir,
            log,
        };
        d.wait_notify("READY=1");
        d
    }

    /// Waits for a notify message containing `what`.
    pub fn wait_notify(&mut self, what: &str) {
        let end = Instant::now() + PATIENCE;
        let mut buf = [0u8; 4096];
        while Instant::now() < end {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("newsd exited early ({status}); log:\n{}", self.log_text());
            }
            if let Ok(n) = self.notify.recv(&mut buf) {
                let msg = String::from_utf8_lossy(&buf[..n]);
                if msg.lines().any(|l| l == what) {
                    return;
                }
            }
        }
        panic!("newsd never sent {what}; log:\n{}", self.log_text());
    }

    /// Notify messages received during `window` (one entry per datagram line).
    pub fn collect_notify(&mut self, window: Duration) -> Vec<String> {
        let end = Instant::now() + window;
        let mut buf = [0u8; 4096];
        let mut out = Vec::new();
        while Instant::now() < end {
            if let Ok(n) = self.notify.recv(&mut buf) {
                out.extend(String::from_utf8_lossy(&buf[..n]).lines().map(String::from));
            }
        }
        out
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: sending a signal to our own child process.
        let rc = unsafe { libc::kill(self.pid(), sig) };
        assert_eq!(rc, 0, "kill({sig}) failed");
    }

    /// Sends SIGTERM and waits for the exit, failing after `within`.
    pub fn terminate(mut self, within: Duration) -> ExitStatus {
        self.signal(libc::SIGTERM);
        self.wait_exit(within)
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        let end = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            if Instant::now() >= end {
                let _ = self.child.kill();
                panic!(
                    "newsd did not exit within {within:?}; log:\n{}",
                    self.log_text()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL, no chance to clean up.
    pub fn kill9(mut self) {
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The shipped record schema, compiled once.
fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let text = include_str!("../../config/schema/article.schema.json");
        let schema: Value = serde_json::from_str(text).expect("schema is JSON");
        jsonschema::validator_for(&schema).expect("schema compiles")
    })
}

/// Asserts every record validates against the shipped JSON Schema.
pub fn assert_schema_valid(records: &[Value]) {
    let v = validator();
    for r in records {
        let errors: Vec<String> = v
            .iter_errors(r)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "record fails the schema: {errors:?}\n{r}"
        );
    }
}

/// Counts records per `source.name`.
pub fn count_by_name(records: &[Value]) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for r in records {
        let name = r["source"]["name"].as_str().unwrap_or_default().to_string();
        *m.entry(name).or_insert(0) += 1;
    }
    m
}

/// A small but real article body, distinct per `i`.
pub fn article(i: usize) -> String {
    format!(
        "Harbour cranes idle as strike enters day {i}\n\n\
         Dock workers in the port city extended their strike for a {i}th day on Tuesday, \
         leaving container ships queued offshore. Union leader Maria Santos said talks \
         with the operator had stalled over pay.\n\n\
         The operator said it had offered a raise of {i}.5% and called the walkout \
         unlawful. Shipping analysts expect delays to spread to inland rail hubs.\n"
    )
}

/// `[metrics]` on a free port (the daemon reports the bound address in its status file).
pub const METRICS_ON: &str = "[metrics]\nenabled = true\nlisten = \"127.0.0.1:0\"\n";

impl Layout {
    /// The status file (the default `daemon.status_file`, under the daemon's working
    /// directory, which [`Daemon::start`] sets to the layout's folder).
    pub fn status_file(&self) -> PathBuf {
        self.dir.path().join("var/state/status.json")
    }

    /// The status file's content, once it exists and parses.
    pub fn status(&self) -> Value {
        let mut last = Value::Null;
        let ok = wait_until(PATIENCE, || {
            last = std::fs::read(self.status_file())
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or(Value::Null);
            last.is_object()
        });
        assert!(ok, "no status file at {}", self.status_file().display());
        last
    }

    /// The metrics listener's address, from the status file.
    pub fn metrics_addr(&self) -> String {
        let status = self.status();
        status["listen"]
            .as_str()
            .unwrap_or_else(|| panic!("no listen address in the status file: {status}"))
            .to_string()
    }
}

/// A minimal HTTP/1.1 GET over a real TCP connection: (status code, headers, body).
pub fn http_get(addr: &str, path: &str) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the listener");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").expect("a header block");
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status code");
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (code, head.to_string(), body)
}

/// Decodes a chunked body.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).expect("chunk size");
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// Parses Prometheus/OpenMetrics exposition text into `series → value`, where a series
/// is written as in the text: `name` or `name{label="value",...}`.
pub fn parse_metrics(text: &str) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("series and value");
        let value: f64 = value
            .parse()
            .unwrap_or_else(|e| panic!("bad value in {line:?}: {e}"));
        out.insert(series.to_string(), value);
    }
    out
}
