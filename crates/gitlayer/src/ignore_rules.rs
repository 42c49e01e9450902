//! Which ignore rule ignores or re-includes a path, and where it is written — as git decides.
//!
//! Each line is parsed and matched by gitoxide's `gix-glob`, whose wildmatch
//! is a port of git's own: a pattern is matched directly, as git does, with git's fast
//! paths (a literal name is compared, `*.ext` is a suffix test), so nothing is compiled and
//! a verdict costs one pass over the lines of the files it consults. A `.gitignore` of
//! millions of lines is judged in time linear in its size (compiling every pattern into
//! one regex set first, as an earlier version did, is not: see docs/performance.md).
//!
//! Git's answer needs more than "which line matches last", and this module adds it:
//! - precedence: a `.gitignore` deeper in the tree beats a shallower one, and both beat
//!   `.git/info/exclude`, which beats `core.excludesFile`;
//! - parents first: git never looks inside an excluded folder, so a file in one is ignored
//!   whatever a later `!negation` says (`build/` + `!build/*.o` ignores `build/x.o`).
//!
//! Verdicts are proven against `git check-ignore -v --no-index` in `tests/it/ignore_git.rs`.

use std::cell::{OnceCell, RefCell};

use std::path::{Path, PathBuf};
use std::rc::Rc;

use gix_glob::Pattern;
use gix_glob::pattern::{Case, Mode};
use gix_glob::wildmatch;
use rustc_hash::FxHashMap as HashMap;

mod reader;

pub use reader::{GitignoreReader, ReadFile};

use crate::files::{Symlinks, read_regular};
use crate::id::ObjectId;
use crate::paths::path_bytes;

use crate::repo::Repo;

/// One rule (one line of an ignore file): data, never text. Printers show the file and the
/// pattern the way git quotes paths (`crate::paths::display_path`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The file it is written in, as `git check-ignore -v` names it.
    pub source: Source,
    /// 1-based line number.
    pub line: usize,
    /// The pattern as written (raw bytes), trailing spaces trimmed, `!` kept.
    pub pattern: Vec<u8>,
}

impl Rule {
    /// Whether the rule re-includes what it matches (`!pattern`).
    pub fn is_negation(&self) -> bool {
        self.pattern.starts_with(b"!")
    }
}

/// The ignore file a rule is written in, by its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A file named relative to the top of the worktree (or of the commit's tree): every
    /// `.gitignore` (`.gitignore`, `sub/.gitignore`), and `.git/info/exclude` or a
    /// `core.excludesFile` when they lie inside the worktree.
    Tree(Vec<u8>),
    /// A personal excludes file outside the worktree (`core.excludesFile`, by default
    /// `~/.config/git/ignore`; a linked worktree's `info/exclude`), by its absolute path.
    Outside(Vec<u8>),
}

impl Source {
    /// The path's bytes: worktree-relative for [`Source::Tree`], absolute for
    /// [`Source::Outside`].
    pub fn bytes(&self) -> &[u8] {
        match self {
            Source::Tree(path) | Source::Outside(path) => path,
        }
    }

