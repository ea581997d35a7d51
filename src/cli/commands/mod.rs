//! One file per command, each with its clap `Args` and its
//! `run(&Session, Args, &mut Printer)`; [`deliver`] holds what `tick` and `send` share.

pub mod check;
pub mod checklist;
pub mod completions;
mod deliver;
pub mod draft;
pub mod events;
pub mod ledger;
pub mod next;
pub mod rota;
pub mod send;
pub mod tick;
pub mod timeline;
pub mod who;
