//! The standard output field names: the `p_*` metadata every event carries, and the table
//! name of a log type.
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
