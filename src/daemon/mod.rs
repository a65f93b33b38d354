//! The daemon: supervisor, shared state and the dispatcher that runs articles.
//!
//! Tasks and threads, and why each exists:
//! - the **watcher** thread turns inbox events and scans into ready names (`watch`);
//! - the **dispatcher** task takes ready names and hands each to one of
//!   `pipeline.concurrency` worker threads (`pool`, `worker`);
//! - the **writer** thread appends records, makes them durable and releases inputs
//!   (`outbox`);
//! - the **supervisor** (this module's [`run`]) handles signals, reloads, readiness
//!   and the watchdog, and on shutdown cancels one token that every loop watches.
//!
//! Channels are bounded end to end: ready names (a few per worker), finished records
//! (`pipeline.queue`). When the writer falls behind, workers block; when workers are
//! busy, the watcher blocks and the inbox itself holds the backlog.

mod failed;
mod outbox;
mod pool;
mod recover;
mod status;
mod systemd;
mod tracker;
mod watch;
mod worker;

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::pipeline::Pipeline;
use outbox::{Commit, Outbox};
pub use tracker::{FileStat, Timing, Tracker};
pub use watch::IgnoreRules;

/// Why the daemon could not start.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// A folder could not be created or used.
    #[error("{what} {path}: {source}")]
    Folder {
        /// Which folder (`inbox`, `work`, ...).
        what: &'static str,
        /// Its path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another instance holds the work folder.
    #[error("another newsd instance is using {0} (lock held)")]
    Locked(PathBuf),
    /// Work folder and inbox are on different filesystems, so claiming could not be atomic.
    #[error(
        "{work} is not on the same filesystem as the inbox {inbox}; claims must be atomic renames"
    )]
    CrossDevice {
        /// The inbox.
        inbox: PathBuf,
        /// The work folder.
        work: PathBuf,
    },
    /// The outbox could not be opened or checked.
    #[error("outbox {path}: {source}")]
    Outbox {
        /// The outbox file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The pipeline config is invalid.
    #[error("pipeline: {0}")]
    Pipeline(#[from] crate::pipeline::BuildError),
    /// The inbox cannot be watched.
    #[error(transparent)]
    Watch(#[from] watch::WatchError),
    /// The metrics listener could not bind its address.
    #[error("metrics.listen {addr}: {source}")]
    Listen {
        /// The configured address.
        addr: std::net::SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The bus connection could not be set up.
    #[error(transparent)]
    Bus(#[from] crate::bus::BusError),
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
    /// The worker threads could not be started.
    #[error("cannot start worker threads: {0}")]
    Workers(std::io::Error),
}

/// A job for a worker.
#[derive(Debug)]
pub enum Job {
    /// A ready file in the inbox, to be claimed.
    Inbox(OsString),
    /// A file a previous run claimed and did not finish, already in `work/`.
    Reclaimed {
        /// Its name in `work/`.
        work_name: OsString,
        /// Its claim token.
        claim: String,
        /// Its original name.
        name: OsString,
        /// Items whose records are already in the outbox (batch inputs; 0 = the input).
        written: std::collections::HashSet<usize>,
        /// Items whose alerts are already in the alerts file.
        alerted: std::collections::HashSet<usize>,
    },
    /// A message from the bus (the NATS source).
    Nats(Box<crate::bus::Delivery>),
}

/// The settings and the pipeline built from them; replaced whole on reload.
#[derive(Debug)]
pub struct Runtime {
    /// Effective settings.
    pub config: Config,
    /// The stage chain.
    pub pipeline: Pipeline,
}

/// The folders, fixed for the life of the process.
#[derive(Debug)]
pub struct Dirs {
    /// The inbox, canonical (events name paths under it).
    pub inbox: PathBuf,
    /// The inbox as configured (what records report as the path received).
    pub inbox_as_configured: PathBuf,
    /// Claimed files.
    pub work: PathBuf,
    /// Refused files.
    pub failed: PathBuf,
    /// Released files, when archiving.
    pub archive: PathBuf,
}

/// Counters for logs, systemd status and the watchdog.
#[derive(Debug)]
pub struct Stats {
    started: AtomicU64,
    succeeded: AtomicU64,
    failed: AtomicU64,
    skipped: AtomicU64,
    last_progress: Mutex<Instant>,
}

impl Default for Stats {
    fn default() -> Self {
        Self {
            started: AtomicU64::new(0),
            succeeded: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            last_progress: Mutex::new(Instant::now()),
        }
    }
}

impl Stats {
    fn record_start(&self) {
        // Work arriving after an idle spell starts the stall clock afresh.
        if self.in_flight() == 0 {
            self.progress();
        }
        self.started.fetch_add(1, Ordering::Relaxed);
    }

    /// An input's record is durable and the input released.
    pub fn record_success(&self) {
        self.succeeded.fetch_add(1, Ordering::Relaxed);
        self.progress();
    }

    /// An input was refused.
    pub fn record_failure(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        self.progress();
    }

    /// A job ended without a record or a refusal (its file was gone, or was left for a
    /// later start).
    pub fn record_skip(&self) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
    }

    fn progress(&self) {
        *self.last_progress.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    /// Jobs started and not finished (including ones a worker dropped as already gone).
    fn in_flight(&self) -> u64 {
        let done = self.succeeded.load(Ordering::Relaxed)
            + self.failed.load(Ordering::Relaxed)
            + self.skipped.load(Ordering::Relaxed);
        self.started.load(Ordering::Relaxed).saturating_sub(done)
    }

    fn since_progress(&self) -> Duration {
        self.last_progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }
}

/// State shared by the watcher, the workers and the writer.
#[derive(Debug, Default)]
pub struct Shared {
    /// Names handed to the dispatcher and not yet claimed: a rescan must not send them twice.
    queued: Mutex<HashSet<OsString>>,
    /// Names that could not be claimed (e.g. permissions): refused in place, not retried.
    refused: Mutex<HashSet<OsString>>,
    /// Counters.
    pub stats: Stats,
    /// The exported metrics (always kept: they are a few atomics, and the status file
    /// reads them).
    pub metrics: Arc<crate::observe::metrics::Metrics>,
    /// The latest articles for the live page, when `[metrics]` is on.
    pub recent: Option<Arc<crate::observe::recent::Recent>>,
    /// Recovery of `work/` is done.
    recovered: AtomicBool,
    /// The bus, when a source or sink uses it.
    pub bus: Option<crate::bus::Bus>,
}

impl Shared {
    /// Shared state; `recent` keeps that many articles for the page (`None`: page off).
    pub fn new(recent: Option<usize>, bus: Option<crate::bus::Bus>) -> Self {
        Self {
            recent: recent.map(|n| Arc::new(crate::observe::recent::Recent::new(n))),
            bus,
            ..Self::default()
        }
    }

    /// Work is waiting or in flight and nothing finished for `stall`: the writer (or
    /// every worker) is stuck.
    pub fn stalled(&self, stall: Duration) -> bool {
        let busy = self.stats.in_flight() > 0 || self.queued_len() > 0;
        busy && self.stats.since_progress() > stall
    }

    /// Ready to serve: recovery is done and the pipeline is not stalled.
    pub fn ready(&self, stall: Duration) -> bool {
        self.recovered.load(Ordering::Relaxed) && !self.stalled(stall)
    }

    /// Recovery of `work/` is done (readiness waits for it).
    pub fn mark_recovered(&self) {
        self.recovered.store(true, Ordering::Relaxed);
    }

    /// Whether recovery of `work/` is done.
    pub fn is_recovered(&self) -> bool {
        self.recovered.load(Ordering::Relaxed)
    }

    /// Articles claimed and not finished.
    pub fn in_flight(&self) -> u64 {
        self.stats.in_flight()
    }

    /// Marks a name as queued; false if it already was.
    fn mark_queued(&self, name: &OsString) -> bool {
        self.queued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.clone())
    }

    fn unmark_queued(&self, name: &OsString) {
        self.queued
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }

    fn queued_len(&self) -> usize {
        self.queued.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    fn mark_refused(&self, name: &OsString) {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.clone());
    }

    fn is_refused(&self, name: &std::ffi::OsStr) -> bool {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(name)
    }

    /// Forgets refused names no longer in the inbox.
    fn retain_refused(&self, present: &HashSet<OsString>) {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|n| present.contains(n));
    }
}

/// Changes the log filter at run time (given by the binary, which owns the subscriber).
pub type LogLevelSetter = crate::logging::LevelSetter;

mod supervisor;
pub use supervisor::run;

fn timing_of(config: &Config) -> Timing {
    Timing {
        settle: Duration::from_millis(config.inbox.settle_ms),
        open_timeout: Duration::from_secs(config.inbox.open_timeout_s),
    }
}

/// Creates the folders and checks they can work together.
fn prepare_dirs(config: &Config) -> Result<Dirs, DaemonError> {
    let folders = [
        ("inbox", &config.inbox.path),
        ("work folder", &config.state.work_dir),
        ("failed folder", &config.state.failed_dir),
        ("archive folder", &config.state.archive_dir),
    ];
    for (what, path) in folders {
        std::fs::create_dir_all(path).map_err(|source| DaemonError::Folder {
            what,
            path: path.clone(),
            source,
        })?;
    }
    let inbox = config
        .inbox
        .path
        .canonicalize()
        .map_err(|source| DaemonError::Folder {
            what: "inbox",
            path: config.inbox.path.clone(),
            source,
        })?;
    let dev = |what: &'static str, p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.dev())
            .map_err(|source| DaemonError::Folder {
                what,
                path: p.to_path_buf(),
                source,
            })
    };
    for (what, path) in [
        ("work folder", &config.state.work_dir),
        ("failed folder", &config.state.failed_dir),
        ("archive folder", &config.state.archive_dir),
    ] {
        if dev("inbox", &inbox)? != dev(what, path)? {
            return Err(DaemonError::CrossDevice {
                inbox: inbox.clone(),
                work: path.clone(),
            });
        }
    }
    Ok(Dirs {
        inbox,
        inbox_as_configured: config.inbox.path.clone(),
        work: config.state.work_dir.clone(),
        failed: config.state.failed_dir.clone(),
        archive: config.state.archive_dir.clone(),
    })
}

/// Takes the instance lock in the work folder, so two daemons never share one.
fn lock_work_dir(work: &Path) -> Result<File, DaemonError> {
    let path = work.join(".lock");
    let file = File::create(&path).map_err(|source| DaemonError::Folder {
        what: "lock file",
        path: path.clone(),
        source,
    })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(DaemonError::Locked(work.to_path_buf())),
        Err(std::fs::TryLockError::Error(source)) => Err(DaemonError::Folder {
            what: "lock file",
            path,
            source,
        }),
    }
}

