//! Relative dates, resolved against the publication date.
//!
//! Read: "today", "tonight", "yesterday", "tomorrow", "last night", "this morning";
//! weekdays ("on Friday", "Wednesday’s", "last Monday", "next Friday", "this
//! Sunday"); "last/this/next week|month|year", also after "earlier"/"later"; "two days
//! ago", "a year ago", "three weeks from now"; "in three weeks" when the sentence is
//! in the future tense or says "time" ("in three weeks’ time"), since "the highest in
//! three months" looks back; "80th anniversary", whose value is the publication year
//! and whose `event_year` is the year commemorated.
//!
//! How a bare weekday is resolved: a future sentence ("will join Putin on Friday")
//! takes the next such day, a past one ("said on Friday") the previous one, both
//! counting the publication day itself (wire copy names today's weekday); a sentence
//! without tense markers takes the nearer of the two. "last Friday" is strictly
//! before the publication day, "next Friday" strictly after, "this Friday" in the
//! same ISO week. Weeks are ISO weeks (Monday first).
//!
//! Not read: spans relative to another event ("a year earlier", "two days later"),
//! durations ("the past week", "within two years"), weekends, seasons, holidays.

use time::{Date, Duration, Month, Weekday};

use super::dates::{Context, Found, When, month_name};
use super::numbers::{number_at, ordinal_word};
use super::tense::{Tense, tense_at};
use super::{Toks, is_capitalised};

/// Which occurrence of a weekday, month or day-of-year to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dir {
    /// The latest one on or before the publication date.
    Past,
    /// The earliest one on or after the publication date.
    Future,
    /// Whichever of the two is nearer (the past one on a tie).
    Nearest,
    /// The latest one strictly before ("last Friday", "last May").
    PastStrict,
    /// The earliest one strictly after ("next Friday", "next May").
    FutureStrict,
}

impl From<Tense> for Dir {
    fn from(tense: Tense) -> Self {
        match tense {
            Tense::Past => Dir::Past,
            Tense::Future => Dir::Future,
            Tense::Unknown => Dir::Nearest,
        }
    }
}

/// Moves `days` days from `date`, or `None` past the calendar's range.
fn shift(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Duration::days(days))
}

/// The weekday `target` relative to `published` in direction `dir`.
pub(super) fn weekday_in(published: Date, target: Weekday, dir: Dir) -> Option<Date> {
    let today = i64::from(published.weekday().number_days_from_monday());
    let want = i64::from(target.number_days_from_monday());
    let ahead = (want - today).rem_euclid(7);
    let back = (today - want).rem_euclid(7);
    let days = match dir {
        Dir::Past => -back,
        Dir::Future => ahead,
        Dir::Nearest if ahead < back => ahead,
        Dir::Nearest => -back,
        Dir::PastStrict if back == 0 => -7,
        Dir::PastStrict => -back,
        Dir::FutureStrict if ahead == 0 => 7,
        Dir::FutureStrict => ahead,
    };
    shift(published, days)
}

/// The year of month `target` relative to the publication month.
pub(super) fn month_in(published: Date, target: Month, dir: Dir) -> i32 {
    let now = i32::from(u8::from(published.month()));
    let want = i32::from(u8::from(target));
    let y = published.year();
    let ahead = (want - now).rem_euclid(12);
    let back = (now - want).rem_euclid(12);
    match dir {
        Dir::Past => y - i32::from(want > now),
        Dir::Future => y + i32::from(want < now),
        Dir::Nearest if ahead < back => y + i32::from(want < now),
        Dir::Nearest => y - i32::from(want > now),
        Dir::PastStrict => y - i32::from(want >= now),
        Dir::FutureStrict => y + i32::from(want <= now),
    }
}

/// The day `month`/`day` in the year before, of or after publication, by `dir`.
pub(super) fn day_in(published: Date, month: Month, day: u8, dir: Dir) -> Option<Date> {
    let y = published.year();
    let candidates = [y - 1, y, y + 1].map(|year| Date::from_calendar_date(year, month, day).ok());
    let past = candidates
        .iter()
        .flatten()
        .filter(|d| **d <= published)
        .max()
        .copied();
    let future = candidates
        .iter()
        .flatten()
        .filter(|d| **d >= published)
        .min()
        .copied();
    match dir {
        Dir::Past | Dir::PastStrict => past,
        Dir::Future | Dir::FutureStrict => future,
        Dir::Nearest => match (past, future) {
            (Some(p), Some(f)) => Some(if f - published < published - p { f } else { p }),
            (p, f) => p.or(f),
        },
    }
}

