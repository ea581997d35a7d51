//! The Message-IDs of drafted mail (RFC 5322 §3.6.4): the same every time the same
//! mail is drafted, so a resent message is recognised as the same one.

use lettre::message::Mailbox;
use sha2::{Digest, Sha256};

use crate::config::MailConfig;
use crate::model::{Kind, Occurrence};

/// A deterministic Message-ID: `HASH.KIND.DATE@DOMAIN`, the domain of `mail.from`.
///
/// HASH is a hash of the summit's UID and original start, the kind (step or
/// correction), the correction's number `seq` and the recipients, so the same mail gets
/// the same ID whenever it is drafted.
pub fn message_id(
    summit: &Occurrence,
    kind: Kind,
    seq: u32,
    to: &[Mailbox],
    mail: &MailConfig,
) -> String {
    let to: Vec<String> = to
        .iter()
        .map(|m| m.email.to_string().to_ascii_lowercase())
        .collect();
    hashed(summit, kind, seq, &to, mail)
}

/// The Message-ID of a message posted to the channel named `channel`: as
/// [`message_id`], the channel's name in place of the recipients (hashed after a NUL,
/// which no address has, so it never equals an e-mail's). A channel derives its own
/// idempotency keys from it (Matrix's transaction ID, Mastodon's `Idempotency-Key`).
pub fn channel_message_id(
    summit: &Occurrence,
    kind: Kind,
    seq: u32,
    channel: &str,
    mail: &MailConfig,
) -> String {
    hashed(summit, kind, seq, &[format!("\0channel {channel}")], mail)
}

/// `HASH.KIND.DATE@DOMAIN`, HASH over the summit, kind, `seq` and `parts`.
fn hashed(
    summit: &Occurrence,
    kind: Kind,
    seq: u32,
    parts: &[String],
    mail: &MailConfig,
) -> String {
    let mut h = Sha256::new();
    h.update(summit.uid.as_bytes());
    h.update(b"\n");
    h.update(
        summit
            .recurrence_id
            .unwrap_or(summit.start)
            .to_string()
            .as_bytes(),
    );
    h.update(b"\n");
    h.update(kind.name().as_bytes());
    if seq > 0 {
        h.update(format!("\n#{seq}").as_bytes());
    }
    for p in parts {
        h.update(b"\n");
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    let hash: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{hash}.{kind}.{}@{}",
        summit.start.date_utc().format("%Y%m%d"),
        mail.from.email.domain()
    )
}
