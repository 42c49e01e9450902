//! Showing git paths to people and to shells.
//!
//! A git path is arbitrary bytes. For display we follow git's own quoting (`core.quotePath`
//! false): a path that is valid UTF-8 and has no control characters, `"` or `\` is shown as
//! is; any other is wrapped in double quotes with C escapes, and bytes that are not UTF-8 are
//! written as octal (`"caf\351.o"`), exactly as `git -c core.quotePath=true` writes them.
//! This also keeps escape sequences in a file name from reaching the terminal.
//! For commands we print POSIX shell words that can be pasted back.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

/// A path that has no spelling on the other side: on Windows, where file names are UTF-16,
/// a git path whose bytes are not UTF-8, or a file name that is not valid Unicode. (On Unix
/// both are bytes, and every path converts.) Refused rather than converted lossily, which
/// would name another file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not valid Unicode, which a path on this system must be", display_path(.0))]
pub struct NotUnicode(
    /// The path's bytes (a file name's, lossily: it has no exact bytes).
    pub Vec<u8>,
);

/// The bytes of a file-system path, as git stores them (`/`-separated).
///
/// On Windows a `\` becomes git's `/`, and a name that is not valid Unicode is given
/// lossily (U+FFFD): use [`exact_path_bytes`] where that matters.
#[cfg(unix)]
pub fn path_bytes(path: &Path) -> Cow<'_, [u8]> {
    use std::os::unix::ffi::OsStrExt;
    Cow::Borrowed(path.as_os_str().as_bytes())
}

/// The bytes of a file-system path, as git stores them (`/`-separated).
///
/// On Windows a `\` becomes git's `/`, and a name that is not valid Unicode is given
/// lossily (U+FFFD): use [`exact_path_bytes`] where that matters.
#[cfg(not(unix))]
pub fn path_bytes(path: &Path) -> Cow<'_, [u8]> {
    let text = path.to_string_lossy();
    if !text.contains('\\') {
        return match text {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        };
    }
    Cow::Owned(text.replace('\\', "/").into_bytes())
}

/// The bytes of a path as git stores them, as [`path_bytes`], but refused when they would not
/// be exact: for a path a person named (on the command line, in a hook's arguments), or one
/// found on disk that must be opened again by its git name.
pub fn exact_path_bytes(path: &Path) -> Result<Cow<'_, [u8]>, NotUnicode> {
    if cfg!(not(unix)) && path.to_str().is_none() {
        return Err(NotUnicode(path.to_string_lossy().into_owned().into_bytes()));
    }
    Ok(path_bytes(path))
}

/// A git path's bytes as a file-system path (relative to the worktree top).
///
/// Never fails on Unix; on Windows a path that is not UTF-8 has no file-system name.
#[cfg(unix)]
pub fn bytes_path(bytes: &[u8]) -> Result<Cow<'_, Path>, NotUnicode> {
    use std::os::unix::ffi::OsStrExt;
    Ok(Cow::Borrowed(Path::new(std::ffi::OsStr::from_bytes(bytes))))
}

/// A git path's bytes as a file-system path (relative to the worktree top).
///
/// Never fails on Unix; on Windows a path that is not UTF-8 has no file-system name.
#[cfg(not(unix))]
pub fn bytes_path(bytes: &[u8]) -> Result<Cow<'_, Path>, NotUnicode> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(Path::new(text))),
        Err(_) => Err(NotUnicode(bytes.to_vec())),
    }
}

/// A worktree-relative path as seen from the folder `prefix` (`sub/dir/`, empty at the top).
pub fn relative_to(prefix: &[u8], path: &[u8]) -> Vec<u8> {
    let mut prefix_parts: Vec<&[u8]> = prefix.split(|&b| b == b'/').filter(|p| !p.is_empty()).collect();
    let mut rest = path;
    while let Some(first) = prefix_parts.first() {
        match rest.strip_prefix(*first).and_then(|r| r.strip_prefix(b"/")) {
            Some(tail) if !tail.is_empty() => {
                rest = tail;
                prefix_parts.remove(0);
            }
            _ => break,
        }
    }
    let mut out = b"../".repeat(prefix_parts.len());
    out.extend_from_slice(rest);
    out
}

/// `path` (relative to the folder `prefix`, `sub/dir/` or empty) as a path relative to the
/// worktree top, resolving `.` and `..` by name; `None` when it leads out of the worktree.
pub fn join_relative(prefix: &[u8], path: &[u8]) -> Option<Vec<u8>> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in prefix.split(|&b| b == b'/').chain(path.split(|&b| b == b'/')) {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts.join(&b'/'))
}

