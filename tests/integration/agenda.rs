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
        human.contains("reminder     Mon 2026-11-23 17:00 CET  sent at Mon 2026-11-23 18:00 CET"),
        "{human}"
    );
    assert!(
        human.contains("agenda-vote  Tue 2026-11-24 17:00 CET  missed"),
        "{human}"
    );
    assert!(
        human.contains("handover     Thu 2026-11-26 21:00 CET  upcoming"),
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

#[test]
fn a_bad_agenda_is_a_configuration_error_naming_file_and_line() {
    for (text, want) in [
        (
            AGENDA_CSV.replace(",12,", ",twelve,"),
            "agenda.csv: line 2: votes `twelve` of topic `Remote write 2.0` is not a whole number",
        ),
        (
            AGENDA_CSV.replace("dan@example.org", "dan at example"),
            "agenda.csv: line 4: email `dan at example` of topic `OTLP ingestion` is not an e-mail address",
        ),
        (
            AGENDA_CSV.replace("2026-11-21T10:00:00Z", "21/11/2026"),
            "agenda.csv: line 8: proposed-at `21/11/2026` of topic `Alertmanager UI` is not an RFC 3339 instant",
        ),
    ] {
        let r = Test::new()
            .file("agenda.csv", text)
            .example()
            .args(["--agenda", "agenda.csv"])
            .now("2026-11-25T16:00:00Z")
            .args(["draft", "outreach"])
            .fails(2);
        assert!(r.stderr.contains(want), "{}", r.stderr);
    }
    let r = Test::new()
        .file("agenda.txt", "x")
        .example()
        .args(["--agenda", "agenda.txt", "next"])
        .now("2026-11-25T16:00:00Z")
        .fails(2);
    assert!(
        r.stderr.contains("expected a `.toml` or `.csv` file"),
        "{}",
        r.stderr
    );
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
