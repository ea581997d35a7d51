//! The checks of where `tick` writes and sends: the state directory, the ledger, the
//! mail transport.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::Outcome;
use crate::cli::session::Session;
use crate::config::{MailConfig, Security, Smtp, Transport};
use crate::error::{Error, Result};
use crate::ledger::{self, Ledger};
use crate::model::State;
use crate::send::delivery::{self, Notice};
use crate::send::transport::{self, SmtpTransport};
use crate::store::{self, Lock};

/// The state directory: there or created, writable, its lock free (taken and
/// released at once, after waiting up to [`CHECK_LOCK_WAIT`] for a running `tick`).
/// Returns it when usable.
pub(super) fn check_state(session: &Session) -> (Outcome, Option<PathBuf>) {
    const CHECK: &str = "state";
    let dir = match session.state_dir() {
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

/// How long `check` waits for a running `tick` or `send` to release the state lock:
/// long enough for a tick that sends a few messages, short enough that a person
/// running `check` is not left waiting on a stuck one (tick waits five minutes).
const CHECK_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The send ledger in `dir`: it parses, and no message is unconfirmed (an intent: `tick`
/// stops on it until it is settled).
pub(super) fn check_ledger(dir: &Path) -> Outcome {
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
pub(super) fn ledger_summary(ledger: &Ledger) -> String {
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
pub(super) fn check_transport(mail: &MailConfig, connect: bool) -> Outcome {
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
pub(super) fn check_smtp(smtp: &Smtp, connect: bool) -> Outcome {
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
pub(super) fn find_program(
    program: &str,
    path: Option<&OsStr>,
) -> std::result::Result<PathBuf, String> {
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
pub(super) fn probe_writable(dir: &Path) -> Result<()> {
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
pub(super) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}
