//! Objects read straight from the repository's pack files: for the history walk (`--range`,
//! `--pre-push`), and for the staged check's and the fix's look at `HEAD` when it is packed.
//!
//! `--range` over a long push reads tens of thousands of trees, and in a pack almost every
//! one is a delta against another version of itself, often in chains of dozens. libgit2
//! reads them badly for this: its delta-base cache keeps only the object at the bottom of
//! a chain, never the versions it builds on the way up, so every read applies the whole
//! chain again;
//! and every read takes one process-wide mutex, so workers on other cores queue for it.
//! docs/performance.md has the figures, and those of gitoxide's `gix-odb`, slower still.
//!
//! This reader does what git does: it maps each pack and its index, resolves a delta chain
//! once and keeps every object it builds (a worker's [`PackReader`] has its own cache, so
//! workers share nothing but the read-only mappings). It is only an accelerator: an object
//! it cannot find (loose, in an alternate, a delta whose base is outside its pack) is left
//! to libgit2 by the caller, unless a pack or index is not what git writes: then it is an
//! error naming that file, since libgit2 would read the same damage and can crash on it.
//! Damage inside a pack it does use is an error or, where zlib's checksum cannot see it (an
//! entry's header, the index's offsets), another object's bytes, as for git's own ordinary
//! reads, which do not hash objects again either (`git fsck` does); never a panic or an
//! allocation the pack cannot justify.
//!
//! Formats: <https://git-scm.com/docs/gitformat-pack>; index files of version 2 (and 1, which
//! git still reads), with the repository's ids ([`ObjectFormat`]: 20 bytes, or 32 in a
//! SHA-256 repository) in the index's table, in a ref-delta's base and in both checksums.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use flate2::{Decompress, FlushDecompress, Status};
use memmap2::Mmap;

use super::{Corruption, DeltaDamage, Error, PackDamage, PackIndexDamage};
use crate::format::{be32, offset_varint};
use crate::id::{ObjectFormat, ObjectId};

use super::cache::Recent;

const IDX_MAGIC: &[u8] = b"\xfftOc";
const IDX_HEADER_LEN: usize = 8 + 256 * 4;
/// Where a version 1 index's entries start (after the fan-out table); each is a 4-byte
/// offset and an id.
const V1_ENTRIES_AT: usize = 256 * 4;
const PACK_HEADER_LEN: usize = 12;
/// git's default `core.bigFileThreshold`: git stores a larger object whole, never as a delta.
const BIG_FILE_THRESHOLD: usize = 512 << 20;
/// The longest delta chain read (git itself writes at most 4095: `pack.depth` is capped there).
const MAX_DELTA_CHAIN: usize = 10_000;
/// Bytes of objects a reader made with [`PackReader::new`] keeps before it forgets the least
/// recently used half: for the tests and the fuzz targets, which read packs alone (the
/// commands' readers take their share of `objects::CACHE_BYTES`). git's
/// `core.deltaBaseCacheLimit` is 96 MiB, but a walk in commit order needs far less.
const CACHE_BYTES: usize = 2 << 20;

/// The kinds of object a pack holds whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A commit.
    Commit,
    /// A tree.
    Tree,
    /// A blob: a file's content.
    Blob,
    /// An annotated tag.
    Tag,
}

impl ObjectKind {
    const ALL: [ObjectKind; 4] = [ObjectKind::Commit, ObjectKind::Tree, ObjectKind::Blob, ObjectKind::Tag];

