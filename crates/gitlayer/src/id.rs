//! [`ObjectId`] and [`ObjectFormat`]: the one shape of an object id across the crate, SHA-1 or
//! SHA-256. libgit2's `git2::Oid` appears only inside [`crate::repo`] and the object reader's
//! libgit2 fallback.
//!
//! An id is a value: its bytes inline (room for the longer SHA-256) and its format, 33 bytes,
//! `Copy`. The entries the readers hand over while they stream a file (an index entry, a tree
//! entry) borrow the id's raw bytes instead, and copy them into an `ObjectId` only when asked
//! (`EntryRef::id`, `TreeEntry::id`): most entries are looked at by path and never by id.

use std::fmt;

/// The hash function a repository names its objects by: git's `extensions.objectFormat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectFormat {
    /// SHA-1: 20-byte ids, 40 hex digits (git's default, and every repository without
    /// `extensions.objectFormat`).
    Sha1,
    /// SHA-256: 32-byte ids, 64 hex digits (`git init --object-format=sha256`).
    Sha256,
}

impl ObjectFormat {
    /// The length of an id in bytes: 20 or 32.
    pub const fn id_len(self) -> usize {
        match self {
            ObjectFormat::Sha1 => 20,
            ObjectFormat::Sha256 => 32,
        }
    }

    /// The length of an id in hex digits: 40 or 64.
    pub const fn hex_len(self) -> usize {
        2 * self.id_len()
    }

    /// The name git gives it in `extensions.objectFormat`: `sha1` or `sha256`.
    pub const fn name(self) -> &'static str {
        match self {
            ObjectFormat::Sha1 => "sha1",
            ObjectFormat::Sha256 => "sha256",
        }
    }

    /// The format whose ids are `len` bytes long.
    pub const fn of_len(len: usize) -> Option<ObjectFormat> {
        match len {
            20 => Some(ObjectFormat::Sha1),
            32 => Some(ObjectFormat::Sha256),
            _ => None,
        }
    }

    pub(crate) fn from_git2(format: git2::ObjectFormat) -> ObjectFormat {
        match format {
            git2::ObjectFormat::Sha1 => ObjectFormat::Sha1,
            git2::ObjectFormat::Sha256 => ObjectFormat::Sha256,
        }
    }
}

impl fmt::Display for ObjectFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The longest id there is (SHA-256), in bytes.
const MAX_LEN: usize = 32;

/// An object id of either format: 20 (SHA-1) or 32 (SHA-256) raw bytes, shown as 40 or 64
/// lower-case hex digits. Ids of different formats are never equal.
// The bytes past the format's length are always zero, so the derived comparisons and hash
// see only the id (and its format).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    bytes: [u8; MAX_LEN],
    format: ObjectFormat,
}

impl ObjectId {
    /// The null id (all zeros) of `format`: git's "no object".
    pub const fn null(format: ObjectFormat) -> ObjectId {
        ObjectId { bytes: [0; MAX_LEN], format }
    }

    /// Whether this is the null id.
    pub fn is_null(&self) -> bool {
        self.bytes == [0; MAX_LEN]
    }

    /// The id whose raw bytes these are: 20 for SHA-1, 32 for SHA-256 (`None` for any other
    /// length).
    pub fn from_bytes(bytes: &[u8]) -> Option<ObjectId> {
        let format = ObjectFormat::of_len(bytes.len())?;
        ObjectId::read(bytes, format)
    }

    /// The id of the raw bytes a reader borrowed from a file after checking their length
    /// (20 or 32: an index entry's, a tree entry's).
    #[inline]
    pub(crate) fn from_checked_bytes(bytes: &[u8]) -> ObjectId {
        ObjectId::from_bytes(bytes).expect("the readers borrow ids of 20 or 32 bytes only")
    }

    /// The id of `format` at the start of `bytes` (`None` when they are shorter). For the
    /// readers, which know the repository's format and read ids out of files.
    #[inline]
    pub(crate) fn read(bytes: &[u8], format: ObjectFormat) -> Option<ObjectId> {
        let mut id = ObjectId::null(format);
        // One fixed-size copy per format: the compiler inlines it (the index and tree readers
        // call this once an entry).
        match format {
            ObjectFormat::Sha1 => id.bytes[..20].copy_from_slice(bytes.get(..20)?),
            ObjectFormat::Sha256 => id.bytes.copy_from_slice(bytes.get(..32)?),
        }
        Some(id)
    }

    /// The id these hex digits spell (either case): 40 for SHA-1, 64 for SHA-256.
    pub fn from_hex(hex: &[u8]) -> Option<ObjectId> {
        let format = match hex.len() {
            40 => ObjectFormat::Sha1,
            64 => ObjectFormat::Sha256,
            _ => return None,
        };
        let mut id = ObjectId::null(format);
        for (byte, pair) in id.bytes.iter_mut().zip(hex.chunks_exact(2)) {
            *byte = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Some(id)
    }

    /// The format of the id.
    pub fn format(&self) -> ObjectFormat {
        self.format
    }

    /// The raw bytes: 20 or 32 of them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.format.id_len()]
    }

