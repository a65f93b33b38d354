//! The outbox: one writer thread appending whole records, making them durable, then
//! releasing their inputs, and rotating the file.
//!
//! A single writer means records are never interleaved, and each record goes out in
//! one `write` so a reader following the file sees whole lines. Inputs are archived or
//! deleted only after their record is written (and, with `fsync = "always"`, flushed),
//! and rotation happens only between batches, when every record in the current file
//! has had its input released. So at any instant, a claimed file still in `work/`
//! either has no record yet or has one in the *current* file: that is what makes the
//! restart check in [`super::recover`] complete.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::watch;

use super::{Dirs, Runtime, Shared};
use async_nats::jetstream::message::Acker;

use crate::bus::{Bus, Outgoing, Publisher};
use crate::config::{AfterProcessing, FsyncPolicy, OutboxConfig};
use crate::dedup::{DedupIndex, Fingerprint};
use crate::fsutil;
use crate::observe::metrics::Metrics;
use crate::observe::recent::RecentArticle;
use crate::record::{DedupOut, Record};

/// The input a commit releases once its record is durable.
#[derive(Clone)]
pub enum Input {
    /// A claimed file in `work/`: archived or deleted.
    File {
        /// Where it sits in `work/`.
        work_path: PathBuf,
        /// Its original name (for the archive).
        name: OsString,
    },
    /// A message from the bus: acknowledged.
    Message(Arc<Acker>),
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::File { work_path, .. } => write!(f, "File({})", work_path.display()),
            Input::Message(_) => f.write_str("Message"),
        }
    }
}

/// A finished record waiting to be written, and the input it releases once durable.
#[derive(Debug)]
pub struct Commit {
    /// The record, still without its `dedup` section (decided here, in write order);
    /// `None` when only the input is to be released.
    pub record: Option<Box<Record>>,
    /// The body's fingerprint, for the duplicate index.
    pub fingerprint: Fingerprint,
    /// What to release.
    pub input: Input,
    /// The claim token (for a unique archive name on collisions).
    pub claim: String,
    /// When the worker started on it, for the latency log.
    pub claimed_at: Instant,
    /// The input's modification time: when it was dropped, for the drop-to-record
    /// latency.
    pub dropped_at: Option<SystemTime>,
    /// Its alert already reached the alerts file before a crash: do not write it again.
    pub skip_alert: bool,
    /// Release the input once this commit is durable (the last item of the input).
    pub release: bool,
    /// A message delivered again: its record may already be in the outbox file (a
    /// crash between the write and the ack), which the writer checks before writing.
    pub redelivered: bool,
}

impl Commit {
    /// A commit that writes nothing and releases the input (a batch whose records were
    /// all written before a crash).
    pub fn release_only(input: Input, claim: String, claimed_at: Instant) -> Self {
        Self {
            record: None,
            fingerprint: Fingerprint::default(),
            input,
            claim,
            claimed_at,
            dropped_at: None,
            skip_alert: true,
            release: true,
            redelivered: false,
        }
    }
}

/// Where the writer sends records besides (or instead of) the outbox file.
#[derive(Debug)]
pub struct Sinks {
    /// Records and alerts go to the outbox files.
    pub outbox: bool,
    /// Records and alerts are published to the bus.
    pub publisher: Option<Publisher>,
    /// The bus, to acknowledge source messages.
    pub bus: Option<Bus>,
}

/// The current outbox file.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    file: File,
    /// Bytes of whole records in the file; a failed write is cut back to this.
    len: u64,
    opened_at: SystemTime,
    /// Written since the last fsync. A file with nothing new is not synced: each
    /// fsync costs a device flush, and the alerts file is written rarely.
    dirty: bool,
}

