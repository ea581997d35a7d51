//! Integration tests: the real `summit` binary, run in a temporary folder with `--now`.

mod test;

mod http;
mod smtp;

mod agenda;
mod bounds;
mod calendar;
mod check;
mod corpus;
mod deadlines;
mod draft;
mod errors;
mod events;
mod form;
mod hostile;
mod hostile_text;
mod layers;
mod ledger;
mod next;
mod rotation;
mod tick;
mod truth;
