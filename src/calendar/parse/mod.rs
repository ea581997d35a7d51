//! Parsing an iCalendar document (RFC 5545) into the VEVENTs that expansion needs.
//!
//! Content lines are unfolded and repaired by the `lines` module in one pass over the
//! feed, so that every VEVENT and every warning can name its line in the original feed,
//! and only the properties the pipeline reads are kept (`kept`); each kept line is
//! then read by the `icalendar` crate's property parser: the VTIMEZONEs first
//! (`vtimezone`), then each VEVENT (`vevent`), its values by `value`.
//!
//! Inside this module the order is `link` → `value` → `kept` → `vtimezone` → `vevent`
//! → this file: each imports only those before it.

mod kept;
mod link;
mod value;
mod vevent;
mod vtimezone;

use chrono_tz::Tz;
use icalendar::parser::Property;

pub use link::{MEETING_HOSTS, http_link, link_in};
pub use value::{RDate, Stamp, parse_duration, unescape_text};
pub use vevent::Vevent;

use kept::{Kept, PartKind, find_prop, property};
use value::ValueContext;
use vevent::read_vevent;

use super::lines;
use super::warnings::{Problem, Warnings};
use super::zone;
use crate::error::Result;

/// A parsed calendar: its VEVENTs, in feed order, with every date-time resolved to a
/// zone.
#[derive(Clone, Debug)]
pub struct Calendar {
    /// The path, URL or `-` it was read from (`source_name` of [`parse`]), which its
    /// warnings name: ``feed `NAME` line N: …``.
    pub source: String,
    /// X-WR-CALNAME, when given.
    pub name: Option<String>,
    /// The zone floating times are read in: X-WR-TIMEZONE when the feed gives a known
    /// one (the first in the file, when several VCALENDARs are concatenated), else the
    /// caller's default (`calendar.default-tz`).
    pub zone: Tz,
    /// The VEVENTs, masters and overrides alike, in feed order.
    pub events: Vec<Vevent>,
    /// Problems that did not stop parsing, each naming its line: at most ten of a kind,
    /// then one warning counting the rest (`… and N more …, the last at line L`).
    pub warnings: Vec<String>,
}

/// Parses iCalendar text.
///
/// `source_name` names the feed in errors and warnings; `default_zone` reads floating
/// times when the feed has no X-WR-TIMEZONE.
///
/// Memory follows what the pipeline reads, not the feed's line count: content lines are
/// unfolded and repaired in one pass that keeps only the properties read (of VEVENTs,
/// VTIMEZONEs and the calendar's X-WR-TIMEZONE and X-WR-CALNAME) in one buffer, and each
/// kept line is then read on its own. A problem that repeats once per line or value is
/// reported for its first ten occurrences, then counted in one closing warning.
///
/// # Errors
/// [`Error::Calendar`](crate::error::Error::Calendar) when the text has no VCALENDAR,
/// or a kept content line has parameters the `icalendar` parser cannot read. A VEVENT
/// that cannot be used (no DTSTART, an unreadable date) is skipped with a warning naming
/// its line.
pub fn parse(bytes: &[u8], source_name: &str, default_zone: Tz) -> Result<Calendar> {
    let mut warnings = Warnings::new(source_name);
    let text = lines::decode(bytes, &mut warnings);
    let kept = Kept::read(&text, source_name, &mut warnings)?;

    let calendar: Vec<Property<'_>> = kept
        .calendar
        .split_terminator('\n')
        .filter_map(property)
        .collect();
    let x_wr_timezone = x_wr_timezone(&calendar, default_zone, &mut warnings);
    let cal_zone = x_wr_timezone.unwrap_or(default_zone);
    let vtimezones = vtimezone::vtimezones(&kept);
    let ctx = ValueContext {
        cal_zone,
        x_wr_timezone,
        vtimezones: &vtimezones,
        unknown_tzids: Default::default(),
        no_seconds: Default::default(),
    };
    let events = read_vevents(&kept, &ctx, &mut warnings);
    for id in ctx.unknown_tzids.into_inner() {
        warnings.repeated(Problem::UnknownTzid, None, || {
            format!(
                "unknown TZID `{id}` (no IANA or Windows zone of that name, no VTIMEZONE defining it): its times are read in {cal_zone}"
            )
        });
    }
    Ok(Calendar {
        source: source_name.to_string(),
        name: find_prop(&calendar, "X-WR-CALNAME").map(|n| unescape_text(&n)),
        zone: cal_zone,
        events,
        warnings: warnings.finish(),
    })
}

/// The zone the calendar's X-WR-TIMEZONE (among its properties `calendar`) names, if
/// any; an unknown one is warned about (floating times are then read in
/// `default_zone`).
fn x_wr_timezone(
    calendar: &[Property<'_>],
    default_zone: Tz,
    warnings: &mut Warnings<'_>,
) -> Option<Tz> {
    let name = find_prop(calendar, "X-WR-TIMEZONE")?;
    let tz = zone::resolve(&name);
    if tz.is_none() {
        warnings.push(
            None,
            &format!("unknown X-WR-TIMEZONE `{name}`, floating times are read in {default_zone}"),
        );
    }
    tz
}

/// The VEVENTs kept in `kept`, in feed order; one that cannot be used is skipped with a
/// warning.
fn read_vevents(kept: &Kept, ctx: &ValueContext<'_>, warnings: &mut Warnings<'_>) -> Vec<Vevent> {
    let mut events = Vec::new();
    for part in kept.parts.iter().filter(|p| p.kind == PartKind::Vevent) {
        let props = kept
            .numbered_lines(part)
            .filter_map(|(n, l)| Some((n, property(l)?)));
        match read_vevent(props, part.line, ctx, warnings) {
            Ok(ev) => events.push(ev),
            Err((at, msg)) => warnings.repeated(Problem::VeventSkipped, Some(at), || {
                format!("VEVENT skipped: {msg}")
            }),
        }
    }
    events
}

#[cfg(test)]
mod tests;
