//! Shell completion scripts and the man page, generated from the same clap definition the
//! parser uses (`cli::Cli`), so they cannot drift from the real options.

use std::io::{self, Write};

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::args::Cli;
use crate::cli::{ExitStatus, ignore_broken_pipe};

/// `pycache-guard completions SHELL`: the script on stdout.
pub(crate) fn print_completions(shell: Shell) -> Result<ExitStatus> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "pycache-guard", &mut script);
    ignore_broken_pipe(io::stdout().lock().write_all(&script))?;
    Ok(ExitStatus::Success)
}

/// `pycache-guard man`: the man page (roff, section 1) on stdout, with a section for every
/// subcommand after the top-level one, as `man pycache-guard` shows it.
pub(crate) fn print_man_page() -> Result<ExitStatus> {
    let mut page = Vec::new();
    render_man_page(&mut page)?;
    ignore_broken_pipe(io::stdout().lock().write_all(&page))?;
    Ok(ExitStatus::Success)
}

fn render_man_page(out: &mut Vec<u8>) -> io::Result<()> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    man.render_subcommands_section(out)?;
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        render_subcommand(out, sub)?;
    }
    man.render_version_section(out)?;
    Ok(())
}

/// One subcommand's synopsis, description and options as a section of the page:
/// clap_mangen renders them as sections of a page of their own, which become subsections here.
fn render_subcommand(out: &mut Vec<u8>, sub: &clap::Command) -> io::Result<()> {
    let full_name = format!("pycache-guard {}", sub.get_name());
    let man = clap_mangen::Man::new(sub.clone().bin_name(full_name.clone()));
    let mut section = Vec::new();
    man.render_synopsis_section(&mut section)?;
    man.render_description_section(&mut section)?;
    man.render_options_section(&mut section)?;
    let section = String::from_utf8_lossy(&section)
        .replace(".SH SYNOPSIS\n", "")
        .replace(".SH DESCRIPTION\n", ".PP\n")
        .replace(".SH OPTIONS\n", ".SS Options\n");
    writeln!(out, ".SH \"{}\"", full_name.to_uppercase())?;
    out.extend_from_slice(section.as_bytes());
    Ok(())
}
