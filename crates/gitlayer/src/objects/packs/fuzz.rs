//! The pack reader's fuzz harnesses, for the targets in `fuzz/` and the
//! properties in `cargo test`: arbitrary bytes as a delta, as a pack or as a pack index.
//! A pack or an index is written into a temporary object database beside a well-formed
//! partner the harness makes, then read as `--range` reads it: every id looked up by a
//! reader with the usual cache and by one whose cache holds almost nothing (so delta chains
//! are resolved again and again). Every read must be an error, `None` or an object, the two
//! readers must agree, and nothing may panic, hang or allocate beyond what the bytes justify.
//! Each harness reads the bytes as a SHA-1 repository's and again as a SHA-256 one's (the
//! ids in the index and the ref-deltas' bases are 20 or 32 bytes long).

use std::io::Write;
use std::path::Path;

use flate2::write::ZlibEncoder;
use flate2::{Compression, Decompress, FlushDecompress, Status};

use super::{Error, IDX_HEADER_LEN, IDX_MAGIC, Object, PACK_HEADER_LEN, PackReader, Packs, idx_layout};
use crate::format::{be16, be32};
use crate::id::{ObjectFormat, ObjectId};

/// The formats each harness reads its bytes in.
const FORMATS: [ObjectFormat; 2] = [ObjectFormat::Sha1, ObjectFormat::Sha256];

/// The most ids a harness looks up: enough for chains and cycles, few enough to run fast.
const MAX_OBJECTS: usize = 64;

/// The objects of [`sample_pack`], in the order of its entries (each is `fake_id(n)`).
pub const SAMPLE_OBJECTS: [&[u8]; 4] =
    [b"hello, pack reader\n", b"hello, fuzzed pack reader\n", b"hello, fuzzed pack reader\nagain\n", b"new\n"];

/// Applies a delta to a base: an error or the result, never a panic, never an
/// allocation beyond what the two sizes justify.
pub fn delta(base: &[u8], delta: &[u8]) -> Option<usize> {
    super::apply_delta(base, delta).ok().map(|out| out.len())
}

/// Reads every object of a pack holding `bytes` (its header included: a wrong one must only
/// leave the pack unused), through an index the harness writes: as many fake ids as the
/// header claims (at most 64), at the offsets where entries start as `git index-pack` would
/// find them, or, once that walk loses its way, at offsets taken from the pack's trailer
/// (which the reader never reads). A delta's base id may name one of them: `fake_id(n)`.
pub fn pack(bytes: &[u8]) {
    FORMATS.into_iter().for_each(|format| pack_in(format, bytes));
}

/// [`pack`] in a repository of `format`.
pub fn pack_in(format: ObjectFormat, bytes: &[u8]) {
    let count = be32(bytes, 8).map_or(0, |count| count as usize).min(MAX_OBJECTS);
    let ids: Vec<_> = (0..count).map(|n| fake_id_in(format, n)).collect();
    let idx = idx_file_in(format, &ids, &entry_offsets(format, bytes, count));
    let mut lookups = ids;
    lookups.push(same_bytes(format, 0xff)); // listed nowhere
    read_everything(format, bytes, &idx, &lookups);
}

/// The id of `format` whose every byte is `byte`.
fn same_bytes(format: ObjectFormat, byte: u8) -> ObjectId {
    ObjectId::from_bytes(&vec![byte; format.id_len()]).expect("20 or 32 bytes")
}

/// Reads a pack index's tables (fan-out, sorted ids, 32- and 64-bit offsets) as the reader
/// does, beside [`sample_pack`] with the object count the index claims: every id the index
/// lists (the first 64) and its trailer, as an id it may not list, are read, and
/// [`Packs::check_offsets`] judges every offset. The count, if the index is well formed as
/// a SHA-1 repository's (it is read as a SHA-256 one's too).
pub fn idx(bytes: &[u8]) -> Option<usize> {
    let sha256 = idx_in(ObjectFormat::Sha256, bytes);
    idx_in(ObjectFormat::Sha1, bytes).or(sha256.and(None))
}

