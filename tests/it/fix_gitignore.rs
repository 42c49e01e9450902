//! `fix-gitignore`: the smallest change, judged by git, written safely; `--untrack`.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use predicates::prelude::*;

use crate::support::{TestRepo, git_ignores, one_line_error, text};

const BLOCK: &str = "# Python bytecode (added by pycache-guard)\n";

#[test]
fn adds_the_block_to_a_new_gitignore_and_git_then_ignores_bytecode() {
    let repo = TestRepo::with_commit();
    for path in ["pkg/__pycache__/m.cpython-312.pyc", "m.pyc", "deep/er/m.pyo", "x$py.class", "a.pyc/b.py"] {
        repo.write(path, "x");
    }
    let output = repo.guard().arg("fix-gitignore").assert().success().get_output().clone();
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("--- /dev/null\n+++ b/.gitignore\n"), "{stdout}");
    assert!(stdout.contains("+__pycache__/\n"), "{stdout}");
    let written = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
    assert!(written.starts_with(BLOCK), "{written}");
    for path in ["pkg/__pycache__/m.cpython-312.pyc", "pkg/__pycache__", "m.pyc", "deep/er/m.pyo", "x$py.class"] {
        assert!(git_ignores(&repo, path), "{path} should be ignored");
    }
    assert!(!git_ignores(&repo, "a.pyc/b.py"), "a folder named a.pyc is not bytecode");
    assert_eq!(fs::metadata(repo.root.join(".gitignore")).unwrap().permissions().mode() & 0o777, 0o644);
}

#[test]
fn second_run_changes_nothing_and_says_so() {
    let repo = TestRepo::with_commit();
    repo.guard().arg("fix-gitignore").assert().success();
    let first = fs::read(repo.root.join(".gitignore")).unwrap();
    repo.guard()
        .arg("fix-gitignore")
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("nothing to change"));
    assert_eq!(fs::read(repo.root.join(".gitignore")).unwrap(), first);
    repo.guard().args(["fix-gitignore", "--check"]).assert().success();
}

#[test]
fn existing_template_rules_count() {
    let repo = TestRepo::with_commit();
    let template = "# Byte-compiled / optimized / DLL files\n__pycache__/\n*.py[codz]\n*$py.class\n";
    repo.write(".gitignore", template);
    repo.guard().arg("fix-gitignore").assert().success().stdout("");
    assert_eq!(fs::read_to_string(repo.root.join(".gitignore")).unwrap(), template);
}

#[test]
fn every_byte_is_kept_crlf_bom_mode_and_final_newline() {
    let repo = TestRepo::with_commit();
    let old = b"\xef\xbb\xbfnode_modules/\r\n*.log\r\n# no final newline\r\ndist";
    fs::write(repo.root.join(".gitignore"), old).unwrap();
    fs::set_permissions(repo.root.join(".gitignore"), fs::Permissions::from_mode(0o640)).unwrap();
    repo.guard().arg("fix-gitignore").assert().success();
    let new = fs::read(repo.root.join(".gitignore")).unwrap();
    assert!(new.starts_with(old), "old bytes are a prefix");
    let added = String::from_utf8(new[old.len()..].to_vec()).unwrap();
    assert!(added.starts_with("\r\n# Python bytecode"), "{added:?}");
    assert!(added.split_inclusive('\n').all(|l| l.ends_with("\r\n")), "CRLF kept: {added:?}");
    assert_eq!(fs::metadata(repo.root.join(".gitignore")).unwrap().permissions().mode() & 0o777, 0o640);
}

#[test]
fn block_goes_before_a_negation_so_it_still_wins() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "build/\n!tests/fixtures/*.pyc\n");
    repo.write("tests/fixtures/keep.pyc", "x");
    assert!(!git_ignores(&repo, "tests/fixtures/keep.pyc"));
    repo.guard().arg("fix-gitignore").assert().success();
    let written = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
    assert!(written.starts_with(&format!("build/\n{BLOCK}")), "{written}");
    assert!(written.ends_with("!tests/fixtures/*.pyc\n"), "{written}");
    assert!(!git_ignores(&repo, "tests/fixtures/keep.pyc"), "the negation still wins");
    assert!(git_ignores(&repo, "tests/other.pyc"));
}

