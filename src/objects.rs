//! Commits and trees, read straight from the object database's files and parsed in place:
//! for the history walk (`--range`, `--pre-push`) and for looking staged paths up in `HEAD`.
//!
//! `--range` reads one to two trees per changed folder per commit, tens of thousands of
//! objects for a long push. Through `git2::Tree` each read would also build libgit2's parsed
//! entry list and pass through its object cache, which cost more than the reading itself
//! (`perf record`: malloc/free churn and cache bookkeeping, BENCHMARKS.md); and libgit2's
//! pack reading is slow for this walk (see [`packs`]). Here a tree is its raw bytes, checked
//! once when read, and the entries are walked without allocating. A small cache of our own
//! keeps recent trees, because the trees one commit reads are those its child compares
//! against. Objects come from the packs ([`packs`]), the loose files ([`loose`]), and for
//! anything else (alternates, a damaged pack index) from libgit2.

mod loose;
pub mod packs;

use std::cmp::Ordering;
use std::rc::Rc;

use anyhow::{Context, Result, anyhow, bail};
use flate2::Decompress;
use git2::{ObjectType, Odb, Oid, Repository};

use packs::{PackReader, Packs};
// Object ids are hashes already: SipHash's protection against crafted keys buys nothing.
use rustc_hash::FxHashMap as HashMap;

/// Bytes of an object id in the trees we read (SHA-1).
const ID_LEN: usize = 20;

/// How many bytes of trees a worker's cache holds before it forgets the least recently used
/// half.
const CACHE_BYTES: usize = 16 << 20;

/// A tree object's bytes, known to be well formed.
#[derive(Clone)]
pub struct Tree(Rc<[u8]>);

/// One entry of a tree: its mode, name and object id (raw bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub mode: u32,
    pub name: &'a [u8],
    pub id: &'a [u8],
}

/// What the walk needs of a commit.
pub struct CommitHeader {
    pub tree: Oid,
    pub parents: Vec<Oid>,
}

/// Where to look for an object first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookFirst {
    /// In the loose files: for a few objects of the newest commits, which are usually loose
    /// until git packs them (the packs are then not even opened).
    Loose,
    /// In the packs: for a walk over thousands of objects, which are mostly packed.
    Packs,
}

/// Reads commits and trees for one thread; remembers the trees it read lately and the tree
/// of each commit it read (a commit's parent is usually the commit read just before).
pub struct Objects<'r> {
    git: &'r Repository,
    packs: PackReader<'r>,
    look_first: LookFirst,
    loose_inflater: Decompress,
    /// libgit2's object database, opened only if an object is in neither the packs nor the
    /// loose files.
    odb: Option<Odb<'r>>,
    recent: HashMap<Oid, Tree>,
    older: HashMap<Oid, Tree>,
    recent_bytes: usize,
    commit_trees: HashMap<Oid, Oid>,
}

impl<'r> Objects<'r> {
    /// Reads the objects of `git`, whose packs are `packs` (see [`Packs::of`]).
    pub fn new(git: &'r Repository, packs: &'r Packs, look_first: LookFirst) -> Self {
        Objects {
            git,
            packs: PackReader::new(packs),
            look_first,
            loose_inflater: Decompress::new(true),
            odb: None,
            recent: HashMap::default(),
            older: HashMap::default(),
            recent_bytes: 0,
            commit_trees: HashMap::default(),
        }
    }

    /// The tree and parents of a commit.
    pub fn commit(&mut self, id: Oid) -> Result<CommitHeader> {
        let data = self.read(id, packs::Kind::Commit, ObjectType::Commit)?;
        let header = parse_commit_header(&data).ok_or_else(|| anyhow!("commit {id} is corrupt: no tree line"))?;
        self.commit_trees.insert(id, header.tree);
        Ok(header)
    }

    /// The tree of a commit, without reading the commit again if it was read before.
    pub fn tree_of_commit(&mut self, commit: Oid) -> Result<Tree> {
        let id = match self.commit_trees.get(&commit) {
            Some(&tree) => tree,
            None => self.commit(commit)?.tree,
        };
        self.tree(id)
    }

    /// A tree, from the cache or the object database.
    pub fn tree(&mut self, id: Oid) -> Result<Tree> {
        if let Some(tree) = self.recent.get(&id) {
            return Ok(tree.clone());
        }
        let tree = match self.older.remove(&id) {
            Some(tree) => tree,
            None => self.read_tree(id)?,
        };
        self.remember(id, tree.clone());
        Ok(tree)
    }

