//! `[[channels]]`: the chat rooms, webhooks, forums and accounts besides e-mail that
//! the steps reach (`../shared/CONTRACT.md`, "Channels"). Plain data: where each
//! channel is, whom it speaks to, and where its secret comes from (never the secret).

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::source::Source;
use crate::error::Result;
use crate::model::Step;
use crate::text::is_loopback;

/// How long one request to a channel may take, connect to last byte, when the channel
/// sets no `timeout`.
pub const DEFAULT_CHANNEL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a channel's `*-command` may take to print its secret when the channel sets
/// no `secret-command-timeout`.
pub const DEFAULT_SECRET_COMMAND_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// One `[[channels]]` table, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channel {
    /// `name`: how the ledger, `--channel` and every message about it name it; letters,
    /// digits, `-`, `_` and `.`, unique among the channels.
    pub name: String,
    /// `audience`: whom it speaks to.
    pub audience: Audience,
    /// `timeout`: the deadline of one request (connect to last byte).
    pub timeout: std::time::Duration,
    /// Where it is and how it is reached, by `kind`.
    pub kind: ChannelKind,
}

/// Whom a channel speaks to: the public (the reminder and its corrections) or the team
/// (the call for votes, the handover and their corrections).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Audience {
    /// Everyone: the reminder.
    Public,
    /// Team members and maintainers: the call for votes and the handover.
    Team,
}

impl Audience {
    /// The audience `step` is for, when it goes to channels at all: the reminder to
    /// public channels, the call for votes and the handover to team channels; the
    /// assignment, the outreach and the checklist are personal and go by e-mail only.
    pub fn of(step: Step) -> Option<Audience> {
        match step {
            Step::Reminder => Some(Audience::Public),
            Step::AgendaVote | Step::Handover => Some(Audience::Team),
            Step::Assignment | Step::Outreach | Step::Checklist => None,
        }
    }

    /// `public` or `team`.
    pub fn name(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Team => "team",
        }
    }
}

/// Where a secret comes from: never the configuration file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Secret {
    /// `*-env`: the value of this environment variable.
    Env(String),
    /// `*-command`: the standard output of this command (run by `sh -c`, one trailing
    /// newline removed), killed with its process group after `timeout`.
    Command {
        /// The command line.
        command: String,
        /// Its deadline (`secret-command-timeout`).
        timeout: std::time::Duration,
    },
}

/// A channel's kind and its settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// A Matrix room, through the client-server API v3.
    Matrix {
        /// `homeserver`: the base URL, e.g. `https://matrix.org`.
        homeserver: Url,
        /// `room`: an alias (`#dev:example.org`) or a room ID (`!abc:example.org`).
        room: String,
        /// `access-token-env` / `access-token-command`.
        access_token: Secret,
    },
    /// A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat).
    Slack {
        /// `webhook-env` / `webhook-command`: the webhook URL is the secret.
        webhook: Secret,
        /// `markup`: how the text is written.
        markup: Markup,
    },
    /// A Discourse forum category.
    Discourse {
        /// `url`: the forum's base URL.
        url: Url,
        /// `category`: the category ID new topics go in.
        category: u64,
        /// `api-username`: the user the API key acts as.
        api_username: String,
        /// `api-key-env` / `api-key-command`.
        api_key: Secret,
    },
    /// A Mastodon account.
    Mastodon {
        /// `instance`: the instance's base URL.
        instance: Url,
        /// `access-token-env` / `access-token-command`.
        access_token: Secret,
    },
}

impl ChannelKind {
    /// `matrix`, `slack`, `discourse` or `mastodon`.
    pub fn name(&self) -> &'static str {
        match self {
            ChannelKind::Matrix { .. } => "matrix",
            ChannelKind::Slack { .. } => "slack",
            ChannelKind::Discourse { .. } => "discourse",
            ChannelKind::Mastodon { .. } => "mastodon",
        }
    }

    /// The secret it needs, and the key it is configured under (`access-token`).
    pub fn secret(&self) -> (&Secret, &'static str) {
        match self {
            ChannelKind::Matrix { access_token, .. }
            | ChannelKind::Mastodon { access_token, .. } => (access_token, "access-token"),
            ChannelKind::Slack { webhook, .. } => (webhook, "webhook"),
            ChannelKind::Discourse { api_key, .. } => (api_key, "api-key"),
        }
    }
}

