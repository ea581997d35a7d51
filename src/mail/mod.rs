//! The e-mails of each timeline step: who gets them, what they say ([`render`]), and
//! the RFC 5322 messages built with `lettre`; and the same steps as Markdown for
//! channels ([`post`]).
//!
//! One concern a file; a file imports its siblings by their own path, never through
//! the re-exports below (which are for the layers above):
//!
//! | file | what it holds |
//! |---|---|
//! | [`audience`] | who receives each step, Reply-To, the agenda a summit's mail uses |
//! | [`draft`](mod@draft) | [`Draft`]: the e-mails of a step; the checklist to print |
//! | [`correction`] | [`Change`] and the correction of an announced summit |
//! | `context` | what a step's template sees |
//! | [`view`] | the views templates see: [`Person`], [`SummitView`], [`AgendaView`], … |
//! | [`message`] | the RFC 5322 message of a draft, and its [`Extras`] |
//! | [`message_id`](mod@message_id) | deterministic Message-IDs (RFC 5322 §3.6.4) |
//! | [`post`] | [`PostDraft`]: a step's or correction's message for a channel |
//! | [`markdown`] | escaping values in Markdown; Markdown as HTML, mrkdwn, plain text |
//! | [`render`] | the templates behind one wrapper, [`Templates`] |
//! | [`header`] | encoded and folded header fields (RFC 2047, RFC 5322 §2.2.3) |
//! | [`words`] | dates and times said in words |
//! | [`ics`] | the summit as a `.ics` attachment (RFC 5545) |
//! | [`rota`] | the rota as iCalendar |

pub mod audience;
mod context;
pub mod correction;
pub mod draft;
pub mod header;
pub mod ics;
pub mod markdown;
pub mod message;
pub mod message_id;
pub mod post;
pub mod render;
pub mod rota;
pub mod view;
pub mod words;

pub use audience::{
    agenda_error, messages, ranked_agenda, ranked_agenda_at, recipients, reply_to,
    unreached_warning,
};
pub use correction::{Change, Correction, draft_correction};
pub use draft::{Draft, checklist, draft};
pub use message::Extras;
pub use message_id::{channel_message_id, message_id};
pub use post::{PostDraft, draft_correction_post, draft_post};
pub use render::{Rendered, Templates};
pub use view::{
    AgendaView, Person, SUMMARY_MAX_CHARS, SummitView, ZoneTime, meeting_link, title, zone_times,
};
