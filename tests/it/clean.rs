//! `clean`: each rule of docs/reference.md's `clean`, through the binary, in real repositories; what
//! stays is checked against git (`git status`, `git ls-files`).

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{TestRepo, index_has_extension, is_root, text};

/// Every file and symlink under `dir` (not `.git`'s insides unless asked), as sorted
/// paths relative to `dir`; folders end in `/`.
fn tree(dir: &Path, into_git: bool) -> Vec<String> {
    let mut found = Vec::new();
    walk(dir, dir, into_git, &mut found);
    found.sort();
    found
}

fn walk(top: &Path, dir: &Path, into_git: bool, found: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let relative = text(path.strip_prefix(top).unwrap().as_os_str().as_bytes());
        if entry.file_type().unwrap().is_dir() {
            found.push(format!("{relative}/"));
            if into_git || entry.file_name() != ".git" {
                walk(top, &path, into_git, found);
            }
        } else {
            found.push(relative);
        }
    }
}

fn write_all(repo: &TestRepo, paths: &[&str]) {
    for path in paths {
        repo.write(path, "bytes\n");
    }
}

fn exists(repo: &TestRepo, path: &str) -> bool {
    fs::symlink_metadata(repo.root.join(path)).is_ok()
}

fn clean(repo: &TestRepo, dir: &Path, args: &[&str]) -> Output {
    repo.guard_in(dir).arg("clean").args(args).output().unwrap()
}

fn stdout_lines(output: &Output) -> Vec<String> {
    text(&output.stdout).lines().map(str::to_owned).collect()
}

/// Untracked bytecode of every kind, ignored by the `.gitignore`, beside near misses that
/// are not bytecode.
const UNTRACKED_BYTECODE: &[&str] = &[
    "pkg/__pycache__/m.cpython-312.pyc",
    "pkg/__pycache__/m.cpython-312.opt-1.pyc",
    "pkg/__pycache__/nested/deeper/notes.txt",
    "pkg/sub/__pycache__/n.cpython-311.pyc",
    "stray.pyc",
    "pkg/OLD.PYO",
    "jy/mod$py.class",
];
const NOT_BYTECODE: &[&str] =
    &["ext.pyd", "ext.cpython-312-x86_64-linux-gnu.so", "pycache.py", "x.pyc.txt", "a.pyc/b.py"];

fn repo_with_bytecode() -> TestRepo {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.commit_bypassing_hooks(
        &["tests/fixtures/old.pyc", "pkg/__pycache__/tracked.cpython-312.pyc", "pkg/m.py"],
        "legacy bytecode",
    );
    write_all(&repo, UNTRACKED_BYTECODE);
    write_all(&repo, NOT_BYTECODE);
    repo
}

