//! Unit tests of [`super`].

use super::*;
use crate::model::Member;
use crate::model::Occurrence;

fn planned(name: &str, summary: &str) -> Planned {
    let t = |s: &str| When::Timed(s.parse().unwrap());
    Planned {
        summit: Occurrence {
            uid: "abc@google.com".into(),
            summary: summary.into(),
            start: t("2026-12-17T16:00:00Z"),
            end: t("2026-12-17T18:00:00Z"),
            all_day: false,
            recurrence_id: Some(t("2026-12-31T16:00:00Z")),
            status: None,
            location: None,
            url: None,
        },
        facilitator: Some(Member {
            name: name.into(),
            email: "x@example.org".parse().unwrap(),
            away: Vec::new(),
            greeting: None,
            github: None,
        }),
    }
}

#[test]
fn one_event_per_summit_with_a_stable_uid_escaped_and_folded() {
    let now = "2026-11-22T00:00:00Z".parse().unwrap();
    let long = "Développeurs; Summit, \\ ".repeat(6);
    let entries = [(planned("Grâce, Hopper; Jr.", &long), Basis::Rotation)];
    let a = ics(&entries, "P, facilitators", now);
    let b = ics(&entries, "P, facilitators", now);
    assert_eq!(a, b);
    for l in a.split("\r\n") {
        assert!(l.len() <= 75, "{l:?}");
    }
    assert!(a.ends_with("END:VCALENDAR\r\n"));
    assert!(!a.replace("\r\n", "").contains('\n'));
    let unfolded = a.replace("\r\n ", "");
    assert!(
        unfolded.contains("SUMMARY:Facilitator: Grâce\\, Hopper\\; Jr.\r\n"),
        "{unfolded}"
    );
    assert!(unfolded.contains("X-WR-CALNAME:P\\, facilitators\r\n"));
    assert!(unfolded.contains("DTSTART:20261217T160000Z\r\n"));
    assert!(unfolded.contains("DESCRIPTION:Développeurs\\; Summit\\, \\\\ "));
    let id = uid(&entries[0].0.summit);
    assert!(
        id.starts_with("facilitator-") && id.ends_with("@summit"),
        "{id}"
    );
    assert!(unfolded.contains(&format!("UID:{id}\r\n")));
    let mut other = entries[0].0.summit.clone();
    other.recurrence_id = None;
    assert_ne!(uid(&other), id);
}
