//! Findings as data: what was found, how serious it is, and the words that say so.
//!
//! Two subjects, two types: a [`BytecodeFinding`] names a file that is bytecode, a
//! [`RuleFinding`] an ignore rule (or the lack of one); [`Finding`] is either, and is what
//! every printer reads. Findings carry data, never sentences: paths and rules as git's bytes,
//! and what the audit found as a [`RuleIssue`]. The words are all here, in one place: each
//! [`Kind`]'s in one table ([`Kind::words`]), and the sentence of a rule finding in
//! [`RuleIssue::describe`]; the human, JSON, GitHub and SARIF printers take them from there.
//!
//! Checks return [`Finding`]s; the printers of the `report` layer turn them into text, JSON,
//! GitHub annotations or SARIF.

use crate::guard::bytecode::Reason;
use crate::guard::bytecode_rules::Need;
use gitlayer::ignore_rules::{Rule, Source, Unreadable, WhyUnreadable};
use gitlayer::paths::{c_quote, display_path};

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

/// The words of a kind: its stable id, what it says after the path, how to fix it (SARIF's
/// help, and the human line's fix).
struct Words {
    id: &'static str,
    describe: &'static str,
    help: &'static str,
    fix: Fix,
}

/// How the human line of a finding says to fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fix {
    /// The command that untracks the file; for a file a commit brought, rewriting the history
    /// from that commit instead.
    Untrack,
    /// The command that finds the commit that brought a file of a commit's tree (`--rev`:
    /// the index may not hold it, and a bare repository has none).
    FindCommit,
    /// The command that repairs the ignore rules.
    RepairRules,
    /// What to do, in words.
    Say(&'static str),
}

const UNTRACK_HELP: &str = "Untrack the file, keeping it on disk, with git rm --cached, and ignore bytecode with \
                            `pycache-guard fix-gitignore`.";
const REWRITE_HELP: &str = "Rewrite the commit that brought the file, and every later one, without it \
                            (git rebase -i <commit>~, then git rm --cached the file in that commit), and ignore \
                            bytecode with `pycache-guard fix-gitignore`.";
const FIND_HELP: &str = "Find the commit that brought the file with `pycache-guard check --range <REV>`, which \
                         names it and the rewrite that drops it (git rebase -i <commit>~), and ignore bytecode with \
                         `pycache-guard fix-gitignore`.";
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
        let (id, describe, help, fix) = match self {
            Kind::StagedNew => ("staged-new", "new bytecode file staged for commit", UNTRACK_HELP, Fix::Untrack),
            Kind::StagedModified => {
                ("staged-modified", "tracked bytecode file modified and staged for commit", UNTRACK_HELP, Fix::Untrack)
            }
            Kind::Tracked => ("tracked", "bytecode file tracked by git", UNTRACK_HELP, Fix::Untrack),
            Kind::InCommit => ("in-commit", "bytecode file in the commit", FIND_HELP, Fix::FindCommit),
            Kind::Named => ("named", "bytecode file", UNTRACK_HELP, Fix::Untrack),
            Kind::CommitAdded => ("commit-added", "bytecode file added by commit", REWRITE_HELP, Fix::Untrack),
            Kind::CommitModified => ("commit-modified", "bytecode file changed by commit", REWRITE_HELP, Fix::Untrack),
            Kind::MissingIgnoreRule => {
                ("missing-ignore-rule", "ignore rules for Python bytecode missing", FIX_RULES_HELP, Fix::RepairRules)
            }
            Kind::ReincludedByRule => (
                "reincluded-by-rule",
                "an ignore rule re-includes Python bytecode",
                "Keep the negation if the bytecode it re-includes is deliberate (list such fixtures under \
                 `allow` in the config); otherwise delete it.",
                Fix::Say("keep it if it is deliberate; otherwise delete it"),
            ),
            Kind::IgnoredOnlyPersonally => (
                "ignored-only-personally",
                "Python bytecode ignored only by a personal rule",
                FIX_RULES_HELP,
                Fix::RepairRules,
            ),
            Kind::UnreadableIgnoreFile => (
                "unreadable-ignore-file",
                "an ignore file cannot be read",
                "Make the file readable (its permissions or owner), or delete it: git warns \"unable to access\" \
                 and leaves its rules out until then.",
                Fix::Say("make it readable (the message says why it is not), then check again"),
            ),
        };
        Words { id, describe, help, fix }
    }

    pub(crate) fn id(self) -> &'static str {
        self.words().id
    }

    /// What a finding of a file kind says after the path when the file is debris, not
    /// bytecode (the same table's words, with the subject changed).
    pub(crate) fn describe_debris(self) -> &'static str {
        match self {
            Kind::StagedNew => "new Python debris file staged for commit",
            Kind::StagedModified => "tracked Python debris file modified and staged for commit",
            Kind::Tracked => "Python debris file tracked by git",
            Kind::InCommit => "Python debris file in the commit",
            Kind::Named => "Python debris file",
            Kind::CommitAdded => "Python debris file added by commit",
            Kind::CommitModified => "Python debris file changed by commit",
            Kind::MissingIgnoreRule
            | Kind::ReincludedByRule
            | Kind::IgnoredOnlyPersonally
            | Kind::UnreadableIgnoreFile => self.describe(),
        }
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

    /// How the human line says to fix a finding of this kind.
    pub(crate) fn fix(self) -> Fix {
        self.words().fix
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
/// bytecode that only a personal rule ignores, or an ignore file that cannot be read. A
/// warning, or an error under `--strict`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleFinding {
    pub(crate) severity: Severity,
    pub(crate) issue: RuleIssue,
}

