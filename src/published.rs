//! When was an article published? The input's own metadata first, then a date in its
//! URL, then a date near the top of its text, then the file's mtime, then the time it
//! was received. Relative dates in the text ("on Friday") resolve against the answer,
//! and the record says which clue won.

use std::sync::LazyLock;

use regex::Regex;
use time::format_description::well_known::{Rfc2822, Rfc3339};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::document::PublishedSource;

fn month(name: &str) -> Option<Month> {
    let m = name.get(..3)?.to_ascii_lowercase();
    Some(match m.as_str() {
        "jan" => Month::January,
        "feb" => Month::February,
        "mar" => Month::March,
        "apr" => Month::April,
        "may" => Month::May,
        "jun" => Month::June,
        "jul" => Month::July,
        "aug" => Month::August,
        "sep" => Month::September,
        "oct" => Month::October,
        "nov" => Month::November,
        "dec" => Month::December,
        _ => return None,
    })
}

fn at_midnight(d: Date) -> OffsetDateTime {
    PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_offset(UtcOffset::UTC)
}

fn ymd(y: &str, m: &str, d: &str) -> Option<OffsetDateTime> {
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?)
        .ok()
        .map(at_midnight)
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")
        .expect("valid regex")
});
static WRITTEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?,?\s+(\d{4})|([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))\b",
    )
    .expect("valid regex")
});
static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|-|\b)|/((?:19|20)\d{2})(\d{2})(\d{2})/",
    )
    .expect("valid regex")
});

/// Parses a date as metadata writes it: RFC 3339, ISO 8601 (date, date and time),
/// RFC 2822, "6 May 2025", "May 6, 2025".
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc2822) {
        return Some(t);
    }
    if let Some(c) = ISO.captures(s) {
        let day = ymd(&c[1], &c[2], &c[3])?;
        let hour: u8 = c.get(4).map_or(Some(0), |m| m.as_str().parse().ok())?;
        let minute: u8 = c.get(5).map_or(Some(0), |m| m.as_str().parse().ok())?;
        let second: u8 = c.get(6).map_or(Some(0), |m| m.as_str().parse().ok())?;
        return Time::from_hms(hour, minute, second)
            .ok()
            .map(|t| day.replace_time(t));
    }
    written(s)
}

/// "6 May 2025" or "May 6, 2025" anywhere in `s`.
fn written(s: &str) -> Option<OffsetDateTime> {
    let c = WRITTEN.captures(s)?;
    let (d, m, y) = match (c.get(1), c.get(4)) {
        (Some(d), _) => (d.as_str(), c.get(2)?.as_str(), c.get(3)?.as_str()),
        (None, Some(m)) => (c.get(5)?.as_str(), m.as_str(), c.get(6)?.as_str()),
        _ => return None,
    };
    let date = Date::from_calendar_date(y.parse().ok()?, month(m)?, d.parse().ok()?).ok()?;
    Some(at_midnight(date))
}

/// A date in a URL path: `/2025/05/06/`, `/2025-05-06-`, `/20250506/`.
pub fn from_url(url: &str) -> Option<OffsetDateTime> {
    let c = URL_DATE.captures(url)?;
    match c.get(1) {
        Some(y) => ymd(y.as_str(), c.get(2)?.as_str(), c.get(3)?.as_str()),
        None => ymd(c.get(4)?.as_str(), c.get(5)?.as_str(), c.get(6)?.as_str()),
    }
}

/// A written date in the first 300 characters of the text (a dateline or byline).
pub fn from_text(text: &str) -> Option<OffsetDateTime> {
    let end = text.char_indices().nth(300).map_or(text.len(), |(i, _)| i);
    written(&text[..end])
}

/// The publication time and which clue gave it.
pub fn resolve(
    metadata: Option<&str>,
    url: Option<&str>,
    text: &str,
    mtime: Option<std::time::SystemTime>,
) -> (OffsetDateTime, PublishedSource) {
    if let Some(t) = metadata.and_then(parse) {
        return (t, PublishedSource::Metadata);
    }
    if let Some(t) = url.and_then(from_url) {
        return (t, PublishedSource::Url);
    }
    if let Some(t) = from_text(text) {
        return (t, PublishedSource::Text);
    }
    match mtime {
        Some(m) => (OffsetDateTime::from(m), PublishedSource::Mtime),
        None => (OffsetDateTime::now_utc(), PublishedSource::Received),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(t: OffsetDateTime) -> String {
        t.date().to_string()
    }

    #[test]
    fn metadata_formats() {
        assert_eq!(
            day(parse("2025-05-06T08:00:00+03:00").unwrap()),
            "2025-05-06"
        );
        assert_eq!(day(parse("2025-05-06").unwrap()), "2025-05-06");
        assert_eq!(day(parse("2025-05-06 08:30").unwrap()), "2025-05-06");
        assert_eq!(
            day(parse("Tue, 06 May 2025 08:00:00 +0000").unwrap()),
            "2025-05-06"
        );
        assert_eq!(day(parse("May 6, 2025").unwrap()), "2025-05-06");
        assert_eq!(day(parse("6th May 2025").unwrap()), "2025-05-06");
        assert!(parse("yesterday").is_none());
    }

    #[test]
    fn urls_and_text() {
        assert_eq!(
            day(from_url("https://x.com/world/2025/05/06/xi-visit/").unwrap()),
            "2025-05-06"
        );
        assert_eq!(
            day(from_url("https://x.com/news/2025-5-6-xi").unwrap()),
            "2025-05-06"
        );
        assert_eq!(
            day(from_url("https://x.com/a/20250506/story").unwrap()),
            "2025-05-06"
        );
        assert!(from_url("https://x.com/a/story-2025").is_none());
        assert_eq!(
            day(from_text("MOSCOW, May 6, 2025 (Reuters) - Talks began.").unwrap()),
            "2025-05-06"
        );
    }

    #[test]
    fn the_order_of_clues() {
        let (_, s) = resolve(Some("2025-05-06"), Some("/2024/01/01/"), "", None);
        assert_eq!(s, PublishedSource::Metadata);
        let (t, s) = resolve(Some("garbage"), Some("https://x/2024/01/02/a"), "", None);
        assert_eq!((day(t).as_str(), s), ("2024-01-02", PublishedSource::Url));
        let (_, s) = resolve(
            None,
            None,
            "no dates here",
            Some(std::time::SystemTime::now()),
        );
        assert_eq!(s, PublishedSource::Mtime);
        let (_, s) = resolve(None, None, "no dates here", None);
        assert_eq!(s, PublishedSource::Received);
    }
}
