//! The pack reader of `--range` (src/objects/packs.rs) against `git cat-file`: every commit and tree
//! of packs written the ways git writes them reads back byte for byte, and a damaged pack
//! gives an error or the right bytes, never wrong bytes or a panic.

use std::collections::HashMap;
use std::path::Path;

use pycache_guard::objects::packs::{Kind, PackReader, Packs};

use crate::support::TestRepo;

/// A history of `commits` commits, each changing one file of a nested folder, so that the
/// folders' trees come in many versions that git stores as chains of deltas.
fn repo_with_history(commits: u32) -> TestRepo {
    let repo = TestRepo::with_commit();
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
    let mut import = repo.git_command_in(&repo.root);
    import.args(["fast-import", "--quiet"]).stdin(std::process::Stdio::piped());
    let mut child = import.spawn().unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), stream.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success(), "fast-import failed");
    repo
}

/// Every commit and tree of the repository, as `git cat-file --batch` gives them.
fn commits_and_trees(repo: &TestRepo) -> HashMap<Vec<u8>, (Kind, Vec<u8>)> {
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
            "commit" => Kind::Commit,
            "tree" => Kind::Tree,
            _ => continue,
        };
        objects.insert(id_bytes(hex), (kind, data));
    }
    objects
}

fn id_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
}

fn objects_dir(repo: &TestRepo) -> std::path::PathBuf {
    repo.root.join(".git/objects")
}

/// Reads every object through the packs and compares it with git's bytes.
fn assert_reads_as_git(repo: &TestRepo, how: &str) {
    let truth = commits_and_trees(repo);
    assert!(truth.len() > 500, "{how}: only {} commits and trees", truth.len());
    let packs = Packs::at(&objects_dir(repo));
    let mut reader = PackReader::new(&packs);
    for (id, (kind, data)) in &truth {
        let (found_kind, found) = reader.read(id).unwrap().unwrap_or_else(|| panic!("{how}: {id:02x?} not in a pack"));
        assert_eq!((found_kind, &found[..]), (*kind, &data[..]), "{how}: {id:02x?}");
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
    // Deltas against the base's id (REF_DELTA).
    repo.git(&["-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q", "--depth=50"]);
    assert_reads_as_git(&repo, "repack with REF_DELTA");
}

#[test]
fn a_damaged_pack_gives_errors_or_the_right_bytes_never_wrong_ones() {
    let repo = repo_with_history(40);
    repo.git(&["repack", "-a", "-d", "-f", "-q"]);
    let truth = commits_and_trees(&repo);
    let pack_dir = objects_dir(&repo).join("pack");
    let pack = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    let good = std::fs::read(&pack).unwrap();
    let (mut errors, mut right) = (0, 0);
    // Every 7th byte, flipped: headers, offsets, zlib data and the trailer alike.
    for at in (0..good.len()).step_by(7) {
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        replace_pack(&pack, &bad);
        let packs = Packs::at(&objects_dir(&repo));
        let mut reader = PackReader::new(&packs);
        for (id, (kind, data)) in &truth {
            match reader.read(id) {
                Ok(Some((found_kind, found))) => {
                    assert_eq!((found_kind, &found[..]), (*kind, &data[..]), "byte {at} flipped: wrong bytes");
                    right += 1;
                }
                Ok(None) => {}
                Err(e) => {
                    assert!(e.to_string().contains("corrupt pack"), "byte {at}: {e}");
                    errors += 1;
                }
            }
        }
    }
    replace_pack(&pack, &good);
    assert!(errors > 0 && right > 0, "{errors} errors, {right} right reads");
}

/// Pack files are read-only on disk: replace, don't write in place.
fn replace_pack(pack: &Path, bytes: &[u8]) {
    let fresh = pack.with_extension("tmp");
    std::fs::write(&fresh, bytes).unwrap();
    std::fs::rename(&fresh, pack).unwrap();
}
