//! Sizes given on the command line: `--target-file-size` (bytes, or none) and the byte
//! counts it and other flags take (`256MiB`, `1GB`).

/// `--target-file-size`: bytes, or `None` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileSize(pub Option<u64>);

/// The default `--target-file-size`: in the 128 MB to 1 GB that query engines read best
/// (Iceberg's default target is the same).
const DEFAULT_TARGET_FILE_SIZE: u64 = 512 << 20;

impl Default for FileSize {
    fn default() -> Self {
        FileSize(Some(DEFAULT_TARGET_FILE_SIZE))
    }
}

impl FileSize {
    /// `1048576`, `256MiB`, `256M`, `1GB` (see [`parse_bytes`]), or `none`.
    pub(in crate::cli) fn parse(s: &str) -> Result<FileSize, String> {
        if s.trim().eq_ignore_ascii_case("none") {
            return Ok(FileSize(None));
        }
        match parse_bytes(s) {
            Ok(0) => Err("must be more than 0 (or 'none' for no limit)".into()),
            Ok(bytes) => Ok(FileSize(Some(bytes))),
            Err(e) => Err(format!("{e}; or 'none' for no limit")),
        }
    }
}

/// A number of bytes and an optional unit, K/M/G/T and KiB/MiB/GiB/TiB in powers of 1024,
/// KB/MB/GB/TB in powers of 1000, B for bytes (case-insensitive): `1048576`, `256MiB`,
/// `10KB`.
pub(in crate::cli) fn parse_bytes(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!(
            "{s:?} is not a size: a whole number and a unit, e.g. 256MiB or 1GB"
        ));
    }
    if unit.starts_with(['.', ',']) {
        return Err(format!(
            "{s:?}: a size is a whole number of its unit (e.g. 1536MiB for 1.5GiB)"
        ));
    }
    let unit = unit.trim();
    let scale: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => {
            return Err(format!(
                "unknown unit {unit:?}: use K, M, G, T (powers of 1024, also KiB...), KB, MB, \
                 GB, TB (powers of 1000)"
            ))
        }
    };
    // Only digits: a number too large for 64 bits is the one failure.
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("{s:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::FileSize;

    #[test]
    fn file_sizes() {
        let ok = |s: &str| FileSize::parse(s).expect(s).0;
        assert_eq!(ok("256MiB"), Some(256 << 20));
        assert_eq!(ok("256m"), Some(256 << 20));
        assert_eq!(ok("1GB"), Some(1_000_000_000));
        assert_eq!(ok("1 gib"), Some(1 << 30));
        assert_eq!(ok("4096"), Some(4096));
        assert_eq!(ok("None"), None);
        for bad in ["", "MiB", "1.5GB", "12 parsecs", "0", "-1M", "99999999999T"] {
            assert!(FileSize::parse(bad).is_err(), "{bad}");
        }
        let err = |s: &str| FileSize::parse(s).expect_err(s);
        assert!(err("1.5G").contains("whole number"), "{}", err("1.5G"));
        assert!(err("-1").contains("is not a size"), "{}", err("-1"));
        assert!(err("99999999999999999999").contains("too large"));
        assert!(err("17179869184T").contains("too large"));
        assert!(
            err("12 Parsecs").contains("\"Parsecs\""),
            "{}",
            err("12 Parsecs")
        );
    }
}
