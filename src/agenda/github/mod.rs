//! The GitHub source: open issues (or discussions, through GraphQL) with a label; the
//! author is the topic's owner, the creation time its proposal time, 👍 reactions by
//! the people whose votes count its votes. Paginated (`Link`), conditional (ETags kept
//! in the state directory), rate limits honoured within the deadline.
//!
//! Issues come from the REST API (`GET /repos/OWNER/NAME/issues?labels=LABEL&state=open`,
//! then `GET …/issues/N/reactions?content=+1` for each issue with a 👍). Discussions
//! come from the GraphQL API ([`graphql_url`]): `repository.discussions(states: [OPEN])`,
//! newest first, with their labels (a discussion without the label is left out) and
//! their `THUMBS_UP` reactions. GitHub answers GraphQL only with a token.

mod cache;
mod graphql;
mod http;
mod rest;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Harvest, People, Topic};
use crate::config::{GithubKind, GithubSource};
use crate::error::Result;

pub use graphql::graphql_url;

/// The most pages read of one listing (issues, one issue's reactions, discussions);
/// the rest is left with a warning.
pub const MAX_PAGES: usize = 20;

/// The largest answer accepted from GitHub: 16 MiB.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// The topics of `source` created after `since`, with their votes.
///
/// `token` is sent as `Authorization: Bearer` when given (discussions need one).
/// `cache` is the folder for the ETag cache (`None`: no conditional requests, nothing
/// written), written only when `write`. `timeout` bounds the whole read, waits for a
/// rate limit included.
///
/// # Errors
/// [`crate::Error::Agenda`] naming `github:OWNER/NAME`: the API cannot be reached, the
/// token is refused or missing for discussions, the rate limit outlasts the deadline,
/// an answer is malformed.
pub fn fetch(
    source: &GithubSource,
    token: Option<&str>,
    people: &People,
    since: Option<DateTime<Utc>>,
    cache: Option<&Path>,
    write: bool,
    timeout: Duration,
) -> Result<Harvest> {
    let client = http::Client::new(source, token, cache, write, timeout)?;
    match source.kind {
        GithubKind::Issue => rest::issues(&client, people, since),
        GithubKind::Discussion => graphql::discussions(&client, people, since),
    }
}

/// An issue or discussion as both APIs give it.
pub(super) struct Proposal<'a> {
    /// `issue` or `discussion`, for warnings.
    pub what: &'static str,
    pub number: u64,
    pub title: &'a str,
    /// The author's login; `None` for a deleted account.
    pub author: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub url: &'a str,
}

/// The topic of `p`, with the 👍 of `logins` (in order) that count; a warning in
/// `warnings` when no member has the author's login.
pub(super) fn topic<'l>(
    p: &Proposal,
    logins: impl IntoIterator<Item = &'l str>,
    people: &People,
    warnings: &mut Vec<String>,
) -> Topic {
    let mut voters: Vec<String> = Vec::new();
    for login in logins {
        let taken = voters.iter().any(|v| v[1..].eq_ignore_ascii_case(login));
        if people.votes_on_github(login) && !taken {
            voters.push(format!("@{}", crate::text::one_line(login)));
        }
    }
    let login = crate::text::one_line(p.author.unwrap_or("ghost"));
    let member = people.by_login.get(&login.to_ascii_lowercase());
    let (owner, email) = match member {
        Some(m) => (
            m.name.clone().unwrap_or_else(|| m.email.to_string()),
            Some(m.email.clone()),
        ),
        None => {
            warnings.push(format!(
                "{} #{} by `@{login}`: no roster member has `github = \"{login}\"`; the facilitator reaches them by hand",
                p.what, p.number
            ));
            (format!("@{login}"), None)
        }
    };
    Topic {
        title: crate::text::one_line(p.title).trim().to_string(),
        owner,
        email,
        votes: u32::try_from(voters.len()).unwrap_or(u32::MAX),
        proposed_at: p.created_at,
        voters,
        origin: Some(p.url.to_string()),
        confirmed: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::Mailbox;

    fn people() -> People {
        let mut p = People::default();
        p.voter_logins.insert("ada".into());
        p.voter_logins.insert("bob".into());
        p.by_login.insert(
            "ada".into(),
            Mailbox::new(Some("Ada L".into()), "ada@example.org".parse().unwrap()),
        );
        p
    }

    fn proposal(author: Option<&'static str>) -> Proposal<'static> {
        Proposal {
            what: "issue",
            number: 12,
            title: "Native\nhistograms",
            author,
            created_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            url: "https://github.com/o/n/issues/12",
        }
    }

    #[test]
    fn a_members_issue_has_their_address_and_counted_votes() {
        let mut w = Vec::new();
        let t = topic(
            &proposal(Some("ADA")),
            ["Bob", "mallory", "bob", "ada"],
            &people(),
            &mut w,
        );
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(t.owner, "Ada L");
        assert_eq!(t.email.unwrap().to_string(), "ada@example.org");
        assert_eq!(t.voters, ["@Bob", "@ada"]);
        assert_eq!(t.votes, 2);
        assert_eq!(t.title, "Native histograms");
    }

    #[test]
    fn a_strangers_issue_is_owned_by_their_login_with_a_warning() {
        let mut w = Vec::new();
        let t = topic(&proposal(Some("eve")), [], &people(), &mut w);
        assert_eq!((t.owner.as_str(), t.email), ("@eve", None));
        assert_eq!(
            w,
            [
                "issue #12 by `@eve`: no roster member has `github = \"eve\"`; the facilitator reaches them by hand"
            ]
        );
        let t = topic(&proposal(None), [], &people(), &mut w);
        assert_eq!(t.owner, "@ghost");
    }
}
