//! The facilitator's timeline (`../shared/seeds`, "Developer Summit's Facilitator"):
//! the offsets of each step from a summit (`[timeline]`), which step is due when, and
//! until when it is useful. Pure: times are UTC instants.

use chrono::{DateTime, Duration, Utc};

use super::occurrence::Occurrence;
use super::step::Step;

/// `[timeline]`: offsets of each step from the summit (durations such as `"3d"`,
/// `"36h"`, `"1d12h"`, `"90m"`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timeline {
    /// `assignment`: the heads-up to the upcoming facilitator, before the start
    /// (default 7 days); `"off"` (`None`) for no heads-up.
    pub assignment: Option<Duration>,
    /// `reminder`: before the start (default 3 days).
    pub reminder: Duration,
    /// `agenda-vote`: before the start (default 2 days).
    pub agenda_vote: Duration,
    /// `outreach`: before the start (default 1 day).
    pub outreach: Duration,
    /// `handover`: after the end (default 2 hours).
    pub handover: Duration,
    /// `topic-deadline`: topics must be proposed this long before the start (default 24
    /// hours).
    pub topic_deadline: Duration,
    /// `assignment-until`: the heads-up stops being useful this long before the start
    /// (default 0: at the start).
    pub assignment_until: Duration,
    /// `reminder-until`: the reminder stops being useful this long before the start
    /// (default: at the topic deadline, since it invites topics).
    pub reminder_until: Duration,
    /// `agenda-vote-until`: the call for votes stops being useful this long before the
    /// start (default: when the outreach is due, which picks the most-voted topics).
    pub agenda_vote_until: Duration,
    /// `outreach-until`: the outreach stops being useful this long before the start
    /// (default 0: at the start).
    pub outreach_until: Duration,
    /// `checklist-until`: the run-sheet stops being useful this long before the start
    /// (default: with the outreach).
    pub checklist_until: Duration,
    /// `handover-until`: the handover stops being useful this long after the summit's
    /// end (default 48 hours); in any case when the next summit's first step is due.
    pub handover_until: Duration,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            assignment: Some(Duration::days(7)),
            reminder: Duration::days(3),
            agenda_vote: Duration::days(2),
            outreach: Duration::days(1),
            handover: Duration::hours(2),
            topic_deadline: Duration::hours(24),
            assignment_until: Duration::zero(),
            reminder_until: Duration::hours(24),
            agenda_vote_until: Duration::days(1),
            outreach_until: Duration::zero(),
            checklist_until: Duration::zero(),
            handover_until: Duration::hours(48),
        }
    }
}

/// Parses an offset such as `3d`, `36h`, `1d12h`, `90m`, `1w` or `30s` (also `0`).
pub fn parse_offset(value: &str) -> Option<Duration> {
    let v = value.trim();
    if v == "0" {
        return Some(Duration::zero());
    }
    let mut total = Duration::zero();
    let mut number = String::new();
    for ch in v.chars() {
        if ch.is_ascii_digit() {
            number.push(ch);
            continue;
        }
        if ch == ' ' && number.is_empty() {
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        total += match ch {
            'w' => Duration::try_weeks(n)?,
            'd' => Duration::try_days(n)?,
            'h' => Duration::try_hours(n)?,
            'm' => Duration::try_minutes(n)?,
            's' => Duration::try_seconds(n)?,
            _ => return None,
        };
    }
    (number.is_empty() && !v.is_empty()).then_some(total)
}

/// Writes a duration the way [`parse_offset`] reads it: `7d`, `1d12h`, `90m` is
/// `1h30m`, zero is `0` (seconds are dropped).
pub fn format_offset(d: Duration) -> String {
    let minutes = d.num_minutes();
    if minutes <= 0 {
        return "0".into();
    }
    let (days, rest) = (minutes / 1440, minutes % 1440);
    let (hours, mins) = (rest / 60, rest % 60);
    let mut out = String::new();
    for (n, unit) in [(days, 'd'), (hours, 'h'), (mins, 'm')] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    out
}
impl Step {
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
    use crate::model::When;

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
