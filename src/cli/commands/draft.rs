//! `summit draft STEP`: the e-mails of one timeline step and its message for each
//! channel, printed or written as `.eml` and `.md` files; sends nothing.

use std::path::PathBuf;

use chrono::NaiveDate;

use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::show::{agenda_warnings, step_channels};
use crate::cli::values::{self, parse_date};
use crate::error::{Error, Result};
use crate::mail::{self, Draft, PostDraft, Templates};
use crate::model::Step;
use crate::store::{self, write_atomically};

/// The flags of `summit draft`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The timeline step.
    #[arg(value_parser = values::step())]
    step: Step,
    /// The summit on this date (YYYY-MM-DD, UTC) instead of the next one.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    summit: Option<NaiveDate>,
    /// Write one RFC 5322 `.eml` file per e-mail (and one `.CHANNEL.md` file per
    /// channel message) into this folder instead of printing.
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
    session.with_agenda(&mut config, &cal)?;
    let (planned, next) = session.find_summit(step, &config, &cal, args.summit)?;
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
    let date = planned.summit.start.date_utc();
    match &args.out {
        Some(dir) => {
            store::create_folder(dir)?;
            for d in &drafts {
                let path: PathBuf = dir.join(format!("{}.eml", d.file_stem));
                write_atomically(&path, &d.formatted())?;
            }
            for p in &posts {
                let path = dir.join(format!("{date}-{step}.{}.md", p.channel));
                write_atomically(&path, post_text(p).as_bytes())?;
            }
            Ok(())
        }
        None => print_drafts(&drafts, &posts, printer),
    }
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
