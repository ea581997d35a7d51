//! The facilitator's timeline (`../shared/seeds`, "Developer Summit's Facilitator"):
//! which step is due when, relative to a summit.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};

use crate::calendar::Occurrence;
use crate::config::Timeline;

/// A step of the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// A week before: tell the upcoming facilitator it is their turn, so no one learns
    /// of it from the public reminder.
    Assignment,
    /// Two or three days before: remind the public channels to add agenda topics.
    Reminder,
    /// Ask team members and maintainers to vote on topics.
    AgendaVote,
    /// One day before: reach out to the owners of the most-voted topics.
    Outreach,
    /// With the outreach, when an agenda is given: the facilitator's run-sheet, with the
    /// chosen topics and their owners and the late topics.
    Checklist,
    /// After the summit: find the next facilitator on the team list.
    Handover,
}

impl Step {
    /// The steps of CONTRACT.md's timeline table, which `next --json` lists in `steps`.
    pub const CONTRACT: [Step; 4] = [
        Step::Reminder,
        Step::AgendaVote,
        Step::Outreach,
        Step::Handover,
    ];

    /// Every step, in timeline order.
    pub const ALL: [Step; 6] = [
        Step::Assignment,
        Step::Reminder,
        Step::AgendaVote,
        Step::Outreach,
        Step::Checklist,
        Step::Handover,
    ];

    /// The step's name as commands and templates use it (`agenda-vote`).
    pub fn name(self) -> &'static str {
        match self {
            Step::Assignment => "assignment",
            Step::Reminder => "reminder",
            Step::AgendaVote => "agenda-vote",
            Step::Outreach => "outreach",
            Step::Checklist => "checklist",
            Step::Handover => "handover",
        }
    }

    /// Whether the step is on the timeline: every step but a disabled assignment
    /// (`timeline.assignment = "off"`).
    pub fn enabled(self, timeline: &Timeline) -> bool {
        self != Step::Assignment || timeline.assignment.is_some()
    }

    /// When the step is due for `summit` (UTC): its offset before the start, or for the
    /// handover after the end.
    pub fn due(self, summit: &Occurrence, timeline: &Timeline) -> DateTime<Utc> {
        let start = summit.start.instant();
        match self {
            Step::Assignment => start - timeline.assignment.unwrap_or_else(Duration::zero),
            Step::Reminder => start - timeline.reminder,
            Step::AgendaVote => start - timeline.agenda_vote,
            Step::Outreach | Step::Checklist => start - timeline.outreach,
            Step::Handover => summit.end.instant().max(start) + timeline.handover,
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Step {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Step::ALL
            .into_iter()
            .find(|step| step.name() == s)
            .ok_or_else(|| {
                format!("unknown step `{s}`, expected one of `assignment`, `reminder`, `agenda-vote`, `outreach`, `checklist`, `handover`")
            })
    }
}

/// When `step` of `summit` stops being useful (UTC): from its due time until then the
/// step is open; past it the step is never sent, whatever the feed says later.
///
/// Each step has its own `[timeline]` `*-until` (defaults, by the seeds' reasons): the
/// assignment until the start; the reminder, which invites topics, until the topic
/// deadline; the call for votes until the outreach picks the most-voted topics; the
/// outreach and the checklist until the start; the handover until 48 hours after the
/// end, and never once the `next` summit's first step is due (its assignment, or its
/// reminder when the assignment is off). A step before the summit never stays open past
/// its start.
///
/// Returns `Some` always; the `Option` is kept for callers that had no bound.
pub fn window_end(
    step: Step,
    summit: &Occurrence,
    next: Option<&Occurrence>,
    timeline: &Timeline,
) -> Option<DateTime<Utc>> {
    let start = summit.start.instant();
    let before = |d: Duration| start - d.max(Duration::zero());
    Some(match step {
        Step::Assignment => before(timeline.assignment_until),
        Step::Reminder => before(timeline.reminder_until),
        Step::AgendaVote => before(timeline.agenda_vote_until),
        Step::Outreach => before(timeline.outreach_until),
        Step::Checklist => before(timeline.checklist_until),
        Step::Handover => {
            let own = summit.end.instant().max(start) + timeline.handover_until;
            match next.and_then(|n| first_due(n, timeline)) {
                Some(first) => own.min(first),
                None => own,
            }
        }
    })
}

/// When the first step of `summit` (other than its handover) is due: its assignment,
/// or its reminder when the assignment is off.
pub fn first_due(summit: &Occurrence, timeline: &Timeline) -> Option<DateTime<Utc>> {
    Step::ALL
        .into_iter()
        .filter(|s| *s != Step::Handover && s.enabled(timeline))
        .map(|s| s.due(summit, timeline))
        .min()
}

/// Every step of `summit` with its due time, in due order (ties keep timeline order).
pub fn schedule(summit: &Occurrence, timeline: &Timeline) -> Vec<(Step, DateTime<Utc>)> {
    let mut steps: Vec<_> = Step::ALL
        .into_iter()
        .filter(|s| s.enabled(timeline))
        .map(|s| (s, s.due(summit, timeline)))
        .collect();
    steps.sort_by_key(|(s, due)| (*due, *s));
    steps
}

/// The topic deadline of `summit`: topics must be proposed before it (UTC).
pub fn topic_deadline(summit: &Occurrence, timeline: &Timeline) -> DateTime<Utc> {
    summit.start.instant() - timeline.topic_deadline
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::When;

    #[test]
    fn default_offsets_follow_the_seeds() {
        let start: DateTime<Utc> = "2026-11-26T16:00:00Z".parse().unwrap();
        let summit = Occurrence {
            uid: "u".into(),
            summary: "Developer Summit".into(),
            start: When::Timed(start),
            end: When::Timed(start + chrono::Duration::hours(2)),
            all_day: false,
            recurrence_id: None,
            status: None,
            location: None,
            url: None,
        };
        let t = Timeline::default();
        let got: Vec<String> = schedule(&summit, &t)
            .into_iter()
            .map(|(s, d)| format!("{s} {}", d.to_rfc3339()))
            .collect();
        assert_eq!(
            got,
            [
                "assignment 2026-11-19T16:00:00+00:00",
                "reminder 2026-11-23T16:00:00+00:00",
                "agenda-vote 2026-11-24T16:00:00+00:00",
                "outreach 2026-11-25T16:00:00+00:00",
                "checklist 2026-11-25T16:00:00+00:00",
                "handover 2026-11-26T20:00:00+00:00",
            ]
        );
        assert_eq!(
            topic_deadline(&summit, &t).to_rfc3339(),
            "2026-11-25T16:00:00+00:00"
        );
        assert_eq!("agenda-vote".parse::<Step>(), Ok(Step::AgendaVote));
        assert!("vote".parse::<Step>().unwrap_err().contains("`vote`"));
    }
}
