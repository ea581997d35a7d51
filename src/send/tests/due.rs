//! What is due: steps inside their windows, missed and adopted steps, threading.

use super::*;

/// More than `MAX_PLANNED` summits between the lookback and the lead: an error, not
/// a flood of mail; as many is fine.
#[test]
fn a_flood_of_summits_is_refused() {
    let feed = |rrule: &str| {
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:h@x\r\n\
DTSTART:20260101T000000Z\r\nDURATION:PT1M\r\nRRULE:{rrule}\r\nSUMMARY:Developer Summit\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap()
    };
    let c = config();
    let now = t("2026-06-01T00:00:00Z");
    let l = Ledger::default();
    let err = Summits::collect(&feed("FREQ=HOURLY"), &c, &l, now, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "more than {MAX_PLANNED} summits fall between 2026-03-01T00:00:00Z and "
        )),
        "{err}"
    );
    // From the lookback (March 1) to now + 7 days (the assignment's lead, June 8),
    // both included: 100 summits, and the one past the lead.
    let s = Summits::collect(&feed("FREQ=DAILY"), &c, &l, now, &mut Vec::new()).unwrap();
    assert_eq!(s.planned.len(), 101);
    assert!(s.any_current && s.current.is_empty());
}

#[test]
fn each_step_is_due_from_its_due_time_until_its_window_closes() {
    let cal = calendar("");
    let l = Ledger::default();
    // The October handover: open for 48 hours after the end.
    assert_eq!(
        names(&plan_at(&cal, &l, "2026-10-28T17:59:59Z", false)),
        ["handover 2026-10-26"]
    );
    assert!(names(&plan_at(&cal, &l, "2026-10-28T18:00:00Z", false)).is_empty());
    assert_eq!(
        names(&plan_at(&cal, &l, "2026-11-23T16:00:00Z", false)),
        ["reminder 2026-11-26"]
    );
    // The reminder invites topics: useful until the topic deadline; the call for
    // votes until the outreach picks the most-voted topics.
    assert_eq!(
        names(&plan_at(&cal, &l, "2026-11-25T15:59:59Z", false)),
        ["reminder 2026-11-26", "agenda-vote 2026-11-26"]
    );
    // A late first run sends only what is still useful.
    let p = plan_at(&cal, &l, "2026-11-25T17:00:00Z", false);
    assert_eq!(names(&p), ["outreach 2026-11-26"]);
    let adopted: Vec<String> = p
        .notices
        .iter()
        .filter_map(|n| match n {
            Notice::Adopted(e) => Some(format!("{} {}", e.key.kind, e.announced.start.date_utc())),
            _ => None,
        })
        .collect();
    assert!(
        adopted.contains(&"reminder 2026-11-26".to_string())
            && adopted.contains(&"agenda-vote 2026-11-26".to_string()),
        "{adopted:?}"
    );
    // At the start, the steps before it are over; the handover is not due yet.
    assert!(
        plan_at(&cal, &l, "2026-11-26T16:00:00Z", false)
            .sends
            .is_empty()
    );
    assert_eq!(
        names(&plan_at(&cal, &l, "2026-11-26T20:00:00Z", false)),
        ["handover 2026-11-26"]
    );
    assert_eq!(
        names(&plan_at(&cal, &l, "2026-11-28T17:59:00Z", false)),
        ["handover 2026-11-26"]
    );
    assert!(names(&plan_at(&cal, &l, "2026-11-28T18:00:00Z", false)).is_empty());
    assert_eq!(
        names(&plan_at(&cal, &l, "2026-12-23T16:00:00Z", false)),
        ["reminder 2026-12-26"]
    );
}

/// The handover never stays open once the next summit's first step is due, however
/// close the next summit is.
#[test]
fn the_handover_closes_when_the_next_summit_begins_its_timeline() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:w@x\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20261001T160000Z\r\nDTEND:20261001T180000Z\r\n\
RRULE:FREQ=DAILY;INTERVAL=8\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let cal = crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap();
    let l = Ledger::default();
    // Summits on Oct 1 and Oct 9: the assignment of Oct 9 is due Oct 2 16:00, before
    // the 48 hours after Oct 1 18:00 are over.
    assert!(
        names(&plan_at(&cal, &l, "2026-10-02T15:59:00Z", false))
            .contains(&"handover 2026-10-01".to_string())
    );
    assert!(
        !names(&plan_at(&cal, &l, "2026-10-02T16:00:00Z", false))
            .contains(&"handover 2026-10-01".to_string())
    );
}

