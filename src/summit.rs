//! Summit selection: which occurrences of the feed are summits, and which of those are
//! cancelled.

use chrono::{DateTime, Utc};

use crate::calendar::{Calendar, Occurrence, Window, occurrences};
use crate::config::{Config, Member};
use crate::ledger::OccurrenceKey;
use crate::rotation::{self, Basis};

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
/// The rotation walks every summit from `rotation.start` (default: the first summit in
/// the feed) with the facilitation record, so the answer depends only on the config, the
/// record and the feed, not on when it is asked (see [`crate::rotation::assign`]).
pub fn plan(
    cal: &Calendar,
    config: &Config,
    now: DateTime<Utc>,
    count: usize,
    warnings: &mut Vec<String>,
) -> Vec<Planned> {
    rota(cal, config, now, count, warnings)
        .into_iter()
        .map(|(p, _)| p)
        .collect()
}

/// [`plan`], with why each summit has its facilitator.
pub fn rota(
    cal: &Calendar,
    config: &Config,
    now: DateTime<Utc>,
    count: usize,
    warnings: &mut Vec<String>,
) -> Vec<(Planned, Basis)> {
    let rotation = &config.rotation;
    let members = &rotation.members;
    let from = match rotation.start {
        Some(d) => d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
        None => DateTime::<Utc>::UNIX_EPOCH,
    }
    .min(now);
    let horizon = Window::new(now, None).to;
    // A pin looks ahead as many summits as the roster has members.
    let wanted = count + members.len();
    let mut all: Vec<(Occurrence, bool)> = Vec::new();
    let mut upcoming = 0;
    let mut summits = occurrences(
        cal,
        Window::new(from, Some(horizon)),
        Some(&config.calendar.summit),
        warnings,
    );
    for o in summits.by_ref() {
        if upcoming == wanted {
            break;
        }
        let cancelled = is_cancelled(&o);
        if !cancelled && o.start.instant() >= now {
            upcoming += 1;
        }
        all.push((o, cancelled));
    }
    warnings.extend(summits.take_warnings());
    let summits: Vec<rotation::Summit> = all
        .iter()
        .map(|(o, cancelled)| rotation::Summit {
            key: OccurrenceKey::of(o),
            date: o.start.date_utc(),
            cancelled: *cancelled,
        })
        .collect();
    let record = &rotation.history.entries;
    let assigned = rotation::assign(members, &rotation.pins, record, &summits, rotation.start);
    let out: Vec<(Planned, Basis)> = all
        .into_iter()
        .zip(assigned)
        .filter(|((o, cancelled), _)| !cancelled && o.start.instant() >= now)
        .take(count)
        .map(|((summit, _), a)| {
            let facilitator = match (a.member, a.basis) {
                (Some(i), _) => Some(members[i].clone()),
                (None, Basis::Recorded(r)) => Some(Member {
                    name: record[r]
                        .name
                        .clone()
                        .unwrap_or_else(|| record[r].email.to_string()),
                    email: record[r].email.clone(),
                    away: Vec::new(),
                }),
                _ => None,
            };
            (
                Planned {
                    summit,
                    facilitator,
                },
                a.basis,
            )
        })
        .collect();
    check(config, &summits, &out, now, warnings);
    out
}

/// Warnings about what the configuration asks and the rotation cannot honour: a pin on
/// a date with no summit, a pin on a summit the record already decided, a recorded
/// facilitator of an upcoming summit who is now away or off the roster.
fn check(
    config: &Config,
    summits: &[rotation::Summit],
    out: &[(Planned, Basis)],
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) {
    let rotation = &config.rotation;
    let record_name = rotation.record.as_ref().map_or_else(
        || "the record".to_string(),
        |p| format!("`{}`", p.display()),
    );
    let (Some(first), Some(last)) = (summits.first(), summits.last()) else {
        return;
    };
    for pin in &rotation.pins {
        let email = &rotation.members[pin.member].email;
        if pin.date < now.date_naive() || pin.date < first.date || pin.date > last.date {
            continue;
        }
        if !summits.iter().any(|s| s.date == pin.date && !s.cancelled) {
            warnings.push(format!(
                "rotation.assign pins `{email}` to {}, but no summit (not cancelled) is on that date (UTC); the pin has no effect",
                pin.date
            ));
        }
        for (p, basis) in out {
            if let Basis::Recorded(_) = basis
                && p.summit.start.date_utc() == pin.date
                && p.facilitator.as_ref().is_some_and(|f| &f.email != email)
            {
                warnings.push(format!(
                    "rotation.assign pins `{email}` to {}, but {record_name} already names `{}` for that summit, and the record wins; edit the record to change it",
                    pin.date,
                    p.facilitator.as_ref().map(|f| f.email.to_string()).unwrap_or_default()
                ));
            }
        }
    }
    for (p, basis) in out {
        let (Basis::Recorded(_), Some(f)) = (basis, &p.facilitator) else {
            continue;
        };
        let date = p.summit.start.date_utc();
        let why = match rotation.members.iter().find(|m| m.email == f.email) {
            None => "is no longer on the roster",
            Some(m) if m.is_away(date) => "is away that day",
            Some(_) => continue,
        };
        warnings.push(format!(
            "{record_name} names `{}` for the summit on {date}, who {why}; the record wins: edit it to change the facilitator",
            f.email
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::When;
    use chrono::NaiveDate;

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
