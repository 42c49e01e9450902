//! The reader against tables real git writes (the `git` binary makes them in temporary
//! folders, isolated from the user's config), and against those tables damaged.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::*;
use crate::repo::Repo;

pub(crate) fn git(dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let mut command = Command::new("git");
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("GIT_") {
            command.env_remove(name);
        }
    }
    command
        .current_dir(dir)
        .args(["-c", "init.defaultBranch=main", "-c", "user.name=t", "-c", "user.email=t@t"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TEST_REFTABLE_AUTOCOMPACTION", "false")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = command.spawn().expect("git runs");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "git {args:?} failed");
    String::from_utf8(output.stdout).unwrap()
}

/// A reftable repository with two commits, a branch, an annotated and a light tag.
pub(crate) fn repository() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("r");
    git(dir.path(), &["init", "-q", "--ref-format=reftable", "r"], None);
    git(&top, &["commit", "-q", "--allow-empty", "-m", "one"], None);
    git(&top, &["commit", "-q", "--allow-empty", "-m", "two"], None);
    git(&top, &["branch", "side", "HEAD~1"], None);
    git(&top, &["tag", "-a", "v1", "-m", "annotated"], None);
    git(&top, &["tag", "light", "HEAD~1"], None);
    (dir, top)
}

fn hex(id: &RawId) -> String {
    format!("{id:?}")
}

/// Every ref as git lists it (`refs/...`, symbolic ones by their target).
fn git_refs(top: &Path) -> Vec<(String, String)> {
    git(
        top,
        &["for-each-ref", "--format=%(refname) %(if)%(symref)%(then)ref: %(symref)%(else)%(objectname)%(end)"],
        None,
    )
    .lines()
    .map(|line| line.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap())
    .collect()
}

fn our_refs(refs: &Reftable, prefix: &str) -> Vec<(String, String)> {
    let mut iter = refs.iter(prefix.as_bytes()).unwrap();
    let mut all = Vec::new();
    while let Some(record) = iter.next_ref().unwrap() {
        let value = match &record.value {
            Value::Id(id) | Value::Peeled { id, .. } => hex(id),
            Value::Symbolic(target) => format!("ref: {}", String::from_utf8_lossy(target)),
            Value::Deletion => unreachable!("deletions are left out"),
        };
        all.push((String::from_utf8(record.name).unwrap(), value));
    }
    all
}

fn open(top: &Path) -> Reftable {
    Reftable::open(&top.join(".git"), &top.join(".git")).unwrap()
}

#[test]
fn refs_read_as_git_lists_them() {
    let (_dir, top) = repository();
    let refs = open(&top);
    let ours: Vec<_> = our_refs(&refs, "refs/").into_iter().collect();
    assert_eq!(ours, git_refs(&top));
    let head = refs.lookup(b"HEAD").unwrap().unwrap();
    assert_eq!(head.value, Value::Symbolic(b"refs/heads/main".to_vec()));
    let tip = git(&top, &["rev-parse", "HEAD"], None);
    match refs.resolve(b"HEAD").unwrap().unwrap().value {
        Value::Id(id) => assert_eq!(hex(&id), tip.trim()),
        other => panic!("{other:?}"),
    }
    match refs.lookup(b"refs/tags/v1").unwrap().unwrap().value {
        Value::Peeled { peeled, .. } => assert_eq!(hex(&peeled), tip.trim()),
        other => panic!("a peeled tag: {other:?}"),
    }
    assert_eq!(refs.lookup(b"refs/heads/nope").unwrap(), None);
    assert_eq!(our_refs(&refs, "refs/tags/").len(), 2);
    assert_eq!(refs.hash_len(), Some(20));
}

#[test]
fn a_stack_of_many_tables_with_deletions_and_updates_reads_as_git_does() {
    let (_dir, top) = repository();
    let mut input = String::new();
    for i in 0..40 {
        git(&top, &["update-ref", &format!("refs/heads/b{i:02}"), "HEAD"], None);
        if i % 3 == 0 {
            input.push_str(&format!("delete refs/heads/b{i:02}\n"));
        }
        if i % 5 == 0 {
            git(&top, &["update-ref", &format!("refs/heads/b{i:02}"), "HEAD~1"], None);
        }
    }
    git(&top, &["update-ref", "--stdin"], Some(&input));
    git(&top, &["tag", "-d", "light"], None);
    git(&top, &["symbolic-ref", "refs/heads/alias", "refs/heads/side"], None);
    let tables = std::fs::read_to_string(top.join(".git/reftable/tables.list")).unwrap();
    assert!(tables.lines().count() > 40, "{tables}");
    let refs = open(&top);
    assert_eq!(our_refs(&refs, "refs/"), git_refs(&top));
    assert_eq!(refs.lookup(b"refs/heads/b03").unwrap(), None, "deleted");
    assert_eq!(refs.lookup(b"refs/tags/light").unwrap(), None, "deleted");
    git(&top, &["pack-refs", "--all"], None);
    assert_eq!(std::fs::read_to_string(top.join(".git/reftable/tables.list")).unwrap().lines().count(), 1);
    assert_eq!(our_refs(&open(&top), "refs/"), git_refs(&top));
}

