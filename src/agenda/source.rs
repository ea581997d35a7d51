//! Reading the configured agenda source (CONTRACT.md "Agenda sources"): a published
//! CSV or TOML (`agenda.url`, through the feed's cache), a mailbox (IMAP, mbox,
//! Maildir) or GitHub. A file (`agenda.file`, `--agenda`) is read by
//! [`super::Agenda::load`].

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{Agenda, Harvest, People, github, imap, local, mailbox};
use crate::calendar::fetch::{CacheOptions, Document, Source as Download, redact_url};
use crate::config::{AgendaConfig, AgendaSource, MailStore};
use crate::error::{Error, Result};
use crate::model::Member;

/// A published agenda: `agenda-HASH.csv` (or `.toml`) beside the feed's cache.
const PUBLISHED: Document = Document {
    noun: "agenda",
    what: "agenda",
    extension: "agenda",
    complete: |_| Ok(()),
};

/// What reading a source needs besides its table.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// `[agenda]`, whose `source` is read.
    pub config: &'a AgendaConfig,
    /// The rotation members: their votes count, their `github` logins name owners.
    pub members: &'a [Member],
    /// The IMAP password or GitHub token, read by the caller from `*-env` or
    /// `*-command`; `None` when the source has none.
    pub secret: Option<&'a str>,
    /// The start of the summit before the one the agenda is for (UTC): proposals
    /// arrived or created before it are for an earlier summit. `None`: no earlier
    /// summit is known, every proposal counts.
    pub since: Option<DateTime<Utc>>,
    /// The zone a date without a time counts in (the first of `calendar.zones`).
    pub zone: Tz,
    /// The state directory's cache (URL and GitHub sources), or `None` to read
    /// without one (nothing written).
    pub cache: Option<&'a CacheOptions>,
}

/// The name of `source` in messages: a URL by scheme and host, `imaps://HOST/MAILBOX`,
/// `mbox:PATH`, `maildir:PATH`, `github:OWNER/NAME`. Never a secret.
pub fn name(source: &AgendaSource) -> String {
    match source {
        AgendaSource::Url(u) => redact_url(u.as_str()),
        AgendaSource::Mailbox(m) => match &m.store {
            MailStore::Imap {
                host,
                port,
                security,
                mailbox,
            } => {
                let scheme = match security {
                    crate::config::ImapSecurity::Tls => "imaps",
                    _ => "imap",
                };
                format!("{scheme}://{host}:{port}/{mailbox}")
            }
            MailStore::Mbox(p) => format!("mbox:{}", p.display()),
            MailStore::Maildir(p) => format!("maildir:{}", p.display()),
        },
        AgendaSource::Github(g) => format!("github:{}", g.repo),
    }
}

/// Reads the agenda from `request.config.source`. The summit it is for is left for the
/// caller to tie (`summit: None`).
///
/// # Errors
/// [`Error::Agenda`] naming the source ([`name`]) when it cannot be read at all: the
/// server cannot be reached, the login or token is refused, the deadline passed, the
/// published file does not parse. Per-message, per-issue and per-row problems are the
/// agenda's warnings instead.
pub fn read(request: &Request) -> Result<Agenda> {
    let Some(source) = &request.config.source else {
        return Err(Error::Agenda {
            path: PathBuf::from("[agenda]"),
            message: "no agenda source is configured".into(),
        });
    };
    let name = name(source);
    let people = People::new(request.members, request.config);
    let timeout = request.config.timeout;
    let mailbox = matches!(source, AgendaSource::Mailbox(_));
    let harvest = match source {
        AgendaSource::Url(url) => return published(url.as_str(), &name, request),
        AgendaSource::Mailbox(m) => {
            let (letters, mut warnings) = match &m.store {
                MailStore::Mbox(p) => local::read_mbox(p, request.since)?,
                MailStore::Maildir(p) => local::read_maildir(p, request.since)?,
                MailStore::Imap {
                    host,
                    port,
                    security,
                    mailbox,
                } => {
                    let account = imap::Account {
                        host,
                        port: *port,
                        security: *security,
                        mailbox,
                        username: m.username.as_deref().unwrap_or_default(),
                        password: request.secret.unwrap_or_default(),
                    };
                    imap::fetch(&account, request.since, timeout)?
                }
            };
            let mut h = mailbox::harvest(&letters, &m.subject, &people, request.since);
            warnings.append(&mut h.warnings);
            Harvest { warnings, ..h }
        }
        AgendaSource::Github(g) => github::fetch(
            g,
            request.secret,
            &people,
            request.since,
            request.cache.map(|c| c.dir.as_path()),
            request.cache.is_some_and(|c| c.write),
            timeout,
        )?,
    };
    Ok(Agenda {
        path: PathBuf::from(name),
        summit: None,
        topics: harvest.topics,
        warnings: harvest.warnings,
        replies: mailbox.then_some(harvest.replies),
    })
}

/// `agenda.url`: downloaded (through the cache when there is one) and parsed as TOML
/// when its path ends in `.toml`, else as CSV.
fn published(url: &str, name: &str, request: &Request) -> Result<Agenda> {
    let toml = url
        .split(['?', '#'])
        .next()
        .is_some_and(|p| p.to_ascii_lowercase().ends_with(".toml"));
    let path = PathBuf::from(name);
    let parse = |bytes: &[u8]| {
        let text = std::str::from_utf8(bytes).map_err(|_| Error::Agenda {
            path: path.clone(),
            message: "the download is not UTF-8 text, expected CSV or TOML".into(),
        })?;
        if toml {
            Agenda::from_toml(text, &path, request.zone)
        } else {
            Agenda::from_csv(text, &path, request.zone)
        }
    };
    let download = Download::Url(url.to_string());
    let as_agenda = |e: Error| match e {
        Error::Feed { message, .. } => Error::Agenda {
            path: path.clone(),
            message,
        },
        e => e,
    };
    let (agenda, warning) = match request.cache {
        Some(cache) => download
            .read_cached_as(&PUBLISHED, cache, parse)
            .map_err(as_agenda)?,
        None => {
            let bytes = download.read(request.config.timeout).map_err(as_agenda)?;
            (parse(&bytes)?, None)
        }
    };
    let mut agenda = agenda;
    agenda.warnings.extend(warning);
    Ok(agenda)
}
