//! The values of flags and arguments, parsed for clap: instants, dates, counts, zones,
//! steps and ledger states, each refused with a message that quotes it.

use std::ffi::OsStr;

use chrono::{DateTime, NaiveDate, Utc};
use clap::builder::{PossibleValue, TypedValueParser};
use clap::{Arg, Command};

use crate::model::Kind;
use crate::model::State;
use crate::model::Step;
use crate::plan::find::SummitDate;

pub(crate) use crate::text::parse_regex;

pub(crate) fn parse_instant(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!("`{s}` is not an RFC 3339 instant, expected e.g. `2026-11-26T16:00:00Z`")
        })
}

/// A `--now`: an RFC 3339 instant, a date `YYYY-MM-DD` (its 00:00 UTC), `today` or
/// `tomorrow` (00:00 UTC of that day, by the clock); see [`now_at`].
pub(crate) fn parse_now(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    now_at(s, Utc::now())
}

/// [`parse_now`] with `clock` as the clock: pure.
pub(crate) fn now_at(s: &str, clock: DateTime<Utc>) -> std::result::Result<DateTime<Utc>, String> {
    let t = s.trim();
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    match t.to_ascii_lowercase().as_str() {
        "today" => return Ok(midnight(clock.date_naive())),
        "tomorrow" => return Ok(midnight(clock.date_naive() + chrono::Duration::days(1))),
        w @ ("next" | "last") => {
            return Err(format!(
                "`{s}` names a summit, not an instant: `--now` takes an RFC 3339 instant, a date `YYYY-MM-DD` (00:00 UTC), `today` or `tomorrow`; `{w}` is for `--summit`"
            ));
        }
        _ => {}
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(t) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(midnight)
        .map_err(|_| {
            format!(
                "`{s}` is not an instant, expected RFC 3339 (e.g. `2026-11-26T16:00:00Z`), a date `YYYY-MM-DD` (00:00 UTC), `today` or `tomorrow`"
            )
        })
}

/// A `--summit`: a date `YYYY-MM-DD` (UTC), `today`, `tomorrow` (by `--now`, UTC),
/// `next` or `last` (the next summit at or after now, the last one before it).
pub(crate) fn parse_summit_date(s: &str) -> std::result::Result<SummitDate, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "today" => Ok(SummitDate::Today),
        "tomorrow" => Ok(SummitDate::Tomorrow),
        "next" => Ok(SummitDate::Next),
        "last" => Ok(SummitDate::Last),
        _ => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(SummitDate::On)
            .map_err(|_| {
                format!(
                    "`{s}` is not a summit date, expected `YYYY-MM-DD` (UTC), `today`, `tomorrow`, `next` or `last`"
                )
            }),
    }
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

/// An IANA zone name, in any case (`europe/berlin`): completions offer the names as
/// the database spells them.
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn clock() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T16:30:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn now_takes_rfc3339_dates_and_words() {
        assert_eq!(
            now_at("2026-11-26T16:00:00Z", clock()),
            Ok(at("2026-11-26T16:00:00Z"))
        );
        assert_eq!(
            now_at("2026-11-26T17:00:00+01:00", clock()),
            Ok(at("2026-11-26T16:00:00Z"))
        );
        assert_eq!(
            now_at("2026-11-26", clock()),
            Ok(at("2026-11-26T00:00:00Z"))
        );
        assert_eq!(now_at(" today ", clock()), Ok(at("2026-11-23T00:00:00Z")));
        assert_eq!(now_at("Tomorrow", clock()), Ok(at("2026-11-24T00:00:00Z")));
    }

    #[test]
    fn now_refuses_next_last_and_nonsense() {
        for w in ["next", "last"] {
            let e = now_at(w, clock()).unwrap_err();
            assert!(e.starts_with(&format!("`{w}` names a summit")), "{e}");
            assert!(e.contains("--summit"), "{e}");
        }
        let e = now_at("2026-13-01", clock()).unwrap_err();
        assert!(
            e.starts_with("`2026-13-01` is not an instant, expected RFC 3339"),
            "{e}"
        );
        assert!(now_at("yesterday", clock()).is_err());
    }

    #[test]
    fn summit_takes_dates_and_words() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(parse_summit_date("2026-11-26"), Ok(SummitDate::On(d)));
        assert_eq!(parse_summit_date("today"), Ok(SummitDate::Today));
        assert_eq!(parse_summit_date("TOMORROW"), Ok(SummitDate::Tomorrow));
        assert_eq!(parse_summit_date("next"), Ok(SummitDate::Next));
        assert_eq!(parse_summit_date("last"), Ok(SummitDate::Last));
        let e = parse_summit_date("2026-11-26T16:00:00Z").unwrap_err();
        assert!(
            e.starts_with("`2026-11-26T16:00:00Z` is not a summit date, expected `YYYY-MM-DD`"),
            "{e}"
        );
    }

    proptest! {
        #[test]
        fn any_rfc3339_instant_parses_to_itself(
            secs in -62_000_000_000i64..250_000_000_000i64,
            nanos in 0u32..1_000_000_000,
            offset_min in -1439i32..1440,
        ) {
            let t = DateTime::from_timestamp(secs, nanos).unwrap();
            let zone = chrono::FixedOffset::east_opt(offset_min * 60).unwrap();
            let text = t.with_timezone(&zone).to_rfc3339();
            prop_assert_eq!(now_at(&text, clock()), Ok(t));
            let z = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            prop_assert_eq!(now_at(&z, clock()), Ok(DateTime::from_timestamp(secs, 0).unwrap()));
        }
    }
}
