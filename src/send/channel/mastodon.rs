//! Mastodon, through its REST API (<https://docs.joinmastodon.org/methods/statuses/>):
//! a post is a status, `POST /api/v1/statuses`, its text [`to_plain`] shortened to the
//! instance's limit ([`shorten`]); a correction edits the status it corrects, `PUT
//! /api/v1/statuses/:id`; a later step replies to the summit's first status
//! (`in_reply_to_id`).
//!
//! Every `POST` carries `Idempotency-Key` = the ledger's Message-ID: Mastodon keeps the
//! key for an hour and answers a repeated request with the status it already made, so a
//! post handed over and never confirmed is simply posted again (with the same key) on
//! the next run. The access token (scopes `write:statuses`, and `read:accounts` for
//! `summit check --connect`) goes in `Authorization: Bearer` and nowhere else.

use std::ops::Range;
use std::time::Duration;

use serde_json::{Value, json};
use url::Url;

use super::http::{self, Failure, Patience, Reply};
use super::{Channel, Failed, Post, Posted};
use crate::config::{Audience, Channel as ChannelConfig, ChannelKind};
use crate::error::{Error, Result};
use crate::mail::markdown::to_plain;

/// A Mastodon instance's limits for one status, from `GET /api/v2/instance`
/// (`configuration.statuses`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Limits {
    /// `max_characters`: the most characters of a status.
    pub max_characters: usize,
    /// `characters_reserved_per_url`: what each URL counts for, whatever its length.
    pub per_url: usize,
}

impl Default for Limits {
    /// Mastodon's own: 500 characters, 23 per URL.
    fn default() -> Self {
        Limits {
            max_characters: 500,
            per_url: 23,
        }
    }
}

/// A Mastodon account.
struct Mastodon {
    /// The channel's name, for messages.
    name: String,
    /// The instance's base URL.
    base: Url,
    /// Its host, for messages.
    host: String,
    /// The access token: the secret.
    token: String,
    /// `public` for a public channel, `unlisted` for a team channel.
    visibility: &'static str,
    /// The instance's limits, read once.
    limits: Option<Limits>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Mastodon {
    /// Everything but the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mastodon")
            .field("name", &self.name)
            .field("host", &self.host)
            .field("visibility", &self.visibility)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The account `config` names, reached with the access token `secret`.
///
/// # Errors
/// [`Error::Delivery`] when `config` is not a Mastodon channel or the token cannot go
/// in a header.
pub(super) fn open(config: &ChannelConfig, secret: String) -> Result<Box<dyn Channel>> {
    Ok(Box::new(Mastodon::new(config, secret)?))
}

/// What `summit check` says of the account: the instance and, with `connect`, whom the
/// token posts as (`GET /api/v1/accounts/verify_credentials`, which needs the scope
/// `read:accounts`; nothing is posted).
///
/// # Errors
/// [`Failed`] when the instance cannot be reached or refuses the token.
pub(super) fn check(
    config: &ChannelConfig,
    secret: &str,
    connect: bool,
) -> std::result::Result<String, Failed> {
    let m = Mastodon::new(config, secret.to_string())?;
    let what = format!(
        "mastodon `{}`: {} statuses on {}",
        m.name, m.visibility, m.host
    );
    if !connect {
        return Ok(format!(
            "{what}; not connected: no connection is made for channels without --connect"
        ));
    }
    let refused = |reason: String| Failed {
        detail: Some(format!("{what}: {reason}")),
        error: Error::Delivery(format!("channel `{}`: {reason}", m.name)),
    };
    let (reply, _) = m
        .call("GET", "api/v1/accounts/verify_credentials", None, None)
        .map_err(|f| refused(f.reason().to_string()))?;
    match reply.json.get("acct").and_then(Value::as_str) {
        Some(acct) if reply.ok() => Ok(format!(
            "{what}: the access token posts as @{}@{}; nothing posted",
            crate::text::one_line(acct),
            m.host
        )),
        _ => Err(refused(m.refusal(&reply, "verify_credentials"))),
    }
}

impl Mastodon {
    fn new(config: &ChannelConfig, token: String) -> Result<Mastodon> {
        let ChannelKind::Mastodon { instance, .. } = &config.kind else {
            return Err(Error::Delivery(format!(
                "channel `{}` is a {} channel, expected a mastodon one",
                config.name,
                config.kind.name()
            )));
        };
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::Delivery(format!(
                "channel `{}`: the access token has spaces or characters that are not ASCII, expected the token Mastodon showed",
                config.name
            )));
        }
        Ok(Mastodon {
            name: config.name.clone(),
            base: instance.clone(),
            host: instance.host_str().unwrap_or("").to_string(),
            token,
            visibility: match config.audience {
                Audience::Public => "public",
                Audience::Team => "unlisted",
            },
            limits: None,
            agent: http::agent(config.timeout),
        })
    }

