//! The index reader against git itself: index files written by real git in every form it
//! writes them (versions 2, 3 and 4, extended flags, conflicts, split and sparse indexes,
//! non-UTF-8 paths), read by `gitlayer::index::read_entries` and compared entry by entry with
//! `git ls-files --stage --debug`. Then the checks on such indexes, through the binary.

use std::path::{Path, PathBuf};

use gitlayer::index::{self, Entry};

use crate::support::{TestRepo, git_staged_bytecode, index_has_extension, one_line_error, text};

/// What both sides say about one entry: mode, object id, stage, path, intent-to-add,
/// skip-worktree.
type Row = (u32, String, u8, Vec<u8>, bool, bool);

/// git's `ce_flags` bits as `ls-files --debug` prints them.
const CE_INTENT_TO_ADD: u32 = 1 << 29;
const CE_SKIP_WORKTREE: u32 = 1 << 30;

/// The entries as git reads them: `ls-files --stage --debug -z` prints
/// `mode id stage\tpath\0` and then indented debug lines ending in `flags: <hex>`.
fn git_rows(repo: &TestRepo) -> Vec<Row> {
    let output = repo.git(&["ls-files", "--sparse", "--stage", "--debug", "-z"]).stdout;
    let pieces: Vec<&[u8]> = output.split(|&b| b == 0).collect();
    let mut rows = Vec::new();
    for (k, piece) in pieces.iter().enumerate().take(pieces.len() - 1) {
        // After the first, each piece starts with the previous entry's debug lines.
        let line = if k == 0 { piece } else { &piece[piece.iter().rposition(|&b| b == b'\n').unwrap() + 1..] };
        let tab = line.iter().position(|&b| b == b'\t').unwrap();
        let meta = text(&line[..tab]);
        let fields: Vec<&str> = meta.split(' ').collect();
        let debug = text(pieces[k + 1]);
        let flags = debug.split("flags: ").nth(1).unwrap().split_whitespace().next().unwrap();
        let flags = u32::from_str_radix(flags, 16).unwrap();
        rows.push((
            u32::from_str_radix(fields[0], 8).unwrap(),
            fields[1].to_owned(),
            fields[2].parse().unwrap(),
            line[tab + 1..].to_vec(),
            flags & CE_INTENT_TO_ADD != 0,
            flags & CE_SKIP_WORKTREE != 0,
        ));
    }
    rows
}

fn row(entry: &Entry) -> Row {
    (entry.mode.bits(), entry.id.to_string(), entry.stage, entry.path.clone(), entry.intent_to_add, entry.skip_worktree)
}

fn git_dir(repo: &TestRepo) -> PathBuf {
    repo.root.join(".git")
}

fn our_rows(repo: &TestRepo) -> Vec<Row> {
    let index = git_dir(repo).join("index");
    let entries = index::read_entries(&index, &git_dir(repo), repo.id_format(), |_| true).expect("read the index");
    assert_eq!(entries.total, entries.kept.len());
    entries.kept.iter().map(row).collect()
}

fn assert_agrees_with_git(repo: &TestRepo) -> Vec<Row> {
    let git = git_rows(repo);
    assert!(!git.is_empty());
    assert_eq!(our_rows(repo), git);
    git
}

fn index_bytes(repo: &TestRepo) -> Vec<u8> {
    std::fs::read(git_dir(repo).join("index")).unwrap()
}

fn index_version(repo: &TestRepo) -> u32 {
    u32::from_be_bytes(index_bytes(repo)[4..8].try_into().unwrap())
}

fn set_index_version(repo: &TestRepo, version: u32) {
    repo.git(&["update-index", "--index-version", &version.to_string()]);
}

fn blob(repo: &TestRepo, contents: &str) -> String {
    repo.git_with_input(&["hash-object", "-w", "--stdin"], contents).trim().to_owned()
}

