//! What every command works from: the global flags ([`Global`]) and the [`Session`]
//! built from them, which loads the configuration, the feed, the agenda and the state
//! directory when a command asks for them, and finds the summits the commands are about.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::printer::{warn, warn_all};
use super::show::agenda_warnings;
use super::values::{parse_instant, parse_now};
use crate::agenda::{Agenda, Unreadable};
use crate::calendar::fetch::{CacheOptions, Source};
use crate::calendar::{self, Calendar};
use crate::config::Config;
use crate::config::locate::{Found, Places};
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::model::Step;
use crate::plan::find::{self, SummitDate};
use crate::plan::inputs::Inputs;
use crate::plan::summit::{self, Planned};
use crate::record::Record;
use crate::send;
use crate::store;

/// The options every command takes (`../shared/CONTRACT.md`, "Binary and global
/// options").
#[derive(Debug, clap::Args)]
pub struct Global {
    /// The TOML configuration; relative paths inside it resolve against its folder.
    #[arg(long, env = "SUMMIT_CONFIG", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// The .ics feed: a URL, a path or `-` for standard input (overrides `calendar.feed`).
    #[arg(long, env = "SUMMIT_FEED", global = true, value_name = "URL|PATH|-")]
    pub feed: Option<String>,

    /// The instant treated as now: RFC 3339 (e.g. `2026-11-23T16:00:00Z`), a date
    /// `YYYY-MM-DD` (its 00:00 UTC), `today` or `tomorrow` (00:00 UTC of that day by the
    /// clock); default: the clock.
    #[arg(long, env = "SUMMIT_NOW", global = true, value_name = "RFC3339|DATE", value_parser = parse_now)]
    pub now: Option<DateTime<Utc>>,

    /// Where the send ledger, feed cache and lock live.
    #[arg(long, env = "SUMMIT_STATE_DIR", global = true, value_name = "PATH")]
    pub state_dir: Option<PathBuf>,

    /// The instant taken as the real clock when telling whether `--now` is a rehearsal
    /// (tests and replays; `SUMMIT_CLOCK`); default: the clock.
    #[arg(long, env = "SUMMIT_CLOCK", global = true, hide = true, value_name = "RFC3339", value_parser = parse_instant)]
    pub clock: Option<DateTime<Utc>>,

    /// Machine-readable output on standard output.
    #[arg(long, global = true)]
    pub json: bool,

    /// Show times in this IANA zone, any case (default: TZ, else the system's zone).
    #[arg(long, global = true, value_name = "ZONE", value_parser = super::values::parse_zone)]
    pub tz: Option<chrono_tz::Tz>,

    /// The agenda of the next summit, a `.toml` or `.csv` file of topics with their
    /// owners and votes (overrides `agenda.file`).
    #[arg(long, env = "SUMMIT_AGENDA", global = true, value_name = "FILE")]
    pub agenda: Option<PathBuf>,
}

/// One run of a command: the global flags, the instant taken as now, and what is loaded
/// from them (the configuration file is read once, when first asked for).
pub struct Session {
    flags: Global,
    /// `--now`, else the clock when the session began.
    pub now: DateTime<Utc>,
    /// The clock when the session began (or `SUMMIT_CLOCK`): what `--now` is compared
    /// with to tell a rehearsal ([`crate::send::rehearsal`]).
    pub clock: DateTime<Utc>,
    config_file: OnceCell<Config>,
    found: OnceCell<Option<Found>>,
}

impl Session {
    /// A session for `flags`; reads nothing yet.
    pub fn new(flags: Global) -> Self {
        let clock = flags.clock.unwrap_or_else(Utc::now);
        Session {
            now: flags.now.unwrap_or(clock),
            clock,
            flags,
            config_file: OnceCell::new(),
            found: OnceCell::new(),
        }
    }

    /// The global flags.
    pub fn flags(&self) -> &Global {
        &self.flags
    }

