//! Atomic replacement of a file: a temporary file in the same folder (`tempfile`),
//! flushed, renamed over the file, and the folder flushed; private (0600, no links)
//! for the state directory's files.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use super::read::kind_of;
use crate::error::{Error, Result};

/// How [`write_atomically`] sets the mode of the file it writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// 0600 whatever the umask, and the path must not be a symbolic link or anything
    /// else than a regular file: the state directory's files.
    Private,
    /// The mode of the file replaced, else the default (0666 less the umask): files
    /// the user names (the facilitation record, `rota --out`, drafts).
    Keep,
}

/// Replaces `path` with `bytes` so that a reader, or the next run after a crash, sees
/// either the old file or the new one, never a mix: the bytes go to a temporary file in
/// the same folder, which is flushed to disk, renamed over `path`, and the folder is
/// flushed too so the rename itself survives a power loss. The file keeps its mode
/// ([`Mode::Keep`]); see [`write_private`] for the state directory's files. Temporary
/// files that a killed run left in the folder are removed first.
///
/// # Errors
/// [`Error::Io`] naming the file when any step fails; `path` is then unchanged.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with_mode(path, bytes, Mode::Keep)
}

/// [`write_atomically`] for a file of the state directory: created 0600 whatever the
/// umask, and refused when `path` is a symbolic link, a FIFO, a device or a directory.
///
/// # Errors
/// [`Error::Io`] naming the file when any step fails or what is there is not a regular
/// file; `path` is then unchanged.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with_mode(path, bytes, Mode::Private)
}

fn write_with_mode(path: &Path, bytes: &[u8], mode: Mode) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let existing = match std::fs::symlink_metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(path, e)),
    };
    if mode == Mode::Private
        && let Some(m) = &existing
        && !m.file_type().is_file()
    {
        return Err(Error::io(
            path,
            std::io::Error::other(format!(
                "is {}, expected a regular file (state files are never followed through links)",
                kind_of(m.file_type())
            )),
        ));
    }
    clean_temp_files(dir);
    // Named `.summit-PID-RANDOM.tmp`, created 0600 with O_EXCL: `clean_temp_files`
    // knows its process by the name. Dropped (removed) on any error below.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".summit-{}-", std::process::id()))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let bits = match (mode, &existing) {
            (Mode::Private, _) => Some(0o600),
            (Mode::Keep, Some(_)) => std::fs::metadata(path)
                .ok()
                .map(|m| m.permissions().mode() & 0o7777),
            (Mode::Keep, None) => None,
        };
        if let Some(bits) = bits {
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(bits))
                .map_err(|e| Error::io(tmp.path(), e))?;
        }
    }
    tmp.write_all(bytes).map_err(|e| Error::io(tmp.path(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
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

/// The process that made a temporary file named by [`write_atomically`], if it is one.
fn temp_file_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(".summit-")?.strip_suffix(".tmp")?;
    rest.split('-').next()?.parse().ok()
}

/// Removes the temporary files in `dir` that [`write_atomically`] made for a process that
/// no longer runs (a killed `tick`); best effort.
pub fn clean_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_file_pid) else {
            continue;
        };
        if pid != std::process::id() && !process_runs(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn process_runs(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: kill with signal 0 only checks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        alive || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}
