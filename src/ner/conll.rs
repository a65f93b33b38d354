//! Reader for CoNLL-2003 style files: one token per line with the entity tag in the
//! last column, blank lines between sentences, `-DOCSTART-` lines between documents.
//!
//! Both IOB1 (the original CoNLL-2003 scheme) and IOB2 are accepted: the tags are
//! turned into entity spans at once (see [`super::labels::iob_to_spans`]), so the rest
//! of the recogniser never sees the file's scheme. Files without `-DOCSTART-` lines
//! are read as one document.

use std::path::Path;

use super::NerError;
use super::labels::{EntitySpan, iob_to_spans};

/// One sentence: its tokens and its gold entities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sentence {
    /// Token strings as written in the file.
    pub tokens: Vec<String>,
    /// Gold entity spans over `tokens`.
    pub entities: Vec<EntitySpan>,
}

/// One document: the sentences between two `-DOCSTART-` lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConllDocument {
    /// Its sentences, in order.
    pub sentences: Vec<Sentence>,
}

impl ConllDocument {
    /// Number of tokens in the document.
    pub fn token_count(&self) -> usize {
        self.sentences.iter().map(|s| s.tokens.len()).sum()
    }
}

/// Reads a CoNLL file from disk.
pub fn read_file(path: &Path) -> Result<Vec<ConllDocument>, NerError> {
    let text = std::fs::read_to_string(path).map_err(|source| NerError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text).map_err(|(line, message)| NerError::Corpus {
        path: path.to_path_buf(),
        line,
        message,
    })
}

/// Parses CoNLL text; an error carries the 1-based line number and what is wrong.
pub fn parse(text: &str) -> Result<Vec<ConllDocument>, (usize, String)> {
    let mut docs = Vec::new();
    let mut doc = ConllDocument::default();
    let mut tokens: Vec<String> = Vec::new();
    let mut tags: Vec<String> = Vec::new();
    let flush_sentence =
        |doc: &mut ConllDocument, tokens: &mut Vec<String>, tags: &mut Vec<String>| {
            if !tokens.is_empty() {
                let entities = iob_to_spans(tags);
                doc.sentences.push(Sentence {
                    tokens: std::mem::take(tokens),
                    entities,
                });
                tags.clear();
            }
        };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush_sentence(&mut doc, &mut tokens, &mut tags);
            continue;
        }
        let mut cols = line.split_whitespace();
        let token = cols.next().unwrap_or_default();
        if token == "-DOCSTART-" {
            flush_sentence(&mut doc, &mut tokens, &mut tags);
            if !doc.sentences.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        let Some(tag) = cols.next_back() else {
            return Err((n + 1, format!("token {token:?} has no tag column")));
        };
        if tag != "O" && !is_entity_tag(tag) {
            return Err((n + 1, format!("unknown tag {tag:?}")));
        }
        tokens.push(token.to_string());
        tags.push(tag.to_string());
    }
    flush_sentence(&mut doc, &mut tokens, &mut tags);
    if !doc.sentences.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

fn is_entity_tag(tag: &str) -> bool {
    match tag.split_once('-') {
        Some(("B" | "I", t)) => super::labels::EntityLabel::parse(t).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ner::labels::EntityLabel;

    const IOB1: &str = "-DOCSTART- -X- -X- O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\
German JJ I-NP I-MISC\n\nPeter NNP I-NP I-PER\nBlackburn NNP I-NP I-PER\n\n\
-DOCSTART- -X- -X- O\n\nBRUSSELS NNP I-NP I-LOC\n1996-08-22 CD I-NP O\n";

    #[test]
    fn reads_documents_sentences_and_spans() {
        let docs = parse(IOB1).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0].tokens, ["EU", "rejects", "German"]);
        assert_eq!(
            docs[0].sentences[1].entities,
            vec![EntitySpan {
                start: 0,
                end: 2,
                label: EntityLabel::Per
            }]
        );
        assert_eq!(docs[1].token_count(), 2);
    }

    #[test]
    fn iob2_reads_like_iob1() {
        let iob2 = IOB1
            .replace("I-ORG", "B-ORG")
            .replace("I-MISC", "B-MISC")
            .replace("Peter NNP I-NP I-PER", "Peter NNP B-NP B-PER")
            .replace("I-LOC", "B-LOC");
        assert_eq!(parse(&iob2).unwrap(), parse(IOB1).unwrap());
    }

    #[test]
    fn bad_tag_names_its_line() {
        let err = parse("a O\nb B-FOO\n").unwrap_err();
        assert_eq!(err.0, 2);
    }
}
