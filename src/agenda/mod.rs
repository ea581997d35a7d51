//! The summit's agenda: the proposed topics with their owners and votes, read from a
//! TOML or CSV file (`--agenda FILE` or `agenda.file`), and the ranking that decides
//! whose topics the facilitator reaches out to the day before.
//!
//! TOML: an optional `summit = "YYYY-MM-DD"` (the UTC date of the summit the agenda is
//! for) and one `[[topic]]` table per topic with `title`, `owner`, `email` (optional),
//! `votes` and `proposed-at`. CSV: a header row naming the columns `title`, `owner`,
//! `email` (optional), `votes`, `proposed-at` (any order, quoted fields allowed), then
//! one row per topic.
//!
//! - `votes`: a whole number (`4`), or a run of `+1` as people add them to a shared
//!   document (`+1 +1 +1` or `+1+1`: counted); an empty cell is no votes.
//! - `proposed-at`: an RFC 3339 instant (`2026-11-20T09:30:00Z`), or a date
//!   (`2026-11-20`), which counts as the start of that day in the first zone of
//!   `calendar.zones`: the date is resolved when the file is loaded, with the zone the
//!   loader passes (the zone does not depend on the summit, so nothing is lost by
//!   resolving early, and every topic has one instant for ranking and templates).
//! - `email`: the owner's address. A topic without one (the column absent, the cell
//!   empty, or an address that does not parse, which is also a warning) is kept: its
//!   owner gets no outreach, and the facilitator's checklist lists it to reach by hand.
//!
//! Titles and owner names come from whoever proposed a topic, so they are untrusted:
//! an owner name with a control character or an invisible bidirectional override is an
//! error (it would go into a `To:` header), and titles are put on one line
//! ([`crate::text::one_line`]) before they reach a template.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use lettre::Address;
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Email;
use crate::text::one_line;

pub mod github;
pub mod harvest;
pub mod imap;
pub mod local;
pub mod mailbox;
pub mod source;

pub use harvest::{Harvest, Letter, People, Reply};

/// One proposed topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    /// The title, on one line.
    pub title: String,
    /// The owner's name, plain text on one line.
    pub owner: String,
    /// The owner's e-mail address; `None` when the agenda gives no usable one (the
    /// facilitator reaches the owner by hand).
    pub email: Option<Address>,
    /// The number of votes.
    pub votes: u32,
    /// When it was proposed (UTC; a date in the file is the start of that day in the
    /// zone given to [`Agenda::load`]; a mail's arrival time; an issue's creation).
    pub proposed_at: DateTime<Utc>,
    /// Who voted, when the source names them (a mailbox: addresses; GitHub: `@login`),
    /// in the order the votes came; empty for a file, which gives only a count.
    pub voters: Vec<String>,
    /// Where the topic was proposed, when the source says: the proposal's Message-ID
    /// (`<…>`), the or discussion's URL.
    pub origin: Option<String>,
    /// Whether the owner answered the outreach ([`confirm`]): `Some(true)` when a reply
    /// from their address names its Message-ID, `Some(false)` when none does yet;
    /// `None` when the source cannot tell (not a mailbox) or there is no address.
    pub confirmed: Option<bool>,
}

impl Topic {
    /// The owner as a mailbox, `Owner <email>`; `None` without an address.
    pub fn mailbox(&self) -> Option<Mailbox> {
        self.email
            .as_ref()
            .map(|e| Mailbox::new(Some(self.owner.clone()), e.clone()))
    }

    /// The address, for comparisons (without regard to case); `None`, first in order,
    /// without one.
    fn email_key(&self) -> Option<Email> {
        self.email.as_ref().map(Email::from)
    }
}

/// A topic in templates and JSON.
#[derive(Clone, Debug, Serialize)]
pub struct TopicView {
    /// The title.
    pub title: String,
    /// The owner's name.
    pub owner: String,
    /// The owner's address; none (null) when the agenda gives none.
    pub email: Option<String>,
    /// The votes.
    pub votes: u32,
    /// When it was proposed, RFC 3339 UTC.
    pub proposed_at: String,
    /// Who voted, when the source names them (addresses, `@login`s).
    pub voters: Vec<String>,
    /// Where it was proposed: a Message-ID, an issue's URL; none (null) for a file.
    pub origin: Option<String>,
    /// Whether the owner answered the outreach: true, false (no answer yet), or none
    /// (null) when the source cannot tell.
    pub confirmed: Option<bool>,
}

