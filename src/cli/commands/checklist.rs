//! `summit checklist`: the facilitator's run-sheet for the day, from the
//! `checklist.txt` template.

use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::show::agenda_warnings;
use crate::cli::values::parse_summit_date;
use crate::error::Result;
use crate::mail::{self, Templates};
use crate::plan::find::SummitDate;

/// The flags of `summit checklist`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The summit on this date (`YYYY-MM-DD` in UTC; `today` or `tomorrow`, counted
    /// from --now; `next` or `last`, the first summit from --now or the last before it) instead of the summit of the day (the
    /// one in progress until it ends, else the next one).
    #[arg(long, value_name = "DATE", value_parser = parse_summit_date)]
    summit: Option<SummitDate>,
}

/// `summit checklist`.
///
/// # Errors
/// [`crate::Error::NoSummit`] when there is no such summit; whatever loading and
/// rendering meet.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let mut config = session.config()?;
    config.members()?;
    let templates = Templates::load(config.mail.as_ref().and_then(|m| m.templates.as_deref()))?;
    let cal = session.calendar(&config)?;
    session.load_agenda(&mut config, &cal, true);
    printer.warn_all(&agenda_warnings(&config));
    // The summit of the day, until it ends (or the one on `date`).
    let (planned, next) = session.summit_of_the_day(&config, &cal, args.summit)?;
    session.retie_agenda(&mut config, &cal, &planned.summit, false);
    let rendered = mail::checklist(&planned, next.as_ref(), &config, &templates, session.now)?;
    printer.text(&rendered.body)
}
