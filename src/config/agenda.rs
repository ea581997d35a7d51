//! `[agenda]` and `[outreach]`: the agenda file and how many topics the outreach
//! covers. The agenda itself is loaded by the command, not here.

use std::path::PathBuf;

use super::raw::{RawAgenda, RawOutreach};
use super::source::Source;
use crate::error::Result;

/// `[agenda]` and `[outreach]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaConfig {
    /// `agenda.file`: the agenda of the next summit, a `.toml` or `.csv` file (relative
    /// to the config's folder); `--agenda FILE` overrides it.
    pub file: Option<PathBuf>,
    /// `outreach.top`: how many of the most-voted topics proposed before the topic
    /// deadline the outreach covers (default [`DEFAULT_OUTREACH_TOP`]).
    pub top: usize,
}

/// The default of `outreach.top`: how many of the most-voted topics the facilitator
/// reaches out to.
pub const DEFAULT_OUTREACH_TOP: usize = 3;

impl Default for AgendaConfig {
    fn default() -> Self {
        AgendaConfig {
            file: None,
            top: DEFAULT_OUTREACH_TOP,
        }
    }
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
    Ok(AgendaConfig {
        file: agenda.file.map(|f| src.dir.join(f)),
        top,
    })
}
