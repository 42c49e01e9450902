//! Loose objects: one zlib-compressed file each, `objects/ab/cdef…` (the id's first two hex
//! digits, then its other 38, or 62 in a SHA-256 repository), holding `<kind> <size>\0` and
//! the object's bytes. New commits and the trees they make are loose
//! until git packs them, so the staged check reads `HEAD` from here more often than not.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use flate2::{Decompress, FlushDecompress, Status};

use super::packs::{Object, ObjectKind};
use super::{Corruption, Error, LooseDamage};
use crate::id::{ObjectFormat, ObjectId};

/// The object `id` from `objects_dir`, or `None` when there is no such file. `inflater` is
/// reused from read to read: setting one up costs more than inflating a tree.
pub(crate) fn read(objects_dir: &Path, id: &ObjectId, inflater: &mut Decompress) -> Result<Option<Object>, Error> {
    let hex = id.to_string();
    read_file(&objects_dir.join(&hex[..2]).join(&hex[2..]), inflater)
}

/// The object in the file at `path`, or `None` when there is no such file.
fn read_file(path: &Path, inflater: &mut Decompress) -> Result<Option<Object>, Error> {
    let compressed = match fs::read(path) {
        Ok(compressed) => compressed,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(Error::io(source, path)),
    };
    let bytes = inflate(&compressed, inflater).ok_or_else(|| damaged(path, LooseDamage::DoesNotInflate))?;
    parse(&bytes).map(Some).ok_or_else(|| damaged(path, LooseDamage::NoHeader))
}

fn damaged(path: &Path, damage: LooseDamage) -> Error {
    Error::corrupt(Corruption::Loose(damage)).in_file(path)
}

/// Checks that every loose commit and tag in `objects_dir` (every tree too when `trees`)
/// inflates whole and is as long as its header says, and that every loose object says what
/// it is. libgit2 reads them itself when it walks the history (commits) or resolves a
/// revision (a tag, `HEAD^{tree}`, `HEAD:pkg`, an id), and its loose-object reader spins
/// forever on a file cut short (libgit2 issue #7342, fixed upstream after the 1.9.7 that
/// git2 vendors): the damage must be an error naming the file before, not a hang inside.
/// Trees are many in a repository that has not been packed for a while, so they are
/// inflated only for a revision that can name one; blobs, which may be large, never. What
/// is not checked is left to the time limit on resolving revisions (`Repo::within_limit`).
/// The data streams through a fixed buffer: nothing is kept.
/// `format` is the repository's: its loose files are named by the rest of ids of that length.
pub(crate) fn check_for_libgit2(objects_dir: &Path, format: ObjectFormat, trees: bool) -> Result<(), Error> {
    let name_len = format.hex_len() - 2;
    let mut inflater = Decompress::new(true);
    let mut buffer = vec![0; 64 << 10];
    for fanout in 0..=u8::MAX {
        let Ok(files) = fs::read_dir(objects_dir.join(format!("{fanout:02x}"))) else { continue };
        for file in files.flatten() {
            // git's temporary files (`tmp_obj_*`) are not objects yet.
            let is_object = file
                .file_name()
                .to_str()
                .is_some_and(|n| n.len() == name_len && n.bytes().all(|b| b.is_ascii_hexdigit()));
            if is_object {
                check_one(&file.path(), trees, &mut inflater, &mut buffer)?;
            }
        }
    }
    Ok(())
}

/// Inflates a loose object through `buffer`: its first bytes for the header (a blob, or a
/// tree unless `trees`, stops there), then the rest. Only such a file is read whole.
fn check_one(path: &Path, trees: bool, inflater: &mut Decompress, buffer: &mut [u8]) -> Result<(), Error> {
    let cannot_read = |e: io::Error| Error::io(e, path);
    let mut file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()), // packed and pruned meanwhile
        Err(e) => return Err(cannot_read(e)),
    };
    // Enough for zlib's header, a block's Huffman tables and the object header, usually.
    let mut compressed = Vec::with_capacity(512);
    (&mut file).take(512).read_to_end(&mut compressed).map_err(cannot_read)?;
    let mut read_whole = false;
    inflater.reset(true);
    // `<kind> <size>\0` is 28 bytes at most ("commit ", 20 digits, NUL); then the data.
    let mut head = [0u8; 32];
    let mut header = None;
    loop {
        let (read, written) = (inflater.total_in(), inflater.total_out());
        let input = &compressed[usize::try_from(read).unwrap_or(usize::MAX).min(compressed.len())..];
        let status = match header {
            None => inflater.decompress(
                input,
                &mut head[usize::try_from(written).unwrap_or(0).min(32)..],
                FlushDecompress::None,
            ),
            Some(_) => inflater.decompress(input, buffer, FlushDecompress::None),
        };
        if header.is_none() {
            let out = &head[..usize::try_from(inflater.total_out()).unwrap_or(0).min(32)];
            if let Some(parsed) = parse_header(out) {
                if parsed.0 == ObjectKind::Blob || (parsed.0 == ObjectKind::Tree && !trees) {
                    return Ok(());
                }
                header = Some(parsed);
            } else if out.len() == head.len() || matches!(status, Ok(Status::StreamEnd)) {
                return Err(damaged(path, LooseDamage::NoHeader));
            }
        }
        match status {
            Ok(Status::StreamEnd) => break,
            Ok(_) if (inflater.total_in(), inflater.total_out()) != (read, written) => {}
            Ok(_) if !read_whole => {
                file.read_to_end(&mut compressed).map_err(cannot_read)?;
                read_whole = true;
            }
            _ => return Err(damaged(path, LooseDamage::DoesNotInflate)),
        }
    }
    let (_, header_len, size) = header.ok_or_else(|| damaged(path, LooseDamage::NoHeader))?;
    if (header_len as u64).checked_add(size) != Some(inflater.total_out()) {
        return Err(damaged(path, LooseDamage::WrongLength));
    }
    Ok(())
}

