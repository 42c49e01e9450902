//! pycache-guard: stops Python bytecode from being committed to git.
//!
//! Each module is one noun of the product; [`app`] ties them to the command line.

pub mod app;
pub mod bytecode;
pub mod check;
pub mod cli;
pub mod config;
pub mod formats;
pub mod history;
pub mod hook_env;
pub mod hooks;
pub mod paths;
pub mod pre_push;
pub mod repo;
pub mod report;
