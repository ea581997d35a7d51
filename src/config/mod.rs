//! The TOML configuration (`../shared/CONTRACT.md`, "Configuration"), loaded and
//! validated in one step: a [`Config`] that exists is one every command can trust.
//!
//! Every table rejects unknown keys, and every error names the file, the line and the
//! key or value at fault.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use lettre::Address;
use lettre::message::Mailbox;
use regex::Regex;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::model::member::unsendable;
use crate::model::timeline::{format_offset, parse_offset};
use crate::model::{Member, Timeline};
use crate::text::{is_loopback, odd_char};

/// The summit regex used when `calendar.summit` is not set.
pub const DEFAULT_SUMMIT_PATTERN: &str = "(?i)developer summit";

/// A validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from; `None` for the built-in defaults (no config given).
    pub path: Option<PathBuf>,
    /// The folder relative paths in the file resolve against.
    pub dir: PathBuf,
    /// `[project]`: what the mails say about the project.
    pub project: Project,
    /// `[calendar]`: the feed and which of its events are summits.
    pub calendar: CalendarConfig,
    /// `[timeline]`: when each step of the facilitator's timeline is due.
    pub timeline: Timeline,
    /// `[mail]`: addresses and transport; `None` when the file has no `[mail]` table.
    pub mail: Option<MailConfig>,
    /// `[rotation]`: who facilitates.
    pub rotation: Rotation,
    /// `[agenda]` and `[outreach]`: the agenda file and how many topics the outreach
    /// covers.
    pub agenda: AgendaConfig,
}

/// `[agenda]` and `[outreach]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgendaConfig {
    /// `agenda.file`: the agenda of the next summit, a `.toml` or `.csv` file (relative
    /// to the config's folder); `--agenda FILE` overrides it.
    pub file: Option<PathBuf>,
    /// `outreach.top`: how many of the most-voted topics proposed before the topic
    /// deadline the outreach covers (default 3).
    pub top: usize,
    /// The agenda as loaded by the command, with the date of the summit it is for.
    pub loaded: Option<crate::agenda::Agenda>,
    /// The agenda file could not be loaded: recorded by the command instead of failing,
    /// so that only the outreach and the checklist of the summit it was for fail.
    pub error: Option<crate::agenda::Unreadable>,
}

impl Default for AgendaConfig {
    fn default() -> Self {
        AgendaConfig {
            file: None,
            top: crate::agenda::DEFAULT_TOP,
            loaded: None,
            error: None,
        }
    }
}

/// `[project]`.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// `name`: the project's name, as the mails call it (default `"the project"`).
    pub name: String,
    /// `notes-url`: the shared agenda and notes document, where topics are proposed and
    /// voted on.
    pub notes_url: Option<String>,
    /// `calendar-url`: the public calendar page people subscribe to.
    pub calendar_url: Option<String>,
    /// `meeting-url`: where the summit happens (video call link). When set, the mails use
    /// it rather than the link the feed gives (see `mail::meeting_link`).
    pub meeting_url: Option<String>,
    /// `code-of-conduct-url`: the Code of Conduct mentioned at the start of the summit.
    pub code_of_conduct_url: Option<String>,
}

/// `[calendar]`.
#[derive(Clone, Debug)]
pub struct CalendarConfig {
    /// `feed`: a URL, a path (relative to the config's folder) or `-`.
    pub feed: Option<String>,
    /// `summit`: a regex on SUMMARY that selects summit occurrences.
    pub summit: Regex,
    /// `zones`: IANA zones the mails and `summit next` show times in (default `["UTC"]`).
    pub zones: Vec<Tz>,
    /// `default-tz`: the zone floating times are read in when the feed has no
    /// X-WR-TIMEZONE (default UTC).
    pub default_tz: Tz,
    /// `cache-max-age`: how old the cached copy of a URL feed may be for `tick` and
    /// `send` to use it when the server cannot be reached (default 7 days).
    pub cache_max_age: Duration,
    /// `cancel-missing-after`: an announced summit that the feed stops listing (without
    /// cancelling it) counts as cancelled once it has been missing from every fetch for
    /// this long (default 24 hours): one bad fetch is not a cancellation.
    pub cancel_missing_after: Duration,
    /// `fetch-timeout`: how long one fetch of a URL feed may take in all, from the name
    /// lookup to the last byte (default 2 minutes); past it the fetch is abandoned as
    /// failed, and the cached copy may stand in.
    pub fetch_timeout: std::time::Duration,
}

/// The default of `calendar.fetch-timeout`.
pub const DEFAULT_FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The default of `mail.smtp.timeout`.
pub const DEFAULT_SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The default of `mail.sendmail-timeout`.
pub const DEFAULT_SENDMAIL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The default of `mail.smtp.password-command-timeout`.
pub const DEFAULT_PASSWORD_COMMAND_TIMEOUT: std::time::Duration =
    std::time::Duration::from_secs(30);

/// The default of `calendar.cancel-missing-after`.
pub const DEFAULT_CANCEL_MISSING_AFTER: Duration = Duration::hours(24);

/// The default of `calendar.cache-max-age`.
pub const DEFAULT_CACHE_MAX_AGE: Duration = Duration::days(7);

/// `[mail]`.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `from`: the sender, e.g. `Summit Bot <summit@example.org>`.
    pub from: Mailbox,
    /// `public-list`: the public community list the reminder goes to.
    pub public_list: Mailbox,
    /// `team-list`: the team list for the agenda vote and the handover.
    pub team_list: Mailbox,
    /// `transport`: how mail leaves.
    pub transport: Transport,
    /// `outbox`: the folder for `transport = "file"` (relative to the config's folder).
    pub outbox: PathBuf,
    /// `sendmail`: the program for `transport = "sendmail"` (default `sendmail`, looked
    /// up in PATH); it is run as `sendmail -i -f FROM -- RECIPIENTS`.
    pub sendmail: String,
    /// `sendmail-timeout`: how long `sendmail` may take to hand one message over
    /// (default 60 seconds); past it, it is killed with its whole process group.
    pub sendmail_timeout: std::time::Duration,
    /// `templates`: a folder whose files override the built-in templates.
    pub templates: Option<PathBuf>,
    /// `[mail.smtp]`.
    pub smtp: Smtp,
}

