//! git's formats and the repository, with no policy of ours: the index (split, sparse),
//! objects (loose, packs, deltas), trees and commits, ignore rules, path bytes, and [`repo::Repo`],
//! the one wrapper around libgit2.
//!
//! It knows git and nothing of the program that uses it: no policy, no command line, no
//! output format.
//!
//! Each module that reads git's files has one error type ([`index::Error`],
//! [`objects::Error`], [`repo::Error`]): a kind to match on, with the file, the offset, the
//! object or the revision it concerns as fields. Their `Display` says what went wrong and
//! where; what to advise is the caller's to say.

#![deny(missing_docs)]

pub mod files;
pub mod format;
pub mod id;
pub mod ignore_rules;
pub mod index;
pub mod objects;
pub mod paths;
pub mod refs;
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
