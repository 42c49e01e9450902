//! Commits and trees, read straight from the object database's files and parsed in place:
//! for the history walk (`--range`, `--pre-push`) and for looking staged paths up in `HEAD`.
//!
//! `--range` reads one to two trees per changed folder per commit, tens of thousands of
//! objects for a long push. Through `git2::Tree` each read would also build libgit2's parsed
//! entry list and pass through its object cache, which cost more than the reading itself
//! (malloc/free churn and cache bookkeeping: docs/performance.md); and libgit2's
//! pack reading is slow for this walk (see [`packs`]). Here a tree is its raw bytes, checked
//! once when read, and the entries are walked without allocating. A small cache of our own
//! keeps recent trees, because the trees one commit reads are those its child compares
//! against. Objects come from the packs ([`packs`]), the loose files (`loose.rs`), and for
//! anything else (alternates, a damaged pack index) from libgit2.

mod cache;
mod error;
pub(crate) mod loose;
pub mod packs;

use std::cell::OnceCell;
use std::cmp::Ordering;
use std::rc::Rc;

use flate2::Decompress;
use git2::{ObjectType, Odb, Repository};

use crate::files::{Symlinks, read_regular};
use crate::format::{Mode, ModeType};
use crate::id::{ObjectFormat, ObjectId};
use cache::Recent;
pub use error::{ContentDamage, Corruption, DeltaDamage, Error, ErrorKind, LooseDamage, PackDamage, PackIndexDamage};
use packs::{ObjectKind, PackReader, Packs};
// Object ids are hashes already: SipHash's protection against crafted keys buys nothing.
use rustc_hash::FxHashMap as HashMap;

/// How many bytes all the readers of one command keep in their caches together: half for
/// the trees read lately, half for the objects built from pack deltas. A walk reads commits
/// in order, and consecutive commits share most of their trees and delta bases, so a small
/// cache holds what is read again; a larger one only costs page faults (docs/performance.md
/// has the measurements on real histories).
const CACHE_BYTES: usize = 4 << 20;

/// The least each of a reader's two caches gets however many readers share the budget:
/// a cache keeps between half and all of its bytes, so even the last half holds the trees
/// along one path of a large repository (a few tens of KiB each).
const MIN_CACHE_BYTES: usize = 256 << 10;

/// How many tags `HEAD` may go through before a commit (git stops far earlier in practice).
const MAX_TAG_DEPTH: usize = 32;

/// A tree object's bytes, known to be well formed. Cheap to clone.
#[derive(Clone)]
pub struct Tree(Rc<TreeData>);

struct TreeData {
    bytes: Rc<[u8]>,
    /// The repository's object format: how long each entry's id is.
    format: ObjectFormat,
    /// Where each entry starts, built on the first lookup by name.
    starts: OnceCell<Vec<u32>>,
}

/// One entry of a tree: its mode (as git canonicalises it), name and object id (borrowed
/// from the tree's bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeEntry<'a> {
    /// The mode, as git canonicalises it.
    pub mode: Mode,
    /// The entry's name (no `/`).
    pub name: &'a [u8],
    /// The raw bytes of the object id of the file or subtree (20 or 32, the repository's
    /// format): [`TreeEntry::id`] copies them out.
    id: &'a [u8],
}

/// What the walk needs of a commit.
pub struct CommitHeader {
    /// The commit's tree.
    pub tree: ObjectId,
    /// Empty for a root commit, and for a commit at the edge of a shallow clone.
    pub parents: Vec<ObjectId>,
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
    format: ObjectFormat,
    packs: PackReader,
    look_first: LookFirst,
    loose_inflater: Decompress,
    /// libgit2's object database, opened only if an object is in neither the packs nor the
    /// loose files (an alternate's, say).
    odb: Option<Odb<'r>>,
    /// Commits whose parents git takes from elsewhere, read once: those a shallow clone cut
    /// off (`shallow`: none) and those of `info/grafts` (deprecated, still honoured by git
    /// and by libgit2's revwalk).
    grafts: OnceCell<HashMap<ObjectId, Vec<ObjectId>>>,
    trees: Recent<ObjectId, Tree>,
    commit_trees: HashMap<ObjectId, ObjectId>,
}

