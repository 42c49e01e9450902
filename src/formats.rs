//! Machine-readable reports: JSON, GitHub Actions workflow commands and SARIF.
//!
//! Each printer turns the same [`Finding`]s into one format and writes it to any `Write`, so
//! tests capture them. The human printer lives beside the findings in [`crate::report`].

pub mod github;
pub mod json;
pub mod sarif;

use std::io::{self, Write};

use crate::cli::OutputFormat;
use crate::report::{CommandContext, Finding};

/// Prints the findings in a machine-readable format (`Human` is the report module's).
pub fn print(
    out: &mut impl Write,
    format: OutputFormat,
    findings: &[Finding],
    commands: &CommandContext,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => json::print(out, findings),
        OutputFormat::Github => github::print(out, findings, commands),
        OutputFormat::Sarif => sarif::print(out, findings),
        OutputFormat::Human => crate::report::print_human(out, findings, commands),
    }
}

/// A path as text for formats that need text: the UTF-8 path itself, or for other bytes a
/// lossy rendering (U+FFFD for each bad sequence) that formats pair with the raw bytes.
pub(crate) fn path_text(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}
