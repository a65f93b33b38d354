//! CoNLL-style re-tokenisation of pipeline documents, and mapping mentions back to
//! byte spans of the text.
//!
//! The tokenize stage cuts words by UAX #29, which differs from the Penn-Treebank-like
//! tokens of CoNLL-2003 the model was trained on: "U.S." is "U.S" + ".", "Xi’s" is one
//! token, "Russian-Chinese" is three. [`conll_tokens`] rebuilds CoNLL-like tokens from
//! the stage's tokens, without re-reading the text from scratch:
//!
//! - a hyphen or `&` written between two tokens with no space joins them
//!   ("Russian-Chinese", "COVID-19", "AT&T");
//! - an initialism, a single letter or a known abbreviation takes the full stop that
//!   follows it ("U.S.", "J.", "Inc.");
//! - the clitics `'s`, `n't`, `'re`, `'ve`, `'ll`, `'d`, `'m` (straight or curly
//!   apostrophe) become tokens of their own ("Xi" + "’s", "do" + "n't").
//!
//! Curly quotes stay as they are in the spans; the features normalise them to ASCII.

use crate::document::{Document, Span, Token, TokenKind};

use super::{EntityLabel, Recognizer};

/// An entity mention as a byte span of [`Document::text`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawEntityMention {
    /// Where the mention is.
    pub span: Span,
    /// Its type.
    pub label: EntityLabel,
    /// Tagger confidence, `0..=1`.
    pub confidence: f32,
}

/// Abbreviations that keep their full stop in CoNLL text (compared without the stop,
/// case-sensitively).
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gov", "Gen", "Sen", "Rep", "Rev", "Sgt", "Lt", "Col", "Capt",
    "Cmdr", "Adm", "Maj", "St", "Mt", "Ft", "Jr", "Sr", "Inc", "Corp", "Co", "Ltd", "Bros", "Plc",
    "Jan", "Feb", "Mar", "Apr", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No", "vs", "Calif",
    "Mass", "Fla", "Ill", "Penn", "Wash", "Mo", "Ariz", "Conn", "Ga", "Va", "Tenn", "Ky", "La",
    "Md", "Mich", "Minn", "Okla", "Ore", "Wis", "Ala", "Colo",
];

/// Re-tokenises each sentence of a tokenised document CoNLL-style; returns, per
/// sentence of `doc.sentences`, the byte spans of its tokens in `doc.text`.
pub fn conll_tokens(doc: &Document) -> Vec<Vec<Span>> {
    let mut out: Vec<Vec<Span>> = vec![Vec::new(); doc.sentences.len()];
    let mut i = 0;
    let tokens = &doc.tokens;
    while i < tokens.len() {
        let si = tokens[i].sentence;
        let mut j = i;
        while j < tokens.len() && tokens[j].sentence == si {
            j += 1;
        }
        if let Some(slot) = out.get_mut(si) {
            *slot = sentence_tokens(doc, &tokens[i..j]);
        }
        i = j;
    }
    out
}

/// CoNLL-style spans of one sentence's UAX #29 tokens.
fn sentence_tokens(doc: &Document, tokens: &[Token]) -> Vec<Span> {
    let text = |s: Span| doc.slice(s);
    let adjacent = |a: Span, b: Span| a.end == b.start;
    let mut joined: Vec<Span> = Vec::with_capacity(tokens.len());
    let mut k = 0;
    while k < tokens.len() {
        let mut span = tokens[k].span;
        let mut kind = tokens[k].kind;
        k += 1;
        loop {
            // word-word, word-&-word: "Russian-Chinese", "COVID-19", "AT&T".
            if let (Some(mid), Some(next)) = (tokens.get(k), tokens.get(k + 1))
                && is_joiner(text(mid.span))
                && matches!(kind, TokenKind::Word | TokenKind::Number)
                && matches!(next.kind, TokenKind::Word | TokenKind::Number)
                && adjacent(span, mid.span)
                && adjacent(mid.span, next.span)
            {
                span = Span::new(span.start, next.span.end);
                kind = next.kind;
                k += 2;
                continue;
            }
            // "U.S" + ".", "J" + ".", "Inc" + ".".
            if let Some(dot) = tokens.get(k)
                && text(dot.span) == "."
                && adjacent(span, dot.span)
                && takes_stop(text(span))
            {
                span = Span::new(span.start, dot.span.end);
                k += 1;
            }
            break;
        }
        joined.push(span);
    }
    let mut out = Vec::with_capacity(joined.len() + 4);
    for span in joined {
        let t = text(span);
        match clitic_len(t) {
            Some(n) if n < t.len() => {
                let cut = span.end - n;
                out.push(Span::new(span.start, cut));
                out.push(Span::new(cut, span.end));
            }
            _ => out.push(span),
        }
    }
    out
}

