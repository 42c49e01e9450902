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
pub(crate) fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        if !line.is_empty() {
            line.push_str(": ");
        }
        if let Some(words) = git_layer_words(cause) {
            // Its own causes are in its words already.
            line.push_str(&words);
            break;
        }
        let _ = write!(line, "{cause}");
    }
    line.replace('\r', "\\r").replace('\n', "\\n")
}

/// A git layer error in words with its advice, `None` for any other error.
fn git_layer_words(error: &(dyn StdError + 'static)) -> Option<String> {
    if let Some(error) = error.downcast_ref::<repo::Error>() {
        return Some(repo_words(error));
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
        let _ = write!(words, ": {inner}");
        cause = inner.source();
    }
    words
}

fn repo_words(error: &repo::Error) -> String {
    use repo::{Error, OpenCause, Operation};
    // libgit2 is what cannot open these repositories, not git: "not supported" says by whom.
    const LIBGIT2: &str = "libgit2 (the library this tool reads repositories with)";
    match error {
        Error::Index(error) => index_words(error),
        Error::NotARepository { .. } => {
            format!("{error}; run it inside a repository, or name the files to check")
        }
        Error::Open { path, cause: OpenCause::Sha256, message } => format!(
            "cannot open the git repository at {}: it names objects by SHA-256, which {LIBGIT2} does not \
             support; only SHA-1 repositories can be checked ({message})",
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
            one_line(&error),
            "cannot check: unknown revision \"nope\": not found; name a commit, branch or tag"
        );
        let bare = anyhow::Error::from(repo::Error::Bare { git_dir: "/r.git".into() });
        assert_eq!(
            one_line(&bare),
            "/r.git is a bare repository: it has no index to check; check a commit with --rev <REV>"
        );
        let other = anyhow::anyhow!("two\nlines");
        assert_eq!(one_line(&other), "two\\nlines");
    }

    #[test]
    fn an_io_error_keeps_the_systems_words_before_the_advice() {
        let error = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
        let error: Result<(), _> =
            Err(repo::Error::Io { operation: repo::SystemOperation::ReadCurrentDir, source: error });
        let error = error.context("cannot start").unwrap_err();
        assert_eq!(one_line(&error), "cannot start: cannot read the current directory: Permission denied");
    }
}
