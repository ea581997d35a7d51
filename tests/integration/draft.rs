//! `summit draft STEP`: RFC 5322 messages, checked with Python's `email` package and
//! with the `mailparse` crate.

use std::path::{Path, PathBuf};
use std::process::Command;

use mailparse::{MailAddr, MailHeaderMap};
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::test::*;

const FROM: &str = "summit-bot@example.org";
const PUBLIC: &str = "prometheus-developers@googlegroups.com";
const TEAM: &str = "prometheus-team@googlegroups.com";
const NOTES: &str =
    "https://docs.google.com/document/d/1uurQCi5iVufhYHGlBZ8mJMK_freDFKPG0iYBQqJ9fvA";
const CALENDAR: &str = "https://prometheus.io/community/";

/// Parses the message at `path` with Python's `email` package (policy `default`, the
/// strict RFC 5322 one) and returns what it saw as JSON.
fn python_parse(path: &Path) -> Value {
    const SCRIPT: &str = r#"
import email, email.policy, json, sys
with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)
def addrs(name):
    h = msg[name]
    return None if h is None else [[a.display_name, a.addr_spec] for a in h.addresses]
defects = [repr(d) for d in msg.defects]
for k, v in msg.items():
    defects += ["%s: %r" % (k, d) for d in getattr(v, "defects", ())]
print(json.dumps({
    "keys": [k.lower() for k in msg.keys()],
    "defects": defects,
    "from": addrs("From"),
    "to": addrs("To"),
    "reply_to": addrs("Reply-To"),
    "bcc": msg.get_all("Bcc"),
    "cc": msg.get_all("Cc"),
    "subject": str(msg["Subject"]) if msg["Subject"] is not None else None,
    "date": msg["Date"].datetime.isoformat() if msg["Date"] is not None else None,
    "message_id": str(msg["Message-ID"]) if msg["Message-ID"] is not None else None,
    "content_type": msg.get_content_type(),
    "multipart": msg.is_multipart(),
    "parts": [[p.get_content_type(), p.get_filename()] for p in msg.iter_parts()],
    "body": msg.get_body(preferencelist=("plain",)).get_content(),
}))
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python3 could not parse {}:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python printed JSON")
}

/// The `.eml` files in `dir`, sorted.
fn eml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files {
        assert_eq!(
            f.extension().and_then(|e| e.to_str()),
            Some("eml"),
            "only .eml files in the out folder: {}",
            f.display()
        );
    }
    files
}

/// `summit draft STEP --out drafts` on the example at `now` (plus `extra`); returns
/// the test (for its paths) and the one drafted file.
fn draft_one(step: &str, now: &str, extra: &[&str]) -> (Test, PathBuf) {
    let t = Test::new()
        .example()
        .now(now)
        .args(["draft", step, "--out", "drafts"])
        .args(extra);
    let r = t.success();
    assert_eq!(r.stdout, "", "--out prints nothing");
    assert!(
        r.stderr.contains("as `send` would send them"),
        "--out says what it wrote: {}",
        r.stderr
    );
    let files = eml_files(&t.path("drafts"));
    assert_eq!(files.len(), 1, "{files:?}");
    let file = files[0].clone();
    (t, file)
}

fn addr_specs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("an address list: {v}"))
        .iter()
        .map(|a| a[1].as_str().unwrap().to_string())
        .collect()
}

/// The line of `body` that shows the start on `day` in every configured zone (UTC,
/// America/Los_Angeles, Europe/Berlin, Asia/Kolkata), with these local times.
fn assert_start_in_every_zone(body: &str, day: &str, times: [&str; 4]) {
    let want = format!("{day}, {}", times.join(" / "));
    assert!(
        body.lines().any(|l| l.trim() == want),
        "no line `{want}`:\n{body}"
    );
}

// ---- the reminder, with Python's email package ----

