//! The packaging files agree with the crate: one version everywhere (the crate, `--version`,
//! the wheel, the placeholder the pre-commit hooks install, the GitHub Action, the README's
//! snippets), and the hooks' `files` filter lets no bytecode name through unjudged.

use std::fs;
use std::path::Path;
use std::process::Command;

use proptest::prelude::*;

use crate::support::{BINARY, text};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn read(path: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn toml_file(path: &str) -> toml::Table {
    read(path).parse().unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn one_version_everywhere() {
    let output = Command::new(BINARY).arg("--version").output().unwrap();
    assert_eq!(text(&output.stdout), format!("pycache-guard {VERSION}\n"));

    // The wheel takes its version from Cargo.toml (maturin, `dynamic = ["version"]`).
    let wheel = toml_file("python/pyproject.toml");
    assert_eq!(wheel["project"]["name"].as_str(), Some("pycache-guard"));
    assert_eq!(wheel["project"]["dynamic"].as_array().unwrap(), &[toml::Value::from("version")]);
    assert!(wheel["project"].get("version").is_none(), "no second version number in python/pyproject.toml");
    assert_eq!(wheel["tool"]["maturin"]["manifest-path"].as_str(), Some("../Cargo.toml"));

    // What `language: python` hooks install: the wheel of exactly this version.
    let placeholder = toml_file("pyproject.toml");
    let requires = placeholder["project"]["dependencies"].as_array().unwrap();
    assert_eq!(requires, &[toml::Value::from(format!("pycache-guard=={VERSION}"))]);

    let action = read("action.yml");
    assert!(action.contains(&format!("default: \"{VERSION}\"")), "action.yml's version input defaults to {VERSION}");

    // The README's install lines and snippets pin this version wherever they pin one.
    let readme = read("README.md");
    for pinned in pins(&readme, "pycache-guard==")
        .chain(pins(&readme, "rev: v"))
        .chain(pins(&readme, "@v"))
        .chain(pins(&readme, "pycache-guard@"))
    {
        assert_eq!(pinned, VERSION, "README pins {pinned}");
    }
    assert!(readme.contains(&format!("rev: v{VERSION}")));
}

/// The version-looking words that follow `prefix` in `text`.
fn pins<'a>(text: &'a str, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    text.match_indices(prefix).filter_map(move |(at, _)| {
        let rest = &text[at + prefix.len()..];
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let word = rest[..end].trim_end_matches('.');
        (word.contains('.') && word.starts_with(|c: char| c.is_ascii_digit())).then_some(word)
    })
}

/// The hooks of `.pre-commit-hooks.yaml`, each as its `key: value` lines.
fn hooks() -> Vec<Vec<(String, String)>> {
    let yaml = read(".pre-commit-hooks.yaml");
    let mut hooks: Vec<Vec<(String, String)>> = Vec::new();
    for line in yaml.lines().filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty()) {
        let (key, value) = line.trim_start_matches("- ").trim().split_once(':').unwrap();
        if line.starts_with("- ") {
            hooks.push(Vec::new());
        }
        hooks.last_mut().unwrap().push((key.trim().to_owned(), value.trim().to_owned()));
    }
    hooks
}

fn field<'a>(hook: &'a [(String, String)], key: &str) -> Option<&'a str> {
    hook.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

#[test]
fn every_hook_has_a_src_twin_that_differs_only_in_how_it_is_built() {
    let hooks = hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| field(h, "id").unwrap()).collect();
    assert_eq!(
        ids,
        [
            "pycache-guard",
            "pycache-guard-gitignore",
            "pycache-guard-pre-push",
            "pycache-guard-debris",
            "pycache-guard-src",
            "pycache-guard-gitignore-src",
            "pycache-guard-pre-push-src",
            "pycache-guard-debris-src"
        ]
    );
    for (wheel, src) in hooks[..4].iter().zip(&hooks[4..]) {
        assert_eq!(field(wheel, "language"), Some("python"));
        assert_eq!(field(src, "language"), Some("rust"));
        let same = |hook: &[(String, String)]| -> Vec<(String, String)> {
            hook.iter().filter(|(k, _)| !["id", "language", "description"].contains(&k.as_str())).cloned().collect()
        };
        assert_eq!(same(wheel), same(src), "{:?}", field(wheel, "id"));
    }
}

/// The pattern of the hooks that get file names, as the framework applies it (`re.search`).
fn files_pattern() -> regex::Regex {
    files_pattern_of("pycache-guard")
}

