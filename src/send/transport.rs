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
//! server keeps talking.

use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use lettre::{Address, Message};

use crate::config::{MailConfig, Security, Smtp, Transport as TransportKind};
use crate::error::{Error, Result};
use crate::store::write_atomically;
use crate::text::is_loopback;

/// How long to wait for the SMTP server at each step (each read or write), at most;
/// the whole conversation has `mail.smtp.timeout`.
const SMTP_TIMEOUT: Duration = Duration::from_secs(60);

/// The most a password command may print, in bytes.
const MAX_PASSWORD_OUTPUT: u64 = 64 * 1024;

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

/// The transport `mail.transport` names, with the SMTP `password` read beforehand by
/// [`password`] (before the state directory's lock is taken, so a slow password command
/// never holds it).
///
/// # Errors
/// [`Error::Mail`] when TLS cannot be set up.
pub fn open(mail: &MailConfig, password: Option<String>) -> Result<Box<dyn Transport>> {
    Ok(match mail.transport {
        TransportKind::Smtp => Box::new(SmtpTransport::new(&mail.smtp, password)?),
        TransportKind::Sendmail => Box::new(Sendmail {
            command: mail.sendmail.clone(),
            timeout: mail.sendmail_timeout,
        }),
        TransportKind::File => Box::new(Outbox {
            dir: mail.outbox.clone(),
        }),
    })
}

// ---- the password ----

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
/// standard output (at most [`MAX_OUTPUT`] bytes), or kills the whole group once
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

/// The most of a command's standard output or error that is kept, in bytes.
const MAX_OUTPUT: u64 = MAX_PASSWORD_OUTPUT;

/// What a command run by [`run_in_group`] did.
struct Finished {
    status: std::process::ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Why [`run_in_group`] returned no [`Finished`].
enum Stopped {
    /// The deadline passed; the group was killed. `input_taken`: whether all of the
    /// input had been written by then.
    TimedOut { input_taken: bool },
    /// It could not be started or waited for.
    Failed(std::io::Error),
}

/// Runs `command` in a process group of its own, writes `input` to its standard input
/// (else it reads nothing), reads its standard output and, with `stderr`, its standard
/// error (at most [`MAX_OUTPUT`] bytes each), and returns when it has exited and closed
/// them. Once `timeout` has passed, the whole group is killed (SIGKILL): the command,
/// and whatever it started, even what holds its output open after it has exited.
fn run_in_group(
    mut command: Command,
    input: Option<Vec<u8>>,
    stderr: bool,
    timeout: Duration,
) -> std::result::Result<Finished, Stopped> {
    let deadline = Instant::now() + timeout;
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .process_group(0);
    if stderr {
        command.stderr(Stdio::piped());
    }
    let mut child = command.spawn().map_err(Stopped::Failed)?;
    // The group's id is the child's pid (process_group(0)).
    let group = child.id() as libc::pid_t;
    let kill_group = || {
        // SAFETY: killpg only sends a signal, to the group this function created.
        unsafe { libc::killpg(group, libc::SIGKILL) };
    };
    fn drain(from: Option<impl std::io::Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(from) = from {
                let _ = from.take(MAX_OUTPUT).read_to_end(&mut buf);
            }
            let _ = tx.send(buf);
        });
        rx
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let (taken_tx, taken) = mpsc::channel();
    if let (Some(mut stdin), Some(input)) = (child.stdin.take(), input) {
        std::thread::spawn(move || {
            use std::io::Write as _;
            if stdin.write_all(&input).is_ok() {
                let _ = taken_tx.send(());
            }
        });
    } else {
        let _ = taken_tx.send(());
    }
    let timed_out = |kill: &dyn Fn()| {
        kill();
        Stopped::TimedOut {
            input_taken: taken.try_recv().is_ok(),
        }
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                // Killed before the child is reaped, so the group's id cannot have
                // been reused.
                let stopped = timed_out(&kill_group);
                let _ = child.wait();
                return Err(stopped);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                kill_group();
                let _ = child.wait();
                return Err(Stopped::Failed(e));
            }
        }
    };
    let left = || deadline.saturating_duration_since(Instant::now());
    match (stdout.recv_timeout(left()), stderr.recv_timeout(left())) {
        (Ok(stdout), Ok(stderr)) => Ok(Finished {
            status,
            stdout,
            stderr,
        }),
        // It has exited, but something it started still holds its output.
        _ => Err(timed_out(&kill_group)),
    }
}

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

// ---- sendmail ----

/// `mail.transport = "sendmail"`: `SENDMAIL -i -f FROM -- RECIPIENTS` with the message
/// on its standard input (as `lettre`'s `SendmailTransport` runs it), in a process
/// group of its own, killed with its group after `mail.sendmail-timeout`.
#[derive(Debug)]
pub struct Sendmail {
    command: String,
    timeout: Duration,
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
            password_command_timeout: crate::config::DEFAULT_PASSWORD_COMMAND_TIMEOUT,
            timeout: crate::config::DEFAULT_SMTP_TIMEOUT,
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

