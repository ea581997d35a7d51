//! The unit tests of `summit check`.

use super::system::{check_ledger, folder_of, ledger_summary};
use super::*;
use crate::ledger::{self, Ledger};

#[test]
fn lines_start_with_a_padded_status() {
    let ok = Outcome::ok("feed", "12 event(s)".into());
    assert_eq!(ok.line(), "ok    feed: 12 event(s)");
    let warn = Outcome::warn("agenda", "x".into());
    assert_eq!(warn.line(), "warn  agenda: x");
    let fail = Outcome::fail("state", Error::Delivery("one\ntwo".into()));
    assert_eq!(fail.line(), "FAIL  state: one; two");
    assert_eq!(fail.errors.len(), 1);
}

#[test]
fn json_rows_have_the_documented_shape() {
    let mut out = Vec::new();
    let report = Report {
        done: vec![
            Outcome::ok("configuration", "c".into()),
            Outcome::warn("feed", "f".into()),
            Outcome::fail("templates", Error::Usage("bad".into())),
        ],
    };
    let err = report
        .finish(&mut Printer::new(&mut out, true))
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v,
        serde_json::json!([
            {"check": "configuration", "status": "ok", "detail": "c"},
            {"check": "feed", "status": "warn", "detail": "f"},
            {"check": "templates", "status": "fail", "detail": "bad"},
        ])
    );
}

#[test]
fn exit_status_is_2_for_any_configuration_error_else_1() {
    let run = |errors: Vec<Error>| {
        let mut out = Vec::new();
        let mut printer = Printer::new(&mut out, false);
        let mut report = Report { done: Vec::new() };
        report
            .add(&mut printer, Outcome::ok("first", "fine".into()))
            .unwrap();
        for e in errors {
            report.add(&mut printer, Outcome::fail("x", e)).unwrap();
        }
        let finished = report.finish(&mut printer);
        (finished, String::from_utf8(out).unwrap())
    };
    let (r, text) = run(vec![]);
    assert!(r.is_ok());
    assert_eq!(text, "ok    first: fine\n");
    let (r, text) = run(vec![Error::Delivery("refused".into())]);
    assert_eq!(r.unwrap_err().exit_code(), 1);
    assert_eq!(text, "ok    first: fine\nFAIL  x: refused\n");
    let (r, _) = run(vec![
        Error::Delivery("refused".into()),
        Error::Template {
            name: "reminder.txt".into(),
            line: Some(3),
            message: "undefined value".into(),
        },
    ]);
    let e = r.unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.to_string(),
        "refused\ntemplate `reminder.txt` line 3: undefined value"
    );
}

/// A ledger with a sent reminder and an unconfirmed agenda-vote.
const LEDGER: &str = r#"version = 1
since = "2026-11-01T00:00:00Z"

[[message]]
uid = "s@x"
original = "2026-11-26T16:00:00Z"
step = "reminder"
to = "list@example.org"
state = "sent"
message-id = "aa11.reminder.20261126@example.org"
due = "2026-11-23T16:00:00Z"
summit-start = "2026-11-26T16:00:00Z"
summit-end = "2026-11-26T18:00:00Z"
summary = "Developer Summit"
intent-at = "2026-11-23T16:00:00Z"
sent-at = "2026-11-23T16:00:01Z"
attempts = 1

[[message]]
uid = "s@x"
original = "2026-11-26T16:00:00Z"
step = "agenda-vote"
to = "team@example.org"
state = "intent"
message-id = "bb22.agenda-vote.20261126@example.org"
due = "2026-11-24T16:00:00Z"
summit-start = "2026-11-26T16:00:00Z"
summit-end = "2026-11-26T18:00:00Z"
summary = "Developer Summit"
intent-at = "2026-11-24T16:00:00Z"
attempts = 1
"#;

#[test]
fn ledger_summary_counts_states() {
    assert_eq!(ledger_summary(&Ledger::default()), "0 message(s)");
    let ledger = Ledger::from_toml(LEDGER).unwrap();
    assert_eq!(ledger_summary(&ledger), "2 message(s): 1 intent, 1 sent");
}

#[test]
fn an_intent_fails_the_ledger_check_with_the_settle_hint() {
    let dir = tempfile::tempdir().unwrap();
    let o = check_ledger(dir.path());
    assert_eq!(o.status, Status::Ok);
    assert!(
        o.detail.ends_with("none yet (the first tick starts it)"),
        "{}",
        o.detail
    );
    std::fs::write(dir.path().join(ledger::FILE), LEDGER).unwrap();
    let o = check_ledger(dir.path());
    assert_eq!(o.status, Status::Fail);
    assert!(
        o.detail.ends_with(
            "2 message(s): 1 intent, 1 sent; unconfirmed: the agenda-vote of the summit on 2026-11-26 to team@example.org (Message-ID <bb22.agenda-vote.20261126@example.org>); see `summit ledger list --state intent`"
        ),
        "{}",
        o.detail
    );
    assert_eq!(o.errors.len(), 1);
    let e = o.errors[0].to_string();
    assert!(
        e.contains("`summit ledger mark-sent bb22.agenda-vote.20261126@example.org`"),
        "{e}"
    );
    assert_eq!(o.errors[0].exit_code(), 1);
    std::fs::write(dir.path().join(ledger::FILE), "version = 99\n").unwrap();
    let o = check_ledger(dir.path());
    assert_eq!(o.status, Status::Fail);
    assert_eq!(o.errors[0].exit_code(), 1);
}

#[test]
fn folders_of_bare_names_are_the_working_directory() {
    assert_eq!(folder_of(Path::new("record.toml")), Path::new("."));
    assert_eq!(folder_of(Path::new("/a/record.toml")), Path::new("/a"));
}
