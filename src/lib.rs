//! newsd: a streaming news-processing daemon.
//!
//! Articles dropped into an inbox folder are claimed, run through a pipeline of
//! stages (clean → tokenize → extract → score) and written as one NDJSON record each
//! to an outbox file. See `ARCHITECTURE.md` for the flow of a file through the daemon.
//!
//! Map of the modules:
//! - [`config`]: the TOML settings, their defaults and validation;
//! - [`daemon`]: the long-running service (watching, claiming, workers, outbox, signals);
//! - [`pipeline`]: the [`pipeline::Stage`] contract and the stages themselves;
//! - [`document`]: the article as the stages see it;
//! - [`ner`]: the named-entity recogniser (model, features, training, evaluation);
//! - [`record`]: the output record, the public contract;
//! - [`article`]: bytes to record, shared by the daemon and `newsd process`;
//! - [`input`]: safe reading and decoding of input files;
//! - [`claim`]: claim tokens that make exactly-once checkable;
//! - [`process`]: the one-shot `newsd process` command;
//! - [`bench`]: end-to-end benchmarks through the real daemon (`newsd bench`);
//! - [`clock`], [`fsutil`], [`logging`]: small shared helpers.

pub mod article;
pub mod bench;
pub mod claim;
pub mod clock;
pub mod config;
pub mod daemon;
pub mod document;
pub mod fsutil;
pub mod input;
pub mod logging;
pub mod ner;
pub mod pipeline;
pub mod process;
pub mod record;
