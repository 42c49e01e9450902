//! Property test of `fix-gitignore` and the audit over generated ignore files, judged by git
//! itself:
//! - every bytecode path that no bytecode negation re-included is ignored after a fix that
//!   added a block (unless the tool said it left a rule out because of a negation);
//! - every path that is not bytecode, and every path Python writes that a negation the audit
//!   names re-included, keeps its status;
//! - ordinary negations (`!requirements.txt`, `!*.md`, `!docs/`, ...) are never named, and
//!   negations of bytecode that decide what Python writes always are;
//! - the old file survives byte for byte, with only whole lines of our block inserted;
//! - a second run changes nothing;
//! - `fix-gitignore --check` fails exactly when `check --all --strict` reports a missing
//!   rule, before and after, and after the fix the audit names only negations.

use std::fs;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::{Match, TestRepo, parse_json, text};

const ROOT_LINES: &[&str] = &[
    "*.pyc",
    "/*.pyc",
    "__pycache__/",
    "__pycache__",
    "/__pycache__/",
    "*.py[cod]",
    "*.pyo",
    "*$py.class",
    "!keep.pyc",
    "!tests/fixtures/*.pyc",
    "build/",
    "!build/*.pyc",
    "*.log",
    "!important.log",
    "# comment",
    "",
    "*.pyc   ",
    "\\#x.pyc",
    "**/cache/",
    "!*.pyc",
    "docs/",
    "*.pyc/",
    "a.pyc/",
    "!__pycache__/",
    "dist",
    "*",
    "!*/",
    "!*.py",
    "pkg/**",
    "!a.pyo/",
    "*.txt",
    "!requirements.txt",
    "*.json",
    "!package.json",
    "*.md",
    "!*.md",
    "!docs/",
    "**/__pycache__",
    "!**/__pycache__",
    "!__pycache__/",
];
const NESTED_LINES: &[&str] = &[
    "!*.pyc",
    "*.pyc",
    "!keep.pyc",
    "__pycache__/",
    "fixtures/",
    "!fixtures/*.pyc",
    "# n",
    "!__pycache__/",
    "!requirements.txt",
    "*",
    "!*/",
    "!*",
];

/// Negations that are not about bytecode: the audit must never name them.
const ORDINARY_NEGATIONS: &[&str] =
    &["!important.log", "!requirements.txt", "!package.json", "!*.md", "!docs/", "!*/", "!*.py"];

/// Paths made on disk in every case; a trailing `/` makes a folder.
const PROBES: &[&str] = &[
    "m.pyc",
    "m.pyo",
    "x$py.class",
    "keep.pyc",
    "__pycache__/m.cpython-312.pyc",
    "pkg/m.pyc",
    "pkg/__pycache__/m.cpython-312.pyc",
    "tests/t.pyc",
    "tests/keep.pyc",
    "tests/__pycache__/t.cpython-312.pyc",
    "tests/fixtures/f.pyc",
    "build/b.pyc",
    "docs/d.pyc",
    "cache/c.pyc",
    "a.pyc/b.py",
    "a.pyo/b.py",
    "pkg/mod.py",
    "x.pyc.txt",
    "pycache.py",
    "__pycache__.py",
    "build/out.txt",
    "docs/readme.md",
    "ext.pyd",
    "app.log",
    "important.log",
    "tests/test_x.py",
    "dist",
    "tests/fixtures/data.json",
    "requirements.txt",
    "package.json",
    "README.md",
    "docs/guide.md",
    "tests/requirements.txt",
    "__pycache__/requirements.txt",
    "tests/__pycache__/notes.md",
];

/// What a property run generates files of and judges: bytecode alone, or bytecode and every
/// debris category (`debris = ["all"]` in the config, so that every command judges both).
struct Family {
    root_lines: &'static [&'static str],
    nested_lines: &'static [&'static str],
    probes: &'static [&'static str],
    ordinary_negations: &'static [&'static str],
    /// Negations about what Python or its tools write: named whenever they decide such a path.
    deliberate_negations: &'static [&'static str],
    /// Lines the fix may write.
    allowed: &'static [&'static str],
    /// Whether a probe is judged (bytecode, or debris of a chosen category).
    judged: fn(&str) -> bool,
    /// Whether Python or a tool writes the probe under that name.
    writes: fn(&str) -> bool,
    config: Option<&'static str>,
}

const BYTECODE_LINES: &[&str] = &[
    "# Python bytecode (added by pycache-guard)",
    "__pycache__/",
    "*.py[co]",
    "!*.py[co]/",
    "*$py.class",
    "!*$py.class/",
];

