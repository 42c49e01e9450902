//! The command line's edge: parse, run a command, print, and map the outcome to an exit code.
//!
//! Exit codes (SPEC): 0 nothing to block, 1 findings that block, 2 the tool could not do its
//! job. Every error is one line on stderr; a panic is caught and reported the same way.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use colored::Colorize;

use crate::check;
use crate::cli::{CheckArgs, Cli, ColorChoice, Command, GlobalArgs, InstallArgs, OutputFormat};
use crate::config::Settings;
use crate::formats;
use crate::history;
use crate::hooks;
use crate::paths::{bytes_path, join_relative, path_bytes};
use crate::pre_push::{self, PushSource};
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
    print_report(args.format, &findings, &commands, global)?;
    let blocking = findings.iter().any(|f| f.severity == Severity::Error);
    Ok(if blocking { ExitStatus::Failure } else { ExitStatus::Success })
}

/// Findings to stdout in the chosen format; for people, the summary to stderr, and inside
/// GitHub Actions the annotations too.
fn print_report(
    format: OutputFormat,
    findings: &[Finding],
    commands: &CommandContext,
    global: &GlobalArgs,
) -> Result<()> {
    let mut stdout = io::stdout().lock();
    ignore_broken_pipe(formats::print(&mut stdout, format, findings, commands))?;
    if format == OutputFormat::Human && std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        ignore_broken_pipe(formats::github::print(&mut stdout, findings, commands))?;
    }
    if !global.quiet && matches!(format, OutputFormat::Human | OutputFormat::Github) {
        ignore_broken_pipe(report::print_human_summary(&mut io::stderr().lock(), findings, commands))?;
    }
    Ok(())
}

/// The findings of the chosen mode, less those the config's `allow` exempts.
fn collect_findings(args: &CheckArgs, global: &GlobalArgs) -> Result<(Vec<Finding>, CommandContext)> {
    if !args.paths.is_empty() {
        return named_findings(args, global);
    }
    let repo = Repo::open()?;
    let commands = CommandContext { cwd_prefix: repo.cwd_prefix() };
    // A bare repository has no worktree to hold a config file.
    let settings = match repo.workdir() {
        Some(top) => Settings::load(top, args.strict)?,
        None => Settings::without_file(args.strict),
    };
    if let Some(source) = &settings.source {
        verbose(global, format_args!("using the config in {}", source.display()));
    }
    let mut findings = if let Some(range) = &args.range {
        verbose(global, format_args!("checking the commits of {range}"));
        history::bytecode_in_commits(&repo, &history::parse_range(&repo, range)?)?
    } else if args.pre_push {
        history::bytecode_in_commits(&repo, &pre_push_walk(&repo, args, global)?)?
    } else if let Some(rev) = &args.rev {
        verbose(global, format_args!("checking every file of {rev}"));
        check::in_tree(&repo, &repo.rev_tree(rev)?)?
    } else if args.all {
        let index = repo.index()?;
        verbose(global, format_args!("checking {} entries of {}", index.len(), repo.index_path().display()));
        check::tracked(&index)
    } else {
        let index = repo.index()?;
        verbose(global, format_args!("checking what {} would commit", repo.index_path().display()));
        check::staged(&index, repo.commit_base_tree()?.as_ref())?
    };
    findings.retain(|finding| !settings.is_allowed(&finding.path));
    Ok((findings, commands))
}

/// `PATHS`: judged by name. The config is the worktree's when we are in one (paths are then
/// matched against `allow` relative to its top), else the current folder's.
fn named_findings(args: &CheckArgs, global: &GlobalArgs) -> Result<(Vec<Finding>, CommandContext)> {
    // Paths are relative to the current folder, and so are the commands we print.
    verbose(global, format_args!("checking {} named paths by name", args.paths.len()));
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let (root, prefix) =
        match Repo::open().ok().and_then(|repo| Some((repo.workdir()?.to_path_buf(), repo.cwd_prefix()))) {
            Some((top, prefix)) => (top, prefix),
            None => (cwd.clone(), Vec::new()),
        };
    let settings = Settings::load(&root, args.strict)?;
    let findings = check::named(&args.paths)
        .into_iter()
        .filter(|finding| !named_is_allowed(&settings, &root, &prefix, &finding.path))
        .collect();
    Ok((findings, CommandContext::default()))
}

/// Whether the allow-list exempts a named path, taken relative to the config's folder.
fn named_is_allowed(settings: &Settings, root: &Path, prefix: &[u8], path: &[u8]) -> bool {
    let relative = if path.starts_with(b"/") {
        let (Ok(root), Ok(absolute)) = (root.canonicalize(), bytes_path(path).canonicalize()) else {
            return false;
        };
        match absolute.strip_prefix(&root) {
            Ok(rest) => Some(path_bytes(rest).into_owned()),
            Err(_) => None,
        }
    } else {
        join_relative(prefix, path)
    };
    relative.is_some_and(|relative| settings.is_allowed(&relative))
}

/// The commits a push would send (see `pre_push`): from the framework's variables, from
/// git's lines on standard input, or `HEAD`'s unpushed commits when there is no input.
fn pre_push_walk(repo: &Repo, args: &CheckArgs, global: &GlobalArgs) -> Result<history::Walk> {
    let source = pre_push::source(args.remote.as_deref(), io::stdin().is_terminal());
    verbose(global, format_args!("checking the pushed commits ({source:?})"));
    match source {
        PushSource::Stdin { remote } => {
            let mut input = String::new();
            io::stdin().read_to_string(&mut input).context("cannot read the pre-push lines from standard input")?;
            pre_push::walk_for_lines(repo, &pre_push::parse_lines(&input)?, remote.as_deref())
        }
        other => pre_push::walk_for_source(repo, &other),
    }
}

fn run_install(args: &InstallArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let repo = Repo::open()?;
    let dir = hooks::hooks_dir(&repo)?;
    let wanted: &[hooks::Hook] =
        if args.pre_push { &[hooks::PRE_COMMIT, hooks::PRE_PUSH] } else { &[hooks::PRE_COMMIT] };
    say_all(global, hooks::install(&dir, wanted, args.force)?);
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