#[test]
fn deletes_untracked_bytecode_and_keeps_tracked_files_and_git_status_clean() {
    let repo = repo_with_bytecode();
    let tracked = repo.git_stdout(&["ls-files"]);
    let status = repo.git_stdout(&["status", "--porcelain"]);
    // The bytecode is ignored: the walk must enter what git ignores.
    let ignored = repo.git_stdout(&["status", "--porcelain", "--ignored", "--untracked-files=all"]);
    // (`*.py[cod]` does not match `OLD.PYO`: git's patterns are case-sensitive; it is still
    // bytecode by the bytecode rule.)
    for path in UNTRACKED_BYTECODE.iter().filter(|path| !path.ends_with(".PYO")) {
        assert!(ignored.contains(&format!("!! {path}\n")), "{path} is ignored: {ignored}");
    }

    let output = clean(&repo, &repo.root, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    for path in UNTRACKED_BYTECODE {
        assert!(!exists(&repo, path), "{path} deleted");
    }
    for path in NOT_BYTECODE.iter().chain(&["tests/fixtures/old.pyc", "pkg/__pycache__/tracked.cpython-312.pyc"]) {
        assert!(exists(&repo, path), "{path} kept");
    }
    // The emptied folders inside __pycache__ went; the one holding a tracked file stays.
    assert!(!exists(&repo, "pkg/sub/__pycache__") && !exists(&repo, "pkg/__pycache__/nested"));
    assert!(exists(&repo, "pkg/__pycache__") && exists(&repo, "pkg/sub") && exists(&repo, "jy"));
    // git sees no change but the untracked bytecode gone: nothing tracked was deleted.
    assert!(status.contains("?? pkg/OLD.PYO\n"), "{status}");
    assert_eq!(repo.git_stdout(&["status", "--porcelain"]), status.replace("?? pkg/OLD.PYO\n", ""));
    assert_eq!(repo.git_stdout(&["ls-files"]), tracked);
    // The tracked ones are named, with the command that untracks them.
    assert!(stderr.contains("kept pkg/__pycache__/tracked.cpython-312.pyc: tracked by git"), "{stderr}");
    assert!(stderr.contains("kept tests/fixtures/old.pyc: tracked by git"), "{stderr}");
    assert!(
        stderr.contains("git rm --cached -- pkg/__pycache__/tracked.cpython-312.pyc tests/fixtures/old.pyc"),
        "{stderr}"
    );
    assert!(stderr.contains("deleted 7 files and 3 folders (42 bytes freed)"), "{stderr}");
}

#[test]
fn dry_run_lists_what_it_would_delete_and_deletes_nothing() {
    let repo = repo_with_bytecode();
    let before = tree(&repo.root, true);
    let output = clean(&repo, &repo.root, &["--dry-run"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(tree(&repo.root, true), before, "nothing changed");
    let mut files: Vec<String> = UNTRACKED_BYTECODE.iter().map(|p| p.to_string()).collect();
    files.sort();
    let folders = ["pkg/sub/__pycache__/", "pkg/__pycache__/nested/deeper/", "pkg/__pycache__/nested/"];
    files.extend(folders.iter().map(|p| p.to_string()));
    assert_eq!(stdout_lines(&output), files);
    assert!(text(&output.stderr).contains("would delete 7 files and 3 folders"), "{}", text(&output.stderr));
    // What it listed is what a real run deletes.
    let real = clean(&repo, &repo.root, &["-v"]);
    let listed: Vec<String> = text(&real.stderr)
        .lines()
        .filter_map(|line| line.strip_prefix("pycache-guard: deleted ").filter(|rest| !rest.contains(" files and ")))
        .map(str::to_owned)
        .collect();
    assert_eq!(listed, files);
}

#[test]
fn a_second_run_is_a_no_op() {
    let repo = repo_with_bytecode();
    repo.guard().arg("clean").assert().success();
    let after_first = tree(&repo.root, true);
    let output = clean(&repo, &repo.root, &[]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(tree(&repo.root, true), after_first);
    assert!(text(&output.stderr).contains("no Python bytecode to delete"), "{}", text(&output.stderr));
    let dry = clean(&repo, &repo.root, &["--dry-run"]);
    assert!(dry.stdout.is_empty(), "{}", text(&dry.stdout));
}

#[test]
fn allow_listed_bytecode_is_kept() {
    let repo = TestRepo::with_commit();
    repo.write(".pycache-guard.toml", "allow = [\"golden/\", \"tests/fixtures/**/*.pyc\"]\n");
    write_all(&repo, &["golden/__pycache__/g.cpython-312.pyc", "tests/fixtures/a/f.pyc", "tests/other.pyc"]);
    let output = clean(&repo, &repo.root, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(exists(&repo, "golden/__pycache__/g.cpython-312.pyc") && exists(&repo, "tests/fixtures/a/f.pyc"));
    assert!(!exists(&repo, "tests/other.pyc"));
    assert!(stderr.contains("kept golden/__pycache__/g.cpython-312.pyc: allowed by"), "{stderr}");
    assert!(stderr.contains(".pycache-guard.toml"), "{stderr}");
    assert!(!stderr.contains("git rm"), "an allowed file is deliberate: {stderr}");
}

#[test]
fn a_broken_config_stops_before_anything_is_deleted() {
    let repo = TestRepo::with_commit();
    repo.write(".pycache-guard.toml", "alow = []\n");
    write_all(&repo, &["x.pyc"]);
    let output = clean(&repo, &repo.root, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("key `alow`"), "{}", text(&output.stderr));
    assert!(exists(&repo, "x.pyc"));
}

#[test]
fn symlinks_are_never_followed() {
    let repo = TestRepo::with_commit();
    let outside = repo.parent().join("outside");
    fs::create_dir_all(outside.join("__pycache__")).unwrap();
    fs::write(outside.join("__pycache__/o.cpython-312.pyc"), "x").unwrap();
    fs::write(outside.join("target.pyc"), "x").unwrap();
    std::os::unix::fs::symlink(&outside, repo.root.join("link")).unwrap();
    // A symlink that is itself bytecode by name goes, as a file would; never what it points to.
    std::os::unix::fs::symlink(outside.join("target.pyc"), repo.root.join("alias.pyc")).unwrap();
    let before = tree(&outside, true);

    repo.guard().arg("clean").assert().success();
    assert_eq!(tree(&outside, true), before);
    assert!(exists(&repo, "link") && !exists(&repo, "alias.pyc"));
    // Named, it is still not followed.
    repo.guard().args(["clean", "link", "link/"]).assert().success();
    repo.guard().args(["clean", "link/__pycache__"]).assert().code(2);
    assert_eq!(tree(&outside, true), before);
}

#[test]
fn virtualenvs_and_tool_folders_are_skipped_unless_named() {
    let repo = TestRepo::with_commit();
    let inside = [
        ".venv/lib/python3.12/site-packages/pkg/__pycache__/m.cpython-312.pyc",
        "env2/lib/x.pyc",
        ".tox/py312/lib/y.pyc",
        ".nox/tests/z.pyc",
        "web/node_modules/pkg/w.pyc",
    ];
    write_all(&repo, &inside);
    write_all(&repo, &[".venv/pyvenv.cfg", "env2/pyvenv.cfg", "mine.pyc"]);
    let output = clean(&repo, &repo.root, &["-v"]);
    assert_eq!(output.status.code(), Some(0));
    for path in inside {
        assert!(exists(&repo, path), "{path} kept");
    }
    assert!(!exists(&repo, "mine.pyc"));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("skipped .venv/ (a virtual environment)"), "{stderr}");
    assert!(stderr.contains("skipped web/node_modules/ (a folder another tool manages)"), "{stderr}");

    repo.guard().args(["clean", ".venv", ".tox"]).assert().success();
    assert!(!exists(&repo, inside[0]) && !exists(&repo, ".venv/lib/python3.12/site-packages/pkg/__pycache__"));
    assert!(!exists(&repo, inside[2]));
    assert!(exists(&repo, ".venv/pyvenv.cfg") && exists(&repo, inside[1]) && exists(&repo, inside[3]));
    // From inside a virtual environment, it is named too.
    repo.guard_in(&repo.root.join("env2")).args(["clean", "."]).assert().success();
    assert!(!exists(&repo, inside[1]));
}

#[test]
fn nested_repositories_and_git_folders_are_untouched() {
    let repo = TestRepo::with_commit();
    let nested = repo.root.join("vendor/other");
    fs::create_dir_all(&nested).unwrap();
    repo.git_in(&nested, &["init", "-q"]);
    fs::create_dir_all(nested.join("__pycache__")).unwrap();
    fs::write(nested.join("__pycache__/v.cpython-312.pyc"), "x").unwrap();
    fs::write(nested.join("tracked_there.pyc"), "x").unwrap();
    // A submodule-like `.git` file marks a repository too.
    write_all(&repo, &["sub/.git", "sub/s.pyc"]);
    fs::write(repo.root.join("sub/.git"), "gitdir: ../.git/modules/sub\n").unwrap();
    write_all(&repo, &[".git/hooks/__pycache__/h.cpython-312.pyc", ".git/stray.pyc", "top.pyc"]);
    let git_before = tree(&repo.root.join(".git"), true);
    let nested_before = tree(&nested, true);

    let output = clean(&repo, &repo.root, &["-v"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(!exists(&repo, "top.pyc"));
    assert_eq!(tree(&nested, true), nested_before);
    assert!(exists(&repo, "sub/s.pyc"));
    assert_eq!(tree(&repo.root.join(".git"), true), git_before);
    assert!(text(&output.stderr).contains("skipped vendor/other/ (another repository)"));

    // Named: refused, with the way to clean it; nothing deleted.
    for named in ["vendor/other", "vendor/other/__pycache__", ".git", ".git/hooks"] {
        write_all(&repo, &["again.pyc"]);
        let output = clean(&repo, &repo.root, &[named, "."]);
        assert_eq!(output.status.code(), Some(2), "{named}");
        assert!(exists(&repo, "again.pyc"), "refused before deleting anything");
        let stderr = text(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("another repository") || stderr.contains(".git folder"), "{stderr}");
    }
    assert_eq!(tree(&nested, true), nested_before);
    // From inside it, it is that repository's clean.
    repo.guard_in(&nested).arg("clean").assert().success();
    assert!(!exists(&repo, "vendor/other/tracked_there.pyc"));
}

#[test]
fn paths_limit_the_clean() {
    let repo = TestRepo::with_commit();
    write_all(&repo, &["a/__pycache__/x.cpython-312.pyc", "a/y.pyc", "b/z.pyc", "c/w.pyc", "top.pyc"]);
    // Overlapping paths are cleaned once, without errors.
    let output = clean(&repo, &repo.root, &["a", "a/__pycache__", "c/w.pyc", "a/y.pyc"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(!exists(&repo, "a/__pycache__") && !exists(&repo, "a/y.pyc") && !exists(&repo, "c/w.pyc"));
    assert!(exists(&repo, "b/z.pyc") && exists(&repo, "top.pyc"));
    // A path outside the worktree, or missing: exit 2, nothing deleted.
    for bad in ["..", "missing"] {
        let output = clean(&repo, &repo.root, &[bad, "b"]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(exists(&repo, "b/z.pyc"));
    }
    // A folder named __pycache__ as the path is removed once emptied.
    write_all(&repo, &["d/__pycache__/q.pyc"]);
    repo.guard().args(["clean", "d/__pycache__"]).assert().success();
    assert!(!exists(&repo, "d/__pycache__") && exists(&repo, "d"));
}

#[test]
fn from_a_subfolder_the_top_named_is_cleaned_whole_and_paths_are_relative() {
    let repo = repo_with_bytecode();
    let sub = repo.root.join("pkg/sub");
    // With no path, clean starts where it stands, as `git clean` and `find .` do.
    let here = stdout_lines(&clean(&repo, &sub, &["--dry-run"]));
    assert!(here.iter().all(|line| !line.starts_with("../")), "{here:?}");
    let output = clean(&repo, &sub, &["--dry-run", "../.."]);
    let lines = stdout_lines(&output);
    assert!(lines.contains(&"../../stray.pyc".to_owned()), "{lines:?}");
    assert!(lines.contains(&"__pycache__/".to_owned()), "{lines:?}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("git rm --cached -- ../__pycache__/tracked.cpython-312.pyc ../../tests/fixtures/old.pyc"));
    repo.guard_in(&sub).args(["clean", "../.."]).assert().success();
    assert!(!exists(&repo, "stray.pyc") && !exists(&repo, "jy/mod$py.class"));
    assert!(exists(&repo, "tests/fixtures/old.pyc"));
    // An absolute path inside the worktree is the same as a relative one.
    write_all(&repo, &["pkg/abs.pyc", "top.pyc"]);
    repo.guard_in(&sub).args(["clean"]).arg(repo.root.join("pkg")).assert().success();
    assert!(!exists(&repo, "pkg/abs.pyc") && exists(&repo, "top.pyc"));
    // `-C` is the same as standing there; a path is taken from the folder it names.
    write_all(&repo, &["pkg/again.pyc", "other.pyc"]);
    repo.guard().args(["-C", "pkg", "clean", "again.pyc"]).assert().success();
    assert!(!exists(&repo, "pkg/again.pyc") && exists(&repo, "other.pyc"));
}

#[test]
fn outside_a_repository_the_current_folder_is_cleaned() {
    let repo = TestRepo::with_commit();
    let plain = repo.parent().join("plain");
    fs::create_dir_all(plain.join("pkg/__pycache__")).unwrap();
    for file in ["pkg/__pycache__/m.cpython-312.pyc", "x.pyc", "keep.py", "fixture.pyc"] {
        fs::write(plain.join(file), "x").unwrap();
    }
    fs::write(plain.join(".pycache-guard.toml"), "allow = [\"fixture.pyc\"]\n").unwrap();
    let output = repo.guard_in(&plain).args(["clean", "--dry-run"]).output().unwrap();
    assert_eq!(stdout_lines(&output), ["pkg/__pycache__/m.cpython-312.pyc", "x.pyc", "pkg/__pycache__/"]);
    repo.guard_in(&plain).arg("clean").assert().success();
    assert_eq!(tree(&plain, true), [".pycache-guard.toml", "fixture.pyc", "keep.py", "pkg/"]);
    // A folder beside the current one: judged from its own name, shown as reached.
    let beside = repo.parent().join("beside");
    fs::create_dir_all(beside.join("__pycache__/deep")).unwrap();
    fs::write(beside.join("__pycache__/deep/b.pyc"), "x").unwrap();
    fs::write(beside.join("c.pyc"), "x").unwrap();
    let output = repo.guard_in(&plain).args(["clean", "--dry-run", "../beside"]).output().unwrap();
    let shown = beside.canonicalize().unwrap().display().to_string();
    assert_eq!(
        stdout_lines(&output),
        [
            format!("{shown}/__pycache__/deep/b.pyc"),
            format!("{shown}/c.pyc"),
            format!("{shown}/__pycache__/deep/"),
            format!("{shown}/__pycache__/")
        ]
    );
    repo.guard_in(&plain).args(["clean", "../beside/__pycache__/deep"]).assert().success();
    assert_eq!(tree(&beside, true), ["__pycache__/", "c.pyc"]);
    // A repository named from outside is refused: its index decides what is tracked.
    write_all(&repo, &["r.pyc"]);
    let output = repo.guard_in(&plain).args(["clean", repo.root.to_str().unwrap()]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("another repository"), "{}", text(&output.stderr));
    assert!(exists(&repo, "r.pyc"));
}

#[test]
fn names_that_are_not_utf8_are_judged_and_quoted_like_git() {
    let repo = TestRepo::with_commit();
    repo.write(b"caf\xe9.pyc", "x");
    repo.write(b"tracked\xff.pyc", "x");
    repo.git(&["add", "-f", "."]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "odd names"]);
    repo.write(b"new\xfe/__pycache__/m.pyc", "x");
    let output = clean(&repo, &repo.root, &["--dry-run"]);
    // Only what git does not track: caf\xe9.pyc is tracked, the new folder is not.
    assert_eq!(stdout_lines(&output), [r#""new\376/__pycache__/m.pyc""#, r#""new\376/__pycache__/""#]);
    let stderr = text(&output.stderr);
    assert!(stderr.contains(r#"kept "caf\351.pyc": tracked by git"#), "{stderr}");
    assert!(stderr.contains(r#"kept "tracked\377.pyc": tracked by git"#), "{stderr}");
    assert!(stderr.contains(r"git rm --cached -- $'caf\351.pyc' $'tracked\377.pyc'"), "{stderr}");
    repo.guard().arg("clean").assert().success();
    assert!(!repo.root.join(std::ffi::OsStr::from_bytes(b"new\xfe/__pycache__")).exists());
    assert!(repo.git_stdout(&["status", "--porcelain"]).is_empty());
}

/// Bytecode tracked inside a sparse directory of a sparse index, or only in the shared
/// index of a split index, is tracked all the same.
#[test]
fn tracked_files_of_sparse_and_split_indexes_are_kept() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["in/a.py", "out/__pycache__/b.cpython-312.pyc", "shared.pyc"], "legacy");
    repo.git(&["sparse-checkout", "init", "--cone", "--sparse-index"]);
    repo.git(&["sparse-checkout", "set", "in"]);
    assert!(index_has_extension(&repo, b"sdir"), "the index is sparse");
    assert!(!exists(&repo, "out"), "outside the sparse checkout");
    // Someone (a tool, or Python itself) writes the tracked file's path anyway.
    write_all(&repo, &["out/__pycache__/b.cpython-312.pyc", "out/__pycache__/c.cpython-312.pyc"]);
    let output = clean(&repo, &repo.root, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(exists(&repo, "out/__pycache__/b.cpython-312.pyc"), "tracked inside a sparse directory");
    assert!(!exists(&repo, "out/__pycache__/c.cpython-312.pyc"));

    let split = TestRepo::with_commit();
    split.commit_bypassing_hooks(&["shared.pyc", "a.py"], "legacy");
    split.git(&["config", "splitIndex.maxPercentChange", "100"]);
    split.git(&["update-index", "--split-index"]);
    split.stage(&["later.pyc"]);
    assert!(index_has_extension(&split, b"link"), "the index is split");
    write_all(&split, &["untracked.pyc"]);
    split.guard().arg("clean").assert().success();
    assert!(exists(&split, "shared.pyc") && exists(&split, "later.pyc") && !exists(&split, "untracked.pyc"));
}

#[test]
fn a_file_that_cannot_be_deleted_is_named_and_the_rest_is_done() {
    let repo = TestRepo::with_commit();
    write_all(&repo, &["stuck/__pycache__/s.cpython-312.pyc", "a.pyc", "z/__pycache__/b.cpython-312.pyc"]);
    let Some(_undo) = Undeletable::make(&repo.root.join("stuck/__pycache__/s.cpython-312.pyc")) else {
        return;
    };
    let output = clean(&repo, &repo.root, &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: cannot delete stuck/__pycache__/s.cpython-312.pyc: "), "{stderr}");
    assert!(stderr.contains("deleted 2 files and 1 folder"), "{stderr}");
    assert!(stderr.contains("1 path could not be deleted or read"), "{stderr}");
    assert!(!exists(&repo, "a.pyc") && !exists(&repo, "z/__pycache__"), "the rest is done");
    assert!(exists(&repo, "stuck/__pycache__/s.cpython-312.pyc"), "its folder stays, and no error for it");
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
}

/// A file this process cannot delete: the folder made read-only for an ordinary user; as
/// root, whom permissions do not stop, the file made immutable (`chattr +i`). Undone on drop.
struct Undeletable {
    path: PathBuf,
    as_root: bool,
}

impl Undeletable {
    fn make(file: &Path) -> Option<Undeletable> {
        let as_root = is_root();
        let undo = Undeletable { path: file.to_path_buf(), as_root };
        if as_root {
            let chattr = std::process::Command::new("chattr").arg("+i").arg(file).output();
            if !chattr.is_ok_and(|out| out.status.success()) {
                eprintln!("skipped: running as root and `chattr +i` is not available here, so no file is undeletable");
                return None;
            }
        } else {
            set_mode(file.parent().unwrap(), 0o555);
        }
        Some(undo)
    }
}

impl Drop for Undeletable {
    fn drop(&mut self) {
        if self.as_root {
            let _ = std::process::Command::new("chattr").arg("-i").arg(&self.path).status();
        } else {
            set_mode(self.path.parent().unwrap(), 0o755);
        }
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn quiet_prints_only_errors_and_no_progress_line_without_a_terminal() {
    let repo = repo_with_bytecode();
    let output = clean(&repo, &repo.root, &["-q"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty() && output.stdout.is_empty(), "{}", text(&output.stderr));
    write_all(&repo, &["x.pyc"]);
    let output = clean(&repo, &repo.root, &[]);
    assert!(!text(&output.stderr).contains('\r'), "no progress line in a pipe");
}
