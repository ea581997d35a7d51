//! Help and documentation (issue #13, item 4): clap's own rendering of help and usage
//! errors, an Examples block in every command's `--help`, `summit man`, completions of
//! step, zone and channel names, and `summit templates list | dump`.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::test::*;

/// The names of the commands, as `summit --help` lists them (`help` left out).
fn command_names() -> Vec<String> {
    let r = Test::new().arg("--help").success();
    let commands = r
        .stdout
        .split("\nCommands:\n")
        .nth(1)
        .expect("a Commands section");
    let names: Vec<String> = commands
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() >= 14, "{names:?}");
    names
}

#[test]
fn help_is_clap_s_rendering_on_standard_output() {
    for args in [
        &["--help"][..],
        &["help"],
        &["help", "draft"],
        &["draft", "--help"],
        &["draft", "-h"],
        &["ledger", "forget", "--help"],
    ] {
        let r = Test::new().args(args.iter().copied()).success();
        assert!(r.stderr.is_empty(), "{args:?}: {}", r.stderr);
        assert!(!r.stdout.contains("error:"), "{args:?}: {}", r.stdout);
        assert!(
            r.stdout.contains("\nUsage: summit "),
            "{args:?}: {}",
            r.stdout
        );
        // clap's indentation is kept.
        assert!(
            r.stdout.contains("\n  -h, --help"),
            "{args:?}: {}",
            r.stdout
        );
    }
    let r = Test::new().arg("--help").success();
    assert!(
        r.stdout
            .contains("\nUsage: summit [OPTIONS] <COMMAND>\n\nCommands:\n  events "),
        "{}",
        r.stdout
    );
    let r = Test::new().args(["help", "draft"]).success();
    assert!(
        r.stdout.contains("Usage: summit draft [OPTIONS] <STEP>"),
        "{}",
        r.stdout
    );
}

#[test]
fn no_command_prints_the_help_on_standard_error_with_exit_2() {
    // clap's standard behaviour for a missing subcommand.
    let r = Test::new().run();
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("\nUsage: summit [OPTIONS] <COMMAND>\n\nCommands:\n  events "),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("error:"), "{}", r.stderr);
}

