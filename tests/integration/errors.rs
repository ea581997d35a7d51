//! Errors: CONTRACT exit statuses (1 runtime, 2 usage or configuration) and one clear
//! `error:` line naming the file, line or value at fault; never a panic.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::test::*;

fn feed() -> String {
    example_feed().to_str().unwrap().to_string()
}

fn config() -> String {
    example_config().to_str().unwrap().to_string()
}

/// The `error:` lines of a failed run (warnings left out).
fn error_lines(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter(|l| !l.starts_with("warning:"))
        .collect()
}

/// Asserts the run printed exactly one `error:` line, and that it contains every needle.
fn one_error_line(r: &Run, needles: &[&str]) {
    let lines = error_lines(r);
    assert_eq!(
        lines.len(),
        1,
        "expected one error line, got:\n{}",
        r.stderr
    );
    for needle in needles {
        assert!(
            lines[0].contains(needle),
            "error line should contain {needle:?}: {}",
            lines[0]
        );
    }
    assert!(r.stdout.is_empty(), "stdout on error: {}", r.stdout);
}

/// Asserts the first `error:` line contains every needle (clap adds a `--help` hint line).
fn first_error_line(r: &Run, needles: &[&str]) {
    let lines = error_lines(r);
    let first = lines.first().expect("an error line");
    for needle in needles {
        assert!(
            first.contains(needle),
            "error line should contain {needle:?}: {first}"
        );
    }
}

/// Runs `summit --config summit.toml --feed <example> next` with `toml` as the config.
fn with_config(toml: &str, command: &str) -> Test {
    Test::new()
        .file("summit.toml", toml)
        .args(["--config", "summit.toml", "--feed", &feed()])
        .now("2026-11-21T00:00:00Z")
        .arg(command)
}

const ROSTER: &str = "\n[[rotation.members]]\nname = \"Ada\"\nemail = \"ada@example.org\"\n";

// ---- configuration: exit 2 ----

#[test]
fn missing_config_file_is_exit_2_and_names_the_file() {
    let r = Test::new()
        .args(["--config", "no-such-summit.toml", "--feed", &feed()])
        .now("2026-11-21T00:00:00Z")
        .arg("next")
        .fails(2);
    one_error_line(&r, &["no-such-summit.toml"]);
}

#[test]
fn missing_config_from_environment_is_exit_2() {
    let r = Test::new()
        .env("SUMMIT_CONFIG", "elsewhere/summit.toml")
        .args(["--feed", &feed()])
        .now("2026-11-21T00:00:00Z")
        .arg("who")
        .fails(2);
    one_error_line(&r, &["elsewhere/summit.toml"]);
}

#[test]
fn unknown_key_names_the_key_and_its_line() {
    let toml = format!("[calendar]\nsummit = \"(?i)summit\"\nsumit = \"typo\"\n{ROSTER}");
    let r = with_config(&toml, "next").fails(2);
    one_error_line(&r, &["summit.toml", "line 3", "sumit"]);
}

#[test]
fn unknown_top_level_table_names_its_line() {
    let toml = format!("{ROSTER}\n[calender]\nfeed = \"x.ics\"\n");
    let r = with_config(&toml, "next").fails(2);
    one_error_line(&r, &["summit.toml", "line 6", "calender"]);
}

#[test]
fn config_that_is_not_toml_names_the_line() {
    let r = with_config("[calendar]\nzones = [\"UTC\"\n\nnot toml at all\n", "next").fails(2);
    one_error_line(&r, &["summit.toml", "line "]);
}

#[test]
fn bad_summit_regex_names_the_pattern_and_line() {
    let toml = format!("[calendar]\nzones = [\"UTC\"]\nsummit = \"(unclosed\"\n{ROSTER}");
    let r = with_config(&toml, "next").fails(2);
    one_error_line(
        &r,
        &["summit.toml", "line 3", "calendar.summit", "(unclosed"],
    );
}

#[test]
fn unknown_zone_in_calendar_zones_names_the_zone_and_line() {
    let toml = format!("[calendar]\nzones = [\"UTC\", \"Mars/Olympus_Mons\"]\n{ROSTER}");
    let r = with_config(&toml, "next").fails(2);
    one_error_line(&r, &["summit.toml", "line 2", "Mars/Olympus_Mons"]);
}

