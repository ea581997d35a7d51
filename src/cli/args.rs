//! The command line (`../shared/CONTRACT.md`, "Binary and global options" and
//! "Commands"), parsed with `clap`.

use std::ffi::OsString;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};

use crate::error::{Error, Result};
use crate::model::Kind;
use crate::model::State;
use crate::model::Step;
use crate::text::parse_regex;

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
    /// The TOML configuration; relative paths inside it resolve against its folder.
    #[arg(long, env = "SUMMIT_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The .ics feed: a URL, a path or `-` for standard input (overrides `calendar.feed`).
    #[arg(long, env = "SUMMIT_FEED", global = true, value_name = "URL|PATH|-")]
    pub feed: Option<String>,

    /// The instant treated as now, RFC 3339 (e.g. `2026-11-23T16:00:00Z`); default: the clock.
    #[arg(long, env = "SUMMIT_NOW", global = true, value_name = "RFC3339", value_parser = parse_instant)]
    pub now: Option<DateTime<Utc>>,

    /// Where the send ledger, feed cache and lock live.
    #[arg(long, env = "SUMMIT_STATE_DIR", global = true, value_name = "PATH")]
    pub state_dir: Option<PathBuf>,

    /// Machine-readable output on standard output.
    #[arg(long, global = true)]
    pub json: bool,

    /// The agenda of the next summit, a `.toml` or `.csv` file of topics with their
    /// owners and votes (overrides `agenda.file`).
    #[arg(long, env = "SUMMIT_AGENDA", global = true, value_name = "FILE")]
    pub agenda: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every occurrence of every event in the feed (needs only a feed).
    Events {
        /// Occurrences starting at or after this instant (RFC 3339); default: now.
        #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
        from: Option<DateTime<Utc>>,
        /// Occurrences starting before this instant (RFC 3339); default: ten years after --from.
        #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
        to: Option<DateTime<Utc>>,
        /// At most this many occurrences.
        #[arg(long, default_value_t = 50, value_name = "N", value_parser = parse_count)]
        count: usize,
        /// Only occurrences whose SUMMARY matches this regex (Rust `regex` syntax).
        #[arg(long = "match", value_name = "REGEX", value_parser = parse_regex)]
        pattern: Option<regex::Regex>,
    },
    /// Show the next summit(s), their facilitators and their timelines; a summit in
    /// progress stays first until it ends, marked "now on" (`"now": true` in --json).
    Next {
        /// How many summits.
        #[arg(long, default_value_t = 1, value_name = "N", value_parser = parse_count)]
        count: usize,
    },
    /// Show who facilitates the upcoming summits; a summit in progress stays first until
    /// it ends, marked "now on" (`"now": true` in --json).
    Who {
        /// How many summits.
        #[arg(long, default_value_t = 5, value_name = "N", value_parser = parse_count)]
        count: usize,
        /// Show times in this IANA zone (default: the system's, from TZ or /etc/localtime).
        #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
        tz: Option<chrono_tz::Tz>,
    },
    /// The rota: the upcoming summits and their facilitators, as a list or (--ics) as an
    /// iCalendar feed to subscribe to.
    Rota {
        /// Write the rota as iCalendar (one event per summit, "Facilitator: NAME").
        #[arg(long)]
        ics: bool,
        /// How many summits.
        #[arg(long, default_value_t = 5, value_name = "N", value_parser = parse_count)]
        count: usize,
        /// Write to this file (replaced atomically) instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Show times in this IANA zone (default: the system's, from TZ or /etc/localtime).
        #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
        tz: Option<chrono_tz::Tz>,
    },
    /// Render the e-mails of one timeline step; sends nothing.
    Draft {
        /// The step: assignment, reminder, agenda-vote, outreach, checklist or handover.
        #[arg(value_parser = parse_step)]
        step: Step,
        /// The summit on this date (YYYY-MM-DD, UTC) instead of the next one.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        summit: Option<NaiveDate>,
        /// Write one RFC 5322 `.eml` file per e-mail into this folder instead of printing.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Deliver the e-mails of one timeline step now and record them in the ledger; a
    /// message already recorded as sent is not sent again.
    Send {
        /// The step: assignment, reminder, agenda-vote, outreach, checklist or handover.
        #[arg(value_parser = parse_step)]
        step: Step,
        /// The summit on this date (YYYY-MM-DD, UTC) instead of the one whose step is open.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        summit: Option<NaiveDate>,
        /// Print what would be sent; send and record nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also send messages whose earlier delivery was interrupted and never confirmed.
        #[arg(long)]
        retry: bool,
        /// Send without asking, even before the step is due or for a summit that is not
        /// the nearest one (without a terminal, `send` refuses those unless given this).
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// The cron entry point: send every step that is due and not yet sent, and the
    /// corrections of announced summits that moved; prints nothing when nothing is due.
    Tick {
        /// Print what would be sent; send and record nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also send messages whose earlier delivery was interrupted and never confirmed.
        #[arg(long)]
        retry: bool,
    },
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
    Check {
        /// For `transport = "smtp"`: connect to the server (TLS per `security`, EHLO,
        /// AUTH when configured) and QUIT, sending no mail. Without it, no connection is
        /// made for mail.
        #[arg(long)]
        connect: bool,
    },
    /// Show every step of a summit with its due time, audience and state in the ledger.
    Timeline {
        /// The summit on this date (YYYY-MM-DD, UTC) instead of the summit of the day (the
        /// one in progress until it ends, else the next one).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        summit: Option<NaiveDate>,
        /// Show due times in this IANA zone (default: the first of calendar.zones).
        #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
        tz: Option<chrono_tz::Tz>,
    },
    /// Print the facilitator's run-sheet for the day, from the `checklist.txt` template.
    Checklist {
        /// The summit on this date (YYYY-MM-DD, UTC) instead of the summit of the day (the
        /// one in progress until it ends, else the next one).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        summit: Option<NaiveDate>,
    },
    /// See and settle the send ledger (STATE_DIR/ledger.toml): list its messages, mark an
    /// unconfirmed one (or a step done by hand) as sent, or forget one so that tick may
    /// send it again. Without a subcommand: `list`.
    Ledger(LedgerArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// `summit ledger [list …] | mark-sent … | forget …`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LedgerArgs {
    /// What to do with the ledger; default: `list`.
    #[command(subcommand)]
    pub command: Option<LedgerCommand>,
    /// `list`'s options, for `summit ledger` without a subcommand.
    #[command(flatten)]
    pub list: ListArgs,
}

/// The subcommands of `summit ledger`.
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// List the messages of the ledger, by summit (`--json`: a JSON array, one object per
    /// message).
    List(ListArgs),
    /// Record messages as sent: an unconfirmed intent found in the list archive, or a
    /// step done by hand, so that tick does not send it (when the ledger has no entry for
    /// it yet, it is worked out from the feed and configuration as tick would).
    MarkSent {
        /// Which messages.
        #[command(flatten)]
        select: SelectArgs,
        /// Print what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove messages from the ledger, so that the next tick sends them again while
    /// their window is open.
    Forget {
        /// Which messages.
        #[command(flatten)]
        select: SelectArgs,
        /// Print what would change; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Which entries `summit ledger list` shows.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ListArgs {
    /// Only messages in this state: intent, sent, failed or missed (repeatable).
    #[arg(long, value_name = "STATE", value_parser = parse_state)]
    pub state: Vec<State>,
    /// Every message; default: those of summits that started at most 92 days ago or are
    /// ahead, and every unconfirmed intent.
    #[arg(long)]
    pub all: bool,
}

/// A message of the ledger named on the command line: by Message-ID, or by summit date
/// and step.
#[derive(Clone, Debug, clap::Args)]
#[group(id = "selector", required = true, multiple = true)]
pub struct SelectArgs {
    /// The message's Message-ID as tick printed it (angle brackets optional), or a
    /// prefix of it that no other message has.
    #[arg(value_name = "MESSAGE-ID", conflicts_with_all = ["summit", "step", "to"])]
    pub message_id: Option<String>,
    /// The summit on this date (YYYY-MM-DD, UTC): its messages of --step.
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "step")]
    pub summit: Option<NaiveDate>,
    /// The step (assignment, reminder, agenda-vote, outreach, checklist, handover) or
    /// `correction`: every recipient's message of it.
    #[arg(long, value_name = "STEP", value_parser = parse_kind, requires = "summit")]
    pub step: Option<Kind>,
    /// Only the message to this address (e.g. one topic owner's outreach).
    #[arg(long, value_name = "ADDRESS", requires = "step")]
    pub to: Option<String>,
}

impl Cli {
    /// Parses `args` (including the program name).
    ///
    /// # Errors
    /// [`Error::Arguments`] with clap's message for a bad flag or value. `--help` and
    /// `--version` are printed here and come back as `Ok(None)`; [`Error::Io`] when
    /// they cannot be written (but for a closed pipe).
    pub fn parse_args<I, T>(args: I) -> Result<Option<Cli>>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        match Cli::try_parse_from(&args) {
            Ok(cli) => Ok(Some(cli)),
            Err(e) => match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    // Plain text, written as all output is: a closed pipe is quiet, a
                    // full disk an error.
                    use std::io::IsTerminal as _;
                    let mut out = std::io::stdout().lock();
                    // Styled on a terminal, as clap prints it; plain into a pipe or file.
                    let text = if out.is_terminal() {
                        e.render().ansi().to_string()
                    } else {
                        e.render().to_string()
                    };
                    crate::cli::commands::write_out(&mut out, text.as_bytes())?;
                    crate::cli::commands::flush_out(&mut out)?;
                    Ok(None)
                }
                _ => Err(Error::Arguments(clap_message(&with_escaped_values(
                    &args, e,
                )))),
            },
        }
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