/// How a webhook's text is marked up (`markup`): Slack's own mrkdwn (the default), or
/// Markdown for the webhooks of Mattermost and Rocket.Chat, which take Markdown and
/// show Slack's `*bold*` and `&lt;` literally.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Markup {
    /// Slack's mrkdwn: `*bold*`, `<url|text>`, `&`, `<`, `>` escaped.
    #[default]
    Mrkdwn,
    /// CommonMark, as the template writes it (values escaped).
    Markdown,
}

/// The kinds a `[[channels]]` table may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum RawKind {
    Matrix,
    Slack,
    Discourse,
    Mastodon,
}

/// One `[[channels]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawChannel {
    pub(super) name: Spanned<String>,
    pub(super) kind: Spanned<RawKind>,
    pub(super) audience: Spanned<Audience>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) secret_command_timeout: Option<Spanned<String>>,
    pub(super) homeserver: Option<Spanned<String>>,
    pub(super) room: Option<Spanned<String>>,
    pub(super) url: Option<Spanned<String>>,
    pub(super) instance: Option<Spanned<String>>,
    pub(super) category: Option<Spanned<i64>>,
    pub(super) api_username: Option<Spanned<String>>,
    pub(super) markup: Option<Spanned<Markup>>,
    pub(super) access_token_env: Option<Spanned<String>>,
    pub(super) access_token_command: Option<Spanned<String>>,
    pub(super) webhook_env: Option<Spanned<String>>,
    pub(super) webhook_command: Option<Spanned<String>>,
    pub(super) api_key_env: Option<Spanned<String>>,
    pub(super) api_key_command: Option<Spanned<String>>,
    // Refused with a pointer to `*-env` / `*-command`: secrets never live in the file.
    pub(super) access_token: Option<Spanned<toml::Value>>,
    pub(super) webhook: Option<Spanned<toml::Value>>,
    pub(super) api_key: Option<Spanned<toml::Value>>,
}

/// Validates every `[[channels]]` table: names unique and plain, the keys of its kind
/// present and no other kind's, URLs `https://` (or `http://` to a loopback host), one
/// source for the secret.
///
/// # Errors
/// [`crate::Error::Config`] naming the line and the key or value at fault.
pub(super) fn validate(raw: Vec<RawChannel>, src: &Source) -> Result<Vec<Channel>> {
    let mut channels: Vec<Channel> = Vec::new();
    for (i, c) in raw.into_iter().enumerate() {
        let at = format!("channels[{}]", i + 1);
        let name = c.name.get_ref().trim().to_string();
        if name.is_empty()
            || !name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
        {
            return Err(src.at(
                &c.name,
                format!(
                    "{at}.name `{}` is not a channel name, expected letters, digits, `-`, `_` and `.` (e.g. `matrix-dev`)",
                    c.name.get_ref().escape_debug()
                ),
            ));
        }
        if channels.iter().any(|o| o.name == name) {
            return Err(src.at(
                &c.name,
                format!("{at}.name `{name}` names two channels, expected each name once"),
            ));
        }
        let at = format!("channels `{name}`");
        let kind = kind(&c, &at, src)?;
        channels.push(Channel {
            name,
            audience: *c.audience.get_ref(),
            timeout: src.timeout(
                &c.timeout,
                &format!("{at} timeout"),
                DEFAULT_CHANNEL_TIMEOUT,
            )?,
            kind,
        });
    }
    Ok(channels)
}

