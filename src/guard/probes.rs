//! Probe paths: the concrete paths whose verdicts the audit and the fix look at, standing for
//! what a rule or a need is about.

/// A folder name no repository has, for probes one level down: it tells rules that apply
/// at one level only (`/*.pyc`) from rules that apply everywhere.
pub(crate) const PROBE_SUBFOLDER: &str = "pycache_guard_probe/";

/// A path whose verdict we look at, and whether git sees a folder there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Probe {
    pub(crate) path: Vec<u8>,
    pub(crate) is_dir: bool,
}

/// A name that a glob matches: wildcards become `x`, a class its first allowed character,
/// `**/` nothing, escapes their character.
pub(crate) fn concretize(glob: &str) -> String {
    let mut out = String::new();
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                if chars.peek() == Some(&'/') {
                    chars.next();
                } else {
                    out.push('x');
                }
            }
            '*' | '?' => out.push('x'),
            '[' => {
                let class: String = chars.by_ref().take_while(|&c| c != ']').collect();
                out.push(class_member(&class));
            }
            c => out.push(c),
        }
    }
    out
}

fn class_member(class: &str) -> char {
    match class.strip_prefix(['!', '^']) {
        Some(excluded) => ('a'..='z').find(|c| !excluded.contains(*c)).unwrap_or('_'),
        None => class.chars().next().unwrap_or('x'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concretized_globs() {
        assert_eq!(concretize("tests/fixtures/*.pyc"), "tests/fixtures/x.pyc");
        assert_eq!(concretize("**/keep.py[co]"), "keep.pyc");
        assert_eq!(concretize("a/**/b?[!abc].pyo"), "a/bxd.pyo");
        assert_eq!(concretize("\\!bang.pyc"), "!bang.pyc");
    }
}
