//! What is due now ([`plan`]): the steps of every summit inside their windows that are
//! not recorded as sent ([`plan_step`]), what to report of those whose windows closed,
//! and the corrections of announced summits that changed ([`super::corrections`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use lettre::message::Mailbox;

use crate::config::MailConfig;
use crate::ledger::{About, Announced, Entry, Key, Ledger, Named, Proposal};
use crate::mail;
use crate::model::{Kind, OccurrenceKey, State, Step, When, timeline};
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;

use super::channel;
use super::corrections::plan_corrections;
use super::notice::Notice;
use super::outgoing::{FeedState, Outgoing, Plan, Planning, What, step_key, thread_root};
use super::summits::Summits;

/// Everything due at `now`: the steps of every summit inside their windows that are
/// not recorded as sent, and corrections of announced summits that changed. With
/// `retry`, unconfirmed intents inside their windows are sent again.
pub fn plan(
    summits: &Summits,
    ledger: &Ledger,
    config: &Inputs,
    mail: &MailConfig,
    now: DateTime<Utc>,
    retry: bool,
) -> Plan {
    let mut plan = Plan {
        feed: Some(FeedState::default()),
        ..Plan::default()
    };
    if summits.planned.is_empty() && !summits.any_current {
        // No summit at all in the feed: broken, or `calendar.summit` no longer matches.
        // Silence would hide it when the ledger knows a summit that is coming or just
        // held; it is not a cancellation either.
        let known: Vec<&Entry> = ledger
            .entries()
            .filter(|e| e.announced.start.instant() + Duration::days(3) > now)
            .collect();
        if let Some(e) = known.iter().min_by_key(|e| e.announced.start) {
            let since = ledger.feed_empty_since.unwrap_or(now);
            plan.notices.push(Notice::EmptyFeed {
                since,
                known: e.announced.clone(),
            });
            plan.feed = Some(FeedState {
                missing: ledger.missing.clone(),
                empty_since: Some(since),
            });
            return plan;
        }
    }
    let planning = Planning {
        ledger,
        config,
        mail,
        now,
        retry,
    };
    for (i, p) in summits.planned.iter().enumerate() {
        let next = summits.planned.get(i + 1);
        if before_start(p, config) {
            // Nobody's turn, and nothing of it is ever sent.
            continue;
        }
        for step in Step::ALL {
            if step.enabled(&config.timeline) && step.due(&p.summit, &config.timeline) <= now {
                plan_step(&mut plan, &planning, p, next, step);
            }
        }
    }
    plan_corrections(&mut plan, summits, &planning);
    plan.sends
        .sort_by_key(|o| (o.due, o.summit.summit.start.instant(), o.key.kind));
    plan
}

/// Whether `p` is before `rotation.start`: the summits `summit` does not run.
pub fn before_start(p: &Planned, config: &Inputs) -> bool {
    config
        .rotation
        .start
        .is_some_and(|d| p.summit.start.date_utc() < d)
}

/// The messages of `step` of `p` (`next` after it) that are due at `planning.now` (or,
/// for `send`, wanted now), added to `plan`.
pub fn plan_step(
    plan: &mut Plan,
    planning: &Planning<'_>,
    p: &Planned,
    next: Option<&Planned>,
    step: Step,
) {
    let Planning {
        ledger,
        config,
        mail,
        retry,
        ..
    } = *planning;
    let s = StepWindow::new(planning, p, next, step);
    let root = thread_root(&p.summit, ledger, mail);
    for to in audiences(plan, &s, ledger, config) {
        plan_message(plan, &s, Place::Mail(to), ledger, &root, retry);
    }
    // The channels of the step's audience: each its own message and ledger entry. A
    // channel that drops a repeated post itself is posted to again after a crash.
    for c in config.channels_of(step) {
        plan_message(plan, &s, Place::Channel(c), ledger, &root, retry);
    }
}

/// The e-mails of `step` of `p` (`next` after it) as `send` would send them at
/// `planning.now`, threaded as the ledger says: what `draft --out` writes. Unlike
/// [`plan_step`], every recipient's message, whatever the ledger says of it and
/// whether or not the step's window is open; no channel's.
pub fn draft_step(
    planning: &Planning<'_>,
    p: &Planned,
    next: Option<&Planned>,
    step: Step,
) -> Vec<Outgoing> {
    let mut s = StepWindow::new(planning, p, next, step);
    s.open = true;
    let root = thread_root(&p.summit, planning.ledger, planning.mail);
    let mut ignored = Plan::default();
    audiences(&mut ignored, &s, planning.ledger, planning.config)
        .into_iter()
        .map(|to| s.outgoing(&Place::Mail(to), &root, None))
        .collect()
}

/// Where one message of a step goes: these e-mail recipients, or a channel.
enum Place<'a> {
    /// By e-mail to these recipients.
    Mail(Vec<Mailbox>),
    /// Posted to this channel.
    Channel(&'a crate::config::Channel),
}

