//! The first hour with the tool: a run that passes says so, every printed fix is a command
//! that works where it is printed (each is run here, and git's answer checked), the whole
//! history can be checked, repositories are found as git finds them, and paths read from
//! where you stand.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::support::{TestRepo, text};

/// Runs a printed command with `sh` in `dir`, in the tests' isolated environment (our
/// binary first on `PATH`), as a person would paste it.
fn run_printed(repo: &TestRepo, dir: &Path, command: &str, env: &[(&str, &str)]) -> Output {
    // The environment `git_command_in` gives git, given to sh.
    let git = repo.git_command_in(dir);
    let mut shell = std::process::Command::new("sh");
    shell.current_dir(dir).arg("-c").arg(command);
    for (key, value) in git.get_envs() {
        match value {
            Some(value) => shell.env(key, value),
            None => shell.env_remove(key),
        };
    }
    for (key, value) in env {
        shell.env(key, value);
    }
    shell.output().expect("run sh")
}

/// The command after `fix: ` on the finding line for `path`.
fn fix_of(stdout: &str, path: &str) -> String {
    let line = stdout.lines().find(|line| line.starts_with(&format!("{path}:"))).unwrap_or_else(|| panic!("{stdout}"));
    line.split_once("; fix: ").unwrap().1.to_owned()
}

/// The command after the last `: ` of the summary line that starts with `start`.
fn summary_command(stderr: &str, start: &str) -> String {
    let line = stderr.lines().find(|line| line.starts_with(start)).unwrap_or_else(|| panic!("{start}: {stderr}"));
    line.rsplit_once(": ").unwrap().1.to_owned()
}

/// A sequence editor that accepts git's rebase todo list only when it picks `commit` (the
/// list names commits by git's 7-digit abbreviation), and then stops the rebase at once
/// (`break`), so that it rewrites nothing.
fn todo_holds(commit: &str) -> String {
    format!("f() {{ grep -q '^pick {}' \"$1\" && echo break >\"$1\"; }}; f", &commit[..7])
}

fn stderr_of(output: &Output) -> String {
    text(&output.stderr)
}

#[test]
fn the_ci_modes_say_what_they_checked_and_the_hook_stays_silent() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.write("pkg/a.py", "x = 1\n");
    repo.git(&["add", "pkg/a.py"]);
    repo.git(&["commit", "-q", "-m", "a"]);
    let tracked = repo.git_stdout(&["ls-files"]).lines().count();
    let in_tree = repo.git_stdout(&["ls-tree", "-r", "HEAD~1"]).lines().count();
    let commits = repo.git_stdout(&["rev-list", "HEAD~2..HEAD"]).lines().count();
    let expect = [
        (vec!["check", "--all"], format!("pycache-guard: checked {tracked} tracked files: no Python bytecode\n")),
        (
            vec!["check", "--rev", "HEAD~1"],
            format!("pycache-guard: checked {in_tree} files of HEAD~1: no Python bytecode\n"),
        ),
        (
            vec!["check", "--range", "HEAD~2..HEAD"],
            format!("pycache-guard: checked {commits} commits of HEAD~2..HEAD: none added Python bytecode\n"),
        ),
        (
            vec!["check", "--range", "HEAD~1..HEAD"],
            "pycache-guard: checked 1 commit of HEAD~1..HEAD: none added Python bytecode\n".to_owned(),
        ),
        (vec!["check", "--range", "..HEAD"], "pycache-guard: ..HEAD holds no commit: nothing to check\n".to_owned()),
    ];
    for (args, line) in expect {
        let output = repo.guard().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(stderr_of(&output), line, "{args:?}");
        let quiet = repo.guard().arg("-q").args(&args).output().unwrap();
        assert_eq!((quiet.status.code(), stderr_of(&quiet)), (Some(0), String::new()), "-q {args:?}");
    }
    // The staged check, as the hook runs it, says nothing when it passes.
    repo.install_hook();
    repo.write("pkg/b.py", "y = 2\n");
    repo.git(&["add", "pkg/b.py"]);
    let commit = repo.try_git(&["commit", "-q", "-m", "b"]);
    assert_eq!((commit.status.code(), stderr_of(&commit)), (Some(0), String::new()));
    let staged = repo.guard().arg("check").output().unwrap();
    assert_eq!(stderr_of(&staged), "");
}

