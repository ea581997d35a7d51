use super::merge::order_key;
use super::*;
use crate::calendar::parse;
use crate::model::Occurrence;
use chrono_tz::Tz;
use proptest::prelude::*;

/// The order [`occurrences`] gives: by start, then UID.
fn start_and_uid(o: &Occurrence) -> (DateTime<Utc>, &str) {
    (o.start.instant(), o.uid.as_str())
}

fn cal(events: &str) -> Calendar {
    let text = format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{events}END:VCALENDAR\r\n");
    parse(text.as_bytes(), "test.ics", Tz::UTC).unwrap()
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn starts(c: &Calendar, from: &str, to: &str) -> Vec<String> {
    let mut w = Vec::new();
    occurrences(c, Window::new(t(from), Some(t(to))), None, &mut w)
        .map(|o| o.start.to_string())
        .collect()
}

const MONTHLY: &str = "BEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Summit\r\nDTSTART;TZID=Europe/Berlin:20260129T170000\r\nDTEND;TZID=Europe/Berlin:20260129T190000\r\nRRULE:FREQ=MONTHLY;BYDAY=-1TH\r\nEND:VEVENT\r\n";

#[test]
fn last_thursday_keeps_local_time_across_dst() {
    let c = cal(MONTHLY);
    assert_eq!(
        starts(&c, "2026-02-01T00:00:00Z", "2026-05-01T00:00:00Z"),
        [
            "2026-02-26T16:00:00Z",
            "2026-03-26T16:00:00Z",
            "2026-04-30T15:00:00Z"
        ]
    );
}

#[test]
fn exdate_and_moved_instance() {
    let c = cal(&format!(
        "{}BEGIN:VEVENT\r\nUID:s\r\nSUMMARY:Summit (moved)\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260226T170000\r\nDTSTART;TZID=Europe/Berlin:20260219T180000\r\nDTEND;TZID=Europe/Berlin:20260219T190000\r\nEND:VEVENT\r\n",
        MONTHLY.replace(
            "RRULE",
            "EXDATE;TZID=Europe/Berlin:20260326T170000\r\nRRULE"
        )
    ));
    let mut w = Vec::new();
    let got: Vec<Occurrence> = occurrences(
        &c,
        Window::new(t("2026-02-01T00:00:00Z"), Some(t("2026-05-01T00:00:00Z"))),
        None,
        &mut w,
    )
    .collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].start.to_string(), "2026-02-19T17:00:00Z");
    assert_eq!(got[0].end.to_string(), "2026-02-19T18:00:00Z");
    assert_eq!(got[0].summary, "Summit (moved)");
    assert_eq!(
        got[0].recurrence_id.map(|r| r.to_string()).as_deref(),
        Some("2026-02-26T16:00:00Z")
    );
    assert_eq!(got[1].start.to_string(), "2026-04-30T15:00:00Z");
    assert_eq!(got[1].end.to_string(), "2026-04-30T17:00:00Z");
}

#[test]
fn all_day_series_and_rdate_period() {
    let c = cal(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20260101\r\nRRULE:FREQ=YEARLY;COUNT=2\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260105T100000Z\r\nDURATION:PT1H\r\nRDATE;VALUE=PERIOD:20260106T100000Z/PT3H\r\nEND:VEVENT\r\n",
    );
    let mut w = Vec::new();
    let got: Vec<(String, String)> = occurrences(
        &c,
        Window::new(t("2025-12-31T00:00:00Z"), Some(t("2028-01-01T00:00:00Z"))),
        None,
        &mut w,
    )
    .map(|o| (o.start.to_string(), o.end.to_string()))
    .collect();
    assert_eq!(
        got,
        [
            ("2026-01-01".to_string(), "2026-01-02".to_string()),
            ("2026-01-05T10:00:00Z".into(), "2026-01-05T11:00:00Z".into()),
            ("2026-01-06T10:00:00Z".into(), "2026-01-06T13:00:00Z".into()),
            ("2027-01-01".into(), "2027-01-02".into()),
        ]
    );
}

#[test]
fn until_before_dtstart_gives_nothing() {
    let c = cal(
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20220803T220000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20220803;INTERVAL=4\r\nEND:VEVENT\r\n",
    );
    assert!(starts(&c, "2022-01-01T00:00:00Z", "2023-01-01T00:00:00Z").is_empty());
}

