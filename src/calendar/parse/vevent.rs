//! Reading a VEVENT (RFC 5545 §3.6.1) from its kept properties into a [`Vevent`], and
//! repairing what producers get wrong about it (with a warning naming the line).

use chrono::{Duration, NaiveDate, NaiveTime};
use icalendar::parser::Property;

use super::link::{MAX_TEXT_BYTES, http_link, link_in};
use super::value::{
    RDate, Stamp, ValueContext, is_floating, parse_duration, read_rdate, read_stamp, utc_stamp,
};
use crate::calendar::warnings::{Problem, Warnings};
use crate::calendar::zone::Zone;

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

/// Reads the VEVENT that begins at feed line `line` from its properties, each with its
/// own feed line (which its warnings name); the names read are
/// [`VEVENT_PROPERTIES`](super::kept::VEVENT_PROPERTIES).
///
/// # Errors
/// The feed line at fault and a message saying why the VEVENT cannot be used (no
/// DTSTART: the `BEGIN` line; an unreadable DTSTART or RECURRENCE-ID: its line).
pub(super) fn read_vevent<'p>(
    props: impl Iterator<Item = (usize, Property<'p>)>,
    line: usize,
    ctx: &ValueContext<'_>,
    warnings: &mut Warnings<'_>,
) -> std::result::Result<Vevent, (usize, String)> {
    let mut reader = Reader::new(line, ctx);
    for (at, p) in props {
        reader.property(&Prop::new(at, &p), warnings)?;
    }
    reader.finish(warnings)
}

/// One property of a VEVENT, as [`Reader::property`] reads it.
struct Prop<'a, 'p> {
    /// Its feed line.
    line: usize,
    /// Its name, upper-cased.
    name: String,
    /// Its value as the `icalendar` parser gives it (TEXT unescaped, RFC 5545 §3.3.11).
    raw: &'a str,
    /// `raw`, trimmed.
    val: &'a str,
    /// Its TZID parameter.
    tzid: Option<String>,
    p: &'a Property<'p>,
}

impl<'a, 'p> Prop<'a, 'p> {
    fn new(line: usize, p: &'a Property<'p>) -> Self {
        let raw = p.val.as_str();
        let mut me = Prop {
            line,
            name: p.name.as_str().to_ascii_uppercase(),
            raw,
            val: raw.trim(),
            tzid: None,
            p,
        };
        me.tzid = me.param("TZID");
        me
    }

    /// The value of the parameter `key` (any case), unquoted.
    fn param(&self, key: &str) -> Option<String> {
        self.p
            .params
            .iter()
            .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
            .and_then(|x| {
                x.val
                    .as_ref()
                    .map(|v| v.as_str().trim_matches('"').to_string())
            })
    }

    /// `v` (its value or one item of it) as a DATE or DATE-TIME.
    fn stamp(&self, v: &str, ctx: &ValueContext<'_>) -> std::result::Result<Stamp, String> {
        read_stamp(v, self.tzid.as_deref(), ctx)
    }

    /// Whether `v` (its value or one item of it) is a floating DATE-TIME.
    fn floating(&self, v: &str) -> bool {
        is_floating(v, self.tzid.as_deref())
    }
}

/// A VEVENT being read: the component so far, and what its properties showed that the
/// repairs after the last one need.
struct Reader<'c, 'v> {
    ctx: &'c ValueContext<'v>,
    ev: Vevent,
    dtstart: Option<Stamp>,
    // The candidates for the meeting link, in the order they are preferred.
    url: Option<String>,
    conference: Option<String>,
    described: Option<String>,
    /// The feed line of DTEND, for the warning that it is before DTSTART.
    dtend_line: usize,
    /// The feed line of the first of each of SINGLE_VALUED met.
    first_of: [Option<usize>; SINGLE_VALUED.len()],
    dtend_value: String,
    dtstart_value: String,
    /// How DTSTART was written: with a `Z` (and no TZID).
    dtstart_utc: bool,
    /// Whether DTSTART was floating.
    dtstart_floating: bool,
    // Which values were floating date-times (no TZID, no `Z`): DTEND, RECURRENCE-ID,
    // and each of `ev.exdates` and `ev.rdates`.
    dtend_floating: bool,
    rid_floating: bool,
    exdate_floating: Vec<bool>,
    rdate_floating: Vec<bool>,
    /// The lines that gave floating values (line, name, value), for one warning each
    /// when DTSTART has a zone.
    floating_lines: Vec<(usize, String, String)>,
}

