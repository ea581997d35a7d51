//! The calendar engine on the feeds people publish: the Windows-zone, VTIMEZONE-only and
//! X-WR-TIMEZONE fixtures of `../shared/fixtures/ics` give the instants their READMEs
//! state (skipped when `../shared` is absent), the differences from the reference
//! implementation that the project documents, and the leniency clients show for broken
//! feeds.

use std::path::PathBuf;

use serde_json::Value;

use crate::test::*;

fn fixture(rel: &str) -> Option<PathBuf> {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared is absent");
        return None;
    };
    Some(shared.join("fixtures/ics").join(rel))
}

/// `summit events --json` on a feed over 1990..2100, as (start, summary) pairs, and stderr.
fn events_of(feed: &std::path::Path, extra: &[&str]) -> (Vec<(String, String)>, String) {
    let run = Test::new()
        .args([
            "events",
            "--feed",
            feed.to_str().unwrap(),
            "--json",
            "--count",
            "1000",
        ])
        .args([
            "--from",
            "1990-01-01T00:00:00Z",
            "--to",
            "2100-01-01T00:00:00Z",
        ])
        .args(extra)
        .success();
    let list = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap().to_string(),
                e["summary"].as_str().unwrap().trim().to_string(),
            )
        })
        .collect();
    (list, run.stderr)
}

fn first_start(feed: &std::path::Path, summary: &str) -> String {
    let (list, _) = events_of(feed, &[]);
    list.into_iter()
        .find(|(_, s)| s == summary)
        .unwrap_or_else(|| panic!("no `{summary}` in {}", feed.display()))
        .0
}

// ---- windows-tzid/README: the instants stated there ----

#[test]
fn node_ical_ms_timezones_jira_time_starts_at_07_utc_in_june_2020() {
    // W. Europe Standard Time 09:00 (CEST) with a misplaced closing quote on the TZID.
    let Some(f) = fixture("windows-tzid/node-ical__ms_timezones.ics") else {
        return;
    };
    let (list, stderr) = events_of(&f, &["--match", "Jira"]);
    assert_eq!(list[0].0, "2020-06-09T07:00:00Z", "{stderr}");
    // 09:00 CEST is 07:00Z through the summer; 09:00 CET is 08:00Z from 25 October.
    let summer: Vec<&str> = list
        .iter()
        .map(|(s, _)| s.as_str())
        .filter(|s| *s < "2020-10-25")
        .collect();
    assert!(summer.len() > 100);
    assert!(summer.iter().all(|s| s.ends_with("T07:00:00Z")));
    let winter = list
        .iter()
        .find(|(s, _)| s.as_str() > "2020-10-25")
        .unwrap();
    assert_eq!(winter.0, "2020-10-26T08:00:00Z");
    assert!(
        stderr.contains("line 152"),
        "the repaired line is named: {stderr}"
    );
}

#[test]
fn node_ical_bad_ms_tz_reads_the_customized_time_zone_from_its_vtimezone() {
    let Some(f) = fixture("windows-tzid/node-ical__bad_ms_tz.ics") else {
        return;
    };
    let run = Test::new()
        .args([
            "events",
            "--feed",
            f.to_str().unwrap(),
            "--json",
            "--count",
            "1",
        ])
        .args(["--from", "2020-08-01T00:00:00Z"])
        .success();
    let v = run.json();
    assert_eq!(v[0]["start"], "2020-08-25T14:35:00Z");
    assert_eq!(v[0]["end"], "2020-08-25T15:50:00Z");
}

#[test]
fn node_ical_exchange_custom_tz_is_bangkok() {
    let Some(f) = fixture("windows-tzid/node-ical__exchange-custom-tz.ics") else {
        return;
    };
    // 09:00 in Asia/Bangkok (UTC+7).
    assert_eq!(first_start(&f, "Test event"), "2019-04-30T02:00:00Z");
}

#[test]
fn node_ical_test_with_tz_list_resolves_the_city_list_to_europe_berlin() {
    let Some(f) = fixture("windows-tzid/node-ical__test_with_tz_list.ics") else {
        return;
    };
    let (_, stderr) = events_of(&f, &[]);
    assert!(!stderr.contains("unknown TZID"), "{stderr}");
}

