//! `[timeline]`: when each step of the facilitator's timeline is due ([`Timeline`]'s
//! leads) and until when it is useful (its `-until` keys), resolved to offsets.

use chrono::Duration;
use toml::Spanned;

use super::raw::RawTimeline;
use super::source::Source;
use crate::error::Result;
use crate::model::Timeline;
use crate::model::timeline::{format_offset, parse_offset};

/// Validates `[timeline]`: the leads, the topic deadline after the reminder, then the
/// windows.
pub(super) fn validate(raw: &RawTimeline, src: &Source) -> Result<Timeline> {
    let timeline = leads(raw, src)?;
    // The reminder invites topics: a deadline at or before it is due leaves none.
    if timeline.topic_deadline >= timeline.reminder {
        let spanned = raw.topic_deadline.as_ref().or(raw.reminder.as_ref());
        let message = format!(
            "timeline.topic-deadline `{}` is not shorter than timeline.reminder `{}`, expected a topic deadline after the reminder is due (less than {} before the start)",
            format_offset(timeline.topic_deadline),
            format_offset(timeline.reminder),
            format_offset(timeline.reminder)
        );
        return Err(match spanned {
            Some(s) => src.at(s, message),
            None => src.err(None, message),
        });
    }
    windows(raw, timeline, src)
}

/// When each step is due: a duration before the summit's start (after its end for the
/// handover); the assignment may be `off`.
fn leads(raw: &RawTimeline, src: &Source) -> Result<Timeline> {
    let defaults = Timeline::default();
    let offset = |v: &Option<Spanned<String>>, key: &str, default: Duration| {
        src.duration(
            v,
            &format!("timeline.{key}"),
            default,
            "`3d`, `36h`, `1d12h` or `90m`",
        )
    };
    Ok(Timeline {
        assignment: match &raw.assignment {
            Some(s) if s.get_ref().trim() == "off" => None,
            v => Some(offset(v, "assignment", Duration::days(7))?),
        },
        reminder: offset(&raw.reminder, "reminder", defaults.reminder)?,
        agenda_vote: offset(&raw.agenda_vote, "agenda-vote", defaults.agenda_vote)?,
        outreach: offset(&raw.outreach, "outreach", defaults.outreach)?,
        handover: offset(&raw.handover, "handover", defaults.handover)?,
        topic_deadline: offset(
            &raw.topic_deadline,
            "topic-deadline",
            defaults.topic_deadline,
        )?,
        ..defaults
    })
}

/// When each step stops being useful, resolved against the leads of `timeline`.
fn windows(raw: &RawTimeline, timeline: Timeline, src: &Source) -> Result<Timeline> {
    let u = Until {
        timeline: &timeline,
        src,
    };
    // The defaults, where the moment they name comes after the step is due: else the
    // start.
    let before = |moment: Duration, lead: Duration| {
        if moment < lead {
            moment
        } else {
            Duration::zero()
        }
    };
    let outreach_until = u.resolve(
        &raw.outreach_until,
        "outreach-until",
        Some(timeline.outreach),
        Duration::zero(),
    )?;
    Ok(Timeline {
        assignment_until: match timeline.assignment {
            Some(lead) => u.resolve(
                &raw.assignment_until,
                "assignment-until",
                Some(lead),
                Duration::zero(),
            )?,
            None => Duration::zero(),
        },
        reminder_until: u.resolve(
            &raw.reminder_until,
            "reminder-until",
            Some(timeline.reminder),
            before(timeline.topic_deadline, timeline.reminder),
        )?,
        agenda_vote_until: u.resolve(
            &raw.agenda_vote_until,
            "agenda-vote-until",
            Some(timeline.agenda_vote),
            before(timeline.outreach, timeline.agenda_vote),
        )?,
        outreach_until,
        checklist_until: u.resolve(
            &raw.checklist_until,
            "checklist-until",
            Some(timeline.outreach),
            outreach_until,
        )?,
        handover_until: u.resolve(
            &raw.handover_until,
            "handover-until",
            None,
            Duration::hours(48).max(timeline.handover + Duration::hours(1)),
        )?,
        ..timeline
    })
}

/// Resolves a `-until` key against the leads of `timeline`.
struct Until<'a> {
    timeline: &'a Timeline,
    src: &'a Source<'a>,
}

impl Until<'_> {
    /// When the step of `key` stops being useful: a named moment of the summit or a
    /// duration before its start (after its end for the handover, whose `lead` is
    /// `None`), as an offset; `default` when not set. A window that closes before it
    /// opens would never send the step: an error.
    fn resolve(
        &self,
        v: &Option<Spanned<String>>,
        key: &str,
        lead: Option<Duration>,
        default: Duration,
    ) -> Result<Duration> {
        let Some(s) = v else { return Ok(default) };
        let text = s.get_ref().trim();
        let value = self.moment(s, key, text)?;
        let timeline = self.timeline;
        let empty = match lead {
            Some(lead) => value >= lead,
            None => value <= timeline.handover,
        };
        if empty {
            return Err(self.src.at(
                s,
                format!(
                    "timeline.{key} `{text}` closes the step's window before it is due, expected a moment after it is due ({})",
                    match lead {
                        Some(l) => format!("{} before the start", format_offset(l)),
                        None => format!("{} after the end", format_offset(timeline.handover)),
                    }
                ),
            ));
        }
        Ok(value)
    }

    /// The offset `text` (the value of `key`, at `s`) names: a moment of the summit or
    /// a duration.
    fn moment(&self, s: &Spanned<String>, key: &str, text: &str) -> Result<Duration> {
        let timeline = self.timeline;
        let named = match text {
            "start" => Some(Some(Duration::zero())),
            "topic-deadline" => Some(Some(timeline.topic_deadline)),
            "assignment" => Some(timeline.assignment),
            "reminder" => Some(Some(timeline.reminder)),
            "agenda-vote" => Some(Some(timeline.agenda_vote)),
            "outreach" | "checklist" => Some(Some(timeline.outreach)),
            _ => None,
        };
        match named {
            _ if key == "handover-until" => parse_offset(text),
            Some(Some(d)) => Some(d),
            Some(None) => {
                return Err(self.src.at(s, format!("timeline.{key} `{text}` names the assignment, which is `off`; expected `start`, `topic-deadline`, another step or a duration")));
            }
            None => parse_offset(text),
        }
        .ok_or_else(|| {
            self.src.at(
                s,
                format!(
                    "timeline.{key} `{text}` is not a moment of the summit, expected {}",
                    if key == "handover-until" {
                        "a duration after the summit's end, e.g. `48h`"
                    } else {
                        "`start`, `topic-deadline`, a step (`reminder`, `agenda-vote`, `outreach`) or a duration before the start, e.g. `6h`"
                    }
                ),
            )
        })
    }
}