impl<'c, 'v> Reader<'c, 'v> {
    /// The reader of the VEVENT that begins at feed line `line`.
    fn new(line: usize, ctx: &'c ValueContext<'v>) -> Self {
        Reader {
            ctx,
            ev: Vevent {
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
            },
            dtstart: None,
            url: None,
            conference: None,
            described: None,
            dtend_line: line,
            first_of: [None; SINGLE_VALUED.len()],
            dtend_value: String::new(),
            dtstart_value: String::new(),
            dtstart_utc: false,
            dtstart_floating: false,
            dtend_floating: false,
            rid_floating: false,
            exdate_floating: Vec::new(),
            rdate_floating: Vec::new(),
            floating_lines: Vec::new(),
        }
    }

    /// Reads one property.
    ///
    /// # Errors
    /// Its line and why the VEVENT cannot be used (an unreadable DTSTART or
    /// RECURRENCE-ID).
    fn property(
        &mut self,
        prop: &Prop<'_, '_>,
        warnings: &mut Warnings<'_>,
    ) -> std::result::Result<(), (usize, String)> {
        let (line, name, raw, val) = (prop.line, prop.name.as_str(), prop.raw, prop.val);
        if self.repeated(prop, warnings) {
            return Ok(());
        }
        let ev = &mut self.ev;
        // Every name matched here must be in VEVENT_PROPERTIES: the reader keeps no other.
        match name {
            "UID" => ev.uid = val.to_string(),
            // The `icalendar` parser has already unescaped TEXT values (RFC 5545 §3.3.11).
            "SUMMARY" => ev.summary = capped(name, raw, line, warnings),
            "STATUS" => ev.status = Some(val.to_ascii_uppercase()),
            "LOCATION" => {
                ev.location = Some(capped(name, val, line, warnings)).filter(|s| !s.is_empty())
            }
            "URL" => self.url = http_link(&capped(name, val, line, warnings)),
            "X-GOOGLE-CONFERENCE" => {
                self.conference = http_link(&capped(name, val, line, warnings))
            }
            // Kept by [`Kept`](super::kept::Kept) as the description's meeting link only.
            "DESCRIPTION" => self.described = http_link(val),
            "SEQUENCE" => ev.sequence = val.parse().unwrap_or(-1),
            "DTSTART" => {
                let start = prop.stamp(val, self.ctx);
                self.dtstart = Some(start.map_err(|e| (line, format!("DTSTART {e}")))?);
                self.dtstart_floating = prop.floating(val);
                self.dtstart_value = val.to_string();
                self.dtstart_utc = prop.tzid.is_none() && val.ends_with(['Z', 'z']);
            }
            "DTEND" => self.dtend(prop, warnings),
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
            "RDATE" => self.rdate(prop, warnings),
            "EXDATE" => self.exdate(prop, warnings),
            "RECURRENCE-ID" => self.recurrence_id(prop)?,
            _ => {}
        }
        if let Some(v) = self.ctx.no_seconds.borrow_mut().take() {
            warnings.repeated(Problem::NoSeconds, Some(line), || {
                format!("{name} date-time `{v}` has no seconds; read with `00` seconds")
            });
        }
        Ok(())
    }

    /// Whether `prop` repeats one of [`SINGLE_VALUED`] and is ignored (with a warning).
    fn repeated(&mut self, prop: &Prop<'_, '_>, warnings: &mut Warnings<'_>) -> bool {
        let Some(i) = SINGLE_VALUED.iter().position(|s| *s == prop.name) else {
            return false;
        };
        match self.first_of[i] {
            Some(first) => {
                warnings.repeated(Problem::Repeated, Some(prop.line), || {
                    format!(
                        "a second {} (`{}`) ignored: the first, at line {first}, is used",
                        prop.name, prop.val
                    )
                });
                true
            }
            None => {
                self.first_of[i] = Some(prop.line);
                false
            }
        }
    }

