//! The Matrix channel against a real Synapse ([`crate::synapse`]): each test makes a
//! room as a "reader" user, lets the bot post there through
//! `summit::send::channel::open` and reads the room back as the reader.

use std::time::{Duration, Instant};

use serde_json::Value;
use summit::config::{Audience, Channel, ChannelKind, Secret};
use summit::model::{Kind, Step};
use summit::send::channel::{self, Outcome, Post, Posted};

use crate::synapse::{User, synapse, user};

/// A Matrix channel on the test homeserver for `room`, its token printed by a command.
fn config(room: &str, token: &str) -> Channel {
    config_at(&synapse().base, room, token)
}

fn config_at(base: &str, room: &str, token: &str) -> Channel {
    Channel {
        name: "matrix-dev".into(),
        audience: Audience::Public,
        timeout: Duration::from_secs(20),
        kind: ChannelKind::Matrix {
            homeserver: base.parse().unwrap(),
            room: room.into(),
            access_token: Secret::Command {
                command: format!("printf '%s\\n' '{token}'"),
                timeout: Duration::from_secs(10),
            },
        },
    }
}

/// A public room `#alias:localhost` made by a new reader, and a new bot (not in it).
fn room(alias: &str) -> (User, User, String, String) {
    let reader = user("reader");
    let bot = user("bot");
    let alias = format!("{alias}-{}", reader.name);
    let id = reader.create_room(&alias, true);
    (reader, bot, format!("#{alias}:localhost"), id)
}

fn post<'a>(message_id: &'a str, markdown: &'a str) -> Post<'a> {
    Post {
        message_id,
        kind: Kind::Step(Step::Reminder),
        title: "Developer summit",
        markdown,
        thread: None,
        edit: None,
        resumed: false,
    }
}

fn sent(p: &Posted) -> String {
    assert_eq!(p.outcome, Outcome::Sent, "{p:?}");
    let id = p.id.clone().expect("an event ID");
    assert!(id.starts_with('$'), "{id}");
    id
}

/// The messages carrying `summit`'s Message-ID key `mid`.
fn with_id<'a>(messages: &'a [Value], mid: &str) -> Vec<&'a Value> {
    messages
        .iter()
        .filter(|e| e["content"]["io.github.summit.message_id"] == mid)
        .collect()
}

#[test]
fn matrix_reminder_is_posted_with_plain_and_html_bodies_and_no_mentions() {
    let began = Instant::now();
    let (reader, bot, alias, id) = room("reminder");
    let mut ch = channel::open(&config(&alias, &bot.token), bot.token.clone()).unwrap();
    let md = "**Developer summit** on *Thursday*: add topics to [the agenda](https://example.org/agenda).";
    let event = sent(&ch.post(&post("r1@summit.test", md)));
    let e = reader.event(&id, &event);
    assert_eq!(e["sender"], bot.id.as_str());
    assert_eq!(e["type"], "m.room.message");
    let c = &e["content"];
    assert_eq!(c["msgtype"], "m.text");
    assert_eq!(
        c["body"],
        "Developer summit on Thursday: add topics to the agenda (https://example.org/agenda)."
    );
    assert_eq!(c["format"], "org.matrix.custom.html");
    let html = c["formatted_body"].as_str().unwrap();
    assert!(html.contains("<strong>Developer summit</strong>"), "{html}");
    assert!(html.contains("<em>Thursday</em>"), "{html}");
    assert!(
        html.contains("href=\"https://example.org/agenda\""),
        "{html}"
    );
    assert_eq!(c["m.mentions"], serde_json::json!({}));
    assert_eq!(c["io.github.summit.message_id"], "r1@summit.test");
    assert!(c.get("m.relates_to").is_none(), "{c}");
    eprintln!(
        "synapse started in {:?}; this test took {:?}",
        synapse().started_in,
        began.elapsed()
    );
}

#[test]
fn matrix_bot_joins_the_room_by_its_alias_when_not_a_member() {
    let (reader, bot, alias, id) = room("join");
    let line = channel::check(&config(&alias, &bot.token), true).unwrap();
    assert!(line.contains("not joined yet"), "{line}");
    assert!(!bot.joined(&id));
    let mut ch = channel::open(&config(&alias, &bot.token), bot.token.clone()).unwrap();
    sent(&ch.post(&post("j1@summit.test", "hello")));
    assert!(bot.joined(&id));
    // A second post reuses the room found once, and the room ID works as `room` too.
    sent(&ch.post(&post("j2@summit.test", "again")));
    let mut by_id = channel::open(&config(&id, &bot.token), bot.token.clone()).unwrap();
    sent(&by_id.post(&post("j3@summit.test", "by ID")));
    let bodies: Vec<Value> = reader
        .room_messages(&id)
        .iter()
        .map(|e| e["content"]["body"].clone())
        .collect();
    assert_eq!(bodies, ["hello", "again", "by ID"]);
}

