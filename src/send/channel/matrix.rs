//! Matrix, through the client-server API v3 (spec v1.x, "Client-Server API"): the room
//! alias resolved (`GET /directory/room/{roomAlias}`, "Room aliases"), the room joined
//! when the bot is not in it yet (`GET /joined_rooms`, `POST /join/{roomIdOrAlias}`),
//! then one `m.room.message` sent with `PUT /rooms/{roomId}/send/m.room.message/{txnId}`.
//!
//! The message has a plain `body` ([`to_plain`]) and an HTML `formatted_body`
//! ([`to_html`], sanitised), an empty `m.mentions` (so nobody is pinged, "User and room
//! mentions"), and [`MESSAGE_KEY`] with the ledger's Message-ID, so that a resumed post
//! finds it again. Later steps go in the reminder's thread (`m.thread` with
//! `is_falling_back` and `m.in_reply_to`, "Threading"); a correction first edits the
//! message it corrects (`m.replace` with `m.new_content`, "Event replacements") and then
//! posts itself in the thread.
//!
//! The transaction ID is derived from the Message-ID ([`txn_id`]), so the server itself
//! drops a repeated attempt (within the device's transaction window); a resumed post
//! also looks through the room's latest events for one of its own with the Message-ID
//! before sending ([`PAGES`] of [`PAGE`] events at most).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use url::Url;

use super::http::{self, Failure, Patience, Reply};
use super::{Channel, Failed, Post, Posted};
use crate::config::{Channel as ChannelConfig, ChannelKind};
use crate::error::{Error, Result};
use crate::mail::markdown::{to_html, to_plain};

/// The content key of every message summit sends: the ledger's Message-ID (without
/// angle brackets), by which a resumed post finds what it may have sent.
pub const MESSAGE_KEY: &str = "io.github.summit.message_id";

/// The content key of a correction's edit (`m.replace`): the correction's Message-ID.
pub const EDIT_KEY: &str = "io.github.summit.edit_of";

/// How many events one page of `/messages` asks for when a resumed post looks back.
pub const PAGE: usize = 100;

/// How many pages of `/messages` a resumed post reads at most.
pub const PAGES: usize = 3;

