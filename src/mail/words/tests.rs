//! Unit tests of [`super`].

use super::*;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn timed(s: &str) -> When {
    When::Timed(t(s))
}

const BERLIN: Tz = chrono_tz::Europe::Berlin;
const LA: Tz = chrono_tz::America::Los_Angeles;

#[test]
fn relative_day_around_midnight_in_berlin() {
    // The summit: Thu 17 Dec 2026, 00:30 in Berlin (23:30 UTC on the 16th).
    let summit = timed("2026-12-16T23:30:00Z");
    // Wed 16 Dec 23:59 in Berlin: tomorrow there, though the same UTC day.
    assert_eq!(
        relative_day(summit, t("2026-12-16T22:59:00Z"), BERLIN),
        "tomorrow"
    );
    // Thu 17 Dec 00:01 in Berlin (still the 16th in UTC): today.
    assert_eq!(
        relative_day(summit, t("2026-12-16T23:01:00Z"), BERLIN),
        "today"
    );
    // In UTC both are the 16th: today.
    assert_eq!(
        relative_day(summit, t("2026-12-16T22:59:00Z"), Tz::UTC),
        "today"
    );
    // After it, the next day in Berlin.
    assert_eq!(
        relative_day(summit, t("2026-12-17T23:30:00Z"), BERLIN),
        "yesterday"
    );
    assert_eq!(
        relative_noun("summit", summit, t("2026-12-17T23:30:00Z"), BERLIN),
        "yesterday's summit"
    );
}

#[test]
fn relative_day_within_a_week_and_beyond() {
    let summit = timed("2026-12-17T16:00:00Z");
    assert_eq!(
        relative_day(summit, t("2026-12-14T16:00:00Z"), BERLIN),
        "on Thursday"
    );
    assert_eq!(
        relative_day(summit, t("2026-12-11T16:00:00Z"), BERLIN),
        "on Thursday"
    );
    assert_eq!(
        relative_day(summit, t("2026-12-10T16:00:00Z"), BERLIN),
        "on Thu 17 Dec"
    );
    assert_eq!(
        relative_day(summit, t("2025-12-20T16:00:00Z"), BERLIN),
        "on Thu 17 Dec 2026"
    );
    assert_eq!(
        relative_noun(
            "Developer Summit",
            summit,
            t("2026-12-16T09:00:00Z"),
            BERLIN
        ),
        "tomorrow's Developer Summit"
    );
    assert_eq!(
        relative_noun("summit", summit, t("2027-01-20T09:00:00Z"), BERLIN),
        "the summit on Thu 17 Dec 2026"
    );
    assert_eq!(
        relative_noun("summit", summit, t("2026-12-19T09:00:00Z"), BERLIN),
        "the summit on Thursday"
    );
}

#[test]
fn relative_day_across_dst() {
    // Los Angeles leaves DST on Sun 1 Nov 2026 (at 09:00 UTC).
    // The summit: Mon 2 Nov, 00:30 PST = 08:30 UTC.
    let summit = timed("2026-11-02T08:30:00Z");
    // Sun 1 Nov 00:30 PDT (07:30 UTC), before the change: tomorrow.
    assert_eq!(
        relative_day(summit, t("2026-11-01T07:30:00Z"), LA),
        "tomorrow"
    );
    // Sun 1 Nov 23:59 PST (07:59 UTC on the 2nd): still tomorrow, a 25-hour day.
    assert_eq!(
        relative_day(summit, t("2026-11-02T07:59:00Z"), LA),
        "tomorrow"
    );
    // Mon 2 Nov 00:00 PST (08:00 UTC): today.
    assert_eq!(relative_day(summit, t("2026-11-02T08:00:00Z"), LA), "today");
    // Sat 31 Oct 23:30 PDT (06:30 UTC on 1 Nov): two days, "on Monday".
    assert_eq!(
        relative_day(summit, t("2026-11-01T06:30:00Z"), LA),
        "on Monday"
    );
    // Spring forward in Berlin (Sun 28 Mar 2027, 01:00 UTC): a 23-hour day.
    let spring = timed("2027-03-28T22:30:00Z"); // Mon 29 Mar 00:30 CEST
    assert_eq!(
        relative_day(spring, t("2027-03-27T23:00:00Z"), BERLIN),
        "tomorrow"
    );
    assert_eq!(
        relative_day(spring, t("2027-03-28T21:59:00Z"), BERLIN),
        "tomorrow"
    );
    assert_eq!(
        relative_day(spring, t("2027-03-28T22:00:00Z"), BERLIN),
        "today"
    );
}

#[test]
fn all_day_dates_have_no_zone() {
    let d = When::AllDay("2026-12-17".parse().unwrap());
    // 23:30 UTC on the 16th is the 17th in Berlin: today there.
    assert_eq!(relative_day(d, t("2026-12-16T23:30:00Z"), BERLIN), "today");
    assert_eq!(
        relative_day(d, t("2026-12-16T23:30:00Z"), Tz::UTC),
        "tomorrow"
    );
    assert_eq!(
        at(d, &[BERLIN], t("2026-12-01T00:00:00Z")),
        "Thu 17 Dec, all day"
    );
    assert_eq!(
        at(d, &[], t("2025-12-01T00:00:00Z")),
        "Thu 17 Dec 2026, all day"
    );
}

#[test]
fn at_puts_every_zone_on_one_line() {
    let now = t("2026-12-01T00:00:00Z");
    let zones = [Tz::UTC, BERLIN, LA, chrono_tz::Asia::Kolkata];
    assert_eq!(
        at(timed("2026-12-17T16:00:00Z"), &zones, now),
        "Thu 17 Dec, 16:00 UTC / 17:00 CET / 08:00 PST / 21:30 IST"
    );
    // A zone on another day names its day.
    assert_eq!(
        at(timed("2026-12-17T20:30:00Z"), &zones, now),
        "Thu 17 Dec, 20:30 UTC / 21:30 CET / 12:30 PST / Fri 18 Dec 02:00 IST"
    );
    // Summer time.
    assert_eq!(
        at(timed("2027-04-29T15:00:00Z"), &[BERLIN, LA], now),
        "Thu 29 Apr 2027, 17:00 CEST / 08:00 PDT"
    );
}

#[test]
fn wrap_breaks_at_spaces_and_never_inside_a_url() {
    let url = format!("https://example.org/{}", "x".repeat(80));
    let body = format!(
        "short line\n\n{}\n  - {} end\n{url}\nsee {url} now\n",
        "word ".repeat(30).trim_end(),
        "item ".repeat(20).trim_end()
    );
    let w = wrap(&body, 72);
    for l in w.lines() {
        assert!(l.chars().count() <= 72 || l.contains(&url), "{l:?}");
    }
    assert!(w.starts_with("short line\n\nword word"), "{w}");
    assert!(w.contains("\n  - item item"), "{w}");
    assert!(w.contains("\n    item"), "continuation under the item: {w}");
    assert!(w.contains(&format!("\n{url}\n")), "{w}");
    assert!(w.contains(&format!("see\n{url}\nnow\n")), "{w}");
    assert!(w.ends_with('\n'));
    // The words are the same.
    let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
    assert_eq!(words(&w), words(&body));
    assert_eq!(wrap("a\nb", 72), "a\nb");
}
