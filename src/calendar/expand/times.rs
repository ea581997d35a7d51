//! The start times of one series: DTSTART, its RRULEs evaluated by the `rrule` crate
//! on wall-clock time, and its RDATEs ([`SeriesTimes`]).

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone};

use crate::calendar::parse::{Stamp, Vevent};
use crate::calendar::rule::{self, Rscale, Until, normalize_rule, rscale};

/// How many RRULEs of one VEVENT are evaluated: the `rrule` crate's set iterator costs
/// time in proportion to them for every instance.
pub const MAX_RRULES_PER_EVENT: usize = 16;

/// The start times of a series, in order: DTSTART, the RRULE instances and the RDATEs,
/// without duplicates, each with an RDATE PERIOD's own duration.
pub(super) struct SeriesTimes {
    rules: Option<std::iter::Peekable<rrule::RRuleSetIter>>,
    extra: std::vec::IntoIter<(NaiveDateTime, Option<Duration>)>,
    extra_next: Option<(NaiveDateTime, Option<Duration>)>,
    last: Option<NaiveDateTime>,
    template: Stamp,
}

impl SeriesTimes {
    /// The times of `ev` of the feed `source`; a rule past [`MAX_RRULES_PER_EVENT`] is
    /// dropped with a warning in `warnings`, and so is a rule in a calendar scale other
    /// than Gregorian (RFC 7529 §3: `RSCALE=CHINESE`, …); a Gregorian rule with
    /// `SKIP=BACKWARD` or `FORWARD` is evaluated as with `SKIP=OMIT`, with a warning.
    ///
    /// # Errors
    /// The feed line of the RRULE that cannot be read, and why.
    pub(super) fn new(
        ev: &Vevent,
        source: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Self, (usize, String)> {
        if ev.rrules.is_empty() {
            return Ok(Self::without_rules(ev, true));
        }
        let start = floating(ev.dtstart.local());
        let mut set = rrule::RRuleSet::new(start).limit();
        let mut rules = 0;
        let mut last_until: Option<NaiveDateTime> = None;
        if ev.rrules.len() > MAX_RRULES_PER_EVENT {
            warnings.push(format!(
                "feed `{source}` line {}: {} RRULEs, only the first {MAX_RRULES_PER_EVENT} are used",
                ev.rrule_lines.get(MAX_RRULES_PER_EVENT).copied().unwrap_or(ev.line),
                ev.rrules.len()
            ));
        }
        for (i, text) in ev.rrules.iter().take(MAX_RRULES_PER_EVENT).enumerate() {
            let at = ev.rrule_lines.get(i).copied().unwrap_or(ev.line);
            match rscale(text) {
                Rscale::Gregorian => {}
                Rscale::GregorianSkip(skip) => warnings.push(format!(
                    "feed `{source}` line {at}: RRULE `{text}`: SKIP=`{skip}` is not supported, invalid dates are skipped (SKIP=OMIT)"
                )),
                Rscale::Other(scale) => {
                    warnings.push(format!(
                        "feed `{source}` line {at}: RRULE `{text}` ignored: RSCALE=`{scale}` is not supported, only DTSTART and RDATEs are kept"
                    ));
                    continue;
                }
            }
            let (rule, until) = normalize_rule(text)
                .map_err(|why| (at, format!("RRULE `{text}` ignored: {why}")))?;
            let mut rule: rrule::RRule<rrule::Unvalidated> = rule
                .parse()
                .map_err(|e| (at, format!("RRULE `{text}` ignored: {e}")))?;
            if let Some(until) = until {
                let until = until_local(until, &ev.dtstart).ok_or_else(|| {
                    (
                        at,
                        format!(
                            "RRULE `{text}` ignored: UNTIL `{until}` is not a date or date-time"
                        ),
                    )
                })?;
                last_until = last_until.max(Some(until));
                if until < start.naive_utc() {
                    // UNTIL before DTSTART: the rule has no instance (RFC 5545 §3.3.10).
                    continue;
                }
                rule = rule.until(floating(until));
            }
            let rule = rule
                .validate(start)
                .map_err(|e| (at, format!("RRULE `{text}` ignored: {e}")))?;
            set = set.rrule(rule);
            rules += 1;
        }
        // DTSTART is the first instance (RFC 5545 §3.8.5.3), unless it lies after the
        // series' last UNTIL: Google writes such masters when a series is cut at its
        // first instance ("this and following" edits), and clients show nothing.
        let with_dtstart = last_until.is_none_or(|u| start.naive_utc() <= u);
        let mut me = Self::without_rules(ev, with_dtstart);
        if rules > 0 {
            me.rules = Some(set.into_iter().peekable());
        }
        Ok(me)
    }

    /// The RDATEs, and DTSTART when `with_dtstart`.
    pub(super) fn without_rules(ev: &Vevent, with_dtstart: bool) -> Self {
        let mut extra: Vec<(NaiveDateTime, Option<Duration>)> = ev
            .rdates
            .iter()
            .map(|r| (local_in(&r.start, &ev.dtstart), r.duration))
            .collect();
        if with_dtstart {
            extra.push((ev.dtstart.local(), None));
        }
        extra.sort_by_key(|(t, _)| *t);
        let mut extra = extra.into_iter();
        let extra_next = extra.next();
        SeriesTimes {
            rules: None,
            extra,
            extra_next,
            last: None,
            template: ev.dtstart.clone(),
        }
    }

    fn stamp(&self, local: NaiveDateTime) -> Stamp {
        match &self.template {
            Stamp::Date(_) => Stamp::Date(local.date()),
            Stamp::Local(_, zone) => Stamp::Local(local, zone.clone()),
        }
    }
}

impl Iterator for SeriesTimes {
    type Item = (Stamp, Option<Duration>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let from_rule = self
                .rules
                .as_mut()
                .and_then(|r| r.peek())
                .map(|t| t.naive_utc());
            let next = match (from_rule, self.extra_next) {
                (None, None) => return None,
                (Some(r), Some((e, d))) if e <= r => {
                    self.extra_next = self.extra.next();
                    (e, d)
                }
                (Some(r), _) => {
                    self.rules.as_mut().and_then(Iterator::next);
                    (r, None)
                }
                (None, Some((e, d))) => {
                    self.extra_next = self.extra.next();
                    (e, d)
                }
            };
            if self.last == Some(next.0) {
                continue;
            }
            self.last = Some(next.0);
            return Some((self.stamp(next.0), next.1));
        }
    }
}

