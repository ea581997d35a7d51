//! Human and JSON output (issue #13): cancelled summits stay listed, `--json` is
//! honoured or refused, `to` is always an array, one form for every date-time, columns
//! and colour.

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::test::*;

/// Weekly summits from Thu 3 Dec 2026 16:00 UTC; the one of 10 Dec is cancelled by a
/// STATUS:CANCELLED override.
const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n\
BEGIN:VEVENT\r\nUID:s@x\r\nDTSTART:20261203T160000Z\r\nDURATION:PT1H\r\n\
RRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s@x\r\nRECURRENCE-ID:20261210T160000Z\r\nDTSTART:20261210T160000Z\r\n\
DURATION:PT1H\r\nSTATUS:CANCELLED\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

const CONFIG: &str = "[calendar]\nfeed = \"feed.ics\"\nzones = [\"UTC\", \"Europe/Berlin\"]\n\
[mail]\nfrom = \"Summit Bot <summit@example.org>\"\npublic-list = \"developers@example.org\"\n\
team-list = \"team@example.org\"\ntransport = \"file\"\noutbox = \"outbox\"\n\
[[rotation.members]]\nname = \"Ada\"\nemail = \"ada@example.org\"\n\
[[rotation.members]]\nname = \"Grace\"\nemail = \"grace@example.org\"\n";

const NOW: &str = "2026-12-01T09:00:00Z";

/// A folder with the feed and configuration above.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("feed.ics"), FEED).unwrap();
        std::fs::write(dir.path().join("summit.toml"), CONFIG).unwrap();
        Site { dir }
    }

    /// `summit ARGS` there at [`NOW`], with `TZ=UTC` and `env`.
    fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let all: Vec<String> = [
            "--config",
            "summit.toml",
            "--state-dir",
            "state",
            "--now",
            NOW,
        ]
        .iter()
        .chain(args)
        .map(|s| s.to_string())
        .collect();
        let mut vars: Vec<(String, String)> = vec![("TZ".into(), "UTC".into())];
        vars.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let out = command(self.dir.path(), &all, &vars).output().unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// [`Site::run_env`], asserting success.
    fn ok(&self, args: &[&str]) -> Run {
        let r = self.run_env(args, &[]);
        assert_eq!(r.status, 0, "summit {args:?}:\n{}\n{}", r.stdout, r.stderr);
        r
    }

    /// [`Site::ok`]'s standard output as JSON.
    fn json(&self, args: &[&str]) -> Value {
        self.ok(args).json()
    }
}

/// The lines of `run`'s standard output, trailing blanks cut.
fn lines(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .map(|l| l.trim_end().to_string())
        .collect()
}

// ---- cancelled summits ----

#[test]
fn who_lists_a_cancelled_summit_in_its_place_without_using_a_turn() {
    let site = Site::new();
    let out = site.ok(&["who", "--count", "3"]);
    assert_eq!(
        lines(&out),
        [
            "Thu 3 Dec 2026 16:00 UTC   Ada <ada@example.org>",
            "Thu 10 Dec 2026 16:00 UTC  cancelled",
            "Thu 17 Dec 2026 16:00 UTC  Grace <grace@example.org>",
            "Thu 24 Dec 2026 16:00 UTC  Ada <ada@example.org>",
        ]
    );
    // CONTRACT.md: `who --json` is one object per summit held, as `next --json`.
    let json = site.json(&["who", "--count", "3", "--json"]);
    let rows: Vec<(&str, &str)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["start"].as_str().unwrap(), e["email"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rows,
        [
            ("2026-12-03T16:00:00Z", "ada@example.org"),
            ("2026-12-17T16:00:00Z", "grace@example.org"),
            ("2026-12-24T16:00:00Z", "ada@example.org"),
        ]
    );
}

