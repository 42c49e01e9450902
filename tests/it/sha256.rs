//! SHA-256 repositories (`git init --object-format=sha256`), whatever `GIT_DEFAULT_HASH` the
//! suite runs with, so that a plain `cargo test` covers them too: the staged hook through a
//! real `git commit`, `--all`, `--rev`, `--range`, `--pre-push` through a real push (a new
//! branch's line holds 64 zeros), the writes (`fix-gitignore --untrack`, `check --fix`, the
//! accepted offer, `install`), `clean`; after each write git itself agrees with the index
//! (`git fsck --strict`, `git write-tree`, `git status`). The whole suite runs on SHA-256
//! repositories with `GIT_DEFAULT_HASH=sha256 cargo test --test it`.

use crate::support::{TestRepo, commit_passes, parse_json, text};

/// A SHA-256 repository with one commit and the native hook installed.
fn hooked() -> TestRepo {
    let repo = TestRepo::sha256_with_commit();
    assert_eq!(repo.object_format(), "sha256");
    assert_eq!(repo.head().unwrap().len(), 64);
    repo.install_hook();
    repo
}

/// git agrees with the index and the objects the tool wrote: `fsck --strict` finds nothing,
/// `write-tree` writes the index's tree, and `status` reads it (`expected_status` is its
/// porcelain output).
fn git_agrees(repo: &TestRepo, expected_status: &str) {
    let fsck = repo.try_git(&["fsck", "--strict", "--no-progress"]);
    assert!(fsck.status.success(), "git fsck --strict: {}{}", text(&fsck.stdout), text(&fsck.stderr));
    let tree = repo.git_stdout(&["write-tree"]);
    assert_eq!(tree.trim().len(), 64, "{tree}");
    assert_eq!(repo.git_stdout(&["status", "--porcelain", "--untracked-files=no"]), expected_status);
}

fn bytecode_in_head(repo: &TestRepo) -> Vec<String> {
    repo.committed_paths().into_iter().filter(|p| pycache_guard::classify(p.as_bytes()).is_some()).collect()
}

#[test]
fn the_environment_chooses_the_suites_object_format() {
    let expected = std::env::var("GIT_DEFAULT_HASH").unwrap_or_else(|_| "sha1".to_owned());
    assert_eq!(TestRepo::new().object_format(), expected);
    assert_eq!(TestRepo::new_sha256().object_format(), "sha256", "whatever the environment says");
}

#[test]
fn the_staged_hook_blocks_bytecode_in_a_real_commit_and_lets_the_rest_through() {
    let repo = hooked();
    repo.stage(&["pkg/__pycache__/m.cpython-312.pyc", "pkg/a.py"]);
    let head = repo.head();
    let output = repo.try_git(&["commit", "-q", "-m", "x"]);
    assert!(!output.status.success(), "blocked");
    assert!(text(&output.stderr).contains("pkg/__pycache__/m.cpython-312.pyc"), "{}", text(&output.stderr));
    assert_eq!(repo.head(), head);
    repo.git(&["rm", "-q", "--cached", "pkg/__pycache__/m.cpython-312.pyc"]);
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n");
    repo.git(&["add", ".gitignore"]);
    commit_passes(&repo, &["commit", "-q", "-m", "clean"]);
    assert!(repo.committed_paths().contains(&"pkg/a.py".to_owned()));
    // `commit -a` and `commit <paths>` read other index files (index.lock, next-index-*).
    repo.commit_bypassing_hooks(&["legacy.pyc"], "legacy");
    repo.write("legacy.pyc", "changed");
    assert!(!repo.try_git(&["commit", "-q", "-a", "-m", "x"]).status.success(), "commit -a blocked");
    assert!(!repo.try_git(&["commit", "-q", "-m", "x", "--", "legacy.pyc"]).status.success(), "commit <paths>");
    repo.write("pkg/a.py", "changed");
    commit_passes(&repo, &["commit", "-q", "-m", "x", "--", "pkg/a.py"]);
}

