//! Drafts of channel messages: a step's or a correction's Markdown template
//! (`reminder.md`, `correction.md`, …) rendered for one channel, with the same context,
//! relative wording and meeting link as the e-mail, every value escaped
//! ([`super::markdown::escape`]).

use chrono::{DateTime, Utc};

use super::context::context;
use super::correction::{Correction, correction_context};
use super::markdown;
use super::message_id::channel_message_id;
use super::render::{self, Rendered, Templates};
use crate::error::Result;
use crate::model::{Kind, Step};
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;

/// One message drafted for a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostDraft {
    /// The channel's name (`[[channels]]` `name`).
    pub channel: String,
    /// The step it belongs to, or [`Kind::Correction`].
    pub kind: Kind,
    /// Its ledger Message-ID ([`channel_message_id`]), without angle brackets.
    pub message_id: String,
    /// Its title, plain text on one line: the template's `Subject:` line, read as
    /// Markdown (a Discourse topic's title).
    pub title: String,
    /// Its text: CommonMark, values escaped.
    pub markdown: String,
}

impl PostDraft {
    /// The draft of `rendered`, whose subject line is Markdown.
    fn of(channel: &str, kind: Kind, message_id: String, rendered: Rendered) -> PostDraft {
        PostDraft {
            channel: channel.to_string(),
            kind,
            message_id,
            title: crate::text::one_line(markdown::to_plain(&rendered.subject).trim()),
            markdown: rendered.body,
        }
    }
}

/// Drafts the message of `step` for `planned` (`next` after it) on `channel`, as of
/// `now`: the step's Markdown template (`reminder.md`, `agenda-vote.md`,
/// `handover.md`) without a recipient.
///
/// # Errors
/// [`crate::Error::Config`] without a `[mail]` table (its domain names the
/// Message-ID); [`crate::Error::Template`] when the template fails or the step has no
/// Markdown template (the assignment, the outreach and the checklist are e-mail only).
pub fn draft_post(
    step: Step,
    planned: &Planned,
    next: Option<&Planned>,
    config: &Inputs,
    templates: &Templates,
    now: DateTime<Utc>,
    channel: &str,
) -> Result<PostDraft> {
    let mail = config.mail()?;
    let ctx = context(step, planned, next, config, now, None);
    let rendered = templates.render_file(&render::post_file_name(step), &ctx)?;
    let id = channel_message_id(&planned.summit, Kind::Step(step), 0, channel, mail);
    Ok(PostDraft::of(channel, Kind::Step(step), id, rendered))
}

/// Drafts `correction` for `channel` as of `now` (`correction.md`; its `to` is ignored).
///
/// # Errors
/// As [`draft_post`].
pub fn draft_correction_post(
    correction: &Correction<'_>,
    config: &Inputs,
    templates: &Templates,
    now: DateTime<Utc>,
    channel: &str,
) -> Result<PostDraft> {
    let mail = config.mail()?;
    let plain = Correction {
        to: &[],
        ..*correction
    };
    let ctx = correction_context(&plain, config, now);
    let rendered = templates.render_file(render::CORRECTION_MD, &ctx)?;
    let summit = &correction.summit.summit;
    let id = channel_message_id(summit, Kind::Correction, correction.seq, channel, mail);
    Ok(PostDraft::of(channel, Kind::Correction, id, rendered))
}
