//! Expanding VEVENTs into occurrences (RFC 5545 §3.8.5): RRULE, RDATE, EXDATE and
//! RECURRENCE-ID overrides, grouped per UID.
//!
//! Recurrence rules are evaluated by the `rrule` crate on *floating* wall-clock time and
//! each result is then placed in the series' zone by
//! [`zone::to_utc`](super::zone::to_utc). The crate's own zoned iteration skips and
//! repeats instances around DST changes (fmeringdal/rust-rrule#109, #115); wall-clock
//! evaluation is also what RFC 5545 §3.3.10 prescribes.

//!
//! Inside this module the order is `instance` → `times` → `series` → `merge` → this
//! file: each imports only those before it.

mod instance;
mod merge;
mod series;
mod times;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use regex::Regex;

pub use instance::Instance;
pub use merge::Occurrences;
pub use series::MAX_INSTANCES_PER_SERIES;
pub use times::MAX_RRULES_PER_EVENT;

use instance::Stream;
use series::{Exclusions, Series, keys_at};
use times::SeriesTimes;

use super::parse::{Calendar, Vevent};
use crate::model::{When, is_cancelled};

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

/// How many instances all series together may generate in one query before expansion
/// stops (thousands of series, each under [`MAX_INSTANCES_PER_SERIES`]).
pub const MAX_INSTANCES_PER_QUERY: usize = 2_000_000;

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
/// Problems found before expanding (an RRULE the `rrule` crate rejects) are appended to
/// `warnings`, naming the feed line; those met while iterating (a series cut off at
/// [`MAX_INSTANCES_PER_SERIES`]) are kept for [`Occurrences::take_warnings`].
pub fn occurrences<'a>(
    cal: &'a Calendar,
    window: Window,
    summary: Option<&'a Regex>,
    warnings: &mut Vec<String>,
) -> Occurrences<'a> {
    // Each UID's rank in byte order: the merge orders by it instead of comparing UIDs.
    let mut uids: Vec<&str> = cal.events.iter().map(|ev| ev.uid.as_str()).collect();
    uids.sort_unstable();
    uids.dedup();
    let uid_rank: HashMap<&str, usize> =
        uids.into_iter().enumerate().map(|(i, u)| (u, i)).collect();

    let mut streams = Streams::new(cal, window, Filter { summary });
    for group in by_uid(cal) {
        let rank = uid_rank[group[0].uid.as_str()];
        streams.add(group, rank, warnings);
    }
    Occurrences::new(
        streams.fixed,
        streams.streams,
        &streams.ranks,
        &uid_rank,
        streams.budget.late,
    )
}

/// The VEVENTs of `cal` grouped by UID, in feed order; one without a UID stands alone.
fn by_uid(cal: &Calendar) -> Vec<Vec<&Vevent>> {
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
    groups
}

/// Which SUMMARYs [`occurrences`] produces: all, or those matching a pattern.
#[derive(Clone, Copy)]
struct Filter<'a> {
    summary: Option<&'a Regex>,
}

impl Filter<'_> {
    fn matches(&self, s: &str) -> bool {
        self.summary.is_none_or(|re| re.is_match(s))
    }
}

/// The instances generated by all series of one query, against
/// [`MAX_INSTANCES_PER_QUERY`], and the warnings raised while iterating; shared by the
/// streams of every series.
#[derive(Clone, Default)]
struct Budget {
    spent: Rc<Cell<usize>>,
    late: Rc<RefCell<Vec<String>>>,
}

impl Budget {
    /// Counts one more instance, of the series of feed line `line` of the feed
    /// `source`; `false` once the query has spent [`MAX_INSTANCES_PER_QUERY`] (reported
    /// once, by the series that reaches the limit first).
    fn spend(&self, source: &str, line: usize) -> bool {
        let total = self.spent.get() + 1;
        self.spent.set(total);
        if total > MAX_INSTANCES_PER_QUERY {
            if total == MAX_INSTANCES_PER_QUERY + 1 {
                self.late.borrow_mut().push(format!(
                    "feed `{source}`: expansion stopped after {MAX_INSTANCES_PER_QUERY} instances of all series in this query (at the series of line {line})"
                ));
            }
            return false;
        }
        true
    }
}

/// What [`occurrences`] merges, built one UID at a time: a stream per recurring series,
/// and the overrides and one-off events in the window.
struct Streams<'a> {
    cal: &'a Calendar,
    window: Window,
    filter: Filter<'a>,
    /// The overrides and one-off events in the window, in any order.
    fixed: Vec<Instance<'a>>,
    streams: Vec<Stream<'a>>,
    /// The rank of the UID of every instance of each series' stream.
    ranks: Vec<usize>,
    budget: Budget,
}

impl<'a> Streams<'a> {
    fn new(cal: &'a Calendar, window: Window, filter: Filter<'a>) -> Self {
        Streams {
            cal,
            window,
            filter,
            fixed: Vec::new(),
            streams: Vec::new(),
            ranks: Vec::new(),
            budget: Budget::default(),
        }
    }

