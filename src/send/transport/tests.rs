//! Tests of the transports: TLS modes, the password, deadlines, outbox names.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::*;
use crate::config::{Security, Smtp};

fn smtp(security: Security, host: &str) -> Smtp {
    Smtp {
        host: host.into(),
        port: 2525,
        security,
        username: None,
        password_env: None,
        password_command: None,
        password_command_timeout: crate::config::DEFAULT_PASSWORD_COMMAND_TIMEOUT,
        timeout: crate::config::DEFAULT_SMTP_TIMEOUT,
    }
}

#[test]
fn tls_modes_follow_security() {
    let t = SmtpTransport::new(&smtp(Security::Tls, "smtp.example.org"), None).unwrap();
    assert!(matches!(t.tls(), Tls::Wrapper(p) if p.domain() == "smtp.example.org"));
    let t = SmtpTransport::new(&smtp(Security::Starttls, "smtp.example.org"), None).unwrap();
    assert!(matches!(t.tls(), Tls::Starttls(p) if p.domain() == "smtp.example.org"));
    let t = SmtpTransport::new(&smtp(Security::None, "127.0.0.1"), None).unwrap();
    assert!(matches!(t.tls(), Tls::None));
    let t = SmtpTransport::new(&smtp(Security::None, "localhost"), None).unwrap();
    assert!(matches!(t.tls(), Tls::None));
    let e = SmtpTransport::new(&smtp(Security::None, "smtp.example.org"), None).unwrap_err();
    assert!(e.to_string().contains("loopback"), "{e}");
}

#[test]
fn credentials_need_a_username_and_are_never_shown() {
    let mut s = smtp(Security::Tls, "smtp.example.org");
    s.username = Some("bot".into());
    let t = SmtpTransport::new(&s, Some("hunter2-secret".into())).unwrap();
    assert!(t.authenticates());
    assert!(!format!("{t:?}").contains("hunter2"), "{t:?}");
    s.username = None;
    let t = SmtpTransport::new(&s, Some("x".into())).unwrap();
    assert!(!t.authenticates());
}

#[test]
fn password_from_env_or_command() {
    let mut s = smtp(Security::Tls, "smtp.example.org");
    assert_eq!(password(&s).unwrap(), None, "no username, no password");
    s.username = Some("bot".into());
    s.password_command = Some("printf 's3cret\\n'".into());
    assert_eq!(password(&s).unwrap().as_deref(), Some("s3cret"));
    s.password_command = Some("echo oops >&2; exit 3".into());
    let e = password(&s).unwrap_err().to_string();
    assert!(
        e.contains("password-command") && e.contains("failed"),
        "{e}"
    );
    s.password_command = Some("true".into());
    let e = password(&s).unwrap_err().to_string();
    assert!(e.contains("printed nothing"), "{e}");
    s.password_command = None;
    s.password_env = Some("SUMMIT_TEST_SURELY_UNSET_PASSWORD_VAR".into());
    let e = password(&s).unwrap_err();
    assert!(
        e.to_string()
            .contains("`SUMMIT_TEST_SURELY_UNSET_PASSWORD_VAR` is not set"),
        "{e}"
    );
    assert_eq!(e.exit_code(), 1);
    // The variable's value is read from the environment (PATH is always set).
    s.password_env = Some("PATH".into());
    assert_eq!(password(&s).unwrap(), std::env::var("PATH").ok());
}

/// Whether process `pid` is gone (or a zombie about to be reaped), waiting up to 5 s.
fn gone(pid: i32) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"));
        // SAFETY: signal 0 only checks that the process exists.
        let exists = unsafe { libc::kill(pid, 0) } == 0;
        if !exists || stat.is_ok_and(|s| s.contains(") Z ")) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn a_password_command_past_its_deadline_is_killed_with_its_group() {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pid");
    let mut s = smtp(Security::Tls, "smtp.example.org");
    s.username = Some("bot".into());
    s.password_command_timeout = Duration::from_secs(1);
    // Hung in a child of the shell; then gone with the shell, holding its output.
    for cmd in [
        format!("sleep 100000 & echo $! > {}; wait", pids.display()),
        format!("sleep 100000 & echo $! > {}; printf pw", pids.display()),
    ] {
        s.password_command = Some(cmd.clone());
        let started = Instant::now();
        let e = password_quietly(&s).unwrap_err();
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_secs(4),
            "{cmd}: {took:?}"
        );
        assert!(e.to_string().contains("timed out after 1 s"), "{e}");
        assert_eq!(e.exit_code(), 1);
        let pid: i32 = std::fs::read_to_string(&pids)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(gone(pid), "{cmd}: the sleep {pid} still runs");
    }
    // Within the deadline, it is read as before.
    s.password_command = Some("sleep 0.1; printf 'pw\\n'".into());
    assert_eq!(password(&s).unwrap().as_deref(), Some("pw"));
}

