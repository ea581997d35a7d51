//! Every message true when it arrives (issue #8): what `tick` and `send` do on a first
//! run, after the machine was off, after the feed changed, and when one message cannot
//! be drafted. The example deployment, delivering to files; the summit of 26 November
//! 2026 starts at 16:00 UTC.

use pretty_assertions::assert_eq;

use crate::tick::{Site, example_without_assignment, is_adoption_line};

/// The steps `tick` reported as sent, as `step date`.
fn sent(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            let rest = l.strip_prefix("sent the ").unwrap_or_else(|| panic!("{l}"));
            let (step, rest) = rest.split_once(" of the summit on ").unwrap();
            format!("{step} {}", &rest[..10])
        })
        .collect()
}

/// The example deployment with the assignment heads-up on (as shipped).
fn site() -> Site {
    Site::new(&std::fs::read_to_string(crate::test::example_config()).unwrap())
}

#[test]
fn a_first_run_on_the_day_sends_only_what_is_still_true() {
    let site = site();
    // Half an hour before the start: the reminder (its topic deadline passed
    // yesterday) and the call for votes (the outreach already picked the topics) would
    // be false now; the heads-up and the facilitator's outreach are still true.
    let r = site.tick("2026-11-26T15:30:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert!(is_adoption_line(&r.stderr), "{}", r.stderr);
    assert!(
        r.stderr.contains("17 step(s) of 4 summit(s)"),
        "five steps of each summit from August to October, and November's reminder and vote: {}",
        r.stderr
    );
    assert_eq!(
        sent(&r.stdout),
        ["assignment 2026-11-26", "outreach 2026-11-26"]
    );
    let ledger = site.ledger();
    assert!(ledger.contains("step = \"reminder\""), "{ledger}");
    // Each skipped step is recorded with its reason.
    assert!(
        ledger.contains(
            "its window closed at 2026-11-25T16:00:00Z, before summit kept this state directory"
        ),
        "{ledger}"
    );
    // And never sent later, whatever happens.
    assert_eq!(site.tick_ok("2026-11-26T15:45:00Z"), "");
}

#[test]
fn a_first_run_days_after_a_summit_sends_no_late_handover() {
    let site = site();
    let r = site.tick("2026-12-02T09:00:00Z");
    assert_eq!((r.status, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    assert!(is_adoption_line(&r.stderr), "{}", r.stderr);
    // The December summit's heads-up is due on 10 December, a week before it.
    assert_eq!(site.tick_ok("2026-12-10T15:59:00Z"), "");
    assert_eq!(
        sent(&site.tick_ok("2026-12-10T16:00:00Z")),
        ["assignment 2026-12-17"]
    );
}

#[test]
fn the_machine_off_overnight_skips_what_stopped_being_true_and_says_so() {
    let site = Site::new(&example_without_assignment());
    site.tick_ok("2026-11-20T00:00:00Z");
    assert_eq!(
        sent(&site.tick_ok("2026-11-23T16:00:00Z")),
        ["reminder 2026-11-26"]
    );
    // Off from the evening of the 23rd until the evening of the 25th: the call for
    // votes stopped being useful when the outreach fell due.
    let r = site.tick("2026-11-25T17:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(sent(&r.stdout), ["outreach 2026-11-26"]);
    assert_eq!(
        r.stderr,
        "warning: the agenda-vote of the summit on 2026-11-26 to prometheus-team@googlegroups.com was not sent: nothing ran from its due time 2026-11-24T16:00:00Z until its window closed at 2026-11-25T16:00:00Z\n"
    );
    assert_eq!(site.tick_ok("2026-11-25T18:00:00Z"), "", "said once");
}

#[test]
fn the_machine_off_for_a_week_sends_the_handover_only_while_it_is_true() {
    let site = Site::new(&example_without_assignment());
    site.tick_ok("2026-11-20T00:00:00Z");
    // Back the day after the summit: what led up to it is over; the handover is still
    // useful (48 hours after the end).
    let r = site.tick("2026-11-27T10:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(sent(&r.stdout), ["handover 2026-11-26"]);
    assert_eq!(r.stderr.lines().count(), 3, "{}", r.stderr);
    // Back a week after instead: nothing at all, three weeks of silence reported.
    let late = Site::new(&example_without_assignment());
    late.tick_ok("2026-11-20T00:00:00Z");
    let r = late.tick("2026-12-03T10:00:00Z");
    assert_eq!((r.status, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    let warnings: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(warnings.len(), 4, "{}", r.stderr);
    assert!(
        warnings[3].starts_with("warning: the handover of the summit on 2026-11-26 to prometheus-team@googlegroups.com was not sent")
            && warnings[3].ends_with("until its window closed at 2026-11-28T18:00:00Z"),
        "{}",
        warnings[3]
    );
}

/// The example feed with the 26 November summit moved to `start` (Berlin, two hours).
fn feed_moving_november(start: &str, end: &str) -> String {
    let text = std::fs::read_to_string(crate::test::example_feed()).unwrap();
    let over = format!(
        "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:{start}\r\nDTEND;TZID=Europe/Berlin:{end}\r\n\
DTSTAMP:20261120T120000Z\r\nUID:5q1hvb0n7ktr4ga1kq3cs0l6pk@google.com\r\n\
RECURRENCE-ID;TZID=Europe/Berlin:20261126T170000\r\nSEQUENCE:3\r\n\
SUMMARY:Prometheus Developer Summit\r\nEND:VEVENT\r\n"
    );
    let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    text.replacen("END:VCALENDAR", &format!("{over}END:VCALENDAR"), 1)
}

#[test]
fn a_summit_moved_after_its_handover_closed_never_reopens_it() {
    let site = Site::new(&example_without_assignment());
    site.tick_ok("2026-11-20T00:00:00Z");
    // Off until after the handover's window closed: recorded as missed.
    let r = site.tick("2026-11-29T00:00:00Z");
    assert_eq!((r.status, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the handover of the summit on 2026-11-26"),
        "{}",
        r.stderr
    );
    // Someone moves the (past) summit two days later in the calendar: its handover
    // would be open again by the clock, but it was closed and stays closed.
    std::fs::write(
        site.path("feed.ics"),
        feed_moving_november("20261128T170000", "20261128T190000"),
    )
    .unwrap();
    assert_eq!(site.tick_ok("2026-11-29T01:00:00Z"), "");
    assert_eq!(site.tick_ok("2026-11-30T10:00:00Z"), "");
}

#[test]
fn nothing_is_sent_for_a_summit_before_rotation_start() {
    let config = example_without_assignment().replacen(
        "start = \"2025-01-30\"",
        "start = \"2026-12-01\"",
        1,
    );
    assert!(
        config.contains("start = \"2026-12-01\""),
        "the example has [rotation]"
    );
    let site = Site::new(&config);
    for now in [
        "2026-11-20T00:00:00Z",
        "2026-11-23T16:00:00Z",
        "2026-11-25T16:00:00Z",
        "2026-11-26T20:00:00Z",
    ] {
        let r = site.tick(now);
        assert_eq!(
            (r.status, r.stdout.as_str()),
            (0, ""),
            "{now}: {}",
            r.stderr
        );
    }
    assert!(
        !site.ledger().contains("original = \"2026-11-26"),
        "{}",
        site.ledger()
    );
    let r = site.run(
        "2026-11-23T16:00:00Z",
        &["send", "reminder", "--summit", "2026-11-26", "--yes"],
    );
    assert_eq!(r.status, 1);
    assert!(
        r.stderr.contains("is before rotation.start 2026-12-01"),
        "{}",
        r.stderr
    );
    assert_eq!(
        sent(&site.tick_ok("2026-12-14T16:00:00Z")),
        ["reminder 2026-12-17"]
    );
}

#[test]
fn one_message_that_cannot_be_drafted_does_not_stop_the_others() {
    let config =
        example_without_assignment().replacen("[mail]", "[mail]\ntemplates = \"templates\"", 1);
    assert!(config.contains("templates = \"templates\""));
    let site = Site::new(&config);
    std::fs::create_dir(site.path("templates")).unwrap();
    // A user's call for votes that names a variable no template has.
    std::fs::write(
        site.path("templates/agenda-vote.txt"),
        "Subject: Vote\n\nHello {{ voters.first }}\n",
    )
    .unwrap();
    let r = site.tick("2026-11-24T17:00:00Z");
    assert_eq!(r.status, 1, "{}", r.stderr);
    assert_eq!(
        sent(&r.stdout),
        ["reminder 2026-11-26"],
        "the reminder still goes"
    );
    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{}", r.stderr);
    assert!(
        errors[0].starts_with("error: the agenda-vote of the summit on 2026-11-26 to prometheus-team@googlegroups.com was not sent: it could not be drafted: template `agenda-vote.txt` line 3:")
            && errors[0].ends_with("the next tick retries it until 2026-11-25T16:00:00Z"),
        "{}",
        errors[0]
    );
    assert!(
        site.ledger().contains("state = \"failed\""),
        "{}",
        site.ledger()
    );
    // Fixed: the next tick sends it.
    std::fs::remove_file(site.path("templates/agenda-vote.txt")).unwrap();
    assert_eq!(
        sent(&site.tick_ok("2026-11-24T18:00:00Z")),
        ["agenda-vote 2026-11-26"]
    );
}

#[test]
fn send_for_a_summit_that_is_not_the_nearest_needs_yes() {
    let site = Site::new(&example_without_assignment());
    let r = site.run(
        "2026-11-23T16:00:00Z",
        &["send", "reminder", "--summit", "2026-12-17"],
    );
    assert_eq!((r.status, r.stdout.as_str()), (2, ""));
    assert_eq!(
        r.stderr,
        "error: not sending the reminder of the summit on 2026-12-17: it is not due until 2026-12-14T16:00:00Z, and this summit is not the nearest one whose step is open; pass `--yes` to send it anyway\n"
    );
    // The nearest one, due now: no question asked.
    let r = site.run("2026-11-23T16:00:00Z", &["send", "reminder"]);
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert_eq!(sent(&r.stdout), ["reminder 2026-11-26"]);
    // A dry run never asks.
    let r = site.run(
        "2026-11-23T16:00:00Z",
        &["send", "reminder", "--summit", "2026-12-17", "--dry-run"],
    );
    assert_eq!((r.status, r.stderr.as_str()), (0, ""));
    assert!(
        r.stdout
            .starts_with("would send the reminder of the summit on 2026-12-17"),
        "{}",
        r.stdout
    );
}

/// The example feed with `from` replaced by `to` (the series' UID, say).
fn example_feed_with(from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(crate::test::example_feed()).unwrap();
    assert!(text.contains(from), "the example feed has {from}");
    text.replace(from, to)
}

/// The example feed without the November instance: the series stops in October and
/// goes on from December (an edit that drops an instance without cancelling it).
fn example_feed_without_november() -> String {
    let text = std::fs::read_to_string(crate::test::example_feed()).unwrap();
    let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    assert!(text.contains("RRULE:FREQ=MONTHLY;BYDAY=-1TH\r\n"));
    text.replacen(
        "RRULE:FREQ=MONTHLY;BYDAY=-1TH\r\n",
        "RRULE:FREQ=MONTHLY;BYDAY=-1TH;UNTIL=20261101T000000Z\r\n",
        1,
    )
    .replacen(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nDTSTART;TZID=Europe/Berlin:20261217T170000\r\n\
DTEND;TZID=Europe/Berlin:20261217T190000\r\nDTSTAMP:20261120T120000Z\r\n\
UID:december@example.org\r\nSUMMARY:Prometheus Developer Summit\r\nEND:VEVENT\r\nEND:VCALENDAR",
        1,
    )
}

#[test]
fn a_series_recreated_under_a_new_uid_is_not_news() {
    let site = Site::new(&example_without_assignment());
    site.tick_ok("2026-11-20T00:00:00Z");
    assert_eq!(
        sent(&site.tick_ok("2026-11-23T16:00:00Z")),
        ["reminder 2026-11-26"]
    );
    // Someone deletes the series and creates it again: a new UID, the same summits.
    std::fs::write(
        site.path("feed.ics"),
        example_feed_with(
            "5q1hvb0n7ktr4ga1kq3cs0l6pk@google.com",
            "recreated0000000000000000@google.com",
        ),
    )
    .unwrap();
    let r = site.tick("2026-11-23T17:00:00Z");
    assert_eq!((r.status, r.stdout.as_str()), (0, ""), "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "warning: the summits on 2026-08-27, 2026-09-24, 2026-10-29, 2026-11-26 are in the feed under the UID `recreated0000000000000000@google.com` now, no longer `5q1hvb0n7ktr4ga1kq3cs0l6pk@google.com`: taken as the same summits (13 ledger entries moved), so nothing already sent about them is sent again\n"
    );
    // Said once; no reminder again, no "Cancelled"; the timeline goes on in its thread.
    assert_eq!(site.tick_ok("2026-11-23T18:00:00Z"), "");
    assert_eq!(
        sent(&site.tick_ok("2026-11-24T16:00:00Z")),
        ["agenda-vote 2026-11-26"]
    );
    let outbox: Vec<String> = std::fs::read_dir(site.path("outbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    assert!(
        !outbox.iter().any(|n| n.contains("correction")),
        "{outbox:?}"
    );
}

#[test]
fn a_summit_missing_from_one_fetch_is_not_cancelled() {
    let site = Site::new(&example_without_assignment());
    site.tick_ok("2026-11-20T00:00:00Z");
    sent(&site.tick_ok("2026-11-23T16:00:00Z"));
    let full = std::fs::read_to_string(site.path("feed.ics")).unwrap();
    // One fetch without the November summit (the rest of the feed is there).
    std::fs::write(site.path("feed.ics"), example_feed_without_november()).unwrap();
    assert_eq!(site.tick_ok("2026-11-23T17:00:00Z"), "", "not news yet");
    assert!(site.ledger().contains("[[missing]]"), "{}", site.ledger());
    // Back on the next fetch: nothing was said, nothing is.
    std::fs::write(site.path("feed.ics"), &full).unwrap();
    assert_eq!(site.tick_ok("2026-11-23T18:00:00Z"), "");
    assert!(!site.ledger().contains("[[missing]]"), "{}", site.ledger());
    // Gone for good: after a day missing from every fetch, the public list hears it.
    std::fs::write(site.path("feed.ics"), example_feed_without_november()).unwrap();
    assert_eq!(site.tick_ok("2026-11-23T19:00:00Z"), "");
    assert_eq!(site.tick_ok("2026-11-24T18:00:00Z"), "");
    let out = site.tick_ok("2026-11-24T19:00:00Z");
    assert_eq!(sent(&out), ["correction 1 2026-11-26"], "{out}");
}

#[test]
fn a_feed_flapping_between_two_versions_for_a_day_mails_one_correction() {
    let site = Site::new(&example_without_assignment());
    site.tick_ok("2026-11-20T00:00:00Z");
    sent(&site.tick_ok("2026-11-23T16:00:00Z"));
    let original = std::fs::read_to_string(site.path("feed.ics")).unwrap();
    let moved = feed_moving_november("20261126T180000", "20261126T200000");
    let mut corrections = Vec::new();
    for h in 1..=23 {
        let now = (chrono::DateTime::parse_from_rfc3339("2026-11-23T16:30:00Z").unwrap()
            + chrono::Duration::hours(h))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
        let feed = if h % 2 == 1 { &moved } else { &original };
        std::fs::write(site.path("feed.ics"), feed).unwrap();
        let r = site.tick(&now);
        assert_eq!(r.status, 0, "{now}: {}", r.stderr);
        corrections.extend(
            sent(&r.stdout)
                .into_iter()
                .filter(|s| s.starts_with("correction"))
                .map(|s| format!("{now} {s}")),
        );
    }
    assert_eq!(
        corrections,
        ["2026-11-23T17:30:00Z correction 1 2026-11-26"]
    );
}

#[test]
fn a_feed_without_any_summit_fails_loudly_and_records_why() {
    let site = Site::new(&example_without_assignment());
    site.tick_ok("2026-11-20T00:00:00Z");
    sent(&site.tick_ok("2026-11-23T16:00:00Z"));
    let full = std::fs::read_to_string(site.path("feed.ics")).unwrap();
    std::fs::write(
        site.path("feed.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    for now in ["2026-11-24T16:00:00Z", "2026-11-25T10:00:00Z"] {
        let r = site.tick(now);
        assert_eq!((r.status, r.stdout.as_str()), (1, ""), "{now}");
        assert_eq!(
            r.stderr,
            "error: the feed lists no summit matching `calendar.summit` (since 2026-11-24T16:00:00Z), though it listed the summit on 2026-11-26: nothing is sent, and nothing is taken as cancelled, until it lists summits again; check the feed and `calendar.summit`\n"
        );
    }
    // Fixed after the call for votes stopped being useful: recorded, with why.
    std::fs::write(site.path("feed.ics"), &full).unwrap();
    let r = site.tick("2026-11-25T17:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(sent(&r.stdout), ["outreach 2026-11-26"]);
    assert_eq!(
        r.stderr,
        "warning: the agenda-vote of the summit on 2026-11-26 to prometheus-team@googlegroups.com was not sent: the feed listed no summit from 2026-11-24T16:00:00Z until its window closed at 2026-11-25T16:00:00Z\n"
    );
    assert!(
        !site.ledger().contains("feed-empty-since"),
        "{}",
        site.ledger()
    );
}

/// The first entry of `who --json` at `now`: (name, email, decided); and stderr.
fn who_first(site: &Site, now: &str) -> ((String, String, String), String) {
    let r = site.run(now, &["--json", "who"]);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let v = r.json();
    let s = |k: &str| v[0][k].as_str().unwrap_or_default().to_string();
    ((s("name"), s("email"), s("decided")), r.stderr)
}

#[test]
fn an_announced_facilitator_stays_until_a_pin_swaps_it_with_one_correction() {
    let config = std::fs::read_to_string(crate::test::example_config()).unwrap();
    let site = Site::new(&config);
    let grace = (
        "Grace Hopper".to_string(),
        "grace@example.org".to_string(),
        "rotation".to_string(),
    );
    assert_eq!(who_first(&site, "2026-11-19T12:00:00Z").0, grace);
    // The heads-up names Grace: announced.
    let r = site.tick("2026-11-20T00:00:00Z");
    assert_eq!(sent(&r.stdout), ["assignment 2026-11-26"], "{}", r.stderr);
    let announced = (
        "Grace Hopper".to_string(),
        "grace@example.org".to_string(),
        "announced".to_string(),
    );
    assert_eq!(
        who_first(&site, "2026-11-21T12:00:00Z"),
        (announced.clone(), String::new())
    );

    // A new member at the top of the roster: the rotation, a function of the roster
    // over every summit since rotation.start, would now give the summit to someone
    // else, but what was announced stands, and every command says so.
    let newcomer = config.replacen(
        "[[rotation.members]]",
        "[[rotation.members]]\nname = \"Barbara Liskov\"\nemail = \"barbara@example.org\"\n\n[[rotation.members]]",
        1,
    );
    std::fs::write(site.path("summit.toml"), &newcomer).unwrap();
    let (who, stderr) = who_first(&site, "2026-11-21T12:00:00Z");
    assert_eq!(who, announced);
    assert_eq!(
        stderr,
        "warning: Grace Hopper <grace@example.org> was announced to facilitate the summit on 2026-11-26; the configuration would now give it to Alan Turing <alan@example.org>, but the announcement stands: a [[rotation.assign]] pin on 2026-11-26 swaps it, with one correction to everyone who was told\n"
    );
    // The reminder goes out in Grace's name; nobody else is told they facilitate.
    let r = site.tick("2026-11-23T16:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    assert_eq!(sent(&r.stdout), ["reminder 2026-11-26"]);
    assert!(
        r.stderr
            .contains("was announced to facilitate the summit on 2026-11-26"),
        "{}",
        r.stderr
    );
    // Said on every tick, even one with nothing to send.
    let r = site.tick("2026-11-23T17:00:00Z");
    assert_eq!((r.status, r.stdout.as_str()), (0, ""));
    assert!(
        r.stderr.contains("was announced to facilitate"),
        "{}",
        r.stderr
    );

    // An explicit swap: a pin on that very date.
    let pinned = format!(
        "{newcomer}\n[[rotation.assign]]\ndate = \"2026-11-26\"\nemail = \"alan@example.org\"\n"
    );
    std::fs::write(site.path("summit.toml"), &pinned).unwrap();
    let (who, stderr) = who_first(&site, "2026-11-23T18:00:00Z");
    assert_eq!(
        who,
        (
            "Alan Turing".to_string(),
            "alan@example.org".to_string(),
            "pin".to_string()
        )
    );
    assert_eq!(stderr, "");
    let r = site.tick("2026-11-23T18:00:00Z");
    assert_eq!(r.status, 0, "{}", r.stderr);
    // One correction to each audience that was told (Grace, the public list), and
    // the heads-up to Alan.
    let mut got = sent(&r.stdout);
    got.sort();
    assert_eq!(
        got,
        [
            "assignment 2026-11-26",
            "correction 1 2026-11-26",
            "correction 1 2026-11-26"
        ],
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("to alan@example.org"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("correction 1 of the summit on 2026-11-26 to grace@example.org"),
        "{}",
        r.stdout
    );
    let public = std::fs::read_dir(site.path("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.contains("New facilitator") && text.contains("To: prometheus-developers@")
        })
        .expect("a correction to the public list");
    let text = std::fs::read_to_string(public).unwrap();
    assert!(
        text.contains("Subject: [Prometheus] New facilitator: Developer Summit, Thu 26 Nov"),
        "{text}"
    );
    assert!(text.contains("Alan Turing takes it over"), "{text}");
    assert!(text.contains("In-Reply-To: <"), "{text}");
    // Once.
    assert_eq!(site.tick_ok("2026-11-23T19:00:00Z"), "");
    assert_eq!(
        who_first(&site, "2026-11-23T19:00:00Z").0,
        (
            "Alan Turing".to_string(),
            "alan@example.org".to_string(),
            "announced".to_string()
        )
    );
}

#[test]
fn an_all_day_summit_goes_out_with_its_date_in_every_step() {
    let site = Site::new(&example_without_assignment());
    std::fs::write(
        site.path("feed.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n\
UID:allday@example.org\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;VALUE=DATE:20261126\r\n\
DTEND;VALUE=DATE:20261127\r\nSUMMARY:Prometheus Developer Summit\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n",
    )
    .unwrap();
    site.tick_ok("2026-11-20T00:00:00Z");
    let mut steps = Vec::new();
    for now in [
        "2026-11-23T00:00:00Z",
        "2026-11-24T00:00:00Z",
        "2026-11-25T00:00:00Z",
        "2026-11-27T02:00:00Z",
    ] {
        steps.extend(sent(&site.tick_ok(now)));
    }
    assert_eq!(
        steps,
        [
            "reminder 2026-11-26",
            "agenda-vote 2026-11-26",
            "outreach 2026-11-26",
            "handover 2026-11-26"
        ]
    );
    for entry in std::fs::read_dir(site.path("outbox")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        // The handover, the day after, says so; the others give the date.
        assert!(
            text.contains("Thu 26 Nov")
                || text.contains("Thank you all for yesterday's Developer Summit"),
            "{text}"
        );
    }
}
