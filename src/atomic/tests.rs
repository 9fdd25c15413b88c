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

/// A symbolic link planted at the temporary name (another user's, in a directory all may
/// write to) is not written through: its target keeps its bytes, or is not created, and
/// the error names the link. Before, the file it named was truncated and written.
#[cfg(unix)]
#[test]
fn a_link_at_the_temporary_name_is_not_written_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("out.txt");
    let tmp = dir
        .path()
        .join(format!(".out.txt.tmp-{}", std::process::id()));
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "theirs").expect("write");
    let missing = dir.path().join("missing");
    for target in [&victim, &missing] {
        std::os::unix::fs::symlink(target, &tmp).expect("symlink");
        let err = AtomicFile::create(&dest).expect_err("the name is taken");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        let msg = err.to_string();
        assert!(msg.contains(&tmp.display().to_string()), "{msg}");
        assert!(msg.contains("a symbolic link"), "{msg}");
        let err = write(&dest, "ours").expect_err("the name is taken");
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "theirs");
        assert!(!missing.exists(), "created through the link");
        assert!(!dest.exists());
        // The link is someone else's: left where it was.
        assert!(std::fs::symlink_metadata(&tmp)
            .expect("link")
            .file_type()
            .is_symlink());
        std::fs::remove_file(&tmp).expect("remove the link");
    }
    write(&dest, "ours").expect("write");
    assert_eq!(std::fs::read_to_string(&dest).expect("read"), "ours");
}

/// A file under this process's own temporary name that no one has locked was left by a
/// killed process that had the same pid (containers reuse pid 1): removed and reported,
/// as another pid's would be, so that the new temporary file can take the name; even when
/// written a moment ago (a container restarted at once), which another pid's is not.
#[cfg(target_os = "linux")]
#[test]
fn a_file_left_under_this_process_id_is_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("out.txt");
    let tmp = dir
        .path()
        .join(format!(".out.txt.tmp-{}", std::process::id()));
    std::fs::write(&tmp, "half").expect("write");
    let mut f = AtomicFile::create(&dest).expect("create");
    assert_eq!(f.stale(), std::slice::from_ref(&tmp));
    f.file().write_all(b"whole").expect("write");
    f.commit().expect("commit");
    assert_eq!(std::fs::read_to_string(&dest).expect("read"), "whole");
    assert!(!tmp.exists());
}

/// Only a regular file is taken for a killed writer's temporary file: a symbolic link or
/// a named pipe at such a name (with a pid no process has, older than [`FRESH`]) is
/// neither opened (the file a link names locked, a pipe waited on) nor removed.
#[cfg(target_os = "linux")]
#[test]
fn only_files_are_taken_for_a_dead_writers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dest = dir.path().join("out.txt");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "theirs").expect("write");
    // Pids above any pid_max (2^22).
    let link = dir.path().join(".out.txt.tmp-99999998");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    let pipe = dir.path().join(".out.txt.tmp-99999999");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let long_ago = rustix::fs::Timespec {
        tv_sec: 1_000_000_000,
        tv_nsec: 0,
    };
    let old = rustix::fs::Timestamps {
        last_access: long_ago,
        last_modification: long_ago,
    };
    for p in [&link, &pipe] {
        rustix::fs::utimensat(
            rustix::fs::CWD,
            p,
            &old,
            rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
        )
        .expect("age it");
    }
    let f = AtomicFile::create(&dest).expect("create");
    assert!(f.stale().is_empty(), "{:?}", f.stale());
    drop(f);
    assert!(
        std::fs::symlink_metadata(&link).is_ok(),
        "the link was removed"
    );
    assert!(
        std::fs::symlink_metadata(&pipe).is_ok(),
        "the pipe was removed"
    );
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "theirs");
}

/// The temporary files of writers whose names are their own ([`write_synced`]): a
/// symbolic link at the name is removed, not written through, and the file is written.
#[cfg(unix)]
#[test]
fn write_synced_removes_a_link_at_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "theirs").expect("write");
    let tmp = dir.path().join(".manifest.tmp-1-ab");
    let dest = dir.path().join("manifest");
    std::os::unix::fs::symlink(&victim, &tmp).expect("symlink");
    write_synced(&tmp, b"ours").expect("write");
    assert!(std::fs::symlink_metadata(&tmp).expect("file").is_file());
    assert_eq!(std::fs::read_to_string(&tmp).expect("read"), "ours");
    std::fs::remove_file(&tmp).expect("remove");
    std::os::unix::fs::symlink(&victim, &tmp).expect("symlink");
    write_synced_as(&tmp, &dest, b"ours").expect("write");
    assert_eq!(std::fs::read_to_string(&dest).expect("read"), "ours");
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "theirs");
    // A file left at the name (a killed writer's) is replaced, as before.
    std::fs::write(&tmp, "a longer leftover").expect("write");
    write_synced(&tmp, b"ours").expect("write");
    assert_eq!(std::fs::read_to_string(&tmp).expect("read"), "ours");
}

#[test]
fn needs_a_file_name() {
    let err = AtomicFile::create(Path::new("/")).expect_err("no file name");
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(err.to_string(), "not a file name");
}
