//! A real Matrix homeserver for the tests: Synapse (`matrix-synapse` from PyPI), started
//! once per test binary on a free loopback port, with SQLite in a folder of its own
//! under `target/test-synapse/`, no federation, registration closed but for the
//! shared-secret admin API, and rate limits high enough for parallel tests. It is
//! killed with the test process (`PR_SET_PDEATHSIG`).
//!
//! Synapse comes from the Python on PATH when it can import it, else from the venv in
//! `target/test-venv` ([`python_with`]), which `.ci/run` sets up ahead of the tests. A
//! Synapse that cannot be found or started fails the test; it is never skipped.
//!
//! Tests make users ([`user`]), rooms and read them back through the client API as
//! those users; nothing talks to any host but 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::smtp::{free_port, python_with};
use crate::test::{repo, spawn_for_life};

/// The shared secret of the admin registration API.
const SHARED_SECRET: &str = "summit-tests-shared-secret";

/// The password of every test user.
pub const PASSWORD: &str = "summit-tests-password";

/// How long Synapse may take to answer `/_matrix/client/versions`.
const START_DEADLINE: Duration = Duration::from_secs(90);

/// The running Synapse.
pub struct Synapse {
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub base: String,
    /// How long it took to start.
    pub started_in: Duration,
}

/// The configuration, with the folder and port filled in.
fn config(dir: &Path, port: u16) -> String {
    let dir = dir.display();
    let many = "{per_second: 1000, burst_count: 1000}";
    format!(
        r#"server_name: "localhost"
pid_file: "{dir}/homeserver.pid"
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: {port}
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "{dir}/homeserver.db"
log_config: "{dir}/localhost.log.config"
media_store_path: "{dir}/media_store"
signing_key_path: "{dir}/localhost.signing.key"
registration_shared_secret: "{SHARED_SECRET}"
enable_registration: false
bcrypt_rounds: 4
report_stats: false
macaroon_secret_key: "summit-tests-macaroon"
form_secret: "summit-tests-form"
trusted_key_servers: []
suppress_key_server_warning: true
federation_domain_whitelist: []
url_preview_enabled: false
presence:
  enabled: false
rc_message: {many}
rc_registration: {many}
rc_room_creation: {many}
rc_admin_redaction: {many}
rc_joins:
  local: {many}
  remote: {many}
rc_login:
  address: {many}
  account: {many}
  failed_attempts: {many}
rc_invites:
  per_room: {many}
  per_user: {many}
  per_issuer: {many}
"#
    )
}

/// The Synapse of this test binary, started on first use.
pub fn synapse() -> &'static Synapse {
    static SYNAPSE: OnceLock<Synapse> = OnceLock::new();
    SYNAPSE.get_or_init(start)
}

