//! Arbitrary bytes → `summit::calendar::parse` → `summit::calendar::occurrences`, drained
//! over two years from a fixed instant (at most a few thousand items), without and with
//! a SUMMARY regex (the `next` path). What this checks: no panic, no hang (libFuzzer's
//! `-timeout`), no blow-up (`-rss_limit_mb`), and that what comes out is sorted, inside
//! the window, and filtered by the regex.
#![no_main]

use chrono::{DateTime, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use summit::calendar::{Window, occurrences, parse};

/// At most this many occurrences are taken per query, like `--count`.
const TAKE: usize = 3000;

fuzz_target!(|data: &[u8]| {
    let Ok(cal) = parse(data, "fuzz.ics", chrono_tz::Europe::Berlin) else {
        return;
    };
    let from: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let window = Window::new(from, Some(from + chrono::Duration::days(2 * 365)));
    let summit = regex::Regex::new("(?i)summit").unwrap();
    for summary in [None, Some(&summit)] {
        let mut warnings = Vec::new();
        let mut it = occurrences(&cal, window, summary, &mut warnings);
        let mut last = None;
        for o in it.by_ref().take(TAKE) {
            let t = o.start.instant();
            assert!(
                t >= window.from && t < window.to,
                "outside the window: {o:?}"
            );
            if let Some(re) = summary {
                assert!(re.is_match(&o.summary), "regex not applied: {o:?}");
            }
            let key = (t, o.uid.clone());
            if let Some(prev) = &last {
                assert!(*prev <= key, "not sorted: {prev:?} then {key:?}");
            }
            last = Some(key);
        }
        warnings.extend(it.take_warnings());
    }
});