#[test]
fn unknown_default_tz_names_the_value() {
    let toml = format!("[calendar]\ndefault-tz = \"Atlantis/Central\"\n{ROSTER}");
    let r = with_config(&toml, "next").fails(2);
    one_error_line(&r, &["line 2", "Atlantis/Central"]);
}

#[test]
fn backwards_away_range_names_the_range_and_line() {
    let toml = "[[rotation.members]]\nname = \"Ada\"\nemail = \"ada@example.org\"\n\
                away = [\"2026-12-24\", \"2027-02-01..2027-01-01\"]\n";
    let r = with_config(toml, "who").fails(2);
    one_error_line(&r, &["summit.toml", "line 4", "2027-02-01..2027-01-01"]);
}

#[test]
fn malformed_away_date_names_the_value() {
    let toml = "[[rotation.members]]\nname = \"Ada\"\nemail = \"ada@example.org\"\n\
                away = [\"next week\"]\n";
    let r = with_config(toml, "who").fails(2);
    one_error_line(&r, &["line 4", "next week"]);
}

#[test]
fn duplicate_member_email_names_the_address_and_line() {
    let toml = "[[rotation.members]]\nname = \"Ada\"\nemail = \"ada@example.org\"\n\n\
                [[rotation.members]]\nname = \"Ada again\"\nemail = \"ADA@example.org\"\n";
    let r = with_config(toml, "who").fails(2);
    one_error_line(&r, &["summit.toml", "line 7", "ADA@example.org"]);
}

#[test]
fn empty_roster_for_who_is_exit_2() {
    let r = with_config("[calendar]\nzones = [\"UTC\"]\n", "who").fails(2);
    one_error_line(&r, &["summit.toml", "roster"]);
}

#[test]
fn bad_timeline_offset_names_the_key() {
    let toml = format!("[timeline]\nreminder = \"three days\"\n{ROSTER}");
    let r = with_config(&toml, "next").fails(2);
    one_error_line(&r, &["line 2", "timeline.reminder", "three days"]);
}

#[test]
fn next_without_any_config_is_exit_2() {
    let r = Test::new()
        .args(["--feed", &feed()])
        .now("2026-11-21T00:00:00Z")
        .arg("next")
        .fails(2);
    one_error_line(&r, &["--config"]);
}

#[test]
fn draft_without_a_mail_table_is_exit_2() {
    let r = with_config(ROSTER, "draft").arg("reminder").fails(2);
    one_error_line(&r, &["summit.toml", "mail"]);
}

// ---- feeds: exit 1 (unreadable) or 2 (bad value) ----

#[test]
fn feed_path_that_does_not_exist_is_exit_1_and_names_the_path() {
    let r = Test::new()
        .args(["--feed", "missing/calendar.ics", "events", "--json"])
        .args(["--from", "2026-11-21T00:00:00Z"])
        .fails(1);
    one_error_line(&r, &["missing/calendar.ics"]);
}

#[test]
fn missing_feed_of_a_command_with_config_is_exit_1() {
    let r = Test::new()
        .args(["--config", &config(), "--feed", "gone.ics"])
        .now("2026-11-21T00:00:00Z")
        .arg("next")
        .fails(1);
    one_error_line(&r, &["gone.ics"]);
}

#[test]
fn feed_that_is_not_icalendar_is_exit_1_and_names_the_feed() {
    let r = Test::new()
        .file(
            "page.html",
            "<!doctype html>\n<html><body>Sign in</body></html>\n",
        )
        .args(["--feed", "page.html", "events"])
        .args(["--from", "2026-11-21T00:00:00Z"])
        .fails(1);
    one_error_line(&r, &["page.html", "iCalendar"]);
}

#[test]
fn binary_feed_is_exit_1() {
    let r = Test::new()
        .file("blob.ics", [0u8, 159, 146, 150, 0xff, 0xfe, 1, 2, 3])
        .args(["--feed", "blob.ics", "events"])
        .args(["--from", "2026-11-21T00:00:00Z"])
        .fails(1);
    first_error_line(&r, &["blob.ics"]);
}

