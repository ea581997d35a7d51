//! The GitHub agenda source against a loopback server that keeps GitHub's documented
//! contract: the REST issues listing (`GET /repos/{owner}/{repo}/issues?labels=…&
//! state=open&per_page=100`, paginated with `Link`, pull requests among the issues),
//! the reactions listing (`GET …/issues/{number}/reactions?content=%2B1&per_page=100`),
//! conditional requests (`ETag`, `If-None-Match`, `304`), rate limits (`403` with
//! `x-ratelimit-remaining: 0` and `x-ratelimit-reset`; `429` with `retry-after`), `401`
//! for a bad token, and the GraphQL endpoint for discussions.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use serde_json::{Value, json};
use summit::agenda::{Harvest, People};
use summit::config::{GithubKind, GithubSource};

use crate::contract::{Answer, Request, Server};

const TOKEN: &str = "ghp_S3CR3Tt0k3nN0b0dyM4yS33";
const REPO: &str = "/repos/prometheus/proposals";
const QUERY: &str = "labels=dev%20summit&state=open&per_page=100";
const THUMBS: &str = "content=%2B1&per_page=100";

fn source(server: &Server, kind: GithubKind) -> GithubSource {
    GithubSource {
        repo: "prometheus/proposals".into(),
        label: "dev summit".into(),
        kind,
        token: None,
        api: server.url("").parse().unwrap(),
    }
}

/// Ada and Bob are members (Ada's login in another case), Carol an `@carol` voter.
fn people() -> People {
    let mut p = People::default();
    for login in ["ada-l", "bob", "carol"] {
        p.voter_logins.insert(login.into());
    }
    let ada: Mailbox = "Ada Lovelace <ada@example.org>".parse().unwrap();
    let bob: Mailbox = "Bob Babbage <bob@example.org>".parse().unwrap();
    p.by_login.insert("ada-l".into(), ada);
    p.by_login.insert("bob".into(), bob);
    p
}

fn since() -> Option<DateTime<Utc>> {
    Some("2026-10-01T00:00:00Z".parse().unwrap())
}

fn fetch(
    server: &Server,
    kind: GithubKind,
    token: Option<&str>,
    cache: Option<&Path>,
    timeout: Duration,
) -> summit::Result<Harvest> {
    summit::agenda::github::fetch(
        &source(server, kind),
        token,
        &people(),
        since(),
        cache,
        true,
        timeout,
    )
}

/// The headers GitHub asks every request to carry.
fn headers(r: &Request) -> Result<(), String> {
    r.expect_header("accept", "application/vnd.github+json")?;
    r.expect_header("x-github-api-version", "2022-11-28")?;
    if r.header("user-agent").is_none_or(str::is_empty) {
        return Err("no User-Agent (GitHub refuses requests without one)".into());
    }
    r.expect_header("authorization", &format!("Bearer {TOKEN}"))
}

fn issue(number: u64, login: &str, created: &str, plus_one: u64) -> Value {
    json!({
        "id": 1000 + number,
        "number": number,
        "title": format!("Topic {number}\nsecond line"),
        "user": { "login": login, "id": 1, "type": "User" },
        "labels": [{ "name": "dev summit" }],
        "state": "open",
        "created_at": created,
        "updated_at": created,
        "html_url": format!("https://github.com/prometheus/proposals/issues/{number}"),
        "reactions": { "url": "…", "total_count": plus_one, "+1": plus_one, "-1": 0, "heart": 1 },
    })
}

fn reaction(login: &str, content: &str) -> Value {
    json!({ "id": 1, "content": content, "user": { "login": login, "id": 2 }, "created_at": "2026-11-21T00:00:00Z" })
}

