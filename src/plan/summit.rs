//! Summit selection: which occurrences of the feed are summits, and which of those are
//! cancelled.

use chrono::{DateTime, Utc};

use crate::calendar::{Calendar, Window, occurrences};
use crate::config::Config;
use crate::model::Member;
use crate::model::Occurrence;
use crate::plan::inputs::Inputs;
use crate::plan::rotation::{self, Basis};

/// Whether an occurrence is cancelled; see [`crate::calendar::is_cancelled`].
pub fn is_cancelled(o: &Occurrence) -> bool {
    o.is_cancelled()
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
/// record and the feed, not on when it is asked (see [`crate::plan::rotation::assign`]).
///
/// Memory: 16 bytes per summit since `rotation.start` (a [`rotation::Slot`]; the
/// expansion's query budget bounds their number) and whole occurrences only for the
/// `count` returned. Time: proportional to those summits.
pub fn plan(
    cal: &Calendar,
    inputs: &Inputs,
    now: DateTime<Utc>,
    count: usize,
    warnings: &mut Vec<String>,
) -> Vec<Planned> {
    without_basis(rota(cal, inputs, now, count, warnings))
}

/// The summits of a rota, without why each has its facilitator.
fn without_basis(rota: Vec<(Planned, Basis)>) -> Vec<Planned> {
    rota.into_iter().map(|(p, _)| p).collect()
}

/// [`plan`], with why each summit has its facilitator.
pub fn rota(
    cal: &Calendar,
    inputs: &Inputs,
    now: DateTime<Utc>,
    count: usize,
    warnings: &mut Vec<String>,
) -> Vec<(Planned, Basis)> {
    unbounded(cal, inputs, &Query::shown(now, count, false), warnings)
}

/// The summit of the day and the next ones: like [`rota`], but from the first summit
/// that has not ended at `now` (UTC), so a summit in progress (started before `now`,
/// ending after it) comes first. What the display commands show (`next`, `who`,
/// `timeline`, `checklist`): the facilitator keeps the run-sheet until the summit ends.
/// Who facilitates is the same as [`rota`] says; `tick` keeps to [`plan_through`].
pub fn rota_current(
    cal: &Calendar,
    inputs: &Inputs,
    now: DateTime<Utc>,
    count: usize,
    warnings: &mut Vec<String>,
) -> Vec<(Planned, Basis)> {
    unbounded(cal, inputs, &Query::shown(now, count, true), warnings)
}

/// What `who`, `rota` and `next` list: [`rota`] (or with `ongoing`, [`rota_current`]),
/// with the cancelled summits among them in their place too: a cancelled summit has
/// [`Basis::Cancelled`] and no facilitator, uses no one's turn, and does not count
/// towards `count` (which counts the summits held). Only those before the last summit
/// held that is listed are listed.
pub fn rota_listed(
    cal: &Calendar,
    inputs: &Inputs,
    now: DateTime<Utc>,
    count: usize,
    ongoing: bool,
    warnings: &mut Vec<String>,
) -> Vec<(Planned, Basis)> {
    let query = Query {
        cancelled: true,
        ..Query::shown(now, count, ongoing)
    };
    unbounded(cal, inputs, &query, warnings)
}

/// [`walk`] for a `query` without [`Through`], which cannot fail.
fn unbounded(
    cal: &Calendar,
    inputs: &Inputs,
    query: &Query,
    warnings: &mut Vec<String>,
) -> Vec<(Planned, Basis)> {
    match walk(cal, inputs, query, warnings) {
        Ok((out, _)) => out,
        Err(TooMany { .. }) => unreachable!("no bound was given"),
    }
}

/// [`rota_current`] without why each summit has its facilitator.
pub fn plan_current(
    cal: &Calendar,
    inputs: &Inputs,
    now: DateTime<Utc>,
    count: usize,
    warnings: &mut Vec<String>,
) -> Vec<Planned> {
    without_basis(rota_current(cal, inputs, now, count, warnings))
}

/// The start (UTC) of the last summit held (not cancelled) that starts before `before`,
/// looking back at most 400 days; `None` when there is none. Proposals for a summit are
/// those made after the one before it started (CONTRACT.md "Agenda sources").
pub fn previous_start(
    cal: &Calendar,
    config: &crate::config::Config,
    before: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let from = before.checked_sub_signed(chrono::Duration::days(400))?;
    let mut summits = occurrences(
        cal,
        Window::new(from, Some(before)),
        Some(&config.calendar.summit),
        &mut Vec::new(),
    );
    let mut last = None;
    while let Some(o) = summits.next_instance() {
        if !o.is_cancelled() {
            last = Some(o.start().instant());
        }
    }
    last
}

/// Whether `summit` is in progress at `now`: started at or before it, ending after it.
pub fn in_progress(summit: &Occurrence, now: DateTime<Utc>) -> bool {
    summit.start.instant() <= now && now < summit.end.instant()
}

/// More summits than asked for fall inside the window of [`plan_through`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooMany {
    /// The bound that was passed (`max`).
    pub max: usize,
}

