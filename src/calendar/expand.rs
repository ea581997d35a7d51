//! Expanding VEVENTs into occurrences (RFC 5545 §3.8.5): RRULE, RDATE, EXDATE and
//! RECURRENCE-ID overrides, grouped per UID.
//!
//! Recurrence rules are evaluated by the `rrule` crate on *floating* wall-clock time and
//! each result is then placed in the series' zone by [`zone::to_utc`]. The crate's own
//! zoned iteration skips and repeats instances around DST changes
//! (fmeringdal/rust-rrule#109, #115); wall-clock evaluation is also what RFC 5545
//! §3.3.10 prescribes.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use regex::Regex;

use super::parse::{Calendar, Stamp, Vevent};
use super::{Occurrence, When};

/// The half-open range `[from, to)` of start instants to expand, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Occurrences start at or after this instant.
    pub from: DateTime<Utc>,
    /// Occurrences start before this instant.
    pub to: DateTime<Utc>,
}

impl Window {
    /// How far past `from` an open-ended query looks: ten years.
    pub const DEFAULT_HORIZON_DAYS: i64 = 3653;

    /// `[from, to)`, or `[from, from + DEFAULT_HORIZON_DAYS)` when `to` is `None`.
    pub fn new(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Self {
        let to = to.unwrap_or_else(|| {
            from.checked_add_signed(Duration::days(Self::DEFAULT_HORIZON_DAYS))
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        });
        Window { from, to }
    }

    fn contains(&self, w: &When) -> bool {
        let t = w.instant();
        t >= self.from && t < self.to
    }
}

/// Every occurrence of every VEVENT of `cal` whose start lies in `window`, sorted by
/// (start, uid), as a lazy iterator.
///
/// Components are grouped by UID (one without a UID stands alone). Per group, the master
/// with the highest SEQUENCE wins (the first on a tie), and per RECURRENCE-ID the
/// override with the highest SEQUENCE wins (RFC 5545 §3.8.7.4). An override replaces
/// the instance whose original start it names, matched either as an instant or as
/// wall-clock time (Exchange writes an all-day instance's RECURRENCE-ID as local
/// midnight); an override of an excluded instance is excluded too; an override with
/// `RANGE=THISANDFUTURE` also moves and restyles every later instance (§3.8.4.4).
///
/// Cancelled occurrences (STATUS:CANCELLED) are included; callers filter them. When
/// `summary` is given, only occurrences whose SUMMARY matches it are produced, and
/// series whose SUMMARY cannot match are never expanded, which is what keeps a summit
/// query on a feed of thousands of series fast.
///
/// Problems met while expanding (an RRULE the `rrule` crate rejects, a series cut off
/// at [`MAX_INSTANCES_PER_SERIES`]) are appended to `warnings`, naming the feed line.
pub fn occurrences<'a>(
    cal: &'a Calendar,
    window: Window,
    summary: Option<&'a Regex>,
    warnings: &mut Vec<String>,
) -> Occurrences<'a> {
    let matches = move |s: &str| summary.is_none_or(|re| re.is_match(s));

    // Group by UID, keeping feed order.
    let mut groups: Vec<Vec<&Vevent>> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for ev in &cal.events {
        if ev.uid.is_empty() {
            groups.push(vec![ev]);
            continue;
        }
        let i = *index.entry(&ev.uid).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(ev);
    }

    let mut fixed: Vec<Occurrence> = Vec::new();
    let mut streams: Vec<Box<dyn Iterator<Item = Occurrence> + 'a>> = Vec::new();
    let late_warnings = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    for group in groups {
        let series = std::rc::Rc::new(Series::new(group));
        let exdates = series.master.map(Exclusions::of).unwrap_or_default();

        for &m in &series.modifications {
            let rid = m
                .recurrence_id
                .as_ref()
                .expect("a modification has a RECURRENCE-ID");
            if exdates.excludes_rid(rid) || series.stale_modification(m) {
                continue;
            }
            let occ = occurrence_of(m, m.dtstart.clone(), None, Some(rid.when()));
            if window.contains(&occ.start) && matches(&occ.summary) {
                fixed.push(occ);
            }
        }

        let Some(master) = series.master else {
            continue;
        };
        let recurs = !master.rrules.is_empty() || !master.rdates.is_empty();
        let can_match = matches(&master.summary)
            || series
                .this_and_future
                .iter()
                .any(|(_, m)| matches(&m.summary));
        if !can_match {
            continue;
        }
        let times = match SeriesTimes::new(master) {
            Ok(t) => t,
            Err(msg) => {
                warnings.push(format!("line {}: {msg}", master.line));
                SeriesTimes::without_rules(master, true)
            }
        };
        let line = master.line;
        let mut produced = 0usize;
        let late = std::rc::Rc::clone(&late_warnings);
        let filter_series = std::rc::Rc::clone(&series);
        let stream = times
            .take_while(move |_| {
                produced += 1;
                if produced > MAX_INSTANCES_PER_SERIES {
                    late.borrow_mut().push(format!(
                        "line {line}: expansion stopped after {MAX_INSTANCES_PER_SERIES} instances of this series"
                    ));
                    return false;
                }
                true
            })
            .filter(move |(start, _)| {
                !exdates.excludes_instance(start) && !filter_series.is_modified(start)
            })
            .map(move |(start, duration)| {
                let rid = start.when();
                let (ev, shifted) = series.component_for(&start);
                let start = match shifted {
                    Some(d) => shift_stamp(start, d),
                    None => start,
                };
                occurrence_of(ev, start, duration, recurs.then_some(rid))
            })
            .skip_while(move |o| o.start.instant() < window.from)
            .take_while(move |o| o.start.instant() < window.to)
            .filter(move |o| matches(&o.summary));
        streams.push(Box::new(stream));
    }
    fixed.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    streams.push(Box::new(fixed.into_iter()));

    let mut it = Occurrences {
        heap: BinaryHeap::new(),
        streams,
        late_warnings,
    };
    for i in 0..it.streams.len() {
        it.refill(i);
    }
    it
}

