//! Reading git's index file (`.git/index`) for the checks: fast, in little memory, as git does.
//!
//! The staged check runs on every commit, and libgit2's reader is the wrong tool for it:
//! `Repository::index()` reads the whole file, hashes all of it with SHA-1DC and copies every
//! entry (docs/performance.md has the cost), and it refuses the mandatory `link` (split
//! index) and `sdir` (sparse index) extensions that git itself writes. This reader streams
//! the mapped file once (see `stream.rs`), hands each entry to the caller as borrowed bytes,
//! and copies only the entries the caller keeps (often only a few). Like git on
//! an ordinary read, it does not verify the trailing checksum; it does check the signature,
//! the version and every length against the file's size, so a truncated or corrupt index is
//! an error, never a panic or a wrong answer: an [`Error`] of a kind the caller can match
//! on, naming the file and, for an entry, which one and where it starts.
//!
//! Format: <https://git-scm.com/docs/index-format>. Versions 2, 3 (extended flags) and 4
//! (prefix-compressed paths); optional extensions are skipped by size; a split index is
//! merged with its shared index (`split.rs`); sparse-directory entries (mode 040000, from a
//! sparse index) are passed on as they are: they are trees, and the caller decides.
//! Object ids are those of the repository's format ([`ObjectFormat`]): 20 bytes in each entry,
//! the `link` extension and the trailing checksum of a SHA-1 repository's index, 32 in a
//! SHA-256 one's. The index does not say which: the caller passes the repository's format.

mod decode;
mod error;
mod split;
mod stream;

use std::fs::File;
use std::io;
use std::path::Path;

use crate::format::{Mode, be32};
use crate::id::{ObjectFormat, ObjectId};
use decode::{Decoder, Step};
pub use error::{Bitmap, Corruption, EntryAt, Error, ErrorKind, EwahDamage, LinkDamage, Unsupported};
use stream::Stream;

const HEADER_LEN: usize = 12;

/// The index format versions git writes (and this reader reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    V2,
    /// Extended entry flags.
    V3,
    /// Prefix-compressed paths.
    V4,
}

impl Version {
    fn of(number: u32) -> Option<Version> {
        match number {
            2 => Some(Version::V2),
            3 => Some(Version::V3),
            4 => Some(Version::V4),
            _ => None,
        }
    }
}

/// One index entry, borrowed from the mapped file while the caller decides on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef<'a> {
    /// The path relative to the worktree top, `/`-separated, any bytes; a sparse directory
    /// ends in `/`.
    pub path: &'a [u8],
    /// The file mode.
    pub mode: Mode,
    /// The raw bytes of the object id of its content (20 or 32, the repository's format),
    /// borrowed from the file: [`EntryRef::id`] copies them out.
    id: &'a [u8],
    /// 0 for a normal entry; 1 to 3 for the base, ours and theirs sides of a conflict.
    pub stage: u8,
    /// `git add -N`: a placeholder, not staged content.
    pub intent_to_add: bool,
    /// Outside the sparse checkout (or `git update-index --skip-worktree`).
    pub skip_worktree: bool,
}

/// An index entry the caller kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path relative to the worktree top, `/`-separated, any bytes.
    pub path: Vec<u8>,
    /// The file mode.
    pub mode: Mode,
    /// The object id of its content.
    pub id: ObjectId,
    /// 0 for a normal entry; 1 to 3 for the sides of a conflict.
    pub stage: u8,
    /// `git add -N`: a placeholder, not staged content.
    pub intent_to_add: bool,
    /// Outside the sparse checkout (or `git update-index --skip-worktree`).
    pub skip_worktree: bool,
}

impl EntryRef<'_> {
    /// A sparse-directory entry (mode 040000) stands for a whole tree of the commit, not
    /// for a file.
    pub fn is_sparse_dir(&self) -> bool {
        self.mode == Mode::TREE
    }

    /// The object id of its content.
    pub fn id(&self) -> ObjectId {
        ObjectId::from_checked_bytes(self.id)
    }

    pub(crate) fn to_entry(self) -> Entry {
        let id = self.id();
        let EntryRef { path, mode, stage, intent_to_add, skip_worktree, .. } = self;
        Entry { path: path.to_vec(), mode, id, stage, intent_to_add, skip_worktree }
    }
}