    /// The name of a personal file at `path`, as git names it: worktree-relative when it is
    /// inside the worktree `top`, else absolute.
    fn of_personal(top: &Path, path: &Path) -> Source {
        match path.strip_prefix(top) {
            Ok(relative) => Source::Tree(path_bytes(relative).into_owned()),
            Err(_) => Source::Outside(path_bytes(path).into_owned()),
        }
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
    /// Whether the path is ignored.
    pub fn is_ignored(&self) -> bool {
        matches!(self, Verdict::Ignored(_))
    }

    /// The rule that decided, if one did.
    pub fn rule(&self) -> Option<&Rule> {
        match self {
            Verdict::Ignored(rule) | Verdict::Reincluded(rule) => Some(rule),
            Verdict::Unmatched => None,
        }
    }
}

/// The index of a file's last matching line, if any.
type LineIndex = Option<usize>;

/// One parsed line: the pattern, its 1-based line number, and where its text starts.
struct Line {
    pattern: Pattern,
    number: usize,
    start: usize,
}

/// A file's lines, parsed once and shared by every [`IgnoreFile`] view of it (the fix judges
/// the same file with different blocks inserted).
struct Content {
    /// The file as it is, a BOM included.
    bytes: Vec<u8>,
    /// Where the rules start: after a UTF-8 BOM, which git skips.
    bom: usize,
    case: Case,
    /// Whether some line may be a negation (the file has a `!`). A file without one can
    /// only add ignores, never take one back.
    may_negate: bool,
    parsed: OnceCell<Parsed>,
    /// The last matching line (index into `lines`) per path and kind, remembered: the audit
    /// and the fix ask about the same few paths again and again.
    memo: RefCell<HashMap<(Vec<u8>, bool), LineIndex>>,
}

struct Parsed {
    lines: Vec<Line>,
    /// When no pattern has a `/`, a verdict depends on the file name alone (as for git's
    /// patterns without one), and is remembered by name: the audit asks about the same
    /// few names in every folder.
    names_only: bool,
    /// Most lines of real files are a literal name (`Thumbs.db`, `build/`) or `*` and a
    /// literal suffix (`*.log`), git's two fast paths. Their last line, by the hash of the
    /// name or suffix ([`name_key`]), `[0]` for lines that match files and folders, `[1]`
    /// for folder-only lines: a verdict looks them up instead of trying each.
    names: [HashMap<u64, usize>; 2],
    suffixes: [HashMap<u64, usize>; 2],
    /// Every other line (a `/` inside, other wildcards, or a hash already taken by another
    /// text), in order: a verdict tries these from the end. A line that starts with a
    /// literal byte can only match a path (or, without a `/`, a name) that starts with the
    /// same byte, so those are kept apart by that byte: a verdict tries the lines of its
    /// path's and name's first bytes, and those that start with a wildcard.
    others: Others,
}

#[derive(Default)]
struct Others {
    by_path_start: HashMap<u8, Vec<usize>>,
    by_name_start: HashMap<u8, Vec<usize>>,
    /// Lines that start with a wildcard but end with a literal byte (`*/config/dev`,
    /// `[Dd]ebug`): they match only paths that end with that byte.
    by_end: HashMap<u8, Vec<usize>>,
    wild: Vec<usize>,
}

impl Others {
    fn push(&mut self, index: usize, pattern: &Pattern, case: Case) {
        let by_name = pattern.mode.contains(Mode::NO_SUB_DIR) && !pattern.mode.contains(Mode::ABSOLUTE);
        let text = &pattern.text;
        let (map, byte) = match (text.first(), text.last()) {
            (Some(&first), _) if pattern.first_wildcard_pos != Some(0) => {
                (if by_name { &mut self.by_name_start } else { &mut self.by_path_start }, first)
            }
            (_, Some(&last)) if ends_with_literal(text) => (&mut self.by_end, last),
            _ => {
                self.wild.push(index);
                return;
            }
        };
        map.entry(fold(byte, case)).or_default().push(index);
    }

    /// The lists that may hold a line matching a path with this name, each in line order.
    fn for_path<'a>(&'a self, relative: &[u8], name: &[u8], case: Case) -> [&'a [usize]; 4] {
        let list = |map: &'a HashMap<u8, Vec<usize>>, byte: Option<&u8>| {
            byte.and_then(|byte| map.get(&fold(*byte, case))).map_or(&[][..], Vec::as_slice)
        };
        [
            &self.wild,
            list(&self.by_path_start, relative.first()),
            list(&self.by_name_start, name.first()),
            list(&self.by_end, relative.last()),
        ]
    }
}

/// Whether a pattern's last byte is a literal one (not a wildcard, a class's end, or an
/// escaped byte, whose escape we do not follow here).
fn ends_with_literal(text: &[u8]) -> bool {
    match text {
        [.., before, last] => !matches!(last, b'*' | b'?' | b']' | b'\\') && *before != b'\\',
        [last] => !matches!(last, b'*' | b'?' | b']' | b'\\'),
        [] => false,
    }
}

fn fold(byte: u8, case: Case) -> u8 {
    if case == Case::Fold { byte.to_ascii_lowercase() } else { byte }
}

