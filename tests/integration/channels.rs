//! Channels through the real binary: `tick` with a Matrix room (a real Synapse), a
//! Slack-compatible webhook, a Discourse forum and a Mastodon instance (loopback
//! servers that check each request against the service's contract) beside the e-mail
//! outbox. What each channel holds at the end is compared with the ledger.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::contract::{Answer, Request, Server};
use crate::discourse::{CATEGORY, FakeDiscourse, KEY, USER};
use crate::mastodon::{self, TOKEN};
use crate::synapse::{self, User};
use crate::tick::{Site, example_without_assignment, feed_with_november};

/// The webhook's path: the secret part of its URL.
const HOOK: &str = "/services/T000/B000/s3cr3t";

/// A Slack-compatible webhook that keeps every text it is given, checking each request
/// against Slack's contract (`POST` of JSON `{"text": …}` to the webhook's path). With
/// `delay`, it answers that late (so a run can be killed while it waits).
struct Webhook {
    server: Server,
    texts: Arc<Mutex<Vec<String>>>,
}

impl Webhook {
    fn start(delay: Duration) -> Webhook {
        let texts = Arc::new(Mutex::new(Vec::new()));
        let kept = texts.clone();
        let server = Server::start(move |r: &Request| {
            r.expect("POST", HOOK)?;
            r.expect_content_type("application/json")?;
            let body = r.json()?;
            let text = body["text"].as_str().ok_or("no string `text`")?;
            if text.trim().is_empty() {
                return Err("empty `text`".into());
            }
            kept.lock().unwrap().push(text.to_string());
            std::thread::sleep(delay);
            Ok(Answer::text(200, "ok"))
        });
        Webhook { server, texts }
    }

    fn texts(&self) -> Vec<String> {
        self.texts.lock().unwrap().clone()
    }
}

/// Every channel of one test, and the site whose `summit.toml` names them.
struct Channels {
    site: Site,
    public_hook: Webhook,
    team_hook: Webhook,
    forum: FakeDiscourse,
    fedi: Server,
    fedi_state: mastodon::Shared,
    reader: User,
    room: String,
}

impl Channels {
    /// The example site (e-mail to the outbox, no heads-up) with a public Matrix room, a
    /// public and a team webhook, a public Discourse category and a public Mastodon
    /// account; the hooks answer after `delay`.
    fn start(delay: Duration) -> Channels {
        let reader = synapse::user("reader");
        let bot = synapse::user("bot");
        let alias = format!("dev{}", reader.name);
        let room = reader.create_room(&alias, true);
        let public_hook = Webhook::start(delay);
        let team_hook = Webhook::start(delay);
        let forum = FakeDiscourse::start();
        let (fedi, fedi_state) = mastodon::instance(500, Vec::new());
        let config = format!(
            r##"{example}
[[channels]]
name = "matrix-dev"
kind = "matrix"
audience = "public"
homeserver = "{homeserver}"
room = "#{alias}:localhost"
access-token-command = "printf %s {bot_token}"

[[channels]]
name = "slack-dev"
kind = "slack"
audience = "public"
webhook-command = "printf %s {public_hook}"

[[channels]]
name = "slack-team"
kind = "slack"
audience = "team"
webhook-command = "printf %s {team_hook}"

[[channels]]
name = "forum"
kind = "discourse"
audience = "public"
url = "http://127.0.0.1:{forum}"
category = {CATEGORY}
api-username = "{USER}"
api-key-command = "printf %s {KEY}"

[[channels]]
name = "fedi"
kind = "mastodon"
audience = "public"
instance = "{fedi}"
access-token-command = "printf %s {TOKEN}"
"##,
            example = example_without_assignment(),
            homeserver = synapse::synapse().base,
            bot_token = bot.token,
            public_hook = public_hook.server.url(HOOK),
            team_hook = team_hook.server.url(HOOK),
            forum = forum.port,
            fedi = fedi.url("/"),
        );
        Channels {
            site: Site::new(&config),
            public_hook,
            team_hook,
            forum,
            fedi,
            fedi_state,
            reader,
            room,
        }
    }

