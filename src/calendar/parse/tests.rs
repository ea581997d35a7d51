use chrono::{Duration, NaiveDate};

use super::kept::{MAX_DESCRIPTION_BYTES, readable};
use super::vevent::repaired_rrule;
use super::*;
use crate::calendar::zone::Zone;

#[test]
fn durations() {
    assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
    assert_eq!(parse_duration("P1D"), Some(Duration::days(1)));
    assert_eq!(parse_duration("-P2W"), Some(Duration::weeks(-2)));
    assert_eq!(parse_duration("P1DT2H"), Some(Duration::hours(26)));
    assert_eq!(parse_duration("PT"), None);
    assert_eq!(parse_duration("1H"), None);
    assert_eq!(parse_duration("PT5X"), None);
}

#[test]
fn links_in_text() {
    let zoom = "https://us02web.zoom.us/j/855?pwd=Ab";
    // Trailing punctuation and unopened brackets are not part of a link.
    assert_eq!(
        link_in(&format!("Join: {zoom}."), true).as_deref(),
        Some(zoom)
    );
    assert_eq!(link_in(&format!("({zoom}),"), true).as_deref(), Some(zoom));
    assert_eq!(
        link_in("see https://en.wikipedia.org/wiki/X_(Y).", false).as_deref(),
        Some("https://en.wikipedia.org/wiki/X_(Y)")
    );
    // Only meeting hosts (and their subdomains) in a description.
    let text = "Notes: https://docs.example.org/d, Jitsi: <HTTPS://Meet.Jit.Si/Dev>";
    assert_eq!(
        link_in(text, true).as_deref(),
        Some("HTTPS://Meet.Jit.Si/Dev")
    );
    assert_eq!(
        link_in(text, false).as_deref(),
        Some("https://docs.example.org/d")
    );
    for host in [
        "https://meet.google.com/abc-defg-hij",
        "https://zoom.us/j/1",
        "https://teams.microsoft.com/l/meetup-join/19%3a",
        "https://acme.webex.com/meet/x",
    ] {
        assert_eq!(link_in(&format!("x {host} y"), true).as_deref(), Some(host));
    }
    // Not a meeting host: a look-alike, userinfo tricks.
    assert_eq!(link_in("https://zoom.us.evil.example/j/1", true), None);
    assert_eq!(link_in("https://notzoom.us/j/1", true), None);
    assert_eq!(
        link_in("https://zoom.us@evil.example/j/1", true),
        None,
        "the host is after the `@`"
    );
    assert_eq!(link_in("ftp://zoom.us/x httpx://zoom.us", false), None);
    assert_eq!(link_in("https://", false), None);
    // A whole value is a link or not.
    assert_eq!(
        http_link(" https://x.org/a. ").as_deref(),
        Some("https://x.org/a")
    );
    assert_eq!(http_link("mailto:a@b.org"), None);
    assert_eq!(http_link("Room https://x.org"), None);
}

#[test]
fn the_meeting_link_in_order_and_descriptions_not_kept() {
    let zoom = "https://zoom.us/j/9";
    let event = |props: &str| {
        let text = cal(&format!(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261217T160000Z\r\n{props}END:VEVENT\r\n"
        ));
        parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap()
    };
    let description = format!("DESCRIPTION:Hello\\n{zoom}\\, dial 1\r\n");
    let c = event(&description);
    assert_eq!(c.events[0].url.as_deref(), Some(zoom));
    let c = event(&format!(
        "{description}LOCATION:https://loc.example.org\r\n"
    ));
    assert_eq!(c.events[0].url.as_deref(), Some("https://loc.example.org"));
    let c = event(&format!(
        "{description}LOCATION:https://loc.example.org\r\nX-GOOGLE-CONFERENCE:https://meet.google.com/a\r\n"
    ));
    assert_eq!(
        c.events[0].url.as_deref(),
        Some("https://meet.google.com/a")
    );
    let c = event(&format!(
        "{description}X-GOOGLE-CONFERENCE:https://meet.google.com/a\r\nURL:https://u.example.org\r\n"
    ));
    assert_eq!(c.events[0].url.as_deref(), Some("https://u.example.org"));

    // Only the link of a description is kept, and a long one is searched only so far.
    let long = format!(
        "DESCRIPTION:{}{zoom}\r\n",
        "x ".repeat(MAX_DESCRIPTION_BYTES)
    );
    let text = cal(&format!(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261217T160000Z\r\n{description}{long}END:VEVENT\r\n"
    ));
    let mut warnings = Warnings::new("t.ics");
    let kept = Kept::read(&text, "t.ics", &mut warnings).unwrap();
    assert!(kept.text.len() < 200, "{}", kept.text);
    assert!(
        kept.text.contains(&format!("DESCRIPTION:{zoom}\n")),
        "{}",
        kept.text
    );
    let c = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(c.events[0].url.as_deref(), Some(zoom));
    assert!(
        c.warnings
            .iter()
            .any(|w| w.contains("DESCRIPTION of") && w.contains("searched for a meeting link")),
        "{:?}",
        c.warnings
    );
}

