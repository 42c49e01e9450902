//! The pre-commit hook through real `git commit` in every mode git has.

use crate::support::{TestRepo, commit_passes, text};

fn blocked(repo: &TestRepo, args: &[&str], names: &str) {
    let before = repo.head();
    let output = repo.try_git(args);
    // git sends a hook's standard output to its standard error.
    let stderr = text(&output.stderr);
    assert!(!output.status.success(), "git {args:?} should be blocked; output: {stderr}");
    assert!(stderr.contains(names), "the message should name {names}: {stderr}");
    assert_eq!(repo.head(), before, "nothing may be committed");
}

#[test]
fn new_pycache_file_blocks_a_plain_commit() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.stage(&["pkg/__pycache__/m.cpython-311.pyc"]);
    blocked(&repo, &["commit", "-q", "-m", "x"], "pkg/__pycache__/m.cpython-311.pyc");
}

#[test]
fn modified_legacy_bytecode_blocks_commit_all() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["old.pyc"], "legacy");
    repo.install_hook();
    repo.write("old.pyc", "changed\n");
    blocked(&repo, &["commit", "-q", "-a", "-m", "x"], "old.pyc");
    // git rolls back index.lock after a failed hook: the user's index is untouched.
    assert_eq!(repo.git_stdout(&["diff", "--cached", "--name-only"]), "");
}

#[test]
fn partial_commit_of_bytecode_is_blocked_and_unrelated_partial_commit_passes() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["pkg/x.pyc", "pkg/a.py"], "legacy");
    repo.install_hook();
    repo.write("pkg/x.pyc", "changed\n");
    blocked(&repo, &["commit", "-q", "-m", "x", "--", "pkg/x.pyc"], "pkg/x.pyc");

    // With the bytecode change staged in the real index, a commit of only another path is
    // built from a temporary index without it, and must pass.
    repo.git(&["add", "pkg/x.pyc"]);
    repo.write("pkg/a.py", "print('changed')\n");
    commit_passes(&repo, &["commit", "-q", "-m", "only a.py", "--", "pkg/a.py"]);
    assert_eq!(repo.git_stdout(&["show", "--name-only", "--format=", "HEAD"]), "pkg/a.py\n");
}

#[test]
fn unrelated_staged_change_commits_while_bytecode_is_only_on_disk() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.write("pkg/__pycache__/m.pyc", "bytes");
    repo.stage(&["pkg/a.py"]);
    commit_passes(&repo, &["commit", "-q", "-m", "a.py"]);
}

#[test]
fn amend_that_adds_bytecode_is_blocked() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.stage(&["x.pyc"]);
    blocked(&repo, &["commit", "-q", "--amend", "-m", "amended"], "x.pyc");
}

#[test]
fn amend_keeping_bytecode_that_the_amended_commit_brought_is_blocked() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["sneaked.pyc", "a.py"], "bypassed the hook");
    repo.install_hook();
    repo.write("a.py", "print('fixed')\n");
    repo.git(&["add", "a.py"]);
    blocked(&repo, &["commit", "-q", "--amend", "--no-edit"], "sneaked.pyc");
    // Through an alias too: git runs the expanded `git commit --amend` as a child process.
    blocked(&repo, &["-c", "alias.fixup=commit --amend --no-edit", "fixup", "-q"], "sneaked.pyc");
    blocked(&repo, &["-c", "alias.ci=commit", "ci", "-q", "--amend", "--no-edit"], "sneaked.pyc");
    // An ordinary new commit on top does not re-add it, so it passes.
    commit_passes(&repo, &["commit", "-q", "-m", "next"]);
}

#[test]
fn amend_in_a_shallow_clone_takes_the_edge_commit_as_a_root() {
    // In a clone of depth 1, HEAD's parent was never fetched: git treats HEAD as a root, so
    // an amend is compared with nothing and everything it holds is new.
    let origin = TestRepo::with_commit();
    origin.commit_bypassing_hooks(&["sneaked.pyc", "a.py"], "bypassed the hook");
    let clone = origin.clone_with(&["--no-local", "--depth", "1"]);
    assert_eq!(clone.git_stdout(&["rev-parse", "--is-shallow-repository"]).trim(), "true");
    clone.install_hook();
    clone.write("a.py", "print('fixed')\n");
    clone.git(&["add", "a.py"]);
    blocked(&clone, &["commit", "-q", "--amend", "--no-edit"], "sneaked.pyc");
    let output = clone.guard().args(["check", "-q"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "outside an amend, HEAD is the base: {}", text(&output.stderr));
}

#[test]
fn untracking_bytecode_is_never_blocked() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["old.pyc", "pkg/__pycache__/m.pyc"], "legacy");
    repo.install_hook();
    repo.git(&["rm", "-q", "--cached", "old.pyc"]);
    commit_passes(&repo, &["commit", "-q", "-m", "untrack"]);
    assert!(repo.root.join("old.pyc").exists(), "the file stays on disk");
    // Deleting it outright, through commit -a, is a fix too.
    std::fs::remove_file(repo.root.join("pkg/__pycache__/m.pyc")).unwrap();
    commit_passes(&repo, &["commit", "-q", "-a", "-m", "delete"]);
}