/// `mail.transport`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// An SMTP server (`[mail.smtp]`).
    Smtp,
    /// The local `sendmail` program.
    Sendmail,
    /// `.eml` files in `mail.outbox`.
    File,
}

/// `[mail.smtp]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Smtp {
    /// `host` (default `127.0.0.1`).
    pub host: String,
    /// `port` (default 587 for starttls, 465 for tls, 25 for none).
    pub port: u16,
    /// `security`.
    pub security: Security,
    /// `username`, for AUTH; needs exactly one of `password-env` and `password-command`.
    pub username: Option<String>,
    /// `password-env`: the environment variable that holds the password.
    pub password_env: Option<String>,
    /// `password-command`: a command (run by `sh -c`) whose standard output is the
    /// password. The password itself never lives in the configuration file.
    pub password_command: Option<String>,
    /// `password-command-timeout`: how long `password-command` may run (default 30
    /// seconds); past it, it is killed with its whole process group.
    pub password_command_timeout: std::time::Duration,
    /// `timeout`: how long one SMTP conversation (connecting, TLS, AUTH, and one
    /// message) may take in all (default 60 seconds); past it, it is abandoned.
    pub timeout: std::time::Duration,
}

/// `mail.smtp.security`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: allowed only to a loopback host.
    None,
}

/// `[rotation]`.
#[derive(Clone, Debug, Default)]
pub struct Rotation {
    /// `start`: the date (UTC) of the first summit the rotation counts; earlier summits
    /// are nobody's turn. Default: the first summit in the feed.
    pub start: Option<NaiveDate>,
    /// `[[rotation.members]]`, in roster order.
    pub members: Vec<Member>,
    /// `[[rotation.assign]]`: members pinned to summit dates (a swap is two pins).
    pub pins: Vec<crate::model::Pin>,
    /// `record`: the facilitation record's path (relative to the config's folder in the
    /// file), `None` when not set.
    pub record: Option<PathBuf>,
    /// The facilitation record as loaded (empty when `record` is not set or the file
    /// does not exist yet).
    pub history: crate::record::Record,
}