    /// The room's messages that are not edits, oldest first.
    fn matrix_posts(&self) -> Vec<Value> {
        self.reader
            .room_messages(&self.room)
            .into_iter()
            .filter(|e| e["content"]["m.relates_to"]["rel_type"] != "m.replace")
            .collect()
    }

    /// The Mastodon statuses, by ID.
    fn statuses(&self) -> BTreeMap<String, Value> {
        let s = self.fedi_state.lock().unwrap();
        s.statuses
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The ledger's entries of `channel`: (step, state), but for those the first tick
    /// recorded as missed before it (the summits before the ledger was started).
    fn ledger_of(&self, channel: &str) -> Vec<(String, String)> {
        let json = self
            .site
            .run(
                "2027-01-01T00:00:00Z",
                &["--json", "ledger", "list", "--all"],
            )
            .json();
        json.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["channel"] == channel && e["state"] != "missed")
            .map(|e| {
                let step = match e["correction"].as_u64() {
                    Some(n) => format!("correction {n}"),
                    None => e["step"].as_str().unwrap().to_string(),
                };
                (step, e["state"].as_str().unwrap().to_string())
            })
            .collect()
    }

    fn assert_contracts_kept(&self) {
        self.public_hook.server.assert_kept();
        self.team_hook.server.assert_kept();
        self.fedi.assert_kept();
        self.forum.assert_contract_kept();
    }
}

