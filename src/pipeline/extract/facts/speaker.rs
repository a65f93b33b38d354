//! Who said a quote: attribution patterns around the marks, and pronoun resolution.
//!
//! Tried in order, the first match wins:
//! 1. after the closing mark, when the quote ends in punctuation or a comma follows
//!    it: `"…," she said`, `"…," said Robert Sinche, head of…`, `"…," the company
//!    said in a statement`, `"…," he told Reuters`, `"…", according to X`;
//! 2. before the opening mark: `X said: "…"`, `X told the BBC: "…"`, `X said in a
//!    statement: "…"`, `…, adding: "…"` (the subject of the earlier speech verb);
//! 3. `according to X` earlier in the sentence;
//! 4. a speech verb earlier in the same sentence, for partial quotes: `Rantzen said
//!    he was "so lovely"`;
//! 5. otherwise, a quote that opens a sentence right after an attributed quote (or
//!    continues it in the next paragraph) takes that quote's speaker;
//! 6. otherwise, a quote that opens a sentence takes the subject of the first speech
//!    verb of the sentence before, in the same or the previous paragraph: `Mr Dunn
//!    warned that firms could fail. "If companies are hiring…"`.
//!
//! The speaker is the noun phrase next to the verb, up to twelve words, stopping at
//! punctuation and clause words. A phrase with a role before a capitalised name
//! ("chairman and chief executive Richard Parsons") is cut to the name, and so is one
//! opening with an honorific and a name ("Dr Mark Tuffy games director at …"); one
//! starting with a determiner ("a spokesperson for Russia’s Foreign Ministry", "the minister")
//! is kept whole. A sentence with no speech verb gives no speaker, so scare quotes
//! ("no limits") stay unattributed.
//!
//! Pronouns "he" and "she" are resolved to a name in `names.rs`.

use super::names::{LEADING, Name, pronoun_resolution};
use super::quotes::{Raw, Speaker, SpeakerCue};
use super::{Toks, is_capitalised};
use crate::document::TokenKind;

/// Longest speaker phrase, in words: long enough for "Dr Mark Tuffy games systems
/// director at digital content firm THX".
const MAX_WORDS: usize = 12;

/// Verbs that tie a speaker to a quote next to it.
#[rustfmt::skip]
pub(super) const SPEECH: &[&str] = &[
    "said", "says", "say", "added", "adds", "told", "tells", "asked", "asks", "explained",
    "explains", "continued", "continues", "insisted", "insists", "warned", "warns",
    "argued", "argues", "stressed", "stresses", "admitted", "admits", "noted", "wrote",
    "writes", "replied", "replies", "declared", "declares", "commented", "acknowledged",
    "conceded", "recalled", "recalls", "remarked", "suggested", "confirmed", "announced",
    "stated", "urged", "urges", "predicted", "joked", "claimed", "cautioned", "observed",
];

/// Participles that introduce a quote after a clause: `…, adding: "…"`.
#[rustfmt::skip]
const PARTICIPLES: &[&str] = &[
    "saying", "adding", "telling", "stating", "declaring", "arguing", "warning",
    "insisting", "writing", "explaining",
];

/// Speech verbs that take an object before the quote: `told Reuters: "…"`.
const TELL: &[&str] = &["told", "tells", "telling", "asked", "asks"];

/// Verbs that make a later partial quote the subject's words.
const SENTENCE_VERBS: &[&str] = &[
    "said", "says", "say", "told", "tells", "added", "adds", "wrote", "writes", "insisted",
    "insists", "argued", "argues", "warned", "warns", "stated", "claimed",
];

/// Words that may sit between a speaker and the verb: `she later said`, `he has said`.
#[rustfmt::skip]
const BETWEEN: &[&str] = &[
    "also", "later", "then", "once", "previously", "recently", "subsequently", "further",
    "reportedly", "has", "had", "have", "was", "earlier", "again", "simply", "just",
    "yesterday", "today", "tonight", "himself", "herself",
];

/// Words that end a speaker phrase read backwards from the verb.
const CLAUSE: &[&str] = &[
    "that", "which", "who", "whom", "whose", "when", "where", "while", "as", "because", "but",
    "and", "or", "if", "after", "before", "since", "though", "although", "whereas", "so", "what",
    "than", "not", "is", "are", "was", "were", "be", "to", "it's", "there",
];

