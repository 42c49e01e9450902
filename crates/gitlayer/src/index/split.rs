//! A split index (`git update-index --split-index`, `core.splitIndex`): the index file
//! holds only what changed since a shared index, `sharedindex.<id>` in the git directory.
//!
//! Its `link` extension names the shared index and carries two EWAH bitmaps over the
//! shared index's positions: entries deleted, and entries replaced. The replacing entries
//! come first in the split index, with empty paths (they take the shared entry's path);
//! the entries after them are additions. This merges the two as git's `merge_base_index`
//! does, streaming the shared index through the same `keep` filter.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{Bitmap, Corruption, Entries, Entry, EntryRef, Error, ErrorKind, EwahDamage, IndexFile, LinkDamage};
use crate::format::be32;
use crate::id::{ObjectFormat, ObjectId};

/// Merges the shared index into `entries`, which holds the split index's kept additions and
/// their count; `replacements` are its entries with empty paths, in order.
pub(super) fn merge(
    link: &Link,
    index_path: &Path,
    git_dir: &Path,
    replacements: &[Entry],
    mut entries: Entries,
    mut keep: impl FnMut(&EntryRef<'_>) -> bool,
) -> Result<Entries, Error> {
    let path = shared_index_path(&link.base_id, index_path, git_dir);
    let in_shared = |e: Error| e.in_shared_index_of(index_path);
    let missing = || in_shared(Error::new(ErrorKind::Missing, &path));
    let mut shared = IndexFile::open(&path, link.base_id.format()).map_err(in_shared)?.ok_or_else(missing)?;
    check_id(&path, &link.base_id).map_err(in_shared)?;
    let bitmap = |ewah: &Ewah, which| {
        let damage = |e| Corruption::Link(LinkDamage::Bitmap(which, e));
        ewah.positions(shared.count).map_err(|e| Error::corrupt(damage(e), index_path))
    };
    let deleted = bitmap(&link.deleted, Bitmap::Delete)?;
    let replaced = bitmap(&link.replaced, Bitmap::Replace)?;
    if replaced.len() != replacements.len() {
        let count = Corruption::ReplacementCount { replaced: replaced.len(), replacements: replacements.len() };
        return Err(Error::corrupt(count, index_path));
    }
    let mut deleted_at = deleted.iter().copied().peekable();
    let mut replaced_at = replaced.iter().copied().zip(replacements).peekable();
    shared
        .for_each_entry(|position, base| {
            let replacement = replaced_at.next_if(|(at, _)| *at == position).map(|(_, entry)| entry);
            if deleted_at.next_if_eq(&position).is_some() {
                return match replacement {
                    Some(_) => Err(ErrorKind::Corrupt(Corruption::ReplacedAndDeleted)),
                    None => Ok(()),
                };
            }
            let merged = replacement.map(|entry| EntryRef { path: base.path, ..entry.as_entry_ref() });
            let entry = merged.as_ref().unwrap_or(base);
            if entry.path.is_empty() {
                return Err(ErrorKind::Corrupt(Corruption::EmptyPath));
            }
            if keep(entry) {
                entries.kept.push(entry.to_entry());
            }
            Ok(())
        })
        .map_err(in_shared)?;
    if shared.read_extensions().map_err(in_shared)?.is_some() {
        return Err(in_shared(Error::corrupt(Corruption::SharedIndexSplit, &path)));
    }
    // Additions were kept first; git's order is by path, then stage.
    entries.kept.sort_by(|a, b| (&a.path, a.stage).cmp(&(&b.path, b.stage)));
    entries.total += shared.count - deleted.len();
    Ok(entries)
}

/// git looks in the git directory first, then beside the index file; when it is in
/// neither, where git looks first.
fn shared_index_path(id: &ObjectId, index_path: &Path, git_dir: &Path) -> PathBuf {
    let name = format!("sharedindex.{id}");
    let in_git_dir = git_dir.join(&name);
    if in_git_dir.is_file() {
        return in_git_dir;
    }
    let beside_index = index_path.parent().unwrap_or(Path::new("")).join(&name);
    if beside_index.is_file() { beside_index } else { in_git_dir }
}

/// The shared index's name is its trailing checksum; a different one is another index.
fn check_id(path: &Path, id: &ObjectId) -> Result<(), Error> {
    let io = |e| Error::io(e, path);
    let mut file = File::open(path).map_err(io)?;
    let len = id.format().id_len();
    file.seek(SeekFrom::End(-(len as i64))).map_err(io)?;
    let mut trailer = [0; 32];
    file.read_exact(&mut trailer[..len]).map_err(io)?;
    match ObjectId::from_bytes(&trailer[..len]) == Some(*id) {
        true => Ok(()),
        false => Err(Error::corrupt(Corruption::SharedIndexChecksum, path)),
    }
}

/// The `link` extension: the shared index's id, then the delete and replace bitmaps.
pub(super) struct Link {
    base_id: ObjectId,
    deleted: Ewah,
    replaced: Ewah,
}

impl Link {
    /// The link, or `None` for a null link: the index is no longer split, and names no
    /// shared index. Its id is one of the repository's `format`.
    pub(super) fn parse(data: &[u8], format: ObjectFormat) -> Result<Option<Link>, LinkDamage> {
        let base_id = ObjectId::read(data, format).ok_or(LinkDamage::TooShort)?;
        if base_id.is_null() {
            return Ok(None);
        }
        let rest = &data[format.id_len()..];
        if rest.is_empty() {
            return Ok(Some(Link { base_id, deleted: Ewah::default(), replaced: Ewah::default() }));
        }
        let (deleted, used) = Ewah::parse(rest).map_err(|e| LinkDamage::Bitmap(Bitmap::Delete, e))?;
        let (replaced, used_too) = Ewah::parse(&rest[used..]).map_err(|e| LinkDamage::Bitmap(Bitmap::Replace, e))?;
        if used + used_too != rest.len() {
            return Err(LinkDamage::TrailingBytes);
        }
        Ok(Some(Link { base_id, deleted, replaced }))
    }
}

/// An EWAH-compressed bitmap as git stores it (`ewah/ewah_io.c`): the bit count, the word
/// count, that many 64-bit big-endian words, and the position of the last marker word.
#[derive(Debug, Default)]
struct Ewah {
    words: Vec<u64>,
}

impl Ewah {
    /// Parses a bitmap at the start of `data`, returning it and how many bytes it took.
    fn parse(data: &[u8]) -> Result<(Ewah, usize), EwahDamage> {
        let count = be32(data, 4).ok_or(EwahDamage::EndsBeforeLength)?;
        let end = usize::try_from(count).ok().and_then(|n| n.checked_mul(8)).and_then(|n| n.checked_add(8));
        let words = end.and_then(|end| data.get(8..end)).ok_or(EwahDamage::EndsInWords)?;
        let words = words.chunks_exact(8).map(|w| w.iter().fold(0, |word, &b| (word << 8) | u64::from(b))).collect();
        let end = 8 + 8 * count as usize;
        be32(data, end).ok_or(EwahDamage::EndsBeforeMarker)?;
        Ok((Ewah { words }, end + 4))
    }

    /// The set bits' positions, ascending, as git's `ewah_each_bit` visits them. Each
    /// marker word holds a run bit, a run length in words (bits 1-32) and how many literal
    /// words follow it (bits 33-63). Every position must be below `limit`.
    fn positions(&self, limit: usize) -> Result<Vec<usize>, EwahDamage> {
        let too_far = EwahDamage::PastEntries { entries: limit };
        let mut positions = Vec::new();
        let mut at = 0usize;
        let mut words = self.words.iter();
        while let Some(&marker) = words.next() {
            let run = usize::try_from((marker >> 1) & 0xffff_ffff).map_err(|_| too_far)?;
            let run_end = run.checked_mul(64).and_then(|bits| bits.checked_add(at)).ok_or(too_far)?;
            if marker & 1 != 0 {
                if run_end > limit {
                    return Err(too_far);
                }
                positions.extend(at..run_end);
            }
            at = run_end;
            for _ in 0..marker >> 33 {
                let mut literal = *words.next().ok_or(EwahDamage::LiteralWordMissing)?;
                while literal != 0 {
                    let position = at + literal.trailing_zeros() as usize;
                    if position >= limit {
                        return Err(too_far);
                    }
                    positions.push(position);
                    literal &= literal - 1;
                }
                at = at.checked_add(64).ok_or(too_far)?;
            }
        }
        Ok(positions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ewah_bytes(words: &[u64]) -> Vec<u8> {
        let mut out = 1000u32.to_be_bytes().to_vec();
        out.extend((words.len() as u32).to_be_bytes());
        words.iter().for_each(|w| out.extend(w.to_be_bytes()));
        out.extend(0u32.to_be_bytes());
        out
    }

    #[test]
    fn ewah_runs_and_literals() {
        // A run of one word of ones, then two literal words; then a run of two zero words
        // and one literal.
        let words = [1 | (1 << 1) | (2 << 33), 0b101000, 1 << 63, (2 << 1) | (1 << 33), 1];
        let (ewah, used) = Ewah::parse(&ewah_bytes(&words)).unwrap();
        assert_eq!(used, 8 + 8 * words.len() + 4);
        let mut expected: Vec<usize> = (0..64).collect();
        expected.extend([64 + 3, 64 + 5, 128 + 63, 320]);
        assert_eq!(ewah.positions(1000).unwrap(), expected);
        assert!(ewah.positions(320).is_err(), "a bit at or past the limit is refused");
    }

    #[test]
    fn corrupt_bitmaps_are_errors() {
        let bytes = ewah_bytes(&[3 << 33, 1]);
        for cut in 0..bytes.len() {
            assert!(Ewah::parse(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // The marker promises three literal words; only one is there.
        let (ewah, _) = Ewah::parse(&bytes).unwrap();
        assert!(ewah.positions(1000).is_err());
        // A huge run of ones must not allocate past the limit.
        let (ewah, _) = Ewah::parse(&ewah_bytes(&[1 | (0xffff_ffff << 1)])).unwrap();
        assert!(ewah.positions(1000).is_err());
    }

    #[test]
    fn link_extension_layout() {
        for format in [ObjectFormat::Sha1, ObjectFormat::Sha256] {
            let len = format.id_len();
            let mut data = vec![7; len];
            data.extend(ewah_bytes(&[1 << 33, 0b100]));
            data.extend(ewah_bytes(&[1 << 33, 0b10]));
            let link = Link::parse(&data, format).unwrap().expect("not null");
            assert_eq!(Some(link.base_id), ObjectId::from_bytes(&vec![7; len]));
            assert_eq!(link.deleted.positions(10).unwrap(), vec![2]);
            assert_eq!(link.replaced.positions(10).unwrap(), vec![1]);
            data.push(0);
            assert_eq!(Link::parse(&data, format).err(), Some(LinkDamage::TrailingBytes));
            assert_eq!(Link::parse(&[0; 5], format).err(), Some(LinkDamage::TooShort));
            assert_eq!(Link::parse(&vec![0; len - 1], format).err(), Some(LinkDamage::TooShort));
            assert!(Link::parse(&vec![0; len], format).unwrap().is_none(), "a null link");
            assert!(Link::parse(&vec![1; len], format).unwrap().expect("not null").deleted.words.is_empty());
        }
        // A SHA-1 link read as SHA-256 takes 12 bytes of the bitmaps for its id: damage, not a panic.
        let mut data = vec![7; 20];
        data.extend(ewah_bytes(&[1 << 33, 0b100]));
        assert!(Link::parse(&data, ObjectFormat::Sha256).is_err());
    }
}
