//! The state directory (`--state-dir`, `SUMMIT_STATE_DIR`): where the send ledger, the
//! feed cache and the lock file live, and the two file-system primitives they rely on:
//! atomic replacement of a file and an exclusive lock.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long `tick` or `send` waits for another one to release the lock.
pub const LOCK_WAIT: Duration = Duration::from_secs(300);

/// The state directory: `flag` (from `--state-dir` or `SUMMIT_STATE_DIR`), else
/// `$XDG_STATE_HOME/summit` (when absolute), else `~/.local/state/summit` (the XDG base
/// directories, as `etcetera` finds them: `HOME`, else the user's entry in the password
/// database), on every platform.
///
/// # Errors
/// [`Error::Usage`] when there is no flag and no home directory is known.
pub fn resolve_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    use etcetera::BaseStrategy;
    // Always XDG (also on macOS and Windows), as summit always did.
    etcetera::base_strategy::Xdg::new()
        .ok()
        .and_then(|xdg| xdg.state_dir())
        .map(|dir| dir.join("summit"))
        .ok_or_else(|| {
            Error::Usage(
                "no state directory: pass `--state-dir PATH` or set SUMMIT_STATE_DIR (no home directory is known)"
                    .into(),
            )
        })
}

/// One mebibyte, the unit of the read caps.
pub const MIB: u64 = 1024 * 1024;

/// The largest configuration, agenda or facilitation record read (4 MiB).
pub const MAX_TEXT_BYTES: u64 = 4 * MIB;

/// The largest send ledger read (32 MiB: some hundred thousand messages).
pub const MAX_LEDGER_BYTES: u64 = 32 * MIB;

/// The largest mail template read (1 MiB).
pub const MAX_TEMPLATE_BYTES: u64 = MIB;

/// Whether [`read_bounded`] follows a symbolic link at the path itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// Follow it (files the user names: the configuration, the agenda, templates).
    Follow,
    /// Refuse it (files in the state directory).
    Refuse,
}

/// Why [`read_bounded`] read nothing.
#[derive(Debug)]
pub enum ReadError {
    /// There is no such file.
    Missing,
    /// The path is something else than a regular file: the kind found, e.g.
    /// `"a FIFO"`, `"a character device"`, `"a symbolic link"`, `"a directory"`.
    NotRegular(&'static str),
    /// The file is larger than the cap.
    TooLarge,
    /// The file is not UTF-8 text ([`read_bounded_text`] only).
    NotText,
    /// Any other I/O error.
    Io(std::io::Error),
}

impl ReadError {
    /// A message for an error line, naming the file (its file name, in backticks), the
    /// cap in MiB and `expected` (what the file should be, e.g. "a configuration
    /// file"). [`ReadError::Missing`] says "does not exist".
    pub fn message(&self, path: &Path, cap: u64, expected: &str) -> String {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let cap = format_cap(cap);
        match self {
            ReadError::Missing => format!("`{name}` does not exist, expected {expected}"),
            ReadError::NotRegular(kind) => {
                format!("`{name}` is {kind}, expected {expected} (a regular file of at most {cap})")
            }
            ReadError::TooLarge => format!("`{name}` is larger than {cap}, expected {expected}"),
            ReadError::NotText => format!("`{name}` is not UTF-8 text, expected {expected}"),
            ReadError::Io(e) => format!("cannot read `{name}`: {e}"),
        }
    }
}

fn format_cap(cap: u64) -> String {
    if cap.is_multiple_of(MIB) {
        format!("{} MiB", cap / MIB)
    } else {
        format!("{cap} bytes")
    }
}

/// What kind of file `file_type` is, for messages ("a FIFO").
pub fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_dir() {
        "a directory"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Opens `path` for reading without blocking on a FIFO (and, with [`Links::Refuse`],
/// without following a symbolic link), and checks that it is a regular file.
fn open_regular(path: &Path, links: Links) -> Result<File, ReadError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    let file = options.open(path).map_err(|e| open_error(path, e))?;
    let file_type = file.metadata().map_err(ReadError::Io)?.file_type();
    if !file_type.is_file() {
        return Err(ReadError::NotRegular(kind_of(file_type)));
    }
    Ok(file)
}

fn open_error(path: &Path, e: std::io::Error) -> ReadError {
    if e.kind() == std::io::ErrorKind::NotFound {
        return ReadError::Missing;
    }
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        // O_NOFOLLOW on a symbolic link.
        if let Ok(m) = std::fs::symlink_metadata(path) {
            return ReadError::NotRegular(kind_of(m.file_type()));
        }
    }
    let _ = path;
    ReadError::Io(e)
}

/// Reads the whole regular file at `path`, at most `cap` bytes: one more byte is
/// [`ReadError::TooLarge`], so `/dev/zero` or a file that grows cannot exhaust memory.
/// A FIFO, device, socket or directory is [`ReadError::NotRegular`] (a FIFO is never
/// waited on); with [`Links::Refuse`], so is a symbolic link.
///
/// # Errors
/// A [`ReadError`]; turn it into the caller's error with [`ReadError::message`].
pub fn read_bounded(path: &Path, cap: u64, links: Links) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path, links)?;
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// [`read_bounded`] for UTF-8 text.
///
/// # Errors
/// As [`read_bounded`], and [`ReadError::NotText`] when the bytes are not UTF-8.
pub fn read_bounded_text(path: &Path, cap: u64, links: Links) -> Result<String, ReadError> {
    String::from_utf8(read_bounded(path, cap, links)?).map_err(|_| ReadError::NotText)
}

