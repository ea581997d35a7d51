//! Where a command's output goes: the [`Printer`] owns standard output, writes human
//! lines (escaped for a terminal, [`crate::terminal`]) or, with `--json`, one JSON
//! document, and prints warnings to standard error, all in one place.

use std::io::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::When;

/// A command's output: human lines, or with `--json` one JSON document; and its
/// warnings (`warning: …` on standard error). Human output shows instants in one zone
/// ([`Printer::instant`]), aligns columns ([`Printer::table`]) and colours states
/// ([`Printer::state`]) only when styled (standard output is a terminal and `NO_COLOR`
/// is unset).
pub struct Printer<'a> {
    out: &'a mut dyn Write,
    json: bool,
    zone: Tz,
    styled: bool,
}

impl<'a> Printer<'a> {
    /// Output to `out`, as JSON when `json` (`--json`); instants in UTC, no colour.
    pub fn new(out: &'a mut dyn Write, json: bool) -> Self {
        Printer {
            out,
            json,
            zone: Tz::UTC,
            styled: false,
        }
    }

    /// Instants shown in `zone` (the reader's, [`crate::cli::show::reader_zone`]).
    #[must_use]
    pub fn with_zone(mut self, zone: Tz) -> Self {
        self.zone = zone;
        self
    }

    /// States coloured when `styled` ([`styled_stdout`]).
    #[must_use]
    pub fn with_style(mut self, styled: bool) -> Self {
        self.styled = styled;
        self
    }

    /// The zone human output shows instants in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// `t` as human output shows an instant ([`crate::cli::show::instant`] in the
    /// reader's zone): `Thu 17 Dec 2026 17:00 CET`.
    pub fn instant(&self, t: DateTime<Utc>) -> String {
        crate::cli::show::instant(t, self.zone)
    }

    /// `w` as human output shows a start or end ([`crate::cli::show::when`]).
    pub fn when(&self, w: When) -> String {
        crate::cli::show::when(w, self.zone)
    }

    /// A state (`due`, `sent`, `missed`, `failed`, …, or a text that starts with one,
    /// `sent at …`) as human output shows it: coloured when styled, else as it is.
    pub fn state(&self, state: &str) -> String {
        let first = state.split_whitespace().next().unwrap_or_default();
        let Some(style) = self.styled.then(|| state_style(first)).flatten() else {
            return state.to_string();
        };
        format!("{style}{state}{style:#}")
    }

    /// Rows of cells aligned in columns by [`comfy_table`] (plain text, no borders, two
    /// spaces between columns, trailing blanks cut), each cell escaped for a terminal;
    /// `before(i)` gives the lines printed before row `i` (headings, notes: rows go on
    /// aligned across them), `None` after the last. The cells of column `state` are
    /// coloured as [`Printer::state`] does.
    ///
    /// # Errors
    /// As [`write_out`].
    pub fn table(
        &mut self,
        rows: &[Vec<String>],
        state: Option<usize>,
        mut before: impl FnMut(Option<usize>) -> Vec<String>,
    ) -> Result<()> {
        let lines = table_lines(rows);
        for (i, (line, row)) in lines.iter().zip(rows).enumerate() {
            for l in before(Some(i)) {
                self.line(format_args!("{l}"))?;
            }
            let line = match state.and_then(|c| row.get(c).map(|cell| (c, cell))) {
                Some((c, cell)) if self.styled && c > 0 => {
                    let at = column_start(rows, c);
                    let (a, b) = split_at_char(line, at);
                    let rest = b.strip_prefix(crate::terminal::line(cell).as_str());
                    match rest {
                        Some(rest) => format!("{a}{}{rest}", self.state(cell)),
                        None => line.clone(),
                    }
                }
                Some((_, cell)) if self.styled => match line.strip_prefix(cell.as_str()) {
                    Some(rest) => format!("{}{rest}", self.state(cell)),
                    None => line.clone(),
                },
                _ => line.clone(),
            };
            write_out(self.out, line.as_bytes())?;
            write_out(self.out, b"\n")?;
        }
        for l in before(None) {
            self.line(format_args!("{l}"))?;
        }
        Ok(())
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

/// Whether standard output takes colour: a terminal, with `NO_COLOR` unset (and not
/// `TERM=dumb`), as [`anstream`] decides; `CLICOLOR_FORCE` forces it.
pub fn styled_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// The colour of a state: `due` yellow, `sent` green, `missed` and `failed` red (bold),
/// `cancelled` dimmed; others plain.
fn state_style(state: &str) -> Option<anstyle::Style> {
    use anstyle::{AnsiColor, Style};
    let color = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match state {
        "due" => Some(color(AnsiColor::Yellow)),
        "sent" => Some(color(AnsiColor::Green)),
        "missed" | "failed" => Some(color(AnsiColor::Red).bold()),
        "cancelled" => Some(Style::new().dimmed()),
        _ => None,
    }
}

/// The lines of `rows` laid out by [`comfy_table`]: cells escaped ([`crate::terminal::line`]),
/// no borders, two spaces between columns, no wrapping, trailing blanks cut.
fn table_lines(rows: &[Vec<String>]) -> Vec<String> {
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::NOTHING)
        .set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    for r in rows {
        table.add_row(r.iter().map(|c| crate::terminal::line(c)));
    }
    for c in table.column_iter_mut() {
        c.set_padding((0, 2));
    }
    table.lines().map(|l| l.trim_end().to_string()).collect()
}

/// Where column `c` starts (in characters) in the lines of [`table_lines`]: the widest
/// cell of each column before it, plus two.
fn column_start(rows: &[Vec<String>], c: usize) -> usize {
    (0..c)
        .map(|j| {
            rows.iter()
                .filter_map(|r| r.get(j))
                .map(|cell| unicode_width(&crate::terminal::line(cell)))
                .max()
                .unwrap_or(0)
                + 2
        })
        .sum()
}

/// The width of `s` in terminal columns, as [`comfy_table`] counts it.
fn unicode_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

/// `s` split after `n` terminal columns (at a character boundary).
fn split_at_char(s: &str, n: usize) -> (&str, &str) {
    let mut w = 0;
    for (i, ch) in s.char_indices() {
        if w >= n {
            return s.split_at(i);
        }
        w += unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
    }
    (s, "")
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
