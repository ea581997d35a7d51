//! The Discourse channel against a fake forum on a loopback port: it keeps topics and
//! posts in memory and checks every request against Discourse's API
//! (<https://docs.discourse.org>): the method and path, the `Api-Key` and
//! `Api-Username` headers, JSON bodies of the documented shape, the configured
//! category. What it answers follows Discourse: `403` for a bad key, `422` for a title
//! too short or already used, `404` for what is not there, `429` with `Retry-After`
//! and `extras.wait_seconds` when told to. A request outside the contract is recorded
//! as a violation, and every test ends by asserting there were none.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use summit::config::{Audience, Channel as ChannelConfig, ChannelKind, Secret};
use summit::model::{Kind, Step};
use summit::send::Outcome;
use summit::send::channel::{self, Post, Posted};

pub(crate) const KEY: &str = "d3adb33fd3adb33fd3adb33fd3adb33f";
pub(crate) const USER: &str = "summit-bot";
pub(crate) const CATEGORY: u64 = 7;
const SLUG: &str = "summits";
const TITLE: &str = "Developer summit on 2026-12-03";

#[derive(Clone, Debug)]
pub(crate) struct FakePost {
    pub(crate) id: u64,
    pub(crate) number: u64,
    pub(crate) username: String,
    pub(crate) raw: String,
    pub(crate) edits: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Topic {
    pub(crate) id: u64,
    pub(crate) title: String,
    pub(crate) category: u64,
    pub(crate) creator: String,
    pub(crate) posts: Vec<FakePost>,
}

/// Something the forum does once, to the next request it applies to.
#[derive(Clone, Copy, Debug)]
enum Trick {
    /// Answer the next `POST /posts.json` with `429`, `Retry-After` this many seconds.
    RateLimit(u64),
    /// Do the next `POST /posts.json`, then close the connection without answering.
    DropAfterPost,
}

#[derive(Default)]
struct Forum {
    topics: Vec<Topic>,
    next_id: u64,
    tricks: VecDeque<Trick>,
    violations: Vec<String>,
    requests: Vec<String>,
}

impl Forum {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// The fake forum, stopped on drop.
pub(crate) struct FakeDiscourse {
    pub(crate) port: u16,
    forum: Arc<Mutex<Forum>>,
    stop: Arc<AtomicBool>,
}

impl FakeDiscourse {
    pub(crate) fn start() -> FakeDiscourse {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let forum = Arc::new(Mutex::new(Forum {
            next_id: 100,
            ..Forum::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (f, s) = (forum.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        let f = f.clone();
                        std::thread::spawn(move || serve(stream, &f));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        FakeDiscourse { port, forum, stop }
    }

    fn config(&self, key: &str) -> ChannelConfig {
        ChannelConfig {
            name: "forum".into(),
            audience: Audience::Public,
            timeout: Duration::from_secs(10),
            kind: ChannelKind::Discourse {
                url: url::Url::parse(&format!("http://127.0.0.1:{}/", self.port)).unwrap(),
                category: CATEGORY,
                api_username: USER.into(),
                api_key: Secret::Command {
                    command: format!("printf %s {key}"),
                    timeout: Duration::from_secs(10),
                },
            },
        }
    }

    fn open(&self) -> Box<dyn channel::Channel> {
        channel::open(&self.config(KEY), KEY.to_string()).unwrap()
    }

    fn trick(&self, t: Trick) {
        self.forum.lock().unwrap().tricks.push_back(t);
    }

    pub(crate) fn topics(&self) -> Vec<Topic> {
        self.forum.lock().unwrap().topics.clone()
    }

    fn requests(&self) -> Vec<String> {
        self.forum.lock().unwrap().requests.clone()
    }

    /// Ends a test: no request broke the contract.
    pub(crate) fn assert_contract_kept(&self) {
        let v = self.forum.lock().unwrap().violations.clone();
        assert!(v.is_empty(), "contract violations: {v:#?}");
    }
}

impl Drop for FakeDiscourse {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    Some(Request {
        method,
        path: path.to_string(),
        query,
        headers,
        body,
    })
}

/// What to answer: a status, extra headers and a JSON body; or nothing at all.
type Answer = Option<(u16, Vec<(&'static str, String)>, Value)>;

fn serve(mut stream: TcpStream, forum: &Mutex<Forum>) {
    let Some(req) = read_request(&stream) else {
        return;
    };
    let answer = {
        let mut f = forum.lock().unwrap();
        f.requests.push(format!("{} {}", req.method, req.path));
        handle(&mut f, &req)
    };
    let Some((status, headers, body)) = answer else {
        return; // dropped: the connection closes unanswered
    };
    let body = body.to_string();
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&body);
    let _ = stream.write_all(out.as_bytes());
}

fn error(status: u16, message: &str, kind: &str) -> Answer {
    Some((
        status,
        vec![],
        json!({"errors": [message], "error_type": kind}),
    ))
}

fn ok(body: Value) -> Answer {
    Some((200, vec![], body))
}

/// Discourse's answer to `req`, after checking it against the API's contract.
fn handle(f: &mut Forum, req: &Request) -> Answer {
    let violation = |f: &mut Forum, what: String| {
        f.violations
            .push(format!("{} {}: {what}", req.method, req.path));
        error(400, "bad request", "invalid_parameters")
    };
    if !req
        .header("accept")
        .is_some_and(|a| a.contains("application/json"))
    {
        return violation(f, "no `Accept: application/json`".into());
    }
    match (req.header("api-key"), req.header("api-username")) {
        (Some(KEY), Some(USER)) => {}
        (Some(_), Some(_)) => {
            return error(
                403,
                "You are not permitted to view the requested resource. The API username or key is invalid.",
                "invalid_access",
            );
        }
        _ => return violation(f, "no Api-Key / Api-Username headers".into()),
    }
    let body: Value = if req.method == "GET" {
        if !req.body.is_empty() {
            return violation(f, "a GET with a body".into());
        }
        Value::Null
    } else {
        if !req
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json"))
        {
            return violation(f, "a body that is not declared JSON".into());
        }
        match serde_json::from_slice(&req.body) {
            Ok(v @ Value::Object(_)) => v,
            _ => return violation(f, "a body that is not a JSON object".into()),
        }
    };
    let segs: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["posts.json"]) => create_post(f, &body),
        ("PUT", ["posts", id]) => edit_post(f, id, &body),
        ("GET", ["session", "current.json"]) => {
            ok(json!({"current_user": {"id": 3, "username": USER}}))
        }
        ("GET", ["u", name]) if *name == format!("{USER}.json") => {
            ok(json!({"user": {"id": 3, "username": USER}}))
        }
        ("GET", ["c", id, "show.json"]) => show_category(id),
        ("GET", ["c", slug, id, "l", "latest.json"]) => latest(f, slug, id, req),
        ("GET", ["t", id]) => show_topic(f, id),
        ("GET", ["t", id, "posts.json"]) => topic_posts(f, id, req),
        _ => violation(
            f,
            "not an endpoint of the Discourse API this channel uses".into(),
        ),
    }
}

fn create_post(f: &mut Forum, body: &Value) -> Answer {
    if let Some(Trick::RateLimit(secs)) = f.tricks.front().copied() {
        f.tricks.pop_front();
        return Some((
            429,
            vec![("Retry-After", secs.to_string())],
            json!({"errors": ["You’ve performed this action too many times. Please wait 1 seconds before trying again."], "error_type": "rate_limit", "extras": {"wait_seconds": secs, "time_left": "1 second"}}),
        ));
    }
    let Some(raw) = body["raw"].as_str().filter(|r| !r.trim().is_empty()) else {
        f.violations
            .push(format!("POST /posts.json without `raw`: {body}"));
        return error(422, "Body can't be blank", "invalid_parameters");
    };
    let id = f.id();
    let answer = if let Some(topic_id) = body["topic_id"].as_u64() {
        if body.get("title").is_some() || body.get("category").is_some() {
            f.violations
                .push(format!("a reply with a title or category: {body}"));
        }
        let Some(t) = f.topics.iter_mut().find(|t| t.id == topic_id) else {
            return error(
                404,
                "The requested URL or resource could not be found.",
                "not_found",
            );
        };
        let number = t.posts.len() as u64 + 1;
        t.posts.push(FakePost {
            id,
            number,
            username: USER.into(),
            raw: raw.into(),
            edits: vec![],
        });
        json!({"id": id, "topic_id": topic_id, "post_number": number, "username": USER, "raw": raw})
    } else {
        let Some(title) = body["title"].as_str() else {
            f.violations
                .push(format!("a new topic without `title`: {body}"));
            return error(422, "Title can't be blank", "invalid_parameters");
        };
        if body["category"].as_u64() != Some(CATEGORY) {
            f.violations
                .push(format!("a new topic not in category {CATEGORY}: {body}"));
        }
        if title.chars().count() < 15 {
            return error(
                422,
                "Title must be at least 15 characters",
                "invalid_parameters",
            );
        }
        if f.topics.iter().any(|t| t.title.eq_ignore_ascii_case(title)) {
            return error(422, "Title has already been used", "invalid_parameters");
        }
        let topic_id = f.id();
        f.topics.push(Topic {
            id: topic_id,
            title: title.into(),
            category: CATEGORY,
            creator: USER.into(),
            posts: vec![FakePost {
                id,
                number: 1,
                username: USER.into(),
                raw: raw.into(),
                edits: vec![],
            }],
        });
        json!({"id": id, "topic_id": topic_id, "post_number": 1, "username": USER, "raw": raw})
    };
    if let Some(Trick::DropAfterPost) = f.tricks.front().copied() {
        f.tricks.pop_front();
        return None;
    }
    ok(answer)
}

fn edit_post(f: &mut Forum, id: &str, body: &Value) -> Answer {
    let Some(id) = id.strip_suffix(".json").and_then(|i| i.parse::<u64>().ok()) else {
        f.violations
            .push(format!("PUT /posts/{id}: not /posts/{{id}}.json"));
        return error(400, "bad request", "invalid_parameters");
    };
    let Some(raw) = body["post"]["raw"].as_str() else {
        f.violations.push(format!("PUT without `post.raw`: {body}"));
        return error(
            400,
            "param is missing or the value is empty: post",
            "invalid_parameters",
        );
    };
    let reason = body["post"]["edit_reason"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let post = f
        .topics
        .iter_mut()
        .flat_map(|t| t.posts.iter_mut())
        .find(|p| p.id == id);
    let Some(post) = post else {
        return error(
            404,
            "The requested URL or resource could not be found.",
            "not_found",
        );
    };
    post.raw = raw.into();
    post.edits.push(reason);
    ok(json!({"post": {"id": id, "raw": raw}}))
}

fn show_category(id: &str) -> Answer {
    if id.parse::<u64>().ok() != Some(CATEGORY) {
        return error(
            404,
            "The requested URL or resource could not be found.",
            "not_found",
        );
    }
    ok(json!({"category": {"id": CATEGORY, "name": "Summits", "slug": SLUG, "permission": 1}}))
}

fn latest(f: &mut Forum, slug: &str, id: &str, req: &Request) -> Answer {
    if *slug != *SLUG || id.parse::<u64>().ok() != Some(CATEGORY) {
        f.violations.push(format!("a category path /c/{slug}/{id}"));
        return error(
            404,
            "The requested URL or resource could not be found.",
            "not_found",
        );
    }
    let page: usize = req
        .query
        .iter()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut all: Vec<&Topic> = f.topics.iter().filter(|t| t.category == CATEGORY).collect();
    all.reverse();
    let per = 2; // small pages, so that paging is exercised
    let topics: Vec<Value> = all
        .iter()
        .skip(page * per)
        .take(per)
        .map(|t| json!({"id": t.id, "title": t.title, "fancy_title": t.title, "category_id": t.category, "posters": [{"user_id": 3, "description": "Original Poster"}]}))
        .collect();
    let mut list = json!({"can_create_topic": true, "per_page": per, "topics": topics});
    if all.len() > (page + 1) * per {
        list["more_topics_url"] = json!(format!("/c/{SLUG}/{CATEGORY}/l/latest?page={}", page + 1));
    }
    ok(json!({"users": [{"id": 3, "username": USER}], "topic_list": list}))
}

fn find_topic<'a>(f: &'a Forum, id: &str) -> Option<&'a Topic> {
    let id: u64 = id.strip_suffix(".json").unwrap_or(id).parse().ok()?;
    f.topics.iter().find(|t| t.id == id)
}

fn post_json(p: &FakePost, raw: bool) -> Value {
    let mut v = json!({"id": p.id, "post_number": p.number, "username": p.username, "cooked": format!("<p>{}</p>", p.raw)});
    if raw {
        v["raw"] = json!(p.raw);
    }
    v
}

fn show_topic(f: &Forum, id: &str) -> Answer {
    let Some(t) = find_topic(f, id) else {
        return error(
            404,
            "The requested URL or resource could not be found.",
            "not_found",
        );
    };
    let posts: Vec<Value> = t
        .posts
        .iter()
        .take(20)
        .map(|p| post_json(p, false))
        .collect();
    let stream: Vec<u64> = t.posts.iter().map(|p| p.id).collect();
    ok(json!({
        "id": t.id, "title": t.title, "category_id": t.category,
        "details": {"created_by": {"id": 3, "username": t.creator}},
        "post_stream": {"posts": posts, "stream": stream},
    }))
}

fn topic_posts(f: &mut Forum, id: &str, req: &Request) -> Answer {
    let ids: Vec<u64> = req
        .query
        .iter()
        .filter(|(k, _)| k == "post_ids[]")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    if ids.is_empty() {
        f.violations.push("posts.json without post_ids[]".into());
    }
    let raw = req
        .query
        .iter()
        .any(|(k, v)| k == "include_raw" && v == "true");
    let Some(t) = find_topic(f, id) else {
        return error(
            404,
            "The requested URL or resource could not be found.",
            "not_found",
        );
    };
    let posts: Vec<Value> = t
        .posts
        .iter()
        .filter(|p| ids.contains(&p.id))
        .map(|p| post_json(p, raw))
        .collect();
    ok(json!({"post_stream": {"posts": posts}}))
}

fn post<'a>(title: &'a str, markdown: &'a str) -> Post<'a> {
    Post {
        message_id: "reminder.2026-12-03@summit",
        kind: Kind::Step(Step::Reminder),
        title,
        markdown,
        thread: None,
        edit: None,
        resumed: false,
    }
}

fn sent_id(p: &Posted) -> (u64, u64) {
    assert_eq!(p.outcome, Outcome::Sent, "{p:?}");
    let id = p.id.as_deref().expect("an ID");
    let (t, q) = id.split_once('/').expect("TOPIC/POST");
    (t.parse().unwrap(), q.parse().unwrap())
}

#[test]
fn discourse_reminder_opens_a_topic_in_the_category() {
    let forum = FakeDiscourse::start();
    let mut ch = forum.open();
    let p = ch.post(&post(TITLE, "The summit is on **3 December**."));
    let (topic, first) = sent_id(&p);
    let topics = forum.topics();
    assert_eq!(topics.len(), 1);
    assert_eq!((topics[0].id, topics[0].posts[0].id), (topic, first));
    assert_eq!(topics[0].title, TITLE);
    assert_eq!(topics[0].category, CATEGORY);
    assert_eq!(topics[0].posts[0].raw, "The summit is on **3 December**.");
    // It looked for the topic before opening it.
    let reqs = forum.requests();
    let create = reqs.iter().position(|r| r == "POST /posts.json").unwrap();
    assert!(
        reqs[..create].iter().any(|r| r.contains("/l/latest.json")),
        "{reqs:?}"
    );
    forum.assert_contract_kept();
}

#[test]
fn discourse_later_steps_reply_and_a_correction_edits_and_replies() {
    let forum = FakeDiscourse::start();
    let mut ch = forum.open();
    let reminder = ch.post(&post(TITLE, "Reminder text."));
    let (topic, first) = sent_id(&reminder);
    let thread = reminder.id.clone().unwrap();
    let mut later = post("Agenda", "Agenda text.");
    later.thread = Some(&thread);
    let (t2, reply) = sent_id(&ch.post(&later));
    assert_eq!(t2, topic);
    assert_ne!(reply, first);

    let mut correction = post("Moved", "The summit **moved** to 10 December.");
    correction.kind = Kind::Correction;
    correction.thread = Some(&thread);
    correction.edit = Some(&thread);
    let (t3, fix) = sent_id(&ch.post(&correction));
    assert_eq!(t3, topic);
    let topics = forum.topics();
    assert_eq!(topics.len(), 1);
    let posts = &topics[0].posts;
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[0].raw, "The summit **moved** to 10 December.");
    assert_eq!(posts[0].edits.len(), 1);
    assert!(!posts[0].edits[0].is_empty(), "an edit reason");
    assert_eq!(
        (posts[2].id, posts[2].raw.as_str()),
        (fix, "The summit **moved** to 10 December.")
    );
    forum.assert_contract_kept();
}

#[test]
fn discourse_resumed_topic_is_found_not_opened_twice() {
    let forum = FakeDiscourse::start();
    // Other topics by then, so that the look-up pages through the category.
    let mut ch = forum.open();
    let first = ch.post(&post(TITLE, "Reminder text."));
    for i in 0..4 {
        let title = format!("Some other topic number {i}");
        sent_id(&ch.post(&post(&title, "Other.")));
    }
    let mut again = post(TITLE, "Reminder text.");
    again.resumed = true;
    let second = forum.open().post(&again);
    assert_eq!(second, first);
    // Not resumed either: the title is looked for before every creation.
    assert_eq!(forum.open().post(&post(TITLE, "Reminder text.")), first);
    assert_eq!(forum.topics().len(), 5);
    forum.assert_contract_kept();
}

#[test]
fn discourse_lost_answer_to_a_creation_finds_the_topic() {
    let forum = FakeDiscourse::start();
    forum.trick(Trick::DropAfterPost);
    let p = forum.open().post(&post(TITLE, "Reminder text."));
    // Created, answer lost: found right away by its title.
    let found = sent_id(&p);
    let mut retry = post(TITLE, "Reminder text.");
    retry.resumed = true;
    let again = sent_id(&forum.open().post(&retry));
    assert_eq!(found, again);
    let topics = forum.topics();
    assert_eq!(topics.len(), 1, "{topics:?}");
    assert_eq!((topics[0].id, topics[0].posts[0].id), again);
    forum.assert_contract_kept();
}

#[test]
fn discourse_lost_answer_to_a_reply_is_found_when_resumed() {
    let forum = FakeDiscourse::start();
    let mut ch = forum.open();
    let thread = ch.post(&post(TITLE, "Reminder text.")).id.unwrap();
    forum.trick(Trick::DropAfterPost);
    let mut reply = post("Handover", "Handover text.");
    reply.thread = Some(&thread);
    // Posted, answer lost: found right away among the topic's posts.
    let first = sent_id(&ch.post(&reply));
    reply.resumed = true;
    let again = sent_id(&forum.open().post(&reply));
    assert_eq!(first, again);
    let topics = forum.topics();
    assert_eq!(topics[0].posts.len(), 2, "one reply, not two");
    assert_eq!(topics[0].posts[1].id, again.1);
    forum.assert_contract_kept();
}

#[test]
fn discourse_rate_limit_is_waited_out() {
    let forum = FakeDiscourse::start();
    forum.trick(Trick::RateLimit(1));
    let started = std::time::Instant::now();
    let p = forum.open().post(&post(TITLE, "Reminder text."));
    sent_id(&p);
    assert!(started.elapsed() >= Duration::from_millis(900));
    let posts = forum
        .requests()
        .iter()
        .filter(|r| *r == "POST /posts.json")
        .count();
    assert_eq!(posts, 2);
    assert_eq!(forum.topics().len(), 1);
    forum.assert_contract_kept();
}

#[test]
fn discourse_bad_key_is_fatal_and_never_quoted() {
    let forum = FakeDiscourse::start();
    let bad = "0123456789abcdef0123456789abcdef";
    let mut ch = channel::open(&forum.config(bad), bad.into()).unwrap();
    let p = ch.post(&post(TITLE, "Reminder text."));
    match &p.outcome {
        Outcome::NotSent { reason, fatal } => {
            assert!(*fatal, "{reason}");
            assert!(
                reason.contains("403") && reason.contains("`summit-bot`"),
                "{reason}"
            );
            assert!(!reason.contains(bad), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(forum.topics().is_empty());
    let e = channel::check(&forum.config(bad), true).unwrap_err();
    let e = e.error.to_string();
    assert!(e.contains("403") && !e.contains(bad), "{e}");
    forum.assert_contract_kept();
}

#[test]
fn discourse_refused_titles_say_why() {
    let forum = FakeDiscourse::start();
    let p = forum.open().post(&post("Summit", "Text."));
    match &p.outcome {
        Outcome::NotSent { reason, fatal } => {
            assert!(!fatal, "{reason}");
            assert!(reason.contains("at least 15 characters"), "{reason}");
            assert!(reason.contains("expected a title"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // A title another user's topic holds: refused, not mistaken for ours.
    forum.forum.lock().unwrap().topics.push(Topic {
        id: 1,
        title: TITLE.into(),
        category: CATEGORY,
        creator: "someone".into(),
        posts: vec![FakePost {
            id: 2,
            number: 1,
            username: "someone".into(),
            raw: "Theirs.".into(),
            edits: vec![],
        }],
    });
    let p = forum.open().post(&post(TITLE, "Reminder text."));
    match &p.outcome {
        Outcome::NotSent { reason, .. } => {
            assert!(reason.contains("Title has already been used"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    forum.assert_contract_kept();
}

#[test]
fn discourse_reply_to_a_deleted_topic_is_not_sent() {
    let forum = FakeDiscourse::start();
    let mut ch = forum.open();
    let mut reply = post("Handover", "Handover text.");
    reply.thread = Some("999/1000");
    match ch.post(&reply).outcome {
        Outcome::NotSent { reason, fatal } => {
            assert!(!fatal && reason.contains("404"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    reply.thread = Some("not-an-id");
    assert!(matches!(
        ch.post(&reply).outcome,
        Outcome::NotSent { fatal: false, .. }
    ));
    assert!(forum.topics().is_empty());
    forum.assert_contract_kept();
}

#[test]
fn discourse_check_reports_user_and_category() {
    let forum = FakeDiscourse::start();
    let offline = channel::check(&forum.config(KEY), false).unwrap();
    assert!(
        offline.contains("category 7") && offline.contains(USER),
        "{offline}"
    );
    assert!(forum.requests().is_empty(), "no request without --connect");
    let line = channel::check(&forum.config(KEY), true).unwrap();
    assert!(
        line.contains(USER) && line.contains("Summits") && line.contains("category 7"),
        "{line}"
    );
    assert!(!line.contains(KEY), "{line}");
    let reqs = forum.requests();
    assert!(reqs.iter().all(|r| r.starts_with("GET ")), "{reqs:?}");
    let mut other = forum.config(KEY);
    if let ChannelKind::Discourse { category, .. } = &mut other.kind {
        *category = 8;
    }
    let e = channel::check(&other, true).unwrap_err().error.to_string();
    assert!(e.contains("category `8`") && e.contains("expected"), "{e}");
    forum.assert_contract_kept();
}
