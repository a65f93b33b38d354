//! From input bytes to finished records: the one path shared by the daemon and
//! `newsd process`.
//!
//! An input is read by its format (`crate::formats`) into one article or, for batch
//! inputs (NDJSON, JSON arrays), many. Each article gets its language, publication
//! date, the pipeline and a record with its own content id; a batch element that is
//! not an article becomes an item failure with its line, and the others still count.

use std::collections::HashSet;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::dedup::Fingerprint;
use crate::document::Document;
use crate::formats::{self, FormatError, FormatsConfig, Item, ParsedArticle};
use crate::input::{InputError, RawInput};
use crate::pipeline::{Pipeline, StageError};
use crate::record::{Record, Source};

/// Why an input produced no record; carries the machine-readable reason.
#[derive(Debug, thiserror::Error)]
pub enum ArticleError {
    /// The input could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The input is not an article in any format newsd reads.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A stage refused it.
    #[error(transparent)]
    Stage(#[from] StageError),
}

impl ArticleError {
    /// Machine-readable reason code (`empty`, `binary`, `too_large`, `json_shape`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            ArticleError::Input(e) => e.code(),
            ArticleError::Format(e) => e.code(),
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
    /// Claim token (see [`crate::claim`]); batch items add `.<item>`.
    pub claim: String,
    /// When it was received, RFC 3339 UTC.
    pub received_at: String,
}

/// What building records needs besides the input.
#[derive(Debug, Clone, Copy)]
pub struct BuildContext<'a> {
    /// The stage chain.
    pub pipeline: &'a Pipeline,
    /// Reader settings.
    pub formats: &'a FormatsConfig,
    /// Keep the text in records.
    pub include_text: bool,
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
    /// The record, without its `dedup` and `priority` sections.
    pub record: Record,
    /// The body's fingerprint, for the duplicate index.
    pub fingerprint: Fingerprint,
}

/// One item's result.
#[derive(Debug)]
pub enum ItemOutcome {
    /// A record to write.
    Record(Box<Processed>),
    /// A batch element that is not an article.
    Failed {
        /// Its line (NDJSON) or position (array), 1-based.
        item: usize,
        /// Machine-readable reason.
        code: &'static str,
        /// Human-readable detail.
        message: String,
    },
}

/// The records (and item failures) of one input.
#[derive(Debug)]
pub struct Built {
    /// True for batch inputs (NDJSON, JSON arrays): their claims carry `.<item>`.
    pub batch: bool,
    /// Outcomes in input order (items listed in `skip` are left out).
    pub items: Vec<ItemOutcome>,
}

/// The claim token of item `item` of a batch (the input's own token for single inputs).
pub fn item_claim(claim: &str, item: Option<usize>) -> String {
    match item {
        Some(n) => format!("{claim}.{n}"),
        None => claim.to_string(),
    }
}

/// Reads, runs the pipeline over and assembles records for one input. Batch items in
/// `skip` (already written before a crash) are not built again. A single-article input
/// that fails returns the error; a batch fails only when no element is an article.
pub fn build(
    raw: &RawInput,
    origin: &Origin,
    ctx: BuildContext<'_>,
    skip: &HashSet<usize>,
    read_started: Instant,
) -> Result<Built, ArticleError> {
    let parsed = formats::parse(&raw.bytes, &origin.name, ctx.formats)?;
    let read_us = u64::try_from(read_started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let batch = parsed.items.iter().any(|i| match i {
        Item::Article(a) => a.item.is_some(),
        Item::Bad { .. } => true,
    });
    let mut items = Vec::with_capacity(parsed.items.len());
    let mut articles = 0usize;
    let mut first_error: Option<ArticleError> = None;
    for item in parsed.items {
        match item {
            Item::Bad { item, error } => {
                if skip.contains(&item) {
                    continue;
                }
                items.push(ItemOutcome::Failed {
                    item,
                    code: error.code(),
                    message: error.to_string(),
                });
                first_error.get_or_insert(error.into());
            }
            Item::Article(a) => {
                articles += 1;
                if a.item.is_some_and(|n| skip.contains(&n)) {
                    continue;
                }
                let n = a.item;
                match one(
                    *a,
                    raw,
                    origin,
                    ctx,
                    &parsed_info(parsed.format, parsed.gzip, parsed.encoding),
                    read_us,
                ) {
                    Ok(p) => items.push(ItemOutcome::Record(Box::new(p))),
                    Err(e) if batch => {
                        items.push(ItemOutcome::Failed {
                            item: n.unwrap_or(0),
                            code: e.code(),
                            message: e.to_string(),
                        });
                        first_error.get_or_insert(e);
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    if batch && articles == 0 {
        // Nothing in the batch is an article: the whole input is refused.
        return Err(first_error.unwrap_or(ArticleError::Format(FormatError::NoText)));
    }
    Ok(Built { batch, items })
}

/// How the input was read, for each record's `source`.
struct ReadInfo {
    format: formats::Format,
    gzip: bool,
    encoding: &'static str,
}

fn parsed_info(format: formats::Format, gzip: bool, encoding: &'static str) -> ReadInfo {
    ReadInfo {
        format,
        gzip,
        encoding,
    }
}

/// Builds the record of one article.
fn one(
    a: ParsedArticle,
    raw: &RawInput,
    origin: &Origin,
    ctx: BuildContext<'_>,
    info: &ReadInfo,
    read_us: u64,
) -> Result<Processed, ArticleError> {
    let mut doc = Document::new(a.title.clone(), a.text);
    let (published, source) = crate::published::resolve(
        a.meta.published.as_deref(),
        a.meta.url.as_deref().or(a.meta.canonical_url.as_deref()),
        &doc.text,
        raw.mtime,
    );
    doc.published = Some(published);
    doc.published_source = source;
    doc.language = crate::lang::detect_article(a.title.as_deref(), &doc.text);
    ctx.pipeline.run(&mut doc)?;
    let id_bytes = a.item_bytes.as_deref().unwrap_or(&raw.bytes);
    let fingerprint = Fingerprint::of(&doc);
    let source = Source {
        name: origin.name.clone(),
        path: origin.path.clone(),
        bytes: raw.bytes.len() as u64,
        mtime: raw.mtime.map(crate::clock::rfc3339),
        claim: item_claim(&origin.claim, a.item),
        item: a.item,
        format: info.format,
        encoding: info.encoding,
        gzip: info.gzip,
    };
    let record = Record::from_document(
        doc,
        content_id(id_bytes),
        source,
        a.meta,
        origin.received_at.clone(),
        read_us,
        ctx.include_text,
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

    #[test]
    fn batch_items_get_their_own_claims() {
        assert_eq!(item_claim("abc-1-2", Some(3)), "abc-1-2.3");
        assert_eq!(item_claim("abc-1-2", None), "abc-1-2");
    }
}
