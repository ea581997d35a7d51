//! The identity of a summit occurrence that survives a move (RFC 5545 §3.8.4.7 UID and
//! §3.8.4.4 RECURRENCE-ID).

use super::occurrence::{Occurrence, When};

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
