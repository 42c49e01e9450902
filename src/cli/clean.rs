//! `pycache-guard clean`: resolve what to clean and what must stay, run the walk (with a
//! progress line at a terminal), then report: the list (`--dry-run`), the kept files with the
//! command that untracks them, what could not be deleted, and a summary.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use colored::Colorize;

use super::{ExitStatus, errors, ignore_broken_pipe, plural, say, verbose};
use crate::cli::args::{CleanArgs, GlobalArgs};
use crate::guard::clean::{self, Job, Keep, KeptWhy, Outcome, Progress};
use crate::guard::config::Settings;
use crate::report::CommandContext;
use gitlayer::paths::{display_path, exact_path_bytes, path_bytes, relative_to};
use gitlayer::repo::Repo;

pub(super) fn run_clean(args: &CleanArgs, global: &GlobalArgs) -> Result<ExitStatus> {
    let repo = Repo::open_if_any()?;
    let cwd = std::env::current_dir().and_then(dunce::canonicalize).context("cannot read the current directory")?;
    let (base, cwd_prefix) = match &repo {
        Some(repo) => {
            let top = repo.workdir().ok_or_else(|| {
                anyhow!("{} is a bare repository: it has no working tree to clean", repo.git_dir().display())
            })?;
            let top =
                dunce::canonicalize(top).with_context(|| format!("cannot open the worktree {}", top.display()))?;
            (top, repo.cwd_prefix())
        }
        None => (cwd.clone(), Vec::new()),
    };
    let roots = resolve_roots(&args.paths, &base, &cwd, repo.is_some())?;
    let settings = Settings::load(&base, false)?.with_debris_flag(args.debris);
    if let Some(source) = &settings.source {
        verbose(global, format_args!("using the config in {}", source.display()));
    }
    let keep = match &repo {
        Some(repo) => Keep::from_index(repo, settings.clone())?,
        None => Keep::config_only(settings.clone()),
    };
    let job = Job { base, cwd, roots, keep, dry_run: args.dry_run, list: args.dry_run || global.verbose };
    let progress = Progress::default();
    let show_progress = !global.quiet && io::stderr().is_terminal();
    let outcome = with_progress(show_progress, &progress, || clean::clean(&job, &progress));
    let shown =
        Shown { base: path_bytes(&job.base).into_owned(), cwd: job.cwd.clone(), cwd_prefix: cwd_prefix.clone() };
    report(
        args,
        global,
        &shown,
        &settings,
        &CommandContext { cwd_prefix, debris: settings.debris, ..CommandContext::default() },
        &outcome,
    )?;
    Ok(if outcome.failures.is_empty() { ExitStatus::Success } else { ExitStatus::Error })
}

/// The folders and files to walk: the base when none is named; each named one checked
/// (it exists, it is inside the worktree and in no other repository or `.git`), made
/// absolute without following a symlink it ends in, and left out when inside another.
fn resolve_roots(given: &[PathBuf], base: &Path, cwd: &Path, in_repo: bool) -> Result<Vec<PathBuf>> {
    // None named: the current folder, as `git clean`, `pyclean .` and `find .` start there;
    // from outside the worktree (GIT_WORK_TREE named it), its top, as git does.
    if given.is_empty() {
        let start = if in_repo && !cwd.starts_with(base) { base } else { cwd };
        return Ok(vec![start.to_path_buf()]);
    }
    let mut roots = given.iter().map(|path| resolve_root(path, base, in_repo)).collect::<Result<Vec<_>>>()?;
    roots.sort();
    let mut kept: Vec<PathBuf> = Vec::with_capacity(roots.len());
    for root in roots {
        if !kept.iter().any(|outer| root.starts_with(outer)) {
            kept.push(root);
        }
    }
    Ok(kept)
}

fn resolve_root(given: &Path, base: &Path, in_repo: bool) -> Result<PathBuf> {
    exact_path_bytes(given).with_context(|| format!("cannot clean {}", given.display()))?;
    fs::symlink_metadata(given).with_context(|| format!("cannot clean {}", given.display()))?;
    let absolute = absolute_keeping_last(given).with_context(|| format!("cannot clean {}", given.display()))?;
    let inside = absolute.strip_prefix(base).ok();
    if in_repo && inside.is_none() {
        bail!(
            "{} is outside the worktree {}; clean only cleans the repository it runs in (run it in that folder)",
            given.display(),
            base.display()
        );
    }
    let judged = inside.unwrap_or(&absolute);
    if judged.components().any(|part| part.as_os_str() == ".git") {
        bail!("{} is inside a .git folder, which clean never touches", given.display());
    }
    // Another repository between the path and the worktree top (or anywhere above it, outside
    // a repository): its files belong to its own index.
    let mut above = absolute.ancestors();
    let other = above.by_ref().take_while(|folder| !in_repo || *folder != base).find(|f| f.join(".git").exists());
    if let Some(other) = other {
        bail!(
            "{} is inside another repository, {}; clean it from there: pycache-guard -C {} clean",
            given.display(),
            other.display(),
            other.display()
        );
    }
    Ok(absolute)
}

