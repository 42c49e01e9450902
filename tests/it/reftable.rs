//! Repositories whose refs are reftables (`git init --ref-format=reftable`), made
//! explicitly whatever `GIT_DEFAULT_REF_FORMAT` says: every command, the shapes of refs git
//! writes there (stacks of tables, deletions, `pack-refs`, 100,000 refs, a linked worktree's
//! own `HEAD`), and damaged tables (one line, exit 2, naming the file).

use std::fs;

use crate::support::{TestRepo, git_staged_bytecode, one_line_error, text};

/// A reftable repository with one commit (a README).
fn reftable_repo() -> TestRepo {
    let repo = TestRepo::new_with(&["--ref-format=reftable"]);
    assert!(repo.uses_reftable());
    repo.write("README.md", "hello\n");
    repo.git(&["add", "README.md"]);
    repo.git(&["commit", "-q", "-m", "initial"]);
    repo
}

fn rev(repo: &TestRepo, rev: &str) -> String {
    repo.git_stdout(&["rev-parse", rev]).trim().to_owned()
}

/// Exit code of `pycache-guard <args>` (asserting no panic and at most one error line).
fn code(repo: &TestRepo, args: &[&str]) -> i32 {
    let output = repo.guard().args(args).output().unwrap();
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.lines().filter(|l| l.contains("error:")).count() <= 1, "{stderr}");
    output.status.code().unwrap()
}

#[test]
fn the_installed_hook_blocks_bytecode_in_every_kind_of_commit() {
    let repo = reftable_repo();
    repo.install_hook();
    repo.stage(&["a.py"]);
    repo.git(&["commit", "-q", "-m", "clean"]);
    repo.stage(&["pkg/__pycache__/m.cpython-312.pyc"]);
    assert!(!repo.try_git(&["commit", "-q", "-m", "bytecode"]).status.success(), "blocked");
    repo.git(&["rm", "-q", "--cached", "pkg/__pycache__/m.cpython-312.pyc"]);
    // -a, <paths>, --amend.
    repo.commit_bypassing_hooks(&["legacy.pyc"], "legacy");
    repo.write("legacy.pyc", "changed");
    assert!(!repo.try_git(&["commit", "-q", "-a", "-m", "all"]).status.success(), "commit -a blocked");
    assert!(!repo.try_git(&["commit", "-q", "-m", "paths", "legacy.pyc"]).status.success(), "commit <paths> blocked");
    repo.git(&["checkout", "-q", "--", "legacy.pyc"]);
    repo.stage(&["d.py"]);
    repo.git(&["commit", "-q", "-m", "clean again"]);
    repo.stage(&["b.pyc"]);
    assert!(!repo.try_git(&["commit", "-q", "--amend", "-m", "amend"]).status.success(), "--amend blocked");
    repo.git(&["rm", "-q", "--cached", "b.pyc"]);
    repo.git(&["commit", "-q", "--amend", "-m", "amended", "--allow-empty"]);

    // A linked worktree: its own HEAD is in its own stack.
    let other = repo.parent().join("other");
    repo.git(&["worktree", "add", "-q", "-b", "side", other.to_str().unwrap()]);
    fs::write(other.join("c.pyc"), "x").unwrap();
    repo.git_in(&other, &["add", "c.pyc"]);
    assert!(!repo.try_git_in(&other, &["commit", "-q", "-m", "wt"]).status.success(), "blocked in the worktree");
    repo.git_in(&other, &["rm", "-q", "--cached", "c.pyc"]);
    fs::write(other.join("c.py"), "x").unwrap();
    repo.git_in(&other, &["add", "c.py"]);
    repo.git_in(&other, &["commit", "-q", "-m", "wt"]);
    assert_eq!(repo.guard_in(&other).args(["check", "--rev", "HEAD", "-q"]).output().unwrap().status.code(), Some(1));
    assert_eq!(rev(&repo, "side"), repo.git_stdout(&["-C", other.to_str().unwrap(), "rev-parse", "HEAD"]).trim());
}

