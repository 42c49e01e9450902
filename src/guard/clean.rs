//! `pycache-guard clean`: deletes Python bytecode from the working tree, knowing git.
//!
//! One parallel walk per folder named (the `ignore` crate's `WalkParallel`, with every ignore
//! filter off: bytecode is usually ignored, and ignored folders are exactly where it lives)
//! deletes, as it goes, each bytecode file (the bytecode rule, [`bytecode::classify`]) that the
//! index does not track and the config does not `allow`. The folders inside `__pycache__`
//! folders are remembered, and once the walk is over those left empty are removed, deepest
//! first. The walk never follows a symlink (a symlink is judged, and deleted, as a file),
//! never enters `.git` or another repository, and skips virtual environments and tool
//! folders ([`Skip`]) below the folders it was given. What the index tracks is read once,
//! before the walk, by the checks' own reader ([`check::scan_index`]).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Result;
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use rustc_hash::FxHashSet;

use crate::guard::bytecode::{self, Reason};
use crate::guard::check;
use crate::guard::config::Settings;
use crate::guard::debris::{Category, Debris};
use gitlayer::paths::path_bytes;
use gitlayer::repo::Repo;

/// Why the walk did not enter a folder below the ones it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Skip {
    /// A `.git` folder: git's own data.
    GitDir,
    /// A folder with its own `.git` (a nested clone, a submodule, a linked worktree): its
    /// files belong to another index.
    Repository,
    /// A folder holding `pyvenv.cfg`: installed packages' bytecode belongs to the installer.
    Virtualenv,
    /// `.tox`, `.nox` or `node_modules`: environments other tools manage.
    ToolFolder,
}

impl Skip {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Skip::GitDir => "a .git folder",
            Skip::Repository => "another repository",
            Skip::Virtualenv => "a virtual environment",
            Skip::ToolFolder => "a folder another tool manages",
        }
    }

    /// Whether a folder below a named one is left alone, and why: a few name comparisons, and
    /// two `lstat`s for `.git` and `pyvenv.cfg`. A `__pycache__` folder is not probed: Python
    /// writes bytecode there, never a repository or a virtual environment, and the walk meets
    /// one beside nearly every source folder (a fifth of the walk's system calls). Its `.git`,
    /// if it had one, would still be skipped by name.
    ///
    /// With the `tox` debris category chosen, `.tox` and `.nox` are entered (their files are
    /// debris); the virtual environments inside them are still skipped.
    fn of(dir: &Path, name: &std::ffi::OsStr, debris: Debris) -> Option<Skip> {
        if name == ".git" {
            return Some(Skip::GitDir);
        }
        let tox = name == ".tox" || name == ".nox";
        if (tox && !debris.contains(Category::Tox)) || name == "node_modules" {
            return Some(Skip::ToolFolder);
        }
        if name == "__pycache__" {
            return None;
        }
        let holds = |file: &str| fs::symlink_metadata(dir.join(file)).is_ok();
        if holds(".git") {
            Some(Skip::Repository)
        } else if holds("pyvenv.cfg") {
            Some(Skip::Virtualenv)
        } else {
            None
        }
    }
}

/// Why a bytecode file was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeptWhy {
    Tracked,
    Allowed,
}

/// A bytecode file left on disk on purpose.
#[derive(Debug)]
pub(crate) struct Kept {
    /// As walked: relative to [`Job::cwd`] or absolute, as every path of an [`Outcome`].
    pub(crate) path: PathBuf,
    /// The path relative to the worktree top (or the current folder outside a repository).
    pub(crate) relative: Vec<u8>,
    pub(crate) why: KeptWhy,
}

/// Something that could not be deleted (or a folder that could not be read).
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) path: PathBuf,
    /// What was tried: `delete` or `read`.
    pub(crate) action: &'static str,
    pub(crate) error: String,
}

/// What must stay: the bytecode the index tracks, and what the config allows.
pub(crate) struct Keep {
    /// Worktree-relative paths; ASCII-lowercased when the repository ignores case.
    tracked: FxHashSet<Vec<u8>>,
    ignore_case: bool,
    settings: Settings,
}