/// The transaction ID of the message with the ledger's `message_id`, and with `part`
/// (`""` for the message, `"edit"` for a correction's edit): `summit.` and 32
/// lowercase hex digits of the SHA-256 of the Message-ID, then `.part` — the same on
/// every attempt, and only characters that need no escaping in a path segment.
pub fn txn_id(message_id: &str, part: &str) -> String {
    let digest = Sha256::digest(message_id.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    if part.is_empty() {
        format!("summit.{hex}")
    } else {
        format!("summit.{hex}.{part}")
    }
}

/// The content of an `m.room.message` (`m.text`) with `markdown` as its `body` (plain
/// text) and `formatted_body` (`org.matrix.custom.html`), and an empty `m.mentions`.
pub fn message_content(markdown: &str) -> Value {
    json!({
        "msgtype": "m.text",
        "body": to_plain(markdown).trim_end(),
        "format": "org.matrix.custom.html",
        "formatted_body": to_html(markdown),
        "m.mentions": {},
    })
}

/// The HTTP methods used.
#[derive(Clone, Copy, Debug)]
enum Method {
    Get,
    Put,
    Post,
}

/// Why a step before the message itself stopped the post: it was certainly not sent.
type Stop = Box<Posted>;

/// A Matrix room, reached with an access token.
struct Matrix {
    name: String,
    homeserver: Url,
    host: String,
    room: String,
    token: String,
    agent: ureq::Agent,
    /// The room's ID once resolved and joined.
    room_id: Option<String>,
    /// The bot's user ID once asked (`whoami`).
    user_id: Option<String>,
}

/// The Matrix channel `config` describes, reached with the access token `secret`.
///
/// # Errors
/// [`Error::Delivery`] when `config` is not a Matrix channel or its `homeserver` cannot
/// take a path.
pub(super) fn open(config: &ChannelConfig, secret: String) -> Result<Box<dyn Channel>> {
    Ok(Box::new(Matrix::new(config, secret)?))
}

/// What `summit check` says of the Matrix channel `config`: without `connect`, the
/// homeserver and room it would use (no request); with it, the user the token signs in
/// as (`GET /account/whoami`), the room's ID and whether that user is in it.
///
/// # Errors
/// [`Failed`] naming what failed: the server's error code and words, never the token.
pub(super) fn check(
    config: &ChannelConfig,
    secret: &str,
    connect: bool,
) -> std::result::Result<String, Failed> {
    let mut m = Matrix::new(config, secret.to_string())?;
    let at = format!("matrix `{}`: room `{}` on {}", m.name, m.room, m.host);
    if !connect {
        return Ok(format!("{at}, access token at hand"));
    }
    let patience = Patience::default();
    let fail = |p: Stop| Failed::from(Error::Delivery(reason(&p)));
    let user = m.whoami(&patience).map_err(fail)?;
    let room_id = m.resolve(&patience).map_err(fail)?;
    let joined = m.joined(&room_id, &patience).map_err(fail)?;
    let member = if joined {
        "joined"
    } else {
        "not joined yet, will join on the first post"
    };
    Ok(format!(
        "{at}: signed in as `{user}`, room ID `{room_id}`, {member}"
    ))
}

/// The reason of a [`Posted`] that was not sent.
fn reason(p: &Posted) -> String {
    match &p.outcome {
        super::Outcome::NotSent { reason, .. } | super::Outcome::Unknown(reason) => reason.clone(),
        super::Outcome::Sent => "sent".into(),
    }
}

impl Matrix {
    fn new(config: &ChannelConfig, token: String) -> Result<Matrix> {
        let ChannelKind::Matrix {
            homeserver, room, ..
        } = &config.kind
        else {
            return Err(Error::Delivery(format!(
                "channel `{}`: is a {} channel, expected a matrix one",
                config.name,
                config.kind.name()
            )));
        };
        if homeserver.cannot_be_a_base() {
            return Err(Error::Delivery(format!(
                "channel `{}`: homeserver `{homeserver}` cannot take a path, expected a base URL like `https://matrix.org`",
                config.name
            )));
        }
        Ok(Matrix {
            name: config.name.clone(),
            homeserver: homeserver.clone(),
            host: homeserver
                .host_str()
                .unwrap_or("the homeserver")
                .to_string(),
            room: room.clone(),
            token,
            agent: http::agent(config.timeout),
            room_id: None,
            user_id: None,
        })
    }

    /// `/_matrix/client/v3/` and `segments` (each percent-encoded) on the homeserver.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.homeserver.clone();
        url.set_query(None);
        url.set_fragment(None);
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty()
                .extend(["_matrix", "client", "v3"])
                .extend(segments);
        }
        url
    }

    /// One request, with rate limits (`429`, `M_LIMIT_EXCEEDED`) waited out within
    /// `patience`: the last reply, or why there was none.
    fn call(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        patience: &Patience,
    ) -> std::result::Result<Reply, Failure> {
        let auth = format!("Bearer {}", self.token);
        loop {
            let sent = match method {
                Method::Get => self
                    .agent
                    .get(url.as_str())
                    .header("Authorization", &auth)
                    .call(),
                Method::Put | Method::Post => {
                    let request = if matches!(method, Method::Put) {
                        self.agent.put(url.as_str())
                    } else {
                        self.agent.post(url.as_str())
                    };
                    let body = body.map_or_else(|| "{}".to_string(), Value::to_string);
                    request
                        .header("Authorization", &auth)
                        .content_type("application/json")
                        .send(body)
                }
            };
            let reply = http::reply(sent.map_err(|e| http::failure(&e, &self.host))?);
            match rate_limit(&reply) {
                Some(wait) if patience.wait(wait) => continue,
                _ => return Ok(reply),
            }
        }
    }

    /// A request made before the message is sent: its 2xx reply, or the post certainly
    /// not sent (`doing` says what was being done).
    fn ask(
        &self,
        method: Method,
        url: &Url,
        body: Option<&Value>,
        doing: &str,
        patience: &Patience,
    ) -> std::result::Result<Reply, Stop> {
        match self.call(method, url, body, patience) {
            Ok(r) if r.ok() => Ok(r),
            Ok(r) => Err(Box::new(self.refused(&r, doing))),
            Err(Failure::NotSent(why)) => Err(Box::new(Posted::not_sent(
                format!("{}: {doing}: {why}", self.at()),
                true,
            ))),
            Err(Failure::Unknown(why)) => Err(Box::new(Posted::not_sent(
                format!("{}: {doing}: {why}", self.at()),
                false,
            ))),
        }
    }

    /// `channel `name``, for messages.
    fn at(&self) -> String {
        format!("channel `{}`", self.name)
    }

    /// The post certainly not sent because the server answered `r` (not 2xx) while
    /// `doing`: fatal for a bad token or a refusal (`401`, `403`), not for the rest.
    fn refused(&self, r: &Reply, doing: &str) -> Posted {
        let errcode = r.json["errcode"].as_str().unwrap_or("");
        let fatal = matches!(r.status, 401 | 403)
            || matches!(
                errcode,
                "M_UNKNOWN_TOKEN" | "M_MISSING_TOKEN" | "M_FORBIDDEN"
            );
        let what = if r.status == 429 || errcode == "M_LIMIT_EXCEEDED" {
            format!(
                "rate limited by {} for longer than {} s",
                self.host,
                http::MAX_WAIT.as_secs()
            )
        } else {
            format!("{} answered {}", self.host, r.status)
        };
        Posted::not_sent(
            format!("{}: {doing}: {what}{}", self.at(), self.said(r)),
            fatal,
        )
    }

    /// The server's `errcode` and `error` of `r` on one line (at most 200 characters,
    /// the token never in it), after `: `; empty when it said nothing.
    fn said(&self, r: &Reply) -> String {
        let code = r.json["errcode"].as_str().unwrap_or("");
        let error = r.json["error"].as_str().unwrap_or("");
        let text = match (code, error) {
            ("", "") => r.excerpt(),
            (c, "") => c.to_string(),
            ("", e) => e.to_string(),
            (c, e) => format!("{c} {e}"),
        };
        let text: String = crate::text::one_line(&text).chars().take(200).collect();
        let text = if self.token.is_empty() {
            text
        } else {
            text.replace(&self.token, "…")
        };
        if text.trim().is_empty() {
            String::new()
        } else {
            format!(": {}", text.escape_debug())
        }
    }

    /// The bot's user ID (`GET /account/whoami`), asked once.
    fn whoami(&mut self, patience: &Patience) -> std::result::Result<String, Stop> {
        if let Some(u) = &self.user_id {
            return Ok(u.clone());
        }
        let url = self.url(&["account", "whoami"]);
        let r = self.ask(Method::Get, &url, None, "whoami", patience)?;
        let user = r.json["user_id"].as_str().unwrap_or_default().to_string();
        if user.is_empty() {
            return Err(Box::new(Posted::not_sent(
                format!(
                    "{}: whoami: {} answered without a user_id",
                    self.at(),
                    self.host
                ),
                true,
            )));
        }
        self.user_id = Some(user.clone());
        Ok(user)
    }

    /// The room's ID: `room` itself when it is one, else its alias resolved
    /// (`GET /directory/room/{roomAlias}`).
    fn resolve(&self, patience: &Patience) -> std::result::Result<String, Stop> {
        if !self.room.starts_with('#') {
            return Ok(self.room.clone());
        }
        let url = self.url(&["directory", "room", &self.room]);
        let doing = format!("resolving the alias `{}`", self.room);
        let r = self.ask(Method::Get, &url, None, &doing, patience)?;
        match r.json["room_id"].as_str() {
            Some(id) if id.starts_with('!') => Ok(id.to_string()),
            _ => Err(Box::new(Posted::not_sent(
                format!(
                    "{}: {doing}: {} answered without a room_id",
                    self.at(),
                    self.host
                ),
                true,
            ))),
        }
    }

    /// Whether the bot is in the room `room_id` (`GET /joined_rooms`).
    fn joined(&self, room_id: &str, patience: &Patience) -> std::result::Result<bool, Stop> {
        let url = self.url(&["joined_rooms"]);
        let r = self.ask(
            Method::Get,
            &url,
            None,
            "listing the joined rooms",
            patience,
        )?;
        Ok(r.json["joined_rooms"]
            .as_array()
            .is_some_and(|rooms| rooms.iter().any(|x| x.as_str() == Some(room_id))))
    }

    /// The room's ID, joined first when the bot is not in it (`POST /join/{room}`);
    /// found once per channel.
    fn room_id(&mut self, patience: &Patience) -> std::result::Result<String, Stop> {
        if let Some(id) = &self.room_id {
            return Ok(id.clone());
        }
        let mut id = self.resolve(patience)?;
        if !self.joined(&id, patience)? {
            let url = self.url(&["join", &self.room]);
            let doing = format!("joining `{}`", self.room);
            let r = self.ask(Method::Post, &url, Some(&json!({})), &doing, patience)?;
            if let Some(joined) = r.json["room_id"].as_str() {
                id = joined.to_string();
            }
        }
        self.room_id = Some(id.clone());
        Ok(id)
    }

    /// Sends `content` to `room_id` with the transaction ID `txn`: its event ID, or
    /// what became of it. A timeout or a broken connection after the request went out
    /// is [`Posted::unknown`]; an error status, [`Posted::not_sent`] (the transaction
    /// ID makes sending again safe).
    fn send(&self, room_id: &str, txn: &str, content: &Value, patience: &Patience) -> Posted {
        let url = self.url(&["rooms", room_id, "send", "m.room.message", txn]);
        match self.call(Method::Put, &url, Some(content), patience) {
            Ok(r) if r.ok() => Posted::sent(
                r.json["event_id"]
                    .as_str()
                    .filter(|id| id.starts_with('$'))
                    .map(str::to_string),
            ),
            Ok(r) => self.refused(&r, "sending"),
            Err(Failure::NotSent(why)) => Posted::not_sent(format!("{}: {why}", self.at()), true),
            Err(Failure::Unknown(why)) => Posted::unknown(format!("{}: {why}", self.at())),
        }
    }

    /// The IDs of the bot's own events among the room's latest ([`PAGES`] pages of
    /// [`PAGE`]) whose content has `key` = `message_id`, newest first.
    fn find(
        &mut self,
        room_id: &str,
        keys: &[(&str, &str)],
        patience: &Patience,
    ) -> std::result::Result<Vec<Option<String>>, Stop> {
        let user = self.whoami(patience)?;
        let filter = json!({"senders": [user], "types": ["m.room.message"]}).to_string();
        let mut found: Vec<Option<String>> = vec![None; keys.len()];
        let mut from: Option<String> = None;
        for _ in 0..PAGES {
            let mut url = self.url(&["rooms", room_id, "messages"]);
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("dir", "b")
                    .append_pair("limit", &PAGE.to_string())
                    .append_pair("filter", &filter);
                if let Some(f) = &from {
                    q.append_pair("from", f);
                }
            }
            let doing = "looking for an earlier attempt";
            let r = self.ask(Method::Get, &url, None, doing, patience)?;
            let events = r.json["chunk"].as_array().cloned().unwrap_or_default();
            for e in &events {
                let mine = e["sender"].as_str() == Some(user.as_str());
                for (slot, (key, value)) in found.iter_mut().zip(keys) {
                    if mine && slot.is_none() && e["content"][*key].as_str() == Some(*value) {
                        *slot = e["event_id"].as_str().map(str::to_string);
                    }
                }
            }
            if found.iter().all(Option::is_some) {
                break;
            }
            match r.json["end"].as_str() {
                Some(end) if !events.is_empty() => from = Some(end.to_string()),
                _ => break,
            }
        }
        Ok(found)
    }

    /// A correction: `target` edited to say `post.markdown`, then the correction sent
    /// in the thread (of `post.thread`, else of `target`); the reply's event ID.
    fn correct(&mut self, post: &Post<'_>, target: &str, room_id: &str, p: &Patience) -> Posted {
        let (mut edited, mut replied) = (false, None);
        if post.resumed {
            match self.find(
                room_id,
                &[(EDIT_KEY, post.message_id), (MESSAGE_KEY, post.message_id)],
                p,
            ) {
                Ok(found) => {
                    edited = found[0].is_some();
                    replied = found[1].clone();
                }
                Err(stop) => return *stop,
            }
        }
        if let Some(id) = replied {
            return Posted::sent(Some(id));
        }
        if !edited {
            let edit = edit_content(post, target);
            let done = self.send(room_id, &txn_id(post.message_id, "edit"), &edit, p);
            if done.outcome != super::Outcome::Sent {
                return done;
            }
        }
        let content = content(post, Some(post.thread.unwrap_or(target)));
        self.send(room_id, &txn_id(post.message_id, ""), &content, p)
    }
}

