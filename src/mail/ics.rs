//! The text/calendar attachment of the reminder and of corrections: the summit as one
//! VEVENT (RFC 5545) under METHOD:PUBLISH (RFC 5546 §3.2.1), so readers can add it to
//! their calendar.
//!
//! It carries the feed's UID and, for an instance of a series, its RECURRENCE-ID, so a
//! calendar that also subscribes to the feed sees the same event rather than a copy.
//! Times are in UTC. Every text value from the feed is put on one line and escaped
//! (RFC 5545 §3.3.11), and lines are folded at 75 octets (§3.1).

use chrono::{DateTime, Utc};

use crate::model::Occurrence;
use crate::model::When;
use crate::text::one_line;

/// The opening lines every calendar summit writes: BEGIN, VERSION, PRODID, CALSCALE and
/// METHOD:PUBLISH (RFC 5545 §3.4, §3.7; RFC 5546 §3.2.1).
pub(crate) fn calendar_header() -> Vec<String> {
    vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        concat!(
            "PRODID:-//summit//summit ",
            env!("CARGO_PKG_VERSION"),
            "//EN"
        )
        .into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
    ]
}

/// The iCalendar text (CRLF line ends) of `summit`.
///
/// `url` is `project.meeting-url`: the URL property is it, else the summit's own
/// meeting link ([`Occurrence::url`]). `sequence` is 0 for the reminder and the
/// correction's number for a correction, so a calendar that imported an earlier version
/// replaces it; `cancelled` sets STATUS:CANCELLED.
pub fn event(
    summit: &Occurrence,
    url: Option<&str>,
    cancelled: bool,
    sequence: u32,
    now: DateTime<Utc>,
) -> String {
    let mut lines = calendar_header();
    lines.push("BEGIN:VEVENT".into());
    lines.push(format!("UID:{}", text(&summit.uid)));
    if let Some(rid) = summit.recurrence_id {
        lines.push(format!("RECURRENCE-ID{}", when(rid)));
    }
    lines.push(format!("DTSTAMP:{}", utc(now)));
    lines.push(format!("DTSTART{}", when(summit.start)));
    if summit.end != summit.start {
        lines.push(format!("DTEND{}", when(summit.end)));
    }
    lines.push(format!("SEQUENCE:{sequence}"));
    lines.push(format!("SUMMARY:{}", text(&summit.summary)));
    if let Some(loc) = &summit.location {
        lines.push(format!("LOCATION:{}", text(loc)));
    }
    // The same link as the mails (`mail::meeting_link`): the configured one first.
    if let Some(u) = url.or(summit.url.as_deref()) {
        let u = one_line(u);
        if !u.is_empty() && !u.contains(' ') {
            lines.push(format!("URL:{u}"));
        }
    }
    lines.push(format!(
        "STATUS:{}",
        if cancelled { "CANCELLED" } else { "CONFIRMED" }
    ));
    lines.push("TRANSP:OPAQUE".into());
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        fold(&l, &mut out);
    }
    out
}

/// `:VALUE` of a DATE-TIME in UTC, or `;VALUE=DATE:VALUE` of an all-day date.
fn when(w: When) -> String {
    match w {
        When::Timed(t) => format!(":{}", utc(t)),
        When::AllDay(d) => format!(";VALUE=DATE:{}", d.format("%Y%m%d")),
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: on one line (no control characters), with `\`, `;` and `,` escaped.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::new();
    for c in one_line(s).chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Appends `line` folded into content lines of at most 75 octets, never splitting a
/// UTF-8 character, each ended by CRLF.
pub(crate) fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests;
