//! Which ignore rule ignores or re-includes a path, and where it is written — as git decides.
//!
//! The `ignore` crate's matcher answers "which line of this one file matches last". Git's
//! answer needs more, and this module adds it:
//! - precedence: a `.gitignore` deeper in the tree beats a shallower one, and both beat
//!   `.git/info/exclude`, which beats `core.excludesFile`;
//! - parents first: git never looks inside an excluded folder, so a file in one is ignored
//!   whatever a later `!negation` says (`build/` + `!build/*.pyc` ignores `build/x.pyc`).
//!   `Gitignore::matched_path_or_any_parents` and libgit2's `is_path_ignored` both get that
//!   case wrong, so we walk the leading folders ourselves.
//!
//! Verdicts are proven against `git check-ignore -v --no-index` in `tests/it/ignore_git.rs`.

use std::cell::{OnceCell, RefCell};
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use rustc_hash::FxHashMap as HashMap;

mod reader;

pub use reader::{GitignoreReader, ReadFile};

use crate::paths::{bytes_path, path_bytes};
use crate::repo::Repo;

/// One rule (one line of an ignore file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The file as `git check-ignore -v` names it (`.gitignore`, `sub/.gitignore`, ...).
    pub source: String,
    /// 1-based line number.
    pub line: usize,
    /// The pattern as written, trailing spaces trimmed, `!` kept.
    pub pattern: String,
}

impl Rule {
    /// `file:line`, the way people and editors find a line.
    pub fn location(&self) -> String {
        format!("{}:{}", self.source, self.line)
    }
}

/// Git's verdict on a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Ignored, by this rule (possibly one that excludes a parent folder).
    Ignored(Rule),
    /// A negation is the deciding rule: not ignored.
    Reincluded(Rule),
    /// No rule matches.
    Unmatched,
}

impl Verdict {
    pub fn is_ignored(&self) -> bool {
        matches!(self, Verdict::Ignored(_))
    }

    pub fn rule(&self) -> Option<&Rule> {
        match self {
            Verdict::Ignored(rule) | Verdict::Reincluded(rule) => Some(rule),
            Verdict::Unmatched => None,
        }
    }
}

/// One ignore file. Its rules are compiled the first time a verdict consults them: most
/// files of a large tree never need it (see [`RuleSet::surely_ignored`]).
pub struct IgnoreFile {
    /// The folder whose contents it governs, relative to the worktree top: `` or `a/b/`.
    dir: Vec<u8>,
    source: String,
    bytes: Vec<u8>,
    ignore_case: bool,
    /// Whether some line may be a negation (the file has a `!`). A file without one can
    /// only add ignores, never take one back.
    may_negate: bool,
    compiled: OnceCell<Compiled>,
}

/// Verdicts remembered by a name or path.
type Memo<T> = RefCell<HashMap<Vec<u8>, T>>;

struct Compiled {
    matcher: Gitignore,
    negations: Vec<Rule>,
    /// When no pattern has a `/` inside, the verdict depends on the file name alone, as
    /// for git's patterns without one: verdicts are remembered by name, file and folder.
    /// The audit asks about the same few names in every folder.
    by_name: Option<Memo<[Option<Rc<Verdict>>; 2]>>,
}