#[test]
fn reminder_out_writes_an_eml_that_python_parses() {
    let (_t, file) = draft_one("reminder", "2026-11-21T10:00:00Z", &[]);
    let m = python_parse(&file);
    assert_eq!(m["defects"], serde_json::json!([]), "{m}");
    // As `send` sends it: the text, and the summit as an iCalendar attachment.
    assert_eq!(m["multipart"], true);
    assert_eq!(m["content_type"], "multipart/mixed");
    assert_eq!(
        m["parts"],
        serde_json::json!([
            ["text/plain", null],
            ["text/calendar", "summit-2026-11-26.ics"]
        ])
    );
    assert_eq!(
        m["from"],
        serde_json::json!([["Prometheus Summit Bot", FROM]])
    );
    assert_eq!(addr_specs(&m["to"]), [PUBLIC]);
    assert_eq!(
        m["reply_to"],
        Value::Null,
        "no Reply-To: replies to the reminder stay on the list"
    );
    assert_eq!(m["bcc"], Value::Null);
    assert_eq!(m["cc"], Value::Null);
    let subject = m["subject"].as_str().unwrap();
    assert_eq!(
        subject,
        "[Prometheus] Add agenda topics: Developer Summit, Thu 26 Nov"
    );
    assert!(
        !subject.contains('\n') && !subject.contains('\r'),
        "{subject:?}"
    );
    assert_eq!(m["date"], "2026-11-21T10:00:00+00:00", "Date is --now");
    let id = m["message_id"].as_str().unwrap();
    assert!(
        id.starts_with('<') && id.ends_with("@example.org>") && !id.contains(' '),
        "{id}"
    );
    for key in [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "auto-submitted",
    ] {
        let n = m["keys"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| *k == key)
            .count();
        assert_eq!(n, 1, "exactly one {key} header: {}", m["keys"]);
    }

    let body = m["body"].as_str().unwrap();
    assert!(body.starts_with("Hello Prometheus developers,\n"), "{body}");
    // Sent on Saturday 21 for Thursday 26.
    assert!(
        body.contains("The next Developer Summit is on Thursday:"),
        "{body}"
    );
    assert_start_in_every_zone(
        body,
        "Thu 26 Nov",
        ["16:00 UTC", "08:00 PST", "17:00 CET", "21:30 IST"],
    );
    assert!(
        body.contains("Join: https://zoom.example.org/j/000000000"),
        "the LOCATION's link: {body}"
    );
    // The topic deadline: 24 hours before the start, in every zone.
    assert!(body.contains("24 hours"), "{body}");
    assert!(
        body.contains("Wed 25 Nov, 16:00 UTC / 08:00 PST / 17:00 CET / 21:30 IST"),
        "{body}"
    );
    assert!(body.contains(NOTES), "notes link: {body}");
    assert!(body.contains(CALENDAR), "calendar link: {body}");
    assert!(
        body.contains("Grace Hopper"),
        "signed by the facilitator: {body}"
    );
}

#[test]
fn eml_file_uses_crlf_line_ends_and_short_lines() {
    let (_t, file) = draft_one("reminder", "2026-11-21T10:00:00Z", &[]);
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8(bytes).expect("UTF-8");
    for (i, w) in text.as_bytes().windows(2).enumerate() {
        if w[1] == b'\n' {
            assert_eq!(w[0], b'\r', "bare LF at byte {i}");
        }
    }
    assert!(text.contains("\r\n\r\n"), "a blank line ends the header");
    for line in text.split("\r\n") {
        assert!(line.len() <= 998, "line longer than 998 octets: {line}");
    }
}

// ---- the same, with mailparse ----

