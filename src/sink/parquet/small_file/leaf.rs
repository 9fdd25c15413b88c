//! One leaf column of a small file: its levels and values gathered from every batch,
//! then laid out as pages in the encoding that makes them smallest.

use std::collections::HashMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{
    Array, BooleanArray, Float64Array, Int16Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use parquet::basic::Encoding;
use parquet::errors::{ParquetError, Result};

use super::encode;
use super::Kind;

/// The levels and values of one leaf column, gathered from every batch.
#[derive(Default)]
pub(super) struct Leaf {
    pub(super) rep: Vec<u8>,
    pub(super) def: Vec<u8>,
    /// PLAIN values: length-prefixed bytes, or little-endian numbers.
    values: Vec<u8>,
    /// How many values `values` holds.
    count: usize,
    bools: Vec<bool>,
}

/// The pages of a column chunk, uncompressed.
pub(super) struct Pages {
    /// The dictionary (PLAIN values) and its length, when the values are indices into it.
    pub(super) dictionary: Option<(Vec<u8>, u32)>,
    /// Repetition levels, definition levels, then the values.
    pub(super) data: Vec<u8>,
    /// How the data page's values are encoded.
    pub(super) encoding: Encoding,
}

impl Leaf {
    /// Empty, keeping the buffers for the next column.
    pub(super) fn clear(&mut self) {
        self.rep.clear();
        self.def.clear();
        self.values.clear();
        self.count = 0;
        self.bools.clear();
    }

    /// How many values (not nulls) the column has.
    pub(super) fn count(&self) -> usize {
        self.count
    }

    /// Append value `i` of `array` (known to be valid).
    fn push(&mut self, array: &Typed, i: usize) {
        self.count += 1;
        match array {
            Typed::Bytes(a) => {
                let v = a.value(i).as_bytes();
                // A string of an Arrow array with i32 offsets is under 2 GiB.
                let len = u32::try_from(v.len()).unwrap_or(u32::MAX);
                self.values.extend_from_slice(&len.to_le_bytes());
                self.values.extend_from_slice(v);
            }
            Typed::Bool(a) => self.bools.push(a.value(i)),
            Typed::Int16(a) => {
                let v = i32::from(a.value(i));
                self.values.extend_from_slice(&v.to_le_bytes());
            }
            Typed::Int32(a) => self.values.extend_from_slice(&a.value(i).to_le_bytes()),
            Typed::Int64(a) => self.values.extend_from_slice(&a.value(i).to_le_bytes()),
            Typed::Timestamp(a) => self.values.extend_from_slice(&a.value(i).to_le_bytes()),
            Typed::Float64(a) => self.values.extend_from_slice(&a.value(i).to_le_bytes()),
        }
    }

    /// The smallest and largest of the INT64 values (for `p_event_time`'s statistics).
    pub(super) fn int64_range(&self) -> Option<(i64, i64)> {
        let mut numbers = self
            .values
            .chunks_exact(8)
            .filter_map(|b| <[u8; 8]>::try_from(b).ok())
            .map(i64::from_le_bytes);
        let first = numbers.next()?;
        Some(numbers.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    /// Append the rows of a flat column whose defined values have level `max_def` (0:
    /// required, 1: optional).
    pub(super) fn flat(&mut self, kind: Kind, array: &dyn Array, max_def: i16) -> Result<()> {
        let typed = Typed::of(kind, array);
        if array.null_count() == 0 {
            if max_def > 0 {
                self.def.resize(self.def.len() + array.len(), 1);
            }
            for i in 0..array.len() {
                self.push(&typed, i);
            }
            return Ok(());
        }
        if max_def == 0 {
            return Err(ParquetError::General(
                "a null in a column that is not nullable".into(),
            ));
        }
        for i in 0..array.len() {
            let valid = array.is_valid(i);
            self.def.push(u8::from(valid));
            if valid {
                self.push(&typed, i);
            }
        }
        Ok(())
    }

    /// Append the rows of a list column (Parquet's three-level list): a null list is
    /// level 0, an empty one the list's own level, a null item one more, a value `max_def`.
    pub(super) fn list(
        &mut self,
        kind: Kind,
        array: &dyn Array,
        nullable: bool,
        max_def: i16,
    ) -> Result<()> {
        let list = array.as_list::<i32>();
        let values = list.values().as_ref();
        let typed = Typed::of(kind, values);
        let (list_def, item_null_def) = (u8::from(nullable), u8::from(nullable) + 1);
        let value_def = u8::try_from(max_def).unwrap_or(u8::MAX);
        let offsets = list.value_offsets();
        for row in 0..list.len() {
            if list.is_null(row) {
                if !nullable {
                    return Err(ParquetError::General(
                        "a null list in a column that is not nullable".into(),
                    ));
                }
                self.rep.push(0);
                self.def.push(0);
                continue;
            }
            let (start, end) = (to_index(offsets[row]), to_index(offsets[row + 1]));
            if start == end {
                self.rep.push(0);
                self.def.push(list_def);
                continue;
            }
            for j in start..end {
                self.rep.push(u8::from(j > start));
                if values.is_valid(j) {
                    self.def.push(value_def);
                    self.push(&typed, j);
                } else if value_def > item_null_def {
                    self.def.push(item_null_def);
                } else {
                    return Err(ParquetError::General(
                        "a null item in a list whose items are not nullable".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The pages: levels, then the values as a sorted dictionary and its indices (strings
    /// of which at most half are distinct), `DELTA_LENGTH_BYTE_ARRAY` (other strings),
    /// `DELTA_BINARY_PACKED` (integers and times, when smaller than PLAIN), or PLAIN. A
    /// file has a few dozen to a few hundred rows: zstd alone compresses such pages poorly
    /// (its tables cost more than they save), while repeated strings and close numbers are
    /// most of what the logs' columns hold. Strings without a dictionary keep their bytes
    /// together, apart from their lengths: zstd finds the repeats in addresses and texts
    /// without the lengths' bytes in between.
    pub(super) fn pages(&self, kind: Kind, max_def: i16, max_rep: i16) -> Pages {
        let mut data = Vec::with_capacity(self.values.len() + self.def.len() / 2 + 16);
        if max_rep > 0 {
            encode::levels(&mut data, &self.rep, max_rep);
        }
        if max_def > 0 {
            encode::levels(&mut data, &self.def, max_def);
        }
        let mut encoding = Encoding::PLAIN;
        let mut dictionary = None;
        match kind {
            Kind::Bool => {
                for bits in self.bools.chunks(8) {
                    data.push(
                        bits.iter()
                            .enumerate()
                            .fold(0u8, |byte, (k, &b)| byte | (u8::from(b) << k)),
                    );
                }
            }
            Kind::Bytes => match self.dictionary() {
                Some((entries, len, indices)) => {
                    let width = encode::index_width(len);
                    data.push(width);
                    encode::hybrid(&mut data, &indices, width);
                    encoding = Encoding::RLE_DICTIONARY;
                    dictionary = Some((entries, u32::try_from(len).unwrap_or(u32::MAX)));
                }
                None if self.count > 0 => {
                    self.delta_lengths(&mut data);
                    encoding = Encoding::DELTA_LENGTH_BYTE_ARRAY;
                }
                None => {}
            },
            Kind::Int16 | Kind::Int32 | Kind::Int64 | Kind::Timestamp => {
                let (size, bits) = if matches!(kind, Kind::Int16 | Kind::Int32) {
                    (4, 32)
                } else {
                    (8, 64)
                };
                let numbers: Vec<i64> = self
                    .values
                    .chunks_exact(size)
                    .map(|b| match (<[u8; 4]>::try_from(b), <[u8; 8]>::try_from(b)) {
                        (Ok(four), _) => i64::from(i32::from_le_bytes(four)),
                        (_, Ok(eight)) => i64::from_le_bytes(eight),
                        _ => 0,
                    })
                    .collect();
                let at = data.len();
                encode::delta_binary_packed(&mut data, &numbers, bits);
                if data.len() - at < self.values.len() {
                    encoding = Encoding::DELTA_BINARY_PACKED;
                } else {
                    data.truncate(at);
                    data.extend_from_slice(&self.values);
                }
            }
            Kind::Float64 => data.extend_from_slice(&self.values),
        }
        Pages {
            dictionary,
            data,
            encoding,
        }
    }

    /// The length-prefixed strings in `values`.
    fn strings(&self) -> impl Iterator<Item = &[u8]> {
        let mut rest = self.values.as_slice();
        std::iter::from_fn(move || {
            let (len, tail) = rest.split_first_chunk::<4>()?;
            let len = usize::try_from(u32::from_le_bytes(*len)).unwrap_or(usize::MAX);
            let (value, tail) = tail.split_at_checked(len)?;
            rest = tail;
            Some(value)
        })
    }

    /// The strings as `DELTA_LENGTH_BYTE_ARRAY`: their lengths as deltas, then their bytes
    /// one after the other.
    fn delta_lengths(&self, data: &mut Vec<u8>) {
        // A string's length was checked when it was pushed.
        let lengths: Vec<i64> = self
            .strings()
            .map(|v| i64::try_from(v.len()).unwrap_or(i64::MAX))
            .collect();
        encode::delta_binary_packed(data, &lengths, 32);
        for value in self.strings() {
            data.extend_from_slice(value);
        }
    }

    /// The strings' dictionary (PLAIN, sorted), its length and each value's index, when at
    /// most half the values are distinct (and at most three quarters of the first
    /// [`PROBE`]).
    fn dictionary(&self) -> Option<(Vec<u8>, usize, Vec<u32>)> {
        let most = self.count / 2;
        if most == 0 {
            return None;
        }
        let mut seen: HashMap<&[u8], u32, ahash::RandomState> =
            HashMap::with_capacity_and_hasher(most, ahash::RandomState::new());
        let mut distinct = Vec::new();
        let mut indices = Vec::with_capacity(self.count);
        for value in self.strings() {
            let next = u32::try_from(seen.len()).unwrap_or(u32::MAX);
            let index = *seen.entry(value).or_insert_with(|| {
                distinct.push(value);
                next
            });
            indices.push(index);
            // Most columns are nearly all distinct (ids, addresses) or repeat a few
            // values (actions, types): the first values tell which, before every value
            // is hashed.
            if seen.len() > most || (indices.len() == PROBE && seen.len() > PROBE * 3 / 4) {
                return None;
            }
        }
        // Sorted, neighbours in the dictionary share their beginnings, which zstd finds
        // nearer and codes in fewer bits.
        let mut order: Vec<usize> = (0..distinct.len()).collect();
        order.sort_unstable_by_key(|&i| distinct[i]);
        let mut rank = vec![0u32; order.len()];
        let mut entries = Vec::with_capacity(distinct.iter().map(|v| v.len() + 4).sum());
        for (new, &old) in order.iter().enumerate() {
            rank[old] = u32::try_from(new).unwrap_or(u32::MAX);
            // A string's length was checked when it was pushed.
            let len = u32::try_from(distinct[old].len()).unwrap_or(u32::MAX);
            entries.extend_from_slice(&len.to_le_bytes());
            entries.extend_from_slice(distinct[old]);
        }
        for index in &mut indices {
            *index = rank[*index as usize];
        }
        Some((entries, order.len(), indices))
    }
}

/// How many of a column's first values [`Leaf::dictionary`] looks at before it hashes
/// the rest.
const PROBE: usize = 16;

/// An array downcast to its type once, not for each value.
enum Typed<'a> {
    Bytes(&'a StringArray),
    Bool(&'a BooleanArray),
    Int16(&'a Int16Array),
    Int32(&'a Int32Array),
    Int64(&'a Int64Array),
    Timestamp(&'a TimestampMicrosecondArray),
    Float64(&'a Float64Array),
}

impl<'a> Typed<'a> {
    /// `array`, whose type is `kind`'s ([`super::layout`] checked it).
    fn of(kind: Kind, array: &'a dyn Array) -> Self {
        match kind {
            Kind::Bytes => Typed::Bytes(array.as_string::<i32>()),
            Kind::Bool => Typed::Bool(array.as_boolean()),
            Kind::Int16 => Typed::Int16(array.as_primitive::<Int16Type>()),
            Kind::Int32 => Typed::Int32(array.as_primitive::<Int32Type>()),
            Kind::Int64 => Typed::Int64(array.as_primitive::<Int64Type>()),
            Kind::Timestamp => Typed::Timestamp(array.as_primitive::<TimestampMicrosecondType>()),
            Kind::Float64 => Typed::Float64(array.as_primitive::<Float64Type>()),
        }
    }
}

/// An Arrow offset (never negative) as an index.
fn to_index(offset: i32) -> usize {
    usize::try_from(offset).unwrap_or(0)
}
