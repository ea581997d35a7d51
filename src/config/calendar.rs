//! `[calendar]`: the feed and which of its events are summits.

use chrono::Duration;
use chrono_tz::Tz;
use regex::Regex;

use super::raw::RawCalendar;
use super::source::Source;
use crate::error::Result;

/// The summit regex used when `calendar.summit` is not set.
pub const DEFAULT_SUMMIT_PATTERN: &str = "(?i)developer summit";

/// `[calendar]`.
#[derive(Clone, Debug)]
pub struct CalendarConfig {
    /// `feed`: a URL, a path (relative to the config's folder) or `-`.
    pub feed: Option<String>,
    /// `summit`: a regex on SUMMARY that selects summit occurrences.
    pub summit: Regex,
    /// `zones`: IANA zones the mails and `summit next` show times in (default `["UTC"]`).
    pub zones: Vec<Tz>,
    /// `default-tz`: the zone floating times are read in when the feed has no
    /// X-WR-TIMEZONE (default UTC).
    pub default_tz: Tz,
    /// `cache-max-age`: how old the cached copy of a URL feed may be for `tick` and
    /// `send` to use it when the server cannot be reached (default 7 days).
    pub cache_max_age: Duration,
    /// `cancel-missing-after`: an announced summit that the feed stops listing (without
    /// cancelling it) counts as cancelled once it has been missing from every fetch for
    /// this long (default 24 hours): one bad fetch is not a cancellation.
    pub cancel_missing_after: Duration,
    /// `fetch-timeout`: how long one fetch of a URL feed may take in all, from the name
    /// lookup to the last byte (default 2 minutes); past it the fetch is abandoned as
    /// failed, and the cached copy may stand in.
    pub fetch_timeout: std::time::Duration,
}

/// The default of `calendar.fetch-timeout`.
pub const DEFAULT_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The default of `calendar.cancel-missing-after`.
pub const DEFAULT_CANCEL_MISSING_AFTER: Duration = Duration::hours(24);

/// The default of `calendar.cache-max-age`.
pub const DEFAULT_CACHE_MAX_AGE: Duration = Duration::days(7);

impl Default for CalendarConfig {
    /// No feed, summits matching [`DEFAULT_SUMMIT_PATTERN`], zone UTC, the default
    /// durations.
    fn default() -> Self {
        CalendarConfig {
            feed: None,
            summit: Regex::new(DEFAULT_SUMMIT_PATTERN).expect("valid regex"),
            zones: vec![Tz::UTC],
            default_tz: Tz::UTC,
            cache_max_age: DEFAULT_CACHE_MAX_AGE,
            cancel_missing_after: DEFAULT_CANCEL_MISSING_AFTER,
            fetch_timeout: DEFAULT_FETCH_TIMEOUT,
        }
    }
}

/// Validates `[calendar]`.
pub(super) fn validate(raw: RawCalendar, src: &Source) -> Result<CalendarConfig> {
    Ok(CalendarConfig {
        feed: raw.feed,
        summit: match &raw.summit {
            None => Regex::new(DEFAULT_SUMMIT_PATTERN).expect("valid regex"),
            Some(s) => crate::text::parse_regex(s.get_ref())
                .map_err(|message| src.at(s, format!("calendar.summit {message}")))?,
        },
        zones: match &raw.zones {
            None => vec![Tz::UTC],
            Some(list) if list.is_empty() => {
                return Err(src.err(
                    None,
                    "calendar.zones is empty, expected at least one IANA zone".into(),
                ));
            }
            Some(list) => list
                .iter()
                .map(|z| src.zone(z, "calendar.zones entry"))
                .collect::<Result<_>>()?,
        },
        default_tz: match &raw.default_tz {
            None => Tz::UTC,
            Some(z) => src.zone(z, "calendar.default-tz")?,
        },
        cache_max_age: src.duration(
            &raw.cache_max_age,
            "calendar.cache-max-age",
            DEFAULT_CACHE_MAX_AGE,
            "`7d`, `36h` or `1w`",
        )?,
        cancel_missing_after: src.duration(
            &raw.cancel_missing_after,
            "calendar.cancel-missing-after",
            DEFAULT_CANCEL_MISSING_AFTER,
            "`24h` or `2d`",
        )?,
        fetch_timeout: src.timeout(
            &raw.fetch_timeout,
            "calendar.fetch-timeout",
            DEFAULT_FETCH_TIMEOUT,
        )?,
    })
}
