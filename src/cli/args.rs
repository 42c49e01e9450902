//! Command-line definitions (clap derive) and nothing else.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::guard::debris::Debris;

/// Stops Python bytecode (__pycache__/, *.pyc, *.pyo, *$py.class) from being committed to git.
///
/// With no command, runs `check` (the staged check a pre-commit hook needs).
#[derive(Debug, Parser)]
#[command(name = "pycache-guard", version)]
pub struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    #[command(flatten)]
    pub(crate) global: GlobalArgs,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Run as if started in DIR (like `git -C`).
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub(crate) directory: Option<PathBuf>,

    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub(crate) color: ColorChoice,

    /// Print findings and errors only.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Say more about what was checked.
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour when writing to a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it).
    Auto,
    Always,
    Never,
}

pub(crate) use crate::report::OutputFormat;

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check for Python bytecode that is staged, tracked, or in commits.
    Check(CheckArgs),
    /// Add the missing ignore rules for Python bytecode to .gitignore (and untrack bytecode).
    FixGitignore(FixArgs),
    /// Delete untracked Python bytecode, and the __pycache__ folders left empty, from the
    /// working tree (tracked and allow-listed files stay).
    Clean(CleanArgs),
    /// Install the pre-commit hook (and with --pre-push the pre-push hook) in this repository.
    Install(InstallArgs),
    /// Remove the hooks that `install` put in, restoring any hook it kept.
    Uninstall,
    /// Print a completion script for SHELL (docs/reference.md says where to put it).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `pycache-guard man > pycache-guard.1`.
    Man,
}

#[derive(Debug, Default, Args)]
pub(crate) struct CheckArgs {
    /// Check what the next commit would add or change (the default).
    #[arg(long, group = "mode")]
    pub(crate) staged: bool,

    /// Check every tracked file in the index (for CI).
    #[arg(long, group = "mode", conflicts_with = "paths")]
    pub(crate) all: bool,

    /// Check every file in this commit's tree (works in a bare repository).
    #[arg(long, value_name = "REV", group = "mode", conflicts_with = "paths")]
    pub(crate) rev: Option<String>,

    /// Check every commit of A..B (as `git log A..B` lists them) for bytecode it added or
    /// changed, reporting each path once with the first commit that brought it. One revision
    /// alone (`--range HEAD`) checks its whole history, root commits included, as `git log
    /// REV` lists it.
    #[arg(long, value_name = "A..B|REV", group = "mode", conflicts_with = "paths")]
    pub(crate) range: Option<String>,

    /// Check the commits a push would send: reads git's pre-push lines from standard input,
    /// or the range the pre-commit framework names in PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF.
    #[arg(long, group = "mode", conflicts_with = "paths")]
    pub(crate) pre_push: bool,

    /// With --pre-push: the remote pushed to (the hook's first argument); commits its
    /// remote-tracking branches already have are not checked.
    #[arg(long, value_name = "NAME", requires = "pre_push")]
    pub(crate) remote: Option<String>,

    /// How to print the findings.
    #[arg(long, value_enum, default_value_t, value_name = "FORMAT")]
    pub(crate) format: OutputFormat,

    /// Judge exactly these files, by name, whatever is staged (works outside a repository).
    #[arg(value_name = "PATHS")]
    pub(crate) paths: Vec<OsString>,

    /// Demand ignore rules for every bytecode name, not only for what CPython 3 writes in
    /// __pycache__ (also *.pyo and a .pyc beside its source), and treat missing or overriding
    /// rules as errors, not warnings (also `strict = true` in the config).
    #[arg(long)]
    pub(crate) strict: bool,

    /// Untrack the bytecode found and add the ignore rules, without asking.
    #[arg(long, conflicts_with = "no_prompt")]
    pub(crate) fix: bool,

    /// Never ask at the terminal; print the command that fixes it instead.
    #[arg(long)]
    pub(crate) no_prompt: bool,

