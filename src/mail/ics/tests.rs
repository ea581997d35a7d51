//! Unit tests of [`super`].

use super::*;

fn summit() -> Occurrence {
    let t = |s: &str| When::Timed(s.parse().unwrap());
    Occurrence {
        uid: "abc@google.com".into(),
        summary: "Dev; Summit, \\ n\r\nBEGIN:VALARM".into(),
        start: t("2026-12-17T16:00:00Z"),
        end: t("2026-12-17T18:00:00Z"),
        all_day: false,
        recurrence_id: Some(t("2026-12-31T16:00:00Z")),
        status: None,
        location: Some("https://zoom.example.org/j/1".into()),
        url: None,
    }
}

#[test]
fn publishes_one_event_in_utc() {
    let now = "2026-12-14T16:00:00Z".parse().unwrap();
    let ics = event(&summit(), None, false, 0, now);
    let lines: Vec<&str> = ics.split("\r\n").collect();
    for want in [
        "METHOD:PUBLISH",
        "UID:abc@google.com",
        "RECURRENCE-ID:20261231T160000Z",
        "DTSTART:20261217T160000Z",
        "DTEND:20261217T180000Z",
        "DTSTAMP:20261214T160000Z",
        "SEQUENCE:0",
        "STATUS:CONFIRMED",
        "SUMMARY:Dev\\; Summit\\, \\\\ n BEGIN:VALARM",
    ] {
        assert!(lines.contains(&want), "{want} in\n{ics}");
    }
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("BEGIN:")).count(),
        2,
        "{ics}"
    );
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
}

#[test]
fn long_lines_fold_at_75_octets_on_character_boundaries() {
    let mut s = summit();
    s.summary = "Ünïcödé ".repeat(20);
    let ics = event(&s, None, true, 2, Utc::now());
    for l in ics.split("\r\n") {
        assert!(l.len() <= 75, "{l:?}");
    }
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains(&format!("SUMMARY:{}", one_line(&s.summary))));
    assert!(unfolded.contains("STATUS:CANCELLED") && unfolded.contains("SEQUENCE:2"));
}

#[test]
fn all_day_dates() {
    let mut s = summit();
    let d = |x: &str| When::AllDay(x.parse().unwrap());
    s.start = d("2027-03-16");
    s.end = d("2027-03-18");
    s.recurrence_id = None;
    let ics = event(&s, None, false, 0, Utc::now());
    assert!(ics.contains("DTSTART;VALUE=DATE:20270316\r\n"), "{ics}");
    assert!(ics.contains("DTEND;VALUE=DATE:20270318\r\n"), "{ics}");
    assert!(!ics.contains("RECURRENCE-ID"), "{ics}");
}
