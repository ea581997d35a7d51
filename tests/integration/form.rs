//! The form of every message, whatever the step: drafted with `summit draft STEP --out`
//! (and corrections sent by `tick` through the file transport) for a timed and an
//! all-day summit, each .eml parsed with `mailparse` and held to what a maintainer would
//! send: RFC 5322 line lengths, bodies wrapped at 72 columns, `MIME-Version` and
//! `Auto-Submitted` (RFC 3834), a greeting that is never an address, the meeting link
//! wherever people are asked to come, and no "today" or "tomorrow" that is false when the
//! message is sent. Also: the meeting link as real feeds carry it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use mailparse::{MailHeaderMap, ParsedMail};

use crate::test::*;

const MEET: &str = "https://meet.google.com/abc-defg-hij";
const ZOOM: &str = "https://us02web.zoom.us/j/85512345678?pwd=AbCdEf";

/// The Prometheus example configuration, with `greeting = "Ada"` for Ada Lovelace (who
/// facilitates the first summit of [`feed`]).
fn config() -> String {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let with = text.replacen(
        "name = \"Ada Lovelace\"\n",
        "name = \"Ada Lovelace\"\ngreeting = \"Ada\"\n",
        1,
    );
    assert_ne!(text, with, "the example config has Ada Lovelace");
    with
}

/// Two summits, Thu 17 Dec 2026 and Thu 14 Jan 2027: timed (16:00 UTC, an hour, the
/// Google Meet link in X-GOOGLE-CONFERENCE) or all-day (the Zoom link only in
/// DESCRIPTION). `first` replaces the first one's DTSTART/DTEND/STATUS lines.
fn feed(all_day: bool, first: Option<&str>) -> String {
    let (one, two, link) = if all_day {
        (
            "DTSTART;VALUE=DATE:20261217\r\nDTEND;VALUE=DATE:20261218\r\nSTATUS:CONFIRMED\r\n",
            "DTSTART;VALUE=DATE:20270114\r\nDTEND;VALUE=DATE:20270115\r\n",
            format!(
                "DESCRIPTION:Propose topics in the notes (https://docs.example.org/n).\\n\\n\r\n \
                 Join Zoom Meeting\\n{ZOOM}.\\nMeeting ID: 855 1234 5678\r\n"
            ),
        )
    } else {
        (
            "DTSTART:20261217T160000Z\r\nDTEND:20261217T170000Z\r\nSTATUS:CONFIRMED\r\n",
            "DTSTART:20270114T160000Z\r\nDTEND:20270114T170000Z\r\n",
            format!("X-GOOGLE-CONFERENCE:{MEET}\r\n"),
        )
    };
    let one = first.unwrap_or(one);
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:form-1@example.org\r\nDTSTAMP:20261101T000000Z\r\n{one}\
SEQUENCE:{seq}\r\nSUMMARY:Prometheus Developer Summit\r\n{link}END:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:form-2@example.org\r\nDTSTAMP:20261101T000000Z\r\n{two}\
SUMMARY:Prometheus Developer Summit\r\n{link}END:VEVENT\r\nEND:VCALENDAR\r\n",
        seq = if first.is_some() { 1 } else { 0 },
    )
}

/// Topics for the summit of 17 December, proposed before either summit's deadline.
const AGENDA: &str = "\
title,owner,email,votes,proposed-at
Remote write 2.0,Alice Example,alice@example.org,12,2026-12-01T10:00:00Z
Native histograms,Ada Lovelace,ada@example.org,9,2026-12-02T10:00:00Z
UTF-8 metric names,carol@example.org,carol@example.org,7,2026-12-03T10:00:00Z
";

/// What a message is checked against.
struct Expect<'a> {
    /// The draft or tick's `--now`.
    now: &'a str,
    /// The date of the summit the message is about (UTC, the first configured zone).
    summit: NaiveDate,
    /// When the summit's reminder is due.
    reminder_due: &'a str,
    /// The meeting link people are asked to join by, when the message asks them to come.
    link: Option<&'a str>,
}

