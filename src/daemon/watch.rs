//! Watching the inbox and handing ready file names to the dispatcher.
//!
//! The watcher is one plain thread: inotify events (through `notify`) tell it about
//! files quickly, a scan at start, a periodic rescan and a rescan after any event
//! overflow make sure nothing is missed, and `poll` mode uses scans alone. Ready names
//! go into a small bounded channel; when workers are busy the send blocks, events pile
//! up in the kernel until its queue overflows, and the next rescan picks up whatever
//! is there. So the inbox itself is the queue and a burst of any size costs a bounded
//! amount of memory.

use std::collections::HashSet;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use super::tracker::{FileStat, Timing, Tracker};
use super::{Job, Shared};
use crate::config::{InboxConfig, WatchMode};

/// Longest the watcher sleeps before looking at cancellation and timers again.
const TICK: Duration = Duration::from_millis(100);

/// Capacity of the event channel from notify's thread; past it, events are dropped and
/// a rescan is scheduled instead.
const EVENT_QUEUE: usize = 8192;

/// Errors that stop the watcher from starting.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// inotify could not be set up (e.g. too many watches).
    #[error("cannot watch {path}: {source}")]
    Notify {
        /// The inbox.
        path: PathBuf,
        /// The error from notify.
        source: notify::Error,
    },
}

/// Which file names the daemon leaves alone.
#[derive(Debug, Clone)]
pub struct IgnoreRules {
    patterns: Vec<Vec<u8>>,
}

impl IgnoreRules {
    /// Rules from the `inbox.ignore` globs; dotfiles are always ignored.
    pub fn new(patterns: &[String]) -> Self {
        Self {
            patterns: patterns.iter().map(|p| p.as_bytes().to_vec()).collect(),
        }
    }

    /// True for dotfiles and names matching an ignore pattern.
    pub fn ignores(&self, name: &OsStr) -> bool {
        let name = name.as_bytes();
        name.first() == Some(&b'.') || self.patterns.iter().any(|p| glob_match(p, name))
    }
}

/// Matches a file name against a glob of `*` (any run) and `?` (any one byte).
///
/// Written here because that is the whole grammar the ignore list needs; a glob crate
/// would bring path semantics and character classes that do not apply to one name.
fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, n));
            p += 1;
        } else if let Some((sp, sn)) = star {
            p = sp + 1;
            n = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// What the watcher needs to run.
pub struct WatchContext {
    /// `[inbox]` settings at start, with `path` made canonical (paths and mode cannot
    /// change without a restart).
    pub inbox: InboxConfig,
    /// Latest timing settings (updated on reload).
    pub timing: Arc<Mutex<Timing>>,
    /// Where ready names go.
    pub ready: Sender<Job>,
    /// Names queued or in flight, and names refused in place.
    pub shared: Arc<Shared>,
    /// Stops the watcher.
    pub cancel: CancellationToken,
}

/// Starts watching the inbox and returns the watcher thread. Setting up inotify happens
/// before this returns, so a failure (e.g. the watch limit) stops the start-up.
pub fn start(ctx: WatchContext) -> Result<std::thread::JoinHandle<()>, WatchError> {
    let (event_tx, event_rx) = sync_channel::<notify::Result<Event>>(EVENT_QUEUE);
    let overflow = Arc::new(AtomicBool::new(false));
    // Start watching before the first scan, so a file dropped meanwhile is seen by one or the other.
    let watcher = match ctx.inbox.watch {
        WatchMode::Notify => {
            let flag = overflow.clone();
            let mut watcher = notify::recommended_watcher(move |res| {
                // Never block notify's thread: a full queue becomes a rescan.
                if let Err(TrySendError::Full(_)) = event_tx.try_send(res) {
                    flag.store(true, Ordering::Relaxed);
                }
            })
            .map_err(|source| WatchError::Notify {
                path: ctx.inbox.path.clone(),
                source,
            })?;
            watcher
                .watch(&ctx.inbox.path, RecursiveMode::NonRecursive)
                .map_err(|source| WatchError::Notify {
                    path: ctx.inbox.path.clone(),
                    source,
                })?;
            Some(watcher)
        }
        WatchMode::Poll => None,
    };
    std::thread::Builder::new()
        .name("newsd-watch".into())
        .spawn(move || {
            run(&ctx, &event_rx, &overflow);
            // Drop the receiver before the watcher, so notify's thread is never left
            // blocked on a send during teardown.
            drop(event_rx);
            drop(watcher);
        })
        .map_err(|e| WatchError::Notify {
            path: PathBuf::new(),
            source: notify::Error::io(e),
        })
}

/// The watcher loop: runs until cancelled or until the dispatcher goes away.
fn run(ctx: &WatchContext, event_rx: &Receiver<notify::Result<Event>>, overflow: &AtomicBool) {
    let scan_every = match ctx.inbox.watch {
        WatchMode::Notify => Duration::from_secs(ctx.inbox.rescan_interval_s),
        WatchMode::Poll => Duration::from_millis(ctx.inbox.poll_interval_ms),
    };
    let timing = current_timing(ctx);
    let mut w = Inner {
        ignore: IgnoreRules::new(&ctx.inbox.ignore),
        tracker: Tracker::new(timing),
        ctx,
    };
    let mut next_scan = Instant::now();
    loop {
        if ctx.cancel.is_cancelled() {
            return;
        }
        w.tracker.set_timing(current_timing(ctx));
        let now = Instant::now();
        if overflow.swap(false, Ordering::Relaxed) {
            tracing::warn!("inbox event queue overflowed; rescanning");
            w.tracker.forget_events(now);
            next_scan = now;
        }
        if now >= next_scan {
            if !w.scan() {
                return;
            }
            next_scan = Instant::now() + scan_every;
        }
        if !w.check_due() {
            return;
        }
        let mut wake = next_scan.min(Instant::now() + TICK);
        if let Some(due) = w.tracker.next_due() {
            wake = wake.min(due);
        }
        if !w.wait_events(event_rx, wake) {
            return;
        }
    }
}

fn current_timing(ctx: &WatchContext) -> Timing {
    *ctx.timing.lock().unwrap_or_else(|e| e.into_inner())
}

struct Inner<'a> {
    ignore: IgnoreRules,
    tracker: Tracker,
    ctx: &'a WatchContext,
}

