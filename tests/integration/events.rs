//! `summit events --json`: every occurrence, recurrences expanded, in (start, uid) order.

use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::test::*;

/// A VCALENDAR around `body` (VEVENTs written with `\n`), with `\r\n` line ends and the
/// calendar properties `head` (e.g. `X-WR-TIMEZONE:Europe/Berlin`).
fn ics(head: &str, body: &str) -> String {
    let text = format!(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//summit tests//EN\n{head}{}{body}{}END:VCALENDAR\n",
        if head.is_empty() || head.ends_with('\n') {
            ""
        } else {
            "\n"
        },
        if body.ends_with('\n') { "" } else { "\n" },
    );
    text.replace('\n', "\r\n")
}

/// `summit --feed feed.ics events --json ARGS` on `feed`.
fn events(feed: &str, args: &[&str]) -> Value {
    Test::new()
        .file("feed.ics", feed)
        .args(["--feed", "feed.ics", "events", "--json"])
        .args(args)
        .success()
        .json()
}

/// The `start` of every entry.
fn starts(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|o| o["start"].as_str().expect("start is a string").to_string())
        .collect()
}

/// The `summary` of every entry.
fn summaries(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|o| {
            o["summary"]
                .as_str()
                .expect("summary is a string")
                .to_string()
        })
        .collect()
}

/// The monthly last-Thursday series of the tests, in Europe/Berlin.
const LAST_THURSDAY: &str = "BEGIN:VEVENT
UID:summit-series@example.org
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260129T170000
DTEND;TZID=Europe/Berlin:20260129T190000
RRULE:FREQ=MONTHLY;BYDAY=-1TH
SUMMARY:Developer Summit
END:VEVENT
";

// ---- the example feed ----

#[test]
fn example_feed_json_shape_and_values() {
    let v = Test::new()
        .args([
            "--feed",
            example_feed().to_str().unwrap(),
            "events",
            "--json",
        ])
        .args(["--from", "2026-11-25T00:00:00Z", "--count", "3"])
        .success()
        .json();
    assert_eq!(
        v,
        json!([
            {
                "uid": "0b7d3m2f8c9q1r5s6t4u7v8w9x@google.com",
                "summary": "Prometheus Contributor Office Hours",
                "start": "2026-11-25T16:00:00Z",
                "end": "2026-11-25T17:00:00Z",
                "all_day": false,
                "recurrence_id": "2026-11-25T16:00:00Z"
            },
            {
                "uid": "5q1hvb0n7ktr4ga1kq3cs0l6pk@google.com",
                "summary": "Prometheus Developer Summit",
                "start": "2026-11-26T16:00:00Z",
                "end": "2026-11-26T18:00:00Z",
                "all_day": false,
                "recurrence_id": "2026-11-26T16:00:00Z"
            },
            {
                "uid": "0b7d3m2f8c9q1r5s6t4u7v8w9x@google.com",
                "summary": "Prometheus Contributor Office Hours",
                "start": "2026-12-02T16:00:00Z",
                "end": "2026-12-02T17:00:00Z",
                "all_day": false,
                "recurrence_id": "2026-12-02T16:00:00Z"
            }
        ])
    );
}

#[test]
fn example_feed_moved_december_summit_and_exdate() {
    let v = Test::new()
        .args([
            "--feed",
            example_feed().to_str().unwrap(),
            "events",
            "--json",
        ])
        .args([
            "--from",
            "2025-01-01T00:00:00Z",
            "--to",
            "2027-03-01T00:00:00Z",
        ])
        .args(["--match", "Developer Summit", "--count", "100"])
        .success()
        .json();
    let s = starts(&v);
    // The moved instance: on 17 December, carrying the original start as recurrence_id.
    let moved = v
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["start"] == "2026-12-17T16:00:00Z")
        .expect("the moved December summit");
    assert_eq!(moved["recurrence_id"], "2026-12-31T16:00:00Z");
    assert!(!s.contains(&"2026-12-31T16:00:00Z".to_string()), "{s:?}");
    // EXDATE;TZID=Europe/Berlin:20250828T170000 (CEST, 15:00Z).
    assert!(!s.iter().any(|t| t.starts_with("2025-08-28")), "{s:?}");
    assert!(s.contains(&"2025-07-31T15:00:00Z".to_string()), "{s:?}");
    // The "CANCELLED: …" override has no STATUS:CANCELLED: events still lists it.
    assert!(
        summaries(&v).contains(&"CANCELLED: Prometheus Developer Summit".to_string()),
        "{v}"
    );
    // 2025: 12 last Thursdays minus August; 2026: 12 (December moved); 2027: Jan, Feb.
    assert_eq!(s.len(), 11 + 12 + 2, "{s:#?}");
}

