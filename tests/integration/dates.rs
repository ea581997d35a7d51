//! People-friendly inputs (issue #13): `--now` and `--summit` take dates and words,
//! `who --me`, and `draft --out` writing what `send` would send.

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::test::*;
use crate::tick::{Site, example_without_assignment};

/// `timeline --json` of the example at `now` for `--summit which`: the reminder's due
/// time, which names the summit (three days before it).
fn reminder_due(now: &str, which: &str) -> String {
    let r = Test::new()
        .example()
        .now(now)
        .args(["--json", "timeline", "--summit", which])
        .success();
    let rows = r.json();
    let reminder = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["step"] == "reminder")
        .unwrap_or_else(|| panic!("a reminder row: {}", r.stdout))
        .clone();
    reminder["due"].as_str().unwrap().to_string()
}

// ---- --now ----

#[test]
fn now_takes_a_date_as_its_midnight_utc() {
    let at = |now: &str| {
        Test::new()
            .example()
            .now(now)
            .args(["--json", "next", "--count", "2"])
            .success()
            .stdout
    };
    assert_eq!(at("2026-11-23"), at("2026-11-23T00:00:00Z"));
    assert_eq!(at(" 2026-11-23 "), at("2026-11-23T01:00:00+01:00"));
}

#[test]
fn now_takes_today_and_tomorrow_by_the_clock() {
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today + chrono::Duration::days(1);
    let who = |now: &str| {
        Test::new()
            .example()
            .now(now)
            .args(["--json", "who", "--count", "3"])
            .success()
            .stdout
    };
    assert_eq!(who("today"), who(&today.to_string()));
    assert_eq!(who("tomorrow"), who(&tomorrow.to_string()));
    // SUMMIT_NOW takes the same.
    let r = Test::new()
        .example()
        .env("SUMMIT_NOW", "today")
        .args(["--json", "who", "--count", "3"])
        .success();
    assert_eq!(r.stdout, who(&today.to_string()));
}

#[test]
fn now_refuses_next_and_last_and_says_what_it_takes() {
    for word in ["next", "last"] {
        let r = Test::new().example().now(word).args(["who"]).fails(2);
        assert!(
            r.stderr
                .contains(&format!("`{word}` names a summit, not an instant"))
                && r.stderr.contains("`today` or `tomorrow`")
                && r.stderr.contains("is for `--summit`"),
            "{}",
            r.stderr
        );
    }
    let r = Test::new()
        .example()
        .now("26/11/2026")
        .args(["who"])
        .fails(2);
    assert!(
        r.stderr
            .contains("`26/11/2026` is not an instant, expected RFC 3339 (e.g. `2026-11-26T16:00:00Z`), a date `YYYY-MM-DD` (00:00 UTC)"),
        "{}",
        r.stderr
    );
}

// ---- --summit ----

#[test]
fn summit_next_and_last_are_relative_to_now() {
    let now = "2026-11-23T00:00:00Z";
    assert_eq!(reminder_due(now, "next"), "2026-11-23T16:00:00Z");
    assert_eq!(reminder_due(now, "last"), "2026-10-26T16:00:00Z");
    assert_eq!(reminder_due(now, "2026-11-26"), "2026-11-23T16:00:00Z");
    // A summit in progress is the last one, not the next.
    let during = "2026-11-26T17:00:00Z";
    assert_eq!(reminder_due(during, "last"), "2026-11-23T16:00:00Z");
    assert_eq!(reminder_due(during, "next"), "2026-12-14T16:00:00Z");
}