/// [`idx`] in a repository of `format`.
pub fn idx_in(format: ObjectFormat, bytes: &[u8]) -> Option<usize> {
    let id_len = format.id_len();
    let claimed = be32(bytes, IDX_HEADER_LEN - 4).unwrap_or(0);
    let listed = bytes.get(IDX_HEADER_LEN..).unwrap_or_default().chunks_exact(id_len).take(MAX_OBJECTS);
    let trailer = bytes.get(bytes.len().saturating_sub(id_len)..).unwrap_or_default();
    let ids: Vec<ObjectId> = listed.chain([trailer]).filter_map(ObjectId::from_bytes).collect();
    read_everything(format, &sample_pack_in(format, claimed), bytes, &ids);
    idx_layout(bytes, id_len).map(|(_, count)| count)
}

/// The `n`th fake SHA-1 id (`n` < 64): sorted as an index needs them, each with its own
/// first byte so that the fan-out table has steps.
pub fn fake_id(n: usize) -> ObjectId {
    fake_id_in(ObjectFormat::Sha1, n)
}

/// [`fake_id`] of `format`.
pub fn fake_id_in(format: ObjectFormat, n: usize) -> ObjectId {
    same_bytes(format, u8::try_from(n).expect("fewer than 256 ids"))
}

/// A small well-formed pack whose header claims `count` objects (4 is right): a blob, an
/// ofs-delta on it, an ofs-delta on that, and a ref-delta on `fake_id(0)` (the blob). The
/// seed the properties damage, and the fuzzed index's partner. SHA-1.
pub fn sample_pack(count: u32) -> Vec<u8> {
    sample_pack_in(ObjectFormat::Sha1, count)
}

/// [`sample_pack`] of a repository of `format`: its ref-delta names a base of that length.
pub fn sample_pack_in(format: ObjectFormat, count: u32) -> Vec<u8> {
    let [blob, _, _, new] = SAMPLE_OBJECTS;
    let mut pack = [b"PACK".as_slice(), &2u32.to_be_bytes(), &count.to_be_bytes()].concat();
    pack.extend(entry(3, &[], blob));
    // "hello, " + "fuzzed " + "pack reader\n", 19 bytes to 26, 20 bytes back.
    let first_delta = [&[19, 26, 0x80 | 0x01 | 0x10, 0, 7, 7][..], b"fuzzed ", &[0x80 | 0x01 | 0x10, 7, 12]].concat();
    let first_at = pack.len();
    pack.extend(entry(6, &[(first_at - PACK_HEADER_LEN) as u8], &first_delta));
    // All 26 bytes of the first delta's result + "again\n".
    let second_delta = [&[26, 32, 0x80 | 0x10, 26, 6][..], b"again\n"].concat();
    let second_at = pack.len();
    pack.extend(entry(6, &[(second_at - first_at) as u8], &second_delta));
    let ref_delta = [&[blob.len() as u8, new.len() as u8, new.len() as u8][..], new].concat();
    pack.extend(entry(7, fake_id_in(format, 0).as_bytes(), &ref_delta));
    pack.extend(vec![0; format.id_len()]); // the checksum, which the reader does not check
    pack
}

/// The index of `sample_pack(4)`.
pub fn sample_idx() -> Vec<u8> {
    sample_idx_in(ObjectFormat::Sha1)
}

/// The index of `sample_pack_in(format, 4)`.
pub fn sample_idx_in(format: ObjectFormat) -> Vec<u8> {
    let pack = sample_pack_in(format, 4);
    let ids: Vec<_> = (0..4).map(|n| fake_id_in(format, n)).collect();
    idx_file_in(format, &ids, &entry_offsets(format, &pack, 4))
}