#[test]
fn a_push_that_passes_says_how_many_commits_it_checked() {
    let remote = TestRepo::new();
    remote.git(&["config", "receive.denyCurrentBranch", "ignore"]);
    let repo = remote.clone_with(&[]);
    repo.git(&["config", "push.default", "current"]);
    repo.commit_complete_gitignore();
    repo.write("a.py", "x = 1\n");
    repo.git(&["add", "a.py"]);
    repo.git(&["commit", "-q", "-m", "a"]);
    repo.guard().args(["install", "--pre-push"]).assert().success();
    let push = repo.try_git(&["push", "-q", "origin", "HEAD:refs/heads/main"]);
    let stderr = stderr_of(&push);
    assert_eq!(push.status.code(), Some(0), "{stderr}");
    let commits = repo.git_stdout(&["rev-list", "HEAD"]).lines().count();
    assert!(
        stderr.contains(&format!("pycache-guard: checked {commits} pushed commits: none added Python bytecode")),
        "{stderr}"
    );
}

#[test]
fn one_revision_checks_its_whole_history_root_commits_included() {
    let repo = TestRepo::new();
    repo.commit_bypassing_hooks(&["a.pyc", "README.md"], "root, with bytecode");
    repo.git(&["rm", "-q", "--cached", "a.pyc"]);
    repo.git(&["commit", "-q", "-m", "untrack a.pyc"]);
    repo.commit_bypassing_hooks(&["pkg/__pycache__/b.cpython-312.pyc"], "b");
    repo.write("pkg/__pycache__/b.cpython-312.pyc", "changed\n");
    repo.git(&["commit", "-q", "--no-verify", "-am", "change b"]);
    // What git log lists for the whole history, bytecode paths only.
    let logged: std::collections::BTreeSet<String> = repo
        .git_stdout(&["log", "--diff-filter=AM", "--name-only", "--format=", "HEAD"])
        .lines()
        .filter(|path| path.ends_with(".pyc"))
        .map(str::to_owned)
        .collect();
    let json = crate::support::run_json(&repo, &["check", "--range", "HEAD", "--format", "json"], 1);
    let found: std::collections::BTreeSet<String> =
        json["findings"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect();
    assert_eq!(found, logged);
    // The root commit's file is rewritten with --root, which git accepts; the todo list holds
    // the commit.
    let output = repo.guard().args(["check", "--range", "HEAD"]).output().unwrap();
    let stdout = text(&output.stdout);
    let root = repo.git_stdout(&["rev-list", "--max-parents=0", "HEAD"]).trim().to_owned();
    let fix = fix_of(&stdout, "a.pyc");
    assert!(fix.ends_with("(git rebase -i --root)"), "{fix}");
    let rebase = run_printed(&repo, &repo.root, "git rebase -i --root", &[("GIT_SEQUENCE_EDITOR", &todo_holds(&root))]);
    assert!(rebase.status.success(), "{}", stderr_of(&rebase));
    // The summary counts as the findings say: one added, one changed later is still "added" by
    // its first commit; the range names each path once.
    assert!(
        stderr_of(&output).contains("2 Python bytecode files added by the checked commits."),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn the_summary_says_added_and_changed_as_the_findings_do() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["old.pyc"], "legacy");
    let base = repo.head().unwrap();
    repo.write("old.pyc", "changed\n");
    repo.git(&["commit", "-q", "--no-verify", "-am", "change old"]);
    repo.commit_bypassing_hooks(&["new.pyc"], "new");
    let output = repo.guard().args(["check", "--range", &format!("{base}..HEAD")]).output().unwrap();
    let stdout = text(&output.stdout);
    assert!(stdout.contains("old.pyc: error: bytecode file changed by commit"), "{stdout}");
    assert!(stdout.contains("new.pyc: error: bytecode file added by commit"), "{stdout}");
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("2 Python bytecode files added or changed (1 added, 1 changed) by the checked commits."),
        "{stderr}"
    );
}

