//! git's binary building blocks, each in one place: big-endian integers, the offset varint,
//! and file modes. The index, pack and tree readers all read them (the length of an object
//! id is the repository's [`crate::id::ObjectFormat`]'s).

use std::fmt;

/// The big-endian `u16` at `at`, if the bytes reach that far.
pub(crate) fn be16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

/// The big-endian `u32` at `at`, if the bytes reach that far.
pub(crate) fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// Why an offset varint could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarintError {
    /// The bytes end inside it.
    Truncated,
    /// Its value does not fit in 64 bits.
    Overflow,
}

/// git's offset varint (`decode_varint` in varint.c; also a pack's `OFS_DELTA` distance):
/// 7 bits a byte, most significant first, each continuation adding one. The value and how
/// many bytes it took.
pub(crate) fn offset_varint(bytes: &[u8]) -> Result<(u64, usize), VarintError> {
    let mut rest = bytes.iter().copied();
    let mut byte = rest.next().ok_or(VarintError::Truncated)?;
    let mut value = u64::from(byte & 0x7f);
    let mut used = 1;
    while byte & 0x80 != 0 {
        byte = rest.next().ok_or(VarintError::Truncated)?;
        value = value.checked_add(1).and_then(|v| v.checked_mul(128)).ok_or(VarintError::Overflow)?
            | u64::from(byte & 0x7f);
        used += 1;
    }
    Ok((value, used))
}

/// What a mode of a tree or index entry says the entry is (its type bits, `0o170000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeType {
    /// `040000`: a tree (in the index, a sparse directory).
    Tree,
    /// `100644` or `100755` (old trees may hold other permission bits).
    File,
    /// `120000`.
    Symlink,
    /// `160000`: a submodule's commit.
    Gitlink,
    /// Anything else.
    Other,
}

impl ModeType {
    pub(crate) const TREE: u32 = 0o040000;
    pub(crate) const FILE: u32 = 0o100000;
    pub(crate) const SYMLINK: u32 = 0o120000;
    pub(crate) const GITLINK: u32 = 0o160000;
    const MASK: u32 = 0o170000;

    pub(crate) fn of(mode: u32) -> ModeType {
        match mode & Self::MASK {
            Self::TREE => ModeType::Tree,
            Self::FILE => ModeType::File,
            Self::SYMLINK => ModeType::Symlink,
            Self::GITLINK => ModeType::Gitlink,
            _ => ModeType::Other,
        }
    }
}

/// The mode of a tree or index entry, as git records it: type bits and permission bits
/// (`100644`, `100755`, `120000`, `160000`, `040000`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mode(u32);

impl Mode {
    /// A tree (in the index, a sparse directory).
    pub const TREE: Mode = Mode(ModeType::TREE);
    /// A regular file.
    pub const FILE: Mode = Mode(0o100644);
    /// An executable file.
    pub const EXECUTABLE: Mode = Mode(0o100755);
    /// A symlink: `120000`.
    pub const SYMLINK: Mode = Mode(ModeType::SYMLINK);
    /// A submodule's commit.
    pub const GITLINK: Mode = Mode(ModeType::GITLINK);

    /// The mode these bits spell, whatever they are (old trees hold odd permission bits).
    pub const fn from_bits(bits: u32) -> Mode {
        Mode(bits)
    }

    /// The bits as git records them.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// What the type bits say the entry is.
    pub fn kind(self) -> ModeType {
        ModeType::of(self.0)
    }

    /// A tree (in the index, a sparse directory).
    pub fn is_tree(self) -> bool {
        self.kind() == ModeType::Tree
    }

    /// A regular file, with any permission bits.
    pub fn is_file(self) -> bool {
        self.kind() == ModeType::File
    }

    /// A symlink.
    pub fn is_symlink(self) -> bool {
        self.kind() == ModeType::Symlink
    }

    /// A submodule's commit.
    pub fn is_gitlink(self) -> bool {
        self.kind() == ModeType::Gitlink
    }

    /// A regular file or a symlink: an entry whose object is a blob of this repository.
    pub fn is_blob(self) -> bool {
        matches!(self.kind(), ModeType::File | ModeType::Symlink)
    }
}

/// In octal, as git prints a mode (`100644`).
impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06o}", self.0)
    }
}

impl fmt::Debug for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mode({:06o})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_distances_follow_gits_encoding() {
        assert_eq!(offset_varint(&[0x05]), Ok((5, 1)));
        // (1 + 1) * 128 + 0 = 256: the continuation adds one before shifting.
        assert_eq!(offset_varint(&[0x81, 0x00]), Ok((256, 2)));
        assert_eq!(offset_varint(&[0x80, 0x7f]), Ok((255, 2)));
        assert_eq!(offset_varint(&[0x80]), Err(VarintError::Truncated));
    }

    #[test]
    fn offset_varint_adds_one_per_continuation() {
        assert_eq!(offset_varint(&[0x05]), Ok((5, 1)));
        // (0 + 1) * 128 + 0, as git encodes 128.
        assert_eq!(offset_varint(&[0x80, 0x00, 0xff]), Ok((128, 2)));
        assert_eq!(offset_varint(&[0x81]), Err(VarintError::Truncated));
        assert_eq!(offset_varint(&[]), Err(VarintError::Truncated));
        assert_eq!(offset_varint(&[0xff; 12]), Err(VarintError::Overflow));
    }

    #[test]
    fn mode_types() {
        assert_eq!(ModeType::of(0o100755), ModeType::File);
        assert_eq!(ModeType::of(0o100664), ModeType::File);
        assert_eq!(ModeType::of(0o120000), ModeType::Symlink);
        assert_eq!(ModeType::of(0o160000), ModeType::Gitlink);
        assert_eq!(ModeType::of(0o040000), ModeType::Tree);
        assert_eq!(ModeType::of(0o060000), ModeType::Other);
    }

    #[test]
    fn modes_say_what_they_are() {
        assert!(Mode::from_bits(0o100664).is_file() && Mode::from_bits(0o100664).is_blob());
        assert!(Mode::SYMLINK.is_blob() && !Mode::SYMLINK.is_file());
        assert!(!Mode::GITLINK.is_blob() && Mode::GITLINK.is_gitlink());
        assert!(Mode::TREE.is_tree() && !Mode::TREE.is_blob());
        assert_eq!(Mode::EXECUTABLE.bits(), 0o100755);
        assert_eq!(Mode::TREE.to_string(), "040000");
        assert_eq!(format!("{:?}", Mode::FILE), "Mode(100644)");
    }
}
