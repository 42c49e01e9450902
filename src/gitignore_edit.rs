//! The smallest `.gitignore` change that makes git ignore Python bytecode (pure).
//!
//! Every candidate line is judged by git's own semantics (see [`crate::ignore_rules`]):
//! a line is added only when some bytecode probe is not ignored yet, and only if adding it
//! changes no protected verdict — a path that is not bytecode, or one a user negation
//! re-includes. The block goes before the target file's first negation that re-includes
//! bytecode, so that negation still wins. Existing bytes are never changed: the new file is
//! the old one with whole lines inserted.

use crate::bytecode;
use crate::ignore_rules::{
    IgnoreFile, PROBE_SUBFOLDER, Probe, Rule, RuleSet, Scope, Verdict, governed_dir, negation_examples,
};

/// The comment that opens the block we add.
pub const COMMENT: &str = "# Python bytecode (added by pycache-guard)";

/// A rule we may add, and the negation that keeps `name/` folders as they were (a pattern
/// without a trailing slash matches folders too, so `*.py[co]` alone would also ignore
/// `a.pyc/b.py`, which is not bytecode).
struct Candidate {
    line: &'static str,
    folder_guard: Option<&'static str>,
    covers: fn(bytecode::Reason) -> bool,
}

const CANDIDATES: [Candidate; 3] = [
    Candidate { line: "__pycache__/", folder_guard: None, covers: |r| r == bytecode::Reason::InPycache },
    Candidate {
        line: "*.py[co]",
        folder_guard: Some("!*.py[co]/"),
        covers: |r| matches!(r, bytecode::Reason::Pyc | bytecode::Reason::Pyo),
    },
    Candidate {
        line: "*$py.class",
        folder_guard: Some("!*$py.class/"),
        covers: |r| r == bytecode::Reason::JythonClass,
    },
];

/// An ignore file of the tree and its content.
#[derive(Debug, Clone)]
pub struct Source {
    /// Worktree-relative path (`.gitignore`, `tests/.gitignore`).
    pub path: Vec<u8>,
    pub bytes: Vec<u8>,
}

/// What to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The target file's new content (equal to the old one when nothing is needed).
    pub new_bytes: Vec<u8>,
    /// The lines added, comment first; empty when nothing is needed.
    pub added: Vec<String>,
    /// Lines that were needed but left out, with the negation that keeps them out.
    pub left_out: Vec<LeftOut>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub line: &'static str,
    /// The path whose verdict the line would change.
    pub probe: Vec<u8>,
    /// The negation that re-includes that path (none for a path that is not bytecode).
    pub negation: Option<Rule>,
}

impl Plan {
    pub fn changes(&self) -> bool {
        !self.added.is_empty()
    }
}

/// Plans the change of `target` (worktree-relative, possibly not existing yet) given every
/// ignore file of the tree and extra bytecode paths worth protecting (tracked files).
pub fn plan(target: &[u8], sources: &[Source], extra_probes: &[Probe], ignore_case: bool) -> Plan {
    let old = sources.iter().find(|s| s.path == target).map(|s| s.bytes.clone()).unwrap_or_default();
    let judge = Judge { target, sources, ignore_case };
    let before_rules = judge.rules(&old);
    let probes = probes(target, sources, &before_rules, extra_probes);
    let before: Vec<Verdict> =
        probes.iter().map(|p| before_rules.verdict(&p.path, p.is_dir, Scope::Repository)).collect();
    let situation = Situation { judge, old: &old, probes: &probes, before: &before };

    // Appending (or going before the first bytecode negation) is the natural place. When an
    // existing rule such as `*.pyc` already ignores folders named `a.pyc`, a folder guard
    // placed after it would re-include them: then the top of the file works instead.
    let natural = insertion_line(&old, target, &before);
    let mut best = situation.plan_at(natural);
    if !best.left_out.is_empty() && natural != Some(0) {
        let at_top = situation.plan_at(Some(0));
        if at_top.left_out.len() < best.left_out.len() {
            best = at_top;
        }
    }
    best
}

/// Everything a plan is judged against.
struct Situation<'a> {
    judge: Judge<'a>,
    old: &'a [u8],
    probes: &'a [Probe],
    before: &'a [Verdict],
}