#[test]
fn text_unescaping() {
    assert_eq!(unescape_text(r"a\, b\; c\nd\\e"), "a, b; c\nd\\e");
}

#[test]
fn unfolding_keeps_line_numbers() {
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:long\r\n  line\r\nDTSTART:20260101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(cal.events.len(), 1);
    assert_eq!(cal.events[0].line, 2);
    assert_eq!(cal.events[0].summary, "long line");
}

/// A VCALENDAR around `body` (CRLF-terminated lines).
fn cal(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n")
}

#[test]
fn a_fold_after_blank_lines_continues_the_line_before_them() {
    let text = cal(
        "BEGIN:VEVENT\r\nSUMMARY:one\r\n\r\n\r\n  two\r\n\tthree\r\nDTSTART:20260101\r\nEND:VEVENT\r\n",
    );
    let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(cal.events[0].summary, "one twothree");
    assert!(cal.warnings.is_empty(), "{:?}", cal.warnings);
}

#[test]
fn only_what_is_read_is_kept() {
    let text = cal(concat!(
        "X-UNKNOWN:1\r\nX-WR-CALNAME:First\r\nX-WR-CALNAME:Second\r\n",
        "BEGIN:VTODO\r\nSUMMARY:todo\r\nDTSTART:20260101\r\nEND:VTODO\r\n",
        "BEGIN:VTIMEZONE\r\nTZID:Custom\r\nTZID:Other\r\nX-FOO:1\r\nBEGIN:STANDARD\r\n",
        "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nTZNAME:C\r\n",
        "END:STANDARD\r\nBEGIN:X-OTHER\r\nDTSTART:19700101T000000\r\nEND:X-OTHER\r\nEND:VTIMEZONE\r\n",
        "BEGIN:VEVENT\r\nUID:a\r\nDESCRIPTION:long\r\nSUMMARY:Kept\r\nX-ALT-DESC:x\r\n",
        "DTSTART;TZID=Custom:20260101T100000\r\nBEGIN:VALARM\r\nSUMMARY:alarm\r\n",
        "DURATION:PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n",
    ));
    let mut warnings = Warnings::new("t.ics");
    let kept = Kept::read(&text, "t.ics", &mut warnings).unwrap();
    assert_eq!(kept.calendar, "X-WR-CALNAME:First\n");
    let parts: Vec<(PartKind, usize, Vec<&str>)> = kept
        .parts
        .iter()
        .map(|p| (p.kind, p.line, kept.lines(p).collect()))
        .collect();
    assert_eq!(
        parts,
        [
            (
                PartKind::Vtimezone,
                10,
                vec![
                    "TZID:Custom",
                    "BEGIN:STANDARD",
                    "DTSTART:19700101T000000",
                    "TZOFFSETFROM:+0100",
                    "TZOFFSETTO:+0100",
                    "END:",
                ]
            ),
            (
                PartKind::Vevent,
                24,
                vec![
                    "UID:a",
                    "SUMMARY:Kept",
                    "DTSTART;TZID=Custom:20260101T100000"
                ]
            ),
        ]
    );
    let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(cal.name.as_deref(), Some("First"));
    assert_eq!(cal.events.len(), 1);
    let ev = &cal.events[0];
    assert_eq!((ev.summary.as_str(), ev.duration), ("Kept", None));
    assert_eq!(
        ev.dtstart.when().instant().to_rfc3339(),
        "2026-01-01T09:00:00+00:00"
    );
    assert!(cal.warnings.is_empty(), "{:?}", cal.warnings);
}