/// GitHub's REST contract for this repository; `before` answers first when it answers.
fn rest(r: &Request) -> Result<Answer, String> {
    headers(r)?;
    if r.method != "GET" {
        return Err(format!("{}, expected GET", r.method));
    }
    let host = r.header("host").ok_or("no Host")?;
    let page2 = format!("/repositories/7/issues?{QUERY}&page=2");
    let reactions2 = format!("/repositories/7/issues/14/reactions?{THUMBS}&page=2");
    let body = match r.path.as_str() {
        p if p == format!("{REPO}/issues?{QUERY}") => {
            let mut pr = issue(13, "ada-l", "2026-11-21T10:00:00Z", 1);
            pr["pull_request"] = json!({ "url": "…", "html_url": "https://github.com/prometheus/proposals/pull/13" });
            json!([
                issue(14, "Ada-L", "2026-11-22T10:00:00Z", 3),
                pr,
                issue(11, "stranger", "2026-11-02T09:30:00Z", 0),
            ])
        }
        p if p == page2 => json!([issue(5, "bob", "2026-09-01T00:00:00Z", 2)]),
        p if p == format!("{REPO}/issues/14/reactions?{THUMBS}") => {
            json!([reaction("BOB", "+1"), reaction("mallory", "+1"),])
        }
        p if p == reactions2 => json!([reaction("bob", "+1"), reaction("carol", "+1")]),
        p => return Err(format!("GET {p} is not a path of this contract")),
    };
    let etag = format!("\"{:x}\"", r.path.len() * 7919);
    if r.header("if-none-match") == Some(etag.as_str()) {
        return Ok(Answer::text(304, "").with("ETag", &etag));
    }
    let mut answer = Answer::json(200, body).with("ETag", &etag);
    let next = if r.path == format!("{REPO}/issues?{QUERY}") {
        Some(page2)
    } else if r.path == format!("{REPO}/issues/14/reactions?{THUMBS}") {
        Some(reactions2)
    } else {
        None
    };
    if let Some(next) = next {
        let link =
            format!("<http://{host}{next}>; rel=\"next\", <http://{host}{next}>; rel=\"last\"");
        answer = answer.with("Link", &link);
    }
    Ok(answer)
}

fn read_dir_text(dir: &Path) -> String {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect()
}

#[test]
fn issues_are_topics_and_member_thumbs_up_are_votes() {
    let server = Server::start(rest);
    let cache = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        cache.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let timeout = Duration::from_secs(10);
    let h = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        Some(cache.path()),
        timeout,
    )
    .unwrap();
    let titles: Vec<&str> = h.topics.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Topic 14 second line", "Topic 11 second line"],
        "the pull request and the issue before `since` are left out"
    );
    let ada = &h.topics[0];
    assert_eq!(ada.owner, "Ada Lovelace");
    assert_eq!(ada.email.as_ref().unwrap().to_string(), "ada@example.org");
    assert_eq!(
        ada.voters,
        ["@BOB", "@carol"],
        "once per login; mallory's 👍 does not count"
    );
    assert_eq!(ada.votes, 2);
    assert_eq!(
        ada.proposed_at,
        "2026-11-22T10:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        ada.origin.as_deref(),
        Some("https://github.com/prometheus/proposals/issues/14")
    );
    let stranger = &h.topics[1];
    assert_eq!(
        (
            stranger.owner.as_str(),
            stranger.email.as_ref(),
            stranger.votes
        ),
        ("@stranger", None, 0)
    );
    assert_eq!(
        h.warnings,
        [
            "issue #11 by `@stranger`: no roster member has `github = \"stranger\"`; the facilitator reaches them by hand"
        ]
    );
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(
        paths.len(),
        4,
        "one listing of two pages, one issue's reactions on two pages: {paths:#?}"
    );
    assert!(
        paths
            .iter()
            .all(|p| !p.contains("/issues/5/") && !p.contains("/issues/13/"))
    );

    let cached = read_dir_text(cache.path());
    assert!(!cached.is_empty() && !cached.contains(TOKEN), "{cached}");

    // The second run revalidates every page and is answered 304 Not Modified.
    let again = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        Some(cache.path()),
        timeout,
    )
    .unwrap();
    assert_eq!(again, h);
    let second = &server.requests()[4..];
    assert_eq!(second.len(), 4);
    assert!(
        second.iter().all(|r| r.header("if-none-match").is_some()),
        "{second:#?}"
    );
    assert!(!read_dir_text(cache.path()).contains(TOKEN));
}

#[test]
fn without_a_cache_nothing_is_revalidated() {
    let server = Server::start(rest);
    let timeout = Duration::from_secs(10);
    let a = fetch(&server, GithubKind::Issue, Some(TOKEN), None, timeout).unwrap();
    let b = fetch(&server, GithubKind::Issue, Some(TOKEN), None, timeout).unwrap();
    assert_eq!(a, b);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("if-none-match").is_none())
    );
}

