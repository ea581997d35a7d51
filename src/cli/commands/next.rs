//! `summit next`: the next summit(s), their facilitators and their timelines; a summit
//! in progress stays first until it ends, marked "now on".

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::calendar;
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::show::{self, agenda_fault, decided, listed};
use crate::cli::values::parse_count;
use crate::error::Result;
use crate::mail;
use crate::model::Occurrence;
use crate::model::{Step, timeline};
use crate::plan::find::no_summit;
use crate::plan::inputs::Inputs;
use crate::plan::rotation::Basis;
use crate::plan::summit::{self, Planned};
use crate::text::one_line;

/// The flags of `summit next`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many summits.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = parse_count)]
    count: usize,
    /// With --json, list the cancelled summits too, in their place and not counted, as
    /// `"cancelled": true` with no facilitator and no steps (the human output always
    /// shows them).
    #[arg(long)]
    cancelled: bool,
}

/// `summit next`.
///
/// # Errors
/// [`crate::Error::NoSummit`] when the feed has none; whatever loading meets.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let (config, cal) = session.for_display()?;
    let mut warnings = Vec::new();
    // The cancelled summits among them are shown in their place (not counted), but
    // `--json` keeps to the contract, `--count` summits held, unless `--cancelled`.
    let listed = summit::rota_listed(&cal, &config, session.now, args.count, true, &mut warnings);
    printer.warn_all(&warnings);
    if listed.iter().all(|(_, b)| *b == Basis::Cancelled) {
        return Err(no_summit(&config, session.now));
    }
    let entries: Vec<NextJson> = listed
        .iter()
        .map(|(p, basis)| entry(p, *basis, &config, session.now))
        .collect();
    let held: Vec<&NextJson> = entries
        .iter()
        .filter(|e| args.cancelled || !e.cancelled)
        .collect();
    printer.show(&held, |printer| {
        for (i, ((p, _), e)) in listed.iter().zip(&entries).enumerate() {
            if i > 0 {
                printer.line(format_args!(""))?;
            }
            if e.cancelled {
                print_cancelled(printer, p, &config)?;
            } else {
                print_summit(printer, p, e, &config, session.now)?;
            }
        }
        Ok(())
    })
}

/// The human lines of a cancelled summit: its summary, marked cancelled, and its start
/// in each zone; no facilitator, no timeline.
fn print_cancelled(printer: &mut Printer, p: &Planned, config: &Inputs) -> Result<()> {
    let cancelled = printer.state("cancelled");
    printer.line(format_args!("{}", one_line(&p.summit.summary)))?;
    print_zones(printer, p, config)?;
    printer.text("  Facilitator: none (")?;
    printer.raw(cancelled.as_bytes())?;
    printer.line(format_args!(")"))
}

/// The start of `p` in each of `calendar.zones`, one line each.
fn print_zones(printer: &mut Printer, p: &Planned, config: &Inputs) -> Result<()> {
    for zone in &config.calendar.zones {
        let t = show::when(p.summit.start, *zone);
        printer.line(format_args!("  {t} ({})", zone.name()))?;
    }
    Ok(())
}

/// What `next` says of summit `p`, its facilitator decided by `basis`; a cancelled
/// summit has no facilitator and no steps.
fn entry(p: &Planned, basis: Basis, config: &Inputs, now: DateTime<Utc>) -> NextJson {
    if basis == Basis::Cancelled {
        return NextJson {
            now: false,
            cancelled: true,
            summit: SummitJson::from(&p.summit),
            facilitator: None,
            decided: None,
            steps: Vec::new(),
            extra_steps: Vec::new(),
        };
    }
    let (steps, extra_steps) = timeline::schedule(&p.summit, &config.timeline)
        .into_iter()
        .filter(|(step, _)| listed(*step, p, config))
        .map(|(step, due)| {
            let to = mail::recipients(step, p, config);
            StepJson {
                step: step.name(),
                due: calendar::When::Timed(due),
                to: to
                    .as_ref()
                    .map(|to| to.iter().map(ToString::to_string).collect())
                    .unwrap_or_default(),
                channels: config.channels_of(step).map(|c| c.name.clone()).collect(),
                error: agenda_fault(to.as_ref().err()),
            }
        })
        .partition(|s| Step::CONTRACT.iter().any(|c| c.name() == s.step));
    NextJson {
        now: summit::in_progress(&p.summit, now),
        cancelled: false,
        summit: SummitJson::from(&p.summit),
        facilitator: p.facilitator.as_ref().map(|m| PersonJson {
            name: m.name.clone(),
            email: m.email.to_string(),
        }),
        decided: decided(basis, &config.record.entries),
        steps,
        extra_steps,
    }
}

