//! `summit check`: whether everything `tick` needs is in order, sending nothing. It
//! goes through what `tick` goes through, in order (configuration, templates, feed,
//! facilitation record, agenda, state directory, ledger, mail transport), reports each
//! as one line (or one `--json` object), and goes on after a failure wherever the later
//! checks still make sense.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Context, line, no_summit, one_line, warn_all, write_json};
use crate::agenda::Agenda;
use crate::calendar::Calendar;
use crate::config::{Config, MailConfig, Security, Smtp, Transport};
use crate::error::{Error, Result};
use crate::ledger::{self, Announced, Ledger};
use crate::mail::render::BUILTIN;
use crate::mail::{self, Change, Templates};
use crate::model::State;
use crate::model::Step;
use crate::plan::summit::{self, Planned};
use crate::send::delivery::{self, Notice};
use crate::send::transport::{self, SmtpTransport};
use crate::store::{self, Lock};

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    /// In order.
    Ok,
    /// In order, with something worth a look (feed warnings, nobody to facilitate …).
    Warn,
    /// Not in order: `tick` would fail.
    Fail,
}

impl Status {
    /// The word a line starts with.
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        }
    }
}

/// One check's result.
#[derive(Debug)]
struct Outcome {
    /// The check's name: `configuration`, `templates`, `feed`, `record`, `agenda`,
    /// `state`, `ledger` or `transport`.
    check: &'static str,
    status: Status,
    /// What was found, or what is wrong, on one line.
    detail: String,
    /// For a failure: the errors, printed as `error:` lines and deciding the exit status.
    errors: Vec<Error>,
}

impl Outcome {
    fn ok(check: &'static str, detail: String) -> Self {
        Outcome {
            check,
            status: Status::Ok,
            detail,
            errors: Vec::new(),
        }
    }

    fn warn(check: &'static str, detail: String) -> Self {
        Outcome {
            status: Status::Warn,
            ..Outcome::ok(check, detail)
        }
    }

    /// A failure with `detail` on the line and `errors` on standard error.
    fn fail_with(check: &'static str, detail: String, errors: Vec<Error>) -> Self {
        Outcome {
            check,
            status: Status::Fail,
            detail,
            errors,
        }
    }

    /// A failure whose line is the error itself.
    fn fail(check: &'static str, error: Error) -> Self {
        Outcome::fail_with(check, lines_as_one(&error.to_string()), vec![error])
    }

    /// `ok    CHECK: detail`, `warn  CHECK: detail` or `FAIL  CHECK: error`.
    fn line(&self) -> String {
        format!("{:<6}{}: {}", self.status.label(), self.check, self.detail)
    }
}

/// One object of `summit check --json`.
#[derive(Serialize)]
struct CheckJson<'a> {
    check: &'a str,
    status: Status,
    detail: &'a str,
}

/// The checks done so far; prints each line as it comes (without `--json`).
struct Report {
    json: bool,
    done: Vec<Outcome>,
}

impl Report {
    fn add(&mut self, out: &mut dyn Write, outcome: Outcome) -> Result<()> {
        if !self.json {
            line(out, format_args!("{}", outcome.line()))?;
        }
        self.done.push(outcome);
        Ok(())
    }

    /// Prints the `--json` array; the failures, if any, as one error (exit 2 when any
    /// of them is a configuration or template error, else 1).
    fn finish(self, out: &mut dyn Write) -> Result<()> {
        if self.json {
            let rows: Vec<CheckJson> = self
                .done
                .iter()
                .map(|o| CheckJson {
                    check: o.check,
                    status: o.status,
                    detail: &o.detail,
                })
                .collect();
            write_json(out, &rows)?;
        }
        let errors: Vec<Error> = self.done.into_iter().flat_map(|o| o.errors).collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Several(errors))
        }
    }
}

/// The feed as the feed check found it.
struct Feed {
    outcome: Outcome,
    cal: Option<Calendar>,
    /// The next summit and the one after it (empty when the feed failed or has none).
    plan: Vec<Planned>,
}

