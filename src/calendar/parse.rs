//! Parsing an iCalendar document (RFC 5545) into the VEVENTs that expansion needs.
//!
//! Content lines are unfolded here (RFC 5545 §3.1) so that every VEVENT and every
//! warning can name its line in the original feed; the component tree itself is read by
//! the `icalendar` crate's parser.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use super::zone::{self, Zone};
use crate::error::{Error, Result};

/// A parsed calendar: its VEVENTs, in feed order, with every date-time resolved to a
/// zone.
#[derive(Clone, Debug)]
pub struct Calendar {
    /// X-WR-CALNAME, when given.
    pub name: Option<String>,
    /// The zone floating times are read in: X-WR-TIMEZONE when the feed gives a known
    /// one, else the caller's default (`calendar.default-tz`).
    pub zone: Tz,
    /// The VEVENTs, masters and overrides alike, in feed order.
    pub events: Vec<Vevent>,
    /// Problems that did not stop parsing, each naming its line.
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
    /// URL.
    pub url: Option<String>,
    /// DTSTART.
    pub dtstart: Stamp,
    /// DTEND.
    pub dtend: Option<Stamp>,
    /// DURATION (RFC 5545 §3.3.6).
    pub duration: Option<Duration>,
    /// RRULE values, verbatim (RFC 5545 §3.8.5.3).
    pub rrules: Vec<String>,
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
/// # Errors
/// [`Error::Calendar`] when the text has no VCALENDAR or its component structure is
/// broken. A VEVENT that cannot be used (no DTSTART, an unreadable date) is skipped with
/// a warning naming its line.
pub fn parse(bytes: &[u8], source_name: &str, default_zone: Tz) -> Result<Calendar> {
    let mut warnings = Vec::new();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            warnings.push(format!(
                "{source_name} line {line}: bytes that are not UTF-8 were replaced"
            ));
            String::from_utf8_lossy(bytes)
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut unfolded = Unfolded::new(text);
    let cal_err = |line: Option<usize>, message: String| Error::Calendar {
        source_name: source_name.to_string(),
        line,
        message,
    };
    if !unfolded
        .lines
        .iter()
        .any(|l| l.text.eq_ignore_ascii_case("BEGIN:VCALENDAR"))
    {
        return Err(cal_err(
            None,
            "not an iCalendar document: expected a `BEGIN:VCALENDAR` line".into(),
        ));
    }
    unfolded.repair(source_name, &mut warnings);
    let joined = unfolded.joined();
    let parsed = icalendar::parser::read_calendar(&joined).map_err(|e| {
        let (line, message) = unfolded.locate_parser_error(&e);
        cal_err(line, message)
    })?;

    let prop = |name: &str| {
        parsed
            .properties
            .iter()
            .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
            .map(|p| p.val.as_str().trim().to_string())
    };
    let x_wr_timezone = match prop("X-WR-TIMEZONE") {
        Some(name) => {
            let tz = zone::resolve(&name);
            if tz.is_none() {
                warnings.push(format!(
                    "{source_name}: unknown X-WR-TIMEZONE `{name}`, floating times are read in {default_zone}"
                ));
            }
            tz
        }
        None => None,
    };
    let cal_zone = x_wr_timezone.unwrap_or(default_zone);

    // Zones defined by VTIMEZONE components (RFC 5545 §3.6.5), for TZIDs that are not
    // IANA names: an IANA X-LIC-LOCATION, else the component's own rules.
    let mut vtimezones: HashMap<String, Zone> = HashMap::new();
    for c in &parsed.components {
        if !c.name.as_str().eq_ignore_ascii_case("VTIMEZONE") {
            continue;
        }
        let Some(id) = find_prop(&c.properties, "TZID") else {
            continue;
        };
        if id.parse::<Tz>().is_ok() {
            continue;
        }
        if let Some(tz) =
            find_prop(&c.properties, "X-LIC-LOCATION").and_then(|l| l.parse::<Tz>().ok())
        {
            vtimezones.insert(id, Zone::Iana(tz));
            continue;
        }
        let observances: Vec<zone::Observance> = c
            .components
            .iter()
            .filter(|o| {
                let n = o.name.as_str();
                n.eq_ignore_ascii_case("STANDARD") || n.eq_ignore_ascii_case("DAYLIGHT")
            })
            .map(|o| observance(&o.properties))
            .collect();
        if let Some(v) = zone::Vtimezone::new(&id, &observances) {
            vtimezones.insert(id, Zone::Defined(std::sync::Arc::new(v)));
        }
    }

    let ctx = ValueContext {
        source_name,
        cal_zone,
        x_wr_timezone,
        vtimezones: &vtimezones,
        unknown_tzids: Default::default(),
    };
    let mut events = Vec::new();
    let mut vevent_lines = unfolded.vevent_lines.iter().copied();
    for c in &parsed.components {
        if !c.name.as_str().eq_ignore_ascii_case("VEVENT") {
            continue;
        }
        let line = vevent_lines.next().unwrap_or(0);
        match read_vevent(c, line, &ctx, &mut warnings) {
            Ok(ev) => events.push(ev),
            Err(msg) => warnings.push(format!("{source_name} line {line}: VEVENT skipped: {msg}")),
        }
    }

    for id in ctx.unknown_tzids.into_inner() {
        warnings.push(format!(
            "{source_name}: unknown TZID `{id}` (no IANA or Windows zone of that name, no VTIMEZONE defining it): its times are read in {cal_zone}"
        ));
    }
    Ok(Calendar {
        name: prop("X-WR-CALNAME").map(|n| unescape_text(&n)),
        zone: cal_zone,
        events,
        warnings,
    })
}

/// What reading a property value needs to know about the calendar.
struct ValueContext<'a> {
    source_name: &'a str,
    cal_zone: Tz,
    x_wr_timezone: Option<Tz>,
    vtimezones: &'a HashMap<String, Zone>,
    /// TZIDs nothing resolved, to warn about once each.
    unknown_tzids: std::cell::RefCell<std::collections::BTreeSet<String>>,
}

