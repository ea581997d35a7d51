//! A real SMTP server for the tests: aiosmtpd (from PyPI), on a free loopback port,
//! with a handler that stores every message it accepts as a JSON file (envelope and
//! data). Tests read the messages back from the server's side.
//!
//! aiosmtpd comes from the Python on PATH when it can import it, else from a venv in
//! `target/test-venv`, created once (under a lock, as tests run in parallel) with
//! `pip install aiosmtpd`; `.ci/run` creates it ahead of the tests. [`python_with`]
//! does the same for other packages (the rota tests parse with `icalendar`).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mailparse::MailHeaderMap;
use tempfile::TempDir;

use crate::test::repo;

/// The server: its handler reads `control.json` in its folder before every message,
/// so a test can make it slow or make it refuse without restarting it.
const SERVER: &str = r#"
import asyncio, json, os, sys, time, uuid
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

store, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(os.path.join(store, "msgs"), exist_ok=True)

def control():
    try:
        with open(os.path.join(store, "control.json")) as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return {}

def save(directory, record):
    name = "%020d-%s.json" % (time.time_ns(), uuid.uuid4().hex)
    tmp = os.path.join(directory, "." + name)
    with open(tmp, "w") as f:
        json.dump(record, f)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(directory, name))

class Handler:
    async def handle_DATA(self, server, session, envelope):
        c = control()
        if c.get("reject"):
            return c["reject"]
        await asyncio.sleep(c.get("delay_before_store", 0))
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        login = session.auth_data
        if isinstance(login, LoginPassword):
            login = login.login
        if isinstance(login, bytes):
            login = login.decode("utf-8", "replace")
        save(os.path.join(store, "msgs"), {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login,
            "data": data.decode("utf-8", "surrogateescape"),
        })
        await asyncio.sleep(c.get("delay_after_store", 0))
        return "250 2.0.0 OK stored"

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == os.environ["SMTP_USER"]
          and auth_data.password.decode() == os.environ["SMTP_PASSWORD"])
    with open(os.path.join(store, "auth.log"), "a") as f:
        f.write("%s %s\n" % (mechanism, "ok" if ok else "refused"))
    return AuthResult(success=ok, handled=False, auth_data=auth_data)

kwargs = {}
if os.environ.get("SMTP_USER"):
    kwargs = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False)
controller = Controller(Handler(), hostname=host, port=port, **kwargs)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
"#;

/// A Python that can import aiosmtpd.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| python_with("aiosmtpd", "aiosmtpd"))
}

