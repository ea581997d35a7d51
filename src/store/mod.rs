//! The state directory (`--state-dir`, `SUMMIT_STATE_DIR`): where the send ledger, the
//! feed cache and the lock file live, and the two file-system primitives they rely on:
//! atomic replacement of a file and an exclusive lock.
//!
//! One file a concern: `dir` (the state directory and folders), `read` (bounded
//! reads), `write` (atomic replacement), `lock` (the exclusive lock).

mod dir;
mod lock;
mod read;
mod write;

pub use dir::{
    StateDir, create_folder, ensure_dir, per_config_name, probe_writable, resolve_dir, state_dir,
};
pub use lock::{LOCK_WAIT, Lock};
pub use read::{
    Links, MAX_LEDGER_BYTES, MAX_TEMPLATE_BYTES, MAX_TEXT_BYTES, MIB, ReadError, kind_of,
    read_bounded, read_bounded_text,
};
pub use write::{Mode, clean_temp_files, write_atomically, write_private};

#[cfg(test)]
mod tests;
