//! Delivering built messages: SMTP, the local `sendmail`, or `.eml` files in an outbox
//! folder, all through `lettre`.
//!
//! Each delivery answers with an [`Outcome`] that tells the ledger whether the message
//! certainly left, certainly did not, or may have. For SMTP that is decided by the phase
//! of the conversation that failed: until the final `.` of DATA the server cannot have
//! accepted the message, and a negative reply after it is a refusal; only a broken
//! connection or a timeout while waiting for that last reply leaves the outcome unknown.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::{Address, Message, SendmailTransport, Transport as _};

use crate::config::{MailConfig, Security, Smtp, Transport as TransportKind, is_loopback};
use crate::error::{Error, Result};
use crate::state::write_atomically;

/// How long to wait for the SMTP server at each step.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

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

/// A way to deliver messages.
pub trait Transport {
    /// Hands `message` over.
    fn deliver(&mut self, message: &Message) -> Outcome;
}

/// The transport `mail.transport` names. For SMTP with AUTH, the password is read now
/// (from `mail.smtp.password-env` or `mail.smtp.password-command`), so a missing one
/// stops the run before anything is recorded.
///
/// # Errors
/// [`Error::Delivery`] when the password cannot be had, [`Error::Mail`] when TLS cannot
/// be set up.
pub fn open(mail: &MailConfig) -> Result<Box<dyn Transport>> {
    Ok(match mail.transport {
        TransportKind::Smtp => Box::new(SmtpTransport::new(&mail.smtp, password(&mail.smtp)?)?),
        TransportKind::Sendmail => Box::new(SendmailTransport::new_with_command(&mail.sendmail)),
        TransportKind::File => Box::new(Outbox {
            dir: mail.outbox.clone(),
        }),
    })
}

// ---- the password ----

/// The SMTP password: the value of the environment variable `password-env`, or the
/// standard output of `password-command` (run by `sh -c`, one trailing newline
/// removed); `None` without a username. It is never written anywhere.
///
/// # Errors
/// [`Error::Delivery`] when the variable is unset or empty, or the command fails or
/// prints nothing.
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
        let out = Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .stdin(Stdio::null())
            .stderr(stderr())
            .output()
            .map_err(|e| {
                Error::Delivery(format!(
                    "mail.smtp.password-command `{cmd}` cannot be run: {e}"
                ))
            })?;
        if !out.status.success() {
            return Err(Error::Delivery(format!(
                "mail.smtp.password-command `{cmd}` failed ({}), expected it to print the SMTP password",
                out.status
            )));
        }
        let mut text = String::from_utf8(out.stdout).map_err(|_| {
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

// ---- SMTP ----

/// How the SMTP connection is secured.
#[derive(Clone)]
pub enum Tls {
    /// TLS from the first byte (`security = "tls"`, SMTPS).
    Wrapper(TlsParameters),
    /// STARTTLS, required (`security = "starttls"`).
    Starttls(TlsParameters),
    /// None (`security = "none"`, loopback only).
    None,
}

/// SMTP through `lettre`'s connection, one connection per message.
pub struct SmtpTransport {
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tls::Wrapper(p) => write!(f, "Wrapper({})", p.domain()),
            Tls::Starttls(p) => write!(f, "Starttls({})", p.domain()),
            Tls::None => f.write_str("None"),
        }
    }
}

impl std::fmt::Debug for SmtpTransport {
    /// Never shows the credentials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("auth", &self.credentials.is_some())
            .finish()
    }
}

impl SmtpTransport {
    /// The transport for `[mail.smtp]` with `password` (for AUTH as `username`).
    ///
    /// # Errors
    /// [`Error::Mail`] when TLS cannot be set up, or when `security = "none"` names a
    /// host that is not loopback.
    pub fn new(smtp: &Smtp, password: Option<String>) -> Result<Self> {
        let tls_for = |host: &str| {
            TlsParameters::new_rustls(host.to_string())
                .map_err(|e| Error::Mail(format!("cannot set up TLS for `{host}`: {e}")))
        };
        let tls = match smtp.security {
            Security::Tls => Tls::Wrapper(tls_for(&smtp.host)?),
            Security::Starttls => Tls::Starttls(tls_for(&smtp.host)?),
            Security::None if is_loopback(&smtp.host) => Tls::None,
            Security::None => {
                return Err(Error::Mail(format!(
                    "mail.smtp.security `none` with host `{}`: unencrypted SMTP is allowed only to a loopback host",
                    smtp.host
                )));
            }
        };
        Ok(SmtpTransport {
            host: smtp.host.clone(),
            port: smtp.port,
            tls,
            credentials: smtp
                .username
                .clone()
                .zip(password)
                .map(|(u, p)| Credentials::new(u, p)),
        })
    }

    /// The TLS mode.
    pub fn tls(&self) -> &Tls {
        &self.tls
    }

