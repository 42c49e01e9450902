//! Why an index could not be read: what is wrong ([`ErrorKind`]), in which file, and where
//! in it. The caller decides what to advise for each kind.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why an index could not be read.
#[derive(Debug, thiserror::Error)]
pub struct Error {
    /// What is wrong.
    pub kind: ErrorKind,
    /// The file it concerns: the index read, or the shared index it names (split index).
    pub path: PathBuf,
    /// The split index that names `path` as its shared index; `None` when `path` is the index
    /// read.
    pub split_index: Option<Box<Path>>,
    /// The entry it concerns, if one does.
    pub entry: Option<EntryAt>,
    /// Where in `path` it applies: the start of that entry, or of the extension concerned.
    pub offset: Option<u64>,
    /// Why the file cannot be read ([`ErrorKind::Io`]).
    #[source]
    source: Option<io::Error>,
}

/// What is wrong with an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The file is there but cannot be read: permission denied, a folder, an I/O error (the
    /// error's source says which).
    Io,
    /// The bytes are not an index git could have written: truncated or damaged.
    Corrupt(Corruption),
    /// A well-formed index that this reader does not support.
    Unsupported(Unsupported),
    /// The shared index that a split index names is not there (`path` is where git looks
    /// first).
    Missing,
}

/// An entry's place in its index file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryAt {
    /// 0-based, in the order of the file.
    pub position: usize,
    /// How many entries the file's header announces.
    pub count: usize,
}

/// What is damaged in an index file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corruption {
    /// Fewer bytes than a header and a checksum take.
    TooShort {
        /// The file's size.
        len: u64,
    },
    /// It does not start with `DIRC`.
    Signature,
    /// The file ends inside its header.
    EndsInHeader,
    /// The header announces more entries than this machine can count.
    TooManyEntries,
    /// The file ends inside an entry.
    EndsInEntry,
    /// The entries reach into the trailing checksum.
    EntriesRunIntoChecksum,
    /// The file ends inside an extension's signature and size.
    EndsInExtensionHeader,
    /// An extension's size reaches past the end of the file.
    ExtensionPastEnd {
        /// The extension's signature.
        signature: [u8; 4],
    },
    /// An extension is larger than this machine can hold.
    ExtensionTooLarge,
    /// The file ends inside an extension.
    EndsInExtension,
    /// An entry has an empty path where git writes none (only the replacements of a split
    /// index have one, before all other entries).
    EmptyPath,
    /// An entry's path is not followed by a NUL byte.
    PathNotTerminated,
    /// A version 4 path drops more bytes than the previous path holds.
    PathDropsTooMuch,
    /// A version 4 path is shorter than the prefix it shares with the previous one.
    PathShorterThanPrefix,
    /// A path length does not fit in memory.
    PathLengthOverflow,
    /// The `link` extension (split index) is damaged.
    Link(LinkDamage),
    /// The `link` extension replaces another number of entries than the split index holds
    /// replacements for.
    ReplacementCount {
        /// The entries the bitmap replaces.
        replaced: usize,
        /// The replacements the split index holds.
        replacements: usize,
    },
    /// An entry of the shared index is both replaced and deleted.
    ReplacedAndDeleted,
    /// The shared index is itself split.
    SharedIndexSplit,
    /// The shared index's checksum is not the one the split index names.
    SharedIndexChecksum,
}

/// What is damaged in a `link` extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkDamage {
    /// Shorter than an object id.
    TooShort,
    /// Bytes follow its two bitmaps.
    TrailingBytes,
    /// One of its bitmaps.
    Bitmap(Bitmap, EwahDamage),
}

/// The two bitmaps of a `link` extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bitmap {
    /// The shared index's entries the split index deletes.
    Delete,
    /// The shared index's entries the split index replaces.
    Replace,
}

/// What is damaged in an EWAH bitmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EwahDamage {
    /// It ends before its bit length.
    EndsBeforeLength,
    /// It ends inside its words.
    EndsInWords,
    /// It ends before its last marker word.
    EndsBeforeMarker,
    /// A run says literal words follow, and they do not.
    LiteralWordMissing,
    /// A bit is set past the shared index's entries.
    PastEntries {
        /// How many entries the shared index has.
        entries: usize,
    },
}

/// What a well-formed index uses that this reader does not support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    /// A version other than 2, 3 and 4 (the number the header holds).
    Version(u32),
    /// A required extension (lower-case first letter) other than `link` and `sdir`.
    Extension([u8; 4]),
    /// Extended entry flags git added later.
    EntryFlags(u16),
}

impl Error {
    pub(super) fn new(kind: ErrorKind, path: &Path) -> Error {
        Error { kind, path: path.to_path_buf(), split_index: None, entry: None, offset: None, source: None }
    }

    pub(super) fn corrupt(corruption: Corruption, path: &Path) -> Error {
        Error::new(ErrorKind::Corrupt(corruption), path)
    }

    pub(super) fn io(source: io::Error, path: &Path) -> Error {
        Error { source: Some(source), ..Error::new(ErrorKind::Io, path) }
    }

    /// The same error, about the entry at `position` (of `count`) that starts at `offset`.
    pub(super) fn at_entry(self, position: usize, count: usize, offset: u64) -> Error {
        Error { entry: Some(EntryAt { position, count }), offset: Some(offset), ..self }
    }