impl IgnoreFile {
    /// An ignore file's bytes, to be parsed as git does when first needed: a UTF-8 BOM is
    /// skipped, lines end at `\n` with an optional `\r`, trailing unescaped spaces are
    /// trimmed, `#` starts a comment. A line that is not a valid glob never matches (git's
    /// wildmatch fails it too).
    pub fn parse(dir: Vec<u8>, source: String, bytes: &[u8], ignore_case: bool) -> IgnoreFile {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes).to_vec();
        let may_negate = memchr::memchr(b'!', &bytes).is_some();
        IgnoreFile { dir, source, bytes, ignore_case, may_negate, compiled: OnceCell::new() }
    }

    /// A `.gitignore` of the tree at `path` (worktree-relative): it governs its own folder,
    /// and messages name it by that path.
    pub fn gitignore(path: &[u8], bytes: &[u8], ignore_case: bool) -> IgnoreFile {
        IgnoreFile::parse(governed_dir(path), String::from_utf8_lossy(path).into_owned(), bytes, ignore_case)
    }

    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| {
            let text = String::from_utf8_lossy(&self.bytes);
            let mut builder = GitignoreBuilder::new("");
            builder.case_insensitive(self.ignore_case).expect("setting case sensitivity cannot fail");
            let mut negations = Vec::new();
            let mut names_only = true;
            for (index, line) in text.split('\n').enumerate() {
                let line = line.strip_suffix('\r').unwrap_or(line);
                let pattern = trim_trailing_spaces(line);
                // A lone `!` is a no-op for git; some versions of the matcher read it as `**`.
                if pattern == "!" {
                    continue;
                }
                // The matcher keeps no line numbers, but it keeps the `from` path of each
                // rule: we store the line number there and read it back from a match.
                let added = builder.add_line(Some(PathBuf::from((index + 1).to_string())), line).is_ok();
                if added && pattern.starts_with('!') {
                    negations.push(Rule { source: self.source.clone(), line: index + 1, pattern: pattern.to_owned() });
                }
                names_only &= !added || pattern.trim_end_matches('/').find('/').is_none();
            }
            let matcher = builder.build().unwrap_or_else(|_| Gitignore::empty());
            Compiled { matcher, negations, by_name: names_only.then(RefCell::default) }
        })
    }

    /// Reads an ignore file from disk. Git does not read an ignore file through a symlink,
    /// and a missing or unreadable file has no rules.
    pub fn read(dir: Vec<u8>, source: String, path: &Path, ignore_case: bool) -> Option<IgnoreFile> {
        Some(IgnoreFile::parse(dir, source, &read_ignore_file(path)?, ignore_case))
    }

    pub fn dir(&self) -> &[u8] {
        &self.dir
    }

    /// The file's verdict on a path inside its folder (relative to the worktree top), or
    /// `None` when no rule of the file matches it.
    fn matched(&self, path: &[u8], is_dir: bool) -> Option<Rc<Verdict>> {
        let relative = path.strip_prefix(self.dir.as_slice())?;
        let compiled = self.compiled();
        let Some(by_name) = &compiled.by_name else {
            return self.match_path(&compiled.matcher, relative, is_dir);
        };
        let name = relative.rsplit(|&b| b == b'/').next().unwrap_or(relative);
        let slot = usize::from(is_dir);
        if let Some(verdict) = by_name.borrow().get(name).and_then(|slots| slots[slot].clone()) {
            return (*verdict != Verdict::Unmatched).then_some(verdict);
        }
        let verdict = self.match_path(&compiled.matcher, relative, is_dir);
        let remembered = verdict.clone().unwrap_or_else(|| Rc::new(Verdict::Unmatched));
        by_name.borrow_mut().entry(name.to_vec()).or_default()[slot] = Some(remembered);
        verdict
    }

    fn match_path(&self, matcher: &Gitignore, relative: &[u8], is_dir: bool) -> Option<Rc<Verdict>> {
        match matcher.matched(bytes_path(relative), is_dir) {
            Match::None => None,
            Match::Ignore(glob) => Some(Rc::new(Verdict::Ignored(self.rule(glob)))),
            Match::Whitelist(glob) => Some(Rc::new(Verdict::Reincluded(self.rule(glob)))),
        }
    }

    fn rule(&self, glob: &ignore::gitignore::Glob) -> Rule {
        let line = glob.from().and_then(|from| from.to_str()?.parse().ok()).unwrap_or(0);
        Rule { source: self.source.clone(), line, pattern: glob.original().to_owned() }
    }

    /// Every negation (`!pattern`) rule of the file, in order.
    pub fn negations(&self) -> &[Rule] {
        if self.may_negate { &self.compiled().negations } else { &[] }
    }

    /// Whether one of the file's lines is a bytecode rule Python projects write (`*.pyc`,
    /// `*.py[cod]`, `__pycache__/`, ...) that matches this file or folder name: read off
    /// the text, without compiling the file. Such a rule has no slash inside, so it matches
    /// the name in every folder below the file's.
    fn has_bytecode_rule_for(&self, name: &[u8], is_dir: bool) -> bool {
        self.bytes.split(|&b| b == b'\n').any(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            // Trailing spaces go, as git trims them; an escaped one leaves its backslash,
            // which no usual rule has.
            let end = line.iter().rposition(|&b| b != b' ').map_or(0, |last| last + 1);
            bytecode_rule_matches(&line[..end], name, is_dir)
        })
    }
}

