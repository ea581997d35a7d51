//! What `summit tick` and `summit send` deliver, and the protocol that delivers each
//! message at most once.
//!
//! [`plan`] is a pure function of the summits of the feed, the ledger, the
//! configuration and now: it returns the messages to send ([`Outgoing`]) and what to
//! report ([`Notice`]). A step is due from its due time until its window closes
//! ([`timeline::window_end`]): the summit's start for the steps before it, the next
//! summit's reminder for the handover. Inside the window a missed run catches up; after
//! it the step is never sent, and is reported once. A summit already announced that
//! moves or is cancelled gets one correction per recipient, in the same thread.
//!
//! [`deliver`] then hands each message to the transport under the exactly-once
//! protocol: record the intent (flushed to disk), hand the message over, record the
//! outcome. A run killed in between leaves an intent, which later runs report and do
//! not resend unless told to (`--retry`) or until an operator settles it
//! (`summit ledger mark-sent`, [`Outgoing::marked_sent`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use lettre::Address;
use lettre::message::Mailbox;

use crate::calendar::{Calendar, Window, occurrences};
use crate::config::{Config, MailConfig};
use crate::error::Result;
use crate::ledger::{Announced, Entry, Key, Ledger, Named, Proposal};
use crate::mail::{self, Change, Draft, Extras, Templates};
use crate::model::Kind;
use crate::model::Occurrence;
use crate::model::OccurrenceKey;
use crate::model::State;
use crate::model::When;
use crate::model::{Step, timeline};
use crate::plan::summit::{self, Planned};
use crate::send::transport::{Outcome, Transport};

/// How far back before now `tick` looks for summits whose handover may still be open.
pub const LOOKBACK_DAYS: i64 = 92;

/// The most summits `tick` works on at once: those (not cancelled) from
/// [`LOOKBACK_DAYS`] before now until the longest lead of the timeline after it. A
/// feed with more (thousands of summits a day, a `calendar.summit` pattern matching
/// every event) is refused with an error rather than mailed about: a few summits a month
/// make a few dozen in that window, a daily one about a hundred and twenty.
pub const MAX_PLANNED: usize = 500;

/// The summits `tick` works on.
#[derive(Clone, Debug)]
pub struct Summits {
    /// The summits (not cancelled) from [`LOOKBACK_DAYS`] before now, in order, with
    /// their facilitators, up to the first one whose steps are all still ahead, and at
    /// least 16 of them when the feed has that many.
    pub planned: Vec<Planned>,
    /// The summit occurrences from the same instant on (within
    /// [`Window::DEFAULT_HORIZON_DAYS`]), cancelled ones included, by identity, for the
    /// occurrences the ledger names: what a summit that was announced has become.
    pub current: HashMap<OccurrenceKey, Occurrence>,
    /// Whether the feed has any summit occurrence from that instant on (within the same
    /// horizon), cancelled ones included: a feed without any is more likely broken than
    /// cancelled.
    pub any_current: bool,
    /// Every UID in the feed.
    pub uids: HashSet<String>,
    /// Occurrences the ledger names under a UID the feed no longer has, and the key of
    /// the summit that replaced each (same start and title, not in the ledger): the
    /// feed re-created the series. The caller moves their entries
    /// ([`Ledger::rekey`]) before planning.
    pub renamed: Vec<(OccurrenceKey, OccurrenceKey)>,
    /// Occurrences the ledger names that an EXDATE of their series now excludes: the
    /// feed cancelled them (RFC 5545 §3.8.5.1).
    pub excluded: HashSet<OccurrenceKey>,
}

/// At most one correction per summit and audience in this long: a feed that flaps
/// between two versions does not mail a correction on every fetch.
pub const CORRECTION_INTERVAL: Duration = Duration::hours(24);

