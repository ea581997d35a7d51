//! Every wait has a deadline, and no secret shows: a password command that hangs, an
//! SMTP server or a feed server that drips one byte at a time, each given up at its
//! configured deadline with exit 1, the state directory's lock never held past it; a
//! private feed URL is never shown past its host; IPv6 loopback SMTP.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use crate::http::{FeedServer, Mode};
use crate::smtp::SmtpServer;
use crate::test::*;
use crate::tick::{Site, smtp_config};

/// When the reminder of the example's summit of 2026-11-26 is due.
const DUE: &str = "2026-11-23T16:00:00Z";

/// `config` with `key = value` added to its `[table]` (`calendar` or `mail.smtp`).
fn with(config: &str, table: &str, line: &str) -> String {
    let head = format!("[{table}]\n");
    assert!(config.contains(&head), "the config has {head}");
    config.replacen(&head, &format!("{head}{line}\n"), 1)
}

/// `config` with `calendar.feed = url`, in a site without `feed.ics`.
fn url_site(config: &str, url: &str) -> Site {
    let start = config.find("feed = \"https://").unwrap();
    let end = start + config[start..].find('\n').unwrap();
    let site = Site::new(&format!(
        "{}feed = \"{url}\"{}",
        &config[..start],
        &config[end..]
    ));
    std::fs::remove_file(site.path("feed.ics")).unwrap();
    site
}

impl Site {
    /// `summit ARGS` at `now` with the feed of the configuration.
    fn run_url(&self, now: &str, rest: &[&str]) -> Run {
        let args = self.args(now, rest);
        self.run_args(&[&args[..2], &args[4..]].concat())
    }
}

/// The pids of the running processes whose command line has `needle`.
fn processes_with(needle: &str) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            String::from_utf8_lossy(&cmdline).contains(needle) && !stat.contains(") Z ")
        })
        .collect()
}

/// Asserts the run took at least `deadline` and finished well within a few seconds of
/// it.
fn took(started: Instant, deadline: Duration) {
    let took = started.elapsed();
    assert!(
        took >= deadline && took < deadline + Duration::from_secs(4),
        "took {took:?} for a deadline of {deadline:?}"
    );
}

#[test]
fn a_hung_password_command_is_killed_with_its_group_before_the_lock_is_taken() {
    let server = SmtpServer::start_with(&[("SMTP_USER", "bot"), ("SMTP_PASSWORD", "pw")]);
    // A number no other process has on its command line.
    let marker = format!("100000.{}", std::process::id());
    let config = smtp_config(server.port).replacen(
        "security = \"none\"",
        &format!(
            "security = \"none\"\nusername = \"bot\"\npassword-command = \"sleep {marker}\"\npassword-command-timeout = \"2s\""
        ),
        1,
    );
    let site = Site::new(&config);
    let started = Instant::now();
    let mut child = site.spawn(DUE, &["tick"]);
    // While the password command runs, the lock is free: it is taken after.
    std::thread::sleep(Duration::from_millis(1000));
    assert!(
        !processes_with(&marker).is_empty(),
        "the password command runs"
    );
    let lock = site.path("state/lock");
    assert!(
        lock_is_free(&lock),
        "the lock is free while the password is read"
    );
    let status = child.wait().unwrap();
    took(started, Duration::from_secs(2));
    assert_eq!(status.code(), Some(1));
    assert!(processes_with(&marker).is_empty(), "the sleep is gone");
    // Once more for the message; nothing was tried, nothing recorded.
    let r = site.tick(DUE);
    assert_eq!(r.status, 1);
    assert_eq!(
        r.stderr,
        format!(
            "error: mail.smtp.password-command `sleep {marker}` timed out after 2 s and was stopped, expected the SMTP password within mail.smtp.password-command-timeout\n"
        )
    );
    assert!(site.states().is_empty(), "{}", site.ledger());
    assert!(server.messages().is_empty());
    assert!(processes_with(&marker).is_empty(), "the sleep is gone");
    assert!(lock_is_free(&lock), "the lock is free");
}

/// Whether nobody holds the state directory's lock `path` (never taken, or released).
fn lock_is_free(path: &std::path::Path) -> bool {
    match std::fs::File::open(path) {
        Err(_) => !path.exists(),
        Ok(f) => f.try_lock().is_ok(),
    }
}

/// A loopback SMTP server that greets, then answers everything one byte a second
/// without ever finishing a reply. Returns its port.
fn dripping_smtp_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                stream.write_all(b"220 drip.test ESMTP\r\n")?;
                let mut line = String::new();
                BufReader::new(stream.try_clone()?).read_line(&mut line)?;
                loop {
                    for byte in b"250-still thinking\r\n" {
                        stream.write_all(std::slice::from_ref(byte))?;
                        std::thread::sleep(Duration::from_secs(1));
                    }
                }
                #[allow(unreachable_code)]
                std::io::Result::Ok(())
            });
        }
    });
    port
}

