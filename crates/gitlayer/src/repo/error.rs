//! Why the repository could not be opened or asked something: one variant per kind, with
//! its context (the path, the revision, libgit2's message) as fields. The caller decides
//! what to advise for each kind.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::id::ObjectId;
use crate::index;
use crate::refs::reftable;

/// Why the repository could not be opened or asked something.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No repository holds the folder `path`, nor any folder above it (up to
    /// `GIT_CEILING_DIRECTORIES`).
    #[error("not a git repository: {} (nor any parent folder)", path.display())]
    NotARepository {
        /// The folder the search started from.
        path: PathBuf,
    },
    /// A repository is at `path`, but libgit2 cannot open it; `cause` says why, in a kind
    /// the caller can advise on.
    #[error("cannot open the git repository at {}: {message}", path.display())]
    Open {
        /// Where the repository is.
        path: PathBuf,
        /// Why libgit2 cannot open it.
        cause: OpenCause,
        /// libgit2's own words.
        message: String,
    },
    /// The repository's `extensions.refStorage` is neither `files` nor `reftable`.
    #[error("cannot open the git repository at {}: its refs are stored as {value:?} (extensions.refStorage), which is neither files nor reftable", path.display())]
    RefStorage {
        /// The repository's git folder.
        path: PathBuf,
        /// The value of `extensions.refStorage`.
        value: String,
    },
    /// A reftable of the repository is damaged, or names a table that is not there.
    #[error(transparent)]
    Reftable(#[from] reftable::Error),
    /// The repository is bare (`git_dir`): it has no index and no worktree.
    #[error("{} is a bare repository: it has no index", git_dir.display())]
    Bare {
        /// The repository's git folder.
        git_dir: PathBuf,
    },
    /// The index cannot be read.
    #[error(transparent)]
    Index(#[from] index::Error),
    /// A path has no name on this file system (not UTF-8, on Windows), so libgit2 cannot be
    /// asked to change its index entry.
    #[error("cannot change the index entry of {}", crate::paths::display_path(&.0.0))]
    NotUnicode(#[from] crate::paths::NotUnicode),
    /// git does not know the revision `rev`.
    #[error("unknown revision {rev:?}: {message}")]
    UnknownRevision {
        /// The revision as given.
        rev: String,
        /// libgit2's own words.
        message: String,
    },
    /// The revision names an object that does not peel to a commit.
    #[error("revision {rev:?} does not name a commit: {message}")]
    NotACommit {
        /// The revision as given.
        rev: String,
        /// libgit2's own words.
        message: String,
    },
    /// The revision names an object that does not peel to a commit or a tree.
    #[error("revision {rev:?} does not name a commit or tree: {message}")]
    NotACommitOrTree {
        /// The revision as given.
        rev: String,
        /// libgit2's own words.
        message: String,
    },
    /// `HEAD` is a symbolic ref that does not end at a commit id.
    #[error("cannot resolve HEAD: it names no commit")]
    HeadNamesNoCommit,
    /// libgit2 took longer than `limit` to look something up: it is stuck, most likely on a
    /// damaged object.
    #[error("{lookup} took more than {} s: libgit2 is stuck, most likely on a damaged object", limit.as_secs())]
    TimedOut {
        /// What was being looked up.
        lookup: Lookup,
        /// How long it was given.
        limit: Duration,
    },
    /// The thread looking something up stopped without an answer.
    #[error("{lookup} failed: the thread resolving it stopped")]
    LookupStopped {
        /// What was being looked up.
        lookup: Lookup,
    },
    /// An operation of the system failed.
    #[error("cannot {operation}")]
    Io {
        /// What the system was asked to do.
        operation: SystemOperation,
        /// The system's error.
        source: io::Error,
    },
    /// libgit2 failed at `operation`: its message.
    #[error("cannot {operation}: {message}")]
    Libgit2 {
        /// What libgit2 was asked to do.
        operation: Operation,
        /// libgit2's own words.
        message: String,
    },
}

/// Why libgit2 cannot open a repository that git itself opens, or anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenCause {
    /// It names objects by a hash function other than SHA-1 and SHA-256
    /// (`extensions.objectFormat`), which neither git nor libgit2 knows.
    ObjectFormat,
    /// It belongs to another user, and git's `safe.directory` does not list it.
    NotOwned,
    /// Anything else: libgit2's message says.
    Other,
}

/// What libgit2 was looking up on a thread of its own, under a time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Peeling this many object ids to commits.
    Objects(usize),
    /// The references matching this glob.
    References(String),
    /// This revision.
    Revision(String),
    /// This many revisions.
    Revisions(usize),
}

