//! The agenda (`--agenda FILE`): the outreach to the owners of the most-voted topics,
//! the facilitator's checklist, `summit timeline`, `summit checklist`, and the
//! assignment heads-up a week before.

use std::collections::BTreeSet;

use mailparse::MailHeaderMap;
use pretty_assertions::assert_eq;

use crate::smtp::SmtpServer;
use crate::test::*;

/// The example summit: Thu 2026-11-26 16:00 UTC, facilitated by Grace Hopper; the
/// topic deadline is 2026-11-25T16:00:00Z.
///
/// Ten topics: two late (one at the deadline, one the most voted of all but after it),
/// and a tie for third place (7 votes), which goes to the earlier proposal.
pub(crate) const AGENDA_CSV: &str = "\
title,owner,email,votes,proposed-at
Remote write 2.0,Alice Example,alice@example.org,12,2026-11-18T10:00:00Z
\"Native histograms, next steps\",\"Bob, the Builder\",bob@example.org,9,2026-11-19T10:00:00Z
OTLP ingestion,Dan Example,dan@example.org,7,2026-11-20T10:00:00Z
UTF-8 metric names,Carol Example,carol@example.org,7,2026-11-20T09:00:00Z
Late but popular,Erin Example,erin@example.org,20,2026-11-25T16:30:00Z
Late at the deadline,Frank Example,frank@example.org,8,2026-11-25T16:00:00Z
Alertmanager UI,Heidi Example,heidi@example.org,5,2026-11-21T10:00:00Z
Scrape config reload,Ivan Example,ivan@example.org,3,2026-11-22T10:00:00+01:00
Docs revamp,Judy Example,judy@example.org,1,2026-11-23T10:00:00Z
Agent mode,Mallory Example,mallory@example.org,0,2026-11-24T10:00:00Z
";

const CHOSEN: [&str; 3] = ["alice@example.org", "bob@example.org", "carol@example.org"];

fn with_agenda() -> Test {
    Test::new()
        .file("agenda.csv", AGENDA_CSV)
        .example()
        .args(["--agenda", "agenda.csv"])
}

/// Header `name` of the first message in `out` (a `draft` output), unfolded.
fn header(out: &str, name: &str) -> String {
    let first = out.split("\n-----\n").next().unwrap();
    mailparse::parse_mail(first.as_bytes())
        .unwrap()
        .headers
        .get_first_value(name)
        .unwrap_or_default()
}

/// The addresses in the `To` header of the `.eml` files in `dir`, one set per file.
fn recipients_in(dir: &std::path::Path) -> Vec<BTreeSet<String>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p).unwrap();
            let mail = mailparse::parse_mail(&bytes).unwrap();
            let to = mail.headers.get_first_value("To").unwrap();
            to.split(',')
                .filter_map(|a| Some(a.split_once('<')?.1.split_once('>')?.0.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn outreach_goes_to_exactly_the_owners_of_the_top_three_topics() {
    let t = with_agenda()
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "outreach", "--out", "out"]);
    t.success();
    let got: BTreeSet<String> = recipients_in(&t.path("out"))
        .into_iter()
        .flatten()
        .collect();
    let want: BTreeSet<String> = CHOSEN.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, want);
    assert_eq!(std::fs::read_dir(t.path("out")).unwrap().count(), 3);

    // Each owner hears about their own topic, with the facilitator to reply to.
    let shown = with_agenda()
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "outreach"])
        .success()
        .stdout;
    let parts: Vec<&str> = shown.split("\n-----\n").collect();
    assert_eq!(parts.len(), 3, "{shown}");
    assert_eq!(
        header(parts[0], "To"),
        "\"Alice Example\" <alice@example.org>"
    );
    assert!(
        parts[0].contains("Remote write 2.0 (12 votes)"),
        "{}",
        parts[0]
    );
    let bob = header(parts[1], "To");
    assert!(
        bob.contains("Bob, the Builder") && bob.ends_with(" <bob@example.org>"),
        "{bob}"
    );
    assert!(parts[1].contains("Native histograms, next steps (9 votes)"));
    assert!(parts[2].contains("UTF-8 metric names (7 votes)"));
    assert!(
        !shown.contains("OTLP"),
        "the tie goes to the earlier proposal"
    );
    assert!(
        parts
            .iter()
            .all(|p| header(p, "Reply-To") == "\"Grace Hopper\" <grace@example.org>")
    );

    // `next --json` lists them as the outreach's recipients.
    let v = with_agenda()
        .now("2026-11-21T09:00:00Z")
        .args(["next", "--json"])
        .success()
        .json();
    let steps = v[0]["steps"].as_array().unwrap();
    let outreach = steps.iter().find(|s| s["step"] == "outreach").unwrap();
    let to: Vec<&str> = outreach["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(to.len(), 3);
    for (addr, want) in to.iter().zip(CHOSEN) {
        assert!(addr.contains(want), "{to:?}");
    }
    let checklist = v[0]["extra_steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "checklist")
        .unwrap();
    assert_eq!(checklist["due"], outreach["due"]);
    assert!(
        checklist["to"][0]
            .as_str()
            .unwrap()
            .contains("grace@example.org")
    );
}

#[test]
fn the_facilitator_gets_the_checklist_with_chosen_and_late_topics() {
    let out = with_agenda()
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "checklist"])
        .success()
        .stdout;
    assert_eq!(
        header(&out, "To"),
        "\"Grace Hopper\" <grace@example.org>",
        "{out}"
    );
    let order = [
        "1. Remote write 2.0 (Alice Example, 12 votes)",
        "2. Native histograms, next steps (Bob, the Builder, 9 votes)",
        "3. UTF-8 metric names (Carol Example, 7 votes)",
        "- OTLP ingestion (Dan Example, 7 votes)",
        "- Alertmanager UI",
        "Late (proposed at or after",
        "- Late but popular (Erin Example, 20 votes)",
        "- Late at the deadline (Frank Example, 8 votes)",
    ];
    let mut at = 0;
    for o in order {
        let i = out[at..]
            .find(o)
            .unwrap_or_else(|| panic!("`{o}` not after byte {at}:\n{out}"));
        at += i;
    }
    // Without an agenda there is no checklist step, and the outreach is the
    // facilitator's.
    let v = Test::new()
        .example()
        .now("2026-11-21T09:00:00Z")
        .args(["next", "--json"])
        .success()
        .json();
    let names = |key: &str| -> Vec<String> {
        v[0][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names("steps"),
        ["reminder", "agenda-vote", "outreach", "handover"]
    );
    assert_eq!(names("extra_steps"), ["assignment"]);
}

