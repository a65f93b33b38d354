//! `newsd bench`: end-to-end measurements through the real daemon.
//!
//! Each scenario starts `newsd run` (this same executable) as a child process on a
//! fresh folder layout, drops files by rename like a producer would, watches the
//! outbox, and reports figures as one JSON object: throughput (all files at once),
//! drop-to-record latency (a steady rate) and peak memory (a large burst). Timing is
//! taken here, outside the daemon, so it covers claiming, the pipeline, the write and
//! the fsync.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

mod config;

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// File-system or process trouble.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// The corpus folder holds no files.
    #[error("no input files in {0}")]
    EmptyCorpus(PathBuf),
    /// A `--set` setting is not `key.path=value`, or lands on a non-table.
    #[error("bench setting: {0}")]
    Setting(String),
    /// The daemon exited before it was ready (its own error is on stderr above).
    #[error("newsd run exited before it was ready ({0}); its error is above")]
    NotStarted(std::process::ExitStatus),
    /// The daemon did not produce the expected records in time.
    #[error("timed out after {secs} s with {have} of {want} records")]
    Timeout {
        /// Seconds waited.
        secs: u64,
        /// Records seen.
        have: usize,
        /// Records expected.
        want: usize,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BenchError {
    let what = what.into();
    move |source| BenchError::Io { what, source }
}

/// A scratch layout with a running daemon.
struct Bench {
    root: PathBuf,
    inbox: PathBuf,
    staging: PathBuf,
    outbox: PathBuf,
    daemon: Child,
    /// Kept open so the daemon's later notifications (STOPPING=1) have a receiver.
    _notify: std::os::unix::net::UnixDatagram,
    /// From spawning the daemon to its READY=1 (models loaded, inbox watched).
    ready_after: Duration,
}

impl Bench {
    fn start(root: &Path, setup: DaemonSetup<'_>) -> Result<Self, BenchError> {
        let DaemonSetup {
            concurrency,
            metrics,
            stages,
            settings,
        } = setup;
        if root.exists() {
            std::fs::remove_dir_all(root).map_err(io(format!("clearing {}", root.display())))?;
        }
        let staging = root.join("staging");
        std::fs::create_dir_all(&staging).map_err(io("creating staging"))?;
        // Absolute, since the daemon runs in `root` and NOTIFY_SOCKET must still resolve.
        let root = &root
            .canonicalize()
            .map_err(io("resolving the work folder"))?;
        let config = root.join("newsd.toml");
        let text = format!(
            "[inbox]\npath = \"inbox\"\n[state]\nwork_dir = \"work\"\nfailed_dir = \"failed\"\n\
             archive_dir = \"archive\"\n[outbox]\npath = \"outbox/articles.ndjson\"\n\
             rotate_bytes = 0\n[pipeline]\nconcurrency = {concurrency}\n[log]\nlevel = \"warn\"\n\
             [metrics]\nenabled = {metrics}\nlisten = \"127.0.0.1:0\"\n"
        );
        let text = config::configure(&text, stages, settings)?;
        std::fs::write(&config, text).map_err(io("writing config"))?;
        let spawned = Instant::now();
        let (daemon, notify) = spawn_ready(root)?;
        Ok(Self {
            inbox: root.join("inbox"),
            outbox: root.join("outbox/articles.ndjson"),
            root: root.to_path_buf(),
            staging,
            daemon,
            _notify: notify,
            ready_after: spawned.elapsed(),
        })
    }

    fn pid(&self) -> u32 {
        self.daemon.id()
    }

    fn stop(mut self) -> Result<(), BenchError> {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.daemon.id() as i32, libc::SIGTERM) };
        self.daemon.wait().map_err(io("waiting for newsd"))?;
        let _ = std::fs::remove_dir_all(&self.root);
        Ok(())
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        // On an error path, do not leave the daemon running.
        if let Ok(None) = self.daemon.try_wait() {
            let _ = self.daemon.kill();
            let _ = self.daemon.wait();
        }
    }
}

