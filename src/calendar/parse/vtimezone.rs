//! The zones a feed's VTIMEZONE components define (RFC 5545 §3.6.5), for TZIDs that
//! are not IANA names: an IANA X-LIC-LOCATION, else the component's own rules.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use icalendar::parser::Property;

use super::kept::{Kept, OBSERVANCE_BEGIN, OBSERVANCE_END, PartKind, find_prop, property};
use crate::calendar::zone::{self, Zone};

/// The zones the VTIMEZONEs kept in `kept` define, by TZID. A TZID that is an IANA
/// name is left out (the name wins), and so is a VTIMEZONE whose observances define no
/// zone.
pub(super) fn vtimezones(kept: &Kept) -> HashMap<String, Zone> {
    let mut vtimezones: HashMap<String, Zone> = HashMap::new();
    for part in kept.parts.iter().filter(|p| p.kind == PartKind::Vtimezone) {
        let mut props = Vec::new();
        let mut observances = Vec::new();
        let mut current: Option<zone::Observance> = None;
        for line in kept.lines(part) {
            if line.starts_with(OBSERVANCE_BEGIN) {
                current = Some(zone::Observance::default());
            } else if line.starts_with(OBSERVANCE_END) {
                observances.extend(current.take());
            } else if let Some(p) = property(line) {
                match &mut current {
                    Some(o) => observance_property(o, &p),
                    None => props.push(p),
                }
            }
        }
        let Some(id) = find_prop(&props, "TZID") else {
            continue;
        };
        if id.parse::<Tz>().is_ok() {
            continue;
        }
        if let Some(tz) = find_prop(&props, "X-LIC-LOCATION").and_then(|l| l.parse::<Tz>().ok()) {
            vtimezones.insert(id, Zone::Iana(tz));
            continue;
        }
        if let Some(v) = zone::Vtimezone::new(&id, &observances) {
            vtimezones.insert(id, Zone::Defined(std::sync::Arc::new(v)));
        }
    }
    vtimezones
}

fn observance_property(o: &mut zone::Observance, p: &Property<'_>) {
    let local = |v: &str| {
        let v = v.trim().trim_end_matches(['Z', 'z']);
        NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()
    };
    let v = p.val.as_str();
    match p.name.as_str().to_ascii_uppercase().as_str() {
        "DTSTART" => o.start = local(v),
        "TZOFFSETFROM" => o.offset_from = zone::parse_offset(v),
        "TZOFFSETTO" => o.offset_to = zone::parse_offset(v),
        "RRULE" => o.rrules.push(v.trim().to_string()),
        "RDATE" => o.rdates.extend(v.split(',').filter_map(local)),
        _ => {}
    }
}
