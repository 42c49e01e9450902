//! The one module with `unsafe`: a read-only refdb backend that serves libgit2 the refs of
//! a reftable repository ([`super::reftable`]), the option that lets libgit2 open such a
//! repository, and the mapping of a table file. Everything else in the crate is safe.
//!
//! libgit2 owns what it is handed: the backend (freed through its `free` callback when the
//! repository is), each reference (allocated by libgit2's own `git_reference__alloc*`, freed
//! by `git_reference_free`), each iterator (freed through its `free` callback). Object ids
//! are made by `git2::Oid::from_bytes`, never as struct literals, so the layout of
//! `git_oid` (which git2's `unstable-sha256` changes) is libgit2's business. No callback
//! lets a panic cross into C.

use std::ffi::{CStr, CString, c_char, c_int};
use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;

use git2::{Binding, Oid, Repository};
use libgit2_sys as raw;

use super::Damage;
use super::reftable::{self, Record, RefIter, Reftable, Value};

// libgit2's `sys/refs.h`: exported by the static library libgit2-sys builds, not bound by it.
// The signatures are those of libgit2 1.9.7's header (a name, an id, a peeled id or NULL; a
// name and a target), each returning a reference the caller owns or NULL.
unsafe extern "C" {
    fn git_reference__alloc(
        name: *const c_char,
        oid: *const raw::git_oid,
        peel: *const raw::git_oid,
    ) -> *mut raw::git_reference;
    fn git_reference__alloc_symbolic(name: *const c_char, target: *const c_char) -> *mut raw::git_reference;
}

/// Maps a table file into memory.
pub(crate) fn map_table(file: &File) -> std::io::Result<memmap2::Mmap> {
    // SAFETY: a mapping is undefined behaviour if the file changes under it. git never
    // changes a table once written: it writes a new one and renames a new `tables.list` over
    // the old; a deleted table stays mapped. (The pack reader maps packs on the same terms.)
    unsafe { memmap2::Mmap::map(file) }
}

/// Lets libgit2 open repositories that set `extensions.refStorage`.
pub(super) fn allow_refstorage_extension() {
    // SAFETY: git2 marks this unsafe because it replaces a process-wide list without a lock.
    // It runs once (`refs::allow_ref_storage`, under a `Once`) before the crate opens any
    // repository, and every open in the crate goes through that `Once` first.
    let _ = unsafe { git2::opts::set_extensions(&["refstorage"]) };
}

#[repr(C)]
struct Backend {
    /// First, so that libgit2's pointer to it is a pointer to the whole.
    parent: raw::git_refdb_backend,
    refs: Reftable,
    damage: Damage,
}

#[repr(C)]
struct RefsIterator {
    /// First, as in [`Backend`].
    parent: raw::git_reference_iterator,
    refs: RefIter,
    glob: Option<Vec<u8>>,
    /// The name `next_name` last gave out: libgit2 reads it until the next call.
    name: CString,
    damage: Damage,
}

