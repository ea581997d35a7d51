//! The send ledger: which message of which step of which summit occurrence went to whom,
//! when, and under which Message-ID.
//!
//! It lives in the state directory as `ledger.toml`, one `[[message]]` table per
//! message, sorted by its key (summit UID, original start, step, correction number,
//! recipient), so it reads well and diffs well. It is only ever replaced whole through
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
//! The ledger refuses ambiguity: two `[[message]]` tables with one key (uid, original,
//! step, seq, to), or two `[[missing]]` tables for one occurrence, make it an
//! [`Error::State`] naming both tables (their 1-based positions) and the key, whatever
//! their states and order, rather than one silently winning (a `failed` copy after a
//! `sent` one would send the message again). `summit` never writes such a ledger; an
//! operator who merged two by hand removes the wrong copy.
//!
//! `summit ledger` lists the entries ([`Ledger::listing`]), settles an intent as sent or
//! records a step done by hand ([`Entry::marked_sent`]), and forgets entries
//! ([`Ledger::remove`]) so that `tick` sends them again; [`Ledger::select`] finds the
//! entries an operator names by Message-ID or by summit date and step.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::message::valid_message_id;
use crate::model::{Kind, Occurrence, OccurrenceKey, State, When};
use crate::store::{Links, MAX_LEDGER_BYTES, ReadError, read_bounded_text, write_private};

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
    /// The recipients' addresses, lowercase, joined by `, `.
    pub to: String,
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

/// One message in the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What it is.
    pub key: Key,
    /// Where it stands.
    pub state: State,
    /// Its Message-ID, without angle brackets; `None` when it could not even be drafted
    /// (a missed outreach with nobody to send it to).
    pub message_id: Option<String>,
    /// When its step was due.
    pub due: DateTime<Utc>,
    /// The summit as this message announced it.
    pub announced: Announced,
    /// When it was last handed to the transport.
    pub intent_at: Option<DateTime<Utc>>,
    /// When the transport accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the last attempt failed.
    pub failed_at: Option<DateTime<Utc>>,
    /// When it was recorded as missed.
    pub missed_at: Option<DateTime<Utc>>,
    /// How many times it was handed to the transport.
    pub attempts: u32,
    /// The last error, or why it was missed.
    pub error: Option<String>,
    /// Missed after an intent that was never confirmed: it may have been delivered.
    pub unconfirmed: bool,
    /// When an operator recorded it as sent with `summit ledger mark-sent` (after
    /// finding an unconfirmed message in the archive, or sending the step by hand).
    pub marked_at: Option<DateTime<Utc>>,
    /// For a handover: the next summit's facilitator it proposed.
    pub proposes: Option<Proposal>,
}

impl Entry {
    /// Whether its recipients may have received it: sent, or handed over without a
    /// confirmation.
    pub fn maybe_delivered(&self) -> bool {
        matches!(self.state, State::Sent | State::Intent) || self.unconfirmed
    }

    /// This entry recorded as sent by an operator at `now` (`summit ledger mark-sent`):
    /// state `sent`, sent when it was last handed to the transport (else `now`), marked
    /// at `now`, without the error of an earlier attempt. An entry already sent is
    /// returned as it is.
    pub fn marked_sent(&self, now: DateTime<Utc>) -> Entry {
        if self.state == State::Sent {
            return self.clone();
        }
        Entry {
            state: State::Sent,
            sent_at: Some(self.intent_at.unwrap_or(now)),
            marked_at: Some(now),
            error: None,
            unconfirmed: false,
            ..self.clone()
        }
    }

    /// When it reached its state (UTC): handed over, sent, failed or missed.
    pub fn state_at(&self) -> Option<DateTime<Utc>> {
        match self.state {
            State::Intent => self.intent_at,
            State::Sent => self.sent_at,
            State::Failed => self.failed_at,
            State::Missed => self.missed_at,
        }
    }

