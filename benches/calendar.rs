//! Criterion benchmarks of the calendar pipeline on the real feeds in
//! `../shared/fixtures/ics` (skipped when `../shared` is absent): parsing, a full
//! listing (`summit events`), and a summit query (`summit next`, which expands only the
//! series whose SUMMARY can match); and the same on a generated feed of 5 000 small
//! weekly series (always run), which must stay linear in feed size.
//!
//! `cargo bench --bench calendar`; `benches/compare.sh` compares whole processes with the
//! reference implementation.

use std::hint::black_box;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use regex::Regex;
use summit::calendar::{Window, occurrences, parse};

fn feeds() -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/ics");
    [
        "real/finos-community_2024-11-05.ics",
        "real/galaxy-wg_2026-06-29.ics",
        "recurring-ical-events/benchmark/issue42.ics",
    ]
    .iter()
    .filter_map(|rel| {
        let bytes = std::fs::read(root.join(rel)).ok()?;
        let name = rel.rsplit('/').next()?.trim_end_matches(".ics").to_string();
        Some((name, bytes))
    })
    .collect()
}

fn bench(c: &mut Criterion) {
    let feeds = feeds();
    if feeds.is_empty() {
        eprintln!("skipped: ../shared/fixtures/ics is absent");
        return;
    }
    let from: DateTime<Utc> = "2024-06-01T00:00:00Z".parse().expect("instant");
    let summit = Regex::new("(?i)office hours|community call|working group").expect("regex");
    for (name, bytes) in &feeds {
        let mut group = c.benchmark_group(name.as_str());
        group.sample_size(20);
        group.bench_function("parse", |b| {
            b.iter(|| parse(black_box(bytes), "bench", chrono_tz::Tz::UTC).expect("parses"))
        });
        let cal = parse(bytes, "bench", chrono_tz::Tz::UTC).expect("parses");
        group.bench_function("events_200", |b| {
            b.iter(|| {
                let mut w = Vec::new();
                occurrences(&cal, Window::new(from, None), None, &mut w)
                    .take(200)
                    .count()
            })
        });
        group.bench_function("summit_query_3", |b| {
            b.iter(|| {
                let mut w = Vec::new();
                occurrences(&cal, Window::new(from, None), Some(&summit), &mut w)
                    .take(3)
                    .count()
            })
        });
        group.finish();
    }
}

/// A feed of `n` weekly series of 10 instances each (`RRULE:FREQ=WEEKLY;COUNT=10`),
/// starting on successive minutes of 2026: the shape of a feed dominated by many small
/// recurring series, where `summit events` must stay linear in feed size (issue #10).
fn many_small_series(n: usize) -> Vec<u8> {
    let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//summit bench//EN\r\n");
    for i in 0..n {
        let (day, minute) = (i / 1440, i % 1440);
        text.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:series-{i}@bench\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:202601{:02}T{:02}{:02}00Z\r\nDURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Series {i}\r\nEND:VEVENT\r\n",
            1 + day % 28,
            minute / 60,
            minute % 60
        ));
    }
    text.push_str("END:VCALENDAR\r\n");
    text.into_bytes()
}

/// Parsing and listing every instance (`summit events` with no `--count` limit) of
/// [`many_small_series`] with 5 000 series: 50 000 instances.
fn bench_many_series(c: &mut Criterion) {
    let bytes = many_small_series(5_000);
    let from: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("instant");
    let mut group = c.benchmark_group("weekly_series_5000");
    group.sample_size(10);
    group.bench_function("parse", |b| {
        b.iter(|| parse(black_box(&bytes), "bench", chrono_tz::Tz::UTC).expect("parses"))
    });
    let cal = parse(&bytes, "bench", chrono_tz::Tz::UTC).expect("parses");
    group.bench_function("events_all", |b| {
        b.iter(|| {
            let mut w = Vec::new();
            let n = occurrences(&cal, Window::new(from, None), None, &mut w).count();
            assert_eq!(n, 50_000);
            n
        })
    });
    group.finish();
}

criterion_group!(benches, bench, bench_many_series);
criterion_main!(benches);
