//! The exactly-once protocol ([`deliver`]): record the intent (flushed to disk), hand
//! the message over, record the outcome. A run killed in between leaves an intent,
//! which later runs report and do not resend unless told to (`--retry`) or until an
//! operator settles it (`summit ledger mark-sent`, [`super::Outgoing::marked_sent`]).

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ledger::{Entry, Ledger};
use crate::mail::Draft;

use super::outgoing::Outgoing;
use super::transport::{Outcome, Transport};

/// What became of one message in [`deliver`].
#[derive(Clone, Debug)]
pub struct Delivered {
    /// The message.
    pub outgoing: Outgoing,
    /// Its Message-ID.
    pub message_id: String,
    /// Its outcome.
    pub outcome: Outcome,
}

/// Delivers `batch` through `transport` under the exactly-once protocol, recording each
/// step in `ledger` and persisting it with `save` (which must be durable when it
/// returns): the intent before the message is handed over, the outcome after.
///
/// Stops at the first message whose outcome is unknown, or when the transport is
/// unusable; the messages not tried are left for the next run. `on_outcome` is told of
/// each message as soon as its outcome is recorded.
///
/// # Errors
/// When `save` fails: before a message is handed over (it is then not handed over), or
/// after (its intent stays on disk, so it is reported, not resent).
pub fn deliver(
    batch: Vec<(Outgoing, Draft)>,
    ledger: &mut Ledger,
    transport: &mut dyn Transport,
    now: DateTime<Utc>,
    save: &mut dyn FnMut(&Ledger) -> Result<()>,
    on_outcome: &mut dyn FnMut(&Delivered),
) -> Result<Vec<Delivered>> {
    let mut done = Vec::new();
    for (o, draft) in batch {
        let about = o.about(Some(draft.message_id.clone()));
        let intent = Entry::intent(about, o.previous.as_ref(), now);
        ledger.upsert(intent.clone());
        save(ledger)?;
        let outcome = transport.deliver(&draft.message);
        let (stop, record) = match &outcome {
            Outcome::Sent => (false, Some(intent.sent(now))),
            Outcome::NotSent { reason, fatal } => {
                (*fatal, Some(intent.failed(reason.clone(), now)))
            }
            Outcome::Unknown(_) => (true, None),
        };
        if let Some(entry) = record {
            ledger.upsert(entry);
            save(ledger)?;
        }
        let d = Delivered {
            outgoing: o,
            message_id: draft.message_id,
            outcome,
        };
        on_outcome(&d);
        done.push(d);
        if stop {
            break;
        }
    }
    Ok(done)
}
