//! git's reftable refs (`git init --ref-format=reftable`), read-only: each stack's
//! `tables.list` names its tables oldest first; the newest record of a name wins, and a
//! deletion hides the older values. A lookup seeks in each table (index, restart points);
//! an iteration merges the tables in name order. Ids come out as the table's raw bytes (20
//! or 32 of them): what they become is the caller's choice.
//!
//! A linked worktree keeps its own `HEAD`, `refs/worktree/`, `refs/bisect/`,
//! `refs/rewritten/` and pseudo-refs (`ORIG_HEAD`) in `worktrees/<name>/reftable/`; every
//! other ref, and the main worktree's own, is in the common `reftable/`. `FETCH_HEAD` and
//! `MERGE_HEAD` stay files, as with files refs.

mod error;
/// Entry points for the fuzz target (`fuzz/`, built with `--cfg fuzzing`) and the
/// properties in `cargo test`.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz;
mod record;
mod table;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use error::{Corruption, Error, ErrorKind, Unsupported};
pub use record::{RawId, Record, Value};
pub use table::{Cursor, Table};

/// How deep git follows symbolic refs (`SYMREF_MAXDEPTH`).
const MAX_SYMREF_DEPTH: usize = 5;

/// One stack of tables: a `reftable` folder.
pub struct Stack {
    dir: PathBuf,
    /// Oldest first, as `tables.list` names them.
    tables: Vec<Arc<Table>>,
}

impl Stack {
    /// Opens the stack in `dir`; one without `tables.list` is empty, as git reads it.
    pub fn open(dir: &Path) -> Result<Stack, Error> {
        let list_path = dir.join("tables.list");
        // git compacts a stack by writing a new table, renaming a new `tables.list` over the
        // old one, then deleting the old tables: a missing table is damage only if the list
        // still names it when read again.
        let mut attempts = 3;
        loop {
            let list = match fs::read(&list_path) {
                Ok(list) => list,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Stack::of(dir, Vec::new())),
                Err(e) => return Err(Error::io(e, &list_path)),
            };
            match Stack::open_tables(dir, &list_path, &list) {
                Err(missing) if missing.is_not_found() => {
                    attempts -= 1;
                    if attempts == 0 || fs::read(&list_path).ok().as_ref() == Some(&list) {
                        return Err(Error::new(ErrorKind::MissingTable, &missing.path));
                    }
                }
                opened => return opened.map(|tables| Stack::of(dir, tables)),
            }
        }
    }

    fn open_tables(dir: &Path, list_path: &Path, list: &[u8]) -> Result<Vec<Arc<Table>>, Error> {
        let mut tables: Vec<Arc<Table>> = Vec::new();
        for name in list.split(|&b| b == b'\n').filter(|name| !name.is_empty()) {
            let text = std::str::from_utf8(name)
                .ok()
                .filter(|text| !text.contains(['/', '\\', '\0']) && *text != "." && *text != "..");
            let Some(text) = text else {
                let name = String::from_utf8_lossy(name).into_owned();
                return Err(Error::new(ErrorKind::BadTableName(name), list_path));
            };
            let table = Table::open(&dir.join(text))?;
            if tables.first().is_some_and(|first| first.hash_len() != table.hash_len()) {
                return Err(Error::new(ErrorKind::MixedHashes, table.path()));
            }
            tables.push(Arc::new(table));
        }
        Ok(tables)
    }

    /// A stack of tables already opened, oldest first (for the fuzz harness and tests).
    pub fn of(dir: &Path, tables: Vec<Arc<Table>>) -> Stack {
        Stack { dir: dir.to_path_buf(), tables }
    }

    /// The size of its ids (`None` for a stack without tables).
    pub fn hash_len(&self) -> Option<usize> {
        self.tables.first().map(|table| table.hash_len())
    }

    /// The value of `name`, from the newest table that has a record of it; `None` when it
    /// has none or deleted it.
    pub fn get(&self, name: &[u8]) -> Result<Option<Record>, Error> {
        for table in self.tables.iter().rev() {
            if let Some(record) = table.get(name)? {
                return Ok(Some(record).filter(|record| record.value != Value::Deletion));
            }
        }
        Ok(None)
    }

    /// The refs whose names start with `prefix`, in name order, each as its newest table
    /// says (deleted ones left out).
    pub fn iter(&self, prefix: &[u8]) -> Result<Iter, Error> {
        let mut heads = Vec::with_capacity(self.tables.len());
        for table in &self.tables {
            let mut cursor = table.seek(prefix)?;
            let next = table.next(&mut cursor)?;
            heads.push(Head { table: Arc::clone(table), cursor, next });
        }
        Ok(Iter { heads, prefix: prefix.to_vec() })
    }
}

