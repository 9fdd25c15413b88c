//! The atomic files: written whole or not at all, their permissions, and the clean-up
//! after killed writers.

use super::*;

#[test]
fn appears_on_commit_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("out.txt");
    std::fs::write(&dest, "old").expect("write");
    let mut f = AtomicFile::create(&dest).expect("create");
    f.file().write_all(b"new").expect("write");
    assert_eq!(std::fs::read_to_string(&dest).expect("read"), "old");
    f.commit().expect("commit");
    assert_eq!(std::fs::read_to_string(&dest).expect("read"), "new");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);

    // Dropped without commit: the destination keeps its text, no temporary file stays.
    let mut f = AtomicFile::create(&dest).expect("create");
    f.file().write_all(b"lost").expect("write");
    drop(f);
    assert_eq!(std::fs::read_to_string(&dest).expect("read"), "new");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);

    write(&dest, "again").expect("write");
    assert_eq!(std::fs::read_to_string(&dest).expect("read"), "again");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
}

/// A rewritten file keeps the permissions of the one it replaces (a new one gets the
/// default of the umask).
#[cfg(unix)]
#[test]
fn keeps_the_permissions_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("out.txt");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    write(&dest, "new").expect("write");
    let fresh = mode(&dest);
    for private in [0o600, 0o640, 0o400] {
        std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(private)).expect("chmod");
        write(&dest, "again").expect("write");
        assert_eq!(mode(&dest), private);
        assert_eq!(std::fs::read_to_string(&dest).expect("read"), "again");
    }
    // Set-id bits are not copied onto a file of records.
    std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o4755)).expect("chmod");
    write(&dest, "again").expect("write");
    assert_eq!(
        std::fs::metadata(&dest)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o7777,
        0o755
    );
    let other = dir.path().join("other.txt");
    write(&other, "x").expect("write");
    assert_eq!(mode(&other), fresh);
}

#[test]
fn needs_a_file_name() {
    let err = AtomicFile::create(Path::new("/")).expect_err("no file name");
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(err.to_string(), "not a file name");
}