/// A path as git would print it with `core.quotePath=false`.
pub fn display_path(path: &[u8]) -> String {
    match std::str::from_utf8(path) {
        Ok(text) if !text.chars().any(needs_c_escape) => text.to_owned(),
        _ => c_quote(path),
    }
}

/// A shell word that, pasted into `sh`, `bash` or `zsh`, is the path's exact bytes.
pub fn shell_word(path: &[u8]) -> String {
    let plain = |b: &u8| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(b);
    if !path.is_empty() && path.iter().all(plain) {
        return String::from_utf8_lossy(path).into_owned();
    }
    match std::str::from_utf8(path) {
        Ok(text) if !text.chars().any(char::is_control) => {
            format!("'{}'", text.replace('\'', r"'\''"))
        }
        _ => quote_unprintable(path),
    }
}

/// Bytes that are not printable text need ANSI-C quoting `$'...'` (bash, zsh, and POSIX 2024
/// sh), the shells of Unix users.
#[cfg(unix)]
fn quote_unprintable(path: &[u8]) -> String {
    let mut word = String::from("$'");
    for chunk in path.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\'' | '\\' => write!(word, "\\{c}").unwrap(),
                c if c.is_control() => write_octal(&mut word, c as u32 as u8),
                c => word.push(c),
            }
        }
        for &byte in chunk.invalid() {
            write_octal(&mut word, byte);
        }
    }
    word.push('\'');
    word
}

/// Elsewhere (PowerShell and cmd know no `$'...'`) such a byte becomes `?` inside single
/// quotes: git reads the pathspec as a glob, in which `?` matches that one byte.
#[cfg(not(unix))]
fn quote_unprintable(path: &[u8]) -> String {
    let mut word = String::from("'");
    for chunk in path.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\'' => word.push_str(r"'\''"),
                c if c.is_control() => word.push('?'),
                c => word.push(c),
            }
        }
        word.extend(chunk.invalid().iter().map(|_| '?'));
    }
    word.push('\'');
    word
}

fn needs_c_escape(c: char) -> bool {
    c == '"' || c == '\\' || (c as u32) < 0x20 || c == '\x7f'
}

/// Bytes in double quotes with C escapes, as git quotes a path that needs it (a control
/// character, `"`, `\`, a byte that is not UTF-8 in octal): how an ignore rule's pattern is
/// shown, always quoted (`"!*.o"`).
pub fn c_quote(path: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in path.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\x07' => out.push_str("\\a"),
                '\x08' => out.push_str("\\b"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\x0b' => out.push_str("\\v"),
                '\x0c' => out.push_str("\\f"),
                '\r' => out.push_str("\\r"),
                c if needs_c_escape(c) => write_octal(&mut out, c as u32 as u8),
                c => out.push(c),
            }
        }
        for &byte in chunk.invalid() {
            write_octal(&mut out, byte);
        }
    }
    out.push('"');
    out
}

