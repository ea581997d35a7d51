//! What every agenda source hands back, whatever it read: the topics with their votes
//! and voters, the replies that may confirm an outreach, and the warnings that name the
//! message, issue or row at fault. Also the shapes the mailbox readers share: one
//! [`Letter`] per message, and [`People`], whose votes count.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;

use super::Topic;
use crate::config::{AgendaConfig, Voter};
use crate::model::{Email, Member};

/// What one read of an agenda source found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Harvest {
    /// The proposals for the summit (arrived after the previous summit started), each
    /// with its votes and voters; late ones included (the ranking sets them apart).
    pub topics: Vec<Topic>,
    /// The replies in the mailbox, for confirmations (a mailbox source only).
    pub replies: Vec<Reply>,
    /// Per-message, per-issue or per-row problems: each names what it is about, and
    /// none stops a step.
    pub warnings: Vec<String>,
}

/// A reply found in a mailbox: who wrote it, when, and what it answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The From address.
    pub from: Email,
    /// When it arrived (UTC; IMAP INTERNALDATE, else the Date header).
    pub at: DateTime<Utc>,
    /// The Message-IDs it answers, without angle brackets: In-Reply-To first, then
    /// References (RFC 5322 §3.6.4).
    pub answers: Vec<String>,
}

/// One message of a mailbox as the agenda reads it: its headers decoded and its text
/// parts, never its attachments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letter {
    /// When it arrived (UTC): IMAP INTERNALDATE; for an mbox or Maildir file, the Date
    /// header (else the mbox `From ` line, else the file's modification time).
    pub arrived: DateTime<Utc>,
    /// Message-ID, without angle brackets.
    pub message_id: Option<String>,
    /// In-Reply-To, without angle brackets (RFC 5322 §3.6.4: one or more IDs).
    pub in_reply_to: Vec<String>,
    /// References, without angle brackets, oldest first.
    pub references: Vec<String>,
    /// From (the first mailbox, with its display name decoded); `None` when absent or
    /// unparsable.
    pub from: Option<Mailbox>,
    /// Subject, decoded (RFC 2047), on one line.
    pub subject: String,
    /// The text/plain parts, decoded (quoted-printable, base64, charset) and joined
    /// with a blank line; text/html only when there is no text/plain part, with tags
    /// stripped.
    pub text: String,
    /// Where it was read, for warnings: `UID 42`, `mbox line 120`, `maildir cur/NAME`.
    pub origin: String,
}

/// Whose votes count, and how a GitHub login or an address maps to a person.
#[derive(Clone, Debug, Default)]
pub struct People {
    /// The rotation members' and `agenda.voters`' addresses.
    pub voters: HashSet<Email>,
    /// GitHub logins (lowercase) whose 👍 count: the members' `github` and the `@login`
    /// entries of `agenda.voters`.
    pub voter_logins: HashSet<String>,
    /// The members with a `github` login (lowercase), for a topic owner's address.
    pub by_login: HashMap<String, Mailbox>,
}

impl People {
    /// The people of `members` and `agenda.voters`.
    pub fn new(members: &[Member], agenda: &AgendaConfig) -> Self {
        let mut p = People::default();
        for m in members {
            p.voters.insert(Email::from(&m.email));
            if let Some(login) = &m.github {
                let login = login.to_ascii_lowercase();
                p.voter_logins.insert(login.clone());
                p.by_login.insert(login, m.mailbox());
            }
        }
        for v in &agenda.voters {
            match v {
                Voter::Email(e) => {
                    p.voters.insert(e.clone());
                }
                Voter::Github(login) => {
                    p.voter_logins.insert(login.to_ascii_lowercase());
                }
            }
        }
        p
    }

    /// Whether a vote from `email` counts.
    pub fn votes(&self, email: &Email) -> bool {
        self.voters.contains(email)
    }

    /// Whether a 👍 from GitHub user `login` counts (any case).
    pub fn votes_on_github(&self, login: &str) -> bool {
        self.voter_logins.contains(&login.to_ascii_lowercase())
    }
}

/// The largest message read whole from an mbox or Maildir (bigger ones are skipped
/// with a warning): 8 MiB.
pub const MAX_LETTER_BYTES: usize = 8 * 1024 * 1024;

/// The most text kept of one message (the rest is cut): 256 KiB.
pub const MAX_LETTER_TEXT: usize = 256 * 1024;

impl Letter {
    /// Parses a whole RFC 5322 message (`raw`): its headers, and its text parts
    /// ([`Letter::text`]); attachments are skipped. `arrived` is the arrival time when
    /// the store knows it (else the Date header; `None` when neither).
    ///
    /// # Errors
    /// A message naming `origin` when the message cannot be parsed or has no time.
    pub fn parse(
        raw: &[u8],
        arrived: Option<DateTime<Utc>>,
        origin: String,
    ) -> std::result::Result<Letter, String> {
        let mail =
            mailparse::parse_mail(raw).map_err(|e| format!("{origin}: not a message ({e})"))?;
        let mut text = String::new();
        text_parts(&mail, &mut text);
        Letter::from_headers(&mail.headers, text, arrived, origin)
    }