impl Summits {
    /// The summits of `cal` as of `now`, with the current state of the occurrences
    /// `ledger` names; problems met while expanding go to `warnings`.
    ///
    /// Memory: 16 bytes per summit since `rotation.start` (see [`summit::plan`]), whole
    /// occurrences for the planned summits and those the ledger names.
    ///
    /// # Errors
    /// [`crate::Error::Overload`] when more than [`MAX_PLANNED`] summits fall between
    /// [`LOOKBACK_DAYS`] before now and the longest lead of the timeline after it.
    pub fn collect(
        cal: &Calendar,
        config: &Config,
        ledger: &Ledger,
        now: DateTime<Utc>,
        warnings: &mut Vec<String>,
    ) -> Result<Summits> {
        let anchor = now - Duration::days(LOOKBACK_DAYS);
        let tl = &config.timeline;
        let lead = [
            tl.assignment.unwrap_or_else(Duration::zero),
            tl.reminder,
            tl.agenda_vote,
            tl.outreach,
        ]
        .into_iter()
        .max()
        .unwrap_or_else(Duration::zero)
        .max(Duration::zero());
        // Up to the first summit with no step due yet (its predecessor then knows its
        // next summit, for the handover's window), and at least 16.
        let until = now + lead;
        let (planned, any_current) =
            summit::plan_through(cal, config, anchor, 16, until, MAX_PLANNED, now, warnings)
            .map_err(|e| {
                crate::Error::Overload(format!(
                    "more than {} summits fall between {} and {} (the last {LOOKBACK_DAYS} days and the longest lead of the timeline), so `tick` sends nothing; expected a few summits a month: check that `calendar.summit` matches only the summits",
                    e.max,
                    When::Timed(anchor),
                    When::Timed(until),
                ))
            })?;
        // What the ledger's occurrences have become: only those series are expanded
        // again, and only those occurrences kept whole.
        let wanted: HashSet<&OccurrenceKey> = ledger
            .entries()
            .flat_map(|e| {
                std::iter::once(&e.key.occurrence).chain(e.proposes.as_ref().map(|p| &p.occurrence))
            })
            .collect();
        let mut current = HashMap::new();
        if !wanted.is_empty() {
            let uids: HashSet<&str> = wanted.iter().map(|k| k.uid.as_str()).collect();
            let theirs = Calendar {
                source: cal.source.clone(),
                name: cal.name.clone(),
                zone: cal.zone,
                events: cal
                    .events
                    .iter()
                    .filter(|e| uids.contains(e.uid.as_str()))
                    .cloned()
                    .collect(),
                warnings: Vec::new(),
            };
            // The walk above already reported what is wrong with these series' rules.
            let mut all = occurrences(
                &theirs,
                Window::new(anchor, None),
                Some(&config.calendar.summit),
                &mut Vec::new(),
            );
            while let Some(o) = all.next_instance() {
                let key = OccurrenceKey {
                    uid: o.uid().to_string(),
                    original: o.recurrence_id(),
                };
                if wanted.contains(&key) {
                    current.insert(key, o.occurrence());
                }
            }
            warnings.extend(all.take_warnings());
        }
        let any_current = any_current || !current.is_empty();
        let uids: HashSet<String> = cal.events.iter().map(|e| e.uid.clone()).collect();
        // A summit the ledger knows under a UID the feed no longer has, and a summit of
        // the same start and title the ledger does not know: the feed re-created it.
        let mut renamed: Vec<(OccurrenceKey, OccurrenceKey)> = Vec::new();
        // Each gone occurrence as last announced (a correction after a move names its
        // new start).
        let mut gone: BTreeMap<&OccurrenceKey, &Entry> = BTreeMap::new();
        for e in ledger.entries() {
            if !uids.contains(&e.key.occurrence.uid) {
                gone.entry(&e.key.occurrence)
                    .and_modify(|last| {
                        if announced_order(e) > announced_order(last) {
                            *last = e;
                        }
                    })
                    .or_insert(e);
            }
        }
        for (old, e) in gone {
            let heir = summits_like(&planned, &e.announced).find(|k| {
                ledger.of_occurrence(k).next().is_none() && !renamed.iter().any(|(_, n)| n == k)
            });
            if let Some(new) = heir {
                if let Some(p) = planned.iter().find(|p| OccurrenceKey::of(&p.summit) == new) {
                    current.insert(new.clone(), p.summit.clone());
                }
                renamed.push((old.clone(), new));
            }
        }
        // What an EXDATE cancels is cancelled by the feed, not missing from it.
        let mut excluded = HashSet::new();
        for occ in wanted {
            let Some(original) = occ.original else {
                continue;
            };
            if current.contains_key(occ) {
                continue;
            }
            let by_exdate = cal.events.iter().any(|ev| {
                ev.uid == occ.uid
                    && ev.recurrence_id.is_none()
                    && ev.exdates.iter().any(|x| {
                        let x = x.when();
                        x == original
                            || ((x.is_all_day() || original.is_all_day())
                                && x.date_utc() == original.date_utc())
                    })
            });
            if by_exdate {
                excluded.insert(occ.clone());
            }
        }
        Ok(Summits {
            planned,
            current,
            any_current,
            uids,
            renamed,
            excluded,
        })
    }
}

/// The keys of the planned summits with the start and title `announced` gives.
fn summits_like<'a>(
    planned: &'a [Planned],
    announced: &'a Announced,
) -> impl Iterator<Item = OccurrenceKey> + 'a {
    planned
        .iter()
        .filter(move |p| {
            p.summit.start == announced.start
                && crate::text::one_line(&p.summit.summary) == announced.summary
        })
        .map(|p| OccurrenceKey::of(&p.summit))
}

/// What an outgoing message is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// A timeline step.
    Step(Step),
    /// A correction: the summit was announced as `was` and has changed.
    Correction {
        /// How it changed.
        change: Change,
        /// As it was last announced to these recipients.
        was: Announced,
    },
}

/// One message to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Its ledger key.
    pub key: Key,
    /// What it is.
    pub what: What,
    /// When it was due.
    pub due: DateTime<Utc>,
    /// When it stops being useful (`None`: never).
    pub until: Option<DateTime<Utc>>,
    /// The summit it is about, with its facilitator.
    pub summit: Planned,
    /// The summit after it (for the handover).
    pub next: Option<Planned>,
    /// Its recipients.
    pub to: Vec<Mailbox>,
    /// The summit as this message announces it.
    pub announced: Announced,
    /// In-Reply-To.
    pub in_reply_to: Option<String>,
    /// References, oldest first.
    pub references: Vec<String>,
    /// Its ledger entry from an earlier attempt (failed, or an intent resent with
    /// `--retry`).
    pub previous: Option<Entry>,
    /// For a handover: the next summit's facilitator it proposes.
    pub proposes: Option<Proposal>,
}

impl Outgoing {
    /// `reminder of the summit on 2026-11-26 to developers@example.org`.
    pub fn describe(&self) -> String {
        describe(&self.key, &self.announced)
    }

    /// Its Message-ID (without angle brackets), the one [`compose`] gives its draft.
    pub fn message_id(&self, mail: &MailConfig) -> String {
        mail::message_id(
            &self.summit.summit,
            self.key.kind,
            self.key.seq,
            &self.to,
            mail,
        )
    }