fn is_joiner(s: &str) -> bool {
    matches!(s, "-" | "\u{2010}" | "\u{2011}" | "&")
}

/// Whether a word keeps a following full stop: initialisms ("U.S", "a.m"), single
/// letters ("J") and known abbreviations.
fn takes_stop(word: &str) -> bool {
    let mut chars = word.chars();
    let single_letter =
        matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic());
    let initialism = word.len() >= 3
        && word.contains('.')
        && word
            .split('.')
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic));
    single_letter || initialism || ABBREVIATIONS.contains(&word)
}

/// Byte length of a clitic ending the word (`'s`, `n't`, `'re`, ...), if any.
fn clitic_len(word: &str) -> Option<usize> {
    // Most words have no apostrophe at all; this runs on every token.
    let (cut, apostrophe) = word
        .char_indices()
        .rfind(|&(_, c)| c == '\'' || c == '\u{2019}')?;
    let a = apostrophe.len_utf8();
    let after = &word[cut + a..];
    let before = &word[..cut];
    if after.eq_ignore_ascii_case("t")
        && before.len() > 1
        && before
            .as_bytes()
            .last()
            .is_some_and(|b| b.eq_ignore_ascii_case(&b'n'))
    {
        return Some(2 + a);
    }
    ["s", "re", "ve", "ll", "d", "m"]
        .iter()
        .any(|c| after.eq_ignore_ascii_case(c))
        .then_some(a + after.len())
}

/// Finds the entities of a tokenised document (the tokenize stage must have run) and
/// returns them as byte spans of `doc.text`, in text order.
pub fn find_entities(doc: &Document, recognizer: &Recognizer) -> Vec<RawEntityMention> {
    let spans = conll_tokens(doc);
    let sentences: Vec<Vec<&str>> = spans
        .iter()
        .map(|s| s.iter().map(|&sp| doc.slice(sp)).collect())
        .collect();
    recognizer
        .recognize(&sentences)
        .into_iter()
        .filter_map(|m| {
            let s = spans.get(m.sentence)?;
            let first = s.get(m.start)?;
            let last = s.get(m.end.checked_sub(1)?)?;
            Some(RawEntityMention {
                span: Span::new(first.start, last.end),
                label: m.label,
                confidence: m.confidence,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::Stage;
    use crate::pipeline::tokenize::{Tokenize, TokenizeConfig};

    fn tokens_of(text: &str) -> Vec<Vec<String>> {
        let mut doc = Document::new(None, text.to_string());
        Tokenize::build(&TokenizeConfig::default())
            .expect("default tokenizer")
            .apply(&mut doc)
            .expect("tokenize");
        conll_tokens(&doc)
            .iter()
            .map(|s| s.iter().map(|&sp| doc.slice(sp).to_string()).collect())
            .collect()
    }

    #[test]
    fn initialisms_take_their_stop_and_possessives_split() {
        let got = tokens_of(
            "With the U.S. continuing to question Russia\u{2019}s and China\u{2019}s actions.",
        );
        assert_eq!(
            got[0],
            [
                "With",
                "the",
                "U.S.",
                "continuing",
                "to",
                "question",
                "Russia",
                "\u{2019}s",
                "and",
                "China",
                "\u{2019}s",
                "actions",
                "."
            ]
        );
    }

    #[test]
    fn hyphenated_compounds_join_and_clitics_split() {
        let got = tokens_of(
            "Key events in Russian-Chinese relations don't involve AT&T or COVID-19, Mr. Smith's firm said.",
        );
        assert_eq!(
            got[0],
            [
                "Key",
                "events",
                "in",
                "Russian-Chinese",
                "relations",
                "do",
                "n't",
                "involve",
                "AT&T",
                "or",
                "COVID-19",
                ",",
                "Mr.",
                "Smith",
                "'s",
                "firm",
                "said",
                "."
            ]
        );
    }

    #[test]
    fn spaced_dashes_and_names_with_apostrophes_stay_apart() {
        let got = tokens_of(
            "Alex O\u{2019}Brien won \u{2013} again - in 1996-97 \u{201C}easily\u{201D}.",
        );
        assert_eq!(
            got[0],
            [
                "Alex",
                "O\u{2019}Brien",
                "won",
                "\u{2013}",
                "again",
                "-",
                "in",
                "1996-97",
                "\u{201C}",
                "easily",
                "\u{201D}",
                "."
            ]
        );
    }

    #[test]
    fn spans_follow_sentences() {
        let got = tokens_of("Putin met Xi. They spoke in Moscow.");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1], ["They", "spoke", "in", "Moscow", "."]);
    }
}
