//! The ledger on disk: `ledger.toml` read, checked and written whole.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::{Announced, Entry, Key, Ledger, Named, Proposal, VERSION};
use crate::error::{Error, Result};
use crate::model::message::valid_message_id;
use crate::model::{Kind, OccurrenceKey, State, When};
use crate::store::{Links, MAX_LEDGER_BYTES, ReadError, read_bounded_text, write_private};

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
# start, the step (or correction number) and the recipient (or the channel).
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
        "{} step `{}`{seq} to {}",
        describe_occurrence(&key.occurrence),
        key.kind.name(),
        match &key.channel {
            Some(c) => format!("channel `{c}`"),
            None => format!("`{}`", key.to),
        }
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
    #[serde(default, skip_serializing_if = "String::is_empty")]
    to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    posted: Option<String>,
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
            to: e.key.to.to_string(),
            channel: e.key.channel.clone(),
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
            posted: e.posted.clone(),
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
                to: crate::model::Recipients::from_key(&self.to),
                channel: self.channel,
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
            posted: self.posted,
        })
    }
}
