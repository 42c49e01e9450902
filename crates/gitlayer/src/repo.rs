//! Opening the repository the way git and its hooks see it: the index, `HEAD` and trees.
//!
//! A hook must read the index the commit is built from, which git names in `GIT_INDEX_FILE`
//! (`.git/index` for a plain commit, `.git/index.lock` for `commit -a`, a temporary
//! `next-index-*.lock` for `commit <paths>`). `Repository::open_from_env` honours it and the
//! other `GIT_*` variables; `discover`/`open` do not. The index path may be relative to the
//! current directory, so nothing here changes directory.

mod error;

use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

use git2::{ErrorCode, Repository};

use crate::id::{ObjectFormat, ObjectId};
use crate::index::{self, Entries, EntryRef};
use crate::objects::packs::Packs;
use crate::objects::{LookFirst, Objects};
use crate::paths::bytes_path;
use crate::refs::{self, Damage, Storage};
pub use error::{Error, Lookup, OpenCause, Operation, SystemOperation};

/// How long libgit2 may take to resolve a revision or peel the refs of a push: reading a
/// ref and the few objects it names takes milliseconds, even `HEAD~10000` well under a
/// second.
const RESOLVE_LIMIT: Duration = Duration::from_secs(5);

fn commit_of(git: &Repository, rev: &str) -> Result<ObjectId, Error> {
    let commit = revision(git, rev)?
        .peel_to_commit()
        .map_err(|e| Error::NotACommit { rev: rev.to_owned(), message: e.message().to_owned() })?;
    Ok(ObjectId::from_git2(commit.id()))
}

fn revision<'r>(git: &'r Repository, rev: &str) -> Result<git2::Object<'r>, Error> {
    git.revparse_single(rev)
        .map_err(|e| Error::UnknownRevision { rev: rev.to_owned(), message: e.message().to_owned() })
}

/// libgit2 failed at `operation`.
fn libgit2(operation: Operation) -> impl FnOnce(git2::Error) -> Error {
    move |e| Error::Libgit2 { operation, message: e.message().to_owned() }
}

/// libgit2 cannot open the repository at `path`.
fn cannot_open(path: &Path, error: &git2::Error) -> Error {
    Error::Open { path: path.to_path_buf(), cause: OpenCause::of(error), message: error.message().to_owned() }
}

/// `git` with its refs readable: a reftable repository gets the backend that reads its
/// tables (`refs`), a repository of unknown ref storage is refused. Returns where the
/// backend keeps the damage it found.
fn with_refs(git: Repository) -> Result<(Repository, Option<Damage>), Error> {
    match Storage::of(&git) {
        Ok(Storage::Files) => Ok((git, None)),
        Ok(Storage::Reftable) => {
            let damage = refs::install(&git, git.path(), git.commondir())?;
            Ok((git, Some(damage)))
        }
        Err(value) => Err(Error::RefStorage { path: git.path().to_path_buf(), value }),
    }
}

/// `Repository::open`, its refs readable ([`with_refs`]).
fn open_git(path: &Path) -> Result<(Repository, Option<Damage>), Error> {
    refs::allow_ref_storage();
    with_refs(Repository::open(path).map_err(|e| cannot_open(path, &e))?)
}

fn current_dir() -> Result<PathBuf, Error> {
    std::env::current_dir().map_err(|source| Error::Io { operation: SystemOperation::ReadCurrentDir, source })
}

/// Whether git calls a repository bare where libgit2 gave it a worktree: one found by standing
/// inside its git directory (a bare repository whose `config` is missing or lacks
/// `core.bare`, as some mirroring tools leave it). libgit2 then takes the folder above for
/// its worktree; git (setup.c) gives it none unless `GIT_WORK_TREE` or `core.worktree` names
/// one. Only a repository found from the current folder, not one named by `GIT_DIR`.
fn bare_as_git_finds_it(git: &Repository, cwd: &Path) -> bool {
    let named = std::env::var_os("GIT_DIR").is_some() || std::env::var_os("GIT_WORK_TREE").is_some();
    if named || git.is_bare() || has_core_worktree(git) {
        return false;
    }
    match (git.path().canonicalize(), cwd.canonicalize()) {
        (Ok(git_dir), Ok(cwd)) => cwd.starts_with(git_dir),
        _ => false,
    }
}

