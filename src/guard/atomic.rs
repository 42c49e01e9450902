//! Writing a file so that readers see the old content or the new one, never a mix.
//!
//! A temporary file in the same folder (so the rename cannot cross file systems) gets the
//! bytes and the permissions, is flushed to disk, then renamed over the target. The rename
//! replaces a symlink rather than writing through it, so callers refuse symlinks first.

use std::fs::Permissions;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Replaces `path` with `bytes`, giving it `permissions`.
pub(crate) fn write_file(path: &Path, bytes: &[u8], permissions: Permissions) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?;
    file.as_file()
        .set_permissions(permissions)
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    file.as_file().sync_all().with_context(|| format!("cannot flush {}", path.display()))?;
    file.persist(path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
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
