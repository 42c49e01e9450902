//! The ignore-rule audit through the binary, in a tree with enough `.gitignore` files that a
//! helper thread reads them while the index is scanned.

use crate::support::{TestRepo, run_json, text};

/// The audit's findings of `check --all`: `(kind, path, rule)`.
fn rule_findings(repo: &TestRepo) -> Vec<(String, String, String)> {
    let json = run_json(repo, &["check", "--all", "--format", "json"], 0);
    let field = |finding: &serde_json::Value, key: &str| finding[key].as_str().unwrap_or_default().to_owned();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (field(f, "kind"), field(f, "path"), field(f, "rule")))
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
    assert_eq!(found, [("reincluded-by-rule".into(), "pkg37/.gitignore".into(), "pkg37/.gitignore:2".into())]);
    let verbose = repo.guard().args(["check", "--all", "-v"]).output().unwrap();
    assert!(text(&verbose.stderr).contains("ignore-rule audit: 41 .gitignore files"), "{}", text(&verbose.stderr));

    // The worktree's file counts, as git reads it, staged or not.
    repo.write("pkg37/.gitignore", "build/\n");
    assert_eq!(rule_findings(&repo), []);
    repo.write("pkg03/.gitignore", "!*.pyo\n");
    let found = rule_findings(&repo);
    assert_eq!(found, [("reincluded-by-rule".into(), "pkg03/.gitignore".into(), "pkg03/.gitignore:1".into())]);
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
