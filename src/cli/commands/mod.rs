//! What each command does: load what it needs (config, feed), call the pure parts, and
//! print human or `--json` output.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::agenda::{Agenda, Unreadable};
use crate::calendar::fetch::{CacheOptions, Source};
use crate::calendar::{self, Calendar, Window};
use crate::cli::args::{Cli, Command};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ledger::{Entry, Ledger};
use crate::mail::{self, Templates};
use crate::model::Kind;
use crate::model::Occurrence;
use crate::model::OccurrenceKey;
use crate::model::State;
use crate::model::{Step, timeline};
use crate::plan::rotation::Basis;
use crate::plan::summit::{self, Planned};
use crate::send::delivery::{self, Notice, Plan, Setup, Summits};
use crate::store::{self, LOCK_WAIT, Lock, write_atomically};

mod check;
mod ledger;

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
        Command::Who { count, tz } => ctx.who(*count, *tz, out),
        Command::Rota {
            ics,
            count,
            out: file,
            tz,
        } => ctx.rota(*ics, *count, file.as_deref(), *tz, out),
        Command::Draft {
            step,
            summit,
            out: dir,
        } => ctx.draft(*step, *summit, dir.as_deref(), out),
        Command::Send {
            step,
            summit,
            dry_run,
            retry,
            yes,
        } => ctx.send(
            *step,
            *summit,
            SendFlags {
                dry_run: *dry_run,
                retry: *retry,
                yes: *yes,
            },
            out,
        ),
        Command::Tick { dry_run, retry } => ctx.tick(*dry_run, *retry, out),
        Command::Check { connect } => ctx.check(*connect, out),
        Command::Timeline { summit, tz } => ctx.timeline(*summit, *tz, out),
        Command::Checklist { summit } => ctx.checklist(*summit, out),
        Command::Ledger(args) => ctx.ledger(args, out),
        Command::Completions { shell } => {
            // Generated into memory: clap_complete panics when its writer fails.
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "summit", &mut script);
            write_out(out, &script)
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
        let mut config = self.config_file()?;
        self.with_announced(&mut config);
        Ok(config)
    }

    /// The configuration file alone, without the facilitators the ledger says were
    /// announced (`tick` and `send` add those from the ledger they lock).
    fn config_file(&self) -> Result<Config> {
        match &self.cli.config {
            Some(path) => Config::load(path),
            None => Err(Error::Usage(
                "no configuration: pass `--config PATH` or set SUMMIT_CONFIG (see examples/summit.toml)".into(),
            )),
        }
    }

    /// Adds to the rotation of `config` the facilitators that sent messages named (the
    /// send ledger in the state directory, read without its lock): announced is
    /// final. A ledger that cannot be read is said in a warning, and left out.
    fn with_announced(&self, config: &mut Config) {
        let Ok(dir) = store::resolve_dir(self.cli.state_dir.as_deref()) else {
            return;
        };
        let path = dir.join(crate::ledger::FILE);
        if !path.exists() {
            return;
        }
        match Ledger::load(&path) {
            Ok(l) => config
                .rotation
                .history
                .with_announced(delivery::announced_facilitators(&l)),
            Err(e) => crate::terminal::warn(&format!(
                "{e}; the facilitators that sent messages named are not taken into account"
            )),
        }
    }

    /// The feed named by `--feed` or `calendar.feed`.
    fn source(&self, config: &Config) -> Result<Source> {
        match (&self.cli.feed, &config.calendar.feed) {
            (Some(f), _) => Source::parse(f, None),
            (None, Some(f)) => Source::parse(f, Some(&config.dir)),
            (None, None) => Err(Error::Usage(
                "no feed: pass `--feed URL|PATH|-`, set SUMMIT_FEED, or set calendar.feed in the configuration".into(),
            )),
        }
    }

    /// Reads and parses the feed named by `--feed` or `calendar.feed`.
    fn calendar(&self, config: &Config) -> Result<Calendar> {
        let source = self.source(config)?;
        let (cal, _) = self.read_feed(config, &source, None, false)?;
        warn_all(&cal.warnings);
        Ok(cal)
    }

    /// Reads and parses the feed through the cache in the state directory `dir` (see
    /// [`Source::read_cached`]). A warning that the cached copy stood in is printed now;
    /// the feed's own warnings are returned, for `tick` to print only when it has
    /// something else to say.
    fn cached_calendar(
        &self,
        config: &Config,
        dir: &Path,
        write: bool,
    ) -> Result<(Calendar, Vec<String>)> {
        let source = self.source(config)?;
        let (cal, warning) = self.read_feed(config, &source, Some(dir), write)?;
        if let Some(w) = warning {
            crate::terminal::warn(&w);
        }
        let warnings = cal.warnings.clone();
        Ok((cal, warnings))
    }

    /// Reads and parses `source`: through the cache in the state directory `dir` when
    /// given (updated when `write`; see [`Source::read_cached`]), else directly. Prints
    /// nothing; returns the warning that the cached copy stood in, if it did.
    fn read_feed(
        &self,
        config: &Config,
        source: &Source,
        dir: Option<&Path>,
        write: bool,
    ) -> Result<(Calendar, Option<String>)> {
        let name = source.name();
        let parse = |bytes: &[u8]| calendar::parse(bytes, &name, config.calendar.default_tz);
        match dir {
            Some(dir) => {
                let options = CacheOptions {
                    dir: dir.to_path_buf(),
                    now: self.now,
                    max_age: config.calendar.cache_max_age,
                    write,
                    timeout: config.calendar.fetch_timeout,
                };
                source.read_cached(&options, parse)
            }
            None => parse(&source.read(config.calendar.fetch_timeout)?).map(|c| (c, None)),
        }
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

    /// The summit of the day (in progress at now, else the next one) and the summits
    /// after it, `count` in all, with their facilitators ([`summit::plan_current`]).
    fn plan_current(&self, config: &Config, cal: &Calendar, count: usize) -> Vec<Planned> {
        let mut warnings = Vec::new();
        let plan = summit::plan_current(cal, config, self.now, count, &mut warnings);
        warn_all(&warnings);
        plan
    }

    fn next(&self, count: usize, out: &mut dyn Write) -> Result<()> {
        let mut config = self.config()?;
        config.members()?;
        let cal = self.calendar(&config)?;
        self.load_agenda(&mut config, &cal, true);
        warn_all(&agenda_warnings(&config));
        let mut warnings = Vec::new();
        let rota = summit::rota_current(&cal, &config, self.now, count, &mut warnings);
        warn_all(&warnings);
        if rota.is_empty() {
            return Err(no_summit(&config, self.now));
        }
        let record = &config.rotation.history.entries;
        let plan: Vec<&Planned> = rota.iter().map(|(p, _)| p).collect();
        let entries: Vec<NextJson> = rota
            .iter()
            .map(|(p, basis)| {
                let (steps, extra_steps) = timeline::schedule(&p.summit, &config.timeline)
                    .into_iter()
                    .filter(|(step, _)| listed(*step, p, &config))
                    .map(|(step, due)| {
                        let to = mail::recipients(step, p, &config);
                        StepJson {
                            step: step.name(),
                            due: calendar::When::Timed(due),
                            to: to
                                .as_ref()
                                .map(|to| to.iter().map(ToString::to_string).collect())
                                .unwrap_or_default(),
                            error: agenda_fault(to.as_ref().err()),
                        }
                    })
                    .partition(|s| Step::CONTRACT.iter().any(|c| c.name() == s.step));
                NextJson {
                    now: summit::in_progress(&p.summit, self.now),
                    summit: SummitJson::from(&p.summit),
                    facilitator: p.facilitator.as_ref().map(|m| PersonJson {
                        name: m.name.clone(),
                        email: m.email.to_string(),
                    }),
                    decided: decided(*basis, record),
                    steps,
                    extra_steps,
                }
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
            let on = if e.now { "  (now on)" } else { "" };
            line(out, format_args!("{}{on}", one_line(&p.summit.summary)))?;
            for t in mail::zone_times(p.summit.start.instant(), zones) {
                line(
                    out,
                    format_args!("  {}  {} ({})", t.local, t.abbrev, t.zone),
                )?;
            }
            match &p.facilitator {
                Some(m) => line(
                    out,
                    format_args!(
                        "  Facilitator: {} <{}>{}",
                        m.name,
                        m.email,
                        match e.decided {
                            Some("announced") => "  (announced by summit)",
                            Some("record") => "  (announced)",
                            Some("pin") => "  (pinned)",
                            _ => "",
                        }
                    ),
                )?,
                None => line(
                    out,
                    format_args!("  Facilitator: nobody (every member is away)"),
                )?,
            }
            line(out, format_args!("  Timeline:"))?;
            let mut all: Vec<&StepJson> = e.steps.iter().chain(&e.extra_steps).collect();
            all.sort_by_key(|s| s.due);
            for s in all {
                let due = s.due.instant();
                let local = local_time(due, zones[0]);
                let state = if due <= self.now { "  (due)" } else { "" };
                let to = if let Some(e) = &s.error {
                    format!("  to ? ({e})")
                } else if s.to.is_empty() {
                    String::new()
                } else {
                    format!("  to {}", s.to.join(", "))
                };
                line(out, format_args!("    {:<12} {local}{to}{state}", s.step))?;
            }
        }
        Ok(())
    }

    /// The next `count` summits with their facilitators and why, as `who` and `rota`
    /// show them.
    ///
    /// With `current`, from the summit of the day (one in progress at now comes first,
    /// [`summit::rota_current`]), as `who` shows them.
    fn rota_entries(&self, count: usize, current: bool) -> Result<(Config, Vec<(Planned, Basis)>)> {
        let config = self.config()?;
        config.members()?;
        let cal = self.calendar(&config)?;
        let mut warnings = Vec::new();
        let plan = if current {
            summit::rota_current(&cal, &config, self.now, count, &mut warnings)
        } else {
            summit::rota(&cal, &config, self.now, count, &mut warnings)
        };
        warn_all(&warnings);
        if plan.is_empty() {
            return Err(no_summit(&config, self.now));
        }
        Ok((config, plan))
    }

    fn who(&self, count: usize, tz: Option<Tz>, out: &mut dyn Write) -> Result<()> {
        let (config, plan) = self.rota_entries(count, true)?;
        self.print_rota(&plan, &config.rotation.history.entries, tz, out)
    }

    /// `who` and `rota` without `--ics`: `--json`, or one line per summit in `tz`.
    fn print_rota(
        &self,
        plan: &[(Planned, Basis)],
        record: &[crate::record::Entry],
        tz: Option<Tz>,
        out: &mut dyn Write,
    ) -> Result<()> {
        if self.cli.json {
            let entries: Vec<WhoJson> = plan
                .iter()
                .map(|(p, basis)| WhoJson {
                    start: p.summit.start,
                    name: p.facilitator.as_ref().map(|m| m.name.clone()),
                    email: p.facilitator.as_ref().map(|m| m.email.to_string()),
                    decided: decided(*basis, record),
                    now: summit::in_progress(&p.summit, self.now),
                })
                .collect();
            return write_json(out, &entries);
        }
        let tz = tz.unwrap_or_else(system_zone);
        for (p, basis) in plan {
            let who = match &p.facilitator {
                Some(m) => format!("{} <{}>", m.name, m.email),
                None => "nobody (every member is away)".into(),
            };
            let how = match basis {
                Basis::Recorded(r) if announced(record, *r) => "  (announced by summit)",
                Basis::Recorded(_) => "  (announced)",
                Basis::Pinned => "  (pinned)",
                _ => "",
            };
            let on = if summit::in_progress(&p.summit, self.now) {
                "  (now on)"
            } else {
                ""
            };
            line(
                out,
                format_args!(
                    "{}  {who}{how}{on}",
                    local_time(p.summit.start.instant(), tz)
                ),
            )?;
        }
        Ok(())
    }

    fn rota(
        &self,
        ics: bool,
        count: usize,
        file: Option<&Path>,
        tz: Option<Tz>,
        out: &mut dyn Write,
    ) -> Result<()> {
        let (config, plan) = self.rota_entries(count, false)?;
        if !ics {
            if let Some(f) = file {
                return Err(Error::Usage(format!(
                    "--out `{}` needs --ics, expected `summit rota --ics --out FILE`",
                    f.display()
                )));
            }
            return self.print_rota(&plan, &config.rotation.history.entries, tz, out);
        }
        let name = format!("{} summit facilitators", config.project.name);
        let text = crate::mail::rota::ics(&plan, &name, self.now);
        match file {
            Some(f) => write_atomically(f, text.as_bytes()),
            None => write_out(out, text.as_bytes()),
        }
    }

    fn draft(
        &self,
        step: Step,
        date: Option<chrono::NaiveDate>,
        dir: Option<&Path>,
        out: &mut dyn Write,
    ) -> Result<()> {
        let mut config = self.config()?;
        config.members()?;
        config.mail()?;
        let templates = Templates::load(config.mail()?.templates.as_deref())?;
        let cal = self.calendar(&config)?;
        self.with_agenda(&mut config, &cal)?;
        let (planned, next) = self.find_summit(step, &config, &cal, date)?;
        let drafts = mail::draft(step, &planned, next.as_ref(), &config, &templates, self.now)?;
        // A draft that needs the agenda failed above with what is wrong with it.
        warn_all(&agenda_warnings(&config));
        if matches!(step, Step::Outreach | Step::Checklist)
            && let Some(w) = mail::unreached_warning(&planned, &config)
        {
            warn_all(&[w]);
        }
        if drafts.is_empty() {
            let date = planned.summit.start.date_utc();
            return Err(if step == Step::Checklist {
                Error::Usage(format!(
                    "the checklist of the summit on {date} has no recipient: it goes to the facilitator only with an agenda, expected `--agenda FILE` or agenda.file (`summit checklist` prints the run-sheet without one)"
                ))
            } else {
                Error::NoSummit(format!(
                    "the {step} of the summit on {date} has no recipient: no topic of the agenda with an owner's address was proposed before the topic deadline"
                ))
            });
        }
        match dir {
            Some(dir) => {
                store::create_folder(dir)?;
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
                    write_out(out, crate::terminal::text(&text).as_bytes())?;
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
                self.now - chrono::Duration::days(delivery::LOOKBACK_DAYS),
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

impl Context<'_> {
    /// Loads the agenda named by `--agenda` or `agenda.file`, if any, into `config`, tied
    /// to the summit its file names (TOML `summit`) or else to the next summit at now;
    /// see [`Context::load_agenda`]. Never fails: a file that cannot be loaded is
    /// recorded in `config.agenda.error`.
    fn with_agenda(&self, config: &mut Config, cal: &Calendar) -> Result<()> {
        self.load_agenda(config, cal, false);
        Ok(())
    }

    /// Loads the agenda named by `--agenda` or `agenda.file`, if any, into `config`
    /// (`config.agenda.loaded`), tied to the summit its file names (TOML `summit`) or
    /// else to the next summit at now; with `ongoing`, to the summit of the day (one in
    /// progress at now, else the next), as the display commands show it. A `proposed-at`
    /// date counts from the start of that day in the first of `calendar.zones`.
    ///
    /// A file that cannot be loaded is recorded in `config.agenda.error`, tied the same
    /// way, instead of failing the command: only the outreach and the checklist of that
    /// summit fail with it ([`mail::agenda_error`]).
    fn load_agenda(&self, config: &mut Config, cal: &Calendar, ongoing: bool) {
        let path = match (&self.cli.agenda, &config.agenda.file) {
            (Some(p), _) => p.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => return,
        };
        // The feed's warnings are reported by the command's own planning.
        let tie = |config: &Config| {
            let plan = if ongoing {
                summit::plan_current(cal, config, self.now, 1, &mut Vec::new())
            } else {
                summit::plan(cal, config, self.now, 1, &mut Vec::new())
            };
            plan.first().map(|p| p.summit.start.date_utc())
        };
        match Agenda::load(&path, config.calendar.zones[0]) {
            Ok(mut agenda) => {
                if agenda.summit.is_none() {
                    agenda.summit = tie(config);
                }
                config.agenda.loaded = Some(agenda);
            }
            Err(e) => {
                let message = match e {
                    Error::Agenda { message, .. } => message,
                    e => e.to_string(),
                };
                config.agenda.error = Some(Unreadable {
                    path,
                    message,
                    summit: tie(config),
                });
            }
        }
    }

    /// The summit `timeline` and `checklist` show, with the summit after it: the one on
    /// `date` (UTC), else the summit of the day (in progress at now, else the next).
    fn summit_of_the_day(
        &self,
        config: &Config,
        cal: &Calendar,
        date: Option<chrono::NaiveDate>,
    ) -> Result<(Planned, Option<Planned>)> {
        if date.is_some() {
            return self.find_summit(Step::Reminder, config, cal, date);
        }
        let mut plan = self.plan_current(config, cal, 2).into_iter();
        match plan.next() {
            Some(p) => Ok((p, plan.next())),
            None => Err(no_summit(config, self.now)),
        }
    }

    /// `summit timeline`: every step of a summit, its due time, audience and state.
    fn timeline(
        &self,
        date: Option<chrono::NaiveDate>,
        tz: Option<Tz>,
        out: &mut dyn Write,
    ) -> Result<()> {
        let mut config = self.config()?;
        config.members()?;
        let cal = self.calendar(&config)?;
        self.load_agenda(&mut config, &cal, true);
        warn_all(&agenda_warnings(&config));
        // The summit of the day, until it ends (or the one on `date`).
        let (planned, next) = self.summit_of_the_day(&config, &cal, date)?;
        let dir = store::resolve_dir(self.cli.state_dir.as_deref())?;
        let ledger = Ledger::load(&dir.join(crate::ledger::FILE))?;
        let rows: Vec<TimelineJson> = timeline::schedule(&planned.summit, &config.timeline)
            .into_iter()
            .filter(|(step, _)| listed(*step, &planned, &config))
            .map(|(step, due)| {
                let to = mail::recipients(step, &planned, &config);
                let error = agenda_fault(to.as_ref().err());
                let to = to.unwrap_or_default();
                let until = timeline::window_end(
                    step,
                    &planned.summit,
                    next.as_ref().map(|n| &n.summit),
                    &config.timeline,
                );
                let groups: Vec<Vec<lettre::message::Mailbox>> = if step == Step::Outreach {
                    to.iter().map(|m| vec![m.clone()]).collect()
                } else {
                    vec![to.clone()]
                };
                let entries: Vec<Option<&Entry>> = groups
                    .iter()
                    .map(|g| ledger.get(&delivery::step_key(&planned.summit, step, g)))
                    .collect();
                let sent = !entries.is_empty()
                    && entries
                        .iter()
                        .all(|e| e.is_some_and(|e| e.state == State::Sent));
                let closed = until.is_some_and(|u| self.now >= u);
                let state = if sent {
                    "sent"
                } else if entries
                    .iter()
                    .any(|e| e.is_some_and(|e| e.state == State::Missed))
                    || closed
                {
                    "missed"
                } else if due <= self.now {
                    "due"
                } else {
                    "upcoming"
                };
                let sent_at = entries
                    .iter()
                    .filter_map(|e| e.and_then(|e| e.sent_at))
                    .max()
                    .filter(|_| sent)
                    .map(calendar::When::Timed);
                TimelineJson {
                    step: step.name(),
                    due: calendar::When::Timed(due),
                    to: to.iter().map(ToString::to_string).collect(),
                    state,
                    sent_at,
                    error,
                }
            })
            .collect();
        if self.cli.json {
            return write_json(out, &rows);
        }
        let zone = tz.unwrap_or(config.calendar.zones[0]);
        let on = if summit::in_progress(&planned.summit, self.now) {
            "  (now on)"
        } else {
            ""
        };
        line(
            out,
            format_args!(
                "{} on {}{on}",
                one_line(&planned.summit.summary),
                local_time(planned.summit.start.instant(), zone)
            ),
        )?;
        for r in &rows {
            let state = match r.sent_at {
                Some(t) => format!("sent at {}", local_time(t.instant(), zone)),
                None => r.state.to_string(),
            };
            let to = if let Some(e) = &r.error {
                format!("? ({e})")
            } else if r.to.is_empty() {
                "-".to_string()
            } else {
                r.to.join(", ")
            };
            line(
                out,
                format_args!(
                    "  {:<12} {}  {state:<8}  to {to}",
                    r.step,
                    local_time(r.due.instant(), zone)
                ),
            )?;
        }
        Ok(())
    }

    /// `summit checklist`: the facilitator's run-sheet for the day.
    fn checklist(&self, date: Option<chrono::NaiveDate>, out: &mut dyn Write) -> Result<()> {
        let mut config = self.config()?;
        config.members()?;
        let templates = Templates::load(config.mail.as_ref().and_then(|m| m.templates.as_deref()))?;
        let cal = self.calendar(&config)?;
        self.load_agenda(&mut config, &cal, true);
        warn_all(&agenda_warnings(&config));
        // The summit of the day, until it ends (or the one on `date`).
        let (planned, next) = self.summit_of_the_day(&config, &cal, date)?;
        let rendered = mail::checklist(&planned, next.as_ref(), &config, &templates, self.now)?;
        write_out(out, crate::terminal::text(&rendered.body).as_bytes())
    }
}

/// Whether `step` belongs in the listed timeline of `p`: the checklist step only when an
/// agenda applies, or was to apply but cannot be read (without one the outreach is the
/// facilitator's checklist).
fn listed(step: Step, p: &Planned, config: &Config) -> bool {
    step != Step::Checklist
        || mail::ranked_agenda(p, config).is_some()
        || mail::agenda_error(step, p, config).is_some()
}

/// The warnings about the agenda: the file cannot be loaded (one line), or it was
/// loaded with something worth a look (an owner address that does not parse).
fn agenda_warnings(config: &Config) -> Vec<String> {
    let a = &config.agenda;
    a.error
        .iter()
        .map(Unreadable::warning)
        .chain(a.loaded.iter().flat_map(|l| l.warnings.iter().cloned()))
        .collect()
}

/// `agenda unreadable` when `error` is the agenda's: the note `next` and `timeline`
/// show for a step whose recipients the agenda decides (the warning says why).
fn agenda_fault(error: Option<&Error>) -> Option<String> {
    matches!(error, Some(Error::Agenda { .. })).then(|| "agenda unreadable: see the warning".into())
}

/// One row of `summit timeline --json`.
#[derive(Serialize)]
struct TimelineJson {
    step: &'static str,
    due: calendar::When,
    to: Vec<String>,
    /// `sent`, `due`, `upcoming` or `missed`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_at: Option<calendar::When>,
    /// Why the recipients are unknown (the agenda file cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl Context<'_> {
    /// What `tick` and `send` both need before planning: the configuration with its
    /// roster and `[mail]`, the templates (so a broken one stops the run before anything
    /// is recorded), the SMTP password (not for `--dry-run`: read before the lock, so a
    /// password command that hangs until its deadline never holds it), the state
    /// directory, its lock (not for `--dry-run`) and the ledger.
    fn delivery_setup(&self, dry_run: bool) -> Result<Setup> {
        let mut config = self.config_file()?;
        config.members()?;
        let mail_config = config.mail()?;
        let templates = Templates::load(mail_config.templates.as_deref())?;
        let password = match mail_config.transport {
            crate::config::Transport::Smtp if !dry_run => {
                crate::send::transport::password(&mail_config.smtp)?
            }
            _ => None,
        };
        let dir = store::resolve_dir(self.cli.state_dir.as_deref())?;
        let lock = if dry_run {
            None
        } else {
            Some(Lock::acquire(&dir, LOCK_WAIT)?)
        };
        let ledger_path = dir.join(crate::ledger::FILE);
        let mut ledger = Ledger::load(&ledger_path)?;
        // Announced as the ledger says under the lock.
        config
            .rotation
            .history
            .with_announced(delivery::announced_facilitators(&ledger));
        let fresh = ledger.since.is_none();
        if fresh {
            ledger.since = Some(self.now);
        }
        Ok(Setup {
            config,
            templates,
            password,
            dir,
            lock,
            ledger_path,
            ledger,
            fresh,
        })
    }

    fn tick(&self, dry_run: bool, retry: bool, out: &mut dyn Write) -> Result<()> {
        let mut setup = self.delivery_setup(dry_run)?;
        let (cal, mut warnings) = self.cached_calendar(&setup.config, &setup.dir, !dry_run)?;
        self.with_agenda(&mut setup.config, &cal)?;
        // Printed with the feed's, only when the run has something to say.
        warnings.extend(agenda_warnings(&setup.config));
        let summits =
            match Summits::collect(&cal, &setup.config, &setup.ledger, self.now, &mut warnings) {
                Ok(s) => s,
                Err(e) => {
                    // What is wrong with the feed may explain the error.
                    let mut seen = std::collections::HashSet::new();
                    warnings.retain(|w| seen.insert(w.clone()));
                    warn_all(&warnings);
                    return Err(e);
                }
            };
        // Owners with no address and no facilitator's checklist to list them: say so while
        // their outreach is due.
        warnings.extend(
            summits
                .planned
                .iter()
                .filter(|p| {
                    let due = Step::Outreach.due(&p.summit, &setup.config.timeline);
                    due <= self.now && self.now < p.summit.start.instant()
                })
                .filter_map(|p| mail::unreached_warning(p, &setup.config)),
        );
        // The feed re-created summits under a new UID: their entries follow them, said
        // once per series (the next run finds nothing to move).
        let mut by_series: std::collections::BTreeMap<(&str, &str), (Vec<String>, usize)> =
            std::collections::BTreeMap::new();
        for (old, new) in &summits.renamed {
            let moved = setup.ledger.rekey(old, new);
            setup.fresh = true;
            let date = summits
                .planned
                .iter()
                .find(|p| OccurrenceKey::of(&p.summit) == *new)
                .map_or_else(
                    || "?".to_string(),
                    |p| p.summit.start.date_utc().to_string(),
                );
            let (dates, entries) = by_series.entry((&old.uid, &new.uid)).or_default();
            dates.push(date);
            *entries += moved;
        }
        for ((old, new), (dates, moved)) in by_series {
            crate::terminal::warn(&format!(
                "the {} on {} {} in the feed under the UID `{}` now, no longer `{}`: taken as the same {} ({moved} ledger entr{} moved), so nothing already sent about {} is sent again",
                if dates.len() == 1 {
                    "summit"
                } else {
                    "summits"
                },
                dates.join(", "),
                if dates.len() == 1 { "is" } else { "are" },
                crate::text::one_line(new),
                crate::text::one_line(old),
                if dates.len() == 1 {
                    "summit"
                } else {
                    "summits"
                },
                if moved == 1 { "y" } else { "ies" },
                if dates.len() == 1 { "it" } else { "them" },
            ));
        }
        let mail = setup.config.mail()?;
        let plan = delivery::plan(
            &summits,
            &setup.ledger,
            &setup.config,
            mail,
            self.now,
            retry,
        );
        self.carry_out(setup, plan, &warnings, dry_run, out)
    }

    fn send(
        &self,
        step: Step,
        date: Option<chrono::NaiveDate>,
        flags: SendFlags,
        out: &mut dyn Write,
    ) -> Result<()> {
        let SendFlags {
            dry_run,
            retry,
            yes,
        } = flags;
        let mut setup = self.delivery_setup(dry_run)?;
        let (cal, warnings) = self.cached_calendar(&setup.config, &setup.dir, !dry_run)?;
        self.with_agenda(&mut setup.config, &cal)?;
        let config = &setup.config;
        let (planned, next) = self.find_summit(step, config, &cal, date)?;
        if delivery::before_start(&planned, config) {
            return Err(Error::NoSummit(format!(
                "the summit on {} is before rotation.start {}, so nothing of it is sent; expected a summit from rotation.start on",
                planned.summit.start.date_utc(),
                config
                    .rotation
                    .start
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            )));
        }
        if let Some(end) = timeline::window_end(
            step,
            &planned.summit,
            next.as_ref().map(|n| &n.summit),
            &config.timeline,
        ) && self.now >= end
        {
            return Err(Error::NoSummit(format!(
                "the {step} of the summit on {} stopped being useful at {} (its window closed), so it is not sent; expected a step whose window is open",
                planned.summit.start.date_utc(),
                calendar::When::Timed(end)
            )));
        }
        let mut plan = Plan::default();
        delivery::plan_step(
            &mut plan,
            &planned,
            next.as_ref(),
            step,
            &setup.ledger,
            config,
            config.mail()?,
            self.now,
            retry,
        );
        // What was already sent is said, and not sent again.
        let occ = OccurrenceKey::of(&planned.summit);
        plan.notices.extend(
            setup
                .ledger
                .of_occurrence(&occ)
                .filter(|e| e.key.kind == Kind::Step(step) && e.state == State::Sent)
                .cloned()
                .map(Notice::AlreadySent),
        );
        if !dry_run && !plan.sends.is_empty() {
            let due = step.due(&planned.summit, &config.timeline);
            let nearest = match date {
                None => true,
                Some(_) => self
                    .find_summit(step, config, &cal, None)
                    .is_ok_and(|(p, _)| OccurrenceKey::of(&p.summit) == occ),
            };
            let mut surprises = Vec::new();
            if self.now < due {
                surprises.push(format!(
                    "it is not due until {}",
                    calendar::When::Timed(due)
                ));
            }
            if !nearest {
                surprises.push("this summit is not the nearest one whose step is open".to_string());
            }
            if !surprises.is_empty() && !yes {
                let what = format!(
                    "the {step} of the summit on {}: {}",
                    planned.summit.start.date_utc(),
                    surprises.join(", and ")
                );
                confirm(&what)?;
            }
        }
        self.carry_out(setup, plan, &warnings, dry_run, out)
    }

    /// Carries out `plan` ([`crate::send::carry_out`]), printing what it says and,
    /// with `--json`, its records; what went wrong with single messages is the error.
    fn carry_out(
        &self,
        setup: Setup,
        plan: Plan,
        feed_warnings: &[String],
        dry_run: bool,
        out: &mut dyn Write,
    ) -> Result<()> {
        let json = self.cli.json;
        let mut said = Said { out, json };
        let report =
            crate::send::carry_out(setup, plan, feed_warnings, dry_run, self.now, &mut said)?;
        if json {
            write_json(said.out, &report.records)?;
        }
        report.result()
    }
}

/// What a delivery run says: warnings on standard error, lines on standard output
/// unless `--json`.
struct Said<'a> {
    out: &'a mut dyn Write,
    json: bool,
}

impl crate::send::Progress for Said<'_> {
    fn warn(&mut self, warnings: &[String]) {
        warn_all(warnings);
    }

    fn say(&mut self, text: &str) -> Result<()> {
        if self.json {
            return Ok(());
        }
        line(self.out, format_args!("{text}"))
    }
}

/// The flags of `summit send`.
#[derive(Clone, Copy)]
struct SendFlags {
    dry_run: bool,
    retry: bool,
    yes: bool,
}

/// How long `send` waits for an answer at its terminal prompt.
const CONFIRM_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

/// Asks on the terminal whether to send `what` now; without a terminal (cron, a
/// script), refuses and names `--yes`.
///
/// # Errors
/// [`Error::Usage`] when there is no terminal, when the answer is not yes, or when no
/// answer comes within five minutes.
fn confirm(what: &str) -> Result<()> {
    use std::io::IsTerminal;
    let refused = |why: &str| {
        Error::Usage(format!(
            "not sending {}; {why}",
            crate::text::one_line(what)
        ))
    };
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(refused("pass `--yes` to send it anyway"));
    }
    eprint!(
        "Send {} now? [y/N] ",
        crate::terminal::line(&crate::text::one_line(what))
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut answer = String::new();
        let _ = tx.send(std::io::stdin().read_line(&mut answer).map(|_| answer));
    });
    match rx.recv_timeout(CONFIRM_WAIT) {
        Ok(Ok(a)) if matches!(a.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Ok(()),
        Ok(_) => Err(refused(
            "the answer was not yes (`--yes` sends without asking)",
        )),
        Err(_) => {
            eprintln!();
            Err(refused(
                "no answer came within 5 minutes (`--yes` sends without asking)",
            ))
        }
    }
}

/// How a facilitator was decided, as `who --json` and `next --json` say it:
/// `announced` (a message summit sent named them), `record`, `pin`, `rotation`, or
/// `None` (nobody, cancelled, before `rotation.start`).
fn decided(basis: Basis, record: &[crate::record::Entry]) -> Option<&'static str> {
    match basis {
        Basis::Recorded(r) if announced(record, r) => Some("announced"),
        Basis::Recorded(_) => Some("record"),
        Basis::Pinned => Some("pin"),
        Basis::Rotation => Some("rotation"),
        _ => None,
    }
}

