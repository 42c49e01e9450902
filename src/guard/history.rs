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

use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

use anyhow::{Context, Result, bail};
use gitlayer::id::ObjectId;

use crate::guard::bytecode::{self, Reason};
use crate::guard::debris::Debris;
use crate::guard::finding::{BytecodeFinding, Finding, Kind};
use gitlayer::objects::{LookFirst, Objects, Tree};
use gitlayer::repo::Repo;

/// The commits to check, as `git rev-list <tips> --not <hidden>` names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Walk {
    pub(crate) tips: Vec<ObjectId>,
    pub(crate) hidden: Vec<ObjectId>,
}

/// `A..B`: the commits reachable from `B` and not from `A`; an empty side means `HEAD`, as
/// in git. One revision `REV` alone: every commit reachable from it, as `git log REV`.
pub(crate) fn parse_range(repo: &Repo, range: &str) -> Result<Walk> {
    if range.contains("...") {
        bail!("--range {range:?}: symmetric differences (A...B) are not supported; use A..B, e.g. origin/main..HEAD");
    }
    let Some((from, to)) = range.split_once("..") else {
        let [tip]: [ObjectId; 1] =
            repo.rev_commit_ids(vec![range.to_owned()])?.try_into().expect("one commit a revision");
        return Ok(Walk { tips: vec![tip], hidden: Vec::new() });
    };
    let side = |name: &str| if name.is_empty() { "HEAD".to_owned() } else { name.to_owned() };
    let [to, from]: [ObjectId; 2] =
        repo.rev_commit_ids(vec![side(to), side(from)])?.try_into().expect("one commit a revision");
    Ok(Walk { tips: vec![to], hidden: vec![from] })
}

/// Every commit the remote-tracking branches of `remote` point to (`--remotes=<remote>`),
/// or of every remote when `remote` is `None`.
pub(crate) fn remote_tips(repo: &Repo, remote: Option<&str>) -> Result<Vec<ObjectId>> {
    let glob = match remote {
        Some(name) => format!("refs/remotes/{name}/*"),
        None => "refs/remotes/*".to_owned(),
    };
    repo.commits_of_refs(&glob).context("cannot list the remote-tracking branches")
}

/// What a walk over commits found, and how many commits it judged.
pub(crate) struct CommitsChecked {
    pub(crate) findings: Vec<Finding>,
    pub(crate) commits: usize,
}

/// Bytecode the walk's commits added or changed, once per path, with the oldest commit that
/// brought it (parents are visited before their children).
pub(crate) fn bytecode_in_commits(repo: &Repo, walk: &Walk, debris: Debris) -> Result<CommitsChecked> {
    let commits = repo.commits_oldest_first(&walk.tips, &walk.hidden)?;
    let mut seen = HashSet::new();
    let mut findings = Vec::new();
    for (commit, change) in changes_in_parallel(repo, &commits, debris)? {
        if seen.insert(change.path.clone()) {
            let finding = BytecodeFinding { kind: change.kind, path: change.path, reason: change.reason, commit: None };
            findings.push(Finding::Bytecode(finding.in_commit(commit.to_string(), change.in_root_commit)));
        }
    }
    Ok(CommitsChecked { findings, commits: commits.len() })
}

/// What the commits of one block brought, each change with its commit.
type BlockChanges = Result<Vec<(ObjectId, Change)>>;

/// Commits per unit of work. Each block starts with its first commit's parent trees unread,
/// so blocks are large enough for that to be noise and small enough to share out evenly.
const BLOCK: usize = 256;

/// What every commit brought, in the order of `commits`.
///
/// Commits are compared independently, so blocks of them are shared out to one worker per
/// core. Each worker opens the repository itself: libgit2 holds an object database's lock
/// for the whole of every read, so workers sharing one would take turns.
fn changes_in_parallel(repo: &Repo, commits: &[ObjectId], debris: Debris) -> Result<Vec<(ObjectId, Change)>> {
    let blocks: Vec<&[ObjectId]> = commits.chunks(BLOCK).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next_block = AtomicUsize::new(0);
    let workers = cores.min(blocks.len()).max(1);
    let packs = repo.packs();
    let work = |repo: &Repo| -> Result<Vec<(usize, BlockChanges)>> {
        let mut objects = repo.objects_sharing(&packs, LookFirst::Packs, workers);
        let mut done = Vec::new();
        loop {
            let index = next_block.fetch_add(1, AtomicOrdering::Relaxed);
            let Some(block) = blocks.get(index) else { return Ok(done) };
            done.push((index, changes_in_block(&mut objects, block, debris)));
        }
    };
    let opener = repo.opener();
    // Helpers only speed the walk up: one that cannot start or open the repository leaves
    // its share to the others, and the calling thread always works.
    let helper = || match opener.open() {
        Ok(repo) => work(&repo),
        Err(_) => Ok(Vec::new()),
    };
    let mut done = std::thread::scope(|scope| -> Result<Vec<_>> {
        let helpers: Vec<_> =
            (1..workers).filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, helper).ok()).collect();
        let mut done = work(repo)?;
        for helper in helpers {
            done.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
        }
        Ok(done)
    })?;
    done.sort_by_key(|(index, _)| *index);
    let mut changes = Vec::new();
    for (_, block) in done {
        changes.extend(block?);
    }
    Ok(changes)
}