    /// Whether process `pid` is gone (or a zombie about to be reaped), waiting up to 5 s.
    fn gone(pid: i32) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
            // SAFETY: signal 0 only checks that the process exists.
            let exists = unsafe { libc::kill(pid, 0) } == 0;
            if !exists || stat.is_ok_and(|s| s.contains(") Z ")) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    #[test]
    fn a_password_command_past_its_deadline_is_killed_with_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let pids = dir.path().join("pid");
        let mut s = smtp(Security::Tls, "smtp.example.org");
        s.username = Some("bot".into());
        s.password_command_timeout = Duration::from_secs(1);
        // Hung in a child of the shell; then gone with the shell, holding its output.
        for cmd in [
            format!("sleep 100000 & echo $! > {}; wait", pids.display()),
            format!("sleep 100000 & echo $! > {}; printf pw", pids.display()),
        ] {
            s.password_command = Some(cmd.clone());
            let started = Instant::now();
            let e = password_quietly(&s).unwrap_err();
            let took = started.elapsed();
            assert!(
                took >= Duration::from_secs(1) && took < Duration::from_secs(4),
                "{cmd}: {took:?}"
            );
            assert!(e.to_string().contains("timed out after 1 s"), "{e}");
            assert_eq!(e.exit_code(), 1);
            let pid: i32 = std::fs::read_to_string(&pids)
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            assert!(gone(pid), "{cmd}: the sleep {pid} still runs");
        }
        // Within the deadline, it is read as before.
        s.password_command = Some("sleep 0.1; printf 'pw\\n'".into());
        assert_eq!(password(&s).unwrap().as_deref(), Some("pw"));
    }

    #[test]
    fn sendmail_is_stopped_at_its_deadline() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("sendmail");
        let pids = dir.path().join("pid");
        let message = Message::builder()
            .from("a@example.org".parse().unwrap())
            .to("b@example.org".parse().unwrap())
            .subject("x")
            .body(String::from("x"))
            .unwrap();
        let run = |script: String| {
            std::fs::write(&program, format!("#!/bin/sh\n{script}\n")).unwrap();
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
            let mut t = Sendmail {
                command: program.display().to_string(),
                timeout: Duration::from_secs(1),
            };
            let started = Instant::now();
            let outcome = t.deliver(&message);
            assert!(started.elapsed() < Duration::from_secs(4));
            outcome
        };
        let hang = format!(
            "cat > /dev/null; sleep 100000 & echo $! > {}; wait",
            pids.display()
        );
        assert_eq!(
            run(hang),
            Outcome::Unknown("sendmail timed out after 1 s and was stopped".into())
        );
        let pid: i32 = std::fs::read_to_string(&pids)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(gone(pid), "the sleep {pid} still runs");
        assert_eq!(
            run("cat > /dev/null; echo 'queue full' >&2; exit 75".into()),
            Outcome::NotSent {
                reason: "sendmail failed (exit status: 75): queue full".into(),
                fatal: false
            }
        );
        assert_eq!(run("cat > /dev/null".into()), Outcome::Sent);
    }

    #[test]
    fn ipv6_hosts_with_or_without_brackets() {
        for host in ["::1", "[::1]"] {
            let t = SmtpTransport::new(&smtp(Security::None, host), None).unwrap();
            assert!(matches!(t.tls(), Tls::None));
            assert_eq!(t.address(), "[::1]:2525");
        }
        let t = SmtpTransport::new(&smtp(Security::Tls, "[2001:db8::1]"), None).unwrap();
        assert_eq!(t.address(), "[2001:db8::1]:2525");
    }

    #[test]
    fn a_conversation_is_abandoned_at_its_deadline() {
        // A server that greets one byte a second, forever.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                std::thread::spawn(move || {
                    use std::io::Write as _;
                    while stream.write_all(b"2").is_ok() {
                        std::thread::sleep(Duration::from_millis(500));
                    }
                });
            }
        });
        let mut s = smtp(Security::None, "127.0.0.1");
        s.port = port;
        s.timeout = Duration::from_secs(1);
        let mut t = SmtpTransport::new(&s, None).unwrap();
        let message = Message::builder()
            .from("a@example.org".parse().unwrap())
            .to("b@example.org".parse().unwrap())
            .subject("x")
            .body(String::from("x"))
            .unwrap();
        let started = Instant::now();
        let outcome = t.deliver(&message);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let want =
            format!("timed out after 1 s talking to 127.0.0.1:{port}, before the message was sent");
        assert_eq!(
            outcome,
            Outcome::NotSent {
                reason: want,
                fatal: true
            }
        );
        let e = t.probe().unwrap_err();
        assert_eq!(
            e,
            format!("timed out after 1 s talking to 127.0.0.1:{port}")
        );
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
