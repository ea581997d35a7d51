//! Pure decisions, each rule in one place: which summits count ([`summit`]) and who
//! facilitates each ([`rotation`]). Nothing here reads a file, the clock or the
//! network; every function takes `now` where time matters.

pub mod rotation;
pub mod summit;