#[test]
fn sent_is_never_planned_again_and_missed_is_reported_once() {
    let cal = calendar("");
    let mut l = Ledger::default();
    l.since = Some(t("2026-11-20T00:00:00Z"));
    let p = plan_at(&cal, &l, "2026-11-23T16:00:00Z", false);
    send_all(&p, &mut l, "2026-11-23T16:00:00Z");
    assert!(
        plan_at(&cal, &l, "2026-11-23T17:00:00Z", false)
            .sends
            .is_empty()
    );
    // No run until after the start: agenda vote and outreach are missed.
    let p = plan_at(&cal, &l, "2026-11-26T17:00:00Z", false);
    assert!(p.sends.is_empty());
    let missed: Vec<String> = p
        .notices
        .iter()
        .filter_map(|n| match n {
            Notice::Missed(e) => Some(e.key.kind.to_string()),
            // October's steps, due before the ledger was started.
            Notice::Adopted(e) if e.announced.start.date_utc().month() == 10 => None,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(missed, ["agenda-vote", "outreach"]);
    for n in p.notices {
        if let Notice::Missed(e) | Notice::Adopted(e) = n {
            l.upsert(e);
        }
    }
    let p = plan_at(&cal, &l, "2026-11-26T18:00:00Z", false);
    assert!(p.notices.is_empty() && p.sends.is_empty(), "{p:?}");
}

#[test]
fn intents_block_until_retry_and_failures_retry_inside_the_window() {
    let cal = calendar("");
    let mut l = Ledger::default();
    let p = plan_at(&cal, &l, "2026-11-23T16:00:00Z", false);
    send_all(
        &Plan {
            sends: p
                .sends
                .iter()
                .filter(|o| o.key.kind == Kind::Step(Step::Assignment))
                .cloned()
                .collect(),
            ..Plan::default()
        },
        &mut l,
        "2026-11-19T16:00:00Z",
    );
    let o = p
        .sends
        .iter()
        .find(|o| o.key.kind == Kind::Step(Step::Reminder))
        .unwrap();
    let mut e = Entry {
        key: o.key.clone(),
        state: State::Intent,
        message_id: Some("r.x@example.org".into()),
        due: o.due,
        announced: o.announced.clone(),
        intent_at: Some(t("2026-11-23T16:00:00Z")),
        sent_at: None,
        failed_at: None,
        missed_at: None,
        attempts: 1,
        error: None,
        unconfirmed: false,
        marked_at: None,
        proposes: None,
        posted: None,
    };
    l.upsert(e.clone());
    let p = plan_at(&cal, &l, "2026-11-23T17:00:00Z", false);
    assert!(p.sends.is_empty());
    assert!(
        matches!(&unadopted(&p)[..], [Notice::Unconfirmed(_)]),
        "{p:?}"
    );
    let p = plan_at(&cal, &l, "2026-11-23T17:00:00Z", true);
    assert_eq!(names(&p), ["reminder 2026-11-26"]);
    assert_eq!(p.sends[0].previous.as_ref(), Some(&e));
    // Past the window, an unconfirmed intent becomes a missed, unconfirmed one.
    let p = plan_at(&cal, &l, "2026-11-26T16:00:00Z", true);
    match &unadopted(&p)[..] {
        [Notice::Missed(m)] => assert!(m.unconfirmed && m.intent_at.is_some()),
        other => panic!("{other:?}"),
    }
    e.state = State::Failed;
    l.upsert(e);
    let p = plan_at(&cal, &l, "2026-11-23T17:00:00Z", false);
    assert_eq!(names(&p), ["reminder 2026-11-26"]);
}

#[test]
fn later_steps_thread_under_the_reminder() {
    let cal = calendar("");
    let mut l = Ledger::default();
    let p = plan_at(&cal, &l, "2026-11-23T16:00:00Z", false);
    assert_eq!(p.sends[0].in_reply_to, None);
    send_all(&p, &mut l, "2026-11-23T16:00:00Z");
    let p = plan_at(&cal, &l, "2026-11-24T16:00:00Z", false);
    assert_eq!(
        p.sends[0].in_reply_to.as_deref(),
        Some("reminder.x@example.org")
    );
    assert_eq!(p.sends[0].references, ["reminder.x@example.org"]);
}

#[test]
fn a_moved_summit_gets_one_correction_per_recipient_who_had_it() {
    let cal = calendar("");
    let mut l = Ledger::default();
    // The October handover is out of the way (moving November would reopen it).
    let p = plan_at(&cal, &l, "2026-10-26T20:00:00Z", false);
    assert_eq!(names(&p), ["handover 2026-10-26"]);
    send_all(&p, &mut l, "2026-10-26T20:00:00Z");
    let p = plan_at(&cal, &l, "2026-11-23T16:00:00Z", false);
    send_all(&p, &mut l, "2026-11-23T16:00:00Z");
    let moved = calendar(
        "BEGIN:VEVENT\r\nUID:s@x\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20261126T160000Z\r\n\
DTSTART:20261127T160000Z\r\nDTEND:20261127T180000Z\r\nSEQUENCE:1\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n",
    );
    let p = public(plan_at(&moved, &l, "2026-11-24T10:00:00Z", false));
    assert_eq!(names(&p), ["correction 2026-11-27"], "{p:?}");
    let c = &p.sends[0];
    assert_eq!(c.key.to, "list@example.org");
    assert_eq!(c.key.seq, 1);
    assert_eq!(c.in_reply_to.as_deref(), Some("reminder.x@example.org"));
    assert!(
        matches!(&c.what, What::Correction { change: Change::Moved, was } if was.start.date_utc().to_string() == "2026-11-26")
    );
    send_all(&p, &mut l, "2026-11-24T10:00:00Z");
    // Once; and the agenda vote (new due time) goes to the team list without one.
    let p = public(plan_at(&moved, &l, "2026-11-25T16:00:00Z", false));
    assert_eq!(names(&p), ["agenda-vote 2026-11-27"]);
    send_all(&p, &mut l, "2026-11-25T16:00:00Z");
    // Cancelled now: both lists get a correction.
    let cancelled = calendar(
        "BEGIN:VEVENT\r\nUID:s@x\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20261126T160000Z\r\n\
DTSTART:20261127T160000Z\r\nDTEND:20261127T180000Z\r\nSEQUENCE:2\r\nSTATUS:CANCELLED\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n",
    );
    let p = public(plan_at(&cancelled, &l, "2026-11-25T17:00:00Z", false));
    let got: Vec<(String, u32)> = p
        .sends
        .iter()
        .map(|o| (o.key.to.to_string(), o.key.seq))
        .collect();
    assert_eq!(
        got,
        [
            ("list@example.org".to_string(), 2),
            ("team@example.org".to_string(), 1)
        ],
        "{p:?}"
    );
    assert!(p.sends.iter().all(|o| o.announced.cancelled));
    send_all(&p, &mut l, "2026-11-25T17:00:00Z");
    assert!(
        public(plan_at(&cancelled, &l, "2026-11-25T18:00:00Z", false))
            .sends
            .is_empty()
    );
}

#[test]
fn the_facilitator_hears_first() {
    let cal = calendar("");
    let mut l = Ledger::default();
    let p = plan_at(&cal, &l, "2026-10-26T20:00:00Z", false);
    send_all(&p, &mut l, "2026-10-26T20:00:00Z");
    // A week before, before anything public: the heads-up to the facilitator, on
    // its own (not in the reminder's thread).
    let p = plan_at(&cal, &l, "2026-11-19T16:00:00Z", false);
    let got: Vec<(String, String)> = p
        .sends
        .iter()
        .map(|o| (o.key.kind.to_string(), o.key.to.to_string()))
        .collect();
    assert_eq!(
        got,
        [("assignment".to_string(), "grace@example.org".to_string())]
    );
    assert_eq!(p.sends[0].in_reply_to, None);
    assert!(p.sends[0].references.is_empty());
    assert_eq!(p.sends[0].due, t("2026-11-19T16:00:00Z"));
    send_all(&p, &mut l, "2026-11-19T16:00:00Z");
    assert!(
        plan_at(&cal, &l, "2026-11-20T16:00:00Z", false)
            .sends
            .is_empty()
    );
    // A summit that moves after the heads-up: the facilitator is told too.
    let moved = calendar(
        "BEGIN:VEVENT\r\nUID:s@x\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20261126T160000Z\r\n\
DTSTART:20261127T160000Z\r\nDTEND:20261127T180000Z\r\nSEQUENCE:1\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n",
    );
    let p = plan_at(&moved, &l, "2026-11-21T10:00:00Z", false);
    let got: Vec<(String, String)> = p
        .sends
        .iter()
        .map(|o| (o.key.kind.to_string(), o.key.to.to_string()))
        .collect();
    assert_eq!(
        got,
        [("correction".to_string(), "grace@example.org".to_string())]
    );
}

#[test]
fn an_empty_feed_is_not_a_cancellation() {
    let cal = calendar("");
    let mut l = Ledger::default();
    let p = plan_at(&cal, &l, "2026-11-23T16:00:00Z", false);
    send_all(&p, &mut l, "2026-11-23T16:00:00Z");
    let empty = crate::calendar::parse(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
        "t.ics",
        chrono_tz::Tz::UTC,
    )
    .unwrap();
    assert!(
        plan_at(&empty, &l, "2026-11-24T10:00:00Z", false)
            .sends
            .is_empty()
    );
}

/// The test configuration with a public Slack webhook and a public Matrix room.
fn with_channels() -> Inputs {
    let text = format!(
        "{CONFIG}
[[channels]]
name = \"hook\"
kind = \"slack\"
audience = \"public\"
webhook-env = \"HOOK\"

[[channels]]
name = \"room\"
kind = \"matrix\"
audience = \"public\"
homeserver = \"https://matrix.example.org\"
room = \"#dev:example.org\"
access-token-env = \"TOKEN\"
"
    );
    let c = Config::from_toml(&text, Path::new("summit.toml"), Path::new("/cfg")).unwrap();
    Inputs::load(c).unwrap()
}

fn plan_with_channels(cal: &Calendar, ledger: &Ledger, now: &str) -> Plan {
    let c = with_channels();
    let now = t(now);
    let s = Summits::collect(cal, &c, ledger, now, &mut Vec::new()).unwrap();
    plan(&s, ledger, &c, c.mail().unwrap(), now, false)
}

#[test]
fn the_reminder_goes_to_each_public_channel_and_mail_never_threads_under_a_post() {
    let cal = calendar("");
    let mut l = Ledger::default();
    l.since = Some(t("2026-11-01T00:00:00Z"));
    let p = plan_with_channels(&cal, &l, "2026-11-23T16:00:00Z");
    let reminders: Vec<(Option<&str>, &str)> = p
        .sends
        .iter()
        .filter(|o| o.key.kind == Kind::Step(Step::Reminder))
        .map(|o| (o.key.channel.as_deref(), o.key.to.as_key()))
        .collect();
    assert_eq!(
        reminders,
        [
            (None, "list@example.org"),
            (Some("hook"), ""),
            (Some("room"), "")
        ]
    );
    // Only the channels' reminders went out; the mail's failed for good.
    for o in &p.sends {
        let about = o.about(Some(format!(
            "{}.{}@example.org",
            o.key.kind,
            o.key.channel.as_deref().unwrap_or("mail")
        )));
        let e = Entry::intent(about, None, t("2026-11-23T16:00:00Z"));
        l.upsert(match &o.key.channel {
            Some(_) => e
                .sent(t("2026-11-23T16:00:01Z"))
                .posted(Some("$event".into())),
            None => e.failed("550 no", t("2026-11-23T16:00:01Z")),
        });
    }
    let p = plan_with_channels(&cal, &l, "2026-11-24T16:00:00Z");
    let vote = p
        .sends
        .iter()
        .find(|o| o.key.kind == Kind::Step(Step::AgendaVote))
        .unwrap();
    assert_eq!(vote.key.channel, None, "no team channel is configured");
    let root = vote.in_reply_to.as_deref().unwrap();
    assert!(
        !root.ends_with("hook@example.org") && !root.ends_with("room@example.org"),
        "{root}"
    );
    assert!(
        root.contains(".reminder."),
        "the mail reminder as drafted: {root}"
    );
}

#[test]
fn an_unconfirmed_post_is_resumed_where_the_channel_can_tell_and_reported_where_not() {
    let cal = calendar("");
    let mut l = Ledger::default();
    l.since = Some(t("2026-11-01T00:00:00Z"));
    let p = plan_with_channels(&cal, &l, "2026-11-23T16:00:00Z");
    for o in p.sends.iter().filter(|o| o.key.channel.is_some()) {
        let about = o.about(Some(format!(
            "r.{}@example.org",
            o.key.channel.as_deref().unwrap()
        )));
        l.upsert(Entry::intent(about, None, t("2026-11-23T16:00:00Z")));
    }
    let p = plan_with_channels(&cal, &l, "2026-11-23T17:00:00Z");
    let resent: Vec<Option<&str>> = p
        .sends
        .iter()
        .filter(|o| o.key.channel.is_some())
        .map(|o| o.key.channel.as_deref())
        .collect();
    assert_eq!(resent, [Some("room")], "Matrix finds or drops a repeat");
    assert!(p.sends.iter().any(|o| {
        o.key.channel.as_deref() == Some("room")
            && o.previous
                .as_ref()
                .is_some_and(|e| e.state == State::Intent)
    }));
    let reported: Vec<&str> = p
        .notices
        .iter()
        .filter_map(|n| match n {
            Notice::Unconfirmed(e) => e.key.channel.as_deref(),
            _ => None,
        })
        .collect();
    assert_eq!(
        reported,
        ["hook"],
        "a webhook cannot tell: reported, not resent"
    );
}
