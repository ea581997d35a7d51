//! Reading the feed: a file path, `-` for standard input, or an `http(s)://` URL.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};

/// The largest feed accepted, in bytes (64 MiB; real feeds are a few MiB).
pub const MAX_FEED_BYTES: u64 = 64 * 1024 * 1024;

/// Timeouts for fetching a feed over HTTP(S).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(30);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(120);

/// Where a feed comes from, as given by `--feed` or `calendar.feed`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Standard input (`-`).
    Stdin,
    /// An `http://` or `https://` URL.
    Url(String),
    /// A file.
    Path(std::path::PathBuf),
}

impl Source {
    /// Classifies `value`; a relative path is resolved against `base` (the config file's
    /// folder) when given.
    ///
    /// # Errors
    /// [`Error::Usage`] for a URL scheme other than http and https (`file:`, `ftp:`,
    /// `webcal:` …).
    pub fn parse(value: &str, base: Option<&Path>) -> Result<Self> {
        if value == "-" {
            return Ok(Source::Stdin);
        }
        let lower = value.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Ok(Source::Url(value.to_string()));
        }
        if let Some((scheme, _)) = value.split_once("://") {
            return Err(Error::Usage(format!(
                "feed `{value}`: unsupported scheme `{scheme}`, expected `https://`, `http://`, a file path or `-`"
            )));
        }
        let path = Path::new(value);
        Ok(Source::Path(match base {
            Some(base) if path.is_relative() => base.join(path),
            _ => path.to_path_buf(),
        }))
    }

    /// A short name for messages: the path, URL or `-`.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "-".into(),
            Source::Url(u) => redact_url(u),
            Source::Path(p) => p.display().to_string(),
        }
    }

    /// Reads the whole feed.
    ///
    /// # Errors
    /// [`Error::Feed`] when the file cannot be read, the server cannot be reached or
    /// answers with an error status, a timeout passes, or the feed is larger than
    /// [`MAX_FEED_BYTES`].
    pub fn read(&self) -> Result<Vec<u8>> {
        let fail = |message: String| Error::Feed {
            source_name: self.name(),
            message,
        };
        match self {
            Source::Stdin => read_capped(std::io::stdin().lock()).map_err(|e| fail(e.to_string())),
            Source::Path(p) => {
                let file = std::fs::File::open(p).map_err(|e| fail(io_message(&e)))?;
                read_capped(file).map_err(|e| fail(io_message(&e)))
            }
            Source::Url(url) => {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_connect(Some(CONNECT_TIMEOUT))
                    .timeout_recv_body(Some(READ_TIMEOUT))
                    .timeout_global(Some(TOTAL_TIMEOUT))
                    .user_agent(concat!("summit/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .into();
                let mut response = agent.get(url).call().map_err(|e| fail(e.to_string()))?;
                response
                    .body_mut()
                    .with_config()
                    .limit(MAX_FEED_BYTES)
                    .read_to_vec()
                    .map_err(|e| fail(e.to_string()))
            }
        }
    }
}

fn read_capped(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader.take(MAX_FEED_BYTES + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > MAX_FEED_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than the limit of {MAX_FEED_BYTES} bytes"
        )));
    }
    Ok(buf)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// `url` without user information or query string, which may hold secrets (private
/// Google calendar addresses carry a key in the path, so only the host and the first
/// path segment are kept).
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let mut parts = rest.splitn(3, '/');
    let host = parts.next().unwrap_or("");
    match (parts.next(), parts.next()) {
        (Some(first), Some(_)) => format!("{scheme}://{host}/{first}/…"),
        (Some(first), None) => format!("{scheme}://{host}/{first}"),
        _ => format!("{scheme}://{host}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sources() {
        assert_eq!(Source::parse("-", None).unwrap(), Source::Stdin);
        assert!(matches!(
            Source::parse("https://x.org/a.ics", None).unwrap(),
            Source::Url(_)
        ));
        assert_eq!(
            Source::parse("feed.ics", Some(Path::new("/etc/summit"))).unwrap(),
            Source::Path("/etc/summit/feed.ics".into())
        );
        let err = Source::parse("ftp://x.org/a.ics", None).unwrap_err();
        assert!(err.to_string().contains("`ftp`"), "{err}");
    }

    #[test]
    fn redacts_secrets_in_urls() {
        assert_eq!(
            redact_url(
                "https://user:pw@calendar.google.com/calendar/ical/x/private-abc/basic.ics?k=1"
            ),
            "https://calendar.google.com/calendar/…"
        );
    }
}
