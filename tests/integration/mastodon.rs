//! The Mastodon channel against a loopback server that keeps Mastodon's REST contract
//! (docs.joinmastodon.org, "statuses", "instance", "accounts", "rate limits"): `GET
//! /api/v2/instance` without a token; `POST /api/v1/statuses` and `PUT
//! /api/v1/statuses/:id` with `Authorization: Bearer`, a JSON body with `status`
//! within the instance's limit, `Idempotency-Key` on every `POST` (a repeated key
//! answers the status already made); `GET /api/v1/accounts/verify_credentials`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use summit::config::{Audience, Channel, ChannelKind, Secret};
use summit::model::{Kind, Step};
use summit::send::channel::{self, Post, Posted};
use summit::send::transport::Outcome;

use crate::contract::{Answer, Request, Server};

pub(crate) const TOKEN: &str = "t0ken-S3CR3T-abc";
const MESSAGE_ID: &str = "reminder.2026-12-03.summit@example.org";

/// What the fake instance holds: its limit, the statuses by ID, the keys seen, and
/// the answers to give first (then it keeps the contract).
#[derive(Default)]
pub(crate) struct Instance {
    pub(crate) limit: usize,
    pub(crate) statuses: HashMap<String, Value>,
    pub(crate) keys: HashMap<String, String>,
    pub(crate) first: Vec<Answer>,
}

pub(crate) type Shared = Arc<Mutex<Instance>>;

/// How Mastodon counts `text`: characters, each `http(s)://…` run as 23.
fn counted(text: &str) -> usize {
    text.split_inclusive(char::is_whitespace)
        .map(|w| {
            let t = w.trim_end();
            let url = t.starts_with("https://") || t.starts_with("http://");
            let rest = w.chars().count() - t.chars().count();
            if url { 23 + rest } else { w.chars().count() }
        })
        .sum()
}

fn authorised(r: &Request) -> Result<(), String> {
    r.expect_header("Authorization", &format!("Bearer {TOKEN}"))
}

/// The status text of a `POST`/`PUT`, checked.
fn status_text(r: &Request, limit: usize) -> Result<Value, String> {
    authorised(r)?;
    r.expect_content_type("application/json")?;
    let body = r.json()?;
    let text = body["status"].as_str().ok_or("no string `status`")?;
    if text.trim().is_empty() || counted(text) > limit {
        return Err(format!(
            "`status` of {} characters, expected 1 to {limit}",
            counted(text)
        ));
    }
    Ok(body)
}

