//! One article's trip from claim to a record waiting for the outbox writer.
//!
//! Runs on a blocking thread (the dispatcher bounds how many at once): claim by atomic
//! rename into `work/`, read without following links or blocking, run the pipeline,
//! then hand the record to the writer. A refused input goes to `failed/` here. The
//! input stays in `work/` until the writer has made its record durable.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::time::Instant;

use super::outbox::Commit;
use super::{Dirs, Job, Runtime, Shared, failed};
use crate::article::{self, ArticleError, Origin};
use crate::claim;
use crate::input;

/// A claimed input: where it sits in `work/` and what the record will say about it.
struct Claimed {
    work_path: PathBuf,
    name: OsString,
    origin: Origin,
    alert_written: bool,
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
    let result = input::read_file(&claimed.work_path, rt.config.inbox.max_bytes)
        .map_err(ArticleError::from)
        .and_then(|raw| {
            article::build_record(
                raw,
                claimed.origin.clone(),
                &rt.pipeline,
                rt.config.outbox.include_text,
                started,
            )
        });
    match result {
        Ok(processed) => {
            span.record("id", processed.record.id.as_str());
            tracing::debug!(words = processed.record.text_stats.words, "processed");
            let commit = Commit {
                record: Box::new(processed.record),
                fingerprint: processed.fingerprint,
                work_path: claimed.work_path,
                name: claimed.name,
                claim: claimed.origin.claim,
                claimed_at: started,
                skip_alert: claimed.alert_written,
            };
            // Blocks while the writer's queue is full: that is the backpressure that
            // keeps records (and articles) in memory bounded.
            if out.send(commit).is_err() {
                tracing::warn!("outbox writer is gone; input stays in work/ for the next start");
                shared.stats.record_skip();
            }
        }
        Err(e) => {
            let reason = e.code();
            if let Err(io) = failed::refuse(
                &dirs.failed,
                &claimed.work_path,
                &claimed.name,
                &claimed.origin.claim,
                &dirs.inbox_as_configured,
                reason,
                e.to_string(),
            ) {
                tracing::error!(error = %io, reason, "cannot move refused input to failed/; it stays in work/");
            }
            shared.stats.record_failure();
        }
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
                Ok(()) => {}
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
                    return None;
                }
            }
            Some(Claimed {
                work_path,
                origin: origin(dirs, &name, token, crate::clock::now_rfc3339()),
                name,
                alert_written: false,
            })
        }
        Job::Reclaimed {
            work_name,
            claim,
            name,
            alert_written,
        } => {
            let received = claim::token_time(&claim)
                .map(crate::clock::rfc3339)
                .unwrap_or_else(crate::clock::now_rfc3339);
            Some(Claimed {
                work_path: dirs.work.join(work_name),
                origin: origin(dirs, &name, claim, received),
                name,
                alert_written,
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
