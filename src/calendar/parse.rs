//! Parsing an iCalendar document (RFC 5545) into the VEVENTs that expansion needs.
//!
//! Content lines are unfolded and repaired here (RFC 5545 §3.1) in one pass over the
//! feed, so that every VEVENT and every warning can name its line in the original feed,
//! and only the properties the pipeline reads are kept; each kept line is
//! then read by the `icalendar` crate's property parser.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use icalendar::parser::Property;

use super::zone::{self, Zone};
use crate::error::{Error, Result};

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

/// A DATE or DATE-TIME property value (RFC 5545 §3.3.4, §3.3.5), resolved to a zone.
///
/// A UTC value (`…Z`) is `Local` in `UTC`, or, when the calendar has an X-WR-TIMEZONE,
/// re-expressed in that zone: Google means such series to repeat in local time (the
/// behaviour of the `x-wr-timezone` reference library). A floating value is read in
/// [`Calendar::zone`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// An all-day date.
    Date(NaiveDate),
    /// A wall-clock time in a zone.
    Local(NaiveDateTime, Zone),
}

impl Stamp {
    /// The date or the local wall-clock date.
    pub fn local_date(&self) -> NaiveDate {
        match self {
            Stamp::Date(d) => *d,
            Stamp::Local(t, _) => t.date(),
        }
    }

    /// The local wall-clock time (midnight for a date).
    pub fn local(&self) -> NaiveDateTime {
        match self {
            Stamp::Date(d) => d.and_time(NaiveTime::MIN),
            Stamp::Local(t, _) => *t,
        }
    }

    /// This value as an occurrence time: an instant in UTC, or an all-day date.
    pub fn when(&self) -> super::When {
        match self {
            Stamp::Date(d) => super::When::AllDay(*d),
            Stamp::Local(t, zone) => super::When::Timed(zone.to_utc(*t)),
        }
    }
}

/// One RDATE value: a start, and for a PERIOD its own duration (RFC 5545 §3.8.5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RDate {
    /// The start of the added instance.
    pub start: Stamp,
    /// The duration given by a PERIOD value, if any.
    pub duration: Option<Duration>,
}

/// A VEVENT component (RFC 5545 §3.6.1), with what expansion needs.
#[derive(Clone, Debug)]
pub struct Vevent {
    /// The 1-based line of its `BEGIN:VEVENT` in the feed.
    pub line: usize,
    /// UID; empty when absent.
    pub uid: String,
    /// SUMMARY, unescaped; empty when absent.
    pub summary: String,
    /// STATUS, upper-cased.
    pub status: Option<String>,
    /// LOCATION, unescaped.
    pub location: Option<String>,
    /// The meeting link: the first of URL, X-GOOGLE-CONFERENCE, a link in LOCATION and
    /// the first meeting link in DESCRIPTION (see [`link_in`]) that is an `https://` or
    /// `http://` link.
    pub url: Option<String>,
    /// DTSTART.
    pub dtstart: Stamp,
    /// DTEND.
    pub dtend: Option<Stamp>,
    /// DURATION (RFC 5545 §3.3.6).
    pub duration: Option<Duration>,
    /// RRULE values, verbatim (RFC 5545 §3.8.5.3).
    pub rrules: Vec<String>,
    /// The 1-based feed line of each of `rrules`.
    pub rrule_lines: Vec<usize>,
    /// RDATE values (RFC 5545 §3.8.5.2).
    pub rdates: Vec<RDate>,
    /// EXDATE values (RFC 5545 §3.8.5.1).
    pub exdates: Vec<Stamp>,
    /// RECURRENCE-ID (RFC 5545 §3.8.4.4): set on an overridden instance.
    pub recurrence_id: Option<Stamp>,
    /// RANGE=THISANDFUTURE on the RECURRENCE-ID.
    pub this_and_future: bool,
    /// SEQUENCE (RFC 5545 §3.8.7.4); -1 when absent, so that any explicit revision,
    /// even 0, wins over none (as in the reference implementation).
    pub sequence: i64,
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
/// [`Error::Calendar`] when the text has no VCALENDAR, or a kept content line has
/// parameters the `icalendar` parser cannot read. A VEVENT that cannot be used (no
/// DTSTART, an unreadable date) is skipped with a warning naming its line.
pub fn parse(bytes: &[u8], source_name: &str, default_zone: Tz) -> Result<Calendar> {
    let mut warnings = Warnings::new(source_name);
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            warnings.push(Some(line), "bytes that are not UTF-8 were replaced");
            String::from_utf8_lossy(bytes)
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    // RFC 5545 §3.1 ends lines with CRLF; old Mac OS and Lotus Notes exports end them
    // with a bare CR, which would make the whole feed one line.
    let bare_cr;
    let text = if text.contains('\r') && !text.contains('\n') {
        warnings.push(
            None,
            "lines end in a bare CR (`\\r` without `\\n`, an old Mac OS or Lotus Notes export); each CR is read as a line end",
        );
        bare_cr = text.replace('\r', "\n");
        bare_cr.as_str()
    } else {
        text
    };
    let kept = Kept::read(text, source_name, &mut warnings)?;

    let calendar: Vec<Property<'_>> = kept
        .calendar
        .split_terminator('\n')
        .filter_map(property)
        .collect();
    let prop = |name: &str| {
        calendar
            .iter()
            .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
            .map(|p| p.val.as_str().trim().to_string())
    };
    let x_wr_timezone = match prop("X-WR-TIMEZONE") {
        Some(name) => {
            let tz = zone::resolve(&name);
            if tz.is_none() {
                warnings.push(
                    None,
                    &format!(
                        "unknown X-WR-TIMEZONE `{name}`, floating times are read in {default_zone}"
                    ),
                );
            }
            tz
        }
        None => None,
    };
    let cal_zone = x_wr_timezone.unwrap_or(default_zone);

    // Zones defined by VTIMEZONE components (RFC 5545 §3.6.5), for TZIDs that are not
    // IANA names: an IANA X-LIC-LOCATION, else the component's own rules.
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

    let ctx = ValueContext {
        cal_zone,
        x_wr_timezone,
        vtimezones: &vtimezones,
        unknown_tzids: Default::default(),
        no_seconds: Default::default(),
    };
    let mut events = Vec::new();
    for part in kept.parts.iter().filter(|p| p.kind == PartKind::Vevent) {
        let props = kept
            .numbered_lines(part)
            .filter_map(|(n, l)| Some((n, property(l)?)));
        match read_vevent(props, part.line, &ctx, &mut warnings) {
            Ok(ev) => events.push(ev),
            Err((at, msg)) => warnings.repeated(Problem::VeventSkipped, Some(at), || {
                format!("VEVENT skipped: {msg}")
            }),
        }
    }

    for id in ctx.unknown_tzids.into_inner() {
        warnings.repeated(Problem::UnknownTzid, None, || {
            format!(
                "unknown TZID `{id}` (no IANA or Windows zone of that name, no VTIMEZONE defining it): its times are read in {cal_zone}"
            )
        });
    }
    Ok(Calendar {
        source: source_name.to_string(),
        name: prop("X-WR-CALNAME").map(|n| unescape_text(&n)),
        zone: cal_zone,
        events,
        warnings: warnings.finish(),
    })
}

/// What reading a property value needs to know about the calendar.
struct ValueContext<'a> {
    cal_zone: Tz,
    x_wr_timezone: Option<Tz>,
    vtimezones: &'a HashMap<String, Zone>,
    /// TZIDs nothing resolved, to warn about once each.
    unknown_tzids: std::cell::RefCell<std::collections::BTreeSet<String>>,
    /// The first DATE-TIME value read without its seconds since this was last taken,
    /// which [`read_vevent`] warns about once per content line.
    no_seconds: std::cell::RefCell<Option<String>>,
}

/// One kept content line, read by the `icalendar` parser (which also unescapes TEXT
/// values, RFC 5545 §3.3.11). [`Kept::read`] refused the lines it cannot read.
fn property(line: &str) -> Option<Property<'_>> {
    Property::try_from(line).ok()
}

