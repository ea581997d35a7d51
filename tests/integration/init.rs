//! `summit init`: a first configuration from a feed, through the real binary, without a
//! terminal (so with flags only): the series listing, a written file that `summit check`
//! passes, the refusal to overwrite, and the errors for a bad `--summit`, missing flags
//! and a bad `--member`.

use std::path::Path;

use pretty_assertions::assert_eq;

use crate::test::*;

const NOW: &str = "2026-11-30T12:00:00Z";

/// The flags a non-interactive init needs, on the shipped sample feed.
fn init() -> Test {
    let feed = example_feed();
    Test::new().now(NOW).args([
        "--feed",
        feed.to_str().unwrap(),
        "init",
        "--public-list",
        "prometheus-developers@example.org",
        "--team-list",
        "prometheus-team@example.org",
        "--member",
        "Ada Lovelace <ada@example.org>",
        "--member",
        "Grace Hopper <grace@example.org>",
    ])
}

/// `summit ARGS` in `dir` (a second command in the folder of a [`Test`]).
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(ToString::to_string).collect();
    let out = command(dir, &args, &[]).output().expect("run summit");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn init_lists_the_series_and_writes_a_config_that_check_passes() {
    let t = init().args(["--summit", "(?i)developer summit"]);
    let r = t.success();
    assert!(
        r.stdout.contains(
            "Prometheus Developer Summit (monthly on the last Thursday; next 2026-12-17; 11 in the next year)"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("Prometheus Contributor Office Hours (weekly on Wednesday; next 2026-12-02"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("wrote `summit.toml`"), "{}", r.stdout);
    assert!(r.stdout.contains("  1. summit check "), "{}", r.stdout);

    let text = std::fs::read_to_string(t.path("summit.toml")).unwrap();
    let config: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(config["project"]["name"].as_str(), Some("Prometheus"));
    assert_eq!(
        config["calendar"]["summit"].as_str(),
        Some("(?i)developer summit")
    );
    assert_eq!(
        config["calendar"]["default-tz"].as_str(),
        Some("Europe/Berlin")
    );
    assert_eq!(config["mail"]["transport"].as_str(), Some("file"));
    assert_eq!(
        config["mail"]["from"].as_str(),
        Some("Ada Lovelace <ada@example.org>")
    );
    assert_eq!(config["rotation"]["members"].as_array().unwrap().len(), 2);
    assert!(text.contains("# [mail.smtp]"), "{text}");

    let check = run_in(
        t.dir.path(),
        &[
            "--now",
            NOW,
            "--state-dir",
            "state",
            "--config",
            "summit.toml",
            "check",
        ],
    );
    assert_eq!(check.status, 0, "{}\n{}", check.stdout, check.stderr);
    let next = run_in(
        t.dir.path(),
        &["--now", NOW, "--config", "summit.toml", "who", "--json"],
    );
    assert_eq!(next.status, 0, "{}", next.stderr);
    assert!(next.stdout.contains("ada@example.org"), "{}", next.stdout);
}

#[test]
fn init_writes_a_relative_feed_usable_from_another_folder_and_json() {
    let t = Test::new()
        .file("feed.ics", std::fs::read(example_feed()).unwrap())
        .now(NOW)
        .args([
            "--json",
            "--feed",
            "feed.ics",
            "init",
            "--summit",
            "Prometheus Developer Summit",
            "--out",
            "conf/summit.toml",
            "--public-list",
            "a@example.org",
            "--public-list",
            "b@example.org",
            "--team-list",
            "team@example.org",
            "--member",
            "Ada Lovelace <ada@example.org>",
            "--from",
            "Summit Bot <bot@example.org>",
            "--project",
            "Prom",
        ]);
    let json = t.success().json();
    assert_eq!(json["path"], "conf/summit.toml");
    assert_eq!(json["summit"], "Prometheus Developer Summit");
    assert_eq!(json["series"][1]["cadence"], "monthly on the last Thursday");
    let text = std::fs::read_to_string(t.path("conf/summit.toml")).unwrap();
    let config: toml::Table = toml::from_str(&text).unwrap();
    assert_eq!(config["project"]["name"].as_str(), Some("Prom"));
    assert_eq!(config["mail"]["public-list"].as_array().unwrap().len(), 2);
    assert_eq!(
        config["mail"]["from"].as_str(),
        Some("Summit Bot <bot@example.org>")
    );
    let check = run_in(
        t.dir.path(),
        &[
            "--now",
            NOW,
            "--state-dir",
            "state",
            "--config",
            "conf/summit.toml",
            "check",
        ],
    );
    assert_eq!(check.status, 0, "{}\n{}", check.stdout, check.stderr);
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let t = init()
        .args(["--summit", "(?i)developer summit"])
        .file("summit.toml", "# mine\n");
    let r = t.fails(2);
    assert!(
        r.stderr.contains("`summit.toml` already exists"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(t.path("summit.toml")).unwrap(),
        "# mine\n"
    );

    let t = t.arg("--force");
    t.success();
    let text = std::fs::read_to_string(t.path("summit.toml")).unwrap();
    assert!(text.contains("[[rotation.members]]"), "{text}");
}

#[test]
fn init_refuses_a_summit_that_is_no_regex_or_matches_nothing() {
    let t = init().args(["--summit", "summit ("]);
    let r = t.fails(2);
    assert!(
        r.stderr.contains("--summit `summit (` is not a regex"),
        "{}",
        r.stderr
    );
    assert!(!t.path("summit.toml").exists());

    let t = init().args(["--summit", "(?i)community barbecue"]);
    let r = t.fails(2);
    assert!(
        r.stderr.contains("matches no upcoming event"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("`Prometheus Contributor Office Hours`, `Prometheus Developer Summit`"),
        "{}",
        r.stderr
    );
    assert!(!t.path("summit.toml").exists());

    // A summit that is only ever cancelled has no upcoming occurrence.
    let r = init().args(["--summit", "^CANCELLED"]).fails(2);
    assert!(
        r.stderr.contains("matches no upcoming event"),
        "{}",
        r.stderr
    );
}

#[test]
fn init_without_a_terminal_names_each_missing_flag() {
    let feed = example_feed();
    let t = Test::new()
        .now(NOW)
        .args(["--feed", feed.to_str().unwrap(), "init"]);
    let r = t.fails(2);
    for flag in [
        "--summit REGEX",
        "--public-list ADDR",
        "--team-list ADDR",
        "--member",
    ] {
        assert!(
            r.stderr.contains(&format!("missing `{flag}")),
            "{flag}: {}",
            r.stderr
        );
    }
    assert!(
        r.stderr.contains("`Prometheus Developer Summit`"),
        "{}",
        r.stderr
    );
    assert!(!t.path("summit.toml").exists());

    let r = init().fails(2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("missing `--summit REGEX`"),
        "{}",
        r.stderr
    );

    let r = Test::new().args(["init", "--summit", "x"]).fails(2);
    assert!(r.stderr.contains("no feed: pass `--feed"), "{}", r.stderr);
    let r = Test::new().args(["--feed", "-", "init"]).fails(2);
    assert!(r.stderr.contains("feed `-`"), "{}", r.stderr);
}

#[test]
fn init_refuses_a_member_or_list_that_does_not_parse() {
    for (flag, value, expected) in [
        ("--member", "ada@example.org", "is not `Name <email>`"),
        (
            "--member",
            "Ada Lovelace <not an address>",
            "is not `Name <email>`",
        ),
        ("--member", "<ada@example.org>", "is not `Name <email>`"),
        ("--public-list", "developers", "is not an e-mail address"),
        ("--from", "Bot <bot@>", "is not a mailbox"),
    ] {
        let t = init().args(["--summit", "(?i)developer summit", flag, value]);
        let r = t.fails(2);
        assert!(
            r.stderr.contains(&format!("`{value}` {expected}")),
            "{flag} {value}: {}",
            r.stderr
        );
        assert!(!t.path("summit.toml").exists());
    }
}
