//! The `clean` stage: drops site-furniture lines and normalises the layout of the text.
//!
//! News text scraped from web pages carries "furniture": lines such as `READ ALSO: ...`,
//! `Advertisement` or `Share this article` that belong to the page, not to the article.
//! They distort keywords and readability, so this stage removes whole lines matching
//! configured patterns (recording each in [`Document::removed_lines`]) and normalises
//! the rest so later stages see one predictable layout: LF line endings, no BOM, no
//! trailing spaces, at most one blank line in a row, no blank lines at either end.

use regex::RegexSetBuilder;
use serde::{Deserialize, Serialize};

use crate::document::{Document, RemovedLine};
use crate::pipeline::{BuildError, Stage, StageError};

/// Settings of the clean stage (`[pipeline.clean]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {
    /// Regular expressions (Rust `regex` syntax) for lines to drop.
    ///
    /// Each is tested against one line, without its line break and trailing spaces,
    /// and always case-insensitively (write `(?-i)` to opt out). Anchor patterns with
    /// `^` and `$` so they match short furniture lines and never a sentence of the
    /// article that merely mentions the same words.
    pub drop_lines: Vec<String>,
}

impl Default for CleanConfig {
    /// A conservative list of furniture lines common in English news pages.
    fn default() -> Self {
        let patterns = [
            r"^\s*(read|see) (also|more)\s*:",
            r"^\s*also read\s*:",
            r"^\s*related( (articles?|stories|news|content|coverage))?\s*:",
            r"^\s*advertisements?\s*$",
            r"^\s*(story continues below( (the )?advertisement)?|continue reading( below)?)\s*$",
            r"^\s*(click|tap) here to (subscribe|sign up|register|read more)\b.{0,80}$",
            r"^\s*follow us on\b.{0,80}$",
            r"^\s*share (this|the) (article|story|post|page)\b.{0,40}$",
            r"^\s*sign up (for|to) (our|the) .{0,30}newsletters?\b.{0,80}$",
            r"^\s*subscribe to (our|the) .{0,30}newsletters?\b.{0,80}$",
        ];
        Self {
            drop_lines: patterns.iter().map(|p| (*p).to_string()).collect(),
        }
    }
}

/// The clean stage, with its furniture patterns compiled into one [`regex::RegexSet`]
/// so every line is scanned once however many patterns there are.
#[derive(Debug, Clone)]
pub struct Clean {
    set: regex::RegexSet,
    patterns: Vec<String>,
}

impl Clean {
    /// Compiles the configured patterns; a bad one is reported with its index.
    pub fn build(cfg: &CleanConfig) -> Result<Clean, BuildError> {
        let set = RegexSetBuilder::new(&cfg.drop_lines)
            .case_insensitive(true)
            .build()
            .map_err(|err| {
                // Compile them one by one only now, so the error can name the entry
                // (compiling each up front as well doubled the start-up cost).
                let bad = cfg.drop_lines.iter().enumerate().find_map(|(i, pattern)| {
                    RegexSetBuilder::new([pattern])
                        .case_insensitive(true)
                        .build()
                        .err()
                        .map(|e| (i, e))
                });
                match bad {
                    Some((i, e)) => {
                        BuildError::new(format!("pipeline.clean.drop_lines[{i}]"), e.to_string())
                    }
                    None => BuildError::new("pipeline.clean.drop_lines", err.to_string()),
                }
            })?;
        Ok(Clean {
            set,
            patterns: cfg.drop_lines.clone(),
        })
    }

    /// The first configured pattern matching `line`, if any.
    fn furniture(&self, line: &str) -> Option<&str> {
        if self.patterns.is_empty() || line.is_empty() {
            return None;
        }
        let index = self.set.matches(line).iter().next()?;
        self.patterns.get(index).map(String::as_str)
    }
}

