//! The e-mails of each timeline step: who gets them, what they say ([`render`]), and
//! the RFC 5322 messages built with `lettre`.

pub mod header;
pub mod ics;
pub mod render;
pub mod rota;
pub mod words;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0,
};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::agenda::{self, TopicView};
use crate::config::{Config, MailConfig};
use crate::error::{Error, Result};
use crate::ledger::Announced;
use crate::model::Kind;
use crate::model::Member;
use crate::model::Occurrence;
use crate::model::When;
use crate::model::message::valid_message_id;
use crate::model::{Step, timeline::topic_deadline};
use crate::plan::summit::Planned;
pub use render::{Rendered, Templates};

/// One drafted e-mail.
#[derive(Clone, Debug)]
pub struct Draft {
    /// The step it belongs to, or [`Kind::Correction`].
    pub kind: Kind,
    /// Its recipients.
    pub to: Vec<Mailbox>,
    /// Its Message-ID, without angle brackets (RFC 5322 §3.6.4): a hash of the summit's
    /// UID and original start, the step and the recipient, so it is the same every time
    /// the same mail is drafted.
    pub message_id: String,
    /// A file name for it, without extension: `DATE-STEP` or `DATE-STEP-N`.
    pub file_stem: String,
    /// The subject and body.
    pub rendered: Rendered,
    /// The whole message.
    pub message: Message,
    /// Its Reply-To (see [`reply_to`]).
    reply_to: Option<Mailbox>,
    /// Its Date.
    date: DateTime<Utc>,
}

/// What `send` and `tick` add to a drafted message: threading, and the summit as a
/// calendar attachment.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// In-Reply-To: the Message-ID (without angle brackets) of the message it answers.
    pub in_reply_to: Option<String>,
    /// References: the thread's Message-IDs, oldest first (without angle brackets).
    pub references: Vec<String>,
    /// A text/calendar attachment: its file name and its iCalendar text.
    pub calendar: Option<(String, String)>,
}

impl Draft {
    /// A draft of `rendered` from `mail.from` to `to`, dated `now`.
    #[allow(clippy::too_many_arguments)]
    fn new(
        kind: Kind,
        to: Vec<Mailbox>,
        message_id: String,
        file_stem: String,
        rendered: Rendered,
        reply_to: Option<Mailbox>,
        mail: &MailConfig,
        now: DateTime<Utc>,
    ) -> Result<Draft> {
        let message = build(
            mail,
            reply_to.as_ref(),
            &to,
            &rendered,
            &message_id,
            now,
            &Extras::default(),
        )?;
        Ok(Draft {
            kind,
            to,
            message_id,
            file_stem,
            rendered,
            message,
            reply_to,
            date: now,
        })
    }

    /// The message as RFC 5322 text, with CRLF line ends.
    pub fn formatted(&self) -> Vec<u8> {
        self.message.formatted()
    }

    /// The same message with `extras` added.
    ///
    /// # Errors
    /// [`Error::Mail`] when a Message-ID in `extras` is malformed or the message cannot
    /// be built.
    pub fn with_extras(mut self, mail: &MailConfig, extras: &Extras) -> Result<Draft> {
        self.message = build(
            mail,
            self.reply_to.as_ref(),
            &self.to,
            &self.rendered,
            &self.message_id,
            self.date,
            extras,
        )?;
        Ok(self)
    }
}

/// Who receives `step` for `planned`: the public list, the team list, the facilitator,
/// or (the outreach, with an agenda for this summit) the owners of the chosen topics
/// who have an address (the checklist lists the others to the facilitator).
///
/// The checklist step goes to the facilitator only when an agenda applies (without one
/// the outreach itself is the facilitator's checklist): otherwise nobody.
///
/// # Errors
/// [`Error::Config`] without a `[mail]` table; [`Error::NoSummit`] for the steps to the
/// facilitator when nobody is available to facilitate; [`Error::Agenda`] for the
/// outreach and the checklist of the summit whose agenda file could not be loaded
/// (the other steps are not affected).
pub fn recipients(step: Step, planned: &Planned, config: &Config) -> Result<Vec<Mailbox>> {
    let mail = config.mail()?;
    let facilitator = || match &planned.facilitator {
        Some(m) => Ok(vec![m.mailbox()]),
        None => Err(Error::NoSummit(format!(
            "no facilitator for the summit on {}: every member is away, so the {step} has no recipient",
            planned.summit.start.date_utc()
        ))),
    };
    if let Some(e) = agenda_error(step, planned, config) {
        return Err(e);
    }
    Ok(match step {
        Step::Reminder => vec![mail.public_list.clone()],
        Step::AgendaVote | Step::Handover => vec![mail.team_list.clone()],
        Step::Assignment => facilitator()?,
        Step::Outreach => match ranked_agenda(planned, config) {
            Some(r) => r.owners().into_iter().map(|(m, _)| m).collect(),
            None => facilitator()?,
        },
        Step::Checklist => match ranked_agenda(planned, config) {
            Some(_) => facilitator()?,
            None => Vec::new(),
        },
    })
}

