//! `check --staged`, `--all`, `--rev` and `PATHS`, compared with git's own answers.

use predicates::prelude::*;

use crate::support::{TestRepo, git_staged_bytecode, text};

/// The paths of the error lines of human output (rule warnings left out).
fn error_paths(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.contains(": error: ")).map(|l| l.split(": error: ").next().unwrap()).collect()
}

fn json_like_findings(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter(|line| line.contains(": error: "))
        .map(|line| {
            let (path, rest) = line.split_once(": error: ").expect("finding line");
            let status = if rest.starts_with("new ") { "A" } else { "M" };
            (status.to_owned(), path.to_owned())
        })
        .collect()
}

#[test]
fn staged_check_agrees_with_git_diff_cached() {
    staged_check_agrees_with_git(HeadObjects::Loose);
}

#[test]
fn staged_check_agrees_with_git_diff_cached_when_head_is_packed() {
    staged_check_agrees_with_git(HeadObjects::Packed);
}

/// How `HEAD`'s commit and trees are stored: the check reads them itself (src/objects).
#[derive(PartialEq)]
enum HeadObjects {
    Loose,
    Packed,
}

fn staged_check_agrees_with_git(head: HeadObjects) {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(
        &["keep.pyc", "mod.pyc", "gone.pyc", "chmod.pyo", "pkg/__pycache__/a.cpython-311.pyc", "lib/x$py.class"],
        "legacy",
    );
    if head == HeadObjects::Packed {
        repo.git(&["repack", "-a", "-d", "-q"]);
        repo.git(&["prune-packed"]);
        assert!(repo.git_stdout(&["count-objects"]).starts_with("0 objects"), "every object is packed");
    }
    repo.stage(&["new.pyc", "NEW.PYO", "pkg/__pycache__/b.pyc", "pkg/__pycache__.py", "x.pyc.txt", "ok.py"]);
    repo.write("mod.pyc", "modified");
    repo.git(&["add", "mod.pyc"]);
    repo.git(&["rm", "-q", "--cached", "gone.pyc"]);
    repo.git(&["update-index", "--chmod=+x", "chmod.pyo"]);
    // A submodule entry named like bytecode is not bytecode.
    let head = repo.head().unwrap();
    repo.git(&["update-index", "--add", "--cacheinfo", &format!("160000,{head},vendored.pyc")]);

    let output = repo.guard().args(["check", "--staged", "-q"]).assert().code(1).get_output().clone();
    let mut ours = json_like_findings(&text(&output.stdout));
    let mut git = git_staged_bytecode(&repo);
    ours.sort();
    git.sort();
    assert_eq!(ours, git);
    assert_eq!(git.len(), 5, "{git:?}");
}

#[test]
fn old_style_tree_modes_are_read_as_git_reads_them() {
    // Trees written by old gits may record 100664; git reads it as 100644, so an index made
    // from such a HEAD has nothing staged.
    let repo = TestRepo::with_commit();
    let blob = repo.git_stdout(&["hash-object", "-w", "README.md"]);
    let tree = repo.git_with_input(&["mktree"], &format!("100664 blob {}\tm.pyc\n", blob.trim()));
    let head = repo.head().unwrap();
    let commit = repo.git_stdout(&["commit-tree", "-p", &head, "-m", "old mode", tree.trim()]);
    repo.git(&["update-ref", "HEAD", commit.trim()]);
    repo.git(&["read-tree", "HEAD"]);
    assert_eq!(git_staged_bytecode(&repo), vec![], "git sees nothing staged");
    repo.guard().args(["check", "-q"]).assert().success();
}

#[test]
fn a_branch_pointing_at_an_annotated_tag_is_peeled_like_git() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["kept.pyc"], "legacy");
    repo.git(&["tag", "-a", "-m", "release", "v1"]);
    let tag = repo.git_stdout(&["rev-parse", "v1"]);
    if repo.uses_reftable() {
        return; // no file to write: every reftable is written by a git that refuses this
    }
    // git's update-ref refuses this, but older tools wrote such refs: write the file.
    std::fs::write(repo.root.join(".git/refs/heads/main"), tag.as_bytes()).unwrap();
    assert_eq!(repo.git_stdout(&["cat-file", "-t", "HEAD"]).trim(), "tag");
    repo.stage(&["new.pyc"]);
    let output = repo.guard().args(["check", "-q"]).assert().code(1).get_output().clone();
    assert_eq!(json_like_findings(&text(&output.stdout)), git_staged_bytecode(&repo));
}

