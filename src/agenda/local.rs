//! Mailbox archives on disk: `mbox:PATH` (mboxrd/mboxo, `From ` lines) and
//! `maildir:PATH` (`cur/` and `new/`), read with a size cap per file and per message.
//!
//! - **mbox** (RFC 4155): a message starts at a line beginning with `From ` at the start
//!   of the file or after a blank line; a body line `>From `, `>>From ` … loses one `>`
//!   (mboxrd; in mboxo only `>From ` is escaped, which reads the same). LF or CRLF line
//!   ends. A message arrived at its Date header (RFC 5322 §3.6.1), else at the asctime
//!   date of its `From ` line (taken as UTC); one with neither is skipped.
//! - **Maildir**: every file in `cur/` and `new/` (`tmp/` and dotfiles ignored); a
//!   symbolic link is never followed. A message arrived at its Date header, else at the
//!   file's modification time.
//!
//! What cannot be read of one message is a warning naming it (`mbox line 120`,
//! `maildir cur/NAME`) and what was done; only a file or folder that cannot be read at
//! all is an error.

use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::Letter;
use super::harvest::{MAX_LETTER_BYTES, date_header};
use crate::error::{Error, Result};
use crate::store::{Links, MIB, ReadError, read_bounded};
use crate::text::one_line;

/// The largest mbox file read (256 MiB); a larger one is an error.
pub const MAX_MBOX_BYTES: u64 = 256 * MIB;

/// The letters of the mbox at `path` that arrived at or after `since` (UTC; `None`:
/// all), in file order, and warnings for messages that could not be read (each naming
/// the line of its `From ` separator: `mbox line 120`), bigger than
/// [`MAX_LETTER_BYTES`], or without a time. An empty file holds no letters.
///
/// # Errors
/// [`crate::Error::Agenda`] naming the path when it cannot be read at all: missing, not
/// a regular file, larger than [`MAX_MBOX_BYTES`], or text with no `From ` line.
pub fn read_mbox(path: &Path, since: Option<DateTime<Utc>>) -> Result<(Vec<Letter>, Vec<String>)> {
    let bytes = read_bounded(path, MAX_MBOX_BYTES, Links::Follow).map_err(|e| Error::Agenda {
        path: path.to_path_buf(),
        message: e.message(path, MAX_MBOX_BYTES, "an mbox file"),
    })?;
    let (messages, preamble) = split_mbox(&bytes);
    if messages.is_empty() && preamble {
        return Err(Error::Agenda {
            path: path.to_path_buf(),
            message: format!(
                "`{}` has no `From ` line, expected an mbox file (messages each starting \
                 with a `From ` line)",
                path.display()
            ),
        });
    }
    let mut warnings = Vec::new();
    if preamble {
        warnings.push("mbox line 1: text before the first `From ` line, skipped".to_string());
    }
    let mut letters = Vec::new();
    for m in messages {
        let origin = format!("mbox line {}", m.line);
        let size = m.end - m.start;
        if size > MAX_LETTER_BYTES {
            warnings.push(format!(
                "{origin}: the message is larger than {} MiB, skipped",
                MAX_LETTER_BYTES / (1024 * 1024)
            ));
            continue;
        }
        let raw = unescape(&bytes[m.start..m.end]);
        let fallback = asctime(&bytes[m.separator.0..m.separator.1]);
        match letter(&raw, fallback, origin, since) {
            Ok(l) => letters.extend(l),
            Err(w) => warnings.push(w),
        }
    }
    Ok((letters, warnings))
}

/// One message of an mbox: its `From ` line's number (1-based) and byte range, and the
/// byte range of the message after it (without the blank line before the next).
#[derive(Debug)]
struct Span {
    line: usize,
    separator: (usize, usize),
    start: usize,
    end: usize,
}

