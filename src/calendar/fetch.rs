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
use crate::store::write_private;

/// The largest feed accepted, in bytes (64 MiB; real feeds are a few MiB).
pub const MAX_FEED_BYTES: u64 = 64 * 1024 * 1024;

/// How long connecting to a feed's server may take (within the overall deadline).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
            // Shown by scheme and host only: a `webcal://` address holds the same key
            // as its `https://` twin.
            return Err(Error::Usage(format!(
                "feed `{}`: unsupported scheme `{scheme}`, expected `https://`, `http://`, a file path or `-`",
                redact_url(value)
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

    /// Reads the whole feed; a URL within `timeout` in all (from the name lookup to the
    /// last byte of the body: `calendar.fetch-timeout`).
    ///
    /// # Errors
    /// [`Error::Feed`] when the file cannot be read, the server cannot be reached or
    /// answers with an error status, `timeout` passes ("timed out after N s fetching
    /// HOST"), or the feed is larger than [`MAX_FEED_BYTES`]. Messages name a URL by
    /// its scheme and host only ([`redact_url`]).
    pub fn read(&self, timeout: Duration) -> Result<Vec<u8>> {
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
                let mut response = agent(true, timeout)
                    .get(url)
                    .call()
                    .map_err(|e| fail(http_error(&e, url, timeout)))?;
                response
                    .body_mut()
                    .with_config()
                    .limit(MAX_FEED_BYTES)
                    .read_to_vec()
                    .map_err(|e| fail(http_error(&e, url, timeout)))
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
        self.read_cached_as(&CALENDAR, cache, parse)
    }

    /// [`Source::read_cached`] for a document of another kind (`doc`: an agenda
    /// published as CSV or TOML), kept in its own cache files.
    ///
    /// # Errors
    /// As [`Source::read_cached`].
    pub fn read_cached_as<T>(
        &self,
        doc: &Document,
        cache: &CacheOptions,
        parse: impl Fn(&[u8]) -> Result<T>,
    ) -> Result<(T, Option<String>)> {
        let Source::Url(url) = self else {
            return Ok((parse(&self.read(cache.timeout)?)?, None));
        };
        let fail = |message: String| Error::Feed {
            source_name: self.name(),
            message,
        };
        let store = FeedCache::new(&cache.dir, url, doc);
        let cached = store.load();
        let reason = match conditional_get(url, cached.as_ref().map(|c| &c.meta), cache.timeout) {
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
                match (doc.complete)(&body).and_then(|()| parse(&body).map_err(|e| e.to_string())) {
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
                    Err(e) => format!("the download is not a usable {} ({e})", doc.what),
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
                        "{} `{}`: {reason}; using the copy cached at {} ({} old)",
                        doc.noun,
                        self.name(),
                        c.meta.fetched_at,
                        crate::model::timeline::format_offset(age.max(chrono::Duration::zero()))
                    )),
                ))
            }
            _ => Err(fail(format!(
                "{reason}; the cached copy from {} is older than calendar.cache-max-age ({})",
                c.meta.fetched_at,
                crate::model::timeline::format_offset(cache.max_age)
            ))),
        }
    }
}

/// A kind of document fetched through the cache: the feed, or a published agenda.
#[derive(Clone, Copy, Debug)]
pub struct Document {
    /// What messages call it: `feed`, `agenda`.
    pub noun: &'static str,
    /// What a usable download is: `calendar`, `agenda`.
    pub what: &'static str,
    /// The cached body's file extension (`ics`, `csv`).
    pub extension: &'static str,
    /// Whether a download is whole (an iCalendar ends with `END:VCALENDAR`).
    pub complete: fn(&[u8]) -> std::result::Result<(), String>,
}

/// The calendar feed: `feed-HASH.ics`.
pub const CALENDAR: Document = Document {
    noun: "feed",
    what: "calendar",
    extension: "ics",
    complete: check_complete,
};

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
    /// The overall deadline of one fetch (`calendar.fetch-timeout`).
    pub timeout: Duration,
}