/// Splits `text` into lines, accepting LF, CRLF and lone CR as line breaks.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memchr2(b'\n', b'\r', current.as_bytes()) {
            Some(i) => {
                let after = if current.as_bytes()[i] == b'\r'
                    && current.as_bytes().get(i + 1) == Some(&b'\n')
                {
                    i + 2
                } else {
                    i + 1
                };
                rest = current.get(after..);
                current.get(..i)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

impl Stage for Clean {
    fn name(&self) -> &'static str {
        "clean"
    }

    fn apply(&self, doc: &mut Document) -> Result<(), StageError> {
        let source = std::mem::take(&mut doc.text);
        let body = source.strip_prefix('\u{feff}').unwrap_or(&source);
        let mut out = String::with_capacity(body.len());
        // Blank lines seen since the last kept line; only matters once text has started.
        let mut pending_blank = false;
        for raw in lines(body) {
            let line = raw.trim_end();
            if line.is_empty() {
                pending_blank = !out.is_empty();
                continue;
            }
            if let Some(pattern) = self.furniture(line) {
                doc.removed_lines.push(RemovedLine {
                    text: raw.to_string(),
                    pattern: pattern.to_string(),
                });
                continue;
            }
            if !out.is_empty() {
                out.push_str(if pending_blank { "\n\n" } else { "\n" });
            }
            out.push_str(line);
            pending_blank = false;
        }
        if out.trim().is_empty() {
            doc.text = String::new();
            return Err(StageError::NoText);
        }
        doc.text = out;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn try_run(text: &str) -> Result<Document, StageError> {
        let stage = Clean::build(&CleanConfig::default()).expect("defaults compile");
        let mut doc = Document::new(None, text.to_string());
        stage.apply(&mut doc)?;
        Ok(doc)
    }

    fn run(text: &str) -> Document {
        try_run(text).expect("text left")
    }

    #[test]
    fn bad_pattern_names_its_index() {
        let cfg = CleanConfig {
            drop_lines: vec!["^ok$".into(), "(unclosed".into()],
        };
        let err = Clean::build(&cfg).err().map(|e| e.key);
        assert_eq!(err.as_deref(), Some("pipeline.clean.drop_lines[1]"));
    }

    #[test]
    fn drops_furniture_lines_and_records_them() {
        let doc = run(
            "First paragraph.\nREAD ALSO: Something else\nAdvertisement\n\
                       Follow us on Twitter\n  Share this article  \nSign up for our daily newsletter\n\
                       Related: Other story\nSecond paragraph.\n",
        );
        assert_eq!(doc.text, "First paragraph.\nSecond paragraph.");
        let removed: Vec<&str> = doc.removed_lines.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            removed,
            [
                "READ ALSO: Something else",
                "Advertisement",
                "Follow us on Twitter",
                "  Share this article  ",
                "Sign up for our daily newsletter",
                "Related: Other story",
            ]
        );
    }

    #[test]
    fn keeps_article_sentences_that_mention_furniture_words() {
        let text = "The company said advertisement revenue fell.\n\
                    Readers can share this article with friends, the editor said, \
                    adding that the newsletter had grown to a million readers this year.\n\
                    Related companies also reported losses.";
        let doc = run(text);
        assert!(doc.removed_lines.is_empty(), "{:?}", doc.removed_lines);
        assert_eq!(doc.text, text);
    }

    #[test]
    fn pattern_is_reported() {
        let doc = run("Body.\n  read more: elsewhere");
        let pattern = doc.removed_lines.first().map(|r| r.pattern.as_str());
        assert_eq!(pattern, Some(r"^\s*(read|see) (also|more)\s*:"));
    }

    #[test]
    fn case_sensitivity_can_be_restored() {
        let cfg = CleanConfig {
            drop_lines: vec!["(?-i)^AD$".into()],
        };
        let stage = Clean::build(&cfg).expect("compiles");
        let mut doc = Document::new(None, "ad\nAD\nText.".into());
        stage.apply(&mut doc).expect("text left");
        assert_eq!(doc.text, "ad\nText.");
    }

    #[test]
    fn normalises_endings_bom_spaces_and_blank_runs() {
        let doc = run("\u{feff}\r\n\r\nOne.  \r\nTwo.\rThree.\t\n\n\n\n\nFour.\n\n");
        assert_eq!(doc.text, "One.\nTwo.\nThree.\n\nFour.");
    }

    #[test]
    fn single_blank_line_is_kept_and_no_final_newline_is_fine() {
        assert_eq!(run("A.\n\nB.").text, "A.\n\nB.");
        assert_eq!(run("  Indented stays.").text, "  Indented stays.");
    }

    #[test]
    fn blank_line_around_removed_line_collapses() {
        assert_eq!(run("A.\n\nAdvertisement\n\nB.").text, "A.\n\nB.");
        assert_eq!(run("A.\nAdvertisement\nB.").text, "A.\nB.");
    }

    #[test]
    fn furniture_only_is_no_text() {
        assert!(matches!(
            try_run("Advertisement\n \n\r\nShare this article\n"),
            Err(StageError::NoText)
        ));
        assert!(matches!(try_run("   \n\t"), Err(StageError::NoText)));
        assert!(matches!(try_run(""), Err(StageError::NoText)));
    }

    #[test]
    fn empty_pattern_list_only_normalises() {
        let stage = Clean::build(&CleanConfig { drop_lines: vec![] }).expect("empty is fine");
        let mut doc = Document::new(None, "Advertisement\r\nText.".into());
        stage.apply(&mut doc).expect("text left");
        assert_eq!(doc.text, "Advertisement\nText.");
    }

    #[test]
    fn seed_article_loses_read_also_line() {
        let doc = run(include_str!("../../seeds/xi-jinping-russia-visit.txt"));
        assert_eq!(doc.removed_lines.len(), 1);
        assert!(doc.removed_lines[0].text.starts_with("READ ALSO: Unlawful"));
        assert!(!doc.text.contains("READ ALSO"));
        assert!(doc.text.ends_with("power dynamic."));
        assert_eq!(doc.text.lines().filter(|l| !l.is_empty()).count(), 13);
        // The blank line before the dropped line stays as one paragraph break.
        assert!(doc.text.contains("“exceptionalism.”\n\nRussian officials"));
    }
}
