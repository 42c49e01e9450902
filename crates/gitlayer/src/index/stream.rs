//! A forward-only window over a file: peek at the next bytes, consume them, skip ahead.
//!
//! The index is memory-mapped, not read: reading would make the kernel copy every byte of
//! a 100 MB index out of the page cache, a large share of the check's time. A
//! mapping that is walked front to back would count every page it touched in the process's
//! resident memory, though, so the pages already passed are handed back every few MiB:
//! peak memory stays flat whatever the size of the index (the window, plus what the kernel
//! reads ahead).

use std::fs::File;
use std::io;

use memmap2::Mmap;

/// How much is handed to the decoder at once, and how often passed pages are handed back.
const WINDOW: usize = 4 << 20;

pub(super) struct Stream {
    map: Mmap,
    /// Offset of the next unread byte (may pass the end after a skip).
    pos: u64,
    /// Pages before this offset were handed back.
    #[cfg_attr(not(unix), allow(dead_code))]
    released: usize,
}

impl Stream {
    pub(super) fn new(file: &File) -> io::Result<Stream> {
        // SAFETY: the mapping is only read. git never rewrites an index in place: it writes
        // `index.lock` and renames it over the old file, whose pages this mapping keeps.
        let map = unsafe { Mmap::map(file)? };
        // Read-ahead for a front-to-back walk; only a hint, so its failure does not matter.
        // (`madvise` is Unix-only; elsewhere the system's default read-ahead applies.)
        #[cfg(unix)]
        let _ = map.advise(memmap2::Advice::Sequential);
        Ok(Stream { map, pos: 0, released: 0 })
    }

    /// The next `n` bytes, or fewer only when the file ends before them.
    pub(super) fn peek(&mut self, n: usize) -> &[u8] {
        self.bytes(n)
    }

    /// The next bytes, at least `min` of them (a few MiB when there are), or fewer only when
    /// the file ends before them.
    pub(super) fn window(&mut self, min: usize) -> &[u8] {
        self.bytes(min.max(WINDOW))
    }

    /// Marks `n` peeked bytes as read.
    pub(super) fn consume(&mut self, n: usize) {
        self.pos += n as u64;
        self.release_passed();
    }

    /// Skips `n` bytes without reading them (an extension the checks do not need).
    pub(super) fn skip(&mut self, n: u64) {
        self.pos = self.pos.saturating_add(n);
        self.release_passed();
    }

    /// How far into the file the next unread byte is.
    pub(super) fn offset(&self) -> u64 {
        self.pos
    }

    fn bytes(&self, n: usize) -> &[u8] {
        let start = usize::try_from(self.pos).unwrap_or(usize::MAX).min(self.map.len());
        &self.map[start..start.saturating_add(n).min(self.map.len())]
    }

    /// Hands back the pages already decoded, so a huge index costs a window of memory, not
    /// its size. Only Unix can do that (`madvise`); elsewhere the system reclaims clean
    /// mapped pages under pressure by itself, and nothing is done.
    #[cfg(not(unix))]
    fn release_passed(&mut self) {}

    #[cfg(unix)]
    fn release_passed(&mut self) {
        let passed = usize::try_from(self.pos).unwrap_or(usize::MAX).min(self.map.len());
        if passed - self.released < WINDOW {
            return;
        }
        // SAFETY: the mapping is private and read-only, so dropping its pages loses nothing:
        // a page touched again would be read back from the file. Nothing borrows the passed
        // bytes any more (`consume` and `skip` take `&mut self`).
        let _ = unsafe {
            self.map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, self.released, passed - self.released)
        };
        self.released = passed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_of(data: &[u8]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(data).unwrap();
        file
    }

    #[test]
    fn peeks_consumes_and_skips_across_windows() {
        let data: Vec<u8> = (0..2 * WINDOW + 17).map(|i| (i % 251) as u8).collect();
        let file = file_of(&data);
        let mut stream = Stream::new(&file).unwrap();
        let mut at = 0;
        while at + 100_000 + WINDOW <= data.len() {
            assert_eq!(stream.peek(1000), &data[at..at + 1000]);
            assert_eq!(stream.window(10).len(), WINDOW.min(data.len() - at));
            stream.consume(99_999);
            at += 99_999;
        }
        stream.skip(WINDOW as u64);
        assert_eq!(stream.offset(), (at + WINDOW) as u64);
        // Asking for more than the file holds returns what is left, without error.
        assert_eq!(stream.peek(data.len()), &data[at + WINDOW..]);
        // Skipping past the end leaves nothing to read, and the offset says how far.
        stream.skip(data.len() as u64);
        assert!(stream.peek(1).is_empty());
        assert_eq!(stream.offset(), (at + WINDOW + data.len()) as u64);
    }

    #[test]
    fn a_window_is_as_large_as_asked() {
        let data = vec![7u8; WINDOW + WINDOW / 2];
        let file = file_of(&data);
        let mut stream = Stream::new(&file).unwrap();
        assert_eq!(stream.window(WINDOW + 1).len(), WINDOW + 1);
        stream.consume(WINDOW + 100);
        assert_eq!(stream.peek(WINDOW).len(), WINDOW / 2 - 100);
    }
}
