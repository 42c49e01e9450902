//! Installing and removing our scripts as the repository's git hooks.
//!
//! A fixed marker line identifies our scripts. A hook that is not ours is never overwritten:
//! without `force` installing stops; with it the old hook is kept as `<name>.local`, and our
//! script runs it first. `uninstall` removes only our scripts and puts a kept hook back.
//! The installed script remembers the absolute path of the binary that installed it, for
//! when `PATH` lacks `pycache-guard` at commit time (as pre-commit's own hook remembers its
//! Python).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use gitlayer::paths::exact_path_bytes;
use gitlayer::repo::Repo;

/// The line every script we install carries, and nothing else writes.
const MARKER: &str = "# pycache-guard managed hook";

/// The line of each script in `hooks/` that `install` fills in with the binary's path.
const INSTALLED_BY: &str = "installed_by=''\n";

/// A hook we can install: its git name and the script from `hooks/`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hook {
    pub(crate) name: &'static str,
    script: &'static str,
}

pub(crate) const PRE_COMMIT: Hook = Hook { name: "pre-commit", script: include_str!("../../hooks/pre-commit") };
pub(crate) const PRE_PUSH: Hook = Hook { name: "pre-push", script: include_str!("../../hooks/pre-push") };

/// Every hook we may have installed: `uninstall` removes each one it finds.
const ALL_HOOKS: [Hook; 2] = [PRE_COMMIT, PRE_PUSH];

/// Where git runs this repository's hooks from: `core.hooksPath` when set (relative to the
/// worktree top, as git reads it), else the common git directory's `hooks/`, which linked
/// worktrees share.
pub(crate) fn hooks_dir(repo: &Repo) -> Result<PathBuf> {
    match repo.config_path("core.hooksPath")? {
        Some(path) if path.is_absolute() => Ok(path),
        Some(path) => Ok(repo.workdir().unwrap_or_else(|| repo.git_dir()).join(path)),
        None => Ok(repo.common_dir().join("hooks")),
    }
}

/// Installs `hooks` and says what it did, one line each.
pub(crate) fn install(dir: &Path, hooks: &[Hook], force: bool) -> Result<Vec<String>> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create the hooks folder {}", dir.display()))?;
    // Refuse before writing anything: a foreign pre-push hook must not leave pre-commit
    // installed alone.
    if !force {
        for hook in hooks {
            refuse_foreign(&dir.join(hook.name))?;
        }
    }
    hooks.iter().map(|hook| install_one(dir, *hook, force)).collect()
}

fn refuse_foreign(path: &Path) -> Result<()> {
    match read_hook(path)? {
        Some(existing) if !existing.contains(MARKER) => bail!(
            "{} already exists and is not a pycache-guard hook; rerun with --force to keep it as {} \
             and run it before pycache-guard",
            path.display(),
            local_path(path).display()
        ),
        _ => Ok(()),
    }
}

/// The script as installed: `hooks/<name>` with the path of the running binary filled in.
/// Without a usable path (none, or one that is not UTF-8 text) the line stays empty and the
/// script relies on `PATH` alone.
fn rendered(hook: Hook) -> String {
    // With `/` on Windows too: Git for Windows' shell reads `C:/...` as the same file.
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exact_path_bytes(&exe).ok().and_then(|bytes| String::from_utf8(bytes.into_owned()).ok()));
    match binary {
        Some(binary) => hook.script.replacen(INSTALLED_BY, &format!("installed_by={}\n", sh_single_quoted(&binary)), 1),
        None => hook.script.to_owned(),
    }
}

/// A POSIX shell word for `text`, whatever it holds: single quotes, each `'` as `'\''`.
fn sh_single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn install_one(dir: &Path, hook: Hook, force: bool) -> Result<String> {
    let path = dir.join(hook.name);
    let kept = local_path(&path);
    let script = rendered(hook);
    match read_hook(&path)? {
        Some(existing) if existing == script => {
            return Ok(format!("{} is already installed: {}", hook.name, path.display()));
        }
        Some(existing) if existing.contains(MARKER) => {}
        Some(_) if !force => refuse_foreign(&path)?,
        Some(_) => {
            if fs::symlink_metadata(&kept).is_ok() {
                bail!(
                    "cannot keep the existing hook {}: {} exists too; move one of them away and rerun",
                    path.display(),
                    kept.display()
                );
            }
            fs::rename(&path, &kept)
                .with_context(|| format!("cannot rename {} to {}", path.display(), kept.display()))?;
        }
        None => {}
    }
    crate::guard::atomic::write_file(&path, script.as_bytes(), crate::guard::atomic::new_file_permissions(0o755))?;
    let mut message = format!("installed {}: {}", hook.name, path.display());
    if fs::symlink_metadata(&kept).is_ok() {
        message.push_str(&format!(" (runs {} first)", kept.display()));
    }
    Ok(message)
}

/// Removes our hooks, restores kept ones, and says what it did, one line each.
pub(crate) fn uninstall(dir: &Path) -> Result<Vec<String>> {
    let mut messages = Vec::new();
    for hook in ALL_HOOKS {
        let path = dir.join(hook.name);
        match read_hook(&path)? {
            Some(existing) if existing.contains(MARKER) => {
                fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
                let kept = local_path(&path);
                if fs::symlink_metadata(&kept).is_ok() {
                    fs::rename(&kept, &path)
                        .with_context(|| format!("cannot restore {} as {}", kept.display(), path.display()))?;
                    messages.push(format!("removed {} and restored the hook it kept: {}", hook.name, path.display()));
                } else {
                    messages.push(format!("removed {}: {}", hook.name, path.display()));
                }
            }
            Some(_) => messages.push(format!("left {} alone: it is not a pycache-guard hook", path.display())),
            None => {}
        }
    }
    if messages.is_empty() {
        messages.push(format!("no pycache-guard hook is installed in {}", dir.display()));
    }
    Ok(messages)
}

/// The hook's text, `None` when there is none. A hook that is not text (a binary) is still a
/// hook: it reads as foreign.
fn read_hook(path: &Path) -> Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && fs::symlink_metadata(path).is_err() => Ok(None),
        // A dangling symlink is someone's hook too.
        Err(_) if fs::symlink_metadata(path).is_ok() => Ok(Some(String::new())),
        Err(e) => Err(e).with_context(|| format!("cannot read the hook {}", path.display())),
    }
}

fn local_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".local");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_carries_the_marker() {
        for hook in ALL_HOOKS {
            assert!(hook.script.starts_with("#!/bin/sh\n"), "{}", hook.name);
            assert!(hook.script.contains(MARKER), "{}", hook.name);
            assert_eq!(hook.script.matches(INSTALLED_BY).count(), 1, "{}: one line to fill in", hook.name);
        }
    }

    #[test]
    fn the_installing_binary_is_remembered() {
        let script = rendered(PRE_COMMIT);
        let exe = std::env::current_exe().unwrap();
        let exe = String::from_utf8(exact_path_bytes(&exe).unwrap().into_owned()).unwrap();
        assert!(script.contains(&format!("installed_by='{exe}'\n")), "{script}");
        assert!(!script.contains(INSTALLED_BY));
    }

    #[test]
    #[cfg(unix)]
    fn quoted_paths_survive_sh() {
        for text in ["/opt/my tools/pycache-guard", "/it's/$HOME/`x`/pycache-guard"] {
            let output = std::process::Command::new("sh")
                .arg("-c")
                .arg(format!("printf %s {}", sh_single_quoted(text)))
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&output.stdout), text);
        }
    }
}