impl Parsed {
    fn new(lines: Vec<Line>, case: Case) -> Parsed {
        let names_only = lines
            .iter()
            .all(|line| line.pattern.mode.contains(Mode::NO_SUB_DIR) && !line.pattern.mode.contains(Mode::ABSOLUTE));
        let mut parsed = Parsed {
            names_only,
            names: Default::default(),
            suffixes: Default::default(),
            others: Others::default(),
            lines,
        };
        for index in parsed.deciding_lines(case) {
            parsed.index_line(index, case);
        }
        parsed
    }

    /// The lines that can decide a verdict, in order: a line written again further down
    /// never does (the later copy matches whenever it would). Files made by concatenating
    /// templates repeat many lines.
    fn deciding_lines(&self, case: Case) -> Vec<usize> {
        let mut seen: HashMap<u64, usize> = HashMap::with_capacity_and_hasher(self.lines.len(), Default::default());
        let mut deciding = Vec::new();
        for (index, line) in self.lines.iter().enumerate().rev() {
            let pattern = &line.pattern;
            let key = name_key(&pattern.text, case) ^ u64::from(pattern.mode.bits()).rotate_left(32);
            let first = *seen.entry(key).or_insert(index);
            let repeated = first != index && {
                let later = &self.lines[first].pattern;
                later.mode == pattern.mode && same_text(later, pattern, case)
            };
            // A different text with the same hash is simply kept.
            if !repeated {
                deciding.push(index);
            }
        }
        deciding.reverse();
        deciding
    }

    /// Files the line under a name or suffix, or among the others.
    fn index_line(&mut self, index: usize, case: Case) {
        let pattern = &self.lines[index].pattern;
        let mode = pattern.mode;
        let by_name = mode.contains(Mode::NO_SUB_DIR) && !mode.contains(Mode::ABSOLUTE);
        let kind = usize::from(mode.contains(Mode::MUST_BE_DIR));
        let (map, text) = match pattern.first_wildcard_pos {
            None if by_name => (&mut self.names[kind], &pattern.text[..]),
            Some(0) if by_name && mode.contains(Mode::ENDS_WITH) => (&mut self.suffixes[kind], &pattern.text[1..]),
            _ => {
                self.others.push(index, pattern, case);
                return;
            }
        };
        let lines = &self.lines;
        let entry = map.entry(name_key(text, case)).or_insert(index);
        // The same text again: the later line is the one that decides. Another text with the
        // same hash: it is tried like the others.
        if same_text(&lines[*entry].pattern, pattern, case) {
            *entry = index;
        } else {
            self.others.push(index, pattern, case);
        }
    }

    /// The index of the last line that matches, as trying every line from the end would
    /// find it.
    fn last_match(&self, relative: &[u8], is_dir: bool, case: Case) -> Option<usize> {
        let name_start = memchr::memrchr(b'/', relative).map(|slash| slash + 1);
        let name = &relative[name_start.unwrap_or(0)..];
        let kinds = if is_dir { 0..2 } else { 0..1 };
        let mut best: Option<usize> = None;
        let mut consider = |index: Option<&usize>| {
            if let Some(&index) = index
                && best.is_none_or(|best| index > best)
                && matches(&self.lines[index].pattern, relative, name_start, is_dir, case)
            {
                best = Some(index);
            }
        };
        for kind in kinds {
            consider(self.names[kind].get(&name_key(name, case)));
            for start in 0..=name.len() {
                consider(self.suffixes[kind].get(&name_key(&name[start..], case)));
            }
        }
        for list in self.others.for_path(relative, name, case) {
            let floor = best.map_or(0, |best| best + 1);
            let later = list.iter().rev().copied().take_while(|&index| index >= floor);
            if let Some(found) =
                later.into_iter().find(|&i| matches(&self.lines[i].pattern, relative, name_start, is_dir, case))
            {
                best = Some(found);
            }
        }
        best
    }
}

/// The hash a name or suffix is looked up by; folded to lower case when case does not count.
fn name_key(text: &[u8], case: Case) -> u64 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    match case {
        Case::Sensitive => hasher.write(text),
        Case::Fold => text.iter().for_each(|b| hasher.write_u8(b.to_ascii_lowercase())),
    }
    hasher.finish()
}

fn same_text(a: &Pattern, b: &Pattern, case: Case) -> bool {
    match case {
        Case::Sensitive => a.text == b.text,
        Case::Fold => a.text.eq_ignore_ascii_case(&b.text),
    }
}

