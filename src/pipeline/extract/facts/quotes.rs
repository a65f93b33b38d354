//! Quotations: text between quotation marks, and who said it (see `speaker.rs`).
//!
//! Marks are paired per paragraph. Curly marks say which way they face; a straight
//! `"` opens when it follows a space (or starts the paragraph) and touches the next
//! word, and closes when it touches the previous word. Two conventions of news copy
//! are followed: a quote still open at the end of its paragraph carries on in the next
//! paragraph when that one starts with an opening mark (each paragraph is then its own
//! quote, `SpeakerCue::Continued`), and an opening mark right after a full stop inside
//! an open quote starts a new quote in the same run (copy whose paragraph breaks were
//! lost). A mark that cannot be paired is ignored, and an open quote that reaches the
//! end of its paragraph only counts when it began a sentence or followed a colon.
//!
//! Single quotes (‘…’ and '…') count only outside double quotes, when the opening mark
//! follows a space and touches a letter, and a matching closing mark comes within 25
//! tokens in the same paragraph; an apostrophe inside a word ("Xi’s", "don't") is part
//! of its token and never looked at, and "’90s" is not an opening mark.
//!
//! The quote's span is the text inside the marks, trimmed of spaces and of the comma
//! or colon that belongs to the sentence around it; a final full stop is dropped too
//! when the quote is a fragment (it starts in lower case or has one or two words), as
//! in “exceptionalism.”. Indirect speech ("Zakharova called the summit…", "X said
//! that…") has no marks and is not a quote here.

use serde::Serialize;

use super::Toks;
use super::speaker;
use crate::document::{Document, Span};

/// A quotation found in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// The quoted text, without the quotation marks.
    pub span: Span,
    /// The text of the span.
    pub text: String,
    /// Who said it, when the text names them; `None` for scare quotes and unattributed
    /// quotes.
    pub speaker: Option<Speaker>,
}

/// The speaker of a quote, as the text names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Speaker {
    /// The name, pronoun or description as written ("she", "Maria Zakharova", "a
    /// spokesperson for Russia’s Foreign Ministry"). For a continued quote it points at
    /// the mention that named the speaker of the quote before.
    pub span: Span,
    /// The text of the span.
    pub text: String,
    /// How the speaker was found, from the most to the least direct.
    pub cue: SpeakerCue,
    /// For a pronoun speaker ("he", "she"), the nearest person-like name before it
    /// outside quotes, when there is one.
    pub resolved: Option<Mention>,
}

/// A stretch of text naming someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    /// Where the name is written.
    pub span: Span,
    /// The name as written.
    pub text: String,
}

/// How a speaker was tied to a quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerCue {
    /// After the quote: `"…," she said`, `"…," said X`, `"…," X told Reuters`.
    After,
    /// Before it: `X said: "…"`, `X told the BBC: "…"`.
    Before,
    /// `according to X`, before or after the quote.
    AccordingTo,
    /// A speech verb earlier in the same sentence: `X said it was "so lovely"`.
    Sentence,
    /// The quote goes on from the previous one (next paragraph or next sentence) with
    /// no attribution of its own; the speaker is the previous quote's.
    Continued,
    /// The quote opens a sentence with no attribution of its own, and the sentence
    /// before reports the speaker's words: `X warned that … . "…"`.
    Preceding,
}

/// A paired (or paragraph-ended) quote before attribution.
#[derive(Debug, Clone, Copy)]
pub(super) struct Raw {
    /// Token index of the opening mark.
    pub open: usize,
    /// Token index of the closing mark; `None` when the quote ran to the end of its
    /// paragraph or into the next opening mark.
    pub close: Option<usize>,
    /// The quoted text, trimmed.
    pub content: Span,
    /// Opened as the continuation of the previous quote.
    pub continued: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// `"`: direction from the spacing.
    Straight,
    /// `“` or `„`.
    Open,
    /// `”`.
    Close,
    /// `'`.
    SingleStraight,
    /// `‘`.
    SingleOpen,
    /// `’`.
    SingleClose,
}

fn mark_of(token: &str) -> Option<Mark> {
    Some(match token {
        "\"" => Mark::Straight,
        "“" | "„" => Mark::Open,
        "”" => Mark::Close,
        "'" => Mark::SingleStraight,
        "‘" => Mark::SingleOpen,
        "’" => Mark::SingleClose,
        _ => return None,
    })
}

fn is_quote_char(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„' | '\'' | '‘' | '’')
}

/// The characters just before and after a span.
fn around(text: &str, span: Span) -> (Option<char>, Option<char>) {
    let before = text.get(..span.start).and_then(|s| s.chars().next_back());
    let after = text.get(span.end..).and_then(|s| s.chars().next());
    (before, after)
}

