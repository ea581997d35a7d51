//! The recurring series of a feed, as a person setting `summit` up picks one
//! (`summit init`): each with its title, its cadence in words ([`super::cadence`]), its
//! next occurrence and how many occurrences fall in the next year.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::cadence::{IRREGULAR, cadence};
use super::expand::{Window, occurrences};
use super::parse::Calendar;
use crate::model::When;

/// One recurring series of a feed: the VEVENTs that share a title (SUMMARY, compared
/// trimmed and without regard to case), so that a series Google split in two ("this and
/// following events") stays one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Series {
    /// The title, as the first VEVENT of the series in the feed spells it.
    pub title: String,
    /// How often it recurs, in words: "monthly on the last Thursday", or "irregular".
    pub cadence: String,
    /// The start of its next occurrence that is not cancelled.
    pub next: When,
    /// How many occurrences that are not cancelled start in the year from now.
    pub next_year: usize,
}

/// How far ahead [`recurring_series`] looks for a next occurrence.
const HORIZON_DAYS: i64 = 3653;

/// What is gathered of one title while reading the feed.
#[derive(Default)]
struct Group {
    title: String,
    /// The cadence of each master with an RRULE or RDATE, by UID.
    rules: HashMap<String, String>,
    /// The UIDs with an occurrence ahead.
    upcoming: Vec<String>,
    next: Option<When>,
    next_year: usize,
}

/// The recurring series of `cal` with an occurrence ahead of `now`, ordered by their
/// next occurrence (then title). A series is a title with a master VEVENT that has an
/// RRULE or RDATE, or a title that two or more occurrences in the next year share (one-off
/// events published one by one, whose cadence is "irregular"). Cancelled occurrences
/// (STATUS:CANCELLED, a "Cancelled:" title) do not count. Problems met while expanding
/// are appended to `warnings`.
pub fn recurring_series(
    cal: &Calendar,
    now: DateTime<Utc>,
    warnings: &mut Vec<String>,
) -> Vec<Series> {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_title: HashMap<String, usize> = HashMap::new();
    let mut by_uid: HashMap<&str, usize> = HashMap::new();
    let mut group_of = |title: &str, groups: &mut Vec<Group>| -> usize {
        *by_title.entry(key(title)).or_insert_with(|| {
            groups.push(Group {
                title: title.trim().to_string(),
                ..Group::default()
            });
            groups.len() - 1
        })
    };
    for ev in cal.events.iter().filter(|ev| ev.recurrence_id.is_none()) {
        let i = group_of(&ev.summary, &mut groups);
        if !ev.uid.is_empty() {
            by_uid.entry(ev.uid.as_str()).or_insert(i);
        }
        if !ev.rrules.is_empty() || !ev.rdates.is_empty() {
            let words = match ev.rrules.as_slice() {
                [rule] => cadence(rule, ev.dtstart.local_date()),
                _ => IRREGULAR.to_string(),
            };
            groups[i].rules.insert(ev.uid.clone(), words);
        }
    }
    let year = now + Duration::days(365);
    let window = Window::new(now, Some(now + Duration::days(HORIZON_DAYS)));
    let mut found = occurrences(cal, window, None, warnings);
    for o in found.by_ref().filter(|o| !o.is_cancelled()) {
        let i = match by_uid.get(o.uid.as_str()) {
            Some(i) => *i,
            None => group_of(&o.summary, &mut groups),
        };
        let g = &mut groups[i];
        g.next.get_or_insert(o.start);
        if o.start.instant() < year {
            g.next_year += 1;
        }
        if !g.upcoming.contains(&o.uid) {
            g.upcoming.push(o.uid);
        }
    }
    warnings.extend(found.take_warnings());
    let mut series: Vec<Series> = groups.into_iter().filter_map(Group::series).collect();
    series.sort_by(|a, b| (a.next, &a.title).cmp(&(b.next, &b.title)));
    series
}

