//! `--format sarif`: a SARIF 2.1.0 log that GitHub code scanning accepts.
//!
//! One run; the tool driver lists a rule per finding kind (in [`Kind::ALL`] order, so
//! `ruleIndex` is stable), and each result points at its file. Bytecode is binary, so the
//! region is the file's first line, which code scanning needs to place an alert. The URI is
//! the repository-relative path, percent-encoded byte by byte (so a path that is not UTF-8
//! survives), relative to `%SRCROOT%`. A finding about an ignore rule points at the rule's
//! file and line (`region.startLine`). Results carry a `partialFingerprints` entry built from
//! the kind, the URI and a rule's line, so the uploader does not try to hash a binary (or
//! deleted) file, and the commit that brought a file, where known, in `properties.commit`.

use std::io::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};
use serde::Serialize;

use crate::report::{Finding, Kind};

pub(crate) const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Bytes kept as they are in a URI path: RFC 3986 unreserved characters and `/`.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Log {
    #[serde(rename = "$schema")]
    pub(crate) schema: &'static str,
    pub(crate) version: &'static str,
    pub(crate) runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Run {
    pub(crate) tool: Tool,
    pub(crate) results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Tool {
    pub(crate) driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Driver {
    pub(crate) name: &'static str,
    pub(crate) version: &'static str,
    pub(crate) semantic_version: &'static str,
    pub(crate) information_uri: &'static str,
    pub(crate) rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Rule {
    pub(crate) id: &'static str,
    pub(crate) short_description: Text,
    pub(crate) full_description: Text,
    pub(crate) help: Text,
    pub(crate) default_configuration: Configuration,
}

#[derive(Debug, Serialize)]
pub(crate) struct Text {
    pub(crate) text: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Configuration {
    pub(crate) level: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SarifResult {
    pub(crate) rule_id: &'static str,
    pub(crate) rule_index: usize,
    pub(crate) level: &'static str,
    pub(crate) message: Text,
    pub(crate) locations: Vec<Location>,
    pub(crate) partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) properties: Option<Properties>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Location {
    pub(crate) physical_location: PhysicalLocation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhysicalLocation {
    pub(crate) artifact_location: ArtifactLocation,
    pub(crate) region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ArtifactLocation {
    pub(crate) uri: String,
    /// `%SRCROOT%` for a repository path; none for a file outside the repository (a personal
    /// `core.excludesFile`), whose URI is absolute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Region {
    pub(crate) start_line: usize,
}

#[derive(Debug, Serialize)]
pub(crate) struct Fingerprints {
    #[serde(rename = "pycacheGuard/v1")]
    pub(crate) pycache_guard: String,
}

#[derive(Debug, Serialize)]
pub(crate) struct Properties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) commit: Option<String>,
    /// The debris category of a finding about debris (`pytest`, `coverage`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) category: Option<&'static str>,
}

/// The log for these findings.
pub(crate) fn log(findings: &[Finding]) -> Log {
    let driver = Driver {
        name: env!("CARGO_PKG_NAME"),
        version: env!("CARGO_PKG_VERSION"),
        semantic_version: env!("CARGO_PKG_VERSION"),
        information_uri: env!("CARGO_PKG_REPOSITORY"),
        rules: Kind::ALL.iter().map(|kind| rule(*kind)).collect(),
    };
    Log { schema: SCHEMA, version: "2.1.0", runs: vec![Run { tool: Tool { driver }, results: results(findings) }] }
}

/// Writes the log, pretty-printed, with a final newline.
pub(crate) fn print(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(findings))?;
    writeln!(out)
}

fn rule(kind: Kind) -> Rule {
    let describe = kind.describe();
    Rule {
        id: kind.id(),
        short_description: Text { text: capitalise(describe) },
        full_description: Text {
            text: if kind.is_bytecode() {
                format!("{}: Python bytecode does not belong in git history.", capitalise(describe))
            } else {
                format!(
                    "{}: the repository's ignore rules should keep Python bytecode out of git.",
                    capitalise(describe)
                )
            },
        },
        help: Text { text: kind.help().to_owned() },
        // Rule findings are warnings unless --strict; each result carries its own level.
        default_configuration: Configuration { level: if kind.is_bytecode() { "error" } else { "warning" } },
    }
}

fn results(findings: &[Finding]) -> Vec<SarifResult> {
    findings
        .iter()
        .map(|finding| {
            let artifact_location = artifact_location(finding);
            SarifResult {
                rule_id: finding.kind().id(),
                rule_index: Kind::ALL.iter().position(|k| *k == finding.kind()).unwrap_or_default(),
                level: finding.severity().id(),
                message: Text { text: finding.message() },
                partial_fingerprints: Fingerprints { pycache_guard: fingerprint(finding, &artifact_location.uri) },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location,
                        region: Region { start_line: finding.rule().map_or(1, |rule| rule.line) },
                    },
                }],
                properties: properties(finding),
            }
        })
        .collect()
}

/// A result's properties: the commit that brought the file, the debris category; none when
/// neither applies.
fn properties(finding: &Finding) -> Option<Properties> {
    let commit = finding.commit().map(|commit| commit.id.clone());
    let category = finding.reason().and_then(|reason| reason.category()).map(|category| category.name());
    (commit.is_some() || category.is_some()).then_some(Properties { commit, category })
}

/// Where a finding is: relative to the source root for a repository path, a `file:` URI for
/// an absolute one (only a personal ignore file outside the worktree is named that way).
fn artifact_location(finding: &Finding) -> ArtifactLocation {
    let path = finding.path();
    if finding.outside_worktree() {
        ArtifactLocation { uri: format!("file://{}", uri_path(path)), uri_base_id: None }
    } else {
        ArtifactLocation { uri: uri_path(path), uri_base_id: Some("%SRCROOT%") }
    }
}

/// What identifies a result from run to run: the kind, the file's URI and, for a finding
/// about a rule, its line as a fragment (`reincluded-by-rule:x%3Ay/.gitignore#L2`). The URI
/// percent-encodes every `:` and `#` of the path, so the text names one file and one line.
fn fingerprint(finding: &Finding, uri: &str) -> String {
    let kind = finding.kind().id();
    match finding.rule() {
        Some(rule) => format!("{kind}:{uri}#L{}", rule.line),
        None => format!("{kind}:{uri}"),
    }
}

/// A relative URI reference for a repository path, percent-encoding every byte but the
/// unreserved ones and `/`.
pub(crate) fn uri_path(path: &[u8]) -> String {
    percent_encode(path, URI_PATH).to_string()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::bytecode_rules::Need;
    use crate::guard::finding::RuleIssue;
    use gitlayer::ignore_rules::{Rule, Source};

    #[test]
    fn uris_encode_bytes_not_allowed_in_a_path() {
        assert_eq!(uri_path(b"pkg/__pycache__/m.cpython-311.pyc"), "pkg/__pycache__/m.cpython-311.pyc");
        assert_eq!(uri_path(b"a b/#%?.pyc"), "a%20b/%23%25%3F.pyc");
        assert_eq!(uri_path(b"caf\xe9/x$py.class"), "caf%E9/x%24py.class");
        assert_eq!(uri_path("\u{e9}.pyc".as_bytes()), "%C3%A9.pyc");
    }

    #[test]
    fn a_rule_finding_points_at_its_file_and_line() {
        let rule = |source| Rule { source, line: 12, pattern: b"*.pyo".to_vec() };
        let findings = [
            Finding::ignore_rules(RuleIssue::Reincludes(rule(Source::Tree(b"a:1/.gitignore".to_vec()))), false),
            Finding::ignore_rules(
                RuleIssue::OnlyPersonal { need: Need::Pyo, rule: rule(Source::Outside(b"/home/me/a:1".to_vec())) },
                false,
            ),
        ];
        let results = results(&findings);
        let inside = &results[0].locations[0].physical_location;
        assert_eq!(
            (inside.artifact_location.uri.as_str(), inside.artifact_location.uri_base_id),
            ("a%3A1/.gitignore", Some("%SRCROOT%"))
        );
        assert_eq!(inside.region.start_line, 12);
        assert_eq!(results[0].partial_fingerprints.pycache_guard, "reincluded-by-rule:a%3A1/.gitignore#L12");
        let outside = &results[1].locations[0].physical_location;
        assert_eq!(
            (outside.artifact_location.uri.as_str(), outside.artifact_location.uri_base_id),
            ("file:///home/me/a%3A1", None)
        );
        assert_eq!(results[1].partial_fingerprints.pycache_guard, "ignored-only-personally:file:///home/me/a%3A1#L12");
    }
}