    pub(super) fn at_offset(self, offset: u64) -> Error {
        Error { offset: Some(offset), ..self }
    }

    /// The same error, in the shared index of the split index at `split_index`.
    pub(super) fn in_shared_index_of(self, split_index: &Path) -> Error {
        Error { split_index: Some(split_index.into()), ..self }
    }

    /// The index that was read: the split index when the error is in its shared index.
    pub fn index_path(&self) -> &Path {
        self.split_index.as_deref().unwrap_or(&self.path)
    }

    /// Why the file cannot be read, for [`ErrorKind::Io`].
    pub fn io_error(&self) -> Option<&io::Error> {
        self.source.as_ref()
    }
}

/// What and where: `cannot read the index <path>: [its shared index <path>: ][entry N of
/// M: ]<what>`. An I/O error's words are its source's.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read the index {}", self.index_path().display())?;
        if let (ErrorKind::Missing, Some(name), Some(folder)) = (self.kind, self.path.file_name(), self.path.parent()) {
            let (name, folder) = (Path::new(name).display(), folder.display());
            return write!(f, ": its shared index {name} is missing from {folder} (split index)");
        }
        if self.split_index.is_some() {
            write!(f, ": its shared index {}", self.path.display())?;
        }
        let what = match &self.kind {
            ErrorKind::Io => return Ok(()),
            ErrorKind::Missing => return f.write_str(" is missing (split index)"),
            ErrorKind::Corrupt(corruption) => corruption as &dyn fmt::Display,
            ErrorKind::Unsupported(unsupported) => unsupported,
        };
        match self.entry {
            Some(EntryAt { position, count }) if self.kind == ErrorKind::Corrupt(Corruption::EndsInEntry) => {
                write!(f, ": the file ends inside entry {} of {count} (truncated)", position + 1)
            }
            Some(EntryAt { position, count }) => write!(f, ": entry {} of {count}: {what}", position + 1),
            None => write!(f, ": {what}"),
        }
    }
}

impl fmt::Display for Corruption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Corruption::TooShort { len } => {
                write!(f, "the file is truncated: {len} bytes are too few for an index")
            }
            Corruption::Signature => f.write_str("it does not start with the index signature DIRC"),
            Corruption::EndsInHeader => f.write_str("the file ends inside the header (truncated)"),
            Corruption::TooManyEntries => f.write_str("too many entries"),
            Corruption::EndsInEntry => f.write_str("the file ends inside an entry (truncated)"),
            Corruption::EntriesRunIntoChecksum => {
                f.write_str("the entries run into the checksum at the end of the file (truncated)")
            }
            Corruption::EndsInExtensionHeader => f.write_str("the file ends inside an extension header (truncated)"),
            Corruption::ExtensionPastEnd { signature } => write!(
                f,
                "the extension {:?} runs past the end of the file (truncated)",
                String::from_utf8_lossy(signature)
            ),
            Corruption::ExtensionTooLarge => f.write_str("an extension is too large"),
            Corruption::EndsInExtension => f.write_str("the file ends inside an extension (truncated)"),
            Corruption::EmptyPath => f.write_str("it has an empty path"),
            Corruption::PathNotTerminated => f.write_str("the path is not NUL-terminated"),
            Corruption::PathDropsTooMuch => f.write_str("the path drops more than the previous path holds"),
            Corruption::PathShorterThanPrefix => f.write_str("the path is shorter than the prefix it shares"),
            Corruption::PathLengthOverflow => f.write_str("a path length overflows"),
            Corruption::Link(damage) => write!(f, "its link extension is corrupt: {damage}"),
            Corruption::ReplacementCount { replaced, replacements } => {
                write!(f, "its link extension replaces {replaced} entries, but it holds {replacements} replacements")
            }
            Corruption::ReplacedAndDeleted => f.write_str("it is both replaced and deleted"),
            Corruption::SharedIndexSplit => f.write_str("it is split itself"),
            Corruption::SharedIndexChecksum => f.write_str("its checksum is not the one the split index names"),
        }
    }
}

impl fmt::Display for LinkDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkDamage::TooShort => f.write_str("too short"),
            LinkDamage::TrailingBytes => f.write_str("bytes after its bitmaps"),
            LinkDamage::Bitmap(Bitmap::Delete, damage) => write!(f, "delete bitmap: {damage}"),
            LinkDamage::Bitmap(Bitmap::Replace, damage) => write!(f, "replace bitmap: {damage}"),
        }
    }
}

impl fmt::Display for EwahDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EwahDamage::EndsBeforeLength => f.write_str("it ends before its length"),
            EwahDamage::EndsInWords => f.write_str("it ends inside its words"),
            EwahDamage::EndsBeforeMarker => f.write_str("it ends before its last marker's position"),
            EwahDamage::LiteralWordMissing => f.write_str("a literal word is missing"),
            EwahDamage::PastEntries { entries } => write!(f, "a bit is past the shared index's {entries} entries"),
        }
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::Version(version) => write!(f, "unknown index version {version} (git writes 2, 3 and 4)"),
            Unsupported::Extension(signature) => write!(
                f,
                "it uses the extension {:?}, which this reader does not know",
                String::from_utf8_lossy(signature)
            ),
            Unsupported::EntryFlags(flags) => write!(f, "unknown extended flags {flags:#06x}"),
        }
    }
}