/// Whether the config names a worktree (`core.worktree`).
fn has_core_worktree(git: &Repository) -> bool {
    git.config().is_ok_and(|config| config.get_path("core.worktree").is_ok())
}

/// A repository opened as git would open it from here (honouring `GIT_DIR`,
/// `GIT_WORK_TREE`, `GIT_INDEX_FILE` and `GIT_CEILING_DIRECTORIES`).
pub struct Repo {
    git: Repository,
    /// Where the reftable backend keeps the damage it met (`None` for files refs).
    damage: Option<Damage>,
    opened: How,
    /// The index the checks read: `GIT_INDEX_FILE` for a repository opened as git's hooks
    /// see it, else the git directory's `index`.
    index_path: PathBuf,
    /// git calls it bare where libgit2 gave it a worktree (see [`bare_as_git_finds_it`]).
    bare: bool,
}

/// How a [`Repo`] was opened, to open the same repository again on another thread (a
/// `git2::Repository` may move between threads but not be shared).
#[derive(Debug, Clone)]
pub struct Opener {
    how: How,
    index_path: PathBuf,
    bare: bool,
}

#[derive(Debug, Clone)]
enum How {
    FromEnv,
    At(PathBuf),
}

impl Opener {
    /// The same repository, opened again (for a worker thread).
    pub fn open(&self) -> Result<Repo, Error> {
        refs::allow_ref_storage();
        let git = match &self.how {
            How::FromEnv => Repository::open_from_env(),
            How::At(path) => Repository::open(path),
        };
        let (git, damage) = with_refs(git.map_err(libgit2(Operation::Reopen))?)?;
        Ok(Repo { git, damage, opened: self.how.clone(), index_path: self.index_path.clone(), bare: self.bare })
    }
}

impl Repo {
    /// Opens the repository that contains the current directory, honouring `GIT_DIR`,
    /// `GIT_WORK_TREE`, `GIT_INDEX_FILE` and `GIT_CEILING_DIRECTORIES` as git does.
    pub fn open() -> Result<Repo, Error> {
        match Repo::open_if_any()? {
            Some(repo) => Ok(repo),
            None => Err(Error::NotARepository { path: current_dir()? }),
        }
    }

    /// As [`Repo::open`], but `None` when the current directory is in no repository (a
    /// repository that is there but cannot be opened is still an error).
    pub fn open_if_any() -> Result<Option<Repo>, Error> {
        let cwd = current_dir()?;
        refs::allow_ref_storage();
        let git = match Repository::open_from_env() {
            Ok(git) => git,
            Err(e) if e.code() == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(cannot_open(&cwd, &e)),
        };
        // git exports GIT_WORK_TREE=. to hooks when GIT_DIR is set; libgit2 would resolve
        // that against the git directory instead of the current one.
        if let Some(work_tree) = std::env::var_os("GIT_WORK_TREE") {
            let work_tree = PathBuf::from(work_tree);
            if work_tree.is_relative() {
                git.set_workdir(&cwd.join(work_tree), false).map_err(libgit2(Operation::UseWorkTree))?;
            }
        } else if std::env::var_os("GIT_DIR").is_some() && !git.is_bare() && !has_core_worktree(&git) {
            // GIT_DIR alone: git's worktree is the current folder (setup.c), libgit2's the
            // git directory's parent.
            git.set_workdir(&cwd, false).map_err(libgit2(Operation::UseWorkTree))?;
        }
        let bare = bare_as_git_finds_it(&git, &cwd);
        let index_path = std::env::var_os("GIT_INDEX_FILE").map_or_else(|| git.path().join("index"), PathBuf::from);
        let (git, damage) = with_refs(git)?;
        Ok(Some(Repo { git, damage, opened: How::FromEnv, index_path, bare }))
    }

    /// Opens the repository at `path` without consulting the environment (for library use
    /// and tests, which must not depend on the process's current folder).
    pub fn at(path: &Path) -> Result<Repo, Error> {
        let (git, damage) = open_git(path)?;
        let index_path = git.path().join("index");
        Ok(Repo { git, damage, opened: How::At(path.to_path_buf()), index_path, bare: false })
    }

    /// The repository's object format (`extensions.objectFormat`): how long its ids are.
    pub fn object_format(&self) -> ObjectFormat {
        ObjectFormat::from_git2(self.git.object_format())
    }

