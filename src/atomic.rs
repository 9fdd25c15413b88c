//! Files that appear whole or not at all: written under a temporary name beside their
//! destination, then renamed into place, so that a crash or an error never leaves half a
//! file under the final name. `schematest` rewrites test files with it (`--update`), the
//! lake's layout its manifests and the pull its state and outputs, and the command line its
//! `-o FILE` and `--rejects FILE` outputs. Also here: the `flock` of a file that one process
//! at a time may use (a lake's run, a pull's state), and opening files without following
//! a link.
//!
//! ```
//! use std::io::Write;
//! use normalog::atomic::AtomicFile;
//!
//! let dir = tempfile::tempdir()?;
//! let dest = dir.path().join("events.ndjson");
//! let mut out = AtomicFile::create(&dest)?;
//! writeln!(out.file(), "{{}}")?;
//! assert!(!dest.exists());
//! out.commit()?;
//! assert_eq!(std::fs::read_to_string(&dest)?, "{}\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The regular file `dest` names now, whose permissions its replacement keeps.
fn replaced(dest: &Path) -> Option<std::fs::Metadata> {
    std::fs::symlink_metadata(dest)
        .ok()
        .filter(std::fs::Metadata::is_file)
}

/// Create the temporary file: with no more permissions than the owner's when it replaces a
/// file (which may be private: no one else may open it while it is written), else as
/// `File::create` does.
///
/// Created new (`O_EXCL`), never opened: whatever has the name already, a symbolic link
/// included, is not written through. In a directory others may write to (`/tmp`), a link
/// planted at this predictable name would otherwise have the run truncate and fill the file
/// it points to, with the runner's rights. On Linux, the abandoned file of a killed writer
/// is gone by now ([`remove_abandoned`]); what is left is a live writer's, or not a
/// writer's at all: an error that names it, rather than a guess at which.
fn create_tmp(tmp: &Path, old: Option<&std::fs::Metadata>) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if old.is_some() {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = old;
    options.open(tmp).map_err(|e| {
        if e.kind() != io::ErrorKind::AlreadyExists {
            return e;
        }
        let what = match what_has(tmp) {
            "a file" => "a file that may be another writer's, still running",
            what => what,
        };
        io::Error::new(
            e.kind(),
            format!(
                "cannot create the temporary file {}: the name is taken by {what}, left as it \
                 is (not written through); remove it if no other run writes this file",
                tmp.display()
            ),
        )
    })
}

/// Create `path` afresh, for a writer whose temporary names are its own (they end in its
/// lock's token): created new (`O_EXCL`); when the name is taken, whatever has it is
/// removed (a regular file there is this writer's own leftover, or that of the dead writer
/// whose work it completes) and the file created new again, so that a symbolic link at the
/// name is removed, never followed.
///
/// # Errors
///
/// Those of the creation; when the name could not be freed (a link another user planted
/// in a sticky directory such as `/tmp`), an [`io::ErrorKind::AlreadyExists`] that says
/// what has it and why it stayed.
pub(crate) fn create_fresh(path: &Path) -> io::Result<File> {
    let create = || File::options().write(true).create_new(true).open(path);
    // Created first, removed only when taken: an hour lake creates thousands of part files,
    // and the name is almost never taken.
    match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        r => return r,
    }
    let removed = match std::fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        r => r,
    };
    match create() {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let why = removed
                .err()
                .map_or_else(String::new, |r| format!(" ({r})"));
            Err(io::Error::new(
                e.kind(),
                format!(
                    "the name is taken by {}, which could not be removed{why}; it is left as \
                     it is (not written through)",
                    what_has(path)
                ),
            ))
        }
        r => r,
    }
}

/// What has the name `path`, for messages (a symbolic link is not followed).
fn what_has(path: &Path) -> &'static str {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => "a symbolic link",
        Ok(m) if m.is_file() => "a file",
        Ok(m) if m.is_dir() => "a directory",
        #[cfg(unix)]
        Ok(m) if std::os::unix::fs::FileTypeExt::is_fifo(&m.file_type()) => "a named pipe",
        _ => "something other than a file",
    }
}

/// `options` that open the file a name has itself, or fail: not the one a symbolic link
/// there names (`O_NOFOLLOW`), and without waiting on a named pipe (`O_NONBLOCK`, which
/// changes nothing for a regular file). For files opened, not created new, under names the
/// tool makes up: lock files, which outlive a run, and the temporary files of killed
/// writers, locked to tell whether they are abandoned. A link or a pipe there is not the
/// tool's, and opening through it would create, lock or wait on what it names. Linux only
/// here (elsewhere, as before).
pub(crate) fn no_follow(options: &mut std::fs::OpenOptions) -> &mut std::fs::OpenOptions {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        options.custom_flags(flags.bits().cast_signed());
    }
    options
}

