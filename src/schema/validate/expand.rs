//! What a schema comes to once its `ref`s are expanded, and the bound on its size.
//!
//! Compiling copies a definition wherever a `ref` names it, so a few lines can stand for a
//! huge plan: thirty definitions that each use the next one twice are 2^30 values, which
//! no machine holds (as YAML aliases can, the "billion laughs"; the YAML reader bounds
//! those). The size is counted here, from each definition's size computed once, so that
//! such a schema is refused in an instant, with the ref that brings the most, before
//! anything is built.

use std::collections::{HashMap, HashSet};

use super::{key_span, Validator, MAX_DEPTH};
use crate::schema::{FieldType, ValueSchema};

/// How many values (fields and array elements, at every level) a schema may hold once its
/// `ref`s are expanded, each use of a definition being a copy of it: each is a node of the
/// compiled plan, and a column or more of the Arrow schema. Schemas written by hand hold a
/// few thousand at most; this bound stops a few lines of definitions that use each other
/// several times from expanding to billions.
pub const MAX_VALUES: u64 = 100_000;

/// A definition once its refs are expanded.
#[derive(Clone, Copy)]
pub(super) struct Expanded {
    /// Levels it takes (a ref is replaced by its definition: same level, not one more).
    /// Counting stops a little past [`MAX_DEPTH`], which is all the depth check needs.
    pub(super) depth: usize,
    /// Values it holds: itself, and every field and array element below, at every level
    /// (saturating).
    pub(super) values: u64,
}

/// Definitions chained to this length are shown in full in the message; longer chains end
/// in `...`.
const CHAIN_SHOWN: usize = 8;

/// Every definition of `defs`, expanded. Refs to unknown definitions, or back into a cycle
/// (both reported by other checks), count as one value of one level.
///
/// The definitions are visited depth-first without recursion, each after the ones it
/// uses, so that a chain of thousands of definitions neither overflows the stack nor is
/// walked more than once.
pub(super) fn expand_definitions<'s>(
    defs: &'s std::collections::BTreeMap<String, ValueSchema>,
) -> HashMap<&'s str, Expanded> {
    let mut done: HashMap<&'s str, Expanded> = HashMap::new();
    let mut on_stack: HashSet<&'s str> = HashSet::new();
    for (start, value) in defs {
        if done.contains_key(start.as_str()) {
            continue;
        }
        let mut stack: Vec<(&'s str, &'s ValueSchema, Vec<&'s str>)> =
            vec![(start.as_str(), value, targets(value))];
        on_stack.insert(start.as_str());
        while let Some((name, value, next)) = stack.last_mut() {
            if let Some(target) = next.pop() {
                if let Some((key, def)) = defs.get_key_value(target) {
                    if !done.contains_key(target) && on_stack.insert(key.as_str()) {
                        stack.push((key.as_str(), def, targets(def)));
                    }
                }
                continue;
            }
            let (name, value) = (*name, *value);
            done.insert(name, expand(value, 1, &done));
            on_stack.remove(name);
            stack.pop();
        }
    }
    done
}

/// `v`, at level `at`, with its refs replaced by the definitions in `done`.
pub(super) fn expand(v: &ValueSchema, at: usize, done: &HashMap<&str, Expanded>) -> Expanded {
    // Deeper than this the depth check has failed already; stopping bounds the recursion
    // for a schema built in code, whose nesting no YAML reader limited.
    if at > MAX_DEPTH + 1 {
        return Expanded {
            depth: 1,
            values: 1,
        };
    }
    if let (FieldType::Ref, Some(t)) = (v.ty, &v.target) {
        return done.get(t.as_str()).map_or(
            Expanded {
                depth: 1,
                values: 1,
            },
            |e| Expanded {
                depth: e.depth.max(1),
                values: e.values,
            },
        );
    }
    let mut below = 0;
    let mut values: u64 = 1;
    for child in children(v) {
        let e = expand(child, at + 1, done);
        below = below.max(e.depth);
        values = values.saturating_add(e.values);
    }
    Expanded {
        depth: 1 + below,
        values,
    }
}

/// The values right below `v`: its array element and its object fields.
fn children(v: &ValueSchema) -> impl Iterator<Item = &ValueSchema> {
    v.element
        .as_deref()
        .into_iter()
        .chain(v.fields.iter().map(|f| &f.value))
}

/// The definitions `v` names in its refs (not following them), last first.
fn targets(v: &ValueSchema) -> Vec<&str> {
    let mut out = Vec::new();
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        if let (FieldType::Ref, Some(t)) = (v.ty, &v.target) {
            out.push(t.as_str());
        }
        todo.extend(children(v));
    }
    out
}

