//! TEMPORARY STUB
use super::{Schema, SchemaError};
/// stub
pub fn validate(_s: &Schema) -> Vec<SchemaError> {
    Vec::new()
}