/// One pack entry of type `kind`: its header (size under 2 KiB), `base` (a delta's distance
/// or id) and `data` deflated.
fn entry(kind: u8, base: &[u8], data: &[u8]) -> Vec<u8> {
    let size = data.len();
    assert!(size < 1 << 11, "two header bytes at most");
    let mut entry = if size < 16 {
        vec![kind << 4 | size as u8]
    } else {
        vec![0x80 | kind << 4 | (size & 0x0f) as u8, (size >> 4) as u8]
    };
    entry.extend(base);
    let mut zlib = ZlibEncoder::new(entry, Compression::default());
    zlib.write_all(data).expect("deflated into memory");
    zlib.finish().expect("deflated into memory")
}

/// A version 2 pack index listing `ids` (sorted) at `offsets`. Every other offset goes
/// through the table of 64-bit offsets (git uses it only past 2 GiB, the reader takes either)
/// so that both tables are read. SHA-1.
pub fn idx_file(ids: &[ObjectId], offsets: &[u64]) -> Vec<u8> {
    idx_file_in(ObjectFormat::Sha1, ids, offsets)
}

/// [`idx_file`] of a repository of `format` (the ids must be of it).
pub fn idx_file_in(format: ObjectFormat, ids: &[ObjectId], offsets: &[u64]) -> Vec<u8> {
    let mut idx = [IDX_MAGIC, &2u32.to_be_bytes()].concat();
    for byte in 0..=u8::MAX {
        let up_to_byte = ids.iter().filter(|id| id.as_bytes()[0] <= byte).count() as u32;
        idx.extend(up_to_byte.to_be_bytes());
    }
    ids.iter().for_each(|id| idx.extend(id.as_bytes()));
    idx.extend(vec![0; ids.len() * 4]); // CRCs, which the reader does not check
    let mut large = Vec::new();
    for (n, &offset) in offsets.iter().enumerate() {
        let small = match u32::try_from(offset) {
            Ok(small) if n % 2 == 0 && small < 0x8000_0000 => small,
            _ => {
                large.extend(offset.to_be_bytes());
                0x8000_0000 | (large.len() / 8 - 1) as u32
            }
        };
        idx.extend(small.to_be_bytes());
    }
    idx.extend(large);
    idx.extend(vec![0; 2 * format.id_len()]); // the checksums
    idx
}

/// A version 1 pack index of `format` listing `ids` (sorted) at `offsets` (below 4 GiB): the
/// fan-out table, then each object's offset and id, then the two checksums.
pub fn idx_v1_file(format: ObjectFormat, ids: &[ObjectId], offsets: &[u64]) -> Vec<u8> {
    let mut idx = Vec::new();
    for byte in 0..=u8::MAX {
        let up_to_byte = ids.iter().filter(|id| id.as_bytes()[0] <= byte).count() as u32;
        idx.extend(up_to_byte.to_be_bytes());
    }
    for (id, &offset) in ids.iter().zip(offsets) {
        idx.extend(u32::try_from(offset).expect("below 4 GiB").to_be_bytes());
        idx.extend(id.as_bytes());
    }
    idx.extend(vec![0; 2 * format.id_len()]);
    idx
}

/// Where the first `count` entries of `pack` start: walked as `git index-pack` walks a pack,
/// then, past the first entry that walk cannot get through, taken from the pack's trailer.
fn entry_offsets(format: ObjectFormat, pack: &[u8], count: usize) -> Vec<u64> {
    let trailer = pack.len().saturating_sub(format.id_len());
    let mut next = Some(PACK_HEADER_LEN);
    let mut offsets = Vec::with_capacity(count);
    for n in 0..count {
        let at = next.unwrap_or_else(|| be16(pack, trailer + 2 * (n % 10)).map_or(n, usize::from));
        offsets.push(at as u64);
        next = next.and_then(|at| Some(at + entry_len(format, pack.get(at..)?)?));
    }
    offsets
}

