//! The mailbox source's rules (CONTRACT.md "Agenda sources"): which messages are
//! proposals, which replies are votes, and which are replies at all. Pure: it takes
//! the letters a store read ([`super::local`], [`super::imap`]).
//!
//! - A **proposal** is a letter whose Subject matches `agenda.mailbox.subject` and that
//!   is not a reply (no In-Reply-To, RFC 5322 §3.6.4). Its title is the Subject without
//!   the `Re:`/`Fwd:` and `[list]` prefixes and without the matched tag (with the
//!   brackets and separators around it); its owner is the From mailbox; its time the
//!   arrival time.
//! - A letter is **in a thread** when its parent is: the parent is the first message of
//!   its In-Reply-To found in the mailbox, else the last of its References found there
//!   (References run oldest first). A thread's root is a proposal.
//! - A **vote** is a letter in a proposal's thread, not itself a proposal, from an
//!   address whose vote counts ([`People::votes`]), with a line that is exactly `+1`
//!   once trimmed; quoted lines (`>`) and everything after a quote's attribution
//!   (`On … wrote:`, `-----Original Message-----`) or a signature (`-- `) do not
//!   count. One vote per person per topic, in arrival order.
//! - Every letter with an In-Reply-To is a [`Reply`], for the owners' confirmations.
//!
//! Letters with the same Message-ID are one letter (the earliest arrived is kept): an
//! archive may hold copies.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;

use super::{Harvest, Letter, People, Reply, Topic};
use crate::model::Email;
use crate::text::{odd_char, one_line};

/// The most characters kept of a title (the rest is cut, with `…`).
pub const MAX_TITLE_CHARS: usize = 200;

/// The owner of a proposal without a usable From address.
pub const UNKNOWN_OWNER: &str = "unknown sender";

/// The proposals among `letters` that arrived at or after `since` (the previous
/// summit's start, UTC; `None`: every proposal), with their votes and voters; every
/// reply, for confirmations. `subject` selects proposals by their decoded Subject.
/// Letters may come in any order: they are taken in arrival order (ties in the order
/// given). A proposal without a usable From address or without a Message-ID is kept
/// with a warning naming its origin; a reply without a usable From address is a
/// warning and neither a vote nor a confirmation. Never fails, never panics.
pub fn harvest(
    letters: &[Letter],
    subject: &Regex,
    people: &People,
    since: Option<DateTime<Utc>>,
) -> Harvest {
    let letters = unique(letters);
    let mut harvest = Harvest::default();
    let proposal: Vec<bool> = letters
        .iter()
        .map(|l| l.in_reply_to.is_empty() && subject.is_match(&l.subject))
        .collect();
    let mut topic_of = vec![None; letters.len()];
    let mut topics = Vec::new();
    for (i, letter) in letters.iter().enumerate() {
        if proposal[i] && since.is_none_or(|s| letter.arrived >= s) {
            topic_of[i] = Some(topics.len());
            topics.push(topic(letter, subject, &mut harvest.warnings));
        }
    }
    let thread = threads(&parents(&letters), &topic_of);
    let mut counted: Vec<HashSet<Email>> = vec![HashSet::new(); topics.len()];
    for (i, letter) in letters.iter().enumerate() {
        let is_reply = !letter.in_reply_to.is_empty();
        let Some(from) = &letter.from else {
            if is_reply {
                harvest.warnings.push(format!(
                    "{}: a reply without a usable From address, neither a vote nor a confirmation",
                    letter.origin
                ));
            }
            continue;
        };
        let email = Email::from(&from.email);
        if is_reply {
            let mut seen = HashSet::new();
            let answers = (letter.in_reply_to.iter().chain(&letter.references))
                .filter(|id| seen.insert(id.as_str()))
                .cloned()
                .collect();
            harvest.replies.push(Reply {
                from: email.clone(),
                at: letter.arrived,
                answers,
            });
        }
        let Some(t) = thread[i] else { continue };
        if proposal[i] || !people.votes(&email) || !plus_one(&letter.text) {
            continue;
        }
        if counted[t].insert(email) {
            topics[t].voters.push(from.email.to_string());
        }
    }
    for t in &mut topics {
        t.votes = u32::try_from(t.voters.len()).unwrap_or(u32::MAX);
    }
    harvest.topics = topics;
    harvest
}

