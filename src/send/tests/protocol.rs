//! The exactly-once protocol, drafting, and steps marked sent by hand.

use super::*;

/// A transport that checks, when handed a message, that the last ledger saved
/// holds its intent.
struct Fake {
    outcomes: Vec<Outcome>,
    saved: std::rc::Rc<std::cell::RefCell<Option<Ledger>>>,
    intent_on_disk: Vec<bool>,
}

impl Transport for Fake {
    fn deliver(&mut self, m: &lettre::Message) -> Outcome {
        let id = m
            .headers()
            .get_raw("Message-ID")
            .unwrap()
            .trim()
            .to_string();
        let saved = self.saved.borrow();
        self.intent_on_disk.push(saved.as_ref().is_some_and(|l| {
            l.entries().any(|e| {
                e.state == State::Intent
                    && e.message_id
                        .as_ref()
                        .is_some_and(|m| format!("<{m}>") == id)
            })
        }));
        self.outcomes.remove(0)
    }
}

#[test]
fn deliver_records_the_intent_before_handing_over_and_stops_when_unsure() {
    let cal = calendar("");
    let c = config();
    let templates = Templates::load(None).unwrap();
    let now = t("2026-11-25T17:00:00Z");
    let mut l = Ledger::default();
    // The reminder and the call for votes (open until the topic deadline and the
    // outreach), then the outreach.
    let mut p = public(plan_at(&cal, &l, "2026-11-25T15:00:00Z", false));
    p.sends
        .extend(public(plan_at(&cal, &l, "2026-11-25T17:00:00Z", false)).sends);
    assert_eq!(p.sends.len(), 3);
    let mut batch: Vec<(Outgoing, crate::send::Composed)> = p
        .sends
        .iter()
        .map(|o| (o.clone(), compose(o, &c, &templates, now).unwrap().into()))
        .collect();
    // A fourth message that must not be tried after the unknown outcome.
    batch.push(batch[0].clone());
    let saved = std::rc::Rc::new(std::cell::RefCell::new(None));
    let mut fake = Fake {
        outcomes: vec![
            Outcome::Sent,
            Outcome::NotSent {
                reason: "550 no".into(),
                fatal: false,
            },
            Outcome::Unknown("reset".into()),
        ],
        saved: saved.clone(),
        intent_on_disk: Vec::new(),
    };
    let mut save = |l: &Ledger| -> Result<()> {
        *saved.borrow_mut() = Some(l.clone());
        Ok(())
    };
    let done = deliver(batch, &mut l, &mut fake, now, &mut save, &mut |_| {}).unwrap();
    assert_eq!(done.len(), 3, "stops after the unknown outcome");
    assert_eq!(fake.intent_on_disk, [true, true, true]);
    let states: Vec<State> = p
        .sends
        .iter()
        .map(|o| l.get(&o.key).unwrap().state)
        .collect();
    assert_eq!(states, [State::Sent, State::Failed, State::Intent]);
    assert_eq!(saved.borrow().as_ref(), Some(&l), "every change is saved");
    assert_eq!(
        l.get(&p.sends[1].key).unwrap().error.as_deref(),
        Some("550 no")
    );
}

#[test]
fn the_reminder_carries_the_summit_as_a_calendar_attachment() {
    let cal = calendar("");
    let c = config();
    let templates = Templates::load(None).unwrap();
    let l = Ledger::default();
    let p = public(plan_at(&cal, &l, "2026-11-24T16:00:00Z", false));
    let now = t("2026-11-24T16:00:00Z");
    let reminder = String::from_utf8(
        compose(&p.sends[0], &c, &templates, now)
            .unwrap()
            .formatted(),
    )
    .unwrap();
    assert!(
        reminder.contains("Content-Type: text/calendar; charset=utf-8; method=PUBLISH"),
        "{reminder}"
    );
    let vote = String::from_utf8(
        compose(&p.sends[1], &c, &templates, now)
            .unwrap()
            .formatted(),
    )
    .unwrap();
    assert!(!vote.contains("text/calendar"), "{vote}");
    assert!(
        vote.contains("In-Reply-To: <") && vote.contains("References: <"),
        "{vote}"
    );
}

#[test]
fn a_step_marked_sent_by_hand_has_tick_s_key_and_message_id_and_is_not_sent() {
    let cal = calendar("");
    let c = config();
    let mail = c.mail().unwrap();
    let templates = Templates::load(None).unwrap();
    let mut l = Ledger::default();
    let now = "2026-11-25T17:00:00Z";
    let mut p = public(plan_at(&cal, &l, "2026-11-25T15:00:00Z", false));
    p.sends.extend(public(plan_at(&cal, &l, now, false)).sends);
    assert_eq!(p.sends.len(), 3);
    for o in &p.sends {
        let draft = compose(o, &c, &templates, t(now)).unwrap();
        assert_eq!(o.message_id(mail), draft.message_id, "{}", o.describe());
        let e = o.marked_sent(mail, t("2026-11-22T08:00:00Z"));
        assert_eq!(
            (&e.key, e.state, e.attempts, e.intent_at),
            (&o.key, State::Sent, 0, None)
        );
        assert_eq!(e.message_id.as_deref(), Some(draft.message_id.as_str()));
        assert_eq!(e.marked_at, Some(t("2026-11-22T08:00:00Z")));
        assert_eq!((e.due, &e.announced), (o.due, &o.announced));
        l.upsert(e);
    }
    assert!(public(plan_at(&cal, &l, now, false)).sends.is_empty());
    assert!(
        public(plan_at(&cal, &l, "2026-11-25T15:00:00Z", false))
            .sends
            .is_empty()
    );
    // An earlier attempt is what gets marked, keeping its history.
    let o = &p.sends[0];
    let failed = Entry {
        state: State::Failed,
        failed_at: Some(t("2026-11-23T16:00:00Z")),
        intent_at: Some(t("2026-11-23T16:00:00Z")),
        attempts: 2,
        error: Some("451 later".into()),
        ..o.marked_sent(mail, t(now))
    };
    let retried = Outgoing {
        previous: Some(failed.clone()),
        ..o.clone()
    };
    let e = retried.marked_sent(mail, t(now));
    assert_eq!(e, failed.marked_sent(t(now)));
    assert_eq!((e.attempts, e.sent_at), (2, failed.intent_at));
    assert!(settle_hint("a.b@c").contains("`summit ledger mark-sent a.b@c`"));
}
