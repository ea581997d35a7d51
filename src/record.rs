//! The facilitation record (`rotation.record`): who facilitated, or was announced to
//! facilitate, which summit. It is meant to be committed to the community's repository
//! beside the configuration, so it is TOML, one `[[summit]]` table per summit, sorted
//! by date, and replaced atomically ([`crate::store::write_atomically`]).
//!
//! `summit tick` and `summit send` append to it when they send a handover: the summit
//! just held (when it is not in the record yet) and the next summit with the facilitator
//! the handover names. The record wins over the rotation (see [`crate::plan::rotation`]).

use std::fmt;
use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use lettre::Address;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::OccurrenceKey;
use crate::model::When;
use crate::store::{Links, MAX_TEXT_BYTES, ReadError, read_bounded_text, write_atomically};

/// How a recorded facilitator was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decided {
    /// Named by a handover, by rotation.
    Handover,
    /// Named by a handover, from a `[[rotation.assign]]` pin.
    Pin,
    /// Recorded when the summit's handover was sent, with the facilitator the rotation
    /// gave it (no earlier handover had named one).
    Held,
    /// Written by hand (the default when `decided` is absent).
    Manual,
    /// Named by a message `summit` sent (the send ledger), not written to the record
    /// file: announced is final, whatever the roster says later; only a pin on that
    /// very date changes it ([`crate::plan::rotation`]).
    Announced,
}

impl fmt::Display for Decided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Decided::Handover => "handover",
            Decided::Pin => "pin",
            Decided::Held => "held",
            Decided::Manual => "manual",
            Decided::Announced => "announced",
        })
    }
}

/// One summit in the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The summit's date (UTC).
    pub date: NaiveDate,
    /// The summit's UID and original start, when known (hand-written entries may have
    /// only the date; they then match the summit on that date).
    pub key: Option<OccurrenceKey>,
    /// The facilitator's address.
    pub email: Address,
    /// The facilitator's name as recorded (shown when they left the roster).
    pub name: Option<String>,
    /// How it was decided.
    pub decided: Decided,
    /// When it was recorded.
    pub recorded: Option<DateTime<Utc>>,
}

/// The record: its entries sorted by date.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// The entries, sorted by (date, uid, original).
    pub entries: Vec<Entry>,
}

const HEADER: &str = "\
# The facilitation record of `summit`: who facilitated, or was announced by a handover
# to facilitate, which summit. `summit tick` and `summit send` append to it when they
# send a handover; commit it beside the configuration.
#
# A summit listed here keeps its facilitator whatever the roster, `away` or
# [[rotation.assign]] say later: it is history. To change an announced facilitator,
# edit or delete the entry. `decided` is handover, pin, held or manual (the default).
";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    summit: Vec<RawEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEntry {
    date: String,
    facilitator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decided: Option<Decided>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recorded: Option<String>,
}

