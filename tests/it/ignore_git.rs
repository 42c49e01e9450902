//! The ignore-rule engine against git itself: for a corpus of tricky setups, the deciding
//! rule (`file:line:pattern`, or none) for every probe path must equal what
//! `git check-ignore -v -n --no-index` prints.

use std::fs;
use std::os::unix::ffi::OsStrExt;

use gitlayer::ignore_rules::{RuleSet, Scope};
use gitlayer::repo::Repo;
use gitlayer::walk::find_gitignores;
use pycache_guard::surely_ignored;

use crate::support::{TestRepo, text};

/// Paths that exist on disk in every case (a trailing `/` makes a folder), so git and we
/// agree on which are folders.
const PROBES: &[&str] = &[
    "__pycache__/",
    "__pycache__/m.cpython-312.pyc",
    "m.pyc",
    "M.PYC",
    "m.pyo",
    "x$py.class",
    "pkg/m.pyc",
    "pkg/m.pyo",
    "pkg/__pycache__/",
    "pkg/__pycache__/m.cpython-312.pyc",
    "pkg/__pycache__/m.cpython-312.opt-1.pyc",
    "pkg/__pycache__/keep.pyc",
    "pkg/sub/__pycache__/m.pyc",
    "pkg/sub/deep.pyc",
    "build/x.pyc",
    "exdir/keep.pyc",
    "a/vendor/x.pyc",
    "d/sub/x.pyc",
    "tests/fixtures/keep.pyc",
    "tests/fixtures/__pycache__/f.cpython-312.pyc",
    "tests/unit.pyc",
    "sp ace.pyc",
    "#hash.pyc",
    "!bang.pyc",
    "trail.pyc ",
    "a.pyc/b.py",
    "pkg/mod.py",
];

struct Case {
    name: &'static str,
    /// Ignore files: worktree-relative path and content. `.git/info/exclude` and `global`
    /// (core.excludesFile) are the personal files.
    files: &'static [(&'static str, &'static str)],
    ignore_case: bool,
}

const fn case(name: &'static str, files: &'static [(&'static str, &'static str)]) -> Case {
    Case { name, files, ignore_case: false }
}

