//! `summit next` and `summit who`: the next summits of the example, their facilitators
//! by rotation, and their timelines.

use chrono::{DateTime, Duration, Utc};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};

use crate::test::*;

const PUBLIC: &str = "prometheus-developers@googlegroups.com";
const TEAM: &str = "prometheus-team@googlegroups.com";
const UID: &str = "5q1hvb0n7ktr4ga1kq3cs0l6pk@google.com";

/// `summit next --json` on the example at `now`, with extra arguments.
fn next(now: &str, extra: &[&str]) -> Value {
    Test::new()
        .example()
        .now(now)
        .args(["next", "--json"])
        .args(extra)
        .success()
        .json()
}

/// `summit who --json --count N` on the example at `now`.
fn who(now: &str, count: usize) -> Value {
    Test::new()
        .example()
        .now(now)
        .args(["who", "--json", "--count", &count.to_string()])
        .success()
        .json()
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The summit start of each entry of `next --json`.
fn summit_starts(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["summit"]["start"].as_str().unwrap().to_string())
        .collect()
}

/// Checks the steps of one `next --json` entry against the default offsets.
fn check_steps(entry: &Value, facilitator_email: &str) {
    let start = at(entry["summit"]["start"].as_str().unwrap());
    let end = at(entry["summit"]["end"].as_str().unwrap());
    // `steps` is CONTRACT.md's timeline; the project's own assignment heads-up is in
    // `extra_steps`.
    let steps = entry["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(names, ["reminder", "agenda-vote", "outreach", "handover"]);
    let extra = entry["extra_steps"].as_array().unwrap();
    assert_eq!(extra.len(), 1, "{extra:?}");
    assert_eq!(extra[0]["step"], "assignment");
    assert_eq!(
        extra[0]["due"].as_str().unwrap(),
        rfc(start - Duration::days(7))
    );
    assert!(
        extra[0]["to"][0]
            .as_str()
            .unwrap()
            .contains(facilitator_email),
        "the assignment goes to the facilitator: {:?}",
        extra[0]["to"]
    );
    let dues: Vec<String> = steps
        .iter()
        .map(|s| s["due"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        dues,
        [
            rfc(start - Duration::days(3)),
            rfc(start - Duration::days(2)),
            rfc(start - Duration::days(1)),
            rfc(end + Duration::hours(2)),
        ]
    );
    assert_eq!(steps[0]["to"], json!([PUBLIC]));
    assert_eq!(steps[1]["to"], json!([TEAM]));
    let outreach = steps[2]["to"].as_array().unwrap();
    assert_eq!(outreach.len(), 1, "{outreach:?}");
    assert!(
        outreach[0].as_str().unwrap().contains(facilitator_email),
        "outreach goes to the facilitator: {outreach:?}"
    );
    assert_eq!(steps[3]["to"], json!([TEAM]));
}

// ---- next --json ----

#[test]
fn next_json_on_the_example() {
    let v = next("2026-11-21T09:00:00Z", &[]);
    assert_eq!(v.as_array().unwrap().len(), 1, "default count is 1");
    let e = &v[0];
    assert_eq!(
        e["summit"],
        json!({
            "uid": UID,
            "summary": "Prometheus Developer Summit",
            "start": "2026-11-26T16:00:00Z",
            "end": "2026-11-26T18:00:00Z"
        })
    );
    assert_eq!(
        e["facilitator"],
        json!({"name": "Grace Hopper", "email": "grace@example.org"})
    );
    let steps: Vec<(String, String)> = e["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["due"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("reminder".into(), "2026-11-23T16:00:00Z".into()),
            ("agenda-vote".into(), "2026-11-24T16:00:00Z".into()),
            ("outreach".into(), "2026-11-25T16:00:00Z".into()),
            ("handover".into(), "2026-11-26T20:00:00Z".into()),
        ]
    );
    check_steps(e, "grace@example.org");
}

#[test]
fn next_just_before_at_during_and_just_after_a_summit() {
    let before = next("2026-11-26T15:59:59Z", &[]);
    assert_eq!(summit_starts(&before), ["2026-11-26T16:00:00Z"]);
    assert_eq!(before[0].get("now"), None);
    // A summit starting exactly now is still the next one (starts at or after now).
    let exactly = next("2026-11-26T16:00:00Z", &[]);
    assert_eq!(summit_starts(&exactly), ["2026-11-26T16:00:00Z"]);
    assert_eq!(exactly[0]["facilitator"]["name"], "Grace Hopper");
    // Until it ends (18:00), the summit in progress is the one shown, marked as on.
    for now in ["2026-11-26T16:00:01Z", "2026-11-26T17:59:59Z"] {
        let during = next(now, &[]);
        assert_eq!(summit_starts(&during), ["2026-11-26T16:00:00Z"], "{now}");
        assert_eq!(during[0]["now"], true, "{now}");
        assert_eq!(during[0]["facilitator"]["name"], "Grace Hopper");
    }
    // From its end the next one is the December summit, moved to the 17th.
    let after = next("2026-11-26T18:00:00Z", &[]);
    assert_eq!(summit_starts(&after), ["2026-12-17T16:00:00Z"]);
    assert_eq!(after[0]["facilitator"]["name"], "Alan Turing");
    check_steps(&after[0], "alan@example.org");
}

#[test]
fn moved_december_summit_is_next_not_its_original_date() {
    let v = next("2026-12-01T00:00:00Z", &[]);
    assert_eq!(
        v[0]["summit"],
        json!({
            "uid": UID,
            "summary": "Prometheus Developer Summit",
            "start": "2026-12-17T16:00:00Z",
            "end": "2026-12-17T18:00:00Z"
        })
    );
    assert_eq!(v[0]["steps"][0]["due"], "2026-12-14T16:00:00Z");
    assert_eq!(v[0]["steps"][3]["due"], "2026-12-17T20:00:00Z");
    // After the moved summit, nothing on the original date (31 December).
    let v = next("2026-12-17T18:00:01Z", &[]);
    assert_eq!(summit_starts(&v), ["2027-02-25T16:00:00Z"]);
}

#[test]
fn cancelled_january_summit_is_skipped() {
    // "CANCELLED: Prometheus Developer Summit" on 2027-01-28 still matches the summit
    // regex, but is cancelled.
    for now in [
        "2026-12-31T23:00:00Z",
        "2027-01-25T16:00:00Z",
        "2027-01-28T15:59:59Z",
        "2027-01-28T16:00:00Z",
    ] {
        let v = next(now, &[]);
        assert_eq!(summit_starts(&v), ["2027-02-25T16:00:00Z"], "now {now}");
        assert_eq!(v[0]["summit"]["summary"], "Prometheus Developer Summit");
        assert_eq!(
            v[0]["facilitator"]["name"], "Katherine Johnson",
            "now {now}"
        );
        check_steps(&v[0], "katherine@example.org");
    }
}

#[test]
fn next_count_3() {
    let v = next("2026-11-21T09:00:00Z", &["--count", "3"]);
    assert_eq!(
        summit_starts(&v),
        [
            "2026-11-26T16:00:00Z",
            "2026-12-17T16:00:00Z",
            "2027-02-25T16:00:00Z"
        ]
    );
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["facilitator"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Grace Hopper", "Alan Turing", "Katherine Johnson"]);
    for e in v.as_array().unwrap() {
        let email = e["facilitator"]["email"].as_str().unwrap();
        check_steps(e, email);
        assert_eq!(e["summit"]["uid"], UID);
    }
}

#[test]
fn next_across_the_spring_dst_change() {
    // Europe/Berlin moves to CEST on 28 March 2027: 17:00 local becomes 15:00Z.
    let v = next("2027-03-26T00:00:00Z", &["--count", "2"]);
    assert_eq!(
        summit_starts(&v),
        ["2027-04-29T15:00:00Z", "2027-05-27T15:00:00Z"]
    );
    assert_eq!(v[0]["summit"]["end"], "2027-04-29T17:00:00Z");
    assert_eq!(v[0]["steps"][0]["due"], "2027-04-26T15:00:00Z");
    assert_eq!(v[0]["steps"][3]["due"], "2027-04-29T19:00:00Z");
}

#[test]
fn configured_offsets_move_the_steps() {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let text = text
        .replace("reminder = \"3d\"", "reminder = \"1w\"")
        .replace("agenda-vote = \"2d\"", "agenda-vote = \"1d12h\"")
        .replace("outreach = \"1d\"", "outreach = \"90m\"")
        .replace("handover = \"2h\"", "handover = \"1d\"");
    let v = Test::new()
        .file("summit.toml", text)
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T09:00:00Z")
        .args(["next", "--json"])
        .success()
        .json();
    let steps: Vec<(&str, &str)> = v[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["due"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("reminder", "2026-11-19T16:00:00Z"),
            ("agenda-vote", "2026-11-25T04:00:00Z"),
            ("outreach", "2026-11-26T14:30:00Z"),
            ("handover", "2026-11-27T18:00:00Z"),
        ]
    );
}

#[test]
fn steps_are_listed_in_due_order_when_offsets_reorder_them() {
    let text = std::fs::read_to_string(example_config()).unwrap();
    // The agenda vote before the reminder.
    let text = text
        .replace("reminder = \"3d\"", "reminder = \"2d\"")
        .replace("agenda-vote = \"2d\"", "agenda-vote = \"4d\"");
    let v = Test::new()
        .file("summit.toml", text)
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T09:00:00Z")
        .args(["next", "--json"])
        .success()
        .json();
    let steps: Vec<&str> = v[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["agenda-vote", "reminder", "outreach", "handover"]);
    assert_eq!(v[0]["steps"][0]["due"], "2026-11-22T16:00:00Z");
}

#[test]
fn relative_feed_in_config_resolves_against_the_config_folder() {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let feed_line = text
        .lines()
        .find(|l| l.starts_with("feed = "))
        .expect("calendar.feed in the example")
        .to_string();
    let text = text.replace(&feed_line, "feed = \"calendar/feed.ics\"");
    let t = Test::new()
        .file("conf/summit.toml", text)
        .file(
            "conf/calendar/feed.ics",
            std::fs::read(example_feed()).unwrap(),
        )
        .args(["--config", "conf/summit.toml"])
        .now("2026-11-21T09:00:00Z")
        .args(["next", "--json"]);
    let v = t.success().json();
    assert_eq!(summit_starts(&v), ["2026-11-26T16:00:00Z"]);
}

#[test]
fn environment_variables_stand_in_for_the_flags() {
    let v = Test::new()
        .env("SUMMIT_CONFIG", example_config().to_str().unwrap())
        .env("SUMMIT_FEED", example_feed().to_str().unwrap())
        .env("SUMMIT_NOW", "2026-11-26T18:00:01Z")
        .args(["next", "--json"])
        .success()
        .json();
    assert_eq!(summit_starts(&v), ["2026-12-17T16:00:00Z"]);
}

#[test]
fn now_flag_wins_over_summit_now() {
    let v = Test::new()
        .example()
        .env("SUMMIT_NOW", "2027-03-01T00:00:00Z")
        .now("2026-11-21T09:00:00Z")
        .args(["next", "--json"])
        .success()
        .json();
    assert_eq!(summit_starts(&v), ["2026-11-26T16:00:00Z"]);
}

// ---- who ----

#[test]
fn who_json_shape_and_rotation_order() {
    let v = who("2026-11-21T09:00:00Z", 8);
    // CONTRACT's fields, plus `decided` (how the facilitator was chosen; issue #5).
    assert_eq!(
        v,
        json!([
            {"start": "2026-11-26T16:00:00Z", "name": "Grace Hopper", "email": "grace@example.org", "decided": "rotation", "cancelled": false},
            {"start": "2026-12-17T16:00:00Z", "name": "Alan Turing", "email": "alan@example.org", "decided": "rotation", "cancelled": false},
            {"start": "2027-02-25T16:00:00Z", "name": "Katherine Johnson", "email": "katherine@example.org", "decided": "rotation", "cancelled": false},
            {"start": "2027-03-25T16:00:00Z", "name": "Edsger Dijkstra", "email": "edsger@example.org", "decided": "rotation", "cancelled": false},
            {"start": "2027-04-29T15:00:00Z", "name": "Ada Lovelace", "email": "ada@example.org", "decided": "rotation", "cancelled": false},
            {"start": "2027-05-27T15:00:00Z", "name": "Grace Hopper", "email": "grace@example.org", "decided": "rotation", "cancelled": false},
            {"start": "2027-06-24T15:00:00Z", "name": "Alan Turing", "email": "alan@example.org", "decided": "rotation", "cancelled": false},
            {"start": "2027-07-29T15:00:00Z", "name": "Katherine Johnson", "email": "katherine@example.org", "decided": "rotation", "cancelled": false}
        ])
    );
}

#[test]
fn who_agrees_with_next() {
    let w = who("2026-11-21T09:00:00Z", 3);
    let n = next("2026-11-21T09:00:00Z", &["--count", "3"]);
    for i in 0..3 {
        assert_eq!(w[i]["start"], n[i]["summit"]["start"]);
        assert_eq!(w[i]["name"], n[i]["facilitator"]["name"]);
        assert_eq!(w[i]["email"], n[i]["facilitator"]["email"]);
    }
}

#[test]
fn grace_is_never_chosen_while_away() {
    let v = who("2026-11-21T09:00:00Z", 12);
    for e in v.as_array().unwrap() {
        let date = &e["start"].as_str().unwrap()[..10];
        if ("2026-12-10"..="2027-01-06").contains(&date) {
            assert_ne!(e["name"], "Grace Hopper", "{e}");
        }
    }
}

/// The example config with the rotation counting from `start`, Grace's away range
/// kept or removed.
fn rotation_from(start: &str, keep_away: bool) -> String {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let mut text = text.replace("start = \"2025-01-30\"", &format!("start = \"{start}\""));
    if !keep_away {
        text = text.replace("away = [\"2026-12-10..2027-01-06\"]", "");
    }
    text
}

fn who_with(config: String, now: &str, count: usize) -> Vec<(String, String)> {
    Test::new()
        .file("summit.toml", config)
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now(now)
        .args(["who", "--json", "--count", &count.to_string()])
        .success()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap()[..10].to_string(),
                e["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn away_member_is_skipped_when_it_is_their_turn() {
    // Counting from 26 November, Grace's turn is the moved December summit (17th),
    // inside her away range 2026-12-10..2027-01-06.
    let without_away = who_with(
        rotation_from("2026-11-26", false),
        "2026-11-21T09:00:00Z",
        3,
    );
    assert_eq!(
        without_away,
        [
            ("2026-11-26".into(), "Ada Lovelace".into()),
            ("2026-12-17".into(), "Grace Hopper".into()),
            ("2027-02-25".into(), "Alan Turing".into()),
        ]
    );
    let with_away = who_with(rotation_from("2026-11-26", true), "2026-11-21T09:00:00Z", 3);
    assert_eq!(with_away[0], ("2026-11-26".into(), "Ada Lovelace".into()));
    assert_eq!(with_away[1].0, "2026-12-17");
    assert_ne!(with_away[1].1, "Grace Hopper", "{with_away:?}");
    assert_eq!(with_away[1].1, "Alan Turing", "the next member takes it");
    // Grace, back and never having facilitated, is the least recent and takes the
    // February summit. (The first rule, roster order from the last one chosen, gave
    // it to Katherine Johnson and Grace waited a whole round: issue #5 replaced it by
    // least recently facilitated, so being away does not cost a member their turn.)
    assert_eq!(with_away[2], ("2027-02-25".into(), "Grace Hopper".into()));
}

#[test]
fn rotation_start_is_the_first_summit_that_counts() {
    let v = who_with(rotation_from("2027-02-25", true), "2027-02-01T00:00:00Z", 3);
    assert_eq!(
        v,
        [
            ("2027-02-25".into(), "Ada Lovelace".into()),
            ("2027-03-25".into(), "Grace Hopper".into()),
            ("2027-04-29".into(), "Alan Turing".into()),
        ]
    );
}

#[test]
fn rotation_start_in_the_future_does_not_hide_the_next_summits() {
    let config = rotation_from("2027-02-25", true);
    let v = Test::new()
        .file("summit.toml", config.clone())
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T09:00:00Z")
        .args(["next", "--json", "--count", "3"])
        .success()
        .json();
    assert_eq!(
        summit_starts(&v),
        [
            "2026-11-26T16:00:00Z",
            "2026-12-17T16:00:00Z",
            "2027-02-25T16:00:00Z"
        ]
    );
    // The first summit the rotation counts is the first member's.
    assert_eq!(v[2]["facilitator"]["name"], "Ada Lovelace");
    let w = Test::new()
        .file("summit.toml", config)
        .args(["--config", "summit.toml"])
        .args(["--feed", example_feed().to_str().unwrap()])
        .now("2026-11-21T09:00:00Z")
        .args(["who", "--json", "--count", "3"])
        .success()
        .json();
    assert_eq!(
        w.as_array().unwrap().len(),
        3,
        "one per upcoming summit: {w}"
    );
    assert_eq!(w[0]["start"], "2026-11-26T16:00:00Z");
}

#[test]
fn next_count_zero_is_an_empty_list_or_a_usage_error() {
    for command in ["next", "who"] {
        let t = Test::new()
            .example()
            .now("2026-11-21T09:00:00Z")
            .args([command, "--json", "--count", "0"]);
        let r = t.run();
        if r.status == 2 {
            t.fails(2);
        } else {
            assert_eq!(r.status, 0, "{command}: {}", r.stderr);
            assert_eq!(r.json(), json!([]), "{command}");
        }
    }
}

#[test]
fn rotation_is_a_pure_function_of_config_and_feed() {
    // The facilitator of each summit is the same whenever the question is asked.
    let reference = who("2026-11-21T09:00:00Z", 8);
    let expected: std::collections::HashMap<String, Value> = reference
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["start"].as_str().unwrap().to_string(), e["name"].clone()))
        .collect();
    for now in [
        "2025-06-01T00:00:00Z",
        "2026-01-01T00:00:00Z",
        "2026-11-26T15:00:00Z",
        "2026-11-26T16:00:01Z",
        "2026-12-17T16:00:00Z",
        "2027-01-28T12:00:00Z",
        "2027-04-01T00:00:00Z",
    ] {
        let v = who(now, 30);
        let mut overlap = 0;
        for e in v.as_array().unwrap() {
            if let Some(name) = expected.get(e["start"].as_str().unwrap()) {
                assert_eq!(&e["name"], name, "now {now}: {e}");
                overlap += 1;
            }
        }
        assert!(overlap > 0, "now {now}: no overlap with the reference");
    }
    // And `next` agrees for the December summit, asked from far away in time.
    for now in ["2025-03-01T00:00:00Z", "2026-12-17T15:59:59Z"] {
        let v = next(now, &["--count", "30"]);
        let dec = v
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["summit"]["start"] == "2026-12-17T16:00:00Z")
            .unwrap_or_else(|| panic!("now {now}: December summit in the next 30"));
        assert_eq!(dec["facilitator"]["name"], "Alan Turing", "now {now}");
    }
}

