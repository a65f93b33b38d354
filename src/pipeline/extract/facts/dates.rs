//! Dates in news text: explicit ones here, relative ones in `relative.rs`.
//!
//! Explicit forms: "May 9, 2025", "9 May 2025", "9th of May", "May 2025", "2025-05-09",
//! "05/09/2025", "2025", "the 1990s", "the ’80s". A day and month without a year ("on 2
//! February", "in December") takes its year from the publication date, in the
//! direction the sentence's tense suggests (see `tense.rs`), and is marked `relative`.
//!
//! Deliberate limits: a slash date whose first two numbers are both 12 or less is read
//! the US way, month first ("05/09/2025" is 9 May), since that is the form wire copy
//! uses; with a number above 12 the order is unambiguous. Two-digit years, times of
//! day, seasons ("2004-05" gives the year 2004 only), ranges ("1990-95") and holidays
//! are not read. A bare four-digit number is a year only between 1900 and 2100 (from
//! 1000 after "in", "since" and the like) and not when money, a percentage or a
//! counted noun ("2000 people") shows it is an amount. Lone months need a preposition
//! or modifier before them ("in May", "last March"): "May" alone is a modal or a name.

use serde::Serialize;
use time::{Date, Month};

use super::numbers::{opens_number, ordinal_word, parse_digits};
use super::relative::{self, Dir};
use super::tense::tense_at;
use super::{Toks, is_capitalised};
use crate::document::{Document, Span};

/// How precise a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// A calendar day: "2025-05-09".
    Day,
    /// An ISO week: "2025-W19".
    Week,
    /// A month: "2025-05".
    Month,
    /// A year: "2025".
    Year,
    /// A decade, as ISO 8601 writes it with reduced precision: "199" for the 1990s.
    Decade,
}

/// One date mentioned in the text, with its value as ISO 8601.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateMention {
    /// Where the date is written ("80th anniversary", "last week", "9 May 2025").
    pub span: Span,
    /// The text of the span.
    pub text: String,
    /// The date as ISO 8601 at its granularity: "2025-05-09", "2025-W19", "2025-05",
    /// "2025", or "199" for a decade.
    pub value: String,
    /// How precise `value` is.
    pub granularity: Granularity,
    /// True when the value was worked out from the publication date ("Friday", "last
    /// week", "in December"), false when the text states it in full.
    pub relative: bool,
    /// For an anniversary, the year of the event being commemorated (the publication
    /// year minus the ordinal); `value` is then the publication year.
    pub event_year: Option<i32>,
}

/// A resolved date before formatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    Day(Date),
    /// The ISO week holding this day.
    Week(Date),
    Month(i32, Month),
    Year(i32),
    /// First year of the decade.
    Decade(i32),
}

/// A match: tokens `first..end`, what they mean.
#[derive(Debug, Clone, Copy)]
pub(super) struct Found {
    pub first: usize,
    pub end: usize,
    pub when: When,
    pub relative: bool,
    pub event_year: Option<i32>,
}

impl Found {
    pub(super) fn new(first: usize, end: usize, when: When, relative: bool) -> Self {
        Self {
            first,
            end,
            when,
            relative,
            event_year: None,
        }
    }
}

/// State carried along the scan.
#[derive(Debug, Clone, Copy)]
pub(super) struct Context {
    pub published: Date,
    /// Century of the last four-digit decade seen, for "the 1970s and 80s".
    pub last_century: Option<i32>,
    /// First token a match may start at (the end of the previous match).
    pub floor: usize,
}

/// Finds the dates of a tokenized document, in text order, without overlaps.
///
/// `published` is the article's publication date: relative dates ("yesterday", "on
/// Friday", "last month", "80th anniversary") and dates without a year are resolved
/// against it. See the module docs for the forms read and those deliberately left out.
pub fn find_dates(doc: &Document, published: Date) -> Vec<DateMention> {
    let t = Toks::new(doc);
    let mut ctx = Context {
        published,
        last_century: None,
        floor: 0,
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if !may_start(&t, i) {
            i += 1;
            continue;
        }
        let found = explicit_at(&t, i, &mut ctx).or_else(|| relative::relative(&t, i, &ctx));
        match found {
            Some(f) if f.end > i && f.first >= ctx.floor => {
                if let Some(m) = mention(&t, &f) {
                    out.push(m);
                }
                i = f.end;
                ctx.floor = f.end;
            }
            _ => i += 1,
        }
    }
    out
}

