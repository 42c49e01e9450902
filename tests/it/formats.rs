//! `--format json|github|sarif`, and annotations beside human output inside GitHub Actions.

use std::sync::OnceLock;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{TestRepo, run_json, text};

const SCHEMA: &str = include_str!("../fixtures/sarif-schema-2.1.0.json");

fn sarif_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).unwrap();
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(false)
            .build(&schema)
            .expect("the SARIF schema compiles")
    })
}

fn assert_valid_sarif(document: &Value) {
    let errors: Vec<String> =
        sarif_validator().iter_errors(document).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}\n{document:#}");
}

/// A repository with odd names staged: characters GitHub and URIs must escape, and bytes
/// that are not UTF-8.
fn odd_repo() -> TestRepo {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.stage(&["pkg/__pycache__/m.cpython-311.pyc", "100%,a:b.pyc", "new\nline.pyc", "cr\rhere.pyo", "sp ace#?.pyc"]);
    repo.write(b"caf\xe9.pyc", "latin-1 name");
    repo.git(&["add", "-f", "."]);
    repo
}

#[test]
fn json_has_the_spec_fields() {
    let repo = odd_repo();
    let json = run_json(&repo, &["check", "--format", "json"], 1);
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 6, "{json:#}");
    for finding in findings {
        assert_eq!(finding["kind"], "staged-new");
        assert_eq!(finding["severity"], "error");
        assert!(finding["path"].is_string() && finding["message"].is_string(), "{finding}");
        assert!(finding.get("commit").is_none(), "no commit for staged files: {finding}");
    }
    let paths: Vec<&str> = findings.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"new\nline.pyc") && paths.contains(&"100%,a:b.pyc"), "{paths:?}");
    let latin = findings.iter().find(|f| f.get("path_bytes").is_some()).expect("the non-UTF-8 path");
    assert_eq!(latin["path"], "caf\u{fffd}.pyc");
    let bytes: Vec<u8> = latin["path_bytes"].as_array().unwrap().iter().map(|b| b.as_u64().unwrap() as u8).collect();
    assert_eq!(bytes, b"caf\xe9.pyc");
    assert_eq!(json["summary"], serde_json::json!({"total": 6, "errors": 6, "warnings": 0}));
}

#[test]
fn json_names_the_commit_for_history_findings_and_is_a_document_when_clean() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.commit_bypassing_hooks(&["a.pyc"], "bytecode");
    let json = run_json(&repo, &["check", "--range", "HEAD~1..HEAD", "--format", "json"], 1);
    assert_eq!(json["findings"][0]["commit"], repo.head().unwrap());
    assert_eq!(json["findings"][0]["kind"], "commit-added");
    let json = run_json(&repo, &["check", "--format", "json"], 0);
    assert_eq!(json, serde_json::json!({"findings": [], "summary": {"total": 0, "errors": 0, "warnings": 0}}));
}

#[test]
fn json_stdout_is_only_the_document() {
    let repo = odd_repo();
    repo.guard().args(["check", "--format", "json"]).assert().code(1).stderr("");
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let repo = odd_repo();
    let sarif = run_json(&repo, &["check", "--format", "sarif"], 1);
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "pycache-guard");
    assert!(driver["version"].is_string() && driver["informationUri"].is_string());
    let rules = driver["rules"].as_array().unwrap();
    for rule in rules {
        assert!(
            rule["id"].is_string() && rule["shortDescription"]["text"].is_string() && rule["help"]["text"].is_string()
        );
    }
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            assert_eq!(r["level"], "error");
            assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], r["ruleId"]);
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap()
        })
        .collect();
    for uri in [
        "pkg/__pycache__/m.cpython-311.pyc",
        "100%25%2Ca%3Ab.pyc",
        "new%0Aline.pyc",
        "caf%E9.pyc",
        "sp%20ace%23%3F.pyc",
    ] {
        assert!(uris.contains(&uri), "{uri} in {uris:?}");
    }
}