fn handle(r: &Request, state: &Shared) -> Result<Answer, String> {
    let mut s = state.lock().unwrap();
    if r.path == "/api/v2/instance" {
        r.expect("GET", "/api/v2/instance")?;
        if r.header("authorization").is_some() {
            return Err("the token was sent to a public endpoint".into());
        }
        return Ok(Answer::json(
            200,
            json!({"domain": "127.0.0.1", "configuration": {"statuses": {
                "max_characters": s.limit, "max_media_attachments": 4,
                "characters_reserved_per_url": 23}}}),
        ));
    }
    if r.path == "/api/v1/accounts/verify_credentials" {
        r.expect("GET", &r.path)?;
        let auth = r.header("authorization").unwrap_or("");
        if !auth.starts_with("Bearer ") {
            return Err(format!("Authorization `{auth}`, expected `Bearer TOKEN`"));
        }
        if auth != format!("Bearer {TOKEN}") {
            let invalid = json!({"error": "The access token is invalid"});
            return Ok(Answer::json(401, invalid));
        }
        return Ok(Answer::json(200, json!({"id": "7", "acct": "summit"})));
    }
    if !s.first.is_empty() {
        return Ok(s.first.remove(0));
    }
    if r.method == "POST" && r.path == "/api/v1/statuses" {
        let body = status_text(r, s.limit)?;
        let key = r.header("idempotency-key").ok_or("no Idempotency-Key")?;
        if !["public", "unlisted", "private", "direct"]
            .contains(&body["visibility"].as_str().unwrap_or(""))
        {
            return Err(format!("visibility {}", body["visibility"]));
        }
        if let Some(reply) = body.get("in_reply_to_id") {
            let id = reply.as_str().ok_or("in_reply_to_id not a string")?;
            if !s.statuses.contains_key(id) {
                return Ok(Answer::json(
                    422,
                    json!({"error": "Validation failed: reply to a status that does not exist"}),
                ));
            }
        }
        let id = match s.keys.get(key) {
            Some(id) => id.clone(),
            None => {
                let id = format!("10932{}", s.statuses.len() + 1);
                s.keys.insert(key.to_string(), id.clone());
                s.statuses.insert(id.clone(), body.clone());
                id
            }
        };
        return Ok(Answer::json(
            200,
            json!({"id": id, "visibility": body["visibility"]}),
        ));
    }
    if let Some(id) = r.path.strip_prefix("/api/v1/statuses/") {
        r.expect("PUT", &r.path)?;
        let body = status_text(r, s.limit)?;
        if body.get("visibility").is_some() {
            return Err("visibility cannot be edited".into());
        }
        return Ok(match s.statuses.get_mut(id) {
            Some(status) => {
                status["status"] = body["status"].clone();
                Answer::json(200, json!({"id": id}))
            }
            None => Answer::json(404, json!({"error": "Record not found"})),
        });
    }
    Err("not a Mastodon endpoint summit uses".into())
}

pub(crate) fn instance(limit: usize, first: Vec<Answer>) -> (Server, Shared) {
    let state: Shared = Arc::new(Mutex::new(Instance {
        limit,
        first,
        ..Instance::default()
    }));
    let s = state.clone();
    (Server::start(move |r| handle(r, &s)), state)
}

fn config(server: &Server, audience: Audience, timeout: Duration) -> Channel {
    Channel {
        name: "fedi".into(),
        audience,
        timeout,
        kind: ChannelKind::Mastodon {
            instance: url::Url::parse(&server.url("/")).unwrap(),
            access_token: Secret::Command {
                command: format!("printf '%s' '{TOKEN}'"),
                timeout: Duration::from_secs(5),
            },
        },
    }
}

fn open(server: &Server, audience: Audience) -> Box<dyn channel::Channel> {
    channel::open(
        &config(server, audience, Duration::from_secs(5)),
        TOKEN.into(),
    )
    .unwrap()
}

fn post<'a>(markdown: &'a str, thread: Option<&'a str>, edit: Option<&'a str>) -> Post<'a> {
    Post {
        message_id: MESSAGE_ID,
        kind: Kind::Step(Step::Reminder),
        title: "Developer summit",
        markdown,
        thread,
        edit,
        resumed: false,
    }
}

fn reason(p: &Posted) -> String {
    match &p.outcome {
        Outcome::Sent => String::new(),
        Outcome::NotSent { reason, .. } | Outcome::Unknown(reason) => reason.clone(),
    }
}

fn posts(server: &Server) -> Vec<Request> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/statuses"))
        .collect()
}

#[test]
fn mastodon_reminder_is_a_public_status_keyed_by_its_message_id() {
    let (server, state) = instance(500, vec![]);
    let mut ch = open(&server, Audience::Public);
    let p = ch.post(&post(
        "**Summit** on Thursday: <https://meet.example.org/x>",
        None,
        None,
    ));
    assert_eq!(p, Posted::sent(Some("109321".into())));
    let sent = posts(&server);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("idempotency-key"), Some(MESSAGE_ID));
    let body = sent[0].json().unwrap();
    assert_eq!(body["visibility"], "public");
    assert_eq!(
        body["status"],
        "Summit on Thursday: https://meet.example.org/x"
    );
    // Resumed after an unconfirmed attempt: the same key, the same status, no duplicate.
    let again = ch.post(&Post {
        resumed: true,
        ..post(
            "**Summit** on Thursday: <https://meet.example.org/x>",
            None,
            None,
        )
    });
    assert_eq!(again, p);
    assert_eq!(state.lock().unwrap().statuses.len(), 1);
    let instance_reads = server
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v2/instance")
        .count();
    assert_eq!(instance_reads, 1, "the limit is read once");
}

