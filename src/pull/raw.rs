//! `--raw DIR`: each API page kept as received, gzipped, for audit and for replay with
//! `normalog normalize` (which reads gzip and unwraps API pages).
//!
//! The pages follow the commit protocol of the records ([`super::deliver`]): the pages
//! received since the last batch are written with that batch, first under hidden names in
//! `DIR/.pull-raw-<tag>/<run>-<seq>/`, fsynced, then renamed to
//! `DIR/<envelope>/page-<tag>-<run>-<seq>-<n>.json.gz` (`<envelope>`: `audit_logs`,
//! `activity_logs`, `operation_logs`). A run that finds the hidden directory removes the
//! pages of batches above the committed one, so after a crash and a rerun each page the
//! state covers is kept exactly once. Pages overlap one another (each run reads the overlap
//! window again): replaying them gives the events of every page, duplicates included.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::files::{out_err, refuse_files_of_a_twin, remove_above, remove_stages_through};
use super::state::Commit;
use super::PullError;
use crate::atomic::{sync_dir, write_synced};

/// The archive of raw pages.
#[derive(Debug)]
pub struct RawArchive {
    dir: PathBuf,
    tag: String,
    /// Pages received since the last batch: (envelope, gzipped body).
    pending: Vec<(String, Vec<u8>)>,
}

impl RawArchive {
    /// An archive in `dir` (created when needed) for the source and account of `tag`.
    #[must_use]
    pub fn new(dir: PathBuf, tag: String) -> RawArchive {
        RawArchive {
            dir,
            tag,
            pending: Vec::new(),
        }
    }

    fn staging(&self) -> PathBuf {
        // Not `.pull-<tag>`, the staging of a directory output, which may be the same DIR.
        self.dir.join(format!(".pull-raw-{}", self.tag))
    }

    /// Keep `body`, a page of the stream `envelope`, until the next batch.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] when compressing fails.
    pub fn keep(&mut self, envelope: &str, body: &[u8]) -> Result<(), PullError> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(body)?;
        self.pending.push((envelope.to_owned(), gz.finish()?));
        Ok(())
    }

    /// Pages kept and not yet written.
    #[must_use]
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Write the pages kept as part of batch `commit`: hidden, fsynced, renamed in place.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] on I/O errors.
    pub fn publish(&mut self, commit: Commit) -> Result<(), PullError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let stage = self
            .staging()
            .join(format!("{}-{}", commit.run, commit.seq));
        std::fs::create_dir_all(&stage).map_err(|e| out_err(&stage, &e))?;
        let mut staged = Vec::with_capacity(self.pending.len());
        for (n, (envelope, gz)) in self.pending.iter().enumerate() {
            let name = format!(
                "page-{}-{}-{}-{n}.json.gz",
                self.tag, commit.run, commit.seq
            );
            let tmp = stage.join(format!(".{name}"));
            write_synced(&tmp, gz).map_err(|e| out_err(&tmp, &e))?;
            staged.push((tmp, self.dir.join(envelope), name));
        }
        sync_dir(&stage).map_err(|e| out_err(&stage, &e))?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        for (tmp, dest_dir, name) in staged {
            std::fs::create_dir_all(&dest_dir).map_err(|e| out_err(&dest_dir, &e))?;
            let dest = dest_dir.join(name);
            std::fs::rename(&tmp, &dest).map_err(|e| out_err(&dest, &e))?;
            if !dirs.contains(&dest_dir) {
                dirs.push(dest_dir);
            }
        }
        dirs.push(self.dir.clone());
        for d in &dirs {
            sync_dir(d).map_err(|e| out_err(d, &e))?;
        }
        self.pending.clear();
        Ok(())
    }

    /// The state is saved with `commit`: the staging directories of the batches up to it
    /// can go.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] on I/O errors.
    pub fn committed(&mut self, commit: Commit) -> Result<(), PullError> {
        remove_stages_through(&self.staging(), commit)
    }

    /// Remove what a crashed run left: the pages of `envelopes` above `committed`, and the
    /// staging directory. Returns how many pages were removed.
    ///
    /// # Errors
    ///
    /// [`PullError::Output`] on I/O errors; [`PullError::Config`] when pages above
    /// `committed` are there with no staging directory (another state file with this
    /// one's id wrote them).
    pub fn recover(&mut self, envelopes: &[&str], committed: Commit) -> Result<u64, PullError> {
        let staging = self.staging();
        let subdirs: Vec<String> = envelopes.iter().map(|e| (*e).to_owned()).collect();
        let prefix = format!("page-{}-", self.tag);
        if !staging.exists() {
            refuse_files_of_a_twin(&self.dir, &subdirs, &prefix, committed)?;
            return Ok(0);
        }
        let removed = remove_above(&self.dir, &subdirs, &prefix, committed)?;
        std::fs::remove_dir_all(&staging).map_err(|e| out_err(&staging, &e))?;
        sync_dir(&self.dir).map_err(|e| out_err(&self.dir, &e))?;
        Ok(removed)
    }

    /// The archive's directory.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::io::Read;

    use super::*;

    /// The hidden name of a page (predictable: the tag, run and batch numbers) with a
    /// symbolic link planted at it: the page is written, and the file the link named keeps
    /// its bytes. Before, the gzipped page was written into it.
    #[test]
    fn a_link_at_a_pages_hidden_name_is_not_written_through() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "theirs").expect("write");
        let raw = dir.path().join("raw");
        let stage = raw.join(".pull-raw-zendesk-acme/1-1");
        std::fs::create_dir_all(&stage).expect("mkdir");
        let hidden = stage.join(".page-zendesk-acme-1-1-0.json.gz");
        std::os::unix::fs::symlink(&victim, &hidden).expect("symlink");
        let mut archive = RawArchive::new(raw.clone(), "zendesk-acme".into());
        archive.keep("audit_logs", b"{}").expect("keep");
        archive.publish(Commit { run: 1, seq: 1 }).expect("publish");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "theirs");
        let page = raw.join("audit_logs/page-zendesk-acme-1-1-0.json.gz");
        let mut body = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(page).expect("page"))
            .read_to_string(&mut body)
            .expect("gzip");
        assert_eq!(body, "{}");
    }
}
