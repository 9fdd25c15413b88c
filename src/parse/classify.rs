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

use super::tape::{scan_keys, KeyScan, Memo};
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
    /// The union-name index and the value of each of the first keys.
    keys: KeyScan,
}

impl Scan {
    pub(crate) fn new() -> Scan {
        Scan {
            present: NameSet::default(),
            keys: KeyScan::new(),
        }
    }
}

pub(crate) struct Classifier {
    /// Every candidate's top-level names.
    index: KeyIndex,
    /// `fields[p * (names + 1) + name]`: the field index of the name in candidate `p`, or
    /// [`ABSENT`]; name `names` stands for keys that are no candidate's field.
    fields: Box<[u8]>,
    /// The number of names.
    names: usize,
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
        let stride = names.len() + 1;
        let mut fields = vec![ABSENT; stride * plans.len()].into_boxed_slice();
        let mut required = vec![NameSet::default(); plans.len()].into_boxed_slice();
        for (p, plan) in plans.iter().enumerate() {
            for (i, f) in plan.root.fields.iter().enumerate() {
                let n = names.iter().position(|n| *n == f.name)?;
                let slot = &mut fields[p * stride + n];
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
            names: names.len(),
            required,
        })
    }

    /// Look up each top-level key of the record (the object at tape index 0) once; the
    /// result goes into `scan` (reused, as it is a few hundred bytes).
    pub(crate) fn scan(&self, tape: &[Node<'_>], scan: &mut Scan) {
        let present = &mut scan.present;
        *present = NameSet::default();
        let len = match tape.first() {
            Some(&Node::Object { len, .. }) => len,
            _ => 0,
        };
        #[allow(clippy::cast_possible_truncation)] // at most MAX_NAMES names
        let unknown = self.names as u16;
        if self.names <= 64 {
            // The usual case: the set is one word, kept in a register.
            let mut word = 0u64;
            scan_keys(tape, 0, len, &mut scan.keys, |key, value| {
                let Some(n) = self.index.find(key) else {
                    return Some(unknown);
                };
                if !matches!(value, Node::Static(StaticNode::Null)) {
                    word |= 1 << (n % 64);
                }
                #[allow(clippy::cast_possible_truncation)]
                Some(n as u16)
            });
            present[0] = word;
            return;
        }
        scan_keys(tape, 0, len, &mut scan.keys, |key, value| {
            let Some(n) = self.index.find(key) else {
                return Some(unknown);
            };
            if !matches!(value, Node::Static(StaticNode::Null)) {
                // `% 4`: the compiler cannot know n < MAX_NAMES; spares a bounds check.
                present[n / 64 % (MAX_NAMES / 64)] |= 1 << (n % 64);
            }
            #[allow(clippy::cast_possible_truncation)]
            Some(n as u16)
        });
    }

    /// Whether candidate `p` has every required field present and non-null.
    pub(crate) fn candidate(&self, scan: &Scan, p: usize) -> bool {
        let required = &self.required[p];
        (0..required.len()).all(|w| scan.present[w] & required[w] == required[w])
    }

    /// The field indices of candidate `p` for the record's first [`MEMO`](crate::parse::tape::MEMO) keys.
    pub(crate) fn memo<'s>(&'s self, scan: &'s Scan, p: usize) -> Memo<'s> {
        let stride = self.names + 1;
        Memo::Union {
            scan: &scan.keys,
            table: &self.fields[p * stride..(p + 1) * stride],
        }
    }
}
