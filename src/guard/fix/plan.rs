//! The smallest `.gitignore` change that makes git ignore Python bytecode (pure).
//!
//! Every candidate line is judged by git's own semantics (see [`gitlayer::ignore_rules`]):
//! a line is added only when the audit's definition finds its rule missing
//! ([`crate::guard::bytecode_rules::missing`]), only if adding it covers at least one of the
//! missing paths, and only if it changes no protected verdict — a path that is not
//! bytecode, or one a bytecode negation re-includes. A missing path that no line of the
//! target can cover (a deeper `.gitignore` decides it, as `!*` there does) is not missing
//! *from the target*: it is named as unreached, and the fix is idempotent, since a second
//! run finds every line it could add already doing what it can. The block goes before the
//! target file's first bytecode negation, so that negation still wins. Existing bytes are
//! never changed: the new file is the old one with whole lines inserted.
//!
//! The trials never parse the file again: each is the parsed file with the block inserted
//! ([`IgnoreFile::with_block`]), and the file remembers what it matched, so a trial costs
//! a few matches of the block's lines per probe, whatever the size of the file.

use gitlayer::ignore_rules::{IgnoreFile, Rule, RuleSet, Scope, Verdict};

use std::sync::LazyLock;

use crate::guard::bytecode;
use crate::guard::bytecode_rules::{self, BytecodeNegations, Need};
use crate::guard::debris::{self, Debris};
use crate::guard::probes::{PROBE_SUBFOLDER, Probe};

/// The comment that opens the block we add.
pub(crate) const COMMENT: &str = "# Python bytecode (added by pycache-guard)";
/// The comment of a block of debris lines only.
pub(crate) const DEBRIS_COMMENT: &str = "# Python debris (added by pycache-guard)";
/// The comment of a block of both.
pub(crate) const BOTH_COMMENT: &str = "# Python bytecode and debris (added by pycache-guard)";

/// A rule we may add, and the negation that keeps `name/` folders as they were (a pattern
/// without a trailing slash matches folders too, so `*.py[co]` alone would also ignore
/// `a.pyc/b.py`, which is not bytecode).
#[derive(Clone, Copy)]
struct Candidate {
    line: &'static str,
    folder_guard: Option<&'static str>,
    covers: &'static [Need],
}

/// One need per debris line, so that a debris candidate covers a `'static` slice of one.
static DEBRIS_NEEDS: LazyLock<Vec<Need>> = LazyLock::new(|| debris::LINES.iter().map(Need::Debris).collect());

/// The candidates with these debris categories chosen: bytecode's, then one per line of each
/// chosen category, in the order of [`debris::LINES`].
fn candidates(debris: Debris) -> Vec<Candidate> {
    let mut all = CANDIDATES.to_vec();
    for (line, need) in debris::LINES.iter().zip(DEBRIS_NEEDS.iter()) {
        if debris.contains(line.category) {
            all.push(Candidate { line: line.text, folder_guard: line.guard, covers: std::slice::from_ref(need) });
        }
    }
    all
}

/// Whether a line the fix writes is a debris line.
fn is_debris_line(line: &str) -> bool {
    debris::LINES.iter().any(|debris| debris.text == line || debris.guard == Some(line))
}

const CANDIDATES: [Candidate; 3] = [
    Candidate { line: "__pycache__/", folder_guard: None, covers: &[Need::Pycache] },
    Candidate { line: "*.py[co]", folder_guard: Some("!*.py[co]/"), covers: &[Need::Pyc, Need::Pyo] },
    Candidate { line: "*$py.class", folder_guard: Some("!*$py.class/"), covers: &[Need::JythonClass] },
];

/// The line that adds a rule for this need.
pub(crate) fn line_for(need: Need) -> &'static str {
    if let Need::Debris(line) = need {
        return line.text;
    }
    CANDIDATES.iter().find(|candidate| candidate.covers.contains(&need)).map_or("", |candidate| candidate.line)
}