/// The agent for one fetch: done within `timeout` in all, connecting within
/// [`CONNECT_TIMEOUT`] of it, trusting the system's root certificates ([`root_certs`]).
fn agent(status_as_error: bool, timeout: Duration) -> ureq::Agent {
    http_config(timeout)
        .timeout_global(Some(timeout))
        .http_status_as_error(status_as_error)
        .build()
        .into()
}

/// What every HTTP client of `summit` shares (the feed, a published agenda, GitHub,
/// the channels): connecting within [`CONNECT_TIMEOUT`] (or `timeout`, when shorter),
/// a `summit/VERSION` User-Agent, and the root certificates of [`root_certs`]. Each
/// caller adds its own deadline, status and redirect rules.
pub fn http_config(timeout: Duration) -> ureq::config::ConfigBuilder<ureq::typestate::AgentScope> {
    ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT.min(timeout)))
        .user_agent(concat!("summit/", env!("CARGO_PKG_VERSION")))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(root_certs().clone())
                .build(),
        )
}

/// The root certificates HTTPS feeds are checked against: the system's (as SMTP does,
/// through `rustls-native-certs`: the OpenSSL-style bundle on Unix, `SSL_CERT_FILE`
/// and `SSL_CERT_DIR` when set), or Mozilla's bundled in `webpki-roots` when the
/// system has none. Loaded once per run.
pub fn root_certs() -> &'static ureq::tls::RootCerts {
    static ROOTS: std::sync::OnceLock<ureq::tls::RootCerts> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        if found.certs.is_empty() {
            ureq::tls::RootCerts::WebPki
        } else {
            ureq::tls::RootCerts::new_with_certs(
                &found
                    .certs
                    .iter()
                    .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
                    .collect::<Vec<_>>(),
            )
        }
    })
}

/// What went wrong fetching `url`, for people: a timeout says how long and whom; no
/// message shows more of the URL than [`redact_url`] does.
fn http_error(e: &ureq::Error, url: &str, timeout: Duration) -> String {
    let host = redact_url(url);
    let host = host.split_once("://").map_or(host.as_str(), |(_, h)| h);
    let timed_out = |t: Option<ureq::Timeout>| match t {
        Some(ureq::Timeout::Connect) => format!(
            "cannot connect to {host} within {} s",
            CONNECT_TIMEOUT.min(timeout).as_secs()
        ),
        _ => format!("timed out after {} s fetching {host}", timeout.as_secs()),
    };
    match e {
        ureq::Error::Timeout(t) => timed_out(Some(*t)),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => timed_out(None),
        ureq::Error::BadUri(_) => "the URL is not valid".into(),
        other => scrub(&other.to_string(), url),
    }
}

