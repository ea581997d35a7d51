//! `summit init`: reads a feed, lists its recurring series, and writes a commented
//! configuration for the one that holds the summits. On a terminal it asks for what the
//! flags leave out; with `--summit`, or without a terminal, it takes flags only.

mod ask;
mod render;

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

use lettre::Address;
use lettre::message::Mailbox;
use regex::Regex;
use serde::Serialize;

use crate::calendar::fetch::Source;
use crate::calendar::series::{Series, recurring_series};
use crate::calendar::{self, Calendar, Window};
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::config::DEFAULT_FETCH_TIMEOUT;
use crate::error::{Error, Result};
use crate::text::one_line;
use render::{Answers, guess_project, render};

/// A roster entry: name and address.
type Member = (String, String);

/// The flags of `summit init` (the feed is the global `--feed`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The regex on SUMMARY that selects the summits (Rust `regex` syntax); default: the
    /// title of the series picked on the terminal. With it, init asks nothing.
    #[arg(long, value_name = "REGEX")]
    summit: Option<String>,
    /// Where to write the configuration.
    #[arg(long, value_name = "PATH", default_value = "summit.toml")]
    out: PathBuf,
    /// The public list the reminder goes to (repeat for several).
    #[arg(long = "public-list", value_name = "ADDR", value_parser = parse_address)]
    public_list: Vec<String>,
    /// The team list for the agenda vote and the handover (repeat for several).
    #[arg(long = "team-list", value_name = "ADDR", value_parser = parse_address)]
    team_list: Vec<String>,
    /// A member of the rotation, `Name <email>` (repeat, in roster order).
    #[arg(long, value_name = "NAME <EMAIL>", value_parser = parse_member)]
    member: Vec<Member>,
    /// The sender of the mails, `Name <email>`; default: the first member.
    #[arg(long, value_name = "NAME <EMAIL>", value_parser = parse_mailbox)]
    from: Option<String>,
    /// The project's name in the mails; default: guessed from the feed.
    #[arg(long, value_name = "NAME")]
    project: Option<String>,
    /// Replace the file at --out if there is one.
    #[arg(long)]
    force: bool,
}

/// An e-mail address, as `--public-list` and `--team-list` take it.
pub(super) fn parse_address(s: &str) -> std::result::Result<String, String> {
    s.trim()
        .parse::<Address>()
        .map(|a| a.to_string())
        .map_err(|_| format!("`{s}` is not an e-mail address, expected e.g. `dev@example.org`"))
}

/// `Name <email>`, as `--member` takes it.
pub(super) fn parse_member(s: &str) -> std::result::Result<Member, String> {
    match s.trim().parse::<Mailbox>() {
        Ok(Mailbox {
            name: Some(name),
            email,
        }) if !name.trim().is_empty() => Ok((name.trim().to_string(), email.to_string())),
        _ => Err(format!(
            "`{s}` is not `Name <email>`, expected e.g. `Ada Lovelace <ada@example.org>`"
        )),
    }
}

/// A mailbox, `Name <email>` or a bare address, as `--from` takes it.
pub(super) fn parse_mailbox(s: &str) -> std::result::Result<String, String> {
    s.trim()
        .parse::<Mailbox>()
        .map(|m| m.to_string())
        .map_err(|_| {
            format!("`{s}` is not a mailbox, expected e.g. `Summit Bot <summit@example.org>`")
        })
}

/// What `summit init --json` prints.
#[derive(Serialize)]
struct Written<'a> {
    /// The file written.
    path: String,
    /// `calendar.summit`.
    summit: &'a str,
    /// The feed's recurring series.
    series: &'a [Series],
}

