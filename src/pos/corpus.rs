//! Reader for the part-of-speech column of CoNLL-2003 style files: one token per
//! line, the tag in the second column, blank lines between sentences; `-DOCSTART-`
//! lines are skipped.

use std::path::Path;

use super::PosError;

/// One sentence: tokens and their gold tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaggedSentence {
    /// Token strings as written in the file.
    pub tokens: Vec<String>,
    /// The gold tag of each token.
    pub tags: Vec<String>,
}

/// Reads a CoNLL file from disk.
pub fn read_file(path: &Path) -> Result<Vec<TaggedSentence>, PosError> {
    let text = std::fs::read_to_string(path).map_err(PosError::io(path))?;
    parse(&text).map_err(|(line, message)| PosError::Corpus {
        path: path.to_path_buf(),
        line,
        message,
    })
}

/// Parses CoNLL text; an error carries the 1-based line number and what is wrong.
pub fn parse(text: &str) -> Result<Vec<TaggedSentence>, (usize, String)> {
    let mut out = Vec::new();
    let mut sentence = TaggedSentence::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        let mut cols = line.split_whitespace();
        let Some(token) = cols.next() else {
            if !sentence.tokens.is_empty() {
                out.push(std::mem::take(&mut sentence));
            }
            continue;
        };
        if token == "-DOCSTART-" {
            continue;
        }
        let Some(tag) = cols.next() else {
            return Err((n + 1, format!("token {token:?} has no tag column")));
        };
        sentence.tokens.push(token.to_string());
        sentence.tags.push(tag.to_string());
    }
    if !sentence.tokens.is_empty() {
        out.push(sentence);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_second_column_by_sentence() {
        let text = "-DOCSTART- -X- -X- O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\n\
                    Peter NNP I-NP I-PER\n";
        let got = parse(text).expect("parses");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].tokens, ["EU", "rejects"]);
        assert_eq!(got[0].tags, ["NNP", "VBZ"]);
        assert_eq!(got[1].tags, ["NNP"]);
        assert_eq!(parse("lonely\n").unwrap_err().0, 1);
    }
}
