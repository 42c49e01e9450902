//! `check --pre-push`: git's pre-push input, the framework's variables, and a real
//! `git push` to a local bare remote through the hook that `install --pre-push` writes.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use predicates::prelude::*;

use crate::support::{TestRepo, installed_script, text};

/// A repository whose `origin` is a bare repository next to it, with `main` pushed and
/// fetched (so `origin/main` exists).
fn with_remote() -> (TestRepo, PathBuf) {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["legacy.pyc"], "legacy bytecode the remote already has");
    let remote = repo.parent().join("remote.git");
    repo.git(&["init", "-q", "--bare", remote.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "--no-verify", "-u", "origin", "main"]);
    (repo, remote)
}

fn rev(repo: &TestRepo, name: &str) -> String {
    repo.git_stdout(&["rev-parse", name]).trim().to_owned()
}

fn pre_push(repo: &TestRepo, input: &str) -> assert_cmd::assert::Assert {
    repo.guard().args(["check", "--pre-push", "--remote", "origin"]).write_stdin(input.to_owned()).assert()
}

fn remote_head(repo: &TestRepo, remote: &std::path::Path, branch: &str) -> Option<String> {
    let output = repo.try_git_in(remote, &["rev-parse", "--verify", "-q", branch]);
    output.status.success().then(|| text(&output.stdout).trim().to_owned())
}

#[test]
fn an_update_checks_the_new_commits_even_when_a_later_one_removed_the_bytecode() {
    let (repo, _remote) = with_remote();
    let pushed = rev(&repo, "origin/main");
    repo.commit_bypassing_hooks(&["a.pyc"], "add");
    let added = repo.head().unwrap();
    repo.git(&["rm", "-q", "a.pyc"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "remove"]);
    let local = repo.head().unwrap();
    let line = format!("refs/heads/main {local} refs/heads/main {pushed}\n");
    pre_push(&repo, &line)
        .code(1)
        .stdout(predicate::str::starts_with(format!("a.pyc: error: bytecode file added by commit {}", &added[..12])));
    // legacy.pyc is on the remote already: not reported.
    pre_push(&repo, &line).stdout(predicate::str::contains("legacy.pyc").not());
}

#[test]
fn a_new_branch_is_checked_against_what_the_remote_has() {
    let (repo, _remote) = with_remote();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit_bypassing_hooks(&["ok.py"], "clean work");
    let zero = repo.zero_id();
    let line = format!("refs/heads/feature {} refs/heads/feature {zero}\n", repo.head().unwrap());
    pre_push(&repo, &line).success();
    repo.commit_bypassing_hooks(&["new/__pycache__/x.pyc"], "bytecode");
    let line = format!("refs/heads/feature {} refs/heads/feature {zero}\n", repo.head().unwrap());
    let assert = pre_push(&repo, &line).code(1);
    let stdout = text(&assert.get_output().stdout);
    assert_eq!(stdout.lines().count(), 1, "only the new branch's own commits: {stdout}");
    assert!(stdout.starts_with("new/__pycache__/x.pyc: error"), "{stdout}");
}

#[test]
fn a_deletion_is_not_checked() {
    let (repo, _remote) = with_remote();
    let line = format!("(delete) {} refs/heads/old {}\n", repo.zero_id(), repo.head().unwrap());
    pre_push(&repo, &line).success().stdout("");
    pre_push(&repo, "").success();
}

#[test]
fn an_unknown_remote_sha_falls_back_to_the_remote_tracking_branches() {
    let (repo, _remote) = with_remote();
    repo.commit_bypassing_hooks(&["b.pyc"], "bytecode");
    let unknown = "1234567890".repeat(7)[..repo.hex_len()].to_owned();
    let line = format!("refs/heads/main {} refs/heads/main {unknown}\n", repo.head().unwrap());
    let assert = pre_push(&repo, &line).code(1);
    assert_eq!(text(&assert.get_output().stdout).lines().count(), 1, "legacy.pyc is on origin/main");
}

#[test]
fn several_lines_are_checked_together() {
    let (repo, _remote) = with_remote();
    let pushed = rev(&repo, "origin/main");
    repo.git(&["checkout", "-q", "-b", "one"]);
    repo.commit_bypassing_hooks(&["one.pyc"], "one");
    repo.git(&["checkout", "-q", "-b", "two", "main"]);
    repo.commit_bypassing_hooks(&["two.pyo"], "two");
    let input = format!(
        "refs/heads/one {} refs/heads/one {}\nrefs/heads/two {} refs/heads/main {pushed}\n",
        rev(&repo, "one"),
        repo.zero_id(),
        rev(&repo, "two")
    );
    let assert = pre_push(&repo, &input).code(1);
    let stdout = text(&assert.get_output().stdout);
    assert!(stdout.contains("one.pyc") && stdout.contains("two.pyo") && !stdout.contains("legacy"), "{stdout}");
}

