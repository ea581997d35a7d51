//! The mailbox source over IMAP (RFC 9051 / RFC 3501): TLS or STARTTLS (plain only to
//! loopback), LOGIN, EXAMINE (read-only), SEARCH SINCE, then FETCH of INTERNALDATE, the
//! header and the text parts only, never attachments; every step within one deadline.
//!
//! The protocol is spoken by the `imap` crate over a stream of ours: TCP, with rustls on
//! top for `imaps://` and after STARTTLS, whose socket timeouts are set before every read
//! and write from the time left, and which stops reading when one answer grows past
//! [`MAX_ANSWER`].

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use imap_proto::types::{BodyStructure, SectionPath};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::Letter;
use crate::config::ImapSecurity;
use crate::error::{Error, Result};

/// Where and as whom to read.
#[derive(Clone, Copy, Debug)]
pub struct Account<'a> {
    /// The server's host name or address.
    pub host: &'a str,
    /// Its port.
    pub port: u16,
    /// TLS, STARTTLS, or none (loopback only; the config checked it).
    pub security: ImapSecurity,
    /// The mailbox (folder), e.g. `INBOX` or `prometheus-developers`.
    pub mailbox: &'a str,
    /// LOGIN user name.
    pub username: &'a str,
    /// LOGIN password (never logged, never in an error).
    pub password: &'a str,
}

/// The most messages read in one run: the newest ones (highest UIDs) are kept.
pub const MAX_MESSAGES: usize = 5000;

/// How many messages one `UID FETCH` asks for.
const BATCH: usize = 100;

/// The largest header read (RFC 3501 §6.4.5 partial fetch `BODY.PEEK[HEADER]<0.N>`);
/// a message with a bigger one is left out with a warning.
pub const MAX_HEADER_BYTES: usize = 256 * 1024;

/// The largest text part fetched (its encoded size, from BODYSTRUCTURE); a bigger one
/// is left out with a warning.
pub const MAX_PART_BYTES: usize = 4 * super::harvest::MAX_LETTER_TEXT;

/// The most text parts' bytes asked for in one `UID FETCH`.
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

/// The most bytes read in answer to one command; past it the read fails.
pub const MAX_ANSWER: usize = 64 * 1024 * 1024;

/// The letters of `account`'s mailbox that arrived on or after `since`'s date (all
/// when `None`), read-only, within `timeout` in all; warnings name messages that could
/// not be used (`UID n`).
///
/// The session (RFC 9051 §6, RFC 3501 §6): TLS from the first byte (`imaps://`, RFC 8314
/// §3.3) or STARTTLS (RFC 3501 §6.2.1, required: the server must offer it), LOGIN
/// (§6.2.3), EXAMINE (§6.3.2, read-only, so no flag changes), `UID SEARCH SINCE`
/// (§6.4.4; the day before `since`'s date, for zone slack), `UID FETCH` (§6.4.5) of
/// INTERNALDATE, BODYSTRUCTURE and `BODY.PEEK[HEADER]` in batches, then of the text
/// parts alone by section number (`BODY.PEEK[1.1]`: \Seen is never set), and LOGOUT
/// (§6.1.3). At most [`MAX_MESSAGES`] of the newest messages are read.
///
/// # Errors
/// [`crate::Error::Agenda`] naming `imap://host:port/mailbox` (never the password):
/// cannot connect, TLS fails, LOGIN refused, no such mailbox, the deadline passed.
pub fn fetch(
    account: &Account,
    since: Option<DateTime<Utc>>,
    timeout: Duration,
) -> Result<(Vec<Letter>, Vec<String>)> {
    let mut run = Run {
        account,
        timeout,
        deadline: Instant::now() + timeout,
        left: Rc::new(Cell::new(MAX_ANSWER)),
    };
    let mut session = run.open()?;
    let out = run.read(&mut session, since);
    run.refill();
    let _ = session.logout();
    out.map_err(|m| run.error(m))
}

/// One read of a mailbox: what it needs at every step.
struct Run<'a> {
    account: &'a Account<'a>,
    timeout: Duration,
    deadline: Instant,
    /// What the current answer may still read (shared with the [`Wire`]).
    left: Rc<Cell<usize>>,
}

