//! What an interrupted run leaves in a directory output, and how the next run cleans it up.
//!
//! Each writer into a directory takes a **run lock** before it creates its first file: an
//! exclusive `flock` on `DIR/_normalog/locks/<token>`, held as long as the writer lives.
//! `<token>` (the process id and the time the lock was taken) ends the name of every
//! temporary file the writer makes (`.part-….parquet.tmp-<token>`), and names its commit
//! journal. The kernel releases the lock when the process ends, however it ends (`kill -9`
//! included). So a lock file that can be locked belongs to a run that is gone: [`recover`]
//! completes that run's commit if it was cut in the middle of one, removes its temporary
//! files, then its lock file. A lock held by someone else means the run is alive: its files
//! are left alone, however old they are.
//!
//! Why a lock rather than a process id in the names, or the age of the files: a process id
//! is reused, and means nothing for a process on another host writing into the same
//! directory (a network file system); an age cut-off either removes a slow run's files or
//! keeps a crashed run's for a while. A lock is released exactly when its owner is gone.
//!
//! **Commits.** A commit renames many files, which cannot be done at once. So, once every
//! file is finished and before the first rename, the writer writes a journal,
//! `DIR/_normalog/commits/<token>`: its run id (or `-`), whether it wrote an inputs list,
//! the runs it supersedes, each `(temporary, final)` pair, and (`normalog compact`), after
//! a pair, the files its file replaces, each with its identity (`identity.rs`): removed once
//! that file is in place, and only if they are still those files. It removes the journal when
//! its files are renamed, its manifest and inputs list are replaced and the runs it
//! supersedes are removed. A run killed in between
//! leaves the journal; [`recover`] then finishes the commit (renames the temporary files
//! still there, replaces the manifest, removes the superseded runs) instead of removing
//! them, so no run is ever left half in place.
//!
//! Without `flock` (targets other than Linux here) no lock can be tested: [`recover`] then
//! removes nothing.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::identity::FileId;
use super::path_error;
use crate::atomic::{lock, no_follow, sync_dir, try_lock, write_synced_as};
use crate::error::Error;

use super::paths::{COMMITS_DIR, LOCKS_DIR};
mod replay;
use replay::roll_forward;

/// The start of a journal's line naming a run the commit supersedes.
const SUPERSEDE: &str = "supersede ";
/// A journal's line saying that the run wrote its inputs list, to be put in place.
const INPUTS_LINE: &str = "inputs";
/// The start of a journal's line naming a file the commit removes once its own files are
/// in place (`normalog compact`: the part files merged into one).
const REMOVE: &str = "remove ";

/// What [`recover`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recovered {
    /// Runs found gone (killed, or crashed) whose leftovers were handled.
    pub runs: u64,
    /// Temporary files removed.
    pub temporary_files: u64,
    /// Commits that had started (every file finished) and were completed: their files
    /// renamed into place and their manifest replaced.
    pub commits_completed: u64,
    /// Of the files of those commits by runs of named inputs, the ones that were gone
    /// (removed by something else while their run went): each such run is marked
    /// incomplete ([`INCOMPLETE_DIR`](super::paths::INCOMPLETE_DIR)), and the runs it
    /// superseded stay.
    pub files_missing: u64,
    /// The same, of the commits of other writers (standard input, `compact`, `pull`).
    pub files_gone: u64,
}

/// Clean up after the runs into `dir` that ended without cleaning up (killed, crashed):
/// complete their interrupted commits, remove their temporary files and their locks. The
/// files of runs still going (whose lock is held) are never touched, nor any file that is
/// not a temporary file of a run that is gone.
///
/// # Errors
///
/// I/O errors reading `dir` or removing and renaming files.
pub fn recover(dir: &Path) -> Result<Recovered, Error> {
    recover_unless(dir, &|| false)
}

