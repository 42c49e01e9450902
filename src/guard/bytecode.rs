//! The bytecode rule: which git paths are Python bytecode.
//!
//! Pure functions over the raw bytes of a repository-relative path (git paths are bytes,
//! `/`-separated, and need not be UTF-8). See docs/reference.md, "What counts as bytecode".

use std::fmt;
use std::sync::LazyLock;

use memchr::memmem;

use gitlayer::format::Mode;

use crate::guard::debris::{Category, Debris};

/// Why a path counts as bytecode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// One of the path's folders (or the path itself) is named `__pycache__`.
    InPycache,
    /// The file name ends in `.pyc`, in any case.
    Pyc,
    /// The file name ends in `.pyo`, in any case.
    Pyo,
    /// The file name ends in `$py.class` (Jython).
    JythonClass,
    /// Debris of a category chosen with `--debris` (not bytecode: a tool's cache or data).
    Debris(Category),
}

impl Reason {
    /// A stable identifier, used by machine-readable reports.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Reason::InPycache => "pycache-folder",
            Reason::Pyc => "pyc-file",
            Reason::Pyo => "pyo-file",
            Reason::JythonClass => "jython-class-file",
            Reason::Debris(category) => match category {
                Category::Pytest => "debris-pytest",
                Category::Mypy => "debris-mypy",
                Category::Ruff => "debris-ruff",
                Category::Jupyter => "debris-jupyter",
                Category::Hypothesis => "debris-hypothesis",
                Category::Coverage => "debris-coverage",
                Category::Tox => "debris-tox",
                Category::Package => "debris-package",
            },
        }
    }

    /// The debris category, for a finding about debris.
    pub(crate) fn category(self) -> Option<Category> {
        match self {
            Reason::Debris(category) => Some(category),
            _ => None,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::InPycache => "inside a __pycache__ folder",
            Reason::Pyc => "compiled Python bytecode, *.pyc",
            Reason::Pyo => "optimised Python bytecode, *.pyo",
            Reason::JythonClass => "Jython bytecode, *$py.class",
            Reason::Debris(category) => category.describe(),
        })
    }
}

const PYCACHE: &[u8] = b"__pycache__";

/// A substring search, built once: the staged check classifies every index entry, and a
/// vectorised search for the rare word beats splitting each path into components.
static PYCACHE_FINDER: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new(PYCACHE));

/// Classifies a `/`-separated path by name alone.
pub fn classify(path: &[u8]) -> Option<Reason> {
    if has_pycache_component(path) {
        return Some(Reason::InPycache);
    }
    // The suffixes hold no `/`, so the file name ends with one exactly when the path does.
    classify_file_name(path)
}

/// Classifies a path by name as bytecode or, failing that, as debris of a chosen category.
pub fn classify_with(path: &[u8], debris: Debris) -> Option<Reason> {
    classify(path).or_else(|| debris.classify(path).map(Reason::Debris))
}

/// Whether Python itself writes this path, the one definition the ignore-rule audit and
/// `fix-gitignore` judge negations by (docs/reference.md, "re-includes bytecode"): a `__pycache__`
/// folder, or a file named like CPython's bytecode (`m.pyc`, `m.pyo` beside the sources,
/// `m.cpython-312.pyc` inside `__pycache__`) or Jython's (`m$py.class`).
///
/// Python writes these names in lower case only, so `M.PYC` is not one (the check still
/// blocks it: [`classify`] compares in any case). `requirements.txt` inside a `__pycache__`
/// folder is bytecode by [`classify`], but no Python writes it.
pub(crate) fn python_writes(path: &[u8], is_dir: bool) -> bool {
    let name = memchr::memrchr(b'/', path).map_or(path, |slash| &path[slash + 1..]);
    if is_dir {
        return name == PYCACHE;
    }
    [&b".pyc"[..], b".pyo", b"$py.class"].iter().any(|suffix| name.len() > suffix.len() && name.ends_with(suffix))
}

