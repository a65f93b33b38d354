//! Observability: metrics, the status file, and the live page.
//!
//! - [`metrics`]: the Prometheus registry and the handles the daemon updates;
//! - [`status`]: the status file the daemon keeps for `newsd status`;
//! - [`report`]: `newsd status`, a human summary of the status file;
//! - [`errors`]: the last ERROR logged, for the status file;
//! - [`recent`]: the latest articles and the history the page charts;
//! - [`http`]: the listener serving `/metrics`, `/healthz`, `/readyz` and the page.

pub mod errors;
pub mod http;
pub mod metrics;
pub mod recent;
pub mod report;
pub mod status;