impl Place<'_> {
    /// The e-mail recipients (none for a channel) and the channel.
    fn parts(&self) -> (&[Mailbox], Option<&str>) {
        match self {
            Place::Mail(to) => (to, None),
            Place::Channel(c) => (&[], Some(&c.name)),
        }
    }

    /// Whether the message `e`, handed over and never confirmed, is sent again at
    /// `now` without `--retry`: on a channel that drops or finds a repeated post.
    fn resumes(&self, e: &Entry, now: DateTime<Utc>) -> bool {
        match self {
            Place::Mail(_) => false,
            Place::Channel(c) => channel::resumes(&c.kind, e.intent_at, now),
        }
    }
}

/// One step of one summit being planned: what its messages share.
struct StepWindow<'a> {
    p: &'a Planned,
    next: Option<&'a Planned>,
    step: Step,
    /// When it fell due.
    due: DateTime<Utc>,
    /// When its window closes (`None`: never).
    until: Option<DateTime<Utc>>,
    /// Whether its window is still open at `now`.
    open: bool,
    /// The summit as its messages announce it.
    announced: Announced,
    /// For a handover: the next summit's facilitator it proposes.
    proposes: Option<Proposal>,
    now: DateTime<Utc>,
}

/// For a handover, the next summit and its facilitator it proposes (when known).
fn proposes(step: Step, next: Option<&Planned>) -> Option<Proposal> {
    let n = next.filter(|_| step == Step::Handover)?;
    Some(Proposal {
        occurrence: OccurrenceKey::of(&n.summit),
        start: n.summit.start,
        facilitator: named(n)?,
    })
}

/// The recipients of each message of the step (one message per outreach recipient,
/// one for the rest); none when nobody is to have it, after adding to `plan` what to
/// report about that.
fn audiences(
    plan: &mut Plan,
    s: &StepWindow<'_>,
    ledger: &Ledger,
    config: &Inputs,
) -> Vec<Vec<Mailbox>> {
    match mail::recipients(s.step, s.p, config) {
        // Nobody to send it to by design (the checklist without an agenda, an agenda
        // with no topic on time).
        Ok(to) if to.is_empty() => Vec::new(),
        Ok(to) => mail::messages(s.step, to),
        Err(e @ crate::Error::Agenda { .. }) if s.open => {
            // The agenda cannot be read: the step fails on every run while it is
            // useful (the file may be fixed in time), and is recorded as missed, with
            // this reason, once its window closes.
            plan.notices.push(Notice::Blocked {
                key: step_key(&s.p.summit, s.step, &[], None),
                announced: s.announced.clone(),
                due: s.due,
                reason: e.to_string(),
                until: s.until,
            });
            Vec::new()
        }
        Err(e) => {
            // Nobody to send it to: say so once, unless it went to someone already.
            let key = step_key(&s.p.summit, s.step, &[], None);
            let done = ledger
                .of_occurrence(&key.occurrence)
                .any(|e| e.key.kind == key.kind && !e.key.to.is_empty());
            if ledger.get(&key).is_none() && !done {
                plan.notices
                    .push(Notice::Missed(s.closed(key, e.to_string(), None)));
            }
            Vec::new()
        }
    }
}

impl<'a> StepWindow<'a> {
    /// `step` of `p` (`next` after it) at `planning.now`.
    fn new(planning: &Planning<'_>, p: &'a Planned, next: Option<&'a Planned>, step: Step) -> Self {
        let (config, now) = (planning.config, planning.now);
        let until =
            timeline::window_end(step, &p.summit, next.map(|n| &n.summit), &config.timeline);
        StepWindow {
            p,
            next,
            step,
            due: step.due(&p.summit, &config.timeline),
            until,
            open: until.is_none_or(|u| now < u),
            announced: Announced::of(&p.summit, false).naming(named(p)),
            proposes: proposes(step, next),
            now,
        }
    }

    /// The message of the step to `to`, threaded under `root` (but for the reminder,
    /// which starts the thread, and the assignment, a private heads-up sent before it).
    fn outgoing(&self, place: &Place<'_>, root: &str, previous: Option<&Entry>) -> Outgoing {
        let threaded = !matches!(self.step, Step::Reminder | Step::Assignment);
        let (to, channel) = place.parts();
        Outgoing {
            key: step_key(&self.p.summit, self.step, to, channel),
            what: What::Step(self.step),
            due: self.due,
            until: self.until,
            summit: self.p.clone(),
            next: self.next.cloned(),
            to: to.to_vec(),
            announced: self.announced.clone(),
            in_reply_to: threaded.then(|| root.to_string()),
            references: if threaded {
                vec![root.to_string()]
            } else {
                Vec::new()
            },
            previous: previous.cloned(),
            proposes: self.proposes.clone(),
        }
    }

    /// The `missed` entry of the message `key` whose window closed, `why`, after
    /// `previous` (a failure, or an intent never confirmed).
    fn closed(&self, key: Key, why: String, previous: Option<&Entry>) -> Entry {
        let about = About {
            key,
            message_id: previous.and_then(|e| e.message_id.clone()),
            due: self.due,
            announced: self.announced.clone(),
            proposes: None,
        };
        Entry::closed(about, previous, why, self.now)
    }

