//! The fix `check` applies with `--fix` or a "yes": untrack the bytecode it found and make the
//! ignore rules cover bytecode, in the index the commit is being built from.
//!
//! Inside `git commit`, that index is `GIT_INDEX_FILE`, and git re-reads it after the hook,
//! so the commit that results holds no bytecode while the files stay on disk. Two modes need
//! more care:
//! - `git commit <paths>` builds the commit from a temporary index while the user's own index
//!   waits in git's `index.lock`, to be installed afterwards; we fix both, or the bytecode
//!   would still be staged after the commit.
//! - git decides "nothing to commit" before running the hook, so if untracking leaves the
//!   commit empty we stop it ourselves rather than let git record an empty commit.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::guard::fix::plan::LeftOut;
use crate::guard::fix::{GitignoreFix, IndexChange, ensure_index_unlocked, update_index};
use crate::guard::hook_env::HookEnv;
use gitlayer::objects::LookFirst;
use gitlayer::repo::Repo;

/// What the fix in the commit did.
#[derive(Debug)]
pub(crate) struct FixedInCommit {
    pub(crate) untracked: usize,
    /// The `.gitignore` it changed and staged, if any (worktree-relative).
    pub(crate) gitignore: Option<Vec<u8>>,
    /// The rules left out, each with the path whose verdict it would change and the negation
    /// that keeps it out.
    pub(crate) left_out: Vec<LeftOut>,
    /// Inside `git commit`: the commit would now be empty.
    pub(crate) nothing_left_to_commit: bool,
}

/// Untracks `paths` and applies `fix` to the ignore rules (planned by the caller, who may
/// ask first). Refuses (changing nothing) when the `.gitignore` cannot be edited safely or
/// the index is locked by someone else.
pub(crate) fn fix_in_commit(repo: &Repo, paths: &[Vec<u8>], env: &HookEnv, fix: GitignoreFix) -> Result<FixedInCommit> {
    let index_path = repo.index_path();
    ensure_index_unlocked(&index_path)?;
    let staged_gitignore = if fix.plan.changes() {
        fix.write()?;
        vec![fix.relative.clone()]
    } else {
        Vec::new()
    };
    let change = IndexChange { untrack: paths, stage: &staged_gitignore };
    update_index(&index_path, repo, &change)?;
    if let Some(users_index) = users_index_waiting(repo, &index_path) {
        update_index(&users_index, repo, &change)?;
    }
    Ok(FixedInCommit {
        untracked: paths.len(),
        gitignore: fix.plan.changes().then_some(fix.relative),
        left_out: fix.plan.left_out,
        nothing_left_to_commit: env.in_commit_hook && commit_would_be_empty(repo, &index_path, env)?,
    })
}

/// During `git commit <paths>` (a temporary `next-index-*.lock`), the user's own index that
/// git holds in `index.lock` and installs after the commit.
fn users_index_waiting(repo: &Repo, index_path: &Path) -> Option<PathBuf> {
    let name = index_path.file_name()?.to_str()?;
    let temporary = name.starts_with("next-index-") && name.ends_with(".lock");
    let waiting = repo.git_dir().join("index.lock");
    (temporary && waiting.is_file()).then_some(waiting)
}

/// Whether the index now records the same tree as the commit it would replace or follow.
fn commit_would_be_empty(repo: &Repo, index_path: &Path, env: &HookEnv) -> Result<bool> {
    let tree = repo.tree_of_index(index_path)?;
    let mut objects = repo.objects(LookFirst::Loose);
    let base = match crate::guard::check::commit_base_tree_id(repo, &mut objects, env)? {
        Some(base) => base,
        None => repo.empty_tree_id()?,
    };
    Ok(tree == base)
}
