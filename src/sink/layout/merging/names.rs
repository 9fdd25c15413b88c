//! What a part file's name says: who wrote it and its place in that writer's order
//! ([`parse_name`]), the run of a file of a run with named inputs ([`named_run`]), and the
//! order of partition directories ([`partition_order`]).

use std::path::Path;

/// Who wrote a part file, from its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Writer {
    /// `part-<n>`: a run without an identity.
    Anonymous,
    /// `part-<tag>-<run>-<batch>-<n>`: a pull with the state of `<tag>`.
    Pull(String),
}

/// Who wrote the part file `name` (`part-….<ext>`) and its place in that writer's order;
/// `None` for a run with an identity and for names that are not part files.
pub(super) fn parse_name(name: &str, ext: &str) -> Option<(Writer, (u64, u64, u64))> {
    let stem = name
        .strip_prefix("part-")?
        .strip_suffix(ext)?
        .strip_suffix('.')?;
    let fields: Vec<&str> = stem.split('-').collect();
    let num = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse::<u64>().ok())?
    };
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|c| c.is_ascii_hexdigit());
    match fields.as_slice() {
        [n] => Some((Writer::Anonymous, (0, 0, num(n)?))),
        [tag, run, batch, n] if hex(tag, 8) => Some((
            Writer::Pull((*tag).to_owned()),
            (num(run)?, num(batch)?, num(n)?),
        )),
        _ => None,
    }
}

/// The run of `name` when it is a part file of a run with named inputs:
/// `part-<run: 16 hex>-<n>.<ext>`.
pub(super) fn named_run(name: &str) -> Option<&str> {
    let stem = name.strip_prefix("part-").and_then(|s| {
        s.strip_suffix(".parquet")
            .or_else(|| s.strip_suffix(".ndjson"))
    })?;
    let (id, n) = stem.split_once('-')?;
    (id.len() == 16
        && id.bytes().all(|c| c.is_ascii_hexdigit())
        && !n.is_empty()
        && n.bytes().all(|c| c.is_ascii_digit()))
    .then_some(id)
}

/// Partition directories compared as their values are: component by component, the
/// numbers of `key=value` numerically (`hour=9` before `hour=10`), the rest as text.
pub(super) fn partition_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let key = |c: std::path::Component<'_>| {
        let text = c.as_os_str().to_string_lossy().into_owned();
        let number = text
            .split_once('=')
            .and_then(|(_, v)| v.parse::<u64>().ok());
        (number, text)
    };
    a.components().map(key).cmp(b.components().map(key))
}
