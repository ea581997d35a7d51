//! A real IMAP server for the tests: Dovecot from Debian (`dovecot-imapd`, which
//! `.ci/run` installs), started once per test binary on free loopback ports, with its
//! configuration, Maildirs, state, logs and a test CA of its own in a folder under
//! `target/test-dovecot/`. It is killed with the test process (`PR_SET_PDEATHSIG`).
//!
//! One port speaks plain IMAP with STARTTLS offered (LOGIN allowed without TLS, for
//! `imap://127.0.0.1…;tls=none`), the other IMAPS; the certificate is for `127.0.0.1`
//! and `localhost`, signed by a CA made here ([`Dovecot::ca`], for `SSL_CERT_FILE`).
//! Users come from a `passwd-file`; every session is recorded by Dovecot's `rawlog`
//! ([`Dovecot::sent_to`]) so tests can tell what the server sent. A Dovecot that
//! cannot be found or started fails the test; it is never skipped.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::smtp::free_port;
use crate::test::{repo, spawn_for_life};

/// Where Debian installs it.
const DOVECOT: &str = "/usr/sbin/dovecot";

/// The password of every test user.
pub const PASSWORD: &str = "summit-tests-imap-password";

/// How many users besides the first the passwd-file has, for [`Dovecot::new_user`].
pub const SPARE_USERS: usize = 20;

/// How long Dovecot may take to greet on both ports.
const START_DEADLINE: Duration = Duration::from_secs(30);

/// The running Dovecot.
pub struct Dovecot {
    /// `127.0.0.1`.
    pub host: String,
    /// Plain IMAP, STARTTLS offered.
    pub port: u16,
    /// IMAPS (TLS from the first byte).
    pub tls_port: u16,
    /// The first user, made at start.
    pub user: String,
    /// Its password (every user's: [`PASSWORD`]).
    pub password: String,
    /// The test CA's certificate (PEM), for `SSL_CERT_FILE`.
    pub ca: PathBuf,
    /// Its folder.
    pub dir: PathBuf,
    /// How long it took to start.
    pub started_in: Duration,
    /// The uid and gid mail is stored as (Dovecot's own user).
    owner: (u32, u32),
}

/// The Dovecot of this test binary, started on first use.
pub(crate) fn dovecot() -> &'static Dovecot {
    static DOVECOT_: OnceLock<Dovecot> = OnceLock::new();
    DOVECOT_.get_or_init(start)
}

/// The configuration, with the folder and ports filled in.
fn config(dir: &Path, port: u16, tls_port: u16, pid: u32) -> String {
    let d = dir.display();
    format!(
        r#"base_dir = {d}/run
state_dir = {d}/state
instance_name = summit-test-{pid}
listen = 127.0.0.1
protocols = imap
log_path = {d}/dovecot.log
ssl = yes
ssl_cert = <{d}/server.pem
ssl_key = <{d}/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
mail_location = maildir:{d}/mail/%u
first_valid_uid = 1
first_valid_gid = 1
imap_logout_format = in=%i out=%o
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={d}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service imap {{
  executable = imap postlogin
}}
service postlogin {{
  executable = script-login -d rawlog
  unix_listener postlogin {{
  }}
}}
"#
    )
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

/// The uid and gid of `name` in /etc/passwd.
fn account(name: &str) -> Option<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.first() == Some(&name) && f.len() > 3)
            .then(|| Some((f[2].parse().ok()?, f[3].parse().ok()?)))
            .flatten()
    })
}

