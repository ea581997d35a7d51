//! The send ledger: which message of which step of which summit occurrence went to whom,
//! when, and under which Message-ID.
//!
//! It lives in the state directory as `ledger.toml`, one `[[message]]` table per
//! message, sorted by its key (summit UID, original start, step, correction number,
//! recipient, channel), so it reads well and diffs well. It is only ever replaced whole through
//! [`crate::store::write_atomically`], under the state directory's lock.
//!
//! A message goes through these states:
//!
//! - `intent`: recorded (and flushed to disk) just before the message is handed to the
//!   transport. An intent that is still there on the next run means the process died
//!   between handing it over and recording the outcome: the message may or may not have
//!   left, so it is reported and never resent unless `--retry` says so.
//! - `sent`: the transport accepted it.
//! - `failed`: the transport definitely did not take it (connection refused, a rejected
//!   command); the next run inside the step's window tries again.
//! - `missed`: its window closed before it could be sent; reported once.
//!
//! The entry owns these transitions, and they are the only way an entry is made
//! outside this module: [`Entry::intent`] (one more attempt), then [`Entry::sent`] or
//! [`Entry::failed`]; [`Entry::missed`] once the window closes (`unconfirmed` after an
//! intent), [`Entry::closed`] for a message missed with no entry or after an attempt,
//! [`Entry::not_handed_over`] for one that could not be drafted, [`Entry::marked_sent`]
//! and [`Entry::marked`] for what an operator settles by hand.
//!
//! The ledger refuses ambiguity: two `[[message]]` tables with one key (uid, original,
//! step, seq, to), or two `[[missing]]` tables for one occurrence, make it an
//! [`crate::Error::State`] naming both tables (their 1-based positions) and the key, whatever
//! their states and order, rather than one silently winning (a `failed` copy after a
//! `sent` one would send the message again). `summit` never writes such a ledger; an
//! operator who merged two by hand removes the wrong copy.
//!
//! `summit ledger` lists the entries ([`Ledger::listing`]), settles an intent as sent or
//! records a step done by hand ([`Entry::marked_sent`]), and forgets entries
//! ([`Ledger::remove`]) so that `tick` sends them again; [`Ledger::select`] finds the
//! entries an operator names by Message-ID or by summit date and step.
//!
//! Files: `entry.rs` (the entry and its transitions), `file.rs` (`ledger.toml` read,
//! checked and written), `select.rs` (selectors and the listing), `tests.rs`.

mod entry;
mod file;
mod select;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::model::{Kind, Occurrence, OccurrenceKey, When};

pub use entry::{About, Entry};
pub use select::{Filter, SelectError, Selector};

/// The ledger's file name in the state directory.
pub const FILE: &str = "ledger.toml";

/// The format version this build reads and writes.
const VERSION: u32 = 1;

/// The key of one message: which occurrence, which step, which correction, to whom.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// The summit occurrence.
    pub occurrence: OccurrenceKey,
    /// The step, or a correction.
    pub kind: Kind,
    /// The correction's number for this occurrence and recipient (1, 2, …); 0 for steps.
    pub seq: u32,
    /// The recipients (stored as their addresses, lowercase, joined by `, `); empty for
    /// a message to a channel.
    pub to: crate::model::Recipients,
    /// The channel (`[[channels]]` `name`) for a message posted to one; `None` for
    /// e-mail.
    pub channel: Option<String>,
}

impl Key {
    /// Whom the message is for, for people: `channel `matrix-dev`` or the addresses.
    pub fn destination(&self) -> String {
        match &self.channel {
            Some(c) => format!("channel `{c}`"),
            None => self.to.to_string(),
        }
    }

    /// The same message's key on another channel (or e-mail, `None`) and recipients:
    /// what groups a summit's messages by where they went.
    pub fn same_place(&self, other: &Key) -> bool {
        self.to == other.to && self.channel == other.channel
    }
}

/// The summit as a message announced it: what a later correction compares against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announced {
    /// Its start.
    pub start: When,
    /// Its end.
    pub end: When,
    /// Its SUMMARY, on one line.
    pub summary: String,
    /// Whether the message announced that it is cancelled (a correction).
    pub cancelled: bool,
    /// The facilitator the message named for it (`None` when it named nobody, or for
    /// entries written before summit recorded it).
    pub facilitator: Option<Named>,
}

