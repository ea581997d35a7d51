//! Reading property values (RFC 5545 §3.3): DATE and DATE-TIME values resolved to a
//! zone ([`Stamp`]), RDATE values ([`RDate`]), DURATION and TEXT.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use crate::calendar::zone::{self, Zone};
use crate::model::When;

/// A DATE or DATE-TIME property value (RFC 5545 §3.3.4, §3.3.5), resolved to a zone.
///
/// A UTC value (`…Z`) is `Local` in `UTC`, or, when the calendar has an X-WR-TIMEZONE,
/// re-expressed in that zone: Google means such series to repeat in local time (the
/// behaviour of the `x-wr-timezone` reference library). A floating value is read in
/// [`super::Calendar::zone`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// An all-day date.
    Date(NaiveDate),
    /// A wall-clock time in a zone.
    Local(NaiveDateTime, Zone),
}

impl Stamp {
    /// The date or the local wall-clock date.
    pub fn local_date(&self) -> NaiveDate {
        match self {
            Stamp::Date(d) => *d,
            Stamp::Local(t, _) => t.date(),
        }
    }

    /// The local wall-clock time (midnight for a date).
    pub fn local(&self) -> NaiveDateTime {
        match self {
            Stamp::Date(d) => d.and_time(NaiveTime::MIN),
            Stamp::Local(t, _) => *t,
        }
    }

    /// This value as an occurrence time: an instant in UTC, or an all-day date.
    pub fn when(&self) -> When {
        match self {
            Stamp::Date(d) => When::AllDay(*d),
            Stamp::Local(t, zone) => When::Timed(zone.to_utc(*t)),
        }
    }
}

/// One RDATE value: a start, and for a PERIOD its own duration (RFC 5545 §3.8.5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RDate {
    /// The start of the added instance.
    pub start: Stamp,
    /// The duration given by a PERIOD value, if any.
    pub duration: Option<Duration>,
}

/// What reading a property value needs to know about the calendar.
pub(super) struct ValueContext<'a> {
    /// The zone floating values are read in ([`super::Calendar::zone`]).
    pub(super) cal_zone: Tz,
    /// The calendar's X-WR-TIMEZONE, when it names a known zone.
    pub(super) x_wr_timezone: Option<Tz>,
    /// The zones the feed's VTIMEZONEs define, by TZID.
    pub(super) vtimezones: &'a HashMap<String, Zone>,
    /// TZIDs nothing resolved, to warn about once each.
    pub(super) unknown_tzids: std::cell::RefCell<std::collections::BTreeSet<String>>,
    /// The first DATE-TIME value read without its seconds since this was last taken,
    /// which [`super::vevent::read_vevent`] warns about once per content line.
    pub(super) no_seconds: std::cell::RefCell<Option<String>>,
}

/// Reads one DATE or DATE-TIME value.
pub(super) fn read_stamp(
    value: &str,
    tzid: Option<&str>,
    ctx: &ValueContext<'_>,
) -> std::result::Result<Stamp, String> {
    let v = value.trim();
    if v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d")
            .map(Stamp::Date)
            .map_err(|_| format!("`{v}`: expected a date `YYYYMMDD`"));
    }
    let (digits, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (v, false),
    };
    let expected =
        || format!("`{v}`: expected a date-time `YYYYMMDDTHHMMSS`, optionally followed by `Z`");
    let local = match NaiveDateTime::parse_from_str(digits, "%Y%m%dT%H%M%S") {
        Ok(t) => t,
        // `19970901T1300Z`: a value without its seconds (RFC 5545 §3.3.5 requires
        // them), read as `…00` seconds; `read_vevent` warns.
        Err(_) if digits.len() == 13 && digits.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            let t = NaiveDateTime::parse_from_str(&format!("{digits}00"), "%Y%m%dT%H%M%S")
                .map_err(|_| expected())?;
            ctx.no_seconds
                .borrow_mut()
                .get_or_insert_with(|| v.to_string());
            t
        }
        Err(_) => return Err(expected()),
    };
    // A value with both a TZID and a `Z` breaks RFC 5545 §3.3.5; Google shows it in the
    // TZID's zone, so the TZID wins.
    if utc && tzid.is_none() {
        return Ok(utc_stamp(local, ctx));
    }
    let Some(id) = tzid else {
        return Ok(Stamp::Local(local, Zone::Iana(ctx.cal_zone)));
    };
    // An exact IANA name; else the feed's own VTIMEZONE (RFC 5545 §3.6.5), which is what
    // the name means in this file; else a near-IANA, Windows or Outlook display name.
    let zone = id
        .parse::<Tz>()
        .ok()
        .map(Zone::Iana)
        .or_else(|| ctx.vtimezones.get(id).cloned())
        .or_else(|| zone::resolve(id).map(Zone::Iana))
        .or_else(|| zone::fixed_offset(id))
        .unwrap_or_else(|| {
            ctx.unknown_tzids.borrow_mut().insert(id.to_string());
            Zone::Iana(ctx.cal_zone)
        });
    Ok(Stamp::Local(local, zone))
}

