//! `[agenda]` and `[outreach]`: where the topics and votes come from (a file, a URL, a
//! mailbox or GitHub), whose votes count, and how many topics the outreach covers. The
//! agenda itself is read by `crate::agenda`, not here.
//!
//! CONTRACT.md "Agenda sources": one source per configuration; `voters` adds people
//! whose votes count besides the rotation members.

use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;
use toml::Spanned;
use url::Url;

use super::channels::{Secret, base_url, secret_of};
use super::raw::{RawAgenda, RawGithub, RawMailbox, RawOutreach};
use super::source::Source;
use crate::error::Result;
use crate::model::Email;
use crate::text::is_loopback;

/// `[agenda]` and `[outreach]`.
#[derive(Clone, Debug)]
pub struct AgendaConfig {
    /// `agenda.file`: the agenda of the next summit, a `.toml` or `.csv` file (relative
    /// to the config's folder); `--agenda FILE` overrides every source.
    pub file: Option<PathBuf>,
    /// `agenda.url`, `[agenda.mailbox]` or `[agenda.github]`: the source read instead
    /// of a file (at most one source is set, `file` included).
    pub source: Option<AgendaSource>,
    /// `agenda.voters`: whose votes count besides the rotation members, as addresses
    /// (mailbox votes) and GitHub logins written `@login` (reactions).
    pub voters: Vec<Voter>,
    /// `agenda.timeout`: how long reading a remote source may take in all (default
    /// [`DEFAULT_AGENDA_TIMEOUT`]).
    pub timeout: Duration,
    /// `outreach.top`: how many of the most-voted topics proposed before the topic
    /// deadline the outreach covers (default [`DEFAULT_OUTREACH_TOP`]).
    pub top: usize,
}

impl PartialEq for AgendaConfig {
    fn eq(&self, other: &Self) -> bool {
        self.file == other.file
            && self.source == other.source
            && self.voters == other.voters
            && self.timeout == other.timeout
            && self.top == other.top
    }
}

impl Eq for AgendaConfig {}

/// One `agenda.voters` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Voter {
    /// An address (`carol@example.org`): their `+1` replies count.
    Email(Email),
    /// A GitHub login (`@carol`, stored without the `@`, lowercase): their 👍 count.
    Github(String),
}

/// A remote or mailbox agenda source.
#[derive(Clone, Debug)]
pub enum AgendaSource {
    /// `agenda.url`: a CSV or TOML agenda over HTTP (a published spreadsheet), fetched
    /// through the same cache and conditional GET as the feed. The format is the URL
    /// path's extension (`.toml`), else CSV.
    Url(Url),
    /// `[agenda.mailbox]`: proposals and `+1` replies in a mailbox.
    Mailbox(MailboxSource),
    /// `[agenda.github]`: issues or discussions with a label; 👍 reactions are votes.
    Github(GithubSource),
}

impl PartialEq for AgendaSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (AgendaSource::Url(a), AgendaSource::Url(b)) => a == b,
            (AgendaSource::Mailbox(a), AgendaSource::Mailbox(b)) => {
                a.store == b.store
                    && a.username == b.username
                    && a.password == b.password
                    && a.subject.as_str() == b.subject.as_str()
            }
            (AgendaSource::Github(a), AgendaSource::Github(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for AgendaSource {}

/// The default of `agenda.mailbox.subject`: what a proposal's Subject carries.
pub const DEFAULT_PROPOSAL_SUBJECT: &str = r"(?i)\b(dev(eloper)? summit|summit topic)\b";

/// The default of `agenda.timeout`.
pub const DEFAULT_AGENDA_TIMEOUT: Duration = Duration::from_secs(60);

/// The default of `agenda.github.api`.
pub const DEFAULT_GITHUB_API: &str = "https://api.github.com";

/// `[agenda.mailbox]`.
#[derive(Clone, Debug)]
pub struct MailboxSource {
    /// `url`: where the messages are.
    pub store: MailStore,
    /// `username`, for IMAP LOGIN; with a password from `password-env` or
    /// `password-command`.
    pub username: Option<String>,
    /// `password-env` / `password-command`: the IMAP password (never in the file).
    pub password: Option<Secret>,
    /// `subject`: a regex on the decoded Subject that selects proposals (default
    /// [`DEFAULT_PROPOSAL_SUBJECT`]).
    pub subject: Regex,
}

/// Where a mailbox source's messages are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailStore {
    /// `imaps://HOST[:PORT]/MAILBOX` (TLS, port 993 by default) or
    /// `imap://HOST[:PORT]/MAILBOX` (STARTTLS required, port 143; with `;tls=none`
    /// only to a loopback host: `imap://127.0.0.1:1143/INBOX;tls=none`).
    Imap {
        /// The host.
        host: String,
        /// The port.
        port: u16,
        /// How the connection is secured.
        security: ImapSecurity,
        /// The mailbox (folder), percent-decoded; `INBOX` when the path is empty.
        mailbox: String,
    },
    /// `mbox:PATH`: an mbox archive (relative to the config's folder).
    Mbox(PathBuf),
    /// `maildir:PATH`: a Maildir folder (its `cur` and `new`).
    Maildir(PathBuf),
}

/// How an IMAP connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImapSecurity {
    /// TLS from the first byte (`imaps://`).
    Tls,
    /// STARTTLS, required (`imap://`).
    Starttls,
    /// No encryption (`imap://…;tls=none`), only to a loopback host.
    None,
}