/// Clap's message as lines without the leading `error: ` (main adds it to each line),
/// without the usage block.
fn clap_message(e: &clap::Error) -> Vec<String> {
    e.render()
        .to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("Usage:"))
        .map(|l| l.strip_prefix("error:").unwrap_or(l).trim().to_string())
        .collect()
}

fn parse_instant(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!("`{s}` is not an RFC 3339 instant, expected e.g. `2026-11-26T16:00:00Z`")
        })
}

fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date, expected `YYYY-MM-DD`"))
}

/// The largest `--count` taken; a larger one is lowered to it with a warning.
pub const MAX_COUNT: usize = 100_000;

/// A `--count`: a whole number from 1 (every command refuses 0 alike), at most
/// [`MAX_COUNT`] (a larger one, however large, is lowered with a warning).
fn parse_count(s: &str) -> std::result::Result<usize, String> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.bytes().any(|b| b != b'0') {
        return Ok(match t.parse::<usize>() {
            Ok(n) if n <= MAX_COUNT => n,
            _ => {
                eprintln!("warning: `--count {t}` is more than {MAX_COUNT}, using {MAX_COUNT}");
                MAX_COUNT
            }
        });
    }
    Err(format!(
        "`{s}` is not a count, expected a whole number from 1"
    ))
}

fn parse_zone(s: &str) -> std::result::Result<chrono_tz::Tz, String> {
    s.trim()
        .parse::<chrono_tz::Tz>()
        .map_err(|_| format!("`{s}` is not an IANA time zone name, expected e.g. `Europe/Berlin`"))
}

fn parse_step(s: &str) -> std::result::Result<Step, String> {
    s.parse()
}

fn parse_kind(s: &str) -> std::result::Result<Kind, String> {
    s.parse()
}

fn parse_state(s: &str) -> std::result::Result<State, String> {
    s.parse()
}