fn find_prop(props: &[Property<'_>], name: &str) -> Option<String> {
    props
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
        .map(|p| p.val.as_str().trim().to_string())
}

/// Reads one property of a STANDARD or DAYLIGHT sub-component of a VTIMEZONE into `o`.
/// The names read are [`OBSERVANCE_PROPERTIES`].
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

/// How long a SUMMARY, LOCATION, URL or X-GOOGLE-CONFERENCE may be: every occurrence
/// carries a copy, and mail headers are built from them.
const MAX_TEXT_BYTES: usize = 4096;

/// How much of a DESCRIPTION is searched for a meeting link; only the link is kept.
const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;

/// The hosts of the meeting services whose links [`link_in`] finds in a DESCRIPTION:
/// Google Meet, Zoom, Jitsi, Microsoft Teams and Webex (and their subdomains).
pub const MEETING_HOSTS: [&str; 9] = [
    "meet.google.com",
    "zoom.us",
    "zoom.com",
    "zoomgov.com",
    "meet.jit.si",
    "8x8.vc",
    "teams.microsoft.com",
    "teams.live.com",
    "webex.com",
];

/// `value` as a link when it is one `https://` or `http://` link (any case), without
/// trailing punctuation; `None` otherwise.
pub fn http_link(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() || v.contains(char::is_whitespace) {
        return None;
    }
    link_in(v, false).filter(|l| v.starts_with(l.as_str()))
}

/// The first `https://` or `http://` link in `text` (with `meeting_only`, the first
/// whose host is one of [`MEETING_HOSTS`] or a subdomain of one), ended by whitespace,
/// `<`, `>`, `"` or `\`, and stripped of trailing punctuation (`.`, `,`, `;`, `:`, `!`,
/// `?`, `'`, and a `)` or `]` it does not open). Links longer than 4 KiB are skipped.
pub fn link_in(text: &str, meeting_only: bool) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("http").map(|i| i + from) {
        from = i + 4;
        let rest = &lower[i..];
        let scheme = if rest.starts_with("https://") {
            8
        } else if rest.starts_with("http://") {
            7
        } else {
            continue;
        };
        let end = text[i..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\\'))
            .map_or(text.len(), |e| i + e);
        let mut link = &text[i..end];
        loop {
            let trimmed = link.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'']);
            let trimmed = match trimmed.chars().last() {
                Some(')') if trimmed.matches('(').count() < trimmed.matches(')').count() => {
                    &trimmed[..trimmed.len() - 1]
                }
                Some(']') if trimmed.matches('[').count() < trimmed.matches(']').count() => {
                    &trimmed[..trimmed.len() - 1]
                }
                _ => trimmed,
            };
            if trimmed.len() == link.len() {
                break;
            }
            link = trimmed;
        }
        let authority = link[scheme..]
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        let host = host
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if host.is_empty() || link.len() > MAX_TEXT_BYTES {
            continue;
        }
        let meeting = MEETING_HOSTS
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")));
        if !meeting_only || meeting {
            return Some(link.to_string());
        }
    }
    None
}

/// `value`, cut to [`MAX_TEXT_BYTES`] (at a character boundary) with a warning when longer.
fn capped(name: &str, value: &str, line: usize, warnings: &mut Warnings<'_>) -> String {
    if value.len() <= MAX_TEXT_BYTES {
        return value.to_string();
    }
    let mut end = MAX_TEXT_BYTES;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    warnings.repeated(Problem::TextCut, Some(line), || {
        format!(
            "{name} of {} bytes cut to its first {end} bytes",
            value.len()
        )
    });
    value[..end].to_string()
}

/// Reads the VEVENT that begins at feed line `line` from its properties, each with its
/// own feed line (which its warnings name); the names read are [`VEVENT_PROPERTIES`].
///
/// # Errors
/// The feed line at fault and a message saying why the VEVENT cannot be used (no
/// DTSTART: the `BEGIN` line; an unreadable DTSTART or RECURRENCE-ID: its line).
fn read_vevent<'p>(
    props: impl Iterator<Item = (usize, Property<'p>)>,
    line: usize,
    ctx: &ValueContext<'_>,
    warnings: &mut Warnings<'_>,
) -> std::result::Result<Vevent, (usize, String)> {
    let mut ev = Vevent {
        line,
        uid: String::new(),
        summary: String::new(),
        status: None,
        location: None,
        url: None,
        dtstart: Stamp::Date(NaiveDate::MIN),
        dtend: None,
        duration: None,
        rrules: Vec::new(),
        rrule_lines: Vec::new(),
        rdates: Vec::new(),
        exdates: Vec::new(),
        recurrence_id: None,
        this_and_future: false,
        sequence: -1,
    };
    let mut dtstart = None;
    // The candidates for the meeting link, in the order they are preferred.
    let (mut url, mut conference, mut described) = (None, None, None);
    // The feed line of DTEND, for the warning that it is before DTSTART.
    let mut dtend_line = line;
    // The feed line of the first of each of SINGLE_VALUED met.
    let mut first_of = [None; SINGLE_VALUED.len()];
    let (mut dtend_value, mut dtstart_value) = (String::new(), String::new());
    // How DTSTART was written: with a `Z` (and no TZID), and whether it was floating.
    let (mut dtstart_utc, mut dtstart_floating) = (false, false);
    // Which values were floating date-times (no TZID, no `Z`): DTEND, RECURRENCE-ID, and
    // each of `ev.exdates` and `ev.rdates`; and the lines that gave them, for one
    // warning each when DTSTART has a zone.
    let (mut dtend_floating, mut rid_floating) = (false, false);
    let (mut exdate_floating, mut rdate_floating) = (Vec::new(), Vec::new());
    let mut floating_lines: Vec<(usize, String, String)> = Vec::new();
    for (at, p) in props {
        let line = at;
        let name = p.name.as_str().to_ascii_uppercase();
        let raw = p.val.as_str();
        let val = raw.trim();
        let param = |key: &str| {
            p.params
                .iter()
                .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
                .and_then(|x| {
                    x.val
                        .as_ref()
                        .map(|v| v.as_str().trim_matches('"').to_string())
                })
        };
        let tzid = param("TZID");
        let stamp = |v: &str| read_stamp(v, tzid.as_deref(), ctx);
        if let Some(i) = SINGLE_VALUED.iter().position(|s| *s == name) {
            match first_of[i] {
                Some(first) => {
                    warnings.repeated(Problem::Repeated, Some(line), || {
                        format!(
                            "a second {name} (`{val}`) ignored: the first, at line {first}, is used"
                        )
                    });
                    continue;
                }
                None => first_of[i] = Some(line),
            }
        }
        let floating = |v: &str| is_floating(v, tzid.as_deref());
        let mut note_floating = |v: &str| {
            if floating_lines.last().is_none_or(|(l, _, _)| *l != line) {
                floating_lines.push((line, name.clone(), v.to_string()));
            }
        };
        // Every name matched here must be in VEVENT_PROPERTIES: the reader keeps no other.
        match name.as_str() {
            "UID" => ev.uid = val.to_string(),
            // The `icalendar` parser has already unescaped TEXT values (RFC 5545 §3.3.11).
            "SUMMARY" => ev.summary = capped(&name, raw, line, warnings),
            "STATUS" => ev.status = Some(val.to_ascii_uppercase()),
            "LOCATION" => {
                ev.location = Some(capped(&name, val, line, warnings)).filter(|s| !s.is_empty())
            }
            "URL" => url = http_link(&capped(&name, val, line, warnings)),
            "X-GOOGLE-CONFERENCE" => conference = http_link(&capped(&name, val, line, warnings)),
            // Kept by [`Kept::property`] as the description's meeting link only.
            "DESCRIPTION" => described = http_link(val),
            "SEQUENCE" => ev.sequence = val.parse().unwrap_or(-1),
            "DTSTART" => {
                dtstart = Some(stamp(val).map_err(|e| (line, format!("DTSTART {e}")))?);
                dtstart_floating = floating(val);
                dtstart_value = val.to_string();
                dtstart_utc = tzid.is_none() && val.ends_with(['Z', 'z']);
            }
            "DTEND" => match stamp(val) {
                Ok(s) => {
                    ev.dtend = Some(s);
                    dtend_line = line;
                    dtend_value = val.to_string();
                    dtend_floating = floating(val);
                    if dtend_floating {
                        note_floating(val);
                    }
                }
                Err(e) => warnings.repeated(Problem::ValueIgnored, Some(line), || {
                    format!("DTEND ignored: {e}")
                }),
            },
            "DURATION" => match parse_duration(val) {
                Some(d) => ev.duration = Some(d),
                None => warnings.repeated(Problem::ValueIgnored, Some(line), || {
                    format!("DURATION `{val}` ignored: expected e.g. `PT1H30M` or `P1D`")
                }),
            },
            "RRULE" => {
                ev.rrules.push(repaired_rrule(val, line, warnings));
                ev.rrule_lines.push(line);
            }
            "RDATE" => {
                let is_period = param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
                for item in val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match read_rdate(item, is_period, tzid.as_deref(), ctx) {
                        Ok(r) => {
                            let start = item.split_once('/').map_or(item, |(s, _)| s);
                            rdate_floating.push(floating(start));
                            if floating(start) {
                                note_floating(item);
                            }
                            ev.rdates.push(r);
                        }
                        Err(e) => warnings.repeated(Problem::ValueIgnored, Some(line), || {
                            format!("RDATE value ignored: {e}")
                        }),
                    }
                }
            }
            "EXDATE" => {
                for item in val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match stamp(item) {
                        Ok(s) => {
                            exdate_floating.push(floating(item));
                            if floating(item) {
                                note_floating(item);
                            }
                            ev.exdates.push(s);
                        }
                        Err(e) => warnings.repeated(Problem::ValueIgnored, Some(line), || {
                            format!("EXDATE value ignored: {e}")
                        }),
                    }
                }
            }
            "RECURRENCE-ID" => {
                ev.recurrence_id =
                    Some(stamp(val).map_err(|e| (line, format!("RECURRENCE-ID {e}")))?);
                rid_floating = floating(val);
                if rid_floating {
                    note_floating(val);
                }
                ev.this_and_future =
                    param("RANGE").is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
            }
            _ => {}
        }
        if let Some(v) = ctx.no_seconds.borrow_mut().take() {
            warnings.repeated(Problem::NoSeconds, Some(line), || {
                format!("{name} date-time `{v}` has no seconds; read with `00` seconds")
            });
        }
    }
    ev.dtstart = dtstart.ok_or_else(|| (line, "no DTSTART".to_string()))?;
    let located = ev.location.as_deref().and_then(|l| link_in(l, false));
    ev.url = url.or(conference).or(located).or(described);
    // A floating DTEND, RECURRENCE-ID, EXDATE or RDATE beside a DTSTART with a TZID or a
    // `Z` is read in DTSTART's zone: RFC 5545 §3.8.2.2 has DTEND local exactly when
    // DTSTART is, and §3.8.4.4, §3.8.5.1 and §3.8.5.2 have the others match DTSTART's
    // form. Read in the calendar's zone, they would name other instants (an end before
    // the start, an instance that is not the series').
    if let Stamp::Local(_, start_zone) = &ev.dtstart
        && !dtstart_floating
    {
        let rezone = |s: &mut Stamp| {
            if let Stamp::Local(t, _) = s {
                *s = if dtstart_utc {
                    utc_stamp(*t, ctx)
                } else {
                    Stamp::Local(*t, start_zone.clone())
                };
            }
        };
        if dtend_floating && let Some(end) = ev.dtend.as_mut() {
            rezone(end);
        }
        if rid_floating && let Some(rid) = ev.recurrence_id.as_mut() {
            rezone(rid);
        }
        for (x, _) in ev
            .exdates
            .iter_mut()
            .zip(&exdate_floating)
            .filter(|(_, f)| **f)
        {
            rezone(x);
        }
        for (r, _) in ev
            .rdates
            .iter_mut()
            .zip(&rdate_floating)
            .filter(|(_, f)| **f)
        {
            rezone(&mut r.start);
        }
        for (at, name, value) in floating_lines {
            warnings.repeated(Problem::FloatingBesideZoned, Some(at), || {
                format!(
                    "{name} `{value}` has no zone while DTSTART has one; read in DTSTART's zone"
                )
            });
        }
    }
    // A DATE DTSTART with a DATE-TIME DTEND breaks RFC 5545 §3.8.2.2; clients read the
    // start as midnight in the end's zone.
    if let (Stamp::Date(d), Some(Stamp::Local(_, zone))) = (&ev.dtstart, &ev.dtend) {
        ev.dtstart = Stamp::Local(d.and_time(NaiveTime::MIN), zone.clone());
    }
    // Likewise a DATE DTSTART with a DURATION in hours, minutes or seconds (§3.8.2.5
    // allows only days and weeks there): the start is midnight, floating.
    if let (Stamp::Date(d), Some(dur)) = (&ev.dtstart, ev.duration)
        && dur.num_seconds() % 86_400 != 0
    {
        ev.dtstart = Stamp::Local(d.and_time(NaiveTime::MIN), Zone::Iana(ctx.cal_zone));
    }
    // An end before the start (RFC 5545 §3.8.2.2 says it MUST be later) is dropped: the
    // start stays, for DTSTART is the first instance (§3.8.5.3) and what RECURRENCE-IDs
    // and EXDATEs name, and the event lasts as if it had no DTEND (§3.6.1: a day for a
    // DATE DTSTART, no time for a DATE-TIME one), masters and overrides alike.
    // A DATE DTEND on the DTSTART date is dropped too: the event then lasts its day. (A
    // DATE-TIME DTEND equal to DTSTART already means what no DTEND would: no time.)
    if let Some(end) = &ev.dtend
        && std::mem::discriminant(end) == std::mem::discriminant(&ev.dtstart)
    {
        let (end_at, start_at) = (end.when().instant(), ev.dtstart.when().instant());
        let same_date = matches!(end, Stamp::Date(_)) && end_at == start_at;
        if end_at < start_at || same_date {
            warnings.repeated(Problem::EndBeforeStart, Some(dtend_line), || {
                if same_date {
                    format!(
                        "DTEND `{dtend_value}` is the DTSTART date `{dtstart_value}`, expected a later date; DTEND ignored (the event lasts its day)"
                    )
                } else {
                    format!(
                        "DTEND `{dtend_value}` is before DTSTART `{dtstart_value}`; DTEND ignored"
                    )
                }
            });
            ev.dtend = None;
        }
    }
    Ok(ev)
}