/// [`recover`], whose wait for the commit lock (another run committing) ends with
/// [`Error::cancelled`] once `cancelled` says so.
pub(crate) fn recover_unless(dir: &Path, cancelled: &dyn Fn() -> bool) -> Result<Recovered, Error> {
    let mut out = Recovered::default();
    let tokens = tokens(dir)?;
    if tokens.is_empty() {
        return Ok(out);
    }
    // Under the commit lock: a dead run's commit completed here must not interleave with a
    // live run's commit (both replace manifests, and the live one checks the tables for
    // another layout's files first).
    let _one_at_a_time = CommitLock::acquire(dir, cancelled)?;
    let mut dead: Vec<(String, File)> = Vec::new();
    for token in tokens {
        let path = dir.join(LOCKS_DIR).join(&token);
        let file = match File::options().read(true).write(true).open(&path) {
            Ok(f) => f,
            // No lock file: a journal whose run got as far as dropping its lock (its
            // commit failed after the journal was written). Nobody is using it.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => match lock_anyway(dir, &token) {
                Some(f) => f,
                None => continue,
            },
            Err(e) => return Err(path_error(&path, &e)),
        };
        if try_lock(&file) {
            dead.push((token, file));
        }
    }
    if dead.is_empty() {
        return Ok(out);
    }
    for (token, _) in &dead {
        let journal = dir.join(COMMITS_DIR).join(token);
        if journal.exists() {
            let (missing, named) = roll_forward(dir, &journal, token)?;
            if named {
                out.files_missing += missing;
            } else {
                out.files_gone += missing;
            }
            out.commits_completed += 1;
        }
    }
    let suffixes: Vec<String> = dead.iter().map(|(t, _)| format!(".tmp-{t}")).collect();
    let mut files = Vec::new();
    walk(dir, &mut files).map_err(|e| path_error(dir, &e))?;
    for f in files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with('.') && suffixes.iter().any(|s| name.ends_with(s.as_str())) {
            match std::fs::remove_file(&f) {
                Ok(()) => {
                    out.temporary_files += 1;
                    super::remove_empty_parents(&f, dir);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(path_error(&f, &e)),
            }
        }
    }
    // The dead runs' spill files are gone: their directory too, unless a live run's are
    // in it (`remove_empty_parents` stays out of `_normalog`, where the others are shared).
    let _ = std::fs::remove_dir(dir.join(super::SPILL_DIR));
    for (token, file) in dead {
        // Removed while still locked, so that nobody can take it for a live one.
        for p in [dir.join(LOCKS_DIR).join(&token), hidden_lock(dir, &token)] {
            let _ = std::fs::remove_file(p);
        }
        drop(file);
        out.runs += 1;
    }
    Ok(out)
}

/// Complete the commits of runs into `dir` that are gone, as [`recover`] does, while the
/// caller holds the directory's commit lock (`_held`), just before its own commit: a run
/// killed between its journal and its last rename, after this run started (and so after
/// its `recover`), has files in the tables that this commit's check for another layout
/// must see, and a manifest that must be replaced before this one. Their other temporary
/// files and their locks are left to the next [`recover`]. Returns how many commits.
///
/// # Errors
///
/// I/O errors reading the journals or renaming their files.
pub(crate) fn complete_dead_commits(dir: &Path, _held: &CommitLock) -> Result<u64, Error> {
    let commits = dir.join(COMMITS_DIR);
    let entries = match std::fs::read_dir(&commits) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(path_error(&commits, &e)),
    };
    let mut completed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| path_error(&commits, &e))?;
        let name = entry.file_name();
        // Journals being written (hidden) belong to a run that has not started renaming.
        let Some(token) = name.to_str().filter(|t| is_token(t)) else {
            continue;
        };
        let lock_path = dir.join(LOCKS_DIR).join(token);
        let lock = match File::options().read(true).write(true).open(&lock_path) {
            Ok(f) => try_lock(&f).then_some(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => lock_anyway(dir, token),
            Err(e) => return Err(path_error(&lock_path, &e)),
        };
        // Held by a live run (this one's own lock included): not ours to complete.
        if lock.is_some() {
            roll_forward(dir, &entry.path(), token)?;
            completed += 1;
        }
    }
    Ok(completed)
}

/// The tokens of every lock and journal in `dir` (a lock being created is hidden:
/// `.<token>`).
fn tokens(dir: &Path) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for sub in [LOCKS_DIR, COMMITS_DIR] {
        let d = dir.join(sub);
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(path_error(&d, &e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| path_error(&d, &e))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let token = name.strip_prefix('.').unwrap_or(name);
            // Journals being written are `.<token>.tmp-<token>`: their token is the lock's.
            let token = token.split(".tmp-").next().unwrap_or(token);
            if is_token(token) && !out.iter().any(|t| t == token) {
                out.push(token.to_owned());
            }
        }
    }
    Ok(out)
}

/// A token is `<pid>-<hex>`: anything else in those directories is not ours.
fn is_token(s: &str) -> bool {
    s.split_once('-').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_hexdigit())
    })
}

/// The lock file of a run being created (before it is renamed into place), or of a journal
/// whose lock is gone: locked by us if it can be.
fn lock_anyway(dir: &Path, token: &str) -> Option<File> {
    let hidden = hidden_lock(dir, token);
    // A symbolic link there is not a lock: not followed (which would create the file it
    // names), the journal left alone.
    let file = no_follow(File::options().read(true).write(true).create(true))
        .truncate(false)
        .open(&hidden)
        .ok()?;
    try_lock(&file).then_some(file)
}