struct Head {
    table: Arc<Table>,
    cursor: Cursor,
    next: Option<Record>,
}

/// The refs of a stack in name order ([`Stack::iter`]).
pub struct Iter {
    /// One per table, oldest first.
    heads: Vec<Head>,
    prefix: Vec<u8>,
}

impl Iter {
    /// The next ref, or `None` after the last.
    pub fn next_ref(&mut self) -> Result<Option<Record>, Error> {
        loop {
            // The smallest name; of equal ones, the newest table's (the later head).
            let mut best: Option<usize> = None;
            for (i, head) in self.heads.iter().enumerate() {
                let Some(record) = &head.next else { continue };
                if best.is_none_or(|b| self.heads[b].next.as_ref().is_none_or(|other| record.name <= other.name)) {
                    best = Some(i);
                }
            }
            let Some(record) = best.and_then(|b| self.heads[b].next.take()) else { return Ok(None) };
            for head in &mut self.heads {
                if head.next.is_none() || head.next.as_ref().is_some_and(|other| other.name == record.name) {
                    head.next = head.table.next(&mut head.cursor)?;
                }
            }
            if !record.name.starts_with(&self.prefix) {
                self.heads.clear();
                return Ok(None);
            }
            if record.value != Value::Deletion {
                return Ok(Some(record));
            }
        }
    }
}

/// Whether git keeps `name` per worktree: `HEAD` and the other pseudo-refs, and three
/// namespaces.
pub fn is_per_worktree(name: &[u8]) -> bool {
    [&b"refs/worktree/"[..], b"refs/bisect/", b"refs/rewritten/"].iter().any(|prefix| name.starts_with(prefix))
        || (!name.is_empty() && name.iter().all(|&b| b.is_ascii_uppercase() || b == b'_' || b == b'-'))
}

/// The refs of a repository kept in reftables: the common stack, and a linked worktree's own.
pub struct Reftable {
    common_dir: PathBuf,
    git_dir: PathBuf,
    main: Stack,
    worktree: Option<Stack>,
}

impl Reftable {
    /// Opens the stacks of the repository whose git folder is `git_dir` (a linked
    /// worktree's own, or the same as `common_dir`).
    pub fn open(git_dir: &Path, common_dir: &Path) -> Result<Reftable, Error> {
        let main = Stack::open(&common_dir.join("reftable"))?;
        let linked = git_dir != common_dir;
        let worktree = if linked { Some(Stack::open(&git_dir.join("reftable"))?) } else { None };
        if let (Some(worktree), Some(len)) = (&worktree, main.hash_len()) {
            if worktree.hash_len().is_some_and(|other| other != len) {
                return Err(Error::new(ErrorKind::MixedHashes, &worktree.dir));
            }
        }
        Ok(Reftable { common_dir: common_dir.to_path_buf(), git_dir: git_dir.to_path_buf(), main, worktree })
    }

    /// The size of the ids its tables hold (`None` without any table).
    pub fn hash_len(&self) -> Option<usize> {
        self.main.hash_len().or_else(|| self.worktree.as_ref().and_then(Stack::hash_len))
    }