/// What to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The target file's new content (equal to the old one when nothing is needed).
    pub(crate) new_bytes: Vec<u8>,
    /// The lines added, comment first; empty when nothing is needed.
    pub(crate) added: Vec<String>,
    /// Lines that were needed but left out, with the negation that keeps them out.
    pub(crate) left_out: Vec<LeftOut>,
    /// Needs the target file cannot meet whatever it holds: a deeper `.gitignore` decides
    /// their path (it wins over the target), with a rule that is not a bytecode negation.
    /// Every such path, by need then folder (a message needs only the first of each need).
    pub(crate) unreached: Vec<Unreached>,
    /// Every path of a need that stays uncovered once the block is written, whatever keeps
    /// it so (the unreached ones, and those of a line left out).
    pub(crate) uncovered_after: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreached {
    pub(crate) need: Need,
    /// The path that stays unignored.
    pub(crate) probe: Vec<u8>,
    /// The rule that decides it.
    pub(crate) rule: Option<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LeftOut {
    pub(crate) line: &'static str,
    /// The path whose verdict the line would change.
    pub(crate) probe: Vec<u8>,
    /// The negation that re-includes that path (none for a path that is not bytecode).
    pub(crate) negation: Option<Rule>,
}

impl Plan {
    pub(crate) fn changes(&self) -> bool {
        !self.added.is_empty()
    }

    /// Whether this need stays unmet without a deliberate negation to answer for it: its
    /// line is added, or left out for a path that is not bytecode. What the audit reports
    /// as missing and `--check` fails on, so the two agree.
    pub(crate) fn leaves_unmet(&self, need: Need) -> bool {
        let line = line_for(need);
        self.added.iter().any(|added| added == line)
            || self.left_out.iter().any(|left| left.line == line && left.negation.is_none())
            || self.unreached.iter().any(|unreached| unreached.need == need)
    }

    /// Whether the path, uncovered now, is ignored once the block is written (or re-included
    /// by a bytecode negation): the fix does something about it.
    pub(crate) fn covers(&self, path: &[u8]) -> bool {
        !self.uncovered_after.iter().any(|uncovered| uncovered == path)
    }

    /// Whether any need stays unmet (see [`Plan::leaves_unmet`]), counting the unreached
    /// paths that `counts` accepts (those decided by a file the audit reads).
    pub(crate) fn leaves_anything_unmet(&self, counts: impl Fn(&Unreached) -> bool) -> bool {
        self.changes() || self.left_out.iter().any(|left| left.negation.is_none()) || self.unreached.iter().any(counts)
    }

    /// The first unreached path of each need: one says enough.
    pub(crate) fn unreached_by_need(&self) -> impl Iterator<Item = &Unreached> {
        let mut seen = Vec::new();
        self.unreached.iter().filter(move |unreached| {
            let first = !seen.contains(&unreached.need);
            seen.push(unreached.need);
            first
        })
    }
}

/// Plans the change of `target` (its current content: empty when it does not exist yet),
/// given the other ignore files of the tree and extra bytecode paths worth protecting
/// (tracked files).
///
/// With debris categories chosen, the lines of each that are missing are planned with
/// bytecode's, by the same rules.
pub(crate) fn plan(target: &IgnoreFile, others: &[IgnoreFile], extra_probes: &[Probe], debris: Debris) -> Plan {
    let before_rules = rules_with(target.clone(), others);
    plan_judged(target, others, extra_probes, &before_rules, &BytecodeNegations::of(&before_rules, debris), debris)
}

/// [`plan`], given the rules as they are and their bytecode negations (the audit has them).
pub(crate) fn plan_judged(
    target: &IgnoreFile,
    others: &[IgnoreFile],
    extra_probes: &[Probe],
    before_rules: &RuleSet,
    negations: &BytecodeNegations,
    debris: Debris,
) -> Plan {
    let rules_with = |target: IgnoreFile| rules_with(target, others);
    let folders = folders(target, others);
    let audited = Need::audited(debris);
    let needs = needed(before_rules, &folders, negations, &audited);
    if needs.is_empty() {
        return Plan {
            new_bytes: target.bytes().to_vec(),
            added: Vec::new(),
            left_out: Vec::new(),
            unreached: Vec::new(),
            uncovered_after: Vec::new(),
        };
    }
    // Only a path that one of our lines matches (or one of its folders) can change verdict;
    // bytecode must keep its verdict only where a bytecode negation decides it.
    let candidates = candidates(debris);
    let mut probes = probes(target.dir(), &folders, negations, extra_probes, debris);
    let block_patterns = block_patterns(&candidates);
    probes.retain(|probe| match bytecode::classify_with(&probe.path, debris) {
        None => touched_by(&block_patterns, probe),
        Some(_) => !negations.is_empty(),
    });
    let before: Vec<Verdict> =
        probes.iter().map(|p| before_rules.verdict(&p.path, p.is_dir, Scope::Repository)).collect();
    let protected: Vec<bool> = probes
        .iter()
        .zip(&before)
        .map(|(probe, verdict)| bytecode::classify_with(&probe.path, debris).is_none() || negations.decided(verdict))
        .collect();
    let situation = Situation {
        target,
        rules_with: &rules_with,
        probes: &probes,
        before: &before,
        protected,
        folders: &folders,
        negations,
        candidates: &candidates,
        audited: &audited,
    };

    // Appending (or going before the first bytecode negation) is the natural place. When an
    // existing rule such as `*.pyc` already ignores folders named `a.pyc`, a folder guard
    // placed after it would re-include them: then the top of the file may work instead. The
    // top wins when it leaves fewer paths missing, or as many with fewer lines left out (a
    // line there may cover nothing, the file's own later rules undoing it).
    let natural = first_negation_line(target, negations);
    let (mut best, mut at) = (situation.plan_at(natural, &needs), natural);
    if !best.left_out.is_empty() && natural != Some(0) {
        let at_top = situation.plan_at(Some(0), &needs);
        let shortfall = |plan: &Plan, at| (situation.still_missing(at, plan).len(), plan.left_out.len());
        if shortfall(&at_top, Some(0)) < shortfall(&best, natural) {
            (best, at) = (at_top, Some(0));
        }
    }
    let block: Vec<&str> = best.added.iter().map(String::as_str).collect();
    // The new bytes once, for the placement chosen (the comment is the block's first line).
    best.new_bytes = match block.split_first() {
        Some((comment, lines)) => insert_block_with(target.bytes(), at, comment, lines),
        None => target.bytes().to_vec(),
    };
    let after = rules_with(if block.is_empty() { target.clone() } else { target.with_block(at, &block) });
    let left_out: Vec<&str> = best.left_out.iter().map(|left| left.line).collect();
    let uncovered = bytecode_rules::missing(&after, &folders, &audited, negations);
    best.uncovered_after = uncovered.iter().map(|missing| missing.probe.path.clone()).collect();
    best.unreached = uncovered
        .into_iter()
        .filter(|missing| !left_out.contains(&line_for(missing.need)))
        .map(|missing| {
            let verdict = after.verdict(&missing.probe.path, missing.probe.is_dir, Scope::Repository);
            Unreached { need: missing.need, probe: missing.probe.path, rule: verdict.rule().cloned() }
        })
        .collect();
    best
}

/// Every line a block may hold, parsed.
fn block_patterns(candidates: &[Candidate]) -> Vec<gix_glob::Pattern> {
    let lines = candidates.iter().flat_map(|candidate| std::iter::once(candidate.line).chain(candidate.folder_guard));
    lines.filter_map(|line| gix_glob::Pattern::from_bytes(line.as_bytes())).collect()
}

/// Whether one of the patterns (all without a `/` inside) matches the path's name or the
/// name of one of its folders: only then can a block of them change the path's verdict.
fn touched_by(patterns: &[gix_glob::Pattern], probe: &Probe) -> bool {
    let mut components = probe.path.split(|&b| b == b'/').peekable();
    while let Some(name) = components.next() {
        let is_dir = components.peek().is_some() || probe.is_dir;
        let matched = patterns.iter().any(|pattern| {
            let mode = gix_glob::wildmatch::Mode::NO_MATCH_SLASH_LITERAL;
            pattern.matches_repo_relative_path(name.into(), None, Some(is_dir), gix_glob::pattern::Case::Fold, mode)
        });
        if matched {
            return true;
        }
    }
    false
}

fn rules_with(target: IgnoreFile, others: &[IgnoreFile]) -> RuleSet {
    let mut files = others.to_vec();
    files.push(target);
    RuleSet::new(files, Vec::new())
}

/// The target's folder and every folder below it with an ignore file of its own.
fn folders(target: &IgnoreFile, others: &[IgnoreFile]) -> Vec<Vec<u8>> {
    let top = target.dir();
    let mut folders = vec![top.to_vec()];
    folders.extend(others.iter().map(|file| file.dir().to_vec()).filter(|dir| dir.starts_with(top)));
    folders.sort();
    folders.dedup();
    folders
}

/// The needs the audit finds missing, and Jython's with them: `*$py.class` is written with
/// a block that is needed anyway, never on its own.
fn needed(rules: &RuleSet, folders: &[Vec<u8>], negations: &BytecodeNegations, audited: &[Need]) -> Vec<Need> {
    let mut needs: Vec<Need> =
        bytecode_rules::missing(rules, folders, audited, negations).into_iter().map(|m| m.need).collect();
    if !needs.is_empty() && !bytecode_rules::missing(rules, folders, &[Need::JythonClass], negations).is_empty() {
        needs.push(Need::JythonClass);
    }
    needs.dedup();
    needs
}

/// Everything a plan is judged against.
struct Situation<'a> {
    target: &'a IgnoreFile,
    rules_with: &'a dyn Fn(IgnoreFile) -> RuleSet,
    probes: &'a [Probe],
    before: &'a [Verdict],
    /// Whether each probe must keep its verdict: not bytecode, or kept by a negation.
    protected: Vec<bool>,
    /// Where the needs are judged (see [`bytecode_rules::missing`]).
    folders: &'a [Vec<u8>],
    negations: &'a BytecodeNegations,
    /// The lines that may be added (see [`candidates`]).
    candidates: &'a [Candidate],
    /// The needs judged: bytecode's and the chosen debris lines'.
    audited: &'a [Need],
}

