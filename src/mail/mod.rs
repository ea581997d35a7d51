//! The e-mails of each timeline step: who gets them, what they say ([`render`]), and
//! the RFC 5322 messages built with `lettre`.

pub mod deliver;
pub mod ics;
pub mod render;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::agenda::{self, TopicView};
use crate::calendar::{Occurrence, When};
use crate::config::{Config, MailConfig, Member};
use crate::error::{Error, Result};
use crate::ledger::{Announced, Kind, valid_message_id};
use crate::summit::Planned;
use crate::timeline::{Step, topic_deadline};
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
    /// Its Reply-To: the facilitator.
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
            let recipient = group.first().map(Person::from);
            let mut ctx = context(step, planned, next, config, now, recipient);
            let rendered = match (&ranked, step) {
                (Some(r), Step::Outreach) => {
                    let who = group
                        .first()
                        .map(|m| m.email.to_string().to_ascii_lowercase());
                    ctx.topics = r
                        .owners()
                        .into_iter()
                        .find(|(m, _)| Some(m.email.to_string().to_ascii_lowercase()) == who)
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
            Draft::new(
                Kind::Step(step),
                group,
                message_id,
                file_stem,
                rendered,
                planned.facilitator.as_ref().map(Member::mailbox),
                mail,
                now,
            )
        })
        .collect()
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
}

impl Change {
    /// The change from `announced` to `now`, `None` when the time and status are the same.
    pub fn between(announced: &Announced, now: &Announced) -> Option<Change> {
        if announced.same_time(now) {
            return None;
        }
        Some(match (announced.cancelled, now.cancelled) {
            (_, true) => Change::Cancelled,
            (true, false) => Change::Reinstated,
            (false, false) => Change::Moved,
        })
    }
}

/// Drafts correction number `seq` of a summit to `to`: it was announced as
/// `announced` and now stands as `summit` (with `change`).
///
/// # Errors
/// As [`draft`].
#[allow(clippy::too_many_arguments)]
pub fn draft_correction(
    summit: &Occurrence,
    facilitator: Option<&Member>,
    announced: &Announced,
    change: Change,
    seq: u32,
    to: &[Mailbox],
    config: &Config,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Draft> {
    let mail = config.mail()?;
    let zones = &config.calendar.zones;
    let p = &config.project;
    let was = Occurrence {
        summary: announced.summary.clone(),
        start: announced.start,
        end: announced.end,
        all_day: announced.start.is_all_day(),
        ..summit.clone()
    };
    let recipient = to.first().map(Person::from);
    let ctx = CorrectionContext {
        project: project_view(config),
        summit: SummitView::new(summit, zones, p.meeting_url.as_deref()),
        announced: SummitView::new(&was, zones, p.meeting_url.as_deref()),
        change,
        facilitator: facilitator.map(Person::from),
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
        facilitator.map(Member::mailbox),
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
    recipient: Option<Person>,
    now: String,
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
    let mut builder = Message::builder()
        .from(mail.from.clone())
        .subject(rendered.subject.clone())
        .date(now.into())
        .message_id(Some(format!("<{message_id}>")));
    if let Some(r) = reply_to {
        builder = builder.reply_to(r.clone());
    }
    for m in to {
        builder = builder.to(m.clone());
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

/// A person in templates: `{{ facilitator.name }}`, `{{ facilitator.email }}`.
#[derive(Clone, Debug, Serialize)]
pub struct Person {
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
}

impl From<&Mailbox> for Person {
    /// The mailbox's name (its address when it has none) and address.
    fn from(m: &Mailbox) -> Self {
        Person {
            name: m.name.clone().unwrap_or_else(|| m.email.to_string()),
            email: m.email.to_string(),
        }
    }
}

impl From<&Member> for Person {
    fn from(m: &Member) -> Self {
        Person {
            name: m.name.clone(),
            email: m.email.to_string(),
        }
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

/// A summit in templates.
#[derive(Clone, Debug, Serialize)]
pub struct SummitView {
    /// UID.
    pub uid: String,
    /// SUMMARY, on one line.
    pub summary: String,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End, RFC 3339 UTC.
    pub end: String,
    /// Start date (UTC), `YYYY-MM-DD`.
    pub date: String,
    /// Weekday of the start date (UTC), e.g. `Thursday`.
    pub weekday: String,
    /// Length in minutes.
    pub duration_minutes: i64,
    /// The start in every configured zone, the first configured zone first.
    pub times: Vec<ZoneTime>,
    /// LOCATION of the event, if any.
    pub location: Option<String>,
    /// URL of the event, or `project.meeting-url`.
    pub url: Option<String>,
}

impl SummitView {
    /// The view of `o` with times in `zones`.
    pub fn new(o: &Occurrence, zones: &[Tz], meeting_url: Option<&str>) -> Self {
        let start = o.start.instant();
        SummitView {
            uid: o.uid.clone(),
            summary: render::one_line(&o.summary),
            start: o.start.to_string(),
            end: o.end.to_string(),
            date: o.start.date_utc().format("%Y-%m-%d").to_string(),
            weekday: o.start.date_utc().format("%A").to_string(),
            duration_minutes: (o.end.instant() - start).num_minutes().max(0),
            times: match o.start {
                When::Timed(t) => zone_times(t, zones),
                When::AllDay(_) => Vec::new(),
            },
            location: o.location.as_deref().map(render::one_line),
            url: o.url.clone().or_else(|| meeting_url.map(String::from)),
        }
    }
}

#[derive(Serialize)]
struct Deadline {
    utc: String,
    hours: i64,
    times: Vec<ZoneTime>,
}

#[derive(Serialize)]
struct NextView {
    summit: SummitView,
    facilitator: Option<Person>,
    /// Whether the facilitator was arranged (a pin, a hand-written or pinned record
    /// entry) rather than proposed by the rotation; see [`crate::summit::arranged`].
    arranged: bool,
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
    let p = &config.project;
    let deadline = topic_deadline(&planned.summit, &config.timeline);
    Context {
        project: project_view(config),
        summit: SummitView::new(&planned.summit, zones, p.meeting_url.as_deref()),
        facilitator: planned.facilitator.as_ref().map(Person::from),
        deadline: Deadline {
            utc: When::Timed(deadline).to_string(),
            hours: config.timeline.topic_deadline.num_hours(),
            times: zone_times(deadline, zones),
        },
        next: next.map(|n| NextView {
            summit: SummitView::new(&n.summit, zones, p.meeting_url.as_deref()),
            facilitator: n.facilitator.as_ref().map(Person::from),
            arranged: crate::summit::arranged(n, config),
        }),
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