impl Situation<'_> {
    /// Adds each needed candidate that keeps every protected verdict, with the block at `at`.
    fn plan_at(&self, at: Option<usize>) -> Plan {
        let mut accepted: Vec<&'static str> = Vec::new();
        let mut left_out = Vec::new();
        for candidate in CANDIDATES.iter().filter(|c| self.needs(c)) {
            let mut attempts = vec![vec![candidate.line]];
            attempts.extend(candidate.folder_guard.map(|guard| vec![candidate.line, guard]));
            let mut first_violation = None;
            for lines in attempts {
                let trial: Vec<&'static str> = accepted.iter().chain(&lines).copied().collect();
                match self.judge.first_violation(self.old, at, &trial, self.probes, self.before) {
                    None => {
                        accepted = trial;
                        first_violation = None;
                        break;
                    }
                    Some(index) => first_violation = first_violation.or(Some(index)),
                }
            }
            if let Some(index) = first_violation {
                let negation = self.before[index].rule().filter(|rule| rule.pattern.starts_with('!')).cloned();
                left_out.push(LeftOut { line: candidate.line, probe: self.probes[index].path.clone(), negation });
            }
        }
        if accepted.is_empty() {
            return Plan { new_bytes: self.old.to_vec(), added: Vec::new(), left_out };
        }
        let added = std::iter::once(COMMENT).chain(accepted.iter().copied()).map(str::to_owned).collect();
        Plan { new_bytes: insert_block(self.old, at, &accepted), added, left_out }
    }

    /// A candidate is needed when a bytecode probe it covers matches no rule at all.
    fn needs(&self, candidate: &Candidate) -> bool {
        self.probes.iter().zip(self.before).any(|(probe, verdict)| {
            *verdict == Verdict::Unmatched && bytecode::classify(&probe.path).is_some_and(candidate.covers)
        })
    }
}

/// Evaluates verdicts with the target file's content replaced.
struct Judge<'a> {
    target: &'a [u8],
    sources: &'a [Source],
    ignore_case: bool,
}

impl Judge<'_> {
    fn rules(&self, target_bytes: &[u8]) -> RuleSet {
        let mut files: Vec<IgnoreFile> =
            self.sources.iter().filter(|s| s.path != self.target).map(|s| self.parse(&s.path, &s.bytes)).collect();
        files.push(self.parse(self.target, target_bytes));
        RuleSet::new(files, Vec::new())
    }

    fn parse(&self, path: &[u8], bytes: &[u8]) -> IgnoreFile {
        IgnoreFile::gitignore(path, bytes, self.ignore_case)
    }

    /// The index of the first probe that must keep its verdict but would not.
    fn first_violation(
        &self,
        old: &[u8],
        insert_at: Option<usize>,
        lines: &[&str],
        probes: &[Probe],
        before: &[Verdict],
    ) -> Option<usize> {
        let rules = self.rules(&insert_block(old, insert_at, lines));
        probes.iter().zip(before).position(|(probe, was)| {
            let protected = bytecode::classify(&probe.path).is_none() || matches!(was, Verdict::Reincluded(_));
            protected && rules.verdict(&probe.path, probe.is_dir, Scope::Repository).is_ignored() != was.is_ignored()
        })
    }
}

/// The 0-based line of the target file before which the block goes: its first negation that
/// decides a bytecode probe's verdict; `None` means at the end.
fn insertion_line(old: &[u8], target: &[u8], before: &[Verdict]) -> Option<usize> {
    let source = String::from_utf8_lossy(target);
    let negation_lines = before.iter().filter_map(|verdict| match verdict {
        Verdict::Reincluded(rule) if rule.source == source => Some(rule.line),
        _ => None,
    });
    let first = negation_lines.min()?;
    (first >= 1 && first <= old.split(|&b| b == b'\n').count()).then(|| first - 1)
}

/// The old bytes with the block (comment first) inserted before line `at`, or appended.
/// Line endings follow the file; a missing final newline is added before an appended block;
/// a BOM stays first.
pub fn insert_block(old: &[u8], at: Option<usize>, lines: &[&str]) -> Vec<u8> {
    let newline: &[u8] = if old.windows(2).any(|w| w == b"\r\n") { b"\r\n" } else { b"\n" };
    let mut block = Vec::new();
    for line in std::iter::once(COMMENT).chain(lines.iter().copied()) {
        block.extend_from_slice(line.as_bytes());
        block.extend_from_slice(newline);
    }
    let bom = if old.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let offset = match at {
        Some(0) => bom,
        Some(line) => {
            old.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(line - 1).map_or(old.len(), |(i, _)| i + 1)
        }
        None => old.len(),
    };
    let mut new = old[..offset].to_vec();
    if offset == old.len() && !old.is_empty() && !old.ends_with(b"\n") && offset > bom {
        new.extend_from_slice(newline);
    }
    new.extend_from_slice(&block);
    new.extend_from_slice(&old[offset..]);
    new
}

/// The paths whose verdicts decide the plan: bytecode and look-alikes in the target's
/// folder, in a new subfolder, and in every folder with its own ignore file below it; the
/// paths each negation re-includes; and the extra ones given.
fn probes(target: &[u8], sources: &[Source], rules: &RuleSet, extra: &[Probe]) -> Vec<Probe> {
    let top = governed_dir(target);
    let mut folders = vec![top.clone()];
    folders.extend(sources.iter().map(|s| governed_dir(&s.path)).filter(|dir| dir.starts_with(&top)));
    let nested: Vec<Vec<u8>> =
        folders.iter().map(|dir| [dir.as_slice(), PROBE_SUBFOLDER.as_bytes()].concat()).collect();
    folders.extend(nested);
    folders.sort();
    folders.dedup();

    let mut probes: Vec<Probe> = folders.iter().flat_map(|dir| folder_probes(dir)).collect();
    for file in rules.tree_files() {
        for negation in file.negations() {
            probes.extend(negation_examples(file.dir(), &negation.pattern));
        }
    }
    probes.extend(extra.iter().filter(|p| p.path.starts_with(&top)).cloned());
    probes.sort_by(|a, b| a.path.cmp(&b.path));
    probes.dedup();
    probes
}

