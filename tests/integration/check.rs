//! `summit check`: the set-up check before trusting cron, through the real binary: the
//! shipped example, a broken template override, an unusable state directory, an
//! unconfirmed message in the ledger, the feed (missing, without a summit, through the
//! cache), and the transports, with `--connect` to a real SMTP server (aiosmtpd) that
//! must receive nothing.

use pretty_assertions::assert_eq;

use crate::http::{FeedServer, Mode};
use crate::smtp::{SmtpServer, free_port};
use crate::test::*;
use crate::tick::{Site, smtp_config};

const NOW: &str = "2026-11-20T00:00:00Z";

impl Site {
    fn check(&self, rest: &[&str]) -> Run {
        let mut args = vec!["check"];
        args.extend(rest);
        self.run(NOW, &args)
    }
}

/// The example deployment (file transport) in a temporary folder.
fn example_site() -> Site {
    Site::new(&std::fs::read_to_string(example_config()).unwrap())
}

/// Asserts `r` exited with `status`, with every stderr line a `warning:` or `error:`
/// line, and returns the `error:` lines.
fn errors(r: &Run, status: i32) -> Vec<String> {
    assert_eq!(
        r.status, status,
        "stdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    for l in r.stderr.lines() {
        assert!(
            l.starts_with("error: ") || l.starts_with("warning: "),
            "stderr line without `error: ` or `warning: `: {l:?}"
        );
    }
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r.stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .map(String::from)
        .collect()
}

/// The line of `check` in the human output.
fn line_of<'a>(r: &'a Run, check: &str) -> &'a str {
    r.stdout
        .lines()
        .find(|l| l[6..].starts_with(&format!("{check}: ")))
        .unwrap_or_else(|| panic!("no `{check}` line in:\n{}", r.stdout))
}

/// The file names in `dir`.
fn names(dir: &std::path::Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    n.sort();
    n
}

