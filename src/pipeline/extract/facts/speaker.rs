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
//!    continues it in the next paragraph) takes that quote's speaker.
//!
//! The speaker is the noun phrase next to the verb, up to eight words, stopping at
//! punctuation and clause words. A phrase with a role before a capitalised name
//! ("chairman and chief executive Richard Parsons") is cut to the name; one starting
//! with a determiner ("a spokesperson for Russia’s Foreign Ministry", "the minister")
//! is kept whole. A sentence with no speech verb gives no speaker, so scare quotes
//! ("no limits") stay unattributed.
//!
//! Pronouns "he" and "she" are resolved to the nearest person-like name before them,
//! outside quotes: two or more capitalised words (or an honorific and a name) with
//! titles such as "President" cut off, or one capitalised word right before a speech
//! verb ("Jill said"). An honorific gives a gender ("Mr", "Ms") that must agree with
//! the pronoun; without one any name agrees.

use super::quotes::{Mention, Raw, Speaker, SpeakerCue};
use super::{Toks, is_capitalised, strip_possessive};
use crate::document::{Span, TokenKind};

/// Verbs that tie a speaker to a quote next to it.
const SPEECH: &[&str] = &[
    "said",
    "says",
    "say",
    "added",
    "adds",
    "told",
    "tells",
    "asked",
    "asks",
    "explained",
    "explains",
    "continued",
    "continues",
    "insisted",
    "insists",
    "warned",
    "warns",
    "argued",
    "argues",
    "stressed",
    "stresses",
    "admitted",
    "admits",
    "noted",
    "wrote",
    "writes",
    "replied",
    "replies",
    "declared",
    "declares",
    "commented",
    "acknowledged",
    "conceded",
    "recalled",
    "recalls",
    "remarked",
    "suggested",
    "confirmed",
    "announced",
    "stated",
    "urged",
    "urges",
    "predicted",
    "joked",
    "claimed",
    "cautioned",
    "observed",
];

/// Participles that introduce a quote after a clause: `…, adding: "…"`.
const PARTICIPLES: &[&str] = &[
    "saying",
    "adding",
    "telling",
    "stating",
    "declaring",
    "arguing",
    "warning",
    "insisting",
    "writing",
    "explaining",
];

/// Speech verbs that take an object before the quote: `told Reuters: "…"`.
const TELL: &[&str] = &["told", "tells", "telling", "asked", "asks"];

/// Verbs that make a later partial quote the subject's words.
const SENTENCE_VERBS: &[&str] = &[
    "said", "says", "say", "told", "tells", "added", "adds", "wrote", "writes", "insisted",
    "insists", "argued", "argues", "warned", "warns", "stated", "claimed",
];

/// Words that may sit between a speaker and the verb: `she later said`, `he has said`.
const BETWEEN: &[&str] = &[
    "also",
    "later",
    "then",
    "once",
    "previously",
    "recently",
    "subsequently",
    "further",
    "reportedly",
    "has",
    "had",
    "have",
    "was",
    "earlier",
    "again",
    "simply",
    "just",
    "yesterday",
    "today",
    "tonight",
    "himself",
    "herself",
];

/// Words that end a speaker phrase read backwards from the verb.
const CLAUSE: &[&str] = &[
    "that", "which", "who", "whom", "whose", "when", "where", "while", "as", "because", "but",
    "and", "or", "if", "after", "before", "since", "though", "although", "whereas", "so", "what",
    "than", "not", "is", "are", "was", "were", "be", "to", "it's", "there",
];

/// Words that end a speaker phrase read forwards from the verb.
const FORWARD_STOP: &[&str] = &[
    "on",
    "in",
    "at",
    "after",
    "before",
    "when",
    "while",
    "during",
    "yesterday",
    "today",
    "tomorrow",
    "tonight",
    "last",
    "this",
    "adding",
    "saying",
    "who",
    "which",
    "as",
    "that",
    "according",
    "told",
    "but",
    "because",
    "if",
    "although",
    "though",
    "whereas",
    "to",
    "recently",
    "earlier",
    "later",
    "is",
    "was",
    "were",
    "are",
    "has",
    "had",
    "will",
    "would",
];

/// Words that open a phrase that is kept whole ("a spokesperson for …").
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "one", "his", "her", "its", "their", "our", "my", "another", "some", "this",
    "that", "these", "those", "two", "three", "several", "many",
];

/// Prepositions that may open the words between a speech verb and a colon: `said in a
/// statement: "…"`.
const PREP: &[&str] = &[
    "in",
    "on",
    "at",
    "to",
    "during",
    "after",
    "before",
    "yesterday",
    "today",
    "last",
    "this",
    "earlier",
    "later",
    "recently",
    "afterwards",
    "via",
    "through",
    "from",
];

const PRONOUNS: &[&str] = &["he", "she", "they", "i", "we", "it", "you"];

fn is_speech(t: &Toks<'_>, k: usize, list: &[&str]) -> bool {
    t.text(k).starts_with(|c: char| c.is_lowercase()) && list.contains(&t.lower(k).as_str())
}