#[test]
fn a_dripping_smtp_server_is_given_up_at_the_deadline_and_the_message_retried() {
    let port = dripping_smtp_server();
    let config = with(&smtp_config(port), "mail.smtp", "timeout = \"2s\"");
    let site = Site::new(&config);
    let started = Instant::now();
    let r = site.tick(DUE);
    took(started, Duration::from_secs(2));
    assert_eq!(r.status, 1, "{}", r.stderr);
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert!(
        errors[0].contains(&format!(
            "was not sent: timed out after 2 s talking to 127.0.0.1:{port}, before the message was sent"
        )),
        "{}",
        r.stderr
    );
    // Certainly not sent: failed, not an unconfirmed intent, so the next tick tries
    // it again (against a server that answers now).
    assert!(!site.has_intent(), "{}", site.ledger());
    assert!(
        site.states().iter().any(|s| s == "failed"),
        "{}",
        site.ledger()
    );
    let server = SmtpServer::start();
    let again = Site {
        dir: site.dir,
        env: Vec::new(),
    };
    let text = std::fs::read_to_string(again.path("summit.toml"))
        .unwrap()
        .replacen(
            &format!("port = {port}"),
            &format!("port = {}", server.port),
            1,
        );
    std::fs::write(again.path("summit.toml"), text).unwrap();
    let out = again.tick_ok("2026-11-23T17:00:00Z");
    assert!(out.starts_with("sent the reminder"), "{out}");
    assert_eq!(server.wait_for(1).len(), 1);
}

#[test]
fn a_server_that_stalls_after_the_data_leaves_an_unconfirmed_intent() {
    let server = SmtpServer::start();
    server.control(r#"{"delay_before_store": 30}"#);
    let config = with(&smtp_config(server.port), "mail.smtp", "timeout = \"2s\"");
    let site = Site::new(&config);
    let started = Instant::now();
    let r = site.tick(DUE);
    took(started, Duration::from_secs(2));
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "may or may not have been delivered: timed out after 2 s talking to 127.0.0.1:{}; it is not sent again",
            server.port
        )),
        "{}",
        r.stderr
    );
    assert!(site.has_intent(), "{}", site.ledger());
    // Not sent again while unconfirmed.
    server.control("{}");
    let r = site.tick("2026-11-23T17:00:00Z");
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("never confirmed") && r.stderr.contains("it is not sent again"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_dripping_feed_is_given_up_at_the_deadline() {
    let feed = FeedServer::start(Mode::Drip {
        body: std::fs::read(example_feed()).unwrap(),
        every: Duration::from_millis(500),
    });
    let config = with(
        &std::fs::read_to_string(example_config()).unwrap(),
        "calendar",
        "fetch-timeout = \"2s\"",
    );
    let site = url_site(&config, &feed.url());
    let started = Instant::now();
    let r = site.run_url(DUE, &["tick"]);
    took(started, Duration::from_secs(2));
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "timed out after 2 s fetching 127.0.0.1:{}; no cached copy to fall back on",
            feed.port
        )),
        "{}",
        r.stderr
    );
    // `events` reads it directly, within the same deadline.
    let started = Instant::now();
    let r = site.run_url(DUE, &["events", "--from", "2026-11-01T00:00:00Z"]);
    took(started, Duration::from_secs(2));
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("timed out after 2 s fetching"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_private_feed_url_shows_its_host_only() {
    let feed = FeedServer::start(Mode::Status(404));
    let closed = crate::smtp::free_port();
    let secrets = [
        "private-0123abcd",
        "calendar/ical",
        "x%40group",
        "basic.ics",
        "tok3n",
        "user:pw",
    ];
    let config = std::fs::read_to_string(example_config()).unwrap();
    for port in [feed.port, closed] {
        let url = format!(
            "http://user:pw@127.0.0.1:{port}/calendar/ical/x%40group/private-0123abcd/basic.ics?key=tok3n#f"
        );
        let site = url_site(&config, &url);
        for (command, status) in [
            (vec!["tick"], 1),
            (vec!["events", "--from", "2026-11-01T00:00:00Z"], 1),
            (vec!["check"], 1),
        ] {
            let r = site.run_url(DUE, &command);
            assert_eq!(r.status, status, "{command:?}: {}", r.stderr);
            let shown = format!("{}{}", r.stdout, r.stderr);
            assert!(
                shown.contains(&format!("http://127.0.0.1:{port}")),
                "{command:?}: {shown}"
            );
            for secret in secrets {
                assert!(
                    !shown.contains(secret),
                    "{command:?} shows `{secret}`: {shown}"
                );
            }
        }
    }
}

#[test]
fn ipv6_loopback_smtp_with_or_without_brackets() {
    if TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: no IPv6 loopback on this machine");
        return;
    }
    let server = SmtpServer::start_on("::1", &[]);
    for host in ["::1", "[::1]"] {
        let config = smtp_config(server.port).replacen(
            "host = \"127.0.0.1\"",
            &format!("host = \"{host}\""),
            1,
        );
        let site = Site::new(&config);
        let out = site.tick_ok(DUE);
        assert!(out.starts_with("sent the reminder"), "{host}: {out}");
        let r = site.run(DUE, &["check", "--connect"]);
        assert_eq!(r.status, 0, "{host}: {}", r.stderr);
        assert!(
            r.stdout
                .contains(&format!("transport: smtp [::1]:{} (no TLS", server.port)),
            "{host}: {}",
            r.stdout
        );
    }
    assert_eq!(server.wait_for(2).len(), 2);
}
