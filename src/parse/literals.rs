//! The text of a record's numbers as written, for floats (and zeros) decoded into `string`
//! fields: Panther keeps a number's literal text there (`1.50` → `"1.50"`, `1e2` → `"1e2"`,
//! `-0` → `"-0"`), and a version such as `1.10` must not become `"1.1"`. The tape holds
//! only the parsed value.
//!
//! How: simd-json rewrites a record's strings in place but never its numbers, and its
//! structural indexes point at the first byte of every value, so the numbers' texts are
//! read from an untouched copy of the record at those indexes, in the order of the text,
//! which is the order of the number nodes on the tape. This is the rare path: a record is
//! decoded again with the texts only when a float or a zero went into a string (the decoder
//! notes it, `TapeDecoder::wants_literals`).

use simd_json::{Node, StaticNode};

use super::tape::{Borrowed, Fail, TapeDecoder};
use crate::error::{Error, ErrorKind};
use crate::event::Val;

/// The texts of a record's numbers, by tape index.
#[derive(Debug, Default)]
pub(crate) struct Literals {
    /// The tape indices of the record's numbers, in order.
    nodes: Vec<u32>,
    /// The text of the number `nodes[k]`: `text[spans[k].0..spans[k].1]`.
    spans: Vec<(u32, u32)>,
    text: String,
    /// The tape indices of the numbers beyond a float's range (`overflow.rs`), ascending.
    overflowed: Vec<u32>,
}