// ---- raw, as written ----

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    project: RawProject,
    #[serde(default)]
    calendar: RawCalendar,
    #[serde(default)]
    timeline: RawTimeline,
    mail: Option<RawMail>,
    #[serde(default)]
    rotation: RawRotation,
    #[serde(default)]
    agenda: RawAgenda,
    #[serde(default)]
    outreach: RawOutreach,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawAgenda {
    file: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOutreach {
    top: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawProject {
    name: Option<Spanned<String>>,
    notes_url: Option<Spanned<String>>,
    calendar_url: Option<Spanned<String>>,
    meeting_url: Option<Spanned<String>>,
    code_of_conduct_url: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawCalendar {
    feed: Option<String>,
    summit: Option<Spanned<String>>,
    zones: Option<Vec<Spanned<String>>>,
    default_tz: Option<Spanned<String>>,
    cache_max_age: Option<Spanned<String>>,
    cancel_missing_after: Option<Spanned<String>>,
    fetch_timeout: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTimeline {
    assignment: Option<Spanned<String>>,
    reminder: Option<Spanned<String>>,
    agenda_vote: Option<Spanned<String>>,
    outreach: Option<Spanned<String>>,
    handover: Option<Spanned<String>>,
    topic_deadline: Option<Spanned<String>>,
    assignment_until: Option<Spanned<String>>,
    reminder_until: Option<Spanned<String>>,
    agenda_vote_until: Option<Spanned<String>>,
    outreach_until: Option<Spanned<String>>,
    checklist_until: Option<Spanned<String>>,
    handover_until: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMail {
    from: Spanned<String>,
    public_list: Spanned<String>,
    team_list: Spanned<String>,
    transport: Option<Transport>,
    outbox: Option<String>,
    sendmail: Option<String>,
    sendmail_timeout: Option<Spanned<String>>,
    templates: Option<String>,
    #[serde(default)]
    smtp: RawSmtp,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSmtp {
    host: Option<Spanned<String>>,
    port: Option<u16>,
    security: Option<Security>,
    username: Option<Spanned<String>>,
    password_env: Option<String>,
    password_command: Option<String>,
    password_command_timeout: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    /// Rejected with a message that says where the password goes instead.
    password: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRotation {
    start: Option<Spanned<String>>,
    record: Option<String>,
    #[serde(default)]
    members: Vec<Spanned<RawMember>>,
    #[serde(default)]
    assign: Vec<Spanned<RawPin>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawPin {
    date: Spanned<String>,
    email: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawMember {
    name: String,
    email: Spanned<String>,
    #[serde(default)]
    away: Vec<Spanned<String>>,
    #[serde(default)]
    greeting: Option<Spanned<String>>,
}

impl Config {
    /// The configuration used when none is given: summit regex
    /// [`DEFAULT_SUMMIT_PATTERN`], zone UTC, no mail, no roster.
    pub fn builtin() -> Self {
        Config {
            path: None,
            dir: PathBuf::from("."),
            project: Project {
                name: "the project".into(),
                ..Project::default()
            },
            calendar: CalendarConfig {
                feed: None,
                summit: Regex::new(DEFAULT_SUMMIT_PATTERN).expect("valid regex"),
                zones: vec![Tz::UTC],
                default_tz: Tz::UTC,
                cache_max_age: DEFAULT_CACHE_MAX_AGE,
                cancel_missing_after: DEFAULT_CANCEL_MISSING_AFTER,
                fetch_timeout: DEFAULT_FETCH_TIMEOUT,
            },
            timeline: Timeline::default(),
            mail: None,
            rotation: Rotation::default(),
            agenda: AgendaConfig::default(),
        }
    }

    /// Reads and validates the configuration file at `path`.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file, the line and the key or value: the file is
    /// missing or not TOML, a key is unknown or has the wrong type, the summit regex does
    /// not compile, a zone is not an IANA name, an address does not parse, a duration is
    /// malformed, the roster is empty or repeats an e-mail address, an away range is
    /// backwards.
    pub fn load(path: &Path) -> Result<Self> {
        let cap = crate::store::MAX_TEXT_BYTES;
        let text = crate::store::read_bounded_text(path, cap, crate::store::Links::Follow)
            .map_err(|e| Error::Config {
                path: path.to_path_buf(),
                message: match e {
                    crate::store::ReadError::Missing => "no such configuration file".into(),
                    crate::store::ReadError::Io(e) => format!("cannot read: {e}"),
                    e => e.message(path, cap, "a configuration file"),
                },
            })?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Self::from_toml(&text, path, &dir)
    }

    /// Parses and validates configuration text; `path` names it in errors and `dir` is
    /// where relative paths resolve.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn from_toml(text: &str, path: &Path, dir: &Path) -> Result<Self> {
        let err = |span: Option<Range<usize>>, message: String| Error::Config {
            path: path.to_path_buf(),
            message: match span {
                Some(s) => format!("line {}: {message}", line_of(text, s.start)),
                None => message,
            },
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().replace('\n', " ");
            err(e.span(), message)
        })?;
        let at = |s: &Spanned<String>, message: String| err(Some(s.span()), message);
        // A deadline, e.g. `30s` or `2m`: more than zero.
        let timeout = |v: &Option<Spanned<String>>,
                       key: &str,
                       default: std::time::Duration|
         -> Result<std::time::Duration> {
            match v {
                None => Ok(default),
                Some(s) => parse_offset(s.get_ref())
                    .and_then(|d| d.to_std().ok())
                    .filter(|d| !d.is_zero())
                    .ok_or_else(|| {
                        at(
                            s,
                            format!(
                                "{key} `{}` is not a duration of more than zero, expected e.g. `30s` or `2m`",
                                s.get_ref()
                            ),
                        )
                    }),
            }
        };

        let zone = |s: &Spanned<String>, key: &str| -> Result<Tz> {
            s.get_ref().parse::<Tz>().map_err(|_| {
                at(
                    s,
                    format!(
                        "{key} `{}` is not an IANA time zone name, expected e.g. `Europe/Berlin`",
                        s.get_ref()
                    ),
                )
            })
        };
        // A duration such as `7d` under `key` (its table included), or `default`.
        let duration = |v: &Option<Spanned<String>>,
                        key: &str,
                        default: Duration,
                        examples: &str|
         -> Result<Duration> {
            match v {
                None => Ok(default),
                Some(s) => parse_offset(s.get_ref()).ok_or_else(|| {
                    at(
                        s,
                        format!(
                            "{key} `{}` is not a duration, expected e.g. {examples}",
                            s.get_ref()
                        ),
                    )
                }),
            }
        };
        let calendar = CalendarConfig {
            feed: raw.calendar.feed,
            summit: match &raw.calendar.summit {
                None => Regex::new(DEFAULT_SUMMIT_PATTERN).expect("valid regex"),
                Some(s) => crate::text::parse_regex(s.get_ref())
                    .map_err(|message| at(s, format!("calendar.summit {message}")))?,
            },
            zones: match &raw.calendar.zones {
                None => vec![Tz::UTC],
                Some(list) if list.is_empty() => {
                    return Err(err(
                        None,
                        "calendar.zones is empty, expected at least one IANA zone".into(),
                    ));
                }
                Some(list) => list
                    .iter()
                    .map(|z| zone(z, "calendar.zones entry"))
                    .collect::<Result<_>>()?,
            },
            default_tz: match &raw.calendar.default_tz {
                None => Tz::UTC,
                Some(z) => zone(z, "calendar.default-tz")?,
            },
            cache_max_age: duration(
                &raw.calendar.cache_max_age,
                "calendar.cache-max-age",
                DEFAULT_CACHE_MAX_AGE,
                "`7d`, `36h` or `1w`",
            )?,
            cancel_missing_after: duration(
                &raw.calendar.cancel_missing_after,
                "calendar.cancel-missing-after",
                DEFAULT_CANCEL_MISSING_AFTER,
                "`24h` or `2d`",
            )?,
            fetch_timeout: timeout(
                &raw.calendar.fetch_timeout,
                "calendar.fetch-timeout",
                DEFAULT_FETCH_TIMEOUT,
            )?,
        };

        let defaults = Timeline::default();
        let offset = |v: &Option<Spanned<String>>, key: &str, default: Duration| {
            duration(
                v,
                &format!("timeline.{key}"),
                default,
                "`3d`, `36h`, `1d12h` or `90m`",
            )
        };
        let timeline = Timeline {
            assignment: match &raw.timeline.assignment {
                Some(s) if s.get_ref().trim() == "off" => None,
                v => Some(offset(v, "assignment", Duration::days(7))?),
            },
            reminder: offset(&raw.timeline.reminder, "reminder", defaults.reminder)?,
            agenda_vote: offset(
                &raw.timeline.agenda_vote,
                "agenda-vote",
                defaults.agenda_vote,
            )?,
            outreach: offset(&raw.timeline.outreach, "outreach", defaults.outreach)?,
            handover: offset(&raw.timeline.handover, "handover", defaults.handover)?,
            topic_deadline: offset(
                &raw.timeline.topic_deadline,
                "topic-deadline",
                defaults.topic_deadline,
            )?,
            ..defaults
        };
        // The reminder invites topics: a deadline at or before it is due leaves none.
        if timeline.topic_deadline >= timeline.reminder {
            let spanned = raw
                .timeline
                .topic_deadline
                .as_ref()
                .or(raw.timeline.reminder.as_ref());
            let message = format!(
                "timeline.topic-deadline `{}` is not shorter than timeline.reminder `{}`, expected a topic deadline after the reminder is due (less than {} before the start)",
                format_offset(timeline.topic_deadline),
                format_offset(timeline.reminder),
                format_offset(timeline.reminder)
            );
            return Err(match spanned {
                Some(s) => at(s, message),
                None => err(None, message),
            });
        }
        // When each step stops being useful: a named moment of the summit or a duration
        // before its start (after its end for the handover), resolved to an offset.
        let until = |v: &Option<Spanned<String>>,
                     key: &str,
                     lead: Option<Duration>,
                     default: Duration|
         -> Result<Duration> {
            let Some(s) = v else { return Ok(default) };
            let text = s.get_ref().trim();
            let named = match text {
                "start" => Some(Some(Duration::zero())),
                "topic-deadline" => Some(Some(timeline.topic_deadline)),
                "assignment" => Some(timeline.assignment),
                "reminder" => Some(Some(timeline.reminder)),
                "agenda-vote" => Some(Some(timeline.agenda_vote)),
                "outreach" | "checklist" => Some(Some(timeline.outreach)),
                _ => None,
            };
            let value = match named {
                _ if key == "handover-until" => parse_offset(text),
                Some(Some(d)) => Some(d),
                Some(None) => {
                    return Err(at(s, format!("timeline.{key} `{text}` names the assignment, which is `off`; expected `start`, `topic-deadline`, another step or a duration")));
                }
                None => parse_offset(text),
            }
            .ok_or_else(|| {
                at(
                    s,
                    format!(
                        "timeline.{key} `{text}` is not a moment of the summit, expected {}",
                        if key == "handover-until" {
                            "a duration after the summit's end, e.g. `48h`"
                        } else {
                            "`start`, `topic-deadline`, a step (`reminder`, `agenda-vote`, `outreach`) or a duration before the start, e.g. `6h`"
                        }
                    ),
                )
            })?;
            // A window that closes before it opens would never send the step.
            let empty = match lead {
                Some(lead) => value >= lead,
                None => value <= timeline.handover,
            };
            if empty {
                return Err(at(
                    s,
                    format!(
                        "timeline.{key} `{text}` closes the step's window before it is due, expected a moment after it is due ({})",
                        match lead {
                            Some(l) => format!("{} before the start", format_offset(l)),
                            None => format!("{} after the end", format_offset(timeline.handover)),
                        }
                    ),
                ));
            }
            Ok(value)
        };
        let t = &raw.timeline;
        // The defaults, where the moment they name comes after the step is due: else the
        // start.
        let before = |moment: Duration, lead: Duration| {
            if moment < lead {
                moment
            } else {
                Duration::zero()
            }
        };
        let outreach_until = until(
            &t.outreach_until,
            "outreach-until",
            Some(timeline.outreach),
            Duration::zero(),
        )?;
        let timeline = Timeline {
            assignment_until: match timeline.assignment {
                Some(lead) => until(
                    &t.assignment_until,
                    "assignment-until",
                    Some(lead),
                    Duration::zero(),
                )?,
                None => Duration::zero(),
            },
            reminder_until: until(
                &t.reminder_until,
                "reminder-until",
                Some(timeline.reminder),
                before(timeline.topic_deadline, timeline.reminder),
            )?,
            agenda_vote_until: until(
                &t.agenda_vote_until,
                "agenda-vote-until",
                Some(timeline.agenda_vote),
                before(timeline.outreach, timeline.agenda_vote),
            )?,
            outreach_until,
            checklist_until: until(
                &t.checklist_until,
                "checklist-until",
                Some(timeline.outreach),
                outreach_until,
            )?,
            handover_until: until(
                &t.handover_until,
                "handover-until",
                None,
                Duration::hours(48).max(timeline.handover + Duration::hours(1)),
            )?,
            ..timeline
        };

        let url = |v: Option<Spanned<String>>, key: &str| -> Result<Option<String>> {
            match v {
                None => Ok(None),
                Some(s) => {
                    let u = s.get_ref().trim();
                    if u.starts_with("https://") || u.starts_with("http://") {
                        Ok(Some(u.to_string()))
                    } else {
                        Err(at(
                            &s,
                            format!("project.{key} `{u}` is not a URL, expected `https://…`"),
                        ))
                    }
                }
            }
        };
        let plain = |s: &Spanned<String>, key: &str| -> Result<String> {
            match odd_char(s.get_ref()) {
                None => Ok(s.get_ref().trim().to_string()),
                Some(c) => Err(at(
                    s,
                    format!(
                        "{key} `{}` contains the control character U+{:04X}, expected plain text on one line",
                        s.get_ref().escape_debug(),
                        u32::from(c)
                    ),
                )),
            }
        };
        let project = Project {
            name: match &raw.project.name {
                None => "the project".into(),
                Some(n) => plain(n, "project.name")?,
            },
            notes_url: url(raw.project.notes_url, "notes-url")?,
            calendar_url: url(raw.project.calendar_url, "calendar-url")?,
            meeting_url: url(raw.project.meeting_url, "meeting-url")?,
            code_of_conduct_url: url(raw.project.code_of_conduct_url, "code-of-conduct-url")?,
        };

        let mailbox = |s: &Spanned<String>, key: &str| -> Result<Mailbox> {
            let m = s.get_ref().trim().parse::<Mailbox>().map_err(|e| {
                at(
                    s,
                    format!(
                        "{key} `{}` is not an e-mail address ({e}), expected `Name <user@example.org>` or `user@example.org`",
                        s.get_ref().escape_debug()
                    ),
                )
            })?;
            if let Some(why) = unsendable(&m.email) {
                return Err(at(
                    s,
                    format!(
                        "{key} `{}` has {why}, which mail cannot be sent to, expected a plain address like `user@example.org`",
                        s.get_ref().escape_debug()
                    ),
                ));
            }
            if let Some(c) = m.name.as_deref().and_then(odd_char) {
                return Err(at(
                    s,
                    format!(
                        "{key} `{}` has a name with the control character U+{:04X}, expected plain text on one line",
                        s.get_ref().escape_debug(),
                        u32::from(c)
                    ),
                ));
            }
            Ok(m)
        };
        let mail = match raw.mail {
            None => None,
            Some(m) => {
                if let Some(p) = &m.smtp.password {
                    return Err(err(
                        Some(p.span()),
                        "mail.smtp.password is not supported: the password never lives in the configuration file, expected `password-env = \"VARIABLE\"` or `password-command = \"command that prints it\"`".into(),
                    ));
                }
                let username = match &m.smtp.username {
                    None => None,
                    Some(u) => Some(plain(u, "mail.smtp.username")?),
                };
                match (&username, &m.smtp.password_env, &m.smtp.password_command) {
                    (Some(_), Some(_), Some(_)) => {
                        return Err(err(
                            m.smtp.username.as_ref().map(Spanned::span),
                            "mail.smtp has both password-env and password-command, expected one of them".into(),
                        ));
                    }
                    (Some(_), None, None) => {
                        return Err(err(
                            m.smtp.username.as_ref().map(Spanned::span),
                            "mail.smtp.username is set without a password source, expected `password-env` or `password-command`".into(),
                        ));
                    }
                    (None, Some(_), _) | (None, _, Some(_)) => {
                        return Err(err(
                            None,
                            "mail.smtp.password-env or password-command is set without mail.smtp.username, expected the username to authenticate as".into(),
                        ));
                    }
                    _ => {}
                }
                let transport = m.transport.unwrap_or(Transport::Smtp);
                let security = m.smtp.security.unwrap_or(Security::Starttls);
                let host = m
                    .smtp
                    .host
                    .as_ref()
                    .map_or_else(|| "127.0.0.1".to_string(), |h| h.get_ref().clone());
                if security == Security::None && !is_loopback(&host) {
                    let message = format!(
                        "mail.smtp.security `none` with host `{host}`: unencrypted SMTP is allowed only to a loopback host, expected `starttls` or `tls`"
                    );
                    return Err(match &m.smtp.host {
                        Some(h) => at(h, message),
                        None => err(None, message),
                    });
                }
                Some(MailConfig {
                    from: mailbox(&m.from, "mail.from")?,
                    public_list: mailbox(&m.public_list, "mail.public-list")?,
                    team_list: mailbox(&m.team_list, "mail.team-list")?,
                    transport,
                    outbox: dir.join(m.outbox.as_deref().unwrap_or("outbox")),
                    sendmail: m.sendmail.unwrap_or_else(|| "sendmail".into()),
                    sendmail_timeout: timeout(
                        &m.sendmail_timeout,
                        "mail.sendmail-timeout",
                        DEFAULT_SENDMAIL_TIMEOUT,
                    )?,
                    templates: m.templates.map(|t| dir.join(t)),
                    smtp: Smtp {
                        port: m.smtp.port.unwrap_or(match security {
                            Security::Starttls => 587,
                            Security::Tls => 465,
                            Security::None => 25,
                        }),
                        host,
                        security,
                        username,
                        password_env: m.smtp.password_env,
                        password_command: m.smtp.password_command,
                        password_command_timeout: timeout(
                            &m.smtp.password_command_timeout,
                            "mail.smtp.password-command-timeout",
                            DEFAULT_PASSWORD_COMMAND_TIMEOUT,
                        )?,
                        timeout: timeout(
                            &m.smtp.timeout,
                            "mail.smtp.timeout",
                            DEFAULT_SMTP_TIMEOUT,
                        )?,
                    },
                })
            }
        };

        let start = match &raw.rotation.start {
            None => None,
            Some(s) => Some(
                NaiveDate::parse_from_str(s.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
                    at(
                        s,
                        format!(
                            "rotation.start `{}` is not a date, expected `YYYY-MM-DD`",
                            s.get_ref()
                        ),
                    )
                })?,
            ),
        };
        let mut members = Vec::new();
        let mut seen = HashSet::new();
        for entry in raw.rotation.members {
            let span = entry.span();
            let m = entry.into_inner();
            if m.name.trim().is_empty() {
                return Err(err(
                    Some(span),
                    "rotation.members entry has an empty name".into(),
                ));
            }
            if let Some(c) = odd_char(&m.name) {
                return Err(err(
                    Some(span),
                    format!(
                        "rotation.members name `{}` contains the control character U+{:04X}, expected plain text on one line",
                        m.name.escape_debug(),
                        u32::from(c)
                    ),
                ));
            }
            let email: Address = m.email.get_ref().trim().parse().map_err(|e| {
                at(
                    &m.email,
                    format!(
                        "rotation.members email `{}` is not an e-mail address ({e}), expected `user@example.org`",
                        m.email.get_ref()
                    ),
                )
            })?;
            if let Some(why) = unsendable(&email) {
                return Err(at(
                    &m.email,
                    format!(
                        "rotation.members email `{}` of `{}` has {why}, which mail cannot be sent to, expected a plain address like `user@example.org`",
                        m.email.get_ref().escape_debug(),
                        m.name.escape_debug()
                    ),
                ));
            }
            if !seen.insert(crate::model::Email::from(&email)) {
                return Err(at(
                    &m.email,
                    format!(
                        "rotation.members email `{email}` appears twice, expected each member once"
                    ),
                ));
            }
            let away = m
                .away
                .iter()
                .map(|s| {
                    parse_date_range(s.get_ref()).ok_or_else(|| {
                        at(
                            s,
                            format!(
                                "away `{}` of `{}` is not a date range, expected `YYYY-MM-DD..YYYY-MM-DD` (inclusive, start not after end) or `YYYY-MM-DD`",
                                s.get_ref(),
                                m.name
                            ),
                        )
                    })
                })
                .collect::<Result<_>>()?;
            let greeting = match &m.greeting {
                Some(g) if g.get_ref().trim().is_empty() || g.get_ref().contains('@') => {
                    return Err(at(
                        g,
                        format!(
                            "greeting `{}` of `{}` is not a name, expected e.g. `Ada`",
                            g.get_ref(),
                            m.name
                        ),
                    ));
                }
                Some(g) => Some(crate::text::one_line(g.get_ref())),
                None => None,
            };
            members.push(Member {
                name: m.name.trim().to_string(),
                email,
                away,
                greeting,
            });
        }

        let mut pins: Vec<crate::model::Pin> = Vec::new();
        for entry in &raw.rotation.assign {
            let span = entry.span();
            let p = entry.get_ref();
            let date =
                NaiveDate::parse_from_str(p.date.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
                    at(
                        &p.date,
                        format!(
                            "rotation.assign date `{}` is not a date, expected `YYYY-MM-DD`",
                            p.date.get_ref()
                        ),
                    )
                })?;
            let email = p.email.get_ref().trim();
            let Some(member) = members
                .iter()
                .position(|m| crate::model::Email::from(email) == m.email)
            else {
                return Err(at(
                    &p.email,
                    format!(
                        "rotation.assign email `{email}` is not in the roster, expected the email of one of the [[rotation.members]]"
                    ),
                ));
            };
            let m: &Member = &members[member];
            if let Some((a, b)) = m.away.iter().find(|(a, b)| *a <= date && date <= *b) {
                return Err(at(
                    &p.date,
                    format!(
                        "rotation.assign pins `{email}` to {date}, but they are away then ({a}..{b}), expected a date they are available"
                    ),
                ));
            }
            if let Some(other) = pins.iter().find(|q| q.date == date) {
                return Err(err(
                    Some(span),
                    format!(
                        "rotation.assign pins both `{}` and `{email}` to {date}, expected one member per summit date",
                        members[other.member].email
                    ),
                ));
            }
            pins.push(crate::model::Pin { date, member });
        }
        let record = raw.rotation.record.as_deref().map(|r| dir.join(r));
        let history = match &record {
            Some(r) => crate::record::Record::load(r)?,
            None => crate::record::Record::default(),
        };
        let top = match &raw.outreach.top {
            None => crate::agenda::DEFAULT_TOP,
            Some(n) => usize::try_from(*n.get_ref())
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    err(
                        Some(n.span()),
                        format!(
                            "outreach.top `{}` is not a count, expected a whole number from 1",
                            n.get_ref()
                        ),
                    )
                })?,
        };
        let agenda = AgendaConfig {
            file: raw.agenda.file.map(|f| dir.join(f)),
            top,
            loaded: None,
            error: None,
        };

        Ok(Config {
            path: Some(path.to_path_buf()),
            dir: dir.to_path_buf(),
            project,
            calendar,
            timeline,
            mail,
            rotation: Rotation {
                start,
                members,
                pins,
                record,
                history,
            },
            agenda,
        })
    }

    /// The `[mail]` table, or an error saying it is needed.
    ///
    /// # Errors
    /// [`Error::Config`] when the configuration has no `[mail]` table.
    pub fn mail(&self) -> Result<&MailConfig> {
        self.mail.as_ref().ok_or_else(|| Error::Config {
            path: self.path.clone().unwrap_or_else(|| PathBuf::from("(no configuration)")),
            message: "no [mail] table: mail.from, mail.public-list and mail.team-list are needed to draft or send mail".into(),
        })
    }

    /// The roster, or an error saying it is needed.
    ///
    /// # Errors
    /// [`Error::Config`] when `[[rotation.members]]` is empty.
    pub fn members(&self) -> Result<&[Member]> {
        if self.rotation.members.is_empty() {
            return Err(Error::Config {
                path: self
                    .path
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("(no configuration)")),
                message:
                    "the roster is empty: add at least one [[rotation.members]] with name and email"
                        .into(),
            });
        }
        Ok(&self.rotation.members)
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Parses `YYYY-MM-DD..YYYY-MM-DD` (inclusive) or a single `YYYY-MM-DD`.
fn parse_date_range(value: &str) -> Option<(NaiveDate, NaiveDate)> {
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (a, b) = match value.split_once("..") {
        Some((a, b)) => (date(a)?, date(b)?),
        None => {
            let d = date(value)?;
            (d, d)
        }
    };
    (a <= b).then_some((a, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config> {
        Config::from_toml(text, Path::new("summit.toml"), Path::new("/cfg"))
    }

    const MINIMAL: &str = r#"
[[rotation.members]]
name = "Ada"
email = "ada@example.org"
"#;

    #[test]
    fn agenda_outreach_and_assignment() {
        let c = load(MINIMAL).unwrap();
        assert_eq!(c.agenda.file, None);
        assert_eq!(c.agenda.top, 3);
        assert_eq!(c.timeline.assignment, Some(Duration::days(7)));
        let c = load(&format!(
            "[agenda]\nfile = \"agenda.csv\"\n[outreach]\ntop = 5\n[timeline]\nassignment = \"off\"\n{MINIMAL}"
        ))
        .unwrap();
        assert_eq!(c.agenda.file, Some(PathBuf::from("/cfg/agenda.csv")));
        assert_eq!(c.agenda.top, 5);
        assert_eq!(c.timeline.assignment, None);
        for (text, want) in [
            (
                "[outreach]\ntop = 0\n",
                "line 2: outreach.top `0` is not a count",
            ),
            (
                "[outreach]\ntop = -2\n",
                "line 2: outreach.top `-2` is not a count",
            ),
            (
                "[timeline]\nassignment = \"a week\"\n",
                "line 2: timeline.assignment `a week`",
            ),
            (
                "[agenda]\npath = \"x.csv\"\n",
                "line 2: unknown field `path`",
            ),
        ] {
            let e = load(&format!("{text}{MINIMAL}")).unwrap_err().to_string();
            assert!(e.contains(want), "{e}");
        }
    }

    #[test]
    fn a_member_may_have_a_greeting() {
        let c = load(MINIMAL).unwrap();
        assert_eq!(c.rotation.members[0].greeting, None);
        let c = load(&format!("{MINIMAL}greeting = \"Ada\"\n")).unwrap();
        assert_eq!(c.rotation.members[0].greeting.as_deref(), Some("Ada"));
        for (greeting, want) in [
            (
                "ada@example.org",
                "line 5: greeting `ada@example.org` of `Ada` is not a name",
            ),
            ("  ", "line 5: greeting `  ` of `Ada` is not a name"),
        ] {
            let e = load(&format!("{MINIMAL}greeting = \"{greeting}\"\n"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{e}");
        }
        let e = load(&format!("{MINIMAL}greting = \"Ada\"\n"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 5") && e.contains("unknown field `greting`"),
            "{e}"
        );
    }

    #[test]
    fn defaults_apply() {
        let c = load(MINIMAL).unwrap();
        assert_eq!(c.timeline, Timeline::default());
        assert_eq!(c.calendar.zones, vec![Tz::UTC]);
        assert!(c.calendar.summit.is_match("Prometheus Developer Summit"));
        assert!(c.mail.is_none());
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let e = load("[calendar]\nfeed = \"x.ics\"\nsumit = \"x\"\n").unwrap_err();
        let s = e.to_string();
        assert!(s.contains("line 3") && s.contains("`sumit`"), "{s}");
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn bad_values_are_named() {
        for (text, needle) in [
            (
                "[calendar]\nsummit = \"(unclosed\"\n",
                "calendar.summit `(unclosed`",
            ),
            (
                "[calendar]\nzones = [\"UTC\", \"Mars/Olympus\"]\n",
                "`Mars/Olympus`",
            ),
            ("[calendar]\ndefault-tz = \"CEST\"\n", "`CEST`"),
            (
                "[timeline]\nreminder = \"three days\"\n",
                "timeline.reminder",
            ),
            (
                "[mail]\nfrom = \"not an address\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n",
                "mail.from `not an address`",
            ),
            (
                "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n[mail.smtp]\nhost = \"smtp.example.org\"\nsecurity = \"none\"\n",
                "loopback",
            ),
            (
                "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\n[[rotation.members]]\nname = \"B\"\nemail = \"A@x.org\"\n",
                "appears twice",
            ),
            (
                "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\naway = [\"2026-02-01..2026-01-01\"]\n",
                "not a date range",
            ),
            (
                "[[rotation.members]]\nname = \"A\\r\\nBcc: evil@x.org\"\nemail = \"a@x.org\"\n",
                "control character U+000D",
            ),
            (
                "[[rotation.members]]\nname = \"A\"\nemail = '\"a b\"@x.org'\n",
                "rotation.members email `\\\"a b\\\"@x.org` of `A` has a quoted local part, which mail cannot be sent to",
            ),
            (
                "[[rotation.members]]\nname = \"A\"\nemail = \"a@[192.0.2.1]\"\n",
                "rotation.members email `a@[192.0.2.1]` of `A` has a domain literal, which mail cannot be sent to",
            ),
            (
                "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\n[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"b@x.org\"\n",
                "rotation.assign email `b@x.org` is not in the roster",
            ),
            (
                "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\n[[rotation.assign]]\ndate = \"17 Dec\"\nemail = \"a@x.org\"\n",
                "rotation.assign date `17 Dec` is not a date",
            ),
            (
                "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\naway = [\"2026-12-10..2027-01-06\"]\n[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"A@x.org\"\n",
                "they are away then (2026-12-10..2027-01-06)",
            ),
            (
                "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\n[[rotation.members]]\nname = \"B\"\nemail = \"b@x.org\"\n[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"a@x.org\"\n[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"b@x.org\"\n",
                "pins both `a@x.org` and `b@x.org` to 2026-12-17",
            ),
            ("[project]\nname = \"P\\u202Emoc.live\"\n", "U+202E"),
            (
                "[calendar]\ncache-max-age = \"a week\"\n",
                "calendar.cache-max-age",
            ),
            (
                "[mail]\nfrom = \"Bot\\u202E <a@b.org>\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n",
                "has a name with the control character U+202E",
            ),
            (
                "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n[mail.smtp]\nusername = \"bot\"\npassword = \"hunter2\"\n",
                "password never lives in the configuration file",
            ),
            (
                "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n[mail.smtp]\nusername = \"bot\"\n",
                "without a password source",
            ),
            (
                "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n[mail.smtp]\nusername = \"bot\"\npassword-env = \"P\"\npassword-command = \"pass show smtp\"\n",
                "both password-env and password-command",
            ),
        ] {
            let e = load(text).unwrap_err().to_string();
            assert!(e.contains(needle), "{e} should contain {needle}");
            assert!(e.contains("line "), "{e} should name a line");
        }
    }

    #[test]
    fn pins_and_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{MINIMAL}[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"ADA@example.org\"\n[rotation]\nrecord = \"facilitators.toml\"\n"
        );
        let path = dir.path().join("summit.toml");
        let c = Config::from_toml(&text, &path, dir.path()).unwrap();
        assert_eq!(c.rotation.pins.len(), 1);
        assert_eq!(c.rotation.pins[0].member, 0);
        assert_eq!(
            c.rotation.record,
            Some(dir.path().join("facilitators.toml"))
        );
        assert!(
            c.rotation.history.entries.is_empty(),
            "a missing record is empty"
        );
        std::fs::write(
            dir.path().join("facilitators.toml"),
            "[[summit]]\ndate = \"2026-11-26\"\nfacilitator = \"nope\"\n",
        )
        .unwrap();
        let e = Config::from_toml(&text, &path, dir.path()).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string().contains("facilitators.toml") && e.to_string().contains("`nope`"),
            "{e}"
        );
    }

    #[test]
    fn offsets() {
        assert_eq!(parse_offset("3d"), Some(Duration::days(3)));
        assert_eq!(parse_offset("1d12h"), Some(Duration::hours(36)));
        assert_eq!(parse_offset("90m"), Some(Duration::minutes(90)));
        assert_eq!(parse_offset("0"), Some(Duration::zero()));
        assert_eq!(parse_offset("3"), None);
        assert_eq!(parse_offset("3x"), None);
        assert_eq!(parse_offset(""), None);
        for text in ["7d", "1d12h", "1h30m", "45m", "0"] {
            assert_eq!(format_offset(parse_offset(text).unwrap()), text);
        }
        assert_eq!(format_offset(Duration::weeks(1)), "7d");
    }

    #[test]
    fn deadlines_are_durations_of_more_than_zero() {
        assert_eq!(parse_offset("30s"), Some(Duration::seconds(30)));
        assert_eq!(parse_offset("1m30s"), Some(Duration::seconds(90)));
        let mail =
            "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n";
        let c = load(&format!("{MINIMAL}{mail}")).unwrap();
        let smtp = &c.mail.as_ref().unwrap().smtp;
        assert_eq!(smtp.timeout, DEFAULT_SMTP_TIMEOUT);
        assert_eq!(
            smtp.password_command_timeout,
            DEFAULT_PASSWORD_COMMAND_TIMEOUT
        );
        assert_eq!(c.calendar.fetch_timeout, DEFAULT_FETCH_TIMEOUT);
        assert_eq!(
            c.mail.as_ref().unwrap().sendmail_timeout,
            DEFAULT_SENDMAIL_TIMEOUT
        );
        let c = load(&format!(
            "[calendar]\nfetch-timeout = \"5s\"\n{MINIMAL}{mail}[mail.smtp]\ntimeout = \"2m\"\npassword-command-timeout = \"2s\"\n"
        ))
        .unwrap();
        let smtp = &c.mail.as_ref().unwrap().smtp;
        assert_eq!(smtp.timeout, std::time::Duration::from_secs(120));
        assert_eq!(
            smtp.password_command_timeout,
            std::time::Duration::from_secs(2)
        );
        assert_eq!(c.calendar.fetch_timeout, std::time::Duration::from_secs(5));
        for (text, key) in [
            (
                "[calendar]\nfetch-timeout = \"0\"\n",
                "calendar.fetch-timeout `0`",
            ),
            (
                "[mail.smtp]\ntimeout = \"soon\"\n",
                "mail.smtp.timeout `soon` is not a duration",
            ),
            (
                "[mail.smtp]\npassword-command-timeout = \"-1s\"\n",
                "mail.smtp.password-command-timeout `-1s`",
            ),
        ] {
            let text = if text.starts_with("[mail") {
                format!("{MINIMAL}{mail}{text}")
            } else {
                format!("{text}{MINIMAL}")
            };
            let e = load(&text).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(
                e.to_string().contains(key) && e.to_string().contains("line "),
                "{e}"
            );
        }
    }

    /// Each step's useful-until: a moment of the summit or a duration, resolved to an
    /// offset; a window that would close before it opens is an error naming the key.
    #[test]
    fn until_keys() {
        let d = Timeline::default();
        assert_eq!(
            (d.assignment_until, d.reminder_until, d.agenda_vote_until),
            (Duration::zero(), Duration::hours(24), Duration::days(1))
        );
        assert_eq!(
            (d.outreach_until, d.checklist_until, d.handover_until),
            (Duration::zero(), Duration::zero(), Duration::hours(48))
        );
        let c = load(&format!(
            "[timeline]\nreminder-until = \"agenda-vote\"\nagenda-vote-until = \"6h\"\noutreach-until = \"2h\"\nhandover-until = \"3d\"\n{MINIMAL}"
        ))
        .unwrap();
        let t = &c.timeline;
        assert_eq!(t.reminder_until, Duration::days(2));
        assert_eq!(t.agenda_vote_until, Duration::hours(6));
        assert_eq!(t.outreach_until, Duration::hours(2));
        assert_eq!(t.checklist_until, Duration::hours(2), "with the outreach");
        assert_eq!(t.handover_until, Duration::days(3));
        // A reminder due after the topic deadline is an error (below); a shorter deadline
        // closes the reminder's window.
        let c = load(&format!(
            "[timeline]\nreminder = \"12h\"\ntopic-deadline = \"6h\"\n{MINIMAL}"
        ))
        .unwrap();
        assert_eq!(c.timeline.reminder_until, Duration::hours(6));
        for (text, want) in [
            (
                "reminder-until = \"reminder\"",
                "line 2: timeline.reminder-until `reminder` closes the step's window before it is due, expected a moment after it is due (3d before the start)",
            ),
            (
                "handover-until = \"1h\"",
                "timeline.handover-until `1h` closes the step's window before it is due, expected a moment after it is due (2h after the end)",
            ),
            (
                "outreach-until = \"soon\"",
                "timeline.outreach-until `soon` is not a moment of the summit, expected `start`, `topic-deadline`",
            ),
            (
                "assignment = \"off\"\nreminder-until = \"assignment\"",
                "timeline.reminder-until `assignment` names the assignment, which is `off`",
            ),
            (
                "topic-deadline = \"3d\"",
                "line 2: timeline.topic-deadline `3d` is not shorter than timeline.reminder `3d`, expected a topic deadline after the reminder is due (less than 3d before the start)",
            ),
            (
                "reminder = \"12h\"",
                "line 2: timeline.topic-deadline `1d` is not shorter than timeline.reminder `12h`",
            ),
            (
                "reminder = \"2d\"\ntopic-deadline = \"4d\"",
                "line 3: timeline.topic-deadline `4d` is not shorter than timeline.reminder `2d`",
            ),
        ] {
            let err = load(&format!("[timeline]\n{text}\n{MINIMAL}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{text}: {err}");
        }
    }

    #[test]
    fn away_ranges() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            parse_date_range("2026-12-20..2027-01-06"),
            Some((d("2026-12-20"), d("2027-01-06")))
        );
        assert_eq!(
            parse_date_range("2026-12-24"),
            Some((d("2026-12-24"), d("2026-12-24")))
        );
    }
}