fn parse_time(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// The text part of `mail` (the first part of a multipart message).
fn text_body(mail: &ParsedMail<'_>) -> String {
    let part = if mail.subparts.is_empty() {
        mail
    } else {
        &mail.subparts[0]
    };
    part.get_body().unwrap().replace("\r\n", "\n")
}

/// Checks the message at `path` against `e`; returns its subject and body.
fn check(path: &Path, e: &Expect<'_>) -> (String, String) {
    let name = path.display().to_string();
    let raw = std::fs::read(path).unwrap();
    for line in raw.split(|b| *b == b'\n') {
        assert!(line.len() <= 998, "{name}: a line of {} octets", line.len());
    }
    let mail = mailparse::parse_mail(&raw).unwrap_or_else(|err| panic!("{name}: {err}"));
    let h = &mail.headers;
    assert_eq!(
        h.get_first_value("MIME-Version").as_deref(),
        Some("1.0"),
        "{name}"
    );
    assert_eq!(
        h.get_first_value("Auto-Submitted").as_deref(),
        Some("auto-generated"),
        "{name}: RFC 3834"
    );
    let subject = h.get_first_value("Subject").unwrap();
    assert!(
        subject.starts_with("[Prometheus] ") && !subject.contains("Prometheus Developer"),
        "{name}: the project named once: {subject}"
    );
    let body = text_body(&mail);
    for line in body.lines() {
        assert!(
            line.chars().count() <= 72 || line.contains("://"),
            "{name}: a body line of {} characters: {line:?}",
            line.chars().count()
        );
    }
    let greeting = body.lines().next().unwrap();
    assert!(
        greeting.starts_with("Hello") && greeting.ends_with(','),
        "{name}: {greeting:?}"
    );
    assert!(
        !greeting.contains('@'),
        "{name}: greeted by address: {greeting}"
    );
    if let Some(link) = e.link {
        assert!(
            body.contains(&format!("Join: {link}\n")),
            "{name}: no `Join: {link}`:\n{body}"
        );
    }

    // Relative words must be true at the time of sending.
    let now = parse_time(e.now);
    let days = (e.summit - now.date_naive()).num_days();
    let text = format!("{subject}\n{body}").to_lowercase();
    let count = |w: &str| text.matches(w).count();
    if count("tomorrow") > 0 {
        assert_eq!(
            days, 1,
            "{name}: `tomorrow` at {}:\n{subject}\n{body}",
            e.now
        );
    }
    if count("yesterday") > 0 {
        assert_eq!(days, -1, "{name}: `yesterday` at {}:\n{body}", e.now);
    }
    if count("today's") > 0 {
        assert_eq!(
            days, 0,
            "{name}: `today's` at {}:\n{subject}\n{body}",
            e.now
        );
    }
    if count("(today)") > 0 {
        assert!(
            days == 0 || days == 1,
            "{name}: `(today)` at {}:\n{body}",
            e.now
        );
    }
    assert_eq!(
        count("today"),
        count("today's") + count("(today)"),
        "{name}: another `today`:\n{body}"
    );
    if text.contains("before anything goes out in public") {
        assert!(
            now < parse_time(e.reminder_due),
            "{name}: the reminder is due at {}:\n{body}",
            e.reminder_due
        );
    }
    (subject, body)
}

/// `summit draft STEP --summit 2026-12-17 --out drafts` at `now` on [`feed`]; returns the
/// drafted files.
fn draft(all_day: bool, step: &str, now: &str, agenda: bool) -> (Test, Vec<PathBuf>) {
    let mut t = Test::new()
        .file("summit.toml", config())
        .file("feed.ics", feed(all_day, None))
        .file("agenda.csv", AGENDA)
        .args(["--config", "summit.toml", "--feed", "feed.ics"]);
    if agenda {
        t = t.args(["--agenda", "agenda.csv"]);
    }
    let t = t
        .now(now)
        .args(["draft", step, "--summit", "2026-12-17", "--out", "drafts"]);
    t.success();
    let mut files: Vec<PathBuf> = std::fs::read_dir(t.path("drafts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{step} at {now}: nothing drafted");
    (t, files)
}

fn every_step_has_the_form(all_day: bool) {
    let link = if all_day { ZOOM } else { MEET };
    // All-day: the reminder is due 3 days before 00:00 UTC of the date.
    let reminder_due = if all_day {
        "2026-12-14T00:00:00Z"
    } else {
        "2026-12-14T16:00:00Z"
    };
    let summit: NaiveDate = "2026-12-17".parse().unwrap();
    // (step, --now, with the agenda, asks people to come, words the body must hold)
    let cases: [(&str, &str, bool, bool, &[&str]); 13] = [
        (
            "assignment",
            "2026-12-10T00:00:00Z",
            false,
            true,
            &[
                "Hello Ada,",
                "before anything goes out in public",
                "on Thu 17 Dec",
            ],
        ),
        // After the reminder is due, no "before anything goes out in public".
        (
            "assignment",
            "2026-12-15T09:00:00Z",
            false,
            true,
            &["Hello Ada,", "on Thursday"],
        ),
        (
            "reminder",
            "2026-12-14T16:00:00Z",
            false,
            true,
            &["Hello Prometheus developers,", "is on Thursday:"],
        ),
        (
            "agenda-vote",
            "2026-12-15T16:00:00Z",
            false,
            false,
            &["Hello Prometheus team,", "is on Thursday:"],
        ),
        (
            "outreach",
            "2026-12-16T16:00:00Z",
            false,
            true,
            &["Hello Ada,", "tomorrow's Developer Summit", "(today)"],
        ),
        // Drafted early, nothing is "today".
        (
            "outreach",
            "2026-12-14T09:00:00Z",
            false,
            true,
            &["on Thursday", "Before the summit:\n"],
        ),
        // Late, on the day.
        (
            "outreach",
            "2026-12-17T09:00:00Z",
            false,
            true,
            &["today's Developer Summit", "(today)"],
        ),
        (
            "outreach",
            "2026-12-16T16:00:00Z",
            true,
            true,
            &["tomorrow's Developer Summit", "Your topic"],
        ),
        (
            "outreach",
            "2026-12-12T16:00:00Z",
            true,
            true,
            &["the Developer Summit on Thursday"],
        ),
        (
            "checklist",
            "2026-12-16T16:00:00Z",
            true,
            true,
            &["Hello Ada,", "Run-sheet of tomorrow's Developer Summit"],
        ),
        (
            "handover",
            "2026-12-17T20:00:00Z",
            false,
            false,
            &[
                "Hello Prometheus team,",
                "Thank you all for today's Developer Summit",
                "The next summit is on Thu 14 Jan 2027",
            ],
        ),
        // Sent two days late: not "today's".
        (
            "handover",
            "2026-12-19T10:00:00Z",
            false,
            false,
            &["Thank you all for the Developer Summit on Thursday"],
        ),
        (
            "agenda-vote",
            "2026-12-15T16:00:00Z",
            true,
            false,
            &["Topics proposed so far"],
        ),
    ];
    for (step, now, agenda, come, wants) in cases {
        let (_t, files) = draft(all_day, step, now, agenda);
        let e = Expect {
            now,
            summit,
            reminder_due,
            link: come.then_some(link),
        };
        for f in &files {
            let (subject, body) = check(f, &e);
            let day = if all_day {
                "Thu 17 Dec, all day"
            } else {
                "Thu 17 Dec, 16:00 UTC / 08:00 PST / 17:00 CET / 21:30 IST"
            };
            if step != "handover" {
                assert!(body.contains(day), "{step} at {now}: no `{day}`:\n{body}");
                assert!(
                    subject.contains("Thu 17 Dec") || subject.contains("tomorrow's"),
                    "{step}: {subject}"
                );
            }
            for want in wants {
                // The owners' outreach: each owner has their greeting.
                if want.starts_with("Hello") && agenda && step == "outreach" {
                    continue;
                }
                assert!(
                    body.contains(want) || subject.contains(want),
                    "{step} at {now}: no `{want}`:\n{subject}\n{body}"
                );
            }
        }
        if step == "outreach" && agenda {
            // One to each owner of the three topics, none greeted by address (Carol
            // gave only her address as her name).
            assert_eq!(files.len(), 3, "{files:?}");
        }
    }
}

#[test]
fn every_step_has_the_form_of_a_maintainer_message_for_a_timed_summit() {
    every_step_has_the_form(false);
}

#[test]
fn every_step_has_the_form_of_a_maintainer_message_for_an_all_day_summit() {
    every_step_has_the_form(true);
}

#[test]
fn handover_subject_matches_its_body() {
    // Alan is pinned to the January summit: the handover says so in both places.
    let pinned = config().replacen(
        "# [[rotation.assign]]\n# date = \"2027-02-25\"\n# email = \"alan@example.org\"",
        "[[rotation.assign]]\ndate = \"2027-01-14\"\nemail = \"alan@example.org\"",
        1,
    );
    assert_ne!(pinned, config());
    let t = Test::new()
        .file("summit.toml", pinned)
        .file("feed.ics", feed(false, None))
        .args(["--config", "summit.toml", "--feed", "feed.ics"])
        .now("2026-12-17T20:00:00Z")
        .args(["draft", "handover", "--summit", "2026-12-17"]);
    // Unfolded (RFC 5322 §2.2.3).
    let out = t.success().stdout.replace("\n ", " ");
    assert!(
        out.contains(
            "Subject: [Prometheus] Next facilitator: Alan Turing, Developer Summit, Thu 14 Jan 2027\n"
        ),
        "{out}"
    );
    assert!(!out.contains("Facilitator wanted"), "{out}");
    assert!(out.contains("As arranged, Alan Turing"), "{out}");
}

/// `tick` through the file transport: the reminder, then a correction when the summit
/// moves, then one when it is cancelled, which names the next summit. Returns the
/// outbox files each tick added.
fn tick_corrections(all_day: bool) {
    let site = Test::new()
        .file("summit.toml", config())
        .file("feed.ics", feed(all_day, None));
    let dir = site.dir.path().to_path_buf();
    let tick = |now: &str| {
        let r = command(
            &dir,
            &[
                "--config",
                "summit.toml",
                "--feed",
                "feed.ics",
                "--state-dir",
                "state",
                "--now",
                now,
                "tick",
            ]
            .map(String::from),
            &[],
        )
        .output()
        .unwrap();
        assert!(
            r.status.success(),
            "tick at {now}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
    };
    let outbox = dir.join("outbox");
    let listed = || -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&outbox)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    };
    let link = if all_day { ZOOM } else { MEET };
    let summit: NaiveDate = "2026-12-17".parse().unwrap();
    let reminder_due = if all_day {
        "2026-12-14T00:00:00Z"
    } else {
        "2026-12-14T16:00:00Z"
    };

    tick("2026-12-14T16:00:00Z");
    let first = listed();
    assert!(!first.is_empty(), "the reminder is sent");
    for f in &first {
        check(
            f,
            &Expect {
                now: "2026-12-14T16:00:00Z",
                summit,
                reminder_due,
                link: Some(link),
            },
        );
    }

    // Moved a day later.
    let moved = if all_day {
        "DTSTART;VALUE=DATE:20261218\r\nDTEND;VALUE=DATE:20261219\r\nSTATUS:CONFIRMED\r\n"
    } else {
        "DTSTART:20261218T170000Z\r\nDTEND:20261218T180000Z\r\nSTATUS:CONFIRMED\r\n"
    };
    std::fs::write(dir.join("feed.ics"), feed(all_day, Some(moved))).unwrap();
    tick("2026-12-15T10:00:00Z");
    let second: Vec<PathBuf> = listed()
        .into_iter()
        .filter(|f| !first.contains(f))
        .collect();
    let corrections: Vec<&PathBuf> = second
        .iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("Moved to"))
        .collect();
    assert!(!corrections.is_empty(), "a correction: {second:?}");
    for f in &corrections {
        let (subject, body) = check(
            f,
            &Expect {
                now: "2026-12-15T10:00:00Z",
                summit: "2026-12-18".parse().unwrap(),
                reminder_due,
                link: Some(link),
            },
        );
        assert!(subject.contains("Moved to Fri 18 Dec"), "{subject}");
        assert!(body.contains("It now takes place on Friday:"), "{body}");
        let raw = std::fs::read_to_string(f).unwrap();
        assert!(
            raw.replace("\r\n ", "").contains(&format!("URL:{link}")),
            "the attachment has the same link:\n{raw}"
        );
    }

    // Cancelled.
    let cancelled = moved.replace("CONFIRMED", "CANCELLED");
    let mut text = feed(all_day, Some(&cancelled));
    text = text.replacen("SEQUENCE:1", "SEQUENCE:2", 1);
    std::fs::write(dir.join("feed.ics"), text).unwrap();
    let before = listed();
    tick("2026-12-16T10:00:00Z");
    let third: Vec<PathBuf> = listed()
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    let cancels: Vec<&PathBuf> = third
        .iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("Cancelled:"))
        .collect();
    assert!(!cancels.is_empty(), "a cancellation: {third:?}");
    for f in cancels {
        let (_, body) = check(
            f,
            &Expect {
                now: "2026-12-16T10:00:00Z",
                summit: "2026-12-18".parse().unwrap(),
                reminder_due,
                link: None,
            },
        );
        let next = if all_day {
            "Thu 14 Jan 2027, all day"
        } else {
            "Thu 14 Jan 2027, 16:00 UTC / 08:00 PST / 17:00 CET / 21:30 IST"
        };
        assert!(
            body.contains("The next summit is on Thu 14 Jan 2027:") && body.contains(next),
            "{body}"
        );
        assert!(body.contains(&format!("Join: {link}")), "{body}");
    }
}