/// What the audit found about the ignore rules, as data: the rules and paths it names are
/// git's bytes, worded only by [`RuleIssue::describe`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RuleIssue {
    /// The repository's own rules leave some of what Python writes unignored: each need
    /// (at least one), in the audit's order.
    Missing(Vec<Uncovered>),
    /// This negation re-includes bytecode.
    Reincludes(Rule),
    /// This negation re-includes debris of a chosen category (and no bytecode).
    ReincludesDebris(Rule),
    /// What Python writes for `need` is ignored by this personal rule alone
    /// (`.git/info/exclude`, `core.excludesFile`).
    OnlyPersonal { need: Need, rule: Rule },
    /// This `.gitignore` is there but cannot be read: its rules are left out.
    Unreadable(Unreadable),
}

/// A rule every repository needs that its rules do not provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Uncovered {
    pub(crate) need: Need,
    /// Covered at the top of the tree, missing only in subfolders (`/*.pyc`).
    pub(crate) only_in_subfolders: bool,
}

impl RuleIssue {
    pub(crate) fn kind(&self) -> Kind {
        match self {
            RuleIssue::Missing(_) => Kind::MissingIgnoreRule,
            RuleIssue::Reincludes(_) | RuleIssue::ReincludesDebris(_) => Kind::ReincludedByRule,
            RuleIssue::OnlyPersonal { .. } => Kind::IgnoredOnlyPersonally,
            RuleIssue::Unreadable(_) => Kind::UnreadableIgnoreFile,
        }
    }

    /// The rule it is about, when it is about one.
    pub(crate) fn rule(&self) -> Option<&Rule> {
        match self {
            RuleIssue::Reincludes(rule) | RuleIssue::ReincludesDebris(rule) | RuleIssue::OnlyPersonal { rule, .. } => {
                Some(rule)
            }
            RuleIssue::Missing(_) | RuleIssue::Unreadable(_) => None,
        }
    }

    /// The ignore file it is about: the rule's own, `.gitignore` (at the top) for missing
    /// rules, the file that cannot be read. Relative to the worktree top unless
    /// [`RuleIssue::outside_worktree`].
    pub(crate) fn file(&self) -> &[u8] {
        match self {
            RuleIssue::Missing(_) => b".gitignore",
            RuleIssue::Reincludes(rule) | RuleIssue::ReincludesDebris(rule) | RuleIssue::OnlyPersonal { rule, .. } => {
                rule.source.bytes()
            }
            RuleIssue::Unreadable(file) => &file.path,
        }
    }

    /// Whether its file lies outside the worktree (a personal `core.excludesFile`), named by
    /// an absolute path.
    pub(crate) fn outside_worktree(&self) -> bool {
        self.rule().is_some_and(|rule| matches!(rule.source, Source::Outside(_)))
    }

