//! Paragraph detection: one paragraph per line, unless the text is hard-wrapped.
//!
//! News dumps put one paragraph on each line, with or without blank lines between
//! them, so by default every non-blank line is a paragraph. Text wrapped at a fixed
//! width (e-mail, plain-text wire copy) instead breaks paragraphs with blank lines and
//! lines at arbitrary words; there, each blank-line-separated block is a paragraph.
//!
//! The text is taken as hard-wrapped when all of these hold:
//! - at least [`MIN_INNER_LINES`] lines are followed by another line of the same block
//!   ("inner" lines; one-line blocks say nothing about wrapping);
//! - at least 80% of non-blank lines are at most [`WRAP_WIDTH`] characters long;
//! - at least half of the inner lines do not end in sentence punctuation, i.e. lines
//!   stop mid-sentence. In one-paragraph-per-line text nearly every line ends a
//!   sentence, so this is the decisive test.

use crate::document::Span;

/// Lines at most this many characters long count as "short" for the wrap test.
pub(crate) const WRAP_WIDTH: usize = 80;

/// Fewest inner lines needed before the text can be judged hard-wrapped.
pub(crate) const MIN_INNER_LINES: usize = 3;

/// A non-blank line: its span without surrounding whitespace, and its block number.
#[derive(Debug, Clone, Copy)]
struct Line {
    span: Span,
    block: usize,
}

/// Yields `(start, end)` byte ranges of the lines of `text`, without line breaks.
/// LF, CRLF and lone CR all end a line, so tokenize does not rely on clean having run.
fn line_ranges(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut pos = Some(0usize);
    std::iter::from_fn(move || {
        let start = pos?;
        let rest = bytes.get(start..)?;
        match memchr::memchr2(b'\n', b'\r', rest) {
            Some(i) => {
                let end = start + i;
                let crlf = bytes.get(end) == Some(&b'\r') && bytes.get(end + 1) == Some(&b'\n');
                pos = Some(end + if crlf { 2 } else { 1 });
                Some((start, end))
            }
            None => {
                pos = None;
                Some((start, bytes.len()))
            }
        }
    })
}

/// Whether a line (already trimmed) ends in sentence punctuation, allowing closing
/// quotes and brackets after it: `end.`, `end?”`, `end…)`, and `list:`.
pub(crate) fn ends_sentence(line: &str) -> bool {
    let body = line.trim_end_matches(is_closer);
    matches!(
        body.chars().next_back(),
        Some('.' | '!' | '?' | '…' | ':' | ';' | '。' | '！' | '？')
    )
}

/// Closing quotes and brackets that stay with the sentence before them.
pub(crate) fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '»' | '›' | ')' | ']' | '}' | '」' | '』'
    )
}

/// Opening quotes and brackets that may precede the first word of a sentence.
pub(crate) fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '«' | '‹' | '(' | '[' | '{' | '「' | '『' | '„'
    )
}

/// Fills `out` with the paragraph spans of `text`, in order (see the module docs).
pub(crate) fn paragraphs(text: &str, out: &mut Vec<Span>) {
    let mut lines: Vec<Line> = Vec::new();
    let mut block = 0usize;
    let mut previous_blank = false;
    for (start, end) in line_ranges(text) {
        let raw = text.get(start..end).unwrap_or("");
        let trimmed_start = raw.trim_start();
        let trimmed = trimmed_start.trim_end();
        if trimmed.is_empty() {
            previous_blank = true;
            continue;
        }
        if previous_blank && !lines.is_empty() {
            block += 1;
        }
        previous_blank = false;
        let s = start + (raw.len() - trimmed_start.len());
        lines.push(Line {
            span: Span::new(s, s + trimmed.len()),
            block,
        });
    }

    if looks_hard_wrapped(text, &lines) {
        let mut iter = lines.iter().peekable();
        while let Some(first) = iter.next() {
            let mut last = first;
            while let Some(next) = iter.next_if(|l| l.block == first.block) {
                last = next;
            }
            out.push(Span::new(first.span.start, last.span.end));
        }
    } else {
        out.extend(lines.iter().map(|l| l.span));
    }
}

/// The hard-wrap test described in the module docs.
fn looks_hard_wrapped(text: &str, lines: &[Line]) -> bool {
    let mut short = 0usize;
    let mut inner = 0usize;
    let mut open = 0usize;
    for (i, line) in lines.iter().enumerate() {
        let content = text.get(line.span.start..line.span.end).unwrap_or("");
        if content.len() <= WRAP_WIDTH || content.chars().count() <= WRAP_WIDTH {
            short += 1;
        }
        let is_inner = lines.get(i + 1).is_some_and(|n| n.block == line.block);
        if is_inner {
            inner += 1;
            if !ends_sentence(content) {
                open += 1;
            }
        }
    }
    inner >= MIN_INNER_LINES && short * 5 >= lines.len() * 4 && open * 2 >= inner
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        paragraphs(text, &mut out);
        out.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn one_paragraph_per_line() {
        assert_eq!(
            paras("First one.\nSecond one.\n\nThird one."),
            ["First one.", "Second one.", "Third one."]
        );
    }

    #[test]
    fn trims_and_handles_crlf_and_missing_final_newline() {
        assert_eq!(
            paras("\r\n  First one.  \r\n\r\nSecond one.\rThird"),
            ["First one.", "Second one.", "Third"]
        );
        assert!(paras("").is_empty());
        assert!(paras(" \n\t\n").is_empty());
    }

    #[test]
    fn hard_wrapped_blocks_become_paragraphs() {
        let text = "The committee met on Tuesday to discuss the budget and\n\
                    agreed to postpone the vote until the next session of\n\
                    parliament.\n\
                    \n\
                    Members said the delay would give them time to study\n\
                    the proposals in detail.\n";
        let got = paras(text);
        assert_eq!(got.len(), 2);
        assert!(got[0].starts_with("The committee") && got[0].ends_with("parliament."));
        assert!(got[1].starts_with("Members") && got[1].ends_with("detail."));
    }

    #[test]
    fn short_lines_that_end_sentences_stay_separate() {
        let text =
            "Shares rose.\nInvestors cheered.\nThe index hit a record.\n\nAnalysts were wary.";
        assert_eq!(paras(text).len(), 4);
    }

    #[test]
    fn sentence_end_detection() {
        assert!(ends_sentence("He left."));
        assert!(ends_sentence("“Really?”"));
        assert!(ends_sentence("(as noted.)"));
        assert!(ends_sentence("Wait…"));
        assert!(!ends_sentence("and then the"));
        assert!(!ends_sentence("”"));
    }
}
