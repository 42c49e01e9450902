//! The words of an error, as the one line `pycache-guard: error: ...` says them.
//!
//! The git layer's errors say what went wrong and where (their kind, the file, the
//! revision); what the user can do about it, which may name this tool's own flags, is
//! said here, by kind.

use std::error::Error as StdError;
use std::fmt::Write as _;

use gitlayer::{index, objects, repo};

/// The error as one line: each cause after the one it explains, `: ` between them (as
/// anyhow's `{:#}` joins them), a git layer error in the words and with the advice its
/// kind calls for. Line breaks are escaped: a revision or path from the command line, or
/// libgit2's message quoting one, may hold one.
pub(crate) fn one_line(error: &anyhow::Error, running: Running) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        if !line.is_empty() {
            line.push_str(": ");
        }
        if let Some(words) = git_layer_words(cause, running) {
            // Its own causes are in its words already.
            line.push_str(&words);
            break;
        }
        line.push_str(without_error_number(&cause.to_string()));
    }
    line.replace('\r', "\\r").replace('\n', "\\n")
}

/// Which command failed, where the advice depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Running {
    /// `check`, which can judge named files outside a repository.
    Check,
    /// Any other command.
    Other,
}

/// The system's words without the number Rust adds (`No such file or directory (os error
/// 2)`): the number says nothing more to a person.
pub(crate) fn without_error_number(words: &str) -> &str {
    match words.rfind(" (os error ") {
        Some(at) if words.ends_with(')') => &words[..at],
        _ => words,
    }
}

/// A git layer error in words with its advice, `None` for any other error.
fn git_layer_words(error: &(dyn StdError + 'static), running: Running) -> Option<String> {
    if let Some(error) = error.downcast_ref::<repo::Error>() {
        return Some(repo_words(error, running));
    }
    if let Some(error) = error.downcast_ref::<index::Error>() {
        return Some(index_words(error));
    }
    if let Some(error) = error.downcast_ref::<objects::Error>() {
        return Some(objects_words(error));
    }
    None
}

/// The error's own description, then its causes'.
fn with_causes(error: &(dyn StdError + 'static)) -> String {
    let mut words = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let _ = write!(words, ": {}", without_error_number(&inner.to_string()));
        cause = inner.source();
    }
    words
}

fn repo_words(error: &repo::Error, running: Running) -> String {
    use repo::{Error, OpenCause, Operation};
    match error {
        Error::Index(error) => index_words(error),
        Error::NotARepository { .. } if running == Running::Check => {
            format!("{error}; run it inside a repository, or name the files to check")
        }
        Error::NotARepository { .. } => format!("{error}; run it inside a repository, or name one with -C <folder>"),
        Error::Open { path, cause: OpenCause::ObjectFormat, message } => format!(
            "cannot open the git repository at {}: its extensions.objectFormat names a hash function other \
             than sha1 and sha256, the two git knows ({message})",
            path.display()
        ),
        Error::Open { cause: OpenCause::NotOwned, .. } => format!(
            "{error}; git does not trust a repository owned by another user: if you trust it, \
             `git config --global --add safe.directory <path>` (see git help config, safe.directory)"
        ),
        Error::RefStorage { .. } => format!("{error}; this git is newer than the tool, or the config is damaged"),
        Error::Reftable(_) => {
            format!("{error}; if git cannot read the refs either (`git show-ref`), the repository's refs are damaged")
        }
        Error::Bare { git_dir } => format!(
            "{} is a bare repository: it has no index to check; check a commit with --rev <REV>",
            git_dir.display()
        ),
        Error::UnknownRevision { .. } => format!("{error}; name a commit, branch or tag"),
        Error::TimedOut { .. } => format!("{error} (`git fsck` lists the damage)"),
        Error::Libgit2 { operation: Operation::WriteIndex(_), .. } => format!("{error}; nothing was untracked"),
        _ => with_causes(error),
    }
}

/// Only a damaged index is worth rebuilding, and only if git cannot read it either.
fn index_words(error: &index::Error) -> String {
    use index::ErrorKind;
    let rebuild = format!("rebuild it with `rm {} && git reset`", error.index_path().display());
    let advice = match error.kind {
        ErrorKind::Io => "check that it is a file you may read".to_owned(),
        ErrorKind::Unsupported(_) => {
            format!("this index format cannot be read here; if `git status` fails too, {rebuild}")
        }
        ErrorKind::Corrupt(_) | ErrorKind::Missing => format!("if `git status` fails too, {rebuild}"),
    };
    format!("{}; {advice}", with_causes(error))
}

/// `git fsck` finds the rest of the damage; an index is rebuilt from its pack.
fn objects_words(error: &objects::Error) -> String {
    use objects::{Corruption, ErrorKind, PackDamage, PackIndexDamage};
    let advice = match error.kind {
        ErrorKind::Corrupt(Corruption::Loose(_)) => " (`git fsck` lists the damage)",
        ErrorKind::Corrupt(Corruption::PackIndex(PackIndexDamage::Layout)) => {
            "; `git fsck` lists the damage, and `git index-pack` rebuilds an index from its pack"
        }
        ErrorKind::Corrupt(Corruption::Pack(PackDamage::Header)) => "; `git fsck` lists the damage",
        _ => "",
    };
    format!("{}{advice}", with_causes(error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn causes_are_joined_and_git_layer_errors_get_their_advice() {
        let error =
            anyhow::Error::from(repo::Error::UnknownRevision { rev: "nope".into(), message: "not found".into() })
                .context("cannot check");
        assert_eq!(
            one_line(&error, Running::Check),
            "cannot check: unknown revision \"nope\": not found; name a commit, branch or tag"
        );
        let bare = anyhow::Error::from(repo::Error::Bare { git_dir: "/r.git".into() });
        assert_eq!(
            one_line(&bare, Running::Check),
            "/r.git is a bare repository: it has no index to check; check a commit with --rev <REV>"
        );
        let other = anyhow::anyhow!("two\nlines");
        assert_eq!(one_line(&other, Running::Check), "two\\nlines");
    }

    #[test]
    fn the_error_number_rust_adds_is_left_out() {
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let system = std::io::Error::from_raw_os_error(2);
        // The system's own words differ (Windows: "The system cannot find the file specified.").
        let (words, number) =
            system.to_string().rsplit_once(" (os error ").map(|(w, n)| (w.to_owned(), n.to_owned())).unwrap();
        assert_eq!(number, "2)");
        let error = anyhow::Error::from(system).context("cannot clean x");
        assert_eq!(one_line(&error, Running::Other), format!("cannot clean x: {words}"));
        assert_eq!(without_error_number(&missing.to_string()), "entity not found");
        assert_eq!(without_error_number("kept (as is)"), "kept (as is)");
    }

    #[test]
    fn outside_a_repository_only_check_can_name_files() {
        let error = anyhow::Error::from(repo::Error::NotARepository { path: "/tmp/x".into() });
        assert!(one_line(&error, Running::Check).ends_with("or name the files to check"));
        assert!(one_line(&error, Running::Other).ends_with("or name one with -C <folder>"));
    }

    #[test]
    fn an_io_error_keeps_the_systems_words_before_the_advice() {
        let error = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
        let error: Result<(), _> =
            Err(repo::Error::Io { operation: repo::SystemOperation::ReadCurrentDir, source: error });
        let error = error.context("cannot start").unwrap_err();
        assert_eq!(
            one_line(&error, Running::Check),
            "cannot start: cannot read the current directory: Permission denied"
        );
    }
}