/// A cheap first look: only digits, capitalised words, marks and a few lower-case
/// words ("today", "last", "in", "two", "80th") can start a date. Most tokens stop
/// here, which keeps the scan to one lower-casing per token.
fn may_start(t: &Toks<'_>, i: usize) -> bool {
    if !t.text(i).starts_with(|c: char| c.is_lowercase()) {
        return true;
    }
    let w = t.lower(i);
    let w = w.as_str();
    matches!(
        w,
        "today" | "tonight" | "yesterday" | "tomorrow" | "last" | "this" | "next" | "in"
    ) || opens_number(w)
        || ordinal_word(w).is_some()
}

/// Formats a match; `None` for a year outside 0..=9999, which ISO 8601 cannot write
/// in four digits.
fn mention(t: &Toks<'_>, f: &Found) -> Option<DateMention> {
    let in_range = |y: i32| (0..=9999).contains(&y);
    let (value, granularity) = match f.when {
        When::Day(d) => (
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
            Granularity::Day,
        ),
        When::Week(d) => {
            let (y, w, _) = d.to_iso_week_date();
            (format!("{y:04}-W{w:02}"), Granularity::Week)
        }
        When::Month(y, m) => (format!("{y:04}-{:02}", u8::from(m)), Granularity::Month),
        When::Year(y) => (format!("{y:04}"), Granularity::Year),
        When::Decade(y) => (format!("{:03}", y / 10), Granularity::Decade),
    };
    let year = match f.when {
        When::Day(d) | When::Week(d) => d.year(),
        When::Month(y, _) | When::Year(y) | When::Decade(y) => y,
    };
    if !in_range(year) {
        return None;
    }
    let span = t.cover(f.first, f.end.saturating_sub(1));
    Some(DateMention {
        span,
        text: t.doc().slice(span).to_string(),
        value,
        granularity,
        relative: f.relative,
        event_year: f.event_year,
    })
}

/// A month name, capitalised; the flag is true for an abbreviation ("Jan", "Sept").
pub(super) fn month_name(word: &str) -> Option<(Month, bool)> {
    if !is_capitalised(word) {
        return None;
    }
    let full = match word {
        "January" => Month::January,
        "February" => Month::February,
        "March" => Month::March,
        "April" => Month::April,
        "May" => Month::May,
        "June" => Month::June,
        "July" => Month::July,
        "August" => Month::August,
        "September" => Month::September,
        "October" => Month::October,
        "November" => Month::November,
        "December" => Month::December,
        _ => {
            let abbr = match word {
                "Jan" => Month::January,
                "Feb" => Month::February,
                "Mar" => Month::March,
                "Apr" => Month::April,
                "Jun" => Month::June,
                "Jul" => Month::July,
                "Aug" => Month::August,
                "Sep" | "Sept" => Month::September,
                "Oct" => Month::October,
                "Nov" => Month::November,
                "Dec" => Month::December,
                _ => return None,
            };
            return Some((abbr, true));
        }
    };
    Some((full, false))
}

/// A day of the month: "9", "09", "9th", "1st".
fn day_at(t: &Toks<'_>, j: usize) -> Option<u8> {
    let (v, suffix, plain) = parse_digits(t.text(j))?;
    let ordinal = matches!(suffix, "st" | "nd" | "rd" | "th");
    let digits = t.text(j).len() - suffix.len();
    ((plain || ordinal) && digits <= 2 && (1.0..=31.0).contains(&v)).then_some(v as u8)
}

/// A four-digit year token.
fn year_at(t: &Toks<'_>, j: usize) -> Option<i32> {
    let w = t.text(j);
    if w.len() != 4 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    w.parse().ok().filter(|y| (1000..=2999).contains(y))
}

/// A one- or two-digit number token.
fn small_at(t: &Toks<'_>, j: usize) -> Option<u8> {
    let w = t.text(j);
    if w.is_empty() || w.len() > 2 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    w.parse().ok()
}