/// A repository whose index holds every kind of plain entry: blobs, an executable, a
/// symlink, a submodule, bytecode, a non-UTF-8 name and a path longer than the 12-bit
/// length field (4095 bytes) of an entry.
fn varied_repo() -> TestRepo {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["pkg/__init__.py", "pkg/__pycache__/m.cpython-312.pyc", "old.pyc"], "legacy");
    repo.stage(&["a.py", "deep/er/still/x.pyo", "Upper.PYC"]);
    repo.write(b"raw\xff\xfe.pyc", "bytes\n");
    repo.git(&["add", "--", "."]);
    std::os::unix::fs::symlink("a.py", repo.root.join("link.pyc")).unwrap();
    repo.git(&["add", "link.pyc"]);
    repo.git(&["update-index", "--chmod=+x", "a.py"]);
    let head = repo.head().unwrap();
    repo.git(&["update-index", "--add", "--cacheinfo", &format!("160000,{head},vendored")]);
    let long = format!("{}/long.pyc", vec!["d".repeat(200); 21].join("/"));
    repo.git(&["update-index", "--add", "--cacheinfo", &format!("100644,{},{long}", blob(&repo, "x"))]);
    repo
}

#[test]
fn versions_2_3_and_4_agree_with_git() {
    let repo = varied_repo();
    for version in [2, 4, 3, 2] {
        set_index_version(&repo, version);
        // git writes version 2 when asked for 3 and no entry has extended flags.
        assert_eq!(index_version(&repo), if version == 3 { 2 } else { version });
        let rows = assert_agrees_with_git(&repo);
        assert!(rows.iter().any(|r| r.3.len() > 4095), "the long path is there");
        assert!(rows.iter().any(|r| r.3 == b"raw\xff\xfe.pyc"));
    }
}

#[test]
fn extended_flags_agree_with_git() {
    let repo = varied_repo();
    repo.git(&["commit", "-q", "--no-verify", "-m", "everything"]);
    repo.write("new.pyc", "intent only\n");
    repo.git(&["add", "-N", "new.pyc"]);
    repo.git(&["update-index", "--skip-worktree", "old.pyc"]);
    for version in [3, 4] {
        set_index_version(&repo, version);
        let rows = assert_agrees_with_git(&repo);
        assert!(rows.iter().any(|r| r.3 == b"new.pyc" && r.4), "intent-to-add seen");
        assert!(rows.iter().any(|r| r.3 == b"old.pyc" && r.5), "skip-worktree seen");
    }
    // git cannot write extended flags in version 2: it writes version 3 instead.
    set_index_version(&repo, 2);
    assert_eq!(index_version(&repo), 3);
    // Intent-to-add is not staged content; a skip-worktree entry is tracked all the same.
    repo.guard().args(["check", "--staged"]).assert().success();
    let output = repo.guard().args(["check", "--all", "-q"]).output().unwrap();
    assert!(text(&output.stdout).contains("old.pyc: "), "{}", text(&output.stdout));
}

