//! Sending: what `summit tick` and `summit send` deliver, and the protocol that delivers
//! each message at most once.
//!
//! [`plan`] is a pure function of the summits of the feed ([`Summits::collect`]), the
//! ledger, the configuration and now: it returns the messages to send ([`Outgoing`])
//! and what to report ([`Notice`]). A step is due from its due time until its window
//! closes ([`crate::model::timeline::window_end`]): the summit's start for the steps
//! before it, the next summit's reminder for the handover. Inside the window a missed
//! run catches up; after it the step is never sent, and is reported once. A summit
//! already announced that moves or is cancelled gets one correction per recipient (and
//! per channel), in the same thread.
//!
//! The reminder also goes to every `public` channel (`[[channels]]`), the call for
//! votes and the handover to every `team` channel, each its own message and ledger
//! entry. A channel whose server drops or finds a repeated post ([`channel::resumes`])
//! gets a message left unconfirmed by a crash again on the next run.
//!
//! [`compose`] drafts each message ([`compose_any`]: an e-mail, or Markdown for a
//! channel); [`deliver`] then hands each to its [`Carrier`] (the [`Transport`], or a
//! [`channel::Channel`]) under the exactly-once protocol: record the intent (flushed to disk), hand the
//! message over, record the outcome. A run killed in between leaves an intent, which
//! later runs report and do not resend unless told to (`--retry`) or until an operator
//! settles it (`summit ledger mark-sent`, [`Outgoing::marked_sent`]).
//!
//! | file | what it holds |
//! |---|---|
//! | `summits.rs` | [`Summits::collect`]: the summits around now and what the ledger's have become |
//! | `due.rs` | [`plan`], [`plan_step`]: what is due, what to report |
//! | `corrections.rs` | corrections of announced summits that changed |
//! | `outgoing.rs` | [`Outgoing`]: one message to send, its key, entries and thread; the [`Plan`] |
//! | `notice.rs` | [`Notice`]: what to report, and how it is worded |
//! | `compose.rs` | [`compose`], [`compose_post`]: the draft of an [`Outgoing`] |
//! | `carriers.rs` | [`Carriers`]: the transport and the channels of a run; a post's thread |
//! | `protocol.rs` | [`deliver`]: the exactly-once protocol; [`carry_out`]: a whole run once planned |
//! | `report.rs` | [`Progress`], [`Report`], [`Record`]: what a run says and did |
//! | `handover.rs` | the facilitation record around handovers |
//! | [`rehearsal`] | a run whose `--now` is far from the clock: where it may write |
//! | [`transport`] | SMTP, sendmail, files, behind [`Transport`] |
//! | [`channel`] | Matrix, Slack-compatible webhooks, Discourse, Mastodon, behind [`channel::Channel`] |

mod carriers;
pub mod channel;
mod compose;
mod corrections;
mod due;
mod handover;
mod notice;
mod outgoing;
mod protocol;
pub mod rehearsal;
mod report;
mod summits;
pub mod transport;

#[cfg(test)]
mod tests;

pub use carriers::{Carrier, Carriers, Composed, thread_of};
pub use compose::{compose, compose_any, compose_post};
pub use corrections::CORRECTION_INTERVAL;
pub use due::{announced_facilitators, before_start, draft_step, named, plan, plan_step};
pub use notice::{Notice, describe, settle_hint};
pub use outgoing::{FeedState, Outgoing, Plan, Planning, What, step_key, to_key};
pub use protocol::{Delivered, Setup, carry_out, deliver};
pub use report::{Progress, Record, RecordSummit, Report, retry_hint};
pub use summits::{LOOKBACK_DAYS, MAX_PLANNED, Summits};
pub use transport::{Outcome, Transport};