/// Give the new file the permissions (and, where allowed, the owner and group) of the
/// regular file it replaces, as a shell's `>` keeps them: a file of audit records a user
/// had made private must not become readable by all because a run rewrote it. Without the
/// right to keep the group, the group gets the others' permissions (the file's group is
/// then the writer's, which the old group's bits were not meant for); set-id bits are
/// never copied.
fn keep_mode_and_owner(file: &File, old: &std::fs::Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{fchown, MetadataExt, PermissionsExt};
        let mut mode = old.permissions().mode() & 0o777;
        let owner_kept = fchown(file, Some(old.uid()), Some(old.gid())).is_ok();
        if !owner_kept && fchown(file, None, Some(old.gid())).is_err() {
            // Another group: give it what everyone else may do, no more (and no less: its
            // members had the others' access before).
            mode = (mode & !0o070) | ((mode & 0o007) << 3);
        }
        let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = file.set_permissions(old.permissions());
}

/// A file written as `.<name>.tmp-<pid>` beside its destination and renamed to it by
/// [`commit`](Self::commit). Dropped without commit, the temporary file is removed.
///
/// A writer that was killed (`kill -9`, a power cut) leaves its temporary file: the next
/// [`create`](Self::create) for the same destination removes it ([`stale`](Self::stale)
/// names what it removed). A temporary file is locked (`flock`) while its writer lives, so
/// that only an abandoned one is removed (Linux; elsewhere they are left alone).
///
/// The temporary file is created new, never opened: a symbolic link (or anything else)
/// already at its name, such as one planted in a directory others may write to, is not
/// written through, and [`create`](Self::create) fails instead.
///
/// The rename replaces whatever the destination is: a symbolic link is replaced by the new
/// file, not followed (resolve it first to replace the file it names).
#[derive(Debug)]
pub struct AtomicFile {
    file: File,
    /// `(temporary, destination)`; `None` once committed.
    paths: Option<(PathBuf, PathBuf)>,
    /// The temporary files of killed writers that `create` removed.
    stale: Vec<PathBuf>,
}

impl AtomicFile {
    /// Create the temporary file of `dest`, in the same directory (a rename within one file
    /// system is atomic).
    ///
    /// # Errors
    ///
    /// `dest` has no file name ([`io::ErrorKind::InvalidInput`], "not a file name"), or the
    /// temporary file cannot be created: [`io::ErrorKind::AlreadyExists`] when its name is
    /// taken (by a symbolic link, or by the file of another writer that may be running),
    /// with a message that names it.
    pub fn create(dest: &Path) -> io::Result<AtomicFile> {
        let name = dest
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let mut tmp_name = OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let stale = remove_abandoned(dest, name);
        let old = replaced(dest);
        let file = create_tmp(&tmp, old.as_ref())?;
        if let Some(old) = &old {
            keep_mode_and_owner(&file, old);
        }
        // Unlocked (NFS without locks), the file is only at risk from another run's
        // clean-up while this process lives, which that clean-up also checks.
        let _ = lock(&file);
        Ok(AtomicFile {
            file,
            paths: Some((tmp, dest.to_path_buf())),
            stale,
        })
    }

    /// The temporary files that killed writers of the same destination had left, which
    /// [`create`](Self::create) removed.
    #[must_use]
    pub fn stale(&self) -> &[PathBuf] {
        &self.stale
    }

    /// Where the file goes at [`commit`](Self::commit) (for messages); `None` once
    /// committed.
    #[must_use]
    pub fn destination(&self) -> Option<&Path> {
        self.paths.as_ref().map(|(_, dest)| dest.as_path())
    }