const CASES: &[Case] = &[
    case("no rules", &[]),
    case("python template", &[(".gitignore", "__pycache__/\n*.py[cod]\n*$py.class\n")]),
    case("pyc only", &[(".gitignore", "*.pyc\n")]),
    case("pycache only, a nested file", &[(".gitignore", "__pycache__/\ndist/\n"), ("pkg/.gitignore", "build/\n")]),
    case("py[co]", &[(".gitignore", "*.py[co]\n")]),
    case("py[codz]", &[(".gitignore", "*.py[codz]\n")]),
    case("anchored pyc", &[(".gitignore", "/*.pyc\n")]),
    case("doublestar pycache", &[(".gitignore", "**/__pycache__/\n")]),
    case("pycache without slash", &[(".gitignore", "__pycache__\n")]),
    case("anchored pycache", &[(".gitignore", "/__pycache__/\n")]),
    case("middle slash", &[(".gitignore", "pkg/__pycache__/\n")]),
    case("excluded folder then negation", &[(".gitignore", "build/\n!build/*.pyc\n")]),
    case("negation inside excluded folder", &[(".gitignore", "*.pyc\nexdir/\n!exdir/keep.pyc\n")]),
    case("vendor negated deeper", &[(".gitignore", "**/vendor/\n"), ("a/.gitignore", "!vendor\n")]),
    case("folder then negated contents", &[(".gitignore", "d/\n!d/sub/*\n")]),
    case("fixtures negation", &[(".gitignore", "*.pyc\n!tests/fixtures/*.pyc\n")]),
    case("nested negation", &[(".gitignore", "*.pyc\n"), ("tests/.gitignore", "!*.pyc\n")]),
    case(
        "pycache with nested pyc negation",
        &[(".gitignore", "__pycache__/\n*.pyc\n"), ("tests/fixtures/.gitignore", "!*.pyc\n")],
    ),
    case("escaped hash", &[(".gitignore", "\\#hash.pyc\n#m.pyc\n")]),
    case("escaped bang", &[(".gitignore", "\\!bang.pyc\n")]),
    case("trailing spaces", &[(".gitignore", "*.pyc   \n__pycache__/ \n")]),
    case("escaped trailing space", &[(".gitignore", "trail.pyc\\ \n")]),
    case("crlf", &[(".gitignore", "__pycache__/\r\n*.pyc\r\n!keep.pyc\r\n")]),
    case("bom", &[(".gitignore", "\u{feff}*.pyo\n__pycache__/\n")]),
    case("negated class", &[(".gitignore", "[!m].pyc\n[!x]*.pyo\n")]),
    case("upper-case rule", &[(".gitignore", "*.PYC\n")]),
    Case { name: "ignore case", files: &[(".gitignore", "*.pyc\n")], ignore_case: true },
    case("info exclude only", &[(".git/info/exclude", "*.pyc\n__pycache__/\n")]),
    case("global excludes only", &[("global", "__pycache__/\n*.py[co]\n")]),
    case("gitignore negation beats info exclude", &[(".gitignore", "!*.pyc\n"), (".git/info/exclude", "*.pyc\n")]),
    case("info exclude beats global", &[(".git/info/exclude", "!m.pyc\n"), ("global", "*.pyc\n")]),
    case("doublestar pyc", &[(".gitignore", "**/*.pyc\n")]),
    case("pkg doublestar pyc", &[(".gitignore", "pkg/**/*.pyc\n")]),
    case("pkg contents", &[(".gitignore", "pkg/**\n")]),
    case("whitelist style", &[(".gitignore", "*\n!*/\n!*.py\n")]),
    case("root contents except pkg", &[(".gitignore", "/*\n!/pkg\n")]),
    case("last line wins", &[(".gitignore", "*.pyc\n!*.pyc\n*.pyc\n")]),
    case("nested anchored pycache", &[("pkg/.gitignore", "/__pycache__/\n")]),
    case("deeper rule over root negation", &[(".gitignore", "!*.pyc\n"), ("pkg/sub/.gitignore", "*.pyc\n")]),
    case("pycache contents with keep", &[(".gitignore", "__pycache__/*\n!__pycache__/keep.pyc\n")]),
    case("nested pycache contents with keep", &[(".gitignore", "**/__pycache__/*\n!**/__pycache__/keep.pyc\n")]),
    case("question mark", &[(".gitignore", "*.py?\n")]),
    case("class without d", &[(".gitignore", "m.py[!d]\n")]),
    case("comments and blanks", &[(".gitignore", "# *.pyc\n\n   \n*.pyo\n")]),
    case("lone bang", &[(".gitignore", "!\n*.pyc\n")]),
    case("space in pattern", &[(".gitignore", "sp ace.pyc\n")]),
    case("folder negated back", &[(".gitignore", "tests/\n!tests/\n*.pyc\n")]),
    case("dir-only pyc", &[(".gitignore", "*.pyc/\n")]),
    case("symlinked gitignore is not read", &[(".gitignore", "@symlink:real-rules"), ("real-rules", "*.pyc\n")]),
    case("unclosed class", &[(".gitignore", "[*.pyc\n*.pyo\n")]),
    // The engine's shortcuts: names and `*suffix` lines looked up, the rest
    // bucketed by first or last byte, repeated lines dropped.
    case("wildcard first, literal last", &[(".gitignore", "*/m.pyc\n[mM].pyo\n*/__pycache__/m.*\n")]),
    case("class first", &[(".gitignore", "[pP]kg/\n!pkg/\n[a-z]*.pyc\n")]),
    case("repeated lines, last copy decides", &[(".gitignore", "*.pyc\n!m.pyc\n*.pyc\nm.pyc\n!m.pyc\n")]),
    case("same name, folder-only and not", &[(".gitignore", "pkg/\n!pkg\nm.pyc/\nm.pyc\n")]),
    case("escaped backslash before trailing spaces", &[(".gitignore", "trail.pyc\\\\  \n*.pyo\\ \n")]),
    case("suffix of a deeper path", &[(".gitignore", "*.pyc\n"), ("pkg/.gitignore", "!*c\n")]),
];

