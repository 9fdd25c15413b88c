//! "Did you mean …?": the closest of the valid words to a mistyped one, for every error that
//! names a choice (schema keys, types, indicators, definitions, time formats), and the one way
//! a suggestion is worded.

/// The candidate closest to `word`, if it is close enough to be what was meant: equal ignoring
/// ASCII case, or at most 2 edits away (a swap of two neighbours is one edit) and fewer edits
/// than half the longer word (so `mac` does not suggest `md5`).
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate.eq_ignore_ascii_case(word) {
            return Some(candidate);
        }
        // Optimal string alignment: Levenshtein where swapping two neighbours is one edit.
        let distance = strsim::osa_distance(word, candidate);
        let longest = word.chars().count().max(candidate.chars().count());
        if distance <= 2 && distance * 2 < longest && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// What a word of another language means here, when spelling does not tell: the names
/// other schema languages and databases give the same types (`integer`, `bool`,
/// `datetime`) and indicators (`ipaddress`, `mail`). Each target must be a valid name.
const SYNONYMS: &[(&str, &str)] = &[
    // Types.
    ("integer", "int"),
    ("int32", "int"),
    ("long", "bigint"),
    ("int64", "bigint"),
    ("short", "smallint"),
    ("int16", "smallint"),
    ("bool", "boolean"),
    ("double", "float"),
    ("number", "float"),
    ("decimal", "float"),
    ("str", "string"),
    ("text", "string"),
    ("varchar", "string"),
    ("datetime", "timestamp"),
    ("date", "timestamp"),
    ("time", "timestamp"),
    ("list", "array"),
    ("map", "object"),
    ("struct", "object"),
    ("dict", "object"),
    // Indicators.
    ("ipaddress", "ip"),
    ("ip_address", "ip"),
    ("ipv4", "ip"),
    ("ipv6", "ip"),
    ("domain_name", "domain"),
    ("mail", "email"),
    ("user", "username"),
    ("arn", "aws_arn"),
];

/// [`suggest`], or else the synonym of `word` among `candidates` ([`SYNONYMS`]).
pub(crate) fn suggest_or_synonym<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<&'a str> {
    suggest(word, candidates.clone()).or_else(|| {
        let lower = word.to_ascii_lowercase();
        let (_, meant) = SYNONYMS.iter().find(|(w, _)| *w == lower)?;
        candidates.into_iter().find(|c| c == meant)
    })
}

/// `did you mean `x`? ` (with the trailing space, so the rest of a hint can follow) or nothing:
/// the one wording of a suggestion, in schema errors and time-format errors alike.
pub(crate) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("did you mean `{s}`? "))
}

/// A whole hint: `did you mean `x`?` for the closest of `names` to `word`, else
/// `otherwise`.
pub(crate) fn did_you_mean_or<'a>(
    word: &str,
    names: impl IntoIterator<Item = &'a str>,
    otherwise: impl FnOnce() -> String,
) -> String {
    match suggest(word, names) {
        Some(s) => meant(s),
        None => otherwise(),
    }
}

/// `did you mean `x`?`: [`did_you_mean`]'s wording, as a whole hint.
pub(crate) fn meant(suggestion: &str) -> String {
    did_you_mean(Some(suggestion)).trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = [
            "required",
            "timeFormat",
            "isEmbeddedJSON",
            "indicators",
            "type",
        ];
        assert_eq!(suggest("requird", keys), Some("required"));
        assert_eq!(suggest("reqiured", keys), Some("required"));
        assert_eq!(suggest("timeformat", keys), Some("timeFormat"));
        assert_eq!(suggest("isEmbeddedJson", keys), Some("isEmbeddedJSON"));
        assert_eq!(suggest("indicator", keys), Some("indicators"));
        assert_eq!(suggest("typ", keys), Some("type"));
        assert_eq!(suggest("owner", keys), None);
        assert_eq!(suggest("mac", ["md5", "ip"]), None);
        assert_eq!(suggest("ipp", ["md5", "ip"]), Some("ip"));
        // A swap of two neighbours is one edit (plain Levenshtein counts two, too many here).
        assert_eq!(suggest("tpye", keys), Some("type"));
        assert_eq!(suggest("", keys), None);
    }

    /// Each synonym means a type or an indicator that exists.
    #[test]
    fn every_synonym_names_a_type_or_an_indicator() {
        for (word, meant) in SYNONYMS {
            assert!(
                crate::schema::FieldType::from_name(meant).is_some()
                    || crate::indicators::IndicatorKind::from_name(meant).is_some(),
                "{word}: {meant}"
            );
        }
    }

    #[test]
    fn synonyms_when_spelling_does_not_tell() {
        let types = ["string", "int", "bigint", "boolean", "timestamp"];
        assert_eq!(suggest("integer", types), None);
        assert_eq!(suggest_or_synonym("integer", types), Some("int"));
        assert_eq!(suggest_or_synonym("Long", types), Some("bigint"));
        assert_eq!(suggest_or_synonym("strng", types), Some("string"));
        // Only among the candidates: `map` means `object`, not one of these.
        assert_eq!(suggest_or_synonym("map", types), None);
        assert_eq!(suggest_or_synonym("ipaddress", ["ip", "email"]), Some("ip"));
        assert_eq!(suggest_or_synonym("owner", types), None);
    }
}