    /// Its ledger entry when it failed at `now` before it was handed over (it could not
    /// be drafted): `failed` with `reason`, retried by the next run inside its window.
    pub fn failed(&self, mail: &MailConfig, reason: &str, now: DateTime<Utc>) -> Entry {
        let previous = self.previous.as_ref();
        Entry {
            key: self.key.clone(),
            state: State::Failed,
            message_id: Some(self.message_id(mail)),
            due: self.due,
            announced: self.announced.clone(),
            intent_at: previous.and_then(|e| e.intent_at),
            sent_at: None,
            failed_at: Some(now),
            missed_at: None,
            attempts: previous.map_or(0, |e| e.attempts),
            error: Some(reason.to_string()),
            unconfirmed: false,
            marked_at: None,
            proposes: self.proposes.clone(),
        }
    }

    /// Its ledger entry once an operator records it as sent at `now` without `summit`
    /// sending it (`summit ledger mark-sent --summit DATE --step STEP`: the step was
    /// done by hand): its entry from an earlier attempt marked sent, else a new `sent`
    /// entry under its own Message-ID, never handed to the transport (`attempts` 0).
    pub fn marked_sent(&self, mail: &MailConfig, now: DateTime<Utc>) -> Entry {
        if let Some(previous) = &self.previous {
            return previous.marked_sent(now);
        }
        Entry {
            key: self.key.clone(),
            state: State::Sent,
            message_id: Some(self.message_id(mail)),
            due: self.due,
            announced: self.announced.clone(),
            intent_at: None,
            sent_at: Some(now),
            failed_at: None,
            missed_at: None,
            attempts: 0,
            error: None,
            unconfirmed: false,
            marked_at: Some(now),
            proposes: self.proposes.clone(),
        }
    }
}

/// What to tell the operator about a message handed over without a confirmation: how to
/// settle it once its Message-ID was looked up in the archive.
pub fn settle_hint(message_id: &str) -> String {
    format!(
        "look for Message-ID <{message_id}> in the archive, then run `summit ledger mark-sent {message_id}` if it arrived, or `summit tick --retry` to send it again"
    )
}

/// Something to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A message whose window closed before it was sent: reported once (a warning),
    /// then recorded as the entry given.
    Missed(Entry),
    /// A message handed over without a confirmation, still inside its window: reported
    /// on every run (an error) until `--retry` resends it or `summit ledger mark-sent`
    /// (or `forget`) settles it.
    Unconfirmed(Entry),
    /// A message that cannot be drafted on this run for a reason that may be mended in
    /// time (the agenda cannot be read): an error on every run while its window is
    /// open, then recorded as missed with the reason.
    Blocked {
        /// Its key, without recipients (they cannot be known).
        key: Key,
        /// The summit as it would announce it.
        announced: Announced,
        /// When it was due.
        due: DateTime<Utc>,
        /// Why, naming the file and value.
        reason: String,
        /// When its window closes.
        until: Option<DateTime<Utc>>,
    },
    /// The feed lists no summit at all while the ledger knows `known`, one coming or
    /// just held: nothing is sent or cancelled until it does (an error on every run).
    EmptyFeed {
        /// Since when the feed has listed no summit.
        since: DateTime<Utc>,
        /// The nearest summit the ledger knows, as last announced.
        known: Announced,
    },
    /// A message that was already sent (reported by `send`).
    AlreadySent(Entry),
    /// A message whose window had closed before the ledger was started (the first run
    /// in a state directory, or a summit before it): recorded as missed as the entry
    /// given, and counted in one line rather than reported on its own.
    Adopted(Entry),
}

impl Notice {
    /// The notice for people, on one line.
    pub fn message(&self) -> String {
        match self {
            Notice::Missed(e) => {
                format!(
                    "{} was not sent: {}",
                    describe(&e.key, &e.announced),
                    e.error.as_deref().unwrap_or("its window closed")
                )
            }
            Notice::Unconfirmed(e) => format!(
                "{} was handed over at {} but never confirmed (the run was interrupted), so it may or may not have been delivered; it is not sent again: {}",
                describe(&e.key, &e.announced),
                e.intent_at
                    .map(|t| When::Timed(t).to_string())
                    .unwrap_or_default(),
                settle_hint(e.message_id.as_deref().unwrap_or("?")),
            ),
            Notice::Blocked {
                key,
                announced,
                reason,
                until,
                ..
            } => format!(
                "{} was not sent: {reason}; the next tick tries it again{}",
                describe(key, announced),
                until
                    .map(|u| format!(" until {}", When::Timed(u)))
                    .unwrap_or_default()
            ),
            Notice::EmptyFeed { since, known } => format!(
                "the feed lists no summit matching `calendar.summit` (since {}), though it listed the summit on {}: nothing is sent, and nothing is taken as cancelled, until it lists summits again; check the feed and `calendar.summit`",
                When::Timed(*since),
                known.start.date_utc()
            ),
            Notice::Adopted(e) => format!(
                "{} was not sent: {}",
                describe(&e.key, &e.announced),
                e.error.as_deref().unwrap_or("its window closed")
            ),
            Notice::AlreadySent(e) => format!(
                "{} was already sent at {} (Message-ID <{}>)",
                describe(&e.key, &e.announced),
                e.sent_at
                    .map(|t| When::Timed(t).to_string())
                    .unwrap_or_default(),
                e.message_id.as_deref().unwrap_or("?"),
            ),
        }
    }
}

