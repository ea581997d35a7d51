//! The command line: the only layer that knows clap, standard output and error,
//! `--json` and terminals (`../shared/CONTRACT.md`, "Binary and global options" and
//! "Commands"). [`Cli`] holds the global flags ([`session::Global`]) and one
//! [`Command`]; each command's flags and its `run` live in its own file under
//! [`commands`]. Adding a command: a file `commands/NEW.rs` with its `Args` and `run`,
//! and here one `mod` line, one [`Command`] variant and one line of [`execute`].

/// One file per command under `commands/`, each with its clap `Args` and its
/// `run(&Session, Args, &mut Printer)`; `deliver` holds what `tick` and `send` share.
pub mod commands {
    pub mod agenda;
    pub mod check;
    pub mod checklist;
    pub mod completions;
    mod deliver;
    pub mod draft;
    pub mod events;
    pub mod init;
    pub mod ledger;
    pub mod man;
    mod me;
    pub mod next;
    pub mod rota;
    pub mod send;
    pub mod templates;
    pub mod tick;
    pub mod timeline;
    pub mod who;
}
pub mod printer;
pub mod session;
pub mod show;
pub mod values;

use std::ffi::OsString;
use std::io::Write;

use clap::{CommandFactory, Parser, Subcommand};

use crate::error::{Error, Result};
use commands::*;
use printer::{Printer, flush_out, write_out};
use session::{Global, Session};

