//! The product's policy: what counts as bytecode, the checks (staged, tracked, a commit, a
//! range, a push), the ignore-rule audit, the fix, `clean`, the config and the hook installer.
//!
//! It builds on [`gitlayer`] and knows nothing of the command line or of output formats:
//! checks return [`finding::Finding`]s, which the printers of `report` print.

pub(crate) mod atomic;
pub(crate) mod audit;
pub(crate) mod bytecode;
pub(crate) mod bytecode_rules;
pub(crate) mod check;
pub(crate) mod clean;
pub(crate) mod config;
pub(crate) mod debris;
pub(crate) mod finding;
pub(crate) mod fix;
pub(crate) mod history;
pub(crate) mod hook_env;
pub(crate) mod install;
pub(crate) mod pre_push;
pub(crate) mod probes;
pub(crate) mod usual_rules;
