//! What a run of `tick` or `send` says as it goes ([`Progress`]) and what it did
//! ([`Report`]: one [`Record`] per message or notice, the errors to report).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ledger::{Announced, Entry, Key};
use crate::model::{Kind, When};

use super::outgoing::Outgoing;

/// Where a run says what it does as it goes. The caller alone knows the terminal and
/// the output format: it prints warnings on standard error and, for people, the lines.
pub trait Progress {
    /// Warnings for the operator, one per element (the caller prints them on standard
    /// error); called with none when there is nothing to say.
    fn warn(&mut self, warnings: &[String]);

    /// One line for people: `already sent: …`, `would send …`, `sent …`. A caller
    /// printing machine output drops it.
    ///
    /// # Errors
    /// When the line cannot be written ([`Error::Io`] on standard output).
    fn say(&mut self, line: &str) -> Result<()>;

    /// How a line for people shows the instant `t`; default: RFC 3339 in UTC. The
    /// command line shows it as all its human output does, in the reader's zone.
    fn instant(&self, t: DateTime<Utc>) -> String {
        When::Timed(t).to_string()
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Report {
    /// One record per message sent, tried, drafted or recorded, and per notice.
    pub records: Vec<Record>,
    /// What went wrong, one line each, for people.
    pub errors: Vec<String>,
}

impl Report {
    /// `Ok` when nothing went wrong.
    ///
    /// # Errors
    /// [`Error::Delivery`] with the errors, one per line.
    pub fn result(&self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Delivery(self.errors.join("\n")))
        }
    }
}

/// What became of one message or notice: one element of `tick --json` and
/// `send --json`.
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    /// `sent`, `would-send`, `failed`, `unconfirmed`, `missed` or `already-sent`.
    pub action: &'static str,
    /// The step's name, or `correction`.
    pub step: &'static str,
    /// The correction's number, for corrections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correction: Option<u32>,
    /// The summit as the message announces it.
    pub summit: RecordSummit,
    /// The recipients' addresses, lowercase, in order (none for a channel).
    pub to: Vec<String>,
    /// The channel (`[[channels]]` `name`) of a message posted to one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The Message-ID, without angle brackets; `None` when it was never drafted.
    pub message_id: Option<String>,
    /// When it was due (UTC).
    pub due: When,
    /// Why it failed or was missed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The summit of a [`Record`].
#[derive(Clone, Debug, Serialize)]
pub struct RecordSummit {
    /// Its UID.
    pub uid: String,
    /// Its original start (RECURRENCE-ID), for an occurrence of a series.
    pub original: Option<When>,
    /// Its start as announced.
    pub start: When,
    /// Its title as announced.
    pub summary: String,
}

impl Record {
    /// The record of the message `key`.
    pub fn new(
        action: &'static str,
        key: &Key,
        announced: &Announced,
        due: DateTime<Utc>,
        message_id: Option<String>,
        detail: Option<String>,
    ) -> Self {
        Record {
            action,
            step: key.kind.name(),
            correction: (key.kind == Kind::Correction).then_some(key.seq),
            summit: RecordSummit {
                uid: key.occurrence.uid.clone(),
                original: key.occurrence.original,
                start: announced.start,
                summary: announced.summary.clone(),
            },
            to: key.to.addresses(),
            channel: key.channel.clone(),
            message_id,
            due: When::Timed(due),
            detail,
        }
    }

    /// The record of the ledger entry `e`.
    pub fn entry(action: &'static str, e: &Entry, detail: Option<String>) -> Self {
        Self::new(
            action,
            &e.key,
            &e.announced,
            e.due,
            e.message_id.clone(),
            detail,
        )
    }

    /// The record of `o`, drafted under the Message-ID `id`.
    pub fn outgoing(action: &'static str, o: &Outgoing, id: &str, detail: Option<String>) -> Self {
        Self::new(
            action,
            &o.key,
            &o.announced,
            o.due,
            Some(id.to_string()),
            detail,
        )
    }
}

/// What happens next to a message that was not sent: `the next tick retries it until …`.
pub fn retry_hint(o: &Outgoing) -> String {
    match o.until {
        Some(u) => format!("the next tick retries it until {}", When::Timed(u)),
        None => "the next tick retries it".into(),
    }
}