#[test]
fn rota_lists_a_cancelled_summit_but_its_ics_does_not() {
    let site = Site::new();
    let out = site.ok(&["rota", "--count", "2"]);
    assert_eq!(
        lines(&out),
        [
            "Thu 3 Dec 2026 16:00 UTC   Ada <ada@example.org>",
            "Thu 10 Dec 2026 16:00 UTC  cancelled",
            "Thu 17 Dec 2026 16:00 UTC  Grace <grace@example.org>",
        ]
    );
    let json = site.json(&["rota", "--count", "2", "--json"]);
    let rows: Vec<(&str, bool, &Value)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let cancelled = e["cancelled"]
                .as_bool()
                .expect("`cancelled` on every object");
            (e["start"].as_str().unwrap(), cancelled, &e["email"])
        })
        .collect();
    let (ada, grace) = (
        Value::from("ada@example.org"),
        Value::from("grace@example.org"),
    );
    assert_eq!(
        rows,
        [
            ("2026-12-03T16:00:00Z", false, &ada),
            ("2026-12-10T16:00:00Z", true, &Value::Null),
            ("2026-12-17T16:00:00Z", false, &grace),
        ]
    );
    assert_eq!(json[1]["name"], Value::Null);
    assert_eq!(json[1]["decided"], Value::Null);
    let ics = site.ok(&["rota", "--count", "2", "--ics"]).stdout;
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2, "{ics}");
    assert!(!ics.contains("20261210T"), "{ics}");
}

#[test]
fn next_shows_a_cancelled_summit_in_its_place_and_json_keeps_count_summits_held() {
    let site = Site::new();
    let out = site.ok(&["next", "--count", "2"]).stdout;
    let blocks: Vec<&str> = out.split("\n\n").collect();
    assert_eq!(blocks.len(), 3, "{out}");
    assert!(
        blocks[0].contains("Facilitator: Ada <ada@example.org>"),
        "{out}"
    );
    assert_eq!(
        blocks[1].lines().collect::<Vec<_>>(),
        [
            "Developer Summit",
            "  Thu 10 Dec 2026 16:00 UTC (UTC)",
            "  Thu 10 Dec 2026 17:00 CET (Europe/Berlin)",
            "  Facilitator: none (cancelled)",
        ]
    );
    assert!(!blocks[1].contains("Timeline"), "{out}");
    assert!(
        blocks[2].contains("Facilitator: Grace <grace@example.org>"),
        "{out}"
    );
    // CONTRACT.md: an array of length N, the summits held.
    let json = site.json(&["next", "--count", "2", "--json"]);
    let starts: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["summit"]["start"].as_str().unwrap())
        .collect();
    assert_eq!(starts, ["2026-12-03T16:00:00Z", "2026-12-17T16:00:00Z"]);
    assert_eq!(json[1]["facilitator"]["email"], "grace@example.org");
    assert_eq!(json[1]["cancelled"], false);
    // --cancelled: the cancelled summit in its place, not counted, and marked.
    let json = site.json(&["next", "--count", "2", "--cancelled", "--json"]);
    let rows: Vec<(&str, bool)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["summit"]["start"].as_str().unwrap(),
                e["cancelled"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("2026-12-03T16:00:00Z", false),
            ("2026-12-10T16:00:00Z", true),
            ("2026-12-17T16:00:00Z", false),
        ]
    );
    assert_eq!(json[1]["facilitator"], Value::Null);
    assert_eq!(json[1]["steps"], serde_json::json!([]));
}

#[test]
fn who_cancelled_lists_a_cancelled_summit_in_its_json() {
    let site = Site::new();
    let json = site.json(&["who", "--count", "2", "--cancelled", "--json"]);
    let rows: Vec<(&str, bool, &Value)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap(),
                e["cancelled"].as_bool().unwrap(),
                &e["email"],
            )
        })
        .collect();
    let (ada, grace) = (
        Value::from("ada@example.org"),
        Value::from("grace@example.org"),
    );
    assert_eq!(
        rows,
        [
            ("2026-12-03T16:00:00Z", false, &ada),
            ("2026-12-10T16:00:00Z", true, &Value::Null),
            ("2026-12-17T16:00:00Z", false, &grace),
        ]
    );
}

// ---- --json honoured or refused ----

