//! Opening the repository the way git and its hooks see it: the index, `HEAD` and trees.
//!
//! A hook must read the index the commit is built from, which git names in `GIT_INDEX_FILE`
//! (`.git/index` for a plain commit, `.git/index.lock` for `commit -a`, a temporary
//! `next-index-*.lock` for `commit <paths>`). `Repository::open_from_env` honours it and the
//! other `GIT_*` variables; `discover`/`open` do not. The index path may be relative to the
//! current directory, so nothing here changes directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use git2::{ErrorCode, Oid, Repository};

use crate::git::index::{self, Entries, EntryRef};
use crate::git::objects::packs::Packs;
use crate::git::objects::{LookFirst, Objects};

pub struct Repo {
    git: Repository,
    opened: Opener,
    /// The index the checks read: `GIT_INDEX_FILE` for a repository opened as git's hooks
    /// see it, else the git directory's `index`.
    index_path: PathBuf,
}

/// How a [`Repo`] was opened, to open the same repository again on another thread (a
/// `git2::Repository` may move between threads but not be shared).
#[derive(Debug, Clone)]
pub(crate) enum Opener {
    FromEnv,
    At(PathBuf),
}

impl Opener {
    pub(crate) fn open(&self) -> Result<Repository> {
        let git = match self {
            Opener::FromEnv => Repository::open_from_env(),
            Opener::At(path) => Repository::open(path),
        };
        git.map_err(|e| anyhow!("cannot open the git repository again: {}", e.message()))
    }
}

impl Repo {
    /// Opens the repository that contains the current directory, honouring `GIT_DIR`,
    /// `GIT_WORK_TREE`, `GIT_INDEX_FILE` and `GIT_CEILING_DIRECTORIES` as git does.
    pub(crate) fn open() -> Result<Repo> {
        match Repo::open_if_any()? {
            Some(repo) => Ok(repo),
            None => bail!(
                "not a git repository: {} (nor any parent folder); run it inside a repository, \
                 or name the files to check",
                std::env::current_dir().context("cannot read the current directory")?.display()
            ),
        }
    }