/// The absolute, canonical path, except that a symlink in the last component is not followed.
fn absolute_keeping_last(path: &Path) -> io::Result<PathBuf> {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            Ok(dunce::canonicalize(parent)?.join(name))
        }
        _ => dunce::canonicalize(path),
    }
}

/// How a path is shown: relative to the user's folder (as git shows it) when it is under
/// the base, else in full; quoted as the rest of the tool quotes paths.
struct Shown {
    base: Vec<u8>,
    /// What the outcome's relative paths are relative to.
    cwd: PathBuf,
    cwd_prefix: Vec<u8>,
}

impl Shown {
    fn path(&self, path: &Path) -> String {
        display_path(&self.bytes(path))
    }

    /// A folder ends in `/`, as `git clean -n` shows one.
    fn folder(&self, path: &Path) -> String {
        let mut bytes = self.bytes(path);
        bytes.push(b'/');
        display_path(&bytes)
    }

    fn bytes(&self, path: &Path) -> Vec<u8> {
        // Walked paths start with `./` when the walk started at the current folder.
        let path = match path.strip_prefix(".") {
            Ok(rest) if rest.as_os_str().is_empty() => self.cwd.clone(),
            Ok(rest) => self.cwd.join(rest),
            Err(_) => self.cwd.join(path),
        };
        let absolute = path_bytes(&path);
        let relative = absolute.strip_prefix(self.base.as_slice()).and_then(|rest| rest.strip_prefix(b"/"));
        match relative {
            Some(relative) => relative_to(&self.cwd_prefix, relative),
            None if absolute.as_ref() == self.base.as_slice() => b".".to_vec(),
            None => absolute.into_owned(),
        }
    }
}

fn report(
    args: &CleanArgs,
    global: &GlobalArgs,
    shown: &Shown,
    settings: &Settings,
    commands: &CommandContext,
    outcome: &Outcome,
) -> Result<()> {
    if args.dry_run {
        ignore_broken_pipe(print_list(&mut io::stdout().lock(), shown, outcome, ""))?;
    } else if global.verbose {
        let mut stderr = io::BufWriter::new(io::stderr().lock());
        ignore_broken_pipe(
            print_list(&mut stderr, shown, outcome, "pycache-guard: deleted ").and_then(|()| stderr.flush()),
        )?;
    }
    let mut skipped: Vec<_> = outcome.skipped.iter().collect();
    skipped.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, why) in skipped {
        verbose(global, format_args!("skipped {} ({})", shown.folder(path), why.describe()));
    }
    report_kept(global, shown, settings, commands, outcome);
    let mut failures: Vec<_> = outcome.failures.iter().collect();
    failures.sort_by(|a, b| a.path.cmp(&b.path));
    for failure in failures {
        let why = errors::without_error_number(&failure.error);
        let line = format!("cannot {} {}: {why}", failure.action, shown.path(&failure.path));
        let _ = writeln!(io::stderr(), "{} {line}", "pycache-guard: error:".red().bold());
    }
    say(global, format_args!("{}", summary(args.dry_run, !settings.debris.is_empty(), outcome)));
    Ok(())
}

/// Files sorted, then folders, each before the folder holding it; one a line after `prefix`.
fn print_list(out: &mut impl Write, shown: &Shown, outcome: &Outcome, prefix: &str) -> io::Result<()> {
    // By bytes, as git sorts paths (a `Path` compares by components).
    let mut files: Vec<_> = outcome.deleted_files.iter().collect();
    files.sort_by(|a, b| path_bytes(a).cmp(&path_bytes(b)));
    let mut folders: Vec<_> = outcome.deleted_folders.iter().collect();
    folders.sort_by(|a, b| path_bytes(b).cmp(&path_bytes(a)));
    for file in files {
        writeln!(out, "{prefix}{}", shown.path(file))?;
    }
    for folder in folders {
        writeln!(out, "{prefix}{}", shown.folder(folder))?;
    }
    Ok(())
}