#[test]
fn a_usage_error_is_clap_s_rendering_with_exit_2() {
    let r = Test::new().arg("evnts").run();
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(
        r.stderr
            .starts_with("error: unrecognized subcommand 'evnts'\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("\n  tip: a similar subcommand exists: 'events'\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("\nUsage: summit [OPTIONS] <COMMAND>\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("\nFor more information, try '--help'.\n"),
        "{}",
        r.stderr
    );
    // A missing argument: the command's own usage.
    let r = Test::new().arg("draft").run();
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("error: the following required arguments were not provided:\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("\nUsage: summit draft <STEP>\n"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("\nFor more information, try '--help'.\n"),
        "{}",
        r.stderr
    );
    // A value refused by its parser keeps our message inside clap's.
    let r = Test::new().args(["draft", "vote"]).run();
    assert_eq!(r.status, 2, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "error: invalid value 'vote' for '<STEP>': unknown step `vote`, expected one of"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .ends_with("\nFor more information, try '--help'.\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_runtime_failure_is_error_lines_of_ours() {
    let r = Test::new()
        .args(["--feed", "missing.ics", "events"])
        .args(["--from", "2026-11-21T00:00:00Z"])
        .fails(1);
    assert!(!r.stderr.contains("Usage:"), "{}", r.stderr);
    assert!(!r.stderr.contains("--help"), "{}", r.stderr);
    assert!(
        r.stderr.lines().all(|l| l.starts_with("error: ")),
        "{}",
        r.stderr
    );
}

#[test]
fn every_command_s_help_has_examples() {
    let mut commands: Vec<Vec<String>> = command_names().into_iter().map(|n| vec![n]).collect();
    for sub in [
        "templates list",
        "templates dump",
        "ledger list",
        "ledger mark-sent",
        "ledger forget",
    ] {
        commands.push(sub.split(' ').map(String::from).collect());
    }
    for command in commands {
        let r = Test::new().args(command.iter()).arg("--help").success();
        let examples = r
            .stdout
            .split("\nExamples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{command:?}: no Examples block:\n{}", r.stdout));
        let lines: Vec<&str> = examples.lines().take_while(|l| !l.is_empty()).collect();
        assert!(
            (1..=3).contains(&lines.len()),
            "{command:?}: {} examples:\n{examples}",
            lines.len()
        );
        let this = format!(" {} ", command.join(" "));
        for line in &lines {
            assert!(line.starts_with("  "), "{command:?}: {line:?}");
            assert!(line.contains("summit "), "{command:?}: {line:?}");
        }
        assert!(
            lines.iter().any(|l| format!("{l} ").contains(&this)),
            "{command:?}: no example runs it:\n{examples}"
        );
    }
}

/// Asserts `roff` is a manual page that a formatter reads without a warning: through
/// groff (`-ww -z`) or mandoc (`-T lint`) when one is installed, and by its shape.
fn assert_renders(roff: &str, title: &str) {
    assert!(
        roff.lines()
            .any(|l| l.starts_with(&format!(".TH {title} 1 "))),
        "{roff}"
    );
    let th = roff.find("\n.TH ").unwrap();
    let before = &roff[..th];
    assert!(
        before.lines().all(|l| l.starts_with('.')),
        "only requests before .TH: {before}"
    );
    for section in [".SH NAME\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n"] {
        assert!(roff.contains(section), "{section}: {roff}");
    }
    let formatters: [(&str, &[&str]); 2] = [
        ("groff", &["-man", "-Tutf8", "-ww", "-z"]),
        ("mandoc", &["-T", "lint", "-W", "warning"]),
    ];
    for (tool, args) in formatters {
        let Ok(mut child) = Command::new(tool)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        else {
            continue;
        };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(roff.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{tool}: {stderr}");
        assert!(stderr.trim().is_empty(), "{tool} warns: {stderr}");
    }
}

#[test]
fn man_renders_a_page_of_summit_and_of_each_command() {
    let r = Test::new().arg("man").success();
    assert_renders(&r.stdout, "summit");
    assert!(r.stdout.contains(".SH SUBCOMMANDS\n"), "{}", r.stdout);
    for name in command_names() {
        assert!(
            r.stdout
                .contains(&format!("summit\\-{}(1)", name.replace('-', "\\-"))),
            "{name}: {}",
            r.stdout
        );
    }
    let r = Test::new().args(["man", "draft"]).success();
    assert_renders(&r.stdout, "summit-draft");
    assert!(r.stdout.contains("\\fBsummit draft\\fR"), "{}", r.stdout);
    assert!(r.stdout.contains("Examples:"), "{}", r.stdout);
    let r = Test::new().args(["man", "ledger", "forget"]).success();
    assert_renders(&r.stdout, "summit-ledger-forget");
    let r = Test::new().args(["man", "drfat"]).fails(2);
    assert!(r.stderr.contains("`drfat`"), "{}", r.stderr);
    assert!(r.stderr.contains("`draft`"), "{}", r.stderr);
}

#[test]
fn completions_offer_step_zone_and_channel_names() {
    let r = Test::new().args(["completions", "bash"]).success();
    assert!(
        r.stdout
            .contains("assignment reminder agenda-vote outreach checklist handover"),
        "{}",
        r.stdout
    );
    for zone in [
        "Europe/Berlin",
        "America/Los_Angeles",
        "Asia/Kolkata",
        "UTC",
    ] {
        assert!(r.stdout.contains(zone), "{zone}");
    }
    // The parser still takes any case of a zone.
    Test::new()
        .example()
        .now("2026-11-21T00:00:00Z")
        .args(["who", "--tz", "europe/berlin"])
        .success();
    // With a configuration, its channel names.
    let config = std::fs::read_to_string(example_config()).unwrap()
        + "\n[[channels]]\nname = \"matrix-dev\"\nkind = \"matrix\"\naudience = \"public\"\n\
           homeserver = \"https://matrix.org\"\nroom = \"#dev:matrix.org\"\n\
           access-token-env = \"SUMMIT_MATRIX_TOKEN\"\n";
    let r = Test::new()
        .file("summit.toml", config)
        .args(["--config", "summit.toml", "completions", "bash"])
        .success();
    assert!(r.stdout.contains("matrix-dev"), "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    // A configuration that cannot be read leaves the names out, with a warning.
    let r = Test::new()
        .args(["--config", "missing.toml", "completions", "bash"])
        .success();
    assert!(r.stdout.contains("Europe/Berlin"));
    assert!(r.stderr.starts_with("warning: "), "{}", r.stderr);
}

/// The file names of the repository's `templates/` folder, sorted.
fn repo_templates() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("templates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn templates_list_names_each_builtin_with_its_purpose() {
    let r = Test::new().args(["templates", "list"]).success();
    let mut names: Vec<String> = r
        .stdout
        .lines()
        .map(|l| {
            let (name, purpose) = l.split_once("  ").unwrap();
            assert!(!purpose.trim().is_empty(), "{l}");
            name.to_string()
        })
        .collect();
    names.sort();
    assert_eq!(names, repo_templates());
    let r = Test::new().args(["templates", "list", "--json"]).success();
    assert_eq!(r.json().as_array().unwrap().len(), names.len());
    assert_eq!(r.json()[0]["name"], "assignment.txt");
}

#[test]
fn templates_dump_writes_every_builtin_and_refuses_to_overwrite() {
    let t = Test::new().args(["templates", "dump"]);
    let r = t.success();
    let names = repo_templates();
    for name in &names {
        let written = std::fs::read_to_string(t.path("templates").join(name)).unwrap();
        let builtin = std::fs::read_to_string(repo().join("templates").join(name)).unwrap();
        assert_eq!(written, builtin, "{name}");
        assert!(
            r.stdout
                .lines()
                .any(|l| l == format!("wrote templates/{name}")),
            "{name}: {}",
            r.stdout
        );
    }
    assert!(
        r.stdout.contains("templates = \"templates\""),
        "{}",
        r.stdout
    );
    // Again: nothing is replaced, and the refusal names the file and --force.
    std::fs::write(t.path("templates/reminder.txt"), "Subject: mine\n\nmine\n").unwrap();
    std::fs::remove_file(t.path("templates/handover.md")).unwrap();
    let r = t.fails(2);
    assert!(r.stderr.contains("reminder.txt"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert_eq!(
        std::fs::read_to_string(t.path("templates/reminder.txt")).unwrap(),
        "Subject: mine\n\nmine\n"
    );
    assert!(!exists(&t.path("templates/handover.md")), "nothing written");
    // --force replaces them, into another folder given by --out too.
    let r = Test::new()
        .args(["templates", "dump", "--out", "mine", "--force"])
        .success();
    assert!(r.stdout.contains("templates = \"mine\""), "{}", r.stdout);
    let t = t.args(["--force"]);
    t.success();
    let builtin = std::fs::read_to_string(repo().join("templates/reminder.txt")).unwrap();
    assert_eq!(
        std::fs::read_to_string(t.path("templates/reminder.txt")).unwrap(),
        builtin
    );
}

#[test]
fn dumped_templates_render_the_same_drafts_as_the_builtins() {
    let text = std::fs::read_to_string(example_config()).unwrap();
    let with = text.replace("# templates = \"templates\"", "templates = \"templates\"");
    assert_ne!(
        text, with,
        "the example config has a commented templates key"
    );
    let feed = repo().join("examples/prometheus-summit.ics");
    let feed = feed.to_str().unwrap();
    // `edit`: a line added to the dumped reminder.txt, to show the folder is read.
    let draft = |config: &str, dump: bool, edit: &str| {
        let t = Test::new().file("summit.toml", config);
        if dump {
            Test::new()
                .args(["templates", "dump", "--out"])
                .arg(t.path("templates").to_str().unwrap())
                .success();
            let path = t.path("templates/reminder.txt");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text + edit).unwrap();
        }
        let t = t
            .args(["--config", "summit.toml", "--feed", feed])
            .now("2026-11-23T16:00:00Z")
            .args(["draft", "reminder"]);
        t.success().stdout
    };
    let builtin = draft(&text, false, "");
    assert!(builtin.contains("Subject: "), "{builtin}");
    assert_eq!(draft(&with, true, ""), builtin);
    let edited = draft(&with, true, "Edited by hand.\n");
    assert!(edited.contains("Edited by hand."), "{edited}");
}
