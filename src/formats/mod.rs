//! Readers for input formats other than plain text; each turns bytes into an article's text and metadata.

pub mod html;
