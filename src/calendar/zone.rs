//! Resolving TZID parameter values (RFC 5545 §3.2.19) to time zones, and turning local
//! wall-clock times into instants: IANA zones from `chrono-tz`, and zones defined only
//! by a VTIMEZONE component's own STANDARD/DAYLIGHT rules (RFC 5545 §3.6.5).

use std::sync::Arc;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

use super::rule::rule_refusal;

/// A time zone: an IANA zone, or one defined by a VTIMEZONE of the feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Zone {
    /// A zone of the IANA database.
    Iana(Tz),
    /// A zone defined by the feed's VTIMEZONE, for a TZID that names no IANA zone.
    Defined(Arc<Vtimezone>),
}

impl Zone {
    /// The instant of wall-clock time `local` in this zone; see [`to_utc`] for folds
    /// and gaps.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        match self {
            Zone::Iana(tz) => to_utc(local, *tz),
            Zone::Defined(v) => v.to_utc(local),
        }
    }

    /// The wall-clock time of `instant` in this zone.
    pub fn to_local(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Iana(tz) => to_local(instant, *tz),
            Zone::Defined(v) => {
                instant.naive_utc() + Duration::seconds(i64::from(v.offset_at(instant)))
            }
        }
    }
}

impl From<Tz> for Zone {
    fn from(tz: Tz) -> Self {
        Zone::Iana(tz)
    }
}

/// A zone defined by a VTIMEZONE component (RFC 5545 §3.6.5): its transitions, in UTC,
/// each with the UTC offset (seconds) in force from then on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vtimezone {
    /// The TZID.
    pub name: String,
    /// The offset before the first transition (its TZOFFSETFROM).
    initial: i32,
    /// (transition instant, offset after it), sorted.
    transitions: Vec<(DateTime<Utc>, i32)>,
    /// The distinct offsets of `initial` and `transitions`, ascending.
    offsets: Vec<i32>,
}

/// One STANDARD or DAYLIGHT observance of a VTIMEZONE.
#[derive(Clone, Debug, Default)]
pub struct Observance {
    /// DTSTART: the first onset, in local time before the change (TZOFFSETFROM).
    pub start: Option<NaiveDateTime>,
    /// TZOFFSETFROM, seconds east of UTC.
    pub offset_from: Option<i32>,
    /// TZOFFSETTO, seconds east of UTC.
    pub offset_to: Option<i32>,
    /// RRULE values.
    pub rrules: Vec<String>,
    /// RDATE onsets, local time.
    pub rdates: Vec<NaiveDateTime>,
}

/// How many onsets one observance may contribute (a yearly rule from 1600 to 2400).
const MAX_ONSETS: usize = 1000;
/// How many onsets the RRULEs of all observances of one VTIMEZONE may contribute
/// together (real zones need a few thousand; a hostile one with ten thousand yearly
/// observances would cost millions of rule evaluations). Observances past it keep
/// their DTSTART and RDATE onsets.
const MAX_RULE_ONSETS_PER_ZONE: usize = 50_000;
/// Onsets are computed up to this year.
const LAST_YEAR: i32 = 2400;

impl Vtimezone {
    /// Builds a zone from its observances; `None` when no observance has a DTSTART and
    /// both offsets.
    pub fn new(name: &str, observances: &[Observance]) -> Option<Self> {
        let mut transitions = Vec::new();
        let mut first: Option<(NaiveDateTime, i32)> = None;
        let mut from_rules = 0usize;
        for o in observances {
            let (Some(start), Some(from), Some(to)) = (o.start, o.offset_from, o.offset_to) else {
                continue;
            };
            let mut onsets = vec![start];
            onsets.extend(o.rdates.iter().copied());
            for rule in &o.rrules {
                let budget = MAX_RULE_ONSETS_PER_ZONE.saturating_sub(from_rules);
                if budget == 0 {
                    break;
                }
                let more = rule_onsets(rule, start, budget);
                from_rules += more.len();
                onsets.extend(more);
            }
            for onset in onsets {
                let at = (onset - Duration::seconds(i64::from(from))).and_utc();
                transitions.push((at, to));
                if first.is_none_or(|(t, _)| onset < t) {
                    first = Some((onset, from));
                }
            }
        }
        let (_, initial) = first?;
        transitions.sort();
        transitions.dedup_by_key(|(t, _)| *t);
        let mut offsets: Vec<i32> = transitions.iter().map(|(_, o)| *o).collect();
        offsets.push(initial);
        offsets.sort_unstable();
        offsets.dedup();
        Some(Vtimezone {
            name: name.to_string(),
            initial,
            transitions,
            offsets,
        })
    }