#[test]
fn corrections_sent_by_tick_have_the_form_of_a_maintainer_message() {
    tick_corrections(false);
}

#[test]
fn corrections_of_an_all_day_summit_have_the_form_of_a_maintainer_message() {
    tick_corrections(true);
}

// ---- the meeting link from real feeds ----

/// The reminder drafted for a one-event feed whose VEVENT has `props`.
fn reminder_with(props: &str, config_text: Option<String>) -> String {
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n\
UID:link@example.org\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261217T160000Z\r\n\
DTEND:20261217T170000Z\r\nSUMMARY:Developer Summit\r\n{props}END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    Test::new()
        .file("summit.toml", config_text.unwrap_or_else(config))
        .file("feed.ics", ics)
        .args(["--config", "summit.toml", "--feed", "feed.ics"])
        .now("2026-12-14T16:00:00Z")
        .args(["draft", "reminder"])
        .success()
        .stdout
}

#[test]
fn the_link_comes_from_x_google_conference() {
    let out = reminder_with(
        &format!("X-GOOGLE-CONFERENCE:{MEET}\r\nLOCATION:Online\r\n"),
        None,
    );
    assert!(out.contains(&format!("  Join: {MEET}\n")), "{out}");
    assert!(out.contains("  Where: Online\n"), "{out}");
}

