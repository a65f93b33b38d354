//! `newsd process`: run the daemon's pipeline over files given on the command line.
//!
//! Same reading, pipeline and record as the daemon, without the inbox: one record per
//! input on stdout, one line per refused input on stderr.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use std::collections::HashSet;

use crate::article::{self, ArticleError, BuildContext, ItemOutcome, Origin, Processed};
use crate::config::Config;
use crate::dedup::DedupIndex;
use crate::input;
use crate::pipeline::{BuildError, Pipeline};
use crate::record::DedupOut;

/// Totals of a `newsd process` run.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Records written (a batch input gives several).
    pub processed: usize,
    /// Inputs, or batch items, refused.
    pub failed: usize,
}

/// A progress bar over the inputs, for a terminal: `newsd process` shows it on stderr
/// when stderr is a terminal and there is more than one input.
pub fn progress_bar(inputs: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(inputs as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40.cyan/blue} {pos}/{len} files, {per_sec}, eta {eta} {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Processes each input (`-` is standard input), writing records to `out` and one
/// `<path>: <reason>: <message>` line per refused input to `err`. With `progress`, the
/// bar advances once per input and is cleared from the terminal around each error line.
pub fn run(
    config: &Config,
    inputs: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<Summary, ProcessError> {
    let result = run_inputs(config, inputs, out, err, progress);
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    result
}

fn run_inputs(
    config: &Config,
    inputs: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<Summary, ProcessError> {
    // Error lines share stderr with the bar: hide it while one is written.
    let mut report = |line: String| -> Result<(), ProcessError> {
        match progress {
            Some(bar) => bar.suspend(|| writeln!(err, "{line}")),
            None => writeln!(err, "{line}"),
        }
        .map_err(ProcessError::Output)
    };
    let pipeline = Pipeline::build(&config.pipeline)?;
    // Copies among the inputs of one run are flagged like the daemon flags them across
    // its stream; nothing persists between runs.
    let mut index = config
        .dedup
        .enabled
        .then(|| DedupIndex::in_memory(config.dedup.index_settings()));
    let mut summary = Summary::default();
    for path in inputs {
        let started = Instant::now();
        let raw = if path == "-" {
            input::read_stdin(config.inbox.max_bytes)
        } else {
            input::read_file(Path::new(path), config.inbox.max_bytes)
        };
        let name = Path::new(path)
            .file_name()
            .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
        let origin = Origin {
            name,
            path: path.clone(),
            claim: crate::claim::new_token(),
            received_at: crate::clock::now_rfc3339(),
        };
        let ctx = BuildContext {
            pipeline: &pipeline,
            formats: &config.formats,
            include_text: config.outbox.include_text,
        };
        let result = raw
            .map_err(ArticleError::from)
            .and_then(|raw| article::build(&raw, &origin, ctx, &HashSet::new(), started));
        match result {
            Ok(built) => {
                for outcome in built.items {
                    match outcome {
                        ItemOutcome::Record(p) => {
                            let Processed {
                                mut record,
                                fingerprint,
                            } = *p;
                            if let Some(index) = index.as_mut() {
                                let verdict = index
                                    .check_and_add(
                                        &record.id,
                                        &record.source.claim,
                                        &fingerprint,
                                        crate::clock::unix_now(),
                                    )
                                    .map_err(ProcessError::Output)?;
                                record.dedup = Some(DedupOut::new(&fingerprint, verdict));
                            }
                            record.priority =
                                Some(crate::priority::compute(&record, &config.priority));
                            out.write_all(&record.to_line())
                                .map_err(ProcessError::Output)?;
                            summary.processed += 1;
                        }
                        ItemOutcome::Failed {
                            item,
                            code,
                            message,
                        } => {
                            report(format!("{path}: item {item}: {code}: {message}"))?;
                            summary.failed += 1;
                        }
                    }
                }
            }
            Err(e) => {
                report(format!("{path}: {}: {e}", e.code()))?;
                summary.failed += 1;
            }
        }
        if let Some(bar) = progress {
            bar.inc(1);
        }
    }
    out.flush().map_err(ProcessError::Output)?;
    Ok(summary)
}

/// Why `newsd process` could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The pipeline settings are invalid.
    #[error("pipeline: {0}")]
    Pipeline(#[from] BuildError),
    /// Writing the output failed (e.g. a closed pipe).
    #[error("cannot write output: {0}")]
    Output(std::io::Error),
}