/// Whether record entry `r` is a facilitator a sent message named.
fn announced(record: &[crate::record::Entry], r: usize) -> bool {
    record
        .get(r)
        .is_some_and(|e| e.decided == crate::record::Decided::Announced)
}

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
    /// Why the recipients are unknown (the agenda file cannot be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct NextJson {
    /// Whether the summit is in progress at now (only when it is).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    now: bool,
    summit: SummitJson,
    facilitator: Option<PersonJson>,
    /// How the facilitator was decided: `announced`, `record`, `pin`, `rotation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    decided: Option<&'static str>,
    /// The timeline steps of CONTRACT.md, in due order.
    steps: Vec<StepJson>,
    /// The project's own steps (the assignment heads-up, the facilitator's checklist
    /// with an agenda), in due order: an extension kept apart so that `steps` stays as
    /// CONTRACT.md defines it.
    extra_steps: Vec<StepJson>,
}

#[derive(Serialize)]
struct WhoJson {
    start: calendar::When,
    name: Option<String>,
    email: Option<String>,
    /// How the facilitator was decided: `record`, `pin`, `rotation`, or null.
    decided: Option<&'static str>,
    /// Whether the summit is in progress at now (only when it is).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    now: bool,
}

/// The reader's zone: `TZ` when it names an IANA zone (`Europe/Berlin`,
/// `:Europe/Berlin`, or a path ending in `zoneinfo/Europe/Berlin`), else the system's
/// (`/etc/localtime`), else UTC.
fn system_zone() -> Tz {
    let parse = |s: &str| {
        let s = s.trim().trim_start_matches(':');
        let s = s.rsplit_once("zoneinfo/").map_or(s, |(_, z)| z);
        s.parse::<Tz>().ok()
    };
    if let Some(tz) = std::env::var("TZ").ok().as_deref().and_then(parse) {
        return tz;
    }
    iana_time_zone::get_timezone()
        .ok()
        .as_deref()
        .and_then(parse)
        .unwrap_or(Tz::UTC)
}

