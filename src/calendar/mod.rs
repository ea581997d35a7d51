//! The calendar pipeline, from a feed to the occurrences in a window:
//!
//! 1. [`fetch`]: a path, `-` or URL to bytes (with a cache for URLs).
//! 2. `lines`: bytes to logical content lines (RFC 5545 §3.1), unfolded and repaired
//!    where producers break the format, each warning naming its feed line.
//! 3. `rule`: reading RRULE values (RFC 5545 §3.3.10, RFC 7529) before the `rrule`
//!    crate sees them: refusal, RSCALE, normalising, UNTIL.
//! 4. [`zone`]: TZIDs (RFC 5545 §3.2.19) and VTIMEZONEs (§3.6.5) to zones.
//! 5. [`parse`](mod@parse): the kept lines to VEVENTs (RFC 5545 §3.6.1), their values
//!    resolved to zones.
//! 6. [`expand`]: VEVENTs to the occurrences in a window (RFC 5545 §3.8.5).
//! 7. [`series`]: the recurring series of a feed, each with its cadence in words
//!    ([`cadence`], which reads a rule's text alone), for `summit init`.
//!
//! What the pipeline produces ([`When`], [`Occurrence`], [`is_cancelled`]) is the
//! crate's vocabulary, in [`crate::model`]. Below the steps, `warnings` is the bounded
//! list of warnings of one parse, which `lines` and [`parse`](mod@parse) both report to.
//!
//! A module imports only modules before it in this order (`warnings`, then the steps
//! 1 to 7, with [`cadence`] before [`series`]), each by its own path, never through the re-exports below, so
//! that there is no import cycle. `rule` comes before [`zone`], not after it: a
//! VTIMEZONE's observances recur by RRULEs too, and [`zone`] refuses the same rules as
//! [`expand`] does.
//!
//! This file only declares the modules and re-exports what the rest of the crate uses.

mod warnings;

pub mod cadence;
pub mod expand;
pub mod fetch;
mod lines;
pub mod parse;
mod rule;
pub mod series;
pub mod zone;

pub use crate::model::{Occurrence, When, is_cancelled};
pub use expand::{Window, occurrences};
pub use parse::{Calendar, parse};
