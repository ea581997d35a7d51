//! Drafts: the e-mails of a timeline step for a summit, each addressed, rendered and
//! built as a message; and the checklist rendered to print.

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::Mailbox;

use super::audience::{messages, owned_topics, ranked_agenda, recipients, reply_to};
use super::context::context;
use super::message::{Envelope, Extras, build};
use super::message_id::message_id;
use super::render::{self, Rendered, Templates};
use super::view::Person;
use crate::config::MailConfig;
use crate::error::Result;
use crate::model::{Kind, Step};
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;

/// One drafted e-mail.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The step it belongs to, or [`Kind::Correction`].
    pub kind: Kind,
    /// Its recipients.
    pub to: Vec<Mailbox>,
    /// Its Message-ID, without angle brackets (RFC 5322 §3.6.4): a hash of the summit's
    /// UID and original start, the step and the recipient, so it is the same every time
    /// the same mail is drafted.
    pub message_id: String,
    /// A file name for it, without extension: `DATE-STEP` or `DATE-STEP-N`.
    pub file_stem: String,
    /// The subject and body.
    pub rendered: Rendered,
    /// The whole message.
    pub message: Message,
    /// Its Reply-To (see [`reply_to`]).
    reply_to: Option<Mailbox>,
    /// Its Date.
    date: DateTime<Utc>,
}

/// A draft before its message is built: what [`Unbuilt::build`] makes a [`Draft`] of.
pub(super) struct Unbuilt {
    /// As [`Draft::kind`].
    pub kind: Kind,
    /// As [`Draft::to`].
    pub to: Vec<Mailbox>,
    /// As [`Draft::message_id`].
    pub message_id: String,
    /// As [`Draft::file_stem`].
    pub file_stem: String,
    /// As [`Draft::rendered`].
    pub rendered: Rendered,
    /// Its Reply-To (see [`reply_to`]).
    pub reply_to: Option<Mailbox>,
    /// Its Date.
    pub date: DateTime<Utc>,
}

impl Unbuilt {
    /// The draft, its message from `mail.from`, without extras.
    ///
    /// # Errors
    /// [`crate::Error::Mail`] when the message cannot be built.
    pub fn build(self, mail: &MailConfig) -> Result<Draft> {
        let envelope = Envelope {
            mail,
            reply_to: self.reply_to.as_ref(),
            to: &self.to,
            message_id: &self.message_id,
            date: self.date,
        };
        let message = build(&envelope, &self.rendered, &Extras::default())?;
        Ok(Draft {
            kind: self.kind,
            to: self.to,
            message_id: self.message_id,
            file_stem: self.file_stem,
            rendered: self.rendered,
            message,
            reply_to: self.reply_to,
            date: self.date,
        })
    }
}

impl Draft {
    /// The headers of its message, from `mail.from`.
    fn envelope<'a>(&'a self, mail: &'a MailConfig) -> Envelope<'a> {
        Envelope {
            mail,
            reply_to: self.reply_to.as_ref(),
            to: &self.to,
            message_id: &self.message_id,
            date: self.date,
        }
    }

    /// The message as RFC 5322 text, with CRLF line ends.
    pub fn formatted(&self) -> Vec<u8> {
        self.message.formatted()
    }

    /// The same message with `extras` added.
    ///
    /// # Errors
    /// [`Error::Mail`](crate::Error::Mail) when a Message-ID in `extras` is malformed or the message cannot
    /// be built.
    pub fn with_extras(mut self, mail: &MailConfig, extras: &Extras) -> Result<Draft> {
        self.message = build(&self.envelope(mail), &self.rendered, extras)?;
        Ok(self)
    }
}

/// Drafts the e-mails of `step` for `planned`, as of `now` (the Date header).
///
/// `next` is the summit after it (for the handover).
///
/// # Errors
/// [`Error::Config`](crate::Error::Config) without a `[mail]` table, [`Error::Template`](crate::Error::Template) when a template fails,
/// [`Error::Mail`](crate::Error::Mail) when a message cannot be built.
pub fn draft(
    step: Step,
    planned: &Planned,
    next: Option<&Planned>,
    config: &Inputs,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Vec<Draft>> {
    let mail = config.mail()?;
    let to = recipients(step, planned, config)?;
    if to.is_empty() {
        // Nobody by design: the checklist without an agenda.
        return Ok(Vec::new());
    }
    let ranked = ranked_agenda(planned, config);
    let groups = messages(step, to);
    let many = groups.len() > 1;
    groups
        .into_iter()
        .enumerate()
        .map(|(i, group)| {
            let recipient = group.first().map(|m| Person::recipient(m, config));
            let mut ctx = context(step, planned, next, config, now, recipient);
            let rendered = match (&ranked, step) {
                (Some(r), Step::Outreach) => {
                    ctx.topics = group
                        .first()
                        .map(|m| owned_topics(r, m))
                        .unwrap_or_default();
                    templates.render_file(render::OUTREACH_OWNER, &ctx)?
                }
                _ => templates.render(step, &ctx)?,
            };
            let message_id = message_id(&planned.summit, Kind::Step(step), 0, &group, mail);
            let date = planned.summit.start.date_utc();
            let file_stem = if many {
                format!("{date}-{step}-{}", i + 1)
            } else {
                format!("{date}-{step}")
            };
            let reply_to = reply_to(Kind::Step(step), &group, planned.facilitator.as_ref(), mail);
            Unbuilt {
                kind: Kind::Step(step),
                to: group,
                message_id,
                file_stem,
                rendered,
                reply_to,
                date: now,
            }
            .build(mail)
        })
        .collect()
}

/// Renders the facilitator's run-sheet (`checklist.txt`) for `planned`, as of `now`, to
/// print (`summit checklist`): without a recipient.
///
/// # Errors
/// [`Error::Template`](crate::Error::Template) when the template fails.
pub fn checklist(
    planned: &Planned,
    next: Option<&Planned>,
    config: &Inputs,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Rendered> {
    // Printed, not mailed: no greeting (`recipient` is none).
    let ctx = context(Step::Checklist, planned, next, config, now, None);
    templates.render(Step::Checklist, &ctx)
}
