//! What a run reports besides what it sends ([`Notice`]), and how it words it.

use chrono::{DateTime, Utc};

use crate::ledger::{Announced, Entry, Key};
use crate::model::{Kind, When};

/// What to tell the operator about a message handed over without a confirmation: how to
/// settle it once its Message-ID was looked up in the archive.
pub fn settle_hint(message_id: &str) -> String {
    format!(
        "look for Message-ID <{message_id}> in the archive, then run `summit ledger mark-sent {message_id}` if it arrived, or `summit tick --retry` to send it again"
    )
}

/// Something to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A message whose window closed before it was sent: reported once (a warning),
    /// then recorded as the entry given.
    Missed(Entry),
    /// A message handed over without a confirmation, still inside its window: reported
    /// on every run (an error) until `--retry` resends it or `summit ledger mark-sent`
    /// (or `forget`) settles it.
    Unconfirmed(Entry),
    /// A message that cannot be drafted on this run for a reason that may be mended in
    /// time (the agenda cannot be read): an error on every run while its window is
    /// open, then recorded as missed with the reason.
    Blocked {
        /// Its key, without recipients (they cannot be known).
        key: Key,
        /// The summit as it would announce it.
        announced: Announced,
        /// When it was due.
        due: DateTime<Utc>,
        /// Why, naming the file and value.
        reason: String,
        /// When its window closes.
        until: Option<DateTime<Utc>>,
    },
    /// The feed lists no summit at all while the ledger knows `known`, one coming or
    /// just held: nothing is sent or cancelled until it does (an error on every run).
    EmptyFeed {
        /// Since when the feed has listed no summit.
        since: DateTime<Utc>,
        /// The nearest summit the ledger knows, as last announced.
        known: Announced,
    },
    /// A message that was already sent (reported by `send`).
    AlreadySent(Entry),
    /// A message whose window had closed before the ledger was started (the first run
    /// in a state directory, or a summit before it): recorded as missed as the entry
    /// given, and counted in one line rather than reported on its own.
    Adopted(Entry),
}

impl Notice {
    /// The ledger key it is about; `None` for a feed that lists no summit.
    pub fn key(&self) -> Option<&Key> {
        match self {
            Notice::Missed(e)
            | Notice::Unconfirmed(e)
            | Notice::AlreadySent(e)
            | Notice::Adopted(e) => Some(&e.key),
            Notice::Blocked { key, .. } => Some(key),
            Notice::EmptyFeed { .. } => None,
        }
    }

    /// The notice for people, on one line.
    pub fn message(&self) -> String {
        match self {
            Notice::Missed(e) => {
                format!(
                    "{} was not sent: {}",
                    describe(&e.key, &e.announced),
                    e.error.as_deref().unwrap_or("its window closed")
                )
            }
            Notice::Unconfirmed(e) => format!(
                "{} was handed over at {} but never confirmed (the run was interrupted), so it may or may not have been delivered; it is not sent again: {}",
                describe(&e.key, &e.announced),
                e.intent_at
                    .map(|t| When::Timed(t).to_string())
                    .unwrap_or_default(),
                settle_hint(e.message_id.as_deref().unwrap_or("?")),
            ),
            Notice::Blocked {
                key,
                announced,
                reason,
                until,
                ..
            } => format!(
                "{} was not sent: {reason}; the next tick tries it again{}",
                describe(key, announced),
                until
                    .map(|u| format!(" until {}", When::Timed(u)))
                    .unwrap_or_default()
            ),
            Notice::EmptyFeed { since, known } => format!(
                "the feed lists no summit matching `calendar.summit` (since {}), though it listed the summit on {}: nothing is sent, and nothing is taken as cancelled, until it lists summits again; check the feed and `calendar.summit`",
                When::Timed(*since),
                known.start.date_utc()
            ),
            Notice::Adopted(e) => format!(
                "{} was not sent: {}",
                describe(&e.key, &e.announced),
                e.error.as_deref().unwrap_or("its window closed")
            ),
            Notice::AlreadySent(e) => format!(
                "{} was already sent at {} (Message-ID <{}>)",
                describe(&e.key, &e.announced),
                e.sent_at
                    .map(|t| When::Timed(t).to_string())
                    .unwrap_or_default(),
                e.message_id.as_deref().unwrap_or("?"),
            ),
        }
    }
}

/// `reminder of the summit on 2026-11-26 to developers@example.org`.
pub fn describe(key: &Key, announced: &Announced) -> String {
    let what = match key.kind {
        Kind::Correction => format!("correction {}", key.seq),
        k => k.name().to_string(),
    };
    let to = if key.to.is_empty() && key.channel.is_none() {
        String::new()
    } else {
        format!(" to {}", key.destination())
    };
    format!(
        "the {what} of the summit on {}{to}",
        announced.start.date_utc()
    )
}
