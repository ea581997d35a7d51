//! Tests of the ledger: its file, selectors, listing and transitions.

use super::*;

use chrono::{DateTime, Utc};

use crate::model::message::valid_message_id;
use crate::model::{Kind, OccurrenceKey, State, Step, When};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn entry(uid: &str, step: Kind, seq: u32, to: &str, state: State) -> Entry {
    Entry {
        key: Key {
            occurrence: OccurrenceKey {
                uid: uid.into(),
                original: Some(When::Timed(t("2026-11-26T16:00:00Z"))),
            },
            kind: step,
            seq,
            to: to.into(),
            channel: None,
        },
        state,
        message_id: Some("0123abcd.reminder.20261126@example.org".into()),
        due: t("2026-11-23T16:00:00Z"),
        announced: Announced {
            start: When::Timed(t("2026-11-26T16:00:00Z")),
            end: When::Timed(t("2026-11-26T18:00:00Z")),
            summary: "Developer Summit \"quoted\" = [x]".into(),
            cancelled: false,
            facilitator: None,
        },
        intent_at: Some(t("2026-11-23T16:00:00Z")),
        sent_at: (state == State::Sent).then(|| t("2026-11-23T16:00:01Z")),
        failed_at: None,
        missed_at: None,
        attempts: 1,
        error: None,
        unconfirmed: false,
        marked_at: None,
        proposes: None,
        posted: None,
    }
}

/// The TOML of a ledger holding `first` and then `second`, whatever their keys.
fn two_messages(first: Entry, second: Entry) -> String {
    let mut a = Ledger::default();
    a.upsert(first);
    let mut b = Ledger::default();
    b.upsert(second);
    let b = b.to_toml();
    let tail = &b[b.find("\n[[message]]").unwrap()..];
    format!("{}\n{tail}", a.to_toml())
}

#[test]
fn a_message_twice_is_an_error_naming_both_whatever_the_order() {
    let sent = entry("s@x", Kind::Step(Step::Reminder), 0, "a@x.org", State::Sent);
    let failed = entry(
        "s@x",
        Kind::Step(Step::Reminder),
        0,
        "a@x.org",
        State::Failed,
    );
    for text in [
        two_messages(sent.clone(), failed.clone()),
        two_messages(failed, sent),
    ] {
        let e = Ledger::from_toml(&text).unwrap_err();
        assert_eq!(
            e,
            "[[message]] 1 and 2 of the ledger are both uid `s@x` original `2026-11-26T16:00:00Z` step `reminder` to `a@x.org`, expected one entry per message (remove the wrong one)",
        );
    }
    // Another recipient is another message.
    let one = entry("s@x", Kind::Step(Step::Reminder), 0, "a@x.org", State::Sent);
    let two = entry(
        "s@x",
        Kind::Step(Step::Reminder),
        0,
        "b@x.org",
        State::Failed,
    );
    assert_eq!(
        Ledger::from_toml(&two_messages(one, two))
            .unwrap()
            .entries()
            .count(),
        2
    );
}

#[test]
fn an_occurrence_missing_twice_is_an_error() {
    let text = "version = 1\n\n[[missing]]\nuid = \"s@x\"\nsince = \"2026-11-20T00:00:00Z\"\n\n[[missing]]\nuid = \"t@x\"\nsince = \"2026-11-20T00:00:00Z\"\n\n[[missing]]\nuid = \"s@x\"\nsince = \"2026-11-21T00:00:00Z\"\n";
    let e = Ledger::from_toml(text).unwrap_err();
    assert_eq!(
        e,
        "[[missing]] 1 and 3 of the ledger are both for uid `s@x`, expected one entry per summit occurrence"
    );
}

