//! Sentence splitting inside one paragraph.
//!
//! Candidate boundaries come from Unicode sentence segmentation (UAX #29, via
//! `unicode-segmentation`, run on small windows around terminators when that is
//! equivalent; see `candidates.rs`), plus breaks after "…" followed by a
//! capitalised word, which UAX #29 does not treat as a terminator. Each candidate is
//! then checked against the text before it (see [`accept`]): UAX #29 splits after
//! every ". Capital", which is wrong after titles ("Mr. Smith"), initials ("George W.
//! Bush") and most uses of initialisms ("the U.S. Congress"). Closing quotes and
//! brackets, and the spaces after them, belong to the sentence before the break;
//! sentence spans are trimmed of whitespace and never cross their paragraph.

use super::abbreviations::{AbbrevKind, Abbreviations, is_sentence_starter};
use super::candidates;
use super::paragraphs::{is_closer, is_opener};
use crate::document::Span;

/// Appends the sentences of paragraph `para` of `text` to `out`.
pub(crate) fn split_paragraph(
    text: &str,
    para: Span,
    abbreviations: &Abbreviations,
    out: &mut Vec<Span>,
) {
    split_with(text, para, abbreviations, out, false);
}

/// [`split_paragraph`], with the choice of always running full UAX #29 segmentation
/// (used by tests to check the windowed fast path against it).
fn split_with(
    text: &str,
    para: Span,
    abbreviations: &Abbreviations,
    out: &mut Vec<Span>,
    full: bool,
) {
    let Some(ptext) = text.get(para.start..para.end) else {
        return;
    };
    let mut cuts = Vec::new();
    candidates::candidates(ptext, full, &mut cuts);
    let mut start = 0usize;
    for cut in cuts {
        if cut <= start || cut >= ptext.len() {
            continue;
        }
        let (Some(before), Some(after)) = (ptext.get(start..cut), ptext.get(cut..)) else {
            continue;
        };
        if accept(before, after, abbreviations) {
            push_trimmed(para.start + start, before, out);
            start = cut;
        }
    }
    if let Some(rest) = ptext.get(start..) {
        push_trimmed(para.start + start, rest, out);
    }
}

/// Pushes the span of `piece` (starting at byte `at` of the text) without the
/// whitespace around it, unless nothing is left.
fn push_trimmed(at: usize, piece: &str, out: &mut Vec<Span>) {
    let lead = piece.len() - piece.trim_start().len();
    let body = piece.trim();
    if !body.is_empty() {
        out.push(Span::new(at + lead, at + lead + body.len()));
    }
}

/// The first word of `after` (skipping whitespace and opening quotes): its leading
/// run of letters, and the first character after the openers.
fn next_word(after: &str) -> (&str, Option<char>) {
    let rest = after.trim_start().trim_start_matches(is_opener);
    let end = rest
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(rest.len(), |(i, _)| i);
    (rest.get(..end).unwrap_or(""), rest.chars().next())
}

/// Whether `word` looks like a dotted initialism such as "U.S", "a.m" or "Ph.D"
/// (the final full stop already removed): letter groups of at most three letters.
fn is_dotted_initialism(word: &str) -> bool {
    word.contains('.')
        && word
            .split('.')
            .all(|part| !part.is_empty() && part.len() <= 6 && part.chars().count() <= 3)
        && word.chars().all(|c| c == '.' || c.is_alphabetic())
}