impl Situation<'_> {
    /// Adds each needed candidate that covers a missing path and keeps every protected
    /// verdict, with the block at `at`.
    fn plan_at(&self, at: Option<usize>, needs: &[Need]) -> Plan {
        let mut accepted: Vec<&'static str> = Vec::new();
        let mut left_out = Vec::new();
        for candidate in self.candidates.iter().filter(|c| c.covers.iter().any(|need| needs.contains(need))) {
            // Jython's line only joins lines that are added anyway.
            if candidate.covers == [Need::JythonClass] && accepted.is_empty() {
                continue;
            }
            // A line that would cover none of its missing paths here is not missing from this
            // file: a deeper `.gitignore` decides them all (they are named as unreached), or
            // the file's own later rules. Written anyway, it would be written on every run.
            // (A line that ignores can only shrink what is missing.)
            let with_line: Vec<&str> = accepted.iter().copied().chain([candidate.line]).collect();
            let missing = |lines: &[&str]| {
                bytecode_rules::missing(&self.rules(at, lines), self.folders, candidate.covers, self.negations).len()
            };
            if missing(&with_line) == missing(&accepted) {
                continue;
            }
            let mut attempts = vec![vec![candidate.line]];
            attempts.extend(candidate.folder_guard.map(|guard| vec![candidate.line, guard]));
            let mut first_violation = None;
            for lines in attempts {
                let trial: Vec<&'static str> = accepted.iter().chain(&lines).copied().collect();
                match self.first_violation(at, &trial) {
                    None => {
                        accepted = trial;
                        first_violation = None;
                        break;
                    }
                    Some(index) => first_violation = first_violation.or(Some(index)),
                }
            }
            if let Some(index) = first_violation {
                let negation = self.before[index].rule().filter(|rule| rule.is_negation()).cloned();
                left_out.push(LeftOut { line: candidate.line, probe: self.probes[index].path.clone(), negation });
            }
        }
        let added = if accepted.is_empty() {
            Vec::new()
        } else {
            std::iter::once(comment_for(&accepted)).chain(accepted.iter().copied()).map(str::to_owned).collect()
        };
        Plan { new_bytes: Vec::new(), added, left_out, unreached: Vec::new(), uncovered_after: Vec::new() }
    }

    /// The rules with a block of these lines (after the comment) at `at`; none, no block.
    fn rules(&self, at: Option<usize>, lines: &[&str]) -> RuleSet {
        if lines.is_empty() {
            return (self.rules_with)(self.target.clone());
        }
        // The comment line counts: the block's rules are numbered as they would be written.
        let block: Vec<&str> = std::iter::once(COMMENT).chain(lines.iter().copied()).collect();
        (self.rules_with)(self.target.with_block(at, &block))
    }

    /// What stays missing once the plan's lines are written at `at`.
    fn still_missing(&self, at: Option<usize>, plan: &Plan) -> Vec<bytecode_rules::Missing> {
        let lines: Vec<&str> = plan.added.iter().skip(1).map(String::as_str).collect();
        bytecode_rules::missing(&self.rules(at, &lines), self.folders, self.audited, self.negations)
    }

    /// The index of the first protected probe whose verdict the block would change.
    fn first_violation(&self, at: Option<usize>, lines: &[&str]) -> Option<usize> {
        let rules = self.rules(at, lines);
        self.probes.iter().zip(self.before).zip(&self.protected).position(|((probe, was), &protected)| {
            protected && rules.verdict(&probe.path, probe.is_dir, Scope::Repository).is_ignored() != was.is_ignored()
        })
    }
}

