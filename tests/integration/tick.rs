//! `summit tick` and `summit send` delivering through a real SMTP server (aiosmtpd),
//! read back from the server's side: how many messages, to whom, when, threaded how.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use pretty_assertions::assert_eq;
use tempfile::TempDir;

use crate::http::{FeedServer, Mode};
use crate::smtp::{Received, SmtpServer};
use crate::test::*;

const PUBLIC: &str = "prometheus-developers@googlegroups.com";
const TEAM: &str = "prometheus-team@googlegroups.com";
const UID: &str = "5q1hvb0n7ktr4ga1kq3cs0l6pk@google.com";

/// The example configuration, delivering by SMTP to 127.0.0.1:`port` without TLS or AUTH.
pub(crate) fn smtp_config(port: u16) -> String {
    let mut text = std::fs::read_to_string(example_config()).unwrap();
    for (from, to) in [
        ("transport = \"file\"", "transport = \"smtp\"".to_string()),
        ("host = \"smtp.example.org\"", "host = \"127.0.0.1\"".into()),
        ("port = 587", format!("port = {port}")),
        ("security = \"starttls\"", "security = \"none\"".into()),
        ("username = \"summit-bot@example.org\"\n", String::new()),
        ("password-env = \"SUMMIT_SMTP_PASSWORD\"\n", String::new()),
        // The heads-up a week before is tested on its own (tests/integration/agenda.rs).
        ("assignment = \"7d\"", "assignment = \"off\"".into()),
    ] {
        assert!(text.contains(from), "the example config has {from}");
        text = text.replacen(from, &to, 1);
    }
    text
}

/// `config` with the reminder and the call for votes useful until the start, so that
/// three messages (reminder, agenda vote, outreach) are due at once the day before.
pub(crate) fn catching_up(config: &str) -> String {
    let mut config = config.to_string();
    for from in [
        "reminder-until = \"topic-deadline\"",
        "agenda-vote-until = \"outreach\"",
    ] {
        assert!(config.contains(from), "the example config has {from}");
        let key = from.split(" = ").next().unwrap();
        config = config.replacen(from, &format!("{key} = \"start\""), 1);
    }
    config
}

/// The example configuration without the assignment heads-up (tested on its own in
/// tests/integration/agenda.rs), so these tests see the four public steps.
pub(crate) fn example_without_assignment() -> String {
    std::fs::read_to_string(example_config()).unwrap().replacen(
        "assignment = \"7d\"",
        "assignment = \"off\"",
        1,
    )
}

/// Whether `stderr` is exactly the one line the first tick in a fresh state directory
/// prints about the steps whose windows had closed before it.
pub(crate) fn is_adoption_line(stderr: &str) -> bool {
    let lines: Vec<&str> = stderr.lines().collect();
    matches!(&lines[..], [l] if l.starts_with("warning: ")
        && l.contains(" fell due before summit kept this state directory")
        && l.ends_with("recorded as missed, not sent (`summit ledger list --all` lists them)"))
}

/// A deployment: a folder with `summit.toml`, `feed.ics` and the state folder `state`
/// (also used by tests/integration/ledger.rs).
pub(crate) struct Site {
    pub(crate) dir: TempDir,
    pub(crate) env: Vec<(String, String)>,
}