#[test]
fn revisions_resolve_as_git_resolves_them() {
    let repo = reftable_repo();
    repo.commit_bypassing_hooks(&["x.pyc"], "bytecode");
    repo.git(&["tag", "-a", "v1", "-m", "release"]);
    repo.git(&["rm", "-q", "--cached", "x.pyc"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "gone"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "later"]);
    let short = rev(&repo, "HEAD~2")[..8].to_owned();
    for (spec, expected) in [
        ("HEAD", 0),
        ("main", 0),
        ("HEAD~2", 1),
        ("main~2", 1),
        ("v1", 1),
        ("v1^{commit}", 1),
        (short.as_str(), 1),
        ("HEAD~1", 0),
    ] {
        assert_eq!(code(&repo, &["check", "-q", "--rev", spec]), expected, "--rev {spec}");
    }
    one_line_error(&repo.guard().args(["check", "--rev", "nope"]).output().unwrap(), "nope");
    assert_eq!(code(&repo, &["check", "-q", "--all"]), 0);
    assert_eq!(code(&repo, &["check", "-q", "--range", "HEAD~3..HEAD"]), 1);
    assert_eq!(code(&repo, &["check", "-q", "--range", "v1..HEAD"]), 0);

    // Detached, then an unborn branch.
    fs::remove_file(repo.root.join("x.pyc")).unwrap();
    repo.git(&["checkout", "-q", "--detach", "v1"]);
    assert_eq!(code(&repo, &["check", "-q", "--rev", "HEAD"]), 1);
    repo.git(&["checkout", "-q", "--orphan", "fresh"]);
    repo.git(&["rm", "-q", "-r", "--cached", "."]);
    repo.stage(&["new.pyc"]);
    assert_eq!(code(&repo, &["check", "-q"]), 1, "the staged check on an unborn branch");
    assert_eq!(git_staged_bytecode(&repo).len(), 1);
}

#[test]
fn a_clone_reads_origin_head_and_its_remote_tracking_branches() {
    let upstream = reftable_repo();
    for i in 0..3 {
        upstream.git(&["commit", "-q", "--allow-empty", "-m", &format!("c{i}")]);
    }
    let clone = upstream.clone_with(&["--ref-format=reftable"]);
    assert!(clone.uses_reftable());
    assert_eq!(rev(&clone, "origin/HEAD"), rev(&upstream, "main"));
    clone.commit_bypassing_hooks(&["y.pyc"], "bytecode");
    assert_eq!(code(&clone, &["check", "-q", "--range", "origin/main~2..HEAD"]), 1);
    assert_eq!(code(&clone, &["check", "-q", "--rev", "origin/main~2"]), 0);

    // A real push through the installed pre-push hook, and --remote.
    clone.guard().args(["install", "--pre-push"]).assert().success();
    let blocked = clone.try_git(&["push", "-q", "origin", "HEAD:refs/heads/topic"]);
    assert!(!blocked.status.success(), "{}", text(&blocked.stderr));
    assert!(upstream.try_git(&["rev-parse", "--verify", "-q", "refs/heads/topic"]).stdout.is_empty());
    let input = format!("refs/heads/main {} refs/heads/main {}\n", rev(&clone, "HEAD"), rev(&clone, "origin/main"));
    let output =
        clone.guard().args(["check", "-q", "--pre-push", "--remote", "origin"]).write_stdin(input).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    clone.git(&["reset", "-q", "--hard", "origin/main"]);
    clone.git(&["commit", "-q", "--allow-empty", "-m", "clean"]);
    clone.git(&["push", "-q", "origin", "HEAD:refs/heads/topic"]);
    assert_eq!(rev(&upstream, "topic"), rev(&clone, "HEAD"));
}

#[test]
fn the_commands_that_write_work_and_git_agrees_afterwards() {
    let repo = reftable_repo();
    repo.commit_bypassing_hooks(&["pkg/__pycache__/m.cpython-312.pyc", "pkg/m.py"], "legacy");
    repo.guard().args(["fix-gitignore", "--untrack"]).assert().success();
    assert!(git_staged_bytecode(&repo).is_empty());
    repo.git(&["commit", "-q", "-m", "untracked"]);
    repo.stage(&["z.pyc"]);
    assert_eq!(code(&repo, &["check", "--fix", "-q"]), 0);
    assert!(git_staged_bytecode(&repo).is_empty());
    repo.git(&["fsck", "--strict", "--no-progress"]);
    repo.git(&["write-tree"]);
    repo.git(&["status", "--porcelain"]);
    fs::create_dir_all(repo.root.join("pkg/__pycache__")).unwrap();
    repo.write("pkg/__pycache__/n.cpython-312.pyc", "x");
    repo.guard().args(["clean"]).assert().success();
    assert!(!repo.root.join("pkg/__pycache__/n.cpython-312.pyc").exists());
    repo.guard().args(["install"]).assert().success();
    repo.guard().args(["uninstall"]).assert().success();
}

/// git without its automatic compaction of the stack (git's own test switch), so that each
/// update leaves a table of its own.
fn git_keeping_tables(repo: &TestRepo, args: &[&str]) {
    let output =
        repo.git_command_in(&repo.root).env("GIT_TEST_REFTABLE_AUTOCOMPACTION", "false").args(args).output().unwrap();
    assert!(output.status.success(), "git {args:?}: {}", text(&output.stderr));
}

