//! The newcomer's path (issue #13): where the configuration is found without
//! `--config`, the state directory of each configuration, and the rehearsal a `tick`
//! or `send` at a `--now` far from the clock is.

use crate::test::*;

/// The example configuration, its relative paths (outbox, record) in the test's folder.
fn example() -> String {
    std::fs::read_to_string(example_config()).unwrap()
}

fn feed() -> String {
    example_feed().to_str().unwrap().to_string()
}

/// Two hours after the November summit ends: its handover is due.
const HANDOVER: &str = "2026-11-26T20:00:00Z";

/// A configuration that fails to load, so the error names the file that was read.
const BROKEN: &str = "[calendar]\nsummit = 1\n";

#[test]
fn the_flag_beats_the_variable_beats_the_current_dir_beats_the_user_config() {
    let t = Test::new()
        .file("flag.toml", BROKEN)
        .file("env.toml", BROKEN)
        .file("summit.toml", BROKEN)
        .file(".xdg-config/summit/summit.toml", BROKEN)
        .file("home/.config/summit/summit.toml", BROKEN);
    let who = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = command(
            t.dir.path(),
            &args.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            &env.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>(),
        );
        let out = cmd.arg("who").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    let env = [("SUMMIT_CONFIG", "env.toml")];
    assert!(who(&["--config", "flag.toml"], &env).starts_with("error: flag.toml:"));
    assert!(who(&[], &env).starts_with("error: env.toml:"));
    assert!(who(&[], &[]).starts_with("error: summit.toml:"));
    std::fs::remove_file(t.path("summit.toml")).unwrap();
    let xdg = t.path(".xdg-config/summit/summit.toml");
    let e = who(&[], &[]);
    assert!(e.starts_with(&format!("error: {}:", xdg.display())), "{e}");
    // Without XDG_CONFIG_HOME: ~/.config.
    let home = t.path("home");
    let e = who(
        &[],
        &[("XDG_CONFIG_HOME", ""), ("HOME", home.to_str().unwrap())],
    );
    let in_home = home.join(".config/summit/summit.toml");
    assert!(
        e.starts_with(&format!("error: {}:", in_home.display())),
        "{e}"
    );
}

#[test]
fn without_a_configuration_the_error_lists_the_places_looked() {
    let t = Test::new().args(["who"]);
    let r = t.fails(2);
    let dir = t.dir.path().canonicalize().unwrap();
    let places = [
        "`--config PATH` (not given)".to_string(),
        "SUMMIT_CONFIG (not set)".into(),
        format!("`{}`", dir.join("summit.toml").display()),
        format!("`{}`", t.path(".xdg-config/summit/summit.toml").display()),
        "summit init".into(),
    ];
    let mut at = 0;
    for p in &places {
        let found = r.stderr[at..].find(p.as_str());
        assert!(found.is_some(), "{p} (in order) in {}", r.stderr);
        at += found.unwrap();
    }
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(!r.stderr.contains("examples/summit.toml"), "{}", r.stderr);
    // A command that needs only a feed still works without one.
    Test::new()
        .args([
            "--feed",
            &feed(),
            "events",
            "--from",
            "2026-11-01T00:00:00Z",
        ])
        .args(["--count", "1", "--json"])
        .success();
}

/// The `state` check's detail for the configuration `summit.toml` in `folder`.
fn state_line(t: &Test, folder: &str) -> String {
    let mut cmd = command(
        &t.path(folder),
        &["--feed", &feed(), "--now", HANDOVER, "check", "--json"].map(String::from),
        &[],
    );
    // The state home of the test, not of the folder.
    cmd.env("XDG_STATE_HOME", t.path(".xdg-state"));
    let out = cmd.output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let state = json
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "state");
    state.unwrap()["detail"].as_str().unwrap().to_string()
}

#[test]
fn each_configuration_has_its_own_default_state_directory() {
    let t = Test::new()
        .file("prometheus/summit.toml", example())
        .file("thanos/summit.toml", example());
    let root = t.path(".xdg-state/summit");
    let a = state_line(&t, "prometheus");
    let b = state_line(&t, "thanos");
    let own = "(the default for this configuration): created, writable";
    for (line, name) in [(&a, "prometheus-"), (&b, "thanos-")] {
        let prefix = format!("{}/{name}", root.display());
        assert!(line.starts_with(&prefix), "{line}");
        assert!(line.contains(own), "{line}");
    }
    assert_ne!(a.split(' ').next(), b.split(' ').next());
    // The same configuration finds the same directory again.
    assert!(state_line(&t, "prometheus").starts_with(a.split(' ').next().unwrap()));
}