/// The VEVENT properties that RFC 5545 §3.6.1 allows at most once. Of a repeated one
/// the first is read, as most readers do, and each further one is ignored with a
/// warning naming both lines. Several RRULEs are not among them: RFC 2445 allowed them
/// and they are read as the union of their occurrences (see [`Vevent::rrules`]), even
/// when their FREQs differ; a part repeated inside one RRULE is (see [`repaired_rrule`]).
const SINGLE_VALUED: [&str; 4] = ["UID", "DTSTART", "DTEND", "RECURRENCE-ID"];

/// An RRULE value (RFC 5545 §3.3.10) as the `rrule` crate reads it, repairing with one
/// warning each: separators escaped as in a TEXT value (`FREQ=DAILY\;COUNT=10`, as some
/// Ruby libraries write it), read unescaped; a rule part given twice
/// (`FREQ=DAILY;FREQ=WEEKLY`; §3.3.10 says each MUST NOT occur more than once), of which
/// the first is read.
fn repaired_rrule(value: &str, line: usize, warnings: &mut Warnings<'_>) -> String {
    let mut rule = value.to_string();
    if rule.contains("\\;") || rule.contains("\\,") {
        rule = rule.replace("\\;", ";").replace("\\,", ",");
        warnings.repeated(Problem::EscapedRrule, Some(line), || {
            format!("RRULE `{value}` has backslash-escaped separators; read as `{rule}`")
        });
    }
    let mut names: Vec<String> = Vec::new();
    let mut parts: Vec<&str> = Vec::new();
    for part in rule.split(';') {
        let name = part
            .split('=')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase();
        if !name.is_empty() && names.contains(&name) {
            warnings.repeated(Problem::Repeated, Some(line), || {
                format!("RRULE part `{part}` repeats {name}; ignored, the first is used")
            });
            continue;
        }
        names.push(name);
        parts.push(part);
    }
    if parts.len() == rule.split(';').count() {
        return rule;
    }
    parts.join(";")
}

/// Reads one DATE or DATE-TIME value.
fn read_stamp(
    value: &str,
    tzid: Option<&str>,
    ctx: &ValueContext<'_>,
) -> std::result::Result<Stamp, String> {
    let v = value.trim();
    if v.len() == 8 {
        return NaiveDate::parse_from_str(v, "%Y%m%d")
            .map(Stamp::Date)
            .map_err(|_| format!("`{v}`: expected a date `YYYYMMDD`"));
    }
    let (digits, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (v, false),
    };
    let expected =
        || format!("`{v}`: expected a date-time `YYYYMMDDTHHMMSS`, optionally followed by `Z`");
    let local = match NaiveDateTime::parse_from_str(digits, "%Y%m%dT%H%M%S") {
        Ok(t) => t,
        // `19970901T1300Z`: a value without its seconds (RFC 5545 §3.3.5 requires
        // them), read as `…00` seconds; [`read_vevent`] warns.
        Err(_) if digits.len() == 13 && digits.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            let t = NaiveDateTime::parse_from_str(&format!("{digits}00"), "%Y%m%dT%H%M%S")
                .map_err(|_| expected())?;
            ctx.no_seconds
                .borrow_mut()
                .get_or_insert_with(|| v.to_string());
            t
        }
        Err(_) => return Err(expected()),
    };
    // A value with both a TZID and a `Z` breaks RFC 5545 §3.3.5; Google shows it in the
    // TZID's zone, so the TZID wins.
    if utc && tzid.is_none() {
        return Ok(utc_stamp(local, ctx));
    }
    let Some(id) = tzid else {
        return Ok(Stamp::Local(local, Zone::Iana(ctx.cal_zone)));
    };
    // An exact IANA name; else the feed's own VTIMEZONE (RFC 5545 §3.6.5), which is what
    // the name means in this file; else a near-IANA, Windows or Outlook display name.
    let zone = id
        .parse::<Tz>()
        .ok()
        .map(Zone::Iana)
        .or_else(|| ctx.vtimezones.get(id).cloned())
        .or_else(|| zone::resolve(id).map(Zone::Iana))
        .or_else(|| zone::fixed_offset(id))
        .unwrap_or_else(|| {
            ctx.unknown_tzids.borrow_mut().insert(id.to_string());
            Zone::Iana(ctx.cal_zone)
        });
    Ok(Stamp::Local(local, zone))
}

/// The UTC date-time `local` (a value with `Z`), re-expressed in the calendar's
/// X-WR-TIMEZONE when it has one (see [`Stamp`]).
fn utc_stamp(local: NaiveDateTime, ctx: &ValueContext<'_>) -> Stamp {
    match ctx.x_wr_timezone {
        Some(tz) => Stamp::Local(zone::to_local(local.and_utc(), tz), Zone::Iana(tz)),
        None => Stamp::Local(local, Zone::Iana(Tz::UTC)),
    }
}

