//! Loose objects: one zlib-compressed file each, `objects/ab/cdef…`, holding
//! `<kind> <size>\0` and the object's bytes. New commits and the trees they make are loose
//! until git packs them, so the staged check reads `HEAD` from here more often than not.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{Result, anyhow};
use flate2::read::ZlibDecoder;

use super::packs::{Kind, Object};

/// The object `id` (raw bytes) from `objects_dir`, or `None` when there is no such file.
pub fn read(objects_dir: &Path, id: &[u8]) -> Result<Option<Object>> {
    let hex: String = id.iter().map(|byte| format!("{byte:02x}")).collect();
    let path = objects_dir.join(&hex[..2]).join(&hex[2..]);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(anyhow!("cannot read {}: {e}", path.display())),
    };
    let mut bytes = Vec::new();
    ZlibDecoder::new(file)
        .read_to_end(&mut bytes)
        .map_err(|e| anyhow!("{} does not inflate ({e}): corrupt loose object", path.display()))?;
    parse(&bytes)
        .map(Some)
        .ok_or_else(|| anyhow!("{} has no valid object header: corrupt loose object", path.display()))
}

/// Splits `<kind> <size>\0<bytes>`, checking the size.
fn parse(bytes: &[u8]) -> Option<Object> {
    let nul = bytes.iter().position(|&b| b == 0)?;
    let (kind, size) = std::str::from_utf8(&bytes[..nul]).ok()?.split_once(' ')?;
    let kind = match kind {
        "commit" => Kind::Commit,
        "tree" => Kind::Tree,
        "blob" => Kind::Blob,
        "tag" => Kind::Tag,
        _ => return None,
    };
    let data = &bytes[nul + 1..];
    (size.parse::<usize>().ok()? == data.len()).then(|| (kind, data.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_give_kind_and_size() {
        let (kind, data) = parse(b"tree 3\0abc").unwrap();
        assert_eq!((kind, &data[..]), (Kind::Tree, &b"abc"[..]));
        assert!(parse(b"tree 4\0abc").is_none(), "size disagrees");
        assert!(parse(b"note 3\0abc").is_none(), "unknown kind");
        assert!(parse(b"tree 3abc").is_none(), "no NUL");
    }
}
