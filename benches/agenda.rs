//! Criterion benchmarks of the mailbox agenda source on a generated month of a busy
//! development list: 2 000 proposals each with 4 replies (10 000 messages), read from
//! an mbox archive and harvested into topics and votes. Both must stay linear in the
//! number of messages (a thread lookup per reply, not a scan).
//!
//! `cargo bench --bench agenda`.

use std::hint::black_box;

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use regex::Regex;
use summit::agenda::{Letter, People, local, mailbox};
use summit::model::Email;

/// `n` proposals, each with four `+1` replies from voters, as an mbox archive.
fn archive(n: usize) -> String {
    let start: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().expect("instant");
    let mut out = String::new();
    let mut push = |i: usize, at: DateTime<Utc>, headers: String, body: &str| {
        out.push_str(&format!(
            "From bench@example.org {}\nDate: {}\nMessage-ID: <m{i}@bench>\n{headers}\n{body}\n\n",
            at.format("%a %b %e %H:%M:%S %Y"),
            at.to_rfc2822()
        ));
    };
    for p in 0..n {
        let at = start + Duration::minutes(p as i64);
        push(
            p * 10,
            at,
            format!(
                "From: Owner {p} <owner{p}@example.org>\nSubject: Dev Summit topic: number {p}\n"
            ),
            "Let's discuss.",
        );
        for v in 1..=4 {
            push(
                p * 10 + v,
                at + Duration::seconds(v as i64),
                format!(
                    "From: Voter {v} <voter{v}@example.org>\nSubject: Re: Dev Summit topic: number {p}\nIn-Reply-To: <m{}@bench>\n",
                    p * 10
                ),
                "+1\n> Let's discuss.",
            );
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dev.mbox");
    std::fs::write(&path, archive(2_000)).expect("write");
    let subject = Regex::new(summit::config::DEFAULT_PROPOSAL_SUBJECT).expect("regex");
    let mut people = People::default();
    for v in 1..=4 {
        people
            .voters
            .insert(Email::from(format!("voter{v}@example.org")));
    }
    c.bench_function("mbox/read 10000 messages", |b| {
        b.iter(|| local::read_mbox(black_box(&path), None).expect("read"))
    });
    let (letters, _): (Vec<Letter>, _) = local::read_mbox(&path, None).expect("read");
    assert_eq!(letters.len(), 10_000);
    c.bench_function("mailbox/harvest 10000 messages", |b| {
        b.iter(|| mailbox::harvest(black_box(&letters), &subject, &people, None))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