impl Keep {
    /// Reads the index once: every tracked bytecode path, in any stage, sparse directories
    /// expanded (as `git ls-files` lists them).
    pub(crate) fn from_index(repo: &Repo, settings: Settings) -> Result<Keep> {
        let scan = check::scan_index(repo, check::Candidates::Kept, settings.debris, |_| {})?;
        let ignore_case = repo.ignore_case();
        let tracked = check::tracked(repo, &scan.candidates, settings.debris)?
            .into_iter()
            .map(|finding| if ignore_case { finding.path().to_ascii_lowercase() } else { finding.path().to_vec() })
            .collect();
        Ok(Keep { tracked, ignore_case, settings })
    }

    /// Outside a repository only the config keeps files.
    pub(crate) fn config_only(settings: Settings) -> Keep {
        Keep { tracked: FxHashSet::default(), ignore_case: false, settings }
    }

    fn is_tracked(&self, relative: &[u8]) -> bool {
        match (self.tracked.is_empty(), self.ignore_case) {
            (true, _) => false,
            (false, false) => self.tracked.contains(relative),
            (false, true) => self.tracked.contains(&relative.to_ascii_lowercase()),
        }
    }
}

/// One run of `clean`.
pub(crate) struct Job {
    /// The worktree top, or the current folder outside a repository; absolute, canonical.
    /// Paths below it are judged relative to it (the index and `allow` use such paths).
    pub(crate) base: PathBuf,
    /// The current folder, absolute and canonical: roots inside it are walked by relative
    /// paths, and every path in the [`Outcome`] is then relative to it.
    pub(crate) cwd: PathBuf,
    /// The folders and files to clean: absolute, canonical but for the last component (a
    /// symlink named is not followed), none inside another.
    pub(crate) roots: Vec<PathBuf>,
    pub(crate) keep: Keep,
    /// Delete nothing; list what would be deleted.
    pub(crate) dry_run: bool,
    /// Collect the deleted paths (for `--dry-run` and `-v`).
    pub(crate) list: bool,
}

/// What a run did (or, with `--dry-run`, would do).
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) files: u64,
    pub(crate) folders: u64,
    pub(crate) bytes: u64,
    /// With [`Job::list`]: the files deleted, in no particular order.
    pub(crate) deleted_files: Vec<PathBuf>,
    /// With [`Job::list`]: the folders deleted, deepest first.
    pub(crate) deleted_folders: Vec<PathBuf>,
    pub(crate) kept: Vec<Kept>,
    pub(crate) skipped: Vec<(PathBuf, Skip)>,
    pub(crate) failures: Vec<Failure>,
    /// Folders inside `__pycache__` folders (and folders of chosen debris), candidates for
    /// removal once the walk is over.
    pycache_folders: Vec<PathBuf>,
}

impl Outcome {
    fn absorb(&mut self, other: Outcome) {
        self.files += other.files;
        self.folders += other.folders;
        self.bytes += other.bytes;
        self.deleted_files.extend(other.deleted_files);
        self.deleted_folders.extend(other.deleted_folders);
        self.kept.extend(other.kept);
        self.skipped.extend(other.skipped);
        self.failures.extend(other.failures);
        self.pycache_folders.extend(other.pycache_folders);
    }
}

/// Counters a progress line reads while the walk runs.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    pub(crate) entries: AtomicU64,
    pub(crate) deleted: AtomicU64,
}

/// Runs the job: the walks, then the emptied `__pycache__` folders.
pub(crate) fn clean(job: &Job, progress: &Progress) -> Outcome {
    let mut outcome = Outcome::default();
    for root in &job.roots {
        outcome.absorb(clean_root(job, root, progress));
    }
    remove_emptied_folders(job, &mut outcome);
    outcome
}

