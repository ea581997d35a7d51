//! Discourse: the summit's reminder opens a topic in the configured category, later
//! public steps reply in it, and a correction edits the topic's first post and replies.
//!
//! The API (<https://docs.discourse.org>) is reached with the headers `Api-Key` and
//! `Api-Username` on every request and JSON bodies:
//!
//! | what | request |
//! |---|---|
//! | open a topic | `POST /posts.json {"title", "raw", "category"}` |
//! | reply in it | `POST /posts.json {"topic_id", "raw"}` |
//! | edit its first post | `PUT /posts/{id}.json {"post": {"raw", "edit_reason"}}` |
//! | the category (slug, permission) | `GET /c/{id}/show.json` |
//! | the category's latest topics | `GET /c/{slug}/{id}/l/latest.json?page=N` |
//! | a topic (creator, post IDs) | `GET /t/{id}.json` |
//! | some of its posts, with `raw` | `GET /t/{id}/posts.json?post_ids[]=…&include_raw=true` |
//! | who the key acts as | `GET /session/current.json`, else `GET /u/{username}.json` |
//!
//! Each of them is in a scope of a granular API key except `/session/current.json`
//! (`topics:write`, `posts:edit`, `topics:read`, `topics:read_lists`,
//! `categories:show`, `users:show`), so a bot user's key can be limited to them.
//!
//! What the ledger keeps of a post ([`Posted::id`]) is a [`Place`]: `TOPIC/POST`, the
//! topic's ID and the post's ID, e.g. `1234/5678`; for a new topic, its first post.
//!
//! A retry never opens two topics: before creating one, and again when the answer to
//! the creation was lost or Discourse says the title is taken, the channel looks among
//! the category's latest topics (at most [`MAX_PAGES`] pages) for one with this title
//! (compared ignoring case, punctuation and spacing, as Discourse tidies titles)
//! created by `api-username`, and takes it as sent. A resumed reply
//! ([`Post::resumed`]) is looked for among the topic's last [`RECENT_POSTS`] posts
//! (one by `api-username` whose `raw` is ours) before it is posted again.
//!
//! Outcomes: 2xx is sent; `429` is waited out (`Retry-After`, else
//! `extras.wait_seconds`) within [`http::MAX_WAIT`], then not sent; `401`/`403` are
//! not sent and fatal (a bad key or user, or a key without the scope: every post would
//! fail alike); `404` is not sent: the topic or post was deleted, and a reply is never
//! turned into a new topic (the ledger would then hold two threads for one summit);
//! `422` is not sent, with Discourse's `errors`; `5xx` is not sent; a timeout or a
//! connection broken after the request was sent is unknown, unless the post is found
//! right away.

use serde_json::{Value, json};
use url::form_urlencoded;

use super::http::{self, Failure, Patience, Reply};
use super::{Channel, Failed, Post, Posted};
use crate::config::{Channel as ChannelConfig, ChannelKind};
use crate::error::{Error, Result};

/// The most pages of a category's latest topics read when looking for a topic.
pub const MAX_PAGES: u32 = 3;

/// How many of a topic's last posts are read when looking for a resumed reply.
pub const RECENT_POSTS: usize = 20;

/// How long to wait on a `429` that says nothing of how long.
const DEFAULT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The `edit_reason` of a correction's edit, shown in the post's revision history.
const EDIT_REASON: &str = "corrected by summit";

/// Where a post is: its topic's ID and its own ID. As [`Posted::id`] and in
/// [`Post::thread`] / [`Post::edit`] it is written `TOPIC/POST` (two positive
/// decimal numbers, e.g. `1234/5678`); for a topic, the place of its first post.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Place {
    /// The topic's ID (`topic_id`).
    pub topic: u64,
    /// The post's ID (`id`; not its `post_number`).
    pub post: u64,
}