fn hours(from: &str, to: &str) -> Vec<String> {
    let (mut t, end): (DateTime<Utc>, DateTime<Utc>) = (from.parse().unwrap(), to.parse().unwrap());
    let mut out = Vec::new();
    while t <= end {
        out.push(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        t += chrono::Duration::hours(1);
    }
    out
}

#[test]
fn hourly_ticks_over_a_month_post_each_message_once_on_every_channel() {
    let c = Channels::start(Duration::ZERO);
    for now in hours("2026-11-20T00:00:00Z", "2026-12-21T00:00:00Z") {
        c.site.tick_ok(&now);
    }
    // Two summits in the month (26 November, 17 December): a reminder each on every
    // public channel, a call for votes and a handover each on the team webhook.
    let matrix = c.matrix_posts();
    let reminders: Vec<&Value> = matrix
        .iter()
        .filter(|e| e["content"]["m.relates_to"].is_null())
        .collect();
    assert_eq!(reminders.len(), 2, "{matrix:#?}");
    assert_eq!(matrix.len(), 2, "public channels get only the reminder");
    for e in &matrix {
        assert_eq!(e["content"]["m.mentions"], serde_json::json!({}));
        assert!(
            e["content"]["formatted_body"]
                .as_str()
                .unwrap()
                .contains("<strong>")
        );
    }
    assert_eq!(
        c.public_hook.texts().len(),
        2,
        "{:#?}",
        c.public_hook.texts()
    );
    let team = c.team_hook.texts();
    assert_eq!(
        team.len(),
        4,
        "two calls for votes, two handovers: {team:#?}"
    );
    assert!(team[0].contains("vote"), "{}", team[0]);
    assert_eq!(c.forum.topics().len(), 2);
    assert!(c.forum.topics().iter().all(|t| t.posts.len() == 1));
    assert_eq!(c.statuses().len(), 2);
    // The ledger says the same: every channel message sent once.
    for channel in ["matrix-dev", "slack-dev", "forum", "fedi"] {
        assert_eq!(
            c.ledger_of(channel),
            vec![("reminder".to_string(), "sent".to_string()); 2],
            "{channel}"
        );
    }
    assert_eq!(c.ledger_of("slack-team").len(), 4);
    // Run again, and four at once: nothing more anywhere.
    let again = "2026-12-14T16:00:00Z";
    let mut children: Vec<_> = (0..4).map(|_| c.site.spawn(again, &["tick"])).collect();
    for child in &mut children {
        assert!(child.wait().unwrap().success());
    }
    c.site.tick_ok(again);
    assert_eq!(c.matrix_posts().len(), 2);
    assert_eq!(c.public_hook.texts().len(), 2);
    assert_eq!(c.team_hook.texts().len(), 4);
    assert_eq!(c.forum.topics().len(), 2);
    assert_eq!(c.statuses().len(), 2);
    c.assert_contracts_kept();
}

#[test]
fn four_ticks_at_once_post_the_reminder_once_on_every_channel() {
    let c = Channels::start(Duration::from_millis(200));
    c.site.tick_ok("2026-11-22T00:00:00Z");
    let now = "2026-11-23T16:00:00Z";
    let mut children: Vec<_> = (0..4).map(|_| c.site.spawn(now, &["tick"])).collect();
    for child in &mut children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(c.matrix_posts().len(), 1);
    assert_eq!(c.public_hook.texts().len(), 1);
    assert_eq!(c.forum.topics().len(), 1);
    assert_eq!(c.statuses().len(), 1);
    assert_eq!(c.site.tick_ok(now), "");
    c.assert_contracts_kept();
}

#[test]
fn a_summit_moved_after_its_reminder_is_corrected_on_every_channel() {
    let c = Channels::start(Duration::ZERO);
    c.site.tick_ok("2026-11-22T00:00:00Z");
    c.site.tick_ok("2026-11-23T16:00:00Z");
    let reminder = c.matrix_posts()[0].clone();
    let reminder_id = reminder["event_id"].as_str().unwrap().to_string();
    // Moved to Friday 27 November, an hour later.
    c.site.set_feed(&feed_with_november(
        "20261127T180000",
        "20261127T200000",
        "CONFIRMED",
        4,
    ));
    let out = c.site.tick_ok("2026-11-24T10:00:00Z");
    for channel in ["matrix-dev", "slack-dev", "forum", "fedi"] {
        assert!(
            out.contains(&format!(
                "correction 1 of the summit on 2026-11-27 to channel `{channel}`"
            )),
            "{out}"
        );
    }
    // Matrix: the reminder is edited to say so, and the correction sits in its thread.
    let edits = c.reader.relations(&c.room, &reminder_id, "m.replace");
    assert_eq!(edits.len(), 1, "{edits:#?}");
    let new = edits[0]["content"]["m.new_content"]["body"]
        .as_str()
        .unwrap();
    assert!(new.contains("Moved") && new.contains("Fri 27 Nov"), "{new}");
    let thread = c.reader.relations(&c.room, &reminder_id, "m.thread");
    assert_eq!(thread.len(), 1, "{thread:#?}");
    assert!(
        thread[0]["content"]["body"]
            .as_str()
            .unwrap()
            .contains("Thu 26 Nov")
    );
    // Discourse: the first post edited, and a reply.
    let topics = c.forum.topics();
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].posts.len(), 2);
    assert_eq!(
        topics[0].posts[0].edits.len(),
        1,
        "{:#?}",
        topics[0].posts[0]
    );
    assert!(topics[0].posts[0].raw.contains("Moved"));
    // The webhook: one more message, quoting the date it corrects.
    let texts = c.public_hook.texts();
    assert_eq!(texts.len(), 2);
    assert!(
        texts[1].contains("Thu 26 Nov") && texts[1].contains("Fri 27 Nov"),
        "{}",
        texts[1]
    );
    // Mastodon: the status edited, no new one.
    let statuses = c.statuses();
    assert_eq!(statuses.len(), 1);
    let status = statuses.values().next().unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(status.contains("Moved"), "{status}");
    // Once.
    assert_eq!(c.site.tick_ok("2026-11-24T11:00:00Z"), "");
    assert_eq!(c.public_hook.texts().len(), 2);
    c.assert_contracts_kept();
}

