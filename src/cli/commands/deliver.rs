//! What `tick` and `send` share: the setup before planning ([`delivery_setup`]) and
//! carrying out a plan under the exactly-once protocol ([`carry_out`]), with the lines
//! and `--json` records that report it. Kept in one place, as it is, for the move of the
//! send loop into `send/` (issue #11).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::calendar;
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::error::{Error, Result};
use crate::ledger::{Entry, Ledger};
use crate::mail::{Draft, Templates};
use crate::model::Kind;
use crate::model::OccurrenceKey;
use crate::model::State;
use crate::model::Step;
use crate::plan::inputs::Inputs;
use crate::plan::summit::{self, Planned};
use crate::send::delivery::{self, Delivered, Notice, Outgoing, Plan};
use crate::send::transport::Outcome;
use crate::store::{self, LOCK_WAIT, Lock};

/// See [`delivery_setup`].
pub(super) struct Setup {
    pub(super) config: Inputs,
    pub(super) templates: Templates,
    /// The SMTP password, read before the lock (see [`delivery_setup`]).
    pub(super) password: Option<String>,
    pub(super) dir: PathBuf,
    _lock: Option<Lock>,
    pub(super) ledger_path: PathBuf,
    pub(super) ledger: Ledger,
    /// Whether the ledger must be saved even when nothing is sent: it is new (its
    /// `since` is set now), or entries moved to a summit's new UID.
    pub(super) fresh: bool,
}

/// What `tick` and `send` both need before planning: the configuration with its
/// roster and `[mail]`, the templates (so a broken one stops the run before anything
/// is recorded), the SMTP password (not for `--dry-run`: read before the lock, so a
/// password command that hangs until its deadline never holds it), the state
/// directory, its lock (not for `--dry-run`) and the ledger.
pub(super) fn delivery_setup(session: &Session, dry_run: bool) -> Result<Setup> {
    let mut config = Inputs::load(session.config_file()?)?;
    config.members()?;
    let mail_config = config.mail()?;
    let templates = Templates::load(mail_config.templates.as_deref())?;
    let password = match mail_config.transport {
        crate::config::Transport::Smtp if !dry_run => {
            crate::send::transport::password(&mail_config.smtp)?
        }
        _ => None,
    };
    let dir = session.state_dir()?;
    let lock = if dry_run {
        None
    } else {
        Some(Lock::acquire(&dir, LOCK_WAIT)?)
    };
    let ledger_path = dir.join(crate::ledger::FILE);
    let mut ledger = Ledger::load(&ledger_path)?;
    // Announced as the ledger says under the lock.
    config
        .record
        .with_announced(delivery::announced_facilitators(&ledger));
    let fresh = ledger.since.is_none();
    if fresh {
        ledger.since = Some(session.now);
    }
    Ok(Setup {
        config,
        templates,
        password,
        dir,
        _lock: lock,
        ledger_path,
        ledger,
        fresh,
    })
}