/// Whether `value` (of a property with the TZID `tzid`) is a floating DATE-TIME (RFC
/// 5545 §3.3.5, form #1): no TZID, no `Z`, not a DATE.
fn is_floating(value: &str, tzid: Option<&str>) -> bool {
    let v = value.trim();
    tzid.is_none() && v.len() != 8 && !v.ends_with(['Z', 'z'])
}

fn read_rdate(
    item: &str,
    is_period: bool,
    tzid: Option<&str>,
    ctx: &ValueContext<'_>,
) -> std::result::Result<RDate, String> {
    if is_period || item.contains('/') {
        let (start, rest) = item.split_once('/').ok_or_else(|| {
            format!("`{item}`: expected a period `START/END` or `START/DURATION`")
        })?;
        let start = read_stamp(start, tzid, ctx)?;
        let duration = if rest.trim_start_matches(['+', '-']).starts_with('P') {
            parse_duration(rest).ok_or_else(|| format!("`{rest}`: expected a duration"))?
        } else {
            let end = read_stamp(rest, tzid, ctx)?;
            end.when().instant() - start.when().instant()
        };
        return Ok(RDate {
            start,
            duration: Some(duration),
        });
    }
    Ok(RDate {
        start: read_stamp(item, tzid, ctx)?,
        duration: None,
    })
}

/// Parses an RFC 5545 §3.3.6 duration such as `PT1H30M`, `P1D`, `-P2W`.
pub fn parse_duration(value: &str) -> Option<Duration> {
    let v = value.trim();
    let (sign, v) = match v.as_bytes().first()? {
        b'-' => (-1, &v[1..]),
        b'+' => (1, &v[1..]),
        _ => (1, v),
    };
    let v = v.strip_prefix(['P', 'p'])?;
    let mut total = Duration::zero();
    let mut in_time = false;
    let mut number = String::new();
    let mut any = false;
    for ch in v.chars() {
        match ch.to_ascii_uppercase() {
            'T' if number.is_empty() => in_time = true,
            c if c.is_ascii_digit() => number.push(c),
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                total += match (unit, in_time) {
                    ('W', false) => Duration::try_weeks(n)?,
                    ('D', false) => Duration::try_days(n)?,
                    ('H', true) => Duration::try_hours(n)?,
                    ('M', true) => Duration::try_minutes(n)?,
                    ('S', true) => Duration::try_seconds(n)?,
                    _ => return None,
                };
            }
        }
    }
    (any && number.is_empty()).then_some(total * sign)
}

/// Unescapes a TEXT value (RFC 5545 §3.3.11).
pub fn unescape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// How deep components may nest below VCALENDAR (RFC 5545 needs two levels: VEVENT >
/// VALARM, VTIMEZONE > STANDARD); deeper ones are skipped with everything inside them.
const MAX_NESTING: usize = 8;

/// Components that only appear directly inside VCALENDAR (RFC 5545 §3.6).
const TOP_LEVEL: [&str; 5] = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"];

/// The VEVENT properties [`read_vevent`] reads: the only ones [`Kept`] keeps of a VEVENT.
const VEVENT_PROPERTIES: [&str; 15] = [
    "UID",
    "SUMMARY",
    "STATUS",
    "LOCATION",
    "URL",
    "X-GOOGLE-CONFERENCE",
    "DESCRIPTION",
    "SEQUENCE",
    "DTSTART",
    "DTEND",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
];
/// The VTIMEZONE properties [`parse`] reads (the first of each).
const VTIMEZONE_PROPERTIES: [&str; 2] = ["TZID", "X-LIC-LOCATION"];
/// The properties of a STANDARD or DAYLIGHT observance [`observance_property`] reads.
const OBSERVANCE_PROPERTIES: [&str; 5] =
    ["DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE"];
/// The VCALENDAR properties [`parse`] reads (the first of each).
const CALENDAR_PROPERTIES: [&str; 2] = ["X-WR-TIMEZONE", "X-WR-CALNAME"];

/// How the line [`Kept`] writes where a kept observance begins starts (`BEGIN:STANDARD`,
/// `BEGIN:DAYLIGHT`). No kept property line starts so: [`Repair`] reads a line named
/// BEGIN or END as a component boundary.
const OBSERVANCE_BEGIN: &str = "BEGIN:";
/// The line [`Kept`] writes where a kept observance ends.
const OBSERVANCE_END: &str = "END:";

/// The name and value of a content line (RFC 5545 §3.1), or `None` when it is not one:
/// the name must be letters, digits and dashes, parameters may quote `:` and `;`, and a
/// `:` must separate the value.
fn content_line_name(line: &str) -> Option<(&str, &str)> {
    let end_of_name = line.find([';', ':'])?;
    let name = &line[..end_of_name];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    let mut quoted = false;
    for (i, b) in line.bytes().enumerate().skip(end_of_name) {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => return Some((name, &line[i + 1..])),
            _ => {}
        }
    }
    None
}

/// `DTSTART;TZID="W. Europe Standard Time:20200609T090000"` (an Exchange export whose
/// closing quote slipped past the value) as `DTSTART;TZID="W. Europe Standard
/// Time":20200609T090000`.
fn misplaced_quote(line: &str) -> Option<String> {
    let body = line.strip_suffix('"')?;
    let open = body.rfind('"')?;
    let colon = body[open..].rfind(':')? + open;
    let fixed = format!("{}\":{}", &body[..colon], &body[colon + 1..]);
    content_line_name(&fixed).is_some().then_some(fixed)
}

/// Whether the `icalendar` parser reads all of the content line `line` named `name`. A
/// line without parameters it always reads; of one whose parameters it cannot parse it
/// reads only the name, as a property without a value, and a component holding such a
/// line fails to parse.
fn readable(name: &str, line: &str) -> bool {
    if line.as_bytes().get(name.len()) == Some(&b':') {
        return true;
    }
    Property::try_from(line).is_ok_and(|p| {
        !(p.params.is_empty()
            && p.val.as_str().is_empty()
            && line.len() > p.name.as_str().len() + 1)
    })
}

/// The logical lines of a feed (RFC 5545 §3.1: a line starting with a space or a tab
/// continues the one before), each with the 1-based feed line it starts on. Blank lines
/// are skipped; a continuation after blank lines still continues the last line. A line
/// borrows from the feed unless it was folded.
struct Unfold<'a> {
    raw: std::iter::Enumerate<std::str::Split<'a, char>>,
    pending: Option<(usize, std::borrow::Cow<'a, str>)>,
}

impl<'a> Unfold<'a> {
    fn new(text: &'a str) -> Self {
        Unfold {
            raw: text.split('\n').enumerate(),
            pending: None,
        }
    }
}

impl<'a> Iterator for Unfold<'a> {
    type Item = (usize, std::borrow::Cow<'a, str>);

    fn next(&mut self) -> Option<Self::Item> {
        for (i, raw) in self.raw.by_ref() {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if let Some(cont) = raw.strip_prefix([' ', '\t'])
                && let Some((_, text)) = &mut self.pending
            {
                text.to_mut().push_str(cont);
                continue;
            }
            if raw.trim().is_empty() {
                continue;
            }
            if let Some(done) = self
                .pending
                .replace((i + 1, std::borrow::Cow::Borrowed(raw)))
            {
                return Some(done);
            }
        }
        self.pending.take()
    }
}

/// Reads the logical lines of a feed the way lenient clients read a broken one, with
/// one warning per problem naming its feed line: a line that is not
/// `NAME[;PARAM=VALUE]:VALUE` (Apple's colon-less `X-APPLE-…` lines, a broken fold) is
/// dropped; an END that closes nothing is dropped; components left open are closed;
/// content outside VCALENDAR is dropped; several VCALENDARs become one (the first
/// X-WR-TIMEZONE and X-WR-CALNAME met apply to all, see [`Kept::property`]); components
/// nested more than [`MAX_NESTING`] deep are dropped. What is left, a well-formed
/// component structure, goes to a [`Kept`].
struct Repair<'s> {
    source_name: &'s str,
    /// The open components, upper-cased, VCALENDAR first.
    stack: Vec<String>,
    seen_calendar: bool,
    /// Whether a further VCALENDAR was warned about.
    warned_calendars: bool,
    /// Components nested deeper than MAX_NESTING below VCALENDAR, skipped with their
    /// content (the names of the skipped components still open, innermost last).
    skipped: Vec<String>,
    warned_depth: bool,
    /// The feed line of the last line passed on: where components still open at the
    /// end of the feed are closed.
    last: usize,
    /// When the last line passed on was an `END:VCALENDAR`, `last` before it: a further
    /// VCALENDAR takes that line back.
    before_calendar_end: Option<usize>,
}

impl<'s> Repair<'s> {
    fn new(source_name: &'s str) -> Self {
        Repair {
            source_name,
            stack: Vec::new(),
            seen_calendar: false,
            warned_calendars: false,
            skipped: Vec::new(),
            warned_depth: false,
            last: 0,
            before_calendar_end: None,
        }
    }

    /// Notes that the line `n` (`text`) was passed on.
    fn passed(&mut self, n: usize, text: &str) {
        self.before_calendar_end = text
            .eq_ignore_ascii_case("END:VCALENDAR")
            .then_some(self.last);
        self.last = n;
    }

