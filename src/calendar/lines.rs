//! From a feed's bytes to its logical content lines (RFC 5545 §3.1), repaired the way
//! lenient clients read a broken feed: [`decode`] makes text of the bytes, and [`read`]
//! unfolds it and passes a well-formed component structure to a [`Sink`], which keeps
//! what it needs. Every problem is a warning naming its feed line.

use std::borrow::Cow;

use super::warnings::{Problem, Warnings};
use crate::error::{Error, Result};

/// Where [`read`] passes a repaired feed: the components as they begin and end, and the
/// content lines of those it keeps open (VCALENDAR is 1 deep, a VEVENT 2).
pub(super) trait Sink {
    /// A component named `component` (upper-cased) begins at feed line `n`, `depth`
    /// components deep (VCALENDAR is 1).
    fn begin(&mut self, component: &str, depth: usize, n: usize);

    /// The innermost open component ends; it was `depth` components deep.
    fn end(&mut self, depth: usize);

    /// The content line `line` (feed line `n`) of the property `name`, `depth`
    /// components deep. Returns whether it is readable: `false` fails the parse with
    /// [`Error::Calendar`] naming the line.
    fn property(
        &mut self,
        name: &str,
        line: &str,
        depth: usize,
        n: usize,
        warnings: &mut Warnings<'_>,
    ) -> bool;
}

/// The text of a feed: its bytes as UTF-8 (bytes that are not are replaced, with a
/// warning naming the line of the first), without a byte-order mark, and with bare CR
/// line ends read as line ends (with one warning).
pub(super) fn decode<'a>(bytes: &'a [u8], warnings: &mut Warnings<'_>) -> Cow<'a, str> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => Cow::Borrowed(t),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            warnings.push(Some(line), "bytes that are not UTF-8 were replaced");
            String::from_utf8_lossy(bytes)
        }
    };
    let text = match text {
        Cow::Borrowed(t) => Cow::Borrowed(t.strip_prefix('\u{feff}').unwrap_or(t)),
        Cow::Owned(t) => match t.strip_prefix('\u{feff}') {
            Some(rest) => Cow::Owned(rest.to_string()),
            None => Cow::Owned(t),
        },
    };
    // RFC 5545 §3.1 ends lines with CRLF; old Mac OS and Lotus Notes exports end them
    // with a bare CR, which would make the whole feed one line.
    if text.contains('\r') && !text.contains('\n') {
        warnings.push(
            None,
            "lines end in a bare CR (`\\r` without `\\n`, an old Mac OS or Lotus Notes export); each CR is read as a line end",
        );
        return Cow::Owned(text.replace('\r', "\n"));
    }
    text
}

/// Unfolds and repairs `text` (see [`Repair`]) into `out`.
///
/// # Errors
/// [`Error::Calendar`] when no line is `BEGIN:VCALENDAR`, or `out` keeps a line it
/// cannot read.
pub(super) fn read(
    text: &str,
    source_name: &str,
    out: &mut impl Sink,
    warnings: &mut Warnings<'_>,
) -> Result<()> {
    let mut repair = Repair::new(source_name);
    let mut is_calendar = false;
    for (n, line) in Unfold::new(text) {
        is_calendar = is_calendar || line.eq_ignore_ascii_case("BEGIN:VCALENDAR");
        repair.line(n, line, out, warnings)?;
    }
    if !is_calendar {
        return Err(Error::Calendar {
            source_name: source_name.to_string(),
            line: None,
            message: "not an iCalendar document: expected a `BEGIN:VCALENDAR` line".into(),
        });
    }
    repair.finish(out, warnings);
    Ok(())
}

/// How deep components may nest below VCALENDAR (RFC 5545 needs two levels: VEVENT >
/// VALARM, VTIMEZONE > STANDARD); deeper ones are skipped with everything inside them.
const MAX_NESTING: usize = 8;

/// Components that only appear directly inside VCALENDAR (RFC 5545 §3.6).
const TOP_LEVEL: [&str; 5] = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE"];

