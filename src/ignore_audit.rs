//! Do the repository's ignore rules keep bytecode out? The audit `check` runs.
//!
//! It asks git's question (see [`crate::ignore_rules`]) for a handful of probe paths: a
//! `__pycache__` folder, `m.pyc` and `m.pyo`, at the top, in a new subfolder, and in every
//! folder that has its own `.gitignore`. It reads only the ignore files, never walks the
//! worktree, and costs well under a millisecond.

use git2::Oid;

use crate::bytecode::{self, Reason};
use crate::ignore_rules::{IgnoreFile, PROBE_SUBFOLDER, Probe, Rule, RuleSet, Scope, Verdict, negation_examples};
use crate::objects::packs::Packs;
use crate::objects::{LookFirst, Objects};
use crate::repo::Repo;
use crate::report::{Finding, Kind};

/// The rules of a commit's tree, read from its `.gitignore` blobs (no personal rules: they
/// belong to a machine, not to the commit).
pub fn commit_rules(repo: &Repo, gitignores: &[(Vec<u8>, Oid)]) -> RuleSet {
    let packs = Packs::of(repo);
    let mut objects = Objects::new(repo.git(), &packs, LookFirst::Packs);
    let files = gitignores
        .iter()
        .filter_map(|(path, id)| Some(IgnoreFile::gitignore(path, &objects.blob(*id).ok()?, false)))
        .collect();
    RuleSet::new(files, Vec::new())
}

/// The three rules every repository needs, and a path each must ignore.
const NEEDS: [(&str, &str, bool); 3] =
    [("__pycache__/", "__pycache__", true), ("*.pyc", "m.pyc", false), ("*.pyo", "m.pyo", false)];

/// Findings about the rules: what is missing, which negation re-includes bytecode, and what
/// only a personal rule ignores. Warnings, or errors when `strict`.
pub fn audit(rules: &RuleSet, strict: bool) -> Vec<Finding> {
    let mut folders: Vec<Vec<u8>> = vec![Vec::new()];
    folders.extend(rules.tree_files().iter().map(|file| file.dir().to_vec()).filter(|dir| !dir.is_empty()));

    let mut missing: Vec<String> = Vec::new();
    let mut personal: Vec<(String, Rule)> = Vec::new();
    let mut negations: Vec<Rule> = Vec::new();
    for (rule_text, name, is_dir) in NEEDS {
        let mut missing_here = Vec::new();
        for folder in &folders {
            for prefix in ["", PROBE_SUBFOLDER] {
                let path = [folder.as_slice(), prefix.as_bytes(), name.as_bytes()].concat();
                if rules.surely_ignored(&path, is_dir) {
                    continue;
                }
                let where_ = if path.contains(&b'/') { "subfolders" } else { "top" };
                match rules.verdict(&path, is_dir, Scope::Repository) {
                    Verdict::Ignored(_) => {}
                    Verdict::Reincluded(rule) => negations.push(rule),
                    Verdict::Unmatched => {
                        missing_here.push(where_);
                        if let Verdict::Ignored(rule) = rules.verdict(&path, is_dir, Scope::WithPersonal) {
                            personal.push((rule_text.to_owned(), rule));
                        }
                    }
                }
            }
        }
        if missing_here.contains(&"top") {
            missing.push(rule_text.to_owned());
        } else if !missing_here.is_empty() {
            missing.push(format!("{rule_text} in subfolders"));
        }
    }
    negations.extend(negations_reincluding_bytecode(rules));

    let mut findings = Vec::new();
    if !missing.is_empty() {
        let detail = format!("the repository's ignore rules do not cover {}", missing.join(", "));
        findings.push(Finding::ignore_rules(Kind::MissingIgnoreRule, b".gitignore".to_vec(), None, detail, strict));
    }
    negations.sort_by(|a, b| (&a.source, a.line).cmp(&(&b.source, b.line)));
    negations.dedup();
    personal.sort_by(|a, b| (&a.1.source, a.1.line, &a.0).cmp(&(&b.1.source, b.1.line, &b.0)));
    personal.dedup_by(|a, b| a.1 == b.1);
    let rule_finding = |kind, rule: &Rule, detail| {
        Finding::ignore_rules(kind, rule.source.clone().into_bytes(), Some(rule.location()), detail, strict)
    };
    findings.extend(negations.iter().map(|rule| {
        rule_finding(Kind::ReincludedByRule, rule, format!("rule {:?} re-includes Python bytecode", rule.pattern))
    }));
    findings.extend(personal.iter().map(|(needed, rule)| {
        let detail = format!(
            "{needed} is ignored only by your personal rule {:?}; other clones are not protected",
            rule.pattern
        );
        rule_finding(Kind::IgnoredOnlyPersonally, rule, detail)
    }));
    findings
}

/// Negations whose example paths are bytecode that git would re-include because of them
/// (`!tests/fixtures/*.pyc`). A folder counts only when what it holds is bytecode
/// (`__pycache__`): a folder named `a.pyc` is not, so `fix-gitignore`'s own guard
/// `!*.py[co]/` is no finding.
fn negations_reincluding_bytecode(rules: &RuleSet) -> Vec<Rule> {
    let mut found = Vec::new();
    for file in rules.tree_files() {
        for negation in file.negations() {
            let reincludes = negation_examples(file.dir(), &negation.pattern).into_iter().any(|probe| {
                is_bytecode_probe(&probe)
                    && rules.verdict(&probe.path, probe.is_dir, Scope::Repository)
                        == Verdict::Reincluded(negation.clone())
            });
            if reincludes {
                found.push(negation.clone());
            }
        }
    }
    found
}

fn is_bytecode_probe(probe: &Probe) -> bool {
    match bytecode::classify(&probe.path) {
        Some(Reason::InPycache) => true,
        Some(_) => !probe.is_dir,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ignore_rules::IgnoreFile;
    use crate::report::Severity;

    fn audit_of(files: &[(&str, &str)], personal: &str, strict: bool) -> Vec<(Kind, String, Severity)> {
        let tree = files.iter().map(|(p, t)| IgnoreFile::gitignore(p.as_bytes(), t.as_bytes(), false)).collect();
        let personal = vec![IgnoreFile::parse(Vec::new(), ".git/info/exclude".into(), personal.as_bytes(), false)];
        audit(&RuleSet::new(tree, personal), strict)
            .into_iter()
            .map(|f| (f.kind, format!("{}: {}", f.location(), f.message()), f.severity))
            .collect()
    }

    #[test]
    fn complete_rules_give_nothing() {
        assert!(audit_of(&[(".gitignore", "__pycache__/\n*.py[cod]\n")], "", true).is_empty());
    }

    #[test]
    fn missing_rules_are_one_warning_or_an_error_when_strict() {
        let found = audit_of(&[(".gitignore", "/*.pyc\n*.pyo\n"), ("tests/.gitignore", "# nothing\n")], "", false);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].1,
            ".gitignore: the repository's ignore rules do not cover __pycache__/, *.pyc in subfolders"
        );
        assert_eq!(found[0].2, Severity::Warning);
        assert_eq!(audit_of(&[], "", true)[0].2, Severity::Error);
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
        let found = audit_of(&[(".gitignore", "__pycache__/\n*.pyc\n")], "*.pyo\n", false);
        let kinds: Vec<Kind> = found.iter().map(|f| f.0).collect();
        assert_eq!(kinds, [Kind::MissingIgnoreRule, Kind::IgnoredOnlyPersonally]);
        assert!(
            found[1].1.starts_with(".git/info/exclude:1: *.pyo is ignored only by your personal rule"),
            "{}",
            found[1].1
        );
    }
}
