//! `check --range A..B`: bytecode that commits brought, compared with `git log`'s answer.

use std::collections::BTreeMap;
use std::path::Path;

use predicates::prelude::*;

use crate::support::{TestRepo, one_line_error, parse_json, text};

/// `(path, first commit)` as `git log -c --diff-filter=AM` lists them, oldest first: what
/// every commit of the range (merges as a combined diff) added or modified.
fn git_first_commits(repo: &TestRepo, range: &str) -> BTreeMap<String, String> {
    let log = repo.git_stdout(&[
        "-c",
        "core.quotePath=false",
        "log",
        "-c",
        "--topo-order",
        "--reverse",
        "--diff-filter=AM",
        "--no-renames",
        "--name-only",
        "--format=commit %H",
        range,
    ]);
    let mut first = BTreeMap::new();
    let mut commit = String::new();
    for line in log.lines().filter(|l| !l.is_empty()) {
        if let Some(id) = line.strip_prefix("commit ") {
            commit = id.to_owned();
        } else if pycache_guard::classify(line.as_bytes()).is_some() {
            first.entry(line.to_owned()).or_insert_with(|| commit.clone());
        }
    }
    first
}

/// Our `(path, commit)` pairs, from the JSON report.
fn our_first_commits(repo: &TestRepo, range: &str) -> BTreeMap<String, String> {
    our_first_commits_in(repo, &repo.root, range)
}

/// [`our_first_commits`] run in the folder `dir`.
fn our_first_commits_in(repo: &TestRepo, dir: &Path, range: &str) -> BTreeMap<String, String> {
    let output = repo.guard_in(dir).args(["check", "--range", range, "--format", "json"]).output().unwrap();
    let json = parse_json(&output);
    let findings = json["findings"].as_array().unwrap();
    let expected_code = if findings.is_empty() { 0 } else { 1 };
    assert_eq!(output.status.code(), Some(expected_code), "{}", text(&output.stderr));
    findings
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["commit"].as_str().unwrap().to_owned()))
        .collect()
}

fn commit(repo: &TestRepo, files: &[&str], message: &str) -> String {
    repo.commit_bypassing_hooks(files, message);
    repo.head().unwrap()
}

#[test]
fn bytecode_removed_later_is_reported_with_the_commit_that_added_it() {
    let repo = TestRepo::with_commit();
    let first = repo.head().unwrap();
    let second = commit(&repo, &["a.pyc"], "2: add a.pyc");
    commit(&repo, &["b.py"], "3: ordinary");
    repo.git(&["rm", "-q", "a.pyc"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "4: remove a.pyc"]);
    assert!(!repo.committed_paths().contains(&"a.pyc".to_owned()), "HEAD no longer has it");

    let output = repo.guard().args(["check", "--range", &format!("{first}..HEAD")]).assert().code(1);
    let stdout = text(&output.get_output().stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with(&format!("a.pyc: error: bytecode file added by commit {}", &second[..12])), "{stdout}");
    assert_eq!(our_first_commits(&repo, &format!("{first}..HEAD")), BTreeMap::from([("a.pyc".into(), second)]));
}

/// A history with bytecode added, changed and removed, on top of `repo`'s first commit.
fn bytecode_history(repo: &TestRepo) {
    commit(repo, &["a.pyc", "a.py"], "add a.pyc");
    repo.write("a.pyc", "recompiled");
    repo.git(&["commit", "-q", "--no-verify", "-am", "change a.pyc"]);
    commit(repo, &["pkg/__pycache__/m.cpython-312.pyc"], "add a pycache file");
    repo.git(&["rm", "-q", "a.pyc"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "remove a.pyc"]);
    commit(repo, &["b.py"], "ordinary");
}

/// A commit unrelated to the history, so that `<it>..HEAD` is everything HEAD reaches.
fn unrelated_commit(repo: &TestRepo) -> String {
    let empty_tree = repo.git_stdout(&["mktree"]);
    repo.git_stdout(&["commit-tree", "-m", "unrelated", empty_tree.trim()]).trim().to_owned()
}