/// The name and value of a content line (RFC 5545 §3.1), or `None` when it is not one:
/// the name must be letters, digits and dashes, parameters may quote `:` and `;`, and a
/// `:` must separate the value.
pub(super) fn content_line_name(line: &str) -> Option<(&str, &str)> {
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

/// The logical lines of a feed (RFC 5545 §3.1: a line starting with a space or a tab
/// continues the one before), each with the 1-based feed line it starts on. Blank lines
/// are skipped; a continuation after blank lines still continues the last line. A line
/// borrows from the feed unless it was folded.
struct Unfold<'a> {
    raw: std::iter::Enumerate<std::str::Split<'a, char>>,
    pending: Option<(usize, Cow<'a, str>)>,
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
    type Item = (usize, Cow<'a, str>);

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
            if let Some(done) = self.pending.replace((i + 1, Cow::Borrowed(raw))) {
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
/// X-WR-TIMEZONE and X-WR-CALNAME met apply to all, as the parser keeps them); components
/// nested more than [`MAX_NESTING`] deep are dropped. What is left, a well-formed
/// component structure, goes to a [`Sink`].
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
    fn close(&mut self, n: usize, out: &mut impl Sink) {
        out.end(self.stack.len());
        self.stack.pop();
        self.passed(n, "");
    }

    /// Reads the logical line `n`.
    ///
    /// # Errors
    /// [`Error::Calendar`] when `out` keeps the line and cannot read it.
    fn line(
        &mut self,
        n: usize,
        line: Cow<'_, str>,
        out: &mut impl Sink,
        warnings: &mut Warnings<'_>,
    ) -> Result<()> {
        if !self.skipped.is_empty() && self.still_skipping(&line) {
            return Ok(());
        }
        let line = quote_repaired(n, line, warnings);
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
            self.begin(n, value, &line, out, warnings);
        } else if name.eq_ignore_ascii_case("END") {
            self.end(n, value, &line, out, warnings);
        } else if self.stack.is_empty() {
            warnings.repeated(Problem::OutsideCalendar, Some(n), || {
                let shown: String = line.chars().take(60).collect();
                format!("content line `{shown}` outside VCALENDAR skipped")
            });
        } else {
            return self.property(n, name, &line, out, warnings);
        }
        Ok(())
    }

    /// While components nested too deep are skipped: whether `line` is skipped with
    /// them. A BEGIN of a top-level component, or an END of a component of the kept
    /// stack, ends the skipping (the skipped components were left open).
    fn still_skipping(&mut self, line: &str) -> bool {
        let Some((name, value)) = content_line_name(line) else {
            return true;
        };
        let begin = name.eq_ignore_ascii_case("BEGIN");
        if !begin && !name.eq_ignore_ascii_case("END") {
            return true;
        }
        let component = value.trim().to_ascii_uppercase();
        if begin {
            if !TOP_LEVEL.contains(&component.as_str()) {
                self.skipped.push(component);
                return true;
            }
            // A new top-level component: the skipped ones were left open.
            self.skipped.clear();
        } else {
            if self.skipped.last() == Some(&component) {
                self.skipped.pop();
                return true;
            }
            if !self.stack.contains(&component) {
                return true;
            }
            // It closes a component of the kept stack: the skipped ones end here.
            self.skipped.clear();
        }
        false
    }

    /// The `BEGIN` line `line` (feed line `n`) of the component `value`.
    fn begin(
        &mut self,
        n: usize,
        value: &str,
        line: &str,
        out: &mut impl Sink,
        warnings: &mut Warnings<'_>,
    ) {
        let component = value.trim().to_ascii_uppercase();
        if component == "VCALENDAR" {
            self.begin_calendar(n, component, line, warnings);
            return;
        }
        if self.stack.is_empty() {
            warnings.repeated(Problem::OutsideCalendar, Some(n), || {
                format!("`BEGIN:{component}` outside VCALENDAR skipped")
            });
            return;
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
            return;
        }
        out.begin(&component, self.stack.len() + 1, n);
        self.stack.push(component);
        self.passed(n, line);
    }

    /// The `BEGIN:VCALENDAR` line `line` (feed line `n`): the first opens the calendar,
    /// a further one after it (several concatenated in one file) reopens it.
    fn begin_calendar(
        &mut self,
        n: usize,
        component: String,
        line: &str,
        warnings: &mut Warnings<'_>,
    ) {
        if self.stack.is_empty() && !self.seen_calendar {
            self.seen_calendar = true;
            self.stack.push(component);
            self.passed(n, line);
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
    }

    /// The `END` line `line` (feed line `n`) of the component `value`: components
    /// opened inside it and left open are closed first.
    fn end(
        &mut self,
        n: usize,
        value: &str,
        line: &str,
        out: &mut impl Sink,
        warnings: &mut Warnings<'_>,
    ) {
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
                self.passed(n, line);
            }
            None => warnings.repeated(Problem::StrayEnd, Some(n), || {
                format!("`END:{component}` closes no open component; skipped")
            }),
        }
    }

    /// The content line `line` (feed line `n`) of the property `name`, inside a
    /// component.
    ///
    /// # Errors
    /// [`Error::Calendar`] when `out` keeps the line and cannot read it.
    fn property(
        &mut self,
        n: usize,
        name: &str,
        line: &str,
        out: &mut impl Sink,
        warnings: &mut Warnings<'_>,
    ) -> Result<()> {
        if !out.property(name, line, self.stack.len(), n, warnings) {
            let shown: String = line.chars().take(60).collect();
            return Err(Error::Calendar {
                source_name: self.source_name.to_string(),
                line: Some(n),
                message: format!(
                    "cannot read content line `{shown}`: expected `NAME[;PARAM=VALUE]:VALUE` inside BEGIN/END components"
                ),
            });
        }
        self.passed(n, line);
        Ok(())
    }

    /// Closes the components still open at the end of the feed.
    fn finish(&mut self, out: &mut impl Sink, warnings: &mut Warnings<'_>) {
        let last = self.last;
        while let Some(open) = self.stack.last() {
            warnings.repeated(Problem::Unclosed, Some(last), || {
                format!("`BEGIN:{open}` was not closed before the end of the feed")
            });
            self.close(last, out);
        }
    }
}

/// `line` (feed line `n`), or, when it is not a content line but [`misplaced_quote`]
/// repairs it, the repaired line, with a warning.
fn quote_repaired<'a>(n: usize, line: Cow<'a, str>, warnings: &mut Warnings<'_>) -> Cow<'a, str> {
    if content_line_name(&line).is_some() {
        return line;
    }
    match misplaced_quote(&line) {
        Some(fixed) => {
            warnings.repeated(Problem::MisplacedQuote, Some(n), || {
                "a parameter's closing quote encloses the value; read as if it closed before the `:`".into()
            });
            Cow::Owned(fixed)
        }
        None => line,
    }
}