/// `reminder of the summit on 2026-11-26 to developers@example.org`.
pub fn describe(key: &Key, announced: &Announced) -> String {
    let what = match key.kind {
        Kind::Correction => format!("correction {}", key.seq),
        k => k.name().to_string(),
    };
    let to = if key.to.is_empty() {
        String::new()
    } else {
        format!(" to {}", key.to)
    };
    format!(
        "the {what} of the summit on {}{to}",
        announced.start.date_utc()
    )
}

/// What to do now.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The messages to send, in due order.
    pub sends: Vec<Outgoing>,
    /// What to report.
    pub notices: Vec<Notice>,
    /// What the ledger should now say of the feed ([`Ledger::missing`],
    /// [`Ledger::feed_empty_since`]); `None` when this plan did not look (`send`).
    pub feed: Option<FeedState>,
}

/// What the ledger keeps of the feed between runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedState {
    /// See [`Ledger::missing`].
    pub missing: BTreeMap<OccurrenceKey, DateTime<Utc>>,
    /// See [`Ledger::feed_empty_since`].
    pub empty_since: Option<DateTime<Utc>>,
}

impl FeedState {
    /// Records it in `ledger`; whether that changed anything.
    pub fn apply(self, ledger: &mut Ledger) -> bool {
        let changed = ledger.missing != self.missing || ledger.feed_empty_since != self.empty_since;
        ledger.missing = self.missing;
        ledger.feed_empty_since = self.empty_since;
        changed
    }
}

/// The ledger key of `step` of `summit` to `to`.
pub fn step_key(summit: &Occurrence, step: Step, to: &[Mailbox]) -> Key {
    Key {
        occurrence: OccurrenceKey::of(summit),
        kind: Kind::Step(step),
        seq: 0,
        to: to_key(to),
    }
}