/// Classifies the paths of a list sorted by path, such as the index, as [`classify`] does
/// but faster: neighbours mostly share their folder, so each folder is searched for a
/// `__pycache__` component once, not once per file. The staged check runs this on every
/// index entry of every commit.
#[derive(Debug, Default)]
pub(crate) struct SortedPaths {
    /// The folder of the last path (empty at the top).
    folder: Vec<u8>,
    folder_in_pycache: bool,
    /// For [`SortedPaths::classify_entry_with`]: the categories chosen, and the folder's.
    debris: Debris,
    folder_debris: Option<Category>,
    /// The folder is in a `__pycache__` folder or a folder of debris: the rare case.
    folder_special: bool,
}

impl SortedPaths {
    /// As [`classify_entry`].
    pub(crate) fn classify_entry(&mut self, path: &[u8], mode: Mode) -> Option<Reason> {
        if !is_file_mode(mode) {
            return None;
        }
        let name = self.enter::<false>(path);
        if self.folder_in_pycache || name == PYCACHE { Some(Reason::InPycache) } else { classify_file_name(name) }
    }

    /// The path's file name, after judging its folder when it is not the last path's.
    /// `DEBRIS`: judge the folder for debris too (only [`SortedPaths::classify_entry_with`]
    /// asks, so the plain check does no more than before debris existed).
    #[inline(always)]
    fn enter<'p, const DEBRIS: bool>(&mut self, path: &'p [u8]) -> &'p [u8] {
        let (folder, name) = match memchr::memrchr(b'/', path) {
            Some(slash) => (&path[..slash], &path[slash + 1..]),
            None => (&b""[..], path),
        };
        if folder != self.folder.as_slice() {
            self.folder.clear();
            self.folder.extend_from_slice(folder);
            self.folder_in_pycache = has_pycache_component(folder);
            if DEBRIS {
                self.folder_debris = self.debris.classify_folder(folder);
                self.folder_special = self.folder_in_pycache || self.folder_debris.is_some();
            }
        }
        name
    }

    /// Judges debris of these categories too, with [`SortedPaths::classify_entry_with`]
    /// (one list, one method: the folder cache serves the method used).
    pub(crate) fn with_debris(debris: Debris) -> SortedPaths {
        SortedPaths { debris, ..SortedPaths::default() }
    }

    /// As [`classify_entry_with`], for the categories given to [`SortedPaths::with_debris`].
    #[inline]
    pub(crate) fn classify_entry_with(&mut self, path: &[u8], mode: Mode) -> Option<Reason> {
        if !is_file_mode(mode) {
            return None;
        }
        let name = self.enter::<true>(path);
        if self.folder_special {
            return self.classify_in_special_folder(name);
        }
        if name == PYCACHE {
            return Some(Reason::InPycache);
        }
        if let Some(reason) = classify_file_name(name) {
            return Some(reason);
        }
        // Almost no name of debris gets past this byte: `.`, `h`, `c`, or `.egg-info`'s `o`
        // (the same test `classify_name` starts with, here without a call per entry).
        let &last = name.last()?;
        if matches!(name[0], b'.' | b'h' | b'c') || last == b'o' {
            return self.debris.classify_name(name).map(Reason::Debris);
        }
        None
    }

    /// A name in a `__pycache__` folder (bytecode) or in a folder of debris (bytecode by its
    /// name, else debris).
    #[cold]
    fn classify_in_special_folder(&self, name: &[u8]) -> Option<Reason> {
        if self.folder_in_pycache || name == PYCACHE {
            return Some(Reason::InPycache);
        }
        classify_file_name(name).or(self.folder_debris.map(Reason::Debris))
    }
}