#[test]
fn the_agenda_vote_lists_the_topics_proposed_so_far() {
    let out = with_agenda()
        .now("2026-11-24T16:00:00Z")
        .args(["draft", "agenda-vote"])
        .success()
        .stdout;
    assert!(out.contains("Topics proposed so far, by votes:"), "{out}");
    assert!(
        out.contains("  - Late but popular (Erin Example, 20 votes)"),
        "{out}"
    );
    assert!(
        out.contains("  - Agent mode (Mallory Example, 0 votes)"),
        "{out}"
    );
    let plain = Test::new()
        .example()
        .now("2026-11-24T16:00:00Z")
        .args(["draft", "agenda-vote"])
        .success()
        .stdout;
    assert!(!plain.contains("Topics proposed so far"), "{plain}");
}

#[test]
fn tick_sends_the_outreach_once_to_each_chosen_owner() {
    let server = SmtpServer::start();
    let config = std::fs::read_to_string(example_config())
        .unwrap()
        .replacen("transport = \"file\"", "transport = \"smtp\"", 1)
        .replacen("host = \"smtp.example.org\"", "host = \"127.0.0.1\"", 1)
        .replacen("port = 587", &format!("port = {}", server.port), 1)
        .replacen("security = \"starttls\"", "security = \"none\"", 1)
        .replacen("username = \"summit-bot@example.org\"\n", "", 1)
        .replacen("password-env = \"SUMMIT_SMTP_PASSWORD\"\n", "", 1)
        .replacen("# file = \"agenda.csv\"", "file = \"agenda.csv\"", 1);
    let site = Site::new(&config);
    let run = |now: &str| {
        let r = site.run(now, &["tick"]);
        assert_eq!(r.status, 0, "{}", r.stderr);
    };
    for now in [
        "2026-11-19T16:00:00Z",
        "2026-11-23T16:00:00Z",
        "2026-11-24T16:00:00Z",
        "2026-11-25T16:00:00Z",
        "2026-11-25T17:00:00Z",
        "2026-11-26T15:00:00Z",
    ] {
        run(now);
    }
    let messages = server.wait_for(7);
    let all: Vec<String> = messages
        .iter()
        .map(|m| m.message_id().split('.').nth(1).unwrap().to_string())
        .collect();
    let by_step = |step: &str| -> Vec<Vec<String>> {
        messages
            .iter()
            .filter(|m| m.message_id().split('.').nth(1) == Some(step))
            .map(|m| m.rcpt_tos.clone())
            .collect()
    };
    let mut outreach: Vec<String> = by_step("outreach").into_iter().flatten().collect();
    outreach.sort();
    assert_eq!(outreach, CHOSEN);
    assert_eq!(by_step("outreach").len(), 3, "one message each");
    assert_eq!(
        by_step("checklist"),
        [vec!["grace@example.org".to_string()]]
    );
    assert_eq!(
        by_step("assignment"),
        [vec!["grace@example.org".to_string()]]
    );
    // The heads-up a week before, before anything public about the summit (the
    // October handover had closed long before the first run); three owners; the
    // checklist.
    assert_eq!(
        all,
        [
            "assignment",
            "reminder",
            "agenda-vote",
            "outreach",
            "outreach",
            "outreach",
            "checklist"
        ]
    );
    let heads_up = messages
        .iter()
        .find(|m| m.message_id().contains(".assignment."))
        .unwrap();
    assert_eq!(heads_up.header("In-Reply-To"), None);
}