#[test]
fn feed_with_broken_structure_is_repaired_with_a_warning_naming_the_line() {
    // An unclosed VEVENT is closed where its VCALENDAR ends, as clients do; the event
    // is kept and one warning names the line.
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n\
               DTSTART:20261126T160000Z\r\nEND:VCALENDAR\r\n";
    let r = Test::new()
        .file("broken.ics", ics)
        .args(["--feed", "broken.ics", "events", "--json"])
        .args(["--from", "2026-11-21T00:00:00Z"])
        .success();
    assert_eq!(r.json()[0]["start"], "2026-11-26T16:00:00Z");
    let warnings: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{}", r.stderr);
    assert!(
        warnings[0].starts_with("warning: feed `broken.ics` line 6: `BEGIN:VEVENT` was not closed"),
        "{}",
        r.stderr
    );
}

#[test]
fn ftp_feed_is_exit_2_and_names_the_scheme() {
    let r = Test::new()
        .args(["--feed", "ftp://example.org/calendar.ics", "events"])
        .args(["--from", "2026-11-21T00:00:00Z"])
        .fails(2);
    one_error_line(&r, &["ftp"]);
}

#[test]
fn ftp_feed_in_config_is_exit_2() {
    let toml = format!("[calendar]\nfeed = \"ftp://example.org/calendar.ics\"\n{ROSTER}");
    let r = Test::new()
        .file("summit.toml", toml)
        .args(["--config", "summit.toml"])
        .now("2026-11-21T00:00:00Z")
        .arg("next")
        .fails(2);
    one_error_line(&r, &["ftp"]);
}

// ---- flags: exit 2 ----

#[test]
fn bad_now_is_exit_2_and_names_the_value() {
    let r = Test::new()
        .args(["--feed", &feed()])
        .now("next thursday")
        .arg("events")
        .fails(2);
    first_error_line(&r, &["next thursday"]);
}

#[test]
fn bad_now_from_environment_is_exit_2() {
    let r = Test::new()
        .env("SUMMIT_NOW", "2026-13-45T99:00:00Z")
        .args(["--feed", &feed(), "events"])
        .fails(2);
    first_error_line(&r, &["2026-13-45T99:00:00Z"]);
}

#[test]
fn bad_match_regex_is_exit_2() {
    let r = Test::new()
        .args(["--feed", &feed(), "events", "--match", "summit("])
        .args(["--from", "2026-11-21T00:00:00Z"])
        .fails(2);
    first_error_line(&r, &["summit("]);
}

#[test]
fn to_before_from_is_exit_2() {
    let r = Test::new()
        .args(["--feed", &feed(), "events"])
        .args([
            "--from",
            "2026-11-21T00:00:00Z",
            "--to",
            "2026-11-20T00:00:00Z",
        ])
        .fails(2);
    first_error_line(&r, &["2026-11-20T00:00:00Z"]);
}

#[test]
fn unknown_step_for_draft_is_exit_2_and_names_the_step() {
    let r = Test::new()
        .example()
        .now("2026-11-21T00:00:00Z")
        .args(["draft", "remind"])
        .fails(2);
    first_error_line(&r, &["remind"]);
}

#[test]
fn bad_summit_date_for_draft_is_exit_2() {
    let r = Test::new()
        .example()
        .now("2026-11-21T00:00:00Z")
        .args(["draft", "reminder", "--summit", "26/11/2026"])
        .fails(2);
    first_error_line(&r, &["26/11/2026"]);
}

#[test]
fn draft_on_a_date_without_a_summit_is_exit_1_and_names_the_date() {
    let r = Test::new()
        .example()
        .now("2026-11-21T00:00:00Z")
        .args(["draft", "reminder", "--summit", "2026-11-27"])
        .fails(1);
    one_error_line(&r, &["2026-11-27"]);
}

#[test]
fn draft_on_the_date_of_a_cancelled_summit_is_exit_1() {
    let r = Test::new()
        .example()
        .now("2026-11-21T00:00:00Z")
        .args(["draft", "reminder", "--summit", "2027-01-28"])
        .fails(1);
    one_error_line(&r, &["2027-01-28"]);
}

#[test]
fn no_summit_in_the_feed_is_exit_1() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n\
               UID:party@example.org\r\nDTSTAMP:20260101T000000Z\r\n\
               DTSTART:20261201T180000Z\r\nSUMMARY:Holiday party\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let r = Test::new()
        .file("party.ics", ics)
        .args(["--config", &config(), "--feed", "party.ics"])
        .now("2026-11-21T00:00:00Z")
        .arg("next")
        .fails(1);
    one_error_line(&r, &["developer summit"]);
}