/// The bytecode suffixes. Almost no name ends in one, so the last byte is looked at first.
fn classify_file_name(name: &[u8]) -> Option<Reason> {
    match name.last()? | 0x20 {
        b'c' if ends_with_ignore_case(name, b".pyc") => Some(Reason::Pyc),
        b'o' if ends_with_ignore_case(name, b".pyo") => Some(Reason::Pyo),
        b's' if name.ends_with(b"$py.class") => Some(Reason::JythonClass),
        _ => None,
    }
}

/// Whether one of the path's components is exactly `__pycache__`. (`find` in a loop, not
/// `find_iter`: almost every path has no match, and `find` costs less to start.)
fn has_pycache_component(path: &[u8]) -> bool {
    let mut from = 0;
    while let Some(found) = path.get(from..).and_then(|rest| PYCACHE_FINDER.find(rest)) {
        let (at, end) = (from + found, from + found + PYCACHE.len());
        if (at == 0 || path[at - 1] == b'/') && path.get(end).is_none_or(|&b| b == b'/') {
            return true;
        }
        from = at + 1;
    }
    false
}

#[cfg(test)]
/// Classifies a git entry: only blobs and symlinks can be bytecode, never a submodule
/// (a gitlink names a commit of another repository, not content of this one) or a tree.
pub(crate) fn classify_entry(path: &[u8], mode: Mode) -> Option<Reason> {
    if is_file_mode(mode) { classify(path) } else { None }
}

/// As [`classify_entry`], judging debris of these categories too.
pub(crate) fn classify_entry_with(path: &[u8], mode: Mode, debris: Debris) -> Option<Reason> {
    if is_file_mode(mode) { classify_with(path, debris) } else { None }
}

/// Regular file (any permission bits git records) or symlink.
pub(crate) fn is_file_mode(mode: Mode) -> bool {
    mode.is_blob()
}

