//! Rotation with history (issue #5): least recently facilitated, `away`, pins, the
//! facilitation record written by handovers, `who --tz`, and `rota --ics` read back by
//! an independent parser (Python's `icalendar`).

use std::collections::HashMap;
use std::process::Command;

use chrono::NaiveDate;
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::smtp::python_with;
use crate::test::*;

/// A year of monthly summits: the 7th of each month of 2027, 16:00–17:00 UTC.
const YEAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:year@example.org\r\nDTSTAMP:20260101T000000Z\r\n\
DTSTART:20270107T160000Z\r\nDTEND:20270107T170000Z\r\nRRULE:FREQ=MONTHLY;COUNT=12\r\n\
SUMMARY:Developer Summit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// The roster: name, e-mail local part, away ranges.
const ROSTER: [(&str, &str, &[&str]); 5] = [
    ("Ada Lovelace", "ada", &["2027-03-01..2027-04-30"]),
    (
        "Grace Hopper",
        "grace",
        &["2027-07-01..2027-08-31", "2027-11-07"],
    ),
    ("Alan Turing", "alan", &[]),
    ("Katherine Johnson", "katherine", &[]),
    ("Edsger Dijkstra", "edsger", &[]),
];

/// The one pin: Edsger facilitates in June.
const PIN: (&str, &str) = ("2027-06-07", "edsger@example.org");

fn config(roster: &[(&str, &str, &[&str])]) -> String {
    config_pinned(roster, PIN)
}

fn config_pinned(roster: &[(&str, &str, &[&str])], pin: (&str, &str)) -> String {
    let mut text = String::from(
        r#"[project]
name = "Test"

[calendar]
feed = "feed.ics"

[mail]
from = "Bot <bot@example.org>"
public-list = "list@example.org"
team-list = "team@example.org"
transport = "file"

[rotation]
record = "facilitators.toml"
"#,
    );
    for (name, local, away) in roster {
        let away: Vec<String> = away.iter().map(|a| format!("\"{a}\"")).collect();
        text.push_str(&format!(
            "\n[[rotation.members]]\nname = \"{name}\"\nemail = \"{local}@example.org\"\naway = [{}]\n",
            away.join(", ")
        ));
    }
    text.push_str(&format!(
        "\n[[rotation.assign]]\ndate = \"{}\"\nemail = \"{}\"\n",
        pin.0, pin.1
    ));
    text
}

/// A deployment folder with `summit.toml`, `feed.ics` and the state folder `state`.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new(config: &str, feed: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("summit.toml"), config).unwrap();
        std::fs::write(dir.path().join("feed.ics"), feed).unwrap();
        Site { dir }
    }

    fn set_config(&self, config: &str) {
        std::fs::write(self.dir.path().join("summit.toml"), config).unwrap();
    }

    fn run(&self, now: &str, args: &[&str]) -> Run {
        let mut all: Vec<String> = [
            "--config",
            "summit.toml",
            "--state-dir",
            "state",
            "--now",
            now,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        all.extend(args.iter().map(|s| s.to_string()));
        let out = command(self.dir.path(), &all, &[("TZ".into(), "UTC".into())])
            .output()
            .unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn ok(&self, now: &str, args: &[&str]) -> Run {
        let r = self.run(now, args);
        assert_eq!(r.status, 0, "{args:?} at {now}\n{}\n{}", r.stdout, r.stderr);
        r
    }

    /// `who --json --count 12` as of New Year: (date, email) of every summit.
    fn year(&self) -> Vec<(String, String)> {
        self.ok("2027-01-01T00:00:00Z", &["who", "--json", "--count", "12"])
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["start"].as_str().unwrap()[..10].to_string(),
                    e["email"].as_str().unwrap_or("-").to_string(),
                )
            })
            .collect()
    }

    fn record(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("facilitators.toml")).unwrap_or_default()
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn is_away(away: &[&str], day: &str) -> bool {
    let d = date(day);
    away.iter().any(|a| {
        let (from, to) = a.split_once("..").unwrap_or((a, a));
        date(from) <= d && d <= date(to)
    })
}

