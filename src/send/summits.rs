//! The summits `tick` works on ([`Summits::collect`]): those of the feed around now,
//! and what the occurrences the ledger names have become (moved, cancelled, excluded
//! by an EXDATE, or re-created under another UID).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::calendar::{Calendar, Window, occurrences};
use crate::error::Result;
use crate::ledger::{Announced, Entry, Ledger};
use crate::model::{Occurrence, OccurrenceKey, When};
use crate::plan::inputs::Inputs;
use crate::plan::summit::{self, Planned};

use super::outgoing::announced_order;

pub use crate::plan::find::LOOKBACK_DAYS;

/// The most summits `tick` works on at once: those (not cancelled) from
/// [`LOOKBACK_DAYS`] before now until the longest lead of the timeline after it. A
/// feed with more (thousands of summits a day, a `calendar.summit` pattern matching
/// every event) is refused with an error rather than mailed about: a few summits a month
/// make a few dozen in that window, a daily one about a hundred and twenty.
pub const MAX_PLANNED: usize = 500;

/// The summits `tick` works on.
#[derive(Clone, Debug)]
pub struct Summits {
    /// The summits (not cancelled) from [`LOOKBACK_DAYS`] before now, in order, with
    /// their facilitators, up to the first one whose steps are all still ahead, and at
    /// least 16 of them when the feed has that many.
    pub planned: Vec<Planned>,
    /// The summit occurrences from the same instant on (within
    /// [`Window::DEFAULT_HORIZON_DAYS`]), cancelled ones included, by identity, for the
    /// occurrences the ledger names: what a summit that was announced has become.
    pub current: HashMap<OccurrenceKey, Occurrence>,
    /// Whether the feed has any summit occurrence from that instant on (within the same
    /// horizon), cancelled ones included: a feed without any is more likely broken than
    /// cancelled.
    pub any_current: bool,
    /// Every UID in the feed.
    pub uids: HashSet<String>,
    /// Occurrences the ledger names under a UID the feed no longer has, and the key of
    /// the summit that replaced each (same start and title, not in the ledger): the
    /// feed re-created the series. The caller moves their entries
    /// ([`Ledger::rekey`]) before planning.
    pub renamed: Vec<(OccurrenceKey, OccurrenceKey)>,
    /// Occurrences the ledger names that an EXDATE of their series now excludes: the
    /// feed cancelled them (RFC 5545 §3.8.5.1).
    pub excluded: HashSet<OccurrenceKey>,
}

impl Summits {
    /// The summits of `cal` as of `now`, with the current state of the occurrences
    /// `ledger` names; problems met while expanding go to `warnings`.
    ///
    /// Memory: 16 bytes per summit since `rotation.start` (see [`summit::plan`]), whole
    /// occurrences for the planned summits and those the ledger names.
    ///
    /// # Errors
    /// [`crate::Error::Overload`] when more than [`MAX_PLANNED`] summits fall between
    /// [`LOOKBACK_DAYS`] before now and the longest lead of the timeline after it.
    pub fn collect(
        cal: &Calendar,
        config: &Inputs,
        ledger: &Ledger,
        now: DateTime<Utc>,
        warnings: &mut Vec<String>,
    ) -> Result<Summits> {
        let anchor = now - Duration::days(LOOKBACK_DAYS);
        // Up to the first summit with no step due yet (its predecessor then knows its
        // next summit, for the handover's window), and at least 16.
        let until = now + longest_lead(config);
        let (planned, any_current) =
            summit::plan_through(
                cal,
                config,
                anchor,
                16,
                summit::Through {
                    until,
                    max: MAX_PLANNED,
                },
                now,
                warnings,
            )
            .map_err(|e| {
                crate::Error::Overload(format!(
                    "more than {} summits fall between {} and {} (the last {LOOKBACK_DAYS} days and the longest lead of the timeline), so `tick` sends nothing; expected a few summits a month: check that `calendar.summit` matches only the summits",
                    e.max,
                    When::Timed(anchor),
                    When::Timed(until),
                ))
            })?;
        let wanted = named_by(ledger);
        let mut current = current(cal, config, anchor, &wanted, warnings);
        let any_current = any_current || !current.is_empty();
        let uids: HashSet<String> = cal.events.iter().map(|e| e.uid.clone()).collect();
        let renamed = renamed(ledger, &planned, &uids, &mut current);
        let excluded = excluded(cal, &wanted, &current);
        Ok(Summits {
            planned,
            current,
            any_current,
            uids,
            renamed,
            excluded,
        })
    }
}

/// The longest lead of the enabled timeline before a summit (never negative): how far
/// after now a summit may be and still have a step due.
fn longest_lead(config: &Inputs) -> Duration {
    let tl = &config.timeline;
    [
        tl.assignment.unwrap_or_else(Duration::zero),
        tl.reminder,
        tl.agenda_vote,
        tl.outreach,
    ]
    .into_iter()
    .max()
    .unwrap_or_else(Duration::zero)
    .max(Duration::zero())
}

