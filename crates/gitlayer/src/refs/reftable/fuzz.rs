//! The reftable reader on arbitrary bytes: one table read whole, every name it lists looked
//! up, seeks to prefixes of them, and the table stacked on itself (merged iteration, newest
//! wins). What the reader lists is in name order, and a name it finds is the one sought.
//!
//! A fuzzer cannot guess a CRC-32: when the input's first byte is odd, the harness mends
//! the footer (the header copied into it, its CRC computed) before reading, so the damage
//! reaches the blocks.

use std::path::Path;
use std::sync::Arc;

use super::{Stack, Table, Value};

/// At most this many names are looked up again (the table may list thousands).
const LOOKUPS: usize = 256;

/// The harness: `bytes[0]` chooses whether to mend the footer, the rest is the table.
pub fn table(bytes: &[u8]) {
    let Some((&mode, file)) = bytes.split_first() else { return };
    let mut file = file.to_vec();
    if mode & 1 == 1 {
        mend_footer(&mut file);
    }
    let path = Path::new("fuzz.ref");
    let Ok(table) = Table::from_bytes(path, file) else { return };
    let mut names = Vec::new();
    if let Ok(mut cursor) = table.seek(b"") {
        while let Ok(Some(record)) = table.next(&mut cursor) {
            assert!(names.last().is_none_or(|last: &Vec<u8>| *last < record.name), "names in order");
            names.push(record.name);
        }
    }
    for name in names.iter().take(LOOKUPS) {
        // Damage may make a restart point lie about the names after it: a listed name
        // need not be found again, but whatever is found has the name sought.
        if let Ok(Some(found)) = table.get(name) {
            assert_eq!(found.name, *name);
        }
        let _ = table.seek(&name[..name.len() / 2]);
    }
    for name in [&b""[..], b"HEAD", b"refs/", b"refs/heads/main", b"\xff\xff"] {
        let _ = table.get(name);
    }
    let table = Arc::new(table);
    let stack = Stack::of(Path::new("fuzz"), vec![Arc::clone(&table), table]);
    // The listing from `refs/` seeks through the index, which may lead past (or elsewhere
    // than) damage the walk from the start stopped at: its count is not compared.
    if let Ok(mut iter) = stack.iter(b"refs/") {
        while let Ok(Some(record)) = iter.next_ref() {
            assert_ne!(record.value, Value::Deletion);
        }
    }
    for name in names.iter().take(LOOKUPS) {
        let _ = stack.get(name);
    }
}

/// Copies the header into the footer and computes the footer's CRC-32.
fn mend_footer(file: &mut [u8]) {
    let (header, footer) = match file.get(4) {
        Some(2) => (28, 72),
        _ => (24, 68),
    };
    if file.len() < header + footer {
        return;
    }
    let start = file.len() - footer;
    let (head, tail) = file.split_at_mut(start);
    tail[..header].copy_from_slice(&head[..header]);
    let crc = crc32fast::hash(&tail[..footer - 4]);
    tail[footer - 4..].copy_from_slice(&crc.to_be_bytes());
}

fn put_varint(mut value: u64, out: &mut Vec<u8>) {
    let mut bytes = [0u8; 10];
    let mut at = 9;
    bytes[at] = (value & 0x7f) as u8;
    while value >> 7 != 0 {
        value = (value >> 7) - 1;
        at -= 1;
        bytes[at] = 0x80 | (value & 0x7f) as u8;
    }
    out.extend_from_slice(&bytes[at..]);
}

/// A small well-formed version 1 table (unaligned, one ref block, a restart every three
/// records): a symbolic `HEAD`, branches, a peeled tag and a deletion, for the properties
/// and as a seed. Its first byte is the harness's mode (mend the footer).
pub fn sample_table() -> Vec<u8> {
    let id = |byte: u8| vec![byte; 20];
    let symbolic = |target: &[u8]| [&[target.len() as u8][..], target].concat();
    let records: Vec<(&[u8], u8, Vec<u8>)> = vec![
        (b"HEAD", 3, symbolic(b"refs/heads/main")),
        (b"refs/heads/main", 1, id(1)),
        (b"refs/heads/side", 1, id(2)),
        (b"refs/remotes/origin/HEAD", 3, symbolic(b"refs/remotes/origin/main")),
        (b"refs/remotes/origin/main", 1, id(1)),
        (b"refs/tags/gone", 0, Vec::new()),
        (b"refs/tags/v1", 2, [id(3), id(1)].concat()),
    ];
    let mut out = b"REFT\x01\0\0\0".to_vec();
    out.extend_from_slice(&1u64.to_be_bytes());
    out.extend_from_slice(&3u64.to_be_bytes());
    out.extend_from_slice(b"r\0\0\0");
    let mut restarts = Vec::new();
    let mut prev: &[u8] = b"";
    for (i, (name, value_type, value)) in records.iter().enumerate() {
        let prefix = if i % 3 == 0 { 0 } else { prev.iter().zip(name.iter()).take_while(|(a, b)| a == b).count() };
        if prefix == 0 {
            restarts.push(out.len());
        }
        put_varint(prefix as u64, &mut out);
        put_varint((((name.len() - prefix) as u64) << 3) | u64::from(*value_type), &mut out);
        out.extend_from_slice(&name[prefix..]);
        put_varint(i as u64 % 3, &mut out);
        out.extend_from_slice(value);
        prev = name;
    }
    for restart in &restarts {
        out.extend_from_slice(&(*restart as u32).to_be_bytes()[1..]);
    }
    out.extend_from_slice(&(restarts.len() as u16).to_be_bytes());
    let len = (out.len() as u32).to_be_bytes();
    out[25..28].copy_from_slice(&len[1..]);
    let header = out[..24].to_vec();
    out.extend_from_slice(&header);
    out.extend_from_slice(&[0; 40]);
    out.extend_from_slice(&[0; 4]);
    mend_footer(&mut out);
    [&[1u8][..], &out].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_table_reads_as_written() {
        let sample = sample_table();
        let table = Table::from_bytes(Path::new("sample.ref"), sample[1..].to_vec()).unwrap();
        let stack = Stack::of(Path::new("s"), vec![Arc::new(table)]);
        assert_eq!(stack.get(b"HEAD").unwrap().unwrap().value, Value::Symbolic(b"refs/heads/main".to_vec()));
        assert_eq!(stack.get(b"refs/tags/gone").unwrap(), None, "a deletion");
        let mut iter = stack.iter(b"refs/").unwrap();
        let mut names = Vec::new();
        while let Some(record) = iter.next_ref().unwrap() {
            names.push(String::from_utf8(record.name).unwrap());
        }
        assert_eq!(names.len(), 5, "{names:?}");
        super::table(&sample);
    }
}