#[test]
fn a_damaged_loose_copy_does_not_hide_a_good_packed_one() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["kept.pyc"], "legacy");
    // Packed, and the loose copies kept (no -d): then HEAD's tree loose file is damaged.
    repo.git(&["repack", "-a", "-q"]);
    let tree = repo.git_stdout(&["rev-parse", "HEAD^{tree}"]);
    let loose = repo.root.join(".git/objects").join(&tree[..2]).join(tree.trim().get(2..).unwrap());
    std::fs::remove_file(&loose).unwrap();
    std::fs::write(&loose, b"not zlib").unwrap();
    repo.write("kept.pyc", "recompiled");
    repo.stage(&["new.pyc"]);
    repo.git(&["add", "kept.pyc"]);
    let output = repo.guard().args(["check", "-q"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let mut ours = json_like_findings(&text(&output.stdout));
    ours.sort();
    assert_eq!(ours, vec![("A".to_owned(), "new.pyc".to_owned()), ("M".to_owned(), "kept.pyc".to_owned())]);
}

#[test]
fn a_damaged_copy_in_one_pack_does_not_hide_a_good_one_in_another() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["p/kept.pyc"], "legacy");
    repo.git(&["repack", "-a", "-d", "-q"]);
    let old_packs: Vec<_> =
        std::fs::read_dir(repo.root.join(".git/objects/pack")).unwrap().map(|e| e.unwrap().path()).collect();
    // A second pack that holds HEAD's trees too (-a without -d keeps the first).
    repo.commit_bypassing_hooks(&["q.py"], "more");
    repo.git(&["repack", "-a", "-q"]);
    let new_pack = std::fs::read_dir(repo.root.join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| !old_packs.contains(p) && p.extension().is_some_and(|e| e == "pack"))
        .expect("a new pack");
    // Damage every byte after the header of the newer pack: its copies are unreadable.
    let mut bytes = std::fs::read(&new_pack).unwrap();
    for byte in &mut bytes[12..] {
        *byte ^= 0x5a;
    }
    std::fs::remove_file(&new_pack).unwrap();
    std::fs::write(&new_pack, &bytes).unwrap();
    let tree = repo.git_stdout(&["rev-parse", "HEAD~1^{tree}"]);
    assert!(repo.try_git(&["cat-file", "-p", tree.trim()]).status.success(), "git still reads the tree");
    let output = repo.guard().args(["check", "-q", "--rev", "HEAD~1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("p/kept.pyc: error:"), "{}", text(&output.stdout));
}

#[test]
fn a_file_replacing_a_folder_of_the_same_name_is_new_like_git_says() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["a.pyc/inner.py"], "a folder named a.pyc");
    repo.git(&["rm", "-q", "-r", "--cached", "a.pyc"]);
    std::fs::remove_dir_all(repo.root.join("a.pyc")).unwrap();
    repo.stage(&["a.pyc"]);
    let output = repo.guard().args(["check", "-q"]).assert().code(1).get_output().clone();
    assert_eq!(json_like_findings(&text(&output.stdout)), git_staged_bytecode(&repo));
    assert_eq!(git_staged_bytecode(&repo), vec![("A".to_owned(), "a.pyc".to_owned())]);
}

#[test]
fn nothing_staged_passes_quietly() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.commit_bypassing_hooks(&["legacy.pyc"], "legacy");
    repo.guard().assert().success().stdout("").stderr("");
}

#[test]
fn all_lists_every_tracked_bytecode_file() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["a.pyc", "pkg/__pycache__/b.pyc", "pkg/c.py"], "legacy");
    repo.stage(&["staged.pyo"]);
    let output = repo.guard().args(["check", "--all"]).assert().code(1).get_output().clone();
    let stdout = text(&output.stdout);
    let listed = error_paths(&stdout);
    let tracked = repo.git_stdout(&["ls-files"]);
    let expected: Vec<&str> = tracked.lines().filter(|p| pycache_guard::classify(p.as_bytes()).is_some()).collect();
    assert_eq!(listed, expected);
    assert_eq!(listed.len(), 3);
    assert!(text(&output.stderr).contains("git rm --cached -- a.pyc pkg/__pycache__/b.pyc staged.pyo"));
}

#[test]
fn all_passes_on_a_clean_repository() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.stage(&["src/app.py"]);
    repo.guard().args(["check", "--all"]).assert().success().stdout("");
}

