//! What the pipeline produces: [`When`] an occurrence starts or ends, the
//! [`Occurrence`] itself, and [`is_cancelled`].
//!
//! This module is the bottom of the calendar's import order: every stage may name these
//! types, and it imports no other calendar module (it is meant to move, as a whole, to a
//! crate-level `model` module).

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

/// When an occurrence starts or ends: an instant (timed) or a calendar date (all-day).
///
/// Timed values are kept in UTC; the zone they were written in only matters while
/// expanding a series (RFC 5545 §3.3.10: recurrence works on local time).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum When {
    /// A timed instant, in UTC.
    Timed(DateTime<Utc>),
    /// An all-day date (a `VALUE=DATE` property), with no zone.
    AllDay(NaiveDate),
}

impl When {
    /// The instant used for sorting and for `--from`/`--to` filtering: the instant
    /// itself, or 00:00 UTC of an all-day date (`../shared/CONTRACT.md`).
    pub fn instant(&self) -> DateTime<Utc> {
        match self {
            When::Timed(t) => *t,
            When::AllDay(d) => d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(),
        }
    }

    /// Whether this is an all-day date.
    pub fn is_all_day(&self) -> bool {
        matches!(self, When::AllDay(_))
    }

    /// The calendar date: the UTC date of a timed instant, or the all-day date.
    pub fn date_utc(&self) -> NaiveDate {
        match self {
            When::Timed(t) => t.date_naive(),
            When::AllDay(d) => *d,
        }
    }
}

impl fmt::Display for When {
    /// RFC 3339 in UTC with `Z` and seconds (`2026-11-26T16:00:00Z`), or `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Timed(t) => f.write_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true)),
            When::AllDay(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One occurrence of a VEVENT: a single event, one instance of a recurring series, or
/// an overridden instance (RECURRENCE-ID, RFC 5545 §3.8.4.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    /// The VEVENT's UID (RFC 5545 §3.8.4.7); empty when the feed gives none.
    pub uid: String,
    /// The SUMMARY, unescaped (RFC 5545 §3.3.11); empty when absent.
    pub summary: String,
    /// The start.
    pub start: When,
    /// The end: DTEND, DTSTART + DURATION, or (neither given) the start for a timed
    /// event and the next day for an all-day one (RFC 5545 §3.6.1).
    pub end: When,
    /// Whether the start is an all-day date.
    pub all_day: bool,
    /// The original start of this instance within its series (its RECURRENCE-ID),
    /// `None` for an event that does not recur.
    pub recurrence_id: Option<When>,
    /// The STATUS (RFC 5545 §3.8.1.11), upper-cased, when given.
    #[serde(skip)]
    pub status: Option<String>,
    /// The LOCATION, unescaped, when given.
    #[serde(skip)]
    pub location: Option<String>,
    /// The URL, when given.
    #[serde(skip)]
    pub url: Option<String>,
}

impl Occurrence {
    /// Whether STATUS is CANCELLED.
    pub fn is_status_cancelled(&self) -> bool {
        self.status.as_deref() == Some("CANCELLED")
    }

    /// Whether the occurrence is cancelled; see [`is_cancelled`].
    pub fn is_cancelled(&self) -> bool {
        is_cancelled(&self.summary, self.status.as_deref())
    }
}

/// Whether an occurrence with this SUMMARY and STATUS (upper-cased) is cancelled:
/// STATUS:CANCELLED (RFC 5545 §3.8.1.11), or what Google exports for a cancelled
/// instance, an override whose SUMMARY begins with "Cancelled" or "Canceled" (any case)
/// followed by `:` or ` -`.
pub fn is_cancelled(summary: &str, status: Option<&str>) -> bool {
    if status == Some("CANCELLED") {
        return true;
    }
    let s = summary.trim_start();
    ["cancelled", "canceled"].iter().any(|word| {
        let rest = match s.get(..word.len()) {
            Some(head) if head.eq_ignore_ascii_case(word) => &s[word.len()..],
            _ => return false,
        };
        rest.starts_with(':') || rest.trim_start().starts_with('-') && rest.starts_with(' ')
    })
}