type Session = imap::Session<Stream>;

/// A message whose header is in, with the text parts still to fetch.
struct Pending {
    uid: u32,
    arrived: Option<DateTime<Utc>>,
    header: Vec<u8>,
    parts: Vec<TextPart>,
}

/// A text part of a message, by its BODYSTRUCTURE.
#[derive(Clone, Debug, PartialEq, Eq)]
struct TextPart {
    /// Its section number (RFC 3501 §6.4.5): `[1]` for a single-part message, `[1, 2]`.
    path: Vec<u32>,
    /// `plain` or `html`.
    subtype: String,
    /// Its charset parameter, when there is one.
    charset: Option<String>,
    /// Its Content-Transfer-Encoding, as written.
    encoding: String,
    /// Its size as sent (encoded).
    octets: usize,
}

impl Run<'_> {
    /// The whole run past opening: search, fetch the headers, then the text parts.
    fn read(
        &mut self,
        session: &mut Session,
        since: Option<DateTime<Utc>>,
    ) -> std::result::Result<(Vec<Letter>, Vec<String>), String> {
        let mut warnings = Vec::new();
        let query = match since {
            Some(t) => format!(
                "SINCE {}",
                (t - chrono::Duration::days(1)).format("%-d-%b-%Y")
            ),
            None => "ALL".to_string(),
        };
        self.refill();
        let mut uids: Vec<u32> = session
            .uid_search(&query)
            .map_err(|e| self.describe(e, "UID SEARCH"))?
            .into_iter()
            .collect();
        uids.sort_unstable();
        if uids.len() > MAX_MESSAGES {
            warnings.push(format!(
                "the mailbox `{}` has {} messages to read, more than {MAX_MESSAGES}: only the newest {MAX_MESSAGES} are read",
                self.account.mailbox,
                uids.len()
            ));
            uids.drain(..uids.len() - MAX_MESSAGES);
        }
        let mut pending = Vec::new();
        for chunk in uids.chunks(BATCH) {
            pending.extend(self.headers(session, chunk, &mut warnings)?);
        }
        let letters = self.texts(session, pending, &mut warnings)?;
        Ok((letters, warnings))
    }

    /// Connects, secures, logs in and examines the mailbox.
    fn open(&mut self) -> Result<Session> {
        let a = self.account;
        let addr = format!("{}:{}", a.host, a.port);
        let tcp = self.connect(&addr).map_err(|m| self.error(m))?;
        let wire = Wire {
            tcp,
            deadline: self.deadline,
            left: self.left.clone(),
        };
        let stream = match a.security {
            ImapSecurity::Tls => Stream::Tls(Box::new(self.tls(wire)?)),
            ImapSecurity::Starttls => {
                let mut wire = wire;
                self.starttls(&mut wire, &addr)?;
                Stream::Tls(Box::new(self.tls(wire)?))
            }
            ImapSecurity::None => Stream::Plain(wire),
        };
        let mut client = imap::Client::new(stream);
        if a.security != ImapSecurity::Starttls {
            self.refill();
            let greeting = client
                .read_greeting()
                .map_err(|e| self.error(self.describe(e, "the greeting")))?;
            self.greeted(&greeting, &addr)?;
        }
        self.refill();
        let mut session = match client.login(a.username, a.password) {
            Ok(s) => s,
            Err((e, _)) => {
                let why = match e {
                    imap::Error::No(no) => format!(" ({})", self.scrub(&no.information)),
                    imap::Error::Validate(_) => {
                        " (the username or password has a character an IMAP string cannot carry)"
                            .to_string()
                    }
                    e => return Err(self.error(self.describe(e, "LOGIN"))),
                };
                return Err(self.error(format!(
                    "the server refused the login of `{}`{why}, expected the username and password of an account that may read `{}`",
                    a.username.escape_debug(),
                    a.mailbox.escape_debug()
                )));
            }
        };
        self.refill();
        let err = match session.examine(a.mailbox) {
            Ok(_) => return Ok(session),
            Err(imap::Error::No(no)) => format!(
                "no such mailbox `{}` for `{}` ({}), expected a mailbox the account may read, e.g. `INBOX`",
                a.mailbox.escape_debug(),
                a.username.escape_debug(),
                self.scrub(&no.information)
            ),
            Err(e) => self.describe(e, "EXAMINE"),
        };
        self.refill();
        let _ = session.logout();
        Err(self.error(err))
    }

    /// A TCP connection to the first address of the host that answers in time.
    fn connect(&self, addr: &str) -> std::result::Result<TcpStream, String> {
        // The name lookup blocks in the system resolver: it runs on a thread of its own
        // so that it too is bounded by the deadline (a lookup still running then is
        // left behind; the process ends soon after).
        let (host, port) = (self.account.host.to_string(), self.account.port);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send((host.as_str(), port).to_socket_addrs().map(Vec::from_iter));
        });
        let left = self.remaining().unwrap_or_default();
        let addrs = match rx.recv_timeout(left) {
            Ok(found) => found
                .map_err(|e| format!("cannot connect to {addr}: the host is not found ({e})"))?,
            Err(_) => {
                return Err(format!(
                    "cannot connect to {addr}: the host name was not resolved within {}",
                    seconds(self.timeout)
                ));
            }
        };
        let mut last = None;
        for a in addrs {
            let Some(left) = self.remaining() else {
                break;
            };
            match TcpStream::connect_timeout(&a, left) {
                Ok(tcp) => {
                    let _ = tcp.set_nodelay(true);
                    return Ok(tcp);
                }
                Err(e) => last = Some(e),
            }
        }
        if self.remaining().is_none()
            || last
                .as_ref()
                .is_some_and(|e| e.kind() == io::ErrorKind::TimedOut)
        {
            return Err(format!(
                "timed out after {} connecting to {addr}",
                seconds(self.timeout)
            ));
        }
        Err(match last {
            Some(e) => format!("cannot connect to {addr} ({e})"),
            None => format!("cannot connect to {addr}: the host has no address"),
        })
    }

    /// A greeting that turns the connection away (`* BYE`, RFC 3501 §7.1.5) fails.
    fn greeted(&self, greeting: &[u8], addr: &str) -> Result<()> {
        if greeting.starts_with(b"* BYE") {
            let said = String::from_utf8_lossy(greeting).to_string();
            return Err(self.error(format!(
                "{addr} turned the connection away: `{}`",
                self.scrub(said.trim())
            )));
        }
        Ok(())
    }

    /// The plain start of an `imap://` session (RFC 3501 §6.2.1): the greeting, the
    /// capabilities (from the greeting's `[CAPABILITY …]` or a CAPABILITY command), and
    /// STARTTLS, which the server must offer. Read a byte at a time, so that nothing the
    /// server sends after its OK is taken for anything but TLS.
    fn starttls(&self, wire: &mut Wire, addr: &str) -> Result<()> {
        let fail = |m: String| self.error(m);
        let timed_out = |step: &str| {
            fail(format!(
                "timed out after {} waiting for the answer to {step}",
                seconds(self.timeout)
            ))
        };
        self.refill();
        let greeting = line(wire).map_err(|e| {
            if is_timeout(&e) {
                timed_out("the greeting")
            } else {
                fail(format!("the connection failed during the greeting ({e})"))
            }
        })?;
        self.greeted(&greeting, addr)?;
        let offers = |l: &[u8]| {
            let l = String::from_utf8_lossy(l).to_ascii_uppercase();
            l.contains("CAPABILITY") && l.split([' ', ']']).any(|w| w == "STARTTLS")
        };
        let mut offered = offers(&greeting);
        for (tag, command) in [("s1", "CAPABILITY"), ("s2", "STARTTLS")] {
            if command == "CAPABILITY" && offered {
                continue;
            }
            if command == "STARTTLS" && !offered {
                return Err(fail(format!(
                    "{addr} does not offer STARTTLS, expected it for `imap://` (or use `imaps://`)"
                )));
            }
            self.refill();
            wire.write_all(format!("{tag} {command}\r\n").as_bytes())
                .and_then(|()| wire.flush())
                .map_err(|e| fail(format!("the connection failed during {command} ({e})")))?;
            loop {
                let l = line(wire).map_err(|e| {
                    if is_timeout(&e) {
                        timed_out(command)
                    } else {
                        fail(format!("the connection failed during {command} ({e})"))
                    }
                })?;
                if l.starts_with(b"* ") {
                    offered |= offers(&l);
                    continue;
                }
                let ok = format!("{tag} OK").to_ascii_uppercase();
                if !l.to_ascii_uppercase().starts_with(ok.as_bytes()) {
                    let said = String::from_utf8_lossy(&l).to_string();
                    return Err(fail(format!(
                        "the server refused {command}: `{}`",
                        self.scrub(said.trim())
                    )));
                }
                break;
            }
        }
        Ok(())
    }

    /// A TLS session over `wire`, its handshake done, the server's certificate checked
    /// against the system's roots for the host name.
    fn tls(&self, mut wire: Wire) -> Result<StreamOwned<ClientConnection, Wire>> {
        let a = self.account;
        let fail =
            |why: String| self.error(format!("tls failed with {}:{}: {why}", a.host, a.port));
        let name = ServerName::try_from(a.host.to_string())
            .map_err(|_| fail(format!("`{}` is not a host name", a.host.escape_debug())))?;
        let mut conn =
            ClientConnection::new(tls_config(), name).map_err(|e| fail(e.to_string()))?;
        self.refill();
        while conn.is_handshaking() {
            if let Err(e) = conn.complete_io(&mut wire) {
                if is_timeout(&e) || self.remaining().is_none() {
                    return Err(self.error(format!(
                        "timed out after {} during the TLS handshake with {}:{}",
                        seconds(self.timeout),
                        a.host,
                        a.port
                    )));
                }
                return Err(fail(e.to_string()));
            }
        }
        Ok(StreamOwned::new(conn, wire))
    }

    /// `UID FETCH` of INTERNALDATE, BODYSTRUCTURE and the header (at most
    /// [`MAX_HEADER_BYTES`] + 1 of it) for `uids`.
    fn headers(
        &self,
        session: &mut Session,
        uids: &[u32],
        warnings: &mut Vec<String>,
    ) -> std::result::Result<Vec<Pending>, String> {
        self.refill();
        let set = uid_set(uids);
        let fetches = session
            .uid_fetch(
                &set,
                format!(
                    "(UID INTERNALDATE BODYSTRUCTURE BODY.PEEK[HEADER]<0.{}>)",
                    MAX_HEADER_BYTES + 1
                ),
            )
            .map_err(|e| self.describe(e, "UID FETCH"))?;
        let mut out = Vec::new();
        for f in fetches.iter() {
            let Some(uid) = f.uid else {
                continue;
            };
            let Some(header) = f.header() else {
                warnings.push(format!("UID {uid}: the server sent no header; left out"));
                continue;
            };
            if header.len() > MAX_HEADER_BYTES {
                warnings.push(format!(
                    "UID {uid}: the header is larger than {} KiB; left out",
                    MAX_HEADER_BYTES / 1024
                ));
                continue;
            }
            let mut parts = Vec::new();
            if let Some(s) = f.bodystructure() {
                text_parts(s, &mut Vec::new(), &mut parts);
            }
            let plain: Vec<TextPart> = parts
                .iter()
                .filter(|p| p.subtype == "plain")
                .cloned()
                .collect();
            let mut parts = if plain.is_empty() { parts } else { plain };
            parts.retain(|p| {
                let fits = p.octets <= MAX_PART_BYTES;
                if !fits {
                    warnings.push(format!(
                        "UID {uid}: text part {} is {} KiB, more than {} KiB; left out",
                        section(&p.path),
                        p.octets / 1024,
                        MAX_PART_BYTES / 1024
                    ));
                }
                fits
            });
            out.push(Pending {
                uid,
                arrived: f.internal_date().map(|d| d.with_timezone(&Utc)),
                header: header.to_vec(),
                parts,
            });
        }
        out.sort_by_key(|p| p.uid);
        Ok(out)
    }

    /// Fetches the text parts of `pending` in batches of messages that need the same
    /// sections, and makes the letters.
    fn texts(
        &self,
        session: &mut Session,
        pending: Vec<Pending>,
        warnings: &mut Vec<String>,
    ) -> std::result::Result<Vec<Letter>, String> {
        let mut groups: std::collections::BTreeMap<Vec<Vec<u32>>, Vec<Pending>> =
            std::collections::BTreeMap::new();
        for p in pending {
            let key = p.parts.iter().map(|t| t.path.clone()).collect();
            groups.entry(key).or_default().push(p);
        }
        let mut letters = Vec::new();
        for (paths, group) in groups {
            let mut bodies: std::collections::HashMap<u32, Vec<Vec<u8>>> = Default::default();
            if !paths.is_empty() {
                let items: Vec<String> = paths
                    .iter()
                    .map(|p| format!("BODY.PEEK[{}]", section(p)))
                    .collect();
                for batch in batches(&group) {
                    self.refill();
                    let uids: Vec<u32> = batch.iter().map(|p| p.uid).collect();
                    let fetches = session
                        .uid_fetch(uid_set(&uids), format!("(UID {})", items.join(" ")))
                        .map_err(|e| self.describe(e, "UID FETCH"))?;
                    for f in fetches.iter() {
                        let Some(uid) = f.uid else { continue };
                        let got = paths
                            .iter()
                            .map(|p| {
                                f.section(&SectionPath::Part(p.clone(), None))
                                    .unwrap_or_default()
                                    .to_vec()
                            })
                            .collect();
                        bodies.insert(uid, got);
                    }
                }
            }
            for p in group {
                let got = bodies.remove(&p.uid).unwrap_or_default();
                match letter(&p, &got) {
                    Ok(l) => letters.push(l),
                    Err(w) => warnings.push(w),
                }
            }
        }
        letters.sort_by(|a, b| a.arrived.cmp(&b.arrived).then(a.origin.cmp(&b.origin)));
        Ok(letters)
    }

    /// The time left, `None` once the deadline passed.
    fn remaining(&self) -> Option<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
    }

    /// A fresh read budget for the next answer.
    fn refill(&self) {
        self.left.set(MAX_ANSWER);
    }

    /// `text` without the password (should a server echo it).
    fn scrub(&self, text: &str) -> String {
        let mut t: String = crate::text::one_line(text).chars().take(200).collect();
        if !self.account.password.is_empty() {
            t = t.replace(self.account.password, "…");
        }
        t
    }

    /// What went wrong at `step`, for people.
    fn describe(&self, e: imap::Error, step: &str) -> String {
        let timeout = seconds(self.timeout);
        match e {
            imap::Error::Io(io) if is_timeout(&io) || self.remaining().is_none() => {
                format!("timed out after {timeout} waiting for the answer to {step}")
            }
            imap::Error::Io(io) if io.kind() == io::ErrorKind::FileTooLarge => format!(
                "the answer to {step} is larger than {} MiB, expected less",
                MAX_ANSWER / (1024 * 1024)
            ),
            imap::Error::Io(io) => format!("the connection failed during {step} ({io})"),
            imap::Error::No(r) => {
                format!("the server refused {step} ({})", self.scrub(&r.information))
            }
            imap::Error::Bad(r) => format!(
                "the server rejected {step} as bad ({})",
                self.scrub(&r.information)
            ),
            imap::Error::Bye(r) => format!(
                "the server closed the connection during {step} ({})",
                self.scrub(&r.information)
            ),
            imap::Error::ConnectionLost => {
                format!("the server closed the connection during {step}")
            }
            imap::Error::Parse(_) | imap::Error::Unexpected(_) => {
                format!("the server's answer to {step} is not IMAP as expected")
            }
            e => format!("{step} failed ({})", self.scrub(&e.to_string())),
        }
    }

    /// An agenda error naming the mailbox's URL.
    fn error(&self, message: String) -> Error {
        let a = self.account;
        let scheme = match a.security {
            ImapSecurity::Tls => "imaps",
            _ => "imap",
        };
        Error::Agenda {
            path: PathBuf::from(format!("{scheme}://{}:{}/{}", a.host, a.port, a.mailbox)),
            message: if a.password.is_empty() {
                message
            } else {
                message.replace(a.password, "…")
            },
        }
    }
}