    /// Closes the open component on top of the stack with a synthetic END at line `n`.
    fn close(&mut self, n: usize, out: &mut Kept) {
        out.end(self.stack.len());
        self.stack.pop();
        self.passed(n, "");
    }

    /// Reads the logical line `n`.
    ///
    /// # Errors
    /// [`Error::Calendar`] when `out` keeps the line and the `icalendar` parser cannot
    /// read its parameters.
    fn line(
        &mut self,
        n: usize,
        line: std::borrow::Cow<'_, str>,
        out: &mut Kept,
        warnings: &mut Warnings<'_>,
    ) -> Result<()> {
        if !self.skipped.is_empty() {
            let Some((name, value)) = content_line_name(&line) else {
                return Ok(());
            };
            let begin = name.eq_ignore_ascii_case("BEGIN");
            if !begin && !name.eq_ignore_ascii_case("END") {
                return Ok(());
            }
            let component = value.trim().to_ascii_uppercase();
            if begin {
                if !TOP_LEVEL.contains(&component.as_str()) {
                    self.skipped.push(component);
                    return Ok(());
                }
                // A new top-level component: the skipped ones were left open.
                self.skipped.clear();
            } else {
                if self.skipped.last() == Some(&component) {
                    self.skipped.pop();
                    return Ok(());
                }
                if !self.stack.contains(&component) {
                    return Ok(());
                }
                // It closes a component of the kept stack: the skipped ones end here.
                self.skipped.clear();
            }
        }
        let line = match content_line_name(&line) {
            Some(_) => line,
            None => match misplaced_quote(&line) {
                Some(fixed) => {
                    warnings.repeated(Problem::MisplacedQuote, Some(n), || {
                        "a parameter's closing quote encloses the value; read as if it closed before the `:`".into()
                    });
                    std::borrow::Cow::Owned(fixed)
                }
                None => line,
            },
        };
        let Some((name, value)) = content_line_name(&line) else {
            warnings.repeated(Problem::Malformed, Some(n), || {
                let shown: String = line.chars().take(60).collect();
                format!(
                    "malformed content line `{shown}` skipped, expected `NAME[;PARAM=VALUE]:VALUE`"
                )
            });
            return Ok(());
        };
        if name.eq_ignore_ascii_case("BEGIN") {
            let component = value.trim().to_ascii_uppercase();
            if component == "VCALENDAR" {
                if self.stack.is_empty() && !self.seen_calendar {
                    self.seen_calendar = true;
                    self.stack.push(component);
                    self.passed(n, &line);
                } else if self.stack.is_empty() {
                    // A further VCALENDAR (several concatenated in one file): its
                    // components join the first's, with one warning for the file.
                    if !self.warned_calendars {
                        self.warned_calendars = true;
                        warnings.push(
                            Some(n),
                            "a further `BEGIN:VCALENDAR` (several calendars in one file): the events of all are read, and the first X-WR-TIMEZONE and X-WR-CALNAME of the file apply to all",
                        );
                    }
                    if let Some(last) = self.before_calendar_end.take() {
                        self.last = last;
                    }
                    self.stack.push(component);
                } else {
                    warnings.repeated(Problem::NestedCalendar, Some(n), || {
                        "`BEGIN:VCALENDAR` inside a component skipped".into()
                    });
                }
                return Ok(());
            }
            if self.stack.is_empty() {
                warnings.repeated(Problem::OutsideCalendar, Some(n), || {
                    format!("`BEGIN:{component}` outside VCALENDAR skipped")
                });
                return Ok(());
            }
            // Top-level components do not nest: one left open ends here.
            if TOP_LEVEL.contains(&component.as_str()) {
                while self.stack.len() > 1 {
                    warnings.repeated(Problem::Unclosed, Some(n), || {
                        format!(
                            "`BEGIN:{}` was not closed; closed before `BEGIN:{component}`",
                            self.stack.last().expect("non-empty")
                        )
                    });
                    self.close(n, out);
                }
            }
            if self.stack.len() > MAX_NESTING {
                if !self.warned_depth {
                    self.warned_depth = true;
                    warnings.push(
                        Some(n),
                        &format!(
                            "`BEGIN:{component}` nested more than {MAX_NESTING} components deep skipped, with everything inside it (further ones are skipped without a warning)"
                        ),
                    );
                }
                self.skipped.push(component);
                return Ok(());
            }
            out.begin(&component, self.stack.len() + 1, n);
            self.stack.push(component);
            self.passed(n, &line);
        } else if name.eq_ignore_ascii_case("END") {
            let component = value.trim().to_ascii_uppercase();
            match self.stack.iter().rposition(|c| *c == component) {
                Some(at) => {
                    while self.stack.len() > at + 1 {
                        warnings.repeated(Problem::Unclosed, Some(n), || {
                            format!(
                                "`BEGIN:{}` was not closed; closed here",
                                self.stack.last().expect("non-empty")
                            )
                        });
                        self.close(n, out);
                    }
                    out.end(self.stack.len());
                    self.stack.pop();
                    self.passed(n, &line);
                }
                None => warnings.repeated(Problem::StrayEnd, Some(n), || {
                    format!("`END:{component}` closes no open component; skipped")
                }),
            }
        } else if self.stack.is_empty() {
            warnings.repeated(Problem::OutsideCalendar, Some(n), || {
                let shown: String = line.chars().take(60).collect();
                format!("content line `{shown}` outside VCALENDAR skipped")
            });
        } else {
            if !out.property(name, &line, self.stack.len(), n, warnings) {
                let shown: String = line.chars().take(60).collect();
                return Err(Error::Calendar {
                    source_name: self.source_name.to_string(),
                    line: Some(n),
                    message: format!(
                        "cannot read content line `{shown}`: expected `NAME[;PARAM=VALUE]:VALUE` inside BEGIN/END components"
                    ),
                });
            }
            self.passed(n, &line);
        }
        Ok(())
    }

    /// Closes the components still open at the end of the feed.
    fn finish(&mut self, out: &mut Kept, warnings: &mut Warnings<'_>) {
        let last = self.last;
        while let Some(open) = self.stack.last() {
            warnings.repeated(Problem::Unclosed, Some(last), || {
                format!("`BEGIN:{open}` was not closed before the end of the feed")
            });
            self.close(last, out);
        }
    }
}

/// Which component a [`Part`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PartKind {
    Vevent,
    Vtimezone,
}

/// A VEVENT or VTIMEZONE of the feed: its kept lines in [`Kept::text`].
#[derive(Debug)]
struct Part {
    kind: PartKind,
    /// The feed line of its `BEGIN`.
    line: usize,
    /// Its kept lines, a range of [`Kept::text`]. A VTIMEZONE's observances are
    /// bracketed by [`OBSERVANCE_BEGIN`] and [`OBSERVANCE_END`] lines.
    text: std::ops::Range<usize>,
    /// The index in [`Kept::numbers`] of its first kept line.
    first: usize,
}

/// The component being kept, with which of its read-once properties were met.
#[derive(Debug)]
struct Open {
    kind: PartKind,
    line: usize,
    start: usize,
    /// The index in [`Kept::numbers`] of its first kept line.
    first: usize,
    /// Whether a STANDARD or DAYLIGHT of a VTIMEZONE is open.
    observance: bool,
    /// Which [`VTIMEZONE_PROPERTIES`] were kept.
    seen: [bool; VTIMEZONE_PROPERTIES.len()],
}

/// The part of a repaired feed that parsing reads, fed by [`Repair`]: the properties
/// of VEVENTs and VTIMEZONEs that are read, and the first X-WR-TIMEZONE and
/// X-WR-CALNAME; everything else (VTODOs, VALARMs, DESCRIPTIONs, unknown X- properties,
/// …) is dropped as it is met. The kept lines are copied, unfolded, into one buffer, so
/// memory is the size of what is read, not a structure per feed line.
#[derive(Debug, Default)]
struct Kept {
    /// The kept lines of the VEVENTs and VTIMEZONEs, each followed by `\n`.
    text: String,
    /// The feed line of each line of `text`, in order (so a warning names the line of
    /// the property at fault, not that of its `BEGIN:VEVENT`).
    numbers: Vec<usize>,
    /// The VEVENTs and VTIMEZONEs, in feed order.
    parts: Vec<Part>,
    /// The kept VCALENDAR properties, each followed by `\n`.
    calendar: String,
    /// Which [`CALENDAR_PROPERTIES`] were kept.
    calendar_seen: [bool; CALENDAR_PROPERTIES.len()],
    /// The VEVENT or VTIMEZONE open, if any.
    open: Option<Open>,
}

impl Kept {
    /// Unfolds and repairs `text` and keeps what parsing reads.
    ///
    /// # Errors
    /// [`Error::Calendar`] when no line is `BEGIN:VCALENDAR`, or a kept line has
    /// parameters the `icalendar` parser cannot read.
    fn read(text: &str, source_name: &str, warnings: &mut Warnings<'_>) -> Result<Self> {
        let mut kept = Kept::default();
        let mut repair = Repair::new(source_name);
        let mut is_calendar = false;
        for (n, line) in Unfold::new(text) {
            is_calendar = is_calendar || line.eq_ignore_ascii_case("BEGIN:VCALENDAR");
            repair.line(n, line, &mut kept, warnings)?;
        }
        if !is_calendar {
            return Err(Error::Calendar {
                source_name: source_name.to_string(),
                line: None,
                message: "not an iCalendar document: expected a `BEGIN:VCALENDAR` line".into(),
            });
        }
        repair.finish(&mut kept, warnings);
        Ok(kept)
    }