/// How long a rate-limited reply asks to wait: `retry_after_ms` of `M_LIMIT_EXCEEDED`,
/// else `Retry-After`, else one second; `None` when `r` is not rate limited.
fn rate_limit(r: &Reply) -> Option<std::time::Duration> {
    if r.status != 429 && r.json["errcode"].as_str() != Some("M_LIMIT_EXCEEDED") {
        return None;
    }
    Some(
        r.json["retry_after_ms"]
            .as_u64()
            .map(std::time::Duration::from_millis)
            .or(r.retry_after)
            .unwrap_or(std::time::Duration::from_secs(1)),
    )
}

/// The content of `post` as a message, in the thread of `thread` when given
/// (`m.thread`, falling back to a reply to its root for clients without threads).
fn content(post: &Post<'_>, thread: Option<&str>) -> Value {
    let mut c = message_content(post.markdown);
    c[MESSAGE_KEY] = json!(post.message_id);
    if let Some(root) = thread {
        c["m.relates_to"] = json!({
            "rel_type": "m.thread",
            "event_id": root,
            "is_falling_back": true,
            "m.in_reply_to": {"event_id": root},
        });
    }
    c
}

/// The edit (`m.replace`) of `target` to say `post.markdown`: `m.new_content` holds
/// the new text, the top level the same prefixed with `* ` for clients without edits.
fn edit_content(post: &Post<'_>, target: &str) -> Value {
    let new = message_content(post.markdown);
    let mut c = new.clone();
    c["body"] = json!(format!("* {}", new["body"].as_str().unwrap_or_default()));
    c["formatted_body"] = json!(format!(
        "* {}",
        new["formatted_body"].as_str().unwrap_or_default()
    ));
    c["m.new_content"] = new;
    c["m.relates_to"] = json!({"rel_type": "m.replace", "event_id": target});
    c[EDIT_KEY] = json!(post.message_id);
    c
}

