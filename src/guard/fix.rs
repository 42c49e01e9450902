//! The fix of the ignore rules and of tracked bytecode: [`plan`] decides the smallest
//! `.gitignore` change, this module applies it, [`in_commit`] applies it inside `git commit`.
//!
//! Applying it: the planned `.gitignore` change, and untracking committed bytecode.
//!
//! Safety first: a `.gitignore` that is a symlink, a folder, unreadable or read-only is
//! refused before anything changes; the file is replaced atomically with its mode kept; the
//! index is written under git's own lock (`<index>.lock`, created exclusively), and a lock
//! held by someone else stops us before any file is touched.

pub(crate) mod in_commit;
pub(crate) mod plan;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use gitlayer::files::{Symlinks, read_regular};
use gitlayer::ignore_rules::{IgnoreFile, Source, read_ignore_file};
use gitlayer::walk::find_gitignores;

use crate::guard::check;
use crate::guard::config::Settings;
use crate::guard::debris::Debris;
use crate::guard::probes::Probe;
use gitlayer::paths::{bytes_path, exact_path_bytes};
use gitlayer::repo::Repo;
use plan::Plan;

/// A planned change of one `.gitignore`.
pub(crate) struct GitignoreFix {
    /// Absolute path of the file.
    pub(crate) path: PathBuf,
    /// Worktree-relative path, as git names it.
    pub(crate) relative: Vec<u8>,
    /// The current bytes; `None` when the file does not exist yet.
    pub(crate) old: Option<Vec<u8>>,
    pub(crate) plan: Plan,
    /// The other `.gitignore` files the audit does not read (untracked ones below the
    /// top), as rules name their source.
    unaudited: Vec<Source>,
}

impl GitignoreFix {
    /// Plans the change of `file` (default: `.gitignore` at the worktree top).
    ///
    /// `debris`: the categories whose lines are planned with bytecode's.
    pub(crate) fn plan(repo: &Repo, file: Option<&Path>, debris: Debris) -> Result<GitignoreFix> {
        let top = worktree_top(repo)?;
        let (path, relative) = resolve_target(repo, &top, file)?;
        let old = read_target(&path)?;
        // The index only adds tracked paths to what is judged: without one, the worktree walk
        // still finds every `.gitignore`.
        let mut gitignores = Vec::new();
        let index = check::scan_index(repo, check::Candidates::TrackedBytecode, debris, |path: &[u8]| {
            gitignores.push(path.to_vec())
        });
        let (bytecode, index_read) = match index {
            Ok(index) => (index.candidates, true),
            // All or nothing: a half-read index names only some of the files.
            Err(_) => {
                gitignores.clear();
                (Vec::new(), false)
            }
        };
        let ignore_case = repo.ignore_case();
        let tracked_gitignores = gitignores.clone();
        let others = other_ignore_files(&top, gitignores.into_iter(), &relative, ignore_case)?;
        // The audit reads the top `.gitignore` and the tracked ones; without an index, count
        // every file as read (the audit cannot run either, and failing is the safe answer).
        let unaudited = others
            .iter()
            .filter(|file| index_read && !file.dir().is_empty())
            .map(IgnoreFile::source)
            .filter(|source| !tracked_gitignores.iter().any(|tracked| tracked.as_slice() == source.bytes()))
            .cloned()
            .collect();
        let target = IgnoreFile::gitignore(&relative, old.as_deref().unwrap_or_default(), ignore_case);
        let tracked: Vec<Probe> = bytecode.into_iter().map(|e| Probe { path: e.path, is_dir: false }).collect();
        let plan = plan::plan(&target, &others, &tracked, debris);
        // A `.gitignore` of a million lines is a million parsed patterns: freeing them one by
        // one costs a tenth of the run, and the command ends soon anyway.
        std::mem::forget((target, others));
        Ok(GitignoreFix { path, relative, old, plan, unaudited })
    }

    /// Whether the audit (`check --all --strict`) reports a rule missing: what `--check`
    /// fails on. The plan adds a line, leaves one out for a path that is not bytecode, or
    /// leaves a path unreached that a file the audit reads decides. A path only an untracked
    /// deeper `.gitignore` keeps unignored is named, but that file is this clone's own.
    pub(crate) fn audit_reports_missing(&self) -> bool {
        self.plan.leaves_anything_unmet(|unreached| {
            unreached.rule.as_ref().is_none_or(|rule| !self.unaudited.contains(&rule.source))
        })
    }

    /// The change as a unified diff (`--- a/.gitignore` / `+++ b/.gitignore`).
    pub(crate) fn diff(&self) -> String {
        let name = String::from_utf8_lossy(&self.relative);
        let old_header = if self.old.is_some() { format!("a/{name}") } else { "/dev/null".to_owned() };
        let hunk = one_hunk_diff(self.old.as_deref().unwrap_or_default(), &self.plan.new_bytes);
        format!("--- {old_header}\n+++ b/{name}\n{hunk}")
    }

