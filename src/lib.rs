//! `summit` does the chores of the rotating facilitator of an open-source project's
//! developer summit: it reads the project's calendar feed, works out the next summit,
//! picks the facilitator by rotation, and drafts the reminder, agenda-vote, outreach
//! and handover e-mails on the facilitator's timeline.
//!
//! The binary is a thin wrapper around [`run`]. The crate is built in layers; a module
//! imports only from layers below its own, never from a sibling at its own layer, never
//! from above (`tests/integration/layers.rs` checks this on every run):
//!
//! | layer | modules | what it holds |
//! |---|---|---|
//! | 7 | [`cli`] | clap, standard output and error, `--json`, one file per command |
//! | 6 | [`send`] | what is due now, the exactly-once protocol, transports |
//! | 5 | [`mail`] | templates, drafts, the `.ics` attachment, the rota as iCalendar |
//! | 4 | [`plan`] | pure decisions: which summits, who facilitates |
//! | 3 | [`agenda`] | the topics and votes, from a file, a URL, a mailbox or GitHub |
//! | 2 | [`config`], [`calendar`], [`record`], [`ledger`] | one input each |
//! | 1 | [`model`], [`store`] | the vocabulary; file-system primitives |
//! | 0 | [`error`], [`text`], [`terminal`], [`budget`] | errors and small helpers |
//!
//! Inside layer 0, [`error`] may use [`terminal`] (it escapes what it prints).

pub mod agenda;
pub mod budget;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod error;
pub mod ledger;
pub mod mail;
pub mod model;
pub mod plan;
pub mod record;
pub mod send;
pub mod store;
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
    cli::execute(cli, &mut std::io::stdout().lock())
}