    /// The state directory: `--state-dir`, else the default of the configuration found
    /// ([`Session::state_dir_choice`]).
    ///
    /// # Errors
    /// As [`store::state_dir`].
    pub fn state_dir(&self) -> Result<PathBuf> {
        self.state_dir_choice().map(|d| d.path().to_path_buf())
    }

    /// The state directory and how it was chosen: `--state-dir` (or
    /// `SUMMIT_STATE_DIR`), else the default for the configuration found
    /// ([`Session::found_config`]), else the shared default ([`store::state_dir`]).
    ///
    /// # Errors
    /// As [`store::state_dir`].
    pub fn state_dir_choice(&self) -> Result<store::StateDir> {
        let found = self.found_config();
        store::state_dir(
            self.flags.state_dir.as_deref(),
            found.as_ref().map(Found::path),
            crate::ledger::FILE,
        )
    }

    /// The configuration file: `--config` (or `SUMMIT_CONFIG`), else `./summit.toml`,
    /// else `$XDG_CONFIG_HOME/summit/summit.toml` ([`Places::find`]); `None` when there
    /// is none. Looked for once.
    pub fn found_config(&self) -> Option<Found> {
        self.found
            .get_or_init(|| {
                Places::of_this_process().find(self.flags.config.as_deref(), |p| p.exists())
            })
            .clone()
    }

    /// The agenda file: `--agenda`, else `agenda.file` of `config`.
    pub fn agenda_path(&self, config: &Config) -> Option<PathBuf> {
        self.flags.agenda.clone().or(config.agenda.file.clone())
    }

