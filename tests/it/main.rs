//! Integration tests: real repositories made with the `git` binary, driven through the built
//! `pycache-guard` binary exactly as users and git hooks run it.

mod config;
mod errors;
mod formats;
mod framework;
mod hook_commit;
mod install;
mod modes;
mod pre_push;
mod range;
mod support;
