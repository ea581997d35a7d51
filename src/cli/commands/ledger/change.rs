//! `summit ledger mark-sent` and `summit ledger forget`: the entries named on the
//! command line changed under the state directory's lock, or (`mark-sent` of a step the
//! ledger has no entry for) worked out from the feed as `tick` would.

use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::{EntryJson, SelectArgs};
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::error::{Error, Result};
use crate::ledger::{self, Entry, Ledger, SelectError, Selector};
use crate::model::Kind;
use crate::model::OccurrenceKey;
use crate::model::{Step, timeline};
use crate::plan::find::SummitDate;
use crate::plan::inputs::Inputs;
use crate::send::{self, Notice, Plan};
use crate::store::{LOCK_WAIT, Lock};

/// What `mark-sent` and `forget` do to the entries they select.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    MarkSent,
    Forget,
}

/// One entry a command changes (or would change, or leaves as it is).
struct Change {
    /// The entry before, `None` for a step recorded by hand that had no entry.
    before: Option<Entry>,
    /// The entry after (for `forget`: the entry removed).
    after: Entry,
}

/// `summit ledger mark-sent` and `summit ledger forget`.
///
/// # Errors
/// [`Error::Usage`] for a message that cannot be named or changed; whatever reading
/// and writing the ledger meets.
pub(super) fn run(
    session: &Session,
    op: Op,
    args: &SelectArgs,
    dry_run: bool,
    printer: &mut Printer,
) -> Result<()> {
    let selector = match (&args.message_id, args.summit, args.step) {
        (Some(id), _, _) => Selector::MessageId(id.clone()),
        (None, Some(date), Some(kind)) => Selector::Step {
            date,
            kind,
            to: args.to.clone(),
        },
        _ => {
            return Err(Error::Usage(
                "no message named, expected a Message-ID or `--summit DATE --step STEP`".into(),
            ));
        }
    };
    let dir = session.state_dir()?;
    // Taken before the ledger is read, so that a tick running now either finishes
    // first or starts after this change is on disk.
    let _lock = if dry_run {
        None
    } else {
        Some(Lock::acquire(&dir, LOCK_WAIT)?)
    };
    let path = dir.join(ledger::FILE);
    let mut ledger = Ledger::load(&path)?;
    let changes: Vec<Change> = match (ledger.select(&selector), &selector) {
        (Ok(found), _) => found
            .into_iter()
            .map(|e| Change {
                before: Some(e.clone()),
                after: match op {
                    Op::MarkSent => e.marked_sent(session.now),
                    Op::Forget => e.clone(),
                },
            })
            .collect(),
        (
            Err(no_match @ SelectError::NoMatch(_)),
            Selector::Step {
                date,
                kind: Kind::Step(step),
                to,
            },
        ) if op == Op::MarkSent => {
            let step = ByHand {
                date: *date,
                step: *step,
                to: to.as_deref(),
            };
            by_hand(session, &ledger, &dir, &step, &no_match)?
        }
        (Err(e), _) => return Err(Error::Usage(e.to_string())),
    };
    let changed = changes
        .iter()
        .any(|c| op == Op::Forget || c.before.as_ref() != Some(&c.after));
    if changed && !dry_run {
        for c in &changes {
            match op {
                Op::MarkSent => ledger.upsert(c.after.clone()),
                Op::Forget => {
                    ledger.remove(&c.after.key);
                }
            }
        }
        ledger.save(&path)?;
    }
    report(&changes, op, dry_run, printer)
}

/// One line (or `--json` object) per change.
fn report(changes: &[Change], op: Op, dry_run: bool, printer: &mut Printer) -> Result<()> {
    let unchanged = |c: &Change| op == Op::MarkSent && c.before.as_ref() == Some(&c.after);
    let records: Vec<ChangeJson> = changes
        .iter()
        .map(|c| ChangeJson {
            action: match (op, unchanged(c), dry_run) {
                (Op::MarkSent, true, _) => "already-sent",
                (Op::MarkSent, false, false) => "marked-sent",
                (Op::MarkSent, false, true) => "would-mark-sent",
                (Op::Forget, _, false) => "forgotten",
                (Op::Forget, _, true) => "would-forget",
            },
            entry: EntryJson::from(&c.after),
        })
        .collect();
    printer.show(&records, |printer| {
        for c in changes {
            let e = &c.after;
            let what = format!(
                "{} (Message-ID <{}>)",
                send::describe(&e.key, &e.announced),
                e.message_id.as_deref().unwrap_or("none")
            );
            let was = match &c.before {
                Some(b) if b.unconfirmed => format!("{}, unconfirmed", b.state),
                Some(b) => b.state.to_string(),
                None => "not in the ledger: done by hand".into(),
            };
            let text = match (op, unchanged(c)) {
                (Op::MarkSent, true) => format!(
                    "already sent: {what} at {}",
                    e.sent_at.map_or_else(|| "-".into(), |t| printer.instant(t))
                ),
                (Op::MarkSent, false) => format!(
                    "{}: {what}, was {was}; tick will not send it",
                    if dry_run {
                        "would mark as sent"
                    } else {
                        "marked as sent"
                    }
                ),
                (Op::Forget, _) => format!(
                    "{}: {what}, was {was}; the next tick sends it again while its window is open",
                    if dry_run { "would forget" } else { "forgot" }
                ),
            };
            printer.line(format_args!("{text}"))?;
        }
        Ok(())
    })
}