/// Starts `newsd run --config newsd.toml` (this executable) in `dir`, acting as its
/// service manager, and returns once it says READY=1 (models loaded, source watched).
/// The notify socket is returned with the child so its later STOPPING=1 has a
/// receiver. `dir` must be absolute: the daemon runs there and NOTIFY_SOCKET must
/// still resolve.
pub(crate) fn spawn_ready(
    dir: &Path,
) -> Result<(Child, std::os::unix::net::UnixDatagram), BenchError> {
    let exe = std::env::current_exe().map_err(io("finding the newsd executable"))?;
    let sock_path = dir.join("notify.sock");
    let _ = std::fs::remove_file(&sock_path);
    let sock = std::os::unix::net::UnixDatagram::bind(&sock_path).map_err(io("notify socket"))?;
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(io("notify socket"))?;
    let mut daemon = Command::new(exe)
        .args(["run", "--config", "newsd.toml"])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env("NOTIFY_SOCKET", &sock_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(io("starting newsd run"))?;
    let mut buf = [0u8; 512];
    let mut exited = None;
    let ready = wait_for(Duration::from_secs(30), || {
        if let Ok(Some(status)) = daemon.try_wait() {
            exited = Some(status);
            return true;
        }
        sock.recv(&mut buf).is_ok_and(|n| {
            String::from_utf8_lossy(&buf[..n])
                .lines()
                .any(|l| l == "READY=1")
        })
    });
    if let Some(status) = exited {
        return Err(BenchError::NotStarted(status));
    }
    if let Err(e) = ready {
        let _ = daemon.kill();
        let _ = daemon.wait();
        return Err(e);
    }
    Ok((daemon, sock))
}

fn wait_for(limit: Duration, mut cond: impl FnMut() -> bool) -> Result<(), BenchError> {
    let end = Instant::now() + limit;
    while !cond() {
        if Instant::now() > end {
            return Err(BenchError::Timeout {
                secs: limit.as_secs(),
                have: 0,
                want: 1,
            });
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Ok(())
}

/// Reads the corpus: every regular file in `dir`, sorted by name.
pub fn load_corpus(dir: &Path) -> Result<Vec<(String, Vec<u8>)>, BenchError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(format!("reading {}", dir.display())))? {
        let entry = entry.map_err(io("listing corpus"))?;
        if entry.file_type().map(|t| t.is_file()).unwrap_or(false) {
            let bytes = std::fs::read(entry.path()).map_err(io("reading corpus file"))?;
            files.push((entry.file_name().to_string_lossy().into_owned(), bytes));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(BenchError::EmptyCorpus(dir.to_path_buf()));
    }
    Ok(files)
}

/// Follows the outbox, returning each record's `source.name` with the instant it was seen.
struct Follower {
    file: Option<BufReader<std::fs::File>>,
    path: PathBuf,
    /// The start of a line the daemon is still writing. Bytes, not a `String`: a read
    /// can end inside a multi-byte character, and `read_line` would then drop what it
    /// read (and the benchmark would wait for that record forever).
    partial: Vec<u8>,
}

impl Follower {
    fn new(path: &Path) -> Self {
        Self {
            file: None,
            path: path.to_path_buf(),
            partial: Vec::new(),
        }
    }

    fn poll(&mut self, out: &mut Vec<(String, Instant)>) {
        if self.file.is_none() {
            match std::fs::File::open(&self.path) {
                Ok(mut f) => {
                    let _ = f.seek(SeekFrom::Start(0));
                    self.file = Some(BufReader::with_capacity(1 << 20, f));
                }
                Err(_) => return,
            }
        }
        let Some(reader) = self.file.as_mut() else {
            return;
        };
        loop {
            let mut line = std::mem::take(&mut self.partial);
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => {
                    self.partial = line;
                    return;
                }
                Ok(_) if !line.ends_with(b"\n") => {
                    self.partial = line;
                    return;
                }
                Ok(_) => {
                    let now = Instant::now();
                    if let Some(name) = name_of(&String::from_utf8_lossy(&line)) {
                        out.push((name, now));
                    }
                }
            }
        }
    }
}

/// The record's `source.name`, found without a full parse so the benchmark's own
/// reading stays cheap next to the daemon it measures (bench names need no unescaping).
fn name_of(line: &str) -> Option<String> {
    const KEY: &str = "\"source\":{\"name\":\"";
    let at = line.find(KEY)? + KEY.len();
    let end = line[at..].find('"')?;
    Some(line[at..at + end].to_string())
}

/// Peak and current resident memory of a process, from `/proc/<pid>/status`, in KiB.
fn rss_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// CPU time a process has used so far (user and system, all its threads), in
/// seconds, from `/proc/<pid>/stat`; 0 when it cannot be read.
fn cpu_seconds(pid: u32) -> f64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces:
    // utime and stime are the 12th and 13th of them.
    let rest = text.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    // SAFETY: sysconf only reads a system constant.
    let per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if per_s > 0 {
        ticks as f64 / per_s as f64
    } else {
        0.0
    }
}

