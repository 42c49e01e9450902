//! The config file: allow-listed fixtures are exempt in every mode; a bad key is exit 2.

use predicates::prelude::*;

use crate::support::{TestRepo, one_line_error, text};

const ALLOW: &str = "allow = [\"tests/fixtures/**/*.pyc\"]\n";

/// The paths of the error lines (the ignore-rule audit's warnings left out).
fn listed(output: &std::process::Output) -> Vec<String> {
    let stdout = text(&output.stdout);
    stdout.lines().filter_map(|l| l.split_once(": error: ").map(|(path, _)| path.to_owned())).collect()
}

#[test]
fn allow_listed_fixtures_are_not_reported_in_any_mode() {
    let repo = TestRepo::with_commit();
    repo.write(".pycache-guard.toml", ALLOW);
    let base = repo.head().unwrap();
    let files = ["tests/fixtures/golden/v1.pyc", "tests/fixtures/v2.pyc", "src/stray.pyc"];
    repo.stage(&files);

    let staged = repo.guard().arg("check").output().unwrap();
    assert_eq!(staged.status.code(), Some(1));
    assert_eq!(listed(&staged), ["src/stray.pyc"]);

    repo.git(&["commit", "-q", "--no-verify", "-m", "fixtures"]);
    for args in [&["check", "--all"][..], &["check", "--rev", "HEAD"], &["check", "--range", &format!("{base}..HEAD")]]
    {
        let output = repo.guard().args(args).output().unwrap();
        assert_eq!(listed(&output), ["src/stray.pyc"], "{args:?}");
    }
    let output = repo.guard().args(["check"]).args(files).output().unwrap();
    assert_eq!(listed(&output), ["src/stray.pyc"]);
    // From a subfolder, named paths are taken relative to it.
    let sub = repo.root.join("tests");
    repo.guard_in(&sub).args(["check", "fixtures/v2.pyc", "../tests/fixtures/golden/v1.pyc"]).assert().success();
    repo.guard_in(&sub).args(["check", "v2.pyc"]).assert().code(1);
    // A name that only matches the anchored pattern from the top is not exempt in a subfolder.
    let deeper = repo.root.join("src");
    std::fs::create_dir_all(deeper.join("tests/fixtures")).unwrap();
    repo.guard_in(&deeper).args(["check", "tests/fixtures/v3.pyc"]).assert().code(1);

    repo.git(&["rm", "-q", "--cached", "src/stray.pyc"]);
    repo.guard().args(["check", "--all"]).assert().success();
}

#[test]
fn pyproject_table_works_and_the_dedicated_file_wins() {
    let repo = TestRepo::with_commit();
    repo.write("pyproject.toml", "[project]\nname = \"demo\"\n\n[tool.pycache-guard]\nallow = [\"golden/\"]\n");
    repo.stage(&["golden/a.pyc", "other.pyc"]);
    let output = repo.guard().output().unwrap();
    assert_eq!(listed(&output), ["other.pyc"]);
    repo.write(".pycache-guard.toml", "allow = [\"other.pyc\"]\n");
    let output = repo.guard().output().unwrap();
    assert_eq!(listed(&output), ["golden/a.pyc"]);
}

#[test]
fn outside_a_repository_the_current_folders_config_applies() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join(".pycache-guard.toml"), "allow = [\"*.pyo\"]\n").unwrap();
    let repo = TestRepo::new();
    repo.guard_in(outside.path()).args(["check", "a.pyo"]).assert().success();
    repo.guard_in(outside.path()).args(["check", "a.pyc"]).assert().code(1);
}

#[test]
fn a_typo_is_exit_2_naming_the_file_line_and_key() {
    let repo = TestRepo::with_commit();
    repo.write(".pycache-guard.toml", "# settings\nstrict = false\nalow = [\"x.pyc\"]\n");
    repo.stage(&["a.py"]);
    let output = repo.guard().output().unwrap();
    let file = repo.root.join(".pycache-guard.toml");
    one_line_error(&output, &format!("{}:3: key `alow`", file.display()));

    std::fs::remove_file(&file).unwrap();
    repo.write("pyproject.toml", "[tool.pycache-guard]\nstrict = \"yes\"\n");
    repo.guard()
        .args(["check", "x.py"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pyproject.toml:2: key `strict`: invalid type"));
}

#[test]
fn strict_from_the_flag_or_the_file_makes_missing_rules_errors() {
    let repo = TestRepo::with_commit();
    let missing = predicate::str::contains(".gitignore: warning: the repository's ignore rules do not cover");
    repo.guard().arg("check").assert().success().stdout(missing);
    let missing = predicate::str::contains(".gitignore: error: the repository's ignore rules do not cover");
    repo.guard().args(["check", "--strict"]).assert().code(1).stdout(missing.clone());
    repo.write(".pycache-guard.toml", "strict = true\n");
    repo.guard()
        .args(["check", "-v"])
        .assert()
        .code(1)
        .stdout(missing)
        .stderr(predicate::str::contains("using the config in"));
    repo.commit_complete_gitignore();
    repo.guard().arg("check").assert().success().stdout("");
}

#[test]
fn a_config_that_is_a_symlink_to_a_device_is_refused_at_once() {
    // A pull request may track `pyproject.toml -> /dev/zero`: read, it never ends (or fills
    // memory). Refused in one line, quickly.
    for (name, target) in [("pyproject.toml", "/dev/zero"), (".pycache-guard.toml", "/dev/stdin")] {
        let repo = TestRepo::with_commit();
        std::os::unix::fs::symlink(target, repo.root.join(name)).unwrap();
        repo.git(&["add", name]);
        let output = repo
            .guard()
            .arg("check")
            .write_stdin("allow = []\n")
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        crate::support::one_line_error(&output, name);
        assert!(text(&output.stderr).contains("not a regular file"), "{name}: {}", text(&output.stderr));
    }
}

#[test]
fn a_config_symlinked_to_a_file_is_followed() {
    // A monorepo may link each project's pyproject.toml to a shared one.
    let repo = TestRepo::with_commit();
    repo.write("shared/pycache-guard.toml", "allow = [\"golden/\"]\n");
    std::os::unix::fs::symlink("shared/pycache-guard.toml", repo.root.join(".pycache-guard.toml")).unwrap();
    repo.stage(&["golden/a.pyc", "other.pyc"]);
    let output = repo.guard().output().unwrap();
    assert_eq!(listed(&output), ["other.pyc"]);
}