#[test]
fn sarif_of_history_and_of_nothing_validates() {
    let repo = TestRepo::with_commit();
    repo.commit_complete_gitignore();
    repo.commit_bypassing_hooks(&["a.pyc"], "bytecode");
    let sarif = run_json(&repo, &["check", "--range", "HEAD~1..HEAD", "--format", "sarif"], 1);
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"][0]["properties"]["commit"], repo.head().unwrap());
    let sarif = run_json(&repo, &["check", "--format", "sarif"], 0);
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_schema_check_can_fail() {
    let repo = odd_repo();
    let mut sarif = run_json(&repo, &["check", "--format", "sarif"], 1);
    sarif["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!sarif_validator().is_valid(&sarif));
}

#[test]
fn rule_findings_are_warnings_pointing_at_the_rule_in_every_format() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.py[co]\n# fixtures\n!tests/fixtures/*.pyc\n");
    repo.git(&["add", ".gitignore"]);

    let json = run_json(&repo, &["check", "--format", "json"], 0);
    let finding = &json["findings"][0];
    assert_eq!(finding["kind"], "reincluded-by-rule", "{json:#}");
    assert_eq!(finding["severity"], "warning", "{finding}");
    assert_eq!(
        finding["rule"],
        serde_json::json!({"file": ".gitignore", "line": 4, "pattern": "!tests/fixtures/*.pyc"})
    );
    assert!(finding.get("reason").is_none(), "{finding}");

    let sarif = run_json(&repo, &["check", "--format", "sarif", "--strict"], 1);
    assert_valid_sarif(&sarif);
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["level"], "error", "--strict makes it an error");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 4);

    let output = repo.guard().args(["check", "--format", "github"]).output().unwrap();
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("::warning file=.gitignore,line=4,title="), "{stdout}");
}

#[test]
fn a_colon_in_a_path_or_in_a_rule_file_name_is_never_a_separator() {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.py[cod]\n");
    repo.write("x:y/.gitignore", "# fixtures\n!*.pyc\n");
    repo.stage(&["a:b/__pycache__/m.cpython-312.pyc"]);
    repo.git(&["add", "--", ".gitignore", "x:y/.gitignore"]);
    let listed = repo.git(&["ls-files", "-z"]).stdout;
    let tracked: Vec<&[u8]> = listed.split(|&b| b == 0).filter(|path| !path.is_empty()).collect();
    let bytecode = *tracked.iter().find(|path| path.ends_with(b".pyc")).unwrap();
    let rule_file = *tracked.iter().find(|path| path.starts_with(b"x")).unwrap();
    assert_eq!((bytecode, rule_file), (&b"a:b/__pycache__/m.cpython-312.pyc"[..], &b"x:y/.gitignore"[..]));

    let json = run_json(&repo, &["check", "--all", "--format", "json"], 1);
    let findings = json["findings"].as_array().unwrap();
    let of_kind = |kind: &str| findings.iter().find(|f| f["kind"] == kind).unwrap_or_else(|| panic!("{json:#}"));
    let tracked = of_kind("tracked");
    assert_eq!(tracked["path"].as_str().unwrap().as_bytes(), bytecode);
    let negation = of_kind("reincluded-by-rule");
    assert_eq!(negation["path"].as_str().unwrap().as_bytes(), rule_file);
    let rule = &negation["rule"];
    assert_eq!(rule["file"].as_str().unwrap().as_bytes(), rule_file, "{rule}");
    assert_eq!(rule["line"], 2, "the line is a number of its own: {rule}");
    assert_eq!(rule["pattern"], "!*.pyc");
    assert!(rule.get("file_bytes").is_none(), "the file name is UTF-8: {rule}");

    let sarif = run_json(&repo, &["check", "--all", "--format", "sarif"], 1);
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let result = results.iter().find(|r| r["ruleId"] == "reincluded-by-rule").expect("the negation");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "x%3Ay/.gitignore");
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(result["partialFingerprints"]["pycacheGuard/v1"], "reincluded-by-rule:x%3Ay/.gitignore#L2");
    let result = results.iter().find(|r| r["ruleId"] == "tracked").expect("the bytecode");
    assert_eq!(result["partialFingerprints"]["pycacheGuard/v1"], "tracked:a%3Ab/__pycache__/m.cpython-312.pyc");
}

/// Splits `::error file=F,title=T::M` into its properties and message, undoing the escapes.
fn parse_command(line: &str) -> (String, Vec<(String, String)>, String) {
    let rest = line.strip_prefix("::").expect("starts with ::");
    let (head, message) = rest.split_once("::").expect("two ::");
    let (command, properties) = head.split_once(' ').expect("command and properties");
    let properties = properties
        .split(',')
        .map(|p| {
            let (key, value) = p.split_once('=').expect("key=value");
            assert!(!value.contains(':'), "an unescaped : in a property: {line}");
            (key.to_owned(), unescape(value))
        })
        .collect();
    (command.to_owned(), properties, unescape(message))
}

fn unescape(text: &str) -> String {
    text.replace("%0A", "\n").replace("%0D", "\r").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
}