#[test]
fn all_rev_and_range_find_what_git_has_with_full_ids_in_json_and_short_ones_for_people() {
    let repo = TestRepo::sha256_with_commit();
    repo.commit_complete_gitignore();
    let base = repo.head().unwrap();
    repo.commit_bypassing_hooks(&["pkg/__pycache__/m.cpython-312.pyc", "pkg/m.py"], "bytecode");
    let added = repo.head().unwrap();
    repo.git(&["tag", "-a", "-m", "tag", "v1"]);
    repo.git(&["repack", "-a", "-d", "-q"]);
    repo.commit_bypassing_hooks(&["b.pyo"], "loose");

    let all = repo.guard().args(["check", "--all"]).assert().code(1);
    let stdout = text(&all.get_output().stdout);
    assert!(stdout.contains("pkg/__pycache__/m.cpython-312.pyc") && stdout.contains("b.pyo"), "{stdout}");
    for rev in ["HEAD", "HEAD~1", "v1", "v1^{commit}", &added[..12], &added, "HEAD:pkg", "HEAD^{tree}"] {
        let output = repo.guard().args(["check", "--rev", rev]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "--rev {rev}: {}", text(&output.stderr));
        assert!(text(&output.stdout).contains("m.cpython-312.pyc"), "--rev {rev}: {}", text(&output.stdout));
    }
    repo.guard().args(["check", "--rev", &base]).assert().success();

    let range = format!("{base}..HEAD");
    let output = repo.guard().args(["check", "--range", &range]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(&format!("added by commit {}", &added[..12])), "git's 12 digits: {stdout}");
    assert!(!stdout.contains(&added), "people get the short id: {stdout}");
    let json = parse_json(&repo.guard().args(["check", "--range", &range, "--format", "json"]).output().unwrap());
    let commits: Vec<&str> = json["findings"].as_array().unwrap().iter().filter_map(|f| f["commit"].as_str()).collect();
    assert!(commits.contains(&added.as_str()), "JSON keeps the full 64 digits: {json}");
    let sarif = text(&repo.guard().args(["check", "--range", &range, "--format", "sarif"]).output().unwrap().stdout);
    assert!(sarif.contains(&added), "SARIF keeps the full id");
    // The same range as git counts it.
    let commits = repo.git_stdout(&["rev-list", "--count", &range]);
    assert_eq!(commits.trim(), "2");
    repo.guard().args(["check", "--range", &format!("{added}..HEAD~1")]).assert().success();
}

