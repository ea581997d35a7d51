//! Words that depend on the moment a message is sent: "today", "tomorrow", "on
//! Thursday", the start "Thu 17 Dec, 16:00 UTC / 17:00 CET", and the 72-column body.
//!
//! Everything here is pure: the send time `now` is an argument, never read from a clock.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::model::When;

/// The local date of `when` in `tz`: the date of a timed instant there, or the all-day
/// date itself (an all-day date has no zone).
pub fn local_date(when: When, tz: Tz) -> NaiveDate {
    match when {
        When::Timed(t) => t.with_timezone(&tz).date_naive(),
        When::AllDay(d) => d,
    }
}

/// How many calendar days lie between `now` and `when`, both as local dates in `tz`:
/// 0 when `when` is today there, 1 tomorrow, -1 yesterday.
pub fn days_between(when: When, now: DateTime<Utc>, tz: Tz) -> i64 {
    (local_date(when, tz) - now.with_timezone(&tz).date_naive()).num_days()
}

/// `Thu 17 Dec`, with the year (`Thu 17 Dec 2026`) when it is not the year of
/// `today`.
pub fn short_date(date: NaiveDate, today: NaiveDate) -> String {
    if date.year() == today.year() {
        date.format("%a %-d %b").to_string()
    } else {
        date.format("%a %-d %b %Y").to_string()
    }
}

/// When `when` is, said at `now` by someone in `tz`: `today`, `tomorrow`, `yesterday`,
/// `on Thursday` (within the coming six days, or the past six), or `on Thu 17 Dec`.
pub fn relative_day(when: When, now: DateTime<Utc>, tz: Tz) -> String {
    let today = now.with_timezone(&tz).date_naive();
    let date = local_date(when, tz);
    match (date - today).num_days() {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        2..=6 | -6..=-2 => format!("on {}", date.format("%A")),
        _ => format!("on {}", short_date(date, today)),
    }
}

/// `noun` qualified by when it is, said at `now` in `tz`: `today's summit`,
/// `tomorrow's summit`, `yesterday's summit`, `the summit on Thursday`, `the summit on
/// Thu 17 Dec`.
pub fn relative_noun(noun: &str, when: When, now: DateTime<Utc>, tz: Tz) -> String {
    let word = relative_day(when, now, tz);
    match word.as_str() {
        "today" | "tomorrow" | "yesterday" => format!("{word}'s {noun}"),
        _ => format!("the {noun} {word}"),
    }
}

/// The start as a person writes it, every zone on one line: `Thu 17 Dec, 16:00 UTC /
/// 17:00 CET / 08:00 PST` in the order of `zones`; a zone where the local date differs
/// from the first zone's names its own day (`Fri 18 Dec 01:30 IST`). An all-day date is
/// `Thu 17 Dec, all day`. The year is shown when it is not the year of `now` (in the
/// first zone). Without zones, UTC is used.
pub fn at(when: When, zones: &[Tz], now: DateTime<Utc>) -> String {
    let first = zones.first().copied().unwrap_or(Tz::UTC);
    let today = now.with_timezone(&first).date_naive();
    let t = match when {
        When::AllDay(d) => return format!("{}, all day", short_date(d, today)),
        When::Timed(t) => t,
    };
    let zones: Vec<Tz> = if zones.is_empty() {
        vec![Tz::UTC]
    } else {
        zones.to_vec()
    };
    let first_date = t.with_timezone(&first).date_naive();
    let parts: Vec<String> = zones
        .iter()
        .map(|tz| {
            let local = t.with_timezone(tz);
            let time = format!("{} {}", local.format("%H:%M"), local.format("%Z"));
            if local.date_naive() == first_date {
                time
            } else {
                format!("{} {time}", short_date(local.date_naive(), today))
            }
        })
        .collect();
    format!("{}, {}", short_date(first_date, today), parts.join(" / "))
}

/// The body wrapped at `width` characters: a longer line is broken at spaces, its
/// continuation lines indented under the text after the line's indentation and list
/// marker (`- `, `* `, `1. `, `[ ] `). A word longer than the width (a URL) is never
/// broken; it stands on its own line. Lines that fit are left as they are.
pub fn wrap(body: &str, width: usize) -> String {
    let mut out = String::with_capacity(body.len() + body.len() / 16);
    for line in body.split('\n') {
        wrap_line(line, width, &mut out);
        out.push('\n');
    }
    out.pop();
    out
}

fn wrap_line(line: &str, width: usize, out: &mut String) {
    if line.chars().count() <= width {
        out.push_str(line);
        return;
    }
    let indent = line.len() - line.trim_start().len();
    let rest = &line[indent..];
    let marker = list_marker(rest);
    let hang = " ".repeat(line[..indent].chars().count() + marker.chars().count());
    let mut current = format!("{}{marker}", &line[..indent]);
    let mut current_len = current.chars().count();
    let mut empty = true;
    for word in rest[marker.len()..].split(' ').filter(|w| !w.is_empty()) {
        let n = word.chars().count();
        if !empty && current_len + 1 + n > width {
            out.push_str(&current);
            out.push('\n');
            current = hang.clone();
            current_len = hang.chars().count();
            empty = true;
        }
        if !empty {
            current.push(' ');
            current_len += 1;
        }
        current.push_str(word);
        current_len += n;
        empty = false;
    }
    out.push_str(&current);
}

/// The list marker at the start of `s`, with its trailing space, or `""`.
fn list_marker(s: &str) -> &str {
    for m in ["- ", "* ", "[ ] ", "[x] "] {
        if s.starts_with(m) {
            return &s[..m.len()];
        }
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < 4 && s[digits..].starts_with(". ") {
        return &s[..digits + 2];
    }
    ""
}

#[cfg(test)]
mod tests {
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
}
