//! The components of one UID ([`Series`]): the master, the overrides that win, and
//! which instances EXDATEs exclude ([`Exclusions`]).

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::instance::Instance;
use super::times::SeriesTimes;
use crate::calendar::parse::{Stamp, Vevent};
use crate::model::When;

/// How many instances one series may generate in one query before expansion stops
/// (a bound on the work a hostile feed can cause: `FREQ=SECONDLY` with no end).
pub const MAX_INSTANCES_PER_SERIES: usize = 200_000;

/// The keys an instance or a RECURRENCE-ID is known by: the UTC instant and the
/// wall-clock time (both as naive date-times), or midnight of an all-day date. Two
/// match when any key is shared, as in the reference implementation.
fn keys(s: &Stamp) -> [NaiveDateTime; 2] {
    keys_at(s, s.when())
}

/// [`keys`] of `s`, whose occurrence time `when` is already known.
pub(super) fn keys_at(s: &Stamp, when: When) -> [NaiveDateTime; 2] {
    match s {
        Stamp::Date(d) => {
            let m = d.and_time(chrono::NaiveTime::MIN);
            [m, m]
        }
        Stamp::Local(t, _) => [when.instant().naive_utc(), *t],
    }
}

/// The EXDATEs of a master (RFC 5545 §3.8.5.1).
#[derive(Default)]
pub(super) struct Exclusions {
    keys: HashSet<NaiveDateTime>,
    dates: HashSet<NaiveDate>,
}

impl Exclusions {
    pub(super) fn of(master: &Vevent) -> Self {
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
    /// DATE EXDATE on its local date; `keys` are the [`keys`] of `start`.
    pub(super) fn excludes_instance(&self, start: &Stamp, keys: &[NaiveDateTime; 2]) -> bool {
        self.dates.contains(&start.local_date()) || keys.iter().any(|k| self.keys.contains(k))
    }

    /// An override is excluded with the instance it replaces.
    pub(super) fn excludes_rid(&self, rid: &Stamp) -> bool {
        keys(rid).iter().any(|k| self.keys.contains(k))
    }
}

/// The components of one UID: the master and the winning overrides.
pub(super) struct Series<'a> {
    pub(super) master: Option<&'a Vevent>,
    /// RECURRENCE-ID key → override.
    by_key: HashMap<NaiveDateTime, &'a Vevent>,
    /// The distinct winning overrides, in feed order.
    pub(super) modifications: Vec<&'a Vevent>,
    /// Overrides with RANGE=THISANDFUTURE, by the UTC key of their RECURRENCE-ID.
    pub(super) this_and_future: Vec<(NaiveDateTime, &'a Vevent)>,
    /// The keys of the master's instances up to the day after the latest RECURRENCE-ID
    /// that [`Series::stale_modification`] checks, computed once on first use; `None`
    /// when the master's rules cannot be evaluated.
    master_keys: std::cell::OnceCell<Option<HashSet<NaiveDateTime>>>,
}

impl<'a> Series<'a> {
    pub(super) fn new(group: Vec<&'a Vevent>) -> Self {
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
        let mut seen: HashSet<*const Vevent> = HashSet::new();
        for m in by_key.values() {
            if seen.insert(std::ptr::from_ref(*m)) {
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
            master_keys: std::cell::OnceCell::new(),
        }
    }

    /// Whether `m` is an override [`Series::stale_modification`] has to check against
    /// the master's instances.
    fn may_be_stale(master: &Vevent, m: &Vevent) -> bool {
        !m.rrules.is_empty() && m.sequence < master.sequence
    }

    /// Whether an override replaces the instance whose [`keys`] are `keys`.
    fn is_modified(&self, keys: &[NaiveDateTime; 2]) -> bool {
        keys.iter().any(|k| self.by_key.contains_key(k))
    }

    /// The component an instance takes its properties from, and how far it moves: the
    /// last THISANDFUTURE override before it, or the master. `key` is the first of the
    /// instance's [`keys`] (its UTC instant).
    fn component_for(&self, key: NaiveDateTime) -> (&'a Vevent, Option<Duration>) {
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
    pub(super) fn stale_modification(&self, m: &Vevent) -> bool {
        let Some(master) = self.master else {
            return false;
        };
        if !Self::may_be_stale(master, m) {
            return false;
        }
        let rid = m.recurrence_id.as_ref().expect("override");
        match self
            .master_keys
            .get_or_init(|| self.master_instance_keys(master))
        {
            Some(instances) => !keys(rid).iter().any(|k| instances.contains(k)),
            None => true,
        }
    }

    /// The keys of the master's instances (EXDATEs left out), at most
    /// [`MAX_INSTANCES_PER_SERIES`] of them, up to the day after the latest
    /// RECURRENCE-ID of an override that may be stale.
    fn master_instance_keys(&self, master: &Vevent) -> Option<HashSet<NaiveDateTime>> {
        let last_day = self
            .modifications
            .iter()
            .filter(|m| Self::may_be_stale(master, m))
            .filter_map(|m| m.recurrence_id.as_ref())
            .map(|rid| {
                let day = rid.local_date();
                day.succ_opt().unwrap_or(day)
            })
            .max()?;
        let times = SeriesTimes::new(master, "", &mut Vec::new()).ok()?;
        let exdates = Exclusions::of(master);
        Some(
            times
                .take(MAX_INSTANCES_PER_SERIES)
                .take_while(|(t, _)| t.local_date() <= last_day)
                .filter(|(t, _)| !exdates.excludes_instance(t, &keys(t)))
                .flat_map(|(t, _)| keys(&t))
                .collect(),
        )
    }

    /// The instance at `start` (a start time of the master's series, with an RDATE
    /// PERIOD's own `duration`), unless an EXDATE in `exdates` or an override replaces
    /// it: the master's, or one moved and restyled by a THISANDFUTURE override. Only a
    /// series that `recurs` gives its instances a RECURRENCE-ID; `master_cancelled` is
    /// whether the master is cancelled.
    pub(super) fn instance(
        &self,
        exdates: &Exclusions,
        (start, duration): (Stamp, Option<Duration>),
        recurs: bool,
        master_cancelled: bool,
    ) -> Option<Instance<'a>> {
        // One conversion to UTC per instance: its keys, RECURRENCE-ID and start.
        let when = start.when();
        let keys = keys_at(&start, when);
        if exdates.excludes_instance(&start, &keys) || self.is_modified(&keys) {
            return None;
        }
        let rid = recurs.then_some(when);
        Some(match self.component_for(keys[0]) {
            (ev, Some(moved)) => Instance::new(ev, shift_stamp(start, moved), duration, rid),
            // Without a THISANDFUTURE override, `ev` is the master.
            (ev, None) => Instance::known(ev, start, when, duration, rid, master_cancelled),
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
