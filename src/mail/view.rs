//! The views templates see: people, summits, times in each zone, the project and the
//! agenda, each a plain serialisable struct built from the model and the config.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::message::Mailbox;
use serde::Serialize;

use super::audience::same_address;
use super::{header, words};
use crate::agenda::{self, TopicView};
use crate::config::Config;
use crate::model::{Member, Occurrence, When};
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;

/// A person in templates: `{{ facilitator.name }}`, `{{ facilitator.email }}`,
/// `Hello {{ recipient.greeting }},`.
#[derive(Clone, Debug, Serialize)]
pub struct Person {
    /// Display name (the address when a mailbox has none).
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// How a message greets them, never an address: a roster member's `greeting`, else
    /// their name; a mailing list as a community (`Prometheus developers` for the
    /// public list, `Prometheus team` for the team list); `None` for an address with no
    /// name.
    pub greeting: Option<String>,
}

impl Person {
    /// A roster member: greeted by their `greeting`, else their name.
    pub fn member(m: &Member) -> Self {
        Person {
            name: m.name.clone(),
            email: m.email.to_string(),
            greeting: m
                .greeting
                .clone()
                .or_else(|| Some(m.name.clone()).filter(|n| !n.contains('@') && !n.is_empty())),
        }
    }

    /// The recipient `m` of a message: a mailing list of `config`, a roster member (by
    /// address, any case), or someone else (a topic owner), greeted by the mailbox's name
    /// when it has one.
    pub fn recipient(m: &Mailbox, config: &Config) -> Self {
        let is = |list: &Mailbox| same_address(&list.email, &m.email);
        let project = &config.project.name;
        let list = config.mail.as_ref().and_then(|mail| {
            if mail.public_list.iter().any(is) {
                Some(format!("{project} developers"))
            } else if mail.team_list.iter().any(is) {
                Some(format!("{project} team"))
            } else {
                None
            }
        });
        if let Some(greeting) = list {
            return Person {
                greeting: Some(greeting),
                ..Person::from(m)
            };
        }
        let member = config
            .rotation
            .members
            .iter()
            .find(|x| same_address(&x.email, &m.email));
        match member {
            Some(x) => Person {
                // The name the message is addressed to stays the mailbox's.
                name: m.name.clone().unwrap_or_else(|| x.name.clone()),
                ..Person::member(x)
            },
            None => Person::from(m),
        }
    }
}

impl From<&Mailbox> for Person {
    /// The mailbox's name (its address when it has none) and address, greeted by its
    /// name when it has one.
    fn from(m: &Mailbox) -> Self {
        let name = m.name.clone().filter(|n| !n.trim().is_empty());
        Person {
            name: name.clone().unwrap_or_else(|| m.email.to_string()),
            email: m.email.to_string(),
            greeting: name
                .map(|n| crate::text::one_line(&n))
                .filter(|n| !n.contains('@')),
        }
    }
}

impl From<&Member> for Person {
    fn from(m: &Member) -> Self {
        Person::member(m)
    }
}

/// A time shown in one zone: `{{ t.local }} {{ t.abbrev }} ({{ t.zone }})`.
#[derive(Clone, Debug, Serialize)]
pub struct ZoneTime {
    /// IANA name, e.g. `Europe/Berlin`.
    pub zone: String,
    /// Local date and time, e.g. `Thu 26 Nov 2026, 17:00`.
    pub local: String,
    /// The zone's abbreviation at that time, e.g. `CET` (or an offset like `+0530`).
    pub abbrev: String,
    /// The UTC offset, e.g. `+01:00`.
    pub offset: String,
}

/// `instant` in each of `zones`.
pub fn zone_times(instant: DateTime<Utc>, zones: &[Tz]) -> Vec<ZoneTime> {
    zones
        .iter()
        .map(|tz| {
            let t = instant.with_timezone(tz);
            ZoneTime {
                zone: tz.name().to_string(),
                local: t.format("%a %-d %b %Y, %H:%M").to_string(),
                abbrev: t.format("%Z").to_string(),
                offset: t.format("%:z").to_string(),
            }
        })
        .collect()
}

