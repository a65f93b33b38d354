//! From input bytes to a finished record: the one path shared by the daemon and `newsd process`.

use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::dedup::Fingerprint;
use crate::document::{Document, PublishedSource};
use crate::input::{self, InputError, RawInput};
use crate::pipeline::{Pipeline, StageError};
use crate::record::{Record, Source};

/// Why an article produced no record; carries the machine-readable reason.
#[derive(Debug, thiserror::Error)]
pub enum ArticleError {
    /// The input could not be read or decoded.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A stage refused it.
    #[error(transparent)]
    Stage(#[from] StageError),
}

impl ArticleError {
    /// Machine-readable reason code (`empty`, `binary`, `too_large`, `no_text`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            ArticleError::Input(e) => e.code(),
            ArticleError::Stage(e) => e.code(),
        }
    }
}

/// Everything known about an input besides its bytes.
#[derive(Debug, Clone)]
pub struct Origin {
    /// File name as dropped.
    pub name: String,
    /// Path as received.
    pub path: String,
    /// Claim token (see [`crate::claim`]).
    pub claim: String,
    /// When it was received, RFC 3339 UTC.
    pub received_at: String,
}

/// The stable content id of an input: hex of the first 128 bits of its SHA-256.
pub fn content_id(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(32);
    for b in &digest[..16] {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// A built record and what later, ordered steps (the duplicate index) need.
#[derive(Debug)]
pub struct Processed {
    /// The record, without its `dedup` section.
    pub record: Record,
    /// The body's fingerprint, for the duplicate index.
    pub fingerprint: Fingerprint,
}

/// Decodes, runs the pipeline and assembles the record for one input.
///
/// `read_started` is when reading the input began, so the record's `read` timing covers
/// both the read and the decode.
pub fn build_record(
    raw: RawInput,
    origin: Origin,
    pipeline: &Pipeline,
    include_text: bool,
    read_started: Instant,
) -> Result<Processed, ArticleError> {
    let text = input::decode(&raw.bytes)?;
    let (title, body) = input::split_title(&text);
    let mut doc = Document::new(title, body.to_string());
    (doc.published, doc.published_source) = match raw.mtime {
        Some(t) => (Some(time::OffsetDateTime::from(t)), PublishedSource::Mtime),
        None => (
            Some(time::OffsetDateTime::now_utc()),
            PublishedSource::Received,
        ),
    };
    let read_us = u64::try_from(read_started.elapsed().as_micros()).unwrap_or(u64::MAX);
    pipeline.run(&mut doc)?;
    let source = Source {
        name: origin.name,
        path: origin.path,
        bytes: raw.bytes.len() as u64,
        mtime: raw.mtime.map(crate::clock::rfc3339),
        claim: origin.claim,
    };
    let fingerprint = Fingerprint::of(&doc);
    let record = Record::from_document(
        doc,
        content_id(&raw.bytes),
        source,
        origin.received_at,
        read_us,
        include_text,
    );
    Ok(Processed {
        record,
        fingerprint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_id_is_stable_hex() {
        let id = content_id(b"hello");
        assert_eq!(id, "2cf24dba5fb0a30e26e83b2ac5b9e29e");
        assert_eq!(content_id(b"hello"), id);
        assert_ne!(content_id(b"hello!"), id);
    }
}
