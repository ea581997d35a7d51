//! Bounded reads: a whole regular file up to a cap, never waiting on a FIFO, and (for
//! the state directory) never following a symbolic link.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

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

pub(super) fn open_error(path: &Path, e: std::io::Error) -> ReadError {
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
