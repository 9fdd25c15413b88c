//! The naming rules of a schema: its log type's name, its definitions' and fields' names,
//! and the standard columns a field may not be named as.

/// Whether a top-level field name (lower case: engines such as DuckDB ignore case) is one
/// of the standard fields every event may get, `p_any_*` columns included: a field of that
/// name would be a second column or key of the same name (Parquet readers refuse or rename
/// it, JSON readers keep one of the two).
pub(super) fn is_standard_column(name: &str) -> bool {
    use crate::indicators::Column;
    use crate::names::{
        P_EVENT_TIME, P_LOG_TYPE, P_PARSE_TIME, P_ROW_ID, P_SCHEMA_VERSION, P_SOURCE_ID,
        P_SOURCE_LABEL,
    };
    Column::ALL.iter().any(|c| c.name() == name)
        || [
            P_LOG_TYPE,
            P_ROW_ID,
            P_EVENT_TIME,
            P_PARSE_TIME,
            P_SCHEMA_VERSION,
            P_SOURCE_ID,
            P_SOURCE_LABEL,
        ]
        .contains(&name)
}

/// Panther's schema-name rule (docs JSON Schema): dot-separated parts, each an uppercase ASCII
/// letter followed by at least one ASCII letter or digit; 3 characters at least.
pub(super) fn is_schema_name(name: &str) -> bool {
    name.len() >= 3 && name.split('.').all(is_definition_name)
}

/// The hint for an invalid schema name: the first part that breaks the rule and how, then
/// the rule.
pub(super) fn schema_name_hint(name: &str) -> String {
    let rule = "a name is one or more parts joined by dots, each an uppercase letter followed \
                by at least one letter or digit, e.g. `Custom.MyApp`";
    let problem = match name.split('.').find(|part| !is_definition_name(part)) {
        Some("") => "a part is empty (two dots, or a dot at an end)".to_owned(),
        Some(part) if !part.starts_with(|c: char| c.is_ascii_uppercase()) => {
            format!("`{part}` does not start with an uppercase letter")
        }
        Some(part) if part.len() < 2 => format!("`{part}` is a single letter"),
        Some(part) => {
            let bad = part
                .chars()
                .find(|c| !c.is_ascii_alphanumeric())
                .unwrap_or('?');
            format!("`{part}` holds `{bad}`")
        }
        None => "the name is under three characters".to_owned(),
    };
    format!("{problem}; {rule}")
}

/// `^[A-Z][A-Za-z0-9]+$`: a definition name, and one part of a schema name.
pub(super) fn is_definition_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric())
}

/// The docs' field-name rule, ``^[A-Za-z_!#%&',/=@\$\*\+\\`~]+.*``: a first character that
/// is an ASCII letter, `_` or one of those symbols, then anything.
pub(super) fn is_field_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || "_!#%&',/=@$*+\\`~".contains(c))
}