#[test]
fn mastodon_long_text_is_shortened_within_the_instance_limit() {
    let (server, _) = instance(200, vec![]);
    let mut ch = open(&server, Audience::Public);
    let md = format!(
        "Developer summit on Thursday 3 December, 15:00 UTC.\n\nJoin: <https://meet.example.org/summit-2026-12-03-long-room-name>\n\n{}",
        "Agenda item with a long description. ".repeat(20)
    );
    assert!(matches!(
        ch.post(&post(&md, None, None)).outcome,
        Outcome::Sent
    ));
    let status = posts(&server)[0].json().unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(counted(&status) <= 200, "{status}");
    assert!(
        status.starts_with("Developer summit on Thursday 3 December"),
        "{status}"
    );
    assert!(
        status.contains("https://meet.example.org/summit-2026-12-03-long-room-name"),
        "{status}"
    );
    assert!(status.contains('…'), "{status}");
}

#[test]
fn mastodon_correction_edits_the_status_and_later_steps_reply() {
    let (server, state) = instance(500, vec![]);
    let mut ch = open(&server, Audience::Team);
    let first = ch.post(&post("Summit on 3 December.", None, None));
    let id = first.id.clone().unwrap();
    let fixed = ch.post(&Post {
        kind: Kind::Correction,
        message_id: "correction.1@example.org",
        ..post("Summit **moved** to 4 December.", None, Some(&id))
    });
    assert_eq!(fixed, Posted::sent(Some(id.clone())));
    let reply = ch.post(&Post {
        kind: Kind::Step(Step::Handover),
        message_id: "handover.1@example.org",
        ..post("Handover.", Some(&id), None)
    });
    assert!(matches!(reply.outcome, Outcome::Sent), "{reply:?}");
    let sent = posts(&server);
    assert_eq!(sent[0].json().unwrap()["visibility"], "unlisted");
    assert_eq!(sent[1].method, "PUT");
    assert_eq!(sent[1].path, format!("/api/v1/statuses/{id}"));
    assert_eq!(sent[1].header("idempotency-key"), None);
    assert_eq!(sent[2].json().unwrap()["in_reply_to_id"], id.as_str());
    assert_eq!(
        state.lock().unwrap().statuses[&id]["status"],
        "Summit moved to 4 December."
    );
    // A status deleted since: the edit is not sent, and says which.
    let gone = ch.post(&post("Again.", None, Some("999")));
    assert!(
        matches!(&gone.outcome, Outcome::NotSent { fatal: false, reason } if reason.contains("404") && reason.contains("`Record not found`")),
        "{gone:?}"
    );
}

#[test]
fn mastodon_429_waits_for_the_rate_limit_reset() {
    let reset = (chrono::Utc::now() + chrono::Duration::milliseconds(1200))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let limited = Answer::json(429, json!({"error": "Too many requests"}))
        .with("X-RateLimit-Limit", "300")
        .with("X-RateLimit-Remaining", "0")
        .with("X-RateLimit-Reset", &reset);
    let (server, _) = instance(500, vec![limited]);
    let started = Instant::now();
    let p = open(&server, Audience::Public).post(&post("Summit.", None, None));
    assert!(matches!(p.outcome, Outcome::Sent), "{p:?}");
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert_eq!(posts(&server).len(), 2);
}

#[test]
fn mastodon_429_beyond_the_bound_is_not_sent_at_once() {
    let limited =
        Answer::json(429, json!({"error": "Too many requests"})).with("Retry-After", "3600");
    let (server, _) = instance(500, vec![limited]);
    let started = Instant::now();
    let p = open(&server, Audience::Public).post(&post("Summit.", None, None));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(p.outcome, Outcome::NotSent { fatal: false, .. }),
        "{p:?}"
    );
    assert_eq!(posts(&server).len(), 1);
}