/// `text` with every appearance of `url`, or of its path, replaced by [`redact_url`]'s
/// form.
fn scrub(text: &str, url: &str) -> String {
    let redacted = redact_url(url);
    let mut out = text.replace(url, &redacted);
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    if let Some(i) = rest.find(['/', '?', '#']) {
        let tail = &rest[i..];
        if tail.len() > 1 {
            out = out.replace(tail, "/…");
        }
    }
    out
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
fn conditional_get(
    url: &str,
    meta: Option<&Meta>,
    timeout: Duration,
) -> std::result::Result<Fetched, String> {
    let mut request = agent(false, timeout).get(url);
    if let Some(m) = meta {
        if let Some(etag) = &m.etag {
            request = request.header("If-None-Match", etag);
        }
        if let Some(lm) = &m.last_modified {
            request = request.header("If-Modified-Since", lm);
        }
    }
    let mut response = request.call().map_err(|e| http_error(&e, url, timeout))?;
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
        .map_err(|e| match e {
            ureq::Error::Timeout(_) => http_error(&e, url, timeout),
            e => format!("the download failed: {}", http_error(&e, url, timeout)),
        })?;
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
    fn new(dir: &Path, url: &str, doc: &Document) -> Self {
        let stem = format!(
            "{}-{}",
            doc.noun,
            &hex(&Sha256::digest(url.as_bytes()))[..16]
        );
        FeedCache {
            body: dir.join(format!("{stem}.{}", doc.extension)),
            meta: dir.join(format!("{stem}.toml")),
        }
    }

    /// The cached copy, when both files are there and agree (the body is written
    /// first, so a crash between the two writes leaves a body its metadata does not
    /// describe, which is then not used).
    fn load(&self) -> Option<Cached> {
        use crate::store::{Links, read_bounded, read_bounded_text};
        let body = read_bounded(&self.body, MAX_FEED_BYTES, Links::Refuse).ok()?;
        let meta = read_bounded_text(&self.meta, crate::store::MIB, Links::Refuse).ok()?;
        let meta: Meta = toml::from_str(&meta).ok()?;
        (hex(&Sha256::digest(&body)) == meta.sha256).then_some(Cached { body, meta })
    }

    fn save(&self, body: &[u8], meta: &Meta) -> Result<()> {
        if let Some(dir) = self.body.parent() {
            crate::store::ensure_dir(dir)?;
        }
        write_private(&self.body, body)?;
        self.save_meta(meta)
    }

    fn save_meta(&self, meta: &Meta) -> Result<()> {
        let text = format!(
            "# The last good copy of a download (beside this file) and how to revalidate it.\n{}",
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

/// `url` as messages show it: its scheme and host (with the port, when given) only.
/// User information, path, query and fragment may all hold secrets: private Google
/// calendar addresses carry their key in the path
/// (`https://calendar.google.com/calendar/ical/ID/private-KEY/basic.ics`), so none of
/// them is ever shown (RFC 3986 section 3: `scheme://userinfo@host:port/path?query#fragment`).
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}")
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
        let err = Source::parse("webcal://x.org/ical/private-k3y/basic.ics", None).unwrap_err();
        assert!(
            err.to_string().contains("feed `webcal://x.org`") && !err.to_string().contains("k3y"),
            "{err}"
        );
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
        let c = FeedCache::new(dir.path(), "https://x.org/private-key/basic.ics", &CALENDAR);
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
            "https://calendar.google.com"
        );
        assert_eq!(
            redact_url(
                "https://calendar.google.com/calendar/ical/x%40group/private-0123abcd/basic.ics"
            ),
            "https://calendar.google.com"
        );
        assert_eq!(
            redact_url("http://[::1]:8080/private-k/basic.ics#frag"),
            "http://[::1]:8080"
        );
        assert_eq!(
            redact_url("https://u:p@host.example?token=1"),
            "https://host.example"
        );
        assert_eq!(
            redact_url("https://host.example/a@b/c"),
            "https://host.example"
        );
    }

    #[test]
    fn http_errors_show_neither_path_nor_token() {
        let url = "http://127.0.0.1:9/calendar/ical/x/private-0123abcd/basic.ics?k=s3cret";
        let e = ureq::Error::BadUri(url.into());
        let m = http_error(&e, url, Duration::from_secs(5));
        assert!(!m.contains("private") && !m.contains("s3cret"), "{m}");
        let m = http_error(
            &ureq::Error::Timeout(ureq::Timeout::Global),
            url,
            Duration::from_secs(2),
        );
        assert_eq!(m, "timed out after 2 s fetching 127.0.0.1:9");
        let m = scrub(&format!("failed: {url}"), url);
        assert!(!m.contains("private") && !m.contains("s3cret"), "{m}");
    }

    #[test]
    fn https_trusts_the_system_roots() {
        // The same roots SMTP trusts (lettre's `rustls-native-certs`), when the system
        // has any; Mozilla's bundle only without.
        let system = rustls_native_certs::load_native_certs().certs;
        match root_certs() {
            ureq::tls::RootCerts::Specific(certs) => {
                assert_eq!(certs.len(), system.len());
                assert!(
                    certs
                        .iter()
                        .zip(&system)
                        .all(|(a, b)| a.der() == b.as_ref())
                );
            }
            ureq::tls::RootCerts::WebPki => assert!(system.is_empty()),
            other => panic!("unexpected roots {other:?}"),
        }
        let agent = agent(true, Duration::from_secs(1));
        assert!(matches!(
            agent.config().tls_config().root_certs(),
            ureq::tls::RootCerts::Specific(_) | ureq::tls::RootCerts::WebPki
        ));
    }
}
