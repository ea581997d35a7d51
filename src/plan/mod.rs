//! Pure decisions, each rule in one place: what they are made from ([`inputs`]), which
//! summits count ([`summit`]), which summit a command is about ([`find`]) and who
//! facilitates each ([`rotation`]). Nothing here
//! reads a file (but [`inputs::Inputs::load`], the record once), the clock or the
//! network; every function takes `now` where time matters.

pub mod find;
pub mod inputs;
pub mod rotation;
pub mod summit;