    /// The record of `name`, symbolic or not, from the stack git keeps it in.
    pub fn lookup(&self, name: &[u8]) -> Result<Option<Record>, Error> {
        if let Some(rest) = name.strip_prefix(b"main-worktree/").filter(|rest| is_per_worktree(rest)) {
            return self.main.get(rest);
        }
        if let Some(rest) = name.strip_prefix(b"worktrees/") {
            if let Some(slash) = rest.iter().position(|&b| b == b'/').filter(|_| !rest.starts_with(b".")) {
                let stack = Stack::open(
                    &self.common_dir.join("worktrees").join(&*String::from_utf8_lossy(&rest[..slash])).join("reftable"),
                )?;
                return stack.get(&rest[slash + 1..]);
            }
        }
        if name == b"FETCH_HEAD" || name == b"MERGE_HEAD" {
            return Ok(self.special_ref(name));
        }
        match &self.worktree {
            Some(worktree) if is_per_worktree(name) => worktree.get(name),
            _ => self.main.get(name),
        }
    }

    /// `FETCH_HEAD` and `MERGE_HEAD`, files in the git folder: the first id they hold.
    fn special_ref(&self, name: &[u8]) -> Option<Record> {
        let text = fs::read(self.git_dir.join(&*String::from_utf8_lossy(name))).ok()?;
        let hex_len = 2 * self.hash_len().unwrap_or(20);
        let hex = text.get(..hex_len)?;
        let mut bytes = [0; 32];
        for (i, pair) in hex.chunks(2).enumerate() {
            bytes[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        let id = RawId::from_bytes(&bytes[..hex_len / 2]);
        Some(Record { name: name.to_vec(), update_index: 0, value: Value::Id(id) })
    }

    /// Follows `name` through symbolic refs as git does: the record that is not symbolic, or
    /// the last symbolic one when it names a ref that does not exist (an unborn branch).
    /// A circle, or more than 5 levels, is an error.
    pub fn resolve(&self, name: &[u8]) -> Result<Option<Record>, Error> {
        let mut seen = vec![name.to_vec()];
        let Some(mut record) = self.lookup(name)? else { return Ok(None) };
        while let Value::Symbolic(target) = &record.value {
            if seen.contains(target) || seen.len() > MAX_SYMREF_DEPTH {
                let name = String::from_utf8_lossy(name).into_owned();
                return Err(Error::new(ErrorKind::SymrefCycle { name }, &self.main.dir));
            }
            seen.push(target.clone());
            match self.lookup(target)? {
                Some(next) => record = next,
                None => break,
            }
        }
        Ok(Some(record))
    }

    /// The refs whose names start with `prefix`, in name order, from both stacks.
    pub fn iter(&self, prefix: &[u8]) -> Result<RefIter, Error> {
        let worktree = self.worktree.as_ref().map(|stack| stack.iter(prefix)).transpose()?;
        let linked = worktree.is_some();
        Ok(RefIter { main: self.main.iter(prefix)?, worktree, linked, pending: [None, None], started: false })
    }
}

/// The refs of both stacks in name order ([`Reftable::iter`]).
pub struct RefIter {
    main: Iter,
    worktree: Option<Iter>,
    linked: bool,
    /// The next of each: the common stack's, the worktree's.
    pending: [Option<Record>; 2],
    started: bool,
}

impl RefIter {
    fn advance(&mut self, which: usize) -> Result<(), Error> {
        self.pending[which] = loop {
            let next = match which {
                0 => self.main.next_ref()?,
                _ => match &mut self.worktree {
                    Some(iter) => iter.next_ref()?,
                    None => None,
                },
            };
            match next {
                // A linked worktree's own refs come from its stack only.
                Some(record) if self.linked && (which == 0) == is_per_worktree(&record.name) => continue,
                next => break next,
            }
        };
        Ok(())
    }

    /// The next ref, or `None` after the last.
    pub fn next_ref(&mut self) -> Result<Option<Record>, Error> {
        if !self.started {
            self.started = true;
            self.advance(0)?;
            self.advance(1)?;
        }
        let which = match &self.pending {
            [Some(main), Some(own)] => usize::from(own.name < main.name),
            [Some(_), None] => 0,
            [None, Some(_)] => 1,
            [None, None] => return Ok(None),
        };
        let record = self.pending[which].take();
        self.advance(which)?;
        Ok(record)
    }
}

#[cfg(test)]
mod tests;
