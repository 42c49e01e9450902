//! `--format github`: GitHub Actions workflow commands, one line per finding:
//! `::error file=<path>,title=<title>::<message>`.
//!
//! The runner splits a command at `::` and its properties at `,` and `:` after `=`, and ends
//! it at a newline, so values are escaped as the runner's own toolkit does: in the message
//! `%`, `\r` and `\n` become `%25`, `%0D` and `%0A`; in properties `:` and `,` also become
//! `%3A` and `%2C`. A path that is not UTF-8 is written lossily (U+FFFD): it is only a label
//! for the annotation.

use std::io::{self, Write};

use crate::report::{CommandContext, Finding, Severity};

/// Writes one workflow command per finding.
pub(crate) fn print(out: &mut impl Write, findings: &[Finding], commands: &CommandContext) -> io::Result<()> {
    for finding in findings {
        writeln!(out, "{}", annotation(finding, commands))?;
    }
    Ok(())
}

/// The workflow command for one finding.
pub(crate) fn annotation(finding: &Finding, commands: &CommandContext) -> String {
    let command = match finding.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let path = super::path_text(finding.path());
    let title = format!("pycache-guard ({})", finding.kind().id());
    // A finding about an ignore rule points at its line.
    let (location, line) = match finding.rule() {
        Some(rule) => (format!("{path}:{}", rule.line), format!(",line={}", rule.line)),
        None => (path.clone(), String::new()),
    };
    let message = format!("{location}: {}; fix: {}", finding.message(), crate::report::fix_for(finding, commands));
    format!(
        "::{command} file={}{line},title={}::{}",
        escape_property(&path),
        escape_property(&title),
        escape_data(&message)
    )
}

/// Escapes a message: `%`, `\r`, `\n`.
pub(crate) fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,`.
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::bytecode::Reason;
    use crate::report::Kind;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("100% a\r\nb: c, d"), "100%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("100% a\r\nb: c, d"), "100%25 a%0D%0Ab%3A c%2C d");
    }

    #[test]
    fn one_command_per_finding() {
        let finding = Finding::bytecode(Kind::StagedNew, b"a,b:c%.pyc".to_vec(), Reason::Pyc);
        let line = annotation(&finding, &CommandContext::default());
        assert_eq!(
            line,
            "::error file=a%2Cb%3Ac%25.pyc,title=pycache-guard (staged-new)::a,b:c%25.pyc: new bytecode file \
             staged for commit (compiled Python bytecode, *.pyc); fix: git rm --cached -- a,b:c%25.pyc"
        );
    }
}
