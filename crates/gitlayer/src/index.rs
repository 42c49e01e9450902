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
//! an error, never a panic or a wrong answer.
//!
//! Format: <https://git-scm.com/docs/index-format>. Versions 2, 3 (extended flags) and 4
//! (prefix-compressed paths); optional extensions are skipped by size; a split index is
//! merged with its shared index (`split.rs`); sparse-directory entries (mode 040000, from a
//! sparse index) are passed on as they are: they are trees, and the caller decides.
//! Object ids are SHA-1: the vendored libgit2 opens no SHA-256 repository, so the tool never
//! gets as far as reading the index of one.

mod decode;
mod split;
mod stream;

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::format::be32;
use decode::{Decoder, Step};
use stream::Stream;

use crate::format::ID_LEN;
const HEADER_LEN: usize = 12;
/// The mode of a sparse-directory entry: a whole tree outside the sparse checkout.
pub(crate) const SPARSE_DIR_MODE: u32 = 0o040000;

/// One index entry, borrowed from the mapped file while the caller decides on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef<'a> {
    /// The path relative to the worktree top, `/`-separated, any bytes; a sparse directory
    /// ends in `/`.
    pub path: &'a [u8],
    pub mode: u32,
    pub id: &'a [u8; ID_LEN],
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
    pub path: Vec<u8>,
    pub mode: u32,
    pub id: [u8; ID_LEN],
    pub stage: u8,
    pub intent_to_add: bool,
    pub skip_worktree: bool,
}

impl EntryRef<'_> {
    /// A sparse-directory entry stands for a whole tree of the commit, not for a file.
    pub fn is_sparse_dir(&self) -> bool {
        self.mode == SPARSE_DIR_MODE
    }

    pub(crate) fn to_entry(self) -> Entry {
        let EntryRef { path, mode, id, stage, intent_to_add, skip_worktree } = self;
        Entry { path: path.to_vec(), mode, id: *id, stage, intent_to_add, skip_worktree }
    }
}

impl Entry {
    pub(crate) fn as_entry_ref(&self) -> EntryRef<'_> {
        let Entry { ref path, mode, ref id, stage, intent_to_add, skip_worktree } = *self;
        EntryRef { path, mode, id, stage, intent_to_add, skip_worktree }
    }

    pub fn is_sparse_dir(&self) -> bool {
        self.mode == SPARSE_DIR_MODE
    }
}

/// What a read returns: the entries the caller kept, in git's order (by path, then
/// stage), and how many entries the index holds in all.
#[derive(Debug, Default)]
pub struct Entries {
    pub kept: Vec<Entry>,
    pub total: usize,
}

/// Why an index could not be read (the caller names the file): each kind calls for other
/// advice.
#[derive(Debug)]
pub enum Error {
    /// The file is there but cannot be read: permission denied, a folder, an I/O error.
    Io(io::Error),
    /// The bytes are not an index git could have written: truncated or damaged.
    Corrupt(String),
    /// A well-formed index that this reader does not support: an unknown version, a
    /// required extension or an entry flag git added later.
    Unsupported(String),
    /// The shared index that a split index names could not be read.
    Shared(PathBuf, Box<Error>),
}

impl Error {
    /// The error the file itself caused, through any shared index.
    pub fn root(&self) -> &Error {
        match self {
            Error::Shared(_, inner) => inner.root(),
            other => other,
        }
    }

    /// The same error, its message prefixed with where it happened.
    fn at(self, place: impl fmt::Display) -> Error {
        match self {
            Error::Corrupt(message) => Error::Corrupt(format!("{place}: {message}")),
            Error::Unsupported(message) => Error::Unsupported(format!("{place}: {message}")),
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => e.fmt(f),
            Error::Corrupt(message) | Error::Unsupported(message) => f.write_str(message),
            Error::Shared(path, inner) => write!(f, "its shared index {}: {inner}", path.display()),
        }
    }
}

impl std::error::Error for Error {}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::Io(e)
    }
}

fn corrupt(message: impl Into<String>) -> Error {
    Error::Corrupt(message.into())
}

