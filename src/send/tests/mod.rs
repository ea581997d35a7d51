//! Tests of `send`: what is due, corrections, and the exactly-once protocol.

mod corrections;
mod due;
mod protocol;

use std::path::Path;

use chrono::{DateTime, Datelike, Duration, Utc};

use super::*;
use crate::calendar::Calendar;
use crate::config::Config;
use crate::error::Result;
use crate::ledger::{Entry, Ledger};
use crate::mail::{Change, Templates};
use crate::model::{Kind, State, Step};
use crate::plan::inputs::Inputs;

const CONFIG: &str = r#"
[mail]
from = "Bot <bot@example.org>"
public-list = "list@example.org"
team-list = "team@example.org"
transport = "file"
[[rotation.members]]
name = "Ada"
email = "ada@example.org"
[[rotation.members]]
name = "Grace"
email = "grace@example.org"
"#;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn config() -> Inputs {
    let c = Config::from_toml(CONFIG, Path::new("summit.toml"), Path::new("/cfg")).unwrap();
    Inputs::load(c).unwrap()
}

/// A monthly summit on the 26th at 16:00 UTC, with overrides in `extra`.
fn calendar(extra: &str) -> Calendar {
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s@x\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20261026T160000Z\r\nDTEND:20261026T180000Z\r\n\
RRULE:FREQ=MONTHLY;BYMONTHDAY=26\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\n{extra}END:VCALENDAR\r\n"
    );
    crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap()
}

fn plan_at(cal: &Calendar, ledger: &Ledger, now: &str, retry: bool) -> Plan {
    let c = config();
    let now = t(now);
    let s = Summits::collect(cal, &c, ledger, now, &mut Vec::new()).unwrap();
    plan(&s, ledger, &c, c.mail().unwrap(), now, retry)
}

/// `p` without what goes to the facilitator privately (the assignment heads-up and
/// its corrections), which `the_facilitator_hears_first` tests on its own.
fn public(mut p: Plan) -> Plan {
    p.sends.retain(|o| match o.key.kind {
        Kind::Step(Step::Assignment) => false,
        Kind::Correction => o.key.to != "grace@example.org",
        _ => true,
    });
    p
}

/// The planned sends, without the assignment heads-up (tested on its own).
fn names(p: &Plan) -> Vec<String> {
    p.sends
        .iter()
        .filter(|o| o.key.kind != Kind::Step(Step::Assignment))
        .map(|o| format!("{} {}", o.key.kind, o.announced.start.date_utc()))
        .collect()
}

/// The notices of `p` but the steps due before the ledger was started.
fn unadopted(p: &Plan) -> Vec<Notice> {
    p.notices
        .iter()
        .filter(|n| !matches!(n, Notice::Adopted(_)))
        .cloned()
        .collect()
}

/// Records every planned send as sent at `now`, like a successful run.
fn send_all(p: &Plan, ledger: &mut Ledger, now: &str) {
    for o in &p.sends {
        ledger.upsert(Entry {
            key: o.key.clone(),
            state: State::Sent,
            message_id: Some(format!("{}.x@example.org", o.key.kind)),
            due: o.due,
            announced: o.announced.clone(),
            intent_at: Some(t(now)),
            sent_at: Some(t(now)),
            failed_at: None,
            missed_at: None,
            attempts: 1,
            error: None,
            unconfirmed: false,
            marked_at: None,
            proposes: o.proposes.clone(),
            posted: None,
        });
    }
}

/// Plans at `now` and records what a run would: the sends as sent, the missed
/// notices, the feed state.
fn run_at(cal: &Calendar, l: &mut Ledger, now: &str) -> Plan {
    let p = plan_at(cal, l, now, false);
    send_all(&p, l, now);
    for n in &p.notices {
        if let Notice::Missed(e) | Notice::Adopted(e) = n {
            l.upsert(e.clone());
        }
    }
    if let Some(f) = p.feed.clone() {
        f.apply(l);
    }
    p
}

/// The monthly feed with the 26 November instance left out (`how`: an EXDATE, or
/// an RRULE that stops before it), or replaced by `extra`.
fn feed_without_november(how: &str) -> Calendar {
    let rule = match how {
        "exdate" => "RRULE:FREQ=MONTHLY;BYMONTHDAY=26\r\nEXDATE:20261126T160000Z",
        _ => "RRULE:FREQ=MONTHLY;BYMONTHDAY=26;UNTIL=20261027T000000Z\r\nRDATE:20261226T160000Z",
    };
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:s@x\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20261026T160000Z\r\nDTEND:20261026T180000Z\r\n\
{rule}\r\nSUMMARY:Developer Summit\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    crate::calendar::parse(ics.as_bytes(), "t.ics", chrono_tz::Tz::UTC).unwrap()
}

fn corrections(p: &Plan) -> Vec<String> {
    p.sends
        .iter()
        .filter(|o| o.key.kind == Kind::Correction)
        .map(|o| format!("{} {}", o.key.to, o.announced.cancelled))
        .collect()
}
