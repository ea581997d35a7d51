//! Drafting an outgoing message ([`compose`]): the step's or correction's e-mail with
//! its threading headers and, for the reminder and corrections, the summit as an
//! iCalendar attachment.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::mail::{self, Draft, Extras, Templates};
use crate::model::Step;
use crate::plan::inputs::Inputs;

use super::outgoing::{Outgoing, What, to_key};

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
            mail::draft_correction(
                &mail::Correction {
                    summit: &o.summit,
                    next: o.next.as_ref(),
                    announced: was,
                    change: *change,
                    seq: o.key.seq,
                    to: &o.to,
                },
                config,
                templates,
                now,
            )?,
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
