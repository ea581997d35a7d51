//! Discussions through the GraphQL API: `repository.discussions(states: [OPEN])`,
//! newest first, each with its labels and its `THUMBS_UP` reactions. The connection
//! has no label filter, so the labels are compared here (without regard to case, as
//! GitHub names labels); the search connection would filter on the server but lags
//! behind new discussions and stops at 1,000 results.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use super::http::Client;
use super::{MAX_PAGES, Proposal, topic};
use crate::agenda::{Harvest, People};
use crate::error::Result;

/// The query: one page of 50 open discussions, newest first.
const QUERY: &str = "query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    discussions(first: 50, after: $after, states: [OPEN], orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number title url createdAt
        author { login }
        labels(first: 50) { nodes { name } }
        reactions(content: THUMBS_UP, first: 100) { pageInfo { hasNextPage } nodes { user { login } } }
      }
    }
  }
}";

/// The GraphQL endpoint of a REST API base: `https://api.github.com/graphql` for
/// `https://api.github.com`; `https://HOST/api/graphql` for GitHub Enterprise Server's
/// `https://HOST/api/v3`; else `API/graphql` (a test server).
pub fn graphql_url(api: &Url) -> Url {
    let mut url = api.clone();
    let path = api.path().trim_end_matches('/');
    let base = path
        .strip_suffix("/api/v3")
        .map_or(path.to_string(), |p| format!("{p}/api"));
    url.set_path(&format!("{base}/graphql"));
    url.set_query(None);
    url
}

#[derive(Deserialize)]
struct Answer {
    data: Option<Data>,
    #[serde(default)]
    errors: Vec<GraphqlError>,
}

#[derive(Deserialize)]
struct GraphqlError {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct Data {
    repository: Option<Repository>,
}

#[derive(Deserialize)]
struct Repository {
    discussions: Connection<Discussion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Connection<T> {
    /// Not asked of the labels.
    #[serde(default)]
    page_info: PageInfo,
    #[serde(default = "Vec::new")]
    nodes: Vec<Option<T>>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    #[serde(default)]
    end_cursor: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Discussion {
    number: u64,
    title: String,
    url: String,
    created_at: DateTime<Utc>,
    author: Option<Login>,
    labels: Option<Connection<Label>>,
    reactions: Connection<Reaction>,
}

#[derive(Deserialize)]
struct Login {
    login: String,
}

#[derive(Deserialize)]
struct Label {
    name: String,
}

#[derive(Deserialize)]
struct Reaction {
    user: Option<Login>,
}

/// The open discussions labelled `source.label`, created after `since`, with their
/// votes.
pub(super) fn discussions(
    client: &Client,
    people: &People,
    since: Option<DateTime<Utc>>,
) -> Result<Harvest> {
    if !client.has_token() {
        return Err(client.fail(
            "reading discussions needs a token (GitHub answers GraphQL only with one), expected `token-env = \"VARIABLE\"` or `token-command` in [agenda.github]",
        ));
    }
    let url = graphql_url(&client.source.api);
    let (owner, name) = client
        .source
        .repo
        .split_once('/')
        .unwrap_or((&client.source.repo, ""));
    let mut harvest = Harvest::default();
    let mut after: Option<String> = None;
    for page in 1.. {
        if page > MAX_PAGES {
            harvest.warnings.push(format!(
                "discussions: more than {MAX_PAGES} pages; the older ones were not read"
            ));
            break;
        }
        let body = serde_json::json!({
            "query": QUERY,
            "variables": { "owner": owner, "name": name, "after": after },
        });
        let connection = ask(client, &url, &body)?;
        let mut older = false;
        for d in connection.nodes.into_iter().flatten() {
            if since.is_some_and(|s| d.created_at <= s) {
                older = true;
                continue;
            }
            take(client, d, people, &mut harvest);
        }
        match connection.page_info.end_cursor {
            Some(cursor) if connection.page_info.has_next_page && !older => after = Some(cursor),
            _ => break,
        }
    }
    Ok(harvest)
}

/// One page of discussions.
fn ask(client: &Client, url: &Url, body: &serde_json::Value) -> Result<Connection<Discussion>> {
    let bytes = client.post(url, body)?;
    let answer: Answer = serde_json::from_slice(&bytes).map_err(|e| {
        client.fail(format!(
            "the answer to `POST {}` is not what GitHub sends ({e}), expected `data.repository.discussions`",
            url.path()
        ))
    })?;
    if let Some(e) = answer.errors.first() {
        let said = crate::text::one_line(&e.message);
        let said: String = said.chars().take(200).collect();
        return Err(client.fail(match e.kind.as_deref() {
            Some("NOT_FOUND") => format!(
                "no repository `{}`, or the token cannot see it (GraphQL: {said})",
                client.source.repo
            ),
            Some("RATE_LIMITED") => {
                format!("the GraphQL rate limit is spent ({said}); try again later")
            }
            _ => format!("the GraphQL API answered with an error: {said}"),
        }));
    }
    answer
        .data
        .and_then(|d| d.repository)
        .map(|r| r.discussions)
        .ok_or_else(|| {
            client.fail(format!(
                "no repository `{}`, or the token cannot see it (GraphQL answered no repository)",
                client.source.repo
            ))
        })
}

/// Adds `d` to `harvest` when it has the label.
fn take(client: &Client, d: Discussion, people: &People, harvest: &mut Harvest) {
    let label = &client.source.label;
    let labelled = d
        .labels
        .iter()
        .flat_map(|l| l.nodes.iter().flatten())
        .any(|l| l.name.eq_ignore_ascii_case(label));
    if !labelled {
        return;
    }
    if d.reactions.page_info.has_next_page {
        harvest.warnings.push(format!(
            "discussion #{} has more than 100 👍; only the first 100 were counted",
            d.number
        ));
    }
    let logins: Vec<&str> = d
        .reactions
        .nodes
        .iter()
        .flatten()
        .filter_map(|r| r.user.as_ref().map(|u| u.login.as_str()))
        .collect();
    let proposal = Proposal {
        what: "discussion",
        number: d.number,
        title: &d.title,
        author: d.author.as_ref().map(|a| a.login.as_str()),
        created_at: d.created_at,
        url: &d.url,
    };
    let t = topic(&proposal, logins, people, &mut harvest.warnings);
    harvest.topics.push(t);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_graphql_endpoint() {
        let at = |api: &str| graphql_url(&Url::parse(api).unwrap()).to_string();
        assert_eq!(
            at("https://api.github.com"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            at("https://api.github.com/"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            at("https://ghe.example.org/api/v3"),
            "https://ghe.example.org/api/graphql"
        );
        assert_eq!(
            at("https://ghe.example.org/api/v3/"),
            "https://ghe.example.org/api/graphql"
        );
        assert_eq!(at("http://127.0.0.1:8080"), "http://127.0.0.1:8080/graphql");
    }
}
