//! Under the pre-commit framework (`PRE_COMMIT=1`, or file names given) `check` only blocks
//! and prints the fix: no prompt, no change to the index.

use predicates::prelude::*;

use crate::support::{TestRepo, text};

#[test]
fn blocks_and_prints_the_fix_without_touching_the_index() {
    let repo = TestRepo::with_commit();
    repo.stage(&["pkg/__pycache__/m.pyc", "pkg/m.py"]);
    let index = repo.root.join(".git/index");
    let before = std::fs::read(&index).unwrap();
    for args in [&["check"][..], &["check", "pkg/__pycache__/m.pyc", "pkg/m.py"]] {
        let output = repo.guard().env("PRE_COMMIT", "1").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stdout = text(&output.stdout);
        assert!(stdout.contains("fix: git rm --cached -- pkg/__pycache__/m.pyc"), "{stdout}");
        assert_eq!(std::fs::read(&index).unwrap(), before, "the index is unchanged: {args:?}");
    }
    assert_eq!(repo.git_stdout(&["diff", "--cached", "--name-only"]), "pkg/__pycache__/m.pyc\npkg/m.py\n");
}

#[test]
fn never_reads_a_prompt_answer() {
    // Even with "y" waiting on standard input, nothing is asked and nothing changes.
    let repo = TestRepo::with_commit();
    repo.stage(&["x.pyc"]);
    repo.guard()
        .env("PRE_COMMIT", "1")
        .write_stdin("y\n")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("[y/N]").not());
    assert_eq!(repo.git_stdout(&["diff", "--cached", "--name-only"]), "x.pyc\n");
}
