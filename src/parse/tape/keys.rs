//! The keys of an object scanned once: [`KeyScan`] remembers what the first [`MEMO`] keys
//! name and where their values are, so the classifier's pass and the decoding pass do not
//! look the keys up twice ([`Memo`]).

use simd_json::Node;

use super::node_count;

/// Keys of an object whose field indices are remembered between the classifying pass and
/// the decoding pass (later keys are looked up again).
pub(crate) const MEMO: usize = 32;
/// In a memo: the key is not a field of the object.
const NONE: u16 = u16::MAX;

/// The first [`MEMO`] keys of an object, as one pass over the tape found them: what each key
/// names and where its value is, so the decoding pass neither looks keys up again nor walks
/// the tape to find the values.
pub(crate) struct KeyScan {
    /// Per key: a field index, or a name index of the classifier ([`NONE`]: unknown key).
    pub(crate) names: [u16; MEMO],
    /// Per key: the tape index of its value.
    pub(crate) values: [u32; MEMO],
    /// How many keys were recorded: the object's length, at most [`MEMO`].
    pub(crate) count: usize,
    /// The tape index of key number `count`, where decoding goes on for longer objects.
    pub(crate) rest: usize,
}

impl KeyScan {
    pub(crate) fn new() -> KeyScan {
        KeyScan {
            names: [NONE; MEMO],
            values: [0; MEMO],
            count: 0,
            rest: 0,
        }
    }
}

/// The field indices of an object's first [`MEMO`] keys, when known before decoding.
#[derive(Clone, Copy)]
pub(crate) enum Memo<'m> {
    /// `names` are field indices.
    Fields(&'m KeyScan),
    /// The classifier's scan: `names` are union-name indices, and the field index of name
    /// `n` in this candidate is `table[n]` (`u8::MAX`: not one of its fields).
    Union { scan: &'m KeyScan, table: &'m [u8] },
}

impl<'m> Memo<'m> {
    pub(super) fn scan(self) -> &'m KeyScan {
        match self {
            Memo::Fields(scan) | Memo::Union { scan, .. } => scan,
        }
    }

    /// The field index that the memo entry `n` (of `scan.names`) stands for, if any.
    #[inline]
    pub(super) fn field(self, n: u16) -> Option<usize> {
        match self {
            Memo::Fields(_) => Some(n).filter(|&f| f != NONE).map(usize::from),
            Memo::Union { table, .. } => {
                let f = table.get(usize::from(n)).copied().unwrap_or(u8::MAX);
                (f != u8::MAX).then_some(usize::from(f))
            }
        }
    }
}

/// Walk the keys of the object at tape index `at` (of `len` entries), calling `name` with each
/// key and its value; for the first [`MEMO`] keys, record its answer and the value's tape
/// index in `scan`.
#[inline]
pub(crate) fn scan_keys<'v>(
    tape: &[Node<'v>],
    at: usize,
    len: usize,
    scan: &mut KeyScan,
    mut name: impl FnMut(&'v str, &Node<'v>) -> Option<u16>,
) {
    let mut i = at + 1;
    scan.rest = i;
    // Value indices are kept as u32: tapes that long (records of 4 GiB or more) keep no memo.
    let memo = if u32::try_from(tape.len()).is_ok() {
        len.min(MEMO)
    } else {
        0
    };
    scan.count = memo;
    for k in 0..len {
        let Node::String(key) = tape[i] else {
            // simd-json guarantees keys are strings.
            if k < memo {
                scan.count = k;
                scan.rest = i;
            }
            break;
        };
        let vi = i + 1;
        let value = &tape[vi];
        i = vi + node_count(value);
        let n = name(key, value);
        if k < memo {
            // `% MEMO`: spares the bounds checks (k < memo <= MEMO).
            scan.names[k % MEMO] = n.unwrap_or(NONE);
            #[allow(clippy::cast_possible_truncation)] // the tape is shorter than u32::MAX
            {
                scan.values[k % MEMO] = vi as u32;
            }
            if k + 1 == memo {
                scan.rest = i;
            }
        }
    }
}