fn epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn a_rate_limit_that_ends_before_the_deadline_is_waited_out() {
    let refused = Arc::new(AtomicUsize::new(0));
    let count = refused.clone();
    let server = Server::start(move |r| {
        headers(r)?;
        if count.fetch_add(1, Ordering::SeqCst) == 0 {
            let reset = (epoch() + 2).to_string();
            return Ok(
                Answer::json(403, json!({ "message": "API rate limit exceeded" }))
                    .with("x-ratelimit-limit", "60")
                    .with("x-ratelimit-remaining", "0")
                    .with("x-ratelimit-reset", &reset),
            );
        }
        rest(r)
    });
    let started = Instant::now();
    let h = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        None,
        Duration::from_secs(10),
    )
    .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(h.topics.len(), 2);
    assert_eq!(
        server.requests()[0].path,
        server.requests()[1].path,
        "the same request again"
    );
}

#[test]
fn a_rate_limit_past_the_deadline_fails_at_once() {
    let reset = epoch() + 3600;
    let server = Server::start(move |r| {
        headers(r)?;
        Ok(
            Answer::json(403, json!({ "message": "API rate limit exceeded" }))
                .with("x-ratelimit-remaining", "0")
                .with("x-ratelimit-reset", &reset.to_string()),
        )
    });
    let started = Instant::now();
    let e = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        None,
        Duration::from_secs(30),
    )
    .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    let m = e.to_string();
    let until = DateTime::from_timestamp(reset as i64, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    assert!(
        m.starts_with("github:prometheus/proposals: ")
            && m.contains("rate limit")
            && m.contains(&until),
        "{m}"
    );
    assert!(!m.contains(TOKEN));
    assert_eq!(server.requests().len(), 1);

    let server = Server::start(|r| {
        headers(r)?;
        Ok(
            Answer::json(429, json!({ "message": "secondary rate limit" }))
                .with("retry-after", "600"),
        )
    });
    let m = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        None,
        Duration::from_secs(30),
    )
    .unwrap_err()
    .to_string();
    assert!(m.contains("rate limit") && m.contains("try again"), "{m}");
}

#[test]
fn a_refused_token_a_missing_repository_and_garbage_are_errors() {
    let server = Server::start(|r| {
        headers(r)?;
        Ok(Answer::json(
            401,
            json!({ "message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401" }),
        ))
    });
    let m = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        None,
        Duration::from_secs(5),
    )
    .unwrap_err()
    .to_string();
    assert!(
        m.contains("the token was refused") && m.contains("Bad credentials"),
        "{m}"
    );
    assert!(!m.contains(TOKEN), "{m}");

    let server = Server::start(|r| {
        headers(r)?;
        Ok(Answer::json(404, json!({ "message": "Not Found" })))
    });
    let m = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        None,
        Duration::from_secs(5),
    )
    .unwrap_err()
    .to_string();
    assert!(
        m.contains("no repository `prometheus/proposals`, or the token cannot see it"),
        "{m}"
    );

    let server = Server::start(|r| {
        headers(r)?;
        Ok(Answer::json(200, json!({ "issues": "not an array" })))
    });
    let m = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        None,
        Duration::from_secs(5),
    )
    .unwrap_err()
    .to_string();
    assert!(
        m.contains("`GET /repos/prometheus/proposals/issues`") && !m.contains(TOKEN),
        "{m}"
    );
}