    /// Adds the components of one UID, whose rank is `rank`; an RRULE that cannot be
    /// read is warned about in `warnings`, and the series keeps its DTSTART and RDATEs.
    fn add(&mut self, group: Vec<&'a Vevent>, rank: usize, warnings: &mut Vec<String>) {
        let series = Rc::new(Series::new(group));
        let exdates = series.master.map(Exclusions::of).unwrap_or_default();
        self.add_overrides(&series, &exdates);

        let Some(master) = series.master else {
            return;
        };
        let recurs = !master.rrules.is_empty() || !master.rdates.is_empty();
        let can_match = self.filter.matches(&master.summary)
            || series
                .this_and_future
                .iter()
                .any(|(_, m)| self.filter.matches(&m.summary));
        if !can_match {
            return;
        }
        // A one-off event has one instance, at its start: outside the window it needs no
        // stream (a feed of many one-off events would otherwise hold one per event).
        if !recurs
            && series.this_and_future.is_empty()
            && !self.window.contains(&master.dtstart.when())
        {
            return;
        }
        // Inside the window, with no override of its own, its one instance (its DTSTART,
        // unless an EXDATE names it) joins the sorted list of overrides: it keeps its
        // place in the merge (lanes order by UID first), and a feed of many one-off
        // events holds no stream per event.
        // (Not for events without a UID: each is a group of its own, all sharing one
        // rank, so their order among themselves is their streams'.)
        if !recurs
            && series.this_and_future.is_empty()
            && series.modifications.is_empty()
            && !master.uid.is_empty()
        {
            self.add_one_off(master, &exdates);
            return;
        }
        let times = match SeriesTimes::new(master, &self.cal.source, warnings) {
            Ok(t) => t,
            Err((at, msg)) => {
                warnings.push(format!("feed `{}` line {at}: {msg}", self.cal.source));
                SeriesTimes::without_rules(master, true)
            }
        };
        self.streams.push(self.stream(series, exdates, times));
        self.ranks.push(rank);
    }

    /// Adds the overrides of `series` in the window that are not excluded (by
    /// `exdates`), stale, or filtered out.
    fn add_overrides(&mut self, series: &Series<'a>, exdates: &Exclusions) {
        for &m in &series.modifications {
            let rid = m
                .recurrence_id
                .as_ref()
                .expect("a modification has a RECURRENCE-ID");
            if exdates.excludes_rid(rid) || series.stale_modification(m) {
                continue;
            }
            let instance = Instance::new(m, m.dtstart.clone(), None, Some(rid.when()));
            if self.window.contains(&instance.start()) && self.filter.matches(&m.summary) {
                self.fixed.push(instance);
            }
        }
    }

    /// Adds the one instance of the one-off event `master`, unless `exdates` exclude it.
    fn add_one_off(&mut self, master: &'a Vevent, exdates: &Exclusions) {
        let start = master.dtstart.clone();
        let keys = keys_at(&start, start.when());
        if exdates.excludes_instance(&start, &keys) {
            return;
        }
        if self.budget.spend(&self.cal.source, master.line) {
            self.fixed.push(Instance::new(master, start, None, None));
        }
    }

    /// The stream of the instances of `series` at `times` in the window, excluding
    /// those `exdates` name and those overridden, filtered, and cut off at
    /// [`MAX_INSTANCES_PER_SERIES`] and [`MAX_INSTANCES_PER_QUERY`].
    fn stream(
        &self,
        series: Rc<Series<'a>>,
        exdates: Exclusions,
        times: SeriesTimes,
    ) -> Stream<'a> {
        let master = series.master.expect("a series has a master");
        let recurs = !master.rrules.is_empty() || !master.rdates.is_empty();
        let master_cancelled = is_cancelled(&master.summary, master.status.as_deref());
        let (line, source) = (master.line, self.cal.source.as_str());
        let (window, filter, budget) = (self.window, self.filter, self.budget.clone());
        let mut produced = 0usize;
        // Whether the summary of the component last seen matches (a series' instances
        // almost all take theirs from the master).
        let mut last_match: Option<(&Vevent, bool)> = None;
        let stream = times
            .take_while(move |_| {
                produced += 1;
                if produced > MAX_INSTANCES_PER_SERIES {
                    budget.late.borrow_mut().push(format!(
                        "feed `{source}` line {line}: expansion stopped after {MAX_INSTANCES_PER_SERIES} instances of this series"
                    ));
                    return false;
                }
                budget.spend(source, line)
            })
            .filter_map(move |time| series.instance(&exdates, time, recurs, master_cancelled))
            .skip_while(move |o| o.start().instant() < window.from)
            .take_while(move |o| o.start().instant() < window.to)
            .filter(move |o| match last_match {
                Some((seen, matched)) if std::ptr::eq(seen, o.component()) => matched,
                _ => {
                    let matched = filter.matches(&o.component().summary);
                    last_match = Some((o.component(), matched));
                    matched
                }
            });
        Box::new(stream)
    }
}

#[cfg(test)]
mod tests;