#[test]
fn a_stack_of_many_tables_with_deletions_then_pack_refs_then_100000_refs() {
    let repo = reftable_repo();
    repo.commit_bypassing_hooks(&["x.pyc"], "bytecode");
    let head = rev(&repo, "HEAD");
    let first = rev(&repo, "HEAD~1");
    for i in 0..30 {
        git_keeping_tables(&repo, &["branch", &format!("b{i:02}"), if i % 2 == 0 { &head } else { &first }]);
        if i % 3 == 0 {
            git_keeping_tables(&repo, &["branch", "-D", &format!("b{i:02}")]);
        }
    }
    git_keeping_tables(&repo, &["branch", "-f", "b01", &head]);
    let tables = || fs::read_to_string(repo.root.join(".git/reftable/tables.list")).unwrap().lines().count();
    assert!(tables() > 30, "a stack of tables");
    assert_eq!(code(&repo, &["check", "-q", "--rev", "b01"]), 1, "updated to the bytecode commit");
    assert_eq!(code(&repo, &["check", "-q", "--rev", "b03"]), 2, "deleted");
    assert_eq!(code(&repo, &["check", "-q", "--rev", "b05"]), 0);
    repo.git(&["pack-refs", "--all"]);
    assert_eq!(tables(), 1);
    assert_eq!(code(&repo, &["check", "-q", "--rev", "b01"]), 1);
    assert_eq!(code(&repo, &["check", "-q", "--rev", "b03"]), 2);

    let input: String = (0..100_000).map(|i| format!("create refs/tags/t{i:06} {first}\n")).collect();
    repo.git_with_input(&["update-ref", "--stdin"], &input);
    assert_eq!(code(&repo, &["check", "-q", "--rev", "t054321"]), 0);
    assert_eq!(code(&repo, &["check", "-q", "--rev", "b01"]), 1);
    repo.stage(&["w.pyc"]);
    assert_eq!(code(&repo, &["check", "-q"]), 1);
    repo.git(&["pack-refs", "--all"]);
    assert_eq!(code(&repo, &["check", "-q", "--rev", "t099999"]), 0);
    assert_eq!(code(&repo, &["check", "-q"]), 1);
}

/// The newest table's file (the one `tables.list` names last).
fn newest_table(repo: &TestRepo) -> std::path::PathBuf {
    let list = fs::read_to_string(repo.root.join(".git/reftable/tables.list")).unwrap();
    repo.root.join(".git/reftable").join(list.lines().last().unwrap())
}

#[test]
fn a_damaged_table_is_one_line_naming_it_and_exit_2() {
    let repo = reftable_repo();
    repo.stage(&["a.pyc"]);
    let table = newest_table(&repo);
    let whole = fs::read(&table).unwrap();
    let name = table.file_name().unwrap().to_str().unwrap().to_owned();
    type Damage = fn(&mut Vec<u8>);
    let damages: [(&str, Damage); 4] = [
        ("magic", |b| b[0] = b'X'),
        ("version", |b| b[4] = 9),
        ("crc", |b| {
            let at = b.len() - 6;
            b[at] ^= 1;
        }),
        ("truncated", |b| b.truncate(b.len() / 2)),
    ];
    for (what, damage) in damages {
        let mut bytes = whole.clone();
        damage(&mut bytes);
        fs::write(&table, bytes).unwrap();
        for args in [&["check"][..], &["check", "--all"], &["check", "--rev", "HEAD"], &["fix-gitignore", "--dry-run"]]
        {
            let output = repo.guard().args(args).output().unwrap();
            one_line_error(&output, &name);
            assert!(text(&output.stderr).contains("reftable"), "{what}: {}", text(&output.stderr));
        }
    }
    fs::write(&table, &whole).unwrap();
    assert_eq!(code(&repo, &["check", "-q"]), 1, "restored");

    let list = repo.root.join(".git/reftable/tables.list");
    let before = fs::read_to_string(&list).unwrap();
    fs::write(&list, format!("{before}0x000000000099-0x000000000099-deadbeef.ref\n")).unwrap();
    one_line_error(&repo.guard().arg("check").output().unwrap(), "0x000000000099-0x000000000099-deadbeef.ref");
    fs::write(&list, before).unwrap();

    // HEAD naming itself through two refs.
    repo.git(&["symbolic-ref", "refs/heads/loop1", "refs/heads/loop2"]);
    repo.git(&["symbolic-ref", "refs/heads/loop2", "refs/heads/loop1"]);
    one_line_error(&repo.guard().args(["check", "--rev", "loop1"]).output().unwrap(), "circle");
}

#[test]
fn an_unknown_ref_storage_is_one_line_and_exit_2() {
    let repo = reftable_repo();
    repo.git(&["config", "extensions.refStorage", "rocksdb"]);
    for args in [&["check"][..], &["check", "--all"], &["install"]] {
        one_line_error(&repo.guard().args(args).output().unwrap(), "rocksdb");
    }
}