#[test]
fn rules_only_in_personal_files_are_named_by_file_and_line() {
    // The repository's own rules cover only __pycache__/ (all CPython 3 writes, so the default
    // audit is quiet); under --strict *.pyc is left to .git/info/exclude and *.pyo to a
    // core.excludesFile outside the repository.
    let repo = TestRepo::with_commit();
    repo.commit_gitignore("__pycache__/\n");
    repo.write(".git/info/exclude", "# mine\n*.pyc\n");
    let global = repo.parent().join("global ignore");
    std::fs::write(&global, "*.pyo\n").unwrap();
    repo.git(&["config", "core.excludesFile", global.to_str().unwrap()]);
    repo.guard().args(["check"]).assert().success().stdout("");

    let output = repo.guard().args(["check", "--strict"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "errors under --strict: {}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains(".git/info/exclude:2: error: *.pyc is ignored only by your personal rule"), "{stdout}");
    let global_line = format!("{}:1: error: *.pyo is ignored only by your personal rule", global.display());
    assert!(stdout.contains(&global_line), "{stdout}");

    let sarif = run_json(&repo, &["check", "--format", "sarif", "--strict"], 1);
    assert_valid_sarif(&sarif);
    let locations: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "ignored-only-personally")
        .map(|r| &r["locations"][0]["physicalLocation"])
        .collect();
    assert_eq!(locations.len(), 2, "{sarif:#}");
    let inside = locations.iter().find(|l| l["artifactLocation"]["uri"] == ".git/info/exclude").expect("exclude");
    assert_eq!(inside["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(inside["region"]["startLine"], 2);
    let outside = locations.iter().find(|l| l["artifactLocation"]["uri"] != ".git/info/exclude").unwrap();
    let expected = format!("file://{}", global.to_str().unwrap().replace(' ', "%20"));
    assert_eq!(outside["artifactLocation"]["uri"], expected.as_str());
    assert!(outside["artifactLocation"].get("uriBaseId").is_none(), "an absolute URI has no base: {outside:#}");
}

#[test]
fn a_symlinked_personal_excludes_file_is_read_as_git_reads_it() {
    // Dotfiles managers link `~/.config/git/ignore`; git follows that link (only the tree's
    // `.gitignore` files are read without following one).
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "__pycache__/\n*.pyo\n");
    let dotfiles = repo.home().join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    std::fs::write(dotfiles.join("gitignore"), "*.pyc\n").unwrap();
    std::fs::create_dir_all(repo.home().join(".config/git")).unwrap();
    std::os::unix::fs::symlink(dotfiles.join("gitignore"), repo.home().join(".config/git/ignore")).unwrap();
    let git = repo.check_ignore(&[], &["m.pyc"]);
    assert!(git[0].source.ends_with(".config/git/ignore"), "git reads it: {git:?}");
    let output = repo.guard().args(["check", "--all", "--strict"]).output().unwrap();
    let stdout = text(&output.stdout);
    assert!(stdout.contains(".config/git/ignore:1: error: *.pyc is ignored only by your personal rule"), "{stdout}");
}

#[test]
fn github_lines_are_escaped_workflow_commands() {
    let repo = odd_repo();
    let output = repo.guard().args(["check", "--format", "github"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 6, "one line per finding, newlines escaped: {stdout:?}");
    let mut files = Vec::new();
    for line in lines {
        assert!(!line.contains('\r'), "{line:?}");
        let (command, properties, message) = parse_command(line);
        assert_eq!(command, "error");
        assert_eq!(properties[0].0, "file");
        assert_eq!(properties[1].0, "title");
        assert!(message.starts_with(&properties[0].1), "the message names the file: {message:?}");
        files.push(properties[0].1.clone());
    }
    for expected in ["100%,a:b.pyc", "new\nline.pyc", "cr\rhere.pyo", "sp ace#?.pyc", "caf\u{fffd}.pyc"] {
        assert!(files.contains(&expected.to_owned()), "{expected:?} in {files:?}");
    }
    assert!(stdout.contains("::error file=100%25%2Ca%3Ab.pyc,title="), "{stdout}");
}

#[test]
fn human_output_inside_github_actions_adds_annotations() {
    let repo = TestRepo::with_commit();
    repo.stage(&["x.pyc"]);
    repo.guard()
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("x.pyc: error").and(predicate::str::contains("\n::error file=x.pyc,")));
    repo.guard().assert().code(1).stdout(predicate::str::contains("::error").not());
    repo.guard()
        .env("GITHUB_ACTIONS", "true")
        .args(["check", "--format", "json"])
        .assert()
        .stdout(predicate::str::contains("::error").not());
}
