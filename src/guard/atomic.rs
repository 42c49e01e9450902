//! Writing a file so that readers see the old content or the new one, never a mix.
//!
//! A temporary file in the same folder (so the rename cannot cross file systems) gets the
//! bytes and the permissions, is flushed to disk, then renamed over the target. The rename
//! replaces a symlink rather than writing through it, so callers refuse symlinks first.
//!
//! Interrupted (Ctrl-C, `SIGTERM`, `SIGHUP`) while a temporary file exists, the process
//! removes it before it ends (exit 130): the target keeps its old content and no stray
//! `.tmpXXXXXX` is left beside it.

use std::fs::Permissions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

use anyhow::{Context, Result};

/// The temporary file being written, for the interrupt handler to remove.
static IN_PROGRESS: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Installs the handler the first time a file is written: a command that writes nothing
/// keeps the default behaviour of the signals.
fn remove_temporary_file_on_interrupt() {
    static HANDLER: Once = Once::new();
    HANDLER.call_once(|| {
        // Without a handler (another one is set), an interrupted write still leaves the old
        // file whole; only the temporary file would stay.
        let _ = ctrlc::set_handler(|| {
            let pending = IN_PROGRESS.lock().map(|mut slot| slot.take()).unwrap_or_default();
            if let Some(path) = pending {
                let _ = std::fs::remove_file(path);
            }
            std::process::exit(130);
        });
    });
}

/// Replaces `path` with `bytes`, giving it `permissions`.
pub(crate) fn write_file(path: &Path, bytes: &[u8], permissions: Permissions) -> Result<()> {
    remove_temporary_file_on_interrupt();
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let (mut file, _registered) = Registered::create_in(dir)?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    file.as_file()
        .set_permissions(permissions)
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    file.as_file().sync_all().with_context(|| format!("cannot flush {}", path.display()))?;
    file.persist(path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

/// The temporary file's path, known to the interrupt handler while the guard lives. If the
/// handler runs after the rename, the path is gone and removing it does nothing; before, the
/// rename fails and the process ends with the old file in place.
struct Registered;

impl Registered {
    /// Creates the temporary file and registers it under the handler's lock, so that an
    /// interrupt between the two cannot leave it behind unknown.
    fn create_in(dir: &Path) -> Result<(tempfile::NamedTempFile, Registered)> {
        let mut slot = IN_PROGRESS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let file = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        *slot = Some(file.path().to_path_buf());
        Ok((file, Registered))
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        if let Ok(mut slot) = IN_PROGRESS.lock() {
            *slot = None;
        }
    }
}

/// Permissions for a new file: `mode` on Unix, the platform default elsewhere.
pub(crate) fn new_file_permissions(mode: u32) -> Permissions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Permissions::from_mode(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = mode;
        std::fs::metadata(".").map(|m| m.permissions()).expect("the current folder has metadata")
    }
}