/// The messages of an mbox, and whether there is text (other than blank lines) before
/// the first `From ` line.
fn split_mbox(bytes: &[u8]) -> (Vec<Span>, bool) {
    let mut spans: Vec<Span> = Vec::new();
    let mut preamble = false;
    let mut after_blank = true;
    let mut blank_at = None;
    let mut offset = 0;
    for (n, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let blank = line.iter().all(|b| matches!(b, b'\r' | b'\n'));
        if after_blank && line.starts_with(b"From ") {
            if let Some(last) = spans.last_mut() {
                last.end = blank_at.unwrap_or(offset);
            }
            spans.push(Span {
                line: n + 1,
                separator: (offset, offset + line.len()),
                start: offset + line.len(),
                end: bytes.len(),
            });
        } else if spans.is_empty() && !blank {
            preamble = true;
        }
        blank_at = blank.then_some(offset);
        after_blank = blank;
        offset += line.len();
    }
    (spans, preamble)
}

/// `raw` with one `>` taken from each line that is `>`s then `From ` (mboxrd).
fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let quoted = line.iter().take_while(|&&b| b == b'>').count();
        if quoted > 0 && line[quoted..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// The date of an mbox `From ` line (`From sender Mon Nov 30 16:20:00 2026`, asctime,
/// taken as UTC; also with a numeric zone), or `None`.
fn asctime(line: &[u8]) -> Option<DateTime<Utc>> {
    let line = String::from_utf8_lossy(line);
    let words: Vec<&str> = line.strip_prefix("From ")?.split_whitespace().collect();
    for start in 0..words.len() {
        let text = words[start..].join(" ");
        for format in ["%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M %Y"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(&text, format) {
                return Some(t.and_utc());
            }
        }
        for format in ["%a %b %d %H:%M:%S %z %Y", "%a %b %d %H:%M:%S %Y %z"] {
            if let Ok(t) = DateTime::parse_from_str(&text, format) {
                return Some(t.with_timezone(&Utc));
            }
        }
    }
    None
}

/// The letter in `raw`, arrived at its Date header, else at `fallback`; `None` when it
/// arrived before `since` (its body is then not decoded); a warning naming `origin`
/// (and saying it was skipped) when it cannot be used.
fn letter(
    raw: &[u8],
    fallback: Option<DateTime<Utc>>,
    origin: String,
    since: Option<DateTime<Utc>>,
) -> std::result::Result<Option<Letter>, String> {
    let date = mailparse::parse_headers(raw)
        .ok()
        .and_then(|(headers, _)| date_header(&headers));
    let arrived = date.or(fallback);
    if let (Some(a), Some(s)) = (arrived, since)
        && a < s
    {
        return Ok(None);
    }
    let letter = Letter::parse(raw, arrived, origin).map_err(|e| format!("{e}, skipped"))?;
    Ok(since.is_none_or(|s| letter.arrived >= s).then_some(letter))
}

/// The letters of the Maildir at `path` (`cur/`, `new/`) that arrived at or after
/// `since` (UTC; `None`: all), sorted by arrival then origin (`maildir cur/NAME`), and
/// warnings naming the files that could not be read: bigger than
/// [`MAX_LETTER_BYTES`], a symbolic link (never followed) or another kind of file,
/// not a message. A `cur/` or `new/` that is missing is no letters; `tmp/` and
/// dotfiles are ignored.
///
/// # Errors
/// [`crate::Error::Agenda`] naming the path when it is not a Maildir (neither `cur/`
/// nor `new/` is a folder in it) or a folder cannot be listed.
pub fn read_maildir(
    path: &Path,
    since: Option<DateTime<Utc>>,
) -> Result<(Vec<Letter>, Vec<String>)> {
    let fail = |message: String| Error::Agenda {
        path: path.to_path_buf(),
        message,
    };
    let folders: Vec<&str> = ["cur", "new"]
        .into_iter()
        .filter(|f| std::fs::metadata(path.join(f)).is_ok_and(|m| m.is_dir()))
        .collect();
    if folders.is_empty() {
        return Err(fail(format!(
            "`{}` is not a Maildir, expected `cur/` and `new/` folders",
            path.display()
        )));
    }
    let mut letters = Vec::new();
    let mut warnings = Vec::new();
    for folder in folders {
        let dir = path.join(folder);
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .and_then(|entries| {
                entries
                    .map(|e| e.map(|e| e.file_name()))
                    .collect::<std::io::Result<Vec<_>>>()
            })
            .map_err(|e| fail(format!("cannot list `{}`: {e}", dir.display())))?;
        names.sort();
        for name in names {
            if name.as_encoded_bytes().starts_with(b".") {
                continue;
            }
            let origin = format!("maildir {folder}/{}", one_line(&name.to_string_lossy()));
            match read_file(&dir.join(&name), origin, since) {
                Ok(l) => letters.extend(l),
                Err(w) => warnings.push(w),
            }
        }
    }
    letters.sort_by(|a, b| (a.arrived, &a.origin).cmp(&(b.arrived, &b.origin)));
    Ok((letters, warnings))
}

/// The letter in the Maildir file at `file`; `None` when it vanished (a mail reader
/// moved it from `new/` to `cur/`) or arrived before `since`; a warning naming `origin`
/// when it cannot be used.
fn read_file(
    file: &Path,
    origin: String,
    since: Option<DateTime<Utc>>,
) -> std::result::Result<Option<Letter>, String> {
    let cap = MAX_LETTER_BYTES as u64;
    let raw = match read_bounded(file, cap, Links::Refuse) {
        Ok(raw) => raw,
        Err(ReadError::Missing) => return Ok(None),
        Err(ReadError::TooLarge) => {
            return Err(format!(
                "{origin}: the message is larger than {} MiB, skipped",
                cap / MIB
            ));
        }
        Err(ReadError::NotRegular(kind)) => {
            return Err(format!("{origin}: {kind}, not a message file, skipped"));
        }
        Err(e) => {
            return Err(format!(
                "{origin}: {}, skipped",
                e.message(file, cap, "a message")
            ));
        }
    };
    let mtime = std::fs::symlink_metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .map(DateTime::<Utc>::from);
    letter(&raw, mtime, origin, since)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agenda::{People, mailbox};
    use crate::config::DEFAULT_PROPOSAL_SUBJECT;
    use crate::model::Email;
    use std::fs;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const MBOX: &str = "From ada@example.org Fri Nov 20 10:00:00 2026
Message-ID: <p1@x>
From: Ada <ada@example.org>
Subject: [prometheus-developers] Dev Summit: Native histograms
Date: Fri, 20 Nov 2026 10:00:00 +0000

Proposal.
>From the docs:
>>From here on
From the top, unescaped in mboxo after a non-blank line

From carol@example.org Fri Nov 20 11:00:00 2026
Message-ID: <v1@x>
From: carol@example.org
Subject: Re: Dev Summit: Native histograms
In-Reply-To: <p1@x>

+1

>From nobody

From nobody Sat Nov 21 09:30:00 2026
Message-ID: <noDate@x>
From: bob@example.org
Subject: no date, the From line's

From nobody
Message-ID: <never@x>
Subject: no time at all

body
";

    fn write(dir: &Path, name: &str, text: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn mbox_separators_escapes_and_times() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("lf", MBOX.to_string()),
            ("crlf", MBOX.replace('\n', "\r\n")),
        ] {
            let path = write(dir.path(), name, text.as_bytes());
            let (letters, warnings) = read_mbox(&path, None).unwrap();
            let ids: Vec<_> = letters
                .iter()
                .map(|l| l.message_id.as_deref().unwrap())
                .collect();
            assert_eq!(ids, ["p1@x", "v1@x", "noDate@x"], "{name}");
            let origins: Vec<_> = letters.iter().map(|l| l.origin.as_str()).collect();
            assert_eq!(
                origins,
                ["mbox line 1", "mbox line 12", "mbox line 22"],
                "{name}"
            );
            let text = letters[0].text.replace('\r', "");
            assert!(
                text.ends_with(
                    "Proposal.\nFrom the docs:\n>From here on\nFrom the top, unescaped in mboxo after a non-blank line\n"
                ),
                "{name}: {text:?}"
            );
            // the blank line before a `From ` line is the separator's; `>From ` at a
            // line start after a blank line is escaped text
            assert_eq!(letters[1].text.replace('\r', ""), "+1\n\nFrom nobody\n");
            assert_eq!(letters[1].arrived, at("2026-11-20T11:00:00Z"));
            assert_eq!(letters[2].arrived, at("2026-11-21T09:30:00Z"));
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(
                warnings[0].starts_with("mbox line 27: no arrival time")
                    && warnings[0].ends_with(", skipped"),
                "{warnings:?}"
            );
            let (late, _) = read_mbox(&path, Some(at("2026-11-20T10:30:00Z"))).unwrap();
            assert_eq!(late.len(), 2);
        }
    }

    #[test]
    fn mbox_to_topics() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "list.mbox", MBOX.as_bytes());
        let (letters, _) = read_mbox(&path, None).unwrap();
        let mut people = People::default();
        people.voters.insert(Email::from("carol@example.org"));
        let subject = regex::Regex::new(DEFAULT_PROPOSAL_SUBJECT).unwrap();
        let h = mailbox::harvest(&letters, &subject, &people, None);
        assert_eq!(h.topics.len(), 1);
        assert_eq!(h.topics[0].title, "Native histograms");
        assert_eq!(h.topics[0].voters, ["carol@example.org"]);
        assert_eq!(h.replies.len(), 1);
    }

    #[test]
    fn mbox_errors_and_oddities() {
        let dir = tempfile::tempdir().unwrap();
        let empty = write(dir.path(), "empty", b"");
        assert_eq!(read_mbox(&empty, None).unwrap(), (vec![], vec![]));
        let message = |p: &Path| match read_mbox(p, None) {
            Err(Error::Agenda { path, message }) => {
                assert_eq!(path, p);
                message
            }
            other => panic!("{other:?}"),
        };
        assert!(
            message(&dir.path().join("missing"))
                .starts_with("`missing` does not exist, expected an mbox file")
        );
        assert!(message(dir.path()).contains("is a directory, expected an mbox file"));
        let plain = write(dir.path(), "plain", b"Subject: hi\n\nnot an mbox\n");
        assert!(message(&plain).ends_with("has no `From ` line, expected an mbox file (messages each starting with a `From ` line)"));
        let mut big = b"junk\n\nFrom a Fri Nov 20 10:00:00 2026\nSubject: big\n\n".to_vec();
        big.resize(big.len() + MAX_LETTER_BYTES, b'x');
        big.extend_from_slice(b"\n\nFrom b Fri Nov 20 11:00:00 2026\nSubject: small\n\nhi\n");
        let big = write(dir.path(), "big", &big);
        let (letters, warnings) = read_mbox(&big, None).unwrap();
        assert_eq!(letters.len(), 1);
        assert_eq!(letters[0].subject, "small");
        assert_eq!(
            warnings,
            [
                "mbox line 1: text before the first `From ` line, skipped",
                "mbox line 3: the message is larger than 8 MiB, skipped"
            ]
        );
    }

    #[test]
    fn asctime_forms() {
        let t = |s: &str| asctime(s.as_bytes());
        assert_eq!(
            t("From a@b Fri Nov 20 10:00:00 2026\r\n"),
            Some(at("2026-11-20T10:00:00Z"))
        );
        assert_eq!(
            t("From a@b  Fri Nov  6 10:00:00 2026"),
            Some(at("2026-11-06T10:00:00Z"))
        );
        assert_eq!(
            t("From  Fri Nov 6 10:00 2026"),
            Some(at("2026-11-06T10:00:00Z"))
        );
        assert_eq!(
            t("From a@b Fri Nov 20 10:00:00 +0100 2026"),
            Some(at("2026-11-20T09:00:00Z"))
        );
        assert_eq!(
            t("From a@b Fri Nov 20 10:00:00 2026 -0200"),
            Some(at("2026-11-20T12:00:00Z"))
        );
        assert_eq!(t("From a@b"), None);
        assert_eq!(t("From a@b yesterday"), None);
    }

    fn maildir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in ["cur", "new", "tmp"] {
            fs::create_dir(dir.path().join(f)).unwrap();
        }
        dir
    }

    #[test]
    fn maildir_cur_new_mtime_and_what_is_skipped() {
        let dir = maildir();
        let root = dir.path();
        let proposal = b"Message-ID: <p@x>\nFrom: ada@example.org\nSubject: Dev Summit: A\n\
                         Date: Fri, 20 Nov 2026 10:00:00 +0000\n\nHi\n";
        write(&root.join("new"), "1763632800.M1.host", proposal);
        // a copy the reader moved to cur/: the harvest keeps one
        write(&root.join("cur"), "1763632800.M1.host:2,S", proposal);
        let undated = write(
            &root.join("cur"),
            "1763640000.M2.host:2,",
            b"Message-ID: <v@x>\nFrom: carol@example.org\nIn-Reply-To: <p@x>\n\n+1\n",
        );
        let mtime = std::time::SystemTime::from(at("2026-11-21T00:00:00Z"));
        fs::File::options()
            .write(true)
            .open(&undated)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        write(&root.join("tmp"), "partial", b"Subject: Dev Summit: half\n");
        write(
            &root.join("cur"),
            ".hidden",
            b"Subject: Dev Summit: hidden\n",
        );
        let outside = write(
            root,
            "outside",
            b"Subject: Dev Summit: outside\nDate: Fri, 20 Nov 2026 10:00:00 +0000\n\n",
        );
        #[cfg(unix)]
        std::os::unix::fs::symlink(&outside, root.join("new/link")).unwrap();
        let (letters, warnings) = read_maildir(root, None).unwrap();
        let got: Vec<_> = letters
            .iter()
            .map(|l| (l.origin.as_str(), l.arrived))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "maildir cur/1763632800.M1.host:2,S",
                    at("2026-11-20T10:00:00Z")
                ),
                ("maildir new/1763632800.M1.host", at("2026-11-20T10:00:00Z")),
                (
                    "maildir cur/1763640000.M2.host:2,",
                    DateTime::<Utc>::from(mtime)
                ),
            ]
        );
        if cfg!(unix) {
            assert_eq!(
                warnings,
                ["maildir new/link: a symbolic link, not a message file, skipped"]
            );
        }
        let (recent, _) = read_maildir(root, Some(at("2026-11-20T10:00:01Z"))).unwrap();
        assert_eq!(recent.len(), 1);
        let mut people = People::default();
        people.voters.insert(Email::from("carol@example.org"));
        let subject = regex::Regex::new(DEFAULT_PROPOSAL_SUBJECT).unwrap();
        let h = mailbox::harvest(&letters, &subject, &people, None);
        assert_eq!(h.topics.len(), 1);
        assert_eq!(h.topics[0].votes, 1);
    }

    #[test]
    fn not_a_maildir() {
        let dir = tempfile::tempdir().unwrap();
        let only_new = dir.path().join("only-new");
        fs::create_dir_all(only_new.join("new")).unwrap();
        assert_eq!(read_maildir(&only_new, None).unwrap(), (vec![], vec![]));
        for p in [dir.path().to_path_buf(), dir.path().join("missing")] {
            match read_maildir(&p, None) {
                Err(Error::Agenda { path, message }) => {
                    assert_eq!(path, p);
                    assert_eq!(
                        message,
                        format!(
                            "`{}` is not a Maildir, expected `cur/` and `new/` folders",
                            p.display()
                        )
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
