//! Which entries an operator names ([`Selector`], [`Ledger::select`]) and which
//! `summit ledger list` shows ([`Filter`], [`Ledger::listing`]).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Entry, Ledger};
use crate::model::{Kind, OccurrenceKey, State};

/// How an operator names ledger entries on the command line (`summit ledger mark-sent`,
/// `summit ledger forget`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// The entry with this Message-ID (angle brackets allowed), or the one entry whose
    /// Message-ID starts with it.
    MessageId(String),
    /// The entries of one step (or the corrections) of the summit on `date` (UTC): the
    /// summit's announced start or its original start (RECURRENCE-ID) falls on it. Every
    /// recipient's, or only those to `to`.
    Step {
        /// The summit's date, UTC.
        date: NaiveDate,
        /// The step, or corrections.
        kind: Kind,
        /// Only the messages to this address.
        to: Option<String>,
    },
}

impl Selector {
    /// `the reminder of the summit on 2026-11-26 to `a@x.org``, for messages.
    fn describe(&self) -> String {
        match self {
            Selector::MessageId(id) => format!("Message-ID `<{}>`", bare_id(id)),
            Selector::Step { date, kind, to } => format!(
                "the {kind} of a summit on {date}{}",
                to.as_ref()
                    .map(|a| format!(" to `{}`", a.trim()))
                    .unwrap_or_default()
            ),
        }
    }
}

/// Why a [`Selector`] names no entry, or too many.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    /// Nothing in the ledger matches.
    #[error("no message in the ledger is {0}, expected one that `summit ledger list --all` shows")]
    NoMatch(String),
    /// A Message-ID prefix matches several messages.
    #[error(
        "Message-ID `{prefix}` matches {} messages ({}), expected a whole Message-ID or a prefix of only one",
        ids.len(),
        ids.iter().map(|i| format!("`<{i}>`")).collect::<Vec<_>>().join(", ")
    )]
    AmbiguousId {
        /// What was given.
        prefix: String,
        /// The Message-IDs it matches.
        ids: Vec<String>,
    },
    /// A date on which the ledger has messages of several summits.
    #[error(
        "`--summit {date}` matches {} summits in the ledger ({}), expected one: name the message by its Message-ID instead",
        summits.len(),
        summits.join(", ")
    )]
    AmbiguousSummit {
        /// The date given.
        date: NaiveDate,
        /// The summits on it: ``uid `U` `` or ``uid `U` instance `ORIGINAL` ``.
        summits: Vec<String>,
    },
}

/// `id` without surrounding whitespace and angle brackets.
fn bare_id(id: &str) -> &str {
    let id = id.trim();
    id.strip_prefix('<')
        .and_then(|i| i.strip_suffix('>'))
        .unwrap_or(id)
}

/// Which entries `summit ledger list` shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only entries in these states; every state when empty.
    pub states: Vec<State>,
    /// Only entries of summits (as announced) starting at or after this instant, and
    /// unconfirmed intents whatever their age; every entry when `None`.
    pub since: Option<DateTime<Utc>>,
    /// Not the missed entries due before this instant: the steps a first run adopted
    /// (due before the ledger was started, [`Ledger::since`]); shown when `None`.
    pub adopted_before: Option<DateTime<Utc>>,
}

impl Filter {
    /// Whether `e` is listed.
    pub fn keeps(&self, e: &Entry) -> bool {
        (self.states.is_empty() || self.states.contains(&e.state))
            && self
                .since
                .is_none_or(|s| e.state == State::Intent || e.announced.start.instant() >= s)
            && !self
                .adopted_before
                .is_some_and(|t| e.state == State::Missed && e.due < t)
    }
}

impl Ledger {
    /// The entries `selector` names, in key order: one for a Message-ID, every
    /// recipient's for a step (or every correction).
    ///
    /// # Errors
    /// [`SelectError::NoMatch`] when it names none; [`SelectError::AmbiguousId`] when a
    /// Message-ID prefix matches several entries; [`SelectError::AmbiguousSummit`] when
    /// the date names several summits (different UIDs or original starts).
    pub fn select(&self, selector: &Selector) -> std::result::Result<Vec<&Entry>, SelectError> {
        let none = || SelectError::NoMatch(selector.describe());
        match selector {
            Selector::MessageId(id) => {
                let id = bare_id(id);
                if id.is_empty() {
                    return Err(none());
                }
                let with_id = |exact: bool| -> Vec<&Entry> {
                    self.entries
                        .values()
                        .filter(|e| {
                            e.message_id
                                .as_deref()
                                .is_some_and(|m| if exact { m == id } else { m.starts_with(id) })
                        })
                        .collect()
                };
                let exact = with_id(true);
                let found = if exact.is_empty() {
                    with_id(false)
                } else {
                    exact
                };
                match found.len() {
                    0 => Err(none()),
                    1 => Ok(found),
                    _ => Err(SelectError::AmbiguousId {
                        prefix: id.to_string(),
                        ids: found.iter().filter_map(|e| e.message_id.clone()).collect(),
                    }),
                }
            }
            Selector::Step { date, kind, to } => {
                let found: Vec<&Entry> = self
                    .entries
                    .values()
                    .filter(|e| {
                        e.key.kind == *kind
                            && (e.announced.start.date_utc() == *date
                                || e.key
                                    .occurrence
                                    .original
                                    .is_some_and(|o| o.date_utc() == *date))
                            && to.as_deref().is_none_or(|a| e.is_to(a))
                    })
                    .collect();
                let mut summits: Vec<&OccurrenceKey> =
                    found.iter().map(|e| &e.key.occurrence).collect();
                summits.dedup();
                match summits.len() {
                    0 => Err(none()),
                    1 => Ok(found),
                    _ => Err(SelectError::AmbiguousSummit {
                        date: *date,
                        summits: summits
                            .iter()
                            .map(|o| match o.original {
                                Some(w) => format!("uid `{}` instance `{w}`", o.uid),
                                None => format!("uid `{}`", o.uid),
                            })
                            .collect(),
                    }),
                }
            }
        }
    }

    /// The entries `filter` keeps, by summit occurrence: the occurrences in the order of
    /// their first due time, each with its entries in due order (then step, correction
    /// number and recipient).
    pub fn listing(&self, filter: &Filter) -> Vec<(&OccurrenceKey, Vec<&Entry>)> {
        let mut groups: BTreeMap<&OccurrenceKey, Vec<&Entry>> = BTreeMap::new();
        for e in self.entries.values().filter(|e| filter.keeps(e)) {
            groups.entry(&e.key.occurrence).or_default().push(e);
        }
        let mut groups: Vec<(&OccurrenceKey, Vec<&Entry>)> = groups.into_iter().collect();
        for (_, entries) in &mut groups {
            entries.sort_by_key(|e| (e.due, e.key.kind, e.key.seq, e.key.to.clone()));
        }
        groups.sort_by_key(|(occ, entries)| (entries[0].due, (*occ).clone()));
        groups
    }
}