const BYTECODE: Family = Family {
    root_lines: ROOT_LINES,
    nested_lines: NESTED_LINES,
    probes: PROBES,
    ordinary_negations: ORDINARY_NEGATIONS,
    deliberate_negations: &["!*.pyc", "!keep.pyc", "!fixtures/*.pyc", "!tests/fixtures/*.pyc", "!__pycache__/"],
    allowed: BYTECODE_LINES,
    judged: |probe| pycache_guard::classify(probe.as_bytes()).is_some(),
    writes: python_writes,
    config: None,
};

const DEBRIS_ROOT_LINES: &[&str] = &[
    "__pycache__/",
    "*.py[cod]",
    "*$py.class",
    ".pytest_cache/",
    ".pytest_cache",
    "/.pytest_cache/",
    "!.pytest_cache/",
    ".coverage",
    "!.coverage",
    ".coverage*",
    "htmlcov",
    "!htmlcov/",
    "*.egg-info",
    "*.egg-info/",
    "!keep.egg-info/",
    ".tox/",
    "!.tox/",
    ".nox",
    ".mypy_cache/",
    ".dmypy.json",
    "!.dmypy.json",
    ".ruff_cache/",
    ".hypothesis/",
    ".ipynb_checkpoints",
    "!.ipynb_checkpoints/",
    "coverage.xml",
    "coverage.*",
    ".eggs/",
    "*",
    "!*/",
    "!*.py",
    "*.txt",
    "!requirements.txt",
    "*.md",
    "!*.md",
    "!docs/",
    "build/",
    "dist",
    "# comment",
    "",
    ".*",
    "!.gitignore",
    ".coverage.*",
    "!.coverage.*/",
    "!.coverage/",
    "!coverage.xml/",
    "!.dmypy.json/",
];
const DEBRIS_NESTED_LINES: &[&str] =
    &["!.pytest_cache/", ".pytest_cache/", "!.coverage", "*", "!*/", "!*", "# n", "htmlcov/", ".coverage*"];

const DEBRIS_PROBES: &[&str] = &[
    ".pytest_cache/v/cache/lastfailed",
    "tests/.pytest_cache/v/cache/lastfailed",
    ".mypy_cache/3.12/m.data.json",
    ".dmypy.json",
    ".ruff_cache/0.6.0/1",
    ".ipynb_checkpoints/a-checkpoint.ipynb",
    "tests/.ipynb_checkpoints/b-checkpoint.ipynb",
    ".hypothesis/examples/x",
    ".coverage",
    "tests/.coverage",
    ".coverage.host.1",
    "htmlcov/index.html",
    "coverage.xml",
    ".tox/log/a.log",
    ".nox/a.log",
    "m.egg-info/PKG-INFO",
    "keep.egg-info/PKG-INFO",
    ".eggs/README.txt",
    "m.pyc",
    "__pycache__/m.cpython-312.pyc",
    "pytest_cache/x.txt",
    "pkg/.coverage/notes.txt",
    "pkg/coverage.xml/notes.txt",
    "pkg/.dmypy.json/notes.txt",
    ".coveragerc",
    "coverage.xml.bak",
    "htmlcov.py",
    "egg-info/x.py",
    "src/mod.py",
    "requirements.txt",
    "README.md",
    "docs/readme.md",
    "build/out.txt",
    "dist",
    "tests/test_x.py",
];

const DEBRIS_ALLOWED: &[&str] = &[
    "# Python bytecode (added by pycache-guard)",
    "# Python debris (added by pycache-guard)",
    "# Python bytecode and debris (added by pycache-guard)",
    "__pycache__/",
    "*.py[co]",
    "!*.py[co]/",
    "*$py.class",
    "!*$py.class/",
    ".pytest_cache/",
    ".mypy_cache/",
    ".dmypy.json",
    "!.dmypy.json/",
    ".ruff_cache/",
    ".ipynb_checkpoints/",
    ".hypothesis/",
    ".coverage",
    "!.coverage/",
    ".coverage.*",
    "!.coverage.*/",
    "htmlcov/",
    "coverage.xml",
    "!coverage.xml/",
    ".tox/",
    ".nox/",
    "*.egg-info/",
    ".eggs/",
];

const DEBRIS: Family = Family {
    root_lines: DEBRIS_ROOT_LINES,
    nested_lines: DEBRIS_NESTED_LINES,
    probes: DEBRIS_PROBES,
    ordinary_negations: &[
        "!requirements.txt",
        "!*.md",
        "!docs/",
        "!*/",
        "!*.py",
        "!.gitignore",
        "!.coverage.*/",
        "!.coverage/",
        "!coverage.xml/",
        "!.dmypy.json/",
    ],
    deliberate_negations: &[
        "!.pytest_cache/",
        "!.coverage",
        "!htmlcov/",
        "!keep.egg-info/",
        "!.tox/",
        "!.dmypy.json",
        "!.ipynb_checkpoints/",
    ],
    allowed: DEBRIS_ALLOWED,
    judged: |probe| pycache_guard::classify_with(probe.as_bytes(), pycache_guard::Debris::all()).is_some(),
    writes: |probe| python_writes(probe) || pycache_guard::Debris::all().classify(probe.as_bytes()).is_some(),
    config: Some("debris = [\"all\"]\n"),
};

