//! The summit's agenda: the proposed topics with their owners and votes, read from a
//! TOML or CSV file (`--agenda FILE` or `agenda.file`), and the ranking that decides
//! whose topics the facilitator reaches out to the day before.
//!
//! TOML: an optional `summit = "YYYY-MM-DD"` (the UTC date of the summit the agenda is
//! for) and one `[[topic]]` table per topic with `title`, `owner`, `email`, `votes` and
//! `proposed-at`. CSV: a header row naming the columns `title`, `owner`, `email`,
//! `votes`, `proposed-at` (any order, quoted fields allowed), then one row per topic.
//!
//! Titles and owner names come from whoever proposed a topic, so they are untrusted:
//! an owner name with a control character or an invisible bidirectional override is an
//! error (it would go into a `To:` header), and titles are put on one line
//! ([`crate::mail::render::one_line`]) before they reach a template.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use lettre::Address;
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::mail::render::one_line;

/// The default of `outreach.top`: how many of the most-voted topics the facilitator
/// reaches out to.
pub const DEFAULT_TOP: usize = 3;

/// One proposed topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topic {
    /// The title, on one line.
    pub title: String,
    /// The owner's name, plain text on one line.
    pub owner: String,
    /// The owner's e-mail address.
    pub email: Address,
    /// The number of votes.
    pub votes: u32,
    /// When it was proposed.
    pub proposed_at: DateTime<Utc>,
}

impl Topic {
    /// The owner as a mailbox, `Owner <email>`.
    pub fn mailbox(&self) -> Mailbox {
        Mailbox::new(Some(self.owner.clone()), self.email.clone())
    }
}

/// A topic in templates and JSON.
#[derive(Clone, Debug, Serialize)]
pub struct TopicView {
    /// The title.
    pub title: String,
    /// The owner's name.
    pub owner: String,
    /// The owner's address.
    pub email: String,
    /// The votes.
    pub votes: u32,
    /// When it was proposed, RFC 3339 UTC.
    pub proposed_at: String,
}

impl From<&Topic> for TopicView {
    fn from(t: &Topic) -> Self {
        TopicView {
            title: t.title.clone(),
            owner: t.owner.clone(),
            email: t.email.to_string(),
            votes: t.votes,
            proposed_at: crate::calendar::When::Timed(t.proposed_at).to_string(),
        }
    }
}

/// An agenda file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agenda {
    /// The file it was read from.
    pub path: PathBuf,
    /// The UTC date of the summit it is for: from the file (TOML `summit`), else the
    /// next summit at now (set by the command that loads it).
    pub summit: Option<NaiveDate>,
    /// The topics, in file order.
    pub topics: Vec<Topic>,
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
    /// The owners of the chosen topics, once each (by address, case-insensitive), in
    /// the order of their best topic, each with their chosen topics.
    pub fn owners(&self) -> Vec<(Mailbox, Vec<&Topic>)> {
        let mut out: Vec<(Mailbox, Vec<&Topic>)> = Vec::new();
        for t in &self.chosen {
            let key = t.email.to_string().to_ascii_lowercase();
            match out
                .iter_mut()
                .find(|(m, _)| m.email.to_string().to_ascii_lowercase() == key)
            {
                Some((_, ts)) => ts.push(t),
                None => out.push((t.mailbox(), vec![t])),
            }
        }
        out
    }
}

/// Vote order: more votes first; on equal votes the earlier proposal; then the title,
/// the address and the owner, so the order is total and independent of file order.
pub fn vote_order(a: &Topic, b: &Topic) -> Ordering {
    b.votes
        .cmp(&a.votes)
        .then(a.proposed_at.cmp(&b.proposed_at))
        .then_with(|| a.title.cmp(&b.title))
        .then_with(|| {
            a.email
                .to_string()
                .to_ascii_lowercase()
                .cmp(&b.email.to_string().to_ascii_lowercase())
        })
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
    /// `.csv` file.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file, the line (TOML) or row (CSV) and the value: the
    /// file is missing or of another kind, a field is missing, an address does not
    /// parse, votes are not a whole number, proposed-at is not RFC 3339, an owner name
    /// has a control character.
    pub fn load(path: &Path) -> Result<Agenda> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: match e.kind() {
                std::io::ErrorKind::NotFound => "no such agenda file".into(),
                _ => format!("cannot read the agenda: {e}"),
            },
        })?;
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("toml") => Self::from_toml(&text, path),
            Some("csv") => Self::from_csv(&text, path),
            _ => Err(Error::Config {
                path: path.to_path_buf(),
                message: format!(
                    "`{}` is not an agenda file name, expected a `.toml` or `.csv` file",
                    path.display()
                ),
            }),
        }
    }

    /// Parses a TOML agenda; `path` names it in errors.
    ///
    /// # Errors
    /// As [`Agenda::load`].
    pub fn from_toml(text: &str, path: &Path) -> Result<Agenda> {
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
            title: String,
            owner: String,
            email: String,
            votes: toml::Value,
            proposed_at: toml::Value,
        }
        let err = |offset: Option<usize>, message: String| Error::Config {
            path: path.to_path_buf(),
            message: match offset {
                Some(o) => format!("line {}: {message}", line_of(text, o)),
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
        for t in raw.topic {
            let at = t.span().start;
            let t = t.into_inner();
            let votes = match &t.votes {
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let proposed = match &t.proposed_at {
                toml::Value::Datetime(d) => d.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            topics.push(
                topic(&t.title, &t.owner, &t.email, &votes, &proposed)
                    .map_err(|m| err(Some(at), m))?,
            );
        }
        Ok(Agenda {
            path: path.to_path_buf(),
            summit,
            topics,
        })
    }

    /// Parses a CSV agenda; `path` names it in errors.
    ///
    /// # Errors
    /// As [`Agenda::load`].
    pub fn from_csv(text: &str, path: &Path) -> Result<Agenda> {
        let err = |line: Option<u64>, message: String| Error::Config {
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
        let mut index = [0usize; 5];
        for (i, name) in COLUMNS.iter().enumerate() {
            index[i] = headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name) || h.trim().eq_ignore_ascii_case(&name.replace('-', "_")))
                .ok_or_else(|| {
                    err(
                        Some(1),
                        format!(
                            "the header row `{}` has no `{name}` column, expected the columns `title`, `owner`, `email`, `votes`, `proposed-at`",
                            headers.iter().collect::<Vec<_>>().join(",")
                        ),
                    )
                })?;
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
                    "unknown column `{h}`, expected the columns `title`, `owner`, `email`, `votes`, `proposed-at`"
                ),
            ));
        }
        let mut topics = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line());
                err(line, format!("malformed row: {e}"))
            })?;
            let line = record.position().map(|p| p.line());
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            let field = |i: usize| record.get(index[i]).unwrap_or("");
            topics.push(
                topic(field(0), field(1), field(2), field(3), field(4))
                    .map_err(|m| err(line, m))?,
            );
        }
        Ok(Agenda {
            path: path.to_path_buf(),
            summit: None,
            topics,
        })
    }

    /// Whether the agenda is for the summit on `date` (UTC).
    pub fn is_for(&self, date: NaiveDate) -> bool {
        self.summit == Some(date)
    }
}