    /// The name git gives the kind, in loose object headers and messages.
    pub(crate) fn name(self) -> &'static str {
        match self {
            ObjectKind::Commit => "commit",
            ObjectKind::Tree => "tree",
            ObjectKind::Blob => "blob",
            ObjectKind::Tag => "tag",
        }
    }

    /// The kind git names so.
    pub(crate) fn named(name: &[u8]) -> Option<ObjectKind> {
        ObjectKind::ALL.into_iter().find(|kind| kind.name().as_bytes() == name)
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An object's kind and bytes.
pub(crate) type Object = (ObjectKind, Rc<[u8]>);

/// The packs of an object database, mapped on first use; shared by the walk's workers
/// (a clone is another handle on the same mappings).
#[derive(Clone)]
pub struct Packs(Arc<PackSet>);

struct PackSet {
    objects_dir: PathBuf,
    format: ObjectFormat,
    packs: OnceLock<Opened>,
}

/// The packs opened, and why the first one that could not be used is damaged.
struct Opened {
    packs: Vec<Pack>,
    /// A pack or index that is there but not what git writes: objects this reader cannot
    /// find must not be looked up through libgit2 then, which would read the same damaged
    /// files and can crash on them (a `.idx` with bytes inserted sends it outside the pack).
    damaged: Option<Error>,
}

struct Pack {
    pack_path: PathBuf,
    idx: Mmap,
    data: Mmap,
    version: IdxVersion,
    count: usize,
    /// The length of an id.
    id_len: usize,
}

/// The two layouts of a pack index git reads. Version 1 (git before 1.5.2, or
/// `pack.indexVersion=1`) has no header and keeps each offset beside its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdxVersion {
    V1,
    V2,
}

impl Packs {
    /// The packs in `objects_dir/pack`, of a repository whose ids are of `format`. Nothing
    /// is read until an object is looked up.
    pub fn at(objects_dir: &Path, format: ObjectFormat) -> Packs {
        Packs(Arc::new(PackSet { objects_dir: objects_dir.to_path_buf(), format, packs: OnceLock::new() }))
    }

    /// The object format of the repository's ids.
    pub(crate) fn format(&self) -> ObjectFormat {
        self.0.format
    }

    /// The object database's folder, which also holds the loose objects.
    pub(crate) fn objects_dir(&self) -> &Path {
        &self.0.objects_dir
    }

    /// Every pack whose index this reader understands, newest first (as git looks: recent
    /// objects are in the most recent packs).
    fn packs(&self) -> &[Pack] {
        &self.opened().packs
    }

    /// Why a pack or pack index of the database is damaged (the first found), if one is: an
    /// object found nowhere else is then an error, not a question for libgit2.
    pub(crate) fn damaged(&self) -> Option<&Error> {
        self.opened().damaged.as_ref()
    }

    fn opened(&self) -> &Opened {
        self.0.packs.get_or_init(|| {
            let Ok(listing) = fs::read_dir(self.0.objects_dir.join("pack")) else {
                return Opened { packs: Vec::new(), damaged: None };
            };
            let mut indexes: Vec<PathBuf> = listing
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "idx"))
                .collect();
            indexes.sort();
            let mut opened = Opened { packs: Vec::new(), damaged: None };
            for idx in indexes {
                match Pack::open(&idx, self.0.format) {
                    Ok(Some(pack)) => opened.packs.push(pack),
                    Ok(None) => {}
                    Err(why) => opened.damaged = opened.damaged.or(Some(why)),
                }
            }
            opened.packs.sort_by_cached_key(|pack| {
                std::cmp::Reverse(fs::metadata(&pack.pack_path).and_then(|m| m.modified()).ok())
            });
            opened
        })
    }

    /// Which packs hold `id`, and where, newest first.
    fn find_all<'a>(&'a self, id: &'a ObjectId) -> impl Iterator<Item = (usize, u64)> + 'a {
        self.packs().iter().enumerate().filter_map(move |(n, pack)| Some((n, pack.offset_of(id)?)))
    }

    /// Checks that every pack and index is one this reader understands, and that every
    /// offset the indexes give lies inside its pack: libgit2 crashes on one that does not (a
    /// damaged `.idx`), and history modes walk through libgit2.
    pub(crate) fn check_offsets(&self) -> Result<(), Error> {
        if let Some(damage) = self.damaged() {
            return Err(damage.clone());
        }
        for pack in self.packs() {
            let end = (pack.data.len() - pack.id_len) as u64;
            for n in 0..pack.count {
                if !pack.offset_at(n).is_some_and(|offset| (PACK_HEADER_LEN as u64..end).contains(&offset)) {
                    let damage = PackIndexDamage::OffsetOutsidePack { object: n + 1, count: pack.count };
                    return Err(
                        Error::corrupt(Corruption::PackIndex(damage)).in_file(&pack.pack_path.with_extension("idx"))
                    );
                }
            }
        }
        Ok(())
    }

    fn pack(&self, n: usize) -> &Pack {
        &self.packs()[n]
    }
}

