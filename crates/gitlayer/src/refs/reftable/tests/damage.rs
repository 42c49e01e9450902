//! Tables damaged on purpose: each damage is its own typed error, naming the file and the
//! offset; any byte flipped or any length cut gives a value or an error, never a panic.

use std::fs;
use std::path::{Path, PathBuf};

use super::super::*;
use super::{git, repository};

/// A repository whose refs are in one table, and that table's path.
fn one_table() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (dir, top) = repository();
    let input: String = (0..300).map(|i| format!("create refs/heads/b{i:03} HEAD\n")).collect();
    git(&top, &["update-ref", "--stdin"], Some(&input));
    git(&top, &["pack-refs", "--all"], None);
    let list = fs::read_to_string(top.join(".git/reftable/tables.list")).unwrap();
    let table = top.join(".git/reftable").join(list.trim());
    (dir, top, table)
}

fn damaged(path: &Path, change: impl FnOnce(&mut Vec<u8>)) -> Result<Table, Error> {
    let mut bytes = fs::read(path).unwrap();
    change(&mut bytes);
    Table::from_bytes(path, bytes)
}

fn corruption(result: Result<impl Sized, Error>) -> Corruption {
    match result {
        Err(Error { kind: ErrorKind::Corrupt(corruption), offset: Some(_), .. }) => corruption,
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("read as if whole"),
    }
}

#[test]
fn each_damage_is_its_own_error_naming_the_file_and_offset() {
    let (_dir, _top, path) = one_table();
    let table = Table::open(&path).unwrap();
    assert_eq!(read_all_records(&table).unwrap(), 300 + 5, "HEAD, main, side, v1, light");
    let len = fs::metadata(&path).unwrap().len() as usize;

    assert_eq!(corruption(damaged(&path, |b| b[0] = b'X')), Corruption::Magic);
    assert!(matches!(
        damaged(&path, |b| b[4] = 3).err().unwrap().kind,
        ErrorKind::Unsupported(Unsupported::Version(3))
    ));
    assert_eq!(corruption(damaged(&path, |b| b[len - 20] ^= 1)), Corruption::Crc);
    assert_eq!(corruption(damaged(&path, |b| b.truncate(len - 10))), Corruption::FooterHeader);
    assert_eq!(corruption(damaged(&path, |b| b.truncate(30))), Corruption::TooShort);
    // The first ref block: its length, its first record (after the 24-byte file header and
    // the 4-byte block header), its restart table.
    let first_block = |change: fn(&mut Vec<u8>)| {
        let table = damaged(&path, change).unwrap();
        corruption(read_all_records(&table))
    };
    assert_eq!(first_block(|b| b[25..28].copy_from_slice(&[0xff, 0xff, 0xff])), Corruption::BlockPastEnd);
    assert_eq!(first_block(|b| b[24] = b'x'), Corruption::BlockType);
    assert_eq!(first_block(|b| b[28] = 9), Corruption::PrefixLength);
    assert_eq!(first_block(|b| b[28..40].copy_from_slice(&[0xff; 12])), Corruption::Varint);
    assert_eq!(first_block(|b| b[29] = 0xf8 >> 1 | 0x7), Corruption::ValueType);
    let restarts_end = |b: &Vec<u8>| u32::from_be_bytes([0, b[25], b[26], b[27]]) as usize;
    let table = damaged(&path, |b| {
        let end = restarts_end(b);
        b[end - 5..end - 2].copy_from_slice(&[0xff, 0xff, 0xff]);
    })
    .unwrap();
    assert!(matches!(corruption(read_all_records(&table)), Corruption::RestartOffset | Corruption::Order));
    let table = damaged(&path, |b| {
        let end = restarts_end(b);
        b[end - 2..end].copy_from_slice(&[0xff, 0xff]);
    })
    .unwrap();
    assert_eq!(corruption(read_all_records(&table)), Corruption::RestartTable);
}