impl Place {
    /// `id` read as `TOPIC/POST`; `None` when it is not of that form.
    pub fn parse(id: &str) -> Option<Place> {
        let (t, p) = id.trim().split_once('/')?;
        let num = |s: &str| {
            s.parse::<u64>()
                .ok()
                .filter(|n| *n > 0 && s.bytes().all(|b| b.is_ascii_digit()))
        };
        Some(Place {
            topic: num(t)?,
            post: num(p)?,
        })
    }

    /// `TOPIC/POST`, for [`Posted::id`].
    pub fn id(self) -> String {
        format!("{}/{}", self.topic, self.post)
    }

    /// The place of the post a `POST /posts.json` answered with (`topic_id`, `id`).
    fn of_answer(json: &Value) -> Option<Place> {
        Some(Place {
            topic: json.get("topic_id")?.as_u64()?,
            post: json.get("id")?.as_u64()?,
        })
    }
}

/// The Discourse channel `config` describes, acting as its `api-username` with the API
/// key `secret`.
///
/// # Errors
/// [`Error::Delivery`] when `config` is not a Discourse channel, or the key or the
/// username cannot be sent in an HTTP header (the key is never quoted).
pub(super) fn open(config: &ChannelConfig, secret: String) -> Result<Box<dyn Channel>> {
    Ok(Box::new(Discourse::new(config, secret)?))
}

/// What `summit check` says of a Discourse channel: without `connect`, the forum, the
/// category and the user, without asking the forum; with `connect`, that the key acts
/// as `api-username` (`GET /session/current.json`, or `GET /u/{username}.json` for a
/// key without access to it) and that the category exists and lets it create topics
/// (`GET /c/{id}/show.json`, its `permission`). Nothing is posted; the key is never
/// printed.
///
/// # Errors
/// [`Failed`] naming what is wrong and what was expected.
pub(super) fn check(
    config: &ChannelConfig,
    secret: &str,
    connect: bool,
) -> std::result::Result<String, Failed> {
    let forum = Discourse::new(config, secret.to_string())?;
    if !connect {
        return Ok(format!(
            "discourse `{}`: {}, category {}, as `{}`",
            forum.name, forum.host, forum.category, forum.user
        ));
    }
    let patience = Patience::default();
    let user = forum.check_user(&patience)?;
    let category = forum.check_category(&patience)?;
    Ok(format!(
        "discourse `{}`: {} accepts the key of `{user}`; category {} `{category}` takes new topics",
        forum.name, forum.host, forum.category
    ))
}

/// A Discourse forum, its category and the user the key acts as.
struct Discourse {
    name: String,
    /// The base URL without a trailing `/` (a forum may live under a path).
    base: String,
    /// `host[:port]`, for messages.
    host: String,
    category: u64,
    user: String,
    key: String,
    agent: ureq::Agent,
    /// The category's slug, once read (`/c/{id}/show.json`).
    slug: Option<String>,
}

/// An HTTP method with a JSON body.
#[derive(Clone, Copy)]
enum Write {
    Post,
    Put,
}

