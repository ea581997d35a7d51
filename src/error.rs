//! The one error type of the library, and how each kind maps to an exit status
//! (`../shared/CONTRACT.md`: 1 runtime failure, 2 usage or configuration error).

use std::path::PathBuf;

/// Everything that can stop a `summit` command.
///
/// Messages are lowercase, quote the offending value in backticks, and say what was
/// expected. `main` prints them behind `error: `.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag or argument that parsed but makes no sense (exit 2).
    #[error("{0}")]
    Usage(String),

    /// The command line does not parse, or names no command: clap's own rendering
    /// (`error: …`, the `Usage:` line and the `--help` tip; or the help), printed as it
    /// is, values already escaped for a terminal (exit 2).
    #[error("{}", .0.trim_end())]
    Arguments(String),

    /// The configuration file is missing, malformed or invalid (exit 2).
    #[error("{path}: {message}")]
    Config {
        /// The configuration file at fault.
        path: PathBuf,
        /// What is wrong, naming the key, line or value.
        message: String,
    },

    /// The agenda file (`--agenda` or `agenda.file`) is missing, unreadable or malformed
    /// (exit 1). Only the steps that need it (the outreach and the checklist) fail with
    /// it; the others go out as usual.
    #[error("{}: {message}", path.display())]
    Agenda {
        /// The agenda file at fault.
        path: PathBuf,
        /// What is wrong, naming the line or row and the value.
        message: String,
    },

    /// A mail template does not compile or does not render (exit 2).
    #[error("template `{name}`{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Template {
        /// The template's file name, e.g. `reminder.txt`.
        name: String,
        /// The line in the template, when known.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },

    /// The feed could not be read or fetched (exit 1).
    #[error("feed `{source_name}`: {message}")]
    Feed {
        /// The path, URL or `-` the feed was read from.
        source_name: String,
        /// What went wrong.
        message: String,
    },

    /// The feed was read but is not a usable iCalendar document (exit 1).
    #[error("feed `{source_name}`{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Calendar {
        /// The path, URL or `-` the feed was read from.
        source_name: String,
        /// The 1-based line of the feed at fault, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },

    /// No summit matched, or another condition that leaves nothing to work on (exit 1).
    #[error("{0}")]
    NoSummit(String),

    /// The feed asks for more work than `summit` does at once, e.g. more summits due
    /// than [`crate::send::MAX_PLANNED`] (exit 1).
    #[error("{0}")]
    Overload(String),
    /// Building an e-mail failed (exit 1).
    #[error("mail: {0}")]
    Mail(String),

    /// A state file (the send ledger, the feed cache) is unreadable or malformed (exit 1).
    #[error("{}: {message}", path.display())]
    State {
        /// The file at fault.
        path: PathBuf,
        /// What is wrong, naming the entry and value.
        message: String,
    },

    /// Messages could not be delivered, or their delivery is unconfirmed (exit 1); one
    /// line per message.
    #[error("{0}")]
    Delivery(String),

    /// A file could not be read or written (exit 1).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder at fault.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// Several of the errors above at once (`summit check` reports every failed check),
    /// each on its own line or lines, in order.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<Error>),
}

impl Error {
    /// The process exit status for this error: 2 for usage, configuration and template
    /// errors, 1 for everything that went wrong at run time; for [`Error::Several`], 2
    /// when any of them is 2.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_)
            | Error::Arguments(_)
            | Error::Config { .. }
            | Error::Template { .. } => 2,
            Error::Several(errors) => errors.iter().map(Error::exit_code).max().unwrap_or(1),
            _ => 1,
        }
    }

    /// Clap's rendering of a command line that does not parse ([`Error::Arguments`]),
    /// which `main` prints as it is instead of [`Error::lines`].
    pub fn rendered(&self) -> Option<&str> {
        match self {
            Error::Arguments(text) => Some(text),
            _ => None,
        }
    }

    /// The lines `main` prints behind `error: `, escaped for a terminal
    /// ([`crate::terminal::line`]): one per error of [`Error::Several`], one per line of
    /// [`Error::Delivery`] (one line per message by design), and one for every other
    /// error, so a value with a newline in it never starts a line of its own
    /// ([`Error::Arguments`]: its lines, which [`Error::rendered`] prints whole).
    pub fn lines(&self) -> Vec<String> {
        match self {
            Error::Several(errors) => errors.iter().flat_map(Error::lines).collect(),
            Error::Arguments(text) => text.lines().map(crate::terminal::line).collect(),
            Error::Delivery(m) => m.lines().map(crate::terminal::line).collect(),
            other => vec![crate::terminal::line(&other.to_string())],
        }
    }

    /// Shorthand for an [`Error::Io`] on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_with_a_newline_stays_on_its_error_line() {
        let e = Error::Several(vec![
            Error::Usage("--out `x\nerror: forged\u{1b}[2J` needs --ics".into()),
            Error::Arguments("error: invalid value\n\ntip: see --help\n".into()),
            Error::Delivery("one\ntwo\r".into()),
        ]);
        assert_eq!(
            e.lines(),
            [
                "--out `x\\x0aerror: forged\\x1b[2J` needs --ics",
                "error: invalid value",
                "",
                "tip: see --help",
                "one",
                "two\\x0d",
            ]
        );
        assert_eq!(e.exit_code(), 2);
    }
}