#[test]
fn reminder_eml_parses_with_mailparse() {
    let (_t, file) = draft_one("reminder", "2026-11-21T10:00:00Z", &[]);
    let bytes = std::fs::read(&file).unwrap();
    let mail = mailparse::parse_mail(&bytes).expect("mailparse parses it");
    let h = &mail.headers;
    let single = |name: &str| -> Vec<String> {
        let value = h
            .get_first_value(name)
            .unwrap_or_else(|| panic!("no {name}"));
        mailparse::addrparse(&value)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .iter()
            .map(|a| match a {
                MailAddr::Single(s) => s.addr.clone(),
                MailAddr::Group(g) => panic!("unexpected group {}", g.group_name),
            })
            .collect()
    };
    assert_eq!(single("From"), [FROM]);
    assert_eq!(single("To"), [PUBLIC]);
    assert!(
        h.get_first_value("Reply-To").is_none(),
        "replies stay on the list"
    );
    assert_eq!(h.get_first_value("MIME-Version").as_deref(), Some("1.0"));
    assert_eq!(
        h.get_first_value("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    assert!(h.get_first_value("Bcc").is_none());
    assert_eq!(h.get_all_values("Subject").len(), 1);
    let subject = h.get_first_value("Subject").unwrap();
    assert_eq!(
        subject,
        "[Prometheus] Add agenda topics: Developer Summit, Thu 26 Nov"
    );
    let date = mailparse::dateparse(&h.get_first_value("Date").unwrap()).unwrap();
    assert_eq!(date, 1_795_255_200, "2026-11-21T10:00:00Z");
    let id = h.get_first_value("Message-ID").unwrap();
    assert!(
        id.trim().starts_with('<') && id.trim().ends_with('>'),
        "{id}"
    );
    assert_eq!(mail.ctype.mimetype, "multipart/mixed");
    let text = &mail.subparts[0];
    assert_eq!(text.ctype.mimetype, "text/plain");
    assert_eq!(text.ctype.charset, "utf-8");
    assert_eq!(mail.subparts[1].ctype.mimetype, "text/calendar");
    let body = text.get_body().unwrap().replace("\r\n", "\n");
    assert_start_in_every_zone(
        &body,
        "Thu 26 Nov",
        ["16:00 UTC", "08:00 PST", "17:00 CET", "21:30 IST"],
    );
    assert!(body.contains("Wed 25 Nov, 16:00 UTC"), "{body}");
    assert!(body.contains(NOTES) && body.contains(CALENDAR), "{body}");
}

// ---- standard output ----

#[test]
fn without_out_one_message_goes_to_stdout_without_separator_and_nothing_is_written() {
    let t = Test::new()
        .example()
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "reminder"]);
    let r = t.success();
    assert!(
        !r.stdout.lines().any(|l| l == "-----"),
        "one message, no separator:\n{}",
        r.stdout
    );
    assert!(r.stdout.contains("Subject: "), "{}", r.stdout);
    assert!(r.stdout.contains("Message-ID: <"), "{}", r.stdout);
    assert!(r.stdout.contains("21:30 IST"), "{}", r.stdout);
    let written: Vec<_> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(written, Vec::<std::ffi::OsString>::new(), "nothing written");

    // The same message as --out writes, modulo line ends.
    let (_t2, file) = draft_one("reminder", "2026-11-21T10:00:00Z", &[]);
    let eml = std::fs::read_to_string(file).unwrap().replace("\r\n", "\n");
    assert_eq!(r.stdout.trim_end(), eml.trim_end());
}