#[derive(Debug, Clone)]
struct Setup {
    root: Vec<&'static str>,
    nested: Option<Vec<&'static str>>,
    crlf: bool,
    bom: bool,
    final_newline: bool,
}

fn setups(family: &Family) -> impl Strategy<Value = Setup> {
    (
        prop::collection::vec(prop::sample::select(family.root_lines), 0..7),
        prop::option::of(prop::collection::vec(prop::sample::select(family.nested_lines), 1..4)),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(root, nested, crlf, bom, final_newline)| Setup { root, nested, crlf, bom, final_newline })
}

fn file_bytes(lines: &[&str], setup: &Setup, with_bom: bool) -> Vec<u8> {
    let newline = if setup.crlf { "\r\n" } else { "\n" };
    let mut text = lines.join(newline);
    if setup.final_newline && !lines.is_empty() {
        text.push_str(newline);
    }
    let mut bytes = if with_bom { b"\xef\xbb\xbf".to_vec() } else { Vec::new() };
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// Whether `new` is `old` with whole lines of our block inserted at one place (and, when
/// appending, the newline the old file lacked).
fn only_lines_inserted(old: &[u8], new: &[u8], allowed: &[&str]) -> bool {
    if new == old {
        return true;
    }
    if new.len() < old.len() {
        return false;
    }
    let inserted_len = new.len() - old.len();
    (0..=old.len()).any(|at| {
        if new[..at] != old[..at] || new[at + inserted_len..] != old[at..] {
            return false;
        }
        let raw = String::from_utf8_lossy(&new[at..at + inserted_len]).into_owned();
        let body = raw.strip_prefix("\r\n").or_else(|| raw.strip_prefix('\n'));
        let (body, placed_well) = match body {
            // A newline first only completes an old last line that lacked one.
            Some(body) => (body, at == old.len() && !old.is_empty() && !old.ends_with(b"\n")),
            None => (raw.as_str(), at == 0 || (at == 3 && old.starts_with(b"\xef\xbb\xbf")) || old[at - 1] == b'\n'),
        };
        placed_well
            && body.ends_with('\n')
            && body.split_inclusive('\n').all(|line| allowed.contains(&line.trim_end_matches(['\r', '\n'])))
    })
}

/// The deciding rule of `git check-ignore -v` as the audit names rules: `file:line`.
fn location(m: &Match) -> String {
    format!("{}:{}", m.source, m.line)
}

/// What `check --all --strict --format json` says about the ignore rules: whether a rule is
/// missing, and the rules it names as re-including bytecode (`file:line`).
fn audit(repo: &TestRepo) -> (bool, Vec<String>) {
    let output = repo.guard().args(["check", "--all", "--strict", "--format", "json"]).output().unwrap();
    let report = parse_json(&output);
    let findings = report["findings"].as_array().unwrap();
    let of_kind = |kind: &'static str| findings.iter().filter(move |f| f["kind"] == kind);
    let missing = of_kind("missing-ignore-rule").count() > 0;
    let named = of_kind("reincluded-by-rule")
        .map(|f| format!("{}:{}", f["rule"]["file"].as_str().unwrap(), f["rule"]["line"].as_u64().unwrap()))
        .collect();
    (missing, named)
}

/// `fix-gitignore --check`: whether it says a change is needed.
fn check_says_missing(repo: &TestRepo) -> Result<bool, TestCaseError> {
    let output = repo.guard().args(["fix-gitignore", "--check"]).output().unwrap();
    let code = output.status.code();
    prop_assert!(code == Some(0) || code == Some(1), "--check: {:?} {}", code, text(&output.stderr));
    Ok(code == Some(1))
}

fn check_one(setup: &Setup, family: &Family) -> Result<(), TestCaseError> {
    let probes = family.probes;
    let repo = TestRepo::new();
    for probe in probes {
        repo.write(probe, "x");
    }
    if let Some(config) = family.config {
        repo.write(".pycache-guard.toml", config);
    }
    let old = file_bytes(&setup.root, setup, setup.bom);
    if !setup.root.is_empty() || setup.bom {
        fs::write(repo.root.join(".gitignore"), &old).unwrap();
    }
    if let Some(nested) = &setup.nested {
        fs::write(repo.root.join("tests/.gitignore"), file_bytes(nested, setup, false)).unwrap();
        // The audit reads the tracked `.gitignore` files, as a hook does; the fix every one.
        repo.git(&["add", "-f", "tests/.gitignore"]);
    }
    let before = repo.check_ignore(&["-c", "core.excludesFile=/dev/null"], probes);
    // A file in a folder of debris is kept on purpose when a named negation re-includes the
    // folder: git then matches no rule to the file itself.
    let folders: Vec<String> = probes.iter().map(|probe| debris_folder(probe).unwrap_or_default()).collect();
    let folder_paths: Vec<&str> = folders.iter().map(|f| if f.is_empty() { "pycache_guard_none" } else { f }).collect();
    let folders_before = repo.check_ignore(&["-c", "core.excludesFile=/dev/null"], &folder_paths);
    let (missing_before, named) = audit(&repo);
    prop_assert_eq!(check_says_missing(&repo)?, missing_before, "--check disagrees with the audit before the fix");
    for (probe, m) in probes.iter().zip(&before) {
        let deciding = location(m);
        if family.ordinary_negations.contains(&m.pattern.as_str()) {
            prop_assert!(!named.contains(&deciding), "ordinary negation {} named ({})", m.pattern, probe);
        }
        if family.deliberate_negations.contains(&m.pattern.as_str()) && (family.writes)(probe) {
            prop_assert!(named.contains(&deciding), "{} decides {} but is not named: {:?}", m.pattern, probe, named);
        }
    }

    let output = repo.guard().arg("fix-gitignore").output().unwrap();
    let stderr = text(&output.stderr);
    prop_assert_eq!(output.status.code(), Some(0), "{}", stderr);
    let new = fs::read(repo.root.join(".gitignore")).unwrap_or_default();
    prop_assert!(only_lines_inserted(&old, &new, family.allowed), "old {:?}\nnew {:?}", text(&old), text(&new));
    let left_out = stderr.contains("left out");
    let unreachable = stderr.contains("stays unignored");
    prop_assert!(new == old || missing_before, "a block was added though the audit found nothing missing");
    prop_assert!(new != old || !missing_before || left_out || unreachable, "nothing added, nothing said: {}", stderr);

    let after = repo.check_ignore(&["-c", "core.excludesFile=/dev/null"], probes);
    for (((probe, was), now), folder_was) in probes.iter().zip(&before).zip(&after).zip(&folders_before) {
        let is_bytecode = (family.judged)(probe);
        let named_negation = |m: &Match| m.pattern.starts_with('!') && named.contains(&location(m));
        let kept_on_purpose = (named_negation(was) || named_negation(folder_was)) && (family.writes)(probe);
        let ignored = |m: &Match| !m.source.is_empty() && !m.pattern.starts_with('!');
        if !is_bytecode || kept_on_purpose {
            prop_assert_eq!(ignored(was), ignored(now), "{} changed: {:?} -> {:?}; {}", probe, was, now, text(&new));
        } else if new != old && !left_out && !unreachable && (family.writes)(probe) {
            prop_assert!(ignored(now), "{} not ignored after the fix ({:?}); {}", probe, now, text(&new));
        }
    }

    let (missing_after, named_after) = audit(&repo);
    prop_assert!(!missing_after || left_out || unreachable, "a rule is still missing after the fix: {}", text(&new));
    prop_assert_eq!(check_says_missing(&repo)?, missing_after, "--check disagrees with the audit after the fix");
    for rule in &named_after {
        prop_assert!(rule.starts_with(".gitignore:") || rule.starts_with("tests/.gitignore:"), "{}", rule);
    }

    let again = repo.guard().arg("fix-gitignore").output().unwrap();
    prop_assert_eq!(again.status.code(), Some(0));
    prop_assert_eq!(text(&again.stdout), "");
    prop_assert_eq!(fs::read(repo.root.join(".gitignore")).unwrap_or_default(), new);
    Ok(())
}

/// The folder of debris a path lies in (`tests/.pytest_cache`), if any.
fn debris_folder(path: &str) -> Option<String> {
    let all = pycache_guard::Debris::all();
    let mut prefix = String::new();
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        parts.peek()?;
        prefix.push_str(part);
        if all.classify(prefix.as_bytes()).is_some() {
            return Some(prefix);
        }
        prefix.push('/');
    }
    None
}

/// Whether Python writes a file of this name (the probes are all files).
fn python_writes(probe: &str) -> bool {
    probe.ends_with(".pyc") || probe.ends_with(".pyo") || probe.ends_with("$py.class")
}

#[test]
fn fix_gitignore_properties_hold_for_generated_files() {
    let cases = std::env::var("PYCACHE_GUARD_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner.run(&setups(&BYTECODE), |setup| check_one(&setup, &BYTECODE)).unwrap();
}

/// The same properties with every debris category chosen, over files that mix bytecode and
/// debris rules and negations.
#[test]
fn fix_gitignore_properties_hold_for_generated_files_with_debris() {
    let cases = std::env::var("PYCACHE_GUARD_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner.run(&setups(&DEBRIS), |setup| check_one(&setup, &DEBRIS)).unwrap();
}