#[test]
fn node_ical_windows_quoted_tz_rrule_is_new_york() {
    let Some(f) = fixture("windows-tzid/node-ical__windows-quoted-tz-rrule.ics") else {
        return;
    };
    // `(UTC-05:00) Eastern Time (US and Canada)`, 12:00 EDT.
    assert_eq!(first_start(&f, "Treasure Hunting"), "2015-07-06T16:00:00Z");
}

#[test]
fn node_ical_vtimezone_with_year_0001_dtstart() {
    let Some(f) = fixture("windows-tzid/node-ical__vtimezone-year-0001-dtstart.ics") else {
        return;
    };
    // 10:00 CEST.
    assert_eq!(
        first_start(&f, "Test event with year-0001 VTIMEZONE"),
        "2024-06-01T08:00:00Z"
    );
}

#[test]
fn node_ical_whole_day_moved_recurrence_moves_one_all_day_instance() {
    for rel in [
        "windows-tzid/node-ical__exchange_whole_day_moved_recurrence.ics",
        "windows-tzid/node-ical__exchange_whole_day_moved_recurrence_offset_tz.ics",
    ] {
        let Some(f) = fixture(rel) else { return };
        let (list, stderr) = events_of(&f, &[]);
        let dates: Vec<&str> = list.iter().take(4).map(|(s, _)| s.as_str()).collect();
        // Tue/Thu series; the instance of Thu 26 Feb moved to Fri 27 Feb. The RECURRENCE-ID
        // is local midnight in `W. Europe Standard Time` or `UTC+01`.
        assert_eq!(
            dates,
            ["2026-02-19", "2026-02-24", "2026-02-27", "2026-03-03"],
            "{rel}"
        );
        assert!(!stderr.contains("unknown TZID"), "{rel}: {stderr}");
    }
}

#[test]
fn exchange_issue_28_has_15_events_as_outlook_shows() {
    // recurring-ical-events' test: 15 events between 2020-05-25 and 2020-09-05 ("as shown
    // by Outlook"), one moved into 09-03..05.
    let Some(f) = fixture("recurring-ical-events/calendars/issue_28_rrule_with_UTC_endinginZ.ics")
    else {
        return;
    };
    let run = Test::new()
        .args([
            "events",
            "--feed",
            f.to_str().unwrap(),
            "--json",
            "--count",
            "100",
        ])
        .args([
            "--from",
            "2020-05-25T00:00:00Z",
            "--to",
            "2020-09-05T00:00:00Z",
        ])
        .success();
    assert_eq!(run.json().as_array().unwrap().len(), 15);
    let moved = Test::new()
        .args(["events", "--feed", f.to_str().unwrap(), "--json"])
        .args([
            "--from",
            "2020-09-03T00:00:00Z",
            "--to",
            "2020-09-05T00:00:00Z",
        ])
        .success()
        .json();
    assert_eq!(moved.as_array().unwrap().len(), 1, "{moved}");
    assert_eq!(moved[0]["start"], "2020-09-04");
}

// ---- x-wr-timezone/README: each .in feed means what its .out rewrite says ----

#[test]
fn x_wr_timezone_inputs_equal_their_rewritten_outputs() {
    let Some(dir) = fixture("x-wr-timezone") else {
        return;
    };
    let mut pairs = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let input = entry.unwrap().path();
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".in.ics") else {
            continue;
        };
        let output = dir.join(format!("{stem}.out.ics"));
        let (a, _) = events_of(&input, &[]);
        let (b, _) = events_of(&output, &[]);
        assert_eq!(a, b, "{name} and its .out differ");
        pairs += 1;
    }
    assert!(pairs >= 8, "only {pairs} pairs");
}

