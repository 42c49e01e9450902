//! The documentation stays true to the repository: every relative link of README.md,
//! CONTRIBUTING.md, CHANGELOG.md and docs/*.md leads to a file of the repository (and an
//! anchor to a heading of that file, by GitHub's rule for heading ids); the README's snippets
//! name only hook ids that `.pre-commit-hooks.yaml` offers and only flags that `--help` lists;
//! nothing refers to a path outside the repository or to how the project was built.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use regex::Regex;

use crate::support::{BINARY, text};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files whose links are checked, relative to the repository root.
fn documents() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md"].iter().map(PathBuf::from).collect();
    for entry in fs::read_dir(root().join("docs")).expect("docs/ exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "md") {
            files.push(path.strip_prefix(root()).unwrap().to_path_buf());
        }
    }
    files.sort();
    files
}

/// The lines of a Markdown text outside fenced code blocks.
fn prose_lines(markdown: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    markdown.lines().filter(move |line| {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            return false;
        }
        !fenced
    })
}

/// The code of a Markdown text: the fenced blocks' lines and the inline code spans.
fn code_snippets(markdown: &str) -> Vec<String> {
    let span = Regex::new(r"`([^`]+)`").unwrap();
    let mut snippets = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if fenced {
            snippets.push(line.to_owned());
        } else {
            snippets.extend(span.captures_iter(line).map(|c| c[1].to_owned()));
        }
    }
    snippets
}

/// GitHub's id for a heading: lower case, every character but letters, digits, spaces, `-`
/// and `_` dropped, spaces made `-`; a repeated id gets `-1`, `-2`, ...
fn heading_ids(markdown: &str) -> BTreeSet<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut ids = BTreeSet::new();
    for line in prose_lines(markdown) {
        let Some(title) = line.strip_prefix('#').map(|rest| rest.trim_start_matches('#')) else { continue };
        if !title.starts_with(' ') {
            continue;
        }
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let count = seen.entry(slug.clone()).or_insert(0);
        ids.insert(if *count == 0 { slug.clone() } else { format!("{slug}-{count}") });
        *count += 1;
    }
    ids
}

/// The targets of the Markdown links and images of a text, outside code.
fn link_targets(markdown: &str) -> Vec<String> {
    let code = Regex::new(r"`[^`]*`").unwrap();
    let link = Regex::new(r#"\]\(([^)\s]+)(?:\s+"[^"]*")?\)"#).unwrap();
    prose_lines(markdown)
        .flat_map(|line| {
            let line = code.replace_all(line, "");
            link.captures_iter(&line).map(|c| c[1].to_owned()).collect::<Vec<_>>()
        })
        .collect()
}

/// What is wrong with each relative link of `document` (a path relative to `root`).
fn broken_links(root: &Path, document: &Path) -> Vec<String> {
    let markdown = fs::read_to_string(root.join(document)).unwrap();
    let folder = document.parent().unwrap_or(Path::new(""));
    let mut problems = Vec::new();
    for target in link_targets(&markdown) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
        let resolved = if file.is_empty() { Some(document.to_path_buf()) } else { normalize(&folder.join(file)) };
        let Some(resolved) = resolved.filter(|path| root.join(path).exists()) else {
            problems.push(format!("{}: {target}: no such file in the repository", document.display()));
            continue;
        };
        if !anchor.is_empty() {
            let text = fs::read_to_string(root.join(&resolved)).unwrap_or_default();
            if !heading_ids(&text).contains(anchor) {
                problems.push(format!(
                    "{}: {target}: {} has no heading #{anchor}",
                    document.display(),
                    resolved.display()
                ));
            }
        }
    }
    problems
}

/// `path` without `.` and `..`, or `None` when it leaves the repository (or is absolute).
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.iter().collect())
}