fn hidden_lock(dir: &Path, token: &str) -> PathBuf {
    dir.join(LOCKS_DIR).join(format!(".{token}"))
}

/// The lock of a writer into a directory: see the [module documentation](self).
pub(crate) struct RunLock {
    token: String,
    path: PathBuf,
    _file: File,
}

impl RunLock {
    /// Create and lock `DIR/_normalog/locks/<token>` for a new token.
    pub(crate) fn acquire(dir: &Path) -> Result<RunLock, Error> {
        // The output directory first, so that an error names it, not `_normalog/locks`.
        std::fs::create_dir_all(dir).map_err(|e| {
            let e =
                std::io::Error::new(e.kind(), format!("cannot create the output directory: {e}"));
            path_error(dir, &e)
        })?;
        let locks = dir.join(LOCKS_DIR);
        std::fs::create_dir_all(&locks).map_err(|e| path_error(&locks, &e))?;
        let mut tries = 0;
        loop {
            match Self::try_acquire(dir, &locks) {
                // Another run's `recover` took the new lock file for a dead run's (between
                // its creation and its lock) and removes it: again, under another token.
                // Or the new name was taken (by anything but a lock of ours: the token is
                // new): again, under another token.
                Err(e)
                    if tries < 3
                        && matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock
                                | std::io::ErrorKind::NotFound
                                | std::io::ErrorKind::AlreadyExists
                        ) =>
                {
                    tries += 1;
                }
                Err(e) => return Err(path_error(&locks, &e)),
                Ok(lock) => return Ok(lock),
            }
        }
    }

    fn try_acquire(dir: &Path, locks: &Path) -> std::io::Result<RunLock> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let token = format!("{}-{nanos:x}", std::process::id());
        // Locked under a hidden name first, then renamed: a lock file that can be seen
        // is always locked while its run lives. Created new: a symbolic link at the name
        // is not followed.
        let hidden = hidden_lock(dir, &token);
        let file = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&hidden)?;
        lock(&file)?;
        let path = locks.join(&token);
        std::fs::rename(&hidden, &path)?;
        Ok(RunLock {
            token,
            path,
            _file: file,
        })
    }

    /// The token that ends this run's temporary file names.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// Write the journal of a commit about to rename `files` (`(temporary, final)`), put
    /// the run's `inputs` list in place (when it wrote one), remove the runs it
    /// `supersedes`, and then, after each file put in place, the files of `removes` at its
    /// index: those whose rows it holds, with those of the files before it since the last
    /// such list (`normalog compact`; none for other commits).
    pub(crate) fn write_journal(
        &self,
        dir: &Path,
        run: Option<&str>,
        inputs: bool,
        supersedes: &[String],
        files: &[(PathBuf, PathBuf)],
        removes: &[Vec<(PathBuf, FileId)>],
    ) -> Result<PathBuf, Error> {
        let commits = dir.join(COMMITS_DIR);
        std::fs::create_dir_all(&commits).map_err(|e| path_error(&commits, &e))?;
        let rel = |p: &Path| {
            p.strip_prefix(dir)
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned()
        };
        let mut text = format!("run {}\n", run.unwrap_or("-"));
        if inputs {
            text.push_str(INPUTS_LINE);
            text.push('\n');
        }
        for id in supersedes {
            text.push_str(SUPERSEDE);
            text.push_str(id);
            text.push('\n');
        }
        for (i, (tmp, dest)) in files.iter().enumerate() {
            text.push_str(&rel(tmp));
            text.push('\t');
            text.push_str(&rel(dest));
            text.push('\n');
            for (path, id) in removes.get(i).into_iter().flatten() {
                text.push_str(REMOVE);
                text.push_str(&rel(path));
                text.push('\t');
                text.push_str(&id.to_text());
                text.push('\n');
            }
        }
        let path = commits.join(&self.token);
        let tmp = commits.join(format!(".{0}.tmp-{0}", self.token));
        write_synced_as(&tmp, &path, text.as_bytes())
            .and_then(|()| sync_dir(&commits))
            .map_err(|e| path_error(&path, &e))?;
        Ok(path)
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Removed while still locked (the file closes after this).
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lock that makes the commits into a directory one at a time: an exclusive `flock`
/// on the directory `DIR/_normalog` itself (no file to leave behind), waited for (tried
/// every 20 ms, so that a stop ends the wait), held from before a commit's journal until
/// its manifest is replaced. Under it, a commit checks
/// the tables again for another layout's files ([`super::mixed`]): two runs of different
/// layouts started together into a table with no files yet each saw none of the other's,
/// still temporary, when they started; the second to commit now sees the first one's and
/// is refused.
///
/// Where a directory cannot be locked (NFS, whose `flock` is a POSIX lock that wants a
/// descriptor open for writing), the commit goes on without the lock, as before there was
/// one: the second check is then only as good as its timing.
pub(crate) struct CommitLock {
    _dir: Option<File>,
}

impl CommitLock {
    /// Take the commit lock of `dir`, waiting while another run commits; `cancelled`
    /// (the run was asked to stop) ends the wait with [`Error::cancelled`], before this
    /// commit has done anything.
    pub(crate) fn acquire(dir: &Path, cancelled: impl Fn() -> bool) -> Result<CommitLock, Error> {
        let path = dir.join(COMMIT_LOCK);
        std::fs::create_dir_all(&path).map_err(|e| path_error(&path, &e))?;
        // A directory that cannot be opened (on some systems) or locked (see above): the
        // commit goes on without the lock.
        let Ok(handle) = File::open(&path) else {
            return Ok(CommitLock { _dir: None });
        };
        loop {
            match lock(&handle) {
                Ok(()) => break,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if cancelled() {
                        return Err(Error::cancelled());
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(_) => return Ok(CommitLock { _dir: None }),
            }
        }
        Ok(CommitLock { _dir: Some(handle) })
    }
}

/// Make what was written into `dir`'s file system durable: the part files' bytes before
/// the journal that names them (else a power cut could leave the journal, and its
/// completion would rename empty files into place), their renames before the journal goes.
/// One `syncfs` for the thousands of files of an hour layout: an `fsync` each forced a
/// commit of the file system's journal each.
///
/// # Errors
///
/// `dir` cannot be opened, or the file system reports a write error.
#[cfg(target_os = "linux")]
pub(crate) fn sync_file_system(dir: &Path) -> Result<(), Error> {
    let handle = File::open(dir).map_err(|e| path_error(dir, &e))?;
    rustix::fs::syncfs(&handle).map_err(|e| path_error(dir, &e.into()))
}

/// Without `syncfs`, each directory's entries are left to the system.
#[cfg(not(target_os = "linux"))]
pub(crate) fn sync_file_system(_dir: &Path) -> Result<(), Error> {
    Ok(())
}

/// The directory locked by [`CommitLock`].
const COMMIT_LOCK: &str = super::paths::CONTROL_DIR;

/// Every file under `dir`, recursively (none if it does not exist); also what `pull`
/// publishes and recovers. A table or partition directory that is a symbolic link (moved
/// to another volume) is followed, as the writers write through it (review s42-h2 F3:
/// `compact` and the clean-up after killed runs passed over such tables): a link at the top
/// of `dir`, or one named as a partition (`key=value`). Under a link, only the files and the
/// partition directories are the lake's: other directories (a volume's `lost+found`) are
/// passed over, and so is one that cannot be read; other links are never followed (one to
/// `/` walked the file system; review s42-h5 MEDIUM-1). Each directory is walked once.
pub(crate) fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    walk_in(dir, out, false)
}

/// [`walk`]; `linked`: `dir` is itself a link's directory (a table moved behind one).
pub(crate) fn walk_in(dir: &Path, out: &mut Vec<PathBuf>, linked: bool) -> std::io::Result<()> {
    let mut seen = std::collections::HashSet::new();
    walk_once(dir, out, &mut seen, linked, 0)
}

fn walk_once(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<(u64, u64)>,
    linked: bool,
    depth: usize,
) -> std::io::Result<()> {
    #[cfg(unix)]
    if let Ok(m) = std::fs::metadata(dir) {
        use std::os::unix::fs::MetadataExt;
        if !seen.insert((m.dev(), m.ino())) {
            return Ok(());
        }
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(_) if linked => return Ok(()),
        Err(e) => {
            return Err(std::io::Error::new(
                e.kind(),
                format!("{}: {e}", dir.display()),
            ))
        }
    };
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let partition = name.contains('=') && !name.starts_with(['.', '_']);
        match entry.file_type() {
            Ok(t) if t.is_dir() => {
                if !linked || partition {
                    walk_once(&path, out, seen, linked, depth + 1)?;
                }
            }
            Ok(t) if t.is_symlink() && path.is_dir() => {
                let table = depth == 0 && !linked && !name.starts_with(['.', '_']);
                if partition || table {
                    walk_once(&path, out, seen, true, depth + 1)?;
                }
            }
            _ => out.push(path),
        }
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests;