/// Does the chores of the rotating facilitator of a developer summit: reads the
/// calendar feed, works out the next summit and its facilitator, and drafts the
/// reminder, agenda-vote, outreach and handover e-mails.
#[derive(Debug, Parser)]
#[command(
    name = "summit",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// The options every command takes.
    #[command(flatten)]
    pub global: Global,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every occurrence of every event in the feed (needs only a feed).
    #[command(after_help = "Examples:
  summit --feed calendar.ics events --from 2026-11-01T00:00:00Z --count 10
  summit --feed https://example.org/basic.ics events --match \"(?i)summit\" --json")]
    Events(events::Args),
    /// Show the next summit(s), their facilitators and their timelines; a summit in
    /// progress stays first until it ends, marked "now on" (`"now": true` in --json).
    #[command(after_help = "Examples:
  summit --config summit.toml next
  summit --config summit.toml next --count 3 --json")]
    Next(next::Args),
    /// Show who facilitates the upcoming summits; a summit in progress stays first until
    /// it ends, marked "now on" (`"now": true` in --json).
    #[command(after_help = "Examples:
  summit --config summit.toml who
  summit --config summit.toml who --count 10 --tz Europe/Berlin")]
    Who(who::Args),
    /// The rota: the upcoming summits and their facilitators, as a list or (--ics) as an
    /// iCalendar feed to subscribe to.
    #[command(after_help = "Examples:
  summit --config summit.toml rota --count 12
  summit --config summit.toml rota --ics --out rota.ics")]
    Rota(rota::Args),
    /// Render the e-mails of one timeline step; sends nothing.
    #[command(after_help = "Examples:
  summit --config summit.toml draft reminder
  summit --config summit.toml draft outreach --summit 2026-11-26 --out drafts
  summit --config summit.toml draft reminder --channel matrix-dev")]
    Draft(draft::Args),
    /// Deliver the e-mails of one timeline step now and record them in the ledger; a
    /// message already recorded as sent is not sent again.
    #[command(after_help = "Examples:
  summit --config summit.toml send reminder --dry-run
  summit --config summit.toml send agenda-vote --yes")]
    Send(send::Args),
    /// The cron entry point: send every step that is due and not yet sent, and the
    /// corrections of announced summits that moved; prints nothing when nothing is due.
    #[command(after_help = "Examples:
  summit --config summit.toml tick --dry-run
  SUMMIT_CONFIG=/etc/summit/summit.toml summit tick")]
    Tick(tick::Args),
    /// Check that everything tick needs is in order, sending nothing: configuration,
    /// templates, feed, record and agenda, state directory, ledger, mail transport.
    ///
    /// One line per check: `ok    CHECK: detail`, `warn  CHECK: detail` or
    /// `FAIL  CHECK: error`; each failure is also an `error:` line on standard error.
    /// The checks are `configuration`, `templates` (every enabled step and the
    /// corrections rendered for the next summit; nothing is written), `feed` (read
    /// through tick's cache, which is not updated), `record` and `agenda` (when
    /// configured), `state` (created when missing, writable, the lock taken and
    /// released), `ledger` (parses; an unconfirmed message fails) and `transport`.
    /// Exit status: 0 when every check is ok or warn, 2 when the configuration or a
    /// template is at fault, else 1 (an agenda that cannot be read is 1: `tick` still
    /// sends every step but the outreach and the checklist).
    ///
    /// `--json`: a JSON array on standard output, one object per check, in order:
    /// `{"check": str, "status": "ok"|"warn"|"fail", "detail": str}`.
    #[command(after_help = "Examples:
  summit --config summit.toml check
  summit --config summit.toml check --connect --json")]
    Check(check::Args),
    /// Show every step of a summit with its due time, audience and state in the ledger.
    #[command(after_help = "Examples:
  summit --config summit.toml timeline
  summit --config summit.toml timeline --summit 2026-11-26 --tz America/Los_Angeles")]
    Timeline(timeline::Args),
    /// Print the facilitator's run-sheet for the day, from the `checklist.txt` template.
    #[command(after_help = "Examples:
  summit --config summit.toml checklist
  summit --config summit.toml checklist --summit 2026-11-26")]
    Checklist(checklist::Args),
    /// List the topics proposed for a summit, ranked as the outreach ranks them: owner,
    /// votes and voters, when proposed, late or not, and whether the owner answered
    /// the outreach (a mailbox source). Reads `agenda.file`, `agenda.url`,
    /// `[agenda.mailbox]` or `[agenda.github]`; sends nothing.
    ///
    /// `--json`: `{"summit", "source", "deadline", "top", "topics": [{"rank", "title",
    /// "owner", "email", "votes", "voters", "proposed_at", "chosen", "late", "confirmed",
    /// "origin"}]}`.
    #[command(after_help = "Examples:
  summit --config summit.toml agenda
  summit --config summit.toml agenda --summit next --json")]
    Agenda(agenda::Args),
    /// See and settle the send ledger (STATE_DIR/ledger.toml): list its messages, mark an
    /// unconfirmed one (or a step done by hand) as sent, or forget one so that tick may
    /// send it again. Without a subcommand: `list`.
    #[command(after_help = "Examples:
  summit --config summit.toml ledger list --all
  summit --config summit.toml ledger mark-sent --summit 2026-11-26 --step reminder
  summit --config summit.toml ledger forget --summit 2026-11-26 --step outreach --dry-run")]
    Ledger(ledger::Args),
    /// Write a first configuration from a feed: lists its recurring series, asks (on a
    /// terminal) which is the summit, the lists and the first members, or takes flags.
    #[command(after_help = "Examples:
  summit --feed https://example.org/basic.ics init
  summit --feed feed.ics init --summit '(?i)dev summit' --out summit.toml --force")]
    Init(init::Args),
    /// Print a shell completion script: it completes commands, flags, step names, ledger
    /// states, IANA zones for --tz and, with a configuration, the names of its channels
    /// for --channel (read when the script is made: make it again after renaming one).
    #[command(after_help = "Examples:
  summit completions bash > ~/.local/share/bash-completion/completions/summit
  summit --config summit.toml completions zsh > ~/.zfunc/_summit
  summit completions fish > ~/.config/fish/completions/summit.fish")]
    Completions(completions::Args),
    /// Print the manual page (roff) of summit, or of one of its commands.
    #[command(after_help = "Examples:
  summit man | man -l -
  summit man draft > summit-draft.1
  summit man ledger forget | man -l -")]
    Man(man::Args),
    /// List the built-in mail and channel templates, or write them into a folder to
    /// edit and use as `mail.templates`.
    #[command(after_help = "Examples:
  summit templates list
  summit templates dump --out templates")]
    Templates(templates::Args),
}

