//! Corpus tests: `summit events` and `summit next` on the real Google feeds in
//! `../shared/fixtures/ics/real`, against golden expectations produced by the
//! independent reference implementation (`tests/corpus/generate.py`). Skipped when
//! `../shared` is absent.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use crate::test::*;

fn golden(kind: &str) -> Vec<(PathBuf, Value)> {
    let dir = repo().join("tests/corpus").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no golden files in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let v = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p, v)
        })
        .collect()
}

/// (start, uid, summary) of each occurrence.
fn key(list: &Value) -> Vec<(String, String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_str().unwrap().to_string(),
                e["uid"].as_str().unwrap().to_string(),
                e["summary"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Runs `summit events --json` over `[from, from + horizon)` and returns the run.
fn events_run(
    feed: &Path,
    from: &str,
    horizon: Duration,
    count: u64,
    pattern: Option<&str>,
) -> Run {
    let to = (instant(from) + horizon).to_rfc3339();
    let count = count.to_string();
    let mut t = Test::new().args([
        "events",
        "--feed",
        feed.to_str().unwrap(),
        "--from",
        from,
        "--to",
        &to,
        "--count",
        &count,
        "--json",
    ]);
    if let Some(m) = pattern {
        t = t.args(["--match", m]);
    }
    t.run()
}

/// `None` when the lists are equal, else where they first differ.
fn difference<T: PartialEq + std::fmt::Debug>(got: &[T], want: &[T]) -> Option<String> {
    (got != want).then(|| {
        let i = got
            .iter()
            .zip(want)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(want.len()));
        format!(
            "{} vs {} occurrences; first difference at #{i}: got {:?}, want {:?}",
            got.len(),
            want.len(),
            got.get(i),
            want.get(i)
        )
    })
}

fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Runs `jobs` on two threads (the CI machine has two cores), collecting failures.
fn in_parallel<T: Sync>(jobs: &[T], f: impl Fn(&T) -> Option<String> + Sync) -> Vec<String> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else { break };
                    if let Some(msg) = f(job) {
                        failures.lock().unwrap().push(msg);
                    }
                }
            });
        }
    });
    failures.into_inner().unwrap()
}

#[test]
fn events_agree_with_the_reference_on_real_feeds() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared is absent");
        return;
    };
    let mut jobs = Vec::new();
    for (file, doc) in golden("real") {
        let feed = shared.join(doc["feed"].as_str().unwrap());
        let horizon = Duration::days(doc["horizon_days"].as_i64().unwrap());
        for q in doc["queries"].as_array().unwrap() {
            jobs.push((file.clone(), feed.clone(), horizon, q.clone()));
        }
    }
    assert!(jobs.len() > 50, "only {} queries", jobs.len());
    let failures = in_parallel(
        &jobs,
        |(file, feed, horizon, q): &(PathBuf, PathBuf, Duration, Value)| {
            let from = q["from"].as_str().unwrap();
            let count = q["count"].as_u64().unwrap();
            let run = events_run(feed, from, *horizon, count, q["match"].as_str());
            if run.status != 0 {
                return Some(format!(
                    "{}: {}: exit {}: {}",
                    name(file),
                    q["label"],
                    run.status,
                    run.stderr
                ));
            }
            difference(&key(&run.json()), &key(&q["expected"]))
                .map(|d| format!("{}: {} (from {from}): {d}", name(file), q["label"]))
        },
    );
    assert!(
        failures.is_empty(),
        "{} of {} queries disagree:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}

#[test]
fn next_agrees_with_the_reference_around_occurrences_and_dst() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared is absent");
        return;
    };
    let mut jobs = Vec::new();
    for (file, doc) in golden("next") {
        let feed = shared.join(doc["feed"].as_str().unwrap());
        let pattern = doc["summit"].as_str().unwrap().to_string();
        for c in doc["cases"].as_array().unwrap() {
            jobs.push((file.clone(), feed.clone(), pattern.clone(), c.clone()));
        }
    }
    assert!(jobs.len() > 50, "only {} cases", jobs.len());
    let failures = in_parallel(
        &jobs,
        |(file, feed, pattern, c): &(PathBuf, PathBuf, String, Value)| {
            let config = format!(
                "[calendar]\nsummit = {}\n\n[[rotation.members]]\nname = \"Ada\"\nemail = \"ada@example.org\"\n",
                toml_string(pattern)
            );
            let now = c["now"].as_str().unwrap();
            let run = Test::new()
                .file("summit.toml", config)
                .args([
                    "--config",
                    "summit.toml",
                    "--feed",
                    feed.to_str().unwrap(),
                    "--now",
                    now,
                    "next",
                    "--count",
                    "2",
                    "--json",
                ])
                .run();
            // The reference answers the first summit starting at or after now; `next`
            // shows a summit that started before now and has not ended first, marked
            // `"now": true`: it must be one, and the one after it is compared.
            let at = |v: &Value| v.as_str().unwrap().parse::<DateTime<Utc>>().unwrap();
            let instant = at(&Value::from(now));
            let entries = if run.status == 0 {
                run.json()
            } else {
                Value::Null
            };
            let entries = entries.as_array().cloned().unwrap_or_default();
            let (on, upcoming): (Vec<Value>, Vec<Value>) = entries
                .into_iter()
                .partition(|e| at(&e["summit"]["start"]) < instant);
            if let Some(e) = on
                .iter()
                .find(|e| e["now"] != true || at(&e["summit"]["end"]) <= instant)
            {
                return Some(format!(
                    "{}: {} (now {now}): marked as in progress but is not: {e}",
                    name(file),
                    c["label"]
                ));
            }
            let want = &c["expected"];
            if want.is_null() {
                return (run.status == 0 && !upcoming.is_empty()).then(|| {
                    format!(
                        "{}: {}: expected no summit, got {}",
                        name(file),
                        c["label"],
                        run.stdout
                    )
                });
            }
            if run.status != 0 {
                return Some(format!(
                    "{}: {}: exit {}: {}",
                    name(file),
                    c["label"],
                    run.status,
                    run.stderr
                ));
            }
            let got = &upcoming.first().cloned().unwrap_or_default()["summit"];
            let same = ["uid", "summary", "start"]
                .iter()
                .all(|k| got[k] == want[k]);
            (!same).then(|| {
                format!(
                    "{}: {} (now {now}): got {got}, want {want}",
                    name(file),
                    c["label"]
                )
            })
        },
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}

