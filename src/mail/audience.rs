//! Who receives each step's e-mail, and whom replies go to: the public list, the team
//! list, the facilitator, or the owners of the chosen topics of the summit's agenda.
//!
//! The agenda reaches mail here only: [`ranked_agenda`] and [`agenda_error`] read it
//! (today from `config.agenda`).

use lettre::Address;
use lettre::message::Mailbox;

use crate::agenda::{self, TopicView};
use crate::config::MailConfig;
use crate::error::{Error, Result};
use crate::model::timeline::topic_deadline;
use crate::model::{Kind, Member, Step};
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;

/// Who receives `step` for `planned`: the public list, the team list, the facilitator,
/// or (the outreach, with an agenda for this summit) the owners of the chosen topics
/// who have an address (the checklist lists the others to the facilitator).
///
/// The checklist step goes to the facilitator only when an agenda applies (without one
/// the outreach itself is the facilitator's checklist): otherwise nobody.
///
/// # Errors
/// [`Error::Config`] without a `[mail]` table; [`Error::NoSummit`] for the steps to the
/// facilitator when nobody is available to facilitate; [`Error::Agenda`] for the
/// outreach and the checklist of the summit whose agenda file could not be loaded
/// (the other steps are not affected).
pub fn recipients(step: Step, planned: &Planned, config: &Inputs) -> Result<Vec<Mailbox>> {
    let mail = config.mail()?;
    let facilitator = || match &planned.facilitator {
        Some(m) => Ok(vec![m.mailbox()]),
        None => Err(Error::NoSummit(format!(
            "no facilitator for the summit on {}: every member is away, so the {step} has no recipient",
            planned.summit.start.date_utc()
        ))),
    };
    if let Some(e) = agenda_error(step, planned, config) {
        return Err(e);
    }
    Ok(match step {
        Step::Reminder => mail.public_list.clone(),
        Step::AgendaVote | Step::Handover => mail.team_list.clone(),
        Step::Assignment => facilitator()?,
        Step::Outreach => match ranked_agenda(planned, config) {
            Some(r) => r.owners().into_iter().map(|(m, _)| m).collect(),
            None => facilitator()?,
        },
        Step::Checklist => match ranked_agenda(planned, config) {
            Some(_) => facilitator()?,
            None => Vec::new(),
        },
    })
}

/// The messages of `step` to its recipients `to`: the one place that decides that each
/// recipient gets a message of their own (and so a ledger entry of their own). The
/// outreach goes to each topic owner alone (it speaks of their own topics), the
/// reminder to each public list, the call for votes and the handover to each team
/// list. An empty `to` is no message for the outreach, and one message to nobody for
/// another step, which is how the ledger keys a step that had nobody to go to.
pub fn messages(step: Step, to: Vec<Mailbox>) -> Vec<Vec<Mailbox>> {
    if to.is_empty() && step != Step::Outreach {
        return vec![to];
    }
    to.into_iter().map(|m| vec![m]).collect()
}

/// The error of `step` of `planned` when the agenda file could not be loaded and was
/// to be for that summit ([`Inputs::agenda_error`]); `None` otherwise.
/// Only the outreach and the checklist need the agenda.
pub fn agenda_error(step: Step, planned: &Planned, config: &Inputs) -> Option<Error> {
    let date = planned.summit.start.date_utc();
    config
        .agenda_error
        .as_ref()
        .filter(|u| matches!(step, Step::Outreach | Step::Checklist) && u.summit == Some(date))
        .map(|u| u.error(step.name()))
}

/// A warning when chosen topics of `planned`'s agenda have owners without an address
/// and nobody facilitates, so no checklist lists them for someone to reach by hand.
pub fn unreached_warning(planned: &Planned, config: &Inputs) -> Option<String> {
    if planned.facilitator.is_some() {
        return None;
    }
    let ranked = ranked_agenda(planned, config)?;
    let topics: Vec<String> = ranked
        .unreachable()
        .iter()
        .map(|t| format!("`{}` ({})", t.title, t.owner))
        .collect();
    (!topics.is_empty()).then(|| {
        format!(
            "the summit on {} has no facilitator to send the checklist to, and the owners of {} have no address in the agenda: nobody is asked to reach them",
            planned.summit.start.date_utc(),
            topics.join(", ")
        )
    })
}

/// The agenda of `planned` ranked at its topic deadline, when an agenda is for it.
pub fn ranked_agenda(planned: &Planned, config: &Inputs) -> Option<agenda::Ranked> {
    let a = config.agenda.as_ref()?;
    a.is_for(planned.summit.start.date_utc()).then(|| {
        let mut topics = a.topics.clone();
        if let (Some(replies), Some(mail)) = (&a.replies, &config.mail) {
            agenda::confirm(&mut topics, replies, |owner| {
                Some(super::message_id::message_id(
                    &planned.summit,
                    crate::model::Kind::Step(Step::Outreach),
                    0,
                    std::slice::from_ref(owner),
                    mail,
                ))
            });
        }
        agenda::rank(
            &topics,
            topic_deadline(&planned.summit, &config.timeline),
            config.config.agenda.top,
        )
    })
}

/// [`ranked_agenda`] as it reads at `now`: before the outreach is due nobody has been
/// asked, so an owner who has not answered is not yet "silent" (`confirmed` is left
/// unknown rather than false).
pub fn ranked_agenda_at(
    planned: &Planned,
    config: &Inputs,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<agenda::Ranked> {
    let mut ranked = ranked_agenda(planned, config)?;
    if now < Step::Outreach.due(&planned.summit, &config.timeline) {
        for t in ranked
            .chosen
            .iter_mut()
            .chain(&mut ranked.rest)
            .chain(&mut ranked.late)
        {
            if t.confirmed == Some(false) {
                t.confirmed = None;
            }
        }
    }
    Some(ranked)
}

/// The Reply-To of a message of `kind` to `to`: none on a message to the public list
/// (replies stay on the list), the team list on the assignment (the facilitator swaps
/// there), else the facilitator when there is one.
pub fn reply_to(
    kind: Kind,
    to: &[Mailbox],
    facilitator: Option<&Member>,
    mail: &MailConfig,
) -> Option<Mailbox> {
    let public = to.iter().any(|m| {
        mail.public_list
            .iter()
            .any(|l| same_address(&m.email, &l.email))
    });
    match kind {
        _ if public => None,
        Kind::Step(Step::Assignment) => mail.team_list.first().cloned(),
        _ => facilitator.map(Member::mailbox),
    }
}

/// The chosen topics of `ranked` that `owner` owns (by address, any case), in vote
/// order: what the outreach to `owner` asks about. Empty when `owner` owns none.
pub fn owned_topics(ranked: &agenda::Ranked, owner: &Mailbox) -> Vec<TopicView> {
    ranked
        .owners()
        .into_iter()
        .find(|(m, _)| same_address(&m.email, &owner.email))
        .map(|(_, ts)| ts.into_iter().map(TopicView::from).collect())
        .unwrap_or_default()
}

/// Whether `a` and `b` are one address: compared without regard to ASCII case, as
/// Message-IDs and ledger keys are (see [`super::message_id::message_id`]).
pub fn same_address(a: &Address, b: &Address) -> bool {
    crate::model::Email::same(a, b)
}

#[cfg(test)]
mod tests;
