//! Where a command's output goes: the [`Printer`] owns standard output, writes human
//! lines (escaped for a terminal, [`crate::terminal`]) or, with `--json`, one JSON
//! document, and prints warnings to standard error, all in one place.

use std::io::Write;

use serde::Serialize;

use crate::error::{Error, Result};

/// A command's output: human lines, or with `--json` one JSON document; and its
/// warnings (`warning: …` on standard error).
pub struct Printer<'a> {
    out: &'a mut dyn Write,
    json: bool,
}

impl<'a> Printer<'a> {
    /// Output to `out`, as JSON when `json` (`--json`).
    pub fn new(out: &'a mut dyn Write, json: bool) -> Self {
        Printer { out, json }
    }

    /// Whether the output is JSON (`--json`): for the few commands whose human and
    /// JSON output differ in more than their form.
    pub fn json(&self) -> bool {
        self.json
    }

    /// `value` as JSON with `--json`, else what `human` prints.
    ///
    /// # Errors
    /// As [`write_out`], or what `human` returns.
    pub fn show<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        human: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        if self.json {
            self.write_json(value)
        } else {
            human(self)
        }
    }

    /// `value` as pretty JSON and a newline, escaped as [`crate::terminal::json`] does.
    ///
    /// # Errors
    /// As [`write_out`].
    pub fn write_json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let mut text = serde_json::to_string_pretty(value).expect("JSON of plain data");
        text.push('\n');
        write_out(self.out, crate::terminal::json(&text).as_bytes())
    }

    /// One line of human output (or several, when `args` has newlines), escaped for a
    /// terminal ([`crate::terminal::text`]).
    ///
    /// # Errors
    /// As [`write_out`].
    pub fn line(&mut self, args: std::fmt::Arguments<'_>) -> Result<()> {
        self.text(&format!("{args}\n"))
    }

    /// Like [`Printer::line`], but only without `--json`.
    ///
    /// # Errors
    /// As [`write_out`].
    pub fn human_line(&mut self, args: std::fmt::Arguments<'_>) -> Result<()> {
        if self.json {
            return Ok(());
        }
        self.line(args)
    }

    /// `text` as it is, escaped for a terminal ([`crate::terminal::text`]).
    ///
    /// # Errors
    /// As [`write_out`].
    pub fn text(&mut self, text: &str) -> Result<()> {
        write_out(self.out, crate::terminal::text(text).as_bytes())
    }

    /// `bytes` as they are (a generated script, an iCalendar feed).
    ///
    /// # Errors
    /// As [`write_out`].
    pub fn raw(&mut self, bytes: &[u8]) -> Result<()> {
        write_out(self.out, bytes)
    }

    /// Flushes the output at the end of a command, as [`flush_out`] does.
    ///
    /// # Errors
    /// As [`flush_out`].
    pub fn flush(&mut self) -> Result<()> {
        flush_out(self.out)
    }

    /// Prints `warning: …` to standard error, escaped ([`warn`]).
    pub fn warn(&self, warning: &str) {
        warn(warning);
    }

    /// Prints one `warning: …` line per warning ([`warn_all`]).
    pub fn warn_all<S: AsRef<str>>(&self, warnings: &[S]) {
        warn_all(warnings);
    }
}

/// Prints `warning: …` to standard error, escaped: the one place a warning of the
/// command line is printed (see [`crate::terminal::warn`]).
pub fn warn(warning: &str) {
    crate::terminal::warn(warning);
}

/// Prints one `warning: …` line per warning to standard error, escaped (see
/// [`crate::terminal::warn_all`]).
pub fn warn_all<S: AsRef<str>>(warnings: &[S]) {
    crate::terminal::warn_all(warnings);
}

/// Writes to standard output; a closed pipe (`summit … | head`) is not an error (the
/// command goes on quietly and exits 0), any other failure (`ENOSPC`, `EIO`) is.
///
/// # Errors
/// [`Error::Io`] on `<standard output>` when the write fails but for a closed pipe.
pub fn write_out(out: &mut dyn Write, bytes: &[u8]) -> Result<()> {
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
pub fn flush_out(out: &mut dyn Write) -> Result<()> {
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| Error::io("<standard output>", e)),
    }
}

/// Prints `line` to standard error as it is, escaped for a terminal: what a command
/// says it did when standard output carries data or must stay empty (`draft --out`).
pub fn note(line: &str) {
    eprintln!("{}", crate::terminal::line(line));
}
