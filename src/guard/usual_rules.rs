//! The usual bytecode rules (`*.py[cod]`, `__pycache__/`, ...) read off a `.gitignore`'s text,
//! without parsing it: the shortcut that settles most repositories' audit.
//!
//! Without any negation in the tree, a usual rule of the top `.gitignore` ignores the names
//! it matches in every folder, so a probe it matches needs no verdict at all. Recognising the
//! few usual lines is a scan of the text; parsing a large file's every line is not needed.

use std::cell::OnceCell;

use gitlayer::ignore_rules::RuleSet;

use crate::guard::debris;

/// One question the audit asks many times, answered with the shortcut when it can be.
pub(crate) struct SurelyIgnored<'a> {
    rules: &'a RuleSet,
    /// The top file's usual bytecode rules, found once, when a verdict first needs them.
    usual: OnceCell<Vec<Vec<u8>>>,
    /// The top file's lines that are the fix's debris lines, written as the fix writes them.
    debris_lines: OnceCell<Vec<Vec<u8>>>,
}

impl<'a> SurelyIgnored<'a> {
    pub(crate) fn new(rules: &'a RuleSet) -> SurelyIgnored<'a> {
        SurelyIgnored { rules, usual: OnceCell::new(), debris_lines: OnceCell::new() }
    }

    /// Whether the repository's rules ignore the path. `false` proves nothing: ask
    /// [`RuleSet::verdict`].
    pub(crate) fn ask(&self, path: &[u8], is_dir: bool) -> bool {
        if !self.rules.may_negate() {
            let mut components = path.rsplit(|&b| b == b'/');
            let name = components.next().unwrap_or(path);
            let usual = self.usual();
            if usual.iter().any(|rule| bytecode_rule_matches(rule, name, is_dir)) {
                return true;
            }
            // An ignored folder ignores everything inside it (nothing re-includes here): a
            // project with `__pycache__/` alone (flask's) has what CPython 3 writes ignored.
            if !usual.is_empty()
                && components.any(|folder| usual.iter().any(|rule| bytecode_rule_matches(rule, folder, true)))
            {
                return true;
            }
        }
        // With one `.gitignore` at most, the files this consults are all there are: the
        // verdict the caller asks next says the same, so asking twice would only cost.
        self.rules.tree_files().len() > 1 && self.rules.ignored_by_top_and_negating(path, is_dir)
    }

    /// Whether the top `.gitignore` holds this debris line as the fix writes it, with no
    /// negation anywhere: a line without an inner `/` then ignores its name in every folder
    /// (and a folder everything inside it), so whatever the tool writes is ignored. `false`
    /// proves nothing.
    pub(crate) fn has_debris_line(&self, line: &debris::Line) -> bool {
        if self.rules.may_negate() {
            return false;
        }
        let lines = self.debris_lines.get_or_init(|| {
            let Some(top) = self.rules.top_file() else { return Vec::new() };
            trimmed_lines(top.rules_text())
                .filter(|text| debris::LINES.iter().any(|known| known.text.as_bytes() == *text))
                .map(<[u8]>::to_vec)
                .collect()
        });
        lines.iter().any(|text| text.as_slice() == line.text.as_bytes())
    }

    fn usual(&self) -> &[Vec<u8>] {
        self.usual
            .get_or_init(|| self.rules.top_file().map(|top| usual_bytecode_rules(top.rules_text())).unwrap_or_default())
    }
}

/// [`SurelyIgnored::ask`] once, for the tests that compare the shortcut with git.
#[doc(hidden)]
pub fn surely_ignored(rules: &RuleSet, path: &[u8], is_dir: bool) -> bool {
    SurelyIgnored::new(rules).ask(path, is_dir)
}

/// The lines of a `.gitignore`'s text that are usual bytecode rules.
fn usual_bytecode_rules(text: &[u8]) -> Vec<Vec<u8>> {
    trimmed_lines(text).filter(|line| usual_rule(line).is_some()).map(<[u8]>::to_vec).collect()
}

/// A `.gitignore`'s lines as git reads them: without `\r\n`'s `\r` and trailing spaces (an
/// escaped one leaves its backslash, which no usual rule has).
fn trimmed_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n').map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let end = line.iter().rposition(|&b| b != b' ').map_or(0, |last| last + 1);
        &line[..end]
    })
}
/// Whether a file or folder name is one a rule matches.
type NameTest = fn(&[u8]) -> bool;

