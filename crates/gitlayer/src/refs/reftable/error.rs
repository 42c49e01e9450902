//! Why a reftable stack could not be read: what is wrong ([`ErrorKind`]), in which file, and
//! where in it. The caller decides what to advise.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a reftable stack, or one of its tables, could not be read.
#[derive(Debug, thiserror::Error)]
pub struct Error {
    /// What is wrong.
    pub kind: ErrorKind,
    /// The file it concerns: a table, or the stack's `tables.list`.
    pub path: PathBuf,
    /// Where in `path` it applies, when one place does.
    pub offset: Option<u64>,
    /// Why the file cannot be read ([`ErrorKind::Io`]).
    #[source]
    source: Option<io::Error>,
}

/// What is wrong with a reftable stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file is there but cannot be read (the error's source says why).
    Io,
    /// `tables.list` names a table that is not there.
    MissingTable,
    /// `tables.list` names something that is not a table's file name (a path, `..`).
    BadTableName(String),
    /// The bytes are not a table git could have written.
    Corrupt(Corruption),
    /// A well-formed table of a version or hash this reader does not know.
    Unsupported(Unsupported),
    /// The tables of one repository name objects with ids of different sizes, or of another
    /// size than the repository's object format.
    MixedHashes,
    /// Symbolic refs that name each other in a circle, or deeper than git follows (5).
    SymrefCycle {
        /// The ref whose resolution went round.
        name: String,
    },
    /// libgit2 would not take the backend that serves the stack (its words).
    Backend(String),
}

/// What is damaged in a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// Fewer bytes than a header and a footer take.
    TooShort,
    /// It does not start with `REFT`.
    Magic,
    /// The footer does not repeat the header.
    FooterHeader,
    /// The footer's CRC-32 is not that of its bytes.
    Crc,
    /// A position in the footer lies past the blocks.
    FooterPosition,
    /// A block's header or length reaches past the blocks.
    BlockPastEnd,
    /// A block of an unknown type.
    BlockType,
    /// A block's restart table is empty or does not fit in the block.
    RestartTable,
    /// A restart offset points outside the block's records.
    RestartOffset,
    /// A record's prefix length is longer than the previous name.
    PrefixLength,
    /// A record reaches past its block's records.
    RecordPastEnd,
    /// A varint longer than 64 bits.
    Varint,
    /// A ref record of a reserved value type (4 to 7), or an index record with a value.
    ValueType,
    /// Names out of order, or an empty one.
    Order,
    /// A record's update index lies outside the table's range.
    UpdateIndex,
    /// An index record names a block that is not a ref or index block, or the index is
    /// deeper than any table git writes.
    IndexTarget,
    /// A name holds a NUL byte.
    NulInName,
}

/// What a table uses that this reader does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    /// A version other than 1 and 2.
    Version(u8),
    /// A version 2 hash id other than `sha1` and `s256`.
    HashId(u32),
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, path: &Path) -> Error {
        Error { kind, path: path.to_path_buf(), offset: None, source: None }
    }

    pub(super) fn corrupt(corruption: Corruption, path: &Path, offset: u64) -> Error {
        Error { offset: Some(offset), ..Error::new(ErrorKind::Corrupt(corruption), path) }
    }

    pub(super) fn io(source: io::Error, path: &Path) -> Error {
        Error { source: Some(source), ..Error::new(ErrorKind::Io, path) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        match &self.kind {
            ErrorKind::Io => write!(f, "cannot read the reftable file {path}")?,
            ErrorKind::MissingTable => write!(f, "the reftable {path} that tables.list names is missing")?,
            ErrorKind::BadTableName(name) => write!(f, "{path} names {name:?}, which is not a reftable file")?,
            ErrorKind::Corrupt(corruption) => write!(f, "damaged reftable {path}: {corruption}")?,
            ErrorKind::Unsupported(Unsupported::Version(v)) => {
                write!(f, "the reftable {path} is of version {v}, which cannot be read here (only 1 and 2)")?
            }
            ErrorKind::Unsupported(Unsupported::HashId(id)) => {
                write!(f, "the reftable {path} names an unknown hash (id {id:#010x})")?
            }
            ErrorKind::MixedHashes => write!(
                f,
                "the reftable {path} holds ids of another size than the tables before it, or than the repository's objects"
            )?,
            ErrorKind::Backend(message) => write!(f, "cannot read the reftables of {path} through libgit2: {message}")?,
            ErrorKind::SymrefCycle { name } => {
                write!(f, "the symbolic ref {name} in {path} goes round in a circle (or deeper than 5)")?
            }
        }
        if let Some(offset) = self.offset {
            write!(f, " at offset {offset}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Corruption::TooShort => "shorter than a header and a footer",
            Corruption::Magic => "it does not start with REFT",
            Corruption::FooterHeader => "the footer does not repeat the header",
            Corruption::Crc => "the footer's CRC-32 does not match",
            Corruption::FooterPosition => "the footer points past the blocks",
            Corruption::BlockPastEnd => "a block reaches past the end",
            Corruption::BlockType => "a block of unknown type",
            Corruption::RestartTable => "a restart table that does not fit its block",
            Corruption::RestartOffset => "a restart offset out of range",
            Corruption::PrefixLength => "a prefix length longer than the previous name",
            Corruption::RecordPastEnd => "a record reaches past its block",
            Corruption::Varint => "a varint longer than 64 bits",
            Corruption::ValueType => "a record of a reserved value type",
            Corruption::Order => "names out of order (or an empty one)",
            Corruption::UpdateIndex => "an update index outside the table's range",
            Corruption::IndexTarget => "an index record that names no ref or index block",
            Corruption::NulInName => "a name holding a NUL byte",
        })
    }
}

impl Error {
    /// Whether the file is not there.
    pub(super) fn is_not_found(&self) -> bool {
        self.source.as_ref().is_some_and(|e| e.kind() == io::ErrorKind::NotFound)
    }
}

impl Error {
    /// libgit2 would not take the backend (its words).
    pub(crate) fn backend(message: String, dir: &Path) -> Error {
        Error::new(ErrorKind::Backend(message), dir)
    }
}