#[test]
fn utc_series_repeats_in_x_wr_timezone() {
    let text = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:20260326T160000Z\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let c = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
    // 17:00 Berlin both weeks: 16:00Z before the EU change, 15:00Z after.
    assert_eq!(
        starts(&c, "2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z"),
        ["2026-03-26T16:00:00Z", "2026-04-02T15:00:00Z"]
    );
}

#[test]
fn summary_filter_skips_other_series() {
    let c = cal(&format!(
        "{MONTHLY}BEGIN:VEVENT\r\nUID:o\r\nSUMMARY:Office hours\r\nDTSTART:20260101T100000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
    ));
    let re = Regex::new("Summit").unwrap();
    let mut w = Vec::new();
    let got: Vec<_> = occurrences(
        &c,
        Window::new(t("2026-01-01T00:00:00Z"), None),
        Some(&re),
        &mut w,
    )
    .take(3)
    .map(|o| o.uid)
    .collect();
    assert_eq!(got, ["s", "s", "s"]);
}

#[test]
fn gregorian_rscale_expands_and_other_scales_keep_dtstart_and_rdates() {
    let c = cal(concat!(
        "BEGIN:VEVENT\r\nUID:g\r\nDTSTART:20260131T100000Z\r\n",
        "RRULE:RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=BACKWARD;COUNT=3\r\nEND:VEVENT\r\n",
        "BEGIN:VEVENT\r\nUID:h\r\nDTSTART:20260201T090000Z\r\n",
        "RRULE:RSCALE=HEBREW;FREQ=MONTHLY\r\nRDATE:20260205T090000Z\r\nEND:VEVENT\r\n",
    ));
    let mut w = Vec::new();
    let got: Vec<String> = occurrences(
        &c,
        Window::new(t("2026-01-01T00:00:00Z"), Some(t("2027-01-01T00:00:00Z"))),
        None,
        &mut w,
    )
    .map(|o| format!("{} {}", o.uid, o.start))
    .collect();
    // SKIP=BACKWARD is evaluated as OMIT: no February 28 (or 29).
    assert_eq!(
        got,
        [
            format!("g {}", When::Timed(t("2026-01-31T10:00:00Z"))),
            format!("h {}", When::Timed(t("2026-02-01T09:00:00Z"))),
            format!("h {}", When::Timed(t("2026-02-05T09:00:00Z"))),
            format!("g {}", When::Timed(t("2026-03-31T10:00:00Z"))),
            format!("g {}", When::Timed(t("2026-05-31T10:00:00Z"))),
        ]
    );
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].starts_with("feed `test.ics` line 6: ") && w[0].contains("SKIP=`BACKWARD`"));
    assert!(w[1].starts_with("feed `test.ics` line 11: ") && w[1].contains("RSCALE=`HEBREW`"));
}

/// The rules `rule::rule_refusal` refuses (tested in `rule`) keep their DTSTART.
#[test]
fn a_rule_the_rrule_crate_must_not_see_keeps_dtstart_with_a_warning() {
    let c = cal(
        "BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T000000Z\r\nRRULE:FREQ=WEEKLY;BYDAY=€\r\nEND:VEVENT\r\n",
    );
    let mut w = Vec::new();
    let got: Vec<_> = occurrences(
        &c,
        Window::new(t("2026-01-01T00:00:00Z"), None),
        None,
        &mut w,
    )
    .collect();
    assert_eq!(got.len(), 1);
    assert!(w[0].contains("not ASCII"), "{w:?}");
}

