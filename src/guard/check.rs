//! The checks: which bytecode a commit would bring, which is tracked, which a commit holds.
//!
//! Speed matters because the staged check runs on every commit. The index reader hands
//! every entry to a cheap filter ([`Candidates`]: byte comparisons on the path, each
//! folder judged once) and keeps only the bytecode candidates; `HEAD` is read only
//! when there is a candidate, and its tree consulted only for those, instead of diffing the
//! whole tree against the index.

use std::ffi::OsString;

use anyhow::{Context, Result};
use gitlayer::id::ObjectId;

use crate::guard::bytecode::{self, Reason};
use crate::guard::debris::Debris;
use crate::guard::finding::{Finding, Kind};
use crate::guard::hook_env::HookEnv;
use gitlayer::format::Mode;
use gitlayer::ignore_rules::is_gitignore_path;
use gitlayer::index::{Entry, EntryRef};
use gitlayer::objects::{self, LookFirst, Objects};
use gitlayer::paths::{NotUnicode, exact_path_bytes};
use gitlayer::repo::Repo;

/// Which index entries a pass over the index keeps (copies) for a check; everything else is
/// only looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Candidates {
    /// The staged check's: bytecode that is staged content (not a conflict side, not
    /// `git add -N`), and sparse directories, which may hide bytecode.
    Staged,
    /// `--all`'s: tracked bytecode and sparse directories. Conflict sides (stages 1-3) are
    /// skipped; the resolved entry is checked.
    Tracked,
    /// Resolved (stage 0) bytecode entries, what `--untrack` takes out of the index.
    TrackedBytecode,
    /// What `clean` must keep on disk: tracked bytecode in any stage (an unresolved
    /// conflict is tracked too) and sparse directories.
    Kept,
}

/// What one pass over the index kept: the entries `candidates` wanted, and how many entries
/// there are in all.
pub(crate) struct IndexScan {
    pub(crate) candidates: Vec<Entry>,
    pub(crate) total: usize,
}

/// Reads the index once, copying only the candidates; each tracked `.gitignore` path goes
/// to `on_gitignore` as soon as it is read (the audit reads them meanwhile).
pub(crate) fn scan_index(
    repo: &Repo,
    candidates: Candidates,
    debris: Debris,
    on_gitignore: impl FnMut(&[u8]),
) -> Result<IndexScan> {
    // The index is sorted by path: `SortedPaths` judges each folder once. Debris is judged
    // only when a category is chosen: the choice is made here once, not for every entry.
    if debris.is_empty() {
        let mut paths = bytecode::SortedPaths::default();
        scan_index_with(repo, candidates, on_gitignore, |path, mode| paths.classify_entry(path, mode).is_some())
    } else {
        let mut paths = bytecode::SortedPaths::with_debris(debris);
        scan_index_with(repo, candidates, on_gitignore, |path, mode| paths.classify_entry_with(path, mode).is_some())
    }
}

/// [`scan_index`] with a classifier of sorted paths.
fn scan_index_with(
    repo: &Repo,
    candidates: Candidates,
    mut on_gitignore: impl FnMut(&[u8]),
    mut classify: impl FnMut(&[u8], Mode) -> bool,
) -> Result<IndexScan> {
    let mut is_bytecode =
        |entry: &EntryRef<'_>, any_stage: bool| (any_stage || entry.stage == 0) && classify(entry.path, entry.mode);
    let index = repo.read_index(|entry| {
        if gitignore_entry(entry) {
            on_gitignore(entry.path);
        }
        let sparse_dir = || entry.is_sparse_dir() && entry.stage == 0;
        match candidates {
            Candidates::Staged => !entry.intent_to_add && (sparse_dir() || is_bytecode(entry, false)),
            Candidates::Tracked => sparse_dir() || is_bytecode(entry, false),
            Candidates::TrackedBytecode => is_bytecode(entry, false),
            Candidates::Kept => sparse_dir() || is_bytecode(entry, true),
        }
    })?;
    Ok(IndexScan { candidates: index.kept, total: index.total })
}

