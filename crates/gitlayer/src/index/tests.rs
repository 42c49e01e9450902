//! Unit tests of the index reader over index files written here, byte by byte, as the
//! format document describes them. The integration tests compare it with real git.

use std::path::{Path, PathBuf};

use super::decode::*;
use super::*;

/// An entry to write: path, mode, a byte to fill the object id with, stage, extended flags.
struct Raw {
    path: Vec<u8>,
    mode: u32,
    id: u8,
    stage: u8,
    extended: u16,
}

fn raw(path: &[u8], mode: u32, id: u8, stage: u8, extended: u16) -> Raw {
    Raw { path: path.to_vec(), mode, id, stage, extended }
}

/// git's `encode_varint`.
fn varint(mut value: usize) -> Vec<u8> {
    let mut out = vec![(value & 0x7f) as u8];
    while value >> 7 != 0 {
        value = (value >> 7) - 1;
        out.insert(0, 0x80 | (value & 0x7f) as u8);
    }
    out
}

/// The formats every test that writes an index runs in.
const FORMATS: [ObjectFormat; 2] = [ObjectFormat::Sha1, ObjectFormat::Sha256];

/// A SHA-1 index.
fn index_bytes(version: u32, entries: &[Raw], extensions: &[(&[u8; 4], Vec<u8>)], checksum: u8) -> Vec<u8> {
    index_bytes_in(ObjectFormat::Sha1, version, entries, extensions, checksum)
}

/// An index of a repository of `format`: its ids (entries and trailer) are that long.
fn index_bytes_in(
    format: ObjectFormat,
    version: u32,
    entries: &[Raw],
    extensions: &[(&[u8; 4], Vec<u8>)],
    checksum: u8,
) -> Vec<u8> {
    let id_len = format.id_len();
    let mut out = b"DIRC".to_vec();
    out.extend(version.to_be_bytes());
    out.extend((entries.len() as u32).to_be_bytes());
    let mut previous: &[u8] = b"";
    for entry in entries {
        let start = out.len();
        let mut stat = [0u8; STAT_LEN];
        stat[MODE_AT..MODE_AT + 4].copy_from_slice(&entry.mode.to_be_bytes());
        out.extend(stat);
        out.extend(vec![entry.id; id_len]);
        let extended = if entry.extended != 0 { EXTENDED } else { 0 };
        let name_len = entry.path.len().min(usize::from(NAME_MASK)) as u16;
        out.extend((u16::from(entry.stage) << STAGE_SHIFT | extended | name_len).to_be_bytes());
        if entry.extended != 0 {
            out.extend(entry.extended.to_be_bytes());
        }
        if version == 4 {
            let common = previous.iter().zip(&entry.path).take_while(|(a, b)| a == b).count();
            out.extend(varint(previous.len() - common));
            out.extend(&entry.path[common..]);
            out.push(0);
            previous = &entry.path;
        } else {
            out.extend(&entry.path);
            let len = (out.len() - start + 8) & !7;
            out.resize(start + len, 0);
        }
    }
    for (signature, data) in extensions {
        out.extend(*signature);
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(data);
    }
    out.extend(vec![checksum; id_len]);
    out
}

fn expected_in(format: ObjectFormat, entry: &Raw) -> Entry {
    Entry {
        path: entry.path.clone(),
        mode: Mode::from_bits(entry.mode),
        id: ObjectId::from_bytes(&vec![entry.id; format.id_len()]).expect("20 or 32 bytes"),
        stage: entry.stage,
        intent_to_add: entry.extended & INTENT_TO_ADD != 0,
        skip_worktree: entry.extended & SKIP_WORKTREE != 0,
    }
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn read(&self, name: &str, bytes: &[u8]) -> Result<Entries, Error> {
        self.read_in(ObjectFormat::Sha1, name, bytes)
    }

    fn read_in(&self, format: ObjectFormat, name: &str, bytes: &[u8]) -> Result<Entries, Error> {
        read_entries(&self.write(name, bytes), self.0.path(), format, |_| true)
    }
}

