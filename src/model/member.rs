//! The people of the rotation: a roster [`Member`], a [`Pin`] of a member to a date,
//! and whether an address can be put on an envelope at all.

use chrono::NaiveDate;
use lettre::Address;
use lettre::message::Mailbox;

/// One `[[rotation.members]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// `name`.
    pub name: String,
    /// `email`.
    pub email: Address,
    /// `away`: inclusive date ranges (`"2026-12-20..2027-01-06"` or one date
    /// `"2026-12-24"`) when the member cannot facilitate; dates are the summit's UTC date.
    pub away: Vec<(NaiveDate, NaiveDate)>,
    /// `greeting`: how mails greet the member (`Hello Ada,`), when not by `name`.
    pub greeting: Option<String>,
    /// `github`: the member's GitHub login, which ties their issues and 👍 reactions to
    /// them for `[agenda.github]` (compared without regard to case).
    pub github: Option<String>,
}

impl Member {
    /// Whether the member is away on `date`.
    pub fn is_away(&self, date: NaiveDate) -> bool {
        self.away.iter().any(|(a, b)| *a <= date && date <= *b)
    }

    /// The member as a mailbox, `Name <email>`.
    pub fn mailbox(&self) -> Mailbox {
        Mailbox::new(Some(self.name.clone()), self.email.clone())
    }
}

/// Why mail cannot be sent to `address` although it parses: RFC 5322 allows a quoted
/// local part (`"a b"@example.org`) and a domain literal (`a@[192.0.2.1]`), but the
/// mail builder cannot put them on an envelope. `None` when it can: the builder's own
/// check, with the address as the only recipient, passes.
pub fn unsendable(address: &Address) -> Option<&'static str> {
    if address.user().starts_with('"') {
        return Some("a quoted local part");
    }
    if address.domain().starts_with('[') {
        return Some("a domain literal");
    }
    let from = Mailbox::new(None, Address::new("check", "example.org").ok()?);
    lettre::Message::builder()
        .from(from)
        .to(Mailbox::new(None, address.clone()))
        .body(String::new())
        .err()
        .map(|_| "a form the mail builder refuses")
}

/// A `[[rotation.assign]]` pin: `member` (an index into the roster) facilitates the
/// summit on `date`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// The summit's date (UTC).
    pub date: NaiveDate,
    /// The roster index of the member.
    pub member: usize,
}
