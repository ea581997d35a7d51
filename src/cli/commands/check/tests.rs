//! The unit tests of `summit check`.

use super::system::{check_ledger, find_program, folder_of, ledger_summary, probe_writable};
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

#[cfg(unix)]
#[test]
fn programs_are_found_in_path_or_by_path_and_must_be_executable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let prog = bin.join("fake-sendmail");
    std::fs::write(&prog, "#!/bin/sh\n").unwrap();
    let plain = bin.join("plain");
    std::fs::write(&plain, "").unwrap();
    std::fs::set_permissions(&prog, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
    let path = std::env::join_paths([dir.path().join("none"), bin.clone()]).unwrap();
    assert_eq!(find_program("fake-sendmail", Some(&path)).unwrap(), prog);
    let e = find_program("plain", Some(&path)).unwrap_err();
    assert!(
        e.contains("`plain` is not an executable file in any folder of PATH"),
        "{e}"
    );
    assert!(find_program("fake-sendmail", None).is_err());
    let by_path = prog.to_str().unwrap();
    assert_eq!(find_program(by_path, None).unwrap(), prog);
    let e = find_program(plain.to_str().unwrap(), Some(&path)).unwrap_err();
    assert!(e.contains("is not an executable file"), "{e}");
    let missing = bin.join("missing");
    let e = find_program(missing.to_str().unwrap(), Some(&path)).unwrap_err();
    assert!(e.contains("missing`: no such file"), "{e}");
}

#[test]
fn a_writable_folder_passes_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    probe_writable(dir.path()).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let e = probe_writable(&file).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("expected a writable folder"), "{e}");
    let e = probe_writable(&dir.path().join("missing")).unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
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