/// Checks what libgit2 cannot survive before it resolves `revisions` (as typed; empty for
/// ids of commits) or walks the history: a damaged loose object it will read, on which it
/// hangs (`loose::check_for_libgit2`), and a damaged pack index or one whose offsets lie
/// outside its pack, on which it crashes (`Packs::check_offsets`). `format` is the
/// repository's object format.
pub fn check_before_libgit2_walk(
    objects_dir: &std::path::Path,
    format: ObjectFormat,
    revisions: &str,
) -> Result<(), Error> {
    loose::check_for_libgit2(objects_dir, format, may_name_a_tree(revisions))?;
    Packs::at(objects_dir, format).check_offsets()
}

/// Whether resolving the revision text may make libgit2 read a tree: a path in one
/// (`HEAD:pkg`), a peel (`HEAD^{tree}`), or an object id (a tree's, or a tag's). A tag name
/// that points at a tree is left to the time limit.
fn may_name_a_tree(revisions: &str) -> bool {
    let names_an_id = revisions
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| word.len() >= 4 && word.bytes().all(|b| b.is_ascii_hexdigit()));
    revisions.contains(':') || revisions.contains("^{") || names_an_id
}

impl<'r> Objects<'r> {
    /// Reads the objects of `git`, whose packs are `packs` (see [`Packs::at`]), as one of
    /// `readers` readers that share the cache budget.
    pub(crate) fn new(git: &'r Repository, packs: &Packs, look_first: LookFirst, readers: usize) -> Self {
        // Half of this reader's share for each cache. The budget is set for SHA-1 ids: trees
        // hold an id an entry, so SHA-256's trees are about a third larger, and the same
        // history needs a budget larger by as much to keep its delta bases (a smaller one
        // inflated them again: `--range` cost 1.3x to 1.7x of SHA-1, docs/performance.md).
        let budget = CACHE_BYTES / 20 * packs.format().id_len();
        let cache_bytes = (budget / readers.max(1) / 2).max(MIN_CACHE_BYTES);
        Objects {
            git,
            format: packs.format(),
            packs: PackReader::with_cache(packs, cache_bytes),
            look_first,
            loose_inflater: Decompress::new(true),
            odb: None,
            grafts: OnceCell::new(),
            trees: Recent::new(cache_bytes),
            commit_trees: HashMap::default(),
        }
    }

    /// The tree and parents of a commit. A commit at the edge of a shallow clone has no
    /// parents here, as in git (they were never fetched), and a grafted one has its graft's.
    pub fn commit(&mut self, id: ObjectId) -> Result<CommitHeader, Error> {
        let data = self.read(id, ObjectKind::Commit)?;
        self.parse_commit(id, &data)
    }

    /// The commit `id` names, through any annotated tags (a branch may point at a tag); each
    /// object is read once.
    pub fn peeled_commit(&mut self, mut id: ObjectId) -> Result<CommitHeader, Error> {
        for _ in 0..MAX_TAG_DEPTH {
            let (kind, data) = self.read_any(id)?;
            match kind {
                ObjectKind::Commit => return self.parse_commit(id, &data),
                ObjectKind::Tag => {
                    id = parse_tag_target(&data, self.format)
                        .ok_or_else(|| content_damage(ContentDamage::TagWithoutObject, id))?;
                }
                found => return Err(wrong_kind(id, found, ObjectKind::Commit)),
            }
        }
        Err(content_damage(ContentDamage::TagChain { limit: MAX_TAG_DEPTH }, id))
    }

    fn parse_commit(&mut self, id: ObjectId, data: &[u8]) -> Result<CommitHeader, Error> {
        let mut header = parse_commit_header(data, self.format)
            .ok_or_else(|| content_damage(ContentDamage::CommitWithoutTree, id))?;
        if let Some(parents) = self.grafts().get(&id) {
            header.parents.clone_from(parents);
        }
        self.commit_trees.insert(id, header.tree);
        Ok(header)
    }

