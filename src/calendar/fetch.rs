//! Reading the feed: a file path, `-` for standard input, or an `http(s)://` URL.
//!
//! For `tick` and `send`, a URL feed goes through [`Source::read_cached`]: the last good
//! copy is kept in the state directory with its ETag and Last-Modified, every fetch is a
//! conditional GET, and when the server cannot be reached (or sends something that is
//! not a whole calendar) the cached copy stands in, if it is young enough.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::state::write_private;

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
                let mut response = agent(true)
                    .get(url)
                    .call()
                    .map_err(|e| fail(e.to_string()))?;
                response
                    .body_mut()
                    .with_config()
                    .limit(MAX_FEED_BYTES)
                    .read_to_vec()
                    .map_err(|e| fail(e.to_string()))
            }
        }
    }

    /// Reads and parses the feed like [`Source::read`] then `parse`, through the cache
    /// in `cache` for a URL: a conditional GET (If-None-Match, If-Modified-Since); a
    /// complete download that parses replaces the cached copy (when `cache.write`);
    /// when the fetch fails, or the download is cut short or does not parse, the cached
    /// copy is used if it was fetched less than `cache.max_age` before `cache.now`.
    ///
    /// Returns the parsed feed and, when the cached copy stood in, a warning saying why.
    ///
    /// # Errors
    /// [`Error::Feed`] in one line when the feed cannot be had and no young enough copy
    /// is cached; what `parse` returns for a file or standard input.
    pub fn read_cached<T>(
        &self,
        cache: &CacheOptions,
        parse: impl Fn(&[u8]) -> Result<T>,
    ) -> Result<(T, Option<String>)> {
        let Source::Url(url) = self else {
            return Ok((parse(&self.read()?)?, None));
        };
        let fail = |message: String| Error::Feed {
            source_name: self.name(),
            message,
        };
        let store = FeedCache::new(&cache.dir, url);
        let cached = store.load();
        let reason = match conditional_get(url, cached.as_ref().map(|c| &c.meta)) {
            Ok(Fetched::NotModified) => match &cached {
                Some(c) => {
                    let value = parse(&c.body)?;
                    if cache.write {
                        store.save_meta(&Meta {
                            fetched_at: stamp(cache.now),
                            ..c.meta.clone()
                        })?;
                    }
                    return Ok((value, None));
                }
                None => {
                    "the server answered 304 Not Modified to a request without validators".into()
                }
            },
            Ok(Fetched::Body {
                body,
                etag,
                last_modified,
            }) => {
                match check_complete(&body).and_then(|()| parse(&body).map_err(|e| e.to_string())) {
                    Ok(value) => {
                        if cache.write {
                            store.save(
                                &body,
                                &Meta {
                                    etag,
                                    last_modified,
                                    fetched_at: stamp(cache.now),
                                    sha256: hex(&Sha256::digest(&body)),
                                },
                            )?;
                        }
                        return Ok((value, None));
                    }
                    Err(e) => format!("the download is not a usable calendar ({e})"),
                }
            }
            Err(e) => e,
        };
        let Some(c) = cached else {
            return Err(fail(format!("{reason}; no cached copy to fall back on")));
        };
        let fetched = DateTime::parse_from_rfc3339(&c.meta.fetched_at)
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let age = fetched.map(|t| cache.now - t);
        match age {
            Some(age) if age < cache.max_age => {
                let value = parse(&c.body)?;
                Ok((
                    value,
                    Some(format!(
                        "feed `{}`: {reason}; using the copy cached at {} ({} old)",
                        self.name(),
                        c.meta.fetched_at,
                        crate::config::format_offset(age.max(chrono::Duration::zero()))
                    )),
                ))
            }
            _ => Err(fail(format!(
                "{reason}; the cached copy from {} is older than calendar.cache-max-age ({})",
                c.meta.fetched_at,
                crate::config::format_offset(cache.max_age)
            ))),
        }
    }
}

/// Where and how [`Source::read_cached`] keeps the feed.
#[derive(Clone, Debug)]
pub struct CacheOptions {
    /// The state directory.
    pub dir: PathBuf,
    /// Now, for the age of the cached copy.
    pub now: DateTime<Utc>,
    /// How old the cached copy may be to stand in (`calendar.cache-max-age`).
    pub max_age: chrono::Duration,
    /// Whether to update the cache (not for `--dry-run`).
    pub write: bool,
}

