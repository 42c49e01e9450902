//! The ignore-rule audit through the binary, in a tree with enough `.gitignore` files that a
//! helper thread reads them while the index is scanned.

use crate::support::{TestRepo, commit_passes, git_ignores, run_json, text};

/// The audit's findings of `check --all`: `(kind, path, rule's file, rule's line)`.
fn rule_findings(repo: &TestRepo) -> Vec<(String, String, String, u64)> {
    let json = run_json(repo, &["check", "--all", "--format", "json"], 0);
    let field = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (field(&f["kind"]), field(&f["path"]), field(&f["rule"]["file"]), f["rule"]["line"].as_u64().unwrap_or(0))
        })
        .collect()
}

#[test]
fn many_gitignore_files_are_all_read_and_judged() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n");
    for i in 0..40 {
        // One file deep in the index order re-includes bytecode.
        repo.write(format!("pkg{i:02}/.gitignore"), if i == 37 { "build/\n!keep.pyc\n" } else { "build/\n" });
    }
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "rules"]);

    let found = rule_findings(&repo);
    assert_eq!(found, [("reincluded-by-rule".into(), "pkg37/.gitignore".into(), "pkg37/.gitignore".into(), 2)]);
    let verbose = repo.guard().args(["check", "--all", "-v"]).output().unwrap();
    assert!(text(&verbose.stderr).contains("ignore-rule audit: 41 .gitignore files"), "{}", text(&verbose.stderr));

    // The worktree's file counts, as git reads it, staged or not.
    repo.write("pkg37/.gitignore", "build/\n");
    assert_eq!(rule_findings(&repo), []);
    repo.write("pkg03/.gitignore", "!*.pyo\n");
    let found = rule_findings(&repo);
    assert_eq!(found, [("reincluded-by-rule".into(), "pkg03/.gitignore".into(), "pkg03/.gitignore".into(), 1)]);
}

#[test]
fn a_gitignore_in_a_folder_whose_name_starts_like_pycache_is_read() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n");
    repo.write("__pycache__x/.gitignore", "!*.pyc\n");
    repo.git(&["add", "-f", ".gitignore", "__pycache__x/.gitignore"]);
    let output = repo.guard().args(["check", "--all"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("__pycache__x/.gitignore:1: warning: rule \"!*.pyc\""), "{stdout}");
}

#[test]
fn with_rev_a_gitignore_blob_a_partial_clone_lacks_is_named_not_taken_for_no_rules() {
    let repo = TestRepo::with_commit();
    repo.commit_gitignore("__pycache__/\n*.py[cod]\n");
    repo.git(&["config", "uploadpack.allowFilter", "true"]);
    let partial = repo.clone_with(&["--no-local", "--filter=blob:none", "--no-checkout"]);
    let blob = partial.git_stdout(&["rev-parse", "HEAD:.gitignore"]);
    let missing = partial.git_stdout(&["rev-list", "--objects", "--missing=print", "HEAD"]);
    assert!(missing.contains(&format!("?{}", blob.trim())), "the clone lacks the blob: {missing}");

    let json = run_json(&partial, &["check", "--rev", "HEAD", "--format", "json"], 0);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings[0]["kind"], "unreadable-ignore-file", "{json}");
    assert_eq!(findings[0]["path"], ".gitignore", "{json}");
    assert!(findings[0]["message"].as_str().unwrap().contains("partial clone"), "{json}");
}

/// The exact bytes of a JSON array of numbers (`path_bytes`, `file_bytes`).
fn json_bytes(value: &serde_json::Value) -> Vec<u8> {
    let numbers = value.as_array().unwrap_or_else(|| panic!("an array of numbers: {value}"));
    numbers.iter().map(|n| u8::try_from(n.as_u64().unwrap()).unwrap()).collect()
}