/// Whether `line` is one of the usual bytecode rules and matches the name.
fn bytecode_rule_matches(line: &[u8], name: &[u8], is_dir: bool) -> bool {
    let line = line.strip_prefix(b"**/").unwrap_or(line);
    let (glob, folders_only) = match line.strip_suffix(b"/") {
        Some(glob) => (glob, true),
        None => (line, false),
    };
    if folders_only && !is_dir {
        return false;
    }
    // `*.py[cod]`: `.py` then one byte of the class, the name's last.
    let py_then_one_of = |class: &[u8]| {
        name.len() >= 4 && &name[name.len() - 4..name.len() - 1] == b".py" && class.contains(&name[name.len() - 1])
    };
    match glob {
        b"__pycache__" => name == b"__pycache__",
        b"*.pyc" | b"*.pyo" | b"*$py.class" => name.ends_with(&glob[1..]),
        b"*.py[co]" => py_then_one_of(b"co"),
        b"*.py[cod]" => py_then_one_of(b"cod"),
        b"*.py[codz]" => py_then_one_of(b"codz"),
        _ => false,
    }
}

/// An ignore file's bytes as git reads them: a regular file only, never through a symlink;
/// a missing or unreadable file has no rules.
///
/// A hook reads every tracked `.gitignore` on every commit, so this costs four system calls
/// (open, fstat, read, close) where `symlink_metadata` + `fs::read` make six.
#[cfg(unix)]
pub fn read_ignore_file(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    // No symlink is followed, and a FIFO does not block the open.
    let file = fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).ok()?;
    let meta = file.metadata().ok().filter(|meta| meta.is_file())?;
    let mut bytes = vec![0; usize::try_from(meta.len()).ok()?];
    let mut filled = 0;
    // Read what fstat announced (git reads `st_size` bytes too); a file that shrank meanwhile
    // ends early.
    while filled < bytes.len() {
        match (&file).read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    bytes.truncate(filled);
    Some(bytes)
}

#[cfg(not(unix))]
pub fn read_ignore_file(path: &Path) -> Option<Vec<u8>> {
    fs::symlink_metadata(path).ok().filter(|meta| meta.is_file())?;
    fs::read(path).ok()
}

/// Git trims trailing spaces unless a backslash escapes the last one.
fn trim_trailing_spaces(line: &str) -> &str {
    let trimmed = line.trim_end_matches(' ');
    if trimmed.len() < line.len() && trimmed.ends_with('\\') { &line[..trimmed.len() + 1] } else { trimmed }
}

/// All the ignore rules git applies in a worktree.
#[derive(Default)]
pub struct RuleSet {
    /// The tree's `.gitignore` files, shallowest first.
    tree: Vec<IgnoreFile>,
    /// Which of them governs a folder (`` or `a/b/`): a verdict looks only at the files of
    /// its path's folders, so the cost does not grow with the number of ignore files.
    by_dir: HashMap<Vec<u8>, usize>,
    /// `.git/info/exclude`, then `core.excludesFile`: lower precedence than any `.gitignore`.
    /// Read the first time a verdict needs them, which a repository whose own rules cover
    /// bytecode never does: a hook pays for them only when something is missing.
    personal: OnceCell<Vec<IgnoreFile>>,
    /// Where the personal files are (their name for messages, and their path).
    personal_paths: Vec<(String, PathBuf)>,
    ignore_case: bool,
    /// Whether some `.gitignore` of the tree may negate.
    may_negate: bool,
    /// Verdicts on folders already judged: the probes of one folder share their leading
    /// folders, whose verdicts decide first.
    folder_verdicts: [Memo<Option<Rc<Verdict>>>; 3],
}

