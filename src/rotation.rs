//! Who facilitates which summit: the roster in order, one summit each, skipping a member
//! who is away on the summit's date.
//!
//! The assignment is a pure function of the configuration and the summits of the feed,
//! so anyone with the same config and feed gets the same answer.

use chrono::NaiveDate;

use crate::config::Member;

/// Assigns facilitators to `summit_dates` (UTC dates, in order, starting with the first
/// summit the rotation counts).
///
/// Returns, for each date, the index into `members` of its facilitator, or `None` when
/// every member is away that day (that summit then uses no one's turn).
pub fn assign(members: &[Member], summit_dates: &[NaiveDate]) -> Vec<Option<usize>> {
    let mut next = 0usize;
    summit_dates
        .iter()
        .map(|date| {
            let n = members.len();
            let chosen = (0..n)
                .map(|k| (next + k) % n)
                .find(|&i| !members[i].is_away(*date))?;
            next = (chosen + 1) % n;
            Some(chosen)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn member(name: &str, away: Vec<(NaiveDate, NaiveDate)>) -> Member {
        Member {
            name: name.into(),
            email: format!("{}@example.org", name.to_lowercase())
                .parse()
                .unwrap(),
            away,
        }
    }

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Duration::days(n)
    }

    #[test]
    fn roster_order_then_wraps() {
        let m = vec![
            member("A", vec![]),
            member("B", vec![]),
            member("C", vec![]),
        ];
        let dates: Vec<_> = (0..5).map(|i| day(28 * i)).collect();
        assert_eq!(
            assign(&m, &dates),
            vec![Some(0), Some(1), Some(2), Some(0), Some(1)]
        );
    }

    #[test]
    fn away_member_is_skipped() {
        let m = vec![
            member("A", vec![]),
            member("B", vec![(day(20), day(40))]),
            member("C", vec![]),
        ];
        let dates: Vec<_> = (0..4).map(|i| day(28 * i)).collect();
        // B is away on day 28: C takes it, then A, then B.
        assert_eq!(assign(&m, &dates), vec![Some(0), Some(2), Some(0), Some(1)]);
    }

    #[test]
    fn everyone_away_uses_no_turn() {
        let m = vec![member("A", vec![(day(0), day(0))])];
        assert_eq!(assign(&m, &[day(0), day(1)]), vec![None, Some(0)]);
    }

    proptest! {
        #[test]
        fn nobody_away_is_chosen_and_counts_balance(
            n in 1usize..7,
            summits in 1usize..40,
            aways in proptest::collection::vec((0usize..7, 0i64..400, 0i64..30), 0..10),
        ) {
            let mut members: Vec<Member> = (0..n).map(|i| member(&format!("M{i}"), vec![])).collect();
            for (who, start, len) in &aways {
                if *who < n {
                    members[*who].away.push((day(*start), day(start + len)));
                }
            }
            let dates: Vec<_> = (0..summits as i64).map(|i| day(i * 28)).collect();
            let got = assign(&members, &dates);
            prop_assert_eq!(got.len(), dates.len());
            for (d, who) in dates.iter().zip(&got) {
                if let Some(i) = who {
                    prop_assert!(!members[*i].is_away(*d));
                } else {
                    prop_assert!(members.iter().all(|m| m.is_away(*d)));
                }
            }
            // Pure: the same input gives the same answer.
            prop_assert_eq!(assign(&members, &dates), got.clone());
            // With nobody away, turns differ by at most one.
            if aways.is_empty() {
                let mut counts = vec![0usize; n];
                for i in got.iter().flatten() { counts[*i] += 1; }
                let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
                prop_assert!(hi - lo <= 1);
            }
        }
    }
}