/// Creates `dir` (and its parents) when missing; a new state directory is private to
/// its owner (mode 0700 whatever the umask), as the ledger holds addresses. An existing
/// directory that its group or others may enter gets a warning on standard error (once
/// per process); its mode is left alone.
///
/// # Errors
/// [`Error::Io`] when it cannot be created, or naming it when it exists and is not a
/// directory.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {
            warn_if_shared(dir, &m);
            return Ok(());
        }
        Ok(m) => return Err(not_a_directory(dir, m.file_type())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(in_the_way(dir).unwrap_or_else(|| Error::io(dir, e))),
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| match std::fs::metadata(dir) {
            // "File exists": a file (or a file among its parents) is in the way.
            Ok(m) if !m.is_dir() => not_a_directory(dir, m.file_type()),
            _ => Error::io(dir, e),
        })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

/// Creates the folder `dir` and its parents when missing, with the default mode (for
/// the user's folders: `draft --out`, the outbox).
///
/// # Errors
/// [`Error::Io`] when it cannot be created; when a file is in the way (at `dir` or
/// among its parents), naming it: "`NAME` exists and is a regular file, not a
/// directory, expected a directory".
pub fn create_folder(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| in_the_way(dir).unwrap_or_else(|| Error::io(dir, e)))
}

/// The error naming `dir` or the first of its parents that exists and is not a
/// directory, if one is.
fn in_the_way(dir: &Path) -> Option<Error> {
    let mut ancestors: Vec<&Path> = dir.ancestors().collect();
    ancestors.reverse();
    ancestors
        .into_iter()
        .find_map(|p| match std::fs::metadata(p) {
            Ok(m) if !m.is_dir() => Some(not_a_directory_at(dir, p, m.file_type())),
            _ => None,
        })
}

fn not_a_directory(dir: &Path, file_type: std::fs::FileType) -> Error {
    not_a_directory_at(dir, dir, file_type)
}

