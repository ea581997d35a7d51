//! The questions `summit init` asks on a terminal (standard error), with `dialoguer`.

use dialoguer::theme::ColorfulTheme;
use dialoguer::{Input, Select};

use super::{Member, parse_address, parse_member};
use crate::error::{Error, Result};

/// A prompt that failed (the terminal went away, or reading it did).
fn failed(e: dialoguer::Error) -> Error {
    match e {
        dialoguer::Error::IO(source) => Error::Io {
            path: "<terminal>".into(),
            source,
        },
    }
}

/// Which series holds the summits: its index in `listing`, one line per series,
/// `default` preselected.
///
/// # Errors
/// As [`failed`].
pub(super) fn series(listing: &[String], default: usize) -> Result<usize> {
    Select::with_theme(&ColorfulTheme::default())
        .with_prompt("Which series is the summit?")
        .items(listing)
        .default(default)
        .interact()
        .map_err(failed)
}

/// One or more addresses, comma-separated, for `what` (a list).
///
/// # Errors
/// As [`failed`].
pub(super) fn addresses(what: &str) -> Result<Vec<String>> {
    let text: String = Input::with_theme(&ColorfulTheme::default())
        .with_prompt(what)
        .validate_with(|s: &String| split(s).map(|_| ()))
        .interact_text()
        .map_err(failed)?;
    split(&text).map_err(Error::Usage)
}

/// The addresses of a comma-separated answer, each checked.
fn split(text: &str) -> std::result::Result<Vec<String>, String> {
    let list: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(parse_address)
        .collect::<std::result::Result<_, _>>()?;
    if list.is_empty() {
        return Err("expected at least one address, e.g. `dev@example.org`".into());
    }
    Ok(list)
}

/// The first roster entries, one `Name <email>` a question, until an empty answer.
///
/// # Errors
/// As [`failed`].
pub(super) fn members() -> Result<Vec<Member>> {
    let mut members = Vec::new();
    loop {
        let prompt = if members.is_empty() {
            "First facilitator of the rotation (Name <email>)"
        } else {
            "Next member (Name <email>; empty when done)"
        };
        let first = members.is_empty();
        let text: String = Input::with_theme(&ColorfulTheme::default())
            .with_prompt(prompt)
            .allow_empty(!first)
            .validate_with(|s: &String| -> std::result::Result<(), String> {
                if s.trim().is_empty() && !first {
                    return Ok(());
                }
                parse_member(s).map(|_| ())
            })
            .interact_text()
            .map_err(failed)?;
        if text.trim().is_empty() {
            return Ok(members);
        }
        members.push(parse_member(&text).map_err(Error::Usage)?);
    }
}

/// The sender's mailbox, `default` when the answer is empty.
///
/// # Errors
/// As [`failed`].
pub(super) fn from(default: &str) -> Result<String> {
    Input::with_theme(&ColorfulTheme::default())
        .with_prompt("Sender of the mails (Name <email>)")
        .default(default.to_string())
        .validate_with(|s: &String| super::parse_mailbox(s).map(|_| ()))
        .interact_text()
        .map_err(failed)
}