/// A Python that can import `module`: the one on PATH when it can, else the venv in
/// `target/test-venv`, created (under a lock, as tests run in parallel) when missing,
/// with `pip install PACKAGE` when it cannot import it yet.
pub fn python_with(module: &str, package: &str) -> PathBuf {
    let imports = |py: &Path| {
        Command::new(py)
            .args(["-c", &format!("import {module}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    let system = PathBuf::from("python3");
    if imports(&system) {
        return system;
    }
    let venv = repo().join("target/test-venv");
    let py = venv.join("bin/python");
    std::fs::create_dir_all(repo().join("target")).unwrap();
    let lock = File::create(repo().join("target/test-venv.lock")).unwrap();
    lock.lock().unwrap();
    if !imports(&py) {
        let ok = (py.exists()
            || Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .is_ok_and(|s| s.success()))
            && Command::new(&py)
                .args(["-m", "pip", "install", "--quiet", package])
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            ok && imports(&py),
            "cannot set up {package} in {} (python3 -m venv, pip install {package})",
            venv.display()
        );
    }
    py
}

/// A free TCP port on 127.0.0.1 (free when asked; the server binds it right after).
pub fn free_port() -> u16 {
    free_port_on("127.0.0.1")
}

/// A free TCP port on the loopback address `ip` (`127.0.0.1` or `::1`).
fn free_port_on(ip: &str) -> u16 {
    let ip: std::net::IpAddr = ip.parse().unwrap();
    std::net::TcpListener::bind((ip, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running aiosmtpd, killed on drop.
pub struct SmtpServer {
    pub port: u16,
    /// The address it listens on: `127.0.0.1`, or `::1`.
    host: String,
    dir: TempDir,
    env: Vec<(String, String)>,
    child: Option<Child>,
}

/// A message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub login: Option<String>,
    pub data: String,
}

impl Received {
    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<String> {
        let mail = mailparse::parse_mail(self.data.as_bytes()).expect("the server got a message");
        mail.headers.get_first_value(name)
    }

    /// Every value of header `name`.
    pub fn headers(&self, name: &str) -> Vec<String> {
        let mail = mailparse::parse_mail(self.data.as_bytes()).expect("the server got a message");
        mail.headers.get_all_values(name)
    }

    /// The Message-ID, without angle brackets.
    pub fn message_id(&self) -> String {
        let id = self.header("Message-ID").expect("a Message-ID");
        id.trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .to_string()
    }

    /// The Date as a Unix time.
    pub fn date(&self) -> i64 {
        mailparse::dateparse(&self.header("Date").expect("a Date")).expect("a valid Date")
    }

    /// The parsed message.
    pub fn parsed(&self) -> mailparse::ParsedMail<'_> {
        mailparse::parse_mail(self.data.as_bytes()).expect("the server got a message")
    }
}

impl SmtpServer {
    /// Starts a server on a free port.
    pub fn start() -> SmtpServer {
        Self::start_with(&[])
    }

    /// Starts a server with environment variables (`SMTP_USER` and `SMTP_PASSWORD`
    /// turn on AUTH).
    pub fn start_with(env: &[(&str, &str)]) -> SmtpServer {
        Self::start_on("127.0.0.1", env)
    }

    /// Starts a server on a free port of the loopback address `ip` (`::1` for IPv6).
    pub fn start_on(ip: &str, env: &[(&str, &str)]) -> SmtpServer {
        let mut server = SmtpServer {
            port: free_port_on(ip),
            host: ip.to_string(),
            dir: tempfile::tempdir().unwrap(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            child: None,
        };
        std::fs::write(server.dir.path().join("server.py"), SERVER).unwrap();
        server.resume();
        server
    }

    /// Stops the server (the port then refuses connections); its messages stay.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "already running");
        let mut child = Command::new(python())
            .arg(self.dir.path().join("server.py"))
            .arg(self.dir.path())
            .arg(&self.host)
            .arg(self.port.to_string())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python runs");
        let mut first = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let _ = out.read_line(&mut first);
        if first.trim() != "ready" {
            let _ = child.kill();
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err);
            panic!("aiosmtpd did not start on port {}:\n{err}", self.port);
        }
        self.child = Some(child);
    }

    /// Sets what the handler does with the next messages, e.g.
    /// `{"delay_after_store": 5}` or `{"reject": "554 5.7.1 no"}`.
    pub fn control(&self, json: &str) {
        let path = self.dir.path().join("control.json");
        let tmp = self.dir.path().join(".control.json");
        std::fs::write(&tmp, json).unwrap();
        std::fs::rename(tmp, path).unwrap();
    }

    /// The messages stored so far, in the order they arrived.
    pub fn messages(&self) -> Vec<Received> {
        let dir = self.dir.path().join("msgs");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|d| {
                d.map(|e| e.unwrap().path())
                    .filter(|p| {
                        p.extension().is_some_and(|e| e == "json")
                            && !p.file_name().unwrap().to_string_lossy().starts_with('.')
                    })
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .iter()
            .map(|p| {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
                Received {
                    mail_from: v["mail_from"].as_str().unwrap_or("").to_string(),
                    rcpt_tos: v["rcpt_tos"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|r| r.as_str().unwrap().to_string())
                        .collect(),
                    login: v["login"].as_str().map(String::from),
                    data: v["data"].as_str().unwrap().to_string(),
                }
            })
            .collect()
    }

    /// Waits until the server has stored `n` messages (panics after 20 s).
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the server has {} messages, expected {n}",
                m.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What the authenticator logged, one line per AUTH attempt.
    pub fn auth_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("auth.log")).unwrap_or_default()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
