//! `summit ledger`: the send ledger for operators. `list` shows its entries; `mark-sent`
//! records messages as sent (an unconfirmed intent found in the archive, or a step done
//! by hand); `forget` removes entries so that `tick` sends them again. Changes are made
//! like `tick` makes them: under the state directory's lock ([`Lock`]), the ledger
//! read again and replaced atomically ([`Ledger::save`]).

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::{Context, line, warn_all, write_json};
use crate::cli::args::{LedgerArgs, LedgerCommand, ListArgs, SelectArgs};
use crate::error::{Error, Result};
use crate::ledger::{self, Entry, Filter, Ledger, SelectError, Selector};
use crate::model::Kind;
use crate::model::OccurrenceKey;
use crate::model::State;
use crate::model::When;
use crate::model::{Step, timeline};
use crate::send::delivery::{self, Notice, Plan};
use crate::store::{self, LOCK_WAIT, Lock};

/// What `mark-sent` and `forget` do to the entries they select.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
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

impl Context<'_> {
    /// `summit ledger …`.
    pub(super) fn ledger(&self, args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
        match &args.command {
            None => self.ledger_list(&args.list, out),
            Some(LedgerCommand::List(list)) => self.ledger_list(list, out),
            Some(LedgerCommand::MarkSent { select, dry_run }) => {
                self.ledger_change(Op::MarkSent, select, *dry_run, out)
            }
            Some(LedgerCommand::Forget { select, dry_run }) => {
                self.ledger_change(Op::Forget, select, *dry_run, out)
            }
        }
    }

    /// `summit ledger list`: by default the entries of summits that started at most
    /// [`delivery::LOOKBACK_DAYS`] days before now (what `tick` still looks at) or are
    /// ahead, and every intent; `--all` every entry.
    fn ledger_list(&self, args: &ListArgs, out: &mut dyn Write) -> Result<()> {
        let dir = store::resolve_dir(self.cli.state_dir.as_deref())?;
        let path = dir.join(ledger::FILE);
        let ledger = Ledger::load(&path)?;
        let filter = Filter {
            states: args.state.clone(),
            since: (!args.all).then(|| self.now - Duration::days(delivery::LOOKBACK_DAYS)),
            adopted_before: ledger.since.filter(|_| !args.all),
        };
        let groups = ledger.listing(&filter);
        if self.cli.json {
            let rows: Vec<EntryJson> = groups
                .iter()
                .flat_map(|(_, entries)| entries.iter().map(|e| EntryJson::from(*e)))
                .collect();
            return write_json(out, &rows);
        }
        if groups.is_empty() {
            let total = ledger.entries().count();
            return line(
                out,
                format_args!(
                    "no message listed: the ledger {} holds {total} in all{}",
                    path.display(),
                    if total > 0 && filter.since.is_some() {
                        "; `summit ledger list --all` lists every one"
                    } else {
                        ""
                    }
                ),
            );
        }
        let rows: Vec<Vec<[String; 5]>> = groups
            .iter()
            .map(|(_, entries)| entries.iter().map(|e| row(e)).collect())
            .collect();
        let mut widths = ["STEP".len(), "STATE".len(), "AT (UTC)".len(), "TO".len(), 0];
        for r in rows.iter().flatten() {
            for (w, cell) in widths.iter_mut().zip(r).take(4) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let print = |out: &mut dyn Write, cells: &[String; 5]| {
            let [a, b, c, d, e] = cells;
            let text = format!(
                "  {a:<w0$}  {b:<w1$}  {c:<w2$}  {d:<w3$}  {e}",
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3]
            );
            line(out, format_args!("{}", text.trim_end()))
        };
        print(
            out,
            &[
                "STEP".into(),
                "STATE".into(),
                "AT (UTC)".into(),
                "TO".into(),
                "MESSAGE-ID".into(),
            ],
        )?;
        for ((occ, entries), rows) in groups.iter().zip(&rows) {
            line(out, format_args!("{}", heading(occ, entries)))?;
            for (e, r) in entries.iter().zip(rows) {
                print(out, r)?;
                for note in notes(e) {
                    line(out, format_args!("      {note}"))?;
                }
            }
        }
        Ok(())
    }

    /// `summit ledger mark-sent` and `summit ledger forget`.
    fn ledger_change(
        &self,
        op: Op,
        args: &SelectArgs,
        dry_run: bool,
        out: &mut dyn Write,
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
        let dir = store::resolve_dir(self.cli.state_dir.as_deref())?;
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
                        Op::MarkSent => e.marked_sent(self.now),
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
                self.by_hand(&ledger, &dir, *date, *step, to.as_deref(), &no_match)?
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
        let mut records = Vec::new();
        for c in &changes {
            let unchanged = op == Op::MarkSent && c.before.as_ref() == Some(&c.after);
            let action = match (op, unchanged, dry_run) {
                (Op::MarkSent, true, _) => "already-sent",
                (Op::MarkSent, false, false) => "marked-sent",
                (Op::MarkSent, false, true) => "would-mark-sent",
                (Op::Forget, _, false) => "forgotten",
                (Op::Forget, _, true) => "would-forget",
            };
            if self.cli.json {
                records.push(ChangeJson {
                    action,
                    entry: EntryJson::from(&c.after),
                });
                continue;
            }
            let e = &c.after;
            let what = format!(
                "{} (Message-ID <{}>)",
                delivery::describe(&e.key, &e.announced),
                e.message_id.as_deref().unwrap_or("none")
            );
            let was = match &c.before {
                Some(b) if b.unconfirmed => format!("{}, unconfirmed", b.state),
                Some(b) => b.state.to_string(),
                None => "not in the ledger: done by hand".into(),
            };
            let text = match (op, unchanged) {
                (Op::MarkSent, true) => format!(
                    "already sent: {what} at {}",
                    e.sent_at.map_or_else(|| "-".into(), stamp)
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
            line(out, format_args!("{text}"))?;
        }
        if self.cli.json {
            write_json(out, &records)?;
        }
        Ok(())
    }

    /// The messages of `step` of the summit on `date` marked as sent by hand, for
    /// `mark-sent --summit DATE --step STEP` when the ledger has no entry of that date
    /// (`no_match`): worked out from the feed and the configuration as `tick` would
    /// ([`delivery::plan_step`]), so with the same keys, recipients and Message-IDs. Entries
    /// the summit already has under another date (it moved) are marked instead.
    ///
    /// # Errors
    /// [`Error::Usage`] without a configuration, when no summit is on `date`, when `tick`
    /// would not send the step (disabled, no recipient, its window closed) or not to
    /// `to`; whatever reading the configuration and the feed meets.
    fn by_hand(
        &self,
        ledger: &Ledger,
        dir: &Path,
        date: NaiveDate,
        step: Step,
        to: Option<&str>,
        no_match: &SelectError,
    ) -> Result<Vec<Change>> {
        if self.cli.config.is_none() {
            return Err(Error::Usage(format!(
                "{no_match}; to record a step that tick has not sent yet, pass `--config PATH` (or set SUMMIT_CONFIG) so that its messages are worked out from the feed"
            )));
        }
        let mut config = self.config()?;
        config.members()?;
        if !step.enabled(&config.timeline) {
            return Err(Error::Usage(format!(
                "the {step} is off in this configuration (timeline.assignment = \"off\"), so tick never sends it; expected another step"
            )));
        }
        let (cal, warnings) = self.cached_calendar(&config, dir, false)?;
        warn_all(&warnings);
        self.with_agenda(&mut config, &cal)?;
        let (planned, next) = match self.find_summit(step, &config, &cal, Some(date)) {
            Err(Error::NoSummit(m)) => return Err(Error::Usage(m)),
            r => r?,
        };
        let mail = config.mail()?;
        let what = format!("the {step} of the summit on {date}");
        let occ = OccurrenceKey::of(&planned.summit);
        let existing: Vec<Change> = ledger
            .of_occurrence(&occ)
            .filter(|e| e.key.kind == Kind::Step(step) && to.is_none_or(|a| e.is_to(a)))
            .map(|e| Change {
                before: Some(e.clone()),
                after: e.marked_sent(self.now),
            })
            .collect();
        if !existing.is_empty() {
            return Ok(existing);
        }
        let mut plan = Plan::default();
        delivery::plan_step(
            &mut plan,
            &planned,
            next.as_ref(),
            step,
            ledger,
            &config,
            mail,
            self.now,
            false,
        );
        let all: Vec<String> = plan.sends.iter().map(|o| o.key.to.clone()).collect();
        let changes: Vec<Change> = plan
            .sends
            .iter()
            .filter(|o| to.is_none_or(|a| o.marked_sent(mail, self.now).is_to(a)))
            .map(|o| Change {
                before: o.previous.clone(),
                after: o.marked_sent(mail, self.now),
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
            next.as_ref().map(|n| &n.summit),
            &config.timeline,
        );
        if let Some(u) = until.filter(|u| self.now >= *u) {
            return Err(Error::Usage(format!(
                "{what} stopped being useful at {} (its window closed), so tick will not send it and there is nothing to mark as sent; expected a step whose window is open",
                stamp(u)
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
}

/// The heading of one summit's entries: its date and summary as last announced, its UID
/// and, for an instance that moved, its original start.
fn heading(occ: &OccurrenceKey, entries: &[&Entry]) -> String {
    let latest = entries
        .iter()
        .max_by_key(|e| (e.sent_at.or(e.intent_at), e.due))
        .map_or(&entries[0].announced, |e| &e.announced);
    let moved = occ
        .original
        .filter(|o| *o != latest.start)
        .map(|o| format!(", originally {o}"))
        .unwrap_or_default();
    format!(
        "summit on {}: {}{} (uid {}{moved})",
        latest.start.date_utc(),
        latest.summary,
        if latest.cancelled { " [cancelled]" } else { "" },
        occ.uid
    )
}

/// One table row: step, state, when it got there, recipients, Message-ID.
fn row(e: &Entry) -> [String; 5] {
    let step = match e.key.kind {
        Kind::Correction => format!("correction {}", e.key.seq),
        k => k.name().to_string(),
    };
    [
        step,
        e.state.to_string(),
        e.state_at().map_or_else(|| "-".into(), stamp),
        if e.key.to.is_empty() {
            "-".into()
        } else {
            e.key.to.clone()
        },
        e.message_id
            .as_ref()
            .map_or_else(|| "-".into(), |m| format!("<{m}>")),
    ]
}

/// What else an operator should know about `e`, one line each.
fn notes(e: &Entry) -> Vec<String> {
    let mut notes = Vec::new();
    if e.state == State::Intent {
        notes.push(format!(
            "unconfirmed: {}",
            delivery::settle_hint(e.message_id.as_deref().unwrap_or("?"))
        ));
    }
    if e.unconfirmed {
        notes.push("handed over but never confirmed: it may or may not have been delivered".into());
    }
    if let Some(t) = e.marked_at {
        notes.push(format!("marked as sent by hand at {}", stamp(t)));
    }
    if matches!(e.state, State::Failed | State::Missed)
        && let Some(err) = &e.error
    {
        notes.push(err.clone());
    }
    notes
}

fn stamp(t: DateTime<Utc>) -> String {
    When::Timed(t).to_string()
}

/// One object of `summit ledger list --json`.
#[derive(Serialize)]
struct EntryJson {
    summit: EntrySummitJson,
    /// A step name or `correction`.
    step: &'static str,
    /// The correction's number; null for steps.
    correction: Option<u32>,
    /// The recipients' addresses, lowercase, joined by `, `.
    to: String,
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
            to: e.key.to.clone(),
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

/// One object of `summit ledger mark-sent --json` and `forget --json`: the entry as it
/// is after the change (for `forget`, as it was), with what was done.
#[derive(Serialize)]
struct ChangeJson {
    /// `marked-sent`, `would-mark-sent`, `already-sent`, `forgotten` or `would-forget`.
    action: &'static str,
    #[serde(flatten)]
    entry: EntryJson,
}