/// Words that end a speaker phrase read forwards from the verb.
#[rustfmt::skip]
const FORWARD_STOP: &[&str] = &[
    "on", "in", "at", "after", "before", "when", "while", "during", "yesterday", "today",
    "tomorrow", "tonight", "last", "this", "adding", "saying", "who", "which", "as", "that",
    "according", "told", "but", "because", "if", "although", "though", "whereas", "to",
    "recently", "earlier", "later", "is", "was", "were", "are", "has", "had", "will",
    "would",
];

/// Words that open a phrase that is kept whole ("a spokesperson for …").
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "one", "his", "her", "its", "their", "our", "my", "another", "some", "this",
    "that", "these", "those", "two", "three", "several", "many",
];

/// Prepositions that may open the words between a speech verb and a colon: `said in a
/// statement: "…"`.
#[rustfmt::skip]
const PREP: &[&str] = &[
    "in", "on", "at", "to", "during", "after", "before", "yesterday", "today", "last",
    "this", "earlier", "later", "recently", "afterwards", "via", "through", "from",
];

const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "prof",
];

const PRONOUNS: &[&str] = &["he", "she", "they", "i", "we", "it", "you"];

pub(super) fn is_speech(t: &Toks<'_>, k: usize, list: &[&str]) -> bool {
    t.text(k).starts_with(|c: char| c.is_lowercase()) && list.contains(&t.lower(k).as_str())
}

/// Abbreviations whose full stop may sit inside a name: "Mr.", "Dr.", "J.".
pub(super) fn abbreviation(word: &str) -> bool {
    matches!(
        word,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "St"
            | "Prof"
            | "Gen"
            | "Sen"
            | "Rep"
            | "Gov"
            | "Lt"
            | "Col"
            | "Capt"
            | "Sgt"
            | "Jr"
            | "Sr"
            | "Inc"
            | "Co"
            | "Corp"
            | "Ltd"
    ) || (word.len() == 1 && is_capitalised(word))
        || word.contains('.')
}

/// Whether token `k` may be part of a speaker phrase.
fn np_token(t: &Toks<'_>, k: usize) -> bool {
    match t.kind(k) {
        Some(TokenKind::Word) => true,
        Some(TokenKind::Punct | TokenKind::Symbol) => {
            let w = t.text(k);
            (w == "." && k > 0 && t.glued(k - 1) && abbreviation(t.text(k - 1)))
                || w == "&"
                || (w == "-" && k > 0 && t.glued(k - 1) && t.glued(k))
        }
        _ => false,
    }
}

/// A phrase is a speaker when it holds more than determiners.
fn valid(t: &Toks<'_>, first: usize, last: usize) -> bool {
    (first..=last)
        .any(|k| t.kind(k) == Some(TokenKind::Word) && !DETERMINERS.contains(&t.lower(k).as_str()))
}

/// The speaker phrase after a verb at `j`: `said Robert Sinche, head of …`.
fn np_forward(t: &Toks<'_>, j: usize) -> Option<(usize, usize)> {
    if t.kind(j) != Some(TokenKind::Word) {
        return None;
    }
    let paragraph = t.paragraph_of(t.span(j).start);
    let (mut k, mut words, mut last) = (j, 0, None);
    while words < MAX_WORDS && np_token(t, k) && t.paragraph_of(t.span(k).start) == paragraph {
        if t.kind(k) == Some(TokenKind::Word) {
            if FORWARD_STOP.contains(&t.lower(k).as_str()) {
                break;
            }
            words += 1;
            last = Some(k);
        }
        k += 1;
    }
    last.filter(|&l| valid(t, j, l)).map(|l| (j, l))
}

/// The speaker phrase before a verb at `v`, in the same sentence: `Mr Pointon said`.
fn np_backward(t: &Toks<'_>, v: usize) -> Option<(usize, usize)> {
    let sentence = t.sentence(v);
    let (mut k, mut words) = (v, 0);
    let (mut first, mut last) = (None, None);
    while k > 0 {
        let p = k - 1;
        if t.sentence(p) != sentence || !np_token(t, p) {
            break;
        }
        let lower = t.lower(p);
        if last.is_none() && BETWEEN.contains(&lower.as_str()) {
            k = p;
            continue;
        }
        if t.kind(p) == Some(TokenKind::Word) {
            if CLAUSE.contains(&lower.as_str()) || words == MAX_WORDS {
                break;
            }
            words += 1;
            last = last.or(Some(p));
            first = Some(p);
        }
        k = p;
    }
    let (first, last) = (first?, last?);
    valid(t, first, last).then_some((first, last))
}

