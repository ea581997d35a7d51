//! Who asks `summit who --me`: the roster member of `--member`, or else of
//! `git config user.email` (run without a shell, given a few seconds).

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli::values::MAX_COUNT;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Email, Member};

/// How long `git config user.email` may take.
const GIT_WAIT: Duration = Duration::from_secs(5);

/// The member of the roster of `config` who asks `who --me`: the one whose address is
/// `member`, else the one `git config user.email` gives; with how many summits to walk
/// to find `count` turns of theirs.
///
/// # Errors
/// [`Error::Usage`] when there is no address, or it is not on the roster.
pub(super) fn whoami(
    config: &Config,
    member: Option<&str>,
    count: usize,
) -> Result<(Member, usize)> {
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
    Ok((me, scan))
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
