//! The SMTP password: from an environment variable, or printed by a command run with a
//! deadline.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::config::Smtp;
use crate::error::{Error, Result};

use super::process::{Stopped, run_in_group};

/// The SMTP password: the value of the environment variable `password-env`, or the
/// standard output of `password-command` (run by `sh -c` in a process group of its
/// own, one trailing newline removed, killed with its whole group when it takes longer
/// than `password-command-timeout`); `None` without a username. It is never written
/// anywhere.
///
/// # Errors
/// [`Error::Delivery`] when the variable is unset or empty, or the command fails, times
/// out (`timed out after N s`), or prints nothing.
pub fn password(smtp: &Smtp) -> Result<Option<String>> {
    password_with(smtp, Stdio::inherit)
}

/// [`password`] with the command's standard error discarded, for `summit check`, which
/// shows nothing a password command prints.
///
/// # Errors
/// As [`password`].
pub fn password_quietly(smtp: &Smtp) -> Result<Option<String>> {
    password_with(smtp, Stdio::null)
}

/// [`password`], with `stderr` for the command's standard error.
fn password_with(smtp: &Smtp, stderr: fn() -> Stdio) -> Result<Option<String>> {
    if smtp.username.is_none() {
        return Ok(None);
    }
    if let Some(var) = &smtp.password_env {
        return match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Some(v)),
            _ => Err(Error::Delivery(format!(
                "mail.smtp.password-env: the environment variable `{var}` is not set, expected the SMTP password in it"
            ))),
        };
    }
    if let Some(cmd) = &smtp.password_command {
        let (status, stdout) = run_with_deadline(cmd, smtp.password_command_timeout, stderr)?;
        if !status.success() {
            return Err(Error::Delivery(format!(
                "mail.smtp.password-command `{cmd}` failed ({status}), expected it to print the SMTP password"
            )));
        }
        let mut text = String::from_utf8(stdout).map_err(|_| {
            Error::Delivery(format!(
                "mail.smtp.password-command `{cmd}` printed bytes that are not UTF-8"
            ))
        })?;
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        if text.is_empty() {
            return Err(Error::Delivery(format!(
                "mail.smtp.password-command `{cmd}` printed nothing, expected the SMTP password"
            )));
        }
        return Ok(Some(text));
    }
    Ok(None)
}

/// Runs `cmd` by `sh -c` in a process group of its own and returns its exit status and
/// standard output (at most [`super::process::MAX_OUTPUT`] bytes), or kills the whole group once
/// `timeout` has passed (see [`run_in_group`]).
fn run_with_deadline(
    cmd: &str,
    timeout: Duration,
    stderr: fn() -> Stdio,
) -> Result<(std::process::ExitStatus, Vec<u8>)> {
    let mut command = Command::new("sh");
    command.arg("-c").arg(cmd).stderr(stderr());
    match run_in_group(command, None, false, timeout) {
        Ok(done) => Ok((done.status, done.stdout)),
        Err(Stopped::TimedOut { .. }) => Err(Error::Delivery(format!(
            "mail.smtp.password-command `{cmd}` timed out after {} s and was stopped, expected the SMTP password within mail.smtp.password-command-timeout",
            timeout.as_secs()
        ))),
        Err(Stopped::Failed(e)) => Err(Error::Delivery(format!(
            "mail.smtp.password-command `{cmd}` cannot be run: {e}"
        ))),
    }
}