impl Site {
    pub(crate) fn new(config: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("summit.toml"), config).unwrap();
        std::fs::copy(example_feed(), dir.path().join("feed.ics")).unwrap();
        Site {
            dir,
            env: Vec::new(),
        }
    }

    pub(crate) fn smtp(server: &SmtpServer) -> Site {
        Site::new(&smtp_config(server.port))
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub(crate) fn args(&self, now: &str, rest: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = [
            "--config",
            "summit.toml",
            "--feed",
            "feed.ics",
            "--state-dir",
            "state",
            "--now",
            now,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(rest.iter().map(|s| s.to_string()));
        args
    }

    pub(crate) fn run(&self, now: &str, rest: &[&str]) -> Run {
        self.run_args(&self.args(now, rest))
    }

    pub(crate) fn run_args(&self, args: &[String]) -> Run {
        let out = command(self.dir.path(), args, &self.env)
            .output()
            .expect("run summit");
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub(crate) fn tick(&self, now: &str) -> Run {
        self.run(now, &["tick"])
    }

    /// `tick` that must succeed silently on stderr; returns stdout.
    /// The first tick in a fresh state directory may say, in one line, which steps of
    /// earlier summits it recorded as missed without sending (it adopts them).
    pub(crate) fn tick_ok(&self, now: &str) -> String {
        let fresh = !self.path("state/ledger.toml").exists();
        let r = self.tick(now);
        let stderr = if fresh && is_adoption_line(&r.stderr) {
            ""
        } else {
            r.stderr.as_str()
        };
        assert_eq!(
            (r.status, stderr),
            (0, ""),
            "tick at {now}\nstdout:\n{}",
            r.stdout
        );
        r.stdout
    }

    pub(crate) fn spawn(&self, now: &str, rest: &[&str]) -> Child {
        let mut cmd = std_command(self.dir.path(), &self.args(now, rest), &self.env);
        cmd.stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn summit")
    }

    pub(crate) fn ledger(&self) -> String {
        std::fs::read_to_string(self.path("state/ledger.toml")).unwrap_or_default()
    }

    /// The `state = …` of every message in the ledger, in ledger order.
    pub(crate) fn states(&self) -> Vec<String> {
        self.ledger()
            .lines()
            .filter_map(|l| l.strip_prefix("state = \""))
            .map(|l| l.trim_end_matches('"').to_string())
            .collect()
    }

    pub(crate) fn has_intent(&self) -> bool {
        self.states().iter().any(|s| s == "intent")
    }

    pub(crate) fn set_feed(&self, text: &str) {
        std::fs::write(self.path("feed.ics"), text).unwrap();
    }
}

fn instant(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub(crate) fn step_of(m: &Received) -> String {
    let id = m.message_id();
    id.split('.').nth(1).unwrap().to_string()
}

/// The text/calendar part of a message, if any.
fn calendar_part(m: &Received) -> Option<String> {
    let mail = m.parsed();
    mail.subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/calendar")
        .map(|p| p.get_body().unwrap())
}

/// Counts of each Message-ID; panics on a duplicate.
fn assert_no_duplicates(messages: &[Received]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in messages {
        *seen.entry(m.message_id()).or_default() += 1;
    }
    let dups: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "duplicates: {dups:?}");
}

// ---- acceptance: hourly ticks across two months ----

#[test]
fn hourly_ticks_across_two_months_send_each_message_once_on_time() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    let start = instant("2026-11-20T00:00:00Z");
    let hours = 24 * 61;
    let mut sent_at: Vec<(String, String)> = Vec::new();
    let started = Instant::now();
    for h in 0..hours {
        let now = (start + chrono::Duration::hours(h))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        // Two ticks at once every hour: they serialise on the lock, and the second
        // finds everything recorded.
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| site.tick(&now));
            let b = s.spawn(|| site.tick(&now));
            (a.join().unwrap(), b.join().unwrap())
        });
        for r in [&a, &b] {
            // The first tick adopts the state directory: it says which steps of
            // earlier summits it recorded as missed.
            let stderr = if h == 0 && is_adoption_line(&r.stderr) {
                ""
            } else {
                r.stderr.as_str()
            };
            assert_eq!((r.status, stderr), (0, ""), "tick at {now}");
        }
        let out = format!("{}{}", a.stdout, b.stdout);
        for l in out.lines() {
            assert!(l.starts_with("sent the "), "{l}");
            sent_at.push((now.clone(), l.to_string()));
        }
        // And once more, after: nothing more.
        if !out.is_empty() {
            assert_eq!(site.tick_ok(&now), "", "a repeated tick at {now}");
        }
    }
    eprintln!("{} hourly double ticks in {:?}", hours, started.elapsed());
    let messages = server.messages();
    assert_no_duplicates(&messages);
    let got: Vec<(String, Vec<String>)> = messages
        .iter()
        .map(|m| {
            let date = DateTime::from_timestamp(m.date(), 0).unwrap();
            (
                format!("{} {}", date.format("%Y-%m-%dT%H:%MZ"), step_of(m)),
                m.rcpt_tos.clone(),
            )
        })
        .collect();
    let want: Vec<(String, Vec<String>)> = [
        // The October handover closed 48 hours after the summit, long before the
        // first tick: adopted as missed, not sent weeks late.
        ("2026-11-23T16:00Z reminder", PUBLIC),
        ("2026-11-24T16:00Z agenda-vote", TEAM),
        ("2026-11-25T16:00Z outreach", "grace@example.org"),
        ("2026-11-26T20:00Z handover", TEAM),
        ("2026-12-14T16:00Z reminder", PUBLIC),
        ("2026-12-15T16:00Z agenda-vote", TEAM),
        ("2026-12-16T16:00Z outreach", "alan@example.org"),
        ("2026-12-17T20:00Z handover", TEAM),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), vec![b.to_string()]))
    .collect();
    assert_eq!(
        got, want,
        "one message per step, summit and recipient, on time"
    );
    assert_eq!(sent_at.len(), 8, "{sent_at:?}");

    // Each message threads under its summit's reminder.
    let by_step = |date: &str, step: &str| -> &Received {
        messages
            .iter()
            .find(|m| step_of(m) == step && m.message_id().contains(date))
            .unwrap_or_else(|| panic!("{step} {date}"))
    };
    for date in ["20261126", "20261217"] {
        let reminder = by_step(date, "reminder");
        assert_eq!(reminder.header("In-Reply-To"), None);
        let root = format!("<{}>", reminder.message_id());
        for step in ["agenda-vote", "outreach", "handover"] {
            let m = by_step(date, step);
            assert_eq!(
                m.header("In-Reply-To").as_deref(),
                Some(root.as_str()),
                "{step}"
            );
            assert!(m.header("References").unwrap().contains(&root), "{step}");
            assert_eq!(m.mail_from, "summit-bot@example.org");
        }
    }
    // The reminders carry the summit for calendars: the feed's UID, UTC times.
    let nov = calendar_part(by_step("20261126", "reminder")).expect("a text/calendar part");
    for want in [
        "METHOD:PUBLISH",
        &format!("UID:{UID}"),
        "DTSTART:20261126T160000Z",
        "DTEND:20261126T180000Z",
        "RECURRENCE-ID:20261126T160000Z",
    ] {
        assert!(nov.contains(want), "{want}:\n{nov}");
    }
    let dec = calendar_part(by_step("20261217", "reminder")).unwrap();
    assert!(dec.contains("DTSTART:20261217T160000Z"), "{dec}");
    assert!(
        dec.contains("RECURRENCE-ID:20261231T160000Z"),
        "moved: {dec}"
    );
    assert!(calendar_part(by_step("20261126", "agenda-vote")).is_none());
}

// ---- the mail server down ----

#[test]
fn mail_server_down_fails_without_recording_and_the_next_tick_sends() {
    let mut server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-22T00:00:00Z");
    server.stop();
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 1, "{r:?}", r = (&r.stdout, &r.stderr));
    assert_eq!(r.stdout, "");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].starts_with("error: the reminder of the summit on 2026-11-26 to prometheus-developers@googlegroups.com was not sent: cannot connect to 127.0.0.1:"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("retries it until 2026-11-25T16:00:00Z"),
        "{}",
        lines[0]
    );
    let states = site.states();
    assert_eq!(
        states.last().map(String::as_str),
        Some("failed"),
        "{states:?}"
    );
    assert!(
        states[..states.len() - 1].iter().all(|s| s == "missed"),
        "earlier summits adopted as missed, nothing sent: {states:?}"
    );
    // Still down an hour later: fails again, nothing sent.
    assert_eq!(site.tick("2026-11-23T17:00:00Z").status, 1);
    server.resume();
    let out = site.tick_ok("2026-11-23T18:00:00Z");
    assert!(out.starts_with("sent the reminder"), "{out}");
    assert_eq!(site.tick_ok("2026-11-23T19:00:00Z"), "");
    let steps: Vec<String> = server.messages().iter().map(step_of).collect();
    assert_eq!(steps, ["reminder"]);
    assert!(site.ledger().contains("attempts = 3"), "{}", site.ledger());
}