    /// Whether `address` is one of its recipients (case-insensitive, angle brackets
    /// allowed).
    pub fn is_to(&self, address: &str) -> bool {
        let address = address.trim().trim_start_matches('<').trim_end_matches('>');
        self.key
            .to
            .split(", ")
            .any(|a| !a.is_empty() && crate::model::Email::same(a, address))
    }
}

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
    /// Reads the ledger at `path`; a missing file is an empty ledger.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::State`] naming the entry and
    /// value when it is not a ledger this version understands (it is then left alone).
    pub fn load(path: &Path) -> Result<Ledger> {
        let text = match read_bounded_text(path, MAX_LEDGER_BYTES, Links::Refuse) {
            Ok(t) => t,
            Err(ReadError::Missing) => return Ok(Ledger::default()),
            Err(ReadError::Io(e)) => return Err(Error::io(path, e)),
            Err(e) => {
                return Err(Error::State {
                    path: path.to_path_buf(),
                    message: e.message(path, MAX_LEDGER_BYTES, "a send ledger"),
                });
            }
        };
        Self::from_toml(&text).map_err(|message| Error::State {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Writes the ledger to `path` atomically.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be written; the old file is then unchanged.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_private(path, self.to_toml().as_bytes())
    }

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

    /// The ledger as TOML, with a header comment.
    pub fn to_toml(&self) -> String {
        let raw = RawLedger {
            version: VERSION,
            since: self.since.map(instant),
            feed_empty_since: self.feed_empty_since.map(instant),
            missing: self
                .missing
                .iter()
                .map(|(k, t)| RawMissing {
                    uid: k.uid.clone(),
                    original: k.original.map(|w| w.to_string()),
                    since: instant(*t),
                })
                .collect(),
            message: self.entries.values().map(RawEntry::from).collect(),
        };
        let body = toml::to_string(&raw).expect("the ledger is plain data");
        format!("{HEADER}{body}")
    }

    /// Parses the TOML of a ledger.
    ///
    /// # Errors
    /// A message naming the entry and the value at fault.
    pub fn from_toml(text: &str) -> std::result::Result<Ledger, String> {
        let raw: RawLedger = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| format!("line {}: ", 1 + text[..s.start].matches('\n').count()))
                .unwrap_or_default();
            format!("{line}{}", e.message().trim().replace('\n', " "))
        })?;
        if raw.version != VERSION {
            return Err(format!(
                "ledger version `{}` is not supported, expected `{VERSION}` (written by another version of summit?)",
                raw.version
            ));
        }
        let since = raw
            .since
            .as_deref()
            .map(|s| parse_instant(s, "since"))
            .transpose()?;
        let feed_empty_since = raw
            .feed_empty_since
            .as_deref()
            .map(|s| parse_instant(s, "feed-empty-since"))
            .transpose()?;
        let mut missing = BTreeMap::new();
        let mut missing_at: BTreeMap<OccurrenceKey, usize> = BTreeMap::new();
        for (i, m) in raw.missing.into_iter().enumerate() {
            let key = OccurrenceKey {
                uid: m.uid,
                original: m
                    .original
                    .map(|s| parse_when(&s, "original"))
                    .transpose()
                    .map_err(|e| format!("missing {} of the ledger: {e}", i + 1))?,
            };
            let since = parse_instant(&m.since, "since")
                .map_err(|e| format!("missing {} of the ledger: {e}", i + 1))?;
            if let Some(first) = missing_at.get(&key) {
                return Err(format!(
                    "[[missing]] {first} and {} of the ledger are both for {}, expected one entry per summit occurrence",
                    i + 1,
                    describe_occurrence(&key)
                ));
            }
            missing_at.insert(key.clone(), i + 1);
            missing.insert(key, since);
        }
        let mut entries = BTreeMap::new();
        let mut message_at: BTreeMap<Key, usize> = BTreeMap::new();
        for (i, r) in raw.message.into_iter().enumerate() {
            let e = r
                .into_entry()
                .map_err(|m| format!("message {} of the ledger: {m}", i + 1))?;
            if let Some(first) = message_at.get(&e.key) {
                return Err(format!(
                    "[[message]] {first} and {} of the ledger are both {}, expected one entry per message (remove the wrong one)",
                    i + 1,
                    describe_key(&e.key)
                ));
            }
            message_at.insert(e.key.clone(), i + 1);
            entries.insert(e.key.clone(), e);
        }
        Ok(Ledger {
            since,
            missing,
            feed_empty_since,
            entries,
        })
    }
}