fn find_prop(props: &[icalendar::parser::Property<'_>], name: &str) -> Option<String> {
    props
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
        .map(|p| p.val.as_str().trim().to_string())
}

/// A STANDARD or DAYLIGHT sub-component of a VTIMEZONE.
fn observance(props: &[icalendar::parser::Property<'_>]) -> zone::Observance {
    let local = |v: &str| {
        let v = v.trim().trim_end_matches(['Z', 'z']);
        NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok()
    };
    let mut o = zone::Observance::default();
    for p in props {
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
    o
}

/// How long a SUMMARY, LOCATION or URL may be: every occurrence carries a copy, and
/// mail headers are built from them.
const MAX_TEXT_BYTES: usize = 4096;

/// `value`, cut to [`MAX_TEXT_BYTES`] (at a character boundary) with a warning when longer.
fn capped(
    name: &str,
    value: &str,
    line: usize,
    ctx: &ValueContext<'_>,
    warnings: &mut Vec<String>,
) -> String {
    if value.len() <= MAX_TEXT_BYTES {
        return value.to_string();
    }
    let mut end = MAX_TEXT_BYTES;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    warnings.push(format!(
        "{} line {line}: {name} of {} bytes cut to its first {end} bytes",
        ctx.source_name,
        value.len()
    ));
    value[..end].to_string()
}

fn read_vevent(
    c: &icalendar::parser::Component<'_>,
    line: usize,
    ctx: &ValueContext<'_>,
    warnings: &mut Vec<String>,
) -> std::result::Result<Vevent, String> {
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
        rdates: Vec::new(),
        exdates: Vec::new(),
        recurrence_id: None,
        this_and_future: false,
        sequence: -1,
    };
    let mut dtstart = None;
    for p in &c.properties {
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
        match name.as_str() {
            "UID" => ev.uid = val.to_string(),
            // The `icalendar` parser has already unescaped TEXT values (RFC 5545 §3.3.11).
            "SUMMARY" => ev.summary = capped(&name, raw, line, ctx, warnings),
            "STATUS" => ev.status = Some(val.to_ascii_uppercase()),
            "LOCATION" => {
                ev.location =
                    Some(capped(&name, val, line, ctx, warnings)).filter(|s| !s.is_empty())
            }
            "URL" => {
                ev.url = Some(capped(&name, val, line, ctx, warnings)).filter(|s| !s.is_empty())
            }
            "SEQUENCE" => ev.sequence = val.parse().unwrap_or(-1),
            "DTSTART" => dtstart = Some(stamp(val).map_err(|e| format!("DTSTART {e}"))?),
            "DTEND" => match stamp(val) {
                Ok(s) => ev.dtend = Some(s),
                Err(e) => warnings.push(format!(
                    "{} line {line}: DTEND ignored: {e}",
                    ctx.source_name
                )),
            },
            "DURATION" => match parse_duration(val) {
                Some(d) => ev.duration = Some(d),
                None => warnings.push(format!(
                    "{} line {line}: DURATION `{val}` ignored: expected e.g. `PT1H30M` or `P1D`",
                    ctx.source_name
                )),
            },
            "RRULE" => ev.rrules.push(val.to_string()),
            "RDATE" => {
                let is_period = param("VALUE").is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
                for item in val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match read_rdate(item, is_period, tzid.as_deref(), ctx) {
                        Ok(r) => ev.rdates.push(r),
                        Err(e) => warnings.push(format!(
                            "{} line {line}: RDATE value ignored: {e}",
                            ctx.source_name
                        )),
                    }
                }
            }
            "EXDATE" => {
                for item in val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match stamp(item) {
                        Ok(s) => ev.exdates.push(s),
                        Err(e) => warnings.push(format!(
                            "{} line {line}: EXDATE value ignored: {e}",
                            ctx.source_name
                        )),
                    }
                }
            }
            "RECURRENCE-ID" => {
                ev.recurrence_id = Some(stamp(val).map_err(|e| format!("RECURRENCE-ID {e}"))?);
                ev.this_and_future =
                    param("RANGE").is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
            }
            _ => {}
        }
    }
    ev.dtstart = dtstart.ok_or_else(|| "no DTSTART".to_string())?;
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
    // An end before the start (RFC 5545 §3.8.2.2 says it MUST be later) is read as the
    // two swapped, as clients do.
    if let Some(end) = ev.dtend.take() {
        if end.when().instant() < ev.dtstart.when().instant()
            && std::mem::discriminant(&end) == std::mem::discriminant(&ev.dtstart)
        {
            warnings.push(format!(
                "{} line {line}: DTEND is before DTSTART; the two are swapped",
                ctx.source_name
            ));
            ev.dtend = Some(std::mem::replace(&mut ev.dtstart, end));
        } else {
            ev.dtend = Some(end);
        }
    }
    Ok(ev)
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
    let local = NaiveDateTime::parse_from_str(digits, "%Y%m%dT%H%M%S").map_err(|_| {
        format!("`{v}`: expected a date-time `YYYYMMDDTHHMMSS`, optionally followed by `Z`")
    })?;
    // A value with both a TZID and a `Z` breaks RFC 5545 §3.3.5; Google shows it in the
    // TZID's zone, so the TZID wins.
    if utc && tzid.is_none() {
        return Ok(match ctx.x_wr_timezone {
            Some(tz) => Stamp::Local(zone::to_local(local.and_utc(), tz), Zone::Iana(tz)),
            None => Stamp::Local(local, Zone::Iana(Tz::UTC)),
        });
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

/// Components that only appear directly inside VCALENDAR (RFC 5545 §3.6).
/// How deep components may nest below VCALENDAR (RFC 5545 needs two levels: VEVENT >
/// VALARM, VTIMEZONE > STANDARD); deeper ones are skipped, which also bounds the
/// recursion of the `icalendar` crate's parser.
const MAX_NESTING: usize = 8;

const TOP_LEVEL: [&str; 5] = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"];

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

/// One logical (unfolded) content line and the feed line it starts on.
struct Line<'a> {
    number: usize,
    text: std::borrow::Cow<'a, str>,
}

/// The feed, unfolded (RFC 5545 §3.1), with line numbers kept.
struct Unfolded<'a> {
    lines: Vec<Line<'a>>,
    /// Feed line of each `BEGIN:VEVENT`, in order.
    vevent_lines: Vec<usize>,
}