    /// The kept lines of `part`.
    fn lines(&self, part: &Part) -> impl Iterator<Item = &str> {
        self.text[part.text.clone()].split_terminator('\n')
    }

    /// The kept lines of `part`, each with its feed line.
    fn numbered_lines(&self, part: &Part) -> impl Iterator<Item = (usize, &str)> {
        self.numbers[part.first..]
            .iter()
            .copied()
            .zip(self.lines(part))
    }

    /// A component named `component` (upper-cased) begins at feed line `n`, `depth`
    /// components deep (VCALENDAR is 1).
    fn begin(&mut self, component: &str, depth: usize, n: usize) {
        match (depth, &mut self.open) {
            (2, _) => {
                let kind = match component {
                    "VEVENT" => PartKind::Vevent,
                    "VTIMEZONE" => PartKind::Vtimezone,
                    _ => return,
                };
                self.open = Some(Open {
                    kind,
                    line: n,
                    start: self.text.len(),
                    first: self.numbers.len(),
                    observance: false,
                    seen: Default::default(),
                });
            }
            (3, Some(open))
                if open.kind == PartKind::Vtimezone
                    && (component == "STANDARD" || component == "DAYLIGHT") =>
            {
                open.observance = true;
                self.numbers.push(n);
                self.text.push_str(OBSERVANCE_BEGIN);
                self.text.push_str(component);
                self.text.push('\n');
            }
            _ => {}
        }
    }

    /// The innermost open component ends; it was `depth` components deep.
    fn end(&mut self, depth: usize) {
        match (depth, &mut self.open) {
            (2, _) => {
                if let Some(open) = self.open.take() {
                    self.parts.push(Part {
                        kind: open.kind,
                        line: open.line,
                        text: open.start..self.text.len(),
                        first: open.first,
                    });
                }
            }
            (3, Some(open)) if open.observance => {
                open.observance = false;
                // Its feed line is not known here, nor needed.
                self.numbers.push(0);
                self.text.push_str(OBSERVANCE_END);
                self.text.push('\n');
            }
            _ => {}
        }
    }

    /// The content line `line` (feed line `n`), of the property `name`, `depth`
    /// components deep. Returns whether it is readable: `false` when it is kept and the
    /// `icalendar` parser cannot read its parameters. Of a VEVENT's DESCRIPTION only its
    /// meeting link is kept, as `DESCRIPTION:LINK`: the first of its first
    /// [`MAX_DESCRIPTION_BYTES`] (a longer one is searched that far, with a warning).
    fn property(
        &mut self,
        name: &str,
        line: &str,
        depth: usize,
        n: usize,
        warnings: &mut Warnings<'_>,
    ) -> bool {
        let is = |names: &[&str]| names.iter().position(|k| k.eq_ignore_ascii_case(name));
        let in_text = depth > 1;
        let buffer = match (depth, &mut self.open) {
            (1, _) => match is(&CALENDAR_PROPERTIES) {
                Some(i) if !self.calendar_seen[i] => {
                    self.calendar_seen[i] = true;
                    &mut self.calendar
                }
                _ => return true,
            },
            (2, Some(open)) if open.kind == PartKind::Vevent => {
                if is(&VEVENT_PROPERTIES).is_none() {
                    return true;
                }
                if name.eq_ignore_ascii_case("DESCRIPTION") {
                    self.description(line, n, warnings);
                    return true;
                }
                &mut self.text
            }
            (2, Some(open)) => match is(&VTIMEZONE_PROPERTIES) {
                Some(i) if !open.seen[i] => {
                    open.seen[i] = true;
                    &mut self.text
                }
                _ => return true,
            },
            (3, Some(open)) if open.observance && is(&OBSERVANCE_PROPERTIES).is_some() => {
                &mut self.text
            }
            _ => return true,
        };
        if !readable(name, line) {
            return false;
        }
        buffer.push_str(line);
        buffer.push('\n');
        if in_text {
            self.numbers.push(n);
        }
        true
    }

    /// Keeps the meeting link of the DESCRIPTION line `line` (feed line `n`), if any, as
    /// a `DESCRIPTION:LINK` line (TEXT-escaped, RFC 5545 §3.3.11).
    fn description(&mut self, line: &str, n: usize, warnings: &mut Warnings<'_>) {
        let Some((_, value)) = content_line_name(line) else {
            return;
        };
        let mut end = value.len().min(MAX_DESCRIPTION_BYTES);
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        if end < value.len() {
            warnings.repeated(Problem::TextCut, Some(n), || {
                format!(
                    "DESCRIPTION of {} bytes: only its first {end} bytes are searched for a meeting link",
                    value.len()
                )
            });
        }
        if let Some(link) = link_in(&unescape_text(&value[..end]), true) {
            self.numbers.push(n);
            self.text.push_str("DESCRIPTION:");
            for c in link.chars() {
                if matches!(c, '\\' | ';' | ',') {
                    self.text.push('\\');
                }
                self.text.push(c);
            }
            self.text.push('\n');
        }
    }
}

/// How many warnings of one [`Problem`] a parse reports one by one; the rest are
/// counted and reported in one line at the end.
const WARNINGS_PER_KIND: usize = 10;

/// A problem that can repeat once per feed line or value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem {
    MisplacedQuote,
    Malformed,
    NestedCalendar,
    OutsideCalendar,
    Unclosed,
    StrayEnd,
    VeventSkipped,
    ValueIgnored,
    EndBeforeStart,
    FloatingBesideZoned,
    TextCut,
    UnknownTzid,
    Repeated,
    EscapedRrule,
    NoSeconds,
}

impl Problem {
    const ALL: [Problem; 15] = [
        Problem::MisplacedQuote,
        Problem::Malformed,
        Problem::NestedCalendar,
        Problem::OutsideCalendar,
        Problem::Unclosed,
        Problem::StrayEnd,
        Problem::VeventSkipped,
        Problem::ValueIgnored,
        Problem::EndBeforeStart,
        Problem::FloatingBesideZoned,
        Problem::TextCut,
        Problem::UnknownTzid,
        Problem::Repeated,
        Problem::EscapedRrule,
        Problem::NoSeconds,
    ];

    /// What the closing line calls the ones not reported one by one.
    fn plural(self) -> &'static str {
        match self {
            Problem::MisplacedQuote => "parameter quotes that enclosed the value",
            Problem::Malformed => "malformed content lines skipped",
            Problem::NestedCalendar => "`BEGIN:VCALENDAR` lines inside a component skipped",
            Problem::OutsideCalendar => "lines outside VCALENDAR skipped",
            Problem::Unclosed => "components that were not closed",
            Problem::StrayEnd => "`END` lines that close no open component skipped",
            Problem::VeventSkipped => "VEVENTs skipped",
            Problem::ValueIgnored => "DTEND, DURATION, RDATE or EXDATE values ignored",
            Problem::EndBeforeStart => "VEVENTs whose DTEND is not after DTSTART",
            Problem::FloatingBesideZoned => "floating values read in DTSTART's zone",
            Problem::TextCut => "SUMMARY, LOCATION, URL or DESCRIPTION values cut",
            Problem::UnknownTzid => "unknown TZIDs",
            Problem::Repeated => "repeated properties or RRULE parts ignored",
            Problem::EscapedRrule => "RRULEs with backslash-escaped separators",
            Problem::NoSeconds => "date-times without seconds",
        }
    }
}

/// The warnings of one parse, each ``feed `{source_name}` line {n}: …`` (the line of
/// the property or content line at fault) or ``feed `{source_name}`: …`` (the feed as a
/// whole), as [`Error::Calendar`] says its errors.
/// Of each [`Problem`], the first [`WARNINGS_PER_KIND`] are kept and the rest counted,
/// so that a feed of millions of bad lines costs a few warnings, not a string per line.
struct Warnings<'a> {
    source_name: &'a str,
    list: Vec<String>,
    /// Per [`Problem`] (by its index in [`Problem::ALL`]): how many were met, and the
    /// feed line of the last one that has a line.
    met: [(usize, Option<usize>); Problem::ALL.len()],
}

impl<'a> Warnings<'a> {
    fn new(source_name: &'a str) -> Self {
        Warnings {
            source_name,
            list: Vec::new(),
            met: Default::default(),
        }
    }

    /// A warning about the feed line `line`, or about the feed as a whole.
    fn push(&mut self, line: Option<usize>, what: &str) {
        let source_name = self.source_name;
        self.list.push(match line {
            Some(n) => format!("feed `{source_name}` line {n}: {what}"),
            None => format!("feed `{source_name}`: {what}"),
        });
    }