impl Entry {
    pub(crate) fn as_entry_ref(&self) -> EntryRef<'_> {
        let Entry { ref path, mode, ref id, stage, intent_to_add, skip_worktree } = *self;
        EntryRef { path, mode, id: id.as_bytes(), stage, intent_to_add, skip_worktree }
    }

    /// A sparse-directory entry (mode 040000): a whole tree, not a file.
    pub fn is_sparse_dir(&self) -> bool {
        self.mode == Mode::TREE
    }
}

/// What a read returns: the entries the caller kept, in git's order (by path, then
/// stage), and how many entries the index holds in all.
#[derive(Debug, Default)]
pub struct Entries {
    /// The entries the caller kept.
    pub kept: Vec<Entry>,
    /// How many entries the index holds in all.
    pub total: usize,
}

/// Reads the index at `path`, calling `keep` on every entry and returning the kept ones.
/// `git_dir` is where a split index's shared index lives; `format` is the repository's
/// object format, which says how long the ids in the file are. A missing file is an empty
/// index, as for git.
pub fn read_entries(
    path: &Path,
    git_dir: &Path,
    format: ObjectFormat,
    mut keep: impl FnMut(&EntryRef<'_>) -> bool,
) -> Result<Entries, Error> {
    let Some(mut index) = IndexFile::open(path, format)? else {
        return Ok(Entries::default());
    };
    let mut kept = Vec::new();
    // Entries with an empty path replace entries of the shared index; a split index writes
    // them before all others.
    let mut replacements = Vec::new();
    let mut named_seen = false;
    index.for_each_entry(|_, entry| {
        if entry.path.is_empty() {
            if named_seen {
                return Err(ErrorKind::Corrupt(Corruption::EmptyPath));
            }
            replacements.push(entry.to_entry());
        } else {
            named_seen = true;
            if keep(entry) {
                kept.push(entry.to_entry());
            }
        }
        Ok(())
    })?;
    let additions = index.count - replacements.len();
    let link = match index.read_extensions()? {
        Some(data) => {
            split::Link::parse(&data, format).map_err(|damage| Error::corrupt(Corruption::Link(damage), path))?
        }
        None => None,
    };
    match link {
        Some(link) => split::merge(&link, path, git_dir, &replacements, Entries { kept, total: additions }, keep),
        None if replacements.is_empty() => Ok(Entries { kept, total: index.count }),
        // Replacements, but no shared index for them to replace entries of.
        None => Err(Error::corrupt(Corruption::EmptyPath, path).at_entry(0, index.count, HEADER_LEN as u64)),
    }
}

/// The error about the entry at `position` (of `count`), which starts at `offset`. Out of
/// line and cold: the loop over the entries stays as small as it was before errors had a
/// place.
#[cold]
#[inline(never)]
fn entry_error(kind: ErrorKind, path: &Path, position: usize, count: usize, offset: u64) -> Error {
    Error::new(kind, path).at_entry(position, count, offset)
}

/// An open index file, read front to back: header, entries, extensions.
struct IndexFile<'p> {
    path: &'p Path,
    stream: Stream,
    len: u64,
    version: Version,
    count: usize,
    format: ObjectFormat,
}