#[test]
fn pycache_rule_that_would_override_a_nested_negation_is_left_out_and_named() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "*.pyo\n");
    repo.write("tests/.gitignore", "!*.pyc\n");
    repo.git(&["add", "tests/.gitignore"]);
    repo.write("tests/__pycache__/t.cpython-312.pyc", "x");
    let output = repo.guard().arg("fix-gitignore").assert().success().get_output().clone();
    let stderr = text(&output.stderr);
    assert!(stderr.contains("left out __pycache__/: it would override the negation tests/.gitignore:1"), "{stderr}");
    assert!(!fs::read_to_string(repo.root.join(".gitignore")).unwrap().contains("__pycache__/"));
    assert!(!git_ignores(&repo, "tests/__pycache__/t.cpython-312.pyc"), "still re-included");
    assert!(git_ignores(&repo, "m.pyc"), "the rest was added");
    assert!(git_ignores(&repo, "__pycache__/m.cpython-312.pyc"), "*.py[co] covers what Python writes there");
    // The audit names the negation that kept the rule out, and nothing is missing: the fix
    // cannot do more, and `--check` agrees.
    let audit = repo.guard().args(["check", "--all", "--strict"]).assert().code(1).get_output().clone();
    let stdout = text(&audit.stdout);
    assert!(stdout.contains("tests/.gitignore:1: error: rule \"!*.pyc\" re-includes Python bytecode"), "{stdout}");
    assert!(!stdout.contains("do not cover"), "{stdout}");
    repo.guard().args(["fix-gitignore", "--check"]).assert().success();
}

#[test]
fn dry_run_and_check_write_nothing() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "dist/\n");
    repo.guard().args(["fix-gitignore", "--dry-run"]).assert().success().stdout(predicate::str::contains("+*.py[co]"));
    repo.guard().args(["fix-gitignore", "--check"]).assert().code(1);
    assert_eq!(fs::read_to_string(repo.root.join(".gitignore")).unwrap(), "dist/\n");
}

#[test]
fn file_option_targets_a_nested_gitignore() {
    let repo = TestRepo::with_commit();
    fs::create_dir_all(repo.root.join("src")).unwrap();
    let sub = repo.root.join("src");
    repo.guard_in(&sub).args(["fix-gitignore", "--file", ".gitignore"]).assert().success();
    assert!(repo.root.join("src/.gitignore").exists());
    assert!(!repo.root.join(".gitignore").exists());
    repo.write("src/pkg/__pycache__/m.pyc", "x");
    assert!(git_ignores(&repo, "src/pkg/__pycache__/m.pyc"));
    repo.guard().args(["fix-gitignore", "--file", "notes.txt"]).assert().code(2);
    repo.guard().args(["fix-gitignore", "--file", "../outside/.gitignore"]).assert().code(2);
}

/// The refusals: exit 2, one line naming the file, and not a byte changed anywhere.
fn refuses(repo: &TestRepo, args: &[&str], names: &str) {
    let gitignore =
        fs::symlink_metadata(repo.root.join(".gitignore")).ok().map(|_| fs::read(repo.root.join(".gitignore")).ok());
    let index = fs::read(repo.root.join(".git/index")).unwrap();
    let output = repo.guard().args(args).output().unwrap();
    one_line_error(&output, names);
    let after =
        fs::symlink_metadata(repo.root.join(".gitignore")).ok().map(|_| fs::read(repo.root.join(".gitignore")).ok());
    assert_eq!(after, gitignore, ".gitignore unchanged");
    assert_eq!(fs::read(repo.root.join(".git/index")).unwrap(), index, "index unchanged");
}

#[test]
fn refuses_a_symlink_out_of_the_repository() {
    let repo = TestRepo::with_commit();
    let outside = repo.parent().join("outside-rules");
    fs::write(&outside, "secret\n").unwrap();
    std::os::unix::fs::symlink(&outside, repo.root.join(".gitignore")).unwrap();
    refuses(&repo, &["fix-gitignore"], "symlink");
    assert_eq!(fs::read_to_string(&outside).unwrap(), "secret\n");
}

