//! Python debris: what Python's tools leave in a working tree besides bytecode (test,
//! type-checker and linter caches, notebook checkpoints, coverage data, tox and packaging
//! folders), in categories the user chooses with `--debris` or `debris = [...]`.
//!
//! One definition for every command: the names of each category, judged like bytecode (a
//! folder name matches as any component of a path, and so everything inside it; a file name
//! only as the path's last component; names compare as written), the lines `fix-gitignore`
//! writes for each, and the paths each tool writes, which the audit asks git about. See
//! docs/reference.md, "Python debris".
//!
//! `build/` and `dist/` are left out on purpose: many projects track real folders so named.

use std::fmt;

use anyhow::{Result, bail};

/// A category of debris.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Pytest,
    Mypy,
    Ruff,
    Jupyter,
    Hypothesis,
    Coverage,
    Tox,
    Package,
}

/// How a name of a category is matched.
#[derive(Debug, Clone, Copy)]
enum Name {
    /// A folder with exactly this name, at any depth: it and everything inside it.
    Folder(&'static str),
    /// A folder whose name ends with this (and is longer): `*.egg-info`.
    FolderSuffix(&'static str),
    /// A file with exactly this name.
    File(&'static str),
    /// A file whose name starts with this (and is longer): `.coverage.*`.
    FilePrefix(&'static str),
}

/// A line `fix-gitignore` writes, with the path of what the tool writes that it must ignore
/// (the audit's probe) and whether that probe is a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) category: Category,
    /// The rule, as written into `.gitignore`.
    pub(crate) text: &'static str,
    /// What the tool writes, relative to the folder it runs in.
    pub(crate) probe: &'static str,
    /// Another name of the same place that is not debris: the twin of the probe, which a
    /// negation about debris does not re-include.
    pub(crate) twin: &'static str,
    /// The negation that keeps folders of the line's name as they were, for a line without a
    /// trailing slash (which matches folders too): `.coverage` alone would also ignore a
    /// folder `.coverage/` and everything in it, which is not debris.
    pub(crate) guard: Option<&'static str>,
}

/// Every line of every category, in the order the fix writes them.
pub(crate) const LINES: &[Line] = &[
    Line {
        category: Category::Pytest,
        text: ".pytest_cache/",
        probe: ".pytest_cache/v/cache/lastfailed",
        twin: "pytest_cache_twin/v/cache/lastfailed",
        guard: None,
    },
    Line {
        category: Category::Mypy,
        text: ".mypy_cache/",
        probe: ".mypy_cache/3.12/m.data.json",
        twin: "mypy_cache_twin/3.12/m.data.json",
        guard: None,
    },
    Line {
        category: Category::Mypy,
        text: ".dmypy.json",
        probe: ".dmypy.json",
        twin: "dmypy_twin.json",
        guard: Some("!.dmypy.json/"),
    },
    Line {
        category: Category::Ruff,
        text: ".ruff_cache/",
        probe: ".ruff_cache/0.6.0/12345",
        twin: "ruff_cache_twin/0.6.0/12345",
        guard: None,
    },
    Line {
        category: Category::Jupyter,
        text: ".ipynb_checkpoints/",
        probe: ".ipynb_checkpoints/m-checkpoint.ipynb",
        twin: "ipynb_checkpoints_twin/m-checkpoint.ipynb",
        guard: None,
    },
    Line {
        category: Category::Hypothesis,
        text: ".hypothesis/",
        probe: ".hypothesis/examples/0123/4567",
        twin: "hypothesis_twin/examples/0123/4567",
        guard: None,
    },
    Line {
        category: Category::Coverage,
        text: ".coverage",
        probe: ".coverage",
        twin: "coverage_twin",
        guard: Some("!.coverage/"),
    },
    Line {
        category: Category::Coverage,
        text: ".coverage.*",
        probe: ".coverage.host.1234.567890",
        twin: "coverage_twin.host.1234.567890",
        guard: Some("!.coverage.*/"),
    },
    Line {
        category: Category::Coverage,
        text: "htmlcov/",
        probe: "htmlcov/index.html",
        twin: "htmlcov_twin/index.html",
        guard: None,
    },
    Line {
        category: Category::Coverage,
        text: "coverage.xml",
        probe: "coverage.xml",
        twin: "coverage_twin.xml",
        guard: Some("!coverage.xml/"),
    },
    Line {
        category: Category::Tox,
        text: ".tox/",
        probe: ".tox/py312/pyvenv.cfg",
        twin: "tox_twin/py312/pyvenv.cfg",
        guard: None,
    },
    Line {
        category: Category::Tox,
        text: ".nox/",
        probe: ".nox/tests/pyvenv.cfg",
        twin: "nox_twin/tests/pyvenv.cfg",
        guard: None,
    },
    Line {
        category: Category::Package,
        text: "*.egg-info/",
        probe: "m.egg-info/PKG-INFO",
        twin: "m.egg-info-twin/PKG-INFO",
        guard: None,
    },
    Line {
        category: Category::Package,
        text: ".eggs/",
        probe: ".eggs/README.txt",
        twin: "eggs_twin/README.txt",
        guard: None,
    },
];

impl Category {
    /// Every category, in the order of the docs.
    pub const ALL: [Category; 8] = [
        Category::Pytest,
        Category::Mypy,
        Category::Ruff,
        Category::Jupyter,
        Category::Hypothesis,
        Category::Coverage,
        Category::Tox,
        Category::Package,
    ];

    /// Its name on the command line and in the config.
    pub fn name(self) -> &'static str {
        match self {
            Category::Pytest => "pytest",
            Category::Mypy => "mypy",
            Category::Ruff => "ruff",
            Category::Jupyter => "jupyter",
            Category::Hypothesis => "hypothesis",
            Category::Coverage => "coverage",
            Category::Tox => "tox",
            Category::Package => "package",
        }
    }

    /// What it is, in a few words (a finding's reason).
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Category::Pytest => "pytest cache, .pytest_cache",
            Category::Mypy => "mypy cache, .mypy_cache or .dmypy.json",
            Category::Ruff => "ruff cache, .ruff_cache",
            Category::Jupyter => "Jupyter checkpoints, .ipynb_checkpoints",
            Category::Hypothesis => "Hypothesis database, .hypothesis",
            Category::Coverage => "coverage data, .coverage, htmlcov or coverage.xml",
            Category::Tox => "tox or nox environments, .tox or .nox",
            Category::Package => "packaging metadata, *.egg-info or .eggs",
        }
    }

