//! Where the configuration is found when a command needs one: `--config` (or
//! `SUMMIT_CONFIG`), else `./summit.toml` in the current directory, else
//! `$XDG_CONFIG_HOME/summit/summit.toml` (`~/.config/summit/summit.toml` when
//! `XDG_CONFIG_HOME` is not set or not absolute).

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The file name looked for in the current directory and in the XDG config folder.
pub const FILE_NAME: &str = "summit.toml";

/// How the configuration in use was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// `--config PATH` or `SUMMIT_CONFIG`.
    Given(PathBuf),
    /// `summit.toml` in the current directory (the path is relative: `summit.toml`).
    CurrentDir(PathBuf),
    /// `$XDG_CONFIG_HOME/summit/summit.toml` (or `~/.config/summit/summit.toml`).
    UserConfig(PathBuf),
}

impl Found {
    /// The file.
    pub fn path(&self) -> &Path {
        match self {
            Found::Given(p) | Found::CurrentDir(p) | Found::UserConfig(p) => p,
        }
    }
}

/// The places looked at, in order, when no `--config` is given: `./summit.toml`, then
/// `summit/summit.toml` under the user's config folder (`None` when no home directory
/// is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Places {
    /// `summit.toml` in the current directory, as a relative path.
    pub current: PathBuf,
    /// `$XDG_CONFIG_HOME/summit/summit.toml`, when a config folder is known.
    pub user: Option<PathBuf>,
}

impl Places {
    /// The places of this process: the current directory, and the XDG config folder as
    /// `etcetera` finds it (`XDG_CONFIG_HOME` when absolute, else `~/.config`; `HOME`,
    /// else the user's entry in the password database), on every platform.
    pub fn of_this_process() -> Self {
        use etcetera::BaseStrategy;
        Places {
            current: PathBuf::from(FILE_NAME),
            user: etcetera::base_strategy::Xdg::new()
                .ok()
                .map(|xdg| xdg.config_dir().join("summit").join(FILE_NAME)),
        }
    }

    /// The configuration: `given` (from `--config` or `SUMMIT_CONFIG`), else the first
    /// of the places that `exists`, else `None`. `exists` is asked in order and only as
    /// far as needed (a parameter, so that the order is tested without files).
    pub fn find(&self, given: Option<&Path>, exists: impl Fn(&Path) -> bool) -> Option<Found> {
        if let Some(p) = given {
            return Some(Found::Given(p.to_path_buf()));
        }
        if exists(&self.current) {
            return Some(Found::CurrentDir(self.current.clone()));
        }
        self.user
            .as_ref()
            .filter(|p| exists(p))
            .map(|p| Found::UserConfig(p.clone()))
    }

    /// The error for a command that needs a configuration when none was found: the
    /// places looked, in order, with their paths (`cwd` makes the first absolute), and
    /// how to make one.
    pub fn not_found(&self, cwd: Option<&Path>) -> Error {
        let current = match cwd {
            Some(dir) => dir.join(&self.current),
            None => self.current.clone(),
        };
        let user = match &self.user {
            Some(p) => format!("`{}`", p.display()),
            None => "$XDG_CONFIG_HOME/summit/summit.toml (no home directory is known)".into(),
        };
        Error::Usage(format!(
            "no configuration found; looked, in order, at: `--config PATH` (not given), SUMMIT_CONFIG (not set), `{}` (the current directory), {user}; expected one of them: run `summit init` to write one, and see the README's \"Configuration\"",
            current.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> Places {
        Places {
            current: PathBuf::from(FILE_NAME),
            user: Some(PathBuf::from("/home/u/.config/summit/summit.toml")),
        }
    }

    #[test]
    fn the_flag_wins_over_every_file() {
        let found = places().find(Some(Path::new("other.toml")), |_| true);
        assert_eq!(found, Some(Found::Given("other.toml".into())));
    }

    #[test]
    fn the_current_directory_comes_before_the_user_config() {
        assert_eq!(
            places().find(None, |_| true),
            Some(Found::CurrentDir("summit.toml".into()))
        );
        assert_eq!(
            places().find(None, |p| p.is_absolute()),
            Some(Found::UserConfig(
                "/home/u/.config/summit/summit.toml".into()
            ))
        );
        assert_eq!(places().find(None, |_| false), None);
    }

    #[test]
    fn not_found_lists_the_places_in_order_and_names_init() {
        let e = places().not_found(Some(Path::new("/work"))).to_string();
        let at = |s: &str| e.find(s).unwrap_or_else(|| panic!("{s} not in {e}"));
        assert!(at("--config") < at("SUMMIT_CONFIG"), "{e}");
        assert!(at("SUMMIT_CONFIG") < at("`/work/summit.toml`"), "{e}");
        assert!(
            at("`/work/summit.toml`") < at("`/home/u/.config/summit/summit.toml`"),
            "{e}"
        );
        assert!(e.contains("summit init"), "{e}");
        assert!(!e.contains("examples/summit.toml"), "{e}");
    }
}
