//! One reftable file: the header and footer checked when it is opened, then its ref blocks
//! read where a lookup needs them: the ref index (or the few ref blocks of a small table)
//! leads to one block, whose restart points are searched by bisection, then at most one
//! restart interval is scanned. Object and log blocks are never read.

use std::fs::File;
use std::io::Read;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use super::error::{Corruption, Error, ErrorKind, Unsupported};
use super::record::{Record, Records, Value};

const BLOCK_REF: u8 = b'r';
const BLOCK_INDEX: u8 = b'i';
/// git's writer keeps every index level within the block size; a table of 16 MiB blocks
/// needs no more than a few.
const MAX_INDEX_DEPTH: usize = 8;
/// Tables up to this size are read, larger ones mapped.
const SMALL_TABLE: u64 = 64 * 1024;

enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(map) => map,
            Bytes::Owned(bytes) => bytes,
        }
    }
}

/// One table of a stack, opened: its header and footer are checked.
pub struct Table {
    path: PathBuf,
    bytes: Bytes,
    header_len: usize,
    hash_len: usize,
    block_size: u64,
    min_update_index: u64,
    max_update_index: u64,
    /// Where the footer starts: the blocks end there.
    blocks_end: u64,
    /// Where the ref blocks end (the first other section, or the footer).
    refs_end: u64,
    /// The root of the ref index, 0 without one.
    ref_index: u64,
}

/// A position among a table's ref records (between two of them).
#[derive(Debug, Clone)]
pub struct Cursor {
    block: u64,
    /// Where the next record starts in the block; 0 before its first.
    pos: usize,
    /// The name of the record before `pos` (the base of its prefix compression, and the
    /// order check), empty before the first.
    prev: Vec<u8>,
    done: bool,
}

/// A block of refs or of the ref index.
struct Block<'a> {
    records: Records<'a>,
    kind: u8,
    first: usize,
    restart_count: usize,
    next: u64,
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |value, &byte| (value << 8) | u64::from(byte))
}

impl Table {
    /// Opens the table file at `path` (read if small, else mapped).
    pub fn open(path: &Path) -> Result<Table, Error> {
        let file = File::open(path).map_err(|e| Error::io(e, path))?;
        let len = file.metadata().map_err(|e| Error::io(e, path))?.len();
        // Most tables of a stack hold a few refs: reading one costs a system call, mapping it
        // three and a page fault or two. A large one is mapped, so a lookup touches only the
        // blocks it reads.
        if len <= SMALL_TABLE {
            let mut bytes = Vec::with_capacity(len as usize);
            file.take(SMALL_TABLE + 1).read_to_end(&mut bytes).map_err(|e| Error::io(e, path))?;
            return Table::parse(path, Bytes::Owned(bytes));
        }
        let map = crate::refs::refdb_ffi::map_table(&file).map_err(|e| Error::io(e, path))?;
        Table::parse(path, Bytes::Mapped(map))
    }