impl From<&Topic> for TopicView {
    fn from(t: &Topic) -> Self {
        TopicView {
            title: t.title.clone(),
            owner: t.owner.clone(),
            email: t.email.as_ref().map(ToString::to_string),
            votes: t.votes,
            proposed_at: crate::model::When::Timed(t.proposed_at).to_string(),
            voters: t.voters.clone(),
            origin: t.origin.clone(),
            confirmed: t.confirmed,
        }
    }
}

/// An agenda file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agenda {
    /// The file it was read from, or the source's name ([`source::name`]: a URL,
    /// `imaps://HOST/MAILBOX`, `github:OWNER/NAME`).
    pub path: PathBuf,
    /// The UTC date of the summit it is for: from the file (TOML `summit`), else the
    /// next summit at now (set by the command that loads it).
    pub summit: Option<NaiveDate>,
    /// The topics, in file order.
    pub topics: Vec<Topic>,
    /// What was accepted but is worth a look, one message each naming the file and
    /// line: an owner address that does not parse (the topic is kept without one).
    pub warnings: Vec<String>,
    /// The replies a mailbox source holds, for the owners' confirmations of the
    /// outreach; `None` for a source that has no replies to read (a file, a URL,
    /// GitHub).
    pub replies: Option<Vec<Reply>>,
}

/// An agenda file that could not be loaded (missing, unreadable, malformed), recorded
/// instead of stopping the command: only the steps that need the agenda (the outreach
/// and the checklist) of the summit it was to be for fail, naming the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unreadable {
    /// The agenda file.
    pub path: PathBuf,
    /// What is wrong, with the line or row when known (without the path).
    pub message: String,
    /// The UTC date of the summit it was to be for: the summit the command ties an
    /// agenda without a `summit` date to; `None` when there is no such summit.
    pub summit: Option<NaiveDate>,
}

impl Unreadable {
    /// The error of `step`, which needs the agenda (the caller names the summit).
    pub fn error(&self, step: &str) -> Error {
        Error::Agenda {
            path: self.path.clone(),
            message: format!(
                "{}; the {step} needs it, so it cannot be drafted until the agenda can be read",
                self.message
            ),
        }
    }

    /// One line for `warning:`: what is wrong and what it stops.
    pub fn warning(&self) -> String {
        format!(
            "{}: {}; the outreach and the checklist need it and fail until it is fixed (the other steps go out as usual)",
            self.path.display(),
            self.message
        )
    }
}

/// The ranking of an agenda at a deadline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ranked {
    /// The top topics proposed before the deadline, in vote order.
    pub chosen: Vec<Topic>,
    /// The topics proposed at or after the deadline, in vote order.
    pub late: Vec<Topic>,
    /// The other topics proposed before the deadline, in vote order.
    pub rest: Vec<Topic>,
}

impl Ranked {
    /// The owners of the chosen topics that have an address, once each (by address,
    /// case-insensitive), in the order of their best topic, each with their chosen
    /// topics. The chosen topics without an address are [`Ranked::unreachable`].
    pub fn owners(&self) -> Vec<(Mailbox, Vec<&Topic>)> {
        let mut out: Vec<(Mailbox, Vec<&Topic>)> = Vec::new();
        for t in &self.chosen {
            let Some(mailbox) = t.mailbox() else {
                continue;
            };
            let key = Email::from(&mailbox.email);
            match out.iter_mut().find(|(m, _)| key == m.email) {
                Some((_, ts)) => ts.push(t),
                None => out.push((mailbox, vec![t])),
            }
        }
        out
    }

    /// The chosen topics whose owner has no address, in vote order: the facilitator
    /// reaches them by hand (the checklist lists them).
    pub fn unreachable(&self) -> Vec<&Topic> {
        self.chosen.iter().filter(|t| t.email.is_none()).collect()
    }
}