#[test]
fn refuses_a_folder() {
    let repo = TestRepo::with_commit();
    fs::create_dir(repo.root.join(".gitignore")).unwrap();
    refuses(&repo, &["fix-gitignore"], "folder");
}

#[test]
fn refuses_a_read_only_file() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "dist/\n");
    fs::set_permissions(repo.root.join(".gitignore"), fs::Permissions::from_mode(0o444)).unwrap();
    refuses(&repo, &["fix-gitignore"], "read-only");
}

#[test]
fn refuses_to_untrack_while_the_index_is_locked() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["old.pyc"], "legacy");
    fs::write(repo.root.join(".git/index.lock"), "").unwrap();
    refuses(&repo, &["fix-gitignore", "--untrack"], "index.lock");
    assert!(!repo.root.join(".gitignore").exists());
}

#[test]
fn untrack_keeps_files_on_disk_and_git_then_shows_them_ignored() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["old.pyc", "pkg/__pycache__/m.cpython-311.pyc", "pkg/mod.py"], "legacy");
    let output = repo.guard().args(["fix-gitignore", "--untrack"]).assert().success().get_output().clone();
    assert!(text(&output.stderr).contains("untracked 2 bytecode files;"), "{}", text(&output.stderr));
    assert_eq!(repo.git_stdout(&["ls-files"]), "README.md\npkg/mod.py\n");
    assert!(repo.root.join("old.pyc").exists() && repo.root.join("pkg/__pycache__/m.cpython-311.pyc").exists());
    let status = repo.git_stdout(&["status", "--porcelain", "--ignored"]);
    assert!(status.contains("!! old.pyc\n"), "{status}");
    assert!(status.contains("!! pkg/__pycache__/\n"), "{status}");
    assert!(status.contains("D  old.pyc\n"), "the removal is staged: {status}");
}

#[test]
fn untrack_keeps_allow_listed_files_tracked() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["old.pyc", "fixtures/golden.pyc"], "legacy");
    repo.write(".pycache-guard.toml", "allow = [\"fixtures/*.pyc\"]\n");
    let output = repo.guard().args(["fix-gitignore", "--untrack"]).assert().success().get_output().clone();
    assert!(text(&output.stderr).contains("untracked 1 bytecode file; it stays"), "{}", text(&output.stderr));
    assert_eq!(repo.git_stdout(&["ls-files", "--", "*.pyc"]), "fixtures/golden.pyc\n");
    // Nothing left to do: `--check` passes although the fixture is still tracked.
    repo.guard().args(["fix-gitignore", "--check", "--untrack"]).assert().success();
}

#[test]
fn the_printed_diff_is_the_one_git_prints() {
    for old in ["", "dist/", "a\nb\nc\nd\ne\nf\n", "build/\n!keep.pyc\nx\ny\nz\nw\n", "\u{feff}dist/\r\n"] {
        let repo = TestRepo::with_commit();
        if !old.is_empty() {
            repo.write(".gitignore", old);
        }
        let dry = repo.guard().args(["fix-gitignore", "--dry-run"]).assert().success().get_output().clone();
        repo.guard().arg("fix-gitignore").assert().success();
        fs::rename(repo.root.join(".gitignore"), repo.root.join("new")).unwrap();
        fs::write(repo.root.join("old"), old).unwrap();
        let git = repo.try_git(&["diff", "--no-index", "--no-color", "-U3", "old", "new"]);
        let git = text(&git.stdout);
        // git adds the hunk's "function" (the line above it) after the ranges: not ours.
        let header = |line: &str| line.match_indices(" @@").next().map_or(line, |(end, _)| &line[..end + 3]).to_owned();
        let hunk = |diff: &str| {
            let lines = diff.lines().skip_while(|l| !l.starts_with("@@"));
            lines.map(|l| if l.starts_with("@@") { header(l) } else { l.to_owned() }).collect::<Vec<_>>().join("\n")
        };
        assert_eq!(hunk(&text(&dry.stdout)), hunk(&git), "{old:?}");
    }
}

