//! Names that pronoun speakers stand for: "…," she said → the nearest person-like
//! name before "she", outside quotes.
//!
//! A person-like name is two to four capitalised words, or an honorific and a name,
//! with sentence openers dropped and titles cut off ("Chinese President Xi Jinping"
//! gives "Xi Jinping"), holding no word that marks a place, an organisation or a date
//! ("Foreign Ministry", "New York", "Monday"); or one capitalised word right before a
//! speech verb ("Jill said"). An honorific gives a gender ("Mr", "Ms") that must agree
//! with the pronoun; without one any name agrees. Names are collected once per
//! document, and only when a pronoun speaker needs them.

use super::quotes::{Mention, Raw};
use super::speaker::{SPEECH, abbreviation, is_speech};
use super::{Toks, is_capitalised, strip_possessive};
use crate::document::{Span, TokenKind};

/// For a lone "he" or "she" at `first..=last`, the name it stands for.
pub(super) fn pronoun_resolution(
    t: &Toks<'_>,
    names: &mut Option<Vec<Name>>,
    raws: &[Raw],
    first: usize,
    last: usize,
) -> Option<Mention> {
    if first != last || !matches!(t.lower(first).as_str(), "he" | "she") {
        return None;
    }
    let names = names.get_or_insert_with(|| person_names(t, raws));
    resolve(t, names, first)
}

/// A person-like name, for pronoun resolution.
pub(super) struct Name {
    span: Span,
    /// `Some(true)` for "Mr", `Some(false)` for "Ms", `None` without an honorific.
    male: Option<bool>,
}

/// Capitalised sentence openers and other words that start no name.
#[rustfmt::skip]
pub(super) const LEADING: &[&str] = &[
    "the", "a", "an", "in", "on", "at", "but", "however", "meanwhile", "and", "for", "as",
    "after", "before", "when", "while", "if", "it", "this", "that", "these", "those", "his",
    "her", "their", "its", "our", "we", "they", "he", "she", "i", "there", "then", "so",
    "yet", "with", "by", "from", "to", "of", "during", "since", "until", "although",
    "though", "despite", "according", "last", "next", "former", "new", "both", "former",
];

/// Titles: a name starts after the last of them ("Chinese President Xi Jinping").
#[rustfmt::skip]
const TITLES: &[&str] = &[
    "president", "minister", "prime", "chancellor", "secretary", "chairman", "chairwoman",
    "chief", "executive", "director", "governor", "senator", "ambassador", "spokesman",
    "spokeswoman", "judge", "general", "captain", "coach", "manager", "king", "queen",
    "prince", "princess", "pope", "leader", "premier", "mayor", "vice", "deputy", "foreign",
    "justice", "finance", "home", "health", "defence", "defense", "commissioner", "officer",
    "editor", "host", "presenter", "professor", "economist", "analyst", "bishop",
    "archbishop", "inspector", "sergeant", "colonel", "lieutenant", "admiral", "marshal",
    "chair", "founder", "boss", "striker", "midfielder", "defender", "goalkeeper", "star",
];

/// Words that show a capitalised run names no person.
#[rustfmt::skip]
const NOT_PERSON: &[&str] = &[
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "ministry", "bank", "group", "council", "union",
    "party", "court", "commission", "house", "office", "department", "agency", "reserve",
    "federal", "government", "news", "corporation", "company", "inc", "ltd", "plc",
    "association", "committee", "university", "college", "school", "street", "exchange",
    "securities", "service", "services", "board", "fund", "nations", "states", "kingdom",
    "republic", "airways", "airlines", "motors", "times", "post", "journal", "radio",
    "television", "club", "united", "city", "league", "cup", "championship", "games",
    "parliament", "assembly", "senate", "congress", "church", "hospital", "museum",
    "institute", "foundation", "trust", "centre", "center", "square", "road", "avenue",
    "park", "bridge", "airport", "station", "island", "islands", "river", "sea", "ocean",
    "valley", "york", "kong", "zealand", "korea", "africa", "america", "europe", "asia",
    "britain", "wales", "scotland", "ireland", "england", "london", "washington", "moscow",
    "beijing", "paris", "berlin", "tokyo", "russia", "china", "india", "japan", "germany",
    "france", "ukraine", "siberia", "power", "world", "war", "day", "act", "awards",
    "festival", "office",
];