#[test]
fn draft_writes_nothing_to_the_outbox() {
    // transport = "file" with outbox = "outbox" next to the config: drafting sends
    // nothing, so no outbox appears.
    let t = Test::new()
        .file(
            "conf/summit.toml",
            std::fs::read_to_string(example_config()).unwrap(),
        )
        .args(["--config", "conf/summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "outreach", "--out", "drafts"]);
    t.success();
    assert!(!exists(&t.path("conf/outbox")), "draft sent mail");
    assert_eq!(eml_files(&t.path("drafts")).len(), 1);
}

#[test]
fn out_creates_a_nested_folder() {
    let t = Test::new().example().now("2026-11-21T10:00:00Z").args([
        "draft",
        "agenda-vote",
        "--out",
        "a/b/c",
    ]);
    let r = t.success();
    assert_eq!(r.stdout, "");
    assert_eq!(eml_files(&t.path("a/b/c")).len(), 1);
}

// ---- Message-ID ----

fn message_id(step: &str, now: &str, extra: &[&str]) -> (String, String) {
    let (_t, file) = draft_one(step, now, extra);
    let m = python_parse(&file);
    (
        m["message_id"].as_str().unwrap().to_string(),
        m["date"].as_str().unwrap().to_string(),
    )
}

#[test]
fn message_id_is_the_same_whenever_the_mail_is_drafted() {
    let (id1, date1) = message_id("reminder", "2026-11-21T10:00:00Z", &[]);
    let (id2, date2) = message_id("reminder", "2026-11-23T15:59:00Z", &[]);
    let (id3, _) = message_id(
        "reminder",
        "2025-02-01T00:00:00Z",
        &["--summit", "2026-11-26"],
    );
    assert_ne!(date1, date2, "Date follows --now");
    assert_eq!(id1, id2);
    assert_eq!(id1, id3);
}

#[test]
fn message_id_differs_per_step_and_per_summit() {
    let steps = ["reminder", "agenda-vote", "outreach", "handover"];
    let mut ids: Vec<String> = steps
        .iter()
        .map(|s| message_id(s, "2026-11-21T10:00:00Z", &["--summit", "2026-11-26"]).0)
        .collect();
    ids.push(
        message_id(
            "reminder",
            "2026-11-21T10:00:00Z",
            &["--summit", "2026-12-17"],
        )
        .0,
    );
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
}

// ---- every step ----

#[test]
fn all_four_steps_draft_for_a_summit() {
    let mut subjects = Vec::new();
    for (step, to, reply_to) in [
        ("reminder", PUBLIC, None),
        ("agenda-vote", TEAM, Some("grace@example.org")),
        ("outreach", "grace@example.org", Some("grace@example.org")),
        ("handover", TEAM, Some("grace@example.org")),
    ] {
        let (_t, file) = draft_one(step, "2026-11-21T10:00:00Z", &["--summit", "2026-11-26"]);
        let m = python_parse(&file);
        assert_eq!(m["defects"], serde_json::json!([]), "{step}: {m}");
        assert_eq!(addr_specs(&m["to"]), [to], "{step}");
        assert_eq!(addr_specs(&m["from"]), [FROM], "{step}");
        match reply_to {
            Some(r) => assert_eq!(
                addr_specs(&m["reply_to"]),
                [r],
                "{step}: Reply-To is the facilitator"
            ),
            None => assert_eq!(m["reply_to"], Value::Null, "{step}: no Reply-To"),
        }
        assert!(
            m["date"].is_string() && m["message_id"].is_string(),
            "{step}"
        );
        let id = m["message_id"].as_str().unwrap();
        assert!(id.contains(step), "{step}: {id}");
        let subject = m["subject"].as_str().unwrap().to_string();
        assert!(subject.contains("Prometheus"), "{step}: {subject}");
        let body = m["body"].as_str().unwrap();
        // The handover is about the next summit; the others name this one.
        let date = if step == "handover" {
            "Thu 17 Dec"
        } else {
            "Thu 26 Nov"
        };
        assert!(body.contains(date), "{step}: {body}");
        subjects.push(subject);
    }
    let mut unique = subjects.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "{subjects:?}");
}

#[test]
fn agenda_vote_names_the_topic_deadline_and_the_notes() {
    let (_t, file) = draft_one("agenda-vote", "2026-11-21T10:00:00Z", &[]);
    let m = python_parse(&file);
    let body = m["body"].as_str().unwrap();
    assert!(
        body.contains("Wed 25 Nov, 16:00 UTC / 08:00 PST / 17:00 CET / 21:30 IST"),
        "{body}"
    );
    assert!(body.contains(NOTES), "{body}");
    assert!(body.contains("vote"), "{body}");
    assert!(body.starts_with("Hello Prometheus team,\n"), "{body}");
}

#[test]
fn outreach_goes_to_the_facilitator_and_names_every_zone() {
    let (_t, file) = draft_one("outreach", "2026-11-24T18:00:00Z", &[]);
    let m = python_parse(&file);
    assert_eq!(
        m["to"],
        serde_json::json!([["Grace Hopper", "grace@example.org"]])
    );
    let body = m["body"].as_str().unwrap();
    assert!(body.starts_with("Hello Grace Hopper,\n"), "{body}");
    assert_start_in_every_zone(
        body,
        "Thu 26 Nov",
        ["16:00 UTC", "08:00 PST", "17:00 CET", "21:30 IST"],
    );
    assert!(body.contains("code-of-conduct"), "{body}");
    // Sent on Tuesday 24 for Thursday 26: neither "tomorrow" nor "(today)".
    assert!(
        body.contains("You facilitate the Developer Summit on Thursday:"),
        "{body}"
    );
    assert!(body.contains("Before the summit:\n"), "{body}");
    assert_eq!(
        m["subject"],
        "[Prometheus] Prepare to facilitate: Developer Summit, Thu 26 Nov"
    );
}

#[test]
fn without_summit_the_next_summit_is_drafted() {
    // Just after the November start, the reminder is for the moved December summit.
    let (_t, file) = draft_one("reminder", "2026-11-26T16:00:01Z", &[]);
    let m = python_parse(&file);
    assert!(
        m["subject"].as_str().unwrap().ends_with("Thu 17 Dec"),
        "{m}"
    );
    assert_eq!(m["reply_to"], Value::Null);
    assert!(m["body"].as_str().unwrap().contains("Alan Turing"), "{m}");
    let body = m["body"].as_str().unwrap();
    assert_start_in_every_zone(
        body,
        "Thu 17 Dec",
        ["16:00 UTC", "08:00 PST", "17:00 CET", "21:30 IST"],
    );
    assert!(body.contains("Wed 16 Dec, 16:00 UTC"), "deadline: {body}");
}

#[test]
fn reminder_after_the_spring_dst_change_shows_summer_times() {
    let (_t, file) = draft_one("reminder", "2027-04-20T00:00:00Z", &[]);
    let body = python_parse(&file)["body"].as_str().unwrap().to_string();
    assert_start_in_every_zone(
        &body,
        "Thu 29 Apr",
        ["15:00 UTC", "08:00 PDT", "17:00 CEST", "20:30 IST"],
    );
}

// ---- handover ----

#[test]
fn handover_names_the_next_facilitator_and_the_next_date() {
    let (_t, file) = draft_one(
        "handover",
        "2026-11-26T20:00:00Z",
        &["--summit", "2026-11-26"],
    );
    let m = python_parse(&file);
    assert_eq!(addr_specs(&m["to"]), [TEAM]);
    // The rotation proposes Alan: the subject asks him to confirm, as the body does.
    assert_eq!(
        m["subject"],
        "[Prometheus] Please confirm: Alan Turing facilitates the Developer Summit, Thu 17 Dec"
    );
    let body = m["body"].as_str().unwrap();
    assert!(body.starts_with("Hello Prometheus team,\n"), "{body}");
    // Sent four hours after the start, the same day.
    assert!(
        body.contains("Thank you all for today's Developer Summit"),
        "{body}"
    );
    assert!(body.contains("Alan Turing"), "{body}");
    assert!(body.contains("alan@example.org"), "{body}");
    assert!(body.contains("Thu 17 Dec, 16:00 UTC"), "{body}");
    assert!(!body.contains("31 Dec"), "{body}");
}

#[test]
fn handover_after_the_last_summit_is_drafted_without_summit() {
    // Two hours after the November summit ends, the handover is that summit's.
    let (_t, file) = draft_one("handover", "2026-11-26T20:00:00Z", &[]);
    let m = python_parse(&file);
    assert_eq!(addr_specs(&m["reply_to"]), ["grace@example.org"]);
    assert!(m["body"].as_str().unwrap().contains("Alan Turing"), "{m}");
}

#[test]
fn handover_skips_the_cancelled_summit() {
    let (_t, file) = draft_one(
        "handover",
        "2026-12-17T20:00:00Z",
        &["--summit", "2026-12-17"],
    );
    let m = python_parse(&file);
    let body = m["body"].as_str().unwrap();
    assert!(body.contains("Katherine Johnson"), "{body}");
    assert!(body.contains("Thu 25 Feb 2027"), "{body}");
    assert!(!body.contains("28 Jan"), "{body}");
    assert!(
        m["subject"].as_str().unwrap().ends_with("Thu 25 Feb 2027"),
        "{m}"
    );
}

// ---- header injection ----

#[test]
fn summary_cannot_inject_headers() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n\
UID:inject@example.org\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART:20261126T160000Z\r\nDTEND:20261126T180000Z\r\n\
SUMMARY:Developer Summit\\nBcc: evil@example.com\\nX-Injected: yes\\N\\nTo: victim@example.com\r\n\
LOCATION:Room 1\\nBcc: evil2@example.com\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    let t = Test::new()
        .file("inject.ics", ics)
        .args(["--config", example_config().to_str().unwrap()])
        .args(["--feed", "inject.ics"])
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "reminder", "--out", "drafts"]);
    t.success();
    let files = eml_files(&t.path("drafts"));
    assert_eq!(files.len(), 1);
    let m = python_parse(&files[0]);
    assert_eq!(m["bcc"], Value::Null, "{m}");
    let keys: Vec<&str> = m["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(!keys.contains(&"x-injected"), "{keys:?}");
    assert_eq!(keys.iter().filter(|k| **k == "to").count(), 1, "{keys:?}");
    assert_eq!(addr_specs(&m["to"]), [PUBLIC]);
    let subject = m["subject"].as_str().unwrap();
    assert!(
        subject.contains("Bcc: evil@example.com"),
        "kept as text: {subject}"
    );
    assert!(!subject.contains('\n'), "{subject:?}");

    let bytes = std::fs::read(&files[0]).unwrap();
    let mail = mailparse::parse_mail(&bytes).unwrap();
    assert!(mail.headers.get_first_value("Bcc").is_none());
    assert!(mail.headers.get_first_value("X-Injected").is_none());
    assert_eq!(mail.headers.get_all_values("To").len(), 1);
    let body = mail.get_body().unwrap();
    assert!(!body.contains("\r\n\r\nBcc:"), "{body}");
}

