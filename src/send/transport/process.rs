//! Running a command with a deadline, in a process group of its own that is killed
//! whole when the deadline passes (the password command, a channel's secret command,
//! sendmail, `git config user.email` for `who --me`).

use std::io::Read as _;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The most of a command's standard output or error that is kept, in bytes: what a
/// password command may print, or sendmail say when it fails.
pub(crate) const MAX_OUTPUT: u64 = 64 * 1024;

/// What a command run by [`run_in_group`] did.
pub(crate) struct Finished {
    pub(crate) status: std::process::ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

/// Why [`run_in_group`] returned no [`Finished`].
pub(crate) enum Stopped {
    /// The deadline passed; the group was killed. `input_taken`: whether all of the
    /// input had been written by then.
    TimedOut { input_taken: bool },
    /// It could not be started or waited for.
    Failed(std::io::Error),
}

/// Runs `command` in a process group of its own, writes `input` to its standard input
/// (else it reads nothing), reads its standard output and, with `stderr`, its standard
/// error (at most [`MAX_OUTPUT`] bytes each), and returns when it has exited and closed
/// them. Once `timeout` has passed, the whole group is killed (SIGKILL): the command,
/// and whatever it started, even what holds its output open after it has exited.
pub(crate) fn run_in_group(
    mut command: Command,
    input: Option<Vec<u8>>,
    stderr: bool,
    timeout: Duration,
) -> std::result::Result<Finished, Stopped> {
    let deadline = Instant::now() + timeout;
    command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .process_group(0);
    if stderr {
        command.stderr(Stdio::piped());
    }
    let mut child = command.spawn().map_err(Stopped::Failed)?;
    // The group's id is the child's pid (process_group(0)).
    let group = child.id() as libc::pid_t;
    let kill_group = || {
        // SAFETY: killpg only sends a signal, to the group this function created.
        unsafe { libc::killpg(group, libc::SIGKILL) };
    };
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let (taken_tx, taken) = mpsc::channel();
    if let (Some(mut stdin), Some(input)) = (child.stdin.take(), input) {
        std::thread::spawn(move || {
            use std::io::Write as _;
            if stdin.write_all(&input).is_ok() {
                let _ = taken_tx.send(());
            }
        });
    } else {
        let _ = taken_tx.send(());
    }
    let timed_out = |kill: &dyn Fn()| {
        kill();
        Stopped::TimedOut {
            input_taken: taken.try_recv().is_ok(),
        }
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                // Killed before the child is reaped, so the group's id cannot have
                // been reused.
                let stopped = timed_out(&kill_group);
                let _ = child.wait();
                return Err(stopped);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                kill_group();
                let _ = child.wait();
                return Err(Stopped::Failed(e));
            }
        }
    };
    let left = || deadline.saturating_duration_since(Instant::now());
    match (stdout.recv_timeout(left()), stderr.recv_timeout(left())) {
        (Ok(stdout), Ok(stderr)) => Ok(Finished {
            status,
            stdout,
            stderr,
        }),
        // It has exited, but something it started still holds its output.
        _ => Err(timed_out(&kill_group)),
    }
}

/// Reads `from` (at most [`MAX_OUTPUT`] bytes) on a thread of its own; what it read
/// arrives once it is closed.
fn drain(from: Option<impl std::io::Read + Send + 'static>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(from) = from {
            let _ = from.take(MAX_OUTPUT).read_to_end(&mut buf);
        }
        let _ = tx.send(buf);
    });
    rx
}
