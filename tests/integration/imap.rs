//! `summit::agenda::imap::fetch` against a real Dovecot ([`crate::dovecot`]): decoding,
//! read-only fetching of text parts only, SINCE, refusals, TLS with the test CA, and the
//! deadline.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use summit::agenda::Letter;
use summit::agenda::imap::{Account, fetch};
use summit::config::ImapSecurity;

use crate::dovecot::{PASSWORD, dovecot};

const TIMEOUT: Duration = Duration::from_secs(20);

/// The account of `user`'s `mailbox` over plain IMAP to loopback.
fn account<'a>(user: &'a str, mailbox: &'a str) -> Account<'a> {
    let d = dovecot();
    Account {
        host: &d.host,
        port: d.port,
        security: ImapSecurity::None,
        mailbox,
        username: user,
        password: &d.password,
    }
}

fn read(user: &str, mailbox: &str, since: Option<DateTime<Utc>>) -> (Vec<Letter>, Vec<String>) {
    fetch(&account(user, mailbox), since, TIMEOUT)
        .unwrap_or_else(|e| panic!("fetch failed: {e}\n{}", dovecot().log()))
}

fn error(a: &Account, timeout: Duration) -> String {
    match fetch(a, None, timeout) {
        Ok(r) => panic!("expected an error, got {r:?}"),
        Err(e) => e.to_string(),
    }
}

const PROPOSAL: &str = "From: =?UTF-8?Q?Ad=C3=A1_Lovelace?= <ada@example.org>\r\n\
To: dev@example.org\r\n\
Subject: =?UTF-8?B?W2Rldi1zdW1taXRdIENhZsOpIHRvcGljOiBuYXRpdmUgaGlzdG9ncmFtcw==?=\r\n\
Message-ID: <p1@example.org>\r\n\
Date: Sun, 01 Mar 2026 09:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Let's talk about caf=E9 and native histograms, a long line that is soft=\r\n\
\x20broken.\r\n\
--outer\r\n\
Content-Type: text/plain; name=notes.txt\r\n\
Content-Disposition: attachment; filename=notes.txt\r\n\
\r\n\
ATTACHMENT-PAYLOAD-TEXT never to be fetched\r\n\
--outer\r\n\
Content-Type: application/pdf; name=slides.pdf\r\n\
Content-Disposition: attachment; filename=slides.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
QVRUQUNITUVOVC1QQVlMT0FELVBERiBuZXZlciB0byBiZSBmZXRjaGVk\r\n\
--outer--\r\n";

const REPLY: &str = "From: Bob <bob@example.org>\r\n\
Subject: Re: [dev-summit] topic\r\n\
Message-ID: <r1@example.org>\r\n\
In-Reply-To: <p1@example.org>\r\n\
References: <p1@example.org>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
+1\r\n\
> quoted\r\n";

const HTML_ONLY: &str = "From: carol@example.org\r\n\
Subject: summit topic: html only\r\n\
Content-Type: multipart/alternative; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/html; charset=utf-8\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
PHA+SGVsbG8gJmFtcDsgPGI+d2VsY29tZTwvYj48L3A+\r\n\
--b--\r\n";

#[test]
fn reads_headers_and_text_parts_only_and_leaves_messages_unseen() {
    let d = dovecot();
    let user = d.new_user();
    let box_ = "dev-list";
    let p = d.append(
        &user,
        box_,
        PROPOSAL.as_bytes(),
        "02-Mar-2026 10:15:00 +0100",
    );
    let r = d.append(&user, box_, REPLY.as_bytes(), "03-Mar-2026 08:00:00 +0000");
    let h = d.append(
        &user,
        box_,
        HTML_ONLY.as_bytes(),
        "04-Mar-2026 08:00:00 +0000",
    );
    let (letters, warnings) = read(&user, box_, None);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(letters.len(), 3, "{letters:#?}");

    let l = &letters[0];
    assert_eq!(l.origin, format!("UID {p}"));
    assert_eq!(l.subject, "[dev-summit] Café topic: native histograms");
    let from = l.from.as_ref().unwrap();
    assert_eq!(from.name.as_deref(), Some("Adá Lovelace"));
    assert_eq!(from.email.to_string(), "ada@example.org");
    // INTERNALDATE, not the Date header.
    assert_eq!(
        l.arrived,
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 15, 0).unwrap()
    );
    assert_eq!(l.message_id.as_deref(), Some("p1@example.org"));
    assert!(
        l.text.contains(
            "Let's talk about café and native histograms, a long line that is soft broken."
        ),
        "{:?}",
        l.text
    );
    assert!(!l.text.contains("ATTACHMENT"), "{:?}", l.text);

    let l = &letters[1];
    assert_eq!(l.origin, format!("UID {r}"));
    assert_eq!(l.in_reply_to, ["p1@example.org"]);
    assert_eq!(l.references, ["p1@example.org"]);
    assert!(l.text.lines().any(|x| x.trim() == "+1"), "{:?}", l.text);

    let l = &letters[2];
    assert_eq!(l.origin, format!("UID {h}"));
    assert!(l.text.contains("Hello & welcome"), "{:?}", l.text);
    assert!(!l.text.contains('<'), "{:?}", l.text);

    // The attachments' bytes never crossed the wire.
    let sent = String::from_utf8_lossy(&d.sent_to(&user)).to_string();
    assert!(sent.contains("BODYSTRUCTURE"), "no fetch recorded:\n{sent}");
    assert!(!sent.contains("ATTACHMENT-PAYLOAD-TEXT"), "{sent}");
    assert!(!sent.contains("QVRUQUNITUVOVC1QQVlMT0FE"), "{sent}");
    // Nothing was marked read.
    for (uid, flags) in d.flags(&user, box_) {
        assert!(
            !flags.iter().any(|f| f.contains("Seen")),
            "UID {uid}: {flags:?}"
        );
    }
}

