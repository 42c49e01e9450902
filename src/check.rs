//! The checks: which bytecode a commit would bring, which is tracked, which a commit holds.
//!
//! Speed matters because the staged check runs on every commit. It scans the index entries'
//! paths (cheap byte comparisons) and consults `HEAD`'s tree only for the few bytecode
//! candidates, instead of diffing the whole tree against the index.

use std::ffi::OsString;

use anyhow::{Context, Result};
use git2::{Index, IndexEntry, ObjectType, Oid, Tree};

use crate::bytecode::{self, Reason};
use crate::ignore_rules::is_gitignore_path;
use crate::paths::{bytes_path, path_bytes};
use crate::repo::Repo;
use crate::report::{Finding, Kind};

/// `GIT_INDEX_ENTRY_STAGEMASK`: non-zero stages are the sides of an unresolved conflict.
const STAGE_MASK: u16 = 0x3000;
/// `GIT_INDEX_ENTRY_INTENT_TO_ADD`, from `git add -N`: a placeholder, not staged content.
const INTENT_TO_ADD: u16 = 1 << 13;

/// Bytecode the next commit would add or change, compared with `base` (`HEAD`, or no tree
/// before the first commit). Deletions are never reported: removing bytecode is the cure.
pub fn staged(index: &Index, base: Option<&Tree<'_>>) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for entry in index.iter() {
        if is_conflict_side(&entry) || entry.flags_extended & INTENT_TO_ADD != 0 {
            continue;
        }
        let Some(reason) = bytecode::classify_entry(&entry.path, entry.mode) else {
            continue;
        };
        let kind = match base.map(|tree| tree.get_path(&bytes_path(&entry.path))) {
            Some(Ok(committed)) if committed.id() == entry.id && committed.filemode() as u32 == entry.mode => continue,
            Some(Ok(_)) => Kind::StagedModified,
            Some(Err(e)) if e.code() == git2::ErrorCode::NotFound => Kind::StagedNew,
            Some(Err(e)) => return Err(e).context("cannot read HEAD's tree"),
            None => Kind::StagedNew,
        };
        findings.push(Finding::bytecode(kind, entry.path, reason));
    }
    Ok(findings)
}

/// Every bytecode entry tracked in the index.
pub fn tracked(index: &Index) -> Vec<Finding> {
    index
        .iter()
        .filter(|entry| !is_conflict_side(entry))
        .filter_map(|entry| {
            let reason = bytecode::classify_entry(&entry.path, entry.mode)?;
            Some(Finding::bytecode(Kind::Tracked, entry.path, reason))
        })
        .collect()
}

/// What a walk of a commit's tree found.
#[derive(Default)]
pub struct TreeScan {
    /// Every bytecode blob or symlink, in git's path order.
    pub findings: Vec<Finding>,
    /// Every `.gitignore` blob: its path and id, for the ignore-rule audit.
    pub gitignores: Vec<(Vec<u8>, Oid)>,
}

/// Walks a commit's tree once for bytecode and ignore files.
pub fn in_tree(repo: &Repo, tree: &Tree<'_>) -> Result<TreeScan> {
    let mut scan = TreeScan::default();
    walk_tree(repo, tree, &mut Vec::new(), &mut scan)?;
    Ok(scan)
}

fn walk_tree(repo: &Repo, tree: &Tree<'_>, prefix: &mut Vec<u8>, scan: &mut TreeScan) -> Result<()> {
    for entry in tree.iter() {
        let start = prefix.len();
        prefix.extend_from_slice(entry.name_bytes());
        let mode = entry.filemode() as u32;
        if entry.kind() == Some(ObjectType::Tree) {
            let subtree = repo.git().find_tree(entry.id()).context("cannot read a tree of the commit")?;
            prefix.push(b'/');
            walk_tree(repo, &subtree, prefix, scan)?;
        } else if let Some(reason) = bytecode::classify_entry(prefix, mode) {
            scan.findings.push(Finding::bytecode(Kind::InCommit, prefix.clone(), reason));
        } else if entry.name_bytes() == b".gitignore" && mode & 0o170000 == 0o100000 {
            scan.gitignores.push((prefix.clone(), entry.id()));
        }
        prefix.truncate(start);
    }
    Ok(())
}

/// The tracked `.gitignore` files of an index.
pub fn tracked_gitignores(index: &Index) -> Vec<Vec<u8>> {
    index.iter().map(|entry| entry.path).filter(|path| is_gitignore_path(path)).collect()
}

/// The files named on the command line, judged by name only (no repository needed).
pub fn named(paths: &[OsString]) -> Vec<Finding> {
    paths
        .iter()
        .filter_map(|path| {
            let bytes = path_bytes(path.as_ref()).into_owned();
            let bytes = normalise_named(bytes);
            let reason: Reason = bytecode::classify(&bytes)?;
            Some(Finding::bytecode(Kind::Named, bytes, reason))
        })
        .collect()
}

/// `./pkg//x.pyc` is `pkg/x.pyc`: drop `.` components and empty ones that shells and
/// `find` leave in paths.
fn normalise_named(path: Vec<u8>) -> Vec<u8> {
    let parts: Vec<&[u8]> = path.split(|&b| b == b'/').filter(|p| !p.is_empty() && *p != b".").collect();
    let mut out = if path.starts_with(b"/") { b"/".to_vec() } else { Vec::new() };
    out.extend_from_slice(&parts.join(&b'/'));
    out
}

fn is_conflict_side(entry: &IndexEntry) -> bool {
    entry.flags & STAGE_MASK != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_paths_are_normalised_and_judged_by_name() {
        let paths: Vec<OsString> =
            ["./pkg//__pycache__/m.pyc", "x.py", "/abs/Y.PYO", "a.pyc/b.py"].iter().map(OsString::from).collect();
        let found: Vec<(Vec<u8>, Option<Reason>)> = named(&paths).into_iter().map(|f| (f.path, f.reason)).collect();
        assert_eq!(
            found,
            vec![
                (b"pkg/__pycache__/m.pyc".to_vec(), Some(Reason::InPycache)),
                (b"/abs/Y.PYO".to_vec(), Some(Reason::Pyo))
            ]
        );
    }
}
