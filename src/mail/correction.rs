//! Corrections: the e-mail that says an announced summit moved, was cancelled, was
//! reinstated or has another facilitator.

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use serde::Serialize;

use super::audience::reply_to;
use super::draft::{Draft, Unbuilt};
use super::message_id::message_id;
use super::render::{self, Templates};
use super::view::{NextView, Person, ProjectView, SummitView, next_view, project_view};
use crate::error::Result;
use crate::ledger::Announced;
use crate::model::{Kind, Occurrence, When};
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;

/// How a summit changed since it was announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// It takes place at another time.
    Moved,
    /// It no longer takes place.
    Cancelled,
    /// It was announced as cancelled and takes place after all.
    Reinstated,
    /// It takes place as announced, with another facilitator (a pin on its date
    /// swapped the one a message had named).
    Facilitator,
}

impl Change {
    /// The change from `announced` to `now`, `None` when the time, status and
    /// facilitator are the same (a change of time or status comes first).
    pub fn between(announced: &Announced, now: &Announced) -> Option<Change> {
        if announced.same_time(now) {
            return (!now.cancelled && announced.other_facilitator(now))
                .then_some(Change::Facilitator);
        }
        Some(match (announced.cancelled, now.cancelled) {
            (_, true) => Change::Cancelled,
            (true, false) => Change::Reinstated,
            (false, false) => Change::Moved,
        })
    }
}

/// What one correction says, and to whom.
#[derive(Clone, Copy, Debug)]
pub struct Correction<'a> {
    /// The summit as it now stands, with its facilitator.
    pub summit: &'a Planned,
    /// The summit after it, which a cancellation names.
    pub next: Option<&'a Planned>,
    /// The summit as the corrected message announced it.
    pub announced: &'a Announced,
    /// What changed.
    pub change: Change,
    /// The correction's number for this summit and these recipients (1, 2, …).
    pub seq: u32,
    /// The recipients.
    pub to: &'a [Mailbox],
}

/// Drafts `correction` as of `now` (UTC).
///
/// # Errors
/// As [`draft`](super::draft()).
pub fn draft_correction(
    correction: &Correction<'_>,
    config: &Inputs,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Draft> {
    let Correction {
        summit: planned,
        announced,
        seq,
        to,
        ..
    } = *correction;
    let (summit, facilitator) = (&planned.summit, planned.facilitator.as_ref());
    let mail = config.mail()?;
    let ctx = correction_context(correction, config, now);
    let was_date = announced.start.date_utc();
    let rendered = templates.render_file(render::CORRECTION, &ctx)?;
    Unbuilt {
        kind: Kind::Correction,
        to: to.to_vec(),
        message_id: message_id(summit, Kind::Correction, seq, to, mail),
        file_stem: format!("{was_date}-correction-{seq}"),
        rendered,
        reply_to: reply_to(Kind::Correction, to, facilitator, mail),
        date: now,
    }
    .build(mail)
}

/// What the correction's templates see (`correction.txt`, `correction.md`): the
/// summit as it stands and as it was announced, what changed, the facilitators, the
/// next summit, the first recipient (none for a channel).
pub(super) fn correction_context<'a>(
    correction: &Correction<'_>,
    config: &'a Inputs,
    now: DateTime<Utc>,
) -> CorrectionContext<'a> {
    let Correction {
        summit: planned,
        next,
        announced,
        change,
        to,
        ..
    } = *correction;
    let (summit, facilitator) = (&planned.summit, planned.facilitator.as_ref());
    let was = Occurrence {
        summary: announced.summary.clone(),
        start: announced.start,
        end: announced.end,
        all_day: announced.start.is_all_day(),
        ..summit.clone()
    };
    CorrectionContext {
        project: project_view(config),
        summit: SummitView::of(summit, config, now),
        announced: SummitView::of(&was, config, now),
        change,
        facilitator: facilitator.map(Person::member),
        announced_facilitator: announced.facilitator.as_ref().map(|f| WasFacilitator {
            name: crate::text::one_line(&f.name),
            email: f.email.to_string(),
        }),
        next: next.map(|n| next_view(n, config, now)),
        recipient: to.first().map(|m| Person::recipient(m, config)),
        now: When::Timed(now).to_string(),
    }
}

/// See [`correction_context`].
#[derive(Serialize)]
pub(super) struct CorrectionContext<'a> {
    project: ProjectView<'a>,
    summit: SummitView,
    announced: SummitView,
    change: Change,
    facilitator: Option<Person>,
    /// The facilitator the corrected message named.
    announced_facilitator: Option<WasFacilitator>,
    next: Option<NextView>,
    recipient: Option<Person>,
    now: String,
}

/// The facilitator a corrected message named, in the correction's template.
#[derive(Serialize)]
struct WasFacilitator {
    name: String,
    email: String,
}