    /// Also judge Python debris of these categories, as bytecode is judged: CAT[,CAT...]
    /// among pytest, mypy, ruff, jupyter, hypothesis, coverage, tox, package, or all (also
    /// `debris = [...]` in the config, which this flag overrides; default: none).
    #[arg(long, value_name = "CAT[,CAT...]", value_parser = parse_debris)]
    pub(crate) debris: Option<Debris>,
}

#[derive(Debug, Args)]
pub(crate) struct FixArgs {
    /// The ignore file to add rules to (default: .gitignore at the worktree top).
    #[arg(long, value_name = "PATH")]
    pub(crate) file: Option<PathBuf>,

    /// Also remove every tracked bytecode file from the index (the files stay on disk).
    #[arg(long)]
    pub(crate) untrack: bool,

    /// Print the change and write nothing.
    #[arg(long, conflicts_with = "check")]
    pub(crate) dry_run: bool,

    /// Write nothing; exit 1 when a change is needed (for CI).
    #[arg(long)]
    pub(crate) check: bool,

    /// Also judge Python debris of these categories, as bytecode is judged: CAT[,CAT...]
    /// among pytest, mypy, ruff, jupyter, hypothesis, coverage, tox, package, or all (also
    /// `debris = [...]` in the config, which this flag overrides; default: none).
    #[arg(long, value_name = "CAT[,CAT...]", value_parser = parse_debris)]
    pub(crate) debris: Option<Debris>,
}

#[derive(Debug, Args)]
pub(crate) struct CleanArgs {
    /// Clean only these files and folders (default: the whole worktree, wherever in it you
    /// stand; outside a repository, the current folder).
    #[arg(value_name = "PATHS")]
    pub(crate) paths: Vec<PathBuf>,

    /// Print each path that would be deleted, and delete nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,

    /// Also judge Python debris of these categories, as bytecode is judged: CAT[,CAT...]
    /// among pytest, mypy, ruff, jupyter, hypothesis, coverage, tox, package, or all (also
    /// `debris = [...]` in the config, which this flag overrides; default: none).
    #[arg(long, value_name = "CAT[,CAT...]", value_parser = parse_debris)]
    pub(crate) debris: Option<Debris>,
}

#[derive(Debug, Args)]
pub(crate) struct InstallArgs {
    /// Install the pre-push hook too: it blocks a push whose new commits add bytecode.
    #[arg(long)]
    pub(crate) pre_push: bool,

    /// Replace a hook that is not ours, keeping it as <name>.local and running it first.
    #[arg(long)]
    pub(crate) force: bool,
}

/// `--debris`'s value.
fn parse_debris(text: &str) -> Result<Debris, String> {
    Debris::parse(text).map_err(|e| e.to_string())
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
        assert!(Cli::try_parse_from(["pycache-guard", "check", "--range", "a..b", "--pre-push"]).is_err());
        assert!(Cli::try_parse_from(["pycache-guard", "check", "--pre-push", "x.pyc"]).is_err());
        assert!(Cli::try_parse_from(["pycache-guard", "check", "--remote", "origin"]).is_err(), "needs --pre-push");
        assert!(Cli::try_parse_from(["pycache-guard", "check", "--pre-push", "--remote", "origin"]).is_ok());
    }

    #[test]
    fn formats_parse() {
        let cli = Cli::try_parse_from(["pycache-guard", "check", "--format", "sarif", "--strict"]).unwrap();
        let Some(Command::Check(args)) = cli.command else { panic!("check") };
        assert_eq!(args.format, OutputFormat::Sarif);
        assert!(args.strict);
        assert!(Cli::try_parse_from(["pycache-guard", "check", "--format", "xml"]).is_err());
    }

    #[test]
    fn global_options_go_before_the_command() {
        let cli = Cli::try_parse_from(["pycache-guard", "-C", "dir", "install"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Install(_))));
        assert!(Cli::try_parse_from(["pycache-guard", "-q"]).unwrap().command.is_none());
    }
}