/// Runs a parsed command line, writing output to `out` (flushed at the end, as
/// [`flush_out`] does) and warnings to standard error.
///
/// # Errors
/// Whatever the command meets; see [`Error::exit_code`].
pub fn execute(cli: Cli, out: &mut dyn Write) -> Result<()> {
    if cli.global.json
        && let Some(refusal) = json_refused(&cli.command)
    {
        return Err(refusal);
    }
    let mut printer = Printer::new(out, cli.global.json)
        .with_zone(show::reader_zone(cli.global.tz))
        .with_style(printer::styled_stdout());
    let session = Session::new(cli.global);
    let (s, p) = (&session, &mut printer);
    let result = match cli.command {
        Command::Events(args) => events::run(s, args, p),
        Command::Next(args) => next::run(s, args, p),
        Command::Who(args) => who::run(s, args, p),
        Command::Rota(args) => rota::run(s, args, p),
        Command::Draft(args) => draft::run(s, args, p),
        Command::Send(args) => send::run(s, args, p),
        Command::Tick(args) => tick::run(s, args, p),
        Command::Check(args) => check::run(s, args, p),
        Command::Timeline(args) => timeline::run(s, args, p),
        Command::Checklist(args) => checklist::run(s, args, p),
        Command::Agenda(args) => agenda::run(s, args, p),
        Command::Ledger(args) => ledger::run(s, args, p),
        Command::Init(args) => init::run(s, args, p),
        Command::Completions(args) => completions::run(s, args, Cli::command(), p),
        Command::Man(args) => man::run(args, Cli::command(), p),
        Command::Templates(args) => templates::run(args, p),
    };
    // What is still buffered must reach the file too: a full disk is an error even when
    // the last line did not end in a newline.
    let flushed = printer.flush();
    result.and(flushed)
}

/// The usage error for `--json` with a command that has no JSON output (rather than
/// ignoring the flag): `draft`, `checklist`, `completions` (and `rota --ics`, which
/// `rota` refuses itself).
fn json_refused(command: &Command) -> Option<Error> {
    let (name, expected) = match command {
        Command::Draft(_) => (
            "draft",
            "`summit draft STEP` (the messages as text) or `summit draft STEP --out DIR` (one .eml file each)",
        ),
        Command::Checklist(_) => ("checklist", "`summit checklist` (the run-sheet as text)"),
        Command::Completions(_) => ("completions", "`summit completions SHELL` (a script)"),
        _ => return None,
    };
    Some(Error::Usage(format!(
        "--json is not supported by `summit {name}`, expected {expected}"
    )))
}

impl Cli {
    /// Parses `args` (including the program name).
    ///
    /// # Errors
    /// [`Error::Arguments`] with clap's rendering for a bad flag or value, or for no
    /// command at all (the help, as clap does). `--help` and `--version` are printed
    /// here, on standard output, and come back as `Ok(None)`; [`Error::Io`] when they
    /// cannot be written (but for a closed pipe).
    pub fn parse_args<I, T>(args: I) -> Result<Option<Cli>>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        use std::io::IsTerminal as _;
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        match Cli::try_parse_from(&args) {
            Ok(cli) => Ok(Some(cli)),
            Err(e) => match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    // Written as all output is: a closed pipe is quiet, a full disk an
                    // error.
                    let mut out = std::io::stdout().lock();
                    let text = clap_rendering(&e, out.is_terminal());
                    write_out(&mut out, text.as_bytes())?;
                    flush_out(&mut out)?;
                    Ok(None)
                }
                _ => {
                    let e = with_escaped_values(&args, e);
                    Err(Error::Arguments(clap_rendering(
                        &e,
                        std::io::stderr().is_terminal(),
                    )))
                }
            },
        }
    }
}

/// Clap's rendering of `e`: styled for a terminal, as clap prints it, plain into a pipe
/// or file; plain and escaped ([`crate::terminal::text`]) when it still holds a
/// character a terminal acts on.
fn clap_rendering(e: &clap::Error, terminal: bool) -> String {
    let plain = e.render().to_string();
    let escaped = crate::terminal::text(&plain);
    if escaped != plain {
        escaped
    } else if terminal {
        e.render().ansi().to_string()
    } else {
        plain
    }
}

/// The error `e` of parsing `args`, or, when an argument holds a character a terminal
/// acts on (a newline, ESC, a bidi override; see [`crate::terminal::escape_char`]), the
/// error of parsing the arguments with those characters escaped: clap quotes values in
/// its message, and a quoted newline would start a line of its own. `e` when the escaped
/// arguments parse, or fail otherwise.
fn with_escaped_values(args: &[OsString], e: clap::Error) -> clap::Error {
    let escape = |a: &OsString| -> OsString {
        match a.to_str() {
            Some(s) => crate::terminal::line(s).into(),
            None => crate::terminal::line(&a.to_string_lossy()).into(),
        }
    };
    let escaped: Vec<OsString> = args.iter().map(escape).collect();
    if escaped == args {
        return e;
    }
    match Cli::try_parse_from(&escaped) {
        Err(again) if again.kind() == e.kind() => again,
        _ => e,
    }
}
