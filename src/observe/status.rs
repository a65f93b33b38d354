//! The status file: what the daemon says about itself about once a second.
//!
//! A small JSON object (`newsd.status/1`) in the state folder, replaced atomically
//! (written beside, then renamed over), so a reader never sees half of one.
//! `newsd status` reads it; so can any monitoring script. It is not fsynced: it
//! describes the running process, and a crash makes it stale, which readers detect
//! from `pid` and `updated_unix_ms`.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::errors::LastError;
use super::metrics::Metrics;

/// Schema name and version of the status file.
pub const SCHEMA: &str = "newsd.status/1";

/// The window rates are computed over.
pub const RATE_WINDOW: Duration = Duration::from_secs(60);

/// Where the daemon is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Recovering files a previous run left in `work/`.
    Starting,
    /// Watching the inbox.
    Running,
    /// Finishing in-flight articles after SIGTERM/SIGINT.
    Stopping,
    /// Exited (the last write of a clean or deadline-bound shutdown).
    Stopped,
}

/// Running totals since the daemon started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Names found ready in the inbox.
    pub seen: u64,
    /// Inbox files claimed.
    pub claimed: u64,
    /// Work files a previous run left, picked up at start.
    pub recovered: u64,
    /// Inputs released after their records were durable.
    pub processed: u64,
    /// Records written.
    pub records: u64,
    /// Inputs refused.
    pub failed: u64,
    /// Near-duplicate records.
    pub duplicates: u64,
    /// Alerts written.
    pub alerts: u64,
    /// Input bytes read.
    pub bytes_in: u64,
    /// Record bytes written.
    pub bytes_out: u64,
    /// Outbox rotations.
    pub rotations: u64,
}

impl Totals {
    /// Reads the counters.
    pub fn of(m: &Metrics) -> Self {
        let failed = m.failed_by_reason().values().sum();
        Self {
            seen: m.seen.get(),
            claimed: m.claimed.get(),
            recovered: m.recovered.get(),
            processed: m.processed.get(),
            records: m.records.get(),
            failed,
            duplicates: m.duplicates.get(),
            alerts: m.alerts.get(),
            bytes_in: m.bytes_in.get(),
            bytes_out: m.bytes_out.get(),
            rotations: m.rotations.get(),
        }
    }
}

/// Rates over the last minute (or since start, when younger), per minute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// Seconds the rates cover.
    pub window_s: f64,
    /// Inputs processed per minute.
    pub processed: f64,
    /// Records written per minute.
    pub records: f64,
    /// Inputs refused per minute.
    pub failed: f64,
    /// Input bytes read per minute.
    pub bytes_in: f64,
}

/// The current outbox file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxStatus {
    /// Its path.
    pub path: PathBuf,
    /// Its size in bytes, when it could be read.
    pub bytes: Option<u64>,
}

/// The status file's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Life stage.
    pub state: State,
    /// Process id.
    pub pid: u32,
    /// newsd version.
    pub version: String,
    /// Start time, RFC 3339 UTC.
    pub started_at: String,
    /// Last update, RFC 3339 UTC.
    pub updated_at: String,
    /// Last update, Unix milliseconds (for staleness checks).
    pub updated_unix_ms: u64,
    /// Seconds since start.
    pub uptime_s: u64,
    /// Recovery done and the writer not stalled (what `/readyz` answers).
    pub ready: bool,
    /// Work waiting and no progress for `daemon.stall_timeout_s`.
    pub stalled: bool,
    /// The metrics listener's bound address (`IP:port`), when on.
    pub listen: Option<String>,
    /// The inbox folder.
    pub inbox: PathBuf,
    /// Files waiting in the inbox.
    pub inbox_backlog: u64,
    /// Articles claimed and not finished.
    pub in_flight: u64,
    /// Totals since start.
    pub totals: Totals,
    /// Refused inputs by reason.
    pub failed_by_reason: BTreeMap<String, u64>,
    /// Rates over the last minute.
    pub per_minute: Rates,
    /// The last ERROR logged, if any.
    pub last_error: Option<LastError>,
    /// The current outbox file.
    pub outbox: OutboxStatus,
}

