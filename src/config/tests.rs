use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use super::rotation::parse_date_range;
use super::*;
use crate::model::timeline::{format_offset, parse_offset};

fn load(text: &str) -> Result<Config> {
    Config::from_toml(text, Path::new("summit.toml"), Path::new("/cfg"))
}

const MINIMAL: &str = r#"
[[rotation.members]]
name = "Ada"
email = "ada@example.org"
"#;

#[test]
fn agenda_outreach_and_assignment() {
    let c = load(MINIMAL).unwrap();
    assert_eq!(c.agenda.file, None);
    assert_eq!(c.agenda.top, 3);
    assert_eq!(c.timeline.assignment, Some(Duration::days(7)));
    let c = load(&format!(
        "[agenda]\nfile = \"agenda.csv\"\n[outreach]\ntop = 5\n[timeline]\nassignment = \"off\"\n{MINIMAL}"
    ))
    .unwrap();
    assert_eq!(c.agenda.file, Some(PathBuf::from("/cfg/agenda.csv")));
    assert_eq!(c.agenda.top, 5);
    assert_eq!(c.timeline.assignment, None);
    for (text, want) in [
        (
            "[outreach]\ntop = 0\n",
            "line 2: outreach.top `0` is not a count",
        ),
        (
            "[outreach]\ntop = -2\n",
            "line 2: outreach.top `-2` is not a count",
        ),
        (
            "[timeline]\nassignment = \"a week\"\n",
            "line 2: timeline.assignment `a week`",
        ),
        (
            "[agenda]\npath = \"x.csv\"\n",
            "line 2: unknown field `path`",
        ),
    ] {
        let e = load(&format!("{text}{MINIMAL}")).unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
}

#[test]
fn a_member_may_have_a_greeting() {
    let c = load(MINIMAL).unwrap();
    assert_eq!(c.rotation.members[0].greeting, None);
    let c = load(&format!("{MINIMAL}greeting = \"Ada\"\n")).unwrap();
    assert_eq!(c.rotation.members[0].greeting.as_deref(), Some("Ada"));
    for (greeting, want) in [
        (
            "ada@example.org",
            "line 5: greeting `ada@example.org` of `Ada` is not a name",
        ),
        ("  ", "line 5: greeting `  ` of `Ada` is not a name"),
    ] {
        let e = load(&format!("{MINIMAL}greeting = \"{greeting}\"\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "{e}");
    }
    let e = load(&format!("{MINIMAL}greting = \"Ada\"\n"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 5") && e.contains("unknown field `greting`"),
        "{e}"
    );
}

#[test]
fn defaults_apply() {
    let c = load(MINIMAL).unwrap();
    assert_eq!(c.timeline, Timeline::default());
    assert_eq!(c.calendar.zones, vec![Tz::UTC]);
    assert!(c.calendar.summit.is_match("Prometheus Developer Summit"));
    assert!(c.mail.is_none());
}

#[test]
fn unknown_key_names_key_and_line() {
    let e = load("[calendar]\nfeed = \"x.ics\"\nsumit = \"x\"\n").unwrap_err();
    let s = e.to_string();
    assert!(s.contains("line 3") && s.contains("`sumit`"), "{s}");
    assert_eq!(e.exit_code(), 2);
}

#[test]
fn bad_values_are_named() {
    for (text, needle) in [
        (
            "[calendar]\nsummit = \"(unclosed\"\n",
            "calendar.summit `(unclosed`",
        ),
        (
            "[calendar]\nzones = [\"UTC\", \"Mars/Olympus\"]\n",
            "`Mars/Olympus`",
        ),
        ("[calendar]\ndefault-tz = \"CEST\"\n", "`CEST`"),
        (
            "[timeline]\nreminder = \"three days\"\n",
            "timeline.reminder",
        ),
        (
            "[mail]\nfrom = \"not an address\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n",
            "mail.from `not an address`",
        ),
        (
            "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n[mail.smtp]\nhost = \"smtp.example.org\"\nsecurity = \"none\"\n",
            "loopback",
        ),
        (
            "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\n[[rotation.members]]\nname = \"B\"\nemail = \"A@x.org\"\n",
            "appears twice",
        ),
        (
            "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\naway = [\"2026-02-01..2026-01-01\"]\n",
            "not a date range",
        ),
        (
            "[[rotation.members]]\nname = \"A\\r\\nBcc: evil@x.org\"\nemail = \"a@x.org\"\n",
            "control character U+000D",
        ),
        (
            "[[rotation.members]]\nname = \"A\"\nemail = '\"a b\"@x.org'\n",
            "rotation.members email `\\\"a b\\\"@x.org` of `A` has a quoted local part, which mail cannot be sent to",
        ),
        (
            "[[rotation.members]]\nname = \"A\"\nemail = \"a@[192.0.2.1]\"\n",
            "rotation.members email `a@[192.0.2.1]` of `A` has a domain literal, which mail cannot be sent to",
        ),
        (
            "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\n[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"b@x.org\"\n",
            "rotation.assign email `b@x.org` is not in the roster",
        ),
        (
            "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\n[[rotation.assign]]\ndate = \"17 Dec\"\nemail = \"a@x.org\"\n",
            "rotation.assign date `17 Dec` is not a date",
        ),
        (
            "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\naway = [\"2026-12-10..2027-01-06\"]\n[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"A@x.org\"\n",
            "they are away then (2026-12-10..2027-01-06)",
        ),
        (
            "[[rotation.members]]\nname = \"A\"\nemail = \"a@x.org\"\n[[rotation.members]]\nname = \"B\"\nemail = \"b@x.org\"\n[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"a@x.org\"\n[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"b@x.org\"\n",
            "pins both `a@x.org` and `b@x.org` to 2026-12-17",
        ),
        ("[project]\nname = \"P\\u202Emoc.live\"\n", "U+202E"),
        (
            "[calendar]\ncache-max-age = \"a week\"\n",
            "calendar.cache-max-age",
        ),
        (
            "[mail]\nfrom = \"Bot\\u202E <a@b.org>\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n",
            "has a name with the control character U+202E",
        ),
        (
            "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n[mail.smtp]\nusername = \"bot\"\npassword = \"hunter2\"\n",
            "password never lives in the configuration file",
        ),
        (
            "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n[mail.smtp]\nusername = \"bot\"\n",
            "without a password source",
        ),
        (
            "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n[mail.smtp]\nusername = \"bot\"\npassword-env = \"P\"\npassword-command = \"pass show smtp\"\n",
            "both password-env and password-command",
        ),
    ] {
        let e = load(text).unwrap_err().to_string();
        assert!(e.contains(needle), "{e} should contain {needle}");
        assert!(e.contains("line "), "{e} should name a line");
    }
}

#[test]
fn pins_and_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{MINIMAL}[[rotation.assign]]\ndate = \"2026-12-17\"\nemail = \"ADA@example.org\"\n[rotation]\nrecord = \"facilitators.toml\"\n"
    );
    let path = dir.path().join("summit.toml");
    let c = Config::from_toml(&text, &path, dir.path()).unwrap();
    assert_eq!(c.rotation.pins.len(), 1);
    assert_eq!(c.rotation.pins[0].member, 0);
    assert_eq!(
        c.rotation.record,
        Some(dir.path().join("facilitators.toml"))
    );
    // The record is only named here: a malformed one is no configuration error
    // (`crate::plan::inputs` loads it).
    std::fs::write(
        dir.path().join("facilitators.toml"),
        "[[summit]]\ndate = \"2026-11-26\"\nfacilitator = \"nope\"\n",
    )
    .unwrap();
    assert!(Config::from_toml(&text, &path, dir.path()).is_ok());
}

#[test]
fn offsets() {
    assert_eq!(parse_offset("3d"), Some(Duration::days(3)));
    assert_eq!(parse_offset("1d12h"), Some(Duration::hours(36)));
    assert_eq!(parse_offset("90m"), Some(Duration::minutes(90)));
    assert_eq!(parse_offset("0"), Some(Duration::zero()));
    assert_eq!(parse_offset("3"), None);
    assert_eq!(parse_offset("3x"), None);
    assert_eq!(parse_offset(""), None);
    for text in ["7d", "1d12h", "1h30m", "45m", "0"] {
        assert_eq!(format_offset(parse_offset(text).unwrap()), text);
    }
    assert_eq!(format_offset(Duration::weeks(1)), "7d");
}

#[test]
fn deadlines_are_durations_of_more_than_zero() {
    assert_eq!(parse_offset("30s"), Some(Duration::seconds(30)));
    assert_eq!(parse_offset("1m30s"), Some(Duration::seconds(90)));
    let mail = "[mail]\nfrom = \"a@b.org\"\npublic-list = \"a@b.org\"\nteam-list = \"c@d.org\"\n";
    let c = load(&format!("{MINIMAL}{mail}")).unwrap();
    let smtp = &c.mail.as_ref().unwrap().smtp;
    assert_eq!(smtp.timeout, DEFAULT_SMTP_TIMEOUT);
    assert_eq!(
        smtp.password_command_timeout,
        DEFAULT_PASSWORD_COMMAND_TIMEOUT
    );
    assert_eq!(c.calendar.fetch_timeout, DEFAULT_FETCH_TIMEOUT);
    assert_eq!(
        c.mail.as_ref().unwrap().sendmail_timeout,
        DEFAULT_SENDMAIL_TIMEOUT
    );
    let c = load(&format!(
        "[calendar]\nfetch-timeout = \"5s\"\n{MINIMAL}{mail}[mail.smtp]\ntimeout = \"2m\"\npassword-command-timeout = \"2s\"\n"
    ))
    .unwrap();
    let smtp = &c.mail.as_ref().unwrap().smtp;
    assert_eq!(smtp.timeout, std::time::Duration::from_secs(120));
    assert_eq!(
        smtp.password_command_timeout,
        std::time::Duration::from_secs(2)
    );
    assert_eq!(c.calendar.fetch_timeout, std::time::Duration::from_secs(5));
    for (text, key) in [
        (
            "[calendar]\nfetch-timeout = \"0\"\n",
            "calendar.fetch-timeout `0`",
        ),
        (
            "[mail.smtp]\ntimeout = \"soon\"\n",
            "mail.smtp.timeout `soon` is not a duration",
        ),
        (
            "[mail.smtp]\npassword-command-timeout = \"-1s\"\n",
            "mail.smtp.password-command-timeout `-1s`",
        ),
    ] {
        let text = if text.starts_with("[mail") {
            format!("{MINIMAL}{mail}{text}")
        } else {
            format!("{text}{MINIMAL}")
        };
        let e = load(&text).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string().contains(key) && e.to_string().contains("line "),
            "{e}"
        );
    }
}

/// Each step's useful-until: a moment of the summit or a duration, resolved to an
/// offset; a window that would close before it opens is an error naming the key.
#[test]
fn until_keys() {
    let d = Timeline::default();
    assert_eq!(
        (d.assignment_until, d.reminder_until, d.agenda_vote_until),
        (Duration::zero(), Duration::hours(24), Duration::days(1))
    );
    assert_eq!(
        (d.outreach_until, d.checklist_until, d.handover_until),
        (Duration::zero(), Duration::zero(), Duration::hours(48))
    );
    let c = load(&format!(
        "[timeline]\nreminder-until = \"agenda-vote\"\nagenda-vote-until = \"6h\"\noutreach-until = \"2h\"\nhandover-until = \"3d\"\n{MINIMAL}"
    ))
    .unwrap();
    let t = &c.timeline;
    assert_eq!(t.reminder_until, Duration::days(2));
    assert_eq!(t.agenda_vote_until, Duration::hours(6));
    assert_eq!(t.outreach_until, Duration::hours(2));
    assert_eq!(t.checklist_until, Duration::hours(2), "with the outreach");
    assert_eq!(t.handover_until, Duration::days(3));
    // A reminder due after the topic deadline is an error (below); a shorter deadline
    // closes the reminder's window.
    let c = load(&format!(
        "[timeline]\nreminder = \"12h\"\ntopic-deadline = \"6h\"\n{MINIMAL}"
    ))
    .unwrap();
    assert_eq!(c.timeline.reminder_until, Duration::hours(6));
    for (text, want) in [
        (
            "reminder-until = \"reminder\"",
            "line 2: timeline.reminder-until `reminder` closes the step's window before it is due, expected a moment after it is due (3d before the start)",
        ),
        (
            "handover-until = \"1h\"",
            "timeline.handover-until `1h` closes the step's window before it is due, expected a moment after it is due (2h after the end)",
        ),
        (
            "outreach-until = \"soon\"",
            "timeline.outreach-until `soon` is not a moment of the summit, expected `start`, `topic-deadline`",
        ),
        (
            "assignment = \"off\"\nreminder-until = \"assignment\"",
            "timeline.reminder-until `assignment` names the assignment, which is `off`",
        ),
        (
            "topic-deadline = \"3d\"",
            "line 2: timeline.topic-deadline `3d` is not shorter than timeline.reminder `3d`, expected a topic deadline after the reminder is due (less than 3d before the start)",
        ),
        (
            "reminder = \"12h\"",
            "line 2: timeline.topic-deadline `1d` is not shorter than timeline.reminder `12h`",
        ),
        (
            "reminder = \"2d\"\ntopic-deadline = \"4d\"",
            "line 3: timeline.topic-deadline `4d` is not shorter than timeline.reminder `2d`",
        ),
    ] {
        let err = load(&format!("[timeline]\n{text}\n{MINIMAL}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{text}: {err}");
    }
}

#[test]
fn away_ranges() {
    let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        parse_date_range("2026-12-20..2027-01-06"),
        Some((d("2026-12-20"), d("2027-01-06")))
    );
    assert_eq!(
        parse_date_range("2026-12-24"),
        Some((d("2026-12-24"), d("2026-12-24")))
    );
}

#[test]
fn the_lists_take_one_address_or_several() {
    let mail = |public: &str, team: &str| {
        format!("[mail]\nfrom = \"a@b.org\"\npublic-list = {public}\nteam-list = {team}\n")
    };
    let c = load(&mail(
        "\"dev@x.org\"",
        "[\"t1@x.org\", \"Team Two <t2@x.org>\"]",
    ))
    .unwrap();
    let m = c.mail().unwrap();
    assert_eq!(m.public_list.len(), 1);
    assert_eq!(m.team_list.len(), 2);
    assert_eq!(m.team_list[1].name.as_deref(), Some("Team Two"));
    for (public, needle) in [
        ("[]", "mail.public-list is an empty list"),
        ("[\"a@x.org\", \"A@X.org\"]", "names `A@X.org` twice"),
        (
            "[\"a@x.org\", \"nope\"]",
            "line 3: mail.public-list `nope` is not an e-mail address",
        ),
        ("3", "an e-mail address or a list of them"),
    ] {
        let e = load(&mail(public, "\"t@x.org\"")).unwrap_err().to_string();
        assert!(e.contains(needle), "{public}: {e}");
    }
}

#[test]
fn agenda_sources() {
    let c = load(&format!(
        "[agenda]\nvoters = [\"carol@example.org\", \"@Dan-1\"]\ntimeout = \"90s\"\n[agenda.mailbox]\nurl = \"imaps://imap.example.org/prometheus%20developers\"\nusername = \"bot@example.org\"\npassword-env = \"SUMMIT_IMAP_PASSWORD\"\n{MINIMAL}github = \"ada-l\"\n"
    ))
    .unwrap();
    assert_eq!(
        c.agenda.voters,
        [
            Voter::Email("carol@example.org".into()),
            Voter::Github("dan-1".into())
        ]
    );
    assert_eq!(c.agenda.timeout, std::time::Duration::from_secs(90));
    assert_eq!(c.rotation.members[0].github.as_deref(), Some("ada-l"));
    let Some(AgendaSource::Mailbox(m)) = &c.agenda.source else {
        panic!("{:?}", c.agenda.source);
    };
    assert_eq!(
        m.store,
        MailStore::Imap {
            host: "imap.example.org".into(),
            port: 993,
            security: ImapSecurity::Tls,
            mailbox: "prometheus developers".into(),
        }
    );
    assert_eq!(m.password, Some(Secret::Env("SUMMIT_IMAP_PASSWORD".into())));
    assert!(m.subject.is_match("Re: [dev] Developer Summit topic: TSDB"));
    let c = load(&format!(
        "[agenda.mailbox]\nurl = \"imap://127.0.0.1:1143/INBOX;tls=none\"\nusername = \"u\"\npassword-command = \"pass imap\"\nsubject = \"(?i)topic\"\n{MINIMAL}"
    ))
    .unwrap();
    let Some(AgendaSource::Mailbox(m)) = &c.agenda.source else {
        panic!();
    };
    assert!(matches!(
        &m.store,
        MailStore::Imap {
            port: 1143,
            security: ImapSecurity::None,
            ..
        }
    ));
    let c = load(&format!(
        "[agenda.mailbox]\nurl = \"mbox:archive/dev.mbox\"\n{MINIMAL}"
    ))
    .unwrap();
    let Some(AgendaSource::Mailbox(m)) = &c.agenda.source else {
        panic!();
    };
    assert_eq!(
        m.store,
        MailStore::Mbox(PathBuf::from("/cfg/archive/dev.mbox"))
    );
    let c = load(&format!(
        "[agenda.github]\nrepo = \"prometheus/proposals\"\nlabel = \"dev-summit\"\nkind = \"discussion\"\ntoken-env = \"GITHUB_TOKEN\"\n{MINIMAL}"
    ))
    .unwrap();
    let Some(AgendaSource::Github(g)) = &c.agenda.source else {
        panic!();
    };
    assert_eq!(g.repo, "prometheus/proposals");
    assert_eq!(g.kind, GithubKind::Discussion);
    assert_eq!(g.api.as_str(), "https://api.github.com/");
    let c = load(&format!(
        "[agenda]\nurl = \"https://docs.example.org/pub?output=csv\"\n{MINIMAL}"
    ))
    .unwrap();
    assert!(matches!(c.agenda.source, Some(AgendaSource::Url(_))));
}

#[test]
fn agenda_source_errors_name_the_line_and_value() {
    for (text, want) in [
        (
            "[agenda]\nfile = \"a.csv\"\nurl = \"https://x.org/a.csv\"\n",
            "line 3: agenda: `file` and `url` are both set, expected one agenda source",
        ),
        (
            "[agenda]\nurl = \"http://example.org/a.csv\"\n",
            "line 2: agenda.url `http://example.org/a.csv` is not an https:// URL",
        ),
        (
            "[agenda]\nvoters = [\"carol\"]\n",
            "line 2: agenda.voters: `carol` is neither an address nor a GitHub login",
        ),
        (
            "[agenda.mailbox]\nurl = \"imap://imap.example.org/INBOX;tls=none\"\nusername = \"u\"\npassword-env = \"P\"\n",
            "line 2: agenda.mailbox.url `imap://imap.example.org/INBOX;tls=none` asks for no TLS to a host that is not loopback",
        ),
        (
            "[agenda.mailbox]\nurl = \"imaps://u:secret@imap.example.org/INBOX\"\nusername = \"u\"\npassword-env = \"P\"\n",
            "carries credentials",
        ),
        (
            "[agenda.mailbox]\nurl = \"imaps://imap.example.org/INBOX\"\n",
            "line 2: agenda.mailbox: an IMAP mailbox needs `username` and `password-env",
        ),
        (
            "[agenda.mailbox]\nurl = \"pop3://x.org/\"\n",
            "line 2: agenda.mailbox.url `pop3://x.org/` is not an IMAP URL",
        ),
        (
            "[agenda.mailbox]\nurl = \"mbox:a\"\nsubject = \"(\"\n",
            "line 3: agenda.mailbox.subject `(` is not a regex",
        ),
        (
            "[agenda.mailbox]\nurl = \"mbox:a\"\npassword = \"hunter2\"\n",
            "line 3: unknown field `password`",
        ),
        (
            "[agenda.github]\nrepo = \"prometheus\"\nlabel = \"x\"\n",
            "line 2: agenda.github.repo `prometheus` is not a repository, expected `OWNER/NAME`",
        ),
        (
            "[agenda.github]\nrepo = \"a/b\"\nlabel = \"x\"\nkind = \"pr\"\n",
            "line 4: agenda.github.kind `pr` is not a kind, expected `issue` or `discussion`",
        ),
        (
            "[agenda.github]\nrepo = \"a/b\"\nlabel = \"x\"\napi = \"http://github.example.org\"\n",
            "line 4: agenda.github: api `http://github.example.org` is plain http to a host that is not loopback",
        ),
        (
            "[agenda.github]\nrepo = \"a/b\"\nlabel = \"x\"\ntoken-env = \"A\"\ntoken-command = \"b\"\n",
            "agenda.github has both token-env and token-command",
        ),
    ] {
        let e = load(&format!("{text}{MINIMAL}")).unwrap_err().to_string();
        assert!(e.contains(want), "{text}: {e}");
        assert!(
            !e.contains("hunter2") || want.contains("unknown field"),
            "{e}"
        );
    }
    let e = load(&format!("{MINIMAL}github = \"-ada\"\n"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 5: github `-ada` of `Ada` is not a GitHub login"),
        "{e}"
    );
}
