//! Near-duplicate detection across the stream: fingerprints per article
//! (`fingerprint.rs`) and a windowed, persistent index deciding which earlier article
//! a new one copies (`index.rs`).

pub mod fingerprint;
pub mod index;

pub use fingerprint::Fingerprint;
pub use index::{DedupIndex, IndexSettings, Verdict};
