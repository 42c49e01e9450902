//! Findings as data: what was found, how serious it is, and the words that say so.
//!
//! Two subjects, two types: a [`BytecodeFinding`] names a file that is bytecode, a
//! [`RuleFinding`] an ignore rule (or the lack of one); [`Finding`] is either, and is what
//! every printer reads. Each [`Kind`]'s words live in one table ([`Kind::words`]).
//!
//! Checks return [`Finding`]s; the printers of the `report` layer turn them into text, JSON,
//! GitHub annotations or SARIF.

use crate::guard::bytecode::Reason;
use gitlayer::paths::display_path;

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
    /// A `.gitignore` is there but cannot be read: git leaves its rules out.
    UnreadableIgnoreFile,
}

/// The words of a kind: its stable id, what it says after the path, how to fix it.
struct Words {
    id: &'static str,
    describe: &'static str,
    help: &'static str,
}

const UNTRACK_HELP: &str = "Untrack the file, keeping it on disk, with git rm --cached, and ignore bytecode with \
                            `pycache-guard fix-gitignore`.";
const REWRITE_HELP: &str = "Rewrite the commit that brought the file, and every later one, without it \
                            (git rebase -i <commit>~, then git rm --cached the file in that commit), and ignore \
                            bytecode with `pycache-guard fix-gitignore`.";
const FIX_RULES_HELP: &str = "Add the missing rules to the repository's .gitignore with `pycache-guard fix-gitignore`.";

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
        Kind::UnreadableIgnoreFile,
    ];

    /// Every word about a kind, in one place.
    fn words(self) -> Words {
        let (id, describe, help) = match self {
            Kind::StagedNew => ("staged-new", "new bytecode file staged for commit", UNTRACK_HELP),
            Kind::StagedModified => {
                ("staged-modified", "tracked bytecode file modified and staged for commit", UNTRACK_HELP)
            }
            Kind::Tracked => ("tracked", "bytecode file tracked by git", UNTRACK_HELP),
            Kind::InCommit => ("in-commit", "bytecode file in the commit", UNTRACK_HELP),
            Kind::Named => ("named", "bytecode file", UNTRACK_HELP),
            Kind::CommitAdded => ("commit-added", "bytecode file added by commit", REWRITE_HELP),
            Kind::CommitModified => ("commit-modified", "bytecode file changed by commit", REWRITE_HELP),
            Kind::MissingIgnoreRule => {
                ("missing-ignore-rule", "ignore rules for Python bytecode missing", FIX_RULES_HELP)
            }
            Kind::ReincludedByRule => (
                "reincluded-by-rule",
                "an ignore rule re-includes Python bytecode",
                "Keep the negation if the bytecode it re-includes is deliberate (list such fixtures under \
                 `allow` in the config); otherwise delete it.",
            ),
            Kind::IgnoredOnlyPersonally => {
                ("ignored-only-personally", "Python bytecode ignored only by a personal rule", FIX_RULES_HELP)
            }
            Kind::UnreadableIgnoreFile => (
                "unreadable-ignore-file",
                "an ignore file cannot be read",
                "Make the file readable (its permissions or owner), or delete it: git warns \"unable to access\" \
                 and leaves its rules out until then.",
            ),
        };
        Words { id, describe, help }
    }

    pub(crate) fn id(self) -> &'static str {
        self.words().id
    }

    /// Whether the finding is about a bytecode file (rather than the ignore rules).
    pub(crate) fn is_bytecode(self) -> bool {
        !matches!(
            self,
            Kind::MissingIgnoreRule | Kind::ReincludedByRule | Kind::IgnoredOnlyPersonally | Kind::UnreadableIgnoreFile
        )
    }

    /// How to fix a finding of this kind, in a sentence (SARIF rule help).
    pub(crate) fn help(self) -> &'static str {
        self.words().help
    }

    pub(crate) fn describe(self) -> &'static str {
        self.words().describe
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

/// A file that is bytecode: staged, tracked, in a commit's tree, named, or brought by a
/// commit of a checked range. Always an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BytecodeFinding {
    pub(crate) kind: Kind,
    /// Repository-relative path, as git stores it (raw bytes).
    pub(crate) path: Vec<u8>,
    /// Why the path is bytecode.
    pub(crate) reason: Reason,
    /// The commit that brought the file, for findings about history.
    pub(crate) commit: Option<BroughtBy>,
}

