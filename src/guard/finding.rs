//! Findings as data: what was found, how serious it is, and the words that say so.
//!
//! Checks return [`Finding`]s; the printers in [`crate::report`] turn them into text, JSON,
//! GitHub annotations or SARIF.

use crate::git::paths::display_path;
use crate::guard::bytecode::Reason;

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
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
    pub(crate) const ALL: &[Kind] = &[
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

    pub(crate) fn id(self) -> &'static str {
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
    pub(crate) fn is_bytecode(self) -> bool {
        !matches!(self, Kind::MissingIgnoreRule | Kind::ReincludedByRule | Kind::IgnoredOnlyPersonally)
    }

    /// Whether the finding is about history: untracking the file now does not remove it.
    pub(crate) fn is_history(self) -> bool {
        matches!(self, Kind::CommitAdded | Kind::CommitModified)
    }

    /// How to fix a finding of this kind, in a sentence (SARIF rule help).
    pub(crate) fn help(self) -> &'static str {
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
pub(crate) enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// The name machine-readable reports use (also SARIF's `level`).
    pub(crate) fn id(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One thing the user should know about, with enough data for every output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) kind: Kind,
    pub(crate) severity: Severity,
    /// Repository-relative path, as git stores it (raw bytes): the bytecode file, or the
    /// ignore file a rule finding is about.
    pub(crate) path: Vec<u8>,
    /// Why the path is bytecode (bytecode findings only).
    pub(crate) reason: Option<Reason>,
    /// The full id of the commit that brought the file, for findings about history.
    pub(crate) commit: Option<String>,
    /// That commit has no parent here (a root commit, or a shallow clone's edge): the history
    /// is rewritten from it with `git rebase -i --root`.
    pub(crate) commit_is_root: bool,
    /// The rule a finding is about, as `file:line` (rule findings only).
    pub(crate) rule: Option<String>,
    /// What a rule finding says.
    pub(crate) detail: Option<String>,
}

impl Finding {
    pub(crate) fn bytecode(kind: Kind, path: Vec<u8>, reason: Reason) -> Finding {
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
    pub(crate) fn ignore_rules(
        kind: Kind,
        path: Vec<u8>,
        rule: Option<String>,
        detail: String,
        strict: bool,
    ) -> Finding {
        let severity = if strict { Severity::Error } else { Severity::Warning };
        Finding { kind, severity, path, reason: None, commit: None, commit_is_root: false, rule, detail: Some(detail) }
    }

    /// Where the finding points: the rule's `file:line`, else the path.
    pub(crate) fn location(&self) -> String {
        self.rule.clone().unwrap_or_else(|| display_path(&self.path))
    }

    /// The line of the ignore file a rule finding is about.
    pub(crate) fn rule_line(&self) -> Option<u32> {
        self.rule.as_deref()?.rsplit_once(':')?.1.parse().ok()
    }

    /// The same finding, naming the commit that brought it.
    pub(crate) fn in_commit(mut self, commit: String, is_root: bool) -> Finding {
        self.commit = Some(commit);
        self.commit_is_root = is_root;
        self
    }

    /// The sentence after the path: what was found (and in which commit) and why it counts
    /// as bytecode.
    pub(crate) fn message(&self) -> String {
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
pub(crate) fn short_id(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