/// Runs `openssl` with `args` in `dir`, panicking with its output when it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("cannot run openssl (dovecot-core depends on it; see .ci/run)");
    assert!(
        out.status.success(),
        "openssl {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA (`ca.pem`) and a server certificate signed by it for 127.0.0.1 and localhost
/// (`server.pem`, `server.key`), valid for two days.
fn certificates(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=summit test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
}

fn start() -> Dovecot {
    let began = Instant::now();
    assert!(
        Path::new(DOVECOT).exists(),
        "{DOVECOT} is missing: the IMAP tests need Dovecot; `bash .ci/run` installs it \
         (apt-get install dovecot-imapd)"
    );
    let owner = account("dovecot")
        .expect("no `dovecot` user in /etc/passwd: the dovecot-core package makes it; see .ci/run");
    let root = repo().join("target/test-dovecot");
    std::fs::create_dir_all(&root).unwrap();
    sweep(&root);
    let dir = root.join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["run", "state", "mail", "home"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for sub in ["mail", "home"] {
        std::os::unix::fs::chown(dir.join(sub), Some(owner.0), Some(owner.1))
            .expect("cannot chown to the dovecot user: the IMAP tests run Dovecot as root");
    }
    certificates(&dir);
    let (port, tls_port) = (free_port(), free_port());
    let conf = dir.join("dovecot.conf");
    std::fs::write(&conf, config(&dir, port, tls_port, std::process::id())).unwrap();
    let d = Dovecot {
        host: "127.0.0.1".into(),
        port,
        tls_port,
        user: "summit".into(),
        password: PASSWORD.into(),
        ca: dir.join("ca.pem"),
        dir: dir.clone(),
        started_in: Duration::ZERO,
        owner,
    };
    d.add_users();
    spawn(&conf, &dir);
    let deadline = Instant::now() + START_DEADLINE;
    for p in [port, tls_port] {
        while TcpStream::connect(("127.0.0.1", p)).is_err() {
            if Instant::now() > deadline {
                panic!(
                    "dovecot did not listen on 127.0.0.1:{p} within {START_DEADLINE:?}:\n{}\n{}",
                    std::fs::read_to_string(dir.join("stderr")).unwrap_or_default(),
                    d.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Dovecot {
        started_in: began.elapsed(),
        ..d
    }
}

/// Starts `dovecot -F` for the life of the test process ([`spawn_for_life`]).
fn spawn(conf: &Path, dir: &Path) {
    let conf: PathBuf = conf.into();
    spawn_for_life(DOVECOT, dir, move || {
        let mut cmd = Command::new(DOVECOT);
        cmd.arg("-F").arg("-c").arg(&conf);
        cmd
    });
}

/// A plain IMAP session as `user` (the tests' own, through the `imap` crate).
fn session(user: &str) -> ::imap::Session<TcpStream> {
    let d = dovecot();
    let tcp = TcpStream::connect((d.host.as_str(), d.port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut client = ::imap::Client::new(tcp);
    client.read_greeting().unwrap();
    client
        .login(user, PASSWORD)
        .map_err(|(e, _)| e)
        .unwrap_or_else(|e| panic!("dovecot refused the login of {user}: {e}"))
}

impl Dovecot {
    /// Writes the passwd-file with [`Dovecot::user`] and [`SPARE_USERS`] spare users
    /// (`user0`, `user1`, …, handed out by [`Dovecot::new_user`]), each with a home
    /// whose `dovecot.rawlog` folder records its sessions. Written before Dovecot
    /// starts: a passwd-file changed within the second it was read may go unnoticed.
    fn add_users(&self) {
        let names: Vec<String> = std::iter::once(self.user.clone())
            .chain((0..SPARE_USERS).map(|n| format!("user{n}")))
            .collect();
        for name in &names {
            let home = self.dir.join("home").join(name);
            let rawlog = home.join("dovecot.rawlog");
            std::fs::create_dir_all(&rawlog).unwrap();
            for p in [&home, &rawlog] {
                std::os::unix::fs::chown(p, Some(self.owner.0), Some(self.owner.1)).unwrap();
            }
        }
        let text: String = names
            .iter()
            .map(|u| format!("{u}:{{PLAIN}}{PASSWORD}::::::\n"))
            .collect();
        std::fs::write(self.dir.join("users"), text).unwrap();
    }

    /// A user of its own for one test (with the password [`PASSWORD`] and an empty
    /// INBOX): for tests that read what the server sent ([`Dovecot::sent_to`]). At most
    /// [`SPARE_USERS`] per test binary.
    pub fn new_user(&self) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        assert!(
            n < SPARE_USERS,
            "only {SPARE_USERS} spare users: raise SPARE_USERS in tests/integration/dovecot.rs"
        );
        format!("user{n}")
    }

    /// A new, empty mailbox of [`Dovecot::user`] whose name starts with `prefix`.
    pub fn fresh_mailbox(&self, prefix: &str) -> String {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!("{prefix}-{}", N.fetch_add(1, Ordering::Relaxed));
        let mut s = session(&self.user);
        s.create(&name)
            .unwrap_or_else(|e| panic!("CREATE {name}: {e}"));
        let _ = s.logout();
        name
    }

    /// Delivers `raw` to `user`'s `mailbox` with IMAP APPEND (RFC 3501 §6.3.11),
    /// creating the mailbox when it is missing; `internaldate` is its INTERNALDATE,
    /// written as IMAP does: `01-Mar-2026 09:30:00 +0000`. Its UID.
    pub fn append(&self, user: &str, mailbox: &str, raw: &[u8], internaldate: &str) -> u32 {
        let date = chrono::DateTime::parse_from_str(internaldate, "%d-%b-%Y %H:%M:%S %z")
            .unwrap_or_else(|e| panic!("internaldate `{internaldate}`: {e}"));
        let mut s = session(user);
        if s.examine(mailbox).is_err() {
            s.create(mailbox)
                .unwrap_or_else(|e| panic!("CREATE {mailbox}: {e}"));
        }
        let appended = s
            .append(mailbox, raw)
            .internal_date(date)
            .finish()
            .unwrap_or_else(|e| panic!("APPEND to {mailbox}: {e}"));
        let _ = s.logout();
        appended
            .uids
            .and_then(|u| u.first().cloned())
            .map(|r| match r {
                imap_proto::UidSetMember::Uid(u) => u,
                imap_proto::UidSetMember::UidRange(r) => *r.start(),
            })
            .unwrap_or(0)
    }

    /// The flags of every message of `user`'s `mailbox`, by UID (read with EXAMINE, so
    /// reading them changes none).
    pub fn flags(&self, user: &str, mailbox: &str) -> Vec<(u32, Vec<String>)> {
        let mut s = session(user);
        s.examine(mailbox).unwrap();
        let fetches = s.uid_fetch("1:*", "(UID FLAGS)").unwrap();
        let mut out: Vec<(u32, Vec<String>)> = fetches
            .iter()
            .map(|f| {
                (
                    f.uid.unwrap_or(0),
                    f.flags().iter().map(|f| format!("{f:?}")).collect(),
                )
            })
            .collect();
        let _ = s.logout();
        out.sort();
        out
    }

    /// Everything the server sent to `user` in all its sessions so far (Dovecot's
    /// rawlog), once every session has logged out (waiting up to 10 s for that).
    pub fn sent_to(&self, user: &str) -> Vec<u8> {
        let dir = self.dir.join("home").join(user).join("dovecot.rawlog");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mut all = Vec::new();
            let mut done = true;
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                if e.file_name().to_string_lossy().ends_with(".out") {
                    let bytes = std::fs::read(e.path()).unwrap();
                    done &= bytes.windows(6).any(|w| w == b"LOGOUT" || w == b"Logout");
                    all.extend(bytes);
                }
            }
            if done || Instant::now() > deadline {
                return all;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Dovecot's log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }
}
