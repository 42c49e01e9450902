//! Ignore rules judged by what Python writes: which negations re-include bytecode, and which
//! of the rules every repository needs are missing. One definition for the audit `check`
//! runs and for `fix-gitignore` (its needs, its protected paths, where its block goes), so
//! the two always agree.
//!
//! A negation **re-includes bytecode** when git's verdict on something Python writes
//! ([`bytecode::python_writes`]: a `__pycache__` folder, `m.pyc`, `m.cpython-312.pyc` in
//! one) is that negation, and the negation is about bytecode: it does not decide the same
//! path with a name Python does not write (`m.txt`, a folder other than `__pycache__`).
//! `!tests/fixtures/*.pyc`, `!*.pyc` and `!__pycache__/` are such negations;
//! `!requirements.txt`, `!*.md`, `!system/cache/*` and `!*/` are not, though the last two
//! re-include `.pyc` files and `__pycache__` folders among everything else: they were
//! written for something else, and the fix may ignore the bytecode they let through.

use gix_glob::Pattern;
use gix_glob::pattern::Mode;

use gitlayer::ignore_rules::{IgnoreFile, Rule, RuleSet, Scope, Verdict};

use crate::guard::bytecode;
use crate::guard::debris::{self, Debris};
use crate::guard::probes::{PROBE_SUBFOLDER, Probe, concretize};
use crate::guard::usual_rules::SurelyIgnored;

/// The negations of a tree that re-include bytecode, each with what it re-includes.
#[derive(Debug, Default)]
pub(crate) struct BytecodeNegations {
    found: Vec<(Rule, Vec<Probe>)>,
}

impl BytecodeNegations {
    /// Looks at every negation of the tree's files. A negation whose pattern cannot tell a
    /// bytecode path from its twin is dropped by the pattern alone, before any verdict: a
    /// file of a million lines with thousands of ordinary negations costs one match each.
    ///
    /// With debris chosen, a negation about a chosen category's names (`!.pytest_cache/`,
    /// `!keep/.coverage`) counts too, judged the same way against the paths its tool writes.
    pub(crate) fn of(rules: &RuleSet, debris: Debris) -> BytecodeNegations {
        let mut found = Vec::new();
        for file in rules.tree_files() {
            for negation in file.negations() {
                let candidates = candidates(file, negation.pattern(), debris);
                if candidates.is_empty() {
                    continue;
                }
                let rule = negation.rule();
                let decided =
                    |probe: &Probe| rules.verdict(&probe.path, probe.is_dir, Scope::Repository) == reincluded_by(&rule);
                let reincluded: Vec<Probe> = candidates.into_iter().filter(decided).collect();
                if !reincluded.is_empty() {
                    found.push((rule, reincluded));
                }
            }
        }
        BytecodeNegations { found }
    }

    /// The negations, in the order of the files (shallowest first) and their lines.
    pub(crate) fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.found.iter().map(|(rule, _)| rule)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.found.is_empty()
    }

    pub(crate) fn contains(&self, rule: &Rule) -> bool {
        self.found.iter().any(|(found, _)| found == rule)
    }

    /// Whether a verdict is a bytecode negation's: what it keeps is kept on purpose.
    pub(crate) fn decided(&self, verdict: &Verdict) -> bool {
        matches!(verdict, Verdict::Reincluded(rule) if self.contains(rule))
    }

    /// Whether everything this negation re-includes is debris, no bytecode.
    pub(crate) fn only_debris(&self, rule: &Rule) -> bool {
        self.found
            .iter()
            .filter(|(found, _)| found == rule)
            .flat_map(|(_, probes)| probes)
            .all(|probe| bytecode::classify(&probe.path).is_none())
    }

    /// Paths Python writes that the negations re-include.
    pub(crate) fn reincluded(&self) -> impl Iterator<Item = &Probe> {
        self.found.iter().flat_map(|(_, probes)| probes)
    }
}

fn reincluded_by(rule: &Rule) -> Verdict {
    Verdict::Reincluded(rule.clone())
}