#[test]
fn sendmail_is_stopped_at_its_deadline() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let program = dir.path().join("sendmail");
    let pids = dir.path().join("pid");
    let message = Message::builder()
        .from("a@example.org".parse().unwrap())
        .to("b@example.org".parse().unwrap())
        .subject("x")
        .body(String::from("x"))
        .unwrap();
    let run = |script: String| {
        std::fs::write(&program, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut t = Sendmail::new(program.display().to_string(), Duration::from_secs(1));
        let started = Instant::now();
        let outcome = t.deliver(&message);
        assert!(started.elapsed() < Duration::from_secs(4));
        outcome
    };
    let hang = format!(
        "cat > /dev/null; sleep 100000 & echo $! > {}; wait",
        pids.display()
    );
    assert_eq!(
        run(hang),
        Outcome::Unknown("sendmail timed out after 1 s and was stopped".into())
    );
    let pid: i32 = std::fs::read_to_string(&pids)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(gone(pid), "the sleep {pid} still runs");
    assert_eq!(
        run("cat > /dev/null; echo 'queue full' >&2; exit 75".into()),
        Outcome::NotSent {
            reason: "sendmail failed (exit status: 75): queue full".into(),
            fatal: false
        }
    );
    assert_eq!(run("cat > /dev/null".into()), Outcome::Sent);
}

#[test]
fn ipv6_hosts_with_or_without_brackets() {
    for host in ["::1", "[::1]"] {
        let t = SmtpTransport::new(&smtp(Security::None, host), None).unwrap();
        assert!(matches!(t.tls(), Tls::None));
        assert_eq!(t.address(), "[::1]:2525");
    }
    let t = SmtpTransport::new(&smtp(Security::Tls, "[2001:db8::1]"), None).unwrap();
    assert_eq!(t.address(), "[2001:db8::1]:2525");
}

#[test]
fn a_conversation_is_abandoned_at_its_deadline() {
    // A server that greets one byte a second, forever.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                use std::io::Write as _;
                while stream.write_all(b"2").is_ok() {
                    std::thread::sleep(Duration::from_millis(500));
                }
            });
        }
    });
    let mut s = smtp(Security::None, "127.0.0.1");
    s.port = port;
    s.timeout = Duration::from_secs(1);
    let mut t = SmtpTransport::new(&s, None).unwrap();
    let message = Message::builder()
        .from("a@example.org".parse().unwrap())
        .to("b@example.org".parse().unwrap())
        .subject("x")
        .body(String::from("x"))
        .unwrap();
    let started = Instant::now();
    let outcome = t.deliver(&message);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let want =
        format!("timed out after 1 s talking to 127.0.0.1:{port}, before the message was sent");
    assert_eq!(
        outcome,
        Outcome::NotSent {
            reason: want,
            fatal: true
        }
    );
    let e = t.probe().unwrap_err();
    assert_eq!(
        e,
        format!("timed out after 1 s talking to 127.0.0.1:{port}")
    );
}

#[test]
fn outbox_names_are_stable() {
    let dir = Path::new("/out");
    assert_eq!(
        Outbox::path(dir, "0a1b2c.reminder.20261126@example.org"),
        PathBuf::from("/out/20261126-reminder-0a1b2c.eml")
    );
    assert_eq!(
        Outbox::path(dir, "weird/../id@x"),
        PathBuf::from("/out/-id--weird-.eml")
    );
    assert_eq!(Outbox::path(dir, "a/b@x"), PathBuf::from("/out/a-b.eml"));
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
    assert_eq!(
        super::find_program("fake-sendmail", Some(&path)).unwrap(),
        prog
    );
    let e = super::find_program("plain", Some(&path)).unwrap_err();
    assert!(
        e.contains("`plain` is not an executable file in any folder of PATH"),
        "{e}"
    );
    assert!(super::find_program("fake-sendmail", None).is_err());
    let by_path = prog.to_str().unwrap();
    assert_eq!(super::find_program(by_path, None).unwrap(), prog);
    let e = super::find_program(plain.to_str().unwrap(), Some(&path)).unwrap_err();
    assert!(e.contains("is not an executable file"), "{e}");
    let missing = bin.join("missing");
    let e = super::find_program(missing.to_str().unwrap(), Some(&path)).unwrap_err();
    assert!(e.contains("missing`: no such file"), "{e}");
}