#[test]
fn a_refused_message_is_retried_inside_its_window_and_reported_once_after() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-22T00:00:00Z");
    server.control(r#"{"reject": "554 5.7.1 not today"}"#);
    for now in ["2026-11-23T16:00:00Z", "2026-11-23T17:00:00Z"] {
        let r = site.tick(now);
        assert_eq!(r.status, 1);
        assert!(
            r.stderr.contains(
                "was not sent: the server refused the message: permanent error (554): 5.7.1 not today"
            ),
            "{}",
            r.stderr
        );
    }
    server.control("{}");
    let out = site.tick_ok("2026-11-23T18:00:00Z");
    assert!(out.starts_with("sent the reminder"), "{out}");
    // Refused until its window closes: then reported once, as a warning.
    server.control(r#"{"reject": "451 4.3.0 try later"}"#);
    assert_eq!(site.tick("2026-11-24T16:00:00Z").status, 1);
    let r = site.tick("2026-11-26T16:00:00Z");
    assert_eq!((r.status, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    assert!(
        lines[0].starts_with("warning: the agenda-vote of the summit on 2026-11-26 to prometheus-team@googlegroups.com was not sent: its window closed at 2026-11-25T16:00:00Z after 1 failed attempt(s); last error: the server refused the message: transient error (451)"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("warning: the outreach of the summit on 2026-11-26 to grace@example.org was not sent: nothing ran from its due time 2026-11-25T16:00:00Z until its window closed"),
        "{}",
        lines[1]
    );
    assert_eq!(site.tick_ok("2026-11-26T17:00:00Z"), "");
    // The summits before the first tick (adopted as missed), then November's.
    let states = site.states();
    assert_eq!(
        states[states.len() - 4..],
        ["missed", "sent", "missed", "missed"]
    );
    assert!(states[..states.len() - 4].iter().all(|s| s == "missed"));
}

// ---- killed ticks ----

/// Waits until `cond` holds (panics after 20 s).
pub(crate) fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub(crate) fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn killed_after_the_server_took_the_message_it_is_never_sent_again() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-22T00:00:00Z");
    // The server stores the message, then waits before it says 250: tick is killed
    // while it waits for the reply.
    server.control(r#"{"delay_after_store": 30}"#);
    let child = site.spawn("2026-11-23T16:00:00Z", &["tick"]);
    server.wait_for(1); // the reminder
    assert!(site.has_intent(), "{}", site.ledger());
    kill(child);
    server.control("{}");
    for now in ["2026-11-23T17:00:00Z", "2026-11-24T10:00:00Z"] {
        let r = site.tick(now);
        assert_eq!(r.status, 1, "an unconfirmed intent is an error");
        assert_eq!(r.stdout, "");
        assert!(
            r.stderr.starts_with("error: the reminder of the summit on 2026-11-26 to prometheus-developers@googlegroups.com was handed over at 2026-11-23T16:00:00Z but never confirmed"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("--retry"), "{}", r.stderr);
    }
    assert_eq!(server.messages().len(), 1, "not sent again");
    // Other steps go on.
    let r = site.tick("2026-11-24T16:00:00Z");
    assert!(r.stdout.starts_with("sent the agenda-vote"), "{}", r.stdout);
    // Once the window is over, it is reported one last time, as a warning, and left.
    let r = site.tick("2026-11-26T16:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    let warnings: Vec<&str> = r.stderr.lines().collect();
    assert!(
        warnings.iter().any(
            |l| l.starts_with("warning: the reminder of the summit on 2026-11-26")
                && l.contains("never confirmed")
        ),
        "{}",
        r.stderr
    );
    assert_eq!(site.tick("2026-11-26T17:00:00Z").stderr, "");
    let steps: Vec<String> = server.messages().iter().map(step_of).collect();
    assert_eq!(steps, ["reminder", "agenda-vote"]);
}

#[test]
fn killed_before_the_server_took_the_message_it_waits_for_retry() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-22T00:00:00Z");
    server.control(r#"{"delay_before_store": 30}"#);
    let child = site.spawn("2026-11-23T16:00:00Z", &["tick"]);
    wait_until("the intent", || {
        site.ledger().contains("state = \"intent\"")
    });
    // Give the message time to reach the server's DATA handler, then kill.
    std::thread::sleep(Duration::from_millis(300));
    kill(child);
    server.control("{}");
    let r = site.tick("2026-11-23T17:00:00Z");
    assert_eq!(r.status, 1);
    assert_eq!(server.messages().len(), 0, "the server never stored it");
    let r = site.run("2026-11-23T17:00:00Z", &["tick", "--retry"]);
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert!(r.stdout.starts_with("sent the reminder"), "{}", r.stdout);
    assert_eq!(site.tick_ok("2026-11-23T18:00:00Z"), "");
    let m = server.messages();
    assert_eq!(m.len(), 1);
    assert!(site.ledger().contains("attempts = 2"), "{}", site.ledger());
}

#[test]
fn killing_tick_at_any_moment_never_duplicates_a_message() {
    let server = SmtpServer::start();
    let site = Site::new(&catching_up(&smtp_config(server.port)));
    site.tick_ok("2026-11-22T00:00:00Z");
    // Three messages due at once (reminder, agenda vote, outreach), a slowish server,
    // and ticks killed after 0 to 600 ms, over and over.
    server.control(r#"{"delay_before_store": 0.05, "delay_after_store": 0.05}"#);
    let mut seed: u64 = 0x5eed;
    for _ in 0..16 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let wait = Duration::from_millis((seed >> 33) % 600);
        let child = site.spawn("2026-11-25T17:00:00Z", &["tick"]);
        std::thread::sleep(wait);
        kill(child);
    }
    // Then cron goes on normally until the summit.
    server.control("{}");
    for now in [
        "2026-11-25T18:00:00Z",
        "2026-11-25T19:00:00Z",
        "2026-11-26T16:00:00Z",
    ] {
        let r = site.tick(now);
        assert!(
            r.status == 0 || r.stderr.contains("never confirmed"),
            "{}",
            r.stderr
        );
    }
    let messages = server.messages();
    assert_no_duplicates(&messages);
    let ledger = site.ledger();
    // Every step is accounted for: sent, or reported as unconfirmed.
    for step in ["reminder", "agenda-vote", "outreach"] {
        assert!(ledger.contains(&format!("step = \"{step}\"")), "{ledger}");
    }
    eprintln!(
        "after 16 killed ticks: {} message(s) on the server, ledger:\n{ledger}",
        messages.len()
    );
}

// ---- concurrency ----

#[test]
fn four_ticks_at_once_with_a_slow_server_send_once() {
    let server = SmtpServer::start();
    let site = Site::new(&catching_up(&smtp_config(server.port)));
    site.tick_ok("2026-11-22T00:00:00Z");
    server.control(r#"{"delay_after_store": 0.3}"#);
    let runs: Vec<Run> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| site.tick("2026-11-25T17:00:00Z")))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for r in &runs {
        assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    }
    let lines: usize = runs.iter().map(|r| r.stdout.lines().count()).sum();
    assert_eq!(lines, 3);
    assert_eq!(server.messages().len(), 3, "three, once each");
}

// ---- missed steps ----

#[test]
fn a_step_past_its_window_is_never_sent_and_reported_once() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-20T00:00:00Z");
    // Cron stops; the next run is after the November summit started.
    let r = site.tick("2026-11-26T17:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let warnings: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(warnings.len(), 3, "{}", r.stderr);
    // Each closed when it stopped being useful: the reminder at the topic deadline,
    // the call for votes when the outreach was due, the outreach at the start.
    for (w, (step, closed)) in warnings.iter().zip([
        ("reminder", "2026-11-25T16:00:00Z"),
        ("agenda-vote", "2026-11-25T16:00:00Z"),
        ("outreach", "2026-11-26T16:00:00Z"),
    ]) {
        assert!(
            w.starts_with(&format!(
                "warning: the {step} of the summit on 2026-11-26 to "
            )),
            "{w}"
        );
        assert!(w.contains(&format!("window closed at {closed}")), "{w}");
    }
    assert_eq!(site.tick_ok("2026-11-26T18:00:00Z"), "", "reported once");
    assert!(
        server.messages().is_empty(),
        "the October handover was weeks late on the first tick: adopted as missed"
    );
    // The four steps of each of the three summits before the first tick (adopted) and
    // November's three.
    assert_eq!(site.ledger().matches("state = \"missed\"").count(), 15);
}

#[test]
fn nothing_due_prints_nothing_and_a_fresh_state_dir_is_created() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-22T00:00:00Z");
    assert_eq!(site.tick_ok("2026-11-22T01:00:00Z"), "");
    assert!(site.path("state/ledger.toml").is_file());
    assert!(site.path("state/lock").is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(site.path("state"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "the state directory is private");
    }
}

// ---- send ----

#[test]
fn send_delivers_a_step_once_and_tick_does_not_repeat_it() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    // Early, by hand: the reminder of the next summit, two days before it is due. Not
    // from a script without `--yes`.
    let r = site.run("2026-11-21T10:00:00Z", &["send", "reminder"]);
    assert_eq!(
        (r.status, r.stdout.as_str(), r.stderr.as_str()),
        (
            2,
            "",
            "error: not sending the reminder of the summit on 2026-11-26: it is not due until 2026-11-23T16:00:00Z; pass `--yes` to send it anyway\n"
        )
    );
    assert!(!site.path("state/ledger.toml").exists() || !site.ledger().contains("reminder"));
    let r = site.run("2026-11-21T10:00:00Z", &["send", "reminder", "--yes"]);
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert!(
        r.stdout
            .starts_with("sent the reminder of the summit on 2026-11-26"),
        "{}",
        r.stdout
    );
    // Sent once: a second `send` says so (no `--yes` needed: nothing is sent).
    let again = site.run("2026-11-21T11:00:00Z", &["send", "reminder"]);
    assert_eq!((again.status, again.stderr.as_str()), (0, ""));
    assert!(
        again
            .stdout
            .starts_with("already sent: the reminder of the summit on 2026-11-26")
            && again.stdout.contains("(Message-ID <"),
        "{}",
        again.stdout
    );
    let json = site
        .run("2026-11-21T11:00:00Z", &["--json", "send", "reminder"])
        .json();
    assert_eq!(json[0]["action"], "already-sent");
    assert_eq!(
        json[0]["message_id"].as_str().unwrap(),
        server.messages()[0].message_id()
    );
    let dry = site.run("2026-11-21T11:00:00Z", &["send", "reminder", "--dry-run"]);
    assert!(
        dry.stdout.starts_with("already sent: the reminder"),
        "{}",
        dry.stdout
    );
    // The first tick adopts the earlier summits' steps (`send` only wrote its own).
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 0);
    assert!(is_adoption_line(&r.stderr), "{}", r.stderr);
    assert!(!r.stdout.contains("reminder"), "{}", r.stdout);
    let steps: Vec<String> = server.messages().iter().map(step_of).collect();
    assert_eq!(steps, ["reminder"]);
    // Past its window, send refuses.
    let r = site.run(
        "2026-11-26T17:00:00Z",
        &["send", "outreach", "--summit", "2026-11-26"],
    );
    assert_eq!(r.status, 1);
    assert!(
        r.stderr
            .contains("stopped being useful at 2026-11-26T16:00:00Z"),
        "{}",
        r.stderr
    );
}

#[test]
fn dry_run_sends_and_records_nothing() {
    let server = SmtpServer::start();
    let site = Site::new(&catching_up(&smtp_config(server.port)));
    let r = site.run("2026-11-25T17:00:00Z", &["tick", "--dry-run"]);
    assert_eq!(r.status, 0);
    assert!(is_adoption_line(&r.stderr), "{}", r.stderr);
    assert!(
        r.stderr.contains("they would be recorded as missed"),
        "{}",
        r.stderr
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(lines[0].starts_with("would send the reminder of the summit on 2026-11-26 to prometheus-developers@googlegroups.com (due Mon 23 Nov 2026 16:00 UTC, Message-ID <"), "{}", lines[0]);
    assert!(!site.path("state").exists(), "nothing recorded");
    let json = site
        .run("2026-11-25T17:00:00Z", &["--json", "tick", "--dry-run"])
        .json();
    let actions: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .filter(|a| *a != "missed")
        .collect();
    assert_eq!(actions, ["would-send"; 3]);
    let json: Vec<&serde_json::Value> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "would-send")
        .collect();
    assert_eq!(json[2]["step"], "outreach");
    assert_eq!(json[2]["to"], serde_json::json!(["grace@example.org"]));
    assert_eq!(json[2]["due"], "2026-11-25T16:00:00Z");
    assert_eq!(json[2]["summit"]["uid"], UID);
    assert_eq!(server.messages().len(), 0);
}

#[test]
fn tick_json_lists_what_was_sent() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-22T00:00:00Z");
    let json = site.run("2026-11-23T16:00:00Z", &["--json", "tick"]).json();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["action"], "sent");
    assert_eq!(
        json[0]["message_id"].as_str().unwrap(),
        server.messages()[0].message_id()
    );
    let json = site.run("2026-11-23T17:00:00Z", &["--json", "tick"]).json();
    assert_eq!(json, serde_json::json!([]));
}

// ---- corrections ----

/// The example feed with the 26 November summit moved to `start`..`end` (Berlin) and
/// `status`.
pub(crate) fn feed_with_november(start: &str, end: &str, status: &str, seq: u32) -> String {
    let text = std::fs::read_to_string(example_feed()).unwrap();
    let over = format!(
        "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:{start}\r\nDTEND;TZID=Europe/Berlin:{end}\r\n\
DTSTAMP:20261120T120000Z\r\nUID:{UID}\r\nRECURRENCE-ID;TZID=Europe/Berlin:20261126T170000\r\n\
SEQUENCE:{seq}\r\nSTATUS:{status}\r\nSUMMARY:Prometheus Developer Summit\r\n\
LOCATION:https://zoom.example.org/j/000000000\r\nEND:VEVENT\r\n"
    );
    let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    text.replacen("END:VCALENDAR", &format!("{over}END:VCALENDAR"), 1)
}

#[test]
fn an_announced_summit_that_moves_or_is_cancelled_gets_one_correction_in_its_thread() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    site.tick_ok("2026-11-22T00:00:00Z");
    site.tick_ok("2026-11-23T16:00:00Z"); // the reminder, to the public list
    // Moved to Friday 27 November, an hour later.
    site.set_feed(&feed_with_november(
        "20261127T180000",
        "20261127T200000",
        "CONFIRMED",
        4,
    ));
    let out = site.tick_ok("2026-11-24T10:00:00Z");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["sent the correction 1 of the summit on 2026-11-27 to prometheus-developers@googlegroups.com (Message-ID <".to_string()
            + &server.messages()[1].message_id() + ">)"]
    );
    assert_eq!(site.tick_ok("2026-11-24T11:00:00Z"), "", "once");
    let m = server.messages();
    let (reminder, correction) = (&m[0], &m[1]);
    assert_eq!(correction.rcpt_tos, [PUBLIC], "the same audience");
    let root = format!("<{}>", reminder.message_id());
    assert_eq!(
        correction.header("In-Reply-To").as_deref(),
        Some(root.as_str())
    );
    assert_eq!(
        correction.header("References").as_deref(),
        Some(root.as_str())
    );
    let subject = correction.header("Subject").unwrap();
    assert_eq!(
        subject, "[Prometheus] Moved to Fri 27 Nov: Developer Summit",
        "{subject}"
    );
    assert_eq!(
        correction.header("Reply-To"),
        None,
        "replies stay on the list"
    );
    assert_eq!(
        correction.header("Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let body = correction.parsed().subparts[0]
        .get_body()
        .unwrap()
        .replace("\r\n", "\n");
    assert!(body.starts_with("Hello Prometheus developers,"), "{body}");
    assert!(
        body.contains("It now takes place on Friday:"),
        "sent on Tuesday 24: {body}"
    );
    assert!(
        body.contains("Fri 27 Nov, 17:00 UTC / 09:00 PST / 18:00 CET / 22:30 IST"),
        "{body}"
    );
    assert!(
        body.contains("announced for\n\n  Thu 26 Nov, 16:00 UTC / 08:00 PST"),
        "the old time: {body}"
    );
    assert!(
        body.contains("Join: https://zoom.example.org/j/000000000"),
        "{body}"
    );
    let ics = calendar_part(correction).unwrap();
    assert!(
        ics.contains("DTSTART:20261127T170000Z") && ics.contains("SEQUENCE:1"),
        "{ics}"
    );

    // The agenda vote, due a day before the new start, names the new date; the team
    // list never had the old one, so it gets no correction.
    let out = site.tick_ok("2026-11-25T17:00:00Z");
    assert!(
        out.starts_with("sent the agenda-vote of the summit on 2026-11-27"),
        "{out}"
    );

    // Then cancelled: both lists hear it, once each.
    site.set_feed(&feed_with_november(
        "20261127T180000",
        "20261127T200000",
        "CANCELLED",
        5,
    ));
    let out = site.tick_ok("2026-11-25T18:00:00Z");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[0].starts_with(
            "sent the correction 2 of the summit on 2026-11-27 to prometheus-developers"
        ),
        "{out}"
    );
    assert!(
        lines[1]
            .starts_with("sent the correction 1 of the summit on 2026-11-27 to prometheus-team"),
        "{out}"
    );
    assert_eq!(site.tick_ok("2026-11-25T19:00:00Z"), "");
    let m = server.messages();
    let cancel = m.iter().rev().find(|m| m.rcpt_tos == [PUBLIC]).unwrap();
    assert_eq!(
        cancel.header("Subject").as_deref(),
        Some("[Prometheus] Cancelled: Developer Summit, Fri 27 Nov")
    );
    // It names the next summit, and how to join it.
    let body = cancel.parsed().subparts[0]
        .get_body()
        .unwrap()
        .replace("\r\n", "\n");
    assert!(
        body.contains("is cancelled. It does not take place."),
        "{body}"
    );
    assert!(
        body.contains("The next summit is on Thu 17 Dec:")
            && body.contains("Thu 17 Dec, 16:00 UTC / 08:00 PST / 17:00 CET / 21:30 IST")
            && body.contains("Join: https://zoom.example.org/j/000000000"),
        "{body}"
    );
    assert_eq!(
        cancel
            .header("In-Reply-To")
            .as_deref()
            .map(|s| s.contains(&correction.message_id())),
        Some(true)
    );
    assert!(calendar_part(cancel).unwrap().contains("STATUS:CANCELLED"));
    // No outreach or handover for a cancelled summit.
    assert_eq!(site.tick_ok("2026-11-27T20:00:00Z"), "");
    assert_no_duplicates(&m);
}