impl Content {
    fn new(bytes: &[u8], ignore_case: bool) -> Content {
        Content {
            may_negate: memchr::memchr(b'!', bytes).is_some(),
            bom: if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 },
            bytes: bytes.to_vec(),
            case: if ignore_case { Case::Fold } else { Case::Sensitive },
            parsed: OnceCell::new(),
            memo: RefCell::default(),
        }
    }

    /// Parses the lines as git does: lines end at `\n` with an optional `\r`, trailing
    /// unescaped spaces are trimmed, `#` starts a comment, a lone `!` is nothing.
    fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let text = self.text();
            let mut lines = Vec::new();
            for (start, number) in line_starts(text) {
                let rest = &text[start..];
                let line = &rest[..memchr::memchr(b'\n', rest).unwrap_or(rest.len())];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.first().is_none_or(|&first| first == b'#') {
                    continue;
                }
                // `gix-glob` reads `!`, `\!`, `\#`, a leading and a trailing `/` as git does,
                // and has no pattern for a line of spaces.
                if let Some(pattern) = Pattern::from_bytes(trim_trailing_spaces(line)) {
                    lines.push(Line { pattern, number, start });
                }
            }
            Parsed::new(lines, self.case)
        })
    }

    /// The index of the last line that matches `relative` (a path below the file's folder).
    fn last_match(&self, relative: &[u8], is_dir: bool) -> Option<usize> {
        let parsed = self.parsed();
        let key = if parsed.names_only { file_name(relative) } else { relative };
        if let Some(found) = self.memo.borrow().get(&(key.to_vec(), is_dir)) {
            return *found;
        }
        let found = parsed.last_match(relative, is_dir, self.case);
        self.memo.borrow_mut().insert((key.to_vec(), is_dir), found);
        found
    }

    /// The rules' text: the file without its BOM.
    fn text(&self) -> &[u8] {
        &self.bytes[self.bom..]
    }

    /// The line's bytes as written, trailing spaces trimmed as git trims them.
    fn line_text(&self, line: &Line) -> Vec<u8> {
        let rest = &self.text()[line.start..];
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let text = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
        trim_trailing_spaces(text).to_vec()
    }
}

/// Whether one pattern matches a path relative to its file's folder, as git's
/// `path_matches_pattern` decides (`*` never crosses a `/` in a pattern with one).
/// `name_start` is where the file name starts (after the last `/`), `None` without one.
fn matches(pattern: &Pattern, relative: &[u8], name_start: Option<usize>, is_dir: bool, case: Case) -> bool {
    pattern.matches_repo_relative_path(
        relative.into(),
        name_start,
        Some(is_dir),
        case,
        wildmatch::Mode::NO_MATCH_SLASH_LITERAL,
    )
}

fn name_start(path: &[u8]) -> Option<usize> {
    memchr::memrchr(b'/', path).map(|slash| slash + 1)
}

/// `(offset, 1-based number)` of every line start.
fn line_starts(bytes: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    std::iter::once(0).chain(memchr::memchr_iter(b'\n', bytes).map(|newline| newline + 1)).zip(1..)
}

fn file_name(path: &[u8]) -> &[u8] {
    memchr::memrchr(b'/', path).map_or(path, |slash| &path[slash + 1..])
}

/// A negation of a file: its pattern, and its rule when one is wanted (the audit looks at
/// thousands and names a few).
pub struct Negation<'a> {
    file: &'a IgnoreFile,
    line: &'a Line,
}

impl Negation<'_> {
    /// The parsed pattern of the negation.
    pub fn pattern(&self) -> &Pattern {
        &self.line.pattern
    }

    /// The negation as a rule: its file, line and pattern.
    pub fn rule(&self) -> Rule {
        let text = self.file.content.line_text(self.line);
        Rule { source: self.file.source.clone(), line: self.line.number, pattern: text }
    }
}

/// Lines inserted into a file before one of its lines (the fix's trial blocks), judged as if
/// they were written there.
#[derive(Clone)]
struct Block {
    /// 1-based number of the line the block goes before; past the last line to append.
    before: usize,
    /// Each line's pattern, line number and text.
    lines: Rc<Vec<(Pattern, usize, Vec<u8>)>>,
}

