//! `summit agenda`: the topics proposed for a summit, ranked as the outreach ranks
//! them: owner, votes and voters, when proposed, whether late, and whether the owner
//! answered the outreach (a mailbox source).

use serde::Serialize;

use crate::calendar;
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::values::parse_summit_date;
use crate::error::{Error, Result};
use crate::mail;
use crate::model::timeline::topic_deadline;
use crate::plan::find::SummitDate;
use crate::text::one_line;

/// The flags of `summit agenda`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The summit on this date (`YYYY-MM-DD` in UTC; `today`, `tomorrow`, `next` or
    /// `last`) instead of the summit of the day (the one in progress until it ends,
    /// else the next one).
    #[arg(long, value_name = "DATE", value_parser = parse_summit_date)]
    summit: Option<SummitDate>,
}

/// `summit agenda --json`.
#[derive(Serialize)]
struct AgendaJson {
    summit: SummitJson,
    /// Where the topics were read: a file, a URL, `imaps://…`, `github:…`.
    source: String,
    /// The topic deadline: proposals at or after it are late.
    deadline: calendar::When,
    /// `outreach.top`.
    top: usize,
    /// Every topic, in vote order: the chosen ones, the rest, then the late ones.
    topics: Vec<TopicJson>,
}

#[derive(Serialize)]
struct SummitJson {
    uid: String,
    summary: String,
    start: calendar::When,
}

#[derive(Serialize)]
struct TopicJson {
    /// 1, 2, … among the topics proposed in time; null for a late one.
    rank: Option<usize>,
    title: String,
    owner: String,
    email: Option<String>,
    votes: u32,
    voters: Vec<String>,
    proposed_at: calendar::When,
    /// Whether the outreach covers it (one of the `top` most-voted in time).
    chosen: bool,
    /// Proposed at or after the deadline.
    late: bool,
    /// The owner answered the outreach: true, false, or null when unknown.
    confirmed: Option<bool>,
    /// Where it was proposed: a Message-ID, an issue's URL; null for a file.
    origin: Option<String>,
}

/// `summit agenda`.
///
/// # Errors
/// [`Error::Usage`] when no agenda is configured; [`Error::Agenda`] when it cannot be
/// read; [`crate::Error::NoSummit`] when there is no such summit.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let mut config = session.config()?;
    config.members()?;
    let cal = session.calendar(&config)?;
    let (planned, _) = session.summit_of_the_day(&config, &cal, args.summit)?;
    if session.agenda_path(&config).is_none() && config.config.agenda.source.is_none() {
        return Err(Error::Usage(
            "no agenda is configured, expected `agenda.file`, `agenda.url`, `[agenda.mailbox]` or `[agenda.github]` in the configuration, or --agenda FILE".into(),
        ));
    }
    session.agenda_for(&mut config, &cal, Some(&planned.summit), false);
    if let Some(e) = &config.agenda_error {
        return Err(Error::Agenda {
            path: e.path.clone(),
            message: e.message.clone(),
        });
    }
    let agenda = config.agenda.as_ref().expect("loaded without an error");
    printer.warn_all(&agenda.warnings);
    let ranked = mail::ranked_agenda_at(&planned, &config, session.now).unwrap_or_default();
    let deadline = topic_deadline(&planned.summit, &config.timeline);
    let mut topics = Vec::new();
    let groups = [
        (&ranked.chosen, true, false),
        (&ranked.rest, false, false),
        (&ranked.late, false, true),
    ];
    for (list, chosen, late) in groups {
        for t in list {
            topics.push(TopicJson {
                rank: (!late).then_some(topics.len() + 1),
                title: t.title.clone(),
                owner: t.owner.clone(),
                email: t.email.as_ref().map(ToString::to_string),
                votes: t.votes,
                voters: t.voters.clone(),
                proposed_at: calendar::When::Timed(t.proposed_at),
                chosen,
                late,
                confirmed: t.confirmed,
                origin: t.origin.clone(),
            });
        }
    }
    let json = AgendaJson {
        summit: SummitJson {
            uid: planned.summit.uid.clone(),
            summary: planned.summit.summary.clone(),
            start: planned.summit.start,
        },
        source: agenda.path.display().to_string(),
        deadline: calendar::When::Timed(deadline),
        top: config.config.agenda.top,
        topics,
    };
    printer.show(&json, |printer| print_human(printer, &json))
}

/// The human form: a heading, then one table row per topic (late ones after a note).
fn print_human(printer: &mut Printer, a: &AgendaJson) -> Result<()> {
    printer.line(format_args!(
        "Agenda of {} on {} (from {})",
        one_line(&a.summit.summary),
        printer.when(a.summit.start),
        one_line(&a.source)
    ))?;
    printer.line(format_args!(
        "Topics are due before {}; the outreach covers the {} most-voted.",
        printer.instant(a.deadline.instant()),
        a.top
    ))?;
    if a.topics.is_empty() {
        return printer.line(format_args!("No topic has been proposed yet."));
    }
    let first_late = a.topics.iter().position(|t| t.late);
    let mut rows = vec![
        ["#", "topic", "owner", "votes", "proposed", "confirmed"]
            .map(String::from)
            .to_vec(),
    ];
    for t in &a.topics {
        let owner = match &t.email {
            Some(e) if e.eq_ignore_ascii_case(&t.owner) => e.clone(),
            Some(e) => format!("{} <{e}>", t.owner),
            None => format!("{} (no address)", t.owner),
        };
        let votes = if t.voters.is_empty() {
            t.votes.to_string()
        } else {
            format!("{} ({})", t.votes, t.voters.join(", "))
        };
        let confirmed = match (t.chosen, t.confirmed) {
            (_, Some(true)) => "yes",
            (true, Some(false)) => "not yet",
            _ => "-",
        };
        rows.push(vec![
            t.rank.map_or("late".into(), |r| {
                if t.chosen {
                    format!("{r}*")
                } else {
                    r.to_string()
                }
            }),
            one_line(&t.title),
            owner,
            votes,
            printer.instant(t.proposed_at.instant()),
            confirmed.into(),
        ]);
    }
    printer.table(&rows, None, |i| match (i, first_late) {
        (Some(i), Some(l)) if i == l + 1 => {
            vec!["Late (proposed at or after the deadline):".into()]
        }
        (None, _) => vec!["* the outreach asks these owners to come and present.".into()],
        _ => Vec::new(),
    })
}
