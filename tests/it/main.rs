//! Integration tests: real repositories made with the `git` binary, driven through the built
//! `pycache-guard` binary exactly as users and git hooks run it.

mod errors;
mod hook_commit;
mod index_format;
mod install;
mod modes;
mod support;