    /// A blob's bytes (a `.gitignore` of a commit); `None` when the object database does not
    /// have it (a partial clone fetches blobs only when git needs them), an error when a copy
    /// is damaged.
    pub fn blob_if_present(&mut self, id: ObjectId) -> Result<Option<Rc<[u8]>>, Error> {
        match self.read_present(id)? {
            Some((ObjectKind::Blob, data)) => Ok(Some(data)),
            Some((found, _)) => Err(wrong_kind(id, found, ObjectKind::Blob)),
            None => Ok(None),
        }
    }

    /// The tree of a commit, without reading the commit again if it was read before.
    pub fn tree_of_commit(&mut self, commit: ObjectId) -> Result<Tree, Error> {
        let id = match self.commit_trees.get(&commit) {
            Some(&tree) => tree,
            None => self.commit(commit)?.tree,
        };
        self.tree(id)
    }

    /// A tree, from the cache or the object database.
    pub fn tree(&mut self, id: ObjectId) -> Result<Tree, Error> {
        if let Some(tree) = self.trees.get(&id, Tree::len) {
            return Ok(tree);
        }
        let data = self.read(id, ObjectKind::Tree)?;
        let tree = Tree::parse(data, self.format).ok_or_else(|| content_damage(ContentDamage::Tree, id))?;
        self.trees.insert(id, tree.clone(), tree.len());
        Ok(tree)
    }

    /// The tree an entry's raw id names.
    pub fn subtree(&mut self, entry: &TreeEntry<'_>) -> Result<Tree, Error> {
        self.tree(entry.id())
    }

    /// The mode and object id of the file (any entry but a folder) at `path` (`a/b/c.o`)
    /// below `root`, if any. A folder of that name is not the file: git sees the file added.
    pub fn entry_at(&mut self, root: &Tree, path: &[u8]) -> Result<Option<(Mode, ObjectId)>, Error> {
        self.lookup(root, path, false)
    }

    /// The id of the folder at `path` below `root`, if any.
    pub fn folder_at(&mut self, root: &Tree, path: &[u8]) -> Result<Option<ObjectId>, Error> {
        Ok(self.lookup(root, path, true)?.map(|(_, id)| id))
    }

    fn lookup(&mut self, root: &Tree, path: &[u8], folder: bool) -> Result<Option<(Mode, ObjectId)>, Error> {
        let mut parts = path.split(|&b| b == b'/').filter(|part| !part.is_empty()).peekable();
        let mut tree = root.clone();
        while let Some(part) = parts.next() {
            let last = parts.peek().is_none();
            let Some(entry) = tree.find(part, !last || folder) else { return Ok(None) };
            if last {
                return Ok(Some((entry.mode, entry.id())));
            }
            tree = self.subtree(&entry)?;
        }
        Ok(None)
    }

    /// An object of the kind the caller expects.
    fn read(&mut self, id: ObjectId, kind: ObjectKind) -> Result<Rc<[u8]>, Error> {
        let (found, data) = self.read_any(id)?;
        if found != kind {
            return Err(wrong_kind(id, found, kind));
        }
        Ok(data)
    }

    /// An object from the object database's files, or else through libgit2 (alternates,
    /// anything the files do not hold). A damaged copy in the files is an error of its own:
    /// libgit2 is not asked then, as its loose-object reader spins forever on some damaged
    /// zlib streams (seen with libgit2 1.9 on a truncated file).
    fn read_any(&mut self, id: ObjectId) -> Result<packs::Object, Error> {
        self.read_present(id)?.ok_or_else(|| Error::new(ErrorKind::Missing).reading(id))
    }

    /// [`Objects::read_any`], or `None` when no copy of the object exists.
    fn read_present(&mut self, id: ObjectId) -> Result<Option<packs::Object>, Error> {
        match self.read_files(&id).map_err(|e| e.reading(id))? {
            Some(object) => Ok(Some(object)),
            None => match self.packs.damaged_pack() {
                Some(damage) => Err(damage.clone().reading(id)),
                None => self.read_through_libgit2(id).map_err(|e| e.reading(id)),
            },
        }
    }