/// Decides whether a candidate break between `before` (the sentence so far) and
/// `after` (the rest of the paragraph) is a real sentence end:
///
/// - after `!`, `?` or `...` (with optional closing quotes/brackets): yes;
/// - after `…`: only before a capital letter (a line break after "…" inside a
///   hard-wrapped paragraph is not a sentence end by itself);
/// - after a single `.`, look at the word before it:
///   - empty (the stop follows a quote or bracket) or all digits: yes;
///   - a single capital letter, an initial ("George W. Bush"): no;
///   - a title or fixed form ("Mr.", "e.g."): no;
///   - an abbreviation that also ends sentences ("Inc.", "Jan.", "etc."), or a dotted
///     initialism ("U.S.", "p.m."): only when the next word is a common sentence
///     starter ("The", "He", "However", ...);
///   - "No." and similar: only when no digit follows;
///   - anything else: yes;
/// - with no terminal punctuation at all (a break UAX #29 makes at a line break inside
///   a hard-wrapped paragraph): no.
fn accept(before: &str, after: &str, abbreviations: &Abbreviations) -> bool {
    let core = before.trim_end().trim_end_matches(is_closer);
    let Some(head) = core.strip_suffix('.') else {
        return match core.chars().next_back() {
            Some('!' | '?' | '‼' | '⁇' | '⁈' | '⁉' | '。' | '！' | '？') => true,
            Some('…') => next_word(after).1.is_some_and(char::is_uppercase),
            _ => false,
        };
    };
    if head.ends_with('.') {
        return true; // "..." used as an ellipsis
    }
    let word_start = head
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = head.get(word_start..).unwrap_or("");
    if word.is_empty() || word.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let mut chars = word.chars();
    if let (Some(first), None) = (chars.next(), chars.next())
        && first.is_uppercase()
    {
        return false;
    }
    let (next, next_char) = next_word(after);
    match abbreviations.lookup(word) {
        Some(AbbrevKind::Continues) => false,
        Some(AbbrevKind::MaybeEnds) => is_sentence_starter(next),
        Some(AbbrevKind::BeforeNumber) => !next_char.is_some_and(|c| c.is_ascii_digit()),
        None if is_dotted_initialism(word) => is_sentence_starter(next),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        let table = Abbreviations::new([]);
        let mut out = Vec::new();
        split_paragraph(text, Span::new(0, text.len()), &table, &mut out);
        out.iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn titles_and_initialisms_before_names_do_not_split() {
        assert_eq!(
            sentences("Mr. Smith went to Washington. He met the U.S. Congress on Friday."),
            [
                "Mr. Smith went to Washington.",
                "He met the U.S. Congress on Friday."
            ]
        );
    }

    #[test]
    fn initialism_before_sentence_starter_splits() {
        assert_eq!(
            sentences("Prices rose in the U.S. The president spoke at 9 a.m. Nobody came."),
            [
                "Prices rose in the U.S.",
                "The president spoke at 9 a.m. Nobody came."
            ]
        );
    }

    #[test]
    fn numbers_money_and_percentages() {
        assert_eq!(
            sentences("It rose 3.5% to $1.13bn. Shares fell."),
            ["It rose 3.5% to $1.13bn.", "Shares fell."]
        );
        assert_eq!(
            sentences("It ended in 2020. Then it began again."),
            ["It ended in 2020.", "Then it began again."]
        );
    }

    #[test]
    fn quotes_stay_with_their_sentence() {
        assert_eq!(
            sentences("“Quoted sentence.” He said. 'Another one!' She left."),
            [
                "“Quoted sentence.”",
                "He said.",
                "'Another one!'",
                "She left."
            ]
        );
        assert_eq!(
            sentences("He asked (quietly.) Then left."),
            ["He asked (quietly.)", "Then left."]
        );
    }

    #[test]
    fn initials_in_names() {
        assert_eq!(
            sentences("J. K. Rowling met George W. Bush. They talked."),
            ["J. K. Rowling met George W. Bush.", "They talked."]
        );
    }

    #[test]
    fn company_and_month_abbreviations() {
        assert_eq!(
            sentences("Apple Inc. said on Jan. 5 it grew. Shares of Acme Corp. The firm fell."),
            [
                "Apple Inc. said on Jan. 5 it grew.",
                "Shares of Acme Corp.",
                "The firm fell."
            ]
        );
        assert_eq!(
            sentences("He lives at No. 10 Downing Street. The answer was No. Nobody asked."),
            [
                "He lives at No. 10 Downing Street.",
                "The answer was No.",
                "Nobody asked."
            ]
        );
        assert_eq!(
            sentences("Dr. Jones and Prof. Lee, e.g. Smith, came. Gen. Ray did not."),
            [
                "Dr. Jones and Prof. Lee, e.g. Smith, came.",
                "Gen. Ray did not."
            ]
        );
    }

    #[test]
    fn exclamation_question_and_ellipsis() {
        assert_eq!(
            sentences("Stop! Why now? Well… Maybe later... Or never."),
            ["Stop!", "Why now?", "Well…", "Maybe later...", "Or never."]
        );
        assert_eq!(
            sentences("He paused… and went on."),
            ["He paused… and went on."]
        );
    }

    #[test]
    fn hard_wrapped_line_breaks_do_not_split() {
        assert_eq!(
            sentences("The vote was\npostponed. Members\nagreed."),
            ["The vote was\npostponed.", "Members\nagreed."]
        );
    }

    #[test]
    fn spans_are_offsets_into_the_whole_text() {
        let text = "Intro.\nFirst here. Second here.";
        let table = Abbreviations::new([]);
        let mut out = Vec::new();
        split_paragraph(text, Span::new(7, text.len()), &table, &mut out);
        assert_eq!(out, [Span::new(7, 18), Span::new(19, 31)]);
    }

    fn both_ways(text: &str) -> (Vec<Span>, Vec<Span>) {
        let table = Abbreviations::new([]);
        let para = Span::new(0, text.len());
        let (mut fast, mut full) = (Vec::new(), Vec::new());
        split_with(text, para, &table, &mut fast, false);
        split_with(text, para, &table, &mut full, true);
        (fast, full)
    }

    #[test]
    fn windowed_search_matches_full_segmentation() {
        let cases = [
            include_str!("../../../seeds/xi-jinping-russia-visit.txt"),
            "He said.\nNext one. a.\r\nB c.\rD",
            "Hi!? Yes. “Quoted.” He left. etc. (2) the end.) the next",
            "A. B. C. A.B.C. Then e.g. The 3.5. Then x...y No.10 wait?!  \"Yes\" he",
            ". .. ? a. b —end. —Start 1.\n2.\n3. end.’ Next Hi.\u{200b}There",
        ];
        for text in cases {
            let (fast, full) = both_ways(text);
            assert_eq!(fast, full, "{text:?}");
        }
        let alphabet: Vec<char> = "aBS3 .!?\n\r\"”’)(,;:…—\u{2009}\u{200b}".chars().collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..20 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let (fast, full) = both_ways(&text);
            assert_eq!(fast, full, "{text:?}");
        }
    }

    #[test]
    fn no_terminal_punctuation_and_blank() {
        assert_eq!(sentences("no full stop at all"), ["no full stop at all"]);
        assert!(sentences("   ").is_empty());
    }
}
