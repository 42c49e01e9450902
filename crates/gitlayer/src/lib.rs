//! git's formats and the repository, with no policy of ours: the index (split, sparse),
//! objects (loose, packs, deltas), trees and commits, ignore rules, path bytes, and [`repo::Repo`],
//! the one wrapper around libgit2.
//!
//! Nothing here depends on the rest of the crate: `guard`, `report` and `cli` build on it.

pub mod files;
pub mod format;
pub mod id;
pub mod ignore_rules;
pub mod index;
pub mod objects;
pub mod paths;
pub mod repo;
pub mod walk;

/// Sets libgit2's process-wide options, once, before any repository is opened.
pub fn set_libgit2_options() {
    // libgit2 hashes every object it reads again to verify its id; git does not (only
    // `git fsck` does), and the checks read trees on every commit.
    git2::opts::strict_hash_verification(false);
    // The readers of `objects` keep the trees they read (per thread); libgit2's object cache
    // would only add bookkeeping to every read.
    git2::opts::enable_caching(false);
}
