//! The exactly-once protocol ([`deliver`]): record the intent (flushed to disk), hand
//! the message over, record the outcome. A run killed in between leaves an intent,
//! which later runs report and do not resend unless told to (`--retry`) or until an
//! operator settles it (`summit ledger mark-sent`, [`super::Outgoing::marked_sent`]).
//!
//! [`carry_out`] is a whole run of `tick` or `send` once planned: it drafts each message,
//! records the notices, and delivers the drafts under that protocol.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ledger::{Entry, Ledger};
use crate::mail::Templates;
use crate::model::{OccurrenceKey, State, When};
use crate::plan::inputs::Inputs;
use crate::plan::summit::ANNOUNCED_WARNING;
use crate::store::{self, Lock};

use super::carriers::{Carrier, Carriers, Composed, stops};
use super::channel::Posted;
use super::compose::compose_any;
use super::handover::{check_record, record_handovers};
use super::notice::{Notice, settle_hint};
use super::outgoing::{Outgoing, Plan};
use super::report::{Progress, Record, Report, retry_hint};
use super::transport::Outcome;

/// What became of one message in [`deliver`].
#[derive(Clone, Debug)]
pub struct Delivered {
    /// The message.
    pub outgoing: Outgoing,
    /// Its Message-ID.
    pub message_id: String,
    /// Its outcome.
    pub outcome: Outcome,
    /// For a channel message, what the channel called what it posted.
    pub posted: Option<String>,
}

/// Delivers `batch` through `carrier` (the e-mail transport and the channels) under
/// the exactly-once protocol, recording each step in `ledger` and persisting it with
/// `save` (which must be durable when it returns): the intent before the message is
/// handed over, the outcome after (with, for a channel, what it called the post).
///
/// Stops handing messages to a carrier (e-mail, or one channel) after one whose
/// outcome is unknown, or once it is unusable; the messages not tried are left for the
/// next run, and the other carriers go on. `on_outcome` is told of each message as soon
/// as its outcome is recorded.
///
/// # Errors
/// When `save` fails: before a message is handed over (it is then not handed over), or
/// after (its intent stays on disk, so it is reported, not resent).
pub fn deliver(
    batch: Vec<(Outgoing, Composed)>,
    ledger: &mut Ledger,
    carrier: &mut dyn Carrier,
    now: DateTime<Utc>,
    save: &mut dyn FnMut(&Ledger) -> Result<()>,
    on_outcome: &mut dyn FnMut(&Delivered),
) -> Result<Vec<Delivered>> {
    let mut done = Vec::new();
    let mut stopped: HashSet<Option<String>> = HashSet::new();
    for (o, draft) in batch {
        if stopped.contains(&o.key.channel) {
            continue;
        }
        let message_id = draft.message_id().to_string();
        let about = o.about(Some(message_id.clone()));
        let intent = Entry::intent(about, o.previous.as_ref(), now);
        ledger.upsert(intent.clone());
        save(ledger)?;
        let Posted { outcome, id } = carrier.carry(&o, &draft, ledger);
        let record = match &outcome {
            Outcome::Sent => Some(intent.sent(now).posted(id.clone())),
            Outcome::NotSent { reason, .. } => Some(intent.failed(reason.clone(), now)),
            Outcome::Unknown(_) => None,
        };
        if let Some(entry) = record {
            ledger.upsert(entry);
            save(ledger)?;
        }
        if stops(&outcome) {
            stopped.insert(o.key.channel.clone());
        }
        let d = Delivered {
            outgoing: o,
            message_id,
            outcome,
            posted: id,
        };
        on_outcome(&d);
        done.push(d);
    }
    Ok(done)
}

/// What `tick` and `send` deliver with, made ready before planning: the configuration
/// with its roster and `[mail]`, the templates (so a broken one stops the run before
/// anything is recorded), the SMTP password (read before the lock, so a password
/// command that hangs until its deadline never holds it), the state directory, its lock
/// and the ledger.
pub struct Setup {
    /// The configuration, with its roster and `[mail]` checked.
    pub config: Inputs,
    /// The templates, loaded.
    pub templates: Templates,
    /// The SMTP password (`None`: no SMTP, no username, or `--dry-run`).
    pub password: Option<String>,
    /// Each channel's secret, by name, read with the password (none for `--dry-run`):
    /// the secret, or why it could not be read (that channel's messages then fail, and
    /// the others go).
    pub secrets: BTreeMap<String, std::result::Result<String, String>>,
    /// The state directory.
    pub dir: PathBuf,
    /// The state directory's lock, held until the run ends (`None` for `--dry-run`).
    pub lock: Option<Lock>,
    /// Where the ledger is.
    pub ledger_path: PathBuf,
    /// The ledger, as read under the lock.
    pub ledger: Ledger,
    /// Whether the ledger must be saved even when nothing is sent: it is new (its
    /// `since` is set now), or entries moved to a summit's new UID.
    pub fresh: bool,
    /// Whether handovers are appended to the facilitation record (`rotation.record`):
    /// not for a rehearsal ([`crate::send::rehearsal`]).
    pub write_record: bool,
}

