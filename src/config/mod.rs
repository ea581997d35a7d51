//! The TOML configuration (`../shared/CONTRACT.md`, "Configuration"), loaded and
//! validated in one step: a [`Config`] that exists is one every command can trust.
//! It is plain data from `summit.toml` and nothing else: the facilitation record, the
//! agenda and the feed it names are loaded elsewhere.
//!
//! The serde structs mirror the file (`raw.rs`); one validator per table turns each
//! into its validated type (`project.rs`, `calendar.rs`, `timeline.rs`, `mail.rs`,
//! `rotation.rs`, `agenda.rs` with `[outreach]`). Every table rejects unknown keys, and
//! every error names the file, the line and the key or value at fault (`source.rs`).

mod agenda;
mod calendar;
mod channels;
pub mod locate;
mod mail;
mod project;
mod raw;
mod rotation;
mod source;
mod timeline;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::model::{Member, Timeline};

pub use agenda::{
    AgendaConfig, AgendaSource, DEFAULT_AGENDA_TIMEOUT, DEFAULT_GITHUB_API, DEFAULT_OUTREACH_TOP,
    DEFAULT_PROPOSAL_SUBJECT, GithubKind, GithubSource, ImapSecurity, MailStore, MailboxSource,
    Voter,
};
pub use calendar::{
    CalendarConfig, DEFAULT_CACHE_MAX_AGE, DEFAULT_CANCEL_MISSING_AFTER, DEFAULT_FETCH_TIMEOUT,
    DEFAULT_SUMMIT_PATTERN,
};
pub use channels::{
    Audience, Channel, ChannelKind, DEFAULT_CHANNEL_TIMEOUT, DEFAULT_SECRET_COMMAND_TIMEOUT,
    Markup, Secret,
};
pub use mail::{
    DEFAULT_PASSWORD_COMMAND_TIMEOUT, DEFAULT_SENDMAIL_TIMEOUT, DEFAULT_SMTP_TIMEOUT, MailConfig,
    Security, Smtp, Transport,
};
pub use project::Project;
pub use rotation::Rotation;

/// A validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from; `None` for the built-in defaults (no config given).
    pub path: Option<PathBuf>,
    /// The folder relative paths in the file resolve against.
    pub dir: PathBuf,
    /// `[project]`: what the mails say about the project.
    pub project: Project,
    /// `[calendar]`: the feed and which of its events are summits.
    pub calendar: CalendarConfig,
    /// `[timeline]`: when each step of the facilitator's timeline is due.
    pub timeline: Timeline,
    /// `[mail]`: addresses and transport; `None` when the file has no `[mail]` table.
    pub mail: Option<MailConfig>,
    /// `[rotation]`: who facilitates.
    pub rotation: Rotation,
    /// `[agenda]` and `[outreach]`: the agenda file and how many topics the outreach
    /// covers.
    pub agenda: AgendaConfig,
    /// `[[channels]]`: chat rooms, webhooks, forums and accounts besides e-mail, in the
    /// file's order.
    pub channels: Vec<Channel>,
}

impl Config {
    /// The configuration used when none is given: summit regex
    /// [`DEFAULT_SUMMIT_PATTERN`], zone UTC, no mail, no roster.
    pub fn builtin() -> Self {
        Config {
            path: None,
            dir: PathBuf::from("."),
            project: Project {
                name: "the project".into(),
                ..Project::default()
            },
            calendar: CalendarConfig::default(),
            timeline: Timeline::default(),
            mail: None,
            rotation: Rotation::default(),
            agenda: AgendaConfig::default(),
            channels: Vec::new(),
        }
    }

    /// Reads and validates the configuration file at `path`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file, the line and the key or value: the file is
    /// missing or not TOML, a key is unknown or has the wrong type, the summit regex does
    /// not compile, a zone is not an IANA name, an address does not parse, a duration is
    /// malformed, the roster is empty or repeats an e-mail address, an away range is
    /// backwards.
    pub fn load(path: &Path) -> Result<Self> {
        let cap = crate::store::MAX_TEXT_BYTES;
        let text = crate::store::read_bounded_text(path, cap, crate::store::Links::Follow)
            .map_err(|e| Error::Config {
                path: path.to_path_buf(),
                message: match e {
                    crate::store::ReadError::Missing => "no such configuration file".into(),
                    crate::store::ReadError::Io(e) => format!("cannot read: {e}"),
                    e => e.message(path, cap, "a configuration file"),
                },
            })?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Self::from_toml(&text, path, &dir)
    }

    /// Parses and validates configuration text; `path` names it in errors and `dir` is
    /// where relative paths resolve.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn from_toml(text: &str, path: &Path, dir: &Path) -> Result<Self> {
        let src = source::Source { text, path, dir };
        let raw: raw::RawConfig = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().replace('\n', " ");
            src.err(e.span(), message)
        })?;
        // Table by table, in the order they have always been checked: of several
        // faults, the first found is the one reported.
        let calendar = calendar::validate(raw.calendar, &src)?;
        let timeline = timeline::validate(&raw.timeline, &src)?;
        let project = project::validate(raw.project, &src)?;
        let mail = raw.mail.map(|m| mail::validate(m, &src)).transpose()?;
        let rotation = rotation::validate(raw.rotation, &src)?;
        let agenda = agenda::validate(raw.agenda, &raw.outreach, &src)?;
        let channels = channels::validate(raw.channels, &src)?;
        Ok(Config {
            path: Some(path.to_path_buf()),
            dir: dir.to_path_buf(),
            project,
            calendar,
            timeline,
            mail,
            rotation,
            agenda,
            channels,
        })
    }

    /// The channels `step` is posted to: the `[[channels]]` of its audience
    /// ([`Audience::of`]), in the file's order.
    pub fn channels_of(&self, step: crate::model::Step) -> impl Iterator<Item = &Channel> {
        let audience = Audience::of(step);
        self.channels
            .iter()
            .filter(move |c| Some(c.audience) == audience)
    }

    /// The `[mail]` table, or an error saying it is needed.
    ///
    /// # Errors
    /// [`Error::Config`] when the configuration has no `[mail]` table.
    pub fn mail(&self) -> Result<&MailConfig> {
        self.mail.as_ref().ok_or_else(|| Error::Config {
            path: self.path.clone().unwrap_or_else(|| PathBuf::from("(no configuration)")),
            message: "no [mail] table: mail.from, mail.public-list and mail.team-list are needed to draft or send mail".into(),
        })
    }

    /// The roster, or an error saying it is needed.
    ///
    /// # Errors
    /// [`Error::Config`] when `[[rotation.members]]` is empty.
    pub fn members(&self) -> Result<&[Member]> {
        if self.rotation.members.is_empty() {
            return Err(Error::Config {
                path: self
                    .path
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("(no configuration)")),
                message:
                    "the roster is empty: add at least one [[rotation.members]] with name and email"
                        .into(),
            });
        }
        Ok(&self.rotation.members)
    }
}

#[cfg(test)]
mod tests;