    /// The UTC offset (seconds) in force at `instant`.
    pub fn offset_at(&self, instant: DateTime<Utc>) -> i32 {
        match self.transitions.partition_point(|(t, _)| *t <= instant) {
            0 => self.initial,
            i => self.transitions[i - 1].1,
        }
    }

    /// The instant of wall-clock time `local`: the earlier one in a fold, and in a gap
    /// the offset before the gap (RFC 5545 §3.3.5).
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let offsets = &self.offsets;
        let at = |o: i32| (local - Duration::seconds(i64::from(o))).and_utc();
        let valid = offsets
            .iter()
            .map(|&o| at(o))
            .filter(|t| i64::from(self.offset_at(*t)) == (local - t.naive_utc()).num_seconds())
            .min();
        valid.unwrap_or_else(|| {
            let widest = offsets.last().copied().unwrap_or(0);
            let before = self.offset_at(at(widest) - Duration::hours(1));
            at(before)
        })
    }
}

/// The onsets of an observance's RRULE (local time), from `start` to [`LAST_YEAR`].
/// At most `limit` of them.
fn rule_onsets(rule: &str, start: NaiveDateTime, limit: usize) -> Vec<NaiveDateTime> {
    use chrono::Datelike;
    // Exchange writes DTSTART 1601-01-01 and eM Client 0001-01-01: move such starts to
    // 1900 (same month, day and time), which changes no onset anyone still needs.
    let start = if start.year() < 1900 {
        start.with_year(1900).unwrap_or(start)
    } else {
        start
    };
    if rule_refusal(rule).is_some() {
        return Vec::new();
    }
    let mut text = String::new();
    let mut until = None;
    for part in rule.split(';') {
        match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("UNTIL") => {
                let digits = v.trim().trim_end_matches(['Z', 'z']);
                until = NaiveDateTime::parse_from_str(digits, "%Y%m%dT%H%M%S")
                    .ok()
                    .or_else(|| {
                        chrono::NaiveDate::parse_from_str(digits, "%Y%m%d")
                            .ok()
                            .and_then(|d| d.and_hms_opt(23, 59, 59))
                    });
            }
            Some(_) => {
                if !text.is_empty() {
                    text.push(';');
                }
                text.push_str(part.trim());
            }
            None => {}
        }
    }
    let floating = |t: NaiveDateTime| rrule::Tz::UTC.from_utc_datetime(&t);
    let Ok(parsed) = text.parse::<rrule::RRule<rrule::Unvalidated>>() else {
        return Vec::new();
    };
    let parsed = match until {
        Some(u) if u >= start => parsed.until(floating(u)),
        Some(_) => return Vec::new(),
        None => parsed,
    };
    let Ok(set) = parsed.build(floating(start)) else {
        return Vec::new();
    };
    set.limit()
        .into_iter()
        .map(|t| t.naive_utc())
        .take_while(|t| t.year() <= LAST_YEAR)
        .take(MAX_ONSETS.min(limit))
        .collect()
}

/// Parses a UTC offset such as `+0100`, `-0500` or `+053000` (RFC 5545 §3.3.14) into
/// seconds east of UTC.
pub fn parse_offset(value: &str) -> Option<i32> {
    let v = value.trim();
    let (sign, digits) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !(digits.len() == 4 || digits.len() == 6) {
        return None;
    }
    let h: i32 = digits[0..2].parse().ok()?;
    let m: i32 = digits[2..4].parse().ok()?;
    let s: i32 = if digits.len() == 6 {
        digits[4..6].parse().ok()?
    } else {
        0
    };
    (h < 24 && m < 60 && s < 60).then_some(sign * (h * 3600 + m * 60 + s))
}

