//! pycache-guard: stops Python bytecode from being committed to git.
//!
//! Four layers, each depending only on those below it:
//! [`cli`] (the command line and the environment, read once) → `report` (the printers) →
//! `guard` (the product's policy: the checks, the audit, the fix, `clean`) → the
//! [`gitlayer`] crate (git's formats and the repository, no policy).
//!
//! The public surface is small and deliberate: [`main`] for the binary, and what the
//! integration tests compare with git itself.

pub mod cli;
pub(crate) mod guard;
pub(crate) mod report;

#[cfg(any(fuzzing, test))]
#[doc(hidden)]
pub mod fuzzing;

pub use cli::main;
pub use guard::bytecode::{classify, classify_with};
pub use guard::debris::{Category, Debris};
pub use guard::usual_rules::surely_ignored;