#[test]
fn a_shallow_clone_s_edge_commit_counts_as_a_root_like_git_log() {
    let origin = TestRepo::with_commit();
    bytecode_history(&origin);
    // Depth 3: the edge is "add a pycache file", whose parent (which changed a.pyc) is missing.
    let clone = origin.clone_with(&["--no-local", "--depth", "3"]);
    let range = format!("{}..HEAD", unrelated_commit(&clone));
    let ours = our_first_commits(&clone, &range);
    assert_eq!(ours, git_first_commits(&clone, &range));
    assert!(ours.contains_key("pkg/__pycache__/m.cpython-312.pyc"), "{ours:?}");
}

#[test]
fn bytecode_from_a_commit_without_parent_is_rewritten_with_rebase_root() {
    // The shallow edge is a root here: `<commit>~` does not exist, `git rebase -i --root` works.
    let origin = TestRepo::new();
    origin.commit_bypassing_hooks(&["first.pyc"], "root commit with bytecode");
    commit(&origin, &["b.py"], "second");
    let range = format!("{}..HEAD", unrelated_commit(&origin));
    let output = origin.guard().args(["check", "--range", &range]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(stdout.contains("without it (git rebase -i --root)"), "{stdout}");
    assert!(stderr.contains("(git rebase -i --root) instead"), "{stderr}");
    // A commit with a parent keeps `<commit>~`.
    commit(&origin, &["later.pyc"], "third");
    let output = origin.guard().args(["check", "--range", "HEAD~1..HEAD"]).output().unwrap();
    let head = origin.head().unwrap();
    assert!(text(&output.stdout).contains(&format!("(git rebase -i {}~)", &head[..12])), "{}", text(&output.stdout));
}

#[test]
fn a_linked_worktree_of_a_shallow_clone_walks_like_git_log() {
    let origin = TestRepo::with_commit();
    bytecode_history(&origin);
    let clone = origin.clone_with(&["--no-local", "--depth", "3"]);
    let worktree = clone.parent().join("linked");
    clone.git(&["worktree", "add", "-q", worktree.to_str().unwrap()]);
    let range = format!("{}..HEAD", unrelated_commit(&clone));
    let ours = our_first_commits_in(&clone, &worktree, &range);
    assert!(!ours.is_empty(), "bytecode found (exit 1)");
    assert_eq!(ours, git_first_commits(&clone, &range));
}

#[test]
fn grafts_give_commits_the_parents_git_log_sees() {
    // info/grafts is deprecated but git still honours it: with D grafted onto B, D brings
    // what C added.
    let repo = TestRepo::with_commit();
    let b = commit(&repo, &["b.py"], "B");
    commit(&repo, &["a.pyc"], "C adds a.pyc");
    let d = commit(&repo, &["d.py"], "D");
    std::fs::write(repo.root.join(".git/info/grafts"), format!("{d} {b}\n")).unwrap();
    let range = format!("{b}..{d}");
    let ours = our_first_commits(&repo, &range);
    assert_eq!(ours, git_first_commits(&repo, &range));
    assert_eq!(ours.get("a.pyc"), Some(&d), "{ours:?}");
}

#[test]
fn objects_in_an_alternate_are_read_too() {
    // `git clone --shared` borrows the origin's objects (objects/info/alternates): none are
    // in the clone's own packs or loose files.
    let origin = TestRepo::with_commit();
    bytecode_history(&origin);
    let clone = origin.clone_with(&["--shared"]);
    assert!(clone.root.join(".git/objects/info/alternates").exists());
    let range = format!("{}..HEAD", unrelated_commit(&clone));
    let ours = our_first_commits(&clone, &range);
    assert_eq!(ours, git_first_commits(&clone, &range));
    assert_eq!(ours.len(), 2, "{ours:?}");
    // The staged check looks HEAD up there too: a changed committed file is "modified".
    clone.write("pkg/__pycache__/m.cpython-312.pyc", "recompiled again");
    clone.git(&["add", "pkg/__pycache__/m.cpython-312.pyc"]);
    let output = clone.guard().args(["check", "-q"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).contains("m.cpython-312.pyc: error: tracked bytecode file modified and staged"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn history_without_bytecode_passes() {
    let repo = TestRepo::with_commit();
    let first = repo.head().unwrap();
    commit(&repo, &["src/a.py", "x.pyc.txt", "pycache.py"], "ordinary");
    commit(&repo, &["docs/b.md"], "more");
    repo.guard().args(["check", "--range", &format!("{first}..HEAD")]).assert().success().stdout("");
}

#[test]
fn the_excluded_end_is_not_checked() {
    let repo = TestRepo::with_commit();
    commit(&repo, &["legacy.pyc"], "legacy");
    let base = repo.head().unwrap();
    commit(&repo, &["ok.py"], "clean");
    repo.guard().args(["check", "--range", &format!("{base}..HEAD")]).assert().success();
    repo.guard().args(["check", "--range", "HEAD~2..HEAD"]).assert().code(1);
    // An empty side means HEAD, as in git.
    repo.guard().args(["check", "--range", "HEAD~2.."]).assert().code(1);
    repo.guard().args(["check", "--range", "HEAD.."]).assert().success();
}

#[test]
fn each_path_is_reported_once_with_its_first_commit_like_git_log() {
    let repo = TestRepo::with_commit();
    let start = repo.head().unwrap();
    commit(&repo, &["pkg/__pycache__/m.cpython-311.pyc", "pkg/m.py"], "bytecode in a package");
    repo.write("pkg/__pycache__/m.cpython-311.pyc", "recompiled");
    repo.git(&["commit", "-q", "--no-verify", "-am", "modified"]);
    commit(&repo, &["deep/er/X.PYO", "lib/x$py.class"], "more kinds");
    let x = repo.root.join("deep/er/X.PYO");
    std::fs::set_permissions(&x, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    repo.git(&["commit", "-q", "--no-verify", "-am", "mode change"]);
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~2"]);
    commit(&repo, &["side/s.pyc"], "side branch");
    repo.git(&["checkout", "-q", "main"]);
    commit(&repo, &["main.py"], "main moves on");
    repo.git(&["merge", "-q", "--no-edit", "--no-verify", "side"]);

    let ours = our_first_commits(&repo, &format!("{start}..HEAD"));
    let git = git_first_commits(&repo, &format!("{start}..HEAD"));
    assert_eq!(ours, git);
    assert_eq!(ours.len(), 4, "{ours:?}");
    // A range that starts after a file was added reports the commit that modified it.
    let base =
        repo.git_stdout(&["rev-list", "--reverse", &format!("{start}..HEAD")]).lines().next().unwrap().to_owned();
    let ours = our_first_commits(&repo, &format!("{base}..HEAD"));
    assert_eq!(ours, git_first_commits(&repo, &format!("{base}..HEAD")));
    assert!(ours.contains_key("pkg/__pycache__/m.cpython-311.pyc"), "the modification counts: {ours:?}");
}

#[test]
fn a_merge_is_charged_only_with_what_it_made_itself() {
    let repo = TestRepo::with_commit();
    let start = repo.head().unwrap();
    repo.git(&["checkout", "-q", "-b", "side"]);
    let side = commit(&repo, &["side.pyc"], "side adds bytecode");
    repo.git(&["checkout", "-q", "main"]);
    commit(&repo, &["main.py"], "main");
    repo.git(&["merge", "-q", "--no-commit", "side"]);
    repo.stage(&["evil.pyc"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "merge with a resolution that adds bytecode"]);
    let merge = repo.head().unwrap();

    let ours = our_first_commits(&repo, &format!("{start}..HEAD"));
    assert_eq!(ours, BTreeMap::from([("evil.pyc".into(), merge.clone()), ("side.pyc".into(), side)]));
    assert_eq!(ours, git_first_commits(&repo, &format!("{start}..HEAD")));
    // With the side branch already known (excluded), its bytecode came through the merge
    // from a parent that had it: only what the merge made is reported.
    let ours = our_first_commits(&repo, "side..HEAD");
    assert_eq!(ours, BTreeMap::from([("evil.pyc".into(), merge)]));
}

/// `git fast-import` of `commits` commits on `main` after `HEAD`, each changing a module.
/// `extra(c)` gives commands to import before commit `c` (another branch's commits) and
/// commands to add to it (`merge`, file changes). Commit `c` gets mark `:c`.
fn import_history(repo: &TestRepo, commits: u32, extra: impl Fn(u32) -> (String, String)) {
    let mut stream = String::new();
    let start = repo.head().unwrap();
    for c in 1..=commits {
        let (before, inside) = extra(c);
        stream += &before;
        stream += &format!("commit refs/heads/main\nmark :{c}\n");
        stream += &format!("committer T <t@example.invalid> {} +0000\ndata 2\nc\n", 1_700_000_000 + c);
        if c == 1 {
            stream += &format!("from {start}\n");
        }
        stream += &inside;
        stream += &format!("M 100644 inline src/m{}.py\ndata 5\n{c:04}\n", c % 7);
    }
    repo.git_with_input(&["fast-import", "--quiet"], &stream);
    repo.git(&["reset", "-q", "--hard", "main"]);
}

#[test]
fn a_long_history_shared_among_workers_agrees_with_git_log() {
    // Long enough for several blocks of commits (history.rs shares them among workers):
    // bytecode arrives on both sides of block edges, is removed and comes back changed, and
    // a merge brings a side branch's bytecode and makes some of its own.
    let repo = TestRepo::with_commit();
    let start = repo.head().unwrap();
    let pyc = |path: &str, content: &str| format!("M 100644 inline {path}\ndata {}\n{content}\n", content.len());
    import_history(&repo, 800, |c| match c {
        255 | 256 | 257 | 511 | 512 | 513 => (String::new(), pyc(&format!("pkg/__pycache__/m{c}.pyc"), "pyc")),
        300 => (String::new(), "D pkg/__pycache__/m256.pyc\n".into()),
        600 => (String::new(), pyc("pkg/__pycache__/m256.pyc", "pyc2")),
        700 => (String::new(), "M 100755 inline pkg/__pycache__/m511.pyc\ndata 3\npyc\n".into()),
        // A side branch off commit 400 that adds bytecode, merged by commit 402 together
        // with bytecode of the merge's own.
        401 => {
            let side = "commit refs/heads/side\nmark :9401\ncommitter T <t@example.invalid> 1700000400 +0000\n\
                        data 2\ns\nfrom :400\n";
            (side.to_owned() + &pyc("side/s.pyc", "pyc"), String::new())
        }
        402 => ("".into(), "merge :9401\n".to_owned() + &pyc("evil.pyo", "x")),
        _ => (String::new(), String::new()),
    });
    let range = format!("{start}..main");
    let ours = our_first_commits(&repo, &range);
    assert_eq!(ours, git_first_commits(&repo, &range));
    assert_eq!(ours.len(), 8, "{ours:?}");
    // Starting inside the history: m256.pyc was removed before the range and comes back.
    let middle = repo.git_stdout(&["rev-parse", "main~300"]);
    let range = format!("{}..main", middle.trim());
    assert_eq!(our_first_commits(&repo, &range), git_first_commits(&repo, &range));
}

#[test]
fn works_in_a_bare_repository() {
    let repo = TestRepo::with_commit();
    let first = repo.head().unwrap();
    commit(&repo, &["a.pyc"], "bytecode");
    let bare = repo.parent().join("bare.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    repo.guard_in(&bare)
        .args(["check", "--range", &format!("{first}..main")])
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("a.pyc: error"));
}

#[test]
fn bad_ranges_are_errors() {
    let repo = TestRepo::with_commit();
    for range in ["nope", "HEAD...HEAD", "nope..HEAD"] {
        let output = repo.guard().args(["check", "--range", range]).output().unwrap();
        one_line_error(&output, range.trim_end_matches("..HEAD"));
    }
}

#[test]
fn a_corrupt_tree_is_an_error_not_a_pass() {
    let repo = TestRepo::with_commit();
    let start = repo.head().unwrap();
    let garbage = repo.parent().join("garbage");
    std::fs::write(&garbage, b"100644 a.pyc\0short").unwrap();
    let tree = repo.git_stdout(&["hash-object", "--literally", "-t", "tree", "-w", garbage.to_str().unwrap()]);
    let commit = repo.git_stdout(&["commit-tree", "-p", &start, "-m", "corrupt", tree.trim()]);
    let output = repo.guard().args(["check", "--range", &format!("{start}..{}", commit.trim())]).output().unwrap();
    one_line_error(&output, &format!("tree {} is corrupt", tree.trim()));
}