/// The subject of a speech verb at `v`: the phrase right before it, or, when a comma
/// comes first, the phrase opening the sentence before its first comma: `Arsenal
/// keeper Jens Lehmann, whose rivalry with Kahn …, said: "…"`.
fn subject_of(t: &Toks<'_>, v: usize) -> Option<(usize, usize)> {
    if let Some(np) = np_backward(t, v) {
        return Some(np);
    }
    if v == 0 || t.text(v - 1) != "," {
        return None;
    }
    let range = t.sentence_range(v);
    let mut first = range.start;
    while first < v && LEADING.contains(&t.lower(first).as_str()) {
        first += 1;
    }
    let comma = (first..v).find(|&k| t.text(k) == ",")?;
    let last = comma.checked_sub(1)?;
    // Only a name before the comma: "Mr Lee praised staff, adding" has no appositive.
    if !is_capitalised(t.text(last)) {
        return None;
    }
    let words = (first..comma)
        .filter(|&k| t.kind(k) == Some(TokenKind::Word))
        .count();
    let phrase = (first..comma).all(|k| np_token(t, k) && !CLAUSE.contains(&t.lower(k).as_str()));
    (last >= first && phrase && (1..=MAX_WORDS).contains(&words) && valid(t, first, last))
        .then_some((first, last))
}

/// Cuts "chief executive Richard Parsons" to "Richard Parsons" (see the module docs).
fn trim_to_name(t: &Toks<'_>, first: usize, last: usize) -> (usize, usize) {
    if PRONOUNS.contains(&t.lower(last).as_str()) {
        return (last, last); // "Then he said": the pronoun alone
    }
    // "Dr Mark Tuffy games systems director at …": an honorific opens the name.
    if HONORIFICS.contains(&t.lower(first).as_str()) {
        let mut end = first;
        while end < last && (is_capitalised(t.text(end + 1)) || t.text(end + 1) == ".") {
            end += 1;
        }
        return (first, end);
    }
    if DETERMINERS.contains(&t.lower(first).as_str()) {
        return (first, last);
    }
    let mut k = last;
    while k > first && (is_capitalised(t.text(k)) || t.text(k) == ".") {
        k -= 1;
    }
    let run_start = k + 1;
    let role = t.text(k);
    let cut = k < last
        && run_start <= last
        && role.starts_with(|c: char| c.is_lowercase())
        && !matches!(
            t.lower(k).as_str(),
            "of" | "for" | "at" | "from" | "in" | "with" | "to" | "on" | "and" | "&"
        );
    if cut && is_capitalised(t.text(run_start)) {
        (run_start, last)
    } else {
        (first, last)
    }
}

/// A speaker phrase found by a pattern; `reach` is the last token the attribution used.
struct Found {
    first: usize,
    last: usize,
    cue: SpeakerCue,
    reach: usize,
}

/// Pattern 1: attribution after the closing mark.
fn after(t: &Toks<'_>, r: &Raw) -> Option<Found> {
    let c = r.close?;
    let text = t.doc().text.as_str();
    let last_char = text
        .get(..t.span(c).start)
        .and_then(|s| s.trim_end().chars().next_back());
    let comma_after = t.text(c + 1) == ",";
    let punctuated = last_char.is_some_and(|ch| ",?!.…—–-".contains(ch));
    if !(comma_after || punctuated) {
        return None;
    }
    let mut j = c + 1;
    if matches!(t.text(j), "," | "—" | "–") {
        j += 1;
    }
    if j >= t.len() || t.paragraph_of(t.span(j).start) != t.paragraph_of(t.span(c).start) {
        return None;
    }
    if last_char == Some('.') && !comma_after && is_capitalised(t.text(j)) {
        return None; // a new sentence, not an attribution
    }
    let found = |(first, last): (usize, usize), cue| {
        let (first, last) = trim_to_name(t, first, last);
        Found {
            first,
            last,
            cue,
            reach: last,
        }
    };
    if is_speech(t, j, SPEECH) {
        return np_forward(t, j + 1).map(|np| found(np, SpeakerCue::After));
    }
    if t.is(j, "according") && t.is(j + 1, "to") {
        return np_forward(t, j + 2).map(|np| found(np, SpeakerCue::AccordingTo));
    }
    // "…," the company said / she later told Reuters.
    let (mut k, mut words, mut np_last) = (j, 0, None);
    while words <= MAX_WORDS && k < t.len() {
        if np_last.is_some() && is_speech(t, k, SPEECH) {
            let (first, last) = trim_to_name(t, j, np_last?);
            return valid(t, first, last).then_some(Found {
                first,
                last,
                cue: SpeakerCue::After,
                reach: k,
            });
        }
        let lower = t.lower(k);
        if np_last.is_some() && BETWEEN.contains(&lower.as_str()) {
            k += 1;
            continue;
        }
        // "and" joins roles here: "chairman and chief executive Richard Parsons said".
        if !np_token(t, k) || (lower.as_str() != "and" && CLAUSE.contains(&lower.as_str())) {
            return None;
        }
        if t.kind(k) == Some(TokenKind::Word) {
            words += 1;
            np_last = Some(k);
        }
        k += 1;
    }
    None
}

