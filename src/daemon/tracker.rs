//! Deciding when a file in the inbox is ready to claim.
//!
//! Producers either rename a finished file into the inbox (ready at once) or write it
//! in place (`cp`, `scp`), in which case it is ready only once closed and then left
//! unchanged for the settle time. Files found by a directory scan, with no events to
//! go by, are ready once their size and mtime have been still for the settle time.
//! This module is pure bookkeeping over names, stats and clocks, so it is tested
//! without a filesystem; the watcher feeds it events and stats.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::ffi::OsString;
use std::time::{Duration, Instant, SystemTime};

/// What a `stat` of a pending file said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    /// Size in bytes.
    pub size: u64,
    /// Modification time.
    pub mtime: SystemTime,
    /// False for directories, symlinks, FIFOs and the like: those are "ready" at once
    /// so the worker can refuse them.
    pub regular: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Created or modified, no close seen yet: a writer has it open.
    Open,
    /// Closed after writing; waiting for the settle time.
    Closed,
    /// Found by a scan; no events known.
    Scanned,
}

#[derive(Debug)]
struct Pending {
    phase: Phase,
    /// Stat at the last look, to tell whether the file changed since.
    seen: Option<FileStat>,
    /// Bumped on every re-arm; stale heap entries carry an older value.
    generation: u64,
}

/// Timing settings (from `[inbox]`; may change on reload).
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Quiet time after close (or since the last change, for scanned files).
    pub settle: Duration,
    /// An open file untouched this long is taken anyway.
    pub open_timeout: Duration,
}

/// Per-name readiness state for files not yet handed to a worker.
#[derive(Debug)]
pub struct Tracker {
    timing: Timing,
    pending: HashMap<OsString, Pending>,
    /// Min-heap of (due, generation, name); entries whose generation is stale are skipped.
    due: BinaryHeap<Reverse<(Instant, u64, OsString)>>,
    next_generation: u64,
}

impl Tracker {
    /// An empty tracker.
    pub fn new(timing: Timing) -> Self {
        Self {
            timing,
            pending: HashMap::new(),
            due: BinaryHeap::new(),
            next_generation: 0,
        }
    }

    /// Applies new timing settings to future decisions.
    pub fn set_timing(&mut self, timing: Timing) {
        self.timing = timing;
    }

    /// Number of files waiting to become ready.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// True when `name` is being tracked.
    pub fn contains(&self, name: &OsString) -> bool {
        self.pending.contains_key(name)
    }

    fn arm(&mut self, name: OsString, phase: Phase, seen: Option<FileStat>, at: Instant) {
        self.next_generation += 1;
        let generation = self.next_generation;
        self.due.push(Reverse((at, generation, name.clone())));
        self.pending.insert(
            name,
            Pending {
                phase,
                seen,
                generation,
            },
        );
    }

    /// A file was renamed into the inbox: it is complete. Returns true (ready).
    pub fn renamed_in(&mut self, name: &OsString) -> bool {
        self.pending.remove(name);
        true
    }

    /// A file was created or written: a writer has it open.
    pub fn written(&mut self, name: OsString, now: Instant) {
        let at = now + self.timing.open_timeout;
        self.arm(name, Phase::Open, None, at);
    }

    /// A writer closed the file. Returns true if it is ready at once (no settle time).
    pub fn closed(&mut self, name: OsString, now: Instant, stat: Option<FileStat>) -> bool {
        if self.timing.settle.is_zero() {
            self.pending.remove(&name);
            return true;
        }
        let at = now + self.timing.settle;
        self.arm(name, Phase::Closed, stat, at);
        false
    }

    /// The file left the inbox (removed or renamed away).
    pub fn removed(&mut self, name: &OsString) {
        self.pending.remove(name);
    }

    /// A scan found the file. Returns true if it is ready now. Files already pending
    /// keep their own timer.
    pub fn scanned(
        &mut self,
        name: OsString,
        now: Instant,
        wall: SystemTime,
        stat: FileStat,
    ) -> bool {
        if self.pending.contains_key(&name) {
            return false;
        }
        if !stat.regular {
            return true;
        }
        let age = wall.duration_since(stat.mtime).unwrap_or_default();
        if age >= self.timing.settle {
            return true;
        }
        let wait = self.timing.settle - age;
        self.arm(name, Phase::Scanned, Some(stat), now + wait);
        false
    }

    /// Forgets what events said (after an event queue overflow): every pending file is
    /// judged again as if found by a scan.
    pub fn forget_events(&mut self, now: Instant) {
        let names: Vec<OsString> = self.pending.keys().cloned().collect();
        for name in names {
            self.arm(name, Phase::Scanned, None, now);
        }
    }

    /// When the next pending file is due for a look.
    pub fn next_due(&mut self) -> Option<Instant> {
        while let Some(Reverse((at, generation, name))) = self.due.peek() {
            match self.pending.get(name) {
                Some(p) if p.generation == *generation => return Some(*at),
                _ => {
                    self.due.pop();
                }
            }
        }
        None
    }

    /// Takes the names due for a look by `now`; call [`Tracker::check`] on each.
    pub fn take_due(&mut self, now: Instant) -> Vec<OsString> {
        let mut out = Vec::new();
        while let Some(Reverse((at, generation, name))) = self.due.peek() {
            if *at > now {
                break;
            }
            let live = self
                .pending
                .get(name)
                .is_some_and(|p| p.generation == *generation);
            let name = name.clone();
            self.due.pop();
            if live {
                out.push(name);
            }
        }
        out
    }

