//! Which summit a command is about: the one a step is for ([`for_step`]), the summit of
//! the day ([`of_the_day`]), and the error when the feed has none ([`no_summit`]).
//! Pure: every function takes `now` (UTC).

use chrono::{DateTime, Duration, NaiveDate, Utc};

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
/// [`Error::NoSummit`] when no summit is on `date` (naming the next one after it), or
/// none has the step's window open.
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
            Some(p) => Err(Error::NoSummit(format!(
                "no summit on {d} (UTC) matches calendar.summit `{}`; the next one after it is on {}",
                inputs.calendar.summit.as_str(),
                p.summit.start.date_utc()
            ))),
            None => Err(no_summit(inputs, anchor)),
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
