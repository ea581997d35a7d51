//! The checks of what `tick` reads: the feed, the agenda, the templates rendered for
//! the next summit, and the facilitation record.

use std::collections::HashSet;
use std::path::Path;

use super::system::folder_of;
use super::{Outcome, lines_as_one};
use crate::agenda::Agenda;
use crate::calendar::Calendar;
use crate::cli::session::Session;
use crate::config::MailConfig;
use crate::error::{Error, Result};
use crate::ledger::Announced;
use crate::mail::render::BUILTIN;
use crate::mail::{self, Change, Templates};
use crate::model::Step;
use crate::plan::find::no_summit;
use crate::plan::inputs::Inputs;
use crate::plan::summit::{self, Planned};
use crate::store::probe_writable;
use crate::text::one_line;

/// The feed as the feed check found it.
pub(super) struct Feed {
    pub(super) outcome: Outcome,
    pub(super) cal: Option<Calendar>,
    /// The next summit and the one after it (empty when the feed failed or has none).
    pub(super) plan: Vec<Planned>,
}

/// The feed read and parsed as `tick` reads it: a URL through the cache in the state
/// directory `dir` (the cache is not updated), with the next summits planned.
pub(super) fn check_feed(session: &Session, config: &Inputs, dir: Option<&Path>) -> Feed {
    let failed = |e: Error| Feed {
        outcome: Outcome::fail("feed", e),
        cal: None,
        plan: Vec::new(),
    };
    let source = match session.source(config) {
        Ok(s) => s,
        Err(e) => return failed(e),
    };
    let name = source.name();
    let read = session.read_feed(config, &source, dir, false);
    let (cal, stood_in) = match read {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let mut warnings = cal.warnings.clone();
    let plan = summit::plan(&cal, config, session.now, 2, &mut warnings);
    let mut seen = HashSet::new();
    warnings.retain(|w| seen.insert(w.clone()));
    crate::cli::printer::warn_all(&warnings);
    if let Some(w) = &stood_in {
        crate::cli::printer::warn(w);
    }
    let mut detail = format!(
        "{name}: {} event(s), {} warning(s)",
        cal.events.len(),
        warnings.len()
    );
    if stood_in.is_some() {
        detail.push_str(", read from the cached copy (see the warning)");
    }
    let Some(p) = plan.first() else {
        let e = no_summit(config, session.now);
        detail = format!("{detail}; {e}");
        return Feed {
            outcome: Outcome::fail_with("feed", detail, vec![e]),
            cal: Some(cal),
            plan,
        };
    };
    let who = match &p.facilitator {
        Some(m) => format!("{} <{}>", m.name, m.email),
        None => "nobody (every member is away)".into(),
    };
    detail = format!(
        "{detail}; next summit {} ({}), facilitator {who}",
        p.summit.start,
        one_line(&p.summit.summary)
    );
    let worth_a_look = !warnings.is_empty() || stood_in.is_some() || p.facilitator.is_none();
    Feed {
        outcome: if worth_a_look {
            Outcome::warn("feed", detail)
        } else {
            Outcome::ok("feed", detail)
        },
        cal: Some(cal),
        plan,
    }
}

/// The agenda named by `--agenda` or `agenda.file`, or read from `agenda.url`,
/// `[agenda.mailbox]` or `[agenda.github]` (read-only: no cache is written, nothing is
/// marked read), loaded into `config` as `tick` loads it; `None` when none is
/// configured.
pub(super) fn check_agenda(
    session: &Session,
    config: &mut Inputs,
    cal: Option<&Calendar>,
    plan: &[Planned],
) -> Option<Outcome> {
    let path = session.agenda_path(config);
    let source = match &path {
        Some(_) => None,
        None => Some(crate::agenda::source::name(
            config.config.agenda.source.as_ref()?,
        )),
    };
    let loaded = match (cal, &path) {
        // What cannot be loaded is recorded in `config.agenda_error`.
        (Some(cal), _) => session.with_agenda(config, cal, false),
        // Without a feed a file can still be parsed, and a source read.
        (None, Some(path)) => Agenda::load(path, config.calendar.zones[0]).map(|_| ()),
        (None, None) => session
            .read_source(config, None, false)
            .map(|a| config.agenda = Some(a))
            .map_err(|(_, e)| e),
    };
    if let Err(e) = loaded {
        return Some(Outcome::fail("agenda", e));
    }
    if let Some(u) = &config.agenda_error {
        // `tick` still sends the other steps; the outreach and the checklist fail.
        return Some(Outcome::fail(
            "agenda",
            Error::Agenda {
                path: u.path.clone(),
                message: u.message.clone(),
            },
        ));
    }
    let mut detail = match (&path, &source) {
        (Some(path), _) => path.display().to_string(),
        (None, source) => source.clone().unwrap_or_default(),
    };
    let Some(agenda) = &config.agenda else {
        detail.push_str(": parses; not matched to a summit (no feed)");
        return Some(Outcome::warn("agenda", detail));
    };
    if source.is_some() {
        let votes: u32 = agenda.topics.iter().map(|t| t.votes).sum();
        detail.push_str(&format!(
            ": {} proposal(s), {votes} vote(s)",
            agenda.topics.len()
        ));
        if let Some(replies) = &agenda.replies {
            let n = replies.len();
            detail.push_str(&format!(
                ", {n} {}",
                if n == 1 { "reply" } else { "replies" }
            ));
        }
    } else {
        detail.push_str(&format!(": {} topic(s)", agenda.topics.len()));
    }
    if !agenda.warnings.is_empty() {
        crate::cli::printer::warn_all(&agenda.warnings);
        detail.push_str(&format!(
            " ({} warning(s): see them above)",
            agenda.warnings.len()
        ));
    }
    let worth_a_look = !agenda.warnings.is_empty();
    let Some(next) = plan.first() else {
        return Some(Outcome::warn("agenda", detail));
    };
    let next_date = next.summit.start.date_utc();
    match (agenda.summit, mail::ranked_agenda(next, config)) {
        (_, Some(ranked)) => {
            if source.is_some() {
                detail.push_str(&format!(", {} late", ranked.late.len()));
            }
            detail.push_str(&format!(
                ", for the summit on {next_date}; the outreach goes to {} topic owner(s) so far",
                ranked.owners().len()
            ));
            let by_hand = ranked.unreachable().len();
            if by_hand > 0 {
                detail.push_str(&format!(
                    ", and {by_hand} chosen topic(s) have no owner address (the checklist lists them)"
                ));
            }
            Some(if worth_a_look {
                Outcome::warn("agenda", detail)
            } else {
                Outcome::ok("agenda", detail)
            })
        }
        (Some(date), None) => {
            detail.push_str(&format!(
                ", for the summit on {date}, not the next one on {next_date}: its outreach goes to the facilitator"
            ));
            Some(Outcome::warn("agenda", detail))
        }
        (None, None) => Some(Outcome::warn("agenda", detail)),
    }
}

/// The templates compiled, and every enabled step (and the corrections) rendered
/// for the next summit through the drafting code `tick` uses; nothing is written.
pub(super) fn check_templates(
    session: &Session,
    templates: Result<Templates>,
    config: &Inputs,
    plan: &[Planned],
) -> Outcome {
    const CHECK: &str = "templates";
    let templates = match templates {
        Ok(t) => t,
        Err(e) => return Outcome::fail(CHECK, e),
    };
    let mut detail = compiled(config);
    let Some(p) = plan.first() else {
        detail.push_str("; not rendered: no upcoming summit to render them for");
        return Outcome::warn(CHECK, detail);
    };
    let next = plan.get(1);
    let mut rendered: Vec<String> = Vec::new();
    let mut nobody: Vec<String> = Vec::new();
    let mut errors: Vec<Error> = Vec::new();
    for step in Step::ALL
        .into_iter()
        .filter(|s| s.enabled(&config.timeline))
    {
        match mail::draft(step, p, next, config, &templates, session.now) {
            // Not mailed without an agenda, but printed by `summit checklist`.
            Ok(d) if d.is_empty() && step == Step::Checklist => {
                match mail::checklist(p, next, config, &templates, session.now) {
                    Ok(_) => rendered.push(step.name().into()),
                    Err(e) => errors.push(e),
                }
            }
            Ok(d) if d.is_empty() => nobody.push(format!("{step} (nobody to send it to)")),
            Ok(_) => rendered.push(step.name().into()),
            Err(e @ Error::NoSummit(_)) => nobody.push(format!("{step} ({e})")),
            // Reported by the agenda check.
            Err(Error::Agenda { .. }) => {
                nobody.push(format!(
                    "{step} (the agenda cannot be read: see the agenda check)"
                ));
            }
            Err(e) => errors.push(e),
        }
        // The channel message (`STEP.md`), rendered whether or not a channel is
        // configured yet: an override is found broken now, not on the first post.
        if crate::config::Audience::of(step).is_some()
            && let Err(e) =
                mail::draft_post(step, p, next, config, &templates, session.now, "check")
        {
            errors.push(e);
        }
    }
    // Sent only when an announced summit moves, is cancelled or reinstated, or gets
    // another facilitator: rendered now, not found broken then.
    if let Ok(m) = config.mail() {
        let before = errors.len();
        errors.extend(render_corrections(session, p, next, m, config, &templates));
        if errors.len() == before {
            rendered.push("correction".into());
        }
    }
    let mut seen = HashSet::new();
    errors.retain(|e| seen.insert(e.to_string()));
    if !errors.is_empty() {
        let text: Vec<String> = errors
            .iter()
            .map(|e| lines_as_one(&e.to_string()))
            .collect();
        return Outcome::fail_with(CHECK, text.join("; "), errors);
    }
    detail.push_str(&format!(
        "; rendered for the summit on {}: {}",
        p.summit.start.date_utc(),
        rendered.join(", ")
    ));
    let facilitator_missing = nobody
        .iter()
        .any(|n| !n.ends_with("(nobody to send it to)"));
    if !nobody.is_empty() {
        detail.push_str(&format!("; not rendered: {}", nobody.join(", ")));
    }
    if facilitator_missing {
        Outcome::warn(CHECK, detail)
    } else {
        Outcome::ok(CHECK, detail)
    }
}

/// How many templates compiled, and which of them the templates folder overrides.
fn compiled(config: &Inputs) -> String {
    let mut detail = format!("{} compiled", BUILTIN.len());
    if let Some(dir) = config.mail.as_ref().and_then(|m| m.templates.as_deref()) {
        let overrides: Vec<&str> = BUILTIN
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| dir.join(n).is_file())
            .collect();
        detail.push_str(&format!(
            " ({} overridden from {}{})",
            overrides.len(),
            dir.display(),
            if overrides.is_empty() {
                String::new()
            } else {
                format!(": {}", overrides.join(", "))
            }
        ));
    }
    detail
}