#[test]
fn a_gitignore_in_a_folder_whose_name_is_not_utf8_is_named_as_git_names_it() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n");
    repo.write(b"d\xff/.gitignore", "!*.pyc\n");
    repo.git(&["add", "."]);
    // `<source>:<line>:<pattern><TAB><path>`, the source quoted as core.quotePath quotes it.
    let mut git = repo.git_command_in(&repo.root);
    git.args(["check-ignore", "-v", "--no-index"]).arg(OsStr::from_bytes(b"d\xff/m.pyc"));
    let quoted = text(&git.output().unwrap().stdout);
    let (deciding, _) = quoted.split_once('\t').expect("git names the deciding rule");
    let source = deciding.strip_suffix(":1:!*.pyc").expect("line 1 of that folder's file decides");
    assert_eq!(source, r#""d\377/.gitignore""#);
    // With -z: `<source>\0<line>\0<pattern>\0<path>\0`, the source's exact bytes.
    let mut git = repo.git_command_in(&repo.root);
    git.args(["check-ignore", "-v", "--no-index", "-z", "--stdin"]).stdin(std::process::Stdio::piped());
    let mut child = git.stdout(std::process::Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), b"d\xff/m.pyc\0").unwrap();
    let raw = child.wait_with_output().unwrap().stdout;
    let source_bytes = raw.split(|&b| b == 0).next().unwrap().to_vec();
    assert_eq!(source_bytes, b"d\xff/.gitignore");

    let output = repo.guard().args(["check", "--all"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let expected = format!("{source}:1: warning: rule \"!*.pyc\" re-includes Python bytecode; fix: ");
    assert!(stdout.starts_with(&expected), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");

    let output = repo.guard().args(["check", "--all", "--format", "json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let finding = &json["findings"][0];
    assert_eq!(finding["kind"], "reincluded-by-rule", "{json:#}");
    assert_eq!(json_bytes(&finding["path_bytes"]), source_bytes);
    let rule = &finding["rule"];
    assert_eq!(json_bytes(&rule["file_bytes"]), source_bytes, "{rule}");
    assert_eq!((&rule["line"], &rule["pattern"]), (&serde_json::json!(1), &serde_json::json!("!*.pyc")));
    assert!(rule.get("pattern_bytes").is_none(), "the pattern is UTF-8: {rule}");
}

// The audit's two tiers. By default it asks only whether git ignores what CPython 3 writes,
// `<module>.<tag>.pyc` and `.<tag>.opt-N.pyc` in `__pycache__` folders; `--strict` (or
// `strict = true`) asks about every bytecode name (`m.pyo`, `m.pyc` beside its source too),
// as errors.

/// flask's `.gitignore` (`__pycache__/`, no `*.pyc`) and requests' (`*.pyc`, no `*.pyo`), as
/// their repositories have them, with what the strict audit finds missing in each.
const WELL_KEPT: [(&str, &str, &str); 2] = [
    ("flask", ".idea/\n.vscode/\n__pycache__/\ndist/\n.coverage*\nhtmlcov/\n.tox/\ndocs/_build/\n", "*.pyc, *.pyo"),
    (
        "requests",
        ".coverage\nMANIFEST\ncoverage.xml\nnosetests.xml\njunit-report.xml\npylint.txt\ntoy.py\n.cache/\n\
         cover/\nbuild/\ndocs/_build\nrequests.egg-info/\n*.pyc\n*.swp\n*.egg\nenv/\n.venv/\n.eggs/\n.tox/\n\
         .pytest_cache/\n.vscode/\n.eggs/\n\n.workon\n\n# in case you work with sublime text\nt.py\n\nt2.py\n\
         dist\n\n/.mypy_cache/\n",
        "*.pyo",
    ),
];

/// A repository with these committed rules, a package and its bytecode on disk (as Python
/// left it), and one staged change of a source file.
fn well_kept_repo(rules: &str) -> TestRepo {
    let repo = TestRepo::with_commit();
    repo.write("pkg/m.py", "x = 1\n");
    repo.write(".gitignore", rules);
    repo.git(&["add", ".gitignore", "pkg/m.py"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "rules"]);
    repo.write("pkg/__pycache__/m.cpython-312.pyc", "bytecode");
    repo.write("pkg/__pycache__/m.cpython-312.opt-1.pyc", "bytecode");
    repo.write("pkg/m.py", "x = 2\n");
    repo.git(&["add", "pkg/m.py"]);
    repo
}

#[test]
fn flask_and_requests_rules_are_quiet_by_default_and_strict_asks_for_every_name() {
    for (project, rules, strictly_missing) in WELL_KEPT {
        let repo = well_kept_repo(rules);
        // Git ignores everything CPython 3 writes, and not what strict also asks about.
        for path in ["pkg/__pycache__/m.cpython-312.pyc", "pkg/__pycache__/m.cpython-312.opt-1.pyc"] {
            assert!(git_ignores(&repo, path), "{project}: git ignores {path}");
        }
        assert!(!git_ignores(&repo, "pkg/m.pyo"), "{project}: git does not ignore a .pyo");
        assert_eq!(repo.git_stdout(&["status", "--porcelain", "--untracked-files=all"]), "M  pkg/m.py\n");

        for args in [&["check"][..], &["check", "--all"]] {
            let output = repo.guard().args(args).output().unwrap();
            assert_eq!(output.status.code(), Some(0), "{project} {args:?}: {}", text(&output.stderr));
            assert_eq!(text(&output.stdout), "", "{project} {args:?}: no finding");
            assert!(!text(&output.stderr).contains("warning"), "{project} {args:?}: {}", text(&output.stderr));
        }
        repo.install_hook();
        let stderr = commit_passes(&repo, &["commit", "-q", "-m", "change"]);
        assert!(
            !stderr.contains("warning") && !stderr.contains(".gitignore"),
            "{project}: the hook is quiet: {stderr}"
        );

        // Strict: every name, as an error; `fix-gitignore --check` agrees with it.
        let error = format!(".gitignore: error: the repository's ignore rules do not cover {strictly_missing}; fix: ");
        for args in [&["check", "--strict"][..], &["check", "--all", "--strict"]] {
            let output = repo.guard().args(args).output().unwrap();
            assert_eq!(output.status.code(), Some(1), "{project} {args:?}");
            assert!(text(&output.stdout).starts_with(&error), "{project} {args:?}: {}", text(&output.stdout));
            assert_eq!(text(&output.stdout).lines().count(), 1, "{project} {args:?}: {}", text(&output.stdout));
        }
        let fix_check = repo.guard().args(["fix-gitignore", "--check"]).output().unwrap();
        assert_eq!(fix_check.status.code(), Some(1), "{project}: --check is check --strict");
        // `strict = true` in pyproject.toml is `--strict`.
        repo.write("pyproject.toml", "[project]\nname = \"pkg\"\n\n[tool.pycache-guard]\nstrict = true\n");
        let output = repo.guard().arg("check").output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{project}: strict = true");
        assert!(text(&output.stdout).starts_with(&error), "{project}: {}", text(&output.stdout));
        std::fs::remove_file(repo.root.join("pyproject.toml")).unwrap();

        // The fix still writes the whole block; then both tiers and --check have nothing.
        repo.guard().arg("fix-gitignore").assert().success();
        let written = std::fs::read_to_string(repo.root.join(".gitignore")).unwrap();
        assert!(written.contains("\n*.py[co]\n") && written.contains("\n*$py.class\n"), "{project}: {written}");
        assert!(git_ignores(&repo, "pkg/m.pyo"), "{project}: after the fix");
        repo.guard().args(["check", "--all", "--strict"]).assert().success().stdout("");
        repo.guard().args(["fix-gitignore", "--check"]).assert().success();
    }
}

#[test]
fn without_a_bytecode_rule_the_default_audit_warns_in_one_line_also_in_the_hook() {
    for rules in [None, Some("dist/\n*.egg-info/\n")] {
        let repo = TestRepo::with_commit();
        if let Some(rules) = rules {
            repo.commit_gitignore(rules);
        }
        assert!(!git_ignores(&repo, "pkg/__pycache__/m.cpython-312.pyc"), "{rules:?}");
        let warning = ".gitignore: warning: the repository's ignore rules do not cover __pycache__/; \
                       fix: pycache-guard fix-gitignore\n";
        for args in [&["check"][..], &["check", "--all"]] {
            let output = repo.guard().args(args).output().unwrap();
            assert_eq!(output.status.code(), Some(0), "{rules:?} {args:?}: a warning does not block");
            assert_eq!(text(&output.stdout), warning, "{rules:?} {args:?}");
        }
        let strict = repo.guard().args(["check", "--strict"]).output().unwrap();
        assert_eq!(strict.status.code(), Some(1));
        assert!(text(&strict.stdout).contains("do not cover __pycache__/, *.pyc, *.pyo"), "{}", text(&strict.stdout));

        repo.install_hook();
        repo.write("pkg/m.py", "x = 1\n");
        repo.git(&["add", "pkg/m.py"]);
        let stderr = commit_passes(&repo, &["commit", "-q", "-m", "change"]);
        let warnings: Vec<&str> = stderr.lines().filter(|line| line.contains("warning")).collect();
        assert_eq!(warnings, [warning.trim_end()], "{rules:?}: one warning line: {stderr}");
    }
}

#[test]
fn where_git_keeps_what_cpython_3_writes_the_default_audit_says_so() {
    // An anchored rule covers the top only; a nested file re-includes a `__pycache__` folder.
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "/__pycache__/\n");
    repo.git(&["add", ".gitignore"]);
    assert!(git_ignores(&repo, "__pycache__/m.cpython-312.pyc"));
    assert!(!git_ignores(&repo, "pkg/__pycache__/m.cpython-312.pyc"), "git's verdict below the top");
    let output = repo.guard().args(["check", "--all"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stdout),
        ".gitignore: warning: the repository's ignore rules do not cover __pycache__/ in subfolders; \
         fix: pycache-guard fix-gitignore\n"
    );

    // Only the optimized files (`-O`) left out: `.opt-1.pyc` is what CPython 3 writes too.
    repo.write(".gitignore", "*.cpython-312.pyc\n");
    assert!(git_ignores(&repo, "pkg/__pycache__/m.cpython-312.pyc"));
    assert!(!git_ignores(&repo, "pkg/__pycache__/m.cpython-312.opt-1.pyc"));
    let output = repo.guard().args(["check", "--all"]).output().unwrap();
    assert!(
        text(&output.stdout)
            .starts_with(".gitignore: warning: the repository's ignore rules do not cover __pycache__/;"),
        "{}",
        text(&output.stdout)
    );
    repo.guard().args(["fix-gitignore", "--check"]).assert().code(1);
}

#[test]
fn a_negation_that_re_includes_bytecode_is_named_by_default() {
    for (rules, negation, path) in [
        ("__pycache__/\n*.pyc\n!*.pyc\n", "!*.pyc", "pkg/m.pyc"),
        ("*.pyc\n__pycache__/\n!__pycache__/\n", "!__pycache__/", "pkg/__pycache__"),
        ("__pycache__/\n", "!__pycache__/", "pkg/__pycache__"),
    ] {
        let repo = TestRepo::with_commit();
        repo.write(".gitignore", rules);
        let (file, line) = match rules {
            "__pycache__/\n" => {
                repo.write("pkg/.gitignore", "!__pycache__/\n");
                ("pkg/.gitignore", 1)
            }
            _ => (".gitignore", rules.lines().count()),
        };
        repo.git(&["add", "-f", ".gitignore"]);
        if file != ".gitignore" {
            repo.git(&["add", "-f", file]);
        }
        // On disk, so that git judges `__pycache__` as the folder it is.
        repo.write("pkg/__pycache__/m.cpython-312.pyc", "bytecode");
        let decided = repo.check_ignore(&[], &[path]);
        assert_eq!((decided[0].source.as_str(), decided[0].pattern.as_str()), (file, negation), "git: {rules}");
        let output = repo.guard().args(["check", "--all"]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{rules}");
        let named = format!("{file}:{line}: warning: rule \"{negation}\" re-includes Python bytecode; fix: ");
        let stdout = text(&output.stdout);
        let expected_lines = if rules == "__pycache__/\n" { 2 } else { 1 };
        assert!(stdout.lines().any(|l| l.starts_with(&named)), "{rules}: {stdout}");
        assert_eq!(stdout.lines().count(), expected_lines, "{rules}: nothing about *.pyo: {stdout}");
    }
}

#[test]
fn the_debris_audit_keeps_its_demand_by_default_and_adds_nothing_about_pyo() {
    let repo = well_kept_repo(WELL_KEPT[0].1);
    assert!(!git_ignores(&repo, ".pytest_cache/v/cache/lastfailed"));
    let output = repo.guard().args(["check", "--all", "--debris", "pytest"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        text(&output.stdout),
        ".gitignore: warning: the repository's ignore rules do not cover .pytest_cache/; \
         fix: pycache-guard fix-gitignore --debris pytest\n"
    );
    let strict = repo.guard().args(["check", "--all", "--strict", "--debris", "pytest"]).output().unwrap();
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        text(&strict.stdout)
            .starts_with(".gitignore: error: the repository's ignore rules do not cover *.pyc, *.pyo, .pytest_cache/;"),
        "{}",
        text(&strict.stdout)
    );
}