/// The human lines of one summit: its summary, its start in each zone, its
/// facilitator and its timeline.
fn print_summit(
    printer: &mut Printer,
    p: &Planned,
    e: &NextJson,
    config: &Inputs,
    now: DateTime<Utc>,
) -> Result<()> {
    let on = if e.now { "  (now on)" } else { "" };
    printer.line(format_args!("{}{on}", one_line(&p.summit.summary)))?;
    print_zones(printer, p, config)?;
    match &p.facilitator {
        Some(m) => printer.line(format_args!(
            "  Facilitator: {} <{}>{}",
            m.name,
            m.email,
            match e.decided {
                Some("announced") => "  (announced by summit)",
                Some("record") => "  (announced)",
                Some("pin") => "  (pinned)",
                _ => "",
            }
        ))?,
        None => printer.line(format_args!("  Facilitator: nobody (every member is away)"))?,
    }
    printer.line(format_args!("  Timeline:"))?;
    let mut all: Vec<&StepJson> = e.steps.iter().chain(&e.extra_steps).collect();
    all.sort_by_key(|s| s.due);
    for s in all {
        let due = s.due.instant();
        let local = printer.instant(due);
        let state = if due <= now {
            format!("  ({})", printer.state("due"))
        } else {
            String::new()
        };
        let to = if let Some(e) = &s.error {
            format!("  to ? ({e})")
        } else if s.to.is_empty() {
            String::new()
        } else {
            let channels = s.channels.iter().map(|c| format!("#{c}"));
            let all: Vec<String> = s.to.iter().cloned().chain(channels).collect();
            format!("  to {}", all.join(", "))
        };
        printer.text(&format!("    {:<12} {local}{to}", s.step))?;
        printer.raw(state.as_bytes())?;
        printer.line(format_args!(""))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct SummitJson {
    uid: String,
    summary: String,
    start: calendar::When,
    end: calendar::When,
}

impl From<&Occurrence> for SummitJson {
    fn from(o: &Occurrence) -> Self {
        SummitJson {
            uid: o.uid.clone(),
            summary: o.summary.clone(),
            start: o.start,
            end: o.end,
        }
    }
}

#[derive(Serialize)]
struct PersonJson {
    name: String,
    email: String,
}

#[derive(Serialize)]
struct StepJson {
    step: &'static str,
    due: calendar::When,
    to: Vec<String>,
    /// The channels (`[[channels]]` names) it is also posted to; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    channels: Vec<String>,
    /// Why the recipients are unknown (the agenda file cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct NextJson {
    /// Whether the summit is in progress at now (only when it is).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    now: bool,
    /// Whether the summit is cancelled (listed only with `--cancelled`).
    cancelled: bool,
    summit: SummitJson,
    facilitator: Option<PersonJson>,
    /// How the facilitator was decided: `announced`, `record`, `pin`, `rotation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    decided: Option<&'static str>,
    /// The timeline steps of CONTRACT.md, in due order.
    steps: Vec<StepJson>,
    /// The project's own steps (the assignment heads-up, the facilitator's checklist
    /// with an agenda), in due order: an extension kept apart so that `steps` stays as
    /// CONTRACT.md defines it.
    extra_steps: Vec<StepJson>,
}