/// Every calendar of `../shared/fixtures/ics` at the query instants of
/// `tests/corpus/differential.py`, against the reference's answers recorded in
/// `tests/corpus/fixtures/`. A file whose difference is explained (`known_difference`)
/// is pinned by a test of its own in `calendar.rs` instead.
#[test]
fn every_fixture_agrees_with_the_reference() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared is absent");
        return;
    };
    let mut files = Vec::new();
    let mut stack = vec![repo().join("tests/corpus/fixtures")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut jobs = Vec::new();
    for file in &files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        if !doc["known_difference"].is_null() {
            continue;
        }
        let feed = shared.join(doc["feed"].as_str().unwrap());
        let horizon = Duration::days(doc["horizon_days"].as_i64().unwrap());
        let count = doc["count"].as_u64().unwrap();
        for q in doc["queries"].as_array().unwrap() {
            jobs.push((file.clone(), feed.clone(), horizon, count, q.clone()));
        }
    }
    assert!(
        files.len() > 100 && jobs.len() > 500,
        "{} files, {} queries",
        files.len(),
        jobs.len()
    );
    type Job = (PathBuf, PathBuf, Duration, u64, Value);
    let failures = in_parallel(&jobs, |(file, feed, horizon, count, q): &Job| {
        let from = q["from"].as_str().unwrap();
        let run = events_run(feed, from, *horizon, *count, q["match"].as_str());
        if run.stderr.contains("panicked") || !(run.status == 0 || run.status == 1) {
            return Some(format!(
                "{}: from {from}: exit {}: {}",
                name(file),
                run.status,
                run.stderr
            ));
        }
        let Some(expected) = q.get("expected") else {
            // The reference could not read this file; summit only has to fail cleanly.
            return None;
        };
        if run.status != 0 {
            return Some(format!(
                "{}: from {from}: exit {}: {}",
                name(file),
                run.status,
                run.stderr
            ));
        }
        let got: Vec<(String, String)> = run
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["start"].as_str().unwrap().into(),
                    e["uid"].as_str().unwrap().into(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = expected
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e[0].as_str().unwrap().into(), e[1].as_str().unwrap().into()))
            .collect();
        difference(&got, &want)
            .map(|d| format!("{}: from {from} match {}: {d}", name(file), q["match"]))
    });
    assert!(
        failures.is_empty(),
        "{} of {} queries disagree:\n{}",
        failures.len(),
        jobs.len(),
        failures.join("\n")
    );
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

fn toml_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', ""))
}