/// One ignore file, governing a folder. Cheap to clone: the content is shared.
#[derive(Clone)]
pub struct IgnoreFile {
    /// The folder whose contents it governs, relative to the worktree top: `` or `a/b/`.
    dir: Vec<u8>,
    source: Source,
    content: Rc<Content>,
    block: Option<Block>,
}

impl IgnoreFile {
    /// An ignore file's bytes, to be parsed as git does when first needed: a UTF-8 BOM is
    /// skipped, lines end at `\n` with an optional `\r`, trailing unescaped spaces are
    /// trimmed, `#` starts a comment. A line that is not a valid glob never matches (git's
    /// wildmatch fails it too).
    pub fn parse(dir: Vec<u8>, source: Source, bytes: &[u8], ignore_case: bool) -> IgnoreFile {
        IgnoreFile { dir, source, content: Rc::new(Content::new(bytes, ignore_case)), block: None }
    }

    /// A `.gitignore` of the tree at `path` (worktree-relative): it governs its own folder,
    /// and messages name it by that path.
    pub fn gitignore(path: &[u8], bytes: &[u8], ignore_case: bool) -> IgnoreFile {
        IgnoreFile::parse(governed_dir(path), Source::Tree(path.to_vec()), bytes, ignore_case)
    }

    /// Reads a personal ignore file from disk (`info/exclude`, `core.excludesFile`). A
    /// missing or unreadable one has no rules: for a personal file, that only means a finding
    /// about personal rules is not made.
    pub(crate) fn read(dir: Vec<u8>, source: Source, path: &Path, ignore_case: bool) -> Option<IgnoreFile> {
        // git follows a symlink here (a dotfiles manager links `~/.config/git/ignore`).
        Some(IgnoreFile::parse(dir, source, &read_regular(path, Symlinks::Followed).ok()??, ignore_case))
    }

    /// The same file with `lines` inserted before its 0-based line `at` (appended when
    /// `None`): the fix's trials share the parsed file and what it has matched.
    pub fn with_block(&self, at: Option<usize>, lines: &[&str]) -> IgnoreFile {
        let text = self.content.text();
        let before = at.unwrap_or_else(|| memchr::memchr_iter(b'\n', text).count() + 1) + 1;
        let parsed =
            lines.iter().enumerate().filter(|(_, line)| !line.starts_with('#')).filter_map(|(offset, line)| {
                Some((Pattern::from_bytes(line.as_bytes())?, before + offset, line.as_bytes().to_vec()))
            });
        IgnoreFile { block: Some(Block { before, lines: Rc::new(parsed.collect()) }), ..self.clone() }
    }

    /// The folder the file governs, worktree-relative (`` at the top, else ending in `/`).
    pub fn dir(&self) -> &[u8] {
        &self.dir
    }

    /// The file's bytes as they are on disk or in the blob.
    pub fn bytes(&self) -> &[u8] {
        &self.content.bytes
    }

    /// The file the rules come from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    pub(crate) fn may_negate(&self) -> bool {
        self.content.may_negate
    }

    /// The file's verdict on a path inside its folder (relative to the worktree top), or
    /// `None` when no rule of the file matches it.
    fn matched(&self, path: &[u8], is_dir: bool) -> Option<Rc<Verdict>> {
        let relative = path.strip_prefix(self.dir.as_slice())?;
        let content = &self.content;
        let found = content.last_match(relative, is_dir).map(|index| &content.parsed().lines[index]);
        if let Some(block) = &self.block
            && found.is_none_or(|line| line.number < block.before)
            && let Some((pattern, number, text)) = block
                .lines
                .iter()
                .rev()
                .find(|(pattern, ..)| matches(pattern, relative, name_start(relative), is_dir, content.case))
        {
            return Some(self.verdict_of(pattern, *number, text.clone()));
        }
        found.map(|line| self.verdict_of(&line.pattern, line.number, content.line_text(line)))
    }

    fn verdict_of(&self, pattern: &Pattern, line: usize, text: Vec<u8>) -> Rc<Verdict> {
        let rule = Rule { source: self.source.clone(), line, pattern: text };
        Rc::new(if pattern.is_negative() { Verdict::Reincluded(rule) } else { Verdict::Ignored(rule) })
    }

    /// Every negation (`!pattern`) rule of the file, in order, with its parsed pattern.
    pub fn negations(&self) -> impl Iterator<Item = Negation<'_>> {
        let lines = if self.content.may_negate { &self.content.parsed().lines[..] } else { &[] };
        lines.iter().filter(|line| line.pattern.is_negative()).map(|line| Negation { file: self, line })
    }

    /// Whether this one pattern of the file matches a path relative to the worktree top,
    /// whatever the other rules say.
    pub fn pattern_matches(&self, pattern: &Pattern, path: &[u8], is_dir: bool) -> bool {
        path.strip_prefix(self.dir.as_slice())
            .is_some_and(|relative| matches(pattern, relative, name_start(relative), is_dir, self.content.case))
    }

    /// The rules' text: the file's bytes without a UTF-8 BOM, which git skips.
    pub fn rules_text(&self) -> &[u8] {
        self.content.text()
    }
}