/// The summits starting at or after `now`, each with its facilitator, up to and
/// including the first one that starts after `until` (UTC), and at least `count` of
/// them (fewer when the feed has fewer): what [`plan`] returns for the smallest such
/// count, in one walk. With them, whether the walk met any summit occurrence starting at
/// or after `now`, cancelled ones included (it walks the feed until it has them all, so
/// `false` means that there is none before [`Window::DEFAULT_HORIZON_DAYS`], or that the
/// expansion's query budget ran out). `current` is the present instant (UTC): summits
/// over by then get no warning about their announced facilitator.
///
/// # Errors
/// [`TooMany`] as soon as more than `max` summits (not cancelled) start between `now`
/// and `until`: the walk stops there, so the work stays bounded by `max` whole
/// occurrences whatever the feed.
pub fn plan_through(
    cal: &Calendar,
    inputs: &Inputs,
    now: DateTime<Utc>,
    count: usize,
    through: Through,
    current: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Planned>, bool), TooMany> {
    let query = Query {
        now,
        count,
        through: Some(through),
        ongoing: false,
        current,
        cancelled: false,
    };
    let (out, any) = walk(cal, inputs, &query, warnings)?;
    Ok((without_basis(out), any))
}

/// How far [`plan_through`] walks: every summit up to the first starting after `until`
/// (UTC), failing past `max` of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Through {
    /// The instant (UTC) the summits shown must reach past.
    pub until: DateTime<Utc>,
    /// The most summits (not cancelled) between `now` and `until`.
    pub max: usize,
}

/// What one [`walk`] looks for.
struct Query {
    /// From when summits are shown (UTC).
    now: DateTime<Utc>,
    /// How many summits to show at least.
    count: usize,
    /// How far to walk beyond `count`, if at all.
    through: Option<Through>,
    /// Whether a summit in progress at `now` is shown too.
    ongoing: bool,
    /// The present instant (UTC): summits over by then get no announced warning.
    current: DateTime<Utc>,
    /// Whether the cancelled summits among those shown are shown too.
    cancelled: bool,
}

impl Query {
    /// `count` summits from `now`, `ongoing` or not, without a bound.
    fn shown(now: DateTime<Utc>, count: usize, ongoing: bool) -> Self {
        Query {
            now,
            count,
            through: None,
            ongoing,
            current: now,
            cancelled: false,
        }
    }
}

/// [`rota`], showing at least `query.count` summits; with `query.through`, also every
/// summit up to the first starting after its `until`, failing past its `max`; with
/// whether any occurrence (cancelled included) starts at or after `query.now`. With
/// `query.ongoing`, a summit that started before `now` and ends after it is shown too
/// ([`rota_current`]).
fn walk(
    cal: &Calendar,
    inputs: &Inputs,
    query: &Query,
    warnings: &mut Vec<String>,
) -> Result<(Vec<(Planned, Basis)>, bool), TooMany> {
    let record = &inputs.record.entries;
    let mut matcher = rotation::Matcher::new(record);
    let (shown, any) = select(cal, inputs, query, &mut matcher, warnings)?;
    let matched = matcher.finish();
    let (out, instead) = assign(inputs, &matched, shown);
    check(inputs, matched.slots(), &out, query.now, warnings);
    announced_warnings(inputs, &out, &instead, query.current, warnings);
    Ok((out, any))
}