impl Pack {
    /// The pack whose index is `idx_path`; `None` when either file is missing or cannot be
    /// mapped (git skips such a pack too), an error naming the file when one is not what git
    /// writes.
    fn open(idx_path: &Path, format: ObjectFormat) -> Result<Option<Pack>, Error> {
        let pack_path = idx_path.with_extension("pack");
        let (Some(idx), Some(data)) = (map(idx_path), map(&pack_path)) else { return Ok(None) };
        let id_len = format.id_len();
        let Some((version, count)) = idx_layout(&idx, id_len) else {
            return Err(Error::corrupt(Corruption::PackIndex(PackIndexDamage::Layout)).in_file(idx_path));
        };
        let header_ok = data.get(..4) == Some(b"PACK")
            && matches!(be32(&data, 4), Some(2 | 3))
            && be32(&data, 8) == Some(count as u32)
            && data.len() >= PACK_HEADER_LEN + id_len;
        if !header_ok {
            return Err(Error::corrupt(Corruption::Pack(PackDamage::Header)).in_file(&pack_path));
        }
        Ok(Some(Pack { pack_path, idx, data, version, count, id_len }))
    }

    /// Binary search of the index's sorted ids, within the range its fan-out table gives.
    fn offset_of(&self, id: &ObjectId) -> Option<u64> {
        let id = id.as_bytes();
        let id_len = self.id_len;
        if id.len() != id_len {
            return None;
        }
        let first = usize::from(id[0]);
        let fanout_at = match self.version {
            IdxVersion::V1 => 0,
            IdxVersion::V2 => 8,
        };
        let start = if first == 0 { 0 } else { be32(&self.idx, fanout_at + (first - 1) * 4)? as usize };
        let end = be32(&self.idx, fanout_at + first * 4)? as usize;
        let (mut low, mut high) = (start, end.min(self.count));
        while low < high {
            let mid = low + (high - low) / 2;
            let id_at = match self.version {
                IdxVersion::V1 => V1_ENTRIES_AT + mid * (4 + id_len) + 4,
                IdxVersion::V2 => IDX_HEADER_LEN + mid * id_len,
            };
            match self.idx.get(id_at..id_at + id_len)?.cmp(id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return self.offset_at(mid),
            }
        }
        None
    }

    /// The pack offset of the `n`th object of the index. Version 2: 31 bits, or an index
    /// into the table of 64-bit offsets when the top bit is set; version 1: 32 bits.
    fn offset_at(&self, n: usize) -> Option<u64> {
        if self.version == IdxVersion::V1 {
            return be32(&self.idx, V1_ENTRIES_AT + n * (4 + self.id_len)).map(u64::from);
        }
        let offsets_at = IDX_HEADER_LEN + self.count * (self.id_len + 4);
        let small = be32(&self.idx, offsets_at + n * 4)?;
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let large_at = offsets_at + self.count * 4 + (small & 0x7fff_ffff) as usize * 8;
        Some(u64::from(be32(&self.idx, large_at)?) << 32 | u64::from(be32(&self.idx, large_at + 4)?))
    }