/// The link people join `o` by: `project.meeting-url` when configured, else the one the
/// feed gives (see [`Occurrence::url`]: URL, X-GOOGLE-CONFERENCE, a link in LOCATION,
/// the first meeting link in DESCRIPTION).
pub fn meeting_link(o: &Occurrence, config: &Config) -> Option<String> {
    config
        .project
        .meeting_url
        .clone()
        .or_else(|| o.url.clone())
        .map(|u| crate::text::one_line(&u))
        .filter(|u| !u.is_empty() && !u.contains(' '))
}

/// `summary` without a leading project name: `Prometheus Developer Summit` of project
/// `Prometheus` is `Developer Summit`, so a subject that starts `[Prometheus]` does not
/// say it twice. Unchanged when nothing would be left.
pub fn title(summary: &str, project: &str) -> String {
    let s = crate::text::one_line(summary);
    let p = project.trim();
    if p.is_empty() {
        return s;
    }
    let rest = match s.get(..p.len()) {
        Some(head) if head.eq_ignore_ascii_case(p) => &s[p.len()..],
        _ => return s,
    };
    if !rest.starts_with([' ', ':', '-', '\u{2013}', '\u{2014}']) {
        return s;
    }
    let rest = rest.trim_start_matches([' ', ':', '-', '\u{2013}', '\u{2014}']);
    if rest.is_empty() { s } else { rest.to_string() }
}

/// The most characters of a SUMMARY that templates see (as `summary`, `title`, `the`),
/// a longer one cut at a character boundary and ending in `…`: so that a subject built
/// from it keeps what follows it (the date) within [`header::SUBJECT_MAX_CHARS`].
pub const SUMMARY_MAX_CHARS: usize = 120;

/// A summit in templates.
#[derive(Clone, Debug, Serialize)]
pub struct SummitView {
    /// UID.
    pub uid: String,
    /// SUMMARY, on one line, at most [`SUMMARY_MAX_CHARS`] characters.
    pub summary: String,
    /// SUMMARY without a leading project name (see [`title`]), e.g. `Developer Summit`,
    /// at most [`SUMMARY_MAX_CHARS`] characters.
    pub title: String,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End, RFC 3339 UTC.
    pub end: String,
    /// Start date (UTC), `YYYY-MM-DD`.
    pub date: String,
    /// Weekday of the start date (UTC), e.g. `Thursday`.
    pub weekday: String,
    /// Whether it is an all-day summit (then `times` is empty).
    pub all_day: bool,
    /// Length in minutes.
    pub duration_minutes: i64,
    /// The start in every configured zone, the first configured zone first (empty for
    /// an all-day summit).
    pub times: Vec<ZoneTime>,
    /// The start date in the first configured zone, e.g. `Thu 17 Dec` (with the year
    /// when it is not this year).
    pub day: String,
    /// The start in every configured zone on one line, e.g. `Thu 17 Dec, 16:00 UTC /
    /// 17:00 CET / 08:00 PST`, or `Thu 17 Dec, all day` (see [`words::at`]).
    pub at: String,
    /// When it starts, said at the send time in the first configured zone: `today`,
    /// `tomorrow`, `yesterday`, `on Thursday` or `on Thu 17 Dec` (see
    /// [`words::relative_day`]).
    pub when: String,
    /// The title qualified by `when`: `tomorrow's Developer Summit`, `the Developer
    /// Summit on Thursday`.
    pub the: String,
    /// The summit as a past event: `today's summit`, `yesterday's summit`, `the summit
    /// on Thu 26 Nov`.
    pub held: String,
    /// Whether it has started at the send time (an all-day summit at 00:00 UTC of its
    /// date).
    pub past: bool,
    /// Calendar days from the send time to the start, in the first configured zone:
    /// 0 today, 1 tomorrow, negative when past.
    pub days: i64,
    /// LOCATION of the event, if any.
    pub location: Option<String>,
    /// The meeting link (see [`meeting_link`]); the same as `link`.
    pub url: Option<String>,
    /// The meeting link (see [`meeting_link`]).
    pub link: Option<String>,
}