/// A conflict on `m.pyc` and `a.py`: stages 1 (base), 2 (ours) and 3 (theirs).
fn conflicted_repo() -> TestRepo {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["a.py", "m.pyc"], "base");
    repo.git(&["checkout", "-q", "-b", "theirs"]);
    repo.write("a.py", "theirs\n");
    repo.write("m.pyc", "theirs\n");
    repo.git(&["commit", "-q", "--no-verify", "-am", "theirs"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("a.py", "ours\n");
    repo.write("m.pyc", "ours\n");
    repo.git(&["commit", "-q", "--no-verify", "-am", "ours"]);
    assert!(!repo.try_git(&["merge", "-q", "theirs"]).status.success(), "the merge conflicts");
    repo
}

#[test]
fn conflict_stages_agree_with_git() {
    let repo = conflicted_repo();
    for version in [2, 4] {
        set_index_version(&repo, version);
        let rows = assert_agrees_with_git(&repo);
        let stages: Vec<u8> = rows.iter().filter(|r| r.3 == b"m.pyc").map(|r| r.2).collect();
        assert_eq!(stages, [1, 2, 3]);
    }
    // Conflict sides are not checked (git refuses such a commit); the resolution is.
    repo.guard().arg("check").assert().success();
    repo.git(&["add", "m.pyc"]);
    repo.guard().arg("check").assert().code(1);
}

/// The bytecode paths that `check` reports, in order.
fn reported(repo: &TestRepo, args: &[&str]) -> Vec<String> {
    let output = repo.guard().args(args).arg("-q").output().unwrap();
    assert!(output.status.code() == Some(0) || output.status.code() == Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    stdout.lines().filter_map(|line| line.split_once(": error: ").map(|(path, _)| path.to_owned())).collect()
}

/// The bytecode among the NUL-separated paths git printed, shown as the tool shows paths.
fn bytecode_among(paths: &[u8]) -> Vec<String> {
    let paths = paths.split(|&b| b == 0).filter(|p| !p.is_empty());
    paths.filter(|p| pycache_guard::classify(p).is_some()).map(gitlayer::paths::display_path).collect()
}

/// git's answer for `--all`: the bytecode paths of `git ls-files` (the index expanded).
fn git_tracked_bytecode(repo: &TestRepo) -> Vec<String> {
    bytecode_among(&repo.git(&["ls-files", "-z"]).stdout)
}

/// git's answer for `--staged`: the paths of [`git_staged_bytecode`].
fn git_staged_paths(repo: &TestRepo) -> Vec<String> {
    git_staged_bytecode(repo).into_iter().map(|(_, path)| path).collect()
}

fn split_repo(version: u32) -> TestRepo {
    let repo = varied_repo();
    set_index_version(&repo, version);
    repo.git(&["commit", "-q", "--no-verify", "-m", "everything"]);
    // Keep the changes in the split index (git folds them into a new shared index once
    // they pass 20% of the entries).
    repo.git(&["config", "splitIndex.maxPercentChange", "100"]);
    repo.git(&["update-index", "--split-index"]);
    // Changes after the split: a replaced entry, a deleted one, additions.
    repo.write("a.py", "changed\n");
    repo.git(&["add", "a.py"]);
    repo.git(&["rm", "-q", "--cached", "old.pyc"]);
    repo.stage(&["b.py", "pkg/__pycache__/new.cpython-312.pyc", "zz.pyc"]);
    repo.write("pkg/__pycache__/m.cpython-312.pyc", "modified\n");
    repo.git(&["add", "-f", "pkg/__pycache__/m.cpython-312.pyc"]);
    assert!(index_has_extension(&repo, b"link"), "the index is split");
    // The split index holds only changed entries; the rest are in the shared index.
    let in_split_index = u32::from_be_bytes(index_bytes(&repo)[8..12].try_into().unwrap());
    assert!((1..git_rows(&repo).len() as u32).contains(&in_split_index), "{in_split_index} entries");
    repo
}

#[test]
fn split_index_agrees_with_git() {
    for version in [2, 4] {
        let repo = split_repo(version);
        let rows = assert_agrees_with_git(&repo);
        assert!(rows.iter().any(|r| r.3 == b"zz.pyc") && !rows.iter().any(|r| r.3 == b"old.pyc"));
        assert_eq!(reported(&repo, &["check", "--all"]), git_tracked_bytecode(&repo));
        let staged = reported(&repo, &["check"]);
        assert_eq!(staged, git_staged_paths(&repo));
        assert_eq!(staged.len(), 3, "{staged:?}");
    }
}

#[test]
fn split_index_blocks_a_commit_through_the_hook() {
    let repo = split_repo(2);
    repo.install_hook();
    // git runs hooks with their stdout sent to its stderr.
    let output = repo.try_git(&["commit", "-q", "-m", "with bytecode"]);
    assert!(!output.status.success(), "the hook blocked the commit");
    assert!(text(&output.stderr).contains("zz.pyc"), "{}", text(&output.stderr));
    // `git commit -a` builds the commit from another index file (index.lock), split too.
    repo.git(&["rm", "-q", "--cached", "zz.pyc", "pkg/__pycache__/new.cpython-312.pyc"]);
    repo.git(&["reset", "-q", "HEAD", "--", "pkg/__pycache__/m.cpython-312.pyc"]);
    repo.write("pkg/__pycache__/m.cpython-312.pyc", "modified again\n");
    let output = repo.try_git(&["commit", "-q", "-a", "-m", "tracked bytecode modified"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("m.cpython-312.pyc"), "{}", text(&output.stderr));
}

#[test]
fn split_index_without_its_shared_index_is_an_error_naming_it() {
    let repo = split_repo(2);
    let shared: Vec<PathBuf> = std::fs::read_dir(git_dir(&repo))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("sharedindex."))
        .collect();
    assert!(!shared.is_empty());
    let bytes = std::fs::read(&shared[0]).unwrap();
    for path in &shared {
        std::fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
    }
    let output = repo.guard().args(["check", "--all"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("sharedindex."), "{}", text(&output.stderr));
    for path in &shared {
        std::fs::remove_file(path).unwrap();
    }
    let output = repo.guard().arg("check").output().unwrap();
    one_line_error(&output, "sharedindex.");
    let stderr = text(&output.stderr);
    assert!(stderr.contains(&git_dir(&repo).display().to_string()), "{stderr}");
}

/// Bytecode committed in `out/` (legacy), and a cone-mode sparse checkout of `in/` only
/// with a sparse index: `out/` becomes one sparse-directory entry (a tree).
fn sparse_repo() -> TestRepo {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(
        &["in/a.py", "out/b.py", "out/__pycache__/b.cpython-312.pyc", "out/deep/c.pyo"],
        "base",
    );
    repo.commit_bypassing_hooks(&["out/__pycache__/new.cpython-312.pyc"], "more legacy bytecode");
    repo.git(&["sparse-checkout", "init", "--cone", "--sparse-index"]);
    repo.git(&["sparse-checkout", "set", "in"]);
    assert!(index_has_extension(&repo, b"sdir"), "the index is sparse");
    repo
}

#[test]
fn sparse_index_agrees_with_git() {
    let repo = sparse_repo();
    for version in [3, 4] {
        set_index_version(&repo, version);
        let rows = assert_agrees_with_git(&repo);
        assert!(rows.iter().any(|r| r.3 == b"out/" && r.0 == 0o040000 && r.5), "a sparse directory: {rows:?}");
    }
    // --all sees the bytecode inside the sparse directory, as `git ls-files` does.
    let tracked = reported(&repo, &["check", "--all"]);
    assert_eq!(tracked, git_tracked_bytecode(&repo));
    assert_eq!(tracked.len(), 3, "{tracked:?}");
    // Nothing staged: the sparse directory is HEAD's tree.
    repo.guard().arg("check").assert().success();
    repo.stage(&["in/__pycache__/a.cpython-312.pyc"]);
    assert_eq!(reported(&repo, &["check"]), ["in/__pycache__/a.cpython-312.pyc"]);
}

#[test]
fn sparse_directory_that_differs_from_head_is_compared_file_by_file() {
    let repo = sparse_repo();
    // HEAD moves back one commit; the index keeps `out/` as the newer commit's tree.
    repo.git(&["reset", "-q", "--soft", "HEAD~1"]);
    assert!(index_has_extension(&repo, b"sdir"), "still sparse");
    let staged = reported(&repo, &["check"]);
    assert_eq!(staged, git_staged_paths(&repo));
    assert_eq!(staged, ["out/__pycache__/new.cpython-312.pyc"]);
}

#[test]
fn truncated_version_4_index_is_an_error_naming_the_file() {
    let repo = varied_repo();
    set_index_version(&repo, 4);
    let index: &Path = &git_dir(&repo).join("index");
    let bytes = std::fs::read(index).unwrap();
    for cut in [13, 100, bytes.len() / 2, bytes.len() - 21] {
        std::fs::write(index, &bytes[..cut]).unwrap();
        let output = repo.guard().args(["check", "--all"]).output().unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "cut at {cut}: {stderr}");
        assert!(stderr.contains(&index.display().to_string()) && stderr.contains("truncated"), "{stderr}");
    }
}

/// The optional extensions git writes on request (untracked cache, end-of-index entry,
/// entry offset table for threaded reads) and after a conflict is resolved (REUC) are
/// skipped by size.
#[test]
fn optional_extensions_agree_with_git() {
    let repo = conflicted_repo();
    repo.git(&["add", "a.py", "m.pyc"]);
    for (key, value) in [
        ("core.untrackedCache", "true"),
        ("index.threads", "2"),
        ("index.recordEndOfIndexEntries", "true"),
        ("index.recordOffsetTable", "true"),
    ] {
        repo.git(&["config", key, value]);
    }
    // Enough entries for git to split the offset table into blocks.
    let id = blob(&repo, "x");
    let many: String = (0..2000).map(|i| format!("100644 {id}\tmany/f{i:04}.py\n")).collect();
    repo.git_with_input(&["update-index", "--add", "--index-info"], &many);
    repo.git(&["update-index", "--untracked-cache"]);
    repo.git(&["status", "--porcelain"]);
    for version in [2, 4] {
        set_index_version(&repo, version);
        for signature in [b"TREE", b"REUC", b"UNTR", b"EOIE", b"IEOT"] {
            assert!(index_has_extension(&repo, signature), "{}", String::from_utf8_lossy(signature));
        }
        assert_agrees_with_git(&repo);
        assert_eq!(reported(&repo, &["check", "--all"]), ["m.pyc"]);
    }
}
