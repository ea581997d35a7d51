//! A builder that runs the `summit` binary in a temporary folder, in the style of
//! casey/just's test harness.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository, when present (tests that need it skip otherwise).
pub fn shared() -> Option<PathBuf> {
    let p = repo().join("../shared");
    p.join("fixtures/ics").is_dir().then_some(p)
}

/// The shipped example feed.
pub fn example_feed() -> PathBuf {
    repo().join("examples/prometheus-summit.ics")
}

/// The shipped example config.
pub fn example_config() -> PathBuf {
    repo().join("examples/summit.toml")
}

/// One run of `summit`.
pub struct Test {
    pub dir: TempDir,
    args: Vec<String>,
    stdin: Option<Vec<u8>>,
    env: Vec<(String, String)>,
}

/// What a run produced.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Self {
        Test {
            dir: tempfile::tempdir().expect("temp dir"),
            args: Vec::new(),
            stdin: None,
            env: Vec::new(),
        }
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_string()));
        self
    }

    /// Appends one argument.
    pub fn arg(self, arg: impl AsRef<str>) -> Self {
        self.args([arg])
    }

    /// Writes a file into the temp dir (relative path) and returns self.
    pub fn file(self, name: &str, contents: impl AsRef<[u8]>) -> Self {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            private_dir(parent);
        }
        std::fs::write(path, contents).unwrap();
        self
    }

    /// Standard input.
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// An environment variable.
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// `--config examples/summit.toml --feed examples/prometheus-summit.ics`.
    pub fn example(self) -> Self {
        let c = example_config();
        let f = example_feed();
        self.args([
            "--config",
            c.to_str().unwrap(),
            "--feed",
            f.to_str().unwrap(),
        ])
    }

    /// `--now T`.
    pub fn now(self, t: &str) -> Self {
        self.args(["--now", t])
    }

    /// The path of a file in the temp dir.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The same folder, environment and arguments with `extra` appended, to run again
    /// (the folder's files, state included, are kept between runs).
    pub fn clone_with<I, S>(&self, extra: I) -> Again<'_>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut args = self.args.clone();
        args.extend(extra.into_iter().map(|a| a.as_ref().to_string()));
        Again { test: self, args }
    }

    /// Runs the binary in the temp dir.
    pub fn run(&self) -> Run {
        self.run_with(&self.args)
    }

    fn run_with(&self, args: &[String]) -> Run {
        let mut cmd = command(self.dir.path(), args, &self.env);
        if let Some(input) = &self.stdin {
            cmd.write_stdin(input.clone());
        }
        let out: Output = cmd.output().expect("run summit");
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and asserts exit status 0; returns the run.
    pub fn success(&self) -> Run {
        self.success_with(&self.args)
    }

    fn success_with(&self, args: &[String]) -> Run {
        let r = self.run_with(args);
        assert_eq!(
            r.status, 0,
            "summit {:?} failed\nstdout:\n{}\nstderr:\n{}",
            args, r.stdout, r.stderr
        );
        r
    }

    /// Runs and asserts the exit status and that stderr is one or more `error:` lines, or
    /// (exit 2) clap's rendering of a command line that does not parse: `error: …`, then
    /// clap's tips, `Usage:` and `For more information, try '--help'.` (or, for no
    /// command at all, the help).
    pub fn fails(&self, status: i32) -> Run {
        self.fails_with(status, &self.args)
    }

    fn fails_with(&self, status: i32, args: &[String]) -> Run {
        let r = self.run_with(args);
        assert_eq!(
            r.status, status,
            "summit {:?}: expected exit {status}\nstdout:\n{}\nstderr:\n{}",
            args, r.stdout, r.stderr
        );
        assert!(!r.stderr.trim().is_empty(), "no error message");
        assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
        let clap = r.stderr.contains("\nFor more information, try '--help'.\n")
            || r.stderr.contains("\nUsage: summit");
        if status == 2 && clap {
            return r;
        }
        for line in r.stderr.lines().filter(|l| !l.starts_with("warning:")) {
            assert!(
                line.starts_with("error: "),
                "stderr line without `error: `: {line:?}"
            );
        }
        assert!(!r.stderr.contains("panicked"), "panic: {}", r.stderr);
        r
    }
}

