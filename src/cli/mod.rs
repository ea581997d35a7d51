//! The command line: the only layer that knows clap, standard output and error,
//! `--json` and terminals. [`args`] declares the commands and flags; [`commands`] runs
//! them.

pub mod args;
pub mod commands;