    /// A table from bytes in memory (for the fuzz harness and tests).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Table, Error> {
        Table::parse(path, Bytes::Owned(bytes))
    }

    fn parse(path: &Path, bytes: Bytes) -> Result<Table, Error> {
        let corrupt = |corruption, offset| Error::corrupt(corruption, path, offset);
        if bytes.len() < 24 + 68 {
            return Err(corrupt(Corruption::TooShort, 0));
        }
        if &bytes[..4] != b"REFT" {
            return Err(corrupt(Corruption::Magic, 0));
        }
        let (header_len, footer_len, hash_len) = match bytes[4] {
            1 => (24, 68, 20),
            2 => {
                let hash_len = match be(&bytes[24..28]) as u32 {
                    0x7368_6131 => 20, // "sha1"
                    0x7332_3536 => 32, // "s256"
                    id => return Err(Error::new(ErrorKind::Unsupported(Unsupported::HashId(id)), path)),
                };
                (28, 72, hash_len)
            }
            version => return Err(Error::new(ErrorKind::Unsupported(Unsupported::Version(version)), path)),
        };
        if bytes.len() < header_len + footer_len {
            return Err(corrupt(Corruption::TooShort, 0));
        }
        let footer_start = bytes.len() - footer_len;
        let footer = &bytes[footer_start..];
        if footer[..header_len] != bytes[..header_len] {
            return Err(corrupt(Corruption::FooterHeader, footer_start as u64));
        }
        if crc32fast::hash(&footer[..footer_len - 4]) as u64 != be(&footer[footer_len - 4..]) {
            return Err(corrupt(Corruption::Crc, (bytes.len() - 4) as u64));
        }
        let field = |i: usize| be(&footer[header_len + 8 * i..header_len + 8 * i + 8]);
        let (ref_index, obj, log) = (field(0), field(1) >> 5, field(3));
        let blocks_end = footer_start as u64;
        if [ref_index, obj, field(2), log, field(4)].iter().any(|&position| position >= blocks_end.max(1)) {
            return Err(corrupt(Corruption::FooterPosition, footer_start as u64));
        }
        let refs_end = [ref_index, obj, log].into_iter().filter(|&p| p != 0).fold(blocks_end, u64::min);
        let (min_update_index, max_update_index) = (be(&bytes[8..16]), be(&bytes[16..24]));
        if min_update_index > max_update_index {
            return Err(corrupt(Corruption::UpdateIndex, 8));
        }
        Ok(Table {
            path: path.to_path_buf(),
            header_len,
            hash_len,
            block_size: be(&bytes[5..8]),
            min_update_index,
            max_update_index,
            blocks_end,
            refs_end,
            ref_index,
            bytes,
        })
    }

    /// Whether it has a ref index (git writes one from 4 ref blocks on).
    pub fn has_ref_index(&self) -> bool {
        self.ref_index != 0
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many bytes its object ids take: 20 (SHA-1) or 32 (SHA-256).
    pub fn hash_len(&self) -> usize {
        self.hash_len
    }

    fn damage(&self, corruption: Corruption, offset: u64) -> Error {
        Error::corrupt(corruption, &self.path, offset)
    }

    /// The ref or index block at `offset`; `None` at the end of the blocks or at a block of
    /// another kind (objects, logs).
    fn block(&self, offset: u64) -> Result<Option<Block<'_>>, Error> {
        if offset >= self.blocks_end {
            return Ok(None);
        }
        let header = if offset == 0 { self.header_len } else { 0 };
        let start = offset as usize;
        let end = self.blocks_end as usize;
        let past_end = || self.damage(Corruption::BlockPastEnd, offset);
        if offset == 0 && end == header {
            return Ok(None); // an empty table: a header, then the footer
        }
        if end - start < header + 4 {
            return Err(past_end());
        }
        let kind = self.bytes[start + header];
        match kind {
            BLOCK_REF | BLOCK_INDEX => {}
            b'o' | b'g' => return Ok(None),
            _ => return Err(self.damage(Corruption::BlockType, offset + header as u64)),
        }
        let len = be(&self.bytes[start + header + 1..start + header + 4]) as usize;
        if len < header + 4 + 2 || len > end - start {
            return Err(past_end());
        }
        let bytes = &self.bytes[start..start + len];
        let restart_count = be(&bytes[len - 2..]) as usize;
        let restarts = (len - 2).checked_sub(3 * restart_count).filter(|&r| r >= header + 4 && restart_count > 0);
        let restarts = restarts.ok_or_else(|| self.damage(Corruption::RestartTable, offset + len as u64 - 2))?;
        let unpadded =
            self.block_size == 0 || len as u64 > self.block_size || (start + len < end && self.bytes[start + len] != 0);
        let next = offset + if unpadded { len as u64 } else { self.block_size };
        let records = Records { bytes, end: restarts, start: offset, path: &self.path };
        Ok(Some(Block { records, kind, first: header + 4, restart_count, next }))
    }

    fn restart(&self, block: &Block<'_>, i: usize) -> Result<usize, Error> {
        let at = block.records.end + 3 * i;
        let pos = be(&block.records.bytes[at..at + 3]) as usize;
        if pos < block.first || pos >= block.records.end {
            return Err(self.damage(Corruption::RestartOffset, block.records.start + at as u64));
        }
        Ok(pos)
    }

    /// In `block`, the first record whose name is at least `want`: its position and the name
    /// before it. `None` when every name in the block is smaller (`prev` then holds the last).
    fn seek_in(&self, block: &Block<'_>, want: &[u8], prev: &mut Vec<u8>) -> Result<Option<usize>, Error> {
        // The last restart whose name is not above `want`: bisection over full names.
        let (mut low, mut high) = (0, block.restart_count);
        let mut name = Vec::new();
        while high - low > 1 {
            let mid = low + (high - low) / 2;
            name.clear();
            block.records.name(self.restart(block, mid)?, &mut name)?;
            if name.as_slice() <= want {
                low = mid;
            } else {
                high = mid;
            }
        }
        let mut pos = self.restart(block, low)?;
        prev.clear();
        name.clear();
        while pos < block.records.end {
            let (value_type, value) = block.records.name(pos, &mut name)?;
            if !prev.is_empty() && name <= *prev {
                return Err(self.damage(Corruption::Order, block.records.start + pos as u64));
            }
            if name.as_slice() >= want {
                return Ok(Some(pos));
            }
            pos = match block.kind {
                BLOCK_REF => block.records.ref_value(value, value_type, self.hash_len)?.2,
                _ => block.records.index_value(value, value_type)?.1,
            };
            prev.clone_from(&name);
        }
        Ok(None)
    }

    /// A cursor before the first ref record whose name is at least `want` (`b""`: the first).
    pub fn seek(&self, want: &[u8]) -> Result<Cursor, Error> {
        let mut prev = Vec::new();
        let finished = |prev| Cursor { block: 0, pos: 0, prev, done: true };
        if self.ref_index == 0 {
            // A small table: its few ref blocks one after the other.
            let mut offset = 0;
            while let Some(block) = self.block(offset)?.filter(|b| b.kind == BLOCK_REF && offset < self.refs_end) {
                if let Some(pos) = self.seek_in(&block, want, &mut prev)? {
                    return Ok(Cursor { block: offset, pos, prev, done: false });
                }
                offset = block.next;
            }
            return Ok(finished(prev));
        }
        // The highest level of the index comes last in the file, at `ref_index`, and may
        // take a few blocks: read them in order. Each record names the block that ends with
        // its name, of the level below or of refs.
        let mut offset = self.ref_index;
        let mut target = loop {
            match self.block(offset)? {
                Some(block) if block.kind == BLOCK_INDEX => {
                    if let Some(pos) = self.seek_in(&block, want, &mut prev)? {
                        break self.index_target(&block, pos, &mut prev)?;
                    }
                    offset = block.next;
                }
                _ if offset == self.ref_index => return Err(self.damage(Corruption::IndexTarget, offset)),
                _ => return Ok(finished(Vec::new())),
            }
        };
        for _ in 0..MAX_INDEX_DEPTH {
            let block = self.block(target)?.ok_or_else(|| self.damage(Corruption::IndexTarget, target))?;
            let found = self.seek_in(&block, want, &mut prev)?;
            match (block.kind, found) {
                (BLOCK_REF, Some(pos)) => return Ok(Cursor { block: target, pos, prev, done: false }),
                // The index said this block ends with a name at least `want`; it does not.
                (BLOCK_REF, None) => return Ok(Cursor { block: block.next, pos: 0, prev, done: false }),
                (_, Some(pos)) => target = self.index_target(&block, pos, &mut prev)?,
                (_, None) => break,
            }
        }
        Err(self.damage(Corruption::IndexTarget, target))
    }

    /// The block an index record at `pos` names (`prev` holds the name before it).
    fn index_target(&self, block: &Block<'_>, pos: usize, prev: &mut Vec<u8>) -> Result<u64, Error> {
        let (value_type, value) = block.records.name(pos, prev)?;
        let target = block.records.index_value(value, value_type)?.0;
        if target >= self.blocks_end {
            return Err(self.damage(Corruption::IndexTarget, block.records.start + pos as u64));
        }
        prev.clear();
        Ok(target)
    }

    /// The record after `cursor`, moving it on; `None` after the last ref record.
    pub fn next(&self, cursor: &mut Cursor) -> Result<Option<Record>, Error> {
        while !cursor.done {
            let block = match self.block(cursor.block)? {
                Some(block) if block.kind == BLOCK_REF && cursor.block < self.refs_end => block,
                _ => break,
            };
            if cursor.pos == 0 {
                cursor.pos = block.first;
            }
            if cursor.pos >= block.records.end {
                cursor.block = block.next;
                cursor.pos = 0;
                continue;
            }
            let mut name = if cursor.pos == block.first { Vec::new() } else { cursor.prev.clone() };
            let (value_type, value) = block.records.name(cursor.pos, &mut name)?;
            let at = block.records.start + cursor.pos as u64;
            // git writes no empty name; one would also slip past this order check.
            if name.is_empty() || name <= cursor.prev {
                return Err(self.damage(Corruption::Order, at));
            }
            let (delta, value, next) = block.records.ref_value(value, value_type, self.hash_len)?;
            let update_index = self.min_update_index.checked_add(delta).filter(|&u| u <= self.max_update_index);
            let update_index = update_index.ok_or_else(|| self.damage(Corruption::UpdateIndex, at))?;
            if name.contains(&0) || matches!(&value, Value::Symbolic(target) if target.contains(&0)) {
                return Err(self.damage(Corruption::NulInName, at));
            }
            cursor.pos = next;
            cursor.prev.clone_from(&name);
            return Ok(Some(Record { name, update_index, value }));
        }
        cursor.done = true;
        Ok(None)
    }

    /// This table's record of `name` (a deletion included), `None` when it has none.
    pub fn get(&self, name: &[u8]) -> Result<Option<Record>, Error> {
        let mut cursor = self.seek(name)?;
        Ok(self.next(&mut cursor)?.filter(|record| record.name == name))
    }
}
