//! Real-world ignore files through the binary: ignore rules judged by what Python writes. Each
//! asserts git's own verdicts (`git check-ignore`) before and after the fix, and that the
//! audit (`check --all --strict`) and `fix-gitignore --check` agree.

use std::fs;

use crate::support::{TestRepo, text};

/// Whether git ignores the path (`git check-ignore --no-index`, repository rules only).
fn git_ignores(repo: &TestRepo, path: &str) -> bool {
    repo.try_git(&["-c", "core.excludesFile=/dev/null", "check-ignore", "-q", "--no-index", path]).status.success()
}

/// `check --all --strict`: exit code and stdout.
fn strict_audit(repo: &TestRepo) -> (i32, String) {
    let output = repo.guard().args(["check", "--all", "--strict"]).output().unwrap();
    (output.status.code().unwrap(), text(&output.stdout))
}

fn fix_check_code(repo: &TestRepo) -> i32 {
    repo.guard().args(["fix-gitignore", "--check"]).output().unwrap().status.code().unwrap()
}

/// What Python writes, in the top folder and one further down.
const PYTHON_WRITES: [&str; 6] = [
    "__pycache__/m.cpython-312.pyc",
    "m.pyc",
    "m.pyo",
    "pkg/__pycache__/m.cpython-312.opt-1.pyc",
    "pkg/m.pyc",
    "pkg/m.pyo",
];

fn assert_python_bytecode_ignored(repo: &TestRepo) {
    for path in PYTHON_WRITES {
        assert!(git_ignores(repo, path), "{path} should be ignored");
    }
}

#[test]
fn an_ordinary_negation_neither_warns_nor_blocks_the_fix() {
    for (rules, kept, ignored) in [
        ("*.txt\n!requirements.txt\n", "requirements.txt", "notes.txt"),
        ("*.json\n!package.json\n", "package.json", "data.json"),
        ("*.md\n!README.md\n", "README.md", "notes.md"),
    ] {
        let repo = TestRepo::with_commit();
        repo.write(".gitignore", rules);
        assert!(!git_ignores(&repo, kept) && git_ignores(&repo, ignored), "{rules}: git's verdicts before");
        assert!(PYTHON_WRITES.iter().all(|path| !git_ignores(&repo, path)), "{rules}: no bytecode ignored before");
        let (code, stdout) = strict_audit(&repo);
        assert_eq!(code, 1, "rules are missing: {stdout}");
        assert!(!stdout.contains("re-includes"), "{rules}: {stdout}");
        assert!(stdout.contains("do not cover __pycache__/, *.pyc, *.pyo"), "{stdout}");
        assert_eq!(fix_check_code(&repo), 1);

        let output = repo.guard().arg("fix-gitignore").assert().success().get_output().clone();
        assert!(!text(&output.stderr).contains("left out"), "{}", text(&output.stderr));
        let written = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
        assert!(written.starts_with(rules), "appended after the user's lines: {written}");
        assert!(written.contains("\n__pycache__/\n"), "{written}");
        assert_python_bytecode_ignored(&repo);
        assert!(!git_ignores(&repo, kept) && git_ignores(&repo, ignored), "{rules}: other verdicts unchanged");

        assert_eq!(strict_audit(&repo), (0, String::new()), "{rules}: nothing left to report");
        assert_eq!(fix_check_code(&repo), 0);
    }
}

#[test]
fn the_templates_file_gets_one_missing_rule_warning_and_no_negation_noise() {
    let templates: &[u8] = include_bytes!("../fixtures/github-gitignore-templates.gitignore");
    let repo = TestRepo::with_commit();
    fs::write(repo.root.join(".gitignore"), templates).unwrap();
    let before: Vec<bool> = ["README.md", "x.svg", "gradle-wrapper.properties", "Build/x"]
        .iter()
        .map(|path| git_ignores(&repo, path))
        .collect();
    let output = repo.guard().args(["check", "--all"]).assert().success().get_output().clone();
    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("warning: the repository's ignore rules do not cover"), "{stdout}");

    repo.guard().arg("fix-gitignore").assert().success();
    let written = fs::read(repo.root.join(".gitignore")).unwrap();
    assert!(written.starts_with(templates), "appended: no unrelated negation moves the block");
    assert_python_bytecode_ignored(&repo);
    let after: Vec<bool> = ["README.md", "x.svg", "gradle-wrapper.properties", "Build/x"]
        .iter()
        .map(|path| git_ignores(&repo, path))
        .collect();
    assert_eq!(before, after, "the negated names keep git's verdict");
    assert_eq!(strict_audit(&repo), (0, String::new()));
    assert_eq!(fix_check_code(&repo), 0);
}