#[test]
fn a_commits_files_point_to_the_history_that_brought_them() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["pkg/m.pyc"], "bytecode");
    let brought = repo.head().unwrap();
    repo.git(&["rm", "-q", "--cached", "pkg/m.pyc"]);
    repo.git(&["commit", "-q", "-m", "untrack"]);
    // The index no longer holds it: `git rm --cached` would fail. The printed command finds
    // the commit, and the rewrite it prints is accepted by git.
    let output = repo.guard().args(["check", "--rev", "HEAD~1"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let fix = fix_of(&text(&output.stdout), "pkg/m.pyc");
    let find = fix.rsplit_once(": ").unwrap().1;
    assert_eq!(find, "pycache-guard check --range 'HEAD~1'");
    assert_eq!(summary_command(&stderr_of(&output), "Find the commits"), find);
    let found = run_printed(&repo, &repo.root, find, &[]);
    assert_eq!(found.status.code(), Some(1), "{}", stderr_of(&found));
    let rewrite = fix_of(&text(&found.stdout), "pkg/m.pyc");
    let upstream = format!("{}~", &brought[..12]);
    assert!(rewrite.ends_with(&format!("(git rebase -i {upstream})")), "{rewrite}");
    let editor = todo_holds(&brought);
    let rebase =
        run_printed(&repo, &repo.root, &format!("git rebase -i {upstream}"), &[("GIT_SEQUENCE_EDITOR", &editor)]);
    assert!(rebase.status.success(), "{}", stderr_of(&rebase));

    // In a bare clone: nothing says "Untrack", and the printed command works there.
    let bare = repo.parent().join("bare.git");
    repo.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let output = repo.guard_in(&bare).args(["check", "--rev", &brought]).output().unwrap();
    let stderr = stderr_of(&output);
    assert!(!stderr.contains("Untrack"), "{stderr}");
    let find = summary_command(&stderr, "Find the commits");
    let found = run_printed(&repo, &bare, &find, &[]);
    assert_eq!(found.status.code(), Some(1), "{}", stderr_of(&found));
    assert!(text(&found.stdout).contains("pkg/m.pyc: error: bytecode file added by commit"));
}

#[test]
fn named_files_get_a_fix_that_works_whether_git_tracks_them_or_not() {
    // Outside any repository: clean deletes the file, git is not asked.
    let outside = tempfile::tempdir().unwrap();
    let repo = TestRepo::new();
    fs::write(outside.path().join("x.pyc"), "x").unwrap();
    let output = repo.guard_in(outside.path()).args(["check", "x.pyc", "gone.pyc"]).output().unwrap();
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1));
    assert!(!stderr_of(&output).contains("Untrack"), "{}", stderr_of(&output));
    assert_eq!(fix_of(&stdout, "gone.pyc"), "not tracked by git and not on disk: nothing to remove");
    let clean = fix_of(&stdout, "x.pyc");
    let clean = clean.rsplit_once(": ").unwrap().1;
    assert_eq!(clean, "pycache-guard clean -- x.pyc");
    let cleaned = run_printed(&repo, outside.path(), clean, &[]);
    assert!(cleaned.status.success(), "{}", stderr_of(&cleaned));
    assert!(!outside.path().join("x.pyc").exists());

    // In a repository, from a subfolder: the tracked one is untracked by git, the untracked
    // one cleaned.
    repo.commit_bypassing_hooks(&["pkg/t.pyc"], "tracked bytecode");
    repo.write("pkg/u.pyc", "u");
    let pkg = repo.root.join("pkg");
    let output = repo.guard_in(&pkg).args(["check", "t.pyc", "u.pyc"]).output().unwrap();
    let stdout = text(&output.stdout);
    let untrack = fix_of(&stdout, "t.pyc");
    assert_eq!(untrack, "git rm --cached -- t.pyc");
    let clean = fix_of(&stdout, "u.pyc").rsplit_once(": ").unwrap().1.to_owned();
    for command in [untrack.as_str(), clean.as_str()] {
        let done = run_printed(&repo, &pkg, command, &[]);
        assert!(done.status.success(), "{command}: {}", stderr_of(&done));
    }
    assert_eq!(repo.git_stdout(&["ls-files", "pkg"]), "");
    assert!(!pkg.join("u.pyc").exists() && pkg.join("t.pyc").exists());
}

