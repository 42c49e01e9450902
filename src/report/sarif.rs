//! `--format sarif`: a SARIF 2.1.0 log that GitHub code scanning accepts.
//!
//! One run; the tool driver lists a rule per finding kind (in [`Kind::ALL`] order, so
//! `ruleIndex` is stable), and each result points at its file. Bytecode is binary, so the
//! region is the file's first line, which code scanning needs to place an alert. The URI is
//! the repository-relative path, percent-encoded byte by byte (so a path that is not UTF-8
//! survives), relative to `%SRCROOT%`. Results carry a `partialFingerprints` entry built from
//! the kind and path, so the uploader does not try to hash a binary (or deleted) file, and
//! the commit that brought a file, where known, in `properties.commit`.

use std::io::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};
use serde::Serialize;

use crate::report::{Finding, Kind};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Bytes kept as they are in a URI path: RFC 3986 unreserved characters and `/`.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    pub version: &'static str,
    pub runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    pub results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: &'static str,
    pub version: &'static str,
    pub semantic_version: &'static str,
    pub information_uri: &'static str,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: &'static str,
    pub short_description: Text,
    pub full_description: Text,
    pub help: Text,
    pub default_configuration: Configuration,
}

#[derive(Debug, Serialize)]
pub struct Text {
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct Configuration {
    pub level: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: &'static str,
    pub rule_index: usize,
    pub level: &'static str,
    pub message: Text,
    pub locations: Vec<Location>,
    pub partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Properties>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    pub region: Region,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub uri: String,
    /// `%SRCROOT%` for a repository path; none for a file outside the repository (a personal
    /// `core.excludesFile`), whose URI is absolute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
}

#[derive(Debug, Serialize)]
pub struct Fingerprints {
    #[serde(rename = "pycacheGuard/v1")]
    pub pycache_guard: String,
}

#[derive(Debug, Serialize)]
pub struct Properties {
    pub commit: String,
}

/// The log for these findings.
pub fn log(findings: &[Finding]) -> Log {
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
pub fn print(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
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
            let artifact_location = artifact_location(&finding.path);
            SarifResult {
                rule_id: finding.kind.id(),
                rule_index: Kind::ALL.iter().position(|k| *k == finding.kind).unwrap_or_default(),
                level: finding.severity.id(),
                message: Text { text: finding.message() },
                partial_fingerprints: Fingerprints {
                    pycache_guard: format!("{}:{}", finding.kind.id(), finding.location()),
                },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location,
                        region: Region { start_line: finding.rule_line().unwrap_or(1) },
                    },
                }],
                properties: finding.commit.clone().map(|commit| Properties { commit }),
            }
        })
        .collect()
}

/// Where a finding is: relative to the source root for a repository path, a `file:` URI for
/// an absolute one (only a personal ignore file outside the repository is named that way).
fn artifact_location(path: &[u8]) -> ArtifactLocation {
    if path.starts_with(b"/") {
        ArtifactLocation { uri: format!("file://{}", uri_path(path)), uri_base_id: None }
    } else {
        ArtifactLocation { uri: uri_path(path), uri_base_id: Some("%SRCROOT%") }
    }
}

/// A relative URI reference for a repository path, percent-encoding every byte but the
/// unreserved ones and `/`.
pub fn uri_path(path: &[u8]) -> String {
    percent_encode(path, URI_PATH).to_string()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_encode_bytes_not_allowed_in_a_path() {
        assert_eq!(uri_path(b"pkg/__pycache__/m.cpython-311.pyc"), "pkg/__pycache__/m.cpython-311.pyc");
        assert_eq!(uri_path(b"a b/#%?.pyc"), "a%20b/%23%25%3F.pyc");
        assert_eq!(uri_path(b"caf\xe9/x$py.class"), "caf%E9/x%24py.class");
        assert_eq!(uri_path("\u{e9}.pyc".as_bytes()), "%C3%A9.pyc");
    }
}