/// How the paths of one root's walk are judged. The walk goes by paths relative to the
/// current folder when the root is inside it (the kernel then resolves a few components per
/// system call instead of the whole absolute path, which was a fifth of the run), so an
/// entry's path is `<walked root>/<rest>`; it is judged as `<prefix>/<rest>`, where `prefix`
/// is the root relative to the job's base, or, for a root outside it, its whole path.
struct Judge<'a> {
    job: &'a Job,
    /// The path the walk starts from (relative to the current folder, or absolute).
    walked: PathBuf,
    /// Bytes of `walked` and the `/` after it, stripped from an entry's path.
    strip: usize,
    prefix: Vec<u8>,
    /// Whether `prefix` has a `__pycache__` component: then everything below is bytecode.
    prefix_in_pycache: bool,
    /// The debris categories chosen, and the one of a folder of `prefix`, if any: then
    /// everything below is debris.
    debris: Debris,
    prefix_debris: Option<Category>,
    /// Whether `prefix` is relative to the base (the index and `allow` apply).
    under_base: bool,
}

impl<'a> Judge<'a> {
    fn new(job: &'a Job, root: &Path) -> Judge<'a> {
        let under_base = root.starts_with(&job.base);
        // Outside the base (a folder named outside the current one), the whole path counts.
        let from = if under_base { job.base.as_path() } else { root.ancestors().last().unwrap_or(root) };
        let prefix = path_bytes(root.strip_prefix(from).unwrap_or(root)).into_owned();
        let walked = match root.strip_prefix(&job.cwd) {
            Ok(inside) if inside.as_os_str().is_empty() => PathBuf::from("."),
            Ok(inside) => inside.to_path_buf(),
            Err(_) => root.to_path_buf(),
        };
        let walked_bytes = path_bytes(&walked);
        let strip = if walked_bytes.ends_with(b"/") { walked_bytes.len() } else { walked_bytes.len() + 1 };
        let prefix_in_pycache = bytecode::classify(&prefix) == Some(Reason::InPycache);
        let debris = job.keep.settings.debris;
        let prefix_debris = debris.classify_folder(&prefix);
        Judge { job, walked, strip, prefix, prefix_in_pycache, debris, prefix_debris, under_base }
    }

    /// The part of a walked path below the root (empty for the root itself).
    fn rest<'p>(&self, walked_path: &'p [u8]) -> &'p [u8] {
        walked_path.get(self.strip..).unwrap_or_default()
    }

    /// The bytecode rule on `<prefix>/<rest>`, without building it: a `__pycache__` component in
    /// either part, or the name's suffix (the name is the last component of `rest`, or of
    /// `prefix` for the root itself).
    /// With debris chosen, the same for the debris rule.
    fn classify(&self, rest: &[u8]) -> Option<Reason> {
        match (rest.is_empty(), self.prefix_in_pycache) {
            (true, _) => bytecode::classify_with(&self.prefix, self.debris),
            (false, true) => Some(Reason::InPycache),
            (false, false) if self.debris.is_empty() => bytecode::classify(rest),
            (false, false) => bytecode::classify_with(rest, self.debris).or(self.prefix_debris.map(Reason::Debris)),
        }
    }

    /// Whether a walked folder lies in a `__pycache__` folder or a folder of chosen debris
    /// (or is one): removed after the walk when left empty.
    fn folder_to_remove(&self, rest: &[u8]) -> bool {
        if self.classify(rest) == Some(Reason::InPycache) {
            return true;
        }
        !self.debris.is_empty() && self.debris.classify_folder(&self.judged_path(rest)).is_some()
    }

    /// `<prefix>/<rest>`, the path the index and the config know.
    fn judged_path(&self, rest: &[u8]) -> Vec<u8> {
        let mut path = self.prefix.clone();
        if !path.is_empty() && !rest.is_empty() {
            path.push(b'/');
        }
        path.extend_from_slice(rest);
        path
    }
}