#[test]
fn x_wr_timezone_repeats_a_utc_series_in_local_time_across_dst() {
    // A UTC-anchored weekly series in a calendar whose X-WR-TIMEZONE is Europe/Berlin
    // stays at 17:00 Berlin: 16:00Z in winter, 15:00Z in summer.
    let ics = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\nUID:w\r\n\
               DTSTART:20260319T160000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:s\r\n\
               END:VEVENT\r\nEND:VCALENDAR\r\n";
    let t = Test::new().file("f.ics", ics);
    let (list, _) = events_of(&t.path("f.ics"), &[]);
    let starts: Vec<&str> = list.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        starts,
        [
            "2026-03-19T16:00:00Z",
            "2026-03-26T16:00:00Z",
            "2026-04-02T15:00:00Z"
        ]
    );
}

// ---- documented differences from the reference (tests/corpus/differential.py KNOWN) ----

#[test]
fn node_ical_office_2012_owa_display_name_tzids() {
    // The reference cannot resolve Outlook display names and reads the times as UTC.
    // RFC 5545 §3.2.19: the TZID names the zone of the value; these name Sydney and New
    // York, as Outlook shows them.
    let Some(f) = fixture("windows-tzid/node-ical__Office-2012-owa.ics") else {
        return;
    };
    let (list, stderr) = events_of(&f, &[]);
    assert!(!stderr.contains("unknown TZID"), "{stderr}");
    let first: Vec<(&str, &str)> = list
        .iter()
        .take(3)
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        first,
        [
            ("2020-10-28T02:30:00Z", "TEST Syd"), // 13:30 AEDT (UTC+11)
            ("2020-10-28T17:30:00Z", "TEST"),     // 13:30 EDT (UTC-4)
            ("2020-11-02T18:30:00Z", "TEST 3"),   // 13:30 EST (UTC-5)
        ]
    );
}

// ---- zones defined by a VTIMEZONE, and near-IANA names ----

#[test]
fn a_vtimezone_defines_a_tzid_that_is_not_an_exact_iana_name() {
    // issue42.ics (Google) defines `Europe/lisbon` with CET/CEST rules. RFC 5545 §3.6.5:
    // the VTIMEZONE defines what the TZID means in this file, so 14:00 there is 13:00Z,
    // as the reference reads it too (Lisbon itself would be UTC+0 in January).
    let Some(f) = fixture("recurring-ical-events/benchmark/issue42.ics") else {
        return;
    };
    let run = Test::new()
        .args(["events", "--feed", f.to_str().unwrap(), "--json"])
        .args([
            "--from",
            "2012-01-10T00:00:00Z",
            "--to",
            "2012-01-11T00:00:00Z",
        ])
        .success();
    let v: Value = run.json();
    let e = v
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uid"] == "e6ph9vq88gu3pejd6nu3nt0qe8@google.com")
        .expect("the series");
    assert_eq!(e["start"], "2012-01-10T13:00:00Z");
}

#[test]
fn an_iana_name_in_the_wrong_case_without_vtimezone_is_the_iana_zone() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:l\r\nSUMMARY:s\r\n\
               DTSTART;TZID=Europe/lisbon:20260710T140000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let t = Test::new().file("f.ics", ics);
    let (list, stderr) = events_of(&t.path("f.ics"), &[]);
    assert_eq!(list[0].0, "2026-07-10T13:00:00Z", "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn an_unknown_tzid_is_read_in_the_calendar_zone_with_one_warning() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:l\r\nSUMMARY:s\r\n\
               DTSTART;TZID=Mars/Olympus:20260710T140000\r\nRRULE:FREQ=DAILY;COUNT=3\r\n\
               EXDATE;TZID=Mars/Olympus:20260711T140000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let t = Test::new().file("f.ics", ics);
    let (list, stderr) = events_of(&t.path("f.ics"), &[]);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].0, "2026-07-10T14:00:00Z");
    assert_eq!(
        stderr.matches("unknown TZID `Mars/Olympus`").count(),
        1,
        "{stderr}"
    );
}

// ---- leniency: one bad line costs that line, with one warning naming it ----

fn lenient(body: &str) -> (Vec<(String, String)>, String) {
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}BEGIN:VEVENT\r\nUID:ok\r\nSUMMARY:Fine\r\n\
         DTSTART:20260301T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let t = Test::new().file("f.ics", ics.as_bytes());
    events_of(&t.path("f.ics"), &[])
}

