//! The state file of a pull: where each stream got to, and what is needed to drop the
//! records of the overlap window that were emitted already.
//!
//! ```json
//! {"version":1,"source":"zendesk","account":"acme","committed":{"run":3,"seq":7},
//!  "streams":{"audit_logs":{"watermark":"2026-11-21T23:55:00Z",
//!                           "recent_ids":{"498483":1795305300}}},
//!  "updated_at":"2026-11-22T00:00:02Z"}
//! ```
//!
//!
//! A Zoom stream keeps `recent_hashes` instead of `recent_ids`: `{"<sha-256 hex>":
//! [<time>, <count>]}`.
//!
//! * Bound to its `source` and `account` (the subdomain or the Zoom account id): opening it for another is refused.
//! * Reached through symbolic links: the file a link names is the one locked and written
//!   (the link stays), so that two names of one state file are one state.
//! * Locked for the run through `<state>.lock`, a separate file, so that a run refused
//!   before its first commit leaves an absent state file absent.
//! * Its own: it records where it lives (`path`), so that a copy (`cp a.json b.json`) is
//!   told from its original and gets an id of its own before it names any file; with
//!   the original's id, the two would name their part files alike and replace each
//!   other's (review finding). A state file moved elsewhere keeps its id.
//! * Saved atomically: written beside itself, fsynced, renamed over, and the directory
//!   fsynced. It holds no secret and no access token.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{format_time, parse_rfc3339, PullError};

mod place;

/// The version written and read.
pub const VERSION: u32 = 1;

/// The last batch whose records are in the output: `(run, seq)`, ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Commit {
    /// The run that wrote it (1 for the first run).
    pub run: u64,
    /// Its batch number within the run (from 1).
    pub seq: u64,
}

/// One stream's position.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamState {
    /// Every record up to this instant (RFC 3339, UTC) that was visible when it was read
    /// has been emitted. The next run reads from `watermark - overlap`.
    pub watermark: String,
    /// Ids emitted with a timestamp inside the overlap window, with that timestamp (Unix
    /// seconds), so that a re-read drops them. An integer id (of any size or sign, also
    /// given as text) is its decimal digits, `-` first below zero; any other id is its
    /// JSON text (`"x7"`, quotes included, `1.5`).
    #[serde(default)]
    pub recent_ids: BTreeMap<String, i64>,
    /// For sources without ids (Zoom): the content hash (hex) of each record emitted with a
    /// timestamp inside the overlap window, with that timestamp (Unix seconds) and how many
    /// identical records were emitted (two identical sign-ins in one second are two events).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recent_hashes: BTreeMap<String, (i64, u32)>,
    /// From this instant on (RFC 3339, UTC), every record emitted is in `recent_ids` or
    /// `recent_hashes`. A run never reads back before it: records older than what the state
    /// remembers would be emitted again (an overlap made wider than the last run's). Empty
    /// in states written before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub remembered_from: String,
    /// Where the stream's first read began (RFC 3339, UTC): nothing before it was ever
    /// emitted, so a run that cannot read back as far as its overlap asks only because
    /// of it (`remembered_from` still there) leaves nothing to emit again, and says
    /// nothing. Empty in states written before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub began: String,
    /// Set while the stream has read nothing yet: where its first read starts (RFC 3339,
    /// UTC), the `--since` of the run that first asked for it. Saved with the first commit
    /// of any stream of that run (or by a Zendesk run whose first window cannot be read
    /// yet), so that a rerun needs no `--since` and a later `--since` does not move the
    /// start. `watermark` holds the same instant, for readers that do not know this field.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub since: String,
}

impl StreamState {
    /// The position of a stream that has read nothing yet and starts at `since`.
    #[must_use]
    pub fn starting_at(since: i64) -> StreamState {
        StreamState {
            watermark: format_time(since),
            since: format_time(since),
            ..StreamState::default()
        }
    }