/// Paths Python writes that a negation's pattern matches while it does not match their
/// twin (the same place, a name Python does not write), as worktree-relative probes: the
/// name the pattern spells, and the usual names, where the pattern points and, for a
/// pattern that matches at any depth, one folder down.
fn candidates(file: &IgnoreFile, pattern: &Pattern, debris: Debris) -> Vec<Probe> {
    if !may_match_what_python_writes(pattern, debris) {
        return Vec::new();
    }
    let example = concretize(&String::from_utf8_lossy(&pattern.text));
    // A git path never starts with `/` or holds an empty folder name, so a pattern that
    // spells one (`!///x.pyc`, `!a//m.pyc`) matches nothing Python writes (and the matcher
    // takes only relative paths).
    if example.starts_with('/') || example.contains("//") {
        return Vec::new();
    }
    let (parent, name) = example.rsplit_once('/').map_or(("", example.as_str()), |(parent, name)| (parent, name));
    let parent = if parent.is_empty() { String::new() } else { format!("{parent}/") };
    let mut bases = vec![parent];
    if pattern.mode.contains(Mode::NO_SUB_DIR) && !pattern.mode.contains(Mode::ABSOLUTE) {
        bases.push(PROBE_SUBFOLDER.to_owned());
    }
    // Each name with its twin, when the twin is not `twin_of` the name.
    let mut names: Vec<(String, bool, Option<String>)> = vec![
        ("m.pyc".into(), false, None),
        ("m.pyo".into(), false, None),
        ("m$py.class".into(), false, None),
        ("__pycache__/m.cpython-312.pyc".into(), false, None),
        ("__pycache__".into(), true, None),
    ];
    if bytecode::python_writes(name.as_bytes(), false) {
        names.push((name.to_owned(), false, None));
    }
    if !debris.is_empty() {
        for line in debris.lines() {
            names.push((line.probe.to_owned(), false, Some(line.twin.to_owned())));
            if let Some((folder, _)) = line.probe.split_once('/') {
                let twin_folder = line.twin.split_once('/').map_or(line.twin, |(folder, _)| folder);
                names.push((folder.to_owned(), true, Some(twin_folder.to_owned())));
            }
        }
        // The name the pattern spells (`!keep.egg-info/`, `!tests/.coverage`), as a file and,
        // when folders of that name are debris, as a folder, with a twin that is no debris.
        // Any name inside a folder of debris (`!.hypothesis/examples/`, `!htmlcov/keep.html`,
        // `!.pytest_cache/**`): everything in such a folder is debris, as in `__pycache__`.
        // Its twin is the same place with the debris folders renamed (below).
        let in_debris_folder = bases[0].split('/').any(|component| debris.is_folder_name(component.as_bytes()));
        if in_debris_folder && !names.iter().any(|(known, _, _)| known == name) {
            names.push((name.to_owned(), false, Some(name.to_owned())));
            names.push((name.to_owned(), true, Some(name.to_owned())));
        }
        if debris.classify_name(name.as_bytes()).is_some() && !names.iter().any(|(known, _, _)| known == name) {
            let twin = format!("pycache_guard_twin_{}", name.replace('.', "_"));
            names.push((name.to_owned(), false, Some(twin.clone())));
            if debris.is_folder_name(name.as_bytes()) {
                names.push((name.to_owned(), true, Some(twin)));
            }
        }
    }
    let mut found = Vec::new();
    for base in &bases {
        for (name, is_dir, twin) in &names {
            let path = [file.dir(), base.as_bytes(), name.as_bytes()].concat();
            let twin = match twin {
                Some(twin) => format!("{base}{twin}"),
                None => twin_of(&format!("{base}{name}")),
            };
            let twin = if debris.is_empty() { twin } else { without_debris_folders(&twin, debris) };
            let twin = [file.dir(), twin.as_bytes()].concat();
            if file.pattern_matches(pattern, &path, *is_dir) && !file.pattern_matches(pattern, &twin, *is_dir) {
                found.push(Probe { path, is_dir: *is_dir });
            }
        }
    }
    found
}

/// The same path with every folder of debris renamed to a name that is no debris: a twin
/// must stand in the same place, outside the debris.
fn without_debris_folders(path: &str, debris: Debris) -> String {
    let (folders, name) = path.rsplit_once('/').map_or(("", path), |(folders, name)| (folders, name));
    if folders.is_empty() {
        return path.to_owned();
    }
    let renamed: Vec<String> = folders
        .split('/')
        .map(|folder| match debris.is_folder_name(folder.as_bytes()) {
            true => format!("pycache_guard_twin_{}", folder.replace('.', "_")),
            false => folder.to_owned(),
        })
        .collect();
    format!("{}/{name}", renamed.join("/"))
}

