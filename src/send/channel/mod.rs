//! Channels besides e-mail (`../shared/CONTRACT.md`, "Channels"): a Matrix room, a
//! Slack-compatible incoming webhook, a Discourse category, a Mastodon account. Each is
//! a file of this folder implementing [`Channel`], chosen by [`open`]; [`check`] says
//! what `summit check` finds of it without posting.
//!
//! A channel takes a [`Post`]: the message's Markdown (values from the feed and the
//! agenda already escaped by [`crate::mail::markdown`], so that no text of theirs
//! formats, links or mentions), its one-line title, and how it relates to the summit's
//! earlier posts on that channel ([`Post::thread`], [`Post::edit`]). It answers with
//! [`Posted`]: the [`Outcome`] the exactly-once protocol records, and the channel's own
//! ID of what it posted, kept in the ledger so that later steps thread under it and
//! corrections edit it.
//!
//! Every request has the channel's `timeout` as its deadline, every response body is
//! read up to [`http::MAX_BODY`], and a rate limit (`429`, `M_LIMIT_EXCEEDED`) is waited
//! out only up to [`http::MAX_WAIT`] in all, after which the post is `NotSent`. Secrets
//! ([`secret`]) are never in a message, a log line or an error.
//!
//! | file | what it holds |
//! |---|---|
//! | `http.rs` | the HTTP agent, bounded reads, rate-limit waits, errors without secrets |
//! | `secret.rs` | [`secret`]: a channel's token or webhook URL |
//! | `matrix.rs` | Matrix (client-server API v3) |
//! | `slack.rs` | Slack-compatible incoming webhooks |
//! | `discourse.rs` | Discourse |
//! | `mastodon.rs` | Mastodon |

mod discourse;
pub mod http;
mod mastodon;
mod matrix;
mod secret;
mod slack;

use crate::config::{Channel as ChannelConfig, ChannelKind};
use crate::error::Result;
use crate::model::Kind;

pub use super::transport::{Failed, Outcome};
pub use secret::{resolve as resolve_secret, secret, secret_quietly};

/// One message to post on a channel.
#[derive(Clone, Debug)]
pub struct Post<'a> {
    /// The ledger's Message-ID of this message, without angle brackets: the same on
    /// every attempt. Matrix derives its transaction ID from it and Mastodon sends it as
    /// `Idempotency-Key`, so the server itself drops a repeated attempt.
    pub message_id: &'a str,
    /// The step it belongs to, or [`Kind::Correction`].
    pub kind: Kind,
    /// Its title on one line (a Discourse topic's title when it opens one).
    pub title: &'a str,
    /// Its text: Markdown (CommonMark), every value from the feed or an agenda escaped.
    pub markdown: &'a str,
    /// The thread it belongs in: the [`Posted::id`] this channel gave the summit's
    /// reminder (or, on a team channel, the first message about the summit); `None`
    /// when it starts the thread.
    pub thread: Option<&'a str>,
    /// For a correction: the [`Posted::id`] of the message whose text is to be replaced
    /// by [`Post::markdown`], where the channel can edit (Matrix, Discourse, Mastodon).
    pub edit: Option<&'a str>,
    /// Whether an earlier attempt was handed over and never confirmed (a crash, a
    /// timeout): the channel looks for what it may have posted before posting again.
    pub resumed: bool,
}

/// What became of a [`Post`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posted {
    /// For the ledger: sent, certainly not sent, or unknown.
    pub outcome: Outcome,
    /// The channel's ID of what it posted, when it gives one: a Matrix event ID, a
    /// Discourse `TOPIC/POST`, a Mastodon status ID. The ledger keeps it (`posted`).
    pub id: Option<String>,
}

impl Posted {
    /// Sent, with the channel's ID of it.
    pub fn sent(id: Option<String>) -> Posted {
        Posted {
            outcome: Outcome::Sent,
            id,
        }
    }

    /// Certainly not sent, `reason`; `fatal` when the next posts to this channel would
    /// fail the same way (bad token, unreachable server).
    pub fn not_sent(reason: impl Into<String>, fatal: bool) -> Posted {
        Posted {
            outcome: Outcome::NotSent {
                reason: reason.into(),
                fatal,
            },
            id: None,
        }
    }

