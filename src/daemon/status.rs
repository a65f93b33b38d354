//! The status keeper: samples the daemon about once a second, refreshes the gauges and
//! rewrites the status file.
//!
//! A plain thread, because counting the inbox (a directory listing that can hold
//! 100,000 names during a burst) and writing the file are blocking I/O. It is the only
//! place that lists the inbox for the backlog gauge, so a scrape never does.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{IgnoreRules, Runtime, Shared};
use crate::observe::status::{OutboxStatus, RateWindow, SCHEMA, State, Status, Totals};

/// Time between two updates.
const PERIOD: Duration = Duration::from_secs(1);

/// Everything the status file reports that does not change while running.
pub struct StatusKeeper {
    /// The status file.
    pub path: PathBuf,
    /// The inbox (canonical).
    pub inbox: PathBuf,
    /// Names the backlog does not count.
    pub ignore: IgnoreRules,
    /// The current outbox file.
    pub outbox: PathBuf,
    /// The listener's bound address, when on.
    pub listen: Option<String>,
    /// Counters and readiness.
    pub shared: Arc<Shared>,
    /// For the live stall timeout.
    pub runtime: watch::Receiver<Arc<Runtime>>,
    started: Instant,
    started_at: String,
    rates: RateWindow,
}

impl StatusKeeper {
    /// A keeper for the given paths; the clock of `uptime_s` starts now.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        path: PathBuf,
        inbox: PathBuf,
        ignore: IgnoreRules,
        outbox: PathBuf,
        listen: Option<String>,
        shared: Arc<Shared>,
        runtime: watch::Receiver<Arc<Runtime>>,
    ) -> Self {
        Self {
            path,
            inbox,
            ignore,
            outbox,
            listen,
            shared,
            runtime,
            started: Instant::now(),
            started_at: crate::clock::now_rfc3339(),
            rates: RateWindow::default(),
        }
    }

    /// Samples everything and rewrites the file in state `state`.
    pub fn write(&mut self, state: State) {
        let stall = Duration::from_secs(self.runtime.borrow().config.daemon.stall_timeout_s);
        let m = &self.shared.metrics;
        let backlog = self.backlog();
        m.inbox_backlog.set(backlog as i64);
        let in_flight = self.shared.in_flight();
        m.in_flight.set(in_flight as i64);
        let ready = state == State::Running && self.shared.ready(stall);
        m.ready.set(i64::from(ready));
        let totals = Totals::of(m);
        let now = SystemTime::now();
        let status = Status {
            schema: SCHEMA.into(),
            state,
            pid: std::process::id(),
            version: env!("CARGO_PKG_VERSION").into(),
            started_at: self.started_at.clone(),
            updated_at: crate::clock::rfc3339(now),
            updated_unix_ms: now
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            uptime_s: self.started.elapsed().as_secs(),
            ready,
            stalled: self.shared.stalled(stall),
            listen: self.listen.clone(),
            inbox: self.inbox.clone(),
            inbox_backlog: backlog,
            in_flight,
            totals,
            failed_by_reason: m.failed_by_reason(),
            per_minute: self.rates.push(Instant::now(), totals),
            last_error: crate::observe::errors::last(),
            outbox: OutboxStatus {
                path: self.outbox.clone(),
                bytes: std::fs::metadata(&self.outbox).map(|m| m.len()).ok(),
            },
        };
        if let Err(e) = status.write(&self.path) {
            // Warn, not error: an error would become the status file's last error.
            tracing::warn!(error = %e, file = %self.path.display(), "cannot write the status file");
        }
    }

    /// Files waiting in the inbox: names not ignored (dotfiles, temporaries).
    fn backlog(&self) -> u64 {
        std::fs::read_dir(&self.inbox).map_or(0, |rd| {
            rd.filter_map(Result::ok)
                .filter(|e| !self.ignore.ignores(&e.file_name()))
                .count() as u64
        })
    }

    /// Rewrites the file every second until cancelled (state `running`), then once
    /// more as `stopping`; returns itself for the final `stopped` write.
    pub fn spawn(
        mut self,
        cancel: CancellationToken,
    ) -> std::io::Result<std::thread::JoinHandle<Self>> {
        std::thread::Builder::new()
            .name("newsd-status".into())
            .spawn(move || {
                let mut next = Instant::now();
                loop {
                    if cancel.is_cancelled() {
                        self.write(State::Stopping);
                        return self;
                    }
                    if Instant::now() >= next {
                        let state = if self.shared.is_recovered() {
                            State::Running
                        } else {
                            State::Starting
                        };
                        self.write(state);
                        next = Instant::now() + PERIOD;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
    }
}