impl Discourse {
    fn new(config: &ChannelConfig, key: String) -> Result<Discourse> {
        let ChannelKind::Discourse {
            url,
            category,
            api_username,
            ..
        } = &config.kind
        else {
            return Err(Error::Delivery(format!(
                "channel `{}` is a {} channel, expected a discourse channel",
                config.name,
                config.kind.name()
            )));
        };
        let header_safe = |s: &str| !s.is_empty() && s.bytes().all(|b| (0x21..0x7f).contains(&b));
        if !header_safe(&key) {
            return Err(Error::Delivery(format!(
                "channel `{}`: the API key has characters an HTTP header cannot carry, expected the key as Discourse shows it (letters and digits)",
                config.name
            )));
        }
        if !header_safe(api_username) {
            return Err(Error::Delivery(format!(
                "channel `{}`: api-username `{}` has characters an HTTP header cannot carry, expected a username of ASCII letters, digits, `_`, `-` and `.`",
                config.name,
                api_username.escape_debug()
            )));
        }
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or("")),
            None => url.host_str().unwrap_or("").to_string(),
        };
        Ok(Discourse {
            name: config.name.clone(),
            base: url.as_str().trim_end_matches('/').to_string(),
            host,
            category: *category,
            user: api_username.clone(),
            key,
            agent: http::agent(config.timeout),
            slug: None,
        })
    }

    fn headers<B>(&self, r: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        r.header("Api-Key", &self.key)
            .header("Api-Username", &self.user)
            .header("Accept", "application/json")
    }

    /// `GET path` (with its query), a `429` waited out within `patience`.
    fn get(&self, patience: &Patience, path: &str) -> std::result::Result<Reply, Failure> {
        self.waiting(patience, || {
            self.headers(self.agent.get(format!("{}{path}", self.base)))
                .call()
        })
    }

    /// `POST`/`PUT path` with `body` as JSON, a `429` waited out within `patience`.
    fn write(
        &self,
        patience: &Patience,
        method: Write,
        path: &str,
        body: &Value,
    ) -> std::result::Result<Reply, Failure> {
        let url = format!("{}{path}", self.base);
        let text = body.to_string();
        self.waiting(patience, || {
            let r = match method {
                Write::Post => self.agent.post(&url),
                Write::Put => self.agent.put(&url),
            };
            self.headers(r)
                .header("Content-Type", "application/json")
                .send(text.as_str())
        })
    }

    /// Runs `send` again after each `429` while `patience` lasts (a `429` means the
    /// request was not done).
    fn waiting(
        &self,
        patience: &Patience,
        send: impl Fn() -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> std::result::Result<Reply, Failure> {
        loop {
            let reply = http::reply(send().map_err(|e| http::failure(&e, &self.host))?);
            if reply.status != 429 || !patience.wait(wait_of(&reply)) {
                return Ok(reply);
            }
        }
    }

    /// Why `reply` (not 2xx) means `doing` was not done, for the ledger.
    fn refused(&self, doing: &str, reply: &Reply) -> Posted {
        let said = said(reply);
        let at = format!("channel `{}`: discourse at {}", self.name, self.host);
        match reply.status {
            429 => Posted::not_sent(
                format!(
                    "{at} is still rate-limiting after waiting up to {} s (429{said}) when it was to {doing}, expected it to accept posts again; tried again on the next run",
                    http::MAX_WAIT.as_secs()
                ),
                false,
            ),
            401 | 403 => Posted::not_sent(
                format!(
                    "{at} refused to {doing} ({}{said}), expected an API key that acts as `{}` with the scopes topics:write, posts:edit, topics:read, topics:read_lists and categories:show, and a user that may post in category {}",
                    reply.status, self.user, self.category
                ),
                true,
            ),
            404 => Posted::not_sent(
                format!(
                    "{at} found nothing when it was to {doing} (404{said}): the topic or post was deleted, or category {} is hidden from `{}`, expected it to be there",
                    self.category, self.user
                ),
                false,
            ),
            422 if said.to_lowercase().contains("title") => Posted::not_sent(
                format!(
                    "{at} refused the title when it was to {doing} (422{said}), expected a title Discourse takes: long enough (min_topic_title_length, 15 by default) and not used by another topic — the template's subject, with the summit's date"
                ),
                false,
            ),
            s => Posted::not_sent(
                format!("{at} refused to {doing} ({s}{said}), expected it to accept the post"),
                false,
            ),
        }
    }

    /// A failure to reach the forum as the outcome of `doing`.
    fn failed(&self, doing: &str, f: &Failure) -> Posted {
        let reason = format!("channel `{}`: {doing}: {}", self.name, f.reason());
        match f {
            Failure::NotSent(_) => Posted::not_sent(reason, true),
            Failure::Unknown(_) => Posted::unknown(reason),
        }
    }
}

