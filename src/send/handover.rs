//! The facilitation record around handovers: read before they are handed over (a
//! record that cannot be read stops the run), appended to after.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{OccurrenceKey, Step};
use crate::plan::inputs::Inputs;
use crate::plan::summit::{self, Planned};

use super::outgoing::{Outgoing, What};

/// Appends to the facilitation record (`rotation.record`), before the handovers in
/// `batch` are handed over, the summit each is about (when it is not recorded yet) and
/// the next summit with the facilitator the handover names, so that what a handover
/// announced stays as announced whatever the roster says later. The record is read
/// again first, under the state directory's lock, and written only when it changes.
///
/// It is called after delivery, with the messages handed to the transport (sent, or
/// of unknown outcome), under the state directory's lock; new entries are appended to
/// the file, which keeps its comments, formatting and mode ([`crate::record::append`]).
///
/// # Errors
/// When the record cannot be read or written.
pub(super) fn record_handovers<'a>(
    config: &Inputs,
    handed: impl Iterator<Item = &'a Outgoing>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(path) = &config.rotation.record else {
        return Ok(());
    };
    let handovers: Vec<&Outgoing> = handed
        .filter(|o| matches!(o.what, What::Step(Step::Handover)))
        .collect();
    if handovers.is_empty() {
        return Ok(());
    }
    let mut record = crate::record::Record::load(path)?;
    let entry = |p: &Planned, decided: crate::record::Decided| {
        p.facilitator.as_ref().map(|m| crate::record::Entry {
            date: p.summit.start.date_utc(),
            key: Some(OccurrenceKey::of(&p.summit)),
            email: m.email.clone(),
            name: Some(m.name.clone()),
            decided,
            recorded: Some(now),
        })
    };
    let mut added = Vec::new();
    for o in handovers {
        let next = o.next.as_ref().and_then(|next| {
            let decided = if summit::pinned(next, config) {
                crate::record::Decided::Pin
            } else {
                crate::record::Decided::Handover
            };
            entry(next, decided)
        });
        for e in entry(&o.summit, crate::record::Decided::Held)
            .into_iter()
            .chain(next)
        {
            if record.add(e.clone()) {
                added.push(e);
            }
        }
    }
    crate::record::append(path, &added)
}

/// Reads the facilitation record when `outgoing` holds a handover, so that a record
/// that cannot be read stops the run before anything is sent.
///
/// # Errors
/// As [`crate::record::Record::load`].
pub(super) fn check_record<'a>(
    config: &Inputs,
    mut outgoing: impl Iterator<Item = &'a Outgoing>,
) -> Result<()> {
    match &config.rotation.record {
        Some(path) if outgoing.any(|o| matches!(o.what, What::Step(Step::Handover))) => {
            crate::record::Record::load(path).map(drop)
        }
        _ => Ok(()),
    }
}
