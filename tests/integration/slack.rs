//! The Slack-compatible webhook channel against a loopback server that keeps Slack's
//! incoming-webhook contract: `POST` to the webhook's path, `Content-Type:
//! application/json`, a JSON object with a string `text`; answers `200 ok`, `400
//! invalid_payload`, `404 no_service`, `429` with `Retry-After`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use summit::config::{Audience, Channel, ChannelKind, Secret};
use summit::mail::markdown::escape;
use summit::model::{Kind, Step};
use summit::send::channel::{self, Post, Posted};
use summit::send::transport::Outcome;

use crate::contract::{Answer, Request, Server};

/// The webhook's path: the secret.
const HOOK: &str = "/services/T000/B000/S3CR3TxW3bh00kPath";

fn config(timeout: Duration, webhook: Secret) -> Channel {
    Channel {
        name: "chat".into(),
        audience: Audience::Public,
        timeout,
        kind: ChannelKind::Slack {
            webhook,
            markup: summit::config::Markup::Mrkdwn,
        },
    }
}

fn unused() -> Secret {
    Secret::Env("SUMMIT_TEST_UNUSED_WEBHOOK".into())
}

/// Slack's contract for one post, or why the request breaks it.
fn contract(r: &Request) -> Result<String, String> {
    r.expect("POST", HOOK)?;
    r.expect_content_type("application/json")?;
    let json = r.json()?;
    let obj = json.as_object().ok_or("the body is not a JSON object")?;
    let text = obj
        .get("text")
        .and_then(|t| t.as_str())
        .ok_or("no string `text`: Slack answers 400 no_text")?;
    if text.trim().is_empty() {
        return Err("an empty `text`".into());
    }
    Ok(text.to_string())
}

fn reminder(markdown: &str) -> Post<'_> {
    Post {
        message_id: "reminder.2026-12-03.summit@example.org",
        kind: Kind::Step(Step::Reminder),
        title: "Developer summit, 3 December",
        markdown,
        thread: None,
        edit: None,
        resumed: false,
    }
}

fn post(server: &Server, timeout: Duration, markdown: &str) -> Posted {
    let mut ch = channel::open(&config(timeout, unused()), server.url(HOOK)).unwrap();
    ch.post(&reminder(markdown))
}

fn assert_secret_free(text: &str) {
    assert!(
        !text.contains("S3CR3T"),
        "the webhook's path leaked: {text}"
    );
}

fn reason(p: &Posted) -> &str {
    match &p.outcome {
        Outcome::Sent => "",
        Outcome::NotSent { reason, .. } | Outcome::Unknown(reason) => reason,
    }
}

#[test]
fn mattermost_markup_posts_the_markdown_itself() {
    let texts = Arc::new(Mutex::new(Vec::new()));
    let got = texts.clone();
    let server = Server::start(move |r| {
        got.lock().unwrap().push(contract(r)?);
        Ok(Answer::text(200, "ok"))
    });
    let mut c = config(Duration::from_secs(5), unused());
    c.kind = ChannelKind::Slack {
        webhook: unused(),
        markup: summit::config::Markup::Markdown,
    };
    let value = summit::mail::markdown::escape("<!channel> @channel *x*");
    let md = format!("**Developer summit**: {value}, [join](https://meet.example.org/x).\n");
    let p = channel::open(&c, server.url(HOOK))
        .unwrap()
        .post(&reminder(&md));
    assert_eq!(p, Posted::sent(None));
    assert_eq!(texts.lock().unwrap().as_slice(), [md.trim_end()]);
    assert!(!md.contains("@channel"), "the mention is broken: {md}");
}

