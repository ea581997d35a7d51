//! `summit ledger`: listing the send ledger and settling it (mark-sent, forget) through
//! the real binary, with `tick` before and after: an interrupted send, a step done by
//! hand, a forgotten entry sent again, bad selectors, the JSON shape, and a change made
//! while a tick holds the lock.

use std::collections::BTreeSet;

use pretty_assertions::assert_eq;

use crate::smtp::SmtpServer;
use crate::test::*;
use crate::tick::{Site, example_without_assignment, kill, step_of};

const PUBLIC: &str = "prometheus-developers@googlegroups.com";

/// A `sendmail` that logs each message's Message-ID to `sent.log`; when the file `die`
/// exists it removes it and kills its caller (the `summit` handing the message over)
/// after taking the message; when `hold` exists it removes it, creates `inside` and
/// waits for `go`.
const SENDMAIL: &str = "#!/bin/sh
cat > msg.tmp
grep -i '^Message-ID:' msg.tmp | tr -d '\\r' | sed 's/^[^<]*<//; s/>.*$//' >> sent.log
if [ -e die ]; then rm die; kill -9 $PPID; exit 0; fi
if [ -e hold ]; then rm hold; touch inside; while [ ! -e go ]; do sleep 0.05; done; fi
";

/// The example deployment delivering through [`SENDMAIL`].
fn sendmail_site() -> Site {
    let site = Site::new(&example_without_assignment().replacen(
        "transport = \"file\"",
        "transport = \"sendmail\"\nsendmail = \"./fake-sendmail\"",
        1,
    ));
    std::fs::write(site.path("fake-sendmail"), SENDMAIL).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            site.path("fake-sendmail"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    site
}

/// The Message-IDs handed to [`SENDMAIL`], in order.
fn sent(site: &Site) -> Vec<String> {
    std::fs::read_to_string(site.path("sent.log"))
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// The kind part of a Message-ID (`HASH.KIND.DATE@DOMAIN`).
fn kind(id: &str) -> &str {
    id.split('.').nth(1).unwrap()
}

/// The first tick of a fresh ledger (adopts the earlier summits' closed steps), then a
/// tick at the reminder's due time that is killed once the reminder was handed over:
/// the ledger keeps an intent. Returns the reminder's Message-ID.
fn interrupt_the_reminder(site: &Site) -> String {
    site.tick_ok("2026-11-22T00:00:00Z");
    std::fs::write(site.path("die"), "").unwrap();
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_ne!(r.status, 0, "killed while handing the reminder over");
    assert!(site.has_intent(), "{}", site.ledger());
    let ids = sent(site);
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(kind(&ids[0]), "reminder");
    ids[0].clone()
}

/// The Message-ID in the `summit ledger mark-sent ID` that an error message suggests.
fn suggested(stderr: &str) -> String {
    let (_, rest) = stderr
        .split_once("run `summit ledger mark-sent ")
        .unwrap_or_else(|| panic!("no mark-sent command in: {stderr}"));
    rest.split('`').next().unwrap().to_string()
}

#[test]
fn an_interrupted_send_is_listed_and_mark_sent_settles_it() {
    let site = sendmail_site();
    let id = interrupt_the_reminder(&site);
    // Every tick reports it, with the exact command line that settles it.
    let r = site.tick("2026-11-23T17:00:00Z");
    assert_eq!((r.status, r.stdout.as_str()), (1, ""));
    assert!(
        r.stderr.starts_with(&format!(
            "error: the reminder of the summit on 2026-11-26 to {PUBLIC} was handed over at 2026-11-23T16:00:00Z but never confirmed"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "look for Message-ID <{id}> in the archive, then run `summit ledger mark-sent {id}` if it arrived, or `summit tick --retry` to send it again"
        )),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("in the ledger"),
        "no hand-editing advice"
    );
    assert_eq!(suggested(&r.stderr), id);

    // `summit ledger` lists it, as an intent, with the same advice.
    let r = site.run("2026-11-23T17:00:00Z", &["ledger"]);
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("  STEP      STATE   AT                         TO"),
        "{}",
        r.stdout
    );
    assert!(
        lines.contains(&"summit on 2026-11-26: Prometheus Developer Summit (uid 5q1hvb0n7ktr4ga1kq3cs0l6pk@google.com)"),
        "{}",
        r.stdout
    );
    let row = lines
        .iter()
        .find(|l| l.contains(&id))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        cells,
        [
            "reminder",
            "intent",
            "Mon",
            "23",
            "Nov",
            "2026",
            "16:00",
            "UTC",
            PUBLIC,
            &format!("<{id}>")
        ]
    );
    assert!(
        r.stdout
            .contains(&format!("run `summit ledger mark-sent {id}` if it arrived")),
        "{}",
        r.stdout
    );
    let r = site.run(
        "2026-11-23T17:00:00Z",
        &["ledger", "list", "--state", "intent", "--json"],
    );
    let listed = r.json();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["message_id"], id.as_str());

    // --dry-run changes nothing.
    let before = site.ledger();
    let r = site.run(
        "2026-11-23T17:30:00Z",
        &["ledger", "mark-sent", &format!("<{id}>"), "--dry-run"],
    );
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        format!(
            "would mark as sent: the reminder of the summit on 2026-11-26 to {PUBLIC} (Message-ID <{id}>), was intent; tick will not send it\n"
        )
    );
    assert_eq!(site.ledger(), before);

    // Settled: the next ticks are silent and exit 0, and nothing is sent again.
    let r = site.run("2026-11-23T17:30:00Z", &["ledger", "mark-sent", &id]);
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert!(
        r.stdout.starts_with("marked as sent: the reminder"),
        "{}",
        r.stdout
    );
    assert!(!site.has_intent(), "{}", site.ledger());
    assert!(
        site.ledger()
            .contains("marked-at = \"2026-11-23T17:30:00Z\""),
        "{}",
        site.ledger()
    );
    assert_eq!(site.tick_ok("2026-11-23T18:00:00Z"), "");
    assert_eq!(sent(&site).len(), 1);
    // Marking it again is harmless.
    let r = site.run("2026-11-23T18:00:00Z", &["ledger", "mark-sent", &id]);
    assert_eq!(r.status, 0);
    assert!(
        r.stdout.starts_with("already sent: the reminder"),
        "{}",
        r.stdout
    );
    let r = site.run("2026-11-23T18:00:00Z", &["ledger", "list", "--json"]);
    let reminder = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["message_id"] == id.as_str())
        .cloned()
        .unwrap();
    assert_eq!(reminder["state"], "sent");
    assert_eq!(reminder["sent_at"], "2026-11-23T16:00:00Z", "when it left");
    assert_eq!(reminder["marked_at"], "2026-11-23T17:30:00Z");
    assert_eq!(reminder["attempts"], 1);

    // The next step threads under the settled reminder.
    let out = site.tick_ok("2026-11-24T16:00:00Z");
    assert!(out.starts_with("sent the agenda-vote"), "{out}");
    let vote = std::fs::read_to_string(site.path("msg.tmp")).unwrap();
    assert!(vote.contains(&format!("In-Reply-To: <{id}>")), "{vote}");
}