/// How many instances one series may generate in one query before expansion stops
/// (a bound on the work a hostile feed can cause: `FREQ=SECONDLY` with no end).
pub const MAX_INSTANCES_PER_SERIES: usize = 200_000;

/// The keys an instance or a RECURRENCE-ID is known by: the UTC instant and the
/// wall-clock time (both as naive date-times), or midnight of an all-day date. Two
/// match when any key is shared, as in the reference implementation.
fn keys(s: &Stamp) -> [NaiveDateTime; 2] {
    match s {
        Stamp::Date(d) => {
            let m = d.and_time(chrono::NaiveTime::MIN);
            [m, m]
        }
        Stamp::Local(t, _) => [s.when().instant().naive_utc(), *t],
    }
}

/// The EXDATEs of a master (RFC 5545 §3.8.5.1).
#[derive(Default)]
struct Exclusions {
    keys: HashSet<NaiveDateTime>,
    dates: HashSet<NaiveDate>,
}

impl Exclusions {
    fn of(master: &Vevent) -> Self {
        let mut me = Exclusions::default();
        for x in &master.exdates {
            me.keys.extend(keys(x));
            if let Stamp::Date(d) = x {
                me.dates.insert(*d);
            }
        }
        me
    }

    /// An instance is excluded by an EXDATE at its instant or wall-clock time, or by a
    /// DATE EXDATE on its local date.
    fn excludes_instance(&self, start: &Stamp) -> bool {
        self.dates.contains(&start.local_date())
            || keys(start).iter().any(|k| self.keys.contains(k))
    }

    /// An override is excluded with the instance it replaces.
    fn excludes_rid(&self, rid: &Stamp) -> bool {
        keys(rid).iter().any(|k| self.keys.contains(k))
    }
}

/// The components of one UID: the master and the winning overrides.
struct Series<'a> {
    master: Option<&'a Vevent>,
    /// RECURRENCE-ID key → override.
    by_key: HashMap<NaiveDateTime, &'a Vevent>,
    /// The distinct winning overrides, in feed order.
    modifications: Vec<&'a Vevent>,
    /// Overrides with RANGE=THISANDFUTURE, by the UTC key of their RECURRENCE-ID.
    this_and_future: Vec<(NaiveDateTime, &'a Vevent)>,
}