    /// Handed over without an answer: it may have been posted.
    pub fn unknown(reason: impl Into<String>) -> Posted {
        Posted {
            outcome: Outcome::Unknown(reason.into()),
            id: None,
        }
    }
}

/// A channel messages are posted to.
pub trait Channel {
    /// Posts `post` and says what became of it: [`Outcome::Unknown`] only when it may
    /// have been posted and the channel cannot tell (then it is never posted again by
    /// itself).
    fn post(&mut self, post: &Post<'_>) -> Posted;
}

/// How long after an attempt Mastodon still drops a repeated post with the same
/// `Idempotency-Key`, with a margin: Mastodon keeps the key for an hour.
pub const MASTODON_IDEMPOTENCY: chrono::Duration = chrono::Duration::minutes(50);

/// Whether a message to a channel of `kind`, handed over at `intent_at` and never
/// confirmed, is posted again at `now` instead of being reported as unconfirmed:
/// Matrix (the transaction ID, and the post looked for in the room) and Discourse (the
/// topic or reply looked for) always; Mastodon while its `Idempotency-Key` still holds
/// ([`MASTODON_IDEMPOTENCY`]); a Slack webhook never (nothing on its side tells).
pub fn resumes(
    kind: &ChannelKind,
    intent_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    match kind {
        ChannelKind::Matrix { .. } | ChannelKind::Discourse { .. } => true,
        ChannelKind::Mastodon { .. } => intent_at.is_some_and(|t| now - t < MASTODON_IDEMPOTENCY),
        ChannelKind::Slack { .. } => false,
    }
}

/// The channel `config` describes, reached with `secret` (its token, or for a webhook
/// its URL), read beforehand by [`secret`].
///
/// # Errors
/// [`crate::Error::Delivery`] when it cannot be set up (a webhook URL that is not
/// `https://`, say), never quoting the secret.
pub fn open(config: &ChannelConfig, secret: String) -> Result<Box<dyn Channel>> {
    match config.kind {
        ChannelKind::Matrix { .. } => matrix::open(config, secret),
        ChannelKind::Slack { .. } => slack::open(config, secret),
        ChannelKind::Discourse { .. } => discourse::open(config, secret),
        ChannelKind::Mastodon { .. } => mastodon::open(config, secret),
    }
}

/// What `summit check` says of `config` without posting: its secret at hand and, for
/// a webhook, its URL's form; with `connect`, that the server accepts the token (Matrix
/// `whoami` and room membership, Discourse's current user, Mastodon
/// `verify_credentials`). `Ok` is the line to show.
///
/// # Errors
/// [`Failed`] naming what is wrong, never quoting the secret.
pub fn check(config: &ChannelConfig, connect: bool) -> std::result::Result<String, Failed> {
    let secret = secret_quietly(config)?;
    match config.kind {
        ChannelKind::Matrix { .. } => matrix::check(config, &secret, connect),
        ChannelKind::Slack { .. } => slack::check(config, &secret, connect),
        ChannelKind::Discourse { .. } => discourse::check(config, &secret, connect),
        ChannelKind::Mastodon { .. } => mastodon::check(config, &secret, connect),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::*;
    use crate::config::{Markup, Secret};

    #[test]
    fn only_a_channel_that_can_tell_resumes_an_unconfirmed_post() {
        let now: DateTime<Utc> = "2026-11-23T17:00:00Z".parse().unwrap();
        let token = || Secret::Env("T".into());
        let url = || url::Url::parse("https://example.org").unwrap();
        let matrix = ChannelKind::Matrix {
            homeserver: url(),
            room: "#dev:example.org".into(),
            access_token: token(),
        };
        let mastodon = ChannelKind::Mastodon {
            instance: url(),
            access_token: token(),
        };
        let slack = ChannelKind::Slack {
            webhook: token(),
            markup: Markup::Mrkdwn,
        };
        let at = |minutes: i64| Some(now - Duration::minutes(minutes));
        assert!(resumes(&matrix, at(600), now));
        assert!(
            resumes(&mastodon, at(49), now),
            "inside the Idempotency-Key's hour"
        );
        assert!(
            !resumes(&mastodon, at(51), now),
            "the key may be gone: reported"
        );
        assert!(!resumes(&mastodon, None, now));
        assert!(!resumes(&slack, at(1), now), "a webhook cannot tell");
    }
}
