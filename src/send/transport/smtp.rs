//! SMTP through `lettre`'s connection: one connection per message, each conversation
//! within `mail.smtp.timeout`, its outcome decided by the phase that failed (RFC 5321
//! §4.1.1.4: only the reply to the final `.` of DATA accepts the message).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::{Address, Message};

use crate::config::{Security, Smtp};
use crate::error::{Error, Result};
use crate::text::is_loopback;

use super::password::password_quietly;
use super::{Failed, Outcome, Transport};

/// How long to wait for the SMTP server at each step (each read or write), at most;
/// the whole conversation has `mail.smtp.timeout`.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `work` on a thread of its own and waits for it until `timeout` has passed;
/// `None` then, and the thread is left to finish (or to hang) on its own.
fn within<T: Send + 'static>(
    timeout: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> std::result::Result<T, RecvTimeoutError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("smtp".into())
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|_| RecvTimeoutError::Disconnected)?;
    rx.recv_timeout(timeout)
}

/// Where a conversation stands, shared by the thread that talks and the one that waits
/// for it: whether the message may have left is decided under this lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Before the message's data: abandoning now leaves it certainly undelivered.
    Talking,
    /// The data is being sent or confirmed: abandoning now leaves the outcome unknown.
    Committed,
    /// The waiting side gave up before the data: the talking side must not send it.
    Abandoned,
}

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

