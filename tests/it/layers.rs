//! The layers depend one way, `cli` → `report` → `guard` → `git`: no module names a layer
//! above its own (`crate::<layer>` in code or docs). One crate keeps the build simple; this
//! test keeps the direction.

use std::path::{Path, PathBuf};

/// Each layer, and the layers it must not name.
const LAYERS: &[(&str, &[&str])] =
    &[("git", &["guard", "report", "cli"]), ("guard", &["report", "cli"]), ("report", &["cli"]), ("cli", &[])];

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

#[test]
fn no_layer_names_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
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
                let named = text
                    .match_indices(&name)
                    .any(|(at, _)| !text[at + name.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_'));
                if named {
                    violations.push(format!("{} names {name}", file.display()));
                }
            }
        }
    }
    assert!(checked > 30, "only {checked} files found under {}", src.display());
    assert!(violations.is_empty(), "{violations:#?}");
}