/// Figures of the throughput scenario.
#[derive(Debug, Serialize)]
pub struct Throughput {
    /// Files dropped.
    pub articles: usize,
    /// Their total size.
    pub bytes: u64,
    /// Seconds from the first rename to the last record seen.
    pub seconds: f64,
    /// Articles per second.
    pub articles_per_s: f64,
    /// Input megabytes (10^6 bytes) per second.
    pub mb_per_s: f64,
    /// Peak resident memory of the daemon, MiB.
    pub peak_rss_mib: f64,
    /// CPU time the daemon used from the first rename to the last record, per
    /// article, milliseconds (user and system, all threads): what an article costs,
    /// apart from how many cores ran.
    pub cpu_ms_per_article: f64,
}

/// How the benchmarked daemon is configured.
#[derive(Debug, Clone, Copy)]
pub struct DaemonSetup<'a> {
    /// `pipeline.concurrency` (0 = one per core).
    pub concurrency: usize,
    /// Turn the `[metrics]` listener and the page's recent list on (port 0).
    pub metrics: bool,
    /// `pipeline.stages` (empty: the default, every stage). With `["clean"]` the run
    /// measures what moving files durably costs without the reading.
    pub stages: &'a [String],
    /// Further `key.path=value` settings of the daemon's config (`--set`), such as
    /// `outbox.commit_delay_ms=8`.
    pub settings: &'a [String],
}

/// Drops every corpus file at once (staged, then renamed in) and times the last record.
pub fn throughput(
    corpus: &[(String, Vec<u8>)],
    root: &Path,
    setup: DaemonSetup<'_>,
) -> Result<Throughput, BenchError> {
    let bench = Bench::start(root, setup)?;
    for (name, bytes) in corpus {
        std::fs::write(bench.staging.join(name), bytes).map_err(io("staging"))?;
    }
    let bytes: u64 = corpus.iter().map(|(_, b)| b.len() as u64).sum();
    let mut follower = Follower::new(&bench.outbox);
    let mut seen = Vec::with_capacity(corpus.len());
    let cpu_before = cpu_seconds(bench.pid());
    let started = Instant::now();
    for (name, _) in corpus {
        std::fs::rename(bench.staging.join(name), bench.inbox.join(name))
            .map_err(io("dropping"))?;
    }
    let limit = Duration::from_secs(600);
    while seen.len() < corpus.len() {
        if started.elapsed() > limit {
            return Err(BenchError::Timeout {
                secs: limit.as_secs(),
                have: seen.len(),
                want: corpus.len(),
            });
        }
        follower.poll(&mut seen);
        std::thread::sleep(Duration::from_micros(500));
    }
    let seconds = seen
        .iter()
        .map(|(_, t)| t.duration_since(started))
        .max()
        .unwrap_or_default()
        .as_secs_f64();
    let cpu = cpu_seconds(bench.pid()) - cpu_before;
    let (peak, _) = rss_kib(bench.pid());
    bench.stop()?;
    Ok(Throughput {
        cpu_ms_per_article: cpu * 1000.0 / corpus.len() as f64,
        articles: corpus.len(),
        bytes,
        seconds,
        articles_per_s: corpus.len() as f64 / seconds,
        mb_per_s: bytes as f64 / 1e6 / seconds,
        peak_rss_mib: peak as f64 / 1024.0,
    })
}