/// Whether the pattern's last part could match a name Python writes: most negations end in
/// a literal name (`!README.md`, `!/media/customer/.htaccess`), which is settled here
/// without building a path.
fn may_match_what_python_writes(pattern: &Pattern, debris: Debris) -> bool {
    let text = &pattern.text[..];
    let last = memchr::memrchr(b'/', text).map_or(text, |slash| &text[slash + 1..]);
    let literal = !last.iter().any(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'));
    // With debris chosen, a pattern with a folder in it may point inside a folder of debris
    // (`!.hypothesis/examples/`): the candidates say, once the folders are concrete.
    let has_folder = last.len() < text.len();
    !literal
        || last == b"__pycache__"
        || bytecode::python_writes(last, false)
        || (!debris.is_empty() && (has_folder || debris::may_name_debris(debris, last)))
}

/// The same place with names Python does not write: `a/m.pyc` -> `a/m.txt`,
/// `__pycache__/m.cpython-312.pyc` -> `pycache_guard_twin/m.cpython-312.txt`.
fn twin_of(path: &str) -> String {
    let name = path.replace("__pycache__", "pycache_guard_twin");
    match [".pyc", ".pyo", "$py.class"].iter().find_map(|suffix| name.strip_suffix(suffix)) {
        Some(stem) => format!("{stem}.txt"),
        None => name,
    }
}

/// A rule every repository needs, as the audit names it and the fix writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Need {
    Pycache,
    Pyc,
    Pyo,
    /// Jython's bytecode: written with a block that is needed anyway, never reported alone.
    JythonClass,
    /// A line of a chosen debris category.
    Debris(&'static debris::Line),
}

impl Need {
    /// The needs the strict audit reports (and the fix meets), in its order: every name of
    /// bytecode.
    pub(crate) const AUDITED: [Need; 3] = [Need::Pycache, Need::Pyc, Need::Pyo];

    /// The needs the default audit reports: what CPython 3 writes, which is bytecode inside
    /// `__pycache__` folders only (a `.pyo`, or a `.pyc` beside its source, comes from
    /// Python 2 or `compileall -b`).
    pub(crate) const PYTHON3: [Need; 1] = [Need::Pycache];

    /// The needs the strict audit (and the fix) judges with these debris categories chosen:
    /// bytecode's, then one per line of each category.
    pub(crate) fn audited(debris: Debris) -> Vec<Need> {
        Need::AUDITED.into_iter().chain(debris.lines().map(Need::Debris)).collect()
    }

    /// The needs of the audit's tier: every name of bytecode when `strict`, else what
    /// CPython 3 writes; with the lines of the chosen debris categories in both (debris
    /// names are what the tools write).
    pub(crate) fn of_tier(strict: bool, debris: Debris) -> Vec<Need> {
        let bytecode: &[Need] = if strict { &Need::AUDITED } else { &Need::PYTHON3 };
        bytecode.iter().copied().chain(debris.lines().map(Need::Debris)).collect()
    }

    /// How the audit names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Need::Pycache => "__pycache__/",
            Need::Pyc => "*.pyc",
            Need::Pyo => "*.pyo",
            Need::JythonClass => "*$py.class",
            Need::Debris(line) => line.text,
        }
    }

    /// The files in a folder that must be ignored (never folders). For `__pycache__/` they
    /// are what CPython 3 writes inside one, `<module>.<tag>.pyc` and
    /// `<module>.<tag>.opt-N.pyc`: git tracks files, not folders, so `*.pyc` covers them too,
    /// and an allow-list's `!*/` that re-includes every folder (its `*` still ignoring the
    /// files) leaves nothing uncovered.
    fn probes(self) -> &'static [&'static str] {
        match self {
            Need::Pycache => &["__pycache__/m.cpython-312.pyc", "__pycache__/m.cpython-312.opt-1.pyc"],
            Need::Pyc => &["m.pyc"],
            Need::Pyo => &["m.pyo"],
            Need::JythonClass => &["m$py.class"],
            Need::Debris(line) => std::slice::from_ref(&line.probe),
        }
    }
}

/// Where a needed rule does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missing {
    pub(crate) need: Need,
    /// The folder where it is missing: `` is the top of the tree.
    pub(crate) folder: Vec<u8>,
    /// The path that is not ignored.
    pub(crate) probe: Probe,
}

