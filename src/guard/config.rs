//! The project's settings: `[tool.pycache-guard]` in `pyproject.toml`, or the top-level keys
//! of `.pycache-guard.toml`, both at the worktree root.
//!
//! When both files exist `.pycache-guard.toml` wins whole (its keys are not merged with the
//! pyproject table), as ruff's `ruff.toml` does. A key we do not know or a value of the wrong
//! type is an error naming the file, the line and the key: a typo in `allow` must not quietly
//! turn an allow-list off.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use serde::Deserialize;

use gitlayer::files::{Symlinks, read_regular};
use gitlayer::paths::bytes_path;

use crate::guard::debris::Debris;

/// The dedicated config file; the pyproject table's keys sit at its top level.
pub(crate) const CONFIG_FILE: &str = ".pycache-guard.toml";
pub(crate) const PYPROJECT_FILE: &str = "pyproject.toml";

/// The keys a config may hold.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// Gitignore-style globs, relative to the worktree root, of bytecode that may be
    /// committed (deliberate test fixtures).
    #[serde(default)]
    pub(crate) allow: Vec<String>,
    /// Missing ignore rules are errors, not warnings.
    #[serde(default)]
    pub(crate) strict: bool,
    /// Debris categories judged with bytecode (`--debris` wins); a name that is no category
    /// is an error of the parse, so it names the file, the line and the key like any other.
    #[serde(default, deserialize_with = "debris_names")]
    pub(crate) debris: Debris,
}

fn debris_names<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Debris, D::Error> {
    let names = Vec::<String>::deserialize(deserializer)?;
    names.iter().try_fold(Debris::NONE, |debris, name| {
        Debris::parse_one(name).map(|chosen| debris.with(chosen)).map_err(serde::de::Error::custom)
    })
}

/// `pyproject.toml`: only our table matters; every other key belongs to other tools.
#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tools>,
}

#[derive(Deserialize)]
struct Tools {
    #[serde(rename = "pycache-guard")]
    pycache_guard: Option<Config>,
}

/// The settings in force for one run.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// The file the config came from, if any.
    pub(crate) source: Option<PathBuf>,
    /// `--strict` or `strict = true`: for the ignore-rule audit.
    pub(crate) strict: bool,
    /// The debris categories chosen: `--debris`, else `debris = [...]`; none by default.
    pub(crate) debris: Debris,
    allow: Gitignore,
}

impl Settings {
    /// No config file: nothing allowed; strict only by `--strict`.
    pub(crate) fn without_file(strict_flag: bool) -> Settings {
        Settings { source: None, strict: strict_flag, debris: Debris::NONE, allow: Gitignore::empty() }
    }

    /// Reads the config of the folder `root` (the worktree top, or the current folder outside
    /// a repository); `strict_flag` is `--strict`, which a config cannot turn off.
    pub(crate) fn load(root: &Path, strict_flag: bool) -> Result<Settings> {
        let Some((source, config)) = read_config(root)? else {
            return Ok(Settings::without_file(strict_flag));
        };
        let allow = allow_matcher(root, &source, &config.allow)?;
        Ok(Settings { strict: strict_flag || config.strict, debris: config.debris, allow, source: Some(source) })
    }

    /// The categories `--debris` chose, which win over the config's.
    pub(crate) fn with_debris_flag(mut self, flag: Option<Debris>) -> Settings {
        if let Some(debris) = flag {
            self.debris = debris;
        }
        self
    }

    /// Whether the allow-list exempts this path (relative to the root, `/`-separated). A
    /// folder pattern (`fixtures/`) exempts everything inside it, as in a `.gitignore`.
    pub(crate) fn is_allowed(&self, path: &[u8]) -> bool {
        // A path with no name on this file system (not UTF-8, on Windows) matches no glob of
        // the config, which is UTF-8: nothing allows it.
        let Ok(path) = bytes_path(path) else {
            return false;
        };
        // The matcher panics on a path outside its root; callers pass relative paths only.
        if path.has_root() || path.as_os_str().is_empty() {
            return false;
        }
        self.allow.matched_path_or_any_parents(&path, false).is_ignore()
    }
}

/// The config that applies in `root`: `.pycache-guard.toml`, else our pyproject table.
fn read_config(root: &Path) -> Result<Option<(PathBuf, Config)>> {
    let dedicated = root.join(CONFIG_FILE);
    if let Some(text) = read_if_present(&dedicated)? {
        let config = parse::<Config>(&dedicated, &text)?;
        return Ok(Some((dedicated, config)));
    }
    let pyproject = root.join(PYPROJECT_FILE);
    if let Some(text) = read_if_present(&pyproject)? {
        let parsed = parse::<Pyproject>(&pyproject, &text)?;
        if let Some(config) = parsed.tool.and_then(|tool| tool.pycache_guard) {
            return Ok(Some((pyproject, config)));
        }
    }
    Ok(None)
}

