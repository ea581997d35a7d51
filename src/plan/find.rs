//! Which summit a command is about: the one a step is for ([`for_step`]), the summit of
//! the day ([`of_the_day`]), the date a `--summit` value names ([`SummitDate`],
//! [`resolve`]), and the errors when the feed has none ([`no_summit`], [`not_on`]).
//! Pure: every function takes `now` (UTC).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use regex::Regex;

use crate::calendar::{Calendar, Window};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Step, When, timeline};
use crate::plan::inputs::Inputs;
use crate::plan::summit::{self, Planned};

/// How far back before now `tick` looks for summits whose handover may still be open
/// (days).
pub const LOOKBACK_DAYS: i64 = 92;

/// The summit `step` is for, with the summit after it: the one on `date` (UTC) when
/// given, else the first summit from [`LOOKBACK_DAYS`] before `now` whose window for
/// `step` is still open at `now` (so a handover goes to the summit just held). The
/// feed's warnings are added to `warnings`.
///
/// # Errors
/// [`Error::NoSummit`] when no summit is on `date` ([`not_on`]: cancelled, or the
/// nearest summits on either side), or none has the step's window open.
pub fn for_step(
    cal: &Calendar,
    inputs: &Inputs,
    step: Step,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Result<(Planned, Option<Planned>)> {
    // `plan` is a pure function of config and feed: planning from an earlier anchor
    // gives the same facilitators as planning from now.
    let (anchor, count) = match date {
        Some(d) => (d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(), 2),
        None => (now - Duration::days(LOOKBACK_DAYS), 16),
    };
    let plan = summit::plan(cal, inputs, anchor, count, warnings);
    if let Some(d) = date {
        let mut it = plan.into_iter();
        return match it.next() {
            Some(p) if p.summit.start.date_utc() == d => Ok((p, it.next())),
            _ => Err(not_on(cal, inputs, d, warnings)),
        };
    }
    let timeline = &inputs.timeline;
    let mut it = plan.into_iter().peekable();
    while let Some(p) = it.next() {
        let next = it.peek().map(|n| &n.summit);
        let open =
            timeline::window_end(step, &p.summit, next, timeline).is_none_or(|end| now < end);
        if open {
            return Ok((p, it.next()));
        }
    }
    Err(no_summit(inputs, now))
}

/// The summit `timeline` and `checklist` show, with the summit after it: the one on
/// `date` (UTC), else the summit of the day (in progress at `now`, else the next).
///
/// # Errors
/// [`Error::NoSummit`] when there is no such summit.
pub fn of_the_day(
    cal: &Calendar,
    inputs: &Inputs,
    date: Option<NaiveDate>,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Result<(Planned, Option<Planned>)> {
    if date.is_some() {
        return for_step(cal, inputs, Step::Reminder, date, now, warnings);
    }
    let mut plan = summit::plan_current(cal, inputs, now, 2, warnings).into_iter();
    match plan.next() {
        Some(p) => Ok((p, plan.next())),
        None => Err(no_summit(inputs, now)),
    }
}

/// The error of a feed with no summit at or after `now` (UTC).
pub fn no_summit(config: &Config, now: DateTime<Utc>) -> Error {
    Error::NoSummit(format!(
        "no summit at or after {} matches calendar.summit `{}` within {} days",
        When::Timed(now),
        config.calendar.summit.as_str(),
        Window::DEFAULT_HORIZON_DAYS
    ))
}

/// What `--summit` names: a date (UTC), or one relative to now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SummitDate {
    /// The summit on this date (UTC).
    On(NaiveDate),
    /// The summit on the date (UTC) of now.
    Today,
    /// The summit on the day (UTC) after now.
    Tomorrow,
    /// The first summit that starts at or after now.
    Next,
    /// The last summit that started before now (one in progress included).
    Last,
}

/// The date (UTC) `which` names at `now`: `next` and `last` are looked up in the feed
/// (cancelled occurrences skipped). The feed's warnings are added to `warnings`.
///
/// # Errors
/// [`Error::NoSummit`] when there is no next (or last) summit within
/// [`Window::DEFAULT_HORIZON_DAYS`].
pub fn resolve(
    cal: &Calendar,
    config: &Config,
    which: SummitDate,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Result<NaiveDate> {
    let regex = &config.calendar.summit;
    match which {
        SummitDate::On(d) => Ok(d),
        SummitDate::Today => Ok(now.date_naive()),
        SummitDate::Tomorrow => Ok(now.date_naive() + Duration::days(1)),
        SummitDate::Next => first_from(cal, regex, now, warnings).ok_or_else(|| no_summit(config, now)),
        SummitDate::Last => last_before(cal, regex, now, warnings).ok_or_else(|| {
            Error::NoSummit(format!(
                "no summit before {} matches calendar.summit `{}` within {} days, expected `--summit next` or a date",
                When::Timed(now),
                regex.as_str(),
                Window::DEFAULT_HORIZON_DAYS
            ))
        }),
    }
}

/// The date (UTC) of the first summit (not cancelled) starting at or after `from`.
fn first_from(
    cal: &Calendar,
    regex: &Regex,
    from: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Option<NaiveDate> {
    let mut it = crate::calendar::occurrences(cal, Window::new(from, None), Some(regex), warnings);
    let found = it.find(|o| !o.is_cancelled()).map(|o| o.start.date_utc());
    warnings.extend(it.take_warnings());
    found
}

/// The date (UTC) of the last summit (not cancelled) starting before `until`, within
/// [`Window::DEFAULT_HORIZON_DAYS`] of it.
fn last_before(
    cal: &Calendar,
    regex: &Regex,
    until: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Option<NaiveDate> {
    let from = until - Duration::days(Window::DEFAULT_HORIZON_DAYS);
    let window = Window::new(from, Some(until));
    let mut it = crate::calendar::occurrences(cal, window, Some(regex), warnings);
    let found = it
        .by_ref()
        .filter(|o| !o.is_cancelled())
        .last()
        .map(|o| o.start.date_utc());
    warnings.extend(it.take_warnings());
    found
}

/// The error of a `date` (UTC) with no summit: the summit on it is cancelled, or there
/// is none; either way with the nearest summits before and after it.
pub fn not_on(
    cal: &Calendar,
    config: &Config,
    date: NaiveDate,
    warnings: &mut Vec<String>,
) -> Error {
    let regex = &config.calendar.summit;
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    let (start, end) = (midnight(date), midnight(date + Duration::days(1)));
    let mut day =
        crate::calendar::occurrences(cal, Window::new(start, Some(end)), Some(regex), warnings);
    let cancelled = day.by_ref().any(|o| o.is_cancelled());
    warnings.extend(day.take_warnings());
    let before = last_before(cal, regex, start, warnings);
    let after = first_from(cal, regex, end, warnings);
    let what = if cancelled {
        format!("the summit on {date} (UTC) is cancelled")
    } else {
        format!(
            "no summit on {date} (UTC) matches calendar.summit `{}`",
            regex.as_str()
        )
    };
    let show = |d: NaiveDate| d.format("%a %-d %b %Y").to_string();
    let nearest = match (before, after) {
        (Some(b), Some(a)) => format!("the nearest are {} and {}", show(b), show(a)),
        (Some(b), None) => format!("the nearest is {} (none after it)", show(b)),
        (None, Some(a)) => format!("the nearest is {} (none before it)", show(a)),
        (None, None) => format!(
            "there is none within {} days of it",
            Window::DEFAULT_HORIZON_DAYS
        ),
    };
    Error::NoSummit(format!("{what}; {nearest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Summits every Thursday of November 2026 at 16:00 UTC but the 19th (cancelled),
    /// and a meetup on the 20th that is no summit.
    fn feed() -> Calendar {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n\
BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261105T160000Z\r\nDTEND:20261105T170000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20261119T160000Z\r\nDTSTART:20261119T160000Z\r\nDTEND:20261119T170000Z\r\nSTATUS:CANCELLED\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261120T160000Z\r\nDTEND:20261120T170000Z\r\nSUMMARY:Meetup\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
        crate::calendar::parse(ics.as_bytes(), "test.ics", chrono_tz::UTC).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn words_resolve_relative_to_now() {
        let (cal, config) = (feed(), Config::builtin());
        let now = at("2026-11-12T16:30:00Z");
        let r = |w| resolve(&cal, &config, w, now, &mut Vec::new()).unwrap();
        assert_eq!(r(SummitDate::Today), day("2026-11-12"));
        assert_eq!(r(SummitDate::Tomorrow), day("2026-11-13"));
        // The summit in progress started before now: it is the last, not the next; the
        // cancelled one on the 19th is neither.
        assert_eq!(r(SummitDate::Last), day("2026-11-12"));
        assert_eq!(r(SummitDate::Next), day("2026-11-26"));
        let early = resolve(
            &cal,
            &config,
            SummitDate::Last,
            at("2026-11-01T00:00:00Z"),
            &mut Vec::new(),
        );
        let Err(Error::NoSummit(m)) = early else {
            panic!("{early:?}")
        };
        assert!(m.starts_with("no summit before 2026-11-01"), "{m}");
    }

    #[test]
    fn a_date_without_a_summit_names_the_nearest_or_the_cancellation() {
        let (cal, config) = (feed(), Config::builtin());
        let text = |d| not_on(&cal, &config, day(d), &mut Vec::new()).to_string();
        assert!(
            text("2026-11-20").ends_with("; the nearest are Thu 12 Nov 2026 and Thu 26 Nov 2026"),
            "{}",
            text("2026-11-20")
        );
        assert!(text("2026-11-20").contains("no summit on 2026-11-20 (UTC) matches"));
        assert!(
            text("2026-11-19").contains("the summit on 2026-11-19 (UTC) is cancelled; the nearest are Thu 12 Nov 2026 and Thu 26 Nov 2026"),
            "{}",
            text("2026-11-19")
        );
        assert!(
            text("2026-12-01").ends_with("the nearest is Thu 26 Nov 2026 (none after it)"),
            "{}",
            text("2026-12-01")
        );
    }
}