    /// Where the stream's first read starts (Unix seconds), when it has read nothing yet.
    ///
    /// # Errors
    ///
    /// [`PullError::Config`] when the state's time is not RFC 3339.
    pub(crate) fn since_secs(&self) -> Result<Option<i64>, PullError> {
        if self.since.is_empty() {
            return Ok(None);
        }
        parse_rfc3339(&self.since)
            .map(Some)
            .ok_or_else(|| PullError::Config(format!("state: bad since {:?}", self.since)))
    }

    /// The watermark in Unix seconds.
    pub(crate) fn watermark_secs(&self) -> Result<i64, PullError> {
        parse_rfc3339(&self.watermark)
            .ok_or_else(|| PullError::Config(format!("state: bad watermark {:?}", self.watermark)))
    }

    /// Where a run that would read back to `start` may start: not before what the state
    /// remembers (see [`remembered_from`](Self::remembered_from)).
    ///
    /// # Errors
    ///
    /// [`PullError::Config`] when the state's time is not RFC 3339.
    /// Whether a run that would read back to `start` but starts at `floor`
    /// ([`read_back_to`](Self::read_back_to)) leaves out records that earlier runs emitted:
    /// not when the floor is where the stream began (the first run's `--since`, nearer than
    /// the overlap), before which nothing was emitted.
    pub(crate) fn forgets_before(&self, start: i64, floor: i64) -> bool {
        floor > start && parse_rfc3339(&self.began).is_none_or(|began| floor > began)
    }

    pub(crate) fn read_back_to(&self, start: i64) -> Result<i64, PullError> {
        if self.remembered_from.is_empty() {
            return Ok(start);
        }
        let remembered = parse_rfc3339(&self.remembered_from).ok_or_else(|| {
            PullError::Config(format!(
                "state: bad remembered_from {:?}",
                self.remembered_from
            ))
        })?;
        Ok(start.max(remembered))
    }
}

/// The file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Format version ([`VERSION`]).
    pub version: u32,
    /// `zendesk` or `zoom`.
    pub source: String,
    /// The subdomain or account id the state belongs to.
    pub account: String,
    /// The last committed batch.
    #[serde(default)]
    pub committed: Commit,
    /// Per stream.
    #[serde(default)]
    pub streams: BTreeMap<String, StreamState>,
    /// When it was written.
    #[serde(default)]
    pub updated_at: String,
    /// This state file's own id, made when it was created: it names the part files of its
    /// pulls ([`tag`](super::deliver::tag)), so that two state files of one account
    /// writing into one directory never replace or remove each other's files. Empty in
    /// states written before there was one (their files keep their names).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Where the file was written (its path, symbolic links resolved): opened at another
    /// path while a state file of the same id is still there, it is a copy, which gets an
    /// id of its own. Empty in states written before it was kept.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
}

/// An open, locked state file.
#[derive(Debug)]
pub struct StateFile {
    /// The state file itself: the path given, symbolic links resolved.
    path: PathBuf,
    /// Held for the run; the lock goes with it (also when the process is killed).
    _lock: Lock,
    /// What is on disk (`None`: no file yet).
    state: Option<State>,
    source: String,
    account: String,
    /// The state's id: from the file, or new (the file is written with it): for a new
    /// file, and for a copy of another state file.
    id: String,
    /// The state file this one is a copy of, when it is one (and so has a new id).
    copied_from: Option<PathBuf>,
    /// Streams of this run with no position yet, and where they start: saved with the
    /// next save ([`start_streams`](Self::start_streams)).
    starts: Vec<(String, StreamState)>,
}