    /// The sentence after the file: what is wrong with the rules. Every rule finding's words.
    pub(crate) fn describe(&self) -> String {
        match self {
            RuleIssue::Missing(uncovered) => {
                let names: Vec<String> = uncovered
                    .iter()
                    .map(|u| match u.only_in_subfolders {
                        true => format!("{} in subfolders", u.need.name()),
                        false => u.need.name().to_owned(),
                    })
                    .collect();
                format!("the repository's ignore rules do not cover {}", names.join(", "))
            }
            RuleIssue::Reincludes(rule) => format!("rule {} re-includes Python bytecode", c_quote(&rule.pattern)),
            RuleIssue::ReincludesDebris(rule) => format!("rule {} re-includes Python debris", c_quote(&rule.pattern)),
            RuleIssue::OnlyPersonal { need, rule } => format!(
                "{} is ignored only by your personal rule {}; other clones are not protected",
                need.name(),
                c_quote(&rule.pattern)
            ),
            RuleIssue::Unreadable(file) => {
                let why = match &file.why {
                    WhyUnreadable::Io(words) => words.clone(),
                    WhyUnreadable::NotFetched(id) => {
                        format!("its blob {id} is not in this partial clone; `git show {id}` fetches it")
                    }
                };
                format!("cannot read {} ({why}); its rules are left out", display_path(&file.path))
            }
        }
    }
}

/// A rule's place as people and editors find it: its file as git shows paths, and its line
/// (`tests/.gitignore:2`, `"d\377/.gitignore":1`). For people only: machine-readable
/// formats give the file and the line apart.
pub(crate) fn rule_place(rule: &Rule) -> String {
    format!("{}:{}", display_path(rule.source.bytes()), rule.line)
}

/// A rule's pattern as people read it: in double quotes, with git's C escapes.
pub(crate) fn rule_pattern(rule: &Rule) -> String {
    c_quote(&rule.pattern)
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
    pub(crate) fn ignore_rules(issue: RuleIssue, strict: bool) -> Finding {
        let severity = if strict { Severity::Error } else { Severity::Warning };
        Finding::Rule(RuleFinding { severity, issue })
    }

    pub(crate) fn kind(&self) -> Kind {
        match self {
            Finding::Bytecode(finding) => finding.kind,
            Finding::Rule(finding) => finding.issue.kind(),
        }
    }

    pub(crate) fn severity(&self) -> Severity {
        match self {
            Finding::Bytecode(_) => Severity::Error,
            Finding::Rule(finding) => finding.severity,
        }
    }

    /// The bytecode file, or the ignore file a rule finding is about: its exact bytes,
    /// relative to the worktree top unless [`Finding::outside_worktree`].
    pub(crate) fn path(&self) -> &[u8] {
        match self {
            Finding::Bytecode(finding) => &finding.path,
            Finding::Rule(finding) => finding.issue.file(),
        }
    }

    /// Whether [`Finding::path`] is an absolute path outside the worktree (only a personal
    /// excludes file is).
    pub(crate) fn outside_worktree(&self) -> bool {
        match self {
            Finding::Bytecode(_) => false,
            Finding::Rule(finding) => finding.issue.outside_worktree(),
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

    /// The rule a rule finding is about, when it is about one.
    pub(crate) fn rule(&self) -> Option<&Rule> {
        match self {
            Finding::Rule(finding) => finding.issue.rule(),
            Finding::Bytecode(_) => None,
        }
    }

    /// Where the human line starts: the rule's `file:line`, else the path, shown as git
    /// shows paths.
    pub(crate) fn location(&self) -> String {
        self.rule().map_or_else(|| display_path(self.path()), rule_place)
    }

    /// The sentence after the path: what was found (and in which commit) and why it counts
    /// as bytecode, or what is wrong with the ignore rules.
    pub(crate) fn message(&self) -> String {
        match self {
            Finding::Rule(finding) => finding.issue.describe(),
            Finding::Bytecode(finding) => {
                let reason = finding.reason;
                let describe = match reason {
                    Reason::Debris(_) => finding.kind.describe_debris(),
                    _ => finding.kind.describe(),
                };
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
