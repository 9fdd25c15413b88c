//! Which candidate log types can accept a record, found with one key lookup per top-level key.
//!
//! Pre-scanning a record once per candidate tried (each key looked up in that schema's table
//! to learn whether every required field is present) looks most keys up twice or more on
//! mixed input, where about half the candidates tried refuse. The classifier indexes the
//! top-level names of all candidates together: one scan of the record gives the set of names
//! with a non-null value, which each candidate's required names are checked against, and
//! the field indices for the decoding pass of whichever candidate is tried.
//!
//! The outcome is the same as trying the candidates one by one: a candidate is skipped
//! exactly when one of its required fields is missing or null, and the order of the
//! candidates (the last accepted first) is the caller's.

use std::sync::Arc;

use simd_json::{Node, StaticNode};

use super::tape::{node_count, Memo, MEMO, NONE};
use crate::compile::{KeyIndex, Plan};

/// Top-level names (of all candidates together) the classifier handles; with more, each
/// candidate is pre-scanned on its own.
const MAX_NAMES: usize = 256;

/// A set of top-level names, by union index.
type NameSet = [u64; MAX_NAMES / 64];

/// `fields` entry: the name is not a top-level field of that candidate (as [`Memo`] reads it).
const ABSENT: u8 = u8::MAX;

/// What the scan of one record found.
pub(crate) struct Scan {
    /// The names whose value is not null.
    present: NameSet,
    /// The union-name index of each of the first [`MEMO`] keys ([`NONE`] when unknown).
    keys: [u16; MEMO],
}

pub(crate) struct Classifier {
    /// Every candidate's top-level names.
    index: KeyIndex,
    /// `fields[name * plans + p]`: the field index of the name in candidate `p`, or [`ABSENT`].
    fields: Box<[u8]>,
    plans: usize,
    /// Per candidate: the names of its required fields.
    required: Box<[NameSet]>,
}

impl Classifier {
    /// A classifier for these candidates, in this order; `None` for a single candidate (it
    /// is decoded directly), more than [`MAX_NAMES`] names in all, or a root of more than
    /// 255 fields.
    pub(crate) fn new(plans: &[Arc<Plan>]) -> Option<Classifier> {
        if plans.len() < 2 {
            return None;
        }
        let mut names: Vec<Arc<str>> = Vec::new();
        for plan in plans {
            for f in &plan.root.fields {
                if !names.contains(&f.name) {
                    names.push(Arc::clone(&f.name));
                }
            }
        }
        if names.len() > MAX_NAMES {
            return None;
        }
        let mut fields = vec![ABSENT; names.len() * plans.len()].into_boxed_slice();
        let mut required = vec![NameSet::default(); plans.len()].into_boxed_slice();
        for (p, plan) in plans.iter().enumerate() {
            for (i, f) in plan.root.fields.iter().enumerate() {
                let n = names.iter().position(|n| *n == f.name)?;
                let slot = &mut fields[n * plans.len() + p];
                // Schema checks refuse duplicate names; the first is the one decoded.
                if *slot == ABSENT {
                    *slot = u8::try_from(i).ok().filter(|&i| i != ABSENT)?;
                }
                if f.required {
                    required[p][n / 64] |= 1 << (n % 64);
                }
            }
        }
        Some(Classifier {
            index: KeyIndex::new(&names),
            fields,
            plans: plans.len(),
            required,
        })
    }

    /// Look up each top-level key of the record (the object at tape index 0) once.
    pub(crate) fn scan(&self, tape: &[Node<'_>]) -> Scan {
        let mut scan = Scan {
            present: NameSet::default(),
            keys: [NONE; MEMO],
        };
        let Some(&Node::Object { len, .. }) = tape.first() else {
            return scan;
        };
        let mut i = 1;
        for k in 0..len {
            let Node::String(key) = tape[i] else {
                break;
            };
            let value = &tape[i + 1];
            i += 1 + node_count(value);
            let Some(n) = self.index.find(key) else {
                continue;
            };
            if k < MEMO {
                #[allow(clippy::cast_possible_truncation)] // at most MAX_NAMES names
                let n16 = n as u16;
                scan.keys[k] = n16;
            }
            if !matches!(value, Node::Static(StaticNode::Null)) {
                scan.present[n / 64] |= 1 << (n % 64);
            }
        }
        scan
    }

    /// Whether candidate `p` has every required field present and non-null.
    pub(crate) fn candidate(&self, scan: &Scan, p: usize) -> bool {
        let required = &self.required[p];
        (0..required.len()).all(|w| scan.present[w] & required[w] == required[w])
    }

    /// The field indices of candidate `p` for the record's first [`MEMO`] keys.
    pub(crate) fn memo<'s>(&'s self, scan: &'s Scan, p: usize) -> Memo<'s> {
        Memo::Union {
            keys: &scan.keys,
            table: &self.fields,
            stride: self.plans,
            column: p,
        }
    }
}
