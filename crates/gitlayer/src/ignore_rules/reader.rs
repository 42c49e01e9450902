//! Reading the worktree's `.gitignore` files while the index scan is still naming them.
//!
//! The audit reads every tracked `.gitignore` on every commit: in a monorepo with hundreds
//! of them that is hundreds of system calls. The index scan that names them takes longer
//! there, so once enough files are named a helper thread reads
//! them as they come, and the audit finds them read. A repository with a few files reads
//! them itself after the scan: starting a thread would cost more.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use super::read_ignore_file;
use crate::paths::bytes_path;

/// How many named files make a helper thread worth starting.
const HELPER_FROM: usize = 16;

/// A `.gitignore` (worktree-relative path) and its bytes (`None`: git finds no rules there),
/// or why it could not be read.
pub type ReadFile = (Vec<u8>, std::io::Result<Option<Vec<u8>>>);

/// Collects the `.gitignore` files to read, and reads them.
pub struct GitignoreReader {
    /// The worktree top; `None` in a bare repository, where nothing is read.
    top: Option<PathBuf>,
    pending: Vec<Vec<u8>>,
    helper: Option<Helper>,
}

/// The thread reading files, and where to send it more.
struct Helper {
    paths: Sender<Vec<u8>>,
    thread: JoinHandle<Vec<ReadFile>>,
}

impl GitignoreReader {
    /// A reader for the worktree at `top`; the top `.gitignore`, tracked or not, is always
    /// read (git reads it).
    pub fn new(top: Option<&Path>) -> GitignoreReader {
        let pending = if top.is_some() { vec![b".gitignore".to_vec()] } else { Vec::new() };
        GitignoreReader { top: top.map(Path::to_path_buf), pending, helper: None }
    }

    /// Another `.gitignore` to read (worktree-relative).
    pub fn add(&mut self, path: &[u8]) {
        if self.top.is_none() || path == b".gitignore" {
            return;
        }
        if let Some(helper) = &self.helper {
            // The helper only stops when we drop the sender, so the send cannot fail.
            let _ = helper.paths.send(path.to_vec());
            return;
        }
        self.pending.push(path.to_vec());
        if self.pending.len() == HELPER_FROM {
            self.start_helper();
        }
    }

    fn start_helper(&mut self) {
        let Some(top) = self.top.clone() else { return };
        let (sender, receiver) = mpsc::channel::<Vec<u8>>();
        let helper = std::thread::Builder::new()
            .name("gitignore-reader".into())
            .spawn(move || receiver.into_iter().map(|path| read_at(&top, path)).collect());
        // Without a thread (the system refused one), the files are read after the scan.
        if let Ok(thread) = helper {
            for path in self.pending.drain(..) {
                let _ = sender.send(path);
            }
            self.helper = Some(Helper { paths: sender, thread });
        }
    }

    /// Every named file with its bytes, once all are read.
    pub fn finish(self) -> Vec<ReadFile> {
        let mut read = match self.helper {
            Some(Helper { paths, thread }) => {
                drop(paths);
                thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            None => Vec::new(),
        };
        if let Some(top) = &self.top {
            read.extend(self.pending.into_iter().map(|path| read_at(top, path)));
        }
        read
    }
}

fn read_at(top: &Path, path: Vec<u8>) -> ReadFile {
    // A path with no name on this file system (not UTF-8, on Windows) cannot be on disk:
    // git finds no file there either.
    let bytes = match bytes_path(&path) {
        Ok(relative) => read_ignore_file(&top.join(relative)),
        Err(_) => Ok(None),
    };
    (path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_back(count: usize) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        let top = tempfile::tempdir().unwrap();
        std::fs::write(top.path().join(".gitignore"), "root\n").unwrap();
        let mut reader = GitignoreReader::new(Some(top.path()));
        for i in 0..count {
            let dir = format!("d{i}");
            std::fs::create_dir(top.path().join(&dir)).unwrap();
            std::fs::write(top.path().join(&dir).join(".gitignore"), format!("{i}\n")).unwrap();
            reader.add(format!("{dir}/.gitignore").as_bytes());
        }
        reader.add(b"missing/.gitignore");
        reader.add(b".gitignore");
        let mut read: Vec<_> =
            reader.finish().into_iter().map(|(path, bytes)| (path, bytes.expect("every file readable"))).collect();
        read.sort();
        read
    }

    #[test]
    fn every_named_file_is_read_once_with_or_without_a_helper() {
        for count in [0, 3, HELPER_FROM - 1, HELPER_FROM, 3 * HELPER_FROM] {
            let read = read_back(count);
            assert_eq!(read.len(), count + 2, "{count} files, the top one and a missing one");
            assert!(read.contains(&(b".gitignore".to_vec(), Some(b"root\n".to_vec()))));
            assert!(read.contains(&(b"missing/.gitignore".to_vec(), None)));
            for i in 0..count {
                let expected = (format!("d{i}/.gitignore").into_bytes(), Some(format!("{i}\n").into_bytes()));
                assert!(read.contains(&expected), "{count}: d{i}");
            }
        }
    }

    #[test]
    fn a_bare_repository_reads_nothing() {
        let mut reader = GitignoreReader::new(None);
        reader.add(b"a/.gitignore");
        assert!(reader.finish().is_empty());
    }
}