fn sample(with_extended_flags: bool) -> Vec<Raw> {
    let long = [b"deep/".as_slice(), &[b'x'; 5000], b".o"].concat();
    let flags = |f: u16| if with_extended_flags { f } else { 0 };
    vec![
        raw(b"README.md", 0o100644, 1, 0, 0),
        raw(&long, 0o100644, 2, 0, 0),
        raw(b"deep/y.py", 0o100755, 3, 0, flags(INTENT_TO_ADD)),
        raw(b"link.o", 0o120000, 4, 0, 0),
        raw(b"m.o", 0o100644, 5, 1, 0),
        raw(b"m.o", 0o100644, 6, 2, 0),
        raw(b"m.o", 0o100644, 7, 3, 0),
        raw(b"out/", Mode::TREE.bits(), 8, 0, flags(SKIP_WORKTREE)),
        raw(b"pkg/__cache__/a.gcc-12.o", 0o100644, 9, 0, flags(SKIP_WORKTREE)),
        raw(b"raw\xff\xfe.o", 0o100644, 10, 0, 0),
        raw(b"vendored", 0o160000, 11, 0, 0),
    ]
}

#[test]
fn reads_versions_2_3_and_4_as_written() {
    let dir = Dir::new();
    for format in FORMATS {
        for (version, extended) in [(2, false), (3, true), (4, true), (4, false)] {
            let entries = sample(extended);
            let read = dir.read_in(format, "index", &index_bytes_in(format, version, &entries, &[], 0)).unwrap();
            let wanted: Vec<Entry> = entries.iter().map(|entry| expected_in(format, entry)).collect();
            assert_eq!(read.kept, wanted, "{format} version {version}");
            assert_eq!(read.total, entries.len());
        }
    }
}

#[test]
fn keeps_only_what_the_caller_keeps_and_counts_all() {
    let dir = Dir::new();
    let path = dir.write("index", &index_bytes(4, &sample(true), &[], 0));
    let read =
        read_entries(&path, dir.0.path(), ObjectFormat::Sha1, |e| e.path.ends_with(b".o") && e.stage == 0).unwrap();
    let paths: Vec<&[u8]> = read.kept.iter().map(|e| e.path.as_slice()).collect();
    assert_eq!(paths.len(), 4, "{paths:?}");
    assert_eq!(paths[2], b"pkg/__cache__/a.gcc-12.o");
    assert_eq!(read.total, 11);
}

#[test]
fn optional_and_sparse_extensions_are_skipped() {
    let dir = Dir::new();
    let extensions = [(b"TREE", vec![1; 100]), (b"sdir", vec![]), (b"UNTR", vec![2; 3]), (b"ZZZZ", vec![0; 9])];
    for format in FORMATS {
        let read = dir.read_in(format, "index", &index_bytes_in(format, 2, &sample(false), &extensions, 0)).unwrap();
        assert_eq!(read.kept.len(), 11);
    }
}

#[test]
fn a_missing_index_is_empty() {
    let dir = Dir::new();
    let read = read_entries(&dir.0.path().join("nothing"), dir.0.path(), ObjectFormat::Sha256, |_| true).unwrap();
    assert_eq!((read.kept.len(), read.total), (0, 0));
}

#[test]
fn every_truncation_is_an_error() {
    let dir = Dir::new();
    let entries = sample(true);
    let shapes = [(2, vec![]), (3, vec![(b"TREE", vec![1; 10])]), (4, vec![(b"sdir", vec![])])];
    for (format, (version, extensions)) in FORMATS.into_iter().flat_map(|f| shapes.iter().map(move |s| (f, s))) {
        let (version, id_len) = (*version, format.id_len());
        let bytes = index_bytes_in(format, version, &entries, extensions, 0);
        // A cut that leaves whole extensions and 20 more bytes looks like a valid index with
        // a bad checksum, which neither git nor this reader verifies; like git, it ignores
        // fewer than 8 bytes after the last extension (too few for another one).
        let entries_end = index_bytes_in(format, version, &entries, &[], 0).len() - id_len;
        let mut ends: Vec<usize> =
            extensions.iter().scan(entries_end, |end, (_, d)| Some(*end + 8 + d.len())).collect();
        ends.push(entries_end);
        // One file, shortened step by step: rewriting it for every cut is slow on busy disks.
        let path = dir.write("index", &bytes);
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        for cut in (0..bytes.len()).rev() {
            file.set_len(cut as u64).unwrap();
            let looks_whole =
                cut.checked_sub(id_len).is_some_and(|end| ends.iter().any(|e| (*e..*e + 8).contains(&end)));
            let result = read_entries(&path, dir.0.path(), format, |_| true);
            assert_eq!(result.is_ok(), looks_whole, "{format} version {version} cut at {cut}");
        }
    }
}