fn folder_probes(dir: &[u8]) -> Vec<Probe> {
    const FILES: [&str; 13] = [
        "__pycache__/m.cpython-312.pyc",
        "m.pyc",
        "m.pyo",
        "m$py.class",
        "a.pyc/b.py",
        "a.pyo/b.py",
        "a$py.class/b.py",
        "m.py",
        "pycache.py",
        "__pycache__.py",
        "m.pyc.txt",
        "ext.pyd",
        "ext.so",
    ];
    const FOLDERS: [&str; 4] = ["__pycache__", "a.pyc", "a.pyo", "a$py.class"];
    let probe = |name: &str, is_dir: bool| Probe { path: [dir, name.as_bytes()].concat(), is_dir };
    FILES.iter().map(|name| probe(name, false)).chain(FOLDERS.iter().map(|name| probe(name, true))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_for(files: &[(&str, &str)]) -> Plan {
        let sources: Vec<Source> =
            files.iter().map(|(p, t)| Source { path: p.as_bytes().to_vec(), bytes: t.as_bytes().to_vec() }).collect();
        plan(b".gitignore", &sources, &[], false)
    }

    fn new_text(files: &[(&str, &str)]) -> String {
        String::from_utf8(plan_for(files).new_bytes).unwrap()
    }

    #[test]
    fn empty_repository_gets_the_whole_block() {
        let text = new_text(&[]);
        assert_eq!(text, format!("{COMMENT}\n__pycache__/\n*.py[co]\n!*.py[co]/\n*$py.class\n!*$py.class/\n"));
    }

    #[test]
    fn template_rules_count_and_nothing_is_added() {
        let plan = plan_for(&[(".gitignore", "__pycache__/\n*.py[cod]\n*$py.class\n")]);
        assert!(!plan.changes());
        assert_eq!(plan.new_bytes, b"__pycache__/\n*.py[cod]\n*$py.class\n");
    }

    #[test]
    fn a_missing_final_newline_is_added_before_the_block() {
        let text = new_text(&[(".gitignore", "dist/")]);
        assert!(text.starts_with(&format!("dist/\n{COMMENT}\n__pycache__/\n")), "{text}");
    }

    #[test]
    fn only_missing_lines_go_first_when_an_existing_rule_ignores_bytecode_named_folders() {
        // `*.pyc` ignores folders named a.pyc: a guard after it would re-include them, and
        // `*.py[co]` without a guard would newly ignore a.pyo/b.py. Before it, both hold.
        let old = "node_modules/\n*.pyc\n__pycache__/\n*$py.class";
        let text = new_text(&[(".gitignore", old)]);
        assert_eq!(text, format!("{COMMENT}\n*.py[co]\n!*.py[co]/\n{old}"));
    }

    #[test]
    fn crlf_and_bom_are_kept() {
        let text = new_text(&[(".gitignore", "\u{feff}dist/\r\n")]);
        assert!(text.starts_with("\u{feff}dist/\r\n# Python"), "{text:?}");
        assert!(text.ends_with("*.py[co]\r\n!*.py[co]/\r\n*$py.class\r\n!*$py.class/\r\n"), "{text:?}");
    }

    #[test]
    fn block_goes_before_a_bytecode_negation() {
        let text = new_text(&[(".gitignore", "dist/\n!tests/fixtures/*.pyc\n")]);
        assert!(text.starts_with(&format!("dist/\n{COMMENT}\n__pycache__/\n*.py[co]\n")), "{text}");
        assert!(text.ends_with("!tests/fixtures/*.pyc\n"), "{text}");
    }

    #[test]
    fn pycache_rule_is_left_out_when_it_would_override_a_negation() {
        let plan = plan_for(&[(".gitignore", "*.pyc\n"), ("tests/.gitignore", "!*.pyc\n")]);
        let left: Vec<&str> = plan.left_out.iter().map(|l| l.line).collect();
        assert_eq!(left, ["__pycache__/"]);
        assert_eq!(plan.left_out[0].negation.as_ref().unwrap().location(), "tests/.gitignore:1");
        assert!(!plan.added.contains(&"__pycache__/".to_owned()));
    }

    #[test]
    fn folder_guard_is_left_out_when_folders_were_already_ignored() {
        // `*` ignores folders named a.pyc already: a guard would re-include them.
        let text = new_text(&[(".gitignore", "*\n!*/\n!*.py\n")]);
        assert!(!text.contains("!*.py[co]/"), "{text}");
    }
}