/// The config file's text; `None` when there is none. The file may be a stranger's (CI
/// checks pull requests): a tracked symlink to `/dev/zero` or `/dev/stdin` is refused, not
/// read until memory runs out or forever.
fn read_if_present(path: &Path) -> Result<Option<String>> {
    let bytes = read_regular(path, Symlinks::Followed)
        .with_context(|| format!("cannot read the config file {}", path.display()))?;
    match bytes {
        Some(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| anyhow!("{}: the config file is not UTF-8 text; fix the config file", path.display())),
        None if fs::symlink_metadata(path).is_ok() => bail!(
            "refusing to read the config file {}: it is {}; replace it with a file",
            path.display(),
            match fs::metadata(path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => "a symlink to nothing (its target is missing)",
                Err(_) => "a symlink that leads nowhere (a loop, or a folder it may not enter)",
                Ok(_) => "not a regular file (a folder, a device, a FIFO, or a symlink to one)",
            }
        ),
        None => Ok(None),
    }
}

/// Parses TOML, turning an error into `file:line: what (key `k`); fix it`.
fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T> {
    toml::from_str(text).map_err(|error| {
        let message = error.message().trim_end_matches('\n').replace('\n', " ");
        let Some(span) = error.span() else {
            return anyhow!("{}: {message}; fix the config file", path.display());
        };
        let line = line_of(text, span.start);
        match key_on_line(text, span.start) {
            Some(key) => anyhow!("{}:{line}: key `{key}`: {message}; fix the config file", path.display()),
            None => anyhow!("{}:{line}: {message}; fix the config file", path.display()),
        }
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The key of the `key = value` line holding `offset`: toml's error points at the key for an
/// unknown one, but at the value for a wrong type, and names no key in either message.
fn key_on_line(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_owned())
}

fn allow_matcher(root: &Path, source: &Path, globs: &[String]) -> Result<Gitignore> {
    let mut builder = GitignoreBuilder::new(root);
    for glob in globs {
        builder
            .add_line(None, glob)
            .map_err(|e| anyhow!("{}: invalid glob {glob:?} in `allow`: {e}; fix the config file", source.display()))?;
    }
    builder.build().map_err(|e| anyhow!("{}: invalid `allow` list: {e}; fix the config file", source.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(file: &str, text: &str) -> Result<Settings> {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(file), text).unwrap();
        Settings::load(dir.path(), false)
    }

    #[test]
    fn allow_globs_follow_gitignore_rules() {
        let s = settings(CONFIG_FILE, "allow = [\"tests/fixtures/**/*.pyc\", \"golden/\", \"*.pyo\"]\n").unwrap();
        assert!(s.is_allowed(b"tests/fixtures/a/b.pyc"));
        assert!(s.is_allowed(b"tests/fixtures/b.pyc"));
        assert!(s.is_allowed(b"golden/__pycache__/x.pyc"), "a folder pattern covers its contents");
        assert!(s.is_allowed(b"deep/x.pyo"), "a pattern without a slash matches at any depth");
        assert!(!s.is_allowed(b"src/tests/fixtures/b.pyc"), "a pattern with a slash is anchored");
        assert!(!s.is_allowed(b"x.pyc"));
        assert!(!s.is_allowed(b"/abs/x.pyo"));
        assert!(!s.strict);
    }

    #[test]
    fn pyproject_table_and_precedence() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(PYPROJECT_FILE),
            "[project]\nname = \"x\"\n[tool.ruff]\nline-length = 1\n[tool.pycache-guard]\nstrict = true\nallow = [\"a.pyc\"]\n",
        )
        .unwrap();
        let s = Settings::load(dir.path(), false).unwrap();
        assert!(s.strict && s.is_allowed(b"a.pyc"));
        fs::write(dir.path().join(CONFIG_FILE), "allow = [\"b.pyc\"]\n").unwrap();
        let s = Settings::load(dir.path(), false).unwrap();
        assert!(!s.strict && !s.is_allowed(b"a.pyc") && s.is_allowed(b"b.pyc"), "the dedicated file wins whole");
        assert!(Settings::load(dir.path(), true).unwrap().strict, "--strict wins");
    }

    #[test]
    fn pyproject_without_our_table_is_no_config() {
        let s = settings(PYPROJECT_FILE, "[tool.black]\nline-length = 88\n").unwrap();
        assert!(s.source.is_none());
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let error = settings(CONFIG_FILE, "strict = true\nalow = [\"x\"]\n").unwrap_err().to_string();
        assert!(error.contains(".pycache-guard.toml:2: key `alow`: unknown field `alow`"), "{error}");
        let error = settings(PYPROJECT_FILE, "[tool.pycache-guard]\n\nstrikt = true\n").unwrap_err().to_string();
        assert!(error.contains("pyproject.toml:3: key `strikt`"), "{error}");
    }

    #[test]
    fn wrong_type_names_file_line_and_key() {
        let error = settings(CONFIG_FILE, "allow = []\nstrict = \"yes\"\n").unwrap_err().to_string();
        assert!(error.contains(".pycache-guard.toml:2: key `strict`: invalid type"), "{error}");
        let error = settings(CONFIG_FILE, "allow = \"*.pyc\"\n").unwrap_err().to_string();
        assert!(error.contains(":1: key `allow`"), "{error}");
        assert!(!error.contains('\n'), "one line: {error}");
    }

    #[test]
    fn broken_toml_names_the_line() {
        let error = settings(CONFIG_FILE, "allow = [\n\"a\"\nstrict = true\n").unwrap_err().to_string();
        assert!(error.contains(".pycache-guard.toml:"), "{error}");
        assert!(!error.contains('\n'), "{error}");
    }
}
