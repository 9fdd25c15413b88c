//! The standard output field names: the `p_*` metadata every event carries, the table
//! name of a log type, and the column name of a field.
//!
//! The one place they are spelled (STYLE: "const strings"); every writer, reader and test
//! uses these. A leaf, re-exported from [`crate::event`] (the field names) and
//! [`crate::sink::layout`] (the table name) where users have always found them.

/// `p_log_type`: the log type that accepted the record.
pub const P_LOG_TYPE: &str = "p_log_type";
/// `p_row_id`: a unique id of the row.
pub const P_ROW_ID: &str = "p_row_id";
/// `p_event_time`: the first non-null `isEventTime` field, else the parse time.
pub const P_EVENT_TIME: &str = "p_event_time";
/// `p_parse_time`: when the record was normalized (on Linux, read from the coarse real-time
/// clock: up to a scheduler tick, 1 to 4 ms, early).
pub const P_PARSE_TIME: &str = "p_parse_time";
/// `p_schema_version`: the schema's `version`.
pub const P_SCHEMA_VERSION: &str = "p_schema_version";
/// `p_source_id`: the source id given by the caller (omitted when none was given).
pub const P_SOURCE_ID: &str = "p_source_id";
/// `p_source_label`: the source label given by the caller (omitted when none was given).
pub const P_SOURCE_LABEL: &str = "p_source_label";

/// The table (directory) name of a log type: lower case, with every character other than
/// `a-z`, `0-9` and `_` replaced by `_` (`Zoom.Activity` → `zoom_activity`).
#[must_use]
pub fn table_name(log_type: &str) -> String {
    log_type
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The name a field gets as a table column: Panther's Glue column-name normalisation
/// (`glueschema.ColumnName`). ASCII letters, digits, `_` and `-` are kept (case too); some
/// punctuation is spelled out (`@` → `at_sign`, wrapped in `_` except at either end); every
/// other character becomes `_`.
///
/// Panther transliterates non-ASCII letters to ASCII (anyascii); normalog has no such table
/// and keeps them as they are, which column names in Parquet allow.
///
/// Arrow and Parquet columns (struct fields too) take these names, as Panther's data lake
/// does: query engines refuse or misread `.`, spaces and `@` in a column name (Spark reads
/// `meta.user` as a field of `meta`). NDJSON keeps the schema's names, as `pantherlog` does.
/// The schema check refuses two fields of one object whose column names are the same but
/// for case, so every table's columns are distinct.
#[must_use]
pub fn column_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let count = name.chars().count();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if let Some(word) = transliterate(c) {
            if i > 0 {
                out.push('_');
            }
            out.push_str(word);
            if i + 1 < count {
                out.push('_');
            }
        } else if !c.is_ascii() && c.is_alphabetic() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        '@' => "at_sign",
        ',' => "comma",
        '`' => "backtick",
        '\'' => "apostrophe",
        '$' => "dollar_sign",
        '*' => "asterisk",
        '&' => "ampersand",
        '!' => "exclamation",
        '%' => "percent",
        '+' => "plus",
        '/' => "slash",
        '\\' => "backslash",
        '#' => "hash",
        '~' => "tilde",
        '=' => "eq",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_names() {
        assert_eq!(table_name("Zendesk.Audit"), "zendesk_audit");
        assert_eq!(table_name("Zoom.Activity"), "zoom_activity");
        assert_eq!(table_name("AWS.VPCFlow"), "aws_vpcflow");
        assert_eq!(table_name("Custom.my-logs 2"), "custom_my_logs_2");
    }
}
