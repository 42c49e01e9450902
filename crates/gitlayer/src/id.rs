//! [`ObjectId`]: the one shape of an object id across the crate. libgit2's `git2::Oid`
//! appears only inside [`crate::repo`] and the object reader's libgit2 fallback.

use std::fmt;

use crate::format::ID_LEN;

/// A SHA-1 object id: 20 raw bytes, shown as 40 lower-case hex digits.
// `transparent`: an id inside a mapped file or a tree's bytes is borrowed as an `&ObjectId`
// without a copy (`ObjectId::from_array_ref`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(transparent)]
pub struct ObjectId([u8; ID_LEN]);

impl ObjectId {
    /// The null id (all zeros): git's "no object".
    pub const NULL: ObjectId = ObjectId([0; ID_LEN]);

    /// The id whose raw bytes these are (`None` unless exactly [`ID_LEN`] of them).
    pub(crate) fn from_bytes(bytes: &[u8]) -> Option<ObjectId> {
        Some(ObjectId(bytes.try_into().ok()?))
    }

    /// The id these 40 hex digits spell (either case).
    pub fn from_hex(hex: &[u8]) -> Option<ObjectId> {
        if hex.len() != 2 * ID_LEN {
            return None;
        }
        let mut id = [0; ID_LEN];
        for (byte, pair) in id.iter_mut().zip(hex.chunks_exact(2)) {
            *byte = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Some(ObjectId(id))
    }

    /// The id whose raw bytes these are, borrowed where they lie.
    pub(crate) fn from_array_ref(bytes: &[u8; ID_LEN]) -> &ObjectId {
        // SAFETY: `ObjectId` is `repr(transparent)` over `[u8; ID_LEN]`: same size,
        // alignment and validity, so the reference may be reinterpreted for its lifetime.
        unsafe { &*(bytes as *const [u8; ID_LEN]).cast::<ObjectId>() }
    }

    pub(crate) fn as_bytes(&self) -> &[u8; ID_LEN] {
        &self.0
    }

    /// The same id for a libgit2 call.
    pub(crate) fn to_git2(self) -> git2::Oid {
        git2::Oid::from_bytes(&self.0).expect("ID_LEN bytes")
    }

    /// The id libgit2 returned (a SHA-1 repository's: 20 bytes).
    pub(crate) fn from_git2(id: git2::Oid) -> ObjectId {
        ObjectId::from_bytes(id.as_bytes()).expect("libgit2 opens SHA-1 repositories only")
    }
}

impl From<[u8; ID_LEN]> for ObjectId {
    fn from(bytes: [u8; ID_LEN]) -> ObjectId {
        ObjectId(bytes)
    }
}

impl From<&[u8; ID_LEN]> for ObjectId {
    fn from(bytes: &[u8; ID_LEN]) -> ObjectId {
        ObjectId(*bytes)
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
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
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
        assert_eq!(id.to_string(), hex.to_ascii_lowercase());
        assert_eq!(id.to_git2(), git2::Oid::from_str(hex).unwrap());
        assert_eq!(ObjectId::from_git2(id.to_git2()), id);
        assert_eq!(ObjectId::from_hex(&hex.as_bytes()[1..]), None, "too short");
        assert_eq!(ObjectId::from_hex(b"g123456789abcdef0123456789abcdef01234567"), None, "not hex");
        assert_eq!(ObjectId::from_bytes(&[1; 19]), None);
        assert_eq!(ObjectId::from_array_ref(&[7; ID_LEN]), &ObjectId::from([7; ID_LEN]));
        assert_eq!(ObjectId::NULL.to_string(), "0".repeat(40));
    }
}