/// `letters` in arrival order (stable), one per Message-ID (the first kept).
fn unique(letters: &[Letter]) -> Vec<&Letter> {
    let mut sorted: Vec<&Letter> = letters.iter().collect();
    sorted.sort_by_key(|l| l.arrived);
    let mut seen = HashSet::new();
    sorted.retain(|l| match &l.message_id {
        Some(id) => seen.insert(id.as_str()),
        None => true,
    });
    sorted
}

/// Each letter's parent in `letters`: the first of its In-Reply-To found there, else
/// the last of its References found there; never itself.
fn parents(letters: &[&Letter]) -> Vec<Option<usize>> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, l) in letters.iter().enumerate() {
        if let Some(id) = &l.message_id {
            index.entry(id.as_str()).or_insert(i);
        }
    }
    letters
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let known = |id: &String| index.get(id.as_str()).copied().filter(|&p| p != i);
            l.in_reply_to
                .iter()
                .find_map(known)
                .or_else(|| l.references.iter().rev().find_map(known))
        })
        .collect()
}

/// The topic whose thread each letter is in: follow the parents up to a letter that is
/// a topic (`topic_of`); a chain that ends elsewhere or loops is in none. Linear: each
/// letter's answer is kept for the letters below it.
fn threads(parent: &[Option<usize>], topic_of: &[Option<usize>]) -> Vec<Option<usize>> {
    let mut memo: Vec<Option<Option<usize>>> = vec![None; parent.len()];
    let mut walk = vec![usize::MAX; parent.len()];
    for start in 0..parent.len() {
        let mut path = Vec::new();
        let mut at = Some(start);
        let found = loop {
            let Some(i) = at else { break None };
            if let Some(known) = memo[i] {
                break known;
            }
            if let Some(t) = topic_of[i] {
                break Some(t);
            }
            if walk[i] == start {
                break None;
            }
            walk[i] = start;
            path.push(i);
            at = parent[i];
        };
        for i in path {
            memo[i] = Some(found);
        }
        if let Some(t) = topic_of[start] {
            memo[start] = Some(Some(t));
        }
    }
    memo.into_iter().map(Option::flatten).collect()
}

/// The topic `letter` proposes, without votes yet; warnings for what is missing.
fn topic(letter: &Letter, subject: &Regex, warnings: &mut Vec<String>) -> Topic {
    let mut title = title(&letter.subject, subject);
    if title.is_empty() {
        title = "(no title)".into();
        warnings.push(format!(
            "{}: a proposal whose Subject leaves no title, listed as `(no title)`",
            letter.origin
        ));
    }
    let (owner, email) = match &letter.from {
        Some(m) => {
            let name = m
                .name
                .as_deref()
                .filter(|n| odd_char(n).is_none())
                .map(one_line)
                .filter(|n| !n.is_empty());
            (
                name.unwrap_or_else(|| m.email.to_string()),
                Some(m.email.clone()),
            )
        }
        None => {
            warnings.push(format!(
                "{}: the proposal `{title}` has no usable From address, kept without one \
                 for the facilitator to reach by hand",
                letter.origin
            ));
            (UNKNOWN_OWNER.to_string(), None)
        }
    };
    if letter.message_id.is_none() {
        warnings.push(format!(
            "{}: the proposal `{title}` has no Message-ID, so no reply can be tied to it: \
             kept without votes",
            letter.origin
        ));
    }
    Topic {
        title,
        owner,
        email,
        votes: 0,
        proposed_at: letter.arrived,
        voters: Vec::new(),
        origin: letter.message_id.as_ref().map(|id| format!("<{id}>")),
        confirmed: None,
    }
}

/// Reply and forward prefixes: `Re:`, `RE[2]:`, `Fwd:`, `Fw:`, `Aw:`, `Sv:`, `Antw:`,
/// `Wg:`, `Tr:`.
static REPLY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(re|fwd?|aw|sv|antw|wg|tr)\s*(\[\d+\]|\(\d+\))?\s*:\s*").expect("a regex")
});

/// What separates a tag from a title.
const SEPARATORS: &[char] = &[':', '-', '–', '—', '|', '/', ',', ';', '~', '·', '•'];

/// Brackets that may enclose the tag: `[Dev Summit]`, `(dev summit topic)`.
const BRACKETS: &[(char, char)] = &[('[', ']'), ('(', ')'), ('{', '}'), ('<', '>'), ('«', '»')];