fn ends_with_ignore_case(name: &[u8], suffix: &[u8]) -> bool {
    name.len() >= suffix.len() && name[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOB: Mode = Mode::FILE;
    const EXECUTABLE: Mode = Mode::EXECUTABLE;
    const SYMLINK: Mode = Mode::SYMLINK;
    const GITLINK: Mode = Mode::GITLINK;
    const TREE: Mode = Mode::TREE;

    const BYTECODE: &[(&[u8], Reason)] = &[
        (b"pkg/__pycache__/m.cpython-311.pyc", Reason::InPycache),
        (b"__pycache__/m.cpython-312.opt-1.pyc", Reason::InPycache),
        (b"a/__pycache__/b/c/readme.txt", Reason::InPycache),
        (b"__pycache__", Reason::InPycache),
        (b"old.pyc", Reason::Pyc),
        (b"deep/dir/old.pyc", Reason::Pyc),
        (b"FOO.PYC", Reason::Pyc),
        (b"Mixed.PyC", Reason::Pyc),
        (b".pyc", Reason::Pyc),
        (b"x.pyo", Reason::Pyo),
        (b"X.PYO", Reason::Pyo),
        (b"lib/x$py.class", Reason::JythonClass),
        (b"with space/m\xff.pyc", Reason::Pyc),
        (b"my__pycache__/__pycache__/x.py", Reason::InPycache),
        (b"a/.PYO", Reason::Pyo),
    ];

    #[test]
    fn bytecode_paths() {
        for (path, reason) in BYTECODE {
            assert_eq!(classify(path), Some(*reason), "{}", String::from_utf8_lossy(path));
        }
    }

    const NOT_BYTECODE: &[&[u8]] = &[
        b"pycache.py",
        b"__pycache__.py",
        b"pkg/__pycache__.py",
        b"x.pyc.txt",
        b"a.pyc/b.py",
        b"a.pyo/b.txt",
        b"ext.pyd",
        b"ext.cpython-311-x86_64-linux-gnu.so",
        b"x.py",
        b"x.pycx",
        b"Foo.class",
        b"x$py.CLASS",
        b"__pycache___/x.py",
        b"_pycache_/x.py",
        b"my__pycache__/x.py",
        b"__pycache__x/y.py",
        b"a/__pycache___",
        b"a.pyc/",
        b"pyc",
        b"",
    ];

    #[test]
    fn near_misses_are_not_bytecode() {
        for path in NOT_BYTECODE {
            assert_eq!(classify(path), None, "{}", String::from_utf8_lossy(path));
        }
    }

    #[test]
    fn only_blobs_and_symlinks_count() {
        assert_eq!(classify_entry(b"a.pyc", BLOB), Some(Reason::Pyc));
        assert_eq!(classify_entry(b"a.pyc", EXECUTABLE), Some(Reason::Pyc));
        assert_eq!(classify_entry(b"a.pyc", SYMLINK), Some(Reason::Pyc));
        assert_eq!(classify_entry(b"vendor/__pycache__", GITLINK), None);
        assert_eq!(classify_entry(b"sub.pyc", GITLINK), None);
        assert_eq!(classify_entry(b"__pycache__", TREE), None);
    }

    /// Judged in sorted order, with neighbours sharing folders, every path gets the verdict
    /// `classify` gives it alone.
    #[test]
    fn sorted_paths_agree_with_classify() {
        let mut paths: Vec<Vec<u8>> = BYTECODE.iter().map(|(path, _)| path.to_vec()).collect();
        paths.extend(NOT_BYTECODE.iter().map(|path| path.to_vec()));
        for folder in ["", "pkg/", "pkg/__pycache__/", "pkg/__pycache__/sub/", "pkg/sub/", "__pycache__/", "z/"] {
            for name in ["a.py", "b.pyc", "__pycache__", "c.txt", "d$py.class", "E.PYO"] {
                paths.push(format!("{folder}{name}").into_bytes());
            }
        }
        paths.sort();
        let mut sorted = SortedPaths::default();
        for path in &paths {
            for mode in [BLOB, GITLINK] {
                let alone = classify_entry(path, mode);
                assert_eq!(sorted.classify_entry(path, mode), alone, "{}", String::from_utf8_lossy(path));
            }
        }
        let found = paths.iter().filter(|path| sorted.classify_entry(path, BLOB).is_some()).count();
        assert!(found > BYTECODE.len(), "the generated paths hold bytecode too");
    }

    fn any_path() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let part =
            prop::sample::select(vec!["__pycache__", "a", "__pycache___", "m.pyc", "x.PYO", "y$py.class", "z.py"]);
        prop::collection::vec(part, 1..5).prop_map(|parts| parts.join("/").into_bytes())
    }

    fn any_debris_path() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let part = prop::sample::select(vec![
            "__pycache__",
            "a",
            "m.pyc",
            ".pytest_cache",
            ".coverage",
            ".coverage.x",
            "htmlcov",
            "coverage.xml",
            "m.egg-info",
            ".egg-info",
            ".tox",
            ".dmypy.json",
            "z.py",
            "h",
            "c.o",
        ]);
        prop::collection::vec(part, 1..5).prop_map(|parts| parts.join("/").into_bytes())
    }

    proptest::proptest! {
        /// With debris chosen, judging a sorted list folder by folder gives every path the
        /// verdict `classify_with` gives it alone.
        #[test]
        fn sorted_paths_with_debris_agree_with_classify_with(mut paths in proptest::collection::vec(any_debris_path(), 0..60)) {
            paths.sort();
            for debris in [Debris::all(), Debris::parse("coverage,package").unwrap()] {
                let mut sorted = SortedPaths::with_debris(debris);
                for path in &paths {
                    proptest::prop_assert_eq!(sorted.classify_entry_with(path, BLOB), classify_with(path, debris));
                }
            }
        }

        #[test]
        fn sorted_paths_agree_with_classify_on_any_sorted_list(mut paths in proptest::collection::vec(any_path(), 0..60)) {
            paths.sort();
            let mut sorted = SortedPaths::default();
            for path in &paths {
                proptest::prop_assert_eq!(sorted.classify_entry(path, BLOB), classify(path));
            }
        }
    }
}