/// Hands `refs` to libgit2 as the refdb of `git`.
pub(super) fn install_backend(git: &Repository, refs: Reftable, damage: Damage) -> Result<(), String> {
    let parent = raw::git_refdb_backend {
        version: raw::GIT_REFDB_BACKEND_VERSION,
        exists: Some(exists),
        lookup: Some(lookup),
        iterator: Some(iterator),
        write: Some(write),
        rename: Some(rename),
        del: Some(del),
        compress: None,
        has_log: Some(has_log),
        ensure_log: Some(ensure_log),
        free: Some(free),
        reflog_read: Some(reflog_read),
        reflog_write: Some(reflog_write),
        reflog_rename: Some(reflog_rename),
        reflog_delete: Some(reflog_delete),
        lock: None,
        unlock: None,
    };
    let backend = Box::into_raw(Box::new(Backend { parent, refs, damage }));
    let failed = |code| git2::Error::last_error(code).message().to_owned();
    let mut refdb = ptr::null_mut();
    // SAFETY: `git.raw()` is a live repository for the duration of the call.
    let code = unsafe { raw::git_refdb_new(&mut refdb, git.raw()) };
    if code < 0 {
        // SAFETY: libgit2 never saw `backend`: it is still ours.
        drop(unsafe { Box::from_raw(backend) });
        return Err(failed(code));
    }
    // SAFETY: `refdb` is the one just made; `backend` starts with a `git_refdb_backend`
    // (`repr(C)`), all of whose required callbacks are set. On success the refdb owns it.
    let code = unsafe { raw::git_refdb_set_backend(refdb, backend.cast()) };
    if code < 0 {
        // SAFETY: the refdb refused the backend, so it is still ours; the refdb is ours.
        unsafe {
            drop(Box::from_raw(backend));
            raw::git_refdb_free(refdb);
        }
        return Err(failed(code));
    }
    // SAFETY: both live; the repository takes its own reference to the refdb, so ours is
    // released after (which frees the refdb and the backend if the repository refused it).
    let code = unsafe { raw::git_repository_set_refdb(git.raw(), refdb) };
    // SAFETY: our reference to the refdb, released once.
    unsafe { raw::git_refdb_free(refdb) };
    if code < 0 { Err(failed(code)) } else { Ok(()) }
}

/// Sets libgit2's error message; returns `code`.
fn fail(code: c_int, message: &str) -> c_int {
    let message = CString::new(message.replace('\0', " ")).unwrap_or_default();
    // SAFETY: a valid C string; libgit2 copies it.
    unsafe { raw::git_error_set_str(raw::GIT_ERROR_REFERENCE as c_int, message.as_ptr()) };
    code
}

fn damaged(damage: &Damage, error: reftable::Error) -> c_int {
    let code = fail(raw::GIT_ERROR, &error.to_string());
    if let Ok(mut slot) = damage.lock() {
        slot.get_or_insert(error);
    }
    code
}

fn not_found(name: &[u8]) -> c_int {
    fail(raw::GIT_ENOTFOUND, &format!("reference '{}' not found", String::from_utf8_lossy(name)))
}

/// Runs a callback's body; a panic becomes an error, as it may not unwind into C.
fn guard(body: impl FnOnce() -> c_int) -> c_int {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| fail(raw::GIT_ERROR, "the reftable reader panicked"))
}

fn oid(bytes: &[u8]) -> Result<Oid, c_int> {
    Oid::from_bytes(bytes).map_err(|e| fail(raw::GIT_ERROR, &format!("a reftable id: {}", e.message())))
}

/// A libgit2 reference for `record` (to be freed by libgit2).
fn reference(record: &Record) -> Result<*mut raw::git_reference, c_int> {
    let name = CString::new(record.name.as_slice()).map_err(|_| fail(raw::GIT_ERROR, "a ref name holds NUL"))?;
    let allocated = match &record.value {
        Value::Deletion => return Err(not_found(&record.name)),
        // SAFETY: a valid C string and ids (made by git2, so of libgit2's layout), alive
        // across the call; libgit2 copies them into the reference it allocates.
        Value::Id(id) => unsafe { git_reference__alloc(name.as_ptr(), oid(id.as_bytes())?.raw(), ptr::null()) },
        Value::Peeled { id, peeled } => {
            let (id, peeled) = (oid(id.as_bytes())?, oid(peeled.as_bytes())?);
            // SAFETY: as for `Value::Id`.
            unsafe { git_reference__alloc(name.as_ptr(), id.raw(), peeled.raw()) }
        }
        Value::Symbolic(target) => {
            let target = CString::new(target.as_slice()).map_err(|_| fail(raw::GIT_ERROR, "a ref target holds NUL"))?;
            // SAFETY: as for `Value::Id`.
            unsafe { git_reference__alloc_symbolic(name.as_ptr(), target.as_ptr()) }
        }
    };
    if allocated.is_null() { Err(fail(raw::GIT_ERROR, "out of memory")) } else { Ok(allocated) }
}

/// The backend behind libgit2's pointer.
///
/// # Safety
/// `backend` must be a pointer [`install_backend`] handed to libgit2, not yet freed.
unsafe fn backend<'a>(backend: *mut raw::git_refdb_backend) -> &'a Backend {
    // SAFETY: by the contract above, it points to a live `Backend` (whose first field it is).
    unsafe { &*backend.cast::<Backend>() }
}