/// Nobody away is chosen, the pin holds, and the members never away take turns evenly.
fn check_year(year: &[(String, String)], roster: &[(&str, &str, &[&str])]) {
    assert_eq!(year.len(), 12, "{year:?}");
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (day, email) in year {
        let (_, local, away) = roster
            .iter()
            .find(|(_, l, _)| format!("{l}@example.org") == *email)
            .unwrap_or_else(|| panic!("{day}: `{email}` is not on the roster"));
        assert!(!is_away(away, day), "{day}: {email} is away");
        *counts.entry(local).or_default() += 1;
    }
    let pinned = year.iter().find(|(d, _)| d == PIN.0).unwrap();
    assert_eq!(pinned.1, PIN.1, "the pin holds");
    let always: Vec<usize> = roster
        .iter()
        .filter(|(_, _, away)| away.is_empty())
        .map(|(_, l, _)| counts.get(l).copied().unwrap_or(0))
        .collect();
    let (lo, hi) = (always.iter().min().unwrap(), always.iter().max().unwrap());
    assert!(
        hi - lo <= 1,
        "always-available counts {always:?} in {year:?}"
    );
}

#[test]
fn a_year_of_summits_with_away_periods_a_pin_and_a_new_member() {
    let site = Site::new(&config(&ROSTER), YEAR);
    let planned = site.year();
    check_year(&planned, &ROSTER);
    assert_eq!(
        planned.iter().map(|(_, e)| e.as_str()).collect::<Vec<_>>(),
        [
            "ada@example.org",       // Jan: nobody facilitated yet, roster order
            "grace@example.org",     // Feb: Edsger's June pin is near, so not him
            "alan@example.org",      // Mar: Ada away
            "katherine@example.org", // Apr: Ada away
            "ada@example.org",       // May: least recent (January)
            "edsger@example.org",    // Jun: pinned
            "alan@example.org",      // Jul: Grace away
            "katherine@example.org", // Aug: Grace away
            "grace@example.org",     // Sep: least recent (February)
            "ada@example.org",       // Oct
            "edsger@example.org",    // Nov: Grace away that day
            "alan@example.org",      // Dec
        ]
    );

    // Half a year of handovers: each names the next facilitator and records it.
    for month in 1..=6 {
        let now = format!("2027-{month:02}-07T19:00:00Z");
        let r = site.ok(&now, &["tick"]);
        assert!(
            r.stdout.contains("sent the handover"),
            "{now}: {}",
            r.stdout
        );
    }
    let record = site.record();
    assert_eq!(record.matches("[[summit]]").count(), 7, "{record}");
    assert_eq!(record.matches("decided = \"held\"").count(), 1, "{record}");
    assert_eq!(record.matches("decided = \"pin\"").count(), 1, "{record}");
    let dates: Vec<&str> = record
        .lines()
        .filter_map(|l| l.strip_prefix("date = \""))
        .map(|l| l.trim_end_matches('"'))
        .collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted, "sorted by date");
    assert_eq!(dates.last(), Some(&"2027-07-07"));
    // The handover mail names the recorded facilitator.
    let handovers: Vec<String> = std::fs::read_dir(site.dir.path().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("20270607-handover"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert_eq!(handovers.len(), 1);
    assert!(
        handovers[0].contains("By rotation, Alan Turing <alan@example.org> is proposed"),
        "{}",
        handovers[0]
    );
    // May's handover announces June's pinned facilitator as arranged, not by rotation.
    let may = std::fs::read_dir(site.dir.path().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("20270507-handover"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    assert!(
        may.contains("As arranged, Edsger Dijkstra <edsger@example.org> facilitates it."),
        "{may}"
    );
    assert!(!may.contains("By rotation"), "{may}");
    assert_eq!(site.year(), planned, "the record agrees with the rotation");

    // Mid-year, a sixth member joins at the top of the roster: no announced summit
    // changes; the next unannounced one goes to her, who never facilitated.
    let mut six = vec![("Barbara Liskov", "barbara", &[][..])];
    six.extend(ROSTER);
    site.set_config(&config(&six));
    let after = site.year();
    assert_eq!(after[..7], planned[..7], "announced assignments stay");
    assert_eq!(after[7].1, "barbara@example.org");
    for (day, email) in &after {
        let (_, _, away) = six
            .iter()
            .find(|(_, l, _)| format!("{l}@example.org") == *email)
            .unwrap();
        assert!(!is_away(away, day), "{day}: {email} is away");
    }
    // Without the record, the same roster edit would have changed January.
    std::fs::remove_file(site.dir.path().join("facilitators.toml")).unwrap();
    assert_eq!(site.year()[0].1, "barbara@example.org");
}

#[test]
fn the_record_wins_for_a_member_who_left_or_is_now_away() {
    let site = Site::new(&config(&ROSTER), YEAR);
    site.ok("2027-01-07T19:00:00Z", &["tick"]);
    assert!(
        site.record().contains("grace@example.org"),
        "{}",
        site.record()
    );
    // Grace, announced for February, leaves the roster.
    let without: Vec<_> = ROSTER
        .iter()
        .copied()
        .filter(|(_, l, _)| *l != "grace")
        .collect();
    site.set_config(&config(&without));
    let r = site.ok("2027-01-08T00:00:00Z", &["who", "--json", "--count", "2"]);
    assert_eq!(r.json()[0]["name"], "Grace Hopper");
    assert_eq!(r.json()[0]["decided"], "record");
    assert!(
        r.stderr.contains("`grace@example.org`") && r.stderr.contains("no longer on the roster"),
        "{}",
        r.stderr
    );
    // Marked away instead: still hers, with a warning.
    let mut away = ROSTER;
    away[1].2 = &["2027-02-01..2027-02-28"];
    site.set_config(&config(&away));
    let r = site.ok("2027-01-08T00:00:00Z", &["who", "--json", "--count", "1"]);
    assert_eq!(r.json()[0]["email"], "grace@example.org");
    assert!(r.stderr.contains("is away that day"), "{}", r.stderr);
}

#[test]
fn pin_errors_name_the_line_and_a_pin_without_a_summit_warns() {
    let text = config_pinned(&ROSTER, (PIN.0, "nobody@example.org"));
    let site = Site::new(&text, YEAR);
    let r = site.run("2027-01-01T00:00:00Z", &["who"]);
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: ")
            && r.stderr
                .contains("`nobody@example.org` is not in the roster")
            && r.stderr.contains("line "),
        "{}",
        r.stderr
    );
    let text = config_pinned(&ROSTER, ("2027-06-08", PIN.1));
    let site = Site::new(&text, YEAR);
    let r = site.ok("2027-01-01T00:00:00Z", &["who"]);
    assert!(
        r.stderr.contains(
            "warning: rotation.assign pins `edsger@example.org` to 2027-06-08, but no summit"
        ),
        "{}",
        r.stderr
    );
}

// ---- who --tz ----

fn who_human(tz_env: &str, extra: &[&str]) -> Run {
    Test::new()
        .example()
        .env("TZ", tz_env)
        .now("2026-11-21T09:00:00Z")
        .args(["who", "--count", "2"])
        .args(extra)
        .success()
}

#[test]
fn who_shows_times_in_the_readers_zone() {
    let utc = who_human("UTC", &[]).stdout;
    assert!(
        utc.starts_with("Thu 26 Nov 2026 16:00 UTC  Grace Hopper <grace@example.org>"),
        "{utc}"
    );
    let la = who_human("America/Los_Angeles", &[]).stdout;
    assert!(
        la.starts_with("Thu 26 Nov 2026 08:00 PST  Grace Hopper"),
        "{la}"
    );
    let colon = who_human(":Europe/Berlin", &[]).stdout;
    assert!(colon.starts_with("Thu 26 Nov 2026 17:00 CET"), "{colon}");
    // --tz wins over the system's zone.
    let kolkata = who_human("America/Los_Angeles", &["--tz", "Asia/Kolkata"]).stdout;
    assert!(
        kolkata.starts_with("Thu 26 Nov 2026 21:30 IST"),
        "{kolkata}"
    );
    // JSON stays in UTC.
    let json = who_human("Asia/Kolkata", &["--json"]).json();
    assert_eq!(json[0]["start"], "2026-11-26T16:00:00Z");
    assert_eq!(json[0]["decided"], "rotation");
    let r = Test::new()
        .example()
        .now("2026-11-21T09:00:00Z")
        .args(["who", "--tz", "Mars/Olympus"])
        .fails(2);
    assert!(
        r.stderr
            .contains("`Mars/Olympus` is not an IANA time zone name"),
        "{}",
        r.stderr
    );
}

// ---- rota --ics ----

const PARSE: &str = r#"
import json, sys
import icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
errors = [str(e) for c in cal.walk() for e in c.errors]
events = []
for ev in cal.walk("VEVENT"):
    start = ev.decoded("DTSTART")
    events.append({
        "uid": str(ev["UID"]),
        "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tz": str(start.tzinfo),
        "end": ev.decoded("DTEND").strftime("%Y-%m-%dT%H:%M:%SZ"),
        "summary": str(ev["SUMMARY"]),
        "description": str(ev["DESCRIPTION"]),
        "dtstamp": ev.decoded("DTSTAMP").strftime("%Y-%m-%dT%H:%M:%SZ"),
    })
print(json.dumps({
    "errors": errors,
    "version": str(cal["VERSION"]),
    "prodid": str(cal["PRODID"]),
    "method": str(cal["METHOD"]),
    "calscale": str(cal["CALSCALE"]),
    "name": str(cal["X-WR-CALNAME"]),
    "events": events,
}))
"#;

/// `rota --ics` parsed by Python's icalendar.
fn parse_ics(ics: &str) -> Value {
    let py = python_with("icalendar", "icalendar");
    let mut child = Command::new(py)
        .args(["-c", PARSE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "icalendar failed on\n{ics}");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rota_ics(now: &str, count: &str) -> String {
    Test::new()
        .example()
        .now(now)
        .args(["rota", "--ics", "--count", count])
        .success()
        .stdout
}

#[test]
fn the_rota_ics_parses_and_matches_who() {
    let ics = rota_ics("2026-11-21T09:00:00Z", "8");
    for l in ics.split("\r\n") {
        assert!(l.len() <= 75, "{l:?}");
    }
    assert!(!ics.replace("\r\n", "").contains('\n'), "CRLF only");
    let cal = parse_ics(&ics);
    assert_eq!(cal["errors"], serde_json::json!([]), "{ics}");
    assert_eq!(cal["version"], "2.0");
    assert_eq!(cal["method"], "PUBLISH");
    assert_eq!(cal["calscale"], "GREGORIAN");
    assert!(cal["prodid"].as_str().unwrap().contains("summit"));
    assert_eq!(cal["name"], "Prometheus summit facilitators");
    let who = Test::new()
        .example()
        .now("2026-11-21T09:00:00Z")
        .args(["who", "--json", "--count", "8"])
        .success()
        .json();
    let events = cal["events"].as_array().unwrap();
    let who = who.as_array().unwrap();
    assert_eq!(events.len(), who.len());
    for (e, w) in events.iter().zip(who) {
        assert_eq!(e["start"], w["start"]);
        assert_eq!(e["tz"], "UTC");
        assert_eq!(
            e["summary"].as_str().unwrap(),
            format!("Facilitator: {}", w["name"].as_str().unwrap())
        );
        assert!(
            e["description"]
                .as_str()
                .unwrap()
                .contains("Prometheus Developer Summit")
        );
        assert!(
            e["description"]
                .as_str()
                .unwrap()
                .contains(w["email"].as_str().unwrap())
        );
        assert_eq!(e["dtstamp"], "2026-11-21T09:00:00Z");
        assert!(e["end"].as_str().unwrap() > e["start"].as_str().unwrap());
    }
    // UIDs: unique, and the same for the same summit whenever the rota is written.
    let uids: Vec<&str> = events.iter().map(|e| e["uid"].as_str().unwrap()).collect();
    let unique: std::collections::HashSet<_> = uids.iter().collect();
    assert_eq!(unique.len(), uids.len(), "{uids:?}");
    let later = parse_ics(&rota_ics("2026-12-01T00:00:00Z", "3"));
    let later = later["events"].as_array().unwrap();
    assert_eq!(later[0]["start"], "2026-12-17T16:00:00Z");
    assert_eq!(later[0]["uid"], events[1]["uid"]);
    assert_eq!(later[1]["uid"], events[2]["uid"]);
}

#[test]
fn rota_out_writes_the_same_feed_to_a_file() {
    let t = Test::new()
        .example()
        .now("2026-11-21T09:00:00Z")
        .args(["rota", "--ics", "--count", "3", "--out", "rota.ics"]);
    let r = t.success();
    assert_eq!(r.stdout, "wrote 3 summit(s) as iCalendar to rota.ics\n");
    let file = std::fs::read_to_string(t.path("rota.ics")).unwrap();
    assert_eq!(file, rota_ics("2026-11-21T09:00:00Z", "3"));
    // Without --ics, rota lists the summits like who.
    let list = Test::new()
        .example()
        .env("TZ", "UTC")
        .now("2026-11-21T09:00:00Z")
        .args(["rota", "--count", "2"])
        .success()
        .stdout;
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.contains("Grace Hopper") && list.contains("Alan Turing"),
        "{list}"
    );
}