#[test]
fn an_interrupted_smtp_send_settled_by_message_id_is_never_sent_again() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-22T00:00:00Z");
    // The server stores the message, then waits before it says 250: tick is killed
    // while it waits for the reply.
    server.control(r#"{"delay_after_store": 30}"#);
    let child = site.spawn("2026-11-23T16:00:00Z", &["tick"]);
    server.wait_for(1);
    kill(child);
    server.control("{}");
    assert!(site.has_intent(), "{}", site.ledger());
    let r = site.tick("2026-11-23T17:00:00Z");
    assert_eq!(r.status, 1, "{}", r.stderr);
    let id = suggested(&r.stderr);
    assert_eq!(server.messages()[0].message_id(), id);
    let r = site.run("2026-11-23T17:00:00Z", &["ledger", "mark-sent", &id]);
    assert_eq!((r.status, r.stderr.as_str()), (0, ""), "{}", r.stdout);
    assert_eq!(site.tick_ok("2026-11-23T18:00:00Z"), "");
    site.tick_ok("2026-11-24T16:00:00Z");
    let steps: Vec<String> = server.messages().iter().map(step_of).collect();
    assert_eq!(steps, ["reminder", "agenda-vote"]);
}

#[test]
fn forget_makes_tick_send_again() {
    let site = sendmail_site();
    let id = interrupt_the_reminder(&site);
    // A forgotten intent is sent again by the next tick (the operator found that it
    // never arrived), under the same Message-ID.
    let r = site.run("2026-11-23T17:00:00Z", &["ledger", "forget", &id]);
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        format!(
            "forgot: the reminder of the summit on 2026-11-26 to {PUBLIC} (Message-ID <{id}>), was intent; the next tick sends it again while its window is open\n"
        )
    );
    assert!(!site.ledger().contains(&id), "{}", site.ledger());
    let out = site.tick_ok("2026-11-23T18:00:00Z");
    assert!(out.starts_with("sent the reminder"), "{out}");
    assert_eq!(sent(&site)[1], id);
    assert_eq!(site.tick_ok("2026-11-23T19:00:00Z"), "");

    // By summit date and step: the dry run says so and keeps it; then it is sent again.
    let sel = ["--summit", "2026-11-26", "--step", "reminder"];
    let args = |rest: &[&'static str]| -> Vec<&'static str> {
        [&["ledger", "forget"][..], &sel, rest].concat()
    };
    let before = site.ledger();
    let r = site.run("2026-11-24T10:00:00Z", &args(&["--dry-run"]));
    assert!(
        r.stdout.starts_with("would forget: the reminder"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("was sent;"), "{}", r.stdout);
    assert_eq!(site.ledger(), before);
    let r = site.run("2026-11-24T10:00:00Z", &args(&["--json"]));
    assert_eq!(r.status, 0, "{}", r.stderr);
    let changes = r.json();
    assert_eq!(changes[0]["action"], "forgotten");
    assert_eq!(changes[0]["message_id"], id.as_str());
    assert!(
        site.tick_ok("2026-11-24T11:00:00Z")
            .starts_with("sent the reminder")
    );
    assert_eq!(
        sent(&site).iter().filter(|m| **m == id).count(),
        3,
        "sent again each time it was forgotten"
    );
}

#[test]
fn a_step_marked_done_by_hand_is_not_sent() {
    let site = sendmail_site();
    // What a first tick would send the day after the October summit, and what it would
    // send at the reminder's time.
    let would_send = |json: serde_json::Value| -> Vec<serde_json::Value> {
        json.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] == "would-send")
            .cloned()
            .collect()
    };
    let r = site.run("2026-10-30T00:00:00Z", &["tick", "--dry-run", "--json"]);
    let now = would_send(r.json());
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!(now[0]["step"], "handover");
    let handover = now[0]["message_id"].as_str().unwrap().to_string();
    let r = site.run("2026-11-23T16:00:00Z", &["tick", "--dry-run", "--json"]);
    let would = would_send(r.json());
    assert_eq!(would.len(), 1, "{would:?}");
    assert_eq!(would[0]["step"], "reminder");
    let reminder = would[0]["message_id"].as_str().unwrap().to_string();

    // A fresh state directory: the October handover was done by hand already, and the
    // November reminder will be.
    let r = site.run(
        "2026-10-30T00:00:00Z",
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-10-29",
            "--step",
            "handover",
        ],
    );
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        format!(
            "marked as sent: the handover of the summit on 2026-10-29 to prometheus-team@googlegroups.com (Message-ID <{handover}>), was not in the ledger: done by hand; tick will not send it\n"
        )
    );
    let r = site.run(
        "2026-11-22T00:00:00Z",
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-11-26",
            "--step",
            "reminder",
            "--json",
        ],
    );
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    let marked = r.json();
    assert_eq!(marked.as_array().unwrap().len(), 1);
    assert_eq!(marked[0]["action"], "marked-sent");
    assert_eq!(
        marked[0]["message_id"],
        reminder.as_str(),
        "tick's Message-ID"
    );
    assert_eq!(marked[0]["to"], serde_json::json!([PUBLIC]));
    assert_eq!(marked[0]["due"], "2026-11-23T16:00:00Z");
    assert_eq!(marked[0]["attempts"], 0);
    assert_eq!(marked[0]["intent_at"], serde_json::Value::Null);

    // Nothing to send at first (the first tick adopts the steps that closed before the
    // ledger was started), nor when the reminder falls due.
    let r = site.tick("2026-11-22T00:00:00Z");
    assert_eq!((r.status, r.stdout.as_str()), (0, ""));
    assert!(crate::tick::is_adoption_line(&r.stderr), "{}", r.stderr);
    assert_eq!(site.tick_ok("2026-11-23T16:00:00Z"), "");
    assert!(sent(&site).is_empty());
    // The other steps go on, in the reminder's thread.
    let out = site.tick_ok("2026-11-24T16:00:00Z");
    assert!(out.starts_with("sent the agenda-vote"), "{out}");
    let vote = std::fs::read_to_string(site.path("msg.tmp")).unwrap();
    assert!(
        vote.contains(&format!("In-Reply-To: <{reminder}>")),
        "{vote}"
    );
    let r = site.run(
        "2026-11-24T16:00:00Z",
        &["timeline", "--summit", "2026-11-26"],
    );
    let row = r.stdout.lines().find(|l| l.contains("reminder")).unwrap();
    assert!(row.contains("sent at"), "{}", r.stdout);
}