/// A folder with `summit.toml` (the example's, or `config`), `agenda.csv` and the
/// state folder `state`, that every run shares.
struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn new(config: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("summit.toml"), config).unwrap();
        std::fs::write(dir.path().join("agenda.csv"), AGENDA_CSV).unwrap();
        Site { dir }
    }

    fn example() -> Site {
        Site::new(&std::fs::read_to_string(example_config()).unwrap())
    }

    fn run(&self, now: &str, rest: &[&str]) -> Run {
        let mut args: Vec<String> = [
            "--config",
            "summit.toml",
            "--feed",
            example_feed().to_str().unwrap(),
            "--state-dir",
            "state",
            "--now",
            now,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(rest.iter().map(|s| s.to_string()));
        let out = command(self.dir.path(), &args, &[]).output().unwrap();
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[test]
fn timeline_shows_each_steps_state_from_the_ledger() {
    let site = Site::example();
    let timeline = |now: &str| {
        let r = site.run(now, &["--agenda", "agenda.csv", "timeline", "--json"]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        r.json()
    };
    let states = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| {
                format!(
                    "{} {}",
                    s["step"].as_str().unwrap(),
                    s["state"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        states(&timeline("2026-11-23T17:00:00Z")),
        [
            "assignment due",
            "reminder due",
            "agenda-vote upcoming",
            "outreach upcoming",
            "checklist upcoming",
            "handover upcoming",
        ]
    );
    let r = site.run("2026-11-23T17:00:00Z", &["--agenda", "agenda.csv", "tick"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let v = timeline("2026-11-24T17:00:00Z");
    assert_eq!(
        states(&v),
        [
            "assignment sent",
            "reminder sent",
            "agenda-vote due",
            "outreach upcoming",
            "checklist upcoming",
            "handover upcoming",
        ]
    );
    assert_eq!(v[1]["sent_at"], "2026-11-23T17:00:00Z");
    assert_eq!(v[1]["due"], "2026-11-23T16:00:00Z");
    assert_eq!(
        v[1]["to"],
        serde_json::json!(["prometheus-developers@googlegroups.com"])
    );
    assert!(v[2].get("sent_at").is_none());
    let owners = v[3]["to"].as_array().unwrap();
    assert_eq!(owners.len(), 3, "{owners:?}");
    // Nothing ran again until after the start: the steps before it were missed.
    let r = site.run(
        "2026-11-26T16:30:00Z",
        &[
            "timeline",
            "--summit",
            "2026-11-26",
            "--tz",
            "Europe/Berlin",
        ],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let human = r.stdout;
    assert!(
        human.contains("reminder     Mon 23 Nov 2026 17:00 CET  sent at Mon 23 Nov 2026 18:00 CET"),
        "{human}"
    );
    assert!(
        human.contains("agenda-vote  Tue 24 Nov 2026 17:00 CET  missed"),
        "{human}"
    );
    assert!(
        human.contains("handover     Thu 26 Nov 2026 21:00 CET  upcoming"),
        "{human}"
    );
    assert!(
        !human.contains("checklist"),
        "no agenda, no checklist step: {human}"
    );
}

#[test]
fn checklist_is_the_run_sheet_for_the_day() {
    let out = with_agenda()
        .now("2026-11-26T09:00:00Z")
        .arg("checklist")
        .success()
        .stdout;
    for want in [
        "Facilitator: Grace Hopper <grace@example.org>",
        "Run-sheet of today's Developer Summit.",
        "Start: Thu 26 Nov, 16:00 UTC / 08:00 PST / 17:00 CET / 21:30 IST",
        "Join: https://zoom.example.org/j/000000000",
        "[ ] Start the meeting on time",
        "[ ] Start the recording.",
        // Wrapped at 72 columns; the link stays whole.
        "Code of Conduct applies:\n    https://github.com/cncf/foundation/blob/main/code-of-conduct.md",
        "Notes document:\nhttps://docs.google.com/document/d/1uurQCi5iVufhYHGlBZ8mJMK_freDFKPG0iYBQqJ9fvA",
        "[ ] Find who takes notes",
        "1. Remote write 2.0 (Alice Example, 12 votes)",
        "[ ] Call for consensus",
    ] {
        assert!(out.contains(want), "`{want}` missing:\n{out}");
    }
    assert!(!out.starts_with("Subject:"), "{out}");
    // Overridable like the other templates.
    let t = Test::new()
        .file(
            "tpl/checklist.txt",
            "Subject: x\n\nOnly {{ summit.date }}\n",
        )
        .file(
            "summit.toml",
            std::fs::read_to_string(example_config()).unwrap().replacen(
                "outbox = \"outbox\"",
                "outbox = \"outbox\"\ntemplates = \"tpl\"",
                1,
            ),
        )
        .args([
            "--config",
            "summit.toml",
            "--feed",
            example_feed().to_str().unwrap(),
        ])
        .now("2026-11-26T09:00:00Z")
        .arg("checklist");
    assert_eq!(t.success().stdout, "Only 2026-11-26\n");
}

#[test]
fn the_upcoming_facilitator_hears_a_week_before() {
    let out = Test::new()
        .example()
        .now("2026-11-19T16:00:00Z")
        .args(["draft", "assignment"])
        .success()
        .stdout;
    assert_eq!(
        header(&out, "To"),
        "\"Grace Hopper\" <grace@example.org>",
        "{out}"
    );
    assert_eq!(
        header(&out, "Subject"),
        "[Prometheus] You facilitate: Developer Summit, Thu 26 Nov"
    );
    // The team list hears the facilitator's reply (a swap is arranged there).
    assert_eq!(header(&out, "Reply-To"), "prometheus-team@googlegroups.com");
    assert!(out.contains("Hello Grace Hopper,"), "{out}");
    assert!(
        out.contains("you facilitate the Developer Summit on Thu 26 Nov:"),
        "{out}"
    );
    // A week before, nothing has gone out in public yet: the reminder is due on the 23rd.
    assert!(out.contains("before anything goes out in public"), "{out}");
    // Drafted once the reminder is due, it does not say so.
    let late = Test::new()
        .example()
        .now("2026-11-23T16:00:00Z")
        .args(["draft", "assignment"])
        .success()
        .stdout;
    assert!(
        !late.contains("before anything goes out in public"),
        "{late}"
    );
    assert!(late.contains("the Developer Summit on Thursday"), "{late}");
    let v = Test::new()
        .example()
        .now("2026-11-10T00:00:00Z")
        .args(["next", "--json"])
        .success()
        .json();
    assert_eq!(v[0]["extra_steps"][0]["step"], "assignment");
    assert_eq!(v[0]["extra_steps"][0]["due"], "2026-11-19T16:00:00Z");
}

/// `draft STEP` at `now` on the example with `agenda.csv` holding `text` (or no agenda
/// file at all with `None`).
fn draft_with(text: Option<&str>, now: &str, step: &str) -> Run {
    let mut t = Test::new();
    if let Some(text) = text {
        t = t.file("agenda.csv", text);
    }
    t.example()
        .args(["--agenda", "agenda.csv"])
        .now(now)
        .args(["draft", step])
        .run()
}

#[test]
fn a_bad_agenda_fails_only_the_outreach_and_the_checklist_naming_file_and_line() {
    let cases = [
        (
            Some(AGENDA_CSV.replace(",12,", ",twelve,")),
            "agenda.csv: line 2: votes `twelve` of topic `Remote write 2.0` is neither a whole number nor a run of `+1`, expected e.g. `4` or `+1 +1 +1`",
        ),
        (
            Some(AGENDA_CSV.replace(",9,", ",+1 +1 -1,")),
            "agenda.csv: line 3: votes `+1 +1 -1` of topic `Native histograms, next steps` is neither",
        ),
        (
            Some(AGENDA_CSV.replace("2026-11-21T10:00:00Z", "21/11/2026")),
            "agenda.csv: line 8: proposed-at `21/11/2026` of topic `Alertmanager UI` is neither an RFC 3339 instant nor a date, expected e.g. `2026-11-20T09:30:00Z` or `2026-11-20`",
        ),
        (None, "agenda.csv: no such agenda file"),
    ];
    for (text, want) in &cases {
        for step in ["outreach", "checklist"] {
            let r = draft_with(text.as_deref(), "2026-11-25T16:00:00Z", step);
            assert_eq!(r.status, 1, "{step}: {}", r.stderr);
            let errors: Vec<&str> = r
                .stderr
                .lines()
                .filter(|l| l.starts_with("error: "))
                .collect();
            assert_eq!(errors.len(), 1, "{}", r.stderr);
            assert!(errors[0].contains(want), "{step}: {}", r.stderr);
            assert!(
                errors[0].contains(&format!(
                    "the {step} needs it, so it cannot be drafted until the agenda can be read"
                )),
                "{}",
                r.stderr
            );
            assert!(r.stdout.is_empty(), "{}", r.stdout);
        }
        // The other steps are drafted as usual, with one warning about the agenda.
        for (step, now) in [
            ("reminder", "2026-11-23T16:00:00Z"),
            ("agenda-vote", "2026-11-24T16:00:00Z"),
            ("assignment", "2026-11-19T16:00:00Z"),
        ] {
            let r = draft_with(text.as_deref(), now, step);
            assert_eq!(r.status, 0, "{step}: {}", r.stderr);
            assert!(r.stdout.starts_with("Subject:") || r.stdout.contains("\nSubject:"));
            let warnings: Vec<&str> = r.stderr.lines().collect();
            assert_eq!(warnings.len(), 1, "{}", r.stderr);
            assert!(
                warnings[0].starts_with("warning: ") && warnings[0].contains(want),
                "{}",
                r.stderr
            );
            assert!(
                warnings[0].contains("the outreach and the checklist need it"),
                "{}",
                r.stderr
            );
        }
    }
    // The printed run-sheet says why it has no topics.
    let r = Test::new()
        .example()
        .args(["--agenda", "agenda.csv"])
        .now("2026-11-26T09:00:00Z")
        .arg("checklist")
        .success();
    assert!(
        r.stdout.contains("[ ] Take the topics in vote order, by who is present:\n    (the agenda file could not be read: agenda.csv: no such agenda file;\n    see the votes in the notes document)\n"),
        "{}",
        r.stdout
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    // The handover of the summit before, with a broken agenda for the next one.
    let r = draft_with(None, "2026-11-26T20:00:00Z", "handover");
    assert_eq!(r.status, 0, "{}", r.stderr);
    // Another kind of file: named, with what is expected.
    let r = Test::new()
        .file("agenda.txt", "x")
        .example()
        .args(["--agenda", "agenda.txt", "draft", "outreach"])
        .now("2026-11-25T16:00:00Z")
        .fails(1);
    assert!(
        r.stderr.contains(
            "agenda.txt: `agenda.txt` is not an agenda file name, expected a `.toml` or `.csv` file"
        ),
        "{}",
        r.stderr
    );
    // `next` still shows the timeline; the outreach's recipients are unknown.
    let r = Test::new()
        .example()
        .args(["--agenda", "missing.csv", "next", "--json"])
        .now("2026-11-21T09:00:00Z")
        .success();
    assert!(
        r.stderr.contains("missing.csv: no such agenda file"),
        "{}",
        r.stderr
    );
    let v = r.json();
    let outreach = v[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "outreach")
        .unwrap();
    assert_eq!(outreach["to"], serde_json::json!([]));
    assert_eq!(outreach["error"], "agenda unreadable: see the warning");
    let reminder = &v[0]["steps"][0];
    assert_eq!(reminder["to"][0], "prometheus-developers@googlegroups.com");
    assert!(reminder.get("error").is_none());
}

#[test]
fn tick_with_a_missing_agenda_sends_the_other_steps_and_reports_the_outreach() {
    let config = std::fs::read_to_string(example_config()).unwrap().replacen(
        "# file = \"agenda.csv\"",
        "file = \"agenda.csv\"",
        1,
    );
    let site = Site::new(&config);
    std::fs::remove_file(site.dir.path().join("agenda.csv")).unwrap();
    let warning = "warning: ./agenda.csv: no such agenda file; the outreach and the checklist need it and fail until it is fixed (the other steps go out as usual)";
    // The reminder is due: it goes out, with one warning about the agenda.
    let r = site.run("2026-11-23T16:00:00Z", &["tick", "--dry-run"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("would send the reminder of the summit on 2026-11-26"),
        "{}",
        r.stdout
    );
    let agenda_lines: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.contains("agenda.csv"))
        .collect();
    assert_eq!(agenda_lines, [warning], "{}", r.stderr);
    let r = site.run("2026-11-23T16:00:00Z", &["tick"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(r.stdout.contains("sent the reminder"), "{}", r.stdout);
    // Nothing due: nothing printed, the agenda notwithstanding.
    let r = site.run("2026-11-23T17:00:00Z", &["tick"]);
    assert_eq!(
        (r.status, r.stdout.as_str(), r.stderr.as_str()),
        (0, "", "")
    );
    // The agenda vote still goes out.
    let r = site.run("2026-11-24T16:00:00Z", &["tick", "--dry-run"]);
    assert!(
        r.stdout.contains("would send the agenda-vote"),
        "{}",
        r.stdout
    );
    // The outreach (and the checklist) are due: they fail, naming the file.
    let r = site.run("2026-11-25T16:00:00Z", &["tick", "--dry-run", "--json"]);
    let records = r.json();
    let by_step = |step: &str| -> Vec<serde_json::Value> {
        records
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["step"] == step)
            .cloned()
            .collect()
    };
    for step in ["outreach", "checklist"] {
        let got = by_step(step);
        assert_eq!(got.len(), 1, "{records:#}");
        assert_ne!(got[0]["action"], "would-send", "{records:#}");
        let detail = got[0]["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("agenda.csv: no such agenda file")
                && detail.contains(&format!(
                    "the {step} needs it, so it cannot be drafted until the agenda can be read"
                )),
            "{records:#}"
        );
    }
    assert!(r.stderr.lines().any(|l| l == warning), "{}", r.stderr);
    // For real: the agenda vote goes out; a day later the outreach and the checklist
    // fail (exit 1), each naming the file, and are tried again while they are useful.
    let r = site.run("2026-11-24T16:00:00Z", &["tick"]);
    assert!(r.stdout.contains("sent the agenda-vote"), "{}", r.stdout);
    let r = site.run("2026-11-25T16:00:00Z", &["tick"]);
    assert_eq!((r.status, r.stdout.as_str()), (1, ""), "{}", r.stderr);
    for step in ["outreach", "checklist"] {
        assert!(
            r.stderr.lines().any(|l| l.starts_with(&format!(
                "error: the {step} of the summit on 2026-11-26 was not sent: ./agenda.csv: no such agenda file; the {step} needs it"
            )) && l.ends_with("the next tick tries it again until 2026-11-26T16:00:00Z")),
            "{}",
            r.stderr
        );
    }
    let ledger = std::fs::read_to_string(site.dir.path().join("state/ledger.toml")).unwrap();
    // Nothing of the outreach or the checklist (due 25 November) is recorded yet.
    assert!(
        !ledger.contains("due = \"2026-11-25T16:00:00Z\""),
        "{ledger}"
    );
    // Once the file is there, the next tick sends them while their window is open.
    std::fs::write(site.dir.path().join("agenda.csv"), AGENDA_CSV).unwrap();
    let r = site.run("2026-11-25T16:20:00Z", &["tick"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    for who in CHOSEN {
        assert!(
            r.stdout.contains(&format!(
                "sent the outreach of the summit on 2026-11-26 to {who}"
            )),
            "{}",
            r.stdout
        );
    }
    assert!(
        r.stdout
            .contains("sent the checklist of the summit on 2026-11-26 to grace@example.org"),
        "{}",
        r.stdout
    );
}

/// The example's agenda with Bob's address left out and Carol's mistyped: both are
/// among the three chosen topics.
fn agenda_without_addresses() -> String {
    AGENDA_CSV
        .replace("bob@example.org", "")
        .replace("carol@example.org", "carol at example.org")
}

#[test]
fn a_topic_without_an_address_is_left_to_the_facilitator() {
    let t = Test::new()
        .file("agenda.csv", agenda_without_addresses())
        .example()
        .args(["--agenda", "agenda.csv"])
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "outreach", "--out", "out"]);
    let r = t.success();
    assert_eq!(
        recipients_in(&t.path("out")),
        [BTreeSet::from(["alice@example.org".to_string()])]
    );
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| !l.starts_with("wrote "))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", r.stderr);
    assert!(
        warnings[0].starts_with("warning: agenda.csv: line 5: email `carol at example.org` of topic `UTF-8 metric names` is not an e-mail address (")
            && warnings[0].ends_with("), expected `user@example.org`; the topic is kept, and its owner is left to the facilitator to reach"),
        "{}",
        r.stderr
    );
    // The facilitator's checklist lists them, in vote order, to reach by hand.
    let out = Test::new()
        .file("agenda.csv", agenda_without_addresses())
        .example()
        .args(["--agenda", "agenda.csv"])
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "checklist"])
        .success()
        .stdout;
    assert_eq!(header(&out, "To"), "\"Grace Hopper\" <grace@example.org>");
    assert!(
        out.contains(
            "[ ] Reach these owners yourself (no address), to make sure they will\n    attend:\n    - Bob, the Builder: Native histograms, next steps\n    - Carol Example: UTF-8 metric names\n[ ] Start the meeting on time"
        ),
        "{out}"
    );
    assert!(out.contains("2. Native histograms, next steps (Bob, the Builder, 9 votes)"));
    // With every address present there is no such item.
    let out = with_agenda()
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "checklist"])
        .success()
        .stdout;
    assert!(!out.contains("Reach these owners"), "{out}");
    // An agenda without the `email` column at all: no outreach to anyone, and the
    // checklist lists every chosen topic.
    let bare =
        "title,owner,votes,proposed-at\nA topic,Ann,+1 +1,2026-11-20\nB topic,Bo,+1,2026-11-20\n";
    let r = Test::new()
        .file("agenda.csv", bare)
        .example()
        .args(["--agenda", "agenda.csv"])
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "outreach"])
        .fails(1);
    assert!(
        r.stderr
            .contains("no topic of the agenda with an owner's address"),
        "{}",
        r.stderr
    );
    let out = Test::new()
        .file("agenda.csv", bare)
        .example()
        .args(["--agenda", "agenda.csv"])
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "checklist"])
        .success()
        .stdout;
    assert!(
        out.contains("    - Ann: A topic\n    - Bo: B topic\n"),
        "{out}"
    );
    // Nobody facilitates (every member away): nobody gets the checklist, so say so.
    let config = std::fs::read_to_string(example_config())
        .unwrap()
        .replace("away = [\"2026-12-10..2027-01-06\"]\n", "")
        .replace(
            "@example.org\"\n\n[[rotation.members]]",
            "@example.org\"\naway = [\"2026-11-26\"]\n\n[[rotation.members]]",
        )
        .replace(
            "# greeting = \"Ada\"\n",
            "# greeting = \"Ada\"\naway = [\"2026-11-26\"]\n",
        )
        .replace(
            "email = \"edsger@example.org\"\n",
            "email = \"edsger@example.org\"\naway = [\"2026-11-26\"]\n",
        );
    let r = Test::new()
        .file("summit.toml", config)
        .file("agenda.csv", agenda_without_addresses())
        .args([
            "--config",
            "summit.toml",
            "--feed",
            example_feed().to_str().unwrap(),
        ])
        .args(["--agenda", "agenda.csv"])
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "outreach"])
        .success();
    assert!(
        r.stderr.contains("warning: the summit on 2026-11-26 has no facilitator to send the checklist to, and the owners of `Native histograms, next steps` (Bob, the Builder), `UTF-8 metric names` (Carol Example) have no address in the agenda: nobody is asked to reach them"),
        "{}",
        r.stderr
    );
}