impl<'a> Series<'a> {
    fn new(group: Vec<&'a Vevent>) -> Self {
        let mut master: Option<&Vevent> = None;
        let mut by_key: HashMap<NaiveDateTime, &Vevent> = HashMap::new();
        for ev in group {
            match &ev.recurrence_id {
                None => {
                    if master.is_none_or(|m| ev.sequence > m.sequence) {
                        master = Some(ev);
                    }
                }
                Some(rid) => {
                    for k in keys(rid) {
                        match by_key.get(&k) {
                            Some(other) if other.sequence >= ev.sequence => {}
                            _ => {
                                by_key.insert(k, ev);
                            }
                        }
                    }
                }
            }
        }
        let mut modifications: Vec<&Vevent> = Vec::new();
        for m in by_key.values() {
            if !modifications.iter().any(|x| std::ptr::eq(*x, *m)) {
                modifications.push(m);
            }
        }
        modifications.sort_by_key(|m| m.line);
        let mut this_and_future: Vec<(NaiveDateTime, &Vevent)> = modifications
            .iter()
            .filter(|m| m.this_and_future)
            .map(|m| (keys(m.recurrence_id.as_ref().expect("override"))[0], *m))
            .collect();
        this_and_future.sort_by_key(|(k, _)| *k);
        Series {
            master,
            by_key,
            modifications,
            this_and_future,
        }
    }

    /// Whether an override replaces the instance starting at `start`.
    fn is_modified(&self, start: &Stamp) -> bool {
        keys(start).iter().any(|k| self.by_key.contains_key(k))
    }

    /// The component an instance takes its properties from, and how far it moves: the
    /// last THISANDFUTURE override before it, or the master.
    fn component_for(&self, start: &Stamp) -> (&'a Vevent, Option<Duration>) {
        let key = keys(start)[0];
        match self.this_and_future.iter().rev().find(|(k, _)| *k < key) {
            Some((_, m)) => {
                let rid = m.recurrence_id.as_ref().expect("override");
                let moved = m.dtstart.when().instant() - rid.when().instant();
                (m, Some(moved))
            }
            None => (self.master.expect("a series has a master"), None),
        }
    }

    /// An override that itself carries an RRULE, with a lower SEQUENCE than the master,
    /// for an instance the master no longer has, is left over from an older version of
    /// the series (python-recurring-ical-events issues 148, 164, 253).
    fn stale_modification(&self, m: &Vevent) -> bool {
        let Some(master) = self.master else {
            return false;
        };
        if m.rrules.is_empty() || m.sequence >= master.sequence {
            return false;
        }
        let rid = m.recurrence_id.as_ref().expect("override");
        let rid_keys = keys(rid);
        let day = rid.local_date();
        let Ok(times) = SeriesTimes::new(master) else {
            return true;
        };
        let exdates = Exclusions::of(master);
        !times
            .take(MAX_INSTANCES_PER_SERIES)
            .take_while(|(t, _)| t.local_date() <= day.succ_opt().unwrap_or(day))
            .any(|(t, _)| {
                !exdates.excludes_instance(&t) && keys(&t).iter().any(|k| rid_keys.contains(k))
            })
    }
}

/// `s` moved by the exact duration `d`.
fn shift_stamp(s: Stamp, d: Duration) -> Stamp {
    match s {
        Stamp::Date(date) => Stamp::Date(
            date.checked_add_signed(Duration::days(d.num_days()))
                .unwrap_or(date),
        ),
        Stamp::Local(_, ref zone) => {
            let t = s.when().instant() + d;
            Stamp::Local(zone.to_local(t), zone.clone())
        }
    }
}

fn order_key(o: &Occurrence) -> (DateTime<Utc>, &str) {
    (o.start.instant(), o.uid.as_str())
}

/// The lazy, sorted merge of every series' occurrences; see [`occurrences`].
pub struct Occurrences<'a> {
    heap: BinaryHeap<Reverse<Head>>,
    streams: Vec<Box<dyn Iterator<Item = Occurrence> + 'a>>,
    late_warnings: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
}

struct Head {
    occurrence: Occurrence,
    stream: usize,
}

