//! `install` / `uninstall`: where git runs hooks, foreign hooks kept and chained.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use crate::support::{TestRepo, text};

const FOREIGN: &str = "#!/bin/sh\necho foreign hook ran >> \"$(git rev-parse --git-common-dir)/foreign.log\"\n";

fn write_hook(path: &std::path::Path, script: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, script).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn installs_an_executable_hook_and_twice_is_a_no_op() {
    let repo = TestRepo::with_commit();
    repo.guard().arg("install").assert().success().stdout(predicate::str::contains("installed pre-commit"));
    let hook = repo.root.join(".git/hooks/pre-commit");
    let installed = fs::read(&hook).unwrap();
    assert_eq!(installed, fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/hooks/pre-commit")).unwrap());
    assert_eq!(fs::metadata(&hook).unwrap().permissions().mode() & 0o777, 0o755);
    repo.guard().arg("install").assert().success().stdout(predicate::str::contains("already installed"));
    assert_eq!(fs::read(&hook).unwrap(), installed);
}

#[test]
fn foreign_hook_is_refused_then_kept_and_chained_then_restored() {
    let repo = TestRepo::with_commit();
    let hook = repo.root.join(".git/hooks/pre-commit");
    write_hook(&hook, FOREIGN);

    let output = repo.guard().arg("install").output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--force"), "{}", text(&output.stderr));
    assert_eq!(fs::read_to_string(&hook).unwrap(), FOREIGN, "refusing changes nothing");

    repo.guard().args(["install", "--force"]).assert().success();
    assert_eq!(fs::read_to_string(repo.root.join(".git/hooks/pre-commit.local")).unwrap(), FOREIGN);

    // Both hooks run: the foreign one logs, ours blocks the bytecode.
    repo.stage(&["x.pyc"]);
    let output = repo.try_git(&["commit", "-q", "-m", "x"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("x.pyc"));
    assert_eq!(fs::read_to_string(repo.root.join(".git/foreign.log")).unwrap(), "foreign hook ran\n");

    repo.guard().arg("uninstall").assert().success().stdout(predicate::str::contains("restored"));
    assert_eq!(fs::read_to_string(&hook).unwrap(), FOREIGN);
    assert!(!repo.root.join(".git/hooks/pre-commit.local").exists());
}

#[test]
fn a_failing_foreign_hook_still_blocks() {
    let repo = TestRepo::with_commit();
    write_hook(&repo.root.join(".git/hooks/pre-commit"), "#!/bin/sh\necho no >&2\nexit 3\n");
    repo.guard().args(["install", "--force"]).assert().success();
    repo.stage(&["a.py"]);
    assert!(!repo.try_git(&["commit", "-q", "-m", "x"]).status.success());
}

#[test]
fn uninstall_leaves_foreign_hooks_alone() {
    let repo = TestRepo::with_commit();
    let hook = repo.root.join(".git/hooks/pre-commit");
    write_hook(&hook, FOREIGN);
    repo.guard().arg("uninstall").assert().success().stdout(predicate::str::contains("left"));
    assert_eq!(fs::read_to_string(&hook).unwrap(), FOREIGN);
}

#[test]
fn honours_core_hooks_path() {
    let repo = TestRepo::with_commit();
    repo.git(&["config", "core.hooksPath", ".githooks"]);
    repo.guard().arg("install").assert().success();
    assert!(repo.root.join(".githooks/pre-commit").exists());
    assert!(!repo.root.join(".git/hooks/pre-commit").exists());
    repo.stage(&["x.pyc"]);
    assert!(!repo.try_git(&["commit", "-q", "-m", "x"]).status.success(), "git runs the hook from there");
}

#[test]
fn installs_into_the_common_hooks_folder_from_a_linked_worktree() {
    let repo = TestRepo::with_commit();
    let worktree = repo.parent().join("wt");
    repo.git(&["worktree", "add", "-q", worktree.to_str().unwrap()]);
    repo.guard_in(&worktree).arg("install").assert().success();
    assert!(repo.root.join(".git/hooks/pre-commit").exists());
    repo.stage(&["x.pyc"]);
    assert!(!repo.try_git(&["commit", "-q", "-m", "x"]).status.success(), "the main worktree is guarded too");
}

#[test]
fn hook_fails_clearly_without_the_binary_on_path() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.stage(&["a.py"]);
    let output = repo
        .git_command_in(&repo.root)
        .env("PATH", "/usr/bin:/bin")
        .args(["commit", "-q", "-m", "x"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("needs the pycache-guard binary on PATH"), "{}", text(&output.stderr));
}
