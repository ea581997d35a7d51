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
mod tests;