/// The error of `step` of `planned` when the agenda file could not be loaded and was
/// to be for that summit ([`crate::config::AgendaConfig::error`]); `None` otherwise.
/// Only the outreach and the checklist need the agenda.
pub fn agenda_error(step: Step, planned: &Planned, config: &Config) -> Option<Error> {
    let date = planned.summit.start.date_utc();
    config
        .agenda
        .error
        .as_ref()
        .filter(|u| matches!(step, Step::Outreach | Step::Checklist) && u.summit == Some(date))
        .map(|u| u.error(step.name()))
}

/// A warning when chosen topics of `planned`'s agenda have owners without an address
/// and nobody facilitates, so no checklist lists them for someone to reach by hand.
pub fn unreached_warning(planned: &Planned, config: &Config) -> Option<String> {
    if planned.facilitator.is_some() {
        return None;
    }
    let ranked = ranked_agenda(planned, config)?;
    let topics: Vec<String> = ranked
        .unreachable()
        .iter()
        .map(|t| format!("`{}` ({})", t.title, t.owner))
        .collect();
    (!topics.is_empty()).then(|| {
        format!(
            "the summit on {} has no facilitator to send the checklist to, and the owners of {} have no address in the agenda: nobody is asked to reach them",
            planned.summit.start.date_utc(),
            topics.join(", ")
        )
    })
}

/// The agenda of `planned` ranked at its topic deadline, when an agenda is for it.
pub fn ranked_agenda(planned: &Planned, config: &Config) -> Option<agenda::Ranked> {
    let a = config.agenda.loaded.as_ref()?;
    a.is_for(planned.summit.start.date_utc()).then(|| {
        agenda::rank(
            &a.topics,
            topic_deadline(&planned.summit, &config.timeline),
            config.agenda.top,
        )
    })
}

/// Drafts the e-mails of `step` for `planned`, as of `now` (the Date header).
///
/// `next` is the summit after it (for the handover).
///
/// # Errors
/// [`Error::Config`] without a `[mail]` table, [`Error::Template`] when a template fails,
/// [`Error::Mail`] when a message cannot be built.
pub fn draft(
    step: Step,
    planned: &Planned,
    next: Option<&Planned>,
    config: &Config,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Vec<Draft>> {
    let mail = config.mail()?;
    let to = recipients(step, planned, config)?;
    if to.is_empty() {
        // Nobody by design: the checklist without an agenda.
        return Ok(Vec::new());
    }
    let ranked = ranked_agenda(planned, config);
    let per_recipient = step == Step::Outreach;
    let groups: Vec<Vec<Mailbox>> = if per_recipient {
        to.into_iter().map(|m| vec![m]).collect()
    } else {
        vec![to]
    };
    let many = groups.len() > 1;
    groups
        .into_iter()
        .enumerate()
        .map(|(i, group)| {
            let recipient = group.first().map(|m| Person::recipient(m, config));
            let mut ctx = context(step, planned, next, config, now, recipient);
            let rendered = match (&ranked, step) {
                (Some(r), Step::Outreach) => {
                    let who = group.first().map(|m| crate::model::Email::from(&m.email));
                    ctx.topics = r
                        .owners()
                        .into_iter()
                        .find(|(m, _)| who.as_ref().is_some_and(|w| *w == m.email))
                        .map(|(_, ts)| ts.into_iter().map(TopicView::from).collect())
                        .unwrap_or_default();
                    templates.render_file(render::OUTREACH_OWNER, &ctx)?
                }
                _ => templates.render(step, &ctx)?,
            };
            let message_id = message_id(&planned.summit, Kind::Step(step), 0, &group, mail);
            let date = planned.summit.start.date_utc();
            let file_stem = if many {
                format!("{date}-{step}-{}", i + 1)
            } else {
                format!("{date}-{step}")
            };
            let reply_to = reply_to(Kind::Step(step), &group, planned.facilitator.as_ref(), mail);
            Draft::new(
                Kind::Step(step),
                group,
                message_id,
                file_stem,
                rendered,
                reply_to,
                mail,
                now,
            )
        })
        .collect()
}

/// The Reply-To of a message of `kind` to `to`: none on a message to the public list
/// (replies stay on the list), the team list on the assignment (the facilitator swaps
/// there), else the facilitator when there is one.
pub fn reply_to(
    kind: Kind,
    to: &[Mailbox],
    facilitator: Option<&Member>,
    mail: &MailConfig,
) -> Option<Mailbox> {
    let public = to
        .iter()
        .any(|m| crate::model::Email::same(&m.email, &mail.public_list.email));
    match kind {
        _ if public => None,
        Kind::Step(Step::Assignment) => Some(mail.team_list.clone()),
        _ => facilitator.map(Member::mailbox),
    }
}

/// How a summit changed since it was announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// It takes place at another time.
    Moved,
    /// It no longer takes place.
    Cancelled,
    /// It was announced as cancelled and takes place after all.
    Reinstated,
    /// It takes place as announced, with another facilitator (a pin on its date
    /// swapped the one a message had named).
    Facilitator,
}