    /// One request to `path` under the instance, with the token unless `path` is
    /// public (`api/v*/instance`), and its wait when rate-limited: `Retry-After`, or
    /// else Mastodon's `X-RateLimit-Reset` (an ISO 8601 time) less now.
    fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
    ) -> std::result::Result<(Reply, Option<Duration>), Failure> {
        let url = format!("{}/{path}", self.base.as_str().trim_end_matches('/'));
        let public = path.starts_with("api/v2/instance") || path.starts_with("api/v1/instance");
        let auth = format!("Bearer {}", self.token);
        let auth = (!public).then_some(auth.as_str());
        let body = body.map(Value::to_string).unwrap_or_default();
        let sent = match method {
            "GET" => with_headers(self.agent.get(&url), auth, key).call(),
            "PUT" => with_headers(self.agent.put(&url), auth, key)
                .header("Content-Type", "application/json")
                .send(body.as_str()),
            _ => with_headers(self.agent.post(&url), auth, key)
                .header("Content-Type", "application/json")
                .send(body.as_str()),
        };
        let response = sent.map_err(|e| http::failure(&e, &self.host))?;
        let reset = response
            .headers()
            .get("x-ratelimit-reset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| chrono::DateTime::parse_from_rfc3339(v.trim()).ok())
            .and_then(|t| {
                (t.with_timezone(&chrono::Utc) - chrono::Utc::now())
                    .to_std()
                    .ok()
            });
        let reply = http::reply(response);
        let wait = reply.retry_after.or(reset);
        Ok((reply, wait))
    }

    /// [`Mastodon::call`], a `429` waited out within `patience` and asked again.
    fn call_patiently(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        key: Option<&str>,
        patience: &Patience,
    ) -> std::result::Result<Reply, Posted> {
        loop {
            let (reply, wait) = self.call(method, path, body, key).map_err(|f| match f {
                Failure::NotSent(r) => Posted::not_sent(r, true),
                Failure::Unknown(r) => Posted::unknown(r),
            })?;
            if reply.status != 429 {
                return Ok(reply);
            }
            let wait = wait.unwrap_or(Duration::from_secs(1));
            if !patience.wait(wait) {
                return Err(Posted::not_sent(
                    format!(
                        "{} is rate-limiting the account for {} s, more than summit waits for one post ({} s)",
                        self.host,
                        wait.as_secs(),
                        http::MAX_WAIT.as_secs()
                    ),
                    false,
                ));
            }
        }
    }

    /// The instance's limits, read once from `GET /api/v2/instance` (or, on an older
    /// server, `/api/v1/instance`, `max_toot_chars` included); [`Limits::default`] for
    /// what it does not say.
    fn limits(&mut self, patience: &Patience) -> std::result::Result<Limits, Posted> {
        if let Some(l) = self.limits {
            return Ok(l);
        }
        // Nothing is posted yet: a read that went unanswered is not sent, not unknown.
        let read = |path: &str| {
            self.call_patiently("GET", path, None, None, patience)
                .map_err(|p| match p.outcome {
                    super::Outcome::Unknown(r) => Posted::not_sent(r, true),
                    _ => p,
                })
        };
        let mut reply = read("api/v2/instance")?;
        if !reply.ok() {
            reply = read("api/v1/instance")?;
        }
        let statuses = &reply.json["configuration"]["statuses"];
        let number = |v: &Value| v.as_u64().and_then(|n| usize::try_from(n).ok());
        let d = Limits::default();
        let limits = Limits {
            max_characters: number(&statuses["max_characters"])
                .or_else(|| number(&reply.json["max_toot_chars"]))
                .filter(|&n| n > 0)
                .unwrap_or(d.max_characters),
            per_url: number(&statuses["characters_reserved_per_url"]).unwrap_or(d.per_url),
        };
        self.limits = Some(limits);
        Ok(limits)
    }

    /// Why the instance refused a request (`what`), in its own words when it gives
    /// them (Mastodon's `{"error": …}`).
    fn refusal(&self, reply: &Reply, what: &str) -> String {
        let said = reply
            .json
            .get("error")
            .and_then(Value::as_str)
            .map(|e| {
                crate::text::one_line(e)
                    .chars()
                    .take(200)
                    .collect::<String>()
            })
            .unwrap_or_else(|| reply.excerpt());
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(" `{said}`")
        };
        let expected = match reply.status {
            401 | 403 => {
                ", expected an access token of this account with the scopes write:statuses and read:accounts"
            }
            _ => ", expected 200",
        };
        format!(
            "{} answered {} to {what}{said}{expected}",
            self.host, reply.status
        )
    }

    /// What a status request's final `reply` means: `2xx` posted, with the status's
    /// `id`; `401`/`403` (the token revoked or short of `write:statuses`) not posted,
    /// fatal; `422` (text too long, a reply to a deleted status …) and other `4xx` not
    /// posted; `5xx` unknown: the status may exist, and the next run asks again with the
    /// same `Idempotency-Key` (an edit is the same on every attempt).
    fn answer(&self, reply: &Reply, what: &str) -> Posted {
        if reply.ok() {
            let id = match &reply.json["id"] {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            return Posted::sent(id);
        }
        let why = self.refusal(reply, what);
        match reply.status {
            401 | 403 => Posted::not_sent(why, true),
            500..=599 => Posted::unknown(why),
            _ => Posted::not_sent(why, false),
        }
    }
}