/// Reports the notices of `plan`, records the missed ones, and delivers its
/// messages under the exactly-once protocol ([`delivery::deliver`]); with `dry_run`,
/// prints what would be sent instead. Prints nothing when there is nothing to say.
pub(super) fn carry_out(
    session: &Session,
    mut setup: Setup,
    plan: Plan,
    feed_warnings: &[String],
    dry_run: bool,
    printer: &mut Printer,
) -> Result<()> {
    let config = &setup.config;
    let mail = config.mail()?;
    let mut records: Vec<RecordJson> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let quiet = plan.sends.is_empty()
        && plan
            .notices
            .iter()
            .all(|n| matches!(n, Notice::AlreadySent(_)) && !dry_run);
    // A change of the configuration that would change an announced facilitator is
    // said on every run, even a quiet one; the feed's warnings when there is news.
    let mut seen = std::collections::HashSet::new();
    printer.warn_all(
        &feed_warnings
            .iter()
            .filter(|w| !quiet || w.contains(summit::ANNOUNCED_WARNING))
            .filter(|w| seen.insert(w.as_str()))
            .cloned()
            .collect::<Vec<_>>(),
    );
    // Each message is drafted on its own: one that cannot be drafted (a template
    // error, an agenda that does not load, an address the builder refuses) fails
    // alone, recorded as failed and retried inside its window, and the rest go.
    let mut batch: Vec<(Outgoing, Draft)> = Vec::new();
    let mut undrafted: Vec<Entry> = Vec::new();
    for o in plan.sends {
        match delivery::compose(&o, config, &setup.templates, session.now) {
            Ok(d) => batch.push((o, d)),
            Err(e) => {
                let reason = format!("it could not be drafted: {e}");
                errors.push(format!(
                    "{} was not sent: {reason}; {}",
                    o.describe(),
                    retry_hint(&o)
                ));
                let entry = o.failed(mail, &reason, session.now);
                records.push(RecordJson::entry("failed", &entry, Some(reason)));
                // An unconfirmed intent resent with --retry stays what it was: it
                // may have been delivered.
                if o.previous.as_ref().is_none_or(|p| p.state != State::Intent) {
                    undrafted.push(entry);
                }
            }
        }
    }
    let mut recorded = setup.fresh;
    if let Some(feed) = plan.feed {
        recorded |= feed.apply(&mut setup.ledger);
    }
    let mut adopted: Vec<&Entry> = Vec::new();
    for n in &plan.notices {
        if let Notice::Adopted(e) = n {
            adopted.push(e);
        }
    }
    if !adopted.is_empty() {
        let summits: std::collections::HashSet<&OccurrenceKey> =
            adopted.iter().map(|e| &e.key.occurrence).collect();
        printer.warn(&format!(
            "{} step(s) of {} summit(s) fell due before summit kept this state directory{} and their windows have closed: {}, not sent (`summit ledger list --all` lists them)",
            adopted.len(),
            summits.len(),
            setup
                .ledger
                .since
                .map(|t| format!(" (since {})", calendar::When::Timed(t)))
                .unwrap_or_default(),
            if dry_run {
                "they would be recorded as missed"
            } else {
                "recorded as missed"
            },
        ));
    }
    for n in plan.notices {
        match &n {
            Notice::Adopted(e) => {
                records.push(RecordJson::entry("missed", e, e.error.clone()));
                setup.ledger.upsert(e.clone());
                recorded = true;
            }
            Notice::Missed(e) => {
                printer.warn(&n.message());
                records.push(RecordJson::entry("missed", e, e.error.clone()));
                setup.ledger.upsert(e.clone());
                recorded = true;
            }
            Notice::Unconfirmed(e) => {
                records.push(RecordJson::entry("unconfirmed", e, None));
                errors.push(n.message());
            }
            Notice::EmptyFeed { .. } => errors.push(n.message()),
            Notice::Blocked {
                key,
                announced,
                due,
                reason,
                ..
            } => {
                records.push(RecordJson::new(
                    "failed",
                    key,
                    announced,
                    *due,
                    None,
                    Some(reason.clone()),
                ));
                errors.push(n.message());
            }
            Notice::AlreadySent(e) => {
                if !printer.json() {
                    printer.line(format_args!("already sent: {}", n.message()))?;
                }
                records.push(RecordJson::entry("already-sent", e, None));
            }
        }
    }
    if dry_run {
        for (o, d) in &batch {
            records.push(RecordJson::outgoing("would-send", o, &d.message_id, None));
            if !printer.json() {
                printer.line(format_args!(
                    "would send {} (due {}, Message-ID <{}>): {}",
                    o.describe(),
                    calendar::When::Timed(o.due),
                    d.message_id,
                    d.rendered.subject
                ))?;
            }
        }
    } else {
        for e in undrafted {
            setup.ledger.upsert(e);
            recorded = true;
        }
        if recorded {
            store::ensure_dir(&setup.dir)?;
            setup.ledger.save(&setup.ledger_path)?;
        }
        if !batch.is_empty() {
            // A record that cannot be read stops the run before anything is sent; it
            // is written once the handovers were handed to the transport.
            check_record(config, batch.iter().map(|(o, _)| o))?;
            let tried = batch.len();
            let mut transport = crate::send::transport::open(mail, setup.password.take())?;
            let path = setup.ledger_path.clone();
            let json = printer.json();
            let mut printed: Result<()> = Ok(());
            let done = delivery::deliver(
                batch,
                &mut setup.ledger,
                transport.as_mut(),
                session.now,
                &mut |l: &Ledger| l.save(&path),
                &mut |d: &Delivered| {
                    if !json && d.outcome == Outcome::Sent && printed.is_ok() {
                        printed = printer.line(format_args!(
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
            if let Err(e) = record_handovers(config, handed.map(|d| &d.outgoing), session.now) {
                errors.push(e.to_string());
            }
            for d in &done {
                let o = &d.outgoing;
                match &d.outcome {
                    Outcome::Sent => {
                        records.push(RecordJson::outgoing("sent", o, &d.message_id, None));
                    }
                    Outcome::NotSent { reason, .. } => {
                        errors.push(format!(
                            "{} was not sent: {reason}; {}",
                            o.describe(),
                            retry_hint(o)
                        ));
                        records.push(RecordJson::outgoing(
                            "failed",
                            o,
                            &d.message_id,
                            Some(reason.clone()),
                        ));
                    }
                    Outcome::Unknown(reason) => {
                        errors.push(format!(
                            "{} may or may not have been delivered: {reason}; it is not sent again: {}",
                            o.describe(),
                            delivery::settle_hint(&d.message_id),
                        ));
                        records.push(RecordJson::outgoing(
                            "unconfirmed",
                            o,
                            &d.message_id,
                            Some(reason.clone()),
                        ));
                    }
                }
            }
            if done.len() < tried {
                errors.push(format!(
                    "{} more message(s) were not tried after that; the next tick tries them",
                    tried - done.len()
                ));
            }
        }
    }
    if printer.json() {
        printer.write_json(&records)?;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Delivery(errors.join("\n")))
    }
}

/// What happens next to a message that was not sent: `the next tick retries it until …`.
fn retry_hint(o: &Outgoing) -> String {
    match o.until {
        Some(u) => format!(
            "the next tick retries it until {}",
            calendar::When::Timed(u)
        ),
        None => "the next tick retries it".into(),
    }
}

/// One line of `tick --json` and `send --json`.
#[derive(Serialize)]
struct RecordJson {
    /// `sent`, `would-send`, `failed`, `unconfirmed`, `missed` or `already-sent`.
    action: &'static str,
    step: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    correction: Option<u32>,
    summit: RecordSummitJson,
    to: String,
    message_id: Option<String>,
    due: calendar::When,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[derive(Serialize)]
struct RecordSummitJson {
    uid: String,
    original: Option<calendar::When>,
    start: calendar::When,
    summary: String,
}

impl RecordJson {
    fn new(
        action: &'static str,
        key: &crate::ledger::Key,
        announced: &crate::ledger::Announced,
        due: DateTime<Utc>,
        message_id: Option<String>,
        detail: Option<String>,
    ) -> Self {
        RecordJson {
            action,
            step: key.kind.name(),
            correction: (key.kind == Kind::Correction).then_some(key.seq),
            summit: RecordSummitJson {
                uid: key.occurrence.uid.clone(),
                original: key.occurrence.original,
                start: announced.start,
                summary: announced.summary.clone(),
            },
            to: key.to.clone(),
            message_id,
            due: calendar::When::Timed(due),
            detail,
        }
    }

    fn entry(action: &'static str, e: &Entry, detail: Option<String>) -> Self {
        Self::new(
            action,
            &e.key,
            &e.announced,
            e.due,
            e.message_id.clone(),
            detail,
        )
    }

    fn outgoing(action: &'static str, o: &Outgoing, id: &str, detail: Option<String>) -> Self {
        Self::new(
            action,
            &o.key,
            &o.announced,
            o.due,
            Some(id.to_string()),
            detail,
        )
    }
}

/// Appends to the facilitation record (`rotation.record`), before the handovers in
/// `batch` are handed over, the summit each is about (when it is not recorded yet) and
/// the next summit with the facilitator the handover names, so that what a handover
/// announced stays as announced whatever the roster says later. The record is read
/// again first, under the state directory's lock, and written only when it changes.
///
/// It is called after delivery, with the messages handed to the transport (sent, or
/// of unknown outcome), under the state directory's lock; new entries are appended to
/// the file, which keeps its comments, formatting and mode ([`crate::record::append`]).
///
/// # Errors
/// When the record cannot be read or written.
fn record_handovers<'a>(
    config: &Inputs,
    handed: impl Iterator<Item = &'a Outgoing>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(path) = &config.rotation.record else {
        return Ok(());
    };
    let handovers: Vec<&Outgoing> = handed
        .filter(|o| matches!(o.what, delivery::What::Step(Step::Handover)))
        .collect();
    if handovers.is_empty() {
        return Ok(());
    }
    let mut record = crate::record::Record::load(path)?;
    let entry = |p: &Planned, decided: crate::record::Decided| {
        p.facilitator.as_ref().map(|m| crate::record::Entry {
            date: p.summit.start.date_utc(),
            key: Some(OccurrenceKey::of(&p.summit)),
            email: m.email.clone(),
            name: Some(m.name.clone()),
            decided,
            recorded: Some(now),
        })
    };
    let mut added = Vec::new();
    for o in handovers {
        let next = o.next.as_ref().and_then(|next| {
            let decided = if summit::pinned(next, config) {
                crate::record::Decided::Pin
            } else {
                crate::record::Decided::Handover
            };
            entry(next, decided)
        });
        for e in entry(&o.summit, crate::record::Decided::Held)
            .into_iter()
            .chain(next)
        {
            if record.add(e.clone()) {
                added.push(e);
            }
        }
    }
    crate::record::append(path, &added)
}

/// Reads the facilitation record when `outgoing` holds a handover, so that a record
/// that cannot be read stops the run before anything is sent.
///
/// # Errors
/// As [`crate::record::Record::load`].
fn check_record<'a>(
    config: &Inputs,
    mut outgoing: impl Iterator<Item = &'a Outgoing>,
) -> Result<()> {
    match &config.rotation.record {
        Some(path) if outgoing.any(|o| matches!(o.what, delivery::What::Step(Step::Handover))) => {
            crate::record::Record::load(path).map(drop)
        }
        _ => Ok(()),
    }
}
