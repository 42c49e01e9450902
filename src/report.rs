//! The printers: findings for people (this module), and in machine-readable formats
//! ([`json`], [`github`], [`sarif`]).
//!
//! The library never decides how a finding looks on a terminal from inside a check: checks
//! return [`Finding`]s, and a printer turns them into text. Printers are generic over
//! `Write` so tests capture them.

pub(crate) mod github;
pub(crate) mod json;
pub(crate) mod sarif;

use std::io::{self, Write};

use colored::Colorize;

use crate::guard::bytecode::Reason;
use crate::guard::debris::Debris;
pub(crate) use crate::guard::finding::{Finding, Kind, Severity, short_id};
use crate::guard::finding::{Fix, rule_pattern, rule_place};
use crate::guard::fix::plan::{LeftOut, Unreached};
use gitlayer::ignore_rules::Source;
use gitlayer::paths::{display_path, relative_to, shell_word};

/// How the findings are printed (`check --format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// One line per finding, path first, then why and how to fix (coloured).
    #[default]
    Human,
    /// One JSON document: {"findings": [...], "summary": {...}}.
    Json,
    /// GitHub Actions workflow commands (::error file=...::...).
    Github,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// Prints the findings in a machine-readable format (`Human` is the report module's).
pub(crate) fn print(
    out: &mut impl Write,
    format: OutputFormat,
    findings: &[Finding],
    commands: &CommandContext,
) -> io::Result<()> {
    match format {
        OutputFormat::Json => json::print(out, findings),
        OutputFormat::Github => github::print(out, findings, commands),
        OutputFormat::Sarif => sarif::print(out, findings),
        OutputFormat::Human => print_human(out, findings, commands),
    }
}

/// A path as text for formats that need text: the UTF-8 path itself, or for other bytes a
/// lossy rendering (U+FFFD for each bad sequence) that formats pair with the raw bytes.
pub(crate) fn path_text(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

/// Where the printed commands will be pasted: the user's folder relative to the worktree top,
/// and what the commands may rely on there.
#[derive(Debug, Clone, Default)]
pub(crate) struct CommandContext {
    pub(crate) cwd_prefix: Vec<u8>,
    /// The debris categories the check judged: the fix command must be told them too.
    pub(crate) debris: Debris,
    /// The revision `--rev` checked, as given: its files are found in its history.
    pub(crate) rev: Option<String>,
    /// Named files (`check PATHS`) that the index does not hold, or all of them outside a
    /// repository: `git rm --cached` cannot untrack those.
    pub(crate) not_tracked: Vec<NotTracked>,
}

/// A named file git does not track, and whether it is on disk to be cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotTracked {
    pub(crate) path: Vec<u8>,
    pub(crate) on_disk: bool,
}

impl CommandContext {
    /// The command that repairs the ignore rules for what was checked.
    pub(crate) fn fix_gitignore_command(&self) -> String {
        match self.debris.is_empty() {
            true => FIX_GITIGNORE.to_owned(),
            false => format!("{FIX_GITIGNORE} --debris {}", self.debris.flag_value()),
        }
    }

    /// The command that finds the commits of `--rev`'s history that brought its bytecode, each
    /// with the command that rewrites it.
    fn find_commit_command(&self) -> String {
        let rev = self.rev.as_deref().unwrap_or("HEAD");
        format!("pycache-guard check --range {}", shell_word(rev.as_bytes()))
    }

    /// Where a finding is, as people read it: its path (or its rule's `.gitignore`) relative to
    /// where they stand, as `git status` shows paths and as the printed commands name them.
    fn location(&self, finding: &Finding) -> String {
        match finding.rule() {
            Some(rule) => match &rule.source {
                Source::Tree(path) => format!("{}:{}", display_path(&relative_to(&self.cwd_prefix, path)), rule.line),
                // A personal file outside the worktree is named by its absolute path.
                Source::Outside(_) => finding.location(),
            },
            None => display_path(&relative_to(&self.cwd_prefix, finding.path())),
        }
    }

    /// Whether the index holds this finding's path (all but some named files).
    fn is_tracked(&self, path: &[u8]) -> bool {
        !self.not_tracked.iter().any(|named| named.path == path)
    }

    /// How to get rid of a named file git does not track: delete it, if it is there.
    fn untracked_fix(&self, path: &[u8]) -> String {
        match self.not_tracked.iter().any(|named| named.path == path && named.on_disk) {
            true => format!("not tracked by git; delete it: pycache-guard clean -- {}", shell_word(path)),
            false => "not tracked by git and not on disk: nothing to remove".to_owned(),
        }
    }

