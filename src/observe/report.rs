//! `newsd status`: a human summary of the status file the daemon keeps.
//!
//! Whether the daemon runs is judged from three clues: the state it last wrote
//! (`stopped` after a shutdown), whether its pid is alive, and whether the file was
//! updated in the last few seconds (a pid can be reused after a crash; a hung daemon
//! stops updating).

use std::io::Write;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::status::{State, Status, StatusError};

/// A status file older than this means the daemon is not (or no longer) updating it.
pub const STALE_AFTER: Duration = Duration::from_secs(10);

/// What `newsd status` concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Running and updating its status.
    Running,
    /// Its pid is alive but the status file is stale: hung, or another process
    /// took the pid.
    Unresponsive,
    /// Not running.
    Stopped,
}

/// Prints the summary for the status file at `path`; returns the verdict.
pub fn report(path: &Path, out: &mut dyn Write) -> std::io::Result<Verdict> {
    let status = match Status::read(path) {
        Ok(s) => s,
        Err(StatusError::Read { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            writeln!(
                out,
                "newsd: not running (no status file at {})",
                path.display()
            )?;
            return Ok(Verdict::Stopped);
        }
        Err(e) => {
            writeln!(out, "newsd: status unknown: {e}")?;
            return Ok(Verdict::Stopped);
        }
    };
    let age = age_of(&status);
    let verdict = verdict(&status, pid_alive(status.pid), age);
    let headline = match verdict {
        Verdict::Running => format!(
            "running ({}), pid {}, up {}",
            state_name(status.state),
            status.pid,
            duration(Duration::from_secs(status.uptime_s))
        ),
        Verdict::Unresponsive => format!(
            "not responding: pid {} is alive but the status file is {} old",
            status.pid,
            duration(age)
        ),
        Verdict::Stopped if status.state == State::Stopped => format!(
            "not running (stopped {} ago, after {} up)",
            duration(age),
            duration(Duration::from_secs(status.uptime_s))
        ),
        Verdict::Stopped => format!(
            "not running (pid {} is gone without a clean shutdown; last update {} ago)",
            status.pid,
            duration(age)
        ),
    };
    writeln!(out, "newsd {}: {headline}", status.version)?;
    if verdict == Verdict::Running {
        writeln!(
            out,
            "  ready:        {}{}",
            if status.ready { "yes" } else { "no" },
            if status.stalled {
                " (writer stalled)"
            } else {
                ""
            }
        )?;
        if let Some(addr) = &status.listen {
            writeln!(out, "  listening:    http://{addr}/ (metrics at /metrics)")?;
        }
        writeln!(
            out,
            "  inbox:        {} ({} waiting, {} in flight)",
            status.inbox.display(),
            status.inbox_backlog,
            status.in_flight
        )?;
        let r = &status.per_minute;
        let window = if r.window_s + 1.0 < super::status::RATE_WINDOW.as_secs_f64() {
            format!(
                " (over the first {})",
                duration(Duration::from_secs_f64(r.window_s.max(0.0)))
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "  last minute:  {:.1} processed/min, {:.1} failed/min, {}/min in{window}",
            r.processed,
            r.failed,
            bytes(r.bytes_in as u64)
        )?;
    }
    let t = &status.totals;
    let mut failed = format!("{} failed", t.failed);
    if !status.failed_by_reason.is_empty() {
        let reasons: Vec<String> = status
            .failed_by_reason
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        failed = format!("{failed} ({})", reasons.join(", "));
    }
    writeln!(
        out,
        "  totals:       {} processed, {failed}, {} duplicates, {} alerts",
        t.processed, t.duplicates, t.alerts
    )?;
    writeln!(
        out,
        "  bytes:        {} in, {} out, {} outbox rotations",
        bytes(t.bytes_in),
        bytes(t.bytes_out),
        t.rotations
    )?;
    // The file as it is now, not as it was at the last update.
    let size = std::fs::metadata(&status.outbox.path)
        .map(|m| m.len())
        .ok()
        .or(status.outbox.bytes);
    writeln!(
        out,
        "  outbox:       {} ({})",
        status.outbox.path.display(),
        size.map_or_else(|| "missing".to_string(), bytes)
    )?;
    match &status.last_error {
        Some(e) => writeln!(out, "  last error:   {} {}", e.time, e.message)?,
        None => writeln!(out, "  last error:   none")?,
    }
    Ok(verdict)
}

fn state_name(s: State) -> &'static str {
    match s {
        State::Starting => "starting: recovering work/",
        State::Running => "watching the inbox",
        State::Stopping => "stopping",
        State::Stopped => "stopped",
    }
}

fn age_of(s: &Status) -> Duration {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    now.saturating_sub(Duration::from_millis(s.updated_unix_ms))
}

/// The verdict from the last state written, whether the pid lives, and the file's age.
fn verdict(s: &Status, alive: bool, age: Duration) -> Verdict {
    match (s.state, alive, age <= STALE_AFTER) {
        (State::Stopped, _, _) | (_, false, _) => Verdict::Stopped,
        (_, true, true) => Verdict::Running,
        (_, true, false) => Verdict::Unresponsive,
    }
}

/// True when a process with this pid exists (ours to signal or not).
fn pid_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is delivered.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// `1h 02m`, `3m 05s`, `12s`.
fn duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        3600..86_400 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// `512 B`, `1.5 KiB`, `12.3 MiB`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations_read_well() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(duration(Duration::from_secs(65)), "1m 05s");
        assert_eq!(duration(Duration::from_secs(7320)), "2h 02m");
    }

    #[test]
    fn own_pid_is_alive() {
        assert!(pid_alive(std::process::id()));
        assert!(!pid_alive(0));
    }
}
