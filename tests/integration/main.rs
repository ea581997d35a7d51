//! Integration tests: the real `summit` binary, run in a temporary folder with `--now`.

mod test;

mod contract;
mod dovecot;
mod http;
mod smtp;
mod synapse;

mod agenda;
mod bounds;
mod calendar;
mod channels;
mod check;
mod corpus;
mod dates;
mod deadlines;
mod discourse;
mod discovery;
mod draft;
mod errors;
mod events;
mod form;
mod github;
mod help;
mod hostile;
mod hostile_text;
mod imap;
mod init;
mod layers;
mod ledger;
mod mailbox;
mod mastodon;
mod matrix;
mod next;
mod output;
mod rotation;
mod slack;
mod sources;
mod tick;
mod truth;
