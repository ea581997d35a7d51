//! `[project]`: what the mails say about the project.

use toml::Spanned;

use super::raw::RawProject;
use super::source::Source;
use crate::error::Result;

/// `[project]`.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// `name`: the project's name, as the mails call it (default `"the project"`).
    pub name: String,
    /// `notes-url`: the shared agenda and notes document, where topics are proposed and
    /// voted on.
    pub notes_url: Option<String>,
    /// `calendar-url`: the public calendar page people subscribe to.
    pub calendar_url: Option<String>,
    /// `meeting-url`: where the summit happens (video call link). When set, the mails use
    /// it rather than the link the feed gives (see `mail::meeting_link`).
    pub meeting_url: Option<String>,
    /// `code-of-conduct-url`: the Code of Conduct mentioned at the start of the summit.
    pub code_of_conduct_url: Option<String>,
}

/// Validates `[project]`.
pub(super) fn validate(raw: RawProject, src: &Source) -> Result<Project> {
    Ok(Project {
        name: match &raw.name {
            None => "the project".into(),
            Some(n) => src.plain(n, "project.name")?,
        },
        notes_url: url(raw.notes_url, "notes-url", src)?,
        calendar_url: url(raw.calendar_url, "calendar-url", src)?,
        meeting_url: url(raw.meeting_url, "meeting-url", src)?,
        code_of_conduct_url: url(raw.code_of_conduct_url, "code-of-conduct-url", src)?,
    })
}

/// `project.KEY`, when set: an `http(s)://` URL, trimmed.
fn url(v: Option<Spanned<String>>, key: &str, src: &Source) -> Result<Option<String>> {
    match v {
        None => Ok(None),
        Some(s) => {
            let u = s.get_ref().trim();
            if u.starts_with("https://") || u.starts_with("http://") {
                Ok(Some(u.to_string()))
            } else {
                Err(src.at(
                    &s,
                    format!("project.{key} `{u}` is not a URL, expected `https://…`"),
                ))
            }
        }
    }
}