/// A deeper `.gitignore` whose ordinary negation `!*` decides the bytecode below it: the top
/// file cannot reach that, so the fix adds its block once and names what stays unignored,
/// and a second run writes nothing (it used to append the block again on every run).
/// `--check` fails exactly when `check --all --strict` does: for a tracked deeper file the
/// audit keeps reporting what only that file can fix; an untracked one the audit does not read.
fn deeper_catch_all_negation_is_fixed_once(tracked: bool) {
    let repo = TestRepo::with_commit();
    repo.write("tests/.gitignore", "!*\n");
    if tracked {
        repo.git(&["add", "tests/.gitignore"]);
        repo.git(&["commit", "-q", "--no-verify", "-m", "tests rules"]);
    }
    let audit_code =
        |repo: &TestRepo| repo.guard().args(["check", "--all", "--strict"]).output().unwrap().status.code();
    let check = |repo: &TestRepo| repo.guard().args(["fix-gitignore", "--check"]).output().unwrap();
    assert_eq!(audit_code(&repo), Some(1), "the top rules are missing");
    assert_eq!(check(&repo).status.code(), Some(1));

    let first = repo.guard().arg("fix-gitignore").assert().success().get_output().clone();
    let stderr = text(&first.stderr);
    let unreached = r#"tests/m.pyc stays unignored: tests/.gitignore:1 "!*" decides it, and a deeper .gitignore wins"#;
    assert!(stderr.contains(unreached), "{stderr}");
    assert!(stderr.contains("updated .gitignore"), "{stderr}");
    let written = fs::read(repo.root.join(".gitignore")).unwrap();
    assert_eq!(text(&written).matches(BLOCK).count(), 1, "{}", text(&written));
    for path in ["m.pyc", "m.pyo", "x$py.class", "pkg/m.pyc", "__pycache__/m.cpython-312.pyc", "pkg/__pycache__/m.pyc"]
    {
        assert!(git_ignores(&repo, path), "{path} should be ignored");
    }
    for path in ["tests/m.pyc", "tests/__pycache__/m.cpython-312.pyc", "tests/pkg/m.pyo"] {
        assert!(!git_ignores(&repo, path), "{path}: the deeper `!*` wins");
    }

    // Again: not a byte more, and it says why.
    for _ in 0..2 {
        let again = repo.guard().arg("fix-gitignore").assert().success().stdout("").get_output().clone();
        let stderr = text(&again.stderr);
        assert!(stderr.contains("nothing to change"), "{stderr}");
        assert!(stderr.contains(unreached), "{stderr}");
        assert!(!stderr.contains("updated"), "{stderr}");
        assert_eq!(fs::read(repo.root.join(".gitignore")).unwrap(), written);
    }
    repo.guard().args(["fix-gitignore", "--dry-run"]).assert().success().stdout("");

    // `--check` agrees with the audit, prints no diff, and names what stays unignored.
    let audit = audit_code(&repo);
    assert_eq!(audit, Some(if tracked { 1 } else { 0 }));
    let checked = check(&repo);
    assert_eq!(checked.status.code(), audit, "{}", text(&checked.stderr));
    assert_eq!(text(&checked.stdout), "", "no diff: a run would write nothing");
    assert!(text(&checked.stderr).contains(unreached), "{}", text(&checked.stderr));
    assert_eq!(fs::read(repo.root.join(".gitignore")).unwrap(), written);

    // Fixing the deeper file too leaves nothing missing anywhere.
    repo.guard().args(["fix-gitignore", "--file", "tests/.gitignore"]).assert().success();
    assert!(git_ignores(&repo, "tests/m.pyc"));
    assert!(git_ignores(&repo, "tests/__pycache__/m.cpython-312.pyc"));
    repo.guard().args(["fix-gitignore", "--check"]).assert().success();
    repo.guard().args(["check", "--all", "--strict"]).assert().success();
}

#[test]
fn a_tracked_deeper_catch_all_negation_is_named_and_the_block_added_once() {
    deeper_catch_all_negation_is_fixed_once(true);
}

#[test]
fn an_untracked_deeper_catch_all_negation_is_named_and_the_block_added_once() {
    deeper_catch_all_negation_is_fixed_once(false);
}