/// The error on `dir`, creating which failed as `blocker` (`dir` or one of its parents)
/// is a file.
fn not_a_directory_at(dir: &Path, blocker: &Path, file_type: std::fs::FileType) -> Error {
    let name = blocker.file_name().map_or_else(
        || blocker.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Error::io(
        dir,
        std::io::Error::other(format!(
            "`{name}` exists and is {}, not a directory, expected a directory",
            kind_of(file_type)
        )),
    )
}

fn warn_if_shared(dir: &Path, meta: &std::fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        use std::sync::atomic::{AtomicBool, Ordering};
        static WARNED: AtomicBool = AtomicBool::new(false);
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 && !WARNED.swap(true, Ordering::Relaxed) {
            eprintln!(
                "warning: state directory `{}` has mode {mode:04o}, expected 0700: its group or others may read the ledger's addresses (chmod 700 it)",
                dir.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (dir, meta);
}

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
    fn bounded_read_refuses_what_is_too_large_or_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summit.toml");
        std::fs::write(&path, vec![b'x'; 10]).unwrap();
        assert_eq!(read_bounded(&path, 10, Links::Follow).unwrap().len(), 10);
        let e = read_bounded(&path, 9, Links::Follow).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge), "{e:?}");
        let m = e.message(&path, 4 * MIB, "a configuration file");
        assert_eq!(
            m,
            "`summit.toml` is larger than 4 MiB, expected a configuration file"
        );
        assert!(matches!(
            read_bounded(&dir.path().join("none"), 9, Links::Follow),
            Err(ReadError::Missing)
        ));
        let e = read_bounded(Path::new("/dev/zero"), MIB, Links::Follow).unwrap_err();
        assert!(
            e.message(Path::new("/dev/zero"), MIB, "x").contains(
                "`zero` is a character device, expected x (a regular file of at most 1 MiB)"
            ),
            "{e:?}"
        );
        assert!(matches!(
            read_bounded(dir.path(), MIB, Links::Follow),
            Err(ReadError::NotRegular("a directory"))
        ));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert_eq!(read_bounded(&link, 10, Links::Follow).unwrap().len(), 10);
        assert!(matches!(
            read_bounded(&link, 10, Links::Refuse),
            Err(ReadError::NotRegular("a symbolic link"))
        ));
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(matches!(
            read_bounded_text(&path, 10, Links::Follow),
            Err(ReadError::NotText)
        ));
    }

    #[test]
    fn bounded_read_does_not_wait_on_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(matches!(
            read_bounded(&fifo, MIB, Links::Follow),
            Err(ReadError::NotRegular("a FIFO"))
        ));
    }

    #[test]
    fn private_files_ignore_the_umask_and_refuse_links() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let path = dir.path().join("ledger.toml");
        write_private(&path, b"one").unwrap();
        assert_eq!(mode(&path), 0o600);
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.toml");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write_private(&link, b"x").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        // A user's file keeps its mode.
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&target, b"new").unwrap();
        assert_eq!(mode(&target), 0o640);
    }

    #[test]
    fn a_symlinked_lock_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("precious");
        std::fs::write(&target, "keep me").unwrap();
        let state = dir.path().join("state");
        ensure_dir(&state).unwrap();
        std::os::unix::fs::symlink(&target, state.join(Lock::FILE)).unwrap();
        let e = Lock::acquire(&state, Duration::ZERO).unwrap_err();
        assert!(e.to_string().contains("`lock` is a symbolic link"), "{e}");
        assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
    }

    #[test]
    fn leftover_temp_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        // Pid 4194304 is above Linux's pid_max: no such process.
        let stale = dir.path().join(".summit-4194304-abc-0.tmp");
        let mine = dir
            .path()
            .join(format!(".summit-{}-abc-0.tmp", std::process::id()));
        std::fs::write(&stale, "x").unwrap();
        std::fs::write(&mine, "x").unwrap();
        let held = Lock::acquire(dir.path(), Duration::ZERO).unwrap();
        assert!(!stale.exists());
        assert!(mine.exists());
        drop(held);
    }

    #[test]
    fn a_file_where_the_state_directory_goes_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        std::fs::write(&state, "").unwrap();
        let e = ensure_dir(&state).unwrap_err().to_string();
        assert!(
            e.contains(
                "`state` exists and is a regular file, not a directory, expected a directory"
            ),
            "{e}"
        );
        let e = ensure_dir(&state.join("sub")).unwrap_err().to_string();
        assert!(e.contains("expected a directory"), "{e}");
    }

    #[test]
    fn default_dir_follows_xdg() {
        assert_eq!(
            resolve_dir(Some(Path::new("/x/y"))).unwrap(),
            PathBuf::from("/x/y")
        );
    }
}
