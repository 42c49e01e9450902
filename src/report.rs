//! Findings as data, and the printers that show them.
//!
//! The library never decides how a finding looks on a terminal from inside a check: checks
//! return [`Finding`]s, and a printer turns them into text. Printers are generic over
//! `Write` so tests can capture them.

use std::io::{self, Write};

use colored::Colorize;

use crate::bytecode::Reason;
use crate::paths::{display_path, relative_to, shell_word};

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bytecode the next commit would add.
    StagedNew,
    /// Tracked bytecode whose content or mode the next commit would change.
    StagedModified,
    /// Bytecode tracked in the index (`--all`).
    Tracked,
    /// Bytecode in a commit's tree (`--rev`).
    InCommit,
    /// A file named on the command line that is bytecode.
    Named,
    /// The repository's ignore rules leave some bytecode unignored.
    MissingIgnoreRule,
    /// A negation (`!pattern`) re-includes bytecode.
    ReincludedByRule,
    /// Bytecode is ignored on this machine only, by `core.excludesFile` or `info/exclude`.
    IgnoredOnlyPersonally,
}

impl Kind {
    pub fn id(self) -> &'static str {
        match self {
            Kind::StagedNew => "staged-new",
            Kind::StagedModified => "staged-modified",
            Kind::Tracked => "tracked",
            Kind::InCommit => "in-commit",
            Kind::Named => "named",
            Kind::MissingIgnoreRule => "missing-ignore-rule",
            Kind::ReincludedByRule => "reincluded-by-rule",
            Kind::IgnoredOnlyPersonally => "ignored-only-personally",
        }
    }

    /// Whether the finding is about a bytecode file (rather than the ignore rules).
    pub fn is_bytecode(self) -> bool {
        matches!(self, Kind::StagedNew | Kind::StagedModified | Kind::Tracked | Kind::InCommit | Kind::Named)
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::StagedNew => "new bytecode file staged for commit",
            Kind::StagedModified => "tracked bytecode file modified and staged for commit",
            Kind::Tracked => "bytecode file tracked by git",
            Kind::InCommit => "bytecode file in the commit",
            Kind::Named => "bytecode file",
            Kind::MissingIgnoreRule => "ignore rules missing",
            Kind::ReincludedByRule => "a rule re-includes bytecode",
            Kind::IgnoredOnlyPersonally => "bytecode ignored only by a personal rule",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One thing the user should know about, with enough data for every output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub severity: Severity,
    /// Repository-relative path, as git stores it (raw bytes): the bytecode file, or the
    /// ignore file a rule finding is about.
    pub path: Vec<u8>,
    /// Why the path is bytecode (bytecode findings only).
    pub reason: Option<Reason>,
    /// The rule a finding is about, as `file:line` (rule findings only).
    pub rule: Option<String>,
    /// What a rule finding says.
    pub detail: Option<String>,
}

impl Finding {
    pub fn bytecode(kind: Kind, path: Vec<u8>, reason: Reason) -> Finding {
        Finding { kind, severity: Severity::Error, path, reason: Some(reason), rule: None, detail: None }
    }

    /// A finding about the ignore rules: a warning, or an error under `--strict`.
    pub fn ignore_rules(kind: Kind, path: Vec<u8>, rule: Option<String>, detail: String, strict: bool) -> Finding {
        let severity = if strict { Severity::Error } else { Severity::Warning };
        Finding { kind, severity, path, reason: None, rule, detail: Some(detail) }
    }

    /// The sentence after the path: what was found and why.
    pub fn message(&self) -> String {
        match (&self.detail, self.reason) {
            (Some(detail), _) => detail.clone(),
            (None, Some(reason)) => format!("{} ({reason})", self.kind.describe()),
            (None, None) => self.kind.describe().to_owned(),
        }
    }

    /// Where the finding points: the rule's `file:line`, else the path.
    pub fn location(&self) -> String {
        self.rule.clone().unwrap_or_else(|| display_path(&self.path))
    }
}

/// Where the printed commands will be pasted: the user's folder relative to the worktree top.
#[derive(Debug, Clone, Default)]
pub struct CommandContext {
    pub cwd_prefix: Vec<u8>,
}

