//! Bad input: a clear one-line error and exit code 2, never a panic.

use predicates::prelude::*;

use crate::support::{TestRepo, text};

fn one_line_error(output: &std::process::Output, names: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("pycache-guard: error: "), "{stderr}");
    assert!(stderr.contains(names), "should name {names}: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn not_a_repository() {
    let outside = tempfile::tempdir().unwrap();
    let repo = TestRepo::new();
    let output = repo.guard_in(outside.path()).env("GIT_CEILING_DIRECTORIES", outside.path()).output().unwrap();
    one_line_error(&output, "not a git repository");
    let output = repo.guard_in(outside.path()).args(["check", "--all"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn truncated_index() {
    let repo = TestRepo::with_commit();
    repo.stage(&["a.py", "b.py", "c.pyc"]);
    let index = repo.root.join(".git/index");
    let bytes = std::fs::read(&index).unwrap();
    std::fs::write(&index, &bytes[..bytes.len() / 2]).unwrap();
    for args in [&["check"][..], &["check", "--all"][..]] {
        let output = repo.guard().args(args).output().unwrap();
        one_line_error(&output, index.to_str().unwrap());
    }
}

#[test]
fn garbage_index() {
    let repo = TestRepo::with_commit();
    let index = repo.root.join(".git/index");
    std::fs::write(&index, "this is not an index file at all, but long enough to have a header").unwrap();
    let output = repo.guard().output().unwrap();
    one_line_error(&output, index.to_str().unwrap());
}

#[test]
fn unknown_revision() {
    let repo = TestRepo::with_commit();
    let output = repo.guard().args(["check", "--rev", "no-such-branch"]).output().unwrap();
    one_line_error(&output, "no-such-branch");
}

#[test]
fn bad_arguments_exit_2() {
    let repo = TestRepo::with_commit();
    repo.guard().args(["check", "--all", "--rev", "HEAD"]).assert().code(2);
    repo.guard().args(["--color", "sometimes"]).assert().code(2);
    repo.guard().arg("frobnicate").assert().code(2).stderr(predicate::str::contains("frobnicate"));
}