fn clean_root(job: &Job, root: &Path, progress: &Progress) -> Outcome {
    let judge = Judge::new(job, root);
    let results = Mutex::new(Outcome::default());
    let mut builder = VisitorBuilder { judge: &judge, results: &results, progress };
    // A root that is no folder (a file, or a symlink, which the walker would follow) is
    // judged alone.
    match fs::symlink_metadata(&judge.walked) {
        Ok(meta) if meta.is_dir() => {
            let skipped = Arc::new(Mutex::new(Vec::new()));
            walker(&judge.walked, judge.debris, Arc::clone(&skipped)).visit(&mut builder);
            let skipped = std::mem::take(&mut *skipped.lock().unwrap_or_else(PoisonError::into_inner));
            results.lock().unwrap_or_else(PoisonError::into_inner).skipped.extend(skipped);
        }
        Ok(_) => {
            let mut visitor = builder.visitor();
            visitor.file(&judge.walked);
        }
        Err(error) => {
            let failure = Failure { path: judge.walked.clone(), action: "read", error: error.to_string() };
            results.lock().unwrap_or_else(PoisonError::into_inner).failures.push(failure);
        }
    }
    results.into_inner().unwrap_or_else(PoisonError::into_inner)
}

/// The parallel walk: no ignore file read, hidden entries included, no symlink followed, and
/// the folders of [`Skip`] left out (recorded in `skipped`; `.git` silently).
fn walker(root: &Path, debris: Debris, skipped: Arc<Mutex<Vec<(PathBuf, Skip)>>>) -> ignore::WalkParallel {
    let mut builder = WalkBuilder::new(root);
    builder.standard_filters(false).follow_links(false);
    builder.filter_entry(move |entry| {
        if !entry.file_type().is_some_and(|t| t.is_dir()) {
            return true;
        }
        match Skip::of(entry.path(), entry.file_name(), debris) {
            None => true,
            Some(Skip::GitDir) => false,
            Some(skip) => {
                skipped.lock().unwrap_or_else(PoisonError::into_inner).push((entry.path().to_path_buf(), skip));
                false
            }
        }
    });
    builder.build_parallel()
}

struct VisitorBuilder<'a> {
    judge: &'a Judge<'a>,
    results: &'a Mutex<Outcome>,
    progress: &'a Progress,
}

impl<'a> VisitorBuilder<'a> {
    fn visitor(&self) -> Visitor<'a> {
        Visitor {
            judge: self.judge,
            results: self.results,
            progress: self.progress,
            local: Outcome::default(),
            unreported: 0,
        }
    }
}

impl<'s> ParallelVisitorBuilder<'s> for VisitorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(self.visitor())
    }
}

/// One walking thread: judges and deletes, and hands what it did to the shared outcome
/// when the walk drops it.
struct Visitor<'a> {
    judge: &'a Judge<'a>,
    results: &'a Mutex<Outcome>,
    progress: &'a Progress,
    local: Outcome,
    /// Entries seen but not yet added to the progress counter (it is shared: add in batches).
    unreported: u64,
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        self.unreported += 1;
        if self.unreported == 256 {
            self.progress.entries.fetch_add(self.unreported, Ordering::Relaxed);
            self.unreported = 0;
        }
        match entry {
            Ok(entry) if entry.file_type().is_some_and(|t| t.is_dir()) => self.folder(entry.path()),
            Ok(entry) => self.file(entry.path()),
            Err(error) => self.unreadable(&error),
        }
        WalkState::Continue
    }
}