/// The UTC date-time `local` (a value with `Z`), re-expressed in the calendar's
/// X-WR-TIMEZONE when it has one (see [`Stamp`]).
pub(super) fn utc_stamp(local: NaiveDateTime, ctx: &ValueContext<'_>) -> Stamp {
    match ctx.x_wr_timezone {
        Some(tz) => Stamp::Local(zone::to_local(local.and_utc(), tz), Zone::Iana(tz)),
        None => Stamp::Local(local, Zone::Iana(Tz::UTC)),
    }
}

/// Whether `value` (of a property with the TZID `tzid`) is a floating DATE-TIME (RFC
/// 5545 §3.3.5, form #1): no TZID, no `Z`, not a DATE.
pub(super) fn is_floating(value: &str, tzid: Option<&str>) -> bool {
    let v = value.trim();
    tzid.is_none() && v.len() != 8 && !v.ends_with(['Z', 'z'])
}

pub(super) fn read_rdate(
    item: &str,
    is_period: bool,
    tzid: Option<&str>,
    ctx: &ValueContext<'_>,
) -> std::result::Result<RDate, String> {
    if is_period || item.contains('/') {
        let (start, rest) = item.split_once('/').ok_or_else(|| {
            format!("`{item}`: expected a period `START/END` or `START/DURATION`")
        })?;
        let start = read_stamp(start, tzid, ctx)?;
        let duration = if rest.trim_start_matches(['+', '-']).starts_with('P') {
            parse_duration(rest).ok_or_else(|| format!("`{rest}`: expected a duration"))?
        } else {
            let end = read_stamp(rest, tzid, ctx)?;
            end.when().instant() - start.when().instant()
        };
        return Ok(RDate {
            start,
            duration: Some(duration),
        });
    }
    Ok(RDate {
        start: read_stamp(item, tzid, ctx)?,
        duration: None,
    })
}

/// Parses an RFC 5545 §3.3.6 duration such as `PT1H30M`, `P1D`, `-P2W`.
pub fn parse_duration(value: &str) -> Option<Duration> {
    let v = value.trim();
    let (sign, v) = match v.as_bytes().first()? {
        b'-' => (-1, &v[1..]),
        b'+' => (1, &v[1..]),
        _ => (1, v),
    };
    let v = v.strip_prefix(['P', 'p'])?;
    let mut total = Duration::zero();
    let mut in_time = false;
    let mut number = String::new();
    let mut any = false;
    for ch in v.chars() {
        match ch.to_ascii_uppercase() {
            'T' if number.is_empty() => in_time = true,
            c if c.is_ascii_digit() => number.push(c),
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                total += match (unit, in_time) {
                    ('W', false) => Duration::try_weeks(n)?,
                    ('D', false) => Duration::try_days(n)?,
                    ('H', true) => Duration::try_hours(n)?,
                    ('M', true) => Duration::try_minutes(n)?,
                    ('S', true) => Duration::try_seconds(n)?,
                    _ => return None,
                };
            }
        }
    }
    (any && number.is_empty()).then_some(total * sign)
}

/// Unescapes a TEXT value (RFC 5545 §3.3.11).
pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}