impl Channel for Discourse {
    fn post(&mut self, post: &Post<'_>) -> Posted {
        let patience = Patience::default();
        let place = |id: &str, what: &str| {
            Place::parse(id).ok_or_else(|| {
                Posted::not_sent(
                    format!(
                        "channel `{}`: {what} `{}` is not a Discourse post ID, expected `TOPIC/POST` as this channel gave it",
                        self.name,
                        crate::text::one_line(id)
                    ),
                    false,
                )
            })
        };
        let thread = match post.thread.map(|t| place(t, "thread")).transpose() {
            Ok(t) => t,
            Err(p) => return p,
        };
        let edit = match post
            .edit
            .map(|e| place(e, "the post to correct"))
            .transpose()
        {
            Ok(e) => e,
            Err(p) => return p,
        };
        if let Some(first) = edit {
            if let Some(refused) = self.edit(&patience, first, post.markdown) {
                return refused;
            }
            let topic = thread.map_or(first.topic, |t| t.topic);
            return self.reply(&patience, topic, post);
        }
        match thread {
            Some(t) => self.reply(&patience, t.topic, post),
            None => self.open_topic(&patience, post),
        }
    }
}

impl Discourse {
    /// Opens a topic for `post` in the category, unless one with its title by this user
    /// is there already.
    fn open_topic(&mut self, patience: &Patience, post: &Post<'_>) -> Posted {
        let doing = "open a topic";
        match self.find_topic(patience, post.title) {
            Ok(Some(found)) => return Posted::sent(Some(found.id())),
            Ok(None) => {}
            Err(p) => return p,
        }
        let body = json!({
            "title": post.title,
            "raw": post.markdown,
            "category": self.category,
        });
        match self.write(patience, Write::Post, "/posts.json", &body) {
            Ok(r) if r.ok() => Posted::sent(Place::of_answer(&r.json).map(Place::id)),
            Ok(r) if r.status == 422 && title_taken(&r) => {
                match self.find_topic(patience, post.title) {
                    Ok(Some(found)) => Posted::sent(Some(found.id())),
                    _ => self.refused(doing, &r),
                }
            }
            Ok(r) => self.refused(doing, &r),
            Err(f @ Failure::Unknown(_)) => match self.find_topic(patience, post.title) {
                Ok(Some(found)) => Posted::sent(Some(found.id())),
                _ => self.failed(doing, &f),
            },
            Err(f) => self.failed(doing, &f),
        }
    }

    /// Replies in `topic` with `post`, unless a resumed attempt finds it there.
    fn reply(&mut self, patience: &Patience, topic: u64, post: &Post<'_>) -> Posted {
        let doing = format!("reply in topic {topic}");
        if post.resumed {
            match self.find_reply(patience, topic, post.markdown) {
                Ok(Some(found)) => return Posted::sent(Some(found.id())),
                Ok(None) => {}
                Err(p) => return p,
            }
        }
        let body = json!({ "topic_id": topic, "raw": post.markdown });
        match self.write(patience, Write::Post, "/posts.json", &body) {
            Ok(r) if r.ok() => Posted::sent(Place::of_answer(&r.json).map(Place::id)),
            Ok(r) => self.refused(&doing, &r),
            Err(f @ Failure::Unknown(_)) => match self.find_reply(patience, topic, post.markdown) {
                Ok(Some(found)) => Posted::sent(Some(found.id())),
                _ => self.failed(&doing, &f),
            },
            Err(f) => self.failed(&doing, &f),
        }
    }

    /// Replaces the text of the post at `first` by `markdown` (the same again is no
    /// change); `None` when done, else what became of the correction.
    fn edit(&self, patience: &Patience, first: Place, markdown: &str) -> Option<Posted> {
        let doing = format!("edit post {} of topic {}", first.post, first.topic);
        let body = json!({ "post": { "raw": markdown, "edit_reason": EDIT_REASON } });
        let path = format!("/posts/{}.json", first.post);
        match self.write(patience, Write::Put, &path, &body) {
            Ok(r) if r.ok() => None,
            Ok(r) => Some(self.refused(&doing, &r)),
            Err(f) => Some(self.failed(&doing, &f)),
        }
    }