// ---- template overrides ----

fn config_with_templates() -> String {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let replaced = text.replace(
        "# templates = \"templates\"",
        "templates = \"my-templates\"",
    );
    assert_ne!(
        text, replaced,
        "the example config has a commented templates key"
    );
    replaced
}

#[test]
fn template_override_replaces_a_built_in_template() {
    let t = Test::new()
        .file("summit.toml", config_with_templates())
        .file(
            "my-templates/reminder.txt",
            "Subject: Custom reminder for {{ summit.date }}\n\n\
             CUSTOM BODY by {{ facilitator.name }}\n\
             {% for t in summit.times %}{{ t.zone }}={{ t.local }}\n{% endfor %}",
        )
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "reminder", "--out", "drafts"]);
    t.success();
    let files = eml_files(&t.path("drafts"));
    let m = python_parse(&files[0]);
    assert_eq!(m["subject"], "Custom reminder for 2026-11-26");
    let body = m["body"].as_str().unwrap();
    assert!(body.starts_with("CUSTOM BODY by Grace Hopper\n"), "{body}");
    assert!(
        body.contains("Asia/Kolkata=Thu 26 Nov 2026, 21:30"),
        "{body}"
    );
    assert!(!body.contains("Hello Prometheus developers"), "{body}");
    assert_eq!(addr_specs(&m["to"]), [PUBLIC], "recipients do not change");

    // The steps without an override keep the built-in template.
    let t2 = Test::new()
        .file("summit.toml", config_with_templates())
        .file("my-templates/reminder.txt", "Subject: x\n\ny\n")
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "agenda-vote"]);
    let r = t2.success();
    assert!(r.stdout.contains("Please vote"), "{}", r.stdout);
}