impl SummitView {
    /// The view of `o` under `config` (zones, project name, meeting link), as said at
    /// `now`.
    pub fn of(o: &Occurrence, config: &Config, now: DateTime<Utc>) -> Self {
        let zones = &config.calendar.zones;
        let tz = zones.first().copied().unwrap_or(Tz::UTC);
        let start = o.start.instant();
        let title = header::cap(&title(&o.summary, &config.project.name), SUMMARY_MAX_CHARS);
        let today = now.with_timezone(&tz).date_naive();
        let link = meeting_link(o, config);
        SummitView {
            uid: o.uid.clone(),
            summary: header::cap(&crate::text::one_line(&o.summary), SUMMARY_MAX_CHARS),
            start: o.start.to_string(),
            end: o.end.to_string(),
            date: o.start.date_utc().format("%Y-%m-%d").to_string(),
            weekday: o.start.date_utc().format("%A").to_string(),
            all_day: o.start.is_all_day(),
            duration_minutes: (o.end.instant() - start).num_minutes().max(0),
            times: match o.start {
                When::Timed(t) => zone_times(t, zones),
                When::AllDay(_) => Vec::new(),
            },
            day: words::short_date(words::local_date(o.start, tz), today),
            at: words::at(o.start, zones, now),
            when: words::relative_day(o.start, now, tz),
            the: words::relative_noun(&title, o.start, now, tz),
            held: words::relative_noun("summit", o.start, now, tz),
            days: words::days_between(o.start, now, tz),
            past: start <= now,
            title,
            location: o.location.as_deref().map(crate::text::one_line),
            url: link.clone(),
            link,
        }
    }
}

/// The next summit in templates: `{{ next.summit.date }}`, `{{ next.facilitator.name }}`.
#[derive(Serialize)]
pub(super) struct NextView {
    summit: SummitView,
    facilitator: Option<Person>,
    /// Whether the facilitator was arranged (a pin, a hand-written or pinned record
    /// entry) rather than proposed by the rotation; see [`crate::plan::summit::arranged`].
    arranged: bool,
}

/// The view of the next summit `n`, as said at `now`.
pub(super) fn next_view(n: &Planned, config: &Inputs, now: DateTime<Utc>) -> NextView {
    NextView {
        summit: SummitView::of(&n.summit, config, now),
        facilitator: n.facilitator.as_ref().map(Person::member),
        arranged: crate::plan::summit::arranged(n, config),
    }
}

/// The project in templates: `{{ project.name }}` and its links from `[project]`.
#[derive(Serialize)]
pub(super) struct ProjectView<'a> {
    name: &'a str,
    notes_url: Option<&'a str>,
    calendar_url: Option<&'a str>,
    meeting_url: Option<&'a str>,
    code_of_conduct_url: Option<&'a str>,
}

/// The view of `config.project`.
pub(super) fn project_view(config: &Config) -> ProjectView<'_> {
    let p = &config.project;
    ProjectView {
        name: &p.name,
        notes_url: p.notes_url.as_deref(),
        calendar_url: p.calendar_url.as_deref(),
        meeting_url: p.meeting_url.as_deref(),
        code_of_conduct_url: p.code_of_conduct_url.as_deref(),
    }
}

/// The agenda in templates: `{% for t in agenda.chosen %}{{ t.title }}{% endfor %}`.
#[derive(Clone, Debug, Serialize)]
pub struct AgendaView {
    /// The most-voted topics proposed before the deadline, in vote order.
    pub chosen: Vec<TopicView>,
    /// The topics proposed after the deadline, in vote order.
    pub late: Vec<TopicView>,
    /// The other topics proposed before the deadline, in vote order.
    pub rest: Vec<TopicView>,
    /// Every topic proposed so far, in vote order (late ones included).
    pub all: Vec<TopicView>,
    /// The chosen topics whose owner has no address, in vote order: the facilitator
    /// reaches them by hand.
    pub unreachable: Vec<TopicView>,
    /// `outreach.top`.
    pub top: usize,
}

impl AgendaView {
    /// The view of a ranking.
    pub fn new(r: &agenda::Ranked, top: usize) -> Self {
        let view = |v: &[agenda::Topic]| v.iter().map(TopicView::from).collect::<Vec<_>>();
        let mut all: Vec<agenda::Topic> = r
            .chosen
            .iter()
            .chain(&r.rest)
            .chain(&r.late)
            .cloned()
            .collect();
        all.sort_by(agenda::vote_order);
        AgendaView {
            chosen: view(&r.chosen),
            late: view(&r.late),
            rest: view(&r.rest),
            all: view(&all),
            unreachable: r.unreachable().into_iter().map(TopicView::from).collect(),
            top,
        }
    }
}

#[cfg(test)]
mod tests;