impl<'a> Unfolded<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines: Vec<Line<'a>> = Vec::new();
        for (i, raw) in text.split('\n').enumerate() {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if let Some(cont) = raw.strip_prefix([' ', '\t'])
                && let Some(last) = lines.last_mut()
            {
                last.text.to_mut().push_str(cont);
                continue;
            }
            if raw.trim().is_empty() {
                continue;
            }
            lines.push(Line {
                number: i + 1,
                text: std::borrow::Cow::Borrowed(raw),
            });
        }
        let vevent_lines = lines
            .iter()
            .filter(|l| l.text.trim_end().eq_ignore_ascii_case("BEGIN:VEVENT"))
            .map(|l| l.number)
            .collect();
        Unfolded {
            lines,
            vevent_lines,
        }
    }

    /// Makes the lines a well-formed document the way lenient clients read a broken
    /// one, with one warning per problem naming its feed line: a line that is not
    /// `NAME[;PARAM=VALUE]:VALUE` (Apple's colon-less `X-APPLE-…` lines, a broken fold)
    /// is dropped; an END that closes nothing is dropped; components left open are
    /// closed; content outside VCALENDAR is dropped; several VCALENDARs become one.
    fn repair(&mut self, source_name: &str, warnings: &mut Vec<String>) {
        let lines = std::mem::take(&mut self.lines);
        let mut out: Vec<Line<'a>> = Vec::with_capacity(lines.len() + 2);
        let mut stack: Vec<String> = Vec::new();
        let mut seen_calendar = false;
        let mut warn = |n: usize, what: String| {
            warnings.push(format!("{source_name} line {n}: {what}"));
        };
        let synthetic = |n: usize, text: String| Line {
            number: n,
            text: std::borrow::Cow::Owned(text),
        };
        // Components nested deeper than MAX_NESTING below VCALENDAR, with their content
        // (the names of the skipped components still open, innermost last).
        let mut skipped: Vec<String> = Vec::new();
        let mut warned_depth = false;
        for line in lines {
            let n = line.number;
            if !skipped.is_empty() {
                if let Some((name, value)) = content_line_name(&line.text) {
                    let component = value.trim().to_ascii_uppercase();
                    if name.eq_ignore_ascii_case("BEGIN") {
                        if !TOP_LEVEL.contains(&component.as_str()) {
                            skipped.push(component);
                            continue;
                        }
                        // A new top-level component: the skipped ones were left open.
                        skipped.clear();
                    } else if name.eq_ignore_ascii_case("END") {
                        if skipped.last() == Some(&component) {
                            skipped.pop();
                            continue;
                        }
                        if !stack.contains(&component) {
                            continue;
                        }
                        // It closes a component of the kept stack: the skipped ones
                        // end here.
                        skipped.clear();
                    } else {
                        continue;
                    }
                } else {
                    continue;
                }
            }
            let line = match content_line_name(&line.text) {
                Some(_) => line,
                None => match misplaced_quote(&line.text) {
                    Some(fixed) => {
                        warn(n, "a parameter's closing quote encloses the value; read as if it closed before the `:`".into());
                        synthetic(n, fixed)
                    }
                    None => line,
                },
            };
            let Some((name, value)) = content_line_name(&line.text) else {
                let shown: String = line.text.chars().take(60).collect();
                warn(
                    n,
                    format!(
                        "malformed content line `{shown}` skipped, expected `NAME[;PARAM=VALUE]:VALUE`"
                    ),
                );
                continue;
            };
            let component = value.trim().to_ascii_uppercase();
            if name.eq_ignore_ascii_case("BEGIN") {
                if component == "VCALENDAR" {
                    if stack.is_empty() && !seen_calendar {
                        seen_calendar = true;
                        stack.push(component);
                        out.push(line);
                    } else if stack.is_empty() {
                        // A further VCALENDAR: its components join the first.
                        out.pop_if(|l| l.text.eq_ignore_ascii_case("END:VCALENDAR"));
                        stack.push(component);
                    } else {
                        warn(n, "`BEGIN:VCALENDAR` inside a component skipped".into());
                    }
                    continue;
                }
                if stack.is_empty() {
                    warn(n, format!("`BEGIN:{component}` outside VCALENDAR skipped"));
                    continue;
                }
                // Top-level components do not nest: one left open ends here.
                if TOP_LEVEL.contains(&component.as_str()) {
                    while stack.len() > 1 {
                        let open = stack.pop().expect("non-empty");
                        warn(
                            n,
                            format!(
                                "`BEGIN:{open}` was not closed; closed before `BEGIN:{component}`"
                            ),
                        );
                        out.push(synthetic(n, format!("END:{open}")));
                    }
                }
                if stack.len() > MAX_NESTING {
                    if !warned_depth {
                        warned_depth = true;
                        warn(
                            n,
                            format!(
                                "`BEGIN:{component}` nested more than {MAX_NESTING} components deep skipped, with everything inside it (further ones are skipped without a warning)"
                            ),
                        );
                    }
                    skipped.push(component);
                    continue;
                }
                stack.push(component);
                out.push(line);
            } else if name.eq_ignore_ascii_case("END") {
                match stack.iter().rposition(|c| *c == component) {
                    Some(at) => {
                        while stack.len() > at + 1 {
                            let open = stack.pop().expect("non-empty");
                            warn(n, format!("`BEGIN:{open}` was not closed; closed here"));
                            out.push(synthetic(n, format!("END:{open}")));
                        }
                        stack.pop();
                        out.push(line);
                    }
                    None => warn(
                        n,
                        format!("`END:{component}` closes no open component; skipped"),
                    ),
                }
            } else if stack.is_empty() {
                let shown: String = line.text.chars().take(60).collect();
                warn(
                    n,
                    format!("content line `{shown}` outside VCALENDAR skipped"),
                );
            } else {
                out.push(line);
            }
        }
        let last = out.last().map_or(0, |l| l.number);
        while let Some(open) = stack.pop() {
            warn(
                last,
                format!("`BEGIN:{open}` was not closed before the end of the feed"),
            );
            out.push(synthetic(last, format!("END:{open}")));
        }
        self.vevent_lines = out
            .iter()
            .filter(|l| l.text.trim_end().eq_ignore_ascii_case("BEGIN:VEVENT"))
            .map(|l| l.number)
            .collect();
        self.lines = out;
    }

    fn joined(&self) -> String {
        let mut s = String::with_capacity(self.lines.iter().map(|l| l.text.len() + 2).sum());
        for l in &self.lines {
            s.push_str(&l.text);
            s.push_str("\r\n");
        }
        s
    }

    /// Turns the parser's message (which counts unfolded lines) into a feed line and a
    /// one-line message.
    fn locate_parser_error(&self, message: &str) -> (Option<usize>, String) {
        let re = regex::Regex::new(r"at line (\d+)").expect("valid regex");
        let line = re
            .captures(message)
            .and_then(|c| c[1].parse::<usize>().ok())
            .and_then(|n| self.lines.get(n.saturating_sub(1)))
            .map(|l| l.number);
        let text = line
            .and_then(|n| self.lines.iter().find(|l| l.number == n))
            .map(|l| {
                let t: String = l.text.chars().take(60).collect();
                format!("cannot read content line `{t}`: expected `NAME[;PARAM=VALUE]:VALUE` inside BEGIN/END components")
            })
            .unwrap_or_else(|| {
                "cannot read the component structure: expected matching BEGIN/END lines".to_string()
            });
        (line, text)
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

    #[test]
    fn not_icalendar_is_an_error() {
        let err = parse(b"hello world\n", "x.txt", Tz::UTC).unwrap_err();
        assert!(err.to_string().contains("BEGIN:VCALENDAR"), "{err}");
    }
}