/// Figures of the latency scenario.
#[derive(Debug, Serialize)]
pub struct Latency {
    /// Files dropped.
    pub articles: usize,
    /// Offered rate, files per second.
    pub rate_per_s: f64,
    /// Median drop-to-record latency, milliseconds.
    pub p50_ms: f64,
    /// 90th percentile, milliseconds.
    pub p90_ms: f64,
    /// 99th percentile, milliseconds.
    pub p99_ms: f64,
    /// Worst, milliseconds.
    pub max_ms: f64,
}

/// Drops files at a steady rate and measures, per file, rename to record-in-outbox.
pub fn latency(
    corpus: &[(String, Vec<u8>)],
    root: &Path,
    rate: f64,
    count: usize,
    setup: DaemonSetup<'_>,
) -> Result<Latency, BenchError> {
    let bench = Bench::start(root, setup)?;
    let mut follower = Follower::new(&bench.outbox);
    let mut seen = Vec::with_capacity(count);
    let mut dropped: HashMap<String, Instant> = HashMap::with_capacity(count);
    let period = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    for i in 0..count {
        let (src_name, bytes) = &corpus[i % corpus.len()];
        let name = format!("{i:06}-{src_name}");
        std::fs::write(bench.staging.join(&name), bytes).map_err(io("staging"))?;
        let due = started + period * i as u32;
        while Instant::now() < due {
            follower.poll(&mut seen);
            std::thread::sleep(Duration::from_micros(200));
        }
        std::fs::rename(bench.staging.join(&name), bench.inbox.join(&name))
            .map_err(io("dropping"))?;
        dropped.insert(name, Instant::now());
    }
    let end = Instant::now() + Duration::from_secs(60);
    while seen.len() < count && Instant::now() < end {
        follower.poll(&mut seen);
        std::thread::sleep(Duration::from_micros(200));
    }
    bench.stop()?;
    let mut ms: Vec<f64> = seen
        .iter()
        .filter_map(|(name, at)| {
            dropped
                .get(name)
                .map(|d| at.duration_since(*d).as_secs_f64() * 1e3)
        })
        .collect();
    if ms.len() < count {
        return Err(BenchError::Timeout {
            secs: 60,
            have: ms.len(),
            want: count,
        });
    }
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    Ok(Latency {
        articles: count,
        rate_per_s: rate,
        p50_ms: pct(0.5),
        p90_ms: pct(0.9),
        p99_ms: pct(0.99),
        max_ms: pct(1.0),
    })
}

/// Figures of the burst scenario.
#[derive(Debug, Serialize)]
pub struct Burst {
    /// Files dropped at once.
    pub files: usize,
    /// Seconds until the last record.
    pub seconds: f64,
    /// Peak resident memory of the daemon (kernel high-water mark), MiB.
    pub peak_rss_mib: f64,
    /// Resident memory sampled every 250 ms while draining, MiB (to show it stays flat).
    pub rss_samples_mib: Vec<f64>,
}