#[test]
fn an_unreadable_parameter_fails_only_on_a_line_that_is_read() {
    let dropped =
        cal("BEGIN:VEVENT\r\nDESCRIPTION;X=\"a\"b:c\r\nDTSTART:20260101\r\nEND:VEVENT\r\n");
    let cal_ok = parse(dropped.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(cal_ok.events.len(), 1);
    let read = cal("BEGIN:VEVENT\r\nDTSTART;X=\"a\"b:20260101\r\nEND:VEVENT\r\n");
    let err = parse(read.as_bytes(), "t.ics", Tz::UTC).unwrap_err();
    assert!(
        err.to_string().contains("line 4")
            && err
                .to_string()
                .contains("cannot read content line `DTSTART;X="),
        "{err}"
    );
    assert!(readable("DTSTART", "DTSTART:"));
    assert!(readable("DTSTART", "DTSTART;TZID=\"a:b\";X=1:20260101"));
    assert!(!readable("DTSTART", "DTSTART;X=\"a\"b:20260101"));
}

#[test]
fn warnings_name_the_feed_and_the_line_of_the_property_at_fault() {
    // Line 3: BEGIN:VEVENT; 4 UID; 5 DTSTART; 6 DTEND (bad); 7 END.
    // Line 8: BEGIN:VEVENT; 9 UID; 10 DTSTART (bad); 11 END.
    // Line 12: BEGIN:VEVENT; 13 DTSTART; 14 DTEND (before the start); 15 END.
    let text = cal(concat!(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nDTEND:nope\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:never\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T090000Z\r\nEND:VEVENT\r\n",
    ));
    let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    let w = &cal.warnings;
    assert!(
        w[0].starts_with("feed `t.ics` line 6: DTEND ignored"),
        "{w:#?}"
    );
    assert!(
        w[1].starts_with("feed `t.ics` line 10: VEVENT skipped: DTSTART"),
        "{w:#?}"
    );
    assert!(
        w[2].starts_with("feed `t.ics` line 14: DTEND `20260101T090000Z` is before DTSTART"),
        "{w:#?}"
    );
    assert_eq!(cal.source, "t.ics");
}

#[test]
fn a_repeated_problem_is_reported_ten_times_then_counted() {
    let junk = "junk\r\n".repeat(25);
    let text = cal(&format!(
        "{junk}BEGIN:VEVENT\r\nDTSTART:20260101\r\nEXDATE:{}\r\nEND:VEVENT\r\n",
        ["bad"; 12].join(",")
    ));
    let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    let w = &cal.warnings;
    assert_eq!(w.len(), 10 + 10 + 2, "{w:#?}");
    assert_eq!(
        w[0],
        "feed `t.ics` line 3: malformed content line `junk` skipped, expected `NAME[;PARAM=VALUE]:VALUE`"
    );
    assert!(
        w[9].starts_with("feed `t.ics` line 12: malformed"),
        "{}",
        w[9]
    );
    assert!(
        w[10].starts_with("feed `t.ics` line 30: EXDATE value ignored: `bad`"),
        "{}",
        w[10]
    );
    assert_eq!(
        w[20],
        "feed `t.ics`: … and 15 more malformed content lines skipped, the last at line 27"
    );
    assert_eq!(
        w[21],
        "feed `t.ics`: … and 2 more DTEND, DURATION, RDATE or EXDATE values ignored, the last at line 30"
    );
}

#[test]
fn several_calendars_merge_and_an_open_one_is_closed_at_its_last_line() {
    let text = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Berlin\r\nEND:VCALENDAR\r\n\
                BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260101T100000\r\n";
    let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(cal.zone, chrono_tz::Europe::Berlin);
    assert_eq!(cal.events.len(), 1);
    assert_eq!(
        cal.warnings,
        [
            "feed `t.ics` line 4: a further `BEGIN:VCALENDAR` (several calendars in one file): the events of all are read, and the first X-WR-TIMEZONE and X-WR-CALNAME of the file apply to all",
            "feed `t.ics` line 6: `BEGIN:VEVENT` was not closed before the end of the feed",
            "feed `t.ics` line 6: `BEGIN:VCALENDAR` was not closed before the end of the feed",
        ]
    );
}

#[test]
fn bare_cr_line_ends_are_read_as_line_ends_with_one_warning() {
    let text = cal("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n")
        .replace("\r\n", "\r");
    let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.events[0].uid, "a");
    assert_eq!(
        parsed.warnings,
        [
            "feed `t.ics`: lines end in a bare CR (`\\r` without `\\n`, an old Mac OS or Lotus Notes export); each CR is read as a line end"
        ]
    );
    // A CR inside a CRLF feed is not a line end, and costs no warning.
    let text = cal("BEGIN:VEVENT\r\nUID:a\rb\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n");
    let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(parsed.events[0].uid, "a\rb");
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
}

