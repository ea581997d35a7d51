//! `summit ledger`: the send ledger for operators. `list` shows its entries; `mark-sent`
//! records messages as sent (an unconfirmed intent found in the archive, or a step done
//! by hand); `forget` removes entries so that `tick` sends them again (`change`).
//! Changes are made like `tick` makes them: under the state directory's lock
//! ([`crate::store::Lock`]), the ledger read again and replaced atomically
//! ([`Ledger::save`]).

mod change;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use clap::Subcommand;
use serde::Serialize;

use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::values::{self, parse_date};
use crate::error::Result;
use crate::ledger::{self, Entry, Filter, Ledger};
use crate::model::Kind;
use crate::model::OccurrenceKey;
use crate::model::State;
use crate::model::When;
use crate::send;
use change::Op;

/// `summit ledger [list …] | mark-sent … | forget …`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// What to do with the ledger; default: `list`.
    #[command(subcommand)]
    command: Option<Command>,
    /// `list`'s options, for `summit ledger` without a subcommand.
    #[command(flatten)]
    list: ListArgs,
}

/// The subcommands of `summit ledger`.
#[derive(Debug, Subcommand)]
enum Command {
    /// List the messages of the ledger, by summit (`--json`: a JSON array, one object per
    /// message).
    #[command(after_help = "Examples:
  summit --config summit.toml ledger list
  summit --config summit.toml ledger list --all --state intent --state failed
  summit --config summit.toml ledger list --json")]
    List(ListArgs),
    /// Record messages as sent: an unconfirmed intent found in the list archive, or a
    /// step done by hand, so that tick does not send it (when the ledger has no entry for
    /// it yet, it is worked out from the feed and configuration as tick would).
    #[command(after_help = "Examples:
  summit --config summit.toml ledger mark-sent 7f3a9c.reminder.20261126@example.org --dry-run
  summit --config summit.toml ledger mark-sent --summit 2026-11-26 --step agenda-vote")]
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
    #[command(after_help = "Examples:
  summit --config summit.toml ledger forget --summit 2026-11-26 --step outreach --dry-run
  summit --config summit.toml ledger forget 7f3a9c.reminder.20261126@example.org")]
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
struct ListArgs {
    /// Only messages in this state (repeatable).
    #[arg(long, value_name = "STATE", value_parser = values::state())]
    state: Vec<State>,
    /// Every message; default: those of summits that started at most 92 days ago or are
    /// ahead, and every unconfirmed intent.
    #[arg(long)]
    all: bool,
}

/// A message of the ledger named on the command line: by Message-ID, or by summit date
/// and step.
#[derive(Clone, Debug, clap::Args)]
#[group(id = "selector", required = true, multiple = true)]
struct SelectArgs {
    /// The message's Message-ID as tick printed it (angle brackets optional), or a
    /// prefix of it that no other message has.
    #[arg(value_name = "MESSAGE-ID", conflicts_with_all = ["summit", "step", "to"])]
    message_id: Option<String>,
    /// The summit on this date (YYYY-MM-DD, UTC): its messages of --step.
    #[arg(long, value_name = "DATE", value_parser = parse_date, requires = "step")]
    summit: Option<NaiveDate>,
    /// The step, or `correction`: every recipient's message of it.
    #[arg(long, value_name = "STEP", value_parser = values::kind(), requires = "summit")]
    step: Option<Kind>,
    /// Only the message to this address (e.g. one topic owner's outreach).
    #[arg(long, value_name = "ADDRESS", requires = "step")]
    to: Option<String>,
}

/// `summit ledger …`.
///
/// # Errors
/// Whatever reading and changing the ledger meets; [`crate::Error::Usage`] for a
/// message that cannot be named or changed.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    match args.command {
        None => list(session, &args.list, printer),
        Some(Command::List(list_args)) => list(session, &list_args, printer),
        Some(Command::MarkSent { select, dry_run }) => {
            change::run(session, Op::MarkSent, &select, dry_run, printer)
        }
        Some(Command::Forget { select, dry_run }) => {
            change::run(session, Op::Forget, &select, dry_run, printer)
        }
    }
}

/// `summit ledger list`: by default the entries of summits that started at most
/// [`send::LOOKBACK_DAYS`] days before now (what `tick` still looks at) or are
/// ahead, and every intent; `--all` every entry.
fn list(session: &Session, args: &ListArgs, printer: &mut Printer) -> Result<()> {
    let dir = session.state_dir()?;
    let path = dir.join(ledger::FILE);
    let ledger = Ledger::load(&path)?;
    let filter = Filter {
        states: args.state.clone(),
        since: (!args.all).then(|| session.now - Duration::days(send::LOOKBACK_DAYS)),
        adopted_before: ledger.since.filter(|_| !args.all),
    };
    let groups = ledger.listing(&filter);
    let rows: Vec<EntryJson> = groups
        .iter()
        .flat_map(|(_, entries)| entries.iter().map(|e| EntryJson::from(*e)))
        .collect();
    printer.show(&rows, |printer| {
        if groups.is_empty() {
            let total = ledger.entries().count();
            return printer.line(format_args!(
                "no message listed: the ledger {} holds {total} in all{}",
                path.display(),
                if total > 0 && filter.since.is_some() {
                    "; `summit ledger list --all` lists every one"
                } else {
                    ""
                }
            ));
        }
        print_table(printer, &groups)
    })
}