// ---- templates: exit 2 ----

/// The example config with `mail.templates = "overrides"`, written into the test folder.
fn config_with_templates() -> String {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let replaced = text.replace("# templates = \"templates\"", "templates = \"overrides\"");
    assert_ne!(
        text, replaced,
        "the example config has a commented templates key"
    );
    replaced
}

#[test]
fn template_override_with_undefined_variable_names_template_and_line() {
    let r = Test::new()
        .file("summit.toml", config_with_templates())
        .file(
            "overrides/reminder.txt",
            "Subject: Summit on {{ summit.date }}\n\nHello,\n{{ no_such_variable }}\n",
        )
        .args(["--config", "summit.toml", "--feed", &feed()])
        .now("2026-11-21T00:00:00Z")
        .args(["draft", "reminder"])
        .fails(2);
    one_error_line(&r, &["reminder.txt", "line 4", "no_such_variable"]);
}

#[test]
fn template_override_with_undefined_attribute_names_template_and_line() {
    let t = Test::new()
        .file("summit.toml", config_with_templates())
        .file(
            "overrides/handover.txt",
            "Subject: Handover\n\nHello,\n\n{{ summit.date }}\n{{ summit.no_such_field }}\n",
        )
        .args(["--config", "summit.toml", "--feed", &feed()])
        .now("2026-11-21T00:00:00Z")
        .args(["draft", "handover", "--out", "drafts"]);
    let r = t.fails(2);
    one_error_line(&r, &["handover.txt", "line 6"]);
    let written = std::fs::read_dir(t.path("drafts")).map_or(0, |d| d.count());
    assert_eq!(written, 0, "a failing template drafts nothing");
}

#[test]
fn template_override_syntax_error_is_exit_2() {
    let t = Test::new()
        .file("summit.toml", config_with_templates())
        .file("overrides/agenda-vote.txt", "Subject: x\n\n{% if %}\n")
        .args(["--config", "summit.toml", "--feed", &feed()])
        .now("2026-11-21T00:00:00Z")
        .args(["draft", "reminder", "--out", "drafts"]);
    let r = t.fails(2);
    one_error_line(&r, &["agenda-vote.txt", "line 3"]);
    assert!(
        !exists(&t.path("drafts")),
        "a broken template drafts nothing"
    );
}

#[test]
fn template_without_subject_line_is_exit_2() {
    let t = Test::new()
        .file("summit.toml", config_with_templates())
        .file(
            "overrides/outreach.txt",
            "Hello {{ recipient.name }}\n\nBody\n",
        )
        .args(["--config", "summit.toml", "--feed", &feed()])
        .now("2026-11-21T00:00:00Z")
        .args(["draft", "outreach"]);
    let r = t.fails(2);
    one_error_line(&r, &["outreach.txt", "Subject"]);
}

// ---- feeds over HTTP and from standard input ----

/// Serves one canned HTTP/1.1 response on a loopback port; returns the base URL and a
/// receiver for the request line the client sent.
fn serve_once(status: &str, body: &'static str) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    let status = status.to_string();
    thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        stream.set_read_timeout(Some(Duration::from_secs(10))).ok();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&request);
        let _ = tx.send(text.lines().next().unwrap_or("").to_string());
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/calendar; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes());
        let _ = stream.flush();
    });
    (format!("http://{addr}"), rx)
}

const SMALL_FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:http-summit@example.org\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART:20261126T160000Z\r\nDTEND:20261126T180000Z\r\nSUMMARY:Developer Summit over HTTP\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn feed_over_http_from_a_loopback_server() {
    let (base, request) = serve_once("200 OK", SMALL_FEED);
    let url = format!("{base}/calendar/basic.ics");
    let r = Test::new()
        .args(["--feed", &url, "events", "--json"])
        .args(["--from", "2026-11-01T00:00:00Z"])
        .success();
    let json = r.json();
    assert_eq!(json.as_array().unwrap().len(), 1, "{json}");
    assert_eq!(json[0]["uid"], "http-summit@example.org");
    assert_eq!(json[0]["summary"], "Developer Summit over HTTP");
    assert_eq!(json[0]["start"], "2026-11-26T16:00:00Z");
    let line = request
        .recv_timeout(Duration::from_secs(10))
        .expect("the server saw a request");
    assert_eq!(line, "GET /calendar/basic.ics HTTP/1.1");
}

