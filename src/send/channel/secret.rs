//! A channel's secret: its access token, API key or webhook URL, from an environment
//! variable or printed by a command run with a deadline; never from the configuration
//! file, and never written anywhere.

use std::process::{Command, Stdio};

use crate::config::{Channel, Secret};
use crate::error::{Error, Result};

use super::super::transport::process::{Stopped, run_in_group};

/// The secret of `channel` (`access-token-env`, `webhook-command`, …): the variable's
/// value, or the command's standard output (run by `sh -c` in a process group of its
/// own, one trailing newline removed, killed with its group after its
/// `secret-command-timeout`; its standard error passed on).
///
/// # Errors
/// [`Error::Delivery`] when the variable is unset or empty, or the command fails, times
/// out or prints nothing. The message names the channel and the key, never the secret.
pub fn secret(channel: &Channel) -> Result<String> {
    secret_with(channel, Stdio::inherit)
}

/// [`secret`] with the command's standard error discarded (`summit check`).
///
/// # Errors
/// As [`secret`].
pub fn secret_quietly(channel: &Channel) -> Result<String> {
    secret_with(channel, Stdio::null)
}

fn secret_with(channel: &Channel, stderr: fn() -> Stdio) -> Result<String> {
    let (source, key) = channel.kind.secret();
    let at = format!("channel `{}`", channel.name);
    resolve(source, &at, key, what(key), stderr)
}

/// The secret `source` names: an environment variable's value, or the standard output
/// of a command (run by `sh -c` in a process group of its own, one trailing newline
/// removed, killed with its group after its timeout; its standard error goes to
/// `stderr`). `at` names the table in messages (``channel `x` ``, `agenda.mailbox`),
/// `key` the key without `-env`/`-command`, `what` the secret (`password`).
///
/// # Errors
/// [`Error::Delivery`] when the variable is unset or empty, or the command fails, times
/// out or prints nothing or several lines. The message never holds the secret.
pub fn resolve(
    source: &Secret,
    at: &str,
    key: &str,
    what: &str,
    stderr: fn() -> Stdio,
) -> Result<String> {
    match source {
        Secret::Env(var) => match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            _ => Err(Error::Delivery(format!(
                "{at}: {key}-env: the environment variable `{var}` is not set, expected the {what} in it"
            ))),
        },
        Secret::Command { command, timeout } => {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg(command).stderr(stderr());
            let done = run_in_group(cmd, None, false, *timeout).map_err(|e| match e {
                Stopped::TimedOut { .. } => Error::Delivery(format!(
                    "{at}: {key}-command `{command}` timed out after {} s and was stopped, expected the {what} within {}",
                    timeout.as_secs(),
                    if at.starts_with("channel") {
                        "secret-command-timeout".to_string()
                    } else {
                        format!("{at}.{key}-command-timeout")
                    }
                )),
                Stopped::Failed(e) => {
                    Error::Delivery(format!("{at}: {key}-command `{command}` cannot be run: {e}"))
                }
            })?;
            if !done.status.success() {
                return Err(Error::Delivery(format!(
                    "{at}: {key}-command `{command}` failed ({}), expected it to print the {what}",
                    done.status,
                )));
            }
            let text = String::from_utf8(done.stdout).map_err(|_| {
                Error::Delivery(format!(
                    "{at}: {key}-command `{command}` printed bytes that are not UTF-8"
                ))
            })?;
            let text = text.trim();
            if text.is_empty() || text.contains(['\n', '\r']) {
                return Err(Error::Delivery(format!(
                    "{at}: {key}-command `{command}` printed {}, expected the {what} on one line",
                    if text.is_empty() {
                        "nothing"
                    } else {
                        "several lines"
                    },
                )));
            }
            Ok(text.to_string())
        }
    }
}

/// What the secret under `key` is, for messages.
fn what(key: &str) -> &'static str {
    match key {
        "webhook" => "webhook URL",
        "api-key" => "API key",
        _ => "access token",
    }
}
