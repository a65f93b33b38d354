//! Exchanging a keyphrase dataset with another system, so it can be scored by the
//! same rules as newsd (`newsd eval keyphrases --texts` and `--predictions`).
//!
//! Both files are JSON Lines, one document per line:
//!
//! - texts (written): `{"name": "...", "title": "..." | null, "body": "..."}`, the
//!   exact title and body the pipeline is given for that document;
//! - predictions (read): `{"name": "...", "keyphrases": ["best", "second", ...]}`.
//!
//! Published figures differ in how the documents are cleaned, how gold phrases are
//! stemmed and averaged; scoring another extractor's output here removes those
//! differences from a comparison.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::corpus::Sample;

/// Why a texts or predictions file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum PredictionsError {
    /// The file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not a predictions object.
    #[error("{}:{line}: {source}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What was wrong with it.
        source: serde_json::Error,
    },
    /// Two lines name the same document.
    #[error("{}:{line}: document {name:?} is listed twice", path.display())]
    Duplicate {
        /// The file.
        path: PathBuf,
        /// The line number of the second listing, from 1.
        line: usize,
        /// The document's name.
        name: String,
    },
}

/// One line of a texts file.
#[derive(Serialize)]
struct TextLine<'a> {
    name: &'a str,
    title: Option<&'a str>,
    body: &'a str,
}

/// One line of a predictions file.
#[derive(Deserialize)]
struct PredictionLine {
    name: String,
    keyphrases: Vec<String>,
}

/// Writes the name, title and body of each sample to `path`, one JSON object per line.
pub fn write_texts<'a>(
    path: &Path,
    samples: impl IntoIterator<Item = &'a Sample>,
) -> Result<(), PredictionsError> {
    let io = |source| PredictionsError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
    for sample in samples {
        let line = TextLine {
            name: &sample.name,
            title: sample.title.as_deref(),
            body: &sample.body,
        };
        // Serialising strings and an option cannot fail.
        let json = serde_json::to_string(&line).unwrap_or_default();
        writeln!(out, "{json}").map_err(io)?;
    }
    out.flush().map_err(io)
}

/// Reads a predictions file: each document's keyphrases, best first, by name.
/// Blank lines are skipped; a document listed twice is an error.
pub fn read(path: &Path) -> Result<HashMap<String, Vec<String>>, PredictionsError> {
    let text = std::fs::read_to_string(path).map_err(|source| PredictionsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut listed = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: PredictionLine =
            serde_json::from_str(line).map_err(|source| PredictionsError::Parse {
                path: path.to_path_buf(),
                line: i + 1,
                source,
            })?;
        if listed.contains_key(&parsed.name) {
            return Err(PredictionsError::Duplicate {
                path: path.to_path_buf(),
                line: i + 1,
                name: parsed.name,
            });
        }
        listed.insert(parsed.name, parsed.keyphrases);
    }
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str, title: Option<&str>, body: &str) -> Sample {
        Sample {
            name: name.into(),
            title: title.map(Into::into),
            body: body.into(),
            gold: Vec::new(),
            alternatives: Vec::new(),
        }
    }

    #[test]
    fn texts_round_trip_as_json_lines() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("texts.jsonl");
        let samples = [
            sample("a", Some("Title \"quoted\""), "Body\nwith lines"),
            sample("b", None, "Only a body"),
        ];
        write_texts(&path, &samples).expect("write");
        let text = std::fs::read_to_string(&path).expect("read");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("json"))
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["title"], "Title \"quoted\"");
        assert_eq!(lines[0]["body"], "Body\nwith lines");
        assert!(lines[1]["title"].is_null());
        assert_eq!(lines[1]["name"], "b");
    }

    #[test]
    fn predictions_are_read_by_name_and_bad_lines_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.jsonl");
        std::fs::write(
            &path,
            "{\"name\":\"a\",\"keyphrases\":[\"x\",\"y z\"]}\n\n{\"name\":\"b\",\"keyphrases\":[]}\n",
        )
        .expect("write");
        let listed = read(&path).expect("read");
        assert_eq!(listed["a"], vec!["x".to_string(), "y z".to_string()]);
        assert!(listed["b"].is_empty());

        std::fs::write(
            &path,
            "{\"name\":\"a\",\"keyphrases\":[]}\n{\"name\":\"a\"}\n",
        )
        .expect("write");
        let err = read(&path).expect_err("missing field");
        assert!(err.to_string().contains(":2:"), "{err}");

        std::fs::write(
            &path,
            "{\"name\":\"a\",\"keyphrases\":[]}\n{\"name\":\"a\",\"keyphrases\":[]}\n",
        )
        .expect("write");
        let err = read(&path).expect_err("duplicate");
        assert!(
            matches!(err, PredictionsError::Duplicate { line: 2, .. }),
            "{err}"
        );
    }
}
