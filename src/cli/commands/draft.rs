//! `summit draft STEP`: the e-mails of one timeline step, as `send` would send them now
//! (threading headers from the ledger, the reminder's .ics), and its message for each
//! channel, printed or written as `.eml` (named as the file transport's outbox names
//! them) and `.md` files; sends nothing.

use std::path::{Path, PathBuf};

use crate::cli::printer::{Printer, note, warn};
use crate::cli::session::Session;
use crate::cli::show::{agenda_warnings, step_channels};
use crate::cli::values::{self, parse_summit_date};
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::mail::{self, Draft, PostDraft, Templates};
use crate::model::Step;
use crate::plan::find::SummitDate;
use crate::plan::inputs::Inputs;
use crate::plan::summit::Planned;
use crate::send::{self, transport::Outbox};
use crate::store::{self, write_atomically};

/// The flags of `summit draft`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The timeline step.
    #[arg(value_parser = values::step())]
    step: Step,
    /// The summit on this date (`YYYY-MM-DD` in UTC; `today` or `tomorrow`, counted
    /// from --now; `next` or `last`, the first summit from --now or the last before it) instead of the next one.
    #[arg(long, value_name = "DATE", value_parser = parse_summit_date)]
    summit: Option<SummitDate>,
    /// Write one RFC 5322 `.eml` file per e-mail, exactly as `send` would send it now
    /// (threading headers, the reminder's .ics, the file transport's file names), and
    /// one `.CHANNEL.md` file per channel message, into this folder instead of
    /// printing; each file written is named on standard error.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Only the message for this channel (a `[[channels]]` name), no e-mail.
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
}

/// `summit draft STEP`.
///
/// # Errors
/// When the step has no recipient or no summit; whatever loading and drafting meet.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let step = args.step;
    let mut config = session.config()?;
    config.members()?;
    config.mail()?;
    let templates = Templates::load(config.mail()?.templates.as_deref())?;
    let cal = session.calendar(&config)?;
    let (planned, next) = session.find_summit(step, &config, &cal, args.summit)?;
    session.agenda_for_step(&mut config, &cal, &planned.summit, false);
    let channels = step_channels(step, &config, args.channel.as_deref())?;
    let posts = channels
        .iter()
        .map(|c| {
            let next = next.as_ref();
            mail::draft_post(
                step,
                &planned,
                next,
                &config,
                &templates,
                session.now,
                &c.name,
            )
        })
        .collect::<Result<Vec<PostDraft>>>()?;
    let drafts = if args.channel.is_some() {
        Vec::new()
    } else {
        mail::draft(
            step,
            &planned,
            next.as_ref(),
            &config,
            &templates,
            session.now,
        )?
    };
    // A draft that needs the agenda failed above with what is wrong with it.
    printer.warn_all(&agenda_warnings(&config));
    if matches!(step, Step::Outreach | Step::Checklist)
        && let Some(w) = mail::unreached_warning(&planned, &config)
    {
        printer.warn_all(&[w]);
    }
    if drafts.is_empty() && posts.is_empty() {
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
    // What `send` would send now: threaded as the ledger says, with the reminder's .ics.
    let drafts = if drafts.is_empty() {
        drafts
    } else {
        as_sent(
            session,
            &config,
            &templates,
            step,
            (&planned, next.as_ref()),
        )?
    };
    match &args.out {
        Some(dir) => write_out(&drafts, &posts, step, &planned, dir),
        None => print_drafts(&drafts, &posts, printer),
    }
}

/// The e-mails of `step` of `summit` (with the summit after it) as `send` would send
/// them now ([`send::draft_step`], [`send::compose`]), threaded as the ledger says.
///
/// # Errors
/// When a message cannot be composed.
fn as_sent(
    session: &Session,
    config: &Inputs,
    templates: &Templates,
    step: Step,
    (planned, next): (&Planned, Option<&Planned>),
) -> Result<Vec<Draft>> {
    let ledger = read_ledger(session);
    let planning = send::Planning {
        ledger: &ledger,
        config,
        mail: config.mail()?,
        now: session.now,
        retry: false,
    };
    send::draft_step(&planning, planned, next, step)
        .iter()
        .map(|o| send::compose(o, config, templates, session.now))
        .collect()
}

/// Writes into `dir` each e-mail of `drafts`, named as the file transport's outbox
/// names it, and each channel message of `posts` of `step` of `planned`, saying on
/// standard error what it wrote (standard output stays empty).
///
/// # Errors
/// When a file cannot be written.
fn write_out(
    drafts: &[Draft],
    posts: &[PostDraft],
    step: Step,
    planned: &Planned,
    dir: &Path,
) -> Result<()> {
    store::create_folder(dir)?;
    let mut mails = Vec::new();
    for d in drafts {
        let path = Outbox::path(dir, &d.message_id);
        write_atomically(&path, &d.formatted())?;
        mails.push(path);
    }
    let date = planned.summit.start.date_utc();
    let mut others = Vec::new();
    for p in posts {
        let path = dir.join(format!("{date}-{step}.{}.md", p.channel));
        write_atomically(&path, post_text(p).as_bytes())?;
        others.push(path);
    }
    if !mails.is_empty() {
        note(&format!(
            "wrote {} message(s) as `send` would send them (headers, threading, attachments and file names as the file transport's outbox):",
            mails.len()
        ));
    }
    for path in mails.iter().chain(&others) {
        note(&format!("wrote {}", path.display()));
    }
    Ok(())
}

/// The send ledger of the state directory, read without its lock, for threading; an
/// empty one when there is none, or (with a warning) when it cannot be read.
fn read_ledger(session: &Session) -> Ledger {
    let Ok(dir) = session.state_dir() else {
        return Ledger::default();
    };
    let path = dir.join(crate::ledger::FILE);
    if !path.exists() {
        return Ledger::default();
    }
    Ledger::load(&path).unwrap_or_else(|e| {
        warn(&format!(
            "{e}; the drafts are threaded as if nothing had been sent"
        ));
        Ledger::default()
    })
}

/// The drafts as text, `-----` between two: the e-mails, then the channel messages.
fn print_drafts(drafts: &[Draft], posts: &[PostDraft], printer: &mut Printer) -> Result<()> {
    let texts = drafts
        .iter()
        .map(|d| String::from_utf8_lossy(&d.formatted()).replace("\r\n", "\n"))
        .chain(posts.iter().map(post_text));
    for (i, text) in texts.enumerate() {
        if i > 0 {
            printer.line(format_args!("-----"))?;
        }
        printer.text(&text)?;
    }
    Ok(())
}

/// A channel message as `draft` shows it: `Channel:` and `Title:` lines, a blank line,
/// the Markdown.
fn post_text(p: &PostDraft) -> String {
    format!(
        "Channel: {}\nTitle: {}\nMessage-ID: <{}>\n\n{}",
        p.channel, p.title, p.message_id, p.markdown
    )
}