/// A [`Test`] run again with more arguments ([`Test::clone_with`]).
pub struct Again<'a> {
    test: &'a Test,
    args: Vec<String>,
}

impl Again<'_> {
    /// As [`Test::success`].
    pub fn success(&self) -> Run {
        self.test.success_with(&self.args)
    }

    /// As [`Test::fails`].
    pub fn fails(&self, status: i32) -> Run {
        self.test.fails_with(status, &self.args)
    }
}

/// `summit ARGS` in `dir`, with none of the SUMMIT_* variables of the caller's
/// environment, its state and config folders under `dir`, and `env` added.
///
/// A test that acts at `--now T` (or `SUMMIT_NOW=T`) is a replay: the clock is taken to
/// be T too (`SUMMIT_CLOCK=T`), so it is no rehearsal and writes as a live run would,
/// facilitation record included. A test that sets `SUMMIT_CLOCK` itself keeps its own
/// (an empty value: the real clock).
pub fn command(dir: &Path, args: &[String], env: &[(String, String)]) -> Command {
    Command::from_std(std_command(dir, args, env))
}

/// [`command`] as a `std::process::Command`, for spawning.
pub fn std_command(dir: &Path, args: &[String], env: &[(String, String)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("summit"));
    cmd.current_dir(dir);
    for var in [
        "SUMMIT_CONFIG",
        "SUMMIT_FEED",
        "SUMMIT_NOW",
        "SUMMIT_STATE_DIR",
        "SUMMIT_AGENDA",
        "SUMMIT_CLOCK",
    ] {
        cmd.env_remove(var);
    }
    // Without `--state-dir`, the state directory (and the ledger every command reads
    // for announced facilitators) is the test's own, never the machine's; so is the
    // configuration found without `--config`.
    cmd.env("XDG_STATE_HOME", dir.join(".xdg-state"));
    cmd.env("XDG_CONFIG_HOME", dir.join(".xdg-config"));
    let now = args
        .iter()
        .position(|a| a == "--now")
        .and_then(|i| args.get(i + 1).cloned())
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix("--now=").map(String::from))
        })
        .or_else(|| {
            env.iter()
                .find(|(k, _)| k == "SUMMIT_NOW")
                .map(|(_, v)| v.clone())
        });
    if let Some(now) = now.filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()) {
        cmd.env("SUMMIT_CLOCK", now);
    }
    // Human output shows times in the reader's zone: UTC, unless a test says otherwise,
    // whatever the machine's; and no colour, whatever the caller's terminal.
    cmd.env("TZ", "UTC");
    cmd.env_remove("CLICOLOR_FORCE");
    for (k, v) in env {
        if k == "SUMMIT_CLOCK" && v.is_empty() {
            cmd.env_remove(k);
        } else {
            cmd.env(k, v);
        }
    }
    cmd.args(args);
    cmd
}

impl Run {
    /// Standard output as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Whether `path` exists.
pub fn exists(path: &Path) -> bool {
    path.exists()
}

/// Creates `dir` and its parents private to their owner (0700), as `summit` warns about
/// a state directory that others may enter.
pub fn private_dir(dir: &std::path::Path) {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .unwrap();
}

/// Starts the server that `make` builds (its standard input and output closed, its
/// standard error into `DIR/stderr`, run in `dir`) from a thread that lives as long as
/// the test process, so that its `PR_SET_PDEATHSIG` (sent when the spawning thread
/// ends) kills it only with the process. Panics naming `what` when it cannot start.
pub fn spawn_for_life(
    what: &'static str,
    dir: &Path,
    make: impl FnOnce() -> std::process::Command + Send + 'static,
) {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    let dir = dir.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let stderr = std::fs::File::create(dir.join("stderr")).unwrap();
        let mut cmd = make();
        cmd.current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn();
        let ok = child.is_ok();
        tx.send(child.map(|_| ()).map_err(|e| e.to_string()))
            .unwrap();
        if ok {
            loop {
                std::thread::park();
            }
        }
    });
    rx.recv()
        .unwrap()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
}
