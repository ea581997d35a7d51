//! The calendar pipeline: [`fetch`] (path, `-` or URL to bytes) → [`parse`] (bytes to
//! VEVENTs, RFC 5545 §3.6.1) → [`expand`] (VEVENTs to the occurrences in a window,
//! RFC 5545 §3.8.5). [`zone`] resolves TZIDs for the last two steps.

pub mod expand;
pub mod fetch;
pub mod parse;
pub mod zone;

pub use crate::model::occurrence::{Occurrence, When, is_cancelled};
pub use expand::{Window, occurrences};
pub use parse::{Calendar, parse};
