//! `pycache-guard fix-gitignore`: print the planned change as a diff, then write it (and
//! untrack bytecode), check it, or only show it.

use std::io::{self, Write};

use anyhow::Result;
use colored::Colorize;

use super::{ExitStatus, ignore_broken_pipe, plural, say, untracked_line};
use crate::cli::args::{FixArgs, GlobalArgs};
use crate::guard::config::Settings;
use crate::guard::fix::{self, GitignoreFix, IndexChange};
use crate::report;
use gitlayer::paths;
use gitlayer::repo::Repo;

pub(super) fn run_fix_gitignore(args: &FixArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let repo = Repo::open()?;
    // The config's `allow` list exempts its files here too (a fixture stays tracked), and
    // its `debris` chooses categories unless `--debris` does.
    let settings = match repo.workdir() {
        Some(top) => Settings::load(top, false)?,
        None => Settings::without_file(false),
    }
    .with_debris_flag(args.debris);
    let fix = GitignoreFix::plan(&repo, args.file.as_deref(), settings.debris)?;
    let untrack = if args.untrack { fix::tracked_bytecode(&repo, &settings)? } else { Vec::new() };
    let name = paths::display_path(&fix.relative);
    if fix.plan.changes() {
        ignore_broken_pipe(print_diff(&mut io::stdout().lock(), &fix.diff()))?;
    }
    for left in &fix.plan.left_out {
        say(global, format_args!("{}", report::left_out_line(left)));
    }
    for unreached in fix.plan.unreached_by_need() {
        say(global, format_args!("{}", report::unreached_line(unreached)));
    }
    // `--check` fails exactly when the audit reports a rule missing, even where the target
    // cannot help (a deeper tracked `.gitignore` decides): then it prints no diff, since a
    // run would write nothing, and the lines above say where the rules must go.
    let unmet = fix.audit_reports_missing();
    if !fix.plan.changes() && untrack.is_empty() {
        if !unmet && fix.plan.unreached.is_empty() {
            let what =
                if settings.debris.is_empty() { "Python bytecode" } else { "Python bytecode and the chosen debris" };
            say(global, format_args!("{name} already ignores {what}; nothing to change"));
        } else {
            say(global, format_args!("{name} already holds every rule it can use; nothing to change"));
        }
        return Ok(if args.check && unmet { ExitStatus::Failure } else { ExitStatus::Success });
    }
    if args.check || args.dry_run {
        if !untrack.is_empty() {
            let n = untrack.len();
            say(global, format_args!("would untrack {n} bytecode {}:", plural(n, "file")));
            let prefix = repo.cwd_prefix();
            for path in &untrack {
                say(global, format_args!("  {}", paths::display_path(&paths::relative_to(&prefix, path))));
            }
        }
        return Ok(if args.check { ExitStatus::Failure } else { ExitStatus::Success });
    }
    let index_path = repo.index_path();
    if !untrack.is_empty() {
        fix::ensure_index_unlocked(&index_path)?;
    }
    if fix.plan.changes() {
        fix.write()?;
        say(global, format_args!("updated {name}"));
    }
    if !untrack.is_empty() {
        let untracked = fix::update_index(&index_path, &repo, &IndexChange { untrack: &untrack, stage: &[] })?;
        say(global, format_args!("{}", untracked_line(untracked)));
    }
    Ok(ExitStatus::Success)
}

/// A unified diff, added lines green and removed ones red when colour is on.
fn print_diff(out: &mut impl Write, diff: &str) -> io::Result<()> {
    for line in diff.lines() {
        match line.as_bytes().first() {
            Some(b'+') if !line.starts_with("+++") => writeln!(out, "{}", line.green())?,
            Some(b'-') if !line.starts_with("---") => writeln!(out, "{}", line.red())?,
            _ => writeln!(out, "{line}")?,
        }
    }
    Ok(())
}