#[test]
fn a_shallow_clone_and_grafts_are_read_with_64_digit_ids() {
    let repo = TestRepo::sha256_with_commit();
    let initial = repo.head().unwrap();
    repo.commit_bypassing_hooks(&["old.pyc"], "old bytecode");
    let added = repo.head().unwrap();
    repo.commit_bypassing_hooks(&["mid.py"], "clean");
    repo.commit_bypassing_hooks(&["new.py"], "clean too");
    let head = repo.head().unwrap();
    let clone = repo.clone_with(&["--no-local", "--depth=2"]);
    let shallow = std::fs::read_to_string(clone.root.join(".git/shallow")).unwrap();
    assert_eq!(shallow.trim().len(), 64, "{shallow}");
    // The shallow commit has no parents here, as in git: the walk stops there.
    clone.guard().args(["check", "--range", "HEAD~1..HEAD"]).assert().success();
    clone.guard().args(["check", "--rev", "HEAD"]).assert().code(1);

    // Without a graft, old.pyc came with its own commit.
    let range = format!("{initial}..HEAD");
    let blamed = |repo: &TestRepo| {
        let output = repo.guard().args(["check", "--range", &range]).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    assert!(blamed(&repo).contains(&format!("added by commit {}", &added[..12])));
    // A graft of 64-digit ids makes HEAD's parent the first commit: HEAD brings old.pyc.
    std::fs::create_dir_all(repo.root.join(".git/info")).unwrap();
    std::fs::write(repo.root.join(".git/info/grafts"), format!("{head} {initial}\n")).unwrap();
    let stdout = blamed(&repo);
    assert!(stdout.contains(&format!("added by commit {}", &head[..12])), "{stdout}");
}

#[test]
fn a_real_push_sends_64_zeros_for_a_new_branch_and_the_hook_checks_it() {
    let repo = TestRepo::sha256_with_commit();
    let remote = repo.parent().join("remote.git");
    repo.git(&["init", "-q", "--bare", "--object-format=sha256", remote.to_str().unwrap()]);
    repo.git(&["remote", "add", "origin", remote.to_str().unwrap()]);
    repo.git(&["push", "-q", "--no-verify", "-u", "origin", "main"]);
    // A hook of the user's, kept and run first, records what git sends.
    repo.write_hook("pre-push", "#!/bin/sh\ncat >> \"$(git rev-parse --git-common-dir)/push.log\"\n");
    repo.guard().args(["install", "--pre-push", "--force"]).assert().success();

    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.commit_bypassing_hooks(&["new/__pycache__/x.cpython-312.pyc"], "bytecode");
    let output = repo.try_git(&["push", "-q", "origin", "feature"]);
    assert!(!output.status.success(), "the push must be blocked");
    assert!(text(&output.stdout).contains("new/__pycache__/x.cpython-312.pyc: error"), "{}", text(&output.stdout));
    let line = format!("refs/heads/feature {} refs/heads/feature {}\n", repo.head().unwrap(), "0".repeat(64));
    let log = std::fs::read_to_string(repo.root.join(".git/push.log")).unwrap();
    assert_eq!(log, line, "git's line for a new branch");
    repo.guard().args(["check", "--pre-push", "--remote", "origin"]).write_stdin(line).assert().code(1);

    repo.git(&["rm", "-q", "--cached", "new/__pycache__/x.cpython-312.pyc"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "remove"]);
    assert!(!repo.try_git(&["push", "-q", "origin", "feature"]).status.success(), "the history still holds it");
    repo.git(&["checkout", "-q", "-b", "clean", "origin/main"]);
    repo.commit_bypassing_hooks(&["ok.py"], "clean");
    let output = repo.try_git(&["push", "-q", "origin", "clean"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let output = repo.try_git(&["push", "-q", "origin", "--delete", "clean"]);
    assert!(output.status.success(), "a deletion (64 zeros as the local id): {}", text(&output.stderr));
    repo.guard().arg("uninstall").assert().success();
}

#[test]
fn fix_gitignore_untrack_writes_an_index_git_agrees_with() {
    let repo = TestRepo::sha256_with_commit();
    repo.commit_bypassing_hooks(&["pkg/__pycache__/m.cpython-312.pyc", "old.pyc", "pkg/m.py"], "legacy");
    repo.git(&["update-index", "--index-version", "4"]);
    repo.guard().args(["fix-gitignore", "--untrack"]).assert().success();
    let tracked = repo.git_stdout(&["ls-files"]);
    assert!(!tracked.contains(".pyc") && tracked.contains("pkg/m.py"), "{tracked}");
    git_agrees(&repo, "D  old.pyc\nD  pkg/__pycache__/m.cpython-312.pyc\n");
    repo.guard().arg("check").assert().success();
    repo.git(&["add", ".gitignore"]);
    commit_passes(&repo, &["commit", "-q", "-m", "untracked"]);
    assert!(bytecode_in_head(&repo).is_empty());
    git_agrees(&repo, "");
    repo.guard().args(["check", "--all"]).assert().success();
}

/// (libgit2 writes no split index, in either format: `--untrack` refuses one, as for SHA-1.)
#[test]
fn a_split_index_is_read() {
    let repo = TestRepo::sha256_with_commit();
    repo.git(&["update-index", "--split-index"]);
    repo.commit_bypassing_hooks(&["a.pyc", "b.py"], "legacy");
    let shared: Vec<String> = std::fs::read_dir(repo.root.join(".git"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("sharedindex."))
        .collect();
    assert!(shared.iter().any(|name| name.len() == "sharedindex.".len() + 64), "{shared:?}");
    repo.stage(&["c.pyc"]);
    repo.git(&["rm", "-q", "--cached", "b.py"]);
    let output = repo.guard().args(["check", "--all"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("a.pyc") && text(&output.stdout).contains("c.pyc"));
    let output = repo.guard().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("c.pyc") && !stdout.contains("a.pyc"), "only what is staged: {stdout}");
}

#[test]
fn check_fix_inside_a_real_commit_untracks_and_stages_the_gitignore() {
    let repo = TestRepo::sha256_with_commit();
    repo.write_hook("pre-commit", "#!/bin/sh\nexec pycache-guard check --fix\n");
    repo.stage(&["pkg/__pycache__/m.cpython-312.pyc", "pkg/a.py"]);
    let stderr = commit_passes(&repo, &["commit", "-q", "-m", "x"]);
    assert!(stderr.contains("untracked 1 bytecode file; it stays"), "{stderr}");
    assert!(bytecode_in_head(&repo).is_empty());
    assert!(repo.committed_paths().contains(&".gitignore".to_owned()));
    git_agrees(&repo, "");
    // `commit -a`: the fix edits the index git made for the commit (index.lock).
    repo.commit_bypassing_hooks(&["legacy.pyc"], "legacy");
    repo.write("legacy.pyc", "changed");
    commit_passes(&repo, &["commit", "-q", "-a", "-m", "x"]);
    assert!(bytecode_in_head(&repo).is_empty());
    git_agrees(&repo, "");
}

#[test]
fn the_accepted_offer_at_a_terminal_fixes_and_the_commit_goes_on() {
    let repo = hooked();
    repo.stage(&["pkg/__pycache__/m.cpython-312.pyc", "pkg/a.py"]);
    let (code, transcript) = crate::fix_in_commit::commit_answering(&repo, "y");
    assert_eq!(code, 0, "{transcript}");
    assert!(bytecode_in_head(&repo).is_empty());
    assert!(repo.committed_paths().contains(&".gitignore".to_owned()));
    git_agrees(&repo, "");
}

#[test]
fn clean_deletes_untracked_bytecode_only() {
    let repo = TestRepo::sha256_with_commit();
    repo.commit_complete_gitignore();
    repo.commit_bypassing_hooks(&["tracked.pyc"], "legacy");
    repo.write("pkg/__pycache__/m.cpython-312.pyc", "x");
    repo.write("stray.pyc", "x");
    repo.write("keep.py", "x");
    repo.guard().arg("clean").assert().success();
    assert!(!repo.root.join("stray.pyc").exists() && !repo.root.join("pkg/__pycache__").exists());
    assert!(repo.root.join("tracked.pyc").exists() && repo.root.join("keep.py").exists());
    assert_eq!(repo.git_stdout(&["status", "--porcelain"]), "?? keep.py\n");
}

#[test]
fn damaged_sha256_files_give_one_error_line_never_a_panic() {
    let repo = TestRepo::sha256_with_commit();
    repo.commit_bypassing_hooks(&["a.pyc", "pkg/b.py"], "legacy");
    repo.git(&["repack", "-a", "-d", "-q"]);
    repo.commit_bypassing_hooks(&["c.py"], "loose");
    let git_dir = repo.root.join(".git");
    let index = std::fs::read(git_dir.join("index")).unwrap();
    // The index cut inside its trailer and inside an entry's id; a byte flipped in every
    // place of the first entry.
    let mut cases: Vec<Vec<u8>> = vec![index[..index.len() - 10].to_vec(), index[..12 + 50].to_vec()];
    for at in 12..12 + 80 {
        let mut flipped = index.clone();
        flipped[at] ^= 0xff;
        cases.push(flipped);
    }
    for bytes in cases {
        std::fs::write(git_dir.join("index"), &bytes).unwrap();
        for args in [&["check"][..], &["check", "--all"], &["fix-gitignore", "--dry-run"]] {
            let output = repo.guard().args(args).output().unwrap();
            let stderr = text(&output.stderr);
            assert!(matches!(output.status.code(), Some(0..=2)), "{args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
            if output.status.code() == Some(2) {
                assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            }
        }
    }
    std::fs::write(git_dir.join("index"), &index).unwrap();
    let idx = std::fs::read_dir(git_dir.join("objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    let good = std::fs::read(&idx).unwrap();
    for at in (0..good.len()).step_by(37) {
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        let fresh = idx.with_extension("tmp");
        std::fs::write(&fresh, &bad).unwrap();
        std::fs::rename(&fresh, &idx).unwrap();
        for args in [&["check", "--rev", "HEAD~1"][..], &["check", "--range", "HEAD~2..HEAD"]] {
            let output = repo.guard().args(args).timeout(std::time::Duration::from_secs(20)).output().unwrap();
            let stderr = text(&output.stderr);
            assert!(matches!(output.status.code(), Some(0..=2)), "{args:?} byte {at}: {stderr}");
            assert!(!stderr.contains("panicked"), "{args:?} byte {at}: {stderr}");
            if output.status.code() == Some(2) {
                assert_eq!(stderr.lines().count(), 1, "{args:?} byte {at}: {stderr}");
            }
        }
    }
}