#[test]
fn apple_colonless_line_is_skipped_with_a_warning() {
    let (list, stderr) = lenient(
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Apple\r\nX-APPLE-STRUCTURED-EVENT\r\n\
         DTSTART:20260201T100000Z\r\nEND:VEVENT\r\n",
    );
    assert_eq!(list.len(), 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("line 6") && stderr.contains("X-APPLE-STRUCTURED-EVENT"),
        "{stderr}"
    );
}

#[test]
fn unknown_properties_are_ignored_silently() {
    let (list, stderr) = lenient(
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Odd\r\nX-UNKNOWN;FOO=bar:baz\r\nWEIRD-PROP:1\r\n\
         DTSTART:20260201T100000Z\r\nEND:VEVENT\r\n",
    );
    assert_eq!(list.len(), 2);
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn a_stray_non_utf8_byte_costs_nothing_but_a_warning() {
    let mut body = b"BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Caf".to_vec();
    body.push(0xE9);
    body.extend_from_slice(b"\r\nDTSTART:20260201T100000Z\r\nEND:VEVENT\r\n");
    let ics = [
        b"BEGIN:VCALENDAR\r\n".as_slice(),
        &body,
        b"BEGIN:VEVENT\r\nUID:ok\r\nSUMMARY:Fine\r\nDTSTART:20260301T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ]
    .concat();
    let t = Test::new().file("f.ics", ics);
    let (list, stderr) = events_of(&t.path("f.ics"), &[]);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].1, "Caf\u{fffd}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("line 4") && stderr.contains("UTF-8"),
        "{stderr}"
    );
}

#[test]
fn a_broken_fold_loses_only_the_broken_line() {
    // The continuation of DESCRIPTION lost its leading space.
    let (list, stderr) = lenient(
        "BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Folded\r\nDESCRIPTION:a long text that was\r\n\
         folded without the space\r\nDTSTART:20260201T100000Z\r\nEND:VEVENT\r\n",
    );
    assert_eq!(list.len(), 2, "{stderr}");
    assert_eq!(list[0].1, "Folded");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("line 7"), "{stderr}");
}

#[test]
fn a_misspelled_end_closes_the_component_at_the_next_one() {
    // python-recurring-ical-events' issue_201_test_matrix has `END:VTOOD`.
    let (list, stderr) = lenient(
        "BEGIN:VTODO\r\nUID:t\r\nDTSTART:20260101T100000Z\r\nEND:VTOOD\r\n\
         BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:After\r\nDTSTART:20260201T100000Z\r\nEND:VEVENT\r\n",
    );
    let summaries: Vec<&str> = list.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(summaries, ["After", "Fine"], "{stderr}");
    assert!(
        stderr.contains("line 6: `END:VTOOD` closes no open component"),
        "{stderr}"
    );
}

#[test]
fn several_vcalendars_are_read_as_one() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:One\r\nDTSTART:20260201T100000Z\r\n\
               END:VEVENT\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b\r\n\
               SUMMARY:Two\r\nDTSTART:20260202T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let t = Test::new().file("f.ics", ics);
    let (list, stderr) = events_of(&t.path("f.ics"), &[]);
    assert_eq!(list.len(), 2, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("line 8: a further `BEGIN:VCALENDAR` (several calendars in one file)"),
        "{stderr}"
    );
}

// ---- producer quirks that still say what they mean: one warning each (issue #10) ----

/// `summit events --json` on the feed text `ics` over 1990..2100: the starts and the
/// ends (as given) of its occurrences, and stderr.
fn starts_ends(ics: &str) -> (Vec<(String, String)>, String) {
    let t = Test::new().file("f.ics", ics);
    let run = Test::new()
        .args(["events", "--feed", t.path("f.ics").to_str().unwrap()])
        .args(["--json", "--count", "1000"])
        .args([
            "--from",
            "1990-01-01T00:00:00Z",
            "--to",
            "2100-01-01T00:00:00Z",
        ])
        .success();
    let list = run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["start"].to_string(), e["end"].to_string()))
        .collect();
    (list, run.stderr)
}