/// `[agenda.github]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GithubSource {
    /// `repo`: `OWNER/NAME`.
    pub repo: String,
    /// `label`: the label that marks a topic.
    pub label: String,
    /// `kind`: issues (the default) or discussions (read through GraphQL).
    pub kind: GithubKind,
    /// `token-env` / `token-command`: optional for public repositories.
    pub token: Option<Secret>,
    /// `api`: the REST API base (default [`DEFAULT_GITHUB_API`]); GraphQL is at
    /// `API/graphql`, but at `https://HOST/api/graphql` for GitHub Enterprise Server's
    /// `https://HOST/api/v3`.
    pub api: Url,
}

/// What `[agenda.github]` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GithubKind {
    /// Issues (pull requests left out).
    Issue,
    /// Discussions.
    Discussion,
}

/// The default of `mail.smtp.password-command-timeout`, shared by the agenda's secrets.
const SECRET_TIMEOUT: Duration = super::mail::DEFAULT_PASSWORD_COMMAND_TIMEOUT;

/// The default of `outreach.top`: how many of the most-voted topics the facilitator
/// reaches out to.
pub const DEFAULT_OUTREACH_TOP: usize = 3;

impl Default for AgendaConfig {
    fn default() -> Self {
        AgendaConfig {
            file: None,
            source: None,
            voters: Vec::new(),
            timeout: DEFAULT_AGENDA_TIMEOUT,
            top: DEFAULT_OUTREACH_TOP,
        }
    }
}

/// A GitHub login as written (`ada-l`, without `@`), lowercase; `None` when it is not
/// one (1 to 39 letters, digits or single inner hyphens).
pub(super) fn github_login(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches('@');
    let ok = !s.is_empty()
        && s.len() <= 39
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    ok.then(|| s.to_ascii_lowercase())
}

/// Validates `[agenda]` and `[outreach]`.
pub(super) fn validate(
    agenda: RawAgenda,
    outreach: &RawOutreach,
    src: &Source,
) -> Result<AgendaConfig> {
    let top = match &outreach.top {
        None => DEFAULT_OUTREACH_TOP,
        Some(n) => usize::try_from(*n.get_ref())
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                src.at(
                    n,
                    format!(
                        "outreach.top `{}` is not a count, expected a whole number from 1",
                        n.get_ref()
                    ),
                )
            })?,
    };
    let set: Vec<(&str, std::ops::Range<usize>)> = [
        agenda.file.as_ref().map(|s| ("file", s.span())),
        agenda.url.as_ref().map(|s| ("url", s.span())),
        agenda
            .mailbox
            .as_ref()
            .map(|s| ("[agenda.mailbox]", s.span())),
        agenda
            .github
            .as_ref()
            .map(|s| ("[agenda.github]", s.span())),
    ]
    .into_iter()
    .flatten()
    .collect();
    if let [_, (second, span), ..] = &set[..] {
        return Err(src.err(
            Some(span.clone()),
            format!(
                "agenda: `{}` and `{second}` are both set, expected one agenda source",
                set[0].0
            ),
        ));
    }
    let source = match (agenda.url, agenda.mailbox, agenda.github) {
        (Some(u), _, _) => Some(AgendaSource::Url(agenda_url(&u, src)?)),
        (_, Some(m), _) => Some(AgendaSource::Mailbox(mailbox(&m, src)?)),
        (_, _, Some(g)) => Some(AgendaSource::Github(github(&g, src)?)),
        _ => None,
    };
    let voters = agenda
        .voters
        .iter()
        .map(|v| voter(v, src))
        .collect::<Result<_>>()?;
    Ok(AgendaConfig {
        file: agenda.file.map(|f| src.dir.join(f.get_ref())),
        source,
        voters,
        timeout: src.timeout(&agenda.timeout, "agenda.timeout", DEFAULT_AGENDA_TIMEOUT)?,
        top,
    })
}