#[test]
fn outside_a_repository_only_check_is_told_to_name_files() {
    let outside = tempfile::tempdir().unwrap();
    let repo = TestRepo::new();
    for args in [&["fix-gitignore"][..], &["install"], &["uninstall"], &["clean"]] {
        if args == ["clean"] {
            continue; // clean works outside a repository
        }
        let output =
            repo.guard_in(outside.path()).env("GIT_CEILING_DIRECTORIES", outside.path()).args(args).output().unwrap();
        crate::support::one_line_error(&output, "not a git repository");
        let stderr = stderr_of(&output);
        assert!(!stderr.contains("name the files"), "{args:?}: {stderr}");
        assert!(stderr.contains("name one with -C <folder>"), "{args:?}: {stderr}");
    }
    let output =
        repo.guard_in(outside.path()).env("GIT_CEILING_DIRECTORIES", outside.path()).arg("check").output().unwrap();
    assert!(stderr_of(&output).contains("or name the files to check"));
}

/// git's answer for a folder: (is it bare, the worktree top if any).
fn git_says(repo: &TestRepo, dir: &Path, env: &[(&str, &Path)]) -> (bool, Option<String>) {
    let mut command = repo.git_command_in(dir);
    command.envs(env.iter().map(|(k, v)| (*k, v.as_os_str())));
    let bare = command.args(["rev-parse", "--is-bare-repository"]).output().unwrap();
    let mut command = repo.git_command_in(dir);
    command.envs(env.iter().map(|(k, v)| (*k, v.as_os_str())));
    let top = command.args(["rev-parse", "--show-toplevel"]).output().unwrap();
    (text(&bare.stdout).trim() == "true", top.status.success().then(|| text(&top.stdout).trim().to_owned()))
}

