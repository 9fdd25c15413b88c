//! Input files that shrank while the run went: truncated in place, as logrotate's
//! `copytruncate` does to a live log. The reader then meets the file's new end, and the run
//! ends as if the file were complete: its last record read may be cut (an `invalid_json`
//! reject), and what it held past the new end was not read, with no other sign of it
//! (review s43-h3 LOW-3). A directory output says more ("changed while read", with what a
//! re-run does), from the files' keys; this is for standard output and `-o FILE`.

use std::path::PathBuf;

use normalog::pipeline::Input;

use super::messages;

/// The size of each input file when the run started.
pub(super) struct Sizes(Vec<(PathBuf, u64)>);

impl Sizes {
    /// The sizes of `inputs` that are regular files now.
    pub(super) fn of(inputs: &[Input]) -> Sizes {
        Sizes(
            inputs
                .iter()
                .filter_map(|input| match input {
                    Input::Path(path) => {
                        let meta = std::fs::metadata(path).ok()?;
                        meta.is_file().then(|| (path.clone(), meta.len()))
                    }
                    _ => None,
                })
                .collect(),
        )
    }

    /// Warn of each input file that is smaller now than when the run started.
    pub(super) fn warn_shrunk(&self) {
        for (path, before) in &self.0 {
            let Ok(now) = std::fs::metadata(path).map(|m| m.len()) else {
                continue;
            };
            if now < *before {
                messages::error(&format!(
                    "warning: {}: the file shrank from {before} to {now} bytes while this run \
                     read it (truncated in place, as logrotate's copytruncate does?): what it \
                     held past its new end was not read, and its last record read may be cut",
                    path.display()
                ));
            }
        }
    }
}