/// Shaped like an opening mark: after a space or bracket, touching what follows.
fn opens(before: Option<char>, after: Option<char>) -> bool {
    after.is_some_and(|c| !c.is_whitespace())
        && before.is_none_or(|c| c.is_whitespace() || "([{—–-/".contains(c) || is_quote_char(c))
}

/// Shaped like a closing mark: touching what precedes, before a space or punctuation.
fn closes(before: Option<char>, after: Option<char>) -> bool {
    before.is_some_and(|c| !c.is_whitespace())
        && after
            .is_none_or(|c| c.is_whitespace() || ".,;:!?)]}—–-…".contains(c) || is_quote_char(c))
}

/// Trims the inside of a pair of marks to the quote's span (see the module docs).
fn content(text: &str, start: usize, end: usize) -> Span {
    let inner = text.get(start..end).unwrap_or("");
    let lead = inner.len() - inner.trim_start().len();
    let mut body = inner.trim();
    body = body.trim_end_matches([',', ';', ':', '—', '–']).trim_end();
    let fragment =
        !body.starts_with(|c: char| c.is_uppercase()) || body.split_whitespace().nth(2).is_none();
    if fragment && !body.ends_with("..") {
        body = body.trim_end_matches('.').trim_end();
    }
    Span::new(start + lead, start + lead + body.len())
}

/// Finds the quotes of a tokenized document, in text order, each with its speaker
/// when the text names one. See the module docs for how marks are paired.
pub fn find_quotes(doc: &Document) -> Vec<Quote> {
    let t = Toks::new(doc);
    let mut raws = pair_doubles(&t);
    pair_singles(&t, &mut raws);
    raws.retain(|r| !r.content.is_empty());
    raws.sort_by_key(|r| r.content.start);
    let speakers = speaker::attribute(&t, &raws);
    raws.iter()
        .zip(speakers)
        .map(|(r, speaker)| Quote {
            span: r.content,
            text: doc.slice(r.content).to_string(),
            speaker,
        })
        .collect()
}

/// An open double quote during pairing.
#[derive(Clone, Copy)]
struct Open {
    token: usize,
    paragraph: usize,
    continued: bool,
}

/// Pairs `"`, `“` and `”` marks, paragraph by paragraph.
fn pair_doubles(t: &Toks<'_>) -> Vec<Raw> {
    let text = t.doc().text.as_str();
    let mut raws = Vec::new();
    let mut open: Option<Open> = None;
    // Paragraph whose quote ran to its end, so the next may continue it.
    let mut carried: Option<usize> = None;
    for k in 0..t.len() {
        let Some(mark) = mark_of(t.text(k)) else {
            continue;
        };
        if matches!(
            mark,
            Mark::SingleStraight | Mark::SingleOpen | Mark::SingleClose
        ) {
            continue;
        }
        let span = t.span(k);
        let paragraph = t.paragraph_of(span.start);
        if let Some(o) = open.filter(|o| o.paragraph != paragraph) {
            carried = end_open(t, o, &mut raws);
            open = None;
        }
        let (before, after) = around(text, span);
        let open_shape = mark == Mark::Open || (mark == Mark::Straight && opens(before, after));
        let close_shape = mark == Mark::Close || (mark == Mark::Straight && closes(before, after));
        let first_in_paragraph = t
            .doc()
            .paragraphs
            .get(paragraph)
            .is_some_and(|p| p.start == span.start);
        match open {
            None if open_shape => {
                let continued = first_in_paragraph && carried == paragraph.checked_sub(1);
                open = Some(Open {
                    token: k,
                    paragraph,
                    continued,
                });
            }
            None => {}
            Some(o) if close_shape => {
                let start = t.span(o.token).end;
                raws.push(Raw {
                    open: o.token,
                    close: Some(k),
                    content: content(text, start, span.start),
                    continued: o.continued,
                });
                open = None;
            }
            Some(o) if open_shape => {
                // An opening mark inside an open quote: after a full stop it starts the
                // next quote of a run; otherwise the first mark was a stray.
                let before_text = text.get(..span.start).unwrap_or("").trim_end();
                let sentence_end = before_text.ends_with(['.', '?', '!', '…']);
                if sentence_end {
                    let start = t.span(o.token).end;
                    raws.push(Raw {
                        open: o.token,
                        close: None,
                        content: content(text, start, before_text.len().max(start)),
                        continued: o.continued,
                    });
                }
                open = Some(Open {
                    token: k,
                    paragraph,
                    continued: sentence_end,
                });
            }
            Some(_) => {}
        }
    }
    if let Some(o) = open {
        end_open(t, o, &mut raws);
    }
    raws
}

