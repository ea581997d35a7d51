//! `mail.transport = "sendmail"`: the local mail submission program.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use lettre::Message;

use crate::error::Error;

use super::process::{Stopped, run_in_group};
use super::{Failed, Outcome, Transport};

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

/// The sendmail program for `summit check`: there and executable (not run); `note`
/// ends the line.
pub(super) fn check(program: &str, note: &str) -> std::result::Result<String, Failed> {
    match find_program(program, std::env::var_os("PATH").as_deref()) {
        Ok(p) => Ok(format!(
            "sendmail: `{program}` is {}, executable (not run){note}",
            p.display()
        )),
        Err(message) => Err(Error::Delivery(message).into()),
    }
}

/// The program `sendmail` names, as `Command::new` finds it: a name with a `/` as a
/// path (relative to the working directory), else the first executable file of that
/// name in the folders of `path` (the `PATH` variable).
///
/// # Errors
/// A message naming the program when it is missing or not executable.
pub fn find_program(program: &str, path: Option<&OsStr>) -> std::result::Result<PathBuf, String> {
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