/// Adds `n` months to the publication month.
fn add_months(published: Date, n: i32) -> (i32, Month) {
    let index = published.year() * 12 + i32::from(u8::from(published.month())) - 1 + n;
    let month = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1);
    (
        index.div_euclid(12),
        Month::try_from(month).unwrap_or(Month::January),
    )
}

fn weekday_name(word: &str) -> Option<Weekday> {
    if !is_capitalised(word) {
        return None;
    }
    Some(match super::strip_possessive(word) {
        "Monday" => Weekday::Monday,
        "Tuesday" => Weekday::Tuesday,
        "Wednesday" => Weekday::Wednesday,
        "Thursday" => Weekday::Thursday,
        "Friday" => Weekday::Friday,
        "Saturday" => Weekday::Saturday,
        "Sunday" => Weekday::Sunday,
        _ => return None,
    })
}

/// A calendar unit after a count or "last/this/next".
#[derive(Clone, Copy)]
enum Unit {
    Day,
    Week,
    Month,
    Year,
}

fn unit(word: &str) -> Option<Unit> {
    Some(match word {
        "day" | "days" => Unit::Day,
        "week" | "weeks" => Unit::Week,
        "month" | "months" => Unit::Month,
        "year" | "years" => Unit::Year,
        _ => return None,
    })
}

/// The date `n` units from publication (negative: back).
fn offset(published: Date, unit: Unit, n: i32) -> Option<When> {
    Some(match unit {
        Unit::Day => When::Day(shift(published, i64::from(n))?),
        Unit::Week => When::Week(shift(published, 7 * i64::from(n))?),
        Unit::Month => {
            let (y, m) = add_months(published, n);
            When::Month(y, m)
        }
        Unit::Year => When::Year(published.year() + n),
    })
}

/// Relative dates starting at token `i` (or "earlier"/"later" just before it).
pub(super) fn relative(t: &Toks<'_>, i: usize, ctx: &Context) -> Option<Found> {
    let published = ctx.published;
    let day = |first, end, d: Option<Date>| d.map(|d| Found::new(first, end, When::Day(d), true));
    let lower = t.lower(i);
    let w = lower.as_str();
    // "Today" capitalised inside a sentence names something ("the Today programme").
    let named = || is_capitalised(t.text(i)) && t.sentence_range(i).start != i;
    match w {
        "today" | "tonight" if named() => return None,
        "today" | "tonight" => return day(i, i + 1, Some(published)),
        "yesterday" => return day(i, i + 1, shift(published, -1)),
        "tomorrow" => return day(i, i + 1, shift(published, 1)),
        _ => {}
    }
    if let Some(weekday) = weekday_name(t.text(i)) {
        return weekday_at(t, i, i, weekday, Dir::from(tense_at(t, i)), ctx);
    }
    if matches!(w, "last" | "this" | "next") {
        let strict = match w {
            "last" => Dir::PastStrict,
            "next" => Dir::FutureStrict,
            _ => Dir::Nearest,
        };
        let next = t.lower(i + 1);
        match (w, next.as_str()) {
            ("last", "night") => return day(i, i + 2, shift(published, -1)),
            ("this", "morning" | "afternoon" | "evening") => {
                return day(i, i + 2, Some(published));
            }
            _ => {}
        }
        if let Some(weekday) = weekday_name(t.text(i + 1)) {
            if w == "this" {
                let monday = published.weekday().number_days_from_monday();
                let d = i64::from(weekday.number_days_from_monday()) - i64::from(monday);
                return day(i, i + 2, shift(published, d));
            }
            return weekday_at(t, i, i + 1, weekday, strict, ctx);
        }
        if month_name(t.text(i + 1)).is_some() {
            return None; // "last May": read as an explicit month with its modifier.
        }
        let n = match w {
            "last" => -1,
            "next" => 1,
            _ => 0,
        };
        let u = unit(next.as_str())?;
        // "earlier this month", "later this year" take the adverb into the span.
        let first = if i > ctx.floor
            && w == "this"
            && matches!(t.lower(i - 1).as_str(), "earlier" | "later")
        {
            i - 1
        } else {
            i
        };
        return offset(published, u, n).map(|when| Found::new(first, i + 2, when, true));
    }
    if w == "in" {
        // "in three weeks" (future only), "in two years' time".
        let count = count_at(t, i + 1)?;
        let u = unit(t.lower(count.1).as_str())?;
        let after = count.1 + 1;
        let time_word = (t.text(after) == "'" || t.text(after) == "’") && t.is(after + 1, "time");
        if !time_word && tense_at(t, i) != Tense::Future {
            return None;
        }
        let end = if time_word { after + 2 } else { after };
        return offset(published, u, count.0).map(|when| Found::new(i, end, when, true));
    }
    if let Some(found) = anniversary(t, i, published) {
        return Some(found);
    }
    // "two days ago", "a year ago", "three weeks from now".
    let (n, j) = count_at(t, i)?;
    let u = unit(t.lower(j).as_str())?;
    let sign = if t.is(j + 1, "ago") {
        -1
    } else if t.is(j + 1, "from") && t.is(j + 2, "now") {
        1
    } else {
        return None;
    };
    let end = if sign < 0 { j + 2 } else { j + 3 };
    offset(published, u, sign * n).map(|when| Found::new(i, end, when, true))
}