fn date(y: i32, m: Month, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, m, d).ok()
}

/// Words after which a capitalised month name is a month ("in May", "since March").
fn month_context(before: &str, month: Month) -> bool {
    let common = matches!(
        before,
        "in" | "since"
            | "until"
            | "till"
            | "by"
            | "from"
            | "during"
            | "early"
            | "late"
            | "mid"
            | "last"
            | "next"
            | "this"
            | "throughout"
    );
    // "to May", "of May", "before May" name the politician too often.
    common
        || (month != Month::May && matches!(before, "of" | "to" | "before" | "after" | "through"))
}

/// Explicit dates starting at token `i` (or a modifier just before it).
pub(super) fn explicit_at(t: &Toks<'_>, i: usize, ctx: &mut Context) -> Option<Found> {
    let published = ctx.published;
    let word = t.text(i);
    if let Some((month, abbr)) = month_name(word) {
        let mut j = i + 1;
        if abbr && t.text(j) == "." {
            j += 1;
        }
        if let Some(day) = day_at(t, j) {
            let k = if t.text(j + 1) == "," { j + 2 } else { j + 1 };
            if let Some(y) = year_at(t, k) {
                return date(y, month, day).map(|d| Found::new(i, k + 1, When::Day(d), false));
            }
            let dir = Dir::from(tense_at(t, i));
            return relative::day_in(published, month, day, dir)
                .map(|d| Found::new(i, j + 1, When::Day(d), true));
        }
        if let Some(y) = year_at(t, j) {
            return Some(Found::new(i, j + 1, When::Month(y, month), false));
        }
        if abbr || i == 0 {
            return None;
        }
        // A lone month: "in May", "last March", "mid-June".
        let mut before = i - 1;
        if t.text(before) == "-" && t.glued(before) && before > 0 {
            before -= 1;
        }
        let prev = t.lower(before);
        if !month_context(prev.as_str(), month) {
            return None;
        }
        let (first, dir) = match prev.as_str() {
            "last" => (before, Dir::PastStrict),
            "next" => (before, Dir::FutureStrict),
            "this" => (before, Dir::Nearest),
            _ => (i, Dir::from(tense_at(t, i))),
        };
        let year = relative::month_in(published, month, dir);
        return Some(Found::new(first, i + 1, When::Month(year, month), true));
    }
    if let Some(day) = day_at(t, i) {
        // "9 May 2025", "9th of May".
        let j = if t.is(i + 1, "of") { i + 2 } else { i + 1 };
        if let Some((month, _)) = month_name(t.text(j)) {
            let k = if t.text(j + 1) == "," { j + 2 } else { j + 1 };
            if let Some(y) = year_at(t, k) {
                return date(y, month, day).map(|d| Found::new(i, k + 1, When::Day(d), false));
            }
            let dir = Dir::from(tense_at(t, i));
            return relative::day_in(published, month, day, dir)
                .map(|d| Found::new(i, j + 1, When::Day(d), true));
        }
        return slash_date(t, i);
    }
    if let Some(y) = year_at(t, i) {
        return iso_date(t, i, y).or_else(|| lone_year(t, i, y, ctx));
    }
    decade(t, i, ctx)
}

/// "2025-05-09": five glued tokens.
fn iso_date(t: &Toks<'_>, i: usize, y: i32) -> Option<Found> {
    let glued = (i..i + 4).all(|k| t.glued(k));
    if !glued || t.text(i + 1) != "-" || t.text(i + 3) != "-" {
        return None;
    }
    let (m, d) = (small_at(t, i + 2)?, small_at(t, i + 4)?);
    if t.text(i + 2).len() != 2 || t.text(i + 4).len() != 2 {
        return None;
    }
    let month = Month::try_from(m).ok()?;
    date(y, month, d).map(|d| Found::new(i, i + 5, When::Day(d), false))
}

