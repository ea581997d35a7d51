//! `summit templates list | dump`: the built-in mail and channel templates
//! ([`BUILTIN`]), named and described, or written out as a starting point for
//! `mail.templates`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::printer::Printer;
use crate::error::{Error, Result};
use crate::mail::render::BUILTIN;

/// The flags of `summit templates`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do with the built-in templates.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands of `summit templates`.
#[derive(Debug, clap::Subcommand)]
enum Command {
    /// List the built-in templates, one line each on what it is for (`--json`: a JSON
    /// array of `{"name": str, "purpose": str}`).
    #[command(after_help = "Examples:
  summit templates list
  summit templates list --json")]
    List,
    /// Write the built-in templates into a folder, to edit and then use as
    /// `mail.templates`; an existing file is left alone unless --force is given.
    #[command(after_help = "Examples:
  summit templates dump
  summit templates dump --out /etc/summit/templates
  summit templates dump --out templates --force")]
    Dump {
        /// The folder to write into (created when missing).
        #[arg(long, value_name = "DIR", default_value = "templates")]
        out: PathBuf,
        /// Replace files that already exist.
        #[arg(long)]
        force: bool,
    },
}

/// What each built-in template is for, by file name: one line each.
const PURPOSES: [(&str, &str); 12] = [
    (
        "assignment.txt",
        "e-mail to a member when they are assigned a summit to facilitate",
    ),
    (
        "reminder.txt",
        "e-mail to the public list: add agenda topics before the deadline",
    ),
    (
        "agenda-vote.txt",
        "e-mail to the team list: vote on the proposed topics",
    ),
    (
        "outreach.txt",
        "e-mail to the facilitator to prepare, when there is no agenda",
    ),
    (
        "outreach-owner.txt",
        "e-mail to each owner of a most-voted topic: be ready to present it",
    ),
    (
        "checklist.txt",
        "the facilitator's run-sheet for the day (`summit checklist`)",
    ),
    (
        "handover.txt",
        "e-mail to the team list after the summit: who facilitates the next one",
    ),
    (
        "correction.txt",
        "e-mail when an announced summit moved, was cancelled or changed facilitator",
    ),
    (
        "reminder.md",
        "Markdown post to public channels: add agenda topics",
    ),
    (
        "agenda-vote.md",
        "Markdown post to team channels: vote on the agenda",
    ),
    (
        "handover.md",
        "Markdown post to team channels: who facilitates the next summit",
    ),
    (
        "correction.md",
        "Markdown post to the channels an announced summit was posted to, when it changed",
    ),
];

/// One template in `summit templates list --json`.
#[derive(Serialize)]
struct Listed {
    name: &'static str,
    purpose: &'static str,
}

/// `summit templates list | dump`.
///
/// # Errors
/// `dump`: [`Error::Usage`] when a file exists and --force is not given (nothing is
/// written then); [`Error::Io`] when the folder or a file cannot be written.
pub fn run(args: Args, printer: &mut Printer) -> Result<()> {
    match args.command {
        Command::List => list(printer),
        Command::Dump { out, force } => dump(&out, force, printer),
    }
}

/// What `name` is for.
fn purpose(name: &str) -> &'static str {
    PURPOSES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("", |(_, p)| *p)
}

fn list(printer: &mut Printer) -> Result<()> {
    let listed: Vec<Listed> = BUILTIN
        .iter()
        .map(|(name, _)| Listed {
            name,
            purpose: purpose(name),
        })
        .collect();
    printer.show(&listed, |p| {
        let width = BUILTIN.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        for t in &listed {
            p.line(format_args!("{:width$}  {}", t.name, t.purpose))?;
        }
        Ok(())
    })
}

fn dump(dir: &Path, force: bool, printer: &mut Printer) -> Result<()> {
    if !force {
        let existing: Vec<String> = BUILTIN
            .iter()
            .map(|(name, _)| dir.join(name))
            .filter(|path| path.symlink_metadata().is_ok())
            .map(|path| format!("`{}`", path.display()))
            .collect();
        if !existing.is_empty() {
            return Err(Error::Usage(format!(
                "{} already exist{}; nothing written (--force replaces {})",
                existing.join(", "),
                if existing.len() == 1 { "s" } else { "" },
                if existing.len() == 1 { "it" } else { "them" },
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    for (name, text) in BUILTIN {
        let path = dir.join(name);
        write_file(&path, text, force).map_err(|e| Error::io(&path, e))?;
        written.push(path.display().to_string());
    }
    printer.show(&written, |p| {
        for path in &written {
            p.line(format_args!("wrote {path}"))?;
        }
        p.line(format_args!(
            "\nTo use them, set in the configuration (a relative folder is read from the \
             configuration's own folder):\n\n    [mail]\n    templates = \"{}\"\n\n\
             A template left out of the folder is the built-in one: keep only those you change.",
            dir.display()
                .to_string()
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
        ))
    })
}

/// Writes `text` to `path` as a new file: without `force`, only when no file is there
/// (checked as it is created, so a file that appeared meanwhile is not replaced
/// either); with `force`, what is there is removed first (a link, not what it points
/// to).
fn write_file(path: &Path, text: &str, force: bool) -> std::io::Result<()> {
    if force {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_has_a_purpose() {
        for (name, _) in BUILTIN {
            assert!(!purpose(name).is_empty(), "{name} has no purpose");
        }
        assert_eq!(PURPOSES.len(), BUILTIN.len());
    }
}