impl Head {
    fn key(&self) -> (DateTime<Utc>, &str, usize) {
        let (t, uid) = order_key(&self.occurrence);
        (t, uid, self.stream)
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl Occurrences<'_> {
    /// Warnings raised while iterating (a series cut off at
    /// [`MAX_INSTANCES_PER_SERIES`]), drained.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut self.late_warnings.borrow_mut())
    }

    fn refill(&mut self, stream: usize) {
        if let Some(occurrence) = self.streams[stream].next() {
            self.heap.push(Reverse(Head { occurrence, stream }));
        }
    }
}

impl Iterator for Occurrences<'_> {
    type Item = Occurrence;

    fn next(&mut self) -> Option<Occurrence> {
        let Reverse(head) = self.heap.pop()?;
        self.refill(head.stream);
        Some(head.occurrence)
    }
}

/// The occurrence of `ev` starting at `start`; `duration` overrides the event's own
/// (an RDATE PERIOD).
fn occurrence_of(
    ev: &Vevent,
    start: Stamp,
    duration: Option<Duration>,
    recurrence_id: Option<When>,
) -> Occurrence {
    let end = match duration {
        Some(d) => shift(&start, d),
        None => end_of(ev, &start),
    };
    Occurrence {
        uid: ev.uid.clone(),
        summary: ev.summary.clone(),
        start: start.when(),
        end,
        all_day: matches!(start, Stamp::Date(_)),
        recurrence_id,
        status: ev.status.clone(),
        location: ev.location.clone(),
        url: ev.url.clone(),
    }
}

/// `start` moved by `d` on the wall clock (RFC 5545 §3.3.6: days and weeks are nominal).
fn shift(start: &Stamp, d: Duration) -> When {
    match start {
        Stamp::Date(date) => When::AllDay(
            date.checked_add_signed(Duration::days(d.num_days()))
                .unwrap_or(*date),
        ),
        Stamp::Local(t, zone) => When::Timed(zone.to_utc(t.checked_add_signed(d).unwrap_or(*t))),
    }
}

/// The end of the instance of `ev` that starts at `start`.
fn end_of(ev: &Vevent, start: &Stamp) -> When {
    if let Some(d) = ev.duration {
        return shift(start, d);
    }
    match (&ev.dtstart, &ev.dtend) {
        (Stamp::Date(s), Some(Stamp::Date(e))) => {
            shift(start, Duration::days((*e - *s).num_days()))
        }
        (Stamp::Local(s, stz), Some(Stamp::Local(e, etz))) if stz == etz => shift(start, *e - *s),
        (s, Some(e)) => {
            // Different zones (or a DATE/DATE-TIME mix): keep the exact length.
            let length = e.when().instant() - s.when().instant();
            match start.when() {
                When::Timed(t) => When::Timed(t + length),
                When::AllDay(d) => When::AllDay(
                    d.checked_add_signed(Duration::days(length.num_days().max(1)))
                        .unwrap_or(d),
                ),
            }
        }
        (Stamp::Date(_), None) => shift(start, Duration::days(1)),
        (Stamp::Local(..), None) => start.when(),
    }
}

/// The start times of a series, in order: DTSTART, the RRULE instances and the RDATEs,
/// without duplicates, each with an RDATE PERIOD's own duration.
struct SeriesTimes {
    rules: Option<std::iter::Peekable<rrule::RRuleSetIter>>,
    extra: std::vec::IntoIter<(NaiveDateTime, Option<Duration>)>,
    extra_next: Option<(NaiveDateTime, Option<Duration>)>,
    last: Option<NaiveDateTime>,
    template: Stamp,
}