/// Walks the feed's summits from `rotation.start` (or the epoch) for the rotation,
/// pushing each into `matcher` (16 bytes each), and keeps the whole occurrence of the
/// ones `query` shows, with their index in the walk; with whether any occurrence
/// (cancelled included) is current.
fn select(
    cal: &Calendar,
    inputs: &Inputs,
    query: &Query,
    matcher: &mut rotation::Matcher<'_>,
    warnings: &mut Vec<String>,
) -> Result<(Vec<(usize, Occurrence)>, bool), TooMany> {
    let config = &inputs.config;
    let rotation = &config.rotation;
    let now = query.now;
    let from = match rotation.start {
        Some(d) => d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
        None => DateTime::<Utc>::UNIX_EPOCH,
    }
    .min(now);
    let horizon = Window::new(now, None).to;
    // How many summits to show: `count`, or more while they start before `until`.
    let mut count = query.count;
    let mut shown: Vec<(usize, Occurrence)> = Vec::new();
    // The summits held among `shown` (with `query.cancelled`, it has cancelled ones too).
    let mut held = 0;
    let mut upcoming = 0;
    let mut any = false;
    let mut summits = occurrences(
        cal,
        Window::new(from, Some(horizon)),
        Some(&config.calendar.summit),
        warnings,
    );
    // A pin looks ahead as many summits as the roster has members.
    while upcoming < count.saturating_add(rotation.members.len()) {
        let Some(o) = summits.next_instance() else {
            break;
        };
        let cancelled = o.is_cancelled();
        let start = o.start();
        let index = matcher.push(o.uid(), o.recurrence_id(), start.date_utc(), cancelled);
        let current = start.instant() >= now || query.ongoing && o.end().instant() > now;
        any |= current;
        if cancelled && current && query.cancelled && held < count {
            shown.push((index, o.occurrence()));
        }
        if cancelled || !current {
            continue;
        }
        upcoming += 1;
        if held < count {
            shown.push((index, o.occurrence()));
            held += 1;
            if let Some(Through { until, max }) = query.through
                && held == count
                && start.instant() <= until
            {
                // Not past `until` yet: one more.
                if count > max {
                    warnings.extend(summits.take_warnings());
                    return Err(TooMany { max });
                }
                count += 1;
            }
        }
    }
    warnings.extend(summits.take_warnings());
    Ok((shown, any))
}

/// For a summit whose facilitator a sent message named, whom the configuration would
/// give it otherwise (a roster index; `Some(None)`: nobody); `None` for other summits.
type Instead = Option<Option<usize>>;

/// The facilitator of each summit `shown` (with its index in the walk), and for each,
/// whom the configuration would give it instead when a sent message named its
/// facilitator ([`rotation::Walk::instead`]).
fn assign(
    inputs: &Inputs,
    matched: &rotation::Matched<'_>,
    shown: Vec<(usize, Occurrence)>,
) -> (Vec<(Planned, Basis)>, Vec<Instead>) {
    let rotation = &inputs.config.rotation;
    let members = &rotation.members;
    let record = &inputs.record.entries;
    let mut walk = matched.walk(members, &rotation.pins, rotation.start);
    let mut walked = 0;
    let mut out: Vec<(Planned, Basis)> = Vec::with_capacity(shown.len());
    let mut instead: Vec<Instead> = Vec::with_capacity(shown.len());
    for (index, summit) in shown {
        let a = walk
            .nth(index - walked)
            .expect("a walk step for every summit pushed");
        walked = index + 1;
        instead.push(walk.instead());
        let facilitator = match (a.member, a.basis) {
            (Some(i), _) => Some(members[i].clone()),
            (None, Basis::Recorded(r)) => Some(Member {
                name: record[r]
                    .name
                    .clone()
                    .unwrap_or_else(|| record[r].email.to_string()),
                email: record[r].email.clone(),
                away: Vec::new(),
                greeting: None,
                github: None,
            }),
            _ => None,
        };
        out.push((
            Planned {
                summit,
                facilitator,
            },
            a.basis,
        ));
    }
    (out, instead)
}

/// Announced is final: a warning for each summit not yet held at `current` whose
/// facilitator a sent message named, when the configuration would now give it to
/// someone else (`instead`, from [`assign`]).
fn announced_warnings(
    inputs: &Inputs,
    out: &[(Planned, Basis)],
    instead: &[Instead],
    current: DateTime<Utc>,
    warnings: &mut Vec<String>,
) {
    let members = &inputs.config.rotation.members;
    let record = &inputs.record.entries;
    for ((p, basis), alt) in out.iter().zip(instead) {
        let (Basis::Recorded(r), Some(alt)) = (basis, alt) else {
            continue;
        };
        if p.summit.end.instant().max(p.summit.start.instant()) <= current {
            // Held already: what the configuration says of it changes nothing.
            continue;
        }
        let e = &record[*r];
        let would = alt.map(|m| &members[m]);
        if would.is_some_and(|m| crate::model::Email::same(&m.email, &e.email)) {
            continue;
        }
        let was = p.facilitator.as_ref().map_or_else(
            || e.email.to_string(),
            |m| format!("{} <{}>", m.name, m.email),
        );
        let date = p.summit.start.date_utc();
        warnings.push(match would {
            Some(m) => format!(
                "{was}{ANNOUNCED_WARNING}{date}; the configuration would now give it to {} <{}>, but the announcement stands: a [[rotation.assign]] pin on {date} swaps it, with one correction to everyone who was told",
                m.name, m.email
            ),
            None => format!(
                "{was}{ANNOUNCED_WARNING}{date}; the configuration now has nobody for it (every member is away), but the announcement stands: a [[rotation.assign]] pin on {date} swaps it, with one correction to everyone who was told"
            ),
        });
    }
}

