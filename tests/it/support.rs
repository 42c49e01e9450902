//! A real git repository in a temporary folder, and the built binary to run in it.
//!
//! git is isolated from the machine it runs on: no system or user config, no inherited
//! `GIT_*` variables (a leaked `GIT_INDEX_FILE` from an outer hook would corrupt other
//! indexes), fixed identities and dates. Hooks find our binary first on `PATH`.
//!
//! Two of git's own variables are passed through, so that the whole suite runs once per shape
//! of repository: `GIT_DEFAULT_HASH` (`sha1`, `sha256`) and `GIT_DEFAULT_REF_FORMAT` (`files`,
//! `reftable`), which `git init` and `git clone` honour (git 2.45+):
//! `GIT_DEFAULT_HASH=sha256 cargo test --test it`.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

pub const BINARY: &str = env!("CARGO_BIN_EXE_pycache-guard");

pub struct TestRepo {
    _temp: TempDir,
    /// The worktree top.
    pub root: PathBuf,
    home: PathBuf,
}

impl TestRepo {
    /// A new repository with no commit yet, of the shape the environment asks for (see the
    /// module doc).
    pub fn new() -> TestRepo {
        TestRepo::init(&[])
    }

    /// A new SHA-256 repository with no commit yet, whatever the environment asks for.
    pub fn new_sha256() -> TestRepo {
        TestRepo::init(&["--object-format=sha256"])
    }

    /// A SHA-256 repository with one ordinary commit.
    pub fn sha256_with_commit() -> TestRepo {
        TestRepo::new_sha256().with_initial_commit()
    }