fn agent(status_as_error: bool) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_recv_body(Some(READ_TIMEOUT))
        .timeout_global(Some(TOTAL_TIMEOUT))
        .http_status_as_error(status_as_error)
        .user_agent(concat!("summit/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

enum Fetched {
    NotModified,
    Body {
        body: Vec<u8>,
        etag: Option<String>,
        last_modified: Option<String>,
    },
}

/// A GET of `url` that sends the validators of `meta`.
fn conditional_get(url: &str, meta: Option<&Meta>) -> std::result::Result<Fetched, String> {
    let mut request = agent(false).get(url);
    if let Some(m) = meta {
        if let Some(etag) = &m.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(lm) = &m.last_modified {
            request = request.header("If-Modified-Since", lm);
        }
    }
    let mut response = request.call().map_err(|e| e.to_string())?;
    let status = response.status();
    if status == ureq::http::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        return Err(format!("the server answered {status}"));
    }
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() < 1024)
            .map(String::from)
    };
    let etag = header("etag");
    let last_modified = header("last-modified");
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_FEED_BYTES)
        .read_to_vec()
        .map_err(|e| format!("the download failed: {e}"))?;
    Ok(Fetched::Body {
        body,
        etag,
        last_modified,
    })
}

/// A whole iCalendar document ends with `END:VCALENDAR`; a download cut short does not.
fn check_complete(body: &[u8]) -> std::result::Result<(), String> {
    let end = b"END:VCALENDAR";
    let trimmed = body.trim_ascii_end();
    let tail = &trimmed[trimmed.len().saturating_sub(end.len())..];
    if tail.eq_ignore_ascii_case(end) {
        Ok(())
    } else {
        Err("it does not end with `END:VCALENDAR`: cut short?".into())
    }
}

/// The cached copy of one feed URL: `feed-HASH.ics` and `feed-HASH.toml` (its ETag,
/// Last-Modified, when it was fetched and its SHA-256), where HASH is a hash of the URL
/// (which is not stored: private feed URLs hold a key).
struct FeedCache {
    body: PathBuf,
    meta: PathBuf,
}

/// `feed-HASH.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_modified: Option<String>,
    fetched_at: String,
    sha256: String,
}

struct Cached {
    body: Vec<u8>,
    meta: Meta,
}

impl FeedCache {
    fn new(dir: &Path, url: &str) -> Self {
        let stem = format!("feed-{}", &hex(&Sha256::digest(url.as_bytes()))[..16]);
        FeedCache {
            body: dir.join(format!("{stem}.ics")),
            meta: dir.join(format!("{stem}.toml")),
        }
    }

    /// The cached copy, when both files are there and agree (the body is written
    /// first, so a crash between the two writes leaves a body its metadata does not
    /// describe, which is then not used).
    fn load(&self) -> Option<Cached> {
        use crate::state::{Links, read_bounded, read_bounded_text};
        let body = read_bounded(&self.body, MAX_FEED_BYTES, Links::Refuse).ok()?;
        let meta = read_bounded_text(&self.meta, crate::state::MIB, Links::Refuse).ok()?;
        let meta: Meta = toml::from_str(&meta).ok()?;
        (hex(&Sha256::digest(&body)) == meta.sha256).then_some(Cached { body, meta })
    }

    fn save(&self, body: &[u8], meta: &Meta) -> Result<()> {
        if let Some(dir) = self.body.parent() {
            crate::state::ensure_dir(dir)?;
        }
        write_private(&self.body, body)?;
        self.save_meta(meta)
    }

    fn save_meta(&self, meta: &Meta) -> Result<()> {
        let text = format!(
            "# The last good copy of a feed (beside this file) and how to revalidate it.\n{}",
            toml::to_string(meta).expect("plain data")
        );
        write_private(&self.meta, text.as_bytes())
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    fn a_download_cut_short_is_not_complete() {
        assert!(check_complete(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n\r\n").is_ok());
        assert!(check_complete(b"BEGIN:VCALENDAR\nend:vcalendar").is_ok());
        assert!(check_complete(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMM").is_err());
        assert!(check_complete(b"").is_err());
    }

    #[test]
    fn cache_files_are_named_by_a_hash_of_the_url_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let c = FeedCache::new(dir.path(), "https://x.org/private-key/basic.ics");
        let name = c.body.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("feed-") && !name.contains("private"),
            "{name}"
        );
        assert!(c.load().is_none());
        let body = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";
        let meta = Meta {
            etag: Some("\"v1\"".into()),
            last_modified: None,
            fetched_at: "2026-11-21T00:00:00Z".into(),
            sha256: hex(&Sha256::digest(body)),
        };
        c.save(body, &meta).unwrap();
        assert_eq!(c.load().unwrap().meta.etag.as_deref(), Some("\"v1\""));
        std::fs::write(&c.body, b"BEGIN:VCALENDAR\r\nchanged").unwrap();
        assert!(c.load().is_none(), "a body its metadata does not describe");
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