/// Patterns 2 to 4: attribution before the opening mark, in its sentence.
fn before(t: &Toks<'_>, r: &Raw) -> Option<Found> {
    let o = r.open;
    let range = t.sentence_range(o);
    if o <= range.start {
        return None;
    }
    let found = |(first, last): (usize, usize), cue| {
        let (first, last) = trim_to_name(t, first, last);
        Found {
            first,
            last,
            cue,
            reach: o,
        }
    };
    let punct = matches!(t.text(o - 1), ":" | "," | "—" | "–");
    let verb_end = if punct { o - 1 } else { o };
    // 2: `X said: "…"`, `X told Reuters: "…"`, `…, adding: "…"`.
    for v in (range.start..verb_end).rev().take(6) {
        // "He went on: "…"": the phrasal verb speaks too.
        let went_on = t.is(v, "on")
            && v > 0
            && matches!(t.lower(v - 1).as_str(), "went" | "goes" | "carried")
            && v + 1 >= verb_end;
        if went_on {
            if let Some(np) = subject_of(t, v - 1) {
                return Some(found(np, SpeakerCue::Before));
            }
            break;
        }
        let speech = is_speech(t, v, SPEECH);
        let participle = is_speech(t, v, PARTICIPLES);
        if speech || participle {
            let gap = v + 1 < verb_end;
            let tell = TELL.contains(&t.lower(v).as_str());
            let prep = PREP.contains(&t.lower(v + 1).as_str());
            if !gap || tell || (punct && prep) {
                if let Some(np) = subject_of(t, v) {
                    return Some(found(np, SpeakerCue::Before));
                }
                if participle {
                    return sentence_verb(t, range.start, v)
                        .or_else(|| sentence_subject(t, range.start, v))
                        .map(|np| found(np, SpeakerCue::Before));
                }
            }
            break;
        }
        if t.kind(v) != Some(TokenKind::Word) {
            break;
        }
    }
    // 3: `according to X, "…"`.
    if let Some(a) = (range.start..o).find(|&k| t.is(k, "according") && t.is(k + 1, "to"))
        && let Some(np) = np_forward(t, a + 2).filter(|np| np.1 < o)
    {
        return Some(found(np, SpeakerCue::AccordingTo));
    }
    // 4: a speech verb earlier in the sentence.
    sentence_verb(t, range.start, o).map(|np| found(np, SpeakerCue::Sentence))
}

/// The subject of the nearest speech verb before token `end` (back to `start`),
/// stopping at a semicolon or a contrasting clause.
fn sentence_verb(t: &Toks<'_>, start: usize, end: usize) -> Option<(usize, usize)> {
    for v in (start..end).rev().take(25) {
        let w = t.lower(v);
        if t.text(v) == ";"
            || matches!(
                w.as_str(),
                "but" | "though" | "although" | "whereas" | "however"
            )
        {
            return None;
        }
        if is_speech(t, v, SENTENCE_VERBS) && !(v > 0 && t.is(v - 1, "to")) {
            return subject_of(t, v);
        }
    }
    None
}

/// The capitalised name opening the sentence at `start`, before token `end`: the
/// subject of `Mr Lee praised staff, adding: "…"`.
fn sentence_subject(t: &Toks<'_>, start: usize, end: usize) -> Option<(usize, usize)> {
    let mut first = start;
    while first < end && LEADING.contains(&t.lower(first).as_str()) {
        first += 1;
    }
    let mut last = None;
    let mut k = first;
    while k < end && np_token(t, k) && (is_capitalised(t.text(k)) || t.text(k) == ".") {
        if t.kind(k) == Some(TokenKind::Word) {
            last = Some(k);
        }
        k += 1;
    }
    last.map(|l| (first, l))
}

