//! newsd: a streaming news-processing daemon.
//!
//! Articles dropped into an inbox folder are claimed, run through a pipeline of
//! stages (clean → tokenize → extract → score) and written as one NDJSON record each
//! to an outbox file. See `ARCHITECTURE.md` for the flow of a file through the daemon.
//!
//! Map of the modules:
//! - [`config`]: the TOML settings, their defaults and validation;
//! - [`daemon`]: the long-running service (watching, claiming, workers, outbox, signals);
//! - [`bus`]: NATS JetStream as a source of articles and a sink for records;
//! - [`pipeline`]: the [`pipeline::Stage`] contract and the stages themselves;
//! - [`dedup`]: near-duplicate fingerprints and the persistent index;
//! - [`document`]: the article as the stages see it;
//! - [`ner`]: the named-entity recogniser (model, features, training, evaluation);
//! - [`pos`]: the part-of-speech tagger (model, features, training, evaluation);
//! - [`record`]: the output record, the public contract;
//! - [`topics`]: topic classifier and taxonomy;
//! - [`article`]: bytes to record, shared by the daemon and `newsd process`;
//! - [`input`]: safe reading of input files;
//! - [`lang`]: language identification;
//! - [`formats`]: format and charset detection, and the readers (JSON, Markdown, HTML, gzip);
//! - [`claim`]: claim tokens that make exactly-once checkable;
//! - [`published`]: the publication date and which clue gave it;
//! - [`priority`]: the priority score and alert rule;
//! - [`observe`]: metrics, `/healthz`/`/readyz`, the status file, the live page;
//! - [`process`]: the one-shot `newsd process` command;
//! - [`evaluate`]: evaluations against annotated data (`newsd eval ...`);
//! - [`bench`](mod@bench): end-to-end benchmarks through the real daemon (`newsd bench`);
//! - [`clock`], [`fsutil`], [`logging`], [`offsets`], [`pages`]: small shared helpers.

pub mod article;
pub mod bench;
pub mod bus;
pub mod claim;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod dedup;
pub mod document;
pub mod evaluate;
pub mod formats;
pub mod fsutil;
pub mod input;
pub mod lang;
pub mod logging;
pub mod ner;
pub mod observe;
pub mod offsets;
pub mod pages;
pub mod pipeline;
pub mod pos;
pub mod priority;
pub mod process;
pub mod published;
pub mod record;
pub mod topics;