    /// Looks again at a due file, given a fresh stat (`None` when it vanished).
    /// Returns true when it is ready; otherwise re-arms it.
    pub fn check(
        &mut self,
        name: &OsString,
        now: Instant,
        wall: SystemTime,
        stat: Option<FileStat>,
    ) -> bool {
        let Some(pending) = self.pending.get(name) else {
            return false;
        };
        let Some(stat) = stat else {
            self.pending.remove(name);
            return false;
        };
        let age = wall.duration_since(stat.mtime).unwrap_or_default();
        let ready = !stat.regular
            || match pending.phase {
                // A writer that holds a file open but has not touched it for the open
                // timeout has most likely died or forgotten it.
                Phase::Open => age >= self.timing.open_timeout,
                // Unchanged since the close (or the previous look) a full settle time ago.
                // (With no earlier stat to compare, an mtime older than the settle time
                // is the evidence instead.)
                Phase::Closed | Phase::Scanned => match pending.seen {
                    Some(seen) => seen == stat,
                    None => age >= self.timing.settle,
                },
            };
        if ready {
            self.pending.remove(name);
            return true;
        }
        let phase = pending.phase;
        let at = match phase {
            Phase::Open => {
                now + self
                    .timing
                    .open_timeout
                    .saturating_sub(age)
                    .max(self.timing.settle)
            }
            Phase::Closed | Phase::Scanned => now + self.timing.settle,
        };
        self.arm(name.clone(), phase, Some(stat), at);
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timing() -> Timing {
        Timing {
            settle: Duration::from_millis(500),
            open_timeout: Duration::from_secs(60),
        }
    }

    fn stat(size: u64, mtime: SystemTime) -> FileStat {
        FileStat {
            size,
            mtime,
            regular: true,
        }
    }

    #[test]
    fn renamed_file_is_ready_at_once() {
        let mut t = Tracker::new(timing());
        assert!(t.renamed_in(&"a".into()));
        assert!(t.is_empty());
    }

    #[test]
    fn written_file_waits_for_close_then_settle() {
        let mut t = Tracker::new(timing());
        let now = Instant::now();
        let wall = SystemTime::now();
        t.written("a".into(), now);
        assert!(
            t.take_due(now + Duration::from_secs(1)).is_empty(),
            "open files are not due"
        );
        assert!(!t.closed("a".into(), now, Some(stat(10, wall))));
        assert!(t.take_due(now + Duration::from_millis(100)).is_empty());
        let later = now + Duration::from_millis(600);
        let due = t.take_due(later);
        assert_eq!(due, vec![OsString::from("a")]);
        assert!(t.check(&due[0], later, wall, Some(stat(10, wall))));
    }

    #[test]
    fn a_change_after_close_restarts_the_settle_time() {
        let mut t = Tracker::new(timing());
        let now = Instant::now();
        let wall = SystemTime::now();
        t.closed("a".into(), now, Some(stat(10, wall)));
        let later = now + Duration::from_millis(600);
        let name = OsString::from("a");
        assert!(
            !t.check(&name, later, wall, Some(stat(20, wall))),
            "grew since close"
        );
        assert!(t.take_due(later + Duration::from_millis(100)).is_empty());
        let again = later + Duration::from_millis(600);
        assert_eq!(t.take_due(again), vec![name.clone()]);
        assert!(t.check(&name, again, wall, Some(stat(20, wall))));
    }

    #[test]
    fn a_write_after_close_reopens() {
        let mut t = Tracker::new(timing());
        let now = Instant::now();
        let wall = SystemTime::now();
        t.closed("a".into(), now, Some(stat(10, wall)));
        t.written("a".into(), now + Duration::from_millis(100));
        assert!(t.take_due(now + Duration::from_secs(2)).is_empty());
    }

    #[test]
    fn scanned_old_file_is_ready_and_fresh_file_waits() {
        let mut t = Tracker::new(timing());
        let now = Instant::now();
        let wall = SystemTime::now();
        let old = wall - Duration::from_secs(10);
        assert!(t.scanned("old".into(), now, wall, stat(5, old)));
        assert!(!t.scanned("new".into(), now, wall, stat(5, wall)));
        assert_eq!(t.len(), 1);
        let later = now + Duration::from_millis(500);
        let due = t.take_due(later);
        assert_eq!(due, vec![OsString::from("new")]);
        assert!(t.check(
            &due[0],
            later,
            wall + Duration::from_millis(500),
            Some(stat(5, wall))
        ));
    }

    #[test]
    fn irregular_files_are_ready_for_refusal() {
        let mut t = Tracker::new(timing());
        let s = FileStat {
            size: 0,
            mtime: SystemTime::now(),
            regular: false,
        };
        assert!(t.scanned("fifo".into(), Instant::now(), SystemTime::now(), s));
    }

    #[test]
    fn vanished_files_are_dropped() {
        let mut t = Tracker::new(timing());
        let now = Instant::now();
        t.closed("a".into(), now, None);
        let later = now + Duration::from_secs(1);
        let due = t.take_due(later);
        assert!(!t.check(&due[0], later, SystemTime::now(), None));
        assert!(t.is_empty());
    }

    #[test]
    fn stale_open_file_is_taken_after_timeout() {
        let mut t = Tracker::new(Timing {
            settle: Duration::from_millis(10),
            open_timeout: Duration::from_millis(50),
        });
        let now = Instant::now();
        let wall = SystemTime::now();
        t.written("a".into(), now);
        let later = now + Duration::from_millis(60);
        let due = t.take_due(later);
        assert_eq!(due.len(), 1);
        let mtime = wall - Duration::from_millis(100);
        assert!(t.check(&due[0], later, wall, Some(stat(1, mtime))));
    }
}
