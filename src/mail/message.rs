//! A draft as an RFC 5322 message built with `lettre`: its headers (through
//! [`super::header`], so every line fits), its body's transfer encoding, and what
//! `send` and `tick` add to it ([`Extras`]).

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::header::{
    ContentTransferEncoding, ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0,
};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};

use super::header;
use super::render::Rendered;
use crate::config::MailConfig;
use crate::error::{Error, Result};
use crate::model::message::valid_message_id;

/// What `send` and `tick` add to a drafted message: threading, and the summit as a
/// calendar attachment.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// In-Reply-To: the Message-ID (without angle brackets) of the message it answers.
    pub in_reply_to: Option<String>,
    /// References: the thread's Message-IDs, oldest first (without angle brackets).
    pub references: Vec<String>,
    /// A text/calendar attachment: its file name and its iCalendar text.
    pub calendar: Option<(String, String)>,
}

/// The headers of a drafted message but its subject: who it is from and to, whom
/// replies go to, its Message-ID (without angle brackets) and its Date.
pub(super) struct Envelope<'a> {
    /// From: `mail.from`.
    pub mail: &'a MailConfig,
    /// Reply-To, if any.
    pub reply_to: Option<&'a Mailbox>,
    /// To, in order.
    pub to: &'a [Mailbox],
    /// Message-ID, without angle brackets.
    pub message_id: &'a str,
    /// Date.
    pub date: DateTime<Utc>,
}

/// The message of `rendered` under `envelope`, with `extras` added.
///
/// # Errors
/// [`Error::Mail`] when a Message-ID in `extras` is malformed, the body cannot be
/// encoded or the message cannot be built.
pub(super) fn build(envelope: &Envelope, rendered: &Rendered, extras: &Extras) -> Result<Message> {
    let Envelope {
        mail,
        reply_to,
        to,
        message_id,
        date: now,
    } = *envelope;
    // Subject and display names through `header` (lettre passes ASCII through as is and
    // folds only at spaces): encoded and folded so every line fits and no reader
    // decodes a smuggled encoded word.
    let mut builder = Message::builder()
        .from(header::mailbox(&mail.from))
        .raw_header(header::subject(&rendered.subject))
        .date(now.into())
        .message_id(Some(format!("<{message_id}>")))
        .header(MIME_VERSION_1_0)
        // RFC 3834 §5: sent by a program, so auto-responders do not answer it.
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".into(),
        ));
    if let Some(r) = reply_to {
        builder = builder.reply_to(header::mailbox(r));
    }
    for m in to {
        builder = builder.to(header::mailbox(m));
    }
    // Only well-formed Message-IDs reach a header (the ledger's are checked on load).
    let ids = extras.in_reply_to.iter().chain(&extras.references);
    if let Some(bad) = ids.clone().find(|id| !valid_message_id(id)) {
        return Err(Error::Mail(format!(
            "`{bad}` is not a Message-ID, expected `local@domain`"
        )));
    }
    if let Some(parent) = &extras.in_reply_to {
        builder = builder.in_reply_to(format!("<{parent}>"));
    }
    if !extras.references.is_empty() {
        let refs: Vec<String> = extras.references.iter().map(|r| format!("<{r}>")).collect();
        builder = builder.references(refs.join(" "));
    }
    let body = encode_body(&rendered.body)?;
    let built = match &extras.calendar {
        None => builder.header(ContentType::TEXT_PLAIN).body(body),
        Some((file_name, ics)) => {
            let text = SinglePart::builder()
                .header(ContentType::TEXT_PLAIN)
                .body(body);
            let calendar_type = ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                .expect("a valid content type");
            let calendar = Attachment::new(file_name.clone()).body(ics.clone(), calendar_type);
            // A boundary of the message's own, not a random one: the same message is
            // the same bytes (`draft --out` writes what `send` sends).
            let boundary = boundary(message_id, &rendered.body, ics);
            builder.multipart(
                MultiPart::mixed()
                    .boundary(boundary)
                    .singlepart(text)
                    .singlepart(calendar),
            )
        }
    };
    built.map_err(|e| Error::Mail(format!("cannot build the message: {e}")))
}

/// The MIME boundary of a message with a calendar attachment: a hash of its
/// Message-ID, body and attachment, so that it is the same whenever the same message is
/// built, and (being a hash of them) not found inside either.
fn boundary(message_id: &str, body: &str, ics: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in [message_id, body, ics] {
        hash.update(part.len().to_be_bytes());
        hash.update(part.as_bytes());
    }
    let hex: String = hash
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("summit-{hex}")
}

/// The body as 7bit or 8bit text when every line fits RFC 5322's 998-octet limit (so
/// the message stays readable as is), else quoted-printable.
fn encode_body(text: &str) -> Result<Body> {
    let crlf = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n");
    let fits = crlf.split("\r\n").all(|l| l.len() <= 998) && !crlf.contains('\0');
    if fits {
        let encoding = if crlf.is_ascii() {
            ContentTransferEncoding::SevenBit
        } else {
            ContentTransferEncoding::EightBit
        };
        return Ok(Body::dangerous_pre_encoded(crlf.into_bytes(), encoding));
    }
    Body::new_with_encoding(text.to_string(), ContentTransferEncoding::QuotedPrintable)
        .map_err(|_| Error::Mail("the body cannot be encoded".into()))
}
