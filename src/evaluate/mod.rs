//! Offline evaluations of pipeline stages against labelled datasets (`newsd eval`).
//!
//! Each evaluation runs documents through the real pipeline, so its figures are what
//! users of the daemon get, and returns a serde-serialisable report.

pub mod corpus;
pub mod keyphrases;
pub mod ranker;