#[test]
fn a_negated_pycache_after_other_rules_is_named_and_the_fix_is_idempotent() {
    for rules in ["*.py[cod]\n**/__pycache__\n!__pycache__/\n", "__pycache__/\n!__pycache__/\n", "!__pycache__/\n"] {
        let repo = TestRepo::with_commit();
        repo.write(".gitignore", rules);
        // On disk, so that git judges `__pycache__` as the folder it is.
        repo.write("__pycache__/m.cpython-312.pyc", "x");
        repo.guard().arg("fix-gitignore").assert().success();
        let once = fs::read(repo.root.join(".gitignore")).unwrap();
        let again = repo.guard().arg("fix-gitignore").assert().success().get_output().clone();
        assert_eq!(text(&again.stdout), "", "{rules}: a second run prints no diff");
        assert_eq!(fs::read(repo.root.join(".gitignore")).unwrap(), once, "{rules}: a second run changes nothing");
        assert!(!git_ignores(&repo, "__pycache__"), "{rules}: the negation still decides the folder");

        let (_, stdout) = strict_audit(&repo);
        let line = text(&once).lines().position(|l| l == "!__pycache__/").unwrap() + 1;
        let named = format!(".gitignore:{line}: error: rule \"!__pycache__/\" re-includes Python bytecode;");
        assert!(stdout.starts_with(&named), "{rules}: {stdout}");
        assert_eq!(stdout.lines().count(), 1, "{rules}: only the deliberate negation is named: {stdout}");
        assert_eq!(fix_check_code(&repo), 0, "{rules}: --check agrees: nothing is missing");
    }
}

#[test]
fn the_old_python_template_passes_both_the_audit_and_check() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n");
    assert_eq!(strict_audit(&repo), (0, String::new()));
    assert_eq!(fix_check_code(&repo), 0, "Jython's *$py.class is never needed on its own");
    let output = repo.guard().arg("fix-gitignore").assert().success().get_output().clone();
    assert!(text(&output.stderr).contains("nothing to change"));
}

#[test]
fn the_block_is_appended_after_an_unrelated_negation() {
    let repo = TestRepo::with_commit();
    let rules = "*.patch\n!tools/ci/emscripten/0001-fix.patch\nbuild/\n";
    repo.write(".gitignore", rules);
    assert!(!git_ignores(&repo, "tools/ci/emscripten/0001-fix.patch") && git_ignores(&repo, "x.patch"));
    repo.guard().arg("fix-gitignore").assert().success();
    let written = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
    assert!(written.starts_with(rules), "{written}");
    assert!(!git_ignores(&repo, "tools/ci/emscripten/0001-fix.patch"));
    assert_python_bytecode_ignored(&repo);
}

#[test]
fn a_bytecode_negation_keeps_the_block_before_it() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "build/\n!tests/fixtures/*.pyc\n*.log\n");
    assert!(!git_ignores(&repo, "tests/fixtures/data.pyc") && !git_ignores(&repo, "m.pyc"));
    repo.guard().arg("fix-gitignore").assert().success();
    let written = fs::read_to_string(repo.root.join(".gitignore")).unwrap();
    assert!(written.starts_with("build/\n# Python bytecode"), "{written}");
    assert!(written.ends_with("!tests/fixtures/*.pyc\n*.log\n"), "{written}");
    assert!(!git_ignores(&repo, "tests/fixtures/data.pyc"), "the negation still wins");
    assert_python_bytecode_ignored(&repo);
    let (_, stdout) = strict_audit(&repo);
    assert!(stdout.contains(": error: rule \"!tests/fixtures/*.pyc\" re-includes Python bytecode"), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

#[test]
fn uppercase_bytecode_is_blocked_but_not_probed_by_the_rules() {
    // Python writes lower-case names only: the rules are judged by those. A `.PYC` that
    // reached the index (a case-insensitive file system's copy) is still blocked.
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n");
    assert_eq!(strict_audit(&repo), (0, String::new()));
    assert!(!git_ignores(&repo, "LEGACY.PYC"), "git: *.py[cod] does not ignore .PYC");
    repo.write("LEGACY.PYC", "x");
    repo.git(&["add", "-f", "LEGACY.PYC"]);
    let output = repo.guard().arg("check").assert().code(1).get_output().clone();
    assert!(text(&output.stdout).starts_with("LEGACY.PYC: error"), "{}", text(&output.stdout));
    // With core.ignoreCase (macOS, Windows) git folds the case, and so do the verdicts.
    repo.git(&["config", "core.ignoreCase", "true"]);
    assert!(git_ignores(&repo, "LEGACY.PYC"));
}