#[test]
fn malformed_input_is_an_error() {
    let (repo, _remote) = with_remote();
    pre_push(&repo, "not a pre-push line\n").code(2).stderr(predicate::str::contains("pre-push input"));
}

#[test]
fn under_the_framework_the_named_range_is_checked_and_stdin_ignored() {
    let (repo, _remote) = with_remote();
    let from = repo.head().unwrap();
    repo.commit_bypassing_hooks(&["c.pyc"], "bytecode");
    let to = repo.head().unwrap();
    let framework = |from: &str, to: &str| {
        let mut command = repo.guard();
        command
            .args(["check", "--pre-push"])
            .env("PRE_COMMIT", "1")
            .env("PRE_COMMIT_FROM_REF", from)
            .env("PRE_COMMIT_TO_REF", to)
            .write_stdin(format!("refs/heads/main {to} refs/heads/main {}\n", repo.zero_id()));
        command
    };
    framework(&from, &to).assert().code(1).stdout(predicate::str::starts_with("c.pyc: error"));
    // The range excludes legacy.pyc's commit even though the stdin line would include it.
    framework(&to, &to).assert().success();
}

#[test]
fn under_the_framework_a_branch_with_all_new_history_is_checked_whole() {
    // pre-commit sets only PRE_COMMIT_LOCAL_BRANCH / PRE_COMMIT_REMOTE_NAME when the push
    // sends the root commit (a first push to an empty remote).
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["root-era.pyc"], "bytecode");
    repo.guard()
        .args(["check", "--pre-push"])
        .env("PRE_COMMIT", "1")
        .env("PRE_COMMIT_LOCAL_BRANCH", "refs/heads/main")
        .env("PRE_COMMIT_REMOTE_NAME", "origin")
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("root-era.pyc: error"));
}

fn install_pre_push(repo: &TestRepo) {
    repo.guard()
        .args(["install", "--pre-push"])
        .assert()
        .success()
        .stdout(predicate::str::contains("installed pre-commit").and(predicate::str::contains("installed pre-push")));
}

#[test]
fn a_real_push_is_blocked_by_the_installed_hook() {
    let (repo, remote) = with_remote();
    install_pre_push(&repo);
    let hook = repo.root.join(".git/hooks/pre-push");
    assert_eq!(fs::read_to_string(&hook).unwrap(), installed_script("pre-push"));
    assert_eq!(fs::metadata(&hook).unwrap().permissions().mode() & 0o777, 0o755);
    let before = remote_head(&repo, &remote, "main");

    repo.commit_bypassing_hooks(&["a.pyc"], "add");
    repo.git(&["rm", "-q", "a.pyc"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "remove"]);
    let output = repo.try_git(&["push", "-q", "origin", "main"]);
    assert!(!output.status.success(), "the push must be blocked");
    // git passes the hook's standard output through to its own.
    assert!(text(&output.stdout).contains("a.pyc: error"), "{}", text(&output.stdout));
    assert_eq!(remote_head(&repo, &remote, "main"), before, "the remote is unchanged");

    // A new branch with clean commits only goes through; so does deleting it.
    repo.git(&["checkout", "-q", "-b", "clean", "origin/main"]);
    repo.commit_bypassing_hooks(&["ok.py"], "clean");
    let output = repo.try_git(&["push", "-q", "origin", "clean"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let output = repo.try_git(&["push", "-q", "origin", "--delete", "clean"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
}

#[test]
fn a_kept_pre_push_hook_gets_the_same_input_and_runs_first() {
    let (repo, remote) = with_remote();
    let hook = repo.write_hook(
        "pre-push",
        "#!/bin/sh\necho \"$1\" >> \"$(git rev-parse --git-common-dir)/foreign.log\"\ncat >> \"$(git rev-parse --git-common-dir)/foreign.log\"\n",
    );
    repo.guard().args(["install", "--pre-push"]).assert().code(2).stderr(predicate::str::contains("--force"));
    assert!(!repo.root.join(".git/hooks/pre-commit").exists(), "refusing installs nothing");
    repo.guard().args(["install", "--pre-push", "--force"]).assert().success();

    repo.commit_bypassing_hooks(&["z.pyc"], "bytecode");
    let head = repo.head().unwrap();
    let output = repo.try_git(&["push", "-q", "origin", "main"]);
    assert!(!output.status.success());
    assert!(text(&output.stdout).contains("z.pyc"), "pycache-guard saw the input too: {}", text(&output.stdout));
    let log = fs::read_to_string(repo.root.join(".git/foreign.log")).unwrap();
    assert!(log.starts_with("origin\nrefs/heads/main "), "{log}");
    assert!(log.contains(&head), "{log}");
    let _ = remote;

    repo.guard().arg("uninstall").assert().success().stdout(
        predicate::str::contains("removed pre-commit").and(predicate::str::contains("removed pre-push and restored")),
    );
    assert!(!repo.root.join(".git/hooks/pre-commit").exists());
    assert!(fs::read_to_string(&hook).unwrap().contains("foreign.log"), "the kept hook is back");
}