/// SMTP through `lettre`'s connection, one connection per message, each within
/// `mail.smtp.timeout`.
#[derive(Clone)]
pub struct SmtpTransport {
    /// The host name or IP address, without the brackets of an IPv6 literal.
    host: String,
    port: u16,
    tls: Tls,
    credentials: Option<Credentials>,
    timeout: Duration,
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
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl SmtpTransport {
    /// The transport for `[mail.smtp]` with `password` (for AUTH as `username`). An
    /// IPv6 address may be given with or without brackets (`::1`, `[::1]`).
    ///
    /// # Errors
    /// [`Error::Mail`] when TLS cannot be set up, or when `security = "none"` names a
    /// host that is not loopback.
    pub fn new(smtp: &Smtp, password: Option<String>) -> Result<Self> {
        let host = smtp
            .host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&smtp.host);
        let tls_for = |host: &str| {
            TlsParameters::new_rustls(host.to_string())
                .map_err(|e| Error::Mail(format!("cannot set up TLS for `{host}`: {e}")))
        };
        let tls = match smtp.security {
            Security::Tls => Tls::Wrapper(tls_for(host)?),
            Security::Starttls => Tls::Starttls(tls_for(host)?),
            Security::None if is_loopback(host) => Tls::None,
            Security::None => {
                return Err(Error::Mail(format!(
                    "mail.smtp.security `none` with host `{}`: unencrypted SMTP is allowed only to a loopback host",
                    smtp.host
                )));
            }
        };
        Ok(SmtpTransport {
            host: host.to_string(),
            port: smtp.port,
            tls,
            credentials: smtp
                .username
                .clone()
                .zip(password)
                .map(|(u, p)| Credentials::new(u, p)),
            timeout: smtp.timeout,
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

    /// `host:port`, as messages name the server (`[::1]:25` for an IPv6 address).
    pub fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// What a conversation abandoned at its deadline says.
    fn timed_out(&self) -> String {
        format!(
            "timed out after {} s talking to {}",
            self.timeout.as_secs(),
            self.address()
        )
    }

    /// Opens a connection exactly as a delivery does (TCP, TLS per `security`, EHLO,
    /// AUTH when configured) and closes it with QUIT, sending no mail: what
    /// `summit check --connect` tries. Returns the name the server gave in its greeting
    /// and whether the connection was encrypted.
    ///
    /// # Errors
    /// Why connecting, TLS, AUTH or QUIT failed, or that it all took longer than
    /// `mail.smtp.timeout`, on one line naming `host:port`.
    pub fn probe(&self) -> std::result::Result<(String, bool), String> {
        let this = self.clone();
        let talk = move || {
            let mut conn = this.connect()?;
            let name = conn.server_info().name().to_string();
            let encrypted = conn.is_encrypted();
            conn.quit()
                .map_err(|e| format!("{} did not accept QUIT: {}", this.address(), lower(&e)))?;
            Ok((name, encrypted))
        };
        within(self.timeout, talk).unwrap_or_else(|_| Err(self.timed_out()))
    }

    fn connect(&self) -> std::result::Result<SmtpConnection, String> {
        let at = self.address();
        let hello = ClientId::default();
        let wrapper = match &self.tls {
            Tls::Wrapper(p) => Some(p),
            _ => None,
        };
        let mut conn = SmtpConnection::connect(
            (self.host.as_str(), self.port),
            Some(SMTP_TIMEOUT.min(self.timeout)),
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
    /// One conversation within `mail.smtp.timeout`. When the deadline passes before the
    /// message's data went out, the conversation is abandoned and the message is
    /// certainly not sent (and no later message is tried: the server is not answering);
    /// after, the outcome is unknown, as the server may have taken it.
    fn deliver(&mut self, message: &Message) -> Outcome {
        let this = self.clone();
        let envelope = message.envelope().clone();
        let email = message.formatted();
        let phase = Arc::new(Mutex::new(Phase::Talking));
        let shared = phase.clone();
        let talk = move || {
            let mut conn = match this.connect() {
                Ok(c) => c,
                Err(reason) => {
                    return Outcome::NotSent {
                        reason,
                        fatal: true,
                    };
                }
            };
            let outcome = transaction(&mut conn, &envelope, &email, &shared);
            if matches!(outcome, Outcome::Sent) {
                let _ = conn.quit();
            } else {
                conn.abort();
            }
            outcome
        };
        match within(self.timeout, talk) {
            Ok(outcome) => outcome,
            Err(e) => {
                let mut phase = phase.lock().unwrap_or_else(|p| p.into_inner());
                let why = match e {
                    RecvTimeoutError::Timeout => self.timed_out(),
                    RecvTimeoutError::Disconnected => {
                        format!("the conversation with {} broke off", self.address())
                    }
                };
                match *phase {
                    Phase::Committed => Outcome::Unknown(why),
                    Phase::Talking | Phase::Abandoned => {
                        *phase = Phase::Abandoned;
                        Outcome::NotSent {
                            reason: format!("{why}, before the message was sent"),
                            fatal: true,
                        }
                    }
                }
            }
        }
    }
}

/// MAIL, RCPT, DATA and the message on an open connection. Everything before the final
/// `.` that fails leaves the message undelivered; after it, only a reply tells. The
/// data goes out only when `phase` is still [`Phase::Talking`] (it becomes
/// [`Phase::Committed`]): a conversation abandoned at its deadline sends nothing more.
fn transaction(
    conn: &mut SmtpConnection,
    envelope: &Envelope,
    email: &[u8],
    phase: &Mutex<Phase>,
) -> Outcome {
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
    {
        let mut phase = phase.lock().unwrap_or_else(|p| p.into_inner());
        if *phase == Phase::Abandoned {
            return not_sent("abandoned at the deadline".into());
        }
        *phase = Phase::Committed;
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

/// `mail.transport = "smtp"`: the password source resolves (neither the password nor
/// anything the password command prints is shown), TLS can be set up, and with
/// `connect` a session (TLS, EHLO, AUTH, QUIT) succeeds.
pub(super) fn check(smtp: &Smtp, connect: bool) -> std::result::Result<String, Failed> {
    let password = password_quietly(smtp)?;
    let transport = SmtpTransport::new(smtp, password)?;
    let security = match smtp.security {
        Security::Starttls => "STARTTLS",
        Security::Tls => "TLS",
        Security::None => "no TLS",
    };
    let auth = match (&smtp.username, &smtp.password_env, &smtp.password_command) {
        (None, _, _) => "no AUTH".to_string(),
        (Some(u), Some(var), _) => format!("AUTH as `{u}` with the password in ${var}"),
        (Some(u), None, Some(_)) => {
            format!("AUTH as `{u}` with the password from mail.smtp.password-command")
        }
        (Some(u), None, None) => format!("AUTH as `{u}`"),
    };
    let what = format!("smtp {} ({security}, {auth})", transport.address());
    if !connect {
        return Ok(format!(
            "{what}; not connected: no connection is made for mail without --connect"
        ));
    }
    match transport.probe() {
        Ok((name, encrypted)) => Ok(format!(
            "{what}: connected{}, EHLO answered by `{name}`{}, QUIT; no mail sent",
            if encrypted { " with TLS" } else { "" },
            if transport.authenticates() {
                ", authenticated"
            } else {
                ""
            }
        )),
        Err(reason) => Err(Failed {
            detail: Some(format!("{what}: {reason}")),
            error: Error::Delivery(reason),
        }),
    }
}
