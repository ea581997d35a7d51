//! Talking to GitHub: the headers every request carries, conditional GETs through
//! [`super::cache`], rate limits waited out within the deadline, and errors that name
//! the repository and the request's path, never the token.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SecondsFormat, Utc};
use ureq::http::{HeaderMap, StatusCode};
use url::Url;

use super::MAX_BODY_BYTES;
use super::cache::Cache;
use crate::config::GithubSource;
use crate::error::{Error, Result};

/// How long connecting may take (within the overall deadline).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How many times one request is retried after a rate limit.
const RETRIES: u32 = 3;

/// The REST API version asked for (`X-GitHub-Api-Version`).
pub(super) const API_VERSION: &str = "2022-11-28";

/// A client for one [`super::fetch`]: the source, the token, the cache and the deadline.
pub(super) struct Client<'a> {
    agent: ureq::Agent,
    pub source: &'a GithubSource,
    token: Option<&'a str>,
    cache: Option<Cache>,
    started: Instant,
    timeout: Duration,
}

/// A successful answer: its body and the next page (`Link: <…>; rel="next"`).
pub(super) struct Page {
    pub body: Vec<u8>,
    pub next: Option<Url>,
    /// The origin of a next page that is not on the API's, and so not followed.
    pub elsewhere: Option<String>,
}

impl<'a> Client<'a> {
    /// A client reading `source` within `timeout` from now.
    ///
    /// # Errors
    /// An empty token, or one that cannot go in a header.
    pub fn new(
        source: &'a GithubSource,
        token: Option<&'a str>,
        cache: Option<&Path>,
        write: bool,
        timeout: Duration,
    ) -> Result<Self> {
        let started = Instant::now();
        let token = token.map(str::trim);
        if let Some(t) = token
            && (t.is_empty() || !t.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(fail(
                source,
                "the token is empty or has a space or control character, expected the token as GitHub issued it",
            ));
        }
        let agent = crate::calendar::fetch::http_config(timeout)
            .http_status_as_error(false)
            // A renamed repository answers 301 to `/repositories/ID/…` on the same
            // host: the token goes along there, and nowhere else.
            .redirect_auth_headers(ureq::config::RedirectAuthHeaders::SameHost)
            .build()
            .into();
        Ok(Client {
            agent,
            source,
            token,
            cache: cache.map(|dir| Cache::new(PathBuf::from(dir), write)),
            started,
            timeout,
        })
    }

    /// Whether a token was given.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// An [`Error::Agenda`] naming the repository.
    pub fn fail(&self, message: impl Into<String>) -> Error {
        fail(self.source, message)
    }

    /// `api` with `segments` appended to its path (each percent-encoded) and `query`
    /// (already encoded).
    pub fn endpoint(&self, segments: &[&str], query: &str) -> Url {
        let mut url = self.source.api.clone();
        url.path_segments_mut()
            .expect("an http(s) URL has a path")
            .pop_if_empty()
            .extend(segments);
        url.set_query(Some(query).filter(|q| !q.is_empty()));
        url
    }

    /// A GET of `url`, conditional when the cache has its ETag (a `304` answers with
    /// the cached body); a new ETag and body are cached.
    ///
    /// # Errors
    /// See [`Client::send`]; an error status; a body over [`MAX_BODY_BYTES`].
    pub fn get(&self, url: &Url) -> Result<Page> {
        let cached = self.cache.as_ref().and_then(|c| c.load(url));
        let etag = cached.as_ref().map(|c| c.etag.as_str());
        let mut response = self.send("GET", url, None, etag)?;
        let next = next_link(response.headers());
        if response.status() == StatusCode::NOT_MODIFIED {
            let Some(c) = cached else {
                return Err(self.fail(format!(
                    "the API answered `304 Not Modified` to `GET {}`, which sent no ETag, expected 200",
                    url.path()
                )));
            };
            let next = next.or_else(|| c.next.as_deref().and_then(|n| Url::parse(n).ok()));
            return Ok(self.page(c.body.into_bytes(), next));
        }
        let status = response.status();
        let new_etag = header(response.headers(), "etag").map(String::from);
        let body = self.read_body(&mut response, "GET", url)?;
        if !status.is_success() {
            return Err(self.status_error(status, &body, "GET", url));
        }
        if let (Some(c), Some(tag)) = (&self.cache, new_etag) {
            c.save(url, &tag, &body, next.as_ref())?;
        }
        Ok(self.page(body, next))
    }