impl CommandContext {
    /// The command that removes these paths from the index and keeps the files on disk.
    pub fn untrack_command<'a>(&self, paths: impl IntoIterator<Item = &'a [u8]>) -> String {
        let mut command = String::from("git rm --cached --");
        for path in paths {
            command.push(' ');
            command.push_str(&self.pathspec_word(path));
        }
        command
    }

    /// A shell word that git's pathspec reads as exactly this path from the user's folder;
    /// `:(literal)` keeps a `*`, `?` or `[` in a file name from matching other files.
    fn pathspec_word(&self, path: &[u8]) -> String {
        let relative = relative_to(&self.cwd_prefix, path);
        if relative.iter().any(|b| b"*?[\\".contains(b)) || relative.starts_with(b":") {
            let mut literal = b":(literal)".to_vec();
            literal.extend_from_slice(&relative);
            shell_word(&literal)
        } else {
            shell_word(&relative)
        }
    }
}

/// Prints findings as lines for people: path first, then what and why, then the fix.
pub fn print_human(out: &mut impl Write, findings: &[Finding], commands: &CommandContext) -> io::Result<()> {
    for finding in findings {
        let label = match finding.severity {
            Severity::Error => "error".red().bold(),
            Severity::Warning => "warning".yellow().bold(),
        };
        let fix = match finding.kind {
            kind if kind.is_bytecode() => commands.untrack_command([finding.path.as_slice()]),
            Kind::ReincludedByRule => "keep it if it is deliberate; otherwise delete it".to_owned(),
            _ => FIX_GITIGNORE.to_owned(),
        };
        writeln!(out, "{}: {label}: {}; fix: {}", finding.location().bold(), finding.message(), fix.cyan())?;
    }
    Ok(())
}

/// The command that repairs the ignore rules.
pub const FIX_GITIGNORE: &str = "pycache-guard fix-gitignore";

/// The closing lines for people: how many findings, and one command that fixes them all.
pub fn print_human_summary(out: &mut impl Write, findings: &[Finding], commands: &CommandContext) -> io::Result<()> {
    let blocking: Vec<&Finding> =
        findings.iter().filter(|f| f.severity == Severity::Error && f.kind.is_bytecode()).collect();
    if blocking.is_empty() {
        return Ok(());
    }
    let count = blocking.len();
    let noun = if count == 1 { "bytecode file" } else { "bytecode files" };
    writeln!(out, "{} {count} Python {noun} found.", "pycache-guard:".red().bold())?;
    writeln!(
        out,
        "Untrack {} (the files stay on disk): {}",
        if count == 1 { "it" } else { "them all" },
        commands.untrack_command(blocking.iter().map(|f| f.path.as_slice())).cyan()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(findings: &[Finding], prefix: &[u8]) -> String {
        colored::control::set_override(false);
        let commands = CommandContext { cwd_prefix: prefix.to_vec() };
        let mut out = Vec::new();
        print_human(&mut out, findings, &commands).unwrap();
        print_human_summary(&mut out, findings, &commands).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human_line_names_path_reason_and_fix() {
        let finding = Finding::bytecode(Kind::StagedNew, b"pkg/__pycache__/m.pyc".to_vec(), Reason::InPycache);
        let text = plain(&[finding], b"");
        assert_eq!(
            text,
            "pkg/__pycache__/m.pyc: error: new bytecode file staged for commit (inside a __pycache__ folder); \
             fix: git rm --cached -- pkg/__pycache__/m.pyc\n\
             pycache-guard: 1 Python bytecode file found.\n\
             Untrack it (the files stay on disk): git rm --cached -- pkg/__pycache__/m.pyc\n"
        );
    }

    #[test]
    fn commands_are_relative_to_the_users_folder_and_literal() {
        let findings = [
            Finding::bytecode(Kind::Tracked, b"pkg/a b.pyc".to_vec(), Reason::Pyc),
            Finding::bytecode(Kind::Tracked, b"other/[x].pyo".to_vec(), Reason::Pyo),
        ];
        let text = plain(&findings, b"pkg/");
        assert!(text.contains("git rm --cached -- 'a b.pyc' ':(literal)../other/[x].pyo'\n"), "{text}");
    }
}