#[test]
fn bad_selectors_exit_2_naming_the_value() {
    let site = sendmail_site();
    let id = interrupt_the_reminder(&site);
    let before = site.ledger();
    let at = "2026-11-23T17:00:00Z";
    let fails = |args: &[&str], needle: &str| {
        let r = site.run(at, args);
        assert_eq!(r.status, 2, "{args:?}\n{}", r.stderr);
        assert!(r.stderr.starts_with("error: "), "{}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    };
    fails(
        &["ledger", "mark-sent", "0000.reminder.20261126@example.org"],
        "error: no message in the ledger is Message-ID `<0000.reminder.20261126@example.org>`, expected one that `summit ledger list --all` shows",
    );
    fails(&["ledger", "forget", "nope"], "Message-ID `<nope>`");
    fails(
        &[
            "ledger",
            "forget",
            "--summit",
            "2026-11-27",
            "--step",
            "reminder",
        ],
        "no message in the ledger is the reminder of a summit on 2026-11-27",
    );
    fails(
        &[
            "ledger",
            "forget",
            "--summit",
            "2026-11-26",
            "--step",
            "reminder",
            "--to",
            "x@y.org",
        ],
        "the reminder of a summit on 2026-11-26 to `x@y.org`",
    );
    fails(
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-11-27",
            "--step",
            "reminder",
        ],
        "no summit on 2026-11-27 (UTC)",
    );
    fails(
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-07-30",
            "--step",
            "reminder",
        ],
        "the reminder of the summit on 2026-07-30 stopped being useful at 2026-07-29T15:00:00Z (its window closed)",
    );
    fails(
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-11-26",
            "--step",
            "outreach",
            "--to",
            "eve@x.org",
        ],
        "the outreach of the summit on 2026-11-26 goes to `",
    );
    fails(
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-11-26",
            "--step",
            "assignment",
        ],
        "the assignment is off in this configuration",
    );
    fails(
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-11-26",
            "--step",
            "correction",
        ],
        "the correction of a summit on 2026-11-26",
    );
    fails(
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-11-26",
            "--step",
            "vote",
        ],
        "unknown step `vote`, expected one of",
    );
    fails(
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "26.11.2026",
            "--step",
            "reminder",
        ],
        "`26.11.2026` is not a date",
    );
    fails(
        &["ledger", "mark-sent", &id, "--step", "reminder"],
        "cannot be used with",
    );
    fails(
        &["ledger", "forget"],
        "required arguments were not provided",
    );
    fails(&["ledger", "--state", "done"], "unknown state `done`");
    assert_eq!(site.ledger(), before, "nothing changed");
    // Without a configuration, a step the ledger does not hold cannot be worked out
    // (run from another folder: the site's own `summit.toml` would be found).
    let elsewhere = site.dir.path().join("elsewhere");
    private_dir(&elsewhere);
    let r = command(
        &elsewhere,
        &[
            "--state-dir",
            "../state",
            "ledger",
            "mark-sent",
            "--summit",
            "2026-11-26",
            "--step",
            "agenda-vote",
        ]
        .map(String::from),
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("pass `--config PATH`"), "{stderr}");
}