/// One validated topic from its fields as written; the error message names the value.
fn topic(
    title: &str,
    owner: &str,
    email: &str,
    votes: &str,
    proposed_at: &str,
) -> std::result::Result<Topic, String> {
    let title = one_line(title);
    if title.is_empty() {
        return Err("a topic has an empty title, expected the topic's title".into());
    }
    let owner_name = owner.trim();
    if owner_name.is_empty() {
        return Err(format!(
            "topic `{title}` has an empty owner, expected the owner's name"
        ));
    }
    if let Some(c) = crate::config::odd_char(owner_name) {
        return Err(format!(
            "owner `{}` of topic `{title}` contains the control character U+{:04X}, expected plain text on one line",
            owner_name.escape_debug(),
            u32::from(c)
        ));
    }
    let email: Address = email.trim().parse().map_err(|e| {
        format!(
            "email `{}` of topic `{title}` is not an e-mail address ({e}), expected `user@example.org`",
            email.escape_debug()
        )
    })?;
    let votes: u32 = votes.trim().parse().map_err(|_| {
        format!(
            "votes `{}` of topic `{title}` is not a whole number, expected e.g. `4`",
            votes.escape_debug()
        )
    })?;
    let proposed_at = DateTime::parse_from_rfc3339(proposed_at.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "proposed-at `{}` of topic `{title}` is not an RFC 3339 instant, expected e.g. `2026-11-20T09:30:00Z`",
                proposed_at.escape_debug()
            )
        })?;
    Ok(Topic {
        title,
        owner: owner_name.to_string(),
        email,
        votes,
        proposed_at,
    })
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
            email: email.parse().unwrap(),
            votes,
            proposed_at: at.parse().unwrap(),
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
        let a = Agenda::from_csv(text, p).unwrap();
        assert_eq!(a.topics[0].title, "Remote write, v2");
        assert_eq!(a.topics[0].owner, "Doe, Jane");
        for (row, want) in [
            (
                "x,y,not-an-address,1,2026-11-20T10:00:00Z",
                "`not-an-address`",
            ),
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
            let e = Agenda::from_csv(&text, p).unwrap_err().to_string();
            assert!(e.contains("agenda.csv: line 3:") && e.contains(want), "{e}");
        }
        let e = Agenda::from_csv("title,owner,votes\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1") && e.contains("`email`"), "{e}");
    }

    #[test]
    fn toml_with_summit_date_and_errors_naming_the_line() {
        let p = Path::new("agenda.toml");
        let text = "summit = \"2026-11-26\"\n\n[[topic]]\ntitle = \"A\"\nowner = \"Ann\"\nemail = \"ann@x.org\"\nvotes = 2\nproposed-at = 2026-11-20T10:00:00Z\n";
        let a = Agenda::from_toml(text, p).unwrap();
        assert_eq!(a.summit, NaiveDate::from_ymd_opt(2026, 11, 26));
        assert_eq!(a.topics[0].votes, 2);
        let bad = text.replace("votes = 2", "votes = \"two\"");
        let e = Agenda::from_toml(&bad, p).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("votes `two`"), "{e}");
    }

    fn arb_topic() -> impl Strategy<Value = Topic> {
        ("[a-c]{1,2}", "[a-c]{1,2}", 0u32..4, 0i64..5).prop_map(|(title, user, votes, h)| Topic {
            title: title.clone(),
            owner: title,
            email: format!("{user}@x.org").parse().unwrap(),
            votes,
            proposed_at: DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(h),
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
