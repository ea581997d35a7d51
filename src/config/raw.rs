//! The configuration as written: serde structs that mirror `summit.toml`, each table
//! rejecting unknown keys and keeping the spans its checks quote. `[mail]` is written
//! beside its validator (`mail.rs`), with the enums its keys share with [`super::MailConfig`].

use serde::Deserialize;
use toml::Spanned;

use super::channels::RawChannel;
use super::mail::RawMail;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) project: RawProject,
    #[serde(default)]
    pub(super) calendar: RawCalendar,
    #[serde(default)]
    pub(super) timeline: RawTimeline,
    pub(super) mail: Option<RawMail>,
    #[serde(default)]
    pub(super) rotation: RawRotation,
    #[serde(default)]
    pub(super) agenda: RawAgenda,
    #[serde(default)]
    pub(super) outreach: RawOutreach,
    #[serde(default)]
    pub(super) channels: Vec<RawChannel>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawAgenda {
    pub(super) file: Option<Spanned<String>>,
    pub(super) url: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) voters: Vec<Spanned<String>>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) mailbox: Option<Spanned<RawMailbox>>,
    pub(super) github: Option<Spanned<RawGithub>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMailbox {
    pub(super) url: Spanned<String>,
    pub(super) username: Option<Spanned<String>>,
    pub(super) password_env: Option<Spanned<String>>,
    pub(super) password_command: Option<Spanned<String>>,
    pub(super) password_command_timeout: Option<Spanned<String>>,
    pub(super) subject: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawGithub {
    pub(super) repo: Spanned<String>,
    pub(super) label: Spanned<String>,
    pub(super) kind: Option<Spanned<String>>,
    pub(super) token_env: Option<Spanned<String>>,
    pub(super) token_command: Option<Spanned<String>>,
    pub(super) token_command_timeout: Option<Spanned<String>>,
    pub(super) api: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawOutreach {
    pub(super) top: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawProject {
    pub(super) name: Option<Spanned<String>>,
    pub(super) notes_url: Option<Spanned<String>>,
    pub(super) calendar_url: Option<Spanned<String>>,
    pub(super) meeting_url: Option<Spanned<String>>,
    pub(super) code_of_conduct_url: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawCalendar {
    pub(super) feed: Option<String>,
    pub(super) summit: Option<Spanned<String>>,
    pub(super) zones: Option<Vec<Spanned<String>>>,
    pub(super) default_tz: Option<Spanned<String>>,
    pub(super) cache_max_age: Option<Spanned<String>>,
    pub(super) cancel_missing_after: Option<Spanned<String>>,
    pub(super) fetch_timeout: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawTimeline {
    pub(super) assignment: Option<Spanned<String>>,
    pub(super) reminder: Option<Spanned<String>>,
    pub(super) agenda_vote: Option<Spanned<String>>,
    pub(super) outreach: Option<Spanned<String>>,
    pub(super) handover: Option<Spanned<String>>,
    pub(super) topic_deadline: Option<Spanned<String>>,
    pub(super) assignment_until: Option<Spanned<String>>,
    pub(super) reminder_until: Option<Spanned<String>>,
    pub(super) agenda_vote_until: Option<Spanned<String>>,
    pub(super) outreach_until: Option<Spanned<String>>,
    pub(super) checklist_until: Option<Spanned<String>>,
    pub(super) handover_until: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawRotation {
    pub(super) start: Option<Spanned<String>>,
    pub(super) record: Option<String>,
    #[serde(default)]
    pub(super) members: Vec<Spanned<RawMember>>,
    #[serde(default)]
    pub(super) assign: Vec<Spanned<RawPin>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawPin {
    pub(super) date: Spanned<String>,
    pub(super) email: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMember {
    pub(super) name: String,
    pub(super) email: Spanned<String>,
    #[serde(default)]
    pub(super) away: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) greeting: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) github: Option<Spanned<String>>,
}