#[test]
fn example_feed_all_day_event() {
    let v = Test::new()
        .args([
            "--feed",
            example_feed().to_str().unwrap(),
            "events",
            "--json",
        ])
        .args([
            "--from",
            "2027-03-16T00:00:00Z",
            "--to",
            "2027-03-18T00:00:00Z",
        ])
        .success()
        .json();
    assert_eq!(
        v[0],
        json!({
            "uid": "1a2b3c4d5e6f7g8h9i0j@google.com",
            "summary": "PromCon (sample all-day event)",
            "start": "2027-03-16",
            "end": "2027-03-18",
            "all_day": true,
            "recurrence_id": null
        })
    );
    // Office hours, 08:00 PDT (DST began 14 March 2027 in Los Angeles).
    assert_eq!(starts(&v), ["2027-03-16", "2027-03-17T15:00:00Z"]);
}

#[test]
fn from_defaults_to_now() {
    let v = Test::new()
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-26T16:00:00Z")
        .args(["events", "--json", "--count", "2"])
        .success()
        .json();
    assert_eq!(starts(&v), ["2026-11-26T16:00:00Z", "2026-12-02T16:00:00Z"]);
}

#[test]
fn count_defaults_to_50() {
    let v = Test::new()
        .args([
            "--feed",
            example_feed().to_str().unwrap(),
            "events",
            "--json",
        ])
        .args(["--from", "2026-01-01T00:00:00Z"])
        .success()
        .json();
    assert_eq!(v.as_array().unwrap().len(), 50);
}

// ---- recurrence, zones and DST ----

#[test]
fn last_thursday_rrule_in_berlin_crosses_dst() {
    let v = events(
        &ics("", LAST_THURSDAY),
        &["--from", "2026-01-01T00:00:00Z", "--count", "12"],
    );
    assert_eq!(
        starts(&v),
        [
            "2026-01-29T16:00:00Z",
            "2026-02-26T16:00:00Z",
            "2026-03-26T16:00:00Z", // CET: DST starts on 29 March
            "2026-04-30T15:00:00Z", // CEST
            "2026-05-28T15:00:00Z",
            "2026-06-25T15:00:00Z",
            "2026-07-30T15:00:00Z",
            "2026-08-27T15:00:00Z",
            "2026-09-24T15:00:00Z",
            "2026-10-29T16:00:00Z", // CET again: DST ended on 25 October
            "2026-11-26T16:00:00Z",
            "2026-12-31T16:00:00Z",
        ]
    );
    let first = &v[0];
    assert_eq!(first["end"], "2026-01-29T18:00:00Z");
    assert_eq!(first["recurrence_id"], "2026-01-29T16:00:00Z");
    assert_eq!(first["all_day"], false);
    let april = &v[3];
    assert_eq!(april["end"], "2026-04-30T17:00:00Z");
}

#[test]
fn rrule_in_los_angeles_crosses_dst() {
    let body = "BEGIN:VEVENT
UID:weekly@example.org
DTSTAMP:20260101T000000Z
DTSTART;TZID=America/Los_Angeles:20261028T080000
DURATION:PT1H
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Office hours
END:VEVENT
";
    let v = events(&ics("", body), &["--from", "2026-10-01T00:00:00Z"]);
    // PDT until 1 November 2026, then PST.
    assert_eq!(
        starts(&v),
        [
            "2026-10-28T15:00:00Z",
            "2026-11-04T16:00:00Z",
            "2026-11-11T16:00:00Z"
        ]
    );
    assert_eq!(v[1]["end"], "2026-11-04T17:00:00Z");
}

