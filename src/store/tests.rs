//! Tests of the store: atomic writes, bounded reads, the lock, the state directory.

use super::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
        e.message(Path::new("/dev/zero"), MIB, "x")
            .contains("`zero` is a character device, expected x (a regular file of at most 1 MiB)"),
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
        e.contains("`state` exists and is a regular file, not a directory, expected a directory"),
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

#[test]
fn a_writable_folder_passes_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    super::probe_writable(dir.path()).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let file = dir.path().join("file");
    std::fs::write(&file, "").unwrap();
    let e = super::probe_writable(&file).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    assert!(e.to_string().contains("expected a writable folder"), "{e}");
    let e = super::probe_writable(&dir.path().join("missing")).unwrap_err();
    assert!(e.to_string().contains("missing"), "{e}");
}

#[test]
fn each_configuration_gets_its_own_readable_state_directory() {
    let a = super::per_config_name(Path::new("/home/u/prometheus/summit.toml"));
    let b = super::per_config_name(Path::new("/home/u/thanos/summit.toml"));
    let c = super::per_config_name(Path::new("/home/u/x/team summit.toml"));
    assert!(
        a.starts_with("prometheus-") && a.len() == "prometheus-".len() + 8,
        "{a}"
    );
    assert!(b.starts_with("thanos-"), "{b}");
    assert!(c.starts_with("team_summit-"), "{c}");
    assert_ne!(a[a.len() - 8..], b[b.len() - 8..]);
    assert_eq!(
        a,
        super::per_config_name(Path::new("/home/u/prometheus/summit.toml"))
    );
    let hidden = super::per_config_name(Path::new("/.toml"));
    assert!(hidden.starts_with("summit"), "{hidden}");
}

#[test]
fn the_shared_default_of_earlier_versions_is_kept_while_it_holds_a_ledger() {
    use super::dir::StateDir;
    let root = Path::new("/state/summit");
    let config = Path::new("/etc/prom/summit.toml");
    let own = root.join(super::per_config_name(config));
    let choose = |exists: &dyn Fn(&Path) -> bool| {
        super::dir::choose_default(root, Some(config), "ledger.toml", exists)
    };
    assert_eq!(choose(&|_| false), StateDir::PerConfig(own.clone()));
    let legacy = choose(&|p| p == root.join("ledger.toml"));
    assert_eq!(
        legacy,
        StateDir::Legacy {
            dir: root.to_path_buf(),
            per_config: own.clone()
        }
    );
    assert!(legacy.why().unwrap().contains(&own.display().to_string()));
    // Once the configuration's own directory exists, it is used.
    assert_eq!(choose(&|_| true), StateDir::PerConfig(own));
    assert_eq!(
        super::dir::choose_default(root, None, "ledger.toml", |_: &Path| true),
        StateDir::Shared(root.to_path_buf())
    );
    assert!(
        super::state_dir(Some(Path::new("/x")), Some(config), "ledger.toml")
            .unwrap()
            .given()
    );
}