    /// The command that removes these paths from the index and keeps the files on disk.
    pub(crate) fn untrack_command<'a>(&self, paths: impl IntoIterator<Item = &'a [u8]>) -> String {
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
pub(crate) fn print_human(out: &mut impl Write, findings: &[Finding], commands: &CommandContext) -> io::Result<()> {
    for finding in findings {
        let label = match finding.severity() {
            Severity::Error => "error".red().bold(),
            Severity::Warning => "warning".yellow().bold(),
        };
        writeln!(
            out,
            "{}: {label}: {}; fix: {}",
            commands.location(finding).bold(),
            finding.message(),
            fix_for(finding, commands).cyan()
        )?;
    }
    Ok(())
}

/// The command that repairs the ignore rules.
pub(crate) const FIX_GITIGNORE: &str = "pycache-guard fix-gitignore";

/// The fix for one finding, as its kind's words say ([`Kind::fix`]): untrack it; when a
/// commit brought it, rewrite that history; for the ignore rules, repair them.
pub(crate) fn fix_for(finding: &Finding, commands: &CommandContext) -> String {
    match (finding.commit(), finding.kind().fix()) {
        (Some(commit), _) => rewrite_hint(short_id(&commit.id), commit.is_root),
        (None, Fix::Say(words)) => words.to_owned(),
        (None, Fix::RepairRules) => commands.fix_gitignore_command(),
        (None, Fix::FindCommit) => format!("find the commit that brought it: {}", commands.find_commit_command()),
        (None, Fix::Untrack) if !commands.is_tracked(finding.path()) => commands.untracked_fix(finding.path()),
        (None, Fix::Untrack) => commands.untrack_command([finding.path()]),
    }
}

/// What `fix-gitignore` and the fix of `check` say about a line they left out.
pub(crate) fn left_out_line(left: &LeftOut) -> String {
    let why = match &left.negation {
        Some(rule) => format!("it would override the negation {} {}", rule_place(rule), rule_pattern(rule)),
        None => format!("it would change git's verdict on {}", display_path(&left.probe)),
    };
    format!("left out {}: {why}", left.line)
}

/// What `fix-gitignore` says about a need the file it edits cannot meet.
pub(crate) fn unreached_line(unreached: &Unreached) -> String {
    let why = match &unreached.rule {
        Some(rule) => format!("{} {} decides it, and a deeper .gitignore wins", rule_place(rule), rule_pattern(rule)),
        None => "no rule of this file can reach it".to_owned(),
    };
    let path = display_path(&unreached.probe);
    format!("{path} stays unignored: {why}; add the rules there (fix-gitignore --file)")
}

fn rewrite_hint(commit: &str, is_root: bool) -> String {
    // A commit without a parent has no `~` to rebase onto.
    let upstream = if is_root { "--root".to_owned() } else { format!("{commit}~") };
    format!("rewrite the history from commit {commit} without it (git rebase -i {upstream})")
}

/// The closing lines for people: how many findings, and one command that fixes them all.
pub(crate) fn print_human_summary(
    out: &mut impl Write,
    findings: &[Finding],
    commands: &CommandContext,
) -> io::Result<()> {
    let blocking: Vec<&Finding> =
        findings.iter().filter(|f| f.severity() == Severity::Error && f.kind().is_bytecode()).collect();
    if blocking.is_empty() {
        return Ok(());
    }
    let count = blocking.len();
    let debris = blocking.iter().filter(|f| matches!(f.reason(), Some(Reason::Debris(_)))).count();
    let noun = match (debris == 0, debris == count, count == 1) {
        (true, _, true) => "bytecode file",
        (true, _, false) => "bytecode files",
        (false, true, true) => "debris file",
        (false, true, false) => "debris files",
        (false, false, _) => "bytecode or debris files",
    };
    let (history, current): (Vec<&Finding>, Vec<&Finding>) = blocking.iter().partition(|f| f.commit().is_some());
    if let Some((oldest, is_root)) =
        history.first().and_then(|f| f.commit()).map(|commit| (commit.id.as_str(), commit.is_root))
    {
        let commits = if history.len() == 1 { "a commit" } else { "the checked commits" };
        // In the words of the findings: a commit added a file, or changed one already there.
        let added = history.iter().filter(|f| f.kind() == Kind::CommitAdded).count();
        let brought = match (added, history.len() - added) {
            (_, 0) => "added".to_owned(),
            (0, _) => "changed".to_owned(),
            (added, changed) => format!("added or changed ({added} added, {changed} changed)"),
        };
        writeln!(out, "{} {count} Python {noun} {brought} by {commits}.", "pycache-guard:".red().bold())?;
        let them = if count == 1 { "it" } else { "them" };
        writeln!(
            out,
            "A new commit that removes {them} leaves {them} in the history: {} instead.",
            rewrite_hint(short_id(oldest), is_root).cyan()
        )?;
        return Ok(());
    }
    writeln!(out, "{} {count} Python {noun} found.", "pycache-guard:".red().bold())?;
    let them = if count == 1 { "it" } else { "them" };
    if current.iter().any(|f| f.kind() == Kind::InCommit) {
        let find = commands.find_commit_command();
        return writeln!(out, "Find the commits that brought {them}, and how to rewrite them: {}", find.cyan());
    }
    let tracked: Vec<&[u8]> = current.iter().map(|f| f.path()).filter(|path| commands.is_tracked(path)).collect();
    if !tracked.is_empty() {
        let them = if tracked.len() == 1 { "it" } else { "them all" };
        let untrack = commands.untrack_command(tracked.iter().copied());
        writeln!(out, "Untrack {them} (the files stay on disk): {}", untrack.cyan())?;
    }
    let on_disk: Vec<&[u8]> =
        commands.not_tracked.iter().filter(|named| named.on_disk).map(|named| named.path.as_slice()).collect();
    if !on_disk.is_empty() {
        let words: Vec<String> = on_disk.iter().map(|path| shell_word(path)).collect();
        let it = if on_disk.len() == 1 { "it" } else { "them" };
        writeln!(
            out,
            "Not tracked by git; delete {it}: {}",
            format!("pycache-guard clean -- {}", words.join(" ")).cyan()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::bytecode::Reason;
    use crate::guard::finding::BytecodeFinding;

    fn plain(findings: &[Finding], prefix: &[u8]) -> String {
        colored::control::set_override(false);
        let commands = CommandContext { cwd_prefix: prefix.to_vec(), ..CommandContext::default() };
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
        let finding =
            BytecodeFinding { kind: Kind::CommitAdded, path: b"a.pyc".to_vec(), reason: Reason::Pyc, commit: None };
        let finding = Finding::Bytecode(finding.in_commit(commit, false));
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