// ---- headers from validated values only ----

#[test]
fn a_summary_with_line_breaks_cannot_add_recipients_or_headers() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n\
UID:inject@example.org\r\nDTSTAMP:20261101T000000Z\r\n\
DTSTART:20261126T160000Z\r\nDTEND:20261126T180000Z\r\n\
SUMMARY:Developer Summit\\nBcc: evil@example.com\\nX-Injected: yes\\N\\u202e\r\n\
LOCATION:Room 1\\nBcc: evil2@example.com\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
    site.set_feed(ics);
    let out = site.tick_ok("2026-11-23T16:00:00Z");
    assert!(out.starts_with("sent the reminder"), "{out}");
    let m = &server.messages()[0];
    assert_eq!(m.rcpt_tos, [PUBLIC], "the envelope has the list only");
    assert!(m.headers("Bcc").is_empty() && m.headers("X-Injected").is_empty());
    let ics = calendar_part(m).unwrap();
    assert_eq!(ics.matches("BEGIN:").count(), 2, "{ics}");
    assert!(!ics.lines().any(|l| l.starts_with("Bcc")), "{ics}");
}

// ---- AUTH and TLS ----

fn auth_config(port: u16, source: &str) -> String {
    smtp_config(port).replacen(
        "security = \"none\"",
        &format!("security = \"none\"\nusername = \"bot\"\n{source}"),
        1,
    )
}