#[test]
fn proposed_at_may_be_a_date_counted_from_midnight_in_the_first_zone() {
    // The topic deadline is 2026-11-25T16:00:00Z. `2026-11-25` is on time in any zone;
    // `2026-11-26` starts at 00:00 UTC (late), but at 10:00 UTC the day before in
    // Pacific/Kiritimati (UTC+14; on time).
    let text = "title,owner,email,votes,proposed-at\n\
Dated on the deadline day,Ann,ann@example.org,1,2026-11-25\n\
Dated the summit day,Bo,bo@example.org,+1 +1,2026-11-26\n";
    let outreach_to = |zones: &str| {
        let config = std::fs::read_to_string(example_config())
            .unwrap()
            .replace("zones = [\"UTC\", ", &format!("zones = [{zones}, "));
        let t = Test::new()
            .file("summit.toml", config)
            .file("agenda.csv", text)
            .args([
                "--config",
                "summit.toml",
                "--feed",
                example_feed().to_str().unwrap(),
            ])
            .args(["--agenda", "agenda.csv"])
            .now("2026-11-25T16:00:00Z")
            .args(["draft", "outreach", "--out", "out"]);
        t.success();
        recipients_in(&t.path("out"))
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
    };
    assert_eq!(outreach_to("\"UTC\""), ["ann@example.org"]);
    assert_eq!(
        outreach_to("\"Pacific/Kiritimati\""),
        ["bo@example.org", "ann@example.org"]
    );
    // The checklist shows the late one as late, at its resolved instant.
    let out = Test::new()
        .file("agenda.csv", text)
        .example()
        .args(["--agenda", "agenda.csv"])
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "checklist"])
        .success()
        .stdout;
    assert!(
        out.contains("Late (proposed at or after")
            && out.contains("- Dated the summit day (Bo, 2 votes)"),
        "{out}"
    );
}