    /// A page of `body`, going on to `next` when it is on the API's origin (scheme,
    /// host and port): the token goes nowhere else.
    fn page(&self, body: Vec<u8>, next: Option<Url>) -> Page {
        match next {
            Some(n) if n.origin() != self.source.api.origin() => Page {
                body,
                next: None,
                elsewhere: Some(n.origin().ascii_serialization()),
            },
            next => Page {
                body,
                next,
                elsewhere: None,
            },
        }
    }

    /// A POST of `json` to `url` (GraphQL), its answer's body.
    ///
    /// # Errors
    /// See [`Client::send`]; an error status; a body over [`MAX_BODY_BYTES`].
    pub fn post(&self, url: &Url, json: &serde_json::Value) -> Result<Vec<u8>> {
        let body = serde_json::to_vec(json).expect("plain data");
        let mut response = self.send("POST", url, Some(&body), None)?;
        let status = response.status();
        let body = self.read_body(&mut response, "POST", url)?;
        if !status.is_success() {
            return Err(self.status_error(status, &body, "POST", url));
        }
        Ok(body)
    }

    /// What is left of the deadline.
    fn remaining(&self) -> Duration {
        self.timeout.saturating_sub(self.started.elapsed())
    }

    fn timed_out(&self, url: &Url) -> Error {
        self.fail(format!(
            "timed out after {} s talking to {} (agenda.timeout)",
            self.timeout.as_secs(),
            url.host_str().unwrap_or("the API")
        ))
    }

    /// One request with GitHub's headers; a `403` or `429` rate limit is waited out
    /// when the wait ends before the deadline, and the request sent again.
    ///
    /// # Errors
    /// The server cannot be reached, the deadline passes, the rate limit outlasts it.
    fn send(
        &self,
        method: &str,
        url: &Url,
        body: Option<&[u8]>,
        etag: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        let mut attempt = 0;
        loop {
            let remaining = self.remaining();
            if remaining.is_zero() {
                return Err(self.timed_out(url));
            }
            let response = self
                .request(url, body, etag, remaining)
                .map_err(|e| self.transport_error(&e, url))?;
            let status = response.status().as_u16();
            let Some(limit) = rate_limit(status, response.headers()) else {
                return Ok(response);
            };
            attempt += 1;
            if attempt > RETRIES {
                return Err(self.fail(format!(
                    "the API's rate limit (`{status}` to `{method} {}`) held after {RETRIES} waits; try again later",
                    url.path()
                )));
            }
            if Instant::now() + limit.wait >= self.started + self.timeout {
                return Err(self.fail(format!(
                    "the API's rate limit (`{status}` to `{method} {}`) lasts until {}, past the deadline of {} s (agenda.timeout); try again then{}",
                    url.path(),
                    limit.until.to_rfc3339_opts(SecondsFormat::Secs, true),
                    self.timeout.as_secs(),
                    if self.token.is_some() { "" } else { ", or set `token-env` for a higher limit" }
                )));
            }
            std::thread::sleep(limit.wait);
        }
    }

    fn request(
        &self,
        url: &Url,
        body: Option<&[u8]>,
        etag: Option<&str>,
        remaining: Duration,
    ) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        match body {
            Some(b) => self
                .prepare(self.agent.post(url.as_str()), etag, remaining)
                .header("Content-Type", "application/json")
                .send(b),
            None => self
                .prepare(self.agent.get(url.as_str()), etag, remaining)
                .call(),
        }
    }

    /// `request` with GitHub's headers, the token and the ETag, due by `remaining`.
    fn prepare<B>(
        &self,
        request: ureq::RequestBuilder<B>,
        etag: Option<&str>,
        remaining: Duration,
    ) -> ureq::RequestBuilder<B> {
        let mut r = request
            .config()
            .timeout_global(Some(remaining))
            .build()
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION);
        if let Some(t) = self.token {
            r = r.header("Authorization", format!("Bearer {t}"));
        }
        if let Some(tag) = etag {
            r = r.header("If-None-Match", tag);
        }
        r
    }

    fn read_body(
        &self,
        response: &mut ureq::http::Response<ureq::Body>,
        method: &str,
        url: &Url,
    ) -> Result<Vec<u8>> {
        response
            .body_mut()
            .with_config()
            .limit(MAX_BODY_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => self.fail(format!(
                    "the answer to `{method} {}` is larger than {} MiB, expected less",
                    url.path(),
                    MAX_BODY_BYTES / 1024 / 1024
                )),
                e => self.transport_error(&e, url),
            })
    }

    /// A transport error, by host: never the token (which is only in a header).
    fn transport_error(&self, e: &ureq::Error, url: &Url) -> Error {
        let host = url.host_str().unwrap_or("the API");
        match e {
            ureq::Error::Timeout(ureq::Timeout::Connect) => self.fail(format!(
                "cannot connect to {host} within {} s",
                CONNECT_TIMEOUT.min(self.timeout).as_secs()
            )),
            ureq::Error::Timeout(_) => self.timed_out(url),
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => self.timed_out(url),
            other => self.fail(format!(
                "cannot reach {host} ({})",
                crate::text::one_line(&other.to_string())
            )),
        }
    }

    /// What an error status means, with GitHub's `message` when it sends one.
    fn status_error(&self, status: StatusCode, body: &[u8], method: &str, url: &Url) -> Error {
        let said = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|v| v.get("message")?.as_str().map(crate::text::one_line))
            .map(|m| format!(": {}", m.chars().take(200).collect::<String>()))
            .unwrap_or_default();
        let path = url.path();
        let repo = &self.source.repo;
        self.fail(match status.as_u16() {
            401 if self.token.is_some() => format!(
                "the token was refused (`401` to `{method} {path}`{said}), expected a valid token in `token-env` or `token-command`"
            ),
            401 => format!(
                "the API asks for a token (`401` to `{method} {path}`{said}), expected `token-env` or `token-command` in [agenda.github]"
            ),
            404 => format!(
                "no repository `{repo}`, or the token cannot see it (`404` to `{method} {path}`{said})"
            ),
            _ => format!("the API answered `{status}` to `{method} {path}`{said}, expected 200"),
        })
    }
}