#[test]
fn round_trips_sorted_and_readable() {
    let mut l = Ledger {
        since: Some(t("2026-11-01T00:00:00Z")),
        ..Ledger::default()
    };
    l.upsert(entry(
        "b@x",
        Kind::Step(Step::Handover),
        0,
        "team@x.org",
        State::Sent,
    ));
    l.upsert(entry(
        "a@x",
        Kind::Correction,
        1,
        "list@x.org",
        State::Intent,
    ));
    l.upsert(entry(
        "a@x",
        Kind::Step(Step::Reminder),
        0,
        "list@x.org",
        State::Sent,
    ));
    let text = l.to_toml();
    assert!(text.starts_with("# The send ledger"), "{text}");
    assert!(text.contains("version = 1\n"), "{text}");
    assert!(text.contains("[[message]]\nuid = \"a@x\""), "{text}");
    assert!(text.contains("state = \"intent\""), "{text}");
    let order: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("step = "))
        .collect();
    assert_eq!(
        order,
        ["\"reminder\"", "\"correction\"", "\"handover\""],
        "{text}"
    );
    let back = Ledger::from_toml(&text).unwrap();
    assert_eq!(back, l);
    assert_eq!(back.to_toml(), text, "stable text");
}

#[test]
fn the_feed_state_round_trips_and_follows_a_new_uid() {
    let mut l = Ledger::default();
    let old = OccurrenceKey {
        uid: "old@x".into(),
        original: Some(When::Timed(t("2026-11-26T16:00:00Z"))),
    };
    let new = OccurrenceKey {
        uid: "new@x".into(),
        ..old.clone()
    };
    l.upsert(entry(
        "old@x",
        Kind::Step(Step::Reminder),
        0,
        "a@x.org",
        State::Sent,
    ));
    l.missing.insert(old.clone(), t("2026-11-23T17:00:00Z"));
    l.feed_empty_since = Some(t("2026-11-24T00:00:00Z"));
    let text = l.to_toml();
    assert!(
        text.contains("feed-empty-since = \"2026-11-24T00:00:00Z\""),
        "{text}"
    );
    assert_eq!(Ledger::from_toml(&text).unwrap(), l);
    let id = l.entries().next().unwrap().message_id.clone();
    assert_eq!(l.rekey(&old, &new), 1);
    let e = l.entries().next().unwrap();
    assert_eq!((&e.key.occurrence, &e.message_id), (&new, &id));
    assert_eq!(l.missing.keys().collect::<Vec<_>>(), [&new]);
    assert_eq!(Ledger::from_toml(&l.to_toml()).unwrap(), l);
}

#[test]
fn rejects_what_it_does_not_understand() {
    let mut l = Ledger::default();
    l.upsert(entry(
        "a@x",
        Kind::Step(Step::Reminder),
        0,
        "l@x.org",
        State::Sent,
    ));
    let good = l.to_toml();
    for (from, to, needle) in [
        ("version = 1", "version = 9", "version `9`"),
        ("state = \"sent\"", "state = \"gone\"", "line "),
        ("step = \"reminder\"", "step = \"remind\"", "step `remind`"),
        (
            "message-id = \"0123abcd.reminder.20261126@example.org\"",
            "message-id = \"x\\r\\nBcc: evil@x.org\"",
            "is not a Message-ID",
        ),
        (
            "due = \"2026-11-23T16:00:00Z\"",
            "due = \"soon\"",
            "due `soon`",
        ),
    ] {
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good, "{from}");
        let e = Ledger::from_toml(&bad).unwrap_err();
        assert!(e.contains(needle), "{e} should contain {needle}");
    }
}

#[test]
fn message_ids_are_validated() {
    assert!(valid_message_id("ab12.reminder.20261126@example.org"));
    for bad in [
        "",
        "no-at",
        "a@b@c",
        "a b@c",
        "a@b\r\nX: y",
        "<a@b>",
        "a..b@c",
        ".a@c",
    ] {
        assert!(!valid_message_id(bad), "{bad:?}");
    }
}

#[test]
fn load_missing_is_empty_and_save_is_loadable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE);
    assert_eq!(Ledger::load(&path).unwrap(), Ledger::default());
    let mut l = Ledger::default();
    l.upsert(entry(
        "a@x",
        Kind::Step(Step::Outreach),
        0,
        "ada@x.org",
        State::Failed,
    ));
    l.save(&path).unwrap();
    assert_eq!(Ledger::load(&path).unwrap(), l);
    std::fs::write(&path, "garbage = [").unwrap();
    let err = Ledger::load(&path).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    assert!(err.to_string().contains("ledger.toml"), "{err}");
}