#[test]
fn the_shared_default_of_earlier_versions_is_kept_while_it_holds_a_ledger() {
    let t = Test::new().file("site/summit.toml", example());
    private_dir(&t.path(".xdg-state/summit"));
    std::fs::write(t.path(".xdg-state/summit/ledger.toml"), "").unwrap();
    let line = state_line(&t, "site");
    let root = t.path(".xdg-state/summit");
    assert!(
        line.starts_with(&format!(
            "{} (the shared default of earlier versions",
            root.display()
        )),
        "{line}"
    );
    assert!(
        line.contains(&format!("`{}/site-", root.display())),
        "{line}"
    );
}

/// A folder with the example configuration as `summit.toml`, ticking at the handover.
fn site() -> Test {
    Test::new()
        .file("summit.toml", example())
        .args(["--feed", &feed(), "--now", HANDOVER])
}

#[test]
fn a_rehearsal_writes_the_ledger_it_is_given_but_not_the_record() {
    let r = site().env("SUMMIT_CLOCK", "2027-03-01T12:00:00Z").args([
        "--state-dir",
        "rehearsal",
        "tick",
    ]);
    let out = r.success();
    assert!(out.stdout.contains("sent the handover"), "{}", out.stdout);
    let notes: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("note:"))
        .collect();
    assert_eq!(
        notes,
        [
            "note: rehearsal at 2026-11-26T20:00:00Z (--now is 2272 h before the clock): the ledger in `rehearsal` is written, the facilitation record is not"
        ]
    );
    let ledger = std::fs::read_to_string(r.path("rehearsal/ledger.toml")).unwrap();
    assert!(ledger.contains("step = \"handover\""), "{ledger}");
    assert!(
        !r.path("facilitators.toml").exists(),
        "the record is left alone"
    );
    assert!(
        !r.path(".xdg-state").exists(),
        "the default state directory too"
    );
    // SUMMIT_STATE_DIR names it as well as the flag.
    let r = site()
        .env("SUMMIT_CLOCK", "2027-03-01T12:00:00Z")
        .env("SUMMIT_STATE_DIR", "rehearsal")
        .arg("tick");
    r.success();
    assert!(!r.path("facilitators.toml").exists());
}

#[test]
fn a_rehearsal_without_a_state_directory_is_refused() {
    for step in [&["tick"][..], &["send", "handover", "--yes"]] {
        let t = site()
            .env("SUMMIT_CLOCK", "2027-03-01T12:00:00Z")
            .args(step);
        let r = t.fails(2);
        assert!(
            r.stderr.contains("`--now 2026-11-26T20:00:00Z` is 2272 h before the clock (2027-03-01T12:00:00Z): a rehearsal")
                && r.stderr.contains("expected `--state-dir PATH` (or SUMMIT_STATE_DIR), `--dry-run`"),
            "{}",
            r.stderr
        );
        for written in [".xdg-state", "outbox", "facilitators.toml"] {
            assert!(!t.path(written).exists(), "{written} written");
        }
    }
    // The real clock (no SUMMIT_CLOCK) is far from this --now too; --dry-run is no
    // rehearsal.
    site().env("SUMMIT_CLOCK", "").arg("tick").fails(2);
    let r = site()
        .env("SUMMIT_CLOCK", "")
        .args(["tick", "--dry-run"])
        .success();
    assert!(!r.stderr.contains("rehearsal"), "{}", r.stderr);
}

#[test]
fn a_tick_within_the_hour_of_the_clock_is_live() {
    let t = site()
        .env("SUMMIT_CLOCK", "2026-11-26T20:59:00Z")
        .arg("tick");
    let r = t.success();
    assert!(!r.stderr.contains("rehearsal"), "{}", r.stderr);
    assert!(r.stdout.contains("sent the handover"), "{}", r.stdout);
    let record = std::fs::read_to_string(t.path("facilitators.toml")).unwrap();
    assert!(record.contains("decided = \"held\""), "{record}");
    // In the configuration's own default state directory.
    let state = std::fs::read_dir(t.path(".xdg-state/summit")).unwrap();
    let names: Vec<String> = state
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(
        t.path(".xdg-state/summit")
            .join(&names[0])
            .join("ledger.toml")
            .exists()
    );
    // With the real clock, a --now of the real clock is live.
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let r = Test::new()
        .file("summit.toml", example())
        .env("SUMMIT_CLOCK", "")
        .args(["--feed", &feed(), "--now", &now, "tick"])
        .run();
    assert!(!r.stderr.contains("rehearsal"), "{}", r.stderr);
}
