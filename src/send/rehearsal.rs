//! Safe rehearsal: a `tick` or `send` whose `--now` is more than an hour from the clock
//! acts in another time. It writes only to a state directory named for it (`--state-dir`
//! or `SUMMIT_STATE_DIR`), never to the facilitation record (`rotation.record`), and
//! says so; `--dry-run` writes nothing and is unaffected.

use chrono::{DateTime, Duration, Utc};

use crate::error::{Error, Result};

/// How far `--now` may be from the clock before a run is a rehearsal.
pub const TOLERANCE: Duration = Duration::hours(1);

/// What a `tick` or `send` run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--now` is within [`TOLERANCE`] of the clock, or `--dry-run`: as always.
    Live,
    /// `--now` is `offset` from the clock (positive: ahead of it): the ledger in the
    /// given state directory is written, the facilitation record is not.
    Rehearsal {
        /// `--now` minus the clock.
        offset: Duration,
    },
}

impl Mode {
    /// Whether handovers go into the facilitation record.
    pub fn writes_record(self) -> bool {
        self == Mode::Live
    }
}

/// Whether a run at `now` is a rehearsal, given the real `clock`, `--dry-run` and
/// whether the state directory was given (`--state-dir` or `SUMMIT_STATE_DIR`).
///
/// # Errors
/// [`Error::Usage`] for a rehearsal without a state directory given: it would write
/// to the configuration's real ledger.
pub fn decide(
    clock: DateTime<Utc>,
    now: DateTime<Utc>,
    dry_run: bool,
    state_dir_given: bool,
) -> Result<Mode> {
    let offset = now - clock;
    if dry_run || offset.abs() <= TOLERANCE {
        return Ok(Mode::Live);
    }
    if !state_dir_given {
        return Err(Error::Usage(format!(
            "`--now {}` is {} the clock ({}): a rehearsal, which writes only to a state directory named for it; expected `--state-dir PATH` (or SUMMIT_STATE_DIR), `--dry-run`, or a `--now` within an hour of the clock",
            stamp(now),
            distance(offset),
            stamp(clock)
        )));
    }
    Ok(Mode::Rehearsal { offset })
}

/// The one line a rehearsal says on standard error (behind `note: `), naming the state
/// directory it writes to.
pub fn note(now: DateTime<Utc>, offset: Duration, state_dir: &str) -> String {
    format!(
        "rehearsal at {} (--now is {} the clock): the ledger in `{state_dir}` is written, the facilitation record is not",
        stamp(now),
        distance(offset)
    )
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `offset` in words: `26 h after`, `1 h 30 min before`.
fn distance(offset: Duration) -> String {
    let minutes = offset.num_minutes().abs();
    let (h, m) = (minutes / 60, minutes % 60);
    let side = if offset < Duration::zero() {
        "before"
    } else {
        "after"
    };
    if m == 0 || h >= 10 {
        format!("{h} h {side}")
    } else {
        format!("{h} h {m} min {side}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const CLOCK: &str = "2026-11-30T12:00:00Z";

    #[test]
    fn within_the_hour_is_live() {
        for now in [CLOCK, "2026-11-30T13:00:00Z", "2026-11-30T11:00:00Z"] {
            assert_eq!(
                decide(at(CLOCK), at(now), false, false).unwrap(),
                Mode::Live
            );
        }
        assert!(Mode::Live.writes_record());
    }

    #[test]
    fn further_is_a_rehearsal_into_a_given_state_directory() {
        let mode = decide(at(CLOCK), at("2026-11-23T16:00:00Z"), false, true).unwrap();
        assert_eq!(
            mode,
            Mode::Rehearsal {
                offset: -Duration::hours(164)
            }
        );
        assert!(!mode.writes_record());
        let ahead = decide(at(CLOCK), at("2026-11-30T13:30:00Z"), false, true).unwrap();
        assert_eq!(
            ahead,
            Mode::Rehearsal {
                offset: Duration::minutes(90)
            }
        );
    }

    #[test]
    fn a_rehearsal_without_a_state_directory_is_refused() {
        let e = decide(at(CLOCK), at("2026-11-23T16:00:00Z"), false, false).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = e.to_string();
        assert!(
            e.contains(
                "`--now 2026-11-23T16:00:00Z` is 164 h before the clock (2026-11-30T12:00:00Z)"
            ),
            "{e}"
        );
        assert!(e.contains("--state-dir"), "{e}");
    }

    #[test]
    fn dry_run_is_never_a_rehearsal() {
        let far = at("2020-01-01T00:00:00Z");
        assert_eq!(decide(at(CLOCK), far, true, false).unwrap(), Mode::Live);
    }

    #[test]
    fn the_note_is_one_line_with_the_distance() {
        let n = note(at("2026-11-30T13:30:00Z"), Duration::minutes(90), "state");
        assert_eq!(
            n,
            "rehearsal at 2026-11-30T13:30:00Z (--now is 1 h 30 min after the clock): the ledger in `state` is written, the facilitation record is not"
        );
    }
}