/// The text parts of `s` (section paths relative to `path`): text/plain and text/html
/// that are not attachments; attached messages (message/rfc822) are not looked into.
fn text_parts(s: &BodyStructure, path: &mut Vec<u32>, out: &mut Vec<TextPart>) {
    match s {
        BodyStructure::Multipart { bodies, .. } => {
            for (i, b) in bodies.iter().enumerate() {
                path.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
                text_parts(b, path, out);
                path.pop();
            }
        }
        BodyStructure::Text { common, other, .. } => {
            let subtype = common.ty.subtype.to_ascii_lowercase();
            let attachment = common
                .disposition
                .as_ref()
                .is_some_and(|d| d.ty.eq_ignore_ascii_case("attachment"));
            if attachment || !(subtype == "plain" || subtype == "html") {
                return;
            }
            let charset = common.ty.params.as_ref().and_then(|ps| {
                ps.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("charset"))
                    .map(|(_, v)| v.to_string())
            });
            out.push(TextPart {
                path: if path.is_empty() {
                    vec![1]
                } else {
                    path.clone()
                },
                subtype,
                charset,
                encoding: encoding(&other.transfer_encoding),
                octets: usize::try_from(other.octets).unwrap_or(usize::MAX),
            });
        }
        BodyStructure::Basic { .. } | BodyStructure::Message { .. } => {}
    }
}