#[test]
fn auth_with_the_password_from_an_environment_variable_or_a_command() {
    let server = SmtpServer::start_with(&[("SMTP_USER", "bot"), ("SMTP_PASSWORD", "s3cr3t-pw")]);
    let mut site = Site::new(&auth_config(
        server.port,
        "password-env = \"SUMMIT_TEST_SMTP_PW\"",
    ));
    // Without the variable: a clear error before anything is recorded.
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.contains("`SUMMIT_TEST_SMTP_PW` is not set"),
        "{}",
        r.stderr
    );
    // Nothing tried: only the earlier summits' steps adopted as missed.
    assert!(
        site.states().iter().all(|s| s == "missed"),
        "{}",
        site.ledger()
    );
    site.env
        .push(("SUMMIT_TEST_SMTP_PW".into(), "wrong".into()));
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 1);
    assert!(r.stderr.contains("refused to authenticate"), "{}", r.stderr);
    site.env[0].1 = "s3cr3t-pw".into();
    let out = site.tick_ok("2026-11-23T17:00:00Z");
    assert!(out.starts_with("sent the reminder"), "{out}");
    assert_eq!(server.messages()[0].login.as_deref(), Some("bot"));

    let cmd = Site::new(&auth_config(
        server.port,
        "password-command = \"printf 's3cr3t-pw\\\\n'\"",
    ));
    let out = cmd.tick_ok("2026-11-23T17:00:00Z");
    assert!(out.starts_with("sent the reminder"), "{out}");
    assert_eq!(server.messages().len(), 2);
    for s in [&site, &cmd] {
        assert!(
            !s.ledger().contains("s3cr3t"),
            "the password is not recorded"
        );
    }
    assert!(
        server.auth_log().contains("refused"),
        "{}",
        server.auth_log()
    );
}

