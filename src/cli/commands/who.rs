//! `summit who`: who facilitates the upcoming summits; a summit in progress stays first
//! until it ends, marked "now on". `summit rota` without `--ics` prints the same list.

use serde::Serialize;

use crate::calendar;
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::show::{announced, decided};
use crate::cli::values::parse_count;
use crate::error::Result;
use crate::plan::find::no_summit;
use crate::plan::inputs::Inputs;
use crate::plan::rotation::Basis;
use crate::plan::summit::{self, Planned};

/// The flags of `summit who`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many summits.
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = parse_count)]
    count: usize,
    /// Only your own upcoming turns (up to N): yours is the address of --member, else
    /// `git config user.email`.
    #[arg(long)]
    me: bool,
    /// Your address on the roster, for --me (implies it).
    #[arg(long, value_name = "EMAIL")]
    member: Option<String>,
    /// With --json, list the cancelled summits too, in their place and not counted, as
    /// `"cancelled": true` with a null name and email (the human table always shows
    /// them).
    #[arg(long)]
    cancelled: bool,
}

/// `summit who`.
///
/// # Errors
/// [`crate::Error::NoSummit`] when the feed has none; whatever loading meets.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    if args.me || args.member.is_some() {
        return mine(session, &args, printer);
    }
    let (config, plan) = rota_entries(session, args.count, true)?;
    print_rota(session, &plan, &config, args.cancelled, printer)
}

/// `summit who --me`: the next `--count` summits whose facilitator is the member who
/// asks ([`super::me::whoami`]), as `who` shows them.
///
/// # Errors
/// [`crate::Error::Usage`] when there is no address, or it is not on the roster; as `who`.
fn mine(session: &Session, args: &Args, printer: &mut Printer) -> Result<()> {
    let config = session.config_file()?;
    let (me, scan) = super::me::whoami(&config, args.member.as_deref(), args.count)?;
    let (config, plan) = rota_entries(session, scan, true)?;
    let mine: Vec<(Planned, Basis)> = plan
        .into_iter()
        .filter(|(p, _)| {
            p.facilitator
                .as_ref()
                .is_some_and(|f| crate::model::Email::same(&f.email, &me.email))
        })
        .take(args.count)
        .collect();
    if mine.is_empty() && !printer.json() {
        return printer.line(format_args!(
            "{} <{}> facilitates none of the next {scan} summits",
            me.name, me.email
        ));
    }
    print_rota(session, &mine, &config, args.cancelled, printer)
}

/// The next `count` summits with their facilitators and why, as `who` and `rota`
/// show them, with the cancelled summits among them ([`summit::rota_listed`]).
///
/// With `current`, from the summit of the day (one in progress at now comes first,
/// [`summit::rota_current`]), as `who` shows them.
///
/// # Errors
/// [`crate::Error::NoSummit`] when the feed has none; whatever loading meets.
pub(super) fn rota_entries(
    session: &Session,
    count: usize,
    current: bool,
) -> Result<(Inputs, Vec<(Planned, Basis)>)> {
    let config = session.config()?;
    config.members()?;
    let cal = session.calendar(&config)?;
    let mut warnings = Vec::new();
    let plan = summit::rota_listed(&cal, &config, session.now, count, current, &mut warnings);
    crate::cli::printer::warn_all(&warnings);
    if plan.is_empty() {
        return Err(no_summit(&config, session.now));
    }
    Ok((config, plan))
}

/// `who` and `rota` without `--ics`: `--json`, or a table of one row per summit (its
/// start in the reader's zone, its facilitator or `cancelled`, how they were decided).
/// Every JSON object says whether its summit is `"cancelled"`; the cancelled summits
/// themselves are in the JSON only with `cancelled` (`rota`, `who --cancelled`), so that
/// `who --json` keeps to the contract: one object per summit held, with a facilitator.
///
/// # Errors
/// When the output cannot be written.
pub(super) fn print_rota(
    session: &Session,
    plan: &[(Planned, Basis)],
    config: &Inputs,
    cancelled: bool,
    printer: &mut Printer,
) -> Result<()> {
    let record = &config.record.entries;
    let now = session.now;
    let entries: Vec<WhoJson> = plan
        .iter()
        .filter(|(_, basis)| cancelled || *basis != Basis::Cancelled)
        .map(|(p, basis)| WhoJson {
            start: p.summit.start,
            name: p.facilitator.as_ref().map(|m| m.name.clone()),
            email: p.facilitator.as_ref().map(|m| m.email.to_string()),
            decided: decided(*basis, record),
            cancelled: *basis == Basis::Cancelled,
            now: summit::in_progress(&p.summit, now),
        })
        .collect();
    printer.show(&entries, |printer| {
        let rows: Vec<Vec<String>> = plan
            .iter()
            .map(|(p, basis)| human_row(p, *basis, record, now, printer))
            .collect();
        printer.table(&rows, Some(1), |_| Vec::new())
    })
}

/// One row of `who` and `rota`: start, facilitator (or `cancelled`), notes.
fn human_row(
    p: &Planned,
    basis: Basis,
    record: &[crate::record::Entry],
    now: chrono::DateTime<chrono::Utc>,
    printer: &Printer,
) -> Vec<String> {
    let who = match (&p.facilitator, basis) {
        (_, Basis::Cancelled) => "cancelled".to_string(),
        (Some(m), _) => format!("{} <{}>", m.name, m.email),
        (None, _) => "nobody (every member is away)".into(),
    };
    let how = match basis {
        Basis::Recorded(r) if announced(record, r) => "(announced by summit)",
        Basis::Recorded(_) => "(announced)",
        Basis::Pinned => "(pinned)",
        _ => "",
    };
    let on = if summit::in_progress(&p.summit, now) {
        "(now on)"
    } else {
        ""
    };
    let notes = [how, on].into_iter().filter(|s| !s.is_empty());
    vec![
        printer.when(p.summit.start),
        who,
        notes.collect::<Vec<_>>().join("  "),
    ]
}

#[derive(Serialize)]
struct WhoJson {
    start: calendar::When,
    name: Option<String>,
    email: Option<String>,
    /// How the facilitator was decided: `record`, `pin`, `rotation`, or null.
    decided: Option<&'static str>,
    /// Whether the summit is cancelled (listed in its place, with no facilitator; only
    /// in `rota --json` and `who --cancelled --json`).
    cancelled: bool,
    /// Whether the summit is in progress at now (only when it is).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    now: bool,
}