#[test]
fn templates_folder_without_overrides_uses_built_ins() {
    let t = Test::new()
        .file("summit.toml", config_with_templates())
        .file("my-templates/README", "no templates here\n")
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "reminder"]);
    let r = t.success();
    assert!(
        r.stdout.contains("Hello Prometheus developers,"),
        "{}",
        r.stdout
    );
}

// ---- dates and names ----

#[test]
fn summit_date_is_the_utc_date() {
    // 02:00 in Kolkata on 27 November is 20:30 UTC on the 26th.
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n\
UID:kolkata@example.org\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART;TZID=Asia/Kolkata:20261127T020000\r\nDTEND;TZID=Asia/Kolkata:20261127T030000\r\n\
SUMMARY:Developer Summit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let t = Test::new()
        .file("kolkata.ics", ics)
        .args(["--config", example_config().to_str().unwrap()])
        .args(["--feed", "kolkata.ics"])
        .now("2026-11-21T10:00:00Z")
        .args([
            "draft",
            "reminder",
            "--summit",
            "2026-11-26",
            "--out",
            "drafts",
        ]);
    t.success();
    let files = eml_files(&t.path("drafts"));
    let body = python_parse(&files[0])["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        body.contains("Thu 26 Nov, 20:30 UTC / 12:30 PST / 21:30 CET / Fri 27 Nov 02:00 IST"),
        "{body}"
    );
    let wrong = Test::new()
        .file("kolkata.ics", ics)
        .args(["--config", example_config().to_str().unwrap()])
        .args(["--feed", "kolkata.ics"])
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "reminder", "--summit", "2026-11-27"])
        .fails(1);
    assert!(wrong.stderr.contains("2026-11-27"), "{}", wrong.stderr);
}