impl Record {
    /// Reads the record at `path`; a missing file is an empty record.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read; [`Error::Config`] naming the line and value
    /// when it is not a record (it is hand-editable, like the configuration).
    pub fn load(path: &Path) -> Result<Record> {
        let text = match read_bounded_text(path, MAX_TEXT_BYTES, Links::Follow) {
            Ok(t) => t,
            Err(ReadError::Missing) => return Ok(Record::default()),
            Err(ReadError::Io(e)) => return Err(Error::io(path, e)),
            Err(e) => {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    message: e.message(path, MAX_TEXT_BYTES, "a facilitation record"),
                });
            }
        };
        Self::from_toml(&text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses the TOML of a record.
    ///
    /// # Errors
    /// A message naming the line, the entry and the value at fault.
    pub fn from_toml(text: &str) -> std::result::Result<Record, String> {
        let line_of = |offset: usize| 1 + text[..offset.min(text.len())].matches('\n').count();
        let raw: RawRecord = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| format!("line {}: ", line_of(s.start)))
                .unwrap_or_default();
            format!("{line}{}", e.message().trim().replace('\n', " "))
        })?;
        let mut entries = Vec::new();
        for (i, r) in raw.summit.into_iter().enumerate() {
            let at = |m: String| format!("[[summit]] {} of the record: {m}", i + 1);
            let date = NaiveDate::parse_from_str(r.date.trim(), "%Y-%m-%d").map_err(|_| {
                at(format!(
                    "date `{}` is not a date, expected `YYYY-MM-DD`",
                    r.date
                ))
            })?;
            let email: Address = r.facilitator.trim().parse().map_err(|_| {
                at(format!(
                    "facilitator `{}` is not an e-mail address, expected `user@example.org`",
                    r.facilitator
                ))
            })?;
            let original = match &r.original {
                None => None,
                Some(s) => Some(parse_when(s).ok_or_else(|| {
                    at(format!(
                        "original `{s}` is not an RFC 3339 instant or a `YYYY-MM-DD` date"
                    ))
                })?),
            };
            if original.is_some() && r.uid.is_none() {
                return Err(at(
                    "original is set without uid, expected both or neither".into()
                ));
            }
            let recorded = match &r.recorded {
                None => None,
                Some(s) => Some(
                    DateTime::parse_from_rfc3339(s)
                        .map(|t| t.with_timezone(&Utc))
                        .map_err(|_| at(format!("recorded `{s}` is not an RFC 3339 instant")))?,
                ),
            };
            entries.push(Entry {
                date,
                key: r.uid.map(|uid| OccurrenceKey { uid, original }),
                email,
                name: r.name,
                decided: r.decided.unwrap_or(Decided::Manual),
                recorded,
            });
        }
        let mut record = Record { entries };
        record.sort();
        Ok(record)
    }

    /// The record as TOML, with a header comment.
    pub fn to_toml(&self) -> String {
        let raw = RawRecord {
            summit: self
                .entries
                .iter()
                .map(|e| RawEntry {
                    date: e.date.format("%Y-%m-%d").to_string(),
                    facilitator: e.email.to_string(),
                    name: e.name.clone(),
                    decided: Some(e.decided),
                    uid: e.key.as_ref().map(|k| k.uid.clone()),
                    original: e
                        .key
                        .as_ref()
                        .and_then(|k| k.original)
                        .map(|w| w.to_string()),
                    recorded: e
                        .recorded
                        .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
                })
                .collect(),
        };
        let body = toml::to_string(&raw).expect("the record is plain data");
        format!("{HEADER}\n{body}")
    }

    /// Writes the record to `path` atomically.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be written; the old file is then unchanged.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, self.to_toml().as_bytes())
    }

    /// The record with the facilitators the send ledger says were announced
    /// ([`crate::send::announced_facilitators`]) added as [`Decided::Announced`] entries,
    /// for the summits the record does not name already (by identity or date), in place
    /// of any added before.
    pub fn with_announced(&mut self, announced: Vec<Entry>) {
        self.entries.retain(|e| e.decided != Decided::Announced);
        for a in announced {
            let named = self.entries.iter().any(|e| {
                e.key
                    .as_ref()
                    .zip(a.key.as_ref())
                    .is_some_and(|(x, y)| x == y)
                    || (e.key.is_none() && e.date == a.date)
            });
            if !named {
                self.entries.push(a);
            }
        }
        self.sort();
    }

    /// Whether the record has an entry for the summit `key` on `date` (by key, or by
    /// date for an entry without one).
    pub fn has(&self, key: &OccurrenceKey, date: NaiveDate) -> bool {
        self.entries.iter().any(|e| match &e.key {
            Some(k) => k == key,
            None => e.date == date,
        })
    }

    /// Adds `entry` unless the record has its summit already; returns whether it did.
    pub fn add(&mut self, entry: Entry) -> bool {
        let known = match &entry.key {
            Some(k) => self.has(k, entry.date),
            None => self.entries.iter().any(|e| e.date == entry.date),
        };
        if known {
            return false;
        }
        self.entries.push(entry);
        self.sort();
        true
    }

    fn sort(&mut self) {
        self.entries
            .sort_by(|a, b| (a.date, a.key.as_ref()).cmp(&(b.date, b.key.as_ref())));
    }
}

/// Adds `entries` to the record file at `path` as `[[summit]]` tables, each before the
/// first table of a later date (else at the end), leaving everything else as it was:
/// comments, formatting, the order of hand-written tables and the file's mode. A
/// missing file is written whole, with its header comment. Nothing is written when
/// `entries` is empty.
///
/// # Errors
/// [`Error::Config`] when the file is not TOML, or its `summit` is not an array of
/// tables; [`Error::Io`] when it cannot be read or written (the old file is then
/// unchanged).
pub fn append(path: &Path, entries: &[Entry]) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let text = match read_bounded_text(path, MAX_TEXT_BYTES, Links::Follow) {
        Ok(t) => t,
        Err(ReadError::Missing) => {
            let mut record = Record::default();
            record.entries.extend(entries.iter().cloned());
            record.sort();
            return record.save(path);
        }
        Err(ReadError::Io(e)) => return Err(Error::io(path, e)),
        Err(e) => {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: e.message(path, MAX_TEXT_BYTES, "a facilitation record"),
            });
        }
    };
    let invalid = |message: String| Error::Config {
        path: path.to_path_buf(),
        message,
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(e.message().trim().replace('\n', " ")))?;
    let existing = match doc.remove("summit") {
        None => toml_edit::ArrayOfTables::new(),
        Some(item) => item.into_array_of_tables().map_err(|_| {
            invalid("`summit` is not an array of tables, expected `[[summit]]` tables".into())
        })?,
    };
    let mut tables: Vec<toml_edit::Table> = existing.into_iter().collect();
    for entry in entries {
        let date = entry.date.format("%Y-%m-%d").to_string();
        let at = tables
            .iter()
            .position(|t| {
                t.get("date")
                    .and_then(|d| d.as_str())
                    .is_some_and(|d| d > date.as_str())
            })
            .unwrap_or(tables.len());
        tables.insert(at, entry_table(entry));
    }
    let mut summits = toml_edit::ArrayOfTables::new();
    for t in tables {
        summits.push(t);
    }
    doc.insert("summit", toml_edit::Item::ArrayOfTables(summits));
    let mut out = doc.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    write_atomically(path, out.as_bytes())
}

