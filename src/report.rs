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
    /// Bytecode a commit of a checked range added (`--range`, `--pre-push`).
    CommitAdded,
    /// Bytecode already in the history that a commit of a checked range changed.
    CommitModified,
    /// The repository's ignore rules leave some bytecode unignored.
    MissingIgnoreRule,
    /// A negation (`!pattern`) re-includes bytecode.
    ReincludedByRule,
    /// Bytecode is ignored on this machine only, by `core.excludesFile` or `info/exclude`.
    IgnoredOnlyPersonally,
}

impl Kind {
    /// Every kind, in a stable order (SARIF numbers its rules by it).
    pub const ALL: &[Kind] = &[
        Kind::StagedNew,
        Kind::StagedModified,
        Kind::Tracked,
        Kind::InCommit,
        Kind::Named,
        Kind::CommitAdded,
        Kind::CommitModified,
        Kind::MissingIgnoreRule,
        Kind::ReincludedByRule,
        Kind::IgnoredOnlyPersonally,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Kind::StagedNew => "staged-new",
            Kind::StagedModified => "staged-modified",
            Kind::Tracked => "tracked",
            Kind::InCommit => "in-commit",
            Kind::Named => "named",
            Kind::CommitAdded => "commit-added",
            Kind::CommitModified => "commit-modified",
            Kind::MissingIgnoreRule => "missing-ignore-rule",
            Kind::ReincludedByRule => "reincluded-by-rule",
            Kind::IgnoredOnlyPersonally => "ignored-only-personally",
        }
    }

    /// Whether the finding is about a bytecode file (rather than the ignore rules).
    pub fn is_bytecode(self) -> bool {
        !matches!(self, Kind::MissingIgnoreRule | Kind::ReincludedByRule | Kind::IgnoredOnlyPersonally)
    }

    /// Whether the finding is about history: untracking the file now does not remove it.
    pub fn is_history(self) -> bool {
        matches!(self, Kind::CommitAdded | Kind::CommitModified)
    }

    /// How to fix a finding of this kind, in a sentence (SARIF rule help).
    pub fn help(self) -> &'static str {
        match self {
            kind if kind.is_history() => {
                "Rewrite the commit that brought the file, and every later one, without it \
                 (git rebase -i <commit>~, then git rm --cached the file in that commit), and ignore \
                 bytecode with `pycache-guard fix-gitignore`."
            }
            Kind::MissingIgnoreRule | Kind::IgnoredOnlyPersonally => {
                "Add the missing rules to the repository's .gitignore with `pycache-guard fix-gitignore`."
            }
            Kind::ReincludedByRule => {
                "Keep the negation if the bytecode it re-includes is deliberate (list such fixtures under \
                 `allow` in the config); otherwise delete it."
            }
            _ => {
                "Untrack the file, keeping it on disk, with git rm --cached, and ignore bytecode with \
                 `pycache-guard fix-gitignore`."
            }
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Kind::StagedNew => "new bytecode file staged for commit",
            Kind::StagedModified => "tracked bytecode file modified and staged for commit",
            Kind::Tracked => "bytecode file tracked by git",
            Kind::InCommit => "bytecode file in the commit",
            Kind::Named => "bytecode file",
            Kind::CommitAdded => "bytecode file added by commit",
            Kind::CommitModified => "bytecode file changed by commit",
            Kind::MissingIgnoreRule => "ignore rules for Python bytecode missing",
            Kind::ReincludedByRule => "an ignore rule re-includes Python bytecode",
            Kind::IgnoredOnlyPersonally => "Python bytecode ignored only by a personal rule",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The name machine-readable reports use (also SARIF's `level`).
    pub fn id(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
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
    /// The full id of the commit that brought the file, for findings about history.
    pub commit: Option<String>,
    /// That commit has no parent here (a root commit, or a shallow clone's edge): the history
    /// is rewritten from it with `git rebase -i --root`.
    pub commit_is_root: bool,
    /// The rule a finding is about, as `file:line` (rule findings only).
    pub rule: Option<String>,
    /// What a rule finding says.
    pub detail: Option<String>,
}

impl Finding {
    pub fn bytecode(kind: Kind, path: Vec<u8>, reason: Reason) -> Finding {
        Finding {
            kind,
            severity: Severity::Error,
            path,
            reason: Some(reason),
            commit: None,
            commit_is_root: false,
            rule: None,
            detail: None,
        }
    }

    /// A finding about the ignore rules: a warning, or an error under `--strict`.
    pub fn ignore_rules(kind: Kind, path: Vec<u8>, rule: Option<String>, detail: String, strict: bool) -> Finding {
        let severity = if strict { Severity::Error } else { Severity::Warning };
        Finding { kind, severity, path, reason: None, commit: None, commit_is_root: false, rule, detail: Some(detail) }
    }

    /// Where the finding points: the rule's `file:line`, else the path.
    pub fn location(&self) -> String {
        self.rule.clone().unwrap_or_else(|| display_path(&self.path))
    }

    /// The line of the ignore file a rule finding is about.
    pub fn rule_line(&self) -> Option<u32> {
        self.rule.as_deref()?.rsplit_once(':')?.1.parse().ok()
    }

    /// The same finding, naming the commit that brought it.
    pub fn in_commit(mut self, commit: String, is_root: bool) -> Finding {
        self.commit = Some(commit);
        self.commit_is_root = is_root;
        self
    }

    /// The sentence after the path: what was found (and in which commit) and why it counts
    /// as bytecode.
    pub fn message(&self) -> String {
        if let Some(detail) = &self.detail {
            return detail.clone();
        }
        let reason = self.reason.map(|reason| format!(" ({reason})")).unwrap_or_default();
        match &self.commit {
            Some(commit) => format!("{} {}{reason}", self.kind.describe(), short_id(commit)),
            None => format!("{}{reason}", self.kind.describe()),
        }
    }
}

/// A commit id as people quote it: its first 12 hex digits.
pub fn short_id(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
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
        writeln!(
            out,
            "{}: {label}: {}; fix: {}",
            finding.location().bold(),
            finding.message(),
            fix_for(finding, commands).cyan()
        )?;
    }
    Ok(())
}

/// The command that repairs the ignore rules.
pub const FIX_GITIGNORE: &str = "pycache-guard fix-gitignore";

/// The fix for one finding: untrack it; when a commit brought it, rewrite that history; for
/// the ignore rules, repair them.
pub fn fix_for(finding: &Finding, commands: &CommandContext) -> String {
    match (&finding.commit, finding.kind) {
        (Some(commit), _) => rewrite_hint(short_id(commit), finding.commit_is_root),
        (None, Kind::ReincludedByRule) => "keep it if it is deliberate; otherwise delete it".to_owned(),
        (None, kind) if !kind.is_bytecode() => FIX_GITIGNORE.to_owned(),
        (None, _) => commands.untrack_command([finding.path.as_slice()]),
    }
}

fn rewrite_hint(commit: &str, is_root: bool) -> String {
    // A commit without a parent has no `~` to rebase onto.
    let upstream = if is_root { "--root".to_owned() } else { format!("{commit}~") };
    format!("rewrite the history from commit {commit} without it (git rebase -i {upstream})")
}

/// The closing lines for people: how many findings, and one command that fixes them all.
pub fn print_human_summary(out: &mut impl Write, findings: &[Finding], commands: &CommandContext) -> io::Result<()> {
    let blocking: Vec<&Finding> =
        findings.iter().filter(|f| f.severity == Severity::Error && f.kind.is_bytecode()).collect();
    if blocking.is_empty() {
        return Ok(());
    }
    let count = blocking.len();
    let noun = if count == 1 { "bytecode file" } else { "bytecode files" };
    let (history, current): (Vec<&Finding>, Vec<&Finding>) = blocking.iter().partition(|f| f.commit.is_some());
    if let Some((oldest, is_root)) = history.first().and_then(|f| Some((f.commit.as_deref()?, f.commit_is_root))) {
        let commits = if history.len() == 1 { "a commit" } else { "the checked commits" };
        writeln!(out, "{} {count} Python {noun} added by {commits}.", "pycache-guard:".red().bold())?;
        let them = if count == 1 { "it" } else { "them" };
        writeln!(
            out,
            "A new commit that removes {them} leaves {them} in the history: {} instead.",
            rewrite_hint(short_id(oldest), is_root).cyan()
        )?;
        return Ok(());
    }
    writeln!(out, "{} {count} Python {noun} found.", "pycache-guard:".red().bold())?;
    writeln!(
        out,
        "Untrack {} (the files stay on disk): {}",
        if count == 1 { "it" } else { "them all" },
        commands.untrack_command(current.iter().map(|f| f.path.as_slice())).cyan()
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

    #[test]
    fn history_findings_name_the_commit_and_the_rewrite() {
        let commit = "0123456789abcdef0123456789abcdef01234567".to_owned();
        let finding = Finding::bytecode(Kind::CommitAdded, b"a.pyc".to_vec(), Reason::Pyc).in_commit(commit, false);
        let text = plain(&[finding], b"");
        assert_eq!(
            text,
            "a.pyc: error: bytecode file added by commit 0123456789ab (compiled Python bytecode, *.pyc); \
             fix: rewrite the history from commit 0123456789ab without it (git rebase -i 0123456789ab~)\n\
             pycache-guard: 1 Python bytecode file added by a commit.\n\
             A new commit that removes it leaves it in the history: rewrite the history from commit \
             0123456789ab without it (git rebase -i 0123456789ab~) instead.\n"
        );
    }

    #[test]
    fn kind_ids_are_unique() {
        let mut ids: Vec<&str> = Kind::ALL.iter().map(|k| k.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Kind::ALL.len());
    }
}