#[test]
fn slack_reminder_is_posted_as_mrkdwn_text() {
    let texts = Arc::new(Mutex::new(Vec::new()));
    let got = texts.clone();
    let server = Server::start(move |r| {
        got.lock().unwrap().push(contract(r)?);
        Ok(Answer::text(200, "ok"))
    });
    let md = "**Developer summit** on Thursday, [join here](https://meet.example.org/x).";
    let p = post(&server, Duration::from_secs(5), md);
    assert_eq!(p, Posted::sent(None));
    assert_eq!(
        texts.lock().unwrap().as_slice(),
        ["*Developer summit* on Thursday, <https://meet.example.org/x|join here>."]
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn slack_mentions_in_values_arrive_escaped() {
    let texts = Arc::new(Mutex::new(Vec::new()));
    let got = texts.clone();
    let server = Server::start(move |r| {
        got.lock().unwrap().push(contract(r)?);
        Ok(Answer::text(200, "ok"))
    });
    let md = format!(
        "Topic: {}",
        escape("<!channel> & <!here> ping @everyone and @room <https://evil.example|x>")
    );
    assert_eq!(
        post(&server, Duration::from_secs(5), &md),
        Posted::sent(None)
    );
    let text = texts.lock().unwrap()[0].clone();
    assert!(
        text.contains("&lt;!channel&gt; &amp; &lt;!here&gt;"),
        "{text}"
    );
    assert!(text.contains("@\u{2060}everyone"), "{text}");
    assert!(text.contains("@\u{2060}room"), "{text}");
    assert!(!text.contains('<') && !text.contains('>'), "{text}");
}

#[test]
fn slack_429_is_waited_out_then_posted_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let n = calls.clone();
    let server = Server::start(move |r| {
        contract(r)?;
        Ok(match n.fetch_add(1, Ordering::SeqCst) {
            0 => Answer::text(429, "rate_limited").with("Retry-After", "1"),
            _ => Answer::text(200, "ok"),
        })
    });
    let started = Instant::now();
    let p = post(&server, Duration::from_secs(5), "Summit on Thursday.");
    assert_eq!(p, Posted::sent(None));
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn slack_429_beyond_the_bound_is_not_sent_at_once() {
    let server = Server::start(|r| {
        contract(r)?;
        Ok(Answer::text(429, "rate_limited").with("Retry-After", "3600"))
    });
    let started = Instant::now();
    let p = post(&server, Duration::from_secs(5), "Summit on Thursday.");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(&p.outcome, Outcome::NotSent { fatal: false, reason } if reason.contains("rate-limiting")),
        "{p:?}"
    );
    assert_eq!(server.requests().len(), 1);
    assert_secret_free(reason(&p));
}

#[test]
fn slack_no_answer_is_unknown_within_the_timeout() {
    let server = Server::start(|r| {
        contract(r)?;
        Ok(Answer::Silence(Duration::from_secs(4)))
    });
    let started = Instant::now();
    let p = post(&server, Duration::from_secs(1), "Summit on Thursday.");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(p.outcome, Outcome::Unknown(_)), "{p:?}");
    assert_secret_free(reason(&p));
}

#[test]
fn slack_404_no_service_is_fatal_and_400_is_not() {
    let server = Server::start(|r| {
        contract(r)?;
        Ok(Answer::text(404, "no_service"))
    });
    let p = post(&server, Duration::from_secs(5), "Summit.");
    assert!(
        matches!(&p.outcome, Outcome::NotSent { fatal: true, reason } if reason.contains("`no_service`")),
        "{p:?}"
    );
    assert_secret_free(reason(&p));
    let server = Server::start(|r| {
        contract(r)?;
        Ok(Answer::text(400, "invalid_payload"))
    });
    let p = post(&server, Duration::from_secs(5), "Summit.");
    assert!(
        matches!(&p.outcome, Outcome::NotSent { fatal: false, reason } if reason.contains("`invalid_payload`")),
        "{p:?}"
    );
}

#[test]
fn slack_server_error_is_unknown() {
    let server = Server::start(|r| {
        contract(r)?;
        Ok(Answer::text(500, "rollup_error"))
    });
    let p = post(&server, Duration::from_secs(5), "Summit.");
    assert!(matches!(p.outcome, Outcome::Unknown(_)), "{p:?}");
    assert_secret_free(reason(&p));
}

#[test]
fn slack_unreachable_is_fatal_not_sent() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut ch = channel::open(
        &config(Duration::from_secs(2), unused()),
        format!("http://127.0.0.1:{port}{HOOK}"),
    )
    .unwrap();
    let p = ch.post(&reminder("Summit."));
    assert!(
        matches!(p.outcome, Outcome::NotSent { fatal: true, .. }),
        "{p:?}"
    );
    assert_secret_free(reason(&p));
}

#[test]
fn slack_plain_http_webhook_is_refused_without_its_path() {
    let cfg = config(Duration::from_secs(5), unused());
    let err = channel::open(&cfg, format!("http://chat.example.org{HOOK}"))
        .err()
        .expect("plain http to a public host is refused");
    let text = err.to_string();
    assert!(text.contains("chat.example.org"), "{text}");
    assert_secret_free(&text);
    let cfg = config(
        Duration::from_secs(5),
        Secret::Command {
            command: format!("printf '%s' 'http://chat.example.org{HOOK}'"),
            timeout: Duration::from_secs(5),
        },
    );
    let failed = channel::check(&cfg, false).expect_err("refused");
    assert_secret_free(&failed.error.to_string());
    assert_secret_free(&format!("{:?}", failed.detail));
}

#[test]
fn slack_check_names_the_host_only_and_never_posts() {
    let server = Server::start(|r| Err(format!("check must not post: {r:?}")));
    let cfg = config(
        Duration::from_secs(5),
        Secret::Command {
            command: format!("printf '%s' '{}'", server.url(HOOK)),
            timeout: Duration::from_secs(5),
        },
    );
    for connect in [false, true] {
        let line = channel::check(&cfg, connect).unwrap();
        assert!(line.contains("webhook to 127.0.0.1"), "{line}");
        assert_secret_free(&line);
        if connect {
            assert!(line.contains("can only be tested by posting"), "{line}");
        }
    }
    assert!(server.requests().is_empty());
}