/// Marks each of `topics` that has an address as confirmed or not: confirmed when one
/// of `replies` comes from the owner's address (any case) and names, in In-Reply-To or
/// References, the Message-ID `outreach` gives for that owner (the outreach to them;
/// RFC 5322 §3.6.4). A topic without an address, or whose owner `outreach` gives no ID
/// for, is left unknown (`None`).
pub fn confirm(
    topics: &mut [Topic],
    replies: &[Reply],
    outreach: impl Fn(&Mailbox) -> Option<String>,
) {
    for t in topics {
        let (Some(mailbox), Some(email)) = (t.mailbox(), t.email_key()) else {
            continue;
        };
        let Some(id) = outreach(&mailbox) else {
            continue;
        };
        let id = id.trim_matches(['<', '>']);
        t.confirmed = Some(
            replies
                .iter()
                .any(|r| r.from == email && r.answers.iter().any(|a| a == id)),
        );
    }
}

/// Vote order: more votes first; on equal votes the earlier proposal; then the title,
/// the address and the owner, so the order is total and independent of file order.
pub fn vote_order(a: &Topic, b: &Topic) -> Ordering {
    b.votes
        .cmp(&a.votes)
        .then(a.proposed_at.cmp(&b.proposed_at))
        .then_with(|| a.title.cmp(&b.title))
        .then_with(|| a.email_key().cmp(&b.email_key()))
        .then_with(|| a.owner.cmp(&b.owner))
}

/// Ranks `topics`: those proposed before `deadline` in vote order, the first `top` of
/// them chosen; those proposed at or after it are late.
pub fn rank(topics: &[Topic], deadline: DateTime<Utc>, top: usize) -> Ranked {
    let mut sorted: Vec<Topic> = topics.to_vec();
    sorted.sort_by(vote_order);
    let (on_time, late): (Vec<Topic>, Vec<Topic>) =
        sorted.into_iter().partition(|t| t.proposed_at < deadline);
    let mut chosen = on_time;
    let rest = chosen.split_off(top.min(chosen.len()));
    Ranked { chosen, late, rest }
}