impl Visitor<'_> {
    /// A folder inside a `__pycache__` folder (or one itself) may be removed after the walk.
    fn folder(&mut self, path: &Path) {
        let walked = path_bytes(path);
        if self.judge.folder_to_remove(self.judge.rest(&walked)) {
            self.local.pycache_folders.push(path.to_path_buf());
        }
    }

    /// A file or symlink: deleted when it is bytecode that nothing keeps.
    fn file(&mut self, path: &Path) {
        // A name that is not Unicode (Windows only) is judged by its lossy spelling: the
        // index cannot hold it and an allow glob matches U+FFFD as it matches the original.
        let walked = path_bytes(path);
        let rest = self.judge.rest(&walked);
        if self.judge.classify(rest).is_none() {
            return;
        }
        let keep = &self.judge.job.keep;
        let judged = self.judge.judged_path(rest);
        let why = if self.judge.under_base && keep.settings.is_allowed(&judged) {
            Some(KeptWhy::Allowed)
        } else if self.judge.under_base && keep.is_tracked(&judged) {
            Some(KeptWhy::Tracked)
        } else {
            None
        };
        if let Some(why) = why {
            self.local.kept.push(Kept { path: path.to_path_buf(), relative: judged, why });
            return;
        }
        self.delete_file(path);
    }

    fn delete_file(&mut self, path: &Path) {
        let size = fs::symlink_metadata(path).map_or(0, |meta| meta.len());
        let deleted = match self.judge.job.dry_run {
            true => Ok(()),
            false => fs::remove_file(path),
        };
        match deleted {
            Ok(()) => {
                self.local.files += 1;
                self.local.bytes += size;
                self.progress.deleted.fetch_add(1, Ordering::Relaxed);
                if self.judge.job.list {
                    self.local.deleted_files.push(path.to_path_buf());
                }
            }
            // Gone meanwhile (Python, or another clean): nothing left to do.
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => {
                let failure = Failure { path: path.to_path_buf(), action: "delete", error: error.to_string() };
                self.local.failures.push(failure);
            }
        }
    }

    /// A folder that could not be read (or an entry that could not be looked at).
    fn unreadable(&mut self, error: &ignore::Error) {
        let (path, message) = error_parts(error);
        let path = path.unwrap_or_else(|| self.judge.job.base.clone());
        self.local.failures.push(Failure { path, action: "read", error: message });
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        self.progress.entries.fetch_add(self.unreported, Ordering::Relaxed);
        let local = std::mem::take(&mut self.local);
        self.results.lock().unwrap_or_else(PoisonError::into_inner).absorb(local);
    }
}

/// The path an error of the walk is about, and the underlying reason.
fn error_parts(error: &ignore::Error) -> (Option<PathBuf>, String) {
    match error {
        ignore::Error::WithPath { path, err } => (Some(path.clone()), error_parts(err).1),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_parts(err),
        ignore::Error::Io(io) => (None, io.to_string()),
        other => (None, other.to_string()),
    }
}

/// After the walk: every folder inside a `__pycache__` folder that holds nothing that stays
/// (a kept file, one that could not be deleted, a skipped or unreadable folder) is removed,
/// deepest first. `remove_dir` only ever removes an empty folder, so a file that appeared
/// meanwhile keeps its folder.
fn remove_emptied_folders(job: &Job, outcome: &mut Outcome) {
    let mut holding: FxHashSet<PathBuf> = FxHashSet::default();
    let staying = outcome.kept.iter().map(|k| &k.path).chain(outcome.failures.iter().map(|f| &f.path));
    for path in staying.chain(outcome.skipped.iter().map(|(path, _)| path)) {
        mark_ancestors(&mut holding, path);
    }
    let mut folders = std::mem::take(&mut outcome.pycache_folders);
    // A folder's path is longer than its parent's: by length, children come first.
    folders.sort_unstable_by(|a, b| b.as_os_str().len().cmp(&a.as_os_str().len()).then_with(|| a.cmp(b)));
    folders.dedup();
    for folder in folders {
        if holding.contains(&folder) {
            continue;
        }
        let removed = if job.dry_run { Ok(()) } else { fs::remove_dir(&folder) };
        match removed {
            Ok(()) => {
                outcome.folders += 1;
                if job.list {
                    outcome.deleted_folders.push(folder);
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) if error.kind() == io::ErrorKind::DirectoryNotEmpty => mark_ancestors(&mut holding, &folder),
            Err(error) => {
                mark_ancestors(&mut holding, &folder);
                outcome.failures.push(Failure { path: folder, action: "delete", error: error.to_string() });
            }
        }
    }
}

/// Marks every folder above `path` (and `path` itself) as holding something that stays.
fn mark_ancestors(holding: &mut FxHashSet<PathBuf>, path: &Path) {
    for ancestor in path.ancestors() {
        if !holding.insert(ancestor.to_path_buf()) {
            break; // its ancestors are marked already
        }
    }
}
