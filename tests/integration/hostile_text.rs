//! Hostile text in the feed (issue #9 items 1, 6, 9): headers every server accepts and
//! no reader misreads, nothing raw on a terminal, no panic on a closed pipe or a full
//! disk.

use std::io::Read;
use std::process::Stdio;

use mailparse::MailHeaderMap;

use crate::smtp::SmtpServer;
use crate::test::*;
use crate::tick::{Site, example_without_assignment};

/// A SUMMARY that readers would decode into a line break and a `Bcc:` if it reached
/// the Subject raw.
const ENCODED_WORD: &str = "=?utf-8?q?=0D=0ABcc:_x@y?=";

/// An OSC sequence that sets a terminal's title.
const OSC: &str = "\u{1b}]0;pwned\u{7}";

/// A feed of two summits (2026-11-26 and 2026-12-03, 16:00 UTC) whose SUMMARY, LOCATION
/// and UID carry an encoded word, ESC and OSC sequences, a bidi override, TEXT-escaped
/// newlines and a 3,900-character word; `extra` is added to the first VEVENT.
fn hostile_feed(extra: &str) -> String {
    let long = "A".repeat(3900);
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:esc\u{1b}[31m{OSC}@example.org\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART:20261126T160000Z\r\nDTEND:20261126T170000Z\r\n\
SUMMARY:Developer Summit {ENCODED_WORD} {OSC}\u{202e}txt.exe\\nerror: forged\r\n\
LOCATION:Room\u{1b}[2J\\nwarning: forged\r\n{extra}END:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:long@example.org\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART:20261203T160000Z\r\nDTEND:20261203T170000Z\r\n\
SUMMARY:Developer Summit {long}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// `what` holds no byte a terminal acts on: below 0x20 but `\n`, DEL, a C1 control, a
/// bidi override; and every line of `stderr` is a warning or an error.
fn assert_inert(what: &str, stdout: &str, stderr: &str) {
    for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| {
                (c < ' ' && c != '\n')
                    || c == '\u{7f}'
                    || ('\u{80}'..='\u{9f}').contains(&c)
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .collect();
        assert!(bad.is_empty(), "{what}: {name} has {bad:?}:\n{text}");
    }
    for line in stderr.lines() {
        assert!(
            line.starts_with("warning: ") || line.starts_with("error: "),
            "{what}: stderr line {line:?}"
        );
        assert!(!line.contains("forged") || !line.starts_with("error: forged"));
    }
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
}

#[test]
fn drafted_headers_fit_and_decode_to_harmless_text() {
    let t = Test::new()
        .file("feed.ics", hostile_feed(""))
        .file("summit.toml", example_without_assignment());
    for (date, dir) in [("2026-11-26", "a"), ("2026-12-03", "b")] {
        Test::new()
            .args([
                "--config",
                t.path("summit.toml").to_str().unwrap(),
                "--feed",
                t.path("feed.ics").to_str().unwrap(),
                "--now",
                "2026-11-20T00:00:00Z",
                "draft",
                "reminder",
                "--summit",
                date,
                "--out",
                t.path(dir).to_str().unwrap(),
            ])
            .success();
        let files: Vec<_> = std::fs::read_dir(t.path(dir)).unwrap().flatten().collect();
        assert_eq!(files.len(), 1, "{date}");
        let bytes = std::fs::read(files[0].path()).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let (head, _) = text.split_once("\r\n\r\n").unwrap();
        for line in head.split("\r\n") {
            assert!(
                line.len() <= 78,
                "{date}: header line of {}: {line}",
                line.len()
            );
        }
        for line in text.split("\r\n") {
            assert!(line.len() <= 998, "{date}: a line of {} octets", line.len());
        }
        let mail = mailparse::parse_mail(&bytes).unwrap();
        assert!(mail.headers.get_first_value("Bcc").is_none(), "{head}");
        let subject = mail.headers.get_first_value("Subject").unwrap();
        assert!(
            !subject.chars().any(char::is_control),
            "{date}: {subject:?}"
        );
        assert!(subject.chars().count() <= 200, "{date}: {subject}");
        if date == "2026-11-26" {
            assert!(subject.contains(ENCODED_WORD), "{subject}");
            assert!(!subject.contains('\u{202e}'), "{subject}");
        } else {
            // The SUMMARY is cut, and what follows it in the subject (the date) kept.
            assert!(
                subject.contains('…') && subject.contains("Dec"),
                "{subject}"
            );
        }
    }
}

#[test]
fn sent_headers_fit_and_decode_to_harmless_text() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    std::fs::write(site.path("feed.ics"), hostile_feed("")).unwrap();
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_inert("tick", &r.stdout, &r.stderr);
    let r = site.tick("2026-11-30T16:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    let messages = server.messages();
    assert!(messages.len() >= 2, "{}", messages.len());
    for m in &messages {
        assert_eq!(m.rcpt_tos.len(), 1, "{:?}", m.rcpt_tos);
        assert!(m.headers("Bcc").is_empty());
        for line in m.data.lines() {
            assert!(line.len() <= 998, "a line of {} octets", line.len());
        }
        let subject = m.header("Subject").unwrap();
        assert!(!subject.chars().any(char::is_control), "{subject:?}");
        assert!(subject.chars().count() <= 200, "{subject}");
    }
    assert!(
        messages
            .iter()
            .any(|m| m.header("Subject").unwrap().contains(ENCODED_WORD))
    );
}

#[test]
fn feed_text_reaches_the_terminal_escaped() {
    // An RDATE that cannot be read is a warning that quotes it.
    let site = Site::new(&example_without_assignment());
    std::fs::write(
        site.path("feed.ics"),
        hostile_feed(&format!("X-BAD:1\r\nRDATE:{OSC}\r\n")),
    )
    .unwrap();
    let now = "2026-11-20T00:00:00Z";
    for args in [
        &["events", "--from", "2026-11-01T00:00:00Z"][..],
        &["events", "--from", "2026-11-01T00:00:00Z", "--json"],
        &["next", "--count", "2"],
        &["next", "--json"],
        &["who"],
    ] {
        let r = site.run(now, args);
        assert_eq!(r.status, 0, "{args:?}: {}", r.stderr);
        assert_inert(&format!("{args:?}"), &r.stdout, &r.stderr);
        assert!(
            r.stderr.contains("warning: feed `feed.ics` line "),
            "{}",
            r.stderr
        );
    }
    let r = site.run(now, &["events", "--from", "2026-11-01T00:00:00Z", "--json"]);
    let json = r.json();
    assert!(json[0]["uid"].as_str().unwrap().contains(OSC), "{json}");
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_inert("tick", &r.stdout, &r.stderr);
    for args in [
        &["ledger", "list", "--all"][..],
        &["ledger", "list", "--json"],
    ] {
        let r = site.run("2026-11-23T17:00:00Z", args);
        assert_eq!(r.status, 0, "{args:?}: {}", r.stderr);
        assert_inert(&format!("{args:?}"), &r.stdout, &r.stderr);
    }
    // An error quoting a value with a newline stays one `error:` line, in clap's
    // rendering (its `--help` tip below it).
    let r = site.run(now, &["events", "--from", "x\u{1b}[2J\nerror: forged"]);
    assert_eq!(r.status, 2, "{}", r.stderr);
    let lines: String = r
        .stderr
        .lines()
        .filter(|l| !l.is_empty() && *l != "For more information, try '--help'.")
        .map(|l| format!("{l}\n"))
        .collect();
    assert_inert("bad --from", &r.stdout, &lines);
    assert!(lines.contains(r"x\x1b[2J\x0aerror: forged"), "{lines}");
}

/// Runs `summit ARGS` with standard output a pipe closed before it writes.
fn into_closed_pipe(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let mut child = std_command(dir, &args, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (child.wait().unwrap().code().unwrap_or(-1), stderr)
}

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let t = Test::new();
    let feed = example_feed();
    let feed = feed.to_str().unwrap();
    for args in [
        &["completions", "bash"][..],
        &["--help"],
        &["events", "--help"],
        &["--version"],
        &[
            "--feed",
            feed,
            "events",
            "--from",
            "2020-01-01T00:00:00Z",
            "--count",
            "5000",
        ],
        &[
            "--feed",
            feed,
            "events",
            "--from",
            "2020-01-01T00:00:00Z",
            "--count",
            "5000",
            "--json",
        ],
    ] {
        let (status, stderr) = into_closed_pipe(t.dir.path(), args);
        assert_eq!((status, stderr.as_str()), (0, ""), "{args:?}");
    }
}

#[test]
fn a_full_disk_is_an_error() {
    let t = Test::new();
    let feed = example_feed();
    for args in [
        vec![
            "--feed".to_string(),
            feed.to_str().unwrap().to_string(),
            "events".into(),
            "--from".into(),
            "2020-01-01T00:00:00Z".into(),
        ],
        vec!["completions".into(), "bash".into()],
        vec!["--help".into()],
    ] {
        let out = std_command(t.dir.path(), &args, &[])
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