/// "05/09/2025" (US order when ambiguous) or "25/12/2024" (day first, unambiguous).
fn slash_date(t: &Toks<'_>, i: usize) -> Option<Found> {
    let glued = (i..i + 4).all(|k| t.glued(k));
    if !glued || t.text(i + 1) != "/" || t.text(i + 3) != "/" {
        return None;
    }
    let (a, b, y) = (small_at(t, i)?, small_at(t, i + 2)?, year_at(t, i + 4)?);
    let (m, d) = if a > 12 { (b, a) } else { (a, b) };
    let month = Month::try_from(m).ok()?;
    date(y, month, d).map(|d| Found::new(i, i + 5, When::Day(d), false))
}

/// Nouns that show a four-digit number counts something rather than naming a year.
#[rustfmt::skip]
const COUNTED: &[&str] = &[
    "people", "jobs", "workers", "employees", "staff", "troops", "soldiers", "members",
    "homes", "houses", "cars", "vehicles", "units", "shares", "tonnes", "tons", "barrels",
    "km", "kilometres", "miles", "metres", "meters", "feet", "votes", "voters", "students",
    "pupils", "children", "patients", "users", "customers", "subscribers", "copies",
    "points", "pounds", "dollars", "euros", "yen", "calories", "words", "runs", "yards",
    "acres", "hectares", "deaths", "cases", "seats", "times", "pages", "games", "percent",
    "per", "bn", "m", "million", "billion", "trillion", "cc", "mph", "kg", "ft", "gb", "mb",
];

/// Words that make an older four-digit number a year ("in 1815").
fn year_context(before: &str) -> bool {
    matches!(
        before,
        "in" | "since"
            | "until"
            | "till"
            | "by"
            | "from"
            | "during"
            | "of"
            | "before"
            | "after"
            | "between"
            | "and"
            | "to"
            | "year"
            | "around"
            | "circa"
            | "early"
            | "late"
            | "mid"
    )
}

/// A year on its own: "in 2025", "1947's", "the 2004 award".
fn lone_year(t: &Toks<'_>, i: usize, y: i32, ctx: &mut Context) -> Option<Found> {
    if t.text(i + 1) == "'" || t.text(i + 1) == "’" {
        // "1990's" as a decade.
        if t.glued(i) && t.glued(i + 1) && t.is(i + 2, "s") && y % 10 == 0 {
            ctx.last_century = Some(y / 100 * 100);
            return Some(Found::new(i, i + 3, When::Decade(y), false));
        }
    }
    // The year of an invalid ISO date ("2025-02-30") or of a slash date ("13/13/2024")
    // is no year either.
    let iso_shaped = t.text(i + 1) == "-" && t.glued(i) && t.glued(i + 1) && t.text(i + 3) == "-";
    if iso_shaped || (i > 0 && t.text(i - 1) == "/" && t.glued(i - 1)) {
        return None;
    }
    let before = if i > 0 {
        t.lower(i - 1)
    } else {
        super::Lower::new("")
    };
    let floor = if year_context(before.as_str()) {
        1000
    } else {
        1900
    };
    if !(floor..=2100).contains(&y) {
        return None;
    }
    if i > 0
        && matches!(
            t.text(i - 1),
            "$" | "£" | "€" | "¥" | "₹" | "#" | "No" | "no"
        )
    {
        return None;
    }
    let next = t.lower(i + 1);
    if t.text(i + 1) == "%" || COUNTED.contains(&next.as_str()) {
        return None;
    }
    Some(Found::new(i, i + 1, When::Year(y), false))
}