/// Carries out `plan` at `now`: reports its notices and records the missed ones, drafts
/// each message and delivers the drafts under the exactly-once protocol ([`deliver`]);
/// with `dry_run`, records nothing and says what would be sent instead. Says nothing
/// when there is nothing to say: `feed_warnings` are passed on only when there is news,
/// but for a change that would change an announced facilitator.
///
/// A message that cannot be drafted fails alone: it is recorded as failed and retried
/// inside its window, and the rest go.
///
/// # Errors
/// When the ledger or the facilitation record cannot be read or written, the transport
/// cannot be set up, or `progress` cannot write; what went wrong with single messages is
/// in the [`Report`] instead.
pub fn carry_out(
    setup: Setup,
    plan: Plan,
    feed_warnings: &[String],
    dry_run: bool,
    now: DateTime<Utc>,
    progress: &mut dyn Progress,
) -> Result<Report> {
    let Setup {
        config,
        templates,
        password,
        secrets,
        dir,
        lock: _lock,
        ledger_path,
        mut ledger,
        fresh,
        write_record,
    } = setup;
    let mut run = Run {
        config: &config,
        write_record,
        now,
        dry_run,
        progress,
        report: Report::default(),
    };
    let quiet = plan.sends.is_empty()
        && plan
            .notices
            .iter()
            .all(|n| matches!(n, Notice::AlreadySent(_)) && !dry_run);
    run.warn_feed(feed_warnings, quiet);
    let (batch, undrafted) = run.draft_all(plan.sends, &templates)?;
    let mut recorded = fresh;
    if let Some(feed) = plan.feed {
        recorded |= feed.apply(&mut ledger);
    }
    run.warn_adopted(&plan.notices, &ledger);
    recorded |= run.notices(plan.notices, &mut ledger)?;
    if dry_run {
        run.would_send(&batch)?;
        return Ok(run.report);
    }
    for e in undrafted {
        ledger.upsert(e);
        recorded = true;
    }
    if recorded {
        store::ensure_dir(&dir)?;
        ledger.save(&ledger_path)?;
    }
    if !batch.is_empty() {
        run.hand_over(batch, (password, secrets), &mut ledger, &ledger_path)?;
    }
    Ok(run.report)
}

/// Messages drafted, ready to be handed over.
type Batch = Vec<(Outgoing, Composed)>;

/// The SMTP password and the channels' secrets ([`Setup`]).
type Secrets = (
    Option<String>,
    BTreeMap<String, std::result::Result<String, String>>,
);

/// One run of [`carry_out`].
struct Run<'a> {
    config: &'a Inputs,
    /// Whether handovers are appended to the facilitation record.
    write_record: bool,
    now: DateTime<Utc>,
    dry_run: bool,
    progress: &'a mut dyn Progress,
    report: Report,
}

