//! The vocabulary every layer speaks: plain types with no I/O and no configuration.
//!
//! [`occurrence`] (when a summit happens), [`key`] (its identity across moves),
//! [`step`] (timeline steps, message kinds and states, with derived names),
//! [`timeline`] (offsets, due and useful-until times), [`member`] (the roster's
//! people) and [`message`] (Message-IDs). Nothing here reads a file or the clock.

pub mod email;
pub mod key;
pub mod member;
pub mod message;
pub mod occurrence;
pub mod recipients;
pub mod step;
pub mod timeline;

pub use email::Email;
pub use key::OccurrenceKey;
pub use member::{Member, Pin};
pub use occurrence::{Occurrence, When, is_cancelled};
pub use recipients::Recipients;
pub use step::{Kind, State, Step};
pub use timeline::Timeline;