    /// The category's slug, read once from `GET /c/{id}/show.json`.
    fn slug(&mut self, patience: &Patience) -> std::result::Result<String, Posted> {
        if let Some(s) = &self.slug {
            return Ok(s.clone());
        }
        let doing = "look for the topic (category)";
        let path = format!("/c/{}/show.json", self.category);
        let r = self
            .get(patience, &path)
            .map_err(|f| self.lookup_failed(doing, &f))?;
        if !r.ok() {
            return Err(self.refused(doing, &r));
        }
        let slug = r.json["category"]["slug"]
            .as_str()
            .filter(|s| !s.is_empty() && !s.contains(['/', '?', '#']))
            .unwrap_or("-")
            .to_string();
        self.slug = Some(slug.clone());
        Ok(slug)
    }

    /// The topic in the category titled `title` and created by this user, among the
    /// category's latest topics (at most [`MAX_PAGES`] pages).
    fn find_topic(
        &mut self,
        patience: &Patience,
        title: &str,
    ) -> std::result::Result<Option<Place>, Posted> {
        let doing = "look for the topic";
        let slug = self.slug(patience)?;
        for page in 0..MAX_PAGES {
            let path = format!("/c/{slug}/{}/l/latest.json?page={page}", self.category);
            let r = self
                .get(patience, &path)
                .map_err(|f| self.lookup_failed(doing, &f))?;
            if !r.ok() {
                return Err(self.refused(doing, &r));
            }
            let list = &r.json["topic_list"];
            let topics = list["topics"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            for t in topics {
                let in_category = t["category_id"].as_u64().is_none_or(|c| c == self.category);
                if in_category
                    && t["title"].as_str().is_some_and(|s| same_title(s, title))
                    && let Some(id) = t["id"].as_u64()
                    && let Some(found) = self.first_post_by_us(patience, id)?
                {
                    return Ok(Some(found));
                }
            }
            if topics.is_empty() || list["more_topics_url"].as_str().is_none() {
                break;
            }
        }
        Ok(None)
    }

    /// The first post of `topic` when the topic is in the category and was created by
    /// this user (`GET /t/{id}.json`: `details.created_by`, `post_stream.posts`).
    fn first_post_by_us(
        &self,
        patience: &Patience,
        topic: u64,
    ) -> std::result::Result<Option<Place>, Posted> {
        let doing = format!("look at topic {topic}");
        let r = self
            .get(patience, &format!("/t/{topic}.json"))
            .map_err(|f| self.lookup_failed(&doing, &f))?;
        if r.status == 404 {
            return Ok(None);
        }
        if !r.ok() {
            return Err(self.refused(&doing, &r));
        }
        let creator = r.json["details"]["created_by"]["username"].as_str();
        let first = r.json["post_stream"]["posts"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["post_number"].as_u64() == Some(1)));
        let by_us = creator
            .or_else(|| first.and_then(|p| p["username"].as_str()))
            .is_some_and(|u| u.eq_ignore_ascii_case(&self.user));
        let in_category = r.json["category_id"]
            .as_u64()
            .is_none_or(|c| c == self.category);
        Ok(match first.and_then(|p| p["id"].as_u64()) {
            Some(post) if by_us && in_category => Some(Place { topic, post }),
            _ => None,
        })
    }