/// Resolves a TZID value to an IANA zone by name.
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
    windows(name).or_else(|| display_name(name))
}

/// Resolves an Outlook display name such as `(UTC+01:00) Amsterdam, Berlin, Bern, Rome,
/// Stockholm, Vienna`, an older or reworded form of one (`(GMT+10:00) Canberra,
/// Melbourne, Sydney`, `Eastern Time (US and Canada)`), or a city list alone, by the
/// descriptions of the Windows zones: the description sharing the most words wins (at
/// least two, and at least a third of the name's words, not counting `time`,
/// `standard`, `daylight`, `and`; the first in CLDR order on a tie),
/// and a UTC offset in the name must agree with the description's.
fn display_name(name: &str) -> Option<Tz> {
    fn split(s: &str) -> (Option<String>, Vec<String>) {
        let s = s.trim();
        let (offset, rest) = match s.strip_prefix('(').and_then(|r| r.split_once(')')) {
            Some((inside, after)) => {
                let off = inside
                    .trim()
                    .trim_start_matches("UTC")
                    .trim_start_matches("GMT")
                    .trim()
                    .to_string();
                (
                    Some(if off.is_empty() {
                        "+00:00".to_string()
                    } else {
                        off
                    }),
                    after,
                )
            }
            None => (None, s),
        };
        let words = rest
            .replace('&', " and ")
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 1)
            .map(str::to_lowercase)
            .filter(|w| !["time", "standard", "daylight", "and", "the", "of"].contains(&w.as_str()))
            .collect();
        (offset, words)
    }
    use std::str::FromStr;
    let (offset, words) = split(name);
    if words.is_empty() {
        return None;
    }
    let mut best: Option<(usize, windows_timezones::WindowsTimezone)> = None;
    for wz in WINDOWS_NAMES
        .iter()
        .filter_map(|n| windows_timezones::WindowsTimezone::from_str(n).ok())
    {
        let (their_offset, their_words) = split(wz.description());
        if offset.is_some() && their_offset.is_some() && offset != their_offset {
            continue;
        }
        let shared = words.iter().filter(|w| their_words.contains(w)).count();
        if shared >= 2 && shared * 3 >= words.len() && best.is_none_or(|(b, _)| shared > b) {
            best = Some((shared, wz));
        }
    }
    best.and_then(|(_, wz)| wz.tzdb_id().parse().ok())
}

/// A fixed-offset name such as `UTC+01`, `GMT-0530` or `UTC+05:45`, as a zone of that
/// constant offset.
pub fn fixed_offset(name: &str) -> Option<Zone> {
    let n = name.trim();
    let rest = n
        .strip_prefix("UTC")
        .or_else(|| n.strip_prefix("GMT"))
        .or_else(|| n.strip_prefix("utc"))?
        .trim();
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let digits = digits.replace(':', "");
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = if digits.len() <= 2 {
        (digits.parse::<i32>().ok()?, 0)
    } else {
        let split = digits.len() - 2;
        (
            digits[..split].parse::<i32>().ok()?,
            digits[split..].parse::<i32>().ok()?,
        )
    };
    if h > 14 || m >= 60 {
        return None;
    }
    let offset = sign * (h * 3600 + m * 60);
    Some(Zone::Defined(Arc::new(Vtimezone {
        name: n.to_string(),
        initial: offset,
        transitions: Vec::new(),
        offsets: vec![offset],
    })))
}

