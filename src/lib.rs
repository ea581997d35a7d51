//! `summit` does the chores of the rotating facilitator of an open-source project's
//! developer summit: it reads the project's calendar feed, works out the next summit,
//! picks the facilitator by rotation, and drafts the reminder, agenda-vote, outreach
//! and handover e-mails on the facilitator's timeline.
//!
//! The binary is a thin wrapper around [`run`]. The pipeline is
//! [`calendar`] (fetch → parse → expand) → [`summit`] (selection) → [`rotation`] (with
//! the facilitation [`record`]) → [`timeline`] → [`mail`] (render, build); [`rota`]
//! writes the rota as iCalendar. `tick` and `send` add [`delivery`] (what is
//! due, and the exactly-once protocol), the [`ledger`] of what was sent, and the
//! [`state`] directory they live in.

pub mod agenda;
pub mod budget;
pub mod calendar;
pub mod cli;
pub mod commands;
pub mod config;
pub mod delivery;
pub mod error;
pub mod ledger;
pub mod mail;
pub mod record;
pub mod rota;
pub mod rotation;
pub mod state;
pub mod summit;
pub mod timeline;

use std::ffi::OsString;

pub use error::{Error, Result};

/// Parses `args` (with the program name first) and runs the command, printing to
/// standard output.
///
/// # Errors
/// Any [`Error`]; the caller prints it and exits with [`Error::exit_code`].
pub fn run<I, T>(args: I) -> Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let Some(cli) = cli::Cli::parse_args(args)? else {
        return Ok(());
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    commands::execute(cli, &mut out)
}