    /// This user's latest reply in `topic` (not its first post) whose text is
    /// `markdown`, among its last [`RECENT_POSTS`] posts.
    fn find_reply(
        &self,
        patience: &Patience,
        topic: u64,
        markdown: &str,
    ) -> std::result::Result<Option<Place>, Posted> {
        let doing = format!("look for the reply in topic {topic}");
        let r = self
            .get(patience, &format!("/t/{topic}.json"))
            .map_err(|f| self.lookup_failed(&doing, &f))?;
        if !r.ok() {
            return Err(self.refused(&doing, &r));
        }
        let stream: Vec<u64> = r.json["post_stream"]["stream"]
            .as_array()
            .map(|s| s.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        let recent = &stream[stream.len().saturating_sub(RECENT_POSTS)..];
        if recent.is_empty() {
            return Ok(None);
        }
        let mut query = form_urlencoded::Serializer::new(String::new());
        for id in recent {
            query.append_pair("post_ids[]", &id.to_string());
        }
        query.append_pair("include_raw", "true");
        let path = format!("/t/{topic}/posts.json?{}", query.finish());
        let r = self
            .get(patience, &path)
            .map_err(|f| self.lookup_failed(&doing, &f))?;
        if !r.ok() {
            return Err(self.refused(&doing, &r));
        }
        let posts = r.json["post_stream"]["posts"].as_array();
        let found = posts
            .into_iter()
            .flatten()
            .filter(|p| p["post_number"].as_u64().is_some_and(|n| n > 1))
            .filter(|p| {
                p["username"]
                    .as_str()
                    .is_some_and(|u| u.eq_ignore_ascii_case(&self.user))
            })
            .filter(|p| {
                p["raw"]
                    .as_str()
                    .is_some_and(|raw| same_text(raw, markdown))
            })
            .filter_map(|p| Some((p["post_number"].as_u64()?, p["id"].as_u64()?)))
            .max();
        Ok(found.map(|(_, post)| Place { topic, post }))
    }

    /// A look-up that could not be done: nothing was posted, so the post is not sent
    /// (fatal only when the forum cannot be reached at all).
    fn lookup_failed(&self, doing: &str, f: &Failure) -> Posted {
        Posted::not_sent(
            format!(
                "channel `{}`: cannot {doing} before posting: {}",
                self.name,
                f.reason()
            ),
            matches!(f, Failure::NotSent(_)),
        )
    }
}

impl Discourse {
    /// The user the key acts as, which must be `api-username`.
    fn check_user(&self, patience: &Patience) -> std::result::Result<String, Failed> {
        let failed = |e: String| Failed::from(Error::Delivery(e));
        let at = format!("channel `{}`", self.name);
        let unreachable = |f: Failure| failed(format!("{at}: {}", f.reason()));
        let r = self
            .get(patience, "/session/current.json")
            .map_err(unreachable)?;
        let (r, field) = if r.ok() {
            (r, "current_user")
        } else {
            let path = format!("/u/{}.json", encode(&self.user));
            (self.get(patience, &path).map_err(unreachable)?, "user")
        };
        if !r.ok() {
            return Err(failed(format!(
                "{at}: discourse at {} refused the API key for api-username `{}` ({}{}), expected a key that acts as that user (a global key, or a granular one with users:show)",
                self.host,
                self.user,
                r.status,
                said(&r)
            )));
        }
        let name = r.json[field]["username"].as_str().unwrap_or("");
        if !name.eq_ignore_ascii_case(&self.user) {
            return Err(failed(format!(
                "{at}: the API key acts as `{}`, expected api-username `{}`",
                crate::text::one_line(name),
                self.user
            )));
        }
        Ok(crate::text::one_line(name))
    }

