//! Which commits a push sends, from git's pre-push input or the pre-commit framework.
//!
//! git runs `pre-push <remote name> <url>` with one line per pushed ref on standard input:
//! `<local ref> <local sha> <remote ref> <remote sha>`. A deletion (local sha all zeros) sends
//! nothing. Everything else is checked as one walk: the pushed local commits, minus what the
//! remote already has, which is every remote sha we know locally (the remote has that commit
//! and all its ancestors) and the remote-tracking branches of that remote
//! (`git rev-list <local> --not --remotes=<name>`). So a new branch (remote sha all zeros)
//! is checked against the remote's other branches, and an update whose remote sha we have
//! never fetched falls back to them too.
//!
//! Under the pre-commit framework (pre-commit or prek) the hook runs with its standard input
//! already consumed, and the framework names the range in `PRE_COMMIT_FROM_REF` /
//! `PRE_COMMIT_TO_REF`. When it pushes a branch whose whole history is new it sets neither,
//! only `PRE_COMMIT_LOCAL_BRANCH` and `PRE_COMMIT_REMOTE_NAME`.

use anyhow::{Result, bail};
use gitlayer::id::ObjectId;

use crate::guard::history::{self, Walk};
use crate::guard::hook_env::HookEnv;
use gitlayer::repo::Repo;

/// One line of git's pre-push input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PushLine {
    pub(crate) local_ref: String,
    pub(crate) local_sha: String,
    pub(crate) remote_ref: String,
    pub(crate) remote_sha: String,
}

impl PushLine {
    fn is_deletion(&self) -> bool {
        is_zero(&self.local_sha)
    }
}

/// What to check, in the order the sources are consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PushSource {
    /// `PRE_COMMIT_FROM_REF..PRE_COMMIT_TO_REF`.
    FrameworkRange { from: String, to: String },
    /// A revision whose commits the remote does not have yet: the framework's new branch
    /// (`PRE_COMMIT_LOCAL_BRANCH`), or `HEAD` when there is no pre-push input to read.
    Unpushed { rev: String, remote: Option<String> },
    /// git's pre-push lines, to be read from standard input.
    Stdin { remote: Option<String> },
}

/// Picks the source from the environment: the framework's variables first; then, where no
/// input can come (under the framework, or standard input is a terminal), `HEAD`.
pub(crate) fn source(remote: Option<&str>, env: &HookEnv, stdin_is_terminal: bool) -> PushSource {
    let push = &env.push;
    let remote = remote.map(str::to_owned).or_else(|| push.remote.clone());
    if let (Some(from), Some(to)) = (&push.from_ref, &push.to_ref) {
        return PushSource::FrameworkRange { from: from.clone(), to: to.clone() };
    }
    if let Some(rev) = &push.local_branch {
        return PushSource::Unpushed { rev: rev.clone(), remote };
    }
    if env.under_framework || stdin_is_terminal {
        return PushSource::Unpushed { rev: "HEAD".to_owned(), remote };
    }
    PushSource::Stdin { remote }
}

/// Parses git's pre-push input; blank lines are skipped. The local ref may hold spaces (it
/// is what the user typed), so fields are split from the right, as pre-commit does.
pub(crate) fn parse_lines(input: &str) -> Result<Vec<PushLine>> {
    let mut lines = Vec::new();
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let mut fields = line.trim_end().rsplitn(4, ' ');
        let (Some(remote_sha), Some(remote_ref), Some(local_sha), Some(local_ref)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            bail!(
                "cannot read the pre-push input line {line:?}: expected \
                 `<local ref> <local sha> <remote ref> <remote sha>`; run it from git's pre-push hook"
            );
        };
        if !is_hex(local_sha) || !is_hex(remote_sha) {
            bail!("cannot read the pre-push input line {line:?}: the object ids are not hexadecimal");
        }
        lines.push(PushLine {
            local_ref: local_ref.to_owned(),
            local_sha: local_sha.to_owned(),
            remote_ref: remote_ref.to_owned(),
            remote_sha: remote_sha.to_owned(),
        });
    }
    Ok(lines)
}

/// The walk for git's pre-push lines (see the module doc). All the lines' ids are resolved
/// together: `git push --tags` may send thousands.
pub(crate) fn walk_for_lines(repo: &Repo, lines: &[PushLine], remote: Option<&str>) -> Result<Walk> {
    let pushed: Vec<&PushLine> = lines.iter().filter(|line| !line.is_deletion()).collect();
    if pushed.is_empty() {
        return Ok(Walk::default());
    }
    let tips = repo.rev_commit_ids(pushed.iter().map(|line| line.local_sha.clone()).collect())?;
    let remote_ids = pushed.iter().filter(|line| !is_zero(&line.remote_sha));
    // An id of the other format (40 digits in a SHA-256 repository) names nothing here.
    let format = repo.object_format();
    let remote_ids = remote_ids
        .filter_map(|line| ObjectId::from_hex(line.remote_sha.as_bytes()))
        .filter(|id| id.format() == format)
        .collect();
    let mut hidden: Vec<ObjectId> = repo.peeled_commit_ids(remote_ids)?.into_iter().flatten().collect();
    hidden.extend(history::remote_tips(repo, remote_scope(repo, remote))?);
    Ok(Walk { tips, hidden })
}

/// The walk for a source that is not standard input.
pub(crate) fn walk_for_source(repo: &Repo, source: &PushSource) -> Result<Walk> {
    match source {
        PushSource::FrameworkRange { from, to } => {
            let [to, from]: [ObjectId; 2] =
                repo.rev_commit_ids(vec![to.clone(), from.clone()])?.try_into().expect("one commit a revision");
            Ok(Walk { tips: vec![to], hidden: vec![from] })
        }
        PushSource::Unpushed { rev, remote } => {
            let hidden = history::remote_tips(repo, remote_scope(repo, remote.as_deref()))?;
            Ok(Walk { tips: vec![repo.rev_commit_id(rev)?], hidden })
        }
        PushSource::Stdin { .. } => bail!("internal: the pre-push lines must be read first"),
    }
}

/// The remote whose tracking branches count: `remote` when it names a configured remote.
/// git passes the URL instead when the push names one (`git push ../x.git main`); then no
/// tracking branch belongs to it, and every remote's are used.
fn remote_scope<'a>(repo: &Repo, remote: Option<&'a str>) -> Option<&'a str> {
    remote.filter(|name| repo.has_remote(name))
}

fn is_zero(sha: &str) -> bool {
    sha.bytes().all(|b| b == b'0')
}

fn is_hex(sha: &str) -> bool {
    !sha.is_empty() && sha.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "1111111111111111111111111111111111111111";
    const Z: &str = "0000000000000000000000000000000000000000";

    #[test]
    fn parses_update_new_branch_and_deletion_lines() {
        let input = format!(
            "refs/heads/main {A} refs/heads/main {A}\n\nrefs/heads/new {A} refs/heads/new {Z}\n(delete) {Z} refs/heads/old {A}\n"
        );
        let lines = parse_lines(&input).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].remote_ref, "refs/heads/new");
        assert!(!lines[0].is_deletion() && lines[2].is_deletion());
    }

    #[test]
    fn a_local_ref_with_spaces_is_kept_whole() {
        let lines = parse_lines(&format!("HEAD~1 with space {A} refs/heads/x {Z}")).unwrap();
        assert_eq!(lines[0].local_ref, "HEAD~1 with space");
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert!(parse_lines("refs/heads/main only three").is_err());
        assert!(parse_lines(&format!("refs/heads/main xyz refs/heads/main {A}")).is_err());
        assert!(parse_lines("").unwrap().is_empty());
    }
}
