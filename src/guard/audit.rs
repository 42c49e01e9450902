//! Do the repository's ignore rules keep bytecode out? The audit `check` runs.
//!
//! It asks git's question (see [`gitlayer::ignore_rules`]) for a handful of probe paths, at
//! the top, in a new subfolder, and in every folder that has its own `.gitignore` (where a
//! nested file or an anchored rule may change git's verdict). Two tiers: by default it asks
//! only about what CPython 3.5+ writes, `__pycache__/<module>.<tag>.pyc` and
//! `.<tag>.opt-N.pyc`, and a miss is a warning; `--strict` (or `strict = true`) asks about
//! every name of bytecode (also `m.pyc` beside its source and `m.pyo`, which only Python 2 and
//! `compileall -b` write), and a miss is an error. Negations that re-include bytecode are
//! named in both. It reads only the ignore files, never walks the worktree, and costs well
//! under a millisecond.

use anyhow::{Context, Result, bail};

use gitlayer::id::ObjectId;

use crate::guard::bytecode_rules::{self, BytecodeNegations, Need};
use crate::guard::debris::Debris;
use crate::guard::finding::{Finding, RuleIssue, Uncovered};
use crate::guard::fix::plan::{self, Plan};
use gitlayer::ignore_rules::{IgnoreFile, Rule, RuleSet, Scope, Unreadable, Verdict, WhyUnreadable};
use gitlayer::objects::LookFirst;
use gitlayer::paths::display_path;
use gitlayer::repo::Repo;

/// The rules of a commit's tree, read from its `.gitignore` blobs (no personal rules: they
/// belong to a machine, not to the commit). A blob a partial clone has not fetched is named
/// as a file that cannot be read; a damaged or (elsewhere) missing one is an error.
pub(crate) fn commit_rules(repo: &Repo, gitignores: &[(Vec<u8>, ObjectId)]) -> Result<RuleSet> {
    let mut objects = repo.objects(LookFirst::Packs);
    let mut files = Vec::new();
    let mut unreadable = Vec::new();
    for (path, id) in gitignores {
        let blob = objects.blob_if_present(*id).with_context(|| format!("cannot read {}", display_path(path)))?;
        match blob {
            Some(bytes) => files.push(IgnoreFile::gitignore(path, &bytes, false)),
            None if repo.is_partial_clone() => {
                unreadable.push(Unreadable { path: path.clone(), why: WhyUnreadable::NotFetched(*id) })
            }
            None => bail!(
                "cannot read {}: its blob {id} is missing from the object database (`git fsck` lists what is missing)",
                display_path(path)
            ),
        }
    }
    Ok(RuleSet::new(files, Vec::new()).with_unreadable(unreadable))
}

/// Findings about the rules: what is missing, which negation re-includes bytecode, and what
/// only a personal rule ignores. Warnings, or errors when `strict`.
///
/// What is demanded depends on the tier (see [`Need::of_tier`]): by default what CPython 3
/// writes (`__pycache__/`), with `strict` every name of bytecode (`__pycache__/`, `*.pyc`,
/// `*.pyo`). A project whose rules cover what CPython 3 writes (`__pycache__/` alone, or
/// `*.pyc` alone) is quiet by default.
///
/// Under `strict`, "missing" is what `fix-gitignore` would add (or could not add for a path
/// that is not bytecode): a rule the fix must leave out to keep a deliberate bytecode
/// negation is not missing, that negation is named instead. So `fix-gitignore --check` fails
/// exactly when the strict audit reports a missing rule, and after the fix only deliberate
/// negations remain. By default a need is missing when it is missing under `strict`, or
/// when its path is one the fix would make ignored (by another line than the need's own:
/// `*.py[co]` covers `__pycache__` where `__pycache__/` is left out); so the default audit
/// warns only when the strict one fails, and is quiet after the fix.
///
/// With debris categories chosen, each of their lines is a need too, in both tiers, judged
/// the same way.
pub(crate) fn audit(rules: &RuleSet, strict: bool, debris: Debris) -> Vec<Finding> {
    let negations = BytecodeNegations::of(rules, debris);
    let needs = Need::of_tier(strict, debris);
    let mut folders: Vec<Vec<u8>> = vec![Vec::new()];
    folders.extend(rules.tree_files().iter().map(|file| file.dir().to_vec()).filter(|dir| !dir.is_empty()));
    let mut missing = bytecode_rules::missing(rules, &folders, &needs, &negations);
    // Without a negation anywhere the fix adds a line for every missing need (each line
    // matches its probe at any depth, and nothing can re-include it), so the plan, the
    // costly part of a warning, is needed only when a `!` may change that.
    if !missing.is_empty() && rules.may_negate() {
        let plan = root_plan(rules, &negations, debris);
        missing.retain(|m| plan.leaves_unmet(m.need) || (!strict && plan.covers(&m.probe.path)));
    }

    // A `.gitignore` left out because it cannot be read comes first: the findings after it
    // judge the rules without it (as git does with a file it cannot read).
    let mut findings: Vec<Finding> = rules
        .unreadable()
        .iter()
        .map(|file| Finding::ignore_rules(RuleIssue::Unreadable(file.clone()), strict))
        .collect();
    let uncovered: Vec<Uncovered> = needs
        .iter()
        .filter_map(|&need| {
            let mut places = missing.iter().filter(|m| m.need == need).map(|m| !m.folder.is_empty());
            let first = places.next()?;
            Some(Uncovered { need, only_in_subfolders: first && places.all(|below| below) })
        })
        .collect();
    if !uncovered.is_empty() {
        findings.push(Finding::ignore_rules(RuleIssue::Missing(uncovered), strict));
    }
    let mut named: Vec<&Rule> = negations.rules().collect();
    named.sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
    named.dedup();
    findings.extend(named.into_iter().map(|rule| {
        let issue = match negations.only_debris(rule) {
            true => RuleIssue::ReincludesDebris(rule.clone()),
            false => RuleIssue::Reincludes(rule.clone()),
        };
        Finding::ignore_rules(issue, strict)
    }));
    for (need, rule) in personal_rules(rules, &missing) {
        findings.push(Finding::ignore_rules(RuleIssue::OnlyPersonal { need, rule }, strict));
    }
    findings
}