/// Why a status file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// It could not be read (e.g. it does not exist: the daemon never ran here).
    #[error("{path}: {source}")]
    Read {
        /// The status file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// It is not a status file.
    #[error("{path}: not a newsd status file: {source}")]
    Parse {
        /// The status file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
}

impl Status {
    /// Reads a status file.
    pub fn read(path: &Path) -> Result<Self, StatusError> {
        let bytes = std::fs::read(path).map_err(|source| StatusError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        serde_json::from_slice(&bytes).map_err(|source| StatusError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Replaces the file atomically: written to `<path>.tmp`, then renamed over.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut tmp = path.as_os_str().to_os_string();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut bytes = serde_json::to_vec_pretty(self)
            .expect("a status holds only strings, numbers and string-keyed maps");
        bytes.push(b'\n');
        std::fs::File::create(&tmp)?.write_all(&bytes)?;
        std::fs::rename(&tmp, path)
    }
}

/// Samples of the totals over the last minute, to give rates.
#[derive(Debug, Default)]
pub struct RateWindow {
    samples: VecDeque<(Instant, Totals)>,
}

impl RateWindow {
    /// Adds a sample taken at `now` and returns the rates over the window.
    pub fn push(&mut self, now: Instant, totals: Totals) -> Rates {
        self.samples.push_back((now, totals));
        while let Some((t, _)) = self.samples.front() {
            if now.duration_since(*t) > RATE_WINDOW && self.samples.len() > 2 {
                self.samples.pop_front();
            } else {
                break;
            }
        }
        let Some((t0, first)) = self.samples.front() else {
            return Rates::default();
        };
        let secs = now.duration_since(*t0).as_secs_f64();
        if secs <= 0.0 {
            return Rates::default();
        }
        let per_min = |a: u64, b: u64| b.saturating_sub(a) as f64 * 60.0 / secs;
        Rates {
            window_s: secs,
            processed: per_min(first.processed, totals.processed),
            records: per_min(first.records, totals.records),
            failed: per_min(first.failed, totals.failed),
            bytes_in: per_min(first.bytes_in, totals.bytes_in),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_cover_the_last_minute() {
        let mut w = RateWindow::default();
        let t0 = Instant::now();
        let at = |n: u64, processed: u64| {
            (
                t0 + Duration::from_secs(n),
                Totals {
                    processed,
                    ..Totals::default()
                },
            )
        };
        let (t, s) = at(0, 0);
        assert_eq!(w.push(t, s).processed, 0.0);
        let (t, s) = at(30, 30);
        assert!((w.push(t, s).processed - 60.0).abs() < 1e-9);
        // Past a minute, the oldest samples leave the window.
        let (t, s) = at(90, 30);
        let r = w.push(t, s);
        assert!((r.window_s - 60.0).abs() < 1e-9, "{r:?}");
        assert_eq!(r.processed, 0.0);
    }

    #[test]
    fn write_then_read_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/status.json");
        let status = Status {
            schema: SCHEMA.into(),
            state: State::Running,
            pid: 42,
            version: "0".into(),
            started_at: "a".into(),
            updated_at: "b".into(),
            updated_unix_ms: 1,
            uptime_s: 2,
            ready: true,
            stalled: false,
            listen: Some("127.0.0.1:1".into()),
            inbox: "in".into(),
            inbox_backlog: 3,
            in_flight: 0,
            totals: Totals::default(),
            failed_by_reason: BTreeMap::new(),
            per_minute: Rates::default(),
            last_error: None,
            outbox: OutboxStatus {
                path: "o".into(),
                bytes: Some(5),
            },
        };
        status.write(&path).unwrap();
        assert_eq!(Status::read(&path).unwrap(), status);
    }
}
