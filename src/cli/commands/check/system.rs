//! The checks of where `tick` writes and sends: the state directory, the ledger, the
//! mail transport.

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::cli::session::Session;
use crate::config::MailConfig;
use crate::error::Error;
use crate::ledger::{self, Ledger};
use crate::model::State;
use crate::send::transport::{self, Failed};
use crate::send::{self, Notice};
use crate::store::{self, Lock};

/// The mail transport, as [`transport::check`] finds it without sending.
pub(super) fn check_transport(mail: &MailConfig, connect: bool) -> Outcome {
    const CHECK: &str = "transport";
    match transport::check(mail, connect) {
        Ok(detail) => Outcome::ok(CHECK, detail),
        Err(Failed {
            detail: Some(d),
            error,
        }) => Outcome::fail_with(CHECK, d, vec![error]),
        Err(Failed {
            detail: None,
            error,
        }) => Outcome::fail(CHECK, error),
    }
}

/// One channel, as [`send::channel::check`] finds it without posting: its secret at
/// hand and, with `connect`, the server accepting it.
pub(super) fn check_channel(channel: &crate::config::Channel, connect: bool) -> Outcome {
    const CHECK: &str = "channel";
    // Each line names the channel already (`matrix `dev`: …`, `channel `dev`: …`).
    match send::channel::check(channel, connect) {
        Ok(detail) => Outcome::ok(CHECK, detail),
        Err(Failed { detail, error }) => Outcome::fail_with(
            CHECK,
            detail.unwrap_or_else(|| error.to_string()),
            vec![error],
        ),
    }
}

/// The state directory: there or created, writable, its lock free (taken and
/// released at once, after waiting up to [`CHECK_LOCK_WAIT`] for a running `tick`).
/// Returns it when usable.
pub(super) fn check_state(session: &Session) -> (Outcome, Option<PathBuf>) {
    const CHECK: &str = "state";
    let (dir, why) = match session.state_dir_choice() {
        Ok(d) => (d.path().to_path_buf(), d.why()),
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
        store::probe_writable(&dir)?;
        drop(Lock::acquire(&dir, CHECK_LOCK_WAIT)?);
        Ok(())
    })();
    match checked {
        Ok(()) => (
            Outcome::ok(
                CHECK,
                format!(
                    "{}{}: {}writable, lock taken and released",
                    dir.display(),
                    why.map(|w| format!(" ({w})")).unwrap_or_default(),
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
                send::describe(&e.key, &e.announced),
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

/// The folder a file is in (`.` for a bare name).
pub(super) fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}