/// The personal rules (`.git/info/exclude`, `core.excludesFile`) that alone ignore a missing
/// probe, once each.
fn personal_rules(rules: &RuleSet, missing: &[bytecode_rules::Missing]) -> Vec<(Need, Rule)> {
    // Most clones have none (git's template `info/exclude` is comments only): then nothing
    // is ignored personally, and the missing probes need no second verdict.
    if missing.is_empty() || !rules.has_personal_rules() {
        return Vec::new();
    }
    let mut personal: Vec<(Need, Rule)> = missing
        .iter()
        .filter_map(|m| match rules.verdict(&m.probe.path, m.probe.is_dir, Scope::WithPersonal) {
            Verdict::Ignored(rule) => Some((m.need, rule)),
            _ => None,
        })
        .collect();
    personal.sort_by(|a, b| (&a.1.source, a.1.line, a.0.name()).cmp(&(&b.1.source, b.1.line, b.0.name())));
    personal.dedup_by(|a, b| a.1 == b.1);
    personal
}

/// What `fix-gitignore` would do to the top `.gitignore` of these rules.
fn root_plan(rules: &RuleSet, negations: &BytecodeNegations, debris: Debris) -> Plan {
    let files = rules.tree_files();
    let target = files
        .iter()
        .find(|file| file.dir().is_empty())
        .cloned()
        .unwrap_or_else(|| IgnoreFile::gitignore(b".gitignore", b"", rules.ignore_case()));
    let others: Vec<IgnoreFile> = files.iter().filter(|file| !file.dir().is_empty()).cloned().collect();
    plan::plan_judged(&target, &others, &[], rules, negations, debris)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::debris::Debris;
    use crate::guard::finding::{Kind, Severity};
    use gitlayer::ignore_rules::{IgnoreFile, Source};

    fn audit_of(files: &[(&str, &str)], personal: &str, strict: bool) -> Vec<(Kind, String, Severity)> {
        let tree = files.iter().map(|(p, t)| IgnoreFile::gitignore(p.as_bytes(), t.as_bytes(), false)).collect();
        let exclude = Source::Tree(b".git/info/exclude".to_vec());
        let personal = vec![IgnoreFile::parse(Vec::new(), exclude, personal.as_bytes(), false)];
        audit(&RuleSet::new(tree, personal), strict, Debris::NONE)
            .into_iter()
            .map(|f| (f.kind(), format!("{}: {}", f.location(), f.message()), f.severity()))
            .collect()
    }

    #[test]
    fn complete_rules_give_nothing() {
        assert!(audit_of(&[(".gitignore", "__pycache__/\n*.py[cod]\n")], "", true).is_empty());
    }

    #[test]
    fn missing_rules_are_one_warning_or_an_error_when_strict() {
        let files = [(".gitignore", "/*.pyc\n*.pyo\n"), ("tests/.gitignore", "# nothing\n")];
        let found = audit_of(&files, "", false);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, ".gitignore: the repository's ignore rules do not cover __pycache__/");
        assert_eq!(found[0].2, Severity::Warning);
        let strict = audit_of(&files, "", true);
        assert_eq!(strict.len(), 1);
        assert_eq!(
            strict[0].1,
            ".gitignore: the repository's ignore rules do not cover __pycache__/, *.pyc in subfolders"
        );
        assert_eq!(strict[0].2, Severity::Error);
        assert_eq!(audit_of(&[], "", true)[0].2, Severity::Error);
    }

    #[test]
    fn what_cpython_3_writes_is_enough_by_default_and_strict_asks_for_every_name() {
        for (rules, strictly_missing) in [
            ("__pycache__/\n", "*.pyc, *.pyo"),
            ("*.pyc\n", "*.pyo"),
            ("**/__pycache__\n", "*.pyc, *.pyo"),
            ("*.py[cod]\n", ""),
        ] {
            let files = [(".gitignore", rules), ("pkg/.gitignore", "build/\n")];
            assert_eq!(audit_of(&files, "", false), [], "{rules}");
            let strict = audit_of(&files, "", true);
            if strictly_missing.is_empty() {
                assert_eq!(strict, [], "{rules}");
                continue;
            }
            assert_eq!(strict.len(), 1, "{rules}: {strict:?}");
            let missing = format!(".gitignore: the repository's ignore rules do not cover {strictly_missing}");
            assert_eq!((&strict[0].1, strict[0].2), (&missing, Severity::Error), "{rules}");
        }
    }

    #[test]
    fn an_optimized_file_or_a_subfolder_left_out_is_a_miss_by_default() {
        let found = audit_of(&[(".gitignore", "*.cpython-312.pyc\n")], "", false);
        assert_eq!(
            found.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
            [".gitignore: the repository's ignore rules do not cover __pycache__/"]
        );
        let found = audit_of(&[(".gitignore", "/__pycache__/\n")], "", false);
        assert_eq!(
            found.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
            [".gitignore: the repository's ignore rules do not cover __pycache__/ in subfolders"]
        );
        // A nested file may decide differently: its folder is probed too. Re-included there,
        // the folder's files are git's to track unless a rule ignores them by name.
        let nested = |top: &str| audit_of(&[(".gitignore", top), ("pkg/.gitignore", "!__pycache__/\n")], "", false);
        let found = nested("__pycache__/\n");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [Kind::MissingIgnoreRule, Kind::ReincludedByRule]);
        assert!(found[0].1.ends_with("do not cover __pycache__/ in subfolders"), "{found:?}");
        let found = nested("__pycache__/\n*.pyc\n");
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [Kind::ReincludedByRule], "{found:?}");
    }

    #[test]
    fn negations_are_named_with_file_and_line() {
        let found = audit_of(
            &[(".gitignore", "__pycache__/\n*.py[co]\n"), ("tests/.gitignore", "# keep\n!fixtures/*.pyc\n")],
            "",
            false,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Kind::ReincludedByRule);
        assert!(found[0].1.starts_with(r#"tests/.gitignore:2: rule "!fixtures/*.pyc""#), "{}", found[0].1);
    }

    #[test]
    fn folder_guards_are_not_negations_of_bytecode_but_pycache_folders_are() {
        let guarded = "*.py[co]\n!*.py[co]/\n*$py.class\n!*$py.class/\n__pycache__/\n";
        assert!(audit_of(&[(".gitignore", guarded)], "", true).is_empty());
        let found = audit_of(&[(".gitignore", "*.py[co]\n__pycache__/\n!__pycache__/\n")], "", false);
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [Kind::ReincludedByRule], "{found:?}");
    }

    #[test]
    fn personal_rules_do_not_protect_other_clones() {
        // By default only what CPython 3 writes is asked about: `*.pyo` is not.
        assert_eq!(audit_of(&[(".gitignore", "__pycache__/\n*.pyc\n")], "*.pyo\n", false), []);
        let found = audit_of(&[(".gitignore", "__pycache__/\n*.pyc\n")], "*.pyo\n", true);
        let kinds: Vec<Kind> = found.iter().map(|f| f.0).collect();
        assert_eq!(kinds, [Kind::MissingIgnoreRule, Kind::IgnoredOnlyPersonally]);
        assert!(
            found[1].1.starts_with(".git/info/exclude:1: *.pyo is ignored only by your personal rule"),
            "{}",
            found[1].1
        );
        let found = audit_of(&[(".gitignore", "dist/\n")], "__pycache__/\n", false);
        let kinds: Vec<(Kind, Severity)> = found.iter().map(|f| (f.0, f.2)).collect();
        assert_eq!(
            kinds,
            [(Kind::MissingIgnoreRule, Severity::Warning), (Kind::IgnoredOnlyPersonally, Severity::Warning)]
        );
        assert!(found[1].1.starts_with(".git/info/exclude:1: __pycache__/ is ignored only by"), "{}", found[1].1);
    }
}
