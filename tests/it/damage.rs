//! Damaged repositories: git's files damaged at random — a flipped byte, a file
//! cut short, bytes inserted — in a small repository with a pack, loose objects and a split
//! index. Every command must end within a few seconds with exit 0, 1 or 2, say an error in
//! one line, never panic, and change no file.
//!
//! CI runs a fixed seed; `PYCACHE_GUARD_DAMAGE_SEED` and `PYCACHE_GUARD_DAMAGE_CASES` run
//! others and more (CONTRIBUTING.md says how long a longer run took).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::{BINARY, TestRepo, text};

/// xorshift64*: a small, fixed sequence for a given seed (no dependency, same on every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A repository with history in a pack, newer loose objects (an annotated tag among them), a
/// split index, a tracked `.gitignore` and bytecode added and removed again; returns it and
/// its root commit.
fn template(init: &[&str]) -> (TestRepo, String) {
    let repo = TestRepo::new_with(init);
    repo.write("README.md", "hello\n");
    repo.git(&["add", "README.md"]);
    repo.git(&["commit", "-q", "-m", "initial"]);
    let root = repo.git_stdout(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.write(".gitignore", "dist/\n!keep.pyc\n");
    repo.commit_bypassing_hooks(&[".gitignore", "pkg/a.py", "pkg/__pycache__/a.cpython-312.pyc"], "with bytecode");
    repo.git(&["rm", "-q", "-r", "--cached", "pkg/__pycache__"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "untrack it"]);
    repo.git(&["gc", "-q"]);
    repo.commit_bypassing_hooks(&["lib/b.py", "lib/c.pyo"], "loose objects");
    repo.git(&["tag", "-a", "v1", "-m", "a loose annotated tag"]);
    repo.git(&["update-index", "--split-index"]);
    repo.stage(&["new.py", "x.pyc"]);
    (repo, root)
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.insert(path.clone(), fs::read(&path).unwrap_or_default());
            }
        }
    }
    files
}

fn restore(dir: &Path, files: &BTreeMap<PathBuf, Vec<u8>>) {
    for (path, bytes) in files {
        let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o644));
        fs::write(path, bytes).unwrap();
    }
    for path in snapshot(dir).keys() {
        if !files.contains_key(path) {
            fs::remove_file(path).unwrap();
        }
    }
}

/// The files a stranger's clone could have damaged: git's own, and the ignore file.
fn damageable(files: &BTreeMap<PathBuf, Vec<u8>>, top: &Path) -> Vec<PathBuf> {
    files
        .keys()
        .filter(|path| {
            let relative = path.strip_prefix(top).unwrap().to_string_lossy().into_owned();
            relative == ".gitignore"
                || relative == ".git/index"
                || relative.starts_with(".git/sharedindex.")
                || relative.starts_with(".git/objects/")
                || relative == ".git/packed-refs"
                || relative == ".git/HEAD"
                || relative.starts_with(".git/refs/")
                || relative.starts_with(".git/reftable/")
        })
        .cloned()
        .collect()
}

/// Damages one file: a flipped byte, the file cut short, or bytes inserted.
fn damage(path: &Path, bytes: &[u8], rng: &mut Rng) -> String {
    let mut damaged = bytes.to_vec();
    let at = rng.below(bytes.len());
    let how = match rng.below(3) {
        0 if !bytes.is_empty() => {
            damaged[at] ^= 1 << rng.below(8);
            format!("flipped a bit of byte {at}")
        }
        1 => {
            damaged.truncate(at);
            format!("cut short at {at}")
        }
        _ => {
            let inserted: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
            damaged.splice(at..at, inserted.iter().copied());
            format!("{} bytes inserted at {at}", inserted.len())
        }
    };
    fs::set_permissions(path, fs::Permissions::from_mode(0o644)).unwrap();
    fs::write(path, damaged).unwrap();
    how
}

#[test]
fn damaged_repositories_end_quickly_with_one_error_line_and_no_change() {
    damaged_cases(&[], |_| true);
}

/// The same with reftable refs, damaging the tables and `tables.list` only.
#[test]
fn damaged_reftables_end_quickly_with_one_error_line_and_no_change() {
    damaged_cases(&["--ref-format=reftable"], |relative| relative.starts_with(".git/reftable/"));
}

/// Damages files of the template made by `git init <init>` that `pick` keeps (by their
/// path relative to the top), one case at a time, and runs every command on each.
fn damaged_cases(init: &[&str], pick: fn(&str) -> bool) {
    let seed = std::env::var("PYCACHE_GUARD_DAMAGE_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed_u64);
    let cases = std::env::var("PYCACHE_GUARD_DAMAGE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    let (repo, root_commit) = template(init);
    let pristine = snapshot(&repo.root);
    let mut targets = damageable(&pristine, &repo.root);
    targets.retain(|path| pick(&path.strip_prefix(&repo.root).unwrap().to_string_lossy()));
    assert!(!targets.is_empty());
    let range = format!("{root_commit}..HEAD");
    let commands: [&[&str]; 8] = [
        &["check"],
        &["check", "--all"],
        &["check", "--rev", "HEAD"],
        &["check", "--rev", "v1"],
        &["check", "--rev", "HEAD:lib"],
        &["check", "--rev", "HEAD^{tree}"],
        &["check", "--range", &range],
        &["fix-gitignore", "--dry-run"],
    ];
    let mut rng = Rng(seed | 1);
    for case in 0..cases {
        let target = &targets[rng.below(targets.len())];
        let how = damage(target, &pristine[target], &mut rng);
        let damaged = snapshot(&repo.root);
        let what = format!("case {case} (seed {seed}): {} {how}", target.strip_prefix(&repo.root).unwrap().display());
        for args in commands {
            let output = repo
                .guard()
                .args(args)
                .timeout(Duration::from_secs(10))
                .output()
                .unwrap_or_else(|e| panic!("{what}: {args:?} did not end: {e}"));
            let stderr = text(&output.stderr);
            let code = output.status.code();
            assert!(matches!(code, Some(0..=2)), "{what}: {args:?} ended with {code:?} (timeout or signal): {stderr}");
            assert!(!stderr.contains("panicked"), "{what}: {args:?}: {stderr}");
            if code == Some(2) {
                assert_eq!(stderr.lines().count(), 1, "{what}: {args:?}: one error line: {stderr}");
                assert!(stderr.starts_with("pycache-guard: error: "), "{what}: {args:?}: {stderr}");
            }
        }
        assert!(snapshot(&repo.root) == damaged, "{what}: a command changed a file");
        restore(&repo.root, &pristine);
    }
    drop(Command::new(BINARY));
}