/// What the warning says when the configuration would give a summit whose facilitator
/// a message named to someone else (`tick` prints it on every run).
pub const ANNOUNCED_WARNING: &str = " was announced to facilitate the summit on ";

/// Whether `p`'s facilitator is the member a `[[rotation.assign]]` pin names for its
/// date (UTC).
pub fn pinned(p: &Planned, config: &Config) -> bool {
    let date = p.summit.start.date_utc();
    let rotation = &config.rotation;
    p.facilitator.as_ref().is_some_and(|m| {
        rotation
            .pins
            .iter()
            .any(|pin| pin.date == date && rotation.members[pin.member].email == m.email)
    })
}

/// Whether `p`'s facilitator was arranged by people rather than proposed by the
/// rotation: a pin names them, or the record has them for this summit from a pin or
/// written by hand (an entry a handover wrote with the rotation's choice does not
/// count). The handover words its proposal by this.
pub fn arranged(p: &Planned, inputs: &Inputs) -> bool {
    use crate::record::Decided;
    let Some(m) = &p.facilitator else {
        return false;
    };
    let key = crate::model::OccurrenceKey::of(&p.summit);
    let date = p.summit.start.date_utc();
    let recorded = inputs.record.entries.iter().any(|e| {
        matches!(e.decided, Decided::Pin | Decided::Manual)
            && crate::model::Email::same(&e.email, &m.email)
            && (e.key.as_ref() == Some(&key) || e.key.is_none() && e.date == date)
    });
    recorded || pinned(p, inputs)
}