    /// The object data's bytes: the whole pack but its trailing checksum.
    fn body(&self) -> &[u8] {
        &self.data[..self.data.len() - self.id_len]
    }
}

fn map(path: &Path) -> Option<Mmap> {
    let file = File::open(path).ok()?;
    // SAFETY: pack and index files are immutable once written (git writes new ones under
    // new names and renames them into place); the mapping is only read.
    unsafe { Mmap::map(&file) }.ok()
}

/// An index's version and the number of objects it lists, if its size agrees with it (its
/// ids `id_len` bytes long).
fn idx_layout(idx: &[u8], id_len: usize) -> Option<(IdxVersion, usize)> {
    if idx.get(..4)? != IDX_MAGIC {
        // Version 1: the fan-out table, then an offset and an id a object, two checksums.
        // (Its first fan-out entry cannot be the magic: that would be 4 billion objects.)
        let count = be32(idx, 255 * 4)? as usize;
        let len = V1_ENTRIES_AT.checked_add(count.checked_mul(4 + id_len)?)?.checked_add(2 * id_len)?;
        return (idx.len() == len).then_some((IdxVersion::V1, count));
    }
    if be32(idx, 4)? != 2 {
        return None;
    }
    let count = be32(idx, 8 + 255 * 4)? as usize;
    // ids, CRCs and 32-bit offsets, then 64-bit offsets, then two checksums.
    let fixed = IDX_HEADER_LEN + count * (id_len + 4 + 4) + 2 * id_len;
    (idx.len() >= fixed && (idx.len() - fixed) % 8 == 0).then_some((IdxVersion::V2, count))
}

/// Reads objects from [`Packs`] for one thread, keeping the objects it built lately.
pub struct PackReader {
    packs: Packs,
    inflater: Decompress,
    /// Objects built lately, by pack and offset.
    built: Recent<(usize, u64), Object>,
    /// The least a delta may build, however small its pack ([`BIG_FILE_THRESHOLD`]; tests
    /// lower it to try the bound without building hundreds of megabytes).
    delta_floor: usize,
}

/// What an entry of a pack holds, after its header.
enum Stored {
    Whole(ObjectKind),
    /// A delta against the object at this offset of the same pack.
    DeltaAt(u64),
    /// A delta against the object with this id.
    DeltaOf(ObjectId),
}

/// One entry's header: what it holds, its (inflated) size and where its zlib data starts.
struct Header {
    stored: Stored,
    size: usize,
    data_at: usize,
}

impl PackReader {
    /// A reader of these packs, with its own share of the cache budget.
    pub fn new(packs: &Packs) -> Self {
        PackReader::with_cache(packs, CACHE_BYTES)
    }

    /// A reader whose cache holds about `cache_bytes` (tests make it tiny, to see that a
    /// chain whose bases were forgotten is resolved again).
    pub fn with_cache(packs: &Packs, cache_bytes: usize) -> Self {
        PackReader {
            packs: packs.clone(),
            inflater: Decompress::new(true),
            built: Recent::new(cache_bytes),
            delta_floor: BIG_FILE_THRESHOLD,
        }
    }

    /// The object database's folder.
    pub(crate) fn objects_dir(&self) -> &Path {
        self.packs.objects_dir()
    }

    /// Why a pack or index of the database is damaged, if one is (see [`Packs::damaged`]).
    pub(crate) fn damaged_pack(&self) -> Option<&Error> {
        self.packs.damaged()
    }

    /// The object `id`, or `None` when no pack holds it or its delta base is in none of
    /// them: the caller asks libgit2 then. A copy damaged in one pack does not hide a good
    /// one in another, as in git.
    pub fn read(&mut self, id: &ObjectId) -> Result<Option<Object>, Error> {
        let mut first_damage = None;
        // Another handle on the same packs, so the loop may use the reader mutably.
        let packs = self.packs.clone();
        for (pack, offset) in packs.find_all(id) {
            match self.object_at(pack, offset) {
                Ok(Some(object)) => return Ok(Some(object)),
                Ok(None) => {}
                Err(damage) => first_damage = first_damage.or(Some(damage)),
            }
        }
        first_damage.map_or(Ok(None), Err)
    }

