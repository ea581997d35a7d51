//! Issue #9 items 3, 4, 8 and 10 through the binary: state files that cannot be turned
//! against their owner (no symlink followed, private modes whatever the umask), bounded
//! reads (a cap named in the error, no wait on a FIFO), bounded template rendering,
//! `--count 0`, and a topic deadline at or before the reminder.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::http::{FeedServer, Mode};
use crate::test::*;

/// The instant the handover of the example's 2026-11-26 summit is due and sent.
const HANDOVER_NOW: &str = "2026-11-26T20:30:00Z";

/// The example configuration, copied into `t` as `summit.toml` with `edit` applied, and
/// the example feed as `feed.ics`.
fn site(edit: impl Fn(String) -> String) -> Test {
    let config = std::fs::read_to_string(example_config()).unwrap();
    Test::new()
        .file("summit.toml", edit(config))
        .file("feed.ics", std::fs::read(example_feed()).unwrap())
        .args(["--config", "summit.toml", "--feed", "feed.ics"])
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// Runs `summit ARGS` in `dir` through `sh -c 'umask U; exec summit …'`, killed after
/// `limit`; returns the run, or panics naming the timeout.
fn run_timed(dir: &Path, args: &[&str], umask: &str, limit: Duration) -> Run {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let inner = std_command(dir, &args, &[]);
    let mut script = format!("umask {umask}; exec");
    for a in std::iter::once(inner.get_program()).chain(inner.get_args()) {
        script.push_str(" '");
        script.push_str(&a.to_string_lossy().replace('\'', "'\\''"));
        script.push('\'');
    }
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(script).current_dir(dir);
    cmd.env_clear();
    for (k, v) in inner.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("summit {args:?} still ran after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// ---- state files ----

#[test]
fn a_symlinked_lock_is_refused_and_its_target_untouched() {
    let t = site(|c| c).file("precious.txt", "keep me\n");
    private_dir(&t.path("state"));
    std::os::unix::fs::symlink(t.path("precious.txt"), t.path("state/lock")).unwrap();
    let t = t.args(["--state-dir", "state", "--now", HANDOVER_NOW, "tick"]);
    let r = t.fails(1);
    assert!(
        r.stderr
            .contains("`lock` is a symbolic link, expected a regular file"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.path("precious.txt")).unwrap(),
        "keep me\n"
    );
    assert!(!t.path("outbox").exists(), "nothing sent");
}

#[test]
fn a_symlinked_ledger_is_refused() {
    let t = site(|c| c).file("elsewhere.toml", "version = 1\n");
    private_dir(&t.path("state"));
    std::os::unix::fs::symlink(t.path("elsewhere.toml"), t.path("state/ledger.toml")).unwrap();
    let t = t.args(["--state-dir", "state", "--now", HANDOVER_NOW, "tick"]);
    let r = t.fails(1);
    assert!(
        r.stderr
            .contains("`ledger.toml` is a symbolic link, expected a send ledger"),
        "{}",
        r.stderr
    );
}

#[test]
fn state_files_are_private_whatever_the_umask() {
    let feed = FeedServer::start(Mode::Serve {
        body: std::fs::read(example_feed()).unwrap(),
        etag: "\"v1\"".into(),
    });
    let t = site(|c| {
        c.replacen(
            "feed = \"https://calendar.google.com/calendar/ical/prometheus.io_bdf9qgm081nrd0fe32g3olsld0%40group.calendar.google.com/public/basic.ics\"",
            &format!("feed = \"{}\"", feed.url()),
            1,
        )
    });
    let r = run_timed(
        t.dir.path(),
        &[
            "--config",
            "summit.toml",
            "--state-dir",
            "state",
            "--now",
            HANDOVER_NOW,
            "tick",
        ],
        "000",
        Duration::from_secs(60),
    );
    assert_eq!(r.status, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(mode(&t.path("state")), 0o700);
    let names: Vec<String> = std::fs::read_dir(t.path("state"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.ends_with(".ics")), "{names:?}");
    assert!(names.iter().any(|n| n == "ledger.toml"), "{names:?}");
    assert!(names.iter().any(|n| n == "lock"), "{names:?}");
    for name in &names {
        assert_eq!(mode(&t.path(&format!("state/{name}"))), 0o600, "{name}");
    }
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn a_shared_state_directory_is_warned_about() {
    let t = site(|c| c);
    std::fs::create_dir(t.path("state")).unwrap();
    std::fs::set_permissions(t.path("state"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let t = t.args(["--state-dir", "state", "--now", HANDOVER_NOW, "tick"]);
    let r = t.run();
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: state directory `state` has mode 0755, expected 0700"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_file_where_the_state_directory_goes_is_named() {
    let t = site(|c| c).file("state", "");
    let t = t.args(["--state-dir", "state", "--now", HANDOVER_NOW, "tick"]);
    let r = t.fails(1);
    assert!(
        r.stderr.contains(
            "`state` exists and is a regular file, not a directory, expected a directory"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn leftover_temp_files_of_a_killed_run_are_removed() {
    let t = site(|c| c).file("state/.summit-4194304-1f-0.tmp", "half a ledger");
    let t = t.args(["--state-dir", "state", "--now", HANDOVER_NOW, "tick"]);
    t.success();
    assert!(!t.path("state/.summit-4194304-1f-0.tmp").exists());
}

#[test]
fn the_record_keeps_its_comments_and_mode_after_a_handover() {
    let record = "# Who facilitated, kept by hand.\n\n[[summit]]\ndate = \"2026-10-29\"   # October\nfacilitator = \"ada@example.org\"\n";
    let t = site(|c| c).file("facilitators.toml", record);
    std::fs::set_permissions(
        t.path("facilitators.toml"),
        std::fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    let t = t.args(["--state-dir", "state", "--now", HANDOVER_NOW, "tick"]);
    let r = t.success();
    assert!(r.stdout.contains("sent the handover"), "{}", r.stdout);
    let after = std::fs::read_to_string(t.path("facilitators.toml")).unwrap();
    assert!(after.starts_with(record), "{after}");
    assert_eq!(after.matches("[[summit]]").count(), 3, "{after}");
    assert_eq!(mode(&t.path("facilitators.toml")), 0o640);
}

// ---- bounded reads ----

#[test]
fn a_fifo_as_config_or_agenda_is_refused_without_waiting() {
    let t = site(|c| c);
    mkfifo(&t.path("fifo.toml"));
    mkfifo(&t.path("agenda.csv"));
    let r = run_timed(
        t.dir.path(),
        &["--config", "fifo.toml", "--feed", "feed.ics", "next"],
        "022",
        Duration::from_secs(30),
    );
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "`fifo.toml` is a FIFO, expected a configuration file (a regular file of at most 4 MiB)"
        ),
        "{}",
        r.stderr
    );
    let r = run_timed(
        t.dir.path(),
        &[
            "--config",
            "summit.toml",
            "--feed",
            "feed.ics",
            "--agenda",
            "agenda.csv",
            "--now",
            "2026-11-25T16:00:00Z",
            "draft",
            "outreach",
        ],
        "022",
        Duration::from_secs(30),
    );
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`agenda.csv` is a FIFO, expected an agenda file"),
        "{}",
        r.stderr
    );
}

#[test]
fn dev_zero_as_config_or_agenda_names_the_cap() {
    let r = Test::new().args(["--config", "/dev/zero", "next"]).fails(2);
    assert!(
        r.stderr.contains(
            "`zero` is a character device, expected a configuration file (a regular file of at most 4 MiB)"
        ),
        "{}",
        r.stderr
    );
    let r = site(|c| c)
        .args([
            "--agenda",
            "/dev/zero",
            "--now",
            "2026-11-25T16:00:00Z",
            "draft",
            "outreach",
        ])
        .fails(1);
    assert!(
        r.stderr
            .contains("`zero` is a character device, expected an agenda file (a regular file of at most 4 MiB)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_config_past_the_cap_is_refused_naming_it() {
    let big = format!("# {}\n", "x".repeat(5 * 1024 * 1024));
    let r = Test::new()
        .file("summit.toml", big)
        .args(["--config", "summit.toml", "next"])
        .fails(2);
    assert!(
        r.stderr
            .contains("`summit.toml` is larger than 4 MiB, expected a configuration file"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_template_that_doubles_a_string_fails_in_bounded_memory() {
    for body in [
        "{% set ns = namespace(s=\"x\") %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s }}{% endif %}{% endmacro %}{{ d(\"x\", 64) }}",
        "{% for i in range(20000) %}{{ \"x\" * 1000 }}{% endfor %}",
    ] {
        let t = site(|c| c.replace("# templates = \"templates\"", "templates = \"overrides\""))
            .file("overrides/reminder.txt", format!("Subject: x\n\n{body}\n"));
        let r = run_timed(
            t.dir.path(),
            &[
                "--config",
                "summit.toml",
                "--feed",
                "feed.ics",
                "--now",
                "2026-11-23T16:00:00Z",
                "draft",
                "reminder",
            ],
            "022",
            Duration::from_secs(60),
        );
        assert_eq!(r.status, 2, "{body}: {}", r.stderr);
        assert!(
            r.stderr.starts_with("error: template `reminder.txt`"),
            "{body}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
    // The children's peak memory: each one above ended well under the target.
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        assert_eq!(
            libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()),
            0
        );
        usage.assume_init()
    };
    assert!(
        usage.ru_maxrss < 1024 * 1024,
        "a child of the tests peaked at {} KiB",
        usage.ru_maxrss
    );
}

// ---- counts and the timeline ----

#[test]
fn count_zero_is_refused_by_every_command() {
    for command in ["next", "who", "rota", "events"] {
        let r = Test::new()
            .example()
            .args([command, "--count", "0"])
            .fails(2);
        assert!(
            r.stderr.contains("--count")
                && r.stderr
                    .contains("`0` is not a count, expected a whole number from 1"),
            "{command}: {}",
            r.stderr
        );
    }
}

#[test]
fn a_huge_count_is_lowered_with_a_warning() {
    let r = Test::new()
        .example()
        .now("2026-11-20T00:00:00Z")
        .args([
            "events",
            "--count",
            "99999999999999999999999999",
            "--to",
            "2027-01-01T00:00:00Z",
        ])
        .success();
    assert!(
        r.stderr.contains(
            "warning: `--count 99999999999999999999999999` is more than 100000, using 100000"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_topic_deadline_at_or_before_the_reminder_is_a_configuration_error() {
    let r = site(|c| c.replacen("topic-deadline = \"24h\"", "topic-deadline = \"3d\"", 1))
        .arg("next")
        .fails(2);
    assert!(
        r.stderr
            .contains("timeline.topic-deadline `3d` is not shorter than timeline.reminder `3d`"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_file_where_the_drafts_go_is_named() {
    let r = site(|c| c)
        .file("drafts", "")
        .args([
            "--now",
            "2026-11-23T16:00:00Z",
            "draft",
            "reminder",
            "--out",
            "drafts/new",
        ])
        .fails(1);
    assert!(
        r.stderr.contains(
            "`drafts` exists and is a regular file, not a directory, expected a directory"
        ),
        "{}",
        r.stderr
    );
}