/// `entry` with its own Message-ID and, for `date`, its summit (announced and
/// original) on that day at 16:00 UTC.
fn at(uid: &str, kind: Kind, to: &str, state: State, id: &str, date: &str) -> Entry {
    let start = t(&format!("{date}T16:00:00Z"));
    let mut e = entry(uid, kind, u32::from(kind == Kind::Correction), to, state);
    e.key.occurrence.original = Some(When::Timed(start));
    e.announced.start = When::Timed(start);
    e.announced.end = When::Timed(start + chrono::Duration::hours(2));
    e.due = start - chrono::Duration::days(3);
    e.message_id = Some(id.into());
    e
}

fn sample() -> Ledger {
    let mut l = Ledger::default();
    let r = Kind::Step(Step::Reminder);
    let o = Kind::Step(Step::Outreach);
    for e in [
        at(
            "s@x",
            r,
            "list@x.org",
            State::Sent,
            "aa11.reminder.20261126@x.org",
            "2026-11-26",
        ),
        at(
            "s@x",
            o,
            "ada@x.org",
            State::Intent,
            "bb22.outreach.20261126@x.org",
            "2026-11-26",
        ),
        at(
            "s@x",
            o,
            "bob@x.org",
            State::Failed,
            "bb33.outreach.20261126@x.org",
            "2026-11-26",
        ),
        at(
            "s@x",
            r,
            "list@x.org",
            State::Missed,
            "cc44.reminder.20260826@x.org",
            "2026-08-26",
        ),
        at(
            "other@x",
            r,
            "list@x.org",
            State::Sent,
            "dd55.reminder.20261126@x.org",
            "2026-11-26",
        ),
    ] {
        l.upsert(e);
    }
    l
}

fn ids(found: &[&Entry]) -> Vec<String> {
    found
        .iter()
        .map(|e| e.message_id.clone().unwrap())
        .collect()
}

#[test]
fn selects_by_message_id_whole_bracketed_or_by_unique_prefix() {
    let l = sample();
    let by = |s: &str| l.select(&Selector::MessageId(s.into())).map(|f| ids(&f));
    let want = Ok(vec!["bb22.outreach.20261126@x.org".to_string()]);
    assert_eq!(by("bb22.outreach.20261126@x.org"), want);
    assert_eq!(by(" <bb22.outreach.20261126@x.org> "), want);
    assert_eq!(by("bb2"), want);
    match by("bb") {
        Err(e @ SelectError::AmbiguousId { .. }) => {
            let m = e.to_string();
            assert!(m.starts_with("Message-ID `bb` matches 2 messages"), "{m}");
            assert!(m.contains("`<bb33.outreach.20261126@x.org>`"), "{m}");
        }
        other => panic!("{other:?}"),
    }
    for missing in ["zz", "", "<>", "outreach"] {
        let e = by(missing).unwrap_err();
        assert!(matches!(e, SelectError::NoMatch(_)), "{missing}: {e:?}");
        assert!(
            e.to_string()
                .contains("expected one that `summit ledger list --all` shows")
        );
    }
}