#[test]
fn the_first_of_a_repeated_single_valued_property_is_read() {
    let text = cal(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nUID:b\r\n\
         DTSTART:20260202T100000Z\r\nRECURRENCE-ID:20260101T100000Z\r\n\
         RECURRENCE-ID:20260103T100000Z\r\nEND:VEVENT\r\n",
    );
    let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    let ev = &parsed.events[0];
    assert_eq!(ev.uid, "a");
    assert_eq!(ev.dtstart.local().to_string(), "2026-01-01 10:00:00");
    assert_eq!(
        ev.recurrence_id.as_ref().map(|r| r.local().to_string()),
        Some("2026-01-01 10:00:00".to_string())
    );
    assert_eq!(
        parsed.warnings,
        [
            "feed `t.ics` line 6: a second UID (`b`) ignored: the first, at line 4, is used",
            "feed `t.ics` line 7: a second DTSTART (`20260202T100000Z`) ignored: the first, at line 5, is used",
            "feed `t.ics` line 9: a second RECURRENCE-ID (`20260103T100000Z`) ignored: the first, at line 8, is used",
        ]
    );
    // An unreadable second DTSTART does not cost the VEVENT.
    let text = cal("BEGIN:VEVENT\r\nDTSTART:20260101T100000Z\r\nDTSTART:garbage\r\nEND:VEVENT\r\n");
    let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(parsed.events.len(), 1);
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
}

#[test]
fn rrule_repairs() {
    let mut w = Warnings::new("t.ics");
    assert_eq!(
        repaired_rrule("FREQ=DAILY;COUNT=3", 1, &mut w),
        "FREQ=DAILY;COUNT=3"
    );
    assert_eq!(
        repaired_rrule("FREQ=WEEKLY\\;BYDAY=MO\\,TU", 2, &mut w),
        "FREQ=WEEKLY;BYDAY=MO,TU"
    );
    assert_eq!(
        repaired_rrule("FREQ=DAILY;COUNT=3;freq=WEEKLY", 3, &mut w),
        "FREQ=DAILY;COUNT=3"
    );
    assert_eq!(
        w.finish(),
        [
            "feed `t.ics` line 2: RRULE `FREQ=WEEKLY\\;BYDAY=MO\\,TU` has backslash-escaped separators; read as `FREQ=WEEKLY;BYDAY=MO,TU`",
            "feed `t.ics` line 3: RRULE part `freq=WEEKLY` repeats FREQ; ignored, the first is used",
        ]
    );
    // Through the parser, which must leave the backslashes in place for the repair.
    let text = cal(
        "BEGIN:VEVENT\r\nDTSTART:20260101T100000Z\r\nRRULE:FREQ=DAILY\\;COUNT=10\r\nEND:VEVENT\r\n",
    );
    let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    assert_eq!(parsed.events[0].rrules, ["FREQ=DAILY;COUNT=10"]);
    assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
}

#[test]
fn a_date_time_without_seconds_is_read_with_00_seconds() {
    let text = cal(
        "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20260115T1700\r\n\
         EXDATE:19970901T1300Z,19970902T1300Z\r\nEND:VEVENT\r\n",
    );
    let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    let ev = &parsed.events[0];
    assert_eq!(
        ev.dtstart,
        Stamp::Local(
            NaiveDate::from_ymd_opt(2026, 1, 15)
                .unwrap()
                .and_hms_opt(17, 0, 0)
                .unwrap(),
            Zone::Iana(chrono_tz::Europe::Berlin)
        )
    );
    assert_eq!(ev.exdates.len(), 2);
    assert_eq!(
        parsed.warnings,
        [
            "feed `t.ics` line 4: DTSTART date-time `20260115T1700` has no seconds; read with `00` seconds",
            "feed `t.ics` line 5: EXDATE date-time `19970901T1300Z` has no seconds; read with `00` seconds",
        ]
    );
}

#[test]
fn not_icalendar_is_an_error() {
    let err = parse(b"hello world\n", "x.txt", Tz::UTC).unwrap_err();
    assert!(err.to_string().contains("BEGIN:VCALENDAR"), "{err}");
}