#[test]
fn bare_cr_line_ends_are_read_with_one_warning() {
    let ics = "BEGIN:VCALENDAR\rVERSION:2.0\rBEGIN:VEVENT\rUID:a\rSUMMARY:Notes\r\
               DTSTART:20260201T100000Z\rRRULE:FREQ=DAILY;COUNT=3\rEND:VEVENT\rEND:VCALENDAR\r";
    let (list, stderr) = starts_ends(ics);
    assert_eq!(list.len(), 3, "{stderr}");
    assert_eq!(list[2].0, "\"2026-02-03T10:00:00Z\"", "{list:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("feed `") && stderr.contains("bare CR"),
        "{stderr}"
    );
}

#[test]
fn an_rrule_with_escaped_separators_is_unescaped_with_one_warning() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260201T100000Z\r\n\
               RRULE:FREQ=DAILY\\;COUNT=10\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (list, stderr) = starts_ends(ics);
    assert_eq!(list.len(), 10, "{stderr}");
    assert_eq!(list[9].0, "\"2026-02-10T10:00:00Z\"", "{list:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("line 5: RRULE `FREQ=DAILY\\;COUNT=10` has backslash-escaped separators"),
        "{stderr}"
    );
}

#[test]
fn date_times_without_seconds_are_read_with_00_seconds_and_one_warning_each() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:19970901T1300Z\r\n\
               END:VEVENT\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART;TZID=Europe/Berlin:20260115T1700\r\n\
               RRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (list, stderr) = starts_ends(ics);
    let starts: Vec<&str> = list.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        starts,
        [
            "\"1997-09-01T13:00:00Z\"",
            "\"2026-01-15T16:00:00Z\"",
            "\"2026-01-22T16:00:00Z\""
        ],
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(
        stderr.contains("line 4: DTSTART date-time `19970901T1300Z` has no seconds"),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 8: DTSTART date-time `20260115T1700` has no seconds"),
        "{stderr}"
    );
}

#[test]
fn a_repeated_dtstart_or_uid_reads_the_first_with_one_warning_naming_both_lines() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260201T100000Z\r\n\
               UID:b\r\nDTSTART:20260301T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (list, stderr) = starts_ends(ics);
    assert_eq!(list.len(), 1, "{stderr}");
    assert_eq!(list[0].0, "\"2026-02-01T10:00:00Z\"");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(
        stderr.contains("line 5: a second UID (`b`) ignored: the first, at line 3, is used"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "line 6: a second DTSTART (`20260301T100000Z`) ignored: the first, at line 4, is used"
        ),
        "{stderr}"
    );
}

#[test]
fn a_repeated_dtend_reads_the_first_with_one_warning() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260201T100000Z\r\n\
               DTEND:20260201T110000Z\r\nDTEND:20260201T120000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (list, stderr) = starts_ends(ics);
    assert_eq!(list.len(), 1, "{stderr}");
    assert_eq!(list[0].1, "\"2026-02-01T11:00:00Z\"", "{list:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr
            .contains("line 6: a second DTEND (`20260201T120000Z`) ignored: the first, at line 5"),
        "{stderr}"
    );
}

#[test]
fn a_part_repeated_inside_an_rrule_reads_the_first_with_one_warning() {
    // Several RRULEs stay legal (RFC 2445) and are read as their union, even with
    // different FREQs; a part given twice in one RRULE is the conflict.
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260201T100000Z\r\n\
               RRULE:FREQ=DAILY;COUNT=3;FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let (list, stderr) = starts_ends(ics);
    let starts: Vec<&str> = list.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        starts,
        [
            "\"2026-02-01T10:00:00Z\"",
            "\"2026-02-02T10:00:00Z\"",
            "\"2026-02-03T10:00:00Z\""
        ],
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr
            .contains("line 5: RRULE part `FREQ=WEEKLY` repeats FREQ; ignored, the first is used"),
        "{stderr}"
    );
}

// ---- floating values beside a zoned DTSTART, and DTEND before DTSTART (issue #10) ----

/// `summit events --json` over March 2026 on the VEVENTs `body` in a calendar with the
/// header lines `head`: the occurrences and stderr.
fn dtend_events(head: &str, body: &str) -> (Vec<Value>, String) {
    let ics = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{head}{body}END:VCALENDAR\r\n");
    let t = Test::new().file("f.ics", ics.as_bytes());
    let run = Test::new()
        .args([
            "events",
            "--feed",
            t.path("f.ics").to_str().unwrap(),
            "--json",
        ])
        .args([
            "--from",
            "2026-02-01T00:00:00Z",
            "--to",
            "2026-04-01T00:00:00Z",
        ])
        .success();
    (run.json().as_array().unwrap().clone(), run.stderr)
}

fn field(list: &[Value], name: &str) -> Vec<String> {
    list.iter()
        .map(|e| e[name].as_str().unwrap_or("-").to_string())
        .collect()
}

#[test]
fn a_floating_dtend_beside_a_berlin_dtstart_is_read_in_berlin() {
    // RFC 5545 §3.8.2.2: DTEND is local exactly when DTSTART is. Read in the calendar's
    // zone (Tokyo), 10:30 would be 01:30Z, before the start, and the two were swapped.
    // Lines: 1 BEGIN:VCALENDAR, 2 VERSION, 3 X-WR-TIMEZONE, 4 BEGIN:VEVENT, 5 UID,
    // 6 DTSTART, 7 DTEND.
    let (list, stderr) = dtend_events(
        "X-WR-TIMEZONE:Asia/Tokyo\r\n",
        "BEGIN:VEVENT\r\nUID:f\r\nDTSTART;TZID=Europe/Berlin:20260301T100000\r\n\
         DTEND:20260301T103000\r\nSUMMARY:s\r\nEND:VEVENT\r\n",
    );
    assert_eq!(field(&list, "start"), ["2026-03-01T09:00:00Z"]);
    assert_eq!(field(&list, "end"), ["2026-03-01T09:30:00Z"]);
    assert_eq!(stderr.matches("has no zone").count(), 1, "{stderr}");
    assert!(
        stderr.contains("line 7: DTEND `20260301T103000` has no zone while DTSTART has one"),
        "{stderr}"
    );
    assert!(stderr.contains("feed `"), "{stderr}");
    assert!(!stderr.contains("before DTSTART"), "{stderr}");
}

/// Every six hours from 04:00 in Berlin (03:00Z, 09:00Z, 15:00Z, 21:00Z), in a calendar
/// whose zone is New York: a floating 10:00 read there is 15:00Z, another instance.
const SIX_HOURLY: &str = "BEGIN:VEVENT\r\nUID:h\r\nSUMMARY:s\r\n\
    DTSTART;TZID=Europe/Berlin:20260301T040000\r\nRRULE:FREQ=HOURLY;INTERVAL=6;COUNT=4\r\n";

#[test]
fn a_floating_exdate_beside_a_zoned_dtstart_excludes_the_instance_in_that_zone() {
    let (list, stderr) = dtend_events(
        "X-WR-TIMEZONE:America/New_York\r\n",
        &format!("{SIX_HOURLY}EXDATE:20260301T100000\r\nEND:VEVENT\r\n"),
    );
    assert_eq!(
        field(&list, "start"),
        [
            "2026-03-01T03:00:00Z",
            "2026-03-01T15:00:00Z",
            "2026-03-01T21:00:00Z"
        ]
    );
    assert_eq!(
        stderr
            .matches("EXDATE `20260301T100000` has no zone while DTSTART has one")
            .count(),
        1,
        "{stderr}"
    );
}

#[test]
fn a_floating_recurrence_id_beside_a_zoned_dtstart_replaces_the_instance_in_that_zone() {
    let (list, stderr) = dtend_events(
        "X-WR-TIMEZONE:America/New_York\r\n",
        &format!(
            "{SIX_HOURLY}END:VEVENT\r\nBEGIN:VEVENT\r\nUID:h\r\nSUMMARY:moved\r\n\
             RECURRENCE-ID:20260301T100000\r\nDTSTART;TZID=Europe/Berlin:20260301T120000\r\n\
             END:VEVENT\r\n"
        ),
    );
    assert_eq!(
        field(&list, "start"),
        [
            "2026-03-01T03:00:00Z",
            "2026-03-01T11:00:00Z",
            "2026-03-01T15:00:00Z",
            "2026-03-01T21:00:00Z"
        ]
    );
    assert_eq!(field(&list, "summary"), ["s", "moved", "s", "s"]);
    assert_eq!(list[1]["recurrence_id"], "2026-03-01T09:00:00Z");
    assert_eq!(
        stderr
            .matches("RECURRENCE-ID `20260301T100000` has no zone while DTSTART has one")
            .count(),
        1,
        "{stderr}"
    );
}

#[test]
fn a_dtend_before_dtstart_is_dropped_and_the_start_stays() {
    // RFC 5545 §3.8.5.3: DTSTART is the first instance. Lines: 3 BEGIN:VEVENT, 4 UID,
    // 5 SUMMARY, 6 DTSTART, 7 DTEND; 9 BEGIN:VEVENT, …, 12 DTSTART, 13 DTEND.
    let (list, stderr) = dtend_events(
        "",
        "BEGIN:VEVENT\r\nUID:t\r\nSUMMARY:timed\r\nDTSTART;TZID=Europe/Berlin:20260301T100000\r\n\
         DTEND;TZID=Europe/Berlin:20260301T090000\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:date\r\nDTSTART;VALUE=DATE:20260310\r\n\
         DTEND;VALUE=DATE:20260308\r\nEND:VEVENT\r\n",
    );
    assert_eq!(field(&list, "summary"), ["timed", "date"]);
    // A DATE-TIME DTSTART alone lasts no time, a DATE one a day (§3.6.1).
    assert_eq!(field(&list, "start")[0], "2026-03-01T09:00:00Z");
    assert_eq!(field(&list, "end")[0], "2026-03-01T09:00:00Z");
    assert_eq!(list[1]["start"], "2026-03-10");
    assert_eq!(list[1]["end"], "2026-03-11");
    assert!(
        stderr.contains(
            "line 7: DTEND `20260301T090000` is before DTSTART `20260301T100000`; DTEND ignored"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("line 13: DTEND `20260308` is before DTSTART `20260310`; DTEND ignored"),
        "{stderr}"
    );
}

#[test]
fn a_date_dtend_on_the_dtstart_date_is_dropped_and_an_equal_time_is_left_alone() {
    // Lines: 3 BEGIN:VEVENT, 4 UID, 5 SUMMARY, 6 DTSTART, 7 DTEND; 9 …, 12 DTSTART, 13 DTEND.
    let (list, stderr) = dtend_events(
        "",
        "BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:date\r\nDTSTART;VALUE=DATE:20260310\r\n\
         DTEND;VALUE=DATE:20260310\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:t\r\nSUMMARY:instant\r\nDTSTART:20260311T100000Z\r\n\
         DTEND:20260311T100000Z\r\nEND:VEVENT\r\n",
    );
    assert_eq!(field(&list, "summary"), ["date", "instant"]);
    // §3.6.1: a DATE DTSTART alone lasts its day.
    assert_eq!(
        (&list[0]["start"], &list[0]["end"]),
        (&"2026-03-10".into(), &"2026-03-11".into())
    );
    // A DATE-TIME DTEND equal to DTSTART is what no DTEND means: no time, no warning.
    assert_eq!(field(&list, "end")[1], "2026-03-11T10:00:00Z");
    let warnings: Vec<&str> = stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("line 7: DTEND `20260310` is the DTSTART date `20260310`, expected a later date; DTEND ignored (the event lasts its day)"),
        "{stderr}"
    );
}

#[test]
fn an_override_whose_dtend_is_before_its_dtstart_keeps_its_start() {
    let (list, stderr) = dtend_events(
        "",
        "BEGIN:VEVENT\r\nUID:o\r\nSUMMARY:s\r\nDTSTART;TZID=Europe/Berlin:20260301T100000\r\n\
         DTEND;TZID=Europe/Berlin:20260301T110000\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:o\r\nSUMMARY:moved\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260302T100000\r\n\
         DTSTART;TZID=Europe/Berlin:20260302T150000\r\nDTEND;TZID=Europe/Berlin:20260302T140000\r\n\
         END:VEVENT\r\n",
    );
    assert_eq!(
        field(&list, "start"),
        [
            "2026-03-01T09:00:00Z",
            "2026-03-02T14:00:00Z",
            "2026-03-03T09:00:00Z"
        ]
    );
    assert_eq!(field(&list, "end")[1], "2026-03-02T14:00:00Z");
    assert_eq!(stderr.matches("is before DTSTART").count(), 1, "{stderr}");
}

#[test]
fn recurring_ical_events_end_before_start_event_keeps_its_start() {
    // DTSTART 08:30, DTEND 08:00 (Berlin). The reference swaps the two and starts at
    // 07:00Z; DTSTART is the first instance (RFC 5545 §3.8.5.3), so summit starts at
    // 07:30Z and drops the DTEND, with a warning.
    let Some(f) = fixture("recurring-ical-events/calendars/end_before_start_event.ics") else {
        return;
    };
    let (list, stderr) = events_of(&f, &[]);
    assert_eq!(list, [("2019-03-04T07:30:00Z".into(), "test1".into())]);
    assert!(stderr.contains("is before DTSTART"), "{stderr}");
}

#[test]
fn recurring_ical_events_issue_132_swapped_start_and_end_keeps_its_start() {
    // DTSTART 23:45, DTEND 23:30 (Paris): the reference starts at 22:30Z, summit at the
    // DTSTART, 22:45Z (see the test above).
    let Some(f) = fixture("recurring-ical-events/calendars/issue_132_swapped_start_and_end.ics")
    else {
        return;
    };
    let (list, stderr) = events_of(&f, &[]);
    assert_eq!(list, [("2023-12-18T22:45:00Z".into(), "XXX".into())]);
    assert!(stderr.contains("is before DTSTART"), "{stderr}");
}

#[test]
fn a_floating_rdate_beside_a_zoned_dtstart_adds_the_instance_in_that_zone() {
    // Read in the calendar's zone (UTC here), 10:00 would be 11:00 in Berlin.
    let (list, stderr) = dtend_events(
        "",
        "BEGIN:VEVENT\r\nUID:r\r\nSUMMARY:s\r\nDTSTART;TZID=Europe/Berlin:20260301T100000\r\n\
         RDATE:20260305T100000,20260306T100000\r\nEND:VEVENT\r\n",
    );
    assert_eq!(
        field(&list, "start"),
        [
            "2026-03-01T09:00:00Z",
            "2026-03-05T09:00:00Z",
            "2026-03-06T09:00:00Z"
        ]
    );
    // One warning for the line, not one per value.
    assert_eq!(stderr.matches("has no zone").count(), 1, "{stderr}");
}

#[test]
fn a_floating_dtend_beside_a_utc_dtstart_is_read_in_utc() {
    // DTSTART 10:00Z; the floating DTEND is 11:00 UTC, not 11:00 in the calendar's zone
    // (Tokyo: 02:00Z, before the start).
    let (list, stderr) = dtend_events(
        "X-WR-TIMEZONE:Asia/Tokyo\r\n",
        "BEGIN:VEVENT\r\nUID:u\r\nSUMMARY:s\r\nDTSTART:20260301T100000Z\r\n\
         DTEND:20260301T110000\r\nEND:VEVENT\r\n",
    );
    assert_eq!(field(&list, "start"), ["2026-03-01T10:00:00Z"]);
    assert_eq!(field(&list, "end"), ["2026-03-01T11:00:00Z"]);
    assert_eq!(stderr.matches("has no zone").count(), 1, "{stderr}");
}

#[test]
fn floating_values_beside_a_floating_dtstart_are_not_warned_about() {
    let (list, stderr) = dtend_events(
        "X-WR-TIMEZONE:Europe/Berlin\r\n",
        "BEGIN:VEVENT\r\nUID:f\r\nSUMMARY:s\r\nDTSTART:20260301T100000\r\n\
         DTEND:20260301T110000\r\nRRULE:FREQ=DAILY;COUNT=2\r\nEXDATE:20260302T100000\r\n\
         END:VEVENT\r\n",
    );
    assert_eq!(field(&list, "start"), ["2026-03-01T09:00:00Z"]);
    assert_eq!(field(&list, "end"), ["2026-03-01T10:00:00Z"]);
    assert!(stderr.is_empty(), "{stderr}");
}
