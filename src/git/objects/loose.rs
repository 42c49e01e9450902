//! Loose objects: one zlib-compressed file each, `objects/ab/cdef…`, holding
//! `<kind> <size>\0` and the object's bytes. New commits and the trees they make are loose
//! until git packs them, so the staged check reads `HEAD` from here more often than not.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{Result, anyhow};

use super::ReadError;
use flate2::{Decompress, FlushDecompress, Status};

use super::packs::{Object, ObjectKind};

/// The object `id` (raw bytes) from `objects_dir`, or `None` when there is no such file.
/// `inflater` is reused from read to read: setting one up costs more than inflating a tree.
pub(crate) fn read(objects_dir: &Path, id: &[u8], inflater: &mut Decompress) -> Result<Option<Object>, ReadError> {
    let hex: String = id.iter().map(|byte| format!("{byte:02x}")).collect();
    read_file(&objects_dir.join(&hex[..2]).join(&hex[2..]), inflater)
}

/// The object in the file at `path`, or `None` when there is no such file.
fn read_file(path: &Path, inflater: &mut Decompress) -> Result<Option<Object>, ReadError> {
    let compressed = match fs::read(path) {
        Ok(compressed) => compressed,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(ReadError::Io { path: path.to_path_buf(), source }),
    };
    let bytes = inflate(&compressed, inflater).ok_or_else(|| damaged(path, "does not inflate"))?;
    parse(&bytes).map(Some).ok_or_else(|| damaged(path, "has no valid object header"))
}

fn damaged(path: &Path, why: &str) -> ReadError {
    ReadError::Corrupt(format!("{} {why}: corrupt loose object (`git fsck` lists the damage)", path.display()))
}

/// Checks that every loose commit and tag in `objects_dir` inflates whole (every tree too
/// when `trees`), and that every loose object says what kind it is. libgit2 reads them
/// itself when it resolves a revision (a tag name, `HEAD~2`; `HEAD:pkg` reads trees) or walks
/// the history, and its loose-object reader spins forever on a file cut short (libgit2 issue
/// #7342, fixed upstream after the 1.9.7 that git2 vendors): a damaged object must be an
/// error before, not a hang inside. Only the first bytes of other objects are read.
pub(crate) fn check_for_libgit2(objects_dir: &Path, trees: bool) -> Result<()> {
    let mut inflater = Decompress::new(true);
    for fanout in 0..=u8::MAX {
        let Ok(files) = fs::read_dir(objects_dir.join(format!("{fanout:02x}"))) else { continue };
        for file in files.flatten() {
            // git's temporary files (`tmp_obj_*`) are not objects yet.
            let is_object =
                file.file_name().to_str().is_some_and(|n| n.len() == 38 && n.bytes().all(|b| b.is_ascii_hexdigit()));
            if is_object {
                check_one(&file.path(), trees, &mut inflater)?;
            }
        }
    }
    Ok(())
}

fn check_one(path: &Path, trees: bool, inflater: &mut Decompress) -> Result<()> {
    let mut start = Vec::with_capacity(4096);
    match fs::File::open(path).and_then(|file| io::Read::take(file, 4096).read_to_end(&mut start)) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()), // packed and pruned meanwhile
        Err(e) => return Err(anyhow!("cannot read {}: {e}", path.display())),
    }
    inflater.reset(true);
    let mut header = Vec::with_capacity(64);
    let _ = inflater.decompress_vec(&start, &mut header, FlushDecompress::None);
    let kind = header.iter().position(|&b| b == b' ').and_then(|space| ObjectKind::named(&header[..space]));
    match kind {
        // A file gone meanwhile (packed and pruned) reads as `None`.
        Some(ObjectKind::Commit | ObjectKind::Tag) => read_file(path, inflater).map(drop).map_err(Into::into),
        Some(ObjectKind::Tree) if trees => read_file(path, inflater).map(drop).map_err(Into::into),
        Some(_) => Ok(()),
        None => Err(damaged(path, "does not say what kind of object it is").into()),
    }
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
    let nul = bytes.iter().position(|&b| b == 0)?;
    let (kind, size) = std::str::from_utf8(&bytes[..nul]).ok()?.split_once(' ')?;
    let kind = ObjectKind::named(kind.as_bytes())?;
    let data = &bytes[nul + 1..];
    (size.parse::<usize>().ok()? == data.len()).then(|| (kind, data.into()))
}

/// Entry point for the fuzz targets (`fuzz/`, built with `--cfg fuzzing`): a loose object
/// file's bytes, inflated and split as the reader does.
#[cfg(any(fuzzing, test))]
pub(crate) fn fuzz(bytes: &[u8]) -> Option<usize> {
    let mut inflater = Decompress::new(true);
    parse(&inflate(bytes, &mut inflater)?).map(|(_, data)| data.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_give_kind_and_size() {
        let (kind, data) = parse(b"tree 3\0abc").unwrap();
        assert_eq!((kind, &data[..]), (ObjectKind::Tree, &b"abc"[..]));
        assert!(parse(b"tree 4\0abc").is_none(), "size disagrees");
        assert!(parse(b"note 3\0abc").is_none(), "unknown kind");
        assert!(parse(b"tree 3abc").is_none(), "no NUL");
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