#[test]
fn dovecot_starts_in_time() {
    let d = dovecot();
    eprintln!("dovecot started in {:?}", d.started_in);
    assert!(d.started_in < Duration::from_secs(30), "{:?}", d.started_in);
}

#[test]
fn since_keeps_the_day_before_and_later() {
    let d = dovecot();
    let box_ = d.fresh_mailbox("since");
    let msg =
        |n: u32| format!("From: a@example.org\r\nSubject: summit topic {n}\r\n\r\nbody {n}\r\n");
    d.append(
        &d.user,
        &box_,
        msg(1).as_bytes(),
        "01-Jan-2026 12:00:00 +0000",
    );
    d.append(
        &d.user,
        &box_,
        msg(2).as_bytes(),
        "14-Feb-2026 12:00:00 +0000",
    );
    d.append(
        &d.user,
        &box_,
        msg(3).as_bytes(),
        "01-Mar-2026 12:00:00 +0000",
    );
    let since = Utc.with_ymd_and_hms(2026, 2, 15, 6, 0, 0).unwrap();
    let (letters, _) = read(&d.user, &box_, Some(since));
    let subjects: Vec<&str> = letters.iter().map(|l| l.subject.as_str()).collect();
    assert_eq!(subjects, ["summit topic 2", "summit topic 3"]);
    let (all, _) = read(&d.user, &box_, None);
    assert_eq!(all.len(), 3);
    let (none, _) = read(&d.user, &d.fresh_mailbox("empty"), None);
    assert!(none.is_empty());
}

#[test]
fn oversized_headers_and_text_parts_are_left_out_with_a_warning() {
    let d = dovecot();
    let box_ = d.fresh_mailbox("big");
    let mut header = String::from("From: a@example.org\r\nSubject: summit topic huge header\r\n");
    while header.len() < 300 * 1024 {
        header.push_str(
            "X-Filler: 0123456789012345678901234567890123456789012345678901234567890123\r\n",
        );
    }
    let big_header = format!("{header}\r\nbody\r\n");
    let big_text = format!(
        "From: a@example.org\r\nSubject: summit topic huge text\r\n\r\n{}",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n".repeat(20_000)
    );
    let h = d.append(
        &d.user,
        &box_,
        big_header.as_bytes(),
        "01-Mar-2026 12:00:00 +0000",
    );
    let t = d.append(
        &d.user,
        &box_,
        big_text.as_bytes(),
        "02-Mar-2026 12:00:00 +0000",
    );
    let (letters, warnings) = read(&d.user, &box_, None);
    assert_eq!(
        warnings,
        [
            format!("UID {h}: the header is larger than 256 KiB; left out"),
            format!("UID {t}: text part 1 is 1269 KiB, more than 1024 KiB; left out"),
        ]
    );
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].subject, "summit topic huge text");
    assert_eq!(letters[0].text, "");
}

#[test]
fn a_wrong_password_names_the_user_never_the_password() {
    let d = dovecot();
    let wrong = "not-the-Passw0rd";
    let a = Account {
        password: wrong,
        ..account(&d.user, "INBOX")
    };
    let e = error(&a, TIMEOUT);
    assert!(e.contains("refused the login of `summit`"), "{e}");
    assert!(
        e.contains(&format!("imap://127.0.0.1:{}/INBOX", d.port)),
        "{e}"
    );
    assert!(!e.contains(wrong) && !e.contains(PASSWORD), "{e}");
}

