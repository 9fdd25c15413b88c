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
        let distance = edit_distance(word, candidate);
        let longest = word.chars().count().max(candidate.chars().count());
        if distance <= 2 && distance * 2 < longest && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance with adjacent transpositions (optimal string alignment), on chars.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for transpositions), one back, current.
    let mut two_back = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(two_back[j - 2] + 1);
            }
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// `did you mean `x`? ` (with the trailing space) or nothing.
pub(crate) fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion.map_or_else(String::new, |s| format!("did you mean `{s}`? "))
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
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "acb"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