impl Agenda {
    /// Reads and validates the agenda at `path`: TOML for a `.toml` file, CSV for a
    /// `.csv` file. A `proposed-at` date counts from the start of that day in `zone`
    /// (the first of `calendar.zones`).
    ///
    /// # Errors
    /// [`Error::Agenda`] naming the file, the line (TOML) or row (CSV) and the value: the
    /// file is missing or of another kind, a field is missing, votes are neither a whole
    /// number nor a run of `+1`, proposed-at is neither RFC 3339 nor a date, an owner
    /// name has a control character.
    pub fn load(path: &Path, zone: Tz) -> Result<Agenda> {
        let cap = crate::store::MAX_TEXT_BYTES;
        let text = crate::store::read_bounded_text(path, cap, crate::store::Links::Follow)
            .map_err(|e| Error::Agenda {
                path: path.to_path_buf(),
                message: match e {
                    crate::store::ReadError::Missing => "no such agenda file".into(),
                    crate::store::ReadError::Io(e) => format!("cannot read the agenda: {e}"),
                    e => e.message(path, cap, "an agenda file"),
                },
            })?;
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("toml") => Self::from_toml(&text, path, zone),
            Some("csv") => Self::from_csv(&text, path, zone),
            _ => Err(Error::Agenda {
                path: path.to_path_buf(),
                message: format!(
                    "`{}` is not an agenda file name, expected a `.toml` or `.csv` file",
                    path.display()
                ),
            }),
        }
    }

    /// Parses a TOML agenda; `path` names it in errors, `zone` resolves dates.
    ///
    /// # Errors
    /// As [`Agenda::load`].
    pub fn from_toml(text: &str, path: &Path, zone: Tz) -> Result<Agenda> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            summit: Option<toml::Spanned<String>>,
            #[serde(default)]
            topic: Vec<toml::Spanned<RawTopic>>,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "kebab-case")]
        struct RawTopic {
            title: toml::Spanned<String>,
            owner: toml::Spanned<String>,
            email: Option<toml::Spanned<String>>,
            votes: toml::Spanned<toml::Value>,
            proposed_at: toml::Spanned<toml::Value>,
        }
        let line = |offset: usize| line_of(text, offset);
        let err = |offset: Option<usize>, message: String| Error::Agenda {
            path: path.to_path_buf(),
            message: match offset {
                Some(o) => format!("line {}: {message}", line(o)),
                None => message,
            },
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            err(
                e.span().map(|s| s.start),
                e.message().trim().replace('\n', " "),
            )
        })?;
        let summit = match &raw.summit {
            None => None,
            Some(s) => Some(
                NaiveDate::parse_from_str(s.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
                    err(
                        Some(s.span().start),
                        format!(
                            "summit `{}` is not a date, expected `YYYY-MM-DD`",
                            s.get_ref()
                        ),
                    )
                })?,
            ),
        };
        let mut topics = Vec::new();
        let mut warnings = Vec::new();
        for t in raw.topic {
            let at = t.span().start;
            let t = t.into_inner();
            let votes = match t.votes.get_ref() {
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let proposed = match t.proposed_at.get_ref() {
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let fields = Fields {
                title: t.title.get_ref(),
                owner: t.owner.get_ref(),
                email: t.email.as_ref().map_or("", |e| e.get_ref()),
                votes: &votes,
                proposed_at: &proposed,
            };
            // The line of the value at fault.
            let (topic, warning) = fields.topic(zone).map_err(|(field, m)| {
                let span = match field {
                    Field::Title => t.title.span(),
                    Field::Owner => t.owner.span(),
                    Field::Votes => t.votes.span(),
                    Field::ProposedAt => t.proposed_at.span(),
                };
                err(Some(span.start), m)
            })?;
            let email_at = t.email.as_ref().map_or(at, |e| e.span().start);
            warnings.extend(
                warning.map(|w| format!("{}: line {}: {w}", path.display(), line(email_at))),
            );
            topics.push(topic);
        }
        Ok(Agenda {
            path: path.to_path_buf(),
            summit,
            topics,
            warnings,
            replies: None,
        })
    }

    /// Parses a CSV agenda; `path` names it in errors, `zone` resolves dates.
    ///
    /// # Errors
    /// As [`Agenda::load`].
    pub fn from_csv(text: &str, path: &Path, zone: Tz) -> Result<Agenda> {
        let err = |line: Option<u64>, message: String| Error::Agenda {
            path: path.to_path_buf(),
            message: match line {
                Some(l) => format!("line {l}: {message}"),
                None => message,
            },
        };
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| err(Some(1), format!("the header row cannot be read: {e}")))?
            .clone();
        const COLUMNS: [&str; 5] = ["title", "owner", "email", "votes", "proposed-at"];
        /// The index of the optional column in [`COLUMNS`].
        const EMAIL: usize = 2;
        let mut index = [None; 5];
        for (i, name) in COLUMNS.iter().enumerate() {
            index[i] = headers.iter().position(|h| {
                h.trim().eq_ignore_ascii_case(name)
                    || h.trim().eq_ignore_ascii_case(&name.replace('-', "_"))
            });
            if index[i].is_none() && i != EMAIL {
                return Err(err(
                    Some(1),
                    format!(
                        "the header row `{}` has no `{name}` column, expected the columns `title`, `owner`, `email` (optional), `votes`, `proposed-at`",
                        headers.iter().collect::<Vec<_>>().join(",")
                    ),
                ));
            }
        }
        let known: HashSet<String> = COLUMNS
            .iter()
            .flat_map(|c| [c.to_string(), c.replace('-', "_")])
            .collect();
        if let Some(h) = headers
            .iter()
            .find(|h| !known.contains(&h.trim().to_ascii_lowercase()))
        {
            return Err(err(
                Some(1),
                format!(
                    "unknown column `{h}`, expected the columns `title`, `owner`, `email` (optional), `votes`, `proposed-at`"
                ),
            ));
        }
        let mut topics = Vec::new();
        let mut warnings = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line());
                err(line, format!("malformed row: {e}"))
            })?;
            let line = record.position().map(|p| p.line());
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let field = |i: usize| index[i].and_then(|i| record.get(i)).unwrap_or("");
            let fields = Fields {
                title: field(0),
                owner: field(1),
                email: field(EMAIL),
                votes: field(3),
                proposed_at: field(4),
            };
            let (topic, warning) = fields.topic(zone).map_err(|(_, m)| err(line, m))?;
            warnings.extend(warning.map(|w| match line {
                Some(l) => format!("{}: line {l}: {w}", path.display()),
                None => format!("{}: {w}", path.display()),
            }));
            topics.push(topic);
        }
        Ok(Agenda {
            path: path.to_path_buf(),
            summit: None,
            topics,
            warnings,
            replies: None,
        })
    }

    /// Whether the agenda is for the summit on `date` (UTC).
    pub fn is_for(&self, date: NaiveDate) -> bool {
        self.summit == Some(date)
    }
}

