//! The command line's edge: parse, run a command, print, and map the outcome to an exit code.
//!
//! Exit codes (SPEC): 0 nothing to block, 1 findings that block, 2 the tool could not do its
//! job. Every error is one line on stderr; a panic is caught and reported the same way.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use colored::Colorize;

use crate::check;
use crate::cli::{CheckArgs, Cli, ColorChoice, Command, GlobalArgs, InstallArgs};
use crate::hooks;
use crate::repo::Repo;
use crate::report::{self, CommandContext, Finding, Severity};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
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
    std::panic::set_hook(Box::new(|info| {
        eprintln!("pycache-guard: internal error: {info}; please report it");
    }));
    // clap prints usage errors itself and exits 2, help and version with 0.
    let cli = Cli::parse_from(args);
    configure_color(cli.global.color);
    let status = std::panic::catch_unwind(|| run(cli)).unwrap_or(ExitStatus::Error);
    status.into()
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let result = change_directory(&cli.global).and_then(|()| match cli.command {
        Some(Command::Check(args)) => run_check(&args, &cli.global),
        None => run_check(&CheckArgs::default(), &cli.global),
        Some(Command::Install(args)) => run_install(&args, &cli.global),
        Some(Command::Uninstall) => run_uninstall(&cli.global),
    });
    match result {
        Ok(status) => status,
        Err(error) => {
            // `{:#}` joins the causes into one line: "what failed: why".
            let _ = writeln!(io::stderr(), "{} {error:#}", "pycache-guard: error:".red().bold());
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
fn configure_color(choice: ColorChoice) {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let enabled = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set("NO_COLOR") => false,
        ColorChoice::Auto if set("CLICOLOR_FORCE") && std::env::var_os("CLICOLOR_FORCE") != Some("0".into()) => true,
        ColorChoice::Auto => io::stdout().is_terminal(),
    };
    colored::control::set_override(enabled);
}

fn run_check(args: &CheckArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let (findings, commands) = collect_findings(args, global)?;
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr().lock();
    ignore_broken_pipe(report::print_human(&mut stdout, &findings, &commands))?;
    if !global.quiet {
        ignore_broken_pipe(report::print_human_summary(&mut stderr, &findings, &commands))?;
    }
    let blocking = findings.iter().any(|f| f.severity == Severity::Error);
    Ok(if blocking { ExitStatus::Failure } else { ExitStatus::Success })
}

fn collect_findings(args: &CheckArgs, global: &GlobalArgs) -> Result<(Vec<Finding>, CommandContext)> {
    if !args.paths.is_empty() {
        // Paths are relative to the current folder, and so are the commands we print.
        verbose(global, format_args!("checking {} named paths by name", args.paths.len()));
        return Ok((check::named(&args.paths), CommandContext::default()));
    }
    let repo = Repo::open()?;
    let commands = CommandContext { cwd_prefix: repo.cwd_prefix() };
    let findings = if let Some(rev) = &args.rev {
        verbose(global, format_args!("checking every file of {rev}"));
        check::in_tree(&repo, &repo.rev_tree(rev)?)?
    } else if args.all {
        let index = repo.read_index(check::tracked_candidate)?;
        verbose(global, format_args!("checking {} entries of {}", index.total, repo.index_path().display()));
        check::tracked(&repo, &index.kept)?
    } else {
        let index = repo.read_index(check::staged_candidate)?;
        verbose(global, format_args!("checking what {} would commit", repo.index_path().display()));
        check::staged(&repo, &index.kept)?
    };
    Ok((findings, commands))
}

fn run_install(args: &InstallArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let repo = Repo::open()?;
    let dir = hooks::hooks_dir(&repo)?;
    say_all(global, hooks::install(&dir, &[hooks::PRE_COMMIT], args.force)?);
    Ok(ExitStatus::Success)
}

fn run_uninstall(global: &GlobalArgs) -> Result<ExitStatus> {
    let repo = Repo::open()?;
    say_all(global, hooks::uninstall(&hooks::hooks_dir(&repo)?)?);
    Ok(ExitStatus::Success)
}

fn say_all(global: &GlobalArgs, lines: Vec<String>) {
    if !global.quiet {
        for line in lines {
            let _ = writeln!(io::stdout(), "pycache-guard: {line}");
        }
    }
}

fn verbose(global: &GlobalArgs, message: std::fmt::Arguments<'_>) {
    if global.verbose {
        let _ = writeln!(io::stderr(), "pycache-guard: {message}");
    }
}

/// A reader that closed the pipe (`| head`) is not an error worth reporting.
fn ignore_broken_pipe(result: io::Result<()>) -> Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report"),
    }
}
