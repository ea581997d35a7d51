//! The state directory (`--state-dir`, `SUMMIT_STATE_DIR`): where the send ledger, the
//! feed cache and the lock file live, and the two file-system primitives they rely on:
//! atomic replacement of a file and an exclusive lock.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long `tick` or `send` waits for another one to release the lock.
pub const LOCK_WAIT: Duration = Duration::from_secs(300);

/// The state directory: `flag` (from `--state-dir` or `SUMMIT_STATE_DIR`), else
/// `$XDG_STATE_HOME/summit`, else `$HOME/.local/state/summit`.
///
/// # Errors
/// [`Error::Usage`] when none of these is set.
pub fn resolve_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(xdg) = var("XDG_STATE_HOME") {
        return Ok(xdg.join("summit"));
    }
    if let Some(home) = var("HOME") {
        return Ok(home.join(".local/state/summit"));
    }
    Err(Error::Usage(
        "no state directory: pass `--state-dir PATH` or set SUMMIT_STATE_DIR (HOME is not set)"
            .into(),
    ))
}

/// Creates `dir` (and its parents) when missing; a new state directory is private to
/// its owner (mode 0700), as the ledger holds addresses.
///
/// # Errors
/// [`Error::Io`] when it cannot be created.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| Error::io(dir, e))
}

/// Replaces `path` with `bytes` so that a reader, or the next run after a crash, sees
/// either the old file or the new one, never a mix: the bytes go to a temporary file in
/// the same folder, which is flushed to disk, renamed over `path`, and the folder is
/// flushed too so the rename itself survives a power loss.
///
/// # Errors
/// [`Error::Io`] naming the file when any step fails; `path` is then unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (tmp, mut file) = temp_file_in(dir)?;
    let cleanup = |e: std::io::Error, at: &Path| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(at, e)
    };
    file.write_all(bytes).map_err(|e| cleanup(e, &tmp))?;
    file.sync_all().map_err(|e| cleanup(e, &tmp))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| cleanup(e, path))?;
    sync_dir(dir)
}

/// Flushes a folder's entries (a rename or a new file in it) to disk.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn temp_file_in(dir: &Path) -> Result<(PathBuf, File)> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for attempt in 0..100u32 {
        let path = dir.join(format!(
            ".summit-{}-{stamp:x}-{attempt}.tmp",
            std::process::id()
        ));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Err(Error::io(
        dir,
        std::io::Error::other("cannot create a temporary file"),
    ))
}

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
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
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
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.toml");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["ledger.toml"]);
    }

    #[test]
    fn atomic_write_into_a_missing_folder_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomically(&dir.path().join("no/such/file"), b"x").unwrap_err();
        assert_eq!(err.exit_code(), 1);
    }

    #[test]
    fn lock_is_exclusive_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let held = Lock::acquire(dir.path(), Duration::ZERO).unwrap();
        let err = Lock::acquire(dir.path(), Duration::from_millis(120)).unwrap_err();
        assert!(err.to_string().contains("holds the lock"), "{err}");
        drop(held);
        Lock::acquire(dir.path(), Duration::ZERO).unwrap();
    }

    #[test]
    fn default_dir_follows_xdg() {
        assert_eq!(
            resolve_dir(Some(Path::new("/x/y"))).unwrap(),
            PathBuf::from("/x/y")
        );
    }
}