/// The occurrences `ledger` names: those its entries are about, and those handovers
/// proposed a facilitator for.
fn named_by(ledger: &Ledger) -> HashSet<&OccurrenceKey> {
    ledger
        .entries()
        .flat_map(|e| {
            std::iter::once(&e.key.occurrence).chain(e.proposes.as_ref().map(|p| &p.occurrence))
        })
        .collect()
}

/// What the `wanted` occurrences have become in `cal` from `anchor` on: only those
/// series are expanded again, and only those occurrences kept whole.
fn current(
    cal: &Calendar,
    config: &Inputs,
    anchor: DateTime<Utc>,
    wanted: &HashSet<&OccurrenceKey>,
    warnings: &mut Vec<String>,
) -> HashMap<OccurrenceKey, Occurrence> {
    let mut current = HashMap::new();
    if wanted.is_empty() {
        return current;
    }
    let uids: HashSet<&str> = wanted.iter().map(|k| k.uid.as_str()).collect();
    let theirs = Calendar {
        source: cal.source.clone(),
        name: cal.name.clone(),
        zone: cal.zone,
        events: cal
            .events
            .iter()
            .filter(|e| uids.contains(e.uid.as_str()))
            .cloned()
            .collect(),
        warnings: Vec::new(),
    };
    // The walk of the summits already reported what is wrong with these series' rules.
    let mut all = occurrences(
        &theirs,
        Window::new(anchor, None),
        Some(&config.calendar.summit),
        &mut Vec::new(),
    );
    while let Some(o) = all.next_instance() {
        let key = OccurrenceKey {
            uid: o.uid().to_string(),
            original: o.recurrence_id(),
        };
        if wanted.contains(&key) {
            current.insert(key, o.occurrence());
        }
    }
    warnings.extend(all.take_warnings());
    current
}

/// Summits the ledger knows under a UID the feed (`uids`) no longer has, each with a
/// planned summit of the same start and title the ledger does not know: the feed
/// re-created it. The heirs are added to `current`.
fn renamed(
    ledger: &Ledger,
    planned: &[Planned],
    uids: &HashSet<String>,
    current: &mut HashMap<OccurrenceKey, Occurrence>,
) -> Vec<(OccurrenceKey, OccurrenceKey)> {
    let mut renamed: Vec<(OccurrenceKey, OccurrenceKey)> = Vec::new();
    // Each gone occurrence as last announced (a correction after a move names its new
    // start).
    let mut gone: BTreeMap<&OccurrenceKey, &Entry> = BTreeMap::new();
    for e in ledger.entries() {
        if !uids.contains(&e.key.occurrence.uid) {
            gone.entry(&e.key.occurrence)
                .and_modify(|last| {
                    if announced_order(e) > announced_order(last) {
                        *last = e;
                    }
                })
                .or_insert(e);
        }
    }
    for (old, e) in gone {
        let heir = summits_like(planned, &e.announced).find(|k| {
            ledger.of_occurrence(k).next().is_none() && !renamed.iter().any(|(_, n)| n == k)
        });
        if let Some(new) = heir {
            if let Some(p) = planned.iter().find(|p| OccurrenceKey::of(&p.summit) == new) {
                current.insert(new.clone(), p.summit.clone());
            }
            renamed.push((old.clone(), new));
        }
    }
    renamed
}

/// The `wanted` occurrences gone from `current` that an EXDATE of their series now
/// excludes: cancelled by the feed, not missing from it (RFC 5545 §3.8.5.1).
fn excluded(
    cal: &Calendar,
    wanted: &HashSet<&OccurrenceKey>,
    current: &HashMap<OccurrenceKey, Occurrence>,
) -> HashSet<OccurrenceKey> {
    let mut excluded = HashSet::new();
    for occ in wanted {
        let Some(original) = occ.original else {
            continue;
        };
        if current.contains_key(*occ) {
            continue;
        }
        let by_exdate = cal.events.iter().any(|ev| {
            ev.uid == occ.uid
                && ev.recurrence_id.is_none()
                && ev.exdates.iter().any(|x| {
                    let x = x.when();
                    x == original
                        || ((x.is_all_day() || original.is_all_day())
                            && x.date_utc() == original.date_utc())
                })
        });
        if by_exdate {
            excluded.insert((*occ).clone());
        }
    }
    excluded
}

/// The keys of the planned summits with the start and title `announced` gives.
fn summits_like<'a>(
    planned: &'a [Planned],
    announced: &'a Announced,
) -> impl Iterator<Item = OccurrenceKey> + 'a {
    planned
        .iter()
        .filter(move |p| {
            p.summit.start == announced.start
                && crate::text::one_line(&p.summit.summary) == announced.summary
        })
        .map(|p| OccurrenceKey::of(&p.summit))
}
