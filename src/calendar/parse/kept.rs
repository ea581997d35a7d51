//! What parsing keeps of a feed, as [`lines::read`] passes it on: the properties that
//! are read, of the VEVENTs, the VTIMEZONEs and the VCALENDAR, each line with its feed
//! line; everything else is dropped as it is met.

use icalendar::parser::Property;

use super::link::link_in;
use super::value::unescape_text;
use crate::calendar::lines::{self, Sink, content_line_name};
use crate::calendar::warnings::{Problem, Warnings};
use crate::error::Result;

/// How much of a DESCRIPTION is searched for a meeting link; only the link is kept.
pub(super) const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;

/// The VEVENT properties [`super::vevent::read_vevent`] reads: the only ones [`Kept`]
/// keeps of a VEVENT.
pub(super) const VEVENT_PROPERTIES: [&str; 15] = [
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
/// The VTIMEZONE properties [`super::vtimezone`] reads (the first of each).
const VTIMEZONE_PROPERTIES: [&str; 2] = ["TZID", "X-LIC-LOCATION"];
/// The properties of a STANDARD or DAYLIGHT observance [`super::vtimezone`] reads.
const OBSERVANCE_PROPERTIES: [&str; 5] =
    ["DTSTART", "TZOFFSETFROM", "TZOFFSETTO", "RRULE", "RDATE"];
/// The VCALENDAR properties [`super::parse`] reads (the first of each).
const CALENDAR_PROPERTIES: [&str; 2] = ["X-WR-TIMEZONE", "X-WR-CALNAME"];

/// How the line [`Kept`] writes where a kept observance begins starts (`BEGIN:STANDARD`,
/// `BEGIN:DAYLIGHT`). No kept property line starts so: [`lines::read`] reads a line named
/// BEGIN or END as a component boundary.
pub(super) const OBSERVANCE_BEGIN: &str = "BEGIN:";
/// The line [`Kept`] writes where a kept observance ends.
pub(super) const OBSERVANCE_END: &str = "END:";

/// One kept content line, read by the `icalendar` parser (which also unescapes TEXT
/// values, RFC 5545 §3.3.11). [`Kept::read`] refused the lines it cannot read.
pub(super) fn property(line: &str) -> Option<Property<'_>> {
    Property::try_from(line).ok()
}

/// The value, trimmed, of the first of `props` named `name` (any case).
pub(super) fn find_prop(props: &[Property<'_>], name: &str) -> Option<String> {
    props
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
        .map(|p| p.val.as_str().trim().to_string())
}

/// Whether the `icalendar` parser reads all of the content line `line` named `name`. A
/// line without parameters it always reads; of one whose parameters it cannot parse it
/// reads only the name, as a property without a value, and a component holding such a
/// line fails to parse.
pub(super) fn readable(name: &str, line: &str) -> bool {
    if line.as_bytes().get(name.len()) == Some(&b':') {
        return true;
    }
    Property::try_from(line).is_ok_and(|p| {
        !(p.params.is_empty()
            && p.val.as_str().is_empty()
            && line.len() > p.name.as_str().len() + 1)
    })
}

/// Which component a [`Part`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PartKind {
    Vevent,
    Vtimezone,
}

/// A VEVENT or VTIMEZONE of the feed: its kept lines in [`Kept::text`].
#[derive(Debug)]
pub(super) struct Part {
    pub(super) kind: PartKind,
    /// The feed line of its `BEGIN`.
    pub(super) line: usize,
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

/// The part of a repaired feed that parsing reads, fed by [`lines::read`]: the properties
/// of VEVENTs and VTIMEZONEs that are read, and the first X-WR-TIMEZONE and
/// X-WR-CALNAME; everything else (VTODOs, VALARMs, DESCRIPTIONs, unknown X- properties,
/// …) is dropped as it is met. The kept lines are copied, unfolded, into one buffer, so
/// memory is the size of what is read, not a structure per feed line.
#[derive(Debug, Default)]
pub(super) struct Kept {
    /// The kept lines of the VEVENTs and VTIMEZONEs, each followed by `\n`.
    pub(super) text: String,
    /// The feed line of each line of `text`, in order (so a warning names the line of
    /// the property at fault, not that of its `BEGIN:VEVENT`).
    numbers: Vec<usize>,
    /// The VEVENTs and VTIMEZONEs, in feed order.
    pub(super) parts: Vec<Part>,
    /// The kept VCALENDAR properties, each followed by `\n`.
    pub(super) calendar: String,
    /// Which [`CALENDAR_PROPERTIES`] were kept.
    calendar_seen: [bool; CALENDAR_PROPERTIES.len()],
    /// The VEVENT or VTIMEZONE open, if any.
    open: Option<Open>,
}

impl Kept {
    /// Unfolds and repairs `text` and keeps what parsing reads.
    ///
    /// # Errors
    /// [`Error::Calendar`](crate::error::Error::Calendar) when no line is
    /// `BEGIN:VCALENDAR`, or a kept line has parameters the `icalendar` parser cannot
    /// read.
    pub(super) fn read(text: &str, source_name: &str, warnings: &mut Warnings<'_>) -> Result<Self> {
        let mut kept = Kept::default();
        lines::read(text, source_name, &mut kept, warnings)?;
        Ok(kept)
    }

    /// The kept lines of `part`.
    pub(super) fn lines(&self, part: &Part) -> impl Iterator<Item = &str> {
        self.text[part.text.clone()].split_terminator('\n')
    }

    /// The kept lines of `part`, each with its feed line.
    pub(super) fn numbered_lines(&self, part: &Part) -> impl Iterator<Item = (usize, &str)> {
        self.numbers[part.first..]
            .iter()
            .copied()
            .zip(self.lines(part))
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

impl Sink for Kept {
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
}