impl Outbox {
    /// Opens (creating if needed) the outbox for appending, cutting a torn last line left
    /// by a crash. Returns the outbox and the number of bytes cut.
    pub fn open(path: &Path) -> io::Result<(Self, u64)> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)?;
        let meta = file.metadata()?;
        let opened_at = meta.created().unwrap_or_else(|_| SystemTime::now());
        let mut outbox = Self {
            path: path.to_path_buf(),
            file,
            len: meta.len(),
            opened_at,
            // The first sync also covers whatever an earlier run left unsynced.
            dirty: true,
        };
        let cut = outbox.cut_torn_tail()?;
        Ok((outbox, cut))
    }

    /// Truncates the file after its last `\n`. A record is written with one `write`, but
    /// a process killed mid-write can still leave part of one; its input is still in
    /// `work/`, so it will be written again whole.
    fn cut_torn_tail(&mut self) -> io::Result<u64> {
        let size = self.file.metadata()?.len();
        let mut end = size;
        let mut buf = vec![0u8; 64 * 1024];
        let keep = loop {
            if end == 0 {
                break 0;
            }
            let start = end.saturating_sub(buf.len() as u64);
            let chunk = &mut buf[..(end - start) as usize];
            self.file.seek(SeekFrom::Start(start))?;
            self.file.read_exact(chunk)?;
            if let Some(i) = memchr::memrchr(b'\n', chunk) {
                break start + i as u64 + 1;
            }
            end = start;
        };
        if keep < size {
            self.file.set_len(keep)?;
            self.file.sync_all()?;
        }
        self.len = keep;
        Ok(size - keep)
    }

    /// The claim tokens in the current file whose input claim (the part before any
    /// `.<item>`) is one of `claims`.
    pub fn find_claims(&self, claims: &HashSet<String>) -> io::Result<HashSet<String>> {
        if claims.is_empty() {
            return Ok(HashSet::new());
        }
        self.scan_claims(|token| claims.contains(token.split('.').next().unwrap_or(token)))
    }

    /// Every claim token in the current file that `keep` accepts, in one read.
    fn scan_claims(&self, mut keep: impl FnMut(&str) -> bool) -> io::Result<HashSet<String>> {
        const KEY: &[u8] = b"\"claim\":\"";
        let mut found = HashSet::new();
        let finder = memchr::memmem::Finder::new(KEY);
        let mut reader = BufReader::with_capacity(1 << 20, File::open(&self.path)?);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            let Some(at) = finder.find(&line) else {
                continue;
            };
            let rest = &line[at + KEY.len()..];
            let Some(end) = memchr::memchr(b'"', rest) else {
                continue;
            };
            if let Ok(token) = std::str::from_utf8(&rest[..end])
                && keep(token)
            {
                found.insert(token.to_string());
            }
        }
        Ok(found)
    }

    /// Appends one record with a single write. On error the file is cut back so no
    /// partial line stays behind.
    fn append(&mut self, line: &[u8]) -> io::Result<()> {
        match self.file.write_all(line) {
            Ok(()) => {
                self.len += line.len() as u64;
                self.dirty = true;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.len);
                Err(e)
            }
        }
    }

    fn sync(&mut self) -> io::Result<()> {
        if self.dirty {
            self.file.sync_data()?;
            self.dirty = false;
        }
        Ok(())
    }

    /// Rotates when the size or age limit is reached: the current file is renamed to
    /// `<stem>-<UTC timestamp>.<ext>` and a new, empty current file is created at once
    /// (so `tail -F` finds it), then old rotated files beyond `retain` are deleted.
    fn rotate_if_due(&mut self, cfg: &OutboxConfig) -> io::Result<bool> {
        let by_size = cfg.rotate_bytes > 0 && self.len >= cfg.rotate_bytes;
        let by_age = cfg.rotate_age_s > 0
            && self.len > 0
            && SystemTime::now()
                .duration_since(self.opened_at)
                .is_ok_and(|age| age >= Duration::from_secs(cfg.rotate_age_s));
        if !(by_size || by_age) {
            return Ok(false);
        }
        self.file.sync_all()?;
        let (dir, stem, ext) = self.parts();
        let rotated = dir.join(format!(
            "{stem}-{}{ext}",
            crate::clock::compact(SystemTime::now())
        ));
        fsutil::rename_noreplace(&self.path, &rotated)?;
        let (fresh, _) = Outbox::open(&self.path)?;
        *self = fresh;
        self.opened_at = SystemTime::now();
        fsutil::fsync_dir(&dir)?;
        tracing::info!(rotated = %rotated.display(), "outbox rotated");
        self.prune(cfg.retain)?;
        Ok(true)
    }

    /// Directory, file stem and `.ext` (possibly empty) of the current file.
    fn parts(&self) -> (PathBuf, String, String) {
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = self
            .path
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        (dir, stem, ext)
    }

    /// Deletes the oldest rotated files beyond `retain` (0 keeps all).
    fn prune(&self, retain: usize) -> io::Result<()> {
        if retain == 0 {
            return Ok(());
        }
        let (dir, stem, ext) = self.parts();
        let prefix = format!("{stem}-");
        let mut rotated: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(Result::ok)
            .filter(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.starts_with(&prefix) && n.ends_with(&ext) && n.len() > prefix.len() + ext.len()
            })
            .map(|e| e.path())
            .collect();
        // Timestamps in the names sort chronologically.
        rotated.sort();
        let excess = rotated.len().saturating_sub(retain);
        for old in &rotated[..excess] {
            std::fs::remove_file(old)?;
            tracing::info!(file = %old.display(), "old outbox file deleted");
        }
        Ok(())
    }
}