/// An operation of the system the repository needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemOperation {
    /// Read the current folder.
    ReadCurrentDir,
    /// Start a thread for a lookup under a time limit.
    StartThread,
}

/// What libgit2 was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Open the same repository again (for another thread).
    Reopen,
    /// Use `GIT_WORK_TREE`.
    UseWorkTree,
    /// Read the repository's config.
    ReadConfig,
    /// Resolve `HEAD`.
    ResolveHead,
    /// List the references matching this glob.
    ListReferences(String),
    /// Open the common git folder of a linked worktree.
    OpenCommonDir,
    /// Walk the history.
    WalkHistory,
    /// Start walking the history at this commit.
    WalkHistoryFrom(ObjectId),
    /// Leave out the history of this commit.
    ExcludeHistoryOf(ObjectId),
    /// Open the index file at this path (to change it).
    OpenIndex(PathBuf),
    /// Use the index file at this path.
    UseIndex(PathBuf),
    /// Remove this path (bytes, worktree-relative) from the index.
    Untrack(Vec<u8>),
    /// Stage the worktree file at this path (bytes, worktree-relative).
    Stage(Vec<u8>),
    /// Write the index file at this path.
    WriteIndex(PathBuf),
    /// Read the index back after writing it.
    ReadIndexBack,
    /// Write the tree the index describes.
    WriteTreeOfIndex,
    /// Write the empty tree.
    WriteEmptyTree,
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lookup::Objects(count) => write!(f, "reading {count} objects"),
            Lookup::References(glob) => write!(f, "reading the references {glob}"),
            Lookup::Revision(rev) => write!(f, "resolving the revision {rev:?}"),
            Lookup::Revisions(count) => write!(f, "resolving {count} revisions"),
        }
    }
}

impl fmt::Display for SystemOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SystemOperation::ReadCurrentDir => "read the current directory",
            SystemOperation::StartThread => "start a thread",
        })
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operation::Reopen => f.write_str("open the git repository again"),
            Operation::UseWorkTree => f.write_str("use GIT_WORK_TREE"),
            Operation::ReadConfig => f.write_str("read the repository's git config"),
            Operation::ResolveHead => f.write_str("resolve HEAD"),
            Operation::ListReferences(glob) => write!(f, "read the references {glob}"),
            Operation::OpenCommonDir => f.write_str("open the common git folder"),
            Operation::WalkHistory => f.write_str("walk the history"),
            Operation::WalkHistoryFrom(id) => write!(f, "walk the history from {id}"),
            Operation::ExcludeHistoryOf(id) => write!(f, "exclude the history of {id}"),
            Operation::OpenIndex(path) => write!(f, "read the index {}", path.display()),
            Operation::UseIndex(path) => write!(f, "use the index {}", path.display()),
            Operation::Untrack(path) => write!(f, "untrack {}", String::from_utf8_lossy(path)),
            Operation::Stage(path) => write!(f, "stage {}", String::from_utf8_lossy(path)),
            Operation::WriteIndex(path) => write!(f, "write the index {}", path.display()),
            Operation::ReadIndexBack => f.write_str("read the index back"),
            Operation::WriteTreeOfIndex => f.write_str("compute the tree of the index"),
            Operation::WriteEmptyTree => f.write_str("compute the empty tree"),
        }
    }
}

impl OpenCause {
    /// The kind of libgit2's refusal to open a repository.
    pub(super) fn of(error: &git2::Error) -> OpenCause {
        let message = error.message();
        if message.contains("unknown object format") {
            OpenCause::ObjectFormat
        } else if error.class() == git2::ErrorClass::Config && message.contains("not owned by current user") {
            OpenCause::NotOwned
        } else {
            OpenCause::Other
        }
    }
}
