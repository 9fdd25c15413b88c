//! Where a state file lives: its path with symbolic links resolved (the file a pull locks
//! and writes), and whether the file at a path is a copy of the state file that wrote it.

use std::path::{Path, PathBuf};

use super::State;
use crate::pull::PullError;

/// The path of the file `path` names: symbolic links at its name followed (a pull on
/// `link.json` locks and writes the state file it names, not a second one beside it), and
/// its directory resolved too, so that two ways of naming one state file lead to one lock.
/// A directory that does not exist yet is left as given (writing into it fails later).
///
/// # Errors
///
/// [`PullError::Config`] when a link cannot be read, or links lead round in a circle.
pub(super) fn resolve(path: &Path) -> Result<PathBuf, PullError> {
    let mut p = path.to_path_buf();
    let mut hops = 0;
    while std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
        hops += 1;
        if hops > 40 {
            return Err(PullError::Config(format!(
                "{}: too many symbolic links (a circle?)",
                path.display()
            )));
        }
        let target = std::fs::read_link(&p)
            .map_err(|e| PullError::Config(format!("{}: {e}", p.display())))?;
        // A relative target is relative to the link's directory; an absolute one replaces.
        p = match p.parent() {
            Some(dir) => dir.join(target),
            None => target,
        };
    }
    let Some(name) = p.file_name().map(std::ffi::OsStr::to_os_string) else {
        return Ok(p);
    };
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(dir.canonicalize().map_or(p, |d| d.join(name)))
}

/// When `state`, read at `at` (resolved), was written at another path that still
/// holds a state file of the same id, `state` is a copy of it (`cp`, or another name of a
/// hard-linked file): that path. A state whose recorded path holds nothing, or a state
/// of another id, was moved there; one at another name of the very same file (a second
/// mount of its directory) is the same state file.
pub(super) fn copied_from(state: &State, at: &Path) -> Option<PathBuf> {
    if state.path.is_empty() || Path::new(&state.path) == at {
        return None;
    }
    let original = PathBuf::from(&state.path);
    if same_file(&original, at) {
        return None;
    }
    let bytes = std::fs::read(&original).ok()?;
    let other: State = serde_json::from_slice(&bytes).ok()?;
    (other.id == state.id && other.source == state.source && other.account == state.account)
        .then_some(original)
}

/// Whether `a` and `b` are one file with one name in its directory (two mounts of it);
/// a hard-linked file has other names, each a state file of its own once written.
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino() && a.nlink() == 1,
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_a: &Path, _b: &Path) -> bool {
    false
}
