//! Corrections of moved, cancelled and re-created summits, and a feed gone quiet.

use super::*;

#[test]
fn a_summit_missing_from_one_fetch_is_not_cancelled() {
    let cal = calendar("");
    let mut l = Ledger::default();
    run_at(&cal, &mut l, "2026-10-26T20:00:00Z");
    run_at(&cal, &mut l, "2026-11-23T16:00:00Z"); // the reminder
    let gone = feed_without_november("rrule");
    // Missing: noted, not cancelled.
    let p = run_at(&gone, &mut l, "2026-11-23T17:00:00Z");
    assert!(corrections(&p).is_empty(), "{p:?}");
    assert_eq!(
        l.missing.values().collect::<Vec<_>>(),
        [&t("2026-11-23T17:00:00Z")]
    );
    // Back an hour later: forgotten, nothing said.
    let p = run_at(&cal, &mut l, "2026-11-23T18:00:00Z");
    assert!(corrections(&p).is_empty() && l.missing.is_empty(), "{p:?}");
    // Missing again, and still missing a day later: cancelled, once per audience.
    run_at(&gone, &mut l, "2026-11-23T19:00:00Z");
    let p = run_at(&gone, &mut l, "2026-11-24T18:59:00Z");
    assert!(corrections(&p).is_empty(), "{p:?}");
    let p = run_at(&gone, &mut l, "2026-11-24T19:00:00Z");
    // The team list never heard of it: its call for votes was due while the
    // summit was missing.
    assert_eq!(
        corrections(&p),
        ["grace@example.org true", "list@example.org true",]
    );
}

#[test]
fn an_exdate_cancels_at_once() {
    let cal = calendar("");
    let mut l = Ledger::default();
    run_at(&cal, &mut l, "2026-10-26T20:00:00Z");
    run_at(&cal, &mut l, "2026-11-23T16:00:00Z");
    let p = run_at(
        &feed_without_november("exdate"),
        &mut l,
        "2026-11-23T17:00:00Z",
    );
    assert_eq!(
        corrections(&p),
        ["grace@example.org true", "list@example.org true"]
    );
    assert!(l.missing.is_empty());
}

#[test]
fn a_feed_that_flaps_gets_at_most_one_correction_a_day() {
    let cal = calendar("");
    let moved = calendar(
        "BEGIN:VEVENT\r\nUID:s@x\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20261126T160000Z\r\n\
DTSTART:20261126T170000Z\r\nDTEND:20261126T190000Z\r\nSEQUENCE:1\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n",
    );
    let mut l = Ledger::default();
    run_at(&cal, &mut l, "2026-10-26T20:00:00Z");
    run_at(&cal, &mut l, "2026-11-23T16:00:00Z");
    // Hourly, flapping between the two versions for a day.
    let mut sent = Vec::new();
    for h in 1..=24 {
        let now = (t("2026-11-23T16:00:00Z") + Duration::hours(h))
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let feed = if h % 2 == 1 { &moved } else { &cal };
        let p = run_at(feed, &mut l, &now);
        for o in p.sends.iter().filter(|o| o.key.to == "list@example.org") {
            sent.push(format!("{now} {} {}", o.key.kind, o.key.seq));
        }
    }
    // The first move is news; the flapping back within the day is held, and by the
    // time the day is over the feed says what was last announced.
    assert_eq!(sent, ["2026-11-23T17:00:00Z correction 1"]);
    // A change that lasts goes out once the day has passed.
    let p = run_at(&cal, &mut l, "2026-11-24T17:00:00Z");
    let public: Vec<u32> = p
        .sends
        .iter()
        .filter(|o| o.key.to == "list@example.org")
        .map(|o| o.key.seq)
        .collect();
    assert_eq!(public, [2]);
}

#[test]
fn a_new_uid_for_the_same_summit_is_the_same_summit() {
    let cal = calendar("");
    let mut l = Ledger::default();
    run_at(&cal, &mut l, "2026-10-26T20:00:00Z");
    run_at(&cal, &mut l, "2026-11-23T16:00:00Z");
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:new@x\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20261026T160000Z\r\nDTEND:20261026T180000Z\r\n\
RRULE:FREQ=MONTHLY;BYMONTHDAY=26\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let recreated = crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap();
    let c = config();
    let now = t("2026-11-24T16:00:00Z");
    let s = Summits::collect(&recreated, &c, &l, now, &mut Vec::new()).unwrap();
    let renamed: Vec<(String, String)> = s
        .renamed
        .iter()
        .map(|(o, n)| {
            (
                o.uid.clone(),
                format!("{} {:?}", n.uid, n.original.map(|w| w.date_utc())),
            )
        })
        .collect();
    assert!(
        renamed.contains(&("s@x".to_string(), "new@x Some(2026-11-26)".to_string())),
        "{renamed:?}"
    );
    for (old, new) in &s.renamed {
        l.rekey(old, new);
    }
    let p = plan(&s, &l, &c, c.mail().unwrap(), now, false);
    // The agenda vote is due: sent under the new UID, in the reminder's thread;
    // nothing resent, nothing cancelled.
    assert_eq!(names(&p), ["agenda-vote 2026-11-26"], "{p:?}");
    assert_eq!(p.sends[0].key.occurrence.uid, "new@x");
    assert_eq!(
        p.sends[0].in_reply_to.as_deref(),
        Some("reminder.x@example.org")
    );
}