/// Words that may stand between the tag and the separator before the title (`Dev
/// Summit topic proposal: …`, `Dev Summit 2026: …`) or between the title and a tag at
/// its end (`Remote write proposal for the dev summit`).
const FILLER: &[&str] = &[
    "topic",
    "topics",
    "proposal",
    "proposals",
    "item",
    "items",
    "idea",
    "ideas",
    "suggestion",
    "request",
    "agenda",
    "for",
    "the",
    "next",
    "upcoming",
    "at",
    "on",
    "in",
    "to",
    "this",
    "our",
];

/// The title in a proposal's `subject`: without the reply and `[list]` prefixes, without
/// the first match of `tag` (and the brackets around it, and the separator after it),
/// on one line, at most [`MAX_TITLE_CHARS`]. When taking the tag away leaves nothing,
/// the Subject without its prefixes.
///
/// `[prometheus-developers] Re: [Dev Summit] Native histograms` is `Native
/// histograms`; so are `Dev Summit: Native histograms`, `Dev Summit topic proposal –
/// Native histograms` and `Native histograms (dev summit)`.
pub fn title(subject: &str, tag: &Regex) -> String {
    let subject = one_line(subject);
    let bare = strip_prefixes(&subject, tag);
    let cut = match tag.find(bare) {
        Some(m) if !m.as_str().is_empty() => without(bare, m.start(), m.end()),
        _ => tidy(bare).to_string(),
    };
    let title = if cut.is_empty() {
        tidy(bare).to_string()
    } else {
        cut
    };
    shorten(&one_line(&title))
}

/// `s` without its leading reply prefixes and `[list]` tags (a bracket that holds a
/// match of `tag` stays: it is the tag).
fn strip_prefixes<'a>(mut s: &'a str, tag: &Regex) -> &'a str {
    loop {
        s = s.trim_start();
        if let Some(m) = REPLY_PREFIX.find(s) {
            s = &s[m.end()..];
            continue;
        }
        if let Some(inner) = s.strip_prefix('[')
            && let Some(close) = inner.find(']')
            && !tag.is_match(&inner[..close])
            && !tag.is_match(&s[..close + 2])
        {
            s = &inner[close + 1..];
            continue;
        }
        return s;
    }
}

/// `s` without `s[start..end]` (the tag), its brackets and the separators around it.
fn without(s: &str, start: usize, end: usize) -> String {
    let mut left = s[..start].trim_end();
    let mut right = s[end..].trim_start();
    for &(open, close) in BRACKETS {
        if let Some(l) = left.strip_suffix(open)
            && let Some(c) = right.find(close)
            && !right[..c].contains(open)
        {
            left = l.trim_end();
            right = right[c + close.len_utf8()..].trim_start();
            break;
        }
    }
    let right = skip_filler(right);
    let right_sep = right.starts_with(SEPARATORS);
    let left_sep = left.ends_with(SEPARATORS);
    let (left, right) = (tidy(left), tidy(right));
    match (left.is_empty(), right.is_empty()) {
        (true, _) => right.to_string(),
        (false, true) => tidy(drop_filler_end(left)).to_string(),
        (false, false) if right_sep && left_sep => format!("{left} - {right}"),
        (false, false) if right_sep => right.to_string(),
        (false, false) => format!("{left} {right}"),
    }
}

/// `s` from its first separator on when the words before it are all filler (`topic
/// proposal`, a year); else `s`.
fn skip_filler(s: &str) -> &str {
    let Some(at) = s.find(SEPARATORS) else {
        return s;
    };
    let filler = s[..at].split_whitespace().all(|w| {
        let w = w.to_lowercase();
        FILLER.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit() || c == '#')
    });
    if filler { &s[at..] } else { s }
}

/// `s` without its last words while they are filler (`Remote write at the`), keeping
/// the first word.
fn drop_filler_end(mut s: &str) -> &str {
    while let Some((rest, last)) = s.trim_end().rsplit_once(char::is_whitespace)
        && FILLER.contains(&last.to_lowercase().as_str())
        && !rest.trim().is_empty()
    {
        s = rest;
    }
    s
}

/// `s` without the spaces and separators at its ends.
fn tidy(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || SEPARATORS.contains(&c))
}

/// `s` cut to [`MAX_TITLE_CHARS`] characters, with `…` when cut.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(MAX_TITLE_CHARS) {
        Some((at, _)) => format!("{}…", s[..at].trim_end()),
        None => s.to_string(),
    }
}

/// Where the letter's own text ends and a quote of another begins, without `>`: an
/// attribution (`On … wrote:`), an Outlook or forward separator, a signature.
static QUOTE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(on\s.*\swrote:|le\s.*\sa écrit\s?:|am\s.*\sschrieb\s.*:|-+\s*(original message|forwarded message)\s*-+|_{10,}|--)$",
    )
    .expect("a regex")
});