impl Literals {
    /// The texts of the numbers of `tape`, read from `record` (the record as it was given
    /// to simd-json, untouched) at `structural` (simd-json's structural indexes of it);
    /// `overflowed`: where the numbers beyond a float's range start in `record`, which
    /// were written over by zeros for simd-json (`overflow.rs`).
    /// Empty when they do not line up (a number is then written in its shortest form):
    /// returns whether they did.
    pub(crate) fn read(
        &mut self,
        tape: &[Node<'_>],
        record: &[u8],
        structural: &[u32],
        overflowed: &[u32],
    ) -> bool {
        self.nodes.clear();
        self.spans.clear();
        self.text.clear();
        self.overflowed.clear();
        #[allow(clippy::cast_possible_truncation)] // records are limited far below 4 GiB
        self.nodes.extend(
            (0..tape.len())
                .filter(|&i| matches!(tape[i], Node::Static(n) if is_number(n)))
                .map(|i| i as u32),
        );
        for &at in structural {
            let Some(rest) = record.get(at as usize..) else {
                continue;
            };
            if !rest
                .first()
                .is_some_and(|&c| c == b'-' || c.is_ascii_digit())
            {
                continue;
            }
            let len = rest
                .iter()
                .take_while(|&&c| {
                    c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E')
                })
                .count();
            let start = self.text.len();
            // Only ASCII bytes were taken.
            self.text
                .push_str(std::str::from_utf8(&rest[..len]).unwrap_or_default());
            #[allow(clippy::cast_possible_truncation)]
            self.spans.push((start as u32, self.text.len() as u32));
            if overflowed.binary_search(&at).is_ok() {
                if let Some(&node) = self.nodes.get(self.spans.len() - 1) {
                    self.overflowed.push(node);
                }
            }
        }
        let aligned =
            self.spans.len() == self.nodes.len() && self.overflowed.len() == overflowed.len();
        if !aligned {
            self.nodes.clear();
            self.spans.clear();
            self.overflowed.clear();
        }
        aligned
    }

    /// Whether the number at tape index `at` is beyond a float's range (its node holds a
    /// zero written in its place).
    pub(crate) fn overflowed(&self, at: usize) -> bool {
        u32::try_from(at).is_ok_and(|at| self.overflowed.binary_search(&at).is_ok())
    }

    /// The text of the number at tape index `at`, as written.
    pub(crate) fn at(&self, at: usize) -> Option<&str> {
        let k = self.nodes.binary_search(&u32::try_from(at).ok()?).ok()?;
        let (start, end) = self.spans[k];
        Some(&self.text[start as usize..end as usize])
    }
}

fn is_number(n: StaticNode) -> bool {
    matches!(
        n,
        StaticNode::I64(_) | StaticNode::U64(_) | StaticNode::F64(_)
    )
}

impl super::Normalizer {
    /// The record has numbers beyond a float's range, written over for simd-json
    /// (`overflowed`, `overflow.rs`): read its numbers' texts before it is decoded, so that
    /// every decoder tells them from zeros. Returns whether they could be read.
    #[cold]
    #[inline(never)]
    pub(super) fn read_overflowed(&mut self, tape: &[Node<'_>], original: Option<&[u8]>) -> bool {
        let kept = std::mem::take(&mut self.scratch);
        let record = original.unwrap_or(&kept);
        self.literals_read = self.literals.read(
            tape,
            record,
            self.buffers.structural_indexes(),
            &self.overflowed,
        );
        self.scratch = kept;
        self.overflowed.clear();
        self.literals_read
    }

    /// Every candidate refused the record (`err`), and a refusal quotes a number as it was
    /// parsed (`TapeDecoder::refuse_value` asked for the texts): the refusals built again
    /// with the numbers' texts, read from `original` (`None`: the copy in `scratch`), so
    /// that the reject shows each number as written (`-9223372036854775809`, not
    /// `-9.223372036854776e18`). Rejected records alone come here.
    #[cold]
    #[inline(never)]
    pub(super) fn refuse_with_literals<'l>(
        &mut self,
        tape: &[Node<'l>],
        vals: &mut Vec<Val<'l>>,
        original: Option<&[u8]>,
        err: Error,
    ) -> Error {
        if !self.wants_literals || self.literals_read {
            return err;
        }
        let kept = std::mem::take(&mut self.scratch);
        let record = original.unwrap_or(&kept);
        self.literals_read =
            self.literals
                .read(tape, record, self.buffers.structural_indexes(), &[]);
        self.scratch = kept;
        if !self.literals_read {
            return err;
        }
        match err.kind() {
            ErrorKind::Rejected { pos, log_type, .. } if self.n_json == 1 => {
                vals.clear();
                self.text.clear();
                let root = &self.plans[0].root;
                let decoded = TapeDecoder::<Borrowed>::new(tape, vals, &mut self.text, true)
                    .with_literals(&self.literals)
                    .object(root, 0);
                match decoded {
                    Err(Fail::Detail(refusal)) => Error::new(ErrorKind::Rejected {
                        pos: *pos,
                        log_type: log_type.clone(),
                        refusal,
                    }),
                    _ => err,
                }
            }
            ErrorKind::Unclassified { pos, .. } => {
                let pos = *pos;
                self.explain_refusals(tape, vals, pos)
            }
            _ => err,
        }
    }

    /// The rare path: plan `pi` accepted the record, and a float or a zero went into a string. Decode
    /// it again with that plan and the numbers' texts, read from `original` (`None`: the
    /// untouched copy in `scratch`), so the strings hold the numbers as written.
    #[cold]
    #[inline(never)]
    pub(super) fn decode_with_literals<'l>(
        &mut self,
        tape: &[Node<'l>],
        vals: &mut Vec<Val<'l>>,
        pi: usize,
        original: Option<&[u8]>,
    ) {
        let kept = std::mem::take(&mut self.scratch);
        let record = original.unwrap_or(&kept);
        self.literals
            .read(tape, record, self.buffers.structural_indexes(), &[]);
        self.scratch = kept;
        vals.clear();
        self.text.clear();
        let root = &self.plans[pi].root;
        let mut dec = TapeDecoder::<Borrowed>::new(tape, vals, &mut self.text, false)
            .with_literals(&self.literals);
        if dec.object(root, 0).is_err() {
            // Not expected (only the texts of strings differ): keep the first decoding.
            vals.clear();
            self.text.clear();
            let _ = TapeDecoder::<Borrowed>::new(tape, vals, &mut self.text, false).object(root, 0);
        }
    }
}