/// The errors of rendering each correction (moved, cancelled, reinstated, another
/// facilitator) of summit `p` to the public list.
fn render_corrections(
    session: &Session,
    p: &Planned,
    next: Option<&Planned>,
    m: &MailConfig,
    config: &Inputs,
    templates: &Templates,
) -> Vec<Error> {
    let to = &m.public_list[..1];
    let mut errors = Vec::new();
    for (change, cancelled) in [
        (Change::Moved, false),
        (Change::Cancelled, false),
        (Change::Reinstated, true),
        (Change::Facilitator, false),
    ] {
        let announced = Announced::of(&p.summit, cancelled).naming(Some(crate::ledger::Named {
            name: "Someone Else".into(),
            email: "someone.else@example.org".into(),
        }));
        let correction = mail::Correction {
            summit: p,
            next,
            announced: &announced,
            change,
            seq: 1,
            to,
        };
        if let Err(e) = mail::draft_correction(&correction, config, templates, session.now) {
            errors.push(e);
        }
        let post =
            mail::draft_correction_post(&correction, config, templates, session.now, "check");
        if let Err(e) = post {
            errors.push(e);
        }
    }
    errors
}

/// The facilitation record (already parsed with the configuration): its folder must be
/// writable, as `tick` adds to it when it sends a handover. `None` when not configured.
pub(super) fn check_record(config: &Inputs) -> Option<Outcome> {
    const CHECK: &str = "record";
    let path = config.rotation.record.as_deref()?;
    let folder = folder_of(path);
    if let Err(e) = probe_writable(folder) {
        return Some(Outcome::fail(CHECK, e));
    }
    // The file's entries, not the facilitators the ledger adds as announced.
    let entries = config
        .record
        .entries
        .iter()
        .filter(|e| e.decided != crate::record::Decided::Announced)
        .count();
    Some(Outcome::ok(
        CHECK,
        format!(
            "{}: {entries} entr{}{}, its folder is writable",
            path.display(),
            if entries == 1 { "y" } else { "ies" },
            if path.exists() {
                ""
            } else {
                " (no file yet: the first handover starts it)"
            }
        ),
    ))
}