#[test]
fn moved_instance_replaces_the_original() {
    let body = format!(
        "{LAST_THURSDAY}BEGIN:VEVENT
UID:summit-series@example.org
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20261231T170000
DTSTART;TZID=Europe/Berlin:20261217T180000
DTEND;TZID=Europe/Berlin:20261217T200000
SEQUENCE:1
SUMMARY:Developer Summit (moved)
END:VEVENT
"
    );
    let v = events(
        &ics("", &body),
        &[
            "--from",
            "2026-11-01T00:00:00Z",
            "--to",
            "2027-02-01T00:00:00Z",
        ],
    );
    assert_eq!(
        v,
        json!([
            {
                "uid": "summit-series@example.org",
                "summary": "Developer Summit",
                "start": "2026-11-26T16:00:00Z",
                "end": "2026-11-26T18:00:00Z",
                "all_day": false,
                "recurrence_id": "2026-11-26T16:00:00Z"
            },
            {
                "uid": "summit-series@example.org",
                "summary": "Developer Summit (moved)",
                "start": "2026-12-17T17:00:00Z",
                "end": "2026-12-17T19:00:00Z",
                "all_day": false,
                "recurrence_id": "2026-12-31T16:00:00Z"
            },
            {
                "uid": "summit-series@example.org",
                "summary": "Developer Summit",
                "start": "2027-01-28T16:00:00Z",
                "end": "2027-01-28T18:00:00Z",
                "all_day": false,
                "recurrence_id": "2027-01-28T16:00:00Z"
            }
        ])
    );
}

#[test]
fn instance_moved_into_the_window_is_listed_and_out_of_it_is_not() {
    // The February instance moved back into January; the March one moved into April.
    let body = format!(
        "{LAST_THURSDAY}BEGIN:VEVENT
UID:summit-series@example.org
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260226T170000
DTSTART;TZID=Europe/Berlin:20260122T170000
DTEND;TZID=Europe/Berlin:20260122T190000
SUMMARY:Developer Summit
END:VEVENT
BEGIN:VEVENT
UID:summit-series@example.org
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260326T170000
DTSTART;TZID=Europe/Berlin:20260402T170000
DTEND;TZID=Europe/Berlin:20260402T190000
SUMMARY:Developer Summit
END:VEVENT
"
    );
    let v = events(
        &ics("", &body),
        &[
            "--from",
            "2026-01-01T00:00:00Z",
            "--to",
            "2026-04-01T00:00:00Z",
        ],
    );
    assert_eq!(starts(&v), ["2026-01-22T16:00:00Z", "2026-01-29T16:00:00Z"]);
    assert_eq!(v[0]["recurrence_id"], "2026-02-26T16:00:00Z");
}

#[test]
fn exdate_removes_an_instance() {
    let body = LAST_THURSDAY.replace(
        "RRULE:",
        "EXDATE;TZID=Europe/Berlin:20260430T170000,20260528T170000\nRRULE:",
    );
    let v = events(
        &ics("", &body),
        &["--from", "2026-03-01T00:00:00Z", "--count", "3"],
    );
    assert_eq!(
        starts(&v),
        [
            "2026-03-26T16:00:00Z",
            "2026-06-25T15:00:00Z",
            "2026-07-30T15:00:00Z"
        ]
    );
}

#[test]
fn exdate_in_utc_removes_the_instance_at_that_instant() {
    let body = LAST_THURSDAY.replace("RRULE:", "EXDATE:20260326T160000Z\nRRULE:");
    let v = events(
        &ics("", &body),
        &["--from", "2026-02-01T00:00:00Z", "--count", "2"],
    );
    assert_eq!(starts(&v), ["2026-02-26T16:00:00Z", "2026-04-30T15:00:00Z"]);
}

