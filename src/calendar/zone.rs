//! Resolving TZID parameter values (RFC 5545 §3.2.19) to time zones, and turning local
//! wall-clock times into instants.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// Resolves a TZID value to a zone.
///
/// Accepts IANA names in any case (`Europe/lisbon` occurs in Google exports), the
/// `/mozilla.org/…`-style global prefix, and Windows/Outlook zone names such as
/// `W. Europe Standard Time` (via the `windows-timezones` crate, territory `001`).
/// Returns `None` when nothing matches.
pub fn resolve(tzid: &str) -> Option<Tz> {
    let name = tzid.trim().trim_matches('"');
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz);
    }
    if let Ok(tz) = Tz::from_str_insensitive(name) {
        return Some(tz);
    }
    if let Some(stripped) = name.strip_prefix('/') {
        // "/mozilla.org/20050126_1/Europe/Berlin" or "/Europe/Berlin"
        let parts: Vec<&str> = stripped.split('/').collect();
        for start in 0..parts.len() {
            if let Ok(tz) = Tz::from_str_insensitive(&parts[start..].join("/")) {
                return Some(tz);
            }
        }
    }
    windows(name)
}

/// Resolves a Windows zone name (`Pacific Standard Time`) to its IANA zone.
fn windows(name: &str) -> Option<Tz> {
    let wz: windows_timezones::WindowsTimezone = name.parse().ok()?;
    wz.tzdb_id().parse().ok()
}

/// The instant of local wall-clock time `local` in `tz`.
///
/// A time in a fold (it happens twice) is the earlier instant; a time in a gap (it never
/// happens) is read with the offset before the gap, so 02:30 on a spring-forward day in
/// New York is 03:30 EDT (RFC 5545 §3.3.5).
pub fn to_utc(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Use the offset in force just before the gap.
            let probe = local - chrono::Duration::hours(3);
            let offset = tz.offset_from_utc_datetime(&(probe - chrono::Duration::hours(12)));
            let before = match tz.from_local_datetime(&probe) {
                LocalResult::Single(t) => t.offset().fix(),
                LocalResult::Ambiguous(a, _) => a.offset().fix(),
                LocalResult::None => offset.fix(),
            };
            (local - chrono::Duration::seconds(i64::from(before.local_minus_utc()))).and_utc()
        }
    }
}

/// The local wall-clock time of `instant` in `tz`.
pub fn to_local(instant: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    instant.with_timezone(&tz).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
    }

    #[test]
    fn resolves_iana_in_any_case_and_windows_names() {
        assert_eq!(resolve("Europe/Berlin"), Some(chrono_tz::Europe::Berlin));
        assert_eq!(resolve("Europe/lisbon"), Some(chrono_tz::Europe::Lisbon));
        assert_eq!(
            resolve("/mozilla.org/20050126_1/Europe/Paris"),
            Some(chrono_tz::Europe::Paris)
        );
        assert_eq!(
            resolve("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(resolve("Nowhere/Special"), None);
    }

    #[test]
    fn gap_uses_offset_before_the_gap() {
        let ny = chrono_tz::America::New_York;
        let t = to_utc(local(2007, 3, 11, 2, 30), ny);
        assert_eq!(t.to_rfc3339(), "2007-03-11T07:30:00+00:00");
    }

    #[test]
    fn fold_takes_the_earlier_instant() {
        let ny = chrono_tz::America::New_York;
        let t = to_utc(local(2023, 11, 5, 1, 30), ny);
        assert_eq!(t.to_rfc3339(), "2023-11-05T05:30:00+00:00");
    }
}
