//! A recurrence rule (RFC 5545 §3.3.10) in words, for a person choosing a series:
//! `FREQ=MONTHLY;BYDAY=-1TH` is "monthly on the last Thursday",
//! `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU` "every 2 weeks on Tuesday". A rule these words do
//! not cover (BYWEEKNO, BYYEARDAY, several positions, an hourly rule, …) is
//! "irregular" ([`IRREGULAR`]).
//!
//! Only the rule's text and the series' first date are read; nothing here evaluates the
//! rule.

use chrono::{Datelike, NaiveDate, Weekday};

/// The words for a rule (or a group of events) with no simple cadence.
pub const IRREGULAR: &str = "irregular";

/// The cadence of a series whose RRULE is `rule` and whose DTSTART falls on `start`
/// (which gives the weekday, day of month and month a rule leaves out), in words:
/// "monthly on the last Thursday", "every 2 weeks on Tuesday", "yearly on 16 March";
/// [`IRREGULAR`] when the rule is not one of those shapes.
pub fn cadence(rule: &str, start: NaiveDate) -> String {
    Rule::read(rule)
        .and_then(|r| r.words(start))
        .unwrap_or_else(|| IRREGULAR.to_string())
}

/// The parts of a rule the wording reads.
#[derive(Default)]
struct Rule {
    freq: String,
    interval: u32,
    by_day: Vec<(Option<i32>, Weekday)>,
    by_month_day: Vec<i32>,
    by_month: Vec<u32>,
    by_set_pos: Vec<i32>,
}

impl Rule {
    /// Reads `rule`; `None` when a part is unreadable or one the wording does not cover.
    fn read(rule: &str) -> Option<Rule> {
        let mut r = Rule {
            interval: 1,
            ..Rule::default()
        };
        for part in rule.split(';').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part.split_once('=')?;
            let v = v.trim();
            match k.trim().to_ascii_uppercase().as_str() {
                "FREQ" => r.freq = v.to_ascii_uppercase(),
                "INTERVAL" => r.interval = v.parse().ok().filter(|n| *n > 0)?,
                "BYDAY" => r.by_day = list(v, by_day)?,
                "BYMONTHDAY" => r.by_month_day = list(v, |x| x.parse().ok())?,
                "BYMONTH" => {
                    r.by_month = list(v, |x| x.parse().ok().filter(|m| (1..=12).contains(m)))?
                }
                "BYSETPOS" => r.by_set_pos = list(v, |x| x.parse().ok())?,
                // How often or how long it repeats, and the time of day: not the cadence.
                "COUNT" | "UNTIL" | "WKST" | "BYHOUR" | "BYMINUTE" | "BYSECOND" => {}
                "RSCALE" if v.eq_ignore_ascii_case("GREGORIAN") => {}
                _ => return None,
            }
        }
        Some(r)
    }

    /// The rule in words, or `None` for a shape the wording does not cover.
    fn words(&self, start: NaiveDate) -> Option<String> {
        match self.freq.as_str() {
            "DAILY" => self.daily(),
            "WEEKLY" => self.weekly(start),
            "MONTHLY" => {
                let day = self.day_of_month(start)?;
                Some(format!("{} on {day}", self.every("monthly", "month")))
            }
            "YEARLY" => self.yearly(start),
            _ => None,
        }
    }

    /// "weekly" for an interval of 1, else "every N weeks".
    fn every(&self, adverb: &str, unit: &str) -> String {
        match self.interval {
            1 => adverb.to_string(),
            n => format!("every {n} {unit}s"),
        }
    }

    /// The weekdays of BYDAY, none with a position; `None` when one has one.
    fn plain_days(&self) -> Option<Vec<Weekday>> {
        self.by_day
            .iter()
            .map(|(n, d)| n.is_none().then_some(*d))
            .collect()
    }

    fn daily(&self) -> Option<String> {
        if !self.by_month_day.is_empty() || !self.by_month.is_empty() || !self.by_set_pos.is_empty()
        {
            return None;
        }
        let days = self.plain_days()?;
        if days.is_empty() {
            return Some(match self.interval {
                1 => "daily".to_string(),
                n => format!("every {n} days"),
            });
        }
        if self.interval != 1 {
            return None;
        }
        Some(match day_set(&days) {
            Some(set) => format!("every {set}"),
            None => format!("daily on {}", and_list(&days)),
        })
    }

    fn weekly(&self, start: NaiveDate) -> Option<String> {
        if !self.by_month_day.is_empty() || !self.by_month.is_empty() || !self.by_set_pos.is_empty()
        {
            return None;
        }
        let mut days = self.plain_days()?;
        if days.is_empty() {
            days.push(start.weekday());
        }
        Some(format!(
            "{} on {}",
            self.every("weekly", "week"),
            and_list(&days)
        ))
    }

    fn yearly(&self, start: NaiveDate) -> Option<String> {
        let month = match self.by_month.as_slice() {
            [] => start.month(),
            [m] => *m,
            _ => return None,
        };
        let name = month_name(month);
        let every = self.every("yearly", "year");
        if self.by_day.is_empty() && self.by_set_pos.is_empty() {
            return match self.by_month_day.as_slice() {
                [] => Some(format!("{every} on {} {name}", start.day())),
                [d] if *d > 0 => Some(format!("{every} on {d} {name}")),
                [-1] => Some(format!("{every} on the last day of {name}")),
                _ => None,
            };
        }
        if self.by_month.is_empty() {
            // An ordinal weekday of the whole year ("the 20th Monday"): too rare to word.
            return None;
        }
        Some(format!(
            "{every} on {} of {name}",
            self.day_of_month(start)?
        ))
    }

    /// Which day of the month: "the last Thursday", "day 15", "the first weekday".
    fn day_of_month(&self, start: NaiveDate) -> Option<String> {
        if !self.by_month_day.is_empty() {
            if !self.by_day.is_empty() || !self.by_set_pos.is_empty() {
                return None;
            }
            return month_days(&self.by_month_day);
        }
        if self.by_day.is_empty() {
            return self
                .by_set_pos
                .is_empty()
                .then(|| format!("day {}", start.day()));
        }
        match (self.plain_days(), self.by_set_pos.as_slice()) {
            // BYDAY=TH;BYSETPOS=-1, BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1.
            (Some(days), [pos]) => {
                let which = day_set(&days).unwrap_or_else(|| or_list(&days));
                Some(format!("the {} {which}", ordinal(*pos)?))
            }
            // Every Tuesday of the month: a weekly rule in all but name.
            (Some(days), []) => Some(format!("every {}", and_list(&days))),
            (Some(_), _) => None,
            // BYDAY=-1TH, BYDAY=1TU,3TU.
            (None, []) => {
                let each: Option<Vec<String>> = self
                    .by_day
                    .iter()
                    .map(|(n, d)| Some(format!("the {} {}", ordinal((*n)?)?, day_name(*d))))
                    .collect();
                Some(join(&each?, "and"))
            }
            (None, _) => None,
        }
    }
}