    /// The object at `offset` of pack `pack`: down the delta chain to a whole object (or one
    /// in the cache), then up again, applying each delta once and keeping every result.
    fn object_at(&mut self, pack: usize, offset: u64) -> Result<Option<Object>, Error> {
        let mut deltas = Vec::new();
        let mut at = (pack, offset);
        let (kind, mut data) = loop {
            if let Some(object) = self.cached(at) {
                break object;
            }
            let header = self.header(at)?;
            match header.stored {
                Stored::Whole(kind) => {
                    let data: Rc<[u8]> = self.inflate(at.0, &header)?.into();
                    self.remember(at, (kind, data.clone()));
                    break (kind, data);
                }
                Stored::DeltaAt(base) => {
                    deltas.push((at, header));
                    at = (at.0, base);
                }
                Stored::DeltaOf(base) => {
                    // git writes such bases into the same pack; elsewhere is libgit2's job.
                    let Some(base) = self.packs.pack(at.0).offset_of(&base) else { return Ok(None) };
                    deltas.push((at, header));
                    at = (at.0, base);
                }
            }
            // Each link is another entry of the pack: a chain longer than the pack has entries
            // goes round in a circle.
            if deltas.len() > self.packs.pack(pack).count.min(MAX_DELTA_CHAIN) {
                return Err(self.corrupt((pack, offset), PackDamage::EndlessDeltaChain));
            }
        };
        // A chain of deltas that each double their base would build gigabytes out of a few
        // hundred bytes of pack. So a delta may build no more than the whole pack inflated
        // (zlib shrinks 1032 times at most) or git's `core.bigFileThreshold` (512 MiB: git
        // does not deltify a larger object), whichever is more, and one read no more than
        // four times that in all.
        let most = self.packs.pack(pack).body().len().saturating_mul(1032).max(self.delta_floor);
        let mut built = 0usize;
        for (at, header) in deltas.into_iter().rev() {
            let delta = self.inflate(at.0, &header)?;
            let len = delta_result_len(&delta).unwrap_or(0);
            built = built.saturating_add(len);
            if len > most || built > 4 * most {
                return Err(self.corrupt(at, PackDamage::DeltaBuildsTooMuch));
            }
            data = apply_delta(&data, &delta).map_err(|damage| self.corrupt(at, PackDamage::Delta(damage)))?.into();
            self.remember(at, (kind, data.clone()));
        }
        Ok(Some((kind, data)))
    }

    fn cached(&mut self, at: (usize, u64)) -> Option<Object> {
        self.built.get(&at, |object| object.1.len())
    }

    fn remember(&mut self, at: (usize, u64), object: Object) {
        let bytes = object.1.len();
        self.built.insert(at, object, bytes);
    }