/// A Content-Transfer-Encoding as written in a header.
fn encoding(e: &imap_proto::types::ContentEncoding) -> String {
    use imap_proto::types::ContentEncoding as E;
    match e {
        E::SevenBit => "7bit".into(),
        E::EightBit => "8bit".into(),
        E::Binary => "binary".into(),
        E::Base64 => "base64".into(),
        E::QuotedPrintable => "quoted-printable".into(),
        E::Other(o) => o.to_string(),
    }
}

/// `1.2` for `[1, 2]`.
fn section(path: &[u32]) -> String {
    path.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// `3,4,9` (RFC 3501 §9 `sequence-set`).
fn uid_set(uids: &[u32]) -> String {
    uids.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// `group` cut into batches of at most [`BATCH`] messages and [`MAX_BATCH_BYTES`].
fn batches(group: &[Pending]) -> Vec<&[Pending]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, p) in group.iter().enumerate() {
        let size: usize = p.parts.iter().map(|t| t.octets).sum();
        if i > start && (i - start >= BATCH || bytes + size > MAX_BATCH_BYTES) {
            out.push(&group[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < group.len() {
        out.push(&group[start..]);
    }
    out
}

/// The letter of `p` with its text parts' `bodies` (in the order of `p.parts`): they
/// are decoded by their encoding and charset through a message made of them alone.
fn letter(p: &Pending, bodies: &[Vec<u8>]) -> std::result::Result<Letter, String> {
    let origin = format!("UID {}", p.uid);
    let (headers, _) = mailparse::parse_headers(&p.header)
        .map_err(|e| format!("{origin}: the header does not parse ({e})"))?;
    let mut text = String::new();
    if !p.parts.is_empty() {
        let mut boundary = String::from("summit-imap-part");
        while bodies
            .iter()
            .any(|b| b.windows(boundary.len()).any(|w| w == boundary.as_bytes()))
        {
            boundary.push('x');
        }
        let mut raw = format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n"
        )
        .into_bytes();
        for (part, body) in p.parts.iter().zip(bodies) {
            let charset = part
                .charset
                .as_deref()
                .map(|c| format!("; charset=\"{}\"", c.replace(['"', '\\', '\r', '\n'], "")))
                .unwrap_or_default();
            let enc = part.encoding.replace(['\r', '\n'], "");
            raw.extend_from_slice(
                format!("--{boundary}\r\nContent-Type: text/{}{charset}\r\nContent-Transfer-Encoding: {enc}\r\n\r\n", part.subtype).as_bytes(),
            );
            raw.extend_from_slice(body);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        text = Letter::parse(&raw, Some(DateTime::UNIX_EPOCH), origin.clone())?.text;
    }
    Letter::from_headers(&headers, text, p.arrived, origin)
}

/// One line from `wire` (at most 8 KiB), read a byte at a time, without its CRLF.
fn line(wire: &mut Wire) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut byte = [0u8];
    loop {
        if wire.read(&mut byte)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        if byte[0] == b'\n' {
            if out.last() == Some(&b'\r') {
                out.pop();
            }
            return Ok(out);
        }
        out.push(byte[0]);
        if out.len() > 8192 {
            return Err(io::Error::other("a line longer than 8 KiB"));
        }
    }
}

/// `2 s`, `0.5 s`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// The TLS client configuration: ring, TLS 1.2 and 1.3, the system's root certificates
/// (`rustls-native-certs`, which reads `SSL_CERT_FILE` and `SSL_CERT_DIR` when set), or
/// Mozilla's bundled ones when the system has none, as for the feed. Built once.
fn tls_config() -> Arc<ClientConfig> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = RootCertStore::empty();
            for c in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(c);
            }
            if roots.is_empty() {
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            Arc::new(
                ClientConfig::builder_with_provider(provider)
                    .with_safe_default_protocol_versions()
                    .expect("ring supports the default TLS versions")
                    .with_root_certificates(roots)
                    .with_no_client_auth(),
            )
        })
        .clone()
}

