//! Command-line definitions (clap derive) and nothing else.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stops Python bytecode (__pycache__/, *.pyc, *.pyo) from being committed to git.
///
/// With no command, runs `check` (the staged check a pre-commit hook needs).
#[derive(Debug, Parser)]
#[command(name = "pycache-guard", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Run as if started in DIR (like `git -C`).
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print findings and errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Say more about what was checked.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check for Python bytecode that is staged, tracked, or in commits.
    Check(CheckArgs),
    /// Add the missing ignore rules for Python bytecode to .gitignore (and untrack bytecode).
    FixGitignore(FixArgs),
    /// Install the pre-commit hook in this repository.
    Install(InstallArgs),
    /// Remove the hooks that `install` put in, restoring any hook it kept.
    Uninstall,
}

#[derive(Debug, Default, Args)]
pub struct CheckArgs {
    /// Check what the next commit would add or change (the default).
    #[arg(long, group = "mode")]
    pub staged: bool,

    /// Check every tracked file in the index (for CI).
    #[arg(long, group = "mode", conflicts_with = "paths")]
    pub all: bool,

    /// Check every file in this commit's tree (works in a bare repository).
    #[arg(long, value_name = "REV", group = "mode", conflicts_with = "paths")]
    pub rev: Option<String>,

    /// Judge exactly these files, by name, whatever is staged (works outside a repository).
    #[arg(value_name = "PATHS")]
    pub paths: Vec<OsString>,

    /// Treat missing or overridden ignore rules as errors, not warnings.
    #[arg(long)]
    pub strict: bool,

    /// Untrack the bytecode found and add the ignore rules, without asking.
    #[arg(long, conflicts_with = "no_prompt")]
    pub fix: bool,

    /// Never ask at the terminal; print the command that fixes it instead.
    #[arg(long)]
    pub no_prompt: bool,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The ignore file to add rules to (default: .gitignore at the worktree top).
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Also remove every tracked bytecode file from the index (the files stay on disk).
    #[arg(long)]
    pub untrack: bool,

    /// Print the change and write nothing.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,

    /// Write nothing; exit 1 when a change is needed (for CI).
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Replace a hook that is not ours, keeping it as <name>.local and running it first.
    #[arg(long)]
    pub force: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn modes_are_exclusive() {
        assert!(Cli::try_parse_from(["pycache-guard", "check", "--all", "--rev", "HEAD"]).is_err());
        assert!(Cli::try_parse_from(["pycache-guard", "check", "--all", "x.pyc"]).is_err());
        assert!(Cli::try_parse_from(["pycache-guard", "check", "--staged", "x.pyc"]).is_ok());
    }

    #[test]
    fn global_options_go_before_the_command() {
        let cli = Cli::try_parse_from(["pycache-guard", "-C", "dir", "install"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Install(_))));
        assert!(Cli::try_parse_from(["pycache-guard", "-q"]).unwrap().command.is_none());
    }
}