/// Whose rules count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The repository's own `.gitignore` files: what protects every clone.
    Repository,
    /// Those plus `.git/info/exclude` and `core.excludesFile`: what git does on this machine.
    WithPersonal,
}

/// The files a verdict consults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Files {
    /// The top `.gitignore` and those that may negate: enough to prove a path ignored.
    TopAndNegating,
    Repository,
    WithPersonal,
}

impl From<Scope> for Files {
    fn from(scope: Scope) -> Files {
        match scope {
            Scope::Repository => Files::Repository,
            Scope::WithPersonal => Files::WithPersonal,
        }
    }
}

impl RuleSet {
    pub fn new(mut tree: Vec<IgnoreFile>, personal: Vec<IgnoreFile>) -> RuleSet {
        tree.sort_by_key(|file| file.dir.iter().filter(|&&b| b == b'/').count());
        let by_dir = tree.iter().enumerate().map(|(index, file)| (file.dir.clone(), index)).collect();
        RuleSet {
            may_negate: tree.iter().any(|file| file.may_negate),
            tree,
            by_dir,
            personal: OnceCell::from(personal),
            personal_paths: Vec::new(),
            ignore_case: false,
            folder_verdicts: Default::default(),
        }
    }

    fn personal(&self) -> &[IgnoreFile] {
        self.personal.get_or_init(|| {
            let read = |(source, path): &(String, PathBuf)| {
                IgnoreFile::read(Vec::new(), source.clone(), path, self.ignore_case)
            };
            self.personal_paths.iter().filter_map(read).collect()
        })
    }

    pub fn tree_files(&self) -> &[IgnoreFile] {
        &self.tree
    }

    /// Git's verdict on a worktree-relative path: each leading folder first (an excluded
    /// folder decides for everything inside it), then the path itself.
    pub fn verdict(&self, path: &[u8], is_dir: bool, scope: Scope) -> Verdict {
        self.judge(path, is_dir, Files::from(scope)).map_or(Verdict::Unmatched, |verdict| (*verdict).clone())
    }

    /// Whether the repository's rules ignore the path, judged by the top `.gitignore` and the
    /// files that may negate only. `false` proves nothing: ask [`RuleSet::verdict`].
    ///
    /// A file without negations can only add ignores: consulted before its parents, it
    /// either ignores the path (or a leading folder) itself or leaves the verdict to them.
    /// So once these files ignore a path, all of them do, and the other files of a large
    /// tree need not even be compiled.
    ///
    /// Without any negation in the tree, a usual bytecode rule of the top `.gitignore`
    /// (`*.py[cod]`) proves it without even compiling that file: most repositories' case.
    pub fn surely_ignored(&self, path: &[u8], is_dir: bool) -> bool {
        let name = path.rsplit(|&b| b == b'/').next().unwrap_or(path);
        let top = self.by_dir.get(&b""[..]).map(|&index| &self.tree[index]);
        if !self.may_negate && top.is_some_and(|top| top.has_bytecode_rule_for(name, is_dir)) {
            return true;
        }
        self.judge(path, is_dir, Files::TopAndNegating).is_some_and(|verdict| verdict.is_ignored())
    }

    /// The deciding verdict, `None` when no rule matches. Shared, not copied: the audit asks
    /// about thousands of paths and the answers repeat.
    fn judge(&self, path: &[u8], is_dir: bool, files: Files) -> Option<Rc<Verdict>> {
        let mut end = 0;
        while let Some(slash) = path[end..].iter().position(|&b| b == b'/') {
            if let Some(verdict) = self.folder_verdict(&path[..end + slash], files)
                && verdict.is_ignored()
            {
                return Some(verdict);
            }
            end += slash + 1;
        }
        self.matched_here(path, is_dir, files)
    }

