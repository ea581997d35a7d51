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
pub mod model;
pub mod record;
pub mod rota;
pub mod rotation;
pub mod state;
pub mod summit;
pub mod terminal;
pub mod text;

use std::ffi::OsString;

pub use error::{Error, Result};

/// Parses `args` (with the program name first) and runs the command, printing to
/// standard output.
///
/// A closed standard output (`summit events | head -1`) ends nothing: the rest of the
/// output is dropped and the command finishes as usual, exit status 0, without a
/// message. Any other failure to write it (`ENOSPC`, e.g. `> /dev/full`) is an
/// [`Error::Io`] on `<standard output>` (exit 1).
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
    let result = commands::execute(cli, &mut out);
    // What is still buffered must reach the file too: a full disk is an error even when
    // the last line did not end in a newline.
    let flushed = commands::flush_out(&mut out);
    result.and(flushed)
}