#[test]
fn starttls_required_refuses_a_server_without_it() {
    let server = SmtpServer::start();
    let config =
        smtp_config(server.port).replacen("security = \"none\"", "security = \"starttls\"", 1);
    let site = Site::new(&config);
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 1);
    assert!(r.stderr.contains("does not offer STARTTLS"), "{}", r.stderr);
    assert!(server.messages().is_empty(), "nothing in the clear");
}

// ---- other transports ----

#[test]
fn file_transport_writes_stable_names_once() {
    let site = Site::new(&catching_up(&example_without_assignment()));
    site.tick_ok("2026-11-22T00:00:00Z");
    site.tick_ok("2026-11-25T17:00:00Z");
    site.tick_ok("2026-11-25T18:00:00Z");
    let mut names: Vec<String> = std::fs::read_dir(site.path("outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names[0].starts_with("20261126-agenda-vote-") && names[0].ends_with(".eml"),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("20261126-reminder-")),
        "{names:?}"
    );
}

#[test]
fn sendmail_transport_runs_the_configured_program() {
    let site = Site::new(&example_without_assignment().replacen(
        "transport = \"file\"",
        "transport = \"sendmail\"\nsendmail = \"./fake-sendmail\"",
        1,
    ));
    let script = "#!/bin/sh\nprintf '%s\\n' \"$*\" >> sendmail.args\ncat >> sendmail.out\n";
    std::fs::write(site.path("fake-sendmail"), script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            site.path("fake-sendmail"),
            std::fs::Permissions::from_mode(0o755),
        )
        .unwrap();
    }
    site.tick_ok("2026-11-22T00:00:00Z");
    let out = site.tick_ok("2026-11-23T16:00:00Z");
    assert!(out.starts_with("sent the reminder"), "{out}");
    let args = std::fs::read_to_string(site.path("sendmail.args")).unwrap();
    assert_eq!(
        args.lines().last().unwrap(),
        "-i -f summit-bot@example.org -- prometheus-developers@googlegroups.com"
    );
    assert!(
        std::fs::read_to_string(site.path("sendmail.out"))
            .unwrap()
            .contains("METHOD:PUBLISH")
    );
    std::fs::write(
        site.path("fake-sendmail"),
        "#!/bin/sh\ncat >/dev/null\necho 'queue full' >&2\nexit 75\n",
    )
    .unwrap();
    let r = site.tick("2026-11-24T16:00:00Z");
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.contains("sendmail failed") && r.stderr.contains("queue full"),
        "{}",
        r.stderr
    );
}