/// The 0-based line of the target file before which the block goes: its first bytecode
/// negation; `None` means at the end.
fn first_negation_line(target: &IgnoreFile, negations: &BytecodeNegations) -> Option<usize> {
    let first = negations.rules().filter(|rule| &rule.source == target.source()).map(|rule| rule.line).min()?;
    (first >= 1).then(|| first - 1)
}

/// The comment of a block of these lines: bytecode's when it holds no debris line.
fn comment_for(lines: &[&str]) -> &'static str {
    match (lines.iter().any(|line| is_debris_line(line)), lines.iter().all(|line| is_debris_line(line))) {
        (false, _) => COMMENT,
        (true, true) => DEBRIS_COMMENT,
        (true, false) => BOTH_COMMENT,
    }
}

/// The old bytes with the block (this comment first) inserted before line `at`, or appended.
/// Line endings follow the file; a missing final newline is added before an appended block;
/// a BOM stays first.
fn insert_block_with(old: &[u8], at: Option<usize>, comment: &str, lines: &[&str]) -> Vec<u8> {
    let newline: &[u8] = if memchr::memmem::find(old, b"\r\n").is_some() { b"\r\n" } else { b"\n" };
    let mut block = Vec::new();
    for line in std::iter::once(comment).chain(lines.iter().copied()) {
        block.extend_from_slice(line.as_bytes());
        block.extend_from_slice(newline);
    }
    let bom = if old.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
    let offset = match at {
        Some(0) => bom,
        Some(line) => memchr::memchr_iter(b'\n', old).nth(line - 1).map_or(old.len(), |newline| newline + 1),
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

/// The paths whose verdicts decide the plan: bytecode and look-alikes in every folder and a
/// new subfolder of each; the paths bytecode negations re-include; and the extra ones given.
fn probes(
    top: &[u8],
    folders: &[Vec<u8>],
    negations: &BytecodeNegations,
    extra: &[Probe],
    debris: Debris,
) -> Vec<Probe> {
    let mut probes: Vec<Probe> = folders
        .iter()
        .flat_map(|dir| [dir.clone(), [dir.as_slice(), PROBE_SUBFOLDER.as_bytes()].concat()])
        .flat_map(|dir| {
            let mut probes = folder_probes(&dir);
            if !debris.is_empty() {
                probes.extend(debris_probes(&dir, debris));
            }
            probes
        })
        .collect();
    probes.extend(negations.reincluded().cloned());
    probes.extend(extra.iter().filter(|p| p.path.starts_with(top)).cloned());
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

/// The debris of the chosen categories in a folder, and look-alikes whose verdict the
/// debris lines must not change: each probe's twin, the folder each folder line names (and
/// its twin), and a folder named like each file line, with a file in it.
fn debris_probes(dir: &[u8], debris: Debris) -> Vec<Probe> {
    let probe = |name: &str, is_dir: bool| Probe { path: [dir, name.as_bytes()].concat(), is_dir };
    let mut probes = Vec::new();
    for line in debris.lines() {
        probes.push(probe(line.probe, false));
        probes.push(probe(line.twin, false));
        match (line.probe.split_once('/'), line.twin.split_once('/')) {
            (Some((folder, _)), Some((twin, _))) => {
                probes.push(probe(folder, true));
                probes.push(probe(twin, true));
            }
            _ => {
                probes.push(probe(line.probe, true));
                probes.push(probe(&format!("{}/m.txt", line.probe), false));
            }
        }
    }
    probes
}

#[cfg(test)]
mod tests {
    use super::*;
    use gitlayer::ignore_rules::Source;

    fn plan_for(files: &[(&str, &str)]) -> Plan {
        let file = |(path, text): &(&str, &str)| IgnoreFile::gitignore(path.as_bytes(), text.as_bytes(), false);
        let target =
            files.iter().find(|(path, _)| *path == ".gitignore").map_or_else(|| file(&(".gitignore", "")), file);
        let others: Vec<IgnoreFile> = files.iter().filter(|(path, _)| *path != ".gitignore").map(file).collect();
        plan(&target, &others, &[], Debris::NONE)
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
        let plan = plan_for(&[("tests/.gitignore", "!*.pyc\n")]);
        let left: Vec<&str> = plan.left_out.iter().map(|l| l.line).collect();
        assert_eq!(left, ["__pycache__/"]);
        let negation = plan.left_out[0].negation.as_ref().unwrap();
        assert_eq!((&negation.source, negation.line), (&Source::Tree(b"tests/.gitignore".to_vec()), 1));
        assert!(!plan.added.contains(&"__pycache__/".to_owned()));
        // `*.py[co]` covers what Python writes in `__pycache__` at the top; the nested one
        // stays re-included, so nothing is left unmet.
        assert!(plan.added.contains(&"*.py[co]".to_owned()), "{:?}", plan.added);
        assert!(plan.unreached.is_empty() && !plan.leaves_unmet(Need::Pycache), "{plan:?}");
    }

    #[test]
    fn an_ordinary_negation_does_not_keep_the_block_out() {
        let plan = plan_for(&[(".gitignore", "*.txt\n!requirements.txt\n")]);
        assert_eq!(plan.added[1..], ["__pycache__/", "*.py[co]", "!*.py[co]/", "*$py.class", "!*$py.class/"]);
        assert!(plan.left_out.is_empty());
        let text = String::from_utf8(plan.new_bytes).unwrap();
        assert!(text.starts_with("*.txt\n!requirements.txt\n# Python"), "appended after it: {text}");
    }

    #[test]
    fn a_deeper_ordinary_negation_leaves_the_need_unreached() {
        let plan = plan_for(&[("tests/.gitignore", "!*\n")]);
        assert!(plan.changes());
        let unreached: Vec<Need> = plan.unreached_by_need().map(|u| u.need).collect();
        assert_eq!(unreached, [Need::Pycache, Need::Pyc, Need::Pyo]);
        let rule = plan.unreached[0].rule.as_ref().unwrap();
        assert_eq!((&rule.source, rule.line), (&Source::Tree(b"tests/.gitignore".to_vec()), 1));
    }

    #[test]
    fn what_only_a_deeper_file_can_cover_is_not_added_again() {
        // The first fix covers the top; `tests/` stays `!*`'s. The second adds nothing, and
        // still names what stays unignored (the audit keeps reporting it).
        let first = plan_for(&[("tests/.gitignore", "!*\n")]);
        let fixed = String::from_utf8(first.new_bytes).unwrap();
        let second = plan_for(&[(".gitignore", &fixed), ("tests/.gitignore", "!*\n")]);
        assert!(!second.changes(), "{second:?}");
        assert_eq!(second.new_bytes, fixed.as_bytes());
        assert!(second.left_out.is_empty(), "{second:?}");
        let unreached: Vec<Need> = second.unreached_by_need().map(|u| u.need).collect();
        assert_eq!(unreached, [Need::Pycache, Need::Pyc, Need::Pyo]);
        assert!(second.unreached.iter().all(|u| u.probe.starts_with(b"tests/")), "{second:?}");
        assert!(Need::AUDITED.iter().all(|&need| second.leaves_unmet(need)));
    }

    #[test]
    fn a_line_that_covers_only_part_of_what_is_missing_is_still_added() {
        // `/*.pyc` covers the top only; `*.py[co]` is needed for subfolders, though `tests/`
        // stays `!*`'s.
        let plan = plan_for(&[(".gitignore", "__pycache__/\n/*.pyc\n*.pyo\n"), ("tests/.gitignore", "!*\n")]);
        assert!(plan.added.contains(&"*.py[co]".to_owned()), "{plan:?}");
        assert!(!plan.added.contains(&"__pycache__/".to_owned()), "{plan:?}");
    }

    #[test]
    fn the_top_wins_when_it_leaves_less_missing_though_a_line_there_covers_nothing() {
        // Appended, `*.py[co]` would need a guard that re-includes `a.pyo` folders, which
        // `*.pyo` ignores. At the top `!*/` undoes `__pycache__/`, but `*.py[co]` covers
        // what Python writes there: nothing stays missing, and a second plan adds nothing.
        let old = "!*/\n*.pyo";
        let text = new_text(&[(".gitignore", old)]);
        assert_eq!(text, format!("{COMMENT}\n*.py[co]\n*$py.class\n{old}"));
        assert!(!plan_for(&[(".gitignore", &text)]).changes());
    }

    #[test]
    fn folder_guard_is_left_out_when_folders_were_already_ignored() {
        // `*` ignores folders named a.pyc already: a guard would re-include them.
        let text = new_text(&[(".gitignore", "*\n!*/\n!*.py\n")]);
        assert!(!text.contains("!*.py[co]/"), "{text}");
    }
}