    /// Writes the new content, atomically, keeping the file's mode. Refuses a read-only file.
    pub(crate) fn write(&self) -> Result<()> {
        let permissions = match fs::metadata(&self.path) {
            Ok(meta) if meta.permissions().readonly() => bail!(
                "refusing to change {}: it is read-only; make it writable (chmod u+w) and rerun",
                self.path.display()
            ),
            Ok(meta) => meta.permissions(),
            Err(_) => crate::guard::atomic::new_file_permissions(0o644),
        };
        crate::guard::atomic::write_file(&self.path, &self.plan.new_bytes, permissions)
    }
}

/// How many unchanged lines a hunk shows on each side, as `diff -u` does.
const CONTEXT: usize = 3;

/// The unified diff hunk of two texts that differ in one run of lines, as the fix's are
/// (whole lines inserted at one place, and a final newline completed). Written directly
/// rather than by a diff algorithm: a `.gitignore` of a million lines would otherwise be
/// split into lines and hashed to find what is already known.
fn one_hunk_diff(old: &[u8], new: &[u8]) -> String {
    let old_lines: Vec<&[u8]> = old.split_inclusive(|&b| b == b'\n').collect();
    let new_lines: Vec<&[u8]> = new.split_inclusive(|&b| b == b'\n').collect();
    let same_start = old_lines.iter().zip(&new_lines).take_while(|(a, b)| a == b).count();
    let most_at_end = old_lines.len().min(new_lines.len()) - same_start;
    let same_end =
        old_lines.iter().rev().zip(new_lines.iter().rev()).take(most_at_end).take_while(|(a, b)| a == b).count();
    if same_start == old_lines.len() && same_start == new_lines.len() {
        return String::new();
    }
    let from = same_start.saturating_sub(CONTEXT);
    let old_to = (old_lines.len() - same_end + CONTEXT).min(old_lines.len());
    let new_to = (new_lines.len() - same_end + CONTEXT).min(new_lines.len());
    let mut out = format!("@@ -{} +{} @@\n", hunk_range(from, old_to), hunk_range(from, new_to));
    let mut line = |sign: char, text: &[u8]| {
        out.push(sign);
        out.push_str(&String::from_utf8_lossy(text.strip_suffix(b"\n").unwrap_or(text)));
        out.push('\n');
        if !text.ends_with(b"\n") {
            out.push_str("\\ No newline at end of file\n");
        }
    };
    old_lines[from..same_start].iter().for_each(|text| line(' ', text));
    old_lines[same_start..old_lines.len() - same_end].iter().for_each(|text| line('-', text));
    new_lines[same_start..new_lines.len() - same_end].iter().for_each(|text| line('+', text));
    old_lines[old_lines.len() - same_end..old_to].iter().for_each(|text| line(' ', text));
    out
}

/// A hunk's line range (0-based, end excluded) as unified diffs write it: `start,count`
/// from 1, `start` alone for one line, the line before for none.
fn hunk_range(from: usize, to: usize) -> String {
    match to - from {
        0 => format!("{from},0"),
        1 => format!("{}", from + 1),
        count => format!("{},{count}", from + 1),
    }
}

fn worktree_top(repo: &Repo) -> Result<PathBuf> {
    let top = repo.workdir().ok_or_else(|| {
        anyhow!("{} is a bare repository: it has no worktree and no .gitignore to fix", repo.git_dir().display())
    })?;
    dunce::canonicalize(top).with_context(|| format!("cannot resolve the worktree {}", top.display()))
}

/// The target's absolute and worktree-relative paths. Git reads ignore rules only from
/// files named `.gitignore` inside the worktree (and outside `.git`).
fn resolve_target(repo: &Repo, top: &Path, file: Option<&Path>) -> Result<(PathBuf, Vec<u8>)> {
    let Some(file) = file else {
        return Ok((top.join(".gitignore"), b".gitignore".to_vec()));
    };
    let absolute = std::env::current_dir().context("cannot read the current directory")?.join(file);
    let (Some(parent), Some(name)) = (absolute.parent(), absolute.file_name()) else {
        bail!("{} is not a file path", file.display());
    };
    let parent = dunce::canonicalize(parent)
        .with_context(|| format!("cannot use {}: its folder does not exist", file.display()))?;
    let git_dir = dunce::canonicalize(repo.git_dir()).unwrap_or_else(|_| repo.git_dir().to_path_buf());
    let inside = parent.strip_prefix(top).ok().filter(|_| !parent.starts_with(&git_dir));
    let Some(folder) = inside else {
        bail!(
            "refusing to write {}: it is not inside the worktree {}, so git would not read it",
            file.display(),
            top.display()
        );
    };
    if name != ".gitignore" {
        bail!("refusing to write {}: git reads ignore rules only from files named .gitignore", file.display());
    }
    let mut relative = exact_path_bytes(folder)?.into_owned();
    if !relative.is_empty() {
        relative.push(b'/');
    }
    relative.extend_from_slice(b".gitignore");
    Ok((parent.join(name), relative))
}