/// A field of a topic, for the line of an error.
#[derive(Clone, Copy, Debug)]
enum Field {
    Title,
    Owner,
    Votes,
    ProposedAt,
}

/// The fields of one topic as written.
struct Fields<'a> {
    title: &'a str,
    owner: &'a str,
    email: &'a str,
    votes: &'a str,
    proposed_at: &'a str,
}

impl Fields<'_> {
    /// The validated topic, with a warning when its address does not parse (the topic
    /// is kept without one); the error message names the value and what was expected.
    fn topic(&self, zone: Tz) -> std::result::Result<(Topic, Option<String>), (Field, String)> {
        let title = one_line(self.title);
        if title.is_empty() {
            return Err((
                Field::Title,
                "a topic has an empty title, expected the topic's title".into(),
            ));
        }
        let owner_name = self.owner.trim();
        if owner_name.is_empty() {
            return Err((
                Field::Owner,
                format!("topic `{title}` has an empty owner, expected the owner's name"),
            ));
        }
        if let Some(c) = crate::text::odd_char(owner_name) {
            return Err((
                Field::Owner,
                format!(
                    "owner `{}` of topic `{title}` contains the control character U+{:04X}, expected plain text on one line",
                    owner_name.escape_debug(),
                    u32::from(c)
                ),
            ));
        }
        let written = self.email.trim();
        let (email, warning) = match written.parse::<Address>() {
            _ if written.is_empty() => (None, None),
            Ok(a) => match crate::model::member::unsendable(&a) {
                None => (Some(a), None),
                Some(why) => (
                    None,
                    Some(format!(
                        "email `{}` of topic `{title}` has {why}, which mail cannot be sent to, expected `user@example.org`; the topic is kept, and its owner is left to the facilitator to reach",
                        written.escape_debug()
                    )),
                ),
            },
            Err(e) => (
                None,
                Some(format!(
                    "email `{}` of topic `{title}` is not an e-mail address ({e}), expected `user@example.org`; the topic is kept, and its owner is left to the facilitator to reach",
                    written.escape_debug()
                )),
            ),
        };
        let votes = parse_votes(self.votes).ok_or_else(|| {
            (Field::Votes, format!(
                "votes `{}` of topic `{title}` is neither a whole number nor a run of `+1`, expected e.g. `4` or `+1 +1 +1`",
                self.votes.escape_debug()
            ))
        })?;
        let proposed_at = parse_proposed_at(self.proposed_at, zone).ok_or_else(|| {
            (Field::ProposedAt, format!(
                "proposed-at `{}` of topic `{title}` is neither an RFC 3339 instant nor a date, expected e.g. `2026-11-20T09:30:00Z` or `2026-11-20`",
                self.proposed_at.escape_debug()
            ))
        })?;
        let topic = Topic {
            title,
            owner: owner_name.to_string(),
            email,
            votes,
            proposed_at,
            voters: Vec::new(),
            origin: None,
            confirmed: None,
        };
        Ok((topic, warning))
    }
}

/// The number of votes written as `text`: a whole number (`4`), a run of `+1`
/// (`+1 +1 +1`, `+1+1`: counted), or nothing (no votes); `None` for anything else, or
/// more than `u32::MAX`.
pub fn parse_votes(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    let compact: String = text.split_whitespace().collect();
    let n = compact.len() / 2;
    if n > 0 && compact == "+1".repeat(n) {
        u32::try_from(n).ok()
    } else {
        None
    }
}