#[test]
fn who_count_defaults_to_several() {
    let v = Test::new()
        .example()
        .now("2026-11-21T09:00:00Z")
        .args(["who", "--json"])
        .success()
        .json();
    assert!(v.as_array().unwrap().len() > 1, "{v}");
    assert_eq!(v[0]["name"], "Grace Hopper");
}

// ---- human output ----

#[test]
fn next_names_the_start_in_every_zone_the_facilitator_and_each_step() {
    let r = Test::new()
        .example()
        .now("2026-11-21T09:00:00Z")
        .arg("next")
        .success();
    let out = &r.stdout;
    assert!(out.contains("Prometheus Developer Summit"), "{out}");
    // 16:00 UTC; 08:00 PST; 17:00 CET; 21:30 IST.
    for (time, zone) in [
        ("16:00", "UTC"),
        ("08:00", "America/Los_Angeles"),
        ("17:00", "Europe/Berlin"),
        ("21:30", "Asia/Kolkata"),
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(zone) && l.contains("26 Nov 2026") && !l.contains("to "))
            .unwrap_or_else(|| panic!("no line for {zone}:\n{out}"));
        assert!(line.contains(time), "{zone} should show {time}: {line}");
    }
    assert!(out.contains("Grace Hopper"), "{out}");
    assert!(out.contains("grace@example.org"), "{out}");
    for step in ["reminder", "agenda-vote", "outreach", "handover"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(step)),
            "no line for {step}:\n{out}"
        );
    }
    let reminder = out
        .lines()
        .find(|l| l.trim_start().starts_with("reminder"))
        .unwrap();
    assert!(reminder.contains("Mon 23 Nov 2026 16:00 UTC"), "{reminder}");
    assert!(reminder.contains(PUBLIC), "{reminder}");
    let handover = out
        .lines()
        .find(|l| l.trim_start().starts_with("handover"))
        .unwrap();
    assert!(handover.contains("Thu 26 Nov 2026 20:00 UTC"), "{handover}");
}

#[test]
fn next_human_output_after_dst_shows_summer_offsets() {
    let r = Test::new()
        .example()
        .now("2027-04-01T00:00:00Z")
        .arg("next")
        .success();
    let out = &r.stdout;
    for (time, zone) in [
        ("15:00", "UTC"),
        ("08:00", "America/Los_Angeles"),
        ("17:00", "Europe/Berlin"),
        ("20:30", "Asia/Kolkata"),
    ] {
        let line = out
            .lines()
            .find(|l| l.contains(zone) && l.contains("29 Apr 2027"))
            .unwrap_or_else(|| panic!("no line for {zone}:\n{out}"));
        assert!(line.contains(time), "{zone} should show {time}: {line}");
    }
    assert!(out.contains("Ada Lovelace"), "{out}");
}

#[test]
fn next_human_output_with_count_lists_each_summit() {
    let r = Test::new()
        .example()
        .now("2026-11-21T09:00:00Z")
        .args(["next", "--count", "2"])
        .success();
    let out = &r.stdout;
    assert!(
        out.contains("26 Nov 2026") && out.contains("17 Dec 2026"),
        "{out}"
    );
    assert!(
        out.contains("Grace Hopper") && out.contains("Alan Turing"),
        "{out}"
    );
}
