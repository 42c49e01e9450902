//! The layers depend one way, `cli` → `report` → `guard` → the `gitlayer` crate: no module
//! names a layer above its own (`crate::<layer>` in code or docs), and the git layer, a crate
//! of its own, depends on nothing of the product and says nothing of Python.

use std::path::{Path, PathBuf};

/// Each layer of the product crate, and the layers it must not name.
const LAYERS: &[(&str, &[&str])] = &[("guard", &["report", "cli"]), ("report", &["cli"]), ("cli", &[])];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// Whether `text` names `name` as a whole path segment (`crate::cli`, not `crate::client`).
fn names(text: &str, name: &str) -> bool {
    text.match_indices(name)
        .any(|(at, _)| !text[at + name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'))
}

#[test]
fn no_layer_names_a_layer_above_it() {
    let src = root().join("src");
    let mut violations = Vec::new();
    let mut checked = 0;
    for (layer, above) in LAYERS {
        let mut files = vec![src.join(format!("{layer}.rs"))];
        rust_files(&src.join(layer), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            checked += 1;
            for upper in *above {
                let name = format!("crate::{upper}");
                if names(&text, &name) {
                    violations.push(format!("{} names {name}", file.display()));
                }
            }
        }
    }
    assert!(checked > 25, "only {checked} files found under {}", src.display());
    assert!(violations.is_empty(), "{violations:#?}");
}

/// The git layer's own manifest names no crate of the product, and its code no module of it.
#[test]
fn the_git_layer_depends_on_nothing_of_the_product() {
    let manifest = std::fs::read_to_string(root().join("crates/gitlayer/Cargo.toml")).unwrap();
    assert!(!manifest.contains("pycache-guard =") && !manifest.contains("path = \"../.."), "{manifest}");
    let mut files = Vec::new();
    rust_files(&root().join("crates/gitlayer/src"), &mut files);
    assert!(files.len() > 15, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for product in ["pycache_guard", "crate::guard", "crate::report", "crate::cli"] {
            assert!(!names(&text, product), "{} names {product}", file.display());
        }
    }
}

/// The git layer knows git, not Python: no word of bytecode, Python or this tool in its code,
/// comments or manifest (the policy lives in `src/guard`).
#[test]
fn the_git_layer_says_nothing_of_python() {
    let mut files = vec![root().join("crates/gitlayer/Cargo.toml")];
    rust_files(&root().join("crates/gitlayer/src"), &mut files);
    let words = regex::Regex::new(r"(?i)pyc|pycache|bytecode|python").unwrap();
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            if words.is_match(line) {
                found.push(format!("{}:{}: {line}", file.strip_prefix(root()).unwrap().display(), number + 1));
            }
        }
    }
    assert!(found.is_empty(), "{} lines:\n{}", found.len(), found.join("\n"));
}