/// Closes a quote left open at the end of its paragraph; keeps it when it began a
/// sentence or followed a colon or comma (a speech, not a stray mark). Returns the
/// paragraph, which the next one may continue.
fn end_open(t: &Toks<'_>, o: Open, raws: &mut Vec<Raw>) -> Option<usize> {
    let text = t.doc().text.as_str();
    let starts_sentence = t.sentence_range(o.token).start == o.token;
    let after_intro = o.token > 0 && matches!(t.text(o.token - 1), ":" | ",");
    if !(starts_sentence || after_intro || o.continued) {
        return None;
    }
    let end = t
        .doc()
        .paragraphs
        .get(o.paragraph)
        .map_or(text.len(), |p| p.end);
    let start = t.span(o.token).end;
    raws.push(Raw {
        open: o.token,
        close: None,
        content: content(text, start, end.max(start)),
        continued: o.continued,
    });
    Some(o.paragraph)
}

/// Pairs single quotes outside the double quotes already found.
fn pair_singles(t: &Toks<'_>, raws: &mut Vec<Raw>) {
    let text = t.doc().text.as_str();
    let mut inside: Vec<Span> = raws
        .iter()
        .map(|r| {
            Span::new(
                t.span(r.open).start,
                r.close.map_or(r.content.end, |c| t.span(c).end),
            )
        })
        .collect();
    inside.sort_by_key(|s| s.start);
    let in_double = |pos: usize| {
        let k = inside.partition_point(|s| s.end <= pos);
        inside.get(k).is_some_and(|s| s.start <= pos)
    };
    let mut k = 0;
    while k < t.len() {
        let mark = mark_of(t.text(k));
        let span = t.span(k);
        let opening = matches!(mark, Some(Mark::SingleStraight | Mark::SingleOpen));
        if !opening || in_double(span.start) {
            k += 1;
            continue;
        }
        let (before, after) = around(text, span);
        let decade =
            t.text(k + 1).ends_with('s') && t.text(k + 1).starts_with(|c: char| c.is_ascii_digit());
        if !opens(before, after) || !after.is_some_and(char::is_alphanumeric) || decade {
            k += 1;
            continue;
        }
        let paragraph = t.paragraph_of(span.start);
        let close = (k + 1..t.len().min(k + 26))
            .take_while(|&c| t.paragraph_of(t.span(c).start) == paragraph)
            .find(|&c| {
                let (b, a) = around(text, t.span(c));
                matches!(
                    mark_of(t.text(c)),
                    Some(Mark::SingleStraight | Mark::SingleClose)
                ) && closes(b, a)
            });
        match close {
            Some(c) => {
                raws.push(Raw {
                    open: k,
                    close: Some(c),
                    content: content(text, span.end, t.span(c).start),
                    continued: false,
                });
                k = c + 1;
            }
            None => k += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::doc;
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        find_quotes(&doc(text))
            .into_iter()
            .map(|q| q.text)
            .collect()
    }

    #[test]
    fn straight_and_curly_pairs() {
        assert_eq!(
            texts("It will deepen the “no limits” partnership and “exceptionalism.”"),
            vec!["no limits", "exceptionalism"]
        );
        assert_eq!(
            texts("\"We are ready,\" she said. \"It is late.\""),
            vec!["We are ready", "It is late."]
        );
        assert_eq!(
            texts("He said \"Stop. Go home. Now.\" and left."),
            vec!["Stop. Go home. Now."]
        );
        // A mixed pair and an unmatched closing mark.
        assert_eq!(texts("A “mixed\" pair; a stray” mark."), vec!["mixed"]);
    }

    #[test]
    fn quotes_across_paragraphs_and_run_ons() {
        let text = "\"He was courteous, and kind to us all.\n\n\"He was funny,\" she said.";
        assert_eq!(
            texts(text),
            vec!["He was courteous, and kind to us all.", "He was funny"]
        );
        let quotes = find_quotes(&doc(text));
        assert!(
            quotes
                .first()
                .is_some_and(|q| q.span.end < text.find("\n").unwrap_or(0) + 1)
        );
        let run = "The minister said: \"Better work helps. \"Communities pay the price.\"";
        assert_eq!(
            texts(run),
            vec!["Better work helps.", "Communities pay the price."]
        );
        // A stray opening mark mid-sentence that never closes is no quote.
        assert!(texts("The 12\" pipe burst and flooded it.").is_empty());
    }

    #[test]
    fn single_quotes_only_when_clearly_quotes() {
        assert_eq!(
            texts("It would have been a 'one-stop' system, not ‘wait and see’."),
            vec!["one-stop", "wait and see"]
        );
        assert!(texts("Xi’s visit and the analysts' view in the ’90s.").is_empty());
        assert!(texts("Don't go, it's the players' union.").is_empty());
        // Inside double quotes, single marks belong to the outer quote.
        assert_eq!(
            texts("He said: \"They called it 'madness' then.\""),
            vec!["They called it 'madness' then."]
        );
    }
}
