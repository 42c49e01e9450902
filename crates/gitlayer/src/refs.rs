//! Where a repository keeps its refs, and the seam that lets libgit2 read reftables.
//!
//! libgit2 1.9.7 reads files refs (`refs/`, `packed-refs`) itself, and refuses a repository
//! with `extensions.refStorage`. For `reftable` this module reads the tables
//! ([`reftable`]) and hands them to libgit2 as a read-only refdb backend
//! (`refdb_ffi`, the one module with `unsafe`), so libgit2's own revparse, revwalk and
//! reference globs work unchanged. When libgit2 reads reftables itself, `install` and
//! the backend go, and nothing else changes.

pub(crate) mod refdb_ffi;
pub mod reftable;

use std::path::Path;
use std::sync::{Arc, Mutex};

use git2::Repository;

/// How a repository stores its refs (`extensions.refStorage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// Loose files under `refs/` and `packed-refs`: libgit2 reads them.
    Files,
    /// A stack of reftables under `reftable/`.
    Reftable,
}

impl Storage {
    /// The storage a repository's config names; `Err` with the value when it is neither.
    pub fn of(git: &Repository) -> Result<Storage, String> {
        let value = git.config().ok().and_then(|config| config.get_string("extensions.refstorage").ok());
        match value.as_deref() {
            None | Some("files") => Ok(Storage::Files),
            Some("reftable") => Ok(Storage::Reftable),
            Some(other) => Err(other.to_owned()),
        }
    }
}

/// The damage the backend found in a table while libgit2 asked it something: libgit2's
/// error carries only words, this keeps the typed error for the caller.
pub(crate) type Damage = Arc<Mutex<Option<reftable::Error>>>;

/// Makes libgit2 open repositories with `extensions.refStorage` (it refuses any extension
/// it does not know); once per process.
pub(crate) fn allow_ref_storage() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(refdb_ffi::allow_refstorage_extension);
}

/// Gives `git` a backend reading the reftables of `git_dir` (and of `common_dir`), opened
/// now: the tables' headers and footers are checked here.
pub(crate) fn install(git: &Repository, git_dir: &Path, common_dir: &Path) -> Result<Damage, reftable::Error> {
    let refs = reftable::Reftable::open(git_dir, common_dir)?;
    // Tables of ids of another length than the repository's objects are damage, not refs.
    let id_len = crate::id::ObjectFormat::from_git2(git.object_format()).id_len();
    if refs.hash_len().is_some_and(|len| len != id_len) {
        return Err(reftable::Error::new(reftable::ErrorKind::MixedHashes, &common_dir.join("reftable")));
    }
    let damage = Damage::default();
    refdb_ffi::install_backend(git, refs, Arc::clone(&damage))
        .map_err(|message| reftable::Error::backend(message, &common_dir.join("reftable")))?;
    Ok(damage)
}