/// Folders of earlier runs whose test process is gone, removed.
fn sweep(root: &Path) {
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let pid = entry.file_name().to_string_lossy().to_string();
        if !Path::new("/proc").join(&pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn start() -> Synapse {
    let began = Instant::now();
    let python = python_with("synapse", "matrix-synapse");
    let root = repo().join("target/test-synapse");
    std::fs::create_dir_all(&root).unwrap();
    sweep(&root);
    let dir = root.join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // The generated configuration brings the signing key and the log configuration
    // (logging to homeserver.log in the folder); ours replaces the rest.
    let generated = Command::new(&python)
        .args(["-m", "synapse.app.homeserver", "--server-name", "localhost"])
        .arg("--config-path")
        .arg(dir.join("generated.yaml"))
        .arg("--data-directory")
        .arg(&dir)
        .args(["--generate-config", "--report-stats=no"])
        .current_dir(&dir)
        .output()
        .expect("cannot run python -m synapse.app.homeserver");
    assert!(
        generated.status.success(),
        "synapse --generate-config failed:\n{}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let port = free_port();
    let yaml = dir.join("homeserver.yaml");
    std::fs::write(&yaml, config(&dir, port)).unwrap();
    spawn(&python, &yaml, &dir);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + START_DEADLINE;
    loop {
        if let Ok(r) = agent()
            .get(&format!("{base}/_matrix/client/versions"))
            .call()
            && r.status() == 200
        {
            break;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("homeserver.log")).unwrap_or_default();
            let err = std::fs::read_to_string(dir.join("stderr")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            panic!(
                "synapse did not answer on {base} within {START_DEADLINE:?}:\n{err}\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Synapse {
        base,
        started_in: began.elapsed(),
    }
}

/// Starts Synapse for the life of the test process ([`spawn_for_life`]).
fn spawn(python: &Path, yaml: &Path, dir: &Path) {
    let (python, yaml): (PathBuf, PathBuf) = (python.into(), yaml.into());
    spawn_for_life("synapse", dir, move || {
        let mut cmd = Command::new(&python);
        cmd.args(["-m", "synapse.app.homeserver", "-c"]).arg(&yaml);
        cmd
    });
}

/// An HTTP agent for the tests' own requests (statuses returned, not raised).
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// A user of the test homeserver.
#[derive(Clone, Debug)]
pub struct User {
    /// `@name:localhost`.
    pub id: String,
    /// The localpart.
    pub name: String,
    /// An access token of it.
    pub token: String,
}

/// A new user whose name starts with `prefix`, registered with the shared-secret
/// admin API (`/_synapse/admin/v1/register`, HMAC-SHA1 over the nonce).
pub fn user(prefix: &str) -> User {
    static N: AtomicUsize = AtomicUsize::new(0);
    let s = synapse();
    let name = format!("{prefix}{}", N.fetch_add(1, Ordering::Relaxed));
    let url = format!("{}/_synapse/admin/v1/register", s.base);
    let nonce = read(agent().get(&url).call())["nonce"]
        .as_str()
        .unwrap()
        .to_string();
    let mac = hmac_sha1(&[&nonce, &name, PASSWORD, "notadmin"]);
    let body =
        json!({"nonce": nonce, "username": name, "password": PASSWORD, "admin": false, "mac": mac});
    let r = read(
        agent()
            .post(&url)
            .content_type("application/json")
            .send(body.to_string()),
    );
    User {
        id: r["user_id"].as_str().unwrap().to_string(),
        token: r["access_token"].as_str().unwrap().to_string(),
        name,
    }
}

/// The HMAC-SHA1 of `parts` joined by NUL bytes with the shared secret, in hex (by
/// Python, which Synapse brings anyway).
fn hmac_sha1(parts: &[&str]) -> String {
    let out = Command::new(python_with("synapse", "matrix-synapse"))
        .args([
            "-c",
            "import hmac, hashlib, sys; print(hmac.new(sys.argv[1].encode(), '\\0'.join(sys.argv[2:]).encode(), hashlib.sha1).hexdigest())",
            SHARED_SECRET,
        ])
        .args(parts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The JSON of a 2xx reply; panics with the body otherwise.
fn read(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Value {
    let mut r = r.expect("request to synapse failed");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    assert!(
        (200..300).contains(&status),
        "synapse answered {status}: {text}"
    );
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// URL-encodes one path segment.
fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl User {
    /// `GET` of `path` (under `/_matrix/client/`) as this user.
    pub fn get(&self, path: &str) -> Value {
        read(
            agent()
                .get(&format!("{}/_matrix/client/{path}", synapse().base))
                .header("Authorization", &format!("Bearer {}", self.token))
                .call(),
        )
    }

    /// `POST` of `body` to `path` (under `/_matrix/client/`) as this user.
    pub fn post(&self, path: &str, body: &Value) -> Value {
        read(
            agent()
                .post(&format!("{}/_matrix/client/{path}", synapse().base))
                .header("Authorization", &format!("Bearer {}", self.token))
                .content_type("application/json")
                .send(body.to_string()),
        )
    }

    /// Another access token of this user: a new device (`POST /login`).
    pub fn login_again(&self) -> String {
        let r = self.post(
            "v3/login",
            &json!({"type": "m.login.password", "identifier": {"type": "m.id.user", "user": self.name}, "password": PASSWORD}),
        );
        r["access_token"].as_str().unwrap().to_string()
    }

    /// A new room with the alias `#alias:localhost`: public (anyone may join) or
    /// private (invitation only); its ID.
    pub fn create_room(&self, alias: &str, public: bool) -> String {
        let preset = if public {
            "public_chat"
        } else {
            "private_chat"
        };
        let r = self.post(
            "v3/createRoom",
            &json!({"room_alias_name": alias, "preset": preset, "name": alias}),
        );
        r["room_id"].as_str().unwrap().to_string()
    }

    /// The room's latest events (at most 100), newest first.
    pub fn messages(&self, room: &str) -> Vec<Value> {
        let r = self.get(&format!("v3/rooms/{}/messages?dir=b&limit=100", seg(room)));
        r["chunk"].as_array().cloned().unwrap_or_default()
    }

    /// The room's `m.room.message` events, oldest first.
    pub fn room_messages(&self, room: &str) -> Vec<Value> {
        let mut m: Vec<Value> = self
            .messages(room)
            .into_iter()
            .filter(|e| e["type"] == "m.room.message")
            .collect();
        m.reverse();
        m
    }

    /// One event of the room.
    pub fn event(&self, room: &str, id: &str) -> Value {
        self.get(&format!("v3/rooms/{}/event/{}", seg(room), seg(id)))
    }

    /// The events that relate to `id` by `rel_type` (`GET /v1/rooms/…/relations`).
    pub fn relations(&self, room: &str, id: &str, rel_type: &str) -> Vec<Value> {
        let r = self.get(&format!(
            "v1/rooms/{}/relations/{}/{rel_type}",
            seg(room),
            seg(id)
        ));
        r["chunk"].as_array().cloned().unwrap_or_default()
    }

    /// Whether this user is in the room.
    pub fn joined(&self, room: &str) -> bool {
        self.get("v3/joined_rooms")["joined_rooms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == room)
    }
}
