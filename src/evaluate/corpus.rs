//! Reading keyphrase datasets: one document file and one gold key file per sample.
//!
//! A folder with `*.jsonl` files is read as KPTimes JSON Lines (`kptimes.rs`).
//! Otherwise a dataset folder holds `keys/<name>.key` (gold keyphrases, one per line) and the
//! documents as `docs/<name>.txt` or `docsutf8/<name>.txt`. Two document formats are
//! understood:
//!
//! - plain text (500N-KPCrowd): decoded and split into title and body exactly as the
//!   daemon does with an inbox file ([`input::decode`], [`input::split_title`]);
//! - TREC SGML (DUC-2001: `<DOC>…<TEXT>…</TEXT></DOC>`): the body is the text of the
//!   `<TEXT>` elements, and of the `<LP>` lead paragraph the Wall Street Journal
//!   keeps before its `<TEXT>`, with inner tags removed and the basic entities
//!   decoded. The headline tags differ by newswire and carry editorial notes
//!   ("Eds: INSERTS 2 grafs", "FT 24 APR 91 /"), so no title is taken.

use std::path::{Path, PathBuf};

use crate::input;

/// One labelled document.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The file stem shared by the document and its key file.
    pub name: String,
    /// The title, when the document has one.
    pub title: Option<String>,
    /// The body text handed to the pipeline.
    pub body: String,
    /// The gold keyphrases as written in the key file (blank lines dropped).
    pub gold: Vec<String>,
    /// Other accepted forms of each gold keyphrase, by index (empty lists for key
    /// files; synonyms for KPTimes): a prediction matching one matches that phrase.
    pub alternatives: Vec<Vec<String>>,
}

/// Why a dataset could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// A file or folder could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The folder does not have the expected layout.
    #[error("{}: {message}", dir.display())]
    Layout {
        /// The dataset folder.
        dir: PathBuf,
        /// What is missing.
        message: String,
    },
    /// A document could not be decoded as text.
    #[error("{}: {source}", path.display())]
    Decode {
        /// The document.
        path: PathBuf,
        /// The decoding error.
        source: input::InputError,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> CorpusError + '_ {
    move |source| CorpusError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads every sample of the dataset in `dir`, sorted by name.
pub fn load(dir: &Path) -> Result<Vec<Sample>, CorpusError> {
    if dir.is_dir()
        && let Some(samples) = super::kptimes::load(dir)?
    {
        return Ok(samples);
    }
    let keys = dir.join("keys");
    let docs = ["docs", "docsutf8"]
        .iter()
        .map(|d| dir.join(d))
        .find(|d| d.is_dir())
        .ok_or_else(|| CorpusError::Layout {
            dir: dir.to_path_buf(),
            message: "no docs/ or docsutf8/ folder".into(),
        })?;
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&keys).map_err(io_error(&keys))? {
        let path = entry.map_err(io_error(&keys))?.path();
        if path.extension().is_some_and(|e| e == "key")
            && let Some(stem) = path.file_stem()
        {
            names.push(stem.to_string_lossy().into_owned());
        }
    }
    names.sort();
    if names.is_empty() {
        return Err(CorpusError::Layout {
            dir: dir.to_path_buf(),
            message: "no keys/*.key files".into(),
        });
    }
    names
        .into_iter()
        .map(|name| {
            let key_path = keys.join(format!("{name}.key"));
            let doc_path = docs.join(format!("{name}.txt"));
            let gold_text = std::fs::read_to_string(&key_path).map_err(io_error(&key_path))?;
            let gold = gold_text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>();
            let bytes = std::fs::read(&doc_path).map_err(io_error(&doc_path))?;
            let text = input::decode(&bytes).map_err(|source| CorpusError::Decode {
                path: doc_path.clone(),
                source,
            })?;
            let (title, body) = if is_sgml(&text) {
                (None, sgml_text(&text))
            } else {
                let (title, body) = input::split_title(&text);
                (title, body.to_string())
            };
            Ok(Sample {
                name,
                title,
                body,
                alternatives: vec![Vec::new(); gold.len()],
                gold,
            })
        })
        .collect()
}

/// Whether `text` is a TREC SGML document.
fn is_sgml(text: &str) -> bool {
    let start = text.trim_start();
    start.starts_with("<DOC>") || start.starts_with("<TEXT>")
}

/// The article elements of TREC SGML: the body, and the Wall Street Journal's lead
/// paragraph, which stands before `<TEXT>` in its own element.
const ARTICLE_TAGS: [&str; 2] = ["TEXT", "LP"];

/// The text of every article element (see [`ARTICLE_TAGS`]) in document order, inner
/// tags removed, entities decoded, elements separated by a blank line.
fn sgml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // The earliest opening tag of an article element, each time round.
    while let Some((open, tag)) = ARTICLE_TAGS
        .iter()
        .filter_map(|t| rest.find(&format!("<{t}>")).map(|at| (at, *t)))
        .min()
    {
        let after = &rest[open + tag.len() + 2..];
        let close_tag = format!("</{tag}>");
        let (inner, next) = match after.find(&close_tag) {
            Some(close) => (&after[..close], &after[close + close_tag.len()..]),
            None => (after, ""),
        };
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        strip_tags_into(inner, &mut out);
        rest = next;
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

/// Appends `text` without its `<...>` tags (a tag becomes a line break, so `<P>`
/// paragraphs stay apart).
fn strip_tags_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => {
                out.push('\n');
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgml_takes_text_elements_only() {
        let doc = "<DOC>\n<DOCNO> X </DOCNO>\n<HEAD>Headline</HEAD>\n<TEXT>\n<P>\nFirst &amp; \
                   one.\n</P>\n</TEXT>\n<TEXT>Second.</TEXT>\n</DOC>\n";
        assert!(is_sgml(doc));
        let body = sgml_text(doc);
        assert!(body.contains("First & one."), "{body}");
        assert!(body.contains("Second."), "{body}");
        assert!(
            !body.contains("Headline") && !body.contains("<P>"),
            "{body}"
        );
        assert!(!is_sgml("A title\nA body."));
    }

    #[test]
    fn sgml_keeps_the_wsj_lead_paragraph_first() {
        let doc = "<DOC>\n<HL> Headline </HL>\n<LP>\n   The lead paragraph.\n</LP>\n\
                   <TEXT>\nThe rest.\n</TEXT>\n</DOC>\n";
        let body = sgml_text(doc);
        let (lead, rest) = (body.find("The lead"), body.find("The rest"));
        assert!(lead.is_some() && rest.is_some() && lead < rest, "{body}");
        assert!(!body.contains("Headline"), "{body}");
    }

    #[test]
    fn loads_a_tiny_dataset() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("keys")).expect("keys");
        std::fs::create_dir_all(dir.path().join("docsutf8")).expect("docs");
        std::fs::write(dir.path().join("keys/a.key"), "oil spill\n\nTanker\n").expect("key");
        std::fs::write(
            dir.path().join("docsutf8/a.txt"),
            "Tanker spills oil\r\nAn oil spill spread.\r\n",
        )
        .expect("doc");
        let samples = load(dir.path()).expect("loads");
        assert_eq!(samples.len(), 1);
        let s = &samples[0];
        assert_eq!(s.name, "a");
        assert_eq!(s.title.as_deref(), Some("Tanker spills oil"));
        assert_eq!(s.gold, ["oil spill", "Tanker"]);
        assert!(s.body.contains("An oil spill spread."));
        assert!(load(&dir.path().join("missing")).is_err());
    }
}