#[test]
fn matrix_later_step_lands_in_the_reminders_thread() {
    let (reader, bot, alias, id) = room("thread");
    let mut ch = channel::open(&config(&alias, &bot.token), bot.token.clone()).unwrap();
    let root = sent(&ch.post(&post("t1@summit.test", "reminder")));
    let mut later = post("t2@summit.test", "the call for votes");
    later.kind = Kind::Step(Step::AgendaVote);
    later.thread = Some(&root);
    let reply = sent(&ch.post(&later));
    let rel = &reader.event(&id, &reply)["content"]["m.relates_to"];
    assert_eq!(rel["rel_type"], "m.thread");
    assert_eq!(rel["event_id"], root.as_str());
    assert_eq!(rel["is_falling_back"], true);
    assert_eq!(rel["m.in_reply_to"]["event_id"], root.as_str());
    let thread = reader.relations(&id, &root, "m.thread");
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert_eq!(thread[0]["event_id"], reply.as_str());
}

#[test]
fn matrix_correction_edits_the_reminder_and_posts_in_its_thread() {
    let (reader, bot, alias, id) = room("correction");
    let mut ch = channel::open(&config(&alias, &bot.token), bot.token.clone()).unwrap();
    let root = sent(&ch.post(&post("c1@summit.test", "Summit on **Thursday**")));
    let mut fix = post("c2@summit.test", "The summit moved to **Friday**.");
    fix.kind = Kind::Correction;
    fix.edit = Some(&root);
    let reply = sent(&ch.post(&fix));
    assert_ne!(reply, root);
    let edits = reader.relations(&id, &root, "m.replace");
    assert_eq!(edits.len(), 1, "{edits:?}");
    let edit = &edits[0]["content"];
    assert_eq!(edit["body"], "* The summit moved to Friday.");
    assert_eq!(edit["m.new_content"]["body"], "The summit moved to Friday.");
    assert!(
        edit["m.new_content"]["formatted_body"]
            .as_str()
            .unwrap()
            .contains("<strong>Friday</strong>"),
        "{edit}"
    );
    assert_eq!(edit["m.new_content"]["m.mentions"], serde_json::json!({}));
    assert!(edit["m.new_content"].get("m.relates_to").is_none());
    // The server bundles the edit with the original.
    let original = reader.event(&id, &root);
    let bundled = &original["unsigned"]["m.relations"]["m.replace"]["event_id"];
    assert_eq!(bundled, &edits[0]["event_id"], "{original}");
    // The correction itself is in the reminder's thread.
    let thread = reader.relations(&id, &root, "m.thread");
    assert_eq!(thread.len(), 1, "{thread:?}");
    assert_eq!(thread[0]["event_id"], reply.as_str());
    assert_eq!(thread[0]["content"]["body"], "The summit moved to Friday.");
    // Resumed, it finds both and sends nothing more.
    fix.resumed = true;
    assert_eq!(sent(&ch.post(&fix)), reply);
    assert_eq!(reader.relations(&id, &root, "m.replace").len(), 1);
    assert_eq!(reader.room_messages(&id).len(), 3);
}

#[test]
fn matrix_same_message_id_twice_leaves_one_event() {
    let (reader, bot, alias, id) = room("twice");
    let cfg = config(&alias, &bot.token);
    let mut ch = channel::open(&cfg, bot.token.clone()).unwrap();
    let first = sent(&ch.post(&post("d1@summit.test", "once")));
    // Again on the same device: the transaction ID makes the server drop it.
    assert_eq!(sent(&ch.post(&post("d1@summit.test", "once"))), first);
    // Resumed on another device (another token), where the transaction ID is new: the
    // channel finds the event in the room instead.
    let other = bot.login_again();
    let mut ch2 = channel::open(&cfg, other).unwrap();
    let mut again = post("d1@summit.test", "once");
    again.resumed = true;
    assert_eq!(sent(&ch2.post(&again)), first);
    assert_eq!(
        with_id(&reader.room_messages(&id), "d1@summit.test").len(),
        1
    );
    // Resumed with nothing to find, it posts.
    let mut fresh = post("d2@summit.test", "twice");
    fresh.resumed = true;
    let second = sent(&ch2.post(&fresh));
    assert_ne!(second, first);
    assert_eq!(reader.room_messages(&id).len(), 2);
}

