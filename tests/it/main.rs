//! Integration tests: real repositories made with the `git` binary, driven through the built
//! `pycache-guard` binary exactly as users and git hooks run it.

mod audit;
mod clean;
mod config;
mod cure;
mod errors;
mod fix_gitignore;
mod fix_property;
mod formats;
mod framework;
mod hook_commit;
mod ignore_git;
mod index_format;
mod install;
mod modes;
mod packs;
mod pre_push;
mod range;
mod support;