/// When a topic was proposed, written as `text`: an RFC 3339 instant, or a date
/// `YYYY-MM-DD`, which is the start of that day in `zone` (a day that starts in a
/// daylight-saving gap starts at its first local time). `None` for anything else.
pub fn parse_proposed_at(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let midnight = date.and_time(NaiveTime::MIN);
    // Gaps are at most a few hours: try each quarter hour of the day's first hours.
    (0..=24 * 4)
        .map(|q| midnight + chrono::Duration::minutes(15 * q))
        .find_map(|t| zone.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&Utc))
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(title: &str, email: &str, votes: u32, at: &str) -> Topic {
        Topic {
            title: title.into(),
            owner: title.to_uppercase(),
            email: Some(email.parse().unwrap()),
            votes,
            proposed_at: at.parse().unwrap(),
            voters: Vec::new(),
            origin: None,
            confirmed: None,
        }
    }

    #[test]
    fn ranks_by_votes_then_earlier_proposal_and_sets_late_apart() {
        let deadline: DateTime<Utc> = "2026-11-25T16:00:00Z".parse().unwrap();
        let topics = vec![
            t("a", "a@x.org", 3, "2026-11-20T10:00:00Z"),
            t("b", "b@x.org", 9, "2026-11-25T16:00:00Z"), // late: at the deadline
            t("c", "c@x.org", 5, "2026-11-21T10:00:00Z"),
            t("d", "d@x.org", 5, "2026-11-20T10:00:00Z"), // tie with c, earlier
            t("e", "e@x.org", 1, "2026-11-19T10:00:00Z"),
        ];
        let r = rank(&topics, deadline, 2);
        let titles = |v: &[Topic]| v.iter().map(|t| t.title.clone()).collect::<Vec<_>>();
        assert_eq!(titles(&r.chosen), ["d", "c"]);
        assert_eq!(titles(&r.late), ["b"]);
        assert_eq!(titles(&r.rest), ["a", "e"]);
        let r = rank(&topics, deadline, 10);
        assert_eq!(titles(&r.chosen), ["d", "c", "a", "e"]);
        assert!(r.rest.is_empty());
    }

    #[test]
    fn one_message_per_owner() {
        let deadline: DateTime<Utc> = "2026-11-25T16:00:00Z".parse().unwrap();
        let topics = vec![
            t("a", "a@x.org", 3, "2026-11-20T10:00:00Z"),
            t("b", "A@x.org", 2, "2026-11-20T10:00:00Z"),
            t("c", "c@x.org", 1, "2026-11-20T10:00:00Z"),
        ];
        let r = rank(&topics, deadline, 3);
        let owners = r.owners();
        assert_eq!(owners.len(), 2);
        assert_eq!(owners[0].1.len(), 2);
    }

    #[test]
    fn csv_with_quotes_and_errors_naming_the_row() {
        let p = Path::new("agenda.csv");
        let text = "title,owner,email,votes,proposed-at\n\"Remote write, v2\",\"Doe, Jane\",jane@x.org,4,2026-11-20T10:00:00Z\n";
        let a = Agenda::from_csv(text, p, Tz::UTC).unwrap();
        assert_eq!(a.topics[0].title, "Remote write, v2");
        assert_eq!(a.topics[0].owner, "Doe, Jane");
        for (row, want) in [
            ("x,y,y@x.org,1.5,2026-11-20T10:00:00Z", "votes `1.5`"),
            ("x,y,y@x.org,-1,2026-11-20T10:00:00Z", "votes `-1`"),
            ("x,y,y@x.org,1,yesterday", "proposed-at `yesterday`"),
            (
                "x,\"y\ry\",y@x.org,1,2026-11-20T10:00:00Z",
                "control character",
            ),
        ] {
            let text = format!(
                "title,owner,email,votes,proposed-at\nok,o,o@x.org,1,2026-11-20T10:00:00Z\n{row}\n"
            );
            let e = Agenda::from_csv(&text, p, Tz::UTC).unwrap_err().to_string();
            assert!(e.contains("agenda.csv: line 3:") && e.contains(want), "{e}");
        }
        let e = Agenda::from_csv("title,owner,email\n", p, Tz::UTC)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1") && e.contains("no `votes` column"),
            "{e}"
        );
    }

    #[test]
    fn toml_with_summit_date_and_errors_naming_the_line() {
        let p = Path::new("agenda.toml");
        let text = "summit = \"2026-11-26\"\n\n[[topic]]\ntitle = \"A\"\nowner = \"Ann\"\nemail = \"ann@x.org\"\nvotes = 2\nproposed-at = 2026-11-20T10:00:00Z\n";
        let a = Agenda::from_toml(text, p, Tz::UTC).unwrap();
        assert_eq!(a.summit, NaiveDate::from_ymd_opt(2026, 11, 26));
        assert_eq!(a.topics[0].votes, 2);
        let bad = text.replace("votes = 2", "votes = \"two\"");
        let e = Agenda::from_toml(&bad, p, Tz::UTC).unwrap_err().to_string();
        // The line of the value at fault.
        assert!(e.contains("line 7") && e.contains("votes `two`"), "{e}");
    }

    #[test]
    fn votes_are_a_number_or_a_run_of_plus_ones() {
        for (text, want) in [
            ("4", Some(4)),
            (" 12 ", Some(12)),
            ("0", Some(0)),
            ("", Some(0)),
            ("+1", Some(1)),
            ("+1 +1 +1", Some(3)),
            ("+1+1", Some(2)),
            (" +1  +1+1 ", Some(3)),
            ("+1 +1 +", None),
            ("+2", None),
            ("+1 x", None),
            ("1 +1", None),
            ("-1", None),
            ("1.5", None),
            ("four", None),
            ("4294967296", None),
        ] {
            assert_eq!(parse_votes(text), want, "{text:?}");
        }
    }

    #[test]
    fn proposed_at_is_an_instant_or_the_start_of_a_day_in_the_zone() {
        let utc = |s: &str| Some(s.parse::<DateTime<Utc>>().unwrap());
        assert_eq!(
            parse_proposed_at("2026-11-20T10:00:00+01:00", Tz::UTC),
            utc("2026-11-20T09:00:00Z")
        );
        assert_eq!(
            parse_proposed_at("2026-11-20", Tz::UTC),
            utc("2026-11-20T00:00:00Z")
        );
        assert_eq!(
            parse_proposed_at(" 2026-11-25 ", chrono_tz::Europe::Berlin),
            utc("2026-11-24T23:00:00Z")
        );
        assert_eq!(
            parse_proposed_at("2026-11-25", chrono_tz::America::Los_Angeles),
            utc("2026-11-25T08:00:00Z")
        );
        // Santiago's clocks went from 00:00 to 01:00 on 2022-09-11: the day starts at 01:00.
        assert_eq!(
            parse_proposed_at("2022-09-11", chrono_tz::America::Santiago),
            utc("2022-09-11T04:00:00Z")
        );
        for bad in ["yesterday", "2026-11-31", "20261120", "2026-11-20T10:00:00"] {
            assert_eq!(parse_proposed_at(bad, Tz::UTC), None, "{bad}");
        }
    }

    #[test]
    fn a_topic_without_a_usable_address_is_kept_without_one() {
        let p = Path::new("agenda.csv");
        let text = "title,owner,email,votes,proposed-at
A,Ann,ann@x.org,3,2026-11-20
B,Bea,,+1 +1,2026-11-20T10:00:00Z
C,Cy,cy at x,+1,2026-11-20T10:00:00Z
";
        let a = Agenda::from_csv(text, p, Tz::UTC).unwrap();
        let emails: Vec<Option<String>> = a
            .topics
            .iter()
            .map(|t| t.email.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(emails, [Some("ann@x.org".to_string()), None, None]);
        assert_eq!(a.topics[1].votes, 2);
        assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
        assert!(
            a.warnings[0].starts_with("agenda.csv: line 4: email `cy at x` of topic `C`"),
            "{:?}",
            a.warnings
        );
        let r = rank(&a.topics, "2026-11-25T16:00:00Z".parse().unwrap(), 3);
        let owners: Vec<String> = r.owners().iter().map(|(m, _)| m.to_string()).collect();
        assert_eq!(owners, ["Ann <ann@x.org>"]);
        let unreachable: Vec<&str> = r.unreachable().iter().map(|t| t.title.as_str()).collect();
        assert_eq!(unreachable, ["B", "C"]);
        // An address that parses but that mail cannot be sent to: the same.
        let a = Agenda::from_csv(
            "title,owner,email,votes,proposed-at\nD,Di,\"\"\"d i\"\"@x.org\",1,2026-11-20\nE,Ed,e@[192.0.2.1],1,2026-11-20\n",
            p,
            Tz::UTC,
        )
        .unwrap();
        assert!(a.topics.iter().all(|t| t.email.is_none()), "{:?}", a.topics);
        assert_eq!(a.warnings.len(), 2, "{:?}", a.warnings);
        assert!(
            a.warnings[0].contains("has a quoted local part, which mail cannot be sent to")
                && a.warnings[1].contains("has a domain literal, which mail cannot be sent to"),
            "{:?}",
            a.warnings
        );
        // Without the column at all.
        let a = Agenda::from_csv(
            "title,owner,votes,proposed-at
A,Ann,+1+1+1,2026-11-20
",
            p,
            Tz::UTC,
        )
        .unwrap();
        assert_eq!((a.topics[0].email.clone(), a.topics[0].votes), (None, 3));
        // TOML: `email` is optional, votes may be a run of `+1`, proposed-at a date.
        let a = Agenda::from_toml(
            "[[topic]]\ntitle = \"A\"\nowner = \"Ann\"\nvotes = \"+1 +1\"\nproposed-at = 2026-11-20\n\n[[topic]]\ntitle = \"B\"\nowner = \"Bo\"\nvotes = \"+1+1+1\"\nproposed-at = \"2026-11-21\"\n",
            Path::new("agenda.toml"),
            chrono_tz::Europe::Berlin,
        )
        .unwrap();
        assert_eq!(a.topics[0].email, None);
        assert_eq!((a.topics[0].votes, a.topics[1].votes), (2, 3));
        assert_eq!(
            a.topics[0].proposed_at,
            "2026-11-19T23:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        let e = Agenda::from_toml(
            "[[topic]]\ntitle = \"A\"\nowner = \"Ann\"\nvotes = \"+1 -1\"\nproposed-at = 2026-11-20\n",
            Path::new("agenda.toml"),
            Tz::UTC,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("agenda.toml: line 4: votes `+1 -1` of topic `A` is neither a whole number nor a run of `+1`"),
            "{e}"
        );
    }

    fn arb_topic() -> impl Strategy<Value = Topic> {
        ("[a-c]{1,2}", "[a-c]{1,2}", 0u32..4, 0i64..5).prop_map(|(title, user, votes, h)| Topic {
            title: title.clone(),
            owner: title,
            email: (user != "c").then(|| format!("{user}@x.org").parse().unwrap()),
            votes,
            proposed_at: DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(h),
            voters: Vec::new(),
            origin: None,
            confirmed: None,
        })
    }

    proptest! {
        #[test]
        fn ranking_is_a_pure_total_order(
            mut topics in proptest::collection::vec(arb_topic(), 0..12),
            top in 0usize..6,
            seed in any::<u64>(),
        ) {
            let deadline = DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(3);
            let a = rank(&topics, deadline, top);
            // Independent of the file order.
            let n = topics.len().max(1);
            topics.rotate_left((seed as usize) % n);
            topics.reverse();
            prop_assert_eq!(&rank(&topics, deadline, top), &a);
            // A partition, each part in vote order, chosen at most `top`.
            prop_assert_eq!(a.chosen.len() + a.late.len() + a.rest.len(), topics.len());
            prop_assert!(a.chosen.len() <= top);
            for part in [&a.chosen, &a.late, &a.rest] {
                for w in part.windows(2) {
                    prop_assert!(vote_order(&w[0], &w[1]) != Ordering::Greater);
                }
            }
            // Every chosen topic beats every other on-time topic.
            for c in &a.chosen {
                prop_assert!(c.proposed_at < deadline);
                for r in &a.rest {
                    prop_assert!(vote_order(c, r) != Ordering::Greater);
                }
            }
            prop_assert!(a.late.iter().all(|t| t.proposed_at >= deadline));
            // Total: antisymmetric and only equal for equal topics.
            for x in &topics {
                for y in &topics {
                    prop_assert_eq!(vote_order(x, y), vote_order(y, x).reverse());
                    if vote_order(x, y) == Ordering::Equal {
                        prop_assert_eq!(x, y);
                    }
                }
            }
        }
    }
}