fn local_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

fn one_line(s: &str) -> String {
    crate::text::one_line(s)
}

/// Prints `warning: …` lines to standard error, escaped (see [`crate::terminal::warn_all`]).
fn warn_all(warnings: &[String]) {
    crate::terminal::warn_all(warnings);
}

fn write_json(out: &mut dyn Write, value: &impl Serialize) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value).expect("JSON of plain data");
    text.push('\n');
    write_out(out, crate::terminal::json(&text).as_bytes())
}

/// Writes one line of human output (or several, when `args` has newlines), escaped for
/// a terminal ([`crate::terminal::text`]).
fn line(out: &mut dyn Write, args: std::fmt::Arguments<'_>) -> Result<()> {
    write_out(out, crate::terminal::text(&format!("{args}\n")).as_bytes())
}

/// Writes to standard output; a closed pipe (`summit … | head`) is not an error (the
/// command goes on quietly and exits 0), any other failure (`ENOSPC`, `EIO`) is.
///
/// # Errors
/// [`Error::Io`] on `<standard output>` when the write fails but for a closed pipe.
pub(crate) fn write_out(out: &mut dyn Write, bytes: &[u8]) -> Result<()> {
    match out.write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| Error::io("<standard output>", e)),
    }
}

/// Flushes standard output at the end of a command, as [`write_out`] writes: a closed
/// pipe is not an error, a full disk is.
///
/// # Errors
/// [`Error::Io`] on `<standard output>` when the flush fails but for a closed pipe.
pub(crate) fn flush_out(out: &mut dyn Write) -> Result<()> {
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| Error::io("<standard output>", e)),
    }
}