/// `r` with `Accept: application/json`, the `Authorization` and the `Idempotency-Key`
/// given.
fn with_headers<B>(
    r: ureq::RequestBuilder<B>,
    auth: Option<&str>,
    key: Option<&str>,
) -> ureq::RequestBuilder<B> {
    let mut r = r.header("Accept", "application/json");
    if let Some(auth) = auth {
        r = r.header("Authorization", auth);
    }
    if let Some(key) = key {
        r = r.header("Idempotency-Key", key);
    }
    r
}

/// Whether `id` can be a status ID in a path: Mastodon's are digits, other servers'
/// (GoToSocial, Akkoma) letters and digits.
fn status_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Channel for Mastodon {
    /// Posts a status (`edit`: replaces the text of status `edit`; `thread`: replies to
    /// it), shortened to the instance's limit; `resumed` changes nothing, as the
    /// `Idempotency-Key` makes a repeated `POST` return the status already made.
    fn post(&mut self, post: &Post<'_>) -> Posted {
        let patience = Patience::default();
        let limits = match self.limits(&patience) {
            Ok(l) => l,
            Err(p) => return p,
        };
        let text = shorten(to_plain(post.markdown).trim_end(), limits);
        if let Some(id) = post.edit {
            if !status_id(id) {
                return Posted::not_sent(
                    format!(
                        "the status to correct `{}` is not a status ID, expected the ID Mastodon gave",
                        crate::text::one_line(id)
                    ),
                    false,
                );
            }
            let path = format!("api/v1/statuses/{id}");
            let body = json!({ "status": text });
            return match self.call_patiently("PUT", &path, Some(&body), None, &patience) {
                Ok(reply) => self.answer(&reply, &format!("editing status {id}")),
                Err(p) => p,
            };
        }
        let mut body = json!({ "status": text, "visibility": self.visibility });
        if let Some(thread) = post.thread {
            body["in_reply_to_id"] = Value::String(thread.to_string());
        }
        let key = Some(post.message_id);
        match self.call_patiently("POST", "api/v1/statuses", Some(&body), key, &patience) {
            Ok(reply) => self.answer(&reply, "posting a status"),
            Err(p) => p,
        }
    }
}

/// The byte ranges of the URLs of `text` as Mastodon counts them: `http://` or
/// `https://` and what follows up to a space or a character that is not printable
/// ASCII, less trailing punctuation (`.`, `,`, `:`, `;`, `!`, `?`, `'`, and a `)` or `]`
/// that closes nothing inside it).
fn urls(text: &str) -> Vec<Range<usize>> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find("http") {
        let i = from + found;
        let scheme = ["https://", "http://"]
            .into_iter()
            .find(|s| lower[i..].starts_with(s));
        let Some(scheme) = scheme else {
            from = i + 4;
            continue;
        };
        let rest = &text[i + scheme.len()..];
        let mut len = rest
            .find(|c: char| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(rest.len());
        loop {
            let url = &rest[..len];
            let unbalanced =
                |open: char, close: char| url.matches(close).count() > url.matches(open).count();
            match url.chars().last() {
                Some('.' | ',' | ':' | ';' | '!' | '?' | '\'') => len -= 1,
                Some(')') if unbalanced('(', ')') => len -= 1,
                Some(']') if unbalanced('[', ']') => len -= 1,
                _ => break,
            }
        }
        if len == 0 {
            from = i + scheme.len();
        } else {
            out.push(i..i + scheme.len() + len);
            from = i + scheme.len() + len;
        }
    }
    out
}

