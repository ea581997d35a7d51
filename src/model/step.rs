//! The names of what `summit` does and records: a timeline [`Step`], what a message is
//! about ([`Kind`]) and its delivery [`State`]. Each name is derived once (strum), so
//! commands, templates, the ledger and completions read the same table.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

/// `` `a`, `b`, `c` `` or, with `last`, `` `a`, `b` or `c` ``: the names a parse error
/// lists as expected.
fn expected(names: &[&str], last: Option<&str>) -> String {
    let ticked: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match last {
        Some(word) if ticked.len() > 1 => {
            let (head, tail) = ticked.split_at(ticked.len() - 1);
            format!("{} {word} {}", head.join(", "), tail[0])
        }
        _ => ticked.join(", "),
    }
}

/// A step of the timeline (`../shared/seeds`, "Developer Summit's Facilitator"), named
/// in kebab case (`agenda-vote`) by commands, templates and the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
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
        self.into()
    }

    /// The step named `name`, if any.
    pub fn from_name(name: &str) -> Option<Step> {
        Step::VARIANTS.iter().copied().find(|s| s.name() == name)
    }

    /// Every step's name, in timeline order.
    pub fn names() -> Vec<&'static str> {
        Step::VARIANTS.iter().map(|s| s.name()).collect()
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Step {
    type Err = String;

    /// A step's name; an error quotes `s` and lists the names.
    fn from_str(s: &str) -> Result<Self, String> {
        Step::from_name(s).ok_or_else(|| {
            format!(
                "unknown step `{s}`, expected one of {}",
                expected(&Step::names(), None)
            )
        })
    }
}

/// What a message is about: one of the timeline's steps, or a correction sent after an
/// announced summit moved or was cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A timeline step.
    Step(Step),
    /// A correction of what was announced.
    Correction,
}

impl Kind {
    /// The name used in the ledger, in Message-IDs and in output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Step(s) => s.name(),
            Kind::Correction => "correction",
        }
    }
}

impl FromStr for Kind {
    type Err = String;

    /// A step name (`reminder`, `agenda-vote`, …) or `correction`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        if s == "correction" {
            return Ok(Kind::Correction);
        }
        Step::from_name(s).map(Kind::Step).ok_or_else(|| {
            format!(
                "unknown step `{s}`, expected one of {} or `correction`",
                expected(&Step::names(), None)
            )
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The state of a message in the ledger (see `crate::ledger`), named in lowercase.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, IntoStaticStr, VariantArray,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum State {
    /// About to be handed to the transport; outcome unknown until confirmed.
    Intent,
    /// Accepted by the transport.
    Sent,
    /// Definitely not accepted; retried inside the window.
    Failed,
    /// Its window closed before it was sent; reported once.
    Missed,
}

impl State {
    /// Every state, in the order a message goes through them.
    pub const ALL: [State; 4] = [State::Intent, State::Sent, State::Failed, State::Missed];

    /// The name used in the ledger and in output (`intent`).
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for State {
    type Err = String;

    /// A state's name; an error quotes `s` and lists the names.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        State::VARIANTS
            .iter()
            .copied()
            .find(|v| v.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = State::VARIANTS.iter().map(|s| s.name()).collect();
                format!(
                    "unknown state `{s}`, expected one of {}",
                    expected(&names, Some("or"))
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_errors_list_them() {
        for step in Step::ALL {
            assert_eq!(step.name().parse::<Step>(), Ok(step));
            assert_eq!(step.name().parse::<Kind>(), Ok(Kind::Step(step)));
        }
        assert_eq!(Step::AgendaVote.name(), "agenda-vote");
        assert_eq!("correction".parse::<Kind>(), Ok(Kind::Correction));
        assert_eq!(
            "vote".parse::<Step>().unwrap_err(),
            "unknown step `vote`, expected one of `assignment`, `reminder`, `agenda-vote`, `outreach`, `checklist`, `handover`"
        );
        assert_eq!(
            "x".parse::<Kind>().unwrap_err(),
            "unknown step `x`, expected one of `assignment`, `reminder`, `agenda-vote`, `outreach`, `checklist`, `handover` or `correction`"
        );
        assert_eq!(
            "y".parse::<State>().unwrap_err(),
            "unknown state `y`, expected one of `intent`, `sent`, `failed` or `missed`"
        );
        for state in State::ALL {
            assert_eq!(state.name().parse::<State>(), Ok(state));
        }
        assert_eq!(Step::VARIANTS, Step::ALL);
    }
}