#[test]
fn rdate_adds_an_instance() {
    let body = LAST_THURSDAY.replace("RRULE:", "RDATE;TZID=Europe/Berlin:20260305T170000\nRRULE:");
    let v = events(
        &ics("", &body),
        &["--from", "2026-02-01T00:00:00Z", "--count", "3"],
    );
    assert_eq!(
        starts(&v),
        [
            "2026-02-26T16:00:00Z",
            "2026-03-05T16:00:00Z",
            "2026-03-26T16:00:00Z"
        ]
    );
    assert_eq!(v[1]["end"], "2026-03-05T18:00:00Z");
}

#[test]
fn status_cancelled_instance_is_excluded() {
    let body = format!(
        "{LAST_THURSDAY}BEGIN:VEVENT
UID:summit-series@example.org
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260226T170000
DTSTART;TZID=Europe/Berlin:20260226T170000
DTEND;TZID=Europe/Berlin:20260226T190000
STATUS:CANCELLED
SUMMARY:Developer Summit
END:VEVENT
BEGIN:VEVENT
UID:one-off@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260210T100000Z
DTEND:20260210T110000Z
STATUS:CANCELLED
SUMMARY:Cancelled one-off
END:VEVENT
BEGIN:VEVENT
UID:kept@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260211T100000Z
DTEND:20260211T110000Z
STATUS:CONFIRMED
SUMMARY:Kept one-off
END:VEVENT
"
    );
    let v = events(
        &ics("", &body),
        &[
            "--from",
            "2026-02-01T00:00:00Z",
            "--to",
            "2026-04-01T00:00:00Z",
        ],
    );
    assert_eq!(
        starts(&v),
        ["2026-02-11T10:00:00Z", "2026-03-26T16:00:00Z"],
        "{v}"
    );
}

#[test]
fn cancelled_instances_do_not_count_against_count() {
    let body = format!(
        "{LAST_THURSDAY}BEGIN:VEVENT
UID:summit-series@example.org
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260129T170000
DTSTART;TZID=Europe/Berlin:20260129T170000
DTEND;TZID=Europe/Berlin:20260129T190000
STATUS:CANCELLED
SUMMARY:Developer Summit
END:VEVENT
"
    );
    let v = events(
        &ics("", &body),
        &["--from", "2026-01-01T00:00:00Z", "--count", "2"],
    );
    assert_eq!(starts(&v), ["2026-02-26T16:00:00Z", "2026-03-26T16:00:00Z"]);
}

// ---- all-day events ----

const ALL_DAY: &str = "BEGIN:VEVENT
UID:conf@example.org
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261203
DTEND;VALUE=DATE:20261205
SUMMARY:Conference
END:VEVENT
BEGIN:VEVENT
UID:late@example.org
DTSTAMP:20260101T000000Z
DTSTART:20261202T233000Z
DTEND:20261203T003000Z
SUMMARY:Late call
END:VEVENT
BEGIN:VEVENT
UID:early@example.org
DTSTAMP:20260101T000000Z
DTSTART:20261203T003000Z
DTEND:20261203T013000Z
SUMMARY:Early call
END:VEVENT
";

#[test]
fn all_day_event_has_dates_and_sorts_at_midnight_utc() {
    let v = events(&ics("", ALL_DAY), &["--from", "2026-12-01T00:00:00Z"]);
    assert_eq!(
        starts(&v),
        ["2026-12-02T23:30:00Z", "2026-12-03", "2026-12-03T00:30:00Z"]
    );
    assert_eq!(
        v[1],
        json!({
            "uid": "conf@example.org",
            "summary": "Conference",
            "start": "2026-12-03",
            "end": "2026-12-05",
            "all_day": true,
            "recurrence_id": null
        })
    );
}

#[test]
fn all_day_event_counts_as_midnight_utc_for_from() {
    let feed = ics("X-WR-TIMEZONE:America/Los_Angeles", ALL_DAY);
    let at = events(
        &feed,
        &["--from", "2026-12-03T00:00:00Z", "--match", "Conf"],
    );
    assert_eq!(starts(&at), ["2026-12-03"]);
    let after = events(
        &feed,
        &["--from", "2026-12-03T00:00:01Z", "--match", "Conf"],
    );
    assert_eq!(after, json!([]));
}