/// How many characters Mastodon counts in `text`: each URL as `per_url`, every other
/// character as one (Mastodon counts grapheme clusters, never more than characters).
fn weight(text: &str, per_url: usize) -> usize {
    let spans = urls(text);
    let in_urls: usize = spans.iter().map(|s| text[s.clone()].chars().count()).sum();
    text.chars().count() - in_urls + spans.len() * per_url
}

/// The distinct URLs of `spans` that start at or after `end` and are not already
/// before it, in order.
fn tail<'t>(text: &'t str, spans: &[Range<usize>], end: usize) -> Vec<&'t str> {
    let kept: Vec<&str> = spans
        .iter()
        .filter(|s| s.end <= end)
        .map(|s| &text[s.clone()])
        .collect();
    let mut out: Vec<&str> = Vec::new();
    for s in spans.iter().filter(|s| s.start >= end) {
        let url = &text[s.clone()];
        if !kept.contains(&url) && !out.contains(&url) {
            out.push(url);
        }
    }
    out
}

/// `text` cut at byte `end` (a char boundary outside every URL), `…`, and the URLs
/// after the cut on lines of their own.
fn cut(text: &str, spans: &[Range<usize>], end: usize) -> String {
    let end = text[..end].trim_end().len();
    let mut out = text[..end].to_string();
    if spans.iter().any(|s| s.end == end) {
        out.push(' ');
    }
    out.push('…');
    let urls = tail(text, spans, end);
    if !urls.is_empty() {
        out.push_str("\n\n");
        out.push_str(&urls.join("\n"));
    }
    out
}

/// `text` within `limits` as Mastodon counts it ([`weight`]): unchanged when it fits;
/// else its beginning up to the last paragraph that fits (when that keeps half the
/// limit) or the last word that fits, then `…`, then every URL after the cut on lines
/// of its own, so that the meeting's link survives. When even the URLs do not fit,
/// the text without its URLs, cut to the limit.
pub(super) fn shorten(text: &str, limits: Limits) -> String {
    let max = limits.max_characters.max(1);
    if weight(text, limits.per_url) <= max {
        return text.to_string();
    }
    let spans = urls(text);
    // The weight of text[..p], for each char boundary p outside a URL.
    let mut before = vec![0usize; text.len() + 1];
    let mut w = 0;
    for (p, _) in text.char_indices() {
        before[p] = w;
        match spans.iter().find(|s| s.contains(&p)) {
            Some(s) if s.start == p => w += limits.per_url,
            Some(_) => {}
            None => w += 1,
        }
    }
    before[text.len()] = w;
    let cost = |p: usize| {
        let end = text[..p].trim_end().len();
        let urls = tail(text, &spans, end).len();
        let space = usize::from(spans.iter().any(|s| s.end == end));
        let urls = if urls == 0 {
            0
        } else {
            2 + urls * limits.per_url + (urls - 1)
        };
        before[end] + space + 1 + urls
    };
    let fits: Vec<usize> = text
        .char_indices()
        .map(|(p, _)| p)
        .filter(|&p| !spans.iter().any(|s| s.start < p && p < s.end) && cost(p) <= max)
        .collect();
    let last = |pred: &dyn Fn(&str) -> bool| {
        fits.iter()
            .rev()
            .copied()
            .find(|&p| p > 0 && pred(&text[p..]))
    };
    let paragraph = last(&|rest| rest.starts_with("\n\n"));
    let word = last(&|rest| rest.starts_with(char::is_whitespace));
    let chosen = match (paragraph, word) {
        (Some(p), _) if 2 * before[p] >= max => Some(p),
        (_, Some(w)) => Some(w),
        _ => fits.last().copied(),
    };
    if let Some(p) = chosen {
        return cut(text, &spans, p);
    }
    // Not even the URLs fit: the text without them (a space where each was, so that
    // no new URL forms), cut.
    let mut bare = text.to_string();
    for s in spans.iter().rev() {
        bare.replace_range(s.clone(), " ");
    }
    let mut out: String = bare.chars().take(max - 1).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

#[cfg(test)]
mod tests;