    /// The object from the loose files and the packs, in the order `look_first` says;
    /// `Ok(None)` when neither has it. Damage in one is an error only if the other has none.
    fn read_files(&mut self, key: &ObjectId) -> Result<Option<packs::Object>, Error> {
        let loose_first = self.look_first == LookFirst::Loose;
        let first = if loose_first { self.read_loose(key) } else { self.packs.read(key) };
        let first_damage = match first {
            Ok(Some(object)) => return Ok(Some(object)),
            Ok(None) => None,
            Err(damage) => Some(damage),
        };
        let second = if loose_first { self.packs.read(key) } else { self.read_loose(key) };
        match second {
            Ok(Some(object)) => Ok(Some(object)),
            Ok(None) => first_damage.map_or(Ok(None), Err),
            Err(damage) => Err(first_damage.unwrap_or(damage)),
        }
    }

    fn read_loose(&mut self, id: &ObjectId) -> Result<Option<packs::Object>, Error> {
        loose::read(self.packs.objects_dir(), id, &mut self.loose_inflater)
    }

    /// The object through libgit2's object database; the caller says which object an error
    /// is about.
    fn read_through_libgit2(&mut self, id: ObjectId) -> Result<Option<packs::Object>, Error> {
        let libgit2 = |message: String| Error::new(ErrorKind::Libgit2 { message });
        if self.odb.is_none() {
            let odb =
                self.git.odb().map_err(|e| Error::new(ErrorKind::ObjectDatabase { message: e.message().into() }))?;
            self.odb = Some(odb);
        }
        let object = match self.odb.as_ref().expect("opened above").read(id.to_git2()) {
            Ok(object) => object,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(libgit2(e.message().to_owned())),
        };
        let kind = match object.kind() {
            ObjectType::Commit => ObjectKind::Commit,
            ObjectType::Tree => ObjectKind::Tree,
            ObjectType::Blob => ObjectKind::Blob,
            ObjectType::Tag => ObjectKind::Tag,
            other => return Err(libgit2(format!("libgit2 read an object of type {other}"))),
        };
        Ok(Some((kind, object.data().into())))
    }

    fn grafts(&self) -> &HashMap<ObjectId, Vec<ObjectId>> {
        self.grafts.get_or_init(|| {
            let common = self.git.commondir();
            // Read as git reads them: a line that is not an id is skipped, not the whole file.
            let read = |name: &str| {
                let bytes = read_regular(&common.join(name), Symlinks::Followed).ok().flatten().unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            };
            parse_grafts(&read("info/grafts"), &read("shallow"), self.format)
        })
    }
}

/// The error for an object whose content is not what git writes.
fn content_damage(damage: ContentDamage, id: ObjectId) -> Error {
    Error::corrupt(Corruption::Content(damage)).reading(id)
}

fn wrong_kind(id: ObjectId, found: ObjectKind, wanted: ObjectKind) -> Error {
    Error::new(ErrorKind::WrongKind { found, wanted }).reading(id)
}

/// `info/grafts` (`<commit> <parent>...` a line, `#` comments) and `shallow` (one commit a
/// line, whose parents are cut off): each commit with the parents git gives it. Lines that
/// do not start with an id of the repository's `format` are skipped, as git skips them.
fn parse_grafts(grafts_text: &str, shallow_text: &str, format: ObjectFormat) -> HashMap<ObjectId, Vec<ObjectId>> {
    let id = |hex: &str| ObjectId::from_hex(hex.as_bytes()).filter(|id| id.format() == format);
    let mut grafts = HashMap::default();
    for line in grafts_text.lines().filter(|line| !line.starts_with('#')) {
        let mut ids = line.split_whitespace().map(id);
        if let Some(Some(commit)) = ids.next() {
            grafts.insert(commit, ids.flatten().collect());
        }
    }
    for line in shallow_text.lines() {
        if let Some(commit) = id(line.trim()) {
            grafts.insert(commit, Vec::new());
        }
    }
    grafts
}