// ---- the state dir ----

#[test]
fn a_garbled_ledger_stops_tick_and_is_left_alone() {
    let server = SmtpServer::start();
    let site = Site::smtp(&server);
    crate::test::private_dir(&site.path("state"));
    std::fs::write(
        site.path("state/ledger.toml"),
        "version = 1\n[[message]]\nuid = ",
    )
    .unwrap();
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.starts_with("error: state/ledger.toml: line "),
        "{}",
        r.stderr
    );
    assert_eq!(site.ledger(), "version = 1\n[[message]]\nuid = ");
    assert!(server.messages().is_empty());
}

// ---- the feed cache ----

fn url_site(server: &SmtpServer, url: &str) -> Site {
    let config = smtp_config(server.port).replacen(
        "feed = \"https://calendar.google.com/calendar/ical/prometheus.io_bdf9qgm081nrd0fe32g3olsld0%40group.calendar.google.com/public/basic.ics\"",
        &format!("feed = \"{url}\""),
        1,
    );
    let site = Site::new(&config);
    std::fs::remove_file(site.path("feed.ics")).unwrap();
    site
}

impl Site {
    /// `tick` with the feed of the configuration (a URL).
    fn tick_url(&self, now: &str) -> Run {
        let args = self.args(now, &["tick"]);
        self.run_args(&[&args[..2], &args[4..]].concat())
    }

    fn cached_feed(&self) -> Vec<u8> {
        let dir = self.path("state");
        let f = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "ics"))
            .expect("a cached feed");
        std::fs::read(f).unwrap()
    }
}

fn example_bytes() -> Vec<u8> {
    std::fs::read(example_feed()).unwrap()
}

#[test]
fn the_feed_is_fetched_conditionally_and_cached() {
    let smtp = SmtpServer::start();
    let feed = FeedServer::start(Mode::Serve {
        body: example_bytes(),
        etag: "\"v1\"".into(),
    });
    let site = url_site(&smtp, &feed.url());
    let r = site.tick_url("2026-11-22T00:00:00Z");
    assert_eq!(r.status, 0);
    assert!(is_adoption_line(&r.stderr), "{}", r.stderr);
    let r = site.tick_url("2026-11-23T16:00:00Z");
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert!(r.stdout.starts_with("sent the reminder"), "{}", r.stdout);
    let reqs = feed.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].if_none_match, None);
    assert_eq!(reqs[1].if_none_match.as_deref(), Some("\"v1\""));
    assert_eq!(
        reqs[1].if_modified_since.as_deref(),
        Some("Sun, 15 Nov 2026 12:00:00 GMT")
    );
    assert_eq!(site.cached_feed(), example_bytes());
}

