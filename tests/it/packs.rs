//! The pack reader (crates/gitlayer/src/objects/packs.rs) against `git cat-file`: every commit and tree of
//! packs written the ways git writes them reads back byte for byte, with any cache size and
//! with 64-bit offsets, and a damaged pack or index gives errors, never a panic or an
//! allocation it cannot justify.

use std::collections::HashMap;
use std::path::Path;

use gitlayer::id::ObjectId;
use gitlayer::objects::packs::{ObjectKind, PackReader, Packs};

use crate::support::{TestRepo, text};

/// A history of `commits` commits, each changing one file of a nested folder, so that the
/// folders' trees come in many versions that git stores as chains of deltas.
fn repo_with_history(commits: u32) -> TestRepo {
    history_in(TestRepo::with_commit(), commits)
}

/// [`repo_with_history`] on top of `repo`'s one commit.
fn history_in(repo: TestRepo, commits: u32) -> TestRepo {
    let start = repo.head().unwrap();
    // The first commit in a pack of its own: fast-import adds a second pack.
    repo.git(&["repack", "-a", "-d", "-q"]);
    let mut stream = String::new();
    for c in 1..=commits {
        stream += &format!("commit refs/heads/main\ncommitter T <t@example.invalid> {} +0000\n", 1_700_000_000 + c);
        stream += &format!("data 9\nchange {:02}\n", c % 100);
        if c == 1 {
            stream += &format!("from {start}\n");
        }
        let content = format!("v = {c}\n");
        stream += &format!("M 100644 inline pkg/sub_{}/m{}.py\ndata {}\n{content}", c % 3, c % 11, content.len());
    }
    repo.git_with_input(&["fast-import", "--quiet"], &stream);
    repo
}

/// Every commit and tree of the repository, as `git cat-file --batch` gives them.
fn commits_and_trees(repo: &TestRepo) -> HashMap<ObjectId, (ObjectKind, Vec<u8>)> {
    let output = repo.git(&["cat-file", "--batch-all-objects", "--batch"]);
    let mut rest = &output.stdout[..];
    let mut objects = HashMap::new();
    while !rest.is_empty() {
        let newline = rest.iter().position(|&b| b == b'\n').unwrap();
        let header = String::from_utf8(rest[..newline].to_vec()).unwrap();
        let mut fields = header.split(' ');
        let (hex, kind, size) = (fields.next().unwrap(), fields.next().unwrap(), fields.next().unwrap());
        let size: usize = size.parse().unwrap();
        let data = rest[newline + 1..newline + 1 + size].to_vec();
        rest = &rest[newline + 2 + size..];
        let kind = match kind {
            "commit" => ObjectKind::Commit,
            "tree" => ObjectKind::Tree,
            _ => continue,
        };
        objects.insert(ObjectId::from_hex(hex.as_bytes()).unwrap(), (kind, data));
    }
    objects
}

fn objects_dir(repo: &TestRepo) -> std::path::PathBuf {
    repo.root.join(".git/objects")
}

/// Reads every object through the packs and compares it with git's bytes.
fn assert_reads_as_git(repo: &TestRepo, how: &str) {
    assert_reads_as_git_with_cache(repo, how, None);
}

fn assert_reads_as_git_with_cache(repo: &TestRepo, how: &str, cache_bytes: Option<usize>) {
    let truth = commits_and_trees(repo);
    assert!(truth.len() > 500, "{how}: only {} commits and trees", truth.len());
    let packs = Packs::at(&objects_dir(repo), repo.id_format());
    let mut reader = match cache_bytes {
        Some(bytes) => PackReader::with_cache(&packs, bytes),
        None => PackReader::new(&packs),
    };
    for (id, (kind, data)) in &truth {
        let (found_kind, found) = reader.read(id).unwrap().unwrap_or_else(|| panic!("{how}: {id} not in a pack"));
        assert_eq!((found_kind, &found[..]), (*kind, &data[..]), "{how}: {id}");
    }
}

