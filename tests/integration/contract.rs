//! A programmable HTTP server on a free loopback port for testing channels against
//! their services' documented contracts: it records every request (method, path,
//! headers, body) and answers each from the test's handler, which checks the request
//! against the contract and returns `Err(violation)` when it breaks it. A violation is
//! answered `400 contract violation` and fails the test ([`Server::assert_kept`], also
//! run on drop).
//!
//! One request per connection (`Connection: close`), each connection on a thread of
//! its own, so that a handler may keep a client waiting ([`Answer::Silence`]).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request the server got.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub method: String,
    /// The path and query, as sent.
    pub path: String,
    /// Names lowercased, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, or a violation when it is not JSON.
    pub fn json(&self) -> Result<serde_json::Value, String> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("the body `{}` is not JSON ({e})", self.text()))
    }

    /// `Err` unless the `Content-Type`'s media type is `media` (parameters ignored).
    pub fn expect_content_type(&self, media: &str) -> Result<(), String> {
        let ct = self.header("content-type").unwrap_or("");
        let got = ct.split(';').next().unwrap_or("").trim();
        if got.eq_ignore_ascii_case(media) {
            Ok(())
        } else {
            Err(format!("Content-Type `{ct}`, expected `{media}`"))
        }
    }

    /// `Err` unless header `name` is exactly `value`.
    pub fn expect_header(&self, name: &str, value: &str) -> Result<(), String> {
        match self.header(name) {
            Some(v) if v == value => Ok(()),
            other => Err(format!("{name}: {other:?}, expected `{value}`")),
        }
    }

    /// `Err` unless the method and path are these.
    pub fn expect(&self, method: &str, path: &str) -> Result<(), String> {
        if self.method == method && self.path == path {
            Ok(())
        } else {
            Err(format!(
                "{} {}, expected {method} {path}",
                self.method, self.path
            ))
        }
    }
}

/// What the server answers a request.
#[derive(Clone, Debug)]
pub enum Answer {
    /// This status, these headers and this body.
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Nothing for this long, then the connection closed: a server that does not answer.
    Silence(Duration),
}

impl Answer {
    /// `status` with a `text/plain` body.
    pub fn text(status: u16, body: &str) -> Answer {
        Answer::Reply {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: body.into(),
        }
    }

    /// `status` with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Answer {
        Answer::Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    /// The answer with one more header.
    pub fn with(mut self, name: &str, value: &str) -> Answer {
        if let Answer::Reply { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

type Handler = dyn Fn(&Request) -> Result<Answer, String> + Send + Sync;

/// The server, stopped on drop.
pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    violations: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server answering each request with `handler`.
    pub fn start(
        handler: impl Fn(&Request) -> Result<Answer, String> + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let violations = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let thread = {
            let (requests, violations, stop) = (requests.clone(), violations.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (h, r, v) = (handler.clone(), requests.clone(), violations.clone());
                            std::thread::spawn(move || serve(stream, &*h, &r, &v));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Server {
            port,
            requests,
            violations,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Panics with every contract violation seen so far.
    pub fn assert_kept(&self) {
        let v = self.violations.lock().unwrap().clone();
        assert!(v.is_empty(), "the contract was broken: {v:#?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if !std::thread::panicking() {
            self.assert_kept();
        }
    }
}

/// Reads one request from `stream`, records it and answers it.
fn serve(
    stream: TcpStream,
    handler: &Handler,
    requests: &Mutex<Vec<Request>>,
    violations: &Mutex<Vec<String>>,
) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let Some(request) = read(&stream) else {
        return;
    };
    requests.lock().unwrap().push(request.clone());
    let answer = handler(&request).unwrap_or_else(|violation| {
        let v = format!("{} {}: {violation}", request.method, request.path);
        violations.lock().unwrap().push(v.clone());
        Answer::text(400, &format!("contract violation: {v}"))
    });
    let mut stream = stream;
    match answer {
        Answer::Silence(d) => std::thread::sleep(d),
        Answer::Reply {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                reason(status),
                body.len()
            );
            for (n, v) in headers {
                head.push_str(&format!("{n}: {v}\r\n"));
            }
            head.push_str("\r\n");
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
        }
    }
}

/// One HTTP/1.1 request: its head, then a `Content-Length` or chunked body.
fn read(stream: &TcpStream) -> Option<Request> {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let path = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut l = String::new();
        r.read_line(&mut l).ok()?;
        let l = l.trim_end();
        if l.is_empty() {
            break;
        }
        let (n, v) = l.split_once(':')?;
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if let Some(len) = request.header("content-length") {
        let mut body = vec![0; len.parse().ok()?];
        r.read_exact(&mut body).ok()?;
        request.body = body;
    } else if request
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            r.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            request.body.extend_from_slice(&chunk[..size]);
        }
    }
    Some(request)
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Status",
    }
}
