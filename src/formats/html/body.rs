//! The article body: `rs-trafilatura` finds the main content; this file guards the
//! call and turns its HTML into the reader's text.

use std::panic::{AssertUnwindSafe, catch_unwind};

use dom_query::Document;

use super::text::{self, Block};
use super::{HtmlError, clean, filter};

/// Stack for the extractor's thread. Its DOM walks recurse once per nesting level;
/// [`super::MAX_DEPTH`] levels need a few MiB in unoptimised builds, far more than a
/// worker thread's 2 MiB default. Only the pages actually touched are committed.
const EXTRACTOR_STACK: usize = 64 * 1024 * 1024;

/// The article body of a parsed page as plain text (possibly empty): furniture
/// removed from the page, the extractor run on what is left, its output rendered and
/// cleaned block by block.
pub fn extract(page: Document, title: Option<&str>) -> Result<String, HtmlError> {
    clean::remove_furniture(&page);
    let html = page.html().to_string();
    drop(page);
    let content = run_extractor(html)?;
    let mut blocks: Vec<Block> = text::blocks(&content);
    filter::clean(&mut blocks, title);
    Ok(text::join(&blocks))
}

/// Runs rs-trafilatura on its own thread with a large stack, turning a panic into an
/// error. Returns the content HTML it kept (empty when it kept nothing).
fn run_extractor(html: String) -> Result<String, HtmlError> {
    let worker = std::thread::Builder::new()
        .name("newsd-html-extract".into())
        .stack_size(EXTRACTOR_STACK)
        .spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                let options = rs_trafilatura::Options {
                    // Its own truncation cuts at a byte offset and can split a
                    // character (a panic); the caller bounds input size instead.
                    max_extracted_len: usize::MAX,
                    ..rs_trafilatura::Options::default()
                };
                rs_trafilatura::extract_with_options(&html, &options)
            }))
        })
        .map_err(|e| HtmlError::Extractor(format!("cannot start its thread: {e}")))?;
    match worker.join() {
        Ok(Ok(Ok(result))) => Ok(result.content_html.unwrap_or_default()),
        Ok(Ok(Err(rs_trafilatura::Error::NoContent))) => Ok(String::new()),
        Ok(Ok(Err(e))) => Err(HtmlError::Extractor(e.to_string())),
        Ok(Err(_)) | Err(_) => Err(HtmlError::Extractor("it panicked".into())),
    }
}