#[test]
fn the_link_comes_from_a_zoom_link_only_in_the_description() {
    // Folded, escaped, after another (non-meeting) link, ended by a full stop.
    let out = reminder_with(
        &format!(
            "DESCRIPTION:Agenda: https://docs.example.org/notes\\, please read.\\nJoin Zo\r\n \
             om Meeting: {ZOOM}.\\nMeeting ID: 855\r\n"
        ),
        None,
    );
    assert!(out.contains(&format!("  Join: {ZOOM}\n")), "{out}");
    assert!(!out.contains("docs.example.org"), "{out}");
}

#[test]
fn the_link_comes_from_location() {
    let out = reminder_with(
        "LOCATION:Jitsi (https://meet.jit.si/PrometheusDevSummit)\r\n",
        None,
    );
    assert!(
        out.contains("  Join: https://meet.jit.si/PrometheusDevSummit\n"),
        "{out}"
    );
    assert!(
        out.contains("  Where: Jitsi (https://meet.jit.si/PrometheusDevSummit)\n"),
        "{out}"
    );
}

#[test]
fn the_links_are_taken_in_order() {
    // URL before X-GOOGLE-CONFERENCE before LOCATION before DESCRIPTION.
    let all = format!(
        "DESCRIPTION:{ZOOM}\r\nLOCATION:https://location.example.org/x\r\n\
X-GOOGLE-CONFERENCE:{MEET}\r\nURL:https://url.example.org/join\r\n"
    );
    let out = reminder_with(&all, None);
    assert!(
        out.contains("Join: https://url.example.org/join\n"),
        "{out}"
    );
    // A URL that is not a web link does not count.
    let out = reminder_with(
        &all.replace("https://url.example.org/join", "mailto:x@y"),
        None,
    );
    assert!(out.contains(&format!("Join: {MEET}\n")), "{out}");
    // project.meeting-url comes first.
    let configured = config().replacen(
        "# meeting-url = \"https://zoom.us/j/…\"",
        "meeting-url = \"https://zoom.us/j/1\"",
        1,
    );
    assert_ne!(configured, config());
    let out = reminder_with(&all, Some(configured));
    assert!(out.contains("Join: https://zoom.us/j/1\n"), "{out}");
    // Without any link, no Join line.
    let out = reminder_with("LOCATION:Room 1\r\n", None);
    assert!(!out.contains("Join:"), "{out}");
}
