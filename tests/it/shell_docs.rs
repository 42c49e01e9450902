//! `completions SHELL` and `man`: generated from the parser's own definition, they load in the
//! shells that are installed and name every subcommand; the man page is roff that renders.

use std::process::Command;

use clap::CommandFactory;
use pycache_guard::cli::Cli;

use crate::support::{BINARY, text};

fn generated(args: &[&str]) -> String {
    let output = Command::new(BINARY).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", text(&output.stderr));
    text(&output.stdout)
}

fn subcommands() -> Vec<String> {
    let names: Vec<String> = Cli::command().get_subcommands().map(|sub| sub.get_name().to_owned()).collect();
    assert!(names.len() >= 6, "{names:?}");
    names
}

fn installed(program: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn bash_completion_loads() {
    let script = generated(&["completions", "bash"]);
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", "source /dev/stdin && complete -p pycache-guard"])
        .stdin(std::fs::File::open(write_temp(&script).path()).unwrap())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with("complete "), "{}", text(&output.stdout));
    assert!(text(&output.stdout).trim_end().ends_with(" pycache-guard"), "{}", text(&output.stdout));
}

/// zsh, fish, elvish and PowerShell scripts name every subcommand; zsh and fish also load
/// where those shells are installed.
#[test]
fn other_shells_name_every_subcommand() {
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let script = generated(&["completions", shell]);
        for name in subcommands() {
            assert!(script.contains(&name), "{shell} completion lacks {name}");
        }
    }
    let zsh = generated(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef pycache-guard"), "{}", &zsh[..40.min(zsh.len())]);
    let file = write_temp(&zsh);
    if installed("zsh") {
        let check = format!("autoload -U compinit && compinit -u && source {} && echo loaded", file.path().display());
        let output = Command::new("zsh").args(["-f", "-c", &check]).output().unwrap();
        assert!(text(&output.stdout).contains("loaded"), "{}", text(&output.stderr));
    }
    if installed("fish") {
        let file = write_temp(&generated(&["completions", "fish"]));
        let check = format!("source {}; and complete -C 'pycache-guard fix-'", file.path().display());
        let output = Command::new("fish").args(["--no-config", "-c", &check]).output().unwrap();
        assert!(text(&output.stdout).contains("fix-gitignore"), "{}", text(&output.stderr));
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let output = Command::new(BINARY).args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

/// The page renders without warnings (`man -l` where man exists, else groff) and has a
/// section for every subcommand.
#[test]
fn man_page_is_valid_roff() {
    let page = generated(&["man"]);
    assert!(page.contains(".TH pycache-guard 1"), "{}", &page[..200.min(page.len())]);
    for name in subcommands() {
        assert!(page.contains(&format!(".SH \"PYCACHE-GUARD {}\"", name.to_uppercase())), "no section for {name}");
    }
    // Each command's section holds its description, not only its options.
    let fix_section = page.split(".SH \"PYCACHE-GUARD FIX-GITIGNORE\"").nth(1).unwrap().split(".SH ").next().unwrap();
    assert!(fix_section.contains("Add the missing ignore rules"), "{fix_section}");
    assert!(fix_section.contains("\\-\\-dry\\-run"), "{fix_section}");
    let file = write_temp(&page);
    if installed("groff") {
        let output = Command::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).arg(file.path()).output().unwrap();
        assert!(output.status.success() && output.stderr.is_empty(), "groff: {}", text(&output.stderr));
    }
    if installed("man") {
        let output = Command::new("man")
            .arg("-l")
            .arg(file.path())
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(output.status.success(), "man -l: {}", text(&output.stderr));
        let rendered = text(&output.stdout);
        assert!(rendered.contains("PYCACHE-GUARD FIX-GITIGNORE"), "{rendered}");
        assert!(rendered.contains("--pre-push"), "{rendered}");
        assert!(!rendered.contains(".SH"), "no roff left unrendered");
    }
}

fn write_temp(contents: &str) -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), contents).unwrap();
    file
}