#[test]
fn all_day_event_counts_as_midnight_utc_for_to() {
    let feed = ics("", ALL_DAY);
    let before = events(
        &feed,
        &[
            "--from",
            "2026-12-01T00:00:00Z",
            "--to",
            "2026-12-03T00:00:00Z",
        ],
    );
    assert_eq!(starts(&before), ["2026-12-02T23:30:00Z"]);
    let including = events(
        &feed,
        &[
            "--from",
            "2026-12-01T00:00:00Z",
            "--to",
            "2026-12-03T00:00:01Z",
        ],
    );
    assert_eq!(starts(&including), ["2026-12-02T23:30:00Z", "2026-12-03"]);
}

#[test]
fn all_day_without_dtend_lasts_one_day() {
    let body = "BEGIN:VEVENT
UID:holiday@example.org
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20261224
SUMMARY:Holiday
END:VEVENT
";
    let v = events(&ics("", body), &["--from", "2026-12-01T00:00:00Z"]);
    assert_eq!(v[0]["start"], "2026-12-24");
    assert_eq!(v[0]["end"], "2026-12-25");
    assert_eq!(v[0]["all_day"], true);
}

#[test]
fn yearly_all_day_series() {
    let body = "BEGIN:VEVENT
UID:birthday@example.org
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20240229
DTEND;VALUE=DATE:20240301
RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1
SUMMARY:Last day of February
END:VEVENT
";
    let v = events(
        &ics("", body),
        &["--from", "2026-01-01T00:00:00Z", "--count", "3"],
    );
    assert_eq!(starts(&v), ["2026-02-28", "2027-02-28", "2028-02-29"]);
    assert_eq!(v[0]["recurrence_id"], "2026-02-28");
    assert_eq!(v[2]["end"], "2028-03-01");
}

// ---- --from, --to, --count, --match ----

#[test]
fn from_is_inclusive_and_to_is_exclusive() {
    let feed = ics("", LAST_THURSDAY);
    let v = events(
        &feed,
        &[
            "--from",
            "2026-02-26T16:00:00Z",
            "--to",
            "2026-04-30T15:00:00Z",
        ],
    );
    assert_eq!(starts(&v), ["2026-02-26T16:00:00Z", "2026-03-26T16:00:00Z"]);
    let v = events(
        &feed,
        &[
            "--from",
            "2026-02-26T16:00:01Z",
            "--to",
            "2026-04-30T15:00:01Z",
        ],
    );
    assert_eq!(starts(&v), ["2026-03-26T16:00:00Z", "2026-04-30T15:00:00Z"]);
}

#[test]
fn from_with_an_offset_is_the_same_instant() {
    let feed = ics("", LAST_THURSDAY);
    let v = events(
        &feed,
        &["--from", "2026-02-26T17:00:00+01:00", "--count", "1"],
    );
    assert_eq!(starts(&v), ["2026-02-26T16:00:00Z"]);
}

#[test]
fn count_limits_the_list() {
    let feed = ics("", LAST_THURSDAY);
    let v = events(&feed, &["--from", "2026-01-01T00:00:00Z", "--count", "2"]);
    assert_eq!(starts(&v), ["2026-01-29T16:00:00Z", "2026-02-26T16:00:00Z"]);
}

#[test]
fn match_filters_on_summary_with_a_regex() {
    let body = format!(
        "{LAST_THURSDAY}BEGIN:VEVENT
UID:other@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260205T100000Z
DTEND:20260205T110000Z
SUMMARY:Community Meeting
END:VEVENT
BEGIN:VEVENT
UID:third@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260206T100000Z
DTEND:20260206T110000Z
SUMMARY:developer SUMMIT prep
END:VEVENT
"
    );
    let feed = ics("", &body);
    let args = [
        "--from",
        "2026-02-01T00:00:00Z",
        "--to",
        "2026-03-01T00:00:00Z",
    ];
    let all = events(&feed, &args);
    assert_eq!(all.as_array().unwrap().len(), 3, "{all}");
    let mut with_match = args.to_vec();
    with_match.extend(["--match", "^Developer Summit$"]);
    assert_eq!(summaries(&events(&feed, &with_match)), ["Developer Summit"]);
    let mut insensitive = args.to_vec();
    insensitive.extend(["--match", "(?i)developer summit"]);
    assert_eq!(
        summaries(&events(&feed, &insensitive)),
        ["developer SUMMIT prep", "Developer Summit"]
    );
    let mut alternation = args.to_vec();
    alternation.extend(["--match", "Community|prep"]);
    assert_eq!(
        summaries(&events(&feed, &alternation)),
        ["Community Meeting", "developer SUMMIT prep"]
    );
}