#[test]
fn matrix_mass_mentions_in_escaped_values_do_not_mention() {
    let (reader, bot, alias, id) = room("mentions");
    let mut ch = channel::open(&config(&alias, &bot.token), bot.token.clone()).unwrap();
    let value = summit::mail::markdown::escape("@room <!channel> @everyone [x](https://evil.test)");
    let md = format!("Topic: {value}");
    let event = sent(&ch.post(&post("m1@summit.test", &md)));
    let c = &reader.event(&id, &event)["content"];
    assert_eq!(c["m.mentions"], serde_json::json!({}));
    let body = c["body"].as_str().unwrap();
    let html = c["formatted_body"].as_str().unwrap();
    for text in [body, html] {
        assert!(!text.contains("@room"), "{text:?}");
        assert!(!text.contains("@everyone"), "{text:?}");
        assert!(!text.contains("href"), "{text:?}");
    }
    assert!(body.contains("@\u{2060}room"), "{body:?}");
    // Slack's `<!channel>` is plain text in Matrix: literal in the body, escaped in HTML.
    assert!(body.contains("<!channel>"), "{body:?}");
    assert!(html.contains("&lt;!channel&gt;"), "{html:?}");
    // Synapse's push rules: no notification for the reader.
    let n = reader.get("v3/notifications?only=highlight");
    assert_eq!(n["notifications"], serde_json::json!([]), "{n}");
}

#[test]
fn matrix_bad_token_is_not_sent_and_fatal_without_the_token() {
    let (_reader, _bot, alias, _id) = room("badtoken");
    let token = "syt_not_a_real_token_4815162342";
    let mut ch = channel::open(&config(&alias, token), token.into()).unwrap();
    let p = ch.post(&post("b1@summit.test", "hello"));
    let Outcome::NotSent { reason, fatal } = &p.outcome else {
        panic!("{p:?}")
    };
    assert!(fatal, "{reason}");
    assert!(reason.contains("M_UNKNOWN_TOKEN"), "{reason}");
    assert!(reason.contains("matrix-dev"), "{reason}");
    assert!(!reason.contains(token), "{reason}");
    let e = channel::check(&config(&alias, token), true).unwrap_err();
    let text = e.error.to_string();
    assert!(text.contains("M_UNKNOWN_TOKEN"), "{text}");
    assert!(!text.contains(token), "{text}");
}

#[test]
fn matrix_private_room_is_not_sent_and_fatal() {
    let reader = user("reader");
    let bot = user("bot");
    let alias = format!("private-{}", reader.name);
    let id = reader.create_room(&alias, false);
    let room = format!("#{alias}:localhost");
    let mut ch = channel::open(&config(&room, &bot.token), bot.token.clone()).unwrap();
    let p = ch.post(&post("p1@summit.test", "hello"));
    let Outcome::NotSent { reason, fatal } = &p.outcome else {
        panic!("{p:?}")
    };
    assert!(fatal, "{reason}");
    assert!(reason.contains("joining"), "{reason}");
    assert!(reason.contains("M_FORBIDDEN"), "{reason}");
    // Invited, the bot joins and posts.
    reader.post(
        &format!("v3/rooms/{}/invite", id.replace('!', "%21")),
        &serde_json::json!({"user_id": bot.id}),
    );
    sent(&ch.post(&post("p1@summit.test", "hello")));
    assert_eq!(reader.room_messages(&id).len(), 1);
}

#[test]
fn matrix_check_reports_the_user_and_the_room() {
    let (_reader, bot, alias, id) = room("check");
    let line = channel::check(&config(&alias, &bot.token), true).unwrap();
    assert!(line.contains(&format!("`{}`", bot.id)), "{line}");
    assert!(line.contains(&format!("`{id}`")), "{line}");
    assert!(line.contains(&alias), "{line}");
    assert!(!line.contains(&bot.token), "{line}");
    // Without --connect, nothing is asked (here nothing listens).
    let port = crate::smtp::free_port();
    let offline = config_at(&format!("http://127.0.0.1:{port}"), &alias, &bot.token);
    let line = channel::check(&offline, false).unwrap();
    assert!(
        line.contains("127.0.0.1") && line.contains(&alias),
        "{line}"
    );
    assert!(!line.contains(&bot.token), "{line}");
    // An alias nobody made.
    let missing = config(&format!("#nobody-{}:localhost", bot.name), &bot.token);
    let e = channel::check(&missing, true)
        .unwrap_err()
        .error
        .to_string();
    assert!(e.contains("M_NOT_FOUND"), "{e}");
}

#[test]
fn matrix_unreachable_homeserver_is_not_sent() {
    let port = crate::smtp::free_port();
    let cfg = config_at(&format!("http://127.0.0.1:{port}"), "#a:localhost", "t");
    let mut ch = channel::open(&cfg, "t".into()).unwrap();
    let p = ch.post(&post("u1@summit.test", "hello"));
    assert!(
        matches!(p.outcome, Outcome::NotSent { fatal: true, .. }),
        "{p:?}"
    );
}