#[test]
fn every_relative_link_of_the_documentation_resolves() {
    let documents = documents();
    assert!(documents.len() >= 6, "{documents:?}");
    let mut links = 0;
    let mut problems = Vec::new();
    for document in &documents {
        links += link_targets(&fs::read_to_string(root().join(document)).unwrap()).len();
        problems.extend(broken_links(root(), document));
    }
    assert!(links > 30, "only {links} links found");
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The checker itself finds each kind of broken link (so the test above can fail).
#[test]
fn the_link_check_finds_a_missing_file_an_outside_path_and_a_missing_anchor() {
    let temp = tempfile::tempdir().unwrap();
    fs::create_dir_all(temp.path().join("docs")).unwrap();
    fs::write(temp.path().join("docs/guide.md"), "# Guide\n\n## The `check` command: modes\n\n## Guide\n").unwrap();
    fs::write(
        temp.path().join("README.md"),
        "[ok](docs/guide.md) [ok](docs/guide.md#the-check-command-modes) [ok](docs/guide.md#guide-1)\n\
         ![picture](docs/missing.svg) [outside](../elsewhere/contract.md) [anchor](docs/guide.md#nowhere)\n\
         `[in code](not-checked.md)`\n```\n[in a block](not-checked.md)\n```\n[here](#readme-anchor)\n",
    )
    .unwrap();
    let problems = broken_links(temp.path(), Path::new("README.md"));
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert!(problems[0].contains("docs/missing.svg: no such file"), "{problems:#?}");
    assert!(problems[1].contains("../elsewhere/contract.md: no such file"), "{problems:#?}");
    assert!(problems[2].contains("has no heading #nowhere"), "{problems:#?}");
    assert!(problems[3].contains("#readme-anchor"), "{problems:#?}");
}

/// The ids `.pre-commit-hooks.yaml` offers.
fn hook_ids() -> BTreeSet<String> {
    let yaml = fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    yaml.lines().filter_map(|line| line.strip_prefix("- id:")).map(|id| id.trim().to_owned()).collect()
}

#[test]
fn the_readme_names_only_hook_ids_that_exist() {
    let ids = hook_ids();
    assert!(ids.contains("pycache-guard") && ids.contains("pycache-guard-src"), "{ids:?}");
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let id_line = Regex::new(r"^\s*-\s+id:\s*(\S+)").unwrap();
    let id_word = Regex::new(r"^pycache-guard(-[a-z]+)+$").unwrap();
    let mut named = Vec::new();
    for snippet in code_snippets(&readme) {
        if let Some(c) = id_line.captures(&snippet) {
            named.push(c[1].to_owned());
        } else if id_word.is_match(&snippet) {
            named.push(snippet);
        }
    }
    assert!(named.len() >= 3, "{named:?}");
    let unknown: Vec<&String> = named.iter().filter(|id| !ids.contains(*id)).collect();
    assert!(unknown.is_empty(), "README names hook ids .pre-commit-hooks.yaml lacks: {unknown:?}");
}

/// Each `pycache-guard ...` command line of a text: its subcommand (or none) and its options.
fn invocations(markdown: &str, subcommands: &[String]) -> Vec<(Option<String>, Vec<String>)> {
    let start = Regex::new(r"(?:^|[\s$(])pycache-guard\s+(.*)").unwrap();
    let mut found = Vec::new();
    for snippet in code_snippets(markdown) {
        // `pre-commit try-repo . pycache-guard --all-files` names a hook, not our command.
        let command = snippet.trim_start_matches(['$', '-', ' ']);
        if command.starts_with("pre-commit ") || command.starts_with("prek ") {
            continue;
        }
        let Some(c) = start.captures(&snippet) else { continue };
        let mut subcommand = None;
        let mut options = Vec::new();
        for word in c[1].split_whitespace() {
            if word.starts_with(['#', '|', '>', ';', '&', ')', '\\']) {
                break;
            }
            if word.starts_with('-') && word.len() > 1 {
                options.push(word.split('=').next().unwrap().to_owned());
            } else if subcommand.is_none() && subcommands.iter().any(|s| s == word) {
                subcommand = Some(word.to_owned());
            }
        }
        found.push((subcommand, options));
    }
    found
}

fn help(subcommand: Option<&str>) -> String {
    let mut command = Command::new(BINARY);
    command.args(subcommand).arg("--help");
    let output = command.output().unwrap();
    assert!(output.status.success(), "{subcommand:?} --help");
    text(&output.stdout)
}

#[test]
fn the_readme_uses_only_flags_that_help_lists() {
    use clap::CommandFactory;
    let subcommands: Vec<String> =
        pycache_guard::cli::Cli::command().get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let calls = invocations(&readme, &subcommands);
    assert!(calls.len() >= 10, "{calls:?}");
    let mut helps: HashMap<Option<String>, String> = HashMap::new();
    let mut unknown = Vec::new();
    let mut flags = 0;
    for (subcommand, options) in calls {
        let listed = helps.entry(subcommand.clone()).or_insert_with(|| help(subcommand.as_deref()));
        for option in options {
            flags += 1;
            let word = Regex::new(&format!(r"(?m)(^|[\s,]){}([\s,=<]|$)", regex::escape(&option))).unwrap();
            if !word.is_match(listed) {
                unknown.push(format!("{} {option}", subcommand.as_deref().unwrap_or("pycache-guard")));
            }
        }
    }
    assert!(flags >= 10, "only {flags} flags found");
    assert!(unknown.is_empty(), "README flags that --help does not list: {unknown:?}");
}

#[test]
fn the_flag_check_finds_an_option_that_does_not_exist() {
    let subcommands = vec!["check".to_owned(), "clean".to_owned()];
    let calls = invocations(
        "```console\n$ pycache-guard -C x check --stagged | wc\n```\n`pycache-guard clean -n`\n",
        &subcommands,
    );
    assert_eq!(
        calls,
        [
            (Some("check".to_owned()), vec!["-C".to_owned(), "--stagged".to_owned()]),
            (Some("clean".to_owned()), vec!["-n".to_owned()])
        ]
    );
    let listed = help(Some("check"));
    assert!(listed.contains("--staged") && !listed.contains("--stagged"));
}

/// The words that say how the project was built, or point outside it, assembled here so that
/// this file does not match itself.
fn forbidden() -> Regex {
    let words = [
        ["SP", "EC"].concat(),
        [r"\.\./", "shared"].concat(),
        ["[Ss]ess", r"ion [0-9]"].concat(),
        ["[Ii]ss", r"ue [0-9]+"].concat(),
    ];
    Regex::new(&words.join("|")).unwrap()
}

fn text_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text_files(&path, files);
        } else if path.extension().is_some_and(|ext| matches!(ext.to_str(), Some("rs" | "md" | "sh" | "py" | "toml"))) {
            files.push(path);
        }
    }
}

#[test]
fn nothing_refers_outside_the_repository_or_to_how_it_was_built() {
    let mut files = vec![root().join("README.md"), root().join("CONTRIBUTING.md"), root().join("CHANGELOG.md")];
    for dir in ["src", "tests", "docs", "bench"] {
        text_files(&root().join(dir), &mut files);
    }
    assert!(files.len() > 60, "{}", files.len());
    let pattern = forbidden();
    let mut found = Vec::new();
    for file in files {
        let text = fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            if pattern.is_match(line) {
                found.push(format!("{}:{}: {line}", file.strip_prefix(root()).unwrap().display(), number + 1));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}