#[test]
fn bad_headers_and_fields_are_errors() {
    let dir = Dir::new();
    let good = index_bytes(2, &sample(false), &[], 0);
    let error = |bytes: &[u8]| dir.read("index", bytes).unwrap_err().to_string();
    assert!(error(&[b"DIRX", &good[4..]].concat()).contains("signature"));
    for version in [0u32, 1, 5] {
        assert!(error(&[b"DIRC", &version.to_be_bytes()[..], &good[8..]].concat()).contains("version"));
    }
    assert!(error(b"DIRC").contains("too few"));
    let unknown = index_bytes(2, &sample(false), &[(b"abcd", vec![])], 0);
    assert!(error(&unknown).contains("abcd"));
    let oversized = [&good[..good.len() - 20], b"TREE", &1000u32.to_be_bytes(), &[0; 20]].concat();
    assert!(error(&oversized).contains("TREE"));
    let unknown_flag = index_bytes(3, &[raw(b"a", 0o100644, 1, 0, 1 << 12)], &[], 0);
    assert!(error(&unknown_flag).contains("flags"));
    let empty_path = index_bytes(2, &[raw(b"", 0o100644, 1, 0, 0)], &[], 0);
    assert!(error(&empty_path).contains("empty path"));
    // Version 4: the first path claims to drop bytes from a previous path it does not have.
    let mut strip = index_bytes(4, &[raw(b"a", 0o100644, 1, 0, 0)], &[], 0);
    strip[HEADER_LEN + fixed_len(ObjectFormat::Sha1)] = 5;
    assert!(error(&strip).contains("drops"));
}

#[test]
fn more_entries_claimed_than_present_is_an_error() {
    let dir = Dir::new();
    let mut bytes = index_bytes(2, &sample(false), &[], 0);
    bytes[8..12].copy_from_slice(&1000u32.to_be_bytes());
    assert!(dir.read("index", &bytes).unwrap_err().to_string().contains("truncated"));
}

fn ewah(bits: &[usize]) -> Vec<u8> {
    let mut word = 0u64;
    bits.iter().for_each(|bit| word |= 1 << bit);
    let mut out = 64u32.to_be_bytes().to_vec();
    out.extend(2u32.to_be_bytes());
    out.extend((1u64 << 33).to_be_bytes());
    out.extend(word.to_be_bytes());
    out.extend(0u32.to_be_bytes());
    out
}

fn link(format: ObjectFormat, id: u8, deleted: &[usize], replaced: &[usize]) -> Vec<u8> {
    [vec![id; format.id_len()], ewah(deleted), ewah(replaced)].concat()
}

/// Shared index: a b c d. Split index: replace b, delete c, add bb and e.
fn split_pair(dir: &Dir, link_id: u8) -> PathBuf {
    split_pair_in(ObjectFormat::Sha1, dir, link_id)
}

fn split_pair_in(format: ObjectFormat, dir: &Dir, link_id: u8) -> PathBuf {
    let shared = ["a", "b", "c", "d"].map(|p| raw(p.as_bytes(), 0o100644, 1, 0, 0));
    let name = format!("sharedindex.{}", "ab".repeat(format.id_len()));
    dir.write(&name, &index_bytes_in(format, 4, &shared, &[], 0xab));
    let split = [raw(b"", 0o100755, 2, 0, INTENT_TO_ADD), raw(b"bb", 0o100644, 3, 0, 0), raw(b"e", 0o100644, 4, 0, 0)];
    dir.write("index", &index_bytes_in(format, 3, &split, &[(b"link", link(format, link_id, &[2], &[1]))], 0))
}

#[test]
fn split_index_is_merged_with_its_shared_index() {
    for format in FORMATS {
        let dir = Dir::new();
        let path = split_pair_in(format, &dir, 0xab);
        let read = read_entries(&path, Path::new("/nonexistent"), format, |_| true).unwrap();
        let expected = [
            raw(b"a", 0o100644, 1, 0, 0),
            raw(b"b", 0o100755, 2, 0, INTENT_TO_ADD),
            raw(b"bb", 0o100644, 3, 0, 0),
            raw(b"d", 0o100644, 1, 0, 0),
            raw(b"e", 0o100644, 4, 0, 0),
        ];
        assert_eq!(read.kept, expected.iter().map(|entry| expected_in(format, entry)).collect::<Vec<_>>());
        assert_eq!(read.total, 5);
        let filtered = read_entries(&path, dir.0.path(), format, |e| e.path.len() == 1).unwrap();
        assert_eq!(filtered.kept.iter().map(|e| e.path.as_slice()).collect::<Vec<_>>(), [b"a", b"b", b"d", b"e"]);
    }
}