#[test]
fn a_hundred_thousand_refs_are_found_through_the_index_and_listed_in_order() {
    let (_dir, top) = repository();
    let tip = git(&top, &["rev-parse", "HEAD"], None);
    let input: String = (0..100_000).map(|i| format!("create refs/remotes/origin/r{i:05} {}\n", tip.trim())).collect();
    git(&top, &["update-ref", "--stdin"], Some(&input));
    git(&top, &["pack-refs", "--all"], None);
    let refs = open(&top);
    assert!(refs.main.tables[0].has_ref_index(), "a table this large has a ref index");
    // A multi-level index whose top level takes several blocks: every name is found.
    for i in (0..100_000).step_by(97).chain(99_990..100_000) {
        let name = format!("refs/remotes/origin/r{i:05}");
        assert!(refs.lookup(name.as_bytes()).unwrap().is_some(), "{name}");
    }
    assert_eq!(refs.lookup(b"refs/remotes/origin/r2").unwrap(), None);
    assert_eq!(refs.lookup(b"refs/remotes/origin/r999999").unwrap(), None);
    assert_eq!(refs.lookup(b"zzz").unwrap(), None);
    assert_eq!(our_refs(&refs, "refs/remotes/origin/r9999").len(), 10);
    assert_eq!(our_refs(&refs, "refs/remotes/origin/").len(), 100_000);
    assert_eq!(our_refs(&refs, "refs/"), git_refs(&top));
}

#[test]
fn a_linked_worktree_reads_its_own_head_and_the_common_refs() {
    let (dir, top) = repository();
    git(&top, &["worktree", "add", "-q", "-b", "wt", "../wt", "HEAD~1"], None);
    git(&dir.path().join("wt"), &["bisect", "start"], None);
    git(&dir.path().join("wt"), &["update-ref", "refs/bisect/bad", "HEAD"], None);
    let git_dir = top.join(".git/worktrees/wt");
    let refs = Reftable::open(&git_dir, &top.join(".git")).unwrap();
    assert_eq!(refs.lookup(b"HEAD").unwrap().unwrap().value, Value::Symbolic(b"refs/heads/wt".to_vec()));
    assert_eq!(
        refs.lookup(b"main-worktree/HEAD").unwrap().unwrap().value,
        Value::Symbolic(b"refs/heads/main".to_vec())
    );
    let ours = open(&top);
    assert_eq!(ours.lookup(b"worktrees/wt/HEAD").unwrap().unwrap().value, Value::Symbolic(b"refs/heads/wt".to_vec()));
    assert!(refs.lookup(b"refs/bisect/bad").unwrap().is_some());
    assert!(ours.lookup(b"refs/bisect/bad").unwrap().is_none(), "the worktree's own");
    let listed = our_refs(&refs, "refs/");
    assert_eq!(listed, git_refs(&dir.path().join("wt")));
}

#[test]
fn libgit2_resolves_revisions_and_globs_through_the_backend() {
    let (dir, top) = repository();
    let rev = |rev: &str| git(&top, &["rev-parse", rev], None).trim().to_owned();
    let repo = Repo::at(&top).unwrap();
    for spec in ["HEAD", "main", "side", "v1", "v1^{commit}", "HEAD~1", "light", "main~1"] {
        assert_eq!(repo.rev_commit_id(spec).unwrap().to_string(), rev(&format!("{spec}^{{commit}}")), "{spec}");
    }
    let short = &rev("HEAD")[..7];
    assert_eq!(repo.rev_commit_id(short).unwrap().to_string(), rev("HEAD"));
    assert_eq!(repo.head_commit_id().unwrap().unwrap().to_string(), rev("HEAD"));
    assert!(matches!(repo.rev_commit_id("nope"), Err(crate::repo::Error::UnknownRevision { .. })));
    assert_eq!(repo.commits_of_refs("refs/tags/*").unwrap().len(), 2);
    let range = repo.commits_oldest_first(&[repo.rev_commit_id("main").unwrap()], &[]).unwrap();
    assert_eq!(range.len(), 2);

    // A clone: origin/HEAD and the remote-tracking branches.
    git(dir.path(), &["clone", "-q", "--ref-format=reftable", "r", "c"], None);
    let clone = Repo::at(&dir.path().join("c")).unwrap();
    assert_eq!(clone.commits_of_refs("refs/remotes/origin/*").unwrap().len(), 3, "HEAD, main, side");
    assert_eq!(clone.rev_commit_id("origin/main~1").unwrap().to_string(), rev("main~1"));
    assert_eq!(clone.rev_commit_id("origin/HEAD").unwrap().to_string(), rev("main"));

    // Detached, then an unborn branch.
    git(&top, &["checkout", "-q", "--detach", "HEAD~1"], None);
    assert_eq!(Repo::at(&top).unwrap().head_commit_id().unwrap().unwrap().to_string(), rev("main~1"));
    git(&top, &["checkout", "-q", "--orphan", "fresh"], None);
    assert_eq!(Repo::at(&top).unwrap().head_commit_id().unwrap(), None);
}

#[test]
fn writes_through_libgit2_are_refused() {
    let (_dir, top) = repository();
    let repo = Repo::at(&top).unwrap();
    let git = repo.git2();
    let head = git.head().unwrap().target().unwrap();
    assert!(git.reference("refs/heads/new", head, false, "no").is_err());
    assert!(git.find_reference("refs/heads/side").unwrap().delete().is_err());
    assert_eq!(git.references().unwrap().count(), git_refs(&top).len());
    assert_eq!(git.references_glob("refs/heads/*").unwrap().names().count(), 2);
    assert!(git.find_reference("HEAD").unwrap().symbolic_target().unwrap() == Some("refs/heads/main"));
}

#[test]
fn an_unknown_ref_storage_is_refused() {
    let (_dir, top) = repository();
    git(&top, &["config", "extensions.refStorage", "rocksdb"], None);
    match Repo::at(&top) {
        Err(crate::repo::Error::RefStorage { value, .. }) => assert_eq!(value, "rocksdb"),
        other => panic!("{:?}", other.err()),
    }
}

mod damage;