fn set_up(case: &Case) -> TestRepo {
    let repo = TestRepo::new();
    for probe in PROBES {
        match probe.strip_suffix('/') {
            Some(dir) => fs::create_dir_all(repo.root.join(dir)).unwrap(),
            None => repo.write(probe, "x"),
        }
    }
    let global = repo.parent().join("global-excludes");
    repo.git(&["config", "core.excludesFile", global.to_str().unwrap()]);
    repo.git(&["config", "core.ignoreCase", if case.ignore_case { "true" } else { "false" }]);
    for (path, content) in case.files {
        let target = if *path == "global" { global.clone() } else { repo.root.join(path) };
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        match content.strip_prefix("@symlink:") {
            Some(link) => std::os::unix::fs::symlink(link, &target).unwrap(),
            None => fs::write(&target, content).unwrap(),
        }
    }
    repo
}

/// git's answer per probe: `source:line:pattern`, or empty when no rule matches.
fn git_answers(repo: &TestRepo) -> Vec<String> {
    let paths: Vec<&str> = PROBES.iter().map(|p| p.trim_end_matches('/')).collect();
    repo.check_ignore(&[], &paths)
        .into_iter()
        .map(|m| if m.source.is_empty() { String::new() } else { format!("{}:{}:{}", m.source, m.line, m.pattern) })
        .collect()
}

/// Our answer per probe, as `git_answers` words it, and whether the audit's shortcut
/// ([`surely_ignored`]) claimed the probe ignored.
fn our_answers(repo: &TestRepo) -> Vec<(String, bool)> {
    let opened = Repo::at(&repo.root).unwrap();
    let rules = RuleSet::load(&opened, find_gitignores(&repo.root));
    PROBES
        .iter()
        .map(|probe| {
            let path = probe.trim_end_matches('/');
            let is_dir = repo.root.join(std::ffi::OsStr::from_bytes(path.as_bytes())).is_dir();
            let answer = match rules.verdict(path.as_bytes(), is_dir, Scope::WithPersonal).rule() {
                Some(rule) => format!("{}:{}:{}", text(rule.source.bytes()), rule.line, text(&rule.pattern)),
                None => String::new(),
            };
            (answer, surely_ignored(&rules, path.as_bytes(), is_dir))
        })
        .collect()
}

#[test]
fn every_case_agrees_with_git_check_ignore() {
    assert!(CASES.len() >= 40);
    let mut disagreements = Vec::new();
    let mut shortcuts = 0;
    for case in CASES {
        let repo = set_up(case);
        let git = git_answers(&repo);
        assert_eq!(git.len(), PROBES.len(), "{}: git answered for every probe", case.name);
        let ours = our_answers(&repo);
        for ((probe, git), (ours, surely_ignored)) in PROBES.iter().zip(&git).zip(&ours) {
            if git != ours {
                disagreements.push(format!("{}: {probe:?}: git {git:?}, ours {ours:?}", case.name));
            }
            // git's rule for an ignored path is never a negation.
            let git_ignores = git.rsplit(':').next().is_some_and(|p| !p.is_empty() && !p.starts_with('!'));
            if *surely_ignored && !git_ignores {
                disagreements.push(format!("{}: {probe:?}: surely ignored, but git says {git:?}", case.name));
            }
            shortcuts += usize::from(*surely_ignored);
        }
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
    assert!(shortcuts > 100, "the shortcut was tried: {shortcuts}");
}