    /// When its window closes, for messages; empty when it never does.
    fn window(&self) -> String {
        self.until
            .map_or_else(String::new, |u| When::Timed(u).to_string())
    }
}

/// The message of the step to `to`: sent when it is due and not recorded as sent, else
/// what to report about it, added to `plan`.
fn plan_message(
    plan: &mut Plan,
    s: &StepWindow<'_>,
    to: Place<'_>,
    ledger: &Ledger,
    root: &str,
    retry: bool,
) {
    let (mailboxes, channel) = to.parts();
    let key = step_key(&s.p.summit, s.step, mailboxes, channel);
    let window = s.window();
    match ledger.get(&key).map(|e| (e, e.state)) {
        None if s.open => plan.sends.push(s.outgoing(&to, root, None)),
        // Recorded as missed whatever happens next, so that a summit that moves
        // later never reopens it; said once, unless another recipient's entry of
        // the step already says it (the roster or the lists changed since).
        None if ledger
            .of_occurrence(&key.occurrence)
            .any(|e| e.key.kind == key.kind) => {}
        None if ledger.since.is_none_or(|since| s.due < since) => {
            // Due before the ledger was started (a first run): summed up in one line.
            let why = format!(
                "it fell due at {} and its window closed at {window}, before summit kept this state directory",
                When::Timed(s.due)
            );
            plan.notices.push(Notice::Adopted(s.closed(key, why, None)));
        }
        None => {
            let why = never_ran(s, ledger);
            plan.notices.push(Notice::Missed(s.closed(key, why, None)));
        }
        Some((_, State::Sent | State::Missed)) => {}
        Some((e, State::Failed)) if s.open => plan.sends.push(s.outgoing(&to, root, Some(e))),
        Some((e, State::Failed)) => {
            let why = format!(
                "its window closed at {window} after {} failed attempt(s); last error: {}",
                e.attempts,
                e.error.as_deref().unwrap_or("unknown")
            );
            plan.notices
                .push(Notice::Missed(s.closed(key, why, Some(e))));
        }
        Some((e, State::Intent)) if !s.open => {
            let why = format!(
                "it was handed over at {} but never confirmed, and its window closed at {window}; it may or may not have been delivered",
                e.intent_at
                    .map(|t| When::Timed(t).to_string())
                    .unwrap_or_default()
            );
            plan.notices
                .push(Notice::Missed(s.closed(key, why, Some(e))));
        }
        Some((e, State::Intent)) if retry || to.resumes(e, s.now) => {
            plan.sends.push(s.outgoing(&to, root, Some(e)));
        }
        Some((e, State::Intent)) => plan.notices.push(Notice::Unconfirmed(e.clone())),
    }
}

/// Why a step that was never tried is missed: the feed listed no summit, or nothing
/// ran, until its window closed.
fn never_ran(s: &StepWindow<'_>, ledger: &Ledger) -> String {
    let window = s.window();
    match ledger
        .feed_empty_since
        .filter(|t| s.until.is_none_or(|u| *t < u))
    {
        Some(t) => format!(
            "the feed listed no summit from {} until its window closed at {window}",
            When::Timed(t)
        ),
        None => format!(
            "nothing ran from its due time {} until its window closed at {window}",
            When::Timed(s.due)
        ),
    }
}

/// The facilitators that messages `summit` sent named, from `ledger`: for each summit
/// occurrence, the one named by the latest message that may have been delivered (its
/// own steps and corrections, or a handover that proposed them for it), as
/// [`Decided::Announced`](crate::record::Decided::Announced) record entries dated by
/// the summit's start (UTC). Announced is final: see [`crate::plan::rotation`].
pub fn announced_facilitators(ledger: &Ledger) -> Vec<crate::record::Entry> {
    let mut latest: BTreeMap<&OccurrenceKey, (DateTime<Utc>, When, &Named)> = BTreeMap::new();
    for e in ledger.entries().filter(|e| e.maybe_delivered()) {
        let Some(at) = e.sent_at.or(e.intent_at) else {
            continue;
        };
        let mut named: Vec<(&OccurrenceKey, When, &Named)> = Vec::new();
        if e.key.kind != Kind::Step(Step::Handover)
            && let Some(f) = &e.announced.facilitator
        {
            named.push((&e.key.occurrence, e.announced.start, f));
        }
        if let Some(p) = &e.proposes {
            named.push((&p.occurrence, p.start, &p.facilitator));
        }
        for (occ, start, who) in named {
            let slot = latest.entry(occ).or_insert((at, start, who));
            if at >= slot.0 {
                *slot = (at, start, who);
            }
        }
    }
    latest
        .into_iter()
        .filter_map(|(occ, (at, start, who))| {
            Some(crate::record::Entry {
                date: start.date_utc(),
                key: Some(occ.clone()),
                email: who.email.as_str().parse().ok()?,
                name: Some(who.name.clone()),
                decided: crate::record::Decided::Announced,
                recorded: Some(at),
            })
        })
        .collect()
}

/// The facilitator of `p` as messages name them.
pub fn named(p: &Planned) -> Option<Named> {
    p.facilitator.as_ref().map(|m| Named {
        name: m.name.clone(),
        email: (&m.email).into(),
    })
}