impl SeriesTimes {
    fn new(ev: &Vevent) -> Result<Self, String> {
        if ev.rrules.is_empty() {
            return Ok(Self::without_rules(ev, true));
        }
        let start = floating(ev.dtstart.local());
        let mut set = rrule::RRuleSet::new(start).limit();
        let mut rules = 0;
        let mut last_until: Option<NaiveDateTime> = None;
        for text in &ev.rrules {
            let (rule, until) =
                normalize_rule(text).map_err(|why| format!("RRULE `{text}` ignored: {why}"))?;
            let mut rule: rrule::RRule<rrule::Unvalidated> = rule
                .parse()
                .map_err(|e| format!("RRULE `{text}` ignored: {e}"))?;
            if let Some(until) = until {
                let until = until_local(until, &ev.dtstart).ok_or_else(|| {
                    format!("RRULE `{text}` ignored: UNTIL `{until}` is not a date or date-time")
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
                .map_err(|e| format!("RRULE `{text}` ignored: {e}"))?;
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
    fn without_rules(ev: &Vevent, with_dtstart: bool) -> Self {
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

/// Normalizes an RRULE value for the `rrule` crate, the way lenient clients read it:
/// a part given twice keeps its last value, an empty part and a COUNT that is not
/// positive are dropped (python-recurring-ical-events issue 128), and `UNTIL=…` is split
/// out (the crate insists on zone rules for it that real feeds break, and we evaluate on
/// wall-clock time anyway).
///
/// A rule the `rrule` crate must not see is refused with the reason (see
/// [`rule_refusal`]).
pub(super) fn normalize_rule(rule: &str) -> Result<(String, Option<&str>), String> {
    if let Some(why) = rule_refusal(rule) {
        return Err(why);
    }
    let mut parts: Vec<(String, &str)> = Vec::new();
    let mut until = None;
    for part in rule.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let key = k.trim().to_ascii_uppercase();
        let v = v.trim();
        match key.as_str() {
            "UNTIL" => until = Some(v),
            "COUNT" if !v.parse::<u32>().is_ok_and(|n| n > 0) => {}
            _ => match parts.iter_mut().find(|(k, _)| *k == key) {
                Some(existing) => existing.1 = v,
                None => parts.push((key, v)),
            },
        }
    }
    let text = parts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";");
    Ok((text, until))
}

/// How many candidate instances the BY… lists of a rule may give per period: the
/// `rrule` crate builds a whole period (a year for FREQ=YEARLY) before yielding any.
pub const MAX_CANDIDATES_PER_PERIOD: u64 = 100_000;

/// Why the `rrule` crate must not evaluate `rule`, if it must not: a character that is
/// not ASCII (the crate slices values by bytes and panics, rrule-0.14.0
/// src/core/rrule.rs:162), or BY… lists that would give more than
/// [`MAX_CANDIDATES_PER_PERIOD`] candidates per period (the product of their lengths,
/// each deduplicated).
pub(super) fn rule_refusal(rule: &str) -> Option<String> {
    if !rule.is_ascii() {
        return Some("it contains a character that is not ASCII".to_string());
    }
    const LISTS: [&str; 8] = [
        "BYMONTH",
        "BYWEEKNO",
        "BYYEARDAY",
        "BYMONTHDAY",
        "BYDAY",
        "BYHOUR",
        "BYMINUTE",
        "BYSECOND",
    ];
    // The last value of a part given twice counts, as in `normalize_rule`.
    let mut lengths = [1u64; LISTS.len()];
    for part in rule.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let key = k.trim();
        if let Some(i) = LISTS.iter().position(|l| l.eq_ignore_ascii_case(key)) {
            let values: HashSet<String> = v
                .split(',')
                .map(|x| x.trim().to_ascii_uppercase())
                .filter(|x| !x.is_empty())
                .collect();
            lengths[i] = values.len().max(1) as u64;
        }
    }
    let product = lengths
        .iter()
        .try_fold(1u64, |acc, n| acc.checked_mul(*n))
        .unwrap_or(u64::MAX);
    (product > MAX_CANDIDATES_PER_PERIOD).then(|| {
        format!(
            "its BY… lists give {product} candidate instances per period, more than the limit of {MAX_CANDIDATES_PER_PERIOD}"
        )
    })
}

/// UNTIL as wall-clock time of the series (RFC 5545 §3.3.10): a UTC value is converted
/// to the series' zone, a floating value is taken as is, and a DATE is the start of that
/// day. A DATE against a DATE-TIME DTSTART breaks §3.3.10 ("the value of UNTIL MUST have
/// the same value type as DTSTART"); reading it as midnight is what python-dateutil and
/// so recurring-ical-events do, and it matches Google's rendering of such series.
fn until_local(until: &str, dtstart: &Stamp) -> Option<NaiveDateTime> {
    let v = until.trim();
    if v.len() == 8 {
        let d = chrono::NaiveDate::parse_from_str(v, "%Y%m%d").ok()?;
        return d.and_hms_opt(0, 0, 0);
    }
    let (digits, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (v, false),
    };
    let t = NaiveDateTime::parse_from_str(digits, "%Y%m%dT%H%M%S").ok()?;
    Some(match (utc, dtstart) {
        (true, Stamp::Local(_, zone)) => zone.to_local(t.and_utc()),
        (true, Stamp::Date(_)) => t,
        (false, _) => t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse;
    use chrono_tz::Tz;
    use proptest::prelude::*;

    fn cal(events: &str) -> Calendar {
        let text = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n");
        parse(text.as_bytes(), "test.ics", Tz::UTC).unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn starts(c: &Calendar, from: &str, to: &str) -> Vec<String> {
        let mut w = Vec::new();
        occurrences(c, Window::new(t(from), Some(t(to))), None, &mut w)
            .map(|o| o.start.to_string())
            .collect()
    }

    const MONTHLY: &str = "BEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Summit\r\nDTSTART;TZID=Europe/Berlin:20260129T170000\r\nDTEND;TZID=Europe/Berlin:20260129T190000\r\nRRULE:FREQ=MONTHLY;BYDAY=-1TH\r\nEND:VEVENT\r\n";

    #[test]
    fn last_thursday_keeps_local_time_across_dst() {
        let c = cal(MONTHLY);
        assert_eq!(
            starts(&c, "2026-02-01T00:00:00Z", "2026-05-01T00:00:00Z"),
            [
                "2026-02-26T16:00:00Z",
                "2026-03-26T16:00:00Z",
                "2026-04-30T15:00:00Z"
            ]
        );
    }

    #[test]
    fn exdate_and_moved_instance() {
        let c = cal(&format!(
            "{}BEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Summit (moved)\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260226T170000\r\nDTSTART;TZID=Europe/Berlin:20260219T180000\r\nDTEND;TZID=Europe/Berlin:20260219T190000\r\nEND:VEVENT\r\n",
            MONTHLY.replace(
                "RRULE",
                "EXDATE;TZID=Europe/Berlin:20260326T170000\r\nRRULE"
            )
        ));
        let mut w = Vec::new();
        let got: Vec<Occurrence> = occurrences(
            &c,
            Window::new(t("2026-02-01T00:00:00Z"), Some(t("2026-05-01T00:00:00Z"))),
            None,
            &mut w,
        )
        .collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].start.to_string(), "2026-02-19T17:00:00Z");
        assert_eq!(got[0].end.to_string(), "2026-02-19T18:00:00Z");
        assert_eq!(got[0].summary, "Summit (moved)");
        assert_eq!(
            got[0].recurrence_id.map(|r| r.to_string()).as_deref(),
            Some("2026-02-26T16:00:00Z")
        );
        assert_eq!(got[1].start.to_string(), "2026-04-30T15:00:00Z");
        assert_eq!(got[1].end.to_string(), "2026-04-30T17:00:00Z");
    }

    #[test]
    fn all_day_series_and_rdate_period() {
        let c = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=YEARLY;COUNT=2\r\nEND:VEVENT\r\n\
             BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260105T100000Z\r\nDURATION:PT1H\r\nRDATE;VALUE=PERIOD:20260106T100000Z/PT3H\r\nEND:VEVENT\r\n",
        );
        let mut w = Vec::new();
        let got: Vec<(String, String)> = occurrences(
            &c,
            Window::new(t("2025-12-31T00:00:00Z"), Some(t("2028-01-01T00:00:00Z"))),
            None,
            &mut w,
        )
        .map(|o| (o.start.to_string(), o.end.to_string()))
        .collect();
        assert_eq!(
            got,
            [
                ("2026-01-01".to_string(), "2026-01-02".to_string()),
                ("2026-01-05T10:00:00Z".into(), "2026-01-05T11:00:00Z".into()),
                ("2026-01-06T10:00:00Z".into(), "2026-01-06T13:00:00Z".into()),
                ("2027-01-01".into(), "2027-01-02".into()),
            ]
        );
    }

    #[test]
    fn until_before_dtstart_gives_nothing() {
        let c = cal(
            "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20220803T220000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20220803;INTERVAL=4\r\nEND:VEVENT\r\n",
        );
        assert!(starts(&c, "2022-01-01T00:00:00Z", "2023-01-01T00:00:00Z").is_empty());
    }

    #[test]
    fn utc_series_repeats_in_x_wr_timezone() {
        let text = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20260326T160000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let c = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        // 17:00 Berlin both weeks: 16:00Z before the EU change, 15:00Z after.
        assert_eq!(
            starts(&c, "2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z"),
            ["2026-03-26T16:00:00Z", "2026-04-02T15:00:00Z"]
        );
    }

    #[test]
    fn summary_filter_skips_other_series() {
        let c = cal(&format!(
            "{MONTHLY}BEGIN:VEVENT\r\nUID:o\r\nSUMMARY:Office hours\r\nDTSTART:20260101T100000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
        ));
        let re = Regex::new("Summit").unwrap();
        let mut w = Vec::new();
        let got: Vec<_> = occurrences(
            &c,
            Window::new(t("2026-01-01T00:00:00Z"), None),
            Some(&re),
            &mut w,
        )
        .take(3)
        .map(|o| o.uid)
        .collect();
        assert_eq!(got, ["s", "s", "s"]);
    }

    #[test]
    fn rules_the_rrule_crate_must_not_see() {
        assert!(rule_refusal("FREQ=WEEKLY;BYDAY=€").is_some());
        assert!(rule_refusal("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9,10").is_none());
        // Repeated values count once.
        assert!(
            rule_refusal(&format!(
                "FREQ=MINUTELY;BYSECOND={}",
                "1,2,".repeat(100_000)
            ))
            .is_none()
        );
        let every_minute = "FREQ=YEARLY;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,58,59;BYSECOND=0,1,2,3,4,5,6,7,8,9";
        assert!(rule_refusal(every_minute).is_some());
        let c = cal(
            "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T000000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=€\r\nEND:VEVENT\r\n",
        );
        let mut w = Vec::new();
        let got: Vec<_> = occurrences(
            &c,
            Window::new(t("2026-01-01T00:00:00Z"), None),
            None,
            &mut w,
        )
        .collect();
        assert_eq!(got.len(), 1);
        assert!(w[0].contains("not ASCII"), "{w:?}");
    }

    proptest! {
        /// Whatever the rule, occurrences come sorted, inside the window, and EXDATEs never
        /// appear.
        #[test]
        fn sorted_inside_window_and_excluded(
            freq in prop::sample::select(vec!["DAILY", "WEEKLY", "MONTHLY"]),
            interval in 1u8..4,
            hour in 0u32..24,
            exdate_day in 1u32..28,
            from_day in 0i64..200,
            span in 1i64..400,
        ) {
            let text = format!(
                "BEGIN:VEVENT\r\nUID:p\r\nDTSTART;TZID=America/New_York:20260101T{hour:02}3000\r\nRRULE:FREQ={freq};INTERVAL={interval}\r\nEXDATE;TZID=America/New_York:202602{exdate_day:02}T{hour:02}3000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:q\r\nDTSTART:20260110T120000Z\r\nEND:VEVENT\r\n"
            );
            let c = cal(&text);
            let from = t("2026-01-01T00:00:00Z") + Duration::days(from_day);
            let to = from + Duration::days(span);
            let mut w = Vec::new();
            let got: Vec<Occurrence> = occurrences(&c, Window::new(from, Some(to)), None, &mut w).collect();
            prop_assert!(w.is_empty(), "{w:?}");
            for pair in got.windows(2) {
                prop_assert!(order_key(&pair[0]) <= order_key(&pair[1]));
            }
            let ex = crate::calendar::zone::to_utc(
                chrono::NaiveDate::from_ymd_opt(2026, 2, exdate_day).unwrap().and_hms_opt(hour, 30, 0).unwrap(),
                chrono_tz::America::New_York,
            );
            for o in &got {
                prop_assert!(o.start.instant() >= from && o.start.instant() < to);
                prop_assert!(o.start.instant() != ex);
            }
        }
    }
}
