//! Property test of `fix-gitignore` over generated ignore files, judged by git itself:
//! - every bytecode path that no user negation re-included is ignored afterwards (unless the
//!   tool said it left a rule out because of a negation);
//! - every path that is not bytecode, and every path a negation re-included, keeps its status;
//! - the old file survives byte for byte, with only whole lines of our block inserted;
//! - a second run changes nothing.

use std::fs;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::{TestRepo, text};

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
];
const NESTED_LINES: &[&str] = &["!*.pyc", "*.pyc", "!keep.pyc", "__pycache__/", "fixtures/", "!fixtures/*.pyc", "# n"];

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
];

#[derive(Debug, Clone)]
struct Setup {
    root: Vec<&'static str>,
    nested: Option<Vec<&'static str>>,
    crlf: bool,
    bom: bool,
    final_newline: bool,
}

fn setups() -> impl Strategy<Value = Setup> {
    (
        prop::collection::vec(prop::sample::select(ROOT_LINES), 0..7),
        prop::option::of(prop::collection::vec(prop::sample::select(NESTED_LINES), 1..4)),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ignored,
    Reincluded,
    Unmatched,
}

/// git's status for every probe, from the repository's own ignore files.
fn statuses(repo: &TestRepo) -> Vec<Status> {
    repo.check_ignore(&["-c", "core.excludesFile=/dev/null"], PROBES)
        .into_iter()
        .map(|m| match (m.source.is_empty(), m.pattern.starts_with('!')) {
            (true, _) => Status::Unmatched,
            (false, true) => Status::Reincluded,
            (false, false) => Status::Ignored,
        })
        .collect()
}

/// Whether `new` is `old` with whole lines of our block inserted at one place (and, when
/// appending, the newline the old file lacked).
fn only_lines_inserted(old: &[u8], new: &[u8]) -> bool {
    const ALLOWED: &[&str] = &[
        "# Python bytecode (added by pycache-guard)",
        "__pycache__/",
        "*.py[co]",
        "!*.py[co]/",
        "*$py.class",
        "!*$py.class/",
    ];
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
            && body.split_inclusive('\n').all(|line| ALLOWED.contains(&line.trim_end_matches(['\r', '\n'])))
    })
}

fn check_one(setup: &Setup) -> Result<(), TestCaseError> {
    let repo = TestRepo::new();
    for probe in PROBES {
        repo.write(probe, "x");
    }
    let old = file_bytes(&setup.root, setup, setup.bom);
    if !setup.root.is_empty() || setup.bom {
        fs::write(repo.root.join(".gitignore"), &old).unwrap();
    }
    if let Some(nested) = &setup.nested {
        fs::write(repo.root.join("tests/.gitignore"), file_bytes(nested, setup, false)).unwrap();
    }
    let before = statuses(&repo);

    let output = repo.guard().arg("fix-gitignore").output().unwrap();
    let stderr = text(&output.stderr);
    prop_assert_eq!(output.status.code(), Some(0), "{}", stderr);
    let new = fs::read(repo.root.join(".gitignore")).unwrap_or_default();
    prop_assert!(only_lines_inserted(&old, &new), "old {:?}\nnew {:?}", text(&old), text(&new));

    let after = statuses(&repo);
    let left_out = stderr.contains("left out");
    for ((probe, was), now) in PROBES.iter().zip(&before).zip(&after) {
        let is_bytecode = pycache_guard::bytecode::classify(probe.as_bytes()).is_some();
        let ignored_before = *was == Status::Ignored;
        let ignored_after = *now == Status::Ignored;
        if !is_bytecode || *was == Status::Reincluded {
            prop_assert_eq!(ignored_before, ignored_after, "{} changed: {:?} -> {:?}; {}", probe, was, now, text(&new));
        } else if !left_out {
            prop_assert!(ignored_after, "{} not ignored after the fix ({:?}); {}", probe, now, text(&new));
        }
    }

    let again = repo.guard().arg("fix-gitignore").output().unwrap();
    prop_assert_eq!(again.status.code(), Some(0));
    prop_assert_eq!(text(&again.stdout), "");
    prop_assert_eq!(fs::read(repo.root.join(".gitignore")).unwrap_or_default(), new);
    Ok(())
}

#[test]
fn fix_gitignore_properties_hold_for_generated_files() {
    let cases = std::env::var("PYCACHE_GUARD_PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner.run(&setups(), |setup| check_one(&setup)).unwrap();
}
