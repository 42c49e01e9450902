//! The command line's edge: parse, run a command, print, and map the outcome to an exit code.
//!
//! Exit codes (docs/reference.md): 0 nothing to block, 1 findings that block, 2 the tool could not do its
//! job. Every error is one line on stderr; a panic is caught and reported the same way.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use colored::Colorize;

use crate::cli::args::{CheckArgs, ColorChoice, Command, GlobalArgs, InstallArgs};
use crate::guard::hook_env::HookEnv;
use crate::guard::install;
use gitlayer::repo::Repo;

pub(crate) mod args;
pub use args::Cli;
mod check;
mod clean;
pub(crate) mod completions;
mod errors;
mod fix_gitignore;
pub(crate) mod prompt;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Nothing to block (warnings allowed).
    Success,
    /// Findings that block.
    Failure,
    /// The tool could not do its job.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// Runs the program with these arguments, printing to stdout and stderr.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    // One line, like every other error, never Rust's multi-line panic report.
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload.downcast_ref::<&str>().copied().or(payload.downcast_ref::<String>().map(String::as_str));
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("pycache-guard: internal error{place}: {}; please report it", message.unwrap_or("unknown"));
    }));
    // clap prints usage errors itself and exits 2, help and version with 0.
    let cli = Cli::parse_from(args);
    let env = HookEnv::read();
    configure_color(cli.global.color, &env);
    gitlayer::set_libgit2_options();
    let status = std::panic::catch_unwind(|| run(cli, &env)).unwrap_or(ExitStatus::Error);
    status.into()
}

/// Runs a parsed command line.
pub(crate) fn run(cli: Cli, env: &HookEnv) -> ExitStatus {
    let running = match cli.command {
        None | Some(Command::Check(_)) => errors::Running::Check,
        Some(_) => errors::Running::Other,
    };
    let result = change_directory(&cli.global).and_then(|()| match cli.command {
        Some(Command::Check(args)) => check::run_check(&args, &cli.global, env),
        None => check::run_check(&CheckArgs::default(), &cli.global, env),
        Some(Command::FixGitignore(args)) => fix_gitignore::run_fix_gitignore(&args, &cli.global),
        Some(Command::Clean(args)) => clean::run_clean(&args, &cli.global),
        Some(Command::Install(args)) => run_install(&args, &cli.global),
        Some(Command::Uninstall) => run_uninstall(&cli.global),
        Some(Command::Completions { shell }) => crate::cli::completions::print_completions(shell),
        Some(Command::Man) => crate::cli::completions::print_man_page(),
    });
    match result {
        Ok(status) => status,
        Err(error) => {
            // One line: "what failed: why", with the advice for the git layer's errors.
            let message = errors::one_line(&error, running);
            let _ = writeln!(io::stderr(), "{} {message}", "pycache-guard: error:".red().bold());
            ExitStatus::Error
        }
    }
}

fn change_directory(global: &GlobalArgs) -> Result<()> {
    if let Some(dir) = &global.directory {
        std::env::set_current_dir(dir).with_context(|| format!("cannot change to the folder {}", dir.display()))?;
    }
    Ok(())
}

/// `--color`, then `NO_COLOR`, then `CLICOLOR_FORCE`, then whether stdout is a terminal.
fn configure_color(choice: ColorChoice, env: &HookEnv) {
    let enabled = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if env.no_color => false,
        ColorChoice::Auto if env.clicolor_force => true,
        ColorChoice::Auto => io::stdout().is_terminal(),
    };
    colored::control::set_override(enabled);
}

fn run_install(args: &InstallArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let repo = Repo::open()?;
    let dir = install::hooks_dir(&repo)?;
    let wanted: &[install::Hook] =
        if args.pre_push { &[install::PRE_COMMIT, install::PRE_PUSH] } else { &[install::PRE_COMMIT] };
    say_all(global, install::install(&dir, wanted, args.force)?);
    Ok(ExitStatus::Success)
}

fn run_uninstall(global: &GlobalArgs) -> Result<ExitStatus> {
    let repo = Repo::open()?;
    say_all(global, install::uninstall(&install::hooks_dir(&repo)?)?);
    Ok(ExitStatus::Success)
}

fn say_all(global: &GlobalArgs, lines: Vec<String>) {
    if !global.quiet {
        for line in lines {
            let _ = writeln!(io::stdout(), "pycache-guard: {line}");
        }
    }
}

pub(crate) fn verbose(global: &GlobalArgs, message: std::fmt::Arguments<'_>) {
    if global.verbose {
        let _ = writeln!(io::stderr(), "pycache-guard: {message}");
    }
}

/// A progress line for people, on stderr (stdout may be a diff or a report).
pub(crate) fn say(global: &GlobalArgs, message: std::fmt::Arguments<'_>) {
    if !global.quiet {
        let _ = writeln!(io::stderr(), "pycache-guard: {message}");
    }
}

/// `noun`, or its plural when `count` is not one ("1 file", "2 files").
pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 { noun.to_owned() } else { format!("{noun}s") }
}

/// What the fix says once it untracked `count` files.
pub(crate) fn untracked_line(count: usize) -> String {
    match count {
        1 => "untracked 1 bytecode file; it stays on disk".to_owned(),
        n => format!("untracked {n} bytecode files; they stay on disk"),
    }
}

/// A reader that closed the pipe (`| head`) is not an error worth reporting.
pub(crate) fn ignore_broken_pipe(result: io::Result<()>) -> Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report"),
    }
}