    /// The same id for a libgit2 call.
    pub(crate) fn to_git2(self) -> git2::Oid {
        git2::Oid::from_bytes(self.as_bytes()).expect("libgit2 takes ids of 20 and 32 bytes")
    }

    /// The id libgit2 returned (20 or 32 bytes: libgit2 makes no other).
    pub(crate) fn from_git2(id: git2::Oid) -> ObjectId {
        ObjectId::from_bytes(id.as_bytes()).expect("libgit2's ids are 20 or 32 bytes")
    }
}

fn hex_digit(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 2 * MAX_LEN];
        let len = 2 * self.format.id_len();
        for (pair, byte) in out.chunks_exact_mut(2).zip(self.as_bytes()) {
            pair[0] = HEX[usize::from(byte >> 4)];
            pair[1] = HEX[usize::from(byte & 0xf)];
        }
        f.write_str(std::str::from_utf8(&out[..len]).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_agrees_with_libgit2() {
        let hex = "0123456789abcdef0123456789ABCDEF01234567";
        let id = ObjectId::from_hex(hex.as_bytes()).expect("40 hex digits");
        assert_eq!(id.format(), ObjectFormat::Sha1);
        assert_eq!(id.to_string(), hex.to_ascii_lowercase());
        assert_eq!(id.to_git2(), git2::Oid::from_str(hex).unwrap());
        assert_eq!(ObjectId::from_git2(id.to_git2()), id);
        assert_eq!(ObjectId::from_hex(&hex.as_bytes()[1..]), None, "too short");
        assert_eq!(ObjectId::from_hex(b"g123456789abcdef0123456789abcdef01234567"), None, "not hex");
        assert_eq!(ObjectId::from_bytes(&[1; 19]), None);
        assert_eq!(ObjectId::read(&[7; 25], ObjectFormat::Sha1), ObjectId::from_bytes(&[7; 20]));
        assert_eq!(ObjectId::read(&[7; 19], ObjectFormat::Sha1), None);
        assert_eq!(ObjectId::null(ObjectFormat::Sha1).to_string(), "0".repeat(40));
    }

    #[test]
    fn sha256_ids_are_64_digits_and_agree_with_libgit2() {
        let hex = "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef";
        let id = ObjectId::from_hex(hex.as_bytes()).expect("64 hex digits");
        assert_eq!(id.format(), ObjectFormat::Sha256);
        assert_eq!(id.as_bytes().len(), 32);
        assert_eq!(id.to_string(), hex.to_ascii_lowercase());
        let libgit2 = git2::Oid::from_str_ext(hex, git2::ObjectFormat::Sha256).unwrap();
        assert_eq!(id.to_git2(), libgit2);
        assert_eq!(ObjectId::from_git2(libgit2), id);
        assert_eq!(ObjectId::from_hex(&hex.as_bytes()[..63]), None, "63 digits");
        assert_eq!(ObjectId::from_hex(&hex.as_bytes()[..50]), None, "neither length");
        assert_eq!(ObjectId::read(&[9; 40], ObjectFormat::Sha256), ObjectId::from_bytes(&[9; 32]));
        assert_eq!(ObjectId::read(&[9; 31], ObjectFormat::Sha256), None);
        assert_eq!(ObjectId::null(ObjectFormat::Sha256).to_string(), "0".repeat(64));
        assert!(ObjectId::null(ObjectFormat::Sha256).is_null());
        // The same leading bytes in the two formats are two ids.
        let mut long = [0; 32];
        long[..20].copy_from_slice(&[5; 20]);
        assert_ne!(ObjectId::from_bytes(&[5; 20]), ObjectId::from_bytes(&long));
        assert_ne!(ObjectId::null(ObjectFormat::Sha1), ObjectId::null(ObjectFormat::Sha256));
    }

    #[test]
    fn formats_know_their_lengths() {
        assert_eq!((ObjectFormat::Sha1.id_len(), ObjectFormat::Sha1.hex_len()), (20, 40));
        assert_eq!((ObjectFormat::Sha256.id_len(), ObjectFormat::Sha256.hex_len()), (32, 64));
        assert_eq!(ObjectFormat::of_len(32), Some(ObjectFormat::Sha256));
        assert_eq!(ObjectFormat::of_len(64), None);
        assert_eq!(ObjectFormat::Sha256.to_string(), "sha256");
        assert_eq!(ObjectFormat::from_git2(git2::ObjectFormat::Sha256), ObjectFormat::Sha256);
    }
}
