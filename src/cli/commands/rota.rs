//! `summit rota`: the upcoming summits and their facilitators, as `who` lists them or
//! (`--ics`) as an iCalendar feed to subscribe to.

use std::path::PathBuf;

use super::who::{print_rota, rota_entries};
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::values::parse_count;
use crate::error::{Error, Result};
use crate::store::write_atomically;

/// The flags of `summit rota`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write the rota as iCalendar (one event per summit, "Facilitator: NAME").
    #[arg(long)]
    ics: bool,
    /// How many summits.
    #[arg(long, default_value_t = 5, value_name = "N", value_parser = parse_count)]
    count: usize,
    /// Write to this file (replaced atomically) instead of standard output, and say so
    /// in one line (on standard error with --json).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// `summit rota`.
///
/// # Errors
/// [`Error::Usage`] for `--out` without `--ics`; as `summit who`; when the file cannot
/// be written.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let (config, plan) = rota_entries(session, args.count, false)?;
    if !args.ics {
        if let Some(f) = &args.out {
            return Err(Error::Usage(format!(
                "--out `{}` needs --ics, expected `summit rota --ics --out FILE`",
                f.display()
            )));
        }
        return print_rota(session, &plan, &config, true, printer);
    }
    if printer.json() {
        return Err(Error::Usage(
            "--json is not supported by `summit rota --ics`, expected `summit rota --json` (the list) or `summit rota --ics` (iCalendar)".into(),
        ));
    }
    // The feed lists the summits held: the cancelled ones are left out.
    let plan: Vec<_> = plan
        .into_iter()
        .filter(|(_, b)| *b != crate::plan::rotation::Basis::Cancelled)
        .collect();
    let name = format!("{} summit facilitators", config.project.name);
    let text = crate::mail::rota::ics(&plan, &name, session.now);
    match &args.out {
        Some(f) => {
            write_atomically(f, text.as_bytes())?;
            // Standard output is free (the feed went to the file) unless --json asks
            // for it to stay machine-readable.
            let said = format!(
                "wrote {} summit(s) as iCalendar to {}",
                plan.len(),
                f.display()
            );
            if printer.json() {
                crate::cli::printer::note(&said);
                Ok(())
            } else {
                printer.line(format_args!("{said}"))
            }
        }
        None => printer.raw(text.as_bytes()),
    }
}