/// A `.gitignore`'s bytes as git reads them: a regular file only, never through a symlink.
/// `Ok(None)` when git would find no rules there (no file, a symlink, a folder, a FIFO); an
/// error when the file is there but cannot be read (git warns "unable to access" and leaves
/// its rules out, so the caller must say so rather than judge without them silently).
pub fn read_ignore_file(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    read_regular(path, Symlinks::NotFollowed)
}

/// Git trims trailing spaces unless a backslash escapes the last one.
/// (A backslash escapes the byte after it, so `a\\  ` keeps no space and `a\  ` keeps one.)
fn trim_trailing_spaces(line: &[u8]) -> &[u8] {
    let mut end = 0;
    let mut bytes = line.iter().enumerate();
    while let Some((at, &byte)) = bytes.next() {
        match byte {
            b' ' => continue,
            b'\\' => end = bytes.next().map_or(at + 1, |(escaped, _)| escaped + 1),
            _ => end = at + 1,
        }
    }
    &line[..end]
}

/// Verdicts remembered by a path.
type Memo<T> = RefCell<HashMap<Vec<u8>, T>>;

/// All the ignore rules git applies in a worktree.
#[derive(Default)]
pub struct RuleSet {
    /// The tree's `.gitignore` files, shallowest first.
    tree: Vec<IgnoreFile>,
    /// Which of them governs a folder (`` or `a/b/`): a verdict looks only at the files of
    /// its path's folders, so the cost does not grow with the number of ignore files.
    by_dir: HashMap<Vec<u8>, usize>,
    /// `.git/info/exclude`, then `core.excludesFile`: lower precedence than any `.gitignore`.
    /// Read the first time a verdict needs them, which a repository whose own rules cover what
    /// is asked about never does: a caller pays for them only when something is missing.
    personal: OnceCell<Vec<IgnoreFile>>,
    /// Where the personal files are (their name as git gives it, and their path).
    personal_paths: Vec<(Source, PathBuf)>,
    ignore_case: bool,
    /// Whether some `.gitignore` of the tree may negate.
    may_negate: bool,
    /// The `.gitignore` files of the tree that are there but could not be read: git leaves
    /// their rules out (with a warning), and so do the verdicts.
    unreadable: Vec<Unreadable>,
    /// Verdicts on folders already judged: the probes of one folder share their leading
    /// folders, whose verdicts decide first.
    folder_verdicts: [Memo<Option<Rc<Verdict>>>; 3],
}

/// A `.gitignore` that is there but could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// Worktree-relative.
    pub path: Vec<u8>,
    /// Why it could not be read.
    pub why: WhyUnreadable,
}

/// Why a `.gitignore` could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhyUnreadable {
    /// Reading the file failed; the system's words, as git gives them ("Permission denied").
    Io(String),
    /// Its blob is not in this partial clone (`git show <id>` fetches it).
    NotFetched(ObjectId),
}

