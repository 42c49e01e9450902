//! `pycache-guard check`: collect the findings of the chosen mode, print them, and offer
//! (or, with `--fix`, apply) the fix.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};

use super::{ExitStatus, ignore_broken_pipe, plural, say, untracked_line, verbose};
use crate::cli::args::{CheckArgs, GlobalArgs, OutputFormat};
use crate::guard::check;
use crate::guard::config::Settings;
use crate::guard::debris::Debris;
use crate::guard::fix::in_commit::{self, FixedInCommit};
use crate::guard::fix::{self, GitignoreFix};

use crate::cli::prompt;
use crate::guard::audit;
use crate::guard::history;
use crate::guard::hook_env::HookEnv;
use crate::guard::pre_push::{self, PushSource};
use crate::report::{self, CommandContext, Finding, Kind, NotTracked, Severity};
use gitlayer::id::ObjectId;
use gitlayer::ignore_rules::{GitignoreReader, RuleSet};
use gitlayer::objects;
use gitlayer::paths::{bytes_path, display_path, join_relative, path_bytes};
use gitlayer::repo::Repo;

/// What `check` judges: one mode, built once from the flags (clap keeps them exclusive).
#[derive(Debug, Clone, Copy)]
enum Mode<'a> {
    /// `PATHS...`: these paths, judged by name, in a repository or not (`--staged` may
    /// stand beside them).
    Paths(&'a [OsString]),
    /// A mode that reads the repository.
    Repo(RepoMode<'a>),
}

#[derive(Debug, Clone, Copy)]
enum RepoMode<'a> {
    /// `--staged`, the default: what the next commit would add or change.
    Staged,
    /// `--all`: every tracked entry of the index.
    All,
    /// `--rev REV`: every file of that commit's tree.
    Rev(&'a str),
    /// `--range A..B`: what the commits of the range brought.
    Range(&'a str),
    /// `--pre-push [--remote NAME]`: what the commits a push sends brought.
    PrePush { remote: Option<&'a str> },
}

impl<'a> Mode<'a> {
    fn of(args: &'a CheckArgs) -> Mode<'a> {
        if !args.paths.is_empty() {
            return Mode::Paths(&args.paths);
        }
        Mode::Repo(match args {
            CheckArgs { rev: Some(rev), .. } => RepoMode::Rev(rev),
            CheckArgs { range: Some(range), .. } => RepoMode::Range(range),
            CheckArgs { pre_push: true, remote, .. } => RepoMode::PrePush { remote: remote.as_deref() },
            CheckArgs { all: true, .. } => RepoMode::All,
            CheckArgs { staged: true, .. } | CheckArgs { .. } => RepoMode::Staged,
        })
    }
}

pub(super) fn run_check(args: &CheckArgs, global: &GlobalArgs, env: &HookEnv) -> Result<ExitStatus> {
    let checked = collect_findings(args, global, env)?;
    print_report(args.format, &checked.findings, &checked.commands, global, env)?;
    let errors = checked.findings.iter().filter(|f| f.severity() == Severity::Error).count();
    let blocking = errors > 0;
    let status = if blocking { ExitStatus::Failure } else { ExitStatus::Success };
    if let Some(looked_at) = checked.looked_at.as_ref().filter(|_| !blocking && speaks_to_people(args.format)) {
        say(global, format_args!("{looked_at}"));
    }
    match &checked.repo {
        Some(repo) if checked.fixable && wants_fix(args, &checked.findings) => {
            offer_fix(repo, args, global, env, errors)
        }
        _ => Ok(status),
    }
}

/// What a check found, and what it needs to offer the fix.
struct Checked {
    findings: Vec<Finding>,
    commands: CommandContext,
    /// The repository and its settings, when the check ran in one.
    repo: Option<(Repo, Settings)>,
    /// Whether the findings can be fixed in the index: staged and `--all` checks, for people
    /// (the pre-commit framework cannot see changes made only to the index).
    fixable: bool,
    /// What a CI mode looked at, said in one line when nothing blocks.
    looked_at: Option<String>,
}

/// Findings to stdout in the chosen format; for people, the summary to stderr, and inside
/// GitHub Actions the annotations too.
fn print_report(
    format: OutputFormat,
    findings: &[Finding],
    commands: &CommandContext,
    global: &GlobalArgs,
    env: &HookEnv,
) -> Result<()> {
    let mut stdout = io::stdout().lock();
    ignore_broken_pipe(report::print(&mut stdout, format, findings, commands))?;
    if format == OutputFormat::Human && env.github_actions {
        ignore_broken_pipe(report::github::print(&mut stdout, findings, commands))?;
    }
    if !global.quiet && speaks_to_people(format) {
        // Buffered: the summary is written in many pieces, and stderr itself is unbuffered.
        let mut stderr = io::BufWriter::new(io::stderr().lock());
        ignore_broken_pipe(report::print_human_summary(&mut stderr, findings, commands).and_then(|()| stderr.flush()))?;
    }
    Ok(())
}

/// Whether the format leaves stderr to people: the summaries go there (JSON and SARIF
/// readers get one document and nothing else).
fn speaks_to_people(format: OutputFormat) -> bool {
    matches!(format, OutputFormat::Human | OutputFormat::Github)
}

/// The findings of the chosen mode, less those the config's `allow` exempts, with the
/// ignore-rule audit where the mode has one.
fn collect_findings(args: &CheckArgs, global: &GlobalArgs, env: &HookEnv) -> Result<Checked> {
    let mode = match Mode::of(args) {
        Mode::Paths(paths) => {
            let (findings, commands) = named_findings(paths, args, global)?;
            return Ok(Checked { findings, commands, repo: None, fixable: false, looked_at: None });
        }
        Mode::Repo(mode) => mode,
    };
    let repo = Repo::open()?;
    // A bare repository has no worktree to hold a config file.
    let settings = match repo.workdir() {
        Some(top) => Settings::load(top, args.strict)?,
        None => Settings::without_file(args.strict),
    }
    .with_debris_flag(args.debris);
    let debris = settings.debris;
    if let Some(source) = &settings.source {
        verbose(global, format_args!("using the config in {}", source.display()));
    }
    let what = if debris.is_empty() { "Python bytecode" } else { "Python bytecode or debris" };
    let (mut findings, rules, looked_at) = match mode {
        RepoMode::Staged | RepoMode::All => {
            let all = matches!(mode, RepoMode::All);
            let (findings, gitignores, total) = index_findings(&repo, all, debris, global, env)?;
            // The hook is silent when it passes; the CI lint says what it checked.
            let looked_at = all.then(|| format!("checked {total} tracked {}: no {what}", plural(total, "file")));
            (findings, RuleSource::Worktree(Box::new(gitignores)), looked_at)
        }
        RepoMode::Rev(rev) => {
            check_before_libgit2_walk(&repo, rev)?;
            verbose(global, format_args!("checking every file of {rev}"));
            let scan = check::in_tree(&repo, repo.rev_tree_id(rev)?, debris)?;
            let looked_at = format!("checked {} {} of {rev}: no {what}", scan.files, plural(scan.files, "file"));
            (scan.findings, RuleSource::Commit(scan.gitignores), Some(looked_at))
        }
        RepoMode::Range(range) => {
            check_before_libgit2_walk(&repo, range)?;
            verbose(global, format_args!("checking the commits of {range}"));
            let checked = history::bytecode_in_commits(&repo, &history::parse_range(&repo, range)?, debris)?;
            let looked_at = match checked.commits {
                0 => format!("{range} holds no commit: nothing to check"),
                n => format!("checked {n} {} of {range}: none added {what}", plural(n, "commit")),
            };
            (checked.findings, RuleSource::None, Some(looked_at))
        }
        RepoMode::PrePush { remote } => {
            // The pushed ids name commits or tags; refs name those too.
            check_before_libgit2_walk(&repo, "")?;
            let checked = history::bytecode_in_commits(&repo, &pre_push_walk(&repo, remote, global, env)?, debris)?;
            let looked_at = match checked.commits {
                0 => "the push sends no new commit: nothing to check".to_owned(),
                n => format!("checked {n} pushed {}: none added {what}", plural(n, "commit")),
            };
            (checked.findings, RuleSource::None, Some(looked_at))
        }
    };
    findings.retain(|finding| !settings.is_allowed(finding.path()));
    findings.extend(audit_rules(&repo, rules, settings.strict, debris, global)?);
    // Only printed commands need the user's folder: a clean check skips the path lookups.
    let cwd_prefix = if findings.is_empty() { Vec::new() } else { repo.cwd_prefix() };
    let rev = match mode {
        RepoMode::Rev(rev) => Some(rev.to_owned()),
        _ => None,
    };
    let commands = CommandContext { cwd_prefix, debris, rev, not_tracked: Vec::new() };
    // Only the index can be fixed, and only for people: the pre-commit framework cannot
    // see changes made only to the index.
    let fixable = matches!(mode, RepoMode::Staged | RepoMode::All) && !env.under_framework;
    Ok(Checked { findings, commands, repo: Some((repo, settings)), fixable, looked_at })
}

/// The history modes resolve `revisions` (as typed) and walk history through libgit2, which
/// hangs or crashes on some damage: find it first and say so.
fn check_before_libgit2_walk(repo: &Repo, revisions: &str) -> Result<()> {
    Ok(objects::check_before_libgit2_walk(&repo.objects_dir(), repo.object_format(), revisions)?)
}

/// Where the ignore rules of a check come from.
enum RuleSource {
    /// History checks judge commits, not the rules.
    None,
    /// The worktree's: the root `.gitignore`, the tracked ones (read while the index was
    /// scanned), and the personal files.
    Worktree(Box<GitignoreReader>),
    /// A commit's `.gitignore` blobs.
    Commit(Vec<(Vec<u8>, ObjectId)>),
}

/// The ignore-rule audit; `-v` says how long reading the rules and judging them took.
fn audit_rules(
    repo: &Repo,
    source: RuleSource,
    strict: bool,
    debris: Debris,
    global: &GlobalArgs,
) -> Result<Vec<Finding>> {
    let started = std::time::Instant::now();
    let rules = match source {
        RuleSource::None => return Ok(Vec::new()),
        RuleSource::Worktree(gitignores) => RuleSet::from_read(repo, gitignores.finish()),
        RuleSource::Commit(gitignores) => audit::commit_rules(repo, &gitignores)?,
    };
    let findings = audit::audit(&rules, strict, debris);
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let files = rules.tree_files().len();
    verbose(global, format_args!("ignore-rule audit: {files} .gitignore {}, {millis:.3} ms", plural(files, "file")));
    // A `.gitignore` of a million lines is a million parsed patterns: freeing them one by
    // one is a measurable part of the audit, and the process ends soon anyway.
    std::mem::forget(rules);
    Ok(findings)
}

/// `--staged` or `--all`, and the tracked `.gitignore` files. One pass over the index keeps
/// the bytecode candidates and the `.gitignore` entries; nothing else is copied.
fn index_findings(
    repo: &Repo,
    all: bool,
    debris: Debris,
    global: &GlobalArgs,
    env: &HookEnv,
) -> Result<(Vec<Finding>, GitignoreReader, usize)> {
    let candidates = if all { check::Candidates::Tracked } else { check::Candidates::Staged };
    let mut gitignores = GitignoreReader::new(repo.workdir());
    let index = check::scan_index(repo, candidates, debris, |path| gitignores.add(path))?;
    let findings = if all {
        verbose(global, format_args!("checking {} entries of {}", index.total, repo.index_path().display()));
        check::tracked(repo, &index.candidates, debris)?
    } else {
        verbose(global, format_args!("checking what {} would commit", repo.index_path().display()));
        check::staged(repo, &index.candidates, env, debris)?
    };
    Ok((findings, gitignores, index.total))
}

/// `PATHS`: judged by name. The config is the worktree's when we are in one (paths are then
/// matched against `allow` relative to its top), else the current folder's.
fn named_findings(paths: &[OsString], args: &CheckArgs, global: &GlobalArgs) -> Result<(Vec<Finding>, CommandContext)> {
    // Paths are relative to the current folder, and so are the commands we print.
    verbose(global, format_args!("checking {} named paths by name", paths.len()));
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let repo = Repo::open().ok();
    let top = repo.as_ref().and_then(|repo| repo.workdir().map(Path::to_path_buf));
    let root = top.clone().unwrap_or_else(|| cwd.clone());
    // Loaded even when nothing is bytecode, so that a broken config is always an error.
    let settings = Settings::load(&root, args.strict)?.with_debris_flag(args.debris);
    let mut findings = check::named(paths, settings.debris)?;
    if findings.is_empty() {
        return Ok((findings, CommandContext::default()));
    }
    // Only a finding needs the current folder's place in the worktree (path lookups).
    let prefix = match (&repo, &top) {
        (Some(repo), Some(_)) => repo.cwd_prefix(),
        _ => Vec::new(),
    };
    findings.retain(|finding| {
        !in_root(&root, &prefix, finding.path()).is_some_and(|relative| settings.is_allowed(&relative))
    });
    let not_tracked = not_tracked(repo.as_ref().filter(|_| top.is_some()), &root, &prefix, &findings);
    Ok((findings, CommandContext { not_tracked, ..CommandContext::default() }))
}

/// A named path (relative to the folder `prefix` of the worktree, or absolute) relative to
/// `root`, the worktree's top (or the current folder outside a repository); `None` outside it.
fn in_root(root: &Path, prefix: &[u8], path: &[u8]) -> Option<Vec<u8>> {
    let named = bytes_path(path).ok()?;
    if named.is_absolute() {
        let (root, absolute) = (dunce::canonicalize(root).ok()?, dunce::canonicalize(&named).ok()?);
        absolute.strip_prefix(&root).ok().map(|rest| path_bytes(rest).into_owned())
    } else {
        join_relative(prefix, path)
    }
}

/// The named bytecode files that `git rm --cached` could not untrack: those the index does
/// not hold (a sparse directory holding one holds it), or every one outside a worktree.
fn not_tracked(repo: Option<&Repo>, root: &Path, prefix: &[u8], findings: &[Finding]) -> Vec<NotTracked> {
    let wanted: Vec<(&[u8], Option<Vec<u8>>)> =
        findings.iter().map(|finding| (finding.path(), in_root(root, prefix, finding.path()))).collect();
    let index = match repo {
        Some(repo) => {
            let named = |path: &[u8]| wanted.iter().any(|(_, relative)| relative.as_deref() == Some(path));
            let under_sparse =
                |dir: &[u8]| wanted.iter().any(|(_, relative)| relative.as_deref().is_some_and(|r| r.starts_with(dir)));
            // Names are judged without the index: one it cannot read leaves the usual hint.
            match repo.read_index(|entry| named(entry.path) || (entry.is_sparse_dir() && under_sparse(entry.path))) {
                Ok(index) => index.kept,
                Err(_) => return Vec::new(),
            }
        }
        None => Vec::new(),
    };
    let tracked = |relative: &[u8]| {
        index.iter().any(|entry| entry.path == relative || (entry.is_sparse_dir() && relative.starts_with(&entry.path)))
    };
    wanted
        .into_iter()
        .filter(|(_, relative)| !relative.as_deref().is_some_and(tracked))
        .map(|(path, _)| NotTracked {
            path: path.to_vec(),
            on_disk: bytes_path(path).is_ok_and(|path| path.symlink_metadata().is_ok()),
        })
        .collect()
}

/// The commits a push would send (see `pre_push`): from the framework's variables, from
/// git's lines on standard input, or `HEAD`'s unpushed commits when there is no input.
fn pre_push_walk(repo: &Repo, remote: Option<&str>, global: &GlobalArgs, env: &HookEnv) -> Result<history::Walk> {
    let source = pre_push::source(remote, env, io::stdin().is_terminal());
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

/// `--fix` with anything it can fix (bytecode, missing or personal-only rules; a negation is
/// the user's to decide), or bytecode a person at the terminal may agree to fix.
fn wants_fix(args: &CheckArgs, findings: &[Finding]) -> bool {
    let bytecode = findings.iter().any(|f| f.kind().is_bytecode());
    let fixable = findings.iter().any(|f| f.kind() != Kind::ReincludedByRule);
    (args.fix && fixable) || (bytecode && !args.no_prompt)
}

/// The fix is `fix-gitignore --untrack` (docs/reference.md): every tracked bytecode file but the
/// allow-listed ones leaves the index the commit is built from, not only those it adds.
fn offer_fix(
    (repo, settings): &(Repo, Settings),
    args: &CheckArgs,
    global: &GlobalArgs,
    env: &HookEnv,
    errors: usize,
) -> Result<ExitStatus> {
    let status = if errors > 0 { ExitStatus::Failure } else { ExitStatus::Success };
    // Asking comes first: a blocked commit with no one at the terminal reads nothing more.
    let asking = match args.fix {
        true => None,
        false => match prompt::person_at_terminal(args.no_prompt, env) {
            Some(tty) => Some(tty),
            None => return Ok(status),
        },
    };
    let paths = fix::tracked_bytecode(repo, settings)?;
    let gitignore_fix = GitignoreFix::plan(repo, None, settings.debris)?;
    if let Some(mut tty) = asking {
        if !prompt::confirm(&mut tty, &offer_question(paths.len(), gitignore_fix.plan.changes())) {
            say(global, format_args!("nothing changed"));
            return Ok(status);
        }
    }
    let fixed = in_commit::fix_in_commit(repo, &paths, env, gitignore_fix)?;
    report_fix_in_commit(global, &fixed);
    if fixed.nothing_left_to_commit {
        let _ = writeln!(
            io::stderr(),
            "pycache-guard: nothing is left to commit once the bytecode is untracked, so the commit is stopped \
             (git would record an empty commit)"
        );
        return Ok(ExitStatus::Failure);
    }
    // The fix leaves what it cannot mend (a negation that re-includes bytecode, a rule it
    // had to leave out, bytecode inside a sparse directory): judge again.
    let remaining = collect_findings(args, global, env)?.findings;
    let blocking = remaining.iter().filter(|f| f.severity() == Severity::Error).count();
    if blocking == 0 {
        if errors > 0 {
            let them = if errors == 1 { "the error above is" } else { "the errors above are" };
            say(global, format_args!("fixed: {them} gone"));
        }
        return Ok(ExitStatus::Success);
    }
    let noun = if blocking == 1 { "error remains" } else { "errors remain" };
    let _ = writeln!(io::stderr(), "pycache-guard: {blocking} {noun} after the fix (listed above)");
    Ok(ExitStatus::Failure)
}

/// The offer's question: the ignore rules are named only when the fix will add some.
fn offer_question(files: usize, adds_rules: bool) -> String {
    let rules = if adds_rules { " and add the ignore rules" } else { "" };
    format!("Untrack {files} {}{rules}?", plural(files, "file"))
}

fn report_fix_in_commit(global: &GlobalArgs, fixed: &FixedInCommit) {
    if fixed.untracked > 0 {
        say(global, format_args!("{}", untracked_line(fixed.untracked)));
    }
    if let Some(gitignore) = &fixed.gitignore {
        let gitignore = display_path(gitignore);
        say(global, format_args!("added the ignore rules for Python bytecode to {gitignore} and staged it"));
    }
    for left in &fixed.left_out {
        say(global, format_args!("{}", report::left_out_line(left)));
    }
}
