//! Slack-compatible incoming webhooks: Slack ("Sending messages using incoming
//! webhooks", <https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks>),
//! Mattermost ("Incoming webhooks") and Rocket.Chat, which take the same JSON.
//!
//! A post is one `POST` of `{"text": …}` to the webhook URL, `Content-Type:
//! application/json`, the text in Slack's mrkdwn ([`to_mrkdwn`]: `&`, `<` and `>`
//! escaped, so no value becomes a mention or a link). The webhook URL is the secret:
//! whoever knows it can post, so no message names more of it than its host.
//!
//! A webhook answers `200` (body `ok`) and nothing else: it gives no ID, cannot edit,
//! has no threads and does not drop a repeated post. So [`Post::thread`],
//! [`Post::edit`] and [`Post::resumed`] are ignored (a correction's own text quotes the
//! date it corrects), and a post that may have arrived is [`Outcome::Unknown`], as with
//! SMTP: the ledger records the intent first and never posts it again by itself.

use url::Url;

use super::http::{self, Failure, Patience, Reply};
use super::{Channel, Failed, Outcome, Post, Posted};
use crate::config::{Channel as ChannelConfig, ChannelKind, Markup};
use crate::error::{Error, Result};
use crate::mail::markdown::to_mrkdwn;
use crate::text::is_loopback;