#[test]
fn non_ascii_names_are_encoded_and_decode_back() {
    let text = std::fs::read_to_string(example_config())
        .unwrap()
        .replace("name = \"Prometheus\"", "name = \"Prométhée\"")
        .replace("name = \"Grace Hopper\"", "name = \"Grâce Höpper, Jr.\"");
    let t = Test::new()
        .file("summit.toml", text)
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "agenda-vote", "--out", "drafts"]);
    t.success();
    let files = eml_files(&t.path("drafts"));
    let raw = std::fs::read(&files[0]).unwrap();
    let header_end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    assert!(raw[..header_end].is_ascii(), "headers are 7-bit (RFC 5322)");
    let m = python_parse(&files[0]);
    assert_eq!(m["defects"], serde_json::json!([]), "{m}");
    assert!(
        m["subject"].as_str().unwrap().starts_with("[Prométhée]"),
        "{m}"
    );
    assert_eq!(
        m["reply_to"],
        serde_json::json!([["Grâce Höpper, Jr.", "grace@example.org"]])
    );
    assert!(
        m["body"]
            .as_str()
            .unwrap()
            .contains("Hello Prométhée team,"),
        "{m}"
    );
}

/// The reminder of `examples/` as `summit draft reminder` prints it, byte for byte: a
/// change of wording, header order or zone list shows as a diff of
/// `snapshots/integration__draft__reminder_of_the_examples.snap` (review it with
/// `cargo insta review`, or `INSTA_UPDATE=always` to accept).
#[test]
fn reminder_of_the_examples_is_as_snapshot() {
    let r = Test::new()
        .example()
        .now("2026-11-21T10:00:00Z")
        .args(["draft", "reminder"])
        .success();
    insta::assert_snapshot!("reminder_of_the_examples", r.stdout);
}
