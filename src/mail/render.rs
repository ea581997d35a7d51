//! Rendering the mail templates with `minijinja`.
//!
//! The built-in templates (`templates/*.txt` in the repository: one per timeline step,
//! and `correction.txt` for a summit that moved or was cancelled after it was announced)
//! are compiled into the binary; a file of the same name in the configured `mail.templates` folder
//! replaces one. A template's first line is `Subject: …`; the body follows the first
//! blank line. Undefined variables are errors (strict mode), reported with the
//! template's name and line.

use std::path::Path;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Step;
use crate::text::one_line;

/// The file name of the correction's template.
pub const CORRECTION: &str = "correction.txt";

/// The file name of the outreach's template for a topic owner (with an agenda).
pub const OUTREACH_OWNER: &str = "outreach-owner.txt";

/// The file name of the correction's template for channels.
pub const CORRECTION_MD: &str = "correction.md";

/// The built-in templates, by file name: the e-mails (`.txt`) and the channel
/// messages (`.md`, Markdown, for the steps that go to channels and corrections).
pub const BUILTIN: [(&str, &str); 12] = [
    (
        "assignment.txt",
        include_str!("../../templates/assignment.txt"),
    ),
    ("reminder.txt", include_str!("../../templates/reminder.txt")),
    (
        "agenda-vote.txt",
        include_str!("../../templates/agenda-vote.txt"),
    ),
    ("outreach.txt", include_str!("../../templates/outreach.txt")),
    (
        OUTREACH_OWNER,
        include_str!("../../templates/outreach-owner.txt"),
    ),
    (
        "checklist.txt",
        include_str!("../../templates/checklist.txt"),
    ),
    ("handover.txt", include_str!("../../templates/handover.txt")),
    (CORRECTION, include_str!("../../templates/correction.txt")),
    ("reminder.md", include_str!("../../templates/reminder.md")),
    (
        "agenda-vote.md",
        include_str!("../../templates/agenda-vote.md"),
    ),
    ("handover.md", include_str!("../../templates/handover.md")),
    (CORRECTION_MD, include_str!("../../templates/correction.md")),
];

/// The auto-escape mode of the Markdown templates: every value is written through
/// [`super::markdown::escape`] unless marked safe (the `url` filter).
const MARKDOWN: minijinja::AutoEscape =
    minijinja::AutoEscape::Custom(std::borrow::Cow::Borrowed("markdown"));

/// The template set: built-ins, with overrides from a folder, all compiled up front so
/// that a broken template is reported before anything is drafted.
pub struct Templates {
    env: Environment<'static>,
}

/// A rendered template: the subject line and the body text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// The subject, on one line, with control characters removed.
    pub subject: String,
    /// The body, with `\n` line ends, ending in one newline, wrapped at [`BODY_WIDTH`]
    /// characters (a URL longer than that stands on its own line, unbroken).
    pub body: String,
}

/// The template file name of a step (`agenda-vote.txt`).
pub fn file_name(step: Step) -> String {
    format!("{}.txt", step.name())
}

/// The Markdown template file name of a step's channel message (`agenda-vote.md`).
pub fn post_file_name(step: Step) -> String {
    format!("{}.md", step.name())
}

/// Sets up `env` for the Markdown templates: values escaped by
/// [`super::markdown::escape`] (formatting, links and mentions of theirs stay text),
/// and the `url` filter, which writes an `http(s)` URL as a Markdown autolink target
/// (`<{{ summit.link|url }}>`) and anything else as escaped text.
fn markdown_escaping(env: &mut Environment<'static>) {
    env.set_auto_escape_callback(|name: &str| {
        if name.ends_with(".md") {
            MARKDOWN
        } else {
            minijinja::AutoEscape::None
        }
    });
    env.set_formatter(|out, state, value| {
        if *state.auto_escape() != MARKDOWN {
            return minijinja::escape_formatter(out, state, value);
        }
        let text = if value.is_undefined() || value.is_none() {
            String::new()
        } else {
            value.to_string()
        };
        let text = if value.is_safe() {
            text
        } else {
            super::markdown::escape(&text)
        };
        out.write_str(&text).map_err(minijinja::Error::from)
    });
    env.add_filter("url", |v: String| -> minijinja::Value {
        match super::markdown::autolink_target(&v) {
            Some(url) => minijinja::Value::from_safe_string(url),
            None => minijinja::Value::from(v),
        }
    });
}