/// "1990s", "80s" (after "the", "’", "mid-" or another decade), "mid-1990s".
fn decade(t: &Toks<'_>, i: usize, ctx: &mut Context) -> Option<Found> {
    let (v, suffix, _) = parse_digits(t.text(i))?;
    if suffix != "s" || v.fract() != 0.0 {
        return None;
    }
    let digits = t.text(i).len() - 1;
    let v = v as i32;
    if v % 10 != 0 {
        return None;
    }
    if digits == 4 && (1000..=2990).contains(&v) {
        ctx.last_century = Some(v / 100 * 100);
        return Some(Found::new(i, i + 1, When::Decade(v), false));
    }
    if digits != 2 || i == 0 {
        return None;
    }
    let prev = t.text(i - 1);
    let apostrophe = (prev == "'" || prev == "’") && t.glued(i - 1);
    let lead = t.lower(i - 1);
    // "the late 80s" is a decade, "her late 20s" an age.
    let period = i >= 2 && t.is(i - 2, "the");
    let context = matches!(lead.as_str(), "the" | "and" | "-" | "or")
        || (matches!(lead.as_str(), "early" | "late") && period);
    if !apostrophe && !context {
        return None;
    }
    let century = ctx
        .last_century
        .unwrap_or(if v <= 10 { 2000 } else { 1900 });
    let first = if apostrophe { i - 1 } else { i };
    Some(Found::new(first, i + 1, When::Decade(century + v), false))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::doc;
    use super::*;
    use time::macros::date;

    /// (text, value, granularity, relative) of every date in `text`.
    fn dates(text: &str, published: Date) -> Vec<(String, String, Granularity, bool)> {
        find_dates(&doc(text), published)
            .into_iter()
            .map(|m| (m.text, m.value, m.granularity, m.relative))
            .collect()
    }

    fn values(text: &str) -> Vec<String> {
        find_dates(&doc(text), date!(2025 - 05 - 06))
            .into_iter()
            .map(|m| m.value)
            .collect()
    }

    #[test]
    fn explicit_forms() {
        let got = dates(
            "It opened on May 9, 2025 and on 9 May 2025, then 2025-05-09 and May 2025.",
            date!(2025 - 05 - 06),
        );
        assert_eq!(
            got,
            vec![
                (
                    "May 9, 2025".into(),
                    "2025-05-09".into(),
                    Granularity::Day,
                    false
                ),
                (
                    "9 May 2025".into(),
                    "2025-05-09".into(),
                    Granularity::Day,
                    false
                ),
                (
                    "2025-05-09".into(),
                    "2025-05-09".into(),
                    Granularity::Day,
                    false
                ),
                (
                    "May 2025".into(),
                    "2025-05".into(),
                    Granularity::Month,
                    false
                ),
            ]
        );
        assert_eq!(values("Filed on 05/09/2025."), vec!["2025-05-09"]);
        assert_eq!(values("Filed on 25/12/2024."), vec!["2024-12-25"]);
        assert_eq!(
            values("The 9th of May and Sept. 3, 1998."),
            vec!["2025-05-09", "1998-09-03"]
        );
        assert!(values("Filed on 2025-02-30 and 13/13/2024.").is_empty());
    }

    #[test]
    fn years_and_decades() {
        assert_eq!(values("The film was made in 1947."), vec!["1947"]);
        assert_eq!(values("It was founded in 1815."), vec!["1815"]);
        assert_eq!(
            values("Shows in the 1970s and 80s, and the ’90s, in the mid-1990s."),
            vec!["197", "198", "199", "199"]
        );
        assert_eq!(values("In the late 80s, in her late 20s."), vec!["198"]);
        // Amounts are not years.
        assert!(values("It hired 2000 people and paid $2005 for 1999 votes.").is_empty());
        assert!(values("A 1500 metre race, up 2010%.").is_empty());
        assert!(values("The number 1234 rose.").is_empty());
        assert_eq!(
            values("It will restate 2000 and 2003 results."),
            vec!["2000", "2003"]
        );
    }

    #[test]
    fn months_without_a_year_follow_the_tense() {
        // Published 6 May 2025.
        assert_eq!(values("Profits fell in December."), vec!["2024-12"]);
        assert_eq!(values("Polls will open in December."), vec!["2025-12"]);
        assert_eq!(values("The Fed acted on 2 February."), vec!["2025-02-02"]);
        assert_eq!(
            values("Talks will resume on 2 February."),
            vec!["2026-02-02"]
        );
        assert_eq!(values("It happened last May."), vec!["2024-05"]);
        assert_eq!(
            values("It comes next March, maybe in mid-June."),
            vec!["2026-03", "2025-06"]
        );
        // "May" alone is a modal or a name.
        assert!(values("Prices may rise. Theresa May spoke.").is_empty());
        let got = dates("Profits fell in December.", date!(2025 - 05 - 06));
        assert!(got.iter().all(|d| d.3));
    }
}