fn changes_in_block(objects: &mut Objects<'_>, commits: &[ObjectId], debris: Debris) -> BlockChanges {
    let mut changes = Vec::new();
    for &id in commits {
        changes.extend(brought_by(objects, id, debris)?.into_iter().map(|change| (id, change)));
    }
    Ok(changes)
}

/// A bytecode file a commit added or changed.
#[derive(Debug, PartialEq, Eq)]
struct Change {
    kind: Kind,
    path: Vec<u8>,
    reason: Reason,
    /// The commit has no parent here (a root commit, or a shallow clone's edge).
    in_root_commit: bool,
}

/// What this commit itself brought: compared with its first parent, and for a merge kept
/// only where it differs from the other parents too.
fn brought_by(objects: &mut Objects<'_>, id: ObjectId, debris: Debris) -> Result<Vec<Change>> {
    let commit = objects.commit(id)?;
    let tree = objects.tree(commit.tree)?;
    let first_parent = match commit.parents.first() {
        Some(&parent) => Some(objects.tree_of_commit(parent)?),
        None => None,
    };
    let mut changes = Vec::new();
    diff_trees(objects, first_parent.as_ref(), &tree, debris, &mut Vec::new(), &mut changes)?;
    for change in &mut changes {
        change.in_root_commit = commit.parents.is_empty();
    }
    if commit.parents.len() > 1 && !changes.is_empty() {
        let mut others = Vec::new();
        for &parent in &commit.parents[1..] {
            others.push(objects.tree_of_commit(parent)?);
        }
        let mut kept = Vec::new();
        for change in changes {
            if let Some(change) = merge_made(objects, &tree, &others, change)? {
                kept.push(change);
            }
        }
        changes = kept;
    }
    Ok(changes)
}

/// A merge's change as `git log -c` sees it: dropped when some other parent already had the
/// same entry, an addition only when no parent had the file.
fn merge_made(objects: &mut Objects<'_>, tree: &Tree, others: &[Tree], mut change: Change) -> Result<Option<Change>> {
    let ours = objects.entry_at(tree, &change.path)?;
    for parent in others {
        match objects.entry_at(parent, &change.path)? {
            Some(entry) if Some(entry) == ours => return Ok(None),
            Some((mode, _)) if bytecode::is_file_mode(mode) => change.kind = Kind::CommitModified,
            _ => {}
        }
    }
    Ok(Some(change))
}

/// Bytecode files of `new` that differ from `old` (`None`: an empty tree). Both entry lists
/// are in git's order, so one pass over each pairs them up; subtrees with the same id in
/// both are skipped without being read.
fn diff_trees(
    objects: &mut Objects<'_>,
    old: Option<&Tree>,
    new: &Tree,
    debris: Debris,
    prefix: &mut Vec<u8>,
    changes: &mut Vec<Change>,
) -> Result<()> {
    let mut old_entries = old.map(Tree::entries).into_iter().flatten().peekable();
    for entry in new.entries() {
        while old_entries.next_if(|o| o.tree_order(&entry) == Ordering::Less).is_some() {}
        let before = old_entries.next_if(|o| o.tree_order(&entry) == Ordering::Equal);
        if before.is_some_and(|b| b.same_as(&entry)) {
            continue;
        }
        let start = prefix.len();
        prefix.extend_from_slice(entry.name);
        if entry.is_tree() {
            let subtree = objects.subtree(&entry)?;
            // Same sort position means same name and both folders.
            let old_subtree = before.map(|b| objects.subtree(&b)).transpose()?;
            prefix.push(b'/');
            diff_trees(objects, old_subtree.as_ref(), &subtree, debris, prefix, changes)?;
        } else if let Some(reason) = bytecode::classify_entry_with(prefix, entry.mode, debris) {
            let was_file = before.is_some_and(|b| bytecode::is_file_mode(b.mode));
            let kind = if was_file { Kind::CommitModified } else { Kind::CommitAdded };
            changes.push(Change { kind, path: prefix.clone(), reason, in_root_commit: false });
        }
        prefix.truncate(start);
    }
    Ok(())
}