/// # Safety
/// `name` must be a valid C string.
unsafe fn bytes<'a>(name: *const c_char) -> &'a [u8] {
    // SAFETY: by the contract above.
    unsafe { CStr::from_ptr(name) }.to_bytes()
}

extern "C" fn exists(out: *mut c_int, raw_backend: *mut raw::git_refdb_backend, name: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: libgit2 passes our backend and a ref name, and a place for the answer.
        let (backend, name) = unsafe { (backend(raw_backend), bytes(name)) };
        match backend.refs.lookup(name) {
            Ok(found) => {
                // SAFETY: `out` is where libgit2 wants the answer.
                unsafe { *out = c_int::from(found.is_some()) };
                0
            }
            Err(error) => damaged(&backend.damage, error),
        }
    })
}

extern "C" fn lookup(
    out: *mut *mut raw::git_reference,
    raw_backend: *mut raw::git_refdb_backend,
    name: *const c_char,
) -> c_int {
    guard(|| {
        // SAFETY: libgit2 passes our backend and a ref name.
        let (backend, name) = unsafe { (backend(raw_backend), bytes(name)) };
        let record = match backend.refs.lookup(name) {
            Ok(Some(record)) => record,
            Ok(None) => return not_found(name),
            Err(error) => return damaged(&backend.damage, error),
        };
        // libgit2 follows symbolic refs itself; a circle is damage to say with its file.
        if let (Value::Symbolic(_), Err(error)) = (&record.value, backend.refs.resolve(name)) {
            return damaged(&backend.damage, error);
        }
        match reference(&record) {
            Ok(reference) => {
                // SAFETY: `out` is where libgit2 wants the reference, which it then owns.
                unsafe { *out = reference };
                0
            }
            Err(code) => code,
        }
    })
}

/// The literal start of a glob, where the iteration can seek to.
fn literal_prefix(glob: &[u8]) -> &[u8] {
    let end = glob.iter().position(|b| b"*?[\\".contains(b)).unwrap_or(glob.len());
    &glob[..end]
}

extern "C" fn iterator(
    out: *mut *mut raw::git_reference_iterator,
    raw_backend: *mut raw::git_refdb_backend,
    glob: *const c_char,
) -> c_int {
    guard(|| {
        // SAFETY: libgit2 passes our backend and a glob or NULL.
        let backend = unsafe { backend(raw_backend) };
        // SAFETY: not NULL, so a C string of libgit2's, alive across the call.
        let glob = (!glob.is_null()).then(|| unsafe { bytes(glob) }.to_vec());
        let prefix = glob.as_deref().map_or(&b"refs/"[..], literal_prefix);
        let refs = match backend.refs.iter(prefix) {
            Ok(refs) => refs,
            Err(error) => return damaged(&backend.damage, error),
        };
        let parent = raw::git_reference_iterator {
            db: ptr::null_mut(),
            next: Some(iterator_next),
            next_name: Some(iterator_next_name),
            free: Some(iterator_free),
        };
        let iterator =
            RefsIterator { parent, refs, glob, name: CString::default(), damage: Arc::clone(&backend.damage) };
        // SAFETY: libgit2 owns the iterator from here and frees it through `iterator_free`.
        unsafe { *out = Box::into_raw(Box::new(iterator)).cast() };
        0
    })
}

/// The next ref the iterator's glob matches, as libgit2 lists refs (under `refs/` only).
fn next_matching(iterator: &mut RefsIterator) -> Result<Option<Record>, c_int> {
    loop {
        match iterator.refs.next_ref() {
            Ok(Some(record)) => {
                let matches = iterator.glob.as_deref().is_none_or(|glob| {
                    gix_glob::wildmatch(glob.into(), record.name.as_slice().into(), gix_glob::wildmatch::Mode::empty())
                });
                if record.name.starts_with(b"refs/") && matches {
                    return Ok(Some(record));
                }
            }
            Ok(None) => return Ok(None),
            Err(error) => return Err(damaged(&iterator.damage, error)),
        }
    }
}