#[test]
fn feed_over_http_for_next_with_config() {
    let (base, _request) = serve_once("200 OK", SMALL_FEED);
    let r = Test::new()
        .args([
            "--config",
            &config(),
            "--feed",
            &format!("{base}/basic.ics"),
        ])
        .now("2026-11-21T00:00:00Z")
        .args(["next", "--json"])
        .success();
    assert_eq!(r.json()[0]["summit"]["start"], "2026-11-26T16:00:00Z");
}

#[test]
fn http_404_is_exit_1_and_names_the_feed() {
    let (base, _request) = serve_once("404 Not Found", "not here\n");
    let url = format!("{base}/missing.ics");
    let r = Test::new()
        .args(["--feed", &url, "events"])
        .args(["--from", "2026-11-01T00:00:00Z"])
        .fails(1);
    one_error_line(&r, &[base.as_str(), "404"]);
}

#[test]
fn unreachable_server_is_exit_1() {
    // A port that was free a moment ago: nothing listens on it.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/basic.ics");
    let r = Test::new()
        .args(["--feed", &url, "events"])
        .args(["--from", "2026-11-01T00:00:00Z"])
        .fails(1);
    one_error_line(&r, &[&format!("127.0.0.1:{port}")]);
}

#[test]
fn feed_from_standard_input() {
    let r = Test::new()
        .stdin(SMALL_FEED)
        .args(["--feed", "-", "events", "--json"])
        .args(["--from", "2026-11-01T00:00:00Z"])
        .success();
    let json = r.json();
    assert_eq!(json.as_array().unwrap().len(), 1, "{json}");
    assert_eq!(json[0]["uid"], "http-summit@example.org");
    assert_eq!(json[0]["end"], "2026-11-26T18:00:00Z");
}

#[test]
fn feed_from_standard_input_via_environment() {
    let ics = std::fs::read(example_feed()).unwrap();
    let r = Test::new()
        .env("SUMMIT_FEED", "-")
        .stdin(ics)
        .args(["--config", &config()])
        .now("2026-11-21T00:00:00Z")
        .args(["next", "--json"])
        .success();
    assert_eq!(r.json()[0]["summit"]["start"], "2026-11-26T16:00:00Z");
}

#[test]
fn empty_standard_input_is_exit_1() {
    let r = Test::new()
        .stdin("")
        .args(["--feed", "-", "events"])
        .args(["--from", "2026-11-01T00:00:00Z"])
        .fails(1);
    one_error_line(&r, &["`-`"]);
}

#[test]

fn missing_command_is_a_usage_error() {
    let r = Test::new().args(["--feed", &feed()]).fails(2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn unknown_command_and_flag_are_exit_2() {
    let r = Test::new().args(["--feed", &feed(), "evnts"]).fails(2);
    first_error_line(&r, &["evnts"]);
    let r = Test::new()
        .args(["--feed", &feed(), "--bogus", "events"])
        .fails(2);
    first_error_line(&r, &["--bogus"]);
}

#[test]
fn feed_path_that_is_a_folder_is_exit_1() {
    let r = Test::new()
        .file("cal.ics/keep", "")
        .args(["--feed", "cal.ics", "events"])
        .args(["--from", "2026-11-21T00:00:00Z"])
        .fails(1);
    one_error_line(&r, &["cal.ics"]);
}

#[test]
fn completions_offer_the_names_of_steps_kinds_and_states() {
    let r = Test::new().args(["completions", "bash"]).run();
    assert_eq!(r.status, 0, "{}", r.stderr);
    // `draft`/`send` take a step, `ledger list --step` a step or `correction`, `--state` a
    // state: each name list comes from the one derived table.
    assert!(
        r.stdout
            .contains("assignment reminder agenda-vote outreach checklist handover"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("handover correction"));
    assert!(r.stdout.contains("intent sent failed missed"));
    // A refusal still quotes the value and lists what was expected.
    let bad = Test::new().args(["draft", "vote"]).fails(2);
    assert!(
        bad.stderr
            .contains("unknown step `vote`, expected one of `assignment`"),
        "{}",
        bad.stderr
    );
}
