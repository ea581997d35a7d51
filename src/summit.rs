//! Summit selection: which occurrences of the feed are summits, and which of those are
//! cancelled.

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::{Calendar, Occurrence, Window, occurrences};
use crate::config::{Config, Member};
use crate::rotation;

/// Whether an occurrence is cancelled: STATUS:CANCELLED (RFC 5545 §3.8.1.11), or what
/// Google exports for a cancelled instance, an override whose SUMMARY begins with
/// "Cancelled" or "Canceled" (any case) followed by `:` or ` -`.
pub fn is_cancelled(o: &Occurrence) -> bool {
    if o.is_status_cancelled() {
        return true;
    }
    let s = o.summary.trim_start().to_ascii_lowercase();
    ["cancelled", "canceled"].iter().any(|word| {
        s.strip_prefix(word).is_some_and(|rest| {
            rest.starts_with(':') || rest.trim_start().starts_with('-') && rest.starts_with(' ')
        })
    })
}

/// A summit and its facilitator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// The summit occurrence.
    pub summit: Occurrence,
    /// The facilitator, `None` when every member is away that day.
    pub facilitator: Option<Member>,
}

/// The next `count` summits starting at or after `now`, each with its facilitator
/// (`None` when every member is away, or the summit is before `rotation.start`).
///
/// The rotation counts every summit from `rotation.start` (default: the first summit in
/// the feed), so the answer depends only on the config and the feed, not on when it is
/// asked (see [`crate::rotation::assign`]).
pub fn plan(
    cal: &Calendar,
    config: &Config,
    now: DateTime<Utc>,
    count: usize,
    warnings: &mut Vec<String>,
) -> Vec<Planned> {
    let from = match config.rotation.start {
        Some(d) => d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
        None => DateTime::<Utc>::UNIX_EPOCH,
    }
    .min(now);
    let horizon = Window::new(now, None).to;
    let mut past_and_upcoming = Vec::new();
    let mut upcoming = 0;
    let mut summits = occurrences(
        cal,
        Window::new(from, Some(horizon)),
        Some(&config.calendar.summit),
        warnings,
    );
    for o in summits.by_ref().filter(|o| !is_cancelled(o)) {
        if upcoming == count {
            break;
        }
        if o.start.instant() >= now {
            upcoming += 1;
        }
        past_and_upcoming.push(o);
    }
    warnings.extend(summits.take_warnings());
    // Summits before `rotation.start` are nobody's turn.
    let counts = |o: &Occurrence| {
        config
            .rotation
            .start
            .is_none_or(|s| o.start.date_utc() >= s)
    };
    let dates: Vec<NaiveDate> = past_and_upcoming
        .iter()
        .filter(|o| counts(o))
        .map(|o| o.start.date_utc())
        .collect();
    let members = &config.rotation.members;
    let mut assigned = if members.is_empty() {
        vec![None; dates.len()]
    } else {
        rotation::assign(members, &dates)
    }
    .into_iter();
    past_and_upcoming
        .into_iter()
        .map(|o| {
            let who = if counts(&o) {
                assigned.next().flatten()
            } else {
                None
            };
            (o, who)
        })
        .filter(|(o, _)| o.start.instant() >= now)
        .map(|(summit, who)| Planned {
            summit,
            facilitator: who.map(|i| members[i].clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::When;

    fn occ(summary: &str, status: Option<&str>) -> Occurrence {
        Occurrence {
            uid: "u".into(),
            summary: summary.into(),
            start: When::AllDay(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            end: When::AllDay(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
            all_day: true,
            recurrence_id: None,
            status: status.map(String::from),
            location: None,
            url: None,
        }
    }

    #[test]
    fn google_cancelled_prefixes() {
        for s in [
            "CANCELLED: Developer Summit",
            "Canceled: Developer Summit",
            "cancelled - Developer Summit",
            "  CANCELED:Developer Summit",
        ] {
            assert!(is_cancelled(&occ(s, None)), "{s}");
        }
        for s in [
            "Developer Summit",
            "Cancelled talks review",
            "Cancellation policy: Developer Summit",
            "Developer Summit (CANCELLED: see list)",
        ] {
            assert!(!is_cancelled(&occ(s, None)), "{s}");
        }
        assert!(is_cancelled(&occ("Developer Summit", Some("CANCELLED"))));
    }
}
