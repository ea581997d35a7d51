//! What the decisions are made from, gathered once: the configuration (plain data from
//! `summit.toml`), the facilitation record its `rotation.record` names, and the agenda
//! the command attaches when a step needs it.
//!
//! [`Inputs::load`] is the one place in `plan/` that reads a file: the record, once,
//! when the command starts. Everything else here takes the inputs as they are.

use std::ops::Deref;

use crate::agenda::{Agenda, Unreadable};
use crate::config::Config;
use crate::error::Result;
use crate::record::Record;

/// The configuration, the facilitation record and the agenda of one command.
///
/// It reads as its [`Config`] (through [`Deref`]), so a function that needs only the
/// configuration takes `&Config` and is passed `&inputs`. Its own fields come first:
/// `inputs.agenda` is the loaded agenda, `inputs.config.agenda` the `[agenda]` table.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The validated `summit.toml`.
    pub config: Config,
    /// The facilitation record (`rotation.record`) as loaded, with the facilitators the
    /// ledger says were announced added by the command ([`Record::with_announced`]);
    /// empty when `rotation.record` is not set or the file does not exist yet.
    pub record: Record,
    /// The agenda as loaded by the command (`--agenda` or `agenda.file`), with the date
    /// of the summit it is for.
    pub agenda: Option<Agenda>,
    /// The agenda file could not be loaded: recorded by the command instead of failing,
    /// so that only the outreach and the checklist of the summit it was for fail.
    pub agenda_error: Option<Unreadable>,
}

impl Inputs {
    /// The inputs of `config`: its facilitation record loaded (empty when
    /// `rotation.record` is not set or the file does not exist yet), no agenda yet.
    ///
    /// # Errors
    /// As [`Record::load`]: the record cannot be read or is malformed.
    pub fn load(config: Config) -> Result<Self> {
        let record = match &config.rotation.record {
            Some(path) => Record::load(path)?,
            None => Record::default(),
        };
        Ok(Inputs::new(config, record))
    }

    /// The inputs of `config` with `record` as its facilitation record, no agenda.
    pub fn new(config: Config, record: Record) -> Self {
        Inputs {
            config,
            record,
            agenda: None,
            agenda_error: None,
        }
    }
}

impl Deref for Inputs {
    type Target = Config;

    fn deref(&self) -> &Config {
        &self.config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[[rotation.members]]
name = "Ada"
email = "ada@example.org"
"#;

    #[test]
    fn the_record_is_loaded_from_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{MINIMAL}[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"ADA@example.org\"\n[rotation]\nrecord = \"facilitators.toml\"\n"
        );
        let path = dir.path().join("summit.toml");
        let c = Config::from_toml(&text, &path, dir.path()).unwrap();
        assert_eq!(
            c.rotation.record,
            Some(dir.path().join("facilitators.toml"))
        );
        let inputs = Inputs::load(c.clone()).unwrap();
        assert!(
            inputs.record.entries.is_empty(),
            "a missing record is empty"
        );
        assert!(inputs.agenda.is_none() && inputs.agenda_error.is_none());
        std::fs::write(
            dir.path().join("facilitators.toml"),
            "[[summit]]\ndate = \"2026-11-26\"\nfacilitator = \"nope\"\n",
        )
        .unwrap();
        let e = Inputs::load(c).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string().contains("facilitators.toml") && e.to_string().contains("`nope`"),
            "{e}"
        );
    }
}
