//! Agenda sources (issue #14): `agenda.url` (a published CSV through the feed's
//! cache), and what `summit agenda`, `summit check`, the outreach, `timeline` and
//! `checklist` make of a source. The mailbox and GitHub sources have their own files.

use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::agenda::AGENDA_CSV;
use crate::http::{FeedServer, Mode};
use crate::test::*;

/// The example configuration with `agenda` as its `[agenda]` table, written as
/// `summit.toml` in a fresh test folder; runs with the example feed.
pub(crate) fn with_source(agenda: &str) -> Test {
    let config = std::fs::read_to_string(example_config()).unwrap().replacen(
        "[agenda]\n",
        &format!("[agenda]\n{agenda}\n"),
        1,
    );
    let feed = example_feed();
    Test::new().file("summit.toml", config).args([
        "--config",
        "summit.toml",
        "--feed",
        feed.to_str().unwrap(),
    ])
}

/// The (title, votes, late) of each topic of `summit agenda --json`, in its order.
pub(crate) fn ranking(v: &Value) -> Vec<(String, u64, bool)> {
    v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["title"].as_str().unwrap().to_string(),
                t["votes"].as_u64().unwrap(),
                t["late"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The ranking of [`AGENDA_CSV`] at the example summit's deadline.
pub(crate) fn csv_ranking() -> Vec<(String, u64, bool)> {
    [
        ("Remote write 2.0", 12, false),
        ("Native histograms, next steps", 9, false),
        ("UTF-8 metric names", 7, false),
        ("OTLP ingestion", 7, false),
        ("Alertmanager UI", 5, false),
        ("Scrape config reload", 3, false),
        ("Docs revamp", 1, false),
        ("Agent mode", 0, false),
        ("Late but popular", 20, true),
        ("Late at the deadline", 8, true),
    ]
    .into_iter()
    .map(|(t, v, l)| (t.to_string(), v, l))
    .collect()
}

const BEFORE_OUTREACH: &str = "2026-11-24T12:00:00Z";

#[test]
fn a_published_csv_ranks_as_the_file_does_and_is_revalidated_with_its_etag() {
    let server = FeedServer::start(Mode::Serve {
        body: AGENDA_CSV.as_bytes().to_vec(),
        etag: "\"v1\"".into(),
    });
    let url = format!("http://127.0.0.1:{}/sheet/pub?output=csv", server.port);
    let t = with_source(&format!("url = \"{url}\""))
        .now(BEFORE_OUTREACH)
        .args(["--state-dir", "state"]);
    let v = t.clone_with(["agenda", "--json"]).success().json();
    assert_eq!(ranking(&v), csv_ranking());
    assert_eq!(v["source"], format!("http://127.0.0.1:{}", server.port));
    assert_eq!(v["topics"][0]["chosen"], true);
    assert_eq!(v["topics"][3]["chosen"], false);
    // `summit agenda` writes no cache: the next read asks again without a validator.
    // `send outreach` does, and the read after it revalidates.
    t.clone_with(["send", "outreach", "--yes"]).success();
    let before = server.requests().len();
    t.clone_with(["agenda", "--json"]).success();
    let asked = &server.requests()[before..];
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].if_none_match.as_deref(), Some("\"v1\""));
    // The server gone: the cached copy stands in, with a warning.
    server.set(Mode::Status(503));
    let run = t.clone_with(["agenda", "--json"]).success();
    assert_eq!(ranking(&run.json()), csv_ranking());
    assert!(
        run.stderr.contains("warning: agenda `http://127.0.0.1:")
            && run.stderr.contains("the server answered 503")
            && run.stderr.contains("using the copy cached at"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_unreachable_source_fails_the_outreach_only_and_names_the_source() {
    let server = FeedServer::start(Mode::Status(500));
    let url = format!("http://127.0.0.1:{}/agenda.csv", server.port);
    let t = with_source(&format!("url = \"{url}\""));
    let run = t.clone_with(["--now", BEFORE_OUTREACH, "agenda"]).fails(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: http://127.0.0.1:{}: the server answered 500",
            server.port
        )),
        "{}",
        run.stderr
    );
    // The reminder goes out regardless; the outreach fails, naming the source.
    let run = t
        .clone_with(["--now", "2026-11-23T16:30:00Z", "--state-dir", "s", "tick"])
        .success();
    assert!(
        run.stderr
            .contains("the outreach and the checklist need it"),
        "{}",
        run.stderr
    );
    let run = t
        .clone_with([
            "--now",
            "2026-11-25T16:30:00Z",
            "--state-dir",
            "s",
            "send",
            "outreach",
        ])
        .fails(1);
    assert!(
        run.stderr.contains(&format!(
            "the outreach of the summit on 2026-11-26 was not sent: http://127.0.0.1:{}: the server answered 500 Internal Server Error; no cached copy to fall back on; the outreach needs it, so it cannot be drafted until the agenda can be read",
            server.port
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn agenda_without_a_source_says_what_to_configure() {
    let run = Test::new()
        .example()
        .now(BEFORE_OUTREACH)
        .arg("agenda")
        .fails(2);
    assert_eq!(
        run.stderr,
        "error: no agenda is configured, expected `agenda.file`, `agenda.url`, `[agenda.mailbox]` or `[agenda.github]` in the configuration, or --agenda FILE\n"
    );
}

#[test]
fn agenda_lists_a_file_in_vote_order_with_late_ones_apart() {
    let run = Test::new()
        .file("agenda.csv", AGENDA_CSV)
        .example()
        .env("TZ", "UTC")
        .now(BEFORE_OUTREACH)
        .args(["--agenda", "agenda.csv", "agenda"])
        .success();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Agenda of Prometheus Developer Summit on Thu 26 Nov 2026 16:00 UTC (from agenda.csv)"
    );
    assert_eq!(
        lines[1],
        "Topics are due before Wed 25 Nov 2026 16:00 UTC; the outreach covers the 3 most-voted."
    );
    assert!(
        lines[3].starts_with("1*    Remote write 2.0"),
        "{}",
        run.stdout
    );
    assert!(
        lines[6].starts_with("4     OTLP ingestion"),
        "{}",
        run.stdout
    );
    let late = lines
        .iter()
        .position(|l| *l == "Late (proposed at or after the deadline):")
        .expect(&run.stdout);
    assert!(
        lines[late + 1].starts_with("late  Late but popular"),
        "{}",
        run.stdout
    );
    let v = Test::new()
        .file("agenda.csv", AGENDA_CSV)
        .example()
        .now(BEFORE_OUTREACH)
        .args(["--agenda", "agenda.csv", "agenda", "--json"])
        .success()
        .json();
    assert_eq!(ranking(&v), csv_ranking());
    assert_eq!(v["deadline"], "2026-11-25T16:00:00Z");
    assert_eq!(v["topics"][8]["rank"], Value::Null);
    assert_eq!(v["topics"][0]["confirmed"], Value::Null);
}

/// The mailbox scenario's topics ([`crate::mailbox::scenario`]) as (title, author
/// login, created, 👍 logins).
const GITHUB_TOPICS: [(&str, &str, &str, &[&str]); 6] = [
    ("Last month's", "erin", "2026-10-20T10:00:00Z", &[]),
    (
        "Remote write 2.0",
        "alice",
        "2026-11-02T10:00:00Z",
        &["ada-gh", "Grace-GH", "alan-gh"],
    ),
    (
        "Native histograms, naïve",
        "bob",
        "2026-11-03T10:00:00Z",
        &["ada-gh", "grace-gh"],
    ),
    (
        "OTLP ingestion",
        "dan",
        "2026-11-04T10:00:00Z",
        &["katherine-gh", "ada-gh", "mallory"],
    ),
    (
        "UTF-8 names",
        "erin",
        "2026-11-05T10:00:00Z",
        &["edsger-gh", "carol-gh", "Edsger-GH", "mallory"],
    ),
    (
        "Late topic",
        "frank",
        "2026-11-25T17:00:00Z",
        &["ada-gh", "grace-gh", "alan-gh", "katherine-gh"],
    ),
];

/// GitHub's REST contract for the labelled issues of `prometheus/proposals` and their
/// 👍 reactions (issue #14; see `github.rs` for the finer points).
fn github(r: &crate::contract::Request) -> Result<crate::contract::Answer, String> {
    use crate::contract::Answer;
    r.expect_header("accept", "application/vnd.github+json")?;
    r.expect_header("x-github-api-version", "2022-11-28")?;
    r.expect_header("authorization", "Bearer gh-test-token")?;
    r.expect("GET", &r.path)?;
    let repo = "/repos/prometheus/proposals/issues";
    if r.path == format!("{repo}?labels=dev-summit&state=open&per_page=100") {
        let issues: Vec<Value> = GITHUB_TOPICS
            .iter()
            .enumerate()
            .map(|(n, (title, login, created, thumbs))| {
                serde_json::json!({
                    "number": n + 1,
                    "title": title,
                    "user": {"login": login},
                    "created_at": created,
                    "html_url": format!("https://github.com/prometheus/proposals/issues/{}", n + 1),
                    "reactions": {"+1": thumbs.len(), "-1": 0},
                })
            })
            .collect();
        return Ok(Answer::json(200, Value::Array(issues)).with("ETag", "\"issues-1\""));
    }
    for (n, (_, _, _, thumbs)) in GITHUB_TOPICS.iter().enumerate() {
        if r.path == format!("{repo}/{}/reactions?content=%2B1&per_page=100", n + 1) {
            let list: Vec<Value> = thumbs
                .iter()
                .map(|l| serde_json::json!({"content": "+1", "user": {"login": l}}))
                .collect();
            return Ok(Answer::json(200, Value::Array(list)));
        }
    }
    Err(format!("GET {} is not a path of this contract", r.path))
}

/// The example configuration with GitHub logins for its members.
fn with_logins(agenda: &str) -> Test {
    let t = with_source(agenda);
    let path = t.path("summit.toml");
    let mut config = std::fs::read_to_string(&path).unwrap();
    for name in ["ada", "grace", "alan", "katherine", "edsger"] {
        config = config.replace(
            &format!("\nemail = \"{name}@example.org\"\n"),
            &format!("\nemail = \"{name}@example.org\"\ngithub = \"{name}-gh\"\n"),
        );
    }
    std::fs::write(&path, config).unwrap();
    t
}

#[test]
fn a_github_label_a_published_csv_and_the_mailing_list_rank_the_same() {
    let at = "2026-11-26T10:00:00Z";
    // The mailing list.
    let mail =
        with_source("voters = [\"carol@example.org\"]\n[agenda.mailbox]\nurl = \"mbox:dev.mbox\"")
            .file(
                "dev.mbox",
                crate::mailbox::mbox(&crate::mailbox::scenario()),
            )
            .args(["--now", at, "agenda", "--json"])
            .success()
            .json();
    // GitHub, through the binary, with the token from the environment.
    let server = crate::contract::Server::start(github);
    let gh = with_logins(&format!(
        "voters = [\"@carol-gh\"]\n[agenda.github]\nrepo = \"prometheus/proposals\"\nlabel = \"dev-summit\"\ntoken-env = \"SUMMIT_TEST_GITHUB_TOKEN\"\napi = \"{}\"",
        server.url("")
    ))
    .env("SUMMIT_TEST_GITHUB_TOKEN", "gh-test-token")
    .args(["--now", at, "agenda", "--json"]);
    let run = gh.success();
    let github = run.json();
    assert!(!run.stderr.contains("gh-test-token"), "{}", run.stderr);
    // The authors are not on the roster: listed as @login, reached by hand.
    assert!(
        run.stderr.contains("warning: ") && run.stderr.contains("`@alice`"),
        "{}",
        run.stderr
    );
    assert_eq!(github["topics"][0]["owner"], "@alice");
    assert_eq!(
        github["topics"][0]["voters"],
        serde_json::json!(["@ada-gh", "@Grace-GH", "@alan-gh"])
    );
    // A published CSV with the same topics.
    let csv = "title,owner,email,votes,proposed-at\n\
        Remote write 2.0,Alice,alice@example.org,+1 +1 +1,2026-11-02T10:00:00Z\n\
        \"Native histograms, naïve\",Bob,bob@example.org,2,2026-11-03T10:00:00Z\n\
        OTLP ingestion,Dan,dan@example.org,2,2026-11-04T10:00:00Z\n\
        UTF-8 names,Erin,erin@example.org,+1+1,2026-11-05T10:00:00Z\n\
        Late topic,Frank,frank@example.org,4,2026-11-25T17:00:00Z\n";
    let sheet = FeedServer::start(Mode::Serve {
        body: csv.as_bytes().to_vec(),
        etag: "\"s1\"".into(),
    });
    let published = with_source(&format!(
        "url = \"http://127.0.0.1:{}/sheet?output=csv\"",
        sheet.port
    ))
    .args(["--now", at, "agenda", "--json"])
    .success()
    .json();
    let want: Vec<(String, u64, bool)> = [
        ("Remote write 2.0", 3, false),
        ("Native histograms, naïve", 2, false),
        ("OTLP ingestion", 2, false),
        ("UTF-8 names", 2, false),
        ("Late topic", 4, true),
    ]
    .into_iter()
    .map(|(t, v, l)| (t.to_string(), v, l))
    .collect();
    assert_eq!(ranking(&mail), want);
    assert_eq!(ranking(&github), want);
    assert_eq!(ranking(&published), want);
    server.assert_kept();
}