/// One entry as a `[[summit]]` table, its keys in the order [`Record::to_toml`] writes.
fn entry_table(e: &Entry) -> toml_edit::Table {
    let mut t = toml_edit::Table::new();
    t.insert(
        "date",
        toml_edit::value(e.date.format("%Y-%m-%d").to_string()),
    );
    t.insert("facilitator", toml_edit::value(e.email.to_string()));
    if let Some(name) = &e.name {
        t.insert("name", toml_edit::value(name.as_str()));
    }
    t.insert("decided", toml_edit::value(e.decided.to_string()));
    if let Some(k) = &e.key {
        t.insert("uid", toml_edit::value(k.uid.as_str()));
        if let Some(o) = k.original {
            t.insert("original", toml_edit::value(o.to_string()));
        }
    }
    if let Some(r) = e.recorded {
        t.insert(
            "recorded",
            toml_edit::value(r.to_rfc3339_opts(SecondsFormat::Secs, true)),
        );
    }
    // A blank line before each appended table, as `to_toml` writes them.
    t.decor_mut().set_prefix("\n");
    t
}

fn parse_when(s: &str) -> Option<When> {
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        return Some(When::AllDay(d));
    }
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| When::Timed(t.with_timezone(&Utc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_sorted_by_date() {
        let text = r#"
[[summit]]
date = "2027-02-25"
facilitator = "alan@example.org"
decided = "handover"
uid = "s@x"
original = "2027-02-25T16:00:00Z"

[[summit]]
date = "2026-11-26"
facilitator = "grace@example.org"
name = "Grace Hopper"
"#;
        let r = Record::from_toml(text).unwrap();
        assert_eq!(r.entries[0].date.to_string(), "2026-11-26");
        assert_eq!(r.entries[0].decided, Decided::Manual);
        assert_eq!(r.entries[1].key.as_ref().unwrap().uid, "s@x");
        let again = Record::from_toml(&r.to_toml()).unwrap();
        assert_eq!(again, r);
        assert!(r.to_toml().starts_with("# The facilitation record"));
    }

    #[test]
    fn errors_name_the_entry_and_value() {
        for (text, needle) in [
            (
                "[[summit]]\ndate = \"26 Nov\"\nfacilitator = \"a@x.org\"\n",
                "`26 Nov`",
            ),
            (
                "[[summit]]\ndate = \"2026-11-26\"\nfacilitator = \"nobody\"\n",
                "`nobody`",
            ),
            (
                "[[summit]]\ndate = \"2026-11-26\"\nfacilitator = \"a@x.org\"\nwho = 1\n",
                "line 4",
            ),
        ] {
            let e = Record::from_toml(text).unwrap_err();
            assert!(e.contains(needle), "{e} should contain {needle}");
        }
    }

    fn entry_on(date: &str, who: &str) -> Entry {
        Entry {
            date: date.parse().unwrap(),
            key: Some(OccurrenceKey {
                uid: "s@x".into(),
                original: Some(When::Timed(format!("{date}T16:00:00Z").parse().unwrap())),
            }),
            email: who.parse().unwrap(),
            name: Some("Ada".into()),
            decided: Decided::Handover,
            recorded: Some("2026-11-26T19:00:00Z".parse().unwrap()),
        }
    }

    #[test]
    fn append_keeps_comments_formatting_and_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facilitators.toml");
        let text = "# Our record, by hand.\n\n[[summit]]\ndate   = \"2026-10-01\"  # the first\nfacilitator = \"grace@example.org\"\n\n# Planned by the team.\n[[summit]]\ndate = \"2027-03-01\"\nfacilitator = \"alan@example.org\"\n";
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        append(
            &path,
            &[
                entry_on("2026-11-26", "ada@example.org"),
                entry_on("2027-04-01", "ada@example.org"),
            ],
        )
        .unwrap();
        let out = std::fs::read_to_string(&path).unwrap();
        assert!(
            out.starts_with(
                "# Our record, by hand.\n\n[[summit]]\ndate   = \"2026-10-01\"  # the first\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("# Planned by the team.\n[[summit]]\ndate = \"2027-03-01\""),
            "{out}"
        );
        let dates: Vec<&str> = out.lines().filter(|l| l.starts_with("date")).collect();
        assert_eq!(dates.len(), 4, "{out}");
        assert!(
            dates[1].contains("2026-11-26") && dates[3].contains("2027-04-01"),
            "{out}"
        );
        let record = Record::load(&path).unwrap();
        assert_eq!(record.entries.len(), 4);
        assert_eq!(record.entries[1], entry_on("2026-11-26", "ada@example.org"));
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        // A new record gets its header.
        let fresh = dir.path().join("new.toml");
        append(&fresh, &[entry_on("2026-11-26", "ada@example.org")]).unwrap();
        assert!(
            std::fs::read_to_string(&fresh)
                .unwrap()
                .starts_with("# The facilitation record")
        );
    }
}