#[test]
fn repositories_are_bare_or_not_as_git_says() {
    let repo = TestRepo::with_commit();
    let parent = repo.parent().to_path_buf();
    fs::create_dir_all(parent.join("other/__pycache__")).unwrap();
    fs::write(parent.join("other/__pycache__/o.pyc"), "o").unwrap();
    let bare = |name: &str, edit: &dyn Fn(&Path)| {
        let dir = parent.join(name);
        repo.git(&["clone", "-q", "--bare", ".", dir.to_str().unwrap()]);
        edit(&dir);
        dir
    };
    let with_config = bare("with-config.git", &|_| {});
    let without_config = bare("without-config.git", &|dir| fs::remove_file(dir.join("config")).unwrap());
    let without_core_bare = bare("no-core-bare.git", &|dir| {
        let config = fs::read_to_string(dir.join("config")).unwrap();
        fs::write(dir.join("config"), config.replace("\tbare = true\n", "")).unwrap();
    });
    // A worktree whose .git is a file pointing elsewhere.
    let separate = parent.join("separate");
    repo.git_in(
        &parent,
        &[
            "init",
            "-q",
            "--separate-git-dir",
            parent.join("separate-git").to_str().unwrap(),
            separate.to_str().unwrap(),
        ],
    );
    fs::create_dir_all(separate.join("__pycache__")).unwrap();
    fs::write(separate.join("__pycache__/s.pyc"), "s").unwrap();
    // A repository inside another's ignored folder.
    repo.commit_gitignore("vendor/\n");
    let inner = repo.root.join("vendor/inner");
    repo.git_in(&repo.root, &["init", "-q", inner.to_str().unwrap()]);
    fs::create_dir_all(inner.join("__pycache__")).unwrap();
    fs::write(inner.join("__pycache__/i.pyc"), "i").unwrap();

    let git_dir = repo.root.join(".git");
    let cases: Vec<(&Path, Vec<(&str, &Path)>)> = vec![
        (&with_config, vec![]),
        (&without_config, vec![]),
        (&without_core_bare, vec![]),
        (&separate, vec![]),
        (&inner, vec![]),
        (&repo.root, vec![]),
        (&parent, vec![("GIT_DIR", &git_dir), ("GIT_WORK_TREE", &repo.root)]),
        (&repo.root, vec![("GIT_DIR", &git_dir)]),
    ];
    for (dir, env) in cases {
        let (is_bare, top) = git_says(&repo, dir, &env);
        let run = |args: &[&str]| {
            let mut command = repo.guard_in(dir);
            command.envs(env.iter().map(|(k, v)| (*k, v.as_os_str())));
            command.args(args).output().unwrap()
        };
        let clean = run(&["clean", "--dry-run"]);
        match top {
            None => {
                assert!(is_bare || dir.ends_with(".git"), "{dir:?}");
                assert_eq!(clean.status.code(), Some(2), "{dir:?}: {}", text(&clean.stdout));
                assert!(stderr_of(&clean).contains("bare repository"), "{dir:?}: {}", stderr_of(&clean));
                let all = run(&["check", "--all"]);
                assert_eq!(all.status.code(), Some(2), "{dir:?}");
                assert!(stderr_of(&all).contains("bare repository"), "{dir:?}: {}", stderr_of(&all));
            }
            Some(top) => {
                assert_eq!(clean.status.code(), Some(0), "{dir:?}: {}", stderr_of(&clean));
                // Every path it would delete is inside the worktree git names.
                let top = Path::new(&top).canonicalize().unwrap();
                for line in text(&clean.stdout).lines() {
                    let path = dir.join(line).canonicalize().unwrap();
                    assert!(path.starts_with(&top), "{dir:?}: {line} is outside {top:?}");
                }
            }
        }
    }
}

#[test]
fn clean_starts_where_you_stand_and_paths_read_from_there() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    for path in ["app/Models/__pycache__/T.cpython-312.pyc", "app/x.pyc", "other/__pycache__/o.cpython-312.pyc"] {
        repo.write(path, "b");
    }
    let models = repo.root.join("app/Models");
    let listed = repo.guard_in(&repo.root.join("app")).args(["clean", "--dry-run"]).output().unwrap();
    assert_eq!(text(&listed.stdout), "Models/__pycache__/T.cpython-312.pyc\nx.pyc\nModels/__pycache__/\n");
    // find, run where clean ran, lists the same files.
    let found = std::process::Command::new("find")
        .current_dir(repo.root.join("app"))
        .args([".", "-name", "*.pyc"])
        .output()
        .unwrap();
    let mut found: Vec<String> = text(&found.stdout).lines().map(|l| l.trim_start_matches("./").to_owned()).collect();
    found.sort();
    assert_eq!(found, ["Models/__pycache__/T.cpython-312.pyc", "x.pyc"]);
    let cleaned = repo.guard_in(&repo.root.join("app")).arg("clean").output().unwrap();
    assert!(cleaned.status.success());
    assert!(repo.root.join("other/__pycache__/o.cpython-312.pyc").exists(), "outside where it ran");

    // A finding and its fix name the file the same way, from where you stand, and the fix
    // works there.
    repo.commit_bypassing_hooks(&["app/Models/__pycache__/T.pyc"], "bytecode");
    let output = repo.guard_in(&models).args(["check", "--all"]).output().unwrap();
    let stdout = text(&output.stdout);
    let fix = fix_of(&stdout, "__pycache__/T.pyc");
    assert_eq!(fix, "git rm --cached -- __pycache__/T.pyc");
    let done = run_printed(&repo, &models, &fix, &[]);
    assert!(done.status.success(), "{}", stderr_of(&done));
    // JSON keeps the path from the top.
    let json = crate::support::run_json_in(&repo, &models, &["check", "--rev", "HEAD", "--format", "json"], 1);
    assert_eq!(json["findings"][0]["path"], "app/Models/__pycache__/T.pyc");
}