impl Change {
    /// The change from `announced` to `now`, `None` when the time, status and
    /// facilitator are the same (a change of time or status comes first).
    pub fn between(announced: &Announced, now: &Announced) -> Option<Change> {
        if announced.same_time(now) {
            return (!now.cancelled && announced.other_facilitator(now))
                .then_some(Change::Facilitator);
        }
        Some(match (announced.cancelled, now.cancelled) {
            (_, true) => Change::Cancelled,
            (true, false) => Change::Reinstated,
            (false, false) => Change::Moved,
        })
    }
}

/// Drafts correction number `seq` of a summit to `to`: it was announced as
/// `announced` and now stands as `summit` (with `change`), as of `now`. `next` is the
/// summit after it, which a cancellation names.
///
/// # Errors
/// As [`draft`].
#[allow(clippy::too_many_arguments)]
pub fn draft_correction(
    summit: &Occurrence,
    facilitator: Option<&Member>,
    next: Option<&Planned>,
    announced: &Announced,
    change: Change,
    seq: u32,
    to: &[Mailbox],
    config: &Config,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Draft> {
    let mail = config.mail()?;
    let was = Occurrence {
        summary: announced.summary.clone(),
        start: announced.start,
        end: announced.end,
        all_day: announced.start.is_all_day(),
        ..summit.clone()
    };
    let recipient = to.first().map(|m| Person::recipient(m, config));
    let ctx = CorrectionContext {
        project: project_view(config),
        summit: SummitView::of(summit, config, now),
        announced: SummitView::of(&was, config, now),
        change,
        facilitator: facilitator.map(Person::member),
        announced_facilitator: announced.facilitator.as_ref().map(|f| WasFacilitator {
            name: crate::text::one_line(&f.name),
            email: f.email.to_string(),
        }),
        next: next.map(|n| next_view(n, config, now)),
        recipient,
        now: When::Timed(now).to_string(),
    };
    let rendered = templates.render_file(render::CORRECTION, &ctx)?;
    Draft::new(
        Kind::Correction,
        to.to_vec(),
        message_id(summit, Kind::Correction, seq, to, mail),
        format!("{}-correction-{seq}", was.start.date_utc()),
        rendered,
        reply_to(Kind::Correction, to, facilitator, mail),
        mail,
        now,
    )
}

#[derive(Serialize)]
struct CorrectionContext<'a> {
    project: ProjectView<'a>,
    summit: SummitView,
    announced: SummitView,
    change: Change,
    facilitator: Option<Person>,
    /// The facilitator the corrected message named.
    announced_facilitator: Option<WasFacilitator>,
    next: Option<NextView>,
    recipient: Option<Person>,
    now: String,
}

/// The facilitator a corrected message named, in the correction's template.
#[derive(Serialize)]
struct WasFacilitator {
    name: String,
    email: String,
}

