//! Corrections: for each summit occurrence announced before its start (reminder,
//! agenda vote, outreach, earlier corrections) whose time or status has changed since,
//! one correction to each recipient it was announced to, while it is still useful, and
//! at most one per [`CORRECTION_INTERVAL`].

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lettre::Address;
use lettre::message::Mailbox;

use crate::config::MailConfig;
use crate::ledger::{About, Announced, Entry, Key, Ledger, Named};
use crate::mail::Change;
use crate::model::{Kind, Member, Occurrence, OccurrenceKey, Recipients, State, Step, When};
use crate::plan::inputs::Inputs;
use crate::plan::summit::{self, Planned};

use super::notice::Notice;
use super::outgoing::{Outgoing, Plan, Planning, What, announced_order, thread_root};
use super::summits::Summits;

/// At most one correction per summit and audience in this long: a feed that flaps
/// between two versions does not mail a correction on every fetch.
pub const CORRECTION_INTERVAL: Duration = Duration::hours(24);

/// Adds to `plan` the corrections due at `now` (with `retry`, unconfirmed ones resent)
/// and what to report about those that can no longer go; records in `plan.feed` the
/// announced summits the feed no longer lists.
pub(super) fn plan_corrections(plan: &mut Plan, summits: &Summits, planning: &Planning<'_>) {
    let cx = Corrections {
        summits,
        planning: *planning,
    };
    for ((occ, to, channel), mut entries) in by_recipient(planning.ledger) {
        entries.sort_by_key(|e| announced_order(e));
        cx.correct(plan, occ, Told { to, channel }, &entries);
    }
}

/// Whom a summit was told of: e-mail recipients as the ledger keys them, or a channel.
#[derive(Clone, Copy)]
struct Told<'a> {
    /// The ledger's recipients (empty for a channel).
    to: &'a str,
    /// The channel's name.
    channel: Option<&'a str>,
}

/// The entries of each summit occurrence by whom they told: ledger recipients and
/// channel.
type ByRecipient<'a> = BTreeMap<(&'a OccurrenceKey, &'a str, Option<&'a str>), Vec<&'a Entry>>;

/// The entries that told each audience about each summit occurrence: its own steps
/// and corrections, and the handovers that proposed its facilitator.
fn by_recipient(ledger: &Ledger) -> ByRecipient<'_> {
    let mut by_recipient: ByRecipient<'_> = BTreeMap::new();
    for e in ledger.entries() {
        let channel = e.key.channel.as_deref();
        if e.key.to.is_empty() && channel.is_none() {
            continue;
        }
        if matches!(e.key.kind, Kind::Step(Step::Handover)) {
            // A handover is about the summit held, but it told its audience who is to
            // facilitate the next one: they hear of a swap too.
            if let Some(p) = &e.proposes {
                by_recipient
                    .entry((&p.occurrence, e.key.to.as_key(), channel))
                    .or_default()
                    .push(e);
            }
            continue;
        }
        by_recipient
            .entry((&e.key.occurrence, e.key.to.as_key(), channel))
            .or_default()
            .push(e);
    }
    by_recipient
}

/// What the corrections of one run are planned against.
struct Corrections<'a> {
    summits: &'a Summits,
    planning: Planning<'a>,
}

