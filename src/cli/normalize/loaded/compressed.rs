//! A loaded input compressed in place since (`gzip day1.jsonl`, logrotate's `compress`):
//! another file, of another name and size, whose rows are the loaded file's. gzip and zstd
//! keep the modification time, to the nanosecond, and the file says its size before
//! compression (gzip's trailer, zstd's frame header). A run that reads `day1.jsonl.gz`
//! after one that loaded `day1.jsonl` reads it as that file: `--skip-loaded` skips it, and
//! a run of the whole directory replaces the earlier run. Before, both added every row of
//! it again, `--skip-loaded` with a note that nothing else was new (review finding).
//!
//! Size and time alone would take another file for it (two exports of one size, their
//! times set by `aws s3 sync` or a tar file to the same second), and then a run would
//! replace, or skip, rows it never loaded: the compressed file must also sit in the loaded
//! file's directory, under its name (`day1.jsonl.gz`), or its name rotated (`day1.jsonl.1.gz`,
//! `day1.jsonl-20240102.gz`), and the loaded file must be gone from its path (or another
//! file there now).
//!
//! The other way, a loaded compressed input decompressed in place (`gunzip`, `zstd -d
//! --rm`, which give the file the compressed one's time, to the nanosecond), is its rows
//! too (review s42-h2 F1: loaded again, for good, without a word): the input named as the
//! loaded one without `.gz` or `.zst`, of the same time, larger, with the loaded file gone.
//! Its size before compression is not known any more (the file is gone), so the name, the
//! time to the nanosecond and the missing file decide.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{split_listed, Now};

/// This run's compressed inputs (by name: `.gz`, `.zst`), each with the size before
/// compression, the modification time, and its canonical path and key.
pub(super) struct Compressed(Vec<Candidate>);

struct Candidate {
    /// The size before compression; for gzip, modulo 2^32 (all its trailer keeps).
    len: u64,
    modulo_2_32: bool,
    modified: String,
    canonical: String,
    key: String,
}

impl Compressed {
    /// The compressed inputs among `now` (this run's inputs: canonical path, file key).
    pub(super) fn of(now: &Now) -> Compressed {
        let candidates = now
            .iter()
            .filter(|(canonical, _)| {
                Path::new(canonical)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("gz") || e.eq_ignore_ascii_case("zst"))
            })
            .filter_map(|(canonical, key)| {
                let (len, modulo_2_32) = decompressed_len(Path::new(canonical))?;
                Some(Candidate {
                    len,
                    modulo_2_32,
                    modified: key.rsplit(':').next()?.to_owned(),
                    canonical: canonical.clone(),
                    key: key.clone(),
                })
            })
            .collect();
        Compressed(candidates)
    }

    /// An earlier run's input (`path`, listed as `listed`) as this run sees it: the
    /// compressed input of this run that is its file compressed, when the file itself is not
    /// among this run's inputs; else as it is.
    pub(super) fn since(&self, path: String, listed: String, now: &Now) -> (String, String) {
        // A file at the loaded path among this run's inputs may be another one (logrotate
        // makes a new `app.log` beside `app.log.1.gz`): what counts is whether the loaded
        // file itself is still there, or read, below.
        if let Some(found) = decompressed_since(&path, &listed, now) {
            return found;
        }
        if self.0.is_empty() {
            return (path, listed);
        }
        let (prefix, key) = split_listed(&listed);
        let mut parts = key.split(':');
        let (Some(len), Some(modified)) = (parts.nth(2), parts.next()) else {
            return (path, listed);
        };
        let Ok(len) = len.parse::<u64>() else {
            return (path, listed);
        };
        // An empty file looks like any other: no match by size and time.
        if len == 0 || now.values().any(|k| k == key) {
            return (path, listed);
        }
        // The loaded file is still where it was: a compressed copy is another input.
        if super::input_file(Path::new(&path)).is_some_and(|now| now == key) {
            return (path, listed);
        }
        let found = self.0.iter().find(|c| {
            c.modified == modified
                && if c.modulo_2_32 {
                    c.len == len % (1 << 32)
                } else {
                    c.len == len
                }
                && compressed_name_of(&c.canonical, &path)
        });
        match found {
            Some(c) => (c.canonical.clone(), format!("{prefix}{}", c.key)),
            None => (path, listed),
        }
    }
}

/// An earlier run's compressed input (`path`, listed as `listed`) as the input of this run
/// that is it decompressed in place (see the module documentation), if there is one.
fn decompressed_since(path: &str, listed: &str, now: &Now) -> Option<(String, String)> {
    let plain = [".gz", ".zst"]
        .iter()
        .find_map(|ext| path.strip_suffix(ext))?;
    let current = now.get(plain)?;
    let (prefix, key) = split_listed(listed);
    let mut was = key.split(':').skip(2);
    let (len, modified) = (was.next()?.parse::<u64>().ok()?, was.next()?);
    let mut is = current.split(':').skip(2);
    let (plain_len, plain_modified) = (is.next()?.parse::<u64>().ok()?, is.next()?);
    let gone = super::input_file(Path::new(path)).is_none_or(|k| k != key);
    (gone && len > 0 && plain_len > len && modified == plain_modified)
        .then(|| (plain.to_owned(), format!("{prefix}{current}")))
}

