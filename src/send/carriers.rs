//! What carries a drafted message: the e-mail transport, or the channel it is posted
//! to ([`Carriers`]), behind one trait ([`Carrier`]) the exactly-once protocol
//! ([`super::deliver`]) hands each message to.

use std::collections::BTreeMap;

use crate::config::{Channel as ChannelConfig, MailConfig};
use crate::error::Result;
use crate::ledger::{Entry, Ledger};
use crate::mail::{Draft, PostDraft};
use crate::model::{Kind, State, Step};

use super::channel::{self, Channel, Post, Posted};
use super::outgoing::{Outgoing, announced_order};
use super::transport::{self, Outcome, Transport};

/// A message drafted for where it goes.
#[derive(Clone, Debug)]
pub enum Composed {
    /// An e-mail.
    Mail(Box<Draft>),
    /// A channel message.
    Post(PostDraft),
}

impl Composed {
    /// Its Message-ID, without angle brackets.
    pub fn message_id(&self) -> &str {
        match self {
            Composed::Mail(d) => &d.message_id,
            Composed::Post(p) => &p.message_id,
        }
    }

    /// Its subject (an e-mail) or title (a channel message).
    pub fn subject(&self) -> &str {
        match self {
            Composed::Mail(d) => &d.rendered.subject,
            Composed::Post(p) => &p.title,
        }
    }
}

impl From<Draft> for Composed {
    fn from(d: Draft) -> Composed {
        Composed::Mail(Box::new(d))
    }
}

/// What hands a drafted message over and says what became of it.
pub trait Carrier {
    /// Hands `draft` (of `o`) over. `ledger` is read for where the summit's messages
    /// on a channel went before (its thread, the message a correction edits).
    fn carry(&mut self, o: &Outgoing, draft: &Composed, ledger: &Ledger) -> Posted;
}

/// An e-mail transport carries e-mail only.
impl<T: Transport + ?Sized> Carrier for T {
    fn carry(&mut self, o: &Outgoing, draft: &Composed, _ledger: &Ledger) -> Posted {
        match draft {
            Composed::Mail(d) => Posted {
                outcome: self.deliver(&d.message),
                id: None,
            },
            Composed::Post(_) => Posted::not_sent(
                format!("{} is for a channel, not e-mail", o.describe()),
                false,
            ),
        }
    }
}

/// The e-mail transport and the channels of one run, each opened when its first
/// message is carried (a run with nothing for a channel never reads its secret's
/// command or opens a connection).
pub struct Carriers<'a> {
    mail: &'a MailConfig,
    password: Option<String>,
    transport: Option<Box<dyn Transport>>,
    channels: &'a [ChannelConfig],
    secrets: BTreeMap<String, std::result::Result<String, String>>,
    open: BTreeMap<String, std::result::Result<Box<dyn Channel>, String>>,
}

impl<'a> Carriers<'a> {
    /// The carriers of `mail` (with the SMTP `password`) and `channels` (with their
    /// `secrets`, read beforehand: the secret, or why it could not be read).
    pub fn new(
        mail: &'a MailConfig,
        password: Option<String>,
        channels: &'a [ChannelConfig],
        secrets: BTreeMap<String, std::result::Result<String, String>>,
    ) -> Carriers<'a> {
        Carriers {
            mail,
            password,
            transport: None,
            channels,
            secrets,
            open: BTreeMap::new(),
        }
    }

    /// The e-mail transport, opened now if not yet.
    ///
    /// # Errors
    /// As [`transport::open`].
    fn transport(&mut self) -> Result<&mut Box<dyn Transport>> {
        if self.transport.is_none() {
            self.transport = Some(transport::open(self.mail, self.password.take())?);
        }
        Ok(self.transport.as_mut().expect("opened above"))
    }

    /// The channel `name`, opened now if not yet; why it cannot be.
    fn channel(&mut self, name: &str) -> std::result::Result<&mut Box<dyn Channel>, String> {
        if !self.open.contains_key(name) {
            let opened = match self.channels.iter().find(|c| c.name == name) {
                None => Err(format!(
                    "channel `{name}` is not configured any more (no [[channels]] of that name)"
                )),
                Some(config) => match self.secrets.remove(name) {
                    Some(Ok(secret)) => channel::open(config, secret).map_err(|e| e.to_string()),
                    Some(Err(e)) => Err(e),
                    None => channel::secret(config)
                        .and_then(|s| channel::open(config, s))
                        .map_err(|e| e.to_string()),
                },
            };
            self.open.insert(name.to_string(), opened);
        }
        self.open
            .get_mut(name)
            .expect("inserted above")
            .as_mut()
            .map_err(|e| e.clone())
    }
}

impl Carrier for Carriers<'_> {
    fn carry(&mut self, o: &Outgoing, draft: &Composed, ledger: &Ledger) -> Posted {
        match draft {
            Composed::Mail(d) => match self.transport() {
                Ok(t) => Posted {
                    outcome: t.deliver(&d.message),
                    id: None,
                },
                Err(e) => Posted::not_sent(e.to_string(), true),
            },
            Composed::Post(p) => {
                let (thread, edit) = thread_of(o, ledger);
                let post = Post {
                    message_id: &p.message_id,
                    kind: p.kind,
                    title: &p.title,
                    markdown: &p.markdown,
                    thread: thread.as_deref(),
                    edit: edit.as_deref(),
                    resumed: o
                        .previous
                        .as_ref()
                        .is_some_and(|e| e.state == State::Intent),
                };
                match self.channel(&p.channel) {
                    Ok(c) => c.post(&post),
                    Err(e) => Posted::not_sent(e, true),
                }
            }
        }
    }
}

/// Where a channel message of `o` goes among the summit's earlier posts on the same
/// channel, from `ledger`: the thread (what the channel called the summit's reminder,
/// else its first message that may have been delivered and was given an ID), and for
/// a correction the message it edits (the same). The reminder itself starts the
/// thread.
pub fn thread_of(o: &Outgoing, ledger: &Ledger) -> (Option<String>, Option<String>) {
    if o.key.kind == Kind::Step(Step::Reminder) || o.key.channel.is_none() {
        return (None, None);
    }
    let mut posted: Vec<&Entry> = ledger
        .of_occurrence(&o.key.occurrence)
        .filter(|e| e.key.channel == o.key.channel && e.key != o.key)
        .filter(|e| e.posted.is_some() && e.maybe_delivered())
        .collect();
    posted.sort_by_key(|e| (e.key.kind != Kind::Step(Step::Reminder), announced_order(e)));
    let root = posted.first().and_then(|e| e.posted.clone());
    let edit = root.clone().filter(|_| o.key.kind == Kind::Correction);
    (root, edit)
}

/// Whether `outcome` stops the carrier that gave it for the rest of the run: it is
/// unusable (`fatal`), or it may have taken a message it did not confirm.
pub fn stops(outcome: &Outcome) -> bool {
    matches!(
        outcome,
        Outcome::NotSent { fatal: true, .. } | Outcome::Unknown(_)
    )
}
