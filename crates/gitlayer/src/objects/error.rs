//! Why an object could not be read, shared by the object readers (loose files, packs,
//! libgit2): what is wrong ([`ErrorKind`]), the object, the file and where in it. The
//! caller decides what to advise for each kind.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

use super::packs::ObjectKind;
use crate::id::ObjectId;

/// Why an object, or the object database's files, could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub struct Error {
    /// What is wrong.
    pub kind: ErrorKind,
    /// The object being read, when there was one.
    pub id: Option<ObjectId>,
    /// The file it concerns: a loose object, a pack or a pack index (`None` when no file
    /// of the object database is at fault).
    pub path: Option<Box<Path>>,
    /// Where in a pack it applies: the start of the entry concerned, or of its zlib data.
    pub offset: Option<u64>,
    /// Why the file cannot be read ([`ErrorKind::Io`]); shared, so that the error of a
    /// damaged pack, found once, can be returned for every object looked up.
    #[source]
    source: Option<Arc<io::Error>>,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// A file of the object database is there but cannot be read (permission denied, an
    /// I/O error: the error's source says which).
    Io,
    /// A file or an object is damaged.
    Corrupt(Corruption),
    /// No copy of the object: in none of the object database's files, nor where libgit2
    /// looks (alternates).
    Missing,
    /// The object is of another kind than the one asked for.
    WrongKind {
        /// The object's kind.
        found: ObjectKind,
        /// The kind asked for.
        wanted: ObjectKind,
    },
    /// libgit2 could not open the object database: its message.
    ObjectDatabase {
        /// libgit2's own words.
        message: String,
    },
    /// libgit2 could not read the object (or read one of no kind git names): what it said.
    Libgit2 {
        /// libgit2's own words.
        message: String,
    },
}

/// What is damaged, by the file or object it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// A loose object's file.
    Loose(LooseDamage),
    /// A pack index (`.idx`).
    PackIndex(PackIndexDamage),
    /// A pack (`.pack`).
    Pack(PackDamage),
    /// An object's content: not the tree, commit or tag git would have written.
    Content(ContentDamage),
}

/// What is damaged in a loose object's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LooseDamage {
    /// Not a whole zlib stream.
    DoesNotInflate,
    /// No `<kind> <size>\0` header git knows.
    NoHeader,
    /// Longer or shorter than its header says.
    WrongLength,
}

/// What is damaged in a pack index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackIndexDamage {
    /// Not a version 1 or 2 index whose size fits the objects it lists.
    Layout,
    /// The offset of its `object`th object (1-based, of `count`) lies outside the pack.
    OffsetOutsidePack {
        /// Which object (1-based).
        object: usize,
        /// How many objects the index lists.
        count: usize,
    },
}

/// What is damaged in a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackDamage {
    /// Its header does not match its index.
    Header,
    /// An entry's offset lies outside the pack.
    OffsetOutsidePack,
    /// The pack ends inside an entry's header.
    EndsInEntryHeader,
    /// An entry's size does not fit in 64 bits.
    SizeOverflow,
    /// An offset delta's base offset cannot be read.
    BadBaseOffset,
    /// An offset delta's base lies outside the pack.
    BaseOutsidePack,
    /// The pack ends inside a delta's base id.
    EndsInBaseId,
    /// An entry's type is none git writes.
    UnknownType(u8),
    /// An entry claims more bytes than the rest of the pack can inflate to.
    LargerThanPack,
    /// An entry claims more bytes than this machine can hold.
    TooLargeForMemory,
    /// An entry's zlib data does not inflate to its recorded size.
    DoesNotInflate {
        /// The size the entry records.
        size: usize,
    },
    /// A delta chain goes round in a circle, or is longer than any git writes.
    EndlessDeltaChain,
    /// A delta chain builds more than the pack can hold.
    DeltaBuildsTooMuch,
    /// A delta's instructions.
    Delta(DeltaDamage),
}

/// What is wrong with a delta's instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeltaDamage {
    /// It ends inside the base's size.
    TruncatedBaseSize,
    /// It ends inside the result's size.
    TruncatedResultSize,
    /// It expects a base of `expected` bytes; the base has `found`.
    BaseSize {
        /// The base size the delta records.
        expected: usize,
        /// The base's real size.
        found: usize,
    },
    /// It ends inside a copy instruction.
    TruncatedCopy,
    /// A copy reaches past the end of the base.
    CopyPastBase,
    /// It ends inside the bytes an insert instruction adds.
    TruncatedInsert,
    /// The reserved instruction 0.
    Reserved,
    /// It builds more than its result size.
    BuildsTooMuch,
    /// It builds `built` bytes, not its result size.
    BuildsOther {
        /// How many bytes it built.
        built: usize,
        /// The result size it records.
        expected: usize,
    },
}

/// What is wrong with an object's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentDamage {
    /// A tree's entries are not `<octal mode> <name>\0<id>`.
    Tree,
    /// A commit has no `tree` line.
    CommitWithoutTree,
    /// A tag has no `object` line.
    TagWithoutObject,
    /// Tags point at tags, more than `limit` deep.
    TagChain {
        /// How deep a chain of tags is followed.
        limit: usize,
    },
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error { kind, id: None, path: None, offset: None, source: None }
    }

    pub(crate) fn corrupt(corruption: Corruption) -> Error {
        Error::new(ErrorKind::Corrupt(corruption))
    }

    /// The file at `path` cannot be read.
    pub(crate) fn io(source: io::Error, path: &Path) -> Error {
        Error { source: Some(Arc::new(source)), ..Error::new(ErrorKind::Io).in_file(path) }
    }

    pub(crate) fn in_file(self, path: &Path) -> Error {
        Error { path: Some(path.into()), ..self }
    }

    pub(crate) fn at_offset(self, offset: u64) -> Error {
        Error { offset: Some(offset), ..self }
    }

    /// The same error, met while reading the object `id`.
    pub(crate) fn reading(self, id: ObjectId) -> Error {
        Error { id: Some(id), ..self }
    }

    /// Why the file cannot be read, for [`ErrorKind::Io`].
    pub fn io_error(&self) -> Option<&io::Error> {
        self.source.as_deref()
    }
}