#[test]
fn mastodon_refusals_are_not_sent_and_never_show_the_token() {
    let bad_token = Answer::json(401, json!({"error": "The access token is invalid"}));
    let (server, _) = instance(500, vec![bad_token]);
    let p = open(&server, Audience::Public).post(&post("Summit.", None, None));
    assert!(
        matches!(p.outcome, Outcome::NotSent { fatal: true, .. }),
        "{p:?}"
    );
    assert!(
        reason(&p).contains("`The access token is invalid`"),
        "{p:?}"
    );
    assert!(!reason(&p).contains("S3CR3T"));
    let invalid = Answer::json(
        422,
        json!({"error": "Validation failed: Text character limit of 500 exceeded"}),
    );
    let (server, _) = instance(500, vec![invalid]);
    let p = open(&server, Audience::Public).post(&post("Summit.", None, None));
    assert!(
        matches!(p.outcome, Outcome::NotSent { fatal: false, .. }),
        "{p:?}"
    );
    assert!(reason(&p).contains("character limit"), "{p:?}");
    let broken = Answer::json(502, json!({"error": "Bad gateway"}));
    let (server, _) = instance(500, vec![broken]);
    let p = open(&server, Audience::Public).post(&post("Summit.", None, None));
    assert!(matches!(p.outcome, Outcome::Unknown(_)), "{p:?}");
}

#[test]
fn mastodon_no_answer_is_unknown_within_the_timeout() {
    let (server, _) = instance(500, vec![Answer::Silence(Duration::from_secs(4))]);
    let cfg = config(&server, Audience::Public, Duration::from_secs(1));
    let mut ch = channel::open(&cfg, TOKEN.into()).unwrap();
    let started = Instant::now();
    let p = ch.post(&post("Summit.", None, None));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(p.outcome, Outcome::Unknown(_)), "{p:?}");
    assert!(!reason(&p).contains("S3CR3T"));
}

#[test]
fn mastodon_check_verifies_credentials_only_with_connect() {
    let (server, _) = instance(500, vec![]);
    let cfg = config(&server, Audience::Public, Duration::from_secs(5));
    let line = channel::check(&cfg, false).unwrap();
    assert!(line.contains("not connected"), "{line}");
    assert!(server.requests().is_empty());
    let line = channel::check(&cfg, true).unwrap();
    assert!(line.contains("posts as @summit@127.0.0.1"), "{line}");
    assert!(!line.contains("S3CR3T"), "{line}");
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/api/v1/accounts/verify_credentials");
    let (server, _) = instance(500, vec![]);
    let mut cfg = config(&server, Audience::Public, Duration::from_secs(5));
    cfg.kind = ChannelKind::Mastodon {
        instance: url::Url::parse(&server.url("/")).unwrap(),
        access_token: Secret::Command {
            command: "printf '%s' wrong-S3CR3T".into(),
            timeout: Duration::from_secs(5),
        },
    };
    let failed = channel::check(&cfg, true).expect_err("a wrong token is refused");
    let text = format!("{} {:?}", failed.error, failed.detail);
    assert!(text.contains("401"), "{text}");
    assert!(!text.contains("S3CR3T"), "{text}");
}

#[test]
fn mastodon_unanswered_instance_read_is_not_sent() {
    let server = Server::start(|r| {
        r.expect("GET", "/api/v2/instance")?;
        Ok(Answer::Silence(Duration::from_secs(4)))
    });
    let cfg = config(&server, Audience::Public, Duration::from_secs(1));
    let p = channel::open(&cfg, TOKEN.into())
        .unwrap()
        .post(&post("Summit.", None, None));
    assert!(
        matches!(p.outcome, Outcome::NotSent { fatal: true, .. }),
        "{p:?}"
    );
    assert!(posts(&server).is_empty());
}