/// The needs not covered in `folders` (each `` or `a/b/`, and a new subfolder of each): a
/// probe is covered when git ignores it, or when a bytecode negation re-includes it on
/// purpose. Uncovered probes come first by need, then by folder.
pub(crate) fn missing(
    rules: &RuleSet,
    folders: &[Vec<u8>],
    needs: &[Need],
    negations: &BytecodeNegations,
) -> Vec<Missing> {
    let mut found = Vec::new();
    let surely_ignored = SurelyIgnored::new(rules);
    for &need in needs {
        if let Need::Debris(line) = need {
            if surely_ignored.has_debris_line(line) {
                continue;
            }
        }
        for folder in folders {
            for prefix in ["", PROBE_SUBFOLDER] {
                let place = [folder.as_slice(), prefix.as_bytes()].concat();
                for name in need.probes() {
                    let path = [place.as_slice(), name.as_bytes()].concat();
                    if surely_ignored.ask(&path, false) {
                        continue;
                    }
                    let verdict = rules.verdict(&path, false, Scope::Repository);
                    if !verdict.is_ignored()
                        && !negations.decided(&verdict)
                        && !debris_folder_kept(rules, need, &place, negations)
                    {
                        found.push(Missing { need, folder: place.clone(), probe: Probe { path, is_dir: false } });
                    }
                }
            }
        }
    }
    found
}

/// Whether a debris need's folder (`.pytest_cache` for `.pytest_cache/`) is re-included on
/// purpose in `place` by a negation about debris: what the tool writes inside is then kept on
/// purpose too, though no rule matches the file itself.
fn debris_folder_kept(rules: &RuleSet, need: Need, place: &[u8], negations: &BytecodeNegations) -> bool {
    let Need::Debris(line) = need else { return false };
    if negations.is_empty() {
        return false;
    }
    let Some((folder, _)) = line.probe.split_once('/') else { return false };
    let path = [place, folder.as_bytes()].concat();
    negations.decided(&rules.verdict(&path, true, Scope::Repository))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn negations_in(text: &str) -> Vec<String> {
        let rules = RuleSet::new(vec![IgnoreFile::gitignore(b".gitignore", text.as_bytes(), false)], Vec::new());
        BytecodeNegations::of(&rules, Debris::NONE)
            .rules()
            .map(|rule| String::from_utf8(rule.pattern.clone()).unwrap())
            .collect()
    }

    #[test]
    fn negations_about_bytecode_are_found() {
        assert_eq!(negations_in("*.pyc\n!keep.pyc\n"), ["!keep.pyc"]);
        assert_eq!(negations_in("*.pyc\n!tests/fixtures/*.pyc\n"), ["!tests/fixtures/*.pyc"]);
        assert_eq!(negations_in("__pycache__/\n!__pycache__/\n"), ["!__pycache__/"]);
        assert_eq!(negations_in("!*.py[cod]\n"), ["!*.py[cod]"]);
        let nested = negations_in("**/__pycache__\n!**/__pycache__/**\n!**/__pycache__\n");
        assert_eq!(nested, ["!**/__pycache__/**", "!**/__pycache__"]);
    }

    #[test]
    fn ordinary_negations_are_not_about_bytecode() {
        for text in [
            "*.txt\n!requirements.txt\n",
            "*.json\n!package.json\n",
            "*\n!*/\n!*.py\n",
            "*/cache/*\n!system/cache/*\n",
            "**/build/\n!**/src/**/build/\n",
            "*.py[co]\n!*.py[co]/\n*$py.class\n!*$py.class/\n",
            "*.md\n!README.md\n",
        ] {
            assert_eq!(negations_in(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn an_overridden_negation_re_includes_nothing() {
        assert_eq!(negations_in("build/\n!build/*.pyc\n"), Vec::<String>::new());
        assert_eq!(negations_in("!keep.pyc\n*.pyc\n"), Vec::<String>::new());
    }

    #[test]
    fn twins_keep_the_place_and_lose_the_bytecode_name() {
        assert_eq!(twin_of("a/m.pyc"), "a/m.txt");
        assert_eq!(twin_of("m$py.class"), "m.txt");
        assert_eq!(twin_of("__pycache__/m.cpython-312.pyc"), "pycache_guard_twin/m.cpython-312.txt");
        assert_eq!(twin_of("__pycache__"), "pycache_guard_twin");
    }
}