/// Bytecode the next commit would add or change, compared with the tree it is built on
/// (`HEAD`, or none before the first commit). Deletions are never reported: removing
/// bytecode is the fix. `candidates` are the index entries [`Candidates::Staged`] kept.
pub(crate) fn staged(repo: &Repo, candidates: &[Entry], env: &HookEnv, debris: Debris) -> Result<Vec<Finding>> {
    if candidates.is_empty() {
        return Ok(Vec::new()); // the common case: HEAD is not even read
    }
    let mut objects = repo.objects(LookFirst::Loose);
    let base = match commit_base_tree_id(repo, &mut objects, env)? {
        Some(id) => Some(objects.tree(id).context("cannot read HEAD's tree")?),
        None => None,
    };
    let mut findings = Vec::new();
    for entry in candidates {
        let id = entry.id;
        if entry.is_sparse_dir() {
            staged_in_sparse_dir(&mut objects, base.as_ref(), entry, id, debris, &mut findings)?;
        } else if let Some(reason) = bytecode::classify_entry_with(&entry.path, entry.mode, debris) {
            if let Some(kind) = staged_kind(&mut objects, base.as_ref(), &entry.path, id, entry.mode)? {
                findings.push(Finding::bytecode(kind, entry.path.clone(), reason));
            }
        }
    }
    Ok(findings)
}

/// The id of the tree the next commit is compared with: `HEAD`'s, or, while
/// `git commit --amend` runs its hook, the tree of the amended commit's first parent
/// (none for a root commit). The amend replaces `HEAD`, so bytecode that `HEAD` itself
/// brought would otherwise slip through again. `None`: no commit to compare with.
pub(crate) fn commit_base_tree_id(repo: &Repo, objects: &mut Objects<'_>, env: &HookEnv) -> Result<Option<ObjectId>> {
    let Some(head) = repo.head_commit_id()? else {
        return Ok(None);
    };
    let commit = objects.peeled_commit(head).context("cannot read the commit HEAD names")?;
    if !env.is_amending_commit() {
        return Ok(Some(commit.tree));
    }
    match commit.parents.first() {
        Some(&parent) => Ok(Some(objects.commit(parent).context("cannot read the parent of HEAD")?.tree)),
        None => Ok(None),
    }
}

/// How a staged path differs from the base tree, or `None` when it does not.
fn staged_kind(
    objects: &mut Objects<'_>,
    base: Option<&objects::Tree>,
    path: &[u8],
    id: ObjectId,
    mode: Mode,
) -> Result<Option<Kind>> {
    let Some(base) = base else { return Ok(Some(Kind::StagedNew)) };
    Ok(match objects.entry_at(base, path).context("cannot read HEAD's tree")? {
        Some(committed) if committed == (mode, id) => None,
        Some(_) => Some(Kind::StagedModified),
        None => Some(Kind::StagedNew),
    })
}

/// A sparse directory (sparse index) stands for a whole tree: unchanged from the base tree
/// (the usual case), it adds nothing; otherwise its files are compared one by one.
fn staged_in_sparse_dir(
    objects: &mut Objects<'_>,
    base: Option<&objects::Tree>,
    entry: &Entry,
    id: ObjectId,
    debris: Debris,
    findings: &mut Vec<Finding>,
) -> Result<()> {
    let dir = entry.path.strip_suffix(b"/").unwrap_or(&entry.path);
    if let Some(base) = base {
        if objects.folder_at(base, dir).context("cannot read HEAD's tree")? == Some(id) {
            return Ok(());
        }
    }
    for file in bytecode_in_sparse_dir(objects, entry, id, debris)? {
        if let Some(kind) = staged_kind(objects, base, &file.path, file.id, file.mode)? {
            findings.push(Finding::bytecode(kind, file.path, file.reason));
        }
    }
    Ok(())
}

/// Every bytecode entry tracked in the index. `candidates` are the entries
/// [`Candidates::Tracked`] kept.
pub(crate) fn tracked(repo: &Repo, candidates: &[Entry], debris: Debris) -> Result<Vec<Finding>> {
    let mut objects = repo.objects(LookFirst::Packs);
    let mut findings = Vec::new();
    for entry in candidates {
        if entry.is_sparse_dir() {
            for file in bytecode_in_sparse_dir(&mut objects, entry, entry.id, debris)? {
                findings.push(Finding::bytecode(Kind::Tracked, file.path, file.reason));
            }
        } else if let Some(reason) = bytecode::classify_entry_with(&entry.path, entry.mode, debris) {
            findings.push(Finding::bytecode(Kind::Tracked, entry.path.clone(), reason));
        }
    }
    Ok(findings)
}

/// A bytecode file of a tree.
struct TreeFile {
    path: Vec<u8>,
    id: ObjectId,
    mode: Mode,
    reason: Reason,
}

/// The bytecode files in the tree a sparse-directory entry names, as `git ls-files` lists
/// them when it expands the directory.
fn bytecode_in_sparse_dir(
    objects: &mut Objects<'_>,
    entry: &Entry,
    id: ObjectId,
    debris: Debris,
) -> Result<Vec<TreeFile>> {
    let tree = objects.tree(id).context("cannot read a sparse directory's tree of the index")?;
    let mut files = Vec::new();
    walk_files(objects, &tree, &mut entry.path.clone(), &mut |path, id, mode| {
        if let Some(reason) = bytecode::classify_entry_with(path, mode, debris) {
            files.push(TreeFile { path: path.to_vec(), id, mode, reason });
        }
        Ok(())
    })?;
    Ok(files)
}