    /// As [`Repo::open`], but `None` when the current directory is in no repository (a
    /// repository that is there but cannot be opened is still an error).
    pub(crate) fn open_if_any() -> Result<Option<Repo>> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        // libgit2 hashes every object it reads again to verify its id; git does not (only
        // `git fsck` does), and the checks read trees on every commit.
        git2::opts::strict_hash_verification(false);
        let git = match Repository::open_from_env() {
            Ok(git) => git,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(anyhow!("cannot open the git repository at {}: {}", cwd.display(), e.message())),
        };
        // git exports GIT_WORK_TREE=. to hooks when GIT_DIR is set; libgit2 would resolve
        // that against the git directory instead of the current one.
        if let Some(work_tree) = std::env::var_os("GIT_WORK_TREE") {
            let work_tree = PathBuf::from(work_tree);
            if work_tree.is_relative() {
                git.set_workdir(&cwd.join(work_tree), false).context("cannot use GIT_WORK_TREE")?;
            }
        }
        let index_path = std::env::var_os("GIT_INDEX_FILE").map_or_else(|| git.path().join("index"), PathBuf::from);
        Ok(Some(Repo { git, opened: Opener::FromEnv, index_path }))
    }

    /// Opens the repository at `path` without consulting the environment (for library use
    /// and tests, which must not depend on the process's current folder).
    pub fn at(path: &Path) -> Result<Repo> {
        let git = Repository::open(path)
            .map_err(|e| anyhow!("cannot open the git repository at {}: {}", path.display(), e.message()))?;
        let index_path = git.path().join("index");
        Ok(Repo { git, opened: Opener::At(path.to_path_buf()), index_path })
    }

    pub(crate) fn git(&self) -> &Repository {
        &self.git
    }

    /// The object database's folder: `GIT_OBJECT_DIRECTORY` when the repository was opened
    /// as git's hooks see it and git set it (libgit2 honours it too), else `objects` of the
    /// common git directory (shared by linked worktrees).
    pub(crate) fn objects_dir(&self) -> PathBuf {
        let from_env = match self.opened {
            Opener::FromEnv => std::env::var_os("GIT_OBJECT_DIRECTORY").map(PathBuf::from),
            Opener::At(_) => None,
        };
        from_env.unwrap_or_else(|| self.git.commondir().join("objects"))
    }

    /// The pack files of the object database, for [`Repo::objects`].
    pub(crate) fn packs(&self) -> Packs {
        Packs::at(&self.objects_dir())
    }

    /// A reader of commits and trees over `packs` (from [`Repo::packs`]).
    pub(crate) fn objects<'r>(&'r self, packs: &'r Packs, look_first: LookFirst) -> Objects<'r> {
        Objects::new(&self.git, packs, look_first)
    }

    /// How to open this repository again (for worker threads).
    pub(crate) fn opener(&self) -> Opener {
        self.opened.clone()
    }

    pub(crate) fn is_bare(&self) -> bool {
        self.git.is_bare()
    }

    /// The worktree's top folder (`None` for a bare repository).
    pub(crate) fn workdir(&self) -> Option<&Path> {
        self.git.workdir()
    }

    /// Where the index lives: `GIT_INDEX_FILE` when set, else the git directory's `index`.
    pub(crate) fn index_path(&self) -> PathBuf {
        self.index_path.clone()
    }

    /// The entries of the index that `keep` keeps, and how many it holds in all: one
    /// streaming pass that copies only what is kept (see [`crate::git::index`]). Use this to
    /// check the index.
    pub(crate) fn read_index(&self, keep: impl FnMut(&EntryRef<'_>) -> bool) -> Result<Entries> {
        self.refuse_bare()?;
        index::read_entries(&self.index_path(), self.git.path(), keep)
            .map_err(|e| self.unreadable_index(&e.to_string()))
    }

    fn refuse_bare(&self) -> Result<()> {
        if self.is_bare() {
            bail!(
                "{} is a bare repository: it has no index to check; check a commit with --rev <REV>",
                self.git.path().display()
            );
        }
        Ok(())
    }

    fn unreadable_index(&self, why: &str) -> anyhow::Error {
        let path = self.index_path();
        anyhow!(
            "cannot read the index {}: {why}; if `git status` fails too, rebuild it with `rm {} && git reset`",
            path.display(),
            path.display()
        )
    }

    /// The commit `HEAD` names, or `None` on an unborn branch (no commit yet). Only the refs
    /// are read: the caller reads the commit (through [`Objects`], without libgit2's object
    /// database).
    pub(crate) fn head_commit_id(&self) -> Result<Option<Oid>> {
        match self.git.head() {
            Ok(head) => Ok(Some(head.target().context("cannot resolve HEAD: it names no commit")?)),
            Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
            Err(e) => Err(anyhow!("cannot resolve HEAD: {}", e.message())),
        }
    }

    /// The tree of any revision git understands (`HEAD~2`, a tag, a commit id).
    pub(crate) fn rev_tree_id(&self, rev: &str) -> Result<Oid> {
        let tree = self
            .revision(rev)?
            .peel_to_tree()
            .map_err(|e| anyhow!("revision {rev:?} does not name a commit or tree: {}", e.message()))?;
        Ok(tree.id())
    }

    /// The commit a revision names (`HEAD~2`, a branch, a tag, an id).
    pub(crate) fn rev_commit_id(&self, rev: &str) -> Result<Oid> {
        let commit = self
            .revision(rev)?
            .peel_to_commit()
            .map_err(|e| anyhow!("revision {rev:?} does not name a commit: {}", e.message()))?;
        Ok(commit.id())
    }

    fn revision(&self, rev: &str) -> Result<git2::Object<'_>> {
        self.git
            .revparse_single(rev)
            .map_err(|e| anyhow!("unknown revision {rev:?}: {}; name a commit, branch or tag", e.message()))
    }

    /// The current directory relative to the worktree top (`sub/dir/`, or empty at the top
    /// or outside the worktree), for printing commands that work where the user stands.
    pub(crate) fn cwd_prefix(&self) -> Vec<u8> {
        let (Some(top), Ok(cwd)) = (self.workdir(), std::env::current_dir()) else {
            return Vec::new();
        };
        let (Ok(top), Ok(cwd)) = (top.canonicalize(), cwd.canonicalize()) else {
            return Vec::new();
        };
        match cwd.strip_prefix(&top) {
            Ok(rest) if !rest.as_os_str().is_empty() => {
                let mut prefix = crate::git::paths::path_bytes(rest).to_vec();
                prefix.push(b'/');
                prefix
            }
            _ => Vec::new(),
        }
    }
}