    /// A new repository made by `git init -q <options>`.
    pub fn init(options: &[&str]) -> TestRepo {
        let (temp, home, root) = temp_folders();
        fs::create_dir_all(&root).unwrap();
        fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Test\n\temail = test@example.invalid\n[init]\n\tdefaultBranch = main\n\
             [advice]\n\tdetachedHead = false\n",
        )
        .unwrap();
        let repo = TestRepo { _temp: temp, root, home };
        let mut args = vec!["init", "-q"];
        args.extend(options);
        repo.git(&args);
        repo
    }

    /// A new repository made by `git init <options>` (`--ref-format=reftable`), with no
    /// commit yet.
    pub fn new_with(options: &[&str]) -> TestRepo {
        let repo = TestRepo::new();
        fs::remove_dir_all(repo.root.join(".git")).unwrap();
        let mut args = vec!["init", "-q"];
        args.extend(options);
        repo.git(&args);
        repo
    }

    /// Whether git keeps this repository's refs in reftables (`git init
    /// --ref-format=reftable`, or `GIT_DEFAULT_REF_FORMAT=reftable`).
    pub fn uses_reftable(&self) -> bool {
        self.git_stdout(&["rev-parse", "--show-ref-format"]).trim() == "reftable"
    }

    /// A repository with one ordinary commit.
    pub fn with_commit() -> TestRepo {
        TestRepo::new().with_initial_commit()
    }

    fn with_initial_commit(self) -> TestRepo {
        self.write("README.md", "hello\n");
        self.git(&["add", "README.md"]);
        self.git(&["commit", "-q", "-m", "initial"]);
        self
    }

    /// The repository's object format: `sha1` or `sha256`.
    pub fn object_format(&self) -> String {
        self.git_stdout(&["rev-parse", "--show-object-format"]).trim().to_owned()
    }

    /// The repository's object format, for the git layer's readers.
    pub fn id_format(&self) -> gitlayer::id::ObjectFormat {
        if self.object_format() == "sha256" {
            gitlayer::id::ObjectFormat::Sha256
        } else {
            gitlayer::id::ObjectFormat::Sha1
        }
    }

    /// How many hex digits an object id of this repository has: 40 or 64.
    pub fn hex_len(&self) -> usize {
        if self.object_format() == "sha256" { 64 } else { 40 }
    }

    /// The null id of this repository's format (a pre-push line's id of a new or deleted ref).
    pub fn zero_id(&self) -> String {
        "0".repeat(self.hex_len())
    }

    /// A clone of this repository (`git clone <options> <root>`, a local clone: add
    /// `--no-local` for `--depth`) in a new temporary folder, with the same isolated identity.
    pub fn clone_with(&self, options: &[&str]) -> TestRepo {
        let (temp, home, root) = temp_folders();
        fs::copy(self.home.join(".gitconfig"), home.join(".gitconfig")).unwrap();
        let mut args = vec!["clone", "-q"];
        args.extend(options);
        args.extend([self.root.to_str().unwrap(), root.to_str().unwrap()]);
        self.git_in(temp.path(), &args);
        TestRepo { _temp: temp, root, home }
    }

    /// The temporary folder that holds the repository, for siblings (worktrees, remotes).
    pub fn parent(&self) -> &Path {
        self.root.parent().unwrap()
    }

    /// `git` isolated from the machine, in `dir`.
    pub fn git_command_in(&self, dir: &Path) -> Command {
        let mut command = Command::new("git");
        isolate(&mut command, &self.home);
        command.current_dir(dir);
        command
    }

    /// Runs git in the worktree top and returns its output; panics when git fails.
    pub fn git(&self, args: &[&str]) -> Output {
        self.git_in(&self.root, args)
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> Output {
        let output = self.git_command_in(dir).args(args).output().expect("run git");
        assert!(output.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        output
    }

    /// Runs git and returns its output whatever the exit code (for commits a hook may block).
    pub fn try_git(&self, args: &[&str]) -> Output {
        self.try_git_in(&self.root, args)
    }

    pub fn try_git_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.git_command_in(dir).args(args).output().expect("run git")
    }

    pub fn git_stdout(&self, args: &[&str]) -> String {
        text(&self.git(args).stdout)
    }

    /// Runs git in the worktree top with `input` on its standard input; its standard output.
    /// Panics when git fails.
    pub fn git_with_input(&self, args: &[&str], input: &str) -> String {
        let mut command = self.git_command_in(&self.root);
        command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("run git");
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "git {args:?} failed: {}", text(&output.stderr));
        text(&output.stdout)
    }

    /// `HEAD`'s commit id, or `None` before the first commit.
    pub fn head(&self) -> Option<String> {
        let output = self.try_git(&["rev-parse", "--verify", "-q", "HEAD"]);
        output.status.success().then(|| String::from_utf8(output.stdout).unwrap().trim().to_owned())
    }

    /// Writes a file (creating folders); `path` may hold any bytes.
    pub fn write(&self, path: impl AsRef<[u8]>, contents: &str) {
        let path = self.root.join(OsStr::from_bytes(path.as_ref()));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }

    /// Writes the files and stages them.
    pub fn stage(&self, paths: &[&str]) {
        for path in paths {
            self.write(path, &format!("content of {path}\n"));
        }
        let mut args = vec!["add", "-f", "--"];
        args.extend_from_slice(paths);
        self.git(&args);
    }

    /// Commits a `.gitignore` that covers Python bytecode (so checks have no rule warnings).
    pub fn commit_complete_gitignore(&self) {
        self.commit_gitignore("__pycache__/\n*.py[cod]\n*$py.class\n");
    }

    /// Commits a top `.gitignore` with these rules, without running hooks.
    pub fn commit_gitignore(&self, rules: &str) {
        self.write(".gitignore", rules);
        self.git(&["add", ".gitignore"]);
        self.git(&["commit", "-q", "--no-verify", "-m", "ignore rules"]);
    }

    /// Stages and commits files without running hooks: how legacy bytecode got in.
    pub fn commit_bypassing_hooks(&self, paths: &[&str], message: &str) {
        self.stage(paths);
        self.git(&["commit", "-q", "--no-verify", "-m", message]);
    }

    /// `git check-ignore -v -n --no-index` for each path: the deciding rule's source, line and
    /// pattern (all empty when no rule matches). `config` goes before the command (`-c k=v`).
    pub fn check_ignore(&self, config: &[&str], paths: &[&str]) -> Vec<Match> {
        let mut command = self.git_command_in(&self.root);
        command.args(config).args(["check-ignore", "-v", "-n", "--no-index", "-z", "--stdin"]);
        command.stdin(Stdio::piped()).stdout(Stdio::piped());
        let mut child = command.spawn().expect("run git check-ignore");
        let input: Vec<u8> = paths.iter().flat_map(|p| [p.as_bytes(), b"\0"].concat()).collect();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), &input).unwrap();
        let output = child.wait_with_output().unwrap();
        let fields: Vec<&[u8]> = output.stdout.split(|&b| b == 0).collect();
        let matches: Vec<Match> = fields
            .chunks(4)
            .filter(|record| record.len() == 4)
            .map(|record| Match { source: text(record[0]), line: text(record[1]), pattern: text(record[2]) })
            .collect();
        assert_eq!(matches.len(), paths.len(), "git answered for every path");
        matches
    }

    /// The built binary, run in the worktree top.
    pub fn guard(&self) -> assert_cmd::Command {
        self.guard_in(&self.root)
    }

    pub fn guard_in(&self, dir: &Path) -> assert_cmd::Command {
        let mut command = Command::new(BINARY);
        isolate(&mut command, &self.home);
        command.current_dir(dir);
        assert_cmd::Command::from_std(command)
    }

    /// The built binary run as the unprivileged user `nobody` (`setpriv`), with the same
    /// isolated environment: permissions then mean what they mean to a user (root reads a
    /// mode 000 file). The test folder is opened to everyone first.
    pub fn guard_as_nobody(&self) -> assert_cmd::Command {
        self.as_nobody(BINARY)
    }

    /// `git` run as `nobody`, in the same environment as [`TestRepo::guard_as_nobody`].
    pub fn git_as_nobody(&self) -> assert_cmd::Command {
        self.as_nobody("git")
    }

    fn as_nobody(&self, program: &str) -> assert_cmd::Command {
        for dir in [self._temp.path(), &self.home] {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
        }
        let mut command = Command::new("setpriv");
        command.args(["--reuid=65534", "--regid=65534", "--clear-groups", program]);
        isolate(&mut command, &self.home);
        command.current_dir(&self.root);
        assert_cmd::Command::from_std(command)
    }

    /// Hands the worktree (and its `.git`) to `nobody`.
    pub fn give_to_nobody(&self) {
        let status = Command::new("chown").args(["-R", "65534:65534"]).arg(&self.root).status().unwrap();
        assert!(status.success(), "chown");
    }

    /// The home folder the test's processes get (its `.gitconfig` is the global config).
    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn install_hook(&self) {
        self.guard().arg("install").assert().success();
    }

    /// Paths in `HEAD`'s tree.
    pub fn committed_paths(&self) -> Vec<String> {
        self.git_stdout(&["ls-tree", "-r", "--name-only", "HEAD"]).lines().map(str::to_owned).collect()
    }

    /// Writes an executable hook script to `.git/hooks/<name>`; its path.
    pub fn write_hook(&self, name: &str, script: &str) -> PathBuf {
        let hook = self.root.join(".git/hooks").join(name);
        fs::create_dir_all(hook.parent().unwrap()).unwrap();
        fs::write(&hook, script).unwrap();
        fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();
        hook
    }
}