impl Validator<'_> {
    /// The schema holds at most [`MAX_VALUES`] values once its refs are expanded; if not,
    /// one error, at the ref that brings the most.
    pub(super) fn check_size(&mut self) {
        let fields = &self.schema.fields;
        let sizes: Vec<u64> = fields
            .iter()
            .map(|f| expand(&f.value, 1, &self.expanded).values)
            .collect();
        let total = sizes.iter().fold(0u64, |sum, n| sum.saturating_add(*n));
        if total <= MAX_VALUES {
            return;
        }
        let total = count(total);
        let heaviest = (0..fields.len()).max_by_key(|&i| (sizes[i], std::cmp::Reverse(i)));
        let Some(i) = heaviest else { return };
        // Down the heaviest child to the first ref on the way, if any.
        let mut path = fields[i].name.clone();
        let mut v = &fields[i].value;
        while v.ty != FieldType::Ref {
            let Some((name, child)) = self.heaviest_child(v) else {
                break;
            };
            match name {
                Some(name) => path = format!("{path}.{name}"),
                None => path.push_str("[]"),
            }
            v = child;
        }
        let Some(target) = v.target.as_deref().filter(|_| v.ty == FieldType::Ref) else {
            // No ref: the fields are written out one by one.
            let span = self
                .schema
                .key_spans
                .get("fields")
                .unwrap_or(self.schema.span);
            self.error(
                span,
                format!(
                    "the schema holds {total} values (fields and array elements, at every \
                     level), more than the {MAX_VALUES} allowed"
                ),
                Some(
                    "split the log type in two, or use `type: json` for parts that need not \
                     be typed field by field"
                        .into(),
                ),
            );
            return;
        };
        let here = count(expand(v, 1, &self.expanded).values);
        let (chain, multiplier) = self.chain(target);
        let uses = multiplier.map_or(String::new(), |(user, used, times)| {
            format!(" (`{user}` uses `{used}` {times} times)")
        });
        self.error(
            key_span(v, "target"),
            format!(
                "the schema holds {total} values once its refs are expanded, more than the \
                 {MAX_VALUES} allowed; field `{path}` holds {here} of them through `{chain}`"
            ),
            Some(format!(
                "every ref is a copy of its definition, so definitions that use others \
                 several times multiply{uses}; use `type: json` for parts that need \
                 not be typed field by field"
            )),
        );
    }

    /// The child of `v` holding the most values once expanded (the first of equals), with
    /// its field name (`None` for an array element).
    fn heaviest_child<'v>(&self, v: &'v ValueSchema) -> Option<(Option<&'v str>, &'v ValueSchema)> {
        let element = v.element.as_deref().map(|e| (None, e));
        let fields = v.fields.iter().map(|f| (Some(f.name.as_str()), &f.value));
        element
            .into_iter()
            .chain(fields)
            .rev()
            .max_by_key(|(_, c)| expand(c, 1, &self.expanded).values)
    }

    /// The definitions from `first` down the heaviest refs (`A -> B -> C`, cut after
    /// [`CHAIN_SHOWN`]), and the first of them that uses the next more than once, with the
    /// next and how many times.
    fn chain(&self, first: &str) -> (String, Option<(String, String, usize)>) {
        let defs = &self.schema.definitions;
        let mut names = vec![first.to_owned()];
        let mut multiplier = None;
        let mut seen: HashSet<&str> = HashSet::new();
        let mut current = first;
        while let Some((key, def)) = defs.get_key_value(current) {
            if !seen.insert(key.as_str()) {
                break; // a cycle, reported by its own check
            }
            // The heaviest ref inside this definition.
            let mut v = def;
            while v.ty != FieldType::Ref {
                let Some((_, child)) = self.heaviest_child(v) else {
                    break;
                };
                v = child;
            }
            let Some(next) = v.target.as_deref().filter(|_| v.ty == FieldType::Ref) else {
                break;
            };
            if multiplier.is_none() {
                let times = targets(def).iter().filter(|t| **t == next).count();
                if times > 1 {
                    multiplier = Some((key.clone(), next.to_owned(), times));
                }
            }
            if names.len() < CHAIN_SHOWN {
                names.push(next.to_owned());
            } else if names.len() == CHAIN_SHOWN {
                names.push("...".into());
            } else if multiplier.is_some() {
                break;
            }
            // Past what is shown, only to find the multiplier.
            current = next;
        }
        (names.join(" -> "), multiplier)
    }
}

/// `n`, or what it is at least when counting saturated.
fn count(n: u64) -> String {
    if n == u64::MAX {
        format!("at least {n}")
    } else {
        n.to_string()
    }
}
