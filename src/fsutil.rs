//! Small filesystem operations the daemon needs to move files without losing or
//! overwriting them.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Renames `from` to `to`, failing with `AlreadyExists` instead of replacing `to`.
///
/// Uses `renameat2(RENAME_NOREPLACE)`, which is atomic; on filesystems without it,
/// falls back to a check then a rename (racy only against another writer of the
/// same target name, which newsd's unique names make unlikely).
pub fn rename_noreplace(from: &Path, to: &Path) -> io::Result<()> {
    let c_from = CString::new(from.as_os_str().as_bytes())?;
    let c_to = CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: both pointers are valid NUL-terminated strings for the call's duration.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            c_from.as_ptr(),
            libc::AT_FDCWD,
            c_to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        return Ok(());
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) => {
            if std::fs::symlink_metadata(to).is_ok() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            std::fs::rename(from, to)
        }
        _ => Err(err),
    }
}

/// Moves `from` into `dir` under `name`, or under `name.<suffix>` if `name` is taken.
/// Returns the path it ended at.
pub fn move_unique(
    from: &Path,
    dir: &Path,
    name: &std::ffi::OsStr,
    suffix: &str,
) -> io::Result<PathBuf> {
    let first = dir.join(name);
    match rename_noreplace(from, &first) {
        Ok(()) => Ok(first),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let mut alt = name.to_os_string();
            alt.push(".");
            alt.push(suffix);
            let second = dir.join(alt);
            rename_noreplace(from, &second)?;
            Ok(second)
        }
        Err(e) => Err(e),
    }
}

/// Flushes a directory's entries (renames, creations) to disk.
pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Writes `bytes` to `path` atomically: a temporary file, fsync, then rename over.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noreplace_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        let err = rename_noreplace(&a, &b).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b");
    }

    #[test]
    fn move_unique_picks_a_free_name() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("dest");
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("x.txt"), "old").unwrap();
        let src = dir.path().join("x.txt");
        std::fs::write(&src, "new").unwrap();
        let at = move_unique(&src, &dest, std::ffi::OsStr::new("x.txt"), "c1").unwrap();
        assert_eq!(at, dest.join("x.txt.c1"));
        assert_eq!(std::fs::read_to_string(dest.join("x.txt")).unwrap(), "old");
        assert_eq!(std::fs::read_to_string(at).unwrap(), "new");
    }
}
