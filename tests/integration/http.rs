//! A small HTTP server on a free loopback port that serves a feed with an ETag and
//! Last-Modified, answers conditional requests with 304, and can be told to fail, to
//! cut the body short, to send something that is not a calendar, or to drip it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the server answers.
#[derive(Clone, Debug)]
pub enum Mode {
    /// 200 with the body, its ETag and Last-Modified; 304 when If-None-Match matches.
    Serve { body: Vec<u8>, etag: String },
    /// This status with a short body.
    Status(u16),
    /// 200 announcing the whole body but sending only its first `cut` bytes.
    CutShort { body: Vec<u8>, cut: usize },
    /// 200 with this body (no ETag).
    Raw(Vec<u8>),
    /// 200 announcing the whole body, then one byte of it every `every`: a server that
    /// never stops talking and never finishes.
    Drip { body: Vec<u8>, every: Duration },
}

/// One request the server got.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub if_none_match: Option<String>,
    pub if_modified_since: Option<String>,
}

/// The server, stopped on drop.
pub struct FeedServer {
    pub port: u16,
    mode: Arc<Mutex<Mode>>,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

const LAST_MODIFIED: &str = "Sun, 15 Nov 2026 12:00:00 GMT";

impl FeedServer {
    pub fn start(mode: Mode) -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(Mutex::new(mode));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (mode, requests, stop) = (mode.clone(), requests.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            stream.set_nonblocking(false).unwrap();
                            let mode = mode.lock().unwrap().clone();
                            let _ = serve(stream, &mode, &requests);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        FeedServer {
            port,
            mode,
            requests,
            stop,
            thread: Some(thread),
        }
    }

    /// The feed's URL.
    pub fn url(&self) -> String {
        format!(
            "http://127.0.0.1:{}/calendar/ical/x/public/basic.ics",
            self.port
        )
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for FeedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    stream: std::net::TcpStream,
    mode: &Mode,
    requests: &Mutex<Vec<Request>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut req = Request::default();
    let mut line = String::new();
    reader.read_line(&mut line)?;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let v = Some(v.trim().to_string());
            match k.trim().to_ascii_lowercase().as_str() {
                "if-none-match" => req.if_none_match = v,
                "if-modified-since" => req.if_modified_since = v,
                _ => {}
            }
        }
    }
    requests.lock().unwrap().push(req.clone());
    let mut out = stream;
    let head = |status: &str, extra: &str, len: usize| {
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/calendar; charset=UTF-8\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n"
        )
    };
    match mode {
        Mode::Serve { body, etag } => {
            if req.if_none_match.as_deref() == Some(etag.as_str()) {
                out.write_all(
                    format!(
                        "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
                    )
                    .as_bytes(),
                )?;
            } else {
                let extra = format!("ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\n");
                out.write_all(head("200 OK", &extra, body.len()).as_bytes())?;
                out.write_all(body)?;
            }
        }
        Mode::Status(code) => {
            let body = b"no\n";
            out.write_all(head(&format!("{code} Failing"), "", body.len()).as_bytes())?;
            out.write_all(body)?;
        }
        Mode::CutShort { body, cut } => {
            out.write_all(head("200 OK", "ETag: \"cut\"\r\n", body.len()).as_bytes())?;
            out.write_all(&body[..*cut])?;
        }
        Mode::Raw(body) => {
            out.write_all(head("200 OK", "", body.len()).as_bytes())?;
            out.write_all(body)?;
        }
        Mode::Drip { body, every } => {
            out.write_all(head("200 OK", "", body.len()).as_bytes())?;
            // Until the client hangs up.
            for byte in body {
                out.write_all(std::slice::from_ref(byte))?;
                out.flush()?;
                std::thread::sleep(*every);
            }
        }
    }
    out.flush()?;
    out.shutdown(std::net::Shutdown::Both)
}