    /// The category's name, when it exists and the user may create topics in it.
    fn check_category(&self, patience: &Patience) -> std::result::Result<String, Failed> {
        let failed = |e: String| Failed::from(Error::Delivery(e));
        let at = format!("channel `{}`", self.name);
        let path = format!("/c/{}/show.json", self.category);
        let r = self
            .get(patience, &path)
            .map_err(|f| failed(format!("{at}: {}", f.reason())))?;
        if !r.ok() {
            return Err(failed(format!(
                "{at}: category `{}` cannot be read ({}{}), expected the ID of a category `{}` can see (the number in its URL), with categories:show for a granular key",
                self.category,
                r.status,
                said(&r),
                self.user
            )));
        }
        let c = &r.json["category"];
        let name: String = crate::text::one_line(c["name"].as_str().unwrap_or(""))
            .chars()
            .take(80)
            .collect();
        // Discourse's permission levels: 1 create topics, 2 reply only, 3 see only.
        if let Some(p) = c["permission"].as_u64()
            && p != 1
        {
            return Err(failed(format!(
                "{at}: `{}` may not create topics in category `{}` `{name}` (permission {p}), expected permission to create topics (1)",
                self.user, self.category
            )));
        }
        Ok(name)
    }
}

/// How long a `429` says to wait: `Retry-After`, else `extras.wait_seconds`.
fn wait_of(reply: &Reply) -> std::time::Duration {
    reply
        .retry_after
        .or_else(|| {
            reply.json["extras"]["wait_seconds"]
                .as_f64()
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(std::time::Duration::from_secs_f64)
        })
        .unwrap_or(DEFAULT_WAIT)
}

/// `: “…”`: Discourse's `errors` (else the body), on one line, at most 200 characters;
/// empty when there is nothing.
fn said(reply: &Reply) -> String {
    let errors: Vec<&str> = reply.json["errors"]
        .as_array()
        .map(|e| e.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let text = if errors.is_empty() {
        reply.excerpt()
    } else {
        crate::text::one_line(&errors.join("; "))
    };
    let text: String = text.trim().chars().take(200).collect();
    if text.is_empty() {
        String::new()
    } else {
        format!(": discourse said “{text}”")
    }
}

/// Whether a `422` says the title is used by another topic.
fn title_taken(reply: &Reply) -> bool {
    let s = said(reply).to_lowercase();
    s.contains("title") && (s.contains("already") || s.contains("used"))
}

/// Whether two titles are the same but for what Discourse tidies (case, punctuation,
/// spacing).
fn same_title(a: &str, b: &str) -> bool {
    let key = |s: &str| {
        s.chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    key(a) == key(b)
}

/// Whether two post texts are the same but for spacing.
fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// `s` as one path segment.
fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_and_write_as_topic_slash_post() {
        let p = Place::parse("12/345").unwrap();
        assert_eq!(
            p,
            Place {
                topic: 12,
                post: 345
            }
        );
        assert_eq!(p.id(), "12/345");
        for bad in [
            "", "12", "12/", "/3", "0/1", "1/0", "a/1", "1/2/3", "+1/2", "1 /2",
        ] {
            assert_eq!(Place::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn titles_match_as_discourse_tidies_them() {
        assert!(same_title(
            "Developer summit — 2026-12-03!!",
            "developer summit  2026-12-03!"
        ));
        assert!(!same_title("Summit 2026-12-03", "Summit 2026-12-10"));
        assert!(same_text("a\r\n\nb ", "a\n\nb"));
    }

    #[test]
    fn rate_limits_say_how_long() {
        let reply = |retry: Option<u64>, json: Value| Reply {
            status: 429,
            retry_after: retry.map(std::time::Duration::from_secs),
            json,
            text: String::new(),
        };
        let d = std::time::Duration::from_secs;
        assert_eq!(wait_of(&reply(Some(3), Value::Null)), d(3));
        assert_eq!(
            wait_of(&reply(None, json!({"extras": {"wait_seconds": 7}}))),
            d(7)
        );
        assert_eq!(wait_of(&reply(None, Value::Null)), DEFAULT_WAIT);
        let r = Reply {
            status: 422,
            retry_after: None,
            json: json!({"errors": ["Title has already been used"], "error_type": "invalid_parameters"}),
            text: String::new(),
        };
        assert!(title_taken(&r));
        assert_eq!(said(&r), ": discourse said “Title has already been used”");
    }
}