impl StateFile {
    /// Lock `path` (through `<path>.lock`, `path` being the file a symbolic link there
    /// names) and read it if it exists; refuse a state of another source or account. A
    /// copy of another state file (see [`copied_from`](Self::copied_from)) gets an id of
    /// its own, written before any file is named with it.
    ///
    /// # Errors
    ///
    /// [`PullError::Config`]: another run holds the lock, the file is unreadable or not a
    /// state file, or it belongs to another account.
    pub fn open(path: &Path, source: &str, account: &str) -> Result<StateFile, PullError> {
        let mut resolved = place::resolve(path)?;
        // A first run's state may go in a directory of its own, made as `-o` makes one;
        // then resolved again, into the absolute path the state records (its copies are
        // told apart by it).
        if let Some(dir) = resolved
            .parent()
            .filter(|d| !d.as_os_str().is_empty() && !d.exists())
        {
            std::fs::create_dir_all(dir).map_err(|e| {
                PullError::Config(format!(
                    "{}: cannot create the state file's directory: {e}",
                    resolved.display()
                ))
            })?;
            resolved = place::resolve(path)?;
        }
        let path = &resolved;
        // A named pipe or a device would be read (waiting for a writer, without end) and
        // then replaced by a file (review s46-h3 LOW-2).
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(PullError::Config(format!(
                "{}: not a regular file: the state is a file that each run replaces; give \
                 another --state",
                path.display()
            )));
        }
        let lock = Lock::acquire(&lock_path(path))?;
        let state = match std::fs::read(path) {
            Ok(bytes) => {
                let s: State = serde_json::from_slice(&bytes).map_err(|e| {
                    PullError::Config(format!("{}: not a pull state file: {e}", path.display()))
                })?;
                if s.version != VERSION {
                    return Err(PullError::Config(format!(
                        "{}: state version {} (this normalog reads version {VERSION})",
                        path.display(),
                        s.version
                    )));
                }
                if s.source != source || s.account != account {
                    return Err(PullError::Config(format!(
                        "{}: this state file belongs to {} {:?}, not {source} {account:?}; \
                         give another --state",
                        path.display(),
                        s.source,
                        s.account
                    )));
                }
                Some(s)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(PullError::Config(format!("{}: {e}", path.display())));
            }
        };
        let copied_from = state.as_ref().and_then(|s| place::copied_from(s, path));
        let id = match &state {
            Some(s) if copied_from.is_none() => s.id.clone(),
            _ => new_id(path),
        };
        Ok(StateFile {
            path: path.clone(),
            _lock: lock,
            state,
            source: source.to_owned(),
            account: account.to_owned(),
            id,
            copied_from,
            starts: Vec::new(),
        })
    }

    /// The state's id (empty for a state file written before there was one).
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The state file this one is a copy of: it was written at that path, where a state
    /// file of the same id still is. This one has a new id, so that the two name their
    /// files apart (each goes on from the position it holds).
    #[must_use]
    pub fn copied_from(&self) -> Option<&Path> {
        self.copied_from.as_deref()
    }

    /// The state file: the path given, symbolic links resolved.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write the state file now if there is none yet (with no position), or if it holds
    /// another id (a copy's new one): its id must be on disk before the first batch is
    /// published under it, or a crash then would leave files that the next run (with a
    /// new id) could not tell as its own.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] when writing fails.
    pub fn create_if_missing(&mut self) -> Result<(), PullError> {
        let state = match &self.state {
            Some(s) if s.id == self.id => return Ok(()),
            Some(s) => s.clone(),
            None => self.empty(),
        };
        self.write(state)
    }

    fn empty(&self) -> State {
        State {
            version: VERSION,
            source: self.source.clone(),
            account: self.account.clone(),
            committed: Commit::default(),
            streams: BTreeMap::new(),
            updated_at: String::new(),
            id: self.id.clone(),
            path: String::new(),
        }
    }

    fn write(&mut self, mut state: State) -> Result<(), PullError> {
        state.updated_at = format_time(super::now_secs());
        // Its own id and place, whatever the file held (a copy's, a moved file's).
        state.id.clone_from(&self.id);
        state.path = self.path.to_string_lossy().into_owned();
        let mut text = serde_json::to_vec_pretty(&state)
            .map_err(|e| PullError::Output(format!("state: {e}")))?;
        text.push(b'\n');
        crate::atomic::write(&self.path, &text)
            .map_err(|e| PullError::Output(format!("{}: {e}", self.path.display())))?;
        self.state = Some(state);
        Ok(())
    }

    /// The state on disk, if any.
    #[must_use]
    pub fn state(&self) -> Option<&State> {
        self.state.as_ref()
    }

    /// The last committed batch (zero when there is no file).
    #[must_use]
    pub fn committed(&self) -> Commit {
        self.state.as_ref().map(|s| s.committed).unwrap_or_default()
    }

    /// A stream's position, if any.
    #[must_use]
    pub fn stream(&self, name: &str) -> Option<&StreamState> {
        self.state.as_ref().and_then(|s| s.streams.get(name))
    }

    /// Record where each of `streams` (those of the run) starts, at `since`, if it has no
    /// position: nothing is written now (a run refused before its first commit leaves the
    /// file as it was), but every save of this run writes them with its own stream, so that
    /// a rerun after an interrupted first run needs no `--since` for any of them.
    pub fn start_streams(&mut self, streams: &[&str], since: i64) {
        for name in streams {
            if self.stream(name).is_none() && !self.starts.iter().any(|(n, _)| n == name) {
                self.starts
                    .push(((*name).to_owned(), StreamState::starting_at(since)));
            }
        }
    }

    /// Write now the starts that [`start_streams`](Self::start_streams) recorded for
    /// streams without a position (the committed batch as it is): once a run has read its
    /// first page, so that a rerun after an interrupt or a crash before its first commit
    /// starts where it did (a relative `--since 30d` given again would start later, and the
    /// records between the two starts would never be read), with no `--since`.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] when writing fails (the previous file is intact).
    pub fn save_starts(&mut self) -> Result<(), PullError> {
        if self
            .starts
            .iter()
            .all(|(name, _)| self.stream(name).is_some())
        {
            return Ok(());
        }
        let mut state = self.state.clone().unwrap_or_else(|| self.empty());
        for (name, start) in &self.starts {
            state
                .streams
                .entry(name.clone())
                .or_insert_with(|| start.clone());
        }
        self.write(state)
    }

    /// Save `stream`'s position with `committed`, atomically and durably.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] when writing fails (the previous file is intact).
    pub fn save(
        &mut self,
        committed: Commit,
        stream: &str,
        position: StreamState,
    ) -> Result<(), PullError> {
        let mut state = self.state.clone().unwrap_or_else(|| self.empty());
        state.committed = committed;
        for (name, start) in &self.starts {
            state
                .streams
                .entry(name.clone())
                .or_insert_with(|| start.clone());
        }
        state.streams.insert(stream.to_owned(), position);
        self.write(state)
    }
}