/// Drops `files` copies of the corpus at once and watches the daemon's memory.
pub fn burst(
    corpus: &[(String, Vec<u8>)],
    root: &Path,
    files: usize,
    setup: DaemonSetup<'_>,
) -> Result<Burst, BenchError> {
    let bench = Bench::start(root, setup)?;
    let mut names = Vec::with_capacity(files);
    for i in 0..files {
        let (src_name, bytes) = &corpus[i % corpus.len()];
        let name = format!("{i:06}-{src_name}");
        std::fs::write(bench.staging.join(&name), bytes).map_err(io("staging"))?;
        names.push(name);
    }
    let started = Instant::now();
    for name in &names {
        std::fs::rename(bench.staging.join(name), bench.inbox.join(name))
            .map_err(io("dropping"))?;
    }
    let mut samples = Vec::new();
    let mut last_sample = Instant::now();
    let mut follower = Follower::new(&bench.outbox);
    let mut seen = Vec::with_capacity(files);
    let limit = Duration::from_secs(3600);
    while seen.len() < files {
        if started.elapsed() > limit {
            return Err(BenchError::Timeout {
                secs: limit.as_secs(),
                have: seen.len(),
                want: files,
            });
        }
        follower.poll(&mut seen);
        if last_sample.elapsed() >= Duration::from_millis(250) {
            samples.push(rss_kib(bench.pid()).1 as f64 / 1024.0);
            last_sample = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let seconds = started.elapsed().as_secs_f64();
    let (peak, _) = rss_kib(bench.pid());
    bench.stop()?;
    Ok(Burst {
        files,
        seconds,
        peak_rss_mib: peak as f64 / 1024.0,
        rss_samples_mib: samples,
    })
}

/// Figures of the startup scenario.
#[derive(Debug, Serialize)]
pub struct Startup {
    /// From spawning `newsd run` to READY=1: config read, models loaded, recovery
    /// done, inbox watched. Milliseconds.
    pub ready_ms: f64,
    /// From spawning to the first article's record being durable (one file dropped
    /// as soon as the daemon is ready). Milliseconds.
    pub first_record_ms: f64,
}

/// Starts a fresh daemon, drops one corpus file once it is ready and times both.
pub fn startup(
    corpus: &[(String, Vec<u8>)],
    root: &Path,
    setup: DaemonSetup<'_>,
) -> Result<Startup, BenchError> {
    let (name, bytes) = corpus
        .first()
        .ok_or_else(|| BenchError::EmptyCorpus(root.to_path_buf()))?;
    let bench = Bench::start(root, setup)?;
    let ready = bench.ready_after;
    let dropped = Instant::now();
    std::fs::write(bench.staging.join(name), bytes).map_err(io("staging"))?;
    std::fs::rename(bench.staging.join(name), bench.inbox.join(name)).map_err(io("dropping"))?;
    let mut follower = Follower::new(&bench.outbox);
    let mut seen = Vec::new();
    wait_for(Duration::from_secs(30), || {
        follower.poll(&mut seen);
        !seen.is_empty()
    })?;
    let first = ready + dropped.elapsed();
    bench.stop()?;
    Ok(Startup {
        ready_ms: ready.as_secs_f64() * 1000.0,
        first_record_ms: first.as_secs_f64() * 1000.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn cpu_time_of_a_process_grows_as_it_works() {
        let me = std::process::id();
        let before = cpu_seconds(me);
        let started = Instant::now();
        let mut x = 1u64;
        while started.elapsed() < Duration::from_millis(300) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let used = cpu_seconds(me) - before;
        // A busy loop of 0.3 s shows as at least a few clock ticks (even on a
        // loaded machine, which gives this thread a share of a core).
        assert!(used >= 0.05, "used {used} s");
        assert_eq!(cpu_seconds(u32::MAX), 0.0, "no such process");
    }

    #[test]
    fn a_line_cut_inside_a_character_is_read_once_complete() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("articles.ndjson");
        let mut f = std::fs::File::create(&path).expect("create");
        let line = "{\"source\":{\"name\":\"a.txt\"},\"text\":\"Zürich\"}\n".as_bytes();
        // Stop inside the two bytes of "ü".
        let cut = line.iter().position(|&b| b == 0xC3).expect("ü") + 1;
        f.write_all(&line[..cut]).expect("write");
        let (mut follower, mut seen) = (Follower::new(&path), Vec::new());
        follower.poll(&mut seen);
        assert!(seen.is_empty());
        f.write_all(&line[cut..]).expect("write");
        f.write_all(b"{\"source\":{\"name\":\"b.txt\"}}\n")
            .expect("write");
        follower.poll(&mut seen);
        let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a.txt", "b.txt"]);
    }
}
