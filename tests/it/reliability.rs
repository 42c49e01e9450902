//! The reliability matrix: what the tool does when the machine or the repository
//! is not the usual one. Each case is supported, or refused with one clear line (exit 2);
//! nothing is ever half-written. Cases that need root (a small `tmpfs`, another user through
//! `setpriv`) say so and pass without running when the tests do not run as root.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{BINARY, TestRepo, is_root, one_line_error, text};

const BLOCK_COMMENT: &str = "# Python bytecode (added by pycache-guard)";

/// Whether the tests can run the binary as `nobody`: root, with util-linux's `setpriv`.
fn can_run_as_nobody() -> bool {
    is_root() && Command::new("setpriv").arg("--version").output().is_ok_and(|out| out.status.success())
}

fn skip(why: &str) {
    eprintln!("skipped: {why}");
}

/// The entries of a folder, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// A repository made by `git init <option>` with `a.pyc` staged.
fn repository_made_with(option: &str) -> TestRepo {
    let repo = TestRepo::new();
    fs::remove_dir_all(repo.root.join(".git")).unwrap();
    repo.git(&["init", "-q", option]);
    repo.write("a.pyc", "x");
    repo.git(&["add", "a.pyc"]);
    repo
}

/// SHA-1 and SHA-256 are the two object formats git knows; a repository whose
/// `extensions.objectFormat` names another is refused in one line naming the setting, before
/// anything is read, by every command (git itself refuses it too).
#[test]
fn an_unknown_object_format_is_refused_with_one_line() {
    let repo = repository_made_with("--object-format=sha256");
    repo.git(&["commit", "-q", "--no-verify", "-m", "bytecode"]);
    repo.git(&["config", "extensions.objectFormat", "sha512"]);
    assert!(!repo.try_git(&["status"]).status.success(), "git refuses it too");
    for args in [
        &["check"][..],
        &["check", "--all"],
        &["check", "--rev", "HEAD"],
        &["fix-gitignore", "--dry-run"],
        &["clean", "--dry-run"],
        &["install"],
    ] {
        let output = repo.guard().args(args).output().unwrap();
        one_line_error(&output, "extensions.objectFormat");
        assert!(text(&output.stderr).contains("sha512"), "libgit2's own words: {}", text(&output.stderr));
    }
    assert!(repo.root.join("a.pyc").exists(), "clean deleted nothing");
    assert!(!repo.root.join(".git/hooks/pre-commit").exists(), "install wrote nothing");
}

#[test]
fn two_untracks_at_once_leave_one_block_and_a_clean_index() {
    for round in 0..5 {
        let repo = TestRepo::with_commit();
        let files: Vec<String> = (0..40).map(|i| format!("pkg/__pycache__/m{i}.cpython-312.pyc")).collect();
        let names: Vec<&str> = files.iter().map(String::as_str).collect();
        repo.commit_bypassing_hooks(&names, "legacy bytecode");
        let spawn = || {
            let mut command = Command::new(BINARY);
            command.args(["-C"]).arg(&repo.root).args(["fix-gitignore", "--untrack"]);
            command.env_remove("GIT_INDEX_FILE").env_remove("GIT_DIR");
            command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
        };
        let (first, second) = (spawn(), spawn());
        let outputs = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
        for output in &outputs {
            let stderr = text(&output.stderr);
            match output.status.code() {
                Some(0) => {}
                Some(2) => assert!(stderr.contains("lock"), "round {round}: the loser names the lock: {stderr}"),
                other => panic!("round {round}: exit {other:?}: {stderr}"),
            }
        }
        assert!(outputs.iter().any(|o| o.status.success()), "round {round}: one of them wins");
        assert_eq!(repo.git_stdout(&["ls-files", "pkg"]), "", "round {round}: every bytecode file untracked");
        let gitignore = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
        assert_eq!(gitignore.matches(BLOCK_COMMENT).count(), 1, "round {round}: one block: {gitignore}");
        assert!(files.iter().all(|f| repo.root.join(f).exists()), "round {round}: files stay on disk");
        repo.git(&["status", "--porcelain"]);
    }
}

/// Waits until a new file appears in the worktree top (the temporary file of the atomic
/// write), or the process ends.
fn wait_for_temporary_file(top: &Path, child: &mut std::process::Child) -> bool {
    let before = [".git", ".gitignore", "README.md"];
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if entries(top).iter().any(|name| !before.contains(&name.as_str())) {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
    }
    false
}

