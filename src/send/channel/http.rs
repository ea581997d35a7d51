//! HTTP for channels: one agent per channel with its deadline, JSON bodies read up to
//! [`MAX_BODY`], rate limits waited out up to [`MAX_WAIT`] in all, and errors that name
//! the host and what failed but never a token, a key or a webhook's path.

use std::time::{Duration, Instant};

use serde_json::Value;

/// The most of a response body read, in bytes.
pub const MAX_BODY: u64 = 1024 * 1024;

/// The longest a channel waits out rate limits for one post, in all.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

/// The agent of one channel: each request done within `timeout` (connect to last
/// byte), statuses returned rather than raised, the system's root certificates.
pub fn agent(timeout: Duration) -> ureq::Agent {
    crate::calendar::fetch::http_config(timeout)
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// A response: its status, its `Retry-After` (seconds, when it is a number) and its
/// body parsed as JSON (`Value::Null` when empty or not JSON).
#[derive(Clone, Debug)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<Duration>,
    /// The body as JSON.
    pub json: Value,
    /// The body as text (at most [`MAX_BODY`] bytes), for error messages.
    pub text: String,
}

impl Reply {
    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first 200 characters of the body on one line, for an error message (the
    /// server's own words; escaped for a terminal when printed).
    pub fn excerpt(&self) -> String {
        let one = crate::text::one_line(&self.text);
        one.chars().take(200).collect()
    }
}

/// Why a request got no reply.
#[derive(Clone, Debug)]
pub enum Failure {
    /// Nothing was sent: the connection could not be made (refused, DNS, TLS).
    NotSent(String),
    /// The request may have reached the server: it timed out or broke after sending.
    Unknown(String),
}

impl Failure {
    /// The reason, for people.
    pub fn reason(&self) -> &str {
        match self {
            Failure::NotSent(r) | Failure::Unknown(r) => r,
        }
    }
}

/// Reads a response into a [`Reply`].
pub fn reply(mut r: ureq::http::Response<ureq::Body>) -> Reply {
    let status = r.status().as_u16();
    let retry_after = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = r
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()
        .unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        retry_after,
        json,
        text,
    }
}

/// What `e` says for people about a request to `host`, and whether the request may
/// have reached it: a connection refused, a name not found or a TLS failure certainly
/// did not; a timeout or a connection broken afterwards may have.
pub fn failure(e: &ureq::Error, host: &str) -> Failure {
    match e {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            Failure::NotSent(format!("cannot connect to {host}: timed out"))
        }
        ureq::Error::Timeout(_) => Failure::Unknown(format!("{host} did not answer in time")),
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::NotFound
                    | std::io::ErrorKind::AddrNotAvailable
            ) =>
        {
            Failure::NotSent(format!("cannot connect to {host}: {io}"))
        }
        ureq::Error::HostNotFound => Failure::NotSent(format!("cannot find the host {host}")),
        ureq::Error::ConnectionFailed => Failure::NotSent(format!("cannot connect to {host}")),
        ureq::Error::Tls(t) => Failure::NotSent(format!("TLS with {host} failed: {t}")),
        ureq::Error::Rustls(t) => Failure::NotSent(format!("TLS with {host} failed: {t}")),
        ureq::Error::BadUri(_) => Failure::NotSent(format!("a URL for {host} is not valid")),
        ureq::Error::Io(io) => Failure::Unknown(format!("the connection to {host} broke: {io}")),
        other => Failure::Unknown(format!(
            "the request to {host} failed: {}",
            other.to_string().split(':').next().unwrap_or("error")
        )),
    }
}

/// A budget of waiting for rate limits: [`MAX_WAIT`] in all from when it was made.
#[derive(Clone, Copy, Debug)]
pub struct Patience {
    until: Instant,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            until: Instant::now() + MAX_WAIT,
        }
    }
}

impl Patience {
    /// Sleeps `wait` (at least 100 ms) when that ends within the budget and says so;
    /// `false` (without sleeping) when it would not.
    pub fn wait(&self, wait: Duration) -> bool {
        let wait = wait.max(Duration::from_millis(100));
        if Instant::now() + wait > self.until {
            return false;
        }
        std::thread::sleep(wait);
        true
    }
}