#[test]
fn summit_today_and_tomorrow_count_from_now_in_utc() {
    assert_eq!(
        reminder_due("2026-11-25T23:30:00Z", "tomorrow"),
        "2026-11-23T16:00:00Z"
    );
    assert_eq!(
        reminder_due("2026-11-26T08:00:00Z", "today"),
        "2026-11-23T16:00:00Z"
    );
    let r = Test::new()
        .example()
        .now("2026-11-26T08:00:00Z")
        .args(["draft", "reminder", "--summit", "tomorrow"])
        .fails(1);
    assert!(
        r.stderr.contains("no summit on 2026-11-27 (UTC)"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_date_without_a_summit_names_the_nearest_on_both_sides() {
    for args in [
        &["draft", "reminder", "--summit", "2026-11-27"][..],
        &["send", "reminder", "--dry-run", "--summit", "2026-11-27"],
        &["timeline", "--summit", "2026-11-27"],
        &["checklist", "--summit", "2026-11-27"],
    ] {
        let r = Test::new()
            .example()
            .now("2026-11-20T00:00:00Z")
            .args(args)
            .fails(1);
        assert_eq!(
            r.stderr,
            "error: no summit on 2026-11-27 (UTC) matches calendar.summit `(?i)developer summit`; the nearest are Thu 26 Nov 2026 and Thu 17 Dec 2026\n",
            "{args:?}"
        );
    }
}

#[test]
fn a_cancelled_date_says_it_is_cancelled() {
    let r = Test::new()
        .example()
        .now("2026-11-20T00:00:00Z")
        .args(["draft", "reminder", "--summit", "2027-01-28"])
        .fails(1);
    assert_eq!(
        r.stderr,
        "error: the summit on 2027-01-28 (UTC) is cancelled; the nearest are Thu 17 Dec 2026 and Thu 25 Feb 2027\n"
    );
}

#[test]
fn a_bad_summit_value_says_what_is_expected() {
    let r = Test::new()
        .example()
        .args(["timeline", "--summit", "soon"])
        .fails(2);
    assert!(
        r.stderr.contains(
            "`soon` is not a summit date, expected `YYYY-MM-DD` (UTC), `today`, `tomorrow`, `next` or `last`"
        ),
        "{}",
        r.stderr
    );
}

// ---- who --me ----

/// `who --json` of the example at 2026-11-23, `extra` added, with `env`.
fn who(extra: &[&str], env: &[(&str, &str)]) -> Run {
    let mut t = Test::new()
        .example()
        .now("2026-11-23T00:00:00Z")
        .args(extra);
    for (k, v) in env {
        t = t.env(k, v);
    }
    t.run()
}

#[test]
fn who_me_lists_the_members_own_turns_as_who_does() {
    let all = who(&["--json", "who", "--count", "20"], &[]);
    let graces: Vec<Value> = all
        .json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["email"] == "grace@example.org")
        .take(2)
        .cloned()
        .collect();
    assert_eq!(graces.len(), 2, "{}", all.stdout);
    let mine = who(
        &[
            "--json",
            "who",
            "--me",
            "--member",
            "Grace@Example.org",
            "--count",
            "2",
        ],
        &[],
    );
    assert_eq!(mine.status, 0, "{}", mine.stderr);
    assert_eq!(mine.json(), Value::Array(graces));
    // Human: one line per turn, as `who` prints them.
    let human = who(
        &[
            "who",
            "--member",
            "grace@example.org",
            "--count",
            "2",
            "--tz",
            "UTC",
        ],
        &[],
    );
    assert_eq!(human.status, 0, "{}", human.stderr);
    let lines: Vec<&str> = human.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", human.stdout);
    assert!(
        lines
            .iter()
            .all(|l| l.contains("Grace Hopper <grace@example.org>")),
        "{}",
        human.stdout
    );
}

#[test]
fn who_me_takes_the_address_from_git() {
    let t = Test::new().file("gitconfig", "[user]\n\temail = alan@example.org\n");
    let config = t.path("gitconfig");
    let r = who(
        &["--json", "who", "--me", "--count", "1"],
        &[
            ("GIT_CONFIG_GLOBAL", config.to_str().unwrap()),
            ("GIT_CONFIG_NOSYSTEM", "1"),
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(r.json()[0]["email"], "alan@example.org", "{}", r.stdout);
}

#[test]
fn who_me_without_an_address_says_to_pass_member() {
    let empty = Test::new().file("gitconfig", "");
    let config = empty.path("gitconfig");
    let unset = who(
        &["who", "--me"],
        &[
            ("GIT_CONFIG_GLOBAL", config.to_str().unwrap()),
            ("GIT_CONFIG_NOSYSTEM", "1"),
        ],
    );
    assert_eq!(unset.status, 2, "{}", unset.stderr);
    assert!(
        unset.stderr.starts_with("error: git has no user.email")
            && unset.stderr.contains("pass `--member EMAIL`"),
        "{}",
        unset.stderr
    );
    let no_git = who(&["who", "--me"], &[("PATH", "/nonexistent")]);
    assert_eq!(no_git.status, 2, "{}", no_git.stderr);
    assert!(
        no_git.stderr.starts_with("error: `git` is not installed")
            && no_git.stderr.contains("pass `--member EMAIL`"),
        "{}",
        no_git.stderr
    );
}

#[test]
fn who_me_refuses_an_address_not_on_the_roster() {
    let r = who(&["who", "--member", "mallory@example.org"], &[]);
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "error: `mallory@example.org` is not on the roster (rotation.members), expected one of `ada@example.org`, `grace@example.org`, `alan@example.org`, `katherine@example.org`, `edsger@example.org`\n"
    );
}

// ---- draft --out writes what send sends ----

/// The `.eml` files of `dir`, by name, with their bytes.
fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn draft_out_writes_the_bytes_tick_sends_with_the_same_now() {
    let site = Site::new(&example_without_assignment());
    // The reminder, then the call for votes threaded under it (from the ledger).
    for (step, now) in [
        ("reminder", "2026-11-23T16:00:00Z"),
        ("agenda-vote", "2026-11-24T16:00:00Z"),
    ] {
        let out = format!("drafts-{step}");
        let r = site.run(now, &["draft", step, "--out", &out]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        assert_eq!(r.stdout, "", "the contract: nothing on standard output");
        let drafted = files(&site.path(&out));
        assert_eq!(drafted.len(), 1, "{drafted:?}");
        let name = &drafted[0].0;
        assert_eq!(
            r.stderr,
            format!(
                "wrote 1 message(s) as `send` would send them (headers, threading, attachments and file names as the file transport's outbox):\nwrote {out}/{name}\n"
            )
        );
        site.run(now, &["tick"]);
        let sent: Vec<(String, Vec<u8>)> = files(&site.path("outbox"))
            .into_iter()
            .filter(|(n, _)| n == name)
            .collect();
        assert_eq!(sent.len(), 1, "tick wrote {name} into the outbox");
        assert!(
            sent[0].1 == drafted[0].1,
            "the same bytes as tick sent: {name}"
        );
        let text = String::from_utf8_lossy(&drafted[0].1).into_owned();
        if step == "reminder" {
            assert!(
                text.contains("filename=\"summit-2026-11-26.ics\""),
                "{text}"
            );
        } else {
            assert!(text.contains("\r\nIn-Reply-To: <"), "{text}");
            assert!(text.contains("\r\nReferences: <"), "{text}");
        }
    }
}