fn read_all_records(table: &Table) -> Result<usize, Error> {
    let mut cursor = table.seek(b"")?;
    let mut count = 0;
    while table.next(&mut cursor)?.is_some() {
        count += 1;
    }
    for name in [&b"HEAD"[..], b"refs/heads/b150", b"refs/heads/main", b"refs/tags/", b"zzz", b""] {
        table.get(name)?;
    }
    Ok(count)
}

#[test]
fn any_byte_flipped_or_cut_gives_a_value_or_an_error() {
    let (_dir, top) = repository();
    let list = fs::read_to_string(top.join(".git/reftable/tables.list")).unwrap();
    for name in list.lines() {
        let path = top.join(".git/reftable").join(name);
        let bytes = fs::read(&path).unwrap();
        for at in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut copy = bytes.clone();
                copy[at] ^= flip;
                if let Ok(table) = Table::from_bytes(&path, copy) {
                    let _ = read_all_records(&table);
                }
            }
            if let Ok(table) = Table::from_bytes(&path, bytes[..at].to_vec()) {
                let _ = read_all_records(&table);
            }
        }
    }
}

/// A table with a ref index, each of its blocks damaged in turn (the footer's CRC mended, as
/// the fuzz harness does): the walk from the start and the seeks through the index give a
/// value or an error, never a panic.
#[test]
fn damage_to_any_block_of_an_indexed_table_gives_a_value_or_an_error() {
    let (_dir, top) = repository();
    let input: String = (0..1500).map(|i| format!("create refs/heads/r{i:05} HEAD\n")).collect();
    git(&top, &["update-ref", "--stdin"], Some(&input));
    git(&top, &["pack-refs", "--all"], None);
    let list = fs::read_to_string(top.join(".git/reftable/tables.list")).unwrap();
    let bytes = fs::read(top.join(".git/reftable").join(list.trim())).unwrap();
    assert!(Table::from_bytes(Path::new("t"), bytes.clone()).unwrap().has_ref_index());
    for block in 1..bytes.len() / 4096 {
        for at in [block * 4096 + 1, block * 4096 + 4, block * 4096 + 200] {
            let mut damaged = [&[1u8][..], &bytes].concat();
            damaged[1 + at] ^= 0xff;
            super::super::fuzz::table(&damaged);
        }
    }
}

#[test]
fn a_stack_that_names_what_is_not_there_or_not_a_table_is_refused() {
    let (_dir, top) = repository();
    let list = top.join(".git/reftable/tables.list");
    let before = fs::read_to_string(&list).unwrap();
    fs::write(&list, format!("{before}0x000000000009-0x000000000009-00000000.ref\n")).unwrap();
    match Stack::open(&top.join(".git/reftable")) {
        Err(Error { kind: ErrorKind::MissingTable, path, .. }) => {
            assert!(path.ends_with("0x000000000009-0x000000000009-00000000.ref"))
        }
        other => panic!("{:?}", other.err()),
    }
    fs::write(&list, format!("{before}../../config\n")).unwrap();
    assert!(matches!(Stack::open(&top.join(".git/reftable")).err().unwrap().kind, ErrorKind::BadTableName(_)));
}

#[test]
fn a_circle_of_symbolic_refs_is_an_error_naming_the_stack() {
    let (_dir, top) = repository();
    git(&top, &["symbolic-ref", "refs/heads/a", "refs/heads/b"], None);
    git(&top, &["symbolic-ref", "refs/heads/b", "refs/heads/a"], None);
    let refs = Reftable::open(&top.join(".git"), &top.join(".git")).unwrap();
    match refs.resolve(b"refs/heads/a") {
        Err(Error { kind: ErrorKind::SymrefCycle { name }, .. }) => assert_eq!(name, "refs/heads/a"),
        other => panic!("{other:?}"),
    }
    // Through libgit2: the typed error, not libgit2's words.
    let repo = crate::repo::Repo::at(&top).unwrap();
    match repo.rev_commit_id("a") {
        Err(crate::repo::Error::Reftable(Error { kind: ErrorKind::SymrefCycle { .. }, .. })) => {}
        other => panic!("{other:?}"),
    }
}