/// Releases an input whose record is durable: archive or delete it.
pub fn release(
    dirs: &Dirs,
    after: AfterProcessing,
    work_path: &Path,
    name: &OsString,
    claim: &str,
) {
    let result = match after {
        AfterProcessing::Delete => std::fs::remove_file(work_path),
        AfterProcessing::Archive => {
            let day = dirs.archive.join(crate::clock::date(SystemTime::now()));
            std::fs::create_dir_all(&day)
                .and_then(|()| fsutil::move_unique(work_path, &day, name, claim).map(|_| ()))
        }
    };
    if let Err(e) = result {
        // The record is out; the input stays in work/ and the next start releases it.
        tracing::error!(error = %e, work = %work_path.display(), "cannot release input");
    }
}

/// Runs the writer until every sender is gone, then flushes and returns.
#[allow(clippy::too_many_arguments)]
pub fn run(
    mut outbox: Outbox,
    mut alerts: Outbox,
    mut index: Option<DedupIndex>,
    mut sinks: Sinks,
    rx: Receiver<Commit>,
    runtime: watch::Receiver<Arc<Runtime>>,
    dirs: Arc<Dirs>,
    shared: Arc<Shared>,
) {
    let mut unsynced: Vec<Commit> = Vec::new();
    let mut last_sync = Instant::now();
    let mut batch: Vec<Commit> = Vec::new();
    let mut recent: Vec<RecentArticle> = Vec::new();
    let mut outgoing: Vec<Outgoing> = Vec::new();
    let mut bus_claims = BusClaims::default();
    // Since when written records have waited for others still being processed, so
    // that one fsync covers them all (`commit_delay_ms`).
    let mut lingering: Option<Instant> = None;
    loop {
        let rt = runtime.borrow().clone();
        let cfg = &rt.config.outbox;
        let interval = Duration::from_millis(cfg.fsync_interval_ms);
        let delay = Duration::from_millis(cfg.commit_delay_ms);
        let timeout = if let Some(since) = lingering {
            delay
                .saturating_sub(since.elapsed())
                .max(Duration::from_micros(100))
        } else if cfg.fsync == FsyncPolicy::Interval {
            interval
                .saturating_sub(last_sync.elapsed())
                .max(Duration::from_millis(1))
        } else {
            Duration::from_secs(1)
        };
        let disconnected = match rx.recv_timeout(timeout) {
            Ok(c) => {
                batch.push(c);
                // Take what else is waiting, so one fsync covers the whole batch.
                while batch.len() < 1024 {
                    match rx.try_recv() {
                        Ok(c) => batch.push(c),
                        Err(_) => break,
                    }
                }
                false
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => true,
        };
        let already_out = if sinks.outbox {
            let redelivered: Vec<&str> = batch
                .iter()
                .filter(|c| c.redelivered && c.record.is_some())
                .map(|c| c.claim.as_str())
                .collect();
            bus_claims.already_written(&outbox, &redelivered)
        } else {
            HashSet::new()
        };
        for mut commit in batch.drain(..) {
            let Some(record) = commit.record.as_mut() else {
                unsynced.push(commit);
                continue;
            };
            if let Some(index) = index.as_mut() {
                // The index entry is written before the record, so a crash in between
                // gives the reprocessed claim the same verdict (see dedup::index).
                match index.check_and_add(
                    &record.id,
                    &record.source.claim,
                    &commit.fingerprint,
                    crate::clock::unix_now(),
                ) {
                    Ok(verdict) => {
                        record.dedup = Some(DedupOut::new(&commit.fingerprint, verdict));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "duplicate index write failed; record written without dedup")
                    }
                }
            }
            let priority = crate::priority::compute(record, &rt.config.priority);
            let alert = priority.alert;
            record.priority = Some(priority);
            // The page keeps the text even when the outbox leaves it out.
            let page_text = match shared.recent {
                Some(_) if cfg.include_text => record.text.clone(),
                Some(_) => record.text.take(),
                None => None,
            };
            let line = record.to_line();
            let alerted = alert && !commit.skip_alert;
            if sinks.outbox && !already_out.contains(&record.source.claim) {
                // The alert goes first: after a crash between the two writes, recovery
                // sees the alert and does not repeat it (a record first would lose it).
                if alerted {
                    write_with_retry(&mut alerts, &line);
                }
                write_with_retry(&mut outbox, &line);
                bus_claims.written(&record.source.claim);
            }
            if let Some(p) = sinks.publisher.as_ref() {
                outgoing.extend(p.messages(record, &line, alert));
            }
            count_record(&shared.metrics, record, line.len(), alerted);
            if let Some(text) = page_text {
                recent.push(RecentArticle::of(record, text));
            }
            unsynced.push(commit);
        }
        if let Some(r) = shared.recent.as_ref() {
            r.add(crate::clock::unix_now(), std::mem::take(&mut recent));
        }
        if let Some(p) = sinks.publisher.as_mut()
            && !outgoing.is_empty()
        {
            let done = p.publish_all(std::mem::take(&mut outgoing));
            shared.metrics.published.inc_by(done.stored as u64);
            shared
                .metrics
                .publish_duplicates
                .inc_by(done.duplicates as u64);
        }
        let flush_now = match cfg.fsync {
            FsyncPolicy::Always => {
                // Other articles are being processed: their records will come within
                // a few milliseconds, and one fsync can cover them too.
                let others = shared.in_flight() > unsynced.len() as u64;
                let wait = !disconnected
                    && !unsynced.is_empty()
                    && others
                    && !delay.is_zero()
                    && lingering.get_or_insert_with(Instant::now).elapsed() < delay;
                !unsynced.is_empty() && !wait
            }
            FsyncPolicy::Interval => last_sync.elapsed() >= interval || disconnected,
            FsyncPolicy::Never => false,
        };
        if flush_now {
            if let Some(Err(e)) = index.as_mut().map(DedupIndex::sync) {
                tracing::error!(error = %e, "duplicate index fsync failed");
            }
            if let Err(e) = alerts.sync() {
                tracing::error!(error = %e, "alerts fsync failed");
            }
            if let Err(e) = outbox.sync() {
                tracing::error!(error = %e, "outbox fsync failed");
            }
            last_sync = Instant::now();
        }
        if flush_now || cfg.fsync != FsyncPolicy::Always {
            lingering = None;
        } else if lingering.is_some() {
            // Written but not yet synced: nothing to release or rotate before the fsync.
            continue;
        }
        // With `always`, inputs wait for the fsync above; otherwise the write is enough.
        let mut acks = Vec::new();
        for commit in unsynced.drain(..) {
            if !commit.release {
                continue;
            }
            match &commit.input {
                Input::File { work_path, name } => {
                    release(&dirs, rt.config.state.after, work_path, name, &commit.claim);
                }
                Input::Message(acker) => acks.push(acker.clone()),
            }
            shared.stats.record_success();
            let m = &shared.metrics;
            m.processed.inc();
            Metrics::observe(&m.claim_to_record, commit.claimed_at.elapsed());
            if let Some(dropped) = commit.dropped_at {
                // A clock step or a future mtime gives a negative age: count it as 0.
                let age = SystemTime::now()
                    .duration_since(dropped)
                    .unwrap_or_default();
                Metrics::observe(&m.drop_to_record, age);
            }
            tracing::debug!(
                claim = %commit.claim,
                latency_us = commit.claimed_at.elapsed().as_micros() as u64,
                "record durable, input released"
            );
        }
        if let Some(bus) = sinks.bus.as_ref() {
            bus.ack_all(&acks);
        }
        for (file, what) in [(&mut outbox, "outbox"), (&mut alerts, "alerts")] {
            match file.rotate_if_due(cfg) {
                Ok(true) => {
                    shared.metrics.rotations.inc();
                    if what == "outbox" {
                        bus_claims.rotated();
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, file = what, "rotation failed"),
            }
        }
        if disconnected {
            if let Err(e) = alerts.sync().and_then(|()| outbox.sync()) {
                tracing::error!(error = %e, "final outbox fsync failed");
            }
            return;
        }
    }
}

/// Claims of bus inputs whose records are in the current outbox file, for messages
/// delivered again after a crash lost their acknowledgement. Rotation waits until every
/// input of the file is released (acked), so the current file is the only place to
/// look. Read once, when the first redelivered message arrives, then kept up to date as
/// records are written, and forgotten at rotation.
#[derive(Debug, Default)]
struct BusClaims {
    loaded: Option<HashSet<String>>,
}

impl BusClaims {
    /// The claims (with their item suffix) of these redelivered inputs' records that
    /// are already written.
    fn already_written(&mut self, outbox: &Outbox, redelivered: &[&str]) -> HashSet<String> {
        if redelivered.is_empty() {
            return HashSet::new();
        }
        if self.loaded.is_none() {
            match outbox.scan_claims(|t| t.starts_with(BUS_CLAIM_PREFIX)) {
                Ok(set) => self.loaded = Some(set),
                Err(e) => {
                    tracing::error!(error = %e, "cannot read the outbox to check redelivered messages; writing them");
                    return HashSet::new();
                }
            }
        }
        let Some(written) = self.loaded.as_ref() else {
            return HashSet::new();
        };
        let found: HashSet<String> = written
            .iter()
            .filter(|t| redelivered.contains(&t.split('.').next().unwrap_or(t)))
            .cloned()
            .collect();
        if !found.is_empty() {
            tracing::info!(
                records = found.len(),
                "redelivered messages already have records in the outbox; not writing them again"
            );
        }
        found
    }

    /// A record was written to the current file.
    fn written(&mut self, claim: &str) {
        if let Some(set) = self.loaded.as_mut()
            && claim.starts_with(BUS_CLAIM_PREFIX)
        {
            set.insert(claim.to_string());
        }
    }

    /// The file was rotated: the new one is empty.
    fn rotated(&mut self) {
        self.loaded = Some(HashSet::new());
    }
}

/// How the claims of bus inputs begin (see `bus::Delivery::claim`).
const BUS_CLAIM_PREFIX: &str = "nats-";

/// Counts a written record: its bytes, verdicts and stage times.
fn count_record(m: &Metrics, record: &Record, bytes: usize, alerted: bool) {
    m.records.inc();
    m.bytes_out.inc_by(bytes as u64);
    if alerted {
        m.alerts.inc();
    }
    if record
        .dedup
        .as_ref()
        .is_some_and(|d| d.duplicate_of.is_some())
    {
        m.duplicates.inc();
    }
    m.observe_stages(record.timings_us.iter().map(|(k, v)| (*k, *v)));
}

/// Writes a record, retrying while the disk refuses (full, read-only): the input is not
/// released until its record is out, and backpressure holds the workers meanwhile.
fn write_with_retry(outbox: &mut Outbox, line: &[u8]) {
    let mut delay = Duration::from_millis(100);
    while let Err(e) = outbox.append(line) {
        tracing::error!(error = %e, retry_in_ms = delay.as_millis() as u64, "cannot write outbox");
        std::thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_tail_is_cut_at_last_newline() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.ndjson");
        std::fs::write(&p, b"{\"a\":1}\n{\"b\":2}\n{\"c\":").unwrap();
        let (outbox, cut) = Outbox::open(&p).unwrap();
        assert_eq!(cut, 5);
        assert_eq!(outbox.len, 16);
        assert_eq!(std::fs::read(&p).unwrap(), b"{\"a\":1}\n{\"b\":2}\n");
    }

    #[test]
    fn file_without_any_newline_is_emptied() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.ndjson");
        std::fs::write(&p, vec![b'x'; 100_000]).unwrap();
        let (_, cut) = Outbox::open(&p).unwrap();
        assert_eq!(cut, 100_000);
        assert!(std::fs::read(&p).unwrap().is_empty());
    }

    #[test]
    fn finds_claims_of_written_records() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.ndjson");
        std::fs::write(
            &p,
            b"{\"source\":{\"claim\":\"aa-1\"},\"text\":\"\\\"claim\\\":\\\"bb-2\\\"\"}\n",
        )
        .unwrap();
        let (outbox, _) = Outbox::open(&p).unwrap();
        let want: HashSet<String> = ["aa-1".to_string(), "bb-2".to_string()].into();
        let found = outbox.find_claims(&want).unwrap();
        assert_eq!(found, ["aa-1".to_string()].into());
    }

    #[test]
    fn redelivered_bus_inputs_are_found_once_read_then_followed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.ndjson");
        std::fs::write(
            &p,
            b"{\"source\":{\"claim\":\"nats-S-1-5\"}}\n{\"source\":{\"claim\":\"nats-S-2-6.3\"}}\n{\"source\":{\"claim\":\"1-abc-1\"}}\n",
        )
        .unwrap();
        let (outbox, _) = Outbox::open(&p).unwrap();
        let mut claims = BusClaims::default();
        assert!(claims.already_written(&outbox, &[]).is_empty());
        let found = claims.already_written(&outbox, &["nats-S-1-5", "nats-S-2-6", "nats-S-9-9"]);
        let want: HashSet<String> = ["nats-S-1-5".to_string(), "nats-S-2-6.3".to_string()].into();
        assert_eq!(found, want);
        // Written later in this run: found without reading the file again.
        claims.written("nats-S-9-9");
        claims.written("2-def-1");
        assert!(
            claims
                .already_written(&outbox, &["nats-S-9-9"])
                .contains("nats-S-9-9")
        );
        claims.rotated();
        assert!(claims.already_written(&outbox, &["nats-S-1-5"]).is_empty());
    }

    #[test]
    fn rotation_renames_and_prunes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("articles.ndjson");
        let (mut outbox, _) = Outbox::open(&p).unwrap();
        let cfg = OutboxConfig {
            rotate_bytes: 10,
            retain: 2,
            ..OutboxConfig::default()
        };
        for i in 0..4 {
            outbox
                .append(format!("{{\"n\":{i:08}}}\n").as_bytes())
                .unwrap();
            assert!(outbox.rotate_if_due(&cfg).unwrap());
            std::thread::sleep(Duration::from_millis(2));
        }
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), 3, "{names:?}");
        assert!(names.contains(&"articles.ndjson".to_string()));
        assert_eq!(std::fs::metadata(&p).unwrap().len(), 0);
        let newest = dir.path().join(&names[1]);
        assert_eq!(
            std::fs::read_to_string(newest).unwrap(),
            "{\"n\":00000003}\n"
        );
    }
}
