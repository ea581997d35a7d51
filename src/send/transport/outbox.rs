//! `mail.transport = "file"`: `.eml` files in an outbox folder.

use std::path::{Path, PathBuf};

use lettre::Message;

use crate::error::Error;
use crate::store::{self, write_atomically};

use super::{Failed, Outcome, Transport};

/// `mail.transport = "file"`: each message becomes `OUTBOX/NAME.eml`, written
/// atomically, where NAME is stable: the same message always gets the same file.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    /// Writes each message into `dir`, created when missing.
    pub fn new(dir: PathBuf) -> Self {
        Outbox { dir }
    }

    /// The file `message_id` is written to in `dir`: `DATE-KIND-HASH.eml` for the
    /// Message-IDs of [`crate::mail::message_id()`].
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

/// The outbox for `summit check`: there (created when missing) and writable; `note` ends
/// the line.
pub(super) fn check(dir: &Path, note: &str) -> std::result::Result<String, Failed> {
    let existed = dir.is_dir();
    store::create_folder(dir).and_then(|()| store::probe_writable(dir))?;
    Ok(format!(
        "file: outbox {}: {}writable{note}",
        dir.display(),
        if existed { "" } else { "created, " }
    ))
}
