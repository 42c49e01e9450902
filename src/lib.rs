//! pycache-guard: stops Python bytecode from being committed to git.
//!
//! Each module is one noun of the product; [`app`] ties them to the command line.

pub mod app;
pub mod atomic;
pub mod bytecode;
pub mod bytecode_rules;
pub mod check;
pub mod clean;
pub mod cli;
pub mod completions;
pub mod config;
pub mod cure;
pub mod fix;
pub mod formats;
pub mod gitignore_edit;
pub mod history;
pub mod hook_env;
pub mod hooks;
pub mod ignore_audit;
pub mod ignore_rules;
pub mod index_file;
pub mod objects;
pub mod paths;
pub mod pre_push;
pub mod prompt;
pub mod repo;
pub mod report;
