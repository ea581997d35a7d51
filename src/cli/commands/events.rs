//! `summit events`: every occurrence of every event in the feed (needs only a feed).

use chrono::{DateTime, Utc};

use crate::calendar::{self, Window};
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::values::{parse_count, parse_instant, parse_regex};
use crate::error::{Error, Result};
use crate::model::Occurrence;
use crate::text::one_line;

/// The flags of `summit events`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Occurrences starting at or after this instant (RFC 3339); default: now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    from: Option<DateTime<Utc>>,
    /// Occurrences starting before this instant (RFC 3339); default: ten years after --from.
    #[arg(long, value_name = "RFC3339", value_parser = parse_instant)]
    to: Option<DateTime<Utc>>,
    /// At most this many occurrences.
    #[arg(long, default_value_t = 50, value_name = "N", value_parser = parse_count)]
    count: usize,
    /// Only occurrences whose SUMMARY matches this regex (Rust `regex` syntax).
    #[arg(long = "match", value_name = "REGEX", value_parser = parse_regex)]
    pattern: Option<regex::Regex>,
}

/// `summit events`.
///
/// # Errors
/// [`Error::Usage`] when `--to` is before `--from`; whatever reading the feed meets.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let from = args.from.unwrap_or(session.now);
    if let Some(to) = args.to
        && to < from
    {
        return Err(Error::Usage(format!(
            "--to `{}` is before --from `{}`, expected a later instant",
            calendar::When::Timed(to),
            calendar::When::Timed(from)
        )));
    }
    let config = session.config_or_builtin()?;
    let cal = session.calendar(&config)?;
    let mut warnings = Vec::new();
    let mut occurrences = calendar::occurrences(
        &cal,
        Window::new(from, args.to),
        args.pattern.as_ref(),
        &mut warnings,
    );
    let list: Vec<Occurrence> = occurrences
        .by_ref()
        .filter(|o| !o.is_status_cancelled())
        .take(args.count)
        .collect();
    warnings.extend(occurrences.take_warnings());
    printer.warn_all(&warnings);
    printer.show(&list, |p| {
        let rows: Vec<Vec<String>> = list
            .iter()
            .map(|o| vec![p.when(o.start), p.when(o.end), one_line(&o.summary)])
            .collect();
        p.table(&rows, None, |_| Vec::new())
    })
}