    /// `error`, or the damage the reftable backend met that made libgit2 fail (the typed
    /// error, naming the table).
    fn damage_or(&self, error: Error) -> Error {
        let damage = self.damage.as_ref().and_then(|damage| damage.lock().ok()?.take());
        damage.map_or(error, Error::Reftable)
    }

    /// The git directory: `.git`, or a linked worktree's own folder under `.git/worktrees`.
    pub fn git_dir(&self) -> &Path {
        self.git.path()
    }

    /// The git directory that linked worktrees share (the `.git` of the main worktree).
    pub fn common_dir(&self) -> &Path {
        self.git.commondir()
    }

    /// Whether git folds case in paths (`core.ignoreCase`; false when unset or unreadable).
    pub fn ignore_case(&self) -> bool {
        self.git.config().and_then(|c| c.get_bool("core.ignoreCase")).unwrap_or(false)
    }

    /// Whether objects may be missing on purpose: a partial clone (`git clone --filter`)
    /// fetches them from a promisor remote when git needs them. git marks one by a remote's
    /// `promisor` setting (or `extensions.partialClone`, older) and its packs by `.promisor`
    /// files.
    pub fn is_partial_clone(&self) -> bool {
        let configured = self.git.config().is_ok_and(|config| {
            let promisor = |name: &str| config.get_bool(&format!("remote.{name}.promisor")).unwrap_or(false);
            config.get_string("extensions.partialclone").is_ok()
                || self
                    .git
                    .remotes()
                    .is_ok_and(|names| names.iter().any(|name| name.ok().flatten().is_some_and(promisor)))
        });
        let promisor_pack = || {
            std::fs::read_dir(self.objects_dir().join("pack")).is_ok_and(|mut files| {
                files.any(|file| file.is_ok_and(|file| file.path().extension().is_some_and(|ext| ext == "promisor")))
            })
        };
        configured || promisor_pack()
    }

    /// A path-valued setting of git's config (`~` expanded), `None` when unset.
    pub fn config_path(&self, name: &str) -> Result<Option<PathBuf>, Error> {
        let config = self.git.config().map_err(libgit2(Operation::ReadConfig))?;
        Ok(config.get_path(name).ok())
    }

    /// Whether a remote of this name is configured.
    pub fn has_remote(&self, name: &str) -> bool {
        self.git.find_remote(name).is_ok()
    }

    /// The commit each object id names, peeling tags; `None` for one we do not have (an id
    /// of the other object format among them).
    pub fn peeled_commit_ids(&self, ids: Vec<ObjectId>) -> Result<Vec<Option<ObjectId>>, Error> {
        let format = self.object_format();
        self.within_limit(Lookup::Objects(ids.len()), move |git| {
            Ok(ids
                .iter()
                .map(|id| {
                    if id.format() != format {
                        return None;
                    }
                    let object = git.find_object(id.to_git2(), None).ok()?;
                    object.peel_to_commit().ok().map(|commit| ObjectId::from_git2(commit.id()))
                })
                .collect())
        })
    }

    /// The commits the references matching `glob` point to (`refs/remotes/origin/*`); a
    /// dangling symbolic ref (`refs/remotes/origin/HEAD` to a pruned branch) names none.
    pub fn commits_of_refs(&self, glob: &str) -> Result<Vec<ObjectId>, Error> {
        let glob = glob.to_owned();
        self.within_limit(Lookup::References(glob.clone()), move |git| {
            Ok(git
                .references_glob(&glob)
                .map_err(libgit2(Operation::ListReferences(glob.clone())))?
                .filter_map(|reference| reference.and_then(|r| r.peel_to_commit()).ok())
                .map(|c| ObjectId::from_git2(c.id()))
                .collect())
        })
    }

