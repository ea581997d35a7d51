//! Delivering built messages: SMTP, the local `sendmail`, or `.eml` files in an outbox
//! folder, all through `lettre`.
//!
//! Each delivery answers with an [`Outcome`] that tells the ledger whether the message
//! certainly left, certainly did not, or may have. For SMTP that is decided by the phase
//! of the conversation that failed: until the final `.` of DATA the server cannot have
//! accepted the message, and a negative reply after it is a refusal; only a broken
//! connection or a timeout while waiting for that last reply leaves the outcome unknown.
//!
//! Every wait has a deadline: the password command is killed, with its whole process
//! group, after `mail.smtp.password-command-timeout`; one SMTP conversation (connect,
//! TLS, AUTH, one message) is abandoned after `mail.smtp.timeout`, however slowly the
//! server keeps talking; `sendmail` is killed with its group after
//! `mail.sendmail-timeout`.
//!
//! | file | what it holds |
//! |---|---|
//! | `smtp.rs` | [`SmtpTransport`] |
//! | `sendmail.rs` | [`Sendmail`] |
//! | `outbox.rs` | [`Outbox`] |
//! | `password.rs` | [`password`]: the SMTP password |
//! | `process.rs` | a command run with a deadline in a process group of its own |

mod outbox;
mod password;
pub(crate) mod process;
mod sendmail;
mod smtp;
#[cfg(test)]
mod tests;

use lettre::Message;

use crate::config::{MailConfig, Transport as TransportKind};
use crate::error::{Error, Result};

pub use outbox::Outbox;
pub use password::{password, password_quietly};
pub use sendmail::{Sendmail, find_program};
pub use smtp::{SmtpTransport, Tls};

/// What became of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The transport accepted it.
    Sent,
    /// The transport certainly did not take it. `fatal` when the transport itself is
    /// unusable (cannot connect, TLS or AUTH failed), so the next messages would fail too.
    NotSent {
        /// Why, for people.
        reason: String,
        /// Whether to stop trying the other messages of this run.
        fatal: bool,
    },
    /// It may or may not have been delivered.
    Unknown(String),
}

/// A way to deliver messages. Each transport is a file of this folder implementing it,
/// chosen by [`open`]; [`crate::mail`] builds the [`Message`] and never names one.
pub trait Transport {
    /// Hands `message` over and says what became of it: [`Outcome::Unknown`] only when
    /// it may have left (the exactly-once protocol then never resends it by itself).
    fn deliver(&mut self, message: &Message) -> Outcome;
}

/// The transport `mail.transport` names, with the SMTP `password` read beforehand by
/// [`password`] (before the state directory's lock is taken, so a slow password command
/// never holds it).
///
/// # Errors
/// [`crate::Error::Mail`] when TLS cannot be set up.
pub fn open(mail: &MailConfig, password: Option<String>) -> Result<Box<dyn Transport>> {
    Ok(match mail.transport {
        TransportKind::Smtp => Box::new(SmtpTransport::new(&mail.smtp, password)?),
        TransportKind::Sendmail => {
            Box::new(Sendmail::new(mail.sendmail.clone(), mail.sendmail_timeout))
        }
        TransportKind::File => Box::new(Outbox::new(mail.outbox.clone())),
    })
}

/// Why [`check`] finds the transport unusable: the error, and the line `summit check`
/// shows for it when that is not the error itself.
#[derive(Debug)]
pub struct Failed {
    /// The line to show, when not the error's own text.
    pub detail: Option<String>,
    /// What is wrong.
    pub error: Error,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Failed {
        Failed {
            detail: None,
            error,
        }
    }
}

/// What `summit check` says of the configured transport, without sending anything: the
/// outbox writable (created when missing), the sendmail program there and executable
/// (not run), or the SMTP password at hand and TLS possible (with `connect`, a session
/// to the server: TLS, EHLO, AUTH, QUIT). `Ok` is the line to show.
///
/// # Errors
/// [`Failed`] naming what is wrong.
pub fn check(mail: &MailConfig, connect: bool) -> std::result::Result<String, Failed> {
    let smtp_only = if connect {
        " (--connect makes no connection for this transport)"
    } else {
        ""
    };
    match mail.transport {
        TransportKind::File => outbox::check(&mail.outbox, smtp_only),
        TransportKind::Sendmail => sendmail::check(&mail.sendmail, smtp_only),
        TransportKind::Smtp => smtp::check(&mail.smtp, connect),
    }
}