impl Run<'_> {
    /// The feed's warnings, once each: all of them when the run has news, else only
    /// those about a facilitator already announced (said on every run).
    fn warn_feed(&mut self, feed_warnings: &[String], quiet: bool) {
        let mut seen = HashSet::new();
        let said: Vec<String> = feed_warnings
            .iter()
            .filter(|w| !quiet || w.contains(ANNOUNCED_WARNING))
            .filter(|w| seen.insert(w.as_str()))
            .cloned()
            .collect();
        self.progress.warn(&said);
    }

    /// Drafts each message on its own: one that cannot be drafted (a template error, an
    /// agenda that does not load, an address the builder refuses) is reported and
    /// returned as a `failed` entry to record, unless it is an unconfirmed intent resent
    /// with `--retry` (it stays what it was: it may have been delivered).
    fn draft_all(
        &mut self,
        sends: Vec<Outgoing>,
        templates: &Templates,
    ) -> Result<(Batch, Vec<Entry>)> {
        let mail = self.config.mail()?;
        let mut batch = Vec::new();
        let mut undrafted = Vec::new();
        for o in sends {
            match compose_any(&o, self.config, templates, self.now) {
                Ok(d) => batch.push((o, d)),
                Err(e) => {
                    let reason = format!("it could not be drafted: {e}");
                    self.report.errors.push(format!(
                        "{} was not sent: {reason}; {}",
                        o.describe(),
                        retry_hint(&o)
                    ));
                    let entry = o.failed(mail, &reason, self.now);
                    self.report
                        .records
                        .push(Record::entry("failed", &entry, Some(reason)));
                    if o.previous.as_ref().is_none_or(|p| p.state != State::Intent) {
                        undrafted.push(entry);
                    }
                }
            }
        }
        Ok((batch, undrafted))
    }

    /// One warning for every step that fell due before the ledger was started.
    fn warn_adopted(&mut self, notices: &[Notice], ledger: &Ledger) {
        let adopted: Vec<&Entry> = notices
            .iter()
            .filter_map(|n| match n {
                Notice::Adopted(e) => Some(e),
                _ => None,
            })
            .collect();
        if adopted.is_empty() {
            return;
        }
        let summits: HashSet<&OccurrenceKey> = adopted.iter().map(|e| &e.key.occurrence).collect();
        self.progress.warn(&[format!(
            "{} step(s) of {} summit(s) fell due before summit kept this state directory{} and their windows have closed: {}, not sent (`summit ledger list --all` lists them)",
            adopted.len(),
            summits.len(),
            ledger
                .since
                .map(|t| format!(" (since {})", When::Timed(t)))
                .unwrap_or_default(),
            if self.dry_run {
                "they would be recorded as missed"
            } else {
                "recorded as missed"
            },
        )]);
    }

    /// Reports `notices` and records the missed ones in `ledger`; whether it changed.
    fn notices(&mut self, notices: Vec<Notice>, ledger: &mut Ledger) -> Result<bool> {
        let mut recorded = false;
        for n in notices {
            match &n {
                Notice::Adopted(e) => {
                    self.report
                        .records
                        .push(Record::entry("missed", e, e.error.clone()));
                    ledger.upsert(e.clone());
                    recorded = true;
                }
                Notice::Missed(e) => {
                    self.progress.warn(&[n.message()]);
                    self.report
                        .records
                        .push(Record::entry("missed", e, e.error.clone()));
                    ledger.upsert(e.clone());
                    recorded = true;
                }
                Notice::Unconfirmed(e) => {
                    self.report
                        .records
                        .push(Record::entry("unconfirmed", e, None));
                    self.report.errors.push(n.message());
                }
                Notice::EmptyFeed { .. } => self.report.errors.push(n.message()),
                Notice::Blocked {
                    key,
                    announced,
                    due,
                    reason,
                    ..
                } => {
                    self.report.records.push(Record::new(
                        "failed",
                        key,
                        announced,
                        *due,
                        None,
                        Some(reason.clone()),
                    ));
                    self.report.errors.push(n.message());
                }
                Notice::AlreadySent(e) => {
                    self.progress
                        .say(&format!("already sent: {}", n.message()))?;
                    self.report
                        .records
                        .push(Record::entry("already-sent", e, None));
                }
            }
        }
        Ok(recorded)
    }

    /// What `--dry-run` would send.
    fn would_send(&mut self, batch: &[(Outgoing, Composed)]) -> Result<()> {
        for (o, d) in batch {
            self.report
                .records
                .push(Record::outgoing("would-send", o, d.message_id(), None));
            self.progress.say(&format!(
                "would send {} (due {}, Message-ID <{}>): {}",
                o.describe(),
                self.progress.instant(o.due),
                d.message_id(),
                d.subject()
            ))?;
        }
        Ok(())
    }

    /// Hands `batch` to the transport under the exactly-once protocol, saying each
    /// message sent as soon as it is, then appends the handovers handed over to the
    /// facilitation record. A record that cannot be read stops the run before anything
    /// is sent.
    fn hand_over(
        &mut self,
        batch: Batch,
        (password, secrets): Secrets,
        ledger: &mut Ledger,
        ledger_path: &std::path::Path,
    ) -> Result<()> {
        check_record(self.config, batch.iter().map(|(o, _)| o))?;
        let tried = batch.len();
        let config = self.config;
        let mut carriers = Carriers::new(config.mail()?, password, &config.channels, secrets);
        let progress = &mut *self.progress;
        let mut printed: Result<()> = Ok(());
        let done = deliver(
            batch,
            ledger,
            &mut carriers,
            self.now,
            &mut |l: &Ledger| l.save(ledger_path),
            &mut |d: &Delivered| {
                if d.outcome == Outcome::Sent && printed.is_ok() {
                    printed = progress.say(&format!(
                        "sent {} (Message-ID <{}>)",
                        d.outgoing.describe(),
                        d.message_id
                    ));
                }
            },
        )?;
        printed?;
        let handed = done
            .iter()
            .filter(|d| matches!(d.outcome, Outcome::Sent | Outcome::Unknown(_)));
        if self.write_record
            && let Err(e) = record_handovers(self.config, handed.map(|d| &d.outgoing), self.now)
        {
            self.report.errors.push(e.to_string());
        }
        for d in &done {
            self.outcome(d);
        }
        if done.len() < tried {
            self.report.errors.push(format!(
                "{} more message(s) were not tried after that; the next tick tries them",
                tried - done.len()
            ));
        }
        Ok(())
    }

    /// Records and reports what became of `d`.
    fn outcome(&mut self, d: &Delivered) {
        let o = &d.outgoing;
        let (action, detail) = match &d.outcome {
            Outcome::Sent => ("sent", None),
            Outcome::NotSent { reason, .. } => {
                self.report.errors.push(format!(
                    "{} was not sent: {reason}; {}",
                    o.describe(),
                    retry_hint(o)
                ));
                ("failed", Some(reason.clone()))
            }
            Outcome::Unknown(reason) => {
                self.report.errors.push(format!(
                    "{} may or may not have been delivered: {reason}; it is not sent again: {}",
                    o.describe(),
                    settle_hint(&d.message_id),
                ));
                ("unconfirmed", Some(reason.clone()))
            }
        };
        self.report
            .records
            .push(Record::outgoing(action, o, &d.message_id, detail));
    }
}
