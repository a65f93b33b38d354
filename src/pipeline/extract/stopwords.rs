//! Stopword lists: the built-in English list plus an optional file from the config.
//!
//! Stopwords break keyword candidates apart ("visit *to* Russia" gives "visit" and
//! "Russia"), so the list decides what a candidate phrase can be.

use std::collections::HashSet;
use std::path::Path;

use crate::pipeline::BuildError;

/// The built-in English list, written for newsd (see the file's header).
const BUILTIN_EN: &str = include_str!("../../../config/lexicons/stopwords-en.txt");

/// A set of stopwords, stored in the normalised form [`normalise_into`] produces.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stopwords {
    words: HashSet<Box<str>>,
}

impl Stopwords {
    /// The built-in English list.
    pub(crate) fn builtin() -> Self {
        let mut list = Self::default();
        list.add_list(BUILTIN_EN);
        list
    }

    /// Adds the words of `path` (same format as the built-in list). A file that cannot
    /// be read is reported under `pipeline.extract.stopwords`, naming the path.
    pub(crate) fn add_file(&mut self, path: &Path) -> Result<(), BuildError> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            BuildError::new(
                "pipeline.extract.stopwords",
                format!("cannot read {}: {err}", path.display()),
            )
        })?;
        self.add_list(&text);
        Ok(())
    }

    /// Adds the words of a list: one per line, blank lines and `#` comments ignored.
    pub(crate) fn add_list(&mut self, text: &str) {
        let mut buf = String::new();
        for line in text.lines() {
            let word = line.trim();
            if word.is_empty() || word.starts_with('#') {
                continue;
            }
            normalise_into(word, &mut buf);
            self.words.insert(buf.as_str().into());
        }
    }

    /// Whether `word`, already normalised, is a stopword.
    pub(crate) fn contains(&self, normalised: &str) -> bool {
        self.words.contains(normalised)
    }

    /// Number of distinct words.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.words.len()
    }
}

/// Writes the comparison form of `word` into `buf`: lower case, with curly apostrophes
/// (’ ‘) turned into straight ones so "don’t" meets "don't".
pub(crate) fn normalise_into(word: &str, buf: &mut String) {
    buf.clear();
    for c in word.chars() {
        match c {
            '’' | '‘' => buf.push('\''),
            c if c.is_ascii() => buf.push(c.to_ascii_lowercase()),
            c => buf.extend(c.to_lowercase()),
        }
    }
}

/// The comparison form of `word`, borrowing `word` itself when it already is one
/// (plain lower-case ASCII, the common case) and `buf` otherwise.
pub(crate) fn normalised<'a>(word: &'a str, buf: &'a mut String) -> &'a str {
    if word.bytes().all(|b| b.is_ascii_lowercase() || b == b'\'') {
        word
    } else {
        normalise_into(word, buf);
        buf.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_list_loads() {
        let list = Stopwords::builtin();
        assert!(list.len() >= 300, "{}", list.len());
        for word in ["the", "said", "of", "don't", "told", "and"] {
            assert!(list.contains(word), "{word}");
        }
        for word in ["russia", "president", "#", ""] {
            assert!(!list.contains(word), "{word}");
        }
    }

    #[test]
    fn normalisation() {
        let mut buf = String::new();
        assert_eq!(normalised("Don’t", &mut buf), "don't");
        assert_eq!(normalised("plain", &mut buf), "plain");
        assert_eq!(normalised("ÉTÉ", &mut buf), "été");
    }

    #[test]
    fn extra_file_and_missing_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("extra.txt");
        std::fs::write(&path, "# comment\n\n  Kremlin  \nBEIJING\n").expect("write");
        let mut list = Stopwords::builtin();
        list.add_file(&path).expect("readable");
        assert!(list.contains("kremlin") && list.contains("beijing"));
        assert!(!list.contains("# comment"));

        let missing = dir.path().join("missing.txt");
        let err = list
            .add_file(&missing)
            .expect_err("missing file is an error");
        assert_eq!(err.key, "pipeline.extract.stopwords");
        assert!(err.message.contains("missing.txt"), "{}", err.message);
    }
}
