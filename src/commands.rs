//! What each command does: load what it needs (config, feed), call the pure parts, and
//! print human or `--json` output.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::calendar::{self, Calendar, Occurrence, Window, fetch::Source};
use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::mail::{self, Templates};
use crate::summit::{self, Planned};
use crate::timeline::{self, Step};

/// Runs a parsed command line, writing output to `out` and warnings to standard error.
///
/// # Errors
/// Whatever the command meets; see [`Error::exit_code`].
pub fn execute(cli: Cli, out: &mut dyn Write) -> Result<()> {
    let now = cli.now.unwrap_or_else(Utc::now);
    let ctx = Context { cli: &cli, now };
    match &cli.command {
        Command::Events {
            from,
            to,
            count,
            pattern,
        } => ctx.events(from.unwrap_or(now), *to, *count, pattern.as_ref(), out),
        Command::Next { count } => ctx.next(*count, out),
        Command::Who { count } => ctx.who(*count, out),
        Command::Draft {
            step,
            summit,
            out: dir,
        } => ctx.draft(*step, *summit, dir.as_deref(), out),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "summit", out);
            Ok(())
        }
    }
}

struct Context<'a> {
    cli: &'a Cli,
    now: DateTime<Utc>,
}

impl Context<'_> {
    /// The configuration: `--config` when given, else the built-in defaults.
    fn config_or_builtin(&self) -> Result<Config> {
        match &self.cli.config {
            Some(path) => Config::load(path),
            None => Ok(Config::builtin()),
        }
    }

    /// The configuration, which this command needs.
    fn config(&self) -> Result<Config> {
        match &self.cli.config {
            Some(path) => Config::load(path),
            None => Err(Error::Usage(
                "no configuration: pass `--config PATH` or set SUMMIT_CONFIG (see examples/summit.toml)".into(),
            )),
        }
    }

    /// Reads and parses the feed named by `--feed` or `calendar.feed`.
    fn calendar(&self, config: &Config) -> Result<Calendar> {
        let source = match (&self.cli.feed, &config.calendar.feed) {
            (Some(f), _) => Source::parse(f, None)?,
            (None, Some(f)) => Source::parse(f, Some(&config.dir))?,
            (None, None) => {
                return Err(Error::Usage(
                    "no feed: pass `--feed URL|PATH|-`, set SUMMIT_FEED, or set calendar.feed in the configuration".into(),
                ));
            }
        };
        let bytes = source.read()?;
        let cal = calendar::parse(&bytes, &source.name(), config.calendar.default_tz)?;
        warn_all(&cal.warnings);
        Ok(cal)
    }

    fn events(
        &self,
        from: DateTime<Utc>,
        to: Option<DateTime<Utc>>,
        count: usize,
        pattern: Option<&regex::Regex>,
        out: &mut dyn Write,
    ) -> Result<()> {
        if let Some(to) = to
            && to < from
        {
            return Err(Error::Usage(format!(
                "--to `{}` is before --from `{}`, expected a later instant",
                calendar::When::Timed(to),
                calendar::When::Timed(from)
            )));
        }
        let config = self.config_or_builtin()?;
        let cal = self.calendar(&config)?;
        let mut warnings = Vec::new();
        let mut occurrences =
            calendar::occurrences(&cal, Window::new(from, to), pattern, &mut warnings);
        let list: Vec<Occurrence> = occurrences
            .by_ref()
            .filter(|o| !o.is_status_cancelled())
            .take(count)
            .collect();
        warnings.extend(occurrences.take_warnings());
        warn_all(&warnings);
        if self.cli.json {
            return write_json(out, &list);
        }
        for o in &list {
            line(
                out,
                format_args!("{}  {}  {}", o.start, o.end, one_line(&o.summary)),
            )?;
        }
        Ok(())
    }

    /// The next `count` summits with their facilitators.
    fn plan(&self, config: &Config, cal: &Calendar, count: usize) -> Vec<Planned> {
        let mut warnings = Vec::new();
        let plan = summit::plan(cal, config, self.now, count, &mut warnings);
        warn_all(&warnings);
        plan
    }

    fn next(&self, count: usize, out: &mut dyn Write) -> Result<()> {
        let config = self.config()?;
        config.members()?;
        let cal = self.calendar(&config)?;
        let plan = self.plan(&config, &cal, count);
        if plan.is_empty() {
            return Err(no_summit(&config, self.now));
        }
        let mail = config.mail.as_ref();
        let entries: Vec<NextJson> = plan
            .iter()
            .map(|p| NextJson {
                summit: SummitJson::from(&p.summit),
                facilitator: p.facilitator.as_ref().map(|m| PersonJson {
                    name: m.name.clone(),
                    email: m.email.to_string(),
                }),
                steps: timeline::schedule(&p.summit, &config.timeline)
                    .into_iter()
                    .map(|(step, due)| StepJson {
                        step: step.name(),
                        due: calendar::When::Timed(due),
                        to: mail
                            .and_then(|m| mail::recipients(step, p, m).ok())
                            .unwrap_or_default()
                            .iter()
                            .map(ToString::to_string)
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        if self.cli.json {
            return write_json(out, &entries);
        }
        let zones = &config.calendar.zones;
        for (i, (p, e)) in plan.iter().zip(&entries).enumerate() {
            if i > 0 {
                line(out, format_args!(""))?;
            }
            line(out, format_args!("{}", one_line(&p.summit.summary)))?;
            for t in mail::zone_times(p.summit.start.instant(), zones) {
                line(
                    out,
                    format_args!("  {}  {} ({})", t.local, t.abbrev, t.zone),
                )?;
            }
            match &p.facilitator {
                Some(m) => line(out, format_args!("  Facilitator: {} <{}>", m.name, m.email))?,
                None => line(
                    out,
                    format_args!("  Facilitator: nobody (every member is away)"),
                )?,
            }
            line(out, format_args!("  Timeline:"))?;
            for s in &e.steps {
                let due = s.due.instant();
                let local = local_time(due, zones[0]);
                let state = if due <= self.now { "  (due)" } else { "" };
                let to = if s.to.is_empty() {
                    String::new()
                } else {
                    format!("  to {}", s.to.join(", "))
                };
                line(out, format_args!("    {:<12} {local}{to}{state}", s.step))?;
            }
        }
        Ok(())
    }

    fn who(&self, count: usize, out: &mut dyn Write) -> Result<()> {
        let config = self.config()?;
        config.members()?;
        let cal = self.calendar(&config)?;
        let plan = self.plan(&config, &cal, count);
        if plan.is_empty() {
            return Err(no_summit(&config, self.now));
        }
        let entries: Vec<WhoJson> = plan
            .iter()
            .map(|p| WhoJson {
                start: p.summit.start,
                name: p.facilitator.as_ref().map(|m| m.name.clone()),
                email: p.facilitator.as_ref().map(|m| m.email.to_string()),
            })
            .collect();
        if self.cli.json {
            return write_json(out, &entries);
        }
        let tz = config.calendar.zones[0];
        for p in &plan {
            let who = match &p.facilitator {
                Some(m) => format!("{} <{}>", m.name, m.email),
                None => "nobody (every member is away)".into(),
            };
            line(
                out,
                format_args!("{}  {who}", local_time(p.summit.start.instant(), tz)),
            )?;
        }
        Ok(())
    }

    fn draft(
        &self,
        step: Step,
        date: Option<chrono::NaiveDate>,
        dir: Option<&Path>,
        out: &mut dyn Write,
    ) -> Result<()> {
        let config = self.config()?;
        config.members()?;
        config.mail()?;
        let templates = Templates::load(config.mail()?.templates.as_deref())?;
        let cal = self.calendar(&config)?;
        let (planned, next) = self.find_summit(step, &config, &cal, date)?;
        let drafts = mail::draft(step, &planned, next.as_ref(), &config, &templates, self.now)?;
        match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
                for d in &drafts {
                    let path: PathBuf = dir.join(format!("{}.eml", d.file_stem));
                    write_atomically(&path, &d.formatted())?;
                }
                Ok(())
            }
            None => {
                for (i, d) in drafts.iter().enumerate() {
                    if i > 0 {
                        line(out, format_args!("-----"))?;
                    }
                    let text = String::from_utf8_lossy(&d.formatted()).replace("\r\n", "\n");
                    write_out(out, text.as_bytes())?;
                }
                Ok(())
            }
        }
    }

    /// The summit to draft `step` for, and the summit after it.
    ///
    /// With `date`, the summit on that date. Without, the earliest summit whose `step`
    /// is still open at now ([`timeline::window_end`]): the next summit for the steps
    /// before it, and for the handover the last summit held, until the next summit's
    /// reminder is due.
    fn find_summit(
        &self,
        step: Step,
        config: &Config,
        cal: &Calendar,
        date: Option<chrono::NaiveDate>,
    ) -> Result<(Planned, Option<Planned>)> {
        // `plan` is a pure function of config and feed: planning from an earlier anchor
        // gives the same facilitators as planning from now.
        let (anchor, count) = match date {
            Some(d) => (d.and_hms_opt(0, 0, 0).expect("midnight").and_utc(), 2),
            None => (
                self.now - chrono::Duration::days(HANDOVER_LOOKBACK_DAYS),
                16,
            ),
        };
        let ctx = Context {
            cli: self.cli,
            now: anchor,
        };
        let plan = ctx.plan(config, cal, count);
        if let Some(d) = date {
            let mut it = plan.into_iter();
            return match it.next() {
                Some(p) if p.summit.start.date_utc() == d => Ok((p, it.next())),
                Some(p) => Err(Error::NoSummit(format!(
                    "no summit on {d} (UTC) matches calendar.summit `{}`; the next one after it is on {}",
                    config.calendar.summit.as_str(),
                    p.summit.start.date_utc()
                ))),
                None => Err(no_summit(config, anchor)),
            };
        }
        let mut it = plan.into_iter().peekable();
        while let Some(p) = it.next() {
            let next = it.peek();
            let open =
                timeline::window_end(step, &p.summit, next.map(|n| &n.summit), &config.timeline)
                    .is_none_or(|end| self.now < end);
            if open {
                return Ok((p, it.next()));
            }
        }
        Err(no_summit(config, self.now))
    }
}

/// How far back the handover looks for the summit it follows.
const HANDOVER_LOOKBACK_DAYS: i64 = 92;

fn no_summit(config: &Config, now: DateTime<Utc>) -> Error {
    Error::NoSummit(format!(
        "no summit at or after {} matches calendar.summit `{}` within {} days",
        calendar::When::Timed(now),
        config.calendar.summit.as_str(),
        Window::DEFAULT_HORIZON_DAYS
    ))
}

#[derive(Serialize)]
struct SummitJson {
    uid: String,
    summary: String,
    start: calendar::When,
    end: calendar::When,
}

impl From<&Occurrence> for SummitJson {
    fn from(o: &Occurrence) -> Self {
        SummitJson {
            uid: o.uid.clone(),
            summary: o.summary.clone(),
            start: o.start,
            end: o.end,
        }
    }
}

#[derive(Serialize)]
struct PersonJson {
    name: String,
    email: String,
}

#[derive(Serialize)]
struct StepJson {
    step: &'static str,
    due: calendar::When,
    to: Vec<String>,
}

#[derive(Serialize)]
struct NextJson {
    summit: SummitJson,
    facilitator: Option<PersonJson>,
    steps: Vec<StepJson>,
}

#[derive(Serialize)]
struct WhoJson {
    start: calendar::When,
    name: Option<String>,
    email: Option<String>,
}

fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

fn one_line(s: &str) -> String {
    mail::render::one_line(s)
}

fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

fn write_json(out: &mut dyn Write, value: &impl Serialize) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).expect("JSON of plain data");
    text.push('\n');
    write_out(out, text.as_bytes())
}

fn line(out: &mut dyn Write, args: std::fmt::Arguments<'_>) -> Result<()> {
    write_out(out, format!("{args}\n").as_bytes())
}

/// Writes to standard output; a closed pipe (`summit … | head`) is not an error.
fn write_out(out: &mut dyn Write, bytes: &[u8]) -> Result<()> {
    match out.write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| Error::io("<standard output>", e)),
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader never
/// sees half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile_in(dir)?;
    tmp.1.write_all(bytes).map_err(|e| Error::io(&tmp.0, e))?;
    tmp.1.sync_all().map_err(|e| Error::io(&tmp.0, e))?;
    drop(tmp.1);
    std::fs::rename(&tmp.0, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp.0);
        Error::io(path, e)
    })
}

fn tempfile_in(dir: &Path) -> Result<(PathBuf, std::fs::File)> {
    for attempt in 0..100u32 {
        let path = dir.join(format!(".summit-{}-{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Err(Error::io(
        dir,
        std::io::Error::other("cannot create a temporary file"),
    ))
}