#[test]
fn rev_checks_a_commit_tree_like_git_ls_tree() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["a.pyc", "deep/er/__pycache__/z.pyc", "b.py"], "legacy");
    let tree = repo.git_stdout(&["ls-tree", "-r", "--name-only", "HEAD"]);
    let expected: Vec<&str> = tree.lines().filter(|p| pycache_guard::classify(p.as_bytes()).is_some()).collect();
    // Staged changes do not matter to --rev.
    repo.git(&["rm", "-q", "--cached", "a.pyc"]);
    let output = repo.guard().args(["check", "--rev", "HEAD", "-q"]).assert().code(1).get_output().clone();
    let stdout = text(&output.stdout);
    assert_eq!(error_paths(&stdout), expected);
    repo.guard().args(["check", "--rev", "HEAD~1"]).assert().success();
}

#[test]
fn rev_works_in_a_bare_repository_and_the_default_mode_points_to_it() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["a.pyc"], "legacy");
    let bare = repo.parent().join("bare.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    repo.guard_in(&bare).args(["check", "--rev", "main"]).assert().code(1).stdout(predicate::str::contains("a.pyc"));
    repo.guard_in(&bare).arg("check").assert().code(2).stderr(predicate::str::contains("--rev"));
}

#[test]
fn named_paths_are_judged_by_name_even_outside_a_repository() {
    let outside = tempfile::tempdir().unwrap();
    let repo = TestRepo::new();
    let output = repo
        .guard_in(outside.path())
        .args(["check", "src/app.py", "./pkg/__pycache__/m.pyc", "X.PYO", "notes.pyc.txt"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = text(&output.stdout);
    assert_eq!(error_paths(&stdout), ["pkg/__pycache__/m.pyc", "X.PYO"]);
    repo.guard_in(outside.path()).args(["check", "a.py", "b.pyd"]).assert().success();
}

#[test]
fn named_paths_ignore_what_is_staged() {
    let repo = TestRepo::with_commit();
    repo.stage(&["staged.pyc"]);
    repo.guard().args(["check", "clean.py"]).assert().success();
}

#[test]
fn dash_c_runs_elsewhere() {
    let repo = TestRepo::with_commit();
    repo.stage(&["x.pyc"]);
    let outside = tempfile::tempdir().unwrap();
    repo.guard_in(outside.path()).args(["-C", repo.root.to_str().unwrap(), "check"]).assert().code(1);
    repo.guard_in(outside.path()).args(["-C", "/nonexistent/dir", "check"]).assert().code(2);
}

#[test]
fn commands_are_printed_for_the_users_folder() {
    let repo = TestRepo::with_commit();
    repo.stage(&["pkg/sub/x.pyc", "other/y.pyc"]);
    let sub = repo.root.join("pkg");
    let output = repo.guard_in(&sub).assert().code(1).get_output().clone();
    let stderr = text(&output.stderr);
    assert!(stderr.contains("git rm --cached -- ../other/y.pyc sub/x.pyc"), "{stderr}");
    // The printed command really works from there.
    let command = stderr.lines().last().unwrap().split(": ").nth(1).unwrap().to_owned();
    let args: Vec<&str> = command.split(' ').skip(1).collect();
    repo.git_in(&sub, &args);
    repo.guard_in(&sub).assert().success();
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let repo = TestRepo::with_commit();
    repo.stage(&["x.pyc"]);
    let escape = predicate::str::contains("\u{1b}[");
    repo.guard().assert().code(1).stdout(escape.clone().not());
    repo.guard().args(["--color", "always"]).assert().code(1).stdout(escape.clone());
    repo.guard().env("CLICOLOR_FORCE", "1").assert().code(1).stdout(escape.clone());
    repo.guard().env("CLICOLOR_FORCE", "1").env("NO_COLOR", "1").assert().code(1).stdout(escape.not());
}

#[test]
fn quiet_prints_findings_only() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.stage(&["x.pyc"]);
    repo.guard().arg("-q").assert().code(1).stderr("").stdout("x.pyc: error: new bytecode file staged for commit (compiled Python bytecode, *.pyc); fix: git rm --cached -- x.pyc\n");
}

#[test]
fn relative_git_work_tree_is_taken_from_the_current_folder() {
    let repo = TestRepo::with_commit();
    repo.stage(&["pkg/x.pyc"]);
    let sub = repo.root.join("pkg");
    let output =
        repo.guard_in(&sub).env("GIT_DIR", "../.git").env("GIT_WORK_TREE", "..").assert().code(1).get_output().clone();
    assert!(text(&output.stderr).contains("git rm --cached -- x.pyc"), "{}", text(&output.stderr));
}