/// The length of the entry at the start of `entry`: its header, a delta's base, then zlib
/// data up to the end of its stream (the reader itself never needs it).
fn entry_len(format: ObjectFormat, entry: &[u8]) -> Option<usize> {
    let varint_len = |bytes: &[u8]| bytes.iter().position(|byte| byte & 0x80 == 0).map(|last| last + 1);
    let mut len = varint_len(entry)?;
    match (entry[0] >> 4) & 7 {
        6 => len += varint_len(entry.get(len..)?)?,
        7 => len += format.id_len(),
        _ => {}
    }
    let mut inflater = Decompress::new(true);
    let mut sink = [0; 1 << 14];
    loop {
        let before = (inflater.total_in(), inflater.total_out());
        let input = entry.get(len + before.0 as usize..)?;
        match inflater.decompress(input, &mut sink, FlushDecompress::None).ok()? {
            Status::StreamEnd => return Some(len + inflater.total_in() as usize),
            _ if (inflater.total_in(), inflater.total_out()) == before => return None,
            _ => {}
        }
    }
}

/// Writes `pack` and `idx` into a temporary object database, checks its offsets and reads
/// each of `ids` with two readers, the second with a cache of 64 bytes, in order and then in
/// reverse (the first reader's second reads come from its cache). They must agree.
fn read_everything(format: ObjectFormat, pack: &[u8], idx: &[u8], ids: &[ObjectId]) {
    let objects_dir = database(pack, idx);
    let packs = Packs::at(objects_dir.path(), format);
    let _ = packs.check_offsets();
    let mut cached = PackReader::new(&packs);
    let mut forgetful = PackReader::with_cache(&packs, 64);
    for id in ids.iter().chain(ids.iter().rev()) {
        assert_eq!(shown(cached.read(id)), shown(forgetful.read(id)), "a cache changed what was read");
    }
}

/// A read as the assertion compares it.
fn shown(read: Result<Option<Object>, Error>) -> Result<Option<Object>, String> {
    read.map_err(|error| error.to_string())
}