#[test]
fn split_index_without_its_shared_index_is_an_error() {
    for format in FORMATS {
        let dir = Dir::new();
        let path = split_pair_in(format, &dir, 0xcd);
        let error = read_entries(&path, dir.0.path(), format, |_| true).unwrap_err();
        let expected = dir.0.path().join(format!("sharedindex.{}", "cd".repeat(format.id_len())));
        let found = (error.kind, &error.path, error.split_index.as_deref());
        assert_eq!(found, (ErrorKind::Missing, &expected, Some(&*path)));
        assert!(error.to_string().contains(&format!("sharedindex.{}", "cd".repeat(format.id_len()))), "{error}");
        // Present under the right name, but its checksum is another index's.
        let shared = dir.0.path().join(format!("sharedindex.{}", "ab".repeat(format.id_len())));
        std::fs::rename(&shared, &expected).unwrap();
        let error = read_entries(&path, dir.0.path(), format, |_| true).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Corrupt(Corruption::SharedIndexChecksum));
        assert_eq!((&error.path, error.index_path()), (&expected, &*path));
        assert!(error.to_string().contains("checksum"), "{error}");
    }
}

/// A caller can tell the kinds apart, and learns the file, the entry and where it starts.
#[test]
fn errors_say_their_kind_file_entry_and_offset() {
    let dir = Dir::new();
    let read = |bytes: &[u8]| dir.read("index", bytes).unwrap_err();
    let path = dir.0.path().join("index");
    let entries = [raw(b"a", 0o100644, 1, 0, 0), raw(b"b", 0o100644, 2, 0, 0)];
    // Version 2: the second entry starts after the first's 62 fixed bytes, its path and padding.
    let mut bytes = index_bytes(2, &entries, &[], 0);
    let fixed = fixed_len(ObjectFormat::Sha1);
    let second = HEADER_LEN + ((fixed + 1 + 8) & !7);
    bytes[second + fixed + 1] = b'x'; // the NUL after "b" is gone
    let error = read(&bytes);
    assert_eq!(error.kind, ErrorKind::Corrupt(Corruption::PathNotTerminated));
    assert_eq!((&error.path, error.split_index.as_ref()), (&path, None));
    assert_eq!(error.entry, Some(EntryAt { position: 1, count: 2 }));
    assert_eq!(error.offset, Some(second as u64));
    assert_eq!(
        error.to_string(),
        format!("cannot read the index {}: entry 2 of 2: the path is not NUL-terminated", path.display())
    );

    let cut = index_bytes(2, &entries, &[], 0);
    let error = read(&cut[..second + 10]);
    assert_eq!(error.kind, ErrorKind::Corrupt(Corruption::EndsInEntry));
    assert_eq!((error.entry, error.offset), (Some(EntryAt { position: 1, count: 2 }), Some(second as u64)));

    let unknown = index_bytes(2, &entries, &[(b"abcd", vec![])], 0);
    let error = read(&unknown);
    assert_eq!(error.kind, ErrorKind::Unsupported(Unsupported::Extension(*b"abcd")));
    assert_eq!(error.offset, Some((unknown.len() - 20 - 8) as u64), "where the extension starts");

    let error = read(&[b"DIRC", &7u32.to_be_bytes()[..], &cut[8..]].concat());
    assert_eq!(error.kind, ErrorKind::Unsupported(Unsupported::Version(7)));

    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    let error = read_entries(&path, dir.0.path(), ObjectFormat::Sha1, |_| true).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Io);
    // Windows refuses to open a folder as a file with "access denied".
    let folder = if cfg!(windows) { std::io::ErrorKind::PermissionDenied } else { std::io::ErrorKind::IsADirectory };
    assert_eq!(error.io_error().map(std::io::Error::kind), Some(folder));
    assert!(std::error::Error::source(&error).is_some(), "the system's words are the source's");
}