#[test]
fn a_signal_during_the_write_leaves_the_old_file_or_the_new_one_never_half() {
    let repo = TestRepo::with_commit();
    // Big enough for the write (and its flush) to take a few milliseconds: 300,000 lines.
    let old: String = (0..300_000).map(|i| format!("build-{i}/\n")).collect();
    repo.write(".gitignore", &old);
    let new = {
        let plan = repo.guard().args(["fix-gitignore", "--dry-run"]).output().unwrap();
        assert!(plan.status.success());
        let added: Vec<String> = text(&plan.stdout)
            .lines()
            .filter_map(|l| l.strip_prefix('+'))
            .filter(|l| !l.starts_with("++"))
            .map(str::to_owned)
            .collect();
        format!("{old}{}\n", added.join("\n"))
    };
    let mut caught_during_write = 0;
    for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        repo.write(".gitignore", &old);
        let mut child = Command::new(BINARY)
            .args(["-C"])
            .arg(&repo.root)
            .arg("fix-gitignore")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if wait_for_temporary_file(&repo.root, &mut child) {
            caught_during_write += 1;
            // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
            unsafe { libc::kill(child.id() as libc::pid_t, signal) };
        }
        child.wait().unwrap();
        let now = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
        assert!(now == old || now == new, "signal {signal}: the old file or the new one ({} bytes)", now.len());
        assert_eq!(entries(&repo.root), [".git", ".gitignore", "README.md"], "signal {signal}: no temporary file left");
    }
    assert!(caught_during_write > 0, "no signal reached a write in progress");
}

/// Mounts a `tmpfs` of `size` at `dir` (root only); unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> Option<SmallDisk> {
        fs::create_dir_all(dir).unwrap();
        let status =
            Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(dir).status();
        status.is_ok_and(|s| s.success()).then(|| SmallDisk(dir.to_path_buf()))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_keeps_the_old_gitignore() {
    if !is_root() {
        return skip("a full disk needs a small tmpfs, which needs root");
    }
    let outside = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&outside.path().join("disk"), "1m") else {
        return skip("mount -t tmpfs failed");
    };
    let top = disk.0.join("repo");
    let git = |args: &[&str]| {
        let out = Command::new("git").arg("-C").arg(&top).args(args).env("GIT_CONFIG_NOSYSTEM", "1").output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    };
    fs::create_dir_all(&top).unwrap();
    git(&["init", "-q", "--template="]);
    let old: String = (0..2_000).map(|i| format!("dist-{i}/\n")).collect();
    fs::write(top.join(".gitignore"), &old).unwrap();
    // Fill what is left, so the new file cannot be written.
    let mut filler = fs::File::create(disk.0.join("filler")).unwrap();
    while std::io::Write::write_all(&mut filler, &[0; 4096]).is_ok() {}
    drop(filler);
    let output =
        Command::new(BINARY).arg("-C").arg(&top).arg("fix-gitignore").env("GIT_CONFIG_NOSYSTEM", "1").output().unwrap();
    one_line_error(&output, ".gitignore");
    assert!(text(&output.stderr).contains("No space left"), "{}", text(&output.stderr));
    assert_eq!(fs::read_to_string(top.join(".gitignore")).unwrap(), old, "the old file is kept");
    assert_eq!(entries(&top), [".git", ".gitignore"], "no temporary file left");
}

#[test]
fn an_unreadable_gitignore_is_refused_by_the_fix_with_one_line() {
    if !can_run_as_nobody() {
        return skip("another user's view needs root and setpriv");
    }
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "dist/\n");
    repo.give_to_nobody();
    fs::set_permissions(repo.root.join(".gitignore"), fs::Permissions::from_mode(0o000)).unwrap();
    let output = repo.guard_as_nobody().arg("fix-gitignore").output().unwrap();
    one_line_error(&output, ".gitignore");
    assert!(text(&output.stderr).contains("Permission denied"), "{}", text(&output.stderr));
    fs::set_permissions(repo.root.join(".gitignore"), fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(fs::read_to_string(repo.root.join(".gitignore")).unwrap(), "dist/\n", "unchanged");
}

