//! One article's trip from claim to a record waiting for the outbox writer.
//!
//! Runs on one of the worker threads (`pool`; the dispatcher bounds how many at once): claim by atomic
//! rename into `work/`, read without following links or blocking, run the pipeline,
//! then hand the record to the writer. A refused input goes to `failed/` here. The
//! input stays in `work/` until the writer has made its record durable.

use std::ffi::OsString;
use std::sync::mpsc::SyncSender;
use std::time::Instant;

use super::outbox::{Commit, Input};
use super::{Dirs, Job, Runtime, Shared, failed};
use crate::bus::Delivery;
use std::collections::HashSet;

use crate::article::{self, ArticleError, BuildContext, ItemOutcome, Origin};
use crate::claim;
use crate::input;

/// A claimed input: where it sits in `work/` (or the bus message) and what the record
/// will say about it.
struct Claimed {
    input: Input,
    name: OsString,
    origin: Origin,
    /// Items (0: the whole input) whose records a previous run already wrote.
    written: HashSet<usize>,
    /// Items whose alerts a previous run already wrote.
    alerted: HashSet<usize>,
    /// The bus message, when the input came from the bus.
    delivery: Option<Box<Delivery>>,
}

impl Claimed {
    /// The refusal of this input (or of one of its items) as the `failed/` sidecar's
    /// JSON, for a dead letter.
    fn failure_json(&self, reason: &str, message: String, item: Option<usize>) -> String {
        let o = &self.origin;
        failed::failure_json(reason, message, &o.name, &o.path, Some(&o.claim), item)
    }
}

/// Processes one job to the point where the writer takes over (or the input is refused).
pub fn handle(job: Job, rt: &Runtime, dirs: &Dirs, shared: &Shared, out: &SyncSender<Commit>) {
    let Some(claimed) = claim(job, dirs, shared) else {
        shared.stats.record_skip();
        return;
    };
    let span = tracing::info_span!(
        "article",
        claim = %claimed.origin.claim,
        path = %claimed.origin.path,
        id = tracing::field::Empty
    );
    let _enter = span.enter();
    let started = Instant::now();
    let ctx = BuildContext {
        pipeline: &rt.pipeline,
        formats: &rt.config.formats,
        // The live page shows the text even when the outbox leaves it out; the writer
        // takes it out of the record then.
        include_text: rt.config.outbox.include_text || shared.recent.is_some(),
    };
    let metrics = &shared.metrics;
    let mut dropped_at = None;
    let max_bytes = rt.config.inbox.max_bytes;
    let raw = match (&claimed.delivery, &claimed.input) {
        (Some(d), _) => message_input(d, max_bytes),
        (None, Input::File { work_path, .. }) => input::read_file(work_path, max_bytes),
        (None, Input::Message(_)) => Err(input::InputError::Io(std::io::Error::other(
            "a bus input without its message",
        ))),
    };
    let result = raw.map_err(ArticleError::from).and_then(|raw| {
        metrics.bytes_in.inc_by(raw.bytes.len() as u64);
        dropped_at = raw.mtime;
        article::build(&raw, &claimed.origin, ctx, &claimed.written, started)
    });
    let built = match result {
        Ok(built) => built,
        Err(e) => {
            refuse(&claimed, dirs, shared, e.code(), e.to_string());
            return;
        }
    };
    let redelivered = claimed.delivery.as_ref().is_some_and(|d| d.delivered > 1);
    let mut commits = Vec::with_capacity(built.items.len());
    for outcome in built.items {
        match outcome {
            ItemOutcome::Record(p) => {
                span.record("id", p.record.id.as_str());
                tracing::debug!(words = p.record.text_stats.words, item = ?p.record.source.item, "processed");
                let item = p.record.source.item.unwrap_or(0);
                commits.push(Commit {
                    record: Some(Box::new(p.record)),
                    fingerprint: p.fingerprint,
                    input: claimed.input.clone(),
                    claim: claimed.origin.claim.clone(),
                    claimed_at: started,
                    dropped_at,
                    skip_alert: claimed.alerted.contains(&item),
                    release: false,
                    redelivered,
                });
            }
            ItemOutcome::Failed {
                item,
                code,
                message,
            } => {
                metrics.failed_item(code);
                refuse_item(&claimed, dirs, shared, item, code, message);
            }
        }
    }
    // The input is released with its last record; a batch whose records were all
    // written before a crash is released without one.
    match commits.last_mut() {
        Some(last) => last.release = true,
        None => commits.push(Commit::release_only(
            claimed.input.clone(),
            claimed.origin.claim.clone(),
            started,
        )),
    }
    for commit in commits {
        // Blocks while the writer's queue is full: that is the backpressure that
        // keeps records (and articles) in memory bounded.
        if out.send(commit).is_err() {
            tracing::warn!("outbox writer is gone; input stays in work/ for the next start");
            shared.stats.record_skip();
            return;
        }
    }
}