/// The kind-specific keys of `c`.
fn kind(c: &RawChannel, at: &str, src: &Source) -> Result<ChannelKind> {
    for (v, key) in [
        (&c.access_token, "access-token"),
        (&c.webhook, "webhook"),
        (&c.api_key, "api-key"),
    ] {
        if let Some(v) = v {
            return Err(src.at(
                v,
                format!(
                    "{at}: `{key}` is not supported: secrets never live in the configuration file, expected `{key}-env = \"VARIABLE\"` or `{key}-command = \"command that prints it\"`"
                ),
            ));
        }
    }
    let kind = *c.kind.get_ref();
    refuse_other_kinds_keys(c, kind, at, src)?;
    let kind_name = kind_name(kind);
    let timeout = src.timeout(
        &c.secret_command_timeout,
        &format!("{at} secret-command-timeout"),
        DEFAULT_SECRET_COMMAND_TIMEOUT,
    )?;
    let need = |v: &Option<Spanned<String>>, key: &str| -> Result<Spanned<String>> {
        v.clone().ok_or_else(|| {
            src.at(
                &c.kind,
                format!("{at}: a `{kind_name}` channel needs `{key}`"),
            )
        })
    };
    let secret = |env: &Option<Spanned<String>>, cmd: &Option<Spanned<String>>, key: &str| {
        secret(env, cmd, key, timeout, at, &c.kind, src)
    };
    Ok(match kind {
        RawKind::Matrix => ChannelKind::Matrix {
            homeserver: base_url(&need(&c.homeserver, "homeserver")?, at, "homeserver", src)?,
            room: room(&need(&c.room, "room")?, at, src)?,
            access_token: secret(&c.access_token_env, &c.access_token_command, "access-token")?,
        },
        RawKind::Slack => ChannelKind::Slack {
            webhook: secret(&c.webhook_env, &c.webhook_command, "webhook")?,
            markup: c.markup.as_ref().map(|m| *m.get_ref()).unwrap_or_default(),
        },
        RawKind::Discourse => ChannelKind::Discourse {
            url: base_url(&need(&c.url, "url")?, at, "url", src)?,
            category: match &c.category {
                Some(n) if *n.get_ref() > 0 => *n.get_ref() as u64,
                Some(n) => {
                    return Err(src.at(
                        n,
                        format!(
                            "{at}: category `{}` is not a category ID, expected a positive number (the number in the category's URL)",
                            n.get_ref()
                        ),
                    ));
                }
                None => {
                    return Err(src.at(
                        &c.kind,
                        format!("{at}: a `discourse` channel needs `category`"),
                    ));
                }
            },
            api_username: src.plain(
                &need(&c.api_username, "api-username")?,
                &format!("{at} api-username"),
            )?,
            api_key: secret(&c.api_key_env, &c.api_key_command, "api-key")?,
        },
        RawKind::Mastodon => ChannelKind::Mastodon {
            instance: base_url(&need(&c.instance, "instance")?, at, "instance", src)?,
            access_token: secret(&c.access_token_env, &c.access_token_command, "access-token")?,
        },
    })
}

/// Refuses a key of another kind of channel than `kind` (`category` on a Matrix
/// channel, say): it would be ignored, so it is a mistake.
fn refuse_other_kinds_keys(c: &RawChannel, kind: RawKind, at: &str, src: &Source) -> Result<()> {
    let allowed: &[&str] = match kind {
        RawKind::Matrix => &["homeserver", "room", "access-token"],
        RawKind::Slack => &["webhook", "markup"],
        RawKind::Discourse => &["url", "category", "api-username", "api-key"],
        RawKind::Mastodon => &["instance", "access-token"],
    };
    let present: [(Option<std::ops::Range<usize>>, &str, &str); 10] = [
        (c.markup.as_ref().map(Spanned::span), "markup", "markup"),
        (span(&c.homeserver), "homeserver", "homeserver"),
        (span(&c.room), "room", "room"),
        (span(&c.url), "url", "url"),
        (span(&c.instance), "instance", "instance"),
        (
            c.category.as_ref().map(Spanned::span),
            "category",
            "category",
        ),
        (span(&c.api_username), "api-username", "api-username"),
        (
            span(&c.access_token_env).or(span(&c.access_token_command)),
            "access-token",
            "access-token-env",
        ),
        (
            span(&c.webhook_env).or(span(&c.webhook_command)),
            "webhook",
            "webhook-env",
        ),
        (
            span(&c.api_key_env).or(span(&c.api_key_command)),
            "api-key",
            "api-key-env",
        ),
    ];
    let kind_name = kind_name(kind);
    for (s, group, key) in &present {
        if let Some(s) = s
            && !allowed.contains(group)
        {
            return Err(src.err(
                Some(s.clone()),
                format!(
                    "{at}: `{key}` is not a key of a `{kind_name}` channel, expected only {}",
                    expected_keys(allowed)
                ),
            ));
        }
    }
    Ok(())
}

fn span(v: &Option<Spanned<String>>) -> Option<std::ops::Range<usize>> {
    v.as_ref().map(Spanned::span)
}

fn kind_name(k: RawKind) -> &'static str {
    match k {
        RawKind::Matrix => "matrix",
        RawKind::Slack => "slack",
        RawKind::Discourse => "discourse",
        RawKind::Mastodon => "mastodon",
    }
}