/// A weekday at token `at`, the match starting at `first` (a modifier or the day). A
/// full date right after it ("Wednesday, May 7, 2025") wins and takes the weekday in.
fn weekday_at(
    t: &Toks<'_>,
    first: usize,
    at: usize,
    weekday: Weekday,
    dir: Dir,
    ctx: &Context,
) -> Option<Found> {
    let next = if t.text(at + 1) == "," {
        at + 2
    } else {
        at + 1
    };
    let written = month_name(t.text(next)).is_some()
        || t.text(next)
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit());
    if written {
        let mut scratch = Context {
            floor: next,
            ..*ctx
        };
        if let Some(found) = super::dates::explicit_at(t, next, &mut scratch)
            && matches!(found.when, When::Day(_))
        {
            return Some(Found { first, ..found });
        }
    }
    weekday_in(ctx.published, weekday, dir).map(|d| Found::new(first, at + 1, When::Day(d), true))
}

/// A small whole count: "two", "3", "a", "an"; its value and the next token.
fn count_at(t: &Toks<'_>, i: usize) -> Option<(i32, usize)> {
    if matches!(t.lower(i).as_str(), "a" | "an") {
        return Some((1, i + 1));
    }
    let n = number_at(t, i)?;
    if !n.suffix.is_empty() || n.scaled() {
        return None;
    }
    let v = n.integer().filter(|v| (1..=1000).contains(v))?;
    Some((i32::try_from(v).ok()?, n.end))
}

/// "80th anniversary", "fiftieth anniversary".
fn anniversary(t: &Toks<'_>, i: usize, published: Date) -> Option<Found> {
    if !t.is(i + 1, "anniversary") {
        return None;
    }
    let n = match number_at(t, i) {
        Some(n) if n.is_ordinal() => n.integer()?,
        Some(_) => return None,
        None => i64::from(ordinal_word(t.lower(i).as_str())?),
    };
    let n = i32::try_from(n).ok().filter(|n| *n > 0)?;
    let year = published.year();
    Some(Found {
        event_year: Some(year - n),
        ..Found::new(i, i + 2, When::Year(year), true)
    })
}

#[cfg(test)]
mod tests {
    use super::super::dates::find_dates;
    use super::super::testutil::doc;
    use super::*;
    use time::macros::date;

    /// Published on Tuesday 6 May 2025, as the seed article.
    const PUBLISHED: Date = date!(2025 - 05 - 06);

