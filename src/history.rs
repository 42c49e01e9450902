//! Bytecode that commits brought into the history (`--range`, `--pre-push`).
//!
//! A commit that added `a.pyc` bloats every clone forever, even when a later commit removed
//! it, so each commit of the walk is compared with its parent, not just the range's end.
//! The comparison walks the two trees side by side and skips every entry whose object id is
//! unchanged: an untouched subtree costs one comparison, however large it is, so a walk
//! reads only what the commits changed.
//!
//! Merge commits follow `git log -c` (the combined diff): a merge is charged with a file only
//! when it differs from every parent, i.e. the merge itself made it (a conflict resolution,
//! an "evil merge"). A file that one side brought is charged to that side's commit, which
//! the walk visits too unless the excluded end already has it.

use std::collections::HashSet;

use anyhow::{Context, Result, anyhow, bail};
use git2::{Commit, ObjectType, Oid, Sort, Tree};

use crate::bytecode::{self, Reason};
use crate::paths::bytes_path;
use crate::repo::Repo;
use crate::report::{Finding, Kind};

/// The commits to check, as `git rev-list <tips> --not <hidden>` names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walk {
    pub tips: Vec<Oid>,
    pub hidden: Vec<Oid>,
}

/// `A..B`: the commits reachable from `B` and not from `A`; an empty side means `HEAD`, as
/// in git.
pub fn parse_range(repo: &Repo, range: &str) -> Result<Walk> {
    if range.contains("...") {
        bail!("--range {range:?}: symmetric differences (A...B) are not supported; use A..B, e.g. origin/main..HEAD");
    }
    let Some((from, to)) = range.split_once("..") else {
        bail!("--range {range:?} is not a range; use A..B, e.g. origin/main..HEAD");
    };
    let side = |name: &str| resolve_commit(repo, if name.is_empty() { "HEAD" } else { name });
    Ok(Walk { tips: vec![side(to)?], hidden: vec![side(from)?] })
}

/// The commit a revision names (`HEAD~2`, a branch, a tag, an id).
pub fn resolve_commit(repo: &Repo, rev: &str) -> Result<Oid> {
    let object = repo
        .git()
        .revparse_single(rev)
        .map_err(|e| anyhow!("unknown revision {rev:?}: {}; name a commit, branch or tag", e.message()))?;
    let commit =
        object.peel_to_commit().map_err(|e| anyhow!("revision {rev:?} does not name a commit: {}", e.message()))?;
    Ok(commit.id())
}

/// Every commit the remote-tracking branches of `remote` point to (`--remotes=<remote>`),
/// or of every remote when `remote` is `None`.
pub fn remote_tips(repo: &Repo, remote: Option<&str>) -> Result<Vec<Oid>> {
    let glob = match remote {
        Some(name) => format!("refs/remotes/{name}/*"),
        None => "refs/remotes/*".to_owned(),
    };
    let references = repo.git().references_glob(&glob).context("cannot list the remote-tracking branches")?;
    let mut tips = Vec::new();
    for reference in references {
        // A dangling symbolic ref (refs/remotes/origin/HEAD to a pruned branch) is no tip.
        if let Ok(commit) = reference.and_then(|r| r.peel_to_commit()) {
            tips.push(commit.id());
        }
    }
    Ok(tips)
}

/// Bytecode the walk's commits added or changed, once per path, with the oldest commit that
/// brought it (parents are visited before their children).
pub fn bytecode_in_commits(repo: &Repo, walk: &Walk) -> Result<Vec<Finding>> {
    let git = repo.git();
    let mut revwalk = git.revwalk().context("cannot walk the history")?;
    revwalk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).context("cannot walk the history")?;
    for tip in &walk.tips {
        revwalk.push(*tip).with_context(|| format!("cannot walk the history from {tip}"))?;
    }
    for hidden in &walk.hidden {
        revwalk.hide(*hidden).with_context(|| format!("cannot exclude the history of {hidden}"))?;
    }
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for id in revwalk {
        let id = id.context("cannot walk the history")?;
        let commit = git.find_commit(id).with_context(|| format!("cannot read commit {id}"))?;
        for change in brought_by(repo, &commit)? {
            if seen.insert(change.path.clone()) {
                findings.push(Finding::bytecode(change.kind, change.path, change.reason).in_commit(id.to_string()));
            }
        }
    }
    Ok(findings)
}