impl Inner<'_> {
    fn path(&self, name: &OsStr) -> PathBuf {
        self.ctx.inbox.path.join(name)
    }

    /// Hands a ready name to the dispatcher. Returns false when the dispatcher is gone.
    fn send(&self, name: OsString) -> bool {
        if !self.ctx.shared.mark_queued(&name) {
            return true;
        }
        self.ctx.shared.metrics.seen.inc();
        match self.ctx.ready.blocking_send(Job::Inbox(name)) {
            Ok(()) => true,
            Err(_) => false,
        }
    }

    /// Lists the inbox, sending ready files and tracking fresh ones.
    fn scan(&mut self) -> bool {
        let entries = match std::fs::read_dir(&self.ctx.inbox.path) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(path = %self.ctx.inbox.path.display(), error = %e, "cannot list inbox");
                return true;
            }
        };
        let mut present = HashSet::new();
        for entry in entries {
            if self.ctx.cancel.is_cancelled() {
                return false;
            }
            let Ok(entry) = entry else { continue };
            let name = entry.file_name();
            if self.ignore.ignores(&name) {
                continue;
            }
            if self.ctx.shared.is_refused(&name) {
                present.insert(name);
                continue;
            }
            // DirEntry::metadata does not follow symlinks.
            let Ok(meta) = entry.metadata() else { continue };
            let stat = file_stat(&meta);
            if self
                .tracker
                .scanned(name.clone(), Instant::now(), SystemTime::now(), stat)
                && !self.send(name)
            {
                return false;
            }
        }
        self.ctx.shared.retain_refused(&present);
        true
    }

    /// Looks again at pending files whose time has come.
    fn check_due(&mut self) -> bool {
        let now = Instant::now();
        for name in self.tracker.take_due(now) {
            let stat = std::fs::symlink_metadata(self.path(&name))
                .ok()
                .map(|m| file_stat(&m));
            if self.tracker.check(&name, now, SystemTime::now(), stat) && !self.send(name) {
                return false;
            }
        }
        true
    }

    /// Waits for events until `until`, handling each. Returns false when the dispatcher is gone.
    fn wait_events(&mut self, rx: &Receiver<notify::Result<Event>>, until: Instant) -> bool {
        let timeout = until.saturating_duration_since(Instant::now());
        let first = match rx.recv_timeout(timeout) {
            Ok(ev) => ev,
            Err(RecvTimeoutError::Timeout) => return true,
            // Poll mode: no watcher holds the sender, so the channel is closed; sleep instead.
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(timeout);
                return true;
            }
        };
        let mut next = Some(first);
        // Drain what is already queued, but keep timers and cancellation responsive.
        let mut budget = 4096;
        while let Some(ev) = next.take() {
            if !self.handle(ev) {
                return false;
            }
            budget -= 1;
            if budget == 0 {
                break;
            }
            next = rx.try_recv().ok();
        }
        true
    }

    fn handle(&mut self, event: notify::Result<Event>) -> bool {
        let event = match event {
            Ok(ev) => ev,
            Err(e) => {
                tracing::warn!(error = %e, "inbox watch error; rescanning");
                self.tracker.forget_events(Instant::now());
                return self.scan();
            }
        };
        if event.need_rescan() {
            tracing::warn!("inbox watch asked for a rescan");
            self.tracker.forget_events(Instant::now());
            return self.scan();
        }
        let now = Instant::now();
        match event.kind {
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
                if let Some(from) = event.paths.first().and_then(|p| self.name_of(p)) {
                    self.tracker.removed(&from);
                }
                if let Some(to) = event.paths.get(1).and_then(|p| self.name_of(p)) {
                    return self.arrived(to);
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
                for name in self.names(&event) {
                    if !self.arrived(name) {
                        return false;
                    }
                }
            }
            EventKind::Modify(ModifyKind::Name(RenameMode::From)) | EventKind::Remove(_) => {
                for name in self.names(&event) {
                    self.tracker.removed(&name);
                }
            }
            EventKind::Modify(ModifyKind::Name(_)) => {
                // A rename notify could not pair: judge the name by a fresh look.
                for name in self.names(&event) {
                    match std::fs::symlink_metadata(self.path(&name)) {
                        Ok(_) => {
                            if !self.arrived(name) {
                                return false;
                            }
                        }
                        Err(_) => self.tracker.removed(&name),
                    }
                }
            }
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
                for name in self.names(&event) {
                    let stat = std::fs::symlink_metadata(self.path(&name))
                        .ok()
                        .map(|m| file_stat(&m));
                    if self.tracker.closed(name.clone(), now, stat) && !self.send(name) {
                        return false;
                    }
                }
            }
            EventKind::Modify(ModifyKind::Metadata(_) | ModifyKind::Other | ModifyKind::Any) => {
                // chmod, touch and the like say nothing about writing: a file we do not
                // track yet is judged like a scanned one; a tracked one keeps its state.
                for name in self.names(&event) {
                    if self.tracker.contains(&name) {
                        continue;
                    }
                    let Ok(meta) = std::fs::symlink_metadata(self.path(&name)) else {
                        continue;
                    };
                    let ready = self.tracker.scanned(
                        name.clone(),
                        now,
                        SystemTime::now(),
                        file_stat(&meta),
                    );
                    if ready && !self.send(name) {
                        return false;
                    }
                }
            }
            EventKind::Create(_) | EventKind::Modify(_) => {
                for name in self.names(&event) {
                    // A new directory, FIFO or symlink gets no close event: judge it now.
                    match std::fs::symlink_metadata(self.path(&name)) {
                        Ok(m) if !m.file_type().is_file() => {
                            if !self.send(name) {
                                return false;
                            }
                        }
                        Ok(_) => self.tracker.written(name, now),
                        Err(_) => self.tracker.removed(&name),
                    }
                }
            }
            _ => {}
        }
        true
    }

    /// A complete file appeared by rename.
    fn arrived(&mut self, name: OsString) -> bool {
        if self.tracker.renamed_in(&name) {
            return self.send(name);
        }
        true
    }

    fn name_of(&self, path: &Path) -> Option<OsString> {
        // Events carry the watched (canonical) inbox path joined with the name.
        if path.parent() != Some(self.ctx.inbox.path.as_path()) {
            return None;
        }
        let name = path.file_name()?;
        if self.ignore.ignores(name) || self.ctx.shared.is_refused(name) {
            return None;
        }
        Some(name.to_os_string())
    }

    fn names(&self, event: &Event) -> Vec<OsString> {
        event.paths.iter().filter_map(|p| self.name_of(p)).collect()
    }
}

fn file_stat(meta: &std::fs::Metadata) -> FileStat {
    FileStat {
        size: meta.len(),
        mtime: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        regular: meta.file_type().is_file(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_a_shell() {
        assert!(glob_match(b"*.part", b"story.txt.part"));
        assert!(!glob_match(b"*.part", b"story.txt"));
        assert!(glob_match(b"*~", b"draft~"));
        assert!(glob_match(b"a?c", b"abc"));
        assert!(!glob_match(b"a?c", b"abbc"));
        assert!(glob_match(b"*.*.tmp", b"x.y.tmp"));
        assert!(glob_match(b"*", b""));
    }

    #[test]
    fn dotfiles_and_temporaries_are_ignored() {
        let rules = IgnoreRules::new(&["*.part".into(), "*.swp".into()]);
        assert!(rules.ignores(OsStr::new(".hidden")));
        assert!(rules.ignores(OsStr::new("a.txt.part")));
        assert!(rules.ignores(OsStr::new(".a.txt.swp")));
        assert!(!rules.ignores(OsStr::new("a.txt")));
    }
}