    /// Reads the header of the entry at `at`: type and size in a varint, then for a delta
    /// where its base is.
    fn header(&self, at: (usize, u64)) -> Result<Header, Error> {
        let body = self.packs.pack(at.0).body();
        let start = usize::try_from(at.1).ok().filter(|&s| s >= PACK_HEADER_LEN && s < body.len());
        let start = start.ok_or_else(|| self.corrupt(at, PackDamage::OffsetOutsidePack))?;
        let mut bytes = body[start..].iter().copied();
        let mut byte = bytes.next().unwrap_or(0);
        let kind = (byte >> 4) & 7;
        let mut size = usize::from(byte & 0x0f);
        let mut shift = 4;
        let mut used = 1;
        while byte & 0x80 != 0 {
            byte = bytes.next().ok_or_else(|| self.corrupt(at, PackDamage::EndsInEntryHeader))?;
            if shift > 56 {
                return Err(self.corrupt(at, PackDamage::SizeOverflow));
            }
            size |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            used += 1;
        }
        let stored = match kind {
            1 => Stored::Whole(ObjectKind::Commit),
            2 => Stored::Whole(ObjectKind::Tree),
            3 => Stored::Whole(ObjectKind::Blob),
            4 => Stored::Whole(ObjectKind::Tag),
            6 => {
                let (distance, len) =
                    offset_varint(&body[start + used..]).map_err(|_| self.corrupt(at, PackDamage::BadBaseOffset))?;
                used += len;
                let base = at.1.checked_sub(distance).filter(|&b| distance > 0 && b >= PACK_HEADER_LEN as u64);
                Stored::DeltaAt(base.ok_or_else(|| self.corrupt(at, PackDamage::BaseOutsidePack))?)
            }
            7 => {
                let format = self.packs.format();
                let id = body
                    .get(start + used..)
                    .and_then(|rest| ObjectId::read(rest, format))
                    .ok_or_else(|| self.corrupt(at, PackDamage::EndsInBaseId))?;
                used += format.id_len();
                Stored::DeltaOf(id)
            }
            _ => return Err(self.corrupt(at, PackDamage::UnknownType(kind))),
        };
        Ok(Header { stored, size, data_at: start + used })
    }

    /// Inflates an entry's zlib data, which must come to exactly its recorded size.
    fn inflate(&mut self, pack: usize, header: &Header) -> Result<Vec<u8>, Error> {
        let input = &self.packs.pack(pack).body()[header.data_at..];
        // deflate shrinks data 1032 times at most: a larger size is a damaged header, and
        // must not become an allocation.
        if header.size / 1032 > input.len() {
            return Err(self.corrupt((pack, header.data_at as u64), PackDamage::LargerThanPack));
        }
        // One byte to spare: zlib cannot end even an empty stream without room to write, and
        // a stream longer than its recorded size then shows as one byte too many.
        let mut out = Vec::new();
        if out.try_reserve_exact(header.size + 1).is_err() {
            return Err(self.corrupt((pack, header.data_at as u64), PackDamage::TooLargeForMemory));
        }
        self.inflater.reset(true);
        let status = self.inflater.decompress_vec(input, &mut out, FlushDecompress::Finish);
        match status {
            Ok(Status::StreamEnd) if out.len() == header.size => Ok(out),
            _ => Err(self.corrupt((pack, header.data_at as u64), PackDamage::DoesNotInflate { size: header.size })),
        }
    }

    /// `at` is where the damage was seen: an entry's start, or its zlib data's.
    fn corrupt(&self, at: (usize, u64), damage: PackDamage) -> Error {
        let pack = &self.packs.pack(at.0).pack_path;
        Error::corrupt(Corruption::Pack(damage)).in_file(pack).at_offset(at.1)
    }
}

/// The size of the object a delta builds, as the delta says (its second size field).
fn delta_result_len(delta: &[u8]) -> Option<usize> {
    let mut at = 0;
    delta_size(delta, &mut at)?;
    delta_size(delta, &mut at)
}