#[test]
fn selects_a_step_of_one_summit_by_date_every_recipient_or_one() {
    let mut l = sample();
    let step = |date: &str, kind: Kind, to: Option<&str>| Selector::Step {
        date: date.parse().unwrap(),
        kind,
        to: to.map(Into::into),
    };
    let outreach = Kind::Step(Step::Outreach);
    assert_eq!(
        ids(&l.select(&step("2026-11-26", outreach, None)).unwrap()),
        [
            "bb22.outreach.20261126@x.org",
            "bb33.outreach.20261126@x.org"
        ]
    );
    assert_eq!(
        ids(&l
            .select(&step("2026-11-26", outreach, Some("<BOB@x.org>")))
            .unwrap()),
        ["bb33.outreach.20261126@x.org"]
    );
    let e = l
        .select(&step("2026-11-26", outreach, Some("eve@x.org")))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "no message in the ledger is the outreach of a summit on 2026-11-26 to `eve@x.org`, expected one that `summit ledger list --all` shows"
    );
    assert!(matches!(
        l.select(&step("2026-11-27", outreach, None)),
        Err(SelectError::NoMatch(_))
    ));
    // Two summits (UIDs) have a reminder that day.
    let e = l
        .select(&step("2026-11-26", Kind::Step(Step::Reminder), None))
        .unwrap_err();
    assert!(
        e.to_string().starts_with("`--summit 2026-11-26` matches 2 summits in the ledger (uid `other@x` instance `2026-11-26T16:00:00Z`, uid `s@x` instance"),
        "{e}"
    );
    // A moved summit is found by its new date and by its original one.
    let mut moved = at(
        "m@x",
        Kind::Step(Step::Handover),
        "team@x.org",
        State::Intent,
        "ee66.handover.20261201@x.org",
        "2026-12-01",
    );
    moved.announced.start = When::Timed(t("2026-12-02T16:00:00Z"));
    l.upsert(moved);
    for date in ["2026-12-01", "2026-12-02"] {
        assert_eq!(
            ids(&l
                .select(&step(date, Kind::Step(Step::Handover), None))
                .unwrap()),
            ["ee66.handover.20261201@x.org"],
            "{date}"
        );
    }
    assert!(matches!(
        l.select(&step("2026-11-26", Kind::Correction, None)),
        Err(SelectError::NoMatch(_))
    ));
}

#[test]
fn marking_sent_keeps_when_it_left_and_says_who_settled_it() {
    let now = t("2026-11-24T09:00:00Z");
    let intent = entry(
        "a@x",
        Kind::Step(Step::Reminder),
        0,
        "l@x.org",
        State::Intent,
    );
    let m = intent.marked_sent(now);
    assert_eq!(m.state, State::Sent);
    assert_eq!(m.sent_at, intent.intent_at, "left when it was handed over");
    assert_eq!(m.marked_at, Some(now));
    assert_eq!((m.attempts, &m.key), (intent.attempts, &intent.key));
    let mut failed = intent.clone();
    failed.state = State::Failed;
    failed.error = Some("451 later".into());
    failed.intent_at = None;
    let m = failed.marked_sent(now);
    assert_eq!(
        (m.state, m.sent_at, m.error),
        (State::Sent, Some(now), None)
    );
    let mut missed = intent.clone();
    missed.state = State::Missed;
    missed.unconfirmed = true;
    assert!(!missed.marked_sent(now).unconfirmed);
    let sent = entry("a@x", Kind::Step(Step::Reminder), 0, "l@x.org", State::Sent);
    assert_eq!(sent.marked_sent(now), sent, "already sent: unchanged");
    // The mark survives the file.
    let mut l = Ledger::default();
    l.upsert(intent.marked_sent(now));
    let text = l.to_toml();
    assert!(
        text.contains("marked-at = \"2026-11-24T09:00:00Z\""),
        "{text}"
    );
    assert_eq!(Ledger::from_toml(&text).unwrap(), l);
    assert_eq!(l.remove(&intent.key).map(|e| e.state), Some(State::Sent));
    assert_eq!(l, Ledger::default());
}

#[test]
fn the_listing_keeps_recent_summits_and_every_intent_in_due_order() {
    let mut l = sample();
    let mut old_intent = at(
        "s@x",
        Kind::Step(Step::Handover),
        "team@x.org",
        State::Intent,
        "ff77.handover.20260726@x.org",
        "2026-07-26",
    );
    old_intent.due = t("2026-07-26T20:00:00Z");
    l.upsert(old_intent);
    let listed = |f: &Filter| -> Vec<Vec<String>> {
        l.listing(f).into_iter().map(|(_, es)| ids(&es)).collect()
    };
    assert_eq!(
        listed(&Filter::default()),
        [
            vec!["ff77.handover.20260726@x.org"],
            vec!["cc44.reminder.20260826@x.org"],
            vec!["dd55.reminder.20261126@x.org"],
            vec![
                "aa11.reminder.20261126@x.org",
                "bb22.outreach.20261126@x.org",
                "bb33.outreach.20261126@x.org"
            ],
        ]
        .map(|g| g.into_iter().map(String::from).collect::<Vec<_>>())
    );
    let recent = Filter {
        states: Vec::new(),
        since: Some(t("2026-09-01T00:00:00Z")),
        adopted_before: None,
    };
    let got = listed(&recent);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got[0],
        ["ff77.handover.20260726@x.org"],
        "an old intent stays"
    );
    let intents = Filter {
        states: vec![State::Intent, State::Failed],
        since: None,
        adopted_before: None,
    };
    assert_eq!(
        listed(&intents).concat(),
        [
            "ff77.handover.20260726@x.org",
            "bb22.outreach.20261126@x.org",
            "bb33.outreach.20261126@x.org"
        ]
    );
}