impl Context<'_> {
    /// `summit check [--connect]`.
    pub(super) fn check(&self, connect: bool, out: &mut dyn Write) -> Result<()> {
        let mut report = Report {
            json: self.cli.json,
            done: Vec::new(),
        };
        let mut config = match self.check_config() {
            Ok((config, outcome)) => {
                report.add(out, outcome)?;
                config
            }
            Err(e) => {
                // Everything else depends on it.
                report.add(out, Outcome::fail("configuration", e))?;
                return report.finish(out);
            }
        };
        let templates = Templates::load(config.mail()?.templates.as_deref());
        let dir = store::resolve_dir(self.cli.state_dir.as_deref()).ok();
        let feed = self.check_feed(&config, dir.as_deref());
        // Loaded before rendering: with an agenda the outreach goes to the topic owners.
        let agenda = self.check_agenda(&mut config, feed.cal.as_ref(), &feed.plan);
        report.add(out, self.check_templates(templates, &config, &feed.plan))?;
        report.add(out, feed.outcome)?;
        if let Some(o) = check_record(&config) {
            report.add(out, o)?;
        }
        if let Some(o) = agenda {
            report.add(out, o)?;
        }
        let (outcome, usable) = self.check_state();
        report.add(out, outcome)?;
        if let Some(dir) = usable {
            report.add(out, check_ledger(&dir))?;
        }
        report.add(out, check_transport(config.mail()?, connect))?;
        report.finish(out)
    }

    /// The configuration with what `tick` needs of it: a roster and a `[mail]` table.
    fn check_config(&self) -> Result<(Config, Outcome)> {
        let config = self.config()?;
        let members = config.members()?.len();
        let mail = config.mail()?;
        let detail = format!(
            "{}: {members} member(s), {} zone(s), transport {}",
            config.path.as_deref().unwrap_or(Path::new("?")).display(),
            config.calendar.zones.len(),
            transport_name(mail.transport),
        );
        Ok((config, Outcome::ok("configuration", detail)))
    }

    /// The feed read and parsed as `tick` reads it: a URL through the cache in the state
    /// directory `dir` (the cache is not updated), with the next summits planned.
    fn check_feed(&self, config: &Config, dir: Option<&Path>) -> Feed {
        let failed = |e: Error| Feed {
            outcome: Outcome::fail("feed", e),
            cal: None,
            plan: Vec::new(),
        };
        let source = match self.source(config) {
            Ok(s) => s,
            Err(e) => return failed(e),
        };
        let name = source.name();
        let read = self.read_feed(config, &source, dir, false);
        let (cal, stood_in) = match read {
            Ok(r) => r,
            Err(e) => return failed(e),
        };
        let mut warnings = cal.warnings.clone();
        let plan = summit::plan(&cal, config, self.now, 2, &mut warnings);
        let mut seen = HashSet::new();
        warnings.retain(|w| seen.insert(w.clone()));
        warn_all(&warnings);
        if let Some(w) = &stood_in {
            crate::terminal::warn(w);
        }
        let mut detail = format!(
            "{name}: {} event(s), {} warning(s)",
            cal.events.len(),
            warnings.len()
        );
        if stood_in.is_some() {
            detail.push_str(", read from the cached copy (see the warning)");
        }
        let Some(p) = plan.first() else {
            let e = no_summit(config, self.now);
            detail = format!("{detail}; {e}");
            return Feed {
                outcome: Outcome::fail_with("feed", detail, vec![e]),
                cal: Some(cal),
                plan,
            };
        };
        let who = match &p.facilitator {
            Some(m) => format!("{} <{}>", m.name, m.email),
            None => "nobody (every member is away)".into(),
        };
        detail = format!(
            "{detail}; next summit {} ({}), facilitator {who}",
            p.summit.start,
            one_line(&p.summit.summary)
        );
        let worth_a_look = !warnings.is_empty() || stood_in.is_some() || p.facilitator.is_none();
        Feed {
            outcome: if worth_a_look {
                Outcome::warn("feed", detail)
            } else {
                Outcome::ok("feed", detail)
            },
            cal: Some(cal),
            plan,
        }
    }

    /// The agenda named by `--agenda` or `agenda.file`, loaded into `config` as `tick`
    /// loads it; `None` when none is configured.
    fn check_agenda(
        &self,
        config: &mut Config,
        cal: Option<&Calendar>,
        plan: &[Planned],
    ) -> Option<Outcome> {
        let path = self.cli.agenda.clone().or(config.agenda.file.clone())?;
        let loaded = match cal {
            // A file that cannot be loaded is recorded in `config.agenda.error`.
            Some(cal) => self.with_agenda(config, cal),
            // Without a feed it can still be parsed.
            None => Agenda::load(&path, config.calendar.zones[0]).map(|_| ()),
        };
        if let Err(e) = loaded {
            return Some(Outcome::fail("agenda", e));
        }
        if let Some(u) = &config.agenda.error {
            // `tick` still sends the other steps; the outreach and the checklist fail.
            return Some(Outcome::fail(
                "agenda",
                Error::Agenda {
                    path: u.path.clone(),
                    message: u.message.clone(),
                },
            ));
        }
        let mut detail = path.display().to_string();
        let Some(agenda) = &config.agenda.loaded else {
            detail.push_str(": parses; not matched to a summit (no feed)");
            return Some(Outcome::warn("agenda", detail));
        };
        detail.push_str(&format!(": {} topic(s)", agenda.topics.len()));
        if !agenda.warnings.is_empty() {
            warn_all(&agenda.warnings);
            detail.push_str(&format!(
                " ({} warning(s): see them above)",
                agenda.warnings.len()
            ));
        }
        let worth_a_look = !agenda.warnings.is_empty();
        let Some(next) = plan.first() else {
            return Some(Outcome::warn("agenda", detail));
        };
        let next_date = next.summit.start.date_utc();
        match (agenda.summit, mail::ranked_agenda(next, config)) {
            (_, Some(ranked)) => {
                detail.push_str(&format!(
                    ", for the summit on {next_date}; the outreach goes to {} topic owner(s) so far",
                    ranked.owners().len()
                ));
                let by_hand = ranked.unreachable().len();
                if by_hand > 0 {
                    detail.push_str(&format!(
                        ", and {by_hand} chosen topic(s) have no owner address (the checklist lists them)"
                    ));
                }
                Some(if worth_a_look {
                    Outcome::warn("agenda", detail)
                } else {
                    Outcome::ok("agenda", detail)
                })
            }
            (Some(date), None) => {
                detail.push_str(&format!(
                    ", for the summit on {date}, not the next one on {next_date}: its outreach goes to the facilitator"
                ));
                Some(Outcome::warn("agenda", detail))
            }
            (None, None) => Some(Outcome::warn("agenda", detail)),
        }
    }

    /// The templates compiled, and every enabled step (and the corrections) rendered
    /// for the next summit through the drafting code `tick` uses; nothing is written.
    fn check_templates(
        &self,
        templates: Result<Templates>,
        config: &Config,
        plan: &[Planned],
    ) -> Outcome {
        const CHECK: &str = "templates";
        let templates = match templates {
            Ok(t) => t,
            Err(e) => return Outcome::fail(CHECK, e),
        };
        let mut detail = format!("{} compiled", BUILTIN.len());
        if let Some(dir) = config.mail.as_ref().and_then(|m| m.templates.as_deref()) {
            let overrides: Vec<&str> = BUILTIN
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| dir.join(n).is_file())
                .collect();
            detail.push_str(&format!(
                " ({} overridden from {}{})",
                overrides.len(),
                dir.display(),
                if overrides.is_empty() {
                    String::new()
                } else {
                    format!(": {}", overrides.join(", "))
                }
            ));
        }
        let Some(p) = plan.first() else {
            detail.push_str("; not rendered: no upcoming summit to render them for");
            return Outcome::warn(CHECK, detail);
        };
        let next = plan.get(1);
        let mut rendered: Vec<String> = Vec::new();
        let mut nobody: Vec<String> = Vec::new();
        let mut errors: Vec<Error> = Vec::new();
        for step in Step::ALL
            .into_iter()
            .filter(|s| s.enabled(&config.timeline))
        {
            match mail::draft(step, p, next, config, &templates, self.now) {
                // Not mailed without an agenda, but printed by `summit checklist`.
                Ok(d) if d.is_empty() && step == Step::Checklist => {
                    match mail::checklist(p, next, config, &templates, self.now) {
                        Ok(_) => rendered.push(step.name().into()),
                        Err(e) => errors.push(e),
                    }
                }
                Ok(d) if d.is_empty() => nobody.push(format!("{step} (nobody to send it to)")),
                Ok(_) => rendered.push(step.name().into()),
                Err(e @ Error::NoSummit(_)) => nobody.push(format!("{step} ({e})")),
                // Reported by the agenda check.
                Err(Error::Agenda { .. }) => {
                    nobody.push(format!(
                        "{step} (the agenda cannot be read: see the agenda check)"
                    ));
                }
                Err(e) => errors.push(e),
            }
        }
        // Sent only when an announced summit moves, is cancelled or reinstated, or gets
        // another facilitator: rendered now, not found broken then.
        if let Ok(m) = config.mail() {
            let to = [m.public_list.clone()];
            let before = errors.len();
            for (change, cancelled) in [
                (Change::Moved, false),
                (Change::Cancelled, false),
                (Change::Reinstated, true),
                (Change::Facilitator, false),
            ] {
                let announced =
                    Announced::of(&p.summit, cancelled).naming(Some(crate::ledger::Named {
                        name: "Someone Else".into(),
                        email: "someone.else@example.org".into(),
                    }));
                if let Err(e) = mail::draft_correction(
                    &p.summit,
                    p.facilitator.as_ref(),
                    next,
                    &announced,
                    change,
                    1,
                    &to,
                    config,
                    &templates,
                    self.now,
                ) {
                    errors.push(e);
                }
            }
            if errors.len() == before {
                rendered.push("correction".into());
            }
        }
        let mut seen = HashSet::new();
        errors.retain(|e| seen.insert(e.to_string()));
        if !errors.is_empty() {
            let text: Vec<String> = errors
                .iter()
                .map(|e| lines_as_one(&e.to_string()))
                .collect();
            return Outcome::fail_with(CHECK, text.join("; "), errors);
        }
        detail.push_str(&format!(
            "; rendered for the summit on {}: {}",
            p.summit.start.date_utc(),
            rendered.join(", ")
        ));
        let facilitator_missing = nobody
            .iter()
            .any(|n| !n.ends_with("(nobody to send it to)"));
        if !nobody.is_empty() {
            detail.push_str(&format!("; not rendered: {}", nobody.join(", ")));
        }
        if facilitator_missing {
            Outcome::warn(CHECK, detail)
        } else {
            Outcome::ok(CHECK, detail)
        }
    }

    /// The state directory: there or created, writable, its lock free (taken and
    /// released at once, after waiting up to [`CHECK_LOCK_WAIT`] for a running `tick`).
    /// Returns it when usable.
    fn check_state(&self) -> (Outcome, Option<PathBuf>) {
        const CHECK: &str = "state";
        let dir = match store::resolve_dir(self.cli.state_dir.as_deref()) {
            Ok(d) => d,
            Err(e) => return (Outcome::fail(CHECK, e), None),
        };
        let existed = dir.is_dir();
        let checked = (|| {
            if dir.exists() && !existed {
                return Err(Error::io(
                    &dir,
                    std::io::Error::other("it is not a folder, expected the state directory"),
                ));
            }
            store::ensure_dir(&dir)?;
            probe_writable(&dir)?;
            drop(Lock::acquire(&dir, CHECK_LOCK_WAIT)?);
            Ok(())
        })();
        match checked {
            Ok(()) => (
                Outcome::ok(
                    CHECK,
                    format!(
                        "{}: {}writable, lock taken and released",
                        dir.display(),
                        if existed { "" } else { "created, " }
                    ),
                ),
                Some(dir),
            ),
            Err(e) => (Outcome::fail(CHECK, e), None),
        }
    }
}