/// Warnings about what the configuration asks and the rotation cannot honour: a pin on
/// a date with no summit, a pin on a summit the record already decided, a recorded
/// facilitator of an upcoming summit who is now away or off the roster.
fn check(
    inputs: &Inputs,
    summits: &[rotation::Slot],
    out: &[(Planned, Basis)],
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) {
    let rotation = &inputs.config.rotation;
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
        let (Basis::Recorded(r), Some(f)) = (basis, &p.facilitator) else {
            continue;
        };
        if inputs.record.entries[*r].decided == crate::record::Decided::Announced {
            // Said with what the configuration would give instead, by `walk`.
            continue;
        }
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
    use crate::model::When;
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

    fn daily(rrule: &str) -> (Calendar, Inputs) {
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:d@x\r\n\
DTSTART:20260101T160000Z\r\nDURATION:PT1H\r\nRRULE:{rrule}\r\nSUMMARY:Developer Summit\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        let cal = crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap();
        let config = Config::from_toml(
            "[[rotation.members]]\nname = \"Ada\"\nemail = \"ada@example.org\"\n\
[[rotation.members]]\nname = \"Grace\"\nemail = \"grace@example.org\"\n",
            std::path::Path::new("summit.toml"),
            std::path::Path::new("/cfg"),
        )
        .unwrap();
        (cal, Inputs::load(config).unwrap())
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    /// `plan_through` gives what `plan` gives for the smallest count that reaches past
    /// `until` (and at least `count`), facilitators included.
    #[test]
    fn plan_through_stops_at_the_first_summit_past_until() {
        let (cal, inputs) = daily("FREQ=DAILY");
        let now = t("2026-03-01T00:00:00Z");
        let w = &mut Vec::new();
        // Summits at 16:00 on March 1..=10 start before the 10th at 17:00; the 11th is past.
        let (got, any) = plan_through(
            &cal,
            &inputs,
            now,
            3,
            Through {
                until: t("2026-03-10T17:00:00Z"),
                max: 100,
            },
            now,
            w,
        )
        .unwrap();
        assert!(any);
        assert_eq!(got.len(), 11);
        assert_eq!(got, plan(&cal, &inputs, now, 11, w));
        assert_eq!(got[..], plan(&cal, &inputs, now, 40, w)[..11]);
        // At least `count`.
        let (got, _) = plan_through(
            &cal,
            &inputs,
            now,
            16,
            Through {
                until: t("2026-03-02T00:00:00Z"),
                max: 100,
            },
            now,
            w,
        )
        .unwrap();
        assert_eq!(got, plan(&cal, &inputs, now, 16, w));
        // A summit exactly at `until` is not past it.
        let (got, _) = plan_through(
            &cal,
            &inputs,
            now,
            1,
            Through {
                until: t("2026-03-02T16:00:00Z"),
                max: 100,
            },
            now,
            w,
        )
        .unwrap();
        assert_eq!(got.len(), 3);
    }

    /// `rota_current` adds the summit in progress in front of what `rota` gives, with
    /// the same facilitators; a summit is in progress from its start until its end.
    #[test]
    fn the_summit_in_progress_comes_first_until_it_ends() {
        let (cal, inputs) = daily("FREQ=DAILY");
        let w = &mut Vec::new();
        let starts = |v: &[(Planned, Basis)]| {
            v.iter()
                .map(|(p, _)| p.summit.start.to_string())
                .collect::<Vec<_>>()
        };
        // Summits at 16:00-17:00 UTC every day.
        let during = t("2026-03-01T16:30:00Z");
        let current = rota_current(&cal, &inputs, during, 3, w);
        assert_eq!(
            starts(&current),
            [
                "2026-03-01T16:00:00Z",
                "2026-03-02T16:00:00Z",
                "2026-03-03T16:00:00Z"
            ]
        );
        assert!(in_progress(&current[0].0.summit, during));
        assert!(!in_progress(&current[1].0.summit, during));
        assert_eq!(current[1..], rota(&cal, &inputs, during, 2, w)[..]);
        // The same facilitator as when it was still ahead.
        assert_eq!(
            current[0],
            rota(&cal, &inputs, t("2026-03-01T15:00:00Z"), 1, w)[0]
        );
        // At its end it is over.
        let end = t("2026-03-01T17:00:00Z");
        assert_eq!(
            rota_current(&cal, &inputs, end, 2, w),
            rota(&cal, &inputs, end, 2, w)
        );
        // Before any summit starts, the same as `rota`.
        let before = t("2026-03-01T15:59:59Z");
        assert_eq!(
            rota_current(&cal, &inputs, before, 2, w),
            rota(&cal, &inputs, before, 2, w)
        );
    }

    #[test]
    fn plan_through_refuses_more_than_max() {
        let (cal, inputs) = daily("FREQ=HOURLY");
        let now = t("2026-03-01T00:00:00Z");
        let until = t("2026-03-02T00:00:00Z");
        // 25 summits from 00:00 to 24:00 inclusive start at or before `until`.
        let w = &mut Vec::new();
        assert_eq!(
            plan_through(&cal, &inputs, now, 1, Through { until, max: 24 }, now, w),
            Err(TooMany { max: 24 })
        );
        let (got, _) =
            plan_through(&cal, &inputs, now, 1, Through { until, max: 25 }, now, w).unwrap();
        assert_eq!(got.len(), 26);
        // Nothing at or after `now`: none, and nothing met.
        let (cal, inputs) = daily("FREQ=DAILY;COUNT=5");
        let (got, any) =
            plan_through(&cal, &inputs, now, 1, Through { until, max: 25 }, now, w).unwrap();
        assert_eq!((got.len(), any), (0, false));
    }

    #[test]
    fn google_cancelled_prefixes() {
        for s in [
            "CANCELLED: Developer Summit",
            "Canceled: Developer Summit",
            "cancelled - Developer Summit",
            "  CANCELED:Developer Summit",
            "Cancelled      - Developer Summit",
        ] {
            assert!(is_cancelled(&occ(s, None)), "{s}");
        }
        for s in [
            "Developer Summit",
            "Cancelled talks review",
            "Cancellation policy: Developer Summit",
            "Developer Summit (CANCELLED: see list)",
            "Cancelled-Developer Summit",
            "Cancellé: Developer Summit",
            "Cancel",
        ] {
            assert!(!is_cancelled(&occ(s, None)), "{s}");
        }
        assert!(is_cancelled(&occ("Developer Summit", Some("CANCELLED"))));
    }
}