#[test]
fn match_applies_to_the_summary_of_an_override() {
    let body = format!(
        "{LAST_THURSDAY}BEGIN:VEVENT
UID:summit-series@example.org
DTSTAMP:20260101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20260226T170000
DTSTART;TZID=Europe/Berlin:20260226T170000
DTEND;TZID=Europe/Berlin:20260226T190000
SUMMARY:Developer Summit: special edition
END:VEVENT
"
    );
    let v = events(
        &ics("", &body),
        &[
            "--from",
            "2026-01-01T00:00:00Z",
            "--count",
            "5",
            "--match",
            "special",
        ],
    );
    assert_eq!(starts(&v), ["2026-02-26T16:00:00Z"]);
}

// ---- floating times ----

const FLOATING: &str = "BEGIN:VEVENT
UID:floating@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260701T170000
DTEND:20260701T180000
SUMMARY:Floating
END:VEVENT
";

#[test]
fn floating_time_is_read_in_x_wr_timezone() {
    let v = events(
        &ics("X-WR-TIMEZONE:Europe/Berlin", FLOATING),
        &["--from", "2026-01-01T00:00:00Z"],
    );
    assert_eq!(v[0]["start"], "2026-07-01T15:00:00Z");
    assert_eq!(v[0]["end"], "2026-07-01T16:00:00Z");
    let v = events(
        &ics("X-WR-TIMEZONE:Asia/Kolkata", FLOATING),
        &["--from", "2026-01-01T00:00:00Z"],
    );
    assert_eq!(v[0]["start"], "2026-07-01T11:30:00Z");
}

#[test]
fn floating_time_without_x_wr_timezone_or_config_is_utc() {
    let v = events(&ics("", FLOATING), &["--from", "2026-01-01T00:00:00Z"]);
    assert_eq!(v[0]["start"], "2026-07-01T17:00:00Z");
}

#[test]
fn floating_time_without_x_wr_timezone_uses_config_default_tz() {
    let v = Test::new()
        .file("feed.ics", ics("", FLOATING))
        .file(
            "summit.toml",
            "[calendar]\ndefault-tz = \"America/New_York\"\n",
        )
        .args(["--config", "summit.toml", "--feed", "feed.ics"])
        .args(["events", "--json", "--from", "2026-01-01T00:00:00Z"])
        .success()
        .json();
    assert_eq!(v[0]["start"], "2026-07-01T21:00:00Z");
}

#[test]
fn x_wr_timezone_wins_over_config_default_tz() {
    let v = Test::new()
        .file("feed.ics", ics("X-WR-TIMEZONE:Europe/Berlin", FLOATING))
        .file(
            "summit.toml",
            "[calendar]\ndefault-tz = \"America/New_York\"\n",
        )
        .args(["--config", "summit.toml", "--feed", "feed.ics"])
        .args(["events", "--json", "--from", "2026-01-01T00:00:00Z"])
        .success()
        .json();
    assert_eq!(v[0]["start"], "2026-07-01T15:00:00Z");
}

#[test]
fn floating_series_follows_dst_of_x_wr_timezone() {
    let body = "BEGIN:VEVENT
UID:floating-series@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260319T170000
DTEND:20260319T180000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:Floating weekly
END:VEVENT
";
    let v = events(
        &ics("X-WR-TIMEZONE:Europe/Berlin", body),
        &["--from", "2026-01-01T00:00:00Z"],
    );
    assert_eq!(
        starts(&v),
        [
            "2026-03-19T16:00:00Z",
            "2026-03-26T16:00:00Z",
            "2026-04-02T15:00:00Z"
        ]
    );
}