/// How long `check` waits for a running `tick` or `send` to release the state lock:
/// long enough for a tick that sends a few messages, short enough that a person
/// running `check` is not left waiting on a stuck one (tick waits five minutes).
const CHECK_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The facilitation record (already parsed with the configuration): its folder must be
/// writable, as `tick` adds to it when it sends a handover. `None` when not configured.
fn check_record(config: &Config) -> Option<Outcome> {
    const CHECK: &str = "record";
    let path = config.rotation.record.as_deref()?;
    let folder = folder_of(path);
    if let Err(e) = probe_writable(folder) {
        return Some(Outcome::fail(CHECK, e));
    }
    // The file's entries, not the facilitators the ledger adds as announced.
    let entries = config
        .rotation
        .history
        .entries
        .iter()
        .filter(|e| e.decided != crate::record::Decided::Announced)
        .count();
    Some(Outcome::ok(
        CHECK,
        format!(
            "{}: {entries} entr{}{}, its folder is writable",
            path.display(),
            if entries == 1 { "y" } else { "ies" },
            if path.exists() {
                ""
            } else {
                " (no file yet: the first handover starts it)"
            }
        ),
    ))
}

/// The send ledger in `dir`: it parses, and no message is unconfirmed (an intent: `tick`
/// stops on it until it is settled).
fn check_ledger(dir: &Path) -> Outcome {
    const CHECK: &str = "ledger";
    let path = dir.join(ledger::FILE);
    let ledger = match Ledger::load(&path) {
        Ok(l) => l,
        Err(e) => return Outcome::fail(CHECK, e),
    };
    if !path.exists() {
        return Outcome::ok(
            CHECK,
            format!("{}: none yet (the first tick starts it)", path.display()),
        );
    }
    let summary = ledger_summary(&ledger);
    let intents: Vec<&ledger::Entry> = ledger
        .entries()
        .filter(|e| e.state == State::Intent)
        .collect();
    if intents.is_empty() {
        return Outcome::ok(CHECK, format!("{}: {summary}", path.display()));
    }
    let which: Vec<String> = intents
        .iter()
        .map(|e| {
            format!(
                "{} (Message-ID <{}>)",
                delivery::describe(&e.key, &e.announced),
                e.message_id.as_deref().unwrap_or("?")
            )
        })
        .collect();
    Outcome::fail_with(
        CHECK,
        format!(
            "{}: {summary}; unconfirmed: {}; see `summit ledger list --state intent`",
            path.display(),
            which.join("; ")
        ),
        intents
            .into_iter()
            .map(|e| Error::Delivery(Notice::Unconfirmed(e.clone()).message()))
            .collect(),
    )
}

