//! Python debris (`--debris`, `debris = [...]`) through real git, category by category, in
//! every command: every check mode blocks it as bytecode is blocked, the audit reports a
//! missing or re-including rule, `fix-gitignore` adds the missing lines (judged by
//! `git check-ignore`), and `clean` deletes what git does not track. Nothing of it happens
//! when no category is chosen.

use std::fs;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{TestRepo, git_ignores, run_json, text};

/// Each category, the files its tool writes (as tracked paths), and the lines the fix writes.
const CATEGORIES: &[(&str, &[&str], &[&str])] = &[
    ("pytest", &[".pytest_cache/v/cache/lastfailed", "pkg/.pytest_cache/README.md"], &[".pytest_cache/"]),
    ("mypy", &[".mypy_cache/3.12/m.data.json", "sub/.dmypy.json"], &[".mypy_cache/", ".dmypy.json"]),
    ("ruff", &[".ruff_cache/0.6.0/12345"], &[".ruff_cache/"]),
    ("jupyter", &["nb/.ipynb_checkpoints/a-checkpoint.ipynb"], &[".ipynb_checkpoints/"]),
    ("hypothesis", &[".hypothesis/examples/ab/cd"], &[".hypothesis/"]),
    (
        "coverage",
        &[".coverage", "tests/.coverage.host.1.2", "htmlcov/index.html", "coverage.xml"],
        &[".coverage", ".coverage.*", "htmlcov/", "coverage.xml"],
    ),
    ("tox", &[".tox/log/1.log", ".nox/tests/log.txt"], &[".tox/", ".nox/"]),
    ("package", &["src/m.egg-info/PKG-INFO", ".eggs/README.txt"], &["*.egg-info/", ".eggs/"]),
];

/// A repository whose `.gitignore` covers bytecode, so only debris is ever reported.
fn repo_with_bytecode_rules() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_complete_gitignore();
    repo
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

/// The paths of the findings about files, each with its category.
fn found_files(report: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = findings(report)
        .iter()
        .filter(|f| f.get("reason").is_some())
        .map(|f| (f["path"].as_str().unwrap().to_owned(), f["category"].as_str().unwrap_or("").to_owned()))
        .collect();
    found.sort();
    found
}

fn expected(category: &str, paths: &[&str]) -> Vec<(String, String)> {
    let mut expected: Vec<(String, String)> = paths.iter().map(|p| (p.to_string(), category.to_owned())).collect();
    expected.sort();
    expected
}

#[test]
fn a_staged_pytest_cache_blocks_with_debris_all_and_not_without() {
    let repo = repo_with_bytecode_rules();
    repo.stage(&[".pytest_cache/v/cache/lastfailed"]);
    repo.guard().args(["check", "--debris", "all"]).assert().code(1);
    repo.guard().arg("check").assert().code(0);
}

#[test]
fn every_check_mode_blocks_each_category_and_names_it() {
    for &(category, paths, _) in CATEGORIES {
        let repo = repo_with_bytecode_rules();
        let base = repo.head().unwrap();
        repo.stage(paths);
        let want = expected(category, paths);
        // Staged: blocked only when chosen.
        let staged = run_json(&repo, &["check", "--debris", category, "--format", "json"], 1);
        assert_eq!(found_files(&staged), want, "{category} staged");
        for finding in findings(&staged).iter().filter(|f| f.get("reason").is_some()) {
            assert_eq!(finding["reason"], format!("debris-{category}"));
            assert_eq!(finding["kind"], "staged-new");
        }
        assert!(found_files(&run_json(&repo, &["check", "--format", "json"], 0)).is_empty(), "{category}");
        let other = if category == "pytest" { "ruff" } else { "pytest" };
        assert!(found_files(&run_json(&repo, &["check", "--debris", other, "--format", "json"], 0)).is_empty());

        repo.git(&["commit", "-q", "--no-verify", "-m", "debris"]);
        let head = repo.head().unwrap();
        let range = format!("{base}..{head}");
        for args in [vec!["check", "--all"], vec!["check", "--rev", "HEAD"], vec!["check", "--range", range.as_str()]] {
            let mut with = args.clone();
            with.extend(["--debris", category, "--format", "json"]);
            assert_eq!(found_files(&run_json(&repo, &with, 1)), want, "{category} {args:?}");
            let mut without = args.clone();
            without.extend(["--format", "json"]);
            assert!(found_files(&run_json(&repo, &without, 0)).is_empty(), "{category} {args:?} without --debris");
        }
        // The pre-commit framework's pre-push range.
        let output = repo
            .guard()
            .args(["check", "--pre-push", "--debris", category, "--format", "json"])
            .env("PRE_COMMIT", "1")
            .env("PRE_COMMIT_FROM_REF", &base)
            .env("PRE_COMMIT_TO_REF", &head)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{category} pre-push: {}", text(&output.stderr));
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(found_files(&report), want, "{category} pre-push");
        for finding in findings(&report) {
            assert_eq!(finding["kind"], "commit-added");
        }
        // Named paths, by name alone.
        let mut named = vec!["check", "--debris", category, "--format", "json"];
        named.extend(paths.iter().copied());
        named.push("src/mod.py");
        assert_eq!(found_files(&run_json(&repo, &named, 1)), want, "{category} named");
    }
}

