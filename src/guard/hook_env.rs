//! What the environment says about who runs us, read once at the start ([`HookEnv::read`]):
//! git running us as a hook, the pre-commit framework, CI, and the colour switches.
//!
//! git tells a pre-commit hook which index to read (`GIT_INDEX_FILE`) but not whether the
//! commit is an `--amend` (git 2.47 sets no variable for it; `GIT_REFLOG_ACTION` is only set
//! by rebase and friends). The amend matters: the new commit replaces `HEAD`, so it must be
//! compared with `HEAD`'s parent. We read the command line of the `git commit` process that
//! started us, which on Linux is in `/proc`. Elsewhere we compare with `HEAD`, which still
//! catches everything the amend stages anew. An alias (`git fixup` for `commit --amend`)
//! is no blind spot: git runs the expanded `git commit --amend` as a child process, and that
//! is the process we find (tested with git 2.39 and 2.47).
//!
//! The same reading tells whether the pre-commit framework runs us, and which push it checks.

/// The environment variables the tool acts on, read once (`GIT_*` variables that only
/// say where the repository is are libgit2's business, in [`gitlayer::repo`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct HookEnv {
    /// `GIT_INDEX_FILE` is set: git runs us as a hook of `git commit`.
    pub(crate) in_commit_hook: bool,
    /// Under the pre-commit framework (pre-commit and prek set `PRE_COMMIT=1` for every hook
    /// they run). The framework cannot see index-only changes and runs hooks without a
    /// person at the keyboard, so a check there never prompts and never edits the index.
    pub(crate) under_framework: bool,
    /// `CI` is set: nobody is at the keyboard.
    pub(crate) ci: bool,
    /// `GITHUB_ACTIONS=true`: annotations are worth printing.
    pub(crate) github_actions: bool,
    /// `NO_COLOR` is set (and not empty).
    pub(crate) no_color: bool,
    /// `CLICOLOR_FORCE` is set, and neither empty nor `0`.
    pub(crate) clicolor_force: bool,
    /// The framework's pre-push variables.
    pub(crate) push: FrameworkPush,
}

/// What the pre-commit framework says about a push (each `None` when unset or empty).
#[derive(Debug, Clone, Default)]
pub(crate) struct FrameworkPush {
    /// `PRE_COMMIT_REMOTE_NAME`.
    pub(crate) remote: Option<String>,
    /// `PRE_COMMIT_FROM_REF` and `PRE_COMMIT_TO_REF`.
    pub(crate) from_ref: Option<String>,
    pub(crate) to_ref: Option<String>,
    /// `PRE_COMMIT_LOCAL_BRANCH`: a new branch.
    pub(crate) local_branch: Option<String>,
}

impl HookEnv {
    /// Reads the process's environment.
    pub(crate) fn read() -> HookEnv {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        let text = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        HookEnv {
            in_commit_hook: std::env::var_os("GIT_INDEX_FILE").is_some(),
            under_framework: std::env::var_os("PRE_COMMIT").is_some_and(|v| !v.is_empty() && v != "0"),
            ci: std::env::var_os("CI").is_some(),
            github_actions: std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            no_color: set("NO_COLOR"),
            clicolor_force: set("CLICOLOR_FORCE") && std::env::var_os("CLICOLOR_FORCE") != Some("0".into()),
            push: FrameworkPush {
                remote: text("PRE_COMMIT_REMOTE_NAME"),
                from_ref: text("PRE_COMMIT_FROM_REF"),
                to_ref: text("PRE_COMMIT_TO_REF"),
                local_branch: text("PRE_COMMIT_LOCAL_BRANCH"),
            },
        }
    }

    /// True when we run inside a hook of `git commit --amend` (reads `/proc`, so only asked
    /// when it matters).
    pub(crate) fn is_amending_commit(&self) -> bool {
        self.in_commit_hook && git_commit_args().is_some_and(|args| has_amend(&args))
    }
}

/// Whether the arguments of `git ... commit ...` ask for `--amend` (git accepts unambiguous
/// prefixes of long options, so `--amen` counts; `--am` is the shortest unique one).
fn has_amend(args: &[Vec<u8>]) -> bool {
    let Some(commit_at) = args.iter().position(|a| a == b"commit") else {
        return false;
    };
    args[commit_at + 1..]
        .iter()
        .take_while(|a| a.as_slice() != b"--")
        .any(|a| a.len() >= 4 && b"--amend".starts_with(a))
}

/// The arguments of the nearest ancestor process that is `git commit`.
#[cfg(target_os = "linux")]
fn git_commit_args() -> Option<Vec<Vec<u8>>> {
    let mut pid = std::os::unix::process::parent_id();
    // git -> hook script -> us, or git -> pre-commit framework -> ... -> us.
    for _ in 0..8 {
        if pid <= 1 {
            return None;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        let args: Vec<Vec<u8>> = cmdline.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        let program = args.first()?.rsplit(|&b| b == b'/').next()?;
        if (program == b"git" || program == b"git.exe") && args.iter().any(|a| a == b"commit") {
            return Some(args);
        }
        pid = parent_of(pid)?;
    }
    None
}

#[cfg(not(target_os = "linux"))]
fn git_commit_args() -> Option<Vec<Vec<u8>>> {
    None
}

/// The parent pid from `/proc/<pid>/stat`; the command name in parentheses may itself hold
/// spaces and parentheses, so parse after the last `)`.
#[cfg(target_os = "linux")]
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::has_amend;

    fn args(line: &str) -> Vec<Vec<u8>> {
        line.split(' ').map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn recognises_amend_and_its_abbreviations() {
        assert!(has_amend(&args("git commit --amend")));
        assert!(has_amend(&args("git -c a=b commit -q --amen -m x")));
        assert!(has_amend(&args("/usr/bin/git commit --am")));
    }

    #[test]
    fn other_commits_are_not_amends() {
        assert!(!has_amend(&args("git commit -m x")));
        assert!(!has_amend(&args("git commit -a --author x")));
        assert!(!has_amend(&args("git commit -m x -- --amend")));
        assert!(!has_amend(&args("git --amend status")));
        assert!(!has_amend(&args("git commit --a")));
    }
}
