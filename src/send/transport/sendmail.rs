//! `mail.transport = "sendmail"`: the local mail submission program.

use std::process::Command;
use std::time::Duration;

use lettre::Message;

use super::process::{Stopped, run_in_group};
use super::{Outcome, Transport};

/// `mail.transport = "sendmail"`: `SENDMAIL -i -f FROM -- RECIPIENTS` with the message
/// on its standard input (as `lettre`'s `SendmailTransport` runs it), in a process
/// group of its own, killed with its group after `mail.sendmail-timeout`.
#[derive(Debug)]
pub struct Sendmail {
    command: String,
    timeout: Duration,
}

impl Sendmail {
    /// Runs `command` (looked up in `PATH` when it has no slash), stopping it after
    /// `timeout`.
    pub fn new(command: String, timeout: Duration) -> Self {
        Sendmail { command, timeout }
    }
}

impl Transport for Sendmail {
    /// Sent when it exits 0; not sent when it fails; unknown when it is stopped at its
    /// deadline after taking the whole message, as it may have queued it.
    fn deliver(&mut self, message: &Message) -> Outcome {
        let envelope = message.envelope();
        let mut command = Command::new(&self.command);
        command.arg("-i");
        if let Some(from) = envelope.from() {
            command.arg("-f").arg(from);
        }
        command.arg("--").args(envelope.to());
        match run_in_group(command, Some(message.formatted()), true, self.timeout) {
            Ok(done) if done.status.success() => Outcome::Sent,
            Ok(done) => Outcome::NotSent {
                reason: format!(
                    "sendmail failed ({}): {}",
                    done.status,
                    String::from_utf8_lossy(&done.stderr).trim()
                ),
                fatal: false,
            },
            Err(Stopped::Failed(e)) => Outcome::NotSent {
                reason: format!("sendmail `{}` cannot be run: {e}", self.command),
                fatal: true,
            },
            Err(Stopped::TimedOut { input_taken }) => {
                let why = format!(
                    "sendmail timed out after {} s and was stopped",
                    self.timeout.as_secs()
                );
                if input_taken {
                    Outcome::Unknown(why)
                } else {
                    Outcome::NotSent {
                        reason: format!("{why} before it took the whole message"),
                        fatal: true,
                    }
                }
            }
        }
    }
}