#[test]
fn the_words_count_and_name_what_they_mean() {
    let repo = TestRepo::with_commit();
    repo.commit_bypassing_hooks(&["a.pyc"], "bytecode");
    let verbose = repo.guard().args(["-v", "check", "--all"]).output().unwrap();
    assert!(stderr_of(&verbose).contains("ignore-rule audit: 0 .gitignore files,"), "{}", stderr_of(&verbose));
    let dry = repo.guard().args(["fix-gitignore", "--untrack", "--dry-run"]).output().unwrap();
    let stderr = stderr_of(&dry);
    assert!(stderr.contains("pycache-guard: would untrack 1 bytecode file:\npycache-guard:   a.pyc\n"), "{stderr}");
    let fixed = repo.guard().args(["fix-gitignore", "--untrack"]).output().unwrap();
    assert!(stderr_of(&fixed).contains("untracked 1 bytecode file; it stays on disk"), "{}", stderr_of(&fixed));

    // check --fix says the errors it printed are fixed.
    repo.git(&["add", ".gitignore"]);
    repo.git(&["commit", "-q", "-m", "fixed"]);
    repo.stage(&["b.pyc"]);
    let fix = repo.guard().args(["check", "--fix"]).output().unwrap();
    let stderr = stderr_of(&fix);
    assert_eq!(fix.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("pycache-guard: fixed: the error above is gone"), "{stderr}");

    // An io error reads as words, without Rust's error number.
    let missing = repo.guard().args(["clean", "missing"]).output().unwrap();
    crate::support::one_line_error(&missing, "cannot clean missing: No such file or directory");
    assert!(!stderr_of(&missing).contains("os error"), "{}", stderr_of(&missing));

    // The description names Jython's bytecode too.
    let help = repo.guard().arg("--help").output().unwrap();
    assert!(text(&help.stdout).contains("*.pyc, *.pyo, *$py.class"));
}

#[test]
fn a_bad_debris_entry_names_the_file_line_and_key() {
    let repo = TestRepo::with_commit();
    repo.write("pyproject.toml", "[tool.black]\nx = 1\n\n[tool.pycache-guard]\ndebris = [\"pytest\", \"pytst\"]\n");
    let output = repo.guard().args(["check", "--all"]).output().unwrap();
    crate::support::one_line_error(&output, "pyproject.toml:5: key `debris`: unknown debris category `pytst`");
}

#[test]
fn clean_among_many_tracked_files_prints_one_line_and_one_command() {
    let repo = TestRepo::with_commit();
    let paths: Vec<String> = (0..8).map(|i| format!("pkg/__pycache__/m{i}.cpython-312.pyc")).collect();
    let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    repo.commit_bypassing_hooks(&refs, "legacy bytecode");
    let output = repo.guard().arg("clean").output().unwrap();
    let stderr = stderr_of(&output);
    assert!(stderr.contains("pycache-guard: kept 8 bytecode files git tracks (-v lists them)\n"), "{stderr}");
    assert_eq!(stderr.matches("kept").count(), 1, "{stderr}");
    let command = summary_command(&stderr, "pycache-guard: to delete the tracked files");
    assert_eq!(command, "pycache-guard fix-gitignore --untrack");
    let untracked = run_printed(&repo, &repo.root, &command, &[]);
    assert!(untracked.status.success(), "{}", stderr_of(&untracked));
    assert_eq!(repo.git_stdout(&["ls-files", "pkg"]), "");
    repo.git(&["commit", "-q", "--no-verify", "-m", "untrack"]);
    let cleaned = repo.guard().arg("clean").output().unwrap();
    assert!(stderr_of(&cleaned).contains("deleted 8 files and 1 folder"), "{}", stderr_of(&cleaned));
    // -v still names each.
    repo.commit_bypassing_hooks(&refs, "again");
    let verbose = repo.guard().args(["-v", "clean"]).output().unwrap();
    assert_eq!(stderr_of(&verbose).matches(": tracked by git").count(), 8);
}
