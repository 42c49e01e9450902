//! Finding the `.gitignore` files git would read in a worktree, by walking it as git does.

use std::borrow::Cow;
use std::fs;
use std::path::Path;

use crate::ignore_rules::{IgnoreFile, RuleSet, Scope, read_ignore_file};
use crate::paths::{bytes_path, exact_path_bytes};

/// Every `.gitignore` git would read in the worktree, found by walking it the way git does:
/// top-down, never into an ignored folder, `.git` or through a symlink, judging each folder
/// by the `.gitignore` files found above it (a folder's own rules do not apply to itself).
/// For the one-shot commands only; the per-commit check takes the tracked ones from the
/// index instead.
///
/// The walk is ours, not the `ignore` crate's: its walker compiles every `.gitignore` it
/// meets into a regex set, which is far from linear on a file of a million lines.
pub fn find_gitignores(top: &Path) -> Vec<Vec<u8>> {
    let mut rules = RuleSet::default();
    let mut found = Vec::new();
    let mut pending = vec![Vec::new()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = fs::read_dir(top.join(bytes_path(&folder).expect("built from exact names"))) else {
            continue;
        };
        let mut subfolders = Vec::new();
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else { continue };
            // A name with no exact bytes (not Unicode, on Windows) is no folder or file git
            // can track, and could not be opened again by a lossy name.
            let Ok(name) = exact_path_bytes(Path::new(&entry.file_name())).map(Cow::into_owned) else { continue };
            if kind.is_dir() && name != b".git" {
                subfolders.push([folder.as_slice(), &name, b"/"].concat());
            } else if kind.is_file() && name == b".gitignore" {
                let path = [folder.as_slice(), &name].concat();
                // One that cannot be read has no rules here, as in git; the fix refuses it later.
                if let Ok(Some(bytes)) = read_ignore_file(&entry.path()) {
                    rules.push(IgnoreFile::gitignore(&path, &bytes, false));
                }
                found.push(path);
            }
        }
        for subfolder in subfolders {
            let path = &subfolder[..subfolder.len() - 1];
            if !rules.verdict(path, true, Scope::Repository).is_ignored() {
                pending.push(subfolder);
            }
        }
    }
    found.sort();
    found
}
