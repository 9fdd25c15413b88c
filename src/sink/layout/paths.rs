//! The names of a lake's control directory and of what it holds, in one place: the
//! writers, the recovery, `compact`, `pull`, the input expansion (which leaves a lake
//! given as input out) and the CLI's record of what each run read all use them.

/// The control directory at the top of every directory output; its `flock` is the commit
/// lock.
pub const CONTROL_DIR: &str = "_normalog";
/// The manifests of the committed runs (`<id>`: the files each one wrote).
pub const RUNS_DIR: &str = "_normalog/runs";
/// Each committed run's list of inputs (`<id>`), the text its writer was given.
pub const INPUTS_DIR: &str = "_normalog/inputs";
/// The journals of commits in progress.
pub const COMMITS_DIR: &str = "_normalog/commits";
/// The run locks.
pub const LOCKS_DIR: &str = "_normalog/locks";
/// The runs' scratch (spill) files.
pub const SPILL_DIR: &str = "_normalog/spill";
/// The runs whose commit was completed with files missing (`<id>`: how many): their
/// inputs do not count as loaded.
pub const INCOMPLETE_DIR: &str = "_normalog/incomplete";