    /// Runs `resolve` on this repository opened again on a thread of its own, and gives up
    /// after [`RESOLVE_LIMIT`]. Resolving a revision or peeling a ref makes libgit2 read the
    /// objects it names itself, and its loose-object reader spins forever on a file cut
    /// short (libgit2 issue #7342, fixed upstream after the 1.9.7 that git2 vendors). Loose
    /// commits, tags and trees are checked before (`objects::check_before_libgit2_walk`); a
    /// revision may still name anything else (a blob's id, `HEAD:file`). A thread that does
    /// not return is left spinning until the process ends, which the error makes soon.
    fn within_limit<T: Send + 'static>(
        &self,
        lookup: Lookup,
        resolve: impl FnOnce(&Repository) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let opener = self.opener();
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("resolve".into())
            .spawn(move || {
                // The receiver is gone only once the limit has passed: nobody waits then.
                let _ = sender.send(opener.open().and_then(|repo| {
                    // Damage in a reftable fails the lookup even where libgit2's caller
                    // skipped the failure (a glob's ref that does not peel).
                    let answer = resolve(&repo.git).map_err(|e| repo.damage_or(e))?;
                    repo.damage
                        .as_ref()
                        .and_then(|damage| damage.lock().ok()?.take())
                        .map_or(Ok(answer), |damage| Err(Error::Reftable(damage)))
                }));
            })
            .map_err(|source| Error::Io { operation: SystemOperation::StartThread, source })?;
        match receiver.recv_timeout(RESOLVE_LIMIT) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => Err(Error::TimedOut { lookup, limit: RESOLVE_LIMIT }),
            Err(RecvTimeoutError::Disconnected) => Err(Error::LookupStopped { lookup }),
        }
    }

    /// `git rev-list --topo-order --reverse <tips> --not <hidden>`: parents before children.
    pub fn commits_oldest_first(&self, tips: &[ObjectId], hidden: &[ObjectId]) -> Result<Vec<ObjectId>, Error> {
        // libgit2 1.9.7 reads a linked worktree's `shallow` file from the worktree's own git
        // folder, where git never writes it: walk from the common one, which holds the same
        // commits.
        let common;
        let git = if self.git.path() == self.git.commondir() {
            &self.git
        } else {
            common = open_git(self.git.commondir())?.0;
            &common
        };
        let mut revwalk = git.revwalk().map_err(libgit2(Operation::WalkHistory))?;
        revwalk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE).map_err(libgit2(Operation::WalkHistory))?;
        for &tip in tips {
            revwalk.push(tip.to_git2()).map_err(libgit2(Operation::WalkHistoryFrom(tip)))?;
        }
        for &hidden in hidden {
            revwalk.hide(hidden.to_git2()).map_err(libgit2(Operation::ExcludeHistoryOf(hidden)))?;
        }
        revwalk.map(|id| id.map(ObjectId::from_git2).map_err(libgit2(Operation::WalkHistory))).collect()
    }

    /// Removes `untrack` from the index file at `index_path` and stages the worktree files
    /// `stage`, through libgit2 (the caller checks first that no one holds the index lock).
    /// Returns how many entries it untracked: one already gone is skipped, not an error.
    /// Nothing is written unless all of it succeeds ([`Operation::WriteIndex`] fails with
    /// the file unchanged).
    pub fn update_index_file(&self, index_path: &Path, untrack: &[Vec<u8>], stage: &[Vec<u8>]) -> Result<usize, Error> {
        let mut index = git2::Index::open_ext(index_path, self.git.object_format())
            .map_err(libgit2(Operation::OpenIndex(index_path.into())))?;
        // An index opened by path has no repository, and staging a file needs one (to read
        // the worktree and write the blob).
        self.git.set_index(&mut index).map_err(libgit2(Operation::UseIndex(index_path.into())))?;
        let mut untracked = 0;
        for path in untrack {
            let name = bytes_path(path)?;
            if index.get_path(&name, 0).is_none() {
                continue;
            }
            index.remove(&name, 0).map_err(libgit2(Operation::Untrack(path.clone())))?;
            untracked += 1;
        }
        for path in stage {
            index.add_path(&bytes_path(path)?).map_err(libgit2(Operation::Stage(path.clone())))?;
        }
        index.write().map_err(libgit2(Operation::WriteIndex(index_path.into())))?;
        Ok(untracked)
    }

    /// The id of the tree the index file at `index_path` describes (written to the object
    /// database, as `git write-tree` does).
    pub fn tree_of_index(&self, index_path: &Path) -> Result<ObjectId, Error> {
        let mut index =
            git2::Index::open_ext(index_path, self.git.object_format()).map_err(libgit2(Operation::ReadIndexBack))?;
        let tree = index.write_tree_to(&self.git).map_err(libgit2(Operation::WriteTreeOfIndex))?;
        Ok(ObjectId::from_git2(tree))
    }

    /// The id of the empty tree (written to the object database).
    pub fn empty_tree_id(&self) -> Result<ObjectId, Error> {
        let tree = self.git.treebuilder(None).and_then(|b| b.write()).map_err(libgit2(Operation::WriteEmptyTree))?;
        Ok(ObjectId::from_git2(tree))
    }

    /// The object database's folder: `GIT_OBJECT_DIRECTORY` when the repository was opened
    /// as git's hooks see it and git set it (libgit2 honours it too), else `objects` of the
    /// common git directory (shared by linked worktrees).
    pub fn objects_dir(&self) -> PathBuf {
        let from_env = match self.opened {
            How::FromEnv => std::env::var_os("GIT_OBJECT_DIRECTORY").map(PathBuf::from),
            How::At(_) => None,
        };
        from_env.unwrap_or_else(|| self.git.commondir().join("objects"))
    }

    /// The pack files of the object database, to share among the readers of several
    /// threads ([`Repo::objects_sharing`]).
    pub fn packs(&self) -> Packs {
        Packs::at(&self.objects_dir(), self.object_format())
    }

    /// A reader of commits and trees, looking in the loose files or the packs first.
    pub fn objects(&self, look_first: LookFirst) -> Objects<'_> {
        Objects::new(&self.git, &self.packs(), look_first, 1)
    }

    /// One of `readers` readers of commits and trees that run at once over packs already
    /// opened (the `--range` workers, which share one mapping of each pack); the readers
    /// share one cache budget, so more cores do not mean more memory.
    pub fn objects_sharing(&self, packs: &Packs, look_first: LookFirst, readers: usize) -> Objects<'_> {
        Objects::new(&self.git, packs, look_first, readers)
    }

    /// How to open this repository again (for worker threads).
    pub fn opener(&self) -> Opener {
        Opener { how: self.opened.clone(), index_path: self.index_path.clone(), bare: self.bare }
    }

    /// libgit2's repository, for the tests of the refdb backend.
    #[cfg(test)]
    pub(crate) fn git2(&self) -> &Repository {
        &self.git
    }

    pub(crate) fn is_bare(&self) -> bool {
        self.bare || self.git.is_bare()
    }

    /// The worktree's top folder (`None` for a bare repository).
    pub fn workdir(&self) -> Option<&Path> {
        if self.bare { None } else { self.git.workdir() }
    }

    /// Where the index lives: `GIT_INDEX_FILE` when set, else the git directory's `index`.
    pub fn index_path(&self) -> PathBuf {
        self.index_path.clone()
    }

    /// The entries of the index that `keep` keeps, and how many it holds in all: one
    /// streaming pass that copies only what is kept (see [`crate::index`]). Use this to
    /// check the index.
    /// A bare repository has no index: [`Error::Bare`].
    pub fn read_index(&self, keep: impl FnMut(&EntryRef<'_>) -> bool) -> Result<Entries, Error> {
        if self.is_bare() {
            return Err(Error::Bare { git_dir: self.git.path().to_path_buf() });
        }
        Ok(index::read_entries(&self.index_path, self.git.path(), self.object_format(), keep)?)
    }

    /// The commit `HEAD` names, or `None` on an unborn branch (no commit yet). Only the refs
    /// are read: the caller reads the commit (through [`Objects`], without libgit2's object
    /// database).
    pub fn head_commit_id(&self) -> Result<Option<ObjectId>, Error> {
        match self.git.head() {
            Ok(head) => Ok(Some(ObjectId::from_git2(head.target().ok_or(Error::HeadNamesNoCommit)?))),
            Err(e) => {
                let unborn = matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound);
                match self.damage_or(libgit2(Operation::ResolveHead)(e)) {
                    Error::Libgit2 { .. } if unborn => Ok(None),
                    error => Err(error),
                }
            }
        }
    }

    /// The tree of any revision git understands (`HEAD~2`, a tag, a commit id).
    pub fn rev_tree_id(&self, rev: &str) -> Result<ObjectId, Error> {
        let rev = rev.to_owned();
        self.within_limit(Lookup::Revision(rev.clone()), move |git| {
            let object = revision(git, &rev)?;
            if object.kind() == Some(git2::ObjectType::Tree) {
                return Ok(ObjectId::from_git2(object.id()));
            }
            // The commit names its tree: libgit2 need not read the tree itself (it is read by
            // our reader, which reports damage).
            let commit = object
                .peel_to_commit()
                .map_err(|e| Error::NotACommitOrTree { rev: rev.clone(), message: e.message().to_owned() })?;
            Ok(ObjectId::from_git2(commit.tree_id()))
        })
    }

    /// The commit a revision names (`HEAD~2`, a branch, a tag, an id).
    pub fn rev_commit_id(&self, rev: &str) -> Result<ObjectId, Error> {
        let rev = rev.to_owned();
        self.within_limit(Lookup::Revision(rev.clone()), move |git| commit_of(git, &rev))
    }

    /// The commits revisions name, resolved together (a push may name thousands of refs).
    pub fn rev_commit_ids(&self, revs: Vec<String>) -> Result<Vec<ObjectId>, Error> {
        self.within_limit(Lookup::Revisions(revs.len()), move |git| {
            revs.iter().map(|rev| commit_of(git, rev)).collect()
        })
    }

    /// The current directory relative to the worktree top (`sub/dir/`, or empty at the top
    /// or outside the worktree), for printing commands that work where the user stands.
    pub fn cwd_prefix(&self) -> Vec<u8> {
        let (Some(top), Ok(cwd)) = (self.workdir(), std::env::current_dir()) else {
            return Vec::new();
        };
        let (Ok(top), Ok(cwd)) = (top.canonicalize(), cwd.canonicalize()) else {
            return Vec::new();
        };
        match cwd.strip_prefix(&top) {
            Ok(rest) if !rest.as_os_str().is_empty() => {
                let mut prefix = crate::paths::path_bytes(rest).to_vec();
                prefix.push(b'/');
                prefix
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opening_nothing_is_an_open_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nothing");
        match Repo::at(&missing) {
            Err(Error::Open { path, cause: OpenCause::Other, message }) => {
                assert_eq!(path, missing);
                assert!(!message.is_empty());
            }
            other => panic!("{:?}", other.map(|repo| repo.git_dir().to_path_buf())),
        }
    }

    #[test]
    fn a_bare_repository_has_no_index_and_revisions_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        Repository::init_bare(dir.path()).unwrap();
        let repo = Repo::at(dir.path()).unwrap();
        assert!(matches!(repo.read_index(|_| true), Err(Error::Bare { git_dir }) if git_dir == repo.git_dir()));
        match repo.rev_commit_id("no-such-branch") {
            Err(Error::UnknownRevision { rev, .. }) => assert_eq!(rev, "no-such-branch"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(repo.head_commit_id(), Ok(None)), "an unborn branch");
    }

    #[test]
    fn a_sha256_repository_opens_and_says_its_format() {
        let dir = tempfile::tempdir().unwrap();
        let mut options = git2::RepositoryInitOptions::new();
        options.object_format(git2::ObjectFormat::Sha256);
        Repository::init_opts(dir.path(), &options).unwrap();
        let repo = Repo::at(dir.path()).unwrap();
        assert_eq!(repo.object_format(), ObjectFormat::Sha256);
        assert!(repo.read_index(|_| true).unwrap().kept.is_empty());
        assert!(matches!(repo.head_commit_id(), Ok(None)), "an unborn branch");
        // git's empty tree in a SHA-256 repository.
        let empty = "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321";
        assert_eq!(repo.empty_tree_id().unwrap().to_string(), empty);
        assert_eq!(repo.rev_tree_id(empty).unwrap().to_string(), empty, "a 64-digit revision");
        let sha1 = tempfile::tempdir().unwrap();
        Repository::init(sha1.path()).unwrap();
        let sha1 = Repo::at(sha1.path()).unwrap();
        assert_eq!(sha1.object_format(), ObjectFormat::Sha1);
        assert_eq!(sha1.empty_tree_id().unwrap().to_string(), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
        // An id of the other format names nothing, and is no error.
        let other = sha1.empty_tree_id().unwrap();
        assert_eq!(repo.peeled_commit_ids(vec![other]).unwrap(), vec![None]);
    }

    #[test]
    fn the_causes_of_a_refused_repository_are_told_apart() {
        use git2::{ErrorClass, ErrorCode};
        let cause = |class, message| OpenCause::of(&git2::Error::new(ErrorCode::GenericError, class, message));
        assert_eq!(cause(ErrorClass::Repository, "unknown object format 'sha512'"), OpenCause::ObjectFormat);
        let not_owned = "repository path '/r' is not owned by current user";
        assert_eq!(cause(ErrorClass::Config, not_owned), OpenCause::NotOwned);
        assert_eq!(cause(ErrorClass::Os, "could not find repository"), OpenCause::Other);
    }
}