/// Reads the index at `path`, calling `keep` on every entry and returning the kept ones.
/// `git_dir` is where a split index's shared index lives. A missing file is an empty
/// index, as for git.
pub fn read_entries(
    path: &Path,
    git_dir: &Path,
    mut keep: impl FnMut(&EntryRef<'_>) -> bool,
) -> Result<Entries, Error> {
    let Some(mut index) = IndexFile::open(path)? else {
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
                return Err(corrupt("an entry has an empty path"));
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
    match index.read_extensions()? {
        Some(link) => split::merge(&link, path, git_dir, &replacements, Entries { kept, total: additions }, keep),
        None if replacements.is_empty() => Ok(Entries { kept, total: index.count }),
        None => Err(corrupt("an entry has an empty path")),
    }
}

/// An open index file, read front to back: header, entries, extensions.
struct IndexFile {
    stream: Stream,
    len: u64,
    version: u32,
    count: usize,
}

impl IndexFile {
    /// Opens the file and checks its header; `None` when there is no such file.
    fn open(path: &Path) -> Result<Option<IndexFile>, Error> {
        let file = match File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let metadata = file.metadata()?;
        if metadata.is_dir() {
            return Err(Error::Io(io::Error::new(io::ErrorKind::IsADirectory, "it is a folder, not a file")));
        }
        let len = metadata.len();
        if len < (HEADER_LEN + ID_LEN) as u64 {
            return Err(corrupt(format!("the file is truncated: {len} bytes are too few for an index")));
        }
        let mut stream = Stream::new(&file)?;
        let header = stream.peek(HEADER_LEN);
        let (version, count) = parse_header(header)?;
        stream.consume(HEADER_LEN);
        Ok(Some(IndexFile { stream, len, version, count }))
    }

    /// Decodes every entry in order, passing its position and the entry to `visit`, as many
    /// at a time as the stream's window holds.
    fn for_each_entry(
        &mut self,
        mut visit: impl FnMut(usize, &EntryRef<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut decoder = Decoder::new(self.version);
        let (count, mut position, mut need) = (self.count, 0, 1);
        while position < count {
            let buf = self.stream.window(need);
            if buf.len() < need {
                return Err(truncated(position, count));
            }
            let mut used = 0;
            while position < count {
                let step = decoder
                    .decode(&buf[used..])
                    .map_err(|e| e.at(format_args!("entry {} of {count}", position + 1)))?;
                match step {
                    Step::Entry(entry, len) => {
                        visit(position, &entry)?;
                        used += len;
                        position += 1;
                    }
                    // Always more than is at hand: the next window must be larger.
                    Step::Need(more) => {
                        need = more;
                        break;
                    }
                }
            }
            self.stream.consume(used);
        }
        if self.stream.offset() > self.len - ID_LEN as u64 {
            return Err(corrupt("the entries run into the checksum at the end of the file (truncated)"));
        }
        Ok(())
    }

    /// Skips the extensions after the entries, returning the data of a `link` extension
    /// (the index is split) if there is one.
    fn read_extensions(&mut self) -> Result<Option<Vec<u8>>, Error> {
        let end = self.len - ID_LEN as u64;
        let mut link = None;
        while self.stream.offset() + 8 <= end {
            let head = self.stream.peek(8);
            let (Some(signature), Some(size)) = (head.get(..4), be32(head, 4)) else {
                return Err(corrupt("the file ends inside an extension header (truncated)"));
            };
            let signature: [u8; 4] = [signature[0], signature[1], signature[2], signature[3]];
            self.stream.consume(8);
            let size = u64::from(size);
            let name = String::from_utf8_lossy(&signature).into_owned();
            if size > end - self.stream.offset() {
                return Err(corrupt(format!("the extension {name:?} runs past the end of the file (truncated)")));
            }
            match &signature {
                b"link" => link = Some(self.read_exactly(size)?),
                // A marker that the index may hold sparse directories; they are read by mode.
                b"sdir" => self.stream.skip(size),
                // An upper-case first letter marks an extension a reader may ignore.
                [b'A'..=b'Z', ..] => self.stream.skip(size),
                _ => {
                    return Err(Error::Unsupported(format!(
                        "it uses the extension {name:?}, which this reader does not know"
                    )));
                }
            }
        }
        Ok(link)
    }

    fn read_exactly(&mut self, size: u64) -> Result<Vec<u8>, Error> {
        let size = usize::try_from(size).map_err(|_| corrupt("an extension is too large"))?;
        let data = self.stream.peek(size).to_vec();
        if data.len() < size {
            return Err(corrupt("the file ends inside an extension (truncated)"));
        }
        self.stream.consume(size);
        Ok(data)
    }
}

fn truncated(position: usize, count: usize) -> Error {
    corrupt(format!("the file ends inside entry {} of {count} (truncated)", position + 1))
}

fn parse_header(header: &[u8]) -> Result<(u32, usize), Error> {
    if header.get(..4) != Some(b"DIRC") {
        return Err(corrupt("it does not start with the index signature DIRC"));
    }
    let (Some(version), Some(count)) = (be32(header, 4), be32(header, 8)) else {
        return Err(corrupt("the file ends inside the header (truncated)"));
    };
    if !(2..=4).contains(&version) {
        return Err(Error::Unsupported(format!("unknown index version {version} (git writes 2, 3 and 4)")));
    }
    let count = usize::try_from(count).map_err(|_| corrupt("too many entries"))?;
    Ok((version, count))
}

#[cfg(test)]
mod tests;