    /// The tree an entry's raw id names.
    pub fn subtree(&mut self, entry: &Entry<'_>) -> Result<Tree> {
        self.tree(entry_oid(entry)?)
    }

    /// The mode and object id of the entry at `path` (`a/b/c.pyc`) below `root`, if any.
    pub fn entry_at(&mut self, root: &Tree, path: &[u8]) -> Result<Option<(u32, Oid)>> {
        let mut parts = path.split(|&b| b == b'/').filter(|part| !part.is_empty()).peekable();
        let mut tree = root.clone();
        while let Some(part) = parts.next() {
            let last = parts.peek().is_none();
            let Some(entry) = tree.entries().find(|e| e.name == part && (last || e.is_tree())) else {
                return Ok(None);
            };
            if last {
                return Ok(Some((entry.mode, entry_oid(&entry)?)));
            }
            tree = self.subtree(&entry)?;
        }
        Ok(None)
    }

    fn read_tree(&mut self, id: Oid) -> Result<Tree> {
        let data = self.read(id, packs::Kind::Tree, ObjectType::Tree)?;
        Tree::parse(data).ok_or_else(|| anyhow!("tree {id} is corrupt"))
    }

    /// An object of the kind the caller expects, from the object database's files or else
    /// through libgit2.
    fn read(&mut self, id: Oid, kind: packs::Kind, git_kind: ObjectType) -> Result<Rc<[u8]>> {
        let what = || format!("cannot read {git_kind} {id}");
        if let Some((found, data)) = self.read_files(id).with_context(what)? {
            if found != kind {
                bail!("object {id} is a {found:?}, not a {git_kind}");
            }
            return Ok(data);
        }
        if self.odb.is_none() {
            self.odb = Some(self.git.odb().context("cannot open the object database")?);
        }
        let object = self.odb.as_ref().expect("opened above").read(id).with_context(what)?;
        if object.kind() != git_kind {
            bail!("object {id} is a {}, not a {git_kind}", object.kind());
        }
        Ok(object.data().into())
    }

    fn read_files(&mut self, id: Oid) -> Result<Option<packs::Object>> {
        let loose_dir = self.packs.objects_dir();
        match self.look_first {
            LookFirst::Loose => match loose::read(loose_dir, id.as_bytes(), &mut self.loose_inflater)? {
                Some(object) => Ok(Some(object)),
                None => self.packs.read(id.as_bytes()),
            },
            LookFirst::Packs => match self.packs.read(id.as_bytes())? {
                Some(object) => Ok(Some(object)),
                None => loose::read(loose_dir, id.as_bytes(), &mut self.loose_inflater),
            },
        }
    }

    fn remember(&mut self, id: Oid, tree: Tree) {
        self.recent_bytes += tree.0.len();
        self.recent.insert(id, tree);
        if self.recent_bytes > CACHE_BYTES / 2 {
            self.older = std::mem::take(&mut self.recent);
            self.recent_bytes = 0;
        }
    }
}

impl Tree {
    /// The tree, if every entry is `<octal mode> <name>\0<id>`.
    fn parse(data: Rc<[u8]>) -> Option<Tree> {
        let mut rest = &data[..];
        while !rest.is_empty() {
            let (entry, after) = split_entry(rest)?;
            if entry.name.is_empty() {
                return None;
            }
            rest = after;
        }
        Some(Tree(data))
    }

    pub fn entries(&self) -> Entries<'_> {
        Entries { rest: &self.0 }
    }
}

/// The entries of a tree, in the tree's (git's) order.
pub struct Entries<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        // `Tree::parse` checked every entry, so this stops only at the end.
        let (entry, rest) = split_entry(self.rest)?;
        self.rest = rest;
        Some(entry)
    }
}

impl Entry<'_> {
    pub fn is_tree(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }

    /// Same object with the same mode.
    pub fn same_as(&self, other: &Entry<'_>) -> bool {
        self.id == other.id && self.mode == other.mode
    }

    /// Where git sorts this entry against `other`: by name, a tree's name as if it ended in
    /// `/`. A file and a folder of the same name are thus different entries, as in git.
    pub fn tree_order(&self, other: &Entry<'_>) -> Ordering {
        let common = self.name.len().min(other.name.len());
        let next_byte = |e: &Entry<'_>| e.name.get(common).copied().or(e.is_tree().then_some(b'/'));
        self.name[..common].cmp(&other.name[..common]).then_with(|| next_byte(self).cmp(&next_byte(other)))
    }
}

/// The object id an entry names.
pub fn entry_oid(entry: &Entry<'_>) -> Result<Oid> {
    Oid::from_bytes(entry.id).context("a tree entry has a malformed object id")
}