    /// A warning of `problem`: kept while fewer than [`WARNINGS_PER_KIND`] of it were,
    /// else only counted (`what` is not called).
    fn repeated(&mut self, problem: Problem, line: Option<usize>, what: impl FnOnce() -> String) {
        let index = Problem::ALL
            .iter()
            .position(|p| *p == problem)
            .expect("every problem is in ALL");
        let (count, last) = &mut self.met[index];
        *count += 1;
        if line.is_some() {
            *last = line;
        }
        if *count <= WARNINGS_PER_KIND {
            self.push(line, &what());
        }
    }

    /// The warnings, with one closing line per problem met more than
    /// [`WARNINGS_PER_KIND`] times: `… and 19999990 more malformed content lines
    /// skipped, the last at line 20971523`.
    fn finish(mut self) -> Vec<String> {
        for (problem, (count, last)) in Problem::ALL.into_iter().zip(self.met) {
            if count <= WARNINGS_PER_KIND {
                continue;
            }
            let more = count - WARNINGS_PER_KIND;
            let what = problem.plural();
            self.push(
                None,
                &match last {
                    Some(n) => format!("… and {more} more {what}, the last at line {n}"),
                    None => format!("… and {more} more {what}"),
                },
            );
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("P1D"), Some(Duration::days(1)));
        assert_eq!(parse_duration("-P2W"), Some(Duration::weeks(-2)));
        assert_eq!(parse_duration("P1DT2H"), Some(Duration::hours(26)));
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("1H"), None);
        assert_eq!(parse_duration("PT5X"), None);
    }

    #[test]
    fn links_in_text() {
        let zoom = "https://us02web.zoom.us/j/855?pwd=Ab";
        // Trailing punctuation and unopened brackets are not part of a link.
        assert_eq!(
            link_in(&format!("Join: {zoom}."), true).as_deref(),
            Some(zoom)
        );
        assert_eq!(link_in(&format!("({zoom}),"), true).as_deref(), Some(zoom));
        assert_eq!(
            link_in("see https://en.wikipedia.org/wiki/X_(Y).", false).as_deref(),
            Some("https://en.wikipedia.org/wiki/X_(Y)")
        );
        // Only meeting hosts (and their subdomains) in a description.
        let text = "Notes: https://docs.example.org/d, Jitsi: <HTTPS://Meet.Jit.Si/Dev>";
        assert_eq!(
            link_in(text, true).as_deref(),
            Some("HTTPS://Meet.Jit.Si/Dev")
        );
        assert_eq!(
            link_in(text, false).as_deref(),
            Some("https://docs.example.org/d")
        );
        for host in [
            "https://meet.google.com/abc-defg-hij",
            "https://zoom.us/j/1",
            "https://teams.microsoft.com/l/meetup-join/19%3a",
            "https://acme.webex.com/meet/x",
        ] {
            assert_eq!(link_in(&format!("x {host} y"), true).as_deref(), Some(host));
        }
        // Not a meeting host: a look-alike, userinfo tricks.
        assert_eq!(link_in("https://zoom.us.evil.example/j/1", true), None);
        assert_eq!(link_in("https://notzoom.us/j/1", true), None);
        assert_eq!(
            link_in("https://zoom.us@evil.example/j/1", true),
            None,
            "the host is after the `@`"
        );
        assert_eq!(link_in("ftp://zoom.us/x httpx://zoom.us", false), None);
        assert_eq!(link_in("https://", false), None);
        // A whole value is a link or not.
        assert_eq!(
            http_link(" https://x.org/a. ").as_deref(),
            Some("https://x.org/a")
        );
        assert_eq!(http_link("mailto:a@b.org"), None);
        assert_eq!(http_link("Room https://x.org"), None);
    }

    #[test]
    fn the_meeting_link_in_order_and_descriptions_not_kept() {
        let zoom = "https://zoom.us/j/9";
        let event = |props: &str| {
            let text = cal(&format!(
                "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261217T160000Z\r\n{props}END:VEVENT\r\n"
            ));
            parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap()
        };
        let description = format!("DESCRIPTION:Hello\\n{zoom}\\, dial 1\r\n");
        let c = event(&description);
        assert_eq!(c.events[0].url.as_deref(), Some(zoom));
        let c = event(&format!(
            "{description}LOCATION:https://loc.example.org\r\n"
        ));
        assert_eq!(c.events[0].url.as_deref(), Some("https://loc.example.org"));
        let c = event(&format!(
            "{description}LOCATION:https://loc.example.org\r\nX-GOOGLE-CONFERENCE:https://meet.google.com/a\r\n"
        ));
        assert_eq!(
            c.events[0].url.as_deref(),
            Some("https://meet.google.com/a")
        );
        let c = event(&format!(
            "{description}X-GOOGLE-CONFERENCE:https://meet.google.com/a\r\nURL:https://u.example.org\r\n"
        ));
        assert_eq!(c.events[0].url.as_deref(), Some("https://u.example.org"));

        // Only the link of a description is kept, and a long one is searched only so far.
        let long = format!(
            "DESCRIPTION:{}{zoom}\r\n",
            "x ".repeat(MAX_DESCRIPTION_BYTES)
        );
        let text = cal(&format!(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261217T160000Z\r\n{description}{long}END:VEVENT\r\n"
        ));
        let mut warnings = Warnings::new("t.ics");
        let kept = Kept::read(&text, "t.ics", &mut warnings).unwrap();
        assert!(kept.text.len() < 200, "{}", kept.text);
        assert!(
            kept.text.contains(&format!("DESCRIPTION:{zoom}\n")),
            "{}",
            kept.text
        );
        let c = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(c.events[0].url.as_deref(), Some(zoom));
        assert!(
            c.warnings
                .iter()
                .any(|w| w.contains("DESCRIPTION of") && w.contains("searched for a meeting link")),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn text_unescaping() {
        assert_eq!(unescape_text(r"a\, b\; c\nd\\e"), "a, b; c\nd\\e");
    }

    #[test]
    fn unfolding_keeps_line_numbers() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:long\r\n  line\r\nDTSTART:20260101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(cal.events.len(), 1);
        assert_eq!(cal.events[0].line, 2);
        assert_eq!(cal.events[0].summary, "long line");
    }

    /// A VCALENDAR around `body` (CRLF-terminated lines).
    fn cal(body: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n")
    }

    #[test]
    fn a_fold_after_blank_lines_continues_the_line_before_them() {
        let text = cal(
            "BEGIN:VEVENT\r\nSUMMARY:one\r\n\r\n\r\n  two\r\n\tthree\r\nDTSTART:20260101\r\nEND:VEVENT\r\n",
        );
        let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(cal.events[0].summary, "one twothree");
        assert!(cal.warnings.is_empty(), "{:?}", cal.warnings);
    }

    #[test]
    fn only_what_is_read_is_kept() {
        let text = cal(concat!(
            "X-UNKNOWN:1\r\nX-WR-CALNAME:First\r\nX-WR-CALNAME:Second\r\n",
            "BEGIN:VTODO\r\nSUMMARY:todo\r\nDTSTART:20260101\r\nEND:VTODO\r\n",
            "BEGIN:VTIMEZONE\r\nTZID:Custom\r\nTZID:Other\r\nX-FOO:1\r\nBEGIN:STANDARD\r\n",
            "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0100\r\nTZNAME:C\r\n",
            "END:STANDARD\r\nBEGIN:X-OTHER\r\nDTSTART:19700101T000000\r\nEND:X-OTHER\r\nEND:VTIMEZONE\r\n",
            "BEGIN:VEVENT\r\nUID:a\r\nDESCRIPTION:long\r\nSUMMARY:Kept\r\nX-ALT-DESC:x\r\n",
            "DTSTART;TZID=Custom:20260101T100000\r\nBEGIN:VALARM\r\nSUMMARY:alarm\r\n",
            "DURATION:PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n",
        ));
        let mut warnings = Warnings::new("t.ics");
        let kept = Kept::read(&text, "t.ics", &mut warnings).unwrap();
        assert_eq!(kept.calendar, "X-WR-CALNAME:First\n");
        let parts: Vec<(PartKind, usize, Vec<&str>)> = kept
            .parts
            .iter()
            .map(|p| (p.kind, p.line, kept.lines(p).collect()))
            .collect();
        assert_eq!(
            parts,
            [
                (
                    PartKind::Vtimezone,
                    10,
                    vec![
                        "TZID:Custom",
                        "BEGIN:STANDARD",
                        "DTSTART:19700101T000000",
                        "TZOFFSETFROM:+0100",
                        "TZOFFSETTO:+0100",
                        "END:",
                    ]
                ),
                (
                    PartKind::Vevent,
                    24,
                    vec![
                        "UID:a",
                        "SUMMARY:Kept",
                        "DTSTART;TZID=Custom:20260101T100000"
                    ]
                ),
            ]
        );
        let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(cal.name.as_deref(), Some("First"));
        assert_eq!(cal.events.len(), 1);
        let ev = &cal.events[0];
        assert_eq!((ev.summary.as_str(), ev.duration), ("Kept", None));
        assert_eq!(
            ev.dtstart.when().instant().to_rfc3339(),
            "2026-01-01T09:00:00+00:00"
        );
        assert!(cal.warnings.is_empty(), "{:?}", cal.warnings);
    }

    #[test]
    fn an_unreadable_parameter_fails_only_on_a_line_that_is_read() {
        let dropped =
            cal("BEGIN:VEVENT\r\nDESCRIPTION;X=\"a\"b:c\r\nDTSTART:20260101\r\nEND:VEVENT\r\n");
        let cal_ok = parse(dropped.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(cal_ok.events.len(), 1);
        let read = cal("BEGIN:VEVENT\r\nDTSTART;X=\"a\"b:20260101\r\nEND:VEVENT\r\n");
        let err = parse(read.as_bytes(), "t.ics", Tz::UTC).unwrap_err();
        assert!(
            err.to_string().contains("line 4")
                && err
                    .to_string()
                    .contains("cannot read content line `DTSTART;X="),
            "{err}"
        );
        assert!(readable("DTSTART", "DTSTART:"));
        assert!(readable("DTSTART", "DTSTART;TZID=\"a:b\";X=1:20260101"));
        assert!(!readable("DTSTART", "DTSTART;X=\"a\"b:20260101"));
    }

    #[test]
    fn warnings_name_the_feed_and_the_line_of_the_property_at_fault() {
        // Line 3: BEGIN:VEVENT; 4 UID; 5 DTSTART; 6 DTEND (bad); 7 END.
        // Line 8: BEGIN:VEVENT; 9 UID; 10 DTSTART (bad); 11 END.
        // Line 12: BEGIN:VEVENT; 13 DTSTART; 14 DTEND (before the start); 15 END.
        let text = cal(concat!(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nDTEND:nope\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:never\r\nEND:VEVENT\r\n",
            "BEGIN:VEVENT\r\nDTSTART:20260101T100000Z\r\nDTEND:20260101T090000Z\r\nEND:VEVENT\r\n",
        ));
        let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        let w = &cal.warnings;
        assert!(
            w[0].starts_with("feed `t.ics` line 6: DTEND ignored"),
            "{w:#?}"
        );
        assert!(
            w[1].starts_with("feed `t.ics` line 10: VEVENT skipped: DTSTART"),
            "{w:#?}"
        );
        assert!(
            w[2].starts_with("feed `t.ics` line 14: DTEND `20260101T090000Z` is before DTSTART"),
            "{w:#?}"
        );
        assert_eq!(cal.source, "t.ics");
    }

    #[test]
    fn a_repeated_problem_is_reported_ten_times_then_counted() {
        let junk = "junk\r\n".repeat(25);
        let text = cal(&format!(
            "{junk}BEGIN:VEVENT\r\nDTSTART:20260101\r\nEXDATE:{}\r\nEND:VEVENT\r\n",
            ["bad"; 12].join(",")
        ));
        let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        let w = &cal.warnings;
        assert_eq!(w.len(), 10 + 10 + 2, "{w:#?}");
        assert_eq!(
            w[0],
            "feed `t.ics` line 3: malformed content line `junk` skipped, expected `NAME[;PARAM=VALUE]:VALUE`"
        );
        assert!(
            w[9].starts_with("feed `t.ics` line 12: malformed"),
            "{}",
            w[9]
        );
        assert!(
            w[10].starts_with("feed `t.ics` line 30: EXDATE value ignored: `bad`"),
            "{}",
            w[10]
        );
        assert_eq!(
            w[20],
            "feed `t.ics`: … and 15 more malformed content lines skipped, the last at line 27"
        );
        assert_eq!(
            w[21],
            "feed `t.ics`: … and 2 more DTEND, DURATION, RDATE or EXDATE values ignored, the last at line 30"
        );
    }

    #[test]
    fn several_calendars_merge_and_an_open_one_is_closed_at_its_last_line() {
        let text = "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Berlin\r\nEND:VCALENDAR\r\n\
                    BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20260101T100000\r\n";
        let cal = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(cal.zone, chrono_tz::Europe::Berlin);
        assert_eq!(cal.events.len(), 1);
        assert_eq!(
            cal.warnings,
            [
                "feed `t.ics` line 4: a further `BEGIN:VCALENDAR` (several calendars in one file): the events of all are read, and the first X-WR-TIMEZONE and X-WR-CALNAME of the file apply to all",
                "feed `t.ics` line 6: `BEGIN:VEVENT` was not closed before the end of the feed",
                "feed `t.ics` line 6: `BEGIN:VCALENDAR` was not closed before the end of the feed",
            ]
        );
    }

    #[test]
    fn bare_cr_line_ends_are_read_as_line_ends_with_one_warning() {
        let text = cal("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n")
            .replace("\r\n", "\r");
        let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(parsed.events.len(), 1);
        assert_eq!(parsed.events[0].uid, "a");
        assert_eq!(
            parsed.warnings,
            [
                "feed `t.ics`: lines end in a bare CR (`\\r` without `\\n`, an old Mac OS or Lotus Notes export); each CR is read as a line end"
            ]
        );
        // A CR inside a CRLF feed is not a line end, and costs no warning.
        let text = cal("BEGIN:VEVENT\r\nUID:a\rb\r\nDTSTART:20260101T100000Z\r\nEND:VEVENT\r\n");
        let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(parsed.events[0].uid, "a\rb");
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn the_first_of_a_repeated_single_valued_property_is_read() {
        let text = cal(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T100000Z\r\nUID:b\r\n\
             DTSTART:20260202T100000Z\r\nRECURRENCE-ID:20260101T100000Z\r\n\
             RECURRENCE-ID:20260103T100000Z\r\nEND:VEVENT\r\n",
        );
        let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        let ev = &parsed.events[0];
        assert_eq!(ev.uid, "a");
        assert_eq!(ev.dtstart.local().to_string(), "2026-01-01 10:00:00");
        assert_eq!(
            ev.recurrence_id.as_ref().map(|r| r.local().to_string()),
            Some("2026-01-01 10:00:00".to_string())
        );
        assert_eq!(
            parsed.warnings,
            [
                "feed `t.ics` line 6: a second UID (`b`) ignored: the first, at line 4, is used",
                "feed `t.ics` line 7: a second DTSTART (`20260202T100000Z`) ignored: the first, at line 5, is used",
                "feed `t.ics` line 9: a second RECURRENCE-ID (`20260103T100000Z`) ignored: the first, at line 8, is used",
            ]
        );
        // An unreadable second DTSTART does not cost the VEVENT.
        let text =
            cal("BEGIN:VEVENT\r\nDTSTART:20260101T100000Z\r\nDTSTART:garbage\r\nEND:VEVENT\r\n");
        let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(parsed.events.len(), 1);
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    }

    #[test]
    fn rrule_repairs() {
        let mut w = Warnings::new("t.ics");
        assert_eq!(
            repaired_rrule("FREQ=DAILY;COUNT=3", 1, &mut w),
            "FREQ=DAILY;COUNT=3"
        );
        assert_eq!(
            repaired_rrule("FREQ=WEEKLY\\;BYDAY=MO\\,TU", 2, &mut w),
            "FREQ=WEEKLY;BYDAY=MO,TU"
        );
        assert_eq!(
            repaired_rrule("FREQ=DAILY;COUNT=3;freq=WEEKLY", 3, &mut w),
            "FREQ=DAILY;COUNT=3"
        );
        assert_eq!(
            w.finish(),
            [
                "feed `t.ics` line 2: RRULE `FREQ=WEEKLY\\;BYDAY=MO\\,TU` has backslash-escaped separators; read as `FREQ=WEEKLY;BYDAY=MO,TU`",
                "feed `t.ics` line 3: RRULE part `freq=WEEKLY` repeats FREQ; ignored, the first is used",
            ]
        );
        // Through the parser, which must leave the backslashes in place for the repair.
        let text = cal(
            "BEGIN:VEVENT\r\nDTSTART:20260101T100000Z\r\nRRULE:FREQ=DAILY\\;COUNT=10\r\nEND:VEVENT\r\n",
        );
        let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        assert_eq!(parsed.events[0].rrules, ["FREQ=DAILY;COUNT=10"]);
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
    }

    #[test]
    fn a_date_time_without_seconds_is_read_with_00_seconds() {
        let text = cal(
            "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20260115T1700\r\n\
             EXDATE:19970901T1300Z,19970902T1300Z\r\nEND:VEVENT\r\n",
        );
        let parsed = parse(text.as_bytes(), "t.ics", Tz::UTC).unwrap();
        let ev = &parsed.events[0];
        assert_eq!(
            ev.dtstart,
            Stamp::Local(
                NaiveDate::from_ymd_opt(2026, 1, 15)
                    .unwrap()
                    .and_hms_opt(17, 0, 0)
                    .unwrap(),
                Zone::Iana(chrono_tz::Europe::Berlin)
            )
        );
        assert_eq!(ev.exdates.len(), 2);
        assert_eq!(
            parsed.warnings,
            [
                "feed `t.ics` line 4: DTSTART date-time `20260115T1700` has no seconds; read with `00` seconds",
                "feed `t.ics` line 5: EXDATE date-time `19970901T1300Z` has no seconds; read with `00` seconds",
            ]
        );
    }

    #[test]
    fn not_icalendar_is_an_error() {
        let err = parse(b"hello world\n", "x.txt", Tz::UTC).unwrap_err();
        assert!(err.to_string().contains("BEGIN:VCALENDAR"), "{err}");
    }
}