/// Recipients as a ledger key: the addresses, lowercase, joined by `, `.
pub fn to_key(to: &[Mailbox]) -> String {
    to.iter()
        .map(|m| m.email.to_string().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything due at `now`: the steps of every summit inside their windows that are
/// not recorded as sent, and corrections of announced summits that changed. With
/// `retry`, unconfirmed intents inside their windows are sent again.
pub fn plan(
    summits: &Summits,
    ledger: &Ledger,
    config: &Config,
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
    for (i, p) in summits.planned.iter().enumerate() {
        let next = summits.planned.get(i + 1);
        if before_start(p, config) {
            // Nobody's turn, and nothing of it is ever sent.
            continue;
        }
        for step in Step::ALL {
            if step.enabled(&config.timeline) && step.due(&p.summit, &config.timeline) <= now {
                plan_step(&mut plan, p, next, step, ledger, config, mail, now, retry);
            }
        }
    }
    plan_corrections(&mut plan, summits, ledger, config, mail, now, retry);
    plan.sends
        .sort_by_key(|o| (o.due, o.summit.summit.start.instant(), o.key.kind));
    plan
}

/// Whether `p` is before `rotation.start`: the summits `summit` does not run.
pub fn before_start(p: &Planned, config: &Config) -> bool {
    config
        .rotation
        .start
        .is_some_and(|d| p.summit.start.date_utc() < d)
}

/// The messages of `step` of `p` that are due at `now` (or, for `send`, wanted now),
/// added to `plan`.
#[allow(clippy::too_many_arguments)]
pub fn plan_step(
    plan: &mut Plan,
    p: &Planned,
    next: Option<&Planned>,
    step: Step,
    ledger: &Ledger,
    config: &Config,
    mail: &MailConfig,
    now: DateTime<Utc>,
    retry: bool,
) {
    let due = step.due(&p.summit, &config.timeline);
    let until = timeline::window_end(step, &p.summit, next.map(|n| &n.summit), &config.timeline);
    let open = until.is_none_or(|u| now < u);
    let announced = Announced::of(&p.summit, false).naming(named(p));
    let proposes = (step == Step::Handover)
        .then(|| {
            let n = next?;
            Some(Proposal {
                occurrence: OccurrenceKey::of(&n.summit),
                start: n.summit.start,
                facilitator: named(n)?,
            })
        })
        .flatten();
    let groups: Vec<Vec<Mailbox>> = match mail::recipients(step, p, config) {
        // Nobody to send it to by design (the checklist without an agenda, an agenda
        // with no topic on time).
        Ok(to) if to.is_empty() => return,
        Ok(to) if step == Step::Outreach => to.into_iter().map(|m| vec![m]).collect(),
        Ok(to) => vec![to],
        Err(e @ crate::Error::Agenda { .. }) if open => {
            // The agenda cannot be read: the step fails on every run while it is
            // useful (the file may be fixed in time), and is recorded as missed, with
            // this reason, once its window closes.
            plan.notices.push(Notice::Blocked {
                key: step_key(&p.summit, step, &[]),
                announced,
                due,
                reason: e.to_string(),
                until,
            });
            return;
        }
        Err(e) => {
            // Nobody to send it to: say so once, unless it went to someone already.
            let key = step_key(&p.summit, step, &[]);
            let done = ledger
                .of_occurrence(&key.occurrence)
                .any(|e| e.key.kind == key.kind && !e.key.to.is_empty());
            if ledger.get(&key).is_none() && !done {
                plan.notices.push(Notice::Missed(Entry {
                    error: Some(e.to_string()),
                    ..missed(key, due, announced, None, now)
                }));
            }
            return;
        }
    };
    let root = thread_root(&p.summit, ledger, mail);
    // The reminder starts the thread; the assignment is a private heads-up sent before it.
    let threaded = !matches!(step, Step::Reminder | Step::Assignment);
    for to in groups {
        let key = step_key(&p.summit, step, &to);
        let entry = ledger.get(&key);
        let outgoing = |previous: Option<&Entry>| Outgoing {
            key: key.clone(),
            what: What::Step(step),
            due,
            until,
            summit: p.clone(),
            next: next.cloned(),
            to: to.clone(),
            announced: announced.clone(),
            in_reply_to: threaded.then(|| root.clone()),
            references: if !threaded {
                Vec::new()
            } else {
                vec![root.clone()]
            },
            previous: previous.cloned(),
            proposes: proposes.clone(),
        };
        let closed = |why: String, previous: Option<&Entry>, unconfirmed: bool| {
            let mut m = missed(
                key.clone(),
                due,
                announced.clone(),
                previous.and_then(|e| e.message_id.clone()),
                now,
            );
            if let Some(prev) = previous {
                m.intent_at = prev.intent_at;
                m.failed_at = prev.failed_at;
                m.attempts = prev.attempts;
            }
            m.error = Some(why);
            m.unconfirmed = unconfirmed;
            m
        };
        let window = until.map_or_else(String::new, |u| When::Timed(u).to_string());
        match entry.map(|e| (e, e.state)) {
            None if open => plan.sends.push(outgoing(None)),
            // Recorded as missed whatever happens next, so that a summit that moves
            // later never reopens it; said once, unless another recipient's entry of
            // the step already says it (the roster or the lists changed since).
            None if ledger
                .of_occurrence(&key.occurrence)
                .any(|e| e.key.kind == key.kind) => {}
            None if ledger.since.is_none_or(|s| due < s) => {
                // Due before the ledger was started (a first run): summed up in one line.
                plan.notices.push(Notice::Adopted(closed(
                    format!(
                        "it fell due at {} and its window closed at {window}, before summit kept this state directory",
                        When::Timed(due)
                    ),
                    None,
                    false,
                )));
            }
            None => plan.notices.push(Notice::Missed(closed(
                match ledger.feed_empty_since.filter(|t| until.is_none_or(|u| *t < u)) {
                    Some(t) => format!(
                        "the feed listed no summit from {} until its window closed at {window}",
                        When::Timed(t)
                    ),
                    None => format!(
                        "nothing ran from its due time {} until its window closed at {window}",
                        When::Timed(due)
                    ),
                },
                None,
                false,
            ))),
            Some((_, State::Sent | State::Missed)) => {}
            Some((e, State::Failed)) if open => plan.sends.push(outgoing(Some(e))),
            Some((e, State::Failed)) => plan.notices.push(Notice::Missed(closed(
                format!(
                    "its window closed at {window} after {} failed attempt(s); last error: {}",
                    e.attempts,
                    e.error.as_deref().unwrap_or("unknown")
                ),
                Some(e),
                false,
            ))),
            Some((e, State::Intent)) if !open => plan.notices.push(Notice::Missed(closed(
                format!(
                    "it was handed over at {} but never confirmed, and its window closed at {window}; it may or may not have been delivered",
                    e.intent_at.map(|t| When::Timed(t).to_string()).unwrap_or_default()
                ),
                Some(e),
                true,
            ))),
            Some((e, State::Intent)) if retry => plan.sends.push(outgoing(Some(e))),
            Some((e, State::Intent)) => plan.notices.push(Notice::Unconfirmed(e.clone())),
        }
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

/// A missed entry for `key`.
fn missed(
    key: Key,
    due: DateTime<Utc>,
    announced: Announced,
    message_id: Option<String>,
    now: DateTime<Utc>,
) -> Entry {
    Entry {
        key,
        state: State::Missed,
        message_id,
        due,
        announced,
        intent_at: None,
        sent_at: None,
        failed_at: None,
        missed_at: Some(now),
        attempts: 0,
        error: None,
        unconfirmed: false,
        marked_at: None,
        proposes: None,
    }
}

/// The Message-ID every message about `summit` threads under: its reminder's, as
/// recorded in the ledger, else as it would be drafted.
fn thread_root(summit: &Occurrence, ledger: &Ledger, mail: &MailConfig) -> String {
    let occ = OccurrenceKey::of(summit);
    ledger
        .of_occurrence(&occ)
        .filter(|e| e.key.kind == Kind::Step(Step::Reminder) && e.maybe_delivered())
        .find_map(|e| e.message_id.clone())
        .unwrap_or_else(|| {
            let to = [mail.public_list.clone()];
            mail::message_id(summit, Kind::Step(Step::Reminder), 0, &to, mail)
        })
}

/// The order in which entries of one occurrence and recipient were announced.
fn announced_order(e: &Entry) -> (Option<DateTime<Utc>>, Kind, u32) {
    (e.intent_at.or(e.sent_at), e.key.kind, e.key.seq)
}

/// Corrections: for each summit occurrence announced before its start (reminder,
/// agenda vote, outreach, earlier corrections) whose time or status has changed since,
/// one correction to each recipient it was announced to, while it is still useful.
fn plan_corrections(
    plan: &mut Plan,
    summits: &Summits,
    ledger: &Ledger,
    config: &Config,
    mail: &MailConfig,
    now: DateTime<Utc>,
    retry: bool,
) {
    let mut by_recipient: BTreeMap<(&OccurrenceKey, &str), Vec<&Entry>> = BTreeMap::new();
    for e in ledger.entries() {
        if e.key.to.is_empty() {
            continue;
        }
        if matches!(e.key.kind, Kind::Step(Step::Handover)) {
            // A handover is about the summit held, but it told its audience who is to
            // facilitate the next one: they hear of a swap too.
            if let Some(p) = &e.proposes {
                by_recipient
                    .entry((&p.occurrence, e.key.to.as_str()))
                    .or_default()
                    .push(e);
            }
            continue;
        }
        by_recipient
            .entry((&e.key.occurrence, e.key.to.as_str()))
            .or_default()
            .push(e);
    }
    for ((occ, to), mut entries) in by_recipient {
        entries.sort_by_key(|e| announced_order(e));
        let Some(latest) = entries.iter().rev().find(|e| e.maybe_delivered()).copied() else {
            continue;
        };
        // The summit as it stands. Cancelled when the feed says so: STATUS:CANCELLED,
        // a "Cancelled:" title, an EXDATE. Gone from a feed that still lists other
        // summits: cancelled only once it has been missing from every fetch for
        // `calendar.cancel-missing-after` (one bad fetch is not news). Gone from a feed
        // without any summit: more likely a broken feed, so nothing is said.
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
        let (summit, cancelled) = match summits.current.get(occ) {
            Some(o) => (o.clone(), summit::is_cancelled(o)),
            // Told by a handover only, of a summit that is gone: its own steps never
            // went out, so there is nothing to correct.
            None if latest.key.kind == Kind::Step(Step::Handover) => continue,
            None if summits.excluded.contains(occ) => (gone(), true),
            None if summits.uids.contains(&occ.uid) || summits.any_current => {
                if now >= latest.announced.start.instant() {
                    // Over already: nothing left to correct.
                    continue;
                }
                let since = ledger.missing.get(occ).copied().unwrap_or(now);
                if let Some(feed) = plan.feed.as_mut() {
                    feed.missing.insert(occ.clone(), since);
                }
                if now - since < config.calendar.cancel_missing_after {
                    continue;
                }
                (gone(), true)
            }
            None => continue,
        };
        let facilitator = summits
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
        let useful_until = |was: &Announced| {
            if current.cancelled {
                was.start.instant()
            } else {
                current.start.instant()
            }
        };
        let Some(recipients) = mailboxes(to, config, mail, summits, occ) else {
            continue;
        };
        let corrections: Vec<&Entry> = entries
            .iter()
            .filter(|e| e.key.kind == Kind::Correction)
            .copied()
            .collect();
        let last = corrections.iter().max_by_key(|e| e.key.seq).copied();
        let root = thread_root(&summit, ledger, mail);
        let outgoing = |seq: u32, change: Change, was: &Announced, previous: Option<&Entry>| {
            let parent = latest.message_id.clone().unwrap_or_else(|| root.clone());
            let mut references = vec![root.clone()];
            if parent != root {
                references.push(parent.clone());
            }
            Outgoing {
                key: Key {
                    occurrence: occ.clone(),
                    kind: Kind::Correction,
                    seq,
                    to: to.to_string(),
                },
                what: What::Correction {
                    change,
                    was: was.clone(),
                },
                due: now,
                until: Some(useful_until(was)),
                summit: Planned {
                    summit: summit.clone(),
                    facilitator: facilitator.clone(),
                },
                next: summits
                    .planned
                    .iter()
                    .find(|p| p.summit.start.instant() > summit.start.instant())
                    .cloned(),
                to: recipients.clone(),
                announced: current.clone(),
                in_reply_to: Some(parent),
                references,
                previous: previous.cloned(),
                proposes: None,
            }
        };

        // An unconfirmed correction: reported (or resent with --retry) like a step.
        if let Some(c) = last.filter(|c| c.state == State::Intent) {
            let was = entries
                .iter()
                .rev()
                .find(|e| e.key != c.key && e.maybe_delivered())
                .map_or(&c.announced, |e| &e.announced);
            if now >= useful_until(was) {
                let mut m = c.clone();
                m.state = State::Missed;
                m.missed_at = Some(now);
                m.unconfirmed = true;
                m.error = Some("it was handed over but never confirmed, and the summit's time has passed; it may or may not have been delivered".into());
                plan.notices.push(Notice::Missed(m));
            } else if retry {
                if let Some(change) = Change::between(was, &current) {
                    plan.sends.push(outgoing(c.key.seq, change, was, Some(c)));
                }
            } else {
                plan.notices.push(Notice::Unconfirmed(c.clone()));
            }
            continue;
        }

        let Some(change) = Change::between(&told, &current) else {
            continue;
        };
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
        if now < useful_until(&told) {
            if held_until.is_some_and(|h| now < h) {
                continue;
            }
            plan.sends.push(outgoing(seq, change, &told, previous));
        } else if let Some(h) = held_until.filter(|h| *h > useful_until(&told))
            && !last.is_some_and(|c| c.state == State::Missed && c.announced == current)
        {
            // Held by the limit until it stopped mattering: said once.
            let key = Key {
                occurrence: occ.clone(),
                kind: Kind::Correction,
                seq,
                to: to.to_string(),
            };
            plan.notices.push(Notice::Missed(Entry {
                error: Some(format!(
                    "a correction was sent at {} and the next may go only at {}, after the summit's time had passed",
                    When::Timed(h - CORRECTION_INTERVAL),
                    When::Timed(h)
                )),
                ..missed(key, now, current.clone(), None, now)
            }));
        } else if let Some(c) = previous {
            // A correction that kept failing until it no longer mattered: said once.
            let mut m = c.clone();
            m.state = State::Missed;
            m.missed_at = Some(now);
            m.error = Some(format!(
                "it kept failing until the summit's time passed; last error: {}",
                c.error.as_deref().unwrap_or("unknown")
            ));
            plan.notices.push(Notice::Missed(m));
        }
    }
}

/// The mailboxes of a ledger `to`: the configured mailbox (with its name) for an
/// address that is the public list, the team list or the summit's facilitator, else the
/// bare address. `None` when an address does not parse (an edited ledger).
fn mailboxes(
    to: &str,
    config: &Config,
    mail: &MailConfig,
    summits: &Summits,
    occ: &OccurrenceKey,
) -> Option<Vec<Mailbox>> {
    // Who it may be, with their names: the lists, the summit's facilitator, anyone on
    // the roster, the owners of the agenda's topics (a correction of an outreach).
    let mut known: Vec<Mailbox> = vec![mail.public_list.clone(), mail.team_list.clone()];
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
    if let Some(a) = &config.agenda.loaded {
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

/// Drafts `o`: the step's (or correction's) message with its threading headers, and for
/// the reminder and corrections the summit as a text/calendar attachment.
///
/// # Errors
/// [`crate::Error::Template`] or [`crate::Error::Mail`] when the message cannot be drafted.
pub fn compose(
    o: &Outgoing,
    config: &Config,
    templates: &Templates,
    now: DateTime<Utc>,
) -> Result<Draft> {
    let mail = config.mail()?;
    let (draft, calendar) = match &o.what {
        What::Step(step) => {
            let drafts = mail::draft(*step, &o.summit, o.next.as_ref(), config, templates, now)?;
            let draft = drafts
                .into_iter()
                .find(|d| to_key(&d.to) == o.key.to)
                .ok_or_else(|| {
                    crate::Error::Mail(format!(
                        "{} has no draft for these recipients",
                        o.describe()
                    ))
                })?;
            (draft, *step == Step::Reminder)
        }
        What::Correction { change, was } => (
            mail::draft_correction(
                &o.summit.summit,
                o.summit.facilitator.as_ref(),
                o.next.as_ref(),
                was,
                *change,
                o.key.seq,
                &o.to,
                config,
                templates,
                now,
            )?,
            true,
        ),
    };
    let summit = &o.summit.summit;
    let extras = Extras {
        in_reply_to: o.in_reply_to.clone(),
        references: o.references.clone(),
        calendar: calendar.then(|| {
            (
                format!("summit-{}.ics", summit.start.date_utc()),
                mail::ics::event(
                    summit,
                    config.project.meeting_url.as_deref(),
                    o.announced.cancelled,
                    o.key.seq,
                    now,
                ),
            )
        }),
    };
    draft.with_extras(mail, &extras)
}

/// What became of one message in [`deliver`].
#[derive(Clone, Debug)]
pub struct Delivered {
    /// The message.
    pub outgoing: Outgoing,
    /// Its Message-ID.
    pub message_id: String,
    /// Its outcome.
    pub outcome: Outcome,
}

/// Delivers `batch` through `transport` under the exactly-once protocol, recording each
/// step in `ledger` and persisting it with `save` (which must be durable when it
/// returns): the intent before the message is handed over, the outcome after.
///
/// Stops at the first message whose outcome is unknown, or when the transport is
/// unusable; the messages not tried are left for the next run. `on_outcome` is told of
/// each message as soon as its outcome is recorded.
///
/// # Errors
/// When `save` fails: before a message is handed over (it is then not handed over), or
/// after (its intent stays on disk, so it is reported, not resent).
pub fn deliver(
    batch: Vec<(Outgoing, Draft)>,
    ledger: &mut Ledger,
    transport: &mut dyn Transport,
    now: DateTime<Utc>,
    save: &mut dyn FnMut(&Ledger) -> Result<()>,
    on_outcome: &mut dyn FnMut(&Delivered),
) -> Result<Vec<Delivered>> {
    let mut done = Vec::new();
    for (o, draft) in batch {
        let prev = o.previous.as_ref();
        let intent = Entry {
            key: o.key.clone(),
            state: State::Intent,
            message_id: Some(draft.message_id.clone()),
            due: o.due,
            announced: o.announced.clone(),
            intent_at: Some(now),
            sent_at: None,
            failed_at: prev.and_then(|e| e.failed_at),
            missed_at: None,
            attempts: prev.map_or(0, |e| e.attempts) + 1,
            error: prev.and_then(|e| e.error.clone()),
            unconfirmed: false,
            marked_at: None,
            proposes: o.proposes.clone(),
        };
        ledger.upsert(intent.clone());
        save(ledger)?;
        let outcome = transport.deliver(&draft.message);
        let (stop, record) = match &outcome {
            Outcome::Sent => (
                false,
                Some(Entry {
                    state: State::Sent,
                    sent_at: Some(now),
                    error: None,
                    ..intent
                }),
            ),
            Outcome::NotSent { reason, fatal } => (
                *fatal,
                Some(Entry {
                    state: State::Failed,
                    failed_at: Some(now),
                    error: Some(reason.clone()),
                    ..intent
                }),
            ),
            Outcome::Unknown(_) => (true, None),
        };
        if let Some(entry) = record {
            ledger.upsert(entry);
            save(ledger)?;
        }
        let d = Delivered {
            outgoing: o,
            message_id: draft.message_id,
            outcome,
        };
        on_outcome(&d);
        done.push(d);
        if stop {
            break;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chrono::Datelike;
    use std::path::Path;

    const CONFIG: &str = r#"
[mail]
from = "Bot <bot@example.org>"
public-list = "list@example.org"
team-list = "team@example.org"
transport = "file"
[[rotation.members]]
name = "Ada"
email = "ada@example.org"
[[rotation.members]]
name = "Grace"
email = "grace@example.org"
"#;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn config() -> Config {
        Config::from_toml(CONFIG, Path::new("summit.toml"), Path::new("/cfg")).unwrap()
    }

    /// A monthly summit on the 26th at 16:00 UTC, with overrides in `extra`.
    fn calendar(extra: &str) -> Calendar {
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s@x\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20261026T160000Z\r\nDTEND:20261026T180000Z\r\n\
RRULE:FREQ=MONTHLY;BYMONTHDAY=26\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n{extra}END:VCALENDAR\r\n"
        );
        crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap()
    }

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

    fn plan_at(cal: &Calendar, ledger: &Ledger, now: &str, retry: bool) -> Plan {
        let c = config();
        let now = t(now);
        let s = Summits::collect(cal, &c, ledger, now, &mut Vec::new()).unwrap();
        plan(&s, ledger, &c, c.mail().unwrap(), now, retry)
    }

    /// `p` without what goes to the facilitator privately (the assignment heads-up and
    /// its corrections), which `the_facilitator_hears_first` tests on its own.
    fn public(mut p: Plan) -> Plan {
        p.sends.retain(|o| match o.key.kind {
            Kind::Step(Step::Assignment) => false,
            Kind::Correction => o.key.to != "grace@example.org",
            _ => true,
        });
        p
    }

    /// The planned sends, without the assignment heads-up (tested on its own).
    fn names(p: &Plan) -> Vec<String> {
        p.sends
            .iter()
            .filter(|o| o.key.kind != Kind::Step(Step::Assignment))
            .map(|o| format!("{} {}", o.key.kind, o.announced.start.date_utc()))
            .collect()
    }

    /// The notices of `p` but the steps due before the ledger was started.
    fn unadopted(p: &Plan) -> Vec<Notice> {
        p.notices
            .iter()
            .filter(|n| !matches!(n, Notice::Adopted(_)))
            .cloned()
            .collect()
    }

    /// Records every planned send as sent at `now`, like a successful run.
    fn send_all(p: &Plan, ledger: &mut Ledger, now: &str) {
        for o in &p.sends {
            ledger.upsert(Entry {
                key: o.key.clone(),
                state: State::Sent,
                message_id: Some(format!("{}.x@example.org", o.key.kind)),
                due: o.due,
                announced: o.announced.clone(),
                intent_at: Some(t(now)),
                sent_at: Some(t(now)),
                failed_at: None,
                missed_at: None,
                attempts: 1,
                error: None,
                unconfirmed: false,
                marked_at: None,
                proposes: o.proposes.clone(),
            });
        }
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
                Notice::Adopted(e) => {
                    Some(format!("{} {}", e.key.kind, e.announced.start.date_utc()))
                }
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
            .map(|o| (o.key.to.clone(), o.key.seq))
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
            .map(|o| (o.key.kind.to_string(), o.key.to.clone()))
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
            .map(|o| (o.key.kind.to_string(), o.key.to.clone()))
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

    /// Plans at `now` and records what a run would: the sends as sent, the missed
    /// notices, the feed state.
    fn run_at(cal: &Calendar, l: &mut Ledger, now: &str) -> Plan {
        let p = plan_at(cal, l, now, false);
        send_all(&p, l, now);
        for n in &p.notices {
            if let Notice::Missed(e) | Notice::Adopted(e) = n {
                l.upsert(e.clone());
            }
        }
        if let Some(f) = p.feed.clone() {
            f.apply(l);
        }
        p
    }

    /// The monthly feed with the 26 November instance left out (`how`: an EXDATE, or
    /// an RRULE that stops before it), or replaced by `extra`.
    fn feed_without_november(how: &str) -> Calendar {
        let rule = match how {
            "exdate" => "RRULE:FREQ=MONTHLY;BYMONTHDAY=26\r\nEXDATE:20261126T160000Z",
            _ => {
                "RRULE:FREQ=MONTHLY;BYMONTHDAY=26;UNTIL=20261027T000000Z\r\nRDATE:20261226T160000Z"
            }
        };
        let ics = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s@x\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20261026T160000Z\r\nDTEND:20261026T180000Z\r\n\
{rule}\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap()
    }

    fn corrections(p: &Plan) -> Vec<String> {
        p.sends
            .iter()
            .filter(|o| o.key.kind == Kind::Correction)
            .map(|o| format!("{} {}", o.key.to, o.announced.cancelled))
            .collect()
    }

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
        let recreated =
            crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap();
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
            announced.iter().any(
                |e| e.date.to_string() == "2026-11-26" && proposed.facilitator.email == e.email
            ),
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
            .map(|o| (o.key.to.clone(), o.in_reply_to.clone()))
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
        let mut batch: Vec<(Outgoing, Draft)> = p
            .sends
            .iter()
            .map(|o| (o.clone(), compose(o, &c, &templates, now).unwrap()))
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
}
