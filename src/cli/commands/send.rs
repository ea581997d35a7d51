//! `summit send STEP`: delivers the e-mails of one timeline step now and records them in
//! the ledger; a message already recorded as sent is not sent again.

use chrono::{DateTime, Utc};

use super::deliver::{carry_out, delivery_setup};
use crate::calendar::{self, Calendar};
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::show::step_channels;
use crate::cli::values::{self, parse_summit_date};
use crate::error::{Error, Result};
use crate::model::Kind;
use crate::model::OccurrenceKey;
use crate::model::State;
use crate::model::{Step, timeline};
use crate::plan::find::SummitDate;
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;
use crate::send::{self, Notice, Plan};

/// The flags of `summit send`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The timeline step.
    #[arg(value_parser = values::step())]
    step: Step,
    /// The summit on this date (`YYYY-MM-DD` in UTC; `today` or `tomorrow`, counted
    /// from --now; `next` or `last`, the first summit from --now or the last before it) instead of the one whose step is open.
    #[arg(long, value_name = "DATE", value_parser = parse_summit_date)]
    summit: Option<SummitDate>,
    /// Print what would be sent; send and record nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also send messages whose earlier delivery was interrupted and never confirmed.
    #[arg(long)]
    retry: bool,
    /// Only the message for this channel (a `[[channels]]` name), no e-mail.
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
    /// Send without asking, even before the step is due or for a summit that is not
    /// the nearest one (without a terminal, `send` refuses those unless given this).
    #[arg(long, short = 'y')]
    yes: bool,
}

/// `summit send STEP`.
///
/// # Errors
/// [`Error::NoSummit`] for a summit before `rotation.start` or a step whose window
/// closed; [`Error::Usage`] when a surprising send is not confirmed; whatever loading
/// and delivery meet.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let Args {
        step,
        summit: date,
        dry_run,
        retry,
        channel,
        yes,
    } = args;
    let mut setup = delivery_setup(session, dry_run)?;
    let (cal, warnings) = session.cached_calendar(&setup.config, &setup.dir, !dry_run)?;
    let (planned, next) = session.find_summit(step, &setup.config, &cal, date)?;
    session.agenda_for_step(&mut setup.config, &cal, &planned.summit, !dry_run);
    let config = &setup.config;
    refuse_unsendable(step, &planned, next.as_ref(), config, session.now)?;
    let mut plan = Plan::default();
    let planning = send::Planning {
        ledger: &setup.ledger,
        config,
        mail: config.mail()?,
        now: session.now,
        retry,
    };
    send::plan_step(&mut plan, &planning, &planned, next.as_ref(), step);
    if let Some(name) = channel.as_deref() {
        step_channels(step, config, Some(name))?;
        plan.sends
            .retain(|o| o.key.channel.as_deref() == Some(name));
        plan.notices
            .retain(|n| n.key().is_some_and(|k| k.channel.as_deref() == Some(name)));
    }
    // What was already sent is said, and not sent again.
    let occ = OccurrenceKey::of(&planned.summit);
    plan.notices.extend(
        setup
            .ledger
            .of_occurrence(&occ)
            .filter(|e| e.key.kind == Kind::Step(step) && e.state == State::Sent)
            .filter(|e| channel.is_none() || e.key.channel == channel)
            .cloned()
            .map(Notice::AlreadySent),
    );
    if !dry_run && !plan.sends.is_empty() {
        let surprises = surprises(session, step, &planned, date, config, &cal);
        if !surprises.is_empty() && !yes {
            let what = format!(
                "the {step} of the summit on {}: {}",
                planned.summit.start.date_utc(),
                surprises.join(", and ")
            );
            confirm(&what)?;
        }
    }
    carry_out(session, setup, plan, &warnings, dry_run, printer)
}

/// Refuses a summit before `rotation.start`, and a step whose window closed.
///
/// # Errors
/// [`Error::NoSummit`] saying which.
fn refuse_unsendable(
    step: Step,
    planned: &Planned,
    next: Option<&Planned>,
    config: &Inputs,
    now: DateTime<Utc>,
) -> Result<()> {
    if send::before_start(planned, config) {
        return Err(Error::NoSummit(format!(
            "the summit on {} is before rotation.start {}, so nothing of it is sent; expected a summit from rotation.start on",
            planned.summit.start.date_utc(),
            config
                .rotation
                .start
                .map(|d| d.to_string())
                .unwrap_or_default()
        )));
    }
    if let Some(end) = timeline::window_end(
        step,
        &planned.summit,
        next.map(|n| &n.summit),
        &config.timeline,
    ) && now >= end
    {
        return Err(Error::NoSummit(format!(
            "the {step} of the summit on {} stopped being useful at {} (its window closed), so it is not sent; expected a step whose window is open",
            planned.summit.start.date_utc(),
            calendar::When::Timed(end)
        )));
    }
    Ok(())
}

/// What is surprising about sending `step` of `planned` now: it is not due yet, or
/// (named by `date`) it is not the nearest summit whose step is open.
fn surprises(
    session: &Session,
    step: Step,
    planned: &Planned,
    date: Option<SummitDate>,
    config: &Inputs,
    cal: &Calendar,
) -> Vec<String> {
    let occ = OccurrenceKey::of(&planned.summit);
    let due = step.due(&planned.summit, &config.timeline);
    let nearest = match date {
        None => true,
        Some(_) => session
            .find_summit(step, config, cal, None)
            .is_ok_and(|(p, _)| OccurrenceKey::of(&p.summit) == occ),
    };
    let mut surprises = Vec::new();
    if session.now < due {
        surprises.push(format!(
            "it is not due until {}",
            calendar::When::Timed(due)
        ));
    }
    if !nearest {
        surprises.push("this summit is not the nearest one whose step is open".to_string());
    }
    surprises
}

/// How long `send` waits for an answer at its terminal prompt.
const CONFIRM_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Asks on the terminal whether to send `what` now; without a terminal (cron, a
/// script), refuses and names `--yes`.
///
/// # Errors
/// [`Error::Usage`] when there is no terminal, when the answer is not yes, or when no
/// answer comes within five minutes.
fn confirm(what: &str) -> Result<()> {
    use std::io::IsTerminal;
    let refused = |why: &str| {
        Error::Usage(format!(
            "not sending {}; {why}",
            crate::text::one_line(what)
        ))
    };
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(refused("pass `--yes` to send it anyway"));
    }
    eprint!(
        "Send {} now? [y/N] ",
        crate::terminal::line(&crate::text::one_line(what))
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut answer = String::new();
        let _ = tx.send(std::io::stdin().read_line(&mut answer).map(|_| answer));
    });
    match rx.recv_timeout(CONFIRM_WAIT) {
        Ok(Ok(a)) if matches!(a.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Ok(()),
        Ok(_) => Err(refused(
            "the answer was not yes (`--yes` sends without asking)",
        )),
        Err(_) => {
            eprintln!();
            Err(refused(
                "no answer came within 5 minutes (`--yes` sends without asking)",
            ))
        }
    }
}
