//! Small pieces several commands show alike: times in a zone, how a facilitator was
//! decided, which steps a timeline lists, what the agenda's trouble is.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::agenda::Unreadable;
use crate::error::Error;
use crate::mail;
use crate::model::Step;
use crate::plan::inputs::Inputs;
use crate::plan::rotation::Basis;
use crate::plan::summit::Planned;

/// The reader's zone: `--tz` (`flag`) when given, else `TZ` when it names an IANA zone
/// (`Europe/Berlin`, `:Europe/Berlin`, or a path ending in `zoneinfo/Europe/Berlin`;
/// any case), else the system's (`/etc/localtime`), else UTC. A `TZ` that names no zone
/// is said once per run (a warning), and the system's zone is used.
pub fn reader_zone(flag: Option<Tz>) -> Tz {
    if let Some(tz) = flag {
        return tz;
    }
    if let Ok(tz) = std::env::var("TZ")
        && !tz.trim().is_empty()
    {
        match zone_name(&tz) {
            Some(z) => return z,
            None => {
                static WARNED: std::sync::Once = std::sync::Once::new();
                WARNED.call_once(|| {
                    crate::terminal::warn(&format!(
                        "TZ `{tz}` is not an IANA time zone name, expected e.g. `Europe/Berlin`; times are shown in the system's zone"
                    ));
                });
            }
        }
    }
    system_zone()
}

/// The system's zone (`/etc/localtime`), else UTC; `TZ` is not read (see
/// [`reader_zone`]).
pub fn system_zone() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .as_deref()
        .and_then(zone_name)
        .unwrap_or(Tz::UTC)
}

/// The IANA zone `s` names, in any case: `Europe/Berlin`, `:europe/berlin`, or a path
/// ending in `zoneinfo/Europe/Berlin`.
pub fn zone_name(s: &str) -> Option<Tz> {
    let s = s.trim().trim_start_matches(':');
    let s = s.rsplit_once("zoneinfo/").map_or(s, |(_, z)| z);
    s.parse::<Tz>()
        .ok()
        .or_else(|| Tz::from_str_insensitive(s).ok())
}

/// The one way human output shows an instant: `t` in `tz`, as
/// `Thu 17 Dec 2026 17:00 CET` (weekday, day, month, year, 24-hour time, the zone's
/// abbreviation).
pub fn instant(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %-d %b %Y %H:%M %Z")
        .to_string()
}

/// How human output shows a start or end: a timed one as [`instant`] does, an all-day
/// one as its date (`Thu 17 Dec 2026`).
pub fn when(w: crate::model::When, tz: Tz) -> String {
    match w {
        crate::model::When::Timed(t) => instant(t, tz),
        crate::model::When::AllDay(d) => d.format("%a %-d %b %Y").to_string(),
    }
}

/// How a facilitator was decided, as `who --json` and `next --json` say it:
/// `announced` (a message summit sent named them), `record`, `pin`, `rotation`, or
/// `None` (nobody, cancelled, before `rotation.start`).
pub fn decided(basis: Basis, record: &[crate::record::Entry]) -> Option<&'static str> {
    match basis {
        Basis::Recorded(r) if announced(record, r) => Some("announced"),
        Basis::Recorded(_) => Some("record"),
        Basis::Pinned => Some("pin"),
        Basis::Rotation => Some("rotation"),
        _ => None,
    }
}

/// Whether record entry `r` is a facilitator a sent message named.
pub fn announced(record: &[crate::record::Entry], r: usize) -> bool {
    record
        .get(r)
        .is_some_and(|e| e.decided == crate::record::Decided::Announced)
}

/// Whether `step` belongs in the listed timeline of `p`: the checklist step only when an
/// agenda applies, or was to apply but cannot be read (without one the outreach is the
/// facilitator's checklist).
pub fn listed(step: Step, p: &Planned, config: &Inputs) -> bool {
    step != Step::Checklist
        || mail::ranked_agenda(p, config).is_some()
        || mail::agenda_error(step, p, config).is_some()
}

/// The warnings about the agenda: the file cannot be loaded (one line), or it was
/// loaded with something worth a look (an owner address that does not parse).
pub fn agenda_warnings(inputs: &Inputs) -> Vec<String> {
    inputs
        .agenda_error
        .iter()
        .map(Unreadable::warning)
        .chain(
            inputs
                .agenda
                .iter()
                .flat_map(|l| l.warnings.iter().cloned()),
        )
        .collect()
}

/// `agenda unreadable` when `error` is the agenda's: the note `next` and `timeline`
/// show for a step whose recipients the agenda decides (the warning says why).
pub fn agenda_fault(error: Option<&Error>) -> Option<String> {
    matches!(error, Some(Error::Agenda { .. })).then(|| "agenda unreadable: see the warning".into())
}

/// The channels `step` goes to (`[[channels]]` of its audience), or only the one named
/// `only` (`--channel NAME`).
///
/// # Errors
/// [`Error::Usage`] when `only` names no configured channel, or one `step` does not go
/// to.
pub fn step_channels<'a>(
    step: Step,
    config: &'a Inputs,
    only: Option<&str>,
) -> Result<Vec<&'a crate::config::Channel>, Error> {
    let audience = crate::config::Audience::of(step);
    let Some(name) = only else {
        return Ok(config.channels_of(step).collect());
    };
    let Some(c) = config.channels.iter().find(|c| c.name == name) else {
        let names: Vec<String> = config
            .channels
            .iter()
            .map(|c| format!("`{}`", c.name))
            .collect();
        return Err(Error::Usage(format!(
            "--channel `{}` is not a configured channel, expected {}",
            crate::terminal::line(name),
            if names.is_empty() {
                "a [[channels]] table in the configuration".to_string()
            } else {
                format!("one of {}", names.join(", "))
            }
        )));
    };
    if Some(c.audience) != audience {
        return Err(Error::Usage(format!(
            "the {step} does not go to channel `{name}` (a {} channel), expected {}",
            c.audience.name(),
            match audience {
                Some(a) => format!("a {} channel", a.name()),
                None => "no channel: it goes by e-mail only".to_string(),
            }
        )));
    }
    Ok(vec![c])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_shows_weekday_day_month_year_time_and_zone() {
        let t: DateTime<Utc> = "2026-12-17T16:00:00Z".parse().unwrap();
        assert_eq!(instant(t, Tz::UTC), "Thu 17 Dec 2026 16:00 UTC");
        assert_eq!(instant(t, Tz::Europe__Berlin), "Thu 17 Dec 2026 17:00 CET");
        assert_eq!(instant(t, Tz::Asia__Kolkata), "Thu 17 Dec 2026 21:30 IST");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(
            when(crate::model::When::AllDay(d), Tz::UTC),
            "Thu 3 Dec 2026"
        );
    }

    #[test]
    fn zone_names_are_read_in_any_case_and_form() {
        for s in [
            "Europe/Berlin",
            "europe/berlin",
            ":EUROPE/Berlin",
            "/usr/share/zoneinfo/Europe/Berlin",
        ] {
            assert_eq!(zone_name(s), Some(Tz::Europe__Berlin), "{s}");
        }
        assert_eq!(zone_name("garbage"), None);
        assert_eq!(reader_zone(Some(Tz::Asia__Kolkata)), Tz::Asia__Kolkata);
    }
}