/// Builds an object from its base and a delta: the two sizes, then instructions that copy a
/// range of the base or insert the bytes that follow them.
fn apply_delta(base: &[u8], delta: &[u8]) -> Result<Vec<u8>, DeltaDamage> {
    let mut at = 0;
    let base_len = delta_size(delta, &mut at).ok_or(DeltaDamage::TruncatedBaseSize)?;
    let result_len = delta_size(delta, &mut at).ok_or(DeltaDamage::TruncatedResultSize)?;
    if base_len != base.len() {
        return Err(DeltaDamage::BaseSize { expected: base_len, found: base.len() });
    }
    // Sized as the delta says, within reason: the size of a damaged delta must not become
    // an allocation (the checks below stop it growing past the size).
    let mut out = Vec::with_capacity(result_len.min(base.len() + delta.len()));
    while let Some(&op) = delta.get(at) {
        at += 1;
        if op & 0x80 != 0 {
            let mut field = |bits: u8, shift: u32| -> Result<usize, DeltaDamage> {
                if op & bits == 0 {
                    return Ok(0);
                }
                let byte = *delta.get(at).ok_or(DeltaDamage::TruncatedCopy)?;
                at += 1;
                Ok(usize::from(byte) << shift)
            };
            let offset = field(0x01, 0)? | field(0x02, 8)? | field(0x04, 16)? | field(0x08, 24)?;
            let size = match field(0x10, 0)? | field(0x20, 8)? | field(0x40, 16)? {
                0 => 0x10000,
                size => size,
            };
            let copied = offset.checked_add(size).and_then(|end| base.get(offset..end));
            out.extend_from_slice(copied.ok_or(DeltaDamage::CopyPastBase)?);
        } else if op != 0 {
            let inserted = delta.get(at..at + usize::from(op)).ok_or(DeltaDamage::TruncatedInsert)?;
            out.extend_from_slice(inserted);
            at += usize::from(op);
        } else {
            return Err(DeltaDamage::Reserved);
        }
        if out.len() > result_len {
            return Err(DeltaDamage::BuildsTooMuch);
        }
    }
    if out.len() != result_len {
        return Err(DeltaDamage::BuildsOther { built: out.len(), expected: result_len });
    }
    Ok(out)
}

/// A delta's size field: 7 bits a byte, least significant first.
fn delta_size(delta: &[u8], at: &mut usize) -> Option<usize> {
    let (mut size, mut shift) = (0usize, 0);
    loop {
        let byte = *delta.get(*at)?;
        *at += 1;
        if shift > 56 {
            return None;
        }
        size |= usize::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(size);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_copy_and_insert() {
        let base = b"hello, world";
        let delta = [
            12,
            16, // sizes
            0x80 | 0x01 | 0x10,
            0,
            5, // copy offset 0, size 5: "hello"
            6,
            b' ',
            b't',
            b'h',
            b'e',
            b'r',
            b'e', // insert " there"
            0x80 | 0x01 | 0x10,
            5,
            5, // copy offset 5, size 5: ", wor"
        ];
        assert_eq!(apply_delta(base, &delta).unwrap(), b"hello there, wor");
    }

    #[test]
    fn a_copy_of_size_zero_means_64_kib() {
        let base = vec![7u8; 0x10000];
        let delta = [0x80, 0x80, 0x04, 0x80, 0x80, 0x04, 0x80];
        assert_eq!(apply_delta(&base, &delta).unwrap(), base);
    }

    #[test]
    fn broken_deltas_are_errors() {
        let base = b"abc";
        let error = |delta: &[u8]| apply_delta(base, delta).unwrap_err();
        assert_eq!(error(&[4, 3, 3, b'x', b'y', b'z']), DeltaDamage::BaseSize { expected: 4, found: 3 });
        assert_eq!(error(&[3, 3, 0]), DeltaDamage::Reserved);
        assert_eq!(error(&[3, 3, 0x80 | 0x01 | 0x10, 2, 5]), DeltaDamage::CopyPastBase);
        assert_eq!(error(&[3, 4, 3, b'x', b'y', b'z']), DeltaDamage::BuildsOther { built: 3, expected: 4 });
        assert_eq!(error(&[3, 2, 3, b'x', b'y', b'z']), DeltaDamage::BuildsTooMuch);
        assert_eq!(error(&[3, 3, 5, b'x']), DeltaDamage::TruncatedInsert);
        assert_eq!(error(&[0x83]), DeltaDamage::TruncatedBaseSize);
    }
}

/// Entry points for the fuzz targets (`fuzz/`, built with `--cfg fuzzing`) and the
/// properties in `cargo test`.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz;