/// The TCP connection, whose every read and write waits at most until the deadline,
/// and whose reads stop when the current answer's budget (`left`) is spent.
struct Wire {
    tcp: TcpStream,
    deadline: Instant,
    left: Rc<Cell<usize>>,
}

impl Wire {
    fn time_left(&self) -> io::Result<Duration> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, "the deadline passed"))
    }
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.left.get();
        if left == 0 {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "the answer is too large",
            ));
        }
        self.tcp.set_read_timeout(Some(self.time_left()?))?;
        let n = buf.len().min(left);
        let got = self.tcp.read(&mut buf[..n])?;
        self.left.set(left - got);
        Ok(got)
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.tcp.set_write_timeout(Some(self.time_left()?))?;
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

/// Plain TCP (before STARTTLS, or `;tls=none` to loopback) or TLS over it.
enum Stream {
    Plain(Wire),
    Tls(Box<StreamOwned<ClientConnection, Wire>>),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(w) => w.read(buf),
            Stream::Tls(t) => t.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(w) => w.write(buf),
            Stream::Tls(t) => t.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(w) => w.flush(),
            Stream::Tls(t) => t.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_sets() {
        assert_eq!(section(&[1, 2]), "1.2");
        assert_eq!(uid_set(&[3, 4, 9]), "3,4,9");
        assert_eq!(seconds(Duration::from_secs(2)), "2 s");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
    }