/// A ledger written by hand: an intent and a failed outreach of the November summit,
/// another summit's reminder the same day, and a reminder of June.
const LEDGER: &str = r#"version = 1
since = "2026-06-01T00:00:00Z"

[[message]]
uid = "s@x"
original = "2026-11-26T16:00:00Z"
step = "reminder"
to = "list@example.org"
state = "intent"
message-id = "aa11.reminder.20261126@example.org"
due = "2026-11-23T16:00:00Z"
summit-start = "2026-11-26T16:00:00Z"
summit-end = "2026-11-26T18:00:00Z"
summary = "Developer Summit"
intent-at = "2026-11-23T16:00:00Z"
attempts = 1

[[message]]
uid = "s@x"
original = "2026-11-26T16:00:00Z"
step = "outreach"
to = "ada@example.org"
state = "failed"
message-id = "aa22.outreach.20261126@example.org"
due = "2026-11-25T16:00:00Z"
summit-start = "2026-11-26T16:00:00Z"
summit-end = "2026-11-26T18:00:00Z"
summary = "Developer Summit"
intent-at = "2026-11-25T16:00:00Z"
failed-at = "2026-11-25T16:00:00Z"
attempts = 1
error = "550 mailbox unavailable"

[[message]]
uid = "other@x"
step = "reminder"
to = "list@example.org"
state = "sent"
message-id = "bb33.reminder.20261126@example.org"
due = "2026-11-23T09:00:00Z"
summit-start = "2026-11-26T09:00:00Z"
summit-end = "2026-11-26T10:00:00Z"
summary = "Other Summit"
intent-at = "2026-11-23T09:00:00Z"
sent-at = "2026-11-23T09:00:01Z"
attempts = 1