/// An I/O error as git words it ("Permission denied"), without Rust's "(os error 13)".
fn system_words(error: &std::io::Error) -> String {
    let words = error.to_string();
    match words.find(" (os error ") {
        Some(end) => words[..end].to_owned(),
        None => words,
    }
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
    /// The rules of the tree's `.gitignore` files (in any order) and the personal files (in git's
    /// order of precedence).
    pub fn new(mut tree: Vec<IgnoreFile>, personal: Vec<IgnoreFile>) -> RuleSet {
        tree.sort_by_key(|file| file.dir.iter().filter(|&&b| b == b'/').count());
        let by_dir = tree.iter().enumerate().map(|(index, file)| (file.dir.clone(), index)).collect();
        RuleSet {
            may_negate: tree.iter().any(IgnoreFile::may_negate),
            tree,
            by_dir,
            personal: OnceCell::from(personal),
            personal_paths: Vec::new(),
            ignore_case: false,
            unreadable: Vec::new(),
            folder_verdicts: Default::default(),
        }
    }

    /// Adds a file of the tree (the walk that finds them judges folders as it goes).
    pub(crate) fn push(&mut self, file: IgnoreFile) {
        self.may_negate |= file.may_negate();
        self.by_dir.insert(file.dir.clone(), self.tree.len());
        self.tree.push(file);
        for memo in &self.folder_verdicts {
            memo.borrow_mut().clear();
        }
    }

    fn personal(&self) -> &[IgnoreFile] {
        self.personal.get_or_init(|| {
            let read = |(source, path): &(Source, PathBuf)| {
                IgnoreFile::read(Vec::new(), source.clone(), path, self.ignore_case)
            };
            self.personal_paths.iter().filter_map(read).collect()
        })
    }

    /// Whether `.git/info/exclude` or `core.excludesFile` holds any rule (read on the first
    /// call). Without one, a verdict with [`Scope::WithPersonal`] is the repository's own.
    pub fn has_personal_rules(&self) -> bool {
        self.personal().iter().any(|file| !file.content.parsed().lines.is_empty())
    }

    /// The tree's `.gitignore` files, shallowest first.
    pub fn tree_files(&self) -> &[IgnoreFile] {
        &self.tree
    }

    /// The `.gitignore` files of the tree whose rules are left out because they could not be
    /// read.
    pub fn unreadable(&self) -> &[Unreadable] {
        &self.unreadable
    }

    /// The same rules, with files that could not be read to name.
    pub fn with_unreadable(self, unreadable: Vec<Unreadable>) -> RuleSet {
        RuleSet { unreadable, ..self }
    }

    /// Whether names are compared in any case (`core.ignoreCase`).
    pub fn ignore_case(&self) -> bool {
        self.ignore_case
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
    pub fn ignored_by_top_and_negating(&self, path: &[u8], is_dir: bool) -> bool {
        self.judge(path, is_dir, Files::TopAndNegating).is_some_and(|verdict| verdict.is_ignored())
    }

    /// Whether some file of the tree may re-include a path (it holds a `!`). Without one, a
    /// rule of the top file that matches a name at any depth settles the verdict.
    pub fn may_negate(&self) -> bool {
        self.may_negate
    }

    /// The top `.gitignore` of the tree, when there is one.
    pub fn top_file(&self) -> Option<&IgnoreFile> {
        self.by_dir.get(&b""[..]).map(|&index| &self.tree[index])
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
        let consulted = |file: &&IgnoreFile| files != Files::TopAndNegating || file.dir.is_empty() || file.may_negate();
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
        let ignore_case = repo.ignore_case();
        let mut tree = Vec::new();
        let mut unreadable = Vec::new();
        for (path, bytes) in read {
            match bytes {
                Ok(Some(bytes)) => tree.push(IgnoreFile::gitignore(&path, &bytes, ignore_case)),
                Ok(None) => {}
                Err(error) => unreadable.push(Unreadable { path, why: WhyUnreadable::Io(system_words(&error)) }),
            }
        }
        let personal_paths = [
            Some(repo.common_dir().join("info/exclude")),
            excludes_file(repo.config_path("core.excludesFile").ok().flatten()),
        ];
        RuleSet {
            personal: OnceCell::new(),
            personal_paths: personal_paths
                .into_iter()
                .flatten()
                .map(|path| (Source::of_personal(top, &path), path))
                .collect(),
            ignore_case,
            unreadable,
            ..RuleSet::new(tree, Vec::new())
        }
    }
}

/// `core.excludesFile`, or git's default `$XDG_CONFIG_HOME/git/ignore` (`~/.config/git/ignore`).
fn excludes_file(configured: Option<PathBuf>) -> Option<PathBuf> {
    if configured.is_some() {
        return configured;
    }
    let xdg = std::env::var_os("XDG_CONFIG_HOME").filter(|v| !v.is_empty()).map(PathBuf::from);
    let config_home = xdg.or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config_home.join("git/ignore"))
}

