//! The fix inside a real `git commit`: `--fix` in every commit mode, and the terminal offer
//! answered through a pseudo-terminal.

use std::fs;

use crate::support::{TestRepo, commit_passes, text};

/// A pre-commit hook that applies the fix without asking.
fn install_fixing_hook(repo: &TestRepo) {
    repo.write_hook("pre-commit", "#!/bin/sh\nexec pycache-guard check --fix\n");
}

fn no_bytecode_in_head(repo: &TestRepo) {
    let committed = repo.committed_paths();
    let bytecode: Vec<&String> = committed.iter().filter(|p| pycache_guard::classify(p.as_bytes()).is_some()).collect();
    assert!(bytecode.is_empty(), "HEAD holds bytecode: {bytecode:?}");
    assert!(committed.contains(&".gitignore".to_owned()), "the .gitignore change is committed: {committed:?}");
}

#[test]
fn plain_commit_goes_on_without_the_bytecode() {
    let repo = TestRepo::with_commit();
    install_fixing_hook(&repo);
    repo.stage(&["pkg/__pycache__/m.cpython-312.pyc", "pkg/a.py"]);
    let stderr = commit_passes(&repo, &["commit", "-q", "-m", "x"]);
    assert!(stderr.contains("untracked 1 bytecode file; it stays"), "{stderr}");
    no_bytecode_in_head(&repo);
    assert!(repo.committed_paths().contains(&"pkg/a.py".to_owned()));
    assert!(repo.root.join("pkg/__pycache__/m.cpython-312.pyc").exists(), "the file stays on disk");
    assert_eq!(repo.git_stdout(&["status", "--porcelain"]), "", "nothing left staged or untracked");
}

#[test]
fn the_fix_untracks_legacy_bytecode_too_but_not_allow_listed_files() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["legacy/old.pyc", "fixtures/golden.pyc"], "legacy");
    repo.write(".pycache-guard.toml", "allow = [\"fixtures/*.pyc\"]\n");
    repo.git(&["add", ".pycache-guard.toml"]);
    install_fixing_hook(&repo);
    repo.stage(&["new.pyc", "a.py"]);
    let stderr = commit_passes(&repo, &["commit", "-q", "-m", "x"]);
    assert!(stderr.contains("untracked 2 bytecode files;"), "{stderr}");
    let committed = repo.committed_paths();
    assert!(!committed.contains(&"legacy/old.pyc".to_owned()) && !committed.contains(&"new.pyc".to_owned()));
    assert!(committed.contains(&"fixtures/golden.pyc".to_owned()), "allow-listed: {committed:?}");
    assert!(repo.root.join("legacy/old.pyc").exists());
}

#[test]
fn commit_all_untracks_modified_legacy_bytecode() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["old.pyc", "a.py"], "legacy");
    install_fixing_hook(&repo);
    repo.write("old.pyc", "changed");
    repo.write("a.py", "changed");
    commit_passes(&repo, &["commit", "-q", "-a", "-m", "x"]);
    no_bytecode_in_head(&repo);
    assert!(repo.root.join("old.pyc").exists());
    assert_eq!(repo.git_stdout(&["ls-files", "old.pyc"]), "", "untracked in the index git installs");
}

#[test]
fn partial_commit_fixes_the_commit_and_the_users_index() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["x.pyc", "a.py"], "legacy");
    install_fixing_hook(&repo);
    repo.write("x.pyc", "changed");
    repo.write("a.py", "changed");
    commit_passes(&repo, &["commit", "-q", "-m", "x", "--", "x.pyc", "a.py"]);
    no_bytecode_in_head(&repo);
    assert_eq!(repo.git_stdout(&["ls-files", "x.pyc"]), "", "not staged in the user's index afterwards");
    assert_eq!(repo.git_stdout(&["status", "--porcelain"]), "", "index and HEAD agree");
}

#[test]
fn amend_drops_bytecode_the_amended_commit_brought() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["sneaked.pyc", "a.py"], "bypassed");
    install_fixing_hook(&repo);
    commit_passes(&repo, &["commit", "-q", "--amend", "--no-edit"]);
    no_bytecode_in_head(&repo);
    assert_eq!(repo.git_stdout(&["rev-list", "--count", "HEAD"]), "2\n", "amended, not added");
}

#[test]
fn commit_left_empty_is_stopped() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    install_fixing_hook(&repo);
    repo.stage(&["only.pyc"]);
    let head = repo.head();
    let output = repo.try_git(&["commit", "-q", "-m", "x"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("nothing is left to commit"), "{}", text(&output.stderr));
    assert_eq!(repo.head(), head);
    assert!(repo.root.join("only.pyc").exists());
}

#[test]
fn under_the_pre_commit_framework_the_index_is_never_edited() {
    let repo = TestRepo::with_commit();
    repo.stage(&["x.pyc"]);
    let index = fs::read(repo.root.join(".git/index")).unwrap();
    repo.guard().args(["check", "--fix"]).env("PRE_COMMIT", "1").assert().code(1);
    assert_eq!(fs::read(repo.root.join(".git/index")).unwrap(), index);
    assert!(!repo.root.join(".gitignore").exists());
}

#[cfg(unix)] // a pseudo-terminal (rexpect) exists only on Unix
/// `git commit` in a pseudo-terminal with the native hook, answering the offer.
pub(crate) fn commit_answering(repo: &TestRepo, answer: &str) -> (i32, String) {
    // The shell reports git's exit code in the transcript.
    let mut command = repo.git_command_in(&repo.root);
    command.env_remove("CI").args(["-c", "alias.x=!git commit -q -m x; echo git-exit=$?", "x"]);
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).expect("spawn git in a pty");
    let seen = session.exp_string("Untrack 1 file and add the ignore rules? [y/N]").expect("the offer is made");
    session.send_line(answer).unwrap();
    let (rest, code) = session.exp_regex(r"git-exit=\d+").expect("git finishes");
    let code = code.trim_start_matches("git-exit=").parse().unwrap();
    (code, format!("{seen}{rest}"))
}

