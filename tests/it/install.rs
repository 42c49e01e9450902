//! `install` / `uninstall`: where git runs hooks, foreign hooks kept and chained.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use predicates::prelude::*;

use crate::support::{BINARY, TestRepo, installed_script, text};

const FOREIGN: &str = "#!/bin/sh\necho foreign hook ran >> \"$(git rev-parse --git-common-dir)/foreign.log\"\n";

#[test]
fn installs_an_executable_hook_and_twice_is_a_no_op() {
    let repo = TestRepo::with_commit();
    repo.guard().arg("install").assert().success().stdout(predicate::str::contains("installed pre-commit"));
    let hook = repo.root.join(".git/hooks/pre-commit");
    let installed = fs::read_to_string(&hook).unwrap();
    assert_eq!(installed, installed_script("pre-commit"));
    assert_eq!(fs::metadata(&hook).unwrap().permissions().mode() & 0o777, 0o755);
    repo.guard().arg("install").assert().success().stdout(predicate::str::contains("already installed"));
    assert_eq!(fs::read_to_string(&hook).unwrap(), installed);
}

#[test]
fn foreign_hook_is_refused_then_kept_and_chained_then_restored() {
    let repo = TestRepo::with_commit();
    let hook = repo.write_hook("pre-commit", FOREIGN);

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
    repo.write_hook("pre-commit", "#!/bin/sh\necho no >&2\nexit 3\n");
    repo.guard().args(["install", "--force"]).assert().success();
    repo.stage(&["a.py"]);
    assert!(!repo.try_git(&["commit", "-q", "-m", "x"]).status.success());
}

#[test]
fn uninstall_leaves_foreign_hooks_alone() {
    let repo = TestRepo::with_commit();
    let hook = repo.write_hook("pre-commit", FOREIGN);
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

/// The machine's `PATH` without any folder holding a `pycache-guard` (the built binary's
/// folder included): what a commit from a GUI client or an inactive virtualenv sees.
fn path_without_the_binary() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).filter(|dir| !dir.join("pycache-guard").exists());
    let dirs: Vec<_> = dirs.filter(|dir| *dir != Path::new(BINARY).parent().unwrap()).collect();
    std::env::join_paths(dirs).unwrap()
}

fn commit_without_the_binary_on_path(repo: &TestRepo) -> std::process::Output {
    let path = path_without_the_binary();
    let lookup = Command::new("sh").args(["-c", "command -v pycache-guard"]).env("PATH", &path).output().unwrap();
    assert!(!lookup.status.success(), "pycache-guard must not be on this PATH: {}", text(&lookup.stdout));
    repo.git_command_in(&repo.root).env("PATH", &path).args(["commit", "-q", "-m", "x"]).output().unwrap()
}

#[test]
fn hook_runs_the_binary_that_installed_it_when_path_lacks_it() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.stage(&["pkg/__pycache__/m.cpython-312.pyc"]);
    let output = commit_without_the_binary_on_path(&repo);
    assert!(!output.status.success(), "the bytecode commit must be blocked");
    // git passes a pre-commit hook's standard output to its standard error.
    let stderr = text(&output.stderr);
    assert!(stderr.contains("pkg/__pycache__/m.cpython-312.pyc: error"), "the check ran: {stderr}");
    assert_eq!(repo.committed_paths(), ["README.md"]);

    repo.git(&["rm", "-q", "--cached", "pkg/__pycache__/m.cpython-312.pyc"]);
    repo.stage(&["pkg/m.py"]);
    let output = commit_without_the_binary_on_path(&repo);
    assert!(output.status.success(), "a clean commit goes through: {}", text(&output.stderr));
    assert_eq!(repo.committed_paths(), ["README.md", "pkg/m.py"]);
}

#[test]
fn hook_fails_clearly_without_the_binary_on_path() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    // The binary that installed the hook is gone too.
    let script = installed_script("pre-commit").replacen(
        &format!("installed_by='{}'", fs::canonicalize(BINARY).unwrap().display()),
        "installed_by='/nonexistent/pycache-guard'",
        1,
    );
    assert!(script.contains("/nonexistent/"));
    repo.write_hook("pre-commit", &script);
    repo.stage(&["a.py"]);
    let output = commit_without_the_binary_on_path(&repo);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("needs the pycache-guard binary on PATH"), "{}", text(&output.stderr));
}