impl Corrections<'_> {
    /// The correction to `to` of the summit `occ`, told by `entries` (in the order they
    /// were announced), if it changed; added to `plan`.
    fn correct(&self, plan: &mut Plan, occ: &OccurrenceKey, told_to: Told<'_>, entries: &[&Entry]) {
        let Some(latest) = entries.iter().rev().find(|e| e.maybe_delivered()).copied() else {
            return;
        };
        let Some((summit, cancelled)) = self.as_it_stands(plan, occ, latest) else {
            return;
        };
        let facilitator = self
            .summits
            .planned
            .iter()
            .find(|p| &OccurrenceKey::of(&p.summit) == occ)
            .and_then(|p| p.facilitator.clone());
        let current =
            Announced::of(&summit, cancelled).naming(facilitator.as_ref().map(|m| Named {
                name: m.name.clone(),
                email: (&m.email).into(),
            }));
        // What the audience was told last: a handover told only who is to facilitate.
        let told = match &latest.proposes {
            Some(p) if latest.key.kind == Kind::Step(Step::Handover) => Announced {
                facilitator: Some(p.facilitator.clone()),
                ..current.clone()
            },
            _ => latest.announced.clone(),
        };
        let recipients = match told_to.channel {
            // A channel no longer configured cannot be posted to.
            Some(c) if !self.planning.config.channels.iter().any(|k| k.name == c) => return,
            Some(_) => Vec::new(),
            None => {
                let Some(r) = mailboxes(
                    told_to.to,
                    self.planning.config,
                    self.planning.mail,
                    self.summits,
                    occ,
                ) else {
                    return;
                };
                r
            }
        };
        let root = thread_root(&summit, self.planning.ledger, self.planning.mail);
        let audience = Audience {
            cx: self,
            occ,
            to: told_to.to,
            channel: told_to.channel,
            parent: latest.message_id.clone().unwrap_or_else(|| root.clone()),
            root,
            summit,
            facilitator,
            recipients,
            current,
        };
        let corrections: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.key.kind == Kind::Correction)
            .copied()
            .collect();
        let last = corrections.iter().max_by_key(|e| e.key.seq).copied();
        match last.filter(|c| c.state == State::Intent) {
            // An unconfirmed correction: reported (or resent with --retry) like a step.
            Some(c) => audience.unconfirmed(plan, c, entries),
            None => audience.changed(plan, &told, &corrections, last),
        }
    }

    /// The summit `occ` as it stands, and whether it is cancelled: cancelled when the
    /// feed says so (STATUS:CANCELLED, a "Cancelled:" title, an EXDATE). Gone from a
    /// feed that still lists other summits: cancelled only once it has been missing from
    /// every fetch for `calendar.cancel-missing-after` (one bad fetch is not news; when
    /// it went missing is kept in `plan.feed`). Gone from a feed without any summit:
    /// more likely a broken feed, so `None`, as when there is nothing to correct.
    fn as_it_stands(
        &self,
        plan: &mut Plan,
        occ: &OccurrenceKey,
        latest: &Entry,
    ) -> Option<(Occurrence, bool)> {
        let gone = || Occurrence {
            uid: occ.uid.clone(),
            summary: latest.announced.summary.clone(),
            start: latest.announced.start,
            end: latest.announced.end,
            all_day: latest.announced.start.is_all_day(),
            recurrence_id: occ.original,
            status: Some("CANCELLED".into()),
            location: None,
            url: None,
        };
        let summits = self.summits;
        match summits.current.get(occ) {
            Some(o) => Some((o.clone(), summit::is_cancelled(o))),
            // Told by a handover only, of a summit that is gone: its own steps never
            // went out, so there is nothing to correct.
            None if latest.key.kind == Kind::Step(Step::Handover) => None,
            None if summits.excluded.contains(occ) => Some((gone(), true)),
            None if summits.uids.contains(&occ.uid) || summits.any_current => {
                if self.planning.now >= latest.announced.start.instant() {
                    // Over already: nothing left to correct.
                    return None;
                }
                let since = self
                    .planning
                    .ledger
                    .missing
                    .get(occ)
                    .copied()
                    .unwrap_or(self.planning.now);
                if let Some(feed) = plan.feed.as_mut() {
                    feed.missing.insert(occ.clone(), since);
                }
                (self.planning.now - since >= self.planning.config.calendar.cancel_missing_after)
                    .then(|| (gone(), true))
            }
            None => None,
        }
    }
}

/// One audience of one summit: what its corrections share.
struct Audience<'a> {
    cx: &'a Corrections<'a>,
    occ: &'a OccurrenceKey,
    /// The ledger's recipients.
    to: &'a str,
    /// The channel, for corrections posted to one.
    channel: Option<&'a str>,
    /// The summit as it stands.
    summit: Occurrence,
    facilitator: Option<Member>,
    recipients: Vec<Mailbox>,
    /// The summit as a correction now announces it.
    current: Announced,
    /// The Message-ID of the summit's thread.
    root: String,
    /// The Message-ID of the last message the audience may have had.
    parent: String,
}

