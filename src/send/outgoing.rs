//! One message to send ([`Outgoing`]): what it is, to whom, its ledger key and how
//! it threads.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;

use crate::config::MailConfig;
use crate::ledger::{About, Announced, Entry, Key, Ledger, Proposal};
use crate::mail::{self, Change};
use crate::model::{Kind, Occurrence, OccurrenceKey, Recipients, Step};
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;

use super::notice::{Notice, describe};

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

    /// Its Message-ID (without angle brackets), the one [`crate::send::compose`] gives its draft.
    pub fn message_id(&self, mail: &MailConfig) -> String {
        if let Some(channel) = &self.key.channel {
            return mail::channel_message_id(
                &self.summit.summit,
                self.key.kind,
                self.key.seq,
                channel,
                mail,
            );
        }
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

/// The ledger key of `step` of `summit` to `to` by e-mail, or posted to `channel`
/// (`to` empty).
pub fn step_key(summit: &Occurrence, step: Step, to: &[Mailbox], channel: Option<&str>) -> Key {
    Key {
        occurrence: OccurrenceKey::of(summit),
        kind: Kind::Step(step),
        seq: 0,
        to: to_key(to),
        channel: channel.map(str::to_string),
    }
}

/// The recipients `to` as the ledger keys them ([`Recipients`]).
pub fn to_key(to: &[Mailbox]) -> Recipients {
    Recipients::of(to.iter().map(|m| &m.email))
}

/// The Message-ID every e-mail about `summit` threads under: its reminder's to the
/// first public list, as recorded in the ledger (else any recorded reminder's), else as
/// it would be drafted.
pub(super) fn thread_root(summit: &Occurrence, ledger: &Ledger, mail: &MailConfig) -> String {
    let occ = OccurrenceKey::of(summit);
    let first = &mail.public_list[..1];
    let first_key = to_key(first);
    // E-mail only: a channel's post is not a message an e-mail can reply to.
    let reminders: Vec<&Entry> = ledger
        .of_occurrence(&occ)
        .filter(|e| e.key.kind == Kind::Step(Step::Reminder) && e.key.channel.is_none())
        .filter(|e| e.maybe_delivered())
        .collect();
    reminders
        .iter()
        .filter(|e| e.key.to == first_key)
        .chain(&reminders)
        .find_map(|e| e.message_id.clone())
        .unwrap_or_else(|| mail::message_id(summit, Kind::Step(Step::Reminder), 0, first, mail))
}

/// The order in which entries of one occurrence and recipient were announced.
pub(super) fn announced_order(e: &Entry) -> (Option<DateTime<Utc>>, Kind, u32) {
    (e.intent_at.or(e.sent_at), e.key.kind, e.key.seq)
}

/// What to do now.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The messages to send, in due order.
    pub sends: Vec<Outgoing>,
    /// What to report.
    pub notices: Vec<Notice>,
    /// What the ledger should now say of the feed ([`Ledger::missing`],
    /// [`Ledger::feed_empty_since`]); `None` when this plan did not look (`send`).
    pub feed: Option<FeedState>,
}

/// What the ledger keeps of the feed between runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedState {
    /// See [`Ledger::missing`].
    pub missing: BTreeMap<OccurrenceKey, DateTime<Utc>>,
    /// See [`Ledger::feed_empty_since`].
    pub empty_since: Option<DateTime<Utc>>,
}

impl FeedState {
    /// Records it in `ledger`; whether that changed anything.
    pub fn apply(self, ledger: &mut Ledger) -> bool {
        let changed = ledger.missing != self.missing || ledger.feed_empty_since != self.empty_since;
        ledger.missing = self.missing;
        ledger.feed_empty_since = self.empty_since;
        changed
    }
}

/// What planning reads besides the summits: the ledger, the inputs and their `[mail]`,
/// the instant (UTC) and whether unconfirmed intents are sent again (`--retry`).
#[derive(Clone, Copy)]
pub struct Planning<'a> {
    /// The ledger, as read (under the lock, for `tick` and `send`).
    pub ledger: &'a Ledger,
    /// The configuration, the facilitation record and the agenda.
    pub config: &'a Inputs,
    /// The configuration's `[mail]`.
    pub mail: &'a MailConfig,
    /// Now (UTC).
    pub now: DateTime<Utc>,
    /// Whether unconfirmed intents inside their windows are sent again.
    pub retry: bool,
}
