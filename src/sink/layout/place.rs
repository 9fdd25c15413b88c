//! The file system steps of part files: creating one (and its directory), putting a
//! finished one in place without replacing another run's file, and removing the
//! directories that removed files leave empty.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::atomic::create_fresh;

/// Put the temporary file `tmp` in place as `dest` (`part-<n>.<ext>`) or, when a file of
/// that name exists, as the next free `part-<n+1>`, `part-<n+2>`, ...; the name it got.
///
/// For a run without an identity, which adds files: its names are chosen when its files are
/// opened, so another such run writing the same directory at the same time (two runs from
/// standard input) may have chosen the same, and a rename would replace the other's file.
/// A hard link fails instead when the name is taken; the temporary name is removed after.
/// A file that already is `tmp` under that name (linked by a run that died before it
/// removed the temporary name) is kept as it is. Where the filesystem has no hard links,
/// the file is renamed when no file has the name (the one case a race can still lose).
pub(crate) fn place_new(tmp: &Path, dest: &Path) -> std::io::Result<PathBuf> {
    let mut dest = dest.to_path_buf();
    loop {
        match std::fs::hard_link(tmp, &dest) {
            Ok(()) => break,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if same_file(tmp, &dest) {
                    break;
                }
                dest = next_part_name(&dest).ok_or(e)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(e),
            Err(_) if !dest.exists() => {
                std::fs::rename(tmp, &dest)?;
                return Ok(dest);
            }
            Err(_) => {
                dest = next_part_name(&dest)
                    .ok_or_else(|| std::io::Error::other("no free part name"))?;
            }
        }
    }
    std::fs::remove_file(tmp)?;
    Ok(dest)
}

/// Whether `a` and `b` are names of one file.
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}

/// `dir/part-<n+1>.<ext>` for `dir/part-<n>.<ext>`.
fn next_part_name(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let (stem, ext) = name.split_once('.')?;
    let n: u64 = stem.strip_prefix("part-")?.parse().ok()?;
    Some(path.with_file_name(format!("part-{}.{ext}", n.checked_add(1)?)))
}

/// Create the file `path`, a temporary name of this run's own (it ends in the run's
/// token), and its directory if needed. Created afresh ([`create_fresh`]): a symbolic link
/// at the name is removed, never followed (the directory may be one others can write to).
/// A directory can vanish between its creation and the file's: another run into the same
/// directory removes the partition directories it leaves empty (when it is interrupted,
/// or cleans up after a killed run).
pub(crate) fn create_file(path: &Path) -> std::io::Result<File> {
    let mut tries = 0;
    loop {
        match create_fresh(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && tries < 3 => {
                tries += 1;
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).map_err(|e| in_the_way(dir, e))?;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                return Err(match path.parent() {
                    Some(dir) => in_the_way(dir, e),
                    None => e,
                })
            }
            r => return r,
        }
    }
}

/// The error of making the directory `dir`, naming what is in its way when that is a file
/// (`table/year=2026` a file): the caller names the file it was making, which does not
/// exist, and said nothing of the one to move.
fn in_the_way(dir: &Path, e: std::io::Error) -> std::io::Error {
    let file = dir
        .ancestors()
        .find(|a| std::fs::symlink_metadata(a).is_ok_and(|m| !m.is_dir()));
    match file {
        Some(file) => std::io::Error::new(
            e.kind(),
            format!(
                "{}: not a directory, in the way of the partition directory {}",
                file.display(),
                dir.display()
            ),
        ),
        None => e,
    }
}

/// Remove the file at `path`; one already gone is no error (a commit completed again).
pub(crate) fn remove_if_there(path: &Path) -> Result<(), crate::error::Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(super::path_error(path, &e)),
        _ => Ok(()),
    }
}

/// Whether `entry` is a directory, or a symbolic link to one (a table or partition moved
/// to another volume, which the writers write through).
pub(crate) fn is_dir_followed(entry: &std::fs::DirEntry) -> bool {
    match entry.file_type() {
        Ok(t) if t.is_symlink() => entry.path().is_dir(),
        Ok(t) => t.is_dir(),
        Err(_) => false,
    }
}

/// Remove the directories holding `file` (just removed) that are now empty, innermost
/// first, up to `top` (kept), and never under `top/_normalog` (where a live run may be
/// about to create its files). Stops at the first that is not empty.
pub(crate) fn remove_empty_parents(file: &Path, top: &Path) {
    if file.starts_with(top.join(super::paths::CONTROL_DIR)) {
        return;
    }
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == top || !d.starts_with(top) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A file where a partition directory goes is named as what is in the way (review
    /// finding: the error named the part file being made, under a directory that does not
    /// exist).
    #[test]
    fn a_file_in_the_way_of_a_partition_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let year = dir.path().join("t/year=2024");
        std::fs::create_dir_all(dir.path().join("t")).expect("mkdir");
        std::fs::write(&year, "not a directory").expect("write");
        for tmp in [
            year.join(".part-0.parquet.tmp-1-ab"),
            year.join("month=1/day=1/hour=0/.part-0.parquet.tmp-1-ab"),
        ] {
            let Err(e) = create_file(&tmp) else {
                panic!("created under a file");
            };
            assert!(
                e.to_string().starts_with(&format!(
                    "{}: not a directory, in the way of the partition directory",
                    year.display()
                )),
                "{e}"
            );
        }
    }

    /// A part file's temporary name with a symbolic link planted at it (the output
    /// directory may be one others can write to): the link is replaced by the new file, and
    /// the file it named keeps its bytes. Before, it was truncated and written.
    #[test]
    fn create_file_does_not_write_through_a_link() {
        use std::io::Write;
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "theirs").expect("write");
        let tmp = dir.path().join("t/h=1/.part-0.parquet.tmp-1-ab");
        std::fs::create_dir_all(tmp.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(&victim, &tmp).expect("symlink");
        let mut f = create_file(&tmp).expect("create");
        f.write_all(b"ours").expect("write");
        drop(f);
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "theirs");
        assert!(std::fs::symlink_metadata(&tmp).expect("file").is_file());
        assert_eq!(std::fs::read_to_string(&tmp).expect("read"), "ours");
    }
}