/// The pattern of a hook and its `-src` twin (the same).
fn files_pattern_of(id: &str) -> regex::Regex {
    let hooks = hooks();
    let src = format!("{id}-src");
    let patterns: Vec<&str> = hooks
        .iter()
        .filter(|h| field(h, "id") == Some(id) || field(h, "id") == Some(src.as_str()))
        .filter_map(|h| field(h, "files"))
        .collect();
    assert_eq!(patterns.len(), 2, "{id} and {id}-src filter file names");
    assert_eq!(patterns[0], patterns[1]);
    regex::Regex::new(patterns[0].trim_matches('\'')).unwrap()
}

#[test]
fn the_debris_hook_checks_every_category_and_its_filter_passes_every_debris_name() {
    let hooks = hooks();
    let debris = hooks.iter().find(|h| field(h, "id") == Some("pycache-guard-debris")).unwrap();
    assert_eq!(field(debris, "entry"), Some("pycache-guard check --debris all"));
    let filter = files_pattern_of("pycache-guard-debris");
    for name in [
        "__pycache__/m.cpython-312.pyc",
        "FOO.PYC",
        ".pytest_cache/v/cache/lastfailed",
        "a/.mypy_cache/3.12/x.json",
        "sub/.dmypy.json",
        ".ruff_cache/0.6/x",
        "nb/.ipynb_checkpoints/a-checkpoint.ipynb",
        ".hypothesis/examples/x",
        ".coverage",
        "t/.coverage.host.1",
        "htmlcov/index.html",
        "coverage.xml",
        ".tox/log/x",
        ".nox/x",
        "src/m.egg-info/PKG-INFO",
        ".eggs/x",
    ] {
        assert!(filter.is_match(name), "{name}");
    }
    for name in ["m.py", "pytest_cache/x", ".coveragerc", "coverage.xml.bak", "htmlcov.py", "build/x", "dist/x"] {
        assert!(!filter.is_match(name), "{name} need not reach the hook");
    }
}

#[test]
fn the_files_filter_passes_every_bytecode_name_and_few_others() {
    let filter = files_pattern();
    for name in
        ["__pycache__/m.cpython-312.pyc", "a/__pycache__/x.txt", "__pycache__", "FOO.PYC", "x.Pyo", "a/b$py.class"]
    {
        assert!(filter.is_match(name), "{name}");
    }
    for name in ["m.py", "pycache.py", "__pycache__.py", "x.pyc.txt", "a.pyc/m.py", "ext.pyd", "ext.so"] {
        assert!(!filter.is_match(name), "{name} need not reach the hook");
    }
}

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("__pycache__".to_owned()),
        Just("__PYCACHE__".to_owned()),
        "[a-zA-Z_]{1,6}",
        "[a-z]{1,4}\\.(pyc|PYC|pYo|pyo|py|pyd|so|txt)",
        "[a-z]{1,4}\\$(py|PY)\\.(class|CLASS)",
        "[a-z]{0,3}[.$_ ]{0,2}(pyc|pyo|class)[a-z.]{0,3}",
    ]
}

fn debris_component() -> impl Strategy<Value = String> {
    prop_oneof![
        component(),
        prop::sample::select(vec![
            ".pytest_cache",
            ".mypy_cache",
            ".dmypy.json",
            ".ruff_cache",
            ".ipynb_checkpoints",
            ".hypothesis",
            ".coverage",
            ".coverage.x",
            "htmlcov",
            "coverage.xml",
            ".tox",
            ".nox",
            "m.egg-info",
            ".eggs",
            ".egg-info",
            ".coverage.",
        ])
        .prop_map(str::to_owned),
    ]
}

proptest! {
    /// Every path the debris hook judges (bytecode, or debris of any category) matches its
    /// filter.
    #[test]
    fn no_debris_name_slips_past_the_debris_filter(parts in prop::collection::vec(debris_component(), 1..5)) {
        let path = parts.join("/");
        if pycache_guard::classify_with(path.as_bytes(), pycache_guard::Debris::all()).is_some() {
            prop_assert!(files_pattern_of("pycache-guard-debris").is_match(&path), "{path} is debris but the filter drops it");
        }
    }

    /// Every path the bytecode rule calls bytecode matches the filter, so the framework passes
    /// it to the hook, which judges it by that rule.
    #[test]
    fn no_bytecode_name_slips_past_the_filter(parts in prop::collection::vec(component(), 1..5)) {
        let path = parts.join("/");
        if pycache_guard::classify(path.as_bytes()).is_some() {
            prop_assert!(files_pattern().is_match(&path), "{path} is bytecode but the filter drops it");
        }
    }
}
