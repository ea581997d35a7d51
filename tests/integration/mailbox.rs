//! The mailbox agenda source (issue #14), end to end through the binary: proposals and
//! `+1` replies read from an mbox archive and a Maildir (and, in `imap.rs`, from a real
//! Dovecot), ranked for the outreach, listed by `summit agenda`, and an owner's reply
//! to the outreach shown as a confirmation in `checklist` and `timeline`.

use std::collections::BTreeSet;

use mailparse::MailHeaderMap;
use pretty_assertions::assert_eq;
use serde_json::Value;

use crate::sources::with_source;
use crate::test::*;

/// One message of the scenario: its raw text and when it arrived (RFC 3339 UTC).
pub(crate) struct Sample {
    pub raw: String,
    pub at: &'static str,
}

/// A message from `from` at `at` (RFC 3339 UTC) with `subject` (already encoded when
/// it must be), Message-ID `<id@test>`, replying to `<reply_to@test>` when given, and
/// `body`.
pub(crate) fn sample(
    id: &str,
    at: &'static str,
    from: &str,
    subject: &str,
    reply_to: Option<&str>,
    body: &str,
) -> Sample {
    let date = chrono::DateTime::parse_from_rfc3339(at)
        .unwrap()
        .to_rfc2822();
    let mut raw = format!(
        "From: {from}\r\nTo: prometheus-developers@googlegroups.com\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}@test>\r\n"
    );
    if let Some(r) = reply_to {
        raw.push_str(&format!(
            "In-Reply-To: <{r}@test>\r\nReferences: <{r}@test>\r\n"
        ));
    }
    raw.push_str("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
    raw.push_str(&body.replace('\n', "\r\n"));
    raw.push_str("\r\n");
    Sample { raw, at }
}

const ALICE: &str = "Alice Example <alice@example.org>";
const BOB: &str = "Bob Example <bob@example.org>";
const DAN: &str = "Dan Example <dan@example.org>";
const ERIN: &str = "Erin Example <erin@example.org>";
const FRANK: &str = "Frank Example <frank@example.org>";
const ADA: &str = "Ada Lovelace <ada@example.org>";
const GRACE: &str = "Grace Hopper <grace@example.org>";
const ALAN: &str = "Alan Turing <alan@example.org>";
const KATHERINE: &str = "Katherine Johnson <katherine@example.org>";
const EDSGER: &str = "Edsger Dijkstra <edsger@example.org>";
const CAROL: &str = "Carol Voter <carol@example.org>";
const MALLORY: &str = "Mallory <mallory@example.org>";

/// The example summit (Thu 2026-11-26 16:00 UTC, the one before on 2026-10-29 16:00
/// UTC, topics due 2026-11-25 16:00 UTC), with proposals and votes by mail:
///
/// - Remote write 2.0 (Alice, 3 votes: Ada, Grace, Alan; Ada's second +1 not counted)
/// - Native histograms, naïve (Bob, an RFC 2047 subject; 2 votes: Ada, Grace)
/// - OTLP ingestion (Dan; 2 votes: Katherine, and Ada replying to Katherine's reply)
/// - UTF-8 names (Erin, proposed after Dan; 2 votes: Edsger and Carol, a voter;
///   Mallory's +1 and Grace's quoted `> +1` not counted): loses the tie with Dan
/// - Late topic (Frank, after the deadline; 4 votes)
/// - one proposal before the previous summit, not listed.
pub(crate) fn scenario() -> Vec<Sample> {
    let s = sample;
    vec![
        s(
            "old",
            "2026-10-20T10:00:00Z",
            ERIN,
            "Dev Summit topic: Last month's",
            None,
            "Old.",
        ),
        s(
            "p1",
            "2026-11-02T10:00:00Z",
            ALICE,
            "[prometheus-developers] Dev Summit topic: Remote write 2.0",
            None,
            "Let's talk.\n+1 from me? (not a vote: it's mine, and not a reply)",
        ),
        s(
            "p2",
            "2026-11-03T10:00:00Z",
            BOB,
            "=?UTF-8?Q?Dev_summit_topic=3A_Native_histograms=2C_na=C3=AFve?=",
            None,
            "Proposal.",
        ),
        s(
            "p3",
            "2026-11-04T10:00:00Z",
            DAN,
            "Developer Summit: OTLP ingestion",
            None,
            "Proposal.",
        ),
        s(
            "p4",
            "2026-11-05T10:00:00Z",
            ERIN,
            "Summit topic - UTF-8 names",
            None,
            "Proposal.",
        ),
        s(
            "p5",
            "2026-11-25T17:00:00Z",
            FRANK,
            "Dev Summit topic: Late topic",
            None,
            "Late.",
        ),
        s(
            "v1",
            "2026-11-06T10:00:00Z",
            ADA,
            "Re: [prometheus-developers] Dev Summit topic: Remote write 2.0",
            Some("p1"),
            "+1\n\n> Let's talk.",
        ),
        s(
            "v2",
            "2026-11-06T11:00:00Z",
            GRACE,
            "Re: Dev Summit topic: Remote write 2.0",
            Some("p1"),
            "  +1  ",
        ),
        s(
            "v3",
            "2026-11-06T12:00:00Z",
            ALAN,
            "Re: Dev Summit topic: Remote write 2.0",
            Some("p1"),
            "Sounds good.\n+1",
        ),
        s(
            "v4",
            "2026-11-07T10:00:00Z",
            ADA,
            "Re: Dev Summit topic: Remote write 2.0",
            Some("p1"),
            "+1 again",
        ),
        s(
            "v4b",
            "2026-11-07T11:00:00Z",
            ADA,
            "Re: Dev Summit topic: Remote write 2.0",
            Some("p1"),
            "+1",
        ),
        s(
            "v5",
            "2026-11-07T12:00:00Z",
            ADA,
            "Re: Dev summit topic: Native histograms",
            Some("p2"),
            "+1",
        ),
        s(
            "v6",
            "2026-11-07T13:00:00Z",
            GRACE,
            "Re: Dev summit topic: Native histograms",
            Some("p2"),
            "+1",
        ),
        s(
            "v7",
            "2026-11-08T10:00:00Z",
            KATHERINE,
            "Re: Developer Summit: OTLP ingestion",
            Some("p3"),
            "+1",
        ),
        s(
            "v8",
            "2026-11-08T11:00:00Z",
            ADA,
            "Re: Developer Summit: OTLP ingestion",
            Some("v7"),
            "Agreed with Katherine.\n+1",
        ),
        s(
            "v9",
            "2026-11-09T10:00:00Z",
            EDSGER,
            "Re: Summit topic - UTF-8 names",
            Some("p4"),
            "+1",
        ),
        s(
            "v10",
            "2026-11-09T11:00:00Z",
            CAROL,
            "Re: Summit topic - UTF-8 names",
            Some("p4"),
            "+1",
        ),
        s(
            "v11",
            "2026-11-09T12:00:00Z",
            MALLORY,
            "Re: Summit topic - UTF-8 names",
            Some("p4"),
            "+1",
        ),
        s(
            "v12",
            "2026-11-09T13:00:00Z",
            GRACE,
            "Re: Summit topic - UTF-8 names",
            Some("v9"),
            "> +1\nHmm, not sure.",
        ),
        s(
            "v13",
            "2026-11-25T17:10:00Z",
            ADA,
            "Re: Dev Summit topic: Late topic",
            Some("p5"),
            "+1",
        ),
        s(
            "v14",
            "2026-11-25T17:20:00Z",
            GRACE,
            "Re: Dev Summit topic: Late topic",
            Some("p5"),
            "+1",
        ),
        s(
            "v15",
            "2026-11-25T17:30:00Z",
            ALAN,
            "Re: Dev Summit topic: Late topic",
            Some("p5"),
            "+1",
        ),
        s(
            "v16",
            "2026-11-25T17:40:00Z",
            KATHERINE,
            "Re: Dev Summit topic: Late topic",
            Some("p5"),
            "+1",
        ),
        s(
            "chat",
            "2026-11-10T10:00:00Z",
            MALLORY,
            "Unrelated question",
            None,
            "+1",
        ),
    ]
}

/// `samples` as an mbox archive (mboxrd: a body line starting with `From ` escaped).
pub(crate) fn mbox(samples: &[Sample]) -> String {
    let mut out = String::new();
    for s in samples {
        let at = chrono::DateTime::parse_from_rfc3339(s.at).unwrap();
        out.push_str(&format!(
            "From sender@example.org {}\n",
            at.format("%a %b %e %H:%M:%S %Y")
        ));
        for line in s.raw.replace("\r\n", "\n").lines() {
            if line.trim_start_matches('>').starts_with("From ") {
                out.push('>');
            }
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The (title, owner address, votes, voters, late) of each topic of `agenda --json`.
pub(crate) fn listed(v: &Value) -> Vec<(String, String, u64, Vec<String>, bool)> {
    v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["title"].as_str().unwrap().to_string(),
                t["email"].as_str().unwrap_or("").to_string(),
                t["votes"].as_u64().unwrap(),
                t["voters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect(),
                t["late"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// What the scenario's `summit agenda --json` lists, in order.
pub(crate) fn expected() -> Vec<(String, String, u64, Vec<String>, bool)> {
    let row = |t: &str, e: &str, voters: &[&str], late: bool| {
        (
            t.to_string(),
            e.to_string(),
            voters.len() as u64,
            voters.iter().map(|v| v.to_string()).collect::<Vec<_>>(),
            late,
        )
    };
    vec![
        row(
            "Remote write 2.0",
            "alice@example.org",
            &["ada@example.org", "grace@example.org", "alan@example.org"],
            false,
        ),
        row(
            "Native histograms, naïve",
            "bob@example.org",
            &["ada@example.org", "grace@example.org"],
            false,
        ),
        row(
            "OTLP ingestion",
            "dan@example.org",
            &["katherine@example.org", "ada@example.org"],
            false,
        ),
        row(
            "UTF-8 names",
            "erin@example.org",
            &["edsger@example.org", "carol@example.org"],
            false,
        ),
        row(
            "Late topic",
            "frank@example.org",
            &[
                "ada@example.org",
                "grace@example.org",
                "alan@example.org",
                "katherine@example.org",
            ],
            true,
        ),
    ]
}

/// The `To` addresses of each message of a `draft` output, and its Message-ID.
pub(crate) fn drafted(out: &str) -> Vec<(BTreeSet<String>, String)> {
    out.split("\n-----\n")
        .map(|m| {
            let mail = mailparse::parse_mail(m.as_bytes()).unwrap();
            let to = mailparse::addrparse_header(mail.headers.get_first_header("To").unwrap())
                .unwrap()
                .iter()
                .flat_map(|a| match a {
                    mailparse::MailAddr::Single(s) => vec![s.addr.clone()],
                    mailparse::MailAddr::Group(g) => {
                        g.addrs.iter().map(|s| s.addr.clone()).collect()
                    }
                })
                .collect();
            (
                to,
                mail.headers
                    .get_first_value("Message-ID")
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// The outreach, `agenda`, and the confirmation in `checklist` and `timeline`, for a
/// source whose messages `deliver` puts in place (an mbox, a Maildir, an IMAP mailbox),
/// configured by `agenda` (the `[agenda]` table's lines).
pub(crate) fn the_outreach_goes_to_the_most_voted_owners(
    agenda: &str,
    env: &[(&str, &str)],
    deliver: &dyn Fn(&Test, &[Sample]),
) {
    let mut t = with_source(agenda);
    for (k, v) in env {
        t = t.env(k, v);
    }
    deliver(&t, &scenario());
    let t = t.args(["--state-dir", "state"]);
    let v = t
        .clone_with(["--now", "2026-11-26T10:00:00Z", "agenda", "--json"])
        .success()
        .json();
    assert_eq!(listed(&v), expected());
    assert_eq!(v["topics"][0]["origin"], "<p1@test>");
    let chosen: Vec<bool> = v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["chosen"].as_bool().unwrap())
        .collect();
    assert_eq!(chosen, [true, true, true, false, false]);
    // Before the outreach is due nobody was asked: no owner is "silent" yet.
    let early = t
        .clone_with(["--now", "2026-11-24T12:00:00Z", "agenda", "--json"])
        .success()
        .json();
    assert!(
        early["topics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["confirmed"].is_null()),
        "{early}"
    );
    // The outreach, due 2026-11-25 16:00 UTC: one message to each chosen topic's owner.
    let out = t
        .clone_with(["--now", "2026-11-25T16:30:00Z", "draft", "outreach"])
        .success()
        .stdout;
    let messages = drafted(&out);
    let to: Vec<BTreeSet<String>> = messages.iter().map(|(to, _)| to.clone()).collect();
    let one = |a: &str| BTreeSet::from([a.to_string()]);
    assert_eq!(
        to,
        [
            one("alice@example.org"),
            one("bob@example.org"),
            one("dan@example.org")
        ]
    );
    // Alice answers the outreach; Bob answers something else.
    let alice_outreach = messages[0].1.trim_matches(['<', '>']).to_string();
    let answer = Sample {
        raw: format!(
            "From: Alice Example <ALICE@example.org>\r\nSubject: Re: your topic\r\nDate: Wed, 25 Nov 2026 18:00:00 +0000\r\nMessage-ID: <a1@test>\r\nIn-Reply-To: <{alice_outreach}>\r\n\r\nI'll be there.\r\n"
        ),
        at: "2026-11-25T18:00:00Z",
    };
    let other = sample(
        "b1",
        "2026-11-25T18:30:00Z",
        BOB,
        "Re: Native histograms",
        Some("p2"),
        "Thanks!",
    );
    let mut all = scenario();
    all.extend([answer, other]);
    deliver(&t, &all);
    let checklist = t
        .clone_with(["--now", "2026-11-26T10:00:00Z", "checklist"])
        .success()
        .stdout;
    // Lines are wrapped: compare with single spaces.
    let checklist = checklist.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        checklist.contains("1. Remote write 2.0 (Alice Example, 3 votes; confirmed)"),
        "{checklist}"
    );
    assert!(
        checklist.contains(
            "2. Native histograms, naïve (Bob Example, 2 votes; no answer to the outreach yet)"
        ),
        "{checklist}"
    );
    let v = t
        .clone_with(["--now", "2026-11-26T10:00:00Z", "timeline", "--json"])
        .success()
        .json();
    let outreach = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["step"] == "outreach")
        .unwrap();
    assert_eq!(
        outreach["answers"]["confirmed"],
        serde_json::json!(["Alice Example <alice@example.org>"])
    );
    assert_eq!(outreach["answers"]["silent"].as_array().unwrap().len(), 2);
    let v = t
        .clone_with(["--now", "2026-11-26T10:00:00Z", "agenda", "--json"])
        .success()
        .json();
    let confirmed: Vec<&Value> = v["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["confirmed"])
        .collect();
    assert_eq!(
        confirmed,
        [
            &Value::Bool(true),
            &Value::Bool(false),
            &Value::Bool(false),
            &Value::Bool(false),
            &Value::Bool(false)
        ]
    );
}

#[test]
fn an_mbox_archive() {
    the_outreach_goes_to_the_most_voted_owners(
        "voters = [\"carol@example.org\"]\n[agenda.mailbox]\nurl = \"mbox:dev.mbox\"",
        &[],
        &|t, samples| std::fs::write(t.path("dev.mbox"), mbox(samples)).unwrap(),
    );
}

#[test]
fn a_maildir() {
    the_outreach_goes_to_the_most_voted_owners(
        "voters = [\"carol@example.org\"]\n[agenda.mailbox]\nurl = \"maildir:Mail/dev\"",
        &[],
        &|t, samples| {
            let dir = t.path("Mail/dev");
            for sub in ["cur", "new", "tmp"] {
                std::fs::create_dir_all(dir.join(sub)).unwrap();
            }
            for (i, s) in samples.iter().enumerate() {
                let sub = if i % 2 == 0 { "cur" } else { "new" };
                let name = format!("{i}.summit-test:2,S");
                std::fs::write(dir.join(sub).join(name), &s.raw).unwrap();
            }
        },
    );
}

#[test]
fn check_reports_what_the_mailbox_holds() {
    let t =
        with_source("voters = [\"carol@example.org\"]\n[agenda.mailbox]\nurl = \"mbox:dev.mbox\"")
            .file("dev.mbox", mbox(&scenario()))
            .args(["--now", "2026-11-26T10:00:00Z", "check", "--json"]);
    let v = t.run().json();
    let agenda = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "agenda")
        .unwrap()
        .clone();
    let detail = agenda["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("mbox:") && detail.contains("dev.mbox: 5 proposal(s), 13 vote(s), 17 replies, 1 late, for the summit on 2026-11-26; the outreach goes to 3 topic owner(s) so far"),
        "{agenda}"
    );
}

#[test]
fn an_imap_mailbox_on_dovecot_over_tls() {
    let d = crate::dovecot::dovecot();
    let user = d.new_user();
    let appended = std::cell::Cell::new(0);
    let ca = d.ca.to_str().unwrap().to_string();
    the_outreach_goes_to_the_most_voted_owners(
        &format!(
            "voters = [\"carol@example.org\"]\n[agenda.mailbox]\nurl = \"imaps://127.0.0.1:{}/dev-list\"\nusername = \"{user}\"\npassword-env = \"SUMMIT_IMAP_PASSWORD\"",
            d.tls_port
        ),
        &[
            ("SUMMIT_IMAP_PASSWORD", &d.password),
            ("SSL_CERT_FILE", &ca),
        ],
        &|_, samples| {
            for s in &samples[appended.get()..] {
                let at = chrono::DateTime::parse_from_rfc3339(s.at).unwrap();
                let date = at.format("%d-%b-%Y %H:%M:%S +0000").to_string();
                d.append(&user, "dev-list", s.raw.as_bytes(), &date);
            }
            appended.set(samples.len());
        },
    );
    // Read-only: no message was marked read.
    assert!(
        d.flags(&user, "dev-list")
            .iter()
            .all(|(_, f)| !f.iter().any(|f| f == "\\Seen")),
        "{:?}",
        d.flags(&user, "dev-list")
    );
}

#[test]
fn another_summit_reads_the_proposals_made_since_the_one_before_it() {
    let mut samples = scenario();
    samples.push(sample(
        "d1",
        "2026-11-27T09:00:00Z",
        DAN,
        "Dev Summit topic: December",
        None,
        "For the next one.",
    ));
    let t = with_source("[agenda.mailbox]\nurl = \"mbox:dev.mbox\"")
        .file("dev.mbox", mbox(&samples))
        .args(["--now", "2026-11-25T16:30:00Z"]);
    let december = t
        .clone_with(["agenda", "--summit", "2026-12-17", "--json"])
        .success()
        .json();
    let titles: Vec<&str> = december["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["December"]);
    // The outreach of that summit goes to its own topic's owner.
    let out = t
        .clone_with(["draft", "outreach", "--summit", "2026-12-17"])
        .success()
        .stdout;
    let to: Vec<BTreeSet<String>> = drafted(&out).into_iter().map(|(to, _)| to).collect();
    assert_eq!(to, [BTreeSet::from(["dan@example.org".to_string()])]);
    // And the next summit's is as before.
    let out = t.clone_with(["draft", "outreach"]).success().stdout;
    assert_eq!(drafted(&out).len(), 3);
}