fn split_entry(data: &[u8]) -> Option<(Entry<'_>, &[u8])> {
    // Modes and names are a few bytes long: a plain loop beats a vectorised search here.
    let (mode, rest) = parse_mode(data)?;
    let nul = rest.iter().position(|&b| b == 0)?;
    let (name, rest) = rest.split_at(nul);
    let id = rest.get(1..=ID_LEN)?;
    Some((Entry { mode, name, id }, &rest[1 + ID_LEN..]))
}

/// The octal mode that opens an entry, and what follows its space.
fn parse_mode(data: &[u8]) -> Option<(u32, &[u8])> {
    let mut mode = 0u32;
    for (i, &byte) in data.iter().enumerate().take(8) {
        match byte {
            b'0'..=b'7' => mode = mode << 3 | u32::from(byte - b'0'),
            b' ' if i > 0 => return Some((mode, &data[i + 1..])),
            _ => return None,
        }
    }
    None
}

/// The `tree` and `parent` lines that open a commit object.
fn parse_commit_header(data: &[u8]) -> Option<CommitHeader> {
    let mut lines = data.split(|&b| b == b'\n');
    let tree = hex_oid(lines.next()?.strip_prefix(b"tree ")?)?;
    let parents = lines.map_while(|line| line.strip_prefix(b"parent ")).map(hex_oid).collect::<Option<Vec<_>>>()?;
    Some(CommitHeader { tree, parents })
}

fn hex_oid(hex: &[u8]) -> Option<Oid> {
    Oid::from_str(std::str::from_utf8(hex).ok()?).ok().filter(|_| hex.len() == 2 * ID_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw_entry(mode: &str, name: &[u8], id: u8) -> Vec<u8> {
        let mut bytes = format!("{mode} ").into_bytes();
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend_from_slice(&[id; ID_LEN]);
        bytes
    }

    #[test]
    fn entries_are_read_back_in_order() {
        let data = [raw_entry("100644", b"a.pyc", 1), raw_entry("40000", b"pkg", 2)].concat();
        let tree = Tree::parse(data.into()).expect("well formed");
        let entries: Vec<_> = tree.entries().map(|e| (e.mode, e.name.to_vec(), e.id[0], e.is_tree())).collect();
        assert_eq!(entries, vec![(0o100644, b"a.pyc".to_vec(), 1, false), (0o40000, b"pkg".to_vec(), 2, true)]);
    }

    #[test]
    fn malformed_trees_are_refused() {
        let good = raw_entry("100644", b"a", 1);
        assert!(Tree::parse(good[..good.len() - 1].into()).is_none(), "short id");
        assert!(Tree::parse(raw_entry("10064x", b"a", 1).into()).is_none(), "bad mode");
        assert!(Tree::parse(raw_entry("100644", b"", 1).into()).is_none(), "empty name");
        assert!(Tree::parse(b"100644 a"[..].into()).is_none(), "no NUL");
        assert!(Tree::parse(b""[..].into()).is_some(), "the empty tree");
    }

    #[test]
    fn a_folder_sorts_as_if_its_name_ended_in_a_slash() {
        let file = Entry { mode: 0o100644, name: b"foo", id: &[0; ID_LEN] };
        let dotted = Entry { mode: 0o100644, name: b"foo.txt", id: &[0; ID_LEN] };
        let folder = Entry { mode: 0o40000, name: b"foo", id: &[0; ID_LEN] };
        // git's order: "foo" < "foo.txt" < "foo/" ('.' is 0x2e, '/' is 0x2f).
        assert_eq!(file.tree_order(&dotted), Ordering::Less);
        assert_eq!(dotted.tree_order(&folder), Ordering::Less);
        assert_eq!(file.tree_order(&folder), Ordering::Less);
        assert_eq!(folder.tree_order(&folder), Ordering::Equal);
    }

    #[test]
    fn commit_headers_give_the_tree_and_every_parent() {
        let tree = "1".repeat(40);
        let (p1, p2) = ("2".repeat(40), "3".repeat(40));
        let raw = format!("tree {tree}\nparent {p1}\nparent {p2}\nauthor A <a> 0 +0000\n\nmsg\n");
        let header = parse_commit_header(raw.as_bytes()).expect("parses");
        assert_eq!(header.tree.to_string(), tree);
        assert_eq!(header.parents.iter().map(Oid::to_string).collect::<Vec<_>>(), vec![p1, p2]);
        assert!(parse_commit_header(b"author A\n").is_none());
        assert!(parse_commit_header(format!("tree {}\n", "1".repeat(39)).as_bytes()).is_none());
    }
}