extern "C" fn iterator_next(
    out: *mut *mut raw::git_reference,
    raw_iterator: *mut raw::git_reference_iterator,
) -> c_int {
    guard(|| {
        // SAFETY: libgit2 passes an iterator that `iterator` made (a `RefsIterator`, whose
        // first field it is), not yet freed, used by one thread at a time.
        let iterator = unsafe { &mut *raw_iterator.cast::<RefsIterator>() };
        match next_matching(iterator) {
            Ok(Some(record)) => match reference(&record) {
                Ok(reference) => {
                    // SAFETY: libgit2 owns the reference from here.
                    unsafe { *out = reference };
                    0
                }
                Err(code) => code,
            },
            Ok(None) => raw::GIT_ITEROVER,
            Err(code) => code,
        }
    })
}

extern "C" fn iterator_next_name(out: *mut *const c_char, raw_iterator: *mut raw::git_reference_iterator) -> c_int {
    guard(|| {
        // SAFETY: as in `iterator_next`.
        let iterator = unsafe { &mut *raw_iterator.cast::<RefsIterator>() };
        match next_matching(iterator) {
            Ok(Some(record)) => match CString::new(record.name) {
                Ok(name) => {
                    iterator.name = name;
                    // SAFETY: the name lives in the iterator until the next call or its end.
                    unsafe { *out = iterator.name.as_ptr() };
                    0
                }
                Err(_) => fail(raw::GIT_ERROR, "a ref name holds NUL"),
            },
            Ok(None) => raw::GIT_ITEROVER,
            Err(code) => code,
        }
    })
}

extern "C" fn iterator_free(raw_iterator: *mut raw::git_reference_iterator) {
    // SAFETY: libgit2 frees each iterator once, and it was made by `Box::into_raw`.
    drop(unsafe { Box::from_raw(raw_iterator.cast::<RefsIterator>()) });
}

extern "C" fn free(raw_backend: *mut raw::git_refdb_backend) {
    // SAFETY: libgit2 frees the backend once, and it was made by `Box::into_raw`.
    drop(unsafe { Box::from_raw(raw_backend.cast::<Backend>()) });
}

fn read_only() -> c_int {
    fail(raw::GIT_ERROR, "the refs of a reftable repository are read-only here")
}

extern "C" fn write(
    _: *mut raw::git_refdb_backend,
    _: *const raw::git_reference,
    _: c_int,
    _: *const raw::git_signature,
    _: *const c_char,
    _: *const raw::git_oid,
    _: *const c_char,
) -> c_int {
    read_only()
}

extern "C" fn rename(
    _: *mut *mut raw::git_reference,
    _: *mut raw::git_refdb_backend,
    _: *const c_char,
    _: *const c_char,
    _: c_int,
    _: *const raw::git_signature,
    _: *const c_char,
) -> c_int {
    read_only()
}

extern "C" fn del(_: *mut raw::git_refdb_backend, _: *const c_char, _: *const raw::git_oid, _: *const c_char) -> c_int {
    read_only()
}

extern "C" fn has_log(_: *mut raw::git_refdb_backend, _: *const c_char) -> c_int {
    0
}

extern "C" fn ensure_log(_: *mut raw::git_refdb_backend, _: *const c_char) -> c_int {
    read_only()
}

extern "C" fn reflog_read(_: *mut *mut raw::git_reflog, _: *mut raw::git_refdb_backend, _: *const c_char) -> c_int {
    fail(raw::GIT_ENOTFOUND, "the reflogs of a reftable repository are not read here")
}

extern "C" fn reflog_write(_: *mut raw::git_refdb_backend, _: *mut raw::git_reflog) -> c_int {
    read_only()
}

extern "C" fn reflog_rename(_: *mut raw::git_refdb_backend, _: *const c_char, _: *const c_char) -> c_int {
    read_only()
}

extern "C" fn reflog_delete(_: *mut raw::git_refdb_backend, _: *const c_char) -> c_int {
    read_only()
}