/// The usual bytecode rules (without `**/` and a trailing `/`), each with the names it
/// matches. One table for recognising such a line and for judging a name by it.
const USUAL_RULES: [(&[u8], NameTest); 7] = [
    (b"__pycache__", |name| name == b"__pycache__"),
    (b"*.pyc", |name| name.ends_with(b".pyc")),
    (b"*.pyo", |name| name.ends_with(b".pyo")),
    (b"*$py.class", |name| name.ends_with(b"$py.class")),
    (b"*.py[co]", |name| py_then_one_of(name, b"co")),
    (b"*.py[cod]", |name| py_then_one_of(name, b"cod")),
    (b"*.py[codz]", |name| py_then_one_of(name, b"codz")),
];

/// `*.py[cod]`: `.py` then one byte of the class, the name's last.
fn py_then_one_of(name: &[u8], class: &[u8]) -> bool {
    name.len() >= 4 && &name[name.len() - 4..name.len() - 1] == b".py" && class.contains(&name[name.len() - 1])
}

/// A usual bytecode rule's glob and whether it is for folders only, `None` for any other
/// line.
fn usual_rule(line: &[u8]) -> Option<(NameTest, bool)> {
    let line = line.strip_prefix(b"**/").unwrap_or(line);
    let (glob, folders_only) = line.strip_suffix(b"/").map_or((line, false), |glob| (glob, true));
    USUAL_RULES.iter().find(|(usual, _)| *usual == glob).map(|(_, matches)| (*matches, folders_only))
}

/// Whether `line` is one of the usual bytecode rules and matches the name.
fn bytecode_rule_matches(line: &[u8], name: &[u8], is_dir: bool) -> bool {
    usual_rule(line).is_some_and(|(matches, folders_only)| (is_dir || !folders_only) && matches(name))
}

#[cfg(test)]
mod tests {
    use gitlayer::ignore_rules::IgnoreFile;

    use super::*;

    fn rules(files: &[(&str, &str)]) -> RuleSet {
        let tree =
            files.iter().map(|(path, text)| IgnoreFile::gitignore(path.as_bytes(), text.as_bytes(), false)).collect();
        RuleSet::new(tree, Vec::new())
    }

    #[test]
    fn usual_bytecode_rules_are_read_off_the_text() {
        let matches =
            |line: &str, name: &str, is_dir: bool| bytecode_rule_matches(line.as_bytes(), name.as_bytes(), is_dir);
        assert!(matches("*.py[cod]", "m.pyc", false) && matches("*.py[cod]", "m.pyo", false));
        assert!(matches("**/*.py[co]", ".pyo", false));
        assert!(matches("__pycache__/", "__pycache__", true) && !matches("__pycache__/", "__pycache__", false));
        assert!(matches("__pycache__", "__pycache__", false) && matches("*$py.class", "m$py.class", false));
        assert!(!matches("*.py[cod]", "m.py", false) && !matches("*.pyc", "m.pyo", false));
        assert!(!matches("/*.pyc", "m.pyc", false), "anchored: the top folder only");
        assert!(!matches("*.PYC", "m.pyc", false) && !matches("*.pyc\\", "m.pyc", false));
        // The shortcut needs the rule in the top file and no negation anywhere.
        let top = rules(&[(".gitignore", "*.py[cod]  \r\n__pycache__/\n"), ("a/.gitignore", "build/\n")]);
        assert!(
            SurelyIgnored::new(&top).ask(b"a/b/m.pyc", false) && SurelyIgnored::new(&top).ask(b"a/__pycache__", true)
        );
        // A usual folder rule covers what is inside such a folder.
        let flask = rules(&[(".gitignore", "__pycache__/\n")]);
        assert!(SurelyIgnored::new(&flask).ask(b"a/__pycache__/m.cpython-312.opt-1.pyc", false));
        assert!(
            !SurelyIgnored::new(&flask).ask(b"a/m.pyc", false) && !SurelyIgnored::new(&flask).ask(b"a/m.pyo", false)
        );
        let negated = rules(&[(".gitignore", "*.py[cod]\n"), ("a/.gitignore", "!keep.pyc\n")]);
        assert!(
            SurelyIgnored::new(&negated).ask(b"a/m.pyc", false)
                && !SurelyIgnored::new(&negated).ask(b"a/keep.pyc", false)
        );
    }
}