/// A new state's id: 16 hex digits of a hash of the time, the process and the path, so
/// that two state files made anywhere are told apart.
fn new_id(path: &Path) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let bytes = nanos
        .to_le_bytes()
        .into_iter()
        .chain(std::process::id().to_le_bytes())
        .chain(path.as_os_str().as_encoded_bytes().iter().copied());
    format!("{:016x}", crate::fnv::fnv1a(bytes))
}

/// `<path>.lock`.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// An exclusive advisory lock on a lock file, released when dropped or when the process
/// ends (also by `kill -9`).
#[derive(Debug)]
struct Lock {
    _file: File,
}

impl Lock {
    fn acquire(path: &Path) -> Result<Lock, PullError> {
        // A symbolic link at the lock's name is not followed: opening through it would
        // create (or lock) the file it names, which may be anyone's.
        let file = crate::atomic::no_follow(File::options().create(true).write(true))
            .truncate(false)
            .open(path)
            .map_err(|e| {
                let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
                PullError::Config(if link {
                    format!(
                        "{}: a symbolic link, not the lock file a pull creates: left as it \
                         is (not followed); remove it",
                        path.display()
                    )
                } else {
                    format!("{}: {e}", path.display())
                })
            })?;
        crate::atomic::lock(&file).map_err(|e| {
            if e.kind() == std::io::ErrorKind::WouldBlock {
                PullError::Config(format!(
                    "{}: another pull is running on this state file",
                    path.display()
                ))
            } else {
                PullError::Config(format!("{}: cannot lock: {e}", path.display()))
            }
        })?;
        Ok(Lock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_reopen_bind_and_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("st.json");
        let mut st = StateFile::open(&path, "zendesk", "acme").expect("open");
        assert!(st.state().is_none());
        assert!(!path.exists());
        // A second open while the first holds the lock is refused.
        let err = StateFile::open(&path, "zendesk", "acme").expect_err("locked");
        assert!(err.message().contains("another pull is running"), "{err}");

        let mut pos = StreamState {
            watermark: "2026-01-01T00:00:00Z".into(),
            ..StreamState::default()
        };
        pos.recent_ids.insert("498483".into(), 1_767_225_600);
        pos.recent_ids.insert("-7".into(), 1_767_225_600);
        st.save(Commit { run: 1, seq: 2 }, "audit_logs", pos.clone())
            .expect("save");
        drop(st);

        let st = StateFile::open(&path, "zendesk", "acme").expect("reopen");
        assert_eq!(st.committed(), Commit { run: 1, seq: 2 });
        assert_eq!(st.stream("audit_logs"), Some(&pos));
        drop(st);
        let err = StateFile::open(&path, "zendesk", "other").expect_err("bound");
        assert!(
            err.message().contains("belongs to zendesk \"acme\""),
            "{err}"
        );
        // Only the state and its lock file: no temporary file is left.
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2);
    }