    /// A leading folder's own verdict, remembered: the probes of one folder share them.
    fn folder_verdict(&self, folder: &[u8], files: Files) -> Option<Rc<Verdict>> {
        let memo = &self.folder_verdicts[files as usize];
        if let Some(verdict) = memo.borrow().get(folder) {
            return verdict.clone();
        }
        let verdict = self.matched_here(folder, true, files);
        memo.borrow_mut().insert(folder.to_vec(), verdict.clone());
        verdict
    }

    /// The deciding rule for the path itself, ignoring its parents' verdicts.
    fn matched_here(&self, path: &[u8], is_dir: bool, files: Files) -> Option<Rc<Verdict>> {
        let personal = match files {
            Files::WithPersonal => self.personal(),
            Files::TopAndNegating | Files::Repository => &[][..],
        };
        let consulted = |file: &&IgnoreFile| files != Files::TopAndNegating || file.dir.is_empty() || file.may_negate;
        // The `.gitignore` of the path's folder first, then its parents', then the personal
        // files in precedence order.
        let folder_ends = path.iter().enumerate().filter(|(_, b)| **b == b'/').map(|(i, _)| i + 1).rev();
        folder_ends
            .chain(std::iter::once(0))
            .filter_map(|end| self.by_dir.get(&path[..end]).map(|&index| &self.tree[index]))
            .filter(consulted)
            .chain(personal)
            .find_map(|file| file.matched(path, is_dir))
    }
}

impl RuleSet {
    /// The rules git applies in this worktree: the root `.gitignore`, the other `.gitignore`
    /// files named (worktree-relative), `.git/info/exclude` and `core.excludesFile`.
    pub fn load(repo: &Repo, gitignores: impl IntoIterator<Item = Vec<u8>>) -> RuleSet {
        let mut reader = GitignoreReader::new(repo.workdir());
        for path in gitignores {
            reader.add(&path);
        }
        RuleSet::from_read(repo, reader.finish())
    }

    /// The rules git applies in this worktree, from the `.gitignore` files a
    /// [`GitignoreReader`] read, with `.git/info/exclude` and `core.excludesFile`.
    pub fn from_read(repo: &Repo, read: Vec<ReadFile>) -> RuleSet {
        let Some(top) = repo.workdir() else {
            return RuleSet::default();
        };
        let config = repo.git().config().ok();
        let flag = |name: &str| config.as_ref().and_then(|c| c.get_bool(name).ok()).unwrap_or(false);
        let ignore_case = flag("core.ignoreCase");
        let tree = read
            .into_iter()
            .filter_map(|(path, bytes)| Some(IgnoreFile::gitignore(&path, &bytes?, ignore_case)))
            .collect();
        let personal_paths = [Some(repo.git().commondir().join("info/exclude")), excludes_file(config.as_ref())];
        RuleSet {
            personal: OnceCell::new(),
            personal_paths: personal_paths
                .into_iter()
                .flatten()
                .map(|path| (display_source(top, &path), path))
                .collect(),
            ignore_case,
            ..RuleSet::new(tree, Vec::new())
        }
    }
}

/// `core.excludesFile`, or git's default `$XDG_CONFIG_HOME/git/ignore` (`~/.config/git/ignore`).
fn excludes_file(config: Option<&git2::Config>) -> Option<PathBuf> {
    if let Some(path) = config.and_then(|c| c.get_path("core.excludesFile").ok()) {
        return Some(path);
    }
    let xdg = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
    let config_home = xdg.or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config_home.join("git/ignore"))
}