/// Abbreviations whose full stop may sit inside a name: "Mr.", "Dr.", "J.".
fn abbreviation(word: &str) -> bool {
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
    while words < 8 && np_token(t, k) && t.paragraph_of(t.span(k).start) == paragraph {
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
            if CLAUSE.contains(&lower.as_str()) || words == 8 {
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

/// Cuts "chief executive Richard Parsons" to "Richard Parsons" (see the module docs).
fn trim_to_name(t: &Toks<'_>, first: usize, last: usize) -> (usize, usize) {
    if PRONOUNS.contains(&t.lower(last).as_str()) {
        return (last, last); // "Then he said": the pronoun alone
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
    while words <= 8 && k < t.len() {
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
        let speech = is_speech(t, v, SPEECH);
        let participle = is_speech(t, v, PARTICIPLES);
        if speech || participle {
            let gap = v + 1 < verb_end;
            let tell = TELL.contains(&t.lower(v).as_str());
            let prep = PREP.contains(&t.lower(v + 1).as_str());
            if !gap || tell || (punct && prep) {
                if let Some(np) = np_backward(t, v) {
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
            return np_backward(t, v);
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
                let resolved =
                    if matches!(t.lower(f.first).as_str(), "he" | "she") && f.first == f.last {
                        let names = names.get_or_insert_with(|| person_names(t, raws));
                        resolve(t, names, f.first)
                    } else {
                        None
                    };
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
                match inherit {
                    Some((s, _)) => {
                        let speaker = Speaker {
                            cue: SpeakerCue::Continued,
                            ..s.clone()
                        };
                        prev = Some((speaker.clone(), t.sentence(end_token)));
                        Some(speaker)
                    }
                    None => {
                        prev = None;
                        None
                    }
                }
            }
        };
        out.push(speaker);
    }
    out
}

/// A person-like name, for pronoun resolution.
struct Name {
    span: Span,
    /// `Some(true)` for "Mr", `Some(false)` for "Ms", `None` without an honorific.
    male: Option<bool>,
}

/// Capitalised sentence openers and other words that start no name.
const LEADING: &[&str] = &[
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "but",
    "however",
    "meanwhile",
    "and",
    "for",
    "as",
    "after",
    "before",
    "when",
    "while",
    "if",
    "it",
    "this",
    "that",
    "these",
    "those",
    "his",
    "her",
    "their",
    "its",
    "our",
    "we",
    "they",
    "he",
    "she",
    "i",
    "there",
    "then",
    "so",
    "yet",
    "with",
    "by",
    "from",
    "to",
    "of",
    "during",
    "since",
    "until",
    "although",
    "though",
    "despite",
    "according",
    "last",
    "next",
    "former",
    "new",
    "both",
    "former",
];

/// Titles: a name starts after the last of them ("Chinese President Xi Jinping").
const TITLES: &[&str] = &[
    "president",
    "minister",
    "prime",
    "chancellor",
    "secretary",
    "chairman",
    "chairwoman",
    "chief",
    "executive",
    "director",
    "governor",
    "senator",
    "ambassador",
    "spokesman",
    "spokeswoman",
    "judge",
    "general",
    "captain",
    "coach",
    "manager",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "leader",
    "premier",
    "mayor",
    "vice",
    "deputy",
    "foreign",
    "justice",
    "finance",
    "home",
    "health",
    "defence",
    "defense",
    "commissioner",
    "officer",
    "editor",
    "host",
    "presenter",
    "professor",
    "economist",
    "analyst",
    "bishop",
    "archbishop",
    "inspector",
    "sergeant",
    "colonel",
    "lieutenant",
    "admiral",
    "marshal",
    "chair",
    "founder",
    "boss",
    "striker",
    "midfielder",
    "defender",
    "goalkeeper",
    "star",
];

/// Words that show a capitalised run names no person.
const NOT_PERSON: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "ministry",
    "bank",
    "group",
    "council",
    "union",
    "party",
    "court",
    "commission",
    "house",
    "office",
    "department",
    "agency",
    "reserve",
    "federal",
    "government",
    "news",
    "corporation",
    "company",
    "inc",
    "ltd",
    "plc",
    "association",
    "committee",
    "university",
    "college",
    "school",
    "street",
    "exchange",
    "securities",
    "service",
    "services",
    "board",
    "fund",
    "nations",
    "states",
    "kingdom",
    "republic",
    "airways",
    "airlines",
    "motors",
    "times",
    "post",
    "journal",
    "radio",
    "television",
    "club",
    "united",
    "city",
    "league",
    "cup",
    "championship",
    "games",
    "parliament",
    "assembly",
    "senate",
    "congress",
    "church",
    "hospital",
    "museum",
    "institute",
    "foundation",
    "trust",
    "centre",
    "center",
    "square",
    "road",
    "avenue",
    "park",
    "bridge",
    "airport",
    "station",
    "island",
    "islands",
    "river",
    "sea",
    "ocean",
    "valley",
    "york",
    "kong",
    "zealand",
    "korea",
    "africa",
    "america",
    "europe",
    "asia",
    "britain",
    "wales",
    "scotland",
    "ireland",
    "england",
    "london",
    "washington",
    "moscow",
    "beijing",
    "paris",
    "berlin",
    "tokyo",
    "russia",
    "china",
    "india",
    "japan",
    "germany",
    "france",
    "ukraine",
    "siberia",
    "power",
    "world",
    "war",
    "day",
    "act",
    "awards",
    "festival",
    "office",
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

#[cfg(test)]
mod tests {
    use super::super::quotes::find_quotes;
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