/// The comma-separated values of a list part, each read by `read`.
fn list<T>(v: &str, read: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
    v.split(',').map(|x| read(x.trim())).collect()
}

/// One BYDAY value: `TH`, `-1TH`, `+2TU`.
fn by_day(v: &str) -> Option<(Option<i32>, Weekday)> {
    if v.len() < 2 || !v.is_ascii() {
        return None;
    }
    let (n, d) = v.split_at(v.len() - 2);
    let day = match d.to_ascii_uppercase().as_str() {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    };
    let n = match n {
        "" => None,
        n => Some(
            n.trim_start_matches('+')
                .parse::<i32>()
                .ok()
                .filter(|n| *n != 0)?,
        ),
    };
    Some((n, day))
}

/// BYMONTHDAY values in words: "day 15", "days 1 and 15", "the last day".
fn month_days(days: &[i32]) -> Option<String> {
    match days {
        [-1] => Some("the last day".to_string()),
        [d] if *d > 0 => Some(format!("day {d}")),
        ds if ds.iter().all(|d| *d > 0) => {
            let each: Vec<String> = ds.iter().map(ToString::to_string).collect();
            Some(format!("days {}", join(&each, "and")))
        }
        _ => None,
    }
}

/// A position in words: 1 "first" … 5 "fifth", -1 "last", -2 "second to last".
fn ordinal(n: i32) -> Option<&'static str> {
    Some(match n {
        1 => "first",
        2 => "second",
        3 => "third",
        4 => "fourth",
        5 => "fifth",
        -1 => "last",
        -2 => "second to last",
        -3 => "third to last",
        _ => return None,
    })
}