/// `` `homeserver`, `room` and `access-token-env` or `access-token-command` ``.
fn expected_keys(allowed: &[&str]) -> String {
    let keys: Vec<String> = allowed
        .iter()
        .map(|k| match *k {
            "access-token" | "webhook" | "api-key" => format!("`{k}-env` or `{k}-command`"),
            k => format!("`{k}`"),
        })
        .collect();
    keys.join(", ")
}

/// Exactly one of `{key}-env` and `{key}-command`.
fn secret(
    env: &Option<Spanned<String>>,
    cmd: &Option<Spanned<String>>,
    key: &str,
    timeout: std::time::Duration,
    at: &str,
    kind: &Spanned<RawKind>,
    src: &Source,
) -> Result<Secret> {
    secret_of(env, cmd, key, timeout, at, src)?.ok_or_else(|| {
        src.at(
            kind,
            format!(
                "{at}: a `{}` channel needs `{key}-env = \"VARIABLE\"` or `{key}-command = \"command that prints it\"`",
                kind_name(*kind.get_ref())
            ),
        )
    })
}

/// The secret under `KEY-env` or `KEY-command` (its command given `timeout`); `None`
/// when neither is set. `at` names the table in errors.
///
/// # Errors
/// [`crate::Error::Config`] naming the line: both are set, the variable name is empty or
/// has `=`, the command is empty.
pub(super) fn secret_of(
    env: &Option<Spanned<String>>,
    cmd: &Option<Spanned<String>>,
    key: &str,
    timeout: std::time::Duration,
    at: &str,
    src: &Source,
) -> Result<Option<Secret>> {
    match (env, cmd) {
        (Some(e), None) => {
            let var = e.get_ref().trim();
            if var.is_empty() || var.contains(['=', '\0']) {
                return Err(src.at(
                    e,
                    format!(
                        "{at}: {key}-env `{}` is not an environment variable name, expected e.g. `SUMMIT_TOKEN`",
                        e.get_ref().escape_debug()
                    ),
                ));
            }
            Ok(Some(Secret::Env(var.to_string())))
        }
        (None, Some(c)) if !c.get_ref().trim().is_empty() => Ok(Some(Secret::Command {
            command: c.get_ref().clone(),
            timeout,
        })),
        (None, Some(c)) => Err(src.at(
            c,
            format!("{at}: {key}-command is empty, expected a command that prints the secret"),
        )),
        (Some(e), Some(_)) => Err(src.at(
            e,
            format!("{at} has both {key}-env and {key}-command, expected one of them"),
        )),
        (None, None) => Ok(None),
    }
}

/// A base URL: `https://`, or `http://` to a loopback host; no query or fragment.
pub(super) fn base_url(s: &Spanned<String>, at: &str, key: &str, src: &Source) -> Result<Url> {
    let text = s.get_ref().trim();
    let bad = |why: &str| {
        src.at(
            s,
            format!(
                "{at}: {key} `{}` {why}, expected an https:// URL such as `https://example.org`",
                text.escape_debug()
            ),
        )
    };
    let url = Url::parse(text).map_err(|e| bad(&format!("is not a URL ({e})")))?;
    let host = url.host_str().unwrap_or("");
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => return Err(bad("is plain http to a host that is not loopback")),
        _ => return Err(bad("is not an http(s) URL")),
    }
    if host.is_empty() || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("has no host, or has a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("carries credentials"));
    }
    Ok(url)
}

