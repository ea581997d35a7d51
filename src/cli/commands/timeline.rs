//! `summit timeline`: every step of a summit with its due time, audience and state in
//! the ledger.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::calendar;
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::show::{agenda_fault, listed};
use crate::cli::values::parse_summit_date;
use crate::error::Result;
use crate::ledger::{Entry, Ledger};
use crate::mail;
use crate::model::State;
use crate::model::{Step, timeline};
use crate::plan::find::SummitDate;
use crate::plan::inputs::Inputs;
use crate::plan::summit::{self, Planned};
use crate::send;
use crate::text::one_line;

/// The flags of `summit timeline`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The summit on this date (`YYYY-MM-DD` in UTC; `today` or `tomorrow`, counted
    /// from --now; `next` or `last`, the first summit from --now or the last before it) instead of the summit of the day (the
    /// one in progress until it ends, else the next one).
    #[arg(long, value_name = "DATE", value_parser = parse_summit_date)]
    summit: Option<SummitDate>,
}

/// `summit timeline`: every step of a summit, its due time, audience and state.
///
/// # Errors
/// [`crate::Error::NoSummit`] when there is no such summit; whatever loading meets.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let (mut config, cal) = session.for_display()?;
    // The summit of the day, until it ends (or the one on `date`).
    let (planned, next) = session.summit_of_the_day(&config, &cal, args.summit)?;
    session.retie_agenda(&mut config, &cal, &planned.summit, false);
    let dir = session.state_dir()?;
    let ledger = Ledger::load(&dir.join(crate::ledger::FILE))?;
    let summits = Summits {
        planned: &planned,
        next: next.as_ref(),
        config: &config,
        ledger: &ledger,
        now: session.now,
    };
    let rows: Vec<TimelineJson> = timeline::schedule(&planned.summit, &config.timeline)
        .into_iter()
        .filter(|(step, _)| listed(*step, &planned, &config))
        .map(|(step, due)| summits.row(step, due))
        .collect();
    printer.show(&rows, |printer| {
        print_rows(printer, &planned, &rows, session.now)
    })
}

/// What a row of the timeline is worked out from.
struct Summits<'a> {
    planned: &'a Planned,
    next: Option<&'a Planned>,
    config: &'a Inputs,
    ledger: &'a Ledger,
    now: DateTime<Utc>,
}

impl Summits<'_> {
    /// The row of `step`, due at `due`: its recipients and its state in the ledger.
    fn row(&self, step: Step, due: DateTime<Utc>) -> TimelineJson {
        let (planned, config) = (self.planned, self.config);
        let to = mail::recipients(step, planned, config);
        let error = agenda_fault(to.as_ref().err());
        let to = to.unwrap_or_default();
        let until = timeline::window_end(
            step,
            &planned.summit,
            self.next.map(|n| &n.summit),
            &config.timeline,
        );
        let groups = mail::messages(step, to.clone());
        let entries: Vec<Option<&Entry>> = groups
            .iter()
            .map(|g| {
                self.ledger
                    .get(&send::step_key(&planned.summit, step, g, None))
            })
            .collect();
        let sent = !entries.is_empty()
            && entries
                .iter()
                .all(|e| e.is_some_and(|e| e.state == State::Sent));
        let closed = until.is_some_and(|u| self.now >= u);
        let state = if sent {
            "sent"
        } else if entries
            .iter()
            .any(|e| e.is_some_and(|e| e.state == State::Missed))
            || closed
        {
            "missed"
        } else if due <= self.now {
            "due"
        } else {
            "upcoming"
        };
        let sent_at = entries
            .iter()
            .filter_map(|e| e.and_then(|e| e.sent_at))
            .max()
            .filter(|_| sent)
            .map(calendar::When::Timed);
        TimelineJson {
            step: step.name(),
            due: calendar::When::Timed(due),
            to: to.iter().map(ToString::to_string).collect(),
            state,
            sent_at,
            error,
            answers: (step == Step::Outreach)
                .then(|| answers(planned, config, self.now))
                .flatten(),
        }
    }
}

/// The topic owners the outreach asks, by whether they answered it (a mailbox source,
/// [`crate::agenda::confirm`]); `None` when the source cannot tell.
fn answers(planned: &Planned, config: &Inputs, now: DateTime<Utc>) -> Option<Answers> {
    let ranked = mail::ranked_agenda_at(planned, config, now)?;
    let mut out = Answers::default();
    for (owner, topics) in ranked.owners() {
        let address = owner.to_string();
        match topics.iter().find_map(|t| t.confirmed)? {
            true => out.confirmed.push(address),
            false => out.silent.push(address),
        }
    }
    Some(out)
}

/// The outreach's owners in `summit timeline`: who confirmed, who has not answered.
#[derive(Default, Serialize)]
struct Answers {
    /// Owners whose reply to the outreach arrived.
    confirmed: Vec<String>,
    /// Owners who have not answered (yet).
    silent: Vec<String>,
}

/// The human lines: the summit, then a table of one row per step (times in the
/// reader's zone).
fn print_rows(
    printer: &mut Printer,
    planned: &Planned,
    rows: &[TimelineJson],
    now: DateTime<Utc>,
) -> Result<()> {
    let on = if summit::in_progress(&planned.summit, now) {
        "  (now on)"
    } else {
        ""
    };
    printer.line(format_args!(
        "{} on {}{on}",
        one_line(&planned.summit.summary),
        printer.when(planned.summit.start)
    ))?;
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let state = match r.sent_at {
                Some(t) => format!("{} at {}", r.state, printer.instant(t.instant())),
                None => r.state.to_string(),
            };
            let to = if let Some(e) = &r.error {
                format!("? ({e})")
            } else if r.to.is_empty() {
                "-".to_string()
            } else if let Some(a) = &r.answers {
                let note = |t: &String| {
                    if a.confirmed.contains(t) {
                        format!("{t} (confirmed)")
                    } else if a.silent.contains(t) {
                        format!("{t} (no answer yet)")
                    } else {
                        t.clone()
                    }
                };
                r.to.iter().map(note).collect::<Vec<_>>().join(", ")
            } else {
                r.to.join(", ")
            };
            vec![
                format!("  {}", r.step),
                printer.instant(r.due.instant()),
                state,
                format!("to {to}"),
            ]
        })
        .collect();
    printer.table(&table, Some(2), |_| Vec::new())
}

/// One row of `summit timeline --json`.
#[derive(Serialize)]
struct TimelineJson {
    step: &'static str,
    due: calendar::When,
    to: Vec<String>,
    /// `sent`, `due`, `upcoming` or `missed`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_at: Option<calendar::When>,
    /// Why the recipients are unknown (the agenda file cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// The outreach's owners by whether they answered (a mailbox source only).
    #[serde(skip_serializing_if = "Option::is_none")]
    answers: Option<Answers>,
}