#[test]
fn a_public_repository_is_read_without_a_token() {
    let server = Server::start(|r| {
        if r.header("authorization").is_some() {
            return Err("an Authorization header without a token".into());
        }
        Ok(Answer::json(200, json!([])))
    });
    let h = fetch(
        &server,
        GithubKind::Issue,
        None,
        None,
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(h.topics.is_empty());
}

fn discussion(number: u64, login: &str, created: &str, labels: &[&str], thumbs: &[&str]) -> Value {
    json!({
        "number": number,
        "title": format!("Discussion {number}"),
        "url": format!("https://github.com/prometheus/proposals/discussions/{number}"),
        "createdAt": created,
        "author": { "login": login },
        "labels": { "nodes": labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>() },
        "reactions": {
            "pageInfo": { "hasNextPage": false },
            "nodes": thumbs.iter().map(|l| json!({ "user": { "login": l } })).collect::<Vec<_>>(),
        },
    })
}

/// GitHub's GraphQL contract: `POST /graphql`, JSON `{query, variables}`.
fn graphql(r: &Request) -> Result<Answer, String> {
    headers(r)?;
    r.expect("POST", "/graphql")?;
    r.expect_content_type("application/json")?;
    let body = r.json()?;
    let query = body["query"].as_str().ok_or("no query")?;
    for part in [
        "repository(owner: $owner, name: $name)",
        "discussions(",
        "states: [OPEN]",
        "reactions(content: THUMBS_UP",
    ] {
        if !query.contains(part) {
            return Err(format!("the query lacks `{part}`"));
        }
    }
    let vars = &body["variables"];
    if vars["owner"] != "prometheus" || vars["name"] != "proposals" {
        return Err(format!("variables {vars}"));
    }
    let (nodes, next) = match vars["after"].as_str() {
        None => (
            vec![
                discussion(
                    9,
                    "bob",
                    "2026-11-23T08:00:00Z",
                    &["Dev Summit"],
                    &["ada-l", "mallory", "ADA-L"],
                ),
                discussion(8, "bob", "2026-11-20T08:00:00Z", &["question"], &["ada-l"]),
            ],
            true,
        ),
        Some("Y3Vyc29yOjI=") => (
            vec![
                discussion(
                    4,
                    "ghost-writer",
                    "2026-10-20T08:00:00Z",
                    &["dev summit"],
                    &[],
                ),
                discussion(
                    2,
                    "bob",
                    "2026-09-20T08:00:00Z",
                    &["dev summit"],
                    &["carol"],
                ),
            ],
            true,
        ),
        Some(other) => return Err(format!("cursor `{other}`, expected `Y3Vyc29yOjI=`")),
    };
    Ok(Answer::json(
        200,
        json!({ "data": { "repository": { "discussions": {
        "pageInfo": { "hasNextPage": next, "endCursor": "Y3Vyc29yOjI=" },
        "nodes": nodes,
    } } } }),
    ))
}

#[test]
fn discussions_are_read_through_graphql() {
    let server = Server::start(graphql);
    let h = fetch(
        &server,
        GithubKind::Discussion,
        Some(TOKEN),
        None,
        Duration::from_secs(10),
    )
    .unwrap();
    let numbers: Vec<&str> = h
        .topics
        .iter()
        .map(|t| t.origin.as_deref().unwrap())
        .collect();
    assert_eq!(
        numbers,
        [
            "https://github.com/prometheus/proposals/discussions/9",
            "https://github.com/prometheus/proposals/discussions/4"
        ],
        "unlabelled and older discussions are left out"
    );
    assert_eq!(h.topics[0].owner, "Bob Babbage");
    assert_eq!(h.topics[0].voters, ["@ada-l"]);
    assert_eq!(h.topics[1].owner, "@ghost-writer");
    assert_eq!(
        server.requests().len(),
        2,
        "the older page ends the reading"
    );
    assert_eq!(h.warnings.len(), 1, "{:?}", h.warnings);
}

#[test]
fn discussions_need_a_token_and_graphql_errors_are_errors() {
    let server = Server::start(graphql);
    let m = fetch(
        &server,
        GithubKind::Discussion,
        None,
        None,
        Duration::from_secs(5),
    )
    .unwrap_err()
    .to_string();
    assert!(
        m.contains("needs a token") && m.contains("token-env"),
        "{m}"
    );
    assert!(server.requests().is_empty());

    let server = Server::start(|r| {
        headers(r)?;
        Ok(Answer::json(
            200,
            json!({
                "data": { "repository": null },
                "errors": [{ "type": "NOT_FOUND", "path": ["repository"], "message": "Could not resolve to a Repository with the name 'prometheus/proposals'." }],
            }),
        ))
    });
    let m = fetch(
        &server,
        GithubKind::Discussion,
        Some(TOKEN),
        None,
        Duration::from_secs(5),
    )
    .unwrap_err()
    .to_string();
    assert!(
        m.contains("no repository `prometheus/proposals`") && !m.contains(TOKEN),
        "{m}"
    );
}

#[test]
fn a_next_page_on_another_origin_is_not_followed() {
    let elsewhere = Server::start(|_| Err("the token went to another origin".into()));
    let next = elsewhere.url(&format!(
        "/repos/prometheus/proposals/issues?{QUERY}&page=2"
    ));
    let server = Server::start(move |r| {
        headers(r)?;
        Ok(
            Answer::json(200, json!([issue(3, "bob", "2026-11-03T00:00:00Z", 0)]))
                .with("Link", &format!("<{next}>; rel=\"next\"")),
        )
    });
    let h = fetch(
        &server,
        GithubKind::Issue,
        Some(TOKEN),
        None,
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(h.topics.len(), 1);
    assert!(elsewhere.requests().is_empty());
    assert!(
        h.warnings
            .iter()
            .any(|w| w.contains("not at the API's origin")),
        "{:?}",
        h.warnings
    );
}