/// An error in the shared index names that file, and the split index that named it.
#[test]
fn errors_in_a_shared_index_name_both_files() {
    let dir = Dir::new();
    let path = split_pair(&dir, 0xab);
    let shared = dir.0.path().join(format!("sharedindex.{}", "ab".repeat(20)));
    let mut bytes = std::fs::read(&shared).unwrap();
    bytes[8..12].copy_from_slice(&9u32.to_be_bytes()); // nine entries claimed, four there
    std::fs::write(&shared, &bytes).unwrap();
    let error = read_entries(&path, dir.0.path(), ObjectFormat::Sha1, |_| true).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Corrupt(Corruption::EndsInEntry));
    assert_eq!((&error.path, error.split_index.as_deref()), (&shared, Some(&*path)));
    assert_eq!(error.entry.map(|entry| (entry.position, entry.count)), Some((4, 9)));
    let words = error.to_string();
    assert!(
        words.starts_with(&format!("cannot read the index {}: its shared index {}", path.display(), shared.display())),
        "{words}"
    );
}

#[test]
fn a_null_link_is_not_split() {
    let dir = Dir::new();
    let entries = [raw(b"a", 0o100644, 1, 0, 0)];
    for format in FORMATS {
        let bytes = index_bytes_in(format, 2, &entries, &[(b"link", vec![0; format.id_len()])], 0);
        assert_eq!(dir.read_in(format, "index", &bytes).unwrap().kept.len(), 1);
    }
}

#[test]
fn varints_round_trip_as_git_encodes_them() {
    for value in [0, 1, 127, 128, 129, 16383, 16511, 16512, 1 << 20, usize::MAX >> 8] {
        let bytes = varint(value);
        assert_eq!(decode_varint(&bytes).unwrap(), Some((value, bytes.len())), "{value}");
        assert_eq!(decode_varint(&bytes[..bytes.len() - 1]).unwrap(), None);
    }
    assert!(decode_varint(&[0xff; 12]).is_err(), "overflow");
}

/// A SHA-256 index read as SHA-1 (or the other way round) is misread: an error or other
/// entries, never a panic (the format comes from the repository's config, not the file).
#[test]
fn an_index_read_in_the_wrong_format_is_never_a_panic() {
    let dir = Dir::new();
    for (written, read) in [(ObjectFormat::Sha256, ObjectFormat::Sha1), (ObjectFormat::Sha1, ObjectFormat::Sha256)] {
        for version in [2, 3, 4] {
            let bytes = index_bytes_in(written, version, &sample(true), &[(b"TREE", vec![1; 10])], 0);
            let _ = dir.read_in(read, "index", &bytes);
        }
    }
}

/// SHA-256 entries are 12 bytes longer: the offsets an error names say so.
#[test]
fn sha256_errors_name_the_entry_and_where_it_starts() {
    let dir = Dir::new();
    let format = ObjectFormat::Sha256;
    let entries = [raw(b"a", 0o100644, 1, 0, 0), raw(b"b", 0o100644, 2, 0, 0)];
    let mut bytes = index_bytes_in(format, 2, &entries, &[], 0);
    let fixed = fixed_len(format);
    assert_eq!(fixed, 74);
    let second = HEADER_LEN + ((fixed + 1 + 8) & !7);
    bytes[second + fixed + 1] = b'x';
    let error = dir.read_in(format, "index", &bytes).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Corrupt(Corruption::PathNotTerminated));
    assert_eq!((error.entry, error.offset), (Some(EntryAt { position: 1, count: 2 }), Some(second as u64)));
    let unknown = index_bytes_in(format, 4, &entries, &[(b"abcd", vec![])], 0);
    let error = dir.read_in(format, "index", &unknown).unwrap_err();
    assert_eq!(error.offset, Some((unknown.len() - 32 - 8) as u64), "where the extension starts");
    // Too short for a header and a SHA-256 trailer, though long enough for a SHA-1 one.
    let short = index_bytes_in(ObjectFormat::Sha1, 2, &[], &[], 0);
    assert_eq!(short.len(), HEADER_LEN + 20);
    assert!(matches!(
        dir.read_in(format, "index", &short).unwrap_err().kind,
        ErrorKind::Corrupt(Corruption::TooShort { .. })
    ));
}
