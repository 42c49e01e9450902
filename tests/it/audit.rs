//! The ignore-rule audit through the binary, in a tree with enough `.gitignore` files that a
//! helper thread reads them while the index is scanned.

use crate::support::{TestRepo, run_json, text};

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