/// The longest delta chain of the repository's packs, from `git verify-pack -v`.
fn longest_delta_chain(repo: &TestRepo) -> usize {
    let indexes: Vec<_> = std::fs::read_dir(objects_dir(repo).join("pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        .collect();
    let chain = |line: &str| line.strip_prefix("chain length = ")?.split(':').next()?.parse().ok();
    indexes
        .iter()
        .flat_map(|idx| {
            repo.git_stdout(&["verify-pack", "-v", idx.to_str().unwrap()])
                .lines()
                .filter_map(chain)
                .collect::<Vec<usize>>()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn packs_as_git_writes_them_read_back_as_git_cat_file_shows_them() {
    let repo = repo_with_history(300);
    // fast-import's own pack: each version a delta of the one before.
    assert!(longest_delta_chain(&repo) > 5, "fast-import wrote delta chains");
    assert_reads_as_git(&repo, "fast-import");
    // Deltas against the base's offset (OFS_DELTA), as gc and clones write them.
    repo.git(&["repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50"]);
    assert!(longest_delta_chain(&repo) > 5, "repack wrote delta chains");
    assert_reads_as_git(&repo, "repack");
    // A cache too small to keep a chain: bases forgotten on the way are built again.
    assert_reads_as_git_with_cache(&repo, "repack, 4 KiB cache", Some(4096));
    // Deltas against the base's id (REF_DELTA).
    repo.git(&["-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q", "--depth=50"]);
    assert_reads_as_git(&repo, "repack with REF_DELTA");
}

/// The same in a SHA-256 repository, whatever the environment asks for: 32-byte ids in the
/// index's table, in trees and in REF_DELTA bases; a version 1 index.
#[test]
fn sha256_packs_read_back_as_git_cat_file_shows_them() {
    let repo = history_in(TestRepo::sha256_with_commit(), 300);
    assert_eq!(repo.object_format(), "sha256");
    assert_reads_as_git(&repo, "fast-import");
    repo.git(&["repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50"]);
    assert!(longest_delta_chain(&repo) > 5, "repack wrote delta chains");
    assert_reads_as_git(&repo, "repack");
    assert_reads_as_git_with_cache(&repo, "repack, 4 KiB cache", Some(4096));
    repo.git(&["-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q", "--depth=50"]);
    assert_reads_as_git(&repo, "repack with REF_DELTA");
    let root = repo.git_stdout(&["rev-list", "--max-parents=0", "HEAD"]);
    repo.guard().args(["check", "--range", &format!("{}..HEAD", root.trim())]).assert().success();
    // git writes version 1 indexes of SHA-256 packs too: 36 bytes an entry.
    repo.git(&["-c", "pack.indexVersion=1", "repack", "-a", "-d", "-f", "-q"]);
    let idx = std::fs::read(only_file(&repo, "idx")).unwrap();
    assert_ne!(&idx[..4], b"\xfftOc", "a version 1 index has no header");
    assert_reads_as_git(&repo, "version 1 index");
    repo.guard().args(["check", "--range", &format!("{}..HEAD", root.trim())]).assert().success();
}

#[test]
fn offsets_in_the_index_s_64_bit_table_are_followed() {
    let repo = repo_with_history(150);
    repo.git(&["repack", "-a", "-d", "-f", "-q"]);
    let pack = only_file(&repo, "pack");
    let idx = only_file(&repo, "idx");
    let small_idx_len = std::fs::metadata(&idx).unwrap().len();
    // Every offset past 20 bytes goes to the 64-bit table, as in a pack over 2 GiB.
    std::fs::remove_file(&idx).unwrap();
    repo.git(&["index-pack", "--index-version=2,20", pack.to_str().unwrap()]);
    let large_idx_len = std::fs::metadata(&idx).unwrap().len();
    assert!(
        large_idx_len > small_idx_len + 8 * 500,
        "the index holds 64-bit offsets: {small_idx_len} -> {large_idx_len}"
    );
    assert_reads_as_git(&repo, "64-bit offsets");
}

#[test]
fn a_version_1_pack_index_is_read_as_git_reads_it() {
    // git before 1.5.2 wrote them, and `pack.indexVersion=1` still does.
    let repo = repo_with_history(150);
    repo.git(&["-c", "pack.indexVersion=1", "repack", "-a", "-d", "-f", "-q"]);
    let idx = std::fs::read(only_file(&repo, "idx")).unwrap();
    assert_ne!(&idx[..4], b"\xfftOc", "a version 1 index has no header");
    assert_reads_as_git(&repo, "version 1 index");
    // The walk through libgit2 accepts it too (the check before it refuses only damage).
    let root = repo.git_stdout(&["rev-list", "--max-parents=0", "HEAD"]);
    repo.guard().args(["check", "--range", &format!("{}..HEAD", root.trim())]).assert().success();
}

#[test]
fn a_delta_that_builds_far_more_than_its_pack_holds_is_read_when_git_wrote_it() {
    // Highly compressible files: a pack of about 1.3 KB holds a 1.9 MB `.gitignore` as a
    // delta of a 1 MB file, more than 1032 times the pack's size (found in review).
    let repo = TestRepo::with_commit();
    repo.write("big.txt", &"a".repeat(1_000_000));
    repo.write(".gitignore", &format!("__pycache__/\n*.py[co]\n{}\n", "a".repeat(1_900_000)));
    repo.git(&["add", "big.txt", ".gitignore"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "compressible"]);
    repo.git(&["repack", "-a", "-d", "-f", "-q"]);
    let pack_len = std::fs::metadata(only_file(&repo, "pack")).unwrap().len();
    assert!(pack_len * 1032 < 1_900_000, "the pack is {pack_len} bytes");
    let git = repo.check_ignore(&[], &["m.pyc"]);
    assert_eq!((git[0].source.as_str(), git[0].line.as_str()), (".gitignore", "2"), "{git:?}");
    let output = repo.guard().args(["check", "--rev", "HEAD"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(!text(&output.stdout).contains("do not cover"), "{}", text(&output.stdout));
}

fn only_file(repo: &TestRepo, extension: &str) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(objects_dir(repo).join("pack"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[test]
fn a_damaged_pack_or_index_gives_errors_never_a_panic() {
    let repo = repo_with_history(40);
    repo.git(&["repack", "-a", "-d", "-f", "-q"]);
    let truth = commits_and_trees(&repo);
    let (mut errors, mut right) = (0, 0);
    for file in [only_file(&repo, "pack"), only_file(&repo, "idx")] {
        let good = std::fs::read(&file).unwrap();
        // Every 5th byte, flipped: headers, offsets, sizes, zlib data and trailers alike. A
        // panic or an allocation abort fails the test; so does an error that does not say
        // the pack is corrupt.
        for at in (0..good.len()).step_by(5) {
            let mut bad = good.clone();
            bad[at] ^= 0x5a;
            replace_file(&file, &bad);
            let packs = Packs::at(&objects_dir(&repo), repo.id_format());
            let mut reader = PackReader::new(&packs);
            for (id, (kind, data)) in &truth {
                match reader.read(id) {
                    Ok(Some(found)) => right += usize::from(found == (*kind, data[..].into())),
                    Ok(None) => {}
                    Err(e) => {
                        assert!(e.to_string().contains("corrupt pack"), "{} byte {at}: {e}", file.display());
                        errors += 1;
                    }
                }
            }
        }
        replace_file(&file, &good);
    }
    assert!(errors > 100 && right > 100, "{errors} errors, {right} right reads");
}

/// Pack files are read-only on disk: replace, don't write in place.
fn replace_file(path: &Path, bytes: &[u8]) {
    let fresh = path.with_extension("tmp");
    std::fs::write(&fresh, bytes).unwrap();
    std::fs::rename(&fresh, path).unwrap();
}