/// Whether `text` has a line that is exactly `+1` once trimmed, before any quote of
/// another message or a signature.
pub fn plus_one(text: &str) -> bool {
    for line in text.lines() {
        let line = line.trim();
        if QUOTE_START.is_match(line) {
            return false;
        }
        if line == "+1" {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_PROPOSAL_SUBJECT;
    use proptest::prelude::*;

    fn tag() -> Regex {
        Regex::new(DEFAULT_PROPOSAL_SUBJECT).unwrap()
    }

    fn people() -> People {
        let mut p = People::default();
        for v in ["carol@example.org", "dave@example.org", "Erin@Example.org"] {
            p.voters.insert(Email::from(v));
        }
        p
    }

    /// A letter parsed from `headers` (one a line) and `body`, as a store gives it.
    fn parse(headers: &str, body: &str) -> Letter {
        let raw = format!("{}\r\n\r\n{body}", headers.trim().replace('\n', "\r\n"));
        Letter::parse(raw.as_bytes(), None, "test".into()).unwrap()
    }

    /// A proposal `id` from `from` with `subject`, on 2026-11-`day` at 10:00 UTC.
    fn proposal(id: &str, from: &str, subject: &str, day: u32) -> Letter {
        parse(
            &format!(
                "Message-ID: <{id}>\nFrom: {from}\nSubject: {subject}\n\
                 Date: Mon, {day} Nov 2026 10:00:00 +0000"
            ),
            "Let us talk about it.\r\n",
        )
    }

    /// A reply `id` to `parent` (and `refs`) from `from` with `body`, on 2026-11-`day`
    /// at `hour`:00 UTC.
    fn reply(
        id: &str,
        parent: &str,
        refs: &str,
        from: &str,
        body: &str,
        day: u32,
        hour: u32,
    ) -> Letter {
        parse(
            &format!(
                "Message-ID: <{id}>\nFrom: {from}\nSubject: Re: Dev Summit: a topic\n\
                 In-Reply-To: <{parent}>\nReferences: {refs} <{parent}>\n\
                 Date: Mon, {day} Nov 2026 {hour:02}:00:00 +0000"
            ),
            body,
        )
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn proposals_votes_voters_and_replies() {
        let letters = vec![
            proposal(
                "p1@x",
                "Ada Lovelace <ada@example.org>",
                "Dev Summit: Native histograms",
                20,
            ),
            reply(
                "r1@x",
                "p1@x",
                "",
                "Carol <carol@example.org>",
                "+1\r\n",
                20,
                11,
            ),
            // the same voter again, other case: one vote
            reply(
                "r2@x",
                "p1@x",
                "",
                "CAROL@example.org",
                "  +1  \r\n",
                20,
                12,
            ),
            // a non-voter: no vote, but a reply
            reply("r3@x", "p1@x", "", "mallory@example.org", "+1\r\n", 20, 13),
            // quoted: no vote
            reply(
                "r4@x",
                "r1@x",
                "<p1@x>",
                "dave@example.org",
                "> +1\r\nHmm.\r\n",
                20,
                14,
            ),
            // a reply to a reply (only In-Reply-To): in the thread
            parse(
                "Message-ID: <r5@x>\nFrom: Erin <erin@example.org>\nSubject: Re: Dev Summit\n\
                 In-Reply-To: <r4@x>\nDate: Mon, 20 Nov 2026 15:00:00 +0000",
                "+1 from me\r\n+1\r\n",
            ),
            // a `Re:` with a matching subject is a reply, not a proposal
            parse(
                "Message-ID: <r6@x>\nFrom: ada@example.org\nSubject: Re: Dev Summit: Native histograms\n\
                 In-Reply-To: <p1@x>\nDate: Mon, 20 Nov 2026 16:00:00 +0000",
                "Thanks all.\r\n",
            ),
            // an earlier proposal, for the previous summit
            proposal("old@x", "bob@example.org", "Dev Summit: Old thing", 1),
            reply("r7@x", "old@x", "", "carol@example.org", "+1\r\n", 2, 9),
            // not about the summit
            proposal("other@x", "bob@example.org", "Release 3.0 schedule", 20),
        ];
        let h = harvest(
            &letters,
            &tag(),
            &people(),
            Some(at("2026-11-10T00:00:00Z")),
        );
        assert_eq!(h.topics.len(), 1, "{h:#?}");
        let t = &h.topics[0];
        assert_eq!(t.title, "Native histograms");
        assert_eq!(t.owner, "Ada Lovelace");
        assert_eq!(t.email.as_ref().unwrap().to_string(), "ada@example.org");
        assert_eq!(t.proposed_at, at("2026-11-20T10:00:00Z"));
        assert_eq!(t.origin.as_deref(), Some("<p1@x>"));
        assert_eq!(t.voters, ["carol@example.org", "erin@example.org"]);
        assert_eq!(t.votes, 2);
        assert!(h.warnings.is_empty(), "{:?}", h.warnings);
        let froms: Vec<&str> = h.replies.iter().map(|r| r.from.as_str()).collect();
        assert_eq!(
            froms,
            [
                "carol@example.org",
                "carol@example.org",
                "CAROL@example.org",
                "mallory@example.org",
                "dave@example.org",
                "erin@example.org",
                "ada@example.org"
            ]
        );
        let r4 = &h.replies[4];
        assert_eq!(r4.answers, ["r1@x", "p1@x"]);
        assert_eq!(r4.at, at("2026-11-20T14:00:00Z"));
    }

    #[test]
    fn rfc2047_subjects_and_names() {
        let letters = vec![
            proposal(
                "b@x",
                "=?UTF-8?Q?Ren=C3=A9e_Dupont?= <renee@example.org>",
                "=?UTF-8?B?RGV2IFN1bW1pdDogw4l2b2x1dGlvbiBkZXMgbcOpdHJpcXVlcw==?=",
                20,
            ),
            proposal(
                "q@x",
                "=?ISO-8859-1?Q?M=FCller=2C_J=F6rg?= <joerg@example.org>",
                "=?ISO-8859-1?Q?Dev_Summit:_Gr=FC=DFe?=",
                21,
            ),
        ];
        let h = harvest(&letters, &tag(), &people(), None);
        let got: Vec<(&str, &str)> = h
            .topics
            .iter()
            .map(|t| (t.title.as_str(), t.owner.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Évolution des métriques", "Renée Dupont"),
                ("Grüße", "Müller, Jörg")
            ]
        );
        assert_eq!(
            h.topics[1].email.as_ref().unwrap().to_string(),
            "joerg@example.org"
        );
    }

    #[test]
    fn multipart_and_quoted_printable_bodies() {
        let alternative = parse(
            "Message-ID: <alt@x>\nFrom: carol@example.org\nIn-Reply-To: <p@x>\n\
             Date: Mon, 20 Nov 2026 11:00:00 +0000\nMIME-Version: 1.0\n\
             Content-Type: multipart/alternative; boundary=\"b1\"",
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n+1\r\n\
             --b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>+1</p>\r\n--b1--\r\n",
        );
        let attachment = parse(
            "Message-ID: <mix@x>\nFrom: dave@example.org\nIn-Reply-To: <p@x>\n\
             Date: Mon, 20 Nov 2026 12:00:00 +0000\nMIME-Version: 1.0\n\
             Content-Type: multipart/mixed; boundary=\"b2\"",
            "--b2\r\nContent-Type: text/plain\r\n\r\nSee the tally attached.\r\n\
             --b2\r\nContent-Type: text/plain; name=\"tally.txt\"\r\n\
             Content-Disposition: attachment; filename=\"tally.txt\"\r\n\r\n+1\r\n+1\r\n\
             --b2\r\nContent-Type: text/plain; name=\"inline.txt\"\r\n\r\n+1\r\n--b2--\r\n",
        );
        let qp = parse(
            "Message-ID: <qp@x>\nFrom: Erin@Example.org\nIn-Reply-To: <p@x>\n\
             Date: Mon, 20 Nov 2026 13:00:00 +0000\nMIME-Version: 1.0\n\
             Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable",
            "Sch=C3=B6n, this is a long line that is wrapped by the encoder so it =\r\nstays short.\r\n=2B1\r\n",
        );
        let b64 = parse(
            "Message-ID: <b64@x>\nFrom: carol@example.org\nIn-Reply-To: <alt@x>\n\
             Date: Mon, 20 Nov 2026 14:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\
             Content-Transfer-Encoding: base64",
            "SGFsbG8sCgorMQoKR3LDvMOfZQo=\r\n",
        );
        assert!(alternative.text.starts_with("+1"));
        assert!(!alternative.text.contains("<p>"), "{:?}", alternative.text);
        assert_eq!(attachment.text.trim(), "See the tally attached.");
        assert!(
            qp.text.contains("it stays short.\r\n+1") || qp.text.contains("it stays short.\n+1")
        );
        assert!(b64.text.contains("Grüße"));
        let p = proposal(
            "p@x",
            "ada@example.org",
            "[Dev Summit] Remote write 2.0",
            20,
        );
        let h = harvest(
            &[p, alternative, attachment, qp, b64],
            &tag(),
            &people(),
            None,
        );
        assert_eq!(h.topics[0].title, "Remote write 2.0");
        assert_eq!(
            h.topics[0].voters,
            ["carol@example.org", "Erin@Example.org"]
        );
        assert_eq!(h.topics[0].votes, 2);
    }

    #[test]
    fn html_only_votes_and_quotes_without_marks() {
        let html = parse(
            "Message-ID: <h@x>\nFrom: carol@example.org\nIn-Reply-To: <p@x>\n\
             Date: Mon, 20 Nov 2026 11:00:00 +0000\nContent-Type: text/html",
            "<div>+1</div><blockquote>older</blockquote>",
        );
        let outlook = parse(
            "Message-ID: <o@x>\nFrom: dave@example.org\nIn-Reply-To: <h@x>\n\
             Date: Mon, 20 Nov 2026 12:00:00 +0000",
            "I would rather not.\r\n\r\n-----Original Message-----\r\nFrom: carol\r\n\r\n+1\r\n",
        );
        let gmail = parse(
            "Message-ID: <g@x>\nFrom: erin@example.org\nIn-Reply-To: <h@x>\n\
             Date: Mon, 20 Nov 2026 13:00:00 +0000",
            "Not sure.\r\n\r\nOn Mon, Nov 20, 2026 at 11:00 AM Carol <carol@example.org> wrote:\r\n+1\r\n",
        );
        let quoted_html = parse(
            "Message-ID: <qh@x>\nFrom: dave@example.org\nIn-Reply-To: <h@x>\n\
             Date: Mon, 20 Nov 2026 14:00:00 +0000\nContent-Type: text/html",
            "<div>Hmm</div><BLOCKQUOTE type=cite><blockquote>+1</blockquote>\
             <div>+1</div></blockquote><div>no</div>",
        );
        assert_eq!(
            quoted_html.text.split_whitespace().collect::<Vec<_>>(),
            ["Hmm", "no"]
        );
        let p = proposal("p@x", "ada@example.org", "Dev Summit: OTel", 20);
        let h = harvest(
            &[p, html, outlook, gmail, quoted_html],
            &tag(),
            &people(),
            None,
        );
        assert_eq!(h.topics[0].voters, ["carol@example.org"]);
    }

    #[test]
    fn since_duplicates_and_order() {
        let p = proposal("p@x", "ada@example.org", "Dev Summit: A", 20);
        let v = reply("v@x", "p@x", "", "carol@example.org", "+1\r\n", 21, 9);
        let early = proposal("e@x", "bob@example.org", "Dev Summit: B", 10);
        // given out of order and twice: arrival order, one copy each
        let letters = vec![v.clone(), p.clone(), v, p.clone(), early];
        let h = harvest(
            &letters,
            &tag(),
            &people(),
            Some(at("2026-11-10T10:00:00Z")),
        );
        let titles: Vec<&str> = h.topics.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, ["B", "A"]);
        assert_eq!(h.topics[1].votes, 1);
        assert_eq!(h.replies.len(), 1);
        let h = harvest(&[p], &tag(), &people(), Some(at("2026-11-20T10:00:01Z")));
        assert!(h.topics.is_empty());
    }

    #[test]
    fn a_proposal_without_from_or_message_id_is_kept_with_a_warning() {
        let mut no_from = proposal("nf@x", "not an address", "Dev Summit: Lost owner", 20);
        no_from.origin = "mbox line 7".into();
        assert!(no_from.from.is_none());
        let mut no_id = proposal("ni@x", "bob@example.org", "Dev Summit: No id", 20);
        no_id.message_id = None;
        no_id.origin = "UID 9".into();
        let mut odd = proposal("odd@x", "bob@example.org", "Dev Summit: Odd name", 21);
        odd.from.as_mut().unwrap().name = Some("Bob\u{202e}evil".into());
        let bad_reply = parse(
            "Message-ID: <br@x>\nFrom: <>\nIn-Reply-To: <nf@x>\nDate: Mon, 20 Nov 2026 11:00:00 +0000",
            "+1\r\n",
        );
        let h = harvest(&[no_from, no_id, odd, bad_reply], &tag(), &people(), None);
        assert_eq!(h.topics.len(), 3);
        assert_eq!(h.topics[0].owner, UNKNOWN_OWNER);
        assert_eq!(h.topics[0].email, None);
        assert_eq!(h.topics[1].origin, None);
        assert_eq!(h.topics[2].owner, "bob@example.org");
        assert_eq!(h.warnings.len(), 3, "{:?}", h.warnings);
        assert!(
            h.warnings[0].starts_with("mbox line 7: the proposal `Lost owner` has no usable From")
        );
        assert!(h.warnings[1].starts_with("UID 9: the proposal `No id` has no Message-ID"));
        assert!(h.warnings[2].starts_with("test: a reply without a usable From address"));
        assert!(h.replies.is_empty());
    }

    #[test]
    fn display_names_with_control_characters_are_dropped() {
        let l = parse(
            "From: \"Bob\u{202e}lived\" <bob@example.org>\nDate: Mon, 20 Nov 2026 11:00:00 +0000",
            "",
        );
        assert_eq!(l.from.unwrap().name, None);
        let l = parse(
            "From: Bob\n  Builder <bob@example.org>, ann@example.org\nDate: Mon, 20 Nov 2026 11:00:00 +0000",
            "",
        );
        assert_eq!(l.from.unwrap().name.as_deref(), Some("Bob Builder"));
        let l = parse(
            "From: Team: ann@example.org;\nDate: Mon, 20 Nov 2026 11:00:00 +0000",
            "",
        );
        assert_eq!(l.from.unwrap().email.to_string(), "ann@example.org");
    }

    #[test]
    fn titles_lose_prefixes_tags_and_separators() {
        let cases = [
            ("[prometheus-developers] Dev Summit: topic", "topic"),
            (
                "[prometheus-developers] Re: [Dev Summit] Native histograms",
                "Native histograms",
            ),
            (
                "Dev Summit topic proposal – Native histograms",
                "Native histograms",
            ),
            ("Dev summit 2026: Native histograms", "Native histograms"),
            ("Native histograms (dev summit)", "Native histograms"),
            ("Native histograms - Dev Summit", "Native histograms"),
            (
                "Proposal for the next Dev Summit: Native histograms",
                "Native histograms",
            ),
            ("[Dev Summit topic] Native histograms", "Native histograms"),
            (
                "Fwd: RE[2]: Developer Summit — OTel   labels",
                "OTel labels",
            ),
            ("Remote write at the dev summit", "Remote write"),
            (
                "Native histograms proposal for the next Dev Summit",
                "Native histograms",
            ),
            ("Topic for the dev summit", "Topic"),
            ("Dev Summit", "Dev Summit"),
            ("Summit topic: ", "Summit topic"),
        ];
        for (subject, want) in cases {
            assert_eq!(title(subject, &tag()), want, "{subject}");
        }
        let everything = Regex::new(".*").unwrap();
        assert_eq!(title("Re: anything", &everything), "anything");
        let list = Regex::new(r"\[dev-summit\]").unwrap();
        assert_eq!(
            title("[dev-summit] Native histograms", &list),
            "Native histograms"
        );
        let long = format!("Dev Summit: {}", "x".repeat(500));
        assert_eq!(title(&long, &tag()).chars().count(), MAX_TITLE_CHARS + 1);
    }

    #[test]
    fn plus_one_lines() {
        assert!(plus_one("+1"));
        assert!(plus_one("Sounds good.\r\n\t+1 \r\n"));
        assert!(!plus_one("+1 but later"));
        assert!(!plus_one("> +1"));
        assert!(!plus_one(">+1"));
        assert!(!plus_one("+10"));
        assert!(!plus_one("Me.\n-- \n+1"));
        assert!(!plus_one("Me.\r\n--\r\n+1"));
        assert!(!plus_one("No.\n\nOn Fri, Carol wrote: \n+1"));
    }

    #[test]
    fn threads_follow_parents_and_stop_at_loops() {
        // 0 is a topic; 1 → 0; 2 → 1; 3 → 4 → 3 (a loop); 5 → none
        let parent = [None, Some(0), Some(1), Some(4), Some(3), None];
        let topic_of = [Some(0), None, None, None, None, None];
        assert_eq!(
            threads(&parent, &topic_of),
            [Some(0), Some(0), Some(0), None, None, None]
        );
    }

    #[test]
    fn long_threads_and_long_references_stay_linear() {
        let base = proposal("p0", "ada@example.org", "Dev Summit: deep", 20);
        let mut letters = vec![base.clone()];
        // a chain of 20 000 replies, each answering the one before, given newest first
        for i in 1..20_000 {
            let mut l = base.clone();
            l.message_id = Some(format!("p{i}"));
            l.arrived += chrono::Duration::seconds(i);
            l.in_reply_to = vec![format!("p{}", i - 1)];
            l.references = (0..i.min(50)).map(|k| format!("p{k}")).collect();
            l.from = Some("dave@example.org".parse().unwrap());
            l.text = "+1".into();
            letters.push(l);
        }
        let mut huge = base.clone();
        huge.message_id = Some("huge".into());
        huge.arrived += chrono::Duration::days(1);
        huge.in_reply_to = vec!["p19999".into()];
        huge.references = (0..200_000).map(|k| format!("r{k}")).collect();
        huge.from = Some("carol@example.org".parse().unwrap());
        huge.text = "+1".into();
        letters.push(huge);
        letters.reverse();
        let started = std::time::Instant::now();
        let h = harvest(&letters, &tag(), &people(), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        assert_eq!(h.topics.len(), 1);
        assert_eq!(
            h.topics[0].voters,
            ["dave@example.org", "carol@example.org"]
        );
        assert_eq!(h.replies.len(), 20_000);
    }

    fn arb_letter() -> impl Strategy<Value = Letter> {
        let id = prop::sample::select(vec!["a", "b", "c", "d", "e", "f"]);
        let ids = prop::collection::vec(id.clone(), 0..3);
        let from = prop::sample::select(vec![
            None,
            Some("carol@example.org"),
            Some("CAROL@example.org"),
            Some("dave@example.org"),
            Some("mallory@example.org"),
        ]);
        let subject = prop::sample::select(vec![
            "Dev Summit: x",
            "Re: Dev Summit: x",
            "[Dev Summit]",
            "other",
            "",
        ]);
        let text = prop::sample::select(vec!["+1", "> +1", "", "+1\n+1", "no"]);
        (
            0i64..1000,
            prop::option::of(id),
            ids.clone(),
            ids,
            from,
            subject,
            text,
            ".{0,20}",
        )
            .prop_map(|(t, id, irt, refs, from, subject, text, junk)| Letter {
                arrived: DateTime::from_timestamp(1_800_000_000 + t * 60, 0).unwrap(),
                message_id: id.map(String::from),
                in_reply_to: irt.into_iter().map(String::from).collect(),
                references: refs.into_iter().map(String::from).collect(),
                from: from
                    .map(|f| lettre::message::Mailbox::new(Some(junk.clone()), f.parse().unwrap())),
                subject: format!("{subject}{junk}"),
                text: text.to_string(),
                origin: "prop".into(),
            })
    }

    proptest! {
        #[test]
        fn harvest_never_panics_and_votes_are_unique_voters(
            letters in prop::collection::vec(arb_letter(), 0..30),
            since in prop::option::of(0i64..1000),
        ) {
            let since = since.map(|t| DateTime::from_timestamp(1_800_000_000 + t * 60, 0).unwrap());
            let h = harvest(&letters, &tag(), &people(), since);
            for t in &h.topics {
                prop_assert_eq!(t.votes as usize, t.voters.len());
                let unique: HashSet<Email> = t.voters.iter().map(|v| Email::from(v.as_str())).collect();
                prop_assert_eq!(unique.len(), t.voters.len());
                prop_assert!(t.voters.iter().all(|v| people().votes(&Email::from(v.as_str()))));
                prop_assert!(since.is_none_or(|s| t.proposed_at >= s));
                prop_assert!(odd_char(&t.title).is_none());
            }
        }

        #[test]
        fn parsing_arbitrary_bytes_never_panics(raw in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = Letter::parse(&raw, None, "prop".into());
        }

        #[test]
        fn titles_never_panic(subject in ".{0,60}", pattern in prop::sample::select(vec![
            DEFAULT_PROPOSAL_SUBJECT, ".*", "x*", r"\[", "(?i)é", "$", "^",
        ])) {
            let tag = Regex::new(pattern).unwrap();
            let t = title(&subject, &tag);
            prop_assert!(t.chars().count() <= MAX_TITLE_CHARS + 1);
        }
    }
}