/// A bus message's payload as an input, refused like a file when over the size limit.
fn message_input(d: &Delivery, max_bytes: u64) -> Result<input::RawInput, input::InputError> {
    let size = d.payload.len() as u64;
    if size > max_bytes {
        return Err(input::InputError::TooLarge {
            size,
            limit: max_bytes,
        });
    }
    Ok(input::RawInput {
        bytes: d.payload.to_vec(),
        mtime: Some(d.published),
    })
}

/// Sends a refused input to `failed/` (a file) or towards the dead letters (a message).
fn refuse(claimed: &Claimed, dirs: &Dirs, shared: &Shared, reason: &str, message: String) {
    let metrics = &shared.metrics;
    match (&claimed.delivery, &claimed.input, shared.bus.as_ref()) {
        (Some(d), _, Some(bus)) => {
            let failure = claimed.failure_json(reason, message, None);
            tracing::warn!(reason, delivered = d.delivered, "message refused");
            if bus.block_on(crate::bus::dead_letter(bus, d, failure, reason)) {
                metrics.dead_letters.inc();
                metrics.failed(reason);
                shared.stats.record_failure();
            } else {
                // Delivered again later: not finished.
                shared.stats.record_skip();
            }
        }
        (_, Input::File { work_path, .. }, _) => {
            if let Err(io) = failed::refuse(
                &dirs.failed,
                work_path,
                &claimed.name,
                &claimed.origin.claim,
                &dirs.inbox_as_configured,
                reason,
                message,
            ) {
                tracing::error!(error = %io, reason, "cannot move refused input to failed/; it stays in work/");
            }
            metrics.failed(reason);
            shared.stats.record_failure();
        }
        _ => shared.stats.record_skip(),
    }
}

/// Records one refused element of a batch input: a sidecar in `failed/`, or a dead
/// letter carrying the failure (the message itself is acknowledged with the records).
fn refuse_item(
    claimed: &Claimed,
    dirs: &Dirs,
    shared: &Shared,
    item: usize,
    code: &str,
    message: String,
) {
    if let (Some(d), Some(bus)) = (&claimed.delivery, shared.bus.as_ref()) {
        let failure = claimed.failure_json(code, message, Some(item));
        if bus.block_on(crate::bus::dead_letter_item(bus, d, item, failure, code)) {
            shared.metrics.dead_letters.inc();
        }
        return;
    }
    if let Err(io) = failed::refuse_item(
        &dirs.failed,
        &claimed.name,
        &claimed.origin.claim,
        &dirs.inbox_as_configured,
        item,
        code,
        message,
    ) {
        tracing::error!(error = %io, item, "cannot write the item's failure sidecar");
    }
}

/// Claims an inbox file by renaming it into `work/`, or picks up a reclaimed work file.
fn claim(job: Job, dirs: &Dirs, shared: &Shared) -> Option<Claimed> {
    match job {
        Job::Inbox(name) => {
            let token = claim::new_token();
            let from = dirs.inbox.join(&name);
            let work_path = dirs.work.join(claim::work_name(&token, &name));
            let renamed = std::fs::rename(&from, &work_path);
            shared.unmark_queued(&name);
            match renamed {
                Ok(()) => {
                    shared.metrics.claimed.inc();
                }
                // Gone: removed by its producer or claimed by another instance.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
                Err(e) => {
                    shared.mark_refused(&name);
                    let _ = failed::refuse_in_place(
                        &dirs.failed,
                        &dirs.inbox_as_configured,
                        &name,
                        "unclaimable",
                        format!("cannot move into the work folder: {e}"),
                    );
                    shared.metrics.failed("unclaimable");
                    return None;
                }
            }
            Some(Claimed {
                input: Input::File {
                    work_path,
                    name: name.clone(),
                },
                origin: origin(dirs, &name, token, crate::clock::now_rfc3339()),
                name,
                written: HashSet::new(),
                alerted: HashSet::new(),
                delivery: None,
            })
        }
        Job::Reclaimed {
            work_name,
            claim,
            name,
            written,
            alerted,
        } => {
            let received = claim::token_time(&claim)
                .map(crate::clock::rfc3339)
                .unwrap_or_else(crate::clock::now_rfc3339);
            shared.metrics.recovered.inc();
            Some(Claimed {
                input: Input::File {
                    work_path: dirs.work.join(work_name),
                    name: name.clone(),
                },
                origin: origin(dirs, &name, claim, received),
                name,
                written,
                alerted,
                delivery: None,
            })
        }
        Job::Nats(d) => {
            shared.metrics.claimed.inc();
            Some(Claimed {
                input: Input::Message(d.acker.clone()),
                name: OsString::from(&d.name),
                origin: Origin {
                    name: d.name.clone(),
                    path: d.path(),
                    claim: d.claim(),
                    received_at: crate::clock::now_rfc3339(),
                },
                written: HashSet::new(),
                alerted: HashSet::new(),
                delivery: Some(d),
            })
        }
    }
}

fn origin(dirs: &Dirs, name: &OsString, claim: String, received_at: String) -> Origin {
    Origin {
        name: name.to_string_lossy().into_owned(),
        path: dirs
            .inbox_as_configured
            .join(name)
            .to_string_lossy()
            .into_owned(),
        claim,
        received_at,
    }
}