/// A new temporary folder, and in it the paths of the home folder (made) and of the worktree
/// top (not made).
fn temp_folders() -> (TempDir, PathBuf, PathBuf) {
    let temp = tempfile::tempdir().expect("temp dir");
    let home = temp.path().join("home");
    let root = temp.path().join("repo");
    fs::create_dir_all(&home).unwrap();
    (temp, home, root)
}

/// Whether git ignores the path (`git check-ignore --no-index`, repository rules only).
pub fn git_ignores(repo: &TestRepo, path: &str) -> bool {
    repo.try_git(&["-c", "core.excludesFile=/dev/null", "check-ignore", "-q", "--no-index", path]).status.success()
}

/// Whether the index file holds an extension with this signature (after the entries).
pub fn index_has_extension(repo: &TestRepo, signature: &[u8; 4]) -> bool {
    fs::read(repo.root.join(".git/index")).unwrap().windows(4).any(|w| w == signature)
}

/// git's answer for the staged check: the bytecode lines of `git diff --cached --raw` (the
/// next commit against `HEAD`), as `(status, path)` in git's order, paths shown as the tool
/// shows them. Deletions and submodules (mode 160000) are left out, and a type change counts
/// as a modification.
pub fn git_staged_bytecode(repo: &TestRepo) -> Vec<(String, String)> {
    let raw = repo.git(&["diff", "--cached", "--raw", "--no-renames", "-z"]).stdout;
    let fields: Vec<&[u8]> = raw.split(|&b| b == 0).collect();
    fields
        .chunks(2)
        .filter(|record| record.len() == 2)
        .filter_map(|record| {
            let (meta, path) = (text(record[0]), record[1]);
            let meta: Vec<&str> = meta.split(' ').collect();
            let (new_mode, status) = (meta[1], meta[4]);
            let status = if status == "T" { "M" } else { status };
            let is_bytecode = pycache_guard::classify(path).is_some();
            (is_bytecode && status != "D" && new_mode != "160000")
                .then(|| (status.to_owned(), gitlayer::paths::display_path(path)))
        })
        .collect()
}