#[test]
fn an_unreadable_gitignore_is_named_by_check_as_git_warns_and_its_rules_left_out() {
    if !can_run_as_nobody() {
        return skip("another user's view needs root and setpriv");
    }
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.py[co]\n");
    repo.write("sub/.gitignore", "!*.pyc\n");
    repo.git(&["add", ".gitignore", "sub/.gitignore"]);
    repo.git(&["commit", "-qm", "rules"]);
    repo.give_to_nobody();
    fs::set_permissions(repo.root.join("sub/.gitignore"), fs::Permissions::from_mode(0o000)).unwrap();

    // git warns and leaves the file's rules out: its negation no longer re-includes.
    let git = repo.git_as_nobody().args(["check-ignore", "-v", "sub/m.pyc"]).output().unwrap();
    assert!(text(&git.stderr).contains("unable to access 'sub/.gitignore'"), "{}", text(&git.stderr));
    assert!(text(&git.stdout).starts_with(".gitignore:2:"), "{}", text(&git.stdout));

    let check = repo.guard_as_nobody().arg("check").output().unwrap();
    assert_eq!(check.status.code(), Some(0), "a warning: {}", text(&check.stderr));
    let report = text(&check.stdout);
    let warnings: Vec<&str> = report.lines().filter(|line| line.contains("sub/.gitignore")).collect();
    assert_eq!(warnings.len(), 1, "{report}");
    assert!(warnings[0].starts_with("sub/.gitignore: warning: cannot read"), "{report}");
    assert!(warnings[0].contains("(Permission denied); its rules are left out"), "{report}");
    assert!(!report.contains("re-includes"), "the negation was not read: {report}");

    let strict = repo.guard_as_nobody().args(["check", "--strict", "--format", "json"]).output().unwrap();
    assert_eq!(strict.status.code(), Some(1), "an error under --strict: {}", text(&strict.stderr));
    assert!(text(&strict.stdout).contains("\"unreadable-ignore-file\""), "{}", text(&strict.stdout));

    // The fix cannot judge what is missing without it: it refuses and changes nothing.
    let fix = repo.guard_as_nobody().arg("fix-gitignore").output().unwrap();
    one_line_error(&fix, "sub/.gitignore");
    assert!(text(&fix.stderr).contains("Permission denied"), "{}", text(&fix.stderr));
    assert_eq!(fs::read_to_string(repo.root.join(".gitignore")).unwrap(), "__pycache__/\n*.py[co]\n");
}

#[test]
fn a_gitignore_that_is_a_fifo_is_refused_by_the_fix_without_blocking() {
    let repo = TestRepo::with_commit();
    let status = Command::new("mkfifo").arg(repo.root.join(".gitignore")).status().unwrap();
    assert!(status.success(), "mkfifo");
    let output = repo.guard().arg("fix-gitignore").timeout(Duration::from_secs(20)).output().unwrap();
    one_line_error(&output, ".gitignore");
    assert!(text(&output.stderr).contains("not a regular file"), "{}", text(&output.stderr));
    // The check reads no rules from it and does not block (git itself would wait for a writer).
    let check = repo.guard().arg("check").timeout(Duration::from_secs(20)).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(text(&check.stdout).contains("do not cover"), "{}", text(&check.stdout));
}

#[test]
fn a_hooks_folder_that_is_not_writable_is_refused_with_one_line() {
    if !can_run_as_nobody() {
        return skip("another user's view needs root and setpriv");
    }
    let repo = TestRepo::with_commit();
    repo.give_to_nobody();
    let hooks = repo.root.join(".git/hooks");
    fs::set_permissions(&hooks, fs::Permissions::from_mode(0o555)).unwrap();
    let before = entries(&hooks);
    let output = repo.guard_as_nobody().arg("install").output().unwrap();
    one_line_error(&output, "hooks");
    assert_eq!(entries(&hooks), before, "nothing written");
}

#[test]
fn a_repository_owned_by_another_user_is_refused_unless_git_trusts_it() {
    if !can_run_as_nobody() {
        return skip("another user's view needs root and setpriv");
    }
    let repo = TestRepo::with_commit();
    repo.stage(&["x.pyc"]);
    let output = repo.guard_as_nobody().arg("check").output().unwrap();
    one_line_error(&output, "safe.directory");
    // As git does, `safe.directory` in the user's own config trusts it.
    let config = repo.home().join(".gitconfig");
    let mut text_config = fs::read_to_string(&config).unwrap();
    text_config.push_str(&format!("[safe]\n\tdirectory = {}\n", repo.root.display()));
    fs::write(&config, text_config).unwrap();
    let output = repo.guard_as_nobody().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(1), "checked and blocked: {}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("x.pyc: error"), "{}", text(&output.stdout));
}
