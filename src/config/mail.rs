//! `[mail]` and `[mail.smtp]`: addresses and transport. The password never lives here:
//! only where to get it.

use std::path::PathBuf;

use lettre::message::Mailbox;
use serde::Deserialize;
use toml::Spanned;

use super::source::Source;
use crate::error::Result;
use crate::model::member::unsendable;
use crate::text::{is_loopback, odd_char};

/// `[mail]`.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `from`: the sender, e.g. `Summit Bot <summit@example.org>`.
    pub from: Mailbox,
    /// `public-list`: the public community lists the reminder goes to (one address or a
    /// list; each gets its own message), never empty.
    pub public_list: Vec<Mailbox>,
    /// `team-list`: the team lists for the agenda vote and the handover (one address or
    /// a list; each gets its own message), never empty.
    pub team_list: Vec<Mailbox>,
    /// `transport`: how mail leaves.
    pub transport: Transport,
    /// `outbox`: the folder for `transport = "file"` (relative to the config's folder).
    pub outbox: PathBuf,
    /// `sendmail`: the program for `transport = "sendmail"` (default `sendmail`, looked
    /// up in PATH); it is run as `sendmail -i -f FROM -- RECIPIENTS`.
    pub sendmail: String,
    /// `sendmail-timeout`: how long `sendmail` may take to hand one message over
    /// (default 60 seconds); past it, it is killed with its whole process group.
    pub sendmail_timeout: std::time::Duration,
    /// `templates`: a folder whose files override the built-in templates.
    pub templates: Option<PathBuf>,
    /// `[mail.smtp]`.
    pub smtp: Smtp,
}

/// `mail.transport`, named in lowercase in the file and in output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, strum::IntoStaticStr)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Transport {
    /// An SMTP server (`[mail.smtp]`).
    Smtp,
    /// The local `sendmail` program.
    Sendmail,
    /// `.eml` files in `mail.outbox`.
    File,
}

impl Transport {
    /// The name `mail.transport` gives it (`smtp`).
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// `[mail.smtp]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Smtp {
    /// `host` (default `127.0.0.1`).
    pub host: String,
    /// `port` (default 587 for starttls, 465 for tls, 25 for none).
    pub port: u16,
    /// `security`.
    pub security: Security,
    /// `username`, for AUTH; needs exactly one of `password-env` and `password-command`.
    pub username: Option<String>,
    /// `password-env`: the environment variable that holds the password.
    pub password_env: Option<String>,
    /// `password-command`: a command (run by `sh -c`) whose standard output is the
    /// password. The password itself never lives in the configuration file.
    pub password_command: Option<String>,
    /// `password-command-timeout`: how long `password-command` may run (default 30
    /// seconds); past it, it is killed with its whole process group.
    pub password_command_timeout: std::time::Duration,
    /// `timeout`: how long one SMTP conversation (connecting, TLS, AUTH, and one
    /// message) may take in all (default 60 seconds); past it, it is abandoned.
    pub timeout: std::time::Duration,
}

/// `mail.smtp.security`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: allowed only to a loopback host.
    None,
}

/// The default of `mail.smtp.timeout`.
pub const DEFAULT_SMTP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The default of `mail.sendmail-timeout`.
pub const DEFAULT_SENDMAIL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The default of `mail.smtp.password-command-timeout`.
pub const DEFAULT_PASSWORD_COMMAND_TIMEOUT: std::time::Duration =
    std::time::Duration::from_secs(30);

/// `[mail]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawMail {
    pub(super) from: Spanned<String>,
    pub(super) public_list: Spanned<Lists>,
    pub(super) team_list: Spanned<Lists>,
    pub(super) transport: Option<Transport>,
    pub(super) outbox: Option<String>,
    pub(super) sendmail: Option<String>,
    pub(super) sendmail_timeout: Option<Spanned<String>>,
    pub(super) templates: Option<String>,
    #[serde(default)]
    pub(super) smtp: RawSmtp,
}