/// A bytecode file a commit added or changed.
#[derive(Debug, PartialEq, Eq)]
struct Change {
    kind: Kind,
    path: Vec<u8>,
    reason: Reason,
}

/// What this commit itself brought: compared with its first parent, and for a merge kept
/// only where it differs from the other parents too.
fn brought_by(repo: &Repo, commit: &Commit<'_>) -> Result<Vec<Change>> {
    let tree = commit.tree().with_context(|| format!("cannot read the tree of commit {}", commit.id()))?;
    let parents = commit
        .parents()
        .map(|parent| parent.tree())
        .collect::<Result<Vec<Tree<'_>>, _>>()
        .with_context(|| format!("cannot read the parents of commit {}", commit.id()))?;
    let mut changes = Vec::new();
    diff_trees(repo, parents.first(), &tree, &mut Vec::new(), &mut changes)?;
    if parents.len() > 1 {
        let mut kept = Vec::new();
        for change in changes {
            if let Some(change) = merge_made(&tree, &parents[1..], change)? {
                kept.push(change);
            }
        }
        changes = kept;
    }
    Ok(changes)
}

/// A merge's change as `git log -c` sees it: dropped when some other parent already had the
/// same entry, an addition only when no parent had the file.
fn merge_made(tree: &Tree<'_>, others: &[Tree<'_>], mut change: Change) -> Result<Option<Change>> {
    let path = bytes_path(&change.path);
    let ours = tree.get_path(&path).context("cannot read a merge's tree")?;
    for parent in others {
        match parent.get_path(&path) {
            Ok(entry) if entry.id() == ours.id() && entry.filemode() == ours.filemode() => return Ok(None),
            Ok(entry) if bytecode::is_file_mode(entry.filemode() as u32) => change.kind = Kind::CommitModified,
            Ok(_) => {}
            Err(e) if e.code() == git2::ErrorCode::NotFound => {}
            Err(e) => return Err(e).context("cannot read a merge parent's tree"),
        }
    }
    Ok(Some(change))
}

/// Bytecode files of `new` that differ from `old` (`None`: an empty tree). Subtrees with the
/// same id in both are skipped without being read.
fn diff_trees(
    repo: &Repo,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    prefix: &mut Vec<u8>,
    changes: &mut Vec<Change>,
) -> Result<()> {
    for entry in new.iter() {
        let before = old.and_then(|tree| tree.get_name_bytes(entry.name_bytes()));
        if before.as_ref().is_some_and(|b| b.id() == entry.id() && b.filemode() == entry.filemode()) {
            continue;
        }
        let start = prefix.len();
        prefix.extend_from_slice(entry.name_bytes());
        if entry.kind() == Some(ObjectType::Tree) {
            let subtree = repo.git().find_tree(entry.id()).context("cannot read a tree of the history")?;
            let old_subtree = match &before {
                Some(b) if b.kind() == Some(ObjectType::Tree) => {
                    Some(repo.git().find_tree(b.id()).context("cannot read a tree of the history")?)
                }
                _ => None,
            };
            prefix.push(b'/');
            diff_trees(repo, old_subtree.as_ref(), &subtree, prefix, changes)?;
        } else if let Some(reason) = bytecode::classify_entry(prefix, entry.filemode() as u32) {
            let was_file = before.as_ref().is_some_and(|b| bytecode::is_file_mode(b.filemode() as u32));
            let kind = if was_file { Kind::CommitModified } else { Kind::CommitAdded };
            changes.push(Change { kind, path: prefix.clone(), reason });
        }
        prefix.truncate(start);
    }
    Ok(())
}