[[message]]
uid = "s@x"
original = "2026-06-26T16:00:00Z"
step = "reminder"
to = "list@example.org"
state = "sent"
message-id = "cc44.reminder.20260626@example.org"
due = "2026-06-23T16:00:00Z"
summit-start = "2026-06-26T16:00:00Z"
summit-end = "2026-06-26T18:00:00Z"
summary = "Developer Summit"
intent-at = "2026-06-23T16:00:00Z"
sent-at = "2026-06-23T16:00:00Z"
attempts = 1
"#;

fn ledger_test(args: &[&str]) -> Test {
    Test::new()
        .file("state/ledger.toml", LEDGER)
        .args(["--state-dir", "state"])
        .now("2026-11-25T17:00:00Z")
        .args(args)
}

fn message_ids(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["message_id"].as_str().unwrap())
        .collect()
}

#[test]
fn list_json_has_one_documented_object_per_message() {
    let r = ledger_test(&["ledger", "list", "--json", "--all"]).success();
    let all = r.json();
    // By summit (in the order of their first due time), then in due order.
    assert_eq!(
        message_ids(&all),
        [
            "cc44.reminder.20260626@example.org",
            "bb33.reminder.20261126@example.org",
            "aa11.reminder.20261126@example.org",
            "aa22.outreach.20261126@example.org"
        ]
    );
    let keys = |v: &serde_json::Value| -> BTreeSet<String> {
        v.as_object().unwrap().keys().cloned().collect()
    };
    for e in all.as_array().unwrap() {
        assert_eq!(
            keys(e),
            [
                "summit",
                "step",
                "correction",
                "to",
                "channel",
                "posted",
                "state",
                "unconfirmed",
                "message_id",
                "due",
                "intent_at",
                "sent_at",
                "failed_at",
                "missed_at",
                "marked_at",
                "attempts",
                "error"
            ]
            .map(String::from)
            .into(),
        );
        assert_eq!(
            keys(&e["summit"]),
            ["uid", "original", "start", "end", "summary", "cancelled"]
                .map(String::from)
                .into(),
        );
    }
    assert_eq!(
        all[3],
        serde_json::json!({
            "summit": {
                "uid": "s@x",
                "original": "2026-11-26T16:00:00Z",
                "start": "2026-11-26T16:00:00Z",
                "end": "2026-11-26T18:00:00Z",
                "summary": "Developer Summit",
                "cancelled": false
            },
            "step": "outreach",
            "correction": null,
            "to": ["ada@example.org"],
            "channel": null,
            "posted": null,
            "state": "failed",
            "unconfirmed": false,
            "message_id": "aa22.outreach.20261126@example.org",
            "due": "2026-11-25T16:00:00Z",
            "intent_at": "2026-11-25T16:00:00Z",
            "sent_at": null,
            "failed_at": "2026-11-25T16:00:00Z",
            "missed_at": null,
            "marked_at": null,
            "attempts": 1,
            "error": "550 mailbox unavailable"
        })
    );
    assert_eq!(all[1]["summit"]["original"], serde_json::Value::Null);

    // Without --all: June is long past.
    let r = ledger_test(&["ledger", "--json"]).success();
    assert_eq!(message_ids(&r.json()).len(), 3);
    let r = ledger_test(&[
        "ledger", "list", "--json", "--state", "failed", "--state", "intent",
    ])
    .success();
    assert_eq!(
        message_ids(&r.json()),
        [
            "aa11.reminder.20261126@example.org",
            "aa22.outreach.20261126@example.org"
        ]
    );
    // The table: a heading per summit, a row per message, notes under it.
    let r = ledger_test(&["ledger"]).success();
    assert!(
        r.stdout
            .contains("summit on 2026-11-26: Other Summit (uid other@x)"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("cc44"), "{}", r.stdout);
    assert!(
        r.stdout.contains("\n      550 mailbox unavailable\n"),
        "{}",
        r.stdout
    );
    // An empty or missing ledger.
    let r = Test::new()
        .args(["--state-dir", "state", "ledger", "--json"])
        .success();
    assert_eq!(r.json(), serde_json::json!([]));
    let r = Test::new()
        .args(["--state-dir", "state", "ledger"])
        .success();
    assert!(
        r.stdout
            .starts_with("no message listed: the ledger state/ledger.toml holds 0"),
        "{}",
        r.stdout
    );
    // A ledger this version cannot read is a runtime failure, left alone.
    Test::new()
        .file("state/ledger.toml", "version = 7\n")
        .args(["--state-dir", "state", "ledger", "forget", "x"])
        .fails(1);
}

#[test]
fn selectors_match_one_message_one_step_or_are_ambiguous() {
    let t = ledger_test(&["ledger", "forget", "aa", "--dry-run"]);
    let r = t.fails(2);
    assert!(
        r.stderr.starts_with("error: Message-ID `aa` matches 2 messages (`<aa11.reminder.20261126@example.org>`, `<aa22.outreach.20261126@example.org>`), expected a whole Message-ID or a prefix of only one"),
        "{}",
        r.stderr
    );
    let r = ledger_test(&[
        "ledger",
        "mark-sent",
        "--summit",
        "2026-11-26",
        "--step",
        "reminder",
    ])
    .fails(2);
    assert!(
        r.stderr.starts_with("error: `--summit 2026-11-26` matches 2 summits in the ledger (uid `other@x`, uid `s@x` instance `2026-11-26T16:00:00Z`), expected one: name the message by its Message-ID instead"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.path("state/ledger.toml")).unwrap(),
        LEDGER
    );
    // A step of one summit: every recipient's message; dry run first.
    let t = ledger_test(&[
        "ledger",
        "mark-sent",
        "--summit",
        "2026-11-26",
        "--step",
        "outreach",
        "--json",
        "--dry-run",
    ]);
    let r = t.success();
    assert_eq!(r.json()[0]["action"], "would-mark-sent");
    assert_eq!(r.json()[0]["state"], "sent");
    assert_eq!(
        std::fs::read_to_string(t.path("state/ledger.toml")).unwrap(),
        LEDGER
    );
    let t = ledger_test(&["ledger", "mark-sent", "aa22", "--json"]);
    let r = t.success();
    assert_eq!(r.json()[0]["action"], "marked-sent");
    assert_eq!(r.json()[0]["sent_at"], "2026-11-25T16:00:00Z");
    assert_eq!(r.json()[0]["error"], serde_json::Value::Null);
    let after = std::fs::read_to_string(t.path("state/ledger.toml")).unwrap();
    assert!(
        after.contains("marked-at = \"2026-11-25T17:00:00Z\""),
        "{after}"
    );
    assert_eq!(after.matches("\n[[message]]\n").count(), 4);
    let t = ledger_test(&["ledger", "forget", "<cc44.reminder.20260626@example.org>"]);
    let r = t.success();
    assert!(
        r.stdout
            .starts_with("forgot: the reminder of the summit on 2026-06-26"),
        "{}",
        r.stdout
    );
    let after = std::fs::read_to_string(t.path("state/ledger.toml")).unwrap();
    assert!(!after.contains("cc44"), "{after}");
    assert_eq!(after.matches("\n[[message]]\n").count(), 3);
    assert!(
        after.contains("since = \"2026-06-01T00:00:00Z\""),
        "{after}"
    );
}

#[test]
fn a_change_waits_for_a_running_tick_and_loses_nothing() {
    let site = sendmail_site();
    site.tick_ok("2026-11-22T00:00:00Z");
    // A tick that holds the lock while the reminder is with the transport.
    std::fs::write(site.path("hold"), "").unwrap();
    let tick = site.spawn("2026-11-23T16:00:00Z", &["tick"]);
    crate::tick::wait_until("the reminder handed over", || site.path("inside").exists());
    // Meanwhile the operator records the agenda vote as done by hand.
    let args = site.args(
        "2026-11-23T16:00:00Z",
        &[
            "ledger",
            "mark-sent",
            "--summit",
            "2026-11-26",
            "--step",
            "agenda-vote",
        ],
    );
    let mut mark = std_command(site.dir.path(), &args, &[])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        mark.try_wait().unwrap().is_none(),
        "mark-sent waits for the lock the tick holds"
    );
    std::fs::write(site.path("go"), "").unwrap();
    let mut tick = tick;
    assert!(tick.wait().unwrap().success());
    assert!(mark.wait().unwrap().success());
    // Both changes are in the ledger: the reminder sent by tick, the vote by hand.
    let states = site.states();
    assert_eq!(
        states[states.len() - 2..],
        ["sent", "sent"],
        "{}",
        site.ledger()
    );
    assert!(
        site.ledger()
            .contains("marked-at = \"2026-11-23T16:00:00Z\"")
    );
    assert_eq!(site.tick_ok("2026-11-24T16:00:00Z"), "");
    let kinds: Vec<String> = sent(&site).iter().map(|m| kind(m).to_string()).collect();
    assert_eq!(kinds, ["reminder"]);
}

#[test]
fn a_message_twice_in_the_ledger_is_refused_naming_both() {
    // A `failed` copy of a message after its `sent` one would send it again.
    let copy = LEDGER
        .split("\n\n")
        .find(|t| t.contains("bb33.reminder"))
        .unwrap()
        .replace("state = \"sent\"", "state = \"failed\"");
    let r = Test::new()
        .file("state/ledger.toml", format!("{LEDGER}\n{copy}\n"))
        .args(["--state-dir", "state", "ledger"])
        .now("2026-11-25T17:00:00Z")
        .fails(1);
    assert!(
        r.stderr.contains(
            "[[message]] 3 and 5 of the ledger are both uid `other@x` step `reminder` to `list@example.org`, expected one entry per message"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn the_state_directory_is_found_without_home() {
    // cron may run without HOME: XDG_STATE_HOME (set by the harness to the test's own
    // folder) still names the state directory.
    let dir = tempfile::tempdir().unwrap();
    let out = std_command(dir.path(), &["ledger".into(), "list".into()], &[])
        .env_remove("HOME")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = dir.path().join(".xdg-state/summit/ledger.toml");
    assert!(stdout.contains(&expected.display().to_string()), "{stdout}");
}