/// The folder a `.gitignore` at this worktree-relative path governs: `a/b/.gitignore` ->
/// `a/b/`, `.gitignore` -> ``.
pub(crate) fn governed_dir(gitignore_path: &[u8]) -> Vec<u8> {
    match gitignore_path.iter().rposition(|&b| b == b'/') {
        Some(slash) => gitignore_path[..=slash].to_vec(),
        None => Vec::new(),
    }
}

/// Whether a worktree-relative path names a `.gitignore` file.
pub fn is_gitignore_path(path: &[u8]) -> bool {
    path == b".gitignore" || path.ends_with(b"/.gitignore")
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
        let place = |rule: &Rule| format!("{}:{}", String::from_utf8_lossy(rule.source.bytes()), rule.line);
        (verdict.is_ignored(), verdict.rule().map(place))
    }

    #[test]
    fn excluded_folder_beats_a_later_negation() {
        let set = rules(&[(".gitignore", "build/\n!build/*.o\n")]);
        assert_eq!(deciding(&set, "build/x.o", false), (true, Some(".gitignore:1".into())));
    }

    #[test]
    fn deeper_file_wins_and_last_line_wins() {
        let set = rules(&[(".gitignore", "*.o\n"), ("tests/.gitignore", "# fixtures\n!*.o\n*.o\n!keep.o\n")]);
        assert_eq!(deciding(&set, "x.o", false), (true, Some(".gitignore:1".into())));
        assert_eq!(deciding(&set, "tests/x.o", false), (true, Some("tests/.gitignore:3".into())));
        assert_eq!(deciding(&set, "tests/keep.o", false), (false, Some("tests/.gitignore:4".into())));
    }

    #[test]
    fn crlf_bom_and_trailing_spaces() {
        let set = rules(&[(".gitignore", "\u{feff}*.a\r\n__cache__/  \r\n")]);
        assert_eq!(deciding(&set, "a/b.a", false), (true, Some(".gitignore:1".into())));
        assert_eq!(deciding(&set, "a/__cache__/m.o", false), (true, Some(".gitignore:2".into())));
        assert_eq!(deciding(&set, "a/__cache__", false), (false, None));
    }

    #[test]
    fn a_rule_keeps_the_exact_bytes_of_its_file_and_pattern() {
        let set = RuleSet::new(vec![IgnoreFile::gitignore(b"d\xff/.gitignore", b"!caf\xe9.o\n", false)], Vec::new());
        let verdict = set.verdict(b"d\xff/caf\xe9.o", false, Scope::Repository);
        let rule =
            Rule { source: Source::Tree(b"d\xff/.gitignore".to_vec()), line: 1, pattern: b"!caf\xe9.o".to_vec() };
        assert_eq!(verdict, Verdict::Reincluded(rule));
    }

    #[test]
    fn anchored_rules_only_match_their_folder() {
        let set = rules(&[(".gitignore", "/*.o\n"), ("sub/.gitignore", "/local.o\n")]);
        assert!(deciding(&set, "x.o", false).0);
        assert!(!deciding(&set, "sub/x.o", false).0);
        assert!(deciding(&set, "sub/local.o", false).0);
        assert!(!deciding(&set, "sub/deeper/local.o", false).0);
    }

    #[test]
    fn negations_are_listed_with_lines() {
        let source = Source::Tree(b".gitignore".to_vec());
        let file = IgnoreFile::parse(Vec::new(), source, b"*.o\n!keep.o  \n\\!literal\n!\n", false);
        let negations: Vec<Rule> = file.negations().map(|negation| negation.rule()).collect();
        assert_eq!(negations.len(), 1);
        assert_eq!((negations[0].line, &negations[0].pattern[..]), (2, &b"!keep.o"[..]));
    }
}