    /// A letter from parsed `headers` and its decoded `text`, as an IMAP fetch of the
    /// header and the text parts gives them.
    ///
    /// # Errors
    /// A message naming `origin` when there is no time.
    pub fn from_headers(
        headers: &[mailparse::MailHeader],
        mut text: String,
        arrived: Option<DateTime<Utc>>,
        origin: String,
    ) -> std::result::Result<Letter, String> {
        use mailparse::MailHeaderMap;
        let get = |name: &str| headers.get_first_value(name);
        let arrived = arrived
            .or_else(|| date_header(headers))
            .ok_or_else(|| format!("{origin}: no arrival time and no usable Date header"))?;
        let from = headers.get_first_header("From").and_then(first_mailbox);
        if text.len() > MAX_LETTER_TEXT {
            let mut cut = MAX_LETTER_TEXT;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
        }
        Ok(Letter {
            arrived,
            message_id: get("Message-ID").and_then(|v| ids(&v).into_iter().next()),
            in_reply_to: get("In-Reply-To").map(|v| ids(&v)).unwrap_or_default(),
            references: get("References").map(|v| ids(&v)).unwrap_or_default(),
            from,
            subject: crate::text::one_line(&get("Subject").unwrap_or_default()),
            text,
            origin,
        })
    }
}

/// The Date header of `headers` (RFC 5322 §3.6.1) as a UTC instant; `None` when it is
/// absent or does not parse.
pub fn date_header(headers: &[mailparse::MailHeader]) -> Option<DateTime<Utc>> {
    use mailparse::MailHeaderMap;
    headers
        .get_first_value("Date")
        .and_then(|d| mailparse::dateparse(&d).ok())
        .and_then(|t| DateTime::from_timestamp(t, 0))
}

/// The first mailbox of a From header (RFC 5322 §3.6.2: one or more, possibly in a
/// group), its display name decoded (RFC 2047) and dropped when it holds a control
/// character or an invisible bidirectional override (folding whitespace is a space);
/// `None` when there is no address that parses.
fn first_mailbox(header: &mailparse::MailHeader) -> Option<Mailbox> {
    let list = mailparse::addrparse_header(header).ok()?;
    let single = list.iter().find_map(|a| match a {
        mailparse::MailAddr::Single(s) => Some(s.clone()),
        mailparse::MailAddr::Group(g) => g.addrs.first().cloned(),
    })?;
    let address: lettre::Address = single.addr.trim().parse().ok()?;
    let name = single
        .display_name
        .map(|n| n.replace(['\t', '\r', '\n'], " "))
        .filter(|n| crate::text::odd_char(n).is_none())
        .map(|n| crate::text::one_line(&n))
        .filter(|n| !n.is_empty());
    Some(Mailbox::new(name, address))
}

/// The `<id>`s in a Message-ID, In-Reply-To or References value, without brackets; a
/// value without brackets counts as one ID.
pub fn ids(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let id = rest[open + 1..open + close].trim();
        if !id.is_empty() {
            out.push(id.to_string());
        }
        rest = &rest[open + close + 1..];
    }
    if out.is_empty() && !value.trim().is_empty() && !value.contains(char::is_whitespace) {
        out.push(value.trim().to_string());
    }
    out
}

/// Appends the text/plain parts of `part` to `out` (attachments skipped); when there
/// is none, its text/html parts with the tags stripped.
fn text_parts(part: &mailparse::ParsedMail, out: &mut String) {
    let mut plain = Vec::new();
    let mut html = Vec::new();
    collect(part, &mut plain, &mut html);
    let chosen = if plain.is_empty() { html } else { plain };
    for t in chosen {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(&t);
    }
}

/// Gathers the decoded text/plain and text/html leaves of `part`, skipping attachments:
/// a part with `Content-Disposition: attachment` or a file name (`filename=`, `name=`).
fn collect(part: &mailparse::ParsedMail, plain: &mut Vec<String>, html: &mut Vec<String>) {
    if !part.subparts.is_empty() {
        for p in &part.subparts {
            collect(p, plain, html);
        }
        return;
    }
    let disposition = part.get_content_disposition();
    if disposition.disposition == mailparse::DispositionType::Attachment
        || disposition.params.contains_key("filename")
        || part.ctype.params.contains_key("name")
    {
        return;
    }
    match part.ctype.mimetype.to_ascii_lowercase().as_str() {
        "text/plain" => plain.extend(part.get_body().ok()),
        "text/html" => html.extend(part.get_body().ok().map(|h| strip_tags(&h))),
        _ => {}
    }
}

/// `html` as text: quotes (`<blockquote>`, nested or not) dropped, tags dropped, `<br>`
/// and block ends as line breaks, the common entities decoded. Enough to find a `+1`
/// line of the sender's own.
fn strip_tags(html: &str) -> String {
    static BREAK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)<br\s*/?>|</(p|div|li|blockquote|tr|h[1-6])\s*>").expect("a regex")
    });
    let unquoted = drop_blockquotes(html);
    let broken = BREAK.replace_all(&unquoted, "$0\n");
    let cleaned = ammonia::Builder::empty().clean(&broken).to_string();
    let mut out = String::with_capacity(cleaned.len());
    for line in cleaned.lines() {
        out.push_str(
            &line
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&nbsp;", " ")
                .replace("&amp;", "&"),
        );
        out.push('\n');
    }
    out
}

/// `html` without what its `<blockquote>` elements hold (nested ones too; an unclosed
/// one runs to the end): the text of the letters a reply quotes.
fn drop_blockquotes(html: &str) -> String {
    static TAG: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)<(/?)blockquote\b[^>]*>").expect("a regex")
    });
    let mut out = String::with_capacity(html.len());
    let mut depth = 0usize;
    let mut at = 0;
    for m in TAG.captures_iter(html) {
        let (Some(whole), closing) = (m.get(0), m.get(1).is_some_and(|c| !c.is_empty())) else {
            continue;
        };
        if depth == 0 {
            out.push_str(&html[at..whole.start()]);
        }
        depth = if closing {
            depth.saturating_sub(1)
        } else {
            depth + 1
        };
        at = whole.end();
        if depth == 0 {
            out.push('\n');
        }
    }
    if depth == 0 {
        out.push_str(&html[at..]);
    }
    out
}