    /// Notes that `prop` gave the floating value `v`, for [`Reader::rezone_floating`].
    fn note_floating(&mut self, prop: &Prop<'_, '_>, v: &str) {
        if self
            .floating_lines
            .last()
            .is_none_or(|(l, _, _)| *l != prop.line)
        {
            self.floating_lines
                .push((prop.line, prop.name.clone(), v.to_string()));
        }
    }

    /// Reads DTEND; an unreadable one is ignored with a warning.
    fn dtend(&mut self, prop: &Prop<'_, '_>, warnings: &mut Warnings<'_>) {
        let val = prop.val;
        match prop.stamp(val, self.ctx) {
            Ok(s) => {
                self.ev.dtend = Some(s);
                self.dtend_line = prop.line;
                self.dtend_value = val.to_string();
                self.dtend_floating = prop.floating(val);
                if self.dtend_floating {
                    self.note_floating(prop, val);
                }
            }
            Err(e) => warnings.repeated(Problem::ValueIgnored, Some(prop.line), || {
                format!("DTEND ignored: {e}")
            }),
        }
    }

    /// Reads the values of an RDATE; an unreadable one is ignored with a warning.
    fn rdate(&mut self, prop: &Prop<'_, '_>, warnings: &mut Warnings<'_>) {
        let is_period = prop
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
        for item in prop.val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match read_rdate(item, is_period, prop.tzid.as_deref(), self.ctx) {
                Ok(r) => {
                    let start = item.split_once('/').map_or(item, |(s, _)| s);
                    self.rdate_floating.push(prop.floating(start));
                    if prop.floating(start) {
                        self.note_floating(prop, item);
                    }
                    self.ev.rdates.push(r);
                }
                Err(e) => warnings.repeated(Problem::ValueIgnored, Some(prop.line), || {
                    format!("RDATE value ignored: {e}")
                }),
            }
        }
    }

    /// Reads the values of an EXDATE; an unreadable one is ignored with a warning.
    fn exdate(&mut self, prop: &Prop<'_, '_>, warnings: &mut Warnings<'_>) {
        for item in prop.val.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match prop.stamp(item, self.ctx) {
                Ok(s) => {
                    self.exdate_floating.push(prop.floating(item));
                    if prop.floating(item) {
                        self.note_floating(prop, item);
                    }
                    self.ev.exdates.push(s);
                }
                Err(e) => warnings.repeated(Problem::ValueIgnored, Some(prop.line), || {
                    format!("EXDATE value ignored: {e}")
                }),
            }
        }
    }

    /// Reads RECURRENCE-ID and its RANGE.
    ///
    /// # Errors
    /// Its line and why it cannot be read.
    fn recurrence_id(&mut self, prop: &Prop<'_, '_>) -> std::result::Result<(), (usize, String)> {
        let val = prop.val;
        let rid = prop.stamp(val, self.ctx);
        self.ev.recurrence_id = Some(rid.map_err(|e| (prop.line, format!("RECURRENCE-ID {e}")))?);
        self.rid_floating = prop.floating(val);
        if self.rid_floating {
            self.note_floating(prop, val);
        }
        self.ev.this_and_future = prop
            .param("RANGE")
            .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
        Ok(())
    }

    /// The VEVENT, once its last property is read: its meeting link chosen and its
    /// times repaired.
    ///
    /// # Errors
    /// The `BEGIN` line when it has no DTSTART.
    fn finish(
        mut self,
        warnings: &mut Warnings<'_>,
    ) -> std::result::Result<Vevent, (usize, String)> {
        let line = self.ev.line;
        self.ev.dtstart = self
            .dtstart
            .take()
            .ok_or_else(|| (line, "no DTSTART".to_string()))?;
        let located = self.ev.location.as_deref().and_then(|l| link_in(l, false));
        self.ev.url = self
            .url
            .take()
            .or(self.conference.take())
            .or(located)
            .or(self.described.take());
        self.rezone_floating(warnings);
        self.date_start_repairs();
        self.drop_end_before_start(warnings);
        Ok(self.ev)
    }

    /// A floating DTEND, RECURRENCE-ID, EXDATE or RDATE beside a DTSTART with a TZID or
    /// a `Z` is read in DTSTART's zone, with a warning per line: RFC 5545 §3.8.2.2 has
    /// DTEND local exactly when DTSTART is, and §3.8.4.4, §3.8.5.1 and §3.8.5.2 have the
    /// others match DTSTART's form. Read in the calendar's zone, they would name other
    /// instants (an end before the start, an instance that is not the series').
    fn rezone_floating(&mut self, warnings: &mut Warnings<'_>) {
        let ev = &mut self.ev;
        let Stamp::Local(_, start_zone) = &ev.dtstart else {
            return;
        };
        if self.dtstart_floating {
            return;
        }
        let (ctx, dtstart_utc) = (self.ctx, self.dtstart_utc);
        let rezone = |s: &mut Stamp| {
            if let Stamp::Local(t, _) = s {
                *s = if dtstart_utc {
                    utc_stamp(*t, ctx)
                } else {
                    Stamp::Local(*t, start_zone.clone())
                };
            }
        };
        if self.dtend_floating
            && let Some(end) = ev.dtend.as_mut()
        {
            rezone(end);
        }
        if self.rid_floating
            && let Some(rid) = ev.recurrence_id.as_mut()
        {
            rezone(rid);
        }
        for (x, _) in ev
            .exdates
            .iter_mut()
            .zip(&self.exdate_floating)
            .filter(|(_, f)| **f)
        {
            rezone(x);
        }
        for (r, _) in ev
            .rdates
            .iter_mut()
            .zip(&self.rdate_floating)
            .filter(|(_, f)| **f)
        {
            rezone(&mut r.start);
        }
        for (at, name, value) in std::mem::take(&mut self.floating_lines) {
            warnings.repeated(Problem::FloatingBesideZoned, Some(at), || {
                format!(
                    "{name} `{value}` has no zone while DTSTART has one; read in DTSTART's zone"
                )
            });
        }
    }

    /// A DATE DTSTART with a DATE-TIME DTEND breaks RFC 5545 §3.8.2.2; clients read the
    /// start as midnight in the end's zone. Likewise a DATE DTSTART with a DURATION in
    /// hours, minutes or seconds (§3.8.2.5 allows only days and weeks there): the start
    /// is midnight, floating.
    fn date_start_repairs(&mut self) {
        let ev = &mut self.ev;
        if let (Stamp::Date(d), Some(Stamp::Local(_, zone))) = (&ev.dtstart, &ev.dtend) {
            ev.dtstart = Stamp::Local(d.and_time(NaiveTime::MIN), zone.clone());
        }
        if let (Stamp::Date(d), Some(dur)) = (&ev.dtstart, ev.duration)
            && dur.num_seconds() % 86_400 != 0
        {
            ev.dtstart = Stamp::Local(d.and_time(NaiveTime::MIN), Zone::Iana(self.ctx.cal_zone));
        }
    }

    /// An end before the start (RFC 5545 §3.8.2.2 says it MUST be later) is dropped, with
    /// a warning: the start stays, for DTSTART is the first instance (§3.8.5.3) and what
    /// RECURRENCE-IDs and EXDATEs name, and the event lasts as if it had no DTEND
    /// (§3.6.1: a day for a DATE DTSTART, no time for a DATE-TIME one), masters and
    /// overrides alike. A DATE DTEND on the DTSTART date is dropped too: the event then
    /// lasts its day. (A DATE-TIME DTEND equal to DTSTART already means what no DTEND
    /// would: no time.)
    fn drop_end_before_start(&mut self, warnings: &mut Warnings<'_>) {
        let ev = &mut self.ev;
        let Some(end) = &ev.dtend else {
            return;
        };
        if std::mem::discriminant(end) != std::mem::discriminant(&ev.dtstart) {
            return;
        }
        let (end_at, start_at) = (end.when().instant(), ev.dtstart.when().instant());
        let same_date = matches!(end, Stamp::Date(_)) && end_at == start_at;
        if end_at < start_at || same_date {
            let (dtend_value, dtstart_value) = (&self.dtend_value, &self.dtstart_value);
            warnings.repeated(Problem::EndBeforeStart, Some(self.dtend_line), || {
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
pub(super) fn repaired_rrule(value: &str, line: usize, warnings: &mut Warnings<'_>) -> String {
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
