//! Near-duplicate detection across the stream: fingerprints per article
//! (`fingerprint.rs`) and a windowed, persistent index deciding which earlier article
//! a new one copies (`index.rs`), which keeps its entries in a ring (`store.rs`),
//! looks them up through compact tables of positions (`table.rs`) and persists them
//! in `dedup.idx` (`file.rs`).

mod file;
pub mod fingerprint;
pub mod index;
mod store;
mod table;
#[cfg(test)]
mod tests;

pub use fingerprint::Fingerprint;
pub use index::{DedupIndex, IndexSettings, Verdict};
