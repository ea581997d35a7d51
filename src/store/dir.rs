//! The state directory (`--state-dir`, `SUMMIT_STATE_DIR`, else the XDG state home) and
//! the creation of folders: private for the state directory, naming a file in the way.

use std::path::{Path, PathBuf};

use super::read::kind_of;
use crate::error::{Error, Result};

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

/// Creates and removes an empty file in `dir`, to tell whether `tick` can write there.
///
/// # Errors
/// [`Error::Io`] naming `dir` when the file cannot be created (or the file when it
/// cannot be removed).
pub fn probe_writable(dir: &Path) -> Result<()> {
    let probe = dir.join(format!(".summit-check-{}.tmp", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map_err(|e| {
            Error::io(
                dir,
                std::io::Error::new(
                    e.kind(),
                    format!("cannot create a file in it ({e}), expected a writable folder"),
                ),
            )
        })?;
    std::fs::remove_file(&probe).map_err(|e| Error::io(&probe, e))
}
