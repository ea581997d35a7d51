//! Sending: what is due now and its corrections ([`delivery`]: the plan and the
//! exactly-once protocol around the ledger) and the mail transports ([`transport`]:
//! SMTP, sendmail, files).

pub mod delivery;
pub mod transport;
