//! Integration tests: real repositories made with the `git` binary, driven through the built
//! `pycache-guard` binary exactly as users and git hooks run it.
//!
//! Unix only: the suite drives the POSIX `sh` hook scripts, checks file modes, answers
//! through a pseudo-terminal and writes file names that are not UTF-8. On Windows (the
//! release workflow) `cargo test` runs the unit tests.
#![cfg(unix)]

mod audit;
mod clean;
mod config;
mod damage;
mod debris;
mod docs;
mod errors;
mod first_hour;
mod fix_gitignore;
mod fix_in_commit;
mod fix_property;
mod formats;
mod framework;
mod hook_commit;
mod ignore_git;
mod index_format;
mod install;
mod layers;
mod modes;
mod packaging;
mod packs;
mod pre_push;
mod python_rules;
mod range;
mod reftable;
mod reliability;
mod sha256;
mod shell_docs;
mod snapshots;
mod support;
