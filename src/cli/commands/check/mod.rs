//! `summit check`: whether everything `tick` needs is in order, sending nothing. It
//! goes through what `tick` goes through, in order (configuration, templates, feed,
//! facilitation record, agenda, state directory, ledger, mail transport), reports each
//! as one line (or one `--json` object), and goes on after a failure wherever the later
//! checks still make sense. The checks of what `tick` reads are in `inputs`, those of
//! where it writes and sends in `system`.

mod inputs;
mod system;

use std::path::Path;

use serde::Serialize;

use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::error::{Error, Result};
use crate::mail::Templates;
use crate::plan::inputs::Inputs;
use inputs::{check_agenda, check_feed, check_record, check_templates};
use system::{check_channel, check_ledger, check_state, check_transport};

/// The flags of `summit check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// For `transport = "smtp"`: connect to the server (TLS per `security`, EHLO,
    /// AUTH when configured) and QUIT, sending no mail; for each channel, ask its server
    /// who the token is (Matrix `whoami` and room membership, Discourse's current user,
    /// Mastodon `verify_credentials`), posting nothing. Without it, no connection is
    /// made.
    #[arg(long)]
    connect: bool,
}

/// `summit check [--connect]`.
///
/// # Errors
/// [`Error::Several`] with every failure (exit 2 when the configuration or a template
/// is at fault, else 1).
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let mut report = Report { done: Vec::new() };
    let mut config = match check_config(session) {
        Ok((config, outcome)) => {
            report.add(printer, outcome)?;
            config
        }
        Err(e) => {
            // Everything else depends on it.
            report.add(printer, Outcome::fail("configuration", e))?;
            return report.finish(printer);
        }
    };
    let templates = Templates::load(config.mail()?.templates.as_deref());
    let dir = session.state_dir().ok();
    let feed = check_feed(session, &config, dir.as_deref());
    // Loaded before rendering: with an agenda the outreach goes to the topic owners.
    let agenda = check_agenda(session, &mut config, feed.cal.as_ref(), &feed.plan);
    report.add(
        printer,
        check_templates(session, templates, &config, &feed.plan),
    )?;
    report.add(printer, feed.outcome)?;
    if let Some(o) = check_record(&config) {
        report.add(printer, o)?;
    }
    if let Some(o) = agenda {
        report.add(printer, o)?;
    }
    let (outcome, usable) = check_state(session);
    report.add(printer, outcome)?;
    if let Some(dir) = usable {
        report.add(printer, check_ledger(&dir))?;
    }
    report.add(printer, check_transport(config.mail()?, args.connect))?;
    for channel in &config.channels {
        report.add(printer, check_channel(channel, args.connect))?;
    }
    report.finish(printer)
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    /// In order.
    Ok,
    /// In order, with something worth a look (feed warnings, nobody to facilitate …).
    Warn,
    /// Not in order: `tick` would fail.
    Fail,
}

impl Status {
    /// The word a line starts with.
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        }
    }
}

/// One check's result.
#[derive(Debug)]
struct Outcome {
    /// The check's name: `configuration`, `templates`, `feed`, `record`, `agenda`,
    /// `state`, `ledger`, `transport` or `channel`.
    check: &'static str,
    status: Status,
    /// What was found, or what is wrong, on one line.
    detail: String,
    /// For a failure: the errors, printed as `error:` lines and deciding the exit status.
    errors: Vec<Error>,
}

impl Outcome {
    fn ok(check: &'static str, detail: String) -> Self {
        Outcome {
            check,
            status: Status::Ok,
            detail,
            errors: Vec::new(),
        }
    }

    fn warn(check: &'static str, detail: String) -> Self {
        Outcome {
            status: Status::Warn,
            ..Outcome::ok(check, detail)
        }
    }

    /// A failure with `detail` on the line and `errors` on standard error.
    fn fail_with(check: &'static str, detail: String, errors: Vec<Error>) -> Self {
        Outcome {
            check,
            status: Status::Fail,
            detail,
            errors,
        }
    }

    /// A failure whose line is the error itself.
    fn fail(check: &'static str, error: Error) -> Self {
        Outcome::fail_with(check, lines_as_one(&error.to_string()), vec![error])
    }

    /// `ok    CHECK: detail`, `warn  CHECK: detail` or `FAIL  CHECK: error`.
    fn line(&self) -> String {
        format!("{:<6}{}: {}", self.status.label(), self.check, self.detail)
    }
}

/// One object of `summit check --json`.
#[derive(Serialize)]
struct CheckJson<'a> {
    check: &'a str,
    status: Status,
    detail: &'a str,
}

/// The checks done so far; prints each line as it comes (without `--json`).
struct Report {
    done: Vec<Outcome>,
}

impl Report {
    fn add(&mut self, printer: &mut Printer, outcome: Outcome) -> Result<()> {
        printer.human_line(format_args!("{}", outcome.line()))?;
        self.done.push(outcome);
        Ok(())
    }

    /// Prints the `--json` array; the failures, if any, as one error (exit 2 when any
    /// of them is a configuration or template error, else 1).
    fn finish(self, printer: &mut Printer) -> Result<()> {
        if printer.json() {
            let rows: Vec<CheckJson> = self
                .done
                .iter()
                .map(|o| CheckJson {
                    check: o.check,
                    status: o.status,
                    detail: &o.detail,
                })
                .collect();
            printer.write_json(&rows)?;
        }
        let errors: Vec<Error> = self.done.into_iter().flat_map(|o| o.errors).collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::Several(errors))
        }
    }
}

/// The configuration with what `tick` needs of it: a roster and a `[mail]` table.
fn check_config(session: &Session) -> Result<(Inputs, Outcome)> {
    let config = session.config()?;
    let members = config.members()?.len();
    let mail = config.mail()?;
    let detail = format!(
        "{}: {members} member(s), {} zone(s), transport {}",
        config.path.as_deref().unwrap_or(Path::new("?")).display(),
        config.calendar.zones.len(),
        mail.transport.name(),
    );
    Ok((config, Outcome::ok("configuration", detail)))
}

/// A message of several lines on one, the lines joined by `; `.
fn lines_as_one(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests;