#[test]
fn an_unreachable_feed_uses_a_fresh_cache_with_a_warning() {
    let smtp = SmtpServer::start();
    let feed = FeedServer::start(Mode::Serve {
        body: example_bytes(),
        etag: "\"v1\"".into(),
    });
    let site = url_site(&smtp, &feed.url());
    assert_eq!(site.tick_url("2026-11-22T00:00:00Z").status, 0);
    feed.set(Mode::Status(503));
    let r = site.tick_url("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        lines[0].starts_with("warning: feed `http://127.0.0.1:"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("503"), "{}", lines[0]);
    assert!(
        lines[0].contains("using the copy cached at 2026-11-22T00:00:00Z (1d16h old)"),
        "{}",
        lines[0]
    );
    assert!(r.stdout.starts_with("sent the reminder"), "{}", r.stdout);
    // Nobody listening at all: the same.
    drop(feed);
    let r = site.tick_url("2026-11-24T16:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stderr.starts_with("warning: feed `"), "{}", r.stderr);
    assert!(r.stdout.starts_with("sent the agenda-vote"), "{}", r.stdout);
    // Older than calendar.cache-max-age (7 days): exit 1.
    let r = site.tick_url("2026-11-29T00:00:01Z");
    assert_eq!(r.status, 1);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("older than calendar.cache-max-age (7d)"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_unreachable_feed_without_a_cache_is_one_clear_error() {
    let smtp = SmtpServer::start();
    let port = crate::smtp::free_port();
    let site = url_site(&smtp, &format!("http://127.0.0.1:{port}/basic.ics"));
    let r = site.tick_url("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 1);
    assert_eq!(r.stdout, "");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert!(
        // A URL is shown by its scheme and host only: the path may hold a key.
        lines[0].starts_with(&format!("error: feed `http://127.0.0.1:{port}`: ")),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with("; no cached copy to fall back on"),
        "{}",
        lines[0]
    );
    assert!(smtp.messages().is_empty());
}

#[test]
fn a_cut_short_or_garbled_download_never_replaces_a_good_cache() {
    let smtp = SmtpServer::start();
    let good = example_bytes();
    let feed = FeedServer::start(Mode::Serve {
        body: good.clone(),
        etag: "\"v1\"".into(),
    });
    let site = url_site(&smtp, &feed.url());
    assert_eq!(site.tick_url("2026-11-22T00:00:00Z").status, 0);
    let cut = good.len() * 2 / 3;
    for mode in [
        Mode::CutShort {
            body: good.clone(),
            cut,
        },
        Mode::Raw(good[..cut].to_vec()),
        Mode::Raw(b"<html>Service temporarily unavailable</html>".to_vec()),
    ] {
        feed.set(mode.clone());
        let r = site.tick_url("2026-11-22T01:00:00Z");
        assert_eq!(r.status, 0, "{mode:?}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("warning: feed `"),
            "{mode:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("using the copy cached"), "{}", r.stderr);
        assert_eq!(site.cached_feed(), good, "{mode:?} replaced the cache");
    }
}

#[test]
fn a_topic_owner_hears_of_a_cancellation_by_name() {
    let server = SmtpServer::start();
    let config =
        smtp_config(server.port).replacen("# file = \"agenda.csv\"", "file = \"agenda.csv\"", 1);
    let site = Site::new(&config);
    std::fs::write(site.path("agenda.csv"), crate::agenda::AGENDA_CSV).unwrap();
    site.tick_ok("2026-11-22T00:00:00Z");
    site.tick_ok("2026-11-23T16:00:00Z"); // the reminder
    site.tick_ok("2026-11-24T16:00:00Z"); // the agenda vote
    site.tick_ok("2026-11-25T17:00:00Z"); // the outreach to three owners, the checklist
    let before = server.messages().len();
    site.set_feed(&feed_with_november(
        "20261126T170000",
        "20261126T190000",
        "CANCELLED",
        4,
    ));
    site.tick_ok("2026-11-25T18:00:00Z");
    let m = server.messages();
    let to_alice: Vec<_> = m[before..]
        .iter()
        .filter(|m| m.rcpt_tos == ["alice@example.org"])
        .collect();
    assert_eq!(to_alice.len(), 1, "one correction to the owner");
    let body = to_alice[0].parsed().subparts[0].get_body().unwrap();
    assert!(body.starts_with("Hello Alice Example,"), "{body}");
    assert!(
        to_alice[0]
            .header("To")
            .is_some_and(|to| to.contains("Alice Example")),
        "{:?}",
        to_alice[0].header("To")
    );
}

// ---- several lists ----

#[test]
fn each_public_and_team_list_gets_its_own_message_and_ledger_entry() {
    let server = SmtpServer::start();
    let config = smtp_config(server.port)
        .replacen(
            "public-list = \"prometheus-developers@googlegroups.com\"",
            "public-list = [\"Users <prometheus-users@googlegroups.com>\", \"prometheus-developers@googlegroups.com\"]",
            1,
        )
        .replacen(
            "team-list = \"prometheus-team@googlegroups.com\"",
            "team-list = [\"prometheus-team@googlegroups.com\"]",
            1,
        );
    let site = Site::new(&config);
    site.tick_ok("2026-11-22T00:00:00Z");
    site.tick_ok("2026-11-23T16:00:00Z"); // the reminder, to each public list
    let got = server.wait_for(2);
    let mut to: Vec<String> = got.iter().map(|m| m.header("To").unwrap()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "Users <prometheus-users@googlegroups.com>",
            "prometheus-developers@googlegroups.com"
        ]
    );
    assert_ne!(got[0].message_id(), got[1].message_id());
    // Each is its own entry; a second tick sends neither again.
    let ledger = std::fs::read_to_string(site.path("state/ledger.toml")).unwrap();
    for list in ["prometheus-users", "prometheus-developers"] {
        let entry = format!("to = \"{list}@googlegroups.com\"\nstate = \"sent\"");
        assert_eq!(ledger.matches(&entry).count(), 1, "{ledger}");
    }
    assert_eq!(site.tick_ok("2026-11-23T17:00:00Z"), "");
    assert_eq!(server.messages().len(), 2);
    // The call for votes goes to the one team list, in the thread of the reminder to
    // the first public list (the order of the configuration, not of the alphabet).
    let first = got
        .iter()
        .find(|m| m.header("To").unwrap().contains("prometheus-users"))
        .unwrap()
        .message_id();
    site.tick_ok("2026-11-24T16:00:00Z");
    let got = server.wait_for(3);
    assert_eq!(
        got[2].header("To").as_deref(),
        Some("prometheus-team@googlegroups.com")
    );
    assert_eq!(got[2].header("In-Reply-To"), Some(format!("<{first}>")));
}

#[test]
fn each_list_that_was_told_gets_its_own_correction() {
    let server = SmtpServer::start();
    let config = smtp_config(server.port).replacen(
        "public-list = \"prometheus-developers@googlegroups.com\"",
        "public-list = [\"prometheus-developers@googlegroups.com\", \"prometheus-users@googlegroups.com\"]",
        1,
    );
    let site = Site::new(&config);
    site.tick_ok("2026-11-22T00:00:00Z");
    site.tick_ok("2026-11-23T16:00:00Z"); // a reminder to each public list
    assert_eq!(server.wait_for(2).len(), 2);
    site.set_feed(&feed_with_november(
        "20261127T180000",
        "20261127T200000",
        "CONFIRMED",
        4,
    ));
    let out = site.tick_ok("2026-11-24T10:00:00Z");
    assert_eq!(out.lines().count(), 2, "{out}");
    let m = server.wait_for(4);
    let mut to: Vec<&str> = m[2..].iter().map(|c| c.rcpt_tos[0].as_str()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "prometheus-developers@googlegroups.com",
            "prometheus-users@googlegroups.com"
        ]
    );
    for c in &m[2..] {
        assert!(
            c.header("Subject")
                .unwrap()
                .starts_with("[Prometheus] Moved to Fri 27 Nov")
        );
        assert_eq!(c.header("Reply-To"), None, "replies stay on the list");
    }
    assert_eq!(site.tick_ok("2026-11-24T11:00:00Z"), "", "once each");
}
