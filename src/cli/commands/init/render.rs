//! The configuration `summit init` writes: commented as `examples/summit.toml` is, with
//! the answers filled in and the rest left at its defaults, in comments to uncomment.

/// What `summit init` found out or was told, to write into the configuration.
#[derive(Debug)]
pub(super) struct Answers {
    /// `project.name`.
    pub project: String,
    /// `calendar.feed`, as written into the file.
    pub feed: String,
    /// `calendar.summit`.
    pub summit: String,
    /// The series picked, for a comment: its title and cadence.
    pub series: Option<(String, String)>,
    /// `calendar.zones` (one) and `calendar.default-tz`.
    pub zone: String,
    /// `mail.from`.
    pub from: String,
    /// `mail.public-list`.
    pub public_list: Vec<String>,
    /// `mail.team-list`.
    pub team_list: Vec<String>,
    /// `[[rotation.members]]`: name and address.
    pub members: Vec<(String, String)>,
}

/// A TOML string holding `s`, quoted and escaped.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// One address as a TOML string, several as an array.
fn addresses(list: &[String]) -> String {
    match list {
        [one] => quote(one),
        many => format!(
            "[{}]",
            many.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The configuration file's text.
pub(super) fn render(a: &Answers) -> String {
    let mut out = String::new();
    out.push_str(&header(a));
    out.push_str(&calendar(a));
    out.push_str(TIMELINE);
    out.push_str(&mail(a));
    out.push_str(&rotation(a));
    out.push_str(CHANNELS);
    out
}

fn header(a: &Answers) -> String {
    format!(
        r#"# summit configuration, written by `summit init`. Check it with `summit check`.
#
# Relative paths in this file resolve against this file's folder. Every table rejects
# keys it does not know, so a typo is an error, not a silently ignored setting.
# examples/summit.toml in summit's repository shows every key with its comment.

[project]
# How the mails name the project (guessed from the feed: check it).
name = {name}
# The rolling notes document, where agenda topics are proposed and voted on.
# notes-url = "https://docs.example.org/summit-notes"
# The public page that links the events calendar.
# calendar-url = "https://example.org/community/"
# The Code of Conduct the facilitator mentions when the summit starts.
# code-of-conduct-url = "https://example.org/code-of-conduct"
# The meeting link. When not set, the one the calendar event carries.
# meeting-url = "https://zoom.us/j/…"

"#,
        name = quote(&a.project)
    )
}

fn calendar(a: &Answers) -> String {
    let picked = match &a.series {
        Some((title, cadence)) => format!("# The series \"{title}\" ({cadence}).\n"),
        None => String::new(),
    };
    format!(
        r#"[calendar]
# The calendar feed (a URL, a path, or "-" for standard input). `--feed` or SUMMIT_FEED
# override it.
feed = {feed}
# A regex (Rust `regex` syntax) on SUMMARY that selects summit occurrences.
{picked}summit = {summit}
# The time zones the mails and `summit next` show the start in (IANA names); the first
# is also used for due times. Add the zones of the people who attend.
zones = [{zone}]
# The zone floating times (no TZID, no Z) are read in when the feed has no X-WR-TIMEZONE.
default-tz = {zone}
# How long a cached copy of a URL feed may stand in when the server cannot be reached.
# cache-max-age = "7d"

"#,
        feed = quote(&a.feed),
        summit = quote(&a.summit),
        zone = quote(&a.zone),
    )
}

const TIMELINE: &str = r#"[timeline]
# When each step is due: before the summit's start (assignment, reminder, agenda-vote,
# outreach) or after its end (handover). Durations: "3d", "36h", "1d12h", "90m", "1w".
# These are the defaults; uncomment to change one.
# assignment = "7d"
# reminder = "3d"
# agenda-vote = "2d"
# outreach = "1d"
# handover = "2h"
# Topics must be proposed at least this long before the start.
# topic-deadline = "24h"

[agenda]
# The agenda of the next summit, as CSV (header: title,owner,email,votes,proposed-at) or
# TOML ([[topic]] tables). Without an agenda, the outreach goes to the facilitator.
# file = "agenda.csv"

"#;

fn mail(a: &Answers) -> String {
    format!(
        r#"[mail]
# The sender of every mail.
from = {from}
# The public list the reminder goes to. A list of addresses sends each its own message.
public-list = {public}
# The team list for the agenda vote and the handover.
team-list = {team}
# How `summit tick` and `summit send` deliver: "smtp" (see [mail.smtp]), "sendmail" (the
# local MTA) or "file" (one .eml file per message in `outbox`). "file" is the safe
# start: nothing leaves the machine until you read what it wrote and switch to "smtp".
transport = "file"
outbox = "outbox"

# [mail.smtp]
# host = "smtp.example.org"
# port = 587
# # "starttls" (default), "tls", or "none" (allowed only to a loopback host).
# security = "starttls"
# username = "summit-bot@example.org"
# # The password comes from an environment variable or a command, never from this file.
# password-env = "SUMMIT_SMTP_PASSWORD"

"#,
        from = quote(&a.from),
        public = addresses(&a.public_list),
        team = addresses(&a.team_list),
    )
}

fn rotation(a: &Answers) -> String {
    let mut out = String::from(
        r#"[rotation]
# The first summit the rotation counts (UTC date). Default: the first summit in the feed.
# start = "2027-01-28"
# The facilitation record: who facilitated, or was announced by a handover to
# facilitate, which summit. `summit tick` and `summit send` append to it when they send
# a handover; commit it beside this file.
# record = "facilitators.toml"

# The facilitator of each summit is the available member who facilitated least recently,
# ties broken by roster order. Add everyone who takes turns; `away` holds inclusive date
# ranges when a member cannot facilitate, e.g. away = ["2026-12-20..2027-01-06"].
"#,
    );
    for (name, email) in &a.members {
        out.push_str(&format!(
            "[[rotation.members]]\nname = {}\nemail = {}\n\n",
            quote(name),
            quote(email)
        ));
    }
    out
}

const CHANNELS: &str = r##"# Channels besides e-mail (Matrix, Slack-compatible webhooks, Discourse, Mastodon):
# see the README, "Channels". The reminder goes to every `public` channel, the call for
# votes and the handover to every `team` channel.
# [[channels]]
# name = "matrix-dev"
# kind = "matrix"
# audience = "public"
# homeserver = "https://matrix.org"
# room = "#project-dev:matrix.org"
# access-token-env = "SUMMIT_MATRIX_TOKEN"
"##;

/// Words that name a calendar or an event rather than the project.
const NOT_THE_NAME: &[&str] = &[
    "public",
    "events",
    "event",
    "calendar",
    "community",
    "official",
    "meetings",
    "meeting",
    "schedule",
    "developer",
    "developers",
    "dev",
    "contributor",
    "contributors",
    "summit",
    "monthly",
    "weekly",
    "sync",
    "call",
];

/// The project's name as guessed from the calendar's name (X-WR-CALNAME) or else the
/// series' title: the words before the first that names a calendar or an event
/// ("Prometheus Public Events (sample)" is "Prometheus"); "the project" when nothing is
/// left.
pub(super) fn guess_project(calname: Option<&str>, title: Option<&str>) -> String {
    let guess = |text: &str| -> Option<String> {
        let plain: String = match text.find(['(', '[', ':', '|', '–', '—']) {
            Some(i) => text[..i].to_string(),
            None => text.to_string(),
        };
        let words: Vec<&str> = plain
            .split_whitespace()
            .take_while(|w| {
                let w = w.trim_matches(|c: char| !c.is_alphanumeric());
                !w.is_empty() && !NOT_THE_NAME.contains(&w.to_lowercase().as_str())
            })
            .collect();
        (!words.is_empty()).then(|| words.join(" "))
    };
    calname
        .and_then(guess)
        .or_else(|| title.and_then(guess))
        .unwrap_or_else(|| "the project".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_is_guessed_from_the_calendar_then_the_title() {
        assert_eq!(
            guess_project(Some("Prometheus Public Events (sample)"), None),
            "Prometheus"
        );
        assert_eq!(
            guess_project(Some("Events"), Some("OpenTelemetry Community Meeting")),
            "OpenTelemetry"
        );
        assert_eq!(guess_project(None, Some("Thanos Dev Summit")), "Thanos");
        assert_eq!(guess_project(None, Some("Developer Summit")), "the project");
        assert_eq!(guess_project(None, None), "the project");
    }

    #[test]
    fn the_text_is_valid_toml_with_the_answers() {
        let answers = Answers {
            project: "Pro \"ject\"".into(),
            feed: "feed.ics".into(),
            summit: "(?i)Developer Summit \\(monthly\\)".into(),
            series: Some(("Developer Summit (monthly)".into(), "monthly".into())),
            zone: "Europe/Berlin".into(),
            from: "Ada <ada@example.org>".into(),
            public_list: vec!["dev@example.org".into()],
            team_list: vec!["a@example.org".into(), "b@example.org".into()],
            members: vec![("Ada Lovelace".into(), "ada@example.org".into())],
        };
        let value: toml::Table = toml::from_str(&render(&answers)).unwrap();
        assert_eq!(value["project"]["name"].as_str(), Some("Pro \"ject\""));
        assert_eq!(
            value["calendar"]["summit"].as_str(),
            Some("(?i)Developer Summit \\(monthly\\)")
        );
        assert_eq!(value["mail"]["team-list"].as_array().unwrap().len(), 2);
        assert_eq!(value["mail"]["transport"].as_str(), Some("file"));
        assert_eq!(
            value["rotation"]["members"][0]["email"].as_str(),
            Some("ada@example.org")
        );
    }
}