impl Channel for Matrix {
    fn post(&mut self, post: &Post<'_>) -> Posted {
        let patience = Patience::default();
        let room_id = match self.room_id(&patience) {
            Ok(id) => id,
            Err(stop) => return *stop,
        };
        if let Some(target) = post.edit {
            return self.correct(post, target, &room_id, &patience);
        }
        if post.resumed {
            match self.find(&room_id, &[(MESSAGE_KEY, post.message_id)], &patience) {
                Ok(found) => {
                    if let Some(Some(id)) = found.into_iter().next() {
                        return Posted::sent(Some(id));
                    }
                }
                Err(stop) => return *stop,
            }
        }
        let content = content(post, post.thread);
        self.send(&room_id, &txn_id(post.message_id, ""), &content, &patience)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use super::*;
    use crate::config::{Audience, Secret};
    use crate::model::{Kind, Step};
    use crate::send::channel::Outcome;

    /// What the stub answers a request (method, path with query): status, body, and
    /// `None` to never answer.
    type Script = dyn Fn(&str, &str) -> Option<(u16, String)> + Send + Sync;

    /// The requests a stub got: (method, path with query).
    type Seen = Arc<Mutex<Vec<(String, String)>>>;

    /// A loopback HTTP stub answering by `script`; the requests it got.
    fn stub(script: Box<Script>) -> (u16, Seen) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let mut stream = stream.unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let mut parts = line.split_whitespace();
                let (method, path) = (
                    parts.next().unwrap_or("").to_string(),
                    parts.next().unwrap_or("").to_string(),
                );
                let mut length = 0;
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    if h.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                log.lock().unwrap().push((method.clone(), path.clone()));
                match script(&method, &path) {
                    Some((status, body)) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                    None => std::thread::sleep(Duration::from_secs(5)),
                }
            }
        });
        (port, seen)
    }

    fn config(port: u16, prefix: &str, room: &str, timeout: Duration) -> ChannelConfig {
        ChannelConfig {
            name: "m".into(),
            audience: Audience::Public,
            timeout,
            kind: ChannelKind::Matrix {
                homeserver: format!("http://127.0.0.1:{port}{prefix}").parse().unwrap(),
                room: room.into(),
                access_token: Secret::Env("UNUSED".into()),
            },
        }
    }

    fn post(message_id: &str) -> Post<'_> {
        Post {
            message_id,
            kind: Kind::Step(Step::Reminder),
            title: "t",
            markdown: "hello",
            thread: None,
            edit: None,
            resumed: false,
        }
    }

    /// A server that knows the bot is in `!r:x` and answers sends by `send`.
    fn server(
        send: impl Fn(usize) -> Option<(u16, String)> + Send + Sync + 'static,
    ) -> (u16, Seen) {
        let sends = Mutex::new(0);
        stub(Box::new(move |method, path| {
            if path.ends_with("/joined_rooms") {
                return Some((200, r#"{"joined_rooms":["!r:x"]}"#.into()));
            }
            assert_eq!(method, "PUT", "{path}");
            let mut n = sends.lock().unwrap();
            *n += 1;
            send(*n)
        }))
    }

    #[test]
    fn rate_limit_is_waited_out_then_the_same_transaction_sent() {
        let (port, seen) = server(|n| {
            Some(if n == 1 {
                (429, r#"{"errcode":"M_LIMIT_EXCEEDED","error":"Too many requests","retry_after_ms":300}"#.into())
            } else {
                (200, r#"{"event_id":"$e1"}"#.into())
            })
        });
        let mut ch = open(
            &config(port, "", "!r:x", Duration::from_secs(5)),
            "tok".into(),
        )
        .unwrap();
        let began = Instant::now();
        let p = ch.post(&post("a@b"));
        assert_eq!(p, Posted::sent(Some("$e1".into())));
        assert!(began.elapsed() >= Duration::from_millis(300));
        let seen = seen.lock().unwrap();
        let puts: Vec<_> = seen.iter().filter(|(m, _)| m == "PUT").collect();
        assert_eq!(puts.len(), 2);
        assert_eq!(puts[0].1, puts[1].1);
        assert!(
            puts[0]
                .1
                .ends_with(&format!("/send/m.room.message/{}", txn_id("a@b", ""))),
            "{}",
            puts[0].1
        );
    }

    #[test]
    fn rate_limit_beyond_the_budget_is_not_sent_at_once() {
        let (port, seen) = server(|_| {
            Some((
                429,
                r#"{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":3600000}"#
                    .into(),
            ))
        });
        let mut ch = open(
            &config(port, "", "!r:x", Duration::from_secs(5)),
            "tok".into(),
        )
        .unwrap();
        let began = Instant::now();
        let p = ch.post(&post("a@b"));
        assert!(began.elapsed() < Duration::from_secs(5));
        let Outcome::NotSent { reason, fatal } = &p.outcome else {
            panic!("{p:?}")
        };
        assert!(!fatal);
        assert!(
            reason.contains("rate limited") && reason.contains("M_LIMIT_EXCEEDED slow down"),
            "{reason}"
        );
        assert_eq!(
            seen.lock()
                .unwrap()
                .iter()
                .filter(|(m, _)| m == "PUT")
                .count(),
            1
        );
    }

    #[test]
    fn server_error_is_not_sent_and_no_answer_is_unknown() {
        let (port, _) = server(|_| Some((502, "<html>bad gateway</html>".into())));
        let mut ch = open(
            &config(port, "", "!r:x", Duration::from_secs(5)),
            "tok".into(),
        )
        .unwrap();
        let p = ch.post(&post("a@b"));
        assert!(
            matches!(&p.outcome, Outcome::NotSent { fatal: false, reason } if reason.contains("502")),
            "{p:?}"
        );
        let (port, _) = server(|_| None);
        let mut ch = open(
            &config(port, "", "!r:x", Duration::from_secs(1)),
            "tok".into(),
        )
        .unwrap();
        let p = ch.post(&post("a@b"));
        assert!(matches!(p.outcome, Outcome::Unknown(_)), "{p:?}");
    }

    #[test]
    fn forbidden_is_fatal_and_never_quotes_the_token() {
        let (port, _) = server(|_| {
            Some((
                403,
                r#"{"errcode":"M_FORBIDDEN","error":"no tok-secret\nhere"}"#.into(),
            ))
        });
        let mut ch = open(
            &config(port, "", "!r:x", Duration::from_secs(5)),
            "tok-secret".into(),
        )
        .unwrap();
        let p = ch.post(&post("a@b"));
        let Outcome::NotSent { reason, fatal } = &p.outcome else {
            panic!("{p:?}")
        };
        assert!(fatal);
        assert!(
            !reason.contains("tok-secret") && !reason.contains('\n'),
            "{reason}"
        );
        assert!(reason.contains("M_FORBIDDEN"), "{reason}");
    }

    #[test]
    fn path_segments_are_encoded_under_the_homeserver_path() {
        let (port, seen) = stub(Box::new(|_, path| {
            Some(if path.contains("/directory/room/") {
                (200, r#"{"room_id":"!r/1:x"}"#.into())
            } else if path.ends_with("/joined_rooms") {
                (200, r#"{"joined_rooms":[]}"#.into())
            } else if path.contains("/join/") {
                (200, r#"{"room_id":"!r/1:x"}"#.into())
            } else {
                (200, r#"{"event_id":"$e"}"#.into())
            })
        }));
        let mut ch = open(
            &config(port, "/base/", "#a/b?c:x", Duration::from_secs(5)),
            "tok".into(),
        )
        .unwrap();
        assert_eq!(ch.post(&post("a@b")), Posted::sent(Some("$e".into())));
        let paths: Vec<String> = seen
            .lock()
            .unwrap()
            .iter()
            .map(|(_, p)| p.clone())
            .collect();
        assert_eq!(
            paths,
            [
                "/base/_matrix/client/v3/directory/room/%23a%2Fb%3Fc:x".to_string(),
                "/base/_matrix/client/v3/joined_rooms".into(),
                "/base/_matrix/client/v3/join/%23a%2Fb%3Fc:x".into(),
                format!(
                    "/base/_matrix/client/v3/rooms/!r%2F1:x/send/m.room.message/{}",
                    txn_id("a@b", "")
                ),
            ]
        );
    }

    #[test]
    fn transaction_ids_are_stable_distinct_and_plain() {
        let a = txn_id("20261130.reminder@summit.example", "");
        assert_eq!(a, txn_id("20261130.reminder@summit.example", ""));
        assert_ne!(a, txn_id("20261130.reminder@summit.example", "edit"));
        assert_ne!(a, txn_id("20261130.correction@summit.example", ""));
        assert!(
            a.chars().all(|c| c.is_ascii_alphanumeric() || c == '.'),
            "{a}"
        );
        assert_eq!(a.len(), "summit.".len() + 32);
    }

    #[test]
    fn check_without_connect_makes_no_request() {
        let line = check(
            &config(9, "", "#dev:x", Duration::from_secs(1)),
            "tok",
            false,
        )
        .unwrap();
        assert_eq!(
            line,
            "matrix `m`: room `#dev:x` on 127.0.0.1, access token at hand"
        );
    }
}