/// A pin that swaps the facilitator a handover proposed: the handover's audience
/// hears it, in the handover's thread, even before any step of that summit went.
#[test]
fn a_swap_reaches_whoever_a_handover_told() {
    let cal = calendar("");
    let mut l = Ledger::default();
    let p = run_at(&cal, &mut l, "2026-10-26T20:00:00Z");
    let handover = p
        .sends
        .iter()
        .find(|o| o.key.kind == Kind::Step(Step::Handover))
        .unwrap();
    let proposed = handover.proposes.clone().unwrap();
    // Marked as sent by hand (`summit ledger mark-sent`), it records the same.
    let c0 = config();
    let by_hand = handover.marked_sent(c0.mail().unwrap(), t("2026-10-27T08:00:00Z"));
    assert_eq!(by_hand.proposes.as_ref(), Some(&proposed));
    assert_eq!(
        proposed.start.date_utc().to_string(),
        "2026-11-26",
        "{proposed:?}"
    );
    // The ledger keeps the proposal, and says it was announced.
    let announced = announced_facilitators(&l);
    assert!(
        announced
            .iter()
            .any(|e| e.date.to_string() == "2026-11-26" && proposed.facilitator.email == e.email),
        "{announced:?}"
    );
    let other = if proposed.facilitator.email == "ada@example.org" {
        "grace@example.org"
    } else {
        "ada@example.org"
    };
    let c = Config::from_toml(
        &format!("{CONFIG}[[rotation.assign]]\ndate = \"2026-11-26\"\nemail = \"{other}\"\n"),
        Path::new("summit.toml"),
        Path::new("/cfg"),
    )
    .unwrap();
    let c = crate::plan::inputs::Inputs::load(c).unwrap();
    let now = t("2026-10-28T10:00:00Z");
    let s = Summits::collect(&cal, &c, &l, now, &mut Vec::new()).unwrap();
    let p = plan(&s, &l, &c, c.mail().unwrap(), now, false);
    let got: Vec<(String, Option<String>)> = p
        .sends
        .iter()
        .filter(|o| {
            o.key.kind == Kind::Correction
                && matches!(
                    o.what,
                    What::Correction {
                        change: Change::Facilitator,
                        ..
                    }
                )
        })
        .map(|o| (o.key.to.to_string(), o.in_reply_to.clone()))
        .collect();
    assert_eq!(
        got,
        [(
            "team@example.org".to_string(),
            Some("handover.x@example.org".to_string())
        )]
    );
    assert_eq!(
        p.sends
            .iter()
            .find(|o| o.key.kind == Kind::Correction)
            .and_then(|o| o.announced.facilitator.clone())
            .map(|f| f.email.to_string()),
        Some(other.to_string())
    );
    // Once: recorded, nothing more.
    send_all(&p, &mut l, "2026-10-28T10:00:00Z");
    let p = plan(
        &s,
        &l,
        &c,
        c.mail().unwrap(),
        t("2026-10-28T11:00:00Z"),
        false,
    );
    assert!(
        p.sends.iter().all(|o| o.key.kind != Kind::Correction),
        "{p:?}"
    );
}

#[test]
fn a_feed_without_any_summit_is_an_error_not_silence() {
    let cal = calendar("");
    let mut l = Ledger::default();
    l.since = Some(t("2026-11-20T00:00:00Z"));
    run_at(&cal, &mut l, "2026-11-23T16:00:00Z");
    let empty = crate::calendar::parse(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        "t.ics",
        chrono_tz::Tz::UTC,
    )
    .unwrap();
    let p = run_at(&empty, &mut l, "2026-11-24T16:00:00Z");
    assert!(p.sends.is_empty());
    assert!(
        matches!(&p.notices[..], [Notice::EmptyFeed { since, .. }] if *since == t("2026-11-24T16:00:00Z")),
        "{p:?}"
    );
    assert_eq!(l.feed_empty_since, Some(t("2026-11-24T16:00:00Z")));
    // Back after the agenda vote's window closed: it is recorded missed, saying why.
    let p = run_at(&cal, &mut l, "2026-11-25T17:00:00Z");
    let vote = p
        .notices
        .iter()
        .find_map(|n| match n {
            Notice::Missed(e) if e.key.kind == Kind::Step(Step::AgendaVote) => e.error.clone(),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        vote,
        "the feed listed no summit from 2026-11-24T16:00:00Z until its window closed at 2026-11-25T16:00:00Z"
    );
    assert_eq!(l.feed_empty_since, None);
}