/// A wall-clock time as the `rrule` crate's floating value (UTC stands in for "no zone").
fn floating(local: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&local)
}

/// `s` as wall-clock time in the zone of `series`.
fn local_in(s: &Stamp, series: &Stamp) -> NaiveDateTime {
    match (s, series) {
        (Stamp::Local(t, zone), Stamp::Local(_, series_zone)) if zone != series_zone => {
            series_zone.to_local(zone.to_utc(*t))
        }
        _ => s.local(),
    }
}

/// UNTIL as wall-clock time of the series (RFC 5545 §3.3.10): a UTC value is converted
/// to the series' zone, a floating value is taken as is, and a DATE is the start of that
/// day. A DATE against a DATE-TIME DTSTART breaks §3.3.10 ("the value of UNTIL MUST have
/// the same value type as DTSTART"); reading it as midnight is what python-dateutil and
/// so recurring-ical-events do, and it matches Google's rendering of such series.
fn until_local(until: &str, dtstart: &Stamp) -> Option<NaiveDateTime> {
    Some(match (rule::until(until)?, dtstart) {
        (Until::Utc(t), Stamp::Local(_, zone)) => zone.to_local(t.and_utc()),
        (Until::Utc(t), Stamp::Date(_)) => t,
        (Until::Local(t), _) => t,
    })
}