/// One `agenda.voters` entry: an address, or `@login`.
fn voter(v: &Spanned<String>, src: &Source) -> Result<Voter> {
    let text = v.get_ref().trim();
    let bad = || {
        src.at(
            v,
            format!(
                "agenda.voters: `{}` is neither an address nor a GitHub login, expected e.g. `carol@example.org` or `@carol`",
                text.escape_debug()
            ),
        )
    };
    if text.starts_with('@') {
        return github_login(text).map(Voter::Github).ok_or_else(bad);
    }
    text.parse::<lettre::Address>()
        .map(|a| Voter::Email(Email::from(&a)))
        .map_err(|_| bad())
}

/// `agenda.url`: `https://` (or `http://` to loopback).
fn agenda_url(u: &Spanned<String>, src: &Source) -> Result<Url> {
    let text = u.get_ref().trim();
    let url = Url::parse(text).map_err(|e| {
        src.at(
            u,
            format!(
                "agenda.url `{}` is not a URL ({e}), expected an https:// URL",
                text.escape_debug()
            ),
        )
    })?;
    let host = url.host_str().unwrap_or("");
    let ok = match url.scheme() {
        "https" => !host.is_empty(),
        "http" => is_loopback(host),
        _ => false,
    };
    if !ok || !url.username().is_empty() || url.password().is_some() {
        return Err(src.at(
            u,
            format!(
                "agenda.url `{}` is not an https:// URL without credentials (http:// only to a loopback host), expected e.g. `https://docs.google.com/…/pub?output=csv`",
                crate::text::one_line(text)
            ),
        ));
    }
    Ok(url)
}

/// `[agenda.mailbox]`.
fn mailbox(m: &Spanned<RawMailbox>, src: &Source) -> Result<MailboxSource> {
    let m = m.get_ref();
    let store = mail_store(&m.url, src)?;
    let timeout = src.timeout(
        &m.password_command_timeout,
        "agenda.mailbox.password-command-timeout",
        SECRET_TIMEOUT,
    )?;
    let password = secret_of(
        &m.password_env,
        &m.password_command,
        "password",
        timeout,
        "agenda.mailbox",
        src,
    )?;
    let username = m.username.as_ref().map(|u| u.get_ref().trim().to_string());
    if matches!(store, MailStore::Imap { .. }) && (username.is_none() || password.is_none()) {
        return Err(src.at(
            &m.url,
            "agenda.mailbox: an IMAP mailbox needs `username` and `password-env = \"VARIABLE\"` or `password-command = \"command that prints it\"`".into(),
        ));
    }
    let subject = match &m.subject {
        None => Regex::new(DEFAULT_PROPOSAL_SUBJECT).expect("the default subject is a regex"),
        Some(s) => Regex::new(s.get_ref()).map_err(|e| {
            src.at(
                s,
                format!(
                    "agenda.mailbox.subject `{}` is not a regex ({}), expected e.g. `(?i)summit topic`",
                    s.get_ref().escape_debug(),
                    crate::text::one_line(&e.to_string())
                ),
            )
        })?,
    };
    Ok(MailboxSource {
        store,
        username,
        password,
        subject,
    })
}