/// An object database in a temporary folder whose one pack is `pack` with the index `idx`.
fn database(pack: &[u8], idx: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let pack_dir = dir.path().join("pack");
    std::fs::create_dir(&pack_dir).expect("the pack folder");
    write(&pack_dir.join("pack-fuzz.pack"), pack);
    write(&pack_dir.join("pack-fuzz.idx"), idx);
    dir
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).expect("a file written in the temporary folder");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::packs::ObjectKind;
    use crate::objects::{Corruption, ErrorKind, PackDamage};

    fn pack_damage(damage: PackDamage) -> ErrorKind {
        ErrorKind::Corrupt(Corruption::Pack(damage))
    }

    const SHA1: ObjectFormat = ObjectFormat::Sha1;
    const SHA256: ObjectFormat = ObjectFormat::Sha256;

    /// A blob, two ofs-deltas and a ref-delta whose base is named by a 20- or 32-byte id.
    #[test]
    fn the_sample_pack_reads_back_through_its_index() {
        for format in FORMATS {
            let dir = database(&sample_pack_in(format, 4), &sample_idx_in(format));
            let packs = Packs::at(dir.path(), format);
            packs.check_offsets().expect("offsets inside the pack");
            let mut reader = PackReader::with_cache(&packs, 64);
            for (n, expected) in SAMPLE_OBJECTS.iter().enumerate().rev() {
                let (kind, data) = reader.read(&fake_id_in(format, n)).expect("readable").expect("listed");
                assert_eq!((kind, &data[..]), (ObjectKind::Blob, *expected), "{format} object {n}");
            }
            assert!(reader.read(&same_bytes(format, 0xff)).expect("no damage").is_none(), "an id not listed");
            // An id of the other format is in no pack of this one.
            let other = if format == SHA1 { SHA256 } else { SHA1 };
            assert!(reader.read(&fake_id_in(other, 0)).expect("no damage").is_none());
        }
    }

    /// Version 1 indexes keep a 4-byte offset beside each id, of 20 or 32 bytes.
    #[test]
    fn version_1_indexes_of_either_format_are_read() {
        for format in FORMATS {
            let pack = sample_pack_in(format, 4);
            let ids: Vec<_> = (0..4).map(|n| fake_id_in(format, n)).collect();
            let idx = idx_v1_file(format, &ids, &entry_offsets(format, &pack, 4));
            assert_eq!(idx_layout(&idx, format.id_len()).map(|(_, count)| count), Some(4));
            let dir = database(&pack, &idx);
            let packs = Packs::at(dir.path(), format);
            packs.check_offsets().expect("offsets inside the pack");
            let mut reader = PackReader::new(&packs);
            for (n, expected) in SAMPLE_OBJECTS.iter().enumerate() {
                let (_, data) = reader.read(&ids[n]).expect("readable").expect("listed");
                assert_eq!(&data[..], *expected, "{format} object {n}");
            }
        }
    }

    /// A SHA-1 pack read as a SHA-256 repository's (and the other way round): damage named
    /// by the index file, never a panic.
    #[test]
    fn a_pack_of_the_other_format_is_damage_not_a_panic() {
        for (written, read) in [(SHA1, SHA256), (SHA256, SHA1)] {
            let dir = database(&sample_pack_in(written, 4), &sample_idx_in(written));
            let packs = Packs::at(dir.path(), read);
            // Its size fits no layout, or (SHA-256 read as SHA-1) it does, as one with 64-bit
            // offsets, whose offsets then lie outside the pack.
            let error = packs.check_offsets().expect_err("damage");
            assert!(matches!(error.kind, ErrorKind::Corrupt(Corruption::PackIndex(_))), "{error}");
            let _ = PackReader::new(&packs).read(&fake_id_in(read, 0));
        }
    }

    /// Every cut and flipped byte of a SHA-256 pack and index: an error, `None` or an object.
    #[test]
    fn damaged_sha256_packs_and_indexes_never_panic() {
        let (pack, idx) = (sample_pack_in(SHA256, 4), sample_idx_in(SHA256));
        for at in (0..pack.len()).step_by(3) {
            pack_in(SHA256, &pack[..at]);
            let mut flipped = pack.clone();
            flipped[at] ^= 0x55;
            pack_in(SHA256, &flipped);
        }
        for at in (0..idx.len()).step_by(61) {
            idx_in(SHA256, &idx[..at]);
            let mut flipped = idx.clone();
            flipped[at] ^= 0xff;
            idx_in(SHA256, &flipped);
        }
    }

    /// A delta size field: 7 bits a byte, least significant first.
    fn size_field(mut size: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        loop {
            let low = (size & 0x7f) as u8;
            size >>= 7;
            if size == 0 {
                bytes.push(low);
                return bytes;
            }
            bytes.push(0x80 | low);
        }
    }

    /// A pack of a 2-byte blob and `links` ofs-deltas that each copy their base twice (the
    /// copies run in 16 MiB steps), and its index.
    fn doubling_chain(links: usize) -> (Vec<u8>, Vec<u8>, Vec<ObjectId>) {
        let mut pack = [b"PACK".as_slice(), &2u32.to_be_bytes(), &(links as u32 + 1).to_be_bytes()].concat();
        let mut offsets = vec![pack.len() as u64];
        pack.extend(entry(3, &[], b"ab"));
        for link in 0..links {
            let base_len = 2usize << link;
            let mut delta = [size_field(base_len), size_field(2 * base_len)].concat();
            for _ in 0..2 {
                for start in (0..base_len).step_by(0xff_ffff) {
                    let len = (base_len - start).min(0xff_ffff);
                    delta.extend([0x80 | 0x0f | 0x70]);
                    delta.extend(&(start as u32).to_le_bytes());
                    delta.extend(&(len as u32).to_le_bytes()[..3]);
                }
            }
            let at = pack.len() as u64;
            let mut distance = at - offsets.last().expect("a base");
            // git's base offset: 7 bits a byte, most significant first, each more byte +1.
            let mut field = vec![(distance & 0x7f) as u8];
            distance >>= 7;
            while distance > 0 {
                distance -= 1;
                field.insert(0, 0x80 | (distance & 0x7f) as u8);
                distance >>= 7;
            }
            pack.extend(entry(6, &field, &delta));
            offsets.push(at);
        }
        pack.extend([0; 20]);
        let ids: Vec<_> = (0..offsets.len()).map(fake_id).collect();
        let idx = idx_file(&ids, &offsets);
        (pack, idx, ids)
    }

    #[test]
    fn a_chain_of_doubling_deltas_is_refused_before_it_builds_gigabytes() {
        // 30 links would build 2 GiB out of a pack of about 2 KB. A delta may build what the
        // pack could hold inflated, or git's `core.bigFileThreshold`, whichever is more; the
        // threshold (512 MiB) is lowered here so that the test builds megabytes only.
        let (pack, idx, ids) = doubling_chain(30);
        let dir = database(&pack, &idx);
        let mut reader = PackReader::with_cache(&Packs::at(dir.path(), SHA1), 1 << 20);
        reader.delta_floor = 1 << 10;
        let most = (pack.len() - 20) * 1032;
        for (n, id) in ids.iter().enumerate().take(24) {
            let built = 2usize << n;
            match reader.read(id) {
                Ok(Some((_, data))) => assert!(built <= most && data.len() == built, "object {n}"),
                Err(error) => {
                    assert!(built > most, "object {n} of {built} bytes is within {most}: {error}");
                    assert_eq!(error.kind, pack_damage(PackDamage::DeltaBuildsTooMuch), "{error}");
                }
                Ok(None) => panic!("object {n} is listed"),
            }
        }
        assert!(reader.read(&ids[29]).is_err(), "1 GiB");
        // With git's threshold, 2 MiB is well within.
        let mut reader = PackReader::with_cache(&Packs::at(dir.path(), SHA1), 1 << 20);
        assert_eq!(reader.read(&ids[20]).expect("readable").expect("listed").1.len(), 2 << 20);
    }

    #[test]
    fn a_circle_of_ref_deltas_is_refused_once_it_passes_every_entry() {
        // Two entries, each a delta on the other's id: the chain would go round for ever.
        let delta = [&[2, 2][..], &[2], b"ab"].concat(); // sizes 2 -> 2, insert "ab"
        let mut pack = [b"PACK".as_slice(), &2u32.to_be_bytes(), &2u32.to_be_bytes()].concat();
        let first = pack.len() as u64;
        pack.extend(entry(7, fake_id(1).as_bytes(), &delta));
        let second = pack.len() as u64;
        pack.extend(entry(7, fake_id(0).as_bytes(), &delta));
        pack.extend([0; 20]);
        let dir = database(&pack, &idx_file(&[fake_id(0), fake_id(1)], &[first, second]));
        let mut reader = PackReader::new(&Packs::at(dir.path(), SHA1));
        let error = reader.read(&fake_id(0)).expect_err("a circle");
        assert_eq!(error.kind, pack_damage(PackDamage::EndlessDeltaChain), "{error}");
        assert_eq!(error.offset, Some(first), "where the chain starts");
        assert!(error.to_string().contains("pack-fuzz.pack: a delta chain does not end (at offset"), "{error}");
    }

    #[test]
    fn entries_are_walked_to_the_end_of_their_zlib_data() {
        let pack = sample_pack(4);
        let offsets = entry_offsets(SHA1, &pack, 5);
        assert_eq!(offsets[0], PACK_HEADER_LEN as u64);
        assert!(offsets.windows(2).take(4).all(|pair| pair[0] < pair[1]), "{offsets:?}");
        assert_eq!(offsets[4] as usize, pack.len() - 20, "the fifth would start at the trailer");
        let pack = sample_pack_in(SHA256, 4);
        let offsets = entry_offsets(SHA256, &pack, 5);
        assert_eq!(offsets[4] as usize, pack.len() - 32, "the ref-delta's base is 32 bytes");
    }
}
