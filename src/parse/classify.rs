//! Which candidate log types can accept a record, found with one key lookup per top-level key.
//!
//! With several candidates, a record used to be pre-scanned once per candidate tried: each
//! key looked up in that schema's table to learn whether every required field is present.
//! On mixed input about half the candidates tried refuse, so most keys were looked up twice
//! or more. The classifier indexes the top-level names of all candidates together: one scan
//! of the record gives every candidate's present fields at once, and the field indices for
//! the decoding pass of whichever candidate is tried.
//!
//! The outcome is the same as trying the candidates one by one: a candidate is skipped
//! exactly when one of its required fields is missing or null, and the order of the
//! candidates (the last accepted first) is the caller's.

use std::sync::Arc;

use simd_json::{Node, StaticNode};

use super::tape::{node_count, MEMO, NONE};
use crate::compile::{KeyIndex, Plan};

/// Candidates the classifier handles; more fall back to one pre-scan per candidate.
pub(crate) const MAX_PLANS: usize = 8;

/// `fields` entry: the name is not a top-level field of that candidate.
const ABSENT: u8 = u8::MAX;

/// What the scan of one record found.
pub(crate) struct Scan {
    /// Per candidate: bit `i` set when its field `i` has a non-null value.
    present: [u64; MAX_PLANS],
    /// The union-name index of each of the first [`MEMO`] keys ([`NONE`] when unknown).
    keys: [u16; MEMO],
    /// How many of `keys` are the record's.
    count: usize,
}

pub(crate) struct Classifier {
    /// Every candidate's top-level names.
    index: KeyIndex,
    /// `fields[name * plans + p]`: the field index of the name in candidate `p`, or [`ABSENT`].
    fields: Box<[u8]>,
    /// `bits[name][p]`: the name's field bit in candidate `p` (0 when absent), so that a
    /// key updates every candidate's present fields with one fixed-width OR.
    bits: Box<[[u64; MAX_PLANS]]>,
    plans: usize,
    /// Per candidate: its required fields, as bits.
    required: [u64; MAX_PLANS],
}

impl Classifier {
    /// A classifier for these candidates, in this order; `None` for a single candidate (it
    /// is decoded directly), more than [`MAX_PLANS`], or a root of more than 64 fields.
    pub(crate) fn new(plans: &[Arc<Plan>]) -> Option<Classifier> {
        if plans.len() < 2 || plans.len() > MAX_PLANS {
            return None;
        }
        let mut required = [0u64; MAX_PLANS];
        let mut names: Vec<Arc<str>> = Vec::new();
        for (p, plan) in plans.iter().enumerate() {
            required[p] = plan.root.required_mask()?;
            for f in &plan.root.fields {
                if !names.contains(&f.name) {
                    names.push(Arc::clone(&f.name));
                }
            }
        }
        if names.len() >= usize::from(NONE) {
            return None;
        }
        let mut fields = vec![ABSENT; names.len() * plans.len()].into_boxed_slice();
        for (p, plan) in plans.iter().enumerate() {
            for (i, f) in plan.root.fields.iter().enumerate() {
                // Schema checks refuse duplicate names; the first is the one decoded.
                let n = names.iter().position(|n| *n == f.name)?;
                let slot = &mut fields[n * plans.len() + p];
                if *slot == ABSENT {
                    *slot = u8::try_from(i).ok()?;
                }
            }
        }
        let bits = fields
            .chunks(plans.len())
            .map(|row| {
                let mut bits = [0u64; MAX_PLANS];
                for (bit, &f) in bits.iter_mut().zip(row) {
                    if f != ABSENT {
                        *bit = 1 << f;
                    }
                }
                bits
            })
            .collect();
        Some(Classifier {
            index: KeyIndex::new(&names),
            fields,
            bits,
            plans: plans.len(),
            required,
        })
    }

    /// Look up each top-level key of the record (the object at tape index 0) once.
    pub(crate) fn scan(&self, tape: &[Node<'_>]) -> Scan {
        let mut scan = Scan {
            present: [0; MAX_PLANS],
            keys: [NONE; MEMO],
            count: 0,
        };
        let Some(&Node::Object { len, .. }) = tape.first() else {
            return scan;
        };
        scan.count = len.min(MEMO);
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
                #[allow(clippy::cast_possible_truncation)] // fewer than NONE names
                let n16 = n as u16;
                scan.keys[k] = n16;
            }
            if matches!(value, Node::Static(StaticNode::Null)) {
                continue;
            }
            for (present, bit) in scan.present.iter_mut().zip(&self.bits[n]) {
                *present |= bit;
            }
        }
        scan
    }

    /// Whether candidate `p` has every required field present and non-null; when it has,
    /// `memo` gets its field index for each of the first [`MEMO`] keys.
    pub(crate) fn candidate(&self, scan: &Scan, p: usize, memo: &mut [u16; MEMO]) -> bool {
        if scan.present[p] & self.required[p] != self.required[p] {
            return false;
        }
        for (m, &n) in memo.iter_mut().zip(&scan.keys[..scan.count]) {
            *m = if n == NONE {
                NONE
            } else {
                match self.fields[usize::from(n) * self.plans + p] {
                    ABSENT => NONE,
                    f => u16::from(f),
                }
            };
        }
        true
    }
}
