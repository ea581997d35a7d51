//! The configuration text being validated, and the checks every table shares: each
//! error names the file and the line of the value at fault.

use std::ops::Range;
use std::path::Path;

use chrono::Duration;
use chrono_tz::Tz;
use toml::Spanned;

use crate::error::{Error, Result};
use crate::model::timeline::parse_offset;
use crate::text::odd_char;

/// The text of a configuration file, with where it came from.
pub(super) struct Source<'a> {
    /// The text, for the line of a span.
    pub text: &'a str,
    /// The file, named in every error.
    pub path: &'a Path,
    /// The folder relative paths resolve against.
    pub dir: &'a Path,
}

impl Source<'_> {
    /// A configuration error, on the line of `span` when known.
    pub fn err(&self, span: Option<Range<usize>>, message: String) -> Error {
        Error::Config {
            path: self.path.to_path_buf(),
            message: match span {
                Some(s) => format!("line {}: {message}", line_of(self.text, s.start)),
                None => message,
            },
        }
    }

    /// A configuration error on the line of `s`.
    pub fn at<T>(&self, s: &Spanned<T>, message: String) -> Error {
        self.err(Some(s.span()), message)
    }

    /// A deadline under `key` (its table included), e.g. `30s` or `2m`: more than zero;
    /// `default` when not set.
    pub fn timeout(
        &self,
        v: &Option<Spanned<String>>,
        key: &str,
        default: std::time::Duration,
    ) -> Result<std::time::Duration> {
        match v {
            None => Ok(default),
            Some(s) => parse_offset(s.get_ref())
                .and_then(|d| d.to_std().ok())
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    self.at(
                        s,
                        format!(
                            "{key} `{}` is not a duration of more than zero, expected e.g. `30s` or `2m`",
                            s.get_ref()
                        ),
                    )
                }),
        }
    }

    /// A duration such as `7d` under `key` (its table included), or `default`;
    /// `examples` are what the error suggests.
    pub fn duration(
        &self,
        v: &Option<Spanned<String>>,
        key: &str,
        default: Duration,
        examples: &str,
    ) -> Result<Duration> {
        match v {
            None => Ok(default),
            Some(s) => parse_offset(s.get_ref()).ok_or_else(|| {
                self.at(
                    s,
                    format!(
                        "{key} `{}` is not a duration, expected e.g. {examples}",
                        s.get_ref()
                    ),
                )
            }),
        }
    }

    /// An IANA time zone under `key`.
    pub fn zone(&self, s: &Spanned<String>, key: &str) -> Result<Tz> {
        s.get_ref().parse::<Tz>().map_err(|_| {
            self.at(
                s,
                format!(
                    "{key} `{}` is not an IANA time zone name, expected e.g. `Europe/Berlin`",
                    s.get_ref()
                ),
            )
        })
    }

    /// Plain text on one line under `key`, trimmed.
    pub fn plain(&self, s: &Spanned<String>, key: &str) -> Result<String> {
        match odd_char(s.get_ref()) {
            None => Ok(s.get_ref().trim().to_string()),
            Some(c) => Err(self.at(
                s,
                format!(
                    "{key} `{}` contains the control character U+{:04X}, expected plain text on one line",
                    s.get_ref().escape_debug(),
                    u32::from(c)
                ),
            )),
        }
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    1 + text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}