/// `summit init`.
///
/// # Errors
/// [`Error::Usage`] when `--out` exists (without `--force`), a flag is missing without
/// a terminal, or `--summit` is not a regex or matches no upcoming event; whatever
/// reading the feed and writing the file meet.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    if args.out.exists() && !args.force {
        return Err(Error::Usage(format!(
            "`{}` already exists, expected a new file: pass --force to replace it",
            args.out.display()
        )));
    }
    let (feed, cal) = read_feed(session)?;
    let mut warnings = Vec::new();
    let series = recurring_series(&cal, session.now, &mut warnings);
    printer.warn_all(&warnings);
    let listing: Vec<String> = series.iter().map(describe).collect();
    let interactive = args.summit.is_none()
        && !printer.json()
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal();
    if !printer.json() {
        show_series(printer, &cal, &listing)?;
    }
    if !interactive {
        missing_flags(&args, &series)?;
    }
    let (summit, picked) = match &args.summit {
        Some(pattern) => {
            let summit = check_summit(pattern, &cal, session, &series)?;
            let re = Regex::new(&summit).expect("checked above");
            (summit, series.iter().find(|s| re.is_match(&s.title)))
        }
        None => {
            if series.is_empty() {
                return Err(Error::NoSummit(format!(
                    "feed `{}` has no recurring series ahead to pick, expected one: pass `--summit REGEX`",
                    one_line(&cal.source)
                )));
            }
            // The series the built-in pattern would pick, if any, comes preselected.
            let usual = Regex::new(crate::config::DEFAULT_SUMMIT_PATTERN).ok();
            let default = series
                .iter()
                .position(|s| usual.as_ref().is_some_and(|re| re.is_match(&s.title)))
                .unwrap_or(0);
            let i = ask::series(&listing, default)?;
            let title = &series[i].title;
            (format!("(?i){}", regex::escape(title)), Some(&series[i]))
        }
    };
    let (answers, out) = gather(args_or_ask(args)?, feed, summit, picked, &cal);
    if let Some(folder) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(|source| Error::Io {
            path: folder.to_path_buf(),
            source,
        })?;
    }
    crate::store::write_atomically(&out, render(&answers).as_bytes())?;
    let path = out.display().to_string();
    printer.show(
        &Written {
            path: path.clone(),
            summit: &answers.summit,
            series: &series,
        },
        |p| next_steps(p, &path, &answers),
    )
}

/// The feed named by `--feed`, read and parsed (floating times in UTC when it has no
/// X-WR-TIMEZONE), with the value to write as `calendar.feed`.
fn read_feed(session: &Session) -> Result<(String, Calendar)> {
    let Some(value) = session.flags().feed.clone() else {
        return Err(Error::Usage(
            "no feed: pass `--feed URL|PATH` (or set SUMMIT_FEED), the calendar to read the summits from".into(),
        ));
    };
    if value == "-" {
        return Err(Error::Usage(
            "feed `-`: init writes the feed into the configuration, expected a URL or a path"
                .into(),
        ));
    }
    let source = Source::parse(&value, None)?;
    let bytes = source.read(DEFAULT_FETCH_TIMEOUT)?;
    let cal = calendar::parse(&bytes, &source.name(), chrono_tz::UTC)?;
    crate::cli::printer::warn_all(&cal.warnings);
    Ok((value, cal))
}

/// One series as the listing and the prompt show it.
fn describe(s: &Series) -> String {
    format!(
        "{} ({}; next {}; {} in the next year)",
        one_line(&s.title),
        s.cadence,
        s.next.date_utc(),
        s.next_year
    )
}

fn show_series(printer: &mut Printer, cal: &Calendar, listing: &[String]) -> Result<()> {
    if listing.is_empty() {
        return printer.line(format_args!(
            "feed `{}` has no recurring series ahead",
            one_line(&cal.source)
        ));
    }
    printer.line(format_args!(
        "recurring series in feed `{}`:",
        one_line(&cal.source)
    ))?;
    for (i, line) in listing.iter().enumerate() {
        printer.line(format_args!("  {}. {line}", i + 1))?;
    }
    Ok(())
}

/// Without a terminal, every answer must come from a flag: a usage error per flag
/// missing.
fn missing_flags(args: &Args, series: &[Series]) -> Result<()> {
    let mut missing = Vec::new();
    if args.summit.is_none() {
        let titles: Vec<String> = series
            .iter()
            .map(|s| format!("`{}`", one_line(&s.title)))
            .collect();
        missing.push(format!(
            "missing `--summit REGEX` (no terminal to ask on), expected a regex on the title of one of the feed's series: {}",
            if titles.is_empty() { "none found".to_string() } else { titles.join(", ") }
        ));
    }
    if args.public_list.is_empty() {
        missing.push("missing `--public-list ADDR` (no terminal to ask on), expected the list the reminder goes to".into());
    }
    if args.team_list.is_empty() {
        missing.push("missing `--team-list ADDR` (no terminal to ask on), expected the list for the agenda vote and the handover".into());
    }
    if args.member.is_empty() {
        missing.push("missing `--member \"Name <email>\"` (no terminal to ask on), expected at least one member of the rotation".into());
    }
    match missing.len() {
        0 => Ok(()),
        1 => Err(Error::Usage(missing.remove(0))),
        _ => Err(Error::Several(
            missing.into_iter().map(Error::Usage).collect(),
        )),
    }
}

