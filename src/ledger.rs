//! The send ledger: which message of which step of which summit occurrence went to whom,
//! when, and under which Message-ID.
//!
//! It lives in the state directory as `ledger.toml`, one `[[message]]` table per
//! message, sorted by its key (summit UID, original start, step, correction number,
//! recipient), so it reads well and diffs well. It is only ever replaced whole through
//! [`crate::state::write_atomically`], under the state directory's lock.
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

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{Occurrence, When};
use crate::error::{Error, Result};
use crate::state::write_atomically;
use crate::timeline::Step;

/// The ledger's file name in the state directory.
pub const FILE: &str = "ledger.toml";

/// The format version this build reads and writes.
const VERSION: u32 = 1;

/// What a message is about: one of the timeline's steps, or a correction sent after an
/// announced summit moved or was cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A timeline step.
    Step(Step),
    /// A correction of what was announced.
    Correction,
}

impl Kind {
    /// The name used in the ledger, in Message-IDs and in output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Step(s) => s.name(),
            Kind::Correction => "correction",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        if s == "correction" {
            return Some(Kind::Correction);
        }
        s.parse().ok().map(Kind::Step)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The identity of a summit occurrence that survives a move: its UID and, for an
/// instance of a recurring series, its original start (RECURRENCE-ID). A single event
/// is identified by its UID alone.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OccurrenceKey {
    /// The VEVENT's UID.
    pub uid: String,
    /// The RECURRENCE-ID, `None` for an event that does not recur.
    pub original: Option<When>,
}

impl OccurrenceKey {
    /// The key of `o`.
    pub fn of(o: &Occurrence) -> Self {
        OccurrenceKey {
            uid: o.uid.clone(),
            original: o.recurrence_id,
        }
    }
}

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

/// The state of a message; see the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// About to be handed to the transport; outcome unknown until confirmed.
    Intent,
    /// Accepted by the transport.
    Sent,
    /// Definitely not accepted; retried inside the window.
    Failed,
    /// Its window closed before it was sent; reported once.
    Missed,
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            State::Intent => "intent",
            State::Sent => "sent",
            State::Failed => "failed",
            State::Missed => "missed",
        })
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
}

impl Announced {
    /// `o` as it stands, `cancelled` or not.
    pub fn of(o: &Occurrence, cancelled: bool) -> Self {
        Announced {
            start: o.start,
            end: o.end,
            summary: crate::mail::render::one_line(&o.summary),
            cancelled,
        }
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
}

impl Entry {
    /// Whether its recipients may have received it: sent, or handed over without a
    /// confirmation.
    pub fn maybe_delivered(&self) -> bool {
        matches!(self.state, State::Sent | State::Intent) || self.unconfirmed
    }
}

/// The ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// When the ledger was started (the first `tick` or `send`): steps due before then
    /// that were never sent are not reported as missed.
    pub since: Option<DateTime<Utc>>,
    entries: BTreeMap<Key, Entry>,
}

impl Ledger {
    /// Reads the ledger at `path`; a missing file is an empty ledger.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::State`] naming the entry and
    /// value when it is not a ledger this version understands (it is then left alone).
    pub fn load(path: &Path) -> Result<Ledger> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::default()),
            Err(e) => return Err(Error::io(path, e)),
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
        write_atomically(path, self.to_toml().as_bytes())
    }

    /// The entry of `key`.
    pub fn get(&self, key: &Key) -> Option<&Entry> {
        self.entries.get(key)
    }

    /// Adds `entry`, replacing the one with the same key.
    pub fn upsert(&mut self, entry: Entry) {
        self.entries.insert(entry.key.clone(), entry);
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
        let mut entries = BTreeMap::new();
        for (i, r) in raw.message.into_iter().enumerate() {
            let e = r
                .into_entry()
                .map_err(|m| format!("message {} of the ledger: {m}", i + 1))?;
            entries.insert(e.key.clone(), e);
        }
        Ok(Ledger { since, entries })
    }
}

const HEADER: &str = "\
# The send ledger of `summit`: one [[message]] per e-mail that `summit tick` or
# `summit send` sent, tried to send or missed, keyed by the summit's UID, its original
# start, the step (or correction number) and the recipient.
#
# state = \"intent\" means the process stopped between handing the message over and
# recording the outcome: it may or may not have been delivered. Check the list archive
# for its Message-ID, then either run `summit tick --retry` to send it again or change
# the state to \"sent\".
";

/// Whether `id` (without angle brackets) is a well-formed Message-ID made of plain
/// characters: `dot-atom-text "@" dot-atom-text` (RFC 5322 §3.6.4), so that it is safe
/// in a header.
pub fn valid_message_id(id: &str) -> bool {
    fn dot_atom(s: &str) -> bool {
        !s.is_empty()
            && s.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
            })
    }
    id.len() <= 250
        && id
            .split_once('@')
            .is_some_and(|(l, r)| dot_atom(l) && dot_atom(r))
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
#[serde(deny_unknown_fields)]
struct RawLedger {
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    since: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    message: Vec<RawEntry>,
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
        }
    }
}

impl RawEntry {
    fn into_entry(self) -> std::result::Result<Entry, String> {
        let kind = Kind::parse(&self.step).ok_or_else(|| {
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
            },
            intent_at: opt(self.intent_at, "intent-at")?,
            sent_at: opt(self.sent_at, "sent-at")?,
            failed_at: opt(self.failed_at, "failed-at")?,
            missed_at: opt(self.missed_at, "missed-at")?,
            attempts: self.attempts,
            error: self.error,
            unconfirmed: self.unconfirmed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            },
            intent_at: Some(t("2026-11-23T16:00:00Z")),
            sent_at: (state == State::Sent).then(|| t("2026-11-23T16:00:01Z")),
            failed_at: None,
            missed_at: None,
            attempts: 1,
            error: None,
            unconfirmed: false,
        }
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
}
