//! `summit tick`: the cron entry point. Sends every step that is due and not yet sent,
//! and the corrections of announced summits that moved; prints nothing when nothing is
//! due.

use std::collections::BTreeMap;

use super::deliver::{carry_out, delivery_setup};
use crate::cli::printer::Printer;
use crate::cli::session::Session;
use crate::cli::show::agenda_warnings;
use crate::error::Result;
use crate::ledger::Ledger;
use crate::mail;
use crate::model::OccurrenceKey;
use crate::model::Step;
use crate::send::{self, Summits};

/// The flags of `summit tick`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print what would be sent; send and record nothing.
    #[arg(long)]
    dry_run: bool,
    /// Also send messages whose earlier delivery was interrupted and never confirmed.
    #[arg(long)]
    retry: bool,
}

/// `summit tick`.
///
/// # Errors
/// Whatever loading meets; [`crate::Error::Delivery`] with every message that was not
/// sent.
pub fn run(session: &Session, args: Args, printer: &mut Printer) -> Result<()> {
    let Args { dry_run, retry } = args;
    let now = session.now;
    let mut setup = delivery_setup(session, dry_run)?;
    let (cal, mut warnings) = session.cached_calendar(&setup.config, &setup.dir, !dry_run)?;
    session.with_agenda(&mut setup.config, &cal, !dry_run)?;
    // Printed with the feed's, only when the run has something to say.
    warnings.extend(agenda_warnings(&setup.config));
    let summits = match Summits::collect(&cal, &setup.config, &setup.ledger, now, &mut warnings) {
        Ok(s) => s,
        Err(e) => {
            // What is wrong with the feed may explain the error.
            let mut seen = std::collections::HashSet::new();
            warnings.retain(|w| seen.insert(w.clone()));
            printer.warn_all(&warnings);
            return Err(e);
        }
    };
    // Owners with no address and no facilitator's checklist to list them: say so while
    // their outreach is due.
    warnings.extend(
        summits
            .planned
            .iter()
            .filter(|p| {
                let due = Step::Outreach.due(&p.summit, &setup.config.timeline);
                due <= now && now < p.summit.start.instant()
            })
            .filter_map(|p| mail::unreached_warning(p, &setup.config)),
    );
    if follow_renamed(&summits, &mut setup.ledger, printer) {
        setup.fresh = true;
    }
    let mail = setup.config.mail()?;
    let plan = send::plan(&summits, &setup.ledger, &setup.config, mail, now, retry);
    carry_out(session, setup, plan, &warnings, dry_run, printer)
}

/// The feed re-created summits under a new UID: their entries follow them, said once
/// per series (the next run finds nothing to move). Whether any was renamed (the ledger
/// must be saved).
fn follow_renamed(summits: &Summits, ledger: &mut Ledger, printer: &Printer) -> bool {
    let mut by_series: BTreeMap<(&str, &str), (Vec<String>, usize)> = BTreeMap::new();
    for (old, new) in &summits.renamed {
        let moved = ledger.rekey(old, new);
        let date = summits
            .planned
            .iter()
            .find(|p| OccurrenceKey::of(&p.summit) == *new)
            .map_or_else(
                || "?".to_string(),
                |p| p.summit.start.date_utc().to_string(),
            );
        let (dates, entries) = by_series.entry((&old.uid, &new.uid)).or_default();
        dates.push(date);
        *entries += moved;
    }
    for ((old, new), (dates, moved)) in by_series {
        printer.warn(&format!(
            "the {} on {} {} in the feed under the UID `{}` now, no longer `{}`: taken as the same {} ({moved} ledger entr{} moved), so nothing already sent about {} is sent again",
            if dates.len() == 1 {
                "summit"
            } else {
                "summits"
            },
            dates.join(", "),
            if dates.len() == 1 { "is" } else { "are" },
            crate::text::one_line(new),
            crate::text::one_line(old),
            if dates.len() == 1 {
                "summit"
            } else {
                "summits"
            },
            if moved == 1 { "y" } else { "ies" },
            if dates.len() == 1 { "it" } else { "them" },
        ));
    }
    !summits.renamed.is_empty()
}