// ---- ordering ----

#[test]
fn equal_starts_sort_by_uid() {
    let body = "BEGIN:VEVENT
UID:zulu@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260301T100000Z
DTEND:20260301T110000Z
SUMMARY:Z
END:VEVENT
BEGIN:VEVENT
UID:alpha@example.org
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260301T110000
DTEND;TZID=Europe/Berlin:20260301T120000
SUMMARY:A
END:VEVENT
BEGIN:VEVENT
UID:mike@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260301T090000Z
DTEND:20260301T100000Z
SUMMARY:M
END:VEVENT
BEGIN:VEVENT
UID:bravo@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260301T100000Z
DTEND:20260301T103000Z
SUMMARY:B
END:VEVENT
";
    let v = events(&ics("", body), &["--from", "2026-01-01T00:00:00Z"]);
    let uids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["uid"].as_str().unwrap())
        .collect();
    assert_eq!(
        uids,
        [
            "mike@example.org",
            "alpha@example.org",
            "bravo@example.org",
            "zulu@example.org"
        ]
    );
    assert_eq!(v[1]["start"], "2026-03-01T10:00:00Z");
}

#[test]
fn interleaved_series_are_merged_in_start_order() {
    let body = format!(
        "{LAST_THURSDAY}BEGIN:VEVENT
UID:weekly@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260120T100000Z
DTEND:20260120T110000Z
RRULE:FREQ=WEEKLY;INTERVAL=2
SUMMARY:Fortnightly
END:VEVENT
"
    );
    let v = events(
        &ics("", &body),
        &["--from", "2026-01-01T00:00:00Z", "--count", "6"],
    );
    assert_eq!(
        starts(&v),
        [
            "2026-01-20T10:00:00Z",
            "2026-01-29T16:00:00Z",
            "2026-02-03T10:00:00Z",
            "2026-02-17T10:00:00Z",
            "2026-02-26T16:00:00Z",
            "2026-03-03T10:00:00Z"
        ]
    );
}

#[test]
fn escaped_text_in_summary_is_unescaped() {
    let body = "BEGIN:VEVENT
UID:esc@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260301T100000Z
SUMMARY:Summit\\, planning\\; notes\\nnext line
END:VEVENT
";
    let v = events(&ics("", body), &["--from", "2026-01-01T00:00:00Z"]);
    assert_eq!(v[0]["summary"], "Summit, planning; notes\nnext line");
    // No DTEND or DURATION: a timed event ends when it starts.
    assert_eq!(v[0]["end"], "2026-03-01T10:00:00Z");
    assert_eq!(v[0]["recurrence_id"], Value::Null);
}

#[test]
fn escaped_backslash_in_summary_is_one_backslash() {
    // RFC 5545 §3.3.11: `\\` is one backslash, so `\\n` is a backslash and an `n`.
    let body = r"BEGIN:VEVENT
UID:esc@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260301T100000Z
SUMMARY:notes\\drafts in C:\\new\, x\\\, y
END:VEVENT
";
    let v = events(&ics("", body), &["--from", "2026-01-01T00:00:00Z"]);
    assert_eq!(v[0]["summary"], r"notes\drafts in C:\new, x\, y");
}

#[test]
fn feed_of_only_cancelled_events_is_an_empty_list() {
    let body = "BEGIN:VEVENT
UID:gone@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260301T100000Z
STATUS:CANCELLED
SUMMARY:Gone
END:VEVENT
";
    let v = events(&ics("", body), &["--from", "2026-01-01T00:00:00Z"]);
    assert_eq!(v, json!([]));
}

#[test]