/// A file's name for messages: worktree-relative when inside it, like git's own.
fn display_source(top: &Path, path: &Path) -> String {
    match path.strip_prefix(top) {
        Ok(relative) => relative.display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// Every `.gitignore` git would read in the worktree, found by walking it the way git does:
/// top-down, never into an ignored folder or `.git`. For the one-shot commands only; the
/// per-commit check takes the tracked ones from the index instead.
pub fn find_gitignores(top: &Path) -> Vec<Vec<u8>> {
    let walker = ignore::WalkBuilder::new(top)
        .hidden(false)
        .ignore(false)
        .parents(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build();
    let mut found: Vec<Vec<u8>> = walker
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name() == ".gitignore" && entry.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|entry| entry.path().strip_prefix(top).ok().map(|p| path_bytes(p).into_owned()))
        .collect();
    found.sort();
    found
}

/// The folder a `.gitignore` at this worktree-relative path governs: `a/b/.gitignore` ->
/// `a/b/`, `.gitignore` -> ``.
pub fn governed_dir(gitignore_path: &[u8]) -> Vec<u8> {
    match gitignore_path.iter().rposition(|&b| b == b'/') {
        Some(slash) => gitignore_path[..=slash].to_vec(),
        None => Vec::new(),
    }
}

/// Whether a worktree-relative path names a `.gitignore` file.
pub fn is_gitignore_path(path: &[u8]) -> bool {
    path == b".gitignore" || path.ends_with(b"/.gitignore")
}

/// A folder name no repository has, for probes one level down: it tells rules that apply
/// at one level only (`/*.pyc`) from rules that apply everywhere.
pub const PROBE_SUBFOLDER: &str = "pycache_guard_probe/";

/// A path whose verdict we look at, and whether git sees a folder there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    pub path: Vec<u8>,
    pub is_dir: bool,
}

/// Concrete paths a negation pattern re-includes, as a file, inside `__pycache__/`, and one
/// folder down when the pattern matches at any depth.
pub fn negation_examples(dir: &[u8], pattern: &str) -> Vec<Probe> {
    let body = pattern.trim_start_matches('!');
    let (body, is_dir) = match body.strip_suffix('/') {
        Some(stripped) => (stripped, true),
        None => (body, false),
    };
    let anchored = body.starts_with('/') || body.trim_end_matches('/').contains('/');
    let example = concretize(body.trim_start_matches('/'));
    let (parent, name) = match example.rfind('/') {
        Some(slash) => (&example[..=slash], &example[slash + 1..]),
        None => ("", example.as_str()),
    };
    let mut paths = vec![format!("{parent}{name}"), format!("{parent}__pycache__/{name}")];
    if !anchored {
        paths.push(format!("sub/{name}"));
        paths.push(format!("sub/__pycache__/{name}"));
    }
    paths.into_iter().map(|path| Probe { path: [dir, path.as_bytes()].concat(), is_dir }).collect()
}

/// A name that a glob matches: wildcards become `x`, a class its first allowed character,
/// `**/` nothing, escapes their character.
fn concretize(glob: &str) -> String {
    let mut out = String::new();
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                } else {
                    out.push('x');
                }
            }
            '*' | '?' => out.push('x'),
            '[' => {
                let class: String = chars.by_ref().take_while(|&c| c != ']').collect();
                out.push(class_member(&class));
            }
            c => out.push(c),
        }
    }
    out
}