/// An [`Error::Agenda`] naming `github:OWNER/NAME`.
pub(super) fn fail(source: &GithubSource, message: impl Into<String>) -> Error {
    Error::Agenda {
        path: PathBuf::from(format!("github:{}", source.repo)),
        message: message.into(),
    }
}

/// A rate limit: how long to wait, and until when.
#[derive(Debug, PartialEq)]
struct Limit {
    wait: Duration,
    until: DateTime<Utc>,
}

/// The rate limit a `403` or `429` announces: `retry-after` seconds first, else
/// `x-ratelimit-remaining: 0` until `x-ratelimit-reset` (epoch seconds), as GitHub's
/// "Rate limits for the REST API" asks; `None` for any other answer.
fn rate_limit(status: u16, headers: &HeaderMap) -> Option<Limit> {
    if status != 403 && status != 429 {
        return None;
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    let wait = if let Some(secs) = header(headers, "retry-after").and_then(|v| v.parse().ok()) {
        Duration::from_secs(secs)
    } else if header(headers, "x-ratelimit-remaining") == Some("0") {
        let reset: u64 = header(headers, "x-ratelimit-reset")?.parse().ok()?;
        Duration::from_secs(reset).saturating_sub(now)
    } else {
        return None;
    };
    let until = DateTime::from_timestamp((now + wait).as_secs().try_into().ok()?, 0)?;
    Some(Limit { wait, until })
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() < 1024)
}

/// The `rel="next"` target of a `Link` header (RFC 8288), when it is a URL.
fn next_link(headers: &HeaderMap) -> Option<Url> {
    let link = header(headers, "link")?;
    let mut rest = link;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
        let params = &rest[close + 1..params_end];
        let is_next = params.split([';', ',']).any(|p| {
            p.trim()
                .strip_prefix("rel=")
                .is_some_and(|r| r.trim_matches('"').split(' ').any(|r| r == "next"))
        });
        if is_next {
            return Url::parse(target).ok();
        }
        rest = &rest[params_end..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in pairs {
            h.insert(*n, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn reads_the_next_link() {
        let h = headers(&[(
            "link",
            r#"<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#,
        )]);
        assert_eq!(
            next_link(&h).unwrap().as_str(),
            "https://api.github.com/repositories/1/issues?page=2"
        );
        let h = headers(&[("link", r#"<https://x.org/?page=1>; rel="prev""#)]);
        assert!(next_link(&h).is_none());
    }

    #[test]
    fn knows_a_rate_limit() {
        assert!(rate_limit(403, &headers(&[])).is_none());
        assert!(rate_limit(500, &headers(&[("retry-after", "3")])).is_none());
        let l = rate_limit(429, &headers(&[("retry-after", "3")])).unwrap();
        assert_eq!(l.wait, Duration::from_secs(3));
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let reset = (now + 100).to_string();
        let l = rate_limit(
            403,
            &headers(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &reset),
            ]),
        )
        .unwrap();
        assert!(l.wait > Duration::from_secs(98) && l.wait <= Duration::from_secs(100));
        assert!(
            rate_limit(
                403,
                &headers(&[
                    ("x-ratelimit-remaining", "4"),
                    ("x-ratelimit-reset", &reset)
                ])
            )
            .is_none()
        );
    }
}