    fn names(self) -> &'static [Name] {
        match self {
            Category::Pytest => &[Name::Folder(".pytest_cache")],
            Category::Mypy => &[Name::Folder(".mypy_cache"), Name::File(".dmypy.json")],
            Category::Ruff => &[Name::Folder(".ruff_cache")],
            Category::Jupyter => &[Name::Folder(".ipynb_checkpoints")],
            Category::Hypothesis => &[Name::Folder(".hypothesis")],
            Category::Coverage => &[
                Name::File(".coverage"),
                Name::FilePrefix(".coverage."),
                Name::Folder("htmlcov"),
                Name::File("coverage.xml"),
            ],
            Category::Tox => &[Name::Folder(".tox"), Name::Folder(".nox")],
            Category::Package => &[Name::FolderSuffix(".egg-info"), Name::Folder(".eggs")],
        }
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }

    /// A path component's category when it is a folder of debris.
    fn of_folder(name: &[u8], chosen: Debris) -> Option<Category> {
        chosen.categories().find(|category| {
            category.names().iter().any(|n| match *n {
                Name::Folder(folder) => name == folder.as_bytes(),
                Name::FolderSuffix(suffix) => name.len() > suffix.len() && name.ends_with(suffix.as_bytes()),
                Name::File(_) | Name::FilePrefix(_) => false,
            })
        })
    }

    /// A file name's category when it is a file of debris.
    fn of_file(name: &[u8], chosen: Debris) -> Option<Category> {
        chosen.categories().find(|category| {
            category.names().iter().any(|n| match *n {
                Name::File(file) => name == file.as_bytes(),
                Name::FilePrefix(prefix) => name.len() > prefix.len() && name.starts_with(prefix.as_bytes()),
                Name::Folder(_) | Name::FolderSuffix(_) => false,
            })
        })
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The categories chosen: none by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Debris(u16);

impl Debris {
    pub const NONE: Debris = Debris(0);

    /// Every category (`all`).
    pub fn all() -> Debris {
        Debris(Category::ALL.iter().fold(0, |bits, category| bits | category.bit()))
    }

    /// Parses `CAT[,CAT...]`, `all` among them; each item trimmed, empty ones refused.
    pub fn parse(text: &str) -> Result<Debris> {
        text.split(',').try_fold(Debris::NONE, |chosen, name| Ok(chosen.with(Debris::parse_one(name.trim())?)))
    }

    /// One name: a category, or `all`.
    pub fn parse_one(name: &str) -> Result<Debris> {
        if name == "all" {
            return Ok(Debris::all());
        }
        match Category::ALL.iter().find(|category| category.name() == name) {
            Some(category) => Ok(Debris(category.bit())),
            None => {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.name()).collect();
                bail!("unknown debris category `{name}`; the categories are {}, and all", names.join(", "))
            }
        }
    }

    pub fn with(self, other: Debris) -> Debris {
        Debris(self.0 | other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn contains(self, category: Category) -> bool {
        self.0 & category.bit() != 0
    }

    /// The chosen categories, in the order of [`Category::ALL`].
    pub fn categories(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |&category| self.contains(category))
    }

    /// The choice as `--debris` takes it: `all`, or the categories joined by commas.
    pub(crate) fn flag_value(self) -> String {
        if self == Debris::all() {
            return "all".to_owned();
        }
        self.categories().map(Category::name).collect::<Vec<_>>().join(",")
    }

    /// The lines of the chosen categories.
    pub(crate) fn lines(self) -> impl Iterator<Item = &'static Line> {
        LINES.iter().filter(move |line| self.contains(line.category))
    }

    /// The category of a `/`-separated path, by name alone: a component that is a folder of
    /// debris, or a file name of debris.
    pub fn classify(self, path: &[u8]) -> Option<Category> {
        if self.is_empty() {
            return None;
        }
        let (folder, name) = split_last(path);
        self.classify_folder(folder).or_else(|| self.classify_name(name))
    }

    /// The category of a folder (`a/b`, empty at the top): one of its components is a folder
    /// of debris.
    pub(crate) fn classify_folder(self, folder: &[u8]) -> Option<Category> {
        // Every folder name of debris holds a `.` but `htmlcov`: most folders are settled by
        // two vectorised scans, not split into components.
        // One scan settles a folder with neither byte; a `.` or an `h` needs a closer look.
        if memchr::memchr2(b'.', b'h', folder).is_none()
            || (memchr::memchr(b'.', folder).is_none() && !holds_htmlcov(folder))
        {
            return None;
        }
        folder.split(|&b| b == b'/').find_map(|component| self.folder_component(component))
    }

    /// The category of a path's last component: a file of debris, or a folder of debris
    /// named as a path (`.pytest_cache`, as a symlink or a folder given by name).
    #[inline]
    pub(crate) fn classify_name(self, name: &[u8]) -> Option<Category> {
        // Every name of debris starts with `.`, `h` (`htmlcov`) or `c` (`coverage.xml`), or
        // ends in `.egg-info`: the staged check asks this of every file name in the index,
        // and almost every one is settled by its first byte.
        match name.first() {
            Some(b'.') => self.folder_component(name).or_else(|| Category::of_file(name, self)),
            Some(b'h') => self.folder_component(name),
            Some(b'c') => Category::of_file(name, self),
            Some(_) if name.last() == Some(&b'o') && name.ends_with(b".egg-info") => self.folder_component(name),
            _ => None,
        }
    }

    /// Whether a folder of this name is debris of a chosen category.
    pub(crate) fn is_folder_name(self, name: &[u8]) -> bool {
        self.folder_component(name).is_some()
    }

    fn folder_component(self, component: &[u8]) -> Option<Category> {
        // Every folder name but `htmlcov` starts with `.` or ends in `.egg-info`: most
        // components are settled by a byte or two.
        match component.first() {
            Some(b'.' | b'h') => Category::of_folder(component, self),
            Some(_) if component.ends_with(b".egg-info") => Category::of_folder(component, self),
            _ => None,
        }
    }
}