#[test]
fn votes_may_be_runs_of_plus_one_in_csv_and_toml() {
    let csv = "title,owner,email,votes,proposed-at\n\
Three,Ann,ann@example.org,+1 +1 +1,2026-11-20T10:00:00Z\n\
Two,Bo,bo@example.org,+1+1,2026-11-20T10:00:00Z\n\
Four,Cy,cy@example.org,4,2026-11-20T10:00:00Z\n\
None,Di,di@example.org,,2026-11-20T10:00:00Z\n";
    let toml = "[[topic]]\ntitle = \"Three\"\nowner = \"Ann\"\nemail = \"ann@example.org\"\nvotes = \"+1 +1 +1\"\nproposed-at = 2026-11-20T10:00:00Z\n\n\
[[topic]]\ntitle = \"Two\"\nowner = \"Bo\"\nemail = \"bo@example.org\"\nvotes = \"+1+1\"\nproposed-at = 2026-11-20\n\n\
[[topic]]\ntitle = \"Four\"\nowner = \"Cy\"\nemail = \"cy@example.org\"\nvotes = 4\nproposed-at = \"2026-11-20T10:00:00Z\"\n\n\
[[topic]]\ntitle = \"None\"\nowner = \"Di\"\nemail = \"di@example.org\"\nvotes = \"\"\nproposed-at = 2026-11-20T10:00:00Z\n";
    for (file, text) in [("agenda.csv", csv), ("agenda.toml", toml)] {
        let out = Test::new()
            .file(file, text)
            .example()
            .args(["--agenda", file])
            .now("2026-11-25T16:00:00Z")
            .args(["draft", "checklist"])
            .success()
            .stdout;
        let want = "    1. Four (Cy, 4 votes)\n    2. Three (Ann, 3 votes)\n    3. Two (Bo, 2 votes)\n    Then, if time allows:\n    - None (Di, 0 votes)\n";
        assert!(out.contains(want), "{file}:\n{out}");
    }
    // A bad value is named, with its line and what was expected.
    for (file, text, want) in [
        (
            "agenda.csv",
            csv.replace("+1+1", "+1+2"),
            "agenda.csv: line 3: votes `+1+2` of topic `Two` is neither a whole number nor a run of `+1`, expected e.g. `4` or `+1 +1 +1`",
        ),
        (
            "agenda.toml",
            toml.replace("votes = 4", "votes = -4"),
            "agenda.toml: line 19: votes `-4` of topic `Four` is neither a whole number nor a run of `+1`",
        ),
        (
            "agenda.toml",
            toml.replace("votes = 4", "votes = 4.5"),
            "agenda.toml: line 19: votes `4.5` of topic `Four`",
        ),
    ] {
        let r = Test::new()
            .file(file, &text)
            .example()
            .args(["--agenda", file])
            .now("2026-11-25T16:00:00Z")
            .args(["draft", "outreach"])
            .fails(1);
        assert!(r.stderr.contains(want), "{}", r.stderr);
    }
}