/// `agenda.mailbox.url`: `imaps://`, `imap://`, `mbox:PATH` or `maildir:PATH`.
fn mail_store(u: &Spanned<String>, src: &Source) -> Result<MailStore> {
    let text = u.get_ref().trim();
    let bad = |why: &str| {
        src.at(
            u,
            format!(
                "agenda.mailbox.url `{}` {why}, expected `imaps://HOST/MAILBOX`, `mbox:PATH` or `maildir:PATH`",
                crate::text::one_line(text)
            ),
        )
    };
    if let Some(path) = text.strip_prefix("mbox:") {
        return Ok(MailStore::Mbox(src.dir.join(path)));
    }
    if let Some(path) = text.strip_prefix("maildir:") {
        return Ok(MailStore::Maildir(src.dir.join(path)));
    }
    let (text, plain) = match text.strip_suffix(";tls=none") {
        Some(t) => (t, true),
        None => (text, false),
    };
    let url = Url::parse(text).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    let host = url.host_str().unwrap_or("").to_string();
    if host.is_empty() {
        return Err(bad("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "carries credentials (use `username` and `password-env`)",
        ));
    }
    let security = match (url.scheme(), plain) {
        ("imaps", false) => ImapSecurity::Tls,
        ("imap", false) => ImapSecurity::Starttls,
        ("imap", true) if is_loopback(&host) => ImapSecurity::None,
        ("imap", true) => return Err(bad("asks for no TLS to a host that is not loopback")),
        _ => return Err(bad("is not an IMAP URL")),
    };
    let port = url.port().unwrap_or(match security {
        ImapSecurity::Tls => 993,
        _ => 143,
    });
    let path = url.path().trim_start_matches('/');
    let mailbox = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| bad("names a mailbox that is not UTF-8"))?
        .to_string();
    if mailbox.chars().any(|c| c.is_control() || c == '"') {
        return Err(bad("names a mailbox with a control character or a quote"));
    }
    Ok(MailStore::Imap {
        host: host.trim_matches(['[', ']']).to_string(),
        port,
        security,
        mailbox: if mailbox.is_empty() {
            "INBOX".into()
        } else {
            mailbox
        },
    })
}

/// `[agenda.github]`.
fn github(g: &Spanned<RawGithub>, src: &Source) -> Result<GithubSource> {
    let g = g.get_ref();
    let repo = g.repo.get_ref().trim();
    let ok = repo.split_once('/').is_some_and(|(o, n)| {
        github_login(o).is_some()
            && !n.is_empty()
            && n.len() <= 100
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && n != "."
            && n != ".."
    });
    if !ok {
        return Err(src.at(
            &g.repo,
            format!(
                "agenda.github.repo `{}` is not a repository, expected `OWNER/NAME` such as `prometheus/proposals`",
                crate::text::one_line(repo)
            ),
        ));
    }
    let label = g.label.get_ref().trim();
    if label.is_empty() || label.chars().any(char::is_control) {
        return Err(src.at(
            &g.label,
            "agenda.github.label is empty or has a control character, expected a label name such as `dev-summit`".into(),
        ));
    }
    let kind = match g.kind.as_ref().map(|k| k.get_ref().trim()) {
        None | Some("issue" | "issues") => GithubKind::Issue,
        Some("discussion" | "discussions") => GithubKind::Discussion,
        Some(other) => {
            return Err(src.at(
                g.kind.as_ref().expect("set"),
                format!(
                    "agenda.github.kind `{}` is not a kind, expected `issue` or `discussion`",
                    other.escape_debug()
                ),
            ));
        }
    };
    let timeout = src.timeout(
        &g.token_command_timeout,
        "agenda.github.token-command-timeout",
        SECRET_TIMEOUT,
    )?;
    let token = secret_of(
        &g.token_env,
        &g.token_command,
        "token",
        timeout,
        "agenda.github",
        src,
    )?;
    let api = match &g.api {
        Some(a) => base_url(a, "agenda.github", "api", src)?,
        None => Url::parse(DEFAULT_GITHUB_API).expect("the default API is a URL"),
    };
    Ok(GithubSource {
        repo: repo.to_string(),
        label: label.to_string(),
        kind,
        token,
        api,
    })
}