/// `3 message(s): 2 sent, 1 intent`, the states in ledger order.
fn ledger_summary(ledger: &Ledger) -> String {
    let total = ledger.entries().count();
    let counts: Vec<String> = State::ALL
        .into_iter()
        .filter_map(|s| {
            let n = ledger.entries().filter(|e| e.state == s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    if counts.is_empty() {
        format!("{total} message(s)")
    } else {
        format!("{total} message(s): {}", counts.join(", "))
    }
}

/// The mail transport: the outbox writable, the sendmail program there, or the SMTP
/// password at hand (and with `connect`, the server reachable and accepting AUTH).
fn check_transport(mail: &MailConfig, connect: bool) -> Outcome {
    const CHECK: &str = "transport";
    let smtp_only = if connect {
        " (--connect applies to smtp only)"
    } else {
        ""
    };
    match mail.transport {
        Transport::File => {
            let dir = &mail.outbox;
            let existed = dir.is_dir();
            let checked = store::create_folder(dir).and_then(|()| probe_writable(dir));
            match checked {
                Ok(()) => Outcome::ok(
                    CHECK,
                    format!(
                        "file: outbox {}: {}writable{smtp_only}",
                        dir.display(),
                        if existed { "" } else { "created, " }
                    ),
                ),
                Err(e) => Outcome::fail(CHECK, e),
            }
        }
        Transport::Sendmail => {
            match find_program(&mail.sendmail, std::env::var_os("PATH").as_deref()) {
                Ok(p) => Outcome::ok(
                    CHECK,
                    format!(
                        "sendmail: `{}` is {}, executable (not run){smtp_only}",
                        mail.sendmail,
                        p.display()
                    ),
                ),
                Err(message) => Outcome::fail(CHECK, Error::Delivery(message)),
            }
        }
        Transport::Smtp => check_smtp(&mail.smtp, connect),
    }
}

/// `mail.transport = "smtp"`: the password source resolves (neither the password nor
/// anything the password command prints is shown), TLS can be set up, and with
/// `connect` a session (TLS, EHLO, AUTH, QUIT) succeeds.
fn check_smtp(smtp: &Smtp, connect: bool) -> Outcome {
    const CHECK: &str = "transport";
    let password = match transport::password_quietly(smtp) {
        Ok(p) => p,
        Err(e) => return Outcome::fail(CHECK, e),
    };
    let transport = match SmtpTransport::new(smtp, password) {
        Ok(t) => t,
        Err(e) => return Outcome::fail(CHECK, e),
    };
    let security = match smtp.security {
        Security::Starttls => "STARTTLS",
        Security::Tls => "TLS",
        Security::None => "no TLS",
    };
    let auth = match (&smtp.username, &smtp.password_env, &smtp.password_command) {
        (None, _, _) => "no AUTH".to_string(),
        (Some(u), Some(var), _) => format!("AUTH as `{u}` with the password in ${var}"),
        (Some(u), None, Some(_)) => {
            format!("AUTH as `{u}` with the password from mail.smtp.password-command")
        }
        (Some(u), None, None) => format!("AUTH as `{u}`"),
    };
    let what = format!("smtp {} ({security}, {auth})", transport.address());
    if !connect {
        return Outcome::ok(
            CHECK,
            format!("{what}; not connected: no connection is made for mail without --connect"),
        );
    }
    match transport.probe() {
        Ok((name, encrypted)) => Outcome::ok(
            CHECK,
            format!(
                "{what}: connected{}, EHLO answered by `{name}`{}, QUIT; no mail sent",
                if encrypted { " with TLS" } else { "" },
                if transport.authenticates() {
                    ", authenticated"
                } else {
                    ""
                }
            ),
        ),
        Err(reason) => Outcome::fail_with(
            CHECK,
            format!("{what}: {reason}"),
            vec![Error::Delivery(reason)],
        ),
    }
}

/// The program `sendmail` names, as `Command::new` finds it: a name with a `/` as a
/// path (relative to the working directory), else the first executable file of that
/// name in the folders of `path` (the `PATH` variable).
///
/// # Errors
/// A message naming the program when it is missing or not executable.
fn find_program(program: &str, path: Option<&OsStr>) -> std::result::Result<PathBuf, String> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return match std::fs::metadata(&p) {
            Ok(m) if m.is_file() && executable(&m) => Ok(p),
            Ok(_) => Err(format!(
                "mail.sendmail `{program}` is not an executable file, expected the local MTA's sendmail program"
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(format!(
                "mail.sendmail `{program}`: no such file, expected the local MTA's sendmail program"
            )),
            Err(e) => Err(format!(
                "mail.sendmail `{program}`: {e}, expected the local MTA's sendmail program"
            )),
        };
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    which::which_in(program, Some(path.unwrap_or_default()), cwd).map_err(|_| {
            format!(
                "mail.sendmail `{program}` is not an executable file in any folder of PATH, expected the local MTA's sendmail program (or its full path in mail.sendmail)"
            )
        })
}

#[cfg(unix)]
fn executable(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_: &std::fs::Metadata) -> bool {
    true
}

/// Creates and removes an empty file in `dir`, to tell whether `tick` can write there.
///
/// # Errors
/// [`Error::Io`] naming `dir` when the file cannot be created (or the file when it
/// cannot be removed).
fn probe_writable(dir: &Path) -> Result<()> {
    let probe = dir.join(format!(".summit-check-{}.tmp", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| {
            Error::io(
                dir,
                std::io::Error::new(
                    e.kind(),
                    format!("cannot create a file in it ({e}), expected a writable folder"),
                ),
            )
        })?;
    std::fs::remove_file(&probe).map_err(|e| Error::io(&probe, e))
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `mail.transport` as the configuration spells it.
fn transport_name(t: Transport) -> &'static str {
    match t {
        Transport::Smtp => "smtp",
        Transport::Sendmail => "sendmail",
        Transport::File => "file",
    }
}

/// A message of several lines on one, the lines joined by `; `.
fn lines_as_one(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_start_with_a_padded_status() {
        let ok = Outcome::ok("feed", "12 event(s)".into());
        assert_eq!(ok.line(), "ok    feed: 12 event(s)");
        let warn = Outcome::warn("agenda", "x".into());
        assert_eq!(warn.line(), "warn  agenda: x");
        let fail = Outcome::fail("state", Error::Delivery("one\ntwo".into()));
        assert_eq!(fail.line(), "FAIL  state: one; two");
        assert_eq!(fail.errors.len(), 1);
    }

    #[test]
    fn json_rows_have_the_documented_shape() {
        let mut out = Vec::new();
        let report = Report {
            json: true,
            done: vec![
                Outcome::ok("configuration", "c".into()),
                Outcome::warn("feed", "f".into()),
                Outcome::fail("templates", Error::Usage("bad".into())),
            ],
        };
        let err = report.finish(&mut out).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                {"check": "configuration", "status": "ok", "detail": "c"},
                {"check": "feed", "status": "warn", "detail": "f"},
                {"check": "templates", "status": "fail", "detail": "bad"},
            ])
        );
    }

    #[test]
    fn exit_status_is_2_for_any_configuration_error_else_1() {
        let run = |errors: Vec<Error>| {
            let mut out = Vec::new();
            let mut report = Report {
                json: false,
                done: Vec::new(),
            };
            report
                .add(&mut out, Outcome::ok("first", "fine".into()))
                .unwrap();
            for e in errors {
                report.add(&mut out, Outcome::fail("x", e)).unwrap();
            }
            (report.finish(&mut out), String::from_utf8(out).unwrap())
        };
        let (r, text) = run(vec![]);
        assert!(r.is_ok());
        assert_eq!(text, "ok    first: fine\n");
        let (r, text) = run(vec![Error::Delivery("refused".into())]);
        assert_eq!(r.unwrap_err().exit_code(), 1);
        assert_eq!(text, "ok    first: fine\nFAIL  x: refused\n");
        let (r, _) = run(vec![
            Error::Delivery("refused".into()),
            Error::Template {
                name: "reminder.txt".into(),
                line: Some(3),
                message: "undefined value".into(),
            },
        ]);
        let e = r.unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            e.to_string(),
            "refused\ntemplate `reminder.txt` line 3: undefined value"
        );
    }

    #[cfg(unix)]
    #[test]
    fn programs_are_found_in_path_or_by_path_and_must_be_executable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let prog = bin.join("fake-sendmail");
        std::fs::write(&prog, "#!/bin/sh\n").unwrap();
        let plain = bin.join("plain");
        std::fs::write(&plain, "").unwrap();
        std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
        let path = std::env::join_paths([dir.path().join("none"), bin.clone()]).unwrap();
        assert_eq!(find_program("fake-sendmail", Some(&path)).unwrap(), prog);
        let e = find_program("plain", Some(&path)).unwrap_err();
        assert!(
            e.contains("`plain` is not an executable file in any folder of PATH"),
            "{e}"
        );
        assert!(find_program("fake-sendmail", None).is_err());
        let by_path = prog.to_str().unwrap();
        assert_eq!(find_program(by_path, None).unwrap(), prog);
        let e = find_program(plain.to_str().unwrap(), Some(&path)).unwrap_err();
        assert!(e.contains("is not an executable file"), "{e}");
        let missing = bin.join("missing");
        let e = find_program(missing.to_str().unwrap(), Some(&path)).unwrap_err();
        assert!(e.contains("missing`: no such file"), "{e}");
    }

    #[test]
    fn a_writable_folder_passes_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        probe_writable(dir.path()).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let e = probe_writable(&file).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("expected a writable folder"), "{e}");
        let e = probe_writable(&dir.path().join("missing")).unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
    }

    /// A ledger with a sent reminder and an unconfirmed agenda-vote.
    const LEDGER: &str = r#"version = 1
