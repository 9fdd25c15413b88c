//! The checks of `ref` fields and `definitions`: every target exists, nesting through
//! definitions stays under the depth limit, and no definition refers back to itself.

use std::collections::{BTreeSet, HashMap};

use super::{key_span, Validator, MAX_DEPTH};
use crate::schema::{FieldType, Span, ValueSchema};
use crate::suggest::{did_you_mean, suggest};

impl<'s> Validator<'s> {
    pub(super) fn check_target(&mut self, v: &'s ValueSchema, label: &str, depth: usize) {
        let span = key_span(v, "target");
        let names = || {
            self.schema
                .definitions
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(target) = &v.target else {
            if v.key_spans.contains("target") {
                return; // written but unreadable: the loader reported it
            }
            let hint = if self.schema.definitions.is_empty() {
                "describe the type under `definitions` and set `target` to its name".into()
            } else {
                format!("set `target` to one of the definitions: {}", names())
            };
            self.error(v.span, format!("ref {label} has no `target`"), Some(hint));
            return;
        };
        if !self.schema.definitions.contains_key(target) {
            if self
                .schema
                .key_spans
                .contains(&format!("definitions.{target}"))
            {
                return; // written but unreadable: the loader reported it
            }
            let hint = if self.schema.definitions.is_empty() {
                if self.schema.key_spans.any_under("definitions.") {
                    // Its entries could not be read (review s41-h4 L3: "has no `definitions`").
                    "no definition of the schema could be read (see above); add one with this \
                     name"
                        .into()
                } else {
                    "the schema has no `definitions`; add one with this name".into()
                }
            } else {
                let suggestion =
                    suggest(target, self.schema.definitions.keys().map(String::as_str));
                format!("{}definitions: {}", did_you_mean(suggestion), names())
            };
            self.error(span, format!("unknown definition `{target}`"), Some(hint));
            return;
        }
        let below = self.def_depth(target);
        if below > 0 && depth + below - 1 > MAX_DEPTH {
            self.error(
                span,
                format!("{label} nests deeper than {MAX_DEPTH} levels once `{target}` is expanded"),
                Some("flatten the definitions, or use `type: json` for the deep part".into()),
            );
        }
    }

    /// Levels a definition takes once its refs are expanded (0 if unknown).
    fn def_depth(&self, name: &str) -> usize {
        self.expanded.get(name).map_or(0, |e| e.depth)
    }

    /// Definitions that contain themselves, through any chain of refs.
    pub(super) fn check_cycles(&mut self) {
        let defs = &self.schema.definitions;
        // Edges: definition -> (target, span of `target`), in schema order.
        let mut edges: HashMap<&str, Vec<(&str, Span)>> = HashMap::new();
        for (name, value) in defs {
            let mut out = Vec::new();
            collect_refs(value, &mut out);
            out.retain(|(t, _)| defs.contains_key(*t));
            edges.insert(name.as_str(), out);
        }
        let mut state: HashMap<&str, u8> = HashMap::new(); // 1 = on the stack, 2 = done
        let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
        let mut found: Vec<(Vec<&str>, Span)> = Vec::new();
        for start in defs.keys() {
            if state.contains_key(start.as_str()) {
                continue;
            }
            // Iterative DFS: (node, next edge index).
            let mut stack: Vec<(&str, usize)> = vec![(start.as_str(), 0)];
            state.insert(start.as_str(), 1);
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let out = &edges[node];
                if *next >= out.len() {
                    state.insert(node, 2);
                    stack.pop();
                    continue;
                }
                let (target, _) = out[*next];
                *next += 1;
                match state.get(target) {
                    None => {
                        state.insert(target, 1);
                        stack.push((target, 0));
                    }
                    Some(1) => {
                        let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                        // Start the path at its smallest name, so one cycle reads one way.
                        let min = (0..cycle.len()).min_by_key(|&i| cycle[i]).unwrap_or(0);
                        cycle.rotate_left(min);
                        if reported.insert(cycle.clone()) {
                            let first = cycle[0];
                            let second = cycle.get(1).copied().unwrap_or(first);
                            let span = edges[first]
                                .iter()
                                .find(|(t, _)| *t == second)
                                .map_or(Span::default(), |(_, s)| *s);
                            found.push((cycle, span));
                        }
                    }
                    Some(_) => {}
                }
            }
        }
        for (cycle, span) in found {
            let path = format!("`{} -> {}`", cycle.join(" -> "), cycle[0]);
            self.error(
                span,
                format!("definition `{}` refers to itself: {path}", cycle[0]),
                Some("a definition cannot contain itself; use `type: json` where the data nests recursively".into()),
            );
        }
    }
}

/// Every `ref` target inside `v` (not following refs), with the position of its `target`.
fn collect_refs<'s>(v: &'s ValueSchema, out: &mut Vec<(&'s str, Span)>) {
    if let (FieldType::Ref, Some(t)) = (v.ty, &v.target) {
        out.push((t.as_str(), v.key_spans.get("target").unwrap_or(v.span)));
    }
    if let Some(e) = &v.element {
        collect_refs(e, out);
    }
    for f in &v.fields {
        collect_refs(&f.value, out);
    }
}
