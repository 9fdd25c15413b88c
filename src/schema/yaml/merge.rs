//! YAML merge keys: `<<: *base` in a mapping adds the pairs of the mapping `base` (or of each
//! mapping of a list, `<<: [*a, *b]`) whose keys the mapping does not have itself.
//!
//! Why: Panther reads schemas with Go's `gopkg.in/yaml.v2`, which applies merge keys, so a
//! schema that shares a field's options through an anchor loads there. Keys written in the
//! mapping win over merged ones wherever they stand, and among merged mappings the first to
//! have a key wins (the YAML 1.1 merge type). A quoted `"<<"` is an ordinary key.

use super::{Node, NodeKind, Problem, Style};

/// Whether `key` is the merge key: `<<`, plain and untagged.
fn is_merge_key(key: &Node) -> bool {
    matches!(
        &key.kind,
        NodeKind::Scalar { text, style: Style::Plain, str_tag: false, .. } if text == "<<"
    )
}

/// The text of a scalar key, which is how keys are compared.
fn key_text(key: &Node) -> Option<&str> {
    match &key.kind {
        NodeKind::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

/// The pairs of a mapping with its merge keys applied: each `<<` pair is replaced, where it
/// stands, by the merged pairs whose keys are not already there.
pub(super) fn apply(pairs: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, Problem> {
    if !pairs.iter().any(|(key, _)| is_merge_key(key)) {
        return Ok(pairs);
    }
    let mut taken: Vec<String> = pairs
        .iter()
        .filter(|(key, _)| !is_merge_key(key))
        .filter_map(|(key, _)| key_text(key).map(str::to_owned))
        .collect();
    let mut out = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        if !is_merge_key(&key) {
            out.push((key, value));
            continue;
        }
        let sources = match value.kind {
            NodeKind::Map(merged) => vec![merged],
            NodeKind::Seq(items) if items.iter().all(|i| matches!(i.kind, NodeKind::Map(_))) => {
                items
                    .into_iter()
                    .filter_map(|i| match i.kind {
                        NodeKind::Map(merged) => Some(merged),
                        _ => None,
                    })
                    .collect()
            }
            _ => {
                return Err(Problem {
                    span: value.span,
                    message: format!(
                        "a merge key (`<<`) takes a mapping or a list of mappings, not {}",
                        value.kind_name()
                    ),
                    hint: Some(
                        "merge an anchored mapping (`<<: *base`), or quote the key (`\"<<\"`) \
                         to mean the text"
                            .into(),
                    ),
                })
            }
        };
        for (k, v) in sources.into_iter().flatten() {
            match key_text(&k) {
                Some(text) if taken.iter().any(|t| t == text) => {}
                Some(text) => {
                    taken.push(text.to_owned());
                    out.push((k, v));
                }
                None => out.push((k, v)),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::{read_tree, Node, NodeKind};
    use crate::sink::ndjson::NdjsonWriter;
    use crate::{NormalizerBuilder, Position, Registry};

    /// The keys of the mapping `text` and their scalar values, in order.
    fn pairs(text: &str, at: &[&str]) -> Vec<(String, String)> {
        let mut node: Node = read_tree(text)
            .unwrap_or_else(|p| panic!("{}", p.message))
            .unwrap_or_else(|| panic!("no document"));
        for key in at {
            let NodeKind::Map(pairs) = node.kind else {
                panic!("not a mapping at {key}");
            };
            node = pairs
                .into_iter()
                .find_map(|(k, v)| (k.text() == Some(key)).then_some(v))
                .unwrap_or_else(|| panic!("no key {key}"));
        }
        let NodeKind::Map(pairs) = node.kind else {
            panic!("not a mapping");
        };
        pairs
            .iter()
            .map(|(k, v)| {
                let text = |n: &Node| n.text().unwrap_or("?").to_owned();
                (text(k), text(v))
            })
            .collect()
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn written_keys_win_wherever_they_stand() {
        let text = "base: &b {name: x, type: string, required: true}\n\
                    f: {type: int, <<: *b, name: y}\n";
        assert_eq!(
            pairs(text, &["f"]),
            owned(&[("type", "int"), ("required", "true"), ("name", "y")])
        );
    }

    #[test]
    fn the_first_merged_mapping_wins() {
        let text = "a: &a {k: 1, x: a}\nb: &b {k: 2, y: b}\nf:\n  <<: [*a, *b]\n";
        assert_eq!(
            pairs(text, &["f"]),
            owned(&[("k", "1"), ("x", "a"), ("y", "b")])
        );
    }

    #[test]
    fn a_quoted_key_is_text() {
        assert_eq!(pairs("'<<': {a: 1}\n", &[]), owned(&[("<<", "?")]));
    }

    #[test]
    fn only_mappings_merge() {
        for (text, kind) in [
            ("a: 1\nf: {<<: 5}\n", "a number"),
            ("a: &a [1]\nf: {<<: *a}\n", "a list"),
        ] {
            let problem = read_tree(text).err().map(|p| p.message);
            assert_eq!(
                problem,
                Some(format!(
                    "a merge key (`<<`) takes a mapping or a list of mappings, not {kind}"
                )),
                "{text}"
            );
        }
    }

    /// A schema that shares a field's options through an anchor loads, as Panther's YAML
    /// reader (Go's yaml.v2) loads it, and each field keeps its own name.
    #[test]
    fn a_schema_with_a_merged_field_loads() {
        let schema = "schema: Custom.Anchors\n\
                      fields:\n  \
                      - &ip\n    name: src\n    type: string\n    indicators: [ip]\n  \
                      - <<: *ip\n    name: dst\n";
        let mut registry = Registry::default();
        if let Err(e) = registry.add_str(schema, "merge.yml") {
            panic!("{e}");
        }
        let mut norm = NormalizerBuilder::new()
            .build(&registry)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut out = NdjsonWriter::new(Vec::new());
        let line = br#"{"src":"10.0.0.1","dst":"10.0.0.2"}"#;
        norm.normalize_bytes(line, Position::default(), &mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        let out = out.into_inner().unwrap_or_else(|e| panic!("{e}"));
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains(r#""dst":"10.0.0.2""#), "{out}");
        assert!(
            out.contains(r#""p_any_ip_addresses":["10.0.0.1","10.0.0.2"]"#),
            "{out}"
        );
    }
}