    /// Whether it authenticates.
    pub fn authenticates(&self) -> bool {
        self.credentials.is_some()
    }

    /// `host:port`, as messages name the server.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Opens a connection exactly as a delivery does (TCP, TLS per `security`, EHLO,
    /// AUTH when configured) and closes it with QUIT, sending no mail: what
    /// `summit check --connect` tries. Returns the name the server gave in its greeting
    /// and whether the connection was encrypted.
    ///
    /// # Errors
    /// Why connecting, TLS, AUTH or QUIT failed, on one line naming `host:port`.
    pub fn probe(&self) -> std::result::Result<(String, bool), String> {
        let mut conn = self.connect()?;
        let name = conn.server_info().name().to_string();
        let encrypted = conn.is_encrypted();
        conn.quit()
            .map_err(|e| format!("{} did not accept QUIT: {}", self.address(), lower(&e)))?;
        Ok((name, encrypted))
    }

    fn connect(&self) -> std::result::Result<SmtpConnection, String> {
        let at = format!("{}:{}", self.host, self.port);
        let hello = ClientId::default();
        let wrapper = match &self.tls {
            Tls::Wrapper(p) => Some(p),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(SMTP_TIMEOUT),
            &hello,
            wrapper,
            None,
        )
        .map_err(|e| format!("cannot connect to {at}: {}", lower(&e)))?;
        if let Tls::Starttls(params) = &self.tls {
            if !conn.can_starttls() {
                conn.abort();
                return Err(format!(
                    "{at} does not offer STARTTLS; with mail.smtp.security = `starttls` nothing is sent unencrypted"
                ));
            }
            conn.starttls(params, &hello)
                .map_err(|e| format!("STARTTLS with {at} failed: {}", lower(&e)))?;
        }
        if let Some(creds) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], creds)
                .map_err(|e| {
                    format!(
                        "{at} refused to authenticate the configured username: {}",
                        lower(&e)
                    )
                })?;
        }
        Ok(conn)
    }
}

impl Transport for SmtpTransport {
    fn deliver(&mut self, message: &Message) -> Outcome {
        let mut conn = match self.connect() {
            Ok(c) => c,
            Err(reason) => {
                return Outcome::NotSent {
                    reason,
                    fatal: true,
                };
            }
        };
        let outcome = transaction(&mut conn, message.envelope(), &message.formatted());
        if matches!(outcome, Outcome::Sent) {
            let _ = conn.quit();
        } else {
            conn.abort();
        }
        outcome
    }
}

/// MAIL, RCPT, DATA and the message on an open connection. Everything before the final
/// `.` that fails leaves the message undelivered; after it, only a reply tells.
fn transaction(conn: &mut SmtpConnection, envelope: &Envelope, email: &[u8]) -> Outcome {
    let not_sent = |reason: String| Outcome::NotSent {
        reason,
        fatal: false,
    };
    let mut options = Vec::new();
    let non_ascii = envelope
        .from()
        .into_iter()
        .chain(envelope.to())
        .any(|a: &Address| !a.to_string().is_ascii());
    if non_ascii {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return not_sent(
                "an address is not ASCII and the server does not support SMTPUTF8".into(),
            );
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !email.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return not_sent(
                "the message is 8-bit and the server does not support 8BITMIME".into(),
            );
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    if let Err(e) = conn.command(Mail::new(envelope.from().cloned(), options)) {
        return not_sent(format!("the server refused the sender: {}", lower(&e)));
    }
    for to in envelope.to() {
        if let Err(e) = conn.command(Rcpt::new(to.clone(), vec![])) {
            return not_sent(format!("the server refused `{to}`: {}", lower(&e)));
        }
    }
    if let Err(e) = conn.command(Data) {
        return not_sent(format!("the server refused DATA: {}", lower(&e)));
    }
    match conn.message(email) {
        Ok(_) => Outcome::Sent,
        Err(e) if e.is_permanent() || e.is_transient() => {
            not_sent(format!("the server refused the message: {}", lower(&e)))
        }
        Err(e) => Outcome::Unknown(format!(
            "the connection failed while the server was confirming the message: {}",
            lower(&e)
        )),
    }
}

/// An error's text with its first letter lowercase.
fn lower(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => s,
    }
}

// ---- sendmail ----

impl Transport for SendmailTransport {
    fn deliver(&mut self, message: &Message) -> Outcome {
        match self.send(message) {
            Ok(()) => Outcome::Sent,
            Err(e) => Outcome::NotSent {
                reason: format!("sendmail failed: {}", lower(&e).trim()),
                fatal: false,
            },
        }
    }
}

// ---- outbox folder ----