/// Takes ready jobs and runs each on a worker thread of `pool`, at most `concurrency`
/// at once. Recovered jobs go first. Returns once cancelled and every started job is
/// done.
#[allow(clippy::too_many_arguments)]
async fn dispatch(
    mut ready: mpsc::Receiver<Job>,
    recovered: Vec<Job>,
    runtime: tokio::sync::watch::Receiver<Arc<Runtime>>,
    dirs: Arc<Dirs>,
    shared: Arc<Shared>,
    commits: SyncSender<Commit>,
    pool: pool::Pool,
    concurrency: usize,
    cancel: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(concurrency));
    let mut recovered = recovered.into_iter();
    loop {
        let job = match recovered.next() {
            Some(job) => job,
            None => tokio::select! {
                biased;
                _ = cancel.cancelled() => break,
                job = ready.recv() => match job {
                    Some(job) => job,
                    None => break,
                },
            },
        };
        let permit = tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                match &job {
                    Job::Inbox(name) => shared.unmark_queued(name),
                    // Back to the stream at once, for another instance to take.
                    Job::Nats(d) => {
                        let _ = d.acker.ack_with(async_nats::jetstream::AckKind::Nak(None)).await;
                    }
                    Job::Reclaimed { .. } => {}
                }
                break;
            }
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let rt = runtime.borrow().clone();
        let (dirs, shared2, commits) = (dirs.clone(), shared.clone(), commits.clone());
        shared.stats.record_start();
        pool.run(move || {
            let _permit = permit;
            worker::handle(job, &rt, &dirs, &shared2, &commits);
        });
    }
    // Stop the watcher's sends, and let the writer finish once the workers are done.
    drop(ready);
    drop(commits);
    pool.finish().await;
}

/// Opens an outbox file (records or alerts), cutting a torn last line.
fn open_outbox(path: &Path) -> Result<Outbox, DaemonError> {
    let (outbox, cut) = Outbox::open(path).map_err(|source| DaemonError::Outbox {
        path: path.to_path_buf(),
        source,
    })?;
    if cut > 0 {
        tracing::warn!(
            bytes = cut,
            file = %path.display(),
            "cut a torn last line (its input will be processed again)"
        );
    }
    Ok(outbox)
}