/// Slack's pace for one webhook ("about one message per second"), waited after a `429`
/// that names no `Retry-After`.
const DEFAULT_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// A Slack-compatible incoming webhook.
struct Webhook {
    /// The channel's name, for messages.
    name: String,
    /// The webhook URL: the secret.
    url: Url,
    /// Its host, the only part of it ever shown.
    host: String,
    /// How the text is written (`markup`).
    markup: Markup,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Webhook {
    /// The channel and the webhook's host, never its path (the secret).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("name", &self.name)
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// The webhook URL `secret` of `config`, checked: an `https://` URL (or `http://` to a
/// loopback host, for tests) with a host and no credentials; and its host.
///
/// # Errors
/// [`Error::Delivery`] naming at most the host, never the URL: its path is the secret.
fn webhook_url(config: &ChannelConfig, secret: &str) -> Result<(Url, String)> {
    let at = format!("channel `{}`: webhook", config.name);
    let expected = "expected an https:// URL such as the one the service gave for the webhook";
    let url = Url::parse(secret.trim()).map_err(|e| {
        Error::Delivery(format!(
            "{at}: the webhook URL is not a URL ({e}), {expected}"
        ))
    })?;
    let host = url.host_str().unwrap_or("").to_string();
    if host.is_empty() {
        return Err(Error::Delivery(format!(
            "{at}: the webhook URL has no host, {expected}"
        )));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(Error::Delivery(format!(
                "{at}: the webhook URL to `{host}` is plain http:// to a host that is not loopback, {expected}"
            )));
        }
        other => {
            return Err(Error::Delivery(format!(
                "{at}: the webhook URL to `{host}` is `{other}:`, {expected}"
            )));
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Delivery(format!(
            "{at}: the webhook URL to `{host}` carries credentials before its host, {expected}"
        )));
    }
    Ok((url, host))
}

/// The webhook `config` names, its URL `secret` checked by [`webhook_url`].
///
/// # Errors
/// [`Error::Delivery`] when the URL is not `https://` (or `http://` to loopback),
/// naming at most its host.
pub(super) fn open(config: &ChannelConfig, secret: String) -> Result<Box<dyn Channel>> {
    let (url, host) = webhook_url(config, &secret)?;
    let markup = match config.kind {
        ChannelKind::Slack { markup, .. } => markup,
        _ => Markup::default(),
    };
    Ok(Box::new(Webhook {
        markup,
        name: config.name.clone(),
        url,
        host,
        agent: http::agent(config.timeout),
    }))
}

/// What `summit check` says of the webhook: its URL's form and host. A webhook has no
/// request that does not post, so `connect` changes nothing, and the line says so.
///
/// # Errors
/// [`Failed`] when the URL is not `https://` (or `http://` to loopback).
pub(super) fn check(
    config: &ChannelConfig,
    secret: &str,
    connect: bool,
) -> std::result::Result<String, Failed> {
    let (_, host) = webhook_url(config, secret)?;
    let not_connected = if connect {
        "; not connected: a webhook can only be tested by posting to it"
    } else {
        ""
    };
    Ok(format!(
        "slack `{}`: webhook to {host}{not_connected}",
        config.name
    ))
}

impl Channel for Webhook {
    /// Posts `{"text": mrkdwn}`; waits out `429` by its `Retry-After` within
    /// [`http::MAX_WAIT`]. See [`answer`] for how each status is read.
    fn post(&mut self, post: &Post<'_>) -> Posted {
        let text = match self.markup {
            Markup::Mrkdwn => to_mrkdwn(post.markdown),
            Markup::Markdown => post.markdown.to_string(),
        };
        let body = serde_json::json!({ "text": text.trim_end() }).to_string();
        let patience = Patience::default();
        loop {
            let sent = self
                .agent
                .post(self.url.as_str())
                .header("Content-Type", "application/json; charset=utf-8")
                .send(body.as_str());
            let reply = match sent {
                Ok(r) => http::reply(r),
                Err(e) => {
                    return match http::failure(&e, &self.host) {
                        Failure::NotSent(r) => Posted::not_sent(r, true),
                        Failure::Unknown(r) => Posted::unknown(r),
                    };
                }
            };
            if reply.status == 429 {
                let wait = reply.retry_after.unwrap_or(DEFAULT_RETRY);
                if patience.wait(wait) {
                    continue;
                }
                return Posted::not_sent(
                    format!(
                        "{} is rate-limiting the webhook (Retry-After {} s), more than summit waits for one post ({} s)",
                        self.host,
                        wait.as_secs(),
                        http::MAX_WAIT.as_secs()
                    ),
                    false,
                );
            }
            return answer(&reply, &self.host);
        }
    }
}

/// What a webhook's answer `reply` (not a `429`) means, after Slack's "Handling errors"
/// of incoming webhooks (changelog 2016-05-17) and Mattermost's:
///
/// - `2xx` (Slack and Mattermost answer `200 ok`): posted; a webhook gives no ID.
/// - `400` (`invalid_payload`, `user_not_found`, `no_text`, …) and other `4xx`: this
///   message was refused, not posted; the next may do better.
/// - `401`, `403` (`action_prohibited`, `invalid_token`), `404` (`no_service`,
///   `channel_not_found`, `no_team`), `410` (`channel_is_archived`): not posted, and
///   fatal: the webhook was revoked or its channel is gone, every post would fail.
/// - `5xx` (Slack's `rollup_error`: "something strange and unusual happened"; a proxy's
///   `502`/`504`): [`Outcome::Unknown`]. HTTP promises nothing about what a server did
///   before it failed, Slack does not say a `500` means nothing was posted, and a
///   gateway's `502`/`504` can come after the service behind it posted. Without an
///   idempotency key a second post could be a duplicate, so the post is reported as
///   unconfirmed for a person to check, as an SMTP session broken after `DATA` is.
/// - anything else (`1xx`, `3xx`: redirects are not followed): not posted.
fn answer(reply: &Reply, host: &str) -> Posted {
    let why = || {
        let said = reply.excerpt();
        if said.is_empty() {
            format!("{host} answered {}", reply.status)
        } else {
            format!("{host} answered {} `{said}`", reply.status)
        }
    };
    match reply.status {
        _ if reply.ok() => Posted::sent(None),
        401 | 403 | 404 | 410 => Posted::not_sent(
            format!(
                "{}, expected 200: the webhook was revoked or its channel is gone",
                why()
            ),
            true,
        ),
        400..=499 => Posted::not_sent(format!("{}, expected 200", why()), false),
        500..=599 => Posted {
            outcome: Outcome::Unknown(format!(
                "{}, expected 200: it may have posted the message before failing",
                why()
            )),
            id: None,
        },
        _ => Posted::not_sent(format!("{}, expected 200", why()), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Audience, ChannelKind, Secret};

    fn config() -> ChannelConfig {
        ChannelConfig {
            name: "chat".into(),
            audience: Audience::Public,
            timeout: std::time::Duration::from_secs(5),
            kind: ChannelKind::Slack {
                webhook: Secret::Env("HOOK".into()),
                markup: Markup::Mrkdwn,
            },
        }
    }

    fn err(secret: &str) -> String {
        match webhook_url(&config(), secret) {
            Err(Error::Delivery(m)) => m,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn https_and_loopback_http_are_taken() {
        let (_, host) =
            webhook_url(&config(), "https://hooks.slack.com/services/T/B/SECRET").unwrap();
        assert_eq!(host, "hooks.slack.com");
        assert!(webhook_url(&config(), "http://127.0.0.1:9/hooks/SECRET").is_ok());
        assert!(webhook_url(&config(), "http://localhost/hooks/SECRET").is_ok());
    }

    #[test]
    fn other_urls_are_refused_without_their_path() {
        for bad in [
            "http://chat.example.org/hooks/SECRET",
            "ftp://chat.example.org/hooks/SECRET",
            "https://user:SECRET@chat.example.org/hooks/x",
            "not a url SECRET",
            "file:///SECRET",
        ] {
            let m = err(bad);
            assert!(!m.contains("SECRET"), "{m}");
            assert!(m.contains("expected an https:// URL"), "{m}");
        }
        assert!(err("http://chat.example.org/hooks/SECRET").contains("`chat.example.org`"));
    }

    #[test]
    fn statuses_are_read_as_documented() {
        let reply = |status: u16, text: &str| Reply {
            status,
            retry_after: None,
            json: serde_json::Value::Null,
            text: text.into(),
        };
        assert_eq!(answer(&reply(200, "ok"), "h"), Posted::sent(None));
        let fatal = |p: Posted| matches!(p.outcome, Outcome::NotSent { fatal: true, .. });
        assert!(fatal(answer(&reply(404, "no_service"), "h")));
        assert!(fatal(answer(&reply(410, "channel_is_archived"), "h")));
        assert!(fatal(answer(&reply(403, "action_prohibited"), "h")));
        let p = answer(&reply(400, "invalid_payload"), "h");
        assert!(
            matches!(&p.outcome, Outcome::NotSent { fatal: false, reason } if reason.contains("`invalid_payload`"))
        );
        assert!(matches!(
            answer(&reply(500, "rollup_error"), "h").outcome,
            Outcome::Unknown(_)
        ));
        assert!(matches!(
            answer(&reply(302, ""), "h").outcome,
            Outcome::NotSent { .. }
        ));
    }
}
