//! The rota as an iCalendar feed (`summit rota --ics`): one VEVENT per summit, titled
//! `Facilitator: NAME`, for a calendar subscription (Google Calendar, Thunderbird).
//!
//! Each event's UID is derived from the summit's UID and original start, so it is the
//! same on every run and a subscribed calendar updates the event in place when the
//! facilitator or the time changes. Times are in UTC; text is escaped (RFC 5545
//! §3.3.11) and lines are folded at 75 octets with CRLF line ends (§3.1).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::ics::{self, fold, text};
use crate::model::When;
use crate::plan::rotation::Basis;
use crate::plan::summit::Planned;

/// The UID of the rota event of `summit`: `facilitator-HASH@summit`, HASH a hash of
/// the summit's UID and original start.
pub fn uid(summit: &crate::calendar::Occurrence) -> String {
    let mut h = Sha256::new();
    h.update(summit.uid.as_bytes());
    h.update([0]);
    if let Some(o) = summit.recurrence_id {
        h.update(o.to_string().as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!("facilitator-{hex}@summit")
}

/// How the facilitator was decided, for people.
pub fn basis_text(basis: Basis) -> &'static str {
    match basis {
        Basis::Recorded(_) => "announced (in the facilitation record)",
        Basis::Pinned => "assigned in the configuration ([[rotation.assign]])",
        Basis::Rotation => "proposed by rotation (least recently facilitated)",
        Basis::Nobody => "every member is away",
        Basis::NotCounted => "before rotation.start",
        Basis::Cancelled => "cancelled",
    }
}

/// The iCalendar text (CRLF line ends) of the rota `entries`, named `calname`, stamped
/// `now`.
pub fn ics(entries: &[(Planned, Basis)], calname: &str, now: DateTime<Utc>) -> String {
    let mut lines = ics::calendar_header();
    lines.extend([
        format!("X-WR-CALNAME:{}", text(calname)),
        "X-WR-TIMEZONE:UTC".into(),
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H".into(),
        "X-PUBLISHED-TTL:PT12H".into(),
    ]);
    for (p, basis) in entries {
        let s = &p.summit;
        let who = match &p.facilitator {
            Some(m) => m.name.clone(),
            None => "nobody yet".into(),
        };
        let mut description = format!("{} on {}.\n", s.summary, s.start.date_utc());
        match &p.facilitator {
            Some(m) => description.push_str(&format!("Facilitator: {} <{}>, ", m.name, m.email)),
            None => description.push_str("No facilitator: "),
        }
        description.push_str(basis_text(*basis));
        description.push('.');
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", uid(s)));
        lines.push(format!("DTSTAMP:{}", utc(now)));
        lines.push(format!("DTSTART{}", when(s.start)));
        if s.end != s.start {
            lines.push(format!("DTEND{}", when(s.end)));
        }
        lines.push(format!("SUMMARY:{}", text(&format!("Facilitator: {who}"))));
        lines.push(format!("DESCRIPTION:{}", multiline(&description)));
        lines.push("STATUS:CONFIRMED".into());
        lines.push("TRANSP:TRANSPARENT".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        fold(&l, &mut out);
    }
    out
}

/// A TEXT value with line breaks kept as `\n` (RFC 5545 §3.3.11).
fn multiline(s: &str) -> String {
    s.split('\n').map(text).collect::<Vec<_>>().join("\\n")
}

fn when(w: When) -> String {
    match w {
        When::Timed(t) => format!(":{}", utc(t)),
        When::AllDay(d) => format!(";VALUE=DATE:{}", d.format("%Y%m%d")),
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests;
