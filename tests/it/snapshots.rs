//! What a person or a tool reads, pinned with `insta` snapshots (stored in `snapshots/`): the
//! output of `check --all` and of the default staged `check` in every format, on one fixed
//! repository made by real git, and every command's `--help`.
//!
//! A changed output fails the test with a diff. Outside CI, insta writes the new output beside
//! the old one as `*.snap.new` for `cargo insta review` (or `INSTA_UPDATE=always cargo test`
//! rewrites the snapshots in place); with `CI` set it writes nothing and only fails.

use std::process::Output;

use crate::support::{TestRepo, parse_json, text};

/// The one repository every check snapshot is taken in:
/// - a first commit, then `.gitignore` and `tests/.gitignore` committed with the legacy
///   `old.pyc` (hooks bypassed);
/// - `.gitignore` covers `__pycache__/` but not `*.pyc` or `*.pyo` (flask's case: what CPython 3
///   writes is ignored, so only `--strict` reports the rest);
/// - `tests/.gitignore` re-includes bytecode with `!fixtures/*.pyc`;
/// - `.git/info/exclude` ignores `*.pyc` for this clone only (written whole, so that its
///   line numbers do not depend on git's template);
/// - `pkg/__pycache__/m.cpython-312.pyc` is staged.
///
/// Dates and identities are fixed (support.rs), so even its commit ids are the same on every
/// machine.
fn fixed_repo() -> TestRepo {
    let repo = TestRepo::with_commit();
    repo.write(".gitignore", "dist/\n__pycache__/\n");
    repo.write("tests/.gitignore", "!fixtures/*.pyc\n");
    repo.git(&["add", ".gitignore", "tests/.gitignore"]);
    repo.commit_bypassing_hooks(&["old.pyc"], "legacy bytecode and ignore rules");
    repo.write(".git/info/exclude", "# mine\n*.pyc\n");
    repo.stage(&["pkg/__pycache__/m.cpython-312.pyc"]);
    repo
}

/// Exit code, standard output and standard error together, as one text.
fn transcript(output: &Output) -> String {
    let code = output.status.code().map_or("none (a signal)".to_owned(), |code| code.to_string());
    format!(
        "exit code: {code}\n----- stdout -----\n{}----- stderr -----\n{}",
        text(&output.stdout),
        text(&output.stderr)
    )
}

/// Snapshots `transcript` under `name`, described by the command line `args`, with what
/// depends on the machine replaced: the repository's temporary folder and the tool's version.
fn assert_transcript(repo: &TestRepo, name: &str, args: &[&str], transcript: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_description(format!("pycache-guard {}", args.join(" ")));
    settings.set_omit_expression(true);
    settings.add_filter(&regex::escape(&repo.parent().display().to_string()), "[TEMP]");
    let version = regex::escape(env!("CARGO_PKG_VERSION"));
    settings.add_filter(&format!(r#""(version|semanticVersion)": "{version}""#), r#""$1": "[VERSION]""#);
    settings.bind(|| insta::assert_snapshot!(name, transcript));
}

/// Runs `check` with `mode` (none for the staged check) and `--format format` in the fixed
/// repository, colour off, and snapshots the transcript.
fn snapshot_check(name: &str, mode: &[&str], format: &str) {
    let repo = fixed_repo();
    let mut args = vec!["--color", "never", "check"];
    args.extend(mode);
    args.extend(["--format", format]);
    let output = repo.guard().args(&args).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "bytecode is found: {}", text(&output.stderr));
    if matches!(format, "json" | "sarif") {
        // Standard output is one document and nothing else.
        parse_json(&output);
        assert_eq!(text(&output.stderr), "", "stderr is empty beside a document");
    }
    assert_transcript(&repo, name, &args, &transcript(&output));
}

/// One test per mode and format, named after its snapshot.
macro_rules! check_snapshots {
    ($($name:ident: $mode:expr, $format:literal;)*) => {$(
        #[test]
        fn $name() {
            snapshot_check(stringify!($name), $mode, $format);
        }
    )*};
}

check_snapshots! {
    check_all_human: &["--all"], "human";
    check_all_json: &["--all"], "json";
    check_all_github: &["--all"], "github";
    check_all_sarif: &["--all"], "sarif";
    check_staged_human: &[], "human";
    check_staged_json: &[], "json";
    check_staged_github: &[], "github";
    check_staged_sarif: &[], "sarif";
    check_all_strict_human: &["--all", "--strict"], "human";
    check_all_strict_json: &["--all", "--strict"], "json";
}

/// The fixed repository is what its description says, by git's own verdicts.
#[test]
fn the_fixed_repository_is_as_described() {
    let repo = fixed_repo();
    assert_eq!(repo.committed_paths(), [".gitignore", "README.md", "old.pyc", "tests/.gitignore"]);
    assert_eq!(repo.git_stdout(&["diff", "--cached", "--name-only"]), "pkg/__pycache__/m.cpython-312.pyc\n");
    let decided = repo.check_ignore(&[], &["pkg/__pycache__/m.cpython-312.pyc", "m.pyc", "tests/fixtures/f.pyc"]);
    let rules: Vec<(&str, &str)> = decided.iter().map(|m| (m.source.as_str(), m.pattern.as_str())).collect();
    assert_eq!(
        rules,
        [(".gitignore", "__pycache__/"), (".git/info/exclude", "*.pyc"), ("tests/.gitignore", "!fixtures/*.pyc")]
    );
}

/// The subcommands, in the order `--help` lists them.
const SUBCOMMANDS: [&str; 7] = ["check", "fix-gitignore", "clean", "install", "uninstall", "completions", "man"];

#[test]
fn every_subcommand_has_a_help_snapshot() {
    use clap::CommandFactory;
    let command = pycache_guard::cli::Cli::command();
    let names: Vec<&str> = command.get_subcommands().map(|s| s.get_name()).collect();
    assert_eq!(names, SUBCOMMANDS, "a new command needs its --help snapshot");
}

#[test]
fn help_of_every_command() {
    let repo = TestRepo::new();
    for subcommand in [None].into_iter().chain(SUBCOMMANDS.map(Some)) {
        let mut args: Vec<&str> = subcommand.into_iter().collect();
        args.push("--help");
        let output = repo.guard().args(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", text(&output.stderr));
        let name = format!("help_{}", subcommand.unwrap_or("top").replace('-', "_"));
        assert_transcript(&repo, &name, &args, &transcript(&output));
    }
}
