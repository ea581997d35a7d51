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

/// The state directory in use, and how it was chosen ([`state_dir`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateDir {
    /// `--state-dir` or `SUMMIT_STATE_DIR`.
    Given(PathBuf),
    /// The default for the configuration in use:
    /// `$XDG_STATE_HOME/summit/NAME-HASH` ([`per_config_name`]).
    PerConfig(PathBuf),
    /// The shared default of earlier versions, `$XDG_STATE_HOME/summit`, kept because it
    /// holds a ledger and the configuration's own default directory does not exist yet
    /// (so nothing is sent twice); `per_config` is where its files can move.
    Legacy {
        /// The shared directory, in use.
        dir: PathBuf,
        /// The configuration's own default directory.
        per_config: PathBuf,
    },
    /// No configuration: the shared default, `$XDG_STATE_HOME/summit`.
    Shared(PathBuf),
}

impl StateDir {
    /// The directory.
    pub fn path(&self) -> &Path {
        match self {
            StateDir::Given(p) | StateDir::PerConfig(p) | StateDir::Shared(p) => p,
            StateDir::Legacy { dir, .. } => dir,
        }
    }

    /// Whether it was given (`--state-dir` or `SUMMIT_STATE_DIR`).
    pub fn given(&self) -> bool {
        matches!(self, StateDir::Given(_))
    }

    /// How a default was chosen, for `summit check`; `None` when it was given.
    pub fn why(&self) -> Option<String> {
        match self {
            StateDir::Given(_) => None,
            StateDir::PerConfig(_) => Some("the default for this configuration".into()),
            StateDir::Legacy { per_config, .. } => Some(format!(
                "the shared default of earlier versions, kept as it holds a ledger; move its ledger and feed cache to `{}` to use the default for this configuration",
                per_config.display()
            )),
            StateDir::Shared(_) => Some("the default without a configuration".into()),
        }
    }
}

/// The state directory: `flag` (from `--state-dir` or `SUMMIT_STATE_DIR`), else the
/// default under the shared root ([`resolve_dir`] without a flag): for the
/// configuration `config` (canonicalized here) the folder [`per_config_name`] in it,
/// unless that folder does not exist yet and the root itself holds `ledger_file` (the
/// shared default of earlier versions: kept, [`StateDir::Legacy`]); without a
/// configuration, the root.
///
/// # Errors
/// As [`resolve_dir`].
pub fn state_dir(
    flag: Option<&Path>,
    config: Option<&Path>,
    ledger_file: &str,
) -> Result<StateDir> {
    if let Some(dir) = flag {
        return Ok(StateDir::Given(dir.to_path_buf()));
    }
    let root = resolve_dir(None)?;
    let canonical = config.map(|c| {
        std::fs::canonicalize(c)
            .or_else(|_| std::path::absolute(c))
            .unwrap_or_else(|_| c.to_path_buf())
    });
    Ok(choose_default(
        &root,
        canonical.as_deref(),
        ledger_file,
        |p| p.exists(),
    ))
}

/// [`state_dir`]'s choice of a default under `root`, with `exists` for the file system.
pub(super) fn choose_default(
    root: &Path,
    config: Option<&Path>,
    ledger_file: &str,
    exists: impl Fn(&Path) -> bool,
) -> StateDir {
    let Some(config) = config else {
        return StateDir::Shared(root.to_path_buf());
    };
    let per_config = root.join(per_config_name(config));
    if !exists(&per_config) && exists(&root.join(ledger_file)) {
        return StateDir::Legacy {
            dir: root.to_path_buf(),
            per_config,
        };
    }
    StateDir::PerConfig(per_config)
}

/// The name of the default state directory of the configuration at `canonical` (its
/// canonical path): `NAME-HASH`, where NAME is the file's stem (or, for a file named
/// `summit.toml`, its folder's name), letters, digits, `.`, `_` and `-` kept and the
/// rest made `_`, at most 40 characters; HASH is the first 8 hex digits of the SHA-256
/// of the path, so two configurations never share a directory.
pub fn per_config_name(canonical: &Path) -> String {
    use sha2::{Digest, Sha256};
    let stem = canonical
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = canonical
        .parent()
        .and_then(Path::file_name)
        .map(|s| s.to_string_lossy().into_owned());
    let name = match folder {
        Some(folder) if stem == "summit" => folder,
        _ => stem,
    };
    let mut name: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' | '.' => c,
            _ => '_',
        })
        .take(40)
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert_str(0, "summit");
    }
    let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let hash: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{name}-{hash}")
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