/// Whether `compressed` is named as `loaded` compressed in place: in its directory, its name
/// with `.gz` or `.zst` after it, or after a rotation suffix: `.` or `-`, then digits and
/// the separators of a date (`.1`, `-20240102`, `-2024-01-02`, `-2024_01_02.1`).
fn compressed_name_of(compressed: &str, loaded: &str) -> bool {
    let (compressed, loaded) = (Path::new(compressed), Path::new(loaded));
    let (Some(name), Some(loaded_name)) = (compressed.file_stem(), loaded.file_name()) else {
        return false;
    };
    if compressed.parent() != loaded.parent() {
        return false;
    }
    let (name, loaded_name) = (name.to_string_lossy(), loaded_name.to_string_lossy());
    match name.strip_prefix(&*loaded_name) {
        Some("") => true,
        Some(suffix) => suffix.strip_prefix(['.', '-']).is_some_and(|n| {
            n.bytes().any(|b| b.is_ascii_digit())
                && n.bytes()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
        }),
        None => false,
    }
}

/// The size before compression that a gzip or zstd file states: gzip's trailer (of its
/// last member, modulo 2^32: `true`), zstd's first frame header (when it has the size).
fn decompressed_len(path: &Path) -> Option<(u64, bool)> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut head = [0u8; 18];
    let n = read_up_to(&mut file, &mut head)?;
    let head = &head[..n];
    if head.starts_with(&[0x1f, 0x8b]) {
        let mut trailer = [0u8; 4];
        file.seek(SeekFrom::End(-4)).ok()?;
        file.read_exact(&mut trailer).ok()?;
        return Some((u64::from(u32::from_le_bytes(trailer)), true));
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return zstd_content_size(&head[4..]).map(|len| (len, false));
    }
    None
}

/// The frame content size of a zstd frame header (`header`: from its descriptor byte on),
/// when the frame states it (RFC 8878, 3.1.1.1).
fn zstd_content_size(header: &[u8]) -> Option<u64> {
    let descriptor = *header.first()?;
    let single_segment = descriptor & 0x20 != 0;
    let fcs_bytes = match descriptor >> 6 {
        0 if single_segment => 1,
        0 => return None,
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let dict_bytes = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let start = 1 + usize::from(!single_segment) + dict_bytes;
    let field = header.get(start..start + fcs_bytes)?;
    let mut bytes = [0u8; 8];
    bytes[..fcs_bytes].copy_from_slice(field);
    let value = u64::from_le_bytes(bytes);
    Some(if fcs_bytes == 2 { value + 256 } else { value })
}

/// Read into `buf` until it is full or the file ends: how many bytes were read.
fn read_up_to(file: &mut std::fs::File, buf: &mut [u8]) -> Option<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_names() {
        for (compressed, loaded, is) in [
            ("/l/day1.jsonl.gz", "/l/day1.jsonl", true),
            ("/l/day1.jsonl.zst", "/l/day1.jsonl", true),
            ("/l/day1.jsonl.1.gz", "/l/day1.jsonl", true),
            ("/l/app.log-20240102.gz", "/l/app.log", true),
            ("/l/app.log-2024-01-02.gz", "/l/app.log", true),
            ("/l/app.log-2024_01_02.1.gz", "/l/app.log", true),
            ("/l/app.log-old.gz", "/l/app.log", false),
            ("/l/app.log-.gz", "/l/app.log", false),
            ("/l/b.jsonl.gz", "/l/a.jsonl", false),
            ("/l/day1.jsonl.old.gz", "/l/day1.jsonl", false),
            ("/l/day1.jsonl2.gz", "/l/day1.jsonl", false),
            ("/m/day1.jsonl.gz", "/l/day1.jsonl", false),
            ("/l/day1.jsonl.-.gz", "/l/day1.jsonl", false),
        ] {
            assert_eq!(
                compressed_name_of(compressed, loaded),
                is,
                "{compressed} {loaded}"
            );
        }
    }

    #[test]
    fn zstd_frame_content_sizes() {
        // Single segment, 1-byte size (what `zstd` writes for a small file).
        assert_eq!(zstd_content_size(&[0x24, 0x06]), Some(6));
        // 2-byte size: plus 256.
        assert_eq!(zstd_content_size(&[0x60, 0x00, 0x10]), Some(0x1000 + 256));
        // 4-byte size after the window descriptor.
        assert_eq!(
            zstd_content_size(&[0x80, 0x58, 0x78, 0x56, 0x34, 0x12]),
            Some(0x1234_5678)
        );
        // No size stated.
        assert_eq!(zstd_content_size(&[0x00, 0x58]), None);
    }
}
