//! A forward-only window over a file: peek at the next bytes, consume them, skip ahead.
//!
//! The index is read in fixed-size chunks into one reused buffer, so reading a 100 MB index
//! costs a few hundred kilobytes of memory instead of the whole file (a fully touched `mmap`
//! counts in the process's resident memory too). An entry that straddles two chunks is moved
//! to the front of the buffer before the next read; one larger than the buffer grows it.

use std::io::{self, Read, Seek, SeekFrom};

/// Big enough that the read system calls cost little next to the parsing, small enough to
/// stay in the CPU caches and to cost few page faults when a short-lived process first
/// touches it (they dominate the read of a small index).
const CHUNK: usize = 64 * 1024;

pub(super) struct Stream<R> {
    inner: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// File offset of `buf[start]`.
    offset: u64,
}

impl<R: Read + Seek> Stream<R> {
    pub(super) fn new(inner: R) -> Stream<R> {
        Stream { inner, buf: vec![0; CHUNK], start: 0, end: 0, offset: 0 }
    }

    /// The next `n` bytes, or fewer only when the file ends before them.
    pub(super) fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        let window = self.window(n)?;
        Ok(&window[..n.min(window.len())])
    }

    /// All the buffered bytes, at least `min` of them (reading more if needed), or fewer
    /// only when the file ends before them.
    pub(super) fn window(&mut self, min: usize) -> io::Result<&[u8]> {
        if self.end - self.start < min {
            self.fill(min)?;
        }
        Ok(&self.buf[self.start..self.end])
    }

    /// Marks `n` peeked bytes as read.
    pub(super) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.end - self.start);
        self.start += n;
        self.offset += n as u64;
    }

    /// Skips `n` bytes without reading them (an extension the checks do not need).
    pub(super) fn skip(&mut self, n: u64) -> io::Result<()> {
        let buffered = (self.end - self.start) as u64;
        if n <= buffered {
            self.consume(n as usize);
            return Ok(());
        }
        let beyond = i64::try_from(n - buffered).map_err(|_| io::Error::other("skip too far"))?;
        self.inner.seek(SeekFrom::Current(beyond))?;
        self.start = 0;
        self.end = 0;
        self.offset += n;
        Ok(())
    }

    /// How far into the file the next unread byte is.
    pub(super) fn offset(&self) -> u64 {
        self.offset
    }

    fn fill(&mut self, n: usize) -> io::Result<()> {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.buf.len() < n {
            self.buf.resize(n.next_multiple_of(CHUNK), 0);
        }
        while self.end < n {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => break,
                Ok(read) => self.end += read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn peeks_across_chunk_boundaries_and_skips() {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i % 251) as u8).collect();
        let mut stream = Stream::new(Cursor::new(data.clone()));
        let mut at = 0;
        while at + 1000 + CHUNK <= data.len() {
            assert_eq!(stream.peek(1000).unwrap(), &data[at..at + 1000]);
            stream.consume(999);
            at += 999;
        }
        stream.skip(CHUNK as u64).unwrap();
        assert_eq!(stream.offset(), (at + CHUNK) as u64);
        // Asking for more than the file holds returns what is left, without error.
        assert_eq!(stream.peek(data.len()).unwrap(), &data[at + CHUNK..]);
    }

    #[test]
    fn grows_for_an_entry_larger_than_the_buffer() {
        let data = vec![7u8; 2 * CHUNK + 5];
        let mut stream = Stream::new(Cursor::new(data));
        assert_eq!(stream.peek(2 * CHUNK + 1).unwrap().len(), 2 * CHUNK + 1);
        stream.consume(2 * CHUNK);
        assert_eq!(stream.peek(100).unwrap(), &[7u8; 5]);
    }
}