impl IndexFile<'_> {
    /// Opens the file and checks its header; `None` when there is no such file.
    fn open(path: &Path, format: ObjectFormat) -> Result<Option<IndexFile<'_>>, Error> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(e, path)),
        };
        let metadata = file.metadata().map_err(|e| Error::io(e, path))?;
        if metadata.is_dir() {
            let folder = io::Error::new(io::ErrorKind::IsADirectory, "it is a folder, not a file");
            return Err(Error::io(folder, path));
        }
        let len = metadata.len();
        if len < (HEADER_LEN + format.id_len()) as u64 {
            return Err(Error::corrupt(Corruption::TooShort { len }, path));
        }
        let mut stream = Stream::new(&file).map_err(|e| Error::io(e, path))?;
        let header = stream.peek(HEADER_LEN);
        let (version, count) = parse_header(header).map_err(|kind| Error::new(kind, path))?;
        stream.consume(HEADER_LEN);
        Ok(Some(IndexFile { path, stream, len, version, count, format }))
    }

    /// Decodes every entry in order, passing its position and the entry to `visit`, as many
    /// at a time as the stream's window holds. An error of the decoder or of `visit` is
    /// about the entry at hand: the error says which, and where it starts.
    fn for_each_entry(
        &mut self,
        mut visit: impl FnMut(usize, &EntryRef<'_>) -> Result<(), ErrorKind>,
    ) -> Result<(), Error> {
        let mut decoder = Decoder::new(self.version, self.format);
        let (path, count, mut position, mut need) = (self.path, self.count, 0, 1);
        while position < count {
            let start = self.stream.offset();
            let buf = self.stream.window(need);
            if buf.len() < need {
                let kind = ErrorKind::Corrupt(Corruption::EndsInEntry);
                return Err(Error::new(kind, path).at_entry(position, count, start));
            }
            let mut used = 0;
            while position < count {
                match decoder.decode(&buf[used..]) {
                    Ok(Step::Entry(entry, len)) => {
                        if let Err(kind) = visit(position, &entry) {
                            return Err(entry_error(kind, path, position, count, start + used as u64));
                        }
                        used += len;
                        position += 1;
                    }
                    Err(kind) => return Err(entry_error(kind, path, position, count, start + used as u64)),
                    // Always more than is at hand: the next window must be larger.
                    Ok(Step::Need(more)) => {
                        need = more;
                        break;
                    }
                }
            }
            self.stream.consume(used);
        }
        if self.stream.offset() > self.len - self.format.id_len() as u64 {
            return Err(Error::corrupt(Corruption::EntriesRunIntoChecksum, self.path));
        }
        Ok(())
    }

    /// Skips the extensions after the entries, returning the data of a `link` extension
    /// (the index is split) if there is one.
    fn read_extensions(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let end = self.len - self.format.id_len() as u64;
        let mut link = None;
        while self.stream.offset() + 8 <= end {
            let at = self.stream.offset();
            let corrupt = |corruption| Error::corrupt(corruption, self.path).at_offset(at);
            let head = self.stream.peek(8);
            let (Some(signature), Some(size)) = (head.get(..4), be32(head, 4)) else {
                return Err(corrupt(Corruption::EndsInExtensionHeader));
            };
            let signature: [u8; 4] = [signature[0], signature[1], signature[2], signature[3]];
            self.stream.consume(8);
            let size = u64::from(size);
            if size > end - self.stream.offset() {
                return Err(corrupt(Corruption::ExtensionPastEnd { signature }));
            }
            match &signature {
                b"link" => link = Some(self.read_exactly(size).map_err(corrupt)?),
                // A marker that the index may hold sparse directories; they are read by mode.
                b"sdir" => self.stream.skip(size),
                // An upper-case first letter marks an extension a reader may ignore.
                [b'A'..=b'Z', ..] => self.stream.skip(size),
                _ => {
                    let kind = ErrorKind::Unsupported(Unsupported::Extension(signature));
                    return Err(Error::new(kind, self.path).at_offset(at));
                }
            }
        }
        Ok(link)
    }

    fn read_exactly(&mut self, size: u64) -> Result<Vec<u8>, Corruption> {
        let size = usize::try_from(size).map_err(|_| Corruption::ExtensionTooLarge)?;
        let data = self.stream.peek(size).to_vec();
        if data.len() < size {
            return Err(Corruption::EndsInExtension);
        }
        self.stream.consume(size);
        Ok(data)
    }
}

fn parse_header(header: &[u8]) -> Result<(Version, usize), ErrorKind> {
    if header.get(..4) != Some(b"DIRC") {
        return Err(ErrorKind::Corrupt(Corruption::Signature));
    }
    let (Some(number), Some(count)) = (be32(header, 4), be32(header, 8)) else {
        return Err(ErrorKind::Corrupt(Corruption::EndsInHeader));
    };
    let version = Version::of(number).ok_or(ErrorKind::Unsupported(Unsupported::Version(number)))?;
    let count = usize::try_from(count).map_err(|_| ErrorKind::Corrupt(Corruption::TooManyEntries))?;
    Ok((version, count))
}

#[cfg(test)]
mod tests;
