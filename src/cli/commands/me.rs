//! Who asks `summit who --me`: the roster member of `--member`, or else of
//! `git config user.email` (run without a shell, given a few seconds).

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::cli::values::MAX_COUNT;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Email, Member};
use crate::send::transport::process::{Stopped, run_in_group};

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
    let mut git = Command::new("git");
    git.args(["config", "--get", "user.email"])
        .stderr(Stdio::null());
    // Its own process group, killed whole after GIT_WAIT; its output bounded.
    let done = run_in_group(git, None, false, GIT_WAIT).map_err(|e| {
        Error::Usage(match e {
            Stopped::Failed(e) if e.kind() == std::io::ErrorKind::NotFound => {
                format!("`git` is not installed (not on PATH), so your address is unknown: {hint}")
            }
            Stopped::Failed(e) => {
                format!("cannot run `git config user.email` to find your address ({e}): {hint}")
            }
            Stopped::TimedOut { .. } => format!(
                "`git config user.email` did not answer within {} s: {hint}",
                GIT_WAIT.as_secs()
            ),
        })
    })?;
    let (status, out) = (
        done.status,
        String::from_utf8_lossy(&done.stdout).into_owned(),
    );
    let email = out.trim();
    if !status.success() || email.is_empty() {
        return Err(Error::Usage(format!(
            "git has no user.email, so your address is unknown: {hint} (or set `git config user.email ADDRESS`)"
        )));
    }
    Ok(email.to_string())
}
