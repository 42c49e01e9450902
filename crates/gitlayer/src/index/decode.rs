//! Decoding one index entry from the bytes at hand: its fixed part (stat data, mode, object
//! id, flags), then its path, padded (versions 2 and 3) or prefix-compressed (version 4).

use super::{Corruption, EntryRef, ErrorKind, Unsupported, Version};
use crate::format::{Mode, VarintError, be16, be32, offset_varint};
use crate::id::ObjectFormat;

/// ctime and mtime (8 bytes each), dev, ino, mode, uid, gid and size (4 each): the stat
/// data, which the checks do not need.
pub(super) const STAT_LEN: usize = 40;
pub(super) const MODE_AT: usize = 24;

/// The fixed part of an entry, up to and including its 16-bit flags (62 bytes for SHA-1,
/// 74 for SHA-256): the stat data, the object id, the flags.
#[cfg(test)]
pub(super) const fn fixed_len(format: ObjectFormat) -> usize {
    STAT_LEN + format.id_len() + 2
}

pub(super) const NAME_MASK: u16 = 0x0fff;
pub(super) const STAGE_SHIFT: u16 = 12;
const STAGE_MASK: u16 = 0x3000;
pub(super) const EXTENDED: u16 = 0x4000;
pub(super) const SKIP_WORKTREE: u16 = 1 << 14;
pub(super) const INTENT_TO_ADD: u16 = 1 << 13;
/// git refuses an entry with any other extended flag set ("unknown index entry format").
const KNOWN_EXTENDED: u16 = SKIP_WORKTREE | INTENT_TO_ADD;

/// The outcome of decoding one entry from the bytes at hand.
pub(super) enum Step<'a> {
    /// The entry and how many bytes it took.
    Entry(EntryRef<'a>, usize),
    /// At least this many bytes are needed to decode it.
    Need(usize),
}

/// Decodes entries one after the other, with the offsets of the repository's object format.
pub(super) enum Decoder {
    /// 20-byte ids.
    Sha1(FormatDecoder<20>),
    /// 32-byte ids.
    Sha256(FormatDecoder<32>),
}

impl Decoder {
    pub(super) fn new(version: Version, format: ObjectFormat) -> Decoder {
        match format {
            ObjectFormat::Sha1 => Decoder::Sha1(FormatDecoder::new(version)),
            ObjectFormat::Sha256 => Decoder::Sha256(FormatDecoder::new(version)),
        }
    }

    /// The entry at the start of `buf`; an error is about that entry (the caller says which).
    /// One branch an entry, always the same way: the loop over the entries stays one loop, and
    /// the caller's visitor stays inlined in it.
    #[inline]
    pub(super) fn decode<'a>(&'a mut self, buf: &'a [u8]) -> Result<Step<'a>, ErrorKind> {
        match self {
            Decoder::Sha1(decoder) => decoder.decode(buf),
            Decoder::Sha256(decoder) => decoder.decode(buf),
        }
    }
}

/// Decodes entries one after the other; version 4 paths are the previous path minus some
/// bytes, plus a suffix, so the decoder keeps the previous path. `ID_LEN` is the length of
/// an object id (20 or 32): a constant, so that each format's decoder knows its offsets at
/// compile time, as the one for SHA-1 alone did.
pub(super) struct FormatDecoder<const ID_LEN: usize> {
    v4: bool,
    previous: Vec<u8>,
}

impl<const ID_LEN: usize> FormatDecoder<ID_LEN> {
    const FLAGS_AT: usize = STAT_LEN + ID_LEN;
    const FIXED_LEN: usize = Self::FLAGS_AT + 2;

    fn new(version: Version) -> Self {
        FormatDecoder { v4: version == Version::V4, previous: Vec::new() }
    }