    fn found(text: &str) -> Vec<(String, String)> {
        find_dates(&doc(text), PUBLISHED)
            .into_iter()
            .map(|m| (m.text, m.value))
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn days_and_weekdays() {
        assert_eq!(
            found("Today and tonight, not yesterday or tomorrow."),
            vec![
                pair("Today", "2025-05-06"),
                pair("tonight", "2025-05-06"),
                pair("yesterday", "2025-05-05"),
                pair("tomorrow", "2025-05-07"),
            ]
        );
        assert_eq!(
            found("On Friday, Xi will join Putin."),
            vec![pair("Friday", "2025-05-09")]
        );
        assert_eq!(
            found("Putin said on Friday."),
            vec![pair("Friday", "2025-05-02")]
        );
        assert_eq!(
            found("Talks resume on Monday."),
            vec![pair("Monday", "2025-05-05")]
        );
        assert_eq!(
            found("Talks resume on Thursday."),
            vec![pair("Thursday", "2025-05-08")]
        );
        assert_eq!(
            found("He spoke last Tuesday; she comes next Tuesday and this Sunday."),
            vec![
                pair("last Tuesday", "2025-04-29"),
                pair("next Tuesday", "2025-05-13"),
                pair("this Sunday", "2025-05-11"),
            ]
        );
        assert_eq!(
            found("It beat Wednesday's closing price."),
            vec![pair("Wednesday's", "2025-05-07")]
        );
        assert_eq!(
            found("It opens on Wednesday, May 7, 2025."),
            vec![pair("Wednesday, May 7, 2025", "2025-05-07")]
        );
        assert_eq!(
            found("Last night, it rained."),
            vec![pair("Last night", "2025-05-05")]
        );
    }

    #[test]
    fn weeks_months_years() {
        assert_eq!(
            found("Last week, this week and next week."),
            vec![
                pair("Last week", "2025-W18"),
                pair("this week", "2025-W19"),
                pair("next week", "2025-W20"),
            ]
        );
        assert_eq!(
            found("It rose earlier this month, after last month, before next month."),
            vec![
                pair("earlier this month", "2025-05"),
                pair("last month", "2025-04"),
                pair("next month", "2025-06"),
            ]
        );
        assert_eq!(
            found("Last year's peak, this year and later this year, next year."),
            vec![
                pair("Last year's", "2024"),
                pair("this year", "2025"),
                pair("later this year", "2025"),
                pair("next year", "2026"),
            ]
        );
    }

    #[test]
    fn counts_ago_and_ahead() {
        assert_eq!(
            found("Two days ago, a year ago, 3 weeks ago and six months ago."),
            vec![
                pair("Two days ago", "2025-05-04"),
                pair("a year ago", "2024"),
                pair("3 weeks ago", "2025-W16"),
                pair("six months ago", "2024-11"),
            ]
        );
        assert_eq!(
            found("It will open in three weeks."),
            vec![pair("in three weeks", "2025-W22")]
        );
        assert_eq!(
            found("Prices hit the highest in three months."),
            Vec::<(String, String)>::new()
        );
        assert_eq!(
            found("A vote in two years' time."),
            vec![pair("in two years' time", "2027")]
        );
        assert_eq!(
            found("Prices rose a year earlier and within two years."),
            Vec::<(String, String)>::new()
        );
    }

    #[test]
    fn anniversaries_record_the_event_year() {
        let got = find_dates(
            &doc("A parade marks the 80th anniversary of victory and the fiftieth anniversary."),
            PUBLISHED,
        );
        let summary: Vec<_> = got
            .iter()
            .map(|m| (m.text.as_str(), m.value.as_str(), m.event_year))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("80th anniversary", "2025", Some(1945)),
                ("fiftieth anniversary", "2025", Some(1975)),
            ]
        );
    }

    #[test]
    fn resolution_helpers() {
        assert_eq!(month_in(PUBLISHED, Month::May, Dir::PastStrict), 2024);
        assert_eq!(month_in(PUBLISHED, Month::May, Dir::Nearest), 2025);
        assert_eq!(month_in(PUBLISHED, Month::October, Dir::Nearest), 2025);
        assert_eq!(month_in(PUBLISHED, Month::December, Dir::Nearest), 2024);
        assert_eq!(
            day_in(PUBLISHED, Month::February, 29, Dir::Past),
            Some(date!(2024 - 02 - 29))
        );
        assert_eq!(day_in(PUBLISHED, Month::February, 30, Dir::Past), None);
        assert_eq!(add_months(PUBLISHED, -5), (2024, Month::December));
        assert_eq!(add_months(PUBLISHED, 8), (2026, Month::January));
    }
}