/// A person as a message named them: the name shown and the address (compared
/// without regard to case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The name, e.g. `Ada Lovelace`.
    pub name: String,
    /// The address, e.g. `ada@example.org`.
    pub email: crate::model::Email,
}

impl Named {
    /// Whether `self` and `other` are the same person (the same address, in any case).
    pub fn same(&self, other: &Named) -> bool {
        self.email == other.email
    }

    /// `Ada Lovelace <ada@example.org>`.
    pub fn display(&self) -> String {
        format!("{} <{}>", crate::text::one_line(&self.name), self.email)
    }
}

/// What a handover announced of the next summit: who is to facilitate it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    /// The next summit.
    pub occurrence: OccurrenceKey,
    /// Its start, as the handover announced it.
    pub start: When,
    /// Its facilitator, as the handover named them.
    pub facilitator: Named,
}

impl Announced {
    /// `o` as it stands, `cancelled` or not.
    pub fn of(o: &Occurrence, cancelled: bool) -> Self {
        Announced {
            start: o.start,
            end: o.end,
            summary: crate::text::one_line(&o.summary),
            cancelled,
            facilitator: None,
        }
    }

    /// This announcement naming `facilitator`.
    pub fn naming(self, facilitator: Option<Named>) -> Self {
        Announced {
            facilitator,
            ..self
        }
    }

    /// Whether `other` names another facilitator (both name one).
    pub fn other_facilitator(&self, other: &Announced) -> bool {
        matches!((&self.facilitator, &other.facilitator), (Some(a), Some(b)) if !a.same(b))
    }

    /// Whether `other` announces the same time and status (the summary may differ).
    pub fn same_time(&self, other: &Announced) -> bool {
        self.start == other.start && self.end == other.end && self.cancelled == other.cancelled
    }
}

/// The ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// When the ledger was started (the first `tick` or `send`): steps due before then
    /// that were never sent are not reported as missed.
    pub since: Option<DateTime<Utc>>,
    /// Announced summit occurrences that the feed no longer lists (without cancelling
    /// them), with when `tick` first found them missing: one missing from every fetch
    /// for `calendar.cancel-missing-after` counts as cancelled, not one missing once.
    pub missing: BTreeMap<OccurrenceKey, DateTime<Utc>>,
    /// Since when the feed lists no summit at all (a broken feed, or a wrong
    /// `calendar.summit`), while the ledger knows of one; `None` when it lists some.
    pub feed_empty_since: Option<DateTime<Utc>>,
    entries: BTreeMap<Key, Entry>,
}

impl Ledger {
    /// The entry of `key`.
    pub fn get(&self, key: &Key) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Adds `entry`, replacing the one with the same key.
    pub fn upsert(&mut self, entry: Entry) {
        self.entries.insert(entry.key.clone(), entry);
    }

    /// Moves every entry of the occurrence `old` to `new` (the feed re-created the
    /// summit under another UID), keeping their Message-IDs, so that nothing already
    /// sent about it is sent again and later messages stay in its thread. Returns how
    /// many entries moved.
    pub fn rekey(&mut self, old: &OccurrenceKey, new: &OccurrenceKey) -> usize {
        let keys: Vec<Key> = self
            .entries
            .keys()
            .filter(|k| &k.occurrence == old)
            .cloned()
            .collect();
        for k in &keys {
            if let Some(mut e) = self.entries.remove(k) {
                e.key.occurrence = new.clone();
                self.entries.insert(e.key.clone(), e);
            }
        }
        if let Some(t) = self.missing.remove(old) {
            self.missing.insert(new.clone(), t);
        }
        keys.len()
    }

    /// Removes the entry of `key`, returning it.
    pub fn remove(&mut self, key: &Key) -> Option<Entry> {
        self.entries.remove(key)
    }

    /// Every entry, in key order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// The entries of one summit occurrence, in key order.
    pub fn of_occurrence<'a>(
        &'a self,
        occurrence: &'a OccurrenceKey,
    ) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries
            .values()
            .filter(move |e| &e.key.occurrence == occurrence)
    }
}
