//! TEMPORARY STUB (replaced by the real loader).
#![allow(clippy::missing_errors_doc)] // temporary stub, replaced by the real loader
use super::{Schema, SchemaError, SchemaErrors, Span};
use std::path::Path;
fn err(origin: &str, m: String) -> SchemaErrors {
    SchemaErrors(vec![SchemaError {
        origin: Some(origin.into()),
        span: Span::default(),
        message: m,
        hint: None,
    }])
}
/// stub
pub fn from_str(text: &str, origin: &str) -> Result<Schema, SchemaErrors> {
    let mut s: Schema = serde_yaml::from_str(text).map_err(|e| err(origin, e.to_string()))?;
    s.origin = Some(origin.into());
    Ok(s)
}
/// stub
pub fn from_file(path: &Path) -> Result<Schema, SchemaErrors> {
    let o = path.display().to_string();
    let t = std::fs::read_to_string(path).map_err(|e| err(&o, e.to_string()))?;
    from_str(&t, &o)
}
/// stub
pub fn from_path(path: &Path) -> Result<Vec<Schema>, SchemaErrors> {
    Ok(vec![from_file(path)?])
}
/// stub: true for Panther-style schema test files: names ending `_tests.yml` /
/// `_tests.yaml`, or any file inside a `tests` directory.
pub fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with("_tests.yml")
        || name.ends_with("_tests.yaml")
        || path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d == "tests")
}