/// A step `mark-sent` records as done by hand: of the summit on `date`, to `to` only
/// when given.
struct ByHand<'a> {
    date: NaiveDate,
    step: Step,
    to: Option<&'a str>,
}

/// The messages of `step` of the summit on `date` marked as sent by hand, for
/// `mark-sent --summit DATE --step STEP` when the ledger has no entry of that date
/// (`no_match`): worked out from the feed and the configuration as `tick` would
/// ([`send::plan_step`]), so with the same keys, recipients and Message-IDs. Entries
/// the summit already has under another date (it moved) are marked instead.
///
/// # Errors
/// [`Error::Usage`] without a configuration, when no summit is on `date`, when `tick`
/// would not send the step (disabled, no recipient, its window closed) or not to
/// `to`; whatever reading the configuration and the feed meets.
fn by_hand(
    session: &Session,
    ledger: &Ledger,
    dir: &Path,
    by_hand: &ByHand,
    no_match: &SelectError,
) -> Result<Vec<Change>> {
    let ByHand { date, step, to } = *by_hand;
    if session.found_config().is_none() {
        return Err(Error::Usage(format!(
            "{no_match}; to record a step that tick has not sent yet, pass `--config PATH` (or set SUMMIT_CONFIG, or put a summit.toml in the current directory) so that its messages are worked out from the feed"
        )));
    }
    let mut config = session.config()?;
    config.members()?;
    if !step.enabled(&config.timeline) {
        return Err(Error::Usage(format!(
            "the {step} is off in this configuration (timeline.assignment = \"off\"), so tick never sends it; expected another step"
        )));
    }
    let (cal, warnings) = session.cached_calendar(&config, dir, false)?;
    crate::cli::printer::warn_all(&warnings);
    session.with_agenda(&mut config, &cal, false)?;
    let (planned, next) = match session.find_summit(step, &config, &cal, Some(SummitDate::On(date)))
    {
        Err(Error::NoSummit(m)) => return Err(Error::Usage(m)),
        r => r?,
    };
    config.mail()?;
    let occ = OccurrenceKey::of(&planned.summit);
    let existing: Vec<Change> = ledger
        .of_occurrence(&occ)
        .filter(|e| e.key.kind == Kind::Step(step) && to.is_none_or(|a| e.is_to(a)))
        .map(|e| Change {
            before: Some(e.clone()),
            after: e.marked_sent(session.now),
        })
        .collect();
    if !existing.is_empty() {
        return Ok(existing);
    }
    let summits = (&planned, next.as_ref());
    from_plan(session, ledger, &config, summits, by_hand)
}

/// [`by_hand`] for a summit the ledger has no entry of: the messages `tick` would send,
/// marked as sent.
///
/// # Errors
/// [`Error::Usage`] when `tick` would not send the step, or not to `to`.
fn from_plan(
    session: &Session,
    ledger: &Ledger,
    config: &Inputs,
    (planned, next): (
        &crate::plan::summit::Planned,
        Option<&crate::plan::summit::Planned>,
    ),
    by_hand: &ByHand,
) -> Result<Vec<Change>> {
    let ByHand { date, step, to } = *by_hand;
    let now = session.now;
    let mail = config.mail()?;
    let what = format!("the {step} of the summit on {date}");
    let mut plan = Plan::default();
    let planning = send::Planning {
        ledger,
        config,
        mail,
        now,
        retry: false,
    };
    send::plan_step(&mut plan, &planning, planned, next, step);
    let all: Vec<String> = plan.sends.iter().map(|o| o.key.to.to_string()).collect();
    let changes: Vec<Change> = plan
        .sends
        .iter()
        .filter(|o| to.is_none_or(|a| o.marked_sent(mail, now).is_to(a)))
        .map(|o| Change {
            before: o.previous.clone(),
            after: o.marked_sent(mail, now),
        })
        .collect();
    if !changes.is_empty() {
        return Ok(changes);
    }
    if let (Some(a), false) = (to, all.is_empty()) {
        return Err(Error::Usage(format!(
            "{what} goes to {}, not to `{}`; expected one of those addresses",
            all.iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", "),
            a.trim()
        )));
    }
    let until = timeline::window_end(
        step,
        &planned.summit,
        next.map(|n| &n.summit),
        &config.timeline,
    );
    if let Some(u) = until.filter(|u| now >= *u) {
        return Err(Error::Usage(format!(
            "{what} stopped being useful at {} (its window closed), so tick will not send it and there is nothing to mark as sent; expected a step whose window is open",
            crate::model::When::Timed(u)
        )));
    }
    let why = plan.notices.iter().find_map(|n| match n {
        Notice::Missed(e) => e.error.clone(),
        _ => None,
    });
    Err(Error::Usage(format!(
        "{what} has no message for tick to send ({}), so there is nothing to mark as sent",
        why.unwrap_or_else(|| "it has no recipient".into())
    )))
}

/// One object of `summit ledger mark-sent --json` and `forget --json`: the entry as it
/// is after the change (for `forget`, as it was), with what was done.
#[derive(Serialize)]
struct ChangeJson {
    /// `marked-sent`, `would-mark-sent`, `already-sent`, `forgotten` or `would-forget`.
    action: &'static str,
    #[serde(flatten)]
    entry: EntryJson,
}