/// `--summit`, checked: a regex that matches an upcoming occurrence of the feed that is
/// not cancelled.
fn check_summit(
    pattern: &str,
    cal: &Calendar,
    session: &Session,
    series: &[Series],
) -> Result<String> {
    let re = Regex::new(pattern).map_err(|e| {
        // The last line of the crate's message says what is wrong ("unclosed group").
        let text = e.to_string();
        let why = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        Error::Usage(format!(
            "--summit `{pattern}` is not a regex ({}), expected Rust `regex` syntax",
            one_line(why.trim().trim_start_matches("error: "))
        ))
    })?;
    let mut warnings = Vec::new();
    let found = calendar::occurrences(
        cal,
        Window::new(session.now, None),
        Some(&re),
        &mut warnings,
    )
    .any(|o| !o.is_cancelled());
    if found {
        return Ok(pattern.to_string());
    }
    let titles: Vec<String> = series
        .iter()
        .map(|s| format!("`{}`", one_line(&s.title)))
        .collect();
    Err(Error::Usage(format!(
        "--summit `{pattern}` matches no upcoming event of feed `{}`, expected a regex on the title of one of its series: {}",
        one_line(&cal.source),
        if titles.is_empty() {
            "none found".to_string()
        } else {
            titles.join(", ")
        }
    )))
}

/// The flags, with what they leave out asked on the terminal (only reached without a
/// flag missing when there is no terminal).
fn args_or_ask(mut args: Args) -> Result<Args> {
    if args.public_list.is_empty() {
        args.public_list = ask::addresses("Public list (the reminder goes to it)")?;
    }
    if args.team_list.is_empty() {
        args.team_list = ask::addresses("Team list (agenda vote and handover)")?;
    }
    if args.member.is_empty() {
        args.member = ask::members()?;
    }
    if args.from.is_none() && args.summit.is_none() {
        let (name, email) = &args.member[0];
        args.from = Some(ask::from(&format!("{name} <{email}>"))?);
    }
    Ok(args)
}

/// What to write, and where.
fn gather(
    args: Args,
    feed: String,
    summit: String,
    picked: Option<&Series>,
    cal: &Calendar,
) -> (Answers, PathBuf) {
    let (name, email) = &args.member[0];
    let from = args.from.unwrap_or_else(|| {
        Mailbox::new(
            Some(name.clone()),
            email.parse().expect("checked by parse_member"),
        )
        .to_string()
    });
    let project = args
        .project
        .unwrap_or_else(|| guess_project(cal.name.as_deref(), picked.map(|s| s.title.as_str())));
    (
        Answers {
            project,
            feed: feed_in(&feed, &args.out),
            summit,
            series: picked.map(|s| (one_line(&s.title), s.cadence.clone())),
            zone: cal.zone.name().to_string(),
            from,
            public_list: args.public_list,
            team_list: args.team_list,
            members: args.member,
        },
        args.out,
    )
}

/// `calendar.feed` for the file at `out`: a URL as given; a relative path as given when
/// `out` is in the current folder (the file's paths resolve against its own folder),
/// else made absolute.
fn feed_in(feed: &str, out: &Path) -> String {
    let path = Path::new(feed);
    let is_url = feed.contains("://");
    let same_folder = out
        .parent()
        .is_none_or(|p| p.as_os_str().is_empty() || p == Path::new("."));
    if is_url || path.is_absolute() || same_folder {
        return feed.to_string();
    }
    std::path::absolute(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| feed.to_string())
}

fn next_steps(p: &mut Printer, path: &str, a: &Answers) -> Result<()> {
    p.line(format_args!(
        "wrote `{}`: project `{}`, summit `{}`, {} member(s), transport \"file\" (mails go to the outbox folder)",
        one_line(path),
        one_line(&a.project),
        one_line(&a.summit),
        a.members.len()
    ))?;
    p.line(format_args!("next steps:"))?;
    // `./summit.toml` is found without `--config` (config discovery); elsewhere, say it.
    let here = Path::new(path) == Path::new("summit.toml")
        || Path::new(path) == Path::new("./summit.toml");
    let summit = if here {
        "summit".to_string()
    } else {
        format!("summit --config {}", one_line(path))
    };
    p.line(format_args!(
        "  1. {summit} check      (everything tick needs, sending nothing)"
    ))?;
    p.line(format_args!(
        "  2. edit [[rotation.members]] in it: the whole roster, in order, with `away` dates"
    ))?;
    p.line(format_args!(
        "  3. {summit} next       (the next summit, its facilitator and timeline)"
    ))?;
    p.line(format_args!(
        "  4. when the drafts look right: set up [mail.smtp], transport = \"smtp\", and run `summit tick` from cron"
    ))
}
