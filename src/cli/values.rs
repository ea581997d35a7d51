//! The values of flags and arguments, parsed for clap: instants, dates, counts, zones,
//! steps and ledger states, each refused with a message that quotes it.

use std::ffi::OsStr;

use chrono::{DateTime, NaiveDate, Utc};
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Arg, Command};

use crate::model::Kind;
use crate::model::State;
use crate::model::Step;

pub(crate) use crate::text::parse_regex;

pub(crate) fn parse_instant(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!("`{s}` is not an RFC 3339 instant, expected e.g. `2026-11-26T16:00:00Z`")
        })
}

pub(crate) fn parse_date(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date, expected `YYYY-MM-DD`"))
}

/// The largest `--count` taken; a larger one is lowered to it with a warning.
pub const MAX_COUNT: usize = 100_000;

/// A `--count`: a whole number from 1 (every command refuses 0 alike), at most
/// [`MAX_COUNT`] (a larger one, however large, is lowered with a warning).
pub(crate) fn parse_count(s: &str) -> std::result::Result<usize, String> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) && t.bytes().any(|b| b != b'0') {
        return Ok(match t.parse::<usize>() {
            Ok(n) if n <= MAX_COUNT => n,
            _ => {
                crate::cli::printer::warn(&format!(
                    "`--count {t}` is more than {MAX_COUNT}, using {MAX_COUNT}"
                ));
                MAX_COUNT
            }
        });
    }
    Err(format!(
        "`{s}` is not a count, expected a whole number from 1"
    ))
}

pub(crate) fn parse_zone(s: &str) -> std::result::Result<chrono_tz::Tz, String> {
    crate::cli::show::zone_name(s).ok_or_else(|| {
        format!("`{s}` is not an IANA time zone name, expected e.g. `Europe/Berlin`")
    })
}

/// A value parser for one of a fixed list of names: `parse` decides (so a refusal reads
/// as it always did), and the names are offered to `--help` and shell completions.
#[derive(Clone)]
pub(crate) struct Names<T> {
    names: Vec<&'static str>,
    parse: fn(&str) -> std::result::Result<T, String>,
}

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Names<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&Arg>,
        value: &OsStr,
    ) -> std::result::Result<T, clap::Error> {
        TypedValueParser::parse_ref(&self.parse, cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(self.names.iter().map(|n| PossibleValue::new(*n))))
    }
}

/// A timeline step's name (`agenda-vote`), as [`Step`] parses it.
pub(crate) fn step() -> Names<Step> {
    Names {
        names: Step::names(),
        parse: |s| s.parse(),
    }
}

/// A step's name or `correction`, as [`Kind`] parses it.
pub(crate) fn kind() -> Names<Kind> {
    let mut names = Step::names();
    names.push(Kind::Correction.name());
    Names {
        names,
        parse: |s| s.parse(),
    }
}

/// A ledger state's name (`intent`), as [`State`] parses it.
pub(crate) fn state() -> Names<State> {
    Names {
        names: State::ALL.iter().map(|s| s.name()).collect(),
        parse: |s| s.parse(),
    }
}
