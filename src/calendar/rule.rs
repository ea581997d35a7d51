//! Reading RRULE values (RFC 5545 §3.3.10, RFC 7529) before the `rrule` crate sees
//! them: which rules it must not evaluate ([`rule_refusal`]), their calendar scale
//! ([`rscale`]), the normalised text it is given ([`normalize_rule`]) and their UNTIL
//! ([`until`]).
//!
//! These work on the rule's text alone, so that both the zones of a VTIMEZONE
//! ([`super::zone`]) and the series of VEVENTs ([`super::expand`]) can use them.

use std::collections::HashSet;

use chrono::NaiveDateTime;

/// The calendar scale of an RRULE (RFC 7529 §3, the `RSCALE` and `SKIP` parts).
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Rscale<'a> {
    /// No RSCALE, or `RSCALE=GREGORIAN` with no SKIP or `SKIP=OMIT`: an ordinary
    /// RFC 5545 rule, whose invalid dates (February 30) are skipped (RFC 7529 §3.1:
    /// OMIT is the default).
    Gregorian,
    /// Gregorian with `SKIP=BACKWARD` or `FORWARD` (the value): the `rrule` crate can
    /// only omit invalid dates, so the rule is evaluated as with `SKIP=OMIT`.
    GregorianSkip(&'a str),
    /// Another calendar scale (`CHINESE`, `HEBREW`, …, the value): the `rrule` crate
    /// knows only the Gregorian calendar, so the rule is not evaluated.
    Other(&'a str),
}

/// The [`Rscale`] of `rule`; the last value of a part given twice counts, as in
/// [`normalize_rule`]. A SKIP without RSCALE (which RFC 7529 §3.1 forbids) is read as
/// with `RSCALE=GREGORIAN`.
pub(super) fn rscale(rule: &str) -> Rscale<'_> {
    let mut scale = None;
    let mut skip = None;
    for part in rule.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k.eq_ignore_ascii_case("RSCALE") {
            scale = Some(v);
        } else if k.eq_ignore_ascii_case("SKIP") {
            skip = Some(v);
        }
    }
    match (scale, skip) {
        (Some(s), _) if !s.eq_ignore_ascii_case("GREGORIAN") => Rscale::Other(s),
        (_, Some(s)) if !s.eq_ignore_ascii_case("OMIT") => Rscale::GregorianSkip(s),
        _ => Rscale::Gregorian,
    }
}

/// Normalizes an RRULE value for the `rrule` crate, the way lenient clients read it:
/// a part given twice keeps its last value, an empty part and a COUNT that is not
/// positive are dropped (python-recurring-ical-events issue 128), `RSCALE` and `SKIP`
/// are dropped (RFC 7529 §3: the caller reads them with [`rscale`]; a Gregorian rule
/// with `SKIP=OMIT` is an RFC 5545 rule), and `UNTIL=…` is split out (the crate insists
/// on zone rules for it that real feeds break, and we evaluate on wall-clock time
/// anyway).
///
/// A rule the `rrule` crate must not see is refused with the reason (see
/// [`rule_refusal`]).
pub(super) fn normalize_rule(rule: &str) -> Result<(String, Option<&str>), String> {
    if let Some(why) = rule_refusal(rule) {
        return Err(why);
    }
    let mut parts: Vec<(String, &str)> = Vec::new();
    let mut until = None;
    for part in rule.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let key = k.trim().to_ascii_uppercase();
        let v = v.trim();
        match key.as_str() {
            "UNTIL" => until = Some(v),
            // Read by `rscale`; the crate knows neither (RFC 7529 §3).
            "RSCALE" | "SKIP" => {}
            "COUNT" if !v.parse::<u32>().is_ok_and(|n| n > 0) => {}
            _ => match parts.iter_mut().find(|(k, _)| *k == key) {
                Some(existing) => existing.1 = v,
                None => parts.push((key, v)),
            },
        }
    }
    let text = parts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";");
    Ok((text, until))
}

/// How many candidate instances the BY… lists of a rule may give per period: the
/// `rrule` crate builds a whole period (a year for FREQ=YEARLY) before yielding any.
pub(super) const MAX_CANDIDATES_PER_PERIOD: u64 = 100_000;

/// Why the `rrule` crate must not evaluate `rule`, if it must not: a character that is
/// not ASCII (the crate slices values by bytes and panics, rrule-0.14.0
/// src/core/rrule.rs:162), or BY… lists that would give more than
/// [`MAX_CANDIDATES_PER_PERIOD`] candidates per period (the product of their lengths,
/// each deduplicated).
pub(super) fn rule_refusal(rule: &str) -> Option<String> {
    if !rule.is_ascii() {
        return Some("it contains a character that is not ASCII".to_string());
    }
    const LISTS: [&str; 8] = [
        "BYMONTH",
        "BYWEEKNO",
        "BYYEARDAY",
        "BYMONTHDAY",
        "BYDAY",
        "BYHOUR",
        "BYMINUTE",
        "BYSECOND",
    ];
    // The last value of a part given twice counts, as in `normalize_rule`.
    let mut lengths = [1u64; LISTS.len()];
    for part in rule.split(';') {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let key = k.trim();
        if let Some(i) = LISTS.iter().position(|l| l.eq_ignore_ascii_case(key)) {
            let values: HashSet<String> = v
                .split(',')
                .map(|x| x.trim().to_ascii_uppercase())
                .filter(|x| !x.is_empty())
                .collect();
            lengths[i] = values.len().max(1) as u64;
        }
    }
    let product = lengths
        .iter()
        .try_fold(1u64, |acc, n| acc.checked_mul(*n))
        .unwrap_or(u64::MAX);
    (product > MAX_CANDIDATES_PER_PERIOD).then(|| {
        format!(
            "its BY… lists give {product} candidate instances per period, more than the limit of {MAX_CANDIDATES_PER_PERIOD}"
        )
    })
}

/// An UNTIL value (RFC 5545 §3.3.10) as written, before it is placed in a series' zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Until {
    /// A DATE (as the start of that day) or a floating DATE-TIME: wall-clock time.
    Local(NaiveDateTime),
    /// A DATE-TIME in UTC (`…Z`).
    Utc(NaiveDateTime),
}

/// Reads an UNTIL value: `YYYYMMDD`, or `YYYYMMDDTHHMMSS` optionally followed by `Z`
/// (any case); `None` when it is neither.
pub(super) fn until(until: &str) -> Option<Until> {
    let v = until.trim();
    if v.len() == 8 {
        let d = chrono::NaiveDate::parse_from_str(v, "%Y%m%d").ok()?;
        return d.and_hms_opt(0, 0, 0).map(Until::Local);
    }
    let (digits, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(d) => (d, true),
        None => (v, false),
    };
    let t = NaiveDateTime::parse_from_str(digits, "%Y%m%dT%H%M%S").ok()?;
    Some(if utc { Until::Utc(t) } else { Until::Local(t) })
}

#[cfg(test)]
mod tests;