#[test]
fn a_summary_that_mentions_everyone_pings_no_one() {
    let c = Channels::start(Duration::ZERO);
    let feed = std::fs::read_to_string(c.site.path("feed.ics")).unwrap();
    let loud = feed.replace(
        "SUMMARY:Prometheus Developer Summit",
        "SUMMARY:Prometheus Developer Summit <!channel> @room @everyone <https://evil.example|click>",
    );
    assert_ne!(feed, loud);
    c.site.set_feed(&loud);
    c.site.tick_ok("2026-11-22T00:00:00Z");
    c.site.tick_ok("2026-11-23T16:00:00Z");
    let slack = c.public_hook.texts();
    assert_eq!(slack.len(), 1);
    assert!(
        !slack[0].contains("<!channel>") && !slack[0].contains("<https://evil"),
        "{}",
        slack[0]
    );
    assert!(slack[0].contains("&lt;!channel&gt;"), "{}", slack[0]);
    let matrix = &c.matrix_posts()[0]["content"];
    assert_eq!(matrix["m.mentions"], serde_json::json!({}));
    let body = matrix["body"].as_str().unwrap();
    assert!(
        !body.contains("@room") && body.contains("@\u{2060}room"),
        "{body}"
    );
    let html = matrix["formatted_body"].as_str().unwrap();
    assert!(!html.contains("href=\"https://evil"), "{html}");
    let raw = &c.forum.topics()[0].posts[0].raw;
    assert!(
        !raw.contains("@everyone") && raw.contains("@\u{2060}everyone"),
        "{raw}"
    );
    let status = c.statuses().values().next().unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!status.contains("@everyone"), "{status}");
    c.assert_contracts_kept();
}

#[test]
fn a_run_killed_at_random_moments_posts_each_message_at_most_once() {
    let c = Channels::start(Duration::from_millis(150));
    c.site.tick_ok("2026-11-22T00:00:00Z");
    let now = "2026-11-23T16:00:00Z";
    // A fixed pseudo-random sequence of moments to kill at (0..700 ms).
    let mut seed: u64 = 0x5eed;
    for _ in 0..8 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let after = Duration::from_millis((seed >> 33) % 700);
        let mut child = c.site.spawn(now, &["tick"]);
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
    }
    // Then runs that finish, until nothing is left to say.
    let r = c.site.tick(now);
    assert!(
        r.status == 0 || r.stderr.contains("unconfirmed") || r.stderr.contains("never confirmed"),
        "{}",
        r.stderr
    );
    c.site.tick(now);
    // Matrix, Discourse and Mastodon hold the reminder exactly once.
    assert_eq!(c.matrix_posts().len(), 1, "{:#?}", c.matrix_posts());
    assert_eq!(c.forum.topics().len(), 1);
    assert_eq!(c.statuses().len(), 1);
    for channel in ["matrix-dev", "forum", "fedi"] {
        assert_eq!(
            c.ledger_of(channel),
            [("reminder".to_string(), "sent".to_string())],
            "{channel}"
        );
    }
    // The webhook at most once; when the ledger cannot tell, it says so and does not
    // post again.
    let slack = c.public_hook.texts();
    let state = &c.ledger_of("slack-dev")[0].1;
    match state.as_str() {
        "sent" => assert_eq!(slack.len(), 1),
        "intent" => {
            assert!(slack.len() <= 1);
            let r = c.site.tick(now);
            assert_eq!(r.status, 1);
            assert!(r.stderr.contains("slack-dev"), "{}", r.stderr);
        }
        other => panic!("slack-dev is {other}"),
    }
    c.assert_contracts_kept();
}

