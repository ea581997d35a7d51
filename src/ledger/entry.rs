//! One ledger entry and its state machine: how a message becomes an intent, then sent
//! or failed, or missed, and how an operator marks it sent.

use chrono::{DateTime, Utc};

use super::{Announced, Key, Proposal};
use crate::model::State;

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
    /// For a message to a channel: what the channel calls what it posted (a Matrix
    /// event ID, a Discourse `TOPIC/POST`, a Mastodon status ID), so later steps thread
    /// under it and corrections edit it.
    pub posted: Option<String>,
}

/// What an entry records a message as, whatever its state: its key, Message-ID, due
/// time, the summit as it announces it and, for a handover, the facilitator it proposes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct About {
    /// What it is.
    pub key: Key,
    /// Its Message-ID, without angle brackets; `None` when it could not be drafted.
    pub message_id: Option<String>,
    /// When its step was due.
    pub due: DateTime<Utc>,
    /// The summit as this message announces it.
    pub announced: Announced,
    /// For a handover: the next summit's facilitator it proposes.
    pub proposes: Option<Proposal>,
}

impl Entry {
    /// The one place an entry is put together: `about` in `state`, with the history of
    /// `previous` (its entry from an earlier run: when it was last handed over and
    /// failed, how many times it was handed over, its last error).
    fn new(about: About, previous: Option<&Entry>, state: State) -> Entry {
        Entry {
            key: about.key,
            state,
            message_id: about.message_id,
            due: about.due,
            announced: about.announced,
            intent_at: previous.and_then(|e| e.intent_at),
            sent_at: None,
            failed_at: previous.and_then(|e| e.failed_at),
            missed_at: None,
            attempts: previous.map_or(0, |e| e.attempts),
            error: previous.and_then(|e| e.error.clone()),
            unconfirmed: false,
            marked_at: None,
            proposes: about.proposes,
            posted: previous.and_then(|e| e.posted.clone()),
        }
    }

    /// The `intent` recorded just before the message is handed to the transport at
    /// `now`: one more attempt than `previous` (a failed attempt, or an intent resent
    /// with `--retry`), whose last failure and error it keeps until the outcome is known.
    pub fn intent(about: About, previous: Option<&Entry>, now: DateTime<Utc>) -> Entry {
        let mut e = Entry::new(about, previous, State::Intent);
        e.intent_at = Some(now);
        e.attempts += 1;
        e
    }

    /// The entry of a message that failed at `now` before it was handed to the transport
    /// (it could not be drafted): `failed` with `reason`, keeping when `previous` was
    /// handed over and how often, so the next run inside its window tries again.
    pub fn not_handed_over(
        about: About,
        previous: Option<&Entry>,
        reason: impl Into<String>,
        now: DateTime<Utc>,
    ) -> Entry {
        Entry::new(about, previous, State::Failed).failed(reason, now)
    }

    /// The entry of a message whose window closed at or before `now` before it was sent:
    /// `missed` with `reason`, keeping the attempts of `previous`; `unconfirmed` when
    /// `previous` is an intent (it may have been delivered).
    pub fn closed(
        about: About,
        previous: Option<&Entry>,
        reason: impl Into<String>,
        now: DateTime<Utc>,
    ) -> Entry {
        let state = previous.map_or(State::Missed, |e| e.state);
        Entry::new(about, previous, state).missed(reason, now)
    }

    /// A step recorded as sent at `now` by an operator without `summit` ever handing it
    /// over (`summit ledger mark-sent --summit DATE --step STEP`): `sent`, `attempts` 0.
    pub fn marked(about: About, now: DateTime<Utc>) -> Entry {
        let mut e = Entry::new(about, None, State::Sent);
        e.sent_at = Some(now);
        e.marked_at = Some(now);
        e
    }

    /// This intent once the transport accepted it at `now`: `sent`, without the error of
    /// an earlier attempt.
    #[must_use]
    pub fn sent(self, now: DateTime<Utc>) -> Entry {
        Entry {
            state: State::Sent,
            sent_at: Some(now),
            error: None,
            ..self
        }
    }

    /// This entry with what the channel calls what it posted ([`Entry::posted`]), when
    /// it said.
    #[must_use]
    pub fn posted(self, id: Option<String>) -> Entry {
        Entry {
            posted: id.or(self.posted),
            ..self
        }
    }

    /// This entry once an attempt definitely failed at `now` (the transport refused it,
    /// or it could not be drafted): `failed` with `reason`, retried by the next run
    /// inside its window.
    #[must_use]
    pub fn failed(self, reason: impl Into<String>, now: DateTime<Utc>) -> Entry {
        Entry {
            state: State::Failed,
            failed_at: Some(now),
            error: Some(reason.into()),
            ..self
        }
    }

    /// This entry once its window closed at `now` before it was sent: `missed` with
    /// `reason`, and `unconfirmed` when it was an intent (handed over, never confirmed:
    /// it may have been delivered).
    #[must_use]
    pub fn missed(self, reason: impl Into<String>, now: DateTime<Utc>) -> Entry {
        Entry {
            state: State::Missed,
            missed_at: Some(now),
            error: Some(reason.into()),
            unconfirmed: self.unconfirmed || self.state == State::Intent,
            ..self
        }
    }

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
        self.key.to.contains(address)
    }
}
