//! `summit who --me`: your own upcoming turns, your address from `--member` or else
//! `git config user.email`.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono_tz::Tz;

use super::who::{print_rota, rota_entries};
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::values::MAX_COUNT;
use crate::error::{Error, Result};
use crate::model::{Email, Member};

/// How long `git config user.email` may take.
const GIT_WAIT: Duration = Duration::from_secs(5);

/// `summit who --me`: the next `count` summits whose facilitator is `member` (else the
/// address `git config user.email` gives), as `who` shows them.
///
/// # Errors
/// [`Error::Usage`] when there is no address, or it is not on the roster; as `who`.
pub(super) fn run(
    session: &Session,
    count: usize,
    member: Option<&str>,
    tz: Option<Tz>,
    printer: &mut Printer,
) -> Result<()> {
    let config = session.config_file()?;
    let roster = config.members()?;
    let address = match member {
        Some(m) => m.trim().to_string(),
        None => git_email()?,
    };
    let me = on_roster(roster, &address)?.clone();
    // Enough summits for `count` turns of each member, and some for those away.
    let scan = count
        .saturating_mul(roster.len() + 1)
        .saturating_add(roster.len())
        .min(MAX_COUNT);
    let (inputs, plan) = rota_entries(session, scan, true)?;
    let mine: Vec<_> = plan
        .into_iter()
        .filter(|(p, _)| {
            p.facilitator
                .as_ref()
                .is_some_and(|f| Email::same(&f.email, &me.email))
        })
        .take(count)
        .collect();
    if mine.is_empty() && !printer.json() {
        return printer.line(format_args!(
            "{} <{}> facilitates none of the next {scan} summits",
            me.name, me.email
        ));
    }
    print_rota(session, &mine, &inputs, tz, printer)
}

/// The member of `roster` whose address is `address`.
///
/// # Errors
/// [`Error::Usage`] naming the roster's addresses when none is.
fn on_roster<'a>(roster: &'a [Member], address: &str) -> Result<&'a Member> {
    roster
        .iter()
        .find(|m| Email::same(&m.email, address))
        .ok_or_else(|| {
            let all: Vec<String> = roster.iter().map(|m| format!("`{}`", m.email)).collect();
            Error::Usage(format!(
                "`{address}` is not on the roster (rotation.members), expected one of {}",
                all.join(", ")
            ))
        })
}

/// `git config user.email`, run without a shell, given [`GIT_WAIT`].
///
/// # Errors
/// [`Error::Usage`] saying to pass `--member` when git is missing, fails, has no
/// `user.email` or does not answer in time.
fn git_email() -> Result<String> {
    let hint = "pass `--member EMAIL`";
    let mut child = Command::new("git")
        .args(["config", "--get", "user.email"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            Error::Usage(if e.kind() == std::io::ErrorKind::NotFound {
                format!("`git` is not installed (not on PATH), so your address is unknown: {hint}")
            } else {
                format!("cannot run `git config user.email` to find your address ({e}): {hint}")
            })
        })?;
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() < GIT_WAIT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Usage(format!(
                    "`git config user.email` did not answer within {} s: {hint}",
                    GIT_WAIT.as_secs()
                )));
            }
        }
    };
    let mut out = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.by_ref().take(4096).read_to_string(&mut out);
    }
    let email = out.trim();
    if !status.success() || email.is_empty() {
        return Err(Error::Usage(format!(
            "git has no user.email, so your address is unknown: {hint} (or set `git config user.email ADDRESS`)"
        )));
    }
    Ok(email.to_string())
}