fn build(
    mail: &MailConfig,
    reply_to: Option<&Mailbox>,
    to: &[Mailbox],
    rendered: &Rendered,
    message_id: &str,
    now: DateTime<Utc>,
    extras: &Extras,
) -> Result<Message> {
    // Subject and display names through `header` (lettre passes ASCII through as is and
    // folds only at spaces): encoded and folded so every line fits and no reader
    // decodes a smuggled encoded word.
    let mut builder = Message::builder()
        .from(header::mailbox(&mail.from))
        .raw_header(header::subject(&rendered.subject))
        .date(now.into())
        .message_id(Some(format!("<{message_id}>")))
        .header(MIME_VERSION_1_0)
        // RFC 3834 §5: sent by a program, so auto-responders do not answer it.
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    if let Some(r) = reply_to {
        builder = builder.reply_to(header::mailbox(r));
    }
    for m in to {
        builder = builder.to(header::mailbox(m));
    }
    // Only well-formed Message-IDs reach a header (the ledger's are checked on load).
    let ids = extras.in_reply_to.iter().chain(&extras.references);
    if let Some(bad) = ids.clone().find(|id| !valid_message_id(id)) {
        return Err(Error::Mail(format!(
            "`{bad}` is not a Message-ID, expected `local@domain`"
        )));
    }
    if let Some(parent) = &extras.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !extras.references.is_empty() {
        let refs: Vec<String> = extras.references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(refs.join(" "));
    }
    let body = encode_body(&rendered.body)?;
    let built = match &extras.calendar {
        None => builder.header(ContentType::TEXT_PLAIN).body(body),
        Some((file_name, ics)) => {
            let text = SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body);
            let calendar_type = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                .expect("a valid content type");
            let calendar = Attachment::new(file_name.clone()).body(ics.clone(), calendar_type);
            builder.multipart(MultiPart::mixed().singlepart(text).singlepart(calendar))
        }
    };
    built.map_err(|e| Error::Mail(format!("cannot build the message: {e}")))
}

/// The body as 7bit or 8bit text when every line fits RFC 5322's 998-octet limit (so
/// the message stays readable as is), else quoted-printable.
fn encode_body(text: &str) -> Result<Body> {
    let crlf = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n");
    let fits = crlf.split("\r\n").all(|l| l.len() <= 998) && !crlf.contains('\0');
    if fits {
        let encoding = if crlf.is_ascii() {
            ContentTransferEncoding::SevenBit
        } else {
            ContentTransferEncoding::EightBit
        };
        return Ok(Body::dangerous_pre_encoded(crlf.into_bytes(), encoding));
    }
    Body::new_with_encoding(text.to_string(), ContentTransferEncoding::QuotedPrintable)
        .map_err(|_| Error::Mail("the body cannot be encoded".into()))
}

/// A deterministic Message-ID: `HASH.KIND.DATE@DOMAIN`, the domain of `mail.from`.
///
/// HASH is a hash of the summit's UID and original start, the kind (step or
/// correction), the correction's number `seq` and the recipients, so the same mail gets
/// the same ID whenever it is drafted.
pub fn message_id(
    summit: &Occurrence,
    kind: Kind,
    seq: u32,
    to: &[Mailbox],
    mail: &MailConfig,
) -> String {
    let mut h = Sha256::new();
    h.update(summit.uid.as_bytes());
    h.update(b"\n");
    h.update(
        summit
            .recurrence_id
            .unwrap_or(summit.start)
            .to_string()
            .as_bytes(),
    );
    h.update(b"\n");
    h.update(kind.name().as_bytes());
    if seq > 0 {
        h.update(format!("\n#{seq}").as_bytes());
    }
    for m in to {
        h.update(b"\n");
        h.update(m.email.to_string().to_ascii_lowercase().as_bytes());
    }
    let digest = h.finalize();
    let hash: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{hash}.{kind}.{}@{}",
        summit.start.date_utc().format("%Y%m%d"),
        mail.from.email.domain()
    )
}