/// The speaker named by the sentence before a quote that opens its own sentence:
/// `Mr Dunn warned that companies could face a shortage. "If companies are hiring…"`.
/// The first speech verb of that sentence, outside quotes, with its subject.
fn preceding(t: &Toks<'_>, open: usize, raws: &[Raw]) -> Option<(usize, usize)> {
    let start = t.sentence_range(open).start;
    let range = t.sentence_range(start.checked_sub(1)?);
    let from = t.paragraph_of(t.span(range.start).start);
    let to = t.paragraph_of(t.span(open).start);
    if to > from + 1 {
        return None;
    }
    let quoted = |k: usize| {
        let pos = t.span(k).start;
        let i = raws.partition_point(|r| r.content.end <= pos);
        raws.get(i).is_some_and(|r| r.content.start <= pos)
    };
    let v = range.clone().find(|&v| {
        is_speech(t, v, SENTENCE_VERBS) && !quoted(v) && !(v > 0 && t.is(v - 1, "to"))
    })?;
    subject_of(t, v)
}

/// Index of the last token starting before byte `pos`.
fn token_before(t: &Toks<'_>, pos: usize) -> usize {
    t.doc()
        .tokens
        .partition_point(|tk| tk.span.start < pos)
        .saturating_sub(1)
}

/// The speaker of each quote (see the module docs), in the order of `raws`.
pub(super) fn attribute(t: &Toks<'_>, raws: &[Raw]) -> Vec<Option<Speaker>> {
    let mut out: Vec<Option<Speaker>> = Vec::with_capacity(raws.len());
    let mut names: Option<Vec<Name>> = None;
    // The previous quote's speaker and the sentence its quote and attribution reach.
    let mut prev: Option<(Speaker, usize)> = None;
    for r in raws {
        let end_token = r.close.unwrap_or_else(|| token_before(t, r.content.end));
        let found = after(t, r).or_else(|| before(t, r));
        let speaker = match found {
            Some(f) => {
                let span = t.cover(f.first, f.last);
                let text = t.doc().slice(span).to_string();
                let resolved = pronoun_resolution(t, &mut names, raws, f.first, f.last);
                let reach = t.sentence(f.reach.max(end_token));
                let speaker = Speaker {
                    span,
                    text,
                    cue: f.cue,
                    resolved,
                };
                prev = Some((speaker.clone(), reach));
                Some(speaker)
            }
            None => {
                let starts_sentence = t.sentence_range(r.open).start == r.open;
                let capital = t
                    .doc()
                    .slice(r.content)
                    .starts_with(|c: char| c.is_uppercase());
                let inherit = prev.as_ref().filter(|(_, reach)| {
                    r.continued || (starts_sentence && capital && t.sentence(r.open) <= reach + 1)
                });
                let inherited = inherit.map(|(s, _)| Speaker {
                    cue: SpeakerCue::Continued,
                    ..s.clone()
                });
                let speaker = inherited.or_else(|| {
                    let (first, last) = (starts_sentence && capital)
                        .then(|| preceding(t, r.open, raws))
                        .flatten()?;
                    let (first, last) = trim_to_name(t, first, last);
                    let span = t.cover(first, last);
                    let resolved = pronoun_resolution(t, &mut names, raws, first, last);
                    Some(Speaker {
                        span,
                        text: t.doc().slice(span).to_string(),
                        cue: SpeakerCue::Preceding,
                        resolved,
                    })
                });
                prev = speaker.clone().map(|s| (s, t.sentence(end_token)));
                speaker
            }
        };
        out.push(speaker);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::quotes::{SpeakerCue, find_quotes};
    use super::super::testutil::doc;

    /// (quote, speaker, resolved name) for each quote of `text`.
    fn who(text: &str) -> Vec<(String, Option<String>, Option<String>)> {
        find_quotes(&doc(text))
            .into_iter()
            .map(|q| {
                let s = q.speaker;
                (
                    q.text,
                    s.as_ref().map(|s| s.text.clone()),
                    s.and_then(|s| s.resolved).map(|m| m.text),
                )
            })
            .collect()
    }

    fn row(q: &str, s: Option<&str>, r: Option<&str>) -> (String, Option<String>, Option<String>) {
        (q.into(), s.map(Into::into), r.map(Into::into))
    }

    #[test]
    fn attribution_after_the_quote() {
        assert_eq!(
            who("Maria Zakharova spoke. \"We are ready,\" she said."),
            vec![row("We are ready", Some("she"), Some("Maria Zakharova"))]
        );
        assert_eq!(
            who("\"Rates will rise,\" said Robert Sinche, head of strategy at a bank."),
            vec![row("Rates will rise", Some("Robert Sinche"), None)]
        );
        assert_eq!(
            who("\"It was strong,\" chairman and chief executive Richard Parsons said."),
            vec![row("It was strong", Some("Richard Parsons"), None)]
        );
        assert_eq!(
            who("\"No comment,\" a spokesperson for Russia’s Foreign Ministry said."),
            vec![row(
                "No comment",
                Some("a spokesperson for Russia’s Foreign Ministry"),
                None
            )]
        );
        assert_eq!(
            who("\"We will win,\" he told Reuters."),
            vec![row("We will win", Some("he"), None)]
        );
        assert_eq!(
            who("\"Prices will fall\", according to the central bank."),
            vec![row("Prices will fall", Some("the central bank"), None)]
        );
    }

    #[test]
    fn attribution_before_the_quote() {
        assert_eq!(
            who("The minister said: \"Better joint working will help.\""),
            vec![row(
                "Better joint working will help.",
                Some("The minister"),
                None
            )]
        );
        assert_eq!(
            who("Mr Smith told BBC Radio 4's Today programme: \"It is over.\""),
            vec![row("It is over.", Some("Mr Smith"), None)]
        );
        assert_eq!(
            who("Esther Rantzen said he was \"so lovely\" to work with."),
            vec![row("so lovely", Some("Esther Rantzen"), None)]
        );
        assert_eq!(
            who("He went on: \"It can be done.\""),
            vec![row("It can be done.", Some("He"), None)]
        );
        assert_eq!(
            who("\"HD is mandatory,\" Dr Mark Tuffy games director at firm THX told the BBC."),
            vec![row("HD is mandatory", Some("Dr Mark Tuffy"), None)]
        );
        assert_eq!(
            who("Mr Lee praised staff, adding: \"They did well.\""),
            vec![row("They did well.", Some("Mr Lee"), None)]
        );
    }

    #[test]
    fn continued_quotes_and_scare_quotes() {
        let text = "\"The thing about Cyril was that he was kind,\" Jane Doe said. \"He was \
                    courteous.\n\n\"He was funny. I shall miss him.\" He died on Monday.";
        let got = who(text);
        let speakers: Vec<_> = got.iter().map(|r| r.1.as_deref()).collect();
        assert_eq!(speakers, vec![Some("Jane Doe"); 3], "{got:?}");
        assert_eq!(
            who("Xi will deepen the “no limits” partnership and “exceptionalism.”"),
            vec![
                row("no limits", None, None),
                row("exceptionalism", None, None)
            ]
        );
        // A quote after an unattributed one stays unattributed.
        assert_eq!(
            who("It was a \"disaster\". \"We move on.\""),
            vec![row("disaster", None, None), row("We move on.", None, None)]
        );
    }

    #[test]
    fn speakers_named_apart_from_the_quote() {
        // An appositive between the name and the verb.
        assert_eq!(
            who("Arsenal keeper Jens Lehmann, whose rivalry with Kahn is old, said: \"No.\""),
            vec![row("No", Some("Jens Lehmann"), None)]
        );
        // Indirect speech in the sentence before names the speaker.
        let got = find_quotes(&doc(
            "Mr Dunn warned that firms could fail. \"If companies are hiring, talent runs out.\"",
        ));
        let speaker = got.first().and_then(|q| q.speaker.as_ref());
        assert_eq!(speaker.map(|s| s.text.as_str()), Some("Mr Dunn"));
        assert_eq!(speaker.map(|s| s.cue), Some(SpeakerCue::Preceding));
        // Not when the sentence before has no speech verb.
        assert_eq!(
            who("Mr Dunn left early. \"If companies are hiring, talent runs out.\""),
            vec![row("If companies are hiring, talent runs out.", None, None)]
        );
    }

    #[test]
    fn pronouns_agree_with_honorifics() {
        let got = who("Mr Pointon met Mrs Jill Smith. \"Yes,\" she said. \"No,\" he said.");
        assert_eq!(
            got,
            vec![
                row("Yes", Some("she"), Some("Mrs Jill Smith")),
                row("No", Some("he"), Some("Mr Pointon")),
            ]
        );
    }
}
