//! The records of one block: prefix-compressed names, and the values of ref and index
//! records. Every length is checked against the block before it is used.

use std::fmt;
use std::path::Path;

use super::error::{Corruption, Error};

/// git's varint (the ofs-delta encoding): 7 bits a byte, each continuation adding one.
/// `None` past the end or beyond 64 bits.
pub(super) fn varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut byte = *bytes.get(*pos)?;
    *pos += 1;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        value = value.checked_add(1)?;
        if value >> 57 != 0 {
            return None;
        }
        byte = *bytes.get(*pos)?;
        *pos += 1;
        value = (value << 7) | u64::from(byte & 0x7f);
    }
    Some(value)
}

/// An object id as the table holds it: raw bytes, 20 (SHA-1) or 32 (SHA-256) of them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RawId {
    bytes: [u8; 32],
    len: u8,
}

impl RawId {
    pub(super) fn from_bytes(bytes: &[u8]) -> RawId {
        let mut id = RawId { bytes: [0; 32], len: bytes.len() as u8 };
        id.bytes[..bytes.len()].copy_from_slice(bytes);
        id
    }

    /// The id's bytes (as many as the table's hash has).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for RawId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_bytes().iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// What a ref record says of its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// The ref was deleted: older tables' records of it no longer count.
    Deletion,
    /// The ref names this object.
    Id(RawId),
    /// The ref names an annotated tag (`id`), which peels to `peeled`.
    Peeled {
        /// The tag.
        id: RawId,
        /// The first object that is not a tag.
        peeled: RawId,
    },
    /// A symbolic ref naming another ref (`HEAD` naming `refs/heads/main`).
    Symbolic(Vec<u8>),
}

/// One ref record: the name, the update that last wrote it, its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The full name (`HEAD`, `refs/heads/main`).
    pub name: Vec<u8>,
    /// The update index that last changed it.
    pub update_index: u64,
    /// Its value.
    pub value: Value,
}

/// A block's record area, `bytes[..end]`, at file offset `start`, in the file `path`.
pub(super) struct Records<'a> {
    pub bytes: &'a [u8],
    pub end: usize,
    pub start: u64,
    pub path: &'a Path,
}

impl Records<'_> {
    fn damage(&self, corruption: Corruption, pos: usize) -> Error {
        Error::corrupt(corruption, self.path, self.start + pos as u64)
    }

    fn varint(&self, pos: &mut usize) -> Result<u64, Error> {
        let at = *pos;
        match varint(&self.bytes[..self.end], pos) {
            Some(value) => Ok(value),
            None if *pos >= self.end => Err(self.damage(Corruption::RecordPastEnd, at)),
            None => Err(self.damage(Corruption::Varint, at)),
        }
    }

    fn take(&self, pos: &mut usize, len: u64) -> Result<&[u8], Error> {
        let at = *pos;
        let len = usize::try_from(len).ok().filter(|&len| len <= self.end - at);
        let len = len.ok_or_else(|| self.damage(Corruption::RecordPastEnd, at))?;
        *pos += len;
        Ok(&self.bytes[at..at + len])
    }

    /// Decodes the name of the record at `pos` into `name`, which holds the previous name
    /// (empty at a restart). Returns the value type and where the value starts.
    pub fn name(&self, pos: usize, name: &mut Vec<u8>) -> Result<(u8, usize), Error> {
        let mut at = pos;
        let prefix = self.varint(&mut at)?;
        let tag = self.varint(&mut at)?;
        let prefix = usize::try_from(prefix).ok().filter(|&prefix| prefix <= name.len());
        let prefix = prefix.ok_or_else(|| self.damage(Corruption::PrefixLength, pos))?;
        let suffix = self.take(&mut at, tag >> 3)?;
        name.truncate(prefix);
        name.extend_from_slice(suffix);
        Ok(((tag & 7) as u8, at))
    }

    /// The value of a ref record whose name ended at `pos`; returns the update index delta,
    /// the value and where the next record starts.
    pub fn ref_value(&self, pos: usize, value_type: u8, hash: usize) -> Result<(u64, Value, usize), Error> {
        let mut at = pos;
        let delta = self.varint(&mut at)?;
        let value = match value_type {
            0 => Value::Deletion,
            1 => Value::Id(RawId::from_bytes(self.take(&mut at, hash as u64)?)),
            2 => {
                let id = RawId::from_bytes(self.take(&mut at, hash as u64)?);
                Value::Peeled { id, peeled: RawId::from_bytes(self.take(&mut at, hash as u64)?) }
            }
            3 => {
                let len = self.varint(&mut at)?;
                Value::Symbolic(self.take(&mut at, len)?.to_vec())
            }
            _ => return Err(self.damage(Corruption::ValueType, pos)),
        };
        Ok((delta, value, at))
    }

    /// The block position of an index record whose name ended at `pos`, and where the next
    /// record starts.
    pub fn index_value(&self, pos: usize, value_type: u8) -> Result<(u64, usize), Error> {
        if value_type != 0 {
            return Err(self.damage(Corruption::ValueType, pos));
        }
        let mut at = pos;
        Ok((self.varint(&mut at)?, at))
    }
}

#[cfg(test)]
mod tests {
    use super::varint;

    #[test]
    fn varints_are_git_offset_encoding_and_overflow_is_refused() {
        let read = |bytes: &[u8]| varint(bytes, &mut 0);
        assert_eq!(read(&[0x05]), Some(5));
        assert_eq!(read(&[0x80, 0x00]), Some(128));
        assert_eq!(read(&[0x81, 0x7f]), Some(((1 + 1) << 7) | 0x7f));
        assert_eq!(read(&[0x80]), None, "cut short");
        assert_eq!(read(&[0xff; 12]), None, "beyond 64 bits");
        assert_eq!(read(&[]), None);
    }
}
