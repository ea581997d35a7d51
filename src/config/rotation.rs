//! `[rotation]`: the roster, the pins and where the facilitation record lives (the
//! record itself is loaded with the plan's inputs, not here).

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::NaiveDate;
use lettre::Address;
use toml::Spanned;

use super::raw::{RawMember, RawPin, RawRotation};
use super::source::Source;
use crate::error::Result;
use crate::model::Member;
use crate::model::member::unsendable;
use crate::text::odd_char;

/// `[rotation]`.
#[derive(Clone, Debug, Default)]
pub struct Rotation {
    /// `start`: the date (UTC) of the first summit the rotation counts; earlier summits
    /// are nobody's turn. Default: the first summit in the feed.
    pub start: Option<NaiveDate>,
    /// `[[rotation.members]]`, in roster order.
    pub members: Vec<Member>,
    /// `[[rotation.assign]]`: members pinned to summit dates (a swap is two pins).
    pub pins: Vec<crate::model::Pin>,
    /// `record`: the facilitation record's path (relative to the config's folder in the
    /// file), `None` when not set. The record itself is loaded with the plan's inputs
    /// (`crate::plan::inputs::Inputs::load`).
    pub record: Option<PathBuf>,
}

/// Validates `[rotation]`.
pub(super) fn validate(raw: RawRotation, src: &Source) -> Result<Rotation> {
    let start = match &raw.start {
        None => None,
        Some(s) => Some(
            NaiveDate::parse_from_str(s.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
                src.at(
                    s,
                    format!(
                        "rotation.start `{}` is not a date, expected `YYYY-MM-DD`",
                        s.get_ref()
                    ),
                )
            })?,
        ),
    };
    let mut members = Vec::new();
    let mut seen = HashSet::new();
    for entry in raw.members {
        members.push(member(entry, &mut seen, src)?);
    }
    let mut pins: Vec<crate::model::Pin> = Vec::new();
    for entry in &raw.assign {
        let pin = pin(entry, &members, &pins, src)?;
        pins.push(pin);
    }
    Ok(Rotation {
        start,
        members,
        pins,
        record: raw.record.as_deref().map(|r| src.dir.join(r)),
    })
}

/// One `[[rotation.members]]` entry; `seen` holds the addresses of those before it
/// (lowercase), each member once.
fn member(
    entry: Spanned<RawMember>,
    seen: &mut HashSet<crate::model::Email>,
    src: &Source,
) -> Result<Member> {
    let span = entry.span();
    let m = entry.into_inner();
    if m.name.trim().is_empty() {
        return Err(src.err(
            Some(span),
            "rotation.members entry has an empty name".into(),
        ));
    }
    if let Some(c) = odd_char(&m.name) {
        return Err(src.err(
            Some(span),
            format!(
                "rotation.members name `{}` contains the control character U+{:04X}, expected plain text on one line",
                m.name.escape_debug(),
                u32::from(c)
            ),
        ));
    }
    let email = member_email(&m, src)?;
    if !seen.insert(crate::model::Email::from(&email)) {
        return Err(src.at(
            &m.email,
            format!("rotation.members email `{email}` appears twice, expected each member once"),
        ));
    }
    let away = m
        .away
        .iter()
        .map(|s| {
            parse_date_range(s.get_ref()).ok_or_else(|| {
                src.at(
                    s,
                    format!(
                        "away `{}` of `{}` is not a date range, expected `YYYY-MM-DD..YYYY-MM-DD` (inclusive, start not after end) or `YYYY-MM-DD`",
                        s.get_ref(),
                        m.name
                    ),
                )
            })
        })
        .collect::<Result<_>>()?;
    let greeting = match &m.greeting {
        Some(g) if g.get_ref().trim().is_empty() || g.get_ref().contains('@') => {
            return Err(src.at(
                g,
                format!(
                    "greeting `{}` of `{}` is not a name, expected e.g. `Ada`",
                    g.get_ref(),
                    m.name
                ),
            ));
        }
        Some(g) => Some(crate::text::one_line(g.get_ref())),
        None => None,
    };
    let github = match &m.github {
        Some(g) => Some(super::agenda::github_login(g.get_ref()).ok_or_else(|| {
            src.at(
                g,
                format!(
                    "github `{}` of `{}` is not a GitHub login, expected letters, digits and single hyphens, e.g. `ada-l`",
                    g.get_ref().escape_debug(),
                    m.name
                ),
            )
        })?),
        None => None,
    };
    Ok(Member {
        name: m.name.trim().to_string(),
        email,
        away,
        greeting,
        github,
    })
}

/// The address of member `m`: one mail can be sent to.
fn member_email(m: &RawMember, src: &Source) -> Result<Address> {
    let email: Address = m.email.get_ref().trim().parse().map_err(|e| {
        src.at(
            &m.email,
            format!(
                "rotation.members email `{}` is not an e-mail address ({e}), expected `user@example.org`",
                m.email.get_ref()
            ),
        )
    })?;
    if let Some(why) = unsendable(&email) {
        return Err(src.at(
            &m.email,
            format!(
                "rotation.members email `{}` of `{}` has {why}, which mail cannot be sent to, expected a plain address like `user@example.org`",
                m.email.get_ref().escape_debug(),
                m.name.escape_debug()
            ),
        ));
    }
    Ok(email)
}

/// One `[[rotation.assign]]` entry: a member of the roster, available on the date,
/// and the only one `pins` (those before it) pin to it.
fn pin(
    entry: &Spanned<RawPin>,
    members: &[Member],
    pins: &[crate::model::Pin],
    src: &Source,
) -> Result<crate::model::Pin> {
    let p = entry.get_ref();
    let date = NaiveDate::parse_from_str(p.date.get_ref().trim(), "%Y-%m-%d").map_err(|_| {
        src.at(
            &p.date,
            format!(
                "rotation.assign date `{}` is not a date, expected `YYYY-MM-DD`",
                p.date.get_ref()
            ),
        )
    })?;
    let email = p.email.get_ref().trim();
    let Some(member) = members
        .iter()
        .position(|m| crate::model::Email::from(email) == m.email)
    else {
        return Err(src.at(
            &p.email,
            format!(
                "rotation.assign email `{email}` is not in the roster, expected the email of one of the [[rotation.members]]"
            ),
        ));
    };
    let m: &Member = &members[member];
    if let Some((a, b)) = m.away.iter().find(|(a, b)| *a <= date && date <= *b) {
        return Err(src.at(
            &p.date,
            format!(
                "rotation.assign pins `{email}` to {date}, but they are away then ({a}..{b}), expected a date they are available"
            ),
        ));
    }
    if let Some(other) = pins.iter().find(|q| q.date == date) {
        return Err(src.at(
            entry,
            format!(
                "rotation.assign pins both `{}` and `{email}` to {date}, expected one member per summit date",
                members[other.member].email
            ),
        ));
    }
    Ok(crate::model::Pin { date, member })
}

/// Parses `YYYY-MM-DD..YYYY-MM-DD` (inclusive) or a single `YYYY-MM-DD`.
pub(super) fn parse_date_range(value: &str) -> Option<(NaiveDate, NaiveDate)> {
    let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let (a, b) = match value.split_once("..") {
        Some((a, b)) => (date(a)?, date(b)?),
        None => {
            let d = date(value)?;
            (d, d)
        }
    };
    (a <= b).then_some((a, b))
}