/// The human listing: a header, then each summit's heading and its entries' rows
/// (aligned across the headings, times in the reader's zone, states coloured on a
/// terminal).
fn print_table(printer: &mut Printer, groups: &[(&OccurrenceKey, Vec<&Entry>)]) -> Result<()> {
    let header = ["  STEP", "STATE", "AT", "TO", "MESSAGE-ID"].map(String::from);
    let mut rows: Vec<Vec<String>> = vec![header.to_vec()];
    // Before each row: the summit's heading (before its first entry), the notes of the
    // entry before it.
    let mut before: Vec<Vec<String>> = vec![Vec::new()];
    let mut notes_of_last: Vec<String> = Vec::new();
    for (occ, entries) in groups {
        let mut heading_lines = std::mem::take(&mut notes_of_last);
        heading_lines.push(heading(occ, entries, printer));
        for (i, e) in entries.iter().enumerate() {
            let lines = if i == 0 {
                std::mem::take(&mut heading_lines)
            } else {
                std::mem::take(&mut notes_of_last)
            };
            before.push(lines);
            rows.push(row(e, printer).to_vec());
            notes_of_last = notes(e, printer)
                .into_iter()
                .map(|n| format!("      {n}"))
                .collect();
        }
    }
    let mut last = Some(notes_of_last);
    printer.table(&rows, Some(1), |i| match i {
        Some(i) => std::mem::take(&mut before[i]),
        None => last.take().unwrap_or_default(),
    })
}

/// The heading of one summit's entries: its date and summary as last announced, its UID
/// and, for an instance that moved, its original start.
fn heading(occ: &OccurrenceKey, entries: &[&Entry], printer: &Printer) -> String {
    let latest = entries
        .iter()
        .max_by_key(|e| (e.sent_at.or(e.intent_at), e.due))
        .map_or(&entries[0].announced, |e| &e.announced);
    let moved = occ
        .original
        .filter(|o| *o != latest.start)
        .map(|o| format!(", originally {}", printer.when(o)))
        .unwrap_or_default();
    format!(
        "summit on {}: {}{} (uid {}{moved})",
        latest.start.date_utc(),
        latest.summary,
        if latest.cancelled { " [cancelled]" } else { "" },
        occ.uid
    )
}

/// One table row: step, state, when it got there, recipients (`#NAME` for a channel),
/// Message-ID.
fn row(e: &Entry, printer: &Printer) -> [String; 5] {
    let step = match e.key.kind {
        Kind::Correction => format!("correction {}", e.key.seq),
        k => k.name().to_string(),
    };
    [
        format!("  {step}"),
        e.state.to_string(),
        e.state_at()
            .map_or_else(|| "-".into(), |t| printer.instant(t)),
        match &e.key.channel {
            Some(c) => format!("#{c}"),
            None if e.key.to.is_empty() => "-".into(),
            None => e.key.to.to_string(),
        },
        e.message_id
            .as_ref()
            .map_or_else(|| "-".into(), |m| format!("<{m}>")),
    ]
}

/// What else an operator should know about `e`, one line each.
fn notes(e: &Entry, printer: &Printer) -> Vec<String> {
    let mut notes = Vec::new();
    if e.state == State::Intent {
        notes.push(format!(
            "unconfirmed: {}",
            send::settle_hint(e.message_id.as_deref().unwrap_or("?"))
        ));
    }
    if e.unconfirmed {
        notes.push("handed over but never confirmed: it may or may not have been delivered".into());
    }
    if let Some(t) = e.marked_at {
        notes.push(format!("marked as sent by hand at {}", printer.instant(t)));
    }
    if matches!(e.state, State::Failed | State::Missed)
        && let Some(err) = &e.error
    {
        notes.push(err.clone());
    }
    notes
}

/// One object of `summit ledger list --json`.
#[derive(Serialize)]
struct EntryJson {
    summit: EntrySummitJson,
    /// A step name or `correction`.
    step: &'static str,
    /// The correction's number; null for steps.
    correction: Option<u32>,
    /// The recipients' addresses, lowercase, in order (none for a channel).
    to: Vec<String>,
    /// The channel of a message posted to one; null for e-mail.
    channel: Option<String>,
    /// What the channel called what it posted (a Matrix event ID, a Discourse
    /// `TOPIC/POST`, a Mastodon status ID); null for e-mail.
    posted: Option<String>,
    /// `intent`, `sent`, `failed` or `missed`.
    state: &'static str,
    /// Missed after an intent that was never confirmed.
    unconfirmed: bool,
    message_id: Option<String>,
    due: When,
    intent_at: Option<When>,
    sent_at: Option<When>,
    failed_at: Option<When>,
    missed_at: Option<When>,
    marked_at: Option<When>,
    attempts: u32,
    error: Option<String>,
}

/// The summit of an [`EntryJson`], as the message announced it.
#[derive(Serialize)]
struct EntrySummitJson {
    uid: String,
    original: Option<When>,
    start: When,
    end: When,
    summary: String,
    cancelled: bool,
}

impl From<&Entry> for EntryJson {
    fn from(e: &Entry) -> Self {
        let t = |t: Option<DateTime<Utc>>| t.map(When::Timed);
        EntryJson {
            summit: EntrySummitJson {
                uid: e.key.occurrence.uid.clone(),
                original: e.key.occurrence.original,
                start: e.announced.start,
                end: e.announced.end,
                summary: e.announced.summary.clone(),
                cancelled: e.announced.cancelled,
            },
            step: e.key.kind.name(),
            correction: (e.key.kind == Kind::Correction).then_some(e.key.seq),
            to: e.key.to.addresses(),
            channel: e.key.channel.clone(),
            posted: e.posted.clone(),
            state: e.state.name(),
            unconfirmed: e.unconfirmed,
            message_id: e.message_id.clone(),
            due: When::Timed(e.due),
            intent_at: t(e.intent_at),
            sent_at: t(e.sent_at),
            failed_at: t(e.failed_at),
            missed_at: t(e.missed_at),
            marked_at: t(e.marked_at),
            attempts: e.attempts,
            error: e.error.clone(),
        }
    }
}