/// The gender an honorific gives.
fn honorific(word: &str) -> Option<Option<bool>> {
    Some(match word {
        "mr" | "sir" | "lord" => Some(true),
        "mrs" | "ms" | "miss" | "lady" | "dame" => Some(false),
        "dr" | "prof" => None,
        _ => return None,
    })
}

/// Person-like names outside quotes, in text order.
fn person_names(t: &Toks<'_>, raws: &[Raw]) -> Vec<Name> {
    let mut quoted: Vec<Span> = raws.iter().map(|r| r.content).collect();
    quoted.sort_by_key(|s| s.start);
    let in_quote = |pos: usize| {
        let k = quoted.partition_point(|s| s.end <= pos);
        quoted.get(k).is_some_and(|s| s.start <= pos)
    };
    let mut names = Vec::new();
    let mut words: Vec<usize> = Vec::with_capacity(8);
    let mut k = 0;
    while k < t.len() {
        words.clear();
        let sentence = t.sentence(k);
        let mut m = k;
        while m < t.len() && t.sentence(m) == sentence && !in_quote(t.span(m).start) {
            let w = t.text(m);
            if t.kind(m) == Some(TokenKind::Word) && is_capitalised(w) {
                words.push(m);
                m += 1;
                if strip_possessive(w).len() != w.len() {
                    break;
                }
            } else if w == "." && !words.is_empty() && t.glued(m - 1) && abbreviation(t.text(m - 1))
            {
                m += 1;
            } else {
                break;
            }
        }
        if let Some(name) = name_of(t, &words, m) {
            names.push(name);
        }
        k = m.max(k + 1);
    }
    names
}

/// Judges one capitalised run `words`, followed by token `after`.
fn name_of(t: &Toks<'_>, words: &[usize], after: usize) -> Option<Name> {
    let mut run = words;
    while let Some((&w, rest)) = run.split_first() {
        if !LEADING.contains(&t.lower(w).as_str()) {
            break;
        }
        run = rest;
    }
    if let Some(p) = run
        .iter()
        .rposition(|&w| TITLES.contains(&t.lower(w).as_str()))
    {
        run = run.get(p + 1..)?;
    }
    let (&first, &last) = (run.first()?, run.last()?);
    let acronym = |w: &str| w.len() > 1 && w.chars().all(|c| c.is_uppercase());
    let plain = run.iter().all(|&w| {
        let word = strip_possessive(t.text(w));
        !NOT_PERSON.contains(&t.lower(w).as_str())
            && !acronym(word)
            && word
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '’')
    });
    let male = honorific(t.lower(first).as_str());
    let enough = run.len() >= 2 || (run.len() == 1 && is_speech(t, after, SPEECH));
    if !plain || !enough || run.len() > 4 || (male.is_some() && run.len() < 2) {
        return None;
    }
    let end = t.span(last).start + strip_possessive(t.text(last)).len();
    Some(Name {
        span: Span::new(t.span(first).start, end),
        male: male.flatten(),
    })
}

/// The nearest name before the pronoun at token `k` that agrees with it.
fn resolve(t: &Toks<'_>, names: &[Name], k: usize) -> Option<Mention> {
    let pos = t.span(k).start;
    let male = t.lower(k).as_str() == "he";
    let before = names.partition_point(|n| n.span.end <= pos);
    names
        .get(..before)?
        .iter()
        .rev()
        .find(|n| n.male.is_none_or(|m| m == male))
        .map(|n| Mention {
            span: n.span,
            text: t.doc().slice(n.span).to_string(),
        })
}