#[test]
fn during_the_summit_the_commands_show_it_until_it_ends() {
    // The summit runs 16:00-18:00 UTC on 2026-11-26.
    let during = "2026-11-26T17:00:00Z";
    let checklist = with_agenda().now(during).arg("checklist").success().stdout;
    assert!(
        checklist.contains("Run-sheet of today's Developer Summit."),
        "{checklist}"
    );
    assert!(
        checklist.contains("1. Remote write 2.0 (Alice Example, 12 votes)"),
        "the agenda stays tied to the summit in progress: {checklist}"
    );
    let timeline = with_agenda().now(during).arg("timeline").success().stdout;
    assert!(
        timeline
            .starts_with("Prometheus Developer Summit on Thu 26 Nov 2026 16:00 UTC  (now on)\n"),
        "{timeline}"
    );
    assert!(
        timeline.contains("handover     Thu 26 Nov 2026 20:00 UTC  upcoming"),
        "{timeline}"
    );
    let v = with_agenda()
        .now(during)
        .args(["timeline", "--json"])
        .success()
        .json();
    let steps: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert!(steps.contains(&"checklist"), "{v:#}");
    assert_eq!(
        v.as_array().unwrap().last().unwrap()["due"],
        "2026-11-26T20:00:00Z"
    );
    let next = with_agenda().now(during).arg("next").success().stdout;
    assert!(
        next.starts_with("Prometheus Developer Summit  (now on)\n"),
        "{next}"
    );
    assert!(
        next.contains("Facilitator: Grace Hopper <grace@example.org>"),
        "{next}"
    );
    let who = Test::new()
        .example()
        .env("TZ", "UTC")
        .now(during)
        .args(["who", "--count", "2"])
        .success()
        .stdout;
    assert_eq!(
        who,
        "Thu 26 Nov 2026 16:00 UTC  Grace Hopper <grace@example.org>  (now on)\nThu 17 Dec 2026 16:00 UTC  Alan Turing <alan@example.org>\n"
    );
    let v = Test::new()
        .example()
        .now(during)
        .args(["who", "--json", "--count", "2"])
        .success()
        .json();
    assert_eq!(
        v,
        serde_json::json!([
            {"start": "2026-11-26T16:00:00Z", "name": "Grace Hopper", "email": "grace@example.org", "decided": "rotation", "cancelled": false, "now": true},
            {"start": "2026-12-17T16:00:00Z", "name": "Alan Turing", "email": "alan@example.org", "decided": "rotation", "cancelled": false}
        ])
    );
    // From its end, the next summit; the rotation is the same.
    let after = "2026-11-26T18:00:00Z";
    let checklist = Test::new()
        .example()
        .now(after)
        .arg("checklist")
        .success()
        .stdout;
    assert!(
        checklist.contains("Run-sheet of the Developer Summit on Thu 17 Dec."),
        "{checklist}"
    );
    let v = Test::new()
        .example()
        .now(after)
        .args(["who", "--json", "--count", "1"])
        .success()
        .json();
    assert_eq!(
        v,
        serde_json::json!([{"start": "2026-12-17T16:00:00Z", "name": "Alan Turing", "email": "alan@example.org", "decided": "rotation", "cancelled": false}])
    );
    let timeline = Test::new()
        .example()
        .now(after)
        .arg("timeline")
        .success()
        .stdout;
    assert!(!timeline.contains("now on"), "{timeline}");
    assert!(timeline.contains("Thu 17 Dec 2026 16:00 UTC"), "{timeline}");
}

#[test]
fn a_toml_agenda_is_tied_to_its_summit() {
    let toml = "summit = \"2026-12-17\"\n\n[[topic]]\ntitle = \"December topic\"\nowner = \"Zed\"\nemail = \"zed@example.org\"\nvotes = 4\nproposed-at = 2026-12-01T10:00:00Z\n";
    // For the November summit the agenda does not apply: the outreach is the
    // facilitator's.
    let out = Test::new()
        .file("agenda.toml", toml)
        .example()
        .args(["--agenda", "agenda.toml"])
        .now("2026-11-25T16:00:00Z")
        .args(["draft", "outreach"])
        .success()
        .stdout;
    assert_eq!(
        header(&out, "To"),
        "\"Grace Hopper\" <grace@example.org>",
        "{out}"
    );
    let out = Test::new()
        .file("agenda.toml", toml)
        .example()
        .args(["--agenda", "agenda.toml"])
        .now("2026-12-16T16:00:00Z")
        .args(["draft", "outreach"])
        .success()
        .stdout;
    assert_eq!(header(&out, "To"), "Zed <zed@example.org>", "{out}");
    assert!(out.contains("December topic (4 votes)"), "{out}");
}