#[test]
fn simultaneous_occurrences_go_by_uid_then_feed_order() {
    // b, an event without UID, a, another without UID; b's second instance moves
    // onto its third day and a's third onto its first.
    let ev = |uid: &str, summary: &str, extra: &str| {
        let uid = if uid.is_empty() {
            String::new()
        } else {
            format!("UID:{uid}\r\n")
        };
        format!("BEGIN:VEVENT\r\n{uid}SUMMARY:{summary}\r\n{extra}END:VEVENT\r\n")
    };
    let daily = "DTSTART:20260101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n";
    let c = cal(&[
        ev("b", "B", daily),
        ev("", "X1", "DTSTART:20260101T100000Z\r\n"),
        ev("a", "A", daily),
        ev(
            "b",
            "B moved",
            "RECURRENCE-ID:20260102T100000Z\r\nDTSTART:20260103T100000Z\r\n",
        ),
        ev(
            "a",
            "A moved",
            "RECURRENCE-ID:20260103T100000Z\r\nDTSTART:20260101T100000Z\r\n",
        ),
        ev("", "X2", "DTSTART:20260101T100000Z\r\n"),
    ]
    .concat());
    let mut w = Vec::new();
    let window = Window::new(t("2026-01-01T00:00:00Z"), None);
    let got: Vec<(String, String)> = occurrences(&c, window, None, &mut w)
        .map(|o| (o.start.to_string()[..10].to_string(), o.summary))
        .collect();
    let want = [
        ("2026-01-01", "X1"),
        ("2026-01-01", "X2"),
        ("2026-01-01", "A"),
        ("2026-01-01", "A moved"),
        ("2026-01-01", "B"),
        ("2026-01-02", "A"),
        ("2026-01-03", "B"),
        ("2026-01-03", "B moved"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(d, s)| (d.to_string(), s.to_string()))
        .collect();
    assert_eq!(got, want);
    assert!(w.is_empty(), "{w:?}");
}

proptest! {
    /// The packed order key sorts as (start, lane) does, before the epoch and after,
    /// with nanoseconds and leap seconds.
    #[test]
    fn packed_order_key_sorts_as_the_pair(
        a in (-62_000_000_000i64..250_000_000_000, 0u32..1_000_000_000, any::<bool>(), any::<u32>()),
        b in (-62_000_000_000i64..250_000_000_000, 0u32..1_000_000_000, any::<bool>(), any::<u32>()),
        near in any::<bool>(),
    ) {
        // Often the same second, to compare nanoseconds and lanes.
        let b = if near { (a.0, b.1, b.2, b.3) } else { b };
        let at = |(s, n, leap, _): (i64, u32, bool, u32)| {
            // A leap second is the second nanosecond range of second 59.
            let (s, n) = if leap { (s - s.rem_euclid(60) + 59, n + 1_000_000_000) } else { (s, n) };
            DateTime::<Utc>::from_timestamp(s, n).unwrap()
        };
        let (ta, tb) = (at(a), at(b));
        prop_assert_eq!(order_key(ta, a.3).cmp(&order_key(tb, b.3)), (ta, a.3).cmp(&(tb, b.3)));
    }
}

proptest! {
    /// Whatever the rule, occurrences come sorted, inside the window, and EXDATEs never
    /// appear.
    #[test]
    fn sorted_inside_window_and_excluded(
        freq in prop::sample::select(vec!["DAILY", "WEEKLY", "MONTHLY"]),
        interval in 1u8..4,
        hour in 0u32..24,
        exdate_day in 1u32..28,
        from_day in 0i64..200,
        span in 1i64..400,
    ) {
        let text = format!(
            "BEGIN:VEVENT\r\nUID:p\r\nDTSTART;TZID=America/New_York:20260101T{hour:02}3000\r\nRRULE:FREQ={freq};INTERVAL={interval}\r\nEXDATE;TZID=America/New_York:202602{exdate_day:02}T{hour:02}3000\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:q\r\nDTSTART:20260110T120000Z\r\nEND:VEVENT\r\n"
        );
        let c = cal(&text);
        let from = t("2026-01-01T00:00:00Z") + Duration::days(from_day);
        let to = from + Duration::days(span);
        let mut w = Vec::new();
        let got: Vec<Occurrence> = occurrences(&c, Window::new(from, Some(to)), None, &mut w).collect();
        prop_assert!(w.is_empty(), "{w:?}");
        for pair in got.windows(2) {
            prop_assert!(start_and_uid(&pair[0]) <= start_and_uid(&pair[1]));
        }
        let ex = crate::calendar::zone::to_utc(
            chrono::NaiveDate::from_ymd_opt(2026, 2, exdate_day).unwrap().and_hms_opt(hour, 30, 0).unwrap(),
            chrono_tz::America::New_York,
        );
        for o in &got {
            prop_assert!(o.start.instant() >= from && o.start.instant() < to);
            prop_assert!(o.start.instant() != ex);
        }
    }
}

#[test]
fn an_unreadable_rrule_is_named_at_its_own_line_of_its_feed() {
    // Line 3: BEGIN:VEVENT; 4 UID; 5 SUMMARY; 6 DTSTART; 7 RRULE.
    let c = cal(concat!(
        "BEGIN:VEVENT\r\nUID:r\r\nSUMMARY:S\r\nDTSTART:20260101T100000Z\r\n",
        "RRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\n",
    ));
    let mut w = Vec::new();
    let window = Window::new(t("2026-01-01T00:00:00Z"), None);
    assert_eq!(occurrences(&c, window, None, &mut w).count(), 1);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("feed `test.ics` line 7: RRULE `FREQ=SOMETIMES` ignored"),
        "{w:?}"
    );
}