const HEADER: &str = "\
# The send ledger of `summit`: one [[message]] per e-mail that `summit tick` or
# `summit send` sent, tried to send or missed, keyed by the summit's UID, its original
# start, the step (or correction number) and the recipient.
#
# state = \"intent\" means the process stopped between handing the message over and
# recording the outcome: it may or may not have been delivered. Check the list archive
# for its Message-ID, then either run `summit ledger mark-sent MESSAGE-ID` if it arrived
# or `summit tick --retry` to send it again. `summit ledger` lists, settles and forgets
# entries under the state directory's lock; editing this file by hand is not needed.
";

/// A person from an entry's `field` (an address) and `field-name`.
fn named(
    email: Option<String>,
    name: Option<String>,
    field: &str,
) -> std::result::Result<Option<Named>, String> {
    match (email, name) {
        (None, None) => Ok(None),
        (Some(email), name) => {
            if email.parse::<lettre::Address>().is_err() {
                return Err(format!(
                    "{field} `{email}` is not an e-mail address, expected `user@example.org`"
                ));
            }
            Ok(Some(Named {
                name: name.unwrap_or_else(|| email.clone()),
                email: email.into(),
            }))
        }
        (None, Some(n)) => Err(format!(
            "{field}-name `{n}` without {field}, expected both or neither"
        )),
    }
}

/// `uid `U` original `O``, for messages.
fn describe_occurrence(key: &OccurrenceKey) -> String {
    match &key.original {
        Some(o) => format!("uid `{}` original `{o}`", key.uid),
        None => format!("uid `{}`", key.uid),
    }
}

/// The key of a message, for messages: its occurrence, step, correction number and
/// recipients.
fn describe_key(key: &Key) -> String {
    let seq = if key.seq == 0 {
        String::new()
    } else {
        format!(" seq `{}`", key.seq)
    };
    format!(
        "{} step `{}`{seq} to `{}`",
        describe_occurrence(&key.occurrence),
        key.kind.name(),
        key.to
    )
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_instant(s: &str, field: &str) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{field} `{s}` is not an RFC 3339 instant"))
}

fn parse_when(s: &str, field: &str) -> std::result::Result<When, String> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(When::AllDay(d));
    }
    parse_instant(s, field)
        .map(When::Timed)
        .map_err(|_| format!("{field} `{s}` is not an RFC 3339 instant or a `YYYY-MM-DD` date"))
}

// ---- as written ----

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLedger {
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    feed_empty_since: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    missing: Vec<RawMissing>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    message: Vec<RawEntry>,
}