#[test]
fn the_shipped_example_passes_and_sends_nothing() {
    let site = example_site();
    let r = site.check(&[]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert_eq!(r.stderr, "");
    assert_eq!(
        r.stdout,
        "\
ok    configuration: summit.toml: 5 member(s), 4 zone(s), transport file
ok    templates: 12 compiled; rendered for the summit on 2026-11-26: assignment, reminder, agenda-vote, outreach, checklist, handover, correction
ok    feed: feed.ics: 5 event(s), 0 warning(s); next summit 2026-11-26T16:00:00Z (Prometheus Developer Summit), facilitator Grace Hopper <grace@example.org>
ok    record: ./facilitators.toml: 0 entries (no file yet: the first handover starts it), its folder is writable
ok    state: state: created, writable, lock taken and released
ok    ledger: state/ledger.toml: none yet (the first tick starts it)
ok    transport: file: outbox ./outbox: created, writable
"
    );
    // Nothing drafted, sent or recorded: an empty outbox, no ledger, no record, and
    // the state directory holds only the lock file.
    assert_eq!(names(&site.path("outbox")), Vec::<String>::new());
    assert_eq!(names(&site.path("state")), ["lock"]);
    assert!(!site.path("facilitators.toml").exists());
    // Again: nothing to create now.
    let r = site.check(&[]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert_eq!(
        line_of(&r, "state"),
        "ok    state: state: writable, lock taken and released"
    );
    // After a tick the ledger is there, with what it holds.
    let t = site.tick(NOW);
    assert_eq!(t.status, 0, "{}", t.stderr);
    let r = site.check(&[]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert_eq!(
        line_of(&r, "ledger"),
        "ok    ledger: state/ledger.toml: 16 message(s): 1 sent, 15 missed"
    );
}

#[test]
fn a_template_override_with_an_undefined_variable_fails_with_exit_2() {
    let config = std::fs::read_to_string(example_config()).unwrap().replacen(
        "# templates = \"templates\"",
        "templates = \"templates\"",
        1,
    );
    let site = Site::new(&config);
    std::fs::create_dir(site.path("templates")).unwrap();
    // It compiles; only rendering finds the undefined variable, on line 4.
    std::fs::write(
        site.path("templates/handover.txt"),
        "Subject: Who facilitates next?\n\nHello,\n{{ summit.no_such_field }}\n",
    )
    .unwrap();
    let r = site.check(&[]);
    let e = errors(&r, 2);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("error: template `handover.txt` line 4: undefined value"),
        "{e:?}"
    );
    assert!(
        line_of(&r, "templates").starts_with("FAIL  templates: template `handover.txt` line 4: "),
        "{}",
        r.stdout
    );
    // The other checks still ran.
    assert!(line_of(&r, "feed").starts_with("ok    "), "{}", r.stdout);
    assert!(
        line_of(&r, "transport").starts_with("ok    "),
        "{}",
        r.stdout
    );
    assert_eq!(names(&site.path("outbox")), Vec::<String>::new());
    // The correction is rendered for every change, so a branch taken only when a
    // summit is cancelled is checked too.
    std::fs::remove_file(site.path("templates/handover.txt")).unwrap();
    std::fs::write(
        site.path("templates/correction.txt"),
        "Subject: Changed\n\n{% if change == \"cancelled\" %}\n{{ summit.no_such_field }}\n{% endif %}\n",
    )
    .unwrap();
    let r = site.check(&[]);
    let e = errors(&r, 2);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("error: template `correction.txt` line 4: undefined value"),
        "{e:?}"
    );
}

#[test]
fn a_configuration_error_is_exit_2_and_stops_there() {
    let site = Site::new("[calendar]\nzones = [\"Mars/Olympus\"]\n");
    let r = site.check(&[]);
    let e = errors(&r, 2);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("summit.toml") && e[0].contains("Mars/Olympus"),
        "{e:?}"
    );
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    assert!(
        r.stdout.starts_with("FAIL  configuration: summit.toml"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_state_path_that_is_a_file_exits_1() {
    let site = example_site();
    std::fs::write(site.path("state"), "not a folder").unwrap();
    let r = site.check(&[]);
    let e = errors(&r, 1);
    assert_eq!(
        e,
        ["error: state: it is not a folder, expected the state directory"]
    );
    assert_eq!(
        line_of(&r, "state"),
        "FAIL  state: state: it is not a folder, expected the state directory"
    );
    assert!(!r.stdout.contains("ledger:"), "{}", r.stdout);
    // Below a file: cannot be created.
    let mut args = site.args(NOW, &["check"]);
    args[5] = "state/sub".into();
    let r = site.run_args(&args);
    let e = errors(&r, 1);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].starts_with("error: state/sub: "), "{e:?}");
}

#[test]
fn an_unconfirmed_message_in_the_ledger_fails_with_the_settle_hint() {
    let site = example_site();
    crate::test::private_dir(&site.path("state"));
    std::fs::write(
        site.path("state/ledger.toml"),
        r#"version = 1
since = "2026-11-01T00:00:00Z"

[[message]]
uid = "5q1hvb0n7ktr4ga1kq3cs0l6pk@google.com"
original = "2026-11-26T16:00:00Z"
step = "reminder"
to = "prometheus-developers@googlegroups.com"
state = "intent"
message-id = "aa11.reminder.20261126@example.org"
due = "2026-11-23T16:00:00Z"
summit-start = "2026-11-26T16:00:00Z"
summit-end = "2026-11-26T18:00:00Z"
summary = "Prometheus Developer Summit"
intent-at = "2026-11-23T16:00:00Z"
attempts = 1
"#,
    )
    .unwrap();
    let r = site.check(&[]);
    let e = errors(&r, 1);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].contains("the reminder of the summit on 2026-11-26 to prometheus-developers@googlegroups.com was handed over at 2026-11-23T16:00:00Z but never confirmed"),
        "{e:?}"
    );
    assert!(
        e[0].contains("run `summit ledger mark-sent aa11.reminder.20261126@example.org` if it arrived, or `summit tick --retry`"),
        "{e:?}"
    );
    assert!(
        line_of(&r, "ledger").starts_with(
            "FAIL  ledger: state/ledger.toml: 1 message(s): 1 intent; unconfirmed: the reminder of the summit on 2026-11-26"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_missing_feed_or_one_without_a_summit_fails_with_exit_1() {
    let site = example_site();
    std::fs::remove_file(site.path("feed.ics")).unwrap();
    let r = site.check(&[]);
    assert_eq!(errors(&r, 1), ["error: feed `feed.ics`: no such file"]);
    assert_eq!(
        line_of(&r, "feed"),
        "FAIL  feed: feed `feed.ics`: no such file"
    );
    assert_eq!(
        line_of(&r, "templates"),
        "warn  templates: 12 compiled; not rendered: no upcoming summit to render them for"
    );
    std::fs::write(
        site.path("feed.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    let r = site.check(&[]);
    let e = errors(&r, 1);
    assert_eq!(
        e,
        [
            "error: no summit at or after 2026-11-20T00:00:00Z matches calendar.summit `(?i)developer summit` within 3653 days"
        ]
    );
    assert!(
        line_of(&r, "feed")
            .starts_with("FAIL  feed: feed.ics: 0 event(s), 0 warning(s); no summit at or after"),
        "{}",
        r.stdout
    );
}

#[test]
fn feed_warnings_are_counted_and_printed() {
    let site = example_site();
    let text = std::fs::read_to_string(example_feed()).unwrap();
    let end = text.rfind("END:VCALENDAR").unwrap();
    let feed = format!(
        "{}BEGIN:VEVENT\r\nUID:bad@example.org\r\nDTSTART:notadate\r\nSUMMARY:x\r\nEND:VEVENT\r\n{}",
        &text[..end],
        &text[end..]
    );
    std::fs::write(site.path("feed.ics"), feed).unwrap();
    let r = site.check(&[]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    let warnings: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{}", r.stderr);
    assert!(
        warnings[0].starts_with("warning: feed `feed.ics` line ")
            && warnings[0].contains("VEVENT skipped"),
        "{}",
        r.stderr
    );
    assert!(
        line_of(&r, "feed").starts_with(
            "warn  feed: feed.ics: 5 event(s), 1 warning(s); next summit 2026-11-26T16:00:00Z"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn a_url_feed_goes_through_the_cache_which_check_does_not_update() {
    let config = std::fs::read_to_string(example_config()).unwrap();
    let feed = FeedServer::start(Mode::Serve {
        body: std::fs::read(example_feed()).unwrap(),
        etag: "\"v1\"".into(),
    });
    let start = config.find("feed = \"https://").unwrap();
    let end = start + config[start..].find('\n').unwrap();
    let site = Site::new(&format!(
        "{}feed = \"{}\"{}",
        &config[..start],
        feed.url(),
        &config[end..]
    ));
    let check = |now: &str| {
        let args = site.args(now, &["check"]);
        // Without --feed: the URL of the configuration.
        site.run_args(&[&args[..2], &args[4..]].concat())
    };
    let r = check(NOW);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert_eq!(names(&site.path("state")), ["lock"], "no cache written");
    // A tick caches it; then the server fails and check reads the cached copy.
    let args = site.args(NOW, &["tick"]);
    let t = site.run_args(&[&args[..2], &args[4..]].concat());
    assert_eq!(t.status, 0, "{}", t.stderr);
    let cached = names(&site.path("state"));
    let meta = cached
        .iter()
        .find(|n| n.ends_with(".toml") && n.starts_with("feed-"));
    let meta = site.path(&format!("state/{}", meta.expect("a cached feed")));
    let before = std::fs::read(&meta).unwrap();
    feed.set(Mode::Status(503));
    let r = check("2026-11-21T00:00:00Z");
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert!(
        r.stderr.starts_with("warning: feed `http://127.0.0.1:"),
        "{}",
        r.stderr
    );
    assert!(
        line_of(&r, "feed").contains("read from the cached copy"),
        "{}",
        r.stdout
    );
    assert!(line_of(&r, "feed").starts_with("warn  "), "{}", r.stdout);
    assert_eq!(
        std::fs::read(&meta).unwrap(),
        before,
        "the cache is left alone"
    );
}

#[test]
fn an_agenda_is_parsed_and_a_broken_one_is_exit_1() {
    let config = std::fs::read_to_string(example_config()).unwrap().replacen(
        "# file = \"agenda.csv\"",
        "file = \"agenda.csv\"",
        1,
    );
    let site = Site::new(&config);
    std::fs::write(
        site.path("agenda.csv"),
        "title,owner,email,votes,proposed-at\n\
         Remote write 2.0,Ada Lovelace,ada@example.org,5,2026-11-20T00:00:00Z\n",
    )
    .unwrap();
    let r = site.check(&[]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert_eq!(
        line_of(&r, "agenda"),
        "ok    agenda: ./agenda.csv: 1 topic(s), for the summit on 2026-11-26; the outreach goes to 1 topic owner(s) so far"
    );
    std::fs::write(
        site.path("agenda.csv"),
        "title,owner,email,votes,proposed-at\nX,Ada,ada@example.org,five,2026-11-20T00:00:00Z\n",
    )
    .unwrap();
    // The agenda is data, not configuration: tick still sends the other steps (exit 1).
    let r = site.check(&[]);
    let e = errors(&r, 1);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("agenda.csv: line 2: votes `five`"), "{e:?}");
    assert!(
        line_of(&r, "agenda").starts_with("FAIL  agenda: "),
        "{}",
        r.stdout
    );
    // The templates still render; the steps that need the agenda point to its check.
    let templates = line_of(&r, "templates");
    assert!(
        templates.starts_with("warn  templates: ")
            && templates.contains("not rendered: outreach (the agenda cannot be read: see the agenda check), checklist (the agenda cannot be read: see the agenda check)"),
        "{templates}"
    );
    // A missing file is a failed check too, naming it.
    std::fs::remove_file(site.path("agenda.csv")).unwrap();
    let r = site.check(&[]);
    let e = errors(&r, 1);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("agenda.csv: no such agenda file"), "{e:?}");
    assert!(
        line_of(&r, "agenda").starts_with("FAIL  agenda: "),
        "{}",
        r.stdout
    );
    // An owner address that does not parse is a warning: the topic is kept.
    std::fs::write(
        site.path("agenda.csv"),
        "title,owner,email,votes,proposed-at\nX,Ada,ada at example,+1 +1,2026-11-20\n",
    )
    .unwrap();
    let r = site.check(&[]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert_eq!(
        line_of(&r, "agenda"),
        "warn  agenda: ./agenda.csv: 1 topic(s) (1 warning(s): see them above), for the summit on 2026-11-26; the outreach goes to 0 topic owner(s) so far, and 1 chosen topic(s) have no owner address (the checklist lists them)"
    );
    assert!(
        r.stderr
            .contains("warning: ./agenda.csv: line 2: email `ada at example`"),
        "{}",
        r.stderr
    );
}

#[test]
fn sendmail_must_be_an_executable_program() {
    let config = std::fs::read_to_string(example_config()).unwrap().replacen(
        "transport = \"file\"",
        "transport = \"sendmail\"\nsendmail = \"./fake-sendmail\"",
        1,
    );
    let site = Site::new(&config);
    let r = site.check(&[]);
    assert_eq!(
        errors(&r, 1),
        [
            "error: mail.sendmail `./fake-sendmail`: no such file, expected the local MTA's sendmail program"
        ]
    );
    std::fs::write(site.path("fake-sendmail"), "#!/bin/sh\ntouch ran\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let r = site.check(&[]);
        assert!(
            errors(&r, 1)[0].contains("is not an executable file"),
            "{}",
            r.stderr
        );
        std::fs::set_permissions(
            site.path("fake-sendmail"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    let r = site.check(&[]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert_eq!(
        line_of(&r, "transport"),
        "ok    transport: sendmail: `./fake-sendmail` is ./fake-sendmail, executable (not run)"
    );
    assert!(!site.path("ran").exists(), "the program is not run");
}

// ---- SMTP ----

#[test]
fn without_connect_no_connection_is_made() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    let r = site.check(&[]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    assert_eq!(
        line_of(&r, "transport"),
        format!(
            "ok    transport: smtp 127.0.0.1:{} (no TLS, no AUTH); not connected: no connection is made for mail without --connect",
            server.port
        )
    );
    assert_eq!(server.auth_log(), "");
    assert!(server.messages().is_empty());
}

#[test]
fn connect_to_the_loopback_server_succeeds_and_sends_nothing() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    let r = site.check(&["--connect"]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    let line = line_of(&r, "transport");
    assert!(
        line.starts_with(&format!(
            "ok    transport: smtp 127.0.0.1:{} (no TLS, no AUTH): connected, EHLO answered by `",
            server.port
        )) && line.ends_with(", QUIT; no mail sent"),
        "{line}"
    );
    assert!(
        server.messages().is_empty(),
        "the server received a message"
    );
}

/// The SMTP configuration with AUTH as `bot`, the password from `source`.
fn auth_config(port: u16, source: &str) -> String {
    smtp_config(port).replacen(
        "security = \"none\"",
        &format!("security = \"none\"\nusername = \"bot\"\n{source}"),
        1,
    )
}

#[test]
fn connect_authenticates_and_a_wrong_password_is_refused() {
    let server = SmtpServer::start_with(&[("SMTP_USER", "bot"), ("SMTP_PASSWORD", "s3cr3t-pw")]);
    let mut site = Site::new(&auth_config(
        server.port,
        "password-env = \"SUMMIT_TEST_CHECK_PW\"",
    ));
    site.env
        .push(("SUMMIT_TEST_CHECK_PW".into(), "s3cr3t-pw".into()));
    let r = site.check(&["--connect"]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    let line = line_of(&r, "transport");
    assert!(
        line.contains(
            "(no TLS, AUTH as `bot` with the password in $SUMMIT_TEST_CHECK_PW): connected"
        ) && line.contains(", authenticated, QUIT; no mail sent"),
        "{line}"
    );
    assert_eq!(
        server
            .auth_log()
            .trim_end()
            .lines()
            .last()
            .map(|l| l.ends_with(" ok")),
        Some(true)
    );
    site.env[0].1 = "wrong-pw".into();
    let r = site.check(&["--connect"]);
    let e = errors(&r, 1);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(&format!(
            "error: 127.0.0.1:{} refused to authenticate the configured username",
            server.port
        )),
        "{e:?}"
    );
    for text in [&r.stdout, &r.stderr] {
        assert!(
            !text.contains("wrong-pw") && !text.contains("s3cr3t"),
            "{text}"
        );
    }
    assert!(server.messages().is_empty());
}

#[test]
fn connect_to_a_closed_port_fails_with_exit_1_naming_it() {
    let port = free_port();
    let site = Site::new(&smtp_config(port));
    let r = site.check(&["--connect"]);
    let e = errors(&r, 1);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(&format!("error: cannot connect to 127.0.0.1:{port}: ")),
        "{e:?}"
    );
    assert!(
        line_of(&r, "transport").starts_with(&format!(
            "FAIL  transport: smtp 127.0.0.1:{port} (no TLS, no AUTH): cannot connect to 127.0.0.1:{port}: "
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn a_missing_password_fails_without_printing_any_secret() {
    // No variable: exit 1, naming the variable.
    let site = Site::new(&auth_config(
        free_port(),
        "password-env = \"SUMMIT_TEST_CHECK_UNSET_PW\"",
    ));
    let r = site.check(&[]);
    assert_eq!(
        errors(&r, 1),
        [
            "error: mail.smtp.password-env: the environment variable `SUMMIT_TEST_CHECK_UNSET_PW` is not set, expected the SMTP password in it"
        ]
    );
    // A command that prints the password (from a file), on both outputs, and fails:
    // none of it is shown.
    let site = Site::new(&auth_config(
        free_port(),
        "password-command = \"cat pw.txt; cat pw.txt >&2; exit 3\"",
    ));
    std::fs::write(site.path("pw.txt"), "leaked-s3cret\n").unwrap();
    let r = site.check(&[]);
    let e = errors(&r, 1);
    assert!(
        e[0].contains("password-command") && e[0].contains("failed"),
        "{e:?}"
    );
    // A command that succeeds: its output is not shown either.
    let site = Site::new(&auth_config(
        free_port(),
        "password-command = \"cat pw.txt; echo diagnostics >&2\"",
    ));
    std::fs::write(site.path("pw.txt"), "pw-s3cret\n").unwrap();
    let ok = site.check(&[]);
    assert_eq!(errors(&ok, 0), Vec::<String>::new());
    assert!(
        line_of(&ok, "transport")
            .contains("AUTH as `bot` with the password from mail.smtp.password-command"),
        "{}",
        ok.stdout
    );
    assert_eq!(ok.stderr, "");
    let json = site.check(&["--json"]);
    for run in [&r, &ok, &json] {
        for text in [&run.stdout, &run.stderr] {
            assert!(!text.contains("s3cret"), "{text}");
        }
    }
}

// ---- --json ----

#[test]
fn json_is_one_object_per_check_in_order() {
    let site = example_site();
    let r = site.check(&["--json"]);
    assert_eq!(errors(&r, 0), Vec::<String>::new());
    let v = r.json();
    let rows = v.as_array().unwrap();
    let checks: Vec<&str> = rows.iter().map(|o| o["check"].as_str().unwrap()).collect();
    assert_eq!(
        checks,
        [
            "configuration",
            "templates",
            "feed",
            "record",
            "state",
            "ledger",
            "transport"
        ]
    );
    for o in rows {
        let mut keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["check", "detail", "status"]);
        assert_eq!(o["status"], "ok");
        assert!(o["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
    assert_eq!(
        rows[0]["detail"],
        "summit.toml: 5 member(s), 4 zone(s), transport file"
    );
    // A failure: still the array on stdout, the error on stderr.
    std::fs::remove_dir_all(site.path("state")).unwrap();
    std::fs::write(site.path("state"), "").unwrap();
    let r = site.check(&["--json"]);
    assert_eq!(errors(&r, 1).len(), 1);
    let v = r.json();
    let state = v
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["check"] == "state")
        .unwrap();
    assert_eq!(state["status"], "fail");
    assert_eq!(
        state["detail"],
        "state: it is not a folder, expected the state directory"
    );
}