#[test]
fn first_commit_with_bytecode_is_blocked_and_without_passes() {
    let repo = TestRepo::new();
    repo.install_hook();
    repo.stage(&["main.py", "__pycache__/main.cpython-312.pyc"]);
    blocked(&repo, &["commit", "-q", "-m", "first"], "__pycache__/main.cpython-312.pyc");
    repo.git(&["rm", "-q", "--cached", "__pycache__/main.cpython-312.pyc"]);
    commit_passes(&repo, &["commit", "-q", "-m", "first"]);
}

#[test]
fn linked_worktree_gives_the_same_results() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    let worktree = repo.parent().join("linked");
    repo.git(&["worktree", "add", "-q", worktree.to_str().unwrap()]);
    std::fs::create_dir_all(worktree.join("pkg/__pycache__")).unwrap();
    std::fs::write(worktree.join("pkg/__pycache__/w.pyc"), "b").unwrap();
    std::fs::write(worktree.join("w.py"), "w").unwrap();
    repo.git_in(&worktree, &["add", "pkg/__pycache__/w.pyc", "w.py"]);
    let output = repo.try_git_in(&worktree, &["commit", "-q", "-m", "x"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("pkg/__pycache__/w.pyc"));

    repo.git_in(&worktree, &["rm", "-q", "--cached", "pkg/__pycache__/w.pyc"]);
    let output = repo.try_git_in(&worktree, &["commit", "-q", "-m", "x"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    // The main worktree's index was never the one checked.
    assert_eq!(repo.git_stdout(&["diff", "--cached", "--name-only"]), "");
}

#[test]
fn commit_from_a_subfolder_gives_the_same_results() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["pkg/old.pyc"], "legacy");
    repo.install_hook();
    repo.write("pkg/old.pyc", "changed");
    let sub = repo.root.join("pkg");
    let output = repo.try_git_in(&sub, &["commit", "-q", "-a", "-m", "x"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("pkg/old.pyc"));
}

#[test]
fn odd_path_names_are_reported_as_git_writes_them() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    let names: [&[u8]; 3] = [b"with space/m.pyc", "caf\u{e9}/\u{1f40d}.pyc".as_bytes(), b"raw\xff\xfe.pyc"];
    for name in names {
        repo.write(name, "b");
    }
    repo.git(&["add", "-A"]);
    let output = repo.try_git(&["commit", "-q", "-m", "x"]);
    assert!(!output.status.success());
    let stdout = text(&output.stderr);
    // UTF-8 names as git prints them with core.quotePath=false, the others as git quotes them.
    let plain = repo.git_stdout(&["-c", "core.quotePath=false", "diff", "--cached", "--name-only"]);
    let quoted = repo.git_stdout(&["-c", "core.quotePath=true", "diff", "--cached", "--name-only"]);
    let expected = [
        plain.lines().find(|l| l.contains("space")).unwrap(),
        plain.lines().find(|l| l.contains("caf")).unwrap(),
        quoted.lines().find(|l| l.contains("raw")).unwrap(),
    ];
    assert_eq!(expected[2], r#""raw\377\376.pyc""#);
    for name in expected {
        assert!(stdout.lines().any(|line| line.starts_with(&format!("{name}: error"))), "{name} in {stdout}");
    }
}

#[test]
fn intent_to_add_bytecode_is_not_staged_content() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.write("later.pyc", "b");
    repo.git(&["add", "-N", "later.pyc"]);
    repo.stage(&["a.py"]);
    commit_passes(&repo, &["commit", "-q", "-m", "a.py only"]);
    assert!(!repo.committed_paths().contains(&"later.pyc".to_owned()));
}

#[test]
fn commit_with_explicit_git_dir_and_work_tree() {
    // git exports GIT_DIR and a relative GIT_WORK_TREE to the hook in this case.
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.stage(&["x.pyc"]);
    let git_dir = format!("--git-dir={}", repo.root.join(".git").display());
    let work_tree = format!("--work-tree={}", repo.root.display());
    let outside = repo.parent().to_path_buf();
    let output = repo.try_git_in(&outside, &[&git_dir, &work_tree, "commit", "-q", "-m", "x"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("x.pyc"), "{}", text(&output.stderr));
}