    /// A symbolic link at the lock file's name (`<state>.lock`) is not followed: the file it
    /// names is not created, and the open says why it failed.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_link_at_the_lock_name_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("st.json");
        let target = dir.path().join("created-through-the-link");
        std::os::unix::fs::symlink(&target, dir.path().join("st.json.lock")).expect("symlink");
        let err = StateFile::open(&path, "zendesk", "acme").expect_err("a link");
        assert!(
            err.message().contains("st.json.lock: a symbolic link"),
            "{err}"
        );
        assert!(!target.exists(), "created through the link");
    }

    /// A copy (its original still in place) gets a new id, written before anything is
    /// named with it; a moved state file keeps its id; each records where it lives.
    #[test]
    fn a_copy_gets_a_new_id_and_a_moved_file_keeps_its_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b, c) = (
            dir.path().join("a.json"),
            dir.path().join("b.json"),
            dir.path().join("c.json"),
        );
        let mut st = StateFile::open(&a, "zoom", "acc").expect("open");
        st.create_if_missing().expect("create");
        let id = st.id().to_owned();
        drop(st);
        std::fs::copy(&a, &b).expect("cp");
        let mut copy = StateFile::open(&b, "zoom", "acc").expect("open copy");
        assert_eq!(
            copy.copied_from(),
            Some(a.canonicalize().expect("a").as_path())
        );
        assert_ne!(copy.id(), id);
        copy.create_if_missing().expect("write the new id");
        let on_disk: State = serde_json::from_slice(&std::fs::read(&b).expect("b")).expect("b");
        assert_eq!(on_disk.id, copy.id());
        assert_eq!(Path::new(&on_disk.path), copy.path());
        drop(copy);
        let copy = StateFile::open(&b, "zoom", "acc").expect("reopen copy");
        assert!(copy.copied_from().is_none());
        drop(copy);

        std::fs::rename(&a, &c).expect("mv");
        let moved = StateFile::open(&c, "zoom", "acc").expect("open moved");
        assert!(moved.copied_from().is_none());
        assert_eq!(moved.id(), id);
    }

    #[test]
    fn garbage_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("st.json");
        std::fs::write(&path, "{}").expect("write");
        let err = StateFile::open(&path, "zendesk", "acme").expect_err("garbage");
        assert!(matches!(err, PullError::Config(_)));
        assert_eq!(std::fs::read(&path).expect("read"), b"{}");
    }
}