/// The kind, the length of `<kind> <size>\0` and the size at the start of an inflated loose
/// object; the first 64 KiB inflated always hold it (a size has at most 20 digits). The
/// size is decimal digits only, as git reads it.
fn parse_header(start: &[u8]) -> Option<(ObjectKind, usize, u64)> {
    let nul = memchr::memchr(0, start)?;
    let (kind, size) = std::str::from_utf8(&start[..nul]).ok()?.split_once(' ')?;
    let kind = ObjectKind::named(kind.as_bytes())?;
    let size = size.bytes().all(|b| b.is_ascii_digit()).then(|| size.parse().ok()).flatten()?;
    Some((kind, nul + 1, size))
}

/// Inflates a whole zlib stream whose inflated size is not known beforehand. deflate
/// shrinks data 1032 times at most, which bounds what a damaged file can make us allocate.
fn inflate(compressed: &[u8], inflater: &mut Decompress) -> Option<Vec<u8>> {
    let most = compressed.len().saturating_mul(1032).saturating_add(64);
    inflater.reset(true);
    let mut out = Vec::with_capacity((compressed.len() * 4 + 64).min(most));
    loop {
        let read = usize::try_from(inflater.total_in()).ok()?;
        match inflater.decompress_vec(&compressed[read..], &mut out, FlushDecompress::Finish) {
            Ok(Status::StreamEnd) => return Some(out),
            // Out of room: more room. Anything else means the stream is cut short or broken.
            Ok(_) if out.len() == out.capacity() && out.capacity() < most => {
                let more = out.capacity().min(most - out.capacity());
                out.try_reserve_exact(more).ok()?;
            }
            _ => return None,
        }
    }
}

/// Splits `<kind> <size>\0<bytes>`, checking the size.
fn parse(bytes: &[u8]) -> Option<Object> {
    let (kind, header_len, size) = parse_header(bytes)?;
    let data = &bytes[header_len..];
    (size == data.len() as u64).then(|| (kind, data.into()))
}

