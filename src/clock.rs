//! Wall-clock helpers: RFC 3339 timestamps and archive dates, always in UTC.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Formats a time as RFC 3339 UTC with microseconds, e.g. `2026-11-29T03:38:22.123456Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    let micros = dt.microsecond();
    let dt = dt.replace_nanosecond(micros * 1000).unwrap_or(dt);
    dt.format(&Rfc3339)
        .unwrap_or_else(|_| String::from("1970-01-01T00:00:00Z"))
}

/// The current time as RFC 3339 UTC.
pub fn now_rfc3339() -> String {
    rfc3339(SystemTime::now())
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The UTC calendar date of `t` as `YYYY-MM-DD`, used to name archive folders.
pub fn date(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    format!(
        "{:04}-{:02}-{:02}",
        dt.year(),
        u8::from(dt.month()),
        dt.day()
    )
}

/// A compact UTC timestamp for rotated file names, e.g. `20261129T033822.123Z`.
pub fn compact(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_known_instant() {
        let t = UNIX_EPOCH + Duration::from_micros(1_764_387_502_123_456);
        assert_eq!(rfc3339(t), "2025-11-29T03:38:22.123456Z");
        assert_eq!(date(t), "2025-11-29");
        assert_eq!(compact(t), "20251129T033822.123Z");
    }
}