impl Audience<'_> {
    /// Whether the unconfirmed correction `c` is sent again: with `--retry`, or on a
    /// channel that drops or finds a repeated post ([`super::channel::resumes`]).
    fn retries(&self, c: &Entry) -> bool {
        let planning = &self.cx.planning;
        planning.retry
            || self.channel.is_some_and(|name| {
                planning.config.channels.iter().any(|k| {
                    k.name == name && super::channel::resumes(&k.kind, c.intent_at, planning.now)
                })
            })
    }

    /// Until when a correction of what was announced as `was` is useful: the summit's
    /// start, or the start it was announced with when it is cancelled.
    fn useful_until(&self, was: &Announced) -> DateTime<Utc> {
        if self.current.cancelled {
            was.start.instant()
        } else {
            self.current.start.instant()
        }
    }

    /// The key of correction `seq`.
    fn key(&self, seq: u32) -> Key {
        Key {
            occurrence: self.occ.clone(),
            kind: Kind::Correction,
            seq,
            to: Recipients::from_key(self.to),
            channel: self.channel.map(str::to_string),
        }
    }

    /// Correction `seq`, of `change` since `was`, after `previous` (a failed attempt, or
    /// an intent resent with `--retry`).
    fn outgoing(
        &self,
        seq: u32,
        change: Change,
        was: &Announced,
        previous: Option<&Entry>,
    ) -> Outgoing {
        let mut references = vec![self.root.clone()];
        if self.parent != self.root {
            references.push(self.parent.clone());
        }
        Outgoing {
            key: self.key(seq),
            what: What::Correction {
                change,
                was: was.clone(),
            },
            due: self.cx.planning.now,
            until: Some(self.useful_until(was)),
            summit: Planned {
                summit: self.summit.clone(),
                facilitator: self.facilitator.clone(),
            },
            next: self
                .cx
                .summits
                .planned
                .iter()
                .find(|p| p.summit.start.instant() > self.summit.start.instant())
                .cloned(),
            to: self.recipients.clone(),
            announced: self.current.clone(),
            in_reply_to: Some(self.parent.clone()),
            references,
            previous: previous.cloned(),
            proposes: None,
        }
    }

    /// The unconfirmed correction `c`: missed once the summit's time has passed, resent
    /// with `--retry`, else reported.
    fn unconfirmed(&self, plan: &mut Plan, c: &Entry, entries: &[&Entry]) {
        let was = entries
            .iter()
            .rev()
            .find(|e| e.key != c.key && e.maybe_delivered())
            .map_or(&c.announced, |e| &e.announced);
        if self.cx.planning.now >= self.useful_until(was) {
            plan.notices.push(Notice::Missed(c.clone().missed(
                "it was handed over but never confirmed, and the summit's time has passed; it may or may not have been delivered",
                self.cx.planning.now,
            )));
        } else if self.retries(c) {
            if let Some(change) = Change::between(was, &self.current) {
                plan.sends
                    .push(self.outgoing(c.key.seq, change, was, Some(c)));
            }
        } else {
            plan.notices.push(Notice::Unconfirmed(c.clone()));
        }
    }

    /// The correction of what the audience was `told`, if it changed: sent while
    /// useful (at most one per [`CORRECTION_INTERVAL`]), else reported once. `last` is
    /// the latest of their `corrections`.
    fn changed(
        &self,
        plan: &mut Plan,
        told: &Announced,
        corrections: &[&Entry],
        last: Option<&Entry>,
    ) {
        let Some(change) = Change::between(told, &self.current) else {
            return;
        };
        let now = self.cx.planning.now;
        let (seq, previous) = match last {
            Some(c) if c.state == State::Failed => (c.key.seq, Some(c)),
            Some(c) => (c.key.seq + 1, None),
            None => (1, None),
        };
        // At most one correction to an audience in any CORRECTION_INTERVAL: a change
        // within it waits, and one that is undone meanwhile is never sent.
        let last_delivered = corrections
            .iter()
            .filter(|c| c.maybe_delivered())
            .filter_map(|c| c.sent_at.or(c.intent_at))
            .max();
        let held_until = last_delivered
            .map(|t| t + CORRECTION_INTERVAL)
            .filter(|_| previous.is_none());
        if now < self.useful_until(told) {
            if held_until.is_none_or(|h| now >= h) {
                plan.sends.push(self.outgoing(seq, change, told, previous));
            }
        } else if let Some(h) = held_until.filter(|h| *h > self.useful_until(told))
            && !last.is_some_and(|c| c.state == State::Missed && c.announced == self.current)
        {
            // Held by the limit until it stopped mattering: said once.
            let about = About {
                key: self.key(seq),
                message_id: None,
                due: now,
                announced: self.current.clone(),
                proposes: None,
            };
            let why = format!(
                "a correction was sent at {} and the next may go only at {}, after the summit's time had passed",
                When::Timed(h - CORRECTION_INTERVAL),
                When::Timed(h)
            );
            plan.notices
                .push(Notice::Missed(Entry::closed(about, None, why, now)));
        } else if let Some(c) = previous {
            // A correction that kept failing until it no longer mattered: said once.
            let why = format!(
                "it kept failing until the summit's time passed; last error: {}",
                c.error.as_deref().unwrap_or("unknown")
            );
            plan.notices
                .push(Notice::Missed(c.clone().missed(why, now)));
        }
    }
}

/// The mailboxes of a ledger `to`: the configured mailbox (with its name) for an
/// address that is the public list, the team list or the summit's facilitator, else the
/// bare address. `None` when an address does not parse (an edited ledger).
fn mailboxes(
    to: &str,
    config: &Inputs,
    mail: &MailConfig,
    summits: &Summits,
    occ: &OccurrenceKey,
) -> Option<Vec<Mailbox>> {
    // Who it may be, with their names: the lists, the summit's facilitator, anyone on
    // the roster, the owners of the agenda's topics (a correction of an outreach).
    let mut known: Vec<Mailbox> = mail
        .public_list
        .iter()
        .chain(&mail.team_list)
        .cloned()
        .collect();
    known.extend(
        summits
            .planned
            .iter()
            .filter(|p| &OccurrenceKey::of(&p.summit) == occ)
            .filter_map(|p| p.facilitator.as_ref().map(crate::model::Member::mailbox)),
    );
    known.extend(
        config
            .rotation
            .members
            .iter()
            .map(crate::model::Member::mailbox),
    );
    if let Some(a) = &config.agenda {
        known.extend(a.topics.iter().filter_map(crate::agenda::Topic::mailbox));
    }
    to.split(", ")
        .map(|a| {
            let a = a.trim();
            known
                .iter()
                .find(|m| crate::model::Email::from(a) == m.email)
                .cloned()
                .or_else(|| a.parse::<Address>().ok().map(|e| Mailbox::new(None, e)))
        })
        .collect()
}