    /// The temporary file, to write to.
    pub fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Flush the file to disk and rename it into place (flushed first, so that a power
    /// cut cannot leave the new name on an empty file).
    ///
    /// # Errors
    ///
    /// The flush or the rename failed; the temporary file is removed.
    pub fn commit(mut self) -> io::Result<()> {
        self.file.flush()?;
        self.file.sync_all()?;
        if let Some((tmp, dest)) = self.paths.take() {
            std::fs::rename(&tmp, &dest).inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })?;
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some((tmp, _)) = &self.paths {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// A temporary file written this recently is never taken for an abandoned one.
#[cfg(target_os = "linux")]
const FRESH: std::time::Duration = std::time::Duration::from_secs(2);

/// Remove the temporary files of `dest` (`.<name>.tmp-<pid>`) whose writers are gone: the
/// file is not locked, no other process has its pid, and it was not written in the last
/// [`FRESH`] (both checked as well, because a writer locks its file only just after
/// creating it). This process's own pid counts as no other's: a file with it that is not
/// locked was left by a killed process that had the same pid before (in a container every
/// run may be pid 1), and the temporary file about to be created must have its name.
/// Only regular files are taken for temporary files (a symbolic link or a pipe at such a
/// name is not a writer's, and is neither opened nor removed).
#[cfg(target_os = "linux")]
fn remove_abandoned(dest: &Path, name: &std::ffi::OsStr) -> Vec<PathBuf> {
    let dir = dest
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    // Without /proc, no process can be told dead.
    if !Path::new("/proc/self").exists() {
        return Vec::new();
    }
    let own_pid = std::process::id().to_string();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .as_encoded_bytes()
            .strip_prefix(prefix.as_encoded_bytes())
            .filter(|pid| !pid.is_empty() && pid.iter().all(u8::is_ascii_digit))
            .and_then(|pid| std::str::from_utf8(pid).ok())
        else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        let own = pid == own_pid;
        let alive = !own && Path::new("/proc").join(pid).exists();
        // A writer locks its file just after creating it: a file written in the last
        // seconds may be one not locked yet, of a writer whose pid this process cannot see
        // (another container, another host on a shared directory). Not one of this
        // process's pid: its writers are this process's, whose files are locked by now
        // (a run restarted at once as pid 1 failed on the file of the one killed).
        let fresh = !own
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().map_or(true, |age| age < FRESH));
        // Opened without following a link or waiting on a pipe, had one replaced the file
        // since it was listed.
        let abandoned = !alive
            && !fresh
            && no_follow(File::options().read(true))
                .open(&path)
                .is_ok_and(|f| try_lock(&f));
        if abandoned && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed
}

#[cfg(not(target_os = "linux"))]
fn remove_abandoned(_dest: &Path, _name: &std::ffi::OsStr) -> Vec<PathBuf> {
    Vec::new()
}

/// An exclusive `flock` on `file`, not waiting: held until the file is closed. An error
/// when another process holds one (or the file system has no locks).
#[cfg(target_os = "linux")]
pub(crate) fn lock(file: &File) -> io::Result<()> {
    rustix::fs::flock(file, rustix::fs::FlockOperation::NonBlockingLockExclusive)
        .map_err(io::Error::from)
}

/// Whether [`lock`] took the lock.
#[cfg(target_os = "linux")]
pub(crate) fn try_lock(file: &File) -> bool {
    lock(file).is_ok()
}

/// Without `flock`, nothing is locked.
#[cfg(not(target_os = "linux"))]
pub(crate) fn lock(_file: &File) -> io::Result<()> {
    Ok(())
}

/// Without `flock`, no lock can be tested: never taken.
#[cfg(not(target_os = "linux"))]
pub(crate) fn try_lock(_file: &File) -> bool {
    false
}

/// Write `contents` to `dest` through an [`AtomicFile`], then fsync the directory so that
/// the rename itself survives a power cut.
///
/// # Errors
///
/// As [`AtomicFile::create`], writing, and [`AtomicFile::commit`]; nothing is left behind
/// (an error of the directory's fsync comes after the rename: `dest` is then new).
pub fn write(dest: &Path, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let mut file = AtomicFile::create(dest)?;
    file.file().write_all(contents.as_ref())?;
    file.commit()?;
    sync_dir(dest.parent().unwrap_or(Path::new(".")))
}

/// Create `tmp` with `contents`, fsynced, for a caller that renames it into place later
/// (its temporary names are its own: a lake's carry the lock token its recovery checks).
/// Created by [`create_fresh`]: a symbolic link at `tmp` is removed, not written through.
/// On an error `tmp` is removed.
pub(crate) fn write_synced(tmp: &Path, contents: &[u8]) -> io::Result<()> {
    let write = || -> io::Result<()> {
        let mut f = create_fresh(tmp)?;
        f.write_all(contents)?;
        f.sync_all()
    };
    write().inspect_err(|_| {
        let _ = std::fs::remove_file(tmp);
    })
}

/// [`write_synced`] and rename `tmp` to `dest`; on an error `tmp` is removed.
pub(crate) fn write_synced_as(tmp: &Path, dest: &Path, contents: &[u8]) -> io::Result<()> {
    write_synced(tmp, contents)?;
    std::fs::rename(tmp, dest).inspect_err(|_| {
        let _ = std::fs::remove_file(tmp);
    })
}

/// fsync a directory (its entries: renames and creations). A no-op where directories
/// cannot be opened as files.
///
/// # Errors
///
/// I/O errors of the fsync.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    match File::open(dir) {
        Ok(d) => d.sync_all(),
        Err(_) if cfg!(not(unix)) => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;