since = "2026-11-01T00:00:00Z"

[[message]]
uid = "s@x"
original = "2026-11-26T16:00:00Z"
step = "reminder"
to = "list@example.org"
state = "sent"
message-id = "aa11.reminder.20261126@example.org"
due = "2026-11-23T16:00:00Z"
summit-start = "2026-11-26T16:00:00Z"
summit-end = "2026-11-26T18:00:00Z"
summary = "Developer Summit"
intent-at = "2026-11-23T16:00:00Z"
sent-at = "2026-11-23T16:00:01Z"
attempts = 1

[[message]]
uid = "s@x"
original = "2026-11-26T16:00:00Z"
step = "agenda-vote"
to = "team@example.org"
state = "intent"
message-id = "bb22.agenda-vote.20261126@example.org"
due = "2026-11-24T16:00:00Z"
summit-start = "2026-11-26T16:00:00Z"
summit-end = "2026-11-26T18:00:00Z"
summary = "Developer Summit"
intent-at = "2026-11-24T16:00:00Z"
attempts = 1
"#;

    #[test]
    fn ledger_summary_counts_states() {
        assert_eq!(ledger_summary(&Ledger::default()), "0 message(s)");
        let ledger = Ledger::from_toml(LEDGER).unwrap();
        assert_eq!(ledger_summary(&ledger), "2 message(s): 1 intent, 1 sent");
    }

    #[test]
    fn an_intent_fails_the_ledger_check_with_the_settle_hint() {
        let dir = tempfile::tempdir().unwrap();
        let o = check_ledger(dir.path());
        assert_eq!(o.status, Status::Ok);
        assert!(
            o.detail.ends_with("none yet (the first tick starts it)"),
            "{}",
            o.detail
        );
        std::fs::write(dir.path().join(ledger::FILE), LEDGER).unwrap();
        let o = check_ledger(dir.path());
        assert_eq!(o.status, Status::Fail);
        assert!(
            o.detail.ends_with(
                "2 message(s): 1 intent, 1 sent; unconfirmed: the agenda-vote of the summit on 2026-11-26 to team@example.org (Message-ID <bb22.agenda-vote.20261126@example.org>); see `summit ledger list --state intent`"
            ),
            "{}",
            o.detail
        );
        assert_eq!(o.errors.len(), 1);
        let e = o.errors[0].to_string();
        assert!(
            e.contains("`summit ledger mark-sent bb22.agenda-vote.20261126@example.org`"),
            "{e}"
        );
        assert_eq!(o.errors[0].exit_code(), 1);
        std::fs::write(dir.path().join(ledger::FILE), "version = 99\n").unwrap();
        let o = check_ledger(dir.path());
        assert_eq!(o.status, Status::Fail);
        assert_eq!(o.errors[0].exit_code(), 1);
    }

    #[test]
    fn folders_of_bare_names_are_the_working_directory() {
        assert_eq!(folder_of(Path::new("record.toml")), Path::new("."));
        assert_eq!(folder_of(Path::new("/a/record.toml")), Path::new("/a"));
    }
}