#[test]
fn states_and_kinds_parse_from_their_names() {
    for s in State::ALL {
        assert_eq!(s.name().parse::<State>(), Ok(s));
    }
    assert!(
        "sending"
            .parse::<State>()
            .unwrap_err()
            .contains("`sending`")
    );
    assert_eq!("correction".parse::<Kind>(), Ok(Kind::Correction));
    assert_eq!(
        "agenda-vote".parse::<Kind>(),
        Ok(Kind::Step(Step::AgendaVote))
    );
    let e = "vote".parse::<Kind>().unwrap_err();
    assert!(e.contains("`vote`") && e.contains("`correction`"), "{e}");
}

/// The state machine: an intent counts the attempt and keeps the last failure until the
/// outcome is known; `sent` and `failed` settle it; a missed intent stays unconfirmed;
/// entries never handed over keep the history of the earlier attempt.
#[test]
fn transitions_keep_the_history_of_earlier_attempts() {
    let first = entry("s@x", Kind::Step(Step::Reminder), 0, "a@x.org", State::Sent);
    let about = About {
        key: first.key.clone(),
        message_id: first.message_id.clone(),
        due: first.due,
        announced: first.announced.clone(),
        proposes: None,
    };
    let (t1, t2, t3) = (
        t("2026-11-23T16:00:00Z"),
        t("2026-11-23T17:00:00Z"),
        t("2026-11-23T18:00:00Z"),
    );
    let intent = Entry::intent(about.clone(), None, t1);
    assert_eq!(
        (
            intent.state,
            intent.attempts,
            intent.intent_at,
            intent.sent_at
        ),
        (State::Intent, 1, Some(t1), None)
    );
    let failed = intent.clone().failed("refused", t1);
    assert_eq!(
        (failed.state, failed.failed_at, failed.error.as_deref()),
        (State::Failed, Some(t1), Some("refused"))
    );
    let again = Entry::intent(about.clone(), Some(&failed), t2);
    assert_eq!(
        (again.attempts, again.failed_at, again.error.as_deref()),
        (2, Some(t1), Some("refused"))
    );
    let sent = again.clone().sent(t2);
    assert_eq!(
        (sent.state, sent.sent_at, sent.error, sent.attempts),
        (State::Sent, Some(t2), None, 2)
    );
    let missed = again.missed("its window closed", t3);
    assert_eq!(
        (missed.state, missed.missed_at, missed.unconfirmed),
        (State::Missed, Some(t3), true)
    );
    let undrafted = Entry::not_handed_over(about.clone(), Some(&failed), "no template", t2);
    assert_eq!(
        (
            undrafted.state,
            undrafted.attempts,
            undrafted.intent_at,
            undrafted.failed_at
        ),
        (State::Failed, 1, Some(t1), Some(t2))
    );
    let closed = Entry::closed(about.clone(), Some(&failed), "too late", t3);
    assert_eq!(
        (
            closed.state,
            closed.unconfirmed,
            closed.attempts,
            closed.error.as_deref()
        ),
        (State::Missed, false, 1, Some("too late"))
    );
    let never = Entry::closed(about.clone(), None, "nobody ran", t3);
    assert_eq!((never.attempts, never.intent_at), (0, None));
    let marked = Entry::marked(about, t3);
    assert_eq!(
        (
            marked.state,
            marked.sent_at,
            marked.marked_at,
            marked.attempts
        ),
        (State::Sent, Some(t3), Some(t3), 0)
    );
}
