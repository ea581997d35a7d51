//! One message to send ([`Outgoing`]): what it is, to whom, its ledger key and how
//! it threads.

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;

use crate::config::MailConfig;
use crate::ledger::{About, Announced, Entry, Key, Proposal};
use crate::mail::{self, Change};
use crate::model::{Kind, Occurrence, OccurrenceKey, Step};
use crate::plan::summit::Planned;

/// What an outgoing message is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// A timeline step.
    Step(Step),
    /// A correction: the summit was announced as `was` and has changed.
    Correction {
        /// How it changed.
        change: Change,
        /// As it was last announced to these recipients.
        was: Announced,
    },
}

/// One message to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Its ledger key.
    pub key: Key,
    /// What it is.
    pub what: What,
    /// When it was due.
    pub due: DateTime<Utc>,
    /// When it stops being useful (`None`: never).
    pub until: Option<DateTime<Utc>>,
    /// The summit it is about, with its facilitator.
    pub summit: Planned,
    /// The summit after it (for the handover).
    pub next: Option<Planned>,
    /// Its recipients.
    pub to: Vec<Mailbox>,
    /// The summit as this message announces it.
    pub announced: Announced,
    /// In-Reply-To.
    pub in_reply_to: Option<String>,
    /// References, oldest first.
    pub references: Vec<String>,
    /// Its ledger entry from an earlier attempt (failed, or an intent resent with
    /// `--retry`).
    pub previous: Option<Entry>,
    /// For a handover: the next summit's facilitator it proposes.
    pub proposes: Option<Proposal>,
}

impl Outgoing {
    /// `reminder of the summit on 2026-11-26 to developers@example.org`.
    pub fn describe(&self) -> String {
        describe(&self.key, &self.announced)
    }

    /// Its Message-ID (without angle brackets), the one [`compose`] gives its draft.
    pub fn message_id(&self, mail: &MailConfig) -> String {
        mail::message_id(
            &self.summit.summit,
            self.key.kind,
            self.key.seq,
            &self.to,
            mail,
        )
    }

    /// What its ledger entries record it as, under `message_id`.
    pub fn about(&self, message_id: Option<String>) -> About {
        About {
            key: self.key.clone(),
            message_id,
            due: self.due,
            announced: self.announced.clone(),
            proposes: self.proposes.clone(),
        }
    }

    /// Its ledger entry when it failed at `now` before it was handed over (it could not
    /// be drafted): `failed` with `reason`, retried by the next run inside its window.
    pub fn failed(&self, mail: &MailConfig, reason: &str, now: DateTime<Utc>) -> Entry {
        let about = self.about(Some(self.message_id(mail)));
        Entry::not_handed_over(about, self.previous.as_ref(), reason, now)
    }

    /// Its ledger entry once an operator records it as sent at `now` without `summit`
    /// sending it (`summit ledger mark-sent --summit DATE --step STEP`: the step was
    /// done by hand): its entry from an earlier attempt marked sent, else a new `sent`
    /// entry under its own Message-ID, never handed to the transport (`attempts` 0).
    pub fn marked_sent(&self, mail: &MailConfig, now: DateTime<Utc>) -> Entry {
        match &self.previous {
            Some(previous) => previous.marked_sent(now),
            None => Entry::marked(self.about(Some(self.message_id(mail))), now),
        }
    }
}

/// The ledger key of `step` of `summit` to `to`.
pub fn step_key(summit: &Occurrence, step: Step, to: &[Mailbox]) -> Key {
    Key {
        occurrence: OccurrenceKey::of(summit),
        kind: Kind::Step(step),
        seq: 0,
        to: to_key(to),
    }
}

/// Recipients as a ledger key: the addresses, lowercase, joined by `, `.
pub fn to_key(to: &[Mailbox]) -> String {
    to.iter()
        .map(|m| m.email.to_string().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `reminder of the summit on 2026-11-26 to developers@example.org`.
pub fn describe(key: &Key, announced: &Announced) -> String {
    let what = match key.kind {
        Kind::Correction => format!("correction {}", key.seq),
        k => k.name().to_string(),
    };
    let to = if key.to.is_empty() {
        String::new()
    } else {
        format!(" to {}", key.to)
    };
    format!(
        "the {what} of the summit on {}{to}",
        announced.start.date_utc()
    )
}