fn this_and_future_override_shifts_the_later_instances() {
    // RFC 5545 §3.8.4.4: the override applies to this and every later instance; the
    // start moves by the same offset (+1 h here).
    let body = "BEGIN:VEVENT
UID:weekly@example.org
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Berlin:20260101T170000
DTEND;TZID=Europe/Berlin:20260101T180000
RRULE:FREQ=WEEKLY;COUNT=4
SUMMARY:Weekly
END:VEVENT
BEGIN:VEVENT
UID:weekly@example.org
DTSTAMP:20260101T000000Z
RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260115T170000
DTSTART;TZID=Europe/Berlin:20260115T180000
DTEND;TZID=Europe/Berlin:20260115T190000
SUMMARY:Weekly later
END:VEVENT
";
    let v = events(&ics("", body), &["--from", "2026-01-01T00:00:00Z"]);
    assert_eq!(
        starts(&v),
        [
            "2026-01-01T16:00:00Z",
            "2026-01-08T16:00:00Z",
            "2026-01-15T17:00:00Z",
            "2026-01-22T17:00:00Z"
        ]
    );
    assert_eq!(
        summaries(&v),
        ["Weekly", "Weekly", "Weekly later", "Weekly later"]
    );
}

// ---- RSCALE (RFC 7529) ----

/// `summit events --json --from 2026-01-01T00:00:00Z --count 20` on `body`, and stderr.
fn events_and_stderr(body: &str) -> (Value, String) {
    let run = Test::new()
        .file("feed.ics", ics("", body))
        .args(["--feed", "feed.ics", "events", "--json"])
        .args(["--from", "2026-01-01T00:00:00Z", "--count", "20"])
        .success();
    (run.json(), run.stderr)
}

#[test]
fn rscale_gregorian_monthly_on_the_31st_omits_short_months() {
    // RFC 7529 §3.1: SKIP=OMIT (the default) drops the invalid dates, as RFC 5545 does.
    let body = "BEGIN:VEVENT
UID:rscale-31@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260131T100000Z
RRULE:RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=OMIT;COUNT=4
SUMMARY:Month end
END:VEVENT
";
    let (v, stderr) = events_and_stderr(body);
    assert_eq!(
        starts(&v),
        [
            "2026-01-31T10:00:00Z",
            "2026-03-31T10:00:00Z",
            "2026-05-31T10:00:00Z",
            "2026-07-31T10:00:00Z"
        ]
    );
    assert_eq!(stderr, "");
}

#[test]
fn rscale_gregorian_yearly_is_an_ordinary_rule() {
    let body = "BEGIN:VEVENT
UID:rscale-yearly@example.org
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260315
RRULE:RSCALE=GREGORIAN;FREQ=YEARLY;COUNT=3
SUMMARY:Anniversary
END:VEVENT
";
    let (v, stderr) = events_and_stderr(body);
    assert_eq!(starts(&v), ["2026-03-15", "2027-03-15", "2028-03-15"]);
    assert_eq!(stderr, "");
}

#[test]
fn rscale_gregorian_skip_forward_warns_and_omits() {
    // The `rrule` crate cannot move an invalid date: February is omitted, with a warning.
    let body = "BEGIN:VEVENT
UID:rscale-forward@example.org
DTSTAMP:20260101T000000Z
DTSTART:20260130T100000Z
RRULE:RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=FORWARD;COUNT=2
SUMMARY:Month end
END:VEVENT
";
    let (v, stderr) = events_and_stderr(body);
    assert_eq!(starts(&v), ["2026-01-30T10:00:00Z", "2026-03-30T10:00:00Z"]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("warning: feed `feed.ics` line 8: ")
            && stderr.contains("SKIP=`FORWARD`"),
        "{stderr}"
    );
}

#[test]
fn rscale_chinese_keeps_dtstart_and_rdates_with_one_warning() {
    let body = "BEGIN:VEVENT
UID:rscale-chinese@example.org
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:20260217
RRULE:RSCALE=CHINESE;FREQ=YEARLY
RDATE;VALUE=DATE:20270206
SUMMARY:Spring Festival
END:VEVENT
";
    let (v, stderr) = events_and_stderr(body);
    assert_eq!(starts(&v), ["2026-02-17", "2027-02-06"]);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("warning: feed `feed.ics` line 8: ")
            && stderr.contains("RSCALE=`CHINESE`"),
        "{stderr}"
    );
}
