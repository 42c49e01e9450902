//! Bad input: a clear one-line error and exit code 2, never a panic.

use predicates::prelude::*;

use crate::support::{TestRepo, one_line_error, text};

#[test]
fn not_a_repository() {
    let outside = tempfile::tempdir().unwrap();
    let repo = TestRepo::new();
    let output = repo.guard_in(outside.path()).env("GIT_CEILING_DIRECTORIES", outside.path()).output().unwrap();
    one_line_error(&output, "not a git repository");
    let output = repo.guard_in(outside.path()).args(["check", "--all"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn truncated_index() {
    let repo = TestRepo::with_commit();
    repo.stage(&["a.py", "b.py", "c.pyc"]);
    let index = repo.root.join(".git/index");
    let bytes = std::fs::read(&index).unwrap();
    std::fs::write(&index, &bytes[..bytes.len() / 2]).unwrap();
    for args in [&["check"][..], &["check", "--all"][..]] {
        let output = repo.guard().args(args).output().unwrap();
        one_line_error(&output, index.to_str().unwrap());
    }
}

#[test]
fn garbage_index() {
    let repo = TestRepo::with_commit();
    let index = repo.root.join(".git/index");
    std::fs::write(&index, "this is not an index file at all, but long enough to have a header").unwrap();
    let output = repo.guard().output().unwrap();
    one_line_error(&output, index.to_str().unwrap());
    assert!(text(&output.stderr).contains("&& git reset`"), "a damaged index is worth rebuilding");
}

#[test]
fn unreadable_index_is_not_called_corrupt() {
    let repo = TestRepo::with_commit();
    repo.stage(&["a.py"]);
    let index = repo.root.join(".git/index");
    // A folder where the index should be: it opens, but cannot be read as a file (a chmod
    // would not stop root, who runs the tests in some containers).
    std::fs::remove_file(&index).unwrap();
    std::fs::create_dir(&index).unwrap();
    for args in [&["check"][..], &["check", "--all"][..]] {
        let output = repo.guard().args(args).output().unwrap();
        one_line_error(&output, index.to_str().unwrap());
        let stderr = text(&output.stderr);
        assert!(!stderr.contains("git reset"), "an unreadable index is not damaged: {stderr}");
        assert!(stderr.contains("a file you may read"), "{stderr}");
    }
}

#[test]
fn unknown_revision() {
    let repo = TestRepo::with_commit();
    let output = repo.guard().args(["check", "--rev", "no-such-branch"]).output().unwrap();
    one_line_error(&output, "no-such-branch");
}

#[test]
fn bad_arguments_exit_2() {
    let repo = TestRepo::with_commit();
    repo.guard().args(["check", "--all", "--rev", "HEAD"]).assert().code(2);
    repo.guard().args(["--color", "sometimes"]).assert().code(2);
    repo.guard().arg("frobnicate").assert().code(2).stderr(predicate::str::contains("frobnicate"));
}

/// Cuts a loose object's file short, as a crash before the data reached the disk can.
fn truncate_loose_object(repo: &TestRepo, id: &str) -> String {
    let id = id.trim();
    let path = repo.root.join(".git/objects").join(&id[..2]).join(&id[2..]);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    format!(".git/objects/{}/{}", &id[..2], &id[2..])
}

/// Runs each command (within a minute: a hang fails) and expects one error line naming
/// `named`.
fn each_ends_in_one_error_line(repo: &TestRepo, commands: &[&[&str]], named: &str) {
    for args in commands {
        let output = repo.guard().args(*args).timeout(std::time::Duration::from_secs(60)).output().unwrap();
        one_line_error(&output, named);
    }
}

/// Rewrites the repository's one pack index with `damage`; returns its file name.
fn damage_pack_index(repo: &TestRepo, damage: impl FnOnce(&mut Vec<u8>)) -> String {
    let idx = std::fs::read_dir(repo.root.join(".git/objects/pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    let mut bytes = std::fs::read(&idx).unwrap();
    damage(&mut bytes);
    std::fs::remove_file(&idx).unwrap();
    std::fs::write(&idx, &bytes).unwrap();
    idx.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn a_truncated_loose_commit_is_an_error_not_a_hang() {
    // libgit2 1.9.7 reads a loose object cut short forever (its issue #7342): the history
    // modes look at the loose commits first.
    let repo = TestRepo::with_commit();
    let base = repo.head().unwrap();
    repo.commit_bypassing_hooks(&["a.py"], "second");
    repo.commit_bypassing_hooks(&["b.py"], "third");
    let middle = repo.git_stdout(&["rev-parse", "HEAD~1"]);
    let damaged = truncate_loose_object(&repo, &middle);
    for args in [
        vec!["check", "--range", "HEAD~2..HEAD"],
        vec!["check", "--range", &format!("{base}..HEAD")],
        vec!["check", "--rev", "HEAD~1"],
    ] {
        let output = repo.guard().args(&args).timeout(std::time::Duration::from_secs(60)).output().unwrap();
        one_line_error(&output, &damaged);
        assert!(text(&output.stderr).contains("corrupt loose object"), "{args:?}: {}", text(&output.stderr));
    }
}

#[test]
fn a_truncated_loose_tree_of_head_is_an_error_not_a_hang() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["pkg/old.pyc"], "legacy");
    let tree = repo.git_stdout(&["rev-parse", "HEAD^{tree}"]);
    let damaged = truncate_loose_object(&repo, &tree);
    repo.stage(&["new.pyc"]);
    each_ends_in_one_error_line(&repo, &[&["check"]], &damaged);
}

#[test]
fn a_truncated_loose_tree_named_by_rev_is_an_error_not_a_hang() {
    // libgit2 1.9.7 loops on it; `--rev` takes the tree's id from the commit and reads the
    // tree itself.
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["pkg/old.pyc"], "legacy");
    let tree = repo.git_stdout(&["rev-parse", "HEAD^{tree}"]);
    let damaged = truncate_loose_object(&repo, &tree);
    each_ends_in_one_error_line(&repo, &[&["check", "--rev", "HEAD"]], &damaged);
}

#[test]
fn a_truncated_loose_tree_or_blob_a_revision_names_is_an_error_not_a_hang() {
    // Resolving these makes libgit2 read the tree or blob itself: a path in a tree, the
    // tree of a commit, an id, a tag pointing at a tree.
    let legacy = || {
        let repo = TestRepo::with_commit();
        repo.commit_bypassing_hooks(&["pkg/old.pyc", "notes.txt"], "legacy");
        repo
    };
    // Blobs are not inflated before (they may be large): libgit2's resolving them is cut off
    // after 5 seconds.
    let repo = legacy();
    let blob = repo.git_stdout(&["rev-parse", "HEAD:notes.txt"]).trim().to_owned();
    truncate_loose_object(&repo, &blob);
    each_ends_in_one_error_line(&repo, &[&["check", "--rev", "HEAD:notes.txt"]], "libgit2 is stuck");

    let repo = legacy();
    let tree = repo.git_stdout(&["rev-parse", "HEAD^{tree}"]).trim().to_owned();
    repo.git(&["tag", "-a", "tree-tag", "-m", "a tag of a tree", &tree]);
    let damaged = truncate_loose_object(&repo, &tree);
    let revisions =
        [&["check", "--rev", "HEAD:pkg"][..], &["check", "--rev", "HEAD^{tree}"], &["check", "--rev", &tree]];
    each_ends_in_one_error_line(&repo, &revisions, &damaged);
    each_ends_in_one_error_line(&repo, &[&["check", "--range", "HEAD~1..HEAD:pkg"]], &damaged);
    // A tag's name does not say it points at a tree: the time limit stops libgit2 then.
    each_ends_in_one_error_line(&repo, &[&["check", "--rev", "tree-tag"]], "libgit2 is stuck");
}

#[test]
fn a_damaged_gitignore_blob_of_a_revision_is_an_error_not_no_rules() {
    // `git cat-file` fails on it too; taking it for a file without rules would report rules
    // missing that the commit has.
    let repo = TestRepo::with_commit();
    repo.commit_gitignore("__pycache__/\n*.py[cod]\n");
    let blob = repo.git_stdout(&["rev-parse", "HEAD:.gitignore"]);
    let damaged = truncate_loose_object(&repo, &blob);
    each_ends_in_one_error_line(&repo, &[&["check", "--rev", "HEAD"]], &damaged);
}

#[test]
fn a_gitignore_blob_missing_from_a_full_clone_is_an_error() {
    // Only a partial clone lacks blobs on purpose (`audit.rs` tests that one).
    let repo = TestRepo::with_commit();
    repo.commit_gitignore("__pycache__/\n*.py[cod]\n");
    let blob = repo.git_stdout(&["rev-parse", "HEAD:.gitignore"]);
    let blob = blob.trim();
    std::fs::remove_file(repo.root.join(".git/objects").join(&blob[..2]).join(&blob[2..])).unwrap();
    each_ends_in_one_error_line(&repo, &[&["check", "--rev", "HEAD"]], "missing from the object database");
}

#[test]
fn a_truncated_loose_tag_is_an_error_not_a_hang() {
    // A tag name makes libgit2 read the tag object itself while it resolves the revision.
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["a.py"], "second");
    repo.git(&["tag", "-a", "v1", "-m", "release"]);
    let tag = repo.git_stdout(&["rev-parse", "v1"]);
    let damaged = truncate_loose_object(&repo, &tag);
    each_ends_in_one_error_line(&repo, &[&["check", "--rev", "v1"], &["check", "--range", "HEAD~1..v1"]], &damaged);
}

#[test]
fn a_pack_index_with_bytes_inserted_is_an_error_not_a_crash() {
    // Found by the damage test (seed 20261126, case 301): our reader refused the index, the
    // read fell through to libgit2, which accepted it and read outside the pack (SIGSEGV).
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["pkg/a.py"], "second");
    repo.git(&["gc", "-q"]);
    repo.commit_bypassing_hooks(&["lib/b.py"], "loose");
    let name = damage_pack_index(&repo, |bytes| {
        let into_the_ids = 8 + 1024 + 20 + 7;
        bytes.splice(into_the_ids..into_the_ids, [0x5e, 0xed, 0x11, 0x26, 0x01]);
    });
    each_ends_in_one_error_line(&repo, &[&["check", "--rev", "HEAD"], &["check", "--range", "HEAD~2..HEAD"]], &name);
    let output = repo.guard().args(["check", "--rev", "HEAD"]).output().unwrap();
    assert!(text(&output.stderr).contains("corrupt pack index"), "{}", text(&output.stderr));
}

#[test]
fn a_pack_index_offset_outside_its_pack_is_an_error_not_a_crash() {
    // libgit2 may crash on such an offset; the history modes check the indexes first.
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["a.py"], "second");
    repo.git(&["repack", "-a", "-d", "-q"]);
    damage_pack_index(&repo, |bytes| {
        let count = u32::from_be_bytes(bytes[8 + 255 * 4..8 + 256 * 4].try_into().unwrap()) as usize;
        let offsets_at = 8 + 1024 + count * (repo.hex_len() / 2 + 4);
        bytes[offsets_at + 4] ^= 0x40; // the second object's offset, far past the end
    });
    each_ends_in_one_error_line(&repo, &[&["check", "--range", "HEAD~1..HEAD"]], "corrupt pack index");
}