#[cfg(unix)] // a pseudo-terminal (rexpect) exists only on Unix
/// `pycache-guard check` itself in a pseudo-terminal, with `args` and `env`, through `sh`
/// so the transcript ends with its exit code. Returns the code and everything printed.
fn check_at_a_terminal(repo: &TestRepo, args: &str, env: &[(&str, &str)]) -> (i32, String) {
    let mut command = repo.git_command_in(&repo.root);
    command.env_remove("CI");
    for (name, value) in env {
        command.env(name, value);
    }
    let script = format!("!{} check {args}; echo guard-exit=$?", crate::support::BINARY);
    command.args(["-c", &format!("alias.x={script}"), "x"]);
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).expect("spawn in a pty");
    let (seen, code) = session.exp_regex(r"guard-exit=\d+").expect("the check finishes without waiting for input");
    (code.trim_start_matches("guard-exit=").parse().unwrap(), seen)
}

#[cfg(unix)] // a pseudo-terminal (rexpect) exists only on Unix
#[test]
fn at_a_terminal_no_prompt_and_ci_print_the_command_instead_of_asking() {
    let repo = TestRepo::with_commit();
    repo.stage(&["x.pyc"]);
    let staged = repo.git_stdout(&["ls-files", "--stage"]);
    for (args, env) in [("--no-prompt", &[][..]), ("", &[("CI", "true")][..])] {
        let (code, transcript) = check_at_a_terminal(&repo, args, env);
        assert_eq!(code, 1, "{args} {env:?}: {transcript}");
        assert!(!transcript.contains("[y/N]"), "{args} {env:?} must not ask: {transcript}");
        assert!(transcript.contains("git rm --cached -- x.pyc"), "{args} {env:?}: {transcript}");
        assert_eq!(repo.git_stdout(&["ls-files", "--stage"]), staged, "{args} {env:?} changed the index");
    }
    // The same terminal without either: the offer is made (so the test can tell).
    let mut command = repo.git_command_in(&repo.root);
    command.env_remove("CI").args(["-c", &format!("alias.x=!{} check", crate::support::BINARY), "x"]);
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).expect("spawn in a pty");
    session.exp_string("Untrack 1 file and add the ignore rules? [y/N]").expect("the offer is made");
    session.send_line("n").unwrap();
    session.exp_eof().expect("the check ends");
}

#[cfg(unix)] // a pseudo-terminal (rexpect) exists only on Unix
#[test]
fn terminal_offer_answered_yes_fixes_and_the_commit_goes_on() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.stage(&["pkg/__pycache__/m.cpython-312.pyc", "pkg/a.py"]);
    let (code, transcript) = commit_answering(&repo, "y");
    assert_eq!(code, 0, "{transcript}");
    no_bytecode_in_head(&repo);
    assert!(repo.root.join("pkg/__pycache__/m.cpython-312.pyc").exists());
}

#[cfg(unix)] // a pseudo-terminal (rexpect) exists only on Unix
#[test]
fn terminal_offer_answered_no_changes_nothing_and_blocks() {
    let repo = TestRepo::with_commit();
    repo.install_hook();
    repo.stage(&["x.pyc"]);
    let head = repo.head();
    // git itself rewrites the index's cache extensions during a commit: compare the entries.
    let staged = repo.git_stdout(&["ls-files", "--stage"]);
    let (code, transcript) = commit_answering(&repo, "n");
    assert_eq!(code, 1, "{transcript}");
    assert_eq!(repo.head(), head);
    assert_eq!(repo.git_stdout(&["ls-files", "--stage"]), staged);
    assert!(!repo.root.join(".gitignore").exists());
}

#[test]
fn what_the_fix_cannot_mend_still_blocks() {
    // A negation that re-includes bytecode is the user's to decide: under --strict it is an
    // error the fix leaves alone, so the check must not pass after fixing the rest.
    let repo = TestRepo::with_commit();
    repo.commit_gitignore("__pycache__/\n*.py[cod]\n!keep.pyc\n");
    repo.stage(&["a.pyc"]);
    let output = repo.guard().args(["check", "--fix", "--strict"]).output().unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("untracked 1 bytecode file; it stays"), "{stderr}");
    assert!(stderr.contains("1 error remains after the fix"), "{stderr}");
    assert!(!repo.git_stdout(&["ls-files"]).contains("a.pyc"), "the bytecode was untracked");
    // Without --strict the negation is a warning: the fixed check passes.
    repo.stage(&["b.pyc"]);
    repo.guard().args(["check", "--fix"]).assert().success();
}

#[cfg(unix)] // a pseudo-terminal (rexpect) exists only on Unix
#[test]
fn the_offer_names_the_ignore_rules_only_when_it_will_add_some() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.stage(&["x.pyc"]);
    let mut command = repo.git_command_in(&repo.root);
    command.env_remove("CI").args(["-c", &format!("alias.x=!{} check", crate::support::BINARY), "x"]);
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).expect("spawn in a pty");
    let (before, asked) = session.exp_regex(r"Untrack 1 file[^\r\n]*\[y/N\]").expect("the offer is made");
    assert_eq!(asked, "Untrack 1 file? [y/N]", "{before}");
    session.send_line("n").unwrap();
    session.exp_eof().expect("the check ends");
}