#[test]
fn the_human_line_names_the_debris_and_the_summary_counts_it() {
    let repo = repo_with_bytecode_rules();
    repo.stage(&["htmlcov/index.html"]);
    repo.guard()
        .args(["check", "--debris", "coverage", "--no-prompt"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "htmlcov/index.html: error: new Python debris file staged for commit (coverage data",
        ))
        .stderr(predicate::str::contains("1 Python debris file found"));
}

#[test]
fn the_config_chooses_categories_the_flag_wins_and_allow_applies() {
    let repo = repo_with_bytecode_rules();
    repo.stage(&[".pytest_cache/v/cache/lastfailed"]);
    repo.write(".pycache-guard.toml", "debris = [\"pytest\"]\n");
    repo.guard().arg("check").assert().code(1);
    repo.guard().args(["check", "--debris", "mypy"]).assert().code(0);
    repo.write(".pycache-guard.toml", "debris = [\"all\"]\nallow = [\".pytest_cache/\"]\n");
    repo.guard().arg("check").assert().code(0);
    repo.write(".pycache-guard.toml", "debris = [\"pytset\"]\n");
    let output = repo.guard().arg("check").output().unwrap();
    crate::support::one_line_error(&output, "pytset");
    repo.guard().args(["check", "--debris", "pytest,nope"]).assert().code(2);
}

