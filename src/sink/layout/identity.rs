//! A file's identity on disk: its device and inode, size and modification time. A name
//! alone does not tell a file from another that later took it: a run from standard input
//! names its files with the lowest free number, so a name `normalog compact` listed (and
//! merged) may, by its commit, be a new file of another run; so may a name a pull's
//! recovery removed and published again. A compaction merges, and removes, only files that
//! are still the ones it listed.

use std::fs::Metadata;
use std::path::Path;

/// See the module docs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct FileId {
    dev: u64,
    ino: u64,
    len: u64,
    /// Nanoseconds since the epoch (0 where the system does not say).
    modified: u128,
}

impl FileId {
    /// The identity of the file `meta` describes.
    pub(crate) fn of(meta: &Metadata) -> FileId {
        #[cfg(unix)]
        let (dev, ino) = {
            use std::os::unix::fs::MetadataExt;
            (meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let (dev, ino) = (0, 0);
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        FileId {
            dev,
            ino,
            len: meta.len(),
            modified,
        }
    }

    /// The identity of the file at `path` now, `None` if there is none.
    pub(crate) fn at(path: &Path) -> Option<FileId> {
        std::fs::metadata(path).ok().map(|m| FileId::of(&m))
    }

    /// As a journal writes it: `dev:ino:len:modified`.
    pub(crate) fn to_text(self) -> String {
        format!("{}:{}:{}:{}", self.dev, self.ino, self.len, self.modified)
    }

    /// What [`to_text`](Self::to_text) wrote.
    pub(crate) fn parse(text: &str) -> Option<FileId> {
        let mut parts = text.split(':');
        let id = FileId {
            dev: parts.next()?.parse().ok()?,
            ino: parts.next()?.parse().ok()?,
            len: parts.next()?.parse().ok()?,
            modified: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::FileId;

    #[test]
    fn a_file_keeps_its_identity_and_another_of_its_name_has_another() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("part-0.parquet");
        std::fs::write(&path, b"one").expect("write");
        let id = FileId::at(&path).expect("a file");
        assert_eq!(FileId::parse(&id.to_text()), Some(id));
        assert_eq!(FileId::at(&path), Some(id));
        std::fs::remove_file(&path).expect("remove");
        std::fs::write(dir.path().join("keep"), b"the inode stays taken").expect("write");
        std::fs::write(&path, b"two").expect("write");
        assert_ne!(FileId::at(&path), Some(id));
        assert_eq!(FileId::parse("1:2:3"), None);
        assert_eq!(FileId::parse("1:2:3:4:5"), None);
    }
}