impl Group {
    /// The series this group is, if it is one with an occurrence ahead.
    fn series(self) -> Option<Series> {
        let next = self.next?;
        if self.rules.is_empty() && self.next_year < 2 {
            return None;
        }
        // The cadence of the series still running: one wording when they agree.
        let running: Vec<Option<&String>> = self
            .upcoming
            .iter()
            .map(|uid| self.rules.get(uid))
            .collect();
        let cadence = match running.first() {
            Some(Some(first)) if running.iter().all(|r| *r == Some(*first)) => (*first).clone(),
            _ => IRREGULAR.to_string(),
        };
        Some(Series {
            title: self.title,
            cadence,
            next,
            next_year: self.next_year,
        })
    }
}

/// The key titles are grouped by: trimmed, lower case.
fn key(title: &str) -> String {
    title.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse;
    use chrono_tz::Tz;

    fn series(events: &str, now: &str) -> Vec<Series> {
        let text = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n");
        let cal = parse(text.as_bytes(), "test.ics", Tz::UTC).unwrap();
        let now = DateTime::parse_from_rfc3339(now)
            .unwrap()
            .with_timezone(&Utc);
        let mut warnings = Vec::new();
        let found = recurring_series(&cal, now, &mut warnings);
        assert_eq!(warnings, Vec::<String>::new());
        found
    }

    fn event(uid: &str, summary: &str, start: &str, more: &str) -> String {
        format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART:{start}\r\n{more}END:VEVENT\r\n"
        )
    }

    #[test]
    fn the_sample_feed_has_the_summit_and_the_office_hours() {
        let bytes = std::fs::read("examples/prometheus-summit.ics").unwrap();
        let cal = parse(&bytes, "sample", Tz::UTC).unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let found = recurring_series(&cal, now, &mut Vec::new());
        let titles: Vec<(&str, &str)> = found
            .iter()
            .map(|s| (s.title.as_str(), s.cadence.as_str()))
            .collect();
        assert_eq!(
            titles,
            [
                ("Prometheus Contributor Office Hours", "weekly on Wednesday"),
                (
                    "Prometheus Developer Summit",
                    "monthly on the last Thursday"
                ),
            ]
        );
        let summit = &found[1];
        // Moved from New Year's Eve to 17 December; January is cancelled.
        assert_eq!(summit.next.to_string(), "2026-12-17T16:00:00Z");
        assert_eq!(summit.next_year, 11);
    }

    #[test]
    fn overrides_and_split_series_group_by_title() {
        let events = [
            event(
                "old",
                "Dev Summit",
                "20250102T160000Z",
                "RRULE:FREQ=WEEKLY;UNTIL=20260101T000000Z\r\n",
            ),
            event(
                "new",
                " dev summit ",
                "20260106T160000Z",
                "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU\r\n",
            ),
            event(
                "new",
                "Dev Summit (moved)",
                "20260121T160000Z",
                "RECURRENCE-ID:20260120T160000Z\r\n",
            ),
            event("one", "Launch party", "20260301T160000Z", ""),
        ]
        .concat();
        let found = series(&events, "2026-01-01T00:00:00Z");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].title, "Dev Summit");
        assert_eq!(found[0].cadence, "every 2 weeks on Tuesday");
        assert_eq!(found[0].next.to_string(), "2026-01-06T16:00:00Z");
        assert_eq!(found[0].next_year, 26);
    }

    #[test]
    fn one_off_events_sharing_a_title_are_an_irregular_series() {
        let events = [
            event("a", "Community call", "20260110T160000Z", ""),
            event("b", "Community call", "20260301T160000Z", ""),
            event("c", "Release party", "20260401T160000Z", ""),
        ]
        .concat();
        let found = series(&events, "2026-01-01T00:00:00Z");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].cadence, IRREGULAR);
        assert_eq!(found[0].next_year, 2);
    }

    #[test]
    fn ended_and_cancelled_series_are_left_out() {
        let events = [
            event(
                "ended",
                "Old sync",
                "20240102T160000Z",
                "RRULE:FREQ=WEEKLY;COUNT=3\r\n",
            ),
            event(
                "off",
                "Paused sync",
                "20260102T160000Z",
                "RRULE:FREQ=MONTHLY\r\nSTATUS:CANCELLED\r\n",
            ),
        ]
        .concat();
        assert_eq!(series(&events, "2026-01-01T00:00:00Z"), []);
    }
}