/// Whether `htmlcov`, the one folder name of debris without a `.`, may be a component: each
/// `h` is looked at (a substring finder costs more to start than a short folder to scan).
fn holds_htmlcov(folder: &[u8]) -> bool {
    memchr::memchr_iter(b'h', folder).any(|at| folder[at..].starts_with(b"htmlcov"))
}

/// A path's folder (empty at the top) and its last component.
fn split_last(path: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memrchr(b'/', path) {
        Some(slash) => (&path[..slash], &path[slash + 1..]),
        None => (&b""[..], path),
    }
}

/// Whether a line's pattern spells a name of debris (for the audit's negations): the last
/// part of a pattern.
pub(crate) fn may_name_debris(chosen: Debris, last: &[u8]) -> bool {
    !chosen.is_empty() && chosen.classify_name(last).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_parses_and_all_is_every_one() {
        for category in Category::ALL {
            assert_eq!(Debris::parse(category.name()).unwrap().categories().collect::<Vec<_>>(), [category]);
        }
        assert_eq!(Debris::parse("all").unwrap(), Debris::all());
        assert_eq!(Debris::parse("pytest, mypy").unwrap().categories().count(), 2);
        assert!(Debris::parse("pytest,").is_err());
        assert!(Debris::parse("build").unwrap_err().to_string().contains("pytest, mypy"));
    }

    #[test]
    fn names_match_as_components_or_file_names_as_written() {
        let all = Debris::all();
        let cases: &[(&str, Option<Category>)] = &[
            (".pytest_cache/v/cache/lastfailed", Some(Category::Pytest)),
            ("a/b/.pytest_cache/README.md", Some(Category::Pytest)),
            (".pytest_cache", Some(Category::Pytest)),
            (".mypy_cache/3.12/m.json", Some(Category::Mypy)),
            ("sub/.dmypy.json", Some(Category::Mypy)),
            (".ruff_cache/x", Some(Category::Ruff)),
            ("nb/.ipynb_checkpoints/a-checkpoint.ipynb", Some(Category::Jupyter)),
            (".hypothesis/examples/x", Some(Category::Hypothesis)),
            (".coverage", Some(Category::Coverage)),
            ("pkg/.coverage.host.1.2", Some(Category::Coverage)),
            ("htmlcov/index.html", Some(Category::Coverage)),
            ("coverage.xml", Some(Category::Coverage)),
            (".tox/py/x", Some(Category::Tox)),
            (".nox/x", Some(Category::Tox)),
            ("src/m.egg-info/PKG-INFO", Some(Category::Package)),
            (".eggs/x", Some(Category::Package)),
            ("pytest_cache/x", None),
            (".Pytest_cache/x", None),
            (".coverage/x", None),
            (".coveragerc", None),
            ("coverage.xml.bak", None),
            (".coverage.", None),
            ("htmlcov.py", None),
            (".egg-info/x", None),
            ("build/lib/m.py", None),
            ("dist/m.whl", None),
            ("a/.dmypy.json/b", None),
            ("", None),
        ];
        for (path, category) in cases {
            assert_eq!(all.classify(path.as_bytes()), *category, "{path}");
        }
        assert_eq!(Debris::NONE.classify(b".pytest_cache/x"), None);
        assert_eq!(Debris::parse("mypy").unwrap().classify(b".pytest_cache/x"), None);
    }

    #[test]
    fn every_probe_is_its_category_and_no_twin_is() {
        let all = Debris::all();
        for line in LINES {
            assert_eq!(all.classify(line.probe.as_bytes()), Some(line.category), "{}", line.probe);
            assert_eq!(all.classify(line.twin.as_bytes()), None, "{}", line.twin);
        }
    }
}
