//! Issues through the REST API: the open issues with the label (pull requests left
//! out), then the 👍 reactions of each issue that has any.

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::http::Client;
use super::{MAX_PAGES, Proposal, topic};
use crate::agenda::{Harvest, People};
use crate::error::Result;

/// What a query value keeps unencoded (RFC 3986 unreserved).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An issue (or pull request) of `GET /repos/{owner}/{repo}/issues`.
#[derive(Deserialize)]
struct Issue {
    number: u64,
    title: String,
    user: Option<User>,
    created_at: DateTime<Utc>,
    html_url: String,
    #[serde(default)]
    reactions: Option<Reactions>,
    /// Present on pull requests only.
    #[serde(default)]
    pull_request: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct User {
    login: String,
}

/// An issue's reaction rollup.
#[derive(Deserialize)]
struct Reactions {
    #[serde(rename = "+1", default)]
    plus_one: u64,
}

/// One reaction of `GET /repos/{owner}/{repo}/issues/{number}/reactions`.
#[derive(Deserialize)]
struct Reaction {
    content: String,
    user: Option<User>,
}

/// The open issues labelled `source.label`, created after `since`, with their votes.
pub(super) fn issues(
    client: &Client,
    people: &People,
    since: Option<DateTime<Utc>>,
) -> Result<Harvest> {
    let (owner, name) = client
        .source
        .repo
        .split_once('/')
        .unwrap_or((&client.source.repo, ""));
    let query = format!(
        "labels={}&state=open&per_page=100",
        utf8_percent_encode(&client.source.label, QUERY)
    );
    let first = client.endpoint(&["repos", owner, name, "issues"], &query);
    let mut warnings = Vec::new();
    let listed: Vec<Issue> = pages(client, first, "issues", &mut warnings)?;
    let mut topics = Vec::new();
    for issue in listed {
        if issue.pull_request.is_some() || since.is_some_and(|s| issue.created_at <= s) {
            continue;
        }
        let logins: Vec<String> = if issue.reactions.as_ref().is_some_and(|r| r.plus_one > 0) {
            let number = issue.number.to_string();
            let url = client.endpoint(
                &["repos", owner, name, "issues", &number, "reactions"],
                "content=%2B1&per_page=100",
            );
            let what = format!("the 👍 of issue #{number}");
            let reactions: Vec<Reaction> = pages(client, url, &what, &mut warnings)?;
            reactions
                .into_iter()
                .filter(|r| r.content == "+1")
                .filter_map(|r| r.user.map(|u| u.login))
                .collect()
        } else {
            Vec::new()
        };
        let proposal = Proposal {
            what: "issue",
            number: issue.number,
            title: &issue.title,
            author: issue.user.as_ref().map(|u| u.login.as_str()),
            created_at: issue.created_at,
            url: &issue.html_url,
        };
        topics.push(topic(
            &proposal,
            logins.iter().map(String::as_str),
            people,
            &mut warnings,
        ));
    }
    Ok(Harvest {
        topics,
        replies: Vec::new(),
        warnings,
    })
}

/// Every item of a paginated listing from `first`, following `rel="next"` for at most
/// [`MAX_PAGES`] pages (a warning names `what` when there are more).
fn pages<T: DeserializeOwned>(
    client: &Client,
    first: Url,
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<T>> {
    let mut items = Vec::new();
    let mut url = Some(first);
    let mut read = 0;
    while let Some(u) = url {
        if read == MAX_PAGES {
            warnings.push(format!(
                "{what}: more than {MAX_PAGES} pages; the rest were not read"
            ));
            break;
        }
        let page = client.get(&u)?;
        let mut batch: Vec<T> = serde_json::from_slice(&page.body).map_err(|e| {
            client.fail(format!(
                "the answer to `GET {}` is not what GitHub sends ({e}), expected a JSON array of {what}",
                u.path()
            ))
        })?;
        items.append(&mut batch);
        if let Some(origin) = page.elsewhere {
            warnings.push(format!(
                "{what}: the next page is at `{origin}`, not at the API's origin; not followed"
            ));
        }
        read += 1;
        url = page.next;
    }
    Ok(items)
}
