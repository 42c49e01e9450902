//! Asking the person at the terminal, when there is one.
//!
//! A git hook's standard input is not the terminal (git gives it `/dev/null`), so we talk to
//! `/dev/tty`, as interactive git tools do. No question is asked in CI (`CI` set), under the
//! pre-commit framework (`PRE_COMMIT` set: it cannot see index-only changes), with
//! `--no-prompt`, or when `/dev/tty` cannot be opened (no controlling terminal).
//! Windows has no `/dev/tty`: there nothing is asked, and the fix command is printed instead.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};

use crate::guard::hook_env::HookEnv;

/// The terminal of the person running us, if we may ask them anything.
pub(crate) fn person_at_terminal(no_prompt: bool, env: &HookEnv) -> Option<File> {
    if no_prompt || env.ci || env.under_framework {
        return None;
    }
    open_terminal()
}

#[cfg(unix)]
fn open_terminal() -> Option<File> {
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").ok()
}

#[cfg(not(unix))]
fn open_terminal() -> Option<File> {
    None
}

/// Asks a yes/no question; only `y` or `yes` (any case) is yes.
pub(crate) fn confirm(tty: &mut File, question: &str) -> bool {
    if write!(tty, "{question} [y/N] ").and_then(|()| tty.flush()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let read = tty.try_clone().map(|reader| BufReader::new(reader).read_line(&mut answer));
    matches!(read, Ok(Ok(n)) if n > 0) && is_yes(&answer)
}

fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::is_yes;

    #[test]
    fn only_yes_is_yes() {
        for yes in ["y", "Y\n", " yes \r\n", "YES"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yep", "y y", "ja"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }
}
