//! The warnings of one parse, shared by [`super::lines`] and
//! [`super::parse`](mod@super::parse): each names the feed and, when it can, the feed
//! line at fault, and a problem that repeats once per line or value is reported a few
//! times, then counted.

/// How many warnings of one [`Problem`] a parse reports one by one; the rest are
/// counted and reported in one line at the end.
const WARNINGS_PER_KIND: usize = 10;

/// A problem that can repeat once per feed line or value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Problem {
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
/// whole), as [`crate::error::Error::Calendar`] says its errors.
/// Of each [`Problem`], the first [`WARNINGS_PER_KIND`] are kept and the rest counted,
/// so that a feed of millions of bad lines costs a few warnings, not a string per line.
pub(super) struct Warnings<'a> {
    source_name: &'a str,
    list: Vec<String>,
    /// Per [`Problem`] (by its index in [`Problem::ALL`]): how many were met, and the
    /// feed line of the last one that has a line.
    met: [(usize, Option<usize>); Problem::ALL.len()],
}

impl<'a> Warnings<'a> {
    pub(super) fn new(source_name: &'a str) -> Self {
        Warnings {
            source_name,
            list: Vec::new(),
            met: Default::default(),
        }
    }

    /// A warning about the feed line `line`, or about the feed as a whole.
    pub(super) fn push(&mut self, line: Option<usize>, what: &str) {
        let source_name = self.source_name;
        self.list.push(match line {
            Some(n) => format!("feed `{source_name}` line {n}: {what}"),
            None => format!("feed `{source_name}`: {what}"),
        });
    }

    /// A warning of `problem`: kept while fewer than [`WARNINGS_PER_KIND`] of it were,
    /// else only counted (`what` is not called).
    pub(super) fn repeated(
        &mut self,
        problem: Problem,
        line: Option<usize>,
        what: impl FnOnce() -> String,
    ) {
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
    pub(super) fn finish(mut self) -> Vec<String> {
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