/// What a walk of a commit's tree found.
#[derive(Default)]
pub(crate) struct TreeScan {
    /// Every bytecode blob or symlink, in git's path order.
    pub(crate) findings: Vec<Finding>,
    /// Every `.gitignore` blob: its path and id, for the ignore-rule audit.
    pub(crate) gitignores: Vec<(Vec<u8>, ObjectId)>,
    /// How many files (blobs, symlinks, submodules) the tree holds.
    pub(crate) files: usize,
}

/// Walks the tree `tree` (a commit's) once, for bytecode and for ignore files.
pub(crate) fn in_tree(repo: &Repo, tree: ObjectId, debris: Debris) -> Result<TreeScan> {
    let mut objects = repo.objects(LookFirst::Packs);
    let tree = objects.tree(tree).context("cannot read the commit's tree")?;
    let mut scan = TreeScan::default();
    walk_files(&mut objects, &tree, &mut Vec::new(), &mut |path, id, mode| {
        scan.files += 1;
        if let Some(reason) = bytecode::classify_entry_with(path, mode, debris) {
            scan.findings.push(Finding::bytecode(Kind::InCommit, path.to_vec(), reason));
        } else if mode.is_file() && is_gitignore_path(path) {
            scan.gitignores.push((path.to_vec(), id));
        }
        Ok(())
    })?;
    Ok(scan)
}

/// Sees a file (any entry but a tree) of a tree: its path, object id and mode.
type FileVisitor<'a> = dyn FnMut(&[u8], ObjectId, Mode) -> Result<()> + 'a;

/// Visits every file under `tree`, whose path is `prefix`, in git's path order.
fn walk_files(
    objects: &mut Objects<'_>,
    tree: &objects::Tree,
    prefix: &mut Vec<u8>,
    visit: &mut FileVisitor<'_>,
) -> Result<()> {
    for entry in tree.entries() {
        let start = prefix.len();
        prefix.extend_from_slice(entry.name);
        if entry.is_tree() {
            let subtree = objects.subtree(&entry).context("cannot read a tree of the commit")?;
            prefix.push(b'/');
            walk_files(objects, &subtree, prefix, visit)?;
        } else {
            visit(prefix, entry.id(), entry.mode)?;
        }
        prefix.truncate(start);
    }
    Ok(())
}

/// Index entries the ignore-rule audit reads: the tracked `.gitignore` files.
pub(crate) fn gitignore_entry(entry: &EntryRef<'_>) -> bool {
    entry.stage == 0 && entry.mode.is_file() && is_gitignore_path(entry.path)
}

/// The files named on the command line, judged by name only (no repository needed); a
/// name with no exact bytes (not Unicode, on Windows) is refused, not judged by another name.
pub(crate) fn named(paths: &[OsString], debris: Debris) -> Result<Vec<Finding>, NotUnicode> {
    let mut findings = Vec::new();
    for path in paths {
        let bytes = normalise_named(exact_path_bytes(path.as_ref())?.into_owned());
        if let Some(reason) = bytecode::classify_with(&bytes, debris) {
            findings.push(Finding::bytecode(Kind::Named, bytes, reason));
        }
    }
    Ok(findings)
}

/// `./pkg//x.pyc` is `pkg/x.pyc`: drop `.` components and empty ones that shells and
/// `find` leave in paths.
fn normalise_named(path: Vec<u8>) -> Vec<u8> {
    let parts: Vec<&[u8]> = path.split(|&b| b == b'/').filter(|p| !p.is_empty() && *p != b".").collect();
    let mut out = if path.starts_with(b"/") { b"/".to_vec() } else { Vec::new() };
    out.extend_from_slice(&parts.join(&b'/'));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_paths_are_normalised_and_judged_by_name() {
        let paths: Vec<OsString> =
            ["./pkg//__pycache__/m.pyc", "x.py", "/abs/Y.PYO", "a.pyc/b.py"].iter().map(OsString::from).collect();
        let found: Vec<(Vec<u8>, Option<Reason>)> =
            named(&paths, Debris::NONE).unwrap().into_iter().map(|f| (f.path().to_vec(), f.reason())).collect();
        assert_eq!(
            found,
            vec![
                (b"pkg/__pycache__/m.pyc".to_vec(), Some(Reason::InPycache)),
                (b"/abs/Y.PYO".to_vec(), Some(Reason::Pyo))
            ]
        );
    }
}