/// An announced occurrence missing from the feed, as written.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMissing {
    uid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original: Option<String>,
    since: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEntry {
    uid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original: Option<String>,
    step: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    seq: u32,
    to: String,
    state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_id: Option<String>,
    due: String,
    summit_start: String,
    summit_end: String,
    summary: String,
    #[serde(default, skip_serializing_if = "is_false")]
    cancelled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    intent_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sent_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    missed_at: Option<String>,
    #[serde(default, skip_serializing_if = "is_zero")]
    attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    unconfirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    marked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    facilitator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    facilitator_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_original: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_start: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_facilitator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_facilitator_name: Option<String>,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

impl From<&Entry> for RawEntry {
    fn from(e: &Entry) -> Self {
        RawEntry {
            uid: e.key.occurrence.uid.clone(),
            original: e.key.occurrence.original.map(|w| w.to_string()),
            step: e.key.kind.name().to_string(),
            seq: e.key.seq,
            to: e.key.to.clone(),
            state: e.state,
            message_id: e.message_id.clone(),
            due: instant(e.due),
            summit_start: e.announced.start.to_string(),
            summit_end: e.announced.end.to_string(),
            summary: e.announced.summary.clone(),
            cancelled: e.announced.cancelled,
            intent_at: e.intent_at.map(instant),
            sent_at: e.sent_at.map(instant),
            failed_at: e.failed_at.map(instant),
            missed_at: e.missed_at.map(instant),
            attempts: e.attempts,
            error: e.error.clone(),
            unconfirmed: e.unconfirmed,
            marked_at: e.marked_at.map(instant),
            facilitator: e
                .announced
                .facilitator
                .as_ref()
                .map(|f| f.email.to_string()),
            facilitator_name: e.announced.facilitator.as_ref().map(|f| f.name.clone()),
            next_uid: e.proposes.as_ref().map(|p| p.occurrence.uid.clone()),
            next_original: e
                .proposes
                .as_ref()
                .and_then(|p| p.occurrence.original.map(|w| w.to_string())),
            next_start: e.proposes.as_ref().map(|p| p.start.to_string()),
            next_facilitator: e.proposes.as_ref().map(|p| p.facilitator.email.to_string()),
            next_facilitator_name: e.proposes.as_ref().map(|p| p.facilitator.name.clone()),
        }
    }
}

impl RawEntry {
    fn into_entry(self) -> std::result::Result<Entry, String> {
        let kind = self.step.parse::<Kind>().ok().ok_or_else(|| {
            format!(
                "step `{}` is not known, expected `reminder`, `agenda-vote`, `outreach`, `handover` or `correction`",
                self.step
            )
        })?;
        if (kind == Kind::Correction) != (self.seq > 0) {
            return Err(format!(
                "seq `{}` does not fit step `{}`, expected a number from 1 for corrections only",
                self.seq, self.step
            ));
        }
        if let Some(id) = &self.message_id
            && !valid_message_id(id)
        {
            return Err(format!(
                "message-id `{id}` is not a Message-ID, expected `local@domain` without angle brackets"
            ));
        }
        let opt = |v: Option<String>, field: &str| v.map(|s| parse_instant(&s, field)).transpose();
        Ok(Entry {
            key: Key {
                occurrence: OccurrenceKey {
                    uid: self.uid,
                    original: self
                        .original
                        .map(|s| parse_when(&s, "original"))
                        .transpose()?,
                },
                kind,
                seq: self.seq,
                to: self.to,
            },
            state: self.state,
            message_id: self.message_id,
            due: parse_instant(&self.due, "due")?,
            announced: Announced {
                start: parse_when(&self.summit_start, "summit-start")?,
                end: parse_when(&self.summit_end, "summit-end")?,
                summary: self.summary,
                cancelled: self.cancelled,
                facilitator: named(self.facilitator, self.facilitator_name, "facilitator")?,
            },
            intent_at: opt(self.intent_at, "intent-at")?,
            sent_at: opt(self.sent_at, "sent-at")?,
            failed_at: opt(self.failed_at, "failed-at")?,
            missed_at: opt(self.missed_at, "missed-at")?,
            attempts: self.attempts,
            error: self.error,
            unconfirmed: self.unconfirmed,
            marked_at: opt(self.marked_at, "marked-at")?,
            proposes: match (self.next_uid, self.next_start) {
                (None, None) => None,
                (Some(uid), Some(start)) => Some(Proposal {
                    occurrence: OccurrenceKey {
                        uid,
                        original: self
                            .next_original
                            .map(|s| parse_when(&s, "next-original"))
                            .transpose()?,
                    },
                    start: parse_when(&start, "next-start")?,
                    facilitator: named(
                        self.next_facilitator,
                        self.next_facilitator_name,
                        "next-facilitator",
                    )?
                    .ok_or("next-uid without next-facilitator, expected both")?,
                }),
                _ => {
                    return Err(
                        "next-uid and next-start go together, expected both or neither".into(),
                    );
                }
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Step;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn entry(uid: &str, step: Kind, seq: u32, to: &str, state: State) -> Entry {
        Entry {
            key: Key {
                occurrence: OccurrenceKey {
                    uid: uid.into(),
                    original: Some(When::Timed(t("2026-11-26T16:00:00Z"))),
                },
                kind: step,
                seq,
                to: to.into(),
            },
            state,
            message_id: Some("0123abcd.reminder.20261126@example.org".into()),
            due: t("2026-11-23T16:00:00Z"),
            announced: Announced {
                start: When::Timed(t("2026-11-26T16:00:00Z")),
                end: When::Timed(t("2026-11-26T18:00:00Z")),
                summary: "Developer Summit \"quoted\" = [x]".into(),
                cancelled: false,
                facilitator: None,
            },
            intent_at: Some(t("2026-11-23T16:00:00Z")),
            sent_at: (state == State::Sent).then(|| t("2026-11-23T16:00:01Z")),
            failed_at: None,
            missed_at: None,
            attempts: 1,
            error: None,
            unconfirmed: false,
            marked_at: None,
            proposes: None,
        }
    }

    /// The TOML of a ledger holding `first` and then `second`, whatever their keys.
    fn two_messages(first: Entry, second: Entry) -> String {
        let mut a = Ledger::default();
        a.upsert(first);
        let mut b = Ledger::default();
        b.upsert(second);
        let b = b.to_toml();
        let tail = &b[b.find("\n[[message]]").unwrap()..];
        format!("{}\n{tail}", a.to_toml())
    }

    #[test]
    fn a_message_twice_is_an_error_naming_both_whatever_the_order() {
        let sent = entry("s@x", Kind::Step(Step::Reminder), 0, "a@x.org", State::Sent);
        let failed = entry(
            "s@x",
            Kind::Step(Step::Reminder),
            0,
            "a@x.org",
            State::Failed,
        );
        for text in [
            two_messages(sent.clone(), failed.clone()),
            two_messages(failed, sent),
        ] {
            let e = Ledger::from_toml(&text).unwrap_err();
            assert_eq!(
                e,
                "[[message]] 1 and 2 of the ledger are both uid `s@x` original `2026-11-26T16:00:00Z` step `reminder` to `a@x.org`, expected one entry per message (remove the wrong one)",
            );
        }
        // Another recipient is another message.
        let one = entry("s@x", Kind::Step(Step::Reminder), 0, "a@x.org", State::Sent);
        let two = entry(
            "s@x",
            Kind::Step(Step::Reminder),
            0,
            "b@x.org",
            State::Failed,
        );
        assert_eq!(
            Ledger::from_toml(&two_messages(one, two))
                .unwrap()
                .entries()
                .count(),
            2
        );
    }

    #[test]
    fn an_occurrence_missing_twice_is_an_error() {
        let text = "version = 1\n\n[[missing]]\nuid = \"s@x\"\nsince = \"2026-11-20T00:00:00Z\"\n\n[[missing]]\nuid = \"t@x\"\nsince = \"2026-11-20T00:00:00Z\"\n\n[[missing]]\nuid = \"s@x\"\nsince = \"2026-11-21T00:00:00Z\"\n";
        let e = Ledger::from_toml(text).unwrap_err();
        assert_eq!(
            e,
            "[[missing]] 1 and 3 of the ledger are both for uid `s@x`, expected one entry per summit occurrence"
        );
    }

    #[test]
    fn round_trips_sorted_and_readable() {
        let mut l = Ledger {
            since: Some(t("2026-11-01T00:00:00Z")),
            ..Ledger::default()
        };
        l.upsert(entry(
            "b@x",
            Kind::Step(Step::Handover),
            0,
            "team@x.org",
            State::Sent,
        ));
        l.upsert(entry(
            "a@x",
            Kind::Correction,
            1,
            "list@x.org",
            State::Intent,
        ));
        l.upsert(entry(
            "a@x",
            Kind::Step(Step::Reminder),
            0,
            "list@x.org",
            State::Sent,
        ));
        let text = l.to_toml();
        assert!(text.starts_with("# The send ledger"), "{text}");
        assert!(text.contains("version = 1\n"), "{text}");
        assert!(text.contains("[[message]]\nuid = \"a@x\""), "{text}");
        assert!(text.contains("state = \"intent\""), "{text}");
        let order: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("step = "))
            .collect();
        assert_eq!(
            order,
            ["\"reminder\"", "\"correction\"", "\"handover\""],
            "{text}"
        );
        let back = Ledger::from_toml(&text).unwrap();
        assert_eq!(back, l);
        assert_eq!(back.to_toml(), text, "stable text");
    }

    #[test]
    fn the_feed_state_round_trips_and_follows_a_new_uid() {
        let mut l = Ledger::default();
        let old = OccurrenceKey {
            uid: "old@x".into(),
            original: Some(When::Timed(t("2026-11-26T16:00:00Z"))),
        };
        let new = OccurrenceKey {
            uid: "new@x".into(),
            ..old.clone()
        };
        l.upsert(entry(
            "old@x",
            Kind::Step(Step::Reminder),
            0,
            "a@x.org",
            State::Sent,
        ));
        l.missing.insert(old.clone(), t("2026-11-23T17:00:00Z"));
        l.feed_empty_since = Some(t("2026-11-24T00:00:00Z"));
        let text = l.to_toml();
        assert!(
            text.contains("feed-empty-since = \"2026-11-24T00:00:00Z\""),
            "{text}"
        );
        assert_eq!(Ledger::from_toml(&text).unwrap(), l);
        let id = l.entries().next().unwrap().message_id.clone();
        assert_eq!(l.rekey(&old, &new), 1);
        let e = l.entries().next().unwrap();
        assert_eq!((&e.key.occurrence, &e.message_id), (&new, &id));
        assert_eq!(l.missing.keys().collect::<Vec<_>>(), [&new]);
        assert_eq!(Ledger::from_toml(&l.to_toml()).unwrap(), l);
    }

    #[test]
    fn rejects_what_it_does_not_understand() {
        let mut l = Ledger::default();
        l.upsert(entry(
            "a@x",
            Kind::Step(Step::Reminder),
            0,
            "l@x.org",
            State::Sent,
        ));
        let good = l.to_toml();
        for (from, to, needle) in [
            ("version = 1", "version = 9", "version `9`"),
            ("state = \"sent\"", "state = \"gone\"", "line "),
            ("step = \"reminder\"", "step = \"remind\"", "step `remind`"),
            (
                "message-id = \"0123abcd.reminder.20261126@example.org\"",
                "message-id = \"x\\r\\nBcc: evil@x.org\"",
                "is not a Message-ID",
            ),
            (
                "due = \"2026-11-23T16:00:00Z\"",
                "due = \"soon\"",
                "due `soon`",
            ),
        ] {
            let bad = good.replacen(from, to, 1);
            assert_ne!(bad, good, "{from}");
            let e = Ledger::from_toml(&bad).unwrap_err();
            assert!(e.contains(needle), "{e} should contain {needle}");
        }
    }

    #[test]
    fn message_ids_are_validated() {
        assert!(valid_message_id("ab12.reminder.20261126@example.org"));
        for bad in [
            "",
            "no-at",
            "a@b@c",
            "a b@c",
            "a@b\r\nX: y",
            "<a@b>",
            "a..b@c",
            ".a@c",
        ] {
            assert!(!valid_message_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn load_missing_is_empty_and_save_is_loadable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        assert_eq!(Ledger::load(&path).unwrap(), Ledger::default());
        let mut l = Ledger::default();
        l.upsert(entry(
            "a@x",
            Kind::Step(Step::Outreach),
            0,
            "ada@x.org",
            State::Failed,
        ));
        l.save(&path).unwrap();
        assert_eq!(Ledger::load(&path).unwrap(), l);
        std::fs::write(&path, "garbage = [").unwrap();
        let err = Ledger::load(&path).unwrap_err();
        assert_eq!(err.exit_code(), 1);
        assert!(err.to_string().contains("ledger.toml"), "{err}");
    }

    /// `entry` with its own Message-ID and, for `date`, its summit (announced and
    /// original) on that day at 16:00 UTC.
    fn at(uid: &str, kind: Kind, to: &str, state: State, id: &str, date: &str) -> Entry {
        let start = t(&format!("{date}T16:00:00Z"));
        let mut e = entry(uid, kind, u32::from(kind == Kind::Correction), to, state);
        e.key.occurrence.original = Some(When::Timed(start));
        e.announced.start = When::Timed(start);
        e.announced.end = When::Timed(start + chrono::Duration::hours(2));
        e.due = start - chrono::Duration::days(3);
        e.message_id = Some(id.into());
        e
    }

    fn sample() -> Ledger {
        let mut l = Ledger::default();
        let r = Kind::Step(Step::Reminder);
        let o = Kind::Step(Step::Outreach);
        for e in [
            at(
                "s@x",
                r,
                "list@x.org",
                State::Sent,
                "aa11.reminder.20261126@x.org",
                "2026-11-26",
            ),
            at(
                "s@x",
                o,
                "ada@x.org",
                State::Intent,
                "bb22.outreach.20261126@x.org",
                "2026-11-26",
            ),
            at(
                "s@x",
                o,
                "bob@x.org",
                State::Failed,
                "bb33.outreach.20261126@x.org",
                "2026-11-26",
            ),
            at(
                "s@x",
                r,
                "list@x.org",
                State::Missed,
                "cc44.reminder.20260826@x.org",
                "2026-08-26",
            ),
            at(
                "other@x",
                r,
                "list@x.org",
                State::Sent,
                "dd55.reminder.20261126@x.org",
                "2026-11-26",
            ),
        ] {
            l.upsert(e);
        }
        l
    }

    fn ids(found: &[&Entry]) -> Vec<String> {
        found
            .iter()
            .map(|e| e.message_id.clone().unwrap())
            .collect()
    }

    #[test]
    fn selects_by_message_id_whole_bracketed_or_by_unique_prefix() {
        let l = sample();
        let by = |s: &str| l.select(&Selector::MessageId(s.into())).map(|f| ids(&f));
        let want = Ok(vec!["bb22.outreach.20261126@x.org".to_string()]);
        assert_eq!(by("bb22.outreach.20261126@x.org"), want);
        assert_eq!(by(" <bb22.outreach.20261126@x.org> "), want);
        assert_eq!(by("bb2"), want);
        match by("bb") {
            Err(e @ SelectError::AmbiguousId { .. }) => {
                let m = e.to_string();
                assert!(m.starts_with("Message-ID `bb` matches 2 messages"), "{m}");
                assert!(m.contains("`<bb33.outreach.20261126@x.org>`"), "{m}");
            }
            other => panic!("{other:?}"),
        }
        for missing in ["zz", "", "<>", "outreach"] {
            let e = by(missing).unwrap_err();
            assert!(matches!(e, SelectError::NoMatch(_)), "{missing}: {e:?}");
            assert!(
                e.to_string()
                    .contains("expected one that `summit ledger list --all` shows")
            );
        }
    }

    #[test]
    fn selects_a_step_of_one_summit_by_date_every_recipient_or_one() {
        let mut l = sample();
        let step = |date: &str, kind: Kind, to: Option<&str>| Selector::Step {
            date: date.parse().unwrap(),
            kind,
            to: to.map(Into::into),
        };
        let outreach = Kind::Step(Step::Outreach);
        assert_eq!(
            ids(&l.select(&step("2026-11-26", outreach, None)).unwrap()),
            [
                "bb22.outreach.20261126@x.org",
                "bb33.outreach.20261126@x.org"
            ]
        );
        assert_eq!(
            ids(&l
                .select(&step("2026-11-26", outreach, Some("<BOB@x.org>")))
                .unwrap()),
            ["bb33.outreach.20261126@x.org"]
        );
        let e = l
            .select(&step("2026-11-26", outreach, Some("eve@x.org")))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "no message in the ledger is the outreach of a summit on 2026-11-26 to `eve@x.org`, expected one that `summit ledger list --all` shows"
        );
        assert!(matches!(
            l.select(&step("2026-11-27", outreach, None)),
            Err(SelectError::NoMatch(_))
        ));
        // Two summits (UIDs) have a reminder that day.
        let e = l
            .select(&step("2026-11-26", Kind::Step(Step::Reminder), None))
            .unwrap_err();
        assert!(
            e.to_string().starts_with("`--summit 2026-11-26` matches 2 summits in the ledger (uid `other@x` instance `2026-11-26T16:00:00Z`, uid `s@x` instance"),
            "{e}"
        );
        // A moved summit is found by its new date and by its original one.
        let mut moved = at(
            "m@x",
            Kind::Step(Step::Handover),
            "team@x.org",
            State::Intent,
            "ee66.handover.20261201@x.org",
            "2026-12-01",
        );
        moved.announced.start = When::Timed(t("2026-12-02T16:00:00Z"));
        l.upsert(moved);
        for date in ["2026-12-01", "2026-12-02"] {
            assert_eq!(
                ids(&l
                    .select(&step(date, Kind::Step(Step::Handover), None))
                    .unwrap()),
                ["ee66.handover.20261201@x.org"],
                "{date}"
            );
        }
        assert!(matches!(
            l.select(&step("2026-11-26", Kind::Correction, None)),
            Err(SelectError::NoMatch(_))
        ));
    }

    #[test]
    fn marking_sent_keeps_when_it_left_and_says_who_settled_it() {
        let now = t("2026-11-24T09:00:00Z");
        let intent = entry(
            "a@x",
            Kind::Step(Step::Reminder),
            0,
            "l@x.org",
            State::Intent,
        );
        let m = intent.marked_sent(now);
        assert_eq!(m.state, State::Sent);
        assert_eq!(m.sent_at, intent.intent_at, "left when it was handed over");
        assert_eq!(m.marked_at, Some(now));
        assert_eq!((m.attempts, &m.key), (intent.attempts, &intent.key));
        let mut failed = intent.clone();
        failed.state = State::Failed;
        failed.error = Some("451 later".into());
        failed.intent_at = None;
        let m = failed.marked_sent(now);
        assert_eq!(
            (m.state, m.sent_at, m.error),
            (State::Sent, Some(now), None)
        );
        let mut missed = intent.clone();
        missed.state = State::Missed;
        missed.unconfirmed = true;
        assert!(!missed.marked_sent(now).unconfirmed);
        let sent = entry("a@x", Kind::Step(Step::Reminder), 0, "l@x.org", State::Sent);
        assert_eq!(sent.marked_sent(now), sent, "already sent: unchanged");
        // The mark survives the file.
        let mut l = Ledger::default();
        l.upsert(intent.marked_sent(now));
        let text = l.to_toml();
        assert!(
            text.contains("marked-at = \"2026-11-24T09:00:00Z\""),
            "{text}"
        );
        assert_eq!(Ledger::from_toml(&text).unwrap(), l);
        assert_eq!(l.remove(&intent.key).map(|e| e.state), Some(State::Sent));
        assert_eq!(l, Ledger::default());
    }

    #[test]
    fn the_listing_keeps_recent_summits_and_every_intent_in_due_order() {
        let mut l = sample();
        let mut old_intent = at(
            "s@x",
            Kind::Step(Step::Handover),
            "team@x.org",
            State::Intent,
            "ff77.handover.20260726@x.org",
            "2026-07-26",
        );
        old_intent.due = t("2026-07-26T20:00:00Z");
        l.upsert(old_intent);
        let listed = |f: &Filter| -> Vec<Vec<String>> {
            l.listing(f).into_iter().map(|(_, es)| ids(&es)).collect()
        };
        assert_eq!(
            listed(&Filter::default()),
            [
                vec!["ff77.handover.20260726@x.org"],
                vec!["cc44.reminder.20260826@x.org"],
                vec!["dd55.reminder.20261126@x.org"],
                vec![
                    "aa11.reminder.20261126@x.org",
                    "bb22.outreach.20261126@x.org",
                    "bb33.outreach.20261126@x.org"
                ],
            ]
            .map(|g| g.into_iter().map(String::from).collect::<Vec<_>>())
        );
        let recent = Filter {
            states: Vec::new(),
            since: Some(t("2026-09-01T00:00:00Z")),
            adopted_before: None,
        };
        let got = listed(&recent);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[0],
            ["ff77.handover.20260726@x.org"],
            "an old intent stays"
        );
        let intents = Filter {
            states: vec![State::Intent, State::Failed],
            since: None,
            adopted_before: None,
        };
        assert_eq!(
            listed(&intents).concat(),
            [
                "ff77.handover.20260726@x.org",
                "bb22.outreach.20261126@x.org",
                "bb33.outreach.20261126@x.org"
            ]
        );
    }

    #[test]
    fn states_and_kinds_parse_from_their_names() {
        for s in State::ALL {
            assert_eq!(s.name().parse::<State>(), Ok(s));
        }
        assert!(
            "sending"
                .parse::<State>()
                .unwrap_err()
                .contains("`sending`")
        );
        assert_eq!("correction".parse::<Kind>(), Ok(Kind::Correction));
        assert_eq!(
            "agenda-vote".parse::<Kind>(),
            Ok(Kind::Step(Step::AgendaVote))
        );
        let e = "vote".parse::<Kind>().unwrap_err();
        assert!(e.contains("`vote`") && e.contains("`correction`"), "{e}");
    }
}
