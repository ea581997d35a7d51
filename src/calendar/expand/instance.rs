//! One instance of a series as the merge carries it ([`Instance`]), and its end.

use chrono::Duration;

use crate::calendar::parse::{Stamp, Vevent};
use crate::model::{Occurrence, When, is_cancelled};

/// A stream of instances, in order of start: one series', or the sorted overrides and
/// one-off events.
pub(super) type Stream<'a> = Box<dyn Iterator<Item = Instance<'a>> + 'a>;

/// One occurrence as [`Occurrences`](super::Occurrences) merges them: the component it
/// takes its properties from and its times, borrowed from the feed.
/// [`Instance::occurrence`] builds the [`Occurrence`].
#[derive(Clone, Debug)]
pub struct Instance<'a> {
    ev: &'a Vevent,
    start: Stamp,
    /// `start` as an occurrence time.
    when: When,
    /// An RDATE PERIOD's own duration, overriding the component's.
    duration: Option<Duration>,
    recurrence_id: Option<When>,
    /// [`Occurrence::is_cancelled`], worked out once per series rather than from the
    /// strings of every instance.
    cancelled: bool,
}

impl<'a> Instance<'a> {
    /// The instance of `ev` starting at `start`; `duration` overrides the event's own
    /// (an RDATE PERIOD).
    pub(super) fn new(
        ev: &'a Vevent,
        start: Stamp,
        duration: Option<Duration>,
        recurrence_id: Option<When>,
    ) -> Self {
        Instance {
            ev,
            when: start.when(),
            start,
            duration,
            recurrence_id,
            cancelled: is_cancelled(&ev.summary, ev.status.as_deref()),
        }
    }

    /// [`Instance::new`] for a `start` whose occurrence time `when` is known, and whose
    /// component `ev` is known to be `cancelled` or not.
    pub(super) fn known(
        ev: &'a Vevent,
        start: Stamp,
        when: When,
        duration: Option<Duration>,
        recurrence_id: Option<When>,
        cancelled: bool,
    ) -> Self {
        Instance {
            ev,
            start,
            when,
            duration,
            recurrence_id,
            cancelled,
        }
    }

    /// The component it takes its properties from.
    pub(super) fn component(&self) -> &'a Vevent {
        self.ev
    }

    /// [`Occurrence::uid`].
    pub fn uid(&self) -> &'a str {
        &self.ev.uid
    }

    /// [`Occurrence::start`].
    pub fn start(&self) -> When {
        self.when
    }

    /// [`Occurrence::recurrence_id`].
    pub fn recurrence_id(&self) -> Option<When> {
        self.recurrence_id
    }

    /// [`Occurrence::is_cancelled`].
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// [`Occurrence::end`], without building the whole occurrence.
    pub fn end(&self) -> When {
        match self.duration {
            Some(d) => shift(&self.start, d),
            None => end_of(self.ev, &self.start),
        }
    }

    /// The whole occurrence.
    pub fn occurrence(&self) -> Occurrence {
        let ev = self.ev;
        let end = self.end();
        Occurrence {
            uid: ev.uid.clone(),
            summary: ev.summary.clone(),
            start: self.when,
            end,
            all_day: matches!(self.start, Stamp::Date(_)),
            recurrence_id: self.recurrence_id,
            status: ev.status.clone(),
            location: ev.location.clone(),
            url: ev.url.clone(),
        }
    }
}

/// `start` moved by `d` on the wall clock (RFC 5545 §3.3.6: days and weeks are nominal).
fn shift(start: &Stamp, d: Duration) -> When {
    match start {
        Stamp::Date(date) => When::AllDay(
            date.checked_add_signed(Duration::days(d.num_days()))
                .unwrap_or(*date),
        ),
        Stamp::Local(t, zone) => When::Timed(zone.to_utc(t.checked_add_signed(d).unwrap_or(*t))),
    }
}

/// The end of the instance of `ev` that starts at `start`.
fn end_of(ev: &Vevent, start: &Stamp) -> When {
    if let Some(d) = ev.duration {
        return shift(start, d);
    }
    match (&ev.dtstart, &ev.dtend) {
        (Stamp::Date(s), Some(Stamp::Date(e))) => {
            shift(start, Duration::days((*e - *s).num_days()))
        }
        (Stamp::Local(s, stz), Some(Stamp::Local(e, etz))) if stz == etz => shift(start, *e - *s),
        (s, Some(e)) => {
            // Different zones (or a DATE/DATE-TIME mix): keep the exact length.
            let length = e.when().instant() - s.when().instant();
            match start.when() {
                When::Timed(t) => When::Timed(t + length),
                When::AllDay(d) => When::AllDay(
                    d.checked_add_signed(Duration::days(length.num_days().max(1)))
                        .unwrap_or(d),
                ),
            }
        }
        (Stamp::Date(_), None) => shift(start, Duration::days(1)),
        (Stamp::Local(..), None) => start.when(),
    }
}