/// `public-list` or `team-list` as written: one address, or a list of them.
pub(super) enum Lists {
    /// `"dev@example.org"`.
    One(String),
    /// `["dev@example.org", "users@example.org"]`, each with its place in the file.
    Many(Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for Lists {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Lists, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Lists;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an e-mail address or a list of them")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> std::result::Result<Lists, E> {
                Ok(Lists::One(s.to_string()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<Lists, A::Error> {
                let mut all = Vec::new();
                while let Some(a) = seq.next_element::<Spanned<String>>()? {
                    all.push(a);
                }
                Ok(Lists::Many(all))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// The addresses of `key` (`mail.public-list`): each a sendable mailbox, at least one,
/// none twice (compared without regard to case).
fn lists(l: &Spanned<Lists>, key: &str, src: &Source) -> Result<Vec<Mailbox>> {
    let written: Vec<Spanned<String>> = match l.get_ref() {
        Lists::One(s) => vec![Spanned::new(l.span(), s.clone())],
        Lists::Many(all) => all.clone(),
    };
    if written.is_empty() {
        return Err(src.at(
            l,
            format!("{key} is an empty list, expected at least one address"),
        ));
    }
    let mut out: Vec<Mailbox> = Vec::with_capacity(written.len());
    for s in &written {
        let m = mailbox(s, key, src)?;
        if out
            .iter()
            .any(|o| crate::model::Email::same(&o.email, &m.email))
        {
            return Err(src.at(
                s,
                format!(
                    "{key} names `{}` twice, expected each list once",
                    s.get_ref().escape_debug()
                ),
            ));
        }
        out.push(m);
    }
    Ok(out)
}

/// `[mail.smtp]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSmtp {
    pub(super) host: Option<Spanned<String>>,
    pub(super) port: Option<u16>,
    pub(super) security: Option<Security>,
    pub(super) username: Option<Spanned<String>>,
    pub(super) password_env: Option<String>,
    pub(super) password_command: Option<String>,
    pub(super) password_command_timeout: Option<Spanned<String>>,
    pub(super) timeout: Option<Spanned<String>>,
    /// Rejected with a message that says where the password goes instead.
    pub(super) password: Option<Spanned<toml::Value>>,
}

/// Validates `[mail]`.
pub(super) fn validate(m: RawMail, src: &Source) -> Result<MailConfig> {
    let username = password_source(&m.smtp, src)?;
    let transport = m.transport.unwrap_or(Transport::Smtp);
    let security = m.smtp.security.unwrap_or(Security::Starttls);
    let host = m
        .smtp
        .host
        .as_ref()
        .map_or_else(|| "127.0.0.1".to_string(), |h| h.get_ref().clone());
    if security == Security::None && !is_loopback(&host) {
        let message = format!(
            "mail.smtp.security `none` with host `{host}`: unencrypted SMTP is allowed only to a loopback host, expected `starttls` or `tls`"
        );
        return Err(match &m.smtp.host {
            Some(h) => src.at(h, message),
            None => src.err(None, message),
        });
    }
    Ok(MailConfig {
        from: mailbox(&m.from, "mail.from", src)?,
        public_list: lists(&m.public_list, "mail.public-list", src)?,
        team_list: lists(&m.team_list, "mail.team-list", src)?,
        transport,
        outbox: src.dir.join(m.outbox.as_deref().unwrap_or("outbox")),
        sendmail: m.sendmail.unwrap_or_else(|| "sendmail".into()),
        sendmail_timeout: src.timeout(
            &m.sendmail_timeout,
            "mail.sendmail-timeout",
            DEFAULT_SENDMAIL_TIMEOUT,
        )?,
        templates: m.templates.map(|t| src.dir.join(t)),
        smtp: Smtp {
            port: m.smtp.port.unwrap_or(match security {
                Security::Starttls => 587,
                Security::Tls => 465,
                Security::None => 25,
            }),
            host,
            security,
            username,
            password_command_timeout: src.timeout(
                &m.smtp.password_command_timeout,
                "mail.smtp.password-command-timeout",
                DEFAULT_PASSWORD_COMMAND_TIMEOUT,
            )?,
            timeout: src.timeout(&m.smtp.timeout, "mail.smtp.timeout", DEFAULT_SMTP_TIMEOUT)?,
            password_env: m.smtp.password_env,
            password_command: m.smtp.password_command,
        },
    })
}

/// The SMTP username, checked with where its password comes from: exactly one of
/// `password-env` and `password-command` with a username, neither without; never
/// `password` itself.
fn password_source(smtp: &RawSmtp, src: &Source) -> Result<Option<String>> {
    if let Some(p) = &smtp.password {
        return Err(src.at(
            p,
            "mail.smtp.password is not supported: the password never lives in the configuration file, expected `password-env = \"VARIABLE\"` or `password-command = \"command that prints it\"`".into(),
        ));
    }
    let username = match &smtp.username {
        None => None,
        Some(u) => Some(src.plain(u, "mail.smtp.username")?),
    };
    match (&username, &smtp.password_env, &smtp.password_command) {
        (Some(_), Some(_), Some(_)) => Err(src.err(
            smtp.username.as_ref().map(Spanned::span),
            "mail.smtp has both password-env and password-command, expected one of them".into(),
        )),
        (Some(_), None, None) => Err(src.err(
            smtp.username.as_ref().map(Spanned::span),
            "mail.smtp.username is set without a password source, expected `password-env` or `password-command`".into(),
        )),
        (None, Some(_), _) | (None, _, Some(_)) => Err(src.err(
            None,
            "mail.smtp.password-env or password-command is set without mail.smtp.username, expected the username to authenticate as".into(),
        )),
        _ => Ok(username),
    }
}

/// A mailbox under `key`: an address mail can be sent to, its name plain text.
fn mailbox(s: &Spanned<String>, key: &str, src: &Source) -> Result<Mailbox> {
    let m = s.get_ref().trim().parse::<Mailbox>().map_err(|e| {
        src.at(
            s,
            format!(
                "{key} `{}` is not an e-mail address ({e}), expected `Name <user@example.org>` or `user@example.org`",
                s.get_ref().escape_debug()
            ),
        )
    })?;
    if let Some(why) = unsendable(&m.email) {
        return Err(src.at(
            s,
            format!(
                "{key} `{}` has {why}, which mail cannot be sent to, expected a plain address like `user@example.org`",
                s.get_ref().escape_debug()
            ),
        ));
    }
    if let Some(c) = m.name.as_deref().and_then(odd_char) {
        return Err(src.at(
            s,
            format!(
                "{key} `{}` has a name with the control character U+{:04X}, expected plain text on one line",
                s.get_ref().escape_debug(),
                u32::from(c)
            ),
        ));
    }
    Ok(m)
}