    /// The entry at the start of `buf`; an error is about that entry (the caller says which).
    fn decode<'a>(&'a mut self, buf: &'a [u8]) -> Result<Step<'a>, ErrorKind> {
        let (flags_at, fixed_len) = (Self::FLAGS_AT, Self::FIXED_LEN);
        let Some(flags) = be16(buf, flags_at) else {
            return Ok(Step::Need(fixed_len + 2));
        };
        let (extended, name_at) = if flags & EXTENDED == 0 {
            (0, fixed_len)
        } else {
            match be16(buf, fixed_len) {
                Some(extended) => (extended, fixed_len + 2),
                None => return Ok(Step::Need(fixed_len + 2)),
            }
        };
        if extended & !KNOWN_EXTENDED != 0 {
            return Err(ErrorKind::Unsupported(Unsupported::EntryFlags(extended)));
        }
        let name_len = usize::from(flags & NAME_MASK);
        let named = if self.v4 { self.v4_path(buf, name_at, name_len)? } else { padded_path(buf, name_at, name_len)? };
        let (path, len) = match named {
            Named::Path(path, len) => (path, len),
            Named::Need(more) => return Ok(Step::Need(more)),
        };
        let id = buf.get(STAT_LEN..flags_at);
        let (Some(mode), Some(id)) = (be32(buf, MODE_AT), id) else {
            return Ok(Step::Need(fixed_len));
        };
        let entry = EntryRef {
            path,
            mode: Mode::from_bits(mode),
            id,
            stage: ((flags & STAGE_MASK) >> STAGE_SHIFT) as u8,
            intent_to_add: extended & INTENT_TO_ADD != 0,
            skip_worktree: extended & SKIP_WORKTREE != 0,
        };
        Ok(Step::Entry(entry, len))
    }

    /// A version 4 path: a varint saying how many bytes to drop from the end of the
    /// previous path, then the NUL-terminated rest. No padding follows.
    fn v4_path<'a>(&'a mut self, buf: &[u8], at: usize, name_len: usize) -> Result<Named<'a>, ErrorKind> {
        let Some((strip, varint_len)) = decode_varint(buf.get(at..).unwrap_or_default())? else {
            return Ok(Named::Need(at + 16));
        };
        let keep = self.previous.len().checked_sub(strip).ok_or(ErrorKind::Corrupt(Corruption::PathDropsTooMuch))?;
        let suffix_at = at + varint_len;
        let suffix_len = if name_len < usize::from(NAME_MASK) {
            name_len.checked_sub(keep).ok_or(ErrorKind::Corrupt(Corruption::PathShorterThanPrefix))?
        } else {
            match buf.get(suffix_at..).and_then(|rest| memchr::memchr(0, rest)) {
                Some(len) => len,
                None => return Ok(Named::Need(buf.len() * 2)),
            }
        };
        let end = suffix_at + suffix_len;
        match buf.get(end) {
            None => return Ok(Named::Need(end + 1)),
            Some(0) => {}
            Some(_) => return Err(ErrorKind::Corrupt(Corruption::PathNotTerminated)),
        }
        self.previous.truncate(keep);
        self.previous.extend_from_slice(&buf[suffix_at..end]);
        Ok(Named::Path(&self.previous, end + 1))
    }
}

enum Named<'a> {
    Path(&'a [u8], usize),
    Need(usize),
}

/// A version 2 or 3 path: the name, then 1 to 8 NUL bytes so the entry's length is a
/// multiple of 8. A name of 0xfff bytes or more has its length in the flags saturated and
/// is found by its NUL.
fn padded_path(buf: &[u8], at: usize, name_len: usize) -> Result<Named<'_>, ErrorKind> {
    let name_len = if name_len < usize::from(NAME_MASK) {
        name_len
    } else {
        match buf.get(at..).and_then(|rest| memchr::memchr(0, rest)) {
            Some(len) => len,
            None => return Ok(Named::Need(buf.len() * 2)),
        }
    };
    let end = at + name_len;
    let len = (end + 8) & !7;
    if buf.len() < len {
        return Ok(Named::Need(len));
    }
    if buf[end] != 0 {
        return Err(ErrorKind::Corrupt(Corruption::PathNotTerminated));
    }
    Ok(Named::Path(&buf[at..end], len))
}

/// git's offset varint (`decode_varint` in varint.c): 7 bits a byte, most significant
/// first, each continuation adding one. `Ok(None)` when the bytes end inside it.
pub(super) fn decode_varint(buf: &[u8]) -> Result<Option<(usize, usize)>, ErrorKind> {
    let overflow = ErrorKind::Corrupt(Corruption::PathLengthOverflow);
    match offset_varint(buf) {
        Ok((value, used)) => Ok(Some((usize::try_from(value).map_err(|_| overflow)?, used))),
        Err(VarintError::Truncated) => Ok(None),
        Err(VarintError::Overflow) => Err(overflow),
    }
}