#[test]
fn json_is_refused_by_the_commands_that_have_none() {
    let site = Site::new();
    for (args, name) in [
        (&["draft", "reminder"][..], "draft"),
        (&["checklist"][..], "checklist"),
        (&["completions", "bash"][..], "completions"),
        (&["rota", "--ics"][..], "rota --ics"),
    ] {
        let run = site.run_env(&[args, &["--json"]].concat(), &[]);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "error: --json is not supported by `summit {name}`, expected "
            )),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout, "", "{args:?}");
    }
}

#[test]
fn json_is_honoured_by_every_other_command() {
    let site = Site::new();
    for args in [
        &["events", "--from", NOW][..],
        &["next"][..],
        &["who"][..],
        &["rota"][..],
        &["timeline"][..],
        &["tick", "--dry-run"][..],
        &["send", "reminder", "--dry-run"][..],
        &["ledger", "list"][..],
        &["ledger"][..],
        &["check"][..],
    ] {
        let run = site.run_env(&[args, &["--json"]].concat(), &[]);
        let parsed: Result<Value, _> = serde_json::from_str(&run.stdout);
        assert!(
            parsed.is_ok(),
            "{args:?}: not JSON:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

// ---- `to` is always an array ----

#[test]
fn to_is_an_array_in_tick_send_and_ledger_json() {
    let site = Site::new();
    let tick = site.json(&["tick", "--json"]);
    let records = tick.as_array().unwrap();
    assert!(!records.is_empty());
    for r in records {
        assert!(r["to"].is_array(), "{r}");
    }
    assert_eq!(records[0]["to"], serde_json::json!(["ada@example.org"]));
    let ledger = site.json(&["ledger", "list", "--json"]);
    let entries = ledger.as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        assert!(e["to"].is_array(), "{e}");
        assert!(e["to"].as_array().unwrap().iter().all(Value::is_string));
    }
    let next = site.json(&["next", "--json"]);
    for s in next[0]["steps"].as_array().unwrap() {
        assert!(s["to"].is_array(), "{s}");
    }
}

// ---- one form for every date-time ----

/// The one form of a date-time in human output: `Thu 17 Dec 2026 16:00 UTC`.
const INSTANT: &str = r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([1-9]|[12][0-9]|3[01]) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} ([01][0-9]|2[0-3]):[0-5][0-9] ([A-Z]{2,5}|[+-]\d{2}(\d{2})?)\b";

/// Every date-time in `text` is in [`INSTANT`]'s form: no clock time outside one, no
/// RFC 3339 instant; with how many there were.
fn date_times_in_one_form(what: &str, text: &str) -> usize {
    let instant = regex::Regex::new(INSTANT).unwrap();
    let rfc3339 = regex::Regex::new(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}").unwrap();
    assert!(!rfc3339.is_match(text), "{what}: an RFC 3339 time:\n{text}");
    let clock = regex::Regex::new(r"\b\d{1,2}:\d{2}\b").unwrap();
    let covered: Vec<(usize, usize)> = instant
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    for m in clock.find_iter(text) {
        assert!(
            covered
                .iter()
                .any(|(a, b)| *a <= m.start() && m.end() <= *b),
            "{what}: `{}` is not in the one form:\n{text}",
            m.as_str()
        );
    }
    covered.len()
}

#[test]
fn every_human_date_time_has_one_form_in_the_readers_zone() {
    let site = Site::new();
    let instant = regex::Regex::new(INSTANT).unwrap();
    // A ledger to list: tick sends what is due (to the outbox folder).
    site.ok(&["tick"]);
    for zone in [
        "UTC",
        "europe/berlin",
        "ASIA/KOLKATA",
        "America/Los_Angeles",
    ] {
        let abbrev = match zone {
            "UTC" => "UTC",
            "europe/berlin" => "CET",
            "ASIA/KOLKATA" => "IST",
            _ => "PST",
        };
        let mut seen = 0;
        for args in [
            &["next", "--count", "2"][..],
            &["who"][..],
            &["rota"][..],
            &["timeline"][..],
            &["ledger", "list"][..],
            &["tick", "--dry-run"][..],
            &["events", "--from", "2026-12-01T00:00:00Z", "--count", "3"][..],
        ] {
            let run = site.ok(&[args, &["--tz", zone]].concat());
            let n = date_times_in_one_form(&format!("{args:?} --tz {zone}"), &run.stdout);
            assert!(
                n > 0 || args[0] == "tick",
                "{args:?}: no date-time:\n{}",
                run.stdout
            );
            if args[0] != "next" {
                // `next` also shows the start in each of calendar.zones.
                for z in instant.captures_iter(&run.stdout) {
                    assert_eq!(&z[5], abbrev, "{args:?} --tz {zone}:\n{}", run.stdout);
                }
            }
            seen += n;
        }
        assert!(seen > 20, "{zone}: {seen}");
    }
}

#[test]
fn the_readers_zone_is_tz_flag_then_tz_variable() {
    let site = Site::new();
    let by_env = site.run_env(&["who", "--count", "1"], &[("TZ", "Asia/Kolkata")]);
    assert!(
        by_env.stdout.starts_with("Thu 3 Dec 2026 21:30 IST  "),
        "{}",
        by_env.stdout
    );
    let by_flag = site.run_env(
        &["who", "--count", "1", "--tz", "europe/BERLIN"],
        &[("TZ", "Asia/Kolkata")],
    );
    assert!(
        by_flag.stdout.starts_with("Thu 3 Dec 2026 17:00 CET  "),
        "{}",
        by_flag.stdout
    );
    let bad = site.run_env(&["who", "--tz", "Mars/Olympus"], &[]);
    assert_eq!(bad.status, 2, "{}", bad.stderr);
    assert!(
        bad.stderr
            .contains("`Mars/Olympus` is not an IANA time zone name"),
        "{}",
        bad.stderr
    );
}

#[test]
fn a_tz_variable_that_names_no_zone_is_said_once() {
    let site = Site::new();
    let run = site.run_env(&["next", "--count", "2"], &[("TZ", "garbage")]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("TZ `garbage`"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].starts_with("warning: "), "{}", run.stderr);
    date_times_in_one_form("TZ=garbage", &run.stdout);
}

// ---- columns and colour ----

#[test]
fn columns_line_up_in_the_ledger_listing() {
    let site = Site::new();
    site.ok(&["tick"]);
    let out = site.ok(&["ledger", "list"]);
    let all = lines(&out);
    let header = &all[0];
    let rows: Vec<&String> = all[1..].iter().filter(|l| l.starts_with("  ")).collect();
    assert!(header.starts_with("  STEP  "), "{}", out.stdout);
    let instant = regex::Regex::new(INSTANT).unwrap();
    let state_at = header.find("STATE").unwrap();
    let at_at = header.find("AT ").unwrap();
    assert!(!rows.is_empty(), "{}", out.stdout);
    for r in rows {
        assert_eq!(&r[state_at..state_at + 4], "sent", "{}", out.stdout);
        assert!(instant.is_match(&r[at_at..]), "{}", out.stdout);
    }
}

#[test]
fn no_escape_codes_when_piped_or_with_no_color() {
    let site = Site::new();
    site.ok(&["tick"]);
    let commands: [&[&str]; 5] = [
        &["who"],
        &["rota"],
        &["timeline"],
        &["ledger", "list"],
        &["next"],
    ];
    for args in commands {
        let piped = site.run_env(args, &[]);
        assert!(
            !piped.stdout.contains('\x1b'),
            "{args:?} piped:\n{}",
            piped.stdout
        );
        let no_color = site.run_env(args, &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
        assert!(
            !no_color.stdout.contains('\x1b'),
            "{args:?} NO_COLOR:\n{}",
            no_color.stdout
        );
    }
    // Forced (as on a terminal), states are coloured, and only they.
    let forced = site.run_env(&["ledger", "list"], &[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.stdout.contains("\x1b[32msent\x1b[0m"),
        "{:?}",
        forced.stdout
    );
    let plain = site.run_env(&["ledger", "list"], &[]);
    let stripped = forced.stdout.replace("\x1b[32m", "").replace("\x1b[0m", "");
    assert_eq!(stripped, plain.stdout);
}