/// Entry point for the fuzz targets (`fuzz/`, built with `--cfg fuzzing`): a loose object
/// file's bytes, inflated and split as the reader does, and checked as before a libgit2
/// walk (written into a temporary object database).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn fuzz(bytes: &[u8]) -> Option<usize> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let folder = dir.path().join("ab");
    fs::create_dir(&folder).expect("a fan-out folder");
    fs::write(folder.join("c".repeat(38)), bytes).expect("the object written");
    fs::write(folder.join("d".repeat(62)), bytes).expect("the object written");
    let _ = check_for_libgit2(dir.path(), ObjectFormat::Sha1, true);
    let _ = check_for_libgit2(dir.path(), ObjectFormat::Sha256, true);
    let mut inflater = Decompress::new(true);
    parse(&inflate(bytes, &mut inflater)?).map(|(_, data)| data.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA1: ObjectFormat = ObjectFormat::Sha1;

    #[test]
    fn headers_give_kind_and_size() {
        let (kind, data) = parse(b"tree 3\0abc").unwrap();
        assert_eq!((kind, &data[..]), (ObjectKind::Tree, &b"abc"[..]));
        assert!(parse(b"tree 4\0abc").is_none(), "size disagrees");
        assert!(parse(b"note 3\0abc").is_none(), "unknown kind");
        assert!(parse(b"tree 3abc").is_none(), "no NUL");
        assert!(parse(b"tree +3\0abc").is_none(), "digits only, as git reads a size");
    }

    #[test]
    fn the_check_before_libgit2_inflates_all_but_blobs_whole() {
        use flate2::{Compress, Compression};
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("ab");
        fs::create_dir(&folder).unwrap();
        let write = |name: &str, object: &[u8], keep: fn(usize) -> usize| {
            let mut compressed = Vec::with_capacity(object.len() + 1024);
            Compress::new(Compression::default(), true)
                .compress_vec(object, &mut compressed, flate2::FlushCompress::Finish)
                .unwrap();
            fs::write(folder.join(format!("{name:0>38}")), &compressed[..keep(compressed.len())]).unwrap();
        };
        let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let object = |kind: &str, data: &[u8]| [format!("{kind} {}\0", data.len()).as_bytes(), data].concat();
        write("1", &object("tree", &big), |len| len);
        write("2", &object("blob", &big), |len| len / 2);
        assert!(
            check_for_libgit2(dir.path(), SHA1, true).is_ok(),
            "a whole tree, and a blob cut short left to the time limit"
        );
        write("4", &object("tree", &big), |len| len / 2);
        assert!(check_for_libgit2(dir.path(), SHA1, false).is_ok(), "trees not asked for");
        let damage = |error: Error| match error.kind {
            crate::objects::ErrorKind::Corrupt(Corruption::Loose(damage)) => Some(damage),
            _ => None,
        };
        let error = check_for_libgit2(dir.path(), SHA1, true).unwrap_err();
        assert!(error.to_string().contains("does not inflate"), "{error}");
        assert_eq!(error.path.as_deref(), Some(folder.join(format!("{:0>38}", "4")).as_path()));
        assert_eq!(damage(error), Some(LooseDamage::DoesNotInflate));
        fs::remove_file(folder.join(format!("{:0>38}", "4"))).unwrap();
        write("3", &object("commit", &big), |len| len / 2);
        assert_eq!(damage(check_for_libgit2(dir.path(), SHA1, false).unwrap_err()), Some(LooseDamage::DoesNotInflate));
        write("3", &[b"commit 9\0".as_slice(), b"abc"].concat(), |len| len);
        assert_eq!(damage(check_for_libgit2(dir.path(), SHA1, false).unwrap_err()), Some(LooseDamage::WrongLength));
        write("3", b"note 3\0abc", |len| len);
        assert_eq!(damage(check_for_libgit2(dir.path(), SHA1, false).unwrap_err()), Some(LooseDamage::NoHeader));
    }

    /// A SHA-256 repository's loose objects are `xx/<62 hex>`: read by id, and checked by that
    /// name before a libgit2 walk (a 38-digit name is not one of its objects).
    #[test]
    fn sha256_loose_objects_are_named_by_62_more_digits() {
        use flate2::{Compress, Compression};
        let dir = tempfile::tempdir().unwrap();
        let id = ObjectId::from_hex("ab".repeat(32).as_bytes()).unwrap();
        let hex = id.to_string();
        let folder = dir.path().join(&hex[..2]);
        fs::create_dir(&folder).unwrap();
        let deflate = |object: &[u8]| {
            let mut compressed = Vec::with_capacity(object.len() + 1024);
            Compress::new(Compression::default(), true)
                .compress_vec(object, &mut compressed, flate2::FlushCompress::Finish)
                .unwrap();
            compressed
        };
        fs::write(folder.join(&hex[2..]), deflate(b"commit 3\0abc")).unwrap();
        let mut inflater = Decompress::new(true);
        let (kind, data) = read(dir.path(), &id, &mut inflater).unwrap().expect("there");
        assert_eq!((kind, &data[..]), (ObjectKind::Commit, &b"abc"[..]));
        let sha1 = ObjectId::from_hex("ab".repeat(20).as_bytes()).unwrap();
        assert!(read(dir.path(), &sha1, &mut inflater).unwrap().is_none());
        check_for_libgit2(dir.path(), ObjectFormat::Sha256, true).expect("whole");
        // Cut short: the SHA-256 check sees it, the SHA-1 one does not look at that name.
        let cut = deflate(b"commit 300\0abc");
        fs::write(folder.join(&hex[2..]), &cut).unwrap();
        let error = check_for_libgit2(dir.path(), ObjectFormat::Sha256, false).unwrap_err();
        assert_eq!(error.path.as_deref(), Some(folder.join(&hex[2..]).as_path()));
        assert!(check_for_libgit2(dir.path(), SHA1, false).is_ok());
        assert!(read(dir.path(), &id, &mut inflater).is_err(), "the size disagrees");
        assert!(fuzz(&cut).is_none());
    }

    #[test]
    fn streams_of_any_size_inflate_and_cut_ones_do_not() {
        use flate2::{Compress, Compression};
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut compressed = Vec::with_capacity(data.len() + 1024);
        Compress::new(Compression::best(), true)
            .compress_vec(&data, &mut compressed, flate2::FlushCompress::Finish)
            .unwrap();
        let mut inflater = Decompress::new(true);
        assert_eq!(inflate(&compressed, &mut inflater), Some(data));
        assert_eq!(inflate(&compressed[..compressed.len() / 2], &mut inflater), None);
        assert_eq!(inflate(b"not zlib", &mut inflater), None);
    }
}