    #[test]
    fn a_letter_decodes_its_parts_by_encoding_and_charset() {
        let p = Pending {
            uid: 7,
            arrived: DateTime::from_timestamp(1_700_000_000, 0),
            header: b"From: Ada <ada@example.org>\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n\r\n"
                .to_vec(),
            parts: vec![TextPart {
                path: vec![1],
                subtype: "plain".into(),
                charset: Some("iso-8859-1".into()),
                encoding: "quoted-printable".into(),
                octets: 10,
            }],
        };
        let l = letter(&p, &[b"caf=E9 +1=\r\n!".to_vec()]).unwrap();
        assert_eq!(l.subject, "Café");
        assert_eq!(l.text.trim(), "café +1!");
        assert_eq!(l.origin, "UID 7");
        assert_eq!(
            l.arrived,
            DateTime::from_timestamp(1_700_000_000, 0).unwrap()
        );
    }

    #[test]
    fn batches_keep_to_count_and_bytes() {
        let p = |octets| Pending {
            uid: 1,
            arrived: None,
            header: Vec::new(),
            parts: vec![TextPart {
                path: vec![1],
                subtype: "plain".into(),
                charset: None,
                encoding: "7bit".into(),
                octets,
            }],
        };
        let group: Vec<Pending> = (0..250).map(|_| p(10)).collect();
        let b = batches(&group);
        assert_eq!(
            b.iter().map(|b| b.len()).collect::<Vec<_>>(),
            [100, 100, 50]
        );
        let group: Vec<Pending> = (0..3).map(|_| p(MAX_BATCH_BYTES / 2 + 1)).collect();
        assert_eq!(batches(&group).len(), 3);
    }
}