#[test]
fn draft_send_check_and_tick_json_know_the_channels() {
    let c = Channels::start(Duration::ZERO);
    let now = "2026-11-23T16:00:00Z";
    // draft: the e-mail, then each public channel's message; --channel for one.
    let r = c.site.run(now, &["draft", "reminder"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    for name in ["matrix-dev", "slack-dev", "forum", "fedi"] {
        assert!(
            r.stdout.contains(&format!("\nChannel: {name}\n")),
            "{}",
            r.stdout
        );
    }
    assert!(!r.stdout.contains("Channel: slack-team"));
    let r = c
        .site
        .run(now, &["draft", "agenda-vote", "--channel", "slack-team"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("Channel: slack-team\nTitle: "),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("Subject:"), "no e-mail with --channel");
    let r = c
        .site
        .run(now, &["draft", "agenda-vote", "--channel", "slack-dev"]);
    assert_eq!(r.status, 2);
    assert!(
        r.stderr
            .contains("does not go to channel `slack-dev` (a public channel)"),
        "{}",
        r.stderr
    );
    let r = c.site.run(
        now,
        &["draft", "reminder", "--channel", "irc", "--out", "drafts"],
    );
    assert_eq!(r.status, 2);
    assert!(
        r.stderr
            .contains("--channel `irc` is not a configured channel"),
        "{}",
        r.stderr
    );
    let r = c.site.run(now, &["draft", "reminder", "--out", "drafts"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let md = std::fs::read_to_string(c.site.path("drafts/2026-11-26-reminder.forum.md")).unwrap();
    assert!(md.contains("Channel: forum"), "{md}");
    // Nothing was posted by drafting.
    assert!(c.public_hook.texts().is_empty());
    // next --json names the channels of each step.
    let next = c
        .site
        .run("2026-11-20T00:00:00Z", &["--json", "next"])
        .json();
    let channels_of = |step: &str| -> Value {
        let steps = next[0]["steps"].as_array().unwrap();
        let s = steps.iter().find(|s| s["step"] == step).unwrap();
        s.get("channels").cloned().unwrap_or(Value::Null)
    };
    assert_eq!(
        channels_of("reminder"),
        serde_json::json!(["matrix-dev", "slack-dev", "forum", "fedi"])
    );
    assert_eq!(
        channels_of("agenda-vote"),
        serde_json::json!(["slack-team"])
    );
    assert_eq!(channels_of("outreach"), Value::Null);
    // check --connect asks each server who the token is, posts nothing, prints no secret.
    let r = c.site.run(now, &["check", "--connect"]);
    assert_eq!(r.status, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("ok    channel: matrix `matrix-dev`: room")
            && r.stdout.contains("signed in as `@bot"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("ok    channel: slack `slack-dev`: webhook to 127.0.0.1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("ok    channel: discourse `forum`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("ok    channel: mastodon `fedi`"),
        "{}",
        r.stdout
    );
    for secret in [HOOK, KEY, TOKEN] {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "{secret}"
        );
    }
    assert!(c.public_hook.texts().is_empty() && c.forum.topics().is_empty());
    // send --channel: that channel only, recorded as such.
    c.site.tick_ok("2026-11-22T00:00:00Z");
    let r = c.site.run(
        now,
        &["--json", "send", "reminder", "--channel", "slack-dev"],
    );
    assert_eq!(r.status, 0, "{}", r.stderr);
    let records = r.json();
    let records = records.as_array().unwrap();
    assert_eq!(records.len(), 1, "{records:#?}");
    assert_eq!(records[0]["channel"], "slack-dev");
    assert_eq!(records[0]["action"], "sent");
    assert_eq!(c.public_hook.texts().len(), 1);
    assert!(c.matrix_posts().is_empty() && c.statuses().is_empty());
    // tick sends the rest, each record naming its channel; the mail has none.
    let json = c.site.run(now, &["--json", "tick"]).json();
    let mut channels: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["channel"].as_str().unwrap_or("mail").to_string())
        .collect();
    channels.sort();
    assert_eq!(channels, ["fedi", "forum", "mail", "matrix-dev"]);
    assert_eq!(c.public_hook.texts().len(), 1, "not twice");
    let listing = c.site.run(now, &["ledger", "list"]);
    assert!(listing.stdout.contains("#matrix-dev"), "{}", listing.stdout);
    c.assert_contracts_kept();
}

#[test]
fn a_channel_whose_secret_is_missing_fails_alone() {
    let c = Channels::start(Duration::ZERO);
    let config = std::fs::read_to_string(c.site.path("summit.toml")).unwrap();
    let config = config.replacen(
        &format!(
            "webhook-command = \"printf %s {}\"",
            c.public_hook.server.url(HOOK)
        ),
        "webhook-env = \"SUMMIT_TEST_NO_SUCH_WEBHOOK\"",
        1,
    );
    std::fs::write(c.site.path("summit.toml"), config).unwrap();
    c.site.tick_ok("2026-11-22T00:00:00Z");
    let r = c.site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.contains(
            "the reminder of the summit on 2026-11-26 to channel `slack-dev` was not sent"
        ) && r
            .stderr
            .contains("`SUMMIT_TEST_NO_SUCH_WEBHOOK` is not set"),
        "{}",
        r.stderr
    );
    // The others went.
    assert_eq!(c.matrix_posts().len(), 1);
    assert_eq!(c.forum.topics().len(), 1);
    assert_eq!(c.statuses().len(), 1);
    c.assert_contracts_kept();
}