#[test]
fn an_unknown_mailbox_is_named() {
    let d = dovecot();
    let e = error(&account(&d.user, "no-such-folder"), TIMEOUT);
    assert!(e.contains("no such mailbox `no-such-folder`"), "{e}");
}

#[test]
fn tls_is_checked_against_the_roots() {
    // The test CA is not among the system's roots: both TLS forms fail, naming TLS.
    let d = dovecot();
    for (security, port) in [
        (ImapSecurity::Tls, d.tls_port),
        (ImapSecurity::Starttls, d.port),
    ] {
        let a = Account {
            security,
            port,
            ..account(&d.user, "INBOX")
        };
        let e = error(&a, TIMEOUT);
        assert!(e.contains("tls failed with 127.0.0.1"), "{e}");
        assert!(e.to_lowercase().contains("certificate"), "{e}");
    }
}

#[test]
fn tls_and_starttls_with_the_test_ca() {
    // rustls-native-certs reads SSL_CERT_FILE once per process: the reads run in a
    // child test process with it set.
    let d = dovecot();
    let box_ = d.fresh_mailbox("tls");
    d.append(
        &d.user,
        &box_,
        b"From: a@example.org\r\nSubject: summit topic over tls\r\n\r\nhi\r\n",
        "01-Mar-2026 12:00:00 +0000",
    );
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["imap::tls_child", "--exact", "--ignored", "--nocapture"])
        .env("SSL_CERT_FILE", &d.ca)
        .env(
            "SUMMIT_TEST_IMAP",
            format!("{} {} {} {}", d.port, d.tls_port, d.user, box_),
        )
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[ignore = "run by tls_and_starttls_with_the_test_ca with SSL_CERT_FILE set"]
fn tls_child() {
    let params =
        std::env::var("SUMMIT_TEST_IMAP").expect("run by tls_and_starttls_with_the_test_ca");
    let p: Vec<&str> = params.split(' ').collect();
    let (port, tls_port): (u16, u16) = (p[0].parse().unwrap(), p[1].parse().unwrap());
    for (security, port, host) in [
        (ImapSecurity::Tls, tls_port, "127.0.0.1"),
        (ImapSecurity::Starttls, port, "localhost"),
    ] {
        let a = Account {
            host,
            port,
            security,
            mailbox: p[3],
            username: p[2],
            password: PASSWORD,
        };
        let (letters, _) = fetch(&a, None, TIMEOUT).unwrap_or_else(|e| panic!("{security:?}: {e}"));
        assert_eq!(letters.len(), 1);
        assert_eq!(letters[0].subject, "summit topic over tls");
    }
}

/// A loopback server that accepts connections and never answers; its port.
fn silent_server() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().take(8) {
            held.push(s);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    port
}

#[test]
fn a_silent_server_times_out_within_the_deadline() {
    let port = silent_server();
    for security in [
        ImapSecurity::None,
        ImapSecurity::Tls,
        ImapSecurity::Starttls,
    ] {
        let a = Account {
            host: "127.0.0.1",
            port,
            security,
            mailbox: "INBOX",
            username: "u",
            password: "p",
        };
        let began = Instant::now();
        let e = error(&a, Duration::from_secs(1));
        let took = began.elapsed();
        assert!(e.contains("timed out after 1 s"), "{e}");
        assert!(took < Duration::from_secs(2), "{security:?} took {took:?}");
    }
}

#[test]
fn starttls_is_required_when_asked_for() {
    // A server that offers no STARTTLS: `imap://` refuses to log in over plain text.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (s, _) = l.accept().unwrap();
        let mut w = s.try_clone().unwrap();
        w.write_all(b"* OK IMAP4rev1 ready\r\n").unwrap();
        let mut r = BufReader::new(s);
        let mut line = String::new();
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            let tag = line.split(' ').next().unwrap_or("*").to_string();
            if line.contains("LOGIN") {
                panic!("the client sent LOGIN in the clear: {line}");
            }
            let _ = w.write_all(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n");
            let _ = w.write_all(format!("{tag} OK done\r\n").as_bytes());
            line.clear();
        }
    });
    let a = Account {
        host: "127.0.0.1",
        port,
        security: ImapSecurity::Starttls,
        mailbox: "INBOX",
        username: "u",
        password: "p",
    };
    let e = error(&a, TIMEOUT);
    assert!(e.contains("does not offer STARTTLS"), "{e}");
}

#[test]
fn a_closed_port_cannot_connect() {
    let port = crate::smtp::free_port();
    let a = Account {
        host: "127.0.0.1",
        port,
        security: ImapSecurity::None,
        mailbox: "INBOX",
        username: "u",
        password: "p",
    };
    let e = error(&a, TIMEOUT);
    assert!(
        e.contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{e}"
    );
}
