//! git's formats and the repository, with no policy of ours: the index (split, sparse),
//! objects (loose, packs, deltas), trees and commits, ignore rules, path bytes, and [`Repo`],
//! the one wrapper around libgit2.
//!
//! Nothing here depends on the rest of the crate: `guard`, `report` and `cli` build on it.

pub mod ignore_rules;
pub mod index;
pub mod objects;
pub mod paths;
pub mod repo;