fn class_member(class: &str) -> char {
    match class.strip_prefix(['!', '^']) {
        Some(excluded) => ('a'..='z').find(|c| !excluded.contains(*c)).unwrap_or('_'),
        None => class.chars().next().unwrap_or('x'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(files: &[(&str, &str)]) -> RuleSet {
        let tree =
            files.iter().map(|(path, text)| IgnoreFile::gitignore(path.as_bytes(), text.as_bytes(), false)).collect();
        RuleSet::new(tree, Vec::new())
    }

    fn deciding(set: &RuleSet, path: &str, is_dir: bool) -> (bool, Option<String>) {
        let verdict = set.verdict(path.as_bytes(), is_dir, Scope::Repository);
        (verdict.is_ignored(), verdict.rule().map(Rule::location))
    }

    #[test]
    fn excluded_folder_beats_a_later_negation() {
        let set = rules(&[(".gitignore", "build/\n!build/*.pyc\n")]);
        assert_eq!(deciding(&set, "build/x.pyc", false), (true, Some(".gitignore:1".into())));
    }

    #[test]
    fn deeper_file_wins_and_last_line_wins() {
        let set = rules(&[(".gitignore", "*.pyc\n"), ("tests/.gitignore", "# fixtures\n!*.pyc\n*.pyc\n!keep.pyc\n")]);
        assert_eq!(deciding(&set, "x.pyc", false), (true, Some(".gitignore:1".into())));
        assert_eq!(deciding(&set, "tests/x.pyc", false), (true, Some("tests/.gitignore:3".into())));
        assert_eq!(deciding(&set, "tests/keep.pyc", false), (false, Some("tests/.gitignore:4".into())));
    }

    #[test]
    fn crlf_bom_and_trailing_spaces() {
        let set = rules(&[(".gitignore", "\u{feff}*.pyo\r\n__pycache__/  \r\n")]);
        assert_eq!(deciding(&set, "a/b.pyo", false), (true, Some(".gitignore:1".into())));
        assert_eq!(deciding(&set, "a/__pycache__/m.pyc", false), (true, Some(".gitignore:2".into())));
        assert_eq!(deciding(&set, "a/__pycache__", false), (false, None));
    }

    #[test]
    fn anchored_rules_only_match_their_folder() {
        let set = rules(&[(".gitignore", "/*.pyc\n"), ("sub/.gitignore", "/local.pyc\n")]);
        assert!(deciding(&set, "x.pyc", false).0);
        assert!(!deciding(&set, "sub/x.pyc", false).0);
        assert!(deciding(&set, "sub/local.pyc", false).0);
        assert!(!deciding(&set, "sub/deeper/local.pyc", false).0);
    }

    #[test]
    fn negations_are_listed_with_lines() {
        let file = IgnoreFile::parse(Vec::new(), ".gitignore".into(), b"*.pyc\n!keep.pyc  \n\\!literal\n!\n", false);
        let negations = file.negations();
        assert_eq!(negations.len(), 1);
        assert_eq!((negations[0].line, negations[0].pattern.as_str()), (2, "!keep.pyc"));
    }

    #[test]
    fn usual_bytecode_rules_are_read_off_the_text() {
        let matches =
            |line: &str, name: &str, is_dir: bool| bytecode_rule_matches(line.as_bytes(), name.as_bytes(), is_dir);
        assert!(matches("*.py[cod]", "m.pyc", false) && matches("*.py[cod]", "m.pyo", false));
        assert!(matches("**/*.py[co]", ".pyo", false));
        assert!(matches("__pycache__/", "__pycache__", true) && !matches("__pycache__/", "__pycache__", false));
        assert!(matches("__pycache__", "__pycache__", false) && matches("*$py.class", "m$py.class", false));
        assert!(!matches("*.py[cod]", "m.py", false) && !matches("*.pyc", "m.pyo", false));
        assert!(!matches("/*.pyc", "m.pyc", false), "anchored: the top folder only");
        assert!(!matches("*.PYC", "m.pyc", false) && !matches("*.pyc\\", "m.pyc", false));
        // The shortcut needs the rule in the top file and no negation anywhere.
        let top = rules(&[(".gitignore", "*.py[cod]  \r\n__pycache__/\n"), ("a/.gitignore", "build/\n")]);
        assert!(top.surely_ignored(b"a/b/m.pyc", false) && top.surely_ignored(b"a/__pycache__", true));
        let negated = rules(&[(".gitignore", "*.py[cod]\n"), ("a/.gitignore", "!keep.pyc\n")]);
        assert!(negated.surely_ignored(b"a/m.pyc", false) && !negated.surely_ignored(b"a/keep.pyc", false));
    }

    #[test]
    fn concretized_globs() {
        assert_eq!(concretize("tests/fixtures/*.pyc"), "tests/fixtures/x.pyc");
        assert_eq!(concretize("**/keep.py[co]"), "keep.pyc");
        assert_eq!(concretize("a/**/b?[!abc].pyo"), "a/bxd.pyo");
        assert_eq!(concretize("\\!bang.pyc"), "!bang.pyc");
    }
}