/// A Matrix room alias (`#name:server`) or room ID (`!opaque:server`).
fn room(s: &Spanned<String>, at: &str, src: &Source) -> Result<String> {
    let r = s.get_ref().trim();
    let ok = (r.starts_with('#') || r.starts_with('!'))
        && r[1..]
            .split_once(':')
            .is_some_and(|(l, h)| !l.is_empty() && !h.is_empty())
        && !r.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(src.at(
            s,
            format!(
                "{at}: room `{}` is not a Matrix room, expected an alias like `#dev:example.org` or an ID like `!abc:example.org`",
                r.escape_debug()
            ),
        ));
    }
    Ok(r.to_string())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    fn load(channels: &str) -> Result<Config> {
        let text = format!("[calendar]\nfeed = \"f.ics\"\n{channels}");
        Config::from_toml(&text, Path::new("summit.toml"), Path::new("."))
    }

    fn err(channels: &str) -> String {
        load(channels).unwrap_err().to_string()
    }

    #[test]
    fn the_contract_example_loads() {
        let c = load(
            r##"
[[channels]]
name = "matrix-dev"
kind = "matrix"
audience = "public"
homeserver = "https://matrix.org"
room = "#prometheus-dev:matrix.org"
access-token-env = "SUMMIT_MATRIX_TOKEN"

[[channels]]
name = "slack-dev"
kind = "slack"
audience = "public"
webhook-env = "SUMMIT_SLACK_WEBHOOK"
markup = "markdown"

[[channels]]
name = "forum"
kind = "discourse"
audience = "team"
url = "https://discuss.prometheus.io"
category = 5
api-username = "summit-bot"
api-key-command = "pass show discourse"

[[channels]]
name = "mastodon"
kind = "mastodon"
audience = "public"
instance = "http://127.0.0.1:8080"
access-token-env = "SUMMIT_MASTODON_TOKEN"
timeout = "10s"
"##,
        )
        .unwrap();
        assert_eq!(c.channels.len(), 4);
        assert_eq!(c.channels[0].name, "matrix-dev");
        assert_eq!(c.channels[0].audience, Audience::Public);
        assert_eq!(c.channels[2].audience, Audience::Team);
        assert!(matches!(
            &c.channels[2].kind,
            ChannelKind::Discourse {
                category: 5,
                api_key: Secret::Command { .. },
                ..
            }
        ));
        assert_eq!(c.channels[3].timeout, std::time::Duration::from_secs(10));
        assert!(matches!(
            c.channels[1].kind,
            ChannelKind::Slack {
                markup: Markup::Markdown,
                ..
            }
        ));
        assert_eq!(
            c.channels[1].kind.secret().0,
            &Secret::Env("SUMMIT_SLACK_WEBHOOK".into())
        );
    }

    #[test]
    fn bad_channels_are_refused_with_their_line() {
        let base = "[[channels]]\nname = \"m\"\nkind = \"matrix\"\naudience = \"public\"\n";
        let e = err(&format!(
            "{base}homeserver = \"http://matrix.org\"\nroom = \"#a:b\"\naccess-token-env = \"T\"\n"
        ));
        assert!(e.contains("line 7") && e.contains("plain http"), "{e}");
        let e = err(&format!(
            "{base}homeserver = \"https://m.org\"\nroom = \"#a:b\"\naccess-token = \"secret\"\n"
        ));
        assert!(
            e.contains("never live in the configuration file") && !e.contains("secret\""),
            "{e}"
        );
        let e = err(&format!(
            "{base}homeserver = \"https://m.org\"\nroom = \"a\"\naccess-token-env = \"T\"\n"
        ));
        assert!(e.contains("room `a` is not a Matrix room"), "{e}");
        let e = err(&format!(
            "{base}room = \"#a:b\"\naccess-token-env = \"T\"\n"
        ));
        assert!(e.contains("needs `homeserver`"), "{e}");
        let e = err(&format!(
            "{base}homeserver = \"https://m.org\"\nroom = \"#a:b\"\naccess-token-env = \"T\"\ncategory = 3\n"
        ));
        assert!(
            e.contains("`category` is not a key of a `matrix` channel"),
            "{e}"
        );
        let e = err(&format!(
            "{base}homeserver = \"https://m.org\"\nroom = \"#a:b\"\n"
        ));
        assert!(e.contains("needs `access-token-env"), "{e}");
        let two = "[[channels]]\nname = \"s\"\nkind = \"slack\"\naudience = \"team\"\nwebhook-env = \"W\"\n";
        let e = err(&format!("{two}{two}"));
        assert!(
            e.contains("line 9") && e.contains("names two channels"),
            "{e}"
        );
        let e = err(
            "[[channels]]\nname = \"a b\"\nkind = \"slack\"\naudience = \"team\"\nwebhook-env = \"W\"\n",
        );
        assert!(e.contains("is not a channel name"), "{e}");
        let e = err("[[channels]]\nname = \"s\"\nkind = \"irc\"\naudience = \"team\"\n");
        assert!(e.contains("line 5"), "{e}");
        let e = err(
            "[[channels]]\nname = \"s\"\nkind = \"slack\"\naudience = \"everyone\"\nwebhook-env = \"W\"\n",
        );
        assert!(e.contains("line 6"), "{e}");
    }
}