impl Templates {
    /// Compiles the built-in templates, each replaced by `dir/NAME` when that file exists.
    ///
    /// # Errors
    /// [`Error::Template`] when an override cannot be read or a template has a syntax
    /// error; [`Error::Config`]-like usage errors are not raised here.
    pub fn load(dir: Option<&Path>) -> Result<Self> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        // Bound the work a user-edited template can do (loops over huge ranges).
        env.set_fuel(Some(1_000_000));
        markdown_escaping(&mut env);
        if let Some(dir) = dir {
            check_override_folder(dir)?;
        }
        for (name, builtin) in BUILTIN {
            let source = match dir.map(|d| d.join(name)) {
                Some(path) if path.exists() => {
                    let cap = crate::store::MAX_TEMPLATE_BYTES;
                    crate::store::read_bounded_text(&path, cap, crate::store::Links::Follow)
                        .map_err(|e| Error::Template {
                            name: path.display().to_string(),
                            line: None,
                            message: match e {
                                crate::store::ReadError::Io(e) => format!("cannot read: {e}"),
                                e => e.message(&path, cap, "a mail template"),
                            },
                        })?
                }
                _ => builtin.to_string(),
            };
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| template_error(name, &e))?;
        }
        Ok(Templates { env })
    }

    /// Renders the template of `step` with `context`.
    ///
    /// # Errors
    /// [`Error::Template`] naming the template and line: an undefined variable, a failed
    /// filter, a missing `Subject:` first line.
    pub fn render(&self, step: Step, context: &impl Serialize) -> Result<Rendered> {
        self.render_file(&file_name(step), context)
    }

    /// Renders the template named `name` (one of [`BUILTIN`]) with `context`.
    ///
    /// # Errors
    /// As [`Templates::render`].
    pub fn render_file(&self, name: &str, context: &impl Serialize) -> Result<Rendered> {
        let name = name.to_string();
        let tmpl = self
            .env
            .get_template(&name)
            .map_err(|e| template_error(&name, &e))?;
        let what = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(n, _)| *n);
        let text = {
            let _budget = crate::budget::Budget::start(what, crate::budget::RENDER_BYTES);
            let mut text = BoundedText::default();
            tmpl.render_captured_to(
                minijinja::Value::from(minijinja::value::Serde(context)),
                &mut text,
            )
            .map_err(|e| {
                if text.over {
                    Error::Template {
                        name: name.clone(),
                        line: None,
                        message: format!(
                            "renders to more than {} KiB, expected a mail of a few kilobytes",
                            MAX_RENDERED / 1024
                        ),
                    }
                } else {
                    template_error(&name, &e)
                }
            })?;
            String::from_utf8_lossy(&text.bytes).into_owned()
        };
        split_subject(&name, &text)
    }
}

/// The most a template may render to, in bytes (1 MiB).
pub const MAX_RENDERED: usize = 1024 * 1024;

/// A writer that takes at most [`MAX_RENDERED`] bytes, then fails.
#[derive(Default)]
struct BoundedText {
    bytes: Vec<u8>,
    over: bool,
}

impl std::io::Write for BoundedText {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_RENDERED {
            self.over = true;
            return Err(std::io::Error::other("the rendered mail is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A `mail.templates` folder must exist, and a file in it that looks like a template
/// (a `.txt` file, or one named after a step) must have a known name, so that a typo
/// (`reminder.tmpl`, `agenda_vote.txt`) is an error rather than a silently ignored
/// override. Other files (a README) are left alone.
fn check_override_folder(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Template {
        name: dir.display().to_string(),
        line: None,
        message: format!("the mail.templates folder cannot be read: {e}"),
    })?;
    let known: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.path().is_file() {
            continue;
        }
        let path = entry.path();
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let looks_like_template = path.extension().is_some_and(|e| e == "txt" || e == "md")
            && !name.eq_ignore_ascii_case("README.md")
            || stem.is_some_and(|s| {
                known
                    .iter()
                    .any(|k| k.rsplit_once('.').map(|(stem, _)| stem) == Some(&s))
            });
        if looks_like_template && !known.contains(&name.as_str()) {
            return Err(Error::Template {
                name: entry.path().display().to_string(),
                line: None,
                message: format!(
                    "`{name}` is not a template name, expected one of {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    Ok(())
}

fn template_error(name: &str, e: &minijinja::Error) -> Error {
    let mut message = e.kind().to_string();
    if let Some(detail) = e.detail() {
        message = format!("{message}: {detail}");
    }
    Error::Template {
        name: e.name().unwrap_or(name).to_string(),
        line: e.line(),
        message: message.to_lowercase_first(),
    }
}

trait LowercaseFirst {
    fn to_lowercase_first(&self) -> String;
}

impl LowercaseFirst for String {
    fn to_lowercase_first(&self) -> String {
        let mut c = self.chars();
        match c.next() {
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => String::new(),
        }
    }
}

/// How wide body lines are wrapped (characters): the usual width of mail a person
/// writes, so that quoting it in a reply still fits 78 columns (RFC 5322 §2.1.1).
pub const BODY_WIDTH: usize = 72;

/// Splits rendered text into the `Subject:` line and the body after the blank line,
/// which is wrapped at [`BODY_WIDTH`] (see [`super::words::wrap`]).
fn split_subject(name: &str, text: &str) -> Result<Rendered> {
    let text = text.replace("\r\n", "\n");
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let subject = first
        .strip_prefix("Subject:")
        .ok_or_else(|| Error::Template {
            name: name.to_string(),
            line: Some(1),
            message: format!(
                "first line `{}` is not a subject, expected `Subject: …`",
                first.chars().take(40).collect::<String>()
            ),
        })?;
    let body = rest.strip_prefix('\n').unwrap_or(rest);
    let body = if name.ends_with(".md") {
        // Markdown: lines are the author's; a chat client or forum wraps them.
        body.trim_end().to_string() + "\n"
    } else {
        super::words::wrap(body.trim_end(), BODY_WIDTH) + "\n"
    };
    Ok(Rendered {
        subject: one_line(subject),
        body,
    })
}

#[cfg(test)]
mod tests;