/// Each kept file, and for the tracked ones the command that untracks them.
fn report_kept(global: &GlobalArgs, shown: &Shown, settings: &Settings, commands: &CommandContext, outcome: &Outcome) {
    let mut kept: Vec<_> = outcome.kept.iter().collect();
    kept.sort_by(|a, b| a.relative.cmp(&b.relative));
    let config = settings.source.as_deref().map_or_else(|| "the config".to_owned(), |s| s.display().to_string());
    // A few are named; many (a repository that committed its bytecode) make one line, and
    // -v names each.
    let few = kept.len() <= FEW || global.verbose;
    for file in kept.iter().filter(|_| few) {
        let why = match file.why {
            KeptWhy::Tracked => "tracked by git".to_owned(),
            KeptWhy::Allowed => format!("allowed by {config}"),
        };
        say(global, format_args!("kept {}: {why}", shown.path(&file.path)));
    }
    let tracked: Vec<&[u8]> =
        kept.iter().filter(|file| file.why == KeptWhy::Tracked).map(|file| file.relative.as_slice()).collect();
    let allowed = kept.len() - tracked.len();
    if !few {
        let allowed = match allowed {
            0 => String::new(),
            n => format!(" and {n} {} {config} allows", plural(n, "file")),
        };
        let n = tracked.len();
        say(global, format_args!("kept {n} bytecode {} git tracks{allowed} (-v lists them)", plural(n, "file")));
    }
    if !tracked.is_empty() {
        let (noun, pronoun, stays) =
            if tracked.len() == 1 { ("file", "it", "it stays") } else { ("files", "them", "they stay") };
        // Past a few paths, one command untracks them all (and the allowed ones stay).
        let untrack = match tracked.len() <= FEW {
            true => commands.untrack_command(tracked),
            false => format!("{} --untrack", commands.fix_gitignore_command()),
        };
        say(
            global,
            format_args!(
                "to delete the tracked {noun}, untrack {pronoun} first ({stays} on disk), then clean again: {untrack}"
            ),
        );
    }
}

/// How many kept files are named one by one.
const FEW: usize = 5;

fn summary(dry_run: bool, debris: bool, outcome: &Outcome) -> String {
    let files = count(outcome.files, "file", "files");
    let folders = count(outcome.folders, "folder", "folders");
    let freed = size(outcome.bytes);
    let failed = match outcome.failures.len() {
        0 => String::new(),
        n => format!("; {} could not be deleted or read (listed above)", count(n as u64, "path", "paths")),
    };
    match (dry_run, outcome.files + outcome.folders) {
        (_, 0) if outcome.failures.is_empty() && debris => "no Python bytecode or debris to delete".to_owned(),
        (_, 0) if outcome.failures.is_empty() => "no Python bytecode to delete".to_owned(),
        (true, _) => format!("would delete {files} and {folders} ({freed}){failed}"),
        (false, _) => format!("deleted {files} and {folders} ({freed} freed){failed}"),
    }
}

fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return count(bytes, "byte", "bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// Runs `work`; when `show`, a line on stderr says how far the walk is, redrawn ten times a
/// second once it has taken longer than a moment, and erased at the end.
fn with_progress<T>(show: bool, progress: &Progress, work: impl FnOnce() -> T) -> T {
    if !show {
        return work();
    }
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let ticker = scope.spawn(|| {
            let started = Instant::now();
            let mut drawn = false;
            while !done.load(Ordering::Relaxed) {
                std::thread::park_timeout(Duration::from_millis(100));
                if done.load(Ordering::Relaxed) || started.elapsed() < Duration::from_millis(300) {
                    continue;
                }
                let seen = progress.entries.load(Ordering::Relaxed);
                let deleted = progress.deleted.load(Ordering::Relaxed);
                let _ = write!(
                    io::stderr(),
                    "\r\x1b[Kpycache-guard: cleaning: {seen} entries looked at, {deleted} deleted"
                );
                drawn = true;
            }
            if drawn {
                let _ = write!(io::stderr(), "\r\x1b[K");
            }
        });
        let result = work();
        done.store(true, Ordering::Relaxed);
        ticker.thread().unpark();
        result
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(1023), "1023 bytes");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(5 * 1024 * 1024), "5.0 MiB");
    }

    #[test]
    fn a_symlink_named_last_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let real = dunce::canonicalize(dir.path()).unwrap();
        fs::create_dir(real.join("target")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(real.join("target"), real.join("link")).unwrap();
            assert_eq!(absolute_keeping_last(&real.join("link")).unwrap(), real.join("link"));
        }
        assert_eq!(absolute_keeping_last(&real.join("target/..")).unwrap(), real);
    }
}
