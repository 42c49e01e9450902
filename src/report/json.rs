//! `--format json`: one document, `{"findings": [...], "summary": {...}}`.
//!
//! A git path is bytes. `path` is the path as text; when it is not valid UTF-8, `path` is a
//! lossy rendering (U+FFFD for each bad sequence) and `path_bytes` holds the exact bytes as
//! an array of numbers, so a consumer can still name the file. `commit` is present for
//! findings about history, `rule` for findings about an ignore rule (an object: its `file`,
//! `line` and `pattern`, with `file_bytes` and `pattern_bytes` as `path_bytes`), `reason`
//! for findings about a bytecode file, `category` for findings about debris (the category's
//! name, with `reason` `debris-<category>`); each is absent (not null) where it does not apply.

use std::io::{self, Write};

use serde::Serialize;

use crate::report::{Finding, Severity};
use gitlayer::ignore_rules::Rule;

#[derive(Debug, Serialize)]
pub(crate) struct Document<'a> {
    pub(crate) findings: Vec<JsonFinding<'a>>,
    pub(crate) summary: Summary,
}

#[derive(Debug, Serialize)]
pub(crate) struct JsonFinding<'a> {
    pub(crate) kind: &'static str,
    pub(crate) severity: &'static str,
    pub(crate) path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) path_bytes: Option<&'a [u8]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) commit: Option<&'a str>,
    /// The ignore rule the finding is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rule: Option<JsonRule<'a>>,
    /// Why the path is bytecode (`pyc-file`, `pycache-folder`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<&'static str>,
    /// The debris category (`pytest`, `coverage`, ...), for a finding about debris.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) category: Option<&'static str>,
    pub(crate) message: String,
}

/// A rule as data: its file and its pattern as text (with their exact bytes when they are not
/// UTF-8), and its line apart, so that no character of a file name can be taken for the
/// separator.
#[derive(Debug, Serialize)]
pub(crate) struct JsonRule<'a> {
    /// Relative to the worktree top, or the absolute path of a personal excludes file outside
    /// it.
    pub(crate) file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) file_bytes: Option<&'a [u8]>,
    /// 1-based.
    pub(crate) line: usize,
    /// As written, `!` kept, trailing spaces trimmed.
    pub(crate) pattern: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pattern_bytes: Option<&'a [u8]>,
}

impl<'a> JsonRule<'a> {
    fn new(rule: &'a Rule) -> JsonRule<'a> {
        let file = rule.source.bytes();
        JsonRule {
            file: super::path_text(file),
            file_bytes: unless_utf8(file),
            line: rule.line,
            pattern: super::path_text(&rule.pattern),
            pattern_bytes: unless_utf8(&rule.pattern),
        }
    }
}

/// The bytes, when text alone cannot give them.
fn unless_utf8(bytes: &[u8]) -> Option<&[u8]> {
    std::str::from_utf8(bytes).is_err().then_some(bytes)
}

#[derive(Debug, Serialize)]
pub(crate) struct Summary {
    pub(crate) total: usize,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
}

impl<'a> JsonFinding<'a> {
    pub(crate) fn new(finding: &'a Finding) -> JsonFinding<'a> {
        JsonFinding {
            kind: finding.kind().id(),
            severity: finding.severity().id(),
            path: super::path_text(finding.path()),
            path_bytes: unless_utf8(finding.path()),
            commit: finding.commit().map(|commit| commit.id.as_str()),
            rule: finding.rule().map(JsonRule::new),
            reason: finding.reason().map(|reason| reason.id()),
            category: finding.reason().and_then(|reason| reason.category()).map(|category| category.name()),
            message: finding.message(),
        }
    }
}

impl Summary {
    pub(crate) fn of(findings: &[Finding]) -> Summary {
        let errors = findings.iter().filter(|f| f.severity() == Severity::Error).count();
        Summary { total: findings.len(), errors, warnings: findings.len() - errors }
    }
}

/// Writes the document, pretty-printed, with a final newline.
pub(crate) fn print(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    let document =
        Document { findings: findings.iter().map(JsonFinding::new).collect(), summary: Summary::of(findings) };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::bytecode::Reason;
    use crate::guard::bytecode_rules::Need;
    use crate::guard::finding::{BytecodeFinding, RuleIssue};
    use crate::report::Kind;
    use gitlayer::ignore_rules::Source;

    #[test]
    fn non_utf8_paths_keep_their_bytes() {
        let findings = [
            Finding::bytecode(Kind::Tracked, b"caf\xe9.pyc".to_vec(), Reason::Pyc),
            Finding::Bytecode(
                BytecodeFinding {
                    kind: Kind::CommitAdded,
                    path: b"ok.pyc".to_vec(),
                    reason: Reason::Pyc,
                    commit: None,
                }
                .in_commit("ab".repeat(20), false),
            ),
        ];
        let mut out = Vec::new();
        print(&mut out, &findings).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(value["findings"][0]["path"], "caf\u{fffd}.pyc");
        assert_eq!(value["findings"][0]["path_bytes"], serde_json::json!([99, 97, 102, 233, 46, 112, 121, 99]));
        assert!(value["findings"][0].get("commit").is_none());
        assert!(value["findings"][1].get("path_bytes").is_none());
        assert_eq!(value["findings"][1]["commit"], "ab".repeat(20));
        assert_eq!(value["summary"], serde_json::json!({"total": 2, "errors": 2, "warnings": 0}));
    }

    #[test]
    fn a_rule_is_an_object_with_its_line_apart_and_its_bytes() {
        let rule = |source, pattern: &[u8]| Rule { source, line: 3, pattern: pattern.to_vec() };
        let findings = [
            Finding::ignore_rules(
                RuleIssue::Reincludes(rule(Source::Tree(b"a:1/.gitignore".to_vec()), b"!*.pyc")),
                false,
            ),
            Finding::ignore_rules(
                RuleIssue::OnlyPersonal {
                    need: Need::Pyo,
                    rule: rule(Source::Outside(b"/h\xff/ignore".to_vec()), b"*.py\xff"),
                },
                true,
            ),
        ];
        let mut out = Vec::new();
        print(&mut out, &findings).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let first = &value["findings"][0];
        assert_eq!(first["rule"], serde_json::json!({"file": "a:1/.gitignore", "line": 3, "pattern": "!*.pyc"}));
        assert_eq!(first["path"], "a:1/.gitignore");
        let second = &value["findings"][1];
        assert_eq!(second["path_bytes"], second["rule"]["file_bytes"]);
        assert_eq!(
            second["rule"],
            serde_json::json!({
                "file": "/h\u{fffd}/ignore",
                "file_bytes": [47, 104, 255, 47, 105, 103, 110, 111, 114, 101],
                "line": 3,
                "pattern": "*.py\u{fffd}",
                "pattern_bytes": [42, 46, 112, 121, 255],
            })
        );
        assert_eq!(value["summary"], serde_json::json!({"total": 2, "errors": 1, "warnings": 1}));
    }
}
