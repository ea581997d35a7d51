//! Criterion benchmarks of the calendar pipeline on the real feeds in
//! `../shared/fixtures/ics` (skipped when `../shared` is absent): parsing, a full
//! listing (`summit events`), and a summit query (`summit next`, which expands only the
//! series whose SUMMARY can match).
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

criterion_group!(benches, bench);
criterion_main!(benches);
