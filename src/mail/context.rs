//! What the template of a timeline step sees: the summit, its facilitator, the topic
//! deadline, the next summit, the step, the recipient and the agenda.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::audience::{agenda_error, ranked_agenda_at};
use super::view::{
    AgendaView, NextView, Person, ProjectView, SummitView, ZoneTime, next_view, project_view,
    zone_times,
};
use super::words;
use crate::agenda::TopicView;
use crate::model::timeline::topic_deadline;
use crate::model::{Step, When};
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;

/// The topic deadline in templates.
#[derive(Serialize)]
struct Deadline {
    /// RFC 3339 UTC.
    utc: String,
    /// `timeline.topic-deadline` in hours.
    hours: i64,
    /// In every configured zone.
    times: Vec<ZoneTime>,
    /// In every configured zone on one line (see [`words::at`]).
    at: String,
    /// Said at the send time: `today`, `tomorrow`, `on Wednesday`, ….
    when: String,
}

/// The step in templates: `{{ step.name }}`, `{{ step.due }}`.
#[derive(Serialize)]
struct StepView {
    /// Its name, e.g. `agenda-vote`.
    name: &'static str,
    /// When it is due, RFC 3339 UTC.
    due: String,
}

/// What the template of a step sees.
#[derive(Serialize)]
pub(super) struct Context<'a> {
    project: ProjectView<'a>,
    summit: SummitView,
    facilitator: Option<Person>,
    deadline: Deadline,
    next: Option<NextView>,
    step: StepView,
    recipient: Option<Person>,
    agenda: Option<AgendaView>,
    /// Why the agenda file of this summit could not be loaded (the printed checklist).
    agenda_error: Option<String>,
    /// The recipient's own chosen topics (the outreach to a topic owner).
    pub(super) topics: Vec<TopicView>,
    zones: Vec<String>,
    now: String,
    /// Whether the public reminder of this summit is not yet due at the send time:
    /// nothing about it has gone out in public.
    before_public: bool,
}

/// The context of `step`'s template for `planned` (`next` after it), as of `now`, to
/// `recipient` (none when printed).
pub(super) fn context<'a>(
    step: Step,
    planned: &Planned,
    next: Option<&Planned>,
    config: &'a Inputs,
    now: DateTime<Utc>,
    recipient: Option<Person>,
) -> Context<'a> {
    let zones = &config.calendar.zones;
    let tz = zones.first().copied().unwrap_or(Tz::UTC);
    let deadline = topic_deadline(&planned.summit, &config.timeline);
    Context {
        project: project_view(config),
        summit: SummitView::of(&planned.summit, config, now),
        facilitator: planned.facilitator.as_ref().map(Person::member),
        deadline: Deadline {
            utc: When::Timed(deadline).to_string(),
            hours: config.timeline.topic_deadline.num_hours(),
            times: zone_times(deadline, zones),
            at: words::at(When::Timed(deadline), zones, now),
            when: words::relative_day(When::Timed(deadline), now, tz),
        },
        next: next.map(|n| next_view(n, config, now)),
        step: StepView {
            name: step.name(),
            due: When::Timed(step.due(&planned.summit, &config.timeline)).to_string(),
        },
        recipient,
        agenda: ranked_agenda_at(planned, config, now)
            .map(|r| AgendaView::new(&r, config.config.agenda.top)),
        agenda_error: agenda_error(Step::Checklist, planned, config).map(|_| {
            let u = config.agenda_error.as_ref().expect("an agenda error");
            format!("{}: {}", u.path.display(), u.message)
        }),
        topics: Vec::new(),
        zones: zones.iter().map(|z| z.name().to_string()).collect(),
        now: When::Timed(now).to_string(),
        before_public: now < Step::Reminder.due(&planned.summit, &config.timeline),
    }
}