/// What and where, as one line: `cannot read object <id>: <file>: <what> (at offset <n>;
/// corrupt pack)` and the like. An I/O error's words are its source's.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = Shown(self.id);
        let reading = match &self.kind {
            ErrorKind::Corrupt(Corruption::Content(_)) | ErrorKind::WrongKind { .. } => false,
            _ => self.id.is_some(),
        };
        if reading {
            write!(f, "cannot read object {id}: ")?;
        }
        let file = Shown(self.path.as_deref().map(Path::display));
        match &self.kind {
            ErrorKind::Io => write!(f, "cannot read {file}"),
            ErrorKind::Missing => f.write_str("it is not in the object database"),
            ErrorKind::WrongKind { found, wanted } => write!(f, "object {id} is a {found}, not a {wanted}"),
            ErrorKind::ObjectDatabase { message } => write!(f, "cannot open the object database: {message}"),
            ErrorKind::Libgit2 { message } => f.write_str(message),
            ErrorKind::Corrupt(Corruption::Loose(damage)) => write!(f, "{file} {damage}: corrupt loose object"),
            ErrorKind::Corrupt(Corruption::PackIndex(damage @ PackIndexDamage::Layout)) => {
                write!(f, "{file}: corrupt pack index ({damage})")
            }
            ErrorKind::Corrupt(Corruption::PackIndex(damage)) => write!(f, "{file}: {damage} (corrupt pack index)"),
            ErrorKind::Corrupt(Corruption::Pack(damage)) => match self.offset {
                Some(offset) => write!(f, "{file}: {damage} (at offset {offset}; corrupt pack)"),
                None => write!(f, "{file}: corrupt pack ({damage})"),
            },
            ErrorKind::Corrupt(Corruption::Content(damage)) => match damage {
                ContentDamage::Tree => write!(f, "tree {id} is corrupt"),
                ContentDamage::CommitWithoutTree => write!(f, "commit {id} is corrupt: no tree line"),
                ContentDamage::TagWithoutObject => write!(f, "tag {id} is corrupt: no object line"),
                ContentDamage::TagChain { limit } => write!(f, "object {id} is a chain of more than {limit} tags"),
            },
        }
    }
}

/// A value that may be missing, shown as `?` then.
struct Shown<T>(Option<T>);

impl<T: fmt::Display> fmt::Display for Shown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => f.write_str("?"),
        }
    }
}

impl fmt::Display for LooseDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LooseDamage::DoesNotInflate => "does not inflate",
            LooseDamage::NoHeader => "has no valid object header",
            LooseDamage::WrongLength => "is not as long as its header says",
        })
    }
}

impl fmt::Display for PackIndexDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackIndexDamage::Layout => f.write_str("not a version 1 or 2 index whose size fits the objects it lists"),
            PackIndexDamage::OffsetOutsidePack { object, count } => {
                write!(f, "object {object} of {count} lies outside its pack")
            }
        }
    }
}

impl fmt::Display for PackDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackDamage::Header => f.write_str("its header does not match its index"),
            PackDamage::OffsetOutsidePack => f.write_str("an object offset is outside the pack"),
            PackDamage::EndsInEntryHeader => f.write_str("the pack ends inside an object header"),
            PackDamage::SizeOverflow => f.write_str("an object size overflows"),
            PackDamage::BadBaseOffset => f.write_str("bad delta base offset"),
            PackDamage::BaseOutsidePack => f.write_str("a delta base lies outside the pack"),
            PackDamage::EndsInBaseId => f.write_str("the pack ends inside a delta base id"),
            PackDamage::UnknownType(kind) => write!(f, "unknown object type {kind}"),
            PackDamage::LargerThanPack => f.write_str("an object is larger than the pack can hold"),
            PackDamage::TooLargeForMemory => f.write_str("an object is too large to hold in memory"),
            PackDamage::DoesNotInflate { size } => write!(f, "the object data does not inflate to its {size} bytes"),
            PackDamage::EndlessDeltaChain => f.write_str("a delta chain does not end"),
            PackDamage::DeltaBuildsTooMuch => f.write_str("a delta chain builds more than the pack can hold"),
            PackDamage::Delta(damage) => damage.fmt(f),
        }
    }
}

impl fmt::Display for DeltaDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeltaDamage::TruncatedBaseSize => f.write_str("a delta's base size is cut short"),
            DeltaDamage::TruncatedResultSize => f.write_str("a delta's result size is cut short"),
            DeltaDamage::BaseSize { expected, found } => {
                write!(f, "a delta expects a base of {expected} bytes, not {found}")
            }
            DeltaDamage::TruncatedCopy => f.write_str("a delta copy is cut short"),
            DeltaDamage::CopyPastBase => f.write_str("a delta copies past the end of its base"),
            DeltaDamage::TruncatedInsert => f.write_str("a delta insert is cut short"),
            DeltaDamage::Reserved => f.write_str("a delta holds the reserved instruction 0"),
            DeltaDamage::BuildsTooMuch => f.write_str("a delta builds more than its result size"),
            DeltaDamage::BuildsOther { built, expected } => write!(f, "a delta builds {built} bytes, not {expected}"),
        }
    }
}
