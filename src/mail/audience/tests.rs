//! Unit tests of [`super`].

use super::*;

#[test]
fn one_address_in_any_ascii_case() {
    let a = |s: &str| s.parse::<Address>().unwrap();
    assert!(same_address(
        &a("Grace@Example.org"),
        &a("grace@example.org")
    ));
    assert!(!same_address(
        &a("grace@example.org"),
        &a("grace@example.com")
    ));
}

#[test]
fn every_recipient_gets_a_message_of_their_own() {
    let m = |s: &str| Mailbox::new(None, s.parse::<Address>().unwrap());
    let to = vec![m("a@example.org"), m("b@example.org")];
    for step in Step::ALL {
        assert_eq!(
            messages(step, to.clone()),
            vec![vec![to[0].clone()], vec![to[1].clone()]]
        );
    }
    assert_eq!(messages(Step::Outreach, Vec::new()).len(), 0);
    for step in [
        Step::Reminder,
        Step::AgendaVote,
        Step::Handover,
        Step::Checklist,
    ] {
        // Nobody is one message to nobody: how the ledger keys a step with no one.
        assert_eq!(messages(step, Vec::new()), vec![Vec::<Mailbox>::new()]);
    }
}