fn write_octal(out: &mut String, byte: u8) {
    write!(out, "\\{byte:03o}").unwrap();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_keeps_ordinary_and_unicode_paths() {
        assert_eq!(display_path(b"pkg/__cache__/m.o"), "pkg/__cache__/m.o");
        assert_eq!(display_path(b"with space/x.o"), "with space/x.o");
        assert_eq!(display_path("caf\u{e9}/\u{1f40d}.o".as_bytes()), "caf\u{e9}/\u{1f40d}.o");
    }

    #[test]
    fn display_quotes_like_git() {
        assert_eq!(display_path(b"caf\xe9.o"), r#""caf\351.o""#);
        assert_eq!(display_path(b"tab\there.o"), r#""tab\there.o""#);
        assert_eq!(display_path(b"q\"uote\\.o"), r#""q\"uote\\.o""#);
        assert_eq!(display_path(b"\x1b[31mred.o"), r#""\033[31mred.o""#);
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_word(b"pkg/__cache__/m.o"), "pkg/__cache__/m.o");
        assert_eq!(shell_word(b"with space.o"), "'with space.o'");
        assert_eq!(shell_word(b"it's.o"), r"'it'\''s.o'");
        assert_eq!(shell_word(b"$HOME.o"), "'$HOME.o'");
    }

    #[test]
    #[cfg(unix)]
    fn unprintable_bytes_are_ansi_c_quoted_on_unix() {
        assert_eq!(shell_word(b"caf\xe9.o"), r"$'caf\351.o'");
        assert_eq!(shell_word(b"a'\xff.o"), r"$'a\'\377.o'");
        assert_eq!(shell_word(b"new\nline.o"), r"$'new\012line.o'");
    }

    #[test]
    fn joins_a_path_given_in_a_subfolder() {
        assert_eq!(join_relative(b"", b"./a//b.o").unwrap(), b"a/b.o");
        assert_eq!(join_relative(b"pkg/", b"x.o").unwrap(), b"pkg/x.o");
        assert_eq!(join_relative(b"pkg/sub/", b"../x.o").unwrap(), b"pkg/x.o");
        assert_eq!(join_relative(b"pkg/", b"../../x.o"), None);
    }

    #[test]
    fn paths_relative_to_a_subfolder() {
        assert_eq!(relative_to(b"", b"pkg/x.o"), b"pkg/x.o");
        assert_eq!(relative_to(b"pkg/", b"pkg/x.o"), b"x.o");
        assert_eq!(relative_to(b"pkg/sub/", b"pkg/x.o"), b"../x.o");
        assert_eq!(relative_to(b"other/", b"pkg/x.o"), b"../pkg/x.o");
        assert_eq!(relative_to(b"pkg/", b"pkgx/y.o"), b"../pkgx/y.o");
    }

    #[test]
    fn exact_paths_are_git_paths() {
        assert_eq!(exact_path_bytes(Path::new("pkg/__cache__/m.o")).unwrap(), &b"pkg/__cache__/m.o"[..]);
        assert_eq!(bytes_path("caf\u{e9}/m.o".as_bytes()).unwrap(), Path::new("caf\u{e9}/m.o"));
    }

    #[test]
    #[cfg(unix)]
    fn every_path_has_bytes_on_unix() {
        use std::os::unix::ffi::OsStrExt;
        let name = Path::new(std::ffi::OsStr::from_bytes(b"caf\xe9\\x.o"));
        assert_eq!(exact_path_bytes(name).unwrap(), &b"caf\xe9\\x.o"[..], "a backslash is a name's byte");
        assert_eq!(bytes_path(b"caf\xe9.o").unwrap(), Path::new(std::ffi::OsStr::from_bytes(b"caf\xe9.o")));
    }

    #[test]
    #[cfg(windows)]
    fn windows_paths_become_git_paths_or_are_refused() {
        use std::os::windows::ffi::OsStringExt;
        assert_eq!(path_bytes(Path::new(r"pkg\__cache__\m.o")), &b"pkg/__cache__/m.o"[..]);
        assert_eq!(exact_path_bytes(Path::new(r"C:\src\m.o")).unwrap(), &b"C:/src/m.o"[..]);
        // An unpaired surrogate: a name Windows allows and Unicode does not.
        let name = std::ffi::OsString::from_wide(&[0xD800, u16::from(b'.'), u16::from(b'o')]);
        let error = exact_path_bytes(Path::new(&name)).unwrap_err();
        assert_eq!(error.to_string(), "\u{fffd}.o is not valid Unicode, which a path on this system must be");
        assert_eq!(path_bytes(Path::new(&name)), "\u{fffd}.o".as_bytes(), "lossy where a name only shows");
        assert_eq!(bytes_path(b"caf\xe9.o").unwrap_err(), NotUnicode(b"caf\xe9.o".to_vec()));
    }

    #[test]
    #[cfg(not(unix))]
    fn unprintable_bytes_become_a_glob_elsewhere() {
        assert_eq!(shell_word(b"caf\xe9.o"), "'caf?.o'");
        assert_eq!(shell_word(b"a'\xff.o"), r"'a'\''?.o'");
        assert_eq!(shell_word(b"new\nline.o"), "'new?line.o'");
    }

    #[test]
    #[cfg(unix)]
    fn shell_words_round_trip_through_sh() {
        let paths: &[&[u8]] = &[b"with space.o", b"it's.o", b"$x`y`\".o", b"caf\xe9.o"];
        for path in paths {
            let script = format!("printf %s {}", shell_word(path));
            let out = std::process::Command::new("bash").arg("-c").arg(&script).output().unwrap();
            assert_eq!(&out.stdout[..], *path, "{script}");
        }
    }
}