    /// The configuration when one is found ([`Session::found_config`]), else the
    /// built-in defaults.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn config_or_builtin(&self) -> Result<Config> {
        match self.found_config() {
            Some(_) => self.config_file(),
            None => Ok(Config::builtin()),
        }
    }

    /// The configuration, which this command needs.
    ///
    /// # Errors
    /// As [`Session::config_file`].
    pub fn config(&self) -> Result<Inputs> {
        let mut inputs = Inputs::load(self.config_file()?)?;
        self.with_announced(&mut inputs.record);
        Ok(inputs)
    }

    /// The configuration file alone, without the facilitators the ledger says were
    /// announced (`tick` and `send` add those from the ledger they lock).
    ///
    /// # Errors
    /// [`Error::Usage`] when no configuration is found, listing the places looked
    /// ([`Places::not_found`]); as [`Config::load`].
    pub fn config_file(&self) -> Result<Config> {
        if let Some(config) = self.config_file.get() {
            return Ok(config.clone());
        }
        let config = match self.found_config() {
            Some(found) => Config::load(found.path())?,
            None => {
                let cwd = std::env::current_dir().ok();
                return Err(Places::of_this_process().not_found(cwd.as_deref()));
            }
        };
        Ok(self.config_file.get_or_init(|| config).clone())
    }

    /// Adds to the rotation of `config` the facilitators that sent messages named (the
    /// send ledger in the state directory, read without its lock): announced is
    /// final. A ledger that cannot be read is said in a warning, and left out.
    fn with_announced(&self, record: &mut Record) {
        let Ok(dir) = self.state_dir() else {
            return;
        };
        let path = dir.join(crate::ledger::FILE);
        if !path.exists() {
            return;
        }
        match Ledger::load(&path) {
            Ok(l) => record.with_announced(send::announced_facilitators(&l)),
            Err(e) => warn(&format!(
                "{e}; the facilitators that sent messages named are not taken into account"
            )),
        }
    }

    /// The feed named by `--feed` or `calendar.feed`.
    ///
    /// # Errors
    /// [`Error::Usage`] when neither names one; as [`Source::parse`].
    pub fn source(&self, config: &Config) -> Result<Source> {
        match (&self.flags.feed, &config.calendar.feed) {
            (Some(f), _) => Source::parse(f, None),
            (None, Some(f)) => Source::parse(f, Some(&config.dir)),
            (None, None) => Err(Error::Usage(
                "no feed: pass `--feed URL|PATH|-`, set SUMMIT_FEED, or set calendar.feed in the configuration".into(),
            )),
        }
    }

    /// Reads and parses the feed named by `--feed` or `calendar.feed`, printing its
    /// warnings.
    ///
    /// # Errors
    /// As [`Session::source`] and [`Session::read_feed`].
    pub fn calendar(&self, config: &Config) -> Result<Calendar> {
        let source = self.source(config)?;
        let (cal, _) = self.read_feed(config, &source, None, false)?;
        warn_all(&cal.warnings);
        Ok(cal)
    }

    /// Reads and parses the feed through the cache in the state directory `dir` (see
    /// [`Source::read_cached`]). A warning that the cached copy stood in is printed now;
    /// the feed's own warnings are returned, for `tick` to print only when it has
    /// something else to say.
    ///
    /// # Errors
    /// As [`Session::source`] and [`Session::read_feed`].
    pub fn cached_calendar(
        &self,
        config: &Config,
        dir: &Path,
        write: bool,
    ) -> Result<(Calendar, Vec<String>)> {
        let source = self.source(config)?;
        let (cal, warning) = self.read_feed(config, &source, Some(dir), write)?;
        if let Some(w) = warning {
            warn(&w);
        }
        let warnings = cal.warnings.clone();
        Ok((cal, warnings))
    }

    /// Reads and parses `source`: through the cache in the state directory `dir` when
    /// given (updated when `write`; see [`Source::read_cached`]), else directly. Prints
    /// nothing; returns the warning that the cached copy stood in, if it did.
    ///
    /// # Errors
    /// When the feed cannot be read or parsed.
    pub fn read_feed(
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

    /// The `count` summits from `at` with their facilitators, printing the warnings.
    pub fn plan_at(
        &self,
        config: &Inputs,
        cal: &Calendar,
        at: DateTime<Utc>,
        count: usize,
    ) -> Vec<Planned> {
        let mut warnings = Vec::new();
        let plan = summit::plan(cal, config, at, count, &mut warnings);
        warn_all(&warnings);
        plan
    }

    /// The summit of the day (in progress at now, else the next one) and the summits
    /// after it, `count` in all, with their facilitators ([`summit::plan_current`]).
    pub fn plan_current(&self, config: &Inputs, cal: &Calendar, count: usize) -> Vec<Planned> {
        let mut warnings = Vec::new();
        let plan = summit::plan_current(cal, config, self.now, count, &mut warnings);
        warn_all(&warnings);
        plan
    }

    /// Loads the agenda named by `--agenda` or `agenda.file`, if any, into `config`, tied
    /// to the summit its file names (TOML `summit`) or else to the next summit at now;
    /// see [`Session::load_agenda`]. Never fails: a file that cannot be loaded is
    /// recorded in `Inputs::agenda_error`.
    ///
    /// # Errors
    /// None today; kept a `Result` for its callers.
    pub fn with_agenda(&self, config: &mut Inputs, cal: &Calendar, write: bool) -> Result<()> {
        self.read_agenda(config, cal, false, write);
        Ok(())
    }

    /// Loads the agenda named by `--agenda` or `agenda.file`, if any, into `config`
    /// ([`Inputs::agenda`]), tied to the summit its file names (TOML `summit`) or
    /// else to the next summit at now; with `ongoing`, to the summit of the day (one in
    /// progress at now, else the next), as the display commands show it. A `proposed-at`
    /// date counts from the start of that day in the first of `calendar.zones`.
    ///
    /// A file that cannot be loaded is recorded in `Inputs::agenda_error`, tied the same
    /// way, instead of failing the command: only the outreach and the checklist of that
    /// summit fail with it ([`crate::mail::agenda_error`]).
    pub fn load_agenda(&self, config: &mut Inputs, cal: &Calendar, ongoing: bool) {
        self.read_agenda(config, cal, ongoing, false);
    }

    /// [`Session::load_agenda`], reading a remote source through the state
    /// directory's cache, which is updated when `write` (`tick` and `send`, not
    /// `--dry-run`).
    fn read_agenda(&self, config: &mut Inputs, cal: &Calendar, ongoing: bool, write: bool) {
        // The feed's warnings are reported by the command's own planning.
        let plan = if ongoing {
            summit::plan_current(cal, config, self.now, 1, &mut Vec::new())
        } else {
            summit::plan(cal, config, self.now, 1, &mut Vec::new())
        };
        self.agenda_for(config, cal, plan.first().map(|p| &p.summit), write);
    }

    /// Loads the agenda for a step of `summit` (`draft`, `send`), reading it once: a
    /// file tied as [`Session::with_agenda`] ties it (to the next summit, unless it
    /// names its own), a source read for `summit` (the proposals made since the summit
    /// before it); `write` as [`Session::read_source`].
    pub fn agenda_for_step(
        &self,
        config: &mut Inputs,
        cal: &Calendar,
        summit: &crate::model::Occurrence,
        write: bool,
    ) {
        if self.agenda_path(config).is_some() {
            self.read_agenda(config, cal, false, write);
        } else {
            self.agenda_for(config, cal, Some(summit), write);
        }
    }

    /// When the agenda comes from a source (not a file) and was read for another summit
    /// than `summit` (a `--summit DATE`), reads it again for `summit`: the proposals
    /// made since the summit before it. An agenda file keeps the summit it was tied to.
    pub fn retie_agenda(
        &self,
        config: &mut Inputs,
        cal: &Calendar,
        summit: &crate::model::Occurrence,
        write: bool,
    ) {
        let date = Some(summit.start.date_utc());
        let tied = match (&config.agenda, &config.agenda_error) {
            (Some(a), _) => a.summit,
            (None, Some(u)) => u.summit,
            (None, None) => return,
        };
        if self.agenda_path(config).is_none() && tied != date {
            self.agenda_for(config, cal, Some(summit), write);
        }
    }

    /// Loads the agenda into `config` as [`Session::load_agenda`] does, for `summit`
    /// (an agenda file without a `summit` date is tied to it; a source reads the
    /// proposals made since the summit before it started); `write` as
    /// [`Session::read_source`]. Never fails: what cannot be read is recorded in
    /// `Inputs::agenda_error`.
    pub fn agenda_for(
        &self,
        config: &mut Inputs,
        cal: &Calendar,
        summit: Option<&crate::model::Occurrence>,
        write: bool,
    ) {
        let tied = summit.map(|o| o.start);
        let result = match self.agenda_path(config) {
            Some(path) => Agenda::load(&path, config.calendar.zones[0])
                .map_err(|e| (path.display().to_string(), e)),
            None if config.config.agenda.source.is_some() => {
                let since = tied.and_then(|t| summit::previous_start(cal, config, t.instant()));
                self.read_source(config, since, write)
            }
            None => return,
        };
        match result {
            Ok(mut agenda) => {
                if agenda.summit.is_none() {
                    agenda.summit = tied.map(|t| t.date_utc());
                }
                config.agenda = Some(agenda);
                config.agenda_error = None;
            }
            Err((name, e)) => {
                let message = match e {
                    Error::Agenda { message, .. } => message,
                    e => e.to_string(),
                };
                config.agenda = None;
                config.agenda_error = Some(Unreadable {
                    path: PathBuf::from(name),
                    message,
                    summit: tied.map(|t| t.date_utc()),
                });
            }
        }
    }

    /// Reads `agenda.url`, `[agenda.mailbox]` or `[agenda.github]` of `config`: proposals
    /// since `since` (the previous summit's start), with the password or token read now
    /// and the state directory's cache (updated when `write`).
    ///
    /// # Errors
    /// The source's name and what went wrong: the secret cannot be read, the source
    /// cannot ([`crate::agenda::source::read`]).
    pub fn read_source(
        &self,
        config: &Inputs,
        since: Option<DateTime<Utc>>,
        write: bool,
    ) -> std::result::Result<Agenda, (String, Error)> {
        use crate::agenda::source;
        use crate::config::AgendaSource;
        let src = config.config.agenda.source.as_ref();
        // Without a source, `source::read` says so.
        let name = src.map_or_else(|| "[agenda]".to_string(), source::name);
        let secret = match src {
            None | Some(AgendaSource::Url(_)) => None,
            Some(AgendaSource::Mailbox(m)) => m
                .password
                .as_ref()
                .map(|p| ("agenda.mailbox", "password", "IMAP password", p)),
            Some(AgendaSource::Github(g)) => g
                .token
                .as_ref()
                .map(|t| ("agenda.github", "token", "GitHub token", t)),
        };
        let secret = secret
            .map(|(at, key, what, s)| {
                send::channel::resolve_secret(s, at, key, what, std::process::Stdio::inherit)
            })
            .transpose()
            .map_err(|e| (name.clone(), e))?;
        let cache = self.state_dir().ok().map(|dir| CacheOptions {
            dir,
            now: self.now,
            max_age: config.calendar.cache_max_age,
            write,
            timeout: config.config.agenda.timeout,
        });
        let request = source::Request {
            config: &config.config.agenda,
            members: &config.rotation.members,
            secret: secret.as_deref(),
            since,
            zone: config.calendar.zones[0],
            cache: cache.as_ref(),
        };
        source::read(&request).map_err(|e| (name, e))
    }

    /// What the display commands (`next`, `timeline`) read: the inputs, with a roster,
    /// the feed, and the agenda tied to the summit of the day; the agenda's warnings are
    /// printed.
    ///
    /// # Errors
    /// Whatever loading the configuration, the record and the feed meets; a roster with
    /// nobody.
    pub fn for_display(&self) -> Result<(Inputs, Calendar)> {
        let mut inputs = self.config()?;
        inputs.members()?;
        let cal = self.calendar(&inputs)?;
        self.load_agenda(&mut inputs, &cal, true);
        warn_all(&agenda_warnings(&inputs));
        Ok((inputs, cal))
    }

    /// The summit `step` is for, with the summit after it ([`find::for_step`]); the
    /// feed's warnings are printed.
    ///
    /// # Errors
    /// As [`find::for_step`].
    pub fn find_summit(
        &self,
        step: Step,
        config: &Inputs,
        cal: &Calendar,
        date: Option<SummitDate>,
    ) -> Result<(Planned, Option<Planned>)> {
        let date = self.summit_date(config, cal, date)?;
        let mut warnings = Vec::new();
        let found = find::for_step(cal, config, step, date, self.now, &mut warnings);
        warn_all(&warnings);
        found
    }

    /// The summit `timeline` and `checklist` show, with the summit after it
    /// ([`find::of_the_day`]); the feed's warnings are printed.
    ///
    /// # Errors
    /// As [`find::of_the_day`].
    pub fn summit_of_the_day(
        &self,
        config: &Inputs,
        cal: &Calendar,
        date: Option<SummitDate>,
    ) -> Result<(Planned, Option<Planned>)> {
        let date = self.summit_date(config, cal, date)?;
        let mut warnings = Vec::new();
        let found = find::of_the_day(cal, config, date, self.now, &mut warnings);
        warn_all(&warnings);
        found
    }

    /// The date (UTC) a `--summit` value names at now ([`find::resolve`]); the feed's
    /// warnings are printed.
    ///
    /// # Errors
    /// As [`find::resolve`].
    pub fn summit_date(
        &self,
        config: &Inputs,
        cal: &Calendar,
        date: Option<SummitDate>,
    ) -> Result<Option<NaiveDate>> {
        let Some(which) = date else {
            return Ok(None);
        };
        let mut warnings = Vec::new();
        let found = find::resolve(cal, config, which, self.now, &mut warnings);
        warn_all(&warnings);
        found.map(Some)
    }
}
