//! The ETag cache of the GitHub source: one file per URL, `github-HASH.json` in the
//! state directory, holding a hash of the URL, the ETag and the body GitHub sent with
//! it. Never the token (which travels only in a header) nor the URL itself.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use url::Url;

use super::MAX_BODY_BYTES;
use crate::error::Result;

/// The cache folder, and whether it may be written.
pub(super) struct Cache {
    dir: PathBuf,
    write: bool,
}

/// One cached answer.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Entry {
    /// The SHA-256 of the URL, in hex: the file is for this URL only.
    pub url_hash: String,
    /// The `ETag` GitHub sent.
    pub etag: String,
    /// The body it came with (JSON text).
    pub body: String,
    /// The next page its `Link` header named (a 304 need not repeat it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl Cache {
    pub fn new(dir: PathBuf, write: bool) -> Self {
        Cache { dir, write }
    }

    fn file(&self, url: &Url) -> (PathBuf, String) {
        let hash: String = Sha256::digest(url.as_str().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        (self.dir.join(format!("github-{}.json", &hash[..16])), hash)
    }

    /// The cached answer for `url`, when there is a readable one made for it.
    pub fn load(&self, url: &Url) -> Option<Entry> {
        use crate::store::{Links, read_bounded_text};
        let (path, hash) = self.file(url);
        // JSON escaping may make the stored body longer than the body was.
        let text = read_bounded_text(&path, 2 * MAX_BODY_BYTES + 4096, Links::Refuse).ok()?;
        let entry: Entry = serde_json::from_str(&text).ok()?;
        (entry.url_hash == hash && !entry.etag.is_empty()).then_some(entry)
    }

    /// Keeps `etag`, `body` and the `next` page for `url` (nothing when the cache is not to be written,
    /// or the body is not text).
    ///
    /// # Errors
    /// The folder or file cannot be written.
    pub fn save(&self, url: &Url, etag: &str, body: &[u8], next: Option<&Url>) -> Result<()> {
        let Ok(body) = std::str::from_utf8(body) else {
            return Ok(());
        };
        if !self.write {
            return Ok(());
        }
        let (path, url_hash) = self.file(url);
        let entry = Entry {
            url_hash,
            etag: etag.to_string(),
            body: body.to_string(),
            next: next.map(ToString::to_string),
        };
        crate::store::ensure_dir(&self.dir)?;
        let text = serde_json::to_vec(&entry).expect("plain data");
        crate::store::write_private(&path, &text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_an_answer_per_url_and_only_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let url = Url::parse("https://api.github.com/repos/o/n/issues?labels=x").unwrap();
        let other = Url::parse("https://api.github.com/repos/o/n/issues?labels=y").unwrap();
        Cache::new(dir.path().into(), false)
            .save(&url, "\"a\"", b"[]", None)
            .unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        let c = Cache::new(dir.path().into(), true);
        c.save(&url, "\"a\"", b"[1]", Some(&other)).unwrap();
        let e = c.load(&url).unwrap();
        assert_eq!((e.etag.as_str(), e.body.as_str()), ("\"a\"", "[1]"));
        assert_eq!(e.next.as_deref(), Some(other.as_str()));
        assert!(c.load(&other).is_none());
        let name = std::fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .file_name();
        assert!(name.to_string_lossy().starts_with("github-"));
    }
}