/// Runs git (`args`, hooks included) and expects a new commit; git's standard error (where
/// git sends a hook's output).
pub fn commit_passes(repo: &TestRepo, args: &[&str]) -> String {
    let before = repo.head();
    let output = repo.try_git(args);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "git {args:?} should pass: {}{stderr}", text(&output.stdout));
    assert_ne!(repo.head(), before, "a commit should be made");
    stderr
}

/// A command's standard output as one JSON document.
pub fn parse_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&output.stdout)))
}

/// Runs the binary in the worktree top, expects exit `code`, and parses its standard output
/// as one JSON document.
pub fn run_json(repo: &TestRepo, args: &[&str], code: i32) -> Value {
    run_json_in(repo, &repo.root, args, code)
}

/// [`run_json`] in the folder `dir`.
pub fn run_json_in(repo: &TestRepo, dir: &Path, args: &[&str], code: i32) -> Value {
    let output = repo.guard_in(dir).args(args).output().unwrap();
    assert_eq!(output.status.code(), Some(code), "{}", text(&output.stderr));
    parse_json(&output)
}

/// Whether the tests run as root (whom file permissions do not stop).
pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| text(&out.stdout).trim() == "0")
}

/// `hooks/<name>` as `install` writes it: with the path of the binary that installed it.
pub fn installed_script(name: &str) -> String {
    let script = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("hooks").join(name)).unwrap();
    let binary = fs::canonicalize(BINARY).unwrap();
    let filled = format!("installed_by='{}'\n", binary.display());
    assert!(script.contains("installed_by=''\n"), "hooks/{name} has the line to fill in");
    script.replacen("installed_by=''\n", &filled, 1)
}

fn path_with_binary() -> std::ffi::OsString {
    let bin_dir = Path::new(BINARY).parent().unwrap().to_path_buf();
    let mut dirs = vec![bin_dir];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).unwrap()
}

/// The environment every process of a test gets.
fn isolated_env(home: &Path) -> Vec<(&'static str, std::ffi::OsString)> {
    vec![
        ("HOME", home.into()),
        ("XDG_CONFIG_HOME", home.join(".config").into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("GIT_CONFIG_GLOBAL", home.join(".gitconfig").into()),
        ("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z".into()),
        ("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z".into()),
        ("PATH", path_with_binary()),
        ("LC_ALL", "C".into()),
        // Never ask the developer's terminal anything; the prompt tests remove it.
        ("CI", "1".into()),
    ]
}

fn inherited_git_vars() -> impl Iterator<Item = std::ffi::OsString> {
    std::env::vars_os().map(|(k, _)| k).filter(|k| k.as_bytes().starts_with(b"GIT_"))
}

/// git's own variables that choose the shape of the repositories `git init` and `git clone`
/// make: passed through from the test run, so the suite can run once per shape.
const SHAPE_VARS: [&str; 2] = ["GIT_DEFAULT_HASH", "GIT_DEFAULT_REF_FORMAT"];

fn isolate(command: &mut Command, home: &Path) {
    for key in inherited_git_vars() {
        command.env_remove(key);
    }
    for key in SHAPE_VARS {
        if let Some(value) = std::env::var_os(key) {
            command.env(key, value);
        }
    }
    for key in ["GITHUB_ACTIONS", "PRE_COMMIT", "NO_COLOR", "CLICOLOR_FORCE"] {
        command.env_remove(key);
    }
    command.envs(isolated_env(home));
}

/// One answer of `git check-ignore -v -n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub source: String,
    pub line: String,
    pub pattern: String,
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A refusal: exit 2, one line on stderr that starts `pycache-guard: error: ` and names
/// `names`, and no panic.
pub fn one_line_error(output: &Output, names: &str) {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("pycache-guard: error: "), "{stderr}");
    assert!(stderr.contains(names), "should name {names}: {stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
}