impl Tree {
    /// The tree, if every entry is `<octal mode> <name>\0<id>`, each id one of `format`.
    fn parse(bytes: Rc<[u8]>, format: ObjectFormat) -> Option<Tree> {
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let (entry, after) = split_entry(rest, format)?;
            if entry.name.is_empty() {
                return None;
            }
            rest = after;
        }
        Some(Tree(Rc::new(TreeData { bytes, format, starts: OnceCell::new() })))
    }

    /// The tree's entries, in order, read without allocating.
    pub fn entries(&self) -> Entries<'_> {
        Entries { rest: &self.0.bytes, format: self.0.format }
    }

    /// The size of the tree object, for the cache's budget.
    fn len(&self) -> usize {
        self.0.bytes.len()
    }

    /// The entry named `name` that is (`folder`) or is not a folder. Entries are in git's
    /// order, so a binary search finds it: a folder with 40,000 files is looked up in as
    /// many steps as one with 40.
    fn find(&self, name: &[u8], folder: bool) -> Option<TreeEntry<'_>> {
        let (bytes, format) = (&self.0.bytes, self.0.format);
        let starts = self.0.starts.get_or_init(|| {
            let mut starts = Vec::new();
            let mut rest = &bytes[..];
            while let Some((_, after)) = split_entry(rest, format) {
                starts.push((bytes.len() - rest.len()) as u32);
                rest = after;
            }
            starts
        });
        let entry_at = |start: &u32| split_entry(&bytes[*start as usize..], format).map(|(entry, _)| entry);
        let wanted = TreeEntry { mode: if folder { Mode::TREE } else { Mode::FILE }, name, id: &[] };
        let found = starts
            .binary_search_by(|start| entry_at(start).map_or(Ordering::Greater, |entry| entry.tree_order(&wanted)))
            .ok()?;
        // Equal in tree order means the same name and the same kind (folder or not).
        entry_at(&starts[found])
    }
}

/// The entries of a tree, in the tree's (git's) order.
pub struct Entries<'a> {
    rest: &'a [u8],
    format: ObjectFormat,
}

impl<'a> Iterator for Entries<'a> {
    type Item = TreeEntry<'a>;

    fn next(&mut self) -> Option<TreeEntry<'a>> {
        // `Tree::parse` checked every entry, so this stops only at the end.
        let (entry, rest) = split_entry(self.rest, self.format)?;
        self.rest = rest;
        Some(entry)
    }
}

impl TreeEntry<'_> {
    /// The object id of the file or subtree.
    pub fn id(&self) -> ObjectId {
        ObjectId::from_checked_bytes(self.id)
    }

    /// Whether the entry is a subtree.
    pub fn is_tree(&self) -> bool {
        self.mode.is_tree()
    }

    /// Same object with the same mode.
    pub fn same_as(&self, other: &TreeEntry<'_>) -> bool {
        self.id == other.id && self.mode == other.mode
    }

    /// Where git sorts this entry against `other`: by name, a tree's name as if it ended in
    /// `/`. A file and a folder of the same name are thus different entries, as in git.
    pub fn tree_order(&self, other: &TreeEntry<'_>) -> Ordering {
        let common = self.name.len().min(other.name.len());
        let next_byte = |e: &TreeEntry<'_>| e.name.get(common).copied().or(e.is_tree().then_some(b'/'));
        self.name[..common].cmp(&other.name[..common]).then_with(|| next_byte(self).cmp(&next_byte(other)))
    }
}