/// `mail.transport = "file"`: each message becomes `OUTBOX/NAME.eml`, written
/// atomically, where NAME is stable: the same message always gets the same file.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    /// The file `message_id` is written to in `dir`: `DATE-KIND-HASH.eml` for the
    /// Message-IDs of [`crate::mail::message_id`].
    pub fn path(dir: &Path, message_id: &str) -> PathBuf {
        let local = message_id.split('@').next().unwrap_or(message_id);
        let parts: Vec<&str> = local.split('.').collect();
        let stem = match parts.as_slice() {
            [hash, kind, date] => format!("{date}-{kind}-{hash}"),
            _ => local.to_string(),
        };
        let safe: String = stem
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        dir.join(format!("{safe}.eml"))
    }
}

impl Transport for Outbox {
    fn deliver(&mut self, message: &Message) -> Outcome {
        let id = message
            .headers()
            .get_raw("Message-ID")
            .unwrap_or("message")
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string();
        let path = Outbox::path(&self.dir, &id);
        let written = std::fs::create_dir_all(&self.dir)
            .map_err(|e| Error::io(&self.dir, e))
            .and_then(|()| write_atomically(&path, &message.formatted()));
        match written {
            Ok(()) => Outcome::Sent,
            Err(e) => Outcome::NotSent {
                reason: e.to_string(),
                fatal: true,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(security: Security, host: &str) -> Smtp {
        Smtp {
            host: host.into(),
            port: 2525,
            security,
            username: None,
            password_env: None,
            password_command: None,
        }
    }

    #[test]
    fn tls_modes_follow_security() {
        let t = SmtpTransport::new(&smtp(Security::Tls, "smtp.example.org"), None).unwrap();
        assert!(matches!(t.tls(), Tls::Wrapper(p) if p.domain() == "smtp.example.org"));
        let t = SmtpTransport::new(&smtp(Security::Starttls, "smtp.example.org"), None).unwrap();
        assert!(matches!(t.tls(), Tls::Starttls(p) if p.domain() == "smtp.example.org"));
        let t = SmtpTransport::new(&smtp(Security::None, "127.0.0.1"), None).unwrap();
        assert!(matches!(t.tls(), Tls::None));
        let t = SmtpTransport::new(&smtp(Security::None, "localhost"), None).unwrap();
        assert!(matches!(t.tls(), Tls::None));
        let e = SmtpTransport::new(&smtp(Security::None, "smtp.example.org"), None).unwrap_err();
        assert!(e.to_string().contains("loopback"), "{e}");
    }

    #[test]
    fn credentials_need_a_username_and_are_never_shown() {
        let mut s = smtp(Security::Tls, "smtp.example.org");
        s.username = Some("bot".into());
        let t = SmtpTransport::new(&s, Some("hunter2-secret".into())).unwrap();
        assert!(t.authenticates());
        assert!(!format!("{t:?}").contains("hunter2"), "{t:?}");
        s.username = None;
        let t = SmtpTransport::new(&s, Some("x".into())).unwrap();
        assert!(!t.authenticates());
    }

    #[test]
    fn password_from_env_or_command() {
        let mut s = smtp(Security::Tls, "smtp.example.org");
        assert_eq!(password(&s).unwrap(), None, "no username, no password");
        s.username = Some("bot".into());
        s.password_command = Some("printf 's3cret\\n'".into());
        assert_eq!(password(&s).unwrap().as_deref(), Some("s3cret"));
        s.password_command = Some("echo oops >&2; exit 3".into());
        let e = password(&s).unwrap_err().to_string();
        assert!(
            e.contains("password-command") && e.contains("failed"),
            "{e}"
        );
        s.password_command = Some("true".into());
        let e = password(&s).unwrap_err().to_string();
        assert!(e.contains("printed nothing"), "{e}");
        s.password_command = None;
        s.password_env = Some("SUMMIT_TEST_SURELY_UNSET_PASSWORD_VAR".into());
        let e = password(&s).unwrap_err();
        assert!(
            e.to_string()
                .contains("`SUMMIT_TEST_SURELY_UNSET_PASSWORD_VAR` is not set"),
            "{e}"
        );
        assert_eq!(e.exit_code(), 1);
        // The variable's value is read from the environment (PATH is always set).
        s.password_env = Some("PATH".into());
        assert_eq!(password(&s).unwrap(), std::env::var("PATH").ok());
    }

    #[test]
    fn outbox_names_are_stable() {
        let dir = Path::new("/out");
        assert_eq!(
            Outbox::path(dir, "0a1b2c.reminder.20261126@example.org"),
            PathBuf::from("/out/20261126-reminder-0a1b2c.eml")
        );
        assert_eq!(
            Outbox::path(dir, "weird/../id@x"),
            PathBuf::from("/out/-id--weird-.eml")
        );
        assert_eq!(Outbox::path(dir, "a/b@x"), PathBuf::from("/out/a-b.eml"));
    }
}