/// The target's bytes, `None` when it does not exist; refuses what git would not read or we
/// could not keep byte for byte.
fn read_target(path: &Path) -> Result<Option<Vec<u8>>> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", path.display())),
    };
    if meta.file_type().is_symlink() {
        bail!(
            "refusing to change {}: it is a symlink, which git does not read as an ignore file (and which may \
             lead out of the repository); replace it with a regular file",
            path.display()
        );
    }
    if meta.is_dir() {
        bail!("refusing to change {}: it is a folder, not a file; move it away and rerun", path.display());
    }
    if !meta.is_file() {
        // A FIFO would block the read, a device stream forever.
        bail!("refusing to change {}: it is not a regular file (a FIFO, a device or a socket)", path.display());
    }
    // Read as the checks read it, so that a file swapped for a FIFO meanwhile cannot block.
    let bytes = read_regular(path, Symlinks::NotFollowed)
        .with_context(|| format!("refusing to change {}: cannot read it back", path.display()))?;
    bytes.map(Some).ok_or_else(|| anyhow!("refusing to change {}: it changed while being read; rerun", path.display()))
}

/// Every other `.gitignore` git reads in the worktree (found by a walk, plus the tracked
/// ones). Refuses one that is there but cannot be read: the rules to add depend on what it
/// says, and guessing could add too few or too many.
fn other_ignore_files(
    top: &Path,
    tracked: impl Iterator<Item = Vec<u8>>,
    target: &[u8],
    ignore_case: bool,
) -> Result<Vec<IgnoreFile>> {
    let mut paths = find_gitignores(top);
    paths.extend(tracked);
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|path| path.as_slice() != target)
        .filter_map(|path| {
            // A path with no name on this file system (not UTF-8, on Windows) cannot be on
            // disk: git reads no rules from it either.
            let file = top.join(bytes_path(&path).ok()?);
            match read_ignore_file(&file) {
                Ok(bytes) => bytes.map(|bytes| Ok(IgnoreFile::gitignore(&path, &bytes, ignore_case))),
                Err(e) => Some(Err(e).with_context(|| {
                    format!(
                        "cannot read {}, whose rules decide what is missing; make it readable and rerun",
                        file.display()
                    )
                })),
            }
        })
        .collect()
}

/// Paths of the tracked bytecode entries of the index (resolved entries only) that the
/// config does not allow: what `--untrack` and the check's fix take out of the index.
pub(crate) fn tracked_bytecode(repo: &Repo, settings: &Settings) -> Result<Vec<Vec<u8>>> {
    let entries = check::scan_index(repo, check::Candidates::TrackedBytecode, settings.debris, |_| {})?;
    Ok(entries.candidates.into_iter().map(|entry| entry.path).filter(|path| !settings.is_allowed(path)).collect())
}

/// Changes to make to the index in one locked write.
#[derive(Debug, Default)]
pub(crate) struct IndexChange<'a> {
    /// Entries to remove (the files stay on disk).
    pub(crate) untrack: &'a [Vec<u8>],
    /// Worktree files to stage (the updated `.gitignore`).
    pub(crate) stage: &'a [Vec<u8>],
}

/// Fails cleanly when another process holds the index lock: nothing may change then.
pub(crate) fn ensure_index_unlocked(index_path: &Path) -> Result<()> {
    let mut lock = index_path.as_os_str().to_owned();
    lock.push(".lock");
    let lock = PathBuf::from(lock);
    if fs::symlink_metadata(&lock).is_ok() {
        bail!(
            "the index is locked: {} exists, so another git process is using it; wait for it to finish \
             (or, if none is running, remove that file) and rerun",
            lock.display()
        );
    }
    Ok(())
}

/// Applies `change` to the index file at `index_path` under git's lock, and says how many
/// entries it untracked: an entry already gone (another `--untrack` ran meanwhile) is not
/// an error, nor counted.
pub(crate) fn update_index(index_path: &Path, repo: &Repo, change: &IndexChange<'_>) -> Result<usize> {
    ensure_index_unlocked(index_path)?;
    Ok(repo.update_index_file(index_path, change.untrack, change.stage)?)
}
