//! Drafting an outgoing message ([`compose`]): the step's or correction's e-mail with
//! its threading headers and, for the reminder and corrections, the summit as an
//! iCalendar attachment.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ledger::Announced;
use crate::mail::{self, Draft, Extras, PostDraft, Templates};
use crate::model::Step;
use crate::plan::inputs::Inputs;

use super::carriers::Composed;
use super::outgoing::{Outgoing, What, to_key};

/// Drafts `o` for where it goes: an e-mail ([`compose`]) or a channel message
/// ([`compose_post`]).
///
/// # Errors
/// As [`compose`] and [`compose_post`].
pub fn compose_any(
    o: &Outgoing,
    config: &Inputs,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Composed> {
    match &o.key.channel {
        None => compose(o, config, templates, now).map(Composed::from),
        Some(channel) => compose_post(o, channel, config, templates, now).map(Composed::Post),
    }
}

/// Drafts `o` for `channel`: the step's or correction's Markdown template.
///
/// # Errors
/// [`crate::Error::Template`] when the template fails.
pub fn compose_post(
    o: &Outgoing,
    channel: &str,
    config: &Inputs,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<PostDraft> {
    match &o.what {
        What::Step(step) => mail::draft_post(
            *step,
            &o.summit,
            o.next.as_ref(),
            config,
            templates,
            now,
            channel,
        ),
        What::Correction { change, was } => mail::draft_correction_post(
            &correction(o, *change, was),
            config,
            templates,
            now,
            channel,
        ),
    }
}

/// Drafts `o`: the step's (or correction's) message with its threading headers, and for
/// the reminder and corrections the summit as a text/calendar attachment.
///
/// # Errors
/// [`crate::Error::Template`] or [`crate::Error::Mail`] when the message cannot be drafted.
pub fn compose(
    o: &Outgoing,
    config: &Inputs,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Draft> {
    let mail = config.mail()?;
    let (draft, calendar) = match &o.what {
        What::Step(step) => {
            let drafts = mail::draft(*step, &o.summit, o.next.as_ref(), config, templates, now)?;
            let draft = drafts
                .into_iter()
                .find(|d| to_key(&d.to) == o.key.to)
                .ok_or_else(|| {
                    crate::Error::Mail(format!(
                        "{} has no draft for these recipients",
                        o.describe()
                    ))
                })?;
            (draft, *step == Step::Reminder)
        }
        What::Correction { change, was } => (
            mail::draft_correction(&correction(o, *change, was), config, templates, now)?,
            true,
        ),
    };
    let summit = &o.summit.summit;
    let extras = Extras {
        in_reply_to: o.in_reply_to.clone(),
        references: o.references.clone(),
        calendar: calendar.then(|| {
            (
                format!("summit-{}.ics", summit.start.date_utc()),
                mail::ics::event(
                    summit,
                    config.project.meeting_url.as_deref(),
                    o.announced.cancelled,
                    o.key.seq,
                    now,
                ),
            )
        }),
    };
    draft.with_extras(mail, &extras)
}

/// What the correction `o` says (`change` since it was announced as `was`), and to
/// whom: its recipients (none for a channel).
fn correction<'a>(
    o: &'a Outgoing,
    change: mail::Change,
    was: &'a Announced,
) -> mail::Correction<'a> {
    mail::Correction {
        summit: &o.summit,
        next: o.next.as_ref(),
        announced: was,
        change,
        seq: o.key.seq,
        to: &o.to,
    }
}