/// The commit that brought a file into the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BroughtBy {
    /// The commit's full id.
    pub(crate) id: String,
    /// It has no parent here (a root commit, or a shallow clone's edge): the history is
    /// rewritten from it with `git rebase -i --root`.
    pub(crate) is_root: bool,
}

/// What the ignore rules get wrong: a rule that is missing, one that re-includes bytecode,
/// or bytecode that only a personal rule ignores. A warning, or an error under `--strict`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleFinding {
    pub(crate) kind: Kind,
    pub(crate) severity: Severity,
    /// The ignore file the finding is about (raw bytes).
    pub(crate) file: Vec<u8>,
    /// The rule it is about, when it is about one.
    pub(crate) rule: Option<RuleAt>,
    /// What it says.
    pub(crate) detail: String,
}

/// A rule's place: its file as `git check-ignore -v` names it, and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleAt {
    pub(crate) source: String,
    pub(crate) line: usize,
}

/// One thing the user should know about, with enough data for every output format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Finding {
    Bytecode(BytecodeFinding),
    Rule(RuleFinding),
}

impl Finding {
    pub(crate) fn bytecode(kind: Kind, path: Vec<u8>, reason: Reason) -> Finding {
        Finding::Bytecode(BytecodeFinding { kind, path, reason, commit: None })
    }

    /// A finding about the ignore rules: a warning, or an error under `--strict`.
    pub(crate) fn ignore_rules(
        kind: Kind,
        file: Vec<u8>,
        rule: Option<RuleAt>,
        detail: String,
        strict: bool,
    ) -> Finding {
        let severity = if strict { Severity::Error } else { Severity::Warning };
        Finding::Rule(RuleFinding { kind, severity, file, rule, detail })
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Finding::Bytecode(finding) => finding.kind,
            Finding::Rule(finding) => finding.kind,
        }
    }

    pub(crate) fn severity(&self) -> Severity {
        match self {
            Finding::Bytecode(_) => Severity::Error,
            Finding::Rule(finding) => finding.severity,
        }
    }

    /// The bytecode file, or the ignore file a rule finding is about.
    pub(crate) fn path(&self) -> &[u8] {
        match self {
            Finding::Bytecode(finding) => &finding.path,
            Finding::Rule(finding) => &finding.file,
        }
    }

    /// Why the path is bytecode (bytecode findings only).
    pub(crate) fn reason(&self) -> Option<Reason> {
        match self {
            Finding::Bytecode(finding) => Some(finding.reason),
            Finding::Rule(_) => None,
        }
    }

    /// The commit that brought the file (findings about history only).
    pub(crate) fn commit(&self) -> Option<&BroughtBy> {
        match self {
            Finding::Bytecode(finding) => finding.commit.as_ref(),
            Finding::Rule(_) => None,
        }
    }

    /// The rule a rule finding is about, as `file:line`.
    pub(crate) fn rule_location(&self) -> Option<String> {
        match self {
            Finding::Rule(RuleFinding { rule: Some(rule), .. }) => Some(format!("{}:{}", rule.source, rule.line)),
            _ => None,
        }
    }

    /// Where the finding points: the rule's `file:line`, else the path.
    pub(crate) fn location(&self) -> String {
        self.rule_location().unwrap_or_else(|| display_path(self.path()))
    }

    /// The line of the ignore file a rule finding is about.
    pub(crate) fn rule_line(&self) -> Option<usize> {
        match self {
            Finding::Rule(RuleFinding { rule: Some(rule), .. }) => Some(rule.line),
            _ => None,
        }
    }

    /// The sentence after the path: what was found (and in which commit) and why it counts
    /// as bytecode.
    pub(crate) fn message(&self) -> String {
        match self {
            Finding::Rule(finding) => finding.detail.clone(),
            Finding::Bytecode(finding) => {
                let (describe, reason) = (finding.kind.describe(), finding.reason);
                match &finding.commit {
                    Some(commit) => format!("{describe} {} ({reason})", short_id(&commit.id)),
                    None => format!("{describe} ({reason})"),
                }
            }
        }
    }
}

impl BytecodeFinding {
    /// The same finding, naming the commit that brought it.
    pub(crate) fn in_commit(mut self, id: String, is_root: bool) -> BytecodeFinding {
        self.commit = Some(BroughtBy { id, is_root });
        self
    }
}

/// A commit id as people quote it: its first 12 hex digits.
pub(crate) fn short_id(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}