/// The Windows zone names (CLDR windowsZones), to look display names up by.
const WINDOWS_NAMES: &[&str] = &[
    "Dateline Standard Time",
    "UTC-11",
    "Aleutian Standard Time",
    "Hawaiian Standard Time",
    "Marquesas Standard Time",
    "Alaskan Standard Time",
    "UTC-09",
    "Pacific Standard Time (Mexico)",
    "UTC-08",
    "Pacific Standard Time",
    "US Mountain Standard Time",
    "Mountain Standard Time (Mexico)",
    "Mountain Standard Time",
    "Yukon Standard Time",
    "Central America Standard Time",
    "Central Standard Time",
    "Easter Island Standard Time",
    "Central Standard Time (Mexico)",
    "Canada Central Standard Time",
    "SA Pacific Standard Time",
    "Eastern Standard Time (Mexico)",
    "Eastern Standard Time",
    "Haiti Standard Time",
    "Cuba Standard Time",
    "US Eastern Standard Time",
    "Turks And Caicos Standard Time",
    "Paraguay Standard Time",
    "Atlantic Standard Time",
    "Venezuela Standard Time",
    "Central Brazilian Standard Time",
    "SA Western Standard Time",
    "Pacific SA Standard Time",
    "Newfoundland Standard Time",
    "Tocantins Standard Time",
    "E. South America Standard Time",
    "SA Eastern Standard Time",
    "Argentina Standard Time",
    "Greenland Standard Time",
    "Montevideo Standard Time",
    "Magallanes Standard Time",
    "Saint Pierre Standard Time",
    "Bahia Standard Time",
    "UTC-02",
    "Mid-Atlantic Standard Time",
    "Azores Standard Time",
    "Cape Verde Standard Time",
    "UTC",
    "GMT Standard Time",
    "Greenwich Standard Time",
    "Sao Tome Standard Time",
    "Morocco Standard Time",
    "W. Europe Standard Time",
    "Central Europe Standard Time",
    "Romance Standard Time",
    "Central European Standard Time",
    "W. Central Africa Standard Time",
    "Jordan Standard Time",
    "GTB Standard Time",
    "Middle East Standard Time",
    "Egypt Standard Time",
    "E. Europe Standard Time",
    "Syria Standard Time",
    "West Bank Standard Time",
    "South Africa Standard Time",
    "FLE Standard Time",
    "Israel Standard Time",
    "South Sudan Standard Time",
    "Kaliningrad Standard Time",
    "Sudan Standard Time",
    "Libya Standard Time",
    "Namibia Standard Time",
    "Arabic Standard Time",
    "Turkey Standard Time",
    "Arab Standard Time",
    "Belarus Standard Time",
    "Russian Standard Time",
    "E. Africa Standard Time",
    "Volgograd Standard Time",
    "Iran Standard Time",
    "Arabian Standard Time",
    "Astrakhan Standard Time",
    "Azerbaijan Standard Time",
    "Russia Time Zone 3",
    "Mauritius Standard Time",
    "Saratov Standard Time",
    "Georgian Standard Time",
    "Caucasus Standard Time",
    "Afghanistan Standard Time",
    "West Asia Standard Time",
    "Qyzylorda Standard Time",
    "Ekaterinburg Standard Time",
    "Pakistan Standard Time",
    "India Standard Time",
    "Sri Lanka Standard Time",
    "Nepal Standard Time",
    "Central Asia Standard Time",
    "Bangladesh Standard Time",
    "Omsk Standard Time",
    "Myanmar Standard Time",
    "SE Asia Standard Time",
    "Altai Standard Time",
    "W. Mongolia Standard Time",
    "North Asia Standard Time",
    "N. Central Asia Standard Time",
    "Tomsk Standard Time",
    "China Standard Time",
    "North Asia East Standard Time",
    "Singapore Standard Time",
    "W. Australia Standard Time",
    "Taipei Standard Time",
    "Ulaanbaatar Standard Time",
    "Aus Central W. Standard Time",
    "Transbaikal Standard Time",
    "Tokyo Standard Time",
    "North Korea Standard Time",
    "Korea Standard Time",
    "Yakutsk Standard Time",
    "Cen. Australia Standard Time",
    "AUS Central Standard Time",
    "E. Australia Standard Time",
    "AUS Eastern Standard Time",
    "West Pacific Standard Time",
    "Tasmania Standard Time",
    "Vladivostok Standard Time",
    "Lord Howe Standard Time",
    "Bougainville Standard Time",
    "Russia Time Zone 10",
    "Magadan Standard Time",
    "Norfolk Standard Time",
    "Sakhalin Standard Time",
    "Central Pacific Standard Time",
    "Russia Time Zone 11",
    "New Zealand Standard Time",
    "UTC+12",
    "Fiji Standard Time",
    "Kamchatka Standard Time",
    "Chatham Islands Standard Time",
    "UTC+13",
    "Tonga Standard Time",
    "Samoa Standard Time",
    "Line Islands Standard Time",
];

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
mod tests;
