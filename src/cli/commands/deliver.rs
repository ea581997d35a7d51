//! What `tick` and `send` share: the setup before planning ([`delivery_setup`]) and
//! carrying out a plan under the exactly-once protocol ([`crate::send::carry_out`]),
//! printing what it says and, with `--json`, its records.

use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::error::Result;
use crate::ledger::Ledger;
use crate::mail::Templates;
use crate::plan::inputs::Inputs;
use crate::send::{self, Plan, Setup, rehearsal};
use crate::store::{LOCK_WAIT, Lock};

/// What `tick` and `send` both need before planning: the configuration with its
/// roster and `[mail]`, the templates (so a broken one stops the run before anything
/// is recorded), the SMTP password (not for `--dry-run`: read before the lock, so a
/// password command that hangs until its deadline never holds it), the state
/// directory, its lock (not for `--dry-run`) and the ledger.
///
/// A `--now` more than an hour from the clock is a rehearsal
/// ([`crate::send::rehearsal`]): refused without a state directory given, said in one
/// `note:` line, and the facilitation record is left alone.
pub(super) fn delivery_setup(session: &Session, dry_run: bool) -> Result<Setup> {
    let mut config = Inputs::load(session.config_file()?)?;
    config.members()?;
    let mail_config = config.mail()?;
    let templates = Templates::load(mail_config.templates.as_deref())?;
    // Before any secret is read: a rehearsal without a state directory stops here.
    let choice = session.state_dir_choice()?;
    let mode = rehearsal::decide(session.clock, session.now, dry_run, choice.given())?;
    let dir = choice.path().to_path_buf();
    if let rehearsal::Mode::Rehearsal { offset } = mode {
        let note = rehearsal::note(session.now, offset, &dir.display().to_string());
        eprintln!("note: {}", crate::terminal::line(&note));
    }
    let password = match mail_config.transport {
        crate::config::Transport::Smtp if !dry_run => {
            crate::send::transport::password(&mail_config.smtp)?
        }
        _ => None,
    };
    // Each channel's secret, read now like the password; one that cannot be read fails
    // that channel's messages only.
    let secrets = if dry_run {
        std::collections::BTreeMap::new()
    } else {
        config
            .channels
            .iter()
            .map(|c| {
                let secret = crate::send::channel::secret(c).map_err(|e| e.to_string());
                (c.name.clone(), secret)
            })
            .collect()
    };
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
        .with_announced(send::announced_facilitators(&ledger));
    let fresh = ledger.since.is_none();
    if fresh {
        ledger.since = Some(session.now);
    }
    Ok(Setup {
        config,
        templates,
        password,
        secrets,
        dir,
        lock,
        ledger_path,
        ledger,
        fresh,
        write_record: mode.writes_record(),
    })
}

/// Carries out `plan` ([`crate::send::carry_out`]), printing what it says and, with
/// `--json`, its records; what went wrong with single messages is the error.
pub(super) fn carry_out(
    session: &Session,
    setup: Setup,
    plan: Plan,
    feed_warnings: &[String],
    dry_run: bool,
    printer: &mut Printer,
) -> Result<()> {
    let report = send::carry_out(setup, plan, feed_warnings, dry_run, session.now, printer)?;
    if printer.json() {
        printer.write_json(&report.records)?;
    }
    report.result()
}

/// What a delivery run says: warnings on standard error, lines on standard output
/// unless `--json`.
impl send::Progress for Printer<'_> {
    fn warn(&mut self, warnings: &[String]) {
        self.warn_all(warnings);
    }

    fn say(&mut self, text: &str) -> Result<()> {
        self.human_line(format_args!("{text}"))
    }

    fn instant(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        Printer::instant(self, t)
    }
}