// ---- template context ----

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
        let email = crate::model::Email::from(&m.email);
        let is = |list: &Mailbox| email == list.email;
        let project = &config.project.name;
        let list = config.mail.as_ref().and_then(|mail| {
            if is(&mail.public_list) {
                Some(format!("{project} developers"))
            } else if is(&mail.team_list) {
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
        let member = config.rotation.members.iter().find(|x| email == x.email);
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

/// The topic deadline in templates.
#[derive(Serialize)]
struct Deadline {
    /// RFC 3339 UTC.
    utc: String,
    /// `timeline.topic-deadline` in hours.
    hours: i64,
    /// In every configured zone.
    times: Vec<ZoneTime>,
    /// In every configured zone on one line (see [`words::at`]).
    at: String,
    /// Said at the send time: `today`, `tomorrow`, `on Wednesday`, ….
    when: String,
}

#[derive(Serialize)]
struct NextView {
    summit: SummitView,
    facilitator: Option<Person>,
    /// Whether the facilitator was arranged (a pin, a hand-written or pinned record
    /// entry) rather than proposed by the rotation; see [`crate::plan::summit::arranged`].
    arranged: bool,
}

fn next_view(n: &Planned, config: &Config, now: DateTime<Utc>) -> NextView {
    NextView {
        summit: SummitView::of(&n.summit, config, now),
        facilitator: n.facilitator.as_ref().map(Person::member),
        arranged: crate::plan::summit::arranged(n, config),
    }
}

#[derive(Serialize)]
struct ProjectView<'a> {
    name: &'a str,
    notes_url: Option<&'a str>,
    calendar_url: Option<&'a str>,
    meeting_url: Option<&'a str>,
    code_of_conduct_url: Option<&'a str>,
}

fn project_view(config: &Config) -> ProjectView<'_> {
    let p = &config.project;
    ProjectView {
        name: &p.name,
        notes_url: p.notes_url.as_deref(),
        calendar_url: p.calendar_url.as_deref(),
        meeting_url: p.meeting_url.as_deref(),
        code_of_conduct_url: p.code_of_conduct_url.as_deref(),
    }
}

#[derive(Serialize)]
struct StepView {
    name: &'static str,
    due: String,
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

#[derive(Serialize)]
struct Context<'a> {
    project: ProjectView<'a>,
    summit: SummitView,
    facilitator: Option<Person>,
    deadline: Deadline,
    next: Option<NextView>,
    step: StepView,
    recipient: Option<Person>,
    agenda: Option<AgendaView>,
    /// Why the agenda file of this summit could not be loaded (the printed checklist).
    agenda_error: Option<String>,
    topics: Vec<TopicView>,
    zones: Vec<String>,
    now: String,
    /// Whether the public reminder of this summit is not yet due at the send time:
    /// nothing about it has gone out in public.
    before_public: bool,
}

fn context<'a>(
    step: Step,
    planned: &Planned,
    next: Option<&Planned>,
    config: &'a Config,
    now: DateTime<Utc>,
    recipient: Option<Person>,
) -> Context<'a> {
    let zones = &config.calendar.zones;
    let tz = zones.first().copied().unwrap_or(Tz::UTC);
    let deadline = topic_deadline(&planned.summit, &config.timeline);
    Context {
        project: project_view(config),
        summit: SummitView::of(&planned.summit, config, now),
        facilitator: planned.facilitator.as_ref().map(Person::member),
        deadline: Deadline {
            utc: When::Timed(deadline).to_string(),
            hours: config.timeline.topic_deadline.num_hours(),
            times: zone_times(deadline, zones),
            at: words::at(When::Timed(deadline), zones, now),
            when: words::relative_day(When::Timed(deadline), now, tz),
        },
        next: next.map(|n| next_view(n, config, now)),
        step: StepView {
            name: step.name(),
            due: When::Timed(step.due(&planned.summit, &config.timeline)).to_string(),
        },
        recipient,
        agenda: ranked_agenda(planned, config).map(|r| AgendaView::new(&r, config.agenda.top)),
        agenda_error: agenda_error(Step::Checklist, planned, config).map(|_| {
            let u = config.agenda.error.as_ref().expect("an agenda error");
            format!("{}: {}", u.path.display(), u.message)
        }),
        topics: Vec::new(),
        zones: zones.iter().map(|z| z.name().to_string()).collect(),
        now: When::Timed(now).to_string(),
        before_public: now < Step::Reminder.due(&planned.summit, &config.timeline),
    }
}

/// Renders the facilitator's run-sheet (`checklist.txt`) for `planned`, as of `now`, to
/// print (`summit checklist`): without a recipient.
///
/// # Errors
/// [`Error::Template`] when the template fails.
pub fn checklist(
    planned: &Planned,
    next: Option<&Planned>,
    config: &Config,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Rendered> {
    // Printed, not mailed: no greeting (`recipient` is none).
    let ctx = context(Step::Checklist, planned, next, config, now, None);
    templates.render(Step::Checklist, &ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_skips_a_leading_project_name() {
        let t = |s: &str| title(s, "Prometheus");
        assert_eq!(t("Prometheus Developer Summit"), "Developer Summit");
        assert_eq!(t("prometheus: Developer Summit"), "Developer Summit");
        assert_eq!(t("Prometheus – Developer Summit"), "Developer Summit");
        assert_eq!(t("Developer Summit"), "Developer Summit");
        assert_eq!(t("PrometheusCon Summit"), "PrometheusCon Summit");
        assert_eq!(t("Prometheus"), "Prometheus");
        assert_eq!(
            title("Prometheus Developer Summit", ""),
            "Prometheus Developer Summit"
        );
    }
}