/// A set of weekdays that has a name: Monday to Friday "weekday", Saturday and Sunday
/// "weekend day".
fn day_set(days: &[Weekday]) -> Option<String> {
    use Weekday::*;
    let mut sorted: Vec<u32> = days.iter().map(|d| d.num_days_from_monday()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let is = |set: &[Weekday]| {
        sorted
            == set
                .iter()
                .map(|d| d.num_days_from_monday())
                .collect::<Vec<_>>()
    };
    if is(&[Mon, Tue, Wed, Thu, Fri]) {
        Some("weekday".to_string())
    } else if is(&[Sat, Sun]) {
        Some("weekend day".to_string())
    } else {
        None
    }
}

fn day_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

fn month_name(m: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES[(m as usize - 1) % 12]
}

/// "Monday", "Monday and Thursday", "Monday, Wednesday and Friday".
fn and_list(days: &[Weekday]) -> String {
    let names: Vec<String> = days.iter().map(|d| day_name(*d).to_string()).collect();
    join(&names, "and")
}

/// "Tuesday or Thursday".
fn or_list(days: &[Weekday]) -> String {
    let names: Vec<String> = days.iter().map(|d| day_name(*d).to_string()).collect();
    join(&names, "or")
}

/// `a`, `a WORD b`, `a, b WORD c`.
fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} {word} {last}", head.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(rule: &str, start: &str) -> String {
        cadence(rule, NaiveDate::parse_from_str(start, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn monthly_on_the_last_thursday() {
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=-1TH", "2025-01-30"),
            "monthly on the last Thursday"
        );
        assert_eq!(
            words(
                "freq=monthly;byday=+2tu;until=20301231T000000Z",
                "2025-01-14"
            ),
            "monthly on the second Tuesday"
        );
    }

    #[test]
    fn weekly_takes_the_start_weekday_when_byday_is_absent() {
        assert_eq!(
            words("FREQ=WEEKLY;WKST=MO;BYDAY=WE", "2025-01-08"),
            "weekly on Wednesday"
        );
        assert_eq!(words("FREQ=WEEKLY", "2025-01-07"), "weekly on Tuesday");
        assert_eq!(
            words("FREQ=WEEKLY;BYDAY=MO,TH", "2025-01-06"),
            "weekly on Monday and Thursday"
        );
    }

    #[test]
    fn biweekly_is_every_2_weeks() {
        assert_eq!(
            words("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "2025-01-07"),
            "every 2 weeks on Tuesday"
        );
        assert_eq!(
            words("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO", "2025-01-06"),
            "every 3 months on the first Monday"
        );
    }

    #[test]
    fn yearly_names_the_month() {
        assert_eq!(words("FREQ=YEARLY", "2025-03-16"), "yearly on 16 March");
        assert_eq!(
            words("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "2025-03-30"),
            "yearly on the last Sunday of March"
        );
        assert_eq!(
            words(
                "FREQ=YEARLY;INTERVAL=2;BYMONTH=11;BYMONTHDAY=5",
                "2025-11-05"
            ),
            "every 2 years on 5 November"
        );
    }

    #[test]
    fn bysetpos_picks_a_position_among_the_days() {
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1", "2025-01-30"),
            "monthly on the last Thursday"
        );
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1", "2025-01-01"),
            "monthly on the first weekday"
        );
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=TU,TH;BYSETPOS=2", "2025-01-07"),
            "monthly on the second Tuesday or Thursday"
        );
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=SA,SU;BYSETPOS=-1", "2025-01-26"),
            "monthly on the last weekend day"
        );
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=TH;BYSETPOS=1,-1", "2025-01-02"),
            IRREGULAR
        );
    }

    #[test]
    fn month_days_and_daily_rules() {
        assert_eq!(words("FREQ=MONTHLY", "2025-01-15"), "monthly on day 15");
        assert_eq!(
            words("FREQ=MONTHLY;BYMONTHDAY=1,15", "2025-01-01"),
            "monthly on days 1 and 15"
        );
        assert_eq!(
            words("FREQ=MONTHLY;BYMONTHDAY=-1", "2025-01-31"),
            "monthly on the last day"
        );
        assert_eq!(
            words("FREQ=MONTHLY;BYDAY=1TU,3TU", "2025-01-07"),
            "monthly on the first Tuesday and the third Tuesday"
        );
        assert_eq!(words("FREQ=DAILY", "2025-01-01"), "daily");
        assert_eq!(words("FREQ=DAILY;INTERVAL=3", "2025-01-01"), "every 3 days");
        assert_eq!(
            words("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "2025-01-01"),
            "every weekday"
        );
    }

    #[test]
    fn shapes_without_words_are_irregular() {
        for rule in [
            "FREQ=HOURLY",
            "FREQ=YEARLY;BYWEEKNO=20",
            "FREQ=YEARLY;BYDAY=20MO",
            "FREQ=MONTHLY;BYDAY=9TH",
            "FREQ=WEEKLY;BYDAY=1MO",
            "FREQ=WEEKLY;INTERVAL=0",
            "FREQ=MONTHLY;RSCALE=HEBREW",
            "not a rule",
            "",
        ] {
            assert_eq!(words(rule, "2025-01-01"), IRREGULAR, "{rule}");
        }
    }
}