#[test]
fn the_audit_reports_each_missing_category_and_a_deliberate_negation() {
    for &(category, _, lines) in CATEGORIES {
        let repo = repo_with_bytecode_rules();
        let report = run_json(&repo, &["check", "--all", "--debris", category, "--format", "json"], 0);
        let missing: Vec<&Value> = findings(&report).iter().filter(|f| f["kind"] == "missing-ignore-rule").collect();
        assert_eq!(missing.len(), 1, "{category}: {report}");
        let message = missing[0]["message"].as_str().unwrap();
        for line in lines {
            assert!(message.contains(line), "{category}: {message}");
        }
        repo.guard().args(["check", "--all", "--strict", "--debris", category]).assert().code(1);
        // Without the category chosen, the audit is bytecode's alone: nothing to say.
        assert!(findings(&run_json(&repo, &["check", "--all", "--strict", "--format", "json"], 0)).is_empty());
    }
    let repo = repo_with_bytecode_rules();
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n*$py.class\n.pytest_cache/\n!.pytest_cache/\n");
    let report = run_json(&repo, &["check", "--all", "--debris", "pytest", "--format", "json"], 0);
    let kinds: Vec<&str> = findings(&report).iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["reincluded-by-rule"], "{report}");
    assert_eq!(findings(&report)[0]["rule"]["line"], 5);
    assert_eq!(findings(&report)[0]["message"], "rule \"!.pytest_cache/\" re-includes Python debris");
    // The fix respects it and names it.
    let output = repo.guard().args(["fix-gitignore", "--debris", "pytest"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    repo.guard().args(["fix-gitignore", "--check", "--debris", "pytest"]).assert().code(0);
}

#[test]
fn fix_gitignore_adds_only_the_missing_lines_of_each_category_as_git_agrees() {
    for &(category, paths, lines) in CATEGORIES {
        let repo = repo_with_bytecode_rules();
        for path in paths {
            repo.write(path, "x");
        }
        // A folder named like a file of debris is not debris: its files keep their verdict.
        repo.write("notes/.coverage/readme.txt", "x");
        repo.write("keep/coverage.xml/readme.txt", "x");
        let old = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
        repo.guard().args(["fix-gitignore", "--check", "--debris", category]).assert().code(1);
        repo.guard().args(["fix-gitignore", "--debris", category]).assert().success();
        let new = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
        assert!(new.starts_with(&old), "every byte kept: {new}");
        let added: Vec<&str> =
            new[old.len()..].lines().filter(|l| !l.starts_with('#') && !l.starts_with('!')).collect();
        assert_eq!(added, lines, "{category}: {new}");
        for path in paths {
            assert!(git_ignores(&repo, path), "{category}: git ignores {path} after the fix\n{new}");
        }
        for other in ["notes/.coverage/readme.txt", "keep/coverage.xml/readme.txt", "src/mod.py"] {
            assert!(!git_ignores(&repo, other), "{category}: {other} keeps its verdict\n{new}");
        }
        // Idempotent, and --check and the audit agree.
        repo.guard().args(["fix-gitignore", "--debris", category]).assert().success().stdout("");
        assert_eq!(fs::read_to_string(repo.root.join(".gitignore")).unwrap(), new);
        repo.guard().args(["fix-gitignore", "--check", "--debris", category]).assert().code(0);
        repo.guard().args(["check", "--all", "--strict", "--debris", category]).assert().code(0);
    }
}

#[test]
fn fix_gitignore_without_debris_is_unchanged_and_adds_only_what_is_missing() {
    let repo = repo_with_bytecode_rules();
    repo.guard().args(["fix-gitignore", "--check"]).assert().code(0);
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n*$py.class\n.coverage\nhtmlcov/\n");
    repo.guard().args(["fix-gitignore", "--debris", "coverage"]).assert().success();
    let new = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
    let tail: Vec<&str> = new.lines().skip(5).collect();
    assert_eq!(
        tail,
        ["# Python debris (added by pycache-guard)", ".coverage.*", "!.coverage.*/", "coverage.xml", "!coverage.xml/"]
    );
    // Bytecode and debris missing together: one block.
    let repo = TestRepo::new();
    repo.guard().args(["fix-gitignore", "--debris", "ruff"]).assert().success();
    let text = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
    assert!(text.starts_with("# Python bytecode and debris (added by pycache-guard)\n__pycache__/\n"), "{text}");
    assert!(text.ends_with(".ruff_cache/\n"), "{text}");
}

#[test]
fn clean_deletes_untracked_debris_of_each_category_and_keeps_tracked() {
    for &(category, paths, _) in CATEGORIES {
        let repo = repo_with_bytecode_rules();
        for path in paths {
            repo.write(path, "x");
        }
        let tracked = paths[0];
        repo.git(&["add", "-f", tracked]);
        repo.write("src/mod.py", "x");
        // Without the category, nothing of it goes.
        repo.guard().arg("clean").assert().success();
        for path in paths {
            assert!(repo.root.join(path).exists(), "{category}: {path} stays without --debris");
        }
        repo.guard().args(["clean", "--debris", category]).assert().success();
        assert!(repo.root.join(tracked).exists(), "{category}: the tracked {tracked} stays");
        for path in &paths[1..] {
            assert!(!repo.root.join(path).exists(), "{category}: {path} deleted");
            // The folders of debris it was in go too, once empty.
            let first = path.split('/').next().unwrap();
            if path.contains('/') && !tracked.starts_with(&format!("{first}/")) && first.starts_with('.') {
                assert!(!repo.root.join(first).exists(), "{category}: the folder {first} deleted");
            }
        }
        assert!(repo.root.join("src/mod.py").exists());
    }
}

#[test]
fn clean_never_enters_a_virtual_environment_or_another_repository_or_follows_a_symlink() {
    let repo = repo_with_bytecode_rules();
    repo.write(".tox/py312/pyvenv.cfg", "home = /usr\n");
    repo.write(".tox/py312/lib/site.py", "x");
    repo.write(".tox/log/1.log", "x");
    repo.write("outside/.pytest_cache/v/cache/lastfailed", "x");
    fs::create_dir_all(repo.root.join("nested/.pytest_cache")).unwrap();
    repo.write("nested/.pytest_cache/x", "x");
    repo.git_in(&repo.root.join("nested"), &["init", "-q"]);
    std::os::unix::fs::symlink(repo.root.join("outside"), repo.root.join("link")).unwrap();
    fs::create_dir_all(repo.root.join("pkg")).unwrap();
    std::os::unix::fs::symlink(repo.root.join("outside/.pytest_cache"), repo.root.join("pkg/.pytest_cache")).unwrap();
    repo.guard().args(["clean", "--debris", "all", "link"]).assert().success();
    assert!(repo.root.join("outside/.pytest_cache/v/cache/lastfailed").exists(), "not through a symlink");
    repo.guard().args(["clean", "--debris", "tox,pytest", "--dry-run"]).assert().success();
    assert!(repo.root.join(".tox/log/1.log").exists(), "dry run");
    repo.guard()
        .args(["clean", "--debris", "tox"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted 1 file"));
    assert!(!repo.root.join(".tox/log").exists());
    assert!(repo.root.join(".tox/py312/lib/site.py").exists(), "a virtual environment stays");
    repo.guard().args(["clean", "--debris", "pytest", "pkg"]).assert().success();
    assert!(repo.root.join("nested/.pytest_cache/x").exists(), "another repository stays");
    assert!(repo.root.join("outside/.pytest_cache/v/cache/lastfailed").exists(), "not through a symlink");
}

#[test]
fn sarif_and_json_carry_the_category() {
    let repo = repo_with_bytecode_rules();
    repo.stage(&["pkg/.ipynb_checkpoints/a-checkpoint.ipynb", "pkg/__pycache__/m.cpython-312.pyc"]);
    let sarif = run_json(&repo, &["check", "--debris", "jupyter", "--format", "sarif"], 1);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let categories: Vec<(&Value, &Value)> = results
        .iter()
        .map(|r| (&r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], &r["properties"]["category"]))
        .collect();
    assert_eq!(
        categories[..2],
        [
            (&Value::from("pkg/.ipynb_checkpoints/a-checkpoint.ipynb"), &Value::from("jupyter")),
            (&Value::from("pkg/__pycache__/m.cpython-312.pyc"), &Value::Null)
        ],
        "{sarif}"
    );
    let json = run_json(&repo, &["check", "--debris", "jupyter", "--format", "json"], 1);
    assert_eq!(findings(&json)[0]["category"], "jupyter");
    assert!(findings(&json)[1].get("category").is_none(), "bytecode has no category: {json}");
    repo.guard().args(["fix-gitignore", "--debris", "jupyter"]).assert().success();
    repo.guard()
        .args(["fix-gitignore", "--debris", "jupyter"])
        .assert()
        .success()
        .stderr(predicate::str::contains("already ignores Python bytecode and the chosen debris"));
}

#[test]
fn check_fix_untracks_debris_and_adds_its_lines() {
    let repo = repo_with_bytecode_rules();
    repo.stage(&[".pytest_cache/v/cache/lastfailed", "src/mod.py"]);
    repo.guard().args(["check", "--fix", "--debris", "pytest"]).assert().success();
    let staged = repo.git_stdout(&["diff", "--cached", "--name-only"]);
    assert!(!staged.contains(".pytest_cache"), "untracked: {staged}");
    assert!(staged.contains(".gitignore") && staged.contains("src/mod.py"), "{staged}");
    assert!(repo.root.join(".pytest_cache/v/cache/lastfailed").exists(), "the file stays on disk");
    assert!(git_ignores(&repo, ".pytest_cache/v/cache/lastfailed"));
    repo.guard().args(["check", "--debris", "pytest"]).assert().code(0);
}

#[test]
fn the_installed_hook_blocks_the_debris_the_config_chooses() {
    let repo = repo_with_bytecode_rules();
    repo.install_hook();
    repo.stage(&["htmlcov/index.html"]);
    assert!(repo.try_git(&["commit", "-q", "-m", "report"]).status.success(), "no category chosen: it passes");
    repo.write(".pycache-guard.toml", "debris = [\"coverage\"]\n");
    repo.stage(&["coverage.xml"]);
    let output = repo.try_git(&["commit", "-q", "-m", "coverage"]);
    assert!(!output.status.success(), "blocked: {}", text(&output.stderr));
    assert!(text(&output.stdout).contains("coverage.xml") || text(&output.stderr).contains("coverage.xml"));
}

#[test]
fn clean_of_a_named_debris_folder_deletes_it_whole() {
    let repo = repo_with_bytecode_rules();
    repo.write("pkg/.mypy_cache/3.12/a.json", "x");
    repo.write("pkg/.mypy_cache/3.12/b.json", "x");
    repo.write("pkg/m.py", "x");
    repo.guard().args(["clean", "--debris", "mypy", "pkg/.mypy_cache"]).assert().success();
    assert!(!repo.root.join("pkg/.mypy_cache").exists(), "deleted whole");
    assert!(repo.root.join("pkg/m.py").exists());
}

/// The audit's hint names the categories the check judged, and running that very command
/// leaves the strict audit nothing to report.
#[test]
fn the_missing_rule_hint_is_the_fix_gitignore_command_for_the_chosen_categories() {
    let repo = repo_with_bytecode_rules();
    let output = repo.guard().args(["check", "--all", "--debris", "ruff,pytest", "--color", "never"]).output().unwrap();
    let stdout = text(&output.stdout);
    let hint = stdout
        .lines()
        .find_map(|line| line.strip_prefix(".gitignore: warning: ").and_then(|rest| rest.split("; fix: ").nth(1)))
        .unwrap_or_else(|| panic!("a missing-rule warning: {stdout}"));
    assert_eq!(hint, "pycache-guard fix-gitignore --debris pytest,ruff");
    let words: Vec<&str> = hint.split(' ').skip(1).collect();
    repo.guard().args(&words).assert().success();
    repo.guard().args(["check", "--all", "--strict", "--debris", "pytest,ruff"]).assert().success();
    assert!(git_ignores(&repo, ".pytest_cache/x") && git_ignores(&repo, ".ruff_cache/x"));
}

/// A negation that re-includes something inside a folder of debris (a file, a subfolder,
/// everything) is deliberate: the audit names it, and the fix leaves out the folder line that
/// would override it, so git's verdict on what it re-includes stays as it was (asked of git).
#[test]
fn a_negation_inside_a_folder_of_debris_is_named_and_the_fix_keeps_it() {
    let cases = [
        ("hypothesis", ".hypothesis/*\n!.hypothesis/examples/\n", ".hypothesis/examples/ab/cd", ".hypothesis/"),
        ("coverage", "htmlcov/*\n!htmlcov/keep.html\n", "htmlcov/keep.html", "htmlcov/"),
        ("pytest", ".pytest_cache/*\n!.pytest_cache/**\n", ".pytest_cache/v/cache/lastfailed", ".pytest_cache/"),
        ("package", "*.egg-info/*\n!*.egg-info/x\n", "m.egg-info/x", "*.egg-info/"),
    ];
    for (category, rules, reincluded, folder_line) in cases {
        let repo = TestRepo::new();
        repo.commit_gitignore(&format!("__pycache__/\n*.py[cod]\n{rules}"));
        assert!(!git_ignores(&repo, reincluded), "{category}: the negation re-includes {reincluded}");
        let output = repo.guard().args(["check", "--all", "--debris", category, "--color", "never"]).output().unwrap();
        let negation = rules.lines().nth(1).unwrap();
        // (`!.pytest_cache/**` re-includes bytecode names there too, and is named for that.)
        let named = format!(".gitignore:4: warning: rule \"{negation}\" re-includes Python ");
        assert!(text(&output.stdout).contains(&named), "{category}: {}", text(&output.stdout));

        let fixed = repo.guard().args(["fix-gitignore", "--debris", category]).output().unwrap();
        assert!(fixed.status.success(), "{category}: {}", text(&fixed.stderr));
        assert!(!git_ignores(&repo, reincluded), "{category}: the fix overrode the negation");
        let written = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
        let left_out =
            !written.lines().any(|line| line == folder_line) || written.find(folder_line) < written.find(negation);
        assert!(left_out, "{category}: {written}");
        repo.guard().args(["fix-gitignore", "--check", "--debris", category]).assert().success();
        let again = repo.guard().args(["fix-gitignore", "--debris", category]).output().unwrap();
        assert_eq!(fs::read_to_string(repo.root.join(".gitignore")).unwrap(), written, "{category}: idempotent");
        assert!(text(&again.stderr).contains("nothing to change"), "{category}: {}", text(&again.stderr));
    }
}