#[inline]
fn split_entry(data: &[u8], format: ObjectFormat) -> Option<(TreeEntry<'_>, &[u8])> {
    // Modes and names are a few bytes long: a plain loop beats a vectorised search here.
    let (mode, rest) = parse_mode(data)?;
    let nul = rest.iter().position(|&b| b == 0)?;
    let (name, rest) = rest.split_at(nul);
    let end = 1 + format.id_len();
    let id = rest.get(1..end)?;
    Some((TreeEntry { mode: canonical_mode(mode), name, id }, &rest[end..]))
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

/// The mode as git reads it from a tree (`canon_mode`): old trees may record `100664` or
/// other permission bits, which git (and libgit2) take as `100644` or `100755`.
fn canonical_mode(mode: u32) -> Mode {
    match ModeType::of(mode) {
        ModeType::File if mode & 0o100 != 0 => Mode::EXECUTABLE,
        ModeType::File => Mode::FILE,
        ModeType::Symlink => Mode::SYMLINK,
        ModeType::Tree => Mode::TREE,
        ModeType::Gitlink | ModeType::Other => Mode::GITLINK,
    }
}

/// An id of `format` in hex.
fn hex_id(hex: &[u8], format: ObjectFormat) -> Option<ObjectId> {
    ObjectId::from_hex(hex).filter(|id| id.format() == format)
}

/// The `tree` and `parent` lines that open a commit object, their ids of `format`.
fn parse_commit_header(data: &[u8], format: ObjectFormat) -> Option<CommitHeader> {
    let mut lines = data.split(|&b| b == b'\n');
    let tree = hex_id(lines.next()?.strip_prefix(b"tree ")?, format)?;
    let parents = lines
        .map_while(|line| line.strip_prefix(b"parent "))
        .map(|hex| hex_id(hex, format))
        .collect::<Option<Vec<_>>>()?;
    Some(CommitHeader { tree, parents })
}

/// The `object` line that opens a tag object, its id of `format`.
fn parse_tag_target(data: &[u8], format: ObjectFormat) -> Option<ObjectId> {
    hex_id(data.split(|&b| b == b'\n').next()?.strip_prefix(b"object ")?, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_that_may_make_libgit2_read_a_tree() {
        for rev in ["HEAD:pkg", "HEAD^{tree}", "4b825dc", "main..4b825dc642cb6eb9a060e54bf8d69288fbee4904", ":/fix"] {
            assert!(may_name_a_tree(rev), "{rev}");
        }
        for rev in ["HEAD", "main", "origin/main..HEAD", "v1.2", "HEAD~3", "feature/x-1", ""] {
            assert!(!may_name_a_tree(rev), "{rev}");
        }
    }

    const SHA1: ObjectFormat = ObjectFormat::Sha1;

    fn raw_entry(mode: &str, name: &[u8], id: u8) -> Vec<u8> {
        raw_entry_in(SHA1, mode, name, id)
    }

    fn raw_entry_in(format: ObjectFormat, mode: &str, name: &[u8], id: u8) -> Vec<u8> {
        let mut bytes = format!("{mode} ").into_bytes();
        bytes.extend_from_slice(name);
        bytes.push(0);
        bytes.extend(vec![id; format.id_len()]);
        bytes
    }

    #[test]
    fn entries_are_read_back_in_order() {
        let data = [raw_entry("100644", b"a.o", 1), raw_entry("40000", b"pkg", 2)].concat();
        let tree = Tree::parse(data.into(), SHA1).expect("well formed");
        let entries: Vec<_> =
            tree.entries().map(|e| (e.mode.bits(), e.name.to_vec(), e.id().as_bytes()[0], e.is_tree())).collect();
        assert_eq!(entries, vec![(0o100644, b"a.o".to_vec(), 1, false), (0o40000, b"pkg".to_vec(), 2, true)]);
    }

    #[test]
    fn malformed_trees_are_refused() {
        let good = raw_entry("100644", b"a", 1);
        assert!(Tree::parse(good[..good.len() - 1].into(), SHA1).is_none(), "short id");
        assert!(Tree::parse(raw_entry("10064x", b"a", 1).into(), SHA1).is_none(), "bad mode");
        assert!(Tree::parse(raw_entry("100644", b"", 1).into(), SHA1).is_none(), "empty name");
        assert!(Tree::parse(b"100644 a"[..].into(), SHA1).is_none(), "no NUL");
        assert!(Tree::parse(b""[..].into(), SHA1).is_some(), "the empty tree");
    }

    #[test]
    fn a_folder_sorts_as_if_its_name_ended_in_a_slash() {
        let file = TreeEntry { mode: Mode::FILE, name: b"foo", id: &[0; 20] };
        let dotted = TreeEntry { mode: Mode::FILE, name: b"foo.txt", id: &[0; 20] };
        let folder = TreeEntry { mode: Mode::TREE, name: b"foo", id: &[0; 20] };
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
        let header = parse_commit_header(raw.as_bytes(), SHA1).expect("parses");
        assert_eq!(header.tree.to_string(), tree);
        assert_eq!(header.parents.iter().map(ObjectId::to_string).collect::<Vec<_>>(), vec![p1, p2]);
        assert!(parse_commit_header(b"author A\n", SHA1).is_none());
        assert!(parse_commit_header(format!("tree {}\n", "1".repeat(39)).as_bytes(), SHA1).is_none());
    }

    #[test]
    fn modes_are_read_as_git_canonicalises_them() {
        let data = [raw_entry("100664", b"a", 1), raw_entry("100775", b"b", 2), raw_entry("120000", b"c", 3)].concat();
        let tree = Tree::parse(data.into(), SHA1).expect("well formed");
        let modes: Vec<Mode> = tree.entries().map(|e| e.mode).collect();
        assert_eq!(modes, vec![Mode::FILE, Mode::EXECUTABLE, Mode::SYMLINK]);
        assert_eq!(canonical_mode(0o160000), Mode::GITLINK);
        assert_eq!(canonical_mode(0o040000), Mode::TREE);
    }

    #[test]
    fn entries_are_found_by_name_and_kind() {
        // git's order: "foo" < "foo.txt" < "foo/" < "zz".
        let mut data =
            [raw_entry("100644", b"foo", 1), raw_entry("100644", b"foo.txt", 2), raw_entry("40000", b"foo", 3)]
                .concat();
        for n in 0..200 {
            data.extend(raw_entry("100644", format!("zz{n:03}").as_bytes(), 4));
        }
        let tree = Tree::parse(data.into(), SHA1).expect("well formed");
        assert_eq!(tree.find(b"foo", false).map(|e| e.id().as_bytes()[0]), Some(1));
        assert_eq!(tree.find(b"foo", true).map(|e| e.id().as_bytes()[0]), Some(3));
        assert_eq!(tree.find(b"foo.txt", false).map(|e| e.id().as_bytes()[0]), Some(2));
        assert!(tree.find(b"foo.txt", true).is_none());
        assert!(tree.find(b"fo", false).is_none());
        for n in [0, 99, 199] {
            assert_eq!(
                tree.find(format!("zz{n:03}").as_bytes(), false).map(|e| e.id().as_bytes()[0]),
                Some(4),
                "zz{n:03}"
            );
        }
        assert!(tree.find(b"zz200", false).is_none());
    }

    #[test]
    fn sha256_trees_hold_32_byte_ids() {
        let sha256 = ObjectFormat::Sha256;
        let data = [raw_entry_in(sha256, "100644", b"a.o", 1), raw_entry_in(sha256, "40000", b"pkg", 2)].concat();
        let tree = Tree::parse(data.clone().into(), sha256).expect("well formed");
        let entries: Vec<_> = tree.entries().map(|e| (e.name.to_vec(), e.id())).collect();
        let id = |byte| ObjectId::from_bytes(&[byte; 32]).unwrap();
        assert_eq!(entries, vec![(b"a.o".to_vec(), id(1)), (b"pkg".to_vec(), id(2))]);
        assert_eq!(tree.find(b"pkg", true).map(|e| e.id()), Some(id(2)));
        assert_eq!(tree.find(b"a.o", false).map(|e| e.id().format()), Some(sha256));
        // Every cut is refused, never a panic; read as SHA-1, the 12 bytes too many make the
        // next entry's mode wrong.
        let first_len = raw_entry_in(sha256, "100644", b"a.o", 1).len();
        for cut in 0..data.len() {
            let whole = cut == 0 || cut == first_len;
            assert_eq!(Tree::parse(data[..cut].into(), sha256).is_some(), whole, "cut at {cut}");
        }
        assert!(Tree::parse(data.clone().into(), SHA1).is_none());
        // A SHA-1 tree read as SHA-256: its ids run into the next entry.
        let sha1 = [raw_entry("100644", b"a", 1), raw_entry("100644", b"b", 2)].concat();
        assert!(Tree::parse(sha1.into(), sha256).is_none());
    }

    #[test]
    fn sha256_commits_tags_and_grafts_take_64_digit_ids() {
        let sha256 = ObjectFormat::Sha256;
        let (tree, parent) = ("a".repeat(64), "b".repeat(64));
        let raw = format!("tree {tree}\nparent {parent}\nauthor A <a> 0 +0000\n\nmsg\n");
        let header = parse_commit_header(raw.as_bytes(), sha256).expect("parses");
        assert_eq!((header.tree.to_string(), header.parents[0].to_string()), (tree.clone(), parent.clone()));
        assert!(parse_commit_header(raw.as_bytes(), SHA1).is_none(), "ids of the other format");
        let mixed = format!("tree {tree}\nparent {}\n", "b".repeat(40));
        assert!(parse_commit_header(mixed.as_bytes(), sha256).is_none());
        let tag = format!("object {parent}\ntype commit\n");
        assert_eq!(parse_tag_target(tag.as_bytes(), sha256).map(|id| id.to_string()), Some(parent.clone()));
        assert!(parse_tag_target(tag.as_bytes(), SHA1).is_none());
        let grafts = parse_grafts(
            &format!("{tree} {parent}\n{} {}\n", "c".repeat(40), "d".repeat(40)),
            &format!("{parent}\n"),
            sha256,
        );
        assert_eq!(grafts.len(), 2, "the SHA-1 line is skipped");
        assert_eq!(grafts[&ObjectId::from_hex(tree.as_bytes()).unwrap()].len(), 1);
        assert!(grafts[&ObjectId::from_hex(parent.as_bytes()).unwrap()].is_empty(), "shallow");
        assert!(parse_grafts(&format!("{tree}\n"), "", SHA1).is_empty());
    }

    #[test]
    fn tags_name_their_object() {
        let target = "4".repeat(40);
        let raw = format!("object {target}\ntype commit\ntag v1\n\nmsg\n");
        assert_eq!(parse_tag_target(raw.as_bytes(), SHA1).map(|id| id.to_string()), Some(target));
        assert!(parse_tag_target(b"type commit\n", SHA1).is_none());
    }
}

/// Entry points for the fuzz targets (`fuzz/`, built with `--cfg fuzzing`) and the
/// properties in `cargo test`: arbitrary bytes
/// as a tree, a commit or tag, and `info/grafts` + `shallow` text.
#[cfg(any(test, feature = "fuzzing"))]
pub mod fuzz {
    use super::*;

    /// Parses a tree and walks its entries (every name, mode and id).
    /// Parses a tree and walks its entries (every name, mode and id), as SHA-1 and as SHA-256.
    pub fn tree(bytes: &[u8]) -> usize {
        let mut walked = 0;
        for format in [ObjectFormat::Sha1, ObjectFormat::Sha256] {
            let Some(tree) = Tree::parse(bytes.into(), format) else { continue };
            walked += tree.entries().map(|entry| entry.name.len() + usize::from(entry.is_tree())).sum::<usize>();
        }
        walked
    }

    /// Parses a commit's header or a tag's target, in either format.
    pub fn commit_or_tag(bytes: &[u8]) -> bool {
        [ObjectFormat::Sha1, ObjectFormat::Sha256]
            .into_iter()
            .any(|format| parse_commit_header(bytes, format).is_some() || parse_tag_target(bytes, format).is_some())
    }

    /// `info/grafts` and `shallow` text (lossy UTF-8, as they are read), in either format.
    pub fn grafts(grafts_text: &[u8], shallow_text: &[u8]) -> usize {
        let (grafts, shallow) = (String::from_utf8_lossy(grafts_text), String::from_utf8_lossy(shallow_text));
        [ObjectFormat::Sha1, ObjectFormat::Sha256]
            .into_iter()
            .map(|format| parse_grafts(&grafts, &shallow, format).len())
            .sum()
    }

    /// A loose object file's bytes, as [`loose::fuzz`] reads them.
    pub fn loose(bytes: &[u8]) -> Option<usize> {
        super::loose::fuzz(bytes)
    }
}
