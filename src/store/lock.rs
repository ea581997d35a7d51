//! The exclusive lock on `STATE_DIR/lock` that `tick` and `send` hold.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use super::dir::ensure_dir;
use super::read::{ReadError, kind_of, open_error};
use super::write::clean_temp_files;
use crate::error::{Error, Result};

/// How long `tick` or `send` waits for another one to release the lock.
pub const LOCK_WAIT: Duration = Duration::from_secs(300);

/// An exclusive lock on `STATE_DIR/lock`, held until dropped. The operating system
/// releases it when the process ends, however it ends, so a killed `tick` never leaves
/// a stale lock behind.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// The name of the lock file in the state directory.
    pub const FILE: &'static str = "lock";

    /// Takes the lock in `dir` (created when missing), waiting up to `wait` for another
    /// process to release it.
    ///
    /// # Errors
    /// [`Error::Io`] when the lock file cannot be opened, or when another process still
    /// holds the lock after `wait`.
    pub fn acquire(dir: &Path, wait: Duration) -> Result<Lock> {
        ensure_dir(dir)?;
        let path = dir.join(Self::FILE);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        let mut file = options
            .open(&path)
            .map_err(|e| match open_error(&path, e) {
                ReadError::NotRegular(kind) => not_regular_lock(&path, kind),
                ReadError::Io(e) => Error::io(&path, e),
                other => Error::io(
                    &path,
                    std::io::Error::other(other.message(&path, 0, "a lock file")),
                ),
            })?;
        let meta = file.metadata().map_err(|e| Error::io(&path, e))?;
        if !meta.is_file() {
            return Err(not_regular_lock(&path, kind_of(meta.file_type())));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o777 != 0o600 {
                file.set_permissions(std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| Error::io(&path, e))?;
            }
        }
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(Error::io(
                        &path,
                        std::io::Error::other(format!(
                            "another `summit tick` or `summit send` still holds the lock after {} seconds",
                            wait.as_secs()
                        )),
                    ));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
        // For whoever wonders who holds it; the lock itself is the flock, not the text.
        let _ = file.set_len(0);
        let _ = writeln!(file, "pid {}", std::process::id());
        clean_temp_files(dir);
        Ok(Lock { _file: file })
    }
}

fn not_regular_lock(path: &Path, kind: &str) -> Error {
    Error::io(
        path,
        std::io::Error::other(format!(
            "`{}` is {kind}, expected a regular file (the lock is never followed through links)",
            Lock::FILE
        )),
    )
}
