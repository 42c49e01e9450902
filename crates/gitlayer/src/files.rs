//! Reading a small file of the worktree or of the git folder that a stranger's repository
//! may have made into something else: a tracked symlink to `/dev/zero` or `/dev/stdin`, a
//! FIFO. Only a regular file is read, and never more than the size it had when opened, so
//! a read ends and allocates what the file holds, never what a device streams.

use std::fs;
use std::io::Read;
use std::path::Path;

/// Whether a symlink at the path is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symlinks {
    /// As git reads a `.gitignore` of the tree (since 2.32): a symlink is no file.
    NotFollowed,
    /// As git reads `core.excludesFile` and `info/exclude`, and tools read their config.
    Followed,
}

/// A regular file's bytes; `Ok(None)` when there is none to read at `path` (nothing there,
/// a folder, a FIFO, a device, a socket, or a symlink when `symlinks` says so); an error
/// when one is there but cannot be read.
///
/// Four system calls (open, fstat, read, close): a hook reads every tracked `.gitignore` on
/// every commit.
pub fn read_regular(path: &Path, symlinks: Symlinks) -> std::io::Result<Option<Vec<u8>>> {
    let file = match open(path, symlinks) {
        Ok(file) => file,
        Err(e) if nothing_to_read(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(None);
    }
    // A file that shrank since fstat ends early; one that grew is read up to its old size
    // (git reads `st_size` bytes too).
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(usize::MAX).min(1 << 30));
    (&file).take(meta.len()).read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

#[cfg(unix)]
fn open(path: &Path, symlinks: Symlinks) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO does not wait for a writer (fstat then refuses it).
    let mut flags = libc::O_NONBLOCK;
    if symlinks == Symlinks::NotFollowed {
        flags |= libc::O_NOFOLLOW;
    }
    fs::OpenOptions::new().read(true).custom_flags(flags).open(path)
}

#[cfg(not(unix))]
fn open(path: &Path, symlinks: Symlinks) -> std::io::Result<fs::File> {
    let meta = if symlinks == Symlinks::NotFollowed { fs::symlink_metadata(path)? } else { fs::metadata(path)? };
    if !meta.is_file() {
        return Err(std::io::ErrorKind::NotFound.into());
    }
    fs::File::open(path)
}

/// Whether an open failed because there is no file to read at the path: nothing there, a
/// folder on the way is a file, or `O_NOFOLLOW` met a symlink.
fn nothing_to_read(error: &std::io::Error) -> bool {
    if error.kind() == std::io::ErrorKind::NotFound {
        return true;
    }
    #[cfg(unix)]
    if matches!(error.raw_os_error(), Some(libc::ENOTDIR | libc::ELOOP)) {
        return true;
    }
    false
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read_and_symlinks_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, "rules\n").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let to_zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &to_zero).unwrap();
        let fifo = dir.path().join("fifo");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);

        assert_eq!(read_regular(&file, Symlinks::NotFollowed).unwrap().as_deref(), Some(&b"rules\n"[..]));
        assert_eq!(read_regular(&link, Symlinks::NotFollowed).unwrap(), None);
        assert_eq!(read_regular(&link, Symlinks::Followed).unwrap().as_deref(), Some(&b"rules\n"[..]));
        for symlinks in [Symlinks::NotFollowed, Symlinks::Followed] {
            assert_eq!(read_regular(&to_zero, symlinks).unwrap(), None, "a device is no file");
            assert_eq!(read_regular(&fifo, symlinks).unwrap(), None, "a FIFO is no file, and does not block");
            assert_eq!(read_regular(dir.path(), symlinks).unwrap(), None, "a folder is no file");
            assert_eq!(read_regular(&dir.path().join("missing"), symlinks).unwrap(), None);
            assert_eq!(read_regular(&file.join("below"), symlinks).unwrap(), None, "ENOTDIR");
        }
    }
}
